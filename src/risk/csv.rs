//! Factors from CSV: the file `portal risk` checks and the worksheet page exports.
//!
//! Stage: parse (pure). Input: the CSV text (UTF-8, optional BOM, RFC 4180 quoting, CRLF or LF) and a
//! validated [`Worksheet`]. Output: [`CsvFactors`] and diagnostics at `FILE:line:col` for every bad
//! header, row or value. Entry: [`read_factors`].
//!
//! Header (any order; names as written here):
//! `dimension,factor,likelihood,consequence,weight,likelihood_after,consequence_after`, optionally
//! followed by `measures`, `owner` (kept aside) and `score`, `degree`, `score_after`, `degree_after`
//! (checked against the worksheet; a mismatch is a warning). A cell the page neutralised for
//! spreadsheets (`'=…`, `'+…`, `'-…`, `'@…`) is read back without the `'`.

use super::config::{Worksheet, SCALE};
use super::model::{evaluate, Factor};
use crate::diagnostic::Diagnostic;

/// The columns every factors file has.
pub const REQUIRED: [&str; 7] = [
    "dimension",
    "factor",
    "likelihood",
    "consequence",
    "weight",
    "likelihood_after",
    "consequence_after",
];
/// Columns a factors file may add (the page's export writes them all).
pub const OPTIONAL: [&str; 6] = [
    "measures",
    "owner",
    "score",
    "degree",
    "score_after",
    "degree_after",
];

/// One CSV field with the file position of its first character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    pub line: usize,
    pub col: usize,
}

/// Factors read from a CSV with the positions later checks point at.
#[derive(Debug, Clone, Default)]
pub struct CsvFactors {
    pub factors: Vec<Factor>,
    /// File line of each factor's row.
    pub lines: Vec<usize>,
    /// Column of each factor's `weight` field.
    pub weight_cols: Vec<usize>,
    /// Line and column of the `weight` header.
    pub weight_header: (usize, usize),
}

/// Splits CSV text into records of positioned fields. Blank lines are skipped. An unclosed quote
/// is an error at the quote.
pub fn parse_records(text: &str) -> Result<Vec<Vec<Field>>, (usize, usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record: Vec<Field> = Vec::new();
    let mut chars = text.chars().peekable();
    let (mut line, mut col) = (1usize, 1usize);
    let mut field = Field {
        text: String::new(),
        line,
        col,
    };
    let mut quoted: Option<(usize, usize)> = None;
    while let Some(ch) = chars.next() {
        let here = (line, col);
        if ch == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        match (quoted, ch) {
            (Some(_), '"') if chars.peek() == Some(&'"') => {
                chars.next();
                col += 1;
                field.text.push('"');
            }
            (Some(_), '"') => quoted = None,
            (Some(_), c) => field.text.push(c),
            (None, '"') if field.text.is_empty() => quoted = Some(here),
            (None, ',') => {
                record.push(std::mem::replace(
                    &mut field,
                    Field {
                        text: String::new(),
                        line,
                        col,
                    },
                ));
            }
            (None, '\r') if chars.peek() == Some(&'\n') => {}
            (None, '\n') => {
                record.push(std::mem::replace(
                    &mut field,
                    Field {
                        text: String::new(),
                        line,
                        col,
                    },
                ));
                push_record(&mut records, std::mem::take(&mut record));
            }
            (None, c) => field.text.push(c),
        }
    }
    if let Some((l, c)) = quoted {
        return Err((
            l,
            c,
            "this quoted field is never closed: expected a closing `\"`".into(),
        ));
    }
    record.push(field);
    push_record(&mut records, record);
    Ok(records)
}

fn push_record(records: &mut Vec<Vec<Field>>, record: Vec<Field>) {
    let blank = record.len() == 1 && record[0].text.trim().is_empty();
    if !blank {
        records.push(record);
    }
}

/// Undoes the page's spreadsheet neutralisation: `'=1+1` → `=1+1`.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// The columns of a header row: name → index. Reports unknown, repeated and missing columns.
fn read_header(
    path: &str,
    header: &[Field],
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Option<usize>>> {
    let all: Vec<&str> = REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect();
    let mut at: Vec<Option<usize>> = vec![None; all.len()];
    for (i, f) in header.iter().enumerate() {
        let name = f.text.trim().to_ascii_lowercase();
        match all.iter().position(|c| *c == name) {
            Some(k) if at[k].is_some() => diags.push(Diagnostic::error(
                path,
                f.line,
                f.col,
                format!("column `{name}` appears twice"),
            )),
            Some(k) => at[k] = Some(i),
            None => diags.push(Diagnostic::error(
                path,
                f.line,
                f.col,
                format!(
                    "unknown column `{}`: expected {}",
                    f.text.trim(),
                    all.join(", ")
                ),
            )),
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .zip(&at)
        .filter(|(_, a)| a.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        diags.push(Diagnostic::error(
            path,
            1,
            1,
            format!(
                "missing column{} {}: the header is {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                REQUIRED.join(",")
            ),
        ));
        return None;
    }
    Some(at)
}

/// Reads the factors of a CSV file for `ws`. `path` names the file in diagnostics.
pub fn read_factors(ws: &Worksheet, path: &str, text: &str) -> (CsvFactors, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = CsvFactors::default();
    let records = match parse_records(text) {
        Ok(r) => r,
        Err((l, c, m)) => return (out, vec![Diagnostic::error(path, l, c, m)]),
    };
    let Some((header, rows)) = records.split_first() else {
        return (
            out,
            vec![Diagnostic::error(
                path,
                1,
                1,
                format!("empty file: expected the header {}", REQUIRED.join(",")),
            )],
        );
    };
    let Some(cols) = read_header(path, header, &mut diags) else {
        return (out, diags);
    };
    let w = cols[4].expect("required");
    out.weight_header = (header[w].line, header[w].col);
    if rows.is_empty() {
        diags.push(Diagnostic::error(
            path,
            header[0].line,
            1,
            "no factors: expected one row per risk factor under the header",
        ));
    }
    for row in rows {
        if row.len() != header.len() {
            diags.push(Diagnostic::error(
                path,
                row[0].line,
                1,
                format!(
                    "this row has {} fields, the header has {}",
                    row.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let cell = |k: usize| cols[k].map(|i| &row[i]);
        if let Some(f) = read_row(ws, path, &cell, &mut diags) {
            out.lines.push(row[0].line);
            out.weight_cols.push(row[w].col);
            out.factors.push(f);
        }
    }
    check_computed(ws, path, rows, &cols, &out, &mut diags);
    (out, diags)
}

type Cell<'a> = dyn Fn(usize) -> Option<&'a Field> + 'a;

fn read_row<'a>(
    ws: &Worksheet,
    path: &str,
    cell: &Cell<'a>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Factor> {
    let before = diags.len();
    let req = |k: usize| cell(k).expect("required column");
    let dim = req(0);
    let dimension = unneutralise(dim.text.trim()).to_string();
    if ws.dimension(&dimension).is_none() {
        let names: Vec<&str> = ws.dimensions.iter().map(|d| d.name.as_str()).collect();
        diags.push(Diagnostic::error(
            path,
            dim.line,
            dim.col,
            format!(
                "unknown dimension `{dimension}`: expected one of {}",
                names.join(", ")
            ),
        ));
    }
    let name = unneutralise(req(1).text.trim()).to_string();
    if name.is_empty() {
        diags.push(Diagnostic::error(
            path,
            req(1).line,
            req(1).col,
            "empty factor: expected the risk factor in words",
        ));
    }
    let likelihood = rating(path, req(2), REQUIRED[2], diags);
    let consequence = rating(path, req(3), REQUIRED[3], diags);
    let weight = read_weight(path, req(4), diags);
    let after = read_after(path, req(5), req(6), diags);
    if diags.len() > before {
        return None;
    }
    Some(Factor {
        dimension,
        name,
        likelihood: likelihood?,
        consequence: consequence?,
        weight: weight.ok()?,
        after: after.ok()?,
    })
}

fn rating(path: &str, f: &Field, column: &str, diags: &mut Vec<Diagnostic>) -> Option<u8> {
    match f.text.trim().parse::<u8>() {
        Ok(v) if (1..=SCALE as u8).contains(&v) => Some(v),
        _ => {
            let shown = if f.text.trim().is_empty() {
                "empty".to_string()
            } else {
                format!("`{}`", f.text.trim())
            };
            diags.push(Diagnostic::error(
                path,
                f.line,
                f.col,
                format!("{column} is {shown}: expected a whole number from 1 to 5"),
            ));
            None
        }
    }
}

fn read_weight(path: &str, f: &Field, diags: &mut Vec<Diagnostic>) -> Result<Option<f64>, ()> {
    let t = f.text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(w) if (0.0..=1.0).contains(&w) => Ok(Some(w)),
        _ => {
            diags.push(Diagnostic::error(
                path,
                f.line,
                f.col,
                format!("weight `{t}` is not a number from 0 to 1 (leave it empty for no weight)"),
            ));
            Err(())
        }
    }
}

fn read_after(
    path: &str,
    l: &Field,
    c: &Field,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<(u8, u8)>, ()> {
    match (l.text.trim().is_empty(), c.text.trim().is_empty()) {
        (true, true) => Ok(None),
        (false, false) => match (
            rating(path, l, REQUIRED[5], diags),
            rating(path, c, REQUIRED[6], diags),
        ) {
            (Some(a), Some(b)) => Ok(Some((a, b))),
            _ => Err(()),
        },
        (empty_l, _) => {
            let (f, name, other) = if empty_l {
                (l, REQUIRED[5], REQUIRED[6])
            } else {
                (c, REQUIRED[6], REQUIRED[5])
            };
            diags.push(Diagnostic::error(path, f.line, f.col, format!("{name} is empty but {other} is not: give both ratings after mitigation, or neither")));
            Err(())
        }
    }
}

/// Warns where the optional computed columns disagree with the worksheet.
fn check_computed(
    ws: &Worksheet,
    path: &str,
    rows: &[Vec<Field>],
    cols: &[Option<usize>],
    out: &CsvFactors,
    diags: &mut Vec<Diagnostic>,
) {
    let ev = evaluate(ws, &out.factors, ws.method);
    let by_line: std::collections::HashMap<usize, usize> =
        out.lines.iter().enumerate().map(|(i, &l)| (l, i)).collect();
    for row in rows {
        let Some(&i) = by_line.get(&row[0].line) else {
            continue;
        };
        let r = ev.factors[i];
        let expected = [
            r.score.to_string(),
            ws.degrees[r.degree].name.clone(),
            r.score_after.to_string(),
            ws.degrees[r.degree_after].name.clone(),
        ];
        for (k, want) in expected.iter().enumerate() {
            let Some(f) = cols[REQUIRED.len() + 2 + k].map(|c| &row[c]) else {
                continue;
            };
            let got = f.text.trim();
            if !got.is_empty() && got != want {
                let column = OPTIONAL[2 + k];
                diags.push(Diagnostic::warning(path, f.line, f.col, format!("{column} `{got}` does not match the site's worksheet, which gives `{want}`")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::config::tests::{parse, SAMPLE};

    const HEAD: &str =
        "dimension,factor,likelihood,consequence,weight,likelihood_after,consequence_after\n";

    fn read(text: &str) -> (CsvFactors, Vec<String>) {
        let ws = parse(SAMPLE).0.unwrap();
        let (f, d) = read_factors(&ws, "f.csv", text);
        (f, d.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn records_keep_positions_through_quotes_and_crlf() {
        let r = parse_records("\u{feff}a,\"b,\"\"c\"\"\"\r\n\"多\n行\",d\n\n").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0][1].text, "b,\"c\"");
        assert_eq!((r[0][1].line, r[0][1].col), (1, 3));
        assert_eq!(r[1][0].text, "多\n行");
        assert_eq!((r[1][1].line, r[1][1].col), (3, 4));
        assert_eq!(parse_records("a,\"open\n").unwrap_err().0, 1);
    }

    #[test]
    fn rows_become_factors() {
        let (f, d) = read(&format!(
            "\u{feff}{HEAD}合法性,'=补偿,4,4,0.5,2,4\n合理性,选址,3,3,0.5,,\n"
        ));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            f.factors[0].name, "=补偿",
            "the export's neutralising quote is dropped"
        );
        assert_eq!(f.factors[0].after, Some((2, 4)));
        assert_eq!(f.factors[1].after, None);
        assert_eq!(f.lines, [2, 3]);
    }

    #[test]
    fn bad_values_are_positioned() {
        let (_, d) = read(&format!("{HEAD}合法,x,6,3,1.5,2,\n"));
        assert_eq!(
            d,
            [
                "f.csv:2:1: error: unknown dimension `合法`: expected one of 合法性, 合理性, 可行性, 安全性, 可控性",
                "f.csv:2:6: error: likelihood is `6`: expected a whole number from 1 to 5",
                "f.csv:2:10: error: weight `1.5` is not a number from 0 to 1 (leave it empty for no weight)",
                "f.csv:2:16: error: consequence_after is empty but likelihood_after is not: give both ratings after mitigation, or neither",
            ]
        );
        let (_, d) = read("dimension,factor,likelihood\n");
        assert!(
            d[0].contains(
                "missing columns consequence, weight, likelihood_after, consequence_after"
            ),
            "{d:?}"
        );
        let (_, d) = read(&format!("{}note\n", HEAD.trim_end().to_string() + ","));
        assert!(
            d[0].starts_with("f.csv:1:83: error: unknown column `note`"),
            "{d:?}"
        );
    }

    #[test]
    fn computed_columns_are_checked() {
        let head = "dimension,factor,likelihood,consequence,weight,likelihood_after,consequence_after,score,degree";
        let (_, d) = read(&format!("{head}\n合法性,a,4,4,,,,16,一般\n"));
        assert_eq!(d, ["f.csv:2:17: warning: degree `一般` does not match the site's worksheet, which gives `较大`"]);
    }
}
