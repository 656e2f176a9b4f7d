//! The risk matrix (风险矩阵): the worksheet's configuration, the model and its rules in words.
//!
//! Stage: parse (the `kind: worksheet` front matter → [`Worksheet`], in `config`) and pure functions
//! over it. This module is the single truth for the browser's worksheet (its JSON configuration is
//! [`ClientConfig`]; `static/js/risk-model.js` computes the same results, checked by
//! `tests/risk_parity.rs`) and for `portal risk` (factors from CSV, in `csv`).
//!
//! - `config`  `WorksheetFront` (serde) → validated `Worksheet`, diagnostics at `path:line:col`
//! - `model`   `evaluate`: factor degrees, overall level by counting rule / weighted index, decision
//! - `explain` the rules in words, from the worksheet's own words
//! - `client`  the JSON the page embeds
//! - `csv`     factors from a CSV file, with positions

pub mod client;
pub mod config;
pub mod csv;
pub mod explain;
pub mod model;

pub use client::ClientConfig;
pub use config::{Method, Scheme, Worksheet, WorksheetFront};
pub use model::{evaluate, Evaluation, Factor};
