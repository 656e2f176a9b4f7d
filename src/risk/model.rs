//! The risk model: factors → degrees → overall level (before and after mitigation) → decision.
//!
//! Stage: a pure function over a validated [`Worksheet`]. Input: the factors (each rated 1–5 for
//! likelihood and consequence, optionally re-rated after mitigation, optionally weighted). Output: an
//! [`Evaluation`]. Entry: [`evaluate`]. `themes/default/static/js/risk-model.js` implements the same
//! rules for the browser; `tests/risk_parity.rs` checks both agree on generated factor sets.
//!
//! The rules, in words:
//! - A factor's score is S = L×C; its degree is the worksheet's cell (L, C). A factor not re-rated
//!   after mitigation keeps its ratings.
//! - Counting rule: the base level is high when any `high` condition holds ("at least N factors of
//!   degree D or worse"), else medium when any `medium` condition holds, else low.
//! - Weighted index: P and Q are the coefficients of L and C, R = P×Q, I = Σ wᵢRᵢ (in factor order);
//!   I ≤ t₁ + ε → low, I ≤ t₂ + ε → medium, else high (ε = 10⁻⁶ absorbs binary rounding of decimals).
//! - Weights: when every factor has a weight they must sum to 1 (± ε); when none has, a factor gets
//!   its dimension's weight shared equally by that dimension's factors (when the worksheet gives
//!   dimension weights; a dimension without factors adds nothing), else 1/n; when only some have,
//!   the index is not available.
//! - Output level: the three-level scheme is the base level (高/中/低, worst first). The four-level
//!   crosswalk: high → 一级, medium → 二级, low → 三级, except low with no factor above the mildest
//!   degree (or no factors) → 四级.
//! - Decision: the expected level's (after mitigation) `decision`, or its `mitigated_decision` when
//!   mitigation lowered the level.

use super::config::{Condition, Counting, Method, Weighted, Worksheet, EPSILON};
use serde::Serialize;

/// One risk factor as entered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub dimension: String,
    pub name: String,
    /// 1–5.
    pub likelihood: u8,
    /// 1–5.
    pub consequence: u8,
    /// The factor's weight for the weighted index (0–1), if given.
    pub weight: Option<f64>,
    /// (likelihood, consequence) after mitigation, if re-rated.
    pub after: Option<(u8, u8)>,
}

/// A factor's score and degree (index into `Worksheet::degrees`) before and after mitigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rated {
    pub score: u8,
    pub degree: usize,
    pub score_after: u8,
    pub degree_after: usize,
}

/// Before or after mitigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Before,
    After,
}

/// The three-level base every scheme starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Base {
    High = 0,
    Medium = 1,
    Low = 2,
}

/// Why the weighted index is not available.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum WeightProblem {
    /// Some factors have weights and this one (index) has none.
    Missing { factor: usize },
    /// Every factor has a weight, but they do not sum to 1.
    Sum { sum: f64 },
}

/// One stage's overall result under one method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    /// Index into `Worksheet::levels` (0 = worst).
    pub level: usize,
    pub base: Base,
    /// The weighted index I (weighted method only).
    pub index: Option<f64>,
}

/// A method's results before and after mitigation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MethodResult {
    pub before: Outcome,
    pub after: Outcome,
}

/// The suggested decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub word: String,
    /// Whether mitigation lowered the level (and `mitigated_decision` applied).
    pub mitigated: bool,
}

/// Everything the worksheet shows for a set of factors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub factors: Vec<Rated>,
    /// The effective weights (weighted method), or why there are none.
    pub weights: Result<Vec<f64>, WeightProblem>,
    pub counting: Option<MethodResult>,
    pub weighted: Option<Result<MethodResult, WeightProblem>>,
    /// The method the overall level and the decision come from.
    pub method: Method,
    /// The chosen method's result (`None` when its index is not available).
    pub overall: Option<MethodResult>,
    pub decision: Option<Decision>,
}

/// Rates every factor, finds the overall level by each configured method and the decision by
/// `method` (which must be one of `ws.methods()`).
pub fn evaluate(ws: &Worksheet, factors: &[Factor], method: Method) -> Evaluation {
    let rated: Vec<Rated> = factors.iter().map(|f| rate(ws, f)).collect();
    let weights = effective_weights(ws, factors);
    let counting = ws.counting.as_ref().map(|c| MethodResult {
        before: counting_outcome(ws, c, &rated, Stage::Before),
        after: counting_outcome(ws, c, &rated, Stage::After),
    });
    let weighted = ws.weighted.as_ref().map(|w| {
        let weights = weights.clone()?;
        Ok(MethodResult {
            before: weighted_outcome(ws, w, factors, &rated, &weights, Stage::Before),
            after: weighted_outcome(ws, w, factors, &rated, &weights, Stage::After),
        })
    });
    let overall = match method {
        Method::Counting => counting,
        Method::Weighted => weighted.clone().and_then(Result::ok),
    };
    let decision = overall.map(|r| decide(ws, r.before.level, r.after.level));
    Evaluation {
        factors: rated,
        weights,
        counting,
        weighted,
        method,
        overall,
        decision,
    }
}

/// A factor's ratings after mitigation (its ratings before, when not re-rated).
pub fn after_ratings(f: &Factor) -> (u8, u8) {
    f.after.unwrap_or((f.likelihood, f.consequence))
}

fn rate(ws: &Worksheet, f: &Factor) -> Rated {
    let (la, ca) = after_ratings(f);
    Rated {
        score: f.likelihood * f.consequence,
        degree: ws.cell(f.likelihood, f.consequence),
        score_after: la * ca,
        degree_after: ws.cell(la, ca),
    }
}

fn degrees_at(rated: &[Rated], stage: Stage) -> Vec<usize> {
    rated
        .iter()
        .map(|r| match stage {
            Stage::Before => r.degree,
            Stage::After => r.degree_after,
        })
        .collect()
}

/// Whether any condition holds: at least `count` factors of degree `degree` or worse.
fn any_holds(conditions: &[Condition], degrees: &[usize]) -> bool {
    conditions
        .iter()
        .any(|k| degrees.iter().filter(|&&d| d >= k.degree).count() as u64 >= u64::from(k.count))
}

fn counting_outcome(ws: &Worksheet, c: &Counting, rated: &[Rated], stage: Stage) -> Outcome {
    let degrees = degrees_at(rated, stage);
    let base = if any_holds(&c.high, &degrees) {
        Base::High
    } else if any_holds(&c.medium, &degrees) {
        Base::Medium
    } else {
        Base::Low
    };
    Outcome {
        level: output_level(ws, base, &degrees),
        base,
        index: None,
    }
}

fn weighted_outcome(
    ws: &Worksheet,
    w: &Weighted,
    factors: &[Factor],
    rated: &[Rated],
    weights: &[f64],
    stage: Stage,
) -> Outcome {
    let i = weighted_index(w, factors, weights, stage);
    let base = if i <= w.thresholds[0] + EPSILON {
        Base::Low
    } else if i <= w.thresholds[1] + EPSILON {
        Base::Medium
    } else {
        Base::High
    };
    Outcome {
        level: output_level(ws, base, &degrees_at(rated, stage)),
        base,
        index: Some(i),
    }
}

/// I = Σ wᵢ·Pᵢ·Qᵢ, summed in factor order.
pub fn weighted_index(w: &Weighted, factors: &[Factor], weights: &[f64], stage: Stage) -> f64 {
    let coef = |x: u8| w.coefficients[usize::from(x) - 1];
    let mut sum = 0.0;
    for (f, &wt) in factors.iter().zip(weights) {
        let (l, c) = match stage {
            Stage::Before => (f.likelihood, f.consequence),
            Stage::After => after_ratings(f),
        };
        let r = coef(l) * coef(c);
        sum += wt * r;
    }
    sum
}

/// The scheme's level for a base level: the three-level scheme is the base; the four-level
/// crosswalk sends low with nothing above the mildest degree to 四级.
fn output_level(ws: &Worksheet, base: Base, degrees: &[usize]) -> usize {
    match ws.scheme {
        super::config::Scheme::Three => base as usize,
        super::config::Scheme::Four if base == Base::Low && degrees.iter().all(|&d| d == 0) => 3,
        super::config::Scheme::Four => base as usize,
    }
}

/// The weights the weighted index uses (see the module header for the rule).
pub fn effective_weights(ws: &Worksheet, factors: &[Factor]) -> Result<Vec<f64>, WeightProblem> {
    let given = factors.iter().filter(|f| f.weight.is_some()).count();
    if given > 0 && given < factors.len() {
        let factor = factors.iter().position(|f| f.weight.is_none()).unwrap_or(0);
        return Err(WeightProblem::Missing { factor });
    }
    if given > 0 {
        let weights: Vec<f64> = factors.iter().map(|f| f.weight.unwrap_or(0.0)).collect();
        let mut sum = 0.0;
        for w in &weights {
            sum += w;
        }
        return if (sum - 1.0).abs() <= EPSILON {
            Ok(weights)
        } else {
            Err(WeightProblem::Sum { sum })
        };
    }
    let by_dimension =
        ws.dimensions.iter().all(|d| d.weight.is_some()) && !ws.dimensions.is_empty();
    Ok(factors
        .iter()
        .map(|f| {
            if by_dimension {
                let share = factors
                    .iter()
                    .filter(|g| g.dimension == f.dimension)
                    .count() as f64;
                let w = ws
                    .dimension(&f.dimension)
                    .and_then(|d| ws.dimensions[d].weight)
                    .unwrap_or(0.0);
                w / share
            } else {
                1.0 / factors.len() as f64
            }
        })
        .collect())
}

/// The decision for the expected level `after`, given the initial level `before`.
pub fn decide(ws: &Worksheet, before: usize, after: usize) -> Decision {
    let level = &ws.levels[after];
    match &level.mitigated_decision {
        Some(m) if after > before => Decision {
            word: m.clone(),
            mitigated: true,
        },
        _ => Decision {
            word: level.decision.clone(),
            mitigated: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::config::tests::{parse, variant, SAMPLE};

    fn factor(
        dimension: &str,
        l: u8,
        c: u8,
        weight: Option<f64>,
        after: Option<(u8, u8)>,
    ) -> Factor {
        Factor {
            dimension: dimension.into(),
            name: format!("{dimension}{l}{c}"),
            likelihood: l,
            consequence: c,
            weight,
            after,
        }
    }

    fn sample() -> Worksheet {
        parse(SAMPLE).0.unwrap()
    }

    /// The worked example on the guide page 风险等级的划分方法 (垃圾中转站).
    fn transfer_station() -> Vec<Factor> {
        vec![
            factor("安全性", 4, 4, Some(0.6), Some((2, 4))),
            factor("合理性", 3, 3, Some(0.25), Some((2, 3))),
            factor("可行性", 2, 3, Some(0.15), Some((1, 3))),
        ]
    }

    #[test]
    fn the_guide_example_gives_the_guide_results() {
        let ws = sample();
        let ev = evaluate(&ws, &transfer_station(), Method::Counting);
        let names: Vec<(&str, &str)> = ev
            .factors
            .iter()
            .map(|r| {
                (
                    ws.degrees[r.degree].name.as_str(),
                    ws.degrees[r.degree_after].name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [("较大", "一般"), ("一般", "一般"), ("一般", "较小")]
        );
        let c = ev.counting.unwrap();
        assert_eq!((c.before.level, c.after.level), (1, 2), "中 → 低");
        let w = ev.weighted.clone().unwrap().unwrap();
        assert_eq!((w.before.level, w.after.level), (1, 2));
        assert!(
            (w.before.index.unwrap() - 0.379).abs() < 1e-9
                && (w.after.index.unwrap() - 0.171).abs() < 1e-9
        );
        assert_eq!(
            ev.decision.unwrap(),
            Decision {
                word: "完善后实施".into(),
                mitigated: true
            }
        );
    }

    #[test]
    fn counting_counts_degrees_at_or_above() {
        let ws = sample();
        let level = |fs: &[Factor]| {
            evaluate(&ws, fs, Method::Counting)
                .counting
                .unwrap()
                .before
                .level
        };
        assert_eq!(
            level(&[factor("合法性", 5, 4, None, None)]),
            0,
            "one 重大 → 高"
        );
        assert_eq!(
            level(&[
                factor("合法性", 4, 4, None, None),
                factor("合法性", 5, 4, None, None)
            ]),
            0
        );
        assert_eq!(
            level(&[
                factor("合法性", 4, 4, None, None),
                factor("合法性", 2, 2, None, None)
            ]),
            1,
            "one 较大 → 中"
        );
        assert_eq!(
            level(&[
                factor("合法性", 3, 3, None, None),
                factor("合法性", 2, 3, None, None),
                factor("合法性", 3, 2, None, None)
            ]),
            1,
            "three 一般 → 中"
        );
        assert_eq!(
            level(&[
                factor("合法性", 3, 3, None, None),
                factor("合法性", 2, 3, None, None)
            ]),
            2
        );
        assert_eq!(level(&[]), 2, "no factors → 低");
    }

    #[test]
    fn weights_by_rule() {
        let ws = sample();
        let fs = |w: [Option<f64>; 3]| -> Vec<Factor> {
            w.iter().map(|&w| factor("合法性", 2, 2, w, None)).collect()
        };
        assert_eq!(
            effective_weights(&ws, &fs([None, None, None])),
            Ok(vec![1.0 / 3.0; 3])
        );
        assert_eq!(
            effective_weights(&ws, &fs([Some(0.5), None, Some(0.5)])),
            Err(WeightProblem::Missing { factor: 1 })
        );
        assert!(
            matches!(effective_weights(&ws, &fs([Some(0.5), Some(0.3), Some(0.1)])), Err(WeightProblem::Sum { sum }) if (sum - 0.9).abs() < 1e-9)
        );
        assert!(
            effective_weights(&ws, &fs([Some(0.7), Some(0.2), Some(0.1)])).is_ok(),
            "0.7 + 0.2 + 0.1 is 1 within ε"
        );
        let with_dims = parse(
            &variant("  - name: 合法性\n", "  - name: 合法性\n    weight: 0.4\n")
                .replace("  - name: 合理性\n", "  - name: 合理性\n    weight: 0.3\n")
                .replace("  - name: 可行性\n", "  - name: 可行性\n    weight: 0.1\n")
                .replace("  - name: 安全性\n", "  - name: 安全性\n    weight: 0.1\n")
                .replace("  - name: 可控性\n", "  - name: 可控性\n    weight: 0.1\n"),
        )
        .0
        .unwrap();
        let mixed = [
            factor("合法性", 1, 1, None, None),
            factor("合法性", 1, 1, None, None),
            factor("合理性", 1, 1, None, None),
        ];
        assert_eq!(
            effective_weights(&with_dims, &mixed),
            Ok(vec![0.2, 0.2, 0.3]),
            "a dimension's weight is shared by its factors"
        );
    }

    #[test]
    fn an_index_on_the_threshold_is_the_lower_level() {
        let ws = sample();
        let index = |fs: &[Factor]| {
            evaluate(&ws, fs, Method::Weighted)
                .weighted
                .unwrap()
                .unwrap()
                .before
        };
        // ½·(0.9·0.5) + ½·(0.3·0.9) is 0.36 in decimals; binary rounding must not make it 中.
        let on = index(&[
            factor("合法性", 5, 3, Some(0.5), None),
            factor("合法性", 2, 5, Some(0.5), None),
        ]);
        assert!(
            (on.index.unwrap() - 0.36).abs() < 1e-12 && on.level == 2,
            "{on:?}"
        );
        let above = index(&[
            factor("合法性", 4, 4, Some(0.5), None),
            factor("合法性", 2, 5, Some(0.5), None),
        ]);
        assert!(
            (above.index.unwrap() - 0.38).abs() < 1e-12 && above.level == 1,
            "{above:?}"
        );
        let high = index(&[factor("合法性", 5, 4, Some(1.0), None)]);
        assert!(
            (high.index.unwrap() - 0.63).abs() < 1e-12 && high.level == 1,
            "0.63 ≤ 0.64 → 中"
        );
        let top = index(&[factor("合法性", 5, 5, Some(1.0), None)]);
        assert_eq!(top.level, 0);
    }

    #[test]
    fn the_four_level_crosswalk() {
        let (ws, d) = parse(include_str!(
            "../../tests/fixtures/risk-four-level/content/worksheet.md"
        ));
        assert!(d.is_empty(), "{d:?}");
        let ws = ws.unwrap();
        let level = |fs: &[Factor]| {
            evaluate(&ws, fs, Method::Counting)
                .counting
                .unwrap()
                .before
                .level
        };
        assert_eq!(level(&[]), 3, "no factors → 四级（无风险）");
        assert_eq!(
            level(&[factor("合法性", 1, 2, None, None)]),
            3,
            "all 微小 → 四级"
        );
        assert_eq!(
            level(&[factor("合法性", 1, 3, None, None)]),
            2,
            "a 较小 → 三级"
        );
        assert_eq!(level(&[factor("合法性", 3, 4, None, None)]), 1, "中 → 二级");
        assert_eq!(level(&[factor("合法性", 5, 5, None, None)]), 0, "高 → 一级");
        assert_eq!(ws.levels[0].display(), "一级（风险大）");
        let tiny = [
            factor("合法性", 1, 1, None, None),
            factor("可控性", 1, 1, None, None),
        ];
        let w = evaluate(&ws, &tiny, Method::Weighted)
            .weighted
            .unwrap()
            .unwrap();
        assert_eq!(w.before.level, 3, "weighted low with all 微小 → 四级");
        assert!(
            (w.before.index.unwrap() - 0.005).abs() < 1e-12,
            "0.3·0.01 + 0.2·0.01: dimensions without factors add nothing"
        );
    }
}
