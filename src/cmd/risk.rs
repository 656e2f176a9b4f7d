//! `portal risk FACTORS.csv [--json] [--method counting|weighted]`: the site's worksheet applied to a
//! CSV of factors, so a county can check a worksheet's result independently of the browser.
//!
//! Input: the site root (its `kind: worksheet` page) and a CSV file (see `risk::csv`). Output: a
//! [`Report`] and, for stdout, a readable table or the JSON
//! `{"factors": [{factor, score, degree, score_after, degree_after}], "overall": {method, before,
//! after}, "decision"}`, with the worksheet's own words. Bad rows are diagnostics `FILE:line:col`.

use super::{human_duration, Report};
use crate::content::front_matter::{from_yaml, split, KindProbe};
use crate::content::load_sources;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::page::parse_page;
use crate::risk::config::Method;
use crate::risk::csv::{read_factors, CsvFactors};
use crate::risk::explain::{decision_rule, level_rules, observed};
use crate::risk::model::{effective_weights, Evaluation, MethodResult, Stage, WeightProblem};
use crate::risk::{evaluate, Worksheet};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// What `portal risk` was asked to do.
#[derive(Debug, Clone)]
pub struct RiskOptions {
    pub root: PathBuf,
    /// The factors file (relative to the current folder).
    pub csv: PathBuf,
    /// Print JSON instead of a table.
    pub json: bool,
    /// Overall method; default: the worksheet's.
    pub method: Option<Method>,
}

/// Runs `portal risk`: the report, and the table or JSON for stdout (empty when it failed).
pub fn risk(opts: &RiskOptions) -> Result<(Report, String)> {
    let start = Instant::now();
    let failed = |diagnostics: Vec<Diagnostic>| {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let summary = format!(
            "risk check failed: {errors} error{} in {}",
            if errors == 1 { "" } else { "s" },
            human_duration(start.elapsed())
        );
        Ok((
            Report {
                output: String::new(),
                diagnostics,
                summary,
                failed: true,
            },
            String::new(),
        ))
    };
    let (ws, mut diags) = find_worksheet(&opts.root);
    let Some(ws) = ws else { return failed(diags) };
    let shown = opts.csv.display().to_string();
    let bytes = std::fs::read(&opts.csv).with_context(|| format!("cannot read {shown}"))?;
    let Ok(text) = String::from_utf8(bytes) else {
        diags.push(Diagnostic::file(
            &shown,
            "not UTF-8 text: save the file as CSV UTF-8 (Excel: “CSV UTF-8”; WPS: UTF-8 encoding)",
        ));
        return failed(diags);
    };
    let (csv, csv_diags) = read_factors(&ws, &shown, &text);
    diags.extend(csv_diags);
    let method = opts.method.unwrap_or(ws.method);
    check_method(&ws, method, &csv, &shown, &mut diags);
    let mut all = Diagnostics::new();
    all.extend(diags);
    if all.has_errors() {
        return failed(all.into_sorted());
    }
    let ev = evaluate(&ws, &csv.factors, method);
    let output = if opts.json {
        json(&ws, &csv, &ev)
    } else {
        table(&ws, &csv, &ev)
    };
    Ok((
        Report {
            output: String::new(),
            diagnostics: all.into_sorted(),
            summary: summary(&ws, &csv, &ev, start),
            failed: false,
        },
        output,
    ))
}

/// The site's worksheet: the one `kind: worksheet` page under `content/`.
fn find_worksheet(root: &Path) -> (Option<Arc<Worksheet>>, Vec<Diagnostic>) {
    let (sources, load_diags) = load_sources(root);
    let mut found = Vec::new();
    let mut diags: Vec<Diagnostic> = load_diags
        .into_iter()
        .filter(|d| d.path == "content")
        .collect();
    for file in &sources.files {
        let is_worksheet = split(&file.source, &file.text)
            .ok()
            .and_then(|s| from_yaml::<KindProbe>(&file.source, s.yaml, s.yaml_line).ok())
            .is_some_and(|p| p.kind.as_deref() == Some("worksheet"));
        if is_worksheet {
            let (page, d) = parse_page(file, false);
            diags.extend(d.into_iter().filter(|d| d.is_error()));
            found.push((file.source.clone(), page.and_then(|p| p.worksheet)));
        }
    }
    match found.as_slice() {
        [] if diags.is_empty() => diags.push(Diagnostic::file("content", "no `kind: worksheet` page: expected the site's risk-matrix configuration (e.g. content/worksheet.md)")),
        [(_, Some(ws))] => return (Some(ws.clone()), diags),
        [_, _, ..] => {
            let names: Vec<String> = found.iter().map(|(s, _)| format!("`{s}`")).collect();
            diags.push(Diagnostic::file("content", format!("{} worksheet pages ({}): `portal risk` needs exactly one", found.len(), names.join(", "))));
        }
        _ => {}
    }
    (None, diags)
}

fn check_method(
    ws: &Worksheet,
    method: Method,
    csv: &CsvFactors,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) {
    if !ws.methods().contains(&method) {
        diags.push(Diagnostic::file(
            path,
            format!(
                "the site's worksheet does not configure the {} method ({})",
                method.name(),
                method.label()
            ),
        ));
        return;
    }
    if method != Method::Weighted || diags.iter().any(Diagnostic::is_error) {
        return;
    }
    match effective_weights(ws, &csv.factors) {
        Ok(_) => {}
        Err(WeightProblem::Missing { factor }) => diags.push(Diagnostic::error(
            path,
            csv.lines[factor],
            csv.weight_cols[factor],
            "weight is empty while other rows have one: for the weighted method give every factor a weight, or none",
        )),
        Err(WeightProblem::Sum { sum }) => {
            let (l, c) = csv.weight_header;
            diags.push(Diagnostic::error(path, l, c, format!("weights sum to {}: expected 1 for the weighted method", (sum * 1e6).round() / 1e6)));
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    factors: Vec<JsonFactor<'a>>,
    overall: JsonOverall<'a>,
    decision: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFactor<'a> {
    factor: &'a str,
    score: u8,
    degree: &'a str,
    score_after: u8,
    degree_after: &'a str,
}

#[derive(Serialize)]
struct JsonOverall<'a> {
    method: &'static str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

fn json(ws: &Worksheet, csv: &CsvFactors, ev: &Evaluation) -> String {
    let level = |i: usize| ws.levels[i].name.as_str();
    let report = JsonReport {
        factors: csv
            .factors
            .iter()
            .zip(&ev.factors)
            .map(|(f, r)| JsonFactor {
                factor: &f.name,
                score: r.score,
                degree: &ws.degrees[r.degree].name,
                score_after: r.score_after,
                degree_after: &ws.degrees[r.degree_after].name,
            })
            .collect(),
        overall: JsonOverall {
            method: ev.method.name(),
            before: ev.overall.map(|o| level(o.before.level)),
            after: ev.overall.map(|o| level(o.after.level)),
        },
        decision: ev.decision.as_ref().map(|d| d.word.as_str()),
    };
    serde_json::to_string_pretty(&report).expect("serialises") + "\n"
}

/// Display width in a terminal: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

fn table(ws: &Worksheet, csv: &CsvFactors, ev: &Evaluation) -> String {
    let weighted = ev.method == Method::Weighted;
    let (l, c) = (&ws.likelihood.name, &ws.consequence.name);
    let mut rows = vec![{
        let mut h = vec![
            "序号".to_string(),
            "维度".into(),
            "风险因素".into(),
            format!("{l}×{c}"),
            "风险程度".into(),
            format!("措施后{l}×{c}"),
            "措施后程度".into(),
        ];
        if weighted {
            h.push("权重".into());
        }
        h
    }];
    let weights = ev.weights.as_ref().ok();
    for (i, (f, r)) in csv.factors.iter().zip(&ev.factors).enumerate() {
        let (la, ca) = crate::risk::model::after_ratings(f);
        let mut row = vec![
            (i + 1).to_string(),
            f.dimension.clone(),
            f.name.clone(),
            format!("{}×{}={}", f.likelihood, f.consequence, r.score),
            ws.degrees[r.degree].name.clone(),
            format!("{la}×{ca}={}", r.score_after),
            ws.degrees[r.degree_after].name.clone(),
        ];
        if weighted {
            row.push(weights.map_or(String::new(), |w| format!("{}", (w[i] * 1e4).round() / 1e4)));
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|k| rows.iter().map(|r| width(&r[k])).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r.iter().zip(&widths).map(|(s, &w)| pad(s, w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&overall_lines(ws, ev));
    out
}

fn overall_lines(ws: &Worksheet, ev: &Evaluation) -> String {
    let mut out = String::new();
    for m in ws.methods() {
        let adopted = if m == ev.method { "（采用）" } else { "" };
        let result: Result<MethodResult, WeightProblem> = match m {
            Method::Counting => ev.counting.map(Ok),
            Method::Weighted => ev.weighted.clone(),
        }
        .expect("a configured method has a result");
        match result {
            Ok(r) => {
                let rules = level_rules(ws, m);
                for (stage, o, name) in [
                    (Stage::Before, r.before, "初始风险等级"),
                    (Stage::After, r.after, "预期风险等级"),
                ] {
                    out.push_str(&format!(
                        "{}{adopted} {name}：{}　依据：{}（{}）\n",
                        m.label(),
                        ws.levels[o.level].display(),
                        rules[o.level],
                        observed(ws, &ev.factors, stage, &o)
                    ));
                }
            }
            Err(p) => out.push_str(&format!(
                "{}{adopted}：无法计算（{}）\n",
                m.label(),
                weight_problem(&p)
            )),
        }
    }
    match (&ev.decision, &ev.overall) {
        (Some(d), Some(o)) => out.push_str(&format!(
            "建议决定：{}　依据：{}\n",
            d.word,
            decision_rule(ws, o.before.level, o.after.level)
        )),
        _ => out.push_str("建议决定：无法给出（所采用方法的结果无法计算）\n"),
    }
    out
}

fn weight_problem(p: &WeightProblem) -> String {
    match p {
        WeightProblem::Missing { factor } => format!(
            "第{}项未填写权重：要么每一项都填写权重，要么都不填写",
            factor + 1
        ),
        WeightProblem::Sum { sum } => {
            format!("权重合计为 {}，应为 1", (sum * 1000.0).round() / 1000.0)
        }
    }
}

fn summary(ws: &Worksheet, csv: &CsvFactors, ev: &Evaluation, start: Instant) -> String {
    let n = csv.factors.len();
    let result = match (&ev.overall, &ev.decision) {
        (Some(o), Some(d)) => format!(
            "{} → {}, suggested {}",
            ws.levels[o.before.level].display(),
            ws.levels[o.after.level].display(),
            d.word
        ),
        _ => "no overall level".to_string(),
    };
    format!(
        "assessed {n} factor{} by the {} method: {result} in {}",
        if n == 1 { "" } else { "s" },
        ev.method.name(),
        human_duration(start.elapsed())
    )
}
