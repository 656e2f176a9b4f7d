//! The scope catalogue and `portal scope`: the sample catalogue is complete, bad items are reported at
//! `path:line:col`, the pages are built, the command answers in words and in the documented JSON
//! (one object per line with `--batch`), and the development set meets its targets.

use crate::support::site::{repo_root, Site};
use policy_portal::pipeline::{assemble_site, BuildOptions};
use policy_portal::scope::Verdict;
use serde_json::Value;

/// The 56 ids of the 指导目录 (DOMAIN.md §5), in catalogue order.
const IDS: [&str; 56] = [
    "land-expropriation",
    "house-expropriation",
    "resettlement",
    "planning-change",
    "admin-division",
    "school-layout",
    "public-resource",
    "epidemic-control",
    "safety-measure",
    "traffic-control",
    "accident-handling",
    "major-petition",
    "enforcement-campaign",
    "social-insurance",
    "min-wage",
    "social-assistance",
    "employment-policy",
    "housing-security",
    "real-estate-policy",
    "utility-price",
    "education-fee",
    "env-fee",
    "agri-fees",
    "migrant-worker",
    "industry-policy",
    "medical-price",
    "compensation-policy",
    "livelihood-normative-doc",
    "ethnic-religion",
    "soe-restructuring",
    "public-institution-reform",
    "forest-tenure-reform",
    "rural-collective-reform",
    "education-reform",
    "medical-reform",
    "income-distribution",
    "hukou-reform",
    "unit-internal-reform",
    "transport-project",
    "water-project",
    "energy-facility",
    "telecom-tower",
    "waste-facility",
    "polluting-industry",
    "resource-development",
    "urban-renewal",
    "municipal-infrastructure",
    "public-facility-siting",
    "sensitive-facility",
    "livestock-facility",
    "large-residential",
    "disaster-rebuild",
    "industrial-park",
    "mass-event",
    "festival-religious",
    "sensitive-period-event",
];

#[test]
fn sample_catalogue_has_the_56_items_and_its_pages() {
    let site = Site::sample();
    let run = site.build().ok();
    let assembled = assemble_site(&BuildOptions {
        root: site.root().to_path_buf(),
        base_path: None,
        drafts: false,
    });
    let (page, m) = assembled.site.scope_matcher().unwrap();
    let ids: Vec<&str> = m.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, IDS);
    let cat = assembled.site.pages[page].scope.as_deref().unwrap();
    assert!(cat
        .items
        .iter()
        .all(|i| i.basis.is_some() && !i.departments.is_empty()));
    assert!(cat.out_of_scope.len() >= 4);
    let html = run.read("scope/index.html");
    for id in IDS {
        assert!(html.contains(&format!("id=\"{id}\"")), "no anchor #{id}");
    }
    assert!(html.contains("href=\"../measures/implementation/index.html#第七条\""));
    assert!(html.contains("data-scope-filter") && html.contains("data-scope-box"));
    let lookup = run.read("scope/lookup/index.html");
    assert!(lookup.contains("src=\"../../scope/scope-data.js\"") && lookup.contains("name=\"q\""));
    assert!(!lookup.contains("<script>") && !lookup.contains("style="));
    let data = run.read("scope/scope-data.js");
    assert!(data.starts_with("/*") && data.contains("\"energy-facility\""));
}

#[test]
fn bad_items_are_reported_where_they_are() {
    let text = "---\nkind: scope\ntitle: 指导目录\nitems:\n  - id: land-expropriation\n    category: 重大决策\n    text: 集体土地征收\n    basis: \"@/measures/implementation.md#第七条\"\n  - id: land-expropriation\n    category: 重大决策\n    text: 又是征地\n  - id: x-ray\n    category: 重大事务\n    text: 某事项\n  - id: no-text\n    category: 重大项目\n  - id: bad-basis\n    category: 重大项目\n    text: 能源设施\n    basis: \"@/measures/implementation.md#第九十九条\"\n---\n";
    let run = Site::sample()
        .file("content/scope/index.md", text)
        .check()
        .failed();
    let d = run.diagnostics();
    let has = |prefix: &str, words: &str| {
        assert!(
            d.iter().any(|l| l.starts_with(prefix) && l.contains(words)),
            "no `{prefix}… {words}` in:\n{}",
            d.join("\n")
        )
    };
    has(
        "content/scope/index.md:9:9: error:",
        "duplicate id `land-expropriation`: already used by the item at line 5",
    );
    has("content/scope/index.md:13:15: error:", "unknown category `重大事务`: expected one of 重大决策、重大政策、重大改革、重大项目、重大活动");
    has(
        "content/scope/index.md:15:5: error:",
        "item `no-text` has no `text`",
    );
    has(
        "content/scope/index.md:20:12: error:",
        "has no anchor `#第九十九条`",
    );
}

#[test]
fn a_site_has_one_catalogue() {
    let run = Site::sample()
        .file(
            "content/scope/other.md",
            "---\nkind: scope\ntitle: 另一目录\nitems:\n  - id: a\n    category: 重大项目\n    text: 某项目\n---\n",
        )
        .check()
        .failed();
    let d = run.diagnostics();
    assert!(
        d.iter()
            .any(|l| l.starts_with("content/scope/other.md:2:1: error: a second scope catalogue")),
        "{}",
        d.join("\n")
    );
}

#[test]
fn command_answers_in_words_and_json() {
    let site = Site::sample();
    let run = site.portal(&["scope", "开发区拟引进一个电镀项目"]).ok();
    assert!(
        run.stdout.starts_with("开发区拟引进一个电镀项目：应当评估"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("polluting-industry") && run.stdout.contains("【电镀】"));

    let run = site
        .portal(&["scope", "--json", "城区管道天然气价格准备上调"])
        .ok();
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["kind", "matches", "query", "reasons", "rule", "verdict"]
    );
    assert_eq!(v["verdict"], "in_scope");
    assert_eq!(v["kind"], "普通");
    assert_eq!(v["rule"]["id"], "catalogue");
    assert_eq!(v["rule"]["basis"], "第七条");
    let first = &v["matches"][0];
    let mut mk: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    mk.sort();
    assert_eq!(mk, ["category", "id", "matched", "score", "title"]);
    assert_eq!(first["id"], "utility-price");
    assert_eq!(first["category"], "重大政策");
    assert!(first["score"].as_u64().unwrap() > 0);
    assert!(first["matched"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w == "天然气价格"));

    site.write(
        "batch.txt",
        "单位组织职工春季体检\n\n# comment\n将城区一处街头游园改建为停车场\n".as_bytes(),
    );
    let batch = site.root().join("batch.txt");
    let run = site
        .portal(&["scope", "--json", "--batch", batch.to_str().unwrap()])
        .ok();
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["verdict"], "out_of_scope");
    assert_eq!(lines[0]["rule"]["id"], "out-of-scope");
    assert_eq!(lines[0]["rule"]["basis"], "第九条");
    assert_eq!(lines[1]["query"], "将城区一处街头游园改建为停车场");

    // Scale and the 简易评估 rule (第三十条): the figure that decided it is named.
    let run = site
        .portal(&["scope", "--json", "道路打通需要拆迁9户"])
        .ok();
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(
        (v["verdict"].as_str(), v["kind"].as_str()),
        (Some("in_scope"), Some("简易"))
    );
    assert_eq!(v["rule"]["basis"], "第三十条");
    assert!(
        v["reasons"].to_string().contains("“9户”：不超过10户"),
        "{v}"
    );
    let run = site.portal(&["scope", "道路打通需要拆迁十几户"]).ok();
    assert!(
        run.stdout.contains("应当评估\n") && run.stdout.contains("“十几户”：超过10户"),
        "{}",
        run.stdout
    );
    let run = site.portal(&["scope", "徵收耕地一百五十畝"]).ok();
    assert!(run.stdout.contains("：应当评估"), "{}", run.stdout);

    // The guided check, as flags and on the terminal.
    let run = site
        .portal(&[
            "scope",
            "--json",
            "--answers",
            "interests=是,land=否,wide=是,conflict=是",
            "县城几条街道改名",
        ])
        .ok();
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(v["check"]["verdict"], "in_scope");
    assert_eq!(v["check"]["rule"]["basis"], "第二条");
    let run = site
        .portal(&["scope", "--answers", "land=也许", "x"])
        .failed();
    assert!(
        run.stderr
            .contains("`也许` for `land` in --answers: expected 是 or 否"),
        "{}",
        run.stderr
    );
    let run = site
        .portal(&["scope", "--answers", "land=否", "x"])
        .failed();
    assert!(
        run.stderr.contains("must answer every question"),
        "{}",
        run.stderr
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("--root")
        .arg(site.root())
        .args(["scope", "--ask", "县城几条街道改名"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("是\n也许\n否\n否\n否\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("是否涉及征地") && stderr.contains("请回答“是”或“否”"),
        "{stderr}"
    );
    assert!(stdout.contains("自查结果：一般不需要评估"), "{stdout}");

    let run = site.portal(&["scope"]).failed();
    assert!(run.stderr.contains("nothing to look up"), "{}", run.stderr);
}

/// Verdict accuracy and top-3 hit rate over `tests/scope/devset.tsv` and `blind-dev.tsv` (also
/// printed by `tests/scope/eval.py`, with the held-out split): floors, so a change that loses
/// ground fails here.
#[test]
fn development_set_meets_the_targets() {
    let assembled = assemble_site(&BuildOptions {
        root: repo_root(),
        base_path: None,
        drafts: false,
    });
    let (_, m) = assembled.site.scope_matcher().unwrap();
    let devset = score(&m, "devset.tsv");
    assert!(
        devset.n >= 80 && devset.groups["out"] >= 20 && devset.groups["near"] >= 20,
        "{:?}",
        devset.groups
    );
    assert!(
        devset.verdict >= 0.9,
        "devset verdict accuracy {:.3}",
        devset.verdict
    );
    assert!(
        devset.top3 >= 0.9,
        "devset top-3 hit rate {:.3}",
        devset.top3
    );
    // The blind development splits (tuned on; the held-out `blind-test.tsv` is only reported by
    // `tests/scope/eval.py`, never asserted or looked at here).
    for file in [
        "blind-dev.tsv",
        "blind-dev2.tsv",
        "blind-dev3.tsv",
        "blind-dev4.tsv",
        "blind-dev5.tsv",
    ] {
        let s = score(&m, file);
        assert!(s.n >= 200, "{file} has {} matters", s.n);
        assert!(
            s.verdict >= 0.85,
            "{file} verdict accuracy {:.3}",
            s.verdict
        );
        assert!(s.top3 >= 0.95, "{file} top-3 hit rate {:.3}", s.top3);
        assert!(s.kind >= 0.95, "{file} 普通/简易 {:.3}", s.kind);
    }
}

/// What one evaluation set scores.
struct Score {
    n: usize,
    groups: std::collections::BTreeMap<String, usize>,
    verdict: f64,
    top3: f64,
    /// 普通/简易 right among in-scope matters answered in scope (1.0 when the set has no kinds).
    kind: f64,
}

/// Scores `tests/scope/FILE`: 4 columns (group, verdict, ids, text) or 6 (class, verdict, kind,
/// ids, text, note).
fn score(m: &policy_portal::scope::Matcher, file: &str) -> Score {
    let tsv = std::fs::read_to_string(repo_root().join("tests/scope").join(file)).unwrap();
    let (mut n, mut right, mut in_scope, mut hits, mut kinds, mut kinds_right) = (0, 0, 0, 0, 0, 0);
    let mut groups = std::collections::BTreeMap::new();
    for line in tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (group, verdict, kind, ids, text) = if cols.len() == 4 {
            (cols[0], cols[1], "-", cols[2], cols[3])
        } else {
            (cols[0], cols[1], cols[2], cols[3], cols[4])
        };
        *groups.entry(group.to_string()).or_insert(0) += 1;
        let a = m.lookup(text);
        n += 1;
        right += usize::from(a.verdict.name() == verdict);
        if verdict == Verdict::InScope.name() {
            in_scope += 1;
            let top: Vec<&str> = a.matches.iter().take(3).map(|x| x.id.as_str()).collect();
            hits += usize::from(ids.split(',').any(|i| top.contains(&i)));
            if a.verdict == Verdict::InScope && kind != "-" {
                kinds += 1;
                kinds_right += usize::from(a.kind.map(|k| k.label()) == Some(kind));
            }
        }
    }
    Score {
        n,
        groups,
        verdict: right as f64 / n as f64,
        top3: hits as f64 / in_scope as f64,
        kind: if kinds == 0 {
            1.0
        } else {
            kinds_right as f64 / kinds as f64
        },
    }
}
