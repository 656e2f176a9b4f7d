//! Measure articles (第X条): the number an article's label stands for.
//!
//! One rule, used for anchors, duplicates, numbering and links alike: `第十二条`, `第12条` and
//! `第１２条` are the same article (twelve); `第二条之一` is an article inserted by an amendment
//! between 第二条 and 第三条, distinct from 第二条, and `第二条之二` follows it.

use crate::text::parse_chinese_number;

/// An article's place in a measure: its number and, for an inserted article (第二条之一), the number
/// after 之 (0 for an ordinary article). Ordered as the articles stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArticleNo {
    pub number: u32,
    pub sub: u32,
}

impl ArticleNo {
    /// Whether this article may stand right after `prev`: the next article (第三条 after 第二条 or
    /// after 第二条之一) or the next inserted one (第二条之一 after 第二条, 之二 after 之一).
    pub fn follows(self, prev: ArticleNo) -> bool {
        (self.number == prev.number + 1 && self.sub == 0)
            || (self.number == prev.number && self.sub == prev.sub + 1)
    }
}

/// The most numeral characters read in 第X条 (a longer run is prose, not an article number).
const MAX_NUMERAL_CHARS: usize = 8;

/// If `text` begins with 第X条 or 第X条之Y (X and Y in Chinese numerals or digits, full-width ones
/// too), the article's number and its label as written (`第12条`, `第二条之一`).
pub fn article_number(text: &str) -> Option<(ArticleNo, String)> {
    let text = text.trim_start();
    let rest = text.strip_prefix('第')?;
    let end = rest.find('条')?;
    let number = parse_numeral(&rest[..end])?;
    let mut label_len = '第'.len_utf8() + end + '条'.len_utf8();
    let mut sub = 0;
    if let Some(after) = rest[end + '条'.len_utf8()..].strip_prefix('之') {
        let digits: String = after
            .chars()
            .take_while(|&c| is_numeral(c))
            .take(MAX_NUMERAL_CHARS + 1)
            .collect();
        if let Some(n) = parse_numeral(&digits) {
            sub = n;
            label_len += '之'.len_utf8() + digits.len();
        }
    }
    Some((ArticleNo { number, sub }, text[..label_len].to_string()))
}

/// Whether `anchor` is exactly an article label (`第12条`, `第二条之一`), and which article.
pub fn label_number(anchor: &str) -> Option<ArticleNo> {
    article_number(anchor)
        .filter(|(_, label)| label == anchor)
        .map(|(no, _)| no)
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "零〇一二三四五六七八九十百千两".contains(c)
}

/// A Chinese numeral (`十二`, `一百零三`) or digits (`12`, `１２`), at most 8 characters.
fn parse_numeral(s: &str) -> Option<u32> {
    if s.is_empty() || s.chars().count() > MAX_NUMERAL_CHARS {
        return None;
    }
    if let Some(n) = parse_chinese_number(s) {
        return Some(n);
    }
    let ascii: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    ascii
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| ascii.parse().ok())
        .flatten()
        .filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no(number: u32, sub: u32) -> ArticleNo {
        ArticleNo { number, sub }
    }

    #[test]
    fn chinese_arabic_and_full_width_numbers_are_one_article() {
        for label in ["第十二条", "第12条", "第１２条"] {
            assert_eq!(article_number(label), Some((no(12, 0), label.to_string())));
        }
        assert_eq!(
            article_number("第一百零三条　本办法自发布之日起施行。"),
            Some((no(103, 0), "第一百零三条".into()))
        );
    }

    #[test]
    fn inserted_articles_have_their_own_number() {
        assert_eq!(
            article_number("第二条之一　新增内容"),
            Some((no(2, 1), "第二条之一".into()))
        );
        assert_eq!(
            article_number("第2条之2"),
            Some((no(2, 2), "第2条之2".into()))
        );
        // 之 followed by a word is prose, not an inserted article.
        assert_eq!(
            article_number("第二条之规定"),
            Some((no(2, 0), "第二条".into()))
        );
    }

    #[test]
    fn prose_is_not_an_article() {
        assert_eq!(article_number("第一章 总则"), None);
        assert_eq!(article_number("第x条"), None);
        assert_eq!(article_number("第0条"), None);
        assert_eq!(article_number("第一二三四五六七八九条"), None);
    }

    #[test]
    fn order_and_labels() {
        assert!(no(2, 1).follows(no(2, 0)));
        assert!(no(3, 0).follows(no(2, 1)));
        assert!(no(2, 2).follows(no(2, 1)));
        assert!(!no(2, 2).follows(no(2, 0)));
        assert!(!no(4, 0).follows(no(2, 0)));
        assert_eq!(label_number("第12条"), Some(no(12, 0)));
        assert_eq!(label_number("第二条之一"), Some(no(2, 1)));
        assert_eq!(label_number("第二条 总则"), None);
        assert_eq!(label_number("一评估范围"), None);
    }
}
