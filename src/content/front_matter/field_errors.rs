//! Every field error of a YAML text, not only the first: serde stops at the first wrong-typed,
//! unknown or missing field, and the README promises all mistakes in one run.
//!
//! Part of the one home of serde_yaml (`front_matter`). After the first error, the field at fault
//! is taken out of the YAML's value tree and the rest is deserialised again, until it reads or the
//! error is no longer about one field. Positions are found in the author's text with
//! `yaml_locate`, with list indices counted as the author wrote them.

use super::{explain_yaml_message, strip_positions};
use crate::content::yaml_locate::{locate, Seg};
use crate::diagnostic::Diagnostic;
use serde::de::DeserializeOwned;

/// At most this many further field errors are looked for after the first.
const MAX_FIELD_ERRORS: usize = 50;

/// The field errors after `first`: the value at fault is taken out of the YAML (as a value tree,
/// so no line structure can break), the rest is read again, and so on until it reads or the error
/// is not about one field. Positions come from the original text (`yaml_locate`): the read-again
/// text is serde_yaml's own rendering, whose lines are not the author's.
pub(super) fn more_field_errors<T: DeserializeOwned>(
    path: &str,
    yaml: &str,
    first_line: usize,
    first: &serde_yaml::Error,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(mut fault) = field_fault(&strip_positions(&first.to_string())) else {
        return out;
    };
    let Ok(mut value) = serde_yaml::from_str::<serde_yaml::Value>(yaml) else {
        return out;
    };
    let mut taken = Taken::default();
    // Each round parses the whole YAML again: bounded in rounds and in bytes read.
    let rounds = MAX_FIELD_ERRORS.min(20_000_000 / yaml.len().max(1));
    for _ in 0..rounds {
        let Some(target) = fault.removable() else {
            break;
        };
        let original = taken.original(&target);
        if taken.paths.contains(&original) || !remove_path(&mut value, &target) {
            break;
        }
        taken.record(original);
        let Ok(text) = serde_yaml::to_string(&value) else {
            break;
        };
        let e = match serde_yaml::from_str::<T>(&text) {
            Ok(_) => break,
            Err(e) => e,
        };
        let raw = strip_positions(&e.to_string());
        let Some(next) = field_fault(&raw) else {
            break;
        };
        fault = next;
        if fault.is_missing_taken(&taken) {
            continue;
        }
        let (line, col) = fault.position(&taken, yaml, first_line);
        // The message names the path with the author's list indices.
        let raw = match raw.split_once(": ") {
            Some((p, rest)) if !fault.path.is_empty() && parse_path(p).is_some() => {
                format!("{}: {rest}", path_text(&taken.original(&fault.path)))
            }
            _ => raw,
        };
        out.push(Diagnostic::error(
            path,
            line,
            col,
            explain_yaml_message(&raw),
        ));
    }
    out
}

/// One step of a serde_yaml error path (`menus.main[0].name`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathSeg {
    Key(String),
    Index(usize),
}

/// What was taken out of the value tree so far, in the author's terms: the paths (with list
/// indices as written), so that later error paths, whose indices count the elements left, can be
/// turned back into the author's.
#[derive(Debug, Default)]
struct Taken {
    paths: Vec<Vec<PathSeg>>,
}

impl Taken {
    fn record(&mut self, original: Vec<PathSeg>) {
        self.paths.push(original);
    }

    /// A path of the current value tree as a path of the original YAML.
    fn original(&self, path: &[PathSeg]) -> Vec<PathSeg> {
        let mut out: Vec<PathSeg> = Vec::with_capacity(path.len());
        for seg in path {
            match seg {
                PathSeg::Key(k) => out.push(PathSeg::Key(k.clone())),
                PathSeg::Index(i) => {
                    let mut gone: Vec<usize> = self
                        .paths
                        .iter()
                        .filter(|p| p.len() == out.len() + 1 && p[..out.len()] == out[..])
                        .filter_map(|p| match p.last() {
                            Some(PathSeg::Index(r)) => Some(*r),
                            _ => None,
                        })
                        .collect();
                    gone.sort_unstable();
                    let mut o = *i;
                    for r in gone {
                        if r <= o {
                            o += 1;
                        }
                    }
                    out.push(PathSeg::Index(o));
                }
            }
        }
        out
    }
}

/// What a field error is about: the value at `path`, an unknown key `unknown` in the mapping at
/// `path`, or a required key `missing` absent from it. `path` counts list elements of the value
/// tree it was read from.
#[derive(Debug)]
struct Fault {
    path: Vec<PathSeg>,
    unknown: Option<String>,
    missing: Option<String>,
}

impl Fault {
    /// The part of the value tree to take out so that the next read goes past this error: the
    /// unknown key, the wrong value, or the mapping lacking a required key. `None` when that would
    /// be the whole YAML.
    fn removable(&self) -> Option<Vec<PathSeg>> {
        let mut p = self.path.clone();
        if let Some(k) = &self.unknown {
            p.push(PathSeg::Key(k.clone()));
        }
        (!p.is_empty()).then_some(p)
    }

    /// A missing key that is only missing because an earlier round took it out (already reported).
    fn is_missing_taken(&self, taken: &Taken) -> bool {
        self.missing.as_ref().is_some_and(|k| {
            let mut full = taken.original(&self.path);
            full.push(PathSeg::Key(k.clone()));
            taken.paths.contains(&full)
        })
    }

    /// The file position to report: the unknown key itself, the wrong value, or the mapping.
    fn position(&self, taken: &Taken, yaml: &str, first_line: usize) -> (usize, usize) {
        let original = taken.original(&self.path);
        let mut segs: Vec<Seg> = original
            .iter()
            .map(|s| match s {
                PathSeg::Key(k) => Seg::Key(k),
                PathSeg::Index(i) => Seg::Index(*i),
            })
            .collect();
        let Some(key) = &self.unknown else {
            return locate(yaml, first_line, &segs);
        };
        segs.push(Seg::Key(key));
        let (line, col) = locate(yaml, first_line, &segs);
        let text = yaml.lines().nth(line - first_line).unwrap_or("");
        let col = text
            .find(key.as_str())
            .map_or(col, |b| text[..b].chars().count() + 1);
        (line, col)
    }
}

/// Reads what a serde_yaml message (positions stripped) is about; `None` when it is not about one
/// field (a syntax error, a wrong type of the whole YAML).
fn field_fault(message: &str) -> Option<Fault> {
    let (path, rest) = match message.split_once(": ") {
        Some((p, rest)) if !p.is_empty() && !p.contains([' ', '`']) => (parse_path(p)?, rest),
        _ => (Vec::new(), message),
    };
    let quoted = |prefix: &str| {
        rest.strip_prefix(prefix)
            .and_then(|r| r.split('`').next())
            .map(String::from)
    };
    let unknown = quoted("unknown field `");
    let missing = quoted("missing field `");
    if path.is_empty() && unknown.is_none() && missing.is_none() {
        return None;
    }
    Some(Fault {
        path,
        unknown,
        missing,
    })
}

/// `menus.main[0].name` → `[menus, main, 0, name]`.
fn parse_path(p: &str) -> Option<Vec<PathSeg>> {
    let mut segs = Vec::new();
    for part in p.split('.') {
        let (key, mut indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segs.push(PathSeg::Key(key.to_string()));
        }
        while let Some(r) = indices.strip_prefix('[') {
            let (n, after) = r.split_once(']')?;
            segs.push(PathSeg::Index(n.parse().ok()?));
            indices = after;
        }
        if !indices.is_empty() {
            return None;
        }
    }
    Some(segs)
}

/// `[menus, main, 0, name]` → `menus.main[0].name`, as serde_yaml writes paths.
fn path_text(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Takes the value at `path` out of `value`; false when there is nothing there.
fn remove_path(value: &mut serde_yaml::Value, path: &[PathSeg]) -> bool {
    use serde_yaml::Value;
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = value;
    for seg in parents {
        let next = match (seg, cur) {
            (PathSeg::Key(k), Value::Mapping(m)) => {
                m.iter_mut().find(|(mk, _)| key_is(mk, k)).map(|(_, v)| v)
            }
            (PathSeg::Index(i), Value::Sequence(s)) => s.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => return false,
        }
    }
    match (last, cur) {
        (PathSeg::Index(i), Value::Sequence(s)) if *i < s.len() => {
            s.remove(*i);
            true
        }
        (PathSeg::Key(k), Value::Mapping(m)) => {
            let Some(key) = m.keys().find(|mk| key_is(mk, k)).cloned() else {
                return false;
            };
            m.shift_remove(&key).is_some()
        }
        _ => false,
    }
}

/// Whether a mapping key is the one a serde_yaml path names (keys may be numbers: `5:`).
fn key_is(key: &serde_yaml::Value, name: &str) -> bool {
    match key {
        serde_yaml::Value::String(s) => s == name,
        serde_yaml::Value::Number(n) => n.to_string() == name,
        serde_yaml::Value::Bool(b) => b.to_string() == name,
        _ => false,
    }
}
