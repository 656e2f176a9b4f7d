//! `portal`: parse arguments, dispatch to a command, print diagnostics and the summary, set the exit code.
//!
//! The map of the code. Data flows one way, and every module imports only from the floors below it
//! (no circle across folders):
//!
//! ```text
//! content/ ──load──▶ SourceFile ──parse──▶ Page (typed by kind) ──assemble──▶ Site ──render──▶ Vec<OutputFile>
//!                                                                    build: write atomically │ serve: keep in memory
//! ```
//!
//! ```text
//! src/main.rs          thin: clap, dispatch, print
//! src/cmd/             one file per command (build + check, new, risk, scope, search, serve); each
//!                      returns a Report, except serve, which prints its events as they happen
//! src/serve/           the one home of notify: in-memory site, HTTP (host.rs: Host check, redirects),
//!                      live reload, search updates
//! src/pipeline.rs      the one orchestrator that build, check and serve call: load → parse →
//!                      assemble → render (+ the search index)
//! src/search/          the one home of tantivy: index, static browser index (export, update),
//!                      queries, ranking, snippets; tokenizer.rs is only the tantivy adapter
//! src/render/          mod.rs (render_site / render_selected), theme.rs (the one home of tera),
//!                      views.rs, home.rs, extras.rs (404, tags, sitemap, search and lookup pages)
//! src/site.rs          assemble: sections, listings, tags, link and anchor checks; the site-side
//!                      glue kinds need (resolved links, the scope matcher)
//! src/page.rs          SourceFile → Page typed by kind: the kind dispatch, above the kinds
//! src/flow/ forms/ risk/ scope/   one folder per kind: front matter → model → HTML/SVG/.docx → view
//!                      (forms/view.rs, risk/client.rs, scope/view.rs); forms is the one home of zip
//! src/config.rs        portal.yaml → validated Config (config/urls.rs: its URL fields, the CSP)
//! src/content/         load.rs (walkdir), front_matter.rs (the one home of serde_yaml),
//!                      yaml_locate.rs, fields.rs (Date, StringList, Status, SortBy, front_matter!)
//! src/markdown.rs      the one home of pulldown-cmark: parse once, render once (markdown/links.rs,
//!                      markdown/controls.rs)
//! src/html.rs          the one escaper: HTML/SVG text and attributes, XML (characters XML forbids
//!                      left out), and the one percent-encoder of paths
//! src/text.rs          CJK text rules: fold, char classes, units, tokens, synonyms, Chinese numerals
//!                      — shared by search, scope and config; mirrored by ONE
//!                      themes/default/static/js/text-core.js loaded by search and scope
//! src/diagnostic.rs    Diagnostic { path, line, col, message }, sorted, printed by main.rs
//! src/output.rs        OutputFile, sinks (staging folder swapped in atomically, memory, nothing),
//!                      output paths, output-folder safety
//! src/fuzzing.rs       entry points for the fuzz targets in tests/fuzz
//! themes/default/      the built-in theme (compiled in): templates/, static/css, static/js (classic
//!                      scripts, no modules, so pages work from file://)
//! ```

use clap::{Parser, Subcommand};
use policy_portal::cmd::{self, Report};
use policy_portal::diagnostic::terminal_text;
use policy_portal::pipeline::BuildOptions;
use policy_portal::serve::ServeOptions;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc gives freed memory back; see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "Build a county 稳评 guidance portal from Markdown"
)]
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
        /// Replace the output folder even if it holds files portal did not write (they are deleted).
        #[arg(long)]
        force: bool,
    },
    /// Run every check without writing anything.
    Check {
        #[arg(long)]
        base_path: Option<String>,
        #[arg(long)]
        drafts: bool,
    },
    /// Build the site in memory, serve it on 127.0.0.1 and rebuild on every change (live reload).
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
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Poll the file system for changes instead of native events (network drives, some VMs).
        #[arg(long)]
        poll: bool,
    },
    /// Apply the site's risk-matrix worksheet to a CSV of factors (header: dimension,factor,
    /// likelihood,consequence,weight,likelihood_after,consequence_after).
    Risk {
        /// The factors file.
        factors: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// The overall method (default: the worksheet's).
        #[arg(long, value_parser = ["counting", "weighted"])]
        method: Option<String>,
    },
    /// Create a new site in DIR that builds at once.
    New { dir: PathBuf },
    /// Does a matter need a 稳评? The same answer as the site's scope lookup page.
    Scope {
        /// A plain description of the matter, e.g. 开发区拟引进一个电镀项目.
        text: Option<String>,
        /// Print `{"query", "verdict": "in_scope" | "borderline" | "out_of_scope", "kind": "普通" | "简易" | null, "rule": {"id", "text", "basis"}, "reasons", "matches": [{"id", "category", "title", "score", "matched"}, …]}` (and `"check"` with --answers).
        #[arg(long)]
        json: bool,
        /// Read one description per line from FILE; with --json, print one JSON object per line.
        #[arg(long, value_name = "FILE")]
        batch: Option<PathBuf>,
        /// When the description is not enough, ask the catalogue's yes/no questions on the terminal.
        #[arg(long)]
        ask: bool,
        /// Answers to the yes/no questions, e.g. `interests=是,land=否,wide=是,conflict=否`.
        #[arg(long, value_name = "ID=是|否,…")]
        answers: Option<String>,
        #[arg(long)]
        drafts: bool,
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
        /// Only results of this kind: 办法, 通知, 解读, 范围事项, 流程, 表格, 页面.
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = |base_path: Option<String>, drafts: bool| BuildOptions {
        root: cli.root.clone(),
        base_path,
        drafts,
    };
    let result = match cli.command {
        Command::Build {
            ref output,
            ref base_path,
            drafts,
            force,
        } => cmd::build::build(&options(base_path.clone(), drafts), output, force),
        Command::Check {
            ref base_path,
            drafts,
        } => Ok(cmd::build::check(&options(base_path.clone(), drafts))),
        Command::Serve {
            port,
            ref bind,
            ref base_path,
            drafts,
            open,
            poll,
        } => {
            let serve_opts = ServeOptions {
                bind: bind.clone(),
                port,
                poll,
            };
            cmd::serve::serve(options(base_path.clone(), drafts), &serve_opts, open)
        }
        Command::New { ref dir } => cmd::new::new_site(dir),
        Command::Risk {
            ref factors,
            json,
            ref method,
        } => cmd::risk::risk(&cmd::risk::RiskOptions {
            root: cli.root.clone(),
            csv: factors.clone(),
            json,
            method: method
                .as_deref()
                .and_then(policy_portal::risk::Method::parse),
        })
        .map(|(report, output)| {
            print!("{}", terminal_text(&output));
            report
        }),
        Command::Scope {
            ref text,
            json,
            ref batch,
            ask,
            ref answers,
            drafts,
        } => cmd::scope::scope(
            &options(None, drafts),
            &cmd::scope::ScopeArgs {
                text: text.clone(),
                batch: batch.clone(),
                json,
                ask,
                answers: answers.clone(),
            },
        ),
        Command::Search {
            ref query,
            limit,
            json,
            ref kind,
            drafts,
        } => {
            let args = cmd::search::SearchArgs {
                query: query.clone(),
                limit,
                json,
                kind: kind.clone(),
            };
            cmd::search::search(&options(None, drafts), &args)
        }
    };
    match result {
        Ok(report) => finish(report),
        Err(e) => {
            eprintln!("error: {}", terminal_text(&e.to_string()));
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {}", terminal_text(&cause.to_string()));
            }
            ExitCode::FAILURE
        }
    }
}

/// Prints what a command answers (control characters from the content escaped, see
/// `terminal_text`), its diagnostics and its summary.
fn finish(report: Report) -> ExitCode {
    print!("{}", terminal_text(&report.output));
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    eprintln!("{}", terminal_text(&report.summary));
    if report.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
