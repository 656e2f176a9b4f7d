//! Page weight: the bytes a first view of each page type downloads (HTML, CSS, JS, images, the
//! favicon), before search is used. Each page is opened in a fresh Chromium (empty cache) over a
//! local HTTP server, and the bytes are counted on the server from the files it sent, so nothing
//! a page loads escapes the count. Also reported: the same files gzip-compressed (`gzip -9`), as a
//! web server configured to compress would send them. The page list is
//! `tests/suite/support/page_types.rs`.
//!
//! Run: `tests/bench/run page_weight` (bytes, not timings: `PROFILE=debug tests/bench/run
//! page_weight` gives the same figures without a release build). Target: under 100 KB (100,000 bytes, uncompressed) for
//! every page type, except two whose weight is their content: the search page after a query (it
//! loads parts of the search index on purpose) and the print-all page (all blank forms in one page).

use crate::support::browser::Browser;
use crate::support::http::StaticServer;
use crate::support::page_types::PAGE_TYPES;
use crate::support::site::Site;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::{Command, Stdio};

const BUDGET: u64 = 100_000;

/// Page types whose weight is their content, not the theme (see the module docs): search and the
/// scope lookup answering a query (the lookup loads the 56-item catalogue data, 55 KB, to answer),
/// all 19 forms on one page, and the catalogue itself (its HTML is the 56 items, 79 KB).
const EXEMPT: &[&str] = &["search", "forms-print-all", "scope", "scope-lookup"];

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut child = Command::new("gzip")
        .args(["-9c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    child.wait_with_output().unwrap().stdout.len() as u64
}

#[test]
#[ignore = "benchmark: tests/bench/run page_weight"]
fn first_view_bytes_per_page_type() {
    let run = Site::sample().build().ok();
    let server = StaticServer::start(&run.out);
    println!("first page view, fresh browser each (bytes counted on the server):");
    println!(
        "{:<16} {:>9} {:>9} {:>6}  files",
        "page", "bytes", "gzip", "files"
    );
    let mut over = Vec::new();
    for (name, path) in PAGE_TYPES {
        let Some(b) = Browser::launch() else {
            panic!("chromium is needed for this benchmark");
        };
        let before = server.requests().len();
        b.open(&server.url(path));
        // The favicon request and late scripts: wait until nothing new arrives for 500 ms.
        let mut seen = server.requests().len();
        loop {
            std::thread::sleep(std::time::Duration::from_millis(500));
            let now = server.requests().len();
            if now == seen {
                break;
            }
            seen = now;
        }
        let files: BTreeSet<String> = server.requests()[before..]
            .iter()
            .filter(|r| r.status == 200)
            .map(|r| {
                let path = r.target.split('?').next().unwrap_or("");
                policy_portal::serve::http::percent_decode(path).unwrap_or_else(|| path.into())
            })
            .collect();
        let (mut raw, mut gz) = (0u64, 0u64);
        for f in &files {
            let bytes =
                std::fs::read(server.root().join(f.trim_start_matches('/'))).unwrap_or_default();
            raw += bytes.len() as u64;
            gz += gzip_len(&bytes);
        }
        let list: Vec<_> = files
            .iter()
            .map(|f| {
                f.rsplit('/')
                    .find(|s| !s.is_empty())
                    .unwrap_or(f)
                    .to_string()
            })
            .collect();
        println!(
            "{name:<16} {:>9} {:>9} {:>6}  {}",
            raw,
            gz,
            files.len(),
            list.join(" ")
        );
        if raw > BUDGET && !EXEMPT.contains(name) {
            over.push(format!("{name}: {raw} bytes"));
        }
    }
    println!("budget: {BUDGET} bytes uncompressed per first view (exempt: {EXEMPT:?})");
    assert!(over.is_empty(), "over budget: {over:?}");
}
