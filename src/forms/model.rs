//! The form model: a ```form block's grid, cells and lines, and a form laid out on its sheets.
//!
//! Stage: data shared by parse (syntax, layout) and render (html, docx). Input: none. Output: the types
//! [`Block`] (what the editor wrote) and [`Form`] (front matter + block + [`Sheet`]s, sizes in mm).

use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// Page margins of every form (mm): top, right/left, bottom. The page number sits in a band at the
/// bottom of the printable area.
pub const MARGIN_TOP: f32 = 20.0;
pub const MARGIN_SIDE: f32 = 20.0;
pub const MARGIN_BOTTOM: f32 = 14.0;
/// Height of the page-number band under the form content (mm).
pub const FOOTER_BAND: f32 = 8.0;
/// Slack left unused at the bottom of every sheet (mm) so rounding in browsers and word processors
/// never pushes a row onto an extra page.
pub const SLACK: f32 = 2.0;
/// Height of the title line (mm) and its font size (pt, 小二).
pub const TITLE_MM: f32 = 15.0;
pub const TITLE_PT: f32 = 18.0;
/// Height of a `header:` line and of a `sign:` line under the table (mm).
pub const HEADER_MM: f32 = 9.0;
pub const SIGN_MM: f32 = 11.0;
/// Notes (注) are set in 五号 (10.5 pt) with this line height (mm).
pub const NOTE_PT: f32 = 10.5;
pub const NOTE_LINE_MM: f32 = 5.5;
/// Width of one `_` of an inline blank (mm); a blank has at least three.
pub const UNDERSCORE_MM: f32 = 4.0;
/// One point in millimetres.
pub const PT_MM: f32 = 25.4 / 72.0;

/// Paper and orientation (`paper:` in the front matter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Paper {
    #[serde(rename = "A4-portrait")]
    A4Portrait,
    #[serde(rename = "A4-landscape")]
    A4Landscape,
}

impl Paper {
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4Portrait => "A4-portrait",
            Paper::A4Landscape => "A4-landscape",
        }
    }

    pub fn is_landscape(self) -> bool {
        self == Paper::A4Landscape
    }

    /// Page size (width, height) in mm.
    pub fn size_mm(self) -> (f32, f32) {
        match self {
            Paper::A4Portrait => (210.0, 297.0),
            Paper::A4Landscape => (297.0, 210.0),
        }
    }

    /// The width the form may use (mm).
    pub fn content_width(self) -> f32 {
        self.size_mm().0 - 2.0 * MARGIN_SIDE
    }

    /// The height of the printable area (mm): page minus top and bottom margins.
    pub fn printable_height(self) -> f32 {
        self.size_mm().1 - MARGIN_TOP - MARGIN_BOTTOM
    }

    /// The height the form content may use on one sheet (mm): printable area minus the page-number
    /// band and the slack.
    pub fn content_height(self) -> f32 {
        self.printable_height() - FOOTER_BAND - SLACK
    }
}

/// Font metrics of a form's table text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Font size (pt): 12 (小四) by default.
    pub font_pt: f32,
}

impl Metrics {
    /// Width of one full-width (CJK) character (mm).
    pub fn char_mm(self) -> f32 {
        self.font_pt * PT_MM
    }
    /// Line height of text in cells (mm).
    pub fn line_mm(self) -> f32 {
        (self.font_pt * 0.5 * 10.0).round() / 10.0
    }
    /// Height of one handwriting line, the unit of `h=N行` (mm).
    pub fn writing_line_mm(self) -> f32 {
        self.line_mm() + 2.0
    }
    /// Lowest row (mm).
    pub fn min_row_mm(self) -> f32 {
        (self.line_mm() + 4.0).max(8.0)
    }
    /// Padding inside a cell, each side (mm): (horizontal, vertical).
    pub fn pad(self) -> (f32, f32) {
        (1.5, 1.0)
    }
}

/// A piece of inline content (in cells, `header:`, `sign:` and `note:` lines).
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// `□实施`: a check box with its label.
    Check(String),
    /// `___`: an inline blank; the number of underscores sets its width.
    Field(usize),
    /// `年　月　日`: a date to be written in.
    Date,
}

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `[事项名称]`.
    Label(String),
    /// `#`: the row number of a `repeat` row.
    Number,
    /// `___` alone (optionally followed by seal, signature and date lines set at its bottom right):
    /// the whole cell is writing space.
    Area(Vec<Vec<Part>>),
    /// Text, check boxes, inline blanks and dates.
    Inline(Vec<Part>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

impl Align {
    pub fn name(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        }
    }
}

/// A cell placed on the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// First grid column (0-based).
    pub col: usize,
    /// Columns covered (`{span=N}`), at least 1.
    pub span: usize,
    /// Rows covered (`{rows=N}`), at least 1.
    pub rows: usize,
    pub body: Body,
    pub align: Align,
    /// Column of the cell in its source line (1-based, characters).
    pub src_col: usize,
}

/// A row's height as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Height {
    /// Tall enough for its text, at least [`Metrics::min_row_mm`].
    Auto,
    /// `h=30mm`.
    Mm(f32),
    /// `h=3行`: handwriting lines.
    Lines(u32),
    /// `h=*`: shares the space left on its sheet.
    Fill,
}

/// `repeat=N` or `repeat=*` (as many as the declared pages hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    Count(u32),
    Fill,
}

/// A row of the table as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// File line of the row.
    pub line: usize,
    pub cells: Vec<Cell>,
    pub height: Height,
    /// Repeated at the top of every sheet the table continues on.
    pub head: bool,
    pub repeat: Option<Repeat>,
    /// The number of the first repeated row (`from=N`, default 1).
    pub from: u32,
    /// `newpage` stood before it.
    pub break_before: bool,
}

/// A line of text outside the table: groups separated by `|` are spread across the width.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub line: usize,
    pub groups: Vec<Vec<Part>>,
}

/// What follows the table, in source order.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    /// `note:` — 注：… in smaller type.
    Note(TextLine),
    /// `sign:` — a signature/seal/date line.
    Sign(TextLine),
}

/// A parsed ```form block.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Column widths (mm).
    pub columns: Vec<f32>,
    /// File line of `columns:`.
    pub columns_line: usize,
    pub metrics: Metrics,
    /// File line of the block's first line.
    pub first_line: usize,
    pub header: Vec<TextLine>,
    pub rows: Vec<Row>,
    pub after: Vec<After>,
}

impl Block {
    pub fn width(&self) -> f32 {
        self.columns.iter().sum()
    }
}

/// A procedure step a form belongs to (`steps:`): its number and, if given, its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub number: u32,
    pub name: Option<String>,
}

/// A row placed on a sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedRow {
    /// Index into [`Block::rows`].
    pub row: usize,
    /// The number `#` cells show (repeat rows).
    pub number: Option<u32>,
    /// Height on this sheet (mm).
    pub height: f32,
}

/// What a sheet shows, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetItem {
    Title,
    /// Index into [`Block::header`].
    Header(usize),
    Table(Vec<PlacedRow>),
    /// Index into [`Block::after`], with its height (mm).
    After(usize, f32),
}

/// One printed page.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub items: Vec<SheetItem>,
}

/// A blank standard form: front matter, its block and its sheets.
#[derive(Debug)]
pub struct Form {
    pub id: String,
    pub title: String,
    pub paper: Paper,
    pub pages: u32,
    pub steps: Vec<Step>,
    pub version: Option<String>,
    pub block: Arc<Block>,
    pub sheets: Vec<Sheet>,
    pub(crate) html: OnceLock<String>,
    /// The Word file, made once (the form's attachment lists give its size).
    pub(crate) docx: OnceLock<Vec<u8>>,
}

impl Form {
    /// The form as HTML sheets (rendered once, shared by the form page and the print-all page).
    pub fn sheets_html(&self) -> &str {
        self.html.get_or_init(|| super::html::render_sheets(self))
    }

    /// The form's Word file (made once, shared by its output and the size attachment lists show).
    pub fn docx_bytes(&self) -> &[u8] {
        self.docx.get_or_init(|| super::docx::render_docx(self))
    }

    /// Output path of the form's Word file.
    pub fn docx_path(&self) -> String {
        format!("forms/{}.docx", self.id)
    }

    /// Every label of the form, in order (for search and tests).
    pub fn labels(&self) -> Vec<&str> {
        let cells = self.block.rows.iter().flat_map(|r| &r.cells);
        cells
            .filter_map(|c| match &c.body {
                Body::Label(l) => Some(l.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Width of text in ems: full-width characters count 1, others ½.
pub fn text_em(s: &str) -> f32 {
    s.chars()
        .map(|c| {
            if (c as u32) < 0x2E80 && c != '□' && c != '—' {
                0.5
            } else {
                1.0
            }
        })
        .sum()
}

/// Width of inline parts in ems (fields by their width in mm at `char_mm` per em).
pub fn parts_em(parts: &[Part], char_mm: f32) -> f32 {
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => text_em(t),
            Part::Check(l) => 1.0 + text_em(l) + 0.5,
            Part::Field(n) => field_mm(*n) / char_mm,
            Part::Date => DATE_EM,
        })
        .sum()
}

/// Width of a written-in date `　　年　　月　　日` (ems).
pub const DATE_EM: f32 = 10.0;

/// Width of an inline blank of `n` underscores (mm).
pub fn field_mm(n: usize) -> f32 {
    n.max(3) as f32 * UNDERSCORE_MM
}
