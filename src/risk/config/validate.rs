//! Validation of a worksheet's front matter into the model of `super` ([`Worksheet::from_front`]):
//! every check of the module header of `risk/config.rs`, each reported at the position of the
//! offending YAML key. A child module, so it builds the model's private parts without making them
//! public.

use super::*;
use crate::content::yaml_locate::{locate, Seg};
use Seg::{Index as I, Key as K};

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
