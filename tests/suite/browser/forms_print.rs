//! Printing the sample site's forms as a person would: every form page printed to PDF by headless
//! Chromium, every `.docx` converted to PDF by LibreOffice (one `soffice` call for all of them), and
//! the fill-in mode typed into, ticked, reloaded and printed.
//!
//! Each PDF must have exactly the form's declared number of A4 pages in its declared orientation, and
//! its text (`pdftotext -raw`, white space removed) must hold the title and every label of the form.
//! Set `FORMS_PREVIEW_DIR=/some/dir` to keep PNG renderings of every printed page for a look.
//!
//! Chromium and LibreOffice are required under `CI=true`; elsewhere a missing one skips loudly.

use crate::support::browser::{file_url, Browser};
use crate::support::http::StaticServer;
use crate::support::office;
use crate::support::pdf::{self, pdf_page_count, pdf_page_sizes_mm};
use crate::support::site::{Run, Site};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One Chromium at a time in this file: on a 2-core machine, parallel browsers (next to LibreOffice)
/// starve each other at start-up.
static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_browser() -> std::sync::MutexGuard<'static, ()> {
    ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(serde::Deserialize, Debug)]
struct Entry {
    id: String,
    title: String,
    pages: usize,
    paper: String,
    html: String,
}

fn forms(run: &Run) -> Vec<Entry> {
    serde_json::from_str(&run.read("forms/forms.json")).unwrap()
}

/// The labels (`<th class="lbl …">…</th>`) of a form page, unescaped.
fn labels(html: &str) -> Vec<String> {
    html.split("<th class=\"lbl")
        .skip(1)
        .map(|s| {
            let text = &s[s.find('>').unwrap() + 1..s.find("</th>").unwrap()];
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The PDF's text in content order with all white space removed.
fn squeezed_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Checks page count, paper and text of one printed form; `what` names the printer.
fn check_pdf(pdf: &Path, form: &Entry, labels: &[String], what: &str) {
    assert_eq!(
        pdf_page_count(pdf),
        form.pages,
        "{what}: {} prints on {} pages, declared {}",
        form.id,
        pdf_page_count(pdf),
        form.pages
    );
    for (w, h) in pdf_page_sizes_mm(pdf) {
        let (pw, ph) = if form.paper == "A4-landscape" {
            (297.0, 210.0)
        } else {
            (210.0, 297.0)
        };
        assert!(
            (w - pw).abs() < 1.0 && (h - ph).abs() < 1.0,
            "{what}: {} page is {w}×{h} mm, expected {} ({pw}×{ph})",
            form.id,
            form.paper
        );
    }
    let text = squeezed_text(pdf);
    assert!(
        text.contains(&squeeze(&form.title)),
        "{what}: {} lacks its title",
        form.id
    );
    for l in labels {
        assert!(
            text.contains(&squeeze(l)),
            "{what}: {} lacks the label {l:?}\n{text}",
            form.id
        );
    }
    if let Some(dir) = std::env::var_os("FORMS_PREVIEW_DIR") {
        let dir = PathBuf::from(dir).join(what);
        std::fs::create_dir_all(&dir).unwrap();
        pdf::pdf_to_png(pdf, dir.join(&form.id));
    }
}

#[test]
fn every_form_page_prints_on_its_declared_a4_pages() {
    let _one = one_browser();
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let tmp = tempfile::tempdir().unwrap();
    let list = forms(&run);
    assert_eq!(list.len(), 19);
    for form in &list {
        b.open(&file_url(run.out.join(&form.html)));
        let pdf = tmp.path().join(format!("{}.pdf", form.id));
        b.print_pdf(&pdf, false);
        check_pdf(&pdf, form, &labels(&run.read(&form.html)), "chromium");
    }
    b.assert_no_console_errors();
}

/// The dark pixels of every page of a PDF rendered at 72 dpi (what the grid lines and text make).
fn ink(pdf: &Path) -> Vec<usize> {
    (1..=pdf_page_count(pdf))
        .map(|page| {
            let (_, _, px) = pdf::pdf_page_rgb(pdf, page);
            px.chunks(3).filter(|p| p.iter().all(|&c| c < 128)).count()
        })
        .collect()
}

#[test]
fn high_contrast_mode_does_not_change_printed_forms() {
    let _one = one_browser();
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let tmp = tempfile::tempdir().unwrap();
    // One form page, and the print-all page (every form, where the roster lost its whole grid).
    for page in ["forms/team-roster/index.html", "forms/print-all/index.html"] {
        let mut seen = Vec::new();
        for contrast in [false, true] {
            b.open(&file_url(run.out.join(page)));
            let on = b.eval_json("document.documentElement.classList.contains('contrast')") == true;
            if on != contrast {
                b.click(".js-contrast");
            }
            let pdf = tmp
                .path()
                .join(format!("{}-{contrast}.pdf", page.replace('/', "_")));
            b.print_pdf(&pdf, false);
            seen.push(ink(&pdf));
        }
        assert_eq!(seen[0].len(), seen[1].len(), "{page}: pages");
        for (i, (normal, contrast)) in seen[0].iter().zip(&seen[1]).enumerate() {
            let diff = normal.abs_diff(*contrast) as f64 / (*normal).max(1) as f64;
            assert!(
                diff < 0.01,
                "{page} page {}: {normal} dark pixels normally, {contrast} in 高对比度",
                i + 1
            );
        }
    }
    b.open(&file_url(run.out.join("forms/team-roster/index.html")));
    if b.eval_json("document.documentElement.classList.contains('contrast')") == true {
        b.click(".js-contrast");
    }
    b.assert_no_console_errors();
}

#[test]
fn the_print_all_page_starts_every_form_on_a_new_sheet() {
    let _one = one_browser();
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let tmp = tempfile::tempdir().unwrap();
    let list = forms(&run);
    b.open(&file_url(run.out.join("forms/print-all/index.html")));
    let pdf = tmp.path().join("all.pdf");
    b.print_pdf(&pdf, false);
    let sizes = pdf_page_sizes_mm(&pdf);
    let want: Vec<bool> = list
        .iter()
        .flat_map(|f| std::iter::repeat_n(f.paper == "A4-landscape", f.pages))
        .collect();
    let got: Vec<bool> = sizes.iter().map(|(w, h)| w > h).collect();
    assert_eq!(
        got, want,
        "one page per sheet, each in its form's orientation"
    );
    let text = squeezed_text(&pdf);
    for f in &list {
        assert!(
            text.contains(&squeeze(&f.title)),
            "print-all lacks {}",
            f.id
        );
    }
    b.assert_no_console_errors();
}

#[test]
fn every_word_file_opens_in_libreoffice_on_its_declared_pages() {
    let Some(soffice) = office::soffice() else {
        return;
    };
    let run = Site::sample().build().ok();
    let list = forms(&run);
    let tmp = tempfile::tempdir().unwrap();
    let (docs, pdfs, profile) = (
        tmp.path().join("docx"),
        tmp.path().join("pdf"),
        tmp.path().join("profile"),
    );
    std::fs::create_dir_all(&docs).unwrap();
    let mut args: Vec<PathBuf> = Vec::new();
    for f in &list {
        let to = docs.join(format!("{}.docx", f.id));
        std::fs::copy(run.out.join(format!("forms/{}.docx", f.id)), &to).unwrap();
        args.push(to);
    }
    let out = office::convert_to_pdf(&soffice, &args, &pdfs, &profile);
    assert!(
        out.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in &list {
        let pdf = pdfs.join(format!("{}.pdf", f.id));
        assert!(
            pdf.is_file(),
            "LibreOffice did not convert {}.docx: {}",
            f.id,
            String::from_utf8_lossy(&out.stderr)
        );
        check_pdf(&pdf, f, &labels(&run.read(&f.html)), "libreoffice");
    }
}

#[test]
fn fill_in_mode_keeps_typed_text_in_the_browser_and_prints_it() {
    let _one = one_browser();
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let server = StaticServer::start(&run.out);
    let url = server.url("/forms/approval/index.html");
    b.open(&url);
    assert_eq!(
        b.attr(".js-form-fill", "aria-pressed").as_deref(),
        Some("false")
    );
    assert!(
        b.attr(".form-doc .fill", "contenteditable").is_none(),
        "blank until 填写 is pressed"
    );
    b.click(".js-form-fill");
    assert_eq!(
        b.attr(".js-form-fill", "aria-pressed").as_deref(),
        Some("true")
    );
    b.type_into(".form-doc .fill", "城南新区液化气储配站建设项目");
    b.click(".form-doc .chk");
    assert_eq!(
        b.attr(".form-doc .chk", "aria-checked").as_deref(),
        Some("true")
    );

    b.open(&url);
    assert_eq!(
        b.text(".form-doc .fill"),
        "城南新区液化气储配站建设项目",
        "kept across a reload"
    );
    assert_eq!(
        b.attr(".form-doc .chk", "aria-checked").as_deref(),
        Some("true")
    );
    assert_eq!(
        b.attr(".js-form-fill", "aria-pressed").as_deref(),
        Some("true"),
        "a filled form reopens in fill-in mode"
    );

    let tmp = tempfile::tempdir().unwrap();
    let pdf = tmp.path().join("filled.pdf");
    b.print_pdf(&pdf, false);
    assert_eq!(pdf_page_count(&pdf), 1);
    let text = squeezed_text(&pdf);
    assert!(
        text.contains("城南新区液化气储配站建设项目"),
        "the typed text prints: {text}"
    );
    assert!(text.contains('√'), "the ticked box prints ticked");

    b.eval_json("window.confirm = () => true");
    b.click(".js-form-clear");
    assert_eq!(b.text(".form-doc .fill"), "");
    assert_eq!(
        b.eval_json("Object.keys(localStorage).filter(k => k.startsWith('portal.form.')).length"),
        0
    );
    let sent: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" || r.target.contains('?'))
        .collect();
    assert!(sent.is_empty(), "nothing is sent anywhere: {sent:?}");
    // Over HTTP the browser asks for /favicon.ico on its own; the site ships none.
    let errors: Vec<String> = b
        .console_errors()
        .into_iter()
        .filter(|e| !e.contains("favicon.ico"))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}
