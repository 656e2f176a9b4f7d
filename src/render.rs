//! Render: the one home of Tera.
//!
//! Stage: render (pure but for reading template and static files, done by [`Theme::load`]). Input: a
//! [`Site`] and a [`Theme`]. Output: `Vec<OutputFile>` — every HTML page, `sitemap.xml`, `404.html`,
//! static files and attachments, sorted by path. Templates see view structs (below), never the
//! internal model, so refactors do not break themes. Template layers: site `templates/` >
//! `themes/<name>/templates/` > the built-in default theme compiled into the binary.

use crate::content::{Kind, MeasureMeta, Page};
use crate::diagnostic::Diagnostic;
use crate::markdown::render_html;
use crate::output::{Data, OutputFile};
use crate::site::{relative_url, root_prefix, template_for, Site};
use crate::config::MenuTarget;
use include_dir::{include_dir, Dir};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default theme, compiled in.
static BUILTIN_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Where a template or static file came from (for diagnostics and overrides).
#[derive(Debug, Clone)]
struct Layered<T> {
    origin: String,
    value: T,
}

/// Templates and static files, layered: built-in < theme folder < site.
pub struct Theme {
    tera: tera::Tera,
    origins: BTreeMap<String, String>,
    statics: BTreeMap<String, Data>,
}

impl Theme {
    /// Loads the layers for `theme_name` under `root`. Template syntax errors are diagnostics.
    pub fn load(root: &Path, theme_name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: BTreeMap<String, Layered<String>> = BTreeMap::new();
        let mut statics: BTreeMap<String, Data> = BTreeMap::new();
        let mut diags = Vec::new();
        builtin_files("templates", &mut |rel, bytes| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            templates.insert(rel.into(), Layered { origin: format!("(built-in theme) templates/{rel}"), value: text });
        });
        builtin_files("static", &mut |rel, bytes| {
            statics.insert(rel.into(), Data::Static(bytes));
        });
        let theme_dir = root.join("themes").join(theme_name);
        if theme_name != "default" && !theme_dir.is_dir() {
            diags.push(Diagnostic::error(crate::config::CONFIG_FILE, 1, 1, format!("theme `{theme_name}` not found: expected a folder `themes/{theme_name}/` (or `theme: default`)")));
        }
        let layers = [(theme_dir.clone(), format!("themes/{theme_name}/")), (root.to_path_buf(), String::new())];
        for (dir, prefix) in &layers {
            disk_files(&dir.join("templates"), &mut |rel, path| match std::fs::read_to_string(path) {
                Ok(text) => {
                    templates.insert(rel.into(), Layered { origin: format!("{prefix}templates/{rel}"), value: text });
                }
                Err(e) => diags.push(Diagnostic::file(format!("{prefix}templates/{rel}"), format!("cannot read template: {e}"))),
            });
            disk_files(&dir.join("static"), &mut |rel, path| {
                statics.insert(rel.into(), Data::Copy(path.to_path_buf()));
            });
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        let raw: Vec<(String, String)> = templates.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
        if let Err(e) = tera.add_raw_templates(raw) {
            diags.push(template_diagnostic(&e, &templates));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let origins = templates.into_iter().map(|(k, v)| (k, v.origin)).collect();
        Ok(Theme { tera, origins, statics })
    }

    fn has(&self, name: &str) -> bool {
        self.origins.contains_key(name)
    }

    fn origin(&self, name: &str) -> String {
        self.origins.get(name).cloned().unwrap_or_else(|| name.to_string())
    }
}

/// HTML escaping for template output: `& < > " '` (Tera's default also escapes `/`, which makes every
/// path in an attribute unreadable without adding safety inside quoted attributes).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn builtin_files(sub: &str, f: &mut dyn FnMut(&str, &'static [u8])) {
    fn walk(dir: &'static Dir<'static>, strip: &str, f: &mut dyn FnMut(&str, &'static [u8])) {
        for file in dir.files() {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            f(rel.strip_prefix(strip).unwrap_or(&rel), file.contents());
        }
        for d in dir.dirs() {
            walk(d, strip, f);
        }
    }
    if let Some(dir) = BUILTIN_THEME.get_dir(sub) {
        walk(dir, &format!("{sub}/"), f);
    }
}

fn disk_files(dir: &Path, f: &mut dyn FnMut(&str, &Path)) {
    if !dir.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && !crate::content::is_ignored(&name) {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
            f(&rel, entry.path());
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}

fn template_diagnostic(e: &tera::Error, templates: &BTreeMap<String, Layered<String>>) -> Diagnostic {
    let text = error_chain(e);
    let name = templates.keys().find(|k| text.contains(&format!("'{k}'"))).cloned();
    let origin = name.as_ref().map(|n| templates[n].origin.clone()).unwrap_or_else(|| "templates".into());
    let (line, col) = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let mut it = rest.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let message = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    Diagnostic::error(origin, line, col, format!("template error: {message}"))
}

// ---------------------------------------------------------------- view structs

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    county: Option<&'a str>,
    office: Option<&'a str>,
    description: Option<&'a str>,
    language: &'a str,
    base_path: &'a str,
    base_url: Option<&'a str>,
    logo: Option<&'a str>,
    footer: &'a crate::config::Footer,
    extra: &'a BTreeMap<String, Value>,
    menus: BTreeMap<&'a str, Vec<MenuView<'a>>>,
    /// Whether the site has a search page (`search/index.html`).
    search: bool,
}

#[derive(Serialize)]
struct MenuView<'a> {
    name: &'a str,
    path: Option<&'a str>,
    url: Option<&'a str>,
    active: bool,
}

#[derive(Serialize)]
struct TagView<'a> {
    name: &'a str,
    path: String,
}

#[derive(Serialize)]
struct CrumbView<'a> {
    title: &'a str,
    path: &'a str,
}

#[derive(Serialize, Clone)]
struct TocView {
    level: u8,
    id: String,
    title: String,
    children: Vec<TocView>,
}

#[derive(Serialize)]
struct ArticleView<'a> {
    number: u32,
    id: &'a str,
    label: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    kind: &'static str,
    kind_label: &'static str,
    path: &'a str,
    source: &'a str,
    content: &'a str,
    toc: Vec<TocView>,
    date: Option<&'a str>,
    weight: i64,
    tags: Vec<TagView<'a>>,
    description: Option<&'a str>,
    summary: String,
    breadcrumbs: Vec<CrumbView<'a>>,
    meta: Option<&'a MeasureMeta>,
    articles: Vec<ArticleView<'a>>,
    extra: &'a BTreeMap<String, Value>,
}

#[derive(Serialize)]
struct LinkView<'a> {
    title: &'a str,
    path: &'a str,
    date: Option<&'a str>,
    description: Option<&'a str>,
    summary: String,
    kind: &'static str,
    kind_label: &'static str,
    weight: i64,
    tags: Vec<TagView<'a>>,
}

#[derive(Serialize)]
struct SubsectionView<'a> {
    title: &'a str,
    path: &'a str,
    description: Option<&'a str>,
    pages_count: usize,
}

#[derive(Serialize)]
struct SectionView<'a> {
    title: &'a str,
    path: &'a str,
    content: &'a str,
    description: Option<&'a str>,
    pages: Vec<LinkView<'a>>,
    subsections: Vec<SubsectionView<'a>>,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    path: String,
    pages_count: usize,
}

const SUMMARY_CHARS: usize = 120;

// ---------------------------------------------------------------- rendering

struct Ctx<'a> {
    site: &'a Site,
    theme: &'a Theme,
    html: Vec<String>,
    sections: BTreeMap<usize, Value>,
}

/// Renders the whole site. Problems (missing templates, template runtime errors) are diagnostics.
pub fn render_site(site: &Site, theme: &Theme) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let html: Vec<String> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| render_html(&site.pages[i].doc, |l| site.resolve_link(i, l)))
        .collect();
    let mut ctx = Ctx { site, theme, html, sections: BTreeMap::new() };
    let sections: BTreeMap<usize, Value> = site
        .children
        .keys()
        .map(|&s| (s, serde_json::to_value(section_view(&ctx, s)).expect("views serialise")))
        .collect();
    ctx.sections = sections;
    let results: Vec<Result<OutputFile, Diagnostic>> = (0..site.pages.len()).into_par_iter().map(|i| render_page(&ctx, i)).collect();
    let mut files = Vec::with_capacity(results.len() + 64);
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diags.push(d),
        }
    }
    match render_extras(&ctx) {
        Ok(extra) => files.extend(extra),
        Err(d) => diags.extend(d),
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    files.extend(static_files(site, theme));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    check_collisions(&files)?;
    Ok(files)
}

fn check_collisions(files: &[OutputFile]) -> Result<(), Vec<Diagnostic>> {
    let dups: Vec<Diagnostic> = files
        .windows(2)
        .filter(|w| w[0].path == w[1].path)
        .map(|w| Diagnostic::file(&w[0].path, "two sources publish this output file: a static file or attachment has the same path as a generated page"))
        .collect();
    if dups.is_empty() {
        Ok(())
    } else {
        Err(dups)
    }
}

fn static_files(site: &Site, theme: &Theme) -> Vec<OutputFile> {
    let statics = theme.statics.iter().map(|(p, d)| OutputFile { path: p.clone(), data: d.clone() });
    let assets = site.assets.iter().map(|a| OutputFile { path: a.rel.clone(), data: Data::Copy(a.abs.clone()) });
    statics.chain(assets).collect()
}

fn site_view<'a>(site: &'a Site, current: Option<usize>) -> SiteView<'a> {
    let c = &site.config;
    let active_chain: Vec<usize> = current.map(|i| {
        let mut v = site.ancestors(i);
        v.retain(|&a| a != site.home);
        v.push(i);
        v
    }).unwrap_or_default();
    let menus = c
        .menus
        .iter()
        .map(|(name, items)| {
            let views = items
                .iter()
                .map(|m| match &m.target {
                    MenuTarget::Page(p) => {
                        let idx = site.by_rel.get(p.as_str()).copied();
                        MenuView {
                            name: &m.name,
                            path: idx.map(|i| site.pages[i].path.as_str()),
                            url: None,
                            active: idx.is_some_and(|i| active_chain.contains(&i)),
                        }
                    }
                    MenuTarget::Url(u) => MenuView { name: &m.name, path: None, url: Some(u), active: false },
                })
                .collect();
            (name.as_str(), views)
        })
        .collect();
    SiteView {
        title: &c.title,
        county: c.county.as_deref(),
        office: c.office.as_deref(),
        description: c.description.as_deref(),
        language: &c.language,
        base_path: &c.base_path,
        base_url: c.base_url.as_deref(),
        logo: c.logo.as_deref(),
        footer: &c.footer,
        extra: &c.extra,
        menus,
        search: c.search.enabled,
    }
}

fn tag_views<'a>(site: &'a Site, page: &'a Page) -> Vec<TagView<'a>> {
    page.tags.iter().map(|t| TagView { name: t, path: site.tag_path(t) }).collect()
}

fn summary(page: &Page) -> String {
    match &page.description {
        Some(d) => d.clone(),
        None => page.doc.summary(SUMMARY_CHARS),
    }
}

fn link_view<'a>(site: &'a Site, i: usize) -> LinkView<'a> {
    let p = &site.pages[i];
    LinkView {
        title: &p.title,
        path: &p.path,
        date: p.date.as_ref().map(|d| d.0.as_str()),
        description: p.description.as_deref(),
        summary: summary(p),
        kind: p.kind.name(),
        kind_label: p.kind.label(),
        weight: p.weight,
        tags: tag_views(site, p),
    }
}

fn section_view<'a>(ctx: &'a Ctx<'a>, s: usize) -> SectionView<'a> {
    let site = ctx.site;
    let p = &site.pages[s];
    let children = &site.children[&s];
    SectionView {
        title: &p.title,
        path: &p.path,
        content: &ctx.html[s],
        description: p.description.as_deref(),
        pages: children.pages.iter().map(|&i| link_view(site, i)).collect(),
        subsections: children
            .subsections
            .iter()
            .map(|&i| {
                let sp = &site.pages[i];
                SubsectionView { title: &sp.title, path: &sp.path, description: sp.description.as_deref(), pages_count: site.children[&i].pages.len() }
            })
            .collect(),
    }
}

fn toc(page: &Page) -> Vec<TocView> {
    let mut out: Vec<TocView> = Vec::new();
    for (hi, h) in page.doc.headings.iter().enumerate() {
        if !(2..=3).contains(&h.level) {
            continue;
        }
        let mut entry = TocView { level: h.level, id: h.id.clone(), title: h.text.clone(), children: Vec::new() };
        if page.kind == Kind::Measure {
            entry.children = page
                .doc
                .articles
                .iter()
                .filter(|a| a.heading == Some(hi) && a.id != h.id)
                .map(|a| TocView { level: h.level + 1, id: a.id.clone(), title: a.label.clone(), children: Vec::new() })
                .collect();
        }
        match out.last_mut() {
            Some(last) if h.level > last.level && page.kind != Kind::Measure => last.children.push(entry),
            _ => out.push(entry),
        }
    }
    out
}

fn page_view<'a>(ctx: &'a Ctx<'a>, i: usize) -> PageView<'a> {
    let site = ctx.site;
    let p = &site.pages[i];
    let breadcrumbs = site
        .ancestors(i)
        .into_iter()
        .map(|a| CrumbView { title: &site.pages[a].title, path: &site.pages[a].path })
        .collect();
    PageView {
        title: &p.title,
        kind: p.kind.name(),
        kind_label: p.kind.label(),
        path: &p.path,
        source: &p.rel,
        content: &ctx.html[i],
        toc: if p.toc { toc(p) } else { Vec::new() },
        date: p.date.as_ref().map(|d| d.0.as_str()),
        weight: p.weight,
        tags: tag_views(site, p),
        description: p.description.as_deref(),
        summary: summary(p),
        breadcrumbs,
        meta: p.measure.as_ref(),
        articles: p.doc.articles.iter().map(|a| ArticleView { number: a.number, id: &a.id, label: &a.label, title: &a.excerpt }).collect(),
        extra: &p.extra,
    }
}

fn base_context(site: &Site, current: Option<usize>, root: String) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("site".into(), serde_json::to_value(site_view(site, current)).expect("views serialise"));
    m.insert("root".into(), Value::String(root));
    m
}

fn render_template(theme: &Theme, name: &str, map: Map<String, Value>, asked_by: &str) -> Result<String, Diagnostic> {
    let ctx = tera::Context::from_value(Value::Object(map)).expect("an object is a context");
    theme.tera.render(name, &ctx).map_err(|e| {
        Diagnostic::file(theme.origin(name), format!("template error while rendering {asked_by}: {}", error_chain(&e).replace('\n', " ")))
    })
}

fn render_page(ctx: &Ctx<'_>, i: usize) -> Result<OutputFile, Diagnostic> {
    let site = ctx.site;
    let p = &site.pages[i];
    let mut name = template_for(p);
    if i == site.home && p.template.is_none() {
        name = "index.html".into();
    } else if p.template.is_none() && !ctx.theme.has(&name) {
        name = "page.html".into();
    }
    if !ctx.theme.has(&name) {
        let available: Vec<_> = ctx.theme.origins.keys().filter(|k| !k.starts_with("partials/")).map(|k| format!("`{k}`")).collect();
        return Err(Diagnostic::error(&p.source, p.line_of("template"), 1, format!("template `{name}` not found (asked for by this page): expected one of {}", available.join(", "))));
    }
    let mut map = base_context(site, Some(i), root_prefix(&p.path));
    if p.is_section() {
        map.insert("section".into(), ctx.sections[&i].clone());
        map.insert("page".into(), serde_json::to_value(page_view(ctx, i)).expect("views serialise"));
        if i == site.home {
            map.insert("latest".into(), latest(site));
        }
    } else {
        map.insert("page".into(), serde_json::to_value(page_view(ctx, i)).expect("views serialise"));
        if let Some(s) = site.parent[i] {
            map.insert("section".into(), ctx.sections[&s].clone());
        }
    }
    let html = render_template(ctx.theme, &name, map, &p.source)?;
    Ok(OutputFile::bytes(p.path.clone(), html.into_bytes()))
}

fn latest(site: &Site) -> Value {
    let mut dated: Vec<usize> = (0..site.pages.len()).filter(|&i| !site.pages[i].is_section() && site.pages[i].date.is_some()).collect();
    dated.sort_by(|&a, &b| crate::site::listing_order(&site.pages[a], &site.pages[b], crate::content::SortBy::Date));
    dated.truncate(10);
    serde_json::to_value(dated.into_iter().map(|i| link_view(site, i)).collect::<Vec<_>>()).expect("views serialise")
}

fn render_extras(ctx: &Ctx<'_>) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site = ctx.site;
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let mut push = |r: Result<OutputFile, Diagnostic>| match r {
        Ok(f) => files.push(f),
        Err(d) => diags.push(d),
    };
    let page_404 = base_context(site, None, site.config.base_path.clone());
    push(render_template(ctx.theme, "404.html", page_404, "404.html").map(|h| OutputFile::bytes("404.html", h.into_bytes())));
    if !site.tags.is_empty() {
        let terms: Vec<TermView> = site.tags.iter().map(|(n, t)| TermView { name: n, path: site.tag_path(n), pages_count: t.pages.len() }).collect();
        let mut map = base_context(site, None, "../".into());
        map.insert("terms".into(), serde_json::to_value(&terms).expect("views serialise"));
        push(render_template(ctx.theme, "taxonomy_list.html", map, "tags/index.html").map(|h| OutputFile::bytes("tags/index.html", h.into_bytes())));
        let term_files: Vec<_> = site.tags.par_iter().map(|(name, tag)| render_term(ctx, name, &tag.pages)).collect();
        for r in term_files {
            push(r);
        }
    }
    if site.config.search.enabled {
        let map = base_context(site, None, "../".into());
        push(render_template(ctx.theme, "search.html", map, "search/index.html").map(|h| OutputFile::bytes("search/index.html", h.into_bytes())));
    }
    files.push(OutputFile::bytes("sitemap.xml", sitemap(site).into_bytes()));
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(diags)
    }
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
    let term = Term { name, path: &path, pages: pages.iter().map(|&i| link_view(site, i)).collect() };
    let mut map = base_context(site, None, root_prefix(&path));
    map.insert("term".into(), serde_json::to_value(&term).expect("views serialise"));
    let html = render_template(ctx.theme, "taxonomy_term.html", map, &path)?;
    Ok(OutputFile::bytes(path.clone(), html.into_bytes()))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn sitemap(site: &Site) -> String {
    let base = format!("{}{}", site.config.base_url.as_deref().unwrap_or(""), site.config.base_path);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for p in &site.pages {
        let path = p.path.strip_suffix("index.html").unwrap_or(&p.path);
        s.push_str(&format!("  <url><loc>{}</loc>", xml_escape(&format!("{base}{path}"))));
        if let Some(d) = &p.date {
            s.push_str(&format!("<lastmod>{}</lastmod>", d.0));
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

/// The relative URL between two output files (exposed for commands that print links).
pub fn href(from: &str, to: &str) -> String {
    relative_url(from, to)
}

/// The on-disk folders whose files feed the theme layers (for `serve` to watch).
pub fn theme_dirs(root: &Path, theme_name: &str) -> Vec<PathBuf> {
    vec![root.join("templates"), root.join("themes").join(theme_name)]
}
