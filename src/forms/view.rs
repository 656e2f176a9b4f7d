//! Form views: a form as templates see it (form pages, the forms index, the print-all page), and
//! the forms index grouped by procedure step.

use super::{Form, Listed, Step};
use serde::Serialize;
use std::collections::BTreeMap;

/// A form as templates see it (form pages, the forms index, the print-all page).
#[derive(Serialize)]
pub struct FormView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// The form page (site-root-relative, percent-encoded for an `href`).
    pub path: std::borrow::Cow<'a, str>,
    /// The Word file (site-root-relative).
    pub docx: String,
    pub pages: u32,
    pub paper: &'static str,
    /// `A4 纵向` / `A4 横向`.
    pub paper_label: &'static str,
    pub version: Option<&'a str>,
    pub steps: Vec<StepView<'a>>,
    /// The form's sheets (HTML), on the print-all page only.
    pub sheets: Option<&'a str>,
}

#[derive(Serialize)]
pub struct StepView<'a> {
    pub number: u32,
    pub name: Option<&'a str>,
}

/// Forms grouped under a procedure step (the forms index).
#[derive(Serialize)]
pub struct FormGroupView<'a> {
    pub number: Option<u32>,
    pub name: String,
    pub forms: Vec<FormView<'a>>,
}

pub fn form_view<'a>(f: &'a Form, path: &'a str, sheets: bool) -> FormView<'a> {
    FormView {
        id: &f.id,
        title: &f.title,
        path: crate::html::url_path(path),
        docx: crate::html::url_path(&f.docx_path()).into_owned(),
        pages: f.pages,
        paper: f.paper.name(),
        paper_label: if f.paper.is_landscape() {
            "A4 横向"
        } else {
            "A4 纵向"
        },
        version: f.version.as_deref(),
        steps: f
            .steps
            .iter()
            .map(|s| StepView {
                number: s.number,
                name: s.name.as_deref(),
            })
            .collect(),
        sheets: sheets.then(|| f.sheets_html()),
    }
}

/// Forms grouped by procedure step (a form in two steps is listed under both); forms without a
/// step come last under 其他表格.
pub fn form_groups<'a>(listed: &[Listed<'a>]) -> Vec<FormGroupView<'a>> {
    let mut groups: BTreeMap<Option<u32>, FormGroupView<'a>> = BTreeMap::new();
    for l in listed {
        let steps: Vec<Option<&Step>> = if l.form.steps.is_empty() {
            vec![None]
        } else {
            l.form.steps.iter().map(Some).collect()
        };
        for step in steps {
            let key = step.map(|s| s.number);
            let name = match step {
                Some(s) => s
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("第{}步", s.number)),
                None => "其他表格".to_string(),
            };
            let g = groups.entry(key).or_insert_with(|| FormGroupView {
                number: key,
                name,
                forms: Vec::new(),
            });
            g.forms.push(form_view(l.form, l.path, false));
        }
    }
    let (mut numbered, none): (Vec<_>, Vec<_>) =
        groups.into_values().partition(|g| g.number.is_some());
    numbered.extend(none);
    numbered
}
