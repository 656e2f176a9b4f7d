//! Old/new article comparison (新旧条文对照表): which article of a superseded measure became which
//! article of the measure that replaced it, and what changed in its words.
//!
//! Stage: render input (pure). Input: the articles (第X条) of the old and of the new version, as the
//! measure pages parsed them. Output: [`Row`]s in the new version's order, each naming the old and
//! new articles it holds, how they relate ([`Change`]), a similarity score and both sides' text as
//! HTML with removed words in `<del>` and added words in `<ins>`. Every article of both versions is
//! in exactly one row, so the page covers both texts.
//!
//! Alignment is written here by hand: no crate aligns numbered legal articles (renumbering, moves,
//! one article split in two, two merged into one); the `similar` crate does the character diff
//! inside each row.
//!
//! How articles are matched:
//! - The score of two texts looks at their letters and numerals only (punctuation and white space
//!   ignored; full-width and Traditional characters folded by [`fold_char`]): bags of character
//!   bigrams (Chinese has no spaces; single characters are too common), each bigram weighted by its
//!   inverse document frequency over all articles of both versions, ln(1 + N/df), so bigrams that
//!   many articles share (本办, 办法, 应当, 评估, 事项) weigh little. The score is the mean of the
//!   weighted Dice coefficient and the weighted overlap coefficient (the share of the shorter text
//!   found in the longer): an article that gained a paragraph still scores well against its old
//!   text, while two articles sharing boilerplate score low on both.
//! - First, one-to-one pairs anywhere, best first: score ≥ 0.30, or ≥ 0.25 for two articles with
//!   the same number (which also win ties).
//! - Then splits and merges, conservatively: one article whose text is at least 60% covered by two
//!   to four consecutive articles of the other version, each of them a partial match on its own
//!   (score ≥ 0.22) that adds at least 10% to what the others cover, the run scoring ≥ 0.30 and
//!   better than any of its parts alone.
//! - Last, between the matches so far and in their order, pairs scoring ≥ 0.22: a rewritten
//!   article that stayed in its place between matched neighbours is the same article, while the
//!   same score elsewhere is too weak to call.
//!
//! The diff is the `similar` crate's character diff (Myers), then cleaned up for a reader: a shared
//! run of one character between two edits (or of up to three between longer edits) joins them, so
//! marks cover phrases rather than confetti; what both sides of an edit end with goes back to the
//! shared text; an insertion or deletion slides to paragraph and sentence boundaries where the text
//! allows; an edit inside a number or Latin word takes the whole of it (2016 → 2024).

use crate::html::escape;
use crate::text::fold_char;
use similar::{Algorithm, ChangeTag, TextDiff};
use std::collections::{BTreeMap, HashMap};

/// One article of a version, as the measure page parsed it.
pub struct ArticleText<'a> {
    /// As written: "第十二条", "第二条之一".
    pub label: &'a str,
    /// 12 for 第十二条.
    pub number: u32,
    /// 0, or 1 for 第二条之一.
    pub sub: u32,
    /// The article's text after its label; paragraphs separated by '\n'.
    pub text: &'a str,
}

/// How a row's old articles became its new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Change {
    /// Same number, same text.
    Same,
    /// Same number, different text.
    Changed,
    /// A different number (the text may differ too).
    Moved,
    /// One old article became two or more consecutive new ones.
    Split,
    /// Two or more consecutive old articles became one new one.
    Merged,
    /// A new article with no old counterpart.
    Added,
    /// An old article with no new counterpart.
    Deleted,
}

impl Change {
    /// The label the comparison table shows.
    pub fn label(self) -> &'static str {
        match self {
            Change::Same => "未修改",
            Change::Changed => "修改",
            Change::Moved => "条序调整",
            Change::Split => "拆分",
            Change::Merged => "合并",
            Change::Added => "新增",
            Change::Deleted => "删除",
        }
    }
}

/// One row of the comparison table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub change: Change,
    /// Indices into the old articles (empty for [`Change::Added`]).
    pub old: Vec<usize>,
    /// Indices into the new articles (empty for [`Change::Deleted`]).
    pub new: Vec<usize>,
    /// The old side's text, HTML-escaped, removed words in `<del>…</del>`, paragraphs split by `<br>`.
    pub old_html: String,
    /// The new side's text, HTML-escaped, added words in `<ins>…</ins>`, paragraphs split by `<br>`.
    pub new_html: String,
    /// 0..=1 between the two sides (1 for Same, 0 for Added/Deleted).
    pub similarity: f32,
}

/// The lowest score for a one-to-one match anywhere (the thresholds are described in the module
/// header; the sample measures' rewritten articles score 0.25–0.57 against their successors,
/// unrelated pairs sharing boilerplate up to about 0.2).
const MATCH: f32 = 0.30;
/// The lowest score for a one-to-one match of two articles with the same number.
const MATCH_SAME_NUMBER: f32 = 0.25;
/// The lowest score for a match in order between two matches already made.
const MATCH_IN_ORDER: f32 = 0.22;
/// Added to a same-number pair's score when choosing among candidates (not reported).
const NUMBER_BONUS: f32 = 0.1;
/// The most articles one article may be split into or merged from.
const MAX_PARTS: usize = 4;
/// The lowest score of each part of a split or merge against the whole.
const PART_MATCH: f32 = 0.22;
/// The least share of the whole's text each part must add to what the other parts cover.
const PART_GAIN: f32 = 0.1;
/// The least share of the whole's text the parts together must cover.
const GROUP_COVER: f32 = 0.6;
/// Equal runs of at most this many characters between two edits are folded into the edits ...
const TINY_EQUAL: usize = 1;
/// ... and so are runs of at most this many when both edits around them are at least twice as long.
const SHORT_EQUAL: usize = 3;

/// Compares the articles of an old version with those of the new version that supersedes it.
pub fn compare(old: &[ArticleText], new: &[ArticleText]) -> Vec<Row> {
    let mut old_p: Vec<Prepared> = old.iter().map(Prepared::new).collect();
    let mut new_p: Vec<Prepared> = new.iter().map(Prepared::new).collect();
    let scorer = Scorer::new(old_p.iter().chain(&new_p));
    for p in old_p.iter_mut().chain(&mut new_p) {
        p.total = scorer.total(&p.bag);
    }
    let sim: Vec<Vec<f32>> = old_p
        .iter()
        .map(|o| new_p.iter().map(|n| scorer.pair(o, n)).collect())
        .collect();
    let same_no = |i: usize, j: usize| (old[i].number, old[i].sub) == (new[j].number, new[j].sub);

    let mut m = Matching::new(old.len(), new.len());

    // 1. One-to-one pairs, best first.
    let mut cands: Vec<(f32, usize, usize)> = Vec::new();
    for (i, row) in sim.iter().enumerate() {
        for (j, &s) in row.iter().enumerate() {
            let same = same_no(i, j);
            if s >= MATCH || (same && s >= MATCH_SAME_NUMBER) {
                cands.push((s + if same { NUMBER_BONUS } else { 0.0 }, i, j));
            }
        }
    }
    cands.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.abs_diff(a.2).cmp(&b.1.abs_diff(b.2)))
            .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
    });
    for (_, i, j) in cands {
        if m.old_group[i].is_none() && m.new_group[j].is_none() {
            m.add(vec![i], vec![j], sim[i][j]);
        }
    }

    // 2. Splits (one old, several new) and merges (several old, one new).
    let old_partner = m.partners(true);
    let new_partner = m.partners(false);
    let mut groups: Vec<(f32, Vec<usize>, Vec<usize>)> = Vec::new();
    for (s, parts) in group_candidates(
        &old_p,
        &new_p,
        &scorer,
        &old_partner,
        &new_partner,
        |s, p| sim[s][p],
    ) {
        groups.push((s, vec![parts.0], parts.1));
    }
    for (s, parts) in group_candidates(
        &new_p,
        &old_p,
        &scorer,
        &new_partner,
        &old_partner,
        |s, p| sim[p][s],
    ) {
        groups.push((s, parts.1, vec![parts.0]));
    }
    groups.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| (&a.1, &a.2).cmp(&(&b.1, &b.2)))
    });
    for (score, olds, news) in groups {
        m.try_group(olds, news, score);
    }

    // 3. Pairs in order between the matches made so far.
    fill_gaps(&mut m, &sim, &same_no);

    build_rows(&m, &old_p, &new_p, old, new)
}

/// An article's text made ready for scoring and diffing.
struct Prepared {
    /// Paragraphs with their white space trimmed, empty ones dropped, joined with '\n'.
    text: String,
    /// The folded letters and numerals the score looks at.
    key: String,
    /// Its character bigrams.
    bag: Bag,
    /// Their total weight (set once the weights are known).
    total: f32,
}

type Bigram = (char, char);
/// Bigram counts; ordered, so sums of weights are the same on every run (a score near a threshold
/// must not depend on a hash seed).
type Bag = BTreeMap<Bigram, u32>;

impl Prepared {
    fn new(article: &ArticleText) -> Prepared {
        let text = article
            .text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let key: String = text
            .chars()
            .map(fold_char)
            .filter(|c| c.is_alphanumeric())
            .collect();
        let chars: Vec<char> = key.chars().collect();
        let mut bag = Bag::new();
        if let [c] = chars[..] {
            bag.insert((c, '\0'), 1);
        }
        for w in chars.windows(2) {
            *bag.entry((w[0], w[1])).or_insert(0) += 1;
        }
        Prepared {
            text,
            key,
            bag,
            total: 0.0,
        }
    }
}

/// Bigram weights (inverse document frequency over all articles of both versions) and the score.
struct Scorer {
    weight: HashMap<Bigram, f32>,
}

impl Scorer {
    fn new<'p>(articles: impl Iterator<Item = &'p Prepared>) -> Scorer {
        let mut df: HashMap<Bigram, u32> = HashMap::new();
        let mut n = 0u32;
        for a in articles {
            n += 1;
            for &g in a.bag.keys() {
                *df.entry(g).or_insert(0) += 1;
            }
        }
        let weight = df
            .into_iter()
            .map(|(g, d)| (g, (1.0 + n as f32 / d as f32).ln()))
            .collect();
        Scorer { weight }
    }

    fn w(&self, g: &Bigram) -> f32 {
        self.weight.get(g).copied().unwrap_or(1.0)
    }

    fn total(&self, bag: &Bag) -> f32 {
        bag.iter().map(|(g, &n)| n as f32 * self.w(g)).sum()
    }

    fn shared(&self, a: &Bag, b: &Bag) -> f32 {
        let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        small
            .iter()
            .filter_map(|(g, &n)| large.get(g).map(|&m| n.min(m) as f32 * self.w(g)))
            .sum()
    }

    /// The mean of the weighted Dice and overlap coefficients of two bags of total weights `wa`
    /// and `wb`.
    fn score(&self, a: &Bag, wa: f32, b: &Bag, wb: f32) -> f32 {
        if wa <= 0.0 || wb <= 0.0 {
            return 0.0;
        }
        let shared = self.shared(a, b);
        let dice = 2.0 * shared / (wa + wb);
        let overlap = shared / wa.min(wb);
        ((dice + overlap) / 2.0).clamp(0.0, 1.0)
    }

    fn pair(&self, a: &Prepared, b: &Prepared) -> f32 {
        if a.key == b.key {
            return if a.key.is_empty() && a.text != b.text {
                0.0
            } else {
                1.0
            };
        }
        self.score(&a.bag, a.total, &b.bag, b.total)
    }

    /// The share of `whole`'s weight that `parts` hold.
    fn cover(&self, whole: &Prepared, parts: &Bag) -> f32 {
        if whole.total <= 0.0 {
            0.0
        } else {
            self.shared(&whole.bag, parts) / whole.total
        }
    }
}

fn sum_bags<'b>(bags: impl Iterator<Item = &'b Bag>) -> Bag {
    let mut sum = Bag::new();
    for bag in bags {
        for (&g, &n) in bag {
            *sum.entry(g).or_insert(0) += n;
        }
    }
    sum
}

/// For each article on one side (`singles`), the best run of consecutive articles on the other
/// side (`parts`) it was split into (or merged from): `(score, (single, run))`. `sim(s, p)` is the
/// pair score; the partners are the one-to-one matches made so far.
fn group_candidates(
    singles: &[Prepared],
    parts: &[Prepared],
    scorer: &Scorer,
    single_partner: &[Option<usize>],
    part_partner: &[Option<usize>],
    sim: impl Fn(usize, usize) -> f32,
) -> Vec<(f32, (usize, Vec<usize>))> {
    let mut out = Vec::new();
    for (s, single) in singles.iter().enumerate() {
        let mut best: Option<(f32, Vec<usize>)> = None;
        // A part must be free (or this article's own partner) and a partial match on its own.
        let fits = |p: usize| part_partner[p].is_none_or(|q| q == s) && sim(s, p) >= PART_MATCH;
        for start in (0..parts.len()).filter(|&p| fits(p)) {
            for end in start + 1..parts.len().min(start + MAX_PARTS) {
                if !fits(end) {
                    break;
                }
                let run: Vec<usize> = (start..=end).collect();
                if let Some(m) = single_partner[s] {
                    if !run.contains(&m) {
                        continue;
                    }
                }
                let union = sum_bags(run.iter().map(|&p| &parts[p].bag));
                let score = scorer.score(&single.bag, single.total, &union, scorer.total(&union));
                let cover = scorer.cover(single, &union);
                let best_alone = run.iter().map(|&p| sim(s, p)).fold(0.0, f32::max);
                if score < MATCH || cover < GROUP_COVER || score <= best_alone {
                    continue;
                }
                let each_adds = run.iter().all(|&p| {
                    let rest = sum_bags(run.iter().filter(|&&q| q != p).map(|&q| &parts[q].bag));
                    cover - scorer.cover(single, &rest) >= PART_GAIN
                });
                if each_adds && best.as_ref().is_none_or(|b| score > b.0) {
                    best = Some((score, run));
                }
            }
        }
        if let Some((score, run)) = best {
            out.push((score, (s, run)));
        }
    }
    out
}

/// The groups made so far and which group each article is in.
struct Matching {
    /// (old indices, new indices, score); emptied when dissolved into a larger group.
    groups: Vec<(Vec<usize>, Vec<usize>, f32)>,
    old_group: Vec<Option<usize>>,
    new_group: Vec<Option<usize>>,
}

impl Matching {
    fn new(old: usize, new: usize) -> Matching {
        Matching {
            groups: Vec::new(),
            old_group: vec![None; old],
            new_group: vec![None; new],
        }
    }

    fn add(&mut self, old: Vec<usize>, new: Vec<usize>, score: f32) {
        let id = self.groups.len();
        for &i in &old {
            self.old_group[i] = Some(id);
        }
        for &j in &new {
            self.new_group[j] = Some(id);
        }
        self.groups.push((old, new, score));
    }

    /// For each old (`old == true`) or new article, its one-to-one partner on the other side.
    fn partners(&self, old: bool) -> Vec<Option<usize>> {
        let of = if old {
            &self.old_group
        } else {
            &self.new_group
        };
        of.iter()
            .map(|g| {
                let (o, n, _) = &self.groups[(*g)?];
                match (&o[..], &n[..]) {
                    ([i], [j]) => Some(if old { *j } else { *i }),
                    _ => None,
                }
            })
            .collect()
    }

    /// Makes a split or merge group if each of its articles is free or in a one-to-one pair
    /// wholly inside it (dissolving those pairs).
    fn try_group(&mut self, old: Vec<usize>, new: Vec<usize>, score: f32) {
        let mut dissolve = Vec::new();
        for g in old
            .iter()
            .map(|&i| self.old_group[i])
            .chain(new.iter().map(|&j| self.new_group[j]))
            .flatten()
        {
            let (o, n, _) = &self.groups[g];
            let inside = o.len() == 1 && n.len() == 1 && old.contains(&o[0]) && new.contains(&n[0]);
            if !inside {
                return;
            }
            dissolve.push(g);
        }
        for g in dissolve {
            let (o, n, _) = std::mem::take(&mut self.groups[g]);
            for i in o {
                self.old_group[i] = None;
            }
            for j in n {
                self.new_group[j] = None;
            }
        }
        self.add(old, new, score);
    }
}

/// Matches free articles in order between the matches made so far: the matched (old, new) pairs
/// that keep the longest common order are the fixed points; between two of them (or before the
/// first, or after the last), the best pair scoring at least [`MATCH_IN_ORDER`] is matched and the
/// ranges on either side of it are searched the same way. Nothing is matched here when nothing was
/// matched before: order alone is no evidence.
fn fill_gaps(m: &mut Matching, sim: &[Vec<f32>], same_no: &dyn Fn(usize, usize) -> bool) {
    let (n_old, n_new) = (m.old_group.len(), m.new_group.len());
    let mut points: Vec<(usize, usize)> = m
        .groups
        .iter()
        .flat_map(|(o, n, _)| o.iter().flat_map(move |&i| n.iter().map(move |&j| (i, j))))
        .collect();
    if points.is_empty() {
        return;
    }
    points.sort_unstable();
    let spine = longest_ordered(&points);
    // Ranges [old_lo, old_hi) × [new_lo, new_hi) to search.
    let mut stack = Vec::new();
    let mut prev: (usize, usize) = (0, 0);
    for &(i, j) in &spine {
        stack.push((prev.0, i, prev.1, j));
        prev = (i + 1, j + 1);
    }
    stack.push((prev.0, n_old, prev.1, n_new));
    while let Some((o_lo, o_hi, n_lo, n_hi)) = stack.pop() {
        let mut best: Option<(f32, usize, usize)> = None;
        for i in (o_lo..o_hi).filter(|&i| m.old_group[i].is_none()) {
            for j in (n_lo..n_hi).filter(|&j| m.new_group[j].is_none()) {
                if sim[i][j] < MATCH_IN_ORDER {
                    continue;
                }
                let key = sim[i][j] + if same_no(i, j) { NUMBER_BONUS } else { 0.0 };
                if best.is_none_or(|b| key > b.0) {
                    best = Some((key, i, j));
                }
            }
        }
        if let Some((_, i, j)) = best {
            m.add(vec![i], vec![j], sim[i][j]);
            stack.push((o_lo, i, n_lo, j));
            stack.push((i + 1, o_hi, j + 1, n_hi));
        }
    }
}

/// The longest subsequence of `points` (sorted by old index) whose new indices never decrease.
fn longest_ordered(points: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // Patience sorting: tails[k] is the index of the smallest last point of a run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut back: Vec<Option<usize>> = vec![None; points.len()];
    for (k, &(_, j)) in points.iter().enumerate() {
        let pos = tails.partition_point(|&t| points[t].1 <= j);
        back[k] = pos.checked_sub(1).map(|p| tails[p]);
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut out = Vec::new();
    let mut at = tails.last().copied();
    while let Some(k) = at {
        out.push(points[k]);
        at = back[k];
    }
    out.reverse();
    out
}

/// The rows in the new version's order, each deleted old article right after the row holding the
/// old article before it.
fn build_rows(
    m: &Matching,
    old_p: &[Prepared],
    new_p: &[Prepared],
    old: &[ArticleText],
    new: &[ArticleText],
) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut emitted = vec![false; m.groups.len()];
    for (j, group) in m.new_group.iter().enumerate() {
        let Some(g) = *group else {
            rows.push(Row {
                change: Change::Added,
                old: Vec::new(),
                new: vec![j],
                old_html: String::new(),
                new_html: plain_html(&new_p[j].text),
                similarity: 0.0,
            });
            continue;
        };
        if std::mem::replace(&mut emitted[g], true) {
            continue;
        }
        let (o, n, score) = &m.groups[g];
        let old_text = join(o.iter().map(|&i| old_p[i].text.as_str()));
        let new_text = join(n.iter().map(|&j| new_p[j].text.as_str()));
        let change = match (&o[..], &n[..]) {
            ([i], [j]) if (old[*i].number, old[*i].sub) == (new[*j].number, new[*j].sub) => {
                if old_text == new_text {
                    Change::Same
                } else {
                    Change::Changed
                }
            }
            ([_], [_]) => Change::Moved,
            ([_], _) => Change::Split,
            _ => Change::Merged,
        };
        let (old_html, new_html, similarity) = if change == Change::Same {
            (plain_html(&old_text), plain_html(&new_text), 1.0)
        } else {
            let (a, b) = diff_html(&old_text, &new_text);
            (a, b, *score)
        };
        rows.push(Row {
            change,
            old: o.clone(),
            new: n.clone(),
            old_html,
            new_html,
            similarity,
        });
    }
    for (i, group) in m.old_group.iter().enumerate() {
        if group.is_some() {
            continue;
        }
        let at = match i.checked_sub(1) {
            None => 0,
            Some(prev) => rows
                .iter()
                .position(|r| r.old.contains(&prev))
                .map_or(0, |k| k + 1),
        };
        rows.insert(
            at,
            Row {
                change: Change::Deleted,
                old: vec![i],
                new: Vec::new(),
                old_html: plain_html(&old_p[i].text),
                new_html: String::new(),
                similarity: 0.0,
            },
        );
    }
    rows
}

/// The texts of a row's articles on one side, one paragraph break between articles.
fn join<'t>(texts: impl Iterator<Item = &'t str>) -> String {
    texts.collect::<Vec<_>>().join("\n")
}

/// A stretch of the character diff: text both sides share, or an edit (removed and added text).
enum Piece {
    Equal(String),
    Edit { del: String, ins: String },
}

impl Piece {
    /// An edit's length in characters (its longer side); 0 for shared text.
    fn edit_len(&self) -> usize {
        match self {
            Piece::Equal(_) => 0,
            Piece::Edit { del, ins } => del.chars().count().max(ins.chars().count()),
        }
    }
}

/// The character diff of two texts as alternating shared text and edits, cleaned up so the marks
/// cover whole phrases: short shared runs between two edits are folded into them, text both sides
/// of an edit end (or begin) with goes back to the shared text, edits slide to paragraph and
/// sentence boundaries, and an edit that cuts a number or a Latin word takes all of it.
fn pieces(old: &str, new: &str) -> Vec<Piece> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_chars(old, new);
    let mut out: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let value = change.value();
        match change.tag() {
            ChangeTag::Equal => out.push(Piece::Equal(value.to_string())),
            ChangeTag::Delete => out.push(Piece::Edit {
                del: value.to_string(),
                ins: String::new(),
            }),
            ChangeTag::Insert => out.push(Piece::Edit {
                del: String::new(),
                ins: value.to_string(),
            }),
        }
    }
    let mut out = tidy(out);
    fold_short_equals(&mut out);
    factor_common_ends(&mut out);
    let mut out = tidy(out);
    slide_to_boundaries(&mut out);
    tidy(snap_to_words(out))
}

/// Drops empty pieces and joins neighbours of one kind, so shared text and edits alternate.
fn tidy(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (piece, out.last_mut()) {
            (Piece::Equal(s), _) if s.is_empty() => {}
            (Piece::Edit { del, ins }, _) if del.is_empty() && ins.is_empty() => {}
            (Piece::Equal(s), Some(Piece::Equal(last))) => last.push_str(&s),
            (Piece::Edit { del, ins }, Some(Piece::Edit { del: d, ins: i })) => {
                d.push_str(&del);
                i.push_str(&ins);
            }
            (piece, _) => out.push(piece),
        }
    }
    out
}

/// Folds each shared run of at most [`TINY_EQUAL`] characters between two edits, or of at most
/// [`SHORT_EQUAL`] between two edits at least twice as long, into one edit (in alternating pieces).
fn fold_short_equals(out: &mut Vec<Piece>) {
    let mut k = 1;
    while k + 1 < out.len() {
        let fold = match &out[k] {
            Piece::Equal(s) => {
                let len = s.chars().count();
                let around = out[k - 1].edit_len().min(out[k + 1].edit_len());
                len <= TINY_EQUAL || (len <= SHORT_EQUAL && around >= 2 * len)
            }
            Piece::Edit { .. } => false,
        };
        if !fold {
            k += 1;
            continue;
        }
        let after = out.remove(k + 1);
        let shared = match out.remove(k) {
            Piece::Equal(s) => s,
            Piece::Edit { .. } => unreachable!("checked above"),
        };
        if let (Piece::Edit { del, ins }, Piece::Edit { del: d2, ins: i2 }) =
            (&mut out[k - 1], after)
        {
            del.push_str(&shared);
            del.push_str(&d2);
            ins.push_str(&shared);
            ins.push_str(&i2);
        }
        // The merged edit is longer: the run before it may fold now too.
        k = k.saturating_sub(2).max(1);
    }
}

/// Gives what both sides of an edit end or begin with back to the shared text beside it (folding
/// can leave 评 at the end of both sides of an edit followed by 估报告).
fn factor_common_ends(out: &mut Vec<Piece>) {
    let mut k = 0;
    while k < out.len() {
        let (prefix, suffix) = match &mut out[k] {
            Piece::Edit { del, ins } if !del.is_empty() && !ins.is_empty() => {
                let n = common_len(del.chars().rev(), ins.chars().rev());
                let suffix = take_tail(del, ins, n);
                let n = common_len(del.chars(), ins.chars());
                let prefix = take_head(del, ins, n);
                (prefix, suffix)
            }
            _ => {
                k += 1;
                continue;
            }
        };
        if !suffix.is_empty() {
            match out.get_mut(k + 1) {
                Some(Piece::Equal(next)) => next.insert_str(0, &suffix),
                _ => out.insert(k + 1, Piece::Equal(suffix)),
            }
        }
        if !prefix.is_empty() {
            match k.checked_sub(1).and_then(|p| out.get_mut(p)) {
                Some(Piece::Equal(prev)) => prev.push_str(&prefix),
                _ => {
                    out.insert(k, Piece::Equal(prefix));
                    k += 1;
                }
            }
        }
        k += 1;
    }
}

/// Slides each side of an edit, where the shared text around it allows, to where its ends best fit
/// that side's text: a paragraph break, then the end of a sentence, then other punctuation. A new
/// first paragraph that begins like the old one (本办法所称A。\n本办法所称B for 本办法所称B) is
/// marked as the whole paragraph, not as 本[办法所称A。\n本]办法所称B.
fn slide_to_boundaries(out: &mut Vec<Piece>) {
    fn fit(s: &[char], q: usize) -> u32 {
        let (before, after) = (q.checked_sub(1).map(|b| s[b]), s.get(q).copied());
        match (before, after) {
            (None, _) | (_, None) | (Some('\n'), _) | (_, Some('\n')) => 3,
            (Some(c), _) if "。；：！？".contains(c) => 2,
            (Some(c), _) if "，、）》”".contains(c) => 1,
            (_, Some(c)) if "（《“".contains(c) => 1,
            _ => 0,
        }
    }
    let mut k = 1;
    while k + 1 < out.len() {
        let (Piece::Equal(a), Piece::Edit { del, ins }, Piece::Equal(b)) =
            (&out[k - 1], &out[k], &out[k + 1])
        else {
            k += 1;
            continue;
        };
        // The inserted side first, then the deleted one.
        let slid = [(ins, del, true), (del, ins, false)]
            .into_iter()
            .filter(|(side, _, _)| !side.is_empty())
            .find_map(|(side, other, is_ins)| {
                let s: Vec<char> = a.chars().chain(side.chars()).chain(b.chars()).collect();
                let (p, len) = (a.chars().count(), side.chars().count());
                let (mut lo, mut hi) = (p, p);
                while lo > 0 && s[lo - 1] == s[lo - 1 + len] {
                    lo -= 1;
                }
                while hi + len < s.len() && s[hi] == s[hi + len] {
                    hi += 1;
                }
                let score = |q: usize| fit(&s, q) + fit(&s, q + len);
                let best =
                    (lo..=hi).fold(p, |best, q| if score(q) > score(best) { q } else { best });
                (best != p).then(|| {
                    let text = |r: std::ops::Range<usize>| s[r].iter().collect::<String>();
                    let edit = |moved: String, other: String| {
                        if is_ins {
                            Piece::Edit {
                                del: other,
                                ins: moved,
                            }
                        } else {
                            Piece::Edit {
                                del: moved,
                                ins: other,
                            }
                        }
                    };
                    let moved = edit(text(best..best + len), String::new());
                    let stays = edit(String::new(), other.clone());
                    if best < p {
                        // The shared text that was before the edit now follows the slid side and
                        // precedes the other side, which stays where it was.
                        vec![
                            Piece::Equal(text(0..best)),
                            moved,
                            Piece::Equal(text(best + len..p + len)),
                            stays,
                            Piece::Equal(b.clone()),
                        ]
                    } else {
                        vec![
                            Piece::Equal(a.clone()),
                            stays,
                            Piece::Equal(text(p + len..best + len)),
                            moved,
                            Piece::Equal(text(best + len..s.len())),
                        ]
                    }
                })
            });
        match slid {
            Some(pieces) => {
                let n = pieces.len();
                out.splice(k - 1..=k + 1, pieces);
                k += n - 1;
            }
            None => k += 1,
        }
    }
    *out = tidy(std::mem::take(out));
}

/// How many leading items two sequences share.
fn common_len(a: impl Iterator<Item = char>, b: impl Iterator<Item = char>) -> usize {
    a.zip(b).take_while(|(x, y)| x == y).count()
}

/// Removes the last `n` characters of both strings (which share them) and returns them.
fn take_tail(a: &mut String, b: &mut String, n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    let cut = |s: &str| s.char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i);
    let (ca, cb) = (cut(a), cut(b));
    b.truncate(cb);
    a.split_off(ca)
}

/// Removes the first `n` characters of both strings (which share them) and returns them.
fn take_head(a: &mut String, b: &mut String, n: usize) -> String {
    let cut = |s: &str| s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    let (ca, cb) = (cut(a), cut(b));
    b.drain(..cb);
    a.drain(..ca).collect()
}

/// Widens each edit that starts or ends inside a number or a Latin word to all of it, so
/// 2016年 → 2024年 shows as 2016 → 2024, not 20 kept and 16 → 24.
fn snap_to_words(pieces: Vec<Piece>) -> Vec<Piece> {
    let word = |c: char| c.is_ascii_alphanumeric();
    let mut out = pieces;
    for k in 0..out.len() {
        let (starts, ends) = match &out[k] {
            Piece::Edit { del, ins } => (
                del.chars().next().is_some_and(word) || ins.chars().next().is_some_and(word),
                del.chars().last().is_some_and(word) || ins.chars().last().is_some_and(word),
            ),
            Piece::Equal(_) => continue,
        };
        let mut head = String::new();
        if starts && k > 0 {
            if let Piece::Equal(prev) = &mut out[k - 1] {
                let keep = prev.trim_end_matches(word).len();
                head = prev.split_off(keep);
            }
        }
        let mut tail = String::new();
        if ends {
            if let Some(Piece::Equal(next)) = out.get_mut(k + 1) {
                let start = next.len() - next.trim_start_matches(word).len();
                let rest = next.split_off(start);
                tail = std::mem::replace(next, rest);
            }
        }
        if let Piece::Edit { del, ins } = &mut out[k] {
            for side in [del, ins] {
                side.insert_str(0, &head);
                side.push_str(&tail);
            }
        }
    }
    out
}

/// Both sides of a diff as HTML: the old with `<del>`, the new with `<ins>`.
fn diff_html(old: &str, new: &str) -> (String, String) {
    let (mut a, mut b) = (String::new(), String::new());
    for piece in pieces(old, new) {
        match piece {
            Piece::Equal(s) => {
                push_html(&mut a, &s, None);
                push_html(&mut b, &s, None);
            }
            Piece::Edit { del, ins } => {
                push_html(&mut a, &del, Some("del"));
                push_html(&mut b, &ins, Some("ins"));
            }
        }
    }
    (a, b)
}

fn plain_html(text: &str) -> String {
    let mut out = String::new();
    push_html(&mut out, text, None);
    out
}

/// Appends `text` escaped, each '\n' as `<br>`, and each paragraph's piece wrapped in
/// `<tag>…</tag>` if a tag is given (so a break is never inside a mark: it closes before the break
/// and opens again after it).
fn push_html(out: &mut String, text: &str, mark: Option<&str>) {
    for (k, line) in text.split('\n').enumerate() {
        if k > 0 {
            out.push_str("<br>");
        }
        if line.is_empty() {
            continue;
        }
        match mark {
            Some(tag) => {
                out.push('<');
                out.push_str(tag);
                out.push('>');
                out.push_str(&escape(line));
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
            }
            None => out.push_str(&escape(line)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{article_number, label_number};

    fn art<'a>(label: &'a str, text: &'a str) -> ArticleText<'a> {
        let no = label_number(label).expect("an article label");
        ArticleText {
            label,
            number: no.number,
            sub: no.sub,
            text,
        }
    }

    /// (change, old indices, new indices) of each row.
    fn shape(rows: &[Row]) -> Vec<(Change, Vec<usize>, Vec<usize>)> {
        rows.iter()
            .map(|r| (r.change, r.old.clone(), r.new.clone()))
            .collect()
    }

    /// Every old and every new index is in exactly one row, and the new ones in order.
    fn assert_covers(rows: &[Row], n_old: usize, n_new: usize) {
        let mut olds: Vec<usize> = rows.iter().flat_map(|r| r.old.clone()).collect();
        olds.sort_unstable();
        assert_eq!(olds, (0..n_old).collect::<Vec<_>>(), "old side");
        let news: Vec<usize> = rows.iter().flat_map(|r| r.new.clone()).collect();
        assert_eq!(news, (0..n_new).collect::<Vec<_>>(), "new side, in order");
        for r in rows {
            assert!((0.0..=1.0).contains(&r.similarity), "{r:?}");
            match r.change {
                Change::Added => assert!(r.old.is_empty() && r.old_html.is_empty()),
                Change::Deleted => assert!(r.new.is_empty() && r.new_html.is_empty()),
                Change::Split => assert!(r.old.len() == 1 && r.new.len() >= 2),
                Change::Merged => assert!(r.old.len() >= 2 && r.new.len() == 1),
                _ => assert!(r.old.len() == 1 && r.new.len() == 1),
            }
        }
    }

    const PURPOSE: &str =
        "为了防范因重大事项决策和实施引发社会矛盾，维护全县社会稳定，结合本县实际，制定本办法。";
    const SCOPE: &str = "本办法所称重大事项，是指涉及群众切身利益、容易引发不稳定问题的重大决策、重大政策、重大改革和重大项目。";
    const PRINCIPLE: &str = "稳评工作坚持属地管理、谁主管谁负责的原则。";
    const FILING: &str =
        "各乡镇、县直各部门应当于每年3月底前将本年度拟评估的重大事项报县维稳办备案。";
    const LEVELS: &str =
        "评估的风险等级分为四级：四级为无风险，三级为风险较小，二级为风险较大，一级为风险大。";
    const STEPS: &str = "评估按照确定事项、制定方案、征求意见、分析论证、形成报告的步骤进行。";
    const REPORT: &str = "评估报告应当在评估结束后3日内报送县社会稳定风险评估工作领导小组。";
    const THIRD_PARTY: &str =
        "评估主体可以委托具备相应能力的第三方机构开展评估，评估责任不因委托而转移。";

    #[test]
    fn identical_articles_are_the_same() {
        let old = [art("第一条", PURPOSE), art("第二条", SCOPE)];
        let padded = format!("  {SCOPE}\n");
        let new = [art("第一条", PURPOSE), art("第二条", &padded)];
        let rows = compare(&old, &new);
        assert_eq!(
            shape(&rows),
            [
                (Change::Same, vec![0], vec![0]),
                (Change::Same, vec![1], vec![1])
            ]
        );
        assert_eq!(rows[0].old_html, PURPOSE);
        assert_eq!(rows[1].new_html, SCOPE);
        assert_eq!(rows[1].similarity, 1.0);
        assert_eq!(Change::Same.label(), "未修改");
    }

    #[test]
    fn changed_words_are_marked_as_phrases() {
        let old = [art(
            "第五条",
            "各乡镇应当于每年3月底前将拟评估的重大事项报县维稳办备案。",
        )];
        let new = [art(
            "第五条",
            "各乡镇应当于每年4月15日前将拟评估的重大事项报县委政法委（维稳办）备案。",
        )];
        let rows = compare(&old, &new);
        assert_eq!(shape(&rows), [(Change::Changed, vec![0], vec![0])]);
        // 3月底 → 4月15日 is one mark, not 3→4, 月, 底→15日.
        assert_eq!(
            rows[0].old_html,
            "各乡镇应当于每年<del>3月底</del>前将拟评估的重大事项报县维稳办备案。"
        );
        assert_eq!(
            rows[0].new_html,
            "各乡镇应当于每年<ins>4月15日</ins>前将拟评估的重大事项报县<ins>委政法委（</ins>维稳办<ins>）</ins>备案。"
        );
        assert!(rows[0].similarity > MATCH && rows[0].similarity < 1.0);
        assert_eq!(Change::Changed.label(), "修改");
    }

    #[test]
    fn paragraph_breaks_become_br_outside_the_marks() {
        let old = [art("第三条", "稳评工作坚持属地管理的原则。")];
        let new = [art(
            "第三条",
            "稳评工作坚持属地管理的原则。\n法律、法规另有规定的，从其规定。",
        )];
        let rows = compare(&old, &new);
        assert_eq!(rows[0].change, Change::Changed);
        assert_eq!(rows[0].old_html, "稳评工作坚持属地管理的原则。");
        assert_eq!(
            rows[0].new_html,
            "稳评工作坚持属地管理的原则。<br><ins>法律、法规另有规定的，从其规定。</ins>"
        );
        // A break inside a mark closes it and opens it again.
        let mut out = String::new();
        push_html(&mut out, "甲\n乙\n", Some("del"));
        assert_eq!(out, "<del>甲</del><br><del>乙</del><br>");
    }

    #[test]
    fn an_inserted_article_renumbers_the_rest() {
        let old = [
            art("第一条", PURPOSE),
            art("第二条", SCOPE),
            art("第三条", PRINCIPLE),
            art("第四条", FILING),
        ];
        let new = [
            art("第一条", PURPOSE),
            art("第二条", SCOPE),
            art("第三条", THIRD_PARTY),
            art("第四条", PRINCIPLE),
            art(
                "第五条",
                "各乡镇、县直各部门应当于每年3月底前将本年度拟评估的重大事项报县委政法委（维稳办）备案。",
            ),
        ];
        let rows = compare(&old, &new);
        assert_eq!(
            shape(&rows),
            [
                (Change::Same, vec![0], vec![0]),
                (Change::Same, vec![1], vec![1]),
                (Change::Added, vec![], vec![2]),
                (Change::Moved, vec![2], vec![3]),
                (Change::Moved, vec![3], vec![4]),
            ]
        );
        assert_eq!(rows[3].similarity, 1.0);
        assert_eq!(rows[3].old_html, PRINCIPLE, "same text: no marks");
        assert!(rows[4].new_html.contains("<ins>委政法委（</ins>"));
        assert_eq!(Change::Moved.label(), "条序调整");
    }

    #[test]
    fn one_article_split_in_two() {
        let whole = format!("{STEPS}{REPORT}");
        let old = [
            art("第五条", FILING),
            art("第六条", &whole),
            art("第七条", LEVELS),
        ];
        let new = [
            art("第五条", FILING),
            art(
                "第六条",
                "评估按照确定评估事项、制定评估方案、征求意见、分析论证、形成评估报告的步骤进行。",
            ),
            art(
                "第七条",
                "评估报告应当在评估工作结束后3日内报送县社会稳定风险评估工作领导小组。",
            ),
            art("第八条", LEVELS),
        ];
        let rows = compare(&old, &new);
        assert_eq!(
            shape(&rows),
            [
                (Change::Same, vec![0], vec![0]),
                (Change::Split, vec![1], vec![1, 2]),
                (Change::Moved, vec![2], vec![3]),
            ]
        );
        let split = &rows[1];
        assert!(split.similarity > 0.8, "{split:?}");
        assert!(
            split.new_html.contains("<br>"),
            "the parts are joined by a break"
        );
        assert!(
            split.new_html.contains("<ins>工作</ins>"),
            "{}",
            split.new_html
        );
        assert_eq!(Change::Split.label(), "拆分");
    }

    #[test]
    fn two_articles_merged_into_one() {
        let old = [
            art("第一条", PURPOSE),
            art("第九条", "本暂行办法由县维稳办负责解释。"),
            art("第十条", "本暂行办法自2016年7月1日起施行。"),
        ];
        let new = [
            art("第一条", PURPOSE),
            art(
                "第九条",
                "本暂行办法由县维稳办负责解释，自2016年7月1日起施行。",
            ),
        ];
        let rows = compare(&old, &new);
        assert_eq!(
            shape(&rows),
            [
                (Change::Same, vec![0], vec![0]),
                (Change::Merged, vec![1, 2], vec![1]),
            ]
        );
        assert_eq!(Change::Merged.label(), "合并");
    }

    #[test]
    fn an_added_article_is_plain_text() {
        let old = [art("第一条", PURPOSE)];
        let new = [art("第一条", PURPOSE), art("第二条", "甲\n乙")];
        let rows = compare(&old, &new);
        assert_eq!(
            shape(&rows),
            [
                (Change::Same, vec![0], vec![0]),
                (Change::Added, vec![], vec![1])
            ]
        );
        assert_eq!(rows[1].new_html, "甲<br>乙");
        assert_eq!(rows[1].old_html, "");
        assert_eq!(rows[1].similarity, 0.0);
        assert_eq!(Change::Added.label(), "新增");
    }

    #[test]
    fn a_deleted_article_follows_the_one_before_it() {
        let old = [
            art("第一条", PURPOSE),
            art("第二条", LEVELS),
            art("第三条", SCOPE),
        ];
        let new = [art("第一条", PURPOSE), art("第二条", SCOPE)];
        let rows = compare(&old, &new);
        assert_eq!(
            shape(&rows),
            [
                (Change::Same, vec![0], vec![0]),
                (Change::Deleted, vec![1], vec![]),
                (Change::Moved, vec![2], vec![1]),
            ]
        );
        assert_eq!(rows[1].old_html, LEVELS);
        assert_eq!(rows[1].new_html, "");
        // With nothing before it, a deleted article comes first.
        let rows = compare(
            &[art("第一条", LEVELS), art("第二条", SCOPE)],
            &[art("第一条", SCOPE)],
        );
        assert_eq!(
            shape(&rows),
            [
                (Change::Deleted, vec![0], vec![]),
                (Change::Moved, vec![1], vec![0])
            ]
        );
        assert_eq!(Change::Deleted.label(), "删除");
    }

    #[test]
    fn articles_sharing_only_boilerplate_are_not_matched() {
        let unrelated_old =
            "本办法所称评估，应当由评估小组组长签字，经责任主体主要负责人审定后加盖单位印章。";
        let unrelated_new = "本办法实施中，各乡镇应当结合评估工作实际制定细则，报县委政法委备案。";
        // Alone, and between two matched articles (where a match in order needs less).
        for (old, new) in [
            (
                vec![art("第七条", unrelated_old)],
                vec![art("第七条", unrelated_new)],
            ),
            (
                vec![
                    art("第一条", PURPOSE),
                    art("第二条", unrelated_old),
                    art("第三条", SCOPE),
                ],
                vec![
                    art("第一条", PURPOSE),
                    art("第二条", unrelated_new),
                    art("第三条", SCOPE),
                ],
            ),
        ] {
            let rows = compare(&old, &new);
            let k = old.len() / 2;
            assert_eq!(rows[k].change, Change::Deleted, "{rows:?}");
            assert_eq!(rows[k + 1].change, Change::Added, "{rows:?}");
            assert_covers(&rows, old.len(), new.len());
        }
    }

    #[test]
    fn text_is_escaped() {
        let text = "A<b>&\"'B";
        let rows = compare(&[art("第一条", text)], &[art("第一条", text)]);
        assert_eq!(rows[0].old_html, "A&lt;b&gt;&amp;&quot;&#39;B");
        let rows = compare(
            &[art("第一条", "报送<县维稳办>备案。")],
            &[art("第一条", "报送<县委政法委>备案。")],
        );
        assert_eq!(rows[0].old_html, "报送&lt;县<del>维稳办</del>&gt;备案。");
        assert_eq!(rows[0].new_html, "报送&lt;县<ins>委政法委</ins>&gt;备案。");
        let rows = compare(&[], &[art("第一条", "<script>")]);
        assert_eq!(rows[0].new_html, "&lt;script&gt;");
    }

    /// The articles of a sample measure: a line 第X条 + U+3000 starts one; the non-empty lines after
    /// it, up to the next article or heading, are its further paragraphs.
    fn sample_articles(text: &str) -> Vec<(String, u32, u32, String)> {
        let body = text.splitn(3, "---\n").nth(2).expect("front matter");
        let mut out: Vec<(String, u32, u32, String)> = Vec::new();
        let mut open = false;
        for line in body.lines() {
            if line.starts_with('#') || line.starts_with('>') {
                open = false;
                continue;
            }
            let article = article_number(line).and_then(|(no, label)| {
                let rest = line
                    .strip_prefix(label.as_str())?
                    .strip_prefix('\u{3000}')?;
                Some((label, no.number, no.sub, rest.to_string()))
            });
            if let Some(a) = article {
                out.push(a);
                open = true;
            } else if open && !line.trim().is_empty() {
                let last = out.last_mut().expect("open article");
                last.3.push('\n');
                last.3.push_str(line.trim());
            }
        }
        out
    }

    fn borrowed(articles: &[(String, u32, u32, String)]) -> Vec<ArticleText<'_>> {
        articles
            .iter()
            .map(|(label, number, sub, text)| ArticleText {
                label,
                number: *number,
                sub: *sub,
                text,
            })
            .collect()
    }

    #[test]
    fn the_sample_measures_align() {
        let root = env!("CARGO_MANIFEST_DIR");
        let read = |name: &str| {
            let path = format!("{root}/content/measures/{name}");
            sample_articles(&std::fs::read_to_string(&path).expect("sample measure"))
        };
        let (old_a, new_a) = (read("interim-2016.md"), read("implementation.md"));
        assert_eq!((old_a.len(), new_a.len()), (10, 38));
        let (old, new) = (borrowed(&old_a), borrowed(&new_a));
        let rows = compare(&old, &new);
        assert_covers(&rows, old.len(), new.len());
        let labels = |ix: &[usize], a: &[ArticleText]| -> String {
            let l: Vec<&str> = ix.iter().map(|&k| a[k].label).collect();
            if l.is_empty() {
                "—".into()
            } else {
                l.join("+")
            }
        };
        for r in &rows {
            println!(
                "{:<6} {:<12} → {:<20} {:.2}",
                r.change.label(),
                labels(&r.old, &old),
                labels(&r.new, &new),
                r.similarity
            );
        }
        // What the deleted articles were closest to, and how close.
        let old_p: Vec<Prepared> = old.iter().map(Prepared::new).collect();
        let new_p: Vec<Prepared> = new.iter().map(Prepared::new).collect();
        let scorer = Scorer::new(old_p.iter().chain(&new_p));
        let total = |p: &Prepared| scorer.total(&p.bag);
        for r in rows.iter().filter(|r| r.change == Change::Deleted) {
            let o = &old_p[r.old[0]];
            let (j, s) = new_p
                .iter()
                .map(|n| scorer.score(&o.bag, total(o), &n.bag, total(n)))
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap();
            println!(
                "  {} is closest to {} ({s:.2})",
                old[r.old[0]].label, new[j].label
            );
        }
        for r in rows
            .iter()
            .filter(|r| r.old.len() + r.new.len() > 1 && r.change != Change::Same)
        {
            println!(
                "{} | {}\n    | {}",
                r.change.label(),
                r.old_html,
                r.new_html
            );
        }
    }

    #[test]
    fn cleaned_diffs_still_spell_both_texts() {
        let root = env!("CARGO_MANIFEST_DIR");
        let read = |name: &str| {
            let path = format!("{root}/content/measures/{name}");
            sample_articles(&std::fs::read_to_string(&path).expect("sample measure"))
        };
        let (old, new) = (read("interim-2016.md"), read("implementation.md"));
        let extra = ["", "2016年7月", "本本本\n本", "A<b>&'\n"].map(String::from);
        let olds: Vec<&String> = old.iter().map(|a| &a.3).chain(&extra).collect();
        let news: Vec<&String> = new.iter().map(|a| &a.3).chain(&extra).collect();
        for &a in &olds {
            for &b in &news {
                let pieces = pieces(a, b);
                let (mut x, mut y) = (String::new(), String::new());
                for (k, piece) in pieces.iter().enumerate() {
                    match piece {
                        Piece::Equal(s) => {
                            assert!(!s.is_empty());
                            x.push_str(s);
                            y.push_str(s);
                        }
                        Piece::Edit { del, ins } => {
                            assert!(!(del.is_empty() && ins.is_empty()));
                            x.push_str(del);
                            y.push_str(ins);
                        }
                    }
                    if k > 0 {
                        let kinds = (
                            matches!(pieces[k - 1], Piece::Equal(_)),
                            matches!(piece, Piece::Equal(_)),
                        );
                        assert!(kinds.0 != kinds.1, "pieces alternate");
                    }
                }
                assert_eq!((&x, &y), (a, b));
            }
        }
    }

    #[test]
    fn a_larger_revision_covers_every_article() {
        let root = env!("CARGO_MANIFEST_DIR");
        let text = std::fs::read_to_string(format!("{root}/content/measures/implementation.md"))
            .expect("sample measure");
        let base = sample_articles(&text);
        // The revision: every 7th article dropped, a new one after every 5th, every 3rd reworded,
        // one moved to the end, one split at its paragraph break.
        let mut revised: Vec<String> = Vec::new();
        for (k, (_, _, _, t)) in base.iter().enumerate() {
            if k % 7 == 6 || k == 9 {
                continue;
            }
            let t = if k % 3 == 0 {
                t.replace("应当", "须").replace("评估", "稳评")
            } else {
                t.clone()
            };
            if k == 20 {
                revised.extend(t.split('\n').map(str::to_string));
            } else {
                revised.push(t);
            }
            if k % 5 == 4 {
                revised.push(format!(
                    "第{k}项新增规定：县委政法委（维稳办）另行制定工作指引。"
                ));
            }
        }
        revised.push(base[9].3.clone());
        let labels: Vec<String> = (1..=revised.len()).map(|n| format!("第{n}条")).collect();
        let old = borrowed(&base);
        let new: Vec<ArticleText> = revised
            .iter()
            .zip(&labels)
            .enumerate()
            .map(|(k, (t, l))| ArticleText {
                label: l,
                number: k as u32 + 1,
                sub: 0,
                text: t,
            })
            .collect();
        let rows = compare(&old, &new);
        assert_covers(&rows, old.len(), new.len());
        // Both ways round, and against nothing.
        assert_covers(&compare(&new, &old), new.len(), old.len());
        assert_covers(&compare(&old, &[]), old.len(), 0);
        assert_covers(&compare(&[], &new), 0, new.len());
        // The moved article is found at the end.
        let last = rows
            .iter()
            .find(|r| r.new.contains(&(new.len() - 1)))
            .unwrap();
        assert_eq!((last.change, last.old.clone()), (Change::Moved, vec![9]));
    }
}
