//! `portal serve`: build the site in memory and serve it over HTTP on loopback.
//!
//! Input: [`BuildOptions`] and [`ServeOptions`]. Output: a running server ([`Server`]) answering from
//! the in-memory site: GET and HEAD, `index.html` for folders, the site's `404.html`, content types by
//! extension. Paths are percent-decoded and looked up in memory, so nothing outside the site can be
//! reached. (Live reload comes with its own issue.)

use crate::output::OutputFile;
use crate::pipeline::{run, BuildOptions};
use anyhow::{anyhow, Context, Result};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::thread;

/// Where to listen.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: String,
    pub port: u16,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions { bind: "127.0.0.1".into(), port: 8000 }
    }
}

/// The files being served, keyed by site-root-relative path.
type Files = Arc<RwLock<HashMap<String, Arc<Vec<u8>>>>>;

/// A running server; requests are answered by worker threads until it is dropped.
pub struct Server {
    http: Arc<tiny_http::Server>,
    pub addr: SocketAddr,
    /// The URL of the site's home page.
    pub url: String,
    workers: Vec<thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.http.unblock();
        for _ in 1..self.workers.len() {
            self.http.unblock();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl Server {
    /// Blocks until the server stops.
    pub fn wait(mut self) {
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Builds the site and starts serving it. Errors in the sources are returned as the report's
/// diagnostics by the caller's first `check`; here a failed build is an error.
pub fn start(opts: &BuildOptions, serve: &ServeOptions) -> Result<(Server, crate::pipeline::Built)> {
    let mut built = run(opts);
    let files = built.files.take().ok_or_else(|| anyhow!("the site has errors; fix them and run `portal serve` again"))?;
    let base_path = crate::pipeline::load_config(&opts.root, opts.base_path.as_deref())
        .map(|c| c.base_path)
        .unwrap_or_else(|_| "/".into());
    let map = Arc::new(RwLock::new(into_map(&files)?));
    let http = tiny_http::Server::http((serve.bind.as_str(), serve.port))
        .map_err(|e| anyhow!("cannot listen on {}:{}: {e}", serve.bind, serve.port))?;
    let addr = http.server_addr().to_ip().context("the server has no IP address")?;
    let http = Arc::new(http);
    let workers = (0..4)
        .map(|_| {
            let (http, map, base) = (http.clone(), map.clone(), base_path.clone());
            thread::spawn(move || {
                while let Ok(req) = http.recv() {
                    answer(req, &map, &base);
                }
            })
        })
        .collect();
    let url = format!("http://{addr}{base_path}");
    Ok((Server { http, addr, url, workers }, built))
}

fn into_map(files: &[OutputFile]) -> Result<HashMap<String, Arc<Vec<u8>>>> {
    files.iter().map(|f| Ok((f.path.clone(), Arc::new(f.read()?.into_owned())))).collect()
}

/// Percent-decodes a URL path; `None` for malformed escapes or invalid UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a request path under `base` to a file key, refusing anything that climbs out.
pub fn request_key(url: &str, base: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let path = percent_decode(path)?;
    let rest = path.strip_prefix(base).or_else(|| (path.clone() + "/").strip_prefix(base).map(|_| ""))?;
    let mut segs = Vec::new();
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => segs.push(s),
        }
    }
    let key = segs.join("/");
    Some(if key.is_empty() || path.ends_with('/') { if key.is_empty() { "index.html".into() } else { format!("{key}/index.html") } } else { key })
}

/// The `Content-Type` for a file name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn answer(req: tiny_http::Request, files: &Files, base: &str) {
    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("valid header");
    let method_ok = matches!(req.method(), tiny_http::Method::Get | tiny_http::Method::Head);
    if !method_ok {
        let _ = req.respond(tiny_http::Response::from_string("method not allowed").with_status_code(405).with_header(header("Allow", "GET, HEAD")));
        return;
    }
    if req.url() == "/" && base != "/" {
        let _ = req.respond(tiny_http::Response::empty(302).with_header(header("Location", base)));
        return;
    }
    let map = files.read().expect("lock poisoned");
    let key = request_key(req.url(), base);
    let found = key.as_ref().and_then(|k| map.get(k).map(|b| (k.clone(), b.clone())));
    let (status, path, body) = match (found, &key) {
        (Some((k, b)), _) => (200, k, b),
        (None, Some(k)) if map.contains_key(&format!("{k}/index.html")) => {
            drop(map);
            let loc = format!("{}/", req.url().split('?').next().unwrap_or(""));
            let _ = req.respond(tiny_http::Response::empty(301).with_header(header("Location", &loc)));
            return;
        }
        _ => match map.get("404.html") {
            Some(b) => (404, "404.html".to_string(), b.clone()),
            None => (404, "404.txt".to_string(), Arc::new(b"404 Not Found".to_vec())),
        },
    };
    drop(map);
    let response = tiny_http::Response::from_data(body.as_slice().to_vec())
        .with_status_code(status)
        .with_header(header("Content-Type", content_type(&path)))
        .with_header(header("Cache-Control", "no-cache"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    let _ = req.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_keys_and_never_climb() {
        assert_eq!(request_key("/", "/").as_deref(), Some("index.html"));
        assert_eq!(request_key("/a/b/", "/").as_deref(), Some("a/b/index.html"));
        assert_eq!(request_key("/css/x.css?v=1", "/").as_deref(), Some("css/x.css"));
        assert_eq!(request_key("/tags/%E6%94%BF%E7%AD%96/", "/").as_deref(), Some("tags/政策/index.html"));
        assert_eq!(request_key("/wenping/a/", "/wenping/").as_deref(), Some("a/index.html"));
        assert_eq!(request_key("/wenping", "/wenping/").as_deref(), Some("index.html"));
        assert_eq!(request_key("/other/", "/wenping/"), None);
        assert_eq!(request_key("/../etc/passwd", "/"), None);
        assert_eq!(request_key("/%2e%2e/etc/passwd", "/"), None);
        assert_eq!(request_key("/a/..%2f..%2fx", "/"), None);
        assert_eq!(request_key("/%ff", "/"), None);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("forms/a.docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        assert_eq!(content_type("a.svg"), "image/svg+xml");
        assert_eq!(content_type("js/portal.js"), "text/javascript; charset=utf-8");
    }
}
