//! Commands: one file per command. Each returns a [`Report`]; only `main.rs` prints.

pub mod build;
pub mod new;
pub mod risk;
pub mod scope;
pub mod search;
pub mod serve;

use crate::diagnostic::Diagnostic;

/// What a command did, for `main.rs` to print: diagnostics first, then one summary line.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: String,
    /// Whether the command failed (errors among the diagnostics, or nothing could be done).
    pub failed: bool,
    /// What the command answers on standard output (search results), printed before the summary.
    pub output: String,
}

/// `1.2 MB`, `640 KB`, `12 B`.
pub fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.0} KB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// `0.42 s` or `38 ms`.
pub fn human_duration(d: std::time::Duration) -> String {
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}
