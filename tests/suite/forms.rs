//! Integration tests of the blank standard forms: the sample site's 19 forms build into pages,
//! `.docx` files and `forms/forms.json`; the Word files carry the same merges as the HTML; mistakes
//! in form sources are positioned diagnostics.

use crate::support::site::{snapshot_tree, Site};
use std::io::Read;

/// The ids other pages link to (DOMAIN.md §2, in its order).
pub const FORM_IDS: [&str; 19] = [
    "annual-plan",
    "progress-report",
    "approval",
    "team-roster",
    "assessment-plan",
    "field-visit",
    "stakeholder-forum",
    "opinion-poll",
    "consultation",
    "hearing",
    "expert-review",
    "instability-analysis",
    "meeting-minutes",
    "assessment-report",
    "filing",
    "review",
    "risk-factors",
    "tracking",
    "archive-index",
];

#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    title: String,
    pages: usize,
    paper: String,
    html: String,
    docx: String,
}

fn document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx is a zip file");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn sample_forms_are_listed_with_pages_and_word_files() {
    let run = Site::sample().build().ok();
    let list: Vec<Entry> = serde_json::from_str(&run.read("forms/forms.json")).unwrap();
    let mut ids: Vec<&str> = list.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    let mut want = FORM_IDS.to_vec();
    want.sort();
    assert_eq!(ids, want);
    for e in &list {
        assert_eq!(e.html, format!("forms/{}/index.html", e.id));
        assert_eq!(e.docx, format!("forms/{}.docx", e.id));
        assert!(
            ["A4-portrait", "A4-landscape"].contains(&e.paper.as_str()),
            "{e:?}"
        );
        assert!(e.pages >= 1, "{e:?}");
        let html = run.read(&e.html);
        assert!(html.contains(&format!("<h1>{}</h1>", e.title)), "{}", e.id);
        assert_eq!(
            html.matches("<section class=\"sheet\"").count(),
            e.pages,
            "{}: one sheet per page",
            e.id
        );
        assert!(
            html.contains(&format!("href=\"../../forms/{}.docx\" download", e.id)),
            "{}",
            e.id
        );
        assert!(
            !html.contains("style=\""),
            "{}: no inline styles (CSP)",
            e.id
        );
        assert!(run.exists(&e.docx));
    }
    let index = run.read("forms/index.html");
    for e in &list {
        assert!(
            index.contains(&format!("href=\"../forms/{}/index.html\"", e.id)),
            "index lacks {}",
            e.id
        );
    }
    assert!(index.contains("href=\"../forms/print-all/index.html\""));
    run.contains("index.html", ">标准表格</a>");
    let all = run.read("forms/print-all/index.html");
    let sheets: usize = list.iter().map(|e| e.pages).sum();
    assert_eq!(all.matches("<section class=\"sheet\"").count(), sheets);
}

#[test]
fn word_files_carry_the_same_merges_and_rows_as_the_pages() {
    let run = Site::sample().build().ok();
    let list: Vec<Entry> = serde_json::from_str(&run.read("forms/forms.json")).unwrap();
    let mut merged_rows = 0;
    for e in &list {
        let html = run.read(&e.html);
        let xml = document_xml(&std::fs::read(run.out.join(&e.docx)).unwrap());
        let sheet_html = &html[html.find("<div class=\"form-doc").unwrap()..];
        assert_eq!(
            xml.matches("<w:tr>").count(),
            // (not the hidden zero-height rows that establish the HTML column grid)
            sheet_html.matches("<tr class=").count()
                - sheet_html.matches("<tr class=\"grid-cols\"").count(),
            "{}: rows",
            e.id
        );
        assert_eq!(
            xml.matches("<w:gridSpan ").count(),
            sheet_html.matches(" colspan=").count(),
            "{}: gridSpan",
            e.id
        );
        assert_eq!(
            xml.matches("<w:vMerge w:val=\"restart\"/>").count(),
            sheet_html.matches(" rowspan=").count(),
            "{}: vMerge",
            e.id
        );
        assert!(
            xml.contains("w:hRule=\"exact\""),
            "{}: exact row heights",
            e.id
        );
        assert!(
            xml.contains("<w:pgSz w:w=\"") && xml.contains("<w:pgMar "),
            "{}: page size and margins",
            e.id
        );
        assert_eq!(
            xml.contains("w:orient=\"landscape\""),
            e.paper == "A4-landscape",
            "{}",
            e.id
        );
        assert_eq!(
            xml.matches("<w:pageBreakBefore/>").count(),
            e.pages - 1,
            "{}: page breaks",
            e.id
        );
        merged_rows += sheet_html.matches(" rowspan=").count();
    }
    assert!(merged_rows >= 6, "the sample forms use vertical merges");
    let roster = document_xml(&std::fs::read(run.out.join("forms/risk-factors.docx")).unwrap());
    assert!(
        roster.contains("<w:tblHeader/>"),
        "head rows repeat on every page in Word"
    );
    let approval = std::fs::read(run.out.join("forms/approval.docx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&approval)).unwrap();
    let mut styles = String::new();
    zip.by_name("word/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(
        styles.contains("w:eastAsia=\"宋体\""),
        "East Asian font set"
    );
    assert!(
        document_xml(&approval).contains("□重大决策"),
        "check boxes as □"
    );
}

#[test]
fn form_builds_are_byte_identical() {
    let a = Site::sample().build().ok();
    let b = Site::sample().build().ok();
    let pick = |run: &crate::support::site::Run| {
        snapshot_tree(&run.out)
            .into_iter()
            .filter(|(p, _)| p.starts_with("forms/"))
            .collect::<Vec<_>>()
    };
    let (ta, tb) = (pick(&a), pick(&b));
    assert!(ta.len() > 40);
    assert!(ta == tb, "two builds of the forms differ");
}

#[test]
fn form_mistakes_are_positioned_diagnostics() {
    let run = Site::fixture("broken-forms").check().failed();
    insta::assert_snapshot!("broken_forms_diagnostics", run.stable_stderr());
}
