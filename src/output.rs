//! Output: rendered files and the atomic write of the output folder.
//!
//! Stage: write (one of the two stages that touch the disk). Input: [`OutputFile`]s. Output: the
//! output folder, written into a temporary sibling and swapped into place only when everything was
//! written, so a failed build leaves the previous output exactly as it was. Files are written in path
//! order and carry no timestamps of ours, so two builds of the same sources are byte-identical.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// The bytes of an output file.
#[derive(Debug, Clone)]
pub enum Data {
    Bytes(Vec<u8>),
    Static(&'static [u8]),
    /// A file copied from the sources (attachments, site static files).
    Copy(PathBuf),
}

/// One file of the published site, at a site-root-relative path with `/` separators.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub data: Data,
}

impl OutputFile {
    pub fn bytes(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        OutputFile {
            path: path.into(),
            data: Data::Bytes(bytes),
        }
    }

    /// The file's bytes (reads copied files from disk).
    pub fn read(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        Ok(match &self.data {
            Data::Bytes(b) => b.as_slice().into(),
            Data::Static(b) => (*b).into(),
            Data::Copy(p) => std::fs::read(p)
                .with_context(|| format!("reading {}", p.display()))?
                .into(),
        })
    }

    /// Size in bytes (stat for copied files).
    pub fn len(&self) -> u64 {
        match &self.data {
            Data::Bytes(b) => b.len() as u64,
            Data::Static(b) => b.len() as u64,
            Data::Copy(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Receives each output file as soon as it is rendered: a staging folder (`build`), memory (`serve`)
/// or nothing (`check`). Files arrive from several threads.
pub trait Sink: Sync {
    fn put(&self, file: OutputFile) -> Result<()>;
}

/// Keeps files in memory.
#[derive(Default)]
pub struct MemorySink(std::sync::Mutex<Vec<OutputFile>>);

impl MemorySink {
    /// The files received, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Sink for MemorySink {
    fn put(&self, file: OutputFile) -> Result<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(file);
        Ok(())
    }
}

/// Discards files (for `check`).
pub struct NullSink;

impl Sink for NullSink {
    fn put(&self, _: OutputFile) -> Result<()> {
        Ok(())
    }
}

/// A temporary sibling of the output folder that files are written into as they are rendered, and
/// that replaces the output folder only on [`Staging::commit`]. Dropped uncommitted, it is removed and
/// the previous output stays exactly as it was.
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the staging folder beside `out`.
    pub fn new(out: &Path) -> Result<Staging> {
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        Ok(Staging {
            out: out.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Swaps the staged folder into place and removes the previous output.
    pub fn commit(mut self) -> Result<()> {
        let out = &self.out;
        let old = self.tmp.with_file_name(format!(
            ".{}.old-{}",
            out.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        if out.exists() {
            std::fs::rename(out, &old)
                .with_context(|| format!("moving the previous {} aside", out.display()))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, out) {
            let _ = std::fs::rename(&old, out);
            return Err(e).with_context(|| format!("moving the new output into {}", out.display()));
        }
        self.committed = true;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) -> Result<()> {
        write_one(&self.tmp, &file)
    }
}

fn write_one(dir: &Path, f: &OutputFile) -> Result<()> {
    let target = dir.join(safe_relative(&f.path)?);
    if let Some(p) = target.parent() {
        std::fs::create_dir_all(p).with_context(|| format!("creating {}", p.display()))?;
    }
    match &f.data {
        Data::Copy(src) => {
            std::fs::copy(src, &target)
                .with_context(|| format!("copying {} to {}", src.display(), target.display()))?;
        }
        _ => std::fs::write(&target, f.read()?)
            .with_context(|| format!("writing {}", target.display()))?,
    }
    Ok(())
}

/// The relative URL from output file `from` to output file `to` (both site-root-relative).
pub fn relative_url(from: &str, to: &str) -> String {
    let mut s = root_prefix(from);
    s.push_str(to);
    s
}

/// The prefix from output file `path` to the site root: `""`, `"../"`, `"../../"`.
pub fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Refuses output folders whose replacement would destroy sources: the site root, `content/`, any
/// ancestor of the site root, or `/`.
pub fn check_output_dir(root: &Path, out: &Path) -> Result<()> {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        resolve_links(&normalize(&p))
    };
    let (root, out) = (abs(root), abs(out));
    if out.parent().is_none() {
        bail!(
            "refusing to use `{}` as the output folder: it is the file-system root",
            out.display()
        );
    }
    if root.starts_with(&out) {
        bail!("refusing to use `{}` as the output folder: it holds the site itself (expected e.g. `public/`)", out.display());
    }
    for source in ["content", "templates", "themes", "static"] {
        if out.starts_with(root.join(source)) {
            bail!(
                "refusing to use `{}` as the output folder: it is inside the site's `{source}/`",
                out.display()
            );
        }
    }
    Ok(())
}

/// `p` with symbolic links resolved in the part of it that exists, so that a link cannot hide that
/// the output folder is the site or lies inside its sources.
fn resolve_links(p: &Path) -> PathBuf {
    let mut existing = p.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return p.to_path_buf(),
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    out.extend(rest.iter().rev());
    out
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// A path segment list that stays inside the output folder, or an error.
fn safe_relative(path: &str) -> Result<PathBuf> {
    let mut p = PathBuf::new();
    for seg in path.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\') || seg.contains('\0') {
            bail!("refusing to write `{path}`: output paths must stay inside the output folder");
        }
        p.push(seg);
    }
    Ok(p)
}

/// Writes `files` into `out` atomically (through a [`Staging`] folder).
pub fn write_atomically(out: &Path, files: &[OutputFile]) -> Result<()> {
    let staging = Staging::new(out)?;
    for f in files {
        staging.put(f.clone())?;
    }
    staging.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_output_folders() {
        let root = Path::new("/srv/site");
        assert!(check_output_dir(root, Path::new("/srv/site")).is_err());
        assert!(check_output_dir(root, Path::new("/srv/site/content")).is_err());
        assert!(check_output_dir(root, Path::new("/srv/site/content/x/..")).is_err());
        assert!(check_output_dir(root, Path::new("/srv")).is_err());
        assert!(check_output_dir(root, Path::new("/")).is_err());
        assert!(check_output_dir(root, Path::new("/srv/site/public")).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_output_folders_reached_through_links() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("site");
        std::fs::create_dir_all(root.join("content/guide")).unwrap();
        std::os::unix::fs::symlink(root.join("content"), d.path().join("c")).unwrap();
        std::os::unix::fs::symlink(&root, d.path().join("alias")).unwrap();
        assert!(check_output_dir(&root, &d.path().join("c/guide")).is_err());
        assert!(check_output_dir(&root, &d.path().join("c/new/public")).is_err());
        assert!(check_output_dir(&root, &d.path().join("alias")).is_err());
        assert!(check_output_dir(&root, &d.path().join("alias/public")).is_ok());
        assert!(check_output_dir(&root, &root.join("..")).is_err());
    }

    #[test]
    fn refuses_escaping_paths() {
        assert!(safe_relative("a/../../x").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert!(safe_relative("a/b/index.html").is_ok());
    }

    #[test]
    fn failed_write_keeps_previous_output() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("public");
        write_atomically(&out, &[OutputFile::bytes("a.txt", b"one".to_vec())]).unwrap();
        let bad = [
            OutputFile::bytes("b.txt", b"x".to_vec()),
            OutputFile::bytes("../evil", b"x".to_vec()),
        ];
        assert!(write_atomically(&out, &bad).is_err());
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"one");
        assert!(!out.join("b.txt").exists());
    }
}
