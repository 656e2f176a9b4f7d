//! Word (.docx) of a form, written as OOXML with the `zip` crate (the one home of `zip`).
//!
//! Stage: render. Input: a laid-out [`Form`]. Output: the bytes of a `.docx` ([`render_docx`]) with the
//! same sheets as the HTML: A4 in the form's orientation with its margins, one table per sheet with
//! the grid's column widths (`w:gridCol`), merges as `w:gridSpan` / `w:vMerge`, exact row heights
//! (`w:hRule="exact"`), head rows marked `w:tblHeader`, check boxes as □, East Asian fonts set
//! (`w:eastAsia` 宋体, title 黑体), and the page number "— N —" in the footer. Sheets after the first
//! start with `w:pageBreakBefore`, so Word, WPS and LibreOffice break pages where the HTML does.
//!
//! Why not docx-rs: it has no `w:tblHeader` (head rows repeated on each page) and stamps no fixed
//! zip dates; writing the few parts by hand keeps every byte under our control (builds are
//! byte-identical).

use super::model::*;
use crate::html::{escape_breaking, escape_xml};

/// Word's line break inside a run of text: what U+000B (Shift+Enter) in a cell becomes.
const BR: &str = "</w:t><w:br/><w:t xml:space=\"preserve\">";

fn cell_text(t: &str) -> String {
    escape_breaking(t, true, BR)
}
use std::fmt::Write as _;
use std::io::Write as _;

/// 1 mm in twentieths of a point.
fn twips(mm: f32) -> i64 {
    (mm * 1440.0 / 25.4).round() as i64
}

/// Font size in half-points.
fn half_points(pt: f32) -> i64 {
    (pt * 2.0).round() as i64
}

/// The .docx of a form.
pub fn render_docx(form: &Form) -> Vec<u8> {
    let parts: [(&str, String); 8] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("docProps/core.xml", core_xml(form)),
        ("docProps/app.xml", APP_XML.to_string()),
        ("word/document.xml", document_xml(form)),
        ("word/styles.xml", styles_xml(form)),
        ("word/settings.xml", SETTINGS_XML.to_string()),
        ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default());
    let footer = ("word/footer1.xml", FOOTER_XML.to_string());
    for (name, text) in parts.iter().chain(std::iter::once(&footer)) {
        zip.start_file(*name, options).expect("writing to memory");
        zip.write_all(text.as_bytes()).expect("writing to memory");
    }
    zip.finish().expect("writing to memory").into_inner()
}

struct Doc<'a> {
    form: &'a Form,
    out: String,
    /// The next paragraph starts a new page.
    page_break: bool,
}

fn document_xml(form: &Form) -> String {
    let mut d = Doc {
        form,
        out: String::with_capacity(64 * 1024),
        page_break: false,
    };
    d.out.push_str(DOC_HEAD);
    for (i, sheet) in form.sheets.iter().enumerate() {
        d.page_break = i > 0;
        for item in &sheet.items {
            d.item(item);
        }
    }
    // A document ends with a paragraph: keep it one point high so it never adds a page.
    d.out.push_str("<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" w:lineRule=\"exact\"/><w:rPr><w:sz w:val=\"2\"/></w:rPr></w:pPr></w:p>");
    d.out.push_str(&sect_pr(form.paper));
    d.out.push_str("</w:body></w:document>");
    d.out
}

fn sect_pr(paper: Paper) -> String {
    let (w, h) = paper.size_mm();
    let orient = if paper.is_landscape() {
        " w:orient=\"landscape\""
    } else {
        ""
    };
    format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId3\"/><w:pgSz w:w=\"{}\" w:h=\"{}\"{orient}/><w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"567\" w:footer=\"{}\" w:gutter=\"0\"/><w:cols w:space=\"425\"/></w:sectPr>",
        twips(w),
        twips(h),
        twips(MARGIN_TOP),
        twips(MARGIN_SIDE),
        twips(MARGIN_BOTTOM),
        twips(MARGIN_SIDE),
        twips(MARGIN_BOTTOM - FOOTER_BAND + 1.0),
    )
}

impl Doc<'_> {
    /// `<w:pPr>` with exact line height, alignment, tab stops and the pending page break.
    fn ppr(&mut self, line_mm: f32, jc: &str, extra: &str) -> String {
        let brk = if std::mem::take(&mut self.page_break) {
            "<w:pageBreakBefore/>"
        } else {
            ""
        };
        format!("<w:pPr>{brk}{extra}<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{}\" w:lineRule=\"exact\"/><w:jc w:val=\"{jc}\"/></w:pPr>", twips(line_mm))
    }

    fn item(&mut self, item: &SheetItem) {
        let block = self.form.block.clone();
        match item {
            SheetItem::Title => {
                let ppr = self.ppr(TITLE_MM, "center", "");
                let _ = write!(self.out, "<w:p>{ppr}<w:r><w:rPr><w:rFonts w:ascii=\"黑体\" w:eastAsia=\"黑体\" w:hAnsi=\"黑体\"/><w:b/><w:sz w:val=\"{}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", half_points(TITLE_PT), escape_xml(&self.form.title));
            }
            SheetItem::Header(i) => self.line(&block.header[*i], HEADER_MM),
            SheetItem::Table(rows) => self.table(rows),
            SheetItem::After(i, _) => match &block.after[*i] {
                After::Sign(l) => self.line(l, SIGN_MM),
                After::Note(l) => {
                    let ppr = self.ppr(NOTE_LINE_MM, "both", "");
                    let _ = write!(self.out, "<w:p>{ppr}");
                    for g in &l.groups {
                        self.runs(g, Some(NOTE_PT));
                    }
                    self.out.push_str("</w:p>");
                }
            },
        }
    }

    /// A header or signature line: groups spread across the table's width like the HTML's
    /// `justify-content: space-between` — left tab stops where each group starts, the last group
    /// against a right tab stop at the table's edge.
    fn line(&mut self, l: &TextLine, h: f32) {
        let width = self.form.block.width();
        let char_mm = self.form.block.metrics.font_pt * PT_MM;
        let widths: Vec<f32> = l
            .groups
            .iter()
            .map(|g| parts_em(g, char_mm) * char_mm)
            .collect();
        let n = l.groups.len();
        let gap = if n > 1 {
            (width - widths.iter().sum::<f32>()).max(0.0) / (n - 1) as f32
        } else {
            0.0
        };
        let mut tabs = String::new();
        let mut x = 0.0;
        for k in 1..n {
            x += widths[k - 1] + gap;
            let (kind, pos) = if k == n - 1 {
                ("right", width)
            } else {
                ("left", x)
            };
            let _ = write!(tabs, "<w:tab w:val=\"{kind}\" w:pos=\"{}\"/>", twips(pos));
        }
        let tabs = if tabs.is_empty() {
            String::new()
        } else {
            format!("<w:tabs>{tabs}</w:tabs>")
        };
        let ppr = self.ppr(h, "left", &tabs);
        let _ = write!(self.out, "<w:p>{ppr}");
        for (k, g) in l.groups.iter().enumerate() {
            if k > 0 {
                self.out.push_str("<w:r><w:tab/></w:r>");
            }
            self.runs(g, None);
        }
        self.out.push_str("</w:p>");
    }

    fn runs(&mut self, parts: &[Part], pt: Option<f32>) {
        self.runs_breaking(parts, pt, &[]);
    }

    /// Runs with a line break before the parts at `breaks` (see `layout::unbreakable_starts`).
    fn runs_breaking(&mut self, parts: &[Part], pt: Option<f32>, breaks: &[usize]) {
        let sz = pt
            .map(|p| {
                format!(
                    "<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>",
                    half_points(p)
                )
            })
            .unwrap_or_default();
        let size = if sz.is_empty() {
            String::new()
        } else {
            format!("<w:rPr>{sz}</w:rPr>")
        };
        // □ and full-width spaces are set in the East Asian font wherever they stand in a line.
        let east = format!("<w:rPr><w:rFonts w:ascii=\"宋体\" w:eastAsia=\"宋体\" w:hAnsi=\"宋体\" w:hint=\"eastAsia\"/>{sz}</w:rPr>");
        let underline = format!("<w:rPr><w:rFonts w:ascii=\"宋体\" w:eastAsia=\"宋体\" w:hAnsi=\"宋体\" w:hint=\"eastAsia\"/><w:u w:val=\"single\"/>{sz}</w:rPr>");
        let char_mm = pt.unwrap_or(self.form.block.metrics.font_pt) * PT_MM;
        for (i, p) in parts.iter().enumerate() {
            if breaks.contains(&i) {
                self.out.push_str("<w:r><w:br/></w:r>");
            }
            match p {
                Part::Text(t) => {
                    let _ = write!(
                        self.out,
                        "<w:r>{size}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                        cell_text(t)
                    );
                }
                Part::Check(l) => {
                    let _ = write!(
                        self.out,
                        "<w:r>{east}<w:t xml:space=\"preserve\">□{}</w:t></w:r>",
                        cell_text(l)
                    );
                }
                Part::Field(n) => {
                    let spaces = "　".repeat(((field_mm(*n) / char_mm).round() as usize).max(2));
                    let _ = write!(
                        self.out,
                        "<w:r>{underline}<w:t xml:space=\"preserve\">{spaces}</w:t></w:r>"
                    );
                }
                Part::Date => {
                    let _ = write!(
                        self.out,
                        "<w:r>{east}<w:t xml:space=\"preserve\">　　　年　　月　　日</w:t></w:r>"
                    );
                }
            }
        }
    }

    fn table(&mut self, rows: &[PlacedRow]) {
        if self.page_break {
            // A sheet that starts with a table: a one-point paragraph carries the page break.
            let ppr = self.ppr(0.35, "left", "");
            let _ = write!(
                self.out,
                "<w:p>{ppr}<w:r><w:rPr><w:sz w:val=\"2\"/></w:rPr></w:r></w:p>"
            );
        }
        let block = self.form.block.clone();
        let _ = write!(
            self.out,
            "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>{}</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"{pad}\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"{pad}\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>",
            twips(block.width()),
            BORDERS,
            pad = twips(block.metrics.pad().0),
        );
        for c in &block.columns {
            let _ = write!(self.out, "<w:gridCol w:w=\"{}\"/>", twips(*c));
        }
        self.out.push_str("</w:tblGrid>");
        // Columns still covered by a vertical merge from a row above: (first column, span, rows left).
        let mut merges: Vec<(usize, usize, usize)> = Vec::new();
        for r in rows {
            self.row(&block, r, &mut merges);
        }
        self.out.push_str("</w:tbl>");
    }

    fn row(&mut self, block: &Block, r: &PlacedRow, merges: &mut Vec<(usize, usize, usize)>) {
        let row = &block.rows[r.row];
        let head = if row.head { "<w:tblHeader/>" } else { "" };
        let _ = write!(self.out, "<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"{}\" w:hRule=\"exact\"/>{head}</w:trPr>", twips(r.height));
        let mut cells = row.cells.iter().peekable();
        let mut col = 0;
        let mut next_merges = Vec::new();
        while col < block.columns.len() {
            if let Some(&(c, span, left)) = merges.iter().find(|m| m.0 == col) {
                self.merged_continuation(block, c, span);
                if left > 1 {
                    next_merges.push((c, span, left - 1));
                }
                col += span;
                continue;
            }
            let Some(cell) = cells.next() else { break };
            self.cell(block, cell, r.number);
            if cell.rows > 1 {
                next_merges.push((cell.col, cell.span, cell.rows - 1));
            }
            col = cell.col + cell.span;
        }
        *merges = next_merges;
        self.out.push_str("</w:tr>");
    }

    fn tc_pr(block: &Block, col: usize, span: usize, extra: &str) -> String {
        let w: f32 = block.columns[col..col + span].iter().sum();
        let grid = if span > 1 {
            format!("<w:gridSpan w:val=\"{span}\"/>")
        } else {
            String::new()
        };
        format!(
            "<w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/>{grid}{extra}</w:tcPr>",
            twips(w)
        )
    }

    fn merged_continuation(&mut self, block: &Block, col: usize, span: usize) {
        let _ = write!(
            self.out,
            "<w:tc>{}<w:p/></w:tc>",
            Self::tc_pr(block, col, span, "<w:vMerge/>")
        );
    }

    fn cell(&mut self, block: &Block, cell: &Cell, number: Option<u32>) {
        let merge = if cell.rows > 1 {
            "<w:vMerge w:val=\"restart\"/>"
        } else {
            ""
        };
        let valign = match &cell.body {
            Body::Area(t) if t.is_empty() => "top",
            Body::Area(_) => "bottom",
            _ => "center",
        };
        let tc = Self::tc_pr(
            block,
            cell.col,
            cell.span,
            &format!("{merge}<w:vAlign w:val=\"{valign}\"/>"),
        );
        let _ = write!(self.out, "<w:tc>{tc}");
        let jc = match cell.align {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        };
        let line = block.metrics.line_mm();
        let para = |d: &mut Doc, jc: &str| d.ppr(line, jc, "");
        match &cell.body {
            Body::Label(t) => {
                let p = para(self, jc);
                let _ = write!(
                    self.out,
                    "<w:p>{p}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                    cell_text(t)
                );
            }
            Body::Number => {
                let p = para(self, jc);
                let _ = write!(
                    self.out,
                    "<w:p>{p}<w:r><w:t>{}</w:t></w:r></w:p>",
                    number.unwrap_or(0)
                );
            }
            Body::Inline(parts) => {
                let p = para(self, jc);
                let _ = write!(self.out, "<w:p>{p}");
                let breaks = super::layout::unbreakable_starts(block, cell, parts);
                self.runs_breaking(parts, None, &breaks);
                self.out.push_str("</w:p>");
            }
            Body::Area(trailer) if trailer.is_empty() => {
                let p = para(self, jc);
                let _ = write!(self.out, "<w:p>{p}</w:p>");
            }
            Body::Area(trailer) => {
                for l in trailer {
                    let p = self.ppr(line, "right", "<w:ind w:right=\"240\"/>");
                    let _ = write!(self.out, "<w:p>{p}");
                    self.runs(l, None);
                    self.out.push_str("</w:p>");
                }
            }
        }
        self.out.push_str("</w:tc>");
    }
}

const BORDERS: &str = "<w:top w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/><w:left w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/><w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/><w:right w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/><w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>";

const DOC_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>";

fn styles_xml(form: &Form) -> String {
    let sz = half_points(form.block.metrics.font_pt);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:eastAsia=\"宋体\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\"/><w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/><w:jc w:val=\"both\"/></w:pPr></w:style><w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"28\"/></w:rPr></w:style><w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style></w:styles>"
    )
}

fn core_xml(form: &Form) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:identifier>{}</dc:identifier>{}</cp:coreProperties>",
        escape_xml(&form.title),
        escape_xml(&form.id),
        form.version.as_ref().map(|v| format!("<cp:version>{}</cp:version>", escape_xml(v))).unwrap_or_default()
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/><Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/><Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/></Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";

const DOC_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/></Relationships>";

const APP_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>policy-portal</Application></Properties>";

const SETTINGS_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:defaultTabStop w:val=\"420\"/><w:characterSpacingControl w:val=\"compressPunctuation\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>";

const FOOTER_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:t xml:space=\"preserve\">— </w:t></w:r><w:fldSimple w:instr=\" PAGE \"><w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple><w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::syntax::{parse_block, Source};
    use std::io::Read;
    use std::sync::Arc;

    fn form(text: &str, paper: Paper, pages: u32) -> Form {
        let block = parse_block(
            text,
            &Source {
                path: "t.md",
                first_line: 1,
            },
        )
        .unwrap();
        let spec = crate::forms::layout::Spec {
            paper,
            pages,
            title: "审批表",
        };
        let sheets = crate::forms::layout::lay_out(&block, &spec).unwrap();
        Form {
            id: "t".into(),
            title: "审批表".into(),
            paper,
            pages,
            steps: Vec::new(),
            version: Some("2024版".into()),
            block: Arc::new(block),
            sheets,
            html: Default::default(),
            docx: Default::default(),
        }
    }

    fn document(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn merges_heights_and_paper_are_in_the_xml() {
        let f = form("columns: 30 30 110\n| [a] {rows=2} | [b] | ___ {rows=2} |\n| [c] |\n| [d] | □实施 □不实施 {span=2} | h=20mm\n", Paper::A4Landscape, 1);
        let bytes = render_docx(&f);
        let xml = document(&bytes);
        assert!(xml.contains("<w:vMerge w:val=\"restart\"/>"), "{xml}");
        assert_eq!(xml.matches("<w:vMerge/>").count(), 2, "{xml}");
        assert!(xml.contains("<w:gridSpan w:val=\"2\"/>"));
        assert!(xml.contains(&format!(
            "<w:trHeight w:val=\"{}\" w:hRule=\"exact\"/>",
            twips(20.0)
        )));
        assert!(xml.contains("w:orient=\"landscape\""));
        assert!(xml.contains("□实施"));
        assert_eq!(render_docx(&f), bytes, "byte-identical");
    }

    #[test]
    fn later_sheets_break_before_and_repeat_the_head() {
        let f = form(
            "columns: 20 150\n| [序号] | [姓名] | head\n| # | ___ | repeat=40 h=10mm\n",
            Paper::A4Portrait,
            2,
        );
        let xml = document(&render_docx(&f));
        assert_eq!(xml.matches("<w:pageBreakBefore/>").count(), 1);
        assert_eq!(xml.matches("<w:tblHeader/>").count(), 2);
        assert_eq!(xml.matches("<w:tbl>").count(), 2);
    }
}
