//! The one escaper: every writer of HTML, SVG or XML text goes through here.
//!
//! Two rules, because the outputs need two:
//! - [`escape`] — HTML and SVG text and attributes: `& < > " '`. It is also Tera's escape function
//!   (Tera's own default escapes `/` too, which makes every path in an attribute unreadable without
//!   adding safety inside quoted attributes).
//! - [`escape_xml`] — XML parts that are not HTML (the `.docx` parts, `sitemap.xml`) and attribute
//!   values written by the Markdown renderer: `& < > "`; `'` stays as it is because these values are
//!   always written inside double quotes.
//!
//! Both are pure functions over `&str` and sit at the ground floor, so the kinds (flow, forms) can
//! write their markup without importing the renderer.

/// Escapes text or a double- or single-quoted attribute value for HTML or SVG: `& < > " '`.
pub fn escape(s: &str) -> String {
    escape_with(s, true)
}

/// Escapes text or a double-quoted attribute value for XML: `& < > "`.
pub fn escape_xml(s: &str) -> String {
    escape_with(s, false)
}

fn escape_with(s: &str, apostrophe: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if apostrophe => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_xml};

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
}
