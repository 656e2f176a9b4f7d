//! The lookup: a plain description of a matter → a verdict and the catalogue items it matches.
//!
//! Stage: query (pure). Input: a [`Matcher`] (made once from a [`Catalogue`] and the site's
//! synonyms) and the text. Output: an [`Answer`]. The browser runs the same steps in
//! `themes/default/static/js/scope-core.js` over this struct serialised as JSON; every score is an
//! integer, so both sides rank alike. The steps:
//!
//! 1. Fold the text ([`fold_one`]: full-width → ASCII, lower case, Traditional → Simplified).
//! 2. For each item, find each term in the text (first occurrence not right after a negation such
//!    as 不 or 没有; a term is a keyword, a piece of the item text, or a related word, each with its
//!    synonym variants from `search.synonyms`), and each `when` combination (every part a lexicon
//!    concept or a word; each concept is looked for once per query). Characters covered by keywords,
//!    text pieces of three or more characters and combination parts count 100, by related words,
//!    two-character text pieces and the parts of a combination missing one part 40.
//! 3. Blank the filler and generic words, take the neighbouring CJK character pairs of what is left
//!    and count those the item's own words contain: 10 each (this finds the nearest items when no
//!    term matches).
//! 4. Rank by tier (2: a keyword, long text piece or combination matched, or two different related
//!    words; 1: a related word or a combination missing one part; 0: only pairs), then score, then
//!    catalogue order.
//! 5. Verdict from the best item's tier (2 应当评估, 1 可能需要评估, 0 未匹配到). A cue of an
//!    out-of-scope kind (日常养护, 单户, 按上级通知; not one inside a keyword the best item matched or
//!    inside a larger figure) makes it 一般不需要评估 whatever the scale; a small-scale word lowers it
//!    one step unless figures the 简易 rule limits give the size; a scale word or a figure at or
//!    above its unit's threshold (300户, 500亩, 110千伏) raises 1 to 2, and 0 to 1 when the nearest
//!    item shares at least two pairs; a figure below the best item's own scale lowers 2 to 1.
//! 6. For 应当评估, the kind ([`Matcher::kind`]: 普通 or 简易 by 实施办法第三十条); the rule that
//!    decided and the reasons in words go with every answer. [`Matcher::decide`] answers the
//!    guided check.

use super::Catalogue;
use crate::text::{char_class, fold_char, t2s, t2s_table, CharClass, Synonyms};
use serde::Serialize;

/// Words that say nothing about the matter, blanked before step 3.
pub const FILLERS: [&str; 36] = [
    "请问",
    "是否",
    "要不要",
    "需不需要",
    "需要",
    "应当",
    "应该",
    "评估",
    "稳评",
    "我们",
    "我县",
    "本县",
    "县里",
    "我局",
    "本单位",
    "一个",
    "一批",
    "一项",
    "一次",
    "进行",
    "开展",
    "有关",
    "相关",
    "关于",
    "准备",
    "打算",
    "拟",
    "将",
    "对",
    "的",
    "了",
    "在",
    "和",
    "与",
    "及",
    "把",
];

/// At most this many items in an answer.
pub const LIMIT: usize = 5;

const STRONG_WEIGHT: u32 = 100;
const RELATED_WEIGHT: u32 = 40;
const PAIR_WEIGHT: u32 = 10;

/// The verdict of a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    InScope,
    Borderline,
    OutOfScope,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::InScope => "in_scope",
            Verdict::Borderline => "borderline",
            Verdict::OutOfScope => "out_of_scope",
        }
    }

    /// The words the page and the command line show.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::InScope => "应当评估",
            Verdict::Borderline => "可能需要评估",
            Verdict::OutOfScope => "未匹配到评估事项",
        }
    }

    fn from_level(l: u8) -> Verdict {
        match l {
            2 => Verdict::InScope,
            1 => Verdict::Borderline,
            _ => Verdict::OutOfScope,
        }
    }
}

/// The kind of assessment a matter in scope takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// 普通评估.
    Ordinary,
    /// 简易评估 (实施办法第三十条).
    Simple,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Ordinary => "普通",
            Kind::Simple => "简易",
        }
    }
}

/// What decided the verdict: a stable id, the rule in words and its article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// `catalogue`, `simple`, `over-limit`, `not-simple`, `scale`, `out-of-scope`, `related`,
    /// `nearest`, `none`.
    pub id: &'static str,
    pub text: String,
    /// The article (`第三十条`), when the content names one.
    pub basis: Option<String>,
}

/// One item as the matcher sees it: terms folded, each with its synonym variants.
#[derive(Debug, Clone, Serialize)]
pub struct MatchItem {
    pub id: String,
    pub category: String,
    pub text: String,
    /// The article of its basis (`第七条`).
    pub basis: Option<String>,
    /// Keywords and pieces of the text; each entry: the term, then its variants.
    pub strong: Vec<Vec<String>>,
    pub related: Vec<Vec<String>>,
    /// Combinations: each part an index into [`Matcher::concepts`].
    pub when: Vec<Vec<usize>>,
    /// The item's own scale: below these figures a matter of it is 可能需要评估.
    pub scale: Vec<super::UnitThreshold>,
    /// The CJK character pairs of the item's own words (text, keywords, related), sorted.
    pub pairs: Vec<String>,
}

/// An out-of-scope kind as the matcher sees it.
#[derive(Debug, Clone, Serialize)]
pub struct OutRule {
    pub text: String,
    pub basis: Option<String>,
}

/// A unit of measure the matcher reads, with the figure from which a matter is large (`scale.units`)
/// and the largest a 简易评估 allows (`simple.limits`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRule {
    pub unit: String,
    pub large: Option<f64>,
    pub limit: Option<f64>,
}

/// The 简易评估 rule as the matcher sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SimpleRule {
    pub basis: Option<String>,
    pub not_for: Vec<String>,
    pub against: Vec<String>,
}

/// The guided check as the matcher sees it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRule {
    pub basis: Option<String>,
    pub questions: Vec<(String, String)>,
}

/// The matcher's data: what `scope-data.js` carries to the browser.
#[derive(Debug, Clone, Serialize)]
pub struct Matcher {
    pub items: Vec<MatchItem>,
    /// The words that satisfy each combination part (a lexicon concept's words with their synonym
    /// variants, or one word), each list once; items refer to them by index.
    pub concepts: Vec<Vec<String>>,
    /// For each out-of-scope kind, its cues with their variants.
    pub cues: Vec<Vec<Vec<String>>>,
    pub outs: Vec<OutRule>,
    pub scale_words: Vec<String>,
    pub small_words: Vec<String>,
    /// Longest unit first.
    pub units: Vec<UnitRule>,
    pub simple: Option<SimpleRule>,
    /// Filler and generic words, blanked before the character pairs are taken.
    pub fillers: Vec<String>,
    pub limit: usize,
    /// The guided check: its article and `(id, question)` pairs.
    pub check: Option<CheckRule>,
    /// The Traditional → Simplified table ([`t2s_table`]) as one string: traditional, simplified,
    /// traditional, simplified …
    pub t2s: String,
}

/// A matched item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub id: String,
    pub category: String,
    pub title: String,
    pub score: u32,
    /// The words of the query that matched, in the order they appear.
    pub matched: Vec<String>,
    /// 2 keyword or text piece, 1 related word only, 0 character pairs only.
    #[serde(skip)]
    pub tier: u8,
    #[serde(skip)]
    pub pairs: u32,
    /// Index into the catalogue's items.
    #[serde(skip)]
    pub index: usize,
    /// `(start, end)` character spans of the query matched by keywords and text pieces.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

/// A figure with its unit found in the query (300户).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub text: String,
    pub value: f64,
    pub unit: String,
    /// At or above the unit's scale threshold.
    pub large: bool,
    /// The 简易评估 limit of its unit, and whether the figure is over it (十几户 is over 10).
    pub limit: Option<f64>,
    pub over: bool,
    /// Its character span in the folded query.
    pub start: usize,
    pub end: usize,
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub query: String,
    pub verdict: Verdict,
    /// For a matter in scope: 普通 or 简易 (`None` when the site states no 简易评估 rule).
    pub kind: Option<Kind>,
    pub rule: Rule,
    /// The words and figures that decided it, in words.
    pub reasons: Vec<String>,
    pub matches: Vec<Match>,
    /// `(out-of-scope kind index, cue as found)`.
    #[serde(skip)]
    pub cues: Vec<(usize, String)>,
    #[serde(skip)]
    pub scale_words: Vec<String>,
    #[serde(skip)]
    pub figures: Vec<Figure>,
    #[serde(skip)]
    pub small_words: Vec<String>,
}

/// The `--json` answer: exactly `{"query", "verdict", "kind", "rule": {"id", "text", "basis"},
/// "reasons", "matches": [{"id", "category", "title", "score", "matched"}]}`.
#[derive(Serialize)]
pub struct JsonAnswer<'a> {
    pub query: &'a str,
    pub verdict: &'static str,
    pub kind: Option<&'static str>,
    pub rule: &'a Rule,
    pub reasons: &'a [String],
    pub matches: &'a [Match],
    /// The guided check's answer, when answers were given: `{"verdict", "rule"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<serde_json::Value>,
}

impl Answer {
    pub fn json(&self) -> JsonAnswer<'_> {
        JsonAnswer {
            query: &self.query,
            verdict: self.verdict.name(),
            kind: self.kind.map(Kind::label),
            rule: &self.rule,
            reasons: &self.reasons,
            matches: &self.matches,
            check: None,
        }
    }

    /// Whether the text did not decide it: a borderline answer, or nothing matched and no
    /// out-of-scope cue — the guided check is offered then.
    pub fn needs_check(&self) -> bool {
        self.verdict == Verdict::Borderline
            || (self.verdict == Verdict::OutOfScope && self.cues.is_empty())
    }

    /// The verdict in words, with the kind: 应当评估, 应当简易评估, 可能需要评估, 一般不需要评估.
    pub fn label(&self) -> &'static str {
        match (self.verdict, self.kind, self.cues.is_empty()) {
            (Verdict::InScope, Some(Kind::Simple), _) => "应当评估（可适用简易评估）",
            (Verdict::InScope, _, _) => "应当评估",
            (Verdict::Borderline, _, _) => "可能需要评估",
            (Verdict::OutOfScope, _, false) => "一般不需要评估",
            (Verdict::OutOfScope, _, true) => "未匹配到评估事项",
        }
    }
}

/// The guided check's verdict in words.
pub fn check_label(v: Verdict) -> &'static str {
    match v {
        Verdict::InScope => "应当评估",
        Verdict::Borderline => "可能需要评估",
        Verdict::OutOfScope => "一般不需要评估",
    }
}

/// The article of a basis link: `@/measures/implementation.md#第七条` → `第七条`.
pub fn article(basis: &Option<String>) -> Option<String> {
    basis
        .as_deref()
        .and_then(|b| b.split_once('#'))
        .map(|(_, a)| a.to_string())
        .filter(|a| !a.is_empty())
}

/// Folds one character for matching: width and case ([`fold_char`]), then Traditional →
/// Simplified ([`t2s`]), so 徵收耕地一百五十畝 reads as 征收耕地一百五十亩.
pub fn fold_one(c: char) -> char {
    t2s(fold_char(c))
}

fn fold_cn(text: &str) -> String {
    text.chars().map(fold_one).collect()
}

/// Splits an item text into the pieces that may appear in a description: cut at punctuation and
/// at the joining words 及/和/与/或/等, pieces of two or more characters.
pub fn text_pieces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        let t = cur.trim().to_string();
        if t.chars().count() >= 2 && !out.contains(&t) {
            out.push(t);
        }
        cur.clear();
    };
    for c in fold_cn(text).chars() {
        if matches!(
            c,
            '及' | '和'
                | '与'
                | '或'
                | '等'
                | '、'
                | '，'
                | '；'
                | '（'
                | '）'
                | '/'
                | '('
                | ')'
                | ','
                | ';'
                | ' '
        ) {
            flush(&mut cur, &mut out);
        } else {
            cur.push(c);
        }
    }
    flush(&mut cur, &mut out);
    out
}

fn with_variants(word: &str, synonyms: &Synonyms) -> Vec<String> {
    let w = fold_cn(word.trim());
    let mut v = vec![w.clone()];
    for x in synonyms.variants(&w) {
        if !v.contains(&x) {
            v.push(x);
        }
    }
    v
}

fn is_cjk(c: char) -> bool {
    char_class(c) == CharClass::Cjk
}

/// Neighbouring CJK pairs of a folded text, in order, without repeats.
fn pairs_of(chars: &[char]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in chars.windows(2) {
        if is_cjk(w[0]) && is_cjk(w[1]) {
            let p: String = w.iter().collect();
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// The first position of `needle` in `hay` (both as characters).
pub fn find(hay: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

/// Words that deny what follows them: 不拆房, 没有安置, 不涉及征地.
const NEGATIONS: [&str; 14] = [
    "没有人",
    "没人",
    "不涉及",
    "未涉及",
    "没涉及",
    "不需要",
    "没有",
    "无需",
    "不用",
    "不",
    "没",
    "无",
    "未",
    "非",
];

/// Whether the word at `p` is denied by the words just before it ([`NEGATIONS`]).
fn negated(hay: &[char], p: usize) -> bool {
    NEGATIONS.iter().any(|n| {
        let n: Vec<char> = n.chars().collect();
        p >= n.len() && hay[p - n.len()..p] == *n
    })
}

/// The first occurrence of `needle` in `hay` that is not denied ([`negated`]).
pub fn find_said(hay: &[char], needle: &[char]) -> Option<usize> {
    let mut from = 0;
    while from < hay.len() {
        let p = from + find(&hay[from..], needle)?;
        if !negated(hay, p) {
            return Some(p);
        }
        from = p + 1;
    }
    None
}

impl Matcher {
    pub fn new(cat: &Catalogue, synonyms: &Synonyms) -> Matcher {
        let generic: Vec<String> = cat.generic.iter().map(|g| fold_cn(g)).collect();
        // The words of the combination parts, each list once (a concept or a single word).
        let mut concepts: Vec<Vec<String>> = Vec::new();
        let items = cat
            .items
            .iter()
            .map(|it| {
                // Keywords and the longer pieces of the text name the item; a two-character piece
                // (学校, 医院) is a generic noun and only points at it, like a related word. Generic
                // words (调整, 建设) are no piece at all.
                let pieces: Vec<String> = text_pieces(&it.text)
                    .into_iter()
                    .filter(|p| !generic.contains(p))
                    .collect();
                let (long, short): (Vec<String>, Vec<String>) =
                    pieces.into_iter().partition(|p| p.chars().count() > 2);
                let mut strong: Vec<Vec<String>> = Vec::new();
                for w in it.keywords.iter().cloned().chain(long) {
                    let v = with_variants(&w, synonyms);
                    if !strong.iter().any(|s| s[0] == v[0]) {
                        strong.push(v);
                    }
                }
                let mut related: Vec<Vec<String>> = Vec::new();
                for w in it.related.iter().cloned().chain(short) {
                    let v = with_variants(&w, synonyms);
                    if !strong.iter().chain(&related).any(|s| s[0] == v[0]) {
                        related.push(v);
                    }
                }
                let when = it
                    .when
                    .iter()
                    .map(|combo| {
                        combo
                            .iter()
                            .map(|part| {
                                let words = match cat.concepts.get(part) {
                                    Some(words) => {
                                        let mut v: Vec<String> = Vec::new();
                                        for w in words {
                                            for x in with_variants(w, synonyms) {
                                                if !v.contains(&x) {
                                                    v.push(x);
                                                }
                                            }
                                        }
                                        v
                                    }
                                    None => with_variants(part, synonyms),
                                };
                                match concepts.iter().position(|c| *c == words) {
                                    Some(i) => i,
                                    None => {
                                        concepts.push(words);
                                        concepts.len() - 1
                                    }
                                }
                            })
                            .collect()
                    })
                    .collect();
                let mut pairs: Vec<String> = Vec::new();
                for w in std::iter::once(&it.text)
                    .chain(&it.keywords)
                    .chain(&it.related)
                {
                    let chars: Vec<char> = fold_cn(w).chars().collect();
                    pairs.extend(pairs_of(&chars));
                }
                pairs.sort();
                pairs.dedup();
                MatchItem {
                    id: it.id.clone(),
                    category: it.category.clone(),
                    text: it.text.clone(),
                    basis: article(&it.basis),
                    strong,
                    related,
                    when,
                    scale: it.scale.clone(),
                    pairs,
                }
            })
            .collect();
        let cues = cat
            .out_of_scope
            .iter()
            .map(|o| o.cues.iter().map(|c| with_variants(c, synonyms)).collect())
            .collect();
        let outs = cat
            .out_of_scope
            .iter()
            .map(|o| OutRule {
                text: o.text.clone(),
                basis: article(&o.basis),
            })
            .collect();
        let mut units: Vec<UnitRule> = cat
            .units
            .iter()
            .map(|u| UnitRule {
                unit: u.unit.clone(),
                large: Some(u.min),
                limit: None,
            })
            .collect();
        for l in cat.simple.iter().flat_map(|s| &s.limits) {
            match units.iter_mut().find(|u| u.unit == l.unit) {
                Some(u) => u.limit = Some(l.min),
                None => units.push(UnitRule {
                    unit: l.unit.clone(),
                    large: None,
                    limit: Some(l.min),
                }),
            }
        }
        for u in cat.items.iter().flat_map(|i| &i.scale) {
            if !units.iter().any(|x| x.unit == u.unit) {
                units.push(UnitRule {
                    unit: u.unit.clone(),
                    large: None,
                    limit: None,
                });
            }
        }
        units.sort_by(|a, b| super::unit_order(&a.unit, &b.unit));
        let mut fillers: Vec<String> = FILLERS.iter().map(|f| f.to_string()).collect();
        fillers.extend(generic.iter().cloned());
        Matcher {
            items,
            concepts,
            cues,
            outs,
            scale_words: cat.scale_words.iter().map(|w| fold_cn(w)).collect(),
            small_words: cat.small_words.iter().map(|w| fold_cn(w)).collect(),
            units,
            simple: cat.simple.as_ref().map(|s| SimpleRule {
                basis: article(&s.basis),
                not_for: s.not_for.clone(),
                against: s.against.iter().map(|w| fold_cn(w)).collect(),
            }),
            fillers,
            limit: LIMIT,
            check: cat.check.as_ref().map(|c| CheckRule {
                basis: article(&c.basis),
                questions: c.questions.clone(),
            }),
            t2s: t2s_table().iter().flat_map(|&(t, s)| [t, s]).collect(),
        }
    }

    /// The guided check's answer from yes/no answers by question id (`interests`, `land`, `wide`,
    /// `conflict`); `None` until every question is answered. The rule follows the measure: matters
    /// that take land, houses or move people are listed in scope (第七条); a 重大事项 is one that
    /// touches people's own interests, reaches widely and easily leads to disputes (第二条) — all
    /// three in scope, interests with one of the others borderline (第九条第二款: ask the 维稳办),
    /// anything less generally not assessed.
    pub fn decide(&self, answers: &[(String, bool)]) -> Option<(Verdict, Rule)> {
        let check = self.check.as_ref()?;
        let get = |id: &str| answers.iter().find(|(k, _)| k == id).map(|(_, v)| *v);
        if check.questions.iter().any(|(id, _)| get(id).is_none()) {
            return None;
        }
        let (interests, land, wide, conflict) = (
            get("interests")?,
            get("land")?,
            get("wide")?,
            get("conflict")?,
        );
        let basis = check.basis.clone();
        Some(if land {
            (
                Verdict::InScope,
                Rule {
                    id: "check-land",
                    text: "涉及征地、房屋征收或者搬迁安置，属于应当评估的重大决策".into(),
                    basis: Some("第七条".into()),
                },
            )
        } else if interests && wide && conflict {
            (
                Verdict::InScope,
                Rule {
                    id: "check-major",
                    text: "事关群众切身利益、牵涉面广、容易引发不稳定问题，属于重大事项".into(),
                    basis,
                },
            )
        } else if interests && (wide || conflict) {
            (
                Verdict::Borderline,
                Rule {
                    id: "check-unsure",
                    text:
                        "涉及群众切身利益，但不完全符合重大事项的条件，请商县委政法委（维稳办）确定"
                            .into(),
                    basis: Some("第九条".into()),
                },
            )
        } else {
            (
                Verdict::OutOfScope,
                Rule {
                    id: "check-minor",
                    text: "不同时具备重大事项的条件，一般不需要评估".into(),
                    basis,
                },
            )
        })
    }

    /// Answers one description (see the module header for the steps).
    pub fn lookup(&self, query: &str) -> Answer {
        let q: Vec<char> = query.chars().map(fold_one).collect();
        let qpairs = self.query_pairs(&q);
        // Each combination part's word found first (the longer one at the same place), once per
        // query for all items.
        let concept_hits: Vec<Option<(usize, &String)>> = self
            .concepts
            .iter()
            .map(|words| {
                words
                    .iter()
                    .filter_map(|w| find_said(&q, &w.chars().collect::<Vec<_>>()).map(|p| (p, w)))
                    .min_by(|a, b| {
                        a.0.cmp(&b.0)
                            .then(b.1.chars().count().cmp(&a.1.chars().count()))
                    })
            })
            .collect();
        let mut found: Vec<Match> = Vec::new();
        for (index, item) in self.items.iter().enumerate() {
            let mut cover = vec![0u8; q.len()];
            let mut words: Vec<(usize, usize, String)> = Vec::new();
            let mut spans: Vec<(usize, usize)> = Vec::new();
            // Level 2: a keyword or text piece (its span hides out-of-scope cues inside it); 3: a
            // part of a combination (strong too, but a cue overlapping it still counts: 修 of
            // 修建 in 修补); 1: a related word.
            let mut hit = |p: usize, v: &str, level: u8, cover: &mut Vec<u8>| {
                let n = v.chars().count();
                for c in &mut cover[p..p + n] {
                    if *c == 0 {
                        *c = level;
                    }
                }
                words.push((p, n, v.to_string()));
                if level == 2 {
                    spans.push((p, p + n));
                }
            };
            for (terms, level) in [(&item.strong, 2u8), (&item.related, 1u8)] {
                for term in terms {
                    for v in term {
                        if let Some(p) = find_said(&q, &v.chars().collect::<Vec<_>>()) {
                            hit(p, v, level, &mut cover);
                        }
                    }
                }
            }
            // A combination names the item when each of its parts is in the text.
            let mut combo = false;
            for parts in &item.when {
                let each: Vec<Option<(usize, &String)>> =
                    parts.iter().map(|&c| concept_hits[c]).collect();
                if each.iter().all(Option::is_some) {
                    combo = true;
                    for (p, w) in each.into_iter().flatten() {
                        hit(p, w, 3, &mut cover);
                    }
                } else if parts.len() >= 2
                    && each.iter().filter(|e| e.is_some()).count() + 1 == parts.len()
                    && each.iter().flatten().all(|(_, w)| w.chars().count() >= 2)
                {
                    // All but one part: the words point at the item, like a related word.
                    for (p, w) in each.into_iter().flatten() {
                        hit(p, w, 1, &mut cover);
                    }
                }
            }
            let strong = cover.iter().filter(|&&c| c >= 2).count() as u32;
            let related = cover.iter().filter(|&&c| c == 1).count() as u32;
            let mut shared: Vec<(usize, usize, String)> = Vec::new();
            for (p, s) in &qpairs {
                if item.pairs.binary_search(s).is_ok() {
                    shared.push((*p, 2, s.clone()));
                }
            }
            let pairs = shared.len() as u32;
            let score = STRONG_WEIGHT * strong + RELATED_WEIGHT * related + PAIR_WEIGHT * pairs;
            if score == 0 {
                continue;
            }
            // Related words point at an item only together: two different ones name it.
            let related_terms = item
                .related
                .iter()
                .filter(|t| {
                    t.iter()
                        .any(|v| find_said(&q, &v.chars().collect::<Vec<_>>()).is_some())
                })
                .count();
            let tier = if strong > 0 || combo || related_terms >= 2 {
                2
            } else if related > 0 {
                1
            } else {
                0
            };
            if tier == 0 {
                words = shared;
            }
            words.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
            let mut matched: Vec<String> = Vec::new();
            for (_, _, w) in words {
                if !matched.contains(&w) {
                    matched.push(w);
                }
            }
            // A word inside a longer matched one says nothing more (路 beside 道路).
            let all = matched.clone();
            matched.retain(|w| !all.iter().any(|o| o != w && o.contains(w.as_str())));
            found.push(Match {
                id: item.id.clone(),
                category: item.category.clone(),
                title: item.text.clone(),
                score,
                matched,
                tier,
                pairs,
                index,
                spans,
            });
        }
        found.sort_by(|a, b| {
            b.tier
                .cmp(&a.tier)
                .then(b.score.cmp(&a.score))
                .then(a.index.cmp(&b.index))
        });
        found.truncate(self.limit);
        let base = found.first().map_or(0, |m| m.tier);

        // A cue inside a term the best item matched is part of that term (采购 in 药品集中采购), and
        // one inside a larger figure is part of it (一户 in 十一户). A cue that is a whole figure
        // (拆一户) still counts: skipping it when an item matched firmly cost more out-of-scope
        // matters answered 应当评估 on the development sets than it won.
        let figures = self.figures(&q);
        let top_spans: &[(usize, usize)] = found.first().map_or(&[], |m| &m.spans);
        let mut cues = Vec::new();
        for (k, kind) in self.cues.iter().enumerate() {
            for term in kind {
                for v in term {
                    let needle: Vec<char> = v.chars().collect();
                    if let Some(p) = find(&q, &needle) {
                        let end = p + needle.len();
                        let inside = top_spans.iter().any(|&(s, e)| p < e && s < end)
                            || figures.iter().any(|f| f.start < p && end <= f.end);
                        if !inside && !cues.iter().any(|(_, c)| c == v) {
                            cues.push((k, v.clone()));
                        }
                    }
                }
            }
        }
        let present = |list: &[String]| -> Vec<String> {
            list.iter()
                .filter(|w| find(&q, &w.chars().collect::<Vec<_>>()).is_some())
                .cloned()
                .collect()
        };
        let scale_words = present(&self.scale_words);
        let small_words = present(&self.small_words);
        let large = !scale_words.is_empty() || figures.iter().any(|f| f.large);

        let mut reasons: Vec<String> = Vec::new();
        let quote = |ws: &[String]| ws.iter().map(|w| format!("“{w}”")).collect::<String>();
        let mut level = if !cues.is_empty() {
            0
        } else {
            let mut l = base;
            // A small-scale word lowers it unless figures the 简易 rule limits say the size.
            let sized = figures.iter().any(|f| f.limit.is_some());
            if !small_words.is_empty() && !large && !sized && l > 0 {
                l -= 1;
            }
            if large {
                if l == 1 {
                    l = 2;
                } else if l == 0 && found.first().is_some_and(|m| m.pairs >= 2) {
                    l = 1;
                }
            }
            l
        };
        for (k, cue) in &cues {
            if let Some(o) = self.outs.get(*k) {
                reasons.push(format!(
                    "“{cue}”：{}，一般不列入评估范围{}",
                    o.text,
                    o.basis
                        .as_deref()
                        .map_or(String::new(), |b| format!("（{b}）"))
                ));
            }
        }
        if let Some(m) = found.first().filter(|m| m.tier > 0) {
            let item = &self.items[m.index];
            reasons.push(format!(
                "{}：{}{}",
                quote(&m.matched),
                item.text,
                item.basis
                    .as_deref()
                    .map_or(String::new(), |b| format!("（{b}）"))
            ));
        }
        for w in &scale_words {
            reasons.push(format!("“{w}”：涉及面较广"));
        }
        for f in figures.iter().filter(|f| f.large) {
            reasons.push(format!("“{}”：规模较大", f.text));
        }
        for w in &small_words {
            reasons.push(format!("“{w}”：规模较小"));
        }
        // The best item's own scale (大型群众性活动 from 1000 people): every figure of its units
        // below it, and no scale word, makes the matter 可能需要评估.
        let mut below: Option<Rule> = None;
        if let Some(m) = found.first().filter(|m| level == 2 && m.tier == 2) {
            let item = &self.items[m.index];
            let own: Vec<(&Figure, f64)> = figures
                .iter()
                .filter_map(|f| {
                    item.scale
                        .iter()
                        .find(|u| u.unit == f.unit)
                        .map(|u| (f, u.min))
                })
                .collect();
            if scale_words.is_empty()
                && !own.is_empty()
                && own.iter().all(|(f, min)| f.value < *min)
            {
                let (f, min) = own[0];
                level = 1;
                reasons.push(format!(
                    "“{}”：不足{}{}，达不到“{}”的规模",
                    f.text,
                    fmt_figure(min),
                    f.unit,
                    item.text
                ));
                below = Some(Rule {
                    id: "below-scale",
                    text: format!(
                        "规模不足{}{}，是否属于“{}”请对照确定",
                        fmt_figure(min),
                        f.unit,
                        item.text
                    ),
                    basis: item.basis.clone(),
                });
            }
        }
        let (kind, rule) = if let Some(rule) = below {
            (None, rule)
        } else if level == 2 {
            self.kind(&q, &found, &figures, &mut reasons)
        } else if level == 1 {
            let top = found.first();
            let rule = if top.is_some_and(|m| m.tier == 0) {
                Rule {
                    id: "nearest",
                    text: "规模较大，与目录事项相近，请对照确定".into(),
                    basis: top.and_then(|m| self.items[m.index].basis.clone()),
                }
            } else {
                Rule {
                    id: "related",
                    text: "只有相关的词与目录事项相符，请对照确定".into(),
                    basis: top.and_then(|m| self.items[m.index].basis.clone()),
                }
            };
            (None, rule)
        } else if !cues.is_empty() {
            let o = &self.outs[cues[0].0];
            (
                None,
                Rule {
                    id: "out-of-scope",
                    text: format!("{}，一般不列入评估范围", o.text),
                    basis: o.basis.clone(),
                },
            )
        } else {
            (
                None,
                Rule {
                    id: "none",
                    text: "没有与目录事项相符的词".into(),
                    basis: None,
                },
            )
        };
        Answer {
            query: query.to_string(),
            verdict: Verdict::from_level(level),
            kind,
            rule,
            reasons,
            matches: found,
            cues,
            scale_words,
            figures,
            small_words,
        }
    }

    /// 普通 or 简易 for a matter in scope (实施办法第三十条): 简易 when the text gives a figure the
    /// rule limits and every such figure is within its limit, no item it names is excluded
    /// (邻避设施, 民族宗教, 敏感节点) and no word rules it out (报告书, 集体信访).
    fn kind(
        &self,
        q: &[char],
        found: &[Match],
        figures: &[Figure],
        reasons: &mut Vec<String>,
    ) -> (Option<Kind>, Rule) {
        let top = found.first();
        let catalogue = Rule {
            id: if top.is_some_and(|m| m.tier == 2) {
                "catalogue"
            } else {
                "scale"
            },
            text: top.map_or(String::new(), |m| format!("属于目录事项“{}”", m.title)),
            basis: top.and_then(|m| self.items[m.index].basis.clone()),
        };
        let Some(simple) = &self.simple else {
            return (None, catalogue);
        };
        let limited: Vec<&Figure> = figures.iter().filter(|f| f.limit.is_some()).collect();
        if let Some(f) = limited.iter().find(|f| f.over) {
            let max = f.limit.unwrap_or(0.0);
            reasons.push(format!(
                "“{}”：超过{}{}，应当普通评估",
                f.text,
                fmt_figure(max),
                f.unit
            ));
            return (
                Some(Kind::Ordinary),
                Rule {
                    id: "over-limit",
                    text: format!("“{}”超过简易评估的{}{}", f.text, fmt_figure(max), f.unit),
                    basis: simple.basis.clone(),
                },
            );
        }
        if let Some(m) = found
            .iter()
            .find(|m| m.tier == 2 && simple.not_for.contains(&m.id))
        {
            if !limited.is_empty() {
                reasons.push(format!("“{}”不适用简易评估", m.title));
                return (
                    Some(Kind::Ordinary),
                    Rule {
                        id: "not-simple",
                        text: format!("“{}”不适用简易评估", m.title),
                        basis: simple.basis.clone(),
                    },
                );
            }
            return (Some(Kind::Ordinary), catalogue);
        }
        if let Some(w) = simple
            .against
            .iter()
            .find(|w| find_said(q, &w.chars().collect::<Vec<_>>()).is_some())
        {
            if !limited.is_empty() {
                reasons.push(format!("“{w}”：不符合简易评估的条件"));
                return (
                    Some(Kind::Ordinary),
                    Rule {
                        id: "not-simple",
                        text: format!("“{w}”不符合简易评估的条件"),
                        basis: simple.basis.clone(),
                    },
                );
            }
            return (Some(Kind::Ordinary), catalogue);
        }
        if limited.is_empty() {
            return (Some(Kind::Ordinary), catalogue);
        }
        for f in &limited {
            reasons.push(format!(
                "“{}”：不超过{}{}",
                f.text,
                fmt_figure(f.limit.unwrap_or(0.0)),
                f.unit
            ));
        }
        (
            Some(Kind::Simple),
            Rule {
                id: "simple",
                text: format!("{}，规模在简易评估的限度内", catalogue.text),
                basis: simple.basis.clone(),
            },
        )
    }

    /// Query pairs for step 3: `(position, pair)`, fillers blanked, without repeats.
    fn query_pairs(&self, q: &[char]) -> Vec<(usize, String)> {
        let mut blank = vec![false; q.len()];
        for f in &self.fillers {
            let needle: Vec<char> = f.chars().collect();
            let mut from = 0;
            while from < q.len() {
                match find(&q[from..], &needle) {
                    Some(p) => {
                        for b in &mut blank[from + p..from + p + needle.len()] {
                            *b = true;
                        }
                        from += p + needle.len();
                    }
                    None => break,
                }
            }
        }
        let mut out: Vec<(usize, String)> = Vec::new();
        for i in 0..q.len().saturating_sub(1) {
            if !blank[i] && !blank[i + 1] && is_cjk(q[i]) && is_cjk(q[i + 1]) {
                let p: String = q[i..i + 2].iter().collect();
                if !out.iter().any(|(_, x)| *x == p) {
                    out.push((i, p));
                }
            }
        }
        out
    }

    /// Figures with a known unit: Arabic (300户, 1.5万亩, 110 kV) or Chinese (三百户, 一百一十千伏),
    /// optionally with 多/余/来/几 between figure and unit.
    fn figures(&self, q: &[char]) -> Vec<Figure> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < q.len() {
            if q[i].is_ascii_digit() {
                let mut j = i;
                let mut dot = false;
                while j < q.len()
                    && (q[j].is_ascii_digit()
                        || (q[j] == '.' && !dot && j + 1 < q.len() && q[j + 1].is_ascii_digit()))
                {
                    dot |= q[j] == '.';
                    j += 1;
                }
                let text: String = q[i..j].iter().collect();
                let value: f64 = text.parse().unwrap_or(0.0);
                let mut k = j;
                while k < q.len() && q[k] == ' ' {
                    k += 1;
                }
                if let Some(f) = self.unit_at(q, k, value, i).or_else(|| {
                    (k < q.len() && q[k] == '万')
                        .then(|| self.unit_at(q, k + 1, value * 10000.0, i))
                        .flatten()
                }) {
                    out.push(f);
                }
                i = j;
            } else if cn_digit(q[i]).is_some() {
                let mut j = i;
                while j < q.len() && cn_digit(q[j]).is_some() {
                    j += 1;
                }
                // Two neighbouring digits are a range, read as its upper end: 三四亩 → 4,
                // 两三千人 → 3000.
                let from = match (cn_digit(q[i]), q.get(i + 1).and_then(|&c| cn_digit(c))) {
                    (Some(a), Some(b)) if a > 0 && b == a + 1 => i + 1,
                    _ => i,
                };
                let mut e = j;
                while e > from {
                    if let Some(value) = cn_number(&q[from..e]) {
                        if let Some(f) = self.unit_at(q, e, value, i) {
                            out.push(f);
                            break;
                        }
                    }
                    e -= 1;
                }
                i = j;
            } else {
                i += 1;
            }
        }
        out
    }

    fn unit_at(&self, q: &[char], at: usize, value: f64, start: usize) -> Option<Figure> {
        let mut k = at;
        // 多/余/几 after the figure: more than it (十几户 is over 10); 来/把: about it.
        let mut more = k < q.len() && matches!(q[k], '多' | '余' | '几');
        if k < q.len() && matches!(q[k], '多' | '余' | '来' | '几' | '把') {
            k += 1;
        }
        // A rate is no size: 每亩, 一亩一年给八百.
        if start > 0 && q[start - 1] == '每' {
            return None;
        }
        for u in &self.units {
            let uc: Vec<char> = u.unit.chars().collect();
            if q.len() >= k + uc.len() && q[k..k + uc.len()] == *uc {
                let mut end = k + uc.len();
                let after: String = q[end..q.len().min(end + 3)].iter().collect();
                if ["一年", "每年", "每月", "一个月", "一月"]
                    .iter()
                    .any(|r| after.starts_with(r))
                {
                    return None;
                }
                // 一百亩出头, 十亩多: more than it.
                if after.starts_with("出头") {
                    more = true;
                    end += 2;
                } else if after.starts_with('多') {
                    more = true;
                    end += 1;
                }
                return Some(Figure {
                    text: q[start..end].iter().collect(),
                    value,
                    unit: u.unit.clone(),
                    large: u.large.is_some_and(|min| value >= min),
                    limit: u.limit,
                    over: u
                        .limit
                        .is_some_and(|max| value > max || (more && value >= max)),
                    start,
                    end,
                });
            }
        }
        None
    }
}

/// A figure as the answer shows it: 10, 6.67.
fn fmt_figure(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The value of a Chinese digit or multiplier: digits 0–9 as themselves, 十百千万 as 10…10000
/// (negative, to tell them apart).
fn cn_digit(c: char) -> Option<i64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => -10,
        '百' => -100,
        '千' => -1000,
        '万' => -10000,
        _ => return None,
    })
}

/// A Chinese number such as 三百五十, 十五, 两千, 一万二千; `None` when it does not read as one.
pub fn cn_number(s: &[char]) -> Option<f64> {
    let mut total: i64 = 0;
    let mut section: i64 = 0;
    let mut digit: Option<i64> = None;
    for &c in s {
        let d = cn_digit(c)?;
        if d >= 0 {
            if digit.is_some() && d != 0 {
                return None;
            }
            digit = if d == 0 { None } else { Some(d) };
        } else if d == -10000 {
            section += digit.take().unwrap_or(0);
            if section == 0 {
                return None;
            }
            total += section * 10000;
            section = 0;
        } else {
            let m = -d;
            let n = match digit.take() {
                Some(n) => n,
                // 十五, and a number that starts with 百 or 千 (百把亩, 千把人).
                None if m == 10 || (section == 0 && total == 0) => 1,
                None => return None,
            };
            section += n * m;
        }
    }
    section += digit.unwrap_or(0);
    let v = total + section;
    (v > 0).then_some(v as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn chinese_numbers_read_like_people_write_them() {
        assert_eq!(cn_number(&chars("三百五十")), Some(350.0));
        assert_eq!(cn_number(&chars("十五")), Some(15.0));
        assert_eq!(cn_number(&chars("一百一十")), Some(110.0));
        assert_eq!(cn_number(&chars("两千")), Some(2000.0));
        assert_eq!(cn_number(&chars("一万二千")), Some(12000.0));
        assert_eq!(cn_number(&chars("一二")), None);
    }

    fn figures(text: &str) -> Vec<(String, f64, bool)> {
        let rule = |unit: &str, limit: f64| UnitRule {
            unit: unit.into(),
            large: Some(limit),
            limit: Some(limit),
        };
        let m = Matcher {
            items: Vec::new(),
            concepts: Vec::new(),
            cues: Vec::new(),
            outs: Vec::new(),
            scale_words: Vec::new(),
            small_words: Vec::new(),
            units: vec![rule("亩", 100.0), rule("户", 10.0), rule("人", 50.0)],
            simple: None,
            fillers: Vec::new(),
            limit: LIMIT,
            check: None,
            t2s: String::new(),
        };
        let q: Vec<char> = text.chars().map(fold_one).collect();
        m.figures(&q)
            .into_iter()
            .map(|f| (f.text, f.value, f.over))
            .collect()
    }

    #[test]
    fn figures_read_approximations_ranges_and_leave_rates_out() {
        let f = |t: &str, v: f64, over: bool| vec![(t.to_string(), v, over)];
        assert_eq!(figures("占耕地百把亩"), f("百把亩", 100.0, false));
        assert_eq!(figures("征耕地近百亩"), f("百亩", 100.0, false));
        assert_eq!(figures("占耕地一百亩出头"), f("一百亩出头", 100.0, true));
        assert_eq!(figures("拆十几户"), f("十几户", 10.0, true));
        assert_eq!(figures("正好拆10户"), f("10户", 10.0, false));
        assert_eq!(figures("占地三四亩"), f("三四亩", 4.0, false));
        assert_eq!(figures("两三千人来看"), f("两三千人", 3000.0, true));
        assert_eq!(figures("八十来户"), f("八十来户", 80.0, true));
        assert!(figures("每亩给五万").is_empty());
        assert!(figures("一亩一年给八百").is_empty());
    }

    #[test]
    fn traditional_characters_fold_to_simplified() {
        let folded: String = "徵收耕地一百五十畝，房屋拆遷"
            .chars()
            .map(fold_one)
            .collect();
        assert_eq!(folded, "征收耕地一百五十亩,房屋拆迁");
        assert_eq!(fold_one('Ａ'), 'a');
    }

    #[test]
    fn text_pieces_cut_at_joining_words() {
        assert_eq!(
            text_pieces("集体土地征收（征用）及补偿安置"),
            ["集体土地征收", "征用", "补偿安置"]
        );
    }
}
