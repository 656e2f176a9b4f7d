//! policy-portal: a static-site generator for county 社会稳定风险评估 (稳评) guidance portals.
//!
//! See `src/main.rs` for the map of modules and the pipeline.

pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod flow;
pub mod forms;
pub mod fuzzing;
pub mod html;
pub mod markdown;
pub mod output;
pub mod page;
pub mod pipeline;
pub mod policy;
pub mod render;
pub mod risk;
pub mod scope;
pub mod search;
pub mod serve;
pub mod site;
pub mod text;
