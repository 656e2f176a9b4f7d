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
    /// The folder replaced on commit: the output folder, or the folder it links to.
    out: PathBuf,
    tmp: PathBuf,
    /// Every file written, for the manifest.
    written: std::sync::Mutex<Vec<String>>,
    committed: bool,
}

/// The file in every output folder that lists what portal wrote there, one path a line, sorted. A
/// folder holding it (and nothing else) is portal's to replace; any other non-empty folder is refused
/// unless `--force` is given, so a build never deletes files portal did not write.
pub const MANIFEST: &str = ".portal-manifest";

const MANIFEST_HEAD: &str = "# Written by `portal build`: the files of this folder that portal wrote. portal replaces\n# the folder on the next build only while it holds nothing else.\n";

impl Staging {
    /// Creates the staging folder beside `out`.
    pub fn new(out: &Path, force: bool) -> Result<Staging> {
        let out = &follow_output_link(out)?;
        check_replaceable(out, force)?;
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
        remove_stale_staging(parent, &name);
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        Ok(Staging {
            out: out.to_path_buf(),
            tmp,
            written: Default::default(),
            committed: false,
        })
    }

    /// Swaps the staged folder into place and removes the previous output.
    pub fn commit(mut self) -> Result<()> {
        let mut written =
            std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        written.sort();
        let mut manifest = String::from(MANIFEST_HEAD);
        for path in &written {
            manifest.push_str(path);
            manifest.push('\n');
        }
        std::fs::write(self.tmp.join(MANIFEST), manifest)
            .with_context(|| format!("writing {}", self.tmp.join(MANIFEST).display()))?;
        let out = &self.out;
        let old = self.tmp.with_file_name(format!(
            ".{}.old-{}",
            out.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        if out.symlink_metadata().is_ok() {
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
        if file.path == MANIFEST {
            bail!("refusing to write `{MANIFEST}`: the name is portal's own list of what it wrote");
        }
        write_one(&self.tmp, &file)?;
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(file.path);
        Ok(())
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

/// The folder a build replaces: `out` itself, or, when `out` is a symbolic link to a folder (a
/// deployment's `public -> /srv/www/county`), the folder it points to, so the link is kept and what it
/// points to is updated. A link to nothing or to a file is refused.
fn follow_output_link(out: &Path) -> Result<PathBuf> {
    match out.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() => match std::fs::metadata(out) {
            Ok(t) if t.is_dir() => out
                .canonicalize()
                .with_context(|| format!("resolving the link {}", out.display())),
            Ok(_) => bail!(
                "refusing to build into `{}`: it is a symbolic link to a file, expected a folder",
                out.display()
            ),
            Err(_) => bail!(
                "refusing to build into `{}`: it is a symbolic link to `{}`, which does not exist; create that folder or remove the link",
                out.display(),
                std::fs::read_link(out).unwrap_or_default().display()
            ),
        },
        _ => Ok(out.to_path_buf()),
    }
}

/// Refuses to replace a folder that holds anything portal did not write: a non-empty folder without
/// [`MANIFEST`], or with entries the manifest does not list. An output folder of a portal from before
/// the manifest (`js/portal.js` and `index.html`, no `.git`) is still recognised. `force` replaces
/// any folder (its contents are removed without following symbolic links).
fn check_replaceable(out: &Path, force: bool) -> Result<()> {
    let meta = match out.symlink_metadata() {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if !meta.is_dir() {
        bail!(
            "refusing to build into `{}`: it is a file, expected a folder (or a name that does not exist yet)",
            out.display()
        );
    }
    if force {
        return Ok(());
    }
    let foreign = foreign_entries(out);
    if foreign.is_empty() {
        return Ok(());
    }
    let total = foreign.len();
    let mut shown: Vec<String> = foreign.into_iter().take(5).collect();
    if total > shown.len() {
        shown.push(format!("and {} more", total - shown.len()));
    }
    bail!(
        "refusing to replace `{}`: it holds files portal did not write ({}); a build replaces the whole output folder. Build into a new or empty folder (--output), move those files away, or pass --force to replace the folder and everything in it",
        out.display(),
        shown.join(", ")
    )
}

/// The entries of an existing output folder that portal did not write, as `name` or `dir/name`.
fn foreign_entries(out: &Path) -> Vec<String> {
    let listed: Option<std::collections::HashSet<String>> =
        std::fs::read_to_string(out.join(MANIFEST)).ok().map(|m| {
            m.lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect()
        });
    let Some(listed) = listed else {
        let legacy = out.join("js/portal.js").is_file()
            && out.join("index.html").is_file()
            && out.join(".git").symlink_metadata().is_err();
        if legacy {
            return Vec::new();
        }
        let mut names: Vec<String> = std::fs::read_dir(out)
            .map(|d| {
                d.flatten()
                    .map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                            format!("{name}/")
                        } else {
                            name
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        return names;
    };
    let mut foreign = Vec::new();
    for entry in walkdir::WalkDir::new(out)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name()
    {
        let Ok(entry) = entry else { continue };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(out)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if rel != MANIFEST && !listed.contains(&rel) {
            foreign.push(rel);
        }
    }
    foreign
}

/// Removes the staging folders (`.NAME.tmp-PID`, `.NAME.old-PID`) that builds killed before they
/// finished left beside the output folder, where the process PID is gone. A live build's folders
/// are left alone; where liveness cannot be told (no `/proc`), nothing is removed.
fn remove_stale_staging(parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let pid = [".tmp-", ".old-"].iter().find_map(|kind| {
            file.strip_prefix(&format!(".{name}{kind}"))
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        });
        let Some(pid) = pid else { continue };
        let is_dir = entry
            .file_type()
            .map(|t| t.is_dir() && !t.is_symlink())
            .unwrap_or(false);
        if is_dir && pid != std::process::id().to_string() && !proc.join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
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
    let staging = Staging::new(out, false)?;
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
