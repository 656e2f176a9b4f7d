//! Ranking: tantivy's BM25 per field with boosts, summed per clause, with exact phrases first.
//!
//! Stage: query (pure). Input: a [`Query`], the index [`Stats`] and the postings of the query's
//! terms. Output: [`Ranked`] documents, best first. Entry function: [`rank`]. Mirrored exactly
//! (the same `f32` operations in the same order) by `rank` in
//! `themes/default/static/js/search-core.js`, so the command line and the browser give the same
//! list.
//!
//! - A term's score in a field is tantivy's BM25 (`tantivy::query::Bm25Weight`):
//!   `idf · (1 + k1) · boost · tf / (tf + k1 · (1 − b + b · fieldnorm / avg_fieldnorm))`, k1 = 1.2,
//!   b = 0.75, `idf = ln(1 + (N − df + 0.5) / (df + 0.5))`, with the field length decoded from
//!   tantivy's one-byte field norm. (The logarithm is taken in `f64` and rounded to `f32`, so that
//!   JavaScript's `Math.log` gives the same bits; tantivy's own `f32::ln` may differ in the last bit.)
//! - A variant scores the sum over its distinct terms and the fields (title ×3, headings ×2, body ×1);
//!   a clause scores its best variant (synonym variants ×0.75); a document the sum over clauses.
//! - A clause is *exact* in a document when one of its variants' terms stand at their relative
//!   positions in one field: the words typed stand together in the text.
//! - Documents are ordered by, in turn (each decides only when the ones before are equal):
//!   1. *match points*: per clause 3 when the words as typed stand together in the title
//!      ([`LITERAL_POINTS`] + [`TITLE_POINTS`]), 2 when they do in another field, 1 when only a
//!      synonym's words do ([`SYNONYM_POINTS`]), else 0; so a page that literally says 稳评 comes
//!      before one that says 社会稳定风险评估 for the query 稳评, and 暂行办法 finds the measure
//!      of that name before the pages that mention it;
//!   2. *standing*, the validity its 状态 gives ([`standing`]): 现行有效 and pages without a status
//!      2, 已修订 1, 已废止 and 已失效 0 — a repealed measure never comes before a current page that
//!      matches as well;
//!   3. the BM25 sum; 4. site order.
//!
//!   As one number: `(points · 3 + standing) · bound + bm25`, with `bound` above any BM25 sum.

use super::query::Query;
use crate::text::is_single_cjk;
use std::collections::HashMap;

/// The indexed fields, in scoring order.
pub const FIELDS: [&str; 3] = ["title", "heading", "body"];
/// Field boosts (title and heading matches weigh more).
pub const BOOSTS: [f32; 3] = [3.0, 2.0, 1.0];
/// Weight of a clause variant made by a synonym.
pub const SYNONYM_WEIGHT: f32 = 0.75;
/// Match points of a clause whose words stand together as typed.
pub const LITERAL_POINTS: u32 = 2;
/// Match points added when the words as typed stand together in the title (the page is about
/// them: a repealed measure's own name finds it before the current pages that mention it).
pub const TITLE_POINTS: u32 = 1;
/// Match points of a clause whose words stand together only through a synonym.
pub const SYNONYM_POINTS: u32 = 1;
/// Standing of a current page (现行有效, or any page without a status).
pub const CURRENT: u32 = 2;
/// Standing levels: current, amended, repealed (the score's multiplier of `bound`).
const STANDINGS: u32 = 3;
const K1: f32 = 1.2;

/// A page's standing from its 状态 (see the module header).
pub fn standing(status: &str) -> u32 {
    match status {
        "已废止" | "已失效" => 0,
        "已修订" => 1,
        _ => CURRENT,
    }
}
const B: f32 = 0.75;

/// Collection statistics (tantivy's `Bm25StatisticsProvider`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub num_docs: u64,
    /// Tokens in each field over all documents.
    pub total_tokens: [u64; 3],
}

/// One document's occurrences of a term in one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub doc: u32,
    pub fieldnorm_id: u8,
    pub tf: u32,
    /// Sorted token positions (empty when not loaded; only needed for phrase checks).
    pub positions: Vec<u32>,
}

/// A term's postings in each field, sorted by document.
pub type TermPostings = [Vec<Posting>; 3];

/// A ranked document.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub doc: u32,
    /// Match points: [`LITERAL_POINTS`] or [`SYNONYM_POINTS`] per clause found as an exact phrase.
    pub exact: u32,
    /// [`standing`] of the page.
    pub standing: u32,
    /// The BM25 sum.
    pub bm25: f32,
    /// `(exact · 3 + standing) · bound + bm25`, where `bound` exceeds any BM25 sum of this query:
    /// the order as one number.
    pub score: f64,
}

/// tantivy's idf, with the logarithm in f64 (see the module header).
pub fn idf(doc_freq: u64, num_docs: u64) -> f32 {
    let x = ((num_docs - doc_freq.min(num_docs)) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    ((1.0f32 + x) as f64).ln() as f32
}

/// `k1 · (1 − b + b · fieldnorm / avg)` for every field-norm id (tantivy's tf cache).
pub fn norm_cache(avg_fieldnorm: f32, table: &[u32; 256]) -> [f32; 256] {
    let mut cache = [0f32; 256];
    for (id, c) in cache.iter_mut().enumerate() {
        *c = K1 * (1.0 - B + B * table[id] as f32 / avg_fieldnorm);
    }
    cache
}

/// The norm caches of the three fields for these statistics.
pub fn field_caches(stats: &Stats, table: &[u32; 256]) -> [[f32; 256]; 3] {
    std::array::from_fn(|f| {
        norm_cache(
            stats.total_tokens[f] as f32 / stats.num_docs.max(1) as f32,
            table,
        )
    })
}

/// A term's boosted weight in field `f` when `doc_freq` documents hold it there.
pub fn field_weight(doc_freq: u64, num_docs: u64, f: usize) -> f32 {
    idf(doc_freq, num_docs) * (1.0 + K1) * BOOSTS[f]
}

/// What one occurrence list adds to a document's score: `weight · tf / (tf + cache[fieldnorm])`.
pub fn field_score(weight: f32, cache: &[f32; 256], p: &Posting) -> f32 {
    let tf = p.tf as f32;
    weight * (tf / (tf + cache[p.fieldnorm_id as usize]))
}

/// What scoring needs per (term, field): the boosted weight and the postings by document.
struct FieldTerm<'a> {
    weight: f32,
    by_doc: HashMap<u32, &'a Posting>,
}

/// Ranks every document holding at least one query term. `table` is tantivy's field-norm table;
/// `demoted` the [`standing`] of every document that is not [`CURRENT`].
pub fn rank(
    query: &Query,
    stats: &Stats,
    postings: &HashMap<String, TermPostings>,
    table: &[u32; 256],
    demoted: &HashMap<u32, u32>,
) -> Vec<Ranked> {
    let caches = field_caches(stats, table);
    let mut terms: HashMap<&str, Vec<FieldTerm>> = HashMap::new();
    let mut docs: Vec<u32> = Vec::new();
    for term in query.terms() {
        let Some(p) = postings.get(term) else {
            continue;
        };
        let fields = (0..3)
            .map(|f| {
                let w = field_weight(p[f].len() as u64, stats.num_docs, f);
                docs.extend(p[f].iter().map(|x| x.doc));
                FieldTerm {
                    weight: w,
                    by_doc: p[f].iter().map(|x| (x.doc, x)).collect(),
                }
            })
            .collect();
        terms.insert(term, fields);
    }
    docs.sort_unstable();
    docs.dedup();
    let bound = score_bound(query, &terms);
    let mut out: Vec<Ranked> = docs
        .into_iter()
        .map(|d| {
            let st = demoted.get(&d).copied().unwrap_or(CURRENT);
            score_doc(query, &terms, &caches, d, st, bound)
        })
        .collect();
    out.sort_by(|a, b| {
        b.exact
            .cmp(&a.exact)
            .then(b.standing.cmp(&a.standing))
            .then(b.bm25.total_cmp(&a.bm25))
            .then(a.doc.cmp(&b.doc))
    });
    out
}

fn score_doc(
    query: &Query,
    terms: &HashMap<&str, Vec<FieldTerm>>,
    caches: &[[f32; 256]; 3],
    doc: u32,
    standing: u32,
    bound: f32,
) -> Ranked {
    let mut bm25 = 0f32;
    let mut exact = 0u32;
    for clause in &query.clauses {
        let mut best = 0f32;
        let mut points = 0u32;
        for v in &clause.variants {
            let mut s = 0f32;
            for text in v.distinct_terms() {
                let Some(fields) = terms.get(text) else {
                    continue;
                };
                for (f, ft) in fields.iter().enumerate() {
                    if let Some(p) = ft.by_doc.get(&doc) {
                        s += field_score(ft.weight, &caches[f], p);
                    }
                }
            }
            if v.synonym {
                s *= SYNONYM_WEIGHT;
            }
            if s > best {
                best = s;
            }
            let worth = if v.synonym {
                SYNONYM_POINTS
            } else {
                LITERAL_POINTS + TITLE_POINTS
            };
            if worth > points && is_phrase(v, terms, doc, 0..3) {
                points = if v.synonym || is_phrase(v, terms, doc, 0..1) {
                    worth
                } else {
                    LITERAL_POINTS
                };
            }
        }
        bm25 += best;
        exact += points;
    }
    Ranked {
        doc,
        exact,
        standing,
        bm25,
        score: (exact * STANDINGS + standing) as f64 * bound as f64 + bm25 as f64,
    }
}

/// Whether the variant's terms stand at their relative positions in one field of `doc` (single CJK
/// characters: anywhere in that field, see [`is_single_cjk`]).
fn is_phrase(
    v: &super::query::Variant,
    terms: &HashMap<&str, Vec<FieldTerm>>,
    doc: u32,
    fields: std::ops::Range<usize>,
) -> bool {
    let get = |text: &str, f: usize| {
        terms
            .get(text)
            .and_then(|fs| fs[f].by_doc.get(&doc).copied())
    };
    fields.into_iter().any(|f| {
        // Single CJK characters carry no positions in the browser's index: present is enough.
        let (loose, placed): (Vec<_>, Vec<_>) =
            v.terms.iter().partition(|t| is_single_cjk(&t.text));
        if !loose.iter().all(|t| get(&t.text, f).is_some()) {
            return false;
        }
        let Some((anchor, rest)) = placed.split_first() else {
            return true;
        };
        let Some(first) = get(&anchor.text, f) else {
            return false;
        };
        if rest.is_empty() {
            return true;
        }
        first.positions.iter().any(|&p| {
            rest.iter().all(|t| {
                get(&t.text, f)
                    .is_some_and(|x| x.positions.binary_search(&(p + t.rel - anchor.rel)).is_ok())
            })
        })
    })
}

/// An upper bound of any document's BM25 sum for this query (each tf factor is below 1).
fn score_bound(query: &Query, terms: &HashMap<&str, Vec<FieldTerm>>) -> f32 {
    let mut total = 0f32;
    for clause in &query.clauses {
        let mut best = 0f32;
        for v in &clause.variants {
            let mut s = 0f32;
            for text in v.distinct_terms() {
                for ft in terms
                    .get(text)
                    .into_iter()
                    .flatten()
                    .filter(|ft| !ft.by_doc.is_empty())
                {
                    s += ft.weight;
                }
            }
            if v.synonym {
                s *= SYNONYM_WEIGHT;
            }
            if s > best {
                best = s;
            }
        }
        total += best;
    }
    total + 1.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Synonyms;

    fn posting(doc: u32, tf: u32, positions: &[u32]) -> Posting {
        Posting {
            doc,
            fieldnorm_id: 10,
            tf,
            positions: positions.to_vec(),
        }
    }

    #[test]
    fn exact_phrases_rank_above_scattered_terms() {
        let q = Query::parse("风险评估", &Synonyms::default());
        let mut p: HashMap<String, TermPostings> = HashMap::new();
        // doc 1 has 风险 and 评估 many times but apart; doc 2 has the phrase once.
        p.insert(
            "风险".into(),
            [
                vec![],
                vec![],
                vec![posting(1, 5, &[0, 10, 20, 30, 40]), posting(2, 1, &[7])],
            ],
        );
        p.insert("险评".into(), [vec![], vec![], vec![posting(2, 1, &[8])]]);
        p.insert(
            "评估".into(),
            [
                vec![],
                vec![],
                vec![posting(1, 5, &[5, 15, 25, 35, 45]), posting(2, 1, &[9])],
            ],
        );
        let stats = Stats {
            num_docs: 10,
            total_tokens: [30, 30, 300],
        };
        let table = std::array::from_fn(|i| i as u32);
        let r = rank(&q, &stats, &p, &table, &HashMap::new());
        assert_eq!(
            r.iter().map(|r| (r.doc, r.exact)).collect::<Vec<_>>(),
            [(2, LITERAL_POINTS), (1, 0)]
        );
        assert!(r[0].score > r[1].score);
        // Repealed, doc 2 still ranks first on exactness; with doc 1 exact too it would come second.
        let r = rank(&q, &stats, &p, &table, &HashMap::from([(2, 0)]));
        assert_eq!((r[0].doc, r[0].standing), (2, 0));
    }

    #[test]
    fn a_lone_character_in_a_phrase_needs_only_to_be_in_the_same_field() {
        // "评估·报": 评估 then the lone 报 two places on; 报 has no positions in the browser.
        let q = Query::parse("评估·报", &Synonyms::default());
        assert_eq!(q.terms(), ["评估", "报"]);
        let mut p: HashMap<String, TermPostings> = HashMap::new();
        p.insert(
            "评估".into(),
            [
                vec![],
                vec![],
                vec![posting(1, 1, &[3]), posting(2, 1, &[3])],
            ],
        );
        let no_positions = |doc| Posting {
            positions: Vec::new(),
            ..posting(doc, 1, &[])
        };
        p.insert(
            "报".into(),
            [vec![no_positions(2)], vec![], vec![no_positions(1)]],
        );
        let stats = Stats {
            num_docs: 10,
            total_tokens: [30, 30, 300],
        };
        let table = std::array::from_fn(|i| i as u32);
        let r = rank(&q, &stats, &p, &table, &HashMap::new());
        let exact: Vec<(u32, u32)> = r.iter().map(|r| (r.doc, r.exact)).collect();
        assert!(exact.contains(&(1, 2)), "same field (body): {exact:?}");
        assert!(exact.contains(&(2, 0)), "different fields: {exact:?}");
    }

    #[test]
    fn idf_matches_tantivy() {
        // The whole term score equals tantivy's Bm25Weight for the same statistics.
        let table: [u32; 256] =
            std::array::from_fn(|i| tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(i as u8));
        let cache = norm_cache(10.0, &table);
        for (df, id, tf) in [(1u64, 5u8, 1u32), (40, 30, 3), (99, 200, 12)] {
            let w = tantivy::query::Bm25Weight::for_one_term(df, 100, 10.0);
            let ours = idf(df, 100) * (1.0 + K1) * (tf as f32 / (tf as f32 + cache[id as usize]));
            assert!(
                (ours - w.score(id, tf)).abs() <= ours.abs() * 1e-6,
                "{df} {id} {tf}: {ours} vs {}",
                w.score(id, tf)
            );
        }
    }
}
