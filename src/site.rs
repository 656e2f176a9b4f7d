//! Assemble: parsed pages → a [`Site`] with sections, listings, tags and checked links.
//!
//! Stage: assemble (pure). Input: the [`Config`], parsed [`Page`]s and content [`Asset`]s. Output: a
//! [`Site`] whose every internal link, anchor, attachment and menu entry is known to resolve, plus the
//! diagnostics for those that do not and for output paths claimed twice.

use crate::config::{Config, MenuTarget, CONFIG_FILE};
use crate::content::{Asset, SortBy};
use crate::diagnostic::Diagnostic;
use crate::html::url_path;
use crate::markdown::{Link, LinkTarget};
use crate::output::relative_url;
pub use crate::output::root_prefix;
use crate::page::Page;
use crate::scope::view::LinkOut;
use crate::scope::Matcher;
use crate::text::Synonyms;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The whole site, ready to render.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Every page, sorted by content path; `pages[home]` is the root section.
    pub pages: Vec<Arc<Page>>,
    pub home: usize,
    /// Content path (`a/b.md`) → index into `pages`.
    pub by_rel: HashMap<String, usize>,
    /// For each page, the section that lists it (`None` for the home section).
    pub parent: Vec<Option<usize>>,
    /// For each section (by page index): its pages and its subsections, in listing order.
    pub children: HashMap<usize, Children>,
    /// Tag name → its URL slug and pages (in date order, newest first).
    pub tags: BTreeMap<String, Tag>,
    pub assets: Vec<Asset>,
    /// Asset content path → index into `assets`.
    pub asset_index: HashMap<String, usize>,
    /// Pages whose output path an earlier page already claimed (reported; not rendered).
    pub shadowed: std::collections::HashSet<usize>,
    /// The policy documents' versions, 解读 and effective status, by page index.
    pub relations: crate::policy::relations::Relations,
}

/// What a section lists.
#[derive(Debug, Default, Clone)]
pub struct Children {
    pub pages: Vec<usize>,
    pub subsections: Vec<usize>,
}

/// A tag's page.
#[derive(Debug, Clone)]
pub struct Tag {
    pub slug: String,
    pub pages: Vec<usize>,
}

impl Site {
    /// Output path of a tag's page.
    pub fn tag_path(&self, name: &str) -> String {
        format!("tags/{}/index.html", self.tags[name].slug)
    }

    /// Ancestor sections of a page, from the home section down (the page itself excluded).
    pub fn ancestors(&self, page: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.parent[page];
        while let Some(p) = cur {
            chain.push(p);
            cur = self.parent[p];
        }
        chain.reverse();
        chain
    }

    /// The `href` of a link written in `from`'s source, relative to `from`'s output file.
    /// Unresolvable links (already reported) give an empty string.
    pub fn resolve_link(&self, from: usize, link: &Link) -> String {
        let from_path = &self.pages[from].path;
        match &link.target {
            LinkTarget::Content { path, anchor } => match self.by_rel.get(path.as_str()) {
                Some(&i) => with_anchor(
                    url_path(&relative_url(from_path, &self.pages[i].path)).into_owned(),
                    anchor
                        .as_deref()
                        .map(|a| self.pages[i].doc.anchor_for(a).unwrap_or(a)),
                ),
                None => String::new(),
            },
            LinkTarget::SamePage { anchor } => {
                format!(
                    "#{}",
                    self.pages[from].doc.anchor_for(anchor).unwrap_or(anchor)
                )
            }
            LinkTarget::Asset { path } => url_path(&relative_url(from_path, path)).into_owned(),
            LinkTarget::External { url } => url.clone(),
        }
    }

    /// The output path of page `i`'s 新旧条文对照 page: a measure with articles that replaces an
    /// earlier measure with articles gets one, beside it (`measures/a/compare/index.html`).
    pub fn compare_path(&self, i: usize) -> Option<String> {
        self.compare_base(i)?;
        let dir = self.pages[i].path.strip_suffix("index.html")?;
        Some(format!("{dir}compare/index.html"))
    }

    /// The version page `i`'s comparison page compares it with: its nearest predecessor, when both
    /// are measures with articles.
    pub fn compare_base(&self, i: usize) -> Option<usize> {
        let p = &self.pages[i];
        if p.kind != crate::page::Kind::Measure || p.doc.articles.is_empty() {
            return None;
        }
        self.relations
            .predecessors
            .get(i)?
            .iter()
            .copied()
            .find(|&o| {
                self.pages[o].kind == crate::page::Kind::Measure
                    && !self.pages[o].doc.articles.is_empty()
            })
    }

    /// The status page `i` shows (see `policy::relations`).
    pub fn status(&self, i: usize) -> Option<crate::content::Status> {
        self.relations.status.get(i).copied().flatten()
    }

    /// The first `kind: scope` page of the site (the catalogue the lookup answers from).
    pub fn catalogue_page(&self) -> Option<usize> {
        self.pages.iter().position(|p| p.scope.is_some())
    }

    /// The matcher of the site's catalogue, with the site's synonyms, and the catalogue's page.
    pub fn scope_matcher(&self) -> Option<(usize, Matcher)> {
        let i = self.catalogue_page()?;
        let cat = self.pages[i].scope.as_deref()?;
        let synonyms = Synonyms::new(&self.config.search.synonym_groups());
        Some((i, Matcher::new(cat, &synonyms)))
    }

    /// Link `n` of page `page`, resolved to a site-root-relative URL with a label (`《办法》第七条`),
    /// for kinds that show links outside the page's body (the scope catalogue's basis links).
    pub fn link_out(&self, page: usize, n: Option<usize>) -> Option<LinkOut> {
        let link = self.pages[page].doc.links.get(n?)?;
        let LinkTarget::Content { path, anchor } = &link.target else {
            return None;
        };
        let target = &self.pages[*self.by_rel.get(path.as_str())?];
        let anchor = anchor.as_deref().filter(|a| !a.is_empty());
        let path = url_path(&target.path);
        let href = match anchor {
            Some(a) => format!("{path}#{}", target.doc.anchor_for(a).unwrap_or(a)),
            None => path.into_owned(),
        };
        let label = match anchor {
            Some(a) => format!("《{}》{a}", target.title),
            None => target.title.clone(),
        };
        Some(LinkOut {
            href,
            label,
            title: target.title.clone(),
        })
    }
}

fn with_anchor(url: String, anchor: Option<&str>) -> String {
    match anchor {
        Some(a) if !a.is_empty() => format!("{url}#{a}"),
        _ => url,
    }
}

/// Builds the site from parsed pages; drafts are dropped unless `drafts` is set.
pub fn assemble(
    config: Config,
    mut pages: Vec<Arc<Page>>,
    assets: Vec<Asset>,
    drafts: bool,
) -> (Site, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut assets = assets;
    if !drafts {
        // A draft bundle's attachments are as unpublished as its page.
        let hidden: Vec<String> = pages
            .iter()
            .filter(|p| p.draft)
            .filter_map(|p| p.rel.strip_suffix("index.md").filter(|d| d.ends_with('/')))
            .map(str::to_string)
            .collect();
        assets.retain(|a| !hidden.iter().any(|d| a.rel.starts_with(d.as_str())));
    }
    pages.retain(|p| drafts || !p.draft);
    if !pages.iter().any(|p| p.rel == "_index.md") {
        pages.push(Arc::new(Page::implicit_home(&config.title)));
    }
    pages.sort_by(|a, b| a.rel.cmp(&b.rel));
    let by_rel: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.rel.clone(), i))
        .collect();
    let home = by_rel["_index.md"];
    let (shadowed, refused) = check_output_paths(&pages, &assets, &mut diags);
    assets.retain(|a| !refused.contains(&format!("content/{}", a.rel)));
    let parent = find_parents(&pages, &by_rel, home);
    let children = list_children(&pages, &parent);
    let tags = collect_tags(&mut pages, &mut diags);
    let asset_index = assets
        .iter()
        .enumerate()
        .map(|(i, a)| (a.rel.clone(), i))
        .collect();
    let mut site = Site {
        config,
        pages,
        home,
        by_rel,
        parent,
        children,
        tags,
        assets,
        asset_index,
        shadowed,
        relations: Default::default(),
    };
    check_links(&site, &mut diags);
    let (relations, d) = document_relations(&site);
    site.relations = relations;
    diags.extend(d);
    check_compare_paths(&site, &mut diags);
    check_menus(&site, &mut diags);
    check_catalogues(&site, &mut diags);
    (site, diags)
}

/// The policy documents' relations (see `policy::relations`), checked.
fn document_relations(site: &Site) -> (crate::policy::relations::Relations, Vec<Diagnostic>) {
    use crate::policy::relations::{resolve, DocInput};
    let docs: Vec<Option<DocInput>> = site
        .pages
        .iter()
        .map(|p| {
            Some(DocInput {
                source: &p.source,
                kind: p.kind.doc_kind()?,
                meta: p.meta.as_ref()?,
                links: &p.doc.links,
                key_lines: &p.key_lines,
            })
        })
        .collect();
    let find = |path: &str| site.by_rel.get(path).copied();
    resolve(&docs, &find, &crate::content::fields::today())
}

/// The comparison page of a measure that replaces another (`<measure>/compare/index.html`) must
/// not land on a page or file of the content.
fn check_compare_paths(site: &Site, diags: &mut Vec<Diagnostic>) {
    for i in 0..site.pages.len() {
        let Some(path) = site.compare_path(i) else {
            continue;
        };
        let lower = path.to_lowercase();
        if let Some(p) = site.pages.iter().find(|p| p.path.to_lowercase() == lower) {
            diags.push(Diagnostic::error(&p.source, p.line_of("slug"), 1, format!("its output `{path}` is the 新旧条文对照 page portal makes for `{}`: change the `slug` or rename the file", site.pages[i].source)));
        }
    }
}

/// Reports output paths claimed twice; returns the pages that lost (not to be rendered).
fn check_output_paths(
    pages: &[Arc<Page>],
    assets: &[Asset],
    diags: &mut Vec<Diagnostic>,
) -> (
    std::collections::HashSet<usize>,
    std::collections::HashSet<String>,
) {
    let mut claimed: HashMap<String, &str> = HashMap::new();
    let mut shadowed = std::collections::HashSet::new();
    for (i, p) in pages.iter().enumerate() {
        if let Some(&other) = claimed.get(&p.path.to_lowercase()) {
            shadowed.insert(i);
            diags.push(Diagnostic::error(
                &p.source,
                p.line_of("slug"),
                1,
                format!("`{}` is also published by `{other}`: each page needs its own URL (rename a file or change its `slug`)", p.path),
            ));
        } else {
            claimed.insert(p.path.to_lowercase(), &p.source);
        }
    }
    for a in assets {
        if let Some(other) = claimed.get(&a.rel.to_lowercase()) {
            diags.push(Diagnostic::file(
                format!("content/{}", a.rel),
                format!("would overwrite the page published by `{other}`: rename the file"),
            ));
        }
    }
    let refused = check_generated_paths(pages, assets, diags);
    for (i, p) in pages.iter().enumerate() {
        if refused.contains(&p.source) {
            shadowed.insert(i);
        }
    }
    (shadowed, refused)
}

/// What portal itself writes at the top of the output folder, and what it is.
const GENERATED: [(&str, &str); 8] = [
    ("404.html", "the not-found page"),
    ("sitemap.xml", "the sitemap"),
    ("favicon.svg", "the theme's icon"),
    ("search", "the search page and its index"),
    ("tags", "the tag pages"),
    ("js", "the theme's scripts"),
    ("css", "the theme's style sheets"),
    ("index.html", "the home page"),
];

/// Reports pages and attachments whose output path collides with a page portal generates
/// (`search/`, `tags/`, `sitemap.xml` …), and paths where one source's file would have to be
/// another's folder (a slug `index.html` under the home page's `index.html`).
/// Returns the sources refused (not to be rendered or copied).
fn check_generated_paths(
    pages: &[Arc<Page>],
    assets: &[Asset],
    diags: &mut Vec<Diagnostic>,
) -> std::collections::HashSet<String> {
    let mut refused = std::collections::HashSet::new();
    let mut files: HashMap<String, String> = HashMap::new();
    for p in pages {
        files.insert(p.path.to_lowercase(), p.source.clone());
    }
    for a in assets {
        files
            .entry(a.rel.to_lowercase())
            .or_insert_with(|| format!("content/{}", a.rel));
    }
    let mut report = |source: &str, line: usize, message: String| {
        refused.insert(source.to_string());
        diags.push(Diagnostic::error(
            source,
            line,
            if line > 0 { 1 } else { 0 },
            message,
        ));
    };
    let line_of = |source: &str| {
        pages
            .iter()
            .find(|p| p.source == source)
            .map_or(0, |p| p.line_of("slug"))
    };
    let mut sorted: Vec<(&String, &String)> = files.iter().collect();
    sorted.sort();
    for (path, source) in sorted {
        let first = path.split('/').next().unwrap_or("");
        if let Some((name, what)) = GENERATED.iter().find(|(g, _)| *g == first) {
            let is_home = path == "index.html";
            if !is_home {
                report(
                    source,
                    line_of(source),
                    format!("its output `{path}` collides with `{name}`, {what}, which portal writes itself: change the `slug` or rename the file"),
                );
                continue;
            }
        }
        let mut dir = path.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if let Some(other) = files.get(parent) {
                report(
                    source,
                    line_of(source),
                    format!("its output `{path}` needs a folder `{parent}`, but `{other}` is published as the file `{parent}`: change a `slug` or rename a file"),
                );
                break;
            }
            dir = parent;
        }
    }
    refused
}

fn find_parents(
    pages: &[Arc<Page>],
    by_rel: &HashMap<String, usize>,
    home: usize,
) -> Vec<Option<usize>> {
    pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i == home {
                return None;
            }
            let mut dir = p.section_dir.as_str();
            loop {
                let index = if dir.is_empty() {
                    "_index.md".to_string()
                } else {
                    format!("{dir}/_index.md")
                };
                if let Some(&s) = by_rel.get(&index) {
                    if s != i {
                        return Some(s);
                    }
                }
                if dir.is_empty() {
                    return Some(home);
                }
                dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
            }
        })
        .collect()
}

fn list_children(pages: &[Arc<Page>], parent: &[Option<usize>]) -> HashMap<usize, Children> {
    let mut children: HashMap<usize, Children> = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        if p.is_section() {
            children.entry(i).or_default();
        }
        if let Some(s) = parent[i] {
            let c = children.entry(s).or_default();
            if p.is_section() {
                c.subsections.push(i);
            } else {
                c.pages.push(i);
            }
        }
    }
    for (&s, c) in children.iter_mut() {
        let by = pages[s].sort_by;
        c.pages
            .sort_by(|&a, &b| listing_order(&pages[a], &pages[b], by));
        c.subsections
            .sort_by(|&a, &b| listing_order(&pages[a], &pages[b], SortBy::Weight));
    }
    children
}

/// Listing order of two pages under a section's `sort_by`; content path breaks every tie.
pub fn listing_order(a: &Page, b: &Page, by: SortBy) -> std::cmp::Ordering {
    let weight = a.weight.cmp(&b.weight);
    let newest = b.date.cmp(&a.date);
    let title = a.title.cmp(&b.title);
    let primary = match by {
        SortBy::Weight => weight.then(newest).then(title),
        SortBy::Date => newest.then(weight).then(title),
        SortBy::Title => title.then(weight),
    };
    primary.then_with(|| a.rel.cmp(&b.rel))
}

/// The site's tags. Spellings that differ only in letter case or character width (`PPP项目`,
/// `ppp项目`, `ＰＰＰ项目`) are one tag, named as the first page (in content order) writes it: the
/// other pages' spellings are replaced, with a warning naming both files. Different tags that
/// would share one URL (`A/B`, `A B`), and tags with nothing to name them by (`……`), are errors.
fn collect_tags(pages: &mut [Arc<Page>], diags: &mut Vec<Diagnostic>) -> BTreeMap<String, Tag> {
    // Folded spelling → (first spelling, its page); URL slug → the same.
    let mut spelled: HashMap<String, (String, usize)> = HashMap::new();
    let mut slugs: HashMap<String, (String, usize)> = HashMap::new();
    for i in 0..pages.len() {
        let mut names: Vec<String> = Vec::with_capacity(pages[i].tags.len());
        for t in &pages[i].tags {
            let p = &pages[i];
            if crate::text::units(t).is_empty() {
                diags.push(Diagnostic::error(&p.source, p.line_of("tags"), 1, format!("tag `{t}` has no letters, digits or Chinese characters: expected a word, e.g. 征地补偿")));
                continue;
            }
            let key = crate::text::fold(t.trim());
            let name = match spelled.get(&key) {
                Some((first, at)) => {
                    if first != t {
                        diags.push(Diagnostic::warning(&p.source, p.line_of("tags"), 1, format!("tag `{t}` is written `{first}` in `{}`: listed as one tag, `{first}` (write it the same way everywhere)", pages[*at].source)));
                    }
                    first.clone()
                }
                None => {
                    let slug = tag_slug(t);
                    if let Some((other, at)) = slugs.get(&slug) {
                        let whose = if *at == i {
                            "this page".to_string()
                        } else {
                            format!("`{}`", pages[*at].source)
                        };
                        diags.push(Diagnostic::error(&p.source, p.line_of("tags"), 1, format!("tag `{t}` would have the same address `tags/{slug}/` as the tag `{other}` of {whose}: rename one of them")));
                        continue;
                    }
                    slugs.insert(slug, (t.clone(), i));
                    spelled.insert(key, (t.clone(), i));
                    t.clone()
                }
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names != pages[i].tags {
            Arc::make_mut(&mut pages[i]).tags = names;
        }
    }
    let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        for t in &p.tags {
            let tag = tags.entry(t.clone()).or_insert_with(|| Tag {
                slug: tag_slug(t),
                pages: Vec::new(),
            });
            tag.pages.push(i);
        }
    }
    for tag in tags.values_mut() {
        tag.pages
            .sort_by(|&a, &b| listing_order(&pages[a], &pages[b], SortBy::Date));
        tag.pages.dedup();
    }
    tags
}

/// A tag's URL segment: its text with anything but letters, digits, `-` and `_` turned into `-`.
pub fn tag_slug(name: &str) -> String {
    let s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "tag".into()
    } else {
        s
    }
}

fn check_links(site: &Site, diags: &mut Vec<Diagnostic>) {
    for page in &site.pages {
        for link in &page.doc.links {
            if let Some(message) = link_problem(site, page, link) {
                diags.push(Diagnostic::error(
                    &page.source,
                    link.line,
                    link.col,
                    message,
                ));
            }
        }
    }
}

fn link_problem(site: &Site, page: &Page, link: &Link) -> Option<String> {
    match &link.target {
        LinkTarget::Content { path, anchor } => {
            let Some(&target) = site.by_rel.get(path.as_str()) else {
                return Some(format!("broken link `{}`: there is no `content/{path}`{}", link.raw, suggest(site, path)));
            };
            let anchor = anchor.as_deref().filter(|a| !a.is_empty())?;
            let t = &site.pages[target];
            t.doc.anchor_for(anchor).is_none().then(|| {
                format!("broken link `{}`: `content/{path}` has no anchor `#{anchor}`{}", link.raw, suggest_anchor(t, anchor))
            })
        }
        LinkTarget::SamePage { anchor } => (!anchor.is_empty() && page.doc.anchor_for(anchor).is_none())
            .then(|| format!("broken link `{}`: this page has no anchor `#{anchor}`{}", link.raw, suggest_anchor(page, anchor))),
        LinkTarget::Asset { path } => (!site.asset_index.contains_key(path.as_str()))
            .then(|| format!("broken link `{}`: there is no file `content/{path}` (attachments live beside the page in `content/`)", link.raw)),
        LinkTarget::External { url } => url.starts_with('/').then(|| {
            format!("link `{url}` starts at the server root: it breaks at a sub-path and from disk; expected `@/path/to/file.md`")
        }),
    }
}

fn suggest(site: &Site, path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    match site
        .pages
        .iter()
        .find(|p| p.rel.rsplit('/').next() == Some(name))
    {
        Some(p) => format!(" (did you mean `@/{}`?)", p.rel),
        None => String::new(),
    }
}

fn suggest_anchor(page: &Page, anchor: &str) -> String {
    let near = page
        .doc
        .anchors
        .iter()
        .find(|a| a.contains(anchor) || anchor.contains(a.as_str()));
    match near {
        Some(a) => format!(" (did you mean `#{a}`?)"),
        None => String::new(),
    }
}

/// The scope lookup answers from one 评估事项指导目录: a second `kind: scope` page is an error.
fn check_catalogues(site: &Site, diags: &mut Vec<Diagnostic>) {
    let mut catalogues = site.pages.iter().filter(|p| p.scope.is_some());
    if let Some(first) = catalogues.next() {
        for p in catalogues {
            diags.push(Diagnostic::error(
                &p.source,
                p.line_of("kind"),
                1,
                format!("a second scope catalogue: the lookup answers from `{}` only; put all items in that one page or set another `kind`", first.source),
            ));
        }
    }
}

fn check_menus(site: &Site, diags: &mut Vec<Diagnostic>) {
    let lists = site
        .config
        .menus
        .iter()
        .map(|(name, items)| (format!("menu `{name}`"), items))
        .chain(std::iter::once((
            "footer.links".to_string(),
            &site.config.footer_links,
        )));
    for (what, items) in lists {
        for item in items {
            if let MenuTarget::Page(p) = &item.target {
                if !site.by_rel.contains_key(p.as_str()) {
                    diags.push(Diagnostic::error(
                        CONFIG_FILE,
                        item.line,
                        1,
                        format!(
                            "{what} entry `{}` names `@/{p}`, but there is no `content/{p}`",
                            item.name
                        ),
                    ));
                }
            }
        }
    }
}

/// The template a page asks for: its `template:`, else its kind's (`section.html`, `measure.html`,
/// `form.html` …); the renderer falls back to `page.html` when a kind has no template of its own.
pub fn template_for(page: &Page) -> String {
    match &page.template {
        Some(t) => t.clone(),
        None => format!("{}.html", page.kind.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_walk_up_from_the_output_file() {
        assert_eq!(
            relative_url("index.html", "a/b/index.html"),
            "a/b/index.html"
        );
        assert_eq!(
            relative_url("a/b/index.html", "index.html"),
            "../../index.html"
        );
        assert_eq!(
            relative_url("a/index.html", "c/index.html"),
            "../c/index.html"
        );
        assert_eq!(root_prefix("a/b/index.html"), "../../");
    }

    #[test]
    fn tag_slugs_keep_chinese() {
        assert_eq!(tag_slug("政策解读"), "政策解读");
        assert_eq!(tag_slug("A/B c"), "a-b-c");
    }
}
