//! Layout: row heights in mm and the split of a form onto its printed sheets.
//!
//! Stage: parse (once the front matter is known). Input: a placed [`Block`], the paper, the declared
//! page count and the title. Output: the [`Sheet`]s — title, header lines, table rows (head rows
//! repeated on each continuation sheet, `repeat` rows numbered, `h=*` rows grown to fill their
//! sheet) and the notes and signature lines — or the mistakes (text that does not fit its row, a
//! grid wider than the paper, more or fewer sheets than `pages:`). Entry: [`lay_out`].
//!
//! Heights are computed from font metrics (full-width characters are 1 em, others ½ em) so that the
//! HTML and the .docx, which both set every height exactly, print on the same number of pages.

use super::model::*;

/// A layout mistake: at a block line and column, or about a front-matter key.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    At {
        line: usize,
        col: usize,
        message: String,
    },
    Key {
        key: &'static str,
        message: String,
    },
}

/// What the layout needs besides the block.
pub struct Spec<'a> {
    pub paper: Paper,
    pub pages: u32,
    pub title: &'a str,
}

/// A run of rows that stays on one sheet (rows joined by a vertical merge, or one repeated row).
#[derive(Debug, Clone)]
struct Unit {
    rows: Vec<PlacedRow>,
    head: bool,
    break_before: bool,
    line: usize,
}

impl Unit {
    fn height(&self) -> f32 {
        self.rows.iter().map(|r| r.height).sum()
    }
}

/// Lays the block out on sheets of `spec.paper`.
pub fn lay_out(block: &Block, spec: &Spec<'_>) -> Result<Vec<Sheet>, Vec<Problem>> {
    let mut problems = check_widths(block, spec);
    let heights = match row_heights(block) {
        Ok(h) => h,
        Err(p) => {
            problems.extend(p);
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let fill = block
        .rows
        .iter()
        .position(|r| r.repeat == Some(Repeat::Fill));
    let paginate = |n: u32| paginate(block, spec.paper, &units(block, &heights, n));
    let sheets = match fill {
        None => paginate(0)?,
        Some(_) => {
            let mut best = paginate(1)?;
            for n in 2..=200 {
                match paginate(n) {
                    Ok(s) if s.len() <= spec.pages as usize => best = s,
                    _ => break,
                }
            }
            best
        }
    };
    check_pages(sheets.len(), spec.pages)?;
    Ok(grow_fill_rows(block, spec.paper, sheets))
}

fn check_widths(block: &Block, spec: &Spec<'_>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let room = spec.paper.content_width();
    if block.width() > room + 0.05 {
        problems.push(Problem::At {
            line: block.columns_line,
            col: 1,
            message: format!("the columns add up to {}mm, wider than the {room}mm an {} page holds between its margins: narrow them or use `paper: A4-landscape`", fmt_mm(block.width()), spec.paper.name()),
        });
    }
    let char_mm = block.metrics.char_mm();
    let lines = block
        .header
        .iter()
        .chain(block.after.iter().filter_map(|a| match a {
            After::Sign(l) => Some(l),
            After::Note(_) => None,
        }));
    for l in lines {
        let need: f32 = l
            .groups
            .iter()
            .map(|g| parts_em(g, char_mm) * char_mm)
            .sum::<f32>()
            + 2.0 * (l.groups.len() as f32 - 1.0);
        if need > block.width() + 0.05 {
            problems.push(Problem::At { line: l.line, col: 1, message: format!("this line is {}mm long, wider than the {}mm table: shorten its text or blanks (each `_` is {UNDERSCORE_MM}mm)", fmt_mm(need), fmt_mm(block.width())) });
        }
    }
    let title_mm = text_em(spec.title) * TITLE_PT * PT_MM;
    if title_mm > room {
        problems.push(Problem::Key { key: "title", message: format!("the title is {}mm wide in 小二 type, wider than the {room}mm of the page: shorten it", fmt_mm(title_mm)) });
    }
    problems
}

fn check_pages(found: usize, declared: u32) -> Result<(), Vec<Problem>> {
    let declared = declared as usize;
    let message = if found > declared {
        format!("the form takes {found} printed pages, but `pages: {declared}` is declared: lower row heights or `repeat` counts, or declare `pages: {found}`")
    } else if found < declared {
        format!("the form fills {found} printed page(s), but `pages: {declared}` is declared: add rows, a `newpage`, or declare `pages: {found}`")
    } else {
        return Ok(());
    };
    Err(vec![Problem::Key {
        key: "pages",
        message,
    }])
}

/// The height each row needs (mm); merged cells that need more grow the last row they cover.
fn row_heights(block: &Block) -> Result<Vec<f32>, Vec<Problem>> {
    let m = block.metrics;
    let mut problems = Vec::new();
    let mut heights = Vec::with_capacity(block.rows.len());
    for row in &block.rows {
        let need = row
            .cells
            .iter()
            .filter(|c| c.rows == 1)
            .map(|c| cell_need(block, c))
            .fold(0.0, f32::max);
        let h = match row.height {
            Height::Auto | Height::Fill => need.max(m.min_row_mm()),
            Height::Mm(h) => h,
            Height::Lines(n) => n as f32 * m.writing_line_mm(),
        };
        if h + 0.05 < need {
            problems.push(Problem::At { line: row.line, col: 1, message: format!("this row is {}mm high, too low for its text, which needs {}mm: raise `h=` or remove it", fmt_mm(h), fmt_mm(need)) });
        }
        heights.push(round1(h));
    }
    grow_for_merges(block, &mut heights, &mut problems);
    if problems.is_empty() {
        Ok(heights)
    } else {
        Err(problems)
    }
}

fn grow_for_merges(block: &Block, heights: &mut [f32], problems: &mut Vec<Problem>) {
    for (r, row) in block.rows.iter().enumerate() {
        for cell in row.cells.iter().filter(|c| c.rows > 1) {
            let last = r + cell.rows - 1;
            let have: f32 = heights[r..=last].iter().sum();
            let need = cell_need(block, cell);
            if need <= have + 0.05 {
                continue;
            }
            if matches!(block.rows[last].height, Height::Auto | Height::Fill) {
                heights[last] = round1(heights[last] + need - have);
            } else {
                problems.push(Problem::At { line: row.line, col: cell.src_col, message: format!("this merged cell needs {}mm for its text, but its rows are {}mm high: raise their `h=`", fmt_mm(need), fmt_mm(have)) });
            }
        }
    }
}

/// Height a cell's content needs (mm): its lines of text plus padding.
pub fn cell_need(block: &Block, cell: &Cell) -> f32 {
    let m = block.metrics;
    let per_line = cell_per_line(block, cell);
    let lines = match &cell.body {
        // Word's Shift+Enter (U+000B) starts a new line in the cell.
        Body::Label(t) => t
            .split(crate::html::LINE_BREAK)
            .map(|l| (text_em(l) / per_line).ceil().max(1.0))
            .sum(),
        Body::Number => 1.0,
        Body::Inline(parts) => inline_lines(parts, per_line, m.char_mm()),
        Body::Area(trailer) => {
            let trailer_lines: f32 = trailer
                .iter()
                .map(|l| inline_lines(l, per_line, m.char_mm()))
                .sum();
            trailer_lines + 1.0
        }
    };
    lines.max(1.0) * m.line_mm() + 2.0 * m.pad().1
}

/// How much of a line (ems) is kept free before a check box, blank or date is moved to the next line:
/// real glyphs (punctuation, spaces) run a little wider than the 1 em / ½ em estimate.
const FIT_SLACK_EM: f32 = 0.6;

/// Lines inline parts take in a line of `per_line` ems: check boxes and blanks do not break.
fn inline_lines(parts: &[Part], per_line: f32, char_mm: f32) -> f32 {
    let mut lines = 1.0;
    let mut x = 0.0;
    for p in parts {
        let w = parts_em(std::slice::from_ref(p), char_mm);
        if matches!(p, Part::Text(_)) {
            x += w;
            while x > per_line {
                lines += 1.0;
                x -= per_line;
            }
        } else if x + w > per_line - FIT_SLACK_EM && x > 0.0 {
            lines += 1.0;
            x = w;
        } else {
            x += w;
        }
    }
    lines
}

/// Indices of the check boxes, blanks and dates that start a new line in a cell (they never break
/// inside, so the .docx breaks before them where the HTML wraps them whole).
pub fn unbreakable_starts(block: &Block, cell: &Cell, parts: &[Part]) -> Vec<usize> {
    let m = block.metrics;
    let per_line = cell_per_line(block, cell);
    let mut starts = Vec::new();
    let mut x = 0.0;
    for (i, p) in parts.iter().enumerate() {
        let w = parts_em(std::slice::from_ref(p), m.char_mm());
        if matches!(p, Part::Text(_)) {
            x += w;
            while x > per_line {
                x -= per_line;
            }
        } else if x + w > per_line - FIT_SLACK_EM && x > 0.0 {
            starts.push(i);
            x = w;
        } else {
            x += w;
        }
    }
    starts
}

/// Full-width characters a line of the cell holds.
fn cell_per_line(block: &Block, cell: &Cell) -> f32 {
    let m = block.metrics;
    let width: f32 = block.columns[cell.col..cell.col + cell.span].iter().sum();
    ((width - 2.0 * m.pad().0) / m.char_mm()).floor().max(1.0)
}

/// Rows grouped into units, repeat rows expanded (`fill_count` rows for `repeat=*`).
fn units(block: &Block, heights: &[f32], fill_count: u32) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut r = 0;
    while r < block.rows.len() {
        let row = &block.rows[r];
        if let Some(rep) = row.repeat {
            let n = match rep {
                Repeat::Count(n) => n,
                Repeat::Fill => fill_count,
            };
            for k in 1..=n {
                let placed = PlacedRow {
                    row: r,
                    number: Some(row.from + k - 1),
                    height: heights[r],
                };
                units.push(Unit {
                    rows: vec![placed],
                    head: row.head,
                    break_before: row.break_before && k == 1,
                    line: row.line,
                });
            }
            r += 1;
            continue;
        }
        let end = group_end(block, r);
        let rows = (r..=end)
            .map(|i| PlacedRow {
                row: i,
                number: None,
                height: heights[i],
            })
            .collect();
        units.push(Unit {
            rows,
            head: row.head,
            break_before: row.break_before,
            line: row.line,
        });
        r = end + 1;
    }
    units
}

/// The last row of the run starting at `r` that vertical merges tie together.
fn group_end(block: &Block, r: usize) -> usize {
    let mut end = r;
    let mut i = r;
    while i <= end {
        for c in &block.rows[i].cells {
            end = end.max(i + c.rows - 1);
        }
        i += 1;
    }
    end
}

struct Pager {
    sheets: Vec<Sheet>,
    table: Vec<PlacedRow>,
    used: f32,
    room: f32,
}

impl Pager {
    fn new_sheet(&mut self) {
        self.flush_table();
        self.sheets.push(Sheet { items: Vec::new() });
        self.used = 0.0;
    }
    fn flush_table(&mut self) {
        if !self.table.is_empty() {
            let rows = std::mem::take(&mut self.table);
            self.sheets
                .last_mut()
                .expect("a sheet")
                .items
                .push(SheetItem::Table(rows));
        }
    }
    fn push(&mut self, item: SheetItem, h: f32) {
        self.sheets.last_mut().expect("a sheet").items.push(item);
        self.used += h;
    }
    fn fits(&self, h: f32) -> bool {
        self.used + h <= self.room + 0.01
    }
}

fn paginate(block: &Block, paper: Paper, units: &[Unit]) -> Result<Vec<Sheet>, Vec<Problem>> {
    let mut p = Pager {
        sheets: vec![Sheet { items: Vec::new() }],
        table: Vec::new(),
        used: 0.0,
        room: paper.content_height(),
    };
    p.push(SheetItem::Title, TITLE_MM);
    for i in 0..block.header.len() {
        p.push(SheetItem::Header(i), HEADER_MM);
    }
    let mut head: Vec<PlacedRow> = Vec::new();
    let mut in_head = false;
    for unit in units {
        if unit.head && !in_head {
            head.clear();
        }
        in_head = unit.head;
        let h = unit.height();
        if unit.break_before || !p.fits(h) {
            p.new_sheet();
            if !unit.head && !head.is_empty() {
                p.used += head.iter().map(|r| r.height).sum::<f32>();
                p.table.extend(head.iter().copied());
            }
            if !p.fits(h) {
                let message = format!("these rows are {}mm high together, more than a sheet holds ({}mm with the repeated head rows): lower them", fmt_mm(h), fmt_mm(p.room - p.used));
                return Err(vec![Problem::At {
                    line: unit.line,
                    col: 1,
                    message,
                }]);
            }
        }
        if unit.head {
            head.extend(unit.rows.iter().copied());
        }
        p.table.extend(unit.rows.iter().copied());
        p.used += h;
    }
    p.flush_table();
    for (i, a) in block.after.iter().enumerate() {
        let h = after_height(a, block.width());
        if !p.fits(h) {
            p.new_sheet();
        }
        p.push(SheetItem::After(i, h), h);
    }
    Ok(p.sheets)
}

/// Height of a note or signature line under the table (mm), for a table `width` mm wide.
pub fn after_height(a: &After, width: f32) -> f32 {
    match a {
        After::Sign(_) => SIGN_MM,
        After::Note(l) => {
            let char_mm = NOTE_PT * PT_MM;
            let per_line = (width / char_mm).floor().max(1.0);
            let em: f32 = l.groups.iter().map(|g| parts_em(g, char_mm)).sum();
            (em / per_line).ceil().max(1.0) * NOTE_LINE_MM + 1.5
        }
    }
}

fn sheet_used(block: &Block, sheet: &Sheet) -> f32 {
    let _ = block;
    sheet
        .items
        .iter()
        .map(|i| match i {
            SheetItem::Title => TITLE_MM,
            SheetItem::Header(_) => HEADER_MM,
            SheetItem::Table(rows) => rows.iter().map(|r| r.height).sum(),
            SheetItem::After(_, h) => *h,
        })
        .sum()
}

/// Shares the room left on each sheet among its `h=*` rows.
fn grow_fill_rows(block: &Block, paper: Paper, mut sheets: Vec<Sheet>) -> Vec<Sheet> {
    for sheet in &mut sheets {
        let left = paper.content_height() - sheet_used(block, sheet);
        let is_fill =
            |r: &PlacedRow| block.rows[r.row].height == Height::Fill && r.number.is_none();
        let count = sheet
            .items
            .iter()
            .map(|i| {
                if let SheetItem::Table(rows) = i {
                    rows.iter().filter(|r| is_fill(r)).count()
                } else {
                    0
                }
            })
            .sum::<usize>();
        if count == 0 || left <= 0.0 {
            continue;
        }
        let extra = (left / count as f32 * 10.0).floor() / 10.0;
        for item in &mut sheet.items {
            if let SheetItem::Table(rows) = item {
                for r in rows.iter_mut().filter(|r| is_fill(r)) {
                    r.height = round1(r.height + extra);
                }
            }
        }
    }
    sheets
}

fn round1(x: f32) -> f32 {
    (x * 10.0).round() / 10.0
}

/// `30`, `12.5`: millimetres without needless decimals.
pub fn fmt_mm(x: f32) -> String {
    let r = round1(x);
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::syntax::{parse_block, Source};

    fn block(text: &str) -> Block {
        parse_block(
            text,
            &Source {
                path: "t.md",
                first_line: 1,
            },
        )
        .unwrap()
    }

    fn spec(pages: u32) -> Spec<'static> {
        Spec {
            paper: Paper::A4Portrait,
            pages,
            title: "立项审批表",
        }
    }

    fn table_rows(s: &Sheet) -> Vec<PlacedRow> {
        s.items
            .iter()
            .filter_map(|i| {
                if let SheetItem::Table(r) = i {
                    Some(r.clone())
                } else {
                    None
                }
            })
            .flatten()
            .collect()
    }

    #[test]
    fn fill_rows_take_the_rest_of_the_sheet() {
        let b = block("columns: 40 130\nheader: 编号：___\n| [事项名称] | ___ |\n| [意见] | ___ （盖章） 年 月 日 | h=*\nsign: 填表人：___\n");
        let sheets = lay_out(&b, &spec(1)).unwrap();
        assert_eq!(sheets.len(), 1);
        let total = sheet_used(&b, &sheets[0]);
        assert!(
            (Paper::A4Portrait.content_height() - total).abs() < 0.2,
            "{total}"
        );
        assert_eq!(table_rows(&sheets[0])[0].height, 10.0);
    }

    #[test]
    fn repeat_rows_continue_with_their_head() {
        let b = block("columns: 20 150\n| [序号] | [姓名] | head\n| # | ___ | repeat=40 h=10mm\n");
        let sheets = lay_out(&b, &spec(2)).unwrap();
        assert_eq!(sheets.len(), 2);
        let second = table_rows(&sheets[1]);
        assert_eq!(second[0].row, 0, "head repeated");
        assert_eq!(second[1].number.unwrap() + second.len() as u32 - 2, 40);
        let err = lay_out(&b, &spec(1)).unwrap_err();
        assert!(
            matches!(&err[0], Problem::Key { key: "pages", message } if message.contains("takes 2 printed pages")),
            "{err:?}"
        );
    }

    #[test]
    fn repeat_star_fills_the_declared_pages() {
        let b = block("columns: 20 150\n| [序号] | [姓名] | head\n| # | ___ | repeat=* h=10mm\n");
        let one = table_rows(&lay_out(&b, &spec(1)).unwrap()[0]).len();
        assert_eq!(
            one,
            1 + ((Paper::A4Portrait.content_height() - TITLE_MM - 10.0) / 10.0) as usize
        );
        assert_eq!(lay_out(&b, &spec(2)).unwrap().len(), 2);
    }

    #[test]
    fn text_that_does_not_fit_is_reported() {
        let b = block("columns: 20 150\n| [社会稳定风险评估事项名称] | ___ | h=8mm\n");
        let err = lay_out(&b, &spec(1)).unwrap_err();
        assert!(
            matches!(&err[0], Problem::At { line: 2, message, .. } if message.contains("too low for its text")),
            "{err:?}"
        );
        let b = block("columns: 100 100\n| [a] | ___ |\n");
        let err = lay_out(&b, &spec(1)).unwrap_err();
        assert!(
            matches!(&err[0], Problem::At { line: 1, message, .. } if message.contains("200mm, wider than the 170mm")),
            "{err:?}"
        );
    }

    #[test]
    fn newpage_starts_a_sheet_and_too_few_pages_is_an_error() {
        let b = block("columns: 40 130\n| [a] | ___ |\nnewpage\n| [b] | ___ | h=*\n");
        assert_eq!(lay_out(&b, &spec(2)).unwrap().len(), 2);
        let err = lay_out(&b, &spec(3)).unwrap_err();
        assert!(
            matches!(&err[0], Problem::Key { key: "pages", message } if message.contains("fills 2 printed page")),
            "{err:?}"
        );
    }
}
