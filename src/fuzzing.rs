//! Fuzzing entry points: each function drives one parsing stage with arbitrary text and asserts the
//! stage's invariants, so that a panic, a broken invariant or unsafe HTML is a crash to the fuzzer.
//!
//! Used by the cargo-fuzz targets in `tests/fuzz/` and by the property tests in
//! `tests/hardening_props.rs`; both call exactly these functions. They read no files and write none,
//! and only call the public API of the stages, so exposing them adds no way around any check.

use crate::content::front_matter::{from_yaml, key_line, split, KindProbe};
use crate::content::SourceFile;
use crate::diagnostic::Diagnostic;
use crate::markdown::{classify_link, render_html, EmbedContext};
use crate::page::parse_page;

const PATH: &str = "content/fuzz.md";

/// Front matter: the splitter, the YAML reader (into a kind probe and into any value) and the key
/// locator, then the whole page stage on the same text.
pub fn front_matter(text: &str) {
    match split(PATH, text) {
        Ok(s) => {
            assert!(s.body_offset <= text.len());
            assert_eq!(&text[s.body_offset..], s.body);
            if s.present {
                assert!(text.starts_with("---"));
                assert!(s.yaml.len() < text.len());
                let lines = text.lines().count().max(1) + 1;
                for key in ["kind", "title", "slug"] {
                    let line = key_line(s.yaml, s.yaml_line, key);
                    assert!(line >= 1 && line <= lines, "key line {line} of {lines}");
                }
                if let Err(d) = from_yaml::<KindProbe>(PATH, s.yaml, s.yaml_line) {
                    check_diagnostic(&d, text);
                }
                if let Err(d) = from_yaml::<serde_json::Value>(PATH, s.yaml, s.yaml_line) {
                    check_diagnostic(&d, text);
                }
            } else {
                assert_eq!(s.body_offset, 0);
            }
        }
        Err(d) => check_diagnostic(&d, text),
    }
    page(text);
}

/// A ```form block: parse, then render its HTML and text.
pub fn form_syntax(text: &str) {
    let cx = context("form");
    match crate::forms::parse_block(text, &cx) {
        Ok(embed) => {
            let hrefs = vec![String::new(); embed.links().len()];
            assert_safe_html(&embed.render(&hrefs));
            let _ = embed.plain_text();
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a refused form block says why");
            for d in &diags {
                assert!(d.line >= cx.first_line, "{d}");
            }
        }
    }
}

/// A whole form page (front matter of a form and arbitrary text as its ```form block, cells holding
/// any character, Word's Shift+Enter included): when it builds, every XML part of its `.docx` must
/// be well-formed XML 1.0 (checked by a real parser). Returns whether the form built.
pub fn form_docx(block: &str) -> bool {
    // As many printed pages as the block asks for (`newpage` lines), on portrait paper or, when it
    // does not fit there, landscape, so that every sample block builds.
    let pages = (1 + block.lines().filter(|l| l.trim() == "newpage").count()).min(20);
    ["A4-portrait", "A4-landscape"]
        .iter()
        .any(|paper| form_docx_on(block, paper, pages))
}

fn form_docx_on(block: &str, paper: &str, pages: usize) -> bool {
    let text = format!(
        "---\nkind: form\ntitle: 模糊测试表\nid: fuzz\npaper: {paper}\npages: {pages}\n---\n\n```form\n{block}\n```\n"
    );
    let file = SourceFile {
        source: PATH.into(),
        rel: "fuzz.md".into(),
        text: text.clone(),
    };
    let (page, diags) = parse_page(&file, false);
    for d in &diags {
        check_diagnostic(d, &text);
    }
    let Some(form) = page.and_then(|p| p.form.clone()) else {
        return false;
    };
    let docx = crate::forms::render_docx(&form);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx is a zip");
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("zip entry");
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut part, &mut xml).expect("a .docx part is UTF-8");
        if let Err(e) = roxmltree::Document::parse(&xml) {
            panic!("{name} is not well-formed XML: {e}");
        }
    }
    true
}

/// A ```flow block: parse, lay out and render as SVG and step list.
pub fn flow_syntax(text: &str) {
    let cx = context("flow");
    match crate::flow::parse_block(text, &cx) {
        Ok(embed) => {
            let hrefs: Vec<String> = embed
                .links()
                .iter()
                .map(|l| l.raw.replace('"', ""))
                .collect();
            assert_safe_html(&embed.render(&hrefs));
            let _ = embed.plain_text();
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a refused flow block says why");
            for d in &diags {
                assert!(d.line >= cx.first_line, "{d}");
            }
        }
    }
}

/// A site's own templates: the text, cut at each U+0001, becomes `templates/page.html` (over the
/// built-in one, so it may extend or include the theme's templates and they it) and
/// `templates/partials/a.html`, `…/b.html`, which each may include, import or extend. Loading
/// either refuses them with diagnostics that name one of them, or succeeds, and then each renders
/// (with a small context) to text or to one diagnostic: include, import and extends cycles and
/// macros that call themselves forever are refused at load, never a stack overflow at render.
/// Returns whether the templates loaded.
pub fn template(text: &str) -> bool {
    const NAMES: [&str; 3] = ["page.html", "partials/a.html", "partials/b.html"];
    let parts: Vec<(&str, &str)> = NAMES.iter().copied().zip(text.split('\u{1}')).collect();
    match crate::render::Theme::with_templates(&parts) {
        Ok(theme) => {
            let mut vars = serde_json::Map::new();
            vars.insert("title".into(), "标题".into());
            vars.insert("items".into(), serde_json::json!([1, 2, 3]));
            for (name, _) in &parts {
                if let Err(d) = theme.render_vars(name, vars.clone(), "content/fuzz.md") {
                    assert!(!d.message.is_empty(), "a render error says why");
                }
            }
            true
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a refused theme says why");
            false
        }
    }
}

/// The Markdown stage: the first byte picks the page kind, the rest is the body of a page with a
/// valid front matter; the page is parsed (embeds included) and rendered with links resolved as
/// the site does (a link that does not classify gets no `href`).
pub fn markdown(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(body) = std::str::from_utf8(body) else {
        return;
    };
    let kinds = ["page", "measure", "procedure", "scope", "section", "form"];
    let kind = kinds[usize::from(pick) % kinds.len()];
    let text = format!("---\ntitle: 模糊测试\nkind: {kind}\n---\n{body}");
    page(&text);
}

/// The search tokenizer: tokens carry in-range character offsets and ordered positions; folding
/// keeps the length in characters.
pub fn tokenizer(text: &str) {
    use crate::text::{fold, query_tokens, tokenize};
    let chars = text.chars().count();
    assert_eq!(fold(text).chars().count(), chars);
    for tokens in [tokenize(text), query_tokens(text)] {
        let mut last = 0;
        for t in &tokens {
            assert!(t.start < t.end && t.end <= chars, "{t:?} in {chars} chars");
            assert!(t.position >= last, "positions go backwards: {t:?}");
            assert!(!t.text.is_empty());
            last = t.position;
        }
    }
}

fn page(text: &str) {
    let file = SourceFile {
        source: PATH.into(),
        rel: "fuzz.md".into(),
        text: text.into(),
    };
    let (page, diags) = parse_page(&file, false);
    for d in &diags {
        check_diagnostic(d, text);
    }
    if let Some(page) = page {
        let html = render_html(&page.doc, |l| match classify_link(&l.raw, &page.dir) {
            Ok(_) => l.raw.replace('"', "%22"),
            Err(_) => String::new(),
        });
        assert_safe_html(&html);
        let _ = page.doc.summary(120);
    }
}

fn context(info: &'static str) -> EmbedContext<'static> {
    EmbedContext {
        path: PATH,
        first_line: 5,
        source_dir: "",
        info,
    }
}

/// A diagnostic names the file and a line inside it (or none).
fn check_diagnostic(d: &Diagnostic, text: &str) {
    assert_eq!(d.path, PATH, "{d}");
    let lines = text.split('\n').count() + 1;
    assert!(d.line <= lines, "{d} is past the last line ({lines})");
    assert!(!d.message.is_empty());
}

/// Nothing from the source may become a script, an event handler or a `javascript:` URL: text is
/// escaped, so these strings can only appear when markup from the source got through.
fn assert_safe_html(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in ["<script", "<iframe", "<object", "<embed", "<svg:script"] {
        if let Some(i) = lower.find(bad) {
            panic!("unsafe HTML `{bad}` in: {}", context_of(html, i));
        }
    }
    for attr in ["href=\"", "src=\"", "xlink:href=\""] {
        for (i, _) in lower.match_indices(attr) {
            let value = &lower[i + attr.len()..];
            let value = &value[..value.find('"').unwrap_or(value.len())];
            if let Some((scheme, _)) = value.split_once(':') {
                let scheme: String = scheme
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                    .collect();
                assert!(
                    !["javascript", "vbscript", "data"].contains(&scheme.as_str()),
                    "script URL in: {}",
                    context_of(html, i)
                );
            }
        }
    }
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        // An event-handler attribute is ` on…=` outside a quoted value.
        let mut quoted = false;
        for (i, c) in tag.char_indices() {
            if c == '"' {
                quoted = !quoted;
            } else if !quoted && c.is_ascii_whitespace() && tag[i + 1..].starts_with("on") {
                let rest = &tag[i + 1..];
                let name_end = rest
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .unwrap_or(rest.len());
                assert!(
                    !rest[name_end..].trim_start().starts_with('='),
                    "event handler attribute in <{tag}>"
                );
            }
        }
    }
}

fn context_of(html: &str, i: usize) -> &str {
    let mut a = i.saturating_sub(80);
    while !html.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (i + 80).min(html.len());
    while !html.is_char_boundary(b) {
        b += 1;
    }
    &html[a..b]
}
