//! The URL fields of `portal.yaml`, checked as Markdown links are (the same classifier,
//! [`crate::markdown::classify_link`]), because a menu or footer link reaches every page.
//!
//! Stage: load (pure). Input: the raw config and the text of `portal.yaml`. Output: diagnostics at
//! the value's `portal.yaml:line:col`. Refused: `javascript:`, `vbscript:` and `data:` (however
//! spelt), links to the editor's disk (`file:///…`, `C:\…`), control characters, relative paths
//! (`../../x`, `files/a.pdf`: the same link stands on pages at every depth, so it would point
//! somewhere different from each) and `@/…` pages (that is what `page:` is for). Accepted: addresses
//! with a scheme (`https://…`, `mailto:`, `tel:`), `//host/…`, paths from the server's root
//! (`/xxgk/`) and `#anchors`. A network share (`smb://…`, `\\server\share`), only a warning in a
//! page, is an error here: these links are on every page of the public site, where no browser
//! follows them.
//!
//! The `content_security_policy` field is checked here too ([`check_csp`]): it governs what every
//! URL on the pages may load.

use super::{RawConfig, RawMenuItem, CONFIG_FILE};
use crate::content::yaml_locate::{locate, Seg};
use crate::diagnostic::Diagnostic;
use crate::markdown::{classify_link, local_link_warning, LinkTarget};

/// Every URL field of the config, checked; `text` is `portal.yaml` for positions.
pub(super) fn check_urls(raw: &RawConfig, text: &str) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut check = |path: &[Seg], url: &str, entry: bool| {
        let (line, col) = locate(text, 1, path);
        let field = field_name(path);
        if let Err(e) = check_url(&field, url, entry) {
            diags.push(Diagnostic::error(CONFIG_FILE, line, col, e));
        }
    };
    let entries = |items: &[RawMenuItem]| -> Vec<(usize, String)> {
        items
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.url.clone().map(|u| (i, u)))
            .collect()
    };
    for (name, items) in &raw.menus {
        for (i, url) in entries(items) {
            let path = [
                Seg::Key("menus"),
                Seg::Key(name),
                Seg::Index(i),
                Seg::Key("url"),
            ];
            check(&path, &url, true);
        }
    }
    let f = &raw.footer;
    for (i, url) in entries(&f.links) {
        let path = [
            Seg::Key("footer"),
            Seg::Key("links"),
            Seg::Index(i),
            Seg::Key("url"),
        ];
        check(&path, &url, true);
    }
    for (i, b) in f.badges.iter().enumerate() {
        if let Some(url) = &b.url {
            let path = [
                Seg::Key("footer"),
                Seg::Key("badges"),
                Seg::Index(i),
                Seg::Key("url"),
            ];
            check(&path, url, false);
        }
    }
    for (key, url) in [
        ("icp_url", &f.icp_url),
        ("police_record_url", &f.police_record_url),
    ] {
        if let Some(url) = url {
            check(&[Seg::Key("footer"), Seg::Key(key)], url, false);
        }
    }
    diags
}

/// The policy pages carry (`<meta http-equiv>`) and `serve` sends: [`DEFAULT_CSP`] unless
/// `content_security_policy` says otherwise; `""` for none (the site owner's web server sends one).
/// A policy is one line of printable ASCII.
pub(super) fn check_csp(policy: Option<&str>) -> Result<String, String> {
    let Some(p) = policy else {
        return Ok(DEFAULT_CSP.to_string());
    };
    if p.chars().any(|c| !(' '..='~').contains(&c)) {
        return Err(format!(
            "`content_security_policy` holds characters a policy cannot (`{}`): expected one line of directives such as `{DEFAULT_CSP}`",
            p.escape_debug()
        ));
    }
    Ok(p.trim().to_string())
}

/// What the pages of the built-in theme need and no more: every script, style, image and font
/// from the site itself (no inline script or style anywhere; JSON data blocks are not scripts),
/// no plugins, no `<base>` elsewhere, forms only to the site. (`frame-ancestors` is ignored in a
/// `<meta>` policy: a web server that wants it sends it as a header.)
pub const DEFAULT_CSP: &str =
    "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'";

/// `menus.main[2].url`.
fn field_name(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if s.is_empty() => s.push_str(k),
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// `Err(message)` for a URL that may not be published; `entry` when the field is a menu or
/// `footer.links` entry (which can name a page with `page:`).
fn check_url(field: &str, url: &str, entry: bool) -> Result<(), String> {
    let expected = "expected an address such as https://www.example.gov.cn/, a path from the server's root such as /xxgk/";
    if url.trim().is_empty() {
        return Err(format!("`{field}` is empty: {expected}"));
    }
    if url.chars().any(char::is_control) {
        return Err(format!(
            "`{field}` holds a control character (tab, new line or an invisible one): {expected}"
        ));
    }
    // No `:` and no leading `/`, `#`, `\`: a relative path (checked first: `../../x` would
    // otherwise be reported as climbing out of `content/`, which says nothing here).
    let relative = !url.contains(':') && !url.trim_start().starts_with(['/', '#', '\\', '@']);
    let target = if relative {
        Ok(LinkTarget::Asset { path: url.into() })
    } else {
        classify_link(url, "")
    };
    match target {
        Err(message) => Err(format!("`{field}` is `{url}`: {message}")),
        Ok(LinkTarget::Content { .. }) if entry => Err(format!(
            "`{field}` is `{url}`, a page of this site: write `page: \"{url}\"` instead of `url:`"
        )),
        Ok(LinkTarget::Content { .. } | LinkTarget::Asset { .. }) => Err(format!(
            "`{field}` is `{url}`, a relative path: the link is on pages at every depth of the site, so it would point somewhere different from each; {expected}{}",
            if entry { ", or `page: \"@/…\"` for a page of this site" } else { "" }
        )),
        Ok(_) if local_link_warning(url).is_some() => Err(format!(
            "`{field}` is `{url}`, a network share: this link stands on every page of the published site, where no browser opens it; copy the file under `content/` and link to it with `page:` or from a page, or {expected}"
        )),
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_like_markdown_links() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,x",
            "../../x",
            "files/a.pdf",
            "file:///C:/Users/x.doc",
            "C:\\x.doc",
            "",
        ] {
            assert!(check_url("f", bad, false).is_err(), "{bad:?} accepted");
        }
        assert!(check_url("f", "@/a.md", true)
            .unwrap_err()
            .contains("page: \"@/a.md\""));
        for good in [
            "https://beian.miit.gov.cn/",
            "http://a",
            "/xxgk/",
            "//cdn.example/x",
            "mailto:a@b.cn",
            "tel:110",
            "#main",
        ] {
            assert_eq!(check_url("f", good, true), Ok(()), "{good}");
        }
        assert!(check_url("f", "smb://srv/share", true).is_err());
        assert!(check_csp(Some("default-src 'self'\n")).is_err());
        assert!(check_csp(Some("default-src 'self'; img-src 'self' data:")).is_ok());
    }
}
