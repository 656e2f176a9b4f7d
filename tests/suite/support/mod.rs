//! Shared helpers for the integration tests, compiled once, as the `support` module of the `suite`
//! test binary. Use from a test module with:
//!
//! ```ignore
//! use crate::support::browser::{Browser, Viewport};
//! use crate::support::http::StaticServer;
//! use crate::support::site::Site;
//! ```
//!
//! and `require_browser!()` (declared `#[macro_use]`, so every module after `support` has it).
#![allow(dead_code)]

#[macro_use]
pub mod browser;
pub mod http;
pub mod page_types;
pub mod site;
