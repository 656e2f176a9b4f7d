//! Render: the one home of Tera.
//!
//! Stage: render (pure but for reading template and static files, done by [`Theme::load`]). Input: a
//! [`Site`] and a [`Theme`]. Output: `Vec<OutputFile>` — every HTML page, `sitemap.xml`, `404.html`,
//! static files and attachments, sorted by path. Templates see view structs (below), never the
//! internal model, so refactors do not break themes. Template layers: site `templates/` >
//! `themes/<name>/templates/` > the built-in default theme compiled into the binary.

use crate::config::MenuTarget;
use crate::content::{Kind, MeasureMeta, Page};
use crate::diagnostic::Diagnostic;
use crate::forms::{self, Form};
use crate::markdown::render_html;
use crate::output::{Data, OutputFile, Sink};
use crate::site::{root_prefix, template_for, Site};
use include_dir::{include_dir, Dir};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

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
    /// Each template's text, to tell which templates an edit changed (`portal serve`).
    texts: BTreeMap<String, String>,
}

impl Theme {
    /// Loads the layers for `theme_name` under `root`. Template syntax errors are diagnostics.
    pub fn load(root: &Path, theme_name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: BTreeMap<String, Layered<String>> = BTreeMap::new();
        let mut statics: BTreeMap<String, Data> = BTreeMap::new();
        let mut diags = Vec::new();
        builtin_files("templates", &mut |rel, bytes| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            templates.insert(
                rel.into(),
                Layered {
                    origin: format!("(built-in theme) templates/{rel}"),
                    value: text,
                },
            );
        });
        builtin_files("static", &mut |rel, bytes| {
            statics.insert(rel.into(), Data::Static(bytes));
        });
        let theme_dir = root.join("themes").join(theme_name);
        if theme_name != "default" && !theme_dir.is_dir() {
            diags.push(Diagnostic::error(crate::config::CONFIG_FILE, 1, 1, format!("theme `{theme_name}` not found: expected a folder `themes/{theme_name}/` (or `theme: default`)")));
        }
        let layers = [
            (theme_dir.clone(), format!("themes/{theme_name}/")),
            (root.to_path_buf(), String::new()),
        ];
        for (dir, prefix) in &layers {
            disk_files(
                &dir.join("templates"),
                &mut |rel, path| match std::fs::read_to_string(path) {
                    Ok(text) => {
                        templates.insert(
                            rel.into(),
                            Layered {
                                origin: format!("{prefix}templates/{rel}"),
                                value: text,
                            },
                        );
                    }
                    Err(e) => diags.push(Diagnostic::file(
                        format!("{prefix}templates/{rel}"),
                        format!("cannot read template: {e}"),
                    )),
                },
            );
            disk_files(&dir.join("static"), &mut |rel, path| {
                statics.insert(rel.into(), Data::Copy(path.to_path_buf()));
            });
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        let raw: Vec<(String, String)> = templates
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        if let Err(e) = tera.add_raw_templates(raw) {
            diags.push(template_diagnostic(&e, &templates));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let texts = templates
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        let origins = templates.into_iter().map(|(k, v)| (k, v.origin)).collect();
        Ok(Theme {
            tera,
            origins,
            statics,
            texts,
        })
    }

    /// The templates whose output may differ between `old` and this theme: those whose text changed,
    /// that appeared or went away, and every template that extends, includes or imports one of them
    /// (found as quoted template names in its text: a name in a string is counted too, which only
    /// renders more than needed).
    pub fn changed_templates(&self, old: &Theme) -> BTreeSet<String> {
        let mut changed: BTreeSet<String> = self
            .texts
            .keys()
            .chain(old.texts.keys())
            .filter(|k| self.texts.get(*k) != old.texts.get(*k))
            .cloned()
            .collect();
        loop {
            let more: Vec<String> = self
                .texts
                .iter()
                .filter(|(name, text)| {
                    !changed.contains(*name) && quoted_names(text).any(|n| changed.contains(n))
                })
                .map(|(name, _)| name.clone())
                .collect();
            if more.is_empty() {
                return changed;
            }
            changed.extend(more);
        }
    }

    /// Whether the static files differ from `old`'s by name or origin (a changed file on disk is
    /// not seen here: the watcher reports those).
    pub fn statics_differ(&self, old: &Theme) -> bool {
        !self.statics.keys().eq(old.statics.keys())
            || self
                .statics
                .iter()
                .zip(&old.statics)
                .any(|((_, a), (_, b))| !same_data(a, b))
    }

    fn has(&self, name: &str) -> bool {
        self.origins.contains_key(name)
    }

    fn origin(&self, name: &str) -> String {
        self.origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }
}

/// The strings in quotes inside a template's `{% … %}` tags (where `extends`, `include` and
/// `import` name templates).
fn quoted_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("{%")
        .skip(1)
        .filter_map(|rest| rest.split_once("%}").map(|(tag, _)| tag))
        .flat_map(|tag| {
            let mut names = Vec::new();
            let mut rest = tag;
            while let Some(start) = rest.find(['"', '\'']) {
                let quote = &rest[start..start + 1];
                let after = &rest[start + 1..];
                let Some(end) = after.find(quote) else { break };
                names.push(&after[..end]);
                rest = &after[end + 1..];
            }
            names
        })
}

fn same_data(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::Static(x), Data::Static(y)) => x == y,
        (Data::Copy(x), Data::Copy(y)) => x == y,
        _ => false,
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
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && !crate::content::is_ignored(&name) {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
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

fn template_diagnostic(
    e: &tera::Error,
    templates: &BTreeMap<String, Layered<String>>,
) -> Diagnostic {
    let text = error_chain(e);
    let name = templates
        .keys()
        .find(|k| text.contains(&format!("'{k}'")))
        .cloned();
    let origin = name
        .as_ref()
        .map(|n| templates[n].origin.clone())
        .unwrap_or_else(|| "templates".into());
    let (line, col) = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let mut it = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty());
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let message = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
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
    tagline: Option<&'a str>,
    footer: FooterView<'a>,
    extra: &'a BTreeMap<String, Value>,
    menus: BTreeMap<&'a str, Vec<MenuView<'a>>>,
    /// Whether the site has a search page (`search/index.html`).
    search: bool,
}

/// `portal.yaml`'s `footer:` fields, with `links` resolved like menu entries.
#[derive(Serialize)]
struct FooterView<'a> {
    #[serde(flatten)]
    fields: &'a crate::config::Footer,
    links: Vec<MenuView<'a>>,
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
    /// `kind: procedure`: 依据, 适用范围, 咨询.
    procedure: Option<&'a crate::flow::Procedure>,
    /// Languages of the fenced blocks rendered by kind modules (`["flow"]`), for their stylesheets.
    embeds: Vec<&'static str>,
    /// Form pages: the form's facts for the toolbar (`None` on other pages).
    form: Option<FormView<'a>>,
    /// `kind: worksheet` pages: the risk-matrix configuration.
    worksheet: Option<WorksheetView<'a>>,
    /// `kind: scope` pages: the catalogue grouped by category (see `scope::view`).
    scope: Option<Value>,
}

/// A worksheet's configuration for its template: structured (scale tables) and as the JSON the
/// page's script reads from `<script type="application/json" id="worksheet-config">`.
#[derive(Serialize)]
struct WorksheetView<'a> {
    config: crate::risk::ClientConfig<'a>,
    /// `<`, `>` and `&` escaped, so it cannot close the data block; output it with `| safe`.
    json: String,
}

fn worksheet_view(page: &Page) -> Option<WorksheetView<'_>> {
    let ws = page.worksheet.as_deref()?;
    let config = crate::risk::ClientConfig::new(ws);
    let json = config.to_script_json();
    Some(WorksheetView { config, json })
}

/// A form as templates see it (form pages, the forms index, the print-all page).
#[derive(Serialize)]
struct FormView<'a> {
    id: &'a str,
    title: &'a str,
    /// The form page (site-root-relative).
    path: &'a str,
    /// The Word file (site-root-relative).
    docx: String,
    pages: u32,
    paper: &'static str,
    /// `A4 纵向` / `A4 横向`.
    paper_label: &'static str,
    version: Option<&'a str>,
    steps: Vec<StepView<'a>>,
    /// The form's sheets (HTML), on the print-all page only.
    sheets: Option<&'a str>,
}

#[derive(Serialize)]
struct StepView<'a> {
    number: u32,
    name: Option<&'a str>,
}

/// Forms grouped under a procedure step (the forms index).
#[derive(Serialize)]
struct FormGroupView<'a> {
    number: Option<u32>,
    name: String,
    forms: Vec<FormView<'a>>,
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

/// Shared by every render of one run: page HTML and section listings are made once, on first use,
/// so an incremental render only pays for what it renders.
struct Ctx<'a> {
    site: &'a Site,
    theme: &'a Theme,
    html: Vec<OnceLock<String>>,
    sections: BTreeMap<usize, OnceLock<Value>>,
}

impl Ctx<'_> {
    fn new<'a>(site: &'a Site, theme: &'a Theme) -> Ctx<'a> {
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
    fn html(&self, i: usize) -> &str {
        self.html[i]
            .get_or_init(|| render_html(&self.site.pages[i].doc, |l| self.site.resolve_link(i, l)))
    }

    /// The section's view (its listing), as a template value.
    fn section(&self, s: usize) -> &Value {
        self.sections[&s]
            .get_or_init(|| serde_json::to_value(section_view(self, s)).expect("views serialise"))
    }
}

/// What to render: everything, or (for `serve`) only what an edit touched.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Pages by index into `Site::pages`; `None` means every page.
    pub pages: Option<HashSet<usize>>,
    /// Tag pages by tag name; `None` means every tag page.
    pub tags: Option<HashSet<String>>,
    /// `404.html`, `tags/index.html` and `sitemap.xml`.
    pub extras: bool,
    /// Theme static files and content attachments.
    pub statics: bool,
}

impl Selection {
    /// Every output file.
    pub fn all() -> Selection {
        Selection {
            pages: None,
            tags: None,
            extras: true,
            statics: true,
        }
    }

    fn has_page(&self, i: usize) -> bool {
        self.pages.as_ref().is_none_or(|p| p.contains(&i))
    }

    fn has_tag(&self, t: &str) -> bool {
        self.tags.as_ref().is_none_or(|s| s.contains(t))
    }
}

/// A page's entry in listings (title, date, summary …) as text: when it changes, the pages that list
/// this page must be rendered again.
pub fn listing_fingerprint(site: &Site, i: usize) -> String {
    serde_json::to_string(&link_view(site, i)).expect("views serialise")
}

/// What [`render_site`] produced.
#[derive(Debug, Default, Clone, Copy)]
pub struct RenderStats {
    pub files: usize,
    pub bytes: u64,
}

/// Counts files, refuses a second file at the same path, and forwards to the real sink.
struct Checked<'a> {
    sink: &'a dyn Sink,
    seen: Mutex<HashSet<String>>,
    bytes: AtomicU64,
    errors: Mutex<Vec<Diagnostic>>,
}

impl Checked<'_> {
    fn put(&self, file: OutputFile) {
        if !self.seen.lock().expect("lock").insert(file.path.clone()) {
            self.errors.lock().expect("lock").push(Diagnostic::file(&file.path, "two sources publish this output file: a static file or attachment has the same path as a generated page"));
            return;
        }
        self.bytes.fetch_add(file.len(), Ordering::Relaxed);
        let path = file.path.clone();
        if let Err(e) = self.sink.put(file) {
            self.errors.lock().expect("lock").push(Diagnostic::file(
                path,
                format!("cannot write: {}", error_chain(e.as_ref())),
            ));
        }
    }

    fn result(&self, r: Result<OutputFile, Diagnostic>) {
        match r {
            Ok(f) => self.put(f),
            Err(d) => self.errors.lock().expect("lock").push(d),
        }
    }
}

/// How many sibling pages share one template context (the section listing is copied once per chunk).
const CHUNK: usize = 64;

/// Renders the whole site, handing each file to `sink` as soon as it is made. Problems (missing
/// templates, template runtime errors, two files at one path) are diagnostics.
pub fn render_site(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
) -> Result<RenderStats, Vec<Diagnostic>> {
    render_selected(site, theme, &Selection::all(), sink)
}

/// Renders the files of `sel` (see [`render_site`]).
pub fn render_selected(
    site: &Site,
    theme: &Theme,
    sel: &Selection,
    sink: &dyn Sink,
) -> Result<RenderStats, Vec<Diagnostic>> {
    let ctx = Ctx::new(site, theme);
    let out = Checked {
        sink,
        seen: Mutex::new(HashSet::new()),
        bytes: AtomicU64::new(0),
        errors: Mutex::new(Vec::new()),
    };
    page_chunks(site, sel)
        .par_iter()
        .for_each(|(section, pages)| {
            let mut tctx = tera::Context::new();
            if let Some(s) = section {
                tctx.insert("section", ctx.section(*s));
            }
            for &i in pages {
                out.result(render_page(&ctx, i, &mut tctx));
            }
        });
    match render_extras(&ctx, sel) {
        Ok(extra) => extra.into_iter().for_each(|f| out.put(f)),
        Err(d) => out.errors.lock().expect("lock").extend(d),
    }
    if sel.statics {
        out.errors
            .lock()
            .expect("lock")
            .extend(check_branding_files(site, theme));
        static_files(site, theme)
            .into_iter()
            .for_each(|f| out.put(f));
    }
    let errors = out.errors.into_inner().expect("lock");
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RenderStats {
        files: out.seen.into_inner().expect("lock").len(),
        bytes: out.bytes.into_inner(),
    })
}

/// Pages grouped by the section that lists them, in chunks of [`CHUNK`]; sections stand alone.
fn page_chunks(site: &Site, sel: &Selection) -> Vec<(Option<usize>, Vec<usize>)> {
    let mut by_section: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for (i, p) in site
        .pages
        .iter()
        .enumerate()
        .filter(|(i, _)| !site.shadowed.contains(i) && sel.has_page(*i))
    {
        let key = if p.is_section() { None } else { site.parent[i] };
        by_section.entry(key).or_default().push(i);
    }
    by_section
        .into_iter()
        .flat_map(|(s, pages)| {
            pages
                .chunks(CHUNK)
                .map(|c| (s, c.to_vec()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn static_files(site: &Site, theme: &Theme) -> Vec<OutputFile> {
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

fn site_view<'a>(site: &'a Site, current: Option<usize>) -> SiteView<'a> {
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
                        path: idx.map(|i| site.pages[i].path.as_str()),
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
        logo: c.logo.as_deref(),
        tagline: c.tagline.as_deref(),
        footer: FooterView {
            fields: &c.footer,
            links: menu_views(&c.footer_links),
        },
        extra: &c.extra,
        menus,
        search: c.search.enabled,
    }
}

fn tag_views<'a>(site: &'a Site, page: &'a Page) -> Vec<TagView<'a>> {
    page.tags
        .iter()
        .map(|t| TagView {
            name: t,
            path: site.tag_path(t),
        })
        .collect()
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
        content: ctx.html(s),
        description: p.description.as_deref(),
        pages: children.pages.iter().map(|&i| link_view(site, i)).collect(),
        subsections: children
            .subsections
            .iter()
            .map(|&i| {
                let sp = &site.pages[i];
                SubsectionView {
                    title: &sp.title,
                    path: &sp.path,
                    description: sp.description.as_deref(),
                    pages_count: site.children[&i].pages.len(),
                }
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

fn page_view<'a>(ctx: &'a Ctx<'a>, i: usize) -> PageView<'a> {
    let site = ctx.site;
    let p = &site.pages[i];
    let breadcrumbs = site
        .ancestors(i)
        .into_iter()
        .map(|a| CrumbView {
            title: &site.pages[a].title,
            path: &site.pages[a].path,
        })
        .collect();
    PageView {
        title: &p.title,
        kind: p.kind.name(),
        kind_label: p.kind.label(),
        path: &p.path,
        source: &p.rel,
        content: ctx.html(i),
        toc: if p.toc { toc(p) } else { Vec::new() },
        date: p.date.as_ref().map(|d| d.0.as_str()),
        weight: p.weight,
        tags: tag_views(site, p),
        description: p.description.as_deref(),
        summary: summary(p),
        breadcrumbs,
        meta: p.measure.as_ref(),
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
        worksheet: worksheet_view(p),
        scope: crate::scope::view::catalogue_view(site, i, &p.path),
    }
}

/// The distinct embed languages of a page, sorted.
fn embed_langs(p: &Page) -> Vec<&'static str> {
    let mut langs = p.doc.embed_langs();
    langs.sort_unstable();
    langs.dedup();
    langs
}

fn form_view<'a>(f: &'a Form, path: &'a str, sheets: bool) -> FormView<'a> {
    FormView {
        id: &f.id,
        title: &f.title,
        path,
        docx: f.docx_path(),
        pages: f.pages,
        paper: f.paper.name(),
        paper_label: if f.paper.is_landscape() {
            "A4 横向"
        } else {
            "A4 纵向"
        },
        version: f.version.as_deref(),
        steps: f
            .steps
            .iter()
            .map(|s| StepView {
                number: s.number,
                name: s.name.as_deref(),
            })
            .collect(),
        sheets: sheets.then(|| f.sheets_html()),
    }
}

/// Every form page of the site, in listing order (first step, weight, id).
fn listed_forms(site: &Site) -> Vec<forms::Listed<'_>> {
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

/// Forms grouped by procedure step (a form in two steps is listed under both); forms without a
/// step come last under 其他表格.
fn form_groups<'a>(listed: &[forms::Listed<'a>]) -> Vec<FormGroupView<'a>> {
    let mut groups: BTreeMap<Option<u32>, FormGroupView<'a>> = BTreeMap::new();
    for l in listed {
        let steps: Vec<Option<&forms::Step>> = if l.form.steps.is_empty() {
            vec![None]
        } else {
            l.form.steps.iter().map(Some).collect()
        };
        for step in steps {
            let key = step.map(|s| s.number);
            let name = match step {
                Some(s) => s
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("第{}步", s.number)),
                None => "其他表格".to_string(),
            };
            let g = groups.entry(key).or_insert_with(|| FormGroupView {
                number: key,
                name,
                forms: Vec::new(),
            });
            g.forms.push(form_view(l.form, l.path, false));
        }
    }
    let (mut numbered, none): (Vec<_>, Vec<_>) =
        groups.into_values().partition(|g| g.number.is_some());
    numbered.extend(none);
    numbered
}

fn base_context(site: &Site, current: Option<usize>, root: String) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "site".into(),
        serde_json::to_value(site_view(site, current)).expect("views serialise"),
    );
    m.insert("root".into(), Value::String(root));
    m
}

fn render_template(
    theme: &Theme,
    name: &str,
    map: Map<String, Value>,
    asked_by: &str,
) -> Result<String, Diagnostic> {
    let ctx = tera::Context::from_value(Value::Object(map)).expect("an object is a context");
    theme
        .tera
        .render(name, &ctx)
        .map_err(|e| render_error(theme, name, asked_by, &e))
}

/// The template page `i` is rendered with: its own or its kind's, the home page's `index.html`, or
/// `page.html` for a kind the theme has no template for.
pub fn page_template(site: &Site, theme: &Theme, i: usize) -> String {
    let p = &site.pages[i];
    let name = template_for(p);
    if i == site.home && p.template.is_none() {
        "index.html".into()
    } else if p.template.is_none() && !theme.has(&name) {
        "page.html".into()
    } else {
        name
    }
}

/// Renders one page; `tctx` may already hold the page's parent `section` (shared by its chunk).
fn render_page(
    ctx: &Ctx<'_>,
    i: usize,
    tctx: &mut tera::Context,
) -> Result<OutputFile, Diagnostic> {
    let site = ctx.site;
    let p = &site.pages[i];
    let name = page_template(site, ctx.theme, i);
    if !ctx.theme.has(&name) {
        let available: Vec<_> = ctx
            .theme
            .origins
            .keys()
            .filter(|k| !k.starts_with("partials/"))
            .map(|k| format!("`{k}`"))
            .collect();
        return Err(Diagnostic::error(
            &p.source,
            p.line_of("template"),
            1,
            format!(
                "template `{name}` not found (asked for by this page): expected one of {}",
                available.join(", ")
            ),
        ));
    }
    if p.is_section() {
        // Sections share a chunk but not their section-only values (forms index, latest).
        *tctx = tera::Context::new();
    }
    tctx.insert("site", &site_view(site, Some(i)));
    tctx.insert("root", &root_prefix(&p.path));
    tctx.insert("page", &page_view(ctx, i));
    if p.is_section() {
        tctx.insert("section", ctx.section(i));
        let listed: Vec<_> = listed_forms(site)
            .into_iter()
            .filter(|l| site.parent[l.page] == Some(i))
            .collect();
        if !listed.is_empty() {
            tctx.insert("form_groups", &form_groups(&listed));
            tctx.insert("forms_print_all", forms::PRINT_ALL_PATH);
        }
        if i == site.home {
            tctx.insert("latest", &latest(site));
            tctx.insert("home", &home_view(site));
        }
    }
    let html = ctx
        .theme
        .tera
        .render(&name, tctx)
        .map_err(|e| render_error(ctx.theme, &name, &p.source, &e))?;
    Ok(OutputFile::bytes(p.path.clone(), html.into_bytes()))
}

fn render_error(theme: &Theme, name: &str, asked_by: &str, e: &tera::Error) -> Diagnostic {
    Diagnostic::file(
        theme.origin(name),
        format!(
            "template error while rendering {asked_by}: {}",
            error_chain(e).replace('\n', " ")
        ),
    )
}

fn latest(site: &Site) -> Value {
    let mut dated: Vec<usize> = (0..site.pages.len())
        .filter(|&i| !site.pages[i].is_section() && site.pages[i].date.is_some())
        .collect();
    dated.sort_by(|&a, &b| {
        crate::site::listing_order(&site.pages[a], &site.pages[b], crate::content::SortBy::Date)
    });
    dated.truncate(10);
    serde_json::to_value(
        dated
            .into_iter()
            .map(|i| link_view(site, i))
            .collect::<Vec<_>>(),
    )
    .expect("views serialise")
}

/// How many measures and notices the home page lists.
const HOME_LIST: usize = 6;

/// A page the home page links to, by title.
#[derive(Serialize)]
struct HomeLink<'a> {
    title: &'a str,
    path: &'a str,
}

/// The forms index, for the home page's 下载打印表格.
#[derive(Serialize)]
struct HomeForms<'a> {
    path: &'a str,
    count: usize,
}

/// What the home page (`index.html`) is built around, as `home`: the four jobs (the scope box's
/// catalogue, the forms index, the procedure, the worksheet: each `None` when the site has none)
/// and the newest measures and notices (dated ordinary pages), each with the section to see more.
#[derive(Serialize)]
struct HomeView<'a> {
    scope: Option<HomeLink<'a>>,
    forms: Option<HomeForms<'a>>,
    procedure: Option<HomeLink<'a>>,
    worksheet: Option<HomeLink<'a>>,
    measures: Vec<LinkView<'a>>,
    measures_more: Option<HomeLink<'a>>,
    notices: Vec<LinkView<'a>>,
    notices_more: Option<HomeLink<'a>>,
}

fn home_view(site: &Site) -> HomeView<'_> {
    let visible = |i: &usize| !site.shadowed.contains(i);
    let link = |i: usize| HomeLink {
        title: &site.pages[i].title,
        path: &site.pages[i].path,
    };
    let first_of = |kind: Kind| {
        (0..site.pages.len())
            .filter(visible)
            .find(|&i| site.pages[i].kind == kind)
            .map(link)
    };
    let newest = |keep: &dyn Fn(&Page) -> bool| {
        let mut v: Vec<usize> = (0..site.pages.len())
            .filter(visible)
            .filter(|&i| {
                let p = &site.pages[i];
                !p.is_section() && p.date.is_some() && keep(p)
            })
            .collect();
        v.sort_by(|&a, &b| {
            crate::site::listing_order(&site.pages[a], &site.pages[b], crate::content::SortBy::Date)
        });
        v.truncate(HOME_LIST);
        v
    };
    // "More" goes to the section holding the newest item, unless that is the home page itself.
    let more = |v: &[usize]| {
        v.first()
            .and_then(|&i| site.parent[i])
            .filter(|&s| s != site.home)
            .map(link)
    };
    let measures = newest(&|p| p.kind == Kind::Measure);
    let notices = newest(&|p| p.kind == Kind::Page);
    let listed = listed_forms(site);
    let forms = listed
        .first()
        .and_then(|l| site.parent[l.page])
        .map(|s| HomeForms {
            path: &site.pages[s].path,
            count: listed.len(),
        });
    HomeView {
        scope: first_of(Kind::Scope),
        forms,
        procedure: first_of(Kind::Procedure),
        worksheet: first_of(Kind::Worksheet),
        measures_more: more(&measures),
        measures: measures.iter().map(|&i| link_view(site, i)).collect(),
        notices_more: more(&notices),
        notices: notices.iter().map(|&i| link_view(site, i)).collect(),
    }
}

/// The logo and footer badges must be files the site publishes (static files or attachments).
fn check_branding_files(site: &Site, theme: &Theme) -> Vec<Diagnostic> {
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

fn render_extras(ctx: &Ctx<'_>, sel: &Selection) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
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
        if let Some((path, script)) = crate::scope::view::client_script(site) {
            push(Ok(OutputFile::bytes(path, script.into_bytes())));
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

/// The scope lookup page beside the site's catalogue page (`scope/lookup/index.html`).
fn render_scope_lookup(ctx: &Ctx<'_>) -> Option<Result<OutputFile, Diagnostic>> {
    let site = ctx.site;
    let page = crate::scope::view::catalogue_page(site)?;
    let path = crate::scope::view::lookup_path(&site.pages[page].path);
    let mut map = base_context(site, Some(page), root_prefix(&path));
    map.insert(
        "scope".into(),
        crate::scope::view::catalogue_view(site, page, &path)?,
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

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn sitemap(site: &Site) -> String {
    let base = format!(
        "{}{}",
        site.config.base_url.as_deref().unwrap_or(""),
        site.config.base_path
    );
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for p in &site.pages {
        let path = p.path.strip_suffix("index.html").unwrap_or(&p.path);
        s.push_str(&format!(
            "  <url><loc>{}</loc>",
            xml_escape(&format!("{base}{path}"))
        ));
        if let Some(d) = &p.date {
            s.push_str(&format!("<lastmod>{}</lastmod>", d.0));
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::quoted_names;

    #[test]
    fn template_names_are_read_from_tags_only() {
        let text = "{% extends \"base.html\" %}<p title=\"x.html\">don't</p>{% include 'partials/a.html' %}{% import \"m.html\" as m %}";
        let names: Vec<&str> = quoted_names(text).collect();
        assert_eq!(names, ["base.html", "partials/a.html", "m.html"]);
    }
}
