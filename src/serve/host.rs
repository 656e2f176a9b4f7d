//! Which `Host` a request to `portal serve` may name, and the redirects it answers with.
//!
//! A web page elsewhere can make the reader's browser send requests to the preview on loopback by
//! giving its own host name the address 127.0.0.1 (DNS rebinding); the browser then reads the
//! answers as that page's. Such requests carry the page's host name in `Host`, so the preview
//! answers only requests for `localhost`, a loopback address (`127.0.0.1`, `[::1]`), or the
//! `--bind` address (any IP address when it binds them all, `0.0.0.0` or `::`), with any port
//! (port forwarding changes it). An IP address cannot be rebound; a name other than `localhost`
//! can, so names are refused (unless `--bind` names that host). A request without `Host` (HTTP/1.0)
//! comes from no browser and is answered.

use std::net::IpAddr;

/// The hosts a running preview answers for.
#[derive(Debug, Clone)]
pub struct Hosts {
    bind: String,
}

impl Hosts {
    /// The hosts for a server listening on `bind` (`127.0.0.1`, `0.0.0.0`, `::`, an address, a name).
    pub fn new(bind: &str) -> Hosts {
        Hosts {
            bind: bind
                .trim_matches(|c| c == '[' || c == ']')
                .to_ascii_lowercase(),
        }
    }

    /// Whether a request whose `Host` header is `host` (`None`: no header) is answered.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return true };
        let name = host_name(host);
        if name == "localhost" || (!self.bind.is_empty() && name == self.bind) {
            return true;
        }
        let Ok(ip) = name.parse::<IpAddr>() else {
            return false;
        };
        let bind: Option<IpAddr> = self.bind.parse().ok();
        ip.is_loopback() || bind.is_some_and(|b| b.is_unspecified() || b == ip)
    }

    /// The plain-text answer for a refused `host`.
    pub fn refusal(&self, host: &str, port: u16) -> String {
        format!(
            "portal serve answers only requests for localhost, 127.0.0.1 or [::1]{} — this one was for `{}`.\n\
             Open http://127.0.0.1:{port}/ instead. (Other host names are refused so that no web page can reach the preview through its own domain name: DNS rebinding.)\n",
            match self.bind.parse::<IpAddr>() {
                Ok(b) if b.is_unspecified() => " or an IP address of this computer".to_string(),
                Ok(b) if b.is_loopback() => String::new(),
                _ => format!(" or {}", self.bind),
            },
            host.escape_debug()
        )
    }
}

/// `Host` without its port, lower-cased, without a trailing dot: `[::1]:8000` → `::1`.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, _)) => ip,
            None => return String::new(),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Where a request for a folder without its slash is sent: the folder's path under `base` with
/// one `/` between segments (so `//faq` goes to `/faq/`, never to the host `faq`), percent-encoded,
/// with the request's query kept (`/search?q=征地` → `/search/?q=%E5%BE%81%E5%9C%B0`).
pub fn folder_redirect(base: &str, key: &str, url: &str) -> String {
    let path = format!("{base}{key}/");
    let mut loc = crate::html::url_path(&path).into_owned();
    if let Some(q) = query(url) {
        loc.push('?');
        loc.push_str(&q);
    }
    loc
}

/// The base path with the request's query: what `/` under a base path redirects to.
pub fn base_redirect(base: &str, url: &str) -> String {
    let mut loc = crate::html::url_path(base).into_owned();
    if let Some(q) = query(url) {
        loc.push('?');
        loc.push_str(&q);
    }
    loc
}

/// The query of a request URL (without `#…`), with every byte that may not stand in a URL header
/// value percent-encoded.
fn query(url: &str) -> Option<String> {
    let (_, rest) = url.split_once('?')?;
    let q = rest.split('#').next().unwrap_or("");
    if q.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(q.len());
    for b in q.bytes() {
        if b.is_ascii_graphic() && b != b'"' && b != b'<' && b != b'>' && b != b'\\' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_and_the_bind_address_are_answered() {
        let h = Hosts::new("127.0.0.1");
        for ok in [
            "localhost",
            "localhost:8000",
            "127.0.0.1:8000",
            "[::1]:8000",
            "LOCALHOST.",
            "127.0.0.2",
        ] {
            assert!(h.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8000",
            "localhost.evil.example",
            "192.168.1.5:8000",
            "",
            "[::1",
        ] {
            assert!(!h.allows(Some(bad)), "{bad}");
        }
        assert!(h.allows(None));
        let all = Hosts::new("0.0.0.0");
        assert!(all.allows(Some("192.168.1.5:8000")));
        assert!(!all.allows(Some("mypc.example:8000")));
        let one = Hosts::new("192.168.1.5");
        assert!(one.allows(Some("192.168.1.5:8000")));
        assert!(!one.allows(Some("192.168.1.6:8000")));
    }

    #[test]
    fn redirects_stay_on_the_site_and_keep_the_query() {
        assert_eq!(folder_redirect("/", "faq", "//faq"), "/faq/");
        assert_eq!(
            folder_redirect("/", "search", "/search?q=征地#x"),
            "/search/?q=%E5%BE%81%E5%9C%B0"
        );
        assert_eq!(
            folder_redirect("/wenping/", "a b", "/wenping/a%20b"),
            "/wenping/a%20b/"
        );
        assert_eq!(base_redirect("/wenping/", "/?q=1"), "/wenping/?q=1");
    }
}
