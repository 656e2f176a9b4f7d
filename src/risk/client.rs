//! The worksheet's configuration as the browser reads it (a JSON data block in the page).
//!
//! Stage: render (pure). Input: a validated [`Worksheet`]. Output: [`ClientConfig`], serialised into
//! `<script type="application/json" id="worksheet-config">` by the worksheet template (a data block
//! is never executed, so it is allowed under `Content-Security-Policy: default-src 'self'`). The JS
//! model takes every scale, cell, rule parameter and sentence from here; it hard-codes none.
//! Entries: [`ClientConfig::new`], [`ClientConfig::to_script_json`].

use super::config::{
    Counting, Degree, Dimension, Level, Method, Scale, Weighted, Worksheet, CANONICAL_DECISIONS,
    EPSILON, SCALE,
};
use super::explain::{decision_rule, level_rules};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of this JSON shape (bump when the JS must change with it).
pub const CLIENT_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct ClientConfig<'a> {
    pub version: u32,
    pub dimensions: &'a [Dimension],
    pub likelihood: &'a Scale,
    pub consequence: &'a Scale,
    /// Mildest first.
    pub degrees: &'a [Degree],
    /// `cells[l - 1][c - 1]` = degree index.
    pub cells: &'a [[usize; SCALE]; SCALE],
    pub scheme: &'static str,
    /// Worst first, each with `display` (the words shown).
    pub levels: Vec<LevelView<'a>>,
    /// The default method.
    pub method: &'static str,
    pub methods: Vec<MethodView>,
    pub counting: Option<&'a Counting>,
    pub weighted: Option<&'a Weighted>,
    pub epsilon: f64,
    /// `method → [rule per level]`.
    pub rules: BTreeMap<&'static str, Vec<String>>,
    /// `decision_rules[before][after]`.
    pub decision_rules: Vec<Vec<String>>,
    /// The five decisions, mildest first (the override menu).
    pub decisions: [&'static str; 5],
}

#[derive(Debug, Serialize)]
pub struct LevelView<'a> {
    #[serde(flatten)]
    pub level: &'a Level,
    pub display: String,
}

#[derive(Debug, Serialize)]
pub struct MethodView {
    pub name: &'static str,
    pub label: &'static str,
}

impl<'a> ClientConfig<'a> {
    pub fn new(ws: &'a Worksheet) -> ClientConfig<'a> {
        let n = ws.levels.len();
        ClientConfig {
            version: CLIENT_VERSION,
            dimensions: &ws.dimensions,
            likelihood: &ws.likelihood,
            consequence: &ws.consequence,
            degrees: &ws.degrees,
            cells: &ws.cells,
            scheme: ws.scheme.name(),
            levels: ws
                .levels
                .iter()
                .map(|l| LevelView {
                    level: l,
                    display: l.display(),
                })
                .collect(),
            method: ws.method.name(),
            methods: ws
                .methods()
                .into_iter()
                .map(|m| MethodView {
                    name: m.name(),
                    label: m.label(),
                })
                .collect(),
            counting: ws.counting.as_ref(),
            weighted: ws.weighted.as_ref(),
            epsilon: EPSILON,
            rules: ws
                .methods()
                .into_iter()
                .map(|m: Method| (m.name(), level_rules(ws, m)))
                .collect(),
            decision_rules: (0..n)
                .map(|b| (0..n).map(|a| decision_rule(ws, b, a)).collect())
                .collect(),
            decisions: CANONICAL_DECISIONS,
        }
    }

    /// The JSON, safe inside a `<script>` data block: `<`, `>` and `&` are written as `\u003c` …
    /// so no text from the content can close the block.
    pub fn to_script_json(&self) -> String {
        let json = serde_json::to_string(self).expect("the client config serialises");
        json.replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
}

/// A worksheet's configuration for its template: structured (scale tables) and as the JSON the
/// page's script reads from `<script type="application/json" id="worksheet-config">`.
#[derive(Serialize)]
pub struct WorksheetView<'a> {
    pub config: ClientConfig<'a>,
    /// `<`, `>` and `&` escaped, so it cannot close the data block; output it with `| safe`.
    pub json: String,
}

/// The worksheet page's view of its configuration.
pub fn worksheet_view(ws: &Worksheet) -> WorksheetView<'_> {
    let config = ClientConfig::new(ws);
    let json = config.to_script_json();
    WorksheetView { config, json }
}
