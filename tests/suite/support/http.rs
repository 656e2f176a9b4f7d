//! A tiny static file server for tests (std::net only).
//!
//! ```ignore
//! let server = StaticServer::start(site_dir);
//! browser.open(&server.url("/guide/"));
//! assert!(server.not_found().is_empty());
//! ```
//!
//! It binds 127.0.0.1 on a free port, answers `GET` and `HEAD` from a
//! background thread (one short-lived thread per connection, `Connection:
//! close`), and stops when dropped. It behaves like a plain static host:
//! `/dir` redirects to `/dir/`, `/dir/` serves `dir/index.html`, a missing
//! file is a 404, and any path with a `..` segment is refused with 403.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// One answered request, as recorded by [`StaticServer::requests`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Request method, e.g. `GET`.
    pub method: String,
    /// Request target as sent by the client (path and query, still percent-encoded).
    pub target: String,
    /// HTTP status code of the answer.
    pub status: u16,
}

/// A static file server on `127.0.0.1:<port>` serving one directory; stopped on drop.
pub struct StaticServer {
    /// The TCP port the server listens on.
    pub port: u16,
    root: PathBuf,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Request>>>,
    thread: Option<JoinHandle<()>>,
}

/// The policy every page must work under (no inline script or style, nothing from elsewhere).
pub const STRICT_CSP: &str = "default-src 'self'";

impl StaticServer {
    /// Starts serving `dir` on 127.0.0.1 with an OS-chosen port, in a background thread.
    ///
    /// Panics if `dir` is not a directory or the socket cannot be bound.
    #[track_caller]
    pub fn start(dir: impl AsRef<Path>) -> StaticServer {
        StaticServer::start_with_headers(dir, &[])
    }

    /// Like [`start`](Self::start), adding `headers` (name, value) to every answer, e.g.
    /// `[("Content-Security-Policy", STRICT_CSP)]`.
    #[track_caller]
    pub fn start_with_headers(dir: impl AsRef<Path>, headers: &[(&str, &str)]) -> StaticServer {
        let extra: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect();
        let extra: Arc<str> = extra.into();
        let root = dir.as_ref().to_path_buf();
        assert!(
            root.is_dir(),
            "StaticServer::start: {} is not a directory",
            root.display()
        );
        let root = root
            .canonicalize()
            .unwrap_or_else(|e| panic!("StaticServer::start: {}: {e}", root.display()));
        let listener = TcpListener::bind("127.0.0.1:0").expect("StaticServer: bind 127.0.0.1:0");
        let port = listener
            .local_addr()
            .expect("StaticServer: local_addr")
            .port();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (root, stop, log) = (root.clone(), Arc::clone(&stop), Arc::clone(&log));
            thread::Builder::new()
                .name(format!("static-server-{port}"))
                .spawn(move || accept_loop(listener, root, stop, log, extra))
                .expect("StaticServer: spawn thread")
        };
        StaticServer {
            port,
            root,
            stop,
            log,
            thread: Some(thread),
        }
    }

    /// The base URL without a trailing slash, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The absolute URL for `path` (with or without a leading `/`), e.g. `url("/guide/")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url(), path.trim_start_matches('/'))
    }

    /// The (canonicalized) directory being served.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// Panics if anything but the browser's own `/favicon.ico` request was answered with 404.
    #[track_caller]
    pub fn assert_nothing_missing(&self) {
        let missing: Vec<String> = self
            .not_found()
            .into_iter()
            .filter(|p| p != "/favicon.ico")
            .collect();
        assert!(
            missing.is_empty(),
            "requests answered with 404: {missing:?}"
        );
    }

    /// Targets of the requests answered with 404 so far (handy for "no broken assets" checks;
    /// note that browsers ask for `/favicon.ico` on their own).
    pub fn not_found(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.status == 404)
            .map(|r| r.target)
            .collect()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the loop sees the stop flag.
        let _ = TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(1),
        );
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    root: PathBuf,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Request>>>,
    extra_headers: Arc<str>,
) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let (root, log, extra) = (root.clone(), Arc::clone(&log), Arc::clone(&extra_headers));
        thread::spawn(move || {
            let _ = handle_connection(stream, &root, &log, &extra);
        });
    }
}

fn handle_connection(
    mut stream: TcpStream,
    root: &Path,
    log: &Mutex<Vec<Request>>,
    extra_headers: &str,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(()); // e.g. the wake-up connection from Drop
    }
    // Skip the headers; requests with bodies are not supported.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();

    let response = if method != "GET" && method != "HEAD" {
        Response::text(405, "Method Not Allowed")
    } else {
        resolve(root, &target)
    };
    log.lock().unwrap().push(Request {
        method: method.clone(),
        target,
        status: response.status,
    });

    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    if let Some(location) = &response.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str(extra_headers);
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&response.body)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Write);
    // Drain anything left so the peer does not see a reset.
    let _ = reader.read_to_end(&mut Vec::new());
    Ok(())
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    location: Option<String>,
}

impl Response {
    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
            location: None,
        }
    }
}

/// Maps a request target onto a file below `root`.
fn resolve(root: &Path, target: &str) -> Response {
    let raw_path = target.split(['?', '#']).next().unwrap_or("");
    if !raw_path.starts_with('/') {
        return Response::text(400, "Bad Request");
    }
    let Some(path) = percent_decode(raw_path) else {
        return Response::text(400, "Bad Request");
    };
    if path.contains('\0') || path.contains('\\') {
        return Response::text(400, "Bad Request");
    }
    if path.split('/').any(|segment| segment == "..") {
        return Response::text(403, "Forbidden");
    }
    let mut file = root.to_path_buf();
    for segment in path.split('/').filter(|s| !s.is_empty() && *s != ".") {
        file.push(segment);
    }
    if file.is_dir() {
        if !path.ends_with('/') {
            let query = &target[raw_path.len()..];
            return Response {
                location: Some(format!("{raw_path}/{query}")),
                ..Response::text(301, "Moved Permanently")
            };
        }
        file.push("index.html");
    }
    // Refuse anything that escapes the root through a symlink.
    match file.canonicalize() {
        Ok(real) if real.starts_with(root) && real.is_file() => match fs::read(&real) {
            Ok(body) => Response {
                status: 200,
                content_type: content_type(&real),
                body,
                location: None,
            },
            Err(_) => Response::text(500, "Internal Server Error"),
        },
        Ok(real) if !real.starts_with(root) => Response::text(403, "Forbidden"),
        _ => Response::text(404, "Not Found"),
    }
}

/// Decodes `%XX` escapes (the same decoding `portal serve` uses).
fn percent_decode(s: &str) -> Option<String> {
    policy_portal::serve::http::percent_decode(s)
}

/// The `Content-Type` for a file, by extension (the same table `portal serve` uses).
pub fn content_type(path: &Path) -> &'static str {
    policy_portal::serve::http::content_type(&path.to_string_lossy())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

/// `GET path` from a server on `addr` (`Connection: close`): (status, body as text). Fails if the
/// answer takes longer than `limit`.
pub fn get(addr: SocketAddr, path: &str, limit: Duration) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("the server listens");
    s.set_read_timeout(Some(limit)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)
        .unwrap_or_else(|e| panic!("no answer to GET {path} within {limit:?}: {e}"));
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("GET {path}: not an HTTP answer: {text:.200}"));
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}
