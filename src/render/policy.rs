//! What templates see of policy documents: the effective status and the other versions, the 解读
//! both ways, the comparison page, and every page's 附件 list with names, types and sizes.

use crate::content::Status;
use crate::html::url_path;
use crate::markdown::LinkTarget;
use crate::page::Page;
use crate::policy::{file_type, is_document_file, size_label, DocMeta};
use crate::site::Site;
use serde::Serialize;
use std::borrow::Cow;

/// Another document, as a link with the facts lists show.
#[derive(Serialize)]
pub(super) struct DocRef<'a> {
    pub(super) title: &'a str,
    pub(super) path: Cow<'a, str>,
    pub(super) doc_number: Option<&'a str>,
    pub(super) status: Option<&'static str>,
    pub(super) status_class: Option<&'static str>,
    /// 成文日期, else the page's date.
    pub(super) date: Option<&'a str>,
}

/// A policy document's 文件信息 with its effective status and relations (`page.meta`).
#[derive(Serialize)]
pub(super) struct DocView<'a> {
    #[serde(flatten)]
    pub(super) fields: &'a DocMeta,
    /// The status shown (see `policy::relations`): as written unless the facts say otherwise.
    pub(super) status: Option<&'static str>,
    /// `repealed`, `expired`, `amended` or `in-force` (for style sheets; the words are `status`).
    pub(super) status_class: Option<&'static str>,
    /// When it stopped applying: `repealed_date`, else the replacing version's 施行日期.
    pub(super) repealed_on: Option<&'a str>,
    /// The same, as a notice writes it: `2024年5月1日`.
    pub(super) repealed_on_cn: Option<String>,
    /// The version that replaces this one, and the one in force at the end of the chain when
    /// that is another.
    pub(super) successor: Option<DocRef<'a>>,
    pub(super) current: Option<DocRef<'a>>,
    /// Every earlier version, nearest first (历史版本).
    pub(super) history: Vec<DocRef<'a>>,
    /// The document a 解读 explains.
    pub(super) interprets: Option<DocRef<'a>>,
    /// The 解读 of this document.
    pub(super) interpretations: Vec<DocRef<'a>>,
    /// The notices that attach this document (its 印发通知).
    pub(super) issued_by: Vec<DocRef<'a>>,
    /// The 新旧条文对照 page that shows this version beside its neighbour, if there is one.
    pub(super) compare: Option<Cow<'a, str>>,
    /// 成文日期 as a 公文 writes it: `2025年1月10日`.
    pub(super) written_cn: Option<String>,
}

/// A document's entry in lists: what a 政策文件 column shows beside the title.
#[derive(Serialize)]
pub(super) struct ListDocView<'a> {
    pub(super) doc_number: Option<&'a str>,
    pub(super) issuer: Option<&'a str>,
    pub(super) written_date: Option<&'a str>,
    pub(super) status: Option<&'static str>,
    pub(super) status_class: Option<&'static str>,
}

/// One 附件: `年度计划表.xlsx（Excel 表格，12 KB）`.
#[derive(Serialize)]
pub(super) struct AttachmentView<'a> {
    pub(super) name: Cow<'a, str>,
    pub(super) path: Cow<'a, str>,
    pub(super) file_type: &'static str,
    pub(super) size: Option<String>,
}

pub(super) fn status_class(s: Status) -> &'static str {
    match s {
        Status::InForce => "in-force",
        Status::Amended => "amended",
        Status::Repealed => "repealed",
        Status::Expired => "expired",
    }
}

pub(super) fn doc_ref(site: &Site, i: usize) -> DocRef<'_> {
    let p = &site.pages[i];
    let meta = p.meta.as_ref();
    DocRef {
        title: &p.title,
        path: url_path(&p.path),
        doc_number: meta.and_then(|m| m.doc_number.as_deref()),
        status: site.status(i).map(Status::label),
        status_class: site.status(i).map(status_class),
        date: meta
            .and_then(|m| m.written_date.as_ref())
            .or(p.date.as_ref())
            .map(|d| d.0.as_str()),
    }
}

pub(super) fn doc_view(site: &Site, i: usize) -> Option<DocView<'_>> {
    let p = &site.pages[i];
    let fields = p.meta.as_ref()?;
    let rel = &site.relations;
    let status = site.status(i);
    let successor = rel.successor[i];
    let current = rel.current_version(i).filter(|&c| Some(c) != successor);
    let repealed_on = fields
        .repealed_date
        .as_ref()
        .or_else(|| successor.and_then(|s| site.pages[s].meta.as_ref()?.effective_date.as_ref()))
        .map(|d| d.0.as_str());
    // The comparison page: this version's own, or the one its successor has beside it.
    let compare = site
        .compare_path(i)
        .or_else(|| {
            successor
                .filter(|&s| site.compare_base(s) == Some(i))
                .and_then(|s| site.compare_path(s))
        })
        .map(|c| Cow::Owned(url_path(&c).into_owned()));
    Some(DocView {
        fields,
        status: status.map(Status::label),
        status_class: status.map(status_class),
        repealed_on: status.filter(|s| s.is_void()).and(repealed_on),
        repealed_on_cn: status
            .filter(|s| s.is_void())
            .and(repealed_on)
            .and_then(chinese_date),
        successor: successor.map(|s| doc_ref(site, s)),
        current: current.map(|c| doc_ref(site, c)),
        history: rel
            .older_versions(i)
            .into_iter()
            .map(|o| doc_ref(site, o))
            .collect(),
        interprets: rel.interprets[i].map(|t| doc_ref(site, t)),
        issued_by: issuing_notices(site, i)
            .into_iter()
            .map(|n| doc_ref(site, n))
            .collect(),
        interpretations: rel.interpretations[i]
            .iter()
            .map(|&t| doc_ref(site, t))
            .collect(),
        compare,
        written_cn: fields
            .written_date
            .as_ref()
            .and_then(|d| chinese_date(&d.0)),
    })
}

/// `2025-01-10` → `2025年1月10日`.
pub(super) fn chinese_date(d: &str) -> Option<String> {
    let mut parts = d.split('-').map(|x| x.parse::<u32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(format!("{y}年{m}月{day}日"))
}

/// The notices whose 附件 include page `i` (the 印发通知 of a measure).
fn issuing_notices(site: &Site, i: usize) -> Vec<usize> {
    let rel = site.pages[i].rel.as_str();
    (0..site.pages.len())
        .filter(|&n| {
            let p = &site.pages[n];
            p.kind == crate::page::Kind::Notice
                && p.attachments.iter().any(|a| {
                    matches!(p.doc.links.get(a.link).map(|l| &l.target),
                        Some(LinkTarget::Content { path, .. }) if path == rel)
                })
        })
        .collect()
}

pub(super) fn list_doc_view(site: &Site, i: usize) -> Option<ListDocView<'_>> {
    let p = &site.pages[i];
    let m = p.meta.as_ref()?;
    let status = site.status(i);
    Some(ListDocView {
        doc_number: m.doc_number.as_deref(),
        issuer: m.issuer.as_deref(),
        written_date: m
            .written_date
            .as_ref()
            .or(p.date.as_ref())
            .map(|d| d.0.as_str()),
        status: status.map(Status::label),
        status_class: status.map(status_class),
    })
}

/// The page's 附件: those its front matter names, else the documents of its bundle folder.
pub(super) fn attachment_views<'a>(site: &'a Site, p: &'a Page) -> Vec<AttachmentView<'a>> {
    if p.attachments.is_empty() {
        return bundle_files(site, p);
    }
    p.attachments
        .iter()
        .filter_map(|a| {
            let link = p.doc.links.get(a.link)?;
            let named = |fallback: Cow<'a, str>| a.title.as_deref().map_or(fallback, Cow::Borrowed);
            match &link.target {
                LinkTarget::Asset { path } => {
                    let asset = &site.assets[*site.asset_index.get(path.as_str())?];
                    let file = path.rsplit('/').next().unwrap_or(path);
                    Some(AttachmentView {
                        name: named(Cow::Borrowed(file)),
                        path: url_path(path),
                        file_type: file_type(file),
                        size: Some(size_label(asset.size)),
                    })
                }
                LinkTarget::Content { path, .. } => {
                    let target = &site.pages[*site.by_rel.get(path.as_str())?];
                    Some(match target.form.as_deref() {
                        Some(form) => AttachmentView {
                            name: named(Cow::Owned(format!("{}.docx", form.title))),
                            path: Cow::Owned(url_path(&form.docx_path()).into_owned()),
                            file_type: file_type("x.docx"),
                            size: Some(size_label(form.docx_bytes().len() as u64)),
                        },
                        None => AttachmentView {
                            name: named(Cow::Borrowed(&target.title)),
                            path: url_path(&target.path),
                            file_type: "网页",
                            size: None,
                        },
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// A bundle page (`a/index.md`) attaches the document files beside it (not its images).
fn bundle_files<'a>(site: &'a Site, p: &'a Page) -> Vec<AttachmentView<'a>> {
    if !p.rel.ends_with("/index.md") {
        return Vec::new();
    }
    let prefix = format!("{}/", p.dir);
    let mut files: Vec<AttachmentView> = site
        .assets
        .iter()
        .filter(|a| {
            a.rel
                .strip_prefix(&prefix)
                .is_some_and(|name| !name.contains('/') && is_document_file(name))
        })
        .map(|a| {
            let file = a.rel.rsplit('/').next().unwrap_or(&a.rel);
            AttachmentView {
                name: Cow::Borrowed(file),
                path: url_path(&a.rel),
                file_type: file_type(file),
                size: Some(size_label(a.size)),
            }
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// An article named in a comparison row, linked to its place in its version.
#[derive(Serialize)]
pub(super) struct ArticleRef<'a> {
    pub(super) label: &'a str,
    pub(super) path: String,
}

#[derive(Serialize)]
pub(super) struct CompareRowView<'a> {
    pub(super) change: &'static str,
    /// `same`, `changed`, `moved`, `split`, `merged`, `added` or `deleted` (style sheets).
    pub(super) class: &'static str,
    pub(super) old: Vec<ArticleRef<'a>>,
    pub(super) new: Vec<ArticleRef<'a>>,
    pub(super) old_html: String,
    pub(super) new_html: String,
}

#[derive(Serialize)]
pub(super) struct CountView {
    pub(super) label: &'static str,
    pub(super) count: usize,
}

/// The 新旧条文对照 page of a version and the one it replaces (`compare`).
#[derive(Serialize)]
pub(super) struct CompareView<'a> {
    pub(super) old: DocRef<'a>,
    pub(super) new: DocRef<'a>,
    pub(super) old_articles: usize,
    pub(super) new_articles: usize,
    pub(super) counts: Vec<CountView>,
    pub(super) rows: Vec<CompareRowView<'a>>,
}

/// Each article of a page with its text (after its label, up to the next article or heading).
fn article_texts(p: &Page) -> Vec<crate::policy::compare::ArticleText<'_>> {
    let doc = &p.doc;
    let text = &doc.plain_text;
    let stops: Vec<usize> = doc
        .articles
        .iter()
        .map(|a| a.offset)
        .chain(doc.headings.iter().map(|h| h.offset))
        .collect();
    doc.articles
        .iter()
        .map(|a| {
            let end = stops
                .iter()
                .copied()
                .filter(|&o| o > a.offset)
                .min()
                .unwrap_or(text.len())
                .min(text.len());
            let body = text.get(a.offset..end).unwrap_or("").trim();
            let body = body.strip_prefix(a.label.as_str()).unwrap_or(body);
            crate::policy::compare::ArticleText {
                label: &a.label,
                number: a.number,
                sub: a.sub,
                text: body.trim_start_matches([' ', '\u{3000}']).trim(),
            }
        })
        .collect()
}

/// The comparison of page `new` with the version it replaces, if it has one.
pub(super) fn compare_view<'a>(site: &'a Site, new: usize) -> Option<(String, CompareView<'a>)> {
    use crate::policy::compare::{compare, Change};
    let path = site.compare_path(new)?;
    let old = site.compare_base(new)?;
    let (op, np) = (&site.pages[old], &site.pages[new]);
    let (ot, nt) = (article_texts(op), article_texts(np));
    let rows = compare(&ot, &nt);
    let refs = |p: &'a Page, idx: &[usize]| -> Vec<ArticleRef<'a>> {
        idx.iter()
            .map(|&k| ArticleRef {
                label: &p.doc.articles[k].label,
                path: format!("{}#{}", url_path(&p.path), url_path(&p.doc.articles[k].id)),
            })
            .collect()
    };
    let class = |c: Change| match c {
        Change::Same => "same",
        Change::Changed => "changed",
        Change::Moved => "moved",
        Change::Split => "split",
        Change::Merged => "merged",
        Change::Added => "added",
        Change::Deleted => "deleted",
    };
    let all = [
        Change::Changed,
        Change::Moved,
        Change::Split,
        Change::Merged,
        Change::Added,
        Change::Deleted,
        Change::Same,
    ];
    let counts = all
        .iter()
        .map(|&c| CountView {
            label: c.label(),
            count: rows.iter().filter(|r| r.change == c).count(),
        })
        .filter(|c| c.count > 0)
        .collect();
    let rows = rows
        .into_iter()
        .map(|r| CompareRowView {
            change: r.change.label(),
            class: class(r.change),
            old: refs(op, &r.old),
            new: refs(np, &r.new),
            old_html: r.old_html,
            new_html: r.new_html,
        })
        .collect();
    Some((
        path,
        CompareView {
            old: doc_ref(site, old),
            new: doc_ref(site, new),
            old_articles: ot.len(),
            new_articles: nt.len(),
            counts,
            rows,
        },
    ))
}
