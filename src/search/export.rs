//! The static browser index, exported from the tantivy index.
//!
//! Stage: render. Input: a [`SearchIndex`] and the synonyms. Output: [`OutputFile`]s under
//! `search/`. Entry function: [`export`]. Every file is a classic script that calls
//! `PortalSearch.register(name, data)`, so pages load them with `<script src>` — also from `file://`,
//! where `fetch` of local files is blocked. A query loads only the files its terms need:
//!
//! | file | holds | loaded |
//! |---|---|---|
//! | `search/meta.js` | statistics, field boosts, tantivy's field-norm table, synonyms, kinds, shard count | with the search page |
//! | `search/t/N.js` | the entries of the terms whose [`term_hash`] is N modulo the shard count | per query term |
//! | `search/t/N-K.js` | one long tier of a term of shard N (its entry says `"@K"`) | when the query needs that tier |
//! | `search/x/N.js`, `x/N-K.js` | the positions of the same tiers (none for single CJK characters, see [`is_single_cjk`]) | only for phrase checks |
//! | `search/d/ID.js` | a page's URL, title, kind and sections (anchor, title, text) | per hit shown |
//! | `search/kinds.js` | one character per page: its kind's index in `meta.kinds` | when filtering by kind |
//! | `search/words.js` | the site's words and their pinyin ([`super::suggest`]) | when no page holds a query as typed |
//! | `search/t2s.js` | the Traditional characters and their Simplified forms | when a query term with a CJK character is found nowhere, or a shown page is Traditional |
//!
//! **Tiers.** A term's documents are ordered by what the term adds to their score (its BM25 summed
//! over the fields, which does not depend on the query), best first, and cut into tiers of
//! [`TIER0_DOCS`] documents, then 4 times as many each time. The browser loads a term's tiers in
//! order and stops as soon as no document outside what it has loaded can reach the results it
//! shows (the threshold algorithm): a query for common words reads the first tiers only, and the
//! list is still exactly the one the command line ranks over every posting.
//!
//! A `t` entry is `[docs, df_title, df_heading, df_body, tier…]` (docs: documents holding the term
//! in any field; df: per field, for the idf); an `x` entry is `[tier…]`. A tier is its data string,
//! or `"@K"` when it is longer than [`BIG_ENTRY_BYTES`] and has a file of its own.
//!
//! Numbers are written as [`write_number`]: 5-bit groups, most significant first, as characters of
//! [`ALPHABET`] — the first 32 characters continue a number, the last 32 end it. A tier's postings
//! string is, per document in id order: the document id's difference from the previous one, a field
//! mask (1 title, 2 headings, 4 body), then per field in the mask its field-norm id and term
//! frequency. Its positions string is, per document and field of the postings, the `tf` positions as
//! differences.

use super::docs::SearchDoc;
use super::index::{fieldnorm_table, SearchIndex};
use super::rank::{
    field_caches, field_score, field_weight, standing, Posting, Stats, TermPostings, BOOSTS,
    CURRENT, FIELDS, SYNONYM_WEIGHT,
};
use super::snippet::{CONTEXT_CHARS, WINDOW_CHARS};
use crate::output::OutputFile;
use crate::text::is_single_cjk;
use crate::text::Synonyms;
use anyhow::Result;
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Digits of the number encoding (see the module header).
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Aim for shard files of about this many bytes of entries.
pub const SHARD_BYTES: usize = 8 * 1024;
/// Entries longer than this get a file of their own.
pub const BIG_ENTRY_BYTES: usize = 2 * 1024;
/// Version of the file format, checked by the browser.
pub const FORMAT_VERSION: u32 = 4;
/// Terms ordered into tiers together (in parallel) while the export reads the index.
const EXPORT_BATCH: usize = 1024;
/// Documents in a term's first tier; each further tier holds 4 times as many as the one before.
pub const TIER0_DOCS: usize = 32;

/// Appends `n` in the number encoding.
pub fn write_number(out: &mut String, n: u32) {
    let mut groups = [0u8; 7];
    let mut len = 0;
    let mut v = n;
    loop {
        groups[len] = (v & 31) as u8;
        len += 1;
        v >>= 5;
        if v == 0 {
            break;
        }
    }
    for i in (1..len).rev() {
        out.push(ALPHABET[groups[i] as usize] as char);
    }
    out.push(ALPHABET[32 + groups[0] as usize] as char);
}

/// FNV-1a over the term's UTF-8 bytes: picks the shard (mirrored by `termHash` in the browser).
pub fn term_hash(term: &str) -> u32 {
    term.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

/// One document's occurrences of a term, per field.
type DocPostings<'a> = (u32, [Option<&'a Posting>; 3]);

/// The postings and positions strings of some documents of a term, in document order.
fn encode(docs: &[DocPostings], with_positions: bool) -> (String, String) {
    let (mut post, mut pos) = (String::new(), String::new());
    let mut prev = 0u32;
    for (d, fields) in docs {
        write_number(&mut post, d - prev);
        prev = *d;
        let mask = (0..3)
            .filter(|&f| fields[f].is_some())
            .map(|f| 1u32 << f)
            .sum();
        write_number(&mut post, mask);
        for x in fields.iter().flatten() {
            write_number(&mut post, x.fieldnorm_id as u32);
            write_number(&mut post, x.tf);
            if with_positions {
                let mut last = 0u32;
                for &q in &x.positions {
                    write_number(&mut pos, q - last);
                    last = q;
                }
            }
        }
    }
    (post, pos)
}

/// A term's documents (in any field), with their postings per field, by document id.
pub(super) fn by_doc(p: &TermPostings) -> Vec<DocPostings<'_>> {
    let mut out: Vec<DocPostings> = Vec::new();
    let mut cursor = [0usize; 3];
    loop {
        let next = (0..3)
            .filter_map(|f| p[f].get(cursor[f]).map(|x| x.doc))
            .min();
        let Some(d) = next else { break };
        let mut fields = [None; 3];
        for f in 0..3 {
            if let Some(x) = p[f].get(cursor[f]).filter(|x| x.doc == d) {
                fields[f] = Some(x);
                cursor[f] += 1;
            }
        }
        out.push((d, fields));
    }
    out
}

/// The tiers of a term (see the module header): (postings, positions) strings, best tier first.
/// Positions are left out for single CJK characters ([`is_single_cjk`]).
fn tiers(
    term: &str,
    p: &TermPostings,
    stats: &Stats,
    caches: &[[f32; 256]; 3],
) -> Vec<(String, String)> {
    let with_positions = !is_single_cjk(term);
    let weights: [f32; 3] =
        std::array::from_fn(|f| field_weight(p[f].len() as u64, stats.num_docs, f));
    let mut docs: Vec<(f32, DocPostings)> = by_doc(p)
        .into_iter()
        .map(|(d, fields)| {
            let mut c = 0f32;
            for f in 0..3 {
                if let Some(x) = fields[f] {
                    c += field_score(weights[f], &caches[f], x);
                }
            }
            (c, (d, fields))
        })
        .collect();
    docs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1 .0.cmp(&b.1 .0)));
    let mut out = Vec::new();
    let mut size = TIER0_DOCS;
    let mut rest = &docs[..];
    while !rest.is_empty() {
        let (tier, more) = rest.split_at(size.min(rest.len()));
        let mut tier: Vec<DocPostings> = tier.iter().map(|x| x.1).collect();
        tier.sort_by_key(|x| x.0);
        out.push(encode(&tier, with_positions));
        rest = more;
        size *= 4;
    }
    out
}

/// A term's entries in the `t` and `x` shards.
pub(super) struct TermEntry {
    pub term: String,
    /// Documents holding the term, then its document frequency in each field.
    pub counts: [usize; 4],
    /// (postings, positions) strings, best tier first.
    pub tiers: Vec<(String, String)>,
}

impl TermEntry {
    /// The entry of a term with these postings, its tiers ordered for these statistics.
    pub fn new(term: &str, p: &TermPostings, stats: &Stats, caches: &[[f32; 256]; 3]) -> TermEntry {
        TermEntry {
            term: term.to_string(),
            counts: [by_doc(p).len(), p[0].len(), p[1].len(), p[2].len()],
            tiers: tiers(term, p, stats, caches),
        }
    }
}

/// A classic script that hands `data` to the browser under `name`.
pub(super) fn script(name: &str, data: &Value) -> Vec<u8> {
    format!(
        "PortalSearch.register({},{});\n",
        Value::String(name.into()),
        data
    )
    .into_bytes()
}

/// Writes the shard files of `t` (postings) and `x` (positions) for every term.
pub(super) fn shard_files(entries: &[TermEntry], shards: u32, files: &mut Vec<OutputFile>) {
    type Shard = (Map<String, Value>, Map<String, Value>, usize);
    let mut by_shard: BTreeMap<u32, Shard> = BTreeMap::new();
    for e in entries {
        let n = term_hash(&e.term) % shards;
        let (t, x, own) = by_shard.entry(n).or_default();
        let mut post: Vec<Value> = e.counts.iter().map(|&c| json!(c)).collect();
        let mut pos: Vec<Value> = Vec::new();
        for (a, b) in &e.tiers {
            for (prefix, data, list) in [("t", a, &mut post), ("x", b, &mut pos)] {
                if prefix == "x" && is_single_cjk(&e.term) {
                    continue;
                }
                if data.len() > BIG_ENTRY_BYTES {
                    files.push(OutputFile::bytes(
                        format!("search/{prefix}/{n}-{own}.js"),
                        script(&format!("{prefix}{n}-{own}"), &Value::String(data.clone())),
                    ));
                    list.push(Value::String(format!("@{own}")));
                    *own += 1;
                } else {
                    list.push(Value::String(data.clone()));
                }
            }
        }
        t.insert(e.term.clone(), Value::Array(post));
        if !is_single_cjk(&e.term) {
            x.insert(e.term.clone(), Value::Array(pos));
        }
    }
    for (n, (t, x, _)) in by_shard {
        for (prefix, map) in [("t", t), ("x", x)] {
            files.push(OutputFile::bytes(
                format!("search/{prefix}/{n}.js"),
                script(&format!("{prefix}{n}"), &Value::Object(map)),
            ));
        }
    }
}

/// The static index with what [`super::update`] needs to change parts of it later.
pub struct Export {
    pub files: Vec<OutputFile>,
    pub shards: u32,
    pub stats: Stats,
    pub docs: Vec<SearchDoc>,
}

/// The whole static index (see the module header).
pub fn export(index: &SearchIndex, synonyms: &Synonyms) -> Result<Vec<OutputFile>> {
    Ok(export_all(index, synonyms)?.files)
}

/// The whole static index, and the statistics, shard count and documents it was made with.
pub fn export_all(index: &SearchIndex, synonyms: &Synonyms) -> Result<Export> {
    let stats = index.stats()?;
    let caches = field_caches(&stats, &fieldnorm_table());
    // Terms are read from tantivy in order and ordered into tiers in batches on every core.
    let mut entries = Vec::new();
    let mut batch: Vec<(String, TermPostings)> = Vec::new();
    let flush = |batch: &mut Vec<(String, TermPostings)>, entries: &mut Vec<TermEntry>| {
        entries.par_extend(
            batch
                .par_drain(..)
                .map(|(term, p)| TermEntry::new(&term, &p, &stats, &caches)),
        );
    };
    index.for_each_term(|term, p| {
        batch.push((term.to_string(), p));
        if batch.len() >= EXPORT_BATCH {
            flush(&mut batch, &mut entries);
        }
        Ok(())
    })?;
    flush(&mut batch, &mut entries);
    let small: usize = entries
        .iter()
        .flat_map(|e| e.tiers.iter().map(move |t| (e, t)))
        .filter(|(_, t)| t.0.len() <= BIG_ENTRY_BYTES)
        .map(|(e, t)| e.term.len() + t.0.len() + 6)
        .sum();
    let shards = small.div_ceil(SHARD_BYTES).max(1) as u32;
    let mut files = Vec::new();
    shard_files(&entries, shards, &mut files);
    drop(entries);
    let docs = index.docs()?;
    let kinds = kind_list(&docs);
    files.extend(docs.iter().map(doc_file));
    files.push(kinds_file(&docs, &kinds));
    files.push(meta_file(&stats, shards, synonyms, &kinds, &docs, 1.0));
    files.push(t2s_file());
    files.push(words_file(&docs, synonyms));
    Ok(Export {
        files,
        shards,
        stats,
        docs,
    })
}

/// `search/d/ID.js`: what a hit shows and where it lands.
pub(super) fn doc_file(d: &SearchDoc) -> OutputFile {
    OutputFile::bytes(
        format!("search/d/{}.js", d.id),
        script(&format!("d{}", d.id), &doc_json(d)),
    )
}

/// `search/kinds.js`: each document's kind as its index in `kinds`.
pub(super) fn kinds_file(docs: &[SearchDoc], kinds: &[String]) -> OutputFile {
    let kind_chars: String = docs
        .iter()
        .map(|d| ALPHABET[kinds.iter().position(|k| *k == d.kind).unwrap_or(0)] as char)
        .collect();
    OutputFile::bytes(
        "search/kinds.js",
        script("kinds", &Value::String(kind_chars)),
    )
}

/// `search/meta.js`. `slack` (≥ 1) widens the browser's bound on what a term's unread tiers can
/// add, for tiers ordered with other statistics than these (see [`super::update`]); a full export
/// writes none.
pub(super) fn meta_file(
    stats: &Stats,
    shards: u32,
    synonyms: &Synonyms,
    kinds: &[String],
    docs: &[SearchDoc],
    slack: f64,
) -> OutputFile {
    // Only the few pages that are not current: `{id: standing}`.
    let demoted: Map<String, Value> = docs
        .iter()
        .filter_map(|d| {
            let st = standing(&d.status);
            (st < CURRENT).then(|| (d.id.to_string(), json!(st)))
        })
        .collect();
    let mut meta = json!({
        "version": FORMAT_VERSION,
        "docs": stats.num_docs,
        "fields": FIELDS,
        "boosts": BOOSTS,
        "tokens": stats.total_tokens,
        "norms": fieldnorm_table().to_vec(),
        "shards": shards,
        "synonyms": synonyms.groups,
        "synonymWeight": SYNONYM_WEIGHT,
        "kinds": kinds,
        "context": CONTEXT_CHARS,
        "window": WINDOW_CHARS,
        "demoted": demoted,
    });
    if slack > 1.0 {
        meta["slack"] = json!(slack);
    }
    OutputFile::bytes("search/meta.js", script("meta", &meta))
}

/// The Traditional characters the fold converts ([`crate::text::t2s_table`]), as the differences
/// between successive code points from U+3400 in the number encoding (3.9 KB).
fn traditional_characters() -> String {
    let mut out = String::new();
    let mut prev = 0x3400u32;
    for &(t, _) in crate::text::t2s_table() {
        write_number(&mut out, t as u32 - prev);
        prev = t as u32;
    }
    out
}

/// `search/t2s.js`: `k` the Traditional characters ([`traditional_characters`]), `v` the
/// Simplified form of each, in the same order (chains such as 薴 → 苧 → 苎 followed, as
/// [`crate::text::t2s`] does). The index holds folded text only, so a query term with a
/// Traditional character is found nowhere: the browser loads this file when a query term with a
/// CJK character is found nowhere, or to mark snippets of a page written in Traditional characters.
pub(super) fn t2s_file() -> OutputFile {
    let simplified: String = crate::text::t2s_table()
        .iter()
        .map(|&(t, _)| crate::text::t2s(t))
        .collect();
    let data = json!({ "k": traditional_characters(), "v": simplified });
    OutputFile::bytes("search/t2s.js", script("t2s", &data))
}

/// `search/words.js`: the [`super::suggest::Suggester`] word list — `w` the words joined by `|`
/// (most pages first), `n` their page counts in the number encoding, `p` the readings as
/// `syllable` + its characters, joined by `|` (a 多音字 is under each of its syllables). Loaded only when no page holds a query as typed.
pub(super) fn words_file(docs: &[SearchDoc], synonyms: &Synonyms) -> OutputFile {
    let s = super::suggest::Suggester::new(docs, synonyms);
    let words: Vec<String> = s.words.iter().map(|(w, _)| w.iter().collect()).collect();
    let mut counts = String::new();
    for (_, n) in &s.words {
        write_number(&mut counts, *n);
    }
    let mut by_reading: BTreeMap<&str, Vec<char>> = BTreeMap::new();
    for (c, rs) in &s.readings {
        for r in rs {
            by_reading.entry(r.as_str()).or_default().push(*c);
        }
    }
    let readings: Vec<String> = by_reading
        .into_iter()
        .map(|(r, mut cs)| {
            cs.sort_unstable();
            format!("{r}{}", cs.into_iter().collect::<String>())
        })
        .collect();
    let data = json!({ "w": words.join("|"), "n": counts, "p": readings.join("|") });
    OutputFile::bytes("search/words.js", script("words", &data))
}

/// Kind labels present, in the order of `Kind::ALL`.
pub(super) fn kind_list(docs: &[SearchDoc]) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for k in crate::page::Kind::ALL.map(super::docs::kind_label) {
        if !kinds.iter().any(|x| x == k) && docs.iter().any(|d| d.kind == k) {
            kinds.push(k.to_string());
        }
    }
    kinds
}

fn doc_json(d: &SearchDoc) -> Value {
    let sections: Vec<Value> = d
        .sections
        .iter()
        .map(|s| json!([s.anchor, s.title, s.text]))
        .collect();
    // The browser makes an `href` of it: percent-encoded like every path portal links to.
    let url = crate::html::url_path(&d.url);
    let mut v = json!({ "u": url, "t": d.title, "k": d.kind, "s": sections });
    if !d.status.is_empty() {
        v["st"] = json!(d.status);
    }
    if !d.doc_number.is_empty() {
        v["no"] = json!(d.doc_number);
    }
    // Pages holding Traditional characters need `t2s.js` to mark their snippets.
    if d.sections
        .iter()
        .any(|s| has_traditional(&s.text) || has_traditional(&s.title))
    {
        v["tr"] = json!(1);
    }
    v
}

fn has_traditional(text: &str) -> bool {
    text.chars().any(|c| crate::text::t2s(c) != c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::rank::Posting;

    #[test]
    fn numbers_are_short() {
        let mut s = String::new();
        for n in [0, 31, 32, 1000, u32::MAX] {
            write_number(&mut s, n);
        }
        assert_eq!(s, "g_BgfoDfffff_");
    }

    #[test]
    fn postings_encode_docs_fields_and_positions() {
        let p = |doc, id, tf, pos: &[u32]| Posting {
            doc,
            fieldnorm_id: id,
            tf,
            positions: pos.to_vec(),
        };
        let t: TermPostings = [
            vec![p(3, 2, 1, &[0])],
            vec![],
            vec![p(1, 40, 2, &[5, 9]), p(3, 7, 1, &[4])],
        ];
        let (post, pos) = encode(&by_doc(&t), true);
        // doc 1: body (4), norm 40, tf 2 | doc 3 (+2): title+body (5), norm 2 tf 1, norm 7 tf 1
        assert_eq!(post, "hkBoiilihnh");
        assert_eq!(pos, "lkgk");
        assert_eq!(term_hash("a"), 0xe40c292c);
    }

    #[test]
    fn tiers_hold_the_best_documents_first() {
        let p = |doc, tf| Posting {
            doc,
            fieldnorm_id: 20,
            tf,
            positions: (0..tf).collect(),
        };
        // 200 documents in the body; the term is most frequent in the last ones.
        let body: Vec<Posting> = (0..200).map(|d| p(d, 1 + d)).collect();
        let t: TermPostings = [vec![], vec![], body];
        let stats = Stats {
            num_docs: 1000,
            total_tokens: [1000, 1000, 40_000],
        };
        let caches = field_caches(&stats, &fieldnorm_table());
        let tiers = tiers("风险", &t, &stats, &caches);
        assert_eq!(tiers.len(), 3, "32 + 128 + 40 documents");
        assert_eq!(docs_of(&tiers[0].0), (168..200).collect::<Vec<u32>>());
        assert_eq!(docs_of(&tiers[2].0), (0..40).collect::<Vec<u32>>());
    }

    /// The document ids of a tier's postings string (body-only postings: delta, mask, norm, tf).
    fn docs_of(post: &str) -> Vec<u32> {
        let mut nums = Vec::new();
        let mut n = 0u32;
        for c in post.bytes() {
            let d = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
            if d < 32 {
                n = n * 32 + d;
            } else {
                nums.push(n * 32 + d - 32);
                n = 0;
            }
        }
        let mut doc = 0;
        nums.chunks(4)
            .map(|c| {
                doc += c[0];
                doc
            })
            .collect()
    }
}
