//! Text measurement and wrapping for chart labels.
//!
//! Stage: layout (pure). Input: a label and a maximum width in pixels. Output: lines whose estimated
//! width fits. Full-width characters (CJK ideographs, kana, hangul, full-width punctuation and
//! forms, and East Asian "ambiguous" punctuation such as “” and —) count 1em; other characters
//! ~0.55em (space 0.3em). Chinese breaks between any two characters except before closing
//! punctuation (，。）…) and after opening punctuation (（《“…); Latin words stay whole unless
//! longer than a line. Entry: [`wrap`].

/// Estimated advance of `c` in ems.
pub fn char_em(c: char) -> f64 {
    if is_wide(c) {
        1.0
    } else if c == ' ' {
        0.3
    } else {
        0.55
    }
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2010..=0x2027 | 0x2030..=0x206F | 0x2190..=0x21FF | 0x2460..=0x24FF
        | 0x2500..=0x27BF | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE10..=0xFE6F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Estimated width of `text` in pixels at `size` px.
pub fn width(text: &str, size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * size
}

const NO_LINE_START: &str = "，。、；：？！）》」』】〉”’…,.;:?!)]}%·";
const NO_LINE_END: &str = "（《「『【〈“‘([{";

/// Breaks `text` into lines of at most `max` px at `size` px (a single character wider than `max`
/// still gets its own line). Runs of white space collapse; empty text gives no lines.
pub fn wrap(text: &str, max: f64, size: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for unit in units(text) {
        let candidate = format!("{line}{unit}");
        if line.is_empty() || width(candidate.trim_end(), size) <= max {
            line = candidate;
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.trim().to_string());
        }
        line = unit.trim_start().to_string();
    }
    if !line.trim().is_empty() {
        lines.push(line.trim().to_string());
    }
    lines
        .into_iter()
        .flat_map(|l| hard_break(&l, max, size))
        .collect()
}

/// Unbreakable units: one wide character (with following closing punctuation glued on), or a Latin
/// word with its trailing space.
fn units(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev_space = true;
    for c in text.chars() {
        let c = if c.is_whitespace() && !is_wide(c) {
            ' '
        } else {
            c
        };
        if c == ' ' && prev_space {
            continue;
        }
        let glue = match out.last() {
            Some(last) => {
                NO_LINE_START.contains(c)
                    || last.chars().last().is_some_and(|l| NO_LINE_END.contains(l))
                    || (!is_wide(c)
                        && c != ' '
                        && last.chars().last().is_some_and(|l| !is_wide(l) && l != ' '))
                    || (c == ' ' && last.chars().last().is_some_and(|l| !is_wide(l)))
            }
            None => false,
        };
        match out.last_mut() {
            Some(last) if glue => last.push(c),
            _ => out.push(c.to_string()),
        }
        prev_space = c == ' ';
    }
    out
}

/// Splits a line that is still too wide (a long Latin word) character by character.
fn hard_break(line: &str, max: f64, size: f64) -> Vec<String> {
    if width(line, size) <= max {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in line.chars() {
        if !cur.is_empty() && width(&cur, size) + char_em(c) * size > max {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_is_one_em_latin_about_half() {
        assert_eq!(width("风险等级", 14.0), 56.0);
        assert_eq!(width("（：）", 10.0), 30.0);
        assert!((width("ab", 10.0) - 11.0).abs() < 1e-9);
    }

    #[test]
    fn chinese_wraps_anywhere_but_keeps_punctuation_rules() {
        let lines = wrap("不实施，或调整决策方案后重新评估", 5.0 * 14.0, 14.0);
        assert_eq!(lines, ["不实施，或", "调整决策方", "案后重新评", "估"]);
        for l in &lines {
            assert!(!NO_LINE_START.contains(l.chars().next().unwrap()), "{l}");
        }
        let lines = wrap("报送《评估报告》", 3.0 * 14.0, 14.0);
        assert!(lines.iter().all(|l| !l.ends_with('《')), "{lines:?}");
    }

    #[test]
    fn latin_words_stay_whole() {
        let lines = wrap("risk level review", 8.0 * 10.0, 10.0);
        assert_eq!(lines, ["risk level", "review"]);
        let lines = wrap("abcdefghijklmnopqrstuvwxyz", 5.5 * 10.0, 10.0);
        assert!(lines.iter().all(|l| width(l, 10.0) <= 55.0), "{lines:?}");
        assert!(wrap("   ", 50.0, 10.0).is_empty());
    }

    #[test]
    fn mixed_text_fits() {
        for max in [30.0, 60.0, 100.0, 140.0] {
            for l in wrap("评估结束后3日内报送 report，次日备案 (filing)", max, 14.0)
            {
                assert!(
                    width(&l, 14.0) <= max + 1e-9 || l.chars().count() == 1,
                    "{l} > {max}"
                );
            }
        }
    }
}
