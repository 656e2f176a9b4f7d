//! Flowcharts: a ```flow block in Markdown → a laid-out SVG chart with a text version.
//!
//! Stage: parse ([`parse_block`], registered for ```flow in `content::page::EMBEDS`) and render
//! ([`FlowBlock::render`], called with the block's links resolved). Input: the block's text and
//! where it sits. Output: a [`FlowBlock`] (an [`Embed`]: its links are checked by the site, its text
//! feeds search) whose HTML is a `<figure>` with the SVG and an ordered list of the steps.
//!
//! - `syntax.rs`  the line syntax → a checked [`Chart`] (diagnostics with `path:line:col`)
//! - `text.rs`    label measuring (full-width = 1em, Latin ≈ 0.55em) and CJK line breaking
//! - `layout.rs`  ranks, order and x of a layered layout; `route.rs` ports, edges, lanes and y
//! - `svg.rs`     the SVG and its A4 print pages; `html.rs` the figure and the step list
//! - [`Procedure`]: the model of `kind: procedure` pages (front matter + checks)

mod html;
pub mod layout;
mod route;
pub mod svg;
pub mod syntax;
pub mod text;

pub use layout::{layout, Layout};
pub use syntax::{parse_chart, Chart, Shape};

use crate::diagnostic::Diagnostic;
use crate::markdown::{Embed, EmbedContext, Link};

/// A parsed and laid-out ```flow block.
#[derive(Debug)]
pub struct FlowBlock {
    pub chart: Chart,
    pub layout: Layout,
    /// Prefix of the element ids of this block, unique in its page.
    pub id: String,
}

impl Embed for FlowBlock {
    fn links(&self) -> Vec<Link> {
        self.chart.links.clone()
    }

    fn plain_text(&self) -> String {
        let mut t = self.chart.title.clone();
        for n in &self.chart.nodes {
            t.push('\n');
            t.push_str(&n.label);
            for extra in [n.actor.as_deref(), n.time.as_deref()]
                .into_iter()
                .flatten()
            {
                t.push('　');
                t.push_str(extra);
            }
            for f in &n.forms {
                t.push('　');
                t.push_str(&f.name);
            }
        }
        t
    }

    fn render(&self, hrefs: &[String]) -> String {
        html::render_figure(&self.chart, &self.layout, hrefs, &self.id)
    }
}

/// The [`crate::markdown::EmbedParser`] for ```flow blocks.
pub fn parse_block(source: &str, cx: &EmbedContext<'_>) -> Result<Box<dyn Embed>, Vec<Diagnostic>> {
    let chart = parse_chart(source, cx)?;
    let layout = layout(&chart);
    let id = format!(
        "flow-{:08x}",
        fnv1a(&format!("{}:{}", cx.path, cx.first_line)) as u32
    );
    Ok(Box::new(FlowBlock { chart, layout, id }))
}

/// FNV-1a: a small stable hash for element ids (the same source gives the same ids in every build).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The model of a `kind: procedure` page: what its front matter says beside the chart.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Procedure {
    /// 依据: the rules the procedure follows (text).
    pub basis: Option<String>,
    /// 适用范围: which matters the procedure applies to (text).
    pub applies_to: Option<String>,
    /// 咨询: whom to ask.
    pub contact: Option<String>,
}
