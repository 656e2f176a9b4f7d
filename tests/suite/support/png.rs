//! Checks of PNG files (the screenshots [`Browser::screenshot_png`](super::browser::Browser::screenshot_png)
//! takes, and the pages [`pdf_to_png`](super::pdf::pdf_to_png) renders).

use std::path::Path;

/// Width and height of a PNG file, read from its header. Panics if it is not a PNG.
#[track_caller]
pub fn png_size(path: impl AsRef<Path>) -> (u32, u32) {
    let path = path.as_ref();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG file",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}
