//! The pipeline: load → parse → assemble → render, shared by every command.
//!
//! Input: a site root and [`BuildOptions`]. Output: a [`Built`] — the rendered files (in memory) when
//! there were no errors, and every diagnostic of the run, sorted. `build` writes the files, `check`
//! drops them, `serve` keeps them in memory. The search index is built after rendering (when
//! `search.enabled`); `build` keeps it in the site's cache for `portal search`.

use crate::config::{Config, CONFIG_FILE};
use crate::content::{load_sources, parse_page};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::OutputFile;
use crate::render::{render_site, Theme};
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
    /// Rendered files, sorted by path; `None` when there were errors.
    pub files: Option<Vec<OutputFile>>,
    /// Every diagnostic, sorted by path and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of Markdown pages published.
    pub pages: usize,
    /// The tantivy index of the site (when search is enabled and there were no errors).
    pub search: Option<crate::search::SearchIndex>,
    /// [`crate::search::fingerprint`] of the sources this run read.
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
    let text = std::fs::read_to_string(&path).map_err(|e| {
        vec![Diagnostic::file(CONFIG_FILE, match e.kind() {
            std::io::ErrorKind::NotFound => "missing: expected the site's configuration here (run `portal new DIR` for a skeleton)".to_string(),
            _ => format!("cannot read: {e}"),
        })]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).replace("\r\n", "\n");
    Config::parse(&text, base_path)
}

/// The assembled site, before rendering.
pub struct Assembled {
    pub site: Site,
    pub theme: Option<Theme>,
    pub diagnostics: Diagnostics,
    /// [`crate::search::fingerprint`] of the sources read.
    pub fingerprint: String,
}

/// Runs the whole pipeline in memory. Every stage runs even when an earlier one reported errors, as
/// far as its input allows, so one run reports every mistake.
pub fn run(opts: &BuildOptions) -> Built {
    let Assembled { site, theme, mut diagnostics, fingerprint } = assemble_site(opts);
    let diags = &mut diagnostics;
    let page_count = site.pages.len();
    let mut files = None;
    if let Some(theme) = theme {
        match render_site(&site, &theme) {
            Ok(f) => files = Some(f),
            Err(d) => diags.extend(d),
        }
    }
    let mut search = None;
    if let (Some(files), true, false) = (files.as_mut(), site.config.search.enabled, diags.has_errors()) {
        match crate::search::render_search(&site) {
            Ok((index, extra)) => {
                files.extend(extra);
                files.sort_by(|a: &OutputFile, b: &OutputFile| a.path.cmp(&b.path));
                search = Some(index);
            }
            Err(e) => diags.push(Diagnostic::file("search", format!("cannot build the search index: {e:#}"))),
        }
    }
    let has_errors = diags.has_errors();
    Built {
        files: if has_errors { None } else { files },
        diagnostics: diagnostics.into_sorted(),
        pages: page_count,
        search,
        fingerprint,
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
    let parsed: Vec<_> = sources.files.par_iter().map(|f| parse_page(f, raw_html)).collect();
    let mut pages = Vec::with_capacity(parsed.len());
    for (page, d) in parsed {
        diags.extend(d);
        pages.extend(page);
    }
    let theme_name = config.as_ref().map_or("default", |c| c.theme.as_str()).to_string();
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
    Assembled { site, theme, diagnostics: diags, fingerprint }
}
