//! Control characters in a Markdown body: reported where they stand, left out of what is written.
//!
//! Stage: parse ([`check_controls`], positioned warnings) and render ([`clean_events`], an event
//! adapter before pulldown-cmark's HTML writer, which writes text as it is). What counts is
//! [`crate::html::is_forbidden`]: NUL, ESC and the other C0 controls but tab, LF and CR, DEL, the C1
//! controls and the noncharacters — invisible in an editor, fatal to an XML reader, obeyed by a
//! terminal. U+000B (Word's Shift+Enter, pasted with the text) is no mistake: it is rendered as a
//! line break (`<br>`; a new line inside code; the form writers make it a line break in the cell).

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::html::{is_forbidden, strip_forbidden, LINE_BREAK};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::collections::VecDeque;

/// At most this many lines with control characters are reported per file (then one summary).
const MAX_REPORTED_LINES: usize = 20;

/// One warning per line of `body` (which starts at byte `base` of the file `index` covers) that
/// holds control characters, naming them; at most [`MAX_REPORTED_LINES`], then a count.
pub fn check_controls(path: &str, body: &str, base: usize, index: &LineIndex) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut lines = 0usize;
    let mut current: Option<(usize, usize, Vec<char>)> = None;
    let mut flush = |cur: Option<(usize, usize, Vec<char>)>, diags: &mut Vec<Diagnostic>| {
        if let Some((line, col, chars)) = cur {
            lines += 1;
            if lines <= MAX_REPORTED_LINES {
                diags.push(Diagnostic::warning(path, line, col, message(&chars)));
            }
        }
    };
    for (off, c) in body.char_indices() {
        if c == LINE_BREAK || !is_forbidden(c) {
            continue;
        }
        let (line, col) = index.position(base + off);
        match &mut current {
            Some((l, _, chars)) if *l == line => {
                if !chars.contains(&c) {
                    chars.push(c);
                }
            }
            _ => flush(current.replace((line, col, vec![c])), &mut diags),
        }
    }
    flush(current.take(), &mut diags);
    if lines > MAX_REPORTED_LINES {
        let first = diags.first().map_or(1, |d| d.line);
        diags.push(Diagnostic::warning(
            path,
            first,
            1,
            format!(
                "{} more lines hold control characters (not listed): they are left out of the page too",
                lines - MAX_REPORTED_LINES
            ),
        ));
    }
    diags
}

fn message(chars: &[char]) -> String {
    let names: Vec<String> = chars.iter().map(|&c| describe(c)).collect();
    let kind = if chars.iter().all(|c| c.is_control()) {
        "control character"
    } else {
        "invisible character"
    };
    let (what, verb) = if chars.len() == 1 {
        (kind.to_string(), "is")
    } else {
        (format!("{kind}s"), "are")
    };
    format!(
        "{what} {} {verb} left out of the page: delete {} (such characters come with text copied from Word, a PDF or a terminal)",
        names.join(", "),
        if chars.len() == 1 { "it" } else { "them" }
    )
}

/// `U+001B (escape)`.
fn describe(c: char) -> String {
    let name = match c {
        '\0' => "NUL",
        '\u{7}' => "bell",
        '\u{8}' => "backspace",
        '\u{c}' => "form feed, Word's page break",
        '\u{1b}' => "escape",
        '\u{7f}' => "delete",
        '\u{80}'..='\u{9f}' => "C1 control",
        c if (c as u32) < 0x20 => "control",
        _ => "noncharacter",
    };
    format!("U+{:04X} ({name})", c as u32)
}

/// The events with every forbidden character left out of text, code, raw HTML, titles and ids;
/// U+000B becomes a hard line break in text and a new line inside code blocks.
pub fn clean_events<'a, I: Iterator<Item = Event<'a>>>(
    events: I,
) -> impl Iterator<Item = Event<'a>> {
    Clean {
        inner: events,
        code: 0,
        pending: VecDeque::new(),
    }
}

struct Clean<'a, I> {
    inner: I,
    /// Depth of code blocks around the current event.
    code: usize,
    pending: VecDeque<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Clean<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(e) = self.pending.pop_front() {
            return Some(e);
        }
        let e = self.inner.next()?;
        Some(match e {
            Event::Start(Tag::CodeBlock(_)) => {
                self.code += 1;
                e
            }
            Event::End(TagEnd::CodeBlock) => {
                self.code = self.code.saturating_sub(1);
                e
            }
            Event::Text(t) if self.code > 0 => Event::Text(code_text(t)),
            Event::Text(t) if t.contains(LINE_BREAK) => {
                let mut parts = t.split(LINE_BREAK);
                let first = cow(strip_forbidden(parts.next().unwrap_or("")).into_owned());
                for p in parts {
                    self.pending.push_back(Event::HardBreak);
                    self.pending
                        .push_back(Event::Text(cow(strip_forbidden(p).into_owned())));
                }
                Event::Text(first)
            }
            Event::Text(t) => Event::Text(clean(t)),
            Event::Code(t) => Event::Code(clean(t)),
            Event::Html(t) => Event::Html(clean(t)),
            Event::InlineHtml(t) => Event::InlineHtml(clean(t)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url,
                title: clean(title),
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url,
                title: clean(title),
                id,
            }),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level,
                id: id.map(clean),
                classes: classes.into_iter().map(clean).collect(),
                attrs,
            }),
            e => e,
        })
    }
}

fn cow<'a>(s: String) -> CowStr<'a> {
    CowStr::from(s)
}

fn clean(t: CowStr<'_>) -> CowStr<'_> {
    if t.chars().any(is_forbidden) {
        cow(strip_forbidden(&t).into_owned())
    } else {
        t
    }
}

fn code_text(t: CowStr<'_>) -> CowStr<'_> {
    if !t.chars().any(is_forbidden) {
        return t;
    }
    let s: String = t
        .chars()
        .filter_map(|c| match c {
            LINE_BREAK => Some('\n'),
            c if is_forbidden(c) => None,
            c => Some(c),
        })
        .collect();
    cow(s)
}

/// Replaces every forbidden character of `text` with as many spaces as it has bytes, so byte
/// offsets into it (headings' and articles' search sections) stay right.
pub fn blank_out(text: &mut String) {
    if !text.chars().any(is_forbidden) {
        return;
    }
    *text = text
        .chars()
        .map(|c| {
            if is_forbidden(c) {
                " ".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect();
}

/// The parsed document's own text without forbidden characters: plain text blanked (offsets
/// kept), heading texts and article excerpts stripped.
pub(super) fn clean_document(doc: &mut super::Document) {
    blank_out(&mut doc.plain_text);
    for h in &mut doc.headings {
        if let std::borrow::Cow::Owned(s) = strip_forbidden(&h.text) {
            h.text = s;
        }
    }
    for a in &mut doc.articles {
        if let std::borrow::Cow::Owned(s) = strip_forbidden(&a.excerpt) {
            a.excerpt = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, clean_events(pulldown_cmark::Parser::new(md)));
        out
    }

    #[test]
    fn controls_are_left_out_and_shift_enter_breaks_the_line() {
        assert_eq!(html("a\u{1b}]0;x\u{7}b\u{b}c"), "<p>a]0;xb<br />\nc</p>\n");
        assert_eq!(
            html("```\na\u{b}b\u{0}\n```"),
            "<pre><code>a\nb\n</code></pre>\n"
        );
    }

    #[test]
    fn one_warning_per_line_naming_the_characters() {
        let text = "---\ntitle: x\n---\n\nab\u{1b}c\u{7}\u{1b}\nok\u{b}\n\u{7f}\n";
        let base = text.find("\n\n").unwrap() + 2;
        let d = check_controls("p.md", &text[base..], base, &LineIndex::new(text));
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!((d[0].line, d[0].col), (5, 3));
        assert!(
            d[0].message
                .contains("U+001B (escape), U+0007 (bell) are left out"),
            "{}",
            d[0].message
        );
        assert_eq!((d[1].line, d[1].col), (7, 1));
    }

    #[test]
    fn blanking_keeps_byte_offsets() {
        let mut s = "a\u{0}b\u{9b}c".to_string();
        let len = s.len();
        blank_out(&mut s);
        assert_eq!(s, "a b  c");
        assert_eq!(s.len(), len);
    }
}
