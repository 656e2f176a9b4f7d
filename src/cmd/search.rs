//! `portal search "QUERY"`: the same ranked list as the site's search page, on the command line.
//!
//! Opens the tantivy index `portal build` saved in the site's cache when it was made from the same
//! sources; otherwise loads, parses and assembles the site, indexes it and refreshes the cache.
//! Prints the hits (or, with `--json`, `{"query": …, ["searched", "advice", "suggestions",]
//! "results": [{"url", "title", "kind", "status" and "doc_number" (policy documents only), "score", "snippet"}, …]}`) on
//! standard output. When no page holds the query as typed, a Latin query is read as pinyin and a
//! Chinese one corrected ([`crate::search::suggest`]), exactly as the search page does.

use super::{human_duration, Report};
use crate::pipeline::{assemble_site, BuildOptions};
use crate::search::suggest::{Advice, Suggester};
use crate::search::{self, Hit, SearchIndex, SearchOptions};
use crate::text::Synonyms;
use anyhow::Result;
use std::time::Instant;

/// What `portal search` was asked.
#[derive(Debug, Clone, Default)]
pub struct SearchArgs {
    pub query: String,
    /// At most this many results; 0 for all.
    pub limit: usize,
    pub json: bool,
    /// Only results of this kind (办法, 通知, 解读, 范围事项, 流程, 表格, 页面).
    pub kind: Option<String>,
}

/// Runs the query; the report's `output` holds the results.
pub fn search(opts: &BuildOptions, args: &SearchArgs) -> Result<Report> {
    let start = Instant::now();
    let assembled = assemble_site(opts);
    if assembled.diagnostics.has_errors() {
        let errors = assembled.diagnostics.error_count();
        return Ok(Report {
            summary: format!(
                "search failed: the site has {errors} error{}; fix them first",
                if errors == 1 { "" } else { "s" }
            ),
            diagnostics: assembled.diagnostics.into_sorted(),
            failed: true,
            output: String::new(),
        });
    }
    let (index, source) = match search::open_cache(&opts.root, &assembled.fingerprint) {
        Some(index) => (index, "saved index"),
        None => {
            let index = SearchIndex::build(&search::collect_docs(&assembled.site))?;
            search::store_cache(&opts.root, &index, &assembled.fingerprint)?;
            (index, "new index")
        }
    };
    let synonyms = Synonyms::new(&assembled.site.config.search.synonym_groups());
    let options = SearchOptions {
        limit: (args.limit > 0).then_some(args.limit),
        kind: args.kind.clone(),
    };
    let site = &assembled.site;
    let a = search::answer(&index, &args.query, &synonyms, &options, || {
        Ok(Suggester::new(&search::collect_docs(site), &synonyms))
    })?;
    let output = if args.json {
        json(&args.query, &a)?
    } else {
        text(&a.hits)
    };
    let total = a.total;
    let advice = match a.advice {
        Advice::None => String::new(),
        Advice::Pinyin => format!("; read as pinyin: results for “{}”", a.searched),
        Advice::Corrected => format!("; nothing holds it: results for “{}”", a.searched),
        Advice::DidYouMean => format!("; did you mean “{}”?", a.suggestions[0]),
    };
    let partial = if total > 0 && !a.exact && a.advice == Advice::None {
        " (none holds it as typed: pages with some of its words)"
    } else {
        ""
    };
    Ok(Report {
        summary: format!(
            "{total} result{} for “{}”{partial}{advice} in {} pages ({source}) in {}",
            if total == 1 { "" } else { "s" },
            args.query,
            index.num_docs(),
            human_duration(start.elapsed())
        ),
        diagnostics: Vec::new(),
        failed: false,
        output,
    })
}

/// The `--json` answer, fields in the documented order.
#[derive(serde::Serialize)]
struct Json<'a> {
    query: &'a str,
    /// The word searched instead (pinyin read, or a correction), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    searched: Option<&'a str>,
    /// `pinyin`, `corrected` or `didyoumean`, with the candidates, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<&'a Advice>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    suggestions: &'a [String],
    results: &'a [Hit],
}

fn json(query: &str, a: &search::Answer) -> Result<String> {
    let mut s = serde_json::to_string_pretty(&Json {
        query,
        searched: (a.searched != query).then_some(a.searched.as_str()),
        advice: (a.advice != Advice::None).then_some(&a.advice),
        suggestions: &a.suggestions,
        results: &a.hits,
    })?;
    s.push('\n');
    Ok(s)
}

/// One block per hit: rank, title, kind, URL, then the snippet with matches in 【】.
fn text(hits: &[Hit]) -> String {
    let mut out = String::new();
    for (i, h) in hits.iter().enumerate() {
        let snippet: String = h
            .segments
            .iter()
            .map(|(t, m)| if *m { format!("【{t}】") } else { t.clone() })
            .collect();
        let label = [h.kind.as_str(), h.status.as_str(), h.doc_number.as_str()]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        out.push_str(&format!(
            "{}. {}  [{label}]  {}\n   {}\n",
            i + 1,
            h.title,
            h.url,
            snippet.trim()
        ));
    }
    out
}
