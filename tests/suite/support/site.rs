//! Fixture sites for integration tests: copy `tests/fixtures/<case>/` (or the sample site in the
//! repository root) into a temporary folder, change files, run the real `portal` binary on it and
//! assert on the output files and diagnostics.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the sample county site).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site in a temporary folder.
pub struct Site {
    dir: std::sync::Arc<tempfile::TempDir>,
}

/// What one `portal` run printed and produced.
pub struct Run {
    pub success: bool,
    /// The exit code (`None` when a signal ended the process, e.g. a stack overflow).
    pub code: Option<i32>,
    pub stderr: String,
    pub stdout: String,
    /// The output folder (for `build`).
    pub out: PathBuf,
    /// Keeps the site's folder alive as long as the run is looked at.
    _site: std::sync::Arc<tempfile::TempDir>,
}

impl Site {
    /// A copy of `tests/fixtures/<case>/`.
    pub fn fixture(case: &str) -> Site {
        let site = Site::empty();
        copy_tree(&repo_root().join("tests/fixtures").join(case), site.root());
        site
    }

    /// A copy of the sample site (portal.yaml, content/, templates/, themes/).
    pub fn sample() -> Site {
        let site = Site::empty();
        let root = repo_root();
        std::fs::copy(root.join("portal.yaml"), site.root().join("portal.yaml")).unwrap();
        for dir in ["content", "templates", "themes", "static"] {
            if root.join(dir).is_dir() {
                copy_tree(&root.join(dir), &site.root().join(dir));
            }
        }
        site
    }

    /// An empty folder.
    pub fn empty() -> Site {
        Site {
            dir: std::sync::Arc::new(tempfile::tempdir().expect("temp dir")),
        }
    }

    /// A minimal valid site: `portal.yaml` with a title and a home page.
    pub fn minimal() -> Site {
        Site::empty()
            .file("portal.yaml", "title: 测试站点\n")
            .file("content/_index.md", "---\ntitle: 首页\n---\n\n欢迎。\n")
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (or replaces) a file, creating folders; chainable.
    pub fn file(self, rel: &str, text: &str) -> Site {
        self.write(rel, text.as_bytes());
        self
    }

    /// Writes raw bytes (for BOM, non-UTF-8 and binary cases).
    pub fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Runs `portal ARGS --root <site>`.
    pub fn portal(&self, args: &[&str]) -> Run {
        let out = self.root().join("public");
        let output = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(args)
            .arg("--root")
            .arg(self.root())
            .output()
            .expect("run portal");
        Run {
            success: output.status.success(),
            code: output.status.code(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            out,
            _site: self.dir.clone(),
        }
    }

    /// Runs `portal ARGS --root <site>` and kills it when it takes longer than `limit` (a hang is
    /// then a test failure instead of a test that never ends).
    pub fn portal_within(&self, args: &[&str], limit: std::time::Duration) -> Run {
        let logs = tempfile::tempdir().expect("temp dir");
        let (out_path, err_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(args)
            .arg("--root")
            .arg(self.root())
            .stdin(std::process::Stdio::null())
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(std::fs::File::create(&err_path).unwrap())
            .spawn()
            .expect("run portal");
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for portal") {
                break status;
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("portal {args:?} still running after {limit:?}: a hang");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        Run {
            success: status.success(),
            code: status.code(),
            stderr: read(&err_path),
            stdout: read(&out_path),
            out: self.root().join("public"),
            _site: self.dir.clone(),
        }
    }

    /// `portal build` into `<site>/public`.
    pub fn build(&self) -> Run {
        self.portal(&["build"])
    }

    /// The URLs `portal search QUERY --json --limit LIMIT [--kind KIND]` lists, in order.
    pub fn search_urls(&self, query: &str, limit: usize, kind: Option<&str>) -> Vec<String> {
        let limit = limit.to_string();
        let mut args = vec!["search", query, "--json", "--limit", &limit];
        if let Some(k) = kind {
            args.extend(["--kind", k]);
        }
        let run = self.portal(&args).ok();
        let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON from --json");
        assert_eq!(v["query"], query);
        v["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["url"].as_str().expect("url").to_string())
            .collect()
    }

    /// `portal check`.
    pub fn check(&self) -> Run {
        self.portal(&["check"])
    }
}

impl Run {
    /// Panics with the diagnostics unless the command succeeded.
    pub fn ok(self) -> Run {
        assert!(self.success, "portal failed:\n{}", self.stderr);
        self
    }

    /// Panics unless the command failed.
    pub fn failed(self) -> Run {
        assert!(
            !self.success,
            "portal unexpectedly succeeded:\n{}",
            self.stderr
        );
        self
    }

    /// An output file's text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out.join(rel))
            .unwrap_or_else(|e| panic!("reading {rel}: {e}\n{}", self.stderr))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out.join(rel).exists()
    }

    /// Asserts that an output file contains `needle`.
    pub fn contains(&self, rel: &str, needle: &str) -> &Run {
        let text = self.read(rel);
        assert!(
            text.contains(needle),
            "{rel} does not contain {needle:?}:\n{text}"
        );
        self
    }

    /// The diagnostic lines (everything but the final summary line), with the site's temp path removed.
    pub fn diagnostics(&self) -> Vec<String> {
        let lines: Vec<&str> = self.stderr.lines().collect();
        lines[..lines.len().saturating_sub(1)]
            .iter()
            .map(|l| l.to_string())
            .collect()
    }

    /// The stderr with durations replaced by `<time>`, for snapshots.
    pub fn stable_stderr(&self) -> String {
        self.stderr
            .lines()
            .map(|l| match l.rfind(" in ") {
                Some(i)
                    if l.ends_with(" ms")
                        || l.ends_with(" s")
                        || l.contains(" ms;")
                        || l.contains(" s;") =>
                {
                    let rest = &l[i + 4..];
                    let after = rest.find(';').map(|j| &rest[j..]).unwrap_or("");
                    format!("{} in <time>{after}", &l[..i])
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Copies a folder tree (files and folders only).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, sorted by relative path.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.push((rel, std::fs::read(entry.path()).unwrap()));
        }
    }
    files
}
