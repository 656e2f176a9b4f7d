//! CJK text rules: folding, character classes, units and tokens, synonyms — the one place where
//! the search index, the search queries, the scope lookup and the config agree on what a
//! "character" and a "word" are.
//!
//! Stage: none of its own; a pure library under every stage that reads text. Mirrored for the
//! browser by ONE script, `themes/default/static/js/text-core.js` (loaded before `search-core.js`
//! and `scope-core.js`), checked against this module by the browser tests.
//!
//! The scheme, like Lucene's CJK analyzer plus a word splitter, needs no dictionary, so the browser
//! and Rust cut text the same way:
//!
//! 1. Fold each character ([`fold_char`]): full-width ASCII `！`–`～` to ASCII, the ideographic space
//!    to a space, circled ①–⑨ to digits, letters to lower case (when that is one character),
//!    Traditional Han characters to Simplified ([`t2s`]: 徵 → 征, 聽證 → 听证). The index and the
//!    query fold alike, so a Traditional query finds Simplified pages and the reverse; offsets stay
//!    those of the page's own characters, so snippets show them as written.
//! 2. Cut the folded text into *units* ([`units`]): every CJK character (Han, kana, hangul) is one
//!    unit, every run of ASCII digits is one unit (`110`, `2023`), every run of other letters and
//!    numerals is one unit (`kv`, `gb`). Everything else (spaces, punctuation such as `〔〕、。`)
//!    separates units and leaves a gap of one position. Units take consecutive positions.
//! 3. Emit a *unigram* token for every unit, and a *bigram* token (the two units' text joined) for
//!    every pair of neighbouring units with no gap between them ([`tokenize`]): `110千伏` → `110`,
//!    `110千`, `千`, `千伏`, `伏`. A bigram sits at its first unit's position.
//!
//! Queries use the bigrams of every run of two or more units and the unigram of a lone unit
//! ([`query_tokens`]), so `征地补偿` looks up `征地 地补 补偿` and checks they are adjacent (a phrase).
//! [`Synonyms`] are folded groups of words (`portal.yaml` `search.synonyms`) that find each other.

/// Units longer than this (in characters) are cut, so a pasted blob cannot make a huge term.
pub const MAX_UNIT_CHARS: usize = 32;

/// What a folded character is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// A CJK character: a unit on its own.
    Cjk,
    /// An ASCII digit: runs of digits form a unit.
    Digit,
    /// Any other letter or numeral: runs form a unit.
    Word,
    /// Everything else: separates units.
    Separator,
}

/// A unit: a CJK character, a digit run or a word, with its position and where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub text: String,
    pub position: usize,
    /// Character (code point) offsets in the original text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Whether a separator (a gap) comes before this unit.
    pub gap_before: bool,
}

/// A token: a unigram or bigram with its position and character offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub position: usize,
    pub start: usize,
    pub end: usize,
}

/// Folds one character (see the module header). Always one character in, one out, so offsets in
/// the folded text are offsets in the original.
pub fn fold_char(c: char) -> char {
    let u = c as u32;
    match u {
        0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).map_or(c, |a| a.to_ascii_lowercase()),
        0x3000 => ' ',
        0x2460..=0x2468 => char::from_u32(u - 0x2460 + '1' as u32).unwrap_or(c),
        _ if c.is_ascii_uppercase() => c.to_ascii_lowercase(),
        _ if c.is_ascii() => c,
        // CJK ideographs: Traditional → Simplified ([`t2s`]); they have no case.
        T2S_FIRST..=T2S_LAST => t2s(c),
        // Kana have no case: skip the case tables.
        0x3040..=0x33FF => c,
        _ => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
    }
}

/// Folds a whole string (see [`fold_char`]).
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// Traditional → Simplified, one character at a time: OpenCC's `t2s` tables, each Han character
/// of the BMP converted on its own and kept where it becomes exactly one other character. Phrase
/// rules (乾隆 stays, 乾燥 → 干燥) are left out on purpose: the browser applies the same table
/// character by character, so both sides fold alike. The table is `src/text/t2s.txt` (one
/// `traditional<TAB>simplified` pair per line), made from `ferrous-opencc` and checked against it
/// by the test `t2s_table_is_opencc_character_table` (`T2S_WRITE=1` rewrites it); reading the
/// committed file costs nothing at build time, converting 28,000 characters through OpenCC costs
/// about 0.1 s. Pairs sorted by the traditional character.
pub fn t2s_table() -> &'static [(char, char)] {
    static TABLE: std::sync::OnceLock<Vec<(char, char)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("text/t2s.txt")
            .lines()
            .filter_map(|l| {
                let mut it = l.chars();
                match (it.next(), it.next(), it.next(), it.next()) {
                    (Some(t), Some('\t'), Some(s), None) => Some((t, s)),
                    _ => None,
                }
            })
            .collect()
    })
}

/// The code points [`t2s_table`] may convert: every Traditional character it holds is in
/// U+3400..U+9FFF (CJK extension A and the unified ideographs), checked by a test.
const T2S_FIRST: u32 = 0x3400;
const T2S_LAST: u32 = 0x9FFF;

/// [`t2s_table`] for one character (itself when it has no Simplified form), chains followed. A dense table over
/// [`T2S_FIRST`]..=[`T2S_LAST`] (110 KB, made once), because the fold runs on every character the
/// search indexes.
pub fn t2s(c: char) -> char {
    static DENSE: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    let u = c as u32;
    if !(T2S_FIRST..=T2S_LAST).contains(&u) {
        return c;
    }
    let dense = DENSE.get_or_init(|| {
        let mut d: Vec<char> = (T2S_FIRST..=T2S_LAST)
            .map(|u| char::from_u32(u).unwrap_or('\0'))
            .collect();
        for &(t, s) in t2s_table() {
            if let Some(slot) = d.get_mut((t as u32).wrapping_sub(T2S_FIRST) as usize) {
                *slot = s;
            }
        }
        // OpenCC converts 薴 to 苧 and 苧 to 苎: follow such chains, so folding twice changes
        // nothing.
        for i in 0..d.len() {
            let mut s = d[i];
            for _ in 0..4 {
                match (s as u32)
                    .checked_sub(T2S_FIRST)
                    .and_then(|k| d.get(k as usize))
                {
                    Some(&next) if next != s => s = next,
                    _ => break,
                }
            }
            d[i] = s;
        }
        d
    });
    dense[(u - T2S_FIRST) as usize]
}

/// The class of a folded character.
pub fn char_class(c: char) -> CharClass {
    let u = c as u32;
    let cjk = matches!(u,
        0x3007 | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F);
    if cjk {
        CharClass::Cjk
    } else if c.is_ascii_digit() {
        CharClass::Digit
    } else if c.is_alphanumeric() {
        CharClass::Word
    } else {
        CharClass::Separator
    }
}

/// Whether a term is one CJK character. Such terms are everywhere in Chinese text, so the browser's
/// index carries no positions for them: a phrase only asks that they be in the same field (they
/// come into a phrase only when a query separates a lone character from its neighbours).
pub fn is_single_cjk(term: &str) -> bool {
    let mut chars = term.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if char_class(c) == CharClass::Cjk)
}

/// Cuts `text` into units (step 2 of the module header).
pub fn units(text: &str) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut position = 0usize;
    let mut gap = false;
    let mut current: Option<(CharClass, Unit)> = None;
    for (i, c) in text.chars().enumerate() {
        let c = fold_char(c);
        let class = char_class(c);
        if let Some((cur_class, unit)) = current.as_mut() {
            let joins = class == *cur_class && class != CharClass::Cjk;
            if joins {
                if unit.end - unit.start < MAX_UNIT_CHARS {
                    unit.text.push(c);
                }
                unit.end = i + 1;
                continue;
            }
            let (_, done) = current.take().expect("current unit");
            out.push(done);
        }
        if class == CharClass::Separator {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            position += 1;
        }
        let position_here = if out.is_empty() { 0 } else { position };
        current = Some((
            class,
            Unit {
                text: c.to_string(),
                position: position_here,
                start: i,
                end: i + 1,
                gap_before: gap,
            },
        ));
        gap = false;
        position = position_here + 1;
    }
    if let Some((_, done)) = current {
        out.push(done);
    }
    out
}

/// Every token of `text`: unigrams and bigrams in position order (step 3 of the module header).
pub fn tokenize(text: &str) -> Vec<Token> {
    tokens_of_units(&units(text))
}

/// Unigram and bigram tokens of already cut units.
pub fn tokens_of_units(units: &[Unit]) -> Vec<Token> {
    let mut out = Vec::with_capacity(units.len() * 2);
    for (i, u) in units.iter().enumerate() {
        out.push(Token {
            text: u.text.clone(),
            position: u.position,
            start: u.start,
            end: u.end,
        });
        if let Some(next) = units.get(i + 1).filter(|n| !n.gap_before) {
            out.push(Token {
                text: format!("{}{}", u.text, next.text),
                position: u.position,
                start: u.start,
                end: next.end,
            });
        }
    }
    out
}

/// The tokens a query looks up for a piece of text: the bigrams of each run of two or more
/// neighbouring units, the unigram of a lone unit. Their positions keep the text's gaps, so a
/// phrase check can compare relative positions.
pub fn query_tokens(text: &str) -> Vec<Token> {
    let units = units(text);
    let mut out = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let next_joined = units.get(i + 1).is_some_and(|n| !n.gap_before);
        let prev_joined = i > 0 && !u.gap_before;
        if next_joined {
            let n = &units[i + 1];
            out.push(Token {
                text: format!("{}{}", u.text, n.text),
                position: u.position,
                start: u.start,
                end: n.end,
            });
        } else if !prev_joined {
            out.push(Token {
                text: u.text.clone(),
                position: u.position,
                start: u.start,
                end: u.end,
            });
        }
    }
    out
}

/// At most this many synonym variants per clause.
pub const MAX_VARIANTS: usize = 8;

/// Synonym groups, folded (see [`fold`]): each word of a group finds the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    pub groups: Vec<Vec<String>>,
}

impl Synonyms {
    /// Folds the groups as written in `portal.yaml` (`search.synonyms`).
    pub fn new(groups: &[Vec<String>]) -> Synonyms {
        let groups = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|w| fold(w.trim()))
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .collect();
        Synonyms { groups }
    }

    /// The texts that `text` (folded) may also be written as: one synonym replaced by another,
    /// every occurrence of it; in group order, then word order; without repeats.
    pub fn variants(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for group in &self.groups {
            for word in group.iter().filter(|w| text.contains(w.as_str())) {
                for other in group.iter().filter(|o| *o != word) {
                    let v = text.replace(word.as_str(), other);
                    if v != text && !out.contains(&v) && out.len() < MAX_VARIANTS {
                        out.push(v);
                    }
                }
            }
        }
        out
    }

    /// The other words of every group holding `word` (folded), for callers that match words.
    pub fn of(&self, word: &str) -> Vec<&str> {
        let word = fold(word);
        self.groups
            .iter()
            .filter(|g| g.contains(&word))
            .flat_map(|g| g.iter().filter(|w| **w != word).map(String::as_str))
            .collect()
    }
}

/// Parses a Chinese numeral up to 9,999 (一, 十二, 二十, 一百零五, 两百).
pub fn parse_chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|v| v as u32)
    };
    let mut total = 0u32;
    let mut current: Option<u32> = None;
    for c in s.chars() {
        let c = match c {
            '〇' => '零',
            '两' => '二',
            c => c,
        };
        if let Some(d) = digit(c) {
            current = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total += current.unwrap_or(1) * unit;
        current = None;
    }
    total += current.unwrap_or(0);
    (total > 0).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tokens: &[Token]) -> Vec<String> {
        tokens
            .iter()
            .map(|t| format!("{}@{}", t.text, t.position))
            .collect()
    }

    #[test]
    fn chinese_gets_unigrams_and_bigrams() {
        assert_eq!(
            texts(&tokenize("征地补偿")),
            ["征@0", "征地@0", "地@1", "地补@1", "补@2", "补偿@2", "偿@3"]
        );
    }

    #[test]
    fn digits_units_and_document_numbers_are_kept() {
        assert_eq!(
            texts(&tokenize("110千伏")),
            ["110@0", "110千@0", "千@1", "千伏@1", "伏@2"]
        );
        assert_eq!(
            texts(&tokenize("清政发〔2023〕5号")),
            ["清@0", "清政@0", "政@1", "政发@1", "发@2", "2023@4", "5@6", "5号@6", "号@7"]
        );
        let t: Vec<String> = tokenize("第十二条").into_iter().map(|t| t.text).collect();
        assert!(t.contains(&"十二".to_string()) && t.contains(&"二条".to_string()));
    }

    #[test]
    fn full_width_and_case_fold() {
        assert_eq!(fold("ＧＢ／Ｔ　３７６６８"), "gb/t 37668");
        assert_eq!(
            texts(&tokenize("ＧＢ／Ｔ 37668－2019")),
            texts(&tokenize("gb/t 37668-2019"))
        );
        assert_eq!(texts(&tokenize("110kV")), ["110@0", "110kv@0", "kv@1"]);
        assert_eq!(fold("①"), "1");
    }

    #[test]
    fn query_tokens_are_bigrams_of_runs() {
        let q: Vec<String> = query_tokens("〔2023〕5号 稳")
            .into_iter()
            .map(|t| format!("{}@{}", t.text, t.position))
            .collect();
        assert_eq!(q, ["2023@0", "5号@2", "稳@5"]);
        let q: Vec<String> = query_tokens("风险评估")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(q, ["风险", "险评", "评估"]);
    }

    #[test]
    fn offsets_are_characters_of_the_original() {
        let t = tokenize("甲，ＡＢ");
        assert_eq!((t[1].text.as_str(), t[1].start, t[1].end), ("ab", 2, 4));
    }

    /// The committed Traditional → Simplified table is OpenCC's character table, as
    /// [`t2s_table`] says; `T2S_WRITE=1 cargo test --lib t2s_table` writes it anew.
    #[test]
    fn t2s_table_is_opencc_character_table() {
        let cc = ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s)
            .unwrap();
        let chars: Vec<char> = (0x3400u32..=0x4DBF)
            .chain(0x4E00..=0x9FFF)
            .chain(0xF900..=0xFAFF)
            .filter_map(char::from_u32)
            .collect();
        let input: String = chars.iter().flat_map(|&c| [c, '\n']).collect();
        let output = cc.convert(&input);
        let mut table: Vec<(char, char)> = chars
            .iter()
            .zip(output.split('\n'))
            .filter_map(|(&t, s)| {
                let mut it = s.chars();
                match (it.next(), it.next()) {
                    (Some(c), None) if c != t => Some((t, c)),
                    _ => None,
                }
            })
            .collect();
        table.sort_unstable();
        let text: String = table.iter().map(|(t, s)| format!("{t}\t{s}\n")).collect();
        if std::env::var_os("T2S_WRITE").is_some() {
            std::fs::write(
                concat!(env!("CARGO_MANIFEST_DIR"), "/src/text/t2s.txt"),
                &text,
            )
            .unwrap();
        }
        assert_eq!(
            t2s_table(),
            &table[..],
            "src/text/t2s.txt differs from OpenCC's table: T2S_WRITE=1 cargo test --lib t2s_table"
        );
        assert!(table.len() > 2000, "{} pairs", table.len());
    }

    #[test]
    fn fold_converts_traditional_once_and_for_all() {
        for &(t, _) in t2s_table() {
            assert!(
                (T2S_FIRST..=T2S_LAST).contains(&(t as u32)),
                "{t} outside the dense table"
            );
            let once = fold_char(t);
            assert_eq!(
                fold_char(once),
                once,
                "{t} folds to {once}, which folds again"
            );
        }
        assert_eq!(fold("風險等級　聽證會"), "风险等级 听证会");
        assert_eq!(fold("徵地補償"), "征地补偿");
        assert_eq!(fold("薴"), "苎");
    }
}
