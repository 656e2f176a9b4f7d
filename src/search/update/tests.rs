use super::*;

fn doc(id: u32, title: &str, body: &str) -> SearchDoc {
    SearchDoc::for_test(id, title, "", body)
}

/// Every term's postings, read back from the exported files.
fn all_terms(files: &Files, shards: u32) -> BTreeMap<String, ([usize; 4], TermPostings)> {
    let mut out = BTreeMap::new();
    for s in 0..shards {
        for (term, e) in read_shard(files, s).unwrap().0 {
            let p = decode_entry(&term, &e).unwrap();
            out.insert(term, (e.counts, p));
        }
    }
    out
}

fn exported(docs: &[SearchDoc]) -> (Files, u32, Stats) {
    let index = SearchIndex::build(docs).unwrap();
    let e = export_all(&index, &Synonyms::new(&[])).unwrap();
    let files = e
        .files
        .into_iter()
        .map(|f| (f.path.clone(), Arc::new(f.read().unwrap().into_owned())))
        .collect();
    (files, e.shards, e.stats)
}

#[test]
fn a_page_read_with_the_tokenizer_equals_what_tantivy_indexed() {
    let docs = vec![
        doc(
            0,
            "征地补偿方案 110千伏",
            "社会稳定风险评估。第十二条　应当评估。ABC abc 2023",
        ),
        doc(1, "", "稳评"),
        doc(2, "风险", &"风险评估报告。".repeat(300)),
    ];
    let (files, shards, stats) = exported(&docs);
    let (totals, expect) = docs_postings(&docs);
    assert_eq!(totals, stats.total_tokens);
    let got: BTreeMap<String, TermPostings> = all_terms(&files, shards)
        .into_iter()
        .map(|(t, (_, p))| (t, p))
        .collect();
    assert_eq!(got, expect);
}

/// Documents from a small vocabulary, enough for terms of several tiers.
fn corpus(n: u32, seed: u64) -> Vec<SearchDoc> {
    let words = [
        "风险",
        "评估",
        "征地",
        "补偿",
        "群众",
        "意见",
        "决策",
        "机关",
        "矛盾",
        "化解",
        "稳定",
        "项目",
        "实施",
        "部门",
        "报告",
        "拆迁",
        "公示",
        "听证",
        "第十二条",
        "110千伏",
    ];
    let mut x = seed;
    let mut next = |m: usize| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((x >> 33) % m as u64) as usize
    };
    (0..n)
        .map(|i| {
            let title: String = (0..2).map(|_| words[next(words.len())]).collect();
            let body: String = (0..(5 + next(40)))
                .map(|_| format!("{}。", words[next(words.len())]))
                .collect();
            doc(i, &title, &body)
        })
        .collect()
}

/// What a term adds to a document, per document, for every tier in order.
fn tier_contributions(term: &str, e: &Entry, stats: &Stats) -> Vec<Vec<f32>> {
    let caches = field_caches(stats, &fieldnorm_table());
    let all = decode_entry(term, e).unwrap();
    let weights: [f32; 3] = std::array::from_fn(|f| {
        super::super::rank::field_weight(all[f].len() as u64, stats.num_docs, f)
    });
    e.tiers
        .iter()
        .map(|t| {
            let one = Entry {
                counts: e.counts,
                tiers: vec![t.clone()],
            };
            let p = decode_entry(term, &one).unwrap();
            let mut by: BTreeMap<u32, f32> = BTreeMap::new();
            for f in 0..3 {
                for x in &p[f] {
                    *by.entry(x.doc).or_default() +=
                        super::super::rank::field_score(weights[f], &caches[f], x);
                }
            }
            by.into_values().collect()
        })
        .collect()
}

#[test]
fn an_update_holds_what_a_full_export_holds_and_keeps_the_tiers_bounded() {
    let before = corpus(400, 1);
    let mut after = before.clone();
    after[3] = doc(3, "新的标题 听证", &"听证会记录。风险评估。".repeat(40));
    after[10].sections[0].text.clear();
    after[200].title_field = "全新词语".into();
    let mut live = LiveIndex::from_docs(before, Synonyms::new(&[])).unwrap();
    let change = live.update_docs(after.clone(), Synonyms::new(&[])).unwrap();
    assert!(
        matches!(change, Change::Parts { pages: 3, .. }),
        "{change:?}"
    );
    let (full, shards, stats) = exported(&after);
    assert_eq!(live.stats, stats);
    assert_eq!(all_terms(&live.files, shards), all_terms(&full, shards));
    for (path, bytes) in full.iter() {
        if path.starts_with("search/d/") || path == "search/kinds.js" {
            assert_eq!(live.files.get(path), Some(bytes), "{path}");
        }
    }
    // The tiers of untouched terms keep their old order: within the slack of the new one.
    let slack = live.slack();
    assert!(slack > 1.0 && slack < MAX_SLACK, "{slack}");
    let meta = String::from_utf8(live.files["search/meta.js"].to_vec()).unwrap();
    assert!(meta.contains("\"slack\":"), "{meta}");
    let mut several = 0;
    for s in 0..shards {
        for (term, e) in read_shard(&live.files, s).unwrap().0 {
            let tiers = tier_contributions(&term, &e, &stats);
            several += usize::from(tiers.len() > 1);
            for k in 1..tiers.len() {
                let floor = tiers[..k].iter().flatten().fold(f32::MAX, |a, &b| a.min(b));
                let best = tiers[k..].iter().flatten().fold(0f32, |a, &b| a.max(b));
                assert!(
                    best as f64 <= floor as f64 * slack * (1.0 + 1e-5),
                    "{term}: tier {k} holds {best} above {floor} × {slack}"
                );
            }
        }
    }
    assert!(several > 10, "{several} terms have several tiers");
    // Nothing changed: nothing to do; a new page: everything again.
    assert_eq!(
        live.update_docs(after.clone(), Synonyms::new(&[])).unwrap(),
        Change::Nothing
    );
    let mut more = after.clone();
    more.push(doc(400, "新页面", "新页面正文"));
    assert!(matches!(
        live.update_docs(more, Synonyms::new(&[])).unwrap(),
        Change::Full(_)
    ));
    assert_eq!(live.slack(), 1.0);
}

#[test]
fn numbers_read_back() {
    let mut s = String::new();
    for n in [0, 31, 32, 1000, u32::MAX] {
        super::super::export::write_number(&mut s, n);
    }
    assert_eq!(read_numbers(&s).unwrap(), [0, 31, 32, 1000, u32::MAX]);
    assert!(read_numbers("*").is_err());
}

#[test]
fn slack_covers_the_averages_in_use() {
    assert_eq!(slack(&[(10.0, 10.0); 3], &[10.0; 3]), 1.0);
    let s = slack(&[(10.0, 11.0), (5.0, 5.0), (0.0, 0.0)], &[11.0, 5.0, 0.0]);
    assert!((s - 1.1).abs() < 1e-5, "{s}");
}
