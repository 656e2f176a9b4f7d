//! The pipeline: load → parse → assemble → render, the one orchestrator that `build`, `check` and
//! `serve` call.
//!
//! Input: a site root and [`BuildOptions`]. Output: a [`Built`] — whether everything rendered, the
//! files and bytes handed on, and every diagnostic of the run, sorted. Rendered files go to a
//! [`Sink`] as soon as each is made instead of being collected: `build` hands a staging folder
//! (swapped in atomically at the end), `check` a sink that drops them, `serve` one that keeps them
//! in memory — so a 10,000-page build never holds every page at once. The search index is made
//! after rendering (when `search.enabled`) and handed to the same sink; `build` also keeps the
//! tantivy index in the site's cache for `portal search`.

use crate::config::{Config, CONFIG_FILE};
use crate::content::load_sources;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::OutputFile;
use crate::output::Sink;
use crate::page::parse_page;
use crate::render::{render_site, RenderStats, Theme};
use crate::site::{assemble, Site};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Options shared by `build`, `check` and `serve`.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// `--base-path`, overriding `portal.yaml`.
    pub base_path: Option<String>,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
}

/// What a pipeline run produced.
#[derive(Debug, Default)]
pub struct Built {
    /// Whether every file was rendered and handed to the sink without errors.
    pub ok: bool,
    /// Files and bytes handed to the sink.
    pub stats: RenderStats,
    /// Every diagnostic, sorted by path and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of Markdown pages published.
    pub pages: usize,
    /// The tantivy index of the site (when search is enabled and there were no errors).
    pub search: Option<crate::search::SearchIndex>,
    /// [`crate::search::fingerprint`] of the sources this run read.
    pub fingerprint: String,
}

/// The assembled site, before rendering.
pub struct Assembled {
    pub site: Site,
    pub theme: Option<Theme>,
    pub diagnostics: Diagnostics,
    /// [`crate::search::fingerprint`] of the sources read.
    pub fingerprint: String,
}

impl Built {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// Reads and validates `portal.yaml` under `root`.
pub fn load_config(root: &Path, base_path: Option<&str>) -> Result<Config, Vec<Diagnostic>> {
    let path = root.join(CONFIG_FILE);
    let bytes = std::fs::read(&path).map_err(|e| {
        vec![Diagnostic::file(CONFIG_FILE, match e.kind() {
            std::io::ErrorKind::NotFound => "missing: expected the site's configuration here (run `portal new DIR` for a skeleton)".to_string(),
            _ => format!("cannot read: {e}"),
        })]
    })?;
    // BOM, line ends and encoding mistakes as for content files.
    let text = crate::content::decode_text(&bytes, CONFIG_FILE).map_err(|d| vec![d])?;
    Config::parse(&text, base_path)
}

/// Runs the whole pipeline, handing rendered files to `sink`. Every stage runs even when an earlier
/// one reported errors, as far as its input allows, so one run reports every mistake; the sink's
/// files are only good when [`Built::ok`] is true.
pub fn run(opts: &BuildOptions, sink: &dyn Sink) -> Built {
    let Assembled {
        site,
        theme,
        mut diagnostics,
        fingerprint,
    } = assemble_site(opts);
    let mut stats = RenderStats::default();
    if let Some(theme) = theme {
        match render_site(&site, &theme, sink) {
            Ok(s) => stats = s,
            Err(d) => diagnostics.extend(d),
        }
    }
    let mut search = None;
    if site.config.search.enabled && !diagnostics.has_errors() {
        match crate::search::render_search(&site) {
            Ok((index, extra)) => {
                put_all(sink, extra, &mut stats, &mut diagnostics);
                search = Some(index);
            }
            Err(e) => diagnostics.push(Diagnostic::file(
                "search",
                format!("cannot build the search index: {e:#}"),
            )),
        }
    }
    Built {
        ok: !diagnostics.has_errors(),
        stats,
        diagnostics: diagnostics.into_sorted(),
        pages: site.pages.len(),
        search,
        fingerprint,
    }
}

/// Hands extra files (the search index) to the sink, counting them.
pub fn put_all(
    sink: &dyn Sink,
    files: Vec<OutputFile>,
    stats: &mut RenderStats,
    diags: &mut Diagnostics,
) {
    for f in files {
        stats.files += 1;
        stats.bytes += f.len();
        let path = f.path.clone();
        if let Err(e) = sink.put(f) {
            diags.push(Diagnostic::file(path, format!("cannot write: {e:#}")));
        }
    }
}

/// Load, parse and assemble: the site and the theme, with every diagnostic so far.
pub fn assemble_site(opts: &BuildOptions) -> Assembled {
    let mut diags = Diagnostics::new();
    let config_text = std::fs::read_to_string(opts.root.join(CONFIG_FILE)).unwrap_or_default();
    let config = match load_config(&opts.root, opts.base_path.as_deref()) {
        Ok(c) => Some(c),
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    let (sources, load_diags) = load_sources(&opts.root);
    diags.extend(load_diags);
    let fingerprint = crate::search::fingerprint(&config_text, &sources.files, opts.drafts);
    let raw_html = config.as_ref().is_some_and(|c| c.markdown.raw_html);
    let parsed: Vec<_> = sources
        .files
        .par_iter()
        .map(|f| parse_page(f, raw_html))
        .collect();
    let mut pages = Vec::with_capacity(parsed.len());
    for (page, d) in parsed {
        diags.extend(d);
        pages.extend(page.map(std::sync::Arc::new));
    }
    let theme_name = config
        .as_ref()
        .map_or("default", |c| c.theme.as_str())
        .to_string();
    let theme = match Theme::load(&opts.root, &theme_name) {
        Ok(t) => Some(t),
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    let config = config.unwrap_or_else(|| Config::minimal("site"));
    let (site, site_diags) = assemble(config, pages, sources.assets, opts.drafts);
    diags.extend(site_diags);
    Assembled {
        site,
        theme,
        diagnostics: diags,
        fingerprint,
    }
}
