//! HTML of a form: its sheets as on paper, and the size classes they use.
//!
//! Stage: render. Input: a laid-out [`Form`]. Output: the sheets' HTML ([`render_sheets`]) — one
//! `<section class="sheet">` per printed page with the title, header lines, the table, notes,
//! signature lines and the page number — and `forms/layout.css` ([`layout_css`]), the size classes
//! (`fh-300` = height 30.0mm, `fw-450` = width 45.0mm) every form uses. Sizes travel as classes, never
//! as `style=""`, so pages work under `Content-Security-Policy: default-src 'self'`. Every blank, date
//! part and check box carries `data-f` (its number in the form), which the fill-in script keys on.

use super::model::*;
use crate::html::{escape, escape_breaking};
use std::collections::BTreeSet;
use std::fmt::Write;

/// A size class: `fh-300` (height 30mm) or `fw-450` (width 45mm).
fn size_class(prefix: &str, mm: f32) -> String {
    format!("{prefix}-{}", (mm * 10.0).round() as i64)
}

struct Writer<'a> {
    form: &'a Form,
    out: String,
    field: usize,
}

/// The sheets of a form.
pub fn render_sheets(form: &Form) -> String {
    let mut w = Writer {
        form,
        out: String::with_capacity(16 * 1024),
        field: 0,
    };
    let paper = if form.paper.is_landscape() {
        "landscape"
    } else {
        "portrait"
    };
    let font = (form.block.metrics.font_pt * 10.0).round() as i64;
    let _ = writeln!(
        w.out,
        "<div class=\"form-doc paper-{paper} font-{font}\" data-form=\"{}\" data-version=\"{}\">",
        escape(&form.id),
        escape(form.version.as_deref().unwrap_or(""))
    );
    let total = form.sheets.len();
    for (n, sheet) in form.sheets.iter().enumerate() {
        let _ = write!(w.out, "<section class=\"sheet\" aria-label=\"第{}页，共{total}页\">\n<div class=\"sheet-body\">\n", n + 1);
        for item in &sheet.items {
            w.item(item);
        }
        let _ = write!(
            w.out,
            "</div>\n<div class=\"page-no\">— {} —</div>\n</section>\n",
            n + 1
        );
    }
    w.out.push_str("</div>\n");
    w.out
}

impl Writer<'_> {
    fn next_field(&mut self) -> usize {
        self.field += 1;
        self.field
    }

    fn item(&mut self, item: &SheetItem) {
        let block = &self.form.block;
        let width = size_class("fw", block.width());
        match item {
            SheetItem::Title => {
                let _ = writeln!(
                    self.out,
                    "<p class=\"form-title {}\">{}</p>",
                    size_class("fw", self.form.paper.content_width()),
                    escape(&self.form.title)
                );
            }
            SheetItem::Header(i) => self.line(&block.header[*i], "form-header", HEADER_MM),
            SheetItem::Table(rows) => self.table(rows),
            SheetItem::After(i, h) => match &block.after[*i] {
                After::Sign(l) => self.line(l, "form-sign", SIGN_MM),
                After::Note(l) => {
                    let _ = write!(
                        self.out,
                        "<p class=\"form-note {width} {}\">",
                        size_class("fh", *h)
                    );
                    for g in &l.groups {
                        self.parts(g);
                    }
                    self.out.push_str("</p>\n");
                }
            },
        }
    }

    fn line(&mut self, l: &TextLine, class: &str, h: f32) {
        let _ = write!(
            self.out,
            "<div class=\"form-line {class} {} {}\">",
            size_class("fw", self.form.block.width()),
            size_class("fh", h)
        );
        for g in &l.groups {
            self.out.push_str("<span class=\"grp\">");
            self.parts(g);
            self.out.push_str("</span>");
        }
        self.out.push_str("</div>\n");
    }

    fn table(&mut self, rows: &[PlacedRow]) {
        let block = &self.form.block;
        let _ = write!(
            self.out,
            "<table class=\"form-grid {}\">\n<colgroup>",
            size_class("fw", block.width())
        );
        for c in &block.columns {
            let _ = write!(self.out, "<col class=\"{}\">", size_class("fw", *c));
        }
        self.out.push_str("</colgroup>\n<tbody>\n");
        // HTML requires a cell to begin in every column a <col> establishes. When no cell of this
        // sheet's rows begins in some column (every row spans it), an empty row of one cell per
        // column, zero high and hidden from assistive technology, keeps the grid valid.
        let mut starts = vec![false; block.columns.len()];
        for r in rows {
            for cell in &block.rows[r.row].cells {
                if let Some(s) = starts.get_mut(cell.col) {
                    *s = true;
                }
            }
        }
        if starts.contains(&false) {
            self.out
                .push_str("<tr class=\"grid-cols\" aria-hidden=\"true\">");
            for _ in &block.columns {
                self.out.push_str("<td></td>");
            }
            self.out.push_str("</tr>\n");
        }
        for r in rows {
            let row = &block.rows[r.row];
            let head = if row.head { " head" } else { "" };
            let _ = write!(
                self.out,
                "<tr class=\"{}{head}\">",
                size_class("fh", r.height)
            );
            for cell in &row.cells {
                self.cell(cell, r.number);
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table>\n");
    }

    fn cell(&mut self, cell: &Cell, number: Option<u32>) {
        let (tag, kind) = match cell.body {
            Body::Label(_) => ("th", "lbl"),
            Body::Number => ("td", "num"),
            Body::Area(_) => ("td", "area"),
            Body::Inline(_) => ("td", "txt"),
        };
        let _ = write!(self.out, "<{tag} class=\"{kind} a-{}\"", cell.align.name());
        if cell.span > 1 {
            let _ = write!(self.out, " colspan=\"{}\"", cell.span);
        }
        if cell.rows > 1 {
            let _ = write!(self.out, " rowspan=\"{}\"", cell.rows);
        }
        self.out.push('>');
        match &cell.body {
            Body::Label(t) => self.out.push_str(&escape_breaking(t, false, "<br>")),
            Body::Number => {
                let _ = write!(self.out, "{}", number.unwrap_or(0));
            }
            Body::Inline(parts) => self.parts(parts),
            Body::Area(trailer) => {
                let f = self.next_field();
                let _ = write!(self.out, "<div class=\"fill\" data-f=\"{f}\"></div>");
                if !trailer.is_empty() {
                    self.out.push_str("<div class=\"trailer\">");
                    for line in trailer {
                        self.out.push_str("<p>");
                        self.parts(line);
                        self.out.push_str("</p>");
                    }
                    self.out.push_str("</div>");
                }
            }
        }
        let _ = write!(self.out, "</{tag}>");
    }

    fn parts(&mut self, parts: &[Part]) {
        for p in parts {
            match p {
                Part::Text(t) => self.out.push_str(&escape_breaking(t, false, "<br>")),
                Part::Check(label) => {
                    let f = self.next_field();
                    let _ = write!(self.out, "<span class=\"opt\"><span class=\"chk\" data-f=\"{f}\" role=\"checkbox\" aria-checked=\"false\" aria-label=\"{}\">□</span>{}</span>", escape(label), escape(label));
                }
                Part::Field(n) => {
                    let f = self.next_field();
                    let _ = write!(
                        self.out,
                        "<span class=\"field {}\" data-f=\"{f}\"></span>",
                        size_class("fw", field_mm(*n))
                    );
                }
                Part::Date => {
                    self.out.push_str("<span class=\"date\">");
                    for (class, unit) in [("dy", "年"), ("dm", "月"), ("dd", "日")] {
                        let f = self.next_field();
                        let _ = write!(
                            self.out,
                            "<span class=\"field {class}\" data-f=\"{f}\"></span>{unit}"
                        );
                    }
                    self.out.push_str("</span>");
                }
            }
        }
    }
}

/// Every size class a form uses.
fn size_classes(form: &Form, set: &mut BTreeSet<(char, i64)>) {
    let tenth = |mm: f32| (mm * 10.0).round() as i64;
    let block = &form.block;
    set.insert(('w', tenth(form.paper.content_width())));
    set.insert(('w', tenth(block.width())));
    set.extend(block.columns.iter().map(|c| ('w', tenth(*c))));
    set.extend([('h', tenth(HEADER_MM)), ('h', tenth(SIGN_MM))]);
    let lines = block
        .header
        .iter()
        .chain(block.after.iter().map(|a| match a {
            After::Note(l) | After::Sign(l) => l,
        }));
    let cells = block
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .flat_map(|c| match &c.body {
            Body::Inline(p) => vec![p.as_slice()],
            Body::Area(t) => t.iter().map(|l| l.as_slice()).collect(),
            _ => Vec::new(),
        });
    for parts in lines
        .flat_map(|l| l.groups.iter().map(|g| g.as_slice()))
        .chain(cells)
    {
        for p in parts {
            if let Part::Field(n) = p {
                set.insert(('w', tenth(field_mm(*n))));
            }
        }
    }
    for item in form.sheets.iter().flat_map(|s| &s.items) {
        match item {
            SheetItem::Table(rows) => set.extend(rows.iter().map(|r| ('h', tenth(r.height)))),
            SheetItem::After(_, h) => {
                set.insert(('h', tenth(*h)));
            }
            _ => {}
        }
    }
}

/// `forms/layout.css`: the size classes of every form, sorted (so builds are byte-identical).
pub fn layout_css(forms: &[&Form]) -> String {
    let mut set = BTreeSet::new();
    for f in forms {
        size_classes(f, &mut set);
    }
    let mut css = String::from("/* Generated by portal from the forms' sources: row heights (fh-) and widths (fw-) in tenths of a mm. */\n");
    for (kind, tenth) in set {
        let (prop, prefix) = if kind == 'h' {
            ("height", "fh")
        } else {
            ("width", "fw")
        };
        let mm = layout_mm(tenth);
        let _ = writeln!(css, ".{prefix}-{tenth}{{{prop}:{mm}mm}}");
    }
    css
}

fn layout_mm(tenth: i64) -> String {
    if tenth % 10 == 0 {
        format!("{}", tenth / 10)
    } else {
        format!("{}.{}", tenth / 10, tenth % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::syntax::{parse_block, Source};
    use std::sync::Arc;

    fn form(text: &str) -> Form {
        let block = parse_block(
            text,
            &Source {
                path: "t.md",
                first_line: 1,
            },
        )
        .unwrap();
        let spec = super::super::layout::Spec {
            paper: Paper::A4Portrait,
            pages: 1,
            title: "审批表",
        };
        let sheets = super::super::layout::lay_out(&block, &spec).unwrap();
        Form {
            id: "t".into(),
            title: "审批表<b>".into(),
            paper: Paper::A4Portrait,
            pages: 1,
            steps: Vec::new(),
            version: None,
            block: Arc::new(block),
            sheets,
            html: Default::default(),
            docx: Default::default(),
        }
    }

    #[test]
    fn sheets_carry_classes_fields_and_merges() {
        let f = form("columns: 30 140\nheader: 编号：___\n| [事项<名称>] | ___ （盖章） 年 月 日 {rows=2} | h=20mm\n| [类别] |\n| □实施 □不实施 {span=2} |\n");
        let html = f.sheets_html();
        assert!(
            html.starts_with("<div class=\"form-doc paper-portrait font-120\" data-form=\"t\""),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"form-title fw-1700\">审批表&lt;b&gt;</p>"),
            "{html}"
        );
        assert!(html.contains("<th class=\"lbl a-center\">事项&lt;名称&gt;</th><td class=\"area a-left\" rowspan=\"2\"><div class=\"fill\" data-f=\"2\"></div><div class=\"trailer\"><p>（盖章）</p><p><span class=\"date\">"), "{html}");
        assert!(html.contains("<tr class=\"fh-200\">"), "{html}");
        assert!(html.contains("<span class=\"chk\" data-f=\"6\" role=\"checkbox\" aria-checked=\"false\" aria-label=\"实施\">□</span>实施</span>"), "{html}");
        assert!(html.contains("<div class=\"page-no\">— 1 —</div>"));
        assert!(!html.contains("style="));
        let css = layout_css(&[&f]);
        assert!(
            css.contains(".fh-200{height:20mm}") && css.contains(".fw-300{width:30mm}"),
            "{css}"
        );
    }
}
