//! Full-text search: the one home of tantivy.
//!
//! Stage: render (the index and its static export are built from the assembled site) and query
//! (`portal search`). Input: a [`Site`]. Output: a [`SearchIndex`] (tantivy, saved in the site's
//! cache for the command line) and the static browser index under `search/` ([`render_search`]);
//! ranked [`Hit`]s for a query ([`search`]).
//!
//! - `tokenizer` — the CJK tokenizer (unigrams + bigrams, digits, folding), registered in tantivy and
//!   mirrored in `themes/default/static/js/search-core.js`; also used by the scope lookup.
//! - `query` — query text → clauses, synonym variants, terms; the [`Synonyms`] table.
//! - `docs` — pages → search documents cut into sections (headings, 第X条 articles).
//! - `index` — the tantivy schema, building, saving, opening; postings and statistics.
//! - `rank` — BM25 per field as tantivy scores it, exact phrases first (mirrored in the browser).
//! - `snippet` — the section a hit lands on, and its marked snippet (mirrored in the browser).
//! - `suggest` — pinyin and "did you mean" from the site's own words (mirrored in the browser).
//! - `export` — the static browser index: classic script shards loaded per term.
//! - `update` — the static index of `portal serve`, changed in the parts an edit touches.

pub mod docs;
pub mod export;
pub mod index;
pub mod query;
pub mod rank;
pub mod snippet;
pub mod suggest;
pub mod tokenizer;
pub mod update;

pub use docs::{collect_docs, SearchDoc, Section};
pub use index::SearchIndex;
pub use query::Query;

use crate::output::OutputFile;
use crate::site::Site;
use crate::text::Synonyms;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// One result of a query.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Site-root-relative URL, with the matched heading's or article's anchor when there is one.
    pub url: String,
    pub title: String,
    pub kind: String,
    /// The page's 状态 (现行有效, 已修订, 已废止); empty for pages without one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// A policy document's 文号; empty (and left out of JSON) for other pages.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub doc_number: String,
    /// Exact clauses × a bound above any BM25 sum, plus the BM25 sum: results are in this order.
    pub score: f64,
    /// The words around the match, as plain text.
    pub snippet: String,
    /// The snippet's pieces; `true` marks matched words.
    #[serde(skip)]
    pub segments: Vec<(String, bool)>,
    /// The title of the section the URL lands on.
    #[serde(skip)]
    pub section: String,
    /// Match points ([`rank::Ranked::exact`]): above 0 when a clause stands as a phrase.
    #[serde(skip)]
    pub exact: u32,
}

/// What a query asks for besides its text.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// At most this many hits; `None` for all.
    pub limit: Option<usize>,
    /// Only hits of this kind label (办法, 表格, 页面 …).
    pub kind: Option<String>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} documents)", self.num_docs())
    }
}

/// Builds the tantivy index of the site and exports the static browser index.
pub fn render_search(site: &Site) -> Result<(SearchIndex, Vec<OutputFile>)> {
    let index = SearchIndex::build(&collect_docs(site))?;
    let synonyms = Synonyms::new(&site.config.search.synonym_groups());
    let files = export::export(&index, &synonyms)?;
    Ok((index, files))
}

/// Every document holding a query term, best first (without snippets).
pub fn ranked(index: &SearchIndex, query: &Query) -> Result<Vec<rank::Ranked>> {
    let postings = index::postings_of(index, &query.terms())?;
    Ok(rank::rank(
        query,
        &index.stats()?,
        &postings,
        &index::fieldnorm_table(),
        index.demoted(),
    ))
}

/// Runs a query against the index: ranked hits with their landing anchors and snippets, and the
/// number of hits before the limit.
pub fn search(
    index: &SearchIndex,
    query: &Query,
    opts: &SearchOptions,
) -> Result<(Vec<Hit>, usize)> {
    let ranked = ranked(index, query)?;
    let mut hits = Vec::new();
    let mut total = 0;
    for r in ranked {
        let doc = index.doc(r.doc)?;
        if opts.kind.as_ref().is_some_and(|k| *k != doc.kind) {
            continue;
        }
        total += 1;
        if opts.limit.is_some_and(|l| hits.len() >= l) {
            continue;
        }
        let s = snippet::snippet(query, &doc);
        let url = if s.anchor.is_empty() {
            doc.url.clone()
        } else {
            format!("{}#{}", doc.url, s.anchor)
        };
        hits.push(Hit {
            url,
            title: doc.title,
            kind: doc.kind,
            status: doc.status,
            doc_number: doc.doc_number,
            score: (r.score * 10_000.0).round() / 10_000.0,
            snippet: s.text(),
            segments: s.segments,
            section: s.section,
            exact: r.exact,
        });
    }
    Ok((hits, total))
}

/// What a query found, after suggestions were applied (see [`suggest`]).
#[derive(Debug, Clone)]
pub struct Answer {
    pub hits: Vec<Hit>,
    /// Hits before the limit.
    pub total: usize,
    /// The text whose hits these are: the query, or the word [`suggest::Advice::Pinyin`] or
    /// [`suggest::Advice::Corrected`] put in its place.
    pub searched: String,
    pub advice: suggest::Advice,
    /// Candidates, best first (empty with [`suggest::Advice::None`]).
    pub suggestions: Vec<String>,
    /// Whether the best hit of the query as typed holds one of its clauses as a phrase.
    pub exact: bool,
}

/// Runs a query as [`search`] does, then, when no page holds it as typed, reads it as pinyin or
/// corrects it ([`suggest::suggest`]) and runs the first candidate instead where that applies.
/// `suggester` is made only when needed.
pub fn answer(
    index: &SearchIndex,
    text: &str,
    synonyms: &Synonyms,
    opts: &SearchOptions,
    suggester: impl FnOnce() -> Result<suggest::Suggester>,
) -> Result<Answer> {
    let query = Query::parse(text, synonyms);
    let (hits, total, exact) = search_exact(index, &query, opts)?;
    if exact || query.is_empty() {
        return Ok(Answer {
            hits,
            total,
            searched: text.to_string(),
            advice: suggest::Advice::None,
            suggestions: Vec::new(),
            exact,
        });
    }
    let s = suggester()?;
    // The texts of the first results of the kind asked for, as the browser's first page has them.
    let mut texts: Vec<String> = Vec::new();
    let mut pages = 0;
    for r in ranked(index, &query)? {
        if pages >= suggest::TEXT_HITS {
            break;
        }
        let doc = index.doc(r.doc)?;
        if opts.kind.as_ref().is_some_and(|k| *k != doc.kind) {
            continue;
        }
        pages += 1;
        texts.push(doc.title.clone());
        for s in &doc.sections {
            texts.push(s.title.clone());
            texts.push(s.text.clone());
        }
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (advice, suggestions) = suggest::suggest(&s, text, exact, total, &texts);
    if matches!(advice, suggest::Advice::Pinyin | suggest::Advice::Corrected) {
        let instead = Query::parse(&suggestions[0], synonyms);
        let (hits, total, _) = search_exact(index, &instead, opts)?;
        return Ok(Answer {
            hits,
            total,
            searched: suggestions[0].clone(),
            advice,
            suggestions,
            exact,
        });
    }
    Ok(Answer {
        hits,
        total,
        searched: text.to_string(),
        advice,
        suggestions,
        exact,
    })
}

/// [`search`], and whether the best hit (of the kind asked for) holds a clause as a phrase.
fn search_exact(
    index: &SearchIndex,
    query: &Query,
    opts: &SearchOptions,
) -> Result<(Vec<Hit>, usize, bool)> {
    let (hits, total) = search(index, query, opts)?;
    let exact = hits.first().is_some_and(|h| h.exact > 0);
    Ok((hits, total, exact))
}

/// The folder where `portal build` keeps the tantivy index for `portal search`.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(".portal-cache").join("search")
}

/// A fingerprint of everything the index is made from: the configuration, every Markdown source,
/// whether drafts are in, and this program's version.
pub fn fingerprint(
    config_text: &str,
    sources: &[crate::content::SourceFile],
    drafts: bool,
) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes.iter().chain(&[0xff]) {
            h = (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(env!("CARGO_PKG_VERSION").as_bytes());
    eat(&[export::FORMAT_VERSION as u8, drafts as u8]);
    eat(config_text.as_bytes());
    for f in sources {
        eat(f.rel.as_bytes());
        eat(f.text.as_bytes());
    }
    format!("{h:016x}")
}

/// Refuses a cache that is not the site's own folder: `.portal-cache` or its `search/` as a symbolic
/// link (or not a folder) would make the build delete and rewrite wherever it points.
pub fn check_cache(root: &Path) -> Result<()> {
    let top = root.join(".portal-cache");
    for path in [top.clone(), cache_dir(root)] {
        if let Ok(m) = path.symlink_metadata() {
            if m.file_type().is_symlink() || !m.is_dir() {
                anyhow::bail!(
                    "refusing to use `{}` for the search cache: it is {}, expected a folder of the site's own (remove it; portal makes it again)",
                    path.display(),
                    if m.file_type().is_symlink() { "a symbolic link" } else { "not a folder" }
                );
            }
        }
        if !top.exists() {
            break;
        }
    }
    Ok(())
}

/// Saves the index and its fingerprint into the cache (replacing what was there).
pub fn store_cache(root: &Path, index: &SearchIndex, fingerprint: &str) -> Result<()> {
    check_cache(root)?;
    let dir = cache_dir(root);
    let tmp = dir.with_extension(format!("tmp-{}", std::process::id()));
    index.save(&tmp.join("index"))?;
    std::fs::write(tmp.join("fingerprint"), fingerprint)
        .with_context(|| format!("writing {}", tmp.display()))?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&tmp, &dir)
        .with_context(|| format!("moving the search index into {}", dir.display()))?;
    Ok(())
}

/// Opens the cached index if it was made from exactly these sources.
pub fn open_cache(root: &Path, fingerprint: &str) -> Option<SearchIndex> {
    check_cache(root).ok()?;
    let dir = cache_dir(root);
    let stored = std::fs::read_to_string(dir.join("fingerprint")).ok()?;
    if stored.trim() != fingerprint {
        return None;
    }
    SearchIndex::open(&dir.join("index")).ok()
}
