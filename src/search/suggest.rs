//! Suggestions from the site's own words: pinyin typed with the IME off (`zhengdi`, `zd` → 征地)
//! and "did you mean" for IME slips (听正会 → 听证会).
//!
//! Stage: index (the word list, exported as `search/words.js`) and query (pure). Input: search
//! documents and synonyms. Output: a [`Suggester`]; candidates for a query, best first. Mirrored by
//! `Suggester` in `themes/default/static/js/search-core.js`, which reads the same word list, so the
//! command line and the browser suggest the same words in the same order.
//!
//! Written here because no crate suggests over a site's vocabulary; the readings of characters come
//! from the `pinyin` crate (every reading of a 多音字, the usual one first, tones dropped, ü written
//! v as IMEs take it: 重建 reads chongjian as well as zhongjian).
//!
//! - **Words** are the runs of two or more CJK characters (folded) in titles, headings, article and
//!   scope-item headings, tags, 主题词 and synonym groups, each counted once per page holding it;
//!   most pages first, then shorter, capped at [`MAX_WORDS`] words and [`MAX_CHARS`] characters so
//!   the file stays small on a site of 10,000 pages.
//! - **Pinyin**: a query of Latin letters only (spaces and `'` dropped) is matched against every
//!   run of whole syllables inside a word (`zhengdi` → 征地 inside 征地补偿标准) and against their
//!   first letters (`zd`), any reading of each character counting. Full pinyin ranks above initials, then the pages the words holding the
//!   candidate are on (summed), then shorter, then code-point order.
//! - **Corrections**: a CJK query of 2–16 characters is compared with every same-length, one
//!   shorter and one longer stretch of a word: a reading in common for every character (a
//!   homophone, 听正会 → 听证会) ranks
//!   above one edit of the same length (a character replaced, or two neighbours swapped) or a
//!   character typed twice, which rank above one character dropped or added; then by pages. For two characters only homophones
//!   count (one edit there is mostly another word).
//!   Besides the word list, corrections look in the texts of the first [`TEXT_HITS`] results of
//!   the query as typed (the pages a browser shows first, and has loaded anyway).
//! - [`suggest`] says when to use them: only when no page holds the query as typed.

use super::docs::SearchDoc;
use crate::text::{char_class, fold, CharClass, Synonyms};
use pinyin::ToPinyinMulti;
use std::collections::{BTreeMap, HashMap};

/// At most this many words in the list.
pub const MAX_WORDS: usize = 2000;
/// At most this many characters over all words.
pub const MAX_CHARS: usize = 12_000;
/// Words longer than this (characters) are left out.
pub const MAX_WORD_CHARS: usize = 24;
/// Candidates returned.
pub const MAX_SUGGESTIONS: usize = 5;
/// Results whose texts corrections also look in (the first page of results).
pub const TEXT_HITS: usize = 10;

/// The word list and the readings of its characters.
#[derive(Debug, Clone, Default)]
pub struct Suggester {
    /// Words (folded), most pages first, with the number of pages holding each.
    pub words: Vec<(Vec<char>, u32)>,
    /// The readings of every character of the site that has one, the usual one first.
    pub readings: HashMap<char, Vec<String>>,
}

/// The readings [`Suggester`] uses for a character (none when the `pinyin` crate has none).
pub fn readings(c: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in c.to_pinyin_multi().into_iter().flatten() {
        let r = p.plain().replace('ü', "v");
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// The ends `j` (inclusive) of the runs of whole syllables from `w[at]` on that spell
/// `key[len..]`, any reading of each character counting.
fn syllable_ends(key: &[u8], syl: &[&[String]], at: usize, len: usize, out: &mut Vec<usize>) {
    let Some(options) = syl.get(at) else {
        return;
    };
    for s in options.iter().map(String::as_bytes) {
        let end = len + s.len();
        if key.len() < end || key[len..end] != *s {
            continue;
        }
        if end == key.len() {
            if !out.contains(&at) {
                out.push(at);
            }
        } else {
            syllable_ends(key, syl, at + 1, end, out);
        }
    }
}

/// Whether two characters' readings have one in common.
fn share_reading(a: &[String], b: &[String]) -> bool {
    a.iter().any(|r| b.contains(r))
}

/// The runs of 2..=[`MAX_WORD_CHARS`] CJK characters in folded `text`.
fn runs(text: &str, out: &mut Vec<Vec<char>>) {
    let mut cur: Vec<char> = Vec::new();
    for c in fold(text).chars().chain(std::iter::once(' ')) {
        if char_class(c) == CharClass::Cjk {
            cur.push(c);
            continue;
        }
        if (2..=MAX_WORD_CHARS).contains(&cur.len()) && !out.contains(&cur) {
            out.push(cur.clone());
        }
        cur.clear();
    }
}

impl Suggester {
    /// The word list of these documents and synonyms (see the module header).
    pub fn new(docs: &[SearchDoc], synonyms: &Synonyms) -> Suggester {
        let mut counts: BTreeMap<Vec<char>, u32> = BTreeMap::new();
        for d in docs {
            let mut words = Vec::new();
            runs(&d.title, &mut words);
            runs(&d.heading_field, &mut words);
            for s in &d.sections {
                runs(&s.title, &mut words);
            }
            for w in words {
                *counts.entry(w).or_default() += 1;
            }
        }
        for group in &synonyms.groups {
            for word in group {
                let mut words = Vec::new();
                runs(word, &mut words);
                for w in words {
                    counts.entry(w).or_insert(1);
                }
            }
        }
        let mut all: Vec<(Vec<char>, u32)> = counts.into_iter().collect();
        all.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(a.0.len().cmp(&b.0.len()))
                .then(a.0.cmp(&b.0))
        });
        let mut words = Vec::new();
        let mut chars = 0;
        for (w, n) in all {
            if words.len() >= MAX_WORDS || chars + w.len() > MAX_CHARS {
                break;
            }
            chars += w.len();
            words.push((w, n));
        }
        // Readings of every character the site uses, so a slip's character and the one meant
        // both have theirs (about 3 bytes a character in `words.js`).
        // A character is looked at once (a bit per code point of the basic plane): the site's
        // text is millions of characters, its distinct characters a few thousand.
        let mut readings: HashMap<char, Vec<String>> = HashMap::new();
        let mut seen = vec![false; 0x1_0000];
        let mut add = |text: &str| {
            for c in text.chars().map(crate::text::fold_char) {
                let u = c as usize;
                if u < seen.len() {
                    if seen[u] {
                        continue;
                    }
                    seen[u] = true;
                }
                if char_class(c) == CharClass::Cjk && !readings.contains_key(&c) {
                    let r = self::readings(c);
                    if !r.is_empty() {
                        readings.insert(c, r);
                    }
                }
            }
        };
        for (w, _) in &words {
            add(&w.iter().collect::<String>());
        }
        for d in docs {
            add(&d.title);
            for s in &d.sections {
                add(&s.title);
                add(&s.text);
            }
        }
        Suggester { words, readings }
    }

    /// Words that read as the Latin `query` (see the module header), best first.
    pub fn pinyin(&self, query: &str) -> Vec<String> {
        let Some(key) = latin_key(query) else {
            return Vec::new();
        };
        let key: Vec<u8> = key.into_bytes();
        let mut found = Found::new();
        for (w, n) in &self.words {
            let syl: Vec<&[String]> = w
                .iter()
                .map(|c| self.readings.get(c).map_or(&[][..], Vec::as_slice))
                .collect();
            let mut here = Here::new();
            for i in 0..w.len() {
                // Whole syllables.
                let mut ends = Vec::new();
                syllable_ends(&key, &syl, i, 0, &mut ends);
                for j in ends.into_iter().filter(|&j| j > i) {
                    note(&mut here, &w[i..=j], 2);
                }
                // First letters.
                let k = key.len();
                if i + k <= w.len()
                    && (0..k).all(|j| syl[i + j].iter().any(|s| s.as_bytes()[0] == key[j]))
                {
                    note(&mut here, &w[i..i + k], 1);
                }
            }
            collect(&mut found, here, *n);
        }
        best(found)
    }

    /// Words one slip away from the CJK `query` (see the module header), best first.
    pub fn corrections(&self, query: &str) -> Vec<String> {
        self.corrections_in(query, &[])
    }

    /// [`Self::corrections`] over the word list and the CJK runs of `texts` (each run counted as
    /// a word on one page): the texts of the first results, which hold the words a slip was meant
    /// to type when the word list (titles and headings) does not.
    pub fn corrections_in(&self, query: &str, texts: &[&str]) -> Vec<String> {
        let q: Vec<char> = fold(query.trim()).chars().collect();
        if !(2..=16).contains(&q.len()) || q.iter().any(|&c| char_class(c) != CharClass::Cjk) {
            return Vec::new();
        }
        // Only the word list's readings, as the browser has no others.
        let qr: Vec<&[String]> = q
            .iter()
            .map(|c| self.readings.get(c).map_or(&[][..], Vec::as_slice))
            .collect();
        let mut found = Found::new();
        let mut extra: Vec<(Vec<char>, u32)> = Vec::new();
        for t in texts {
            extra.extend(cjk_runs(t).into_iter().map(|r| (r, 1)));
        }
        for (w, n) in self.words.iter().chain(&extra) {
            let mut here = Here::new();
            for len in [q.len(), q.len() - 1, q.len() + 1] {
                if len < 2 || len > w.len() {
                    continue;
                }
                for i in 0..=w.len() - len {
                    let s = &w[i..i + len];
                    if s == q.as_slice() {
                        continue;
                    }
                    let homophone = len == q.len()
                        && s.iter().zip(&qr).all(|(c, r)| {
                            self.readings.get(c).is_some_and(|cr| share_reading(cr, r))
                        });
                    if homophone {
                        note(&mut here, s, 3);
                    } else if q.len() > 2 && one_edit(s, &q) {
                        note(
                            &mut here,
                            s,
                            if len == q.len() || doubled(&q, s) {
                                2
                            } else {
                                1
                            },
                        );
                    }
                }
            }
            collect(&mut found, here, *n);
        }
        best(found)
    }
}

/// Every run of two or more CJK characters of folded `text`, in order (repeats kept).
fn cjk_runs(text: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut cur: Vec<char> = Vec::new();
    for c in fold(text).chars().chain(std::iter::once(' ')) {
        if char_class(c) == CharClass::Cjk {
            cur.push(c);
        } else {
            if cur.len() >= 2 {
                out.push(std::mem::take(&mut cur));
            }
            cur.clear();
        }
    }
    out
}

/// One word's candidates, each once with the better kind it was found as.
type Here = BTreeMap<Vec<char>, u8>;
/// All candidates: the best kind found, and the pages of the words holding it (summed).
type Found = HashMap<Vec<char>, (u8, u32)>;

/// Notes a candidate of one word (mirrored by `addHere` in the browser).
fn note(here: &mut Here, cand: &[char], kind: u8) {
    let k = here.entry(cand.to_vec()).or_insert(kind);
    *k = (*k).max(kind);
}

/// Adds one word's candidates, on `pages` pages, to the tally (mirrored by `collect`).
fn collect(found: &mut Found, here: Here, pages: u32) {
    for (cand, kind) in here {
        let e = found.entry(cand).or_insert((kind, 0));
        e.0 = e.0.max(kind);
        e.1 += pages;
    }
}

/// Candidates ordered: kind, pages, shorter, code points; at most [`MAX_SUGGESTIONS`].
fn best(found: Found) -> Vec<String> {
    let mut list: Vec<(Vec<char>, (u8, u32))> = found.into_iter().collect();
    list.sort_by(|a, b| {
        (b.1 .0, b.1 .1)
            .cmp(&(a.1 .0, a.1 .1))
            .then(a.0.len().cmp(&b.0.len()))
            .then(a.0.cmp(&b.0))
    });
    list.into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(w, _)| w.into_iter().collect())
        .collect()
}

/// The query as pinyin letters: folded, spaces and apostrophes dropped, `ü` as `v`; `None` unless
/// what is left is two or more ASCII letters.
pub fn latin_key(query: &str) -> Option<String> {
    let key: String = fold(query)
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '’' | '\t'))
        .map(|c| if c == 'ü' { 'v' } else { c })
        .collect();
    (key.len() >= 2 && key.bytes().all(|b| b.is_ascii_lowercase())).then_some(key)
}

/// Whether `q` is `s` with one character typed twice (评估报报告 for 评估报告).
fn doubled(q: &[char], s: &[char]) -> bool {
    q.len() == s.len() + 1
        && (0..s.len()).any(|i| q[i] == q[i + 1] && q[..=i] == s[..=i] && q[i + 2..] == s[i + 1..])
}

/// Whether `a` becomes `b` by one character replaced, dropped or added, or two neighbours swapped.
fn one_edit(a: &[char], b: &[char]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la == lb {
        let diff: Vec<usize> = (0..la).filter(|&i| a[i] != b[i]).collect();
        return diff.len() == 1
            || (diff.len() == 2
                && diff[1] == diff[0] + 1
                && a[diff[0]] == b[diff[1]]
                && a[diff[1]] == b[diff[0]]);
    }
    let (short, long) = if la < lb { (a, b) } else { (b, a) };
    if long.len() != short.len() + 1 {
        return false;
    }
    let i = (0..short.len())
        .find(|&i| short[i] != long[i])
        .unwrap_or(short.len());
    short[i..] == long[i + 1..]
}

/// What to do with a query's results: `exact` is whether the best hit holds every clause as typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Advice {
    /// The query found pages holding it: nothing to suggest.
    None,
    /// A Latin query read as pinyin: search `words[0]` instead (the others offered).
    Pinyin,
    /// Nothing found: search the first correction instead (the others offered).
    Corrected,
    /// Some pages hold parts of the query: keep them, offer the corrections.
    DidYouMean,
}

/// The advice and the candidates for a query whose best hit is `exact` or not and which found
/// `total` pages (see the module header).
/// `texts`: the texts of the first [`TEXT_HITS`] results (see [`Suggester::corrections_in`]).
pub fn suggest(
    s: &Suggester,
    query: &str,
    exact: bool,
    total: usize,
    texts: &[&str],
) -> (Advice, Vec<String>) {
    if exact {
        return (Advice::None, Vec::new());
    }
    let words = s.pinyin(query);
    if !words.is_empty() {
        return (Advice::Pinyin, words);
    }
    let words = s.corrections_in(query, texts);
    if words.is_empty() {
        (Advice::None, words)
    } else if total == 0 {
        (Advice::Corrected, words)
    } else {
        (Advice::DidYouMean, words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: u32, title: &str, headings: &str) -> SearchDoc {
        SearchDoc::for_test(id, title, headings, "")
    }

    fn sample() -> Suggester {
        Suggester::new(
            &[
                doc(0, "听证会记录", "征地补偿标准\n第七条"),
                doc(1, "征地拆迁", "听证程序\n制度建设"),
                doc(2, "重大事项", "征地补偿"),
            ],
            &Synonyms::new(&[vec!["稳评".into(), "社会稳定风险评估".into()]]),
        )
    }

    #[test]
    fn words_are_counted_once_per_page() {
        let s = sample();
        let count = |w: &str| {
            s.words
                .iter()
                .find(|(x, _)| x.iter().collect::<String>() == w)
                .map(|x| x.1)
        };
        assert_eq!(count("征地补偿"), Some(1));
        assert_eq!(count("稳评"), Some(1));
        assert_eq!(count("第七条"), Some(1));
        assert_eq!(s.readings[&'征'][0], "zheng");
        assert_eq!(readings('重')[..2], ["zhong", "chong"]);
    }

    #[test]
    fn pinyin_and_initials_find_words() {
        let s = sample();
        assert_eq!(s.pinyin("zhengdi")[0], "征地");
        assert_eq!(s.pinyin("Zheng Di")[0], "征地");
        assert_eq!(s.pinyin("tingzhenghui")[0], "听证会");
        assert_eq!(s.pinyin("zd")[0], "征地", "{:?}", s.pinyin("zd"));
        assert_eq!(s.pinyin("wenping")[0], "稳评");
        assert!(s.pinyin("征地").is_empty());
        assert!(s.pinyin("x").is_empty());
    }

    #[test]
    fn corrections_prefer_homophones() {
        let s = sample();
        assert_eq!(s.corrections("听正会")[0], "听证会");
        assert_eq!(s.corrections("征地补尝")[0], "征地补偿");
        assert_eq!(s.corrections("征地补补偿")[0], "征地补偿");
        assert_eq!(s.corrections("地征补偿")[0], "征地补偿");
        assert!(doubled(&['a', 'b', 'b', 'c'], &['a', 'b', 'c']));
        assert!(!doubled(&['a', 'b', 'd', 'c'], &['a', 'b', 'c']));
        assert!(
            s.corrections("征地").is_empty(),
            "{:?}",
            s.corrections("征地")
        );
        assert!(one_edit(&['a', 'b'], &['b', 'a']));
        assert!(!one_edit(&['a', 'b', 'c'], &['c', 'b', 'a']));
    }

    #[test]
    fn advice_only_when_nothing_holds_the_query() {
        let s = sample();
        assert_eq!(suggest(&s, "征地", true, 3, &[]).0, Advice::None);
        assert_eq!(suggest(&s, "zhengdi", false, 0, &[]).0, Advice::Pinyin);
        assert_eq!(suggest(&s, "听正会", false, 0, &[]).0, Advice::Corrected);
        assert_eq!(suggest(&s, "听正会", false, 2, &[]).0, Advice::DidYouMean);
        let (a, w) = suggest(&s, "化解错施", false, 2, &["要制定化解措施。"]);
        assert_eq!((a, w[0].as_str()), (Advice::DidYouMean, "化解措施"));
    }
}
