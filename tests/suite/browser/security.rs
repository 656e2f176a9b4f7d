//! Security in a real browser (headless Chromium):
//!
//! - every page of the sample site, served with `Content-Security-Policy: default-src 'self'`,
//!   reports no policy violation (no inline script or style, nothing loaded from elsewhere);
//! - every page under its own policy (the `<meta http-equiv>` each page carries), opened from
//!   disk (`file://`), reports none either, and the search and scope lookup still run;
//! - a site whose titles, front matter, menu, footer, form labels, flowchart labels and body text
//!   hold `<script>`, `"><img onerror=…>`, `javascript:` and template syntax `{{ }}` shows them as
//!   text: no dialog opens, no element is injected, the text is visible. Checked first in the HTML
//!   files, then in Chromium without the policy (so escaping alone has to hold) and with it.

use crate::support::browser::Browser;
use crate::support::http::{StaticServer, STRICT_CSP};
use crate::support::site::{snapshot_tree, Run, Site};
use headless_chrome::protocol::cdp::Page;
use serde_json::Value;

/// Runs in every document before its own scripts: records policy violations and dialogs
/// (`alert`, `confirm` and `prompt` are replaced, so an injected call is counted, not shown).
const WATCH: &str = r#"(() => {
  const sec = { csp: [], dialogs: [] };
  Object.defineProperty(window, '__sec', { value: sec });
  document.addEventListener('securitypolicyviolation', (e) => {
    sec.csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || ''}:${e.lineNumber} ${e.sample || ''}`);
  }, true);
  for (const name of ['alert', 'confirm', 'prompt']) {
    window[name] = (message) => { sec.dialogs.push(`${name}(${message})`); };
  }
})();"#;

fn watch(b: &Browser) {
    b.tab()
        .call_method(Page::AddScriptToEvaluateOnNewDocument {
            source: WATCH.to_string(),
            world_name: None,
            include_command_line_api: None,
            run_immediately: None,
        })
        .expect("Page.addScriptToEvaluateOnNewDocument");
}

/// Policy violations and dialogs of the current document.
fn incidents(b: &Browser) -> (Vec<String>, Vec<String>) {
    let v = b.eval_json("window.__sec ? window.__sec : {csp: ['watcher missing'], dialogs: []}");
    let list = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap_or_default().to_string())
            .collect()
    };
    (list("csp"), list("dialogs"))
}

/// Output pages as URL paths (`guide/index.html` → `/guide/`), sorted.
fn html_pages(run: &Run) -> Vec<String> {
    snapshot_tree(&run.out)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.ends_with(".html"))
        .map(|p| format!("/{}", p.trim_end_matches("index.html")))
        .collect()
}

/// Opens every page and fails listing every violation, dialog and console error.
fn visit_all(b: &Browser, server: &StaticServer, pages: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages {
        b.clear_console_errors();
        b.open(&server.url(page));
        let (csp, dialogs) = incidents(b);
        problems.extend(
            csp.into_iter()
                .map(|c| format!("{page}: CSP violation: {c}")),
        );
        problems.extend(
            dialogs
                .into_iter()
                .map(|d| format!("{page}: dialog opened: {d}")),
        );
        problems.extend(
            b.console_errors()
                .into_iter()
                .map(|e| format!("{page}: console: {e}")),
        );
    }
    problems
}

#[test]
fn every_sample_page_works_under_a_strict_content_security_policy() {
    let run = Site::sample().build().ok();
    let b = require_browser!();
    watch(&b);
    let server =
        StaticServer::start_with_headers(&run.out, &[("Content-Security-Policy", STRICT_CSP)]);
    let mut pages = html_pages(&run);
    assert!(pages.len() > 20, "{pages:?}");
    // The interactive pages after their scripts ran with input.
    pages.push("/search/?q=征地补偿".into());
    pages.push("/search/?q=第十二条".into());
    pages.push("/scope/lookup/?q=开发区拟引进一个电镀项目".into());
    let problems = visit_all(&b, &server, &pages);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The search page did run its scripts (a policy that blocked them would leave it empty).
    b.open(&server.url("/search/?q=征地补偿"));
    b.wait_until(
        "document.querySelectorAll('#search-results li').length > 0",
        "search results under the policy",
    );
    server.assert_nothing_missing();
}

/// Issue 17, item 10: the policy the pages carry themselves (`<meta http-equiv>`, the default
/// of `portal.yaml`'s `content_security_policy`) holds on every page type opened from disk. The
/// interactive pages are visited after their scripts ran with input, and must have done their
/// work. (`portal serve`'s header is checked over HTTP in `hostile::urls`: opening pages under
/// serve in Chromium stalled at random in the full parallel suite, see issue 17.)
#[test]
fn every_sample_page_works_under_its_own_policy_from_disk() {
    let site = Site::sample();
    let run = site.build().ok();
    let b = require_browser!();
    watch(&b);
    let mut pages = html_pages(&run);
    assert!(pages.len() > 20, "{pages:?}");
    pages.push("/search/?q=征地补偿".into());
    pages.push("/scope/lookup/?q=开发区拟引进一个电镀项目".into());
    // From disk: the meta policy alone. (Not 404.html: it links from the server's root, to work
    // at any depth, so from disk its files are missing whatever the policy.)
    let mut problems = Vec::new();
    for page in pages.iter().filter(|p| *p != "/404.html") {
        let (path, query) = page.split_once('?').unwrap_or((page, ""));
        let rel = path.trim_start_matches('/');
        let file = if rel.is_empty() || rel.ends_with('/') {
            run.out.join(rel).join("index.html")
        } else {
            run.out.join(rel)
        };
        let mut url = crate::support::browser::file_url(&file);
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        b.clear_console_errors();
        b.open(&url);
        let policy = b.eval_json("(document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]') || {}).content || ''");
        if !policy
            .as_str()
            .unwrap_or("")
            .starts_with("default-src 'self'")
        {
            problems.push(format!("{page}: no policy in the page"));
        }
        let (csp, _) = incidents(&b);
        problems.extend(
            csp.into_iter()
                .map(|c| format!("file://{page}: CSP violation: {c}")),
        );
        problems.extend(
            b.console_errors()
                .into_iter()
                .map(|e| format!("file://{page}: console: {e}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    b.open(&format!(
        "{}?q=征地补偿",
        crate::support::browser::file_url(run.out.join("search/index.html"))
    ));
    b.wait_until(
        "document.querySelectorAll('#search-results li').length > 0",
        "search results from disk under the policy",
    );
    b.open(&format!(
        "{}?q=开发区拟引进一个电镀项目",
        crate::support::browser::file_url(run.out.join("scope/lookup/index.html"))
    ));
    b.wait_until(
        "document.querySelector('.verdict-in') !== null",
        "the scope verdict from disk under the policy",
    );
}

/// The hostile strings of `tests/fixtures/xss/`, as they must appear: as text.
///
/// The scope catalogue of the fixture (`content/scope/index.md`) holds them in its items too, and
/// its lookup page is visited with a query that matches the hostile item.
const SHOWN_AS_TEXT: &[&str] = &[
    "首页<script>alert('home-title')</script>",
    "\"><img src=x onerror=alert('page-title')>页面",
    "{{ config.title }}",
    "{% if true %}模板语法{% endif %}",
    "{{ 7*7 }}",
    "<script>alert('flow-label')</script>",
    "<script>alert('form-label')</script>",
    "事项<script>alert('scope-item')</script>",
    "\"><img src=x onerror=alert('scope-dept')>部门",
];

fn built_xss_site() -> Run {
    let run = Site::fixture("xss").build().ok();
    for (path, bytes) in snapshot_tree(&run.out) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for bad in [
            "<script>alert",
            "<img src=x",
            "<img src=\"x\"",
            "<svg onload",
            "onerror=\"alert",
            "onclick=\"alert",
            "href=\"javascript:",
            "</text><script>",
        ] {
            assert!(
                !html.contains(bad),
                "{path} holds `{bad}` unescaped (or evaluated):\n{}",
                around(&html, bad)
            );
        }
    }
    // Warnings name what was dropped: raw HTML and the heading's event-handler attribute.
    assert!(
        run.stderr.contains("raw HTML is not rendered"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("heading attribute `onclick` is not rendered"),
        "{}",
        run.stderr
    );
    run
}

fn around<'a>(html: &'a str, needle: &str) -> &'a str {
    let i = html.find(needle).unwrap_or(0);
    let a = html.floor_char_boundary(i.saturating_sub(120));
    let b = html.floor_char_boundary((i + 120).min(html.len()));
    &html[a..b]
}

#[test]
fn hostile_text_is_escaped_in_the_html_files() {
    let run = built_xss_site();
    let home = run.read("index.html");
    assert!(
        home.contains("首页&lt;script&gt;alert(&#x27;home-title&#x27;)&lt;&#x2F;script&gt;")
            || home.contains("首页&lt;script&gt;alert("),
        "{}",
        around(&home, "首页")
    );
    run.contains("index.html", "{{ config.title }}");
}

#[test]
fn hostile_text_shows_as_text_in_chromium() {
    let run = built_xss_site();
    let pages = html_pages(&run);
    let b = require_browser!();
    watch(&b);
    // Without a policy: escaping alone has to keep every script from running.
    let plain = StaticServer::start(&run.out);
    let mut all = pages.clone();
    all.push("/search/?q=XSS探针".into());
    all.push("/scope/lookup/?q=征地补偿".into());
    let problems = visit_all(&b, &plain, &all);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let mut seen = String::new();
    for page in &all {
        b.open(&plain.url(page));
        let injected = b.eval_json(
            "[...document.querySelectorAll('img[src=\"x\"], svg[onload], [onerror], [onclick], [onload]')].length \
             + [...document.scripts].filter(s => !s.src && s.type !== 'application/json').length \
             + [...document.querySelectorAll('a[href^=\"javascript:\" i]')].length",
        );
        assert_eq!(injected, Value::from(0), "{page}: injected elements");
        seen.push_str(b.eval_json("document.body.innerText").as_str().unwrap());
        seen.push_str(&b.title());
    }
    for text in SHOWN_AS_TEXT {
        assert!(seen.contains(text), "`{text}` is not visible as text");
    }
    // The search snippet shows the probe's surrounding markup as text.
    b.open(&plain.url("/search/?q=XSS探针"));
    b.wait_until(
        "document.querySelectorAll('#search-results li').length > 0",
        "a search result for the probe",
    );
    let results = b.text("#search-results");
    assert!(results.contains("onerror"), "{results}");
    assert_eq!(b.count("#search-results img"), 0);

    // With the policy as well: no violation either.
    let strict =
        StaticServer::start_with_headers(&run.out, &[("Content-Security-Policy", STRICT_CSP)]);
    let problems = visit_all(&b, &strict, &all);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The watchers above do see what they look for: a page with an inline style, an inline script
/// and an injected `onerror` handler reports policy violations under the policy and a dialog
/// without it.
#[test]
fn the_watchers_catch_violations_and_dialogs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title></head><body>\
         <p style=\"color:red\">styled</p><script>alert('inline')</script>\
         <img src=\"x\" onerror=\"alert('injected')\"></body></html>",
    )
    .unwrap();
    std::fs::write(dir.path().join("x"), b"").unwrap();
    let b = require_browser!();
    watch(&b);
    let strict =
        StaticServer::start_with_headers(dir.path(), &[("Content-Security-Policy", STRICT_CSP)]);
    let problems = visit_all(&b, &strict, &["/".to_string()]);
    let csp = problems
        .iter()
        .filter(|p| p.contains("CSP violation"))
        .count();
    assert!(
        csp >= 2,
        "expected the inline style and script to be reported: {problems:#?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("dialog")),
        "{problems:#?}"
    );
    let plain = StaticServer::start(dir.path());
    let problems = visit_all(&b, &plain, &["/".to_string()]);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("dialog opened: alert(inline)")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("dialog opened: alert(injected)")),
        "{problems:#?}"
    );
}
