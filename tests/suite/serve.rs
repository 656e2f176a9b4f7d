//! `portal serve`: answers from the in-memory site (pages, folders, content types, HEAD, the site's
//! 404 page, the base path, no path escapes), rebuilds on change and tells connected pages over
//! server-sent events: `reload` once new files are in place, `errors` while the sources are broken
//! (the last good site keeps being served), and never stops on bad input, deleted folders, renames or
//! editors' temporary files.

use crate::support::site::Site;
use policy_portal::pipeline::BuildOptions;
use policy_portal::serve::{start, Report, ServeOptions, Server};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A raw HTTP/1.1 request; returns (status, headers, body). Raw so that `..` reaches the server as sent.
fn request(addr: SocketAddr, method: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head, buf[split + 4..].to_vec())
}

fn get_text(addr: SocketAddr, path: &str) -> (u16, String) {
    let (status, _, body) = request(addr, "GET", path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Starts a server on a free port, keeping its reports.
fn serve(site: &Site, poll: bool) -> (Server, Arc<Mutex<Vec<Report>>>) {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    let opts = BuildOptions {
        root: site.root().to_path_buf(),
        ..BuildOptions::default()
    };
    let server = start(
        opts,
        &ServeOptions {
            bind: "127.0.0.1".into(),
            port: 0,
            poll,
        },
        Arc::new(move |r| sink.lock().unwrap().push(r)),
    )
    .unwrap();
    (server, reports)
}

/// Server-sent events of one connected page: (event, data) pairs.
fn events(addr: SocketAddr) -> Receiver<(String, String)> {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /__portal/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut event = String::new();
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { return };
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                if tx
                    .send((std::mem::take(&mut event), d.to_string()))
                    .is_err()
                {
                    return;
                }
            }
        }
    });
    rx
}

/// The next event but `search` (a new search index is in place: it comes whenever indexing ends).
fn next_event(rx: &Receiver<(String, String)>) -> (String, String) {
    loop {
        let e = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("an event within 20 s");
        if e.0 != "search" {
            return e;
        }
    }
}

/// Waits (at most 120 s) until the served search documents satisfy `ok`; they are the last index's
/// until the newest is in place.
fn search_documents_until(addr: SocketAddr, ok: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let docs = search_documents(addr);
        if ok(&docs) {
            return docs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the search index never followed the edit:\n{docs:.2000}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every document file of the served search index, concatenated.
fn search_documents(addr: SocketAddr) -> String {
    let (status, meta) = get_text(addr, "/wenping/search/meta.js");
    assert_eq!(status, 200, "{meta}");
    let n: usize = meta
        .split("\"docs\":")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|d| d.parse().ok())
        .expect("meta.js gives the number of documents");
    (0..n)
        .map(|i| get_text(addr, &format!("/wenping/search/d/{i}.js")).1)
        .collect()
}

#[test]
fn serves_pages_files_and_the_404_page_under_the_base_path() {
    let site = Site::fixture("basic");
    let (server, _) = serve(&site, false);
    assert!(server.url.ends_with("/wenping/"), "{}", server.url);
    let addr = server.addr;

    let (status, head, body) = request(addr, "GET", "/wenping/guide/levels/");
    assert_eq!(status, 200);
    assert!(head.contains("text/html; charset=utf-8"), "{head}");
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("风险等级"));
    assert!(
        body.contains("<script src=\"/__portal/live.js\"></script></body>"),
        "live reload is injected"
    );

    assert_eq!(
        request(addr, "GET", "/wenping/guide/levels/index.html").0,
        200
    );
    let (status, head, _) = request(addr, "GET", "/wenping/guide/levels");
    assert_eq!(status, 301, "a folder without its slash redirects");
    assert!(head.contains("Location: /wenping/guide/levels/"), "{head}");
    let (status, head, _) = request(addr, "GET", "/");
    assert_eq!((status, head.contains("Location: /wenping/")), (302, true));

    let (status, head, body) = request(addr, "GET", "/wenping/guide/bundle/pic.svg");
    assert_eq!(status, 200);
    assert!(head.contains("image/svg+xml"), "{head}");
    assert!(!body.is_empty());
    let (status, head, _) = request(addr, "GET", "/wenping/tags/%E9%A3%8E%E9%99%A9/");
    assert_eq!(status, 200, "percent-encoded Chinese paths: {head}");
    let (status, head, _) = request(addr, "GET", "/__portal/live.js");
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript"), "{head}");

    let (status, _, body) = request(addr, "HEAD", "/wenping/index.html");
    assert_eq!(status, 200);
    assert!(body.is_empty(), "HEAD has no body");

    let (status, body) = get_text(addr, "/wenping/nope/");
    assert_eq!(status, 404);
    assert!(body.contains("页面未找到"), "the site's own 404 page");

    for evil in [
        "/wenping/../portal.yaml",
        "/wenping/%2e%2e/portal.yaml",
        "/wenping/..%2fportal.yaml",
        "/wenping/content/_index.md",
    ] {
        let (status, body) = get_text(addr, evil);
        assert_eq!(status, 404, "{evil}");
        assert!(
            !body.contains("title: 测试县"),
            "{evil} leaked a source file"
        );
    }
    assert_eq!(request(addr, "POST", "/wenping/index.html").0, 405);
}

fn edit_reload_and_errors(poll: bool) {
    let site = Site::fixture("basic");
    let (server, reports) = serve(&site, poll);
    let addr = server.addr;
    let rx = events(addr);
    std::thread::sleep(Duration::from_millis(200));

    // An edit reloads the page with the new content.
    site.write("content/guide/levels.md", "---\ntitle: 风险等级\nweight: 2\ndate: \"2024-05-01\"\ntags: [风险, 等级]\n---\n\n## 一、三级划分\n\n新的正文内容。\n".as_bytes());
    assert_eq!(next_event(&rx).0, "reload");
    assert!(get_text(addr, "/wenping/guide/levels/")
        .1
        .contains("新的正文内容"));
    search_documents_until(addr, |d| d.contains("新的正文内容"));

    // A broken file: the overlay gets the diagnostics, the last good page stays.
    site.write("content/guide/levels.md", b"---\ntitle: [\n---\n");
    let (event, data) = next_event(&rx);
    assert_eq!(event, "errors");
    assert!(
        data.contains("content/guide/levels.md:3:1: error: YAML syntax error"),
        "{data}"
    );
    assert!(get_text(addr, "/wenping/guide/levels/")
        .1
        .contains("新的正文内容"));

    // Fixing it clears the overlay and reloads.
    site.write(
        "content/guide/levels.md",
        "---\ntitle: 改好的风险等级\n---\n\n## 一、三级划分\n\n修好了。\n".as_bytes(),
    );
    assert_eq!(next_event(&rx).0, "reload");
    let (_, page) = get_text(addr, "/wenping/guide/levels/");
    assert!(page.contains("改好的风险等级") && page.contains("修好了"));
    search_documents_until(addr, |d| {
        d.contains("修好了") && !d.contains("新的正文内容")
    });
    let (_, section) = get_text(addr, "/wenping/guide/");
    assert!(
        section.contains("改好的风险等级"),
        "the section listing shows the new title"
    );

    // A new page, a rename, an editor's temporary file and a deleted folder never stop the server.
    site.write(
        "content/guide/new.md",
        "---\ntitle: 新页面\n---\n".as_bytes(),
    );
    assert_eq!(next_event(&rx).0, "reload");
    assert_eq!(get_text(addr, "/wenping/guide/new/").0, 200);
    std::fs::rename(
        site.root().join("content/guide/new.md"),
        site.root().join("content/guide/renamed.md"),
    )
    .unwrap();
    assert_eq!(next_event(&rx).0, "reload");
    assert_eq!(get_text(addr, "/wenping/guide/renamed/").0, 200);
    assert_eq!(get_text(addr, "/wenping/guide/new/").0, 404);
    site.write("content/guide/.levels.md.swp", b"\0\0binary");
    site.write("content/guide/levels.md~", b"backup");
    std::fs::remove_dir_all(site.root().join("content/guide/bundle")).unwrap();
    assert_eq!(next_event(&rx).0, "reload");
    assert_eq!(get_text(addr, "/wenping/guide/bundle/").0, 404);
    std::fs::remove_dir_all(site.root().join("content/guide")).unwrap();
    let (event, data) = next_event(&rx);
    assert_eq!(
        event, "errors",
        "the menu names the deleted section: {data}"
    );
    assert!(data.contains("portal.yaml"), "{data}");
    assert_eq!(
        get_text(addr, "/wenping/index.html").0,
        200,
        "still serving"
    );
    assert!(reports.lock().unwrap().len() >= 8);
}

#[test]
fn edits_reload_pages_and_broken_sources_show_an_overlay() {
    edit_reload_and_errors(false);
}

#[test]
fn polling_watcher_sees_the_same_changes() {
    edit_reload_and_errors(true);
}

#[test]
fn a_site_broken_from_the_start_is_still_served_and_recovers() {
    let site = Site::minimal().file("content/bad.md", "---\ntitle: x\nweight: heavy\n---\n");
    let (server, reports) = serve(&site, false);
    let addr = server.addr;
    let rx = events(addr);
    let (event, data) = next_event(&rx);
    assert_eq!(event, "errors", "a page connecting later is told at once");
    assert!(data.contains("content/bad.md:3:9"), "{data}");
    let (status, body) = get_text(addr, "/");
    assert_eq!(status, 404);
    assert!(
        body.contains("/__portal/live.js"),
        "the placeholder page listens for the fix"
    );
    site.write("content/bad.md", b"---\ntitle: x\nweight: 1\n---\n");
    assert_eq!(next_event(&rx).0, "reload");
    assert_eq!(get_text(addr, "/").0, 200);
    assert!(matches!(reports.lock().unwrap().last(), Some(Report::Rebuilt(o)) if o.ok));
}

#[test]
fn an_edit_renders_only_what_depends_on_it() {
    use policy_portal::serve::live::{Changes, Live};
    let site = Site::fixture("basic");
    let root = site.root().canonicalize().unwrap();
    let (mut live, first) = Live::new(BuildOptions {
        root: root.clone(),
        ..BuildOptions::default()
    });
    assert!(first.ok && first.full);
    let levels = root.join("content/guide/levels.md");
    let original = std::fs::read_to_string(&levels).unwrap();

    // A sentence added at the end: the listing entry is unchanged, so only the page (and the
    // always-cheap sitemap, 404, tag index and search page) are rendered again.
    std::fs::write(&levels, format!("{original}\n最后补充一句。\n")).unwrap();
    let o = live.apply(&Changes::classify(&root, std::slice::from_ref(&levels)));
    assert!(o.ok && !o.full, "{o:?}");
    assert_eq!(
        o.rendered, 5,
        "the page, sitemap.xml, 404.html, tags/index.html, search/index.html: {o:?}"
    );
    assert!(
        String::from_utf8_lossy(&live.files()["guide/levels/index.html"]).contains("最后补充一句")
    );

    // A new title changes the listing: the section, its pages, the home page and the page's tags.
    std::fs::write(
        &levels,
        original.replace("title: 风险等级", "title: 风险等级划分"),
    )
    .unwrap();
    let o = live.apply(&Changes::classify(&root, std::slice::from_ref(&levels)));
    assert!(o.ok && !o.full, "{o:?}");
    let files = live.files();
    assert!(String::from_utf8_lossy(&files["guide/index.html"]).contains("风险等级划分"));
    assert!(String::from_utf8_lossy(&files["tags/风险/index.html"]).contains("风险等级划分"));
    // guide/ and its 3 pages (a theme may list siblings), home, tags 风险 and 等级, and the 4 extras.
    assert_eq!(o.rendered, 11, "{o:?}");

    // A new template for one kind renders only the pages of that kind (and the extras).
    let builtin = std::fs::read_to_string(
        crate::support::site::repo_root().join("themes/default/templates/measure.html"),
    )
    .unwrap();
    let t = root.join("templates/measure.html");
    std::fs::write(
        &t,
        builtin.replace(
            "{% block body_class %}kind-measure",
            "{% block body_class %}kind-measure custom-measure",
        ),
    )
    .unwrap();
    let o = live.apply(&Changes::classify(&root, std::slice::from_ref(&t)));
    assert!(o.ok && !o.full, "{o:?}");
    assert_eq!(
        o.rendered, 5,
        "the one measure page and the 4 extras: {o:?}"
    );
    let files = live.files();
    assert!(String::from_utf8_lossy(&files["guide/measure/index.html"]).contains("custom-measure"));
    assert!(!String::from_utf8_lossy(&files["guide/levels/index.html"]).contains("custom-measure"));

    // A partial every page includes (through base.html) renders every page, without parsing.
    let pages = files.keys().filter(|k| k.ends_with("index.html")).count();
    let t = root.join("templates/partials/footer.html");
    std::fs::write(&t, "<footer class=\"site-footer\">新页脚</footer>\n").unwrap();
    let o = live.apply(&Changes::classify(&root, &[t]));
    assert!(o.ok, "{o:?}");
    let files = live.files();
    let stale: Vec<&String> = files
        .iter()
        .filter(|(k, v)| {
            k.ends_with(".html")
                && !k.starts_with("__")
                && !String::from_utf8_lossy(v).contains("新页脚")
        })
        .map(|(k, _)| k)
        .collect();
    assert!(stale.is_empty(), "pages without the new footer: {stale:?}");
    assert!(o.rendered >= pages, "{o:?}");

    // Removing the kind template goes back to the built-in one for that page.
    let t = root.join("templates/measure.html");
    std::fs::remove_file(&t).unwrap();
    let o = live.apply(&Changes::classify(&root, &[t]));
    assert!(o.ok, "{o:?}");
    assert!(
        !String::from_utf8_lossy(&live.files()["guide/measure/index.html"])
            .contains("custom-measure")
    );
}

#[test]
fn an_edit_to_a_document_renders_the_documents_related_to_it() {
    use policy_portal::serve::live::{Changes, Live};
    let site = Site::sample();
    let root = site.root().canonicalize().unwrap();
    let (mut live, first) = Live::new(BuildOptions {
        root: root.clone(),
        ..BuildOptions::default()
    });
    assert!(first.ok && first.full);
    let text = |live: &Live, p: &str| String::from_utf8_lossy(&live.files()[p]).into_owned();
    // A new 文号 on the current measure shows in the old version's banner and its 解读.
    let current = root.join("content/measures/implementation.md");
    let original = std::fs::read_to_string(&current).unwrap();
    std::fs::write(
        &current,
        original.replace("清办发〔2024〕5号", "清办发〔2024〕6号"),
    )
    .unwrap();
    let o = live.apply(&Changes::classify(&root, std::slice::from_ref(&current)));
    assert!(o.ok && !o.full, "{o:?}");
    assert!(text(&live, "measures/interim-2016/index.html").contains("清办发〔2024〕6号"));
    assert!(text(&live, "interpretations/implementation/index.html").contains("清办发〔2024〕6号"));
    // The old version no longer replaced (and no longer marked repealed): every list shows it current.
    let old = root.join("content/measures/interim-2016.md");
    let old_text = std::fs::read_to_string(&old).unwrap();
    std::fs::write(
        &current,
        original.replace("supersedes: [\"@/measures/interim-2016.md\"]\n", ""),
    )
    .unwrap();
    std::fs::write(
        &old,
        old_text
            .replace("status: 已废止\n", "status: 现行有效\n")
            .replace("repealed_date: \"2024-05-01\"\n", "")
            .replace("superseded_by: \"@/measures/implementation.md\"\n", ""),
    )
    .unwrap();
    let o = live.apply(&Changes::classify(&root, &[current.clone(), old.clone()]));
    assert!(o.ok && !o.full, "{o:?}");
    assert!(!text(&live, "measures/interim-2016/index.html").contains("validity-banner"));
    assert!(!text(&live, "measures/implementation/index.html").contains("doc-history"));
    assert!(!text(&live, "index.html").contains("status-repealed"));
    // Only the new measure replacing it again: the old one is shown repealed, though its file is
    // unchanged (and says 现行有效, which is warned about).
    std::fs::write(&current, &original).unwrap();
    let o = live.apply(&Changes::classify(&root, std::slice::from_ref(&current)));
    assert!(o.ok && !o.full, "{o:?}");
    let old_page = text(&live, "measures/interim-2016/index.html");
    assert!(
        old_page.contains("validity-banner validity-repealed"),
        "banner back"
    );
    assert!(text(&live, "measures/index.html").contains("status-repealed"));
    assert!(text(&live, "index.html").contains("status-repealed"));
}

#[test]
fn edits_made_while_the_site_is_broken_appear_once_it_is_fixed() {
    use policy_portal::serve::live::{Changes, Live};
    let site = Site::fixture("basic");
    let root = site.root().canonicalize().unwrap();
    let (mut live, _) = Live::new(BuildOptions {
        root: root.clone(),
        ..BuildOptions::default()
    });
    let bundle = root.join("content/guide/bundle/index.md");
    let levels = root.join("content/guide/levels.md");
    std::fs::write(&bundle, "---\ntitle: 附件示例\nweight: x\n---\n").unwrap();
    assert!(
        !live
            .apply(&Changes::classify(&root, std::slice::from_ref(&bundle)))
            .ok
    );
    let text = std::fs::read_to_string(&levels).unwrap();
    std::fs::write(&levels, format!("{text}\n出错期间写的一句。\n")).unwrap();
    assert!(
        !live
            .apply(&Changes::classify(&root, std::slice::from_ref(&levels)))
            .ok
    );
    std::fs::write(&bundle, "---\ntitle: 附件示例\n---\n").unwrap();
    assert!(
        live.apply(&Changes::classify(&root, std::slice::from_ref(&bundle)))
            .ok
    );
    assert!(
        String::from_utf8_lossy(&live.files()["guide/levels/index.html"])
            .contains("出错期间写的一句")
    );
}
