//! Policy documents: the `measure`, `notice` and `interpretation` kinds — a 政府网站 政策文件
//! column's conventions as data.
//!
//! Stages: parse ([`DocMeta::build`]: front matter → 文件信息, validity and the 公文 fields; every
//! document named in the front matter — `supersedes`, `superseded_by`, `interprets`, attachments —
//! becomes a [`Link`] appended to the page's links, so the one link checker reports it at its line);
//! assemble ([`relations::resolve`]: versions, 解读 and the status each page shows); render input
//! ([`compare`]: the 新旧条文对照 of a document and the one it supersedes).
//!
//! - `relations` — supersession chains, cycles, contradictions, the effective status and warnings.
//! - `compare` — article alignment and word marks for the comparison page.

pub mod compare;
pub mod relations;

use crate::content::yaml_locate::{locate, Seg};
use crate::content::{Date, Status};
use crate::diagnostic::Diagnostic;
use crate::markdown::{classify_link, Link, LinkTarget};
use serde::{Deserialize, Serialize};

/// An entry of `attachments:` in front matter: a file beside the page (`年度计划表.xlsx`), a form
/// (`@/forms/annual-plan.md`, attached as its `.docx`), or either with the name readers see.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AttachmentSpec {
    Path(String),
    Named {
        file: String,
        #[serde(default)]
        title: Option<String>,
    },
}

/// An attachment as parsed: the index of its link in the page's links, and its name if given.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub link: usize,
    pub title: Option<String>,
}

/// The documents a document's front matter names (`@/…` links as written), read by
/// [`DocMeta::build`].
#[derive(Debug, Default)]
pub struct DocLinks {
    pub supersedes: Vec<String>,
    pub superseded_by: Option<String>,
    pub interprets: Option<String>,
}

/// A policy document's metadata block (文件信息) and its validity, as written. The status readers
/// see is the effective one from [`relations::Relations`], which also knows the other versions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DocMeta {
    /// 文号, e.g. 清办发〔2024〕5号.
    pub doc_number: Option<String>,
    /// 发布机构 (of a notice: 发文机关).
    pub issuer: Option<String>,
    /// 成文日期.
    pub written_date: Option<Date>,
    /// 施行日期.
    pub effective_date: Option<Date>,
    /// 状态 as written (templates see the effective one as `status`).
    #[serde(rename = "written_status")]
    pub status: Option<Status>,
    /// 索引号.
    pub index_number: Option<String>,
    /// 主题词.
    pub keywords: Vec<String>,
    /// 分类.
    pub category: Option<String>,
    /// 废止日期.
    pub repealed_date: Option<Date>,
    /// 有效期至.
    pub valid_until: Option<Date>,
    /// 主送 (notices).
    pub recipients: Option<String>,
    /// 抄送 (notices).
    pub cc: Option<String>,
    /// Links (indices into the page's links) to the documents this one replaces.
    #[serde(skip)]
    pub supersedes: Vec<usize>,
    /// Link to the document that replaces this one.
    #[serde(skip)]
    pub superseded_by: Option<usize>,
    /// Link to the document an interpretation explains.
    #[serde(skip)]
    pub interprets: Option<usize>,
}

/// Where a front-matter value stands, and how links in it are read.
pub struct FrontAt<'a> {
    pub source: &'a str,
    pub yaml: &'a str,
    pub yaml_line: usize,
    /// The page's link folder (relative attachment paths start there).
    pub dir: &'a str,
    /// How many links the page's body already has (the new ones are numbered after them).
    pub first_link: usize,
}

impl FrontAt<'_> {
    fn at(&self, path: &[Seg]) -> (usize, usize) {
        locate(self.yaml, self.yaml_line, path)
    }

    /// Reads `raw` as a link to a page of the site (`@/…`), or reports it at `path`.
    fn page_link(
        &self,
        raw: &str,
        path: &[Seg],
        what: &str,
        links: &mut Vec<Link>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let raw = raw.trim();
        let (line, col) = self.at(path);
        match classify_link(raw, "") {
            Ok(target @ LinkTarget::Content { .. }) => {
                links.push(Link {
                    target,
                    line,
                    col,
                    raw: raw.to_string(),
                });
                Some(self.first_link + links.len() - 1)
            }
            Ok(_) => {
                diags.push(Diagnostic::error(self.source, line, col, format!("`{raw}` is not a page of this site: `{what}` expects a link such as `@/measures/implementation.md`")));
                None
            }
            Err(m) => {
                diags.push(Diagnostic::error(self.source, line, col, m));
                None
            }
        }
    }
}

impl DocMeta {
    /// Completes `meta` (its fields as written, no links yet) with the documents `named` links
    /// to, returning the links (to append to the page's links) and the problems found.
    pub fn build(
        mut meta: DocMeta,
        named: DocLinks,
        at: &FrontAt<'_>,
    ) -> (DocMeta, Vec<Link>, Vec<Diagnostic>) {
        let mut links = Vec::new();
        let mut diags = Vec::new();
        meta.supersedes = named
            .supersedes
            .iter()
            .enumerate()
            .filter_map(|(j, raw)| {
                let path = [Seg::Key("supersedes"), Seg::Index(j)];
                at.page_link(raw, &path, "supersedes", &mut links, &mut diags)
            })
            .collect();
        meta.superseded_by = named.superseded_by.as_deref().and_then(|raw| {
            let path = [Seg::Key("superseded_by")];
            at.page_link(raw, &path, "superseded_by", &mut links, &mut diags)
        });
        meta.interprets = named.interprets.as_deref().and_then(|raw| {
            let path = [Seg::Key("interprets")];
            at.page_link(raw, &path, "interprets", &mut links, &mut diags)
        });
        if meta.status == Some(Status::InForce) && meta.repealed_date.is_some() {
            let (line, col) = at.at(&[Seg::Key("repealed_date")]);
            diags.push(Diagnostic::error(at.source, line, col, "`repealed_date` on a document marked 现行有效: set `status: 已废止`, or remove the date"));
        }
        (meta, links, diags)
    }
}

/// Reads `attachments:` (on any page): each entry becomes a link (a file beside the page, or a form
/// page) appended after `at.first_link`.
pub fn attachments(
    specs: &[AttachmentSpec],
    at: &FrontAt<'_>,
) -> (Vec<Attachment>, Vec<Link>, Vec<Diagnostic>) {
    let mut links = Vec::new();
    let mut diags = Vec::new();
    let mut out = Vec::new();
    for (j, spec) in specs.iter().enumerate() {
        let (raw, title, path) = match spec {
            AttachmentSpec::Path(p) => {
                (p.trim(), None, vec![Seg::Key("attachments"), Seg::Index(j)])
            }
            AttachmentSpec::Named { file, title } => (
                file.trim(),
                title.clone().filter(|t| !t.trim().is_empty()),
                vec![Seg::Key("attachments"), Seg::Index(j), Seg::Key("file")],
            ),
        };
        let (line, col) = at.at(&path);
        match classify_link(raw, at.dir) {
            Ok(target @ (LinkTarget::Content { .. } | LinkTarget::Asset { .. })) => {
                if let LinkTarget::Content { anchor: Some(a), .. } = &target {
                    if !a.is_empty() {
                        diags.push(Diagnostic::error(at.source, line, col, format!("attachment `{raw}` names an anchor: attach the whole page (a form, as its .docx), e.g. `@/forms/annual-plan.md`")));
                        continue;
                    }
                }
                links.push(Link {
                    target,
                    line,
                    col,
                    raw: raw.to_string(),
                });
                out.push(Attachment {
                    link: at.first_link + links.len() - 1,
                    title,
                });
            }
            Ok(_) => diags.push(Diagnostic::error(at.source, line, col, format!("attachment `{raw}` is not a file of this site: expected a file beside the page (`年度计划表.xlsx`) or a form (`@/forms/annual-plan.md`)"))),
            Err(m) => diags.push(Diagnostic::error(at.source, line, col, m)),
        }
    }
    (out, links, diags)
}

/// The file types readers are told about in an attachment list, by extension.
pub fn file_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "docx" | "doc" => "Word 文档",
        "wps" => "WPS 文字",
        "xlsx" | "xls" => "Excel 表格",
        "et" => "WPS 表格",
        "ods" => "电子表格",
        "odt" => "文档",
        "pdf" => "PDF 文件",
        "ofd" => "OFD 版式文件",
        "csv" => "CSV 表格",
        "txt" => "文本文件",
        "zip" | "rar" | "7z" => "压缩包",
        "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp" => "图片",
        _ => "文件",
    }
}

/// Extensions of files a page bundle attaches without naming them in `attachments:` (documents,
/// not the images its body shows).
pub fn is_document_file(name: &str) -> bool {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "docx"
            | "doc"
            | "wps"
            | "xlsx"
            | "xls"
            | "et"
            | "ods"
            | "odt"
            | "pdf"
            | "ofd"
            | "csv"
            | "zip"
            | "rar"
            | "7z"
    )
}

/// A size as readers see it in a 附件 list: `12 KB`, `1.4 MB` (at least 1 KB).
pub fn size_label(bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes < 1024 * KB {
        format!("{} KB", bytes.div_ceil(KB).max(1))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * KB as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_types() {
        assert_eq!(size_label(0), "1 KB");
        assert_eq!(size_label(12_000), "12 KB");
        assert_eq!(size_label(1_500_000), "1.4 MB");
        assert_eq!(file_type("计划表.XLSX"), "Excel 表格");
        assert!(is_document_file("a.docx") && !is_document_file("a.png"));
    }
}
