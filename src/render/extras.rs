//! Extras: the files beside the pages — `404.html`, the tag index and tag pages, the search page,
//! the scope lookup page and its data script, `sitemap.xml`, the forms' `.docx` files and the
//! print-all page — and the static files and attachments copied as they are.

use super::theme::render_template;
use super::views::{base_context, link_view, listed_forms, Ctx, LinkView, TermView};
use super::{Selection, Theme};
use crate::diagnostic::Diagnostic;
use crate::forms::{
    self,
    view::{form_view, FormView},
};
use crate::html::{escape_xml, url_path};
use crate::output::{Data, OutputFile};
use crate::scope;
use crate::site::{root_prefix, Site};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

pub(super) fn static_files(site: &Site, theme: &Theme) -> Vec<OutputFile> {
    let statics = theme.statics.iter().map(|(p, d)| OutputFile {
        path: p.clone(),
        data: d.clone(),
    });
    let pages: HashSet<String> = site.pages.iter().map(|p| p.path.to_lowercase()).collect();
    let assets = site
        .assets
        .iter()
        .filter(|a| !pages.contains(&a.rel.to_lowercase()))
        .map(|a| OutputFile {
            path: a.rel.clone(),
            data: Data::Copy(a.abs.clone()),
        });
    statics.chain(assets).collect()
}

/// The logo and footer badges must be files the site publishes (static files or attachments).
pub(super) fn check_branding_files(site: &Site, theme: &Theme) -> Vec<Diagnostic> {
    let c = &site.config;
    let images = c
        .logo
        .iter()
        .map(|l| ("logo", l.as_str(), c.logo_line))
        .chain(
            c.footer
                .badges
                .iter()
                .map(|b| ("footer badge", b.image.as_str(), b.line)),
        );
    images
        .filter(|(_, path, _)| {
            !(theme.statics.contains_key(*path) || site.asset_index.contains_key(*path))
        })
        .map(|(what, path, line)| {
            Diagnostic::error(
                crate::config::CONFIG_FILE,
                line,
                1,
                format!(
                    "{what} `{path}` not found: expected a file in the site's `static/` folder (`static/{}`), the theme's `static/`, or under `content/`",
                    path.trim_start_matches('/')
                ),
            )
        })
        .collect()
}

pub(super) fn render_extras(
    ctx: &Ctx<'_>,
    sel: &Selection,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site = ctx.site;
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let mut push = |r: Result<OutputFile, Diagnostic>| match r {
        Ok(f) => files.push(f),
        Err(d) => diags.push(d),
    };
    let page_404 = base_context(site, None, site.config.base_path.clone());
    let extras = sel.extras;
    if extras {
        push(
            render_template(ctx.theme, "404.html", page_404, "404.html")
                .map(|h| OutputFile::bytes("404.html", h.into_bytes())),
        );
    }
    if !site.tags.is_empty() && extras {
        let terms: Vec<TermView> = site
            .tags
            .iter()
            .map(|(n, t)| TermView {
                name: n,
                path: site.tag_path(n),
                pages_count: t.pages.len(),
            })
            .collect();
        let mut map = base_context(site, None, "../".into());
        map.insert(
            "terms".into(),
            serde_json::to_value(&terms).expect("views serialise"),
        );
        push(
            render_template(ctx.theme, "taxonomy_list.html", map, "tags/index.html")
                .map(|h| OutputFile::bytes("tags/index.html", h.into_bytes())),
        );
    }
    let term_files: Vec<_> = site
        .tags
        .par_iter()
        .filter(|(name, _)| sel.has_tag(name))
        .map(|(name, tag)| render_term(ctx, name, &tag.pages))
        .collect();
    for r in term_files {
        push(r);
    }
    if extras && site.config.search.enabled {
        let map = base_context(site, None, "../".into());
        push(
            render_template(ctx.theme, "search.html", map, "search/index.html")
                .map(|h| OutputFile::bytes("search/index.html", h.into_bytes())),
        );
    }
    if extras {
        if let Some(r) = render_scope_lookup(ctx) {
            push(r);
        }
        if let Some((path, script)) = scope_script(site) {
            push(Ok(OutputFile::bytes(path, script.into_bytes())));
        }
    }
    if extras {
        for i in 0..site.pages.len() {
            if let Some(r) = render_compare(ctx, i) {
                push(r);
            }
        }
    }
    if extras {
        files.push(OutputFile::bytes("sitemap.xml", sitemap(site).into_bytes()));
    }
    if extras {
        let listed = listed_forms(site);
        match forms::render_outputs(&listed) {
            Ok(f) => files.extend(f),
            Err(d) => diags.extend(d),
        }
        if !listed.is_empty() {
            match render_print_all(ctx, &listed) {
                Ok(f) => files.push(f),
                Err(d) => diags.push(d),
            }
        }
    }
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(diags)
    }
}

/// `scope-data.js` beside the site's catalogue page: its path and text.
fn scope_script(site: &Site) -> Option<(String, String)> {
    let (page, matcher) = site.scope_matcher()?;
    let catalogue = site.pages[page].scope.as_deref()?;
    let links = |n| site.link_out(page, n);
    Some(scope::view::client_script(
        catalogue,
        &matcher,
        &site.pages[page].path,
        &links,
    ))
}

/// The scope lookup page beside the site's catalogue page (`scope/lookup/index.html`).
fn render_scope_lookup(ctx: &Ctx<'_>) -> Option<Result<OutputFile, Diagnostic>> {
    let site = ctx.site;
    let page = site.catalogue_page()?;
    let catalogue = site.pages[page].scope.as_deref()?;
    let catalogue_path = &site.pages[page].path;
    let path = scope::view::lookup_path(catalogue_path);
    let mut map = base_context(site, Some(page), root_prefix(&path));
    let links = |n| site.link_out(page, n);
    map.insert(
        "scope".into(),
        scope::view::catalogue_view(catalogue, catalogue_path, &links, &path),
    );
    map.insert(
        "catalogue".into(),
        serde_json::to_value(link_view(site, page)).expect("views serialise"),
    );
    map.insert("path".into(), Value::String(path.clone()));
    Some(
        render_template(ctx.theme, "scope_lookup.html", map, &path)
            .map(|h| OutputFile::bytes(path.clone(), h.into_bytes())),
    )
}

/// The 新旧条文对照 page of measure `i`, if it replaces another (`measures/a/compare/index.html`).
fn render_compare(ctx: &Ctx<'_>, i: usize) -> Option<Result<OutputFile, Diagnostic>> {
    let site = ctx.site;
    if site.shadowed.contains(&i) {
        return None;
    }
    let (path, view) = super::policy::compare_view(site, i)?;
    let mut map = base_context(site, Some(i), root_prefix(&path));
    map.insert(
        "compare".into(),
        serde_json::to_value(&view).expect("views serialise"),
    );
    Some(
        render_template(ctx.theme, "compare.html", map, &path)
            .map(|h| OutputFile::bytes(path.clone(), h.into_bytes())),
    )
}

/// The page that prints every blank form, each starting on a new sheet.
fn render_print_all(ctx: &Ctx<'_>, listed: &[forms::Listed<'_>]) -> Result<OutputFile, Diagnostic> {
    let path = forms::PRINT_ALL_PATH;
    let views: Vec<FormView> = listed
        .iter()
        .map(|l| form_view(l.form, l.path, true))
        .collect();
    let mut map = base_context(ctx.site, None, root_prefix(path));
    map.insert(
        "forms".into(),
        serde_json::to_value(&views).expect("views serialise"),
    );
    map.insert(
        "forms_layout_css".into(),
        Value::String(forms::LAYOUT_CSS_PATH.into()),
    );
    let html = render_template(ctx.theme, "form_print_all.html", map, path)?;
    Ok(OutputFile::bytes(path, html.into_bytes()))
}

fn render_term(ctx: &Ctx<'_>, name: &str, pages: &[usize]) -> Result<OutputFile, Diagnostic> {
    let site = ctx.site;
    let path = site.tag_path(name);
    #[derive(Serialize)]
    struct Term<'a> {
        name: &'a str,
        path: &'a str,
        pages: Vec<LinkView<'a>>,
    }
    let term = Term {
        name,
        path: &path,
        pages: pages.iter().map(|&i| link_view(site, i)).collect(),
    };
    let mut map = base_context(site, None, root_prefix(&path));
    map.insert(
        "term".into(),
        serde_json::to_value(&term).expect("views serialise"),
    );
    let html = render_template(ctx.theme, "taxonomy_term.html", map, &path)?;
    Ok(OutputFile::bytes(path.clone(), html.into_bytes()))
}

fn sitemap(site: &Site) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for p in &site.pages {
        let path = p.path.strip_suffix("index.html").unwrap_or(&p.path);
        // The sitemap protocol wants plain URIs: every path character beyond ASCII encoded too.
        s.push_str(&format!(
            "  <url><loc>{}{}</loc>",
            escape_xml(site.config.base_url.as_deref().unwrap_or("")),
            escape_xml(&url_path(&format!("{}{path}", site.config.base_path)))
        ));
        if let Some(d) = &p.date {
            s.push_str(&format!("<lastmod>{}</lastmod>", d.0));
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
}
