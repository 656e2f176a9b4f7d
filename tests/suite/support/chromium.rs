//! Finding and starting Chromium for the browser tests, and what happens when there is none.
//!
//! Chromium is looked up in `$CHROMIUM`, then `/usr/bin/chromium`, then `chromium`,
//! `chromium-browser`, `google-chrome-stable`, `google-chrome` on `$PATH`. When none exists,
//! [`Browser::launch`](super::browser::Browser::launch) returns `None` and prints a loud `SKIPPED`
//! line, unless `$CI` is set (and not `false`/`0`), in which case it panics: CI must never skip
//! browser tests silently.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use headless_chrome::{LaunchOptions, Tab};

use super::browser::Viewport;

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

/// Upper bound for any single DevTools call, and for how long the browser
/// connection may stay silent before it is considered dead.
const PROTOCOL_TIMEOUT: Duration = Duration::from_secs(300);

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

/// The Chromium to start: [`chromium_path`], or `None` after printing a loud `SKIPPED` line for
/// the current test. Panics instead when none is found and `$CI` asks for strict mode.
pub(super) fn chromium_or_skip() -> Option<PathBuf> {
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
    Some(path)
}

/// Starts headless Chromium at `path` with a fresh profile and returns it with its first tab and the
/// profile folder, trying [`LAUNCH_ATTEMPTS`] times; panics with every failure if none works.
pub(super) fn start(path: &Path) -> (headless_chrome::Browser, Arc<Tab>, tempfile::TempDir) {
    let mut failures = Vec::new();
    loop {
        match start_chromium(path) {
            Ok(started) => return started,
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
