//! The rules in words: what produced a level and a decision, built from the worksheet's own words.
//!
//! Stage: pure, over a validated [`Worksheet`]. Output: sentences such as
//! `有1项及以上达到“重大”，或者有2项及以上达到“较大” → 高风险`. The page receives these sentences in
//! its configuration (so the browser never words a rule itself); `portal risk` prints them.
//! Entries: [`level_rules`], [`decision_rule`], [`observed`].

use super::config::{Condition, Method, Scheme, Worksheet};
use super::model::{Outcome, Rated, Stage};

/// For each output level (worst first), the rule of `method` that gives it.
pub fn level_rules(ws: &Worksheet, method: Method) -> Vec<String> {
    let base: [String; 3] = match method {
        Method::Counting => counting_rules(ws),
        Method::Weighted => weighted_rules(ws),
    };
    let shown: Vec<String> = ws.levels.iter().map(|l| l.display()).collect();
    match ws.scheme {
        Scheme::Three => (0..3)
            .map(|i| format!("{} → {}", base[i], shown[i]))
            .collect(),
        Scheme::Four => {
            let mildest = ws.degrees.first().map_or("", |d| d.name.as_str());
            let next = ws.degrees.get(1).map_or("", |d| d.name.as_str());
            vec![
                format!("{} → {}", base[0], shown[0]),
                format!("{} → {}", base[1], shown[1]),
                format!("{}，且有风险因素达到“{next}” → {}", base[2], shown[2]),
                format!(
                    "{}，且没有风险因素或者全部为“{mildest}” → {}",
                    base[2], shown[3]
                ),
            ]
        }
    }
}

fn counting_rules(ws: &Worksheet) -> [String; 3] {
    let Some(c) = &ws.counting else {
        return Default::default();
    };
    [
        conditions(ws, &c.high),
        conditions(ws, &c.medium),
        "不属于以上情形".to_string(),
    ]
}

fn conditions(ws: &Worksheet, list: &[Condition]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|k| format!("有{}项及以上达到“{}”", k.count, ws.degrees[k.degree].name))
        .collect();
    parts.join("，或者")
}

fn weighted_rules(ws: &Worksheet) -> [String; 3] {
    let Some(w) = &ws.weighted else {
        return Default::default();
    };
    let [t1, t2] = w.thresholds;
    [
        format!("综合风险指数 I > {t2}"),
        format!("综合风险指数 {t1} < I ≤ {t2}"),
        format!("综合风险指数 I ≤ {t1}"),
    ]
}

/// Why the decision for expected level `after` (initial level `before`) is what it is.
pub fn decision_rule(ws: &Worksheet, before: usize, after: usize) -> String {
    let d = super::model::decide(ws, before, after);
    let a = &ws.levels[after];
    let head = if d.mitigated {
        format!(
            "初始{}，落实化解措施后预期{}",
            ws.levels[before].display(),
            a.display()
        )
    } else {
        format!("预期{}", a.display())
    };
    match a
        .guidance
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        Some(g) => format!("{head} → 建议“{}”：{g}", d.word),
        None => format!("{head} → 建议“{}”", d.word),
    }
}

/// What was observed at one stage: `较大1项、一般2项` (counting) or `I = 0.379` (weighted).
pub fn observed(ws: &Worksheet, rated: &[Rated], stage: Stage, outcome: &Outcome) -> String {
    if let Some(i) = outcome.index {
        return format!("I = {}", round3(i));
    }
    let mut counts = vec![0usize; ws.degrees.len()];
    for r in rated {
        counts[match stage {
            Stage::Before => r.degree,
            Stage::After => r.degree_after,
        }] += 1;
    }
    let parts: Vec<String> = (0..counts.len())
        .rev()
        .filter(|&d| counts[d] > 0)
        .map(|d| format!("{}{}项", ws.degrees[d].name, counts[d]))
        .collect();
    if parts.is_empty() {
        "没有风险因素".to_string()
    } else {
        parts.join("、")
    }
}

/// Rounds to three decimals for display (half away from zero; the page does the same).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
