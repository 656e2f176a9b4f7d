//! Shared helpers for the integration tests, compiled once, as the `support` module of the `suite`
//! test binary: fixture sites run through the real `portal` binary (`site`), a static HTTP server
//! (`http`), headless Chromium (`chromium` finds and starts it, `browser` drives it), checks of the
//! PDFs and PNGs it writes (`pdf`, `png`), LibreOffice for `.docx` files (`office`), a folder to keep them in (`artifacts`) and the sample
//! site's page types (`page_types`). Use from a test module with:
//!
//! ```ignore
//! use crate::support::browser::{Browser, Viewport};
//! use crate::support::http::StaticServer;
//! use crate::support::site::Site;
//! ```
//!
//! and `require_browser!()` (declared `#[macro_use]`, so every module after `support` has it).

#[macro_use]
pub mod chromium;

pub mod artifacts;
pub mod browser;
pub mod http;
pub mod office;
pub mod page_types;
pub mod pdf;
pub mod png;
pub mod site;
