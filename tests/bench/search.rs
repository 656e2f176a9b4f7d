//! The search benchmark's browser and truth part, run by `tests/bench/run search` (through
//! `search_bench.sh`; ignored in `cargo test`): bytes a browser loads for 2-term queries (cold: first
//! query on a fresh page, client JS included; warm: later queries), query latency in Chromium (median
//! and p95, after the first query) for portal and Pagefind on the same corpus, and exact-substring
//! recall on the corpus.
//! Needs `BENCH_SITE` (a portal site built with search) and `BENCH_PAGEFIND` (the same HTML indexed
//! by Pagefind, with `pf.html`).

use crate::support::browser::{js_str, Browser};
use crate::support::http::StaticServer;
use policy_portal::search::{self, Query, SearchIndex};
use policy_portal::text::{self, Synonyms};

/// Two-term queries a reader of such a site would type.
const QUERIES: &[&str] = &[
    "风险 评估",
    "征地 拆迁",
    "矛盾 纠纷",
    "平安 建设",
    "信访 稳定",
    "评估 报告",
    "应急 预案",
    "责任 追究",
    "社会 治安",
    "综治 工作",
    "群体性事件 预防",
    "重大 项目",
    "化解 措施",
    "评估 小组",
    "决策 实施",
    "领导 小组",
    "宣传 教育",
    "基层 基础",
    "安全 生产",
    "工作 机制",
    "风险评估 责任主体",
    "维稳 信息",
    "排查 调处",
    "重点 工程",
    "听证 意见",
];

fn median_p95(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (
        v[v.len() / 2],
        v[((v.len() as f64 * 0.95).ceil() as usize).min(v.len()) - 1],
    )
}

/// Bytes of every file the server has sent so far whose path matches `keep` (counted on the
/// server, so loads from workers count too).
fn loaded_bytes(server: &StaticServer, keep: &dyn Fn(&str) -> bool) -> f64 {
    server
        .requests()
        .iter()
        .map(|r| r.target.split('?').next().unwrap_or("").to_string())
        .filter(|t| keep(t))
        .map(|t| {
            std::fs::metadata(server.root().join(t.trim_start_matches('/'))).map_or(0, |m| m.len())
                as f64
        })
        .sum()
}

struct Figures {
    cold: f64,
    warm: Vec<f64>,
    latency: Vec<f64>,
}

fn measure(
    b: &Browser,
    server: &StaticServer,
    url: &str,
    ready: &str,
    run: &dyn Fn(&str) -> String,
    keep: &dyn Fn(&str) -> bool,
) -> Figures {
    b.open(url);
    b.wait_until(ready, "the search page");
    b.eval_json(&format!(
        "(async () => {{ await {}; return 1; }})()",
        run(QUERIES[0])
    ));
    let cold = loaded_bytes(server, keep);
    let (mut warm, mut latency) = (Vec::new(), Vec::new());
    for q in &QUERIES[1..] {
        let before = loaded_bytes(server, keep);
        let ms = b
            .eval_json(&format!("(async () => {{ const t = performance.now(); await {}; return performance.now() - t; }})()", run(q)))
            .as_f64()
            .unwrap();
        warm.push(loaded_bytes(server, keep) - before);
        latency.push(ms);
    }
    Figures {
        cold,
        warm,
        latency,
    }
}

fn report(name: &str, f: &Figures) {
    let (wm, _) = median_p95(f.warm.clone());
    let wmax = f.warm.iter().cloned().fold(0.0, f64::max);
    let (lm, lp) = median_p95(f.latency.clone());
    println!(
        "{name:9} cold query {:7.1} KB | warm query median {:6.1} KB, max {:6.1} KB | latency median {lm:6.1} ms, p95 {lp:6.1} ms",
        f.cold / 1024.0,
        wm / 1024.0,
        wmax / 1024.0
    );
}

#[test]
#[ignore = "benchmark: tests/bench/run search"]
fn search_benchmark() {
    let site = std::path::PathBuf::from(std::env::var("BENCH_SITE").expect("BENCH_SITE"));
    let pf = std::env::var("BENCH_PAGEFIND").expect("BENCH_PAGEFIND");
    substring_truth(&site);
    indexing_stages(&site);
    let b = Browser::launch().expect("chromium");
    let ours = StaticServer::start(site.join("public"));
    let f = measure(
        &b,
        &ours,
        &ours.url("/search/index.html"),
        "window.PortalSearchUI && PortalSearchUI.ready",
        &|q| format!("PortalSearchUI.run({})", js_str(q)),
        &|u| {
            (u.starts_with("/search/") && u != "/search/index.html")
                || u.starts_with("/js/search-")
                || u.starts_with("/css/search")
        },
    );
    report("portal", &f);
    let pfs = StaticServer::start(&pf);
    let g = measure(
        &b,
        &pfs,
        &pfs.url("/pf.html"),
        "window.pfReady",
        &|q| format!("runPf({})", js_str(q)),
        &|u| u.starts_with("/pagefind/"),
    );
    report("pagefind", &g);
    let totals: Vec<String> = QUERIES[..5]
        .iter()
        .map(|q| {
            format!(
                "{q}: pagefind {}",
                b.eval_json(&format!("runPf({}).then(r => r.total)", js_str(q)))
            )
        })
        .collect();
    println!("pagefind result counts: {}", totals.join(", "));
    println!(
        "queries: {} two-term queries, latency over the {} after the first",
        QUERIES.len(),
        QUERIES.len() - 1
    );
}

/// Every page containing a 2–8 character Chinese string is returned, and ranks above pages that
/// hold only its parts (synonym variants count as containing it).
/// Where the indexing time goes, on the same documents: tantivy's own indexing (the tokenizer, both
/// threads) and the export of the browser index, each against the build without search
/// (`BENCH_BUILD_NOSEARCH`, seconds) when given.
fn indexing_stages(site: &std::path::Path) {
    let docs = SearchIndex::open(&search::cache_dir(site).join("index"))
        .and_then(|i| i.docs())
        .expect("the cached index of BENCH_SITE");
    let start = std::time::Instant::now();
    let index = SearchIndex::build(&docs).unwrap();
    let tantivy = start.elapsed().as_secs_f64();
    let start = std::time::Instant::now();
    let files = search::export::export(&index, &Synonyms::new(&[])).unwrap();
    let export = start.elapsed().as_secs_f64();
    let base: Option<f64> = std::env::var("BENCH_BUILD_NOSEARCH")
        .ok()
        .and_then(|s| s.trim().parse().ok());
    let share = |t: f64| {
        base.map_or(String::new(), |b| {
            format!(" ({:.0}% of the build without search)", t / b * 100.0)
        })
    };
    println!(
        "indexing stages on {} documents: tantivy {tantivy:.2} s{}, export {export:.2} s{} ({} files)",
        docs.len(),
        share(tantivy),
        share(export),
        files.len()
    );
}

fn substring_truth(site: &std::path::Path) {
    let index = SearchIndex::open(&search::cache_dir(site).join("index"))
        .expect("the cached index of BENCH_SITE");
    let docs = index.docs().unwrap();
    let synonyms = Synonyms::new(&[
        vec!["征收".into(), "征用".into(), "征地".into()],
        vec!["拆迁".into(), "征迁".into()],
        vec!["变电站".into(), "输变电".into()],
    ]);
    let texts: Vec<String> = docs
        .iter()
        .map(|d| {
            text::fold(&format!(
                "{}\n{}\n{}",
                d.title_field,
                d.heading_field,
                d.body()
            ))
        })
        .collect();
    let mut queries = Vec::new();
    for d in docs.iter().step_by(97) {
        let chars: Vec<char> = d.body().chars().collect();
        for k in 0..3 {
            let len = 2 + (d.id as usize + k) % 7;
            let at = (d.id as usize * 31 + k * 211) % chars.len().saturating_sub(len).max(1);
            let s: String = chars[at..(at + len).min(chars.len())].iter().collect();
            if s.chars().count() == len
                && s.chars()
                    .all(|c| text::char_class(c) == text::CharClass::Cjk)
                && !queries.contains(&s)
            {
                queries.push(s);
            }
        }
    }
    let (mut expected, mut found, mut misordered) = (0usize, 0usize, 0usize);
    let start = std::time::Instant::now();
    for q in &queries {
        let variants: Vec<String> = std::iter::once(q.clone())
            .chain(synonyms.variants(q))
            .collect();
        let ranked = search::ranked(&index, &Query::parse(q, &synonyms)).unwrap();
        let has = |d: u32| texts[d as usize].contains(q.as_str());
        expected += (0..docs.len() as u32).filter(|&d| has(d)).count();
        found += ranked.iter().filter(|r| has(r.doc)).count();
        if let Some(last) = ranked.iter().rposition(|r| has(r.doc)) {
            misordered += ranked[..last]
                .iter()
                .filter(|r| {
                    !variants
                        .iter()
                        .any(|v| texts[r.doc as usize].contains(v.as_str()))
                })
                .count();
        }
    }
    println!(
        "exact-substring truth on {} pages: {} queries of 2–8 characters, recall {:.4} ({found}/{expected}), {misordered} pages without the string ranked above one with it ({:.0} ms per query in Rust)",
        docs.len(),
        queries.len(),
        found as f64 / expected.max(1) as f64,
        start.elapsed().as_secs_f64() * 1000.0 / queries.len().max(1) as f64
    );
}
