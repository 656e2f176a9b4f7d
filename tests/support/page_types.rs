//! The page types of the sample site, one URL each: the table the accessibility checks (axe-core
//! in Chromium), the screenshots and the page-weight benchmark walk. Add a row when a new kind of
//! page lands (paths are relative to the output root; a query string is allowed).

/// `(name, path)`: a short name (used in file names and messages) and the page's path.
pub const PAGE_TYPES: &[(&str, &str)] = &[
    ("home", "index.html"),
    ("section", "guide/index.html"),
    ("notices", "notices/index.html"),
    ("measure", "measures/implementation/index.html"),
    ("page", "guide/risk-levels/index.html"),
    ("procedure", "procedure/index.html"),
    ("forms-index", "forms/index.html"),
    ("form", "forms/approval/index.html"),
    ("forms-print-all", "forms/print-all/index.html"),
    ("worksheet", "worksheet/index.html"),
    // The scope catalogue and lookup pages belong here once they land:
    // ("scope", "scope/index.html"), ("scope-lookup", "scope/lookup/index.html?q=…").
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
