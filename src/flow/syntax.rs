//! Flowchart syntax: the text of a ```flow block → a checked [`Chart`].
//!
//! Stage: parse (pure). Input: the block's text and its [`EmbedContext`] (file path, first line,
//! folder for relative links). Output: a [`Chart`] (nodes, edges, links) or every mistake as a
//! `path:line:col` diagnostic. Entry: [`parse_chart`].
//!
//! One line per node (the README has the full description and an example):
//!
//! ```text
//! - id: 名称 | 责任主体 | 时限 | 表格、表格 -> next      a step (`-> next` optional)
//! ? id: 问题 | 责任主体 | 时限 | 表格 -> 是: a / 否: b   a decision (two or more branches)
//!   - sub: 名称                                      indented: listed inside the line above
//! # a comment
//! ```
//!
//! A step without `->` goes on to the next line; `-> end` ends the flow there. `|`/`｜`, `:`/`：`
//! and `/`/`／` are interchangeable; `[名称](@/forms/a.md)` links a label or a form.

use crate::diagnostic::Diagnostic;
use crate::markdown::{classify_link, EmbedContext, Link};
use std::collections::{BTreeMap, VecDeque};

/// A parsed and checked flowchart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// From the info string (```` ```flow 标题 ````); "流程图" when absent.
    pub title: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Every link of the chart, in order; nodes and forms refer to them by index.
    pub links: Vec<Link>,
}

/// What a node is drawn as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A box.
    Step,
    /// A diamond with labelled branches.
    Decision,
}

/// A step or a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub shape: Shape,
    pub label: String,
    /// Index into `Chart::links` when the label is written `[名称](target)`.
    pub label_link: Option<usize>,
    /// 责任主体.
    pub actor: Option<String>,
    /// 时限.
    pub time: Option<String>,
    pub forms: Vec<FormRef>,
    /// The unindented node this indented one is listed under.
    pub parent: Option<usize>,
    /// File line of the node.
    pub line: usize,
}

impl Node {
    /// The link the node's box opens: its label's, else its first form's.
    pub fn link(&self) -> Option<usize> {
        self.label_link
            .or_else(|| self.forms.iter().find_map(|f| f.link))
    }
}

/// A form (or page) used at a step: a name, linked or not.
#[derive(Debug, Clone, PartialEq)]
pub struct FormRef {
    pub name: String,
    pub link: Option<usize>,
}

/// A connection between two nodes; branches of decisions carry labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: Option<String>,
}

const SYNTAX_HELP: &str = "expected a step `- id: 名称 | 责任主体 | 时限 | 表格` or a decision `? id: 问题 -> 是: a / 否: b`";

/// A target as written: `(label, id, column)`.
type Target = (Option<String>, String, usize);

struct RawNode {
    node: Node,
    id_col: usize,
    targets: Option<(Vec<Target>, usize)>,
}

/// Parses and checks a flow block. Every mistake is reported, not just the first.
pub fn parse_chart(source: &str, cx: &EmbedContext<'_>) -> Result<Chart, Vec<Diagnostic>> {
    let mut p = Parser {
        cx,
        diags: Vec::new(),
        links: Vec::new(),
    };
    let mut raw: Vec<RawNode> = Vec::new();
    let mut last_top: Option<usize> = None;
    for (i, text) in source.lines().enumerate() {
        let line = cx.first_line + i;
        if let Some(mut r) = p.line(text, line) {
            let indented = text.starts_with([' ', '\t', '　']);
            r.node.parent = if indented { last_top } else { None };
            if !indented {
                last_top = Some(raw.len());
            }
            raw.push(r);
        }
    }
    if raw.is_empty() && p.diags.is_empty() {
        p.err(
            cx.first_line,
            1,
            format!("the flow block is empty: {SYNTAX_HELP}"),
        );
    }
    let edges = p.connect(&raw);
    p.check_reachable(&raw, &edges);
    if !p.diags.is_empty() {
        return Err(p.diags);
    }
    let title = cx
        .info
        .split_whitespace()
        .skip(1)
        .collect::<Vec<_>>()
        .join(" ");
    let title = if title.is_empty() {
        "流程图".to_string()
    } else {
        title
    };
    Ok(Chart {
        title,
        nodes: raw.into_iter().map(|r| r.node).collect(),
        edges,
        links: p.links,
    })
}

struct Parser<'a> {
    cx: &'a EmbedContext<'a>,
    diags: Vec<Diagnostic>,
    links: Vec<Link>,
}

/// The 1-based character column of `sub` (a slice of `line`) in `line`.
fn col_of(line: &str, sub: &str) -> usize {
    let start = (sub.as_ptr() as usize)
        .saturating_sub(line.as_ptr() as usize)
        .min(line.len());
    line[..start].chars().count() + 1
}

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Splits at every separator character, keeping slices of `s`.
fn split_any<'s>(s: &'s str, seps: &[char]) -> Vec<&'s str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            c if depth <= 0 && seps.contains(&c) => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Splits `label: rest` at the first colon (ASCII or full-width).
fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.find([':', '：'])?;
    let c = s[i..].chars().next()?;
    Some((&s[..i], &s[i + c.len_utf8()..]))
}

/// Splits `rest: id` at the last colon.
fn split_last_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.rfind([':', '：'])?;
    let c = s[i..].chars().next()?;
    Some((&s[..i], &s[i + c.len_utf8()..]))
}

impl Parser<'_> {
    fn err(&mut self, line: usize, col: usize, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(self.cx.path, line, col, message));
    }

    /// One source line → a node (`None` for blank lines, comments and lines with errors).
    fn line(&mut self, text: &str, line: usize) -> Option<RawNode> {
        let body = text.trim_start_matches([' ', '\t', '　']).trim_end();
        if body.is_empty() || body.starts_with('#') {
            return None;
        }
        let shape = match body.chars().next() {
            Some('-' | '*' | '·') => Shape::Step,
            Some('?' | '？') => Shape::Decision,
            _ => {
                self.err(
                    line,
                    col_of(text, body),
                    format!("cannot read this line: {SYNTAX_HELP}"),
                );
                return None;
            }
        };
        let marker = body.chars().next().map_or(1, char::len_utf8);
        let rest = body[marker..].trim_start();
        let Some((id, after)) = split_colon(rest) else {
            self.err(
                line,
                col_of(text, rest),
                format!("missing `id:` before the name: {SYNTAX_HELP}"),
            );
            return None;
        };
        let id = id.trim();
        if id.is_empty() || !id.chars().all(is_id_char) {
            self.err(line, col_of(text, rest), format!("step id `{id}` is not usable: expected letters, digits, `-` or `_` without spaces, then `:`"));
            return None;
        }
        if id == "end" {
            self.err(
                line,
                col_of(text, id),
                "`end` is reserved (`-> end` ends the flow): choose another id",
            );
            return None;
        }
        let (fields, targets) = match after.rfind("->") {
            Some(i) => (&after[..i], Some(&after[i + 2..])),
            None => (after, None),
        };
        let node = self.fields(text, line, fields, shape, id)?;
        let targets = targets.map(|t| {
            (
                self.targets(text, line, t, shape),
                col_of(text, t.trim_start()),
            )
        });
        Some(RawNode {
            node,
            id_col: col_of(text, id),
            targets,
        })
    }

    fn fields(
        &mut self,
        text: &str,
        line: usize,
        fields: &str,
        shape: Shape,
        id: &str,
    ) -> Option<Node> {
        let parts = split_any(fields, &['|', '｜']);
        if parts.len() > 4 {
            self.err(
                line,
                col_of(text, parts[4]),
                "too many `|` fields: expected at most 名称 | 责任主体 | 时限 | 表格",
            );
        }
        let label_src = parts[0].trim();
        if label_src.is_empty() {
            self.err(
                line,
                col_of(text, parts[0]),
                format!("step `{id}` has no name: expected `{id}: 名称`"),
            );
            return None;
        }
        let (label, label_link) = self.item(text, line, label_src);
        let opt = |i: usize| {
            parts
                .get(i)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let forms = match parts.get(3) {
            Some(f) => split_any(f, &['、', ',', '，', ';', '；'])
                .into_iter()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let (name, link) = self.item(text, line, s);
                    FormRef { name, link }
                })
                .collect(),
            None => Vec::new(),
        };
        Some(Node {
            id: id.to_string(),
            shape,
            label,
            label_link,
            actor: opt(1),
            time: opt(2),
            forms,
            parent: None,
            line,
        })
    }

    /// `[名称](target)`, a bare `@/x.md` target, or plain text → (text, link index).
    fn item(&mut self, text: &str, line: usize, s: &str) -> (String, Option<usize>) {
        if let Some(inner) = s.strip_prefix('[') {
            if let Some((name, rest)) = inner.split_once("](") {
                if let Some(dest) = rest.strip_suffix(')') {
                    return (name.trim().to_string(), self.link(text, line, dest));
                }
            }
            self.err(
                line,
                col_of(text, s),
                format!("`{s}` is not a complete link: expected `[名称](@/path/to/file.md)`"),
            );
            return (s.to_string(), None);
        }
        if s.starts_with("@/") || (s.ends_with(".md") && !s.contains(char::is_whitespace)) {
            let name = s
                .trim_end_matches(".md")
                .rsplit('/')
                .next()
                .unwrap_or(s)
                .to_string();
            return (name, self.link(text, line, s));
        }
        (s.to_string(), None)
    }

    fn link(&mut self, text: &str, line: usize, dest: &str) -> Option<usize> {
        let col = col_of(text, dest);
        match classify_link(dest, self.cx.source_dir) {
            Ok(target) => {
                self.links.push(Link {
                    target,
                    line,
                    col,
                    raw: dest.trim().to_string(),
                });
                Some(self.links.len() - 1)
            }
            Err(m) => {
                self.err(line, col, m);
                None
            }
        }
    }

    /// `-> a`, `-> end`, `-> 是: a / 否: b` → targets with their labels and columns.
    fn targets(&mut self, text: &str, line: usize, spec: &str, shape: Shape) -> Vec<Target> {
        let mut out = Vec::new();
        for part in split_any(spec, &['/', '／']) {
            if part.trim().is_empty() {
                self.err(
                    line,
                    col_of(text, part),
                    "empty branch: expected `标签: id` between the `/`",
                );
                continue;
            }
            let (label, id) = match split_last_colon(part) {
                Some((l, id)) => (
                    Some(l.trim().to_string()).filter(|l| !l.is_empty()),
                    id.trim(),
                ),
                None => (None, part.trim()),
            };
            if shape == Shape::Decision && label.is_none() {
                self.err(
                    line,
                    col_of(text, id),
                    format!("branch `{id}` of a decision needs a label: expected `是: {id}`"),
                );
            }
            out.push((label, id.to_string(), col_of(text, id)));
        }
        out
    }

    /// Resolves targets into edges; steps without `->` go on to the next node.
    fn connect(&mut self, raw: &[RawNode]) -> Vec<Edge> {
        let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, r) in raw.iter().enumerate() {
            if let Some(&first) = ids.get(r.node.id.as_str()) {
                let msg = format!(
                    "duplicate step id `{}`: already used on line {}",
                    r.node.id, raw[first].node.line
                );
                self.err(r.node.line, r.id_col, msg);
            } else {
                ids.insert(&r.node.id, i);
            }
        }
        let mut edges = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            match &r.targets {
                Some((ts, col)) => self.explicit(i, r, ts, *col, &ids, &mut edges),
                None if r.node.shape == Shape::Decision => {
                    let m = format!("decision `{}` has no branches: expected `-> 是: a / 否: b` at the end of the line", r.node.id);
                    self.err(r.node.line, r.id_col, m);
                }
                None if i + 1 < raw.len() => edges.push(Edge {
                    from: i,
                    to: i + 1,
                    label: None,
                }),
                None => {}
            }
        }
        edges
    }

    fn explicit(
        &mut self,
        i: usize,
        r: &RawNode,
        ts: &[Target],
        col: usize,
        ids: &BTreeMap<&str, usize>,
        edges: &mut Vec<Edge>,
    ) {
        let line = r.node.line;
        if r.node.shape == Shape::Decision && ts.len() < 2 {
            let m = format!("decision `{}` has only one branch: a decision needs two or more (`-> 是: a / 否: b`); use a step for one way on", r.node.id);
            self.err(line, col, m);
        }
        for (label, id, tcol) in ts {
            if id == "end" {
                if r.node.shape == Shape::Decision || ts.len() > 1 {
                    self.err(line, *tcol, "`end` stands alone after the `->` of a step: a decision's branches lead to steps");
                }
                continue;
            }
            match ids.get(id.as_str()) {
                Some(&to) if to == i => self.err(
                    line,
                    *tcol,
                    format!("step `{id}` leads to itself: expected another step's id"),
                ),
                Some(&to) => edges.push(Edge {
                    from: i,
                    to,
                    label: label.clone(),
                }),
                None => {
                    let m = format!("unknown step id `{id}`{}", suggest(id, ids.keys().copied()));
                    self.err(line, *tcol, m);
                }
            }
        }
    }

    /// Every node must be reachable from the first one.
    fn check_reachable(&mut self, raw: &[RawNode], edges: &[Edge]) {
        if raw.is_empty() || !self.diags.is_empty() {
            return;
        }
        let mut seen = vec![false; raw.len()];
        let mut queue = VecDeque::from([0usize]);
        seen[0] = true;
        while let Some(n) = queue.pop_front() {
            for e in edges.iter().filter(|e| e.from == n) {
                if !seen[e.to] {
                    seen[e.to] = true;
                    queue.push_back(e.to);
                }
            }
        }
        for (r, _) in raw.iter().zip(&seen).filter(|(_, s)| !**s) {
            let m = format!("step `{}` is never reached: no step or branch leads to it (the flow starts at `{}`); add `-> {}` where it belongs", r.node.id, raw[0].node.id, r.node.id);
            self.err(r.node.line, r.id_col, m);
        }
    }
}

/// ` (did you mean `x`?)` for the closest known id, or the list of ids when none is close.
fn suggest<'a>(id: &str, known: impl Iterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.collect();
    let best = known.iter().map(|k| (edit_distance(id, k), *k)).min();
    match best {
        Some((d, k)) if d <= 2.max(id.chars().count() / 3) => format!(": did you mean `{k}`?"),
        _ if known.len() <= 12 => format!(
            ": expected one of {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => ": expected the id of a step in this block".to_string(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::LinkTarget;

    fn parse(src: &str) -> Result<Chart, Vec<Diagnostic>> {
        let cx = EmbedContext {
            path: "content/p.md",
            first_line: 10,
            source_dir: "guide",
            info: "flow 测试流程",
        };
        parse_chart(src, &cx)
    }

    fn errors(src: &str) -> Vec<String> {
        let mut d = parse(src).unwrap_err();
        d.sort();
        d.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn steps_decisions_branches_and_loops() {
        let c = parse("# 注释\n- a: 第一步 | 责任主体 | 3日内 | [立项审批表](@/forms/approval.md)、会议记录\n? b: 风险等级？ -> 高: c / 低: d\n  - c: 调整 -> a\n  - d: 实施 -> end\n").unwrap();
        assert_eq!(c.title, "测试流程");
        assert_eq!(c.nodes.len(), 4);
        let a = &c.nodes[0];
        assert_eq!(
            (a.actor.as_deref(), a.time.as_deref(), a.line),
            (Some("责任主体"), Some("3日内"), 11)
        );
        assert_eq!(
            a.forms[0],
            FormRef {
                name: "立项审批表".into(),
                link: Some(0)
            }
        );
        assert_eq!(
            a.forms[1],
            FormRef {
                name: "会议记录".into(),
                link: None
            }
        );
        assert_eq!(
            c.links[0].target,
            LinkTarget::Content {
                path: "forms/approval.md".into(),
                anchor: None
            }
        );
        assert_eq!((c.links[0].line, c.links[0].col), (11, 33));
        assert_eq!(c.nodes[1].shape, Shape::Decision);
        assert_eq!(c.nodes[2].parent, Some(1));
        let e: Vec<_> = c
            .edges
            .iter()
            .map(|e| (e.from, e.to, e.label.as_deref()))
            .collect();
        assert_eq!(
            e,
            [
                (0, 1, None),
                (1, 2, Some("高")),
                (1, 3, Some("低")),
                (2, 0, None)
            ]
        );
    }

    #[test]
    fn full_width_separators_and_bare_links() {
        let c = parse("- a：名称｜维稳办｜次日｜@/forms/filing.md\n? b：是否？ -> 是：a ／ 否：c\n- c: 结束\n").unwrap();
        assert_eq!(c.nodes[0].actor.as_deref(), Some("维稳办"));
        assert_eq!(
            c.nodes[0].forms[0],
            FormRef {
                name: "filing".into(),
                link: Some(0)
            }
        );
        assert_eq!(c.nodes[0].link(), Some(0));
        let labels: Vec<_> = c.edges.iter().map(|e| e.label.as_deref()).collect();
        assert_eq!(labels, [None, Some("是"), Some("否")]);
    }

    #[test]
    fn mistakes_are_positioned() {
        let errs = errors(
            "- a: 一\n- a: 二\n? b: 判断 -> 是: c\n- c: 三 -> analysys\nxyz\n- analysis: 分析\n",
        );
        assert_eq!(errs, [
            "content/p.md:11:3: error: duplicate step id `a`: already used on line 10",
            "content/p.md:12:12: error: decision `b` has only one branch: a decision needs two or more (`-> 是: a / 否: b`); use a step for one way on",
            "content/p.md:13:11: error: unknown step id `analysys`: did you mean `analysis`?",
            "content/p.md:14:1: error: cannot read this line: expected a step `- id: 名称 | 责任主体 | 时限 | 表格` or a decision `? id: 问题 -> 是: a / 否: b`",
        ]);
    }

    #[test]
    fn unreachable_steps_are_reported() {
        let errs = errors("- a: 一 -> c\n- b: 二\n- c: 三\n");
        assert_eq!(errs, ["content/p.md:11:3: error: step `b` is never reached: no step or branch leads to it (the flow starts at `a`); add `-> b` where it belongs"]);
    }

    #[test]
    fn decisions_need_labels_and_branches() {
        let errs = errors("? a: 判断\n- b: 二\n");
        assert!(errs[0].contains("decision `a` has no branches"), "{errs:?}");
        let errs = errors("? a: 判断 -> b / 否: c\n- b: 二\n- c: 三\n");
        assert!(errs[0].contains("needs a label"), "{errs:?}");
        let errs = errors("- a: 一 -> a\n");
        assert!(errs[0].contains("leads to itself"), "{errs:?}");
        let errs = errors("- a 一\n");
        assert!(errs[0].contains("missing `id:`"), "{errs:?}");
        let errs = errors("\n\n");
        assert!(errs[0].contains("empty"), "{errs:?}");
        let errs = errors("- a: [坏](javascript:x)\n");
        assert!(errs[0].contains("not allowed"), "{errs:?}");
    }
}
