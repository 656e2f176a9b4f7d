//! The one escaper: every writer of HTML, SVG or XML text goes through here, and so does every
//! path portal turns into a URL.
//!
//! Two rules for text, because the outputs need two:
//! - [`escape`] — HTML and SVG text and attributes: `& < > " '`. It is also Tera's escape function
//!   (Tera's own default escapes `/` too, which makes every path in an attribute unreadable without
//!   adding safety inside quoted attributes).
//! - [`escape_xml`] — XML parts that are not HTML (the `.docx` parts, `sitemap.xml`) and attribute
//!   values written by the Markdown renderer: `& < > "`; `'` stays as it is because these values are
//!   always written inside double quotes.
//!
//! Both leave out the characters no writer may emit ([`is_forbidden`]: what XML 1.0 forbids — C0
//! controls other than tab, LF and CR, U+FFFE, U+FFFF — and what HTML reports as a parse error — DEL,
//! the C1 controls, the noncharacters), so one NUL or Word's Shift+Enter (U+000B) cannot make a
//! `.docx` unreadable or a page invalid. U+000B, a line break inside a Word cell, becomes a space;
//! [`escape_breaking`] writes it as the caller's line break instead (`<br>`, `<w:br/>`).
//!
//! URLs: [`url_path`] percent-encodes a site path for an `href`, a `src`, `sitemap.xml` and a
//! `Location` header alike: RFC 3986 path characters kept, everything else — space, `#`, `?`, `%`,
//! controls, and non-ASCII as UTF-8 bytes — encoded. One rule everywhere: pulldown-cmark encodes
//! the links it writes the same way, and the sitemap protocol wants plain URIs (browsers show the
//! reader the decoded path). Written by hand: it is a dozen lines, and the `percent-encoding`
//! crate would still need the set spelt out.
//!
//! All are pure functions over `&str` and sit at the ground floor, so the kinds (flow, forms) can
//! write their markup without importing the renderer.

use std::borrow::Cow;

/// Escapes text or a double- or single-quoted attribute value for HTML or SVG: `& < > " '`.
pub fn escape(s: &str) -> String {
    escape_with(s, true, " ")
}

/// Escapes text or a double-quoted attribute value for XML: `& < > "`.
pub fn escape_xml(s: &str) -> String {
    escape_with(s, false, " ")
}

/// Like [`escape`] (`xml: false`) or [`escape_xml`] (`xml: true`), with U+000B (Word's
/// Shift+Enter, a line break inside a cell) written as the markup `br`.
pub fn escape_breaking(s: &str, xml: bool, br: &str) -> String {
    escape_with(s, !xml, br)
}

fn escape_with(s: &str, apostrophe: bool, br: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if apostrophe => out.push_str("&#39;"),
            LINE_BREAK => out.push_str(br),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// U+000B, the vertical tab: what Word writes for Shift+Enter (a line break inside a paragraph or
/// a table cell) and what pasting from Word leaves in the text.
pub const LINE_BREAK: char = '\u{b}';

/// A character no page, SVG or XML part may hold: C0 controls other than tab, LF and CR (XML 1.0
/// forbids them), DEL and the C1 controls (HTML parse errors; terminals obey them), and the
/// noncharacters U+FDD0–U+FDEF and U+xFFFE/U+xFFFF (XML forbids U+FFFE/U+FFFF, HTML all of them).
pub fn is_forbidden(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7f..=0x9f).contains(&n)
        || (0xfdd0..=0xfdef).contains(&n)
        || (n & 0xfffe) == 0xfffe
}

/// `s` without the [`is_forbidden`] characters (U+000B becomes a space), for text that reaches a
/// writer other than the escapers above (pulldown-cmark's HTML writer, plain text for search).
pub fn strip_forbidden(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_forbidden) {
        return Cow::Borrowed(s);
    }
    s.chars()
        .filter_map(|c| match c {
            LINE_BREAK => Some(' '),
            c if is_forbidden(c) => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

/// A site path (`files/会议 纪要#1.pdf`) as it goes into a URL: every byte that is not an RFC 3986
/// path character (unreserved, sub-delims, `:`, `@`, `/`) percent-encoded, non-ASCII as its UTF-8
/// bytes (`files/%E4%BC%9A%E8%AE%AE%20%E7%BA%AA%E8%A6%81%231.pdf`). Borrowed when nothing needs it.
pub fn url_path(path: &str) -> Cow<'_, str> {
    let keep = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b);
    if path.bytes().all(keep) {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() * 3);
    for b in path.bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_five_characters_and_keeps_the_rest() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's / 风险</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s / 风险&lt;/a&gt;"
        );
    }

    #[test]
    fn xml_keeps_the_apostrophe() {
        assert_eq!(
            escape_xml(r#"a&b<c>"d"'e'"#),
            "a&amp;b&lt;c&gt;&quot;d&quot;'e'"
        );
    }

    #[test]
    fn characters_xml_and_html_forbid_are_left_out() {
        let s = "a\0b\u{1b}]0;t\u{7}c\u{7f}d\u{9b}e\u{fffe}f\u{ffff}g\u{fdd0}h\u{1fffe}\t\n\r";
        assert_eq!(escape(s), "ab]0;tcdefgh\t\n\r");
        assert_eq!(escape_xml(s), "ab]0;tcdefgh\t\n\r");
        assert_eq!(strip_forbidden(s), "ab]0;tcdefgh\t\n\r");
        assert!(matches!(strip_forbidden("风险 ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn shift_enter_is_a_line_break_where_the_writer_has_one() {
        assert_eq!(escape("第一行\u{b}第二行"), "第一行 第二行");
        assert_eq!(
            escape_breaking("a\u{b}<b>", false, "<br>"),
            "a<br>&lt;b&gt;"
        );
        assert_eq!(
            escape_breaking("a\u{b}b'", true, "</w:t><w:br/><w:t>"),
            "a</w:t><w:br/><w:t>b'"
        );
        assert_eq!(strip_forbidden("a\u{b}b"), "a b");
    }

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(url_path("guide/a/index.html"), "guide/a/index.html");
        assert!(matches!(url_path("a/b.html"), Cow::Borrowed(_)));
        assert_eq!(url_path("files/a b#1?.pdf"), "files/a%20b%231%3F.pdf");
        assert_eq!(url_path("a%41/b\\c\"<>"), "a%2541/b%5Cc%22%3C%3E");
        assert_eq!(url_path("tags/政策/"), "tags/%E6%94%BF%E7%AD%96/");
        assert_eq!(url_path("a\u{3000}b"), "a%E3%80%80b");
    }
}
