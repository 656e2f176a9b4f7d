//! `portal scope "TEXT"`: does a matter need a 稳评? The same answer as the site's lookup page.
//!
//! Loads, parses and assembles the site, makes the matcher from its `kind: scope` catalogue and the
//! `search.synonyms` table, and answers each description. With `--json`:
//! `{"query": …, "verdict": "in_scope" | "borderline" | "out_of_scope", "kind": "普通" | "简易" |
//! null, "rule": {"id", "text", "basis"}, "reasons": […], "matches": [{"id", "category", "title",
//! "score", "matched"}, …]}`; with `--batch FILE`, one description per line
//! (blank lines and lines starting with `#` skipped) and one such object per line.

use super::{human_duration, Report};
use crate::diagnostic::Diagnostic;
use crate::pipeline::{assemble_site, BuildOptions};
use crate::scope::matcher::Answer;
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// What `portal scope` was asked.
#[derive(Debug, Clone, Default)]
pub struct ScopeArgs {
    /// The description (ignored with `batch`).
    pub text: Option<String>,
    /// A file with one description per line.
    pub batch: Option<PathBuf>,
    pub json: bool,
    /// Ask the guided check's questions on the terminal when the description is not enough.
    pub ask: bool,
    /// The guided check's answers as given (`interests=是,land=否,…`).
    pub answers: Option<String>,
}

/// Reads `interests=是,land=否,…`: yes is 是/yes/y/1, no is 否/no/n/0.
fn parse_answers(text: &str) -> std::result::Result<Vec<(String, bool)>, String> {
    let mut out = Vec::new();
    for part in text
        .split([',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((id, v)) = part.split_once('=') else {
            return Err(format!(
                "`{part}` in --answers: expected ID=是 or ID=否, e.g. `land=否`"
            ));
        };
        let yes = match v.trim().to_lowercase().as_str() {
            "是" | "yes" | "y" | "1" | "true" => true,
            "否" | "no" | "n" | "0" | "false" => false,
            other => {
                return Err(format!(
                    "`{other}` for `{}` in --answers: expected 是 or 否 (yes/no)",
                    id.trim()
                ))
            }
        };
        if !crate::scope::QUESTIONS.iter().any(|(k, _)| *k == id.trim()) {
            return Err(format!(
                "`{}` in --answers is not a question of the check: expected {}",
                id.trim(),
                crate::scope::QUESTIONS
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out.push((id.trim().to_string(), yes));
    }
    Ok(out)
}

/// Asks each question on stderr and reads 是/否 from stdin (again until it reads one).
fn ask_terminal(questions: &[(String, String)]) -> Result<Vec<(String, bool)>> {
    use std::io::BufRead;
    let mut out = Vec::new();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    eprintln!("描述不足以判断，请回答下列问题（是/否）：");
    for (id, ask) in questions {
        loop {
            eprint!("  {ask} ");
            let Some(line) = lines.next() else {
                anyhow::bail!("the questions were not all answered (end of input)");
            };
            match line?.trim().to_lowercase().as_str() {
                "是" | "y" | "yes" | "1" => {
                    out.push((id.clone(), true));
                    break;
                }
                "否" | "n" | "no" | "0" => {
                    out.push((id.clone(), false));
                    break;
                }
                _ => eprintln!("  请回答“是”或“否”。"),
            }
        }
    }
    Ok(out)
}

/// Answers the description(s); the report's `output` holds the answers.
pub fn scope(opts: &BuildOptions, args: &ScopeArgs) -> Result<Report> {
    let start = Instant::now();
    let queries: Vec<String> = match (&args.batch, &args.text) {
        (Some(file), _) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            match crate::content::decode_text(&bytes, &file.display().to_string()) {
                Ok(text) => text,
                Err(d) => {
                    return Ok(Report {
                        summary: "scope lookup failed: the batch file cannot be read as text"
                            .into(),
                        diagnostics: vec![d],
                        failed: true,
                        output: String::new(),
                    })
                }
            }
        }
        .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect(),
        (None, Some(t)) if !t.trim().is_empty() => vec![t.trim().to_string()],
        _ => {
            return Ok(Report {
                summary: "nothing to look up: give a description, e.g. `portal scope \"开发区拟引进一个电镀项目\"`, or `--batch FILE`".into(),
                failed: true,
                ..Report::default()
            })
        }
    };
    let assembled = assemble_site(opts);
    if assembled.diagnostics.has_errors() {
        let errors = assembled.diagnostics.error_count();
        return Ok(Report {
            summary: format!(
                "scope lookup failed: the site has {errors} error{}; fix them first",
                if errors == 1 { "" } else { "s" }
            ),
            diagnostics: assembled.diagnostics.into_sorted(),
            failed: true,
            output: String::new(),
        });
    }
    let Some((page, matcher)) = assembled.site.scope_matcher() else {
        return Ok(Report {
            summary: "this site has no catalogue: add a `kind: scope` page (see the README, “Scope lookup”)".into(),
            diagnostics: vec![Diagnostic::file("content/", "no page with `kind: scope`: expected the 评估事项指导目录 as a scope page, e.g. `content/scope/index.md`")],
            failed: true,
            output: String::new(),
        });
    };
    let given = match args.answers.as_deref().map(parse_answers) {
        Some(Err(m)) => {
            return Ok(Report {
                summary: format!("scope lookup failed: {m}"),
                failed: true,
                ..Report::default()
            })
        }
        Some(Ok(a)) => Some(a),
        None => None,
    };
    if (given.is_some() || args.ask) && matcher.check.is_none() {
        return Ok(Report {
            summary: "this catalogue has no guided check: add `check:` with its questions to the scope page (see the README, “Scope lookup”)".into(),
            failed: true,
            ..Report::default()
        });
    }
    let answers: Vec<Answer> = queries.iter().map(|q| matcher.lookup(q)).collect();
    let mut output = String::new();
    for a in &answers {
        let mut replies = given.clone();
        if replies.is_none() && args.ask && args.batch.is_none() && a.needs_check() {
            if let Some(check) = &matcher.check {
                replies = Some(ask_terminal(&check.questions)?);
            }
        }
        let checked = replies.as_deref().and_then(|r| matcher.decide(r));
        if given.is_some() && checked.is_none() {
            return Ok(Report {
                summary: format!(
                    "scope lookup failed: --answers must answer every question: {}",
                    crate::scope::QUESTIONS
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                failed: true,
                ..Report::default()
            });
        }
        if args.json {
            let mut v = a.json();
            v.check = checked.as_ref().map(
                |(verdict, rule)| serde_json::json!({"verdict": verdict.name(), "rule": rule}),
            );
            output.push_str(&serde_json::to_string(&v)?);
            output.push('\n');
        } else {
            text(&mut output, a, &assembled.site.pages[page]);
            if let Some((verdict, rule)) = &checked {
                let _ = writeln!(
                    output,
                    "  自查结果：{}——{}{}",
                    crate::scope::matcher::check_label(*verdict),
                    rule.text,
                    rule.basis
                        .as_deref()
                        .map_or(String::new(), |b| format!("（实施办法{b}）"))
                );
            } else if a.needs_check() && matcher.check.is_some() {
                let _ = writeln!(
                    output,
                    "  描述不足以判断：用 --ask 回答几个问题，或查询页面上的“自查”"
                );
            }
        }
    }
    let counts = |v: &str| answers.iter().filter(|a| a.verdict.name() == v).count();
    Ok(Report {
        summary: format!(
            "{} description{} looked up in {} items ({} in scope, {} borderline, {} not matched) in {}",
            answers.len(),
            if answers.len() == 1 { "" } else { "s" },
            matcher.items.len(),
            counts("in_scope"),
            counts("borderline"),
            counts("out_of_scope"),
            human_duration(start.elapsed())
        ),
        diagnostics: Vec::new(),
        failed: false,
        output,
    })
}

/// The answer in words: verdict, the rule and the words and figures that decided it, matched items
/// with 【matched words】 and departments.
fn text(out: &mut String, a: &Answer, page: &crate::page::Page) {
    let _ = writeln!(out, "{}：{}", a.query, a.label());
    let cat = page.scope.as_deref();
    let _ = writeln!(
        out,
        "  依据：{}{}",
        a.rule.text,
        a.rule
            .basis
            .as_deref()
            .map_or(String::new(), |b| format!("（实施办法{b}）"))
    );
    for r in &a.reasons {
        let _ = writeln!(out, "  {r}");
    }
    if a.matches.is_empty() {
        let _ = writeln!(out, "  没有相近的目录事项");
    } else if a.verdict.name() == "out_of_scope" {
        let _ = writeln!(out, "  相近事项（仅供参考）：");
    }
    // When items match by their words, items that only share characters are left out.
    let named = a.matches.first().is_some_and(|m| m.tier > 0);
    for (n, x) in a
        .matches
        .iter()
        .filter(|m| !named || m.tier > 0)
        .enumerate()
    {
        let item = cat.and_then(|c| c.items.iter().find(|i| i.id == x.id));
        let _ = writeln!(
            out,
            "  {}. [{}] {}（{}） 得分 {}  匹配：{}",
            n + 1,
            x.category,
            x.title,
            x.id,
            x.score,
            x.matched
                .iter()
                .map(|w| format!("【{w}】"))
                .collect::<Vec<_>>()
                .join("")
        );
        if let Some(item) = item {
            if !item.departments.is_empty() {
                let _ = writeln!(out, "     责任部门：{}", item.departments.join("、"));
            }
        }
    }
}
