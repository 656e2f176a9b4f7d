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
//! | `search/t/N.js` | postings of the terms whose [`term_hash`] is N modulo the shard count; a term with long postings has its own file `t/N-K.js` and its entry is `"@K"` | per query term |
//! | `search/x/N.js` | the positions of the same terms (`x/N-K.js` when long) | only for phrase checks |
//! | `search/d/ID.js` | a page's URL, title, kind and sections (anchor, title, text) | per hit shown |
//! | `search/kinds.js` | one character per page: its kind's index in `meta.kinds` | when filtering by kind |
//!
//! Numbers are written as [`write_number`]: 5-bit groups, most significant first, as characters of
//! [`ALPHABET`] — the first 32 characters continue a number, the last 32 end it. A postings string
//! is, per document: the document id's difference from the previous one, a field mask (1 title, 2
//! headings, 4 body), then per field in the mask its field-norm id and term frequency. A positions
//! string is, per document and field of the postings, the `tf` positions as differences.

use super::docs::SearchDoc;
use super::index::{fieldnorm_table, SearchIndex};
use super::query::Synonyms;
use super::rank::{TermPostings, BOOSTS, FIELDS, SYNONYM_WEIGHT};
use super::snippet::{CONTEXT_CHARS, WINDOW_CHARS};
use crate::output::OutputFile;
use anyhow::Result;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Digits of the number encoding (see the module header).
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Aim for shard files of about this many bytes of entries.
pub const SHARD_BYTES: usize = 8 * 1024;
/// Entries longer than this get a file of their own.
pub const BIG_ENTRY_BYTES: usize = 2 * 1024;
/// Version of the file format, checked by the browser.
pub const FORMAT_VERSION: u32 = 1;

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

/// The postings and positions strings of one term.
fn encode(p: &TermPostings) -> (String, String) {
    let mut docs: Vec<u32> = p.iter().flatten().map(|x| x.doc).collect();
    docs.sort_unstable();
    docs.dedup();
    let mut cursor = [0usize; 3];
    let (mut post, mut pos) = (String::new(), String::new());
    let mut prev = 0u32;
    for d in docs {
        write_number(&mut post, d - prev);
        prev = d;
        let here: Vec<usize> = (0..3)
            .filter(|&f| p[f].get(cursor[f]).is_some_and(|x| x.doc == d))
            .collect();
        write_number(&mut post, here.iter().map(|f| 1u32 << f).sum());
        for f in here {
            let x = &p[f][cursor[f]];
            cursor[f] += 1;
            write_number(&mut post, x.fieldnorm_id as u32);
            write_number(&mut post, x.tf);
            let mut last = 0u32;
            for &q in &x.positions {
                write_number(&mut pos, q - last);
                last = q;
            }
        }
    }
    (post, pos)
}

fn script(name: &str, data: &Value) -> Vec<u8> {
    format!(
        "PortalSearch.register({},{});\n",
        Value::String(name.into()),
        data
    )
    .into_bytes()
}

/// Writes the shard files of one kind (`t` postings or `x` positions).
fn shard_files(
    prefix: &str,
    entries: &[(String, String)],
    shards: u32,
    files: &mut Vec<OutputFile>,
) {
    let mut by_shard: BTreeMap<u32, Map<String, Value>> = BTreeMap::new();
    for (term, data) in entries {
        let n = term_hash(term) % shards;
        let shard = by_shard.entry(n).or_default();
        if data.len() > BIG_ENTRY_BYTES {
            let k = shard
                .values()
                .filter(|v| v.as_str().is_some_and(|s| s.starts_with('@')))
                .count();
            let name = format!("{prefix}{n}-{k}");
            files.push(OutputFile::bytes(
                format!("search/{prefix}/{n}-{k}.js"),
                script(&name, &Value::String(data.clone())),
            ));
            shard.insert(term.clone(), Value::String(format!("@{k}")));
        } else {
            shard.insert(term.clone(), Value::String(data.clone()));
        }
    }
    for (n, map) in by_shard {
        files.push(OutputFile::bytes(
            format!("search/{prefix}/{n}.js"),
            script(&format!("{prefix}{n}"), &Value::Object(map)),
        ));
    }
}

/// The whole static index (see the module header).
pub fn export(index: &SearchIndex, synonyms: &Synonyms) -> Result<Vec<OutputFile>> {
    let postings = index.all_postings()?;
    let encoded: Vec<(String, String, String)> = postings
        .iter()
        .map(|(t, p)| {
            let (a, b) = encode(p);
            (t.clone(), a, b)
        })
        .collect();
    let small: usize = encoded
        .iter()
        .filter(|e| e.1.len() <= BIG_ENTRY_BYTES)
        .map(|e| e.0.len() + e.1.len() + 6)
        .sum();
    let shards = small.div_ceil(SHARD_BYTES).max(1) as u32;
    let mut files = Vec::new();
    let post: Vec<(String, String)> = encoded.iter().map(|e| (e.0.clone(), e.1.clone())).collect();
    let pos: Vec<(String, String)> = encoded.into_iter().map(|e| (e.0, e.2)).collect();
    shard_files("t", &post, shards, &mut files);
    shard_files("x", &pos, shards, &mut files);
    let docs = index.docs()?;
    let kinds = kind_list(&docs);
    for d in &docs {
        files.push(OutputFile::bytes(
            format!("search/d/{}.js", d.id),
            script(&format!("d{}", d.id), &doc_json(d)),
        ));
    }
    let kind_chars: String = docs
        .iter()
        .map(|d| ALPHABET[kinds.iter().position(|k| *k == d.kind).unwrap_or(0)] as char)
        .collect();
    files.push(OutputFile::bytes(
        "search/kinds.js",
        script("kinds", &Value::String(kind_chars)),
    ));
    let stats = index.stats()?;
    let meta = json!({
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
    });
    files.push(OutputFile::bytes("search/meta.js", script("meta", &meta)));
    Ok(files)
}

/// Kind labels present, in the order of `Kind::ALL`.
fn kind_list(docs: &[SearchDoc]) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for k in crate::content::Kind::ALL.map(super::docs::kind_label) {
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
    json!({ "u": d.url, "t": d.title, "k": d.kind, "s": sections })
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
        let (post, pos) = encode(&t);
        // doc 1: body (4), norm 40, tf 2 | doc 3 (+2): title+body (5), norm 2 tf 1, norm 7 tf 1
        assert_eq!(post, "hkBoiilihnh");
        assert_eq!(pos, "lkgk");
        assert_eq!(term_hash("a"), 0xe40c292c);
    }
}
