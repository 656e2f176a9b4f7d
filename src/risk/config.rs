//! The worksheet configuration: `kind: worksheet` front matter → a validated [`Worksheet`].
//!
//! Stage: parse (pure). Input: the deserialised [`WorksheetFront`] plus the YAML text (for positions).
//! Output: a [`Worksheet`] or diagnostics at `path:line:col` — every cell of the 5×5 matrix mapped,
//! degree ranges in order without overlaps, thresholds and coefficients increasing, dimension weights
//! summing to 1, levels in worst-first order with decisions that never get milder as the level gets
//! worse. Entry: [`Worksheet::from_front`].

use crate::content::front_matter;
use crate::content::yaml_locate::{locate, Seg};
use crate::content::{Date, StringList};
use crate::diagnostic::Diagnostic;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use Seg::{Index as I, Key as K};

/// The 5×5 matrix: likelihood and consequence are rated 1–5.
pub const SCALE: usize = 5;

/// Tolerance for "sums to 1" (weights) and for comparing an index with a threshold.
pub const EPSILON: f64 = 1e-6;

front_matter!(
    /// Front matter of a `kind: worksheet` page: the common keys plus the risk-matrix configuration.
    #[serde(deny_unknown_fields)]
    WorksheetFront {
        /// The assessment dimensions (合法性、合理性 …), as names or `{name, description, weight}`.
        pub dimensions: Vec<RawDimension>,
        /// The likelihood scale (可能性), scores 1–5.
        pub likelihood: RawScale,
        /// The consequence scale (影响程度), scores 1–5.
        pub consequence: RawScale,
        /// Single-factor degrees, mildest first, with score ranges (S = L×C) unless `matrix` is given.
        pub degrees: Vec<RawDegree>,
        /// Optional explicit cell map: likelihood score → five degree names (consequence 1 to 5).
        #[serde(default)]
        pub matrix: Option<BTreeMap<u8, Vec<String>>>,
        /// Output scheme: `三级` (高/中/低) or `四级` (一级 = worst … 四级).
        pub scheme: Scheme,
        /// The output levels, worst first, with their decisions.
        pub levels: Vec<RawLevel>,
        /// Default overall method. Default: `counting` when configured, else `weighted`.
        #[serde(default)]
        pub method: Option<Method>,
        /// The counting rule; the method is offered only when present.
        #[serde(default)]
        pub counting: Option<RawCounting>,
        /// The weighted 综合风险指数; the method is offered only when present.
        #[serde(default)]
        pub weighted: Option<RawWeighted>,
    }
);

/// A dimension written as a name (`合法性`) or as `{name, description, weight}`.
#[derive(Debug, Clone, Default)]
pub struct RawDimension {
    pub name: String,
    pub description: Option<String>,
    pub weight: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DimensionMap {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    weight: Option<f64>,
}

impl<'de> Deserialize<'de> for RawDimension {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDimension;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a dimension name or a mapping with `name`, `description`, `weight`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawDimension, E> {
                Ok(RawDimension {
                    name: s.to_string(),
                    ..RawDimension::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDimension, A::Error> {
                let m = DimensionMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawDimension {
                    name: m.name,
                    description: m.description,
                    weight: m.weight,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A 1–5 rating scale as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScale {
    /// What is rated, e.g. 可能性.
    pub name: String,
    /// Five levels, scores 1 to 5 in order.
    pub levels: Vec<RawScaleLevel>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScaleLevel {
    pub score: u8,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDegree {
    pub name: String,
    /// Lowest score S = L×C of the degree (with `max`; not with `matrix`).
    #[serde(default)]
    pub min: Option<u8>,
    #[serde(default)]
    pub max: Option<u8>,
    #[serde(default)]
    pub tone: Option<Tone>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLevel {
    pub name: String,
    /// The level in words (required in the four-level scheme, where 一级 is the worst).
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub tone: Option<Tone>,
    #[serde(default)]
    pub description: Option<String>,
    /// The suggested decision when the expected level (after mitigation) is this one.
    pub decision: String,
    /// The decision when mitigation lowered the level to this one (e.g. 完善后实施). Default: `decision`.
    #[serde(default)]
    pub mitigated_decision: Option<String>,
    /// What the level asks of the decision makers, in words.
    #[serde(default)]
    pub guidance: Option<String>,
}

/// The counting rule: conditions for the high and medium base levels (any one suffices).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCounting {
    pub high: Vec<RawCondition>,
    pub medium: Vec<RawCondition>,
}

/// "At least `count` factors whose degree is `degree` or worse."
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub degree: String,
    pub count: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeighted {
    /// Coefficients for ratings 1–5 (P for likelihood, Q for consequence), increasing.
    pub coefficients: Vec<f64>,
    /// Two increasing thresholds: I ≤ first → low, I ≤ second → medium, above → high.
    pub thresholds: Vec<f64>,
}

/// The output scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Scheme {
    #[serde(rename = "三级")]
    Three,
    #[serde(rename = "四级")]
    Four,
}

impl Scheme {
    pub fn levels(self) -> usize {
        match self {
            Scheme::Three => 3,
            Scheme::Four => 4,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Three => "三级",
            Scheme::Four => "四级",
        }
    }
}

/// How the overall level is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Count factors by degree (≥1 重大 or ≥2 较大 → high …).
    Counting,
    /// The weighted 综合风险指数 I = Σ w·P·Q against two thresholds.
    Weighted,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Counting => "counting",
            Method::Weighted => "weighted",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Method::Counting => "计数法",
            Method::Weighted => "综合风险指数法",
        }
    }
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "counting" => Some(Method::Counting),
            "weighted" => Some(Method::Weighted),
            _ => None,
        }
    }
}

/// A colour cue for a degree or level; always shown together with its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Blue,
    Green,
    Yellow,
    Orange,
    Red,
}

// ---------------------------------------------------------------- the validated model

#[derive(Debug, Clone, Serialize)]
pub struct Dimension {
    pub name: String,
    pub description: Option<String>,
    pub weight: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scale {
    pub name: String,
    /// Scores 1–5 in order.
    pub levels: Vec<ScaleLevel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScaleLevel {
    pub score: u8,
    pub label: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Degree {
    pub name: String,
    pub tone: Option<Tone>,
    pub description: Option<String>,
    /// The score range, when the degrees are given by ranges.
    pub min: Option<u8>,
    pub max: Option<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub name: String,
    pub label: Option<String>,
    pub tone: Option<Tone>,
    pub description: Option<String>,
    pub decision: String,
    pub mitigated_decision: Option<String>,
    pub guidance: Option<String>,
}

impl Level {
    /// The level as shown to readers: `高风险`, or `一级（风险大）` when the label does not repeat the name.
    pub fn display(&self) -> String {
        match &self.label {
            Some(l) if l.contains(&self.name) => l.clone(),
            Some(l) => format!("{}（{l}）", self.name),
            None => self.name.clone(),
        }
    }
}

/// "At least `count` factors of degree index `degree` or worse."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub degree: usize,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Counting {
    pub high: Vec<Condition>,
    pub medium: Vec<Condition>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Weighted {
    pub coefficients: [f64; SCALE],
    pub thresholds: [f64; 2],
}

/// A validated worksheet configuration: the single truth the page's JSON and `portal risk` use.
#[derive(Debug, Clone)]
pub struct Worksheet {
    pub dimensions: Vec<Dimension>,
    pub likelihood: Scale,
    pub consequence: Scale,
    /// Mildest first; a degree's index is its rank.
    pub degrees: Vec<Degree>,
    /// `cells[l - 1][c - 1]` = degree index of likelihood `l`, consequence `c`.
    pub cells: [[usize; SCALE]; SCALE],
    pub scheme: Scheme,
    /// Worst first; a level's index is its rank (0 = worst).
    pub levels: Vec<Level>,
    pub method: Method,
    pub counting: Option<Counting>,
    pub weighted: Option<Weighted>,
}

impl Worksheet {
    /// The methods offered, in a fixed order.
    pub fn methods(&self) -> Vec<Method> {
        let mut m = Vec::new();
        if self.counting.is_some() {
            m.push(Method::Counting);
        }
        if self.weighted.is_some() {
            m.push(Method::Weighted);
        }
        m
    }

    /// The degree index of cell (likelihood, consequence), both 1–5.
    pub fn cell(&self, likelihood: u8, consequence: u8) -> usize {
        self.cells[usize::from(likelihood) - 1][usize::from(consequence) - 1]
    }

    /// The index of a dimension by name.
    pub fn dimension(&self, name: &str) -> Option<usize> {
        self.dimensions.iter().position(|d| d.name == name)
    }
}

// ---------------------------------------------------------------- decisions

/// The five decisions (评估结果运用) and the variants other documents use, with their severity
/// (0 = 实施 … 4 = 不实施): a worse level must never get a milder decision.
const DECISIONS: [(&str, u8); 9] = [
    ("实施", 0),
    ("可实施", 0),
    ("可以实施", 0),
    ("完善后实施", 1),
    ("部分实施", 2),
    ("暂缓实施", 3),
    ("暂不实施", 3),
    ("不实施", 4),
    ("不予实施", 4),
];

/// The severity of a decision word (its variants included), `None` when unknown.
pub fn decision_severity(word: &str) -> Option<u8> {
    DECISIONS
        .iter()
        .find(|(w, _)| *w == word.trim())
        .map(|(_, s)| *s)
}

/// The canonical decisions, mildest first (for the override menu).
pub const CANONICAL_DECISIONS: [&str; 5] = ["实施", "完善后实施", "部分实施", "暂缓实施", "不实施"];

// ---------------------------------------------------------------- validation

/// Collects diagnostics with positions found in the YAML text.
struct Check<'a> {
    source: &'a str,
    yaml: &'a str,
    first_line: usize,
    diags: Vec<Diagnostic>,
}

impl Check<'_> {
    fn error(&mut self, path: &[Seg], message: impl Into<String>) {
        let (line, col) = locate(self.yaml, self.first_line, path);
        self.diags
            .push(Diagnostic::error(self.source, line, col, message));
    }
    fn warning(&mut self, path: &[Seg], message: impl Into<String>) {
        let (line, col) = locate(self.yaml, self.first_line, path);
        self.diags
            .push(Diagnostic::warning(self.source, line, col, message));
    }
    fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

impl Worksheet {
    /// Validates the front matter of a worksheet page. `yaml` and `first_line` locate positions.
    /// Returns the model when there are no errors, and every diagnostic found either way.
    pub fn from_front(
        f: &WorksheetFront,
        source: &str,
        yaml: &str,
        first_line: usize,
    ) -> (Option<Worksheet>, Vec<Diagnostic>) {
        let mut c = Check {
            source,
            yaml,
            first_line,
            diags: Vec::new(),
        };
        let dimensions = check_dimensions(&mut c, &f.dimensions, f.weighted.is_some());
        let likelihood = check_scale(&mut c, "likelihood", &f.likelihood);
        let consequence = check_scale(&mut c, "consequence", &f.consequence);
        let degrees = check_degrees(&mut c, &f.degrees, f.matrix.is_some());
        let cells = match &f.matrix {
            Some(m) => cells_from_matrix(&mut c, m, &degrees),
            None => cells_from_ranges(&mut c, &degrees),
        };
        let levels = check_levels(&mut c, f.scheme, &f.levels);
        let counting = f
            .counting
            .as_ref()
            .map(|r| check_counting(&mut c, r, &degrees));
        let weighted = f.weighted.as_ref().map(|r| check_weighted(&mut c, r));
        let method = check_method(&mut c, f.method, f.counting.is_some(), f.weighted.is_some());
        if c.has_errors() {
            return (None, c.diags);
        }
        let ws = Worksheet {
            dimensions,
            likelihood,
            consequence,
            degrees,
            cells: cells.expect("checked"),
            scheme: f.scheme,
            levels,
            method,
            counting,
            weighted: weighted.flatten(),
        };
        (Some(ws), c.diags)
    }
}

fn check_dimensions(c: &mut Check, raw: &[RawDimension], weighted: bool) -> Vec<Dimension> {
    if raw.is_empty() {
        c.error(&[K("dimensions")], "`dimensions` is empty: expected the assessment dimensions, e.g. 合法性、合理性、可行性、可控性");
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, d) in raw.iter().enumerate() {
        let name = d.name.trim();
        if name.is_empty() {
            c.error(&[K("dimensions"), I(i)], "a dimension has an empty name");
        } else if seen.contains(&name) {
            c.error(
                &[K("dimensions"), I(i)],
                format!("dimension `{name}` is listed twice"),
            );
        }
        seen.push(name);
        if let Some(w) = d.weight.filter(|w| !(0.0..=1.0).contains(w)) {
            c.error(
                &[K("dimensions"), I(i), K("weight")],
                format!("weight {w} is out of range: expected a number from 0 to 1"),
            );
        }
    }
    let weights = raw.iter().filter(|d| d.weight.is_some()).count();
    if weights > 0 && weights < raw.len() {
        let i = raw.iter().position(|d| d.weight.is_none()).unwrap_or(0);
        c.error(
            &[K("dimensions"), I(i)],
            format!(
                "dimension `{}` has no weight: give every dimension a weight or none",
                raw[i].name.trim()
            ),
        );
    } else if weights > 0 {
        let sum: f64 = raw.iter().filter_map(|d| d.weight).sum();
        if (sum - 1.0).abs() > EPSILON {
            c.error(
                &[K("dimensions")],
                format!("dimension weights sum to {}: expected 1", round6(sum)),
            );
        }
        if !weighted {
            c.warning(&[K("dimensions")], "dimension weights are only used by the weighted method, and `weighted` is not configured");
        }
    }
    raw.iter()
        .map(|d| Dimension {
            name: d.name.trim().to_string(),
            description: d.description.clone(),
            weight: d.weight,
        })
        .collect()
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn check_scale(c: &mut Check, key: &'static str, raw: &RawScale) -> Scale {
    if raw.name.trim().is_empty() {
        c.error(
            &[K(key), K("name")],
            format!("`{key}.name` is empty: expected what is rated, e.g. 可能性"),
        );
    }
    if raw.levels.len() != SCALE {
        c.error(
            &[K(key), K("levels")],
            format!(
                "`{key}` has {} levels: expected 5, scores 1 to 5",
                raw.levels.len()
            ),
        );
    }
    for (i, l) in raw.levels.iter().enumerate() {
        if usize::from(l.score) != i + 1 {
            c.error(
                &[K(key), K("levels"), I(i), K("score")],
                format!(
                    "score {} here: expected {} (levels are listed 1 to 5)",
                    l.score,
                    i + 1
                ),
            );
        }
        if l.label.trim().is_empty() {
            c.error(
                &[K(key), K("levels"), I(i), K("label")],
                "empty label: expected the level in words, e.g. 很可能",
            );
        }
    }
    Scale {
        name: raw.name.trim().to_string(),
        levels: raw
            .levels
            .iter()
            .map(|l| ScaleLevel {
                score: l.score,
                label: l.label.trim().to_string(),
                description: l.description.clone(),
            })
            .collect(),
    }
}

fn check_degrees(c: &mut Check, raw: &[RawDegree], matrix: bool) -> Vec<Degree> {
    if raw.len() < 2 {
        c.error(&[K("degrees")], format!("{} degree(s): expected at least 2, mildest first (e.g. 微小、较小、一般、较大、重大)", raw.len()));
    }
    for (i, d) in raw.iter().enumerate() {
        let at = |k| [K("degrees"), I(i), K(k)];
        if d.name.trim().is_empty() {
            c.error(&at("name"), "empty degree name");
        } else if raw[..i].iter().any(|o| o.name.trim() == d.name.trim()) {
            c.error(
                &at("name"),
                format!("degree `{}` is listed twice", d.name.trim()),
            );
        }
        match (matrix, d.min, d.max) {
            (true, None, None) => {}
            (true, _, _) => c.error(&at(if d.min.is_some() { "min" } else { "max" }), "score ranges and `matrix` both map cells: remove `min`/`max` or `matrix`"),
            (false, Some(lo), Some(hi)) => check_range(c, raw, i, lo, hi),
            (false, None, _) => c.error(&[K("degrees"), I(i)], format!("degree `{}` has no `min`: expected its score range (S = L×C, 1–25), or a `matrix`", d.name.trim())),
            (false, _, None) => c.error(&[K("degrees"), I(i)], format!("degree `{}` has no `max`: expected its score range (S = L×C, 1–25), or a `matrix`", d.name.trim())),
        }
    }
    raw.iter()
        .map(|d| Degree {
            name: d.name.trim().to_string(),
            tone: d.tone,
            description: d.description.clone(),
            min: d.min,
            max: d.max,
        })
        .collect()
}

fn check_range(c: &mut Check, raw: &[RawDegree], i: usize, lo: u8, hi: u8) {
    let max_score = (SCALE * SCALE) as u8;
    if lo < 1 || lo > max_score {
        c.error(
            &[K("degrees"), I(i), K("min")],
            format!("`min` {lo} is outside 1–{max_score}"),
        );
    }
    if hi < lo || hi > max_score {
        c.error(
            &[K("degrees"), I(i), K("max")],
            format!("`max` {hi} is outside {lo}–{max_score}: expected min ≤ max ≤ {max_score}"),
        );
    }
    let prev = raw[..i]
        .iter()
        .rev()
        .find_map(|p| Some((p.name.trim(), p.min?, p.max?)));
    if let Some((name, pmin, pmax)) = prev {
        if lo <= pmax {
            let what = if hi >= pmin {
                "overlaps"
            } else {
                "comes before"
            };
            c.error(
                &[K("degrees"), I(i), K("min")],
                format!("range {lo}–{hi} {what} `{name}` ({pmin}–{pmax}): degrees are listed mildest first, each range above the one before"),
            );
        }
    }
}

/// The scores S = L×C that some cell has, with its cells.
fn reachable_scores() -> BTreeMap<u8, Vec<(u8, u8)>> {
    let mut m: BTreeMap<u8, Vec<(u8, u8)>> = BTreeMap::new();
    for l in 1..=SCALE as u8 {
        for c in 1..=SCALE as u8 {
            m.entry(l * c).or_default().push((l, c));
        }
    }
    m
}

fn cells_from_ranges(c: &mut Check, degrees: &[Degree]) -> Option<[[usize; SCALE]; SCALE]> {
    let mut cells = [[usize::MAX; SCALE]; SCALE];
    let reachable = reachable_scores();
    let mut missing = Vec::new();
    for (&s, at) in &reachable {
        let d = degrees
            .iter()
            .position(|d| matches!((d.min, d.max), (Some(lo), Some(hi)) if lo <= s && s <= hi));
        match d {
            Some(d) => at
                .iter()
                .for_each(|&(l, k)| cells[usize::from(l) - 1][usize::from(k) - 1] = d),
            None => missing.push(s),
        }
    }
    let ranged = degrees.iter().all(|d| d.min.is_some() && d.max.is_some());
    if ranged && !missing.is_empty() && !degrees.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|s| {
                let at: Vec<String> = reachable[s]
                    .iter()
                    .map(|(l, k)| format!("{l}×{k}"))
                    .collect();
                format!("{s} ({})", at.join(", "))
            })
            .collect();
        let all: Vec<String> = reachable.keys().map(u8::to_string).collect();
        c.error(
            &[K("degrees")],
            format!(
                "no degree covers score{} {}: every cell of the 5×5 matrix needs a degree; expected the ranges to cover {}",
                if missing.len() == 1 { "" } else { "s" },
                list.join(", "),
                all.join(", ")
            ),
        );
    }
    (missing.is_empty() && ranged).then_some(cells)
}

fn cells_from_matrix(
    c: &mut Check,
    m: &BTreeMap<u8, Vec<String>>,
    degrees: &[Degree],
) -> Option<[[usize; SCALE]; SCALE]> {
    let mut cells = [[usize::MAX; SCALE]; SCALE];
    for l in 1..=SCALE as u8 {
        if !m.contains_key(&l) {
            c.error(&[K("matrix")], format!("`matrix` has no row for likelihood {l}: expected rows 1 to 5, each with five degrees (consequence 1 to 5)"));
        }
    }
    for (&l, row) in m {
        let key = l.to_string();
        if !(1..=SCALE as u8).contains(&l) {
            c.error(
                &[K("matrix"), K(&key)],
                format!("`matrix` row {l}: expected likelihood scores 1 to 5"),
            );
            continue;
        }
        if row.len() != SCALE {
            c.error(
                &[K("matrix"), K(&key)],
                format!(
                    "row {l} has {} cells: expected 5 (consequence 1 to 5)",
                    row.len()
                ),
            );
        }
        for (k, name) in row.iter().enumerate().take(SCALE) {
            match degrees.iter().position(|d| d.name == name.trim()) {
                Some(d) => cells[usize::from(l) - 1][k] = d,
                None => c.error(
                    &[K("matrix"), K(&key), I(k)],
                    format!(
                        "unknown degree `{}`: expected one of {}",
                        name.trim(),
                        names(degrees)
                    ),
                ),
            }
        }
    }
    if cells.iter().flatten().any(|&d| d == usize::MAX) {
        return None;
    }
    check_monotone(c, &cells, degrees);
    Some(cells)
}

/// A higher likelihood or consequence must never give a milder degree.
fn check_monotone(c: &mut Check, cells: &[[usize; SCALE]; SCALE], degrees: &[Degree]) {
    for l in 0..SCALE {
        for k in 0..SCALE {
            let here = cells[l][k];
            let below = (l > 0).then(|| (cells[l - 1][k], l, k + 1, "likelihood"));
            let left = (k > 0).then(|| (cells[l][k - 1], l + 1, k, "consequence"));
            if let Some((other, ol, ok, what)) =
                below.into_iter().chain(left).find(|(o, ..)| *o > here)
            {
                let key = (l + 1).to_string();
                c.error(
                    &[K("matrix"), K(&key), I(k)],
                    format!(
                        "cell {}×{} is `{}`, milder than cell {ol}×{ok} (`{}`): a higher {what} must not lower the degree",
                        l + 1,
                        k + 1,
                        degrees[here].name,
                        degrees[other].name
                    ),
                );
            }
        }
    }
}

fn names(degrees: &[Degree]) -> String {
    degrees
        .iter()
        .map(|d| format!("`{}`", d.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_levels(c: &mut Check, scheme: Scheme, raw: &[RawLevel]) -> Vec<Level> {
    if raw.len() != scheme.levels() {
        let example = match scheme {
            Scheme::Three => "高, 中, 低",
            Scheme::Four => "一级（风险大）, 二级（风险较大）, 三级（风险较小）, 四级（无风险）",
        };
        c.error(
            &[K("levels")],
            format!(
                "the {} scheme has {} levels, found {}: expected, worst first, {example}",
                scheme.name(),
                scheme.levels(),
                raw.len()
            ),
        );
    }
    check_level_order(c, scheme, raw);
    let mut prev: Option<(u8, usize)> = None;
    for (i, l) in raw.iter().enumerate() {
        check_level_words(c, scheme, raw, i);
        let severity = check_decision(c, i, "decision", &l.decision);
        if let Some(m) = &l.mitigated_decision {
            check_mitigated(c, i, m, severity);
        }
        if let (Some(s), Some((ps, p))) = (severity, prev) {
            if s > ps {
                let message = format!(
                    "decision `{}` for `{}` is stricter than `{}` for `{}` listed before it: levels are worst first, so decisions may only get milder down the list",
                    l.decision.trim(),
                    l.name.trim(),
                    raw[p].decision.trim(),
                    raw[p].name.trim()
                );
                c.error(&[K("levels"), I(i), K("decision")], message);
            }
        }
        if let Some(s) = severity {
            prev = Some((s, i));
        }
    }
    raw.iter()
        .map(|l| Level {
            name: l.name.trim().to_string(),
            label: l
                .label
                .as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            tone: l.tone,
            description: l.description.clone(),
            decision: l.decision.trim().to_string(),
            mitigated_decision: l.mitigated_decision.as_ref().map(|s| s.trim().to_string()),
            guidance: l.guidance.clone(),
        })
        .collect()
}

fn check_level_words(c: &mut Check, scheme: Scheme, raw: &[RawLevel], i: usize) {
    let l = &raw[i];
    if l.name.trim().is_empty() {
        c.error(&[K("levels"), I(i), K("name")], "empty level name");
    } else if raw[..i].iter().any(|o| o.name.trim() == l.name.trim()) {
        c.error(
            &[K("levels"), I(i), K("name")],
            format!("level `{}` is listed twice", l.name.trim()),
        );
    }
    if scheme == Scheme::Four && l.label.as_deref().is_none_or(|s| s.trim().is_empty()) {
        c.error(
            &[K("levels"), I(i)],
            format!("level `{}` has no `label`: four-level names need their words (e.g. 一级 风险大), so 一级 is never read as the mildest", l.name.trim()),
        );
    }
}

/// Where a level name says its rank (高/中/低, 一级…四级), the list must be worst first.
fn check_level_order(c: &mut Check, scheme: Scheme, raw: &[RawLevel]) {
    let rank = |name: &str| -> Option<usize> {
        let words: &[&str] = match scheme {
            Scheme::Three => &["高", "中", "低"],
            Scheme::Four => &["一级", "二级", "三级", "四级"],
        };
        let hits: Vec<usize> = (0..words.len())
            .filter(|&r| name.contains(words[r]))
            .collect();
        (hits.len() == 1).then(|| hits[0])
    };
    let ranks: Vec<Option<usize>> = raw.iter().map(|l| rank(l.name.trim())).collect();
    if ranks.iter().any(Option::is_none) || raw.len() != scheme.levels() {
        return;
    }
    for (i, r) in ranks.iter().enumerate() {
        if *r != Some(i) {
            let hint = match scheme {
                Scheme::Three => "list 高, 中, 低",
                Scheme::Four => "一级 is the worst level (风险大): list 一级, 二级, 三级, 四级",
            };
            c.error(
                &[K("levels"), I(i), K("name")],
                format!(
                    "level `{}` is out of order: levels are listed worst first; {hint}",
                    raw[i].name.trim()
                ),
            );
            return;
        }
    }
}

fn check_decision(c: &mut Check, i: usize, key: &'static str, word: &str) -> Option<u8> {
    let s = decision_severity(word);
    if s.is_none() {
        c.error(
            &[K("levels"), I(i), K(key)],
            format!("unknown decision `{}`: expected one of 实施, 完善后实施, 部分实施, 暂缓实施, 不实施 (or 可实施, 暂不实施, 不予实施)", word.trim()),
        );
    }
    s
}

fn check_mitigated(c: &mut Check, i: usize, word: &str, own: Option<u8>) {
    if i == 0 {
        c.error(&[K("levels"), I(i), K("mitigated_decision")], "the worst level cannot be reached by lowering a level: remove `mitigated_decision` here");
        return;
    }
    let s = check_decision(c, i, "mitigated_decision", word);
    if let (Some(s), Some(own)) = (s, own) {
        if s < own {
            c.error(&[K("levels"), I(i), K("mitigated_decision")], format!("`{}` is milder than this level's `decision`: a level reached only through mitigation needs at least as cautious a decision", word.trim()));
        }
    }
}

fn check_counting(c: &mut Check, raw: &RawCounting, degrees: &[Degree]) -> Counting {
    let mut conditions = |key: &'static str, list: &[RawCondition]| -> Vec<Condition> {
        if list.is_empty() {
            c.error(&[K("counting"), K(key)], format!("`counting.{key}` is empty: expected conditions such as `{{degree: 较大, count: 1}}`"));
        }
        let mut out = Vec::new();
        for (i, cond) in list.iter().enumerate() {
            if cond.count == 0 {
                c.error(
                    &[K("counting"), K(key), I(i), K("count")],
                    "`count` 0 is always met: expected 1 or more",
                );
            }
            match degrees.iter().position(|d| d.name == cond.degree.trim()) {
                Some(d) => out.push(Condition {
                    degree: d,
                    count: cond.count,
                }),
                None => c.error(
                    &[K("counting"), K(key), I(i), K("degree")],
                    format!(
                        "unknown degree `{}`: expected one of {}",
                        cond.degree.trim(),
                        names(degrees)
                    ),
                ),
            }
        }
        out
    };
    let high = conditions("high", &raw.high);
    let medium = conditions("medium", &raw.medium);
    Counting { high, medium }
}

fn check_weighted(c: &mut Check, raw: &RawWeighted) -> Option<Weighted> {
    let mut ok = true;
    if raw.coefficients.len() != SCALE {
        c.error(
            &[K("weighted"), K("coefficients")],
            format!(
                "{} coefficients: expected 5, for ratings 1 to 5 (e.g. [0.1, 0.3, 0.5, 0.7, 0.9])",
                raw.coefficients.len()
            ),
        );
        ok = false;
    }
    ok &= increasing(
        c,
        "coefficients",
        &raw.coefficients,
        |x| x > 0.0 && x <= 1.0,
        "greater than 0 and at most 1",
    );
    if raw.thresholds.len() != 2 {
        c.error(&[K("weighted"), K("thresholds")], format!("{} thresholds: expected 2 (low ≤ first < medium ≤ second < high), e.g. [0.36, 0.64]", raw.thresholds.len()));
        ok = false;
    }
    ok &= increasing(
        c,
        "thresholds",
        &raw.thresholds,
        |x| x > 0.0 && x < 1.0,
        "between 0 and 1",
    );
    ok.then(|| Weighted {
        coefficients: raw.coefficients[..SCALE].try_into().expect("five"),
        thresholds: [raw.thresholds[0], raw.thresholds[1]],
    })
}

fn increasing(
    c: &mut Check,
    key: &'static str,
    values: &[f64],
    in_range: impl Fn(f64) -> bool,
    range: &str,
) -> bool {
    let mut ok = true;
    for (i, &x) in values.iter().enumerate() {
        if !in_range(x) {
            c.error(
                &[K("weighted"), K(key), I(i)],
                format!("{x} is out of range: {key} are {range}"),
            );
            ok = false;
        } else if i > 0 && x <= values[i - 1] {
            c.error(
                &[K("weighted"), K(key), I(i)],
                format!("{x} is not above {}: {key} must increase", values[i - 1]),
            );
            ok = false;
        }
    }
    ok
}

fn check_method(c: &mut Check, method: Option<Method>, counting: bool, weighted: bool) -> Method {
    if !counting && !weighted {
        c.error(&[K("title")], "no overall method: expected `counting:` (the counting rule), `weighted:` (综合风险指数) or both");
    }
    match method {
        Some(Method::Counting) if !counting => c.error(
            &[K("method")],
            "`method: counting`, but `counting:` is not configured",
        ),
        Some(Method::Weighted) if !weighted => c.error(
            &[K("method")],
            "`method: weighted`, but `weighted:` is not configured",
        ),
        _ => {}
    }
    method.unwrap_or(if counting {
        Method::Counting
    } else {
        Method::Weighted
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::content::{parse_page, SourceFile};

    /// The sample site's worksheet page.
    pub const SAMPLE: &str = include_str!("../../content/worksheet.md");

    /// Parses a worksheet page; returns the model and the diagnostics as `line:col: message`.
    pub fn parse(text: &str) -> (Option<Worksheet>, Vec<String>) {
        let file = SourceFile {
            source: "content/w.md".into(),
            rel: "w.md".into(),
            text: text.into(),
        };
        let (page, diags) = parse_page(&file, false);
        let ws = page.and_then(|p| p.worksheet).map(|w| (*w).clone());
        (
            ws,
            diags
                .iter()
                .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
                .collect(),
        )
    }

    /// The sample with `from` replaced by `to` (which must occur).
    pub fn variant(from: &str, to: &str) -> String {
        assert!(SAMPLE.contains(from), "sample lacks {from:?}");
        SAMPLE.replacen(from, to, 1)
    }

    #[test]
    fn the_sample_is_valid_and_maps_every_cell() {
        let (ws, d) = parse(SAMPLE);
        assert!(d.is_empty(), "{d:?}");
        let ws = ws.unwrap();
        let name = |l, c| ws.degrees[ws.cell(l, c)].name.as_str();
        assert_eq!(
            (
                name(1, 1),
                name(1, 2),
                name(2, 2),
                name(3, 3),
                name(4, 4),
                name(4, 5),
                name(5, 5)
            ),
            ("微小", "微小", "较小", "一般", "较大", "重大", "重大")
        );
        assert_eq!(ws.methods(), [Method::Counting, Method::Weighted]);
        assert_eq!(ws.method, Method::Counting);
        assert_eq!(ws.levels[0].display(), "高风险");
    }

    #[test]
    fn a_gap_in_the_ranges_names_the_uncovered_cells() {
        let (ws, d) = parse(&variant("min: 10, max: 16", "min: 11, max: 16"));
        assert!(ws.is_none());
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].contains("no degree covers score 10 (2×5, 5×2)"),
            "{d:?}"
        );
    }

    #[test]
    fn overlapping_ranges_point_at_the_min() {
        let text = variant("min: 5, max: 9", "min: 4, max: 9");
        let (_, d) = parse(&text);
        let line = text
            .lines()
            .position(|l| l.contains("min: 4, max: 9"))
            .unwrap()
            + 1;
        assert_eq!(d, [format!("{line}:21: range 4–9 overlaps `较小` (3–4): degrees are listed mildest first, each range above the one before")]);
    }

    #[test]
    fn thresholds_and_coefficients_must_increase() {
        let (_, d) = parse(&variant(
            "thresholds: [0.36, 0.64]",
            "thresholds: [0.64, 0.36]",
        ));
        assert!(
            d.len() == 1 && d[0].contains("0.36 is not above 0.64: thresholds must increase"),
            "{d:?}"
        );
        let (_, d) = parse(&variant(
            "[0.1, 0.3, 0.5, 0.7, 0.9]",
            "[0.1, 0.3, 0.5, 0.9]",
        ));
        assert!(d[0].contains("4 coefficients: expected 5"), "{d:?}");
    }

    #[test]
    fn dimension_weights_must_sum_to_one() {
        let text = variant("  - name: 合法性\n", "  - name: 合法性\n    weight: 0.3\n")
            .replace("  - name: 合理性\n", "  - name: 合理性\n    weight: 0.3\n")
            .replace("  - name: 可行性\n", "  - name: 可行性\n    weight: 0.2\n")
            .replace("  - name: 安全性\n", "  - name: 安全性\n    weight: 0.1\n");
        let (_, d) = parse(&text);
        assert!(
            d.len() == 1 && d[0].contains("dimension `可控性` has no weight"),
            "{d:?}"
        );
        let (ws, d) =
            parse(&text.replace("  - name: 可控性\n", "  - name: 可控性\n    weight: 0.1\n"));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(ws.unwrap().dimensions[0].weight, Some(0.3));
        let (_, d) =
            parse(&text.replace("  - name: 可控性\n", "  - name: 可控性\n    weight: 0.2\n"));
        assert!(
            d.len() == 1 && d[0].contains("dimension weights sum to 1.1: expected 1"),
            "{d:?}"
        );
    }

    #[test]
    fn a_worse_level_may_not_get_a_milder_decision() {
        let (_, d) = parse(&variant("decision: 暂缓实施", "decision: 不实施").replacen(
            "decision: 不实施",
            "decision: 暂缓实施",
            1,
        ));
        assert!(
            d.len() == 1
                && d[0].contains("decision `不实施` for `中` is stricter than `暂缓实施` for `高`"),
            "{d:?}"
        );
        let (_, d) = parse(&variant("decision: 暂缓实施", "decision: 缓一缓"));
        assert!(d[0].contains("unknown decision `缓一缓`"), "{d:?}");
    }

    #[test]
    fn four_level_names_need_words_and_worst_first() {
        let four = variant("scheme: 三级", "scheme: 四级")
            .replace(
                "  - name: 高\n    label: 高风险",
                "  - name: 四级\n    label: 无风险",
            )
            .replace(
                "  - name: 中\n    label: 中风险",
                "  - name: 二级\n    label: 风险较大",
            )
            .replace("  - name: 低\n    label: 低风险", "  - name: 三级");
        let (_, d) = parse(&four);
        assert!(
            d.iter()
                .any(|m| m.contains("the 四级 scheme has 4 levels, found 3")),
            "{d:?}"
        );
        assert!(
            d.iter().any(|m| m.contains("level `三级` has no `label`")),
            "{d:?}"
        );
    }

    #[test]
    fn an_explicit_matrix_is_checked_cell_by_cell() {
        let ranges = [
            "min: 1, max: 2, ",
            "min: 3, max: 4, ",
            "min: 5, max: 9, ",
            "min: 10, max: 16, ",
            "min: 20, max: 25, ",
        ];
        let mut text = SAMPLE.to_string();
        for r in ranges {
            text = text.replacen(r, "", 1);
        }
        let matrix = "matrix:\n  5: [一般, 较大, 较大, 重大, 重大]\n  4: [较小, 一般, 较大, 较大, 重大]\n  3: [较小, 一般, 一般, 较大, 较大]\n  2: [微小, 较小, 一般, 一般, 较大]\n  1: [微小, 微小, 较小, 较小, 一般]\nscheme:";
        let good = text.replacen("scheme:", matrix, 1);
        let (ws, d) = parse(&good);
        assert!(d.is_empty(), "{d:?}");
        let sample = parse(SAMPLE).0.unwrap();
        assert_eq!(
            ws.unwrap().cells,
            sample.cells,
            "the matrix written out equals the ranges"
        );
        let (_, d) = parse(&good.replace(
            "  3: [较小, 一般, 一般, 较大, 较大]",
            "  3: [较小, 一般, 一般, 较大]",
        ));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("row 3 has 4 cells: expected 5"), "{d:?}");
        let (_, d) = parse(&good.replace(
            "  3: [较小, 一般, 一般, 较大, 较大]",
            "  3: [较小, 微小, 一般, 较大, 较大]",
        ));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].contains("cell 3×2 is `微小`, milder than cell 2×2 (`较小`)"),
            "{d:?}"
        );
        let (_, d) = parse(&good.replace("  1: [微小, 微小, 较小, 较小, 一般]\n", ""));
        assert!(
            d.iter().any(|m| m.contains("no row for likelihood 1")),
            "{d:?}"
        );
    }

    #[test]
    fn unknown_keys_are_errors_at_their_line() {
        let text = variant("scheme: 三级", "scheme: 三级\nschema: x");
        let (_, d) = parse(&text);
        let line = text.lines().position(|l| l == "schema: x").unwrap() + 1;
        assert!(
            d.len() == 1 && d[0].starts_with(&format!("{line}:1: unknown field `schema`")),
            "{d:?}"
        );
    }
}
