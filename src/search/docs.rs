//! Search documents: one per published page, cut into sections at headings and articles.
//!
//! Stage: index (pure). Input: the assembled [`Site`]. Output: [`SearchDoc`]s, in site order (their
//! `id` is their place). Entry function: [`collect_docs`]. The parsed document is used as it is
//! (plain text, headings and articles with their offsets); nothing is rendered twice.

use crate::page::{Kind, Page};
use crate::site::Site;
use serde::{Deserialize, Serialize};

/// A part of a page that a hit can land on: the text before the first heading, or a heading or
/// article with the text up to the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading's or article's `id`; empty for the part before the first heading.
    pub anchor: String,
    /// The heading text, the article label (第十二条), or the page title.
    pub title: String,
    pub text: String,
}

/// What the index holds for one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: u32,
    /// Site-root-relative output path (`measures/implementation/index.html`).
    pub url: String,
    pub title: String,
    /// The label shown and filtered on (办法, 表格, 页面 …).
    pub kind: String,
    /// Indexed as `title`: the title and, for measures, the 文号.
    pub title_field: String,
    /// Indexed as `heading`: headings, article labels, tags and 主题词.
    pub heading_field: String,
    /// Indexed (joined) as `body`.
    pub sections: Vec<Section>,
    /// The page's validity as its 状态 says (现行有效, 已修订, 已废止); empty for pages without one.
    /// Lowers the page in the ranking ([`super::rank::standing`]) and is shown with every hit.
    #[serde(default)]
    pub status: String,
    /// A policy document's 文号, shown with its hits; empty for other pages.
    #[serde(default)]
    pub doc_number: String,
}

impl SearchDoc {
    /// A page for unit tests: one section holding `body`, `headings` as its heading field.
    #[cfg(test)]
    pub(crate) fn for_test(id: u32, title: &str, headings: &str, body: &str) -> SearchDoc {
        SearchDoc {
            id,
            url: format!("p{id}/index.html"),
            title: title.into(),
            kind: "页面".into(),
            title_field: title.into(),
            heading_field: headings.into(),
            sections: vec![Section {
                anchor: String::new(),
                title: title.into(),
                text: body.into(),
            }],
            status: String::new(),
            doc_number: String::new(),
        }
    }

    /// The `body` field: the sections' texts, in order.
    pub fn body(&self) -> String {
        self.sections
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The label search shows for a kind: sections are pages to readers.
pub fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Section => Kind::Page.label(),
        k => k.label(),
    }
}

/// One document per page, in site order.
pub fn collect_docs(site: &Site) -> Vec<SearchDoc> {
    site.pages
        .iter()
        .enumerate()
        .map(|(i, p)| page_doc(i as u32, p, site.status(i)))
        .collect()
}

fn page_doc(id: u32, p: &Page, status: Option<crate::content::Status>) -> SearchDoc {
    let mut title_field = p.title.clone();
    let mut heading_field: Vec<String> = p.doc.headings.iter().map(|h| h.text.clone()).collect();
    heading_field.extend(
        p.doc
            .articles
            .iter()
            .filter(|a| a.heading.is_none_or(|h| p.doc.headings[h].id != a.id))
            .map(|a| a.label.clone()),
    );
    heading_field.extend(p.tags.iter().cloned());
    let mut intro = String::new();
    if let Some(d) = &p.description {
        intro.push_str(d);
        intro.push_str("\n\n");
    }
    if let Some(m) = &p.meta {
        if let Some(n) = &m.doc_number {
            title_field.push('\n');
            title_field.push_str(n);
        }
        heading_field.extend(m.keywords.iter().cloned());
        let line: Vec<&str> = [m.issuer.as_deref(), m.doc_number.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !line.is_empty() {
            intro.push_str(&line.join("　"));
            intro.push_str("\n\n");
        }
    }
    let mut sections = sections(p, intro);
    if let Some(cat) = &p.scope {
        // Catalogue items live in the front matter: one section per item, landing on its anchor.
        heading_field.extend(cat.items.iter().map(|i| i.text.clone()));
        sections.extend(cat.items.iter().map(scope_item_section));
    }
    SearchDoc {
        id,
        url: p.path.clone(),
        title: p.title.clone(),
        kind: kind_label(p.kind).to_string(),
        title_field,
        heading_field: heading_field.join("\n"),
        sections,
        status: status.map(|s| s.label()).unwrap_or_default().to_string(),
        doc_number: p
            .meta
            .as_ref()
            .and_then(|m| m.doc_number.clone())
            .unwrap_or_default(),
    }
}

/// A scope catalogue item as a search section (`#energy-facility`).
fn scope_item_section(i: &crate::scope::Item) -> Section {
    let mut text = format!("{}：{}。", i.category, i.text);
    if !i.keywords.is_empty() {
        text.push_str(&format!("关键词：{}。", i.keywords.join("、")));
    }
    if !i.departments.is_empty() {
        text.push_str(&format!("责任部门：{}。", i.departments.join("、")));
    }
    if let Some(n) = &i.note {
        text.push_str(n);
    }
    Section {
        anchor: i.id.clone(),
        title: i.text.clone(),
        text,
    }
}

/// Cuts the plain text at every heading and article (one section per start offset).
fn sections(p: &Page, intro: String) -> Vec<Section> {
    let text = &p.doc.plain_text;
    let mut starts: Vec<(usize, &str, &str)> = p
        .doc
        .headings
        .iter()
        .map(|h| (h.offset, h.id.as_str(), h.text.as_str()))
        .collect();
    starts.extend(
        p.doc
            .articles
            .iter()
            .map(|a| (a.offset, a.id.as_str(), a.label.as_str())),
    );
    starts.sort_by_key(|s| s.0);
    starts.dedup_by_key(|s| s.0);
    let mut out = Vec::new();
    let first = starts.first().map_or(text.len(), |s| s.0);
    let head = format!("{intro}{}", &text[..first]);
    if !head.trim().is_empty() || starts.is_empty() {
        out.push(Section {
            anchor: String::new(),
            title: p.title.clone(),
            text: head,
        });
    }
    for (i, (start, anchor, title)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |s| s.0);
        out.push(Section {
            anchor: anchor.to_string(),
            title: title.to_string(),
            text: text[*start..end].to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::SourceFile;
    use crate::page::parse_page;

    #[test]
    fn pages_are_cut_at_headings_and_articles() {
        let text = "---\nkind: measure\ntitle: 办法\ndoc_number: 清政发〔2023〕5号\nkeywords: 稳评\n---\n前言。\n\n## 第一章　总则\n\n第一条　目的。\n\n第二条　范围。\n";
        let file = SourceFile {
            source: "content/m.md".into(),
            rel: "m.md".into(),
            text: text.into(),
        };
        let (page, d) = parse_page(&file, false);
        assert!(d.is_empty(), "{d:?}");
        let doc = page_doc(0, &page.unwrap(), None);
        let s: Vec<_> = doc
            .sections
            .iter()
            .map(|s| (s.anchor.as_str(), s.title.as_str(), s.text.trim()))
            .collect();
        assert_eq!(
            s,
            [
                ("", "办法", "清政发〔2023〕5号\n\n前言。"),
                ("第一章-总则", "第一章　总则", "第一章　总则"),
                ("第一条", "第一条", "第一条　目的。"),
                ("第二条", "第二条", "第二条　范围。")
            ]
        );
        assert_eq!(doc.title_field, "办法\n清政发〔2023〕5号");
        assert!(doc.heading_field.contains("第二条") && doc.heading_field.contains("稳评"));
        assert_eq!(doc.kind, "办法");
    }
}
