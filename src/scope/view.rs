//! What the catalogue page, the lookup page and the browser matcher get from an assembled site.
//!
//! Stage: render (pure; `render/` hands the values to tera and writes the files). Input: the
//! catalogue, its page's path and a resolver for the page's links (the site resolves them: a kind
//! does not know the site it is in). Output: the catalogue grouped by category with resolved basis
//! links, and `scope-data.js` — the [`Matcher`] plus what the lookup page shows (departments, basis,
//! next steps) — as a classic script, so it loads from `file://` too.

use super::{Catalogue, Matcher, CATEGORIES};
use crate::html::url_path;
use crate::output::relative_url;
use serde::Serialize;

/// The lookup page's path beside the catalogue page: `scope/index.html` → `scope/lookup/index.html`.
pub fn lookup_path(catalogue_path: &str) -> String {
    format!("{}lookup/index.html", dir_of(catalogue_path))
}

/// The data script's path: `scope/index.html` → `scope/scope-data.js`.
pub fn data_path(catalogue_path: &str) -> String {
    format!("{}scope-data.js", dir_of(catalogue_path))
}

fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

/// A resolved link: site-root-relative `href` and the words to show.
#[derive(Debug, Clone, Serialize)]
pub struct LinkOut {
    pub href: String,
    pub label: String,
    /// The target page's title.
    pub title: String,
}

/// Resolves link `n` of the catalogue page (`None`: the field had no link) to a site-root-relative
/// [`LinkOut`].
pub type Links<'a> = dyn Fn(Option<usize>) -> Option<LinkOut> + 'a;

#[derive(Serialize)]
struct ItemView<'a> {
    id: &'a str,
    category: &'a str,
    text: &'a str,
    keywords: &'a [String],
    related: &'a [String],
    departments: &'a [String],
    basis: Option<LinkOut>,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct GroupView<'a> {
    name: &'static str,
    /// Anchor of the group heading.
    id: String,
    items: Vec<ItemView<'a>>,
}

#[derive(Serialize)]
struct OutView<'a> {
    text: &'a str,
    examples: &'a [String],
    cues: &'a [String],
    basis: Option<LinkOut>,
}

/// The catalogue for the catalogue page (hrefs relative to `from`, the page being rendered).
pub fn catalogue_view(
    cat: &Catalogue,
    catalogue_path: &str,
    link_out: &Links<'_>,
    from: &str,
) -> serde_json::Value {
    let rel = |l: Option<LinkOut>| {
        l.map(|mut l| {
            l.href = relative_url(from, &l.href);
            l
        })
    };
    let groups: Vec<GroupView> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(n, name)| GroupView {
            name,
            id: format!("category-{}", n + 1),
            items: cat
                .in_category(name)
                .map(|it| ItemView {
                    id: &it.id,
                    category: &it.category,
                    text: &it.text,
                    keywords: &it.keywords,
                    related: &it.related,
                    departments: &it.departments,
                    basis: rel(link_out(it.basis_link)),
                    note: it.note.as_deref(),
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    let out: Vec<OutView> = cat
        .out_of_scope
        .iter()
        .map(|o| OutView {
            text: &o.text,
            examples: &o.examples,
            cues: &o.cues,
            basis: rel(link_out(o.basis_link)),
        })
        .collect();
    serde_json::json!({
        "groups": groups,
        "out_of_scope": out,
        "count": cat.items.len(),
        "contact": cat.contact,
        "procedure": rel(link_out(cat.procedure_link)),
        "forms": cat.form_links.iter().filter_map(|&l| rel(link_out(Some(l)))).collect::<Vec<_>>(),
        "catalogue": url_path(&relative_url(from, catalogue_path)),
        "lookup": url_path(&relative_url(from, &lookup_path(catalogue_path))),
        "data": url_path(&relative_url(from, &data_path(catalogue_path))),
    })
}

/// `scope-data.js` (its path and text): `PortalScope.register({matcher, display})`, hrefs
/// site-root-relative.
pub fn client_script(
    cat: &Catalogue,
    matcher: &Matcher,
    catalogue_path: &str,
    link_out: &Links<'_>,
) -> (String, String) {
    let items: Vec<serde_json::Value> = cat
        .items
        .iter()
        .map(|it| {
            serde_json::json!({
                "departments": it.departments,
                "basis": link_out(it.basis_link),
                "note": it.note,
            })
        })
        .collect();
    let out: Vec<serde_json::Value> = cat
        .out_of_scope
        .iter()
        .map(|o| serde_json::json!({"text": o.text, "basis": link_out(o.basis_link)}))
        .collect();
    let data = serde_json::json!({
        "matcher": matcher,
        "display": {
            "items": items,
            "out": out,
            "contact": cat.contact,
            "procedure": link_out(cat.procedure_link),
            "forms": cat.form_links.iter().filter_map(|&l| link_out(Some(l))).collect::<Vec<_>>(),
            "catalogue": url_path(catalogue_path),
        }
    });
    let json = serde_json::to_string(&data).expect("scope data serialises");
    let script = format!(
        "/* 评估事项指导目录的查询数据，由 policy-portal 生成 */\n(window.PortalScopeData = window.PortalScopeData || []).push({});\nif (window.PortalScope) window.PortalScope.ready();\n",
        json.replace("</", "<\\/")
    );
    (data_path(catalogue_path), script)
}
