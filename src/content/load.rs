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
    let walker = WalkDir::new(&content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(walk_error(root, &e));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = rel_path(&content, entry.path());
        let source = format!("content/{rel}");
        if entry.path_is_symlink() {
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) => {}
                _ => {
                    diags.push(Diagnostic::file(&source, "symbolic link points outside the site: copy the file into the site instead"));
                    continue;
                }
            }
        }
        if rel.ends_with(".md") {
            match read_markdown(entry.path(), &source) {
                Ok(text) => sources.files.push(SourceFile { source, rel, text }),
                Err(d) => diags.push(d),
            }
        } else {
            sources.assets.push(Asset { rel, abs: entry.path().to_path_buf() });
        }
    }
    check_case_collisions(&sources, &mut diags);
    if sources.files.is_empty() && diags.is_empty() {
        diags.push(Diagnostic::file("content", "`content/` has no Markdown files: expected at least `content/_index.md`"));
    }
    (sources, diags)
}

/// Hidden files and editors' temporary files are never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
}

fn rel_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk_error(root: &Path, e: &walkdir::Error) -> Diagnostic {
    let path = e.path().map(|p| rel_path(root, p)).unwrap_or_else(|| "content".into());
    if e.loop_ancestor().is_some() {
        return Diagnostic::file(path, "symbolic link loop: the link points at a folder that contains it");
    }
    Diagnostic::file(path, format!("cannot read: {}", e.io_error().map_or_else(|| e.to_string(), |io| io.to_string())))
}

/// Reads a Markdown file as UTF-8 text, removing a BOM and folding CRLF/CR line ends to LF.
fn read_markdown(path: &Path, source: &str) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::file(source, format!("cannot read: {e}")))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let (line, col) = LineIndex::new(valid).position(valid.len());
            return Err(Diagnostic::error(source, line, col, "the file is not valid UTF-8 (perhaps GBK): save it as UTF-8"));
        }
    };
    Ok(if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_string() })
}

fn check_case_collisions(sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let rels = sources.files.iter().map(|f| f.rel.as_str()).chain(sources.assets.iter().map(|a| a.rel.as_str()));
    for rel in rels {
        if let Some(other) = seen.insert(rel.to_lowercase(), rel) {
            diags.push(Diagnostic::file(
                format!("content/{rel}"),
                format!("name differs from `content/{other}` only in letter case: they collide on Windows and macOS; rename one"),
            ));
        }
    }
}
