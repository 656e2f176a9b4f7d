//! `portal`: parse arguments, dispatch to a command, print diagnostics and the summary, set the exit code.
//!
//! The map of the code (data flows one way):
//!
//! ```text
//! content/ ──load──▶ SourceFile ──parse──▶ Page (typed by kind) ──assemble──▶ Site ──render──▶ Vec<OutputFile>                                            build: write atomically │ serve: keep in memory
//! ```
//!
//! - `src/cmd/`            one file per command (build + check, new, search, serve); each returns a `Report`
//! - `src/pipeline.rs`     load → parse → assemble → render, shared by every command
//! - `src/config.rs`       `portal.yaml` → validated `Config`
//! - `src/diagnostic.rs`   `Diagnostic { path, line, col, message }`, sorted, printed here only
//! - `src/content/`        load (walkdir, the only disk reads of content), front matter (the one home of serde_yaml), pages typed by kind
//! - `src/markdown.rs`     the one home of pulldown-cmark: parse once (headings, articles, links, text), render once with links resolved
//! - `src/site.rs`         assemble: sections, listings, tags, link and anchor checks
//! - `src/render.rs`       the one home of tera: template layers, view structs, sitemap, 404
//! - `src/output.rs`       `OutputFile`, atomic write, output-folder safety
//! - `src/search/`         the one home of tantivy: CJK tokenizer, index, static browser export, ranking and snippets (mirrored by `static/js/search-core.js`)
//! - `themes/default/`     the built-in theme (compiled in): templates/, static/css, static/js

use clap::{Parser, Subcommand};
use policy_portal::cmd::{self, Report};
use policy_portal::pipeline::BuildOptions;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "portal", version, about = "Build a county 稳评 guidance portal from Markdown")]
struct Cli {
    /// The site's folder (holding portal.yaml and content/).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (atomically: a failed build leaves it as it was).
    Build {
        /// Output folder (relative to --root).
        #[arg(long, short, default_value = "public")]
        output: PathBuf,
        /// Serve path such as /wenping/ (overrides portal.yaml's base_path).
        #[arg(long)]
        base_path: Option<String>,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Run every check without writing anything.
    Check {
        #[arg(long)]
        base_path: Option<String>,
        #[arg(long)]
        drafts: bool,
    },
    /// Build the site in memory and serve it on 127.0.0.1.
    Serve {
        #[arg(long, short, default_value_t = 8000)]
        port: u16,
        /// Address to listen on (other than loopback exposes the preview to the network).
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        #[arg(long)]
        base_path: Option<String>,
        #[arg(long)]
        drafts: bool,
    },
    /// Create a new site in DIR that builds at once.
    New {
        dir: PathBuf,
    },
    /// Search the site: the same ranked list as its search page.
    Search {
        /// What to look for, e.g. 征地补偿, 第十二条, 〔2023〕5号.
        query: String,
        /// At most this many results (0: all).
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: usize,
        /// Print `{"query": …, "results": [{"url", "title", "kind", "score", "snippet"}, …]}`.
        #[arg(long)]
        json: bool,
        /// Only results of this kind: 办法, 范围事项, 流程, 表格, 页面.
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = |base_path: Option<String>, drafts: bool| BuildOptions { root: cli.root.clone(), base_path, drafts };
    let result = match cli.command {
        Command::Build { ref output, ref base_path, drafts } => cmd::build::build(&options(base_path.clone(), drafts), output),
        Command::Check { ref base_path, drafts } => Ok(cmd::build::check(&options(base_path.clone(), drafts))),
        Command::Serve { port, ref bind, ref base_path, drafts } => serve(&options(base_path.clone(), drafts), bind, port),
        Command::New { ref dir } => cmd::new::new_site(dir),
        Command::Search { ref query, limit, json, ref kind, drafts } => {
            let args = cmd::search::SearchArgs { query: query.clone(), limit, json, kind: kind.clone() };
            cmd::search::search(&options(None, drafts), &args)
        }
    };
    match result {
        Ok(report) => finish(report),
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn finish(report: Report) -> ExitCode {
    print!("{}", report.output);
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    eprintln!("{}", report.summary);
    if report.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn serve(opts: &BuildOptions, bind: &str, port: u16) -> anyhow::Result<Report> {
    let check = cmd::build::check(opts);
    if check.failed {
        return Ok(check);
    }
    for d in &check.diagnostics {
        eprintln!("{d}");
    }
    if bind != "127.0.0.1" && bind != "localhost" && bind != "::1" {
        eprintln!("warning: listening on {bind}: the preview is reachable from other machines");
    }
    let (server, built) = cmd::serve::start(opts, &cmd::serve::ServeOptions { bind: bind.into(), port })?;
    eprintln!("serving {} pages at {} (Ctrl-C to stop)", built.pages, server.url);
    server.wait();
    Ok(Report { summary: "server stopped".into(), ..Report::default() })
}
