//! Layered layout of a flowchart: ranks top to bottom, boxes and diamonds, orthogonal edges.
//!
//! Stage: render (pure). Input: a checked [`Chart`]. Output: a [`Layout`] in pixels — node boxes
//! with their wrapped text lines, and edge routes as orthogonal polylines whose first and last
//! points lie on the borders of their nodes. Entry: [`layout`].
//!
//! The method (a small Sugiyama layout):
//! 1. measure: wrap labels ([`super::text`]) and size boxes and diamonds around them;
//! 2. back edges: a depth-first search from the first node; edges to a node still on the search
//!    stack are loops, drawn around the side;
//! 3. ranks: longest path over the remaining edges; edges spanning several ranks get dummy points;
//! 4. order: barycentre sweeps (ties by branch order), keeping the order with the fewest crossings;
//! 5. x: alternate passes pulling every item towards its neighbours (weighted isotonic regression
//!    under minimum separations, so boxes never overlap);
//! 6. routes ([`super::route`]): ports, horizontal runs in the channels between ranks (each on its
//!    own track) and vertical lanes beside the chart for loops; then y from the channel heights.

use super::syntax::{Chart, Shape};
use super::text;

/// Label font size (px).
pub const FONT: f64 = 14.0;
/// Actor and time-limit font size (px).
pub const META_FONT: f64 = 12.0;
/// Edge-label font size (px).
pub const EDGE_FONT: f64 = 12.0;
pub(super) const LINE: f64 = 1.45;
const PAD_X: f64 = 12.0;
const PAD_Y: f64 = 8.0;
const STEP_MIN_W: f64 = 112.0;
const STEP_MAX_TEXT: f64 = 10.0 * FONT;
const META_MAX_TEXT: f64 = 13.0 * META_FONT;
const DECISION_MAX_TEXT: f64 = 7.0 * FONT;
pub(super) const NODE_SEP: f64 = 36.0;
pub(super) const DUMMY_SEP: f64 = 18.0;

/// A positioned line of text (centred on `x`, vertically centred on `y`).
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    /// Estimated width in px.
    pub width: f64,
    /// Actor / time-limit line (smaller) rather than the label.
    pub meta: bool,
}

/// A node's box: `x, y` top-left of the bounding box.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    pub shape: Shape,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub lines: Vec<TextLine>,
}

impl NodeBox {
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    /// Whether point `(px, py)` lies inside the shape, at least `eps` from its border.
    pub fn contains(&self, px: f64, py: f64, eps: f64) -> bool {
        let (dx, dy) = ((px - self.cx()).abs(), (py - self.cy()).abs());
        match self.shape {
            Shape::Step => dx < self.w / 2.0 - eps && dy < self.h / 2.0 - eps,
            Shape::Decision => {
                dx / (self.w / 2.0) + dy / (self.h / 2.0) < 1.0 - eps / (self.h / 2.0)
            }
        }
    }
    /// Whether point `(px, py)` lies on the border, within `eps`.
    pub fn on_border(&self, px: f64, py: f64, eps: f64) -> bool {
        let (dx, dy) = ((px - self.cx()).abs(), (py - self.cy()).abs());
        let (hw, hh) = (self.w / 2.0, self.h / 2.0);
        match self.shape {
            Shape::Step => {
                (dx <= hw + eps && (dy - hh).abs() <= eps)
                    || (dy <= hh + eps && (dx - hw).abs() <= eps)
            }
            Shape::Decision => (dx / hw + dy / hh - 1.0).abs() * hh.min(hw) <= eps,
        }
    }
}

/// Where an edge label's text goes: `x` is its anchor (start or end), `y` its vertical centre.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeLabel {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// The text starts at `x` (else it ends there).
    pub start: bool,
}

impl EdgeLabel {
    /// `(left, top, right, bottom)`.
    pub fn rect(&self) -> (f64, f64, f64, f64) {
        let left = if self.start { self.x } else { self.x - self.w };
        (
            left,
            self.y - self.h / 2.0,
            left + self.w,
            self.y + self.h / 2.0,
        )
    }
}

/// An edge drawn as an orthogonal polyline from its source's border to its target's border.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Index into `Chart::edges`.
    pub edge: usize,
    pub points: Vec<(f64, f64)>,
    pub label: Option<EdgeLabel>,
    /// A loop back to an earlier step.
    pub back: bool,
}

/// A laid-out chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<NodeBox>,
    pub routes: Vec<Route>,
    /// The y of the top of every rank band, with the bottom of the last one appended (for printing
    /// a tall chart across pages, cut between ranks).
    pub rank_tops: Vec<f64>,
}

/// Lays out a chart (see the module header for the method).
pub fn layout(chart: &Chart) -> Layout {
    let boxes: Vec<NodeBox> = chart
        .nodes
        .iter()
        .map(|n| measure(n.shape, &n.label, n.actor.as_deref(), n.time.as_deref()))
        .collect();
    let g = Graph::new(chart, &boxes);
    let mut layers = g.layers();
    order(&g, &mut layers);
    let xs = assign_x(&g, &layers);
    super::route::route(chart, &g, &layers, &xs, boxes)
}

/// Sizes a node around its wrapped text (text positions relative to the box centre for now).
pub fn measure(shape: Shape, label: &str, actor: Option<&str>, time: Option<&str>) -> NodeBox {
    let max = if shape == Shape::Step {
        STEP_MAX_TEXT
    } else {
        DECISION_MAX_TEXT
    };
    let mut lines: Vec<TextLine> = text::wrap(label, max, FONT)
        .into_iter()
        .map(|t| line(t, FONT, false))
        .collect();
    if shape == Shape::Step {
        for meta in [actor, time].into_iter().flatten() {
            lines.extend(
                text::wrap(meta, META_MAX_TEXT, META_FONT)
                    .into_iter()
                    .map(|t| line(t, META_FONT, true)),
            );
        }
    }
    let tw = lines.iter().map(|l| l.width).fold(0.0, f64::max);
    let th: f64 = lines.iter().map(|l| l.size * LINE).sum();
    let (w, h) = match shape {
        Shape::Step => (
            (tw + 2.0 * PAD_X).max(STEP_MIN_W).ceil(),
            (th + 2.0 * PAD_Y).ceil(),
        ),
        Shape::Decision => (
            (2.0 * (tw + 10.0)).max(120.0).ceil(),
            (2.0 * (th + 8.0)).max(56.0).ceil(),
        ),
    };
    let mut y = -th / 2.0;
    for l in &mut lines {
        l.y = y + l.size * LINE / 2.0;
        y += l.size * LINE;
    }
    NodeBox {
        shape,
        x: -w / 2.0,
        y: -h / 2.0,
        w,
        h,
        lines,
    }
}

fn line(text: String, size: f64, meta: bool) -> TextLine {
    let width = text::width(&text, size);
    TextLine {
        text,
        x: 0.0,
        y: 0.0,
        size,
        width,
        meta,
    }
}

/// One position in a layer: a node, or the point where a long edge crosses a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    Node(usize),
    Dummy { edge: usize, rank: usize },
}

/// The graph prepared for layout: back edges found, ranks, dummy chains, item neighbours.
pub(super) struct Graph {
    pub rank: Vec<usize>,
    pub back: Vec<bool>,
    /// Per edge: its items from source to target (forward edges; back edges: just the two ends).
    pub chains: Vec<Vec<usize>>,
    pub items: Vec<Item>,
    /// Per item: neighbours above and below with weights.
    pub up: Vec<Vec<(usize, f64)>>,
    pub down: Vec<Vec<(usize, f64)>>,
    /// Per item: extents left and right of its x (nodes: half width plus room for branch labels).
    pub left: Vec<f64>,
    pub right: Vec<f64>,
    /// Per item: tie-break key for ordering: the index of the edge that brings it (so branches keep
    /// the order they are written in), then the item.
    pub key: Vec<(usize, usize)>,
    pub ranks: usize,
}

impl Graph {
    fn new(chart: &Chart, boxes: &[NodeBox]) -> Graph {
        let n = chart.nodes.len();
        let back = back_edges(n, chart);
        let rank = ranks(n, chart, &back);
        let mut g = Graph {
            ranks: rank.iter().max().map_or(0, |r| r + 1),
            rank,
            back,
            chains: Vec::new(),
            items: Vec::new(),
            up: Vec::new(),
            down: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            key: Vec::new(),
        };
        for (i, b) in boxes.iter().enumerate() {
            let reserve = label_reserve(chart, i);
            let first_in = chart
                .edges
                .iter()
                .enumerate()
                .position(|(e, edge)| edge.to == i && !g.back[e])
                .unwrap_or(0);
            g.push(Item::Node(i), b.w / 2.0 + reserve, (first_in, i));
        }
        for (e, edge) in chart.edges.iter().enumerate() {
            let mut chain = vec![edge.from];
            if !g.back[e] {
                for r in g.rank[edge.from] + 1..g.rank[edge.to] {
                    chain.push(g.push(Item::Dummy { edge: e, rank: r }, 0.0, (e, n + e)));
                }
            }
            chain.push(edge.to);
            if !g.back[e] {
                g.link(&chain);
            }
            g.chains.push(chain);
        }
        g
    }

    fn push(&mut self, item: Item, half: f64, key: (usize, usize)) -> usize {
        self.items.push(item);
        self.up.push(Vec::new());
        self.down.push(Vec::new());
        self.left.push(half);
        self.right.push(half);
        self.key.push(key);
        self.items.len() - 1
    }

    fn link(&mut self, chain: &[usize]) {
        for w in chain.windows(2) {
            let dummies = w
                .iter()
                .filter(|&&i| matches!(self.items[i], Item::Dummy { .. }))
                .count();
            let weight = [1.0, 2.0, 8.0][dummies];
            self.down[w[0]].push((w[1], weight));
            self.up[w[1]].push((w[0], weight));
        }
    }

    pub fn item_rank(&self, i: usize) -> usize {
        match self.items[i] {
            Item::Node(n) => self.rank[n],
            Item::Dummy { rank, .. } => rank,
        }
    }

    fn layers(&self) -> Vec<Vec<usize>> {
        let mut layers = vec![Vec::new(); self.ranks];
        for i in 0..self.items.len() {
            layers[self.item_rank(i)].push(i);
        }
        layers
    }

    /// Minimum distance between the x of adjacent items `a` (left) and `b`.
    pub fn sep(&self, a: usize, b: usize) -> f64 {
        let both_nodes = matches!(
            (self.items[a], self.items[b]),
            (Item::Node(_), Item::Node(_))
        );
        self.right[a] + self.left[b] + if both_nodes { NODE_SEP } else { DUMMY_SEP }
    }
}

/// Room beside a node for the labels of its branches (they sit beside side exits).
fn label_reserve(chart: &Chart, node: usize) -> f64 {
    chart
        .edges
        .iter()
        .filter(|e| e.from == node)
        .filter_map(|e| e.label.as_deref())
        .map(|l| text::width(l, EDGE_FONT) + 8.0)
        .fold(0.0, f64::max)
}

/// Marks edges that close a cycle (to a node on the depth-first search stack).
fn back_edges(n: usize, chart: &Chart) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, edge) in chart.edges.iter().enumerate() {
        out[edge.from].push(e);
    }
    let mut state = vec![0u8; n];
    let mut back = vec![false; chart.edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((v, k)) = stack.pop() {
            let Some(&e) = out[v].get(k) else {
                state[v] = 2;
                continue;
            };
            stack.push((v, k + 1));
            let t = chart.edges[e].to;
            match state[t] {
                0 => {
                    state[t] = 1;
                    stack.push((t, 0));
                }
                1 => back[e] = true,
                _ => {}
            }
        }
    }
    back
}

/// Longest-path ranks over the forward edges.
fn ranks(n: usize, chart: &Chart, back: &[bool]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, edge) in chart.edges.iter().enumerate().filter(|(e, _)| !back[*e]) {
        indeg[edge.to] += 1;
        out[edge.from].push(e);
    }
    let mut rank = vec![0usize; n];
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    while let Some(v) = ready.pop_first() {
        for &e in &out[v] {
            let t = chart.edges[e].to;
            rank[t] = rank[t].max(rank[v] + 1);
            indeg[t] -= 1;
            if indeg[t] == 0 {
                ready.insert(t);
            }
        }
    }
    rank
}

/// Orders every layer to reduce crossings: barycentre sweeps down and up, best order kept.
fn order(g: &Graph, layers: &mut [Vec<usize>]) {
    let mut pos = vec![0.0; g.items.len()];
    for layer in layers.iter_mut() {
        sort_layer(g, layer, &mut pos, true);
    }
    let mut best = layers.to_vec();
    let mut best_crossings = crossings(g, layers);
    for _ in 0..4 {
        for r in (0..layers.len().saturating_sub(1)).rev() {
            sort_layer(g, &mut layers[r], &mut pos, false);
        }
        for layer in layers.iter_mut().skip(1) {
            sort_layer(g, layer, &mut pos, true);
        }
        let c = crossings(g, layers);
        if c < best_crossings {
            best_crossings = c;
            best = layers.to_vec();
        }
    }
    layers.clone_from_slice(&best);
}

/// Sorts a layer by the mean position of its neighbours above (`from_up`) or below; items with none
/// keep their place. Ties keep branch order.
fn sort_layer(g: &Graph, layer: &mut [usize], pos: &mut [f64], from_up: bool) {
    let keyed: Vec<(f64, (usize, usize), usize)> = layer
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let nb = if from_up { &g.up[i] } else { &g.down[i] };
            let bary = if nb.is_empty() {
                k as f64
            } else {
                nb.iter().map(|(j, _)| pos[*j]).sum::<f64>() / nb.len() as f64
            };
            (bary, g.key[i], i)
        })
        .collect();
    let mut keyed = keyed;
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (k, (_, _, i)) in keyed.into_iter().enumerate() {
        layer[k] = i;
        pos[i] = k as f64;
    }
}

/// Number of edge crossings between adjacent layers.
fn crossings(g: &Graph, layers: &[Vec<usize>]) -> usize {
    let mut pos = vec![0usize; g.items.len()];
    for layer in layers {
        for (k, &i) in layer.iter().enumerate() {
            pos[i] = k;
        }
    }
    let mut total = 0;
    for layer in layers {
        let segs: Vec<(usize, usize)> = layer
            .iter()
            .flat_map(|&i| g.down[i].iter().map(move |(j, _)| (i, *j)))
            .map(|(a, b)| (pos[a], pos[b]))
            .collect();
        for (k, a) in segs.iter().enumerate() {
            total += segs[k + 1..]
                .iter()
                .filter(|b| (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1))
                .count();
        }
    }
    total
}

/// x of every item: packed layers, then passes that pull items towards their neighbours.
fn assign_x(g: &Graph, layers: &[Vec<usize>]) -> Vec<f64> {
    let mut x = vec![0.0; g.items.len()];
    for layer in layers {
        let mut cur = 0.0;
        for (k, &i) in layer.iter().enumerate() {
            if k > 0 {
                cur += g.sep(layer[k - 1], i);
            }
            x[i] = cur;
        }
        let shift = cur / 2.0;
        layer.iter().for_each(|&i| x[i] -= shift);
    }
    for pass in 0..8 {
        let down = pass % 2 == 0;
        let order: Vec<usize> = if down {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for r in order {
            place_layer(g, &layers[r], &mut x, |i| {
                if down {
                    &g.up[i]
                } else {
                    &g.down[i]
                }
            });
        }
    }
    for layer in layers {
        place_layer(g, layer, &mut x, |i| &g.up[i]);
    }
    // Whole pixels: items meant to line up line up exactly (separations are far above 1 px).
    x.iter_mut().for_each(|v| *v = v.round());
    x
}

/// Places one layer as close as possible to its neighbours' mean x, keeping order and separations
/// (weighted isotonic regression by pool-adjacent-violators on x minus cumulative separation).
fn place_layer<'g>(
    g: &'g Graph,
    layer: &[usize],
    x: &mut [f64],
    nb: impl Fn(usize) -> &'g Vec<(usize, f64)>,
) {
    let mut offset = 0.0;
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new(); // (weight, weighted target sum, count)
    for (k, &i) in layer.iter().enumerate() {
        if k > 0 {
            offset += g.sep(layer[k - 1], i);
        }
        let n = nb(i);
        let (w, target) = if n.is_empty() {
            (0.5, x[i])
        } else {
            let w: f64 = n.iter().map(|(_, w)| w).sum();
            (w, n.iter().map(|(j, wj)| x[*j] * wj).sum::<f64>() / w)
        };
        blocks.push((w, w * (target - offset), 1));
        while blocks.len() > 1 {
            let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if a.1 / a.0 <= b.1 / b.0 {
                break;
            }
            blocks.pop();
            *blocks.last_mut().expect("two blocks") = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
        }
    }
    let mut offset = 0.0;
    let mut k = 0;
    for (w, s, count) in blocks {
        for _ in 0..count {
            if k > 0 {
                offset += g.sep(layer[k - 1], layer[k]);
            }
            x[layer[k]] = s / w + offset;
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fit_their_shapes() {
        let b = measure(Shape::Decision, "风险等级是否为高风险或中风险", None, None);
        for l in &b.lines {
            let (hx, hy) = (l.width / 2.0, l.size * LINE / 2.0);
            assert!(
                (l.x.abs() + hx) / (b.w / 2.0) + (l.y.abs() + hy) / (b.h / 2.0) <= 1.0,
                "{l:?} in {b:?}"
            );
        }
        let b = measure(
            Shape::Step,
            "形成评估报告",
            Some("评估小组"),
            Some("评估结束后3日内"),
        );
        assert_eq!(b.lines.len(), 3);
        assert!(b.lines[1].meta && b.lines[2].meta);
        assert!(b.w >= STEP_MIN_W);
    }
}
