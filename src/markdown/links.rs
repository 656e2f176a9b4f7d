//! Links and anchors: a Markdown link destination classified (content page, same-page anchor,
//! attachment, external URL) and resolved against the source's folder; the readable anchor of a
//! heading.
//!
//! The scheme is read as browsers read it (tabs and new lines inside, controls and spaces around
//! ignored), so `java\tscript:` is as refused as `javascript:`. Paths to pages and attachments are
//! percent-decoded (`files/c%23d.pdf` names `files/c#d.pdf`); the renderer encodes them again.
//! Links to the editor's own disk — `file:` URLs naming no host, `C:\…` — are errors: no reader has
//! that file. Links to a network share — `smb://…`, `\\server\share\…`, `file://server/…` — are
//! warnings ([`local_link_warning`]): staff on the county network may reach the share, but no
//! browser opens it from a published page.

use super::LinkTarget;

/// Classifies a link destination; `Err` carries the diagnostic message for a link that is never valid.
pub fn classify_link(dest: &str, source_dir: &str) -> Result<LinkTarget, String> {
    let dest = dest.trim();
    if let Some(rest) = dest.strip_prefix("@/") {
        let (path, anchor) = split_anchor(rest);
        if path.is_empty() {
            return Err(format!(
                "link `{dest}` names no file: expected `@/path/to/file.md`"
            ));
        }
        return Ok(LinkTarget::Content {
            path: decode(path),
            anchor,
        });
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Ok(LinkTarget::SamePage {
            anchor: anchor.to_string(),
        });
    }
    if let Some(message) = local_disk(dest) {
        return Err(message);
    }
    if let Some(unc) = network_path(dest) {
        return Ok(LinkTarget::External { url: unc });
    }
    let lower = browser_view(dest).to_ascii_lowercase();
    let scheme = lower.split(':').next().unwrap_or("");
    let has_scheme = lower.contains(':')
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if has_scheme {
        if ["javascript", "vbscript", "data"].contains(&scheme) {
            return Err(format!(
                "`{scheme}:` links are not allowed: link to a page or an https:// address"
            ));
        }
        return Ok(LinkTarget::External {
            url: dest.to_string(),
        });
    }
    if dest.starts_with("//") || dest.starts_with('/') || dest.is_empty() {
        return Ok(LinkTarget::External {
            url: dest.to_string(),
        });
    }
    let (rel, anchor) = split_anchor(dest);
    let joined = join_relative(source_dir, &decode(rel)).ok_or_else(|| {
        format!("link `{dest}` climbs out of `content/`: expected a path inside the site")
    })?;
    if joined.ends_with(".md") {
        return Ok(LinkTarget::Content {
            path: joined,
            anchor,
        });
    }
    Ok(LinkTarget::Asset { path: joined })
}

/// The destination as a browser's URL parser sees it: controls and spaces around it dropped, tabs
/// and new lines inside it removed.
fn browser_view(dest: &str) -> String {
    dest.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// The error for a link to a file on the editor's own computer (`file:///…`, `file://localhost/…`,
/// `C:\…`, `C:/…`), if it is one.
fn local_disk(dest: &str) -> Option<String> {
    let view = browser_view(dest);
    let lower = view.to_ascii_lowercase();
    let b = view.as_bytes();
    let drive = b.len() >= 3
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && (b[2] == b'\\' || b[2] == b'/');
    let file = lower.strip_prefix("file:").map(|rest| {
        let rest = rest.replace('\\', "/");
        let host = rest
            .strip_prefix("//")
            .map(|r| r.split('/').next().unwrap_or(""));
        matches!(host, None | Some("") | Some("localhost"))
            || host.is_some_and(|h| h.len() == 2 && h.ends_with(':'))
    });
    if !(drive || file == Some(true)) {
        return None;
    }
    Some(format!(
        "link `{dest}` points to a file on this computer's disk, which no reader has: copy the file under `content/` (e.g. `content/files/`) and link to it there, e.g. `[附件](files/名称.pdf)`"
    ))
}

/// A Windows network path (`\\server\share\…`; Markdown reads `\\` as one `\`, so `\server\…`
/// too) as the `file://server/share/…` URL a browser can follow, if `dest` is one.
fn network_path(dest: &str) -> Option<String> {
    let rest = dest.strip_prefix('\\')?;
    let rest = rest.trim_start_matches('\\');
    (!rest.is_empty()).then(|| format!("file://{}", rest.replace('\\', "/")))
}

/// The warning for a link that reaches a network share (see the module header), if it is one.
pub fn local_link_warning(dest: &str) -> Option<String> {
    let view = browser_view(dest);
    let lower = view.to_ascii_lowercase();
    let share = dest.starts_with('\\')
        || lower.starts_with("smb:")
        || (lower.starts_with("file:") && local_disk(dest).is_none());
    // Markdown reads `\\server` as `\server`: show it as the editor wrote it.
    let shown = if dest.starts_with('\\') && !dest.starts_with("\\\\") {
        format!("\\{dest}")
    } else {
        dest.to_string()
    };
    share.then(|| format!(
        "link `{shown}` points to a network share: readers of the published site cannot open it (browsers refuse such links from web pages), only staff on the county network may; copy the file under `content/` and link to it there"
    ))
}

/// Percent-decodes a path (`%20` → space, `%23` → `#`); left as written when the escapes are
/// malformed or do not decode to UTF-8.
fn decode(path: &str) -> String {
    if !path.contains('%') {
        return path.to_string();
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| path.to_string())
}

fn split_anchor(s: &str) -> (&str, Option<String>) {
    match s.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (s, None),
    }
}

/// Joins a relative path onto a content-relative folder, resolving `.` and `..`.
pub fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The readable anchor of a heading text (see the module header for the rule).
pub fn anchor_id(text: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' {
            sep = true;
        }
    }
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}
