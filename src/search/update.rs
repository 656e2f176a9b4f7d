//! The static browser index of `portal serve`, changed in the parts an edit touches.
//!
//! Stage: render (serve only). Input: the new site and the index of the previous one. Output: the
//! files of `search/` (see `export.rs`), of which only these are made again when a few pages change:
//! the `t`/`x` shards holding a term of their old or new text, their `d/ID.js`, `kinds.js` and
//! `meta.js`. Entry points: [`LiveIndex::build`], [`LiveIndex::update`].
//!
//! **How.** A changed page's occurrences are read from its old and new search document with the
//! tokenizer tantivy indexes with (the field norms and positions tantivy would store; a test checks
//! them against tantivy on the sample site). A touched term's tiers are decoded, the page's postings
//! replaced, and the tiers ordered again with the new statistics. The shard holding the term is
//! written again; the other terms keep their tiers.
//!
//! **Why the lists stay exact.** The browser stops loading a term's tiers once no unread document
//! can add more than the least a loaded one adds (`floor` in search-core.js). Untouched terms keep
//! the order of the statistics they were ordered with, and an edit changes the average field
//! lengths a little. A document's BM25 in one field, `w·tf/(tf + k1·(1 − b + b·len/avg))`, changes
//! by a factor between 1 and `avg_new/avg_old` when the average moves, so an unread document can
//! exceed the floor by at most `slack = hi/lo`: `hi` the largest and `lo` the smallest such factor
//! over the fields and every set of statistics still in use. `meta.js` carries `slack` and the
//! browser multiplies the floor by it. (The document count and each untouched term's document
//! frequencies are unchanged, so the idf is too.) When the slack would pass [`MAX_SLACK`], or pages
//! are added, removed or reordered, or the synonyms change, everything is exported again.

use super::docs::{collect_docs, SearchDoc};
use super::export::{
    doc_file, export_all, kind_list, kinds_file, meta_file, shard_files, term_hash, words_file,
    TermEntry, ALPHABET,
};
use super::index::{fieldnorm_table, SearchIndex};
use super::rank::{field_caches, Posting, Stats, TermPostings};
use crate::site::Site;
use crate::text::Synonyms;
use crate::text::{is_single_cjk, tokenize};
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tantivy::fieldnorm::FieldNormReader;

/// The files of the static index: site-relative path → bytes.
pub type Files = HashMap<String, Arc<Vec<u8>>>;

/// Above this many changed pages (or [`MAX_CHANGED_SHARE`] of them), everything is exported again.
pub const MAX_CHANGED: usize = 64;
/// The share of all pages above which everything is exported again.
pub const MAX_CHANGED_SHARE: f64 = 0.05;
/// The largest slack (see the module header) before everything is exported again: one more tier at
/// worst for a query of common words, never a wrong list.
pub const MAX_SLACK: f64 = 1.05;

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// No search document changed.
    Nothing,
    /// These pages changed; so many files were written again (and so many removed).
    Parts {
        pages: usize,
        written: usize,
        removed: usize,
    },
    /// Everything was exported again, for this reason.
    Full(String),
}

/// The static index of the last site, with what updating it needs.
pub struct LiveIndex {
    files: Arc<Files>,
    docs: Vec<SearchDoc>,
    synonyms: Synonyms,
    stats: Stats,
    shards: u32,
    kinds: Vec<String>,
    /// Per field, the smallest and largest average field length among the statistics the tiers in
    /// the files were ordered with.
    ordered_with: [(f64, f64); 3],
}

impl LiveIndex {
    /// Indexes the whole site with tantivy and exports it.
    pub fn build(site: &Site) -> Result<LiveIndex> {
        LiveIndex::from_docs(
            collect_docs(site),
            Synonyms::new(&site.config.search.synonym_groups()),
        )
    }

    /// Indexes these documents with tantivy and exports them.
    pub fn from_docs(docs: Vec<SearchDoc>, synonyms: Synonyms) -> Result<LiveIndex> {
        let index = SearchIndex::build(&docs)?;
        drop(docs);
        let export = export_all(&index, &synonyms)?;
        drop(index);
        let files: Files = export
            .files
            .into_iter()
            .map(|f| {
                let bytes = f.read().map(|b| b.into_owned())?;
                Ok((f.path, Arc::new(bytes)))
            })
            .collect::<Result<_>>()?;
        let avgs = averages(&export.stats);
        Ok(LiveIndex {
            files: Arc::new(files),
            kinds: kind_list(&export.docs),
            docs: export.docs,
            synonyms,
            stats: export.stats,
            shards: export.shards,
            ordered_with: avgs.map(|a| (a, a)),
        })
    }

    /// The files of the static index (shared: an update copies the map, not the bytes).
    pub fn files(&self) -> Arc<Files> {
        self.files.clone()
    }

    /// The slack the browser applies (see the module header); 1 after a full export.
    pub fn slack(&self) -> f64 {
        slack(&self.ordered_with, &averages(&self.stats))
    }

    /// Brings the index up to `site`: the parts a few changed pages touch, or everything.
    pub fn update(&mut self, site: &Site) -> Result<Change> {
        self.update_docs(
            collect_docs(site),
            Synonyms::new(&site.config.search.synonym_groups()),
        )
    }

    /// Brings the index up to these documents (see [`LiveIndex::update`]).
    pub fn update_docs(&mut self, docs: Vec<SearchDoc>, synonyms: Synonyms) -> Result<Change> {
        let full = |why: String, me: &mut LiveIndex, docs: Vec<SearchDoc>| -> Result<Change> {
            *me = LiveIndex::from_docs(docs, synonyms.clone())?;
            Ok(Change::Full(why))
        };
        if synonyms.groups != self.synonyms.groups {
            return full("the synonyms changed".into(), self, docs);
        }
        if docs.len() != self.docs.len() || docs.iter().zip(&self.docs).any(|(a, b)| a.url != b.url)
        {
            return full("pages were added, removed or renamed".into(), self, docs);
        }
        if kind_list(&docs) != self.kinds {
            return full("the kinds of pages changed".into(), self, docs);
        }
        let changed: Vec<usize> = (0..docs.len())
            .filter(|&i| docs[i] != self.docs[i])
            .collect();
        if changed.is_empty() {
            return Ok(Change::Nothing);
        }
        let limit = MAX_CHANGED.max((docs.len() as f64 * MAX_CHANGED_SHARE) as usize);
        if changed.len() > limit {
            return full(format!("{} pages changed", changed.len()), self, docs);
        }
        // The changed pages' occurrences before and after, and the new statistics.
        let mut stats = self.stats.clone();
        let mut occurrences: BTreeMap<String, Vec<(u32, DocTerm)>> = BTreeMap::new();
        for &i in &changed {
            let (old_len, old) = doc_postings(&self.docs[i]);
            let (new_len, new) = doc_postings(&docs[i]);
            for f in 0..3 {
                stats.total_tokens[f] =
                    stats.total_tokens[f] - old_len[f] as u64 + new_len[f] as u64;
            }
            // A term of the old text only is touched too: the page leaves its postings.
            for term in old.into_keys() {
                occurrences.entry(term).or_default();
            }
            for (term, fields) in new {
                occurrences
                    .entry(term)
                    .or_default()
                    .push((i as u32, fields));
            }
        }
        let avgs = averages(&stats);
        let mut ordered_with = self.ordered_with;
        for (f, a) in avgs.iter().enumerate() {
            ordered_with[f] = (ordered_with[f].0.min(*a), ordered_with[f].1.max(*a));
        }
        let new_slack = slack(&ordered_with, &avgs);
        if new_slack > MAX_SLACK {
            return full(
                format!("the tiers' slack would be {new_slack:.3}"),
                self,
                docs,
            );
        }
        // The shards holding a touched term, with the changes to their terms.
        let changed_ids: BTreeSet<u32> = changed.iter().map(|&i| i as u32).collect();
        let mut by_shard: BTreeMap<u32, Vec<TermChange>> = BTreeMap::new();
        for (term, docs) in occurrences {
            by_shard
                .entry(term_hash(&term) % self.shards)
                .or_default()
                .push((term, docs));
        }
        let caches = field_caches(&stats, &fieldnorm_table());
        // Shards are rewritten on a few threads (they inherit the caller's CPU priority), reading
        // the current files; the results are swapped in afterwards.
        let by_shard: Vec<_> = by_shard.into_iter().collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let chunk = by_shard.len().div_ceil(threads).max(1);
        let current = &self.files;
        let shards = self.shards;
        let rewritten: Vec<Result<Vec<Rewritten>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = by_shard
                .chunks(chunk)
                .map(|part| {
                    let (changed_ids, stats, caches) = (&changed_ids, &stats, &caches);
                    scope.spawn(move || {
                        part.iter()
                            .map(|(shard, terms)| {
                                rewrite_shard(
                                    current,
                                    *shard,
                                    terms,
                                    changed_ids,
                                    stats,
                                    caches,
                                    shards,
                                )
                            })
                            .collect()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("a shard worker panicked"))
                .collect()
        });
        let mut files = Arc::unwrap_or_clone(std::mem::take(&mut self.files));
        let mut written = 0;
        let mut gone: std::collections::HashSet<String> = Default::default();
        for part in rewritten {
            for (old_paths, out) in part? {
                for path in old_paths {
                    if files.remove(&path).is_some() {
                        gone.insert(path);
                    }
                }
                for (path, bytes) in out {
                    written += 1;
                    gone.remove(&path);
                    files.insert(path, bytes);
                }
            }
        }
        let mut put = |f: crate::output::OutputFile| -> Result<()> {
            written += 1;
            let bytes = f.read()?.into_owned();
            files.insert(f.path, Arc::new(bytes));
            Ok(())
        };
        for &i in &changed {
            put(doc_file(&docs[i]))?;
        }
        put(kinds_file(&docs, &self.kinds))?;
        put(words_file(&docs, &synonyms))?;
        put(meta_file(
            &stats,
            self.shards,
            &synonyms,
            &self.kinds,
            &docs,
            new_slack,
        ))?;
        self.files = Arc::new(files);
        self.docs = docs;
        self.stats = stats;
        self.ordered_with = ordered_with;
        Ok(Change::Parts {
            pages: changed.len(),
            written,
            removed: gone.len(),
        })
    }
}

/// A touched term and the changed pages' new occurrences of it (none: the page left it).
type TermChange = (String, Vec<(u32, DocTerm)>);

/// A shard's old file paths, and its new files.
type Rewritten = (Vec<String>, Vec<(String, Arc<Vec<u8>>)>);

/// Shard `shard` with the changed pages' postings of `terms` replaced (see the module header).
fn rewrite_shard(
    files: &Files,
    shard: u32,
    terms: &[TermChange],
    changed_ids: &BTreeSet<u32>,
    stats: &Stats,
    caches: &[[f32; 256]; 3],
    shards: u32,
) -> Result<Rewritten> {
    let (mut entries, old_paths) = read_shard(files, shard)?;
    for (term, news) in terms {
        let mut postings: TermPostings = match entries.remove(term) {
            Some(e) => decode_entry(term, &e)?,
            None => Default::default(),
        };
        for list in postings.iter_mut() {
            list.retain(|p| !changed_ids.contains(&p.doc));
        }
        for (doc, fields) in news {
            for (f, p) in fields.iter().enumerate() {
                if let Some(p) = p {
                    let at = postings[f].partition_point(|x| x.doc < *doc);
                    postings[f].insert(
                        at,
                        Posting {
                            doc: *doc,
                            ..p.clone()
                        },
                    );
                }
            }
        }
        if postings.iter().all(Vec::is_empty) {
            continue;
        }
        let e = TermEntry::new(term, &postings, stats, caches);
        entries.insert(term.clone(), Entry::from(e));
    }
    let entries: Vec<TermEntry> = entries
        .into_iter()
        .map(|(term, e)| e.into_term_entry(term))
        .collect();
    let mut out = Vec::new();
    shard_files(&entries, shards, &mut out);
    let out = out
        .into_iter()
        .map(|f| Ok((f.path.clone(), Arc::new(f.read()?.into_owned()))))
        .collect::<Result<_>>()?;
    Ok((old_paths, out))
}

/// A page's occurrences of one term, per field (the document id is set where it is used).
type DocTerm = [Option<Posting>; 3];

fn empty() -> DocTerm {
    [None, None, None]
}

/// Average field lengths of these statistics.
fn averages(stats: &Stats) -> [f64; 3] {
    std::array::from_fn(|f| stats.total_tokens[f] as f64 / stats.num_docs.max(1) as f64)
}

/// The factor by which an unread document may exceed a term's floor (see the module header), with
/// a margin for rounding.
fn slack(ordered_with: &[(f64, f64); 3], now: &[f64; 3]) -> f64 {
    let (mut hi, mut lo) = (1f64, 1f64);
    for f in 0..3 {
        let (min, max) = ordered_with[f];
        if min <= 0.0 || max <= 0.0 || now[f] <= 0.0 {
            // A field that was empty: its norms are all one value, no order depends on them.
            continue;
        }
        hi = hi.max(now[f] / min);
        lo = lo.min(now[f] / max);
    }
    let s = hi / lo;
    if s > 1.0 {
        s * (1.0 + 1e-6)
    } else {
        1.0
    }
}

/// A page's field lengths (tokens, as tantivy's field norms count them) and its occurrences of each
/// term, with the positions tantivy stores (none for single CJK characters, which the export leaves
/// without positions).
pub fn doc_postings(doc: &SearchDoc) -> ([u32; 3], BTreeMap<String, DocTerm>) {
    let texts = [
        doc.title_field.clone(),
        doc.heading_field.clone(),
        doc.body(),
    ];
    let mut lens = [0u32; 3];
    let mut out: BTreeMap<String, DocTerm> = BTreeMap::new();
    for (f, text) in texts.iter().enumerate() {
        for t in tokenize(text) {
            if t.text.len() > tantivy::tokenizer::MAX_TOKEN_LEN {
                continue; // tantivy drops such a token without counting it
            }
            lens[f] += 1;
            let with_positions = !is_single_cjk(&t.text);
            let p = out.entry(t.text).or_insert_with(empty)[f].get_or_insert(Posting {
                doc: doc.id,
                fieldnorm_id: 0,
                tf: 0,
                positions: Vec::new(),
            });
            p.tf += 1;
            if with_positions {
                p.positions.push(t.position as u32);
            }
        }
    }
    for fields in out.values_mut() {
        for (f, p) in fields.iter_mut().enumerate() {
            if let Some(p) = p {
                p.fieldnorm_id = FieldNormReader::fieldnorm_to_id(lens[f]);
            }
        }
    }
    (lens, out)
}

/// What tantivy indexes for these documents, read with the tokenizer: each field's token total and
/// each term's postings (see [`doc_postings`]).
pub fn docs_postings(docs: &[SearchDoc]) -> ([u64; 3], BTreeMap<String, TermPostings>) {
    let mut out: BTreeMap<String, TermPostings> = BTreeMap::new();
    let mut totals = [0u64; 3];
    for d in docs {
        let (lens, terms) = doc_postings(d);
        for (total, len) in totals.iter_mut().zip(lens) {
            *total += len as u64;
        }
        for (term, fields) in terms {
            let e = out.entry(term).or_default();
            for (list, p) in e.iter_mut().zip(fields) {
                list.extend(p);
            }
        }
    }
    (totals, out)
}

/// A term's entry as the files hold it: the counts and each tier's (postings, positions) strings.
struct Entry {
    counts: [usize; 4],
    tiers: Vec<(String, String)>,
}

impl From<TermEntry> for Entry {
    fn from(e: TermEntry) -> Entry {
        Entry {
            counts: e.counts,
            tiers: e.tiers,
        }
    }
}

impl Entry {
    fn into_term_entry(self, term: String) -> TermEntry {
        TermEntry {
            term,
            counts: self.counts,
            tiers: self.tiers,
        }
    }
}

/// The data a script file registers: `PortalSearch.register("NAME",DATA);`.
fn script_data(files: &Files, path: &str) -> Result<Option<Value>> {
    let Some(bytes) = files.get(path) else {
        return Ok(None);
    };
    let text = std::str::from_utf8(bytes).with_context(|| format!("{path} is not UTF-8"))?;
    let inner = text
        .trim_end()
        .strip_prefix("PortalSearch.register(")
        .and_then(|t| t.strip_suffix(");"))
        .with_context(|| format!("{path} is not a search index script"))?;
    let mut pair: Vec<Value> =
        serde_json::from_str(&format!("[{inner}]")).with_context(|| format!("reading {path}"))?;
    if pair.len() != 2 {
        bail!("{path}: expected a name and its data");
    }
    Ok(pair.pop())
}

/// A tier string of shard `shard`: inline, or `@K` for the file `search/PREFIX/SHARD-K.js` (whose
/// path is added to `paths`).
fn tier_string(
    files: &Files,
    prefix: &str,
    shard: u32,
    v: &Value,
    paths: &mut Vec<String>,
) -> Result<String> {
    let s = v.as_str().context("a tier that is not a string")?;
    match s.strip_prefix('@') {
        Some(k) => {
            let path = format!("search/{prefix}/{shard}-{k}.js");
            let data = script_data(files, &path)?.with_context(|| format!("{path} is missing"))?;
            let text = data
                .as_str()
                .context("a tier file without a string")?
                .to_string();
            paths.push(path);
            Ok(text)
        }
        None => Ok(s.to_string()),
    }
}

/// Every entry of a shard, by term, and the paths of the shard's files.
fn read_shard(files: &Files, shard: u32) -> Result<(BTreeMap<String, Entry>, Vec<String>)> {
    let mut out = BTreeMap::new();
    let mut paths = Vec::new();
    let Some(Value::Object(t)) = script_data(files, &format!("search/t/{shard}.js"))? else {
        return Ok((out, paths));
    };
    paths.push(format!("search/t/{shard}.js"));
    paths.push(format!("search/x/{shard}.js"));
    let x = match script_data(files, &format!("search/x/{shard}.js"))? {
        Some(Value::Object(x)) => x,
        _ => Default::default(),
    };
    for (term, list) in t {
        let list = list.as_array().context("a term entry that is not a list")?;
        if list.len() < 4 {
            bail!("the entry of {term:?} in shard {shard} is too short");
        }
        let mut counts = [0usize; 4];
        for (c, v) in counts.iter_mut().zip(list) {
            *c = v.as_u64().context("a count that is not a number")? as usize;
        }
        let pos: &[Value] = x.get(&term).and_then(Value::as_array).map_or(&[], |v| v);
        let mut tiers = Vec::new();
        for (k, v) in list[4..].iter().enumerate() {
            let post = tier_string(files, "t", shard, v, &mut paths)?;
            let positions = match pos.get(k) {
                Some(v) => tier_string(files, "x", shard, v, &mut paths)?,
                None => String::new(),
            };
            tiers.push((post, positions));
        }
        out.insert(term, Entry { counts, tiers });
    }
    Ok((out, paths))
}

/// Each byte's digit value in [`ALPHABET`], or 255.
const DIGITS: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The numbers of an encoded string (the inverse of `write_number`).
fn read_numbers(s: &str) -> Result<Vec<u32>> {
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut n = 0u32;
    for c in s.bytes() {
        let d = DIGITS[c as usize] as u32;
        if d < 32 {
            n = n * 32 + d;
        } else if d < 64 {
            out.push(n * 32 + (d - 32));
            n = 0;
        } else {
            bail!("{:?} is not a digit of the index", c as char);
        }
    }
    Ok(out)
}

/// A term's postings in every field, with positions, from its entry.
fn decode_entry(term: &str, e: &Entry) -> Result<TermPostings> {
    let mut out: TermPostings = Default::default();
    let with_positions = !is_single_cjk(term);
    for (post, pos) in &e.tiers {
        let nums = read_numbers(post)?;
        let pos = if with_positions {
            read_numbers(pos)?
        } else {
            Vec::new()
        };
        let (mut i, mut j, mut doc) = (0usize, 0usize, 0u32);
        let next = |i: &mut usize| -> Result<u32> {
            let v = *nums
                .get(*i)
                .with_context(|| format!("the postings of {term:?} end early"))?;
            *i += 1;
            Ok(v)
        };
        while i < nums.len() {
            doc += next(&mut i)?;
            let mask = next(&mut i)?;
            for (f, list) in out.iter_mut().enumerate() {
                if mask & (1 << f) == 0 {
                    continue;
                }
                let fieldnorm_id = u8::try_from(next(&mut i)?).context("a field norm over 255")?;
                let tf = next(&mut i)?;
                let mut positions = Vec::new();
                if with_positions {
                    let mut at = 0u32;
                    for _ in 0..tf {
                        at += *pos
                            .get(j)
                            .with_context(|| format!("the positions of {term:?} end early"))?;
                        j += 1;
                        positions.push(at);
                    }
                }
                list.push(Posting {
                    doc,
                    fieldnorm_id,
                    tf,
                    positions,
                });
            }
        }
    }
    for list in out.iter_mut() {
        list.sort_unstable_by_key(|p| p.doc);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
