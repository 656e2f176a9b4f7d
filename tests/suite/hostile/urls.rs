//! No unsafe URL and no ill-formed XML in anything portal writes; `serve` redirects and hosts.
//! Each case is a regression test for one item of issue 17, as the parent module's cases are.

use super::*;
use crate::support::office;
use std::io::Read;

/// `insta::assert_snapshot!` into `tests/suite/snapshots/`, beside the parent module's snapshots
/// (insta would put a submodule's into `hostile/snapshots/`).
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({ snapshot_path => "../snapshots" }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

/// Builds the site (within the limit) and checks it ended with warnings only: exit status 0, no
/// panic, and every diagnostic line a positioned warning.
fn builds_with_warnings(site: &Site) -> Run {
    let run = site.portal_within(&["build"], LIMIT);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.code, Some(0), "expected success:\n{}", run.stderr);
    for line in run.diagnostics() {
        assert!(line.contains(": warning: "), "not a warning: {line}");
        assert!(!line.starts_with(' '), "{line}");
    }
    run
}

/// The diagnostics of a successful run, without the summary (whose file count and size other
/// changes move), the site's folder replaced, for snapshots.
fn warnings(run: &Run, site: &Site) -> String {
    run.diagnostics()
        .join("\n")
        .replace(&site.root().display().to_string(), "<site>")
}

/// The first character no XML or HTML writer may emit, if `text` holds one.
fn forbidden_char(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        let n = c as u32;
        (n < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
            || (0x7f..=0x9f).contains(&n)
            || (n & 0xfffe) == 0xfffe
    })
}

fn assert_well_formed(what: &str, xml: &str) {
    if let Err(e) = roxmltree::Document::parse(xml) {
        panic!(
            "{what} is not well-formed XML: {e}\n{}",
            &xml[..xml.len().min(2000)]
        );
    }
}

/// Every part of a `.docx`, by name.
fn docx_parts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap();
            (f.name().expect("a UTF-8 part name").to_string(), text)
        })
        .collect()
}

/// Item 4: Word's Shift+Enter (U+000B) and other characters XML forbids in form cells, flowchart
/// labels and titles. The `.docx` must stay well-formed (every part parsed) and open in
/// LibreOffice; U+000B becomes `<w:br/>` in the cell and `<br>` in the HTML; the SVG and the
/// sitemap parse too; the other characters are left out with a positioned warning.
#[test]
fn control_characters_in_form_cells_keep_every_xml_file_well_formed() {
    let site = Site::minimal()
        .file(
            "content/forms/cell.md",
            "---\nkind: form\ntitle: \"控制\\e字符表\"\nid: cell-form\npaper: A4-portrait\npages: 1\n---\n\n\
             ```form\ncolumns: 40 130\n| [事项\u{b}名称] | ___ |\n| [说明] | 第一行\u{b}第二行\u{0}末\u{1b}7红\u{fffe} |\n\
             note: 注\u{7}：一式两份。\n```\n",
        )
        .file(
            "content/flow.md",
            "---\nkind: procedure\ntitle: 流程\n---\n\n```flow 流程图\n- a: 第一\u{b}步\u{1b}骤 | 责任\u{0}主体\n- b: 第二步\n```\n",
        );
    let run = builds_with_warnings(&site);
    let text = warnings(&run, &site);
    for line in [
        "content/forms/cell.md:12:",
        "content/forms/cell.md:13:",
        "content/flow.md:7:",
    ] {
        assert!(text.contains(line), "no warning at {line}\n{text}");
    }
    snapshot!("xml_characters", text);

    let docx = std::fs::read(run.out.join("forms/cell-form.docx")).expect("the .docx");
    for (name, xml) in docx_parts(&docx) {
        assert_eq!(
            forbidden_char(&xml),
            None,
            "{name} holds a forbidden character"
        );
        assert_well_formed(&name, &xml);
    }
    let document = docx_parts(&docx)
        .into_iter()
        .find(|(n, _)| n == "word/document.xml")
        .unwrap()
        .1;
    assert!(
        document.contains("事项</w:t><w:br/><w:t xml:space=\"preserve\">名称"),
        "{document}"
    );
    assert!(document.contains("第一行</w:t><w:br/><w:t xml:space=\"preserve\">第二行末7红"));
    run.contains("forms/cell/index.html", "事项<br>名称");
    for (path, bytes) in snapshot_tree(&run.out) {
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if [".html", ".svg", ".xml"].iter().any(|e| path.ends_with(e)) {
            assert_eq!(
                forbidden_char(&text),
                None,
                "{path} holds a forbidden character"
            );
        }
        if path.ends_with(".svg") || path.ends_with(".xml") {
            assert_well_formed(&path, &text);
        }
    }
    // The flowchart is inline SVG in its page: the <svg> element must parse on its own.
    let page = run.read("flow/index.html");
    let svg = &page[page.find("<svg").expect("an inline SVG")..page.find("</svg>").unwrap() + 6];
    assert_well_formed("the flowchart's SVG", svg);

    // LibreOffice opens it (it refused the file while U+000B was written raw).
    let Some(soffice) = office::soffice() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let doc = tmp.path().join("cell-form.docx");
    std::fs::write(&doc, &docx).unwrap();
    let pdfs = tmp.path().join("pdf");
    let out = office::convert_to_pdf(&soffice, &[doc], &pdfs, &tmp.path().join("profile"));
    assert!(
        pdfs.join("cell-form.pdf").is_file(),
        "LibreOffice could not open the .docx: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Item 15: NUL, ESC with an OSC sequence (which set the terminal's title), BEL, DEL and a C1
/// control in a page body are reported where they stand and left out of the HTML; `portal
/// search` and `portal scope` print content text with control characters escaped (text and JSON
/// alike, the JSON still valid).
#[test]
fn control_characters_in_a_body_are_warned_stripped_and_escaped_on_the_terminal() {
    let site = Site::sample()
        .file(
            "content/notices/controls.md",
            "---\ntitle: \"终端\\e]0;被改标题\\a通知\"\ndate: 2024-05-01\n---\n\n\
             探针文字\u{0}甲\u{1b}]0;被改标题\u{7}乙\u{7f}丙\u{9b}丁。\n\n正常一段。\n\n另一行\u{1b}[2J清屏\n",
        );
    let run = builds_with_warnings(&site);
    let text = warnings(&run, &site);
    assert!(text.contains("content/notices/controls.md:6:5: warning: control characters U+0000 (NUL), U+001B (escape), U+0007 (bell)"), "{text}");
    assert!(
        text.contains(
            "content/notices/controls.md:10:4: warning: control character U+001B (escape)"
        ),
        "{text}"
    );
    snapshot!("body_controls", text);
    let html = run.read("notices/controls/index.html");
    assert!(html.contains("探针文字甲]0;被改标题乙丙丁。"), "{html}");
    assert_eq!(forbidden_char(&html), None);
    for (path, bytes) in snapshot_tree(&run.out) {
        if path.ends_with(".html") || path.ends_with(".xml") {
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(
                forbidden_char(&text),
                None,
                "{path} holds a control character"
            );
        }
    }

    let search = site.portal_within(&["search", "探针文字"], LIMIT);
    assert_eq!(search.code, Some(0), "{}", search.stderr);
    assert!(
        search.stdout.contains("终端\\u001b]0;被改标题\\u0007通知"),
        "{}",
        search.stdout
    );
    let json = site.portal_within(&["search", "探针文字", "--json"], LIMIT);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("still JSON");
    assert_eq!(v["results"][0]["title"], "终端\u{1b}]0;被改标题\u{7}通知");
    let scope = site.portal_within(&["scope", "开发区\u{1b}]0;被改标题\u{7}电镀项目"], LIMIT);
    assert_eq!(scope.code, Some(0), "{}", scope.stderr);
    assert!(
        scope
            .stdout
            .contains("开发区\\u001b]0;被改标题\\u0007电镀项目"),
        "{}",
        scope.stdout
    );
    let scope_json = site.portal_within(&["scope", "甲\u{9b}乙", "--json"], LIMIT);
    let v: serde_json::Value = serde_json::from_str(scope_json.stdout.trim()).expect("still JSON");
    assert_eq!(v["query"], "甲\u{9b}乙");
    for out in [&search, &json, &scope, &scope_json] {
        let raw = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !raw.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "a raw control character reached the terminal: {raw:?}"
        );
    }
}

/// Item 16: links to the editor's own disk are errors (no reader has the file, and the path
/// names the editor); links to a network share are warnings (staff on the county network may
/// reach it) and a `\\server\share` path becomes the `file://server/share/…` URL browsers follow.
#[test]
fn links_to_the_editors_disk_are_errors_and_network_shares_warnings() {
    let site = Site::minimal().file(
        "content/guide.md",
        "---\ntitle: 指南\n---\n\n[本地](file:///C:/Users/张三/Desktop/评估报告.docx)\n\n[盘符](C:\\Users\\张三\\评估报告.docx)\n\n[斜杠盘符](D:/稳评/表格.xlsx)\n\n[本机](file://localhost/etc/passwd)\n\n[共享](smb://fileserver/稳评/模板.docx)\n\n[网络路径](\\\\fileserver\\稳评\\模板.docx)\n",
    );
    let text = fails_cleanly(&site);
    for needle in [
        "content/guide.md:5:1: error: link `file:///C:/Users/张三/Desktop/评估报告.docx` points to a file on this computer's disk",
        "content/guide.md:7:1: error: link `C:\\Users\\张三\\评估报告.docx`",
        "content/guide.md:9:1: error: link `D:/稳评/表格.xlsx`",
        "content/guide.md:11:1: error: link `file://localhost/etc/passwd`",
        "content/guide.md:13:1: warning: link `smb://fileserver/稳评/模板.docx` points to a network share",
        "content/guide.md:15:1: warning: link `\\\\fileserver\\稳评\\模板.docx` points to a network share",
    ] {
        assert!(text.contains(needle), "missing: {needle}\n{text}");
    }
    snapshot!("local_links", text);
    let site = Site::minimal().file(
        "content/guide.md",
        "---\ntitle: 指南\n---\n\n[共享](smb://fileserver/share/a.docx) [网络路径](\\\\fileserver\\share\\a.docx)\n",
    );
    let run = builds_with_warnings(&site);
    assert_eq!(run.diagnostics().len(), 2, "{}", run.stderr);
    run.contains(
        "guide/index.html",
        "href=\"file://fileserver/share/a.docx\"",
    )
    .contains("guide/index.html", "href=\"smb://fileserver/share/a.docx\"");
}
