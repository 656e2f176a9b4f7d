//! Pages: a Markdown source parsed into a typed page.
//!
//! Stage: parse. Input: a [`SourceFile`]. Output: a [`Page`] (front matter typed by `kind`, body parsed
//! once into a [`Document`]) and its diagnostics. Every kind has its model: `scope` pages carry a
//! validated catalogue (`crate::scope`), `form` and `worksheet` pages theirs; a scope page's basis,
//! procedure and form links are appended to its `doc.links`, so they are checked like body links.

use crate::content::fields::{check_date, Date, SortBy, Status, StringList};
use crate::content::front_matter::{from_yaml, from_yaml_all, key_line, split, KindProbe};
use crate::content::{front_matter, SourceFile};
use crate::diagnostic::Diagnostic;
use crate::markdown::{parse_markdown, Document, EmbedParser, ParseOptions};
use crate::policy::relations::DocKind;
use crate::policy::{AttachmentSpec, DocLinks, DocMeta, FrontAt};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fenced-block languages rendered by other modules, in every kind of page: each entry maps a
/// language (```flow) to its parser. Register a module's block here.
pub static EMBEDS: &[(&str, EmbedParser)] = &[
    ("flow", crate::flow::parse_block),
    ("form", crate::forms::parse_block),
];

/// What a page is, selected by `kind:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Page,
    Section,
    Measure,
    Scope,
    Procedure,
    Form,
    Worksheet,
    Notice,
    Interpretation,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Page,
        Kind::Section,
        Kind::Measure,
        Kind::Scope,
        Kind::Procedure,
        Kind::Form,
        Kind::Worksheet,
        Kind::Notice,
        Kind::Interpretation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Section => "section",
            Kind::Measure => "measure",
            Kind::Scope => "scope",
            Kind::Procedure => "procedure",
            Kind::Form => "form",
            Kind::Worksheet => "worksheet",
            Kind::Notice => "notice",
            Kind::Interpretation => "interpretation",
        }
    }

    /// The Chinese label shown to readers (search filters, listings).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Page => "页面",
            Kind::Section => "栏目",
            Kind::Measure => "办法",
            Kind::Scope => "范围事项",
            Kind::Procedure => "流程",
            Kind::Form => "表格",
            Kind::Worksheet => "工作表",
            Kind::Notice => "通知",
            Kind::Interpretation => "解读",
        }
    }

    /// The policy-document kind (`crate::policy`), if this is one.
    pub fn doc_kind(self) -> Option<DocKind> {
        match self {
            Kind::Measure => Some(DocKind::Measure),
            Kind::Notice => Some(DocKind::Notice),
            Kind::Interpretation => Some(DocKind::Interpretation),
            _ => None,
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }
}

front_matter!(
    /// Front matter of the fully modelled kinds (page, section and the policy documents: measure,
    /// notice, interpretation): unknown keys are errors.
    #[serde(deny_unknown_fields)]
    StrictFront {
        /// Section only: how pages are ordered.
        #[serde(default)]
        pub sort_by: Option<SortBy>,
        /// Measure: 文号.
        #[serde(default)]
        pub doc_number: Option<String>,
        /// Measure: 发布机构.
        #[serde(default)]
        pub issuer: Option<String>,
        /// Measure: 成文日期.
        #[serde(default)]
        pub written_date: Option<Date>,
        /// Measure: 施行日期.
        #[serde(default)]
        pub effective_date: Option<Date>,
        /// Measure: 状态.
        #[serde(default)]
        pub status: Option<Status>,
        /// Measure: 索引号.
        #[serde(default)]
        pub index_number: Option<String>,
        /// Measure: 主题词.
        #[serde(default)]
        pub keywords: StringList,
        /// Measure: 分类.
        #[serde(default)]
        pub category: Option<String>,
        /// Measure, notice: the older versions this document replaces (`@/…` links).
        #[serde(default)]
        pub supersedes: StringList,
        /// Measure, notice: the document that replaces this one (`@/…`).
        #[serde(default)]
        pub superseded_by: Option<String>,
        /// Measure, notice: 废止日期.
        #[serde(default)]
        pub repealed_date: Option<Date>,
        /// Measure, notice: 有效期至 (after it, the page shows 已失效).
        #[serde(default)]
        pub valid_until: Option<Date>,
        /// Interpretation: the document it explains (`@/measures/….md`), required.
        #[serde(default)]
        pub interprets: Option<String>,
        /// Notice: 主送.
        #[serde(default)]
        pub recipients: Option<String>,
        /// Notice: 抄送.
        #[serde(default)]
        pub cc: Option<String>,
        /// Any page: files it attaches (`年度计划表.xlsx`, `{file: …, title: …}`, or a form
        /// `@/forms/annual-plan.md` as its .docx).
        #[serde(default)]
        pub attachments: Vec<AttachmentSpec>,
    }
);

front_matter!(
    /// Front matter of `kind: procedure` pages (the chart itself is a ```flow block in the body).
    #[serde(deny_unknown_fields)]
    ProcedureFront {
        /// 依据: the rules the procedure follows.
        #[serde(default)]
        pub basis: Option<String>,
        /// 适用范围: the matters it applies to.
        #[serde(default)]
        pub applies_to: Option<String>,
        /// 咨询: whom to ask.
        #[serde(default)]
        pub contact: Option<String>,
    }
);

/// A parsed content file.
#[derive(Debug, Clone)]
pub struct Page {
    /// `content/a/b.md` (diagnostics).
    pub source: String,
    /// `a/b.md` (what `@/` links name).
    pub rel: String,
    pub kind: Kind,
    /// Output file, site-root-relative: `a/b/index.html`.
    pub path: String,
    /// The content folder that relative links start from: `a` for `a/b.md`, `a/c` for `a/c/index.md`.
    pub dir: String,
    /// The content folder of the section holding this page (for `_index.md`, its parent folder's).
    pub section_dir: String,
    pub title: String,
    pub description: Option<String>,
    pub date: Option<Date>,
    pub weight: i64,
    pub tags: Vec<String>,
    pub draft: bool,
    pub template: Option<String>,
    pub toc: bool,
    pub sort_by: SortBy,
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Policy documents (measure, notice, interpretation): 文件信息, validity, 公文 fields.
    pub meta: Option<DocMeta>,
    /// The files the page attaches (its links are in `doc.links`).
    pub attachments: Vec<crate::policy::Attachment>,
    /// `kind: procedure`: what the page says beside its chart.
    pub procedure: Option<std::sync::Arc<crate::flow::Procedure>>,
    /// A `kind: form` page's form, laid out on its sheets.
    pub form: Option<std::sync::Arc<crate::forms::Form>>,
    /// `kind: worksheet`: the validated risk-matrix configuration.
    pub worksheet: Option<std::sync::Arc<crate::risk::Worksheet>>,
    /// `kind: scope`: the validated 评估事项指导目录 (its links are in `doc.links`).
    pub scope: Option<std::sync::Arc<crate::scope::Catalogue>>,
    pub doc: Document,
    /// `key → line` for front-matter keys, for diagnostics found in later stages.
    pub key_lines: BTreeMap<String, usize>,
}

impl Page {
    pub fn is_section(&self) -> bool {
        self.kind == Kind::Section
    }

    /// The line of a front-matter key (or of the front matter's start).
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines.get(key).copied().unwrap_or(1)
    }

    /// An implicit home section for sites without `content/_index.md`.
    pub fn implicit_home(title: &str) -> Page {
        Page {
            source: "content/_index.md".into(),
            rel: "_index.md".into(),
            kind: Kind::Section,
            path: "index.html".into(),
            dir: String::new(),
            section_dir: String::new(),
            title: title.into(),
            description: None,
            date: None,
            weight: 0,
            tags: Vec::new(),
            draft: false,
            template: None,
            toc: false,
            sort_by: SortBy::Weight,
            extra: BTreeMap::new(),
            meta: None,
            attachments: Vec::new(),
            procedure: None,
            form: None,
            worksheet: None,
            scope: None,
            doc: Document::default(),
            key_lines: BTreeMap::new(),
        }
    }
}

/// The common fields of any `front_matter!` struct as a `StrictFront` (kind-specific fields stay
/// behind in the struct).
macro_rules! common_front {
    ($f:ident) => {
        StrictFront {
            kind: $f.kind,
            title: $f.title,
            description: $f.description,
            date: $f.date,
            weight: $f.weight,
            tags: $f.tags,
            draft: $f.draft,
            slug: $f.slug,
            template: $f.template,
            toc: $f.toc,
            extra: $f.extra,
            sort_by: None,
            doc_number: None,
            issuer: None,
            written_date: None,
            effective_date: None,
            status: None,
            index_number: None,
            keywords: StringList::default(),
            category: None,
            supersedes: StringList::default(),
            superseded_by: None,
            repealed_date: None,
            valid_until: None,
            interprets: None,
            recipients: None,
            cc: None,
            attachments: Vec::new(),
        }
    };
}

/// Parses one source into a page. `None` when the front matter is unusable (its diagnostics say why).
pub fn parse_page(file: &SourceFile, raw_html: bool) -> (Option<Page>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let split = match split(&file.source, &file.text) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    if !split.present {
        diags.push(Diagnostic::error(&file.source, 1, 1, "missing front matter: expected the file to start with `---`, a `title:` line and `---`"));
        return (None, diags);
    }
    let is_index = file.rel == "_index.md" || file.rel.ends_with("/_index.md");
    let probe: KindProbe = match from_yaml(&file.source, split.yaml, split.yaml_line) {
        Ok(p) => p,
        Err(d) => return (None, vec![d]),
    };
    let kind_line = key_line(split.yaml, split.yaml_line, "kind");
    let kind = match probe.kind.as_deref() {
        None if is_index => Kind::Section,
        None => Kind::Page,
        Some(k) => match Kind::parse(k) {
            Some(kind) => kind,
            None => {
                let names: Vec<_> = Kind::ALL
                    .iter()
                    .map(|k| format!("`{}`", k.name()))
                    .collect();
                return (
                    None,
                    vec![Diagnostic::error(
                        &file.source,
                        kind_line,
                        1,
                        format!("unknown kind `{k}`: expected one of {}", names.join(", ")),
                    )],
                );
            }
        },
    };
    if is_index && kind != Kind::Section {
        diags.push(Diagnostic::error(&file.source, kind_line, 1, format!("`_index.md` is a section, but its kind is `{}`: remove `kind` or move the content to its own file", kind.name())));
    } else if !is_index && kind == Kind::Section {
        diags.push(Diagnostic::error(
            &file.source,
            kind_line,
            1,
            "kind `section` is only for `_index.md` files: expected `page` or another kind",
        ));
    }
    let mut form_spec = None;
    let mut worksheet = None;
    let mut scope = None;
    // The kind dispatch: each kind reads its own front-matter struct and builds its model.
    let front = match kind {
        Kind::Procedure => {
            from_yaml_all::<ProcedureFront>(&file.source, split.yaml, split.yaml_line)
                .map(procedure_to_strict)
        }
        Kind::Form => {
            from_yaml_all::<crate::forms::FormFront>(&file.source, split.yaml, split.yaml_line).map(
                |f| {
                    form_spec = Some(f.spec());
                    (form_to_strict(f), None)
                },
            )
        }
        Kind::Worksheet => {
            from_yaml_all::<crate::risk::WorksheetFront>(&file.source, split.yaml, split.yaml_line)
                .map(|f| {
                    let (ws, d) = crate::risk::Worksheet::from_front(
                        &f,
                        &file.source,
                        split.yaml,
                        split.yaml_line,
                    );
                    worksheet = ws.map(std::sync::Arc::new);
                    diags.extend(d);
                    (worksheet_to_strict(f), None)
                })
        }
        Kind::Scope => {
            from_yaml_all::<crate::scope::ScopeFront>(&file.source, split.yaml, split.yaml_line)
                .map(|f| {
                    let (catalogue, links, d) = crate::scope::Catalogue::from_front(
                        &f,
                        &file.source,
                        split.yaml,
                        split.yaml_line,
                        0,
                    );
                    diags.extend(d);
                    scope = Some((catalogue, links));
                    (scope_to_strict(f), None)
                })
        }
        Kind::Page | Kind::Section | Kind::Measure | Kind::Notice | Kind::Interpretation => {
            from_yaml_all::<StrictFront>(&file.source, split.yaml, split.yaml_line)
                .map(|f| (f, None))
        }
    };
    let (front, procedure) = match front {
        Ok(f) => f,
        Err(d) => {
            diags.extend(d);
            return (None, diags);
        }
    };
    let key_lines = front_keys(split.yaml, split.yaml_line);
    let mut page = build_page(
        file,
        kind,
        front,
        key_lines,
        (split.yaml, split.yaml_line, split.body_offset),
        raw_html,
        &mut diags,
    );
    if let (Some(p), Some(proc_)) = (page.as_mut(), procedure) {
        let fenced = file.text[split.body_offset..].lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("```flow") || l.starts_with("~~~flow")
        });
        if !fenced {
            diags.push(Diagnostic::error(&file.source, kind_line, 1, "a `procedure` page needs its chart: expected a ```flow block in the body (see the README)"));
        }
        p.procedure = Some(std::sync::Arc::new(proc_));
    }
    if let Some(p) = page.as_mut() {
        p.worksheet = worksheet;
        if let Some((mut catalogue, links)) = scope {
            catalogue.offset_links(p.doc.links.len());
            p.doc.links.extend(links);
            p.scope = Some(std::sync::Arc::new(catalogue));
        }
    }
    let page = page.map(|p| with_form(p, form_spec, file, split.body_offset, &mut diags));
    (page, diags)
}

/// Builds a form page's form from its front matter and its ```form block; on other pages a
/// ```form block is an error.
fn with_form(
    mut page: Page,
    spec: Option<crate::forms::FormSpec>,
    file: &SourceFile,
    body_offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> Page {
    match spec {
        Some(spec) => {
            let at = crate::forms::PageRef {
                source: &file.source,
                title: &page.title,
                body: &file.text[body_offset..],
                key_lines: &page.key_lines,
            };
            page.form = crate::forms::build_form(spec, &mut page.doc, &at, diags);
        }
        None => {
            if let Some(line) = crate::forms::form_block_line(&page.doc) {
                diags.push(Diagnostic::error(&file.source, line, 1, "a ```form block outside a form page: set `kind: form` (with `id`, `paper`, `pages`) or remove the block"));
            }
        }
    }
    page
}

fn worksheet_to_strict(f: crate::risk::WorksheetFront) -> StrictFront {
    common_front!(f)
}

fn form_to_strict(f: crate::forms::FormFront) -> StrictFront {
    common_front!(f)
}

fn procedure_to_strict(f: ProcedureFront) -> (StrictFront, Option<crate::flow::Procedure>) {
    let model = crate::flow::Procedure {
        basis: f.basis,
        applies_to: f.applies_to,
        contact: f.contact,
    };
    (common_front!(f), Some(model))
}

fn scope_to_strict(f: crate::scope::ScopeFront) -> StrictFront {
    common_front!(f)
}

fn front_keys(yaml: &str, first_line: usize) -> BTreeMap<String, usize> {
    let mut keys = BTreeMap::new();
    for (i, line) in yaml.lines().enumerate() {
        if line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        if let Some((k, _)) = line.split_once(':') {
            keys.entry(k.trim().to_string()).or_insert(first_line + i);
        }
    }
    keys
}

/// Front-matter keys of the policy documents, and the kinds each belongs to.
const DOC_KEYS: [(&str, &[Kind]); 15] = {
    const MN: &[Kind] = &[Kind::Measure, Kind::Notice];
    const MNI: &[Kind] = &[Kind::Measure, Kind::Notice, Kind::Interpretation];
    [
        ("doc_number", MN),
        ("issuer", MNI),
        ("written_date", MN),
        ("effective_date", MN),
        ("status", MN),
        ("index_number", MNI),
        ("keywords", MNI),
        ("category", MNI),
        ("supersedes", MN),
        ("superseded_by", MN),
        ("repealed_date", MN),
        ("valid_until", MN),
        ("interprets", &[Kind::Interpretation]),
        ("recipients", &[Kind::Notice]),
        ("cc", &[Kind::Notice]),
    ]
};

fn kinds_text(kinds: &[Kind]) -> String {
    let names: Vec<String> = kinds
        .iter()
        .map(|k| format!("`kind: {}`", k.name()))
        .collect();
    names.join(" or ")
}

fn build_page(
    file: &SourceFile,
    kind: Kind,
    mut f: StrictFront,
    key_lines: BTreeMap<String, usize>,
    (yaml, yaml_line, body_offset): (&str, usize, usize),
    raw_html: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<Page> {
    let line = |k: &str| key_lines.get(k).copied().unwrap_or(1);
    check_date(&mut f.date, "date", &file.source, line("date"), diags);
    check_date(
        &mut f.written_date,
        "written_date",
        &file.source,
        line("written_date"),
        diags,
    );
    check_date(
        &mut f.effective_date,
        "effective_date",
        &file.source,
        line("effective_date"),
        diags,
    );
    for (date, key) in [
        (&mut f.repealed_date, "repealed_date"),
        (&mut f.valid_until, "valid_until"),
    ] {
        check_date(date, key, &file.source, line(key), diags);
    }
    if f.title.trim().is_empty() {
        diags.push(Diagnostic::error(
            &file.source,
            line("title"),
            1,
            "`title` is empty: expected the page's title",
        ));
    }
    for (key, kinds) in DOC_KEYS
        .iter()
        .filter(|(k, kinds)| key_lines.contains_key(*k) && !kinds.contains(&kind))
    {
        let whose = if kinds.contains(&Kind::Measure) {
            "policy documents"
        } else {
            kinds[0].name()
        };
        diags.push(Diagnostic::error(
            &file.source,
            line(key),
            1,
            format!(
                "`{key}` belongs to {whose}: set {} or remove it",
                kinds_text(kinds)
            ),
        ));
    }
    if kind == Kind::Interpretation && f.interprets.is_none() {
        diags.push(Diagnostic::error(
            &file.source,
            line("kind"),
            1,
            "a `kind: interpretation` page needs `interprets:`, the document it explains, e.g. `interprets: \"@/measures/implementation.md\"`",
        ));
    }
    if kind != Kind::Section && f.sort_by.is_some() {
        diags.push(Diagnostic::error(
            &file.source,
            line("sort_by"),
            1,
            "`sort_by` belongs to sections (`_index.md`): remove it",
        ));
    }
    let (path, dir, section_dir) = match output_path(&file.rel, f.slug.as_deref(), kind) {
        Ok(p) => p,
        Err(m) => {
            diags.push(Diagnostic::error(&file.source, line("slug"), 1, m));
            return None;
        }
    };
    let opts = ParseOptions {
        articles: kind == Kind::Measure,
        raw_html,
        embeds: EMBEDS,
    };
    let (mut doc, body_diags) = parse_markdown(&file.source, &file.text, body_offset, &dir, opts);
    diags.extend(body_diags);
    let mut at = FrontAt {
        source: &file.source,
        yaml,
        yaml_line,
        dir: &dir,
        first_link: doc.links.len(),
    };
    let meta = kind.doc_kind().map(|_| {
        let written = DocMeta {
            doc_number: f.doc_number,
            issuer: f.issuer,
            written_date: f.written_date,
            effective_date: f.effective_date,
            status: f.status,
            index_number: f.index_number,
            keywords: f.keywords.0,
            category: f.category,
            repealed_date: f.repealed_date,
            valid_until: f.valid_until,
            recipients: f.recipients,
            cc: f.cc,
            ..DocMeta::default()
        };
        let named = DocLinks {
            supersedes: f.supersedes.0,
            superseded_by: f.superseded_by,
            interprets: f.interprets,
        };
        let (meta, links, d) = DocMeta::build(written, named, &at);
        doc.links.extend(links);
        diags.extend(d);
        meta
    });
    at.first_link = doc.links.len();
    let (attachments, links, d) = crate::policy::attachments(&f.attachments, &at);
    doc.links.extend(links);
    diags.extend(d);
    Some(Page {
        source: file.source.clone(),
        rel: file.rel.clone(),
        kind,
        path,
        dir,
        section_dir,
        title: f.title.trim().to_string(),
        description: f.description,
        date: f.date,
        weight: f.weight,
        tags: f.tags.0,
        draft: f.draft,
        template: f.template,
        toc: f.toc.unwrap_or(true),
        sort_by: f.sort_by.unwrap_or_default(),
        extra: f.extra,
        meta,
        attachments,
        procedure: None,
        form: None,
        worksheet: None,
        scope: None,
        doc,
        key_lines,
    })
}

/// `(output path, link folder, section folder)` of a content file:
/// `a/b.md` → `a/b/index.html`; `a/_index.md` → `a/index.html`; `a/c/index.md` → `a/c/index.html`.
pub fn output_path(
    rel: &str,
    slug: Option<&str>,
    kind: Kind,
) -> Result<(String, String, String), String> {
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem = file.trim_end_matches(".md");
    if kind == Kind::Section || stem == "_index" {
        if slug.is_some() {
            return Err("`slug` cannot rename a section: rename its folder instead".into());
        }
        let path = if dir.is_empty() {
            "index.html".to_string()
        } else {
            format!("{dir}/index.html")
        };
        let parent = dir.rsplit_once('/').map_or("", |(p, _)| p);
        return Ok((path, dir.to_string(), parent.to_string()));
    }
    let (parent, name, link_dir) = if stem == "index" {
        let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        (parent, name, dir)
    } else {
        (dir, stem, dir)
    };
    let name = match slug {
        Some(s) => check_slug(s)?,
        None => name,
    };
    if name.is_empty() {
        return Err("`content/index.md` would replace the home page: name it `_index.md`".into());
    }
    let path = if parent.is_empty() {
        format!("{name}/index.html")
    } else {
        format!("{parent}/{name}/index.html")
    };
    Ok((path, link_dir.to_string(), parent.to_string()))
}

fn check_slug(s: &str) -> Result<&str, String> {
    let ok = !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(s)
    } else {
        Err(format!("slug `{s}` is not usable in a URL: expected letters, digits, Chinese characters, `-`, `_` or `.` (no `/`)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: &str) -> SourceFile {
        SourceFile {
            source: format!("content/{rel}"),
            rel: rel.into(),
            text: text.into(),
        }
    }

    #[test]
    fn output_paths() {
        let p = |rel, slug| output_path(rel, slug, Kind::Page).unwrap().0;
        assert_eq!(p("a/b.md", None), "a/b/index.html");
        assert_eq!(p("a/_index.md", None), "a/index.html");
        assert_eq!(p("_index.md", None), "index.html");
        assert_eq!(p("a/c/index.md", None), "a/c/index.html");
        assert_eq!(p("a/b.md", Some("x")), "a/x/index.html");
        assert_eq!(p("faq.md", None), "faq/index.html");
        assert!(output_path("a/b.md", Some("../x"), Kind::Page).is_err());
    }

    #[test]
    fn measure_fields_are_typed() {
        let (p, d) = parse_page(&file("m.md", "---\nkind: measure\ntitle: 办法\nstatus: 现行有效\nkeywords: 稳评、风险\nwritten_date: 2024-03-01\n---\n第一条　目的。\n"), false);
        assert!(d.is_empty(), "{d:?}");
        let p = p.unwrap();
        let m = p.meta.unwrap();
        assert_eq!(m.status, Some(Status::InForce));
        assert_eq!(m.keywords, ["稳评", "风险"]);
        assert_eq!(p.doc.articles.len(), 1);
    }

    #[test]
    fn wrong_fields_are_positioned() {
        let (_, d) = parse_page(
            &file("p.md", "---\ntitle: 页\ndate: 2024-13-01\n---\n"),
            false,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].line, d[0].col), (3, 7));
        assert!(d[0].message.contains("invalid date"), "{}", d[0].message);
        let (_, d) = parse_page(
            &file("p.md", "---\ntitle: 页\nstatus: 已废止\n---\n"),
            false,
        );
        assert_eq!(
            (
                d[0].line,
                d[0].message.contains("belongs to policy documents")
            ),
            (3, true)
        );
        let (_, d) = parse_page(&file("p.md", "---\nkind: memo\ntitle: x\n---\n"), false);
        assert!(d[0].message.contains("unknown kind `memo`"));
        assert_eq!(d[0].line, 2);
    }

    #[test]
    fn scope_pages_carry_their_catalogue_and_basis_links() {
        let (p, d) = parse_page(
            &file(
                "scope/index.md",
                "---\nkind: scope\ntitle: 评估事项指导目录\nitems:\n  - id: energy-facility\n    category: 重大项目\n    text: 能源设施建设\n    basis: \"@/m.md#第七条\"\n---\n见[办法](@/m.md)。\n",
            ),
            false,
        );
        assert!(d.is_empty(), "{d:?}");
        let p = p.unwrap();
        assert_eq!(p.kind, Kind::Scope);
        let cat = p.scope.as_deref().unwrap();
        assert_eq!(cat.items[0].id, "energy-facility");
        // The body's link comes first; the basis link is appended after it, at its line.
        assert_eq!(cat.items[0].basis_link, Some(1));
        assert_eq!(p.doc.links[1].line, 8);
        let (_, d) = parse_page(
            &file("s.md", "---\nkind: scope\ntitle: 目录\nitems: []\n---\n"),
            false,
        );
        assert!(d[0].message.contains("needs its catalogue"), "{d:?}");
    }
}
