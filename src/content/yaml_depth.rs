//! How deeply a YAML text nests, found by one cheap pass before the YAML parser sees it.
//!
//! Stage: parse (pure). Input: YAML text (front matter or `portal.yaml`). Output: the deepest nesting
//! of collections and the byte offset where it first went past a limit.
//!
//! Why by hand: the YAML parser behind serde_yaml (unsafe-libyaml) takes time quadratic in the depth
//! of nested flow collections (`[[[[…]]]]`: 100,000 deep, 200 KB, runs for minutes), and serde_yaml
//! then reports its recursion limit as if it were an alias bomb. No YAML crate offers a depth limit
//! that applies before that work, so this scanner counts the depth itself, in time linear in the
//! text, and `front_matter::from_yaml` refuses deep texts before parsing them.
//!
//! What it counts: every `[` and `{` of a flow collection (quoted text and comments skipped), and
//! every block collection: each `- ` / `? ` item marker and each `key:` entry that is indented
//! deeper than the collection holding it. It is an estimate that errs on the side of the parser (a
//! sequence written at its key's indentation counts one level less), which is enough: the limit is
//! far below the nesting where parsing gets slow, and far above what any front matter needs.

/// The deepest nesting allowed in any YAML portal reads. The parser's own recursion limit is 128;
/// the deepest real front matter (a worksheet's degrees) nests 4 levels.
pub const MAX_YAML_DEPTH: usize = 64;

/// The deepest nesting of `yaml`, and the byte offset where it first went deeper than `limit`.
pub fn deepest(yaml: &str, limit: usize) -> (usize, Option<usize>) {
    let mut scan = Scan {
        bytes: yaml.as_bytes(),
        limit,
        max: 0,
        first_over: None,
        stack: Vec::new(),
        flow: 0,
        flow_base: 0,
        quote: None,
        block_scalar: None,
    };
    let mut start = 0;
    while start < yaml.len() {
        let end = yaml[start..].find('\n').map_or(yaml.len(), |i| start + i);
        scan.line(start, end);
        start = end + 1;
    }
    (scan.max, scan.first_over)
}

struct Scan<'a> {
    bytes: &'a [u8],
    limit: usize,
    max: usize,
    first_over: Option<usize>,
    /// Indentation columns of the open block collections, strictly increasing.
    stack: Vec<usize>,
    /// Depth inside the current flow collection.
    flow: usize,
    /// Block depth where the current flow collection started.
    flow_base: usize,
    /// The quote of a quoted scalar still open at the end of the previous line.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`): lines indented more than this are its text.
    block_scalar: Option<usize>,
}

impl Scan<'_> {
    fn note(&mut self, depth: usize, offset: usize) {
        self.max = self.max.max(depth);
        if depth > self.limit && self.first_over.is_none() {
            self.first_over = Some(offset);
        }
    }

    /// Opens (or continues) the block collection at column `col` of the line starting at `start`.
    fn open(&mut self, start: usize, col: usize) {
        if self.stack.last().is_none_or(|&top| top < col) {
            self.stack.push(col);
        }
        self.note(self.stack.len(), start + col);
    }

    fn line(&mut self, start: usize, end: usize) {
        let line = &self.bytes[start..end];
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let blank = line[indent..].iter().all(|b| b.is_ascii_whitespace());
        if let Some(parent) = self.block_scalar {
            if blank || indent > parent {
                return;
            }
            self.block_scalar = None;
        }
        if self.quote.is_some() || self.flow > 0 {
            self.inline(start, line, 0);
            return;
        }
        if blank || line[indent] == b'#' || line.starts_with(b"---") || line.starts_with(b"...") {
            return;
        }
        while self.stack.last().is_some_and(|&top| top > indent) {
            self.stack.pop();
        }
        // Item markers: `- - - x` opens a sequence at each dash.
        let mut col = indent;
        while col < line.len()
            && matches!(line[col], b'-' | b'?')
            && line.get(col + 1).is_none_or(|b| *b == b' ' || *b == b'\t')
        {
            self.open(start, col);
            col += 1;
            while col < line.len() && matches!(line[col], b' ' | b'\t') {
                col += 1;
            }
        }
        if col >= line.len() {
            return;
        }
        let value = match key_end(&line[col..]) {
            Some(after) => {
                self.open(start, col);
                let mut v = col + after;
                while v < line.len() && matches!(line[v], b' ' | b'\t') {
                    v += 1;
                }
                v
            }
            None => col,
        };
        // Anchors and tags before the value (`&a [`, `!!seq [`).
        let mut v = value;
        while v < line.len() && matches!(line[v], b'&' | b'!') {
            while v < line.len() && !matches!(line[v], b' ' | b'\t') {
                v += 1;
            }
            while v < line.len() && matches!(line[v], b' ' | b'\t') {
                v += 1;
            }
        }
        match line.get(v) {
            Some(b'[' | b'{') => {
                self.flow_base = self.stack.len();
                self.inline(start, line, v);
            }
            Some(b'"' | b'\'') => self.inline(start, line, v),
            Some(b'|' | b'>') => self.block_scalar = Some(indent),
            _ => {}
        }
    }

    /// Flow collections and quoted text from byte `from` of the line to its end (or to where the
    /// outermost flow collection closes).
    fn inline(&mut self, start: usize, line: &[u8], from: usize) {
        let mut j = from;
        let mut prev = b' ';
        while j < line.len() {
            let b = line[j];
            if let Some(q) = self.quote {
                if q == b'"' && b == b'\\' {
                    j += 2;
                    continue;
                }
                if b == q {
                    if q == b'\'' && line.get(j + 1) == Some(&b'\'') {
                        j += 2;
                        continue;
                    }
                    self.quote = None;
                    if self.flow == 0 {
                        return;
                    }
                }
                prev = b;
                j += 1;
                continue;
            }
            match b {
                b'[' | b'{' => {
                    self.flow += 1;
                    self.note(self.flow_base + self.flow, start + j);
                }
                b']' | b'}' => {
                    self.flow = self.flow.saturating_sub(1);
                    if self.flow == 0 {
                        return;
                    }
                }
                b'"' | b'\'' if matches!(prev, b' ' | b'\t' | b'[' | b'{' | b',' | b':') => {
                    self.quote = Some(b);
                }
                b'#' if matches!(prev, b' ' | b'\t') => return,
                _ => {}
            }
            prev = b;
            j += 1;
        }
    }
}

/// If `text` starts with a mapping key (`key:`, `"key":`, `'key':`), the byte index after its colon.
fn key_end(text: &[u8]) -> Option<usize> {
    let colon = match text.first()? {
        b'[' | b'{' | b'#' | b'|' | b'>' | b'&' | b'!' | b'*' => return None,
        q @ (b'"' | b'\'') => {
            let close = text[1..].iter().position(|b| b == q)? + 1;
            (text.get(close + 1) == Some(&b':')).then_some(close + 1)?
        }
        _ => {
            let mut i = 0;
            loop {
                match text.get(i) {
                    None => return None,
                    Some(b':') if text.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\t') => {
                        break i
                    }
                    Some(b'#') if i > 0 && matches!(text[i - 1], b' ' | b'\t') => return None,
                    _ => i += 1,
                }
            }
        }
    };
    Some(colon + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(yaml: &str) -> usize {
        deepest(yaml, usize::MAX).0
    }

    #[test]
    fn counts_block_and_flow_nesting() {
        assert_eq!(depth("title: x\n"), 1);
        assert_eq!(depth("a:\n  b:\n    c: 1\n"), 3);
        assert_eq!(depth("a:\n  - name: x\n    min: 1\n"), 3);
        assert_eq!(depth("a: [1, [2, {b: 3}]]\n"), 4);
        assert_eq!(depth("- - - x\n"), 3);
        assert_eq!(depth("a: &x [[1]]\nb: !!seq [2]\n"), 3);
    }

    #[test]
    fn quoted_text_comments_and_block_scalars_are_not_counted() {
        assert_eq!(depth("a: \"[[[[\"\nb: '{{''{{'\n"), 1);
        assert_eq!(depth("a: x # [[[[\n"), 1);
        assert_eq!(depth("a: |\n  [[[[\n  - - - -\nb: 1\n"), 1);
        assert_eq!(depth("a: 关于[2023]号 {x}\n"), 1);
        assert_eq!(depth("a: [\"]]]\", '[[', x]\n"), 2);
        assert_eq!(depth("\"4\": [较小]\n"), 2);
    }

    #[test]
    fn multi_line_flow_collections_carry_their_depth() {
        assert_eq!(depth("a: [\n  [\n    [1],\n  ],\n]\nb: 1\n"), 4);
    }

    #[test]
    fn reports_where_the_limit_is_first_passed() {
        let yaml = format!("title: x\nextra: {}{}\n", "[".repeat(100), "]".repeat(100));
        let (max, over) = deepest(&yaml, MAX_YAML_DEPTH);
        assert_eq!(max, 101);
        assert_eq!(over, Some("title: x\nextra: ".len() + MAX_YAML_DEPTH - 1));
        let deep = "- ".repeat(200) + "x\n";
        assert_eq!(
            deepest(&deep, MAX_YAML_DEPTH),
            (200, Some(2 * MAX_YAML_DEPTH))
        );
    }

    #[test]
    fn is_linear_on_a_100000_deep_text() {
        let yaml = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let t = std::time::Instant::now();
        assert_eq!(deepest(&yaml, MAX_YAML_DEPTH).0, 100_001);
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
    }
}
