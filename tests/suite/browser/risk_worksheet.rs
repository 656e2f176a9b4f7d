//! Browser tests of the risk-matrix worksheet page (content/worksheet.md of the sample site):
//! build a worksheet by typing and rating (mouse and keyboard), check what is shown, reload
//! (persisted), export CSV and JSON (content checked, and `portal risk` agrees with the page),
//! clear, import back, override the decision, and print the form to PDF (A4 landscape).

use crate::support::browser::{self, file_url, js_str, Browser};
use crate::support::http::StaticServer;
use crate::support::pdf;
use crate::support::site::Site;
use serde_json::Value;

/// One Chromium at a time in this module: several starting at once on a busy machine time out.
static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_browser() -> std::sync::MutexGuard<'static, ()> {
    ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner())
}

/// Records every Blob handed to `URL.createObjectURL` (the export buttons download through it).
const CAPTURE_DOWNLOADS: &str = "(() => { window.__blobs = []; const orig = URL.createObjectURL; \
    URL.createObjectURL = (b) => { window.__blobs.push(b); return orig.call(URL, b); }; return true; })()";

fn last_download(b: &Browser) -> String {
    let bytes = b.eval_json(
        "(async () => { const b = window.__blobs[window.__blobs.length - 1]; \
         return Array.from(new Uint8Array(await b.arrayBuffer())); })()",
    );
    let bytes: Vec<u8> = serde_json::from_value(bytes).expect("an array of bytes");
    String::from_utf8(bytes).expect("UTF-8")
}

/// Adds a factor under `dimension`, types its name and rates it with the mouse; returns its id.
fn add_factor(b: &Browser, dimension: &str, name: &str, l: u8, c: u8) -> String {
    b.click(&format!(".ws-add[data-dimension={}]", js_str(dimension)));
    let id = b
        .eval_json("document.activeElement.getAttribute('data-id')")
        .as_str()
        .unwrap()
        .to_string();
    b.type_into(&format!("#{id}-name"), name);
    b.click(&format!("label[for='{id}-likelihood-{l}']"));
    b.click(&format!("label[for='{id}-consequence-{c}']"));
    id
}

fn checked(b: &Browser, id: &str, field: &str) -> Value {
    b.eval_json(&format!(
        "(document.querySelector('input[name=\"{id}-{field}\"]:checked') || {{}}).value || null"
    ))
}

#[test]
fn build_a_worksheet_reload_export_import_and_print() {
    let _one = one_browser();
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let page = run.out.join("worksheet/index.html");
    b.open(&file_url(&page));
    b.wait_for("#worksheet:not([hidden]) .ws-add");
    b.eval_json(CAPTURE_DOWNLOADS);
    b.type_into("#ws-title", "城南新区垃圾中转站建设项目");
    b.type_into("#ws-assessor", "评估小组");

    // Mouse rating, then the keyboard: focus a rating and move it with the arrow keys.
    let f1 = add_factor(&b, "安全性", "=周边住户担心异味和噪声", 4, 3);
    b.eval_json(&format!(
        "document.getElementById('{f1}-consequence-3').focus()"
    ));
    b.press_key("ArrowRight");
    assert_eq!(
        checked(&b, &f1, "consequence"),
        "4",
        "the arrow key moved the rating"
    );
    b.click(&format!("label[for='{f1}-likelihood_after-2']"));
    b.type_into(&format!("#{f1}-measures"), "采用全封闭设备和除臭工艺");
    let f2 = add_factor(&b, "合理性", "选址未充分听取村民意见", 3, 3);
    b.click(&format!("label[for='{f2}-likelihood_after-2']"));
    b.click(&format!("label[for='{f2}-consequence_after-3']"));
    let f3 = add_factor(&b, "可行性", "运输车辆途经村道影响出行", 2, 3);
    b.click(&format!("label[for='{f3}-likelihood_after-1']"));
    b.click(&format!("label[for='{f3}-consequence_after-3']"));

    // What is shown: degrees with words, numbering by dimension order, levels, decision, heat map.
    assert!(
        b.text(&format!("#{f1}-degree")).contains("16 较大"),
        "{}",
        b.text(&format!("#{f1}-degree"))
    );
    assert!(b.text(&format!("#{f1}-degree-after")).contains("8 一般"));
    assert_eq!(
        b.texts(".ws-factor .ws-no"),
        ["1", "2", "3"],
        "合理性, 可行性, 安全性 in the configuration's order"
    );
    assert!(b.text("#ws-level-before .ws-level-word").contains("中风险"));
    assert!(b.text("#ws-level-after .ws-level-word").contains("低风险"));
    assert!(b
        .text("#ws-level-before .ws-level-rule")
        .contains("有1项及以上达到“较大”"));
    assert_eq!(b.text("#ws-decision .ws-decision-word"), "完善后实施");
    assert!(b
        .text("#ws-decision .ws-decision-rule")
        .contains("初始中风险，落实化解措施后预期低风险"));
    let compare = b.text("#ws-compare");
    assert!(
        compare.contains("计数法（采用）") && compare.contains("综合风险指数法"),
        "{compare}"
    );
    let cell = b.text("#ws-map-before tbody tr:nth-child(2) td:nth-child(5)");
    assert!(
        cell.contains("较大") && cell.contains('3'),
        "L4×C4 holds factor 3 (安全性): {cell:?}"
    );
    assert_eq!(b.count("#ws-map-before .ws-cell"), 25);

    // Move factor 1 (合理性) down: still the only one in its dimension, nothing changes; move within 安全性.
    let f4 = add_factor(&b, "安全性", "施工期间影响学生上下学", 2, 2);
    b.click(&format!("#card-{f4} .ws-up"));
    assert_eq!(
        b.eval_json("document.activeElement.className"),
        "ws-up",
        "focus stays on the moved button"
    );
    let names = b.eval_json(
        "Array.from(document.querySelectorAll('.ws-factor [data-field=name]'), e => e.value)",
    );
    assert_eq!(names[2], "施工期间影响学生上下学");
    b.click(&format!("#card-{f4} .ws-remove"));
    assert_eq!(b.count(".ws-factor"), 3);

    // Reload: everything persisted.
    b.open(&file_url(&page));
    b.wait_for("#worksheet:not([hidden]) .ws-factor");
    b.eval_json(CAPTURE_DOWNLOADS);
    assert_eq!(
        b.eval_json("document.getElementById('ws-title').value"),
        "城南新区垃圾中转站建设项目"
    );
    assert_eq!(b.count(".ws-factor"), 3);
    assert_eq!(checked(&b, &f1, "consequence"), "4");
    assert_eq!(b.text("#ws-decision .ws-decision-word"), "完善后实施");

    // Export CSV: BOM, the `portal risk` header, formula neutralised; `portal risk` agrees.
    b.click("#ws-export-csv");
    let csv = last_download(&b);
    assert!(csv.starts_with("\u{feff}dimension,factor,likelihood,consequence,weight,likelihood_after,consequence_after,"), "{csv}");
    assert!(
        csv.contains("安全性,'=周边住户担心异味和噪声,4,4,,2,4,采用全封闭设备和除臭工艺"),
        "{csv}"
    );
    b.wait_until(
        "document.getElementById('ws-status').textContent.includes('已导出 CSV')",
        "the export announcement",
    );
    b.click("#ws-export-json");
    let exported: Value = serde_json::from_str(&last_download(&b)).unwrap();
    assert_eq!(exported["format"], "policy-portal-worksheet");
    assert_eq!(exported["factors"].as_array().unwrap().len(), 3);
    assert_eq!(
        exported["result"]["overall"],
        serde_json::json!({"method": "counting", "before": "中", "after": "低"})
    );
    let csv_path = run.out.parent().unwrap().join("exported.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    let cli = Site::sample()
        .portal(&["risk", csv_path.to_str().unwrap(), "--json"])
        .ok();
    let cli: Value = serde_json::from_str(&cli.stdout).unwrap();
    assert_eq!(
        cli, exported["result"],
        "portal risk on the page's CSV gives the page's result"
    );

    // Override with a reason; it shows in the form.
    b.click("#ws-override-on");
    assert!(b.is_visible("#ws-override-error"), "a reason is required");
    b.eval_json("(() => { const s = document.getElementById('ws-override-decision'); s.value = '部分实施'; s.dispatchEvent(new Event('change', {bubbles: true})); })()");
    b.type_into(
        "#ws-override-reason",
        "先建设除臭设施，运输路线调整后再建中转站主体",
    );
    assert!(!b.is_visible("#ws-override-error"));

    // For a developer's look: RISK_SHOTS=/some/dir cargo test --test suite browser::risk_worksheet::
    if let Some(dir) = std::env::var_os("RISK_SHOTS") {
        let dir = std::path::PathBuf::from(dir);
        b.screenshot_png(
            dir.join("worksheet-desktop.png"),
            browser::Viewport::DESKTOP,
            true,
        );
        b.screenshot_png(
            dir.join("worksheet-phone.png"),
            browser::Viewport::PHONE,
            true,
        );
        b.print_pdf(dir.join("worksheet.pdf"), false);
    }

    // Print: one A4 landscape page with the form's title, the factors and the override.
    let pdf = run.out.parent().unwrap().join("worksheet.pdf");
    b.print_pdf(&pdf, false);
    let (w, h) = pdf::pdf_page_size_mm(&pdf);
    assert!(
        (w - 297.0).abs() < 0.5 && (h - 210.0).abs() < 0.5,
        "A4 landscape, got {w} × {h} mm"
    );
    assert_eq!(pdf::pdf_page_count(&pdf), 1);
    let text = pdf::pdf_text(&pdf);
    for needle in [
        "风险因素识别与评估表",
        "城南新区垃圾中转站建设项目",
        "=周边住户担心异味和噪声",
        "选址未充分听取村民意见",
        "初始风险等级：中风险",
        "预期风险等级：低风险",
        "完善后实施",
        "部分实施",
        "先建设除臭设施",
        "评估人：评估小组",
    ] {
        assert!(text.contains(needle), "the PDF lacks {needle:?}:\n{text}");
    }
    assert!(
        !text.contains("导出 JSON"),
        "no screen controls in the printout"
    );

    // Clear (with confirmation), then import the JSON back.
    b.click("#ws-export-json");
    let json_text = last_download(&b);
    let with_override: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(with_override["override"]["decision"], "部分实施");
    b.click("#ws-clear");
    b.click("#ws-clear-yes");
    assert_eq!(b.count(".ws-factor"), 0);
    assert_eq!(
        b.eval_json(&format!(
            "localStorage.getItem({})",
            js_str("portal.worksheet.worksheet/index.html")
        )),
        Value::Null
    );
    b.eval_json(&format!(
        "(() => {{ const dt = new DataTransfer(); dt.items.add(new File([{}], 'w.json', {{type: 'application/json'}})); \
           const input = document.getElementById('ws-import'); input.files = dt.files; \
           input.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()",
        js_str(&json_text)
    ));
    b.wait_until(
        "document.querySelectorAll('.ws-factor').length === 3",
        "the imported factors",
    );
    b.wait_until(
        "document.getElementById('ws-status').textContent.includes('已导入 3 项风险因素')",
        "the import announcement",
    );
    assert_eq!(
        b.eval_json("document.getElementById('ws-title').value"),
        "城南新区垃圾中转站建设项目"
    );
    assert_eq!(
        b.text("#ws-decision .ws-decision-word"),
        "完善后实施（评估小组已调整为：部分实施）",
        "the suggestion stays, the override shows beside it"
    );
    assert_eq!(
        b.eval_json("document.getElementById('ws-override-decision').value"),
        "部分实施"
    );
    b.assert_no_console_errors();
}

#[test]
fn weighted_method_shows_the_index_and_weight_problems() {
    let _one = one_browser();
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    b.open(&file_url(run.out.join("worksheet/index.html")));
    b.wait_for("#worksheet:not([hidden]) .ws-add");
    let f1 = add_factor(&b, "合法性", "审批手续不全", 3, 4);
    add_factor(&b, "可控性", "应急预案未制定", 2, 2);
    b.click("input[name='ws-method'][value='weighted']");
    assert!(b.text("#ws-compare").contains("综合风险指数法（采用）"));
    assert!(b.text("#ws-weights").contains("各项风险因素权重相同"));
    assert!(
        b.text("#ws-level-before .ws-level-rule")
            .contains("I = 0.22"),
        "(0.35 + 0.09) / 2: {}",
        b.text("#ws-level-before")
    );
    b.type_into(&format!("#{f1}-weight"), "0.6");
    assert!(b
        .text("#ws-level-before .ws-level-word")
        .contains("无法计算"));
    assert!(
        b.text("#ws-weights").contains("第2项未填写权重"),
        "{}",
        b.text("#ws-weights")
    );
    b.type_into(&format!("#{f1}-weight"), "x");
    assert_eq!(
        b.attr(&format!("#{f1}-weight"), "aria-invalid").as_deref(),
        Some("true")
    );
    b.assert_no_console_errors();
}

#[test]
fn the_page_works_from_a_static_server_and_meets_csp_and_label_rules() {
    let _one = one_browser();
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let html = run.read("worksheet/index.html");
    for (i, tag) in html
        .match_indices("<script")
        .map(|(i, _)| (i, &html[i..i + html[i..].find('>').unwrap()]))
    {
        assert!(
            tag.contains(" src=") || tag.contains("type=\"application/json\""),
            "inline script at {i}: {tag}"
        );
    }
    assert!(!html.contains("style=\""), "no style attributes under CSP");
    let server = StaticServer::start(&run.out);
    b.open(&server.url("/worksheet/"));
    b.wait_for("#worksheet:not([hidden]) .ws-add");
    add_factor(&b, "合法性", "审批手续不全", 5, 4);
    assert!(b.text("#ws-level-before .ws-level-word").contains("高风险"));
    // Every control has a name a screen reader can read.
    let unlabelled = b.eval_json(
        "Array.from(document.querySelectorAll('#worksheet input, #worksheet select, #worksheet textarea')) \
           .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id || e.name)",
    );
    assert_eq!(
        unlabelled,
        serde_json::json!([]),
        "controls without a label"
    );
    // Levels carry words: every toned element has text.
    let silent = b.eval_json("Array.from(document.querySelectorAll('#worksheet [class*=tone-]')).filter(e => !e.textContent.trim()).length");
    assert_eq!(silent, 0);
    // Browsers may still ask for /favicon.ico on their own (the theme links favicon.svg).
    server.assert_nothing_missing();
    b.assert_no_console_errors();
}

#[test]
fn an_empty_worksheet_decides_nothing_and_differing_methods_are_explained() {
    let _one = one_browser();
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let page = run.out.join("worksheet/index.html");
    b.open(&file_url(&page));
    b.eval_json("localStorage.clear(); true");
    b.open(&file_url(&page));
    b.wait_for("#worksheet:not([hidden]) .ws-add");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("empty.pdf");
    b.print_pdf(&pdf, false);
    let text: String = crate::support::pdf::pdf_text(&pdf)
        .split_whitespace()
        .collect();
    assert!(text.contains("建议决定：—"), "{text}");
    assert!(!text.contains("建议决定：实施"), "{text}");
    assert!(!b.is_visible("#ws-methods-differ"));
    // One 重大 factor (可能性 4 × 影响程度 5): 计数法 rates the matter higher than the index does.
    add_factor(&b, "安全性", "征地补偿标准低于周边地区", 4, 5);
    b.wait_until(
        "!document.getElementById('ws-methods-differ').hidden",
        "the note on the two methods",
    );
    let note = b.text("#ws-methods-differ");
    assert!(
        note.contains("两种方法的结论不同") && note.contains("本站采用计数法"),
        "{note}"
    );
    let pdf = dir.path().join("one.pdf");
    b.print_pdf(&pdf, false);
    let text: String = crate::support::pdf::pdf_text(&pdf)
        .split_whitespace()
        .collect();
    assert!(text.contains("两种方法的结论不同"), "{text}");
    b.eval_json("localStorage.clear(); true");
    b.assert_no_console_errors();
}
