//! The scope lookup in headless Chromium against the built sample site (from `file://`):
//!
//! - parity: for every matter of the development set (`tests/scope/devset.tsv`) and a few odd
//!   inputs, the browser matcher (`scope-core.js` over `scope/scope-data.js`) gives the same
//!   verdict, the same ranked items, scores and matched words as `portal scope --json --batch`;
//! - the lookup page answers `?q=` on load and as you type, with the verdict in words, matched
//!   words marked, next steps linking the procedure and the first forms, whom to ask;
//! - the catalogue page filters as you type and its `form[data-scope-box]` answers in place;
//! - no console errors. Screenshots go to `$PORTAL_TEST_ARTIFACTS/scope_parity/` when set.

use crate::support::artifacts::Artifacts;
use crate::support::browser::{file_url, js_list, Browser, Viewport};
use crate::support::site::{repo_root, Run, Site};
use serde_json::Value;

/// The development sets' descriptions (`devset.tsv`, `blind-dev*.tsv`; never the held-out
/// `blind-test.tsv`) plus inputs that stress folding, figures and emptiness.
fn matters() -> Vec<String> {
    let mut m: Vec<String> = Vec::new();
    for (file, column) in [
        ("devset.tsv", 3),
        ("blind-dev.tsv", 4),
        ("blind-dev2.tsv", 4),
    ] {
        let tsv = std::fs::read_to_string(repo_root().join("tests/scope").join(file)).unwrap();
        m.extend(
            tsv.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| l.split('\t').nth(column).unwrap().to_string()),
        );
    }
    assert!(
        m.len() >= 400,
        "the development sets have {} matters",
        m.len()
    );
    for extra in [
        "新建一座一百一十千伏变电站",
        "１１０ＫＶ输变电工程",
        "征用集体土地1.5万亩",
        "涉及三百多户的征迁",
        "十几户村民的房屋征收",
        "药品集中采购",
        "😀 拆迁",
        "x",
        "稳评",
        "徵收耕地一百五十畝",
        "拆迁十几户",
        "占地三四亩修机耕路",
        "两三千人的灯会",
    ] {
        m.push(extra.to_string());
    }
    m
}

/// One Chromium for all checks: a second one started in the same test process does not answer.
#[test]
fn scope_lookup_in_chromium() {
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let site = Site::sample();
    let run = site.build().ok();
    let shots = Artifacts::new("scope_parity");
    browser_and_command_line_give_the_same_answers(&b, &site, &run);
    lookup_page_answers_query_and_typing(&b, &run, &shots);
    catalogue_filters_and_box_answers(&b, &run, &shots);
}

fn cli_answers(site: &Site, matters: &[String]) -> Vec<Value> {
    let batch = site.root().join("matters.txt");
    std::fs::write(&batch, matters.join("\n")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("--root")
        .arg(site.root())
        .args(["scope", "--json", "--batch"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), matters.len());
    answers
}

fn browser_and_command_line_give_the_same_answers(b: &Browser, site: &Site, run: &Run) {
    let matters = matters();
    let cli = cli_answers(site, &matters);
    b.open_scope_lookup(&run.out);
    let list = js_list(&matters);
    let js = format!(
        "(() => {{ const m = new PortalScope.Matcher(PortalScope.data().matcher);
           return {list}.map(q => {{ const a = m.lookup(q);
             return {{query: a.query, verdict: a.verdict, kind: a.kind, rule: a.rule, reasons: a.reasons,
               matches: a.matches.map(x => ({{id: x.id, category: x.category, title: x.title, score: x.score, matched: x.matched}}))}}; }}); }})()"
    );
    let browser = b.eval_json(&js);
    let browser = browser.as_array().unwrap();
    let mut differ = Vec::new();
    for (i, (c, w)) in cli.iter().zip(browser).enumerate() {
        let top3 = |v: &Value| -> Vec<String> {
            v["matches"]
                .as_array()
                .unwrap()
                .iter()
                .take(3)
                .map(|m| m["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(c["query"], w["query"]);
        if c["verdict"] != w["verdict"] || top3(c) != top3(w) {
            differ.push(format!(
                "{}: cli {} {:?}, browser {} {:?}",
                matters[i],
                c["verdict"],
                top3(c),
                w["verdict"],
                top3(w)
            ));
        } else if c != w {
            differ.push(format!(
                "{}: same verdict and top 3, other details differ:\n  cli     {c}\n  browser {w}",
                matters[i]
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} matters differ:\n{}",
        differ.len(),
        matters.len(),
        differ.join("\n")
    );
    let in_scope = cli.iter().filter(|a| a["verdict"] == "in_scope").count();
    assert!(
        in_scope > 40 && in_scope < matters.len() - 20,
        "{in_scope} in scope: the set should mix verdicts"
    );
    let simple = cli.iter().filter(|a| a["kind"] == "简易").count();
    assert!(simple >= 5, "{simple} answers take the 简易评估");
    // The guided check: all 16 combinations of answers, against `portal scope --answers`.
    let ids = ["interests", "land", "wide", "conflict"];
    let combos: Vec<Vec<bool>> = (0..16u8)
        .map(|n| (0..4).map(|i| n & (1 << i) != 0).collect())
        .collect();
    let browser = b.eval_json(&format!(
        "(() => {{ const m = new PortalScope.Matcher(PortalScope.data().matcher);
           return {}.map(c => {{ const a = {{}}; {ids:?}.forEach((id, i) => a[id] = c[i]); const r = m.decide(a); return {{verdict: r[0], rule: r[1]}}; }}); }})()",
        serde_json::to_string(&combos).unwrap()
    ));
    for (i, c) in combos.iter().enumerate() {
        let answers: Vec<String> = ids
            .iter()
            .zip(c)
            .map(|(id, y)| format!("{id}={}", if *y { "是" } else { "否" }))
            .collect();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
            .arg("--root")
            .arg(site.root())
            .args(["scope", "--json", "--answers", &answers.join(","), "某事项"])
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(cli["check"], browser[i], "answers {answers:?}");
    }
}

fn lookup_page_answers_query_and_typing(b: &Browser, run: &Run, shots: &Artifacts) {
    let url = format!(
        "{}?q={}",
        file_url(run.out.join("scope/lookup/index.html")),
        "开发区拟引进一个电镀项目"
    );
    b.clear_console_errors();
    b.open(&url);
    b.wait_for(".scope-verdict-label");
    assert_eq!(
        b.eval_json("document.getElementById('scope-q').value"),
        "开发区拟引进一个电镀项目"
    );
    assert!(b.text(".scope-verdict-label").contains("应当评估"));
    let status = b.text("#scope-status");
    assert!(
        status.starts_with("应当评估，匹配 ")
            && status.contains("项目录事项，第一项：可能改变环境"),
        "{status}"
    );
    let marks = b.texts(".scope-query mark");
    assert!(marks.contains(&"电镀".to_string()), "{marks:?}");
    let first = b.text(".scope-match");
    assert!(
        first.contains("重大项目") && first.contains("可能改变环境"),
        "{first}"
    );
    assert!(
        first.contains("责任部门") && first.contains("依据"),
        "{first}"
    );
    let href = b.attr(".scope-match-title a", "href").unwrap();
    assert!(
        href.ends_with("scope/index.html#polluting-industry"),
        "{href}"
    );
    let steps = b.texts(".scope-steps a");
    assert!(steps.iter().any(|s| s.contains("工作流程")), "{steps:?}");
    assert!(steps.iter().any(|s| s.contains("立项审批表")), "{steps:?}");
    b.screenshot_png(
        shots.join("lookup-in-scope-desktop.png"),
        Viewport::DESKTOP,
        true,
    );
    b.screenshot_png(
        shots.join("lookup-in-scope-phone.png"),
        Viewport::PHONE,
        true,
    );

    // Typing replaces the answer without submitting the form.
    b.eval_json("(() => { const i = document.getElementById('scope-q'); i.value = ''; i.dispatchEvent(new Event('input')); return true; })()");
    assert!(!b.is_visible("#scope-answer"));
    b.type_into("#scope-q", "单位组织职工春季体检");
    b.wait_until(
        "(document.querySelector('.scope-verdict-label') || {}).textContent.includes('一般不需要评估')",
        "the answer to follow the typing",
    );
    let page = b.text("#scope-answer");
    assert!(
        page.contains("体检") && page.contains("一般不列入评估范围"),
        "{page}"
    );
    assert!(
        page.contains("仍然拿不准") && page.contains("县委政法委"),
        "{page}"
    );
    assert!(page.contains("相近的目录事项"), "{page}");
    assert_eq!(
        b.count(".scope-check"),
        0,
        "an out-of-scope cue decided it: no questions"
    );
    b.screenshot_png(
        shots.join("lookup-out-of-scope-desktop.png"),
        Viewport::DESKTOP,
        true,
    );

    // Not decided by the text: the four questions, answered with the keyboard only (Space picks
    // 是, ArrowRight moves to 否 and picks it, Tab goes to the next question).
    b.eval_json("(() => { const i = document.getElementById('scope-q'); i.value = ''; i.dispatchEvent(new Event('input')); return true; })()");
    b.type_into("#scope-q", "县城几条街道改名");
    b.wait_for(".scope-check");
    assert_eq!(b.count(".scope-check input[type=radio]"), 8);
    assert!(b
        .text(".scope-check-result")
        .contains("请回答全部 4 个问题"));
    b.eval_json("document.querySelector('.scope-check input[type=radio]').focus(), true");
    b.press_key(" "); // interests: 是
    b.press_key("Tab");
    b.press_key("ArrowRight"); // land: 否
    b.press_key("Tab");
    b.press_key(" "); // wide: 是
    b.press_key("Tab");
    b.press_key("ArrowRight"); // conflict: 否
    b.wait_until(
        "document.querySelector('.scope-check-result').textContent.includes('自查结果')",
        "the check's answer",
    );
    let result = b.text(".scope-check-result");
    assert!(
        result.contains("可能需要评估") && result.contains("第九条"),
        "{result}"
    );
    b.screenshot_png(
        shots.join("lookup-guided-check-phone.png"),
        Viewport::PHONE,
        true,
    );
    b.assert_no_console_errors();
}

fn catalogue_filters_and_box_answers(b: &Browser, run: &Run, shots: &Artifacts) {
    b.clear_console_errors();
    b.open(&file_url(run.out.join("scope/index.html")));
    b.wait_for("[data-scope-filter]:not([hidden])");
    b.screenshot_png(
        shots.join("catalogue-top-desktop.png"),
        Viewport::DESKTOP,
        false,
    );
    b.open(&format!(
        "{}#energy-facility",
        file_url(run.out.join("scope/index.html"))
    ));
    b.wait_for("[data-scope-filter]:not([hidden])");
    assert_eq!(b.count("[data-scope-item]"), 56);
    assert_eq!(b.count("[data-scope-group]"), 5);
    assert!(b.text("#energy-facility").contains("变电站"));
    b.screenshot_png(
        shots.join("catalogue-desktop.png"),
        Viewport::DESKTOP,
        false,
    );
    b.type_into("#scope-filter-q", "征地");
    b.wait_until(
        "document.getElementById('scope-filter-status').textContent.includes('筛选出')",
        "the filter to apply",
    );
    let shown = b.count("[data-scope-item]:not([hidden])");
    assert!((1..10).contains(&shown), "{shown} items shown for 征地");
    assert!(b.is_visible("#land-expropriation"));
    assert!(!b.is_visible("#energy-facility"));

    b.type_into("#scope-ask-q", "城区管道天然气价格准备上调");
    b.wait_for(".scope-box-answer .scope-verdict-label");
    let answer = b.text(".scope-box-answer");
    assert!(
        answer.contains("应当评估") && answer.contains("公用事业价格"),
        "{answer}"
    );
    let more = b.attr(".scope-more a", "href").unwrap();
    assert!(more.contains("scope/lookup/index.html?q="), "{more}");
    b.screenshot_png(
        shots.join("catalogue-box-phone.png"),
        Viewport::PHONE,
        false,
    );
    // The home page's box answers in place, styled like the lookup page (scope.css loaded on
    // first use: the verdict in its bordered box, not run together with the item).
    b.open(&file_url(run.out.join("index.html")));
    b.type_into("#scope-box-q", "城区管道天然气价格准备上调");
    b.wait_for(".scope-box-answer .scope-verdict-label");
    b.wait_until(
        "getComputedStyle(document.querySelector('.scope-verdict')).borderLeftWidth === '10px'",
        "scope.css to style the home page's answer",
    );
    assert_eq!(
        b.eval_json("getComputedStyle(document.querySelector('.scope-verdict-label')).fontWeight"),
        "700"
    );
    b.assert_no_console_errors();
}
