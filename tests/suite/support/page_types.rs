//! The page types of the sample site, one URL each: the table the accessibility checks (axe-core
//! in Chromium), the screenshots and the page-weight benchmark walk. Add a row when a new kind of
//! page lands (paths are relative to the output root; a query string is allowed). Below it, how to
//! open the page types that are not ready when they have loaded.

use std::path::Path;

use super::browser::{file_url, Browser};

/// `(name, path)`: a short name (used in file names and messages) and the page's path.
pub const PAGE_TYPES: &[(&str, &str)] = &[
    ("home", "index.html"),
    ("section", "guide/index.html"),
    ("notices", "notices/index.html"),
    ("measure", "measures/implementation/index.html"),
    ("measures", "measures/index.html"),
    ("repealed-measure", "measures/interim-2016/index.html"),
    ("compare", "measures/implementation/compare/index.html"),
    ("notice", "notices/2025-annual-plan/index.html"),
    ("interpretation", "interpretations/implementation/index.html"),
    ("page", "guide/risk-levels/index.html"),
    ("procedure", "procedure/index.html"),
    ("forms-index", "forms/index.html"),
    ("form", "forms/approval/index.html"),
    ("forms-print-all", "forms/print-all/index.html"),
    ("worksheet", "worksheet/index.html"),
    ("scope", "scope/index.html"),
    // 开发区拟引进一个电镀项目
    (
        "scope-lookup",
        "scope/lookup/index.html?q=%E5%BC%80%E5%8F%91%E5%8C%BA%E6%8B%9F%E5%BC%95%E8%BF%9B%E4%B8%80%E4%B8%AA%E7%94%B5%E9%95%80%E9%A1%B9%E7%9B%AE",
    ),
    (
        "search",
        "search/index.html?q=%E5%BE%81%E5%9C%B0%E8%A1%A5%E5%81%BF",
    ),
    ("tags", "tags/index.html"),
    (
        "tag",
        "tags/%E5%AE%9E%E6%96%BD%E5%8A%9E%E6%B3%95/index.html",
    ),
    ("404", "404.html"),
];

impl Browser {
    /// Opens the scope lookup page of a built site (`out`: its output folder) from disk and waits
    /// until it has loaded the catalogue data.
    pub fn open_scope_lookup(&self, out: &Path) -> &Self {
        self.open(&file_url(out.join("scope/lookup/index.html")));
        self.wait_until(
            "document.getElementById('scope-form').hasAttribute('data-ready')",
            "the lookup page to load its data",
        )
    }
}
