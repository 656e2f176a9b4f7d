//! Grid placement: which grid columns each cell covers, and the mistakes in merges.
//!
//! Stage: parse (after the syntax). Input: a [`Block`] whose cells are in writing order. Output: each
//! cell's first column set (cells covered by a `rows=` merge from above are skipped, as in HTML), and
//! diagnostics for rows wider or narrower than the grid, overlapping merges, merges that run past the
//! table, across a page break or into repeated rows, and `#` outside `repeat` rows. Entry: [`place`].

use super::model::*;
use crate::diagnostic::Diagnostic;

/// Places every cell; `broken[r]` marks rows with unreadable cells (not checked for width).
pub fn place(block: &mut Block, broken: &[bool], path: &str) -> Vec<Diagnostic> {
    let ncols = block.columns.len();
    let nrows = block.rows.len();
    let columns_line = block.columns_line;
    let mut diags = Vec::new();
    let mut occ: Vec<Vec<Option<usize>>> = vec![vec![None; ncols]; nrows];
    let mut err =
        |line: usize, col: usize, m: String| diags.push(Diagnostic::error(path, line, col, m));
    for r in 0..nrows {
        let mut c = 0;
        let mut reported = broken.get(r).copied().unwrap_or(false);
        let line = block.rows[r].line;
        let repeat = block.rows[r].repeat.is_some();
        for ci in 0..block.rows[r].cells.len() {
            while c < ncols && occ[r][c].is_some() {
                c += 1;
            }
            let cell = block.rows[r].cells[ci].clone();
            if c + cell.span > ncols {
                err(line, cell.src_col, format!("this cell makes the row wider than the grid: the table has {ncols} columns (`columns:` on line {columns_line}), this row needs {}", c + cell.span));
                reported = true;
                break;
            }
            if let Some(from) = (c..c + cell.span).find_map(|k| occ[r][k]) {
                err(line, cell.src_col, format!("this cell overlaps the merged cell from line {from} (its `rows=` reaches this row): leave that column out of this row or shorten the merge"));
                reported = true;
                break;
            }
            if matches!(cell.body, Body::Number) && !repeat {
                err(
                    line,
                    cell.src_col,
                    "a `#` row number belongs in a `repeat=N` row: write text or `___` here".into(),
                );
            }
            if let Some(m) = merge_problem(&block.rows, r, cell.rows) {
                err(line, cell.src_col, m);
            }
            for row in occ.iter_mut().skip(r).take(cell.rows) {
                for slot in row.iter_mut().skip(c).take(cell.span) {
                    *slot = Some(line);
                }
            }
            let span = cell.span;
            block.rows[r].cells[ci].col = c;
            c += span;
        }
        let covered = occ[r].iter().filter(|s| s.is_some()).count();
        if covered < ncols && !reported {
            err(line, 1, format!("this row covers {covered} of the {ncols} columns: add cells or widen one with `{{span=N}}`"));
        }
    }
    let fills = block
        .rows
        .iter()
        .filter(|r| r.repeat == Some(Repeat::Fill))
        .count();
    if fills > 1 {
        let line = block
            .rows
            .iter()
            .filter(|r| r.repeat == Some(Repeat::Fill))
            .nth(1)
            .map_or(1, |r| r.line);
        err(
            line,
            1,
            "only one row may say `repeat=*`: give the others a count, e.g. `repeat=10`".into(),
        );
    }
    diags
}

/// Why a cell may not cover `rows` rows starting at row `r`, if it may not.
fn merge_problem(rows: &[Row], r: usize, span: usize) -> Option<String> {
    if span == 1 {
        return None;
    }
    if r + span > rows.len() {
        return Some(format!(
            "`rows={span}` reaches past the last row: the table has {} rows from here",
            rows.len() - r
        ));
    }
    if rows[r..r + span].iter().any(|row| row.repeat.is_some()) {
        return Some(format!(
            "`rows={span}` merges a `repeat` row: repeated rows cannot be merged vertically"
        ));
    }
    if rows[r + 1..r + span].iter().any(|row| row.break_before) {
        return Some(format!(
            "`rows={span}` runs across a `newpage`: a merged cell stays on one page"
        ));
    }
    if rows[r + 1..r + span]
        .iter()
        .any(|row| row.head != rows[r].head)
    {
        return Some(format!(
            "`rows={span}` mixes `head` rows and body rows: mark all of its rows `head`, or none"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::forms::syntax::{parse_block, Source};

    fn messages(text: &str) -> Vec<String> {
        let src = Source {
            path: "content/forms/t.md",
            first_line: 1,
        };
        match parse_block(text, &src) {
            Ok(_) => Vec::new(),
            Err(d) => d
                .iter()
                .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
                .collect(),
        }
    }

    #[test]
    fn merges_place_cells_like_html() {
        let src = Source {
            path: "t.md",
            first_line: 1,
        };
        let b = parse_block(
            "columns: 20 20 20\n| [a] {rows=2} | [b] | [c] |\n| ___ | ___ |\n",
            &src,
        )
        .unwrap();
        assert_eq!(
            b.rows[1].cells.iter().map(|c| c.col).collect::<Vec<_>>(),
            [1, 2]
        );
    }

    #[test]
    fn overlapping_and_overflowing_merges_are_errors() {
        let m =
            messages("columns: 20 20 20\n| [a] | [b] {rows=2} | [c] |\n| ___ {span=2} | ___ |\n");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("3:3: this cell makes the row wider")
                || m[0].starts_with("3:3: this cell overlaps"),
            "{m:?}"
        );
        let m = messages("columns: 20 20\n| [a] | ___ {rows=3} |\n| [b] |\n");
        assert!(
            m[0].starts_with("2:9: `rows=3` reaches past the last row"),
            "{m:?}"
        );
        let m = messages("columns: 20 20\n| [a] | ___ |\n| [b] |\n");
        assert!(
            m[0].starts_with("3:1: this row covers 1 of the 2 columns"),
            "{m:?}"
        );
        let m = messages("columns: 20 20\n| [a] | ___ {rows=2} |\nnewpage\n| [b] |\n");
        assert!(m[0].contains("across a `newpage`"), "{m:?}");
        let m = messages("columns: 20 20\n| # | ___ |\n");
        assert!(m[0].starts_with("2:3: a `#` row number"), "{m:?}");
    }

    #[test]
    fn a_row_wider_than_the_grid() {
        let m = messages("columns: 20 20\n| [a] | ___ | ___ |\n");
        assert_eq!(m, ["2:15: this cell makes the row wider than the grid: the table has 2 columns (`columns:` on line 1), this row needs 3"]);
    }
}
