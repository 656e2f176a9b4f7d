//! `portal search "QUERY"`: the same ranked list as the site's search page, on the command line.
//!
//! Opens the tantivy index `portal build` saved in the site's cache when it was made from the same
//! sources; otherwise loads, parses and assembles the site, indexes it and refreshes the cache.
//! Prints the hits (or, with `--json`, `{"query": …, "results": [{"url", "title", "kind", "status"
//! (measures only), "score", "snippet"}, …]}`) on standard output.

use super::{human_duration, Report};
use crate::pipeline::{assemble_site, BuildOptions};
use crate::search::{self, Hit, Query, SearchIndex, SearchOptions};
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
    /// Only results of this kind (办法, 范围事项, 流程, 表格, 页面).
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
    let query = Query::parse(&args.query, &synonyms);
    let options = SearchOptions {
        limit: (args.limit > 0).then_some(args.limit),
        kind: args.kind.clone(),
    };
    let (hits, total) = search::search(&index, &query, &options)?;
    let output = if args.json {
        json(&args.query, &hits)?
    } else {
        text(&hits)
    };
    Ok(Report {
        summary: format!(
            "{total} result{} for “{}” in {} pages ({source}) in {}",
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
struct Answer<'a> {
    query: &'a str,
    results: &'a [Hit],
}

fn json(query: &str, hits: &[Hit]) -> Result<String> {
    let mut s = serde_json::to_string_pretty(&Answer {
        query,
        results: hits,
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
        let label = if h.status.is_empty() {
            h.kind.clone()
        } else {
            format!("{} · {}", h.kind, h.status)
        };
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
