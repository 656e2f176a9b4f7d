//! The search page in headless Chromium against the built sample site: the browser's tokenizer
//! cuts text exactly as Rust's does, its top-10 lists equal `portal search --json` (order included),
//! it works from `file://` and at a sub-path, and the header search box leads to it.

use crate::support::browser::{file_url, js_str, Browser};
use crate::support::http::StaticServer;
use crate::support::site::{repo_root, Run, Site};
use serde_json::Value;

/// Queries for the parity check: the quality set plus mixed, Latin, numeric, synonym and odd ones.
fn parity_queries() -> Vec<String> {
    let tsv = std::fs::read_to_string(repo_root().join("tests/search/quality.tsv")).unwrap();
    let mut q: Vec<String> = tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    for extra in [
        "稳",
        "评",
        "风险 评估",
        "征地补偿",
        "拆迁",
        "110千伏变电站",
        "GB/T 37668",
        "ＧＢ／Ｔ",
        "3日内",
        "33%",
        "第一条 第二条",
        "維穩",
        "risk",
        "“风险评估”",
        "不存在的词语组合",
        "县 乡镇 部门",
        "①",
        // Traditional and mixed script (the fold), abbreviations (the default synonyms).
        "風險等級",
        "聽證會",
        "徵地補償",
        "社會穩定風險評估",
        "风险評估",
        "稳评",
        "維穩辦",
        "棚改",
        "政法委",
    ] {
        q.push(extra.to_string());
    }
    // The development split of the blind script-folding queries (never the test split).
    let dev = std::fs::read_to_string(repo_root().join("tests/search/script-dev.tsv")).unwrap();
    q.extend(
        dev.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string),
    );
    q
}

/// One Chromium for all checks: a second one started in the same test process does not answer.
#[test]
fn search_page_in_chromium() {
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    browser_tokenizer_cuts_text_like_rust(&b);
    browser_and_command_line_give_the_same_top_ten(&b);
    browser_and_command_line_suggest_the_same(&b);
    results_show_kind_snippet_and_land_on_the_article(&b);
    header_box_leads_to_results_at_a_sub_path(&b);
}

fn built_sample() -> Run {
    Site::sample().build().ok()
}

fn open_search(b: &Browser, run: &Run, query: &str) {
    let url = format!(
        "{}?q={}",
        file_url(run.out.join("search/index.html")),
        query
    );
    b.open(&url);
    b.wait_until(
        "window.PortalSearchUI && window.PortalSearchUI.ready",
        "the search page to load its index",
    );
}

fn browser_urls(b: &Browser, query: &str, kind: &str) -> Vec<String> {
    let v = b.eval_json(&format!(
        "PortalSearchUI.run({}, {}).then(r => r.map(x => x.url))",
        js_str(query),
        js_str(kind)
    ));
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn browser_and_command_line_give_the_same_top_ten(b: &Browser) {
    let site = Site::sample();
    let run = site.build().ok();
    open_search(b, &run, "");
    let queries = parity_queries();
    assert!(queries.len() >= 50);
    let mut nonempty = 0;
    for q in &queries {
        let cli = site.search_urls(q, 10, None);
        assert_eq!(browser_urls(b, q, ""), cli, "query {q:?}");
        nonempty += !cli.is_empty() as usize;
    }
    for (q, kind) in [("风险", "办法"), ("评估", "页面"), ("第十二条", "办法")] {
        assert_eq!(
            browser_urls(b, q, kind),
            site.search_urls(q, 10, Some(kind)),
            "query {q:?} kind {kind}"
        );
    }
    println!(
        "parity: {} queries ({nonempty} with results) give identical top-10 lists",
        queries.len()
    );
    assert!(nonempty >= 50);
    b.assert_no_console_errors();
}

/// Pinyin and IME-slip queries (the development splits of the blind sets, never the test splits):
/// the browser reads and corrects them as `portal search` does — the same word searched, the same
/// candidates in the same order, the same top ten.
fn browser_and_command_line_suggest_the_same(b: &Browser) {
    let site = Site::sample();
    let run = site.build().ok();
    open_search(b, &run, "");
    let mut queries = Vec::new();
    for set in ["pinyin-dev.tsv", "typo-dev.tsv"] {
        let text = std::fs::read_to_string(repo_root().join("tests/search").join(set)).unwrap();
        queries.extend(
            text.lines()
                .filter_map(|l| l.split('\t').next())
                .filter(|q| !q.trim().is_empty())
                .map(str::to_string),
        );
    }
    assert!(queries.len() >= 60);
    let mut advised = 0;
    for q in &queries {
        let cli = site.portal(&["search", q, "--json", "--limit", "10"]).ok();
        let v: Value = serde_json::from_str(&cli.stdout).unwrap();
        let urls: Vec<Value> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["url"].clone())
            .collect();
        let expected = serde_json::json!({
            "searched": v.get("searched").cloned().unwrap_or(Value::String(q.clone())),
            "advice": v.get("advice").cloned().unwrap_or(Value::String("none".into())),
            "suggestions": v.get("suggestions").cloned().unwrap_or(serde_json::json!([])),
            "urls": urls,
        });
        let got = b.eval_json(&format!(
            "PortalSearchUI.run({}).then(r => ({{searched: PortalSearchUI.searched, advice: PortalSearchUI.advice, suggestions: PortalSearchUI.suggestions, urls: r.map(x => x.url)}}))",
            js_str(q)
        ));
        assert_eq!(got, expected, "query {q:?}");
        advised += (expected["advice"] != "none") as usize;
    }
    println!(
        "suggestions: {} queries ({advised} read as pinyin or corrected) suggest alike",
        queries.len()
    );
    assert!(
        advised * 2 >= queries.len(),
        "{advised} of {}",
        queries.len()
    );
}

fn browser_tokenizer_cuts_text_like_rust(b: &Browser) {
    let run = built_sample();
    open_search(b, &run, "");
    let mut samples: Vec<String> = vec![
        "清政发〔2023〕5号　110千伏变电站 ＧＢ／Ｔ 37668－2019 Risk Matrix (5×5) ①②③ Ⅲ级 café ÄÖÜ ß İstanbul 𠀀𠀁 かな 한국어 2.5% a_b"
            .into(),
        "x".repeat(40) + "１２３ａｂｃ　。，、；：？！“”（）【】《》",
        "風險等級 聽證會 徵地補償 薴 㑮 乾隆 著作".into(),
    ];
    // Text in Traditional characters: the two Traditional seeds (their first 3,000 characters).
    for seed in ["002_d7f5432fd478c0e8.txt", "004_bdf91d1c2ec7237b.txt"] {
        let text =
            std::fs::read_to_string(repo_root().join("tests/fixtures/seeds").join(seed)).unwrap();
        samples.push(text.chars().take(3000).collect());
    }
    for entry in walkdir::WalkDir::new(repo_root().join("content")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            samples.push(std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    let total: usize = samples.iter().map(|s| s.chars().count()).sum();
    // The table loads only when a query term with a CJK character is found nowhere (a term with a
    // Traditional character never is: the index is folded): not for Simplified queries whose terms
    // are in the index, and for a query holding a Traditional character.
    let t2s_loaded = || b.eval_json("PortalSearch.loaded.filter(p => p === 't2s.js').length");
    b.eval_json(
        "PortalSearchUI.run('第十二条').then(() => PortalSearchUI.run('风险 评估')).then(() => 1)",
    );
    assert_eq!(
        t2s_loaded(),
        serde_json::json!(0),
        "t2s.js loaded for Simplified queries"
    );
    b.eval_json("PortalSearchUI.run('徵地').then(() => 1)");
    assert_eq!(
        t2s_loaded(),
        serde_json::json!(1),
        "t2s.js not loaded for 徵地"
    );
    assert_eq!(b.eval_json("PortalSearchUI.searched"), "徵地");

    for s in &samples {
        let rust: Vec<Value> = policy_portal::text::tokenize(s)
            .iter()
            .map(|t| serde_json::json!([t.text, t.position, t.start, t.end]))
            .collect();
        let js = b.eval_json(&format!(
            "PortalSearch.tokenize({}).map(t => [t.text, t.position, t.start, t.end])",
            js_str(s)
        ));
        assert_eq!(
            js,
            Value::Array(rust),
            "tokens differ for {:?}",
            s.chars().take(40).collect::<String>()
        );
        let q_rust: Vec<Value> = policy_portal::text::query_tokens(s)
            .iter()
            .map(|t| serde_json::json!([t.text, t.position]))
            .collect();
        let q_js = b.eval_json(&format!(
            "PortalSearch.queryTokens({}).map(t => [t.text, t.position])",
            js_str(s)
        ));
        assert_eq!(q_js, Value::Array(q_rust));
    }
    println!(
        "tokenizer parity: {} texts, {total} characters",
        samples.len()
    );
}

fn results_show_kind_snippet_and_land_on_the_article(b: &Browser) {
    let run = built_sample();
    open_search(b, &run, "%E7%AC%AC%E5%8D%81%E4%BA%8C%E6%9D%A1");
    b.wait_until(
        "document.querySelectorAll('.search-result').length > 0",
        "results for 第十二条",
    );
    let first = b.attr(".search-result a", "href").unwrap();
    assert!(
        first.ends_with("measures/implementation/index.html#第十二条"),
        "{first}"
    );
    assert_eq!(b.text(".search-result .kind-badge"), "办法");
    assert!(b.text(".search-result mark").contains("第十二条"));
    assert!(b.count("#search-kinds button") >= 3, "kind filters");
    b.screenshot_png(
        std::env::temp_dir().join("portal-search-results.png"),
        crate::support::browser::Viewport::DESKTOP,
        false,
    );
    // Validity: the current measure before the repealed one, each with its status in words; a
    // Traditional query finds the same list.
    for q in ["征地", "徵地"] {
        let rows = b.eval_json(&format!(
            "PortalSearchUI.run({}).then(() => Array.from(document.querySelectorAll('.search-result')).map(li => [li.getAttribute('data-url'), (li.querySelector('.status-badge') || {{}}).textContent || '']))",
            js_str(q)
        ));
        let rows = rows.as_array().unwrap();
        let at = |page: &str| {
            rows.iter()
                .position(|r| r[0].as_str().unwrap().starts_with(page))
                .unwrap_or_else(|| panic!("{page} not in {rows:?}"))
        };
        let (current, repealed) = (at("measures/implementation/"), at("measures/interim-2016/"));
        assert!(current < repealed, "{q}: {rows:?}");
        assert_eq!(rows[current][1], "现行有效");
        assert_eq!(rows[repealed][1], "已废止");
    }
    b.eval_json("PortalSearchUI.run('第十二条').then(() => 1)");
    b.click(".search-result a");
    b.wait_until("location.hash.length > 1", "landing on the article");
    assert_eq!(
        b.eval_json("decodeURIComponent(location.hash)"),
        "#第十二条"
    );
    b.assert_no_console_errors();
}

fn header_box_leads_to_results_at_a_sub_path(b: &Browser) {
    let site = Site::sample();
    let host = tempfile::tempdir().unwrap();
    let out = host.path().join("wenping");
    let r = site.portal(&[
        "build",
        "--output",
        out.to_str().unwrap(),
        "--base-path",
        "/wenping/",
    ]);
    assert!(r.success, "{}", r.stderr);
    let server = StaticServer::start(host.path());
    b.open(&server.url("/wenping/guide/dimensions/index.html"));
    b.type_into("#site-search-q", "可控性");
    b.press_key("Enter");
    b.wait_until("location.pathname.endsWith('/wenping/search/index.html') && window.PortalSearchUI && PortalSearchUI.ready && PortalSearchUI.results.length > 0", "results after submitting the header box");
    assert!(b
        .attr(".search-result a", "href")
        .unwrap()
        .contains("guide/dimensions/index.html#可控性"));
    server.assert_nothing_missing();
    b.assert_no_console_errors();
}

#[test]
fn search_page_without_javascript_says_so() {
    let run = built_sample();
    run.contains("search/index.html", "<noscript>");
    run.contains("index.html", "action=\"search/index.html\"");
    run.contains(
        "measures/implementation/index.html",
        "action=\"../../search/index.html\"",
    );
}
