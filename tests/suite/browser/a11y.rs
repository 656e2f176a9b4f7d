//! The built sample site checked by real validators:
//!
//! - axe-core (npm `axe-core`, from `tests/a11y/node_modules`) injected into headless Chromium on
//!   every page type of [`PAGE_TYPES`], once in the normal colours and once in the high-contrast
//!   mode: no violation of impact `serious` or `critical`;
//! - the Nu HTML Checker (npm `vnu-jar`, run on the machine's Java) over every HTML file of the
//!   built site: no errors;
//! - keyboard and reader preferences: the skip link is the first Tab stop and is visible when
//!   focused, focus is drawn, the font size and contrast mode survive a page change, and no page
//!   type is wider than a phone or a 200%-zoomed desktop window.
//!
//! The tools are installed with `npm ci --prefix tests/a11y` (`.ci/run` does it). Without them
//! these tests print a loud SKIPPED line, and under `CI=true` they fail.

use crate::support::browser::{self, Browser, Viewport};
use crate::support::chromium;
use crate::support::http::StaticServer;
use crate::support::page_types::PAGE_TYPES;
use crate::support::site::{repo_root, Site};
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tools_dir() -> PathBuf {
    repo_root().join("tests/a11y/node_modules")
}

/// `Some(path)` when `rel` exists under `tests/a11y/node_modules`; otherwise skips loudly, or
/// panics under `CI=true`.
#[track_caller]
fn a11y_tool(rel: &str) -> Option<PathBuf> {
    let path = tools_dir().join(rel);
    if path.is_file() {
        return Some(path);
    }
    missing(&format!(
        "{} is missing: run `npm ci --prefix tests/a11y`",
        path.display()
    ))
}

#[track_caller]
fn missing<T>(what: &str) -> Option<T> {
    if chromium::ci_strict() {
        panic!("{what} (CI=true: accessibility checks must not be skipped)");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n==============================================================\n\
         SKIPPED: {what};\nthis accessibility check did NOT run: {}\n\
         ==============================================================\n",
        std::thread::current().name().unwrap_or("?")
    );
    None
}

/// The sample site, built once per test into a temporary folder and served over HTTP.
struct Built {
    _run: crate::support::site::Run,
    server: StaticServer,
}

fn build_sample() -> Built {
    let run = Site::sample().build().ok();
    let server = StaticServer::start(&run.out);
    Built { _run: run, server }
}

/// Runs axe-core on the open page; returns one line per serious or critical violation.
fn axe_violations(b: &Browser, axe_source: &str, page: &str) -> Vec<String> {
    let loaded = b.eval_json("typeof window.axe === 'object'");
    if loaded != Value::Bool(true) {
        b.eval_json(&format!("(() => {{ {axe_source}\n; return true; }})()"));
    }
    let result = b.eval_json(
        "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({\
           id: v.id, impact: v.impact, help: v.help,\
           nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).slice(0, 5)\
         })))",
    );
    result
        .as_array()
        .expect("axe returns a list")
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            format!(
                "{page}: [{}] {} ({}): {}",
                v["impact"].as_str().unwrap_or(""),
                v["id"].as_str().unwrap_or(""),
                v["help"].as_str().unwrap_or(""),
                v["nodes"]
                    .as_array()
                    .map(|n| n
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" | "))
                    .unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn axe_finds_no_serious_violations_in_normal_and_high_contrast_mode() {
    let Some(axe_path) = a11y_tool("axe-core/axe.min.js") else {
        return;
    };
    let axe_source = std::fs::read_to_string(&axe_path).expect("read axe.min.js");
    let b = require_browser!();
    let site = build_sample();
    let mut problems = Vec::new();
    for contrast in [false, true] {
        for (name, path) in PAGE_TYPES {
            b.open(&site.server.url(path));
            let on = b.eval_json("document.documentElement.classList.contains('contrast')");
            if on != Value::Bool(contrast) {
                // The reader's button, as a reader would; the choice persists to the next pages.
                b.click("header .js-contrast");
                assert_eq!(
                    b.eval_json("document.documentElement.classList.contains('contrast')"),
                    Value::Bool(contrast),
                    "{name}: the high-contrast button toggles the mode"
                );
            }
            let mode = if contrast { "high contrast" } else { "normal" };
            problems.extend(axe_violations(&b, &axe_source, &format!("{name} ({mode})")));
        }
    }
    b.assert_no_console_errors();
    site.server.assert_nothing_missing();
    assert!(
        problems.is_empty(),
        "axe-core found {} serious/critical violations:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// `java -version` works.
fn java_available() -> bool {
    Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn nu_html_checker_finds_no_errors_on_any_page() {
    let Some(jar) = a11y_tool("vnu-jar/build/dist/vnu.jar") else {
        return;
    };
    if !java_available()
        && missing::<()>("java is not installed (apt-get install default-jre-headless)").is_none()
    {
        return;
    }
    let run = Site::sample().build().ok();
    let pages = html_files(&run.out);
    assert!(
        pages.len() > 30,
        "the sample site has its pages: {}",
        pages.len()
    );
    let out = Command::new("java")
        .args(["-Xss4m", "-jar"])
        .arg(&jar)
        .args(["--format", "json", "--errors-only", "--skip-non-html"])
        .arg(&run.out)
        .output()
        .expect("run the Nu HTML Checker");
    // vnu writes its JSON report to stderr.
    let report: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu did not produce a JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let errors: Vec<String> = report["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .map(|m| {
            let url = m["url"].as_str().unwrap_or("");
            let file = url
                .split_once(run.out.to_string_lossy().as_ref())
                .map_or(url, |(_, rest)| rest);
            format!(
                "{file}:{}:{}: {} — `{}`",
                m["lastLine"],
                m["firstColumn"]
                    .as_u64()
                    .or(m["lastColumn"].as_u64())
                    .unwrap_or(0),
                m["message"].as_str().unwrap_or(""),
                m["extract"].as_str().unwrap_or("").replace('\n', " ")
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "the Nu HTML Checker found {} errors in {} pages:\n{}",
        errors.len(),
        pages.len(),
        errors.join("\n")
    );
    assert!(
        out.status.success(),
        "vnu exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect()
}

/// The first Tab stop of every page type is the skip link, shown on screen while focused; it
/// moves focus to the main content; the focused control has a visible outline.
#[test]
fn keyboard_skip_link_and_visible_focus_on_every_page_type() {
    let b = require_browser!();
    let site = build_sample();
    for (name, path) in PAGE_TYPES {
        b.open(&site.server.url(path));
        b.press_key("Tab");
        let focused = b.eval_json(
            "(() => { const a = document.activeElement, r = a.getBoundingClientRect(), s = getComputedStyle(a);\
               return { cls: a.className, text: a.textContent, visible: r.left >= 0 && r.top >= 0 && r.width > 0,\
                        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 }; })()",
        );
        assert_eq!(focused["cls"], "skip-link", "{name}: first Tab stop");
        assert_eq!(focused["text"], "跳到正文", "{name}");
        assert_eq!(
            focused["visible"], true,
            "{name}: skip link shown when focused"
        );
        assert_eq!(focused["outline"], true, "{name}: focus is drawn");
        b.press_key("Enter");
        b.wait_until(
            "document.activeElement && document.activeElement.id === 'main'",
            "focus on <main> after the skip link",
        );
        // The next Tab stop is inside the main content (or after it), not back in the header.
        b.press_key("Tab");
        let in_header = b.eval_json("!!document.activeElement.closest('.site-header')");
        assert_eq!(
            in_header, false,
            "{name}: Tab after the skip link stays in the content"
        );
        let landmarks = b.eval_json(
            "['header.site-header', 'nav.site-nav', 'main#main', 'footer.site-footer']\
               .filter(s => document.querySelectorAll(s).length !== 1)",
        );
        assert_eq!(landmarks, serde_json::json!([]), "{name}: landmarks");
    }
}

/// Font size and contrast chosen on one page hold on the next, over HTTP and from file://, and
/// the buttons say which is on (aria-pressed), not only by colour.
#[test]
fn reader_preferences_persist_across_pages_from_disk() {
    let b = require_browser!();
    let run = Site::sample().build().ok();
    b.open(&browser::file_url(run.out.join("index.html")));
    let root_px = "parseFloat(getComputedStyle(document.documentElement).fontSize)";
    let medium = b.eval_json(root_px).as_f64().unwrap();
    b.click(".toolbar .js-font[data-font='large']");
    let large = b.eval_json(root_px).as_f64().unwrap();
    assert!(
        large >= medium * 1.2,
        "大 makes text larger: {medium} → {large}"
    );
    b.click(".toolbar .js-contrast");
    b.open(&browser::file_url(
        run.out.join("measures/implementation/index.html"),
    ));
    assert_eq!(b.attr("html", "data-font").as_deref(), Some("large"));
    assert_eq!(
        b.eval_json("document.documentElement.classList.contains('contrast')"),
        Value::Bool(true)
    );
    // Both sets of font buttons (header and 【字体 大 中 小】) show the choice.
    assert_eq!(
        b.eval_json(
            "Array.from(document.querySelectorAll('.js-font[aria-pressed=\"true\"]')).map(e => e.dataset.font)"
        ),
        serde_json::json!(["large", "large"])
    );
    // High contrast: white text on black.
    assert_eq!(
        b.eval_json("getComputedStyle(document.body).backgroundColor"),
        "rgb(0, 0, 0)"
    );
    b.click(".page-tools .js-font[data-font='small']");
    b.click(".toolbar .js-contrast");
    b.open(&browser::file_url(run.out.join("forms/index.html")));
    assert_eq!(b.attr("html", "data-font").as_deref(), Some("small"));
    assert_eq!(
        b.eval_json("document.documentElement.classList.contains('contrast')"),
        Value::Bool(false)
    );
    // Body text keeps a line height of at least 1.5.
    let ratio = b.eval_json(
        "(() => { const s = getComputedStyle(document.querySelector('main p') || document.body);\
           return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()",
    );
    assert!(ratio.as_f64().unwrap() >= 1.5, "line height {ratio}");
    b.assert_no_console_errors();
}

/// Every page type fits a phone (390 px) and a desktop window at 200% zoom (640 CSS px) without
/// sideways scrolling (wide tables scroll inside their own wrapper); screenshots of both go to
/// `target/screenshots/a11y/` to be looked at. Wide tables and the A4 form sheets scroll inside
/// their own box, which must itself fit.
#[test]
fn page_types_fit_a_phone_and_200_percent_zoom() {
    let b = require_browser!();
    let site = build_sample();
    let dir = repo_root().join("target/screenshots/a11y");
    let zoomed = Viewport {
        width: 640,
        height: 400,
        mobile: false,
    };
    let mut wide = Vec::new();
    for (name, path) in PAGE_TYPES {
        b.open(&site.server.url(path));
        for (label, vp) in [("phone", Viewport::PHONE), ("zoom200", zoomed)] {
            b.set_viewport(vp);
            let over = b.eval_json(
                "Array.from(document.querySelectorAll('body *'))\
                   .filter(e => !e.closest('.table-wrap, .form-doc > *, svg') \
                     && e.getClientRects().length \
                     && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)\
                   .map(e => e.tagName + '.' + e.className).slice(0, 5)",
            );
            if over != serde_json::json!([]) {
                wide.push(format!("{name} at {label}: {over}"));
            }
            b.screenshot_png(dir.join(format!("{name}-{label}.png")), vp, true);
        }
        b.set_viewport(Viewport::DESKTOP);
        b.screenshot_png(
            dir.join(format!("{name}-desktop.png")),
            Viewport::DESKTOP,
            true,
        );
    }
    assert!(
        wide.is_empty(),
        "wider than the screen:\n{}",
        wide.join("\n")
    );
}
