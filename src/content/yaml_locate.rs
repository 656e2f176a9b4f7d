//! Positions of values inside YAML front matter, for checks that run after deserialising.
//!
//! Stage: parse (pure). Input: the YAML text, the file line of its first line and a path such as
//! `degrees[3].min`. Output: the 1-based file `(line, column)` of that value, or of the deepest part
//! of the path that exists. serde_yaml keeps no positions in its values, so later checks (a degree
//! range overlapping another, a threshold out of order) use this to point at the right place. It
//! reads the usual front-matter YAML: block mappings and sequences (also a sequence at its key's
//! indentation) and one-line flow collections (`{name: 微小, min: 1}`, `[0.1, 0.3]`).

/// One step of a path into YAML: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where a value starts: a block of lines, or flow/scalar text on one line.
#[derive(Debug, Clone, Copy)]
enum Node {
    /// Lines `start..end` of the YAML; the first line's content starts at char `first_col`.
    Block {
        start: usize,
        end: usize,
        first_col: usize,
    },
    /// Text on line `line`, starting at char `col`.
    Inline { line: usize, col: usize },
}

/// The file position of the value at `path` (or of the deepest ancestor found; the first YAML
/// line when nothing matches). Lines and columns are 1-based, columns in characters.
pub fn locate(yaml: &str, first_line: usize, path: &[Seg]) -> (usize, usize) {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut node = Node::Block {
        start: 0,
        end: lines.len(),
        first_col: 0,
    };
    let mut pos = (0, 0);
    for seg in path {
        let next = match node {
            Node::Block {
                start,
                end,
                first_col,
            } => block_child(&lines, start, end, first_col, *seg),
            Node::Inline { line, col } => flow_child(&lines, line, col, *seg),
        };
        match next {
            Some((n, p)) => {
                node = n;
                pos = p;
            }
            None => break,
        }
    }
    (first_line + pos.0, pos.1 + 1)
}

/// Column (in chars) of the first non-space character, `None` for blank and comment lines.
fn indent(line: &str) -> Option<usize> {
    let trimmed = line.trim_start_matches(' ');
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    Some(line.chars().count() - trimmed.chars().count())
}

/// The content columns of a block's lines: the first line's content may start after `- `.
fn effective_indent(lines: &[&str], i: usize, start: usize, first_col: usize) -> Option<usize> {
    let ind = indent(lines[i])?;
    Some(if i == start { ind.max(first_col) } else { ind })
}

fn char_slice(line: &str, col: usize) -> &str {
    line.char_indices().nth(col).map_or("", |(b, _)| &line[b..])
}

fn block_child(
    lines: &[&str],
    start: usize,
    end: usize,
    first_col: usize,
    seg: Seg,
) -> Option<(Node, (usize, usize))> {
    let base = (start..end).find_map(|i| effective_indent(lines, i, start, first_col))?;
    let at_base =
        (start..end).filter(|&i| effective_indent(lines, i, start, first_col) == Some(base));
    match seg {
        Seg::Key(key) => {
            let i = at_base
                .into_iter()
                .find(|&i| key_rest(char_slice(lines[i], base), key).is_some())?;
            Some(key_value(lines, i, base, key, end))
        }
        Seg::Index(n) => {
            let items: Vec<usize> = at_base
                .filter(|&i| is_item(char_slice(lines[i], base)))
                .collect();
            let &i = items.get(n)?;
            let item_end = items.iter().find(|&&j| j > i).copied().unwrap_or(end);
            let text = char_slice(lines[i], base);
            let content = base + 1 + text[1..].chars().take_while(|c| *c == ' ').count();
            let rest = char_slice(lines[i], content);
            let node = if rest.starts_with('{')
                || rest.starts_with('[')
                || (!rest.is_empty() && key_like(rest).is_none())
            {
                Node::Inline {
                    line: i,
                    col: content,
                }
            } else {
                Node::Block {
                    start: i,
                    end: item_end,
                    first_col: content,
                }
            };
            Some((node, (i, content)))
        }
    }
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// If `text` starts with `key:` (plain or quoted), the text after the colon.
fn key_rest<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let (k, rest) = key_like(text)?;
    (k == key).then_some(rest)
}

/// Splits `key: rest` (the key plain or quoted), or `None` when the text is no mapping entry.
fn key_like(text: &str) -> Option<(&str, &str)> {
    let (k, after) = match text.chars().next()? {
        q @ ('"' | '\'') => {
            let close = text[1..].find(q)? + 1;
            (&text[1..close], &text[close + 1..])
        }
        _ => {
            let i = text.find(':')?;
            (text[..i].trim_end(), &text[i..])
        }
    };
    let rest = after.strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with(' ')).then_some((k, rest))
}

/// The value of the entry `key:` on line `i` (content at char `base`).
fn key_value(
    lines: &[&str],
    i: usize,
    base: usize,
    key: &str,
    end: usize,
) -> (Node, (usize, usize)) {
    let rest = key_rest(char_slice(lines[i], base), key).unwrap_or("");
    let value = rest.trim_start();
    if !value.is_empty()
        && !value.starts_with('#')
        && !value.starts_with('|')
        && !value.starts_with('>')
    {
        let col = lines[i].chars().count() - value.chars().count();
        return (Node::Inline { line: i, col }, (i, col));
    }
    let mut j = i + 1;
    while j < end {
        match indent(lines[j]) {
            Some(ind) if ind < base || (ind == base && !is_item(char_slice(lines[j], ind))) => {
                break
            }
            _ => j += 1,
        }
    }
    (
        Node::Block {
            start: i + 1,
            end: j,
            first_col: 0,
        },
        (i, base),
    )
}

/// A child of flow (or scalar) text starting at `line`/`col`: `{a: 1, b: 2}` by key, `[x, y]` by index.
fn flow_child(lines: &[&str], line: usize, col: usize, seg: Seg) -> Option<(Node, (usize, usize))> {
    let chars: Vec<char> = lines[line].chars().collect();
    let open = *chars.get(col)?;
    if !matches!((open, seg), ('{', Seg::Key(_)) | ('[', Seg::Index(_))) {
        return None;
    }
    let items = flow_items(&chars, col + 1);
    let start = match seg {
        Seg::Index(n) => *items.get(n)?,
        Seg::Key(key) => items.into_iter().find_map(|s| {
            let text: String = chars[s..].iter().collect();
            let rest = key_rest(&text, key)?;
            Some(chars.len() - rest.trim_start().chars().count())
        })?,
    };
    Some((Node::Inline { line, col: start }, (line, start)))
}

/// Start columns of the items of a flow collection whose content starts at `from`.
fn flow_items(chars: &[char], from: usize) -> Vec<usize> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut item_start = Some(from);
    for (i, &c) in chars.iter().enumerate().skip(from) {
        if let Some(s) = item_start {
            if c == ' ' {
                item_start = Some(s + 1);
                continue;
            }
            if !matches!(c, ']' | '}') || depth > 0 {
                items.push(s);
            }
            item_start = None;
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') if depth == 0 => break,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => item_start = Some(i + 1),
            _ => {}
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use Seg::{Index as I, Key as K};

    const YAML: &str = "title: 表\ndegrees:\n  - name: 微小\n    min: 1\n  - {name: 较小, min: 3, max: 4}\nlist:\n- a\n- b\nweighted:\n  thresholds: [0.36, 0.64]\n  note: |\n    text\n";

    #[test]
    fn finds_block_and_flow_values() {
        assert_eq!(locate(YAML, 2, &[K("title")]), (2, 8));
        assert_eq!(locate(YAML, 2, &[K("degrees"), I(0), K("name")]), (4, 11));
        assert_eq!(locate(YAML, 2, &[K("degrees"), I(0), K("min")]), (5, 10));
        assert_eq!(locate(YAML, 2, &[K("degrees"), I(1)]), (6, 5));
        assert_eq!(locate(YAML, 2, &[K("degrees"), I(1), K("min")]), (6, 21));
        assert_eq!(locate(YAML, 2, &[K("list"), I(1)]), (9, 3));
        assert_eq!(
            locate(YAML, 2, &[K("weighted"), K("thresholds"), I(1)]),
            (11, 22)
        );
        assert_eq!(locate(YAML, 2, &[K("weighted"), K("note")]), (12, 3));
    }

    #[test]
    fn falls_back_to_the_deepest_found_part() {
        assert_eq!(locate(YAML, 2, &[K("degrees"), I(7), K("min")]), (3, 1));
        assert_eq!(locate(YAML, 2, &[K("nothing")]), (2, 1));
    }

    #[test]
    fn integer_keys_and_quoted_keys() {
        let y = "matrix:\n  5: [一般, 较大]\n  \"4\": [较小]\n";
        assert_eq!(locate(y, 1, &[K("matrix"), K("5"), I(1)]), (2, 11));
        assert_eq!(locate(y, 1, &[K("matrix"), K("4")]), (3, 8));
    }
}
