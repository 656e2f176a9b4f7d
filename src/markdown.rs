//! Markdown: the one home of pulldown-cmark.
//!
//! Stage: parse (once per page) and render (once per page). Input: a Markdown body and its byte offset
//! in the source file. Output: a [`Document`] holding the event stream, headings with stable anchors,
//! measure articles (第X条), links with their positions, and plain text for summaries and search.
//! [`render_html`] turns a document into HTML with every link resolved by the caller (event-level
//! rewriting; HTML is never patched as a string).
//!
//! Anchor rule (documented in the README): a heading's id is its text with punctuation and symbols
//! removed, runs of white space and `-` turned into one `-`, Latin letters lower-cased and Chinese kept
//! (`一、评估范围` → `一评估范围`); an explicit `{#id}` wins; repeats get `-2`, `-3` in document order.
//! In measures, a heading or paragraph that begins with 第X条 gets exactly `第X条` as its id.

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::html::escape_xml;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::{BTreeSet, HashMap};

mod anchors;
mod articles;
mod controls;
mod links;
pub use articles::{article_number, label_number, ArticleNo};
pub use links::{anchor_id, classify_link, join_relative, local_link_warning};

/// How a body is parsed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Recognise 第X条 articles (measure pages).
    pub articles: bool,
    /// Keep raw HTML from the source; when false it is dropped with a warning.
    pub raw_html: bool,
    /// Fenced-block languages handled by other modules (```flow, ```form …).
    pub embeds: &'static [(&'static str, EmbedParser)],
}

/// Where an embedded block sits: for its parser's diagnostics and relative links.
#[derive(Debug, Clone, Copy)]
pub struct EmbedContext<'a> {
    /// Site-root-relative source path for diagnostics (`content/procedure.md`).
    pub path: &'a str,
    /// The file line of the block's first content line (the line after the opening fence).
    pub first_line: usize,
    /// Content-relative folder of the source, for relative links.
    pub source_dir: &'a str,
    /// The whole info string after the fence (`flow 标题`), for block options.
    pub info: &'a str,
}

/// A fenced block parsed and rendered by another module (a flowchart, a form table). Its links are
/// checked and resolved like Markdown links; its text feeds summaries and search.
pub trait Embed: std::fmt::Debug + Send + Sync {
    /// Links the block makes, with file positions.
    fn links(&self) -> Vec<Link>;
    /// Anchors (`id`s) the block defines in the page.
    fn anchors(&self) -> Vec<String> {
        Vec::new()
    }
    /// Plain text of the block.
    fn plain_text(&self) -> String;
    /// The block's HTML; `hrefs[i]` is the resolved `href` of `links()[i]`.
    fn render(&self, hrefs: &[String]) -> String;
    /// The block as `Any`, so that the page's kind can pick out its own blocks (a form page finds
    /// its ```form table this way). `None` by default.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// Parses a fenced block's text into an [`Embed`], or reports its mistakes.
pub type EmbedParser =
    fn(source: &str, cx: &EmbedContext<'_>) -> Result<Box<dyn Embed>, Vec<Diagnostic>>;

/// An embedded block in a document with the indices of its links in `Document::links`.
#[derive(Debug, Clone)]
struct EmbedSlot {
    /// The fence language that selected the parser (`flow`).
    lang: &'static str,
    embed: std::sync::Arc<dyn Embed>,
    links: Vec<usize>,
}

/// Marks where an embed's HTML goes; NUL never reaches events from Markdown source.
const EMBED_MARK: &str = "\0embed:";

/// A heading of the document with its stable anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
    pub line: usize,
    /// Byte offset in [`Document::plain_text`] where the heading's text starts (search sections).
    pub offset: usize,
}

/// A measure article (第X条) with its number and anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub number: u32,
    /// For an article inserted by an amendment (第二条之一), the number after 之; else 0.
    pub sub: u32,
    pub label: String,
    pub id: String,
    /// The first words of the article, for tables of contents and search.
    pub excerpt: String,
    pub line: usize,
    /// Index into `headings` of the heading the article stands under, if any.
    pub heading: Option<usize>,
    /// Byte offset in [`Document::plain_text`] where the article's text starts (search sections).
    pub offset: usize,
}

/// What a link in the source points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// `@/path/to/file.md#anchor`: another content file (path relative to `content/`).
    Content {
        path: String,
        anchor: Option<String>,
    },
    /// `#anchor` on the same page.
    SamePage { anchor: String },
    /// A file relative to the source's folder (`img.png`, `../files/a.pdf`), content-relative.
    Asset { path: String },
    /// Anything else (`https://…`, `mailto:`), left as written.
    External { url: String },
}

/// A link or image with its position in the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: LinkTarget,
    pub line: usize,
    pub col: usize,
    /// The destination as written.
    pub raw: String,
}

/// A parsed Markdown body: parse once, feed templates, the link checker and search from it.
#[derive(Debug, Clone, Default)]
pub struct Document {
    events: Vec<Event<'static>>,
    /// Link targets in the order their `Start(Link|Image)` events appear in `events`.
    event_links: Vec<usize>,
    pub headings: Vec<Heading>,
    pub articles: Vec<Article>,
    pub anchors: BTreeSet<String>,
    pub links: Vec<Link>,
    pub plain_text: String,
    embeds: Vec<EmbedSlot>,
}

impl Document {
    /// The id that a link's `#anchor` lands on in this page: the anchor itself, or, for an article
    /// label written with other numerals (`#第12条` for 第十二条), that article's id.
    pub fn anchor_for<'a>(&'a self, anchor: &'a str) -> Option<&'a str> {
        if self.anchors.contains(anchor) {
            return Some(anchor);
        }
        let no = label_number(anchor)?;
        self.articles
            .iter()
            .find(|a| a.number == no.number && a.sub == no.sub)
            .map(|a| a.id.as_str())
    }

    /// The languages of the embedded blocks, in document order (`["flow"]`).
    pub fn embed_langs(&self) -> Vec<&'static str> {
        self.embeds.iter().map(|e| e.lang).collect()
    }

    /// The fenced blocks handled by embeds, in document order.
    pub fn embeds(&self) -> impl Iterator<Item = &dyn Embed> + '_ {
        self.embeds.iter().map(|s| &*s.embed)
    }

    /// Replaces the `i`-th embedded block (in [`Document::embeds`] order), keeping its links: a kind
    /// that knows more once the front matter is read (a form's paper and pages) refines its block.
    pub fn replace_embed(&mut self, i: usize, embed: std::sync::Arc<dyn Embed>) {
        if let Some(slot) = self.embeds.get_mut(i) {
            slot.embed = embed;
        }
    }

    /// The first sentence-ish run of plain text, at most `max` characters.
    pub fn summary(&self, max: usize) -> String {
        let text = self
            .plain_text
            .split("\n\n")
            .find(|p| !p.trim().is_empty())
            .unwrap_or("");
        let text = text.trim();
        if text.chars().count() <= max {
            return text.to_string();
        }
        let mut s: String = text.chars().take(max).collect();
        s.push('…');
        s
    }
}

fn cmark_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Parses a Markdown `body` that starts at byte `body_offset` of `full_text` (the whole file, so that
/// positions are counted from the top of the file). `source_dir` is the content-relative folder of the
/// file, for resolving relative links.
pub fn parse_markdown(
    path: &str,
    full_text: &str,
    body_offset: usize,
    source_dir: &str,
    opts: ParseOptions,
) -> (Document, Vec<Diagnostic>) {
    let body = &full_text[body_offset..];
    let index = LineIndex::new(full_text);
    let mut p = DocBuilder {
        path,
        opts,
        index: &index,
        base: body_offset,
        source_dir,
        doc: Document::default(),
        diags: Vec::new(),
        articles_seen: HashMap::new(),
        next_suffix: HashMap::new(),
    };
    let mut fences = Vec::new();
    let events: Vec<(Event<'static>, usize)> = Parser::new_ext(body, cmark_options())
        .into_offset_iter()
        .map(|(e, r)| {
            if matches!(
                e,
                Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(_)))
            ) {
                fences.push(r.clone());
            }
            (e.into_static(), r.start)
        })
        .collect();
    for r in fences {
        if !fence_is_closed(&body[r.clone()]) {
            let (line, col) = p.pos(r.start);
            p.diags.push(Diagnostic::error(
                path,
                line,
                col,
                "code fence opened here is never closed: expected a closing line of the same backticks or tildes; without it the rest of the page is taken as code",
            ));
        }
    }
    p.build(events);
    p.diags
        .extend(controls::check_controls(path, body, body_offset, &index));
    (p.doc, p.diags)
}

/// Lists and block quotes nested deeper than this are refused: browsers' HTML parsers stop nesting
/// elements at 512 levels, and no guidance page needs more than a handful.
pub const MAX_NESTING: usize = 100;

/// Whether the source of a fenced code block (opening line to its end) ends with a closing fence:
/// a line of at least as many of the opening fence's characters. Container markers (`>`, list
/// indentation) before the fences are skipped.
fn fence_is_closed(block: &str) -> bool {
    let strip = |l: &str| {
        l.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
            .to_string()
    };
    let mut lines = block.lines();
    let open = strip(lines.next().unwrap_or(""));
    let Some(fence) = open.chars().next().filter(|c| *c == '`' || *c == '~') else {
        return true;
    };
    let n = open.chars().take_while(|&c| c == fence).count();
    let Some(last) = lines.rev().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let last = strip(last);
    let run = last.chars().take_while(|&c| c == fence).count();
    run >= n && last[run * fence.len_utf8()..].trim().is_empty()
}

struct DocBuilder<'a> {
    path: &'a str,
    opts: ParseOptions,
    index: &'a LineIndex<'a>,
    base: usize,
    source_dir: &'a str,
    doc: Document,
    diags: Vec<Diagnostic>,
    /// Each article number claimed so far, with its label as written (`第12条`) and its line.
    articles_seen: HashMap<ArticleNo, (String, usize)>,
    /// For each derived anchor, the last suffix tried (`-2`, `-3`…): the taken ids only grow, so the
    /// next free one is never below it, and a page of 20,000 equal headings stays linear.
    next_suffix: HashMap<String, usize>,
}

impl DocBuilder<'_> {
    fn pos(&self, offset: usize) -> (usize, usize) {
        self.index.position(self.base + offset)
    }

    fn build(&mut self, events: Vec<(Event<'static>, usize)>) {
        let mut out: Vec<Event<'static>> = Vec::with_capacity(events.len() + 8);
        let mut i = 0;
        let mut depth = 0usize;
        while i < events.len() {
            let (ev, off) = &events[i];
            match ev {
                Event::Start(Tag::List(_) | Tag::BlockQuote(_)) => {
                    depth += 1;
                    if depth == MAX_NESTING + 1 {
                        let (line, col) = self.pos(*off);
                        self.diags.push(Diagnostic::error(
                            self.path,
                            line,
                            col,
                            format!("lists and block quotes are nested more than {MAX_NESTING} deep here: expected at most {MAX_NESTING} levels (browsers cannot show deeper ones)"),
                        ));
                    }
                }
                Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_)) => {
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
            match ev {
                Event::Start(Tag::Heading { .. }) => {
                    let end = find_end(&events, i);
                    self.heading(&events[i..=end], *off, &mut out);
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Paragraph) if self.opts.articles => {
                    if let Some(n) = self.paragraph_article(&events, i, &mut out) {
                        i = n;
                        continue;
                    }
                    out.push(ev.clone());
                }
                Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info))) => {
                    let end = find_end(&events, i);
                    if self.embed(info, &events[i..=end], *off, &mut out) {
                        i = end + 1;
                        continue;
                    }
                    out.push(ev.clone());
                }
                Event::Start(Tag::Table(_)) => {
                    out.push(Event::Html(CowStr::Borrowed("<div class=\"table-wrap\">")));
                    out.push(ev.clone());
                }
                Event::End(TagEnd::Table) => {
                    out.push(ev.clone());
                    out.push(Event::Html(CowStr::Borrowed("</div>\n")));
                }
                Event::Start(Tag::Link { dest_url, .. })
                | Event::Start(Tag::Image { dest_url, .. }) => {
                    self.link(dest_url, *off);
                    out.push(ev.clone());
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    self.raw_html(html, *off, ev, &mut out)
                }
                _ => out.push(ev.clone()),
            }
            self.text(ev);
            i += 1;
        }
        self.doc.events = out;
        controls::clean_document(&mut self.doc);
    }

    /// Hands a fenced block to the module registered for its language; false when none is.
    fn embed(
        &mut self,
        info: &str,
        span: &[(Event<'static>, usize)],
        off: usize,
        out: &mut Vec<Event<'static>>,
    ) -> bool {
        let lang = info.split_whitespace().next().unwrap_or("");
        let Some(&(lang, parser)) = self.opts.embeds.iter().find(|(l, _)| *l == lang) else {
            return false;
        };
        let source: String = span
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let first_line = self.pos(off).0 + 1;
        let cx = EmbedContext {
            path: self.path,
            first_line,
            source_dir: self.source_dir,
            info,
        };
        match parser(&source, &cx) {
            Ok(embed) => {
                let start = self.doc.links.len();
                self.doc.links.extend(embed.links());
                for a in embed.anchors() {
                    self.claim_explicit(&a, first_line, 1);
                }
                self.doc.plain_text.push_str(&embed.plain_text());
                self.doc.plain_text.push_str("\n\n");
                let slot = EmbedSlot {
                    lang,
                    embed: embed.into(),
                    links: (start..self.doc.links.len()).collect(),
                };
                out.push(Event::Html(CowStr::from(format!(
                    "{EMBED_MARK}{}",
                    self.doc.embeds.len()
                ))));
                self.doc.embeds.push(slot);
            }
            Err(diags) => self.diags.extend(diags),
        }
        true
    }

    fn text(&mut self, ev: &Event<'_>) {
        let t = &mut self.doc.plain_text;
        match ev {
            Event::Text(s) | Event::Code(s) => t.push_str(s),
            Event::SoftBreak | Event::HardBreak => t.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => t.push_str("\n\n"),
            _ => {}
        }
    }

    fn raw_html(
        &mut self,
        html: &CowStr<'static>,
        off: usize,
        ev: &Event<'static>,
        out: &mut Vec<Event<'static>>,
    ) {
        if self.opts.raw_html {
            out.push(ev.clone());
            return;
        }
        if html.trim_start().starts_with("<!--") {
            return;
        }
        let (line, col) = self.pos(off);
        self.diags.push(Diagnostic::warning(
            self.path,
            line,
            col,
            "raw HTML is not rendered (it could break the page or run scripts): write Markdown instead, \
             or set `markdown: { raw_html: true }` in portal.yaml",
        ));
    }

    fn heading(
        &mut self,
        span: &[(Event<'static>, usize)],
        off: usize,
        out: &mut Vec<Event<'static>>,
    ) {
        let (level, explicit, classes, attrs) = match &span[0].0 {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => (*level, id.clone(), classes.clone(), attrs.clone()),
            _ => unreachable!("heading span starts with a heading"),
        };
        let text: String = span
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(s) | Event::Code(s) => Some(s.as_ref()),
                _ => None,
            })
            .collect();
        let text = text.trim().to_string();
        let (line, col) = self.pos(off);
        let article = if self.opts.articles {
            article_number(&text)
        } else {
            None
        };
        let id = match (&explicit, &article) {
            (Some(id), _) => self.claim_explicit(id, line, col),
            (None, Some((no, label))) => self.claim_article(*no, label, line, col),
            (None, None) => self.claim_derived(&anchor_id(&text)),
        };
        // `{key=value}` attributes would let the source write any attribute, event handlers and
        // `style` included: kept only where raw HTML is allowed anyway.
        let attrs = if self.opts.raw_html || attrs.is_empty() {
            attrs
        } else {
            let names: Vec<String> = attrs.iter().map(|(k, _)| format!("`{k}`")).collect();
            self.diags.push(Diagnostic::warning(
                self.path,
                line,
                col,
                format!(
                    "heading attribute {} is not rendered: only `{{#id}}` and `{{.class}}` are allowed \
                     (or set `markdown: {{ raw_html: true }}` in portal.yaml)",
                    names.join(", ")
                ),
            ));
            Vec::new()
        };
        let heading_index = self.doc.headings.len();
        if let Some((no, label)) = article {
            self.push_article(no, label, &id, &text, line, Some(heading_index));
        }
        self.doc.headings.push(Heading {
            level: level as u8,
            id: id.clone(),
            text,
            line,
            offset: self.doc.plain_text.len(),
        });
        out.push(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(id)),
            classes,
            attrs,
        }));
        for (e, o) in &span[1..] {
            if let Event::Start(Tag::Link { dest_url, .. }) = e {
                self.link(dest_url, *o);
            }
            self.text(e);
            out.push(e.clone());
        }
    }

    /// A paragraph whose first text begins with 第X条: wrap the number and give the paragraph an id.
    fn paragraph_article(
        &mut self,
        events: &[(Event<'static>, usize)],
        i: usize,
        out: &mut Vec<Event<'static>>,
    ) -> Option<usize> {
        let mut j = i + 1;
        let strong = matches!(events.get(j), Some((Event::Start(Tag::Strong), _)));
        if strong {
            j += 1;
        }
        let (Event::Text(first), off) = events.get(j)? else {
            return None;
        };
        let (no, label) = article_number(first)?;
        if !first.starts_with(&label) {
            return None;
        }
        let (line, col) = self.pos(*off);
        let id = self.claim_article(no, &label, line, col);
        let end = find_end(events, i);
        let excerpt: String = events[j..end]
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(s) => Some(s.as_ref()),
                _ => None,
            })
            .collect::<String>()
            .trim_start_matches(label.as_str())
            .trim()
            .chars()
            .take(40)
            .collect();
        let heading = self.doc.headings.len().checked_sub(1);
        self.push_article(no, label.clone(), &id, &excerpt, line, heading);
        out.push(Event::Html(CowStr::from(format!(
            "<p class=\"article\" id=\"{}\">",
            escape_xml(&id)
        ))));
        if strong {
            out.push(events[i + 1].0.clone());
        }
        out.push(Event::Html(CowStr::Borrowed("<span class=\"article-no\">")));
        out.push(Event::Text(CowStr::from(label.clone())));
        out.push(Event::Html(CowStr::Borrowed("</span>")));
        let rest = &first[label.len()..];
        if !rest.is_empty() {
            out.push(Event::Text(CowStr::from(rest.to_string())));
        }
        self.doc.plain_text.push_str(first);
        for (e, o) in &events[j + 1..end] {
            match e {
                Event::Start(Tag::Link { dest_url, .. })
                | Event::Start(Tag::Image { dest_url, .. }) => self.link(dest_url, *o),
                Event::Html(h) | Event::InlineHtml(h) => {
                    self.raw_html(h, *o, e, out);
                    continue;
                }
                _ => {}
            }
            self.text(e);
            out.push(e.clone());
        }
        out.push(Event::End(TagEnd::Paragraph));
        self.text(&Event::End(TagEnd::Paragraph));
        Some(end + 1)
    }

    fn link(&mut self, dest: &str, off: usize) {
        let (line, col) = self.pos(off);
        match classify_link(dest, self.source_dir) {
            Ok(target) => {
                if let Some(warning) = links::local_link_warning(dest) {
                    self.diags
                        .push(Diagnostic::warning(self.path, line, col, warning));
                }
                self.doc.event_links.push(self.doc.links.len());
                self.doc.links.push(Link {
                    target,
                    line,
                    col,
                    raw: dest.to_string(),
                });
            }
            Err(message) => {
                self.diags
                    .push(Diagnostic::error(self.path, line, col, message));
                self.doc.event_links.push(usize::MAX);
            }
        }
    }
}

fn find_end(events: &[(Event<'_>, usize)], start: usize) -> usize {
    let mut depth = 0usize;
    for (k, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// Renders a document to HTML; `resolve` turns each link (in document order) into its `href`.
/// Links that failed to classify render with an empty `href`.
pub fn render_html(doc: &Document, mut resolve: impl FnMut(&Link) -> String) -> String {
    let mut next = 0usize;
    let events = doc.events.iter().map(|e| match e {
        Event::Start(Tag::Link {
            link_type,
            dest_url: _,
            title,
            id,
        }) => {
            let href = take_href(doc, &mut next, &mut resolve);
            Event::Start(Tag::Link {
                link_type: *link_type,
                dest_url: CowStr::from(href),
                title: title.clone(),
                id: id.clone(),
            })
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url: _,
            title,
            id,
        }) => {
            let href = take_href(doc, &mut next, &mut resolve);
            Event::Start(Tag::Image {
                link_type: *link_type,
                dest_url: CowStr::from(href),
                title: title.clone(),
                id: id.clone(),
            })
        }
        Event::Html(h) if h.starts_with(EMBED_MARK) => {
            let slot = h[EMBED_MARK.len()..]
                .parse::<usize>()
                .ok()
                .and_then(|i| doc.embeds.get(i));
            match slot {
                Some(slot) => {
                    let hrefs: Vec<String> =
                        slot.links.iter().map(|&l| resolve(&doc.links[l])).collect();
                    Event::Html(CowStr::from(slot.embed.render(&hrefs)))
                }
                None => Event::Html(CowStr::Borrowed("")),
            }
        }
        e => e.clone(),
    });
    let mut html = String::with_capacity(doc.plain_text.len() * 2 + 256);
    pulldown_cmark::html::push_html(&mut html, controls::clean_events(events));
    html
}

fn take_href(
    doc: &Document,
    next: &mut usize,
    resolve: &mut impl FnMut(&Link) -> String,
) -> String {
    let slot = doc.event_links.get(*next).copied().unwrap_or(usize::MAX);
    *next += 1;
    doc.links.get(slot).map(resolve).unwrap_or_default()
}

/// The heading level as a number (1–6).
pub fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

#[cfg(test)]
mod tests;
