//! `portal build` and `portal check`: run the pipeline; `build` writes the output atomically.

use super::{human_bytes, human_duration, Report};
use crate::output::{check_output_dir, NullSink, Staging};
use crate::pipeline::{run, BuildOptions};
use anyhow::Result;
use std::path::Path;
use std::time::Instant;

/// Builds the site into `out` (relative paths are taken from the site root).
pub fn build(opts: &BuildOptions, out: &Path, force: bool) -> Result<Report> {
    let start = Instant::now();
    let out = if out.is_absolute() {
        out.to_path_buf()
    } else {
        opts.root.join(out)
    };
    check_output_dir(&opts.root, &out)?;
    crate::search::check_cache(&opts.root)?;
    let staging = Staging::new(&out, force)?;
    let built = run(opts, &staging);
    let errors = built.error_count();
    let shown = out
        .strip_prefix(&opts.root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| out.display().to_string());
    if !built.ok {
        return Ok(Report {
            summary: format!(
                "build failed: {errors} error{} in {}; {} left as it was",
                plural(errors),
                human_duration(start.elapsed()),
                shown
            ),
            diagnostics: built.diagnostics,
            failed: true,
            output: String::new(),
        });
    };
    staging.commit()?;
    if let Some(index) = &built.search {
        crate::search::store_cache(&opts.root, index, &built.fingerprint)?;
    }
    Ok(Report {
        summary: format!(
            "built {} page{} into {} ({} files, {}) in {}",
            built.pages,
            plural(built.pages),
            shown,
            built.stats.files,
            human_bytes(built.stats.bytes),
            human_duration(start.elapsed())
        ),
        diagnostics: built.diagnostics,
        failed: false,
        output: String::new(),
    })
}

/// Runs every check (templates included) without writing anything.
pub fn check(opts: &BuildOptions) -> Report {
    let start = Instant::now();
    let built = run(opts, &NullSink);
    let errors = built.error_count();
    let warnings = built.diagnostics.len() - errors;
    let summary = if errors == 0 {
        format!(
            "checked {} page{}: no errors, {warnings} warning{} in {}",
            built.pages,
            plural(built.pages),
            plural(warnings),
            human_duration(start.elapsed())
        )
    } else {
        format!(
            "checked {} page{}: {errors} error{}, {warnings} warning{} in {}",
            built.pages,
            plural(built.pages),
            plural(errors),
            plural(warnings),
            human_duration(start.elapsed())
        )
    };
    Report {
        diagnostics: built.diagnostics,
        summary,
        failed: errors > 0,
        output: String::new(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
