//! Shared helpers for integration tests.
//!
//! Use from a test file (`tests/<name>.rs`) with:
//!
//! ```ignore
//! mod support;
//! use support::browser::{Browser, Viewport};
//! use support::http::StaticServer;
//! use support::site::Site;
//! ```
//!
//! Cargo only builds `tests/*.rs` as test crates, so this directory is never
//! compiled as a test of its own. Each test crate uses only some of the
//! helpers, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod browser;
pub mod http;
pub mod page_types;
pub mod site;
