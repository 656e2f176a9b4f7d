//! No unsafe URL and no ill-formed XML in anything portal writes; `serve` redirects and hosts.
//! Each case is a regression test for one item of issue 17, as the parent module's cases are.

use super::*;
use crate::support::office;
use std::io::{Read, Write};
use std::path::Path;

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

/// Item 5: the URL fields of `portal.yaml` are checked as Markdown links are, each error at the
/// value's line and column; a failed build leaves the previous `public/` as it was.
#[test]
fn portal_yaml_urls_are_checked_like_markdown_links() {
    let site = Site::minimal()
        .file("content/files/a.pdf", "pdf")
        .file("static/badge.png", "png")
        .file(
            "portal.yaml",
            "title: 测试站点\nmenus:\n  main:\n    - name: 脚本\n      url: \"javascript:alert(1)\"\n    - name: 大写\n      url: \" JavaScript:alert(1)\"\n    - name: 上级\n      url: ../../etc/passwd\n    - name: 页面\n      url: \"@/_index.md\"\n    - name: 好\n      url: https://www.gov.cn/\nfooter:\n  icp: 京ICP备00000000号\n  icp_url: \"data:text/html,<script>alert(1)</script>\"\n  police_record: 京公网安备1号\n  police_record_url: \"vbscript:msgbox(1)\"\n  links:\n    - name: 本地\n      url: \"file:///C:/Users/张三/桌面/稿.docx\"\n    - name: 共享\n      url: \"smb://fileserver/稳评\"\n    - name: 附件\n      url: files/a.pdf\n    - name: 好\n      url: mailto:wwb@example.gov.cn\n  badges:\n    - image: badge.png\n      alt: 标识\n      url: \"java\\tscript:alert(1)\"\n",
        );
    let text = fails_cleanly(&site);
    for place in [
        "portal.yaml:5:12:",
        "portal.yaml:7:12:",
        "portal.yaml:9:12:",
        "portal.yaml:11:12:",
        "portal.yaml:16:12:",
        "portal.yaml:18:22:",
        "portal.yaml:21:12:",
        "portal.yaml:23:12:",
        "portal.yaml:25:12:",
        "portal.yaml:31:12:",
    ] {
        assert!(text.contains(place), "nothing reported at {place}\n{text}");
    }
    assert!(
        !text.contains("`https://www.gov.cn/`"),
        "a good URL was refused:\n{text}"
    );
    assert!(
        !text.contains("mailto:wwb"),
        "a good URL was refused:\n{text}"
    );
    snapshot!("config_urls", text);
    // The good ones reach the page.
    let site = Site::minimal().file(
        "portal.yaml",
        "title: 测试站点\nmenus:\n  main:\n    - name: 政务公开\n      url: /xxgk/\n    - name: 国务院\n      url: https://www.gov.cn/\nfooter:\n  icp: 京ICP备00000000号\n  icp_url: https://beian.miit.gov.cn/\n",
    );
    let run = builds_with_warnings(&site);
    run.contains("index.html", "href=\"/xxgk/\"")
        .contains("index.html", "href=\"https://beian.miit.gov.cn/\"");
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

/// Every relative `href`/`src` of an HTML file, resolved to the output file it names (query and
/// fragment dropped, percent-decoded), with the attribute as written.
fn local_targets(out: &Path, page: &str, html: &str) -> Vec<(String, std::path::PathBuf)> {
    let dir = Path::new(page).parent().unwrap_or(Path::new(""));
    let mut targets = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for piece in html.split(attr).skip(1) {
            let value = piece.split('"').next().unwrap().replace("&amp;", "&");
            if value.is_empty()
                || value.starts_with('#')
                || value.contains(':')
                || value.starts_with('/')
            {
                continue;
            }
            let path = value.split(['#', '?']).next().unwrap();
            let bytes = percent_decode(path);
            let mut target = out
                .join(dir)
                .join(String::from_utf8(bytes).expect("UTF-8 path"));
            if path.ends_with('/') || path.is_empty() {
                target = target.join("index.html");
            }
            targets.push((value, target));
        }
    }
    targets
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("a valid %XX"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// RFC 3986 percent-encoding of a path, written independently of portal's: every byte but
/// unreserved characters, sub-delims, `:`, `@` and `/`.
fn enc(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Item 18: file names with spaces, `#`, `?`, `%`, `&` are percent-encoded in every link portal
/// writes (pages, listings, menus, attachments, the logo, the search index) and in the sitemap,
/// non-ASCII too (as pulldown-cmark does for body links and the sitemap protocol wants: one rule).
/// Every relative link of every page then leads to a file that exists.
#[test]
fn file_names_with_spaces_hashes_and_percents_are_percent_encoded() {
    let site = Site::minimal()
        .file(
            "portal.yaml",
            "title: 测试站点\nbase_url: https://www.example.gov.cn\nbase_path: /稳评/\nlogo: img/标 志.svg\n",
        )
        .file("static/img/标 志.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file("content/通知 公告/_index.md", "---\ntitle: 通知公告\n---\n")
        .file("content/通知 公告/第1号#公告.md", "---\ntitle: 井号\ndate: 2024-01-02\n---\n\n正文一。\n")
        .file("content/通知 公告/100% 完成?.md", "---\ntitle: 百分号\ndate: 2024-01-03\n---\n\n正文二。\n")
        .file("content/files/会议 纪要#1&2.pdf", "pdf")
        .file(
            "content/guide.md",
            "---\ntitle: 指南\n---\n\n[井号](@/通知%20公告/第1号%23公告.md) [百分](<@/通知 公告/100%25 完成%3F.md>) [附件](<files/会议 纪要%231&2.pdf>) [又一附件](files/会议%20纪要%231%262.pdf)\n",
        );
    let run = builds_with_warnings(&site);
    let guide = run.read("guide/index.html");
    for href in [
        format!("href=\"../{}/index.html\"", enc("通知 公告/第1号#公告")),
        format!("href=\"../{}/index.html\"", enc("通知 公告/100% 完成?")),
        format!(
            "href=\"../{}\"",
            enc("files/会议 纪要#1&2.pdf").replace('&', "&amp;")
        ),
        format!("src=\"../{}\"", enc("img/标 志.svg")),
    ] {
        assert!(
            guide.contains(&href),
            "{href} missing in guide/index.html:\n{guide}"
        );
    }
    let sitemap = run.read("sitemap.xml");
    assert_well_formed("sitemap.xml", &sitemap);
    assert!(sitemap.contains("<loc>https://www.example.gov.cn/%E7%A8%B3%E8%AF%84/%E9%80%9A%E7%9F%A5%20%E5%85%AC%E5%91%8A/%E7%AC%AC1%E5%8F%B7%23%E5%85%AC%E5%91%8A/</loc>"), "{sitemap}");
    assert!(sitemap.is_ascii(), "{sitemap}");
    let docs: String = snapshot_tree(&run.out.join("search/d"))
        .into_iter()
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    let u = format!("\"u\":\"{}/index.html\"", enc("通知 公告/第1号#公告"));
    assert!(docs.contains(&u), "{u} missing:\n{docs}");
    let mut checked = 0;
    for (page, bytes) in snapshot_tree(&run.out) {
        if !page.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for (href, target) in local_targets(&run.out, &page, &html) {
            assert!(
                target.is_file(),
                "{page}: `{href}` leads nowhere ({})",
                target.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} links checked");
}

/// Item 18: a name that is not UTF-8 (a GBK name from a Windows zip) is an error naming the file
/// as shown, not published under a garbled name.
#[cfg(unix)]
#[test]
fn non_utf8_file_names_are_errors() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::minimal();
    let content = site.root().join("content");
    // 正文.md and 附件/说明.pdf in GBK.
    std::fs::write(
        content.join(std::ffi::OsStr::from_bytes(b"\xd5\xfd\xce\xc4.md")),
        "---\ntitle: x\n---\n",
    )
    .unwrap();
    let dir = content.join(std::ffi::OsStr::from_bytes(b"\xb8\xbd\xbc\xfe"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.pdf"), "pdf").unwrap();
    let text = fails_cleanly(&site);
    assert_eq!(
        text.matches(": error: the name is not valid UTF-8").count(),
        2,
        "{text}"
    );
    snapshot!("non_utf8_names", text);
}

/// Item 10: every page carries the Content-Security-Policy as a `<meta http-equiv>` (before any
/// script or style), the policy can be changed or turned off in `portal.yaml`, and a policy that
/// is not one line of ASCII is an error. (The browser test `browser::security` proves the pages
/// break no rule of it.)
#[test]
fn every_page_carries_the_content_security_policy() {
    let run = Site::sample().build().ok();
    let meta = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;self&#39;; object-src &#39;none&#39;; base-uri &#39;self&#39;; form-action &#39;self&#39;\">";
    let mut pages = 0;
    for (path, bytes) in snapshot_tree(&run.out) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let at = html
            .find(meta)
            .unwrap_or_else(|| panic!("{path} has no policy"));
        for first in ["<script", "<link rel=\"stylesheet\"", "<style"] {
            if let Some(i) = html.find(first) {
                assert!(at < i, "{path}: the policy comes after {first}");
            }
        }
        pages += 1;
    }
    assert!(pages > 20);
    let site = Site::minimal().file("portal.yaml", "title: 站点\ncontent_security_policy: \"default-src 'self'; img-src 'self' https://img.example.gov.cn\"\n");
    builds_with_warnings(&site).contains(
        "index.html",
        "content=\"default-src &#39;self&#39;; img-src &#39;self&#39; https://img.example.gov.cn\"",
    );
    let site = Site::minimal().file(
        "portal.yaml",
        "title: 站点\ncontent_security_policy: \"\"\n",
    );
    let run = builds_with_warnings(&site);
    assert!(!run.read("index.html").contains("Content-Security-Policy"));
    let site = Site::minimal().file(
        "portal.yaml",
        "title: 站点\ncontent_security_policy: \"default-src 'self'\\n<script>\"\n",
    );
    let text = fails_cleanly(&site);
    assert!(
        text.starts_with("portal.yaml:2:1: error: `content_security_policy` holds characters"),
        "{text}"
    );
}

/// A raw HTTP/1.1 request to `addr` with the given `Host` (none when `None`).
fn raw_request(
    addr: std::net::SocketAddr,
    path: &str,
    host: Option<&str>,
) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    write!(s, "GET {path} HTTP/1.1\r\n{host}Connection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Item 24 (and 10 for `serve`): `//faq` is redirected to `/faq/`, not to the host `faq`;
/// redirects keep the query; only loopback host names (and IP addresses of `--bind`) are
/// answered, others get 403 with a short explanation (DNS rebinding); pages come with the
/// Content-Security-Policy header.
#[test]
fn serve_redirects_stay_on_the_site_and_answer_only_loopback_hosts() {
    let site = Site::minimal().file("content/faq.md", "---\ntitle: 问答\n---\n\n问答。\n");
    let start = std::time::Instant::now();
    let server = policy_portal::serve::start(
        policy_portal::pipeline::BuildOptions {
            root: site.root().to_path_buf(),
            ..Default::default()
        },
        &policy_portal::serve::ServeOptions {
            bind: "127.0.0.1".into(),
            port: 0,
            poll: false,
        },
        std::sync::Arc::new(|_: policy_portal::serve::Report| {}),
    )
    .unwrap();
    let addr = server.addr;
    let local = format!("127.0.0.1:{}", addr.port());

    let (status, head, _) = raw_request(addr, "//faq", Some(&local));
    assert_eq!(
        (status, header(&head, "Location")),
        (301, Some("/faq/")),
        "{head}"
    );
    let (status, head, _) = raw_request(addr, "///faq?x=1", Some(&local));
    assert_eq!(
        (status, header(&head, "Location")),
        (301, Some("/faq/?x=1")),
        "{head}"
    );
    let (status, head, _) = raw_request(addr, "/search?q=%E5%BE%81%E5%9C%B0", Some(&local));
    assert_eq!(status, 301, "{head}");
    assert_eq!(
        header(&head, "Location"),
        Some("/search/?q=%E5%BE%81%E5%9C%B0")
    );
    let (status, head, _) = raw_request(addr, "/faq/", Some(&local));
    assert_eq!(status, 200);
    let csp = header(&head, "Content-Security-Policy").expect("a policy header");
    assert!(
        csp.starts_with("default-src 'self'") && csp.contains("frame-ancestors 'self'"),
        "{csp}"
    );
    for host in [
        "localhost",
        &format!("localhost:{}", addr.port()),
        "[::1]:8000",
        "127.0.0.1",
    ] {
        assert_eq!(raw_request(addr, "/faq/", Some(host)).0, 200, "{host}");
    }
    assert_eq!(
        raw_request(addr, "/faq/", None).0,
        200,
        "no Host (HTTP/1.0 style)"
    );
    for host in [
        "evil.example",
        "evil.example:8000",
        "localhost.evil.example",
        "192.168.1.20:8000",
        "[::1",
    ] {
        let (status, _, body) = raw_request(addr, "/faq/", Some(host));
        assert_eq!(status, 403, "{host} was answered");
        assert!(
            body.contains("portal serve answers only requests for localhost, 127.0.0.1 or [::1]"),
            "{body}"
        );
        assert!(
            body.contains(&format!("Open http://127.0.0.1:{}/", addr.port())),
            "{body}"
        );
        assert!(body.contains("DNS rebinding"), "{body}");
        // The live-reload stream too.
        assert_eq!(raw_request(addr, "/__portal/events", Some(host)).0, 403);
    }
    snapshot!(
        "serve_refusal",
        raw_request(addr, "/", Some("evil.example:8000"))
            .2
            .replace(&addr.port().to_string(), "<port>")
    );
    drop(server);
    assert!(start.elapsed() < LIMIT);
}
