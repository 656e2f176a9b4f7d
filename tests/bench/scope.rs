//! The scope lookup benchmark, run by `tests/bench/run scope` (through `scope_bench.sh`; ignored in
//! `cargo test`): lookup latency in Chromium on the built sample site, from `file://`, for every
//! matter of the development set:
//!
//! - `match`: `Matcher.lookup(text)` alone (scope-core.js over scope-data.js);
//! - `answer`: setting the lookup page's input and firing `input` until the answer is in the DOM
//!   (matching + rendering the verdict, items, next steps) — what a reader waits for per keystroke;
//! - the peer, in the same run: the Rust matcher (`policy_portal::scope`) on the same matters.
//!
//! Reports median, p95 and max per kind (target: answer p95 < 30 ms) and the browser/Rust ratio.
//! Timings are printed, never asserted.

use crate::support::browser::{js_list, Browser};
use crate::support::site::{repo_root, Site};

fn matters() -> Vec<String> {
    std::fs::read_to_string(repo_root().join("tests/scope/devset.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.splitn(4, '\t').nth(3).unwrap().to_string())
        .collect()
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.95), *v.last().unwrap())
}

#[test]
#[ignore = "benchmark: tests/bench/run scope"]
fn scope_benchmark() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let site = Site::sample();
    let run = site.build().ok();
    let matters = matters();

    // Peer: the Rust matcher on the same site and matters.
    let assembled =
        policy_portal::pipeline::assemble_site(&policy_portal::pipeline::BuildOptions {
            root: site.root().to_path_buf(),
            base_path: None,
            drafts: false,
        });
    let (_, matcher) = assembled.site.scope_matcher().unwrap();
    let mut native = Vec::new();
    for _ in 0..rounds {
        for m in &matters {
            let t = std::time::Instant::now();
            std::hint::black_box(matcher.lookup(m));
            native.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }

    let b = Browser::launch().expect("chromium");
    b.open_scope_lookup(&run.out);
    let list = js_list(&matters);
    let js = format!(
        "(() => {{ const qs = {list}; const m = new PortalScope.Matcher(PortalScope.data().matcher);
          const input = document.getElementById('scope-q'), out = document.getElementById('scope-answer');
          const lookup = [], answer = [];
          for (let r = 0; r < {rounds}; r++) for (const q of qs) {{
            let t = performance.now(); m.lookup(q); lookup.push(performance.now() - t);
            t = performance.now(); input.value = q; input.dispatchEvent(new Event('input'));
            if (!out.querySelector('.scope-verdict-label')) throw new Error('no answer for ' + q);
            void out.offsetHeight; answer.push(performance.now() - t);
          }}
          return {{lookup, answer}}; }})()"
    );
    let v = b.eval_json(&js);
    let nums = |k: &str| -> Vec<f64> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let (lm, lp, lx) = stats(nums("lookup"));
    let (am, ap, ax) = stats(nums("answer"));
    let (nm, np, nx) = stats(native);
    let data = std::fs::metadata(run.out.join("scope/scope-data.js"))
        .unwrap()
        .len();
    println!(
        "scope lookup benchmark: sample site, {} matters x {rounds} rounds, Chromium {}",
        matters.len(),
        b.version()
    );
    println!("scope-data.js: {data} bytes");
    println!("browser match          median {lm:.3} ms  p95 {lp:.3} ms  max {lx:.3} ms");
    println!("browser match+render   median {am:.3} ms  p95 {ap:.3} ms  max {ax:.3} ms  (target p95 < 30 ms)");
    println!("rust matcher (peer)    median {nm:.3} ms  p95 {np:.3} ms  max {nx:.3} ms");
    println!(
        "ratio browser match / rust: median {:.1}x",
        lm / nm.max(1e-6)
    );
}
