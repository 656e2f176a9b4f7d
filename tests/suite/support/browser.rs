//! Real-browser helpers for tests: headless Chromium driven over the DevTools
//! protocol (the `headless_chrome` crate), plus PDF checks with poppler-utils.
//!
//! ```ignore
//! use crate::support::browser::{self, Browser, Viewport};
//!
//! #[test]
//! fn search_works() {
//!     let b = require_browser!(); // returns early (skips) when Chromium is missing outside CI
//!     b.open(&browser::file_url(&site.join("index.html")));
//!     b.type_into("#search", "风险");
//!     assert!(b.text("#results").contains("评估"));
//!     b.screenshot_png(out.join("home-phone.png"), Viewport::PHONE, true);
//!     b.print_pdf(out.join("guide.pdf"), false);
//!     assert_eq!(browser::pdf_page_size_mm(out.join("guide.pdf")), (210.0, 297.0));
//! }
//! ```
//!
//! Every helper panics with a descriptive message instead of returning a
//! `Result`, so tests read top to bottom. One `Browser` is one Chromium
//! process with one tab and a throw-away profile; it is killed on drop.
//!
//! Chromium is looked up in `$CHROMIUM`, then `/usr/bin/chromium`, then
//! `chromium`, `chromium-browser`, `google-chrome-stable`, `google-chrome` on
//! `$PATH`. When none exists, [`Browser::launch`] returns `None` and prints a
//! loud `SKIPPED` line, unless `$CI` is set (and not `false`/`0`), in which case
//! it panics: CI must never skip browser tests silently.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Page, Runtime};
use headless_chrome::types::PrintToPdfOptions;
use headless_chrome::{LaunchOptions, Tab};
use serde_json::Value;

/// Launches a browser for the current test, or returns from the test early
/// (after printing `SKIPPED: chromium not installed`) when Chromium is missing
/// and `$CI` is not set. Panics when Chromium is missing and `$CI` is set.
///
/// Use as the first line of a browser test: `let b = require_browser!();`
macro_rules! require_browser {
    () => {
        match $crate::support::browser::Browser::launch() {
            Some(browser) => browser,
            None => return,
        }
    };
}

/// How long to wait for page loads, elements and conditions before failing.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Upper bound for any single DevTools call, and for how long the browser
/// connection may stay silent before it is considered dead.
const PROTOCOL_TIMEOUT: Duration = Duration::from_secs(300);

/// Tallest full-page screenshot taken (pixels); taller pages are cut off.
const MAX_SCREENSHOT_HEIGHT: u32 = 16_384;

/// Extra Chromium flags (headless_chrome adds `--headless`, `--no-sandbox`,
/// `--disable-gpu`, `--user-data-dir` and `--window-size` from `LaunchOptions`).
///
/// Not `--no-pdf-header-footer`: it only affects `--print-to-pdf` on the command
/// line (we pass `displayHeaderFooter: false` to `Page.printToPDF` instead), and with
/// Chromium 156 it makes the initial tab vanish during start-up about half of the
/// time, which breaks headless_chrome's tab bookkeeping.
const CHROMIUM_ARGS: &[&str] = &[
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
];

/// How many times to start Chromium before giving up (start-up races are retried).
const LAUNCH_ATTEMPTS: usize = 3;

/// A viewport to emulate: CSS pixel size and whether to emulate a mobile device
/// (mobile honours `<meta name="viewport">` like a phone does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    /// Width in CSS pixels.
    pub width: u32,
    /// Height in CSS pixels (the visible part; pages may scroll further).
    pub height: u32,
    /// Emulate a mobile device (meta viewport, overlay scrollbars).
    pub mobile: bool,
}

impl Viewport {
    /// A desktop browser window, 1280×800.
    pub const DESKTOP: Viewport = Viewport {
        width: 1280,
        height: 800,
        mobile: false,
    };
    /// A phone (iPhone 12–15 class), 390×844, mobile emulation on.
    pub const PHONE: Viewport = Viewport {
        width: 390,
        height: 844,
        mobile: true,
    };
}

/// A headless Chromium with one tab. Dropping it kills the browser and deletes its profile.
pub struct Browser {
    // Field order matters: the browser must go before its profile directory.
    chrome: headless_chrome::Browser,
    tab: Arc<Tab>,
    console: Arc<Mutex<Vec<String>>>,
    viewport: Mutex<Viewport>,
    _profile: tempfile::TempDir,
}

/// True when `$CI` asks for strict mode: set, and not empty, `false` or `0`.
pub fn ci_strict() -> bool {
    match std::env::var("CI") {
        Ok(v) => {
            let v = v.trim().to_ascii_lowercase();
            !(v.is_empty() || v == "false" || v == "0")
        }
        Err(_) => false,
    }
}

/// The Chromium executable to use, if any (see the module docs for the search order).
pub fn chromium_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Some(p)
        } else {
            find_in_path(&p)
        };
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian);
    }
    [
        "chromium",
        "chromium-browser",
        "google-chrome-stable",
        "google-chrome",
    ]
    .iter()
    .find_map(|name| find_in_path(Path::new(name)))
}

fn find_in_path(name: &Path) -> Option<PathBuf> {
    if name.components().count() != 1 {
        return None;
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

impl Browser {
    /// Starts headless Chromium with a fresh temporary profile and a desktop viewport.
    ///
    /// Returns `None` (after printing `SKIPPED: chromium not installed` to stderr) if no
    /// Chromium is found and `$CI` is unset/false; panics if none is found and `$CI` is set,
    /// or if Chromium is present but fails to start.
    #[track_caller]
    /// [`Browser::launch`], tried three times: Chromium sometimes fails to open its first tab when
    /// the machine is busy.
    pub fn launch_with_retry() -> Option<Browser> {
        for attempt in 1..=3 {
            match std::panic::catch_unwind(Browser::launch) {
                Ok(b) => return b,
                Err(e) if attempt == 3 => std::panic::resume_unwind(e),
                Err(_) => eprintln!("chromium did not start (attempt {attempt}); trying again"),
            }
        }
        None
    }

    pub fn launch() -> Option<Browser> {
        let Some(path) = chromium_path() else {
            if ci_strict() {
                panic!(
                    "chromium not found but CI=true: browser tests must not be skipped \
                     (install chromium, or point $CHROMIUM at the binary)"
                );
            }
            // Straight to the process's stderr: `eprintln!` would be swallowed by the
            // test harness's output capture for a passing (skipped) test.
            let _ = writeln!(
                std::io::stderr(),
                "\n==============================================================\n\
                 SKIPPED: chromium not installed (set $CHROMIUM or install the\n\
                 `chromium` package); this browser test did NOT run: {}\n\
                 ==============================================================\n",
                std::thread::current().name().unwrap_or("?")
            );
            return None;
        };
        let mut failures = Vec::new();
        let (chrome, tab, profile) = loop {
            match start_chromium(&path) {
                Ok(started) => break started,
                Err(e) => {
                    failures.push(format!("{e:#}"));
                    assert!(
                        failures.len() < LAUNCH_ATTEMPTS,
                        "could not start {} ({LAUNCH_ATTEMPTS} attempts): {}",
                        path.display(),
                        failures.join("; ")
                    );
                    eprintln!("warning: Chromium start-up failed ({e:#}); retrying");
                }
            }
        };
        tab.set_default_timeout(TIMEOUT);

        let console = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&console);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Some(line) = console_error_line(event) {
                sink.lock().unwrap().push(line);
            }
        }))
        .expect("add console listener");
        tab.enable_runtime().expect("Runtime.enable");
        tab.enable_log().expect("Log.enable");

        let browser = Browser {
            chrome,
            tab,
            console,
            viewport: Mutex::new(Viewport::DESKTOP),
            _profile: profile,
        };
        browser.set_viewport(Viewport::DESKTOP);
        Some(browser)
    }

    /// The underlying `headless_chrome` tab, for anything these helpers do not cover.
    pub fn tab(&self) -> &Tab {
        &self.tab
    }

    /// Chromium's product string, e.g. `Chrome/156.0.8078.79`.
    pub fn version(&self) -> String {
        self.chrome
            .get_version()
            .map(|v| v.product)
            .unwrap_or_else(|e| panic!("Browser.getVersion failed: {e:#}"))
    }

    /// Opens `url` (`file://`, `http://`, ...) and waits until the page has loaded:
    /// `load` fired, web fonts settled and two animation frames rendered.
    ///
    /// Panics if navigation fails (e.g. `net::ERR_FILE_NOT_FOUND`) or times out.
    /// An HTTP error status (404) is not a failure here; check the page instead.
    #[track_caller]
    pub fn open(&self, url: &str) -> &Self {
        self.mark_document();
        let navigated = self
            .tab
            .call_method(Page::Navigate {
                url: url.to_string(),
                referrer: None,
                transition_Type: None,
                frame_id: None,
                referrer_policy: None,
            })
            .unwrap_or_else(|e| panic!("open({url}): {e:#}"));
        if let Some(error) = navigated.error_text {
            panic!("open({url}): navigation failed: {error}");
        }
        // No loader: same-document navigation (only the #fragment changed). Download: the
        // current page stays.
        if navigated.loader_id.is_some() && navigated.is_download != Some(true) {
            self.wait_for_new_document(url);
        }
        self.settle();
        self
    }

    /// Clicks `selector`, then waits for the navigation the click starts (a link or a
    /// form submission) to load, like [`open`](Self::open).
    #[track_caller]
    pub fn click_and_wait_for_load(&self, selector: &str) -> &Self {
        self.mark_document();
        self.click(selector);
        self.wait_for_new_document(&format!("click on {selector}"));
        self.settle();
        self
    }

    /// The current page's URL.
    pub fn url(&self) -> String {
        self.eval_string("location.href")
    }

    /// The current document's title.
    pub fn title(&self) -> String {
        self.eval_string("document.title")
    }

    /// The live DOM as HTML (doctype plus `document.documentElement.outerHTML`), i.e. after
    /// scripts ran, unlike the file on disk.
    pub fn dom(&self) -> String {
        self.eval_string(
            "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '') \
             + document.documentElement.outerHTML",
        )
    }

    /// Evaluates the JavaScript expression `js` in the page and returns its value as JSON
    /// (promises are awaited; `undefined` becomes `null`). Wrap statements in an IIFE:
    /// `(() => { ...; return x; })()`. Panics if the script throws.
    #[track_caller]
    pub fn eval_json(&self, js: &str) -> Value {
        self.try_eval_json(js)
            .unwrap_or_else(|e| panic!("eval_json failed: {e}\n--- script ---\n{js}"))
    }

    /// Like [`eval_json`](Self::eval_json) but returns the exception text instead of panicking.
    pub fn try_eval_json(&self, js: &str) -> Result<Value, String> {
        let evaluated = self
            .tab
            .call_method(Runtime::Evaluate {
                expression: js.to_string(),
                object_group: None,
                include_command_line_api: Some(false),
                silent: Some(false),
                context_id: None,
                return_by_value: Some(true),
                generate_preview: Some(false),
                user_gesture: Some(true),
                await_promise: Some(true),
                throw_on_side_effect: None,
                timeout: None,
                disable_breaks: None,
                repl_mode: None,
                allow_unsafe_eval_blocked_by_csp: None,
                unique_context_id: None,
                serialization_options: None,
            })
            .map_err(|e| format!("{e:#}"))?;
        if let Some(details) = evaluated.exception_details {
            let description = details
                .exception
                .and_then(|e| e.description)
                .unwrap_or_default();
            return Err(format!("{} {}", details.text, description)
                .trim()
                .to_string());
        }
        Ok(evaluated.result.value.unwrap_or(Value::Null))
    }

    /// Waits until the JavaScript expression `js` is truthy (polling every 50 ms), or panics
    /// after [`TIMEOUT`] with `what` in the message.
    #[track_caller]
    pub fn wait_until(&self, js: &str, what: &str) -> &Self {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let value = self.try_eval_json(&format!("!!({js})"));
            if value == Ok(Value::Bool(true)) {
                return self;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out after {TIMEOUT:?} waiting for {what} ({js}); last result {value:?}"
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens the scope lookup page of a built site (`out`: its output folder) from disk and waits
    /// until it has loaded the catalogue data.
    #[allow(dead_code)] // not every test binary looks up matters
    pub fn open_scope_lookup(&self, out: &Path) -> &Self {
        self.open(&file_url(out.join("scope/lookup/index.html")));
        self.wait_until(
            "document.getElementById('scope-form').hasAttribute('data-ready')",
            "the lookup page to load its data",
        )
    }

    /// Waits until an element matches the CSS `selector`; panics after [`TIMEOUT`].
    #[track_caller]
    pub fn wait_for(&self, selector: &str) -> &Self {
        self.wait_until(
            &format!("document.querySelector({})", js_str(selector)),
            &format!("an element matching {selector}"),
        )
    }

    /// Number of elements matching the CSS `selector` right now (no waiting).
    pub fn count(&self, selector: &str) -> usize {
        let n = self.eval_json(&format!(
            "document.querySelectorAll({}).length",
            js_str(selector)
        ));
        n.as_u64().unwrap_or(0) as usize
    }

    /// The rendered text (`innerText`) of the first element matching `selector`, waiting for
    /// it to exist. Hidden elements give `""` (innerText follows CSS).
    #[track_caller]
    pub fn text(&self, selector: &str) -> String {
        self.wait_for(selector);
        self.eval_string(&format!(
            "document.querySelector({}).innerText",
            js_str(selector)
        ))
    }

    /// The `innerText` of every element matching `selector` (possibly none; no waiting).
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let v = self.eval_json(&format!(
            "Array.from(document.querySelectorAll({}), e => e.innerText)",
            js_str(selector)
        ));
        serde_json::from_value(v).expect("texts(): array of strings")
    }

    /// The value of attribute `name` on the first element matching `selector` (waits for the
    /// element; `None` if the attribute is absent).
    #[track_caller]
    pub fn attr(&self, selector: &str, name: &str) -> Option<String> {
        self.wait_for(selector);
        let v = self.eval_json(&format!(
            "document.querySelector({}).getAttribute({})",
            js_str(selector),
            js_str(name)
        ));
        v.as_str().map(str::to_string)
    }

    /// Whether the first element matching `selector` exists and is rendered visibly
    /// (has a box, not `visibility: hidden`, not `display: none` anywhere up the tree).
    pub fn is_visible(&self, selector: &str) -> bool {
        self.eval_json(&format!(
            "(() => {{ const e = document.querySelector({}); \
               return !!e && e.checkVisibility({{visibilityProperty: true}}) \
                 && e.getClientRects().length > 0; }})()",
            js_str(selector)
        ))
        .as_bool()
        .unwrap_or(false)
    }

    /// Clicks the first element matching `selector` with a real mouse event at its centre,
    /// after waiting for it and scrolling it into view. Does not wait for navigation; see
    /// [`click_and_wait_for_load`](Self::click_and_wait_for_load).
    #[track_caller]
    pub fn click(&self, selector: &str) -> &Self {
        self.wait_for(selector);
        let element = self
            .tab
            .find_element(selector)
            .unwrap_or_else(|e| panic!("click({selector}): {e:#}"));
        element
            .click()
            .unwrap_or_else(|e| panic!("click({selector}): {e:#}"));
        self
    }

    /// Clicks the field matching `selector` and types `text` into it with key events
    /// (characters without a key, such as CJK, are inserted as IME text input).
    #[track_caller]
    pub fn type_into(&self, selector: &str, text: &str) -> &Self {
        self.wait_for(selector);
        let element = self
            .tab
            .find_element(selector)
            .unwrap_or_else(|e| panic!("type_into({selector}): {e:#}"));
        element
            .type_into(text)
            .unwrap_or_else(|e| panic!("type_into({selector}): {e:#}"));
        self
    }

    /// Presses one key in the focused element, e.g. `"Enter"`, `"Escape"`, `"Tab"`, `"ArrowDown"`.
    #[track_caller]
    pub fn press_key(&self, key: &str) -> &Self {
        self.tab
            .press_key(key)
            .unwrap_or_else(|e| panic!("press_key({key}): {e:#}"));
        self
    }

    /// The viewport currently emulated.
    pub fn viewport(&self) -> Viewport {
        *self.viewport.lock().unwrap()
    }

    /// Emulates `viewport` (size, device scale 1, mobile or not) until changed again, and
    /// waits for the page to re-layout. Use it to test responsive layout with `eval_json`.
    #[track_caller]
    pub fn set_viewport(&self, viewport: Viewport) -> &Self {
        self.device_metrics(viewport, viewport.height);
        *self.viewport.lock().unwrap() = viewport;
        self
    }

    /// Saves a PNG screenshot of the page as it looks in `viewport`: the whole page
    /// (`full_page`, capped at 16384 px) or just the visible window. Creates parent
    /// directories, restores the previous viewport afterwards and returns the image's
    /// (width, height) in pixels. Use [`Viewport::DESKTOP`] (1280) or [`Viewport::PHONE`] (390).
    #[track_caller]
    pub fn screenshot_png(
        &self,
        path: impl AsRef<Path>,
        viewport: Viewport,
        full_page: bool,
    ) -> (u32, u32) {
        let path = path.as_ref();
        let previous = self.viewport();
        self.set_viewport(viewport);
        let height = if full_page {
            let h = self.eval_json(
                "Math.ceil(Math.max(document.documentElement.scrollHeight, \
                 document.body ? document.body.scrollHeight : 0))",
            );
            (h.as_u64().unwrap_or(0) as u32).clamp(viewport.height, MAX_SCREENSHOT_HEIGHT)
        } else {
            viewport.height
        };
        if height != viewport.height {
            // Grow the window to the page so that everything is laid out and painted.
            self.device_metrics(viewport, height);
        }
        let png = self
            .tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap_or_else(|e| panic!("screenshot {}: {e:#}", path.display()));
        self.set_viewport(previous);
        write_file(path, &png);
        png_size(path)
    }

    /// Prints the page to PDF like the browser's print dialog would, with print CSS:
    /// `preferCSSPageSize` (so `@page { size: A4 }` wins), backgrounds on, no browser
    /// header/footer. `landscape` only matters when the CSS does not set a page size.
    /// Creates parent directories.
    #[track_caller]
    pub fn print_pdf(&self, path: impl AsRef<Path>, landscape: bool) {
        let path = path.as_ref();
        let pdf = self
            .tab
            .print_to_pdf(Some(PrintToPdfOptions {
                landscape: Some(landscape),
                display_header_footer: Some(false),
                print_background: Some(true),
                prefer_css_page_size: Some(true),
                ..PrintToPdfOptions::default()
            }))
            .unwrap_or_else(|e| panic!("print_pdf {}: {e:#}", path.display()));
        write_file(path, &pdf);
    }

    /// Console errors seen so far in this tab, one line each: `console.error(...)` calls,
    /// uncaught exceptions and browser-logged errors such as failed resource loads (except
    /// the 404 of the browser's own `/favicon.ico` request).
    pub fn console_errors(&self) -> Vec<String> {
        self.console.lock().unwrap().clone()
    }

    /// Forgets the console errors collected so far.
    pub fn clear_console_errors(&self) -> &Self {
        self.console.lock().unwrap().clear();
        self
    }

    /// Panics listing the console errors, if there are any.
    #[track_caller]
    pub fn assert_no_console_errors(&self) {
        let errors = self.console_errors();
        assert!(
            errors.is_empty(),
            "console errors on {}:\n  {}",
            self.url(),
            errors.join("\n  ")
        );
    }

    fn eval_string(&self, js: &str) -> String {
        match self.eval_json(js) {
            Value::String(s) => s,
            other => panic!("expected a string from {js}, got {other}"),
        }
    }

    /// Tags the current document so that `wait_for_new_document` can tell it from its successor.
    fn mark_document(&self) {
        let _ = self.try_eval_json("window.__portalTestOldDocument = true");
    }

    fn wait_for_new_document(&self, what: &str) {
        self.wait_until(
            "!window.__portalTestOldDocument && document.readyState === 'complete'",
            &format!("the page to load after {what}"),
        );
    }

    /// Waits for web fonts and two animation frames, so layout and paint are final.
    fn settle(&self) {
        let _ = self.try_eval_json(
            "(async () => { await document.fonts.ready; \
               await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); })()",
        );
    }

    fn device_metrics(&self, viewport: Viewport, height: u32) {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width: viewport.width,
                height,
                device_scale_factor: 1.0,
                mobile: viewport.mobile,
                scale: None,
                screen_width: Some(viewport.width),
                screen_height: Some(viewport.height),
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .unwrap_or_else(|e| panic!("set viewport {viewport:?}: {e:#}"));
        self.settle();
    }
}

/// Starts one headless Chromium with a fresh profile and opens a tab in it.
fn start_chromium(
    path: &Path,
) -> anyhow::Result<(headless_chrome::Browser, Arc<Tab>, tempfile::TempDir)> {
    let profile = tempfile::Builder::new()
        .prefix("portal-chromium-")
        .tempdir()?;
    let options = LaunchOptions {
        path: Some(path.to_path_buf()),
        headless: true,
        sandbox: false,
        enable_gpu: false,
        window_size: Some((Viewport::DESKTOP.width, Viewport::DESKTOP.height)),
        user_data_dir: Some(profile.path().to_path_buf()),
        args: CHROMIUM_ARGS.iter().map(OsStr::new).collect(),
        idle_browser_timeout: PROTOCOL_TIMEOUT,
        ..LaunchOptions::default()
    };
    let chrome = headless_chrome::Browser::new(options)?;
    chrome.set_default_timeout(Duration::from_secs(10));
    // Headless Chromium opens one blank tab by itself; asking for a second one right after start-up
    // is where Chromium 156 most often drops the request.
    // headless_chrome marks this deprecated in favour of new_tab(), which is the flaky call here.
    #[allow(deprecated)]
    let tab = chrome.wait_for_initial_tab()?;
    Ok((chrome, tab, profile))
}

/// Turns a DevTools event into a console-error line, if it is one.
fn console_error_line(event: &Event) -> Option<String> {
    match event {
        Event::RuntimeConsoleAPICalled(e)
            if matches!(
                e.params.Type,
                Runtime::ConsoleAPICalledEventTypeOption::Error
                    | Runtime::ConsoleAPICalledEventTypeOption::Assert
            ) =>
        {
            let args: Vec<String> = e
                .params
                .args
                .iter()
                .map(|a| match &a.value {
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                    None => a.description.clone().unwrap_or_default(),
                })
                .collect();
            Some(format!("console.error: {}", args.join(" ")))
        }
        Event::RuntimeExceptionThrown(e) => {
            let d = &e.params.exception_details;
            let description = d
                .exception
                .as_ref()
                .and_then(|x| x.description.clone())
                .unwrap_or_default();
            let url = d.url.clone().unwrap_or_default();
            Some(format!(
                "uncaught: {} {} ({url}:{})",
                d.text,
                description,
                d.line_number + 1
            ))
        }
        Event::LogEntryAdded(e)
            if e.params.entry.level
                == headless_chrome::protocol::cdp::Log::LogEntryLevel::Error =>
        {
            let entry = &e.params.entry;
            let url = entry.url.clone().unwrap_or_default();
            if is_automatic_favicon_request(&url) {
                return None;
            }
            Some(format!("{:?}: {} {url}", entry.source, entry.text))
        }
        _ => None,
    }
}

/// Chromium asks every HTTP origin for `/favicon.ico` on its own; a 404 there is not the
/// page's fault, so it is left out of [`Browser::console_errors`].
fn is_automatic_favicon_request(url: &str) -> bool {
    let without_query = url.split(['?', '#']).next().unwrap_or("");
    without_query.starts_with("http")
        && without_query.split('/').count() == 4
        && without_query.ends_with("/favicon.ico")
}

/// A JSON/JavaScript string literal for `s` (for splicing selectors into scripts).
pub fn js_str(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A JavaScript array literal of strings.
pub fn js_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| js_str(s.as_ref())).collect();
    format!("[{}]", quoted.join(","))
}

/// The `file://` URL for a local path (made absolute; non-ASCII and special characters
/// percent-encoded), e.g. `file_url(&out.join("index.html"))`.
pub fn file_url(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().expect("current dir").join(path)
    };
    let mut url = String::from("file://");
    for byte in absolute.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(byte as char)
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

/// A folder for a test's screenshots and PDFs: `$PORTAL_TEST_ARTIFACTS/<test>/` when that
/// variable is set (kept after the run, emptied first, so a developer can look at the
/// files), otherwise a temporary folder deleted on drop.
pub struct Artifacts {
    path: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Artifacts {
    /// Creates the folder for the test called `test`.
    #[track_caller]
    pub fn new(test: &str) -> Artifacts {
        match std::env::var_os("PORTAL_TEST_ARTIFACTS").filter(|v| !v.is_empty()) {
            Some(root) => {
                let path = std::path::absolute(PathBuf::from(root).join(test))
                    .expect("absolute artifacts path");
                let _ = std::fs::remove_dir_all(&path);
                std::fs::create_dir_all(&path)
                    .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
                eprintln!("artifacts: {}", path.display());
                Artifacts { path, _temp: None }
            }
            None => {
                let temp = tempfile::tempdir().expect("create a temporary artifacts folder");
                Artifacts {
                    path: temp.path().to_path_buf(),
                    _temp: Some(temp),
                }
            }
        }
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A file name inside the folder, e.g. `artifacts.join("home-phone.png")`.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }
}

/// Width and height of a PNG file, read from its header. Panics if it is not a PNG.
#[track_caller]
pub fn png_size(path: impl AsRef<Path>) -> (u32, u32) {
    let path = path.as_ref();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG file",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

fn write_file(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Runs a poppler-utils tool and returns its stdout; panics with install advice if missing.
#[track_caller]
fn poppler(tool: &str, args: &[&OsStr]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "could not run `{tool}` ({e}); install poppler-utils (apt-get install poppler-utils)"
        )
    });
    assert!(
        output.status.success(),
        "`{tool} {}` failed: {}",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A `Key: value` line from `pdfinfo` output.
fn pdfinfo_field<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

/// Number of pages in a PDF (`pdfinfo` "Pages:").
#[track_caller]
pub fn pdf_page_count(path: impl AsRef<Path>) -> usize {
    let path = path.as_ref();
    let info = poppler("pdfinfo", &[path.as_os_str()]);
    pdfinfo_field(&info, "Pages")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no page count in pdfinfo output for {}:\n{info}",
                path.display()
            )
        })
}

/// Size of the first page in millimetres, (width, height), rounded to 0.1 mm
/// (from `pdfinfo` "Page size: 595.276 x 841.89 pts (A4)"; A4 portrait is (210.0, 297.0)).
#[track_caller]
pub fn pdf_page_size_mm(path: impl AsRef<Path>) -> (f64, f64) {
    pdf_page_sizes_mm(path)[0]
}

/// Size of every page in millimetres, (width, height) each, rounded to 0.1 mm.
#[track_caller]
pub fn pdf_page_sizes_mm(path: impl AsRef<Path>) -> Vec<(f64, f64)> {
    let path = path.as_ref();
    let pages = pdf_page_count(path).max(1).to_string();
    let info = poppler(
        "pdfinfo",
        &[
            OsStr::new("-f"),
            OsStr::new("1"),
            OsStr::new("-l"),
            OsStr::new(&pages),
            path.as_os_str(),
        ],
    );
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|line| line.starts_with("Page") && line.contains(" size:"))
        .filter_map(|line| parse_pts_size(line.split_once("size:")?.1))
        .collect();
    assert!(
        !sizes.is_empty(),
        "no page size in pdfinfo output for {}:\n{info}",
        path.display()
    );
    sizes
}

/// Panics unless every page of the PDF is `expected` (width, height) in mm, ±1 mm
/// (Chromium's A4 comes out as 209.9 × 297.0 mm), e.g. `assert_pdf_pages_mm(&pdf, (210.0, 297.0))`.
#[track_caller]
pub fn assert_pdf_pages_mm(path: impl AsRef<Path>, expected: (f64, f64)) {
    let path = path.as_ref();
    for (i, (w, h)) in pdf_page_sizes_mm(path).into_iter().enumerate() {
        assert!(
            (w - expected.0).abs() <= 1.0 && (h - expected.1).abs() <= 1.0,
            "{} page {}: {w} × {h} mm, expected {} × {} mm",
            path.display(),
            i + 1,
            expected.0,
            expected.1
        );
    }
}

/// Parses `595.276 x 841.89 pts (A4)` into millimetres.
fn parse_pts_size(text: &str) -> Option<(f64, f64)> {
    let mut words = text.split_whitespace();
    let w: f64 = words.next()?.parse().ok()?;
    (words.next()? == "x").then_some(())?;
    let h: f64 = words.next()?.parse().ok()?;
    let mm = |pts: f64| (pts * 25.4 / 72.0 * 10.0).round() / 10.0;
    Some((mm(w), mm(h)))
}

/// The PDF's text, laid out (`pdftotext -layout`); pages are separated by form feeds (`\x0c`).
#[track_caller]
pub fn pdf_text(path: impl AsRef<Path>) -> String {
    poppler(
        "pdftotext",
        &[
            OsStr::new("-layout"),
            OsStr::new("-enc"),
            OsStr::new("UTF-8"),
            path.as_ref().as_os_str(),
            OsStr::new("-"),
        ],
    )
}

/// Renders every page to `<prefix>-<n>.png` at 60 dpi (`pdftoppm -r 60 -png`) so a developer
/// can look at them; returns the files written, in page order. `prefix` may include a directory.
#[track_caller]
pub fn pdf_to_png(path: impl AsRef<Path>, prefix: impl AsRef<Path>) -> Vec<PathBuf> {
    let prefix = prefix.as_ref();
    poppler(
        "pdftoppm",
        &[
            OsStr::new("-r"),
            OsStr::new("60"),
            OsStr::new("-png"),
            path.as_ref().as_os_str(),
            prefix.as_os_str(),
        ],
    );
    let dir = match prefix.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = prefix
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // pdftoppm zero-pads the page number to the width of the page count: x-1.png or x-01.png.
    let mut pages: Vec<(usize, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?;
            let n = name
                .strip_prefix(&stem)?
                .strip_prefix('-')?
                .strip_suffix(".png")?;
            Some((n.parse().ok()?, path))
        })
        .collect();
    pages.sort();
    pages.into_iter().map(|(_, p)| p).collect()
}
