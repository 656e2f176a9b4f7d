//! Theme: the one home of tera. Template layers (site `templates/` > `themes/<name>/templates/` >
//! the built-in default theme compiled into the binary) and static files, loaded once per build;
//! template syntax and runtime errors become diagnostics naming the template and the page that
//! asked for it.
//!
//! Everything else in `render/` hands this module plain JSON values ([`Context`] or a map) and
//! gets HTML back, so a later tera upgrade touches this file alone.

use crate::diagnostic::Diagnostic;
use crate::html::escape;
use crate::output::Data;
use include_dir::{include_dir, Dir};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod refs;

/// The default theme, compiled in.
static BUILTIN_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Values for a template, inserted one by one; a chunk of sibling pages shares one, so its section
/// listing is serialised once.
#[derive(Default)]
pub(super) struct Context(tera::Context);

impl Context {
    pub(super) fn new() -> Context {
        Context::default()
    }

    pub(super) fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.0.insert(key, value);
    }
}

/// Where a template or static file came from (for diagnostics and overrides).
#[derive(Debug, Clone)]
struct Layered<T> {
    origin: String,
    value: T,
}

/// Templates and static files, layered: built-in < theme folder < site.
pub struct Theme {
    tera: tera::Tera,
    origins: BTreeMap<String, String>,
    pub(super) statics: BTreeMap<String, Data>,
    /// Each template's text, to tell which templates an edit changed (`portal serve`).
    texts: BTreeMap<String, String>,
    /// For each template, the ids a page rendered with it already has, and which template writes
    /// each (see `refs`).
    ids: BTreeMap<String, Vec<(refs::Id, String)>>,
}

impl Theme {
    /// Loads the layers for `theme_name` under `root`. Template syntax errors are diagnostics.
    pub fn load(root: &Path, theme_name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let (mut templates, mut statics) = builtin_layer();
        let mut diags = Vec::new();
        let theme_dir = root.join("themes").join(theme_name);
        if theme_name != "default" && !theme_dir.is_dir() {
            diags.push(Diagnostic::error(crate::config::CONFIG_FILE, 1, 1, format!("theme `{theme_name}` not found: expected a folder `themes/{theme_name}/` (or `theme: default`)")));
        }
        let layers = [
            (theme_dir.clone(), format!("themes/{theme_name}/")),
            (root.to_path_buf(), String::new()),
        ];
        let mut link_problems = Vec::new();
        for (dir, prefix) in &layers {
            disk_files(
                &dir.join("templates"),
                root,
                &format!("{prefix}templates/"),
                &mut link_problems,
                &mut |rel, path| {
                    let origin = format!("{prefix}templates/{rel}");
                    match std::fs::read(path) {
                        Ok(bytes) => match crate::content::decode_text(&bytes, &origin) {
                            Ok(text) => {
                                templates.insert(
                                    rel.into(),
                                    Layered {
                                        origin,
                                        value: text,
                                    },
                                );
                            }
                            Err(d) => diags.push(d),
                        },
                        Err(e) => diags.push(Diagnostic::file(
                            origin,
                            format!("cannot read template: {e}"),
                        )),
                    }
                },
            );
            disk_files(
                &dir.join("static"),
                root,
                &format!("{prefix}static/"),
                &mut link_problems,
                &mut |rel, path| {
                    statics.insert(rel.into(), Data::Copy(path.to_path_buf()));
                },
            );
        }
        diags.extend(link_problems);
        Theme::finish(templates, statics, diags)
    }

    /// The built-in theme with `overrides` (template name, text) laid over it as the site's own
    /// `templates/` folder would be: what the template fuzzer drives. Reads no file.
    pub fn with_templates(overrides: &[(&str, &str)]) -> Result<Theme, Vec<Diagnostic>> {
        let (mut templates, statics) = builtin_layer();
        for (name, text) in overrides {
            templates.insert(
                (*name).into(),
                Layered {
                    origin: format!("templates/{name}"),
                    value: (*text).into(),
                },
            );
        }
        Theme::finish(templates, statics, Vec::new())
    }

    /// Checks the layered templates (cycles, endless macros, syntax) and compiles them.
    fn finish(
        templates: BTreeMap<String, Layered<String>>,
        statics: BTreeMap<String, Data>,
        mut diags: Vec<Diagnostic>,
    ) -> Result<Theme, Vec<Diagnostic>> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape);
        let sources: BTreeMap<String, refs::Source> = templates
            .iter()
            .map(|(k, v)| {
                let source = refs::Source {
                    origin: &v.origin,
                    text: &v.value,
                };
                (k.clone(), source)
            })
            .collect();
        // A cycle would recurse until the stack overflows: refused before tera sees it.
        let cycles = refs::cycles(&sources);
        if cycles.is_empty() {
            let raw: Vec<(String, String)> = templates
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            match tera.add_raw_templates(raw) {
                Ok(()) => {
                    for (name, src) in &sources {
                        if let Ok(t) = tera.get_template(name) {
                            diags.extend(refs::endless_macros(name, t, src));
                        }
                    }
                }
                Err(e) => diags.push(template_diagnostic(&e, &templates)),
            }
        }
        diags.extend(cycles);
        if !diags.is_empty() {
            return Err(diags);
        }
        let ids = refs::page_ids(&sources);
        let texts = templates
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        let origins = templates.into_iter().map(|(k, v)| (k, v.origin)).collect();
        Ok(Theme {
            tera,
            origins,
            statics,
            texts,
            ids,
        })
    }

    /// The templates whose output may differ between `old` and this theme: those whose text changed,
    /// that appeared or went away, and every template that extends, includes or imports one of them
    /// (found as quoted template names in its text: a name in a string is counted too, which only
    /// renders more than needed).
    pub fn changed_templates(&self, old: &Theme) -> BTreeSet<String> {
        let mut changed: BTreeSet<String> = self
            .texts
            .keys()
            .chain(old.texts.keys())
            .filter(|k| self.texts.get(*k) != old.texts.get(*k))
            .cloned()
            .collect();
        loop {
            let more: Vec<String> = self
                .texts
                .iter()
                .filter(|(name, text)| {
                    !changed.contains(*name) && quoted_names(text).any(|n| changed.contains(n))
                })
                .map(|(name, _)| name.clone())
                .collect();
            if more.is_empty() {
                return changed;
            }
            changed.extend(more);
        }
    }

    /// Whether the static files differ from `old`'s by name or origin (a changed file on disk is
    /// not seen here: the watcher reports those).
    pub fn statics_differ(&self, old: &Theme) -> bool {
        !self.statics.keys().eq(old.statics.keys())
            || self
                .statics
                .iter()
                .zip(&old.statics)
                .any(|((_, a), (_, b))| !same_data(a, b))
    }

    /// Renders template `name` with `ctx`; `asked_by` (a page's source or an output path) is
    /// named in the error.
    pub(super) fn render(
        &self,
        name: &str,
        ctx: &Context,
        asked_by: &str,
    ) -> Result<String, Diagnostic> {
        self.tera
            .render(name, &ctx.0)
            .map_err(|e| render_error(self, name, asked_by, &e))
    }

    /// Renders template `name` with the variables of `vars` (public for the fuzzer; the site's
    /// views go through their own typed contexts).
    pub fn render_vars(
        &self,
        name: &str,
        vars: Map<String, Value>,
        asked_by: &str,
    ) -> Result<String, Diagnostic> {
        render_template(self, name, vars, asked_by)
    }

    /// If a page rendered with `template` already has the id `id` from the theme: how the theme
    /// writes it and where (`id="main"`, `(built-in theme) templates/base.html`).
    pub(super) fn theme_id(&self, template: &str, id: &str) -> Option<(String, String)> {
        let (found, by) = self
            .ids
            .get(template)?
            .iter()
            .find(|(t, _)| t.matches(id))?;
        Some((found.written(), self.origin(by)))
    }

    /// Every template's name, sorted.
    pub(super) fn template_names(&self) -> impl Iterator<Item = &String> {
        self.origins.keys()
    }

    pub(super) fn has(&self, name: &str) -> bool {
        self.origins.contains_key(name)
    }

    fn origin(&self, name: &str) -> String {
        self.origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }
}

/// The strings in quotes inside a template's `{% … %}` tags (where `extends`, `include` and
/// `import` name templates).
fn quoted_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("{%")
        .skip(1)
        .filter_map(|rest| rest.split_once("%}").map(|(tag, _)| tag))
        .flat_map(|tag| {
            let mut names = Vec::new();
            let mut rest = tag;
            while let Some(start) = rest.find(['"', '\'']) {
                let quote = &rest[start..start + 1];
                let after = &rest[start + 1..];
                let Some(end) = after.find(quote) else { break };
                names.push(&after[..end]);
                rest = &after[end + 1..];
            }
            names
        })
}

fn same_data(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::Static(x), Data::Static(y)) => x == y,
        (Data::Copy(x), Data::Copy(y)) => x == y,
        _ => false,
    }
}

/// The built-in theme's templates and static files, the layer every site starts from.
fn builtin_layer() -> (BTreeMap<String, Layered<String>>, BTreeMap<String, Data>) {
    let mut templates = BTreeMap::new();
    let mut statics = BTreeMap::new();
    builtin_files("templates", &mut |rel, bytes| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        templates.insert(
            rel.into(),
            Layered {
                origin: format!("(built-in theme) templates/{rel}"),
                value: text,
            },
        );
    });
    builtin_files("static", &mut |rel, bytes| {
        let data = if rel.ends_with(".js") {
            Data::Static(published_js(rel, bytes))
        } else {
            Data::Static(bytes)
        };
        statics.insert(rel.into(), data);
    });
    (templates, statics)
}

/// The built-in theme's JavaScript as published: the file's header comment is kept, every later
/// line that is only a `//` comment is left out and the others lose their indentation (a fifth of
/// `search-core.js`, which every search page loads; the sources keep both). Safe because the
/// theme's scripts hold no template literals or multi-line strings, so a line starting with `//`
/// is always a comment and leading spaces are never text (checked by a test).
/// Made once per process: the theme is compiled in.
fn published_js(rel: &str, src: &'static [u8]) -> &'static [u8] {
    static CACHE: std::sync::OnceLock<std::sync::Mutex<BTreeMap<String, &'static [u8]>>> =
        std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(b) = cache.get(rel) {
        return b;
    }
    let text = String::from_utf8_lossy(src);
    let mut out = String::with_capacity(text.len());
    let mut header = true;
    // Indentation goes too, unless a code line holds a template literal (a string that may span
    // lines, whose leading spaces would be its text).
    let code = |l: &&str| !l.trim_start().starts_with("//");
    let keep_indent = text.split('\n').filter(code).any(|l| l.contains('`'));
    for line in text.split_inclusive('\n') {
        let comment = line.trim_start().starts_with("//");
        header &= comment;
        if header {
            out.push_str(line);
        } else if !comment {
            out.push_str(if keep_indent {
                line
            } else {
                line.trim_start_matches([' ', '\t'])
            });
        }
    }
    let leaked: &'static [u8] = Box::leak(out.into_bytes().into_boxed_slice());
    cache.insert(rel.to_string(), leaked);
    leaked
}

fn builtin_files(sub: &str, f: &mut dyn FnMut(&str, &'static [u8])) {
    fn walk(dir: &'static Dir<'static>, strip: &str, f: &mut dyn FnMut(&str, &'static [u8])) {
        for file in dir.files() {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            f(rel.strip_prefix(strip).unwrap_or(&rel), file.contents());
        }
        for d in dir.dirs() {
            walk(d, strip, f);
        }
    }
    if let Some(dir) = BUILTIN_THEME.get_dir(sub) {
        walk(dir, &format!("{sub}/"), f);
    }
}

/// The files under `dir` (a `templates/` or `static/` folder), following symbolic links whose target
/// lies inside the site (`root`); a link leading out of the site, a link loop or an unreadable folder
/// is a diagnostic in `problems` (named `shown` + the path below `dir`), never a silent skip.
fn disk_files(
    dir: &Path,
    root: &Path,
    shown: &str,
    problems: &mut Vec<Diagnostic>,
    f: &mut dyn FnMut(&str, &Path),
) {
    if !dir.is_dir() {
        return;
    }
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rel_of = |path: &Path| {
        path.strip_prefix(dir)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(rel_of).unwrap_or_default();
                let dangling = e
                    .path()
                    .and_then(|p| std::fs::read_link(p).ok())
                    .filter(|_| e.path().is_some_and(|p| !p.exists()));
                let what = if e.loop_ancestor().is_some() {
                    "symbolic link loop: remove the link".to_string()
                } else if let Some(target) = dangling {
                    format!(
                        "symbolic link to `{}`, which does not exist: remove the link or restore what it points to",
                        target.display()
                    )
                } else {
                    format!("cannot read: {e}")
                };
                problems.push(Diagnostic::file(format!("{shown}{path}"), what));
                continue;
            }
        };
        let rel = rel_of(entry.path());
        if entry.depth() > 0 && entry.path_is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .map(|t| t.starts_with(&root))
                .unwrap_or(false);
            if !inside {
                problems.push(Diagnostic::file(
                    format!("{shown}{rel}"),
                    "symbolic link points outside the site (or to nothing): copy the file into the site instead",
                ));
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if entry.file_type().is_file()
            && !crate::content::is_ignored(&entry.file_name().to_string_lossy())
        {
            f(&rel, entry.path());
        }
    }
}

pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}

fn template_diagnostic(
    e: &tera::Error,
    templates: &BTreeMap<String, Layered<String>>,
) -> Diagnostic {
    let text = error_chain(e);
    let name = templates
        .keys()
        .find(|k| text.contains(&format!("'{k}'")))
        .cloned();
    let origin = name
        .as_ref()
        .map(|n| templates[n].origin.clone())
        .unwrap_or_else(|| "templates".into());
    let (line, col) = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let mut it = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty());
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let message = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Diagnostic::error(origin, line, col, format!("template error: {message}"))
}

pub(super) fn render_template(
    theme: &Theme,
    name: &str,
    map: Map<String, Value>,
    asked_by: &str,
) -> Result<String, Diagnostic> {
    let ctx = tera::Context::from_value(Value::Object(map)).expect("an object is a context");
    theme.render(name, &Context(ctx), asked_by)
}

fn render_error(theme: &Theme, name: &str, asked_by: &str, e: &tera::Error) -> Diagnostic {
    Diagnostic::file(
        theme.origin(name),
        format!(
            "template error while rendering {asked_by}: {}",
            error_chain(e).replace('\n', " ")
        ),
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn published_theme_scripts_lose_only_comment_lines_and_indentation() {
        for (rel, bytes) in builtin_layer().1 {
            if !rel.ends_with(".js") {
                continue;
            }
            let src = BUILTIN_THEME
                .get_file(format!("static/{rel}"))
                .unwrap()
                .contents_utf8()
                .unwrap();
            assert!(
                !src.contains('`')
                    || src
                        .lines()
                        .all(|l| !l.contains('`') || l.trim_start().starts_with("//")),
                "{rel}: a template literal would make stripping comment lines unsafe"
            );
            let crate::output::Data::Static(bytes) = bytes else {
                panic!("{rel}: built-in files are static");
            };
            let out = std::str::from_utf8(bytes).unwrap();
            let code = |t: &str| -> Vec<String> {
                t.lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .map(|l| l.trim_start().to_string())
                    .collect()
            };
            assert_eq!(code(out), code(src), "{rel}");
            assert!(out.starts_with("//"), "{rel} keeps its header");
        }
    }

    use super::{builtin_layer, quoted_names, BUILTIN_THEME};

    #[test]
    fn template_names_are_read_from_tags_only() {
        let text = "{% extends \"base.html\" %}<p title=\"x.html\">don't</p>{% include 'partials/a.html' %}{% import \"m.html\" as m %}";
        let names: Vec<&str> = quoted_names(text).collect();
        assert_eq!(names, ["base.html", "partials/a.html", "m.html"]);
    }
}
