//! Queries: the text a reader typed → clauses, synonym variants and the terms to look up.
//!
//! Stage: query (pure). Input: the query text and the site's [`Synonyms`]. Output: a [`Query`].
//! Mirrored by `parseQuery` in `themes/default/static/js/search-core.js`.
//!
//! The query is folded and split at white space into *clauses* (`征地 补偿` has two). Each clause
//! has *variants*: itself, then the clause with one synonym put in place of another (`征地补偿` →
//! `征收补偿`, `征用补偿`). A variant's *terms* are its [`query_tokens`] with their positions
//! relative to the first, so the ranker can check that they stand together (a phrase).

use crate::text::{fold, query_tokens, Synonyms};

/// A term to look up, at `rel` positions after the variant's first term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    pub text: String,
    pub rel: u32,
}

/// One way of writing a clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub text: String,
    /// Made by a synonym (scores are weighted by [`super::rank::SYNONYM_WEIGHT`]).
    pub synonym: bool,
    pub terms: Vec<QueryTerm>,
}

impl Variant {
    /// The variant's term texts, each once, in query order (a term scores once per variant).
    pub fn distinct_terms(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in &self.terms {
            if !out.contains(&t.text.as_str()) {
                out.push(&t.text);
            }
        }
        out
    }
}

/// A white-space separated part of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub variants: Vec<Variant>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub clauses: Vec<Clause>,
}

impl Query {
    /// Parses `text` (see the module header). Clauses without any letter, digit or CJK character
    /// are dropped, and so are repeated clauses.
    pub fn parse(text: &str, synonyms: &Synonyms) -> Query {
        let folded = fold(text);
        let mut seen: Vec<&str> = Vec::new();
        let mut clauses = Vec::new();
        for part in folded
            .split([' ', '\t', '\n', '\r'])
            .filter(|p| !p.is_empty())
        {
            if seen.contains(&part) {
                continue;
            }
            seen.push(part);
            let Some(original) = variant(part, false) else {
                continue;
            };
            let mut variants = vec![original];
            variants.extend(
                synonyms
                    .variants(part)
                    .iter()
                    .filter_map(|v| variant(v, true)),
            );
            clauses.push(Clause { variants });
        }
        Query { clauses }
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Every distinct term of every variant, in order of first appearance.
    pub fn terms(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in self
            .clauses
            .iter()
            .flat_map(|c| &c.variants)
            .flat_map(|v| &v.terms)
        {
            if !out.contains(&t.text.as_str()) {
                out.push(&t.text);
            }
        }
        out
    }
}

fn variant(text: &str, synonym: bool) -> Option<Variant> {
    let tokens = query_tokens(text);
    let first = tokens.first()?.position;
    let terms = tokens
        .iter()
        .map(|t| QueryTerm {
            text: t.text.clone(),
            rel: (t.position - first) as u32,
        })
        .collect();
    Some(Variant {
        text: text.to_string(),
        synonym,
        terms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syn() -> Synonyms {
        Synonyms::new(&[
            vec!["征收".into(), "征用".into(), "征地".into()],
            vec!["拆迁".into(), "征迁".into()],
        ])
    }

    #[test]
    fn clauses_split_at_white_space_and_fold() {
        let q = Query::parse("  征地补偿　ＧＢ  征地补偿 ", &Synonyms::default());
        assert_eq!(q.clauses.len(), 2);
        let terms: Vec<_> = q.clauses[0].variants[0]
            .terms
            .iter()
            .map(|t| (t.text.as_str(), t.rel))
            .collect();
        assert_eq!(terms, [("征地", 0), ("地补", 1), ("补偿", 2)]);
        assert_eq!(q.clauses[1].variants[0].terms[0].text, "gb");
        assert!(Query::parse("，。！", &Synonyms::default()).is_empty());
    }

    #[test]
    fn synonyms_make_variants() {
        let q = Query::parse("征地补偿", &syn());
        let texts: Vec<_> = q.clauses[0]
            .variants
            .iter()
            .map(|v| (v.text.as_str(), v.synonym))
            .collect();
        assert_eq!(
            texts,
            [("征地补偿", false), ("征收补偿", true), ("征用补偿", true)]
        );
        assert_eq!(syn().of("拆迁"), ["征迁"]);
    }
}
