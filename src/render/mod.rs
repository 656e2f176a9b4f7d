//! Render: a [`Site`] and a [`Theme`] → every output file, handed to a [`Sink`] as soon as it is
//! made.
//!
//! Stage: render (pure but for reading template and static files, done by [`Theme::load`]). Output:
//! every HTML page, `sitemap.xml`, `404.html`, static files and attachments. Problems (missing
//! templates, template runtime errors, two files at one path) are diagnostics.
//!
//! - `theme` — the one home of tera: template layers, static files, template errors.
//! - `views` — the view structs templates see, and the per-render memo of page HTML and listings.
//! - `home` — the home page's view; `extras` — the files beside the pages.
//!
//! Pages are rendered in parallel in chunks of siblings that share one template context, so a
//! section's listing is serialised once per chunk instead of once per page.

mod extras;
mod home;
mod policy;
mod theme;
mod views;

pub use theme::Theme;
pub use views::listing_fingerprint;

use crate::diagnostic::Diagnostic;
use crate::forms;
use crate::forms::view::form_groups;
use crate::output::{OutputFile, Sink};
use crate::site::{root_prefix, template_for, Site};
use extras::{check_branding_files, render_extras, static_files};
use home::{home_view, latest};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use theme::{error_chain, Context};
use views::{listed_forms, page_view, site_view, Ctx};

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
            let mut tctx = Context::new();
            if let Some(s) = section {
                tctx.insert("section", ctx.section(*s));
            }
            for &i in pages {
                let clashes = theme_id_clashes(site, theme, i);
                if !clashes.is_empty() {
                    out.errors.lock().expect("lock").extend(clashes);
                }
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

/// The page's anchors that an element of its template already has as `id` (`main`, `top`,
/// `site-search-q`): two elements with one id break the skip link, the search box or the link.
fn theme_id_clashes(site: &Site, theme: &Theme, i: usize) -> Vec<Diagnostic> {
    let p = &site.pages[i];
    let template = page_template(site, theme, i);
    let lines = p
        .doc
        .headings
        .iter()
        .map(|h| (h.id.as_str(), h.line, "heading"))
        .chain(
            p.doc
                .articles
                .iter()
                .map(|a| (a.id.as_str(), a.line, "article")),
        );
    let mut placed: Vec<(&str, usize, &str)> = lines.collect();
    let known: HashSet<&str> = placed.iter().map(|(id, _, _)| *id).collect();
    placed.extend(
        p.doc
            .anchors
            .iter()
            .filter(|a| !known.contains(a.as_str()))
            .map(|a| (a.as_str(), 1, "anchor")),
    );
    placed
        .into_iter()
        .filter_map(|(id, line, what)| {
            let (written, by) = theme.theme_id(&template, id)?;
            Some(Diagnostic::error(
                &p.source,
                line,
                1,
                format!("{what} id `#{id}` is already used by the theme ({written} in `{by}`): two elements with one id send links to the wrong one (the skip link, the search box); give the {what} another id, e.g. `{{#{id}-1}}`"),
            ))
        })
        .collect()
}

/// Renders one page; `tctx` may already hold the page's parent `section` (shared by its chunk).
fn render_page(ctx: &Ctx<'_>, i: usize, tctx: &mut Context) -> Result<OutputFile, Diagnostic> {
    let site = ctx.site;
    let p = &site.pages[i];
    let name = page_template(site, ctx.theme, i);
    if !ctx.theme.has(&name) {
        let available: Vec<_> = ctx
            .theme
            .template_names()
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
        *tctx = Context::new();
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
    let html = ctx.theme.render(&name, tctx, &p.source)?;
    Ok(OutputFile::bytes(p.path.clone(), html.into_bytes()))
}
