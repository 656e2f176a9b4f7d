//! Typed diagnostics: every mistake an author can fix.
//!
//! Stage: shared by all stages. Input: a path, a position and a message. Output: `path:line:col: message`
//! lines, sorted and de-duplicated by [`Diagnostics::into_sorted`]. Lines and columns are 1-based and
//! counted from the top of the source file (columns in characters, not bytes).

use std::fmt;

/// How bad a diagnostic is: errors fail the command, warnings are printed and do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One author-facing problem at a place in a source file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Path relative to the site root, with `/` separators (e.g. `content/faq.md`).
    pub path: String,
    /// 1-based line; 0 when the problem has no line (a whole file or folder).
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    /// An error at `path:line:col`.
    pub fn error(
        path: impl Into<String>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.into(),
            line,
            col,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// A warning at `path:line:col`.
    pub fn warning(
        path: impl Into<String>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, col, message)
        }
    }

    /// An error about a whole file (no line).
    pub fn file(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::error(path, 0, 0, message)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Control characters from file names or values (NUL, escape sequences that would recolour
        // or rewrite the terminal) are shown as escapes.
        let (path, message) = (visible(&self.path), visible(&self.message));
        match (self.line, self.col) {
            (0, _) => write!(f, "{path}: {level}: {message}"),
            (l, 0) => write!(f, "{path}:{l}: {level}: {message}"),
            (l, c) => write!(f, "{path}:{l}:{c}: {level}: {message}"),
        }
    }
}

/// `text` with control characters other than tab written as `\u{..}` escapes.
fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// A command's answer (search hits, scope answers, a risk table, JSON) as it may go to a terminal:
/// control characters other than tab and new line — ESC and OSC sequences that would recolour the
/// terminal or set its title, CR, DEL, the C1 controls — written as `\u001b`. That spelling is
/// also a JSON string escape, so `--json` output stays valid JSON (controls only occur inside its
/// strings, and serde_json leaves DEL and C1 as they are).
pub fn terminal_text(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && c != '\t' && c != '\n';
    if !text.chars().any(bad) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if bad(c) {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// A bag of diagnostics collected over a whole run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// Sorted by path, line, column, then message; exact duplicates removed.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.path, a.line, a.col, &a.message, a.severity)
                .cmp(&(&b.path, b.line, b.col, &b.message, b.severity))
        });
        self.items.dedup();
        self.items
    }
}

/// Maps byte offsets of a text to 1-based (line, column-in-characters) positions.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The (line, col) of byte `offset`; both 1-based.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let idx = LineIndex::new("一二三\nab第四");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (1, 2));
        assert_eq!(idx.position(10), (2, 1));
        assert_eq!(idx.position(12), (2, 3));
    }

    #[test]
    fn display_omits_missing_parts() {
        assert_eq!(
            Diagnostic::file("content", "empty").to_string(),
            "content: error: empty"
        );
        assert_eq!(
            Diagnostic::error("a.md", 3, 4, "bad").to_string(),
            "a.md:3:4: error: bad"
        );
    }

    #[test]
    fn terminal_text_escapes_controls_as_json_does() {
        assert_eq!(
            super::terminal_text("a\u{1b}]0;x\u{7}\tb\n\u{9b}\r"),
            "a\\u001b]0;x\\u0007\tb\n\\u009b\\u000d"
        );
        let json = serde_json::to_string(&"x\u{7f}\u{85}").unwrap();
        let safe = super::terminal_text(&json);
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "x\u{7f}\u{85}"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        let d = Diagnostic::error("a\u{1b}[31m.md", 1, 2, "slug `a\0b`");
        assert_eq!(d.to_string(), "a\\u{1b}[31m.md:1:2: error: slug `a\\u{0}b`");
    }

    #[test]
    fn sorted_and_deduplicated() {
        let mut ds = Diagnostics::new();
        ds.push(Diagnostic::error("b.md", 1, 1, "x"));
        ds.push(Diagnostic::error("a.md", 9, 1, "x"));
        ds.push(Diagnostic::error("a.md", 2, 1, "x"));
        ds.push(Diagnostic::error("a.md", 2, 1, "x"));
        let v = ds.into_sorted();
        assert_eq!(v.len(), 3);
        assert_eq!((v[0].path.as_str(), v[0].line), ("a.md", 2));
        assert_eq!(v[2].path, "b.md");
    }
}
