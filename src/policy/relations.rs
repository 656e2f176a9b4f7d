//! Relations between policy documents: which version replaces which (`supersedes` on the new one,
//! `superseded_by` on the old one — either is enough, both must agree), which 解读 explains which
//! document, and the status each page shows.
//!
//! Stage: assemble (pure). Input: each page's [`DocInput`] (or `None` for pages that are not policy
//! documents) and a lookup from content path to page. Output: [`Relations`] and diagnostics:
//! errors for a document replaced by itself, by a page of another kind, by two documents, or in a
//! cycle; warnings for a document still marked 现行有效 that another document replaces or whose
//! `valid_until` has passed (the page shows the status the facts give).

use super::DocMeta;
use crate::content::Status;
use crate::diagnostic::Diagnostic;
use crate::markdown::{Link, LinkTarget};

/// The kinds of policy documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Measure,
    Notice,
    Interpretation,
}

impl DocKind {
    fn name(self) -> &'static str {
        match self {
            DocKind::Measure => "measure",
            DocKind::Notice => "notice",
            DocKind::Interpretation => "interpretation",
        }
    }
}

/// One policy document as the resolver sees it.
pub struct DocInput<'a> {
    pub source: &'a str,
    pub kind: DocKind,
    pub meta: &'a DocMeta,
    /// The page's links (the front matter's are among them, by the indices in `meta`).
    pub links: &'a [Link],
    /// Front-matter key → its line (for warnings about a key).
    pub key_lines: &'a std::collections::BTreeMap<String, usize>,
}

/// What the site knows about its documents' versions and interpretations, by page index.
#[derive(Debug, Clone, Default)]
pub struct Relations {
    /// The status a page shows: as written, unless another document replaces it (已废止) or its
    /// `valid_until` has passed (已失效). `None` for pages that are not documents or say nothing.
    pub status: Vec<Option<Status>>,
    /// The document that replaces this one.
    pub successor: Vec<Option<usize>>,
    /// The documents this one replaces, in the order written.
    pub predecessors: Vec<Vec<usize>>,
    /// The document a 解读 explains.
    pub interprets: Vec<Option<usize>>,
    /// The 解读 of a document, in page order.
    pub interpretations: Vec<Vec<usize>>,
}

impl Relations {
    /// Every earlier version of page `i`, nearest first (its predecessors, theirs, …).
    pub fn older_versions(&self, i: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let mut queue = std::collections::VecDeque::from(self.predecessors[i].clone());
        while let Some(p) = queue.pop_front() {
            if p == i || out.contains(&p) {
                continue;
            }
            out.push(p);
            queue.extend(self.predecessors[p].iter().copied());
        }
        out
    }

    /// The version in force at the end of page `i`'s chain of successors (`None` when nothing
    /// replaces `i`).
    pub fn current_version(&self, i: usize) -> Option<usize> {
        let mut cur = self.successor[i]?;
        let mut steps = 0;
        while let Some(next) = self.successor[cur] {
            steps += 1;
            if next == i || steps > self.successor.len() {
                break;
            }
            cur = next;
        }
        Some(cur)
    }
}

/// Resolves the documents' relations. `find` maps a content path (`measures/a.md`) to its page;
/// links that do not resolve are left to the link checker. `today` is `YYYY-MM-DD`.
pub fn resolve(
    docs: &[Option<DocInput<'_>>],
    find: &dyn Fn(&str) -> Option<usize>,
    today: &str,
) -> (Relations, Vec<Diagnostic>) {
    let n = docs.len();
    let mut rel = Relations {
        status: vec![None; n],
        successor: vec![None; n],
        predecessors: vec![Vec::new(); n],
        interprets: vec![None; n],
        interpretations: vec![Vec::new(); n],
    };
    let mut diags = Vec::new();
    let target = |i: usize, link: usize| -> Option<(usize, &Link)> {
        let d = docs[i].as_ref()?;
        let l = d.links.get(link)?;
        let LinkTarget::Content { path, .. } = &l.target else {
            return None;
        };
        Some((find(path)?, l))
    };
    let error = |d: &DocInput, l: &Link, m: String| Diagnostic::error(d.source, l.line, l.col, m);
    // Every declared "old → new" edge, with the page and link that declared it.
    let mut edges: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let Some(d) = d else { continue };
        for &l in &d.meta.supersedes {
            if let Some((t, _)) = target(i, l) {
                edges.push((t, i, i, l));
            }
        }
        if let Some(l) = d.meta.superseded_by {
            if let Some((t, _)) = target(i, l) {
                edges.push((i, t, i, l));
            }
        }
    }
    // Where each accepted "old → new" edge was written.
    let mut declared: std::collections::HashMap<usize, (usize, usize)> = Default::default();
    for (old, new, by, l) in edges {
        let d = docs[by].as_ref().expect("edges come from documents");
        let link = &d.links[l];
        let other = if by == new { old } else { new };
        let Some(o) = docs[other].as_ref() else {
            diags.push(error(d, link, format!("`{}` is not a policy document: a version can only replace a `measure` or `notice` (set its `kind`)", link.raw)));
            continue;
        };
        if old == new {
            diags.push(error(
                d,
                link,
                format!(
                    "`{}` is this document itself: a document cannot replace itself",
                    link.raw
                ),
            ));
            continue;
        }
        if o.kind != d.kind || d.kind == DocKind::Interpretation {
            diags.push(error(d, link, format!("`{}` is a `{}` and this page a `{}`: a version replaces a document of its own kind (measure or notice)", link.raw, o.kind.name(), d.kind.name())));
            continue;
        }
        match rel.successor[old] {
            Some(s) if s == new => {}
            Some(s) => diags.push(error(d, link, format!("`{}` is already replaced by `{}`: a document has one successor (list every older version in the newest one's `supersedes`)", docs[old].as_ref().map_or("", |x| x.source), docs[s].as_ref().map_or("", |x| x.source)))),
            None => {
                rel.successor[old] = Some(new);
                rel.predecessors[new].push(old);
                declared.insert(old, (by, l));
            }
        }
    }
    // Cycles: a chain of successors that comes back to where it started.
    let mut reported = vec![false; n];
    for start in 0..n {
        let mut seen = vec![start];
        let mut cur = start;
        while let Some(next) = rel.successor[cur] {
            if next == start && !reported[start] {
                for &s in &seen {
                    reported[s] = true;
                }
                let (by, l) = declared[&cur];
                let d = docs[by].as_ref().expect("successors are documents");
                let link = &d.links[l];
                let names: Vec<&str> = seen
                    .iter()
                    .filter_map(|&s| docs[s].as_ref().map(|x| x.source))
                    .collect();
                diags.push(Diagnostic::error(d.source, link.line, link.col, format!("versions replace each other in a circle ({} → back): the newest version must replace the older ones, not the reverse", names.join(" → "))));
                break;
            }
            if seen.contains(&next) {
                break;
            }
            seen.push(next);
            cur = next;
        }
    }
    for s in (0..n).filter(|&s| reported[s]) {
        if let Some(next) = rel.successor[s].take() {
            rel.predecessors[next].retain(|&p| p != s);
        }
    }
    for (i, d) in docs.iter().enumerate() {
        let Some(d) = d else { continue };
        if let Some(l) = d.meta.interprets {
            if let Some((t, link)) = target(i, l) {
                match docs[t].as_ref().map(|x| x.kind) {
                    Some(DocKind::Measure | DocKind::Notice) if t != i => {
                        rel.interprets[i] = Some(t);
                        rel.interpretations[t].push(i);
                    }
                    _ => diags.push(error(d, link, format!("`{}` is not a measure or notice: a 解读 explains a policy document (`kind: measure` or `notice`)", link.raw))),
                }
            }
        }
    }
    for (i, d) in docs.iter().enumerate() {
        let Some(d) = d else { continue };
        let written = d.meta.status;
        let open = matches!(written, None | Some(Status::InForce));
        let line = |key: &str| d.key_lines.get(key).copied().unwrap_or(1);
        rel.status[i] = written;
        if let Some(s) = rel.successor[i] {
            if open {
                rel.status[i] = Some(Status::Repealed);
                if written == Some(Status::InForce) {
                    let by = docs[s].as_ref().expect("successors are documents");
                    diags.push(Diagnostic::warning(d.source, line("status"), 1, format!("marked 现行有效, but `{}` replaces it: shown as 已废止 (set `status: 已废止` or `已修订`, and `repealed_date`)", by.source)));
                }
            }
        } else if let Some(until) = &d.meta.valid_until {
            if until.0.as_str() < today && open {
                rel.status[i] = Some(Status::Expired);
                diags.push(Diagnostic::warning(d.source, line("valid_until"), 1, format!("`valid_until: {}` has passed (today is {today}): shown as 已失效 (set `status: 已失效`, or extend `valid_until` if it was renewed)", until.0)));
            }
        }
    }
    (rel, diags)
}
