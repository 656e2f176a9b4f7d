//! Load: the site's files from disk.
//!
//! Stage: load (one of the two stages that touch the disk). Input: the site root. Output: [`Sources`]:
//! every Markdown file of `content/` as UTF-8 text (BOM removed, CRLF folded to LF), every other file as
//! an [`Asset`] to copy, and diagnostics for files that cannot be used (not UTF-8, unreadable, symlinks
//! leaving the site, names that collide on case-insensitive disks).

use crate::diagnostic::{Diagnostic, LineIndex};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// A Markdown source.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Site-root-relative path for diagnostics: `content/a/b.md`.
    pub source: String,
    /// Content-relative path used by `@/` links: `a/b.md`.
    pub rel: String,
    pub text: String,
}

/// A non-Markdown file under `content/`, copied to the same relative place in the output.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Content-relative path (`a/c/img.png`), also its output path.
    pub rel: String,
    pub abs: PathBuf,
    /// Its size in bytes when it was read (附件 lists show it).
    pub size: u64,
}

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
    pub assets: Vec<Asset>,
}

/// Reads `root/content`. Problems with single files are diagnostics; the walk goes on.
pub fn load_sources(root: &Path) -> (Sources, Vec<Diagnostic>) {
    let content = root.join("content");
    let mut sources = Sources::default();
    let mut diags = Vec::new();
    if !content.is_dir() {
        diags.push(Diagnostic::file("content", "the folder `content/` is missing: expected the site's Markdown sources there (run `portal new DIR` for a skeleton)"));
        return (sources, diags);
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let canonical_content = content.canonicalize().unwrap_or_else(|_| content.clone());
    let mut walker = WalkDir::new(&content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(walk_error(root, &e));
                continue;
            }
        };
        let rel = rel_path(&content, entry.path());
        let source = format!("content/{rel}");
        if entry.depth() > 0 && entry.file_name().to_str().is_none() {
            diags.push(non_utf8_name(&source));
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        // A link (to a file or to a folder) may only lead into `content/` or `static/`: one leading
        // out of the site would publish whatever lies there, and one to the site's own files
        // (`portal.yaml`, `.git/config` with a token in its remote, templates) would publish those.
        if entry.depth() > 0 && entry.path_is_symlink() {
            match entry.path().canonicalize() {
                Ok(target)
                    if target.starts_with(&canonical_content)
                        || target.starts_with(canonical_root.join("static")) => {}
                Ok(target) if target.starts_with(&canonical_root) => {
                    let inside = target.strip_prefix(&canonical_root).unwrap_or(&target);
                    diags.push(Diagnostic::file(&source, format!(
                        "symbolic link to `{}`, a file of the site outside `content/` and `static/`: only those folders are published; copy what should be published into `content/`",
                        inside.display()
                    )));
                    if entry.file_type().is_dir() {
                        walker.skip_current_dir();
                    }
                    continue;
                }
                _ => {
                    diags.push(Diagnostic::file(&source, "symbolic link points outside the site: copy the file into the site instead"));
                    if entry.file_type().is_dir() {
                        walker.skip_current_dir();
                    }
                    continue;
                }
            }
        }
        if entry.file_type().is_dir() {
            continue;
        }
        if rel.contains('\\') {
            diags.push(Diagnostic::file(&source, "the name holds a backslash `\\`, a folder separator on Windows (and a way out of the output folder): rename it"));
            continue;
        }
        if !entry.file_type().is_file() {
            // A named pipe would block the read forever, a device could be endless.
            diags.push(Diagnostic::file(&source, "not a regular file (a named pipe, socket or device): expected a Markdown file or an attachment"));
            continue;
        }
        if rel.ends_with(".md") {
            match read_markdown(entry.path(), &source) {
                Ok(text) => sources.files.push(SourceFile { source, rel, text }),
                Err(d) => diags.push(d),
            }
        } else {
            if let Some(found) = active_content(entry.path(), &rel) {
                diags.push(Diagnostic::warning(&source, 0, 0, format!(
                    "this attachment holds {found}, which runs in the reader's browser with the site's rights when the file is opened (`markdown.raw_html: false` does not cover attachments): remove it, or publish the file inside a .zip"
                )));
            }
            sources.assets.push(Asset {
                rel,
                abs: entry.path().to_path_buf(),
                size: entry.metadata().map_or(0, |m| m.len()),
            });
        }
    }
    check_case_collisions(&sources, &mut diags);
    if sources.files.is_empty() && diags.is_empty() {
        diags.push(Diagnostic::file(
            "content",
            "`content/` has no Markdown files: expected at least `content/_index.md`",
        ));
    }
    (sources, diags)
}

/// What makes an `.html`/`.htm`/`.xhtml`/`.svg` attachment active: a script element, an event-handler
/// attribute (`onload=`) or a `javascript:` URL, named for the warning; `None` for other files and
/// for passive ones. Files over 10 MB are not scanned (content files are limited to that size).
fn active_content(path: &Path, rel: &str) -> Option<&'static str> {
    let ext = rel.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    if !matches!(ext.as_str(), "html" | "htm" | "xhtml" | "svg" | "xml") {
        return None;
    }
    if std::fs::metadata(path).ok()?.len() > 10 * 1024 * 1024 {
        return None;
    }
    let text = String::from_utf8_lossy(&std::fs::read(path).ok()?).to_ascii_lowercase();
    if text.contains("<script") {
        return Some("a `<script>` element");
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("javascript:") {
        return Some("a `javascript:` URL");
    }
    let b = text.as_bytes();
    let handler = text.match_indices("on").any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| b[j]);
        let boundary = matches!(
            before,
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'"' | b'\'')
        );
        let name_end = b[i + 2..]
            .iter()
            .position(|c| !c.is_ascii_alphabetic())
            .map(|n| i + 2 + n);
        boundary
            && name_end.is_some_and(|e| {
                e > i + 2 && b[e..].iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'=')
            })
    });
    handler.then_some("an event-handler attribute (`on…=`)")
}

/// A file or folder name that is not UTF-8 (a GBK name from a Windows zip, say) cannot be a URL
/// or be linked to: named with U+FFFD for the bytes that are not UTF-8.
fn non_utf8_name(source: &str) -> Diagnostic {
    Diagnostic::file(
        source,
        "the name is not valid UTF-8 (perhaps GBK; shown with � for the bytes that are not): rename it in UTF-8, e.g. with `convmv -f gbk -t utf-8 --notest`",
    )
}

/// Reads one Markdown source by its content-relative path: `Ok(None)` when it no longer exists.
pub fn read_source(root: &Path, rel: &str) -> Result<Option<SourceFile>, Diagnostic> {
    let path = root.join("content").join(rel);
    let source = format!("content/{rel}");
    if !path.is_file() {
        return Ok(None);
    }
    read_markdown(&path, &source).map(|text| {
        Some(SourceFile {
            source,
            rel: rel.to_string(),
            text,
        })
    })
}

/// Hidden files, editors' temporary files (`~`, `#…#`, `.swp`, vim's `4913` probe), Office's lock
/// files (`~$附件.docx`, which hold the editor's name) and the files Windows leaves in folders
/// (`Thumbs.db`, `desktop.ini`) are never content, attachments or static files.
pub fn is_ignored(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || lower == "thumbs.db"
        || lower == "ehthumbs.db"
        || lower == "desktop.ini"
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

fn rel_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk_error(root: &Path, e: &walkdir::Error) -> Diagnostic {
    let path = e
        .path()
        .map(|p| rel_path(root, p))
        .unwrap_or_else(|| "content".into());
    if e.loop_ancestor().is_some() {
        return Diagnostic::file(
            path,
            "symbolic link loop: the link points at a folder that contains it",
        );
    }
    if let Some(p) = e.path() {
        if p.is_symlink() && !p.exists() {
            let target = std::fs::read_link(p)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            return Diagnostic::file(
                path,
                format!("symbolic link points at `{target}`, which does not exist: remove the link or restore the file"),
            );
        }
    }
    Diagnostic::file(
        path,
        format!(
            "cannot read: {}",
            e.io_error()
                .map_or_else(|| e.to_string(), |io| io.to_string())
        ),
    )
}

/// The largest Markdown source read (10 MiB). A page's HTML is bigger still; anything larger is
/// not something a browser on a phone can open, and is almost surely a mistake (a generated or
/// pasted-in file), so it is refused before it is read.
pub const MAX_MARKDOWN_BYTES: u64 = 10 * 1024 * 1024;

/// Reads a Markdown file as UTF-8 text, removing a BOM and folding CRLF/CR line ends to LF.
fn read_markdown(path: &Path, source: &str) -> Result<String, Diagnostic> {
    use std::io::Read;
    let cannot = |e: std::io::Error| Diagnostic::file(source, format!("cannot read: {e}"));
    // Look before opening: opening a named pipe blocks until someone writes to it.
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Diagnostic::file(
            source,
            "not a regular file (a named pipe, socket or device): expected a Markdown file",
        ));
    }
    let too_big = |size: u64| {
        Diagnostic::file(
            source,
            format!(
                "the file is {:.1} MB: a page may be at most {} MB; split it into several pages",
                size as f64 / 1024.0 / 1024.0,
                MAX_MARKDOWN_BYTES / 1024 / 1024
            ),
        )
    };
    if meta.len() > MAX_MARKDOWN_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Bounded even when the size on disk was wrong (a file that grew while read).
    file.take(MAX_MARKDOWN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_MARKDOWN_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    decode_text(&bytes, source)
}

/// The bytes of a text file (a page, `portal.yaml`, a template, a `--batch` file) as text: a BOM
/// removed, CRLF and CR line ends folded to LF. UTF-16 and bytes that are not UTF-8 are errors at
/// the line and column of the first bad byte, saying when the file looks like GBK/GB18030 (what
/// Windows Notepad and older WPS save Chinese text as).
pub fn decode_text(bytes: &[u8], source: &str) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Diagnostic::error(
            source,
            1,
            1,
            "the file is UTF-16 (its first bytes say so): save it as UTF-8",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let (line, col) = LineIndex::new(valid).position(valid.len());
            let message = if looks_like_gb18030(&bytes[e.valid_up_to()..]) {
                "the file is not valid UTF-8 (it looks like GBK/GB18030, as older Windows programs save Chinese text): save it as UTF-8"
            } else {
                "the file is not valid UTF-8: save it as UTF-8"
            };
            return Err(Diagnostic::error(source, line, col, message));
        }
    };
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    })
}

/// Whether every non-ASCII byte of `bytes` belongs to a GB18030 two- or four-byte sequence (GBK
/// is its two-byte part).
fn looks_like_gb18030(bytes: &[u8]) -> bool {
    let mut i = 0;
    let mut multi = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        let lead = (0x81..=0xFE).contains(&b);
        let second = bytes.get(i + 1).copied().unwrap_or(0);
        if lead && matches!(second, 0x40..=0x7E | 0x80..=0xFE) {
            i += 2;
        } else if lead
            && second.is_ascii_digit()
            && bytes.get(i + 2).is_some_and(|b| (0x81..=0xFE).contains(b))
            && bytes.get(i + 3).is_some_and(u8::is_ascii_digit)
        {
            i += 4;
        } else {
            return false;
        }
        multi += 1;
    }
    multi > 0
}

/// Names (of files, and of the folders on their way) that differ only in letter case name one
/// file or folder on Windows and macOS: the second one would overwrite or merge into the first.
fn check_case_collisions(sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut reported = std::collections::BTreeSet::new();
    let rels = sources
        .files
        .iter()
        .map(|f| f.rel.as_str())
        .chain(sources.assets.iter().map(|a| a.rel.as_str()));
    for rel in rels {
        let mut end = 0;
        for (i, part) in rel.split('/').enumerate() {
            end += part.len() + usize::from(i > 0);
            let prefix = &rel[..end];
            let is_folder = end < rel.len();
            match seen.get(&prefix.to_lowercase()) {
                Some(other) if other != prefix => {
                    if reported.insert(prefix.to_string()) {
                        let what = if is_folder { "folder name" } else { "name" };
                        diags.push(Diagnostic::file(
                            format!("content/{prefix}"),
                            format!("{what} differs from `content/{other}` only in letter case: they collide on Windows and macOS; rename one"),
                        ));
                    }
                    break;
                }
                Some(_) => {}
                None => {
                    seen.insert(prefix.to_lowercase(), prefix.to_string());
                }
            }
        }
    }
}
