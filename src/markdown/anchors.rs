//! Anchors of a document: heading ids (explicit, derived, repeated), article ids and their
//! numbering, each claimed once per page with a diagnostic for a duplicate. Derived ids are
//! de-duplicated in time linear in the number of headings.

use super::{Article, ArticleNo, DocBuilder};
use crate::diagnostic::Diagnostic;

impl DocBuilder<'_> {
    pub(super) fn push_article(
        &mut self,
        no: ArticleNo,
        label: String,
        id: &str,
        excerpt: &str,
        line: usize,
        heading: Option<usize>,
    ) {
        if let Some(prev) = self.doc.articles.last() {
            let prev_no = ArticleNo {
                number: prev.number,
                sub: prev.sub,
            };
            // The same number again is a duplicate, reported as such.
            if !no.follows(prev_no) && no != prev_no {
                self.diags.push(Diagnostic::warning(
                    self.path,
                    line,
                    1,
                    format!(
                        "{label} follows {}: articles should be numbered consecutively",
                        prev.label
                    ),
                ));
            }
        }
        self.doc.articles.push(Article {
            number: no.number,
            sub: no.sub,
            label,
            id: id.to_string(),
            excerpt: excerpt.to_string(),
            line,
            heading,
            offset: self.doc.plain_text.len(),
        });
    }

    pub(super) fn claim_explicit(&mut self, id: &str, line: usize, col: usize) -> String {
        if !self.doc.anchors.insert(id.to_string()) {
            self.diags.push(Diagnostic::error(
                self.path,
                line,
                col,
                format!("duplicate anchor `#{id}`: each heading id must be unique in the page"),
            ));
        }
        id.to_string()
    }

    pub(super) fn claim_article(
        &mut self,
        no: ArticleNo,
        label: &str,
        line: usize,
        col: usize,
    ) -> String {
        let twice = match self.articles_seen.get(&no) {
            Some((other, at)) if other != label => Some(format!("{label} is the same article number as {other} on line {at}, written another way: each article number must be unique in a measure")),
            Some(_) => Some(format!("{label} appears twice: each article number must be unique in a measure")),
            None if self.doc.anchors.contains(label) => Some(format!("{label} appears twice: each article number must be unique in a measure")),
            None => None,
        };
        if let Some(message) = twice {
            self.diags
                .push(Diagnostic::error(self.path, line, col, message));
            return self.claim_derived(label);
        }
        self.articles_seen.insert(no, (label.to_string(), line));
        self.doc.anchors.insert(label.to_string());
        label.to_string()
    }

    /// `base`, or `base-2`, `base-3`… for the first one not taken.
    pub(super) fn claim_derived(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let n = self.next_suffix.entry(base.to_string()).or_insert(1);
        if *n > 1 {
            id = format!("{base}-{n}");
        }
        while self.doc.anchors.contains(&id) {
            *n += 1;
            id = format!("{base}-{n}");
        }
        self.doc.anchors.insert(id.clone());
        id
    }
}
