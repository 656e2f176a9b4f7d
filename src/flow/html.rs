//! HTML of a flow block: a `<figure>` holding the chart and its text version.
//!
//! Stage: render (pure). Input: a [`Chart`], its [`Layout`], resolved hrefs and the block's id.
//! Output: `<figure class="flow">` with a caption, the SVG (and its A4 print pages when it is too
//! tall for one), and an ordered list of the steps — name, 责任主体, 时限, forms (linked), and
//! where branches and loops lead — so that everything in the drawing is also text. Lines indented
//! under a step are listed inside it. Entry: [`render_figure`].

use super::layout::Layout;
use super::svg::{print_plan, render_print_parts, render_svg};
use super::syntax::{Chart, Node, Shape};
use crate::html::escape;

/// The whole block's HTML.
pub fn render_figure(chart: &Chart, layout: &Layout, hrefs: &[String], id: &str) -> String {
    let plan = print_plan(layout);
    let mut s = format!("<figure class=\"flow\" aria-labelledby=\"{id}-c\">\n");
    s.push_str(&format!(
        "<figcaption class=\"flow-caption\" id=\"{id}-c\">{}</figcaption>\n",
        escape(&chart.title)
    ));
    s.push_str("<div class=\"flow-body\">\n<div class=\"flow-chart\">\n");
    s.push_str(&render_svg(chart, layout, hrefs, id, !plan.cuts.is_empty()));
    s.push('\n');
    s.push_str(&render_print_parts(layout, id, &plan));
    s.push_str("</div>\n<div class=\"flow-text\">\n");
    s.push_str(&format!(
        "<p class=\"flow-text-title\" id=\"{id}-l\">步骤说明（文字版）</p>\n"
    ));
    s.push_str(&format!(
        "<ol class=\"flow-steps\" aria-labelledby=\"{id}-l\">\n"
    ));
    for (i, _) in chart
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.parent.is_none())
    {
        item(&mut s, chart, layout, hrefs, i);
    }
    s.push_str("</ol>\n</div>\n</div>\n</figure>\n");
    s
}

fn link_or_text(name: &str, link: Option<usize>, hrefs: &[String]) -> String {
    match link.and_then(|l| hrefs.get(l)).filter(|h| !h.is_empty()) {
        Some(h) => format!("<a href=\"{}\">{}</a>", escape(h), escape(name)),
        None => escape(name),
    }
}

fn item(s: &mut String, chart: &Chart, layout: &Layout, hrefs: &[String], i: usize) {
    let n = &chart.nodes[i];
    let class = if n.shape == Shape::Decision {
        "flow-item flow-item-decision"
    } else {
        "flow-item"
    };
    s.push_str(&format!("<li class=\"{class}\">"));
    s.push_str(&format!(
        "<span class=\"flow-item-name\">{}</span>",
        link_or_text(&n.label, n.label_link, hrefs)
    ));
    if n.shape == Shape::Decision {
        s.push_str("<span class=\"flow-item-kind\">（判断）</span>");
    }
    meta(s, n, hrefs);
    next(s, chart, layout, i);
    let children: Vec<usize> = (0..chart.nodes.len())
        .filter(|&c| chart.nodes[c].parent == Some(i))
        .collect();
    if !children.is_empty() {
        s.push_str("\n<ul class=\"flow-substeps\">\n");
        for c in children {
            item(s, chart, layout, hrefs, c);
        }
        s.push_str("</ul>");
    }
    s.push_str("</li>\n");
}

fn meta(s: &mut String, n: &Node, hrefs: &[String]) {
    let mut rows = Vec::new();
    if let Some(a) = &n.actor {
        rows.push(("责任主体", escape(a)));
    }
    if let Some(t) = &n.time {
        rows.push(("时限要求", escape(t)));
    }
    if !n.forms.is_empty() {
        let forms: Vec<String> = n
            .forms
            .iter()
            .map(|f| link_or_text(&f.name, f.link, hrefs))
            .collect();
        rows.push(("表格", forms.join("、")));
    }
    if rows.is_empty() {
        return;
    }
    s.push_str("<dl class=\"flow-item-meta\">");
    for (k, v) in rows {
        s.push_str(&format!("<div><dt>{k}</dt><dd>{v}</dd></div>"));
    }
    s.push_str("</dl>");
}

/// Where the flow goes after node `i`, when that is not simply the next item of the list.
fn next(s: &mut String, chart: &Chart, layout: &Layout, i: usize) {
    let outs: Vec<usize> = (0..chart.edges.len())
        .filter(|&e| chart.edges[e].from == i)
        .collect();
    let verb = |e: usize| {
        if layout.routes[e].back {
            "返回"
        } else {
            "转至"
        }
    };
    if chart.nodes[i].shape == Shape::Decision {
        s.push_str("<ul class=\"flow-branches\">");
        for e in outs {
            let edge = &chart.edges[e];
            s.push_str(&format!(
                "<li><span class=\"flow-branch-label\">{}</span>：{}“{}”</li>",
                escape(edge.label.as_deref().unwrap_or("")),
                verb(e),
                escape(&chart.nodes[edge.to].label)
            ));
        }
        s.push_str("</ul>");
        return;
    }
    let sequential = outs.len() == 1 && chart.edges[outs[0]].to == i + 1;
    if sequential {
        return;
    }
    if outs.is_empty() {
        if i + 1 < chart.nodes.len() {
            s.push_str("<p class=\"flow-next\">流程结束。</p>");
        }
        return;
    }
    let targets: Vec<String> = outs
        .iter()
        .map(|&e| {
            let edge = &chart.edges[e];
            let label = edge
                .label
                .as_deref()
                .map(|l| format!("{}：", escape(l)))
                .unwrap_or_default();
            format!(
                "{label}{}“{}”",
                verb(e),
                escape(&chart.nodes[edge.to].label)
            )
        })
        .collect();
    s.push_str(&format!(
        "<p class=\"flow-next\">完成后{}。</p>",
        targets.join("；")
    ));
}
