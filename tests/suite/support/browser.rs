//! Real-browser helpers for tests: one [`Browser`] is a headless Chromium with one tab, driven over
//! the DevTools protocol (the `headless_chrome` crate): pages, scripts, DOM queries, clicks and
//! keys, viewports, screenshots, printing to PDF and the console's errors.
//!
//! ```ignore
//! use crate::support::browser::{file_url, Browser, Viewport};
//! use crate::support::pdf;
//!
//! #[test]
//! fn search_works() {
//!     let b = require_browser!(); // returns early (skips) when Chromium is missing outside CI
//!     b.open(&file_url(&site.join("index.html")));
//!     b.type_into("#search", "风险");
//!     assert!(b.text("#results").contains("评估"));
//!     b.screenshot_png(out.join("home-phone.png"), Viewport::PHONE, true);
//!     b.print_pdf(out.join("guide.pdf"), false);
//!     assert_eq!(pdf::pdf_page_size_mm(out.join("guide.pdf")), (210.0, 297.0));
//! }
//! ```
//!
//! Every helper panics with a descriptive message instead of returning a `Result`, so tests read
//! top to bottom. One `Browser` is one Chromium process with one tab and a throw-away profile; it is
//! killed on drop. Finding and starting Chromium, and skipping without it, is
//! [`chromium`](super::chromium); checking the PDFs and PNGs written here is [`pdf`](super::pdf)
//! and [`png`](super::png); a folder to keep them in is [`artifacts`](super::artifacts).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Page, Runtime};
use headless_chrome::types::PrintToPdfOptions;
use headless_chrome::Tab;
use serde_json::Value;

use super::chromium;
use super::png::png_size;

/// How long to wait for page loads, elements and conditions before failing.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How long a page may take to load before a test fails (see `wait_for_new_document`).
const LOAD_TIMEOUT: Duration = Duration::from_secs(90);

/// Tallest full-page screenshot taken (pixels); taller pages are cut off.
const MAX_SCREENSHOT_HEIGHT: u32 = 16_384;

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

impl Browser {
    /// Starts headless Chromium with a fresh temporary profile and a desktop viewport.
    ///
    /// Returns `None` (after printing `SKIPPED: chromium not installed` to stderr) if no
    /// Chromium is found and `$CI` is unset/false; panics if none is found and `$CI` is set,
    /// or if Chromium is present but fails to start.
    #[track_caller]
    pub fn launch() -> Option<Browser> {
        let path = chromium::chromium_or_skip()?;
        let (chrome, tab, profile) = chromium::start(&path);
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

    /// [`Browser::launch`], tried five times: headless_chrome's first tab sometimes waits for an
    /// event that never comes (about one launch in six on a busy 2-core machine). `None` only when
    /// Chromium is missing outside CI (after the SKIPPED line); the last failure's panic otherwise.
    pub fn launch_with_retry() -> Option<Browser> {
        const ATTEMPTS: usize = 5;
        for attempt in 1..ATTEMPTS {
            match std::panic::catch_unwind(Browser::launch) {
                Ok(b) => return b,
                Err(_) => eprintln!("chromium did not start (attempt {attempt}); trying again"),
            }
        }
        Browser::launch()
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

    /// Waits (at most [`LOAD_TIMEOUT`]) for the new document to finish loading. A load slower than
    /// [`TIMEOUT`] is printed with what the page had loaded by then, and so is a failed one: pages
    /// under `portal serve` have been seen to take over 30 s in the full parallel suite on two
    /// cores (issue 17), and this says whether they finish and which request was late.
    fn wait_for_new_document(&self, what: &str) {
        let js = "!window.__portalTestOldDocument && document.readyState === 'complete'";
        let start = Instant::now();
        let mut reported = false;
        loop {
            if self.try_eval_json(js) == Ok(Value::Bool(true)) {
                if reported {
                    eprintln!("slow page load: {what} took {:?}", start.elapsed());
                }
                return;
            }
            let late = start.elapsed() > TIMEOUT;
            if late && !reported {
                reported = true;
                eprintln!(
                    "slow page load: {what} not loaded after {TIMEOUT:?}; {}",
                    self.load_state()
                );
            }
            if start.elapsed() > LOAD_TIMEOUT {
                panic!(
                    "timed out after {LOAD_TIMEOUT:?} waiting for the page to load after {what}; {}",
                    self.load_state()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The document's ready state and the resources it has finished loading, for load failures.
    fn load_state(&self) -> String {
        let state = self.try_eval_json(
            "document.readyState + ' ' + location.href + ' loaded: ' + \
             performance.getEntriesByType('resource').map(e => e.name + ' ' + Math.round(e.duration) + ' ms').join(', ')",
        );
        format!("{state:?}")
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

fn write_file(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
