//! What the templates refer to, read before anything is rendered: the templates each one extends,
//! includes and imports (to refuse cycles, which would recurse until the stack overflows and the
//! process aborts), macros that always call themselves (the same), and the `id="…"` attributes each
//! template writes (so that a page's heading cannot repeat one of the theme's ids).
//!
//! Why by hand: tera detects only `extends` cycles, at load time and without a position; an
//! `include` or `import` cycle, or a macro calling itself unconditionally, overflows the stack at
//! render time, and a stack overflow cannot be caught. The names come from the template text (tera
//! keeps no positions), so that each diagnostic points at the tag to change; macro bodies come from
//! tera's parsed AST.

use crate::diagnostic::{Diagnostic, LineIndex};
use std::collections::{BTreeMap, BTreeSet};
use tera::ast::{Expr, ExprVal, LogicOperator, Node};

/// A template by name: where it came from (for diagnostics) and its text.
pub(super) struct Source<'a> {
    pub(super) origin: &'a str,
    pub(super) text: &'a str,
}

/// One `{% extends %}`, `{% include %}` or `{% import %}` tag.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ref {
    /// `extends`, `includes` or `imports`, as the message says it.
    verb: &'static str,
    /// The quoted template names in the tag (an include may list several: the first that exists
    /// is the one rendered).
    names: Vec<String>,
    /// Byte offset of the tag in the text.
    offset: usize,
}

/// The tags of a template text, skipping `{# comments #}` and `{% raw %}` blocks.
fn tags(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut raw = false;
    while let Some(i) = text[pos..].find(['{']).map(|i| pos + i) {
        let rest = &text[i..];
        if let Some(body) = rest.strip_prefix("{#") {
            // The end is looked for after the opening: in `{#}` the `#` is not also the closing one.
            pos = body.find("#}").map_or(text.len(), |e| i + 2 + e + 2);
            continue;
        }
        if !rest.starts_with("{%") {
            pos = i + 1;
            continue;
        }
        // After the opening, as above: `{%}` opens a tag and does not close it.
        let Some(end) = rest[2..].find("%}").map(|e| e + 2) else {
            break;
        };
        let inner = rest[2..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        pos = i + end + 2;
        let word = inner.split_whitespace().next().unwrap_or("");
        match (raw, word) {
            (false, "raw") => raw = true,
            (true, "endraw") => raw = false,
            (false, _) => out.push((i, inner)),
            _ => {}
        }
    }
    out
}

/// The extends, include and import tags of a template text.
fn refs(text: &str) -> Vec<Ref> {
    tags(text)
        .into_iter()
        .filter_map(|(offset, inner)| {
            let (word, args) = inner.split_once(char::is_whitespace)?;
            let verb = match word {
                "extends" => "extends",
                "include" => "includes",
                "import" => "imports",
                _ => return None,
            };
            let mut names = quoted(args);
            if verb != "includes" {
                names.truncate(1);
            }
            Some(Ref {
                verb,
                names,
                offset,
            })
        })
        .collect()
}

/// The strings in quotes (`"…"`, `'…'` or `` `…` ``) in a tag's arguments.
fn quoted(args: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = args;
    while let Some(start) = rest.find(['"', '\'', '`']) {
        let q = &rest[start..start + 1];
        let after = &rest[start + 1..];
        let Some(end) = after.find(q) else { break };
        names.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    names
}

/// The templates each template renders as part of itself: its parent, its includes (the first
/// listed name that exists) and its imported macro files, with the tag naming each.
fn edges<'a>(templates: &'a BTreeMap<String, Source>) -> BTreeMap<&'a str, Vec<(&'a str, Ref)>> {
    templates
        .iter()
        .map(|(name, src)| {
            let out = refs(src.text)
                .into_iter()
                .filter_map(|r| {
                    let (to, _) = templates.get_key_value(
                        r.names
                            .iter()
                            .find(|n| templates.contains_key(n.as_str()))?,
                    )?;
                    Some((to.as_str(), r))
                })
                .collect();
            (name.as_str(), out)
        })
        .collect()
}

/// Every cycle of extends, includes and imports, each reported once at the tag (in the cycle's
/// first template by name) that starts it.
pub(super) fn cycles(templates: &BTreeMap<String, Source>) -> Vec<Diagnostic> {
    let graph = edges(templates);
    let mut diags = Vec::new();
    let mut seen: BTreeSet<Vec<&str>> = BTreeSet::new();
    // 0 = not visited, 1 = on the path, 2 = done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for &start in graph.keys() {
        if state.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        // Iterative depth-first search: a template chain can be long, the stack is not.
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let out = &graph[node];
            if *next == out.len() {
                state.insert(node, 2);
                path.pop();
                continue;
            }
            let (to, _) = &out[*next];
            *next += 1;
            match state.get(to).copied().unwrap_or(0) {
                0 => {
                    state.insert(to, 1);
                    path.push((to, 0));
                }
                1 => {
                    let from = path.iter().position(|(n, _)| *n == *to).unwrap_or(0);
                    let members: Vec<&str> = path[from..].iter().map(|(n, _)| *n).collect();
                    if let Some(d) = cycle_diagnostic(&members, &graph, templates, &mut seen) {
                        diags.push(d);
                    }
                }
                _ => {}
            }
        }
    }
    diags
}

/// The diagnostic for a cycle through `members` (in order, the last one leading back to the
/// first), unless that cycle was already reported.
fn cycle_diagnostic<'a>(
    members: &[&'a str],
    graph: &BTreeMap<&'a str, Vec<(&'a str, Ref)>>,
    templates: &BTreeMap<String, Source>,
    seen: &mut BTreeSet<Vec<&'a str>>,
) -> Option<Diagnostic> {
    // Start at the first name, so that each cycle has one spelling.
    let first = (0..members.len()).min_by_key(|&i| members[i])?;
    let ring: Vec<&str> = members[first..]
        .iter()
        .chain(&members[..first])
        .copied()
        .collect();
    if !seen.insert(ring.clone()) {
        return None;
    }
    let step = |i: usize| {
        let (from, to) = (ring[i], ring[(i + 1) % ring.len()]);
        graph[from]
            .iter()
            .find(|(t, _)| *t == to)
            .map(|(_, r)| r.clone())
    };
    let first_ref = step(0)?;
    let mut chain = format!("`{}` {} ", ring[0], first_ref.verb);
    let mut imports_only = first_ref.verb == "imports";
    for (i, member) in ring.iter().enumerate().skip(1) {
        let r = step(i)?;
        imports_only &= r.verb == "imports";
        chain.push_str(&format!("`{member}`, which {} ", r.verb));
    }
    let message = match (ring.len(), imports_only) {
        (1, true) => format!("template `{}` imports itself: call the macros of the same file as `self::name()`, without an import", ring[0]),
        (1, false) => format!("template `{}` {} itself: rendering it would never end; remove this tag", ring[0], first_ref.verb),
        (_, true) => format!("template cycle: {chain}`{}` again: macros calling each other across these files could recurse until portal crashes; put such macros in one file (calling each other as `self::name()`) or remove one of these imports", ring[0]),
        (_, false) => format!("template cycle: {chain}`{}` again: rendering them would never end; remove one of these tags", ring[0]),
    };
    let src = &templates[ring[0]];
    let (line, col) = LineIndex::new(src.text).position(first_ref.offset);
    Some(Diagnostic::error(src.origin, line, col, message))
}

/// Macros that call themselves (directly or through other macros of their file) outside any
/// `{% if %}` or `{% for %}`: every call would make another, until the stack overflows.
pub(super) fn endless_macros(name: &str, tpl: &tera::Template, src: &Source) -> Vec<Diagnostic> {
    let calls: BTreeMap<&str, BTreeSet<String>> = tpl
        .macros
        .iter()
        .map(|(m, def)| {
            let mut out = BTreeSet::new();
            nodes_calls(&def.body, &mut out);
            (m.as_str(), out)
        })
        .collect();
    let mut diags = Vec::new();
    for &m in calls.keys() {
        // Does `m` reach itself through unconditional calls?
        let mut todo: Vec<&str> = vec![m];
        let mut reached: BTreeSet<&str> = BTreeSet::new();
        let mut endless = false;
        while let Some(cur) = todo.pop() {
            for next in calls.get(cur).into_iter().flatten() {
                if next == m {
                    endless = true;
                }
                if let Some((&k, _)) = calls.get_key_value(next.as_str()) {
                    if reached.insert(k) {
                        todo.push(k);
                    }
                }
            }
        }
        if endless {
            let offset = tags(src.text)
                .into_iter()
                .find(|(_, inner)| {
                    inner.strip_prefix("macro").is_some_and(|r| {
                        r.trim_start()
                            .strip_prefix(m)
                            .is_some_and(|r| r.trim_start().starts_with('('))
                    })
                })
                .map_or(0, |(o, _)| o);
            let (line, col) = LineIndex::new(src.text).position(offset);
            diags.push(Diagnostic::error(src.origin, line, col, format!("macro `{m}` of template `{name}` always calls itself again (directly or through another macro of the file): rendering it would never end; make the call only inside an `{{% if %}}` that stops")));
        }
    }
    diags
}

/// The `self::` macros called by these nodes outside conditions and loops.
fn nodes_calls(nodes: &[Node], out: &mut BTreeSet<String>) {
    for node in nodes {
        match node {
            Node::VariableBlock(_, e) => expr_calls(e, out),
            Node::Set(_, set) => expr_calls(&set.value, out),
            Node::FilterSection(_, f, _) => {
                f.filter.args.values().for_each(|e| expr_calls(e, out));
                nodes_calls(&f.body, out);
            }
            Node::Block(_, b, _) => nodes_calls(&b.body, out),
            // The first condition is always evaluated; the bodies only sometimes.
            Node::If(i, _) => {
                if let Some((_, e, _)) = i.conditions.first() {
                    expr_calls(e, out);
                }
            }
            Node::Forloop(_, f, _) => expr_calls(&f.container, out),
            _ => {}
        }
    }
}

fn expr_calls(e: &Expr, out: &mut BTreeSet<String>) {
    for f in &e.filters {
        f.args.values().for_each(|a| expr_calls(a, out));
    }
    val_calls(&e.val, out);
}

fn val_calls(v: &ExprVal, out: &mut BTreeSet<String>) {
    match v {
        ExprVal::MacroCall(c) => {
            if c.namespace == "self" {
                out.insert(c.name.clone());
            }
            c.args.values().for_each(|a| expr_calls(a, out));
        }
        ExprVal::FunctionCall(f) => f.args.values().for_each(|a| expr_calls(a, out)),
        ExprVal::Math(m) => {
            expr_calls(&m.lhs, out);
            expr_calls(&m.rhs, out);
        }
        // `a and b()`, `a or b()`: the right side only sometimes.
        ExprVal::Logic(l) => {
            expr_calls(&l.lhs, out);
            if !matches!(l.operator, LogicOperator::And | LogicOperator::Or) {
                expr_calls(&l.rhs, out);
            }
        }
        ExprVal::Test(t) => t.args.iter().for_each(|a| expr_calls(a, out)),
        ExprVal::Array(items) => items.iter().for_each(|a| expr_calls(a, out)),
        ExprVal::StringConcat(s) => s.values.iter().for_each(|v| val_calls(v, out)),
        ExprVal::In(i) => {
            expr_calls(&i.lhs, out);
            expr_calls(&i.rhs, out);
        }
        _ => {}
    }
}

/// An `id` a template writes: all of it, or (where the rest comes from a variable,
/// `form-group-{{ loop.index }}`) the fixed start.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Id {
    Exact(String),
    Prefix(String),
}

impl Id {
    pub(super) fn matches(&self, id: &str) -> bool {
        match self {
            Id::Exact(x) => x == id,
            Id::Prefix(p) => id.starts_with(p.as_str()),
        }
    }

    pub(super) fn written(&self) -> String {
        match self {
            Id::Exact(x) => format!("id=\"{x}\""),
            Id::Prefix(p) => format!("id=\"{p}…\""),
        }
    }
}

/// The `id="…"` attributes of a template text (not inside `{# comments #}`).
fn ids(text: &str) -> Vec<Id> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("id=") {
        let before = rest[..i].chars().next_back();
        let after = &rest[i + 3..];
        rest = after;
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(end) = after[1..].find(q) else {
            continue;
        };
        let value = &after[1..1 + end];
        match value.find("{{").or_else(|| value.find("{%")) {
            None if !value.is_empty() => out.push(Id::Exact(value.to_string())),
            Some(0) | None => {}
            Some(k) => out.push(Id::Prefix(value[..k].to_string())),
        }
    }
    out
}

/// For each template, the ids on a page it renders: its own and those of every template it
/// extends, includes or imports, each with the name of the template that writes it.
pub(super) fn page_ids(
    templates: &BTreeMap<String, Source>,
) -> BTreeMap<String, Vec<(Id, String)>> {
    let graph = edges(templates);
    let own: BTreeMap<&str, Vec<Id>> = templates
        .iter()
        .map(|(n, s)| (n.as_str(), ids(&strip_comments(s.text))))
        .collect();
    templates
        .keys()
        .map(|name| {
            let mut reached: BTreeSet<&str> = BTreeSet::from([name.as_str()]);
            let mut todo = vec![name.as_str()];
            while let Some(cur) = todo.pop() {
                for (to, _) in graph.get(cur).into_iter().flatten() {
                    if reached.insert(to) {
                        todo.push(to);
                    }
                }
            }
            let all = reached
                .iter()
                .flat_map(|t| own[t].iter().map(|id| (id.clone(), t.to_string())))
                .collect();
            (name.clone(), all)
        })
        .collect()
}

fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{#") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("#}").map_or("", |e| &rest[i + e + 2..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> BTreeMap<String, (String, String)> {
        files
            .iter()
            .map(|(n, t)| (n.to_string(), (format!("templates/{n}"), t.to_string())))
            .collect()
    }

    fn sources(s: &BTreeMap<String, (String, String)>) -> BTreeMap<String, Source<'_>> {
        s.iter()
            .map(|(n, (o, t))| (n.clone(), Source { origin: o, text: t }))
            .collect()
    }

    #[test]
    fn self_and_mutual_includes_are_cycles() {
        let s = site(&[
            ("a.html", "x\n  {% include \"a.html\" %}"),
            ("b.html", "{% extends \"c.html\" %}"),
            (
                "c.html",
                "{%- include ['missing.html', 'b.html'] ignore missing -%}",
            ),
            (
                "d.html",
                "{# {% include \"d.html\" %} #}{% raw %}{% include \"d.html\" %}{% endraw %}",
            ),
            ("e.html", "{% import \"e.html\" as e %}"),
        ]);
        let d = cycles(&sources(&s));
        let text: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:#?}");
        assert_eq!(text[0], "templates/a.html:2:3: error: template `a.html` includes itself: rendering it would never end; remove this tag");
        assert!(text[1].starts_with("templates/b.html:1:1: error: template cycle: `b.html` extends `c.html`, which includes `b.html` again"), "{}", text[1]);
        assert!(
            text[2].contains("`e.html` imports itself") && text[2].contains("self::"),
            "{}",
            text[2]
        );
    }

    #[test]
    fn a_chain_without_cycles_is_fine() {
        let s = site(&[
            (
                "base.html",
                "{% include \"partials/h.html\" %}{% include \"partials/f.html\" %}",
            ),
            (
                "page.html",
                "{% extends \"base.html\" %}{% import \"m.html\" as m %}",
            ),
            ("partials/h.html", "<h1 id=\"top\">"),
            ("partials/f.html", "{% include \"partials/h.html\" %}"),
            (
                "m.html",
                "{% macro x() %}<p id=\"m-{{ n }}\">{% endmacro %}",
            ),
        ]);
        assert!(cycles(&sources(&s)).is_empty());
        let ids = page_ids(&sources(&s));
        let page: Vec<String> = ids["page.html"]
            .iter()
            .map(|(i, t)| format!("{} {t}", i.written()))
            .collect();
        assert_eq!(page, ["id=\"m-…\" m.html", "id=\"top\" partials/h.html"]);
        assert!(ids["partials/f.html"].iter().any(|(i, _)| i.matches("top")));
        assert!(!ids["partials/f.html"].iter().any(|(i, _)| i.matches("m-1")));
    }

    #[test]
    fn ids_are_read_from_attributes_only() {
        let found = ids("<a data-id=\"x\" id=\"main\"><b id='q'><i id=\"{{ a }}-h\"><i id=\"g-{{ loop.index }}\">");
        assert_eq!(
            found,
            [
                Id::Exact("main".into()),
                Id::Exact("q".into()),
                Id::Prefix("g-".into())
            ]
        );
    }
}
