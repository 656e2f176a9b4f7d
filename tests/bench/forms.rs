//! Build-time share of the blank forms, measured in-process (no process start-up, no disk writes):
//! runs the whole pipeline (load → parse → assemble → render, every output file in memory) on the
//! sample site with its forms and on a copy without them, then times the forms' own work — parsing and
//! laying out the 19 forms, their HTML sheets and their .docx files — on their own. Prints figures;
//! never fails on timings.
//!
//!     tests/bench/run forms [RUNS]      # RUNS (default 50) reaches the test as $BENCH_RUNS

use policy_portal::content::SourceFile;
use policy_portal::forms::render_docx;
use policy_portal::page::parse_page;
use policy_portal::pipeline::{run, BuildOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn time(runs: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn copy_site(from: &Path, to: &Path, forms: bool) {
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(from.join("content"))
        .arg(from.join("portal.yaml"))
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
    if !forms {
        std::fs::remove_dir_all(to.join("content/forms")).unwrap();
        // Everything that names a form goes with them: the menu entry (its name, page and weight
        // lines), the scope page's list of first forms, and the procedure's links (their text stays).
        let edit = |rel: &str, f: &dyn Fn(&str) -> String| {
            let path = to.join(rel);
            let text = std::fs::read_to_string(&path).unwrap();
            let cut = f(&text);
            assert_ne!(cut, text, "{rel}: nothing named a form");
            std::fs::write(path, cut).unwrap();
        };
        edit("portal.yaml", &|yaml| {
            let mut lines: Vec<&str> = yaml.lines().collect();
            let page = lines
                .iter()
                .position(|l| l.trim() == "page: \"@/forms/_index.md\"")
                .expect("the menu entry of the forms");
            assert!(lines[page - 1].trim_start().starts_with("- name:"));
            assert!(lines[page + 1].trim_start().starts_with("weight:"));
            lines.drain(page - 1..=page + 1);
            lines.join("\n") + "\n"
        });
        edit("content/scope/index.md", &|md| {
            md.lines()
                .filter(|l| *l != "forms:" && !l.starts_with("  - \"@/forms/"))
                .map(|l| format!("{l}\n"))
                .collect()
        });
        edit("content/procedure.md", &unlink_forms);
    }
}

/// `text` with every Markdown link into the forms (`[name](@/forms/….md)`) left as its plain name.
fn unlink_forms(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("](@/forms/") {
        let open = rest[..at].rfind('[').expect("the link's `[`");
        let close = at + rest[at..].find(')').expect("the link's `)`");
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..at]);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
#[ignore = "benchmark: tests/bench/run forms"]
fn forms_benchmark() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let (with, without) = (tmp.path().join("with"), tmp.path().join("without"));
    for (dir, forms) in [(&with, true), (&without, false)] {
        std::fs::create_dir_all(dir).unwrap();
        copy_site(&repo, dir, forms);
    }
    let pipeline = |root: &Path| {
        let sink = policy_portal::output::MemorySink::default();
        let opts = BuildOptions {
            root: root.to_path_buf(),
            ..BuildOptions::default()
        };
        let built = run(&opts, &sink);
        assert_eq!(built.error_count(), 0, "{:?}", built.diagnostics);
        sink.into_files().len()
    };
    let a = time(runs, || {
        std::hint::black_box(pipeline(&with));
    });
    let b = time(runs, || {
        std::hint::black_box(pipeline(&without));
    });
    println!("pipeline, sample site with its 19 forms:    {a:.2} ms (median of {runs})");
    println!("pipeline, sample site without the forms:    {b:.2} ms");
    println!(
        "  the forms add {:.2} ms ({:.0}% of the pipeline; 20 more pages and 22 more files)",
        a - b,
        (a - b) / a * 100.0
    );

    let dir = repo.join("content/forms");
    let mut sources: Vec<SourceFile> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && !p.ends_with("_index.md"))
        .map(|p| {
            let rel = format!("forms/{}", p.file_name().unwrap().to_string_lossy());
            SourceFile {
                source: format!("content/{rel}"),
                rel,
                text: std::fs::read_to_string(&p).unwrap(),
            }
        })
        .collect();
    sources.sort_by(|x, y| x.rel.cmp(&y.rel));
    let parse = time(runs, || {
        for s in &sources {
            drop(parse_page(s, false));
        }
    });
    let pages: Vec<_> = sources
        .iter()
        .map(|s| parse_page(s, false).0.unwrap())
        .collect();
    let forms: Vec<_> = pages.iter().map(|p| p.form.clone().unwrap()).collect();
    let html = time(runs, || {
        for f in &forms {
            drop(policy_portal::forms::render_sheets(f));
        }
    });
    let mut docx_bytes = 0;
    let docx = time(runs, || {
        docx_bytes = forms.iter().map(|f| render_docx(f).len()).sum();
    });
    println!("the {} forms alone, one thread:", forms.len());
    println!("  parse pages (front matter, Markdown, form block, layout): {parse:.2} ms");
    println!("  HTML sheets:                                             {html:.2} ms");
    println!(
        "  .docx files ({} KB):                                    {docx:.2} ms",
        docx_bytes / 1024
    );
}
