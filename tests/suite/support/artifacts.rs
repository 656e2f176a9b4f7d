//! A folder for a test's screenshots and PDFs, kept for a look when `$PORTAL_TEST_ARTIFACTS` is set.

use std::path::{Path, PathBuf};

/// A folder for a test's screenshots and PDFs: `$PORTAL_TEST_ARTIFACTS/<test>/` when that
/// variable is set (kept after the run, emptied first, so a developer can look at the
/// files), otherwise a temporary folder deleted on drop.
pub struct Artifacts {
    path: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Artifacts {
    /// Creates the folder for the test called `test`.
    #[track_caller]
    pub fn new(test: &str) -> Artifacts {
        match std::env::var_os("PORTAL_TEST_ARTIFACTS").filter(|v| !v.is_empty()) {
            Some(root) => {
                let path = std::path::absolute(PathBuf::from(root).join(test))
                    .expect("absolute artifacts path");
                let _ = std::fs::remove_dir_all(&path);
                std::fs::create_dir_all(&path)
                    .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
                eprintln!("artifacts: {}", path.display());
                Artifacts { path, _temp: None }
            }
            None => {
                let temp = tempfile::tempdir().expect("create a temporary artifacts folder");
                Artifacts {
                    path: temp.path().to_path_buf(),
                    _temp: Some(temp),
                }
            }
        }
    }

    /// A file name inside the folder, e.g. `artifacts.join("home-phone.png")`.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }
}
