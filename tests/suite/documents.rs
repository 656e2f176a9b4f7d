//! Policy documents as a 政府网站 publishes them: validity from front matter (banner, badges in
//! every list, 历史版本), the 新旧条文对照 page, 解读 both ways, 附件 with sizes, notices as 公文,
//! and the positioned errors and warnings for bad relations.

use crate::support::site::{Run, Site};

/// The article ids (`id="第十二条"`) a measure page shows.
fn article_ids(html: &str) -> Vec<String> {
    html.split("id=\"第")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|s| s.ends_with('条') || s.contains("条之"))
        .map(|s| format!("第{s}"))
        .collect()
}

/// The main element's text, tags removed (for asserting what a reader sees).
fn main_text(html: &str) -> String {
    let start = html.find("<main").unwrap_or(0);
    let end = html.find("</main>").unwrap_or(html.len());
    let mut out = String::new();
    let mut tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => tag = true,
            '>' => tag = false,
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn the_sample_publishes_validity_versions_and_the_comparison() {
    let run = Site::sample().build().ok();
    assert!(run.diagnostics().is_empty(), "{}", run.stderr);
    // The banner comes from front matter: the source no longer types it.
    let source = std::fs::read_to_string(
        crate::support::site::repo_root().join("content/measures/interim-2016.md"),
    )
    .unwrap();
    assert!(!source.contains("> 本文件"), "hand-typed banner is gone");
    let old = run.read("measures/interim-2016/index.html");
    let banner = &old[old.find("validity-banner").expect("banner")..];
    let banner = &banner[..banner.find("</div>").unwrap()];
    for want in [
        "已废止",
        "2024年5月1日",
        "清办发〔2024〕5号",
        "implementation/index.html",
        "compare/index.html",
    ] {
        assert!(banner.contains(want), "banner lacks {want}: {banner}");
    }
    // The current version lists its history and the comparison.
    let new = run.read("measures/implementation/index.html");
    let history = &new[new.find("doc-history").expect("历史版本")..];
    assert!(history.contains("interim-2016/index.html") && history.contains("清办发〔2016〕12号"));
    assert!(history.contains("已废止"));
    // Every list that shows the repealed measure shows 已废止 and its 文号, in words.
    for (list, marker) in [
        ("measures/index.html", "class=\"doc-table\""),
        ("index.html", "id=\"home-measures-title\""),
    ] {
        let html = run.read(list);
        let text = main_text(&format!(
            "<main>{}",
            &html[html.find(marker).expect(marker)..]
        ));
        let at = text
            .find("暂行办法")
            .unwrap_or_else(|| panic!("{list} lists the old measure"));
        let tail: String = text[at..].chars().take(80).collect();
        assert!(
            tail.contains("已废止") && tail.contains("清办发〔2016〕12号"),
            "{list}: {tail}"
        );
        let current = text.find("评估实施办法").expect("current listed");
        assert!(current < at, "{list}: current before repealed");
    }
    // The comparison covers every article of both versions.
    let compare = run.read("measures/implementation/compare/index.html");
    let cells = |class: &str| -> Vec<String> {
        compare
            .split(&format!("<td class=\"{class}\">"))
            .skip(1)
            .flat_map(|cell| {
                let cell = &cell[..cell.find("</td>").unwrap()];
                let labels = cell.find("compare-labels").map_or("", |i| {
                    let rest = &cell[i..];
                    &rest[..rest.find("</span>").unwrap()]
                });
                labels
                    .split('>')
                    .filter_map(|s| s.strip_suffix("</a"))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (old_ids, new_ids) = (article_ids(&old), article_ids(&new));
    assert_eq!(old_ids.len(), 10);
    assert_eq!(new_ids.len(), 38);
    assert_eq!(
        cells("compare-old"),
        old_ids,
        "every old article once, in order"
    );
    let mut shown_new = cells("compare-new");
    assert_eq!(shown_new.len(), 38);
    shown_new.sort();
    let mut want_new = new_ids.clone();
    want_new.sort();
    assert_eq!(shown_new, want_new, "every new article once");
    assert!(compare.contains("原文件 10 条，新文件 38 条"));
}

#[test]
fn interpretations_and_attachments_are_linked_and_sized() {
    let run = Site::sample().build().ok();
    let measure = run.read("measures/implementation/index.html");
    assert!(measure.contains("interpretations/implementation/index.html"));
    assert!(measure.contains("【解读】"));
    let interp = run.read("interpretations/implementation/index.html");
    assert!(main_text(&interp).contains("解读文件：《清河县重大事项社会稳定风险评估实施办法》"));
    let section = main_text(&run.read("interpretations/index.html"));
    assert!(section.contains("政策解读"), "{section}");
    // The annual-plan notice attaches the form's .docx and the spreadsheet, with sizes.
    let notice = run.read("notices/2025-annual-plan/index.html");
    let text = main_text(&notice);
    assert!(text.contains("附件："), "{text}");
    let docx = std::fs::metadata(run.out.join("forms/annual-plan.docx"))
        .unwrap()
        .len();
    let kb = docx.div_ceil(1024);
    assert!(
        text.contains(&format!(
            "社会稳定风险评估年度计划表（Word 版）（Word 文档，{kb} KB）"
        )),
        "{text}"
    );
    assert!(
        text.contains("社会稳定风险评估年度计划表（Excel 版）（Excel 表格，"),
        "{text}"
    );
    assert!(run.exists("notices/2025-annual-plan/年度重大事项社会稳定风险评估计划表.xlsx"));
    // Notices are 公文: 发文机关, 文号, 主送, 落款 and 版记 from front matter.
    for want in [
        "gw-issuer",
        "清政法〔2025〕2号",
        "gw-recipients",
        "2025年1月10日",
        "抄送：县委办公室",
    ] {
        assert!(notice.contains(want), "notice lacks {want}");
    }
}

#[test]
fn search_ranks_the_repealed_measure_below_the_current_one_and_labels_it() {
    let site = Site::sample();
    for q in ["征地", "风险等级", "稳评", "评估报告"] {
        let urls = site.search_urls(q, 50, None);
        let cur = urls
            .iter()
            .position(|u| u.starts_with("measures/implementation/"));
        let old = urls
            .iter()
            .position(|u| u.starts_with("measures/interim-2016/"));
        if let (Some(c), Some(o)) = (cur, old) {
            assert!(c < o, "{q}: current #{c} after repealed #{o}: {urls:?}");
        }
    }
    let run = site.portal(&["search", "暂行办法", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let old = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["url"]
                .as_str()
                .unwrap()
                .starts_with("measures/interim-2016/")
        })
        .expect("found");
    assert_eq!(old["status"], "已废止");
    // The 解读 has its own filter.
    let urls = site.search_urls("实施办法", 10, Some("解读"));
    assert_eq!(urls.len(), 1, "{urls:?}");
    assert!(urls[0].starts_with("interpretations/implementation/"));
}

fn doc(title: &str, extra: &str) -> String {
    format!("---\nkind: measure\ntitle: {title}\n{extra}---\n第一条　目的。\n")
}

fn errors(run: &Run) -> Vec<String> {
    run.diagnostics()
        .into_iter()
        .filter(|l| l.contains("error"))
        .collect()
}

#[test]
fn bad_relations_are_positioned_errors() {
    let run = Site::minimal()
        .file(
            "content/a.md",
            &doc(
                "甲",
                "status: 现行有效\nsupersedes:\n  - \"@/b.md\"\n  - \"@/nope.md\"\n",
            ),
        )
        .file("content/b.md", &doc("乙", "superseded_by: \"@/b.md\"\n"))
        .file("content/p.md", "---\ntitle: 普通页面\n---\n正文。\n")
        .file("content/c.md", &doc("丙", "supersedes: \"@/p.md\"\n"))
        .file(
            "content/i.md",
            "---\nkind: interpretation\ntitle: 解读\ninterprets: \"@/p.md\"\n---\n解读。\n",
        )
        .file(
            "content/j.md",
            "---\nkind: interpretation\ntitle: 解读二\n---\n解读。\n",
        )
        .file(
            "content/k.md",
            "---\ntitle: 附件页\nattachments: [missing.xlsx]\n---\n正文。\n",
        )
        .check()
        .failed();
    let e = errors(&run).join("\n");
    for want in [
        "content/a.md:7:5: error: broken link `@/nope.md`",
        "content/b.md:4:16: error: `@/b.md` is this document itself",
        "content/c.md:4:13: error: `@/p.md` is not a policy document",
        "content/i.md:4:13: error: `@/p.md` is not a measure or notice",
        "content/j.md:2:1: error: a `kind: interpretation` page needs `interprets:`",
        "content/k.md:3:15: error: broken link `missing.xlsx`",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
}

#[test]
fn cycles_and_two_successors_are_errors() {
    let run = Site::minimal()
        .file("content/a.md", &doc("甲", "supersedes: \"@/b.md\"\n"))
        .file("content/b.md", &doc("乙", "supersedes: \"@/a.md\"\n"))
        .file("content/c.md", &doc("丙", "supersedes: \"@/d.md\"\n"))
        .file("content/e.md", &doc("戊", "supersedes: \"@/d.md\"\n"))
        .file("content/d.md", &doc("丁", ""))
        .check()
        .failed();
    let e = errors(&run).join("\n");
    assert!(e.contains("content/a.md:4:13: error: versions replace each other in a circle (content/a.md → content/b.md → back)"), "{e}");
    assert!(
        e.contains(
            "content/e.md:4:13: error: `content/d.md` is already replaced by `content/c.md`"
        ),
        "{e}"
    );
}

#[test]
fn stale_validity_is_a_warning_and_the_page_says_what_is_true() {
    let run = Site::minimal()
        .file(
            "content/new.md",
            &doc("新办法", "status: 现行有效\nsupersedes: \"@/old.md\"\n"),
        )
        .file("content/old.md", &doc("旧办法", "status: 现行有效\n"))
        .file(
            "content/short.md",
            &doc(
                "临时办法",
                "status: 现行有效\nvalid_until: \"2020-12-31\"\n",
            ),
        )
        .build()
        .ok();
    let d = run.diagnostics().join("\n");
    assert!(
        d.contains(
            "content/old.md:4:1: warning: marked 现行有效, but `content/new.md` replaces it"
        ),
        "{d}"
    );
    assert!(
        d.contains("content/short.md:5:1: warning: `valid_until: 2020-12-31` has passed"),
        "{d}"
    );
    assert!(main_text(&run.read("old/index.html")).contains("已废止"));
    assert!(main_text(&run.read("short/index.html")).contains("已失效"));
}

#[test]
fn search_hits_carry_the_status_and_the_doc_number() {
    let site = Site::sample();
    let run = site.portal(&["search", "暂行办法", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let first = &v["results"][0];
    assert!(
        first["url"]
            .as_str()
            .unwrap()
            .starts_with("measures/interim-2016/"),
        "{v}"
    );
    assert_eq!(first["status"], "已废止");
    assert_eq!(first["doc_number"], "清办发〔2016〕12号");
    let run = site.portal(&["search", "暂行办法"]).ok();
    assert!(
        run.stdout.contains("[办法 · 已废止 · 清办发〔2016〕12号]"),
        "{}",
        run.stdout
    );
}
