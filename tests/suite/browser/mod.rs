//! The browser tests (see `main.rs` for the naming): what a reader's browser gets, in headless
//! Chromium.

mod a11y;
mod documents;
mod flow;
mod forms_print;
mod risk_parity;
mod risk_worksheet;
mod scope_parity;
mod search;
mod search_tiers;
mod security;
mod serve;
mod site;
mod smoke;
