//! `portal serve` answers from the in-memory site: pages, folders, content types, HEAD, the site's
//! 404 page, the base path, and refuses paths that climb out of the site.

mod support;

use policy_portal::cmd::serve::{start, ServeOptions};
use policy_portal::pipeline::BuildOptions;
use std::io::{Read, Write};
use std::net::TcpStream;
use support::site::Site;

/// A raw HTTP/1.1 request; returns (status, headers, body). Raw so that `..` reaches the server as sent.
fn request(addr: std::net::SocketAddr, method: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
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

#[test]
fn serves_pages_files_and_the_404_page_under_the_base_path() {
    let site = Site::fixture("basic");
    let opts = BuildOptions {
        root: site.root().to_path_buf(),
        ..BuildOptions::default()
    };
    let (server, built) = start(
        &opts,
        &ServeOptions {
            bind: "127.0.0.1".into(),
            port: 0,
        },
    )
    .unwrap();
    assert!(built.pages > 0);
    assert!(server.url.ends_with("/wenping/"), "{}", server.url);
    let addr = server.addr;

    let (status, head, body) = request(addr, "GET", "/wenping/guide/levels/");
    assert_eq!(status, 200);
    assert!(head.contains("text/html; charset=utf-8"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("风险等级"));

    let (status, _, _) = request(addr, "GET", "/wenping/guide/levels/index.html");
    assert_eq!(status, 200);
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

    let (status, _, body) = request(addr, "HEAD", "/wenping/index.html");
    assert_eq!(status, 200);
    assert!(body.is_empty(), "HEAD has no body");

    let (status, _, body) = request(addr, "GET", "/wenping/nope/");
    assert_eq!(status, 404);
    assert!(
        String::from_utf8_lossy(&body).contains("页面未找到"),
        "the site's own 404 page"
    );

    for evil in [
        "/wenping/../portal.yaml",
        "/wenping/%2e%2e/portal.yaml",
        "/wenping/..%2fportal.yaml",
        "/wenping/content/_index.md",
    ] {
        let (status, _, body) = request(addr, "GET", evil);
        assert_eq!(status, 404, "{evil}");
        assert!(
            !String::from_utf8_lossy(&body).contains("title: 测试县"),
            "{evil} leaked a source file"
        );
    }
    let (status, _, _) = request(addr, "POST", "/wenping/index.html");
    assert_eq!(status, 405);
    drop(server);
}
