//! LibreOffice for the tests that open the `.docx` files portal writes: found on `PATH`, or a loud
//! SKIPPED line (a failure under `CI=true`), and one `soffice --convert-to pdf` call for many files.

use super::browser::file_url;
use super::chromium;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `soffice`, or `None` (after a loud SKIPPED line) when LibreOffice is missing outside CI.
pub fn soffice() -> Option<PathBuf> {
    let found = ["soffice", "libreoffice"].iter().find_map(|name| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            !chromium::ci_strict(),
            "LibreOffice (soffice) not found but CI=true: install libreoffice-writer-nogui"
        );
        eprintln!("\nSKIPPED: LibreOffice (soffice) not installed; the .docx conversion test did NOT run.\n");
    }
    found
}

/// Converts `docs` to PDF into `pdfs` with a fresh LibreOffice profile in `profile`.
pub fn convert_to_pdf(soffice: &Path, docs: &[PathBuf], pdfs: &Path, profile: &Path) -> Output {
    Command::new(soffice)
        .arg(format!("-env:UserInstallation={}", file_url(profile)))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(pdfs)
        .args(docs)
        .output()
        .expect("run soffice")
}
