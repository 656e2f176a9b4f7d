//! Landing and snippets: which section of a hit to link to, and the words around the match.
//!
//! Stage: query (pure). Input: a [`Query`] and a hit's [`SearchDoc`]. Output: a [`Snippet`].
//! Entry function: [`snippet`]. Mirrored by `snippet` in `themes/default/static/js/search-core.js`.
//!
//! The link lands on the section with the most clauses found as exact phrases in its text, then in
//! its title (heading), then the longest run of query terms standing together, then the most
//! distinct query terms (the first such section on a tie). The snippet is a window of that section's text
//! starting a little before the first exact phrase (or else the first term found), with every
//! occurrence of a query term inside the window marked.

use super::docs::SearchDoc;
use super::query::{Query, Variant};
use crate::text::tokenize;
use std::collections::HashMap;

/// Characters shown before the match.
pub const CONTEXT_CHARS: usize = 24;
/// Length of the snippet window in characters.
pub const WINDOW_CHARS: usize = 100;

/// Where a hit lands and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The section's anchor (empty: the top of the page).
    pub anchor: String,
    /// The section's title.
    pub section: String,
    /// Text pieces; `true` marks matched words.
    pub segments: Vec<(String, bool)>,
}

impl Snippet {
    /// The snippet as plain text.
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.0.as_str()).collect()
    }
}

/// Occurrences of tokens in a text: token text → (position, start char, end char).
type Occurrences = HashMap<String, Vec<(u32, usize, usize)>>;

/// A section's rank for landing: see [`section_key`].
type SectionKey = (usize, usize, usize, usize);

fn occurrences(text: &str) -> Occurrences {
    let mut map: Occurrences = HashMap::new();
    for t in tokenize(text) {
        map.entry(t.text)
            .or_default()
            .push((t.position as u32, t.start, t.end));
    }
    map
}

/// Start and end characters of each place where the variant's terms stand together.
fn phrase_spans(v: &Variant, occ: &Occurrences) -> Vec<(usize, usize)> {
    let Some(first) = occ.get(&v.terms[0].text) else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    for &(p, start, end) in first {
        let mut span_end = end;
        let ok = v.terms[1..].iter().all(|t| {
            match occ
                .get(&t.text)
                .and_then(|o| o.iter().find(|o| o.0 == p + t.rel))
            {
                Some(o) => {
                    span_end = span_end.max(o.2);
                    true
                }
                None => false,
            }
        });
        if ok {
            spans.push((start, span_end));
        }
    }
    spans
}

/// The longest run of a variant's consecutive terms standing at their relative positions.
fn longest_chain(v: &Variant, occ: &Occurrences) -> usize {
    let at = |i: usize, p: u32| {
        occ.get(&v.terms[i].text)
            .is_some_and(|o| o.iter().any(|x| x.0 == p))
    };
    let mut best = 0;
    for i in 0..v.terms.len() {
        for &(p, _, _) in occ.get(&v.terms[i].text).map_or(&[][..], |o| o.as_slice()) {
            let mut j = i + 1;
            while j < v.terms.len() && at(j, p + v.terms[j].rel - v.terms[i].rel) {
                j += 1;
            }
            best = best.max(j - i);
        }
    }
    best
}

/// How well a section answers: clauses exact in its text, clauses exact in its title, the longest
/// run of query terms standing together, distinct terms found.
fn section_key(query: &Query, terms: &[&str], title: &str, occ: &Occurrences) -> SectionKey {
    let variants = || query.clauses.iter().flat_map(|c| &c.variants);
    let exact = query
        .clauses
        .iter()
        .filter(|c| c.variants.iter().any(|v| !phrase_spans(v, occ).is_empty()))
        .count();
    let title_occ = occurrences(title);
    let in_title = query
        .clauses
        .iter()
        .filter(|c| {
            c.variants
                .iter()
                .any(|v| !phrase_spans(v, &title_occ).is_empty())
        })
        .count();
    let chain = variants().map(|v| longest_chain(v, occ)).max().unwrap_or(0);
    let found = terms.iter().filter(|t| occ.contains_key(**t)).count();
    (exact, in_title, chain, found)
}

/// Picks the landing section and cuts the snippet (see the module header).
pub fn snippet(query: &Query, doc: &SearchDoc) -> Snippet {
    let terms = query.terms();
    let mut best: Option<(usize, SectionKey, Occurrences)> = None;
    for (i, s) in doc.sections.iter().enumerate() {
        let occ = occurrences(&s.text);
        let key = section_key(query, &terms, &s.title, &occ);
        if best.as_ref().is_none_or(|b| key > b.1) {
            best = Some((i, key, occ));
        }
    }
    let Some((i, (_, _, _, found), occ)) = best else {
        return Snippet {
            anchor: String::new(),
            section: doc.title.clone(),
            segments: Vec::new(),
        };
    };
    let section = &doc.sections[i];
    let anchor = if found == 0 {
        String::new()
    } else {
        section.anchor.clone()
    };
    let exact_start = query
        .clauses
        .iter()
        .flat_map(|c| &c.variants)
        .flat_map(|v| phrase_spans(v, &occ))
        .map(|s| s.0)
        .min();
    let hit = exact_start
        .or_else(|| {
            terms
                .iter()
                .filter_map(|t| occ.get(*t))
                .flatten()
                .map(|o| o.1)
                .min()
        })
        .unwrap_or(0);
    let marks: Vec<(usize, usize)> = terms
        .iter()
        .filter_map(|t| occ.get(*t))
        .flatten()
        .map(|o| (o.1, o.2))
        .collect();
    Snippet {
        anchor,
        section: section.title.clone(),
        segments: cut(&section.text, hit, &marks),
    }
}

/// The window around `hit` as marked and unmarked pieces, white space collapsed.
fn cut(text: &str, hit: usize, marks: &[(usize, usize)]) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let start = hit.saturating_sub(CONTEXT_CHARS);
    let end = chars.len().min(start + WINDOW_CHARS);
    let marked = |i: usize| {
        marks
            .iter()
            .any(|&(s, e)| s <= i && i < e && s >= start && e <= end)
    };
    let mut segments: Vec<(String, bool)> = Vec::new();
    if start > 0 {
        segments.push(("…".into(), false));
    }
    for (i, &c) in chars.iter().enumerate().take(end).skip(start) {
        let m = marked(i);
        match segments.last_mut() {
            Some(last) if last.1 == m => last.0.push(c),
            _ => segments.push((c.to_string(), m)),
        }
    }
    if end < chars.len() {
        match segments.last_mut() {
            Some(last) if !last.1 => last.0.push('…'),
            _ => segments.push(("…".into(), false)),
        }
    }
    for s in &mut segments {
        s.0 = collapse_space(&s.0);
    }
    segments
}

fn collapse_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::docs::Section;
    use crate::text::Synonyms;

    fn doc() -> SearchDoc {
        let s = |a: &str, t: &str, x: &str| Section {
            anchor: a.into(),
            title: t.into(),
            text: x.into(),
        };
        SearchDoc {
            id: 0,
            url: "m/index.html".into(),
            title: "办法".into(),
            kind: "办法".into(),
            title_field: "办法".into(),
            heading_field: String::new(),
            status: String::new(),
            doc_number: String::new(),
            sections: vec![
                s("", "办法", "总则。\n\n"),
                s(
                    "第二条",
                    "第二条",
                    "第二条　征地补偿方案应当公示。补偿标准。\n\n",
                ),
                s("第三条", "第三条", "第三条　征地补偿和安置。\n\n"),
            ],
        }
    }

    #[test]
    fn lands_on_the_first_section_with_the_phrase_and_marks_terms() {
        let s = snippet(&Query::parse("征地补偿", &Synonyms::default()), &doc());
        assert_eq!(s.anchor, "第二条");
        let marked: Vec<_> = s
            .segments
            .iter()
            .filter(|x| x.1)
            .map(|x| x.0.as_str())
            .collect();
        assert_eq!(marked, ["征地补偿", "补偿"]);
        assert_eq!(s.text(), "第二条 征地补偿方案应当公示。补偿标准。 ");
    }

    #[test]
    fn no_match_in_text_lands_on_top() {
        let s = snippet(&Query::parse("办法", &Synonyms::default()), &doc());
        assert_eq!((s.anchor.as_str(), s.text().as_str()), ("", "总则。 "));
    }
}
