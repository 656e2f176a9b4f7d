//! The sample procedure page in headless Chromium: the chart is drawn, its linked nodes are links,
//! its colours follow the high-contrast mode, and it prints on A4 with every step's name in the
//! PDF's text. Screenshots and the PDF (with a PNG per page) go to `target/flow-browser/` to be
//! looked at.

use crate::support::browser::{self, Viewport};
use crate::support::pdf;
use crate::support::site::{repo_root, Site};

const STEPS: [&str; 5] = [
    "编制年度稳评计划",
    "确定风险等级",
    "形成评估报告",
    "报维稳办备案",
    "一事一卷归档",
];

#[test]
fn sample_procedure_page_draws_prints_and_follows_contrast() {
    let b = require_browser!();
    let run = Site::sample().build().ok();
    let out = repo_root().join("target/flow-browser");
    b.open(&browser::file_url(run.out.join("procedure/index.html")));
    b.assert_no_console_errors();

    // The chart: 16 nodes (13 steps of the county procedure and 3 branch steps), 3 decisions.
    assert_eq!(b.count("svg.flow-svg .flow-node"), 16);
    assert_eq!(b.count("svg.flow-svg .flow-decision"), 3);
    assert!(
        b.count("svg.flow-svg a .flow-linked") >= 13,
        "steps link to the measure's articles"
    );
    assert_eq!(b.attr("svg.flow-svg", "role").as_deref(), Some("group"));
    let name = b.eval_json("document.querySelector('svg.flow-svg title').textContent");
    assert_eq!(name, "清河县重大事项社会稳定风险评估工作流程图");
    // The accessible step list beside the chart: 13 numbered steps, branches nested.
    assert_eq!(b.count(".flow-steps > li"), 13);
    assert!(b.text(".flow-steps").contains("评估结束后3日内"));
    let side_by_side = b.eval_json(
        "(() => { const c = document.querySelector('.flow-chart').getBoundingClientRect(); \
         const t = document.querySelector('.flow-text').getBoundingClientRect(); return t.left >= c.right - 1; })()",
    );
    assert_eq!(
        side_by_side, true,
        "the list stands beside the chart on a desktop screen"
    );
    b.screenshot_png(out.join("procedure-desktop.png"), Viewport::DESKTOP, true);
    b.screenshot_png(out.join("procedure-phone.png"), Viewport::PHONE, false);

    // High contrast: the chart's strokes follow the text colour (white), links turn yellow.
    b.click(".js-contrast");
    let colors = b.eval_json(
        "(() => { const s = document.querySelector('svg.flow-svg'); const a = s.querySelector('a'); \
         return [getComputedStyle(s).color, getComputedStyle(a).color]; })()",
    );
    assert_eq!(
        colors,
        serde_json::json!(["rgb(255, 255, 255)", "rgb(255, 235, 59)"])
    );
    b.screenshot_png(out.join("procedure-contrast.png"), Viewport::DESKTOP, false);
    b.click(".js-contrast");

    // Print: A4, the chart on its own page(s) (split with continuation marks when tall), then the list.
    let pdf = out.join("procedure.pdf");
    b.print_pdf(&pdf, false);
    let (w, h) = pdf::pdf_page_size_mm(&pdf);
    assert!(
        (w - 210.0).abs() < 0.5 && (h - 297.0).abs() < 0.5,
        "A4 expected, got {w}×{h} mm"
    );
    let pages = pdf::pdf_page_count(&pdf);
    assert!((2..=8).contains(&pages), "{pages} pages");
    let text = pdf::pdf_text(&pdf);
    for step in STEPS {
        assert!(text.contains(step), "the PDF lacks `{step}`");
    }
    let split = b.count(".flow-print-part") > 0;
    if split {
        assert!(
            text.contains("接下页") && text.contains("接上页"),
            "continuation marks are printed"
        );
    }
    pdf::pdf_to_png(&pdf, out.join("procedure-page"));
}
