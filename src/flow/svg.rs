//! SVG output of a laid-out chart, and its A4 print pages.
//!
//! Stage: render (pure). Input: a [`Chart`], its [`Layout`], the resolved `href` of each chart link
//! and an id prefix unique in the page. Output: an `<svg role="group">` (not `img`: its linked steps are focusable) with `<title>` and `<desc>`,
//! drawn with presentation attributes and `currentColor` only (no `style`, no script), so colours
//! follow the page (high-contrast mode included); nodes with a link are wrapped in `<a href>`.
//! [`render_print_parts`] cuts a chart too tall for one A4 page between ranks into page-sized views
//! of the same drawing (`<use>`), with lettered continuation marks (接下页 / 接上页). Entry:
//! [`render_svg`].

use super::layout::{Layout, NodeBox, EDGE_FONT};
use super::syntax::{Chart, Shape};
use crate::html::escape;

/// Printable A4 area in CSS px (210×297 mm less 18/20 mm margins) less room for the caption.
const PRINT_W: f64 = 657.0;
const PRINT_H: f64 = 860.0;
/// Below this scale, a chart printed on one page gets too small to read: it is split instead.
const MIN_PRINT_SCALE: f64 = 0.62;
const ARROW: f64 = 8.0;

/// Formats a coordinate with at most one decimal.
pub fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        return "0".into();
    }
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The chart as one `<svg>` element; `hrefs[i]` is the resolved target of `chart.links[i]`.
pub fn render_svg(
    chart: &Chart,
    layout: &Layout,
    hrefs: &[String],
    id: &str,
    split: bool,
) -> String {
    let mut s = String::with_capacity(4096 + chart.nodes.len() * 600);
    let class = if split {
        "flow-svg flow-split"
    } else {
        "flow-svg"
    };
    s.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"group\" aria-labelledby=\"{id}-t {id}-d\">\n",
        w = num(layout.width),
        h = num(layout.height)
    ));
    s.push_str(&format!(
        "<title id=\"{id}-t\">{}</title>\n",
        escape(&chart.title)
    ));
    s.push_str(&format!(
        "<desc id=\"{id}-d\">{}</desc>\n",
        escape(&describe(chart))
    ));
    s.push_str(&format!("<g id=\"{id}-g\">\n"));
    edges(&mut s, layout);
    nodes(&mut s, chart, layout, hrefs);
    s.push_str("</g>\n</svg>");
    s
}

/// A sentence per node for `<desc>`: name, actor, time limit and where it leads.
pub fn describe(chart: &Chart) -> String {
    let mut parts = Vec::new();
    for (i, n) in chart.nodes.iter().enumerate() {
        let mut p = n.label.clone();
        let extra: Vec<&str> = [n.actor.as_deref(), n.time.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !extra.is_empty() {
            p.push_str(&format!("（{}）", extra.join("，")));
        }
        let outs: Vec<String> = chart
            .edges
            .iter()
            .filter(|e| e.from == i)
            .map(|e| match &e.label {
                Some(l) => format!("{l}：{}", chart.nodes[e.to].label),
                None => chart.nodes[e.to].label.clone(),
            })
            .collect();
        if outs.is_empty() {
            p.push_str("，流程结束");
        } else {
            p.push_str(&format!("，转至 {}", outs.join("；")));
        }
        parts.push(p);
    }
    format!("{}：{}。", chart.title, parts.join("。"))
}

fn path_d(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (k, (x, y)) in points.iter().enumerate() {
        d.push_str(if k == 0 { "M" } else { " L" });
        d.push_str(&format!("{} {}", num(*x), num(*y)));
    }
    d
}

/// The line stops short of its end so the arrowhead's tip lies on the border.
fn edges(s: &mut String, layout: &Layout) {
    s.push_str(
        "<g class=\"flow-edges\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\">\n",
    );
    for r in &layout.routes {
        let mut pts = r.points.clone();
        let n = pts.len();
        let (a, b) = (pts[n - 2], pts[n - 1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        if len > ARROW {
            let t = (len - ARROW + 1.0) / len;
            pts[n - 1] = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        }
        let class = if r.back {
            "flow-edge flow-loop"
        } else {
            "flow-edge"
        };
        s.push_str(&format!(
            "<path class=\"{class}\" d=\"{}\"/>\n",
            path_d(&pts)
        ));
    }
    s.push_str("</g>\n<g class=\"flow-arrows\" fill=\"currentColor\">\n");
    for r in &layout.routes {
        let n = r.points.len();
        let (a, b) = (r.points[n - 2], r.points[n - 1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt().max(1e-9);
        let (ux, uy) = ((b.0 - a.0) / len, (b.1 - a.1) / len);
        let base = (b.0 - ux * ARROW, b.1 - uy * ARROW);
        let (px, py) = (-uy * ARROW / 2.0, ux * ARROW / 2.0);
        s.push_str(&format!(
            "<path d=\"M{} {} L{} {} L{} {} Z\"/>\n",
            num(b.0),
            num(b.1),
            num(base.0 + px),
            num(base.1 + py),
            num(base.0 - px),
            num(base.1 - py)
        ));
    }
    s.push_str(&format!(
        "</g>\n<g class=\"flow-edge-labels\" fill=\"currentColor\" font-size=\"{}\">\n",
        num(EDGE_FONT)
    ));
    for l in layout.routes.iter().filter_map(|r| r.label.as_ref()) {
        let anchor = if l.start { "start" } else { "end" };
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" dominant-baseline=\"central\">{}</text>\n",
            num(l.x), num(l.y), escape(&l.text)
        ));
    }
    s.push_str("</g>\n");
}

fn nodes(s: &mut String, chart: &Chart, layout: &Layout, hrefs: &[String]) {
    s.push_str("<g class=\"flow-nodes\">\n");
    for (node, b) in chart.nodes.iter().zip(&layout.nodes) {
        let href = node
            .link()
            .and_then(|i| hrefs.get(i))
            .filter(|h| !h.is_empty());
        if let Some(h) = href {
            s.push_str(&format!("<a href=\"{}\">", escape(h)));
        }
        let kind = if node.shape == Shape::Decision {
            "flow-decision"
        } else {
            "flow-step"
        };
        let linked = if href.is_some() { " flow-linked" } else { "" };
        s.push_str(&format!(
            "<g class=\"flow-node {kind}{linked}\" data-id=\"{}\">",
            escape(&node.id)
        ));
        shape(s, b);
        text(s, b, href.is_some());
        s.push_str("</g>");
        if href.is_some() {
            s.push_str("</a>");
        }
        s.push('\n');
    }
    s.push_str("</g>\n");
}

fn shape(s: &mut String, b: &NodeBox) {
    let paint =
        "fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" pointer-events=\"visible\"";
    match b.shape {
        Shape::Step => s.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" {paint}/>",
            num(b.x),
            num(b.y),
            num(b.w),
            num(b.h)
        )),
        Shape::Decision => {
            let (cx, cy) = (b.cx(), b.cy());
            s.push_str(&format!(
                "<polygon points=\"{},{} {},{} {},{} {},{}\" {paint}/>",
                num(cx),
                num(b.y),
                num(b.x + b.w),
                num(cy),
                num(cx),
                num(b.y + b.h),
                num(b.x),
                num(cy)
            ));
        }
    }
}

fn text(s: &mut String, b: &NodeBox, linked: bool) {
    s.push_str("<text text-anchor=\"middle\" fill=\"currentColor\">");
    for l in &b.lines {
        let class = if l.meta { "flow-meta" } else { "flow-label" };
        let deco = if linked && !l.meta {
            " text-decoration=\"underline\""
        } else {
            ""
        };
        s.push_str(&format!(
            "<tspan class=\"{class}\" x=\"{}\" y=\"{}\" font-size=\"{}\" dominant-baseline=\"central\"{deco}>{}</tspan>",
            num(l.x), num(l.y), num(l.size), escape(&l.text)
        ));
    }
    s.push_str("</text>");
}

/// How a chart prints: on one page scaled to fit (no cuts), or cut between ranks into pages drawn
/// at `scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintPlan {
    pub cuts: Vec<f64>,
    pub scale: f64,
}

/// Below this scale a split chart's text gets too small; pages are added instead.
const MIN_SPLIT_SCALE: f64 = 0.8;

/// Plans the printing of a chart: one page when it can be read at that size, else as few pages as
/// a readable scale allows, cut between ranks into parts of about equal height.
pub fn print_plan(layout: &Layout) -> PrintPlan {
    let scale_w = (PRINT_W / layout.width).min(1.0);
    if layout.height * scale_w <= PRINT_H
        || (PRINT_H / layout.height).min(scale_w) >= MIN_PRINT_SCALE
    {
        return PrintPlan {
            cuts: Vec::new(),
            scale: 1.0,
        };
    }
    // At scale s a page holds PRINT_H / s - 2 * MARK_SPACE of the drawing.
    let lowest = MIN_SPLIT_SCALE.min(scale_w);
    let pages = (layout.height / (PRINT_H / lowest - 2.0 * MARK_SPACE))
        .ceil()
        .max(2.0);
    let mut scale = (PRINT_H / (layout.height / pages + 2.0 * MARK_SPACE)).min(scale_w);
    loop {
        let cuts = cut_between_ranks(layout, PRINT_H / scale - 2.0 * MARK_SPACE);
        // Cuts fall between ranks, so parts are rarely equal: shrink a little rather than add a page.
        if cuts.len() as f64 + 1.0 <= pages || scale * 0.95 < lowest {
            return PrintPlan { cuts, scale };
        }
        scale *= 0.95;
    }
}

/// Cuts between ranks into parts of at most `limit` px, each about the same height.
fn cut_between_ranks(layout: &Layout, limit: f64) -> Vec<f64> {
    let candidates: Vec<f64> = layout.rank_tops.iter().skip(1).map(|t| t - 2.0).collect();
    let mut cuts = Vec::new();
    let mut from = 0.0;
    while layout.height - from > limit {
        let left = ((layout.height - from) / limit).ceil();
        let target = from + (layout.height - from) / left;
        let best = candidates
            .iter()
            .copied()
            .filter(|&c| c > from + 1.0 && c - from <= limit)
            .min_by(|a, b| (a - target).abs().total_cmp(&(b - target).abs()));
        let cut = best.unwrap_or(from + limit);
        cuts.push(cut);
        from = cut;
    }
    cuts
}

/// Where a chart too tall for one A4 page is cut (empty when it prints on one page).
pub fn print_cuts(layout: &Layout) -> Vec<f64> {
    print_plan(layout).cuts
}

/// Page-sized views of the chart drawn by [`render_svg`] (`id` is its prefix), one per print page,
/// with continuation marks where lines cross a cut. Empty when the chart prints on one page.
pub fn render_print_parts(layout: &Layout, id: &str, plan: &PrintPlan) -> String {
    let cuts = &plan.cuts;
    if cuts.is_empty() {
        return String::new();
    }
    let mut bounds = vec![0.0];
    bounds.extend_from_slice(cuts);
    bounds.push(layout.height);
    let crossings: Vec<Vec<f64>> = cuts.iter().map(|&c| crossing_xs(layout, c)).collect();
    let mut letter = 0usize;
    let letters: Vec<Vec<(f64, String)>> = crossings
        .iter()
        .map(|xs| {
            xs.iter()
                .map(|&x| {
                    letter += 1;
                    (x, mark_name(letter))
                })
                .collect()
        })
        .collect();
    let mut s = String::new();
    for k in 0..bounds.len() - 1 {
        let (top, bottom) = (bounds[k], bounds[k + 1]);
        let above = if k > 0 { Some(&letters[k - 1]) } else { None };
        let below = letters.get(k);
        s.push_str(&part(
            layout,
            id,
            (top, bottom, plan.scale),
            above,
            below,
            (k + 1, bounds.len() - 1),
        ));
    }
    s
}

const MARK_SPACE: f64 = 34.0;

/// One print page: the drawing between `top` and `bottom`, drawn at `scale`, with marks.
fn part(
    layout: &Layout,
    id: &str,
    (top, bottom, scale): (f64, f64, f64),
    above: Option<&Vec<(f64, String)>>,
    below: Option<&Vec<(f64, String)>>,
    (page, pages): (usize, usize),
) -> String {
    let (w, h) = (layout.width, bottom - top);
    let full = h + 2.0 * MARK_SPACE;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"flow-print-part\" viewBox=\"0 {} {} {}\" width=\"{}\" height=\"{}\" aria-hidden=\"true\">\n",
        num(top - MARK_SPACE), num(w), num(full), num(w * scale), num(full * scale)
    );
    s.push_str(&format!(
        "<svg x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"0 {} {} {}\"><use href=\"#{id}-g\"/></svg>\n",
        num(top), num(w), num(h), num(top), num(w), num(h)
    ));
    s.push_str(&format!("<g class=\"flow-marks\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.2\" font-size=\"{}\">\n", num(EDGE_FONT)));
    if let Some(marks) = above {
        for (x, name) in marks {
            s.push_str(&mark(*x, top - 20.0, top, name));
        }
        s.push_str(&note(
            w,
            top - MARK_SPACE + 12.0,
            &format!("接上页（流程图第{page}/{pages}页）"),
        ));
    }
    if let Some(marks) = below {
        for (x, name) in marks {
            s.push_str(&mark(*x, bottom + 20.0, bottom, name));
        }
        s.push_str(&note(
            w,
            bottom + MARK_SPACE - 6.0,
            &format!("接下页（流程图第{page}/{pages}页）"),
        ));
    }
    s.push_str("</g>\n</svg>\n");
    s
}

/// A lettered circle at `(x, cy)` joined to the cut line at `y_line`.
fn mark(x: f64, cy: f64, y_line: f64, name: &str) -> String {
    let r = 8.0;
    let y_edge = if cy > y_line { cy - r } else { cy + r };
    format!(
        "<path d=\"M{} {} L{} {}\"/><circle cx=\"{}\" cy=\"{}\" r=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"central\" fill=\"currentColor\" stroke=\"none\">{}</text>\n",
        num(x), num(y_line), num(x), num(y_edge), num(x), num(cy), num(r), num(x), num(cy), escape(name)
    )
}

fn note(w: f64, y: f64, text: &str) -> String {
    format!("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"currentColor\" stroke=\"none\">{}</text>\n", num(w - 8.0), num(y), escape(text))
}

/// A, B, … Z, AA, AB … for the n-th mark (1-based).
fn mark_name(mut n: usize) -> String {
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push((b'A' + (n % 26) as u8) as char);
        n /= 26;
    }
    s.iter().rev().collect()
}

/// x of every vertical run crossing `y` (deduplicated; shared runs are one line on paper).
fn crossing_xs(layout: &Layout, y: f64) -> Vec<f64> {
    let mut xs: Vec<f64> = layout
        .routes
        .iter()
        .flat_map(|r| {
            r.points
                .windows(2)
                .filter(|w| {
                    (w[0].0 - w[1].0).abs() < 1e-6
                        && w[0].1.min(w[1].1) < y
                        && w[0].1.max(w[1].1) > y
                })
                .map(|w| w[0].0)
                .collect::<Vec<_>>()
        })
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    xs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.04), "12");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(-0.01), "0");
        assert_eq!(mark_name(1), "A");
        assert_eq!(mark_name(27), "AA");
    }
}
