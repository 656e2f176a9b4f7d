//! The ```form block syntax (documented in the README, "Standard forms").
//!
//! Stage: parse. Input: the text of a ```form fenced block and the file line of its first line.
//! Output: a [`Block`] (grid, cells, lines above and below the table) or every mistake found, as
//! diagnostics at `path:line:col`. Entry: [`parse_block`].

use super::model::*;
use crate::diagnostic::Diagnostic;

/// What the block parser needs to know about where it stands.
pub struct Source<'a> {
    pub path: &'a str,
    pub first_line: usize,
}

struct Parser<'a> {
    src: &'a Source<'a>,
    diags: Vec<Diagnostic>,
    columns: Option<(Vec<f32>, usize)>,
    font_pt: f32,
    header: Vec<TextLine>,
    rows: Vec<Row>,
    after: Vec<After>,
    pending_break: Option<usize>,
    /// Rows where a cell could not be read (left out of the width checks).
    broken: Vec<bool>,
}

/// Parses a block. Every mistake is reported; the block is returned only when there are none.
pub fn parse_block(text: &str, src: &Source<'_>) -> Result<Block, Vec<Diagnostic>> {
    let mut p = Parser {
        src,
        diags: Vec::new(),
        columns: None,
        font_pt: 12.0,
        header: Vec::new(),
        rows: Vec::new(),
        after: Vec::new(),
        pending_break: None,
        broken: Vec::new(),
    };
    for (i, raw) in text.lines().enumerate() {
        p.line(raw.trim_end(), src.first_line + i);
    }
    p.finish()
}

impl Parser<'_> {
    fn err(&mut self, line: usize, col: usize, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(self.src.path, line, col, message));
    }

    fn line(&mut self, text: &str, line: usize) {
        let indent = text.chars().take_while(|c| c.is_whitespace()).count();
        let t = text.trim_start();
        if t.is_empty() || t.starts_with("//") {
            return;
        }
        if t.starts_with('|') {
            return self.row(t, line, indent + 1);
        }
        if t == "newpage" {
            if self.rows.is_empty() {
                return self.err(
                    line,
                    indent + 1,
                    "`newpage` before the first row: a page break goes between rows",
                );
            }
            self.pending_break = Some(line);
            return;
        }
        let Some((key, value)) = t.split_once([':', '：']) else {
            return self.err(line, indent + 1, unknown_line(t));
        };
        let vcol = indent
            + key.chars().count()
            + 2
            + (value.chars().count() - value.trim_start().chars().count());
        let value = value.trim();
        match key.trim() {
            "columns" => self.columns_line(value, line, vcol),
            "font" => self.font(value, line, vcol),
            "header" => self.header_line(value, line, vcol),
            "note" => self.after_line(value, line, vcol, false),
            "sign" => self.after_line(value, line, vcol, true),
            _ => self.err(line, indent + 1, unknown_line(t)),
        }
    }

    fn columns_line(&mut self, value: &str, line: usize, col: usize) {
        if self.columns.is_some() {
            return self.err(line, 1, "`columns:` given twice: a form has one grid");
        }
        if !self.rows.is_empty() {
            return self.err(
                line,
                1,
                "`columns:` after the first row: put it at the top of the block",
            );
        }
        let mut widths = Vec::new();
        for (c, word) in words(value) {
            match word.trim_end_matches("mm").parse::<f32>() {
                Ok(w) if (3.0..=260.0).contains(&w) => widths.push(w),
                _ => self.err(line, col + c, format!("bad column width `{word}`: expected a width in mm between 3 and 260, e.g. `columns: 25 45 25 45`")),
            }
        }
        if widths.is_empty() {
            self.err(line, col, "`columns:` lists no widths: expected the width of each column in mm, e.g. `columns: 25 45 25 45`");
        }
        self.columns = Some((widths, line));
    }

    fn font(&mut self, value: &str, line: usize, col: usize) {
        let pt = match value {
            "小四" => Some(12.0),
            "五号" => Some(10.5),
            "四号" => Some(14.0),
            "小五" => Some(9.0),
            v => v
                .trim_end_matches("pt")
                .parse::<f32>()
                .ok()
                .filter(|p| [9.0, 10.5, 12.0, 14.0].contains(p)),
        };
        match pt {
            Some(pt) => self.font_pt = pt,
            None => self.err(line, col, format!("bad font size `{value}`: expected `小四` (12pt, the default), `五号` (10.5pt), `小五` (9pt) or `四号` (14pt)")),
        }
    }

    fn header_line(&mut self, value: &str, line: usize, col: usize) {
        if !self.rows.is_empty() {
            return self.err(line, 1, "`header:` after the table's rows: header lines go above the table, before the first row");
        }
        if let Some(l) = self.text_line(value, line, col) {
            self.header.push(l);
        }
    }

    fn after_line(&mut self, value: &str, line: usize, col: usize, sign: bool) {
        if let Some(l) = self.text_line(value, line, col) {
            self.after
                .push(if sign { After::Sign(l) } else { After::Note(l) });
        }
    }

    fn text_line(&mut self, value: &str, line: usize, col: usize) -> Option<TextLine> {
        if value.is_empty() {
            self.err(line, col, "empty line: expected text after the `:`");
            return None;
        }
        let groups = split_cells(value)
            .into_iter()
            .map(|(_, g)| parse_parts(g.trim()))
            .collect();
        Some(TextLine { line, groups })
    }

    fn row(&mut self, text: &str, line: usize, col0: usize) {
        if !self.after.is_empty() {
            return self.err(line, col0, "a row after `note:`/`sign:` lines: notes and signatures go under the table, after the last row");
        }
        let segments = split_cells(text);
        let (last_col, options) = segments.last().cloned().unwrap_or((0, ""));
        let mut row = Row {
            line,
            cells: Vec::new(),
            height: Height::Auto,
            head: false,
            repeat: None,
            from: 1,
            break_before: self.pending_break.take().is_some(),
        };
        self.row_options(&mut row, options, line, col0 + last_col);
        let mut broken = false;
        for &(c, cell) in &segments[1..segments.len().saturating_sub(1)] {
            let lead = if cell.trim().is_empty() {
                0
            } else {
                cell.chars().count() - cell.trim_start().chars().count()
            };
            match self.cell(cell.trim(), line, col0 + c + lead) {
                Some(cell) => row.cells.push(cell),
                None => broken = true,
            }
        }
        if segments.len() < 3 {
            self.err(
                line,
                col0,
                "a row needs at least one cell: write `| [标签] | ___ |`",
            );
            broken = true;
        }
        self.rows.push(row);
        self.broken.push(broken);
    }

    fn row_options(&mut self, row: &mut Row, options: &str, line: usize, col: usize) {
        for (c, word) in words(options) {
            let at = col + c;
            if word == "head" || word == "表头" {
                row.head = true;
            } else if let Some(h) = word.strip_prefix("h=") {
                match parse_height(h) {
                    Some(h) => row.height = h,
                    None => self.err(line, at, format!("bad height `{word}`: expected `h=12mm`, `h=3行` (handwriting lines) or `h=*` (fill the rest of the page)")),
                }
            } else if let Some(n) = word.strip_prefix("repeat=") {
                match n {
                    "*" => row.repeat = Some(Repeat::Fill),
                    n => match n.parse::<u32>() {
                        Ok(n) if (1..=200).contains(&n) => row.repeat = Some(Repeat::Count(n)),
                        _ => self.err(line, at, format!("bad repeat `{word}`: expected `repeat=15` (1–200 numbered rows) or `repeat=*` (as many as the pages hold)")),
                    },
                }
            } else if let Some(n) = word.strip_prefix("from=") {
                match n.parse::<u32>() {
                    Ok(n) if (1..=999).contains(&n) => row.from = n,
                    _ => self.err(line, at, format!("bad start number `{word}`: expected `from=9` (the number of the first repeated row)")),
                }
            } else {
                self.err(line, at, format!("unknown row option `{word}`: expected `h=…`, `head`, `repeat=…` or `from=…` after the last `|`"));
            }
        }
    }

    fn cell(&mut self, text: &str, line: usize, col: usize) -> Option<Cell> {
        let (content, options) = split_options(text);
        let mut cell = Cell {
            col: 0,
            span: 1,
            rows: 1,
            body: Body::Number,
            align: Align::Left,
            src_col: col,
        };
        let mut align = None;
        if let Some((ocol, opts)) = options {
            if !opts.ends_with('}') {
                self.err(line, col + ocol, format!("unclosed `{{` in cell `{text}`: cell options are written `{{span=2 rows=3 align=center}}`"));
                return None;
            }
            for (c, word) in words(&opts[1..opts.len() - 1]) {
                if !self.cell_option(&mut cell, &mut align, word, line, col + ocol + 1 + c) {
                    return None;
                }
            }
        }
        cell.body = match parse_body(content.trim()) {
            Ok(b) => b,
            Err(m) => {
                self.err(line, col, m);
                return None;
            }
        };
        cell.align = align.unwrap_or(match cell.body {
            Body::Label(_) | Body::Number => Align::Center,
            _ => Align::Left,
        });
        Some(cell)
    }

    fn cell_option(
        &mut self,
        cell: &mut Cell,
        align: &mut Option<Align>,
        word: &str,
        line: usize,
        col: usize,
    ) -> bool {
        let (key, value) = word.split_once('=').unwrap_or((word, ""));
        let number = value.parse::<usize>().ok().filter(|n| (1..=60).contains(n));
        match (key, number, value) {
            ("span", Some(n), _) => cell.span = n,
            ("rows", Some(n), _) => cell.rows = n,
            ("align", _, "left" | "左") => *align = Some(Align::Left),
            ("align", _, "center" | "中") => *align = Some(Align::Center),
            ("align", _, "right" | "右") => *align = Some(Align::Right),
            _ => {
                self.err(line, col, format!("unknown cell option `{word}`: expected `span=N` (columns), `rows=N` (rows) or `align=left|center|right`"));
                return false;
            }
        }
        true
    }

    fn finish(mut self) -> Result<Block, Vec<Diagnostic>> {
        if let Some(r) = self.rows.iter().find(|r| r.from != 1 && r.repeat.is_none()) {
            let line = r.line;
            self.err(
                line,
                1,
                "`from=` numbers repeated rows: add `repeat=N` to this row or remove `from=`",
            );
        }
        if let Some(line) = self.pending_break {
            self.err(
                line,
                1,
                "`newpage` after the last row: a page break goes between rows",
            );
        }
        let Some((columns, columns_line)) = self.columns.take() else {
            self.err(self.src.first_line, 1, "the form has no `columns:` line: expected e.g. `columns: 25 45 25 45` (widths in mm) at the top of the block");
            return Err(self.diags);
        };
        if self.rows.is_empty() {
            self.err(
                self.src.first_line,
                1,
                "the form has no rows: expected lines like `| [事项名称] | ___ |`",
            );
        }
        let mut block = Block {
            columns,
            columns_line,
            metrics: Metrics {
                font_pt: self.font_pt,
            },
            first_line: self.src.first_line,
            header: self.header,
            rows: self.rows,
            after: self.after,
        };
        self.diags
            .extend(super::grid::place(&mut block, &self.broken, self.src.path));
        if self.diags.is_empty() {
            Ok(block)
        } else {
            Err(self.diags)
        }
    }
}

fn unknown_line(t: &str) -> String {
    let shown: String = t.chars().take(20).collect();
    format!("unknown line `{shown}`: expected `columns:`, `font:`, `header:`, a row starting with `|`, `newpage`, `note:` or `sign:`")
}

/// Whitespace-separated words with their 0-based character column.
fn words(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (ci, (bi, c)) in s.char_indices().enumerate() {
        match (c.is_whitespace(), start) {
            (true, Some((sc, sb))) => {
                out.push((sc, &s[sb..bi]));
                start = None;
            }
            (false, None) => start = Some((ci, bi)),
            _ => {}
        }
    }
    if let Some((sc, sb)) = start {
        out.push((sc, &s[sb..]));
    }
    out
}

/// Splits on `|` not preceded by `\`; each piece with its 0-based character column.
fn split_cells(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut start_b, mut start_c) = (0, 0);
    let mut prev = '\0';
    for (ci, (bi, c)) in s.char_indices().enumerate() {
        if c == '|' && prev != '\\' {
            out.push((start_c, &s[start_b..bi]));
            start_b = bi + 1;
            start_c = ci + 1;
        }
        prev = c;
    }
    out.push((start_c, &s[start_b..]));
    out
}

/// Splits trailing `{…}` options off a cell: (content, Some((char column of `{`, options))).
fn split_options(text: &str) -> (&str, Option<(usize, &str)>) {
    match text.rfind('{') {
        Some(b) if !text[b..].contains('}') || text.ends_with('}') => {
            let col = text[..b].chars().count();
            (&text[..b], Some((col, &text[b..])))
        }
        _ => (text, None),
    }
}

fn parse_height(h: &str) -> Option<Height> {
    if h == "*" {
        return Some(Height::Fill);
    }
    if let Some(n) = h.strip_suffix('行') {
        return n
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=40).contains(n))
            .map(Height::Lines);
    }
    let mm = h.strip_suffix("mm")?.parse::<f32>().ok()?;
    (3.0..=260.0).contains(&mm).then_some(Height::Mm(mm))
}

/// What a cell's content is; `Err` names the mistake.
pub fn parse_body(content: &str) -> Result<Body, String> {
    if content.is_empty() {
        return Err("empty cell: expected a label `[事项名称]`, a blank `___`, a row number `#`, check boxes `□实施 □不实施` or text".into());
    }
    if let Some(rest) = content.strip_prefix('[') {
        return match rest.strip_suffix(']') {
            Some(label) if !label.contains(['[', ']']) && !label.trim().is_empty() => Ok(Body::Label(label.trim().to_string())),
            _ => Err(format!("unknown cell type `{content}`: a label is written `[事项名称]`, with nothing after the `]` (put a blank in a cell of its own)")),
        };
    }
    if content == "#" {
        return Ok(Body::Number);
    }
    if content.contains(['[', ']']) {
        return Err(format!(
            "unknown cell type `{content}`: `[…]` marks a label and must be the whole cell"
        ));
    }
    if let Some(trailer) = area_trailer(content) {
        return Ok(Body::Area(trailer));
    }
    Ok(Body::Inline(parse_parts(content)))
}

/// A cell that is `___` alone, or `___` followed only by seal, signature and date lines.
fn area_trailer(content: &str) -> Option<Vec<Vec<Part>>> {
    let n = content.chars().take_while(|&c| c == '_').count();
    if n < 3 {
        return None;
    }
    let rest = content[n..].trim();
    let mut lines: Vec<Vec<Part>> = Vec::new();
    let mut text = String::new();
    for part in parse_parts(rest) {
        match part {
            Part::Date => {
                flush_trailer(&mut text, &mut lines)?;
                lines.push(vec![Part::Date]);
            }
            Part::Text(t) => {
                for word in t.split_whitespace() {
                    text.push_str(word);
                    if is_trailer_end(&text) {
                        flush_trailer(&mut text, &mut lines)?;
                    }
                }
            }
            _ => return None,
        }
    }
    flush_trailer(&mut text, &mut lines)?;
    Some(lines)
}

fn is_trailer_end(t: &str) -> bool {
    [
        "（盖章）",
        "(盖章)",
        "签字：",
        "签名：",
        "签章：",
        "签字:",
        "签名:",
    ]
    .iter()
    .any(|e| t.ends_with(e))
}

/// Ends a trailer line; `None` when the text is not a seal or signature (then the cell is inline).
fn flush_trailer(text: &mut String, lines: &mut Vec<Vec<Part>>) -> Option<()> {
    if text.is_empty() {
        return Some(());
    }
    if !is_trailer_end(text) {
        return None;
    }
    lines.push(vec![Part::Text(std::mem::take(text))]);
    Some(())
}

/// Splits inline content into text, check boxes, blanks and dates.
pub fn parse_parts(s: &str) -> Vec<Part> {
    let chars: Vec<char> = s.chars().collect();
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '□' {
            push_text(&mut text, &mut parts);
            let start = i + 1;
            let mut j = start;
            while j < chars.len()
                && !chars[j].is_whitespace()
                && chars[j] != '□'
                && !starts_blank(&chars, j)
            {
                j += 1;
            }
            parts.push(Part::Check(chars[start..j].iter().collect()));
            i = j;
        } else if starts_blank(&chars, i) {
            push_text(&mut text, &mut parts);
            let n = chars[i..].iter().take_while(|&&c| c == '_').count();
            parts.push(Part::Field(n));
            i += n;
        } else if let Some(len) = date_at(&chars, i) {
            let trimmed = text.trim_end_matches([' ', '　']).len();
            text.truncate(trimmed);
            push_text(&mut text, &mut parts);
            parts.push(Part::Date);
            i += len;
        } else {
            text.push(c);
            i += 1;
        }
    }
    push_text(&mut text, &mut parts);
    parts
}

fn push_text(text: &mut String, parts: &mut Vec<Part>) {
    if !text.is_empty() {
        parts.push(Part::Text(std::mem::take(text)));
    }
}

fn starts_blank(chars: &[char], i: usize) -> bool {
    chars.len() >= i + 3 && chars[i..i + 3].iter().all(|&c| c == '_')
}

/// `年 月 日` (any spaces between) at `i`: its length in characters.
fn date_at(chars: &[char], i: usize) -> Option<usize> {
    if chars.get(i) != Some(&'年') {
        return None;
    }
    let mut j = i + 1;
    for want in ['月', '日'] {
        while chars.get(j).is_some_and(|c| *c == ' ' || *c == '　') {
            j += 1;
        }
        if chars.get(j) != Some(&want) {
            return None;
        }
        j += 1;
    }
    Some(j - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Block, Vec<Diagnostic>> {
        parse_block(
            text,
            &Source {
                path: "content/forms/t.md",
                first_line: 10,
            },
        )
    }

    fn messages(text: &str) -> Vec<String> {
        parse(text)
            .unwrap_err()
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect()
    }

    #[test]
    fn cells_of_every_type() {
        let b = parse("columns: 30 40 30 70\nheader: 填报单位（盖章）：___ | 编号：______\n| [事项名称] | ___ {span=3} |\n| [类别] | □决策 □政策 {span=2} | # |  \n| [意见] | ___ （盖章） 年 月 日 {span=3} | h=30mm\n| [涉及群众] | ___人 ___户 {span=3} | h=*\nnote: 注：形式可以是座谈会。\nsign: 填表人：___ | 年　月　日\n");
        let b = b.unwrap_err();
        // `#` outside a repeat row is reported by the grid.
        assert_eq!(b.len(), 1, "{b:?}");
        assert!(b[0].message.contains("`#`"), "{}", b[0].message);
        let b = parse("columns: 30 40 30 70\nheader: 填报单位（盖章）：___ | 编号：______\n| [事项名称] | ___ {span=3} |\n| [类别] | □决策 □政策 {span=2 align=right} | 其他 |\n| [意见] | ___ （盖章） 年 月 日 {span=3} | h=30mm\n| [涉及群众] | ___人 ___户 {span=3} | h=*\nnote: 注：形式可以是座谈会。\nsign: 填表人：___ | 年　月　日\n").unwrap();
        assert_eq!(b.columns, [30.0, 40.0, 30.0, 70.0]);
        assert_eq!(
            b.header[0].groups,
            [
                vec![Part::Text("填报单位（盖章）：".into()), Part::Field(3)],
                vec![Part::Text("编号：".into()), Part::Field(6)]
            ]
        );
        let r = &b.rows;
        assert_eq!(r[0].cells[0].body, Body::Label("事项名称".into()));
        assert_eq!((r[0].cells[1].col, r[0].cells[1].span), (1, 3));
        assert_eq!(
            r[1].cells[1].body,
            Body::Inline(vec![
                Part::Check("决策".into()),
                Part::Text(" ".into()),
                Part::Check("政策".into())
            ])
        );
        assert_eq!(r[1].cells[1].align, Align::Right);
        assert_eq!(
            r[2].cells[1].body,
            Body::Area(vec![vec![Part::Text("（盖章）".into())], vec![Part::Date]])
        );
        assert_eq!(r[2].height, Height::Mm(30.0));
        assert_eq!(
            r[3].cells[1].body,
            Body::Inline(vec![
                Part::Field(3),
                Part::Text("人 ".into()),
                Part::Field(3),
                Part::Text("户".into())
            ])
        );
        assert_eq!(r[3].height, Height::Fill);
        assert_eq!(b.after.len(), 2);
        assert_eq!(r[0].line, 12);
    }

    #[test]
    fn mistakes_are_positioned() {
        let m = messages("columns: 30 40\n| [事项名称 | ___ |\n| [a] | ___ {span=2} |\n| [b] | ___ {colspan=2} |\n| [c] | ___ | h=3cm\nwhat is this\n");
        assert_eq!(m.len(), 5, "{m:#?}");
        for want in [
            "11:3: unknown cell type `[事项名称`",
            "12:9: this cell makes the row wider than the grid",
            "13:14: unknown cell option `colspan=2`",
            "14:15: bad height `h=3cm`",
            "15:1: unknown line `what is this`",
        ] {
            assert!(
                m.iter().any(|m| m.starts_with(want)),
                "{want} not in {m:#?}"
            );
        }
    }

    #[test]
    fn missing_columns_and_empty_cells() {
        let m = messages("| [a] | |\n");
        assert!(
            m.iter()
                .any(|m| m.starts_with("10:1: the form has no `columns:`")),
            "{m:?}"
        );
        let m = messages("columns: 30 40\n| [a] |  |\n");
        assert!(m[0].starts_with("11:8: empty cell"), "{m:?}");
    }

    #[test]
    fn dates_and_checks_in_text() {
        assert_eq!(
            parse_parts("是否合法 □合法 □不合法"),
            vec![
                Part::Text("是否合法 ".into()),
                Part::Check("合法".into()),
                Part::Text(" ".into()),
                Part::Check("不合法".into())
            ]
        );
        assert_eq!(
            parse_parts("填表时间：　年　月　日"),
            vec![Part::Text("填表时间：".into()), Part::Date]
        );
        assert_eq!(
            parse_body("___ 评估组长签字： 年月日").unwrap(),
            Body::Area(vec![
                vec![Part::Text("评估组长签字：".into())],
                vec![Part::Date]
            ])
        );
        assert!(matches!(parse_body("___ 人").unwrap(), Body::Inline(_)));
    }
}
