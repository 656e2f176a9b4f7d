//! Checks of PDF files (what [`Browser::print_pdf`](super::browser::Browser::print_pdf) and
//! LibreOffice write) with poppler-utils: page count and sizes (`pdfinfo`), text (`pdftotext`) and
//! page images for a look (`pdftoppm`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs a poppler-utils tool and returns its stdout; panics with install advice if missing.
#[track_caller]
fn poppler(tool: &str, args: &[&OsStr]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "could not run `{tool}` ({e}); install poppler-utils (apt-get install poppler-utils)"
        )
    });
    assert!(
        output.status.success(),
        "`{tool} {}` failed: {}",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A `Key: value` line from `pdfinfo` output.
fn pdfinfo_field<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

/// Number of pages in a PDF (`pdfinfo` "Pages:").
#[track_caller]
pub fn pdf_page_count(path: impl AsRef<Path>) -> usize {
    let path = path.as_ref();
    let info = poppler("pdfinfo", &[path.as_os_str()]);
    pdfinfo_field(&info, "Pages")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no page count in pdfinfo output for {}:\n{info}",
                path.display()
            )
        })
}

/// Size of the first page in millimetres, (width, height), rounded to 0.1 mm
/// (from `pdfinfo` "Page size: 595.276 x 841.89 pts (A4)"; A4 portrait is (210.0, 297.0)).
#[track_caller]
pub fn pdf_page_size_mm(path: impl AsRef<Path>) -> (f64, f64) {
    pdf_page_sizes_mm(path)[0]
}

/// Size of every page in millimetres, (width, height) each, rounded to 0.1 mm.
#[track_caller]
pub fn pdf_page_sizes_mm(path: impl AsRef<Path>) -> Vec<(f64, f64)> {
    let path = path.as_ref();
    let pages = pdf_page_count(path).max(1).to_string();
    let info = poppler(
        "pdfinfo",
        &[
            OsStr::new("-f"),
            OsStr::new("1"),
            OsStr::new("-l"),
            OsStr::new(&pages),
            path.as_os_str(),
        ],
    );
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|line| line.starts_with("Page") && line.contains(" size:"))
        .filter_map(|line| parse_pts_size(line.split_once("size:")?.1))
        .collect();
    assert!(
        !sizes.is_empty(),
        "no page size in pdfinfo output for {}:\n{info}",
        path.display()
    );
    sizes
}

/// Panics unless every page of the PDF is `expected` (width, height) in mm, ±1 mm
/// (Chromium's A4 comes out as 209.9 × 297.0 mm), e.g. `assert_pdf_pages_mm(&pdf, (210.0, 297.0))`.
#[track_caller]
pub fn assert_pdf_pages_mm(path: impl AsRef<Path>, expected: (f64, f64)) {
    let path = path.as_ref();
    for (i, (w, h)) in pdf_page_sizes_mm(path).into_iter().enumerate() {
        assert!(
            (w - expected.0).abs() <= 1.0 && (h - expected.1).abs() <= 1.0,
            "{} page {}: {w} × {h} mm, expected {} × {} mm",
            path.display(),
            i + 1,
            expected.0,
            expected.1
        );
    }
}

/// Parses `595.276 x 841.89 pts (A4)` into millimetres.
fn parse_pts_size(text: &str) -> Option<(f64, f64)> {
    let mut words = text.split_whitespace();
    let w: f64 = words.next()?.parse().ok()?;
    (words.next()? == "x").then_some(())?;
    let h: f64 = words.next()?.parse().ok()?;
    let mm = |pts: f64| (pts * 25.4 / 72.0 * 10.0).round() / 10.0;
    Some((mm(w), mm(h)))
}

/// The PDF's text, laid out (`pdftotext -layout`); pages are separated by form feeds (`\x0c`).
#[track_caller]
pub fn pdf_text(path: impl AsRef<Path>) -> String {
    poppler(
        "pdftotext",
        &[
            OsStr::new("-layout"),
            OsStr::new("-enc"),
            OsStr::new("UTF-8"),
            path.as_ref().as_os_str(),
            OsStr::new("-"),
        ],
    )
}

/// Renders every page to `<prefix>-<n>.png` at 60 dpi (`pdftoppm -r 60 -png`) so a developer
/// can look at them; returns the files written, in page order. `prefix` may include a directory.
#[track_caller]
pub fn pdf_to_png(path: impl AsRef<Path>, prefix: impl AsRef<Path>) -> Vec<PathBuf> {
    let prefix = prefix.as_ref();
    poppler(
        "pdftoppm",
        &[
            OsStr::new("-r"),
            OsStr::new("60"),
            OsStr::new("-png"),
            path.as_ref().as_os_str(),
            prefix.as_os_str(),
        ],
    );
    let dir = match prefix.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = prefix
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // pdftoppm zero-pads the page number to the width of the page count: x-1.png or x-01.png.
    let mut pages: Vec<(usize, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?;
            let n = name
                .strip_prefix(&stem)?
                .strip_prefix('-')?
                .strip_suffix(".png")?;
            Some((n.parse().ok()?, path))
        })
        .collect();
    pages.sort();
    pages.into_iter().map(|(_, p)| p).collect()
}

/// Page `page` rendered at 72 dpi (one pixel a point) as RGB: `(width, height, pixels)`.
#[track_caller]
pub fn pdf_page_rgb(pdf: &Path, page: usize) -> (usize, usize, Vec<u8>) {
    let page = page.to_string();
    let out = std::process::Command::new("pdftoppm")
        .args(["-f", &page, "-l", &page, "-r", "72"])
        .arg(pdf)
        .output()
        .expect("pdftoppm runs");
    let data = out.stdout;
    // P6 header: "P6\n<w> <h>\n255\n".
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while data[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, data[at + 1..].to_vec())
}
