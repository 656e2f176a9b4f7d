//! Smoke test of the real-browser test helpers: headless Chromium opens a page over
//! `file://` and over HTTP, runs its script, takes screenshots and prints an A4 PDF.

use std::fs;
use std::path::Path;

use crate::support::artifacts::Artifacts;
use crate::support::browser::{self, Viewport};
use crate::support::http::StaticServer;
use crate::support::pdf;

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>测试页面</title>
<link rel="stylesheet" href="style.css">
</head>
<body>
<h1 id="title">测试页面</h1>
<p id="status">static</p>
<input id="q" type="search">
<button id="go" type="button">搜索</button>
<p id="echo"></p>
<ul id="list"></ul>
<script src="app.js"></script>
</body>
</html>
"#;

const STYLE: &str = r#"@page { size: A4; margin: 20mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; margin: 0 auto; max-width: 60rem; }
h1 { background: #0a4; color: #fff; padding: 1rem; }
@media (max-width: 600px) { h1 { font-size: 1.2rem; } }
"#;

const SCRIPT: &str = r#"document.getElementById('status').textContent = 'script ran';
document.body.dataset.ready = 'yes';
for (const item of ['一', '二', '三']) {
  const li = document.createElement('li');
  li.textContent = '条目' + item;
  document.getElementById('list').appendChild(li);
}
document.getElementById('go').addEventListener('click', () => {
  document.getElementById('echo').textContent = '你输入了：' + document.getElementById('q').value;
});
"#;

fn write_site(dir: &Path) {
    fs::write(dir.join("index.html"), PAGE).unwrap();
    fs::write(dir.join("style.css"), STYLE).unwrap();
    fs::write(dir.join("app.js"), SCRIPT).unwrap();
    fs::create_dir(dir.join("sub")).unwrap();
    fs::write(
        dir.join("sub/index.html"),
        "<!DOCTYPE html><title>sub</title><p>子页面</p>",
    )
    .unwrap();
}

#[test]
fn browser_renders_scripts_screenshots_and_prints_a4() {
    let b = require_browser!();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    fs::create_dir(&site).unwrap();
    write_site(&site);
    let out = Artifacts::new("browser_smoke");
    eprintln!("browser: {}", b.version());

    // file:// — the script has modified the DOM.
    b.open(&browser::file_url(site.join("index.html")));
    assert_eq!(b.text("#status"), "script ran");
    assert_eq!(b.title(), "测试页面");
    assert_eq!(b.count("#list li"), 3);
    assert_eq!(b.texts("#list li"), ["条目一", "条目二", "条目三"]);
    let dom = b.dom();
    assert!(dom.starts_with("<!DOCTYPE html>"), "{dom}");
    assert!(dom.contains(r#"data-ready="yes""#), "{dom}");
    assert!(dom.contains("<li>条目二</li>"), "{dom}");
    assert_eq!(
        b.eval_json("({ width: innerWidth, ready: document.body.dataset.ready })"),
        serde_json::json!({ "width": 1280, "ready": "yes" })
    );

    // Typing (including CJK) and clicking.
    b.type_into("#q", "稳评 abc");
    b.click("#go");
    assert_eq!(b.text("#echo"), "你输入了：稳评 abc");

    // Screenshots at desktop and phone widths.
    let desktop = out.join("desktop.png");
    assert_eq!(
        b.screenshot_png(&desktop, Viewport::DESKTOP, false),
        (1280, 800)
    );
    assert_non_trivial_png(&desktop);
    let phone = out.join("phone-full.png");
    let (w, h) = b.screenshot_png(&phone, Viewport::PHONE, true);
    assert_eq!(w, 390);
    assert!(h >= Viewport::PHONE.height, "{h}");
    assert_non_trivial_png(&phone);
    b.set_viewport(Viewport::PHONE);
    assert_eq!(b.eval_json("innerWidth"), 390);
    b.set_viewport(Viewport::DESKTOP);
    assert_eq!(b.eval_json("innerWidth"), 1280);

    // Print: one A4 page with the Chinese text extractable.
    let pdf = out.join("page.pdf");
    b.print_pdf(&pdf, false);
    assert_eq!(pdf::pdf_page_count(&pdf), 1);
    let (pw, ph) = pdf::pdf_page_size_mm(&pdf);
    assert!(
        (pw - 210.0).abs() <= 1.0 && (ph - 297.0).abs() <= 1.0,
        "not A4: {pw} x {ph} mm"
    );
    let text = pdf::pdf_text(&pdf);
    assert!(text.contains("测试页面"), "{text}");
    assert!(text.contains("条目三"), "{text}");
    let pngs = pdf::pdf_to_png(&pdf, out.join("page"));
    assert_eq!(pngs.len(), 1, "{pngs:?}");
    assert_non_trivial_png(&pngs[0]);
    b.assert_no_console_errors();

    // The same page over HTTP.
    let server = StaticServer::start(&site);
    b.open(&server.url("/"));
    assert_eq!(b.text("#status"), "script ran");
    assert_eq!(b.url(), server.url("/"));
    b.open(&server.url("/sub"));
    assert_eq!(b.url(), server.url("/sub/"), "directory redirect");
    assert_eq!(b.text("p"), "子页面");
    b.open(&server.url("/index.html"));
    b.click("#go");
    assert_eq!(b.text("#echo"), "你输入了：");
    let served: Vec<_> = server
        .requests()
        .into_iter()
        .map(|r| (r.target, r.status))
        .collect();
    for expected in ["/", "/style.css", "/app.js", "/sub/"] {
        assert!(
            served.contains(&(expected.to_string(), 200)),
            "{expected} not served: {served:?}"
        );
    }
    assert!(served.contains(&("/sub".to_string(), 301)), "{served:?}");
    let pdf = out.join("http.pdf");
    b.print_pdf(&pdf, true);
    // `landscape: true` is ignored because the CSS sets the page size.
    pdf::assert_pdf_pages_mm(&pdf, (210.0, 297.0));
    b.assert_no_console_errors();
}

#[test]
fn console_errors_are_collected() {
    let b = require_browser!();
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("index.html"),
        r#"<!DOCTYPE html><meta charset="utf-8"><title>errors</title>
<img src="missing.png" alt="">
<script>console.error('boom', 42); setTimeout(() => { throw new Error('kaput'); });</script>"#,
    )
    .unwrap();
    let server = StaticServer::start(tmp.path());
    b.open(&server.url("/index.html"));
    b.wait_until("true", "nothing");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while b.console_errors().len() < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let errors = b.console_errors().join("\n");
    assert!(errors.contains("console.error: boom 42"), "{errors}");
    assert!(errors.contains("kaput"), "{errors}");
    assert!(errors.contains("404"), "{errors}");
    let not_found = server.not_found();
    assert!(
        not_found.contains(&"/missing.png".to_string()),
        "{not_found:?}"
    );
    assert!(b
        .try_eval_json("nope()")
        .unwrap_err()
        .contains("ReferenceError"));
    b.clear_console_errors();
    assert!(b.console_errors().is_empty());
}

#[test]
fn static_server_content_types_and_refusals() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("index.html", "<p>hi</p>"),
        ("a.css", "p{}"),
        ("a.js", "1"),
        ("a.svg", "<svg/>"),
        ("a.json", "{}"),
        ("a.xml", "<x/>"),
        ("a.pdf", "%PDF"),
        ("a.docx", "PK"),
        ("中文.png", "png"),
    ] {
        fs::write(tmp.path().join(name), body).unwrap();
    }
    let server = StaticServer::start(tmp.path());
    let get = |target: &str| -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        response
    };
    let head = |target: &str| get(target).lines().take(4).collect::<Vec<_>>().join("\n");
    for (target, ctype) in [
        ("/", "text/html; charset=utf-8"),
        ("/a.css", "text/css; charset=utf-8"),
        ("/a.js", "text/javascript; charset=utf-8"),
        ("/a.svg", "image/svg+xml"),
        ("/a.json", "application/json"),
        ("/a.xml", "application/xml"),
        ("/a.pdf", "application/pdf"),
        (
            "/a.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("/%E4%B8%AD%E6%96%87.png?v=1", "image/png"),
    ] {
        let h = head(target);
        assert!(h.starts_with("HTTP/1.1 200 OK"), "{target}: {h}");
        assert!(
            h.contains(&format!("Content-Type: {ctype}")),
            "{target}: {h}"
        );
    }
    assert!(get("/").ends_with("<p>hi</p>"));
    assert!(head("/nope.html").starts_with("HTTP/1.1 404"));
    assert!(head("/../etc/passwd").starts_with("HTTP/1.1 403"));
    assert!(head("/%2e%2e/etc/passwd").starts_with("HTTP/1.1 403"));
    let port = server.port;
    drop(server);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "server still listening after drop"
    );
}

fn assert_non_trivial_png(path: &Path) {
    let bytes = fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() > 2_000,
        "{} is only {} bytes",
        path.display(),
        bytes.len()
    );
}
