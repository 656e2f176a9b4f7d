//! `portal serve`: start the live preview and print its events as they happen.
//!
//! Unlike the other commands, which return one [`Report`] for `main.rs` to print, `serve` runs
//! until Ctrl-C and reports a stream: every rebuild, search-index update and watcher problem is
//! printed here, from the server's threads, the moment it happens.

use super::{human_duration, Report};
use crate::pipeline::BuildOptions;
use crate::serve::{Report as ServeReport, ServeOptions};

/// Serves the site until the server stops; `open` starts the system's browser on it.
pub fn serve(opts: BuildOptions, serve: &ServeOptions, open: bool) -> anyhow::Result<Report> {
    if !["127.0.0.1", "localhost", "::1"].contains(&serve.bind.as_str()) {
        eprintln!(
            "warning: listening on {}: the preview is reachable from other machines on the network",
            serve.bind
        );
    }
    let server = crate::serve::start(opts, serve, std::sync::Arc::new(print_serve_report))?;
    eprintln!(
        "serving at {} (watching files: {}; Ctrl-C to stop)",
        server.url, server.watch_mode
    );
    if open {
        open_browser(&server.url);
    }
    server.wait();
    Ok(Report {
        summary: "server stopped".into(),
        ..Report::default()
    })
}

/// The terminal side of `serve`: diagnostics, then one line per rebuild.
fn print_serve_report(report: ServeReport) {
    match report {
        ServeReport::Rebuilt(o) => {
            for d in &o.diagnostics {
                eprintln!("{d}");
            }
            let errors = o.diagnostics.iter().filter(|d| d.is_error()).count();
            let what = if o.full { "site" } else { "changes" };
            if o.ok {
                eprintln!(
                    "rebuilt {what}: {} files in {}",
                    o.rendered,
                    human_duration(o.elapsed)
                );
            } else {
                eprintln!(
                    "rebuild failed: {errors} error{}; still serving the last good site",
                    if errors == 1 { "" } else { "s" }
                );
            }
        }
        ServeReport::Problem(p) => eprintln!("warning: {p}"),
        ServeReport::Searched { change, elapsed } => {
            use crate::search::update::Change;
            let took = human_duration(elapsed);
            match change {
                Change::Nothing => {}
                Change::Parts {
                    pages,
                    written,
                    removed,
                } => eprintln!(
                    "search index: {pages} changed page(s), {written} files written, {removed} removed in {took}"
                ),
                Change::Full(why) => eprintln!("search index: made whole ({why}) in {took}"),
            }
        }
    }
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("warning: could not open a browser; visit {url}");
    }
}
