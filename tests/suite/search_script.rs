//! Script folding, measured: a corpus of the sample site and the five source documents in
//! `tests/fixtures/seeds/` (two of them in Traditional characters) cut into pages, queried with the blind query
//! sets `tests/search/script-dev.tsv` and `script-test.tsv` (written by someone who had read only
//! the seeds and the site's content, about 45% Traditional, 45% Simplified, 10% mixed).
//!
//! The truth of a query is every page whose text, converted by OpenCC's `t2s` (phrase tables
//! included, through `ferrous-opencc`), holds each of the query's words converted the same way.
//! Figures per split, the test split reported apart and never tuned on:
//! - *script-folded recall*: the share of a query's true pages that come back at all (mean);
//! - *R-precision*: the share of the first R results that are true pages, R the number of them;
//! - *exact-substring recall*: the share of pages holding the query as typed that come back, and
//!   *literal first*: the share of queries whose pages holding it as typed all rank above every
//!   page that is not true.
//!
//! `cargo test --release --test suite search_script -- --nocapture` prints them; the test fails when
//! the development split falls below the targets of the search issue (0.98, 0.90, 1.0).

use crate::support::site::{repo_root, Site};
use policy_portal::pipeline::{assemble_site, BuildOptions};
use policy_portal::search::{self, Query, SearchIndex, SearchOptions};
use policy_portal::text::Synonyms;
use std::collections::HashSet;

/// Characters of page text, about; pages end at a line break.
const PAGE_CHARS: usize = 500;

/// The corpus site: the sample site (as it is configured, default synonyms on) and each seed cut
/// into pages of about [`PAGE_CHARS`] characters at line breaks.
/// Characters Markdown or HTML would read as markup are left out (the truth is computed from the
/// indexed text, so nothing depends on how a line renders).
fn corpus() -> Site {
    let site = Site::sample();
    let mut seeds: Vec<_> = std::fs::read_dir(repo_root().join("tests/fixtures/seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5, "the five seeds");
    for (s, path) in seeds.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let mut pages: Vec<String> = vec![String::new()];
        for line in text.lines() {
            let clean: String = line
                .chars()
                .filter(|c| !"#*_|<>[]`\\~{}%=+-!".contains(*c))
                .collect();
            let clean = clean.trim();
            if clean.is_empty() {
                continue;
            }
            let page = pages.last_mut().unwrap();
            page.push_str(clean);
            page.push_str("\n\n");
            if page.chars().count() >= PAGE_CHARS {
                pages.push(String::new());
            }
        }
        for (n, page) in pages.iter().filter(|p| !p.is_empty()).enumerate() {
            let md = format!("---\ntitle: 文档{}之{}\n---\n\n{page}", s + 1, n + 1);
            site.write(
                &format!("content/seeds/s{}/p{}.md", s + 1, n + 1),
                md.as_bytes(),
            );
        }
    }
    site
}

struct Figures {
    queries: usize,
    recall: f64,
    r_precision: f64,
    exact_recall: f64,
    literal_first: f64,
    /// Queries with true pages that do not hold them as typed (only folding finds those).
    needs_folding: usize,
    misses: Vec<String>,
}

fn evaluate(set: &str) -> Figures {
    let site = corpus();
    let a = assemble_site(&BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    });
    assert!(!a.diagnostics.has_errors(), "{:?}", a.diagnostics);
    let docs = search::collect_docs(&a.site);
    let index = SearchIndex::build(&docs).unwrap();
    let synonyms = Synonyms::new(&a.site.config.search.synonym_groups());
    let cc =
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s).unwrap();
    let lower = |s: &str| s.to_lowercase();
    let texts: Vec<String> = docs
        .iter()
        .map(|d| format!("{}\n{}\n{}", d.title_field, d.heading_field, d.body()))
        .collect();
    let folded: Vec<String> = texts.iter().map(|t| lower(&cc.convert(t))).collect();
    let queries = std::fs::read_to_string(repo_root().join("tests/search").join(set)).unwrap();
    let (mut n, mut recall, mut rprec, mut exact_n, mut exact_recall, mut first) =
        (0usize, 0f64, 0f64, 0usize, 0f64, 0usize);
    let mut misses = Vec::new();
    let mut needs = 0;
    for q in queries.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let words: Vec<&str> = q.split_whitespace().collect();
        let holds = |hay: &str, conv: bool| {
            words.iter().all(|w| {
                let w = if conv {
                    lower(&cc.convert(w))
                } else {
                    w.to_string()
                };
                hay.contains(&w)
            })
        };
        let truth: HashSet<usize> = (0..docs.len())
            .filter(|&i| holds(&folded[i], true))
            .collect();
        let exact: HashSet<usize> = (0..docs.len())
            .filter(|&i| holds(&texts[i], false))
            .collect();
        if truth.is_empty() {
            continue;
        }
        let (hits, _) = search::search(
            &index,
            &Query::parse(q, &synonyms),
            &SearchOptions {
                limit: None,
                kind: None,
            },
        )
        .unwrap();
        let ranked: Vec<usize> = hits
            .iter()
            .map(|h| {
                let page = h.url.split('#').next().unwrap();
                docs.iter().position(|d| d.url == page).unwrap()
            })
            .collect();
        let found = ranked.iter().filter(|i| truth.contains(i)).count();
        let r = truth.len();
        let top = ranked.iter().take(r).filter(|i| truth.contains(i)).count();
        n += 1;
        needs += (exact.len() < truth.len()) as usize;
        recall += found as f64 / r as f64;
        rprec += top as f64 / r as f64;
        if found < r || top < r {
            misses.push(format!(
                "{q}: {found}/{r} found, {top}/{r} in the first {r}"
            ));
        }
        if !exact.is_empty() {
            exact_n += 1;
            exact_recall +=
                ranked.iter().filter(|i| exact.contains(i)).count() as f64 / exact.len() as f64;
            let last_exact = ranked.iter().rposition(|i| exact.contains(i));
            let first_other = ranked.iter().position(|i| !truth.contains(i));
            if match (last_exact, first_other) {
                (Some(l), Some(o)) => l < o,
                _ => true,
            } {
                first += 1;
            }
        }
    }
    Figures {
        queries: n,
        recall: recall / n.max(1) as f64,
        r_precision: rprec / n.max(1) as f64,
        exact_recall: exact_recall / exact_n.max(1) as f64,
        literal_first: first as f64 / exact_n.max(1) as f64,
        needs_folding: needs,
        misses,
    }
}

fn report(set: &str, f: &Figures, show_misses: bool) {
    println!(
        "{set}: {} queries with true pages ({} of them with pages only folding finds): script-folded recall {:.3}, R-precision {:.3}, exact-substring recall {:.3}, literal first {:.3}",
        f.queries, f.needs_folding, f.recall, f.r_precision, f.exact_recall, f.literal_first
    );
    if show_misses {
        for m in &f.misses {
            println!("  {m}");
        }
    }
}

#[test]
fn traditional_and_simplified_find_each_other() {
    let dev = evaluate("script-dev.tsv");
    report("script-dev", &dev, true);
    // The held-out split: figures only (its misses are never printed, so nobody tunes on them).
    let test = evaluate("script-test.tsv");
    report("script-test", &test, false);
    assert!(dev.queries >= 90, "{} queries with true pages", dev.queries);
    assert!(dev.recall >= 0.98, "script-folded recall {:.3}", dev.recall);
    assert!(
        dev.r_precision >= 0.90,
        "R-precision {:.3}",
        dev.r_precision
    );
    assert!(
        dev.exact_recall >= 1.0,
        "exact-substring recall {:.3}",
        dev.exact_recall
    );
    assert!(
        dev.literal_first >= 1.0,
        "literal first {:.3}",
        dev.literal_first
    );
}

/// Pinyin and IME slips on the sample site, with the blind sets `tests/search/pinyin-*.tsv` and
/// `typo-*.tsv` (`query<TAB>intended word`): the share of queries whose first suggestion is the
/// intended word (it is then what the page searches for pinyin and for queries nothing matches)
/// and whose first three hold it. The test split is reported apart and never tuned on.
#[test]
fn pinyin_and_slips_lead_to_the_intended_word() {
    let (index, synonyms, docs) = crate::search_quality::sample_index();
    let suggester = search::suggest::Suggester::new(&docs, &synonyms);
    let mut dev = Vec::new();
    for set in ["pinyin-dev", "pinyin-test", "typo-dev", "typo-test"] {
        let text =
            std::fs::read_to_string(repo_root().join(format!("tests/search/{set}.tsv"))).unwrap();
        let (mut n, mut first, mut top3, mut shown) = (0, 0, 0, 0);
        let mut misses = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (q, want) = line.split_once('\t').expect("query<TAB>intended");
            let ans = search::answer(
                &index,
                q,
                &synonyms,
                &SearchOptions {
                    limit: Some(10),
                    kind: None,
                },
                || Ok(suggester.clone()),
            )
            .unwrap();
            n += 1;
            let pos = ans.suggestions.iter().position(|w| w == want);
            first += (pos == Some(0)) as usize;
            top3 += pos.is_some_and(|p| p < 3) as usize;
            // The intended word's pages are what the list shows (searched, or offered).
            shown += (ans.searched == want || pos.is_some()) as usize;
            if pos != Some(0) {
                misses.push(format!(
                    "{q} → {:?} ({:?}), wanted {want}",
                    ans.suggestions, ans.advice
                ));
            }
        }
        println!(
            "{set}: {n} queries: first suggestion right {:.3}, in the first three {:.3}, intended word searched or offered {:.3}",
            first as f64 / n as f64,
            top3 as f64 / n as f64,
            shown as f64 / n as f64
        );
        if set.ends_with("-dev") {
            for m in &misses {
                println!("  {m}");
            }
            dev.push((set, top3 as f64 / n as f64));
        }
    }
    for (set, top3) in dev {
        assert!(
            top3 >= 0.8,
            "{set}: first three hold the intended word {top3:.3}"
        );
    }
}
