//! HTTP for `serve`: answers from the live site's files in memory.
//!
//! Input: requests. Output: GET and HEAD answers — `index.html` for folders (with a redirect when the
//! slash is missing), the site's `404.html`, content types by extension — plus the live-reload
//! script, its stylesheet and its server-sent-events stream under `/__portal/`. Paths are
//! percent-decoded and looked up in memory, so nothing outside the built site can be reached.
//! Requests made while a rebuild runs wait for it, so a page never mixes old and new files.

use super::live::FileMap;
use std::io::Write;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

/// The script injected into every HTML page in serve mode (never into `build` output).
const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");
const LIVE_TAG: &str = "<script src=\"/__portal/live.js\"></script>";

/// How long a search request waits for a newer index when an older one can be served.
const SEARCH_WAIT: Duration = Duration::from_secs(3);

/// Holds requests while a rebuild is running.
#[derive(Default)]
pub struct Gate {
    /// Builds begun and not yet ended.
    building: Mutex<usize>,
    idle: Condvar,
}

impl Gate {
    pub fn begin(&self) {
        *self.building.lock().expect("gate") += 1;
    }
    pub fn end(&self) {
        let mut n = self.building.lock().expect("gate");
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.idle.notify_all();
        }
    }
    /// Waits (at most 30 s) until no build runs.
    pub fn wait(&self) {
        self.wait_at_most(Duration::from_secs(30));
    }

    /// Waits at most `limit` until no build runs.
    pub fn wait_at_most(&self, limit: Duration) {
        let guard = self.building.lock().expect("gate");
        let _ = self.idle.wait_timeout_while(guard, limit, |n| *n > 0);
    }
}

/// Sends server-sent events to every connected page; remembers the current state (ok or errors) so a
/// page that connects later is told at once.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Sender<String>>>,
    state: Mutex<String>,
}

impl Hub {
    /// Tells pages that a new search index is in place (the search page reloads; others ignore it).
    pub fn search(&self) {
        self.send("event: search\ndata: \n\n".to_string());
    }

    /// Tells every page to reload (the new files are in place).
    pub fn reload(&self, version: u64) {
        *self.state.lock().expect("hub") = String::new();
        self.send(format!("event: reload\ndata: {version}\n\n"));
    }

    /// Shows the diagnostics as an overlay on every page (the last good files stay served).
    pub fn errors(&self, lines: &[String]) {
        let data = serde_json::to_string(lines).expect("strings serialise");
        let msg = format!("event: errors\ndata: {data}\n\n");
        *self.state.lock().expect("hub") = msg.clone();
        self.send(msg);
    }

    /// Number of connected pages.
    pub fn clients(&self) -> usize {
        self.clients.lock().expect("hub").len()
    }

    fn send(&self, msg: String) {
        self.clients
            .lock()
            .expect("hub")
            .retain(|c| c.send(msg.clone()).is_ok());
    }

    fn subscribe(&self) -> (Receiver<String>, String) {
        let (tx, rx) = channel();
        self.clients.lock().expect("hub").push(tx);
        (rx, self.state.lock().expect("hub").clone())
    }
}

/// What the HTTP workers share with the rebuild thread.
pub struct Shared {
    pub files: RwLock<Arc<FileMap>>,
    /// The static search index of the last good build (`search/…` files but the search page).
    pub search: RwLock<Arc<FileMap>>,
    pub base: RwLock<String>,
    /// The pages' Content-Security-Policy, sent as a header too (empty: none).
    pub csp: RwLock<String>,
    /// The `Host` names answered (see `host`).
    pub hosts: super::host::Hosts,
    /// The port listened on, for the refusal's advice.
    pub port: std::sync::atomic::AtomicU16,
    /// Closed while pages are rebuilt.
    pub gate: Gate,
    /// Closed while the search index of a newer build is being made.
    pub search_gate: Gate,
    pub hub: Hub,
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
    let rest = path
        .strip_prefix(base)
        .or_else(|| (path.clone() + "/").strip_prefix(base).map(|_| ""))?;
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
    Some(if key.is_empty() || path.ends_with('/') {
        if key.is_empty() {
            "index.html".into()
        } else {
            format!("{key}/index.html")
        }
    } else {
        key
    })
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

/// Answers one request.
pub fn answer(req: tiny_http::Request, shared: &Shared) {
    let url = req.url().to_string();
    let host = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    if !shared.hosts.allows(host.as_deref()) {
        let port = shared.port.load(std::sync::atomic::Ordering::SeqCst);
        let text = shared.hosts.refusal(host.as_deref().unwrap_or(""), port);
        return respond(
            req,
            403,
            "text/plain; charset=utf-8",
            text.into_bytes(),
            &[],
        );
    }
    let method_ok = matches!(
        req.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    );
    if !method_ok {
        respond(
            req,
            405,
            "text/plain; charset=utf-8",
            b"method not allowed".to_vec(),
            &[("Allow", "GET, HEAD")],
        );
        return;
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    match path {
        "/__portal/events" => return events(req, shared),
        "/__portal/live.js" => {
            return respond(
                req,
                200,
                content_type("x.js"),
                LIVE_JS.as_bytes().to_vec(),
                &[],
            )
        }
        "/__portal/live.css" => {
            return respond(
                req,
                200,
                content_type("x.css"),
                LIVE_CSS.as_bytes().to_vec(),
                &[],
            )
        }
        _ => {}
    }
    shared.gate.wait();
    let base = shared.base.read().expect("base").clone();
    if path == "/" && base != "/" {
        let loc = super::host::base_redirect(&base, &url);
        return respond(
            req,
            302,
            "text/plain; charset=utf-8",
            Vec::new(),
            &[("Location", &loc)],
        );
    }
    let csp = shared.csp.read().expect("csp").clone();
    // `frame-ancestors` works only as a header: the preview may be framed by itself alone.
    let policy = format!("{csp}; frame-ancestors 'self'");
    let page_headers: &[(&str, &str)] = if csp.is_empty() {
        &[]
    } else {
        &[("Content-Security-Policy", &policy)]
    };
    let files = shared.files.read().expect("files").clone();
    let key = request_key(&url, &base);
    if let Some(k) = &key {
        if let Some(body) = files.get(k) {
            let ctype = content_type(k);
            let headers = if ctype.starts_with("text/html") {
                page_headers
            } else {
                &[]
            };
            return respond(req, 200, ctype, with_live_script(k, body), headers);
        }
        if k.starts_with("search/") {
            // A newer index is usually in place within a second; on a large or busy machine the
            // last one is served after a short wait instead (pages on the search page reload when
            // the new one lands, see `Hub::search`). Before the first index, wait longer.
            let first = shared.search.read().expect("search").is_empty();
            shared.search_gate.wait_at_most(if first {
                Duration::from_secs(30)
            } else {
                SEARCH_WAIT
            });
            let search = shared.search.read().expect("search").clone();
            if let Some(body) = search.get(k) {
                return respond(req, 200, content_type(k), body.to_vec(), &[]);
            }
        }
        if files.contains_key(&format!("{k}/index.html")) {
            // Built from the key, not the request: `//faq` must not become `//faq/`, a link
            // to the host `faq`.
            let loc = super::host::folder_redirect(&base, k, &url);
            return respond(
                req,
                301,
                "text/plain; charset=utf-8",
                Vec::new(),
                &[("Location", &loc)],
            );
        }
    }
    match files.get("404.html") {
        Some(body) => respond(
            req,
            404,
            content_type("404.html"),
            with_live_script("404.html", body),
            page_headers,
        ),
        None => {
            let page = format!("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>未找到</title></head><body><p>未找到该页面（站点可能尚未成功构建，错误见终端）。</p>{LIVE_TAG}</body></html>");
            respond(req, 404, content_type("x.html"), page.into_bytes(), &[])
        }
    }
}

/// HTML pages get the live-reload script before `</body>`.
fn with_live_script(path: &str, body: &Arc<Vec<u8>>) -> Vec<u8> {
    if !path.ends_with(".html") {
        return body.as_slice().to_vec();
    }
    let html = String::from_utf8_lossy(body);
    match html.rfind("</body>") {
        Some(i) => format!("{}{LIVE_TAG}{}", &html[..i], &html[i..]).into_bytes(),
        None => format!("{html}{LIVE_TAG}").into_bytes(),
    }
}

fn respond(
    req: tiny_http::Request,
    status: u16,
    ctype: &str,
    body: Vec<u8>,
    extra: &[(&str, &str)],
) {
    // Written by hand to say `Connection: close` (tiny_http refuses that header): tiny_http 0.12
    // serves each connection as one task of its thread pool, and a burst of new connections can
    // leave one queued behind pool threads that keep idle keep-alive connections open — the
    // browser's request on it is never read (seen as a page stuck loading under load). Closed
    // connections free their thread at once; on loopback a new connection per request costs little.
    let head_only = *req.method() == tiny_http::Method::Head;
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        tiny_http::StatusCode(status).default_reason_phrase(),
        body.len()
    );
    for (k, v) in extra {
        // Header values come from the server's own code (CSP, Location); never a line break.
        debug_assert!(!v.contains(['\r', '\n']), "header {k}: {v:?}");
        head.push_str(&format!("{k}: {}\r\n", v.replace(['\r', '\n'], " ")));
    }
    head.push_str("\r\n");
    let mut w = req.into_writer();
    let _ = w
        .write_all(head.as_bytes())
        .and_then(|_| {
            if head_only {
                Ok(())
            } else {
                w.write_all(&body)
            }
        })
        .and_then(|_| w.flush());
}

/// A server-sent-events stream, answered on its own thread until the page goes away.
fn events(req: tiny_http::Request, shared: &Shared) {
    let (rx, state) = shared.hub.subscribe();
    let mut w = req.into_writer();
    std::thread::spawn(move || {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";
        if w.write_all(head.as_bytes())
            .and_then(|_| w.write_all(state.as_bytes()))
            .and_then(|_| w.flush())
            .is_err()
        {
            return;
        }
        loop {
            let msg = match rx.recv_timeout(Duration::from_secs(15)) {
                Ok(m) => m,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
                Err(_) => return,
            };
            if w.write_all(msg.as_bytes()).and_then(|_| w.flush()).is_err() {
                return;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_script_goes_before_the_end_of_body() {
        let page = Arc::new(b"<html><body><p>x</p></body></html>".to_vec());
        let out = String::from_utf8(with_live_script("a/index.html", &page)).unwrap();
        assert_eq!(out, format!("<html><body><p>x</p>{LIVE_TAG}</body></html>"));
        assert_eq!(with_live_script("a.css", &page), page.as_slice());
    }

    #[test]
    fn request_paths_map_to_keys_and_never_climb() {
        assert_eq!(request_key("/", "/").as_deref(), Some("index.html"));
        assert_eq!(request_key("/a/b/", "/").as_deref(), Some("a/b/index.html"));
        assert_eq!(
            request_key("/css/x.css?v=1", "/").as_deref(),
            Some("css/x.css")
        );
        assert_eq!(
            request_key("/tags/%E6%94%BF%E7%AD%96/", "/").as_deref(),
            Some("tags/政策/index.html")
        );
        assert_eq!(
            request_key("/wenping/a/", "/wenping/").as_deref(),
            Some("a/index.html")
        );
        assert_eq!(
            request_key("/wenping", "/wenping/").as_deref(),
            Some("index.html")
        );
        assert_eq!(request_key("/other/", "/wenping/"), None);
        assert_eq!(request_key("/../etc/passwd", "/"), None);
        assert_eq!(request_key("/%2e%2e/etc/passwd", "/"), None);
        assert_eq!(request_key("/a/..%2f..%2fx", "/"), None);
        assert_eq!(request_key("/%ff", "/"), None);
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type("forms/a.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(content_type("a.svg"), "image/svg+xml");
        assert_eq!(
            content_type("js/portal.js"),
            "text/javascript; charset=utf-8"
        );
    }
}
