//! The live site: the in-memory state `serve` keeps up to date as files change.
//!
//! Stage: the same load → parse → assemble → render stages as `build`, kept between rebuilds. Input:
//! the paths that changed. Output: the new output files (swapped in only when the rebuild has no
//! errors) and the rebuild's diagnostics. Only what an edit touched is parsed and rendered again: an
//! edited page, the pages that list it when its listing entry (title, date, summary …) changed, the
//! tag pages and home page that show it; a template change renders, without parsing, the pages whose
//! template changed or extends, includes or imports one that did; a static file change copies the
//! static files; `portal.yaml` or a change to the folder structure rebuilds everything. The search index
//! of a good build is brought up to date afterwards on the search thread ([`Live::search_job`]): in
//! the parts the changed pages touch (`search::update`), or whole when pages come or go.

use crate::config::Config;
use crate::content::{load_sources, read_source, Asset};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::{MemorySink, OutputFile};
use crate::page::{parse_page, Page};
use crate::pipeline::{load_config, BuildOptions};
use crate::render::{listing_fingerprint, page_template, render_selected, Selection, Theme};
use crate::site::{assemble, Site};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The served files, by site-root-relative path.
pub type FileMap = HashMap<String, Arc<Vec<u8>>>;

/// What a set of changed paths asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// `portal.yaml` changed: everything again.
    pub config: bool,
    /// A theme folder itself changed (not just its templates or static files): load the theme,
    /// render every page.
    pub theme: bool,
    /// Templates changed (the site's or the theme's): load the theme, render the pages whose
    /// templates changed or use one that did.
    pub templates: bool,
    /// Static files changed (the site's or the theme's): copy them again.
    pub statics: bool,
    /// Something under `content/` other than a Markdown file (a folder, an attachment): walk again.
    pub rescan: bool,
    /// Markdown files (content-relative) to read and parse again.
    pub pages: BTreeSet<String>,
}

impl Changes {
    /// Sorts changed paths (absolute, under `root`) into what must be redone. Editors' temporary
    /// files, hidden files and anything outside the site's sources are ignored.
    pub fn classify(root: &Path, paths: &[PathBuf]) -> Changes {
        let mut c = Changes::default();
        for p in paths {
            let Ok(rel) = p.strip_prefix(root) else {
                continue;
            };
            let parts: Vec<String> = rel
                .components()
                .map(|x| x.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.iter().any(|s| crate::content::is_ignored(s)) {
                continue;
            }
            match parts.first().map(String::as_str) {
                Some("portal.yaml") if parts.len() == 1 => c.config = true,
                Some("templates") => c.templates = true,
                Some("static") => c.statics = true,
                Some("themes") => match parts.get(2).map(String::as_str) {
                    Some("templates") => c.templates = true,
                    Some("static") => c.statics = true,
                    _ => c.theme = true,
                },
                Some("content") if parts.len() > 1 => {
                    let inner = parts[1..].join("/");
                    if inner.ends_with(".md") && !p.is_dir() {
                        c.pages.insert(inner);
                    } else {
                        c.rescan = true;
                    }
                }
                Some("content") => c.rescan = true,
                _ => {}
            }
        }
        c
    }

    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Whether the new files were swapped in (no errors).
    pub ok: bool,
    /// Files rendered by this rebuild.
    pub rendered: usize,
    /// Whether every page was rendered.
    pub full: bool,
    pub elapsed: Duration,
    /// Every diagnostic of the current sources, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

/// A parsed source with its diagnostics and the text it was parsed from (to skip unchanged files).
struct Parsed {
    text: String,
    page: Option<Arc<Page>>,
    diags: Vec<Diagnostic>,
}

/// The live site.
pub struct Live {
    opts: BuildOptions,
    config: Result<Config, Vec<Diagnostic>>,
    theme: Result<Arc<Theme>, Vec<Diagnostic>>,
    sources: BTreeMap<String, Parsed>,
    load_diags: Vec<Diagnostic>,
    assets: Vec<Asset>,
    /// The last site that rendered without errors, with its pages' listing fingerprints.
    good: Option<(Arc<Site>, HashMap<String, String>)>,
    files: Arc<FileMap>,
    /// Pages changed since the last good build (edits made while the site had errors still need
    /// rendering once it is fixed), and whether a full render is owed.
    pending: BTreeSet<String>,
    pending_full: bool,
    /// Static files changed since the last good build.
    pending_statics: bool,
    /// The theme the last good build was rendered with (to tell which templates changed).
    good_theme: Option<Arc<Theme>>,
    /// The last good build has not had its search index made yet (see [`Live::search_job`]).
    search_owed: bool,
}

impl Live {
    /// Loads and renders the whole site.
    pub fn new(opts: BuildOptions) -> (Live, Outcome) {
        let mut live = Live {
            opts,
            config: Err(Vec::new()),
            theme: Err(Vec::new()),
            sources: BTreeMap::new(),
            load_diags: Vec::new(),
            assets: Vec::new(),
            good: None,
            files: Arc::new(FileMap::new()),
            pending: BTreeSet::new(),
            pending_full: false,
            pending_statics: false,
            good_theme: None,
            search_owed: false,
        };
        let outcome = live.apply(&Changes {
            config: true,
            ..Changes::default()
        });
        (live, outcome)
    }

    /// The files of the last good build.
    pub fn files(&self) -> Arc<FileMap> {
        self.files.clone()
    }

    /// Whether the last good build still needs its search index (cheap; see [`Live::search_job`]).
    pub fn search_owed(&self) -> bool {
        self.search_owed
    }

    /// The last good build for the search index, once per good build (shared, not copied). The
    /// index is built on a thread of its own, so a reload never waits for it (see `serve::start`).
    pub fn search_job(&mut self) -> Option<Arc<Site>> {
        if !std::mem::take(&mut self.search_owed) {
            return None;
        }
        self.good.as_ref().map(|(site, _)| site.clone())
    }

    /// The base path pages are served under.
    pub fn base_path(&self) -> String {
        self.config
            .as_ref()
            .map(|c| c.base_path.clone())
            .unwrap_or_else(|_| "/".into())
    }

    /// The Content-Security-Policy the pages carry (empty for none), for the header `serve` sends.
    pub fn csp(&self) -> String {
        self.config
            .as_ref()
            .map(|c| c.csp.clone())
            .unwrap_or_else(|_| crate::config::DEFAULT_CSP.into())
    }

    /// Applies changes: re-reads what changed, re-renders what depends on it, and swaps the new files
    /// in when there are no errors (the last good files stay otherwise).
    pub fn apply(&mut self, changes: &Changes) -> Outcome {
        let start = Instant::now();
        let root = self.opts.root.clone();
        if changes.config {
            self.config = load_config(&root, self.opts.base_path.as_deref());
        }
        if changes.config || changes.theme || changes.templates || changes.statics {
            let name = self
                .config
                .as_ref()
                .map_or("default", |c| c.theme.as_str())
                .to_string();
            self.theme = Theme::load(&root, &name).map(Arc::new);
        }
        if changes.config || changes.rescan {
            self.rescan(&root);
        } else {
            self.reparse(&root, &changes.pages);
        }
        self.pending.extend(changes.pages.iter().cloned());
        self.pending_full |= changes.config || changes.theme || changes.rescan;
        self.pending_statics |= changes.statics;
        let outcome = self.rebuild(start);
        if outcome.ok {
            self.pending.clear();
            self.pending_full = false;
            self.pending_statics = false;
        }
        outcome
    }

    /// Walks `content/` again; only sources whose text changed are parsed again.
    fn rescan(&mut self, root: &Path) {
        let (sources, diags) = load_sources(root);
        self.load_diags = diags;
        self.assets = sources.assets;
        let raw_html = self.raw_html();
        let mut old = std::mem::take(&mut self.sources);
        let parsed: Vec<(String, Parsed)> = sources
            .files
            .into_par_iter()
            .map(|f| match old.get(&f.rel) {
                Some(p) if p.text == f.text => (f.rel.clone(), None, f),
                _ => (f.rel.clone(), Some(parse_page(&f, raw_html)), f),
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(rel, fresh, f)| match fresh {
                Some((page, diags)) => (
                    rel,
                    Parsed {
                        text: f.text,
                        page: page.map(Arc::new),
                        diags,
                    },
                ),
                None => {
                    let kept = old.remove(&rel).expect("kept sources exist");
                    (rel, kept)
                }
            })
            .collect();
        self.sources = parsed.into_iter().collect();
    }

    /// Reads and parses the given Markdown files again (removing the ones that are gone).
    fn reparse(&mut self, root: &Path, rels: &BTreeSet<String>) {
        let raw_html = self.raw_html();
        for rel in rels {
            match read_source(root, rel) {
                Ok(Some(f)) => {
                    let (page, diags) = parse_page(&f, raw_html);
                    self.sources.insert(
                        rel.clone(),
                        Parsed {
                            text: f.text,
                            page: page.map(Arc::new),
                            diags,
                        },
                    );
                }
                Ok(None) => {
                    self.sources.remove(rel);
                }
                Err(d) => {
                    self.sources.insert(
                        rel.clone(),
                        Parsed {
                            text: String::new(),
                            page: None,
                            diags: vec![d],
                        },
                    );
                }
            }
        }
    }

    fn raw_html(&self) -> bool {
        self.config.as_ref().is_ok_and(|c| c.markdown.raw_html)
    }

    fn rebuild(&mut self, start: Instant) -> Outcome {
        let full = self.pending_full;
        let mut diags = Diagnostics::new();
        diags.extend(self.load_diags.iter().cloned());
        for p in self.sources.values() {
            diags.extend(p.diags.iter().cloned());
        }
        if let Err(d) = &self.config {
            diags.extend(d.iter().cloned());
        }
        if let Err(d) = &self.theme {
            diags.extend(d.iter().cloned());
        }
        let config = self
            .config
            .clone()
            .unwrap_or_else(|_| Config::minimal("site"));
        let pages: Vec<Arc<Page>> = self
            .sources
            .values()
            .filter_map(|p| p.page.clone())
            .collect();
        let (site, site_diags) = assemble(config, pages, self.assets.clone(), self.opts.drafts);
        diags.extend(site_diags);
        let mut outcome = Outcome {
            ok: false,
            rendered: 0,
            full,
            elapsed: Duration::ZERO,
            diagnostics: Vec::new(),
        };
        if let (Ok(theme), false) = (self.theme.clone(), diags.has_errors()) {
            let selection = match (&self.good, &self.good_theme, full) {
                (Some((old, fingerprints)), Some(old_theme), false) => {
                    let mut sel = select(old, fingerprints, &site, &self.pending);
                    if !Arc::ptr_eq(old_theme, &theme) {
                        select_templates(&mut sel, &site, old_theme, &theme);
                    }
                    sel.statics |= self.pending_statics;
                    sel
                }
                _ => Selection::all(),
            };
            outcome.full = selection.pages.is_none();
            let sink = MemorySink::default();
            match render_selected(&site, &theme, &selection, &sink) {
                Ok(stats) => {
                    outcome.rendered = stats.files;
                    self.search_owed = site.config.search.enabled;
                    self.swap_in(sink.into_files(), outcome.full);
                    let pending = std::mem::take(&mut self.pending);
                    let fingerprints = self.fingerprints(&site, &pending, outcome.full);
                    self.good = Some((Arc::new(site), fingerprints));
                    self.good_theme = Some(theme);
                    outcome.ok = true;
                }
                Err(d) => diags.extend(d),
            }
        }
        outcome.diagnostics = diags.into_sorted();
        outcome.ok &= !outcome.diagnostics.iter().any(Diagnostic::is_error);
        outcome.elapsed = start.elapsed();
        outcome
    }

    /// Listing fingerprints of the new site: only changed pages are computed again (a page's
    /// fingerprint depends on nothing but the page).
    fn fingerprints(
        &mut self,
        site: &Site,
        changed: &BTreeSet<String>,
        full: bool,
    ) -> HashMap<String, String> {
        let fresh = |i: usize| (site.pages[i].rel.clone(), listing_fingerprint(site, i));
        match self.good.take() {
            Some((_, mut old)) if !full => {
                for rel in changed {
                    match site.by_rel.get(rel.as_str()) {
                        Some(&i) => {
                            old.insert(rel.clone(), listing_fingerprint(site, i));
                        }
                        None => {
                            old.remove(rel);
                        }
                    }
                }
                old
            }
            _ => (0..site.pages.len()).into_par_iter().map(fresh).collect(),
        }
    }

    fn swap_in(&mut self, files: Vec<OutputFile>, full: bool) {
        let mut map = if full {
            FileMap::new()
        } else {
            (*self.files).clone()
        };
        for f in files {
            let bytes = f.read().map(|b| b.into_owned()).unwrap_or_default();
            map.insert(f.path, Arc::new(bytes));
        }
        self.files = Arc::new(map);
    }
}

/// Adds to `sel` what a theme change asks for: the pages whose template (under either theme) changed
/// or uses one that did ([`Theme::changed_templates`]) and every tag page when theirs did; everything
/// when a static file came or went. The extras are in every selection already.
pub fn select_templates(sel: &mut Selection, site: &Site, old: &Theme, new: &Theme) {
    if new.statics_differ(old) {
        // A static file came or went: everything again, so that a removed one is not served.
        *sel = Selection::all();
        return;
    }
    let changed = new.changed_templates(old);
    if let Some(pages) = sel.pages.as_mut() {
        pages.extend((0..site.pages.len()).filter(|&i| {
            changed.contains(&page_template(site, new, i))
                || changed.contains(&page_template(site, old, i))
        }));
    }
    if changed.contains("taxonomy_term.html") {
        sel.tags = None;
    }
}

/// The pages that show something of document `i`, or that `i` shows something of: its versions,
/// its 解读 and the document a 解读 explains, and the pages linked from or to it by `attachments`.
fn related_documents(site: &Site, i: usize) -> Vec<usize> {
    let r = &site.relations;
    let mut out: Vec<usize> = r.successor[i].into_iter().collect();
    out.extend(r.current_version(i));
    out.extend(r.older_versions(i));
    out.extend(r.interprets[i]);
    out.extend(r.interpretations[i].iter().copied());
    let target = |p: &crate::page::Page, a: &crate::policy::Attachment| match p
        .doc
        .links
        .get(a.link)
        .map(|l| &l.target)
    {
        Some(crate::markdown::LinkTarget::Content { path, .. }) => site.by_rel.get(path).copied(),
        _ => None,
    };
    let page = &site.pages[i];
    out.extend(page.attachments.iter().filter_map(|a| target(page, a)));
    out.extend((0..site.pages.len()).filter(|&j| {
        let p = &site.pages[j];
        p.attachments.iter().any(|a| target(p, a) == Some(i))
    }));
    out
}

/// What to render after `changed` pages were parsed again, given the last good site: the pages
/// themselves; when a page's listing entry changed, its section's pages, the tag pages it is on and
/// the home page; when a section changed, everything under it. Any change to which pages exist or
/// where they are published renders everything.
pub fn select(
    old: &Site,
    old_fingerprints: &HashMap<String, String>,
    new: &Site,
    changed: &BTreeSet<String>,
) -> Selection {
    let same_structure = old.pages.len() == new.pages.len()
        && old
            .pages
            .iter()
            .zip(&new.pages)
            .all(|(a, b)| a.rel == b.rel && a.path == b.path)
        && old.tags.keys().eq(new.tags.keys());
    if !same_structure {
        return Selection::all();
    }
    let mut pages = HashSet::new();
    let mut tags = HashSet::new();
    // Policy documents show each other (versions, 解读, 印发通知, attachments): an edit renders the
    // documents related to it before and after, and a page whose shown status or versions changed
    // is re-listed like a page whose listing entry changed.
    let mut relisted: BTreeSet<String> = changed.clone();
    for rel in changed {
        if let Some(&i) = new.by_rel.get(rel.as_str()) {
            pages.extend(related_documents(old, i));
            pages.extend(related_documents(new, i));
        }
    }
    for i in 0..new.pages.len() {
        let (a, b) = (&old.relations, &new.relations);
        if a.status[i] != b.status[i]
            || a.successor[i] != b.successor[i]
            || a.predecessors[i] != b.predecessors[i]
            || a.interprets[i] != b.interprets[i]
            || a.interpretations[i] != b.interpretations[i]
        {
            relisted.insert(new.pages[i].rel.clone());
        }
    }
    for rel in &relisted {
        let Some(&i) = new.by_rel.get(rel.as_str()) else {
            continue;
        };
        pages.insert(i);
        let page = &new.pages[i];
        if page.is_section() {
            pages.extend((0..new.pages.len()).filter(|&j| new.ancestors(j).contains(&i)));
        }
        if changed.contains(rel) && old_fingerprints.get(rel) == Some(&listing_fingerprint(new, i))
        {
            continue;
        }
        if let Some(s) = new.parent[i] {
            pages.insert(s);
            let children = &new.children[&s];
            pages.extend(children.pages.iter().chain(&children.subsections));
        }
        pages.insert(new.home);
        tags.extend(page.tags.iter().cloned());
        tags.extend(old.pages[i].tags.iter().cloned());
    }
    Selection {
        pages: Some(pages),
        tags: Some(tags),
        extras: true,
        statics: false,
    }
}
