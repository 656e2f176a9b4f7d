//! Views: what templates see of the site. Templates get these structs serialised, never the
//! internal model, so refactors do not break themes. [`Ctx`] memoises, for one render, each page's
//! HTML and each section's listing, so an incremental render only pays for what it renders.

use super::policy::{
    attachment_views, doc_view, list_doc_view, AttachmentView, DocView, ListDocView,
};
use super::theme::Theme;
use crate::config::MenuTarget;
use crate::forms;
use crate::forms::view::{form_view, FormView};
use crate::html::url_path;
use crate::markdown::render_html;
use crate::page::{Kind, Page};
use crate::risk::client::{worksheet_view, WorksheetView};
use crate::site::Site;
use serde::Serialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Serialize)]
pub(super) struct SiteView<'a> {
    pub(super) title: &'a str,
    pub(super) county: Option<&'a str>,
    pub(super) office: Option<&'a str>,
    pub(super) description: Option<&'a str>,
    pub(super) language: &'a str,
    pub(super) base_path: &'a str,
    pub(super) base_url: Option<&'a str>,
    /// Percent-encoded like every path in a view (`html::url_path`).
    pub(super) logo: Option<Cow<'a, str>>,
    pub(super) tagline: Option<&'a str>,
    pub(super) footer: FooterView<'a>,
    pub(super) extra: &'a BTreeMap<String, Value>,
    pub(super) menus: BTreeMap<&'a str, Vec<MenuView<'a>>>,
    /// Whether the site has a search page (`search/index.html`).
    pub(super) search: bool,
    /// The Content-Security-Policy of every page (`portal.yaml`'s `content_security_policy`);
    /// empty for none.
    pub(super) csp: &'a str,
}

/// `portal.yaml`'s `footer:` fields, with `links` resolved like menu entries.
#[derive(Serialize)]
pub(super) struct FooterView<'a> {
    #[serde(flatten)]
    pub(super) fields: &'a crate::config::Footer,
    pub(super) links: Vec<MenuView<'a>>,
    /// `footer.badges` with their image paths percent-encoded.
    pub(super) badges: Vec<BadgeView<'a>>,
}

#[derive(Serialize)]
pub(super) struct BadgeView<'a> {
    pub(super) image: Cow<'a, str>,
    pub(super) alt: &'a str,
    pub(super) url: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct MenuView<'a> {
    pub(super) name: &'a str,
    pub(super) path: Option<Cow<'a, str>>,
    pub(super) url: Option<&'a str>,
    pub(super) active: bool,
}

#[derive(Serialize)]
pub(super) struct TagView<'a> {
    pub(super) name: &'a str,
    pub(super) path: String,
}

#[derive(Serialize)]
pub(super) struct CrumbView<'a> {
    pub(super) title: &'a str,
    pub(super) path: Cow<'a, str>,
}

#[derive(Serialize, Clone)]
pub(super) struct TocView {
    pub(super) level: u8,
    pub(super) id: String,
    pub(super) title: String,
    pub(super) children: Vec<TocView>,
}

#[derive(Serialize)]
pub(super) struct ArticleView<'a> {
    pub(super) number: u32,
    pub(super) id: &'a str,
    pub(super) label: &'a str,
    pub(super) title: &'a str,
}

#[derive(Serialize)]
pub(super) struct PageView<'a> {
    pub(super) title: &'a str,
    pub(super) kind: &'static str,
    pub(super) kind_label: &'static str,
    /// The output path, percent-encoded for an `href` (`guide/a%20b/index.html`), like every
    /// `path` in a view.
    pub(super) path: Cow<'a, str>,
    pub(super) source: &'a str,
    pub(super) content: &'a str,
    pub(super) toc: Vec<TocView>,
    pub(super) date: Option<&'a str>,
    pub(super) weight: i64,
    pub(super) tags: Vec<TagView<'a>>,
    pub(super) description: Option<&'a str>,
    pub(super) summary: String,
    pub(super) breadcrumbs: Vec<CrumbView<'a>>,
    /// Policy documents: 文件信息, the status shown, versions, 解读, comparison page.
    pub(super) meta: Option<DocView<'a>>,
    /// The page's 附件.
    pub(super) attachments: Vec<AttachmentView<'a>>,
    pub(super) articles: Vec<ArticleView<'a>>,
    pub(super) extra: &'a BTreeMap<String, Value>,
    /// `kind: procedure`: 依据, 适用范围, 咨询.
    pub(super) procedure: Option<&'a crate::flow::Procedure>,
    /// Languages of the fenced blocks rendered by kind modules (`["flow"]`), for their stylesheets.
    pub(super) embeds: Vec<&'static str>,
    /// Form pages: the form's facts for the toolbar (`None` on other pages).
    pub(super) form: Option<FormView<'a>>,
    /// `kind: worksheet` pages: the risk-matrix configuration.
    pub(super) worksheet: Option<WorksheetView<'a>>,
    /// `kind: scope` pages: the catalogue grouped by category (see `scope::view`).
    pub(super) scope: Option<Value>,
}

#[derive(Serialize)]
pub(super) struct LinkView<'a> {
    pub(super) title: &'a str,
    pub(super) path: Cow<'a, str>,
    pub(super) date: Option<&'a str>,
    pub(super) description: Option<&'a str>,
    pub(super) summary: String,
    pub(super) kind: &'static str,
    pub(super) kind_label: &'static str,
    pub(super) weight: i64,
    pub(super) tags: Vec<TagView<'a>>,
    /// Policy documents: 文号, 发布机构, 成文日期, 状态.
    pub(super) doc: Option<ListDocView<'a>>,
}

#[derive(Serialize)]
pub(super) struct SubsectionView<'a> {
    pub(super) title: &'a str,
    pub(super) path: Cow<'a, str>,
    pub(super) description: Option<&'a str>,
    pub(super) pages_count: usize,
}

#[derive(Serialize)]
pub(super) struct SectionView<'a> {
    pub(super) title: &'a str,
    pub(super) path: Cow<'a, str>,
    pub(super) content: &'a str,
    pub(super) description: Option<&'a str>,
    pub(super) pages: Vec<LinkView<'a>>,
    pub(super) subsections: Vec<SubsectionView<'a>>,
    /// Whether the section lists only policy documents (shown as a 政策文件 table, current first).
    pub(super) documents: bool,
    /// Whether any of them has a 状态 (the table's 状态 column and filter).
    pub(super) statuses: bool,
}

#[derive(Serialize)]
pub(super) struct TermView<'a> {
    pub(super) name: &'a str,
    pub(super) path: String,
    pub(super) pages_count: usize,
}

pub(super) const SUMMARY_CHARS: usize = 120;

/// Shared by every render of one run: page HTML and section listings are made once, on first use,
/// so an incremental render only pays for what it renders.
pub(super) struct Ctx<'a> {
    pub(super) site: &'a Site,
    pub(super) theme: &'a Theme,
    pub(super) html: Vec<OnceLock<String>>,
    pub(super) sections: BTreeMap<usize, OnceLock<Value>>,
}

impl Ctx<'_> {
    pub(super) fn new<'a>(site: &'a Site, theme: &'a Theme) -> Ctx<'a> {
        Ctx {
            site,
            theme,
            html: (0..site.pages.len()).map(|_| OnceLock::new()).collect(),
            sections: site
                .children
                .keys()
                .map(|&s| (s, OnceLock::new()))
                .collect(),
        }
    }

    /// The page's Markdown rendered to HTML with its links resolved.
    pub(super) fn html(&self, i: usize) -> &str {
        self.html[i]
            .get_or_init(|| render_html(&self.site.pages[i].doc, |l| self.site.resolve_link(i, l)))
    }

    /// The section's view (its listing), as a template value.
    pub(super) fn section(&self, s: usize) -> &Value {
        self.sections[&s]
            .get_or_init(|| serde_json::to_value(section_view(self, s)).expect("views serialise"))
    }
}

/// A page's entry in listings (title, date, summary …) as text: when it changes, the pages that list
/// this page must be rendered again.
pub fn listing_fingerprint(site: &Site, i: usize) -> String {
    serde_json::to_string(&link_view(site, i)).expect("views serialise")
}

pub(super) fn site_view<'a>(site: &'a Site, current: Option<usize>) -> SiteView<'a> {
    let c = &site.config;
    let active_chain: Vec<usize> = current
        .map(|i| {
            let mut v = site.ancestors(i);
            v.retain(|&a| a != site.home);
            v.push(i);
            v
        })
        .unwrap_or_default();
    let menu_views = |items: &'a [crate::config::MenuItem]| -> Vec<MenuView<'a>> {
        items
            .iter()
            .map(|m| match &m.target {
                MenuTarget::Page(p) => {
                    let idx = site.by_rel.get(p.as_str()).copied();
                    MenuView {
                        name: &m.name,
                        path: idx.map(|i| url_path(&site.pages[i].path)),
                        url: None,
                        active: idx.is_some_and(|i| active_chain.contains(&i)),
                    }
                }
                MenuTarget::Url(u) => MenuView {
                    name: &m.name,
                    path: None,
                    url: Some(u),
                    active: false,
                },
            })
            .collect()
    };
    let menus = c
        .menus
        .iter()
        .map(|(name, items)| (name.as_str(), menu_views(items)))
        .collect();
    SiteView {
        title: &c.title,
        county: c.county.as_deref(),
        office: c.office.as_deref(),
        description: c.description.as_deref(),
        language: &c.language,
        base_path: &c.base_path,
        base_url: c.base_url.as_deref(),
        logo: c.logo.as_deref().map(url_path),
        tagline: c.tagline.as_deref(),
        footer: FooterView {
            fields: &c.footer,
            links: menu_views(&c.footer_links),
            badges: c
                .footer
                .badges
                .iter()
                .map(|b| BadgeView {
                    image: url_path(&b.image),
                    alt: &b.alt,
                    url: b.url.as_deref(),
                })
                .collect(),
        },
        extra: &c.extra,
        menus,
        search: c.search.enabled,
        csp: &c.csp,
    }
}

pub(super) fn tag_views<'a>(site: &'a Site, page: &'a Page) -> Vec<TagView<'a>> {
    page.tags
        .iter()
        .map(|t| TagView {
            name: t,
            path: url_path(&site.tag_path(t)).into_owned(),
        })
        .collect()
}

pub(super) fn summary(page: &Page) -> String {
    match &page.description {
        Some(d) => d.clone(),
        None => page.doc.summary(SUMMARY_CHARS),
    }
}

pub(super) fn link_view<'a>(site: &'a Site, i: usize) -> LinkView<'a> {
    let p = &site.pages[i];
    LinkView {
        title: &p.title,
        path: url_path(&p.path),
        date: p.date.as_ref().map(|d| d.0.as_str()),
        description: p.description.as_deref(),
        summary: summary(p),
        kind: p.kind.name(),
        kind_label: p.kind.label(),
        weight: p.weight,
        tags: tag_views(site, p),
        doc: list_doc_view(site, i),
    }
}

/// A section's pages in listing order, documents that no longer apply (已废止, 已失效) after the
/// others.
pub(super) fn listed_pages(site: &Site, pages: &[usize]) -> Vec<usize> {
    let mut v = pages.to_vec();
    v.sort_by_key(|&i| site.status(i).is_some_and(|s| s.is_void()));
    v
}

pub(super) fn section_view<'a>(ctx: &'a Ctx<'a>, s: usize) -> SectionView<'a> {
    let site = ctx.site;
    let p = &site.pages[s];
    let children = &site.children[&s];
    SectionView {
        title: &p.title,
        path: url_path(&p.path),
        content: ctx.html(s),
        description: p.description.as_deref(),
        pages: listed_pages(site, &children.pages)
            .into_iter()
            .map(|i| link_view(site, i))
            .collect(),
        documents: !children.pages.is_empty()
            && children.pages.iter().all(|&i| site.pages[i].meta.is_some()),
        statuses: children.pages.iter().any(|&i| site.status(i).is_some()),
        subsections: children
            .subsections
            .iter()
            .map(|&i| {
                let sp = &site.pages[i];
                SubsectionView {
                    title: &sp.title,
                    path: url_path(&sp.path),
                    description: sp.description.as_deref(),
                    pages_count: site.children[&i].pages.len(),
                }
            })
            .collect(),
    }
}

pub(super) fn toc(page: &Page) -> Vec<TocView> {
    let mut out: Vec<TocView> = Vec::new();
    for (hi, h) in page.doc.headings.iter().enumerate() {
        if !(2..=3).contains(&h.level) {
            continue;
        }
        let mut entry = TocView {
            level: h.level,
            id: h.id.clone(),
            title: h.text.clone(),
            children: Vec::new(),
        };
        if page.kind == Kind::Measure {
            entry.children = page
                .doc
                .articles
                .iter()
                .filter(|a| a.heading == Some(hi) && a.id != h.id)
                .map(|a| TocView {
                    level: h.level + 1,
                    id: a.id.clone(),
                    title: a.label.clone(),
                    children: Vec::new(),
                })
                .collect();
        }
        match out.last_mut() {
            Some(last) if h.level > last.level && page.kind != Kind::Measure => {
                last.children.push(entry)
            }
            _ => out.push(entry),
        }
    }
    out
}

pub(super) fn page_view<'a>(ctx: &'a Ctx<'a>, i: usize) -> PageView<'a> {
    let site = ctx.site;
    let p = &site.pages[i];
    let breadcrumbs = site
        .ancestors(i)
        .into_iter()
        .map(|a| CrumbView {
            title: &site.pages[a].title,
            path: url_path(&site.pages[a].path),
        })
        .collect();
    PageView {
        title: &p.title,
        kind: p.kind.name(),
        kind_label: p.kind.label(),
        path: url_path(&p.path),
        source: &p.rel,
        content: ctx.html(i),
        toc: if p.toc { toc(p) } else { Vec::new() },
        date: p.date.as_ref().map(|d| d.0.as_str()),
        weight: p.weight,
        tags: tag_views(site, p),
        description: p.description.as_deref(),
        summary: summary(p),
        breadcrumbs,
        meta: doc_view(site, i),
        attachments: attachment_views(site, p),
        articles: p
            .doc
            .articles
            .iter()
            .map(|a| ArticleView {
                number: a.number,
                id: &a.id,
                label: &a.label,
                title: &a.excerpt,
            })
            .collect(),
        extra: &p.extra,
        procedure: p.procedure.as_deref(),
        embeds: embed_langs(p),
        form: p.form.as_deref().map(|f| form_view(f, &p.path, false)),
        worksheet: p.worksheet.as_deref().map(worksheet_view),
        scope: p.scope.as_deref().map(|catalogue| {
            let links = |n| site.link_out(i, n);
            crate::scope::view::catalogue_view(catalogue, &p.path, &links, &p.path)
        }),
    }
}

/// The distinct embed languages of a page, sorted.
pub(super) fn embed_langs(p: &Page) -> Vec<&'static str> {
    let mut langs = p.doc.embed_langs();
    langs.sort_unstable();
    langs.dedup();
    langs
}

/// Every form page of the site, in listing order (first step, weight, id).
pub(super) fn listed_forms(site: &Site) -> Vec<forms::Listed<'_>> {
    let mut listed: Vec<forms::Listed> = site
        .pages
        .iter()
        .enumerate()
        .filter_map(|(page, p)| {
            p.form.as_deref().map(|form| forms::Listed {
                form,
                page,
                path: &p.path,
                source: &p.source,
                weight: p.weight,
            })
        })
        .collect();
    forms::sort_listed(&mut listed);
    listed
}

pub(super) fn base_context(
    site: &Site,
    current: Option<usize>,
    root: String,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "site".into(),
        serde_json::to_value(site_view(site, current)).expect("views serialise"),
    );
    m.insert("root".into(), Value::String(root));
    m
}
