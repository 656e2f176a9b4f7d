//! Links and anchors: a Markdown link destination classified (content page, same-page anchor,
//! attachment, external URL) and resolved against the source's folder; the readable anchor of a
//! heading.

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
            path: path.to_string(),
            anchor,
        });
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Ok(LinkTarget::SamePage {
            anchor: anchor.to_string(),
        });
    }
    let lower = dest.to_ascii_lowercase();
    let scheme = lower.split(':').next().unwrap_or("");
    let has_scheme = lower.contains(':')
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if has_scheme {
        if ["javascript", "vbscript", "data"].contains(&scheme.trim()) {
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
    let joined = join_relative(source_dir, rel).ok_or_else(|| {
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
