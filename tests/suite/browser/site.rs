//! The built sample site in headless Chromium: at a sub-path over HTTP and from disk (`file://`),
//! navigation, styles and scripts loading, reader preferences persisting, screenshots at desktop and
//! phone widths (kept in `target/screenshots/` for people to look at), and articles printing on A4
//! without the site chrome.

use crate::support::browser::{self, Viewport};
use crate::support::http::StaticServer;
use crate::support::pdf;
use crate::support::site::Site;
use std::path::{Path, PathBuf};

/// Builds the sample site with `--base-path /wenping/` into `<tmp>/srv/wenping/`.
fn build_at_sub_path(site: &Site) -> PathBuf {
    let out = site.root().join("srv/wenping");
    let out_arg = out.to_string_lossy().into_owned();
    site.portal(&["build", "--output", &out_arg, "--base-path", "/wenping/"])
        .ok();
    out
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The header's computed background colour: proves the stylesheet was found.
const HEADER_BG: &str = "getComputedStyle(document.querySelector('.site-header')).backgroundColor";

#[test]
fn sample_site_works_at_a_sub_path_over_http() {
    let b = require_browser!();
    let site = Site::sample();
    let out = build_at_sub_path(&site);
    let server = StaticServer::start(out.parent().unwrap());
    b.open(&server.url("/wenping/index.html"));
    assert_eq!(b.eval_json(HEADER_BG), "rgb(164, 22, 26)");
    assert!(b.title().contains("清河县"), "{}", b.title());
    b.click_and_wait_for_load(".site-nav a[href$='measures/index.html']");
    assert!(
        b.url().ends_with("/wenping/measures/index.html"),
        "{}",
        b.url()
    );
    b.click_and_wait_for_load(".doc-table a[href$='implementation/index.html']");
    assert_eq!(b.text("h1"), "清河县重大事项社会稳定风险评估实施办法");
    assert_eq!(b.eval_json(HEADER_BG), "rgb(164, 22, 26)");
    b.click_and_wait_for_load(".breadcrumbs a");
    assert!(b.url().ends_with("/wenping/index.html"), "{}", b.url());
    b.assert_no_console_errors();
    let missing: Vec<_> = server
        .not_found()
        .into_iter()
        .filter(|t| t != "/favicon.ico")
        .collect();
    assert!(missing.is_empty(), "requests that 404ed: {missing:?}");
}

#[test]
fn sample_site_works_from_disk_and_keeps_reader_preferences() {
    let b = require_browser!();
    let run = Site::sample().build().ok();
    b.open(&browser::file_url(
        run.out.join("measures/implementation/index.html"),
    ));
    assert_eq!(b.eval_json(HEADER_BG), "rgb(164, 22, 26)");
    // Table of contents → article anchor.
    b.click(".toc a[href='#第十二条']");
    b.wait_until(
        "decodeURIComponent(location.hash) === '#第十二条'",
        "the article anchor in the URL",
    );
    assert!(b.text("#第十二条").starts_with("第十二条"));
    // Font size and high contrast persist to the next page.
    b.click(".toolbar .js-font[data-font='large']");
    b.click(".toolbar .js-contrast");
    assert_eq!(b.attr("html", "data-font").as_deref(), Some("large"));
    b.click_and_wait_for_load(".site-nav a[href$='faq/index.html']");
    assert_eq!(b.attr("html", "data-font").as_deref(), Some("large"));
    assert_eq!(
        b.eval_json("document.documentElement.classList.contains('contrast')"),
        true
    );
    assert_eq!(
        b.attr(".toolbar .js-contrast", "aria-pressed").as_deref(),
        Some("true")
    );
    b.assert_no_console_errors();
}

#[test]
fn page_types_at_desktop_and_phone_widths() {
    let b = require_browser!();
    let run = Site::sample().build().ok();
    let dir = screenshot_dir();
    let pages = [
        ("home", "index.html"),
        ("section", "guide/index.html"),
        ("measure", "measures/implementation/index.html"),
        ("page", "guide/risk-levels/index.html"),
        ("404", "404.html"),
    ];
    for (name, path) in pages {
        b.open(&browser::file_url(run.out.join(path)));
        let (w, h) = b.screenshot_png(
            dir.join(format!("{name}-desktop.png")),
            Viewport::DESKTOP,
            true,
        );
        assert_eq!(w, 1280, "{name}");
        assert!(h >= 800, "{name}");
        let (w, _) = b.screenshot_png(dir.join(format!("{name}-phone.png")), Viewport::PHONE, true);
        assert_eq!(w, 390, "{name}");
        // Nothing is wider than the phone screen (tables scroll inside their wrapper).
        b.set_viewport(Viewport::PHONE);
        let wide = b.eval_json(
            "Array.from(document.querySelectorAll('body *'))\
               .filter(e => !e.closest('.table-wrap') \
                 && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)\
               .map(e => e.tagName + '.' + e.className).slice(0, 5)",
        );
        assert_eq!(
            wide,
            serde_json::json!([]),
            "{name}: elements wider than a phone screen"
        );
        b.set_viewport(Viewport::DESKTOP);
    }
}

#[test]
fn measure_prints_on_a4_without_site_chrome() {
    let b = require_browser!();
    let run = Site::sample().build().ok();
    b.open(&browser::file_url(
        run.out.join("measures/implementation/index.html"),
    ));
    let pdf = screenshot_dir().join("measure.pdf");
    b.print_pdf(&pdf, false);
    let (w, h) = pdf::pdf_page_size_mm(&pdf);
    assert!(
        (w - 210.0).abs() < 1.0 && (h - 297.0).abs() < 1.0,
        "A4 portrait, got {w}×{h} mm"
    );
    assert!(pdf::pdf_page_count(&pdf) >= 2);
    let text = pdf::pdf_text(&pdf);
    assert!(text.contains("清河县重大事项社会稳定风险评估实施办法"));
    assert!(text.contains("第三十八条"), "the whole measure prints");
    for chrome in ["跳到正文", "高对比度", "【打印】", "主办单位"] {
        assert!(!text.contains(chrome), "print shows site chrome: {chrome}");
    }
}
