//! The integration tests: one test binary, `cargo test --test suite`, one module per feature.
//!
//! Where a test lives and what it is called:
//!
//! - `<feature>.rs`, or `<feature>_<aspect>.rs` when a feature has several files (`flow_layout`,
//!   `flow_svg`, `flow_site`): the `portal` binary (`env!("CARGO_BIN_EXE_portal")`) and the library
//!   on fixture sites (`tests/fixtures/<case>/`) and on the sample site. No browser.
//! - `browser/<feature>[_<aspect>].rs`, named the same way (`browser::flow` is the flowchart page in
//!   Chromium, beside `flow_layout`): what a reader's browser gets, in headless Chromium, some with the
//!   tools around it (poppler-utils, LibreOffice, node, Java). Without Chromium each of these tests
//!   prints a loud SKIPPED line, and under `CI=true` it fails.
//! - `bench/` (its sources are `tests/bench/*.rs`, beside the benchmark scripts): the benchmarks,
//!   `#[ignore]`d tests started by `tests/bench/run NAME`; `tests/bench/README.md` lists them.
//! - `support/`: the shared helpers (fixture sites, a static HTTP server, Chromium, PDF and PNG checks).
//! - `snapshots/`: insta's golden files, `suite__<module>__<name>.snap`; review changes with
//!   `cargo insta review`.
//!
//! Tests are selected by module path:
//!
//! ```sh
//! cargo test --test suite -- --skip browser::   # everything that needs no browser
//! cargo test --test suite browser::             # only the browser tests
//! cargo test --test suite hostile::             # one feature
//! ```
//!
//! The one ignored test outside `bench` is a debugging aid: `flow_layout::debug_seed`.

#[macro_use]
mod support;

#[path = "../bench/mod.rs"]
mod bench;
mod browser;
mod build;
mod documents;
mod flow_layout;
mod flow_site;
mod flow_svg;
mod forms;
mod hardening_props;
mod hostile;
mod risk;
mod scope;
mod search_cli;
mod search_quality;
mod search_script;
mod serve;
mod theme;
