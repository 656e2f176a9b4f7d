//! The worksheet configuration: `kind: worksheet` front matter → a validated [`Worksheet`].
//!
//! Stage: parse (pure). Input: the deserialised [`WorksheetFront`] plus the YAML text (for positions).
//! Output: a [`Worksheet`] or diagnostics at `path:line:col` — every cell of the 5×5 matrix mapped,
//! degree ranges in order without overlaps, thresholds and coefficients increasing, dimension weights
//! summing to 1, levels in worst-first order with decisions that never get milder as the level gets
//! worse. Entry: [`Worksheet::from_front`].

use crate::content::front_matter;
use crate::content::{Date, StringList};
use crate::diagnostic::Diagnostic;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

mod validate;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::content::SourceFile;
    use crate::page::parse_page;

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
