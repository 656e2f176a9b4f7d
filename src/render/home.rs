//! The home page's view: the four jobs (scope lookup, forms, procedure, worksheet) and the newest
//! measures and notices, and the `latest` list every section gets on the home page.

use super::views::{link_view, listed_forms, LinkView};
use crate::content::SortBy;
use crate::page::{Kind, Page};
use crate::site::Site;
use serde::Serialize;
use serde_json::Value;

pub(super) fn latest(site: &Site) -> Value {
    let mut dated: Vec<usize> = (0..site.pages.len())
        .filter(|&i| !site.pages[i].is_section() && site.pages[i].date.is_some())
        .collect();
    dated
        .sort_by(|&a, &b| crate::site::listing_order(&site.pages[a], &site.pages[b], SortBy::Date));
    dated.truncate(10);
    serde_json::to_value(
        dated
            .into_iter()
            .map(|i| link_view(site, i))
            .collect::<Vec<_>>(),
    )
    .expect("views serialise")
}

/// How many measures and notices the home page lists.
pub(super) const HOME_LIST: usize = 6;

/// A page the home page links to, by title.
#[derive(Serialize)]
pub(super) struct HomeLink<'a> {
    title: &'a str,
    path: std::borrow::Cow<'a, str>,
}

/// The forms index, for the home page's 下载打印表格.
#[derive(Serialize)]
pub(super) struct HomeForms<'a> {
    path: std::borrow::Cow<'a, str>,
    count: usize,
}

/// What the home page (`index.html`) is built around, as `home`: the four jobs (the scope box's
/// catalogue, the forms index, the procedure, the worksheet: each `None` when the site has none)
/// and the newest measures and notices (dated ordinary pages), each with the section to see more.
#[derive(Serialize)]
pub(super) struct HomeView<'a> {
    scope: Option<HomeLink<'a>>,
    forms: Option<HomeForms<'a>>,
    procedure: Option<HomeLink<'a>>,
    worksheet: Option<HomeLink<'a>>,
    measures: Vec<LinkView<'a>>,
    measures_more: Option<HomeLink<'a>>,
    notices: Vec<LinkView<'a>>,
    notices_more: Option<HomeLink<'a>>,
}

pub(super) fn home_view(site: &Site) -> HomeView<'_> {
    let visible = |i: &usize| !site.shadowed.contains(i);
    let link = |i: usize| HomeLink {
        title: &site.pages[i].title,
        path: crate::html::url_path(&site.pages[i].path),
    };
    let first_of = |kind: Kind| {
        (0..site.pages.len())
            .filter(visible)
            .find(|&i| site.pages[i].kind == kind)
            .map(link)
    };
    let newest = |keep: &dyn Fn(&Page) -> bool| {
        let mut v: Vec<usize> = (0..site.pages.len())
            .filter(visible)
            .filter(|&i| {
                let p = &site.pages[i];
                !p.is_section() && p.date.is_some() && keep(p)
            })
            .collect();
        // Current documents first, then newest first.
        let void = |i: usize| site.status(i).is_some_and(|s| s.is_void());
        v.sort_by(|&a, &b| {
            void(a).cmp(&void(b)).then_with(|| {
                crate::site::listing_order(&site.pages[a], &site.pages[b], SortBy::Date)
            })
        });
        v.truncate(HOME_LIST);
        v
    };
    // "More" goes to the section holding the newest item, unless that is the home page itself.
    let more = |v: &[usize]| {
        v.first()
            .and_then(|&i| site.parent[i])
            .filter(|&s| s != site.home)
            .map(link)
    };
    let measures = newest(&|p| p.kind == Kind::Measure);
    let notices = newest(&|p| matches!(p.kind, Kind::Notice | Kind::Page));
    let listed = listed_forms(site);
    let forms = listed
        .first()
        .and_then(|l| site.parent[l.page])
        .map(|s| HomeForms {
            path: crate::html::url_path(&site.pages[s].path),
            count: listed.len(),
        });
    HomeView {
        scope: first_of(Kind::Scope),
        forms,
        procedure: first_of(Kind::Procedure),
        worksheet: first_of(Kind::Worksheet),
        measures_more: more(&measures),
        measures: measures.iter().map(|&i| link_view(site, i)).collect(),
        notices_more: more(&notices),
        notices: notices.iter().map(|&i| link_view(site, i)).collect(),
    }
}
