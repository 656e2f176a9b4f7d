//! The browser's tiered search on a site large enough that common words span several tiers:
//! the browser stops loading as soon as its first results are certain (the threshold algorithm in
//! search-core.js), and its lists must still equal `portal search --json`, which ranks over every
//! posting — for the first and the second page of results, with and without a kind filter.

use crate::support::browser::{file_url, js_str, Browser};
use crate::support::http::get;
use crate::support::site::{repo_root, Site};
use policy_portal::pipeline::BuildOptions;
use policy_portal::search::update::Change;
use policy_portal::serve::{start, Report, ServeOptions};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Pages in the generated site: enough for tiers of 32, 128 and 512 documents.
const PAGES: usize = 700;

/// A small deterministic generator (no dependency needed for a test corpus).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Sentences of the sample site's measure and guides, to compose pages from.
fn sentences() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["content/measures", "content/guide"] {
        for e in std::fs::read_dir(repo_root().join(dir)).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            let body = text.splitn(3, "---").nth(2).unwrap_or("");
            for s in body.split(['。', '\n']) {
                let s = s.trim().trim_start_matches(['#', '-', '*', '|', ' ']);
                if s.chars().count() >= 8 && !s.contains(['[', ']', '`', '{', '<', '|']) {
                    out.push(format!("{s}。"));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn generated_site() -> Site {
    let pool = sentences();
    assert!(pool.len() > 100, "{} sentences", pool.len());
    let mut rng = Lcg(7);
    let mut site = Site::empty()
        .file(
            "portal.yaml",
            "title: 分层索引测试\ncounty: 测试县\nsearch:\n  synonyms:\n    - [征收, 征用, 征地]\n    - [拆迁, 征迁]\n",
        )
        .file("content/_index.md", "---\ntitle: 首页\n---\n\n首页。\n");
    for s in 0..7 {
        site = site.file(
            &format!("content/s{s}/_index.md"),
            &format!("---\ntitle: 栏目{s}\n---\n\n栏目{s}的页面。\n"),
        );
    }
    for p in 0..PAGES {
        let title: String = pool[rng.next(pool.len())].chars().take(14).collect();
        let mut body = String::new();
        for h in 0..3 {
            let heading: String = pool[rng.next(pool.len())].chars().take(10).collect();
            body.push_str(&format!("## {heading} {h}\n\n"));
            for _ in 0..(2 + rng.next(6)) {
                body.push_str(&pool[rng.next(pool.len())]);
            }
            body.push_str("\n\n");
        }
        site = site.file(
            &format!("content/s{}/p{p:04}.md", p % 7),
            &format!(
                "---\ntitle: \"{}\"\n---\n\n{body}",
                title.replace(['"', '\\'], "")
            ),
        );
    }
    site
}

/// The browser's page of results: (urls, whether every tier of every term was loaded).
fn browser(b: &Browser, query: &str, offset: usize, kind: &str) -> (Vec<String>, bool) {
    let v = b.eval_json(&format!(
        "PortalSearchUI.index.search({}, {{limit: 10, offset: {offset}, kind: {}}}).then(r => [r.complete, r.results.map(x => x.url)])",
        js_str(query),
        js_str(kind)
    ));
    let urls = v[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    (urls, v[0].as_bool().unwrap())
}

/// Common and rare words, phrases, synonyms, numbers, a single character and a miss.
const QUERIES: [&str; 21] = [
    "风险",
    "评估",
    "风险 评估",
    "风险评估",
    "社会稳定风险评估",
    "评估 报告",
    "决策 机关",
    "征地",
    "征收 补偿",
    "拆迁",
    "矛盾 纠纷 化解",
    "责任 追究",
    "应当 组织",
    "第十二条",
    "群众 意见",
    "高风险",
    "实施 部门 评估 结论",
    "稳",
    "评估·报",
    "县 乡镇",
    "不存在的词语组合",
];

/// Asserts that the browser's first and second pages of results equal `portal search`'s for each
/// query; returns how many were answered before every tier was read.
fn assert_pages_equal(b: &Browser, site: &Site, queries: &[&str]) -> usize {
    let mut pruned = 0;
    for q in queries {
        let all = site.search_urls(q, 20, None);
        let (first, complete) = browser(b, q, 0, "");
        assert_eq!(first, all[..all.len().min(10)], "query {q:?}, first page");
        let (second, _) = browser(b, q, 10, "");
        assert_eq!(second, all[all.len().min(10)..], "query {q:?}, second page");
        pruned += !complete as usize;
    }
    pruned
}

#[test]
fn tiered_browser_search_equals_the_command_line_on_a_large_site() {
    let Some(b) = Browser::launch() else { return };
    let site = generated_site();
    let run = site.build().ok();
    // KEEP_TIERS_SITE=DIR keeps a copy of the generated site (with its output) for debugging.
    if let Ok(keep) = std::env::var("KEEP_TIERS_SITE") {
        crate::support::site::copy_tree(site.root(), std::path::Path::new(&keep));
    }
    b.open(&file_url(run.out.join("search/index.html")));
    b.wait_until(
        "window.PortalSearchUI && window.PortalSearchUI.ready",
        "the search page",
    );
    let queries = QUERIES;
    let pruned = assert_pages_equal(&b, &site, &queries);
    for (q, kind) in [("风险 评估", "页面"), ("评估", "页面")] {
        let (urls, _) = browser(&b, q, 0, kind);
        assert_eq!(
            urls,
            site.search_urls(q, 10, Some(kind)),
            "query {q:?} kind {kind}"
        );
    }
    // The page says the count is a lower bound when tiers were left unread, and offers more
    // (on a fresh page: the one above has read every tier of the common words by now).
    b.open(&file_url(run.out.join("search/index.html")));
    b.wait_until(
        "window.PortalSearchUI && window.PortalSearchUI.ready",
        "the search page",
    );
    let shown = b.eval_json(
        "PortalSearchUI.run('风险').then(() => [document.getElementById('search-status').textContent, document.getElementById('search-more').hidden])",
    );
    assert!(
        shown[0].as_str().unwrap().contains("个以上结果") && shown[1] == false,
        "{shown}"
    );
    println!(
        "tiers: {} queries on {PAGES} pages equal the command line; {pruned} answered before loading every tier",
        queries.len()
    );
    assert!(
        pruned >= 5,
        "common words should be answered from their first tiers ({pruned} were)"
    );
    b.assert_no_console_errors();
}

/// `portal serve` changes only the parts of the index an edit touches (the tiers of untouched terms
/// keep their order, within the slack meta.js gives), and the browser's lists still equal those of
/// `portal search` over the edited site.
#[test]
fn served_index_updated_in_parts_still_equals_the_command_line() {
    let Some(b) = Browser::launch() else { return };
    let site = generated_site();
    let changes: Arc<Mutex<Vec<Change>>> = Arc::default();
    let log = changes.clone();
    let server = start(
        BuildOptions {
            root: site.root().to_path_buf(),
            ..BuildOptions::default()
        },
        &ServeOptions {
            bind: "127.0.0.1".into(),
            port: 0,
            poll: false,
        },
        Arc::new(move |r| {
            if let Report::Searched { change, .. } = r {
                log.lock().unwrap().push(change);
            }
        }),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while changes.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no search index after 120 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A long page (the body's average length moves), a new title, a page emptied.
    let long = "听证会记录。风险评估报告应当公开。".repeat(40);
    site.write(
        "content/s3/p0003.md",
        format!("---\ntitle: 听证会记录汇编\n---\n\n## 听证 0\n\n{long}\n").as_bytes(),
    );
    site.write(
        "content/s2/p0100.md",
        "---\ntitle: 征地补偿听证公告\n---\n\n## 公告\n\n群众意见。\n".as_bytes(),
    );
    site.write(
        "content/s4/p0200.md",
        "---\ntitle: 空页\n---\n\n无。\n".as_bytes(),
    );
    // Wait over plain HTTP until the served index holds the edits, then open the page. Search
    // requests wait for an index still being made (at nice 10, with the whole suite running on two
    // cores, that can take longer than a browser page load may; the three writes can also come as
    // two rebuilds). What is checked here is the index served, not how long a page waits for it.
    let deadline = Instant::now() + Duration::from_secs(300);
    let holds_edits = || {
        let (_, meta) = get(server.addr, "/search/meta.js", Duration::from_secs(300));
        let docs: usize = meta
            .split_once("\"docs\":")
            .and_then(|(_, rest)| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or_else(|| panic!("meta.js without a document count: {meta:.200}"));
        let texts: Vec<String> = (0..docs)
            .map(|i| {
                get(
                    server.addr,
                    &format!("/search/d/{i}.js"),
                    Duration::from_secs(300),
                )
                .1
            })
            .collect();
        ["听证会记录。", "征地补偿听证公告", "\"t\":\"空页\""]
            .iter()
            .all(|w| texts.iter().any(|t| t.contains(w)))
    };
    while !holds_edits() {
        assert!(
            Instant::now() < deadline,
            "the edits never reached the search index"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    b.open(&format!("{}search/index.html", server.url));
    b.wait_until(
        "window.PortalSearchUI && window.PortalSearchUI.ready",
        "the search page",
    );
    let log = changes.lock().unwrap().clone();
    assert!(
        log[1..]
            .iter()
            .all(|c| matches!(c, Change::Parts { .. } | Change::Nothing))
            && log.iter().any(|c| matches!(c, Change::Parts { .. })),
        "edits change parts of the index, not all of it: {log:?}"
    );
    // A fresh page reads the new meta.js: its slack is what makes stale tiers safe.
    b.open(&format!("{}search/index.html", server.url));
    b.wait_until(
        "window.PortalSearchUI && window.PortalSearchUI.ready",
        "the search page after the edits",
    );
    let slack = b.eval_json("PortalSearchUI.index.meta.slack");
    assert!(slack.as_f64().is_some_and(|s| s > 1.0), "slack {slack}");
    let mut queries = QUERIES.to_vec();
    queries.extend(["听证会", "征地补偿听证公告", "听证 风险评估报告"]);
    let pruned = assert_pages_equal(&b, &site, &queries);
    println!("served index after the edits: {log:?}, slack {slack}; {pruned} queries answered before every tier was read");
    assert!(
        pruned >= 5,
        "the stale tiers were read to the end ({pruned} pruned)"
    );
    b.assert_no_console_errors();
    drop(server);
}
