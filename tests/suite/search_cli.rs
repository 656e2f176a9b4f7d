//! `portal search` on the command line: the JSON shape, the saved index, synonyms, bad config.

use crate::support::site::Site;
use serde_json::Value;

#[test]
fn json_output_has_exactly_the_documented_fields() {
    let site = Site::sample();
    site.build().ok();
    let run = site
        .portal(&["search", "第十二条", "--json", "--limit", "3"])
        .ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["query", "results"]
    );
    assert_eq!(v["query"], "第十二条");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    // A measure: url, title, kind, status, doc_number, score, snippet (pages without a 状态 or
    // 文号 have neither).
    assert_eq!(results[0].as_object().unwrap().len(), 7);
    assert_eq!(results[0]["status"], "现行有效");
    assert_eq!(results[0]["doc_number"], "清办发〔2024〕5号");
    let at = |k: &str| {
        run.stdout
            .find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("no {k}"))
    };
    assert!(
        at("query") < at("results")
            && at("url") < at("title")
            && at("title") < at("kind")
            && at("kind") < at("status")
            && at("status") < at("doc_number")
            && at("doc_number") < at("score")
            && at("score") < at("snippet")
    );
    assert_eq!(
        results[0]["url"],
        "measures/implementation/index.html#第十二条"
    );
    assert_eq!(results[0]["kind"], "办法");
    assert!(results[0]["snippet"].as_str().unwrap().contains("第十二条"));
    assert!(run.stderr.contains("(saved index)"), "{}", run.stderr);
}

#[test]
fn a_changed_source_is_indexed_again() {
    let site = Site::minimal().file(
        "content/a.md",
        "---\ntitle: 甲\n---\n\n110千伏变电站选址。\n",
    );
    site.build().ok();
    let site = site.file("content/b.md", "---\ntitle: 乙\n---\n\n输变电工程。\n");
    let run = site.portal(&["search", "110千伏变电站"]).ok();
    assert!(run.stderr.contains("(new index)"), "{}", run.stderr);
    assert!(run.stdout.contains("a/index.html"), "{}", run.stdout);
    assert!(
        run.stdout.starts_with("1. 甲"),
        "the exact phrase ranks first: {}",
        run.stdout
    );
    let run = site.portal(&["search", "110千伏变电站"]).ok();
    assert!(run.stderr.contains("(saved index)"), "{}", run.stderr);
}

#[test]
fn synonyms_from_portal_yaml_expand_queries() {
    let site = Site::minimal()
        .file(
            "portal.yaml",
            "title: 测试\nsearch:\n  synonyms:\n    - [变电站, 输变电]\n",
        )
        .file("content/a.md", "---\ntitle: 甲\n---\n\n变电站选址。\n")
        .file("content/b.md", "---\ntitle: 乙\n---\n\n输变电工程。\n");
    let run = site.portal(&["search", "变电站", "--json"]).ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let urls: Vec<_> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["a/index.html", "b/index.html"]);
}

#[test]
fn a_synonym_group_of_one_word_is_an_error() {
    let run = Site::minimal()
        .file(
            "portal.yaml",
            "title: 测试\nsearch:\n  synonyms:\n    - [征收]\n",
        )
        .check()
        .failed();
    assert!(
        run.stderr
            .contains("portal.yaml:4:1: error: synonym group `征收` has one word"),
        "{}",
        run.stderr
    );
}

#[test]
fn search_can_be_turned_off() {
    let run = Site::minimal()
        .file("portal.yaml", "title: 测试\nsearch:\n  enabled: false\n")
        .build()
        .ok();
    assert!(!run.exists("search/index.html") && !run.exists("search/meta.js"));
    assert!(!run.read("index.html").contains("site-search"));
}
