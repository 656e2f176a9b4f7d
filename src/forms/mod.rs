//! Blank standard forms (`kind: form`): the ```form block, its layout on A4 sheets, HTML and .docx.
//!
//! Stages and entries:
//! - parse: [`parse_block`] is the ```form fenced-block parser (registered in `content::page::EMBEDS`;
//!   syntax in `syntax.rs`, merges in `grid.rs`); [`build_form`] takes a form page's front matter
//!   ([`FormSpec`]) and its block, lays it out on its sheets (`layout.rs`) and swaps the block for
//!   the finished form, whose HTML is its sheets.
//! - render: [`render_outputs`] makes the site-wide files — `forms/<id>.docx` (`docx.rs`),
//!   `forms/forms.json` and `forms/layout.css` (`html.rs`) — and checks that ids are unique.
//!
//! Input: the block text and the front matter. Output: [`Form`] (in `Page::form`) and output files.

mod docx;
mod front;
mod grid;
mod html;
mod layout;
mod model;
mod syntax;
pub mod view;

pub use docx::render_docx;
pub use front::FormFront;
pub use html::render_sheets;
pub use layout::fmt_mm;
pub use model::{
    After, Align, Block, Body, Cell, Form, Height, Paper, Part, Repeat, Row, Sheet, SheetItem, Step,
};

use crate::diagnostic::Diagnostic;
use crate::markdown::{Document, Embed, EmbedContext, Link};
use crate::output::OutputFile;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Output path of the page that prints every blank form.
pub const PRINT_ALL_PATH: &str = "forms/print-all/index.html";
/// Output path of the machine-readable list of forms.
pub const LIST_PATH: &str = "forms/forms.json";
/// Output path of the generated size classes.
pub const LAYOUT_CSS_PATH: &str = "forms/layout.css";

/// A form page's own front-matter keys (the common keys are checked by `content::page`).
#[derive(Debug, Clone)]
pub struct FormSpec {
    /// Short id used in file names and `forms.json`: lower-case letters, digits and `-`.
    pub id: String,
    pub paper: Paper,
    /// The procedure steps the form belongs to.
    pub steps: Vec<Step>,
    /// The number of printed pages the form is meant to take.
    pub pages: u32,
    pub version: Option<String>,
}

/// A procedure step as written in `steps:` — `3`, or `"3 广泛征求意见"` (number, then name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef(pub Step);

impl<'de> Deserialize<'de> for StepRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u32),
            Text(String),
        }
        let bad = |s: &str| {
            serde::de::Error::custom(format!(
                "invalid step `{s}`: expected a step number and its name, e.g. `3 广泛征求意见`"
            ))
        };
        match Raw::deserialize(d)? {
            Raw::Number(number) => Ok(StepRef(Step { number, name: None })),
            Raw::Text(s) => {
                let t = s.trim();
                let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
                let number = digits.parse::<u32>().map_err(|_| bad(t))?;
                let name = t[digits.len()..]
                    .trim_start_matches(['.', '、', ' ', '　'])
                    .trim();
                Ok(StepRef(Step {
                    number,
                    name: (!name.is_empty()).then(|| name.to_string()),
                }))
            }
        }
    }
}

/// A parsed ```form block, before its page's front matter is known.
#[derive(Debug)]
pub struct FormBlock {
    pub block: Arc<Block>,
}

/// A finished form standing where its block stood: renders as its sheets.
#[derive(Debug)]
struct FormEmbed {
    form: Arc<Form>,
}

fn block_text(block: &Block) -> String {
    let mut s = String::new();
    let mut push_parts = |parts: &[Part]| {
        for p in parts {
            match p {
                Part::Text(t) => s.push_str(t),
                Part::Check(l) => {
                    s.push('□');
                    s.push_str(l);
                }
                Part::Field(_) => {}
                Part::Date => s.push_str("年月日"),
            }
            s.push(' ');
        }
    };
    let lines = block
        .header
        .iter()
        .chain(block.after.iter().map(|a| match a {
            After::Note(l) | After::Sign(l) => l,
        }));
    for l in lines {
        l.groups.iter().for_each(|g| push_parts(g));
    }
    for cell in block.rows.iter().flat_map(|r| &r.cells) {
        match &cell.body {
            Body::Label(t) => {
                push_parts(&[Part::Text(t.clone())]);
            }
            Body::Inline(p) => push_parts(p),
            Body::Area(t) => t.iter().for_each(|l| push_parts(l)),
            Body::Number => {}
        }
    }
    s.trim_end().to_string()
}

impl Embed for FormBlock {
    fn links(&self) -> Vec<Link> {
        Vec::new()
    }
    fn plain_text(&self) -> String {
        block_text(&self.block)
    }
    /// Only form pages show a form; elsewhere the block is an error reported by the page.
    fn render(&self, _hrefs: &[String]) -> String {
        String::new()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

impl Embed for FormEmbed {
    fn links(&self) -> Vec<Link> {
        Vec::new()
    }
    fn plain_text(&self) -> String {
        block_text(&self.form.block)
    }
    fn render(&self, _hrefs: &[String]) -> String {
        self.form.sheets_html().to_string()
    }
}

/// The ```form fenced-block parser (an [`crate::markdown::EmbedParser`]).
pub fn parse_block(text: &str, cx: &EmbedContext<'_>) -> Result<Box<dyn Embed>, Vec<Diagnostic>> {
    let src = syntax::Source {
        path: cx.path,
        first_line: cx.first_line,
    };
    let block = syntax::parse_block(text, &src)?;
    Ok(Box::new(FormBlock {
        block: Arc::new(block),
    }))
}

/// Where a form page's front matter and block are, for its diagnostics.
pub struct PageRef<'a> {
    pub source: &'a str,
    pub title: &'a str,
    /// The Markdown body.
    pub body: &'a str,
    /// `key → file line` of the front matter.
    pub key_lines: &'a BTreeMap<String, usize>,
}

impl PageRef<'_> {
    fn line(&self, key: &str) -> usize {
        self.key_lines.get(key).copied().unwrap_or(1)
    }
}

/// Builds a form page's [`Form`] from its front matter and its one ```form block (replacing the block
/// in `doc` by the finished form). Every problem is pushed to `diags`.
pub fn build_form(
    spec: FormSpec,
    doc: &mut Document,
    page: &PageRef<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arc<Form>> {
    let before = diags.len();
    if !is_id(&spec.id) {
        diags.push(Diagnostic::error(page.source, page.line("id"), 1, format!("id `{}` is not usable in a file name: expected lower-case letters, digits and `-`, e.g. `approval`", spec.id)));
    }
    if !(1..=20).contains(&spec.pages) {
        diags.push(Diagnostic::error(
            page.source,
            page.line("pages"),
            1,
            format!(
                "`pages: {}`: expected the number of printed pages, 1 to 20",
                spec.pages
            ),
        ));
    }
    let blocks: Vec<(usize, Arc<Block>)> = doc
        .embeds()
        .enumerate()
        .filter_map(|(i, e)| Some((i, e.as_any()?.downcast_ref::<FormBlock>()?.block.clone())))
        .collect();
    let (index, block) = match blocks.as_slice() {
        [one] => one.clone(),
        [] => {
            if diags.len() == before && !has_form_fence(page.body) {
                diags.push(Diagnostic::error(page.source, 1, 1, "a `kind: form` page needs its table: add a ```form block (see the README, \"Standard forms\")"));
            }
            return None;
        }
        [_, second, ..] => {
            diags.push(Diagnostic::error(page.source, second.1.first_line.saturating_sub(1), 1, "a second ```form block: a form page holds one table (put a second form in its own file)"));
            return None;
        }
    };
    if diags.len() > before {
        return None;
    }
    let sheets = match layout::lay_out(
        &block,
        &layout::Spec {
            paper: spec.paper,
            pages: spec.pages,
            title: page.title,
        },
    ) {
        Ok(s) => s,
        Err(problems) => {
            diags.extend(problems.into_iter().map(|p| match p {
                layout::Problem::At { line, col, message } => {
                    Diagnostic::error(page.source, line, col, message)
                }
                layout::Problem::Key { key, message } => {
                    Diagnostic::error(page.source, page.line(key), 1, message)
                }
            }));
            return None;
        }
    };
    let form = Arc::new(Form {
        id: spec.id,
        title: page.title.to_string(),
        paper: spec.paper,
        pages: spec.pages,
        steps: spec.steps,
        version: spec.version,
        block,
        sheets,
        html: Default::default(),
        docx: Default::default(),
    });
    doc.replace_embed(index, Arc::new(FormEmbed { form: form.clone() }));
    Some(form)
}

/// True when the body has a ```form fence (whose mistakes were reported when it was parsed).
fn has_form_fence(body: &str) -> bool {
    body.lines().any(|l| {
        l.trim_start()
            .strip_prefix("```")
            .is_some_and(|info| info.split_whitespace().next() == Some("form"))
    })
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 60
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

/// The file line of the first ```form fence in a document, if any (pages of other kinds may not
/// hold one).
pub fn form_block_line(doc: &Document) -> Option<usize> {
    doc.embeds()
        .find_map(|e| e.as_any()?.downcast_ref::<FormBlock>())
        .map(|b| b.block.first_line.saturating_sub(1))
}

/// One entry of `forms/forms.json`.
#[derive(Serialize)]
struct ListEntry<'a> {
    id: &'a str,
    title: &'a str,
    pages: u32,
    paper: &'static str,
    html: &'a str,
    docx: String,
}

/// A form with the page that shows it, in listing order.
pub struct Listed<'a> {
    pub form: &'a Form,
    /// Index of the form page in the site's pages.
    pub page: usize,
    /// The form page's output path (`forms/approval/index.html`).
    pub path: &'a str,
    /// The form page's source, for diagnostics.
    pub source: &'a str,
    pub weight: i64,
}

/// Orders forms by their first procedure step, then weight, then id.
pub fn sort_listed(forms: &mut [Listed<'_>]) {
    let first_step = |f: &Form| f.steps.iter().map(|s| s.number).min().unwrap_or(u32::MAX);
    forms.sort_by(|a, b| {
        (first_step(a.form), a.weight, &a.form.id).cmp(&(first_step(b.form), b.weight, &b.form.id))
    });
}

/// Site-wide form files: each form's `.docx`, `forms/forms.json` and `forms/layout.css`. Two forms
/// with one id are errors.
pub fn render_outputs(forms: &[Listed<'_>]) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut diags = Vec::new();
    for l in forms {
        if let Some(other) = seen.insert(&l.form.id, l.source) {
            diags.push(Diagnostic::file(
                l.source,
                format!(
                    "form id `{}` is also used by `{other}`: each form needs its own id",
                    l.form.id
                ),
            ));
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    if forms.is_empty() {
        return Ok(Vec::new());
    }
    use rayon::prelude::*;
    let mut files: Vec<OutputFile> = forms
        .par_iter()
        .map(|l| OutputFile::bytes(l.form.docx_path(), l.form.docx_bytes().to_vec()))
        .collect();
    let list: Vec<ListEntry> = forms
        .iter()
        .map(|l| ListEntry {
            id: &l.form.id,
            title: &l.form.title,
            pages: l.form.pages,
            paper: l.form.paper.name(),
            html: l.path,
            docx: l.form.docx_path(),
        })
        .collect();
    let mut json = serde_json::to_string_pretty(&list).expect("forms serialise");
    json.push('\n');
    files.push(OutputFile::bytes(LIST_PATH, json.into_bytes()));
    let all: Vec<&Form> = forms.iter().map(|l| l.form).collect();
    files.push(OutputFile::bytes(
        LAYOUT_CSS_PATH,
        html::layout_css(&all).into_bytes(),
    ));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_read_numbers_and_names() {
        let s: Vec<StepRef> = serde_json::from_str(r#"[3, "6 形成评估报告", "12、归档"]"#).unwrap();
        assert_eq!(
            s[0].0,
            Step {
                number: 3,
                name: None
            }
        );
        assert_eq!(
            s[1].0,
            Step {
                number: 6,
                name: Some("形成评估报告".into())
            }
        );
        assert_eq!(s[2].0.name.as_deref(), Some("归档"));
        assert!(serde_json::from_str::<Vec<StepRef>>(r#"["归档"]"#).is_err());
    }

    #[test]
    fn ids() {
        assert!(is_id("annual-plan") && is_id("a1"));
        assert!(!is_id("Annual") && !is_id("a/b") && !is_id("") && !is_id("-a"));
    }
}
