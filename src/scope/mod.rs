//! The scope catalogue (评估事项指导目录) and the lookup "does this matter need a 稳评?".
//!
//! Stage: parse (the `kind: scope` front matter → a validated [`Catalogue`], in this file) and pure
//! functions over it (the matcher, in `matcher`). This module is the single truth for the lookup
//! page (its data is [`matcher::Matcher`] serialised into `scope/scope-data.js`;
//! `static/js/scope-core.js` computes the same answers, checked by `tests/scope_parity.rs`) and for
//! `portal scope`.
//!
//! - this file  `ScopeFront` (serde) → `Catalogue`: items with stable ids, categories, terms, basis
//!   links; the common matters that are not in scope; scale words and thresholds
//! - `matcher`  the matcher's data (terms with their synonym variants) and `lookup`

pub mod matcher;
pub mod view;

use crate::content::front_matter;
use crate::content::yaml_locate::{locate, Seg};
use crate::content::{Date, StringList};
use crate::diagnostic::Diagnostic;
use crate::markdown::{classify_link, Link, LinkTarget};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use Seg::{Index as I, Key as K};

pub use matcher::{Answer, Match, Matcher, Verdict};

/// The five categories of 重大事项, in catalogue order.
pub const CATEGORIES: [&str; 5] = ["重大决策", "重大政策", "重大改革", "重大项目", "重大活动"];

/// Category words some documents use instead (重点项目), mapped to the canonical one.
const CATEGORY_ALIASES: [(&str, &str); 5] = [
    ("决策", "重大决策"),
    ("政策", "重大政策"),
    ("改革", "重大改革"),
    ("项目", "重大项目"),
    ("重点项目", "重大项目"),
];

front_matter!(
    /// Front matter of a `kind: scope` page: the common keys plus the catalogue.
    #[serde(deny_unknown_fields)]
    ScopeFront {
        /// Whom to ask when a matter is unclear (shown when nothing matches).
        #[serde(default)]
        pub contact: Option<String>,
        /// The procedure page (`@/procedure.md`): the next step for a matter in scope.
        #[serde(default)]
        pub procedure: Option<String>,
        /// The forms of the first steps (`@/forms/approval.md` …), in order.
        #[serde(default)]
        pub forms: Vec<String>,
        /// The catalogue items.
        #[serde(default)]
        pub items: Vec<RawItem>,
        /// Common matters that are not in scope, with the words that mark them.
        #[serde(default)]
        pub out_of_scope: Vec<RawOut>,
        /// Words and figures that make a matter 重大 (or small).
        #[serde(default)]
        pub scale: RawScale,
        /// Everyday words for the catalogue's concepts, and the generic words that name nothing.
        #[serde(default)]
        pub lexicon: RawLexicon,
        /// When a matter in scope may take the 简易评估 (实施办法第三十条).
        #[serde(default)]
        pub simple: Option<RawSimple>,
        /// The yes/no questions of the guided check (实施办法第二条's 重大事项).
        #[serde(default)]
        pub check: Option<RawCheck>,
    }
);

/// The guided check as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub questions: Vec<RawQuestion>,
}

/// One question of the guided check as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub ask: Option<String>,
}

/// What each question of the guided check asks about; the rule combining the answers is
/// [`matcher::Matcher::decide`].
pub const QUESTIONS: [(&str, &str); 4] = [
    ("interests", "whether it touches people's own interests (fees, compensation, jobs, housing, school, health care)"),
    ("land", "whether it takes land, houses or moves people"),
    ("wide", "whether it reaches widely (several villages or towns, dozens of households, hundreds of people)"),
    ("conflict", "whether it easily leads to disputes (divided opinion, petitions, a NIMBY facility, a sensitive date)"),
];

/// The validated guided check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub basis: Option<String>,
    #[serde(skip)]
    pub basis_link: Option<usize>,
    /// `(id, question)` in the order of [`QUESTIONS`].
    pub questions: Vec<(String, String)>,
}

/// The domain lexicon as written: concept name → the words people use for it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLexicon {
    /// Words that say what kind of work a matter is but not what it is about (调整, 建设): they
    /// never name an item alone.
    #[serde(default)]
    pub generic: StringList,
    #[serde(default)]
    pub concepts: BTreeMap<String, StringList>,
}

/// The 简易评估 rule as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimple {
    /// `@/measures/implementation.md#第三十条`.
    #[serde(default)]
    pub basis: Option<String>,
    /// Unit → the largest figure a 简易评估 allows (户: 10 means "不超过10户").
    #[serde(default)]
    pub limits: BTreeMap<String, f64>,
    /// Items that never take the 简易评估 (邻避设施, 民族宗教, 敏感节点).
    #[serde(default)]
    pub not_for: StringList,
    /// Words that rule it out (报告书, 集体信访).
    #[serde(default)]
    pub against: StringList,
}

/// One catalogue item as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    /// Words that on their own name the item (征地, 变电站).
    #[serde(default)]
    pub keywords: StringList,
    /// Words that point at the item only together with others (学校, 道路).
    #[serde(default)]
    pub related: StringList,
    /// Combinations that name the item: `公交+价钱` — every part (a lexicon concept or a word)
    /// must be in the description.
    #[serde(default)]
    pub when: StringList,
    /// Unit → the figure from which a matter of this item is 重大 (大型群众性活动: 人: 1000); a
    /// smaller figure makes the answer 可能需要评估.
    #[serde(default)]
    pub scale: BTreeMap<String, f64>,
    #[serde(default)]
    pub departments: StringList,
    /// `@/measures/<file>.md#第X条`.
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A kind of matter that is not in scope, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOut {
    #[serde(default)]
    pub text: Option<String>,
    /// Words that mark a matter of this kind (日常养护, 单户).
    #[serde(default)]
    pub cues: StringList,
    /// Example matters, shown on the catalogue page.
    #[serde(default)]
    pub examples: StringList,
    #[serde(default)]
    pub basis: Option<String>,
}

/// Scale words and figures as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScale {
    /// Words that make a matter 重大 (全县, 成片, 数百户).
    #[serde(default)]
    pub words: StringList,
    /// Words that make it small (小型, 个别).
    #[serde(default)]
    pub small: StringList,
    /// Unit → the figure from which a matter counts as large (户: 10, 亩: 100).
    #[serde(default)]
    pub units: BTreeMap<String, f64>,
}

/// A validated catalogue item.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    pub category: String,
    pub text: String,
    pub keywords: Vec<String>,
    pub related: Vec<String>,
    /// Combinations as written, each split into its parts.
    pub when: Vec<Vec<String>>,
    /// The item's own scale thresholds (folded units).
    pub scale: Vec<UnitThreshold>,
    pub departments: Vec<String>,
    /// The basis link as written (`@/…#第七条`) and its index in the page's links.
    pub basis: Option<String>,
    #[serde(skip)]
    pub basis_link: Option<usize>,
    pub note: Option<String>,
}

/// A validated out-of-scope kind.
#[derive(Debug, Clone, Serialize)]
pub struct OutKind {
    pub text: String,
    pub cues: Vec<String>,
    pub examples: Vec<String>,
    pub basis: Option<String>,
    #[serde(skip)]
    pub basis_link: Option<usize>,
}

/// The validated 简易评估 rule.
#[derive(Debug, Clone, Serialize)]
pub struct Simple {
    pub basis: Option<String>,
    #[serde(skip)]
    pub basis_link: Option<usize>,
    /// Largest figure per unit (folded), longest unit first.
    pub limits: Vec<UnitThreshold>,
    pub not_for: Vec<String>,
    pub against: Vec<String>,
}

/// A scale threshold: from `min` of `unit` a matter counts as large.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitThreshold {
    pub unit: String,
    pub min: f64,
}

/// The validated catalogue of a `kind: scope` page.
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    pub items: Vec<Item>,
    pub out_of_scope: Vec<OutKind>,
    pub scale_words: Vec<String>,
    pub small_words: Vec<String>,
    pub units: Vec<UnitThreshold>,
    /// Concept name → its words; the generic words.
    pub concepts: BTreeMap<String, Vec<String>>,
    pub generic: Vec<String>,
    pub simple: Option<Simple>,
    pub check: Option<Check>,
    pub contact: Option<String>,
    /// Link indices (into the page's links) of the procedure and the first forms.
    #[serde(skip)]
    pub procedure_link: Option<usize>,
    #[serde(skip)]
    pub form_links: Vec<usize>,
}

impl Catalogue {
    /// Validates the front matter. `links` are the links the catalogue adds to its page (basis,
    /// procedure, forms) with their positions, checked later like links in the body; the indices
    /// kept in the catalogue count from `first_link` (the page's existing links).
    pub fn from_front(
        f: &ScopeFront,
        source: &str,
        yaml: &str,
        yaml_line: usize,
        first_link: usize,
    ) -> (Catalogue, Vec<Link>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut links: Vec<Link> = Vec::new();
        let at = |path: &[Seg]| locate(yaml, yaml_line, path);
        let mut err = |path: &[Seg], m: String| {
            let (line, col) = at(path);
            diags.push(Diagnostic::error(source, line, col, m));
        };
        let add_link = |raw: &str,
                        path: &[Seg],
                        links: &mut Vec<Link>,
                        err: &mut dyn FnMut(&[Seg], String)|
         -> Option<usize> {
            let raw = raw.trim();
            match classify_link(raw, "") {
                Ok(target @ LinkTarget::Content { .. }) => {
                    let (line, col) = at(path);
                    links.push(Link {
                        target,
                        line,
                        col,
                        raw: raw.to_string(),
                    });
                    Some(first_link + links.len() - 1)
                }
                Ok(_) => {
                    err(path, format!("`{raw}` is not a page of this site: expected a link such as `@/measures/implementation.md#第七条`"));
                    None
                }
                Err(m) => {
                    err(path, m);
                    None
                }
            }
        };

        // The lexicon first: items are checked against it.
        let mut generic: Vec<String> = Vec::new();
        for (j, w) in f.lexicon.generic.0.iter().enumerate() {
            let w = w.trim();
            if w.chars().count() < 2 {
                err(&[K("lexicon"), K("generic"), I(j)], format!("generic word `{w}` is too short: expected a word of two or more characters, e.g. `调整`"));
            } else if !generic.iter().any(|g| g == w) {
                generic.push(w.to_string());
            }
        }
        let mut concepts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, words) in &f.lexicon.concepts {
            let path = [K("lexicon"), K("concepts"), K(name)];
            if name.trim().is_empty() || name.contains('+') {
                err(&path, format!("concept name `{name}` is not usable: expected a name without `+`, e.g. `价钱`"));
                continue;
            }
            let mut list: Vec<String> = Vec::new();
            for (j, w) in words.0.iter().enumerate() {
                let w = w.trim();
                if w.is_empty() || w.contains('+') {
                    err(&[K("lexicon"), K("concepts"), K(name), I(j)], format!("word `{w}` of concept `{name}` is not usable: expected a word without `+`"));
                } else if !list.iter().any(|x| x == w) {
                    list.push(w.to_string());
                }
            }
            if list.is_empty() {
                err(&path, format!("concept `{name}` has no words: expected the words people use for it, e.g. `{name}: [涨价, 上调]`"));
                continue;
            }
            concepts.insert(name.trim().to_string(), list);
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut items = Vec::new();
        for (i, raw) in f.items.iter().enumerate() {
            let base = [K("items"), I(i)];
            let field = |k: &'static str| [K("items"), I(i), K(k)];
            let id = raw.id.as_deref().map(str::trim).unwrap_or("");
            if id.is_empty() {
                err(&base, "item without `id`: expected a stable id such as `land-expropriation` (lower-case letters, digits and `-`)".into());
                continue;
            }
            if !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                || id.starts_with('-')
            {
                err(&field("id"), format!("id `{id}` is not usable as an anchor: expected lower-case letters, digits and `-`, e.g. `energy-facility`"));
                continue;
            }
            if let Some(first) = seen.get(id) {
                let (line, _) = at(&[K("items"), I(*first), K("id")]);
                err(&field("id"), format!("duplicate id `{id}`: already used by the item at line {line}; each item needs its own id"));
                continue;
            }
            seen.insert(id.to_string(), i);
            let category = match raw.category.as_deref().map(str::trim) {
                None | Some("") => {
                    err(
                        &base,
                        format!(
                            "item `{id}` has no `category`: expected one of {}",
                            CATEGORIES.join("、")
                        ),
                    );
                    continue;
                }
                Some(c) => match canonical_category(c) {
                    Some(c) => c,
                    None => {
                        err(
                            &field("category"),
                            format!(
                                "unknown category `{c}`: expected one of {}",
                                CATEGORIES.join("、")
                            ),
                        );
                        continue;
                    }
                },
            };
            let text = raw.text.as_deref().map(str::trim).unwrap_or("");
            if text.is_empty() {
                err(&base, format!("item `{id}` has no `text`: expected the item as the catalogue states it, e.g. `集体土地征收及补偿安置`"));
                continue;
            }
            let mut words = |list: &StringList, key: &'static str| -> Vec<String> {
                let mut out = Vec::new();
                for (j, w) in list.0.iter().enumerate() {
                    let w = w.trim();
                    if w.chars().count() < 2 {
                        err(&[K("items"), I(i), K(key), I(j)], format!("`{w}` in `{key}` of `{id}` is too short: single characters match too much; expected a word of two or more characters"));
                    } else if !out.iter().any(|o| o == w) {
                        out.push(w.to_string());
                    }
                }
                out
            };
            let keywords = words(&raw.keywords, "keywords");
            let related = words(&raw.related, "related");
            for (key, list, raw_list) in [
                ("keywords", &keywords, &raw.keywords),
                ("related", &related, &raw.related),
            ] {
                for w in list.iter().filter(|w| generic.contains(w)) {
                    let j = raw_list.0.iter().position(|x| x.trim() == w).unwrap_or(0);
                    err(&[K("items"), I(i), K(key), I(j)], format!("`{w}` in `{key}` of `{id}` is a generic word (`lexicon.generic`): it matches unrelated matters; expected a combination such as `when: [水价+{w}]`"));
                }
            }
            let mut when: Vec<Vec<String>> = Vec::new();
            for (j, combo) in raw.when.0.iter().enumerate() {
                let at = [K("items"), I(i), K("when"), I(j)];
                let parts: Vec<String> = combo.split('+').map(|p| p.trim().to_string()).collect();
                if let Some(bad) = parts.iter().find(|p| {
                    p.is_empty() || (!concepts.contains_key(p.as_str()) && p.chars().count() < 2)
                }) {
                    err(&at, format!("`{combo}` in `when` of `{id}`: part `{bad}` is neither a concept of `lexicon.concepts` nor a word of two or more characters; expected e.g. `公交+价钱`"));
                    continue;
                }
                if parts.len() == 1 && generic.contains(&parts[0]) {
                    err(&at, format!("`{combo}` in `when` of `{id}` is a generic word alone: expected it combined with what the matter is about, e.g. `水价+{combo}`"));
                    continue;
                }
                when.push(parts);
            }
            let mut scale = Vec::new();
            for (unit, &min) in &raw.scale {
                if unit.trim().is_empty() || !(min.is_finite() && min > 0.0) {
                    err(&[K("items"), I(i), K("scale"), K(unit)], format!("scale `{unit}: {min}` of `{id}` is not usable: expected a unit and a positive figure, e.g. `人: 1000`"));
                    continue;
                }
                scale.push(UnitThreshold {
                    unit: crate::text::fold(unit.trim()),
                    min,
                });
            }
            longest_first(&mut scale);
            let basis_link = raw
                .basis
                .as_deref()
                .and_then(|b| add_link(b, &field("basis"), &mut links, &mut err));
            items.push(Item {
                id: id.to_string(),
                category: category.to_string(),
                text: text.to_string(),
                keywords,
                related,
                when,
                scale,
                departments: raw.departments.0.clone(),
                basis: raw.basis.as_ref().map(|b| b.trim().to_string()),
                basis_link,
                note: raw.note.clone(),
            });
        }
        if f.items.is_empty() {
            err(&[K("items")], "a scope page needs its catalogue: expected `items:` with at least one item (`id`, `category`, `text`, `keywords`, `departments`, `basis`)".into());
        }

        let mut out_of_scope = Vec::new();
        for (i, raw) in f.out_of_scope.iter().enumerate() {
            let text = raw.text.as_deref().map(str::trim).unwrap_or("");
            if text.is_empty() {
                err(&[K("out_of_scope"), I(i)], "out-of-scope entry without `text`: expected what kind of matter it is, e.g. `公共设施的日常养护、检修`".into());
                continue;
            }
            let mut cues = Vec::new();
            for (j, w) in raw.cues.0.iter().enumerate() {
                let w = w.trim();
                if w.chars().count() < 2 {
                    err(
                        &[K("out_of_scope"), I(i), K("cues"), I(j)],
                        format!(
                            "cue `{w}` is too short: expected a word of two or more characters"
                        ),
                    );
                } else {
                    cues.push(w.to_string());
                }
            }
            let basis_link = raw.basis.as_deref().and_then(|b| {
                add_link(
                    b,
                    &[K("out_of_scope"), I(i), K("basis")],
                    &mut links,
                    &mut err,
                )
            });
            out_of_scope.push(OutKind {
                text: text.to_string(),
                cues,
                examples: raw.examples.0.clone(),
                basis: raw.basis.as_ref().map(|b| b.trim().to_string()),
                basis_link,
            });
        }

        let procedure_link = f
            .procedure
            .as_deref()
            .and_then(|p| add_link(p, &[K("procedure")], &mut links, &mut err));
        let form_links = f
            .forms
            .iter()
            .enumerate()
            .filter_map(|(i, p)| add_link(p, &[K("forms"), I(i)], &mut links, &mut err))
            .collect();

        let mut units = Vec::new();
        for (unit, &min) in &f.scale.units {
            if unit.trim().is_empty() || !(min.is_finite() && min > 0.0) {
                err(&[K("scale"), K("units"), K(unit)], format!("threshold `{unit}: {min}` is not usable: expected a unit and a positive figure, e.g. `户: 10`"));
                continue;
            }
            units.push(UnitThreshold {
                unit: crate::text::fold(unit.trim()),
                min,
            });
        }
        longest_first(&mut units);
        let simple = f.simple.as_ref().map(|raw| {
            let basis_link = raw
                .basis
                .as_deref()
                .and_then(|b| add_link(b, &[K("simple"), K("basis")], &mut links, &mut err));
            let mut limits = Vec::new();
            for (unit, &max) in &raw.limits {
                if unit.trim().is_empty() || !(max.is_finite() && max > 0.0) {
                    err(&[K("simple"), K("limits"), K(unit)], format!("limit `{unit}: {max}` is not usable: expected a unit and a positive figure, e.g. `户: 10` (不超过10户)"));
                    continue;
                }
                limits.push(UnitThreshold {
                    unit: crate::text::fold(unit.trim()),
                    min: max,
                });
            }
            longest_first(&mut limits);
            let mut not_for = Vec::new();
            for (j, id) in raw.not_for.0.iter().enumerate() {
                let id = id.trim();
                if seen.contains_key(id) {
                    not_for.push(id.to_string());
                } else {
                    err(&[K("simple"), K("not_for"), I(j)], format!("`{id}` in `simple.not_for` is not an item of this catalogue: expected an item id such as `waste-facility`"));
                }
            }
            Simple {
                basis: raw.basis.as_ref().map(|b| b.trim().to_string()),
                basis_link,
                limits,
                not_for,
                against: raw
                    .against
                    .0
                    .iter()
                    .map(|w| w.trim().to_string())
                    .filter(|w| !w.is_empty())
                    .collect(),
            }
        });
        let check = f.check.as_ref().and_then(|raw| {
            let basis_link = raw
                .basis
                .as_deref()
                .and_then(|b| add_link(b, &[K("check"), K("basis")], &mut links, &mut err));
            let mut questions: Vec<(String, String)> = Vec::new();
            for (i, q) in raw.questions.iter().enumerate() {
                let id = q.id.as_deref().map(str::trim).unwrap_or("");
                let ask = q.ask.as_deref().map(str::trim).unwrap_or("");
                if !QUESTIONS.iter().any(|(k, _)| *k == id) {
                    err(&[K("check"), K("questions"), I(i)], format!("question id `{id}` is not one the check knows: expected one of {} ({})", QUESTIONS.iter().map(|(k, _)| format!("`{k}`")).collect::<Vec<_>>().join(", "), QUESTIONS.iter().map(|(k, w)| format!("{k}: {w}")).collect::<Vec<_>>().join("; ")));
                } else if ask.is_empty() {
                    err(&[K("check"), K("questions"), I(i)], format!("question `{id}` has no `ask`: expected the question as staff read it, e.g. `是否涉及征地、房屋征收或者搬迁安置？`"));
                } else if questions.iter().any(|(k, _)| k == id) {
                    err(&[K("check"), K("questions"), I(i), K("id")], format!("question `{id}` is asked twice: expected each of {} once", QUESTIONS.iter().map(|(k, _)| format!("`{k}`")).collect::<Vec<_>>().join(", ")));
                } else {
                    questions.push((id.to_string(), ask.to_string()));
                }
            }
            let missing: Vec<&str> = QUESTIONS
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| !questions.iter().any(|(q, _)| q == k))
                .collect();
            if !missing.is_empty() {
                err(&[K("check")], format!("the check lacks question{} {}: expected all of {}", if missing.len() == 1 { "" } else { "s" }, missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "), QUESTIONS.iter().map(|(k, _)| format!("`{k}`")).collect::<Vec<_>>().join(", ")));
                return None;
            }
            questions.sort_by_key(|(k, _)| QUESTIONS.iter().position(|(q, _)| q == k));
            Some(Check {
                basis: raw.basis.as_ref().map(|b| b.trim().to_string()),
                basis_link,
                questions,
            })
        });
        let catalogue = Catalogue {
            items,
            out_of_scope,
            scale_words: f
                .scale
                .words
                .0
                .iter()
                .map(|w| w.trim().to_string())
                .collect(),
            small_words: f
                .scale
                .small
                .0
                .iter()
                .map(|w| w.trim().to_string())
                .collect(),
            units,
            concepts,
            generic,
            simple,
            check,
            contact: f.contact.clone(),
            procedure_link,
            form_links,
        };
        (catalogue, links, diags)
    }

    /// Shifts the link indices when the catalogue's links are appended after `by` others.
    pub fn offset_links(&mut self, by: usize) {
        let shift = |l: &mut Option<usize>| {
            if let Some(i) = l {
                *i += by;
            }
        };
        for it in &mut self.items {
            shift(&mut it.basis_link);
        }
        for o in &mut self.out_of_scope {
            shift(&mut o.basis_link);
        }
        shift(&mut self.procedure_link);
        if let Some(simple) = &mut self.simple {
            shift(&mut simple.basis_link);
        }
        if let Some(check) = &mut self.check {
            shift(&mut check.basis_link);
        }
        for i in &mut self.form_links {
            *i += by;
        }
    }

    /// The items of one category, in catalogue order.
    pub fn in_category<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.category == category)
    }
}

/// Longer units first, so 平方米 is tried before 米 and 千伏 before 伏.
fn longest_first(units: &mut [UnitThreshold]) {
    units.sort_by(|a, b| unit_order(&a.unit, &b.unit));
}

/// The order units are tried in: longer first, then by text.
pub fn unit_order(a: &str, b: &str) -> std::cmp::Ordering {
    b.chars().count().cmp(&a.chars().count()).then(a.cmp(b))
}

fn canonical_category(c: &str) -> Option<&'static str> {
    CATEGORIES.iter().copied().find(|k| *k == c).or_else(|| {
        CATEGORY_ALIASES
            .iter()
            .find(|(a, _)| *a == c)
            .map(|(_, k)| *k)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::front_matter::from_yaml;

    fn parse(yaml: &str) -> (Catalogue, Vec<Link>, Vec<Diagnostic>) {
        let f: ScopeFront = from_yaml("content/scope/index.md", yaml, 2).unwrap();
        Catalogue::from_front(&f, "content/scope/index.md", yaml, 2, 0)
    }

    #[test]
    fn bad_items_are_reported_at_their_position() {
        let yaml = "kind: scope\ntitle: 目录\nitems:\n  - id: a-b\n    category: 重大决策\n    text: 征地\n    basis: \"@/m.md#第七条\"\n  - id: a-b\n    category: 重大决策\n    text: 又一项\n  - id: c\n    category: 重大事情\n    text: x\n  - id: d\n    category: 重大项目\n";
        let (cat, links, d) = parse(yaml);
        assert_eq!(cat.items.len(), 1);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].line, 8);
        let msgs: Vec<String> = d
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect();
        assert_eq!(d.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].starts_with("9:9: duplicate id `a-b`: already used by the item at line 5"),
            "{msgs:?}"
        );
        assert!(
            msgs[1].starts_with("13:15: unknown category `重大事情`"),
            "{msgs:?}"
        );
        assert!(
            msgs[2].starts_with("15:5: item `d` has no `text`"),
            "{msgs:?}"
        );
    }

    #[test]
    fn bad_lexicon_simple_and_check_entries_are_positioned() {
        let yaml = "title: 目录\nitems:\n  - id: a\n    category: 项目\n    text: 能源设施\n    related: [调整]\n    when: [变价, 价+x, 燃气+变价]\nlexicon:\n  generic: [调整, 改]\n  concepts:\n    燃气: [燃气, 气价]\n    变价: []\nsimple:\n  limits: {户: 0}\n  not_for: [nobody]\ncheck:\n  questions:\n    - id: land\n      ask: 是否征地？\n    - id: maybe\n      ask: 其他？\n";
        let (cat, _, d) = parse(yaml);
        let msgs: Vec<String> = d
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect();
        let has = |p: &str| msgs.iter().any(|m| m.starts_with(p));
        assert!(has("10:17: generic word `改` is too short"), "{msgs:#?}");
        assert!(has("13:9: concept `变价` has no words"), "{msgs:#?}");
        assert!(
            has("7:15: `调整` in `related` of `a` is a generic word"),
            "{msgs:#?}"
        );
        assert!(has("8:16: `价+x` in `when` of `a`: part `价`"), "{msgs:#?}");
        assert!(has("15:15: limit `户: 0` is not usable"), "{msgs:#?}");
        assert!(
            has("16:13: `nobody` in `simple.not_for` is not an item"),
            "{msgs:#?}"
        );
        assert!(
            has("21:7: question id `maybe` is not one the check knows"),
            "{msgs:#?}"
        );
        assert!(
            has("17:1: the check lacks questions `interests`, `wide`, `conflict`"),
            "{msgs:#?}"
        );
        assert_eq!(msgs.len(), 8, "{msgs:#?}");
        assert_eq!(
            cat.items[0].when.len(),
            2,
            "变价 alone and 燃气+变价 (变价 a word now)"
        );
        assert!(cat.check.is_none());
    }

    #[test]
    fn a_basis_must_be_a_page_link() {
        let yaml = "title: 目录\nitems:\n  - id: a\n    category: 项目\n    text: 能源设施\n    basis: https://example.org\n";
        let (cat, _, d) = parse(yaml);
        assert_eq!(cat.items[0].category, "重大项目");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("is not a page of this site"),
            "{}",
            d[0].message
        );
    }
}
