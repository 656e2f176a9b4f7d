//! Front matter: splitting `---` blocks off Markdown sources and deserialising YAML.
//!
//! Stage: parse. Input: a source text (or `portal.yaml`). Output: typed values or a [`Diagnostic`]
//! whose line and column are counted from the top of the file. This module is the one home of
//! `serde_yaml` (archived upstream): swapping the YAML crate must touch this file only.

mod field_errors;

use super::yaml_depth::{deepest, MAX_YAML_DEPTH};
use crate::diagnostic::Diagnostic;
use field_errors::more_field_errors;
use serde::de::DeserializeOwned;

/// A source split into its YAML front matter and its Markdown body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences (empty when there is no front matter).
    pub yaml: &'a str,
    /// 1-based line of the first YAML line in the file.
    pub yaml_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Byte offset of `body` in the whole text.
    pub body_offset: usize,
    /// Whether a front-matter block was present at all.
    pub present: bool,
}

/// Splits `text` into front matter and body. The block opens with `---` on the first line and closes
/// with the next line that is exactly `---` (or `...`). An opened block that never closes is an error
/// at line 1.
pub fn split<'a>(path: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Ok(Split {
            yaml: "",
            yaml_line: 1,
            body: text,
            body_offset: 0,
            present: false,
        });
    }
    let mut pos = first_end;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            return Ok(Split {
                yaml: &text[first_end..pos],
                yaml_line: 2,
                body: &text[end..],
                body_offset: end,
                present: true,
            });
        }
        pos = end;
    }
    Err(Diagnostic::error(
        path,
        1,
        1,
        "front matter opened with `---` is never closed: expected a line `---` after the YAML",
    ))
}

/// Deserialises YAML into `T`, reporting the first error at its position in the file: `first_line`
/// is the file line of the YAML's first line. Empty YAML is read as an empty mapping. YAML nested
/// deeper than [`MAX_YAML_DEPTH`] is refused before it is parsed.
pub fn from_yaml<T: DeserializeOwned>(
    path: &str,
    yaml: &str,
    first_line: usize,
) -> Result<T, Diagnostic> {
    check_depth(path, yaml, first_line)?;
    let source = if yaml.trim().is_empty() { "{}" } else { yaml };
    serde_yaml::from_str(source).map_err(|e| yaml_diagnostic(path, yaml, &e, first_line))
}

/// Like [`from_yaml`], but reports every wrong-typed, unknown and missing field of the YAML, each at
/// its position, instead of stopping at the first (a syntax error still stops it: after one, the
/// parser cannot tell what the rest means).
pub fn from_yaml_all<T: DeserializeOwned>(
    path: &str,
    yaml: &str,
    first_line: usize,
) -> Result<T, Vec<Diagnostic>> {
    check_depth(path, yaml, first_line).map_err(|d| vec![d])?;
    let source = if yaml.trim().is_empty() { "{}" } else { yaml };
    let first = match serde_yaml::from_str::<T>(source) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let mut diags = vec![yaml_diagnostic(path, yaml, &first, first_line)];
    for d in more_field_errors::<T>(path, yaml, first_line, &first) {
        if !diags.contains(&d) {
            diags.push(d);
        }
    }
    Err(diags)
}

/// Refuses YAML nested deeper than [`MAX_YAML_DEPTH`], at the place where it gets too deep: the
/// parser would take minutes on it (see `yaml_depth`).
fn check_depth(path: &str, yaml: &str, first_line: usize) -> Result<(), Diagnostic> {
    let (depth, Some(offset)) = deepest(yaml, MAX_YAML_DEPTH) else {
        return Ok(());
    };
    let (line, col) = crate::diagnostic::LineIndex::new(yaml).position(offset);
    Err(Diagnostic::error(
        path,
        line + first_line - 1,
        col,
        format!("YAML nested {depth} deep, at most {MAX_YAML_DEPTH} allowed: expected a few levels of lists and `key: value` mappings (a `[` or `{{` that is never closed also nests)"),
    ))
}

fn yaml_diagnostic(path: &str, yaml: &str, e: &serde_yaml::Error, first_line: usize) -> Diagnostic {
    let raw = strip_positions(&e.to_string());
    let message = explain_yaml_message(&raw);
    let (mut line, mut col) = match e.location() {
        Some(loc) => yaml_position(yaml, loc.line(), loc.column()),
        None => (0, 1),
    };
    // Where serde_yaml's position is not where the author has to look, find the better place.
    let lines: Vec<&str> = yaml.lines().collect();
    if let Some(field) = raw
        .strip_prefix("duplicate field `")
        .and_then(|r| r.split('`').next())
    {
        // Point at the second occurrence.
        if let Some(i) = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                l.strip_prefix(field)
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            })
            .map(|(i, _)| i)
            .nth(1)
        {
            (line, col) = (i + 1, 1);
        }
    } else if raw.contains("while scanning a quoted scalar") {
        // serde_yaml points at the end of the text; the quote that was opened is what matters.
        if let Some(i) = lines.iter().position(|l| has_unclosed_quote(l)) {
            let c = lines[i]
                .find(['"', '\''])
                .map_or(1, |b| lines[i][..b].chars().count() + 1);
            (line, col) = (i + 1, c);
        }
    }
    if line == 0 {
        return Diagnostic::error(path, first_line.saturating_sub(1).max(1), 1, message);
    }
    let message = match lines.get(line - 1) {
        Some(l) if raw.contains("cannot start any token") && l.starts_with('\t') => {
            "YAML does not allow tabs for indentation: indent with spaces".to_string()
        }
        _ => message,
    };
    Diagnostic::error(path, line + first_line - 1, col, message)
}

/// Converts a position as the YAML parser counts it (lines broken also by a lone CR, NEL, U+2028
/// and U+2029) into lines broken by `\n` only, as the file's positions are counted everywhere else.
fn yaml_position(yaml: &str, line: usize, col: usize) -> (usize, usize) {
    let mut current = 1;
    let mut offset = yaml.len();
    let mut chars = yaml.char_indices().peekable();
    let mut line_start = 0;
    let mut found = line <= 1;
    while !found {
        let Some((i, c)) = chars.next() else { break };
        let is_break = match c {
            '\r' => {
                if chars.peek().is_some_and(|&(_, n)| n == '\n') {
                    chars.next();
                }
                true
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => true,
            _ => false,
        };
        if is_break {
            current += 1;
            line_start = chars.peek().map_or(yaml.len(), |&(j, _)| j);
            found = current == line;
            let _ = i;
        }
    }
    if found {
        offset = yaml[line_start..]
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(yaml.len(), |(j, _)| line_start + j);
    }
    if line == 0 {
        return (0, col);
    }
    crate::diagnostic::LineIndex::new(yaml).position(offset)
}

/// Whether a `key: "value` line opens a quote that it does not close.
fn has_unclosed_quote(line: &str) -> bool {
    let value = line
        .split_once(": ")
        .map_or(line.trim_start().trim_start_matches("- "), |(_, v)| v)
        .trim();
    let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    let rest = &value[1..];
    if q == '\'' {
        return rest.replace("''", "").find('\'').is_none();
    }
    let mut escaped = false;
    for c in rest.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return false,
            _ => escaped = false,
        }
    }
    true
}

/// Removes serde_yaml's ` at line N column M` notes: they count from the YAML, not the file, and the
/// diagnostic carries the file position anyway.
fn strip_positions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let skip = after
            .find(|c: char| !(c.is_ascii_digit() || c == ' ' || "column".contains(c)))
            .unwrap_or(after.len());
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// Rewrites serde's terse messages into ones a web editor can act on.
fn explain_yaml_message(message: &str) -> String {
    let words = |m: String| {
        let m = match m.split_once("expected struct ") {
            Some((head, tail)) => {
                let rest = tail.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
                format!("{head}expected `key: value` lines{rest}")
            }
            None => m,
        };
        m.replace("expected i64", "expected a whole number")
            .replace("expected u64", "expected a whole number")
            .replace("expected a sequence", "expected a list")
            .replace("expected a string", "expected text")
            .replace("missing field", "missing required field")
    };
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return words(format!("wrong type: found {rest}"));
    }
    if let Some((field, rest)) = message.split_once(": invalid type: ") {
        return words(format!("`{field}` has the wrong type: found {rest}"));
    }
    if let Some((parent, rest)) = message.split_once(": missing field ") {
        return format!("missing required field {rest} in `{parent}`");
    }
    if let Some((parent, rest)) = message.split_once(": unknown field ") {
        let (field, expected) = rest.split_once(',').unwrap_or((rest, ""));
        let comma = if expected.is_empty() { "" } else { "," };
        return format!("unknown field {field} in `{parent}`{comma}{expected}");
    }
    if let Some((field, rest)) = message.split_once(": unknown variant ") {
        return format!("`{field}` has an unknown value {rest}");
    }
    if message.contains("repetition limit exceeded") || message.contains("recursion limit exceeded")
    {
        return "YAML aliases (`&name` … `*name`) expand too far: expected plain values; write the text out instead".into();
    }
    if message.contains("while scanning a quoted scalar") {
        return "YAML syntax error: a quoted text is never closed: expected the closing quote on the same line".into();
    }
    if message.starts_with("mapping values are not allowed") {
        return "`: ` inside a value: quote the whole value, e.g. `title: \"通知：关于……\"` (or use the full-width `：`)".into();
    }
    if let Some(field) = message
        .strip_prefix("duplicate field `")
        .and_then(|r| r.split('`').next())
    {
        return format!("`{field}` is given twice: keep one");
    }
    if message.contains("expected struct") || message.contains("expected a map") {
        let found = message
            .split("found ")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .unwrap_or("something else");
        return format!("expected `key: value` lines, found {found}");
    }
    if message.contains("while parsing") || message.contains("while scanning") {
        return format!("YAML syntax error: {message} (text that starts with [ {{ * & ! | > or contains `: ` must be quoted)");
    }
    words(message.to_string())
}

/// Only the `kind` of a front matter, read before the kind-specific model (other keys ignored).
#[derive(Debug, Default, serde::Deserialize)]
pub struct KindProbe {
    #[serde(default)]
    pub kind: Option<String>,
}

/// The 1-based line of a top-level `key:` in the YAML (for diagnostics about values the
/// deserialiser accepted but later checks reject). Falls back to the first YAML line.
pub fn key_line(yaml: &str, first_line: usize, key: &str) -> usize {
    yaml.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(first_line, |i| first_line + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        #[serde(default)]
        weight: i64,
    }

    #[test]
    fn splits_and_reports_unclosed() {
        let s = split("a.md", "---\ntitle: x\n---\nbody\n").unwrap();
        assert_eq!(s.yaml, "title: x\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_offset, 17);
        assert!(!split("a.md", "# no fm\n").unwrap().present);
        let e = split("a.md", "---\ntitle: x\n").unwrap_err();
        assert_eq!((e.line, e.col), (1, 1));
    }

    #[test]
    fn errors_are_positioned_in_the_file() {
        let e = from_yaml::<T>("a.md", "title: x\nwieght: 3\n", 2).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message.contains("unknown field `wieght`"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("expected `title` or `weight`"),
            "{}",
            e.message
        );
        let e = from_yaml::<T>("a.md", "title: x\nweight: heavy\n", 2).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(
            e.message,
            "`weight` has the wrong type: found string \"heavy\", expected a whole number"
        );
    }

    #[test]
    fn syntax_errors_name_the_file_line_only() {
        let e = from_yaml::<T>("a.md", "title: \"unclosed\nweight: 1\n", 2).unwrap_err();
        assert!(!e.message.contains("at line"), "{}", e.message);
        assert!(e.message.starts_with("YAML syntax error"), "{}", e.message);
    }

    #[test]
    fn common_yaml_mistakes_point_at_the_line_to_fix() {
        let e = from_yaml::<T>("a.md", "title: a\ntitle: b\n", 2).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (3, "`title` is given twice: keep one")
        );
        let e = from_yaml::<T>("a.md", "weight: 1\ntitle: \"open\nx: 1\n", 2).unwrap_err();
        assert_eq!((e.line, e.col), (3, 8));
        assert!(e.message.contains("never closed"), "{}", e.message);
        let e = from_yaml::<T>("a.md", "title: 通知: 关于\n", 2).unwrap_err();
        assert!(e.message.contains("quote the whole value"), "{}", e.message);
        let e = from_yaml::<serde_json::Value>("a.md", "a:\n\t- b\n", 2).unwrap_err();
        assert!(e.message.contains("tabs"), "{}", e.message);
        let e = from_yaml::<T>("a.md", "- a\n- b\n", 2).unwrap_err();
        assert!(
            e.message.ends_with("expected `key: value` lines"),
            "{}",
            e.message
        );
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
        let e = from_yaml::<serde_json::Value>("a.md", bomb, 2).unwrap_err();
        assert!(e.message.contains("aliases"), "{}", e.message);
    }

    #[test]
    fn positions_count_only_line_feeds_as_line_breaks() {
        // The YAML parser also breaks lines at CR and U+2028; the file's lines do not.
        let e = from_yaml::<T>("a.md", "title: a\u{2028}b\nx: 1\rweight: [\n", 2).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = from_yaml::<T>("a.md", "title: a\r\r\r\rwieght: 1\n", 2).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn every_field_error_is_reported_where_the_author_wrote_it() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Item {
            name: String,
            #[serde(default)]
            n: i64,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct L {
            title: String,
            #[serde(default)]
            items: Vec<Item>,
        }
        let yaml = "title: [x]\nitems:\n  - name: a\n    n: x\n  - nme: b\n  - name: c\n    extra: 1\nother: 1\n";
        let e = from_yaml_all::<L>("a.md", yaml, 2).unwrap_err();
        let got: Vec<String> = e.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            got,
            [
                "a.md:2:8: error: `title` has the wrong type: found sequence, expected text",
                "a.md:5:8: error: `items[0].n` has the wrong type: found string \"x\", expected a whole number",
                "a.md:6:5: error: unknown field `nme` in `items[1]`, expected `name` or `n`",
                "a.md:6:5: error: missing required field `name` in `items[1]`",
                "a.md:8:5: error: unknown field `extra` in `items[2]`, expected `name` or `n`",
                "a.md:9:1: error: unknown field `other`, expected `title` or `items`",
            ]
        );
        // Syntax errors stop at the first; a clean YAML has none.
        assert_eq!(
            from_yaml_all::<L>("a.md", "title: [\nx: 1\n", 2)
                .unwrap_err()
                .len(),
            1
        );
        assert!(from_yaml_all::<L>("a.md", "title: x\n", 2).is_ok());
    }

    #[test]
    fn yaml_nested_too_deep_is_refused_with_its_position() {
        let yaml = format!(
            "title: x\nextra: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let e = from_yaml::<serde_json::Value>("a.md", &yaml, 2).unwrap_err();
        assert_eq!((e.line, e.col), (3, 71));
        assert_eq!(
            e.message,
            "YAML nested 100001 deep, at most 64 allowed: expected a few levels of lists and `key: value` mappings (a `[` or `{` that is never closed also nests)"
        );
    }

    #[test]
    fn key_line_finds_top_level_keys() {
        assert_eq!(key_line("title: x\ndate: 2024\n", 2, "date"), 3);
        assert_eq!(key_line("title: x\n", 2, "date"), 2);
    }
}
