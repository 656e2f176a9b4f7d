//! Edge routing and final coordinates for a layered flowchart.
//!
//! Stage: render (pure), the second half of [`super::layout::layout`]. Input: the prepared graph,
//! its ordered layers and the x of every item. Output: the [`Layout`].
//!
//! Rules that keep edges off the boxes:
//! - forward edges leave by the bottom (or, for branches, a side) and enter at the top; their
//!   horizontal runs lie in the channels between rank bands, each run on its own track, and their
//!   vertical runs pass ranks at dummy points that keep their distance from boxes;
//! - a side exit first steps into the gap beside its node, then goes down into the channel;
//! - loops (back edges) run along vertical lanes outside every box of the ranks they span, reached
//!   directly from a node that is outermost on that side, else through the gap and a channel.

use super::layout::{EdgeLabel, Graph, Item, Layout, NodeBox, Route, EDGE_FONT, LINE};
use super::syntax::{Chart, Shape};
use super::text;

const MARGIN: f64 = 12.0;
const TRACK: f64 = 10.0;
const MIN_CHANNEL: f64 = 30.0;
const STUB: f64 = 12.0;
const LANE_MARGIN: f64 = 22.0;
const LANE_GAP: f64 = 14.0;
const LABEL_GAP: f64 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

impl Side {
    fn sign(self) -> f64 {
        match self {
            Side::Left => -1.0,
            Side::Right => 1.0,
        }
    }
    fn index(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Port {
    /// Out through the bottom, `dx` from the centre.
    Bottom(f64),
    Side(Side),
}

/// A y known once channel heights are: a node's centre plus `dy`, its top or bottom border at
/// `dx` from its centre, or a track of a channel.
#[derive(Debug, Clone, Copy)]
enum Y {
    Center(usize, f64),
    Top(usize),
    Bottom(usize, f64),
    Slot(usize),
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    channel: usize,
    x0: f64,
    x1: f64,
    track: usize,
}

/// An edge before its y values are known: points and its label.
type Symbolic = (Vec<(f64, Y)>, Option<PendingLabel>);

struct PendingLabel {
    text: String,
    x: f64,
    y: Y,
    dy: f64,
    start: bool,
}

struct Router<'a> {
    chart: &'a Chart,
    g: &'a Graph,
    layers: &'a [Vec<usize>],
    xs: &'a [f64],
    boxes: Vec<NodeBox>,
    /// Per node: (nearest node box edge to the left, to the right) in its layer, if any.
    neighbours: Vec<(Option<f64>, Option<f64>)>,
    ports: Vec<Port>,
    back_side: Vec<Side>,
    /// Per node and side: (a loop arrives here, something leaves here).
    side_use: Vec<[(bool, bool); 2]>,
    lanes: Vec<f64>,
    slots: Vec<Slot>,
    /// Per channel: height of the label band at its top.
    bands: Vec<f64>,
}

/// Routes every edge and fixes every coordinate.
pub(super) fn route(
    chart: &Chart,
    g: &Graph,
    layers: &[Vec<usize>],
    xs: &[f64],
    boxes: Vec<NodeBox>,
) -> Layout {
    let mut r = Router {
        chart,
        g,
        layers,
        xs,
        boxes,
        neighbours: Vec::new(),
        ports: Vec::new(),
        back_side: Vec::new(),
        side_use: Vec::new(),
        lanes: Vec::new(),
        slots: Vec::new(),
        bands: vec![0.0; g.ranks + 1],
    };
    r.neighbours = r.find_neighbours();
    r.choose_back_sides();
    r.assign_ports();
    r.place_lanes();
    let mut symbolic = Vec::new();
    for e in 0..chart.edges.len() {
        symbolic.push(if g.back[e] {
            r.back_route(e)
        } else {
            r.forward_route(e)
        });
    }
    r.assign_tracks();
    r.finish(symbolic)
}

impl Router<'_> {
    fn cx(&self, n: usize) -> f64 {
        self.xs[n]
    }
    fn half_w(&self, n: usize) -> f64 {
        self.boxes[n].w / 2.0
    }
    fn half_h(&self, n: usize) -> f64 {
        self.boxes[n].h / 2.0
    }

    fn find_neighbours(&self) -> Vec<(Option<f64>, Option<f64>)> {
        let mut out = vec![(None, None); self.chart.nodes.len()];
        for layer in self.layers {
            let nodes: Vec<usize> = layer
                .iter()
                .filter_map(|&i| match self.g.items[i] {
                    Item::Node(n) => Some(n),
                    Item::Dummy { .. } => None,
                })
                .collect();
            for (k, &n) in nodes.iter().enumerate() {
                let left = k
                    .checked_sub(1)
                    .map(|j| self.cx(nodes[j]) + self.half_w(nodes[j]));
                let right = nodes.get(k + 1).map(|&m| self.cx(m) - self.half_w(m));
                out[n] = (left, right);
            }
        }
        out
    }

    fn extreme(&self, n: usize, side: Side) -> bool {
        match side {
            Side::Left => self.neighbours[n].0.is_none(),
            Side::Right => self.neighbours[n].1.is_none(),
        }
    }

    /// Each loop goes round the side where its ends are outermost (right on ties).
    fn choose_back_sides(&mut self) {
        self.side_use = vec![[(false, false); 2]; self.chart.nodes.len()];
        self.back_side = vec![Side::Right; self.chart.edges.len()];
        for (e, edge) in self
            .chart
            .edges
            .iter()
            .enumerate()
            .filter(|(e, _)| self.g.back[*e])
        {
            let cost = |s: Side| {
                usize::from(!self.extreme(edge.from, s)) + usize::from(!self.extreme(edge.to, s))
            };
            let side = if cost(Side::Right) <= cost(Side::Left) {
                Side::Right
            } else {
                Side::Left
            };
            self.back_side[e] = side;
            self.side_use[edge.from][side.index()].1 = true;
            self.side_use[edge.to][side.index()].0 = true;
        }
    }

    /// The x of the first item after the source on an edge's way.
    fn next_x(&self, e: usize) -> f64 {
        self.xs[self.g.chains[e][1]]
    }

    /// Out ports: loops by their side; one forward edge by the bottom; branches spread over the
    /// free sides and the bottom, matched to where they go.
    fn assign_ports(&mut self) {
        self.ports = (0..self.chart.edges.len())
            .map(|e| {
                if self.g.back[e] {
                    Port::Side(self.back_side[e])
                } else {
                    Port::Bottom(0.0)
                }
            })
            .collect();
        for n in 0..self.chart.nodes.len() {
            let mut fwd: Vec<usize> = (0..self.chart.edges.len())
                .filter(|&e| self.chart.edges[e].from == n && !self.g.back[e])
                .collect();
            fwd.sort_by(|&a, &b| self.next_x(a).total_cmp(&self.next_x(b)).then(a.cmp(&b)));
            if fwd.len() < 2 {
                continue;
            }
            let used = self.side_use[n];
            let mut cands = Vec::new();
            if !used[0].1 {
                cands.push(Port::Side(Side::Left));
            }
            cands.push(Port::Bottom(0.0));
            if !used[1].1 {
                cands.push(Port::Side(Side::Right));
            }
            let chosen = if fwd.len() <= cands.len() {
                self.best_ports(n, &fwd, &cands)
            } else {
                self.crowded_ports(n, &fwd, &cands)
            };
            for (&e, p) in fwd.iter().zip(chosen) {
                self.ports[e] = p;
                if let Port::Side(s) = p {
                    self.side_use[n][s.index()].1 = true;
                }
            }
        }
    }

    fn port_x(&self, n: usize, p: Port) -> f64 {
        match p {
            Port::Bottom(dx) => self.cx(n) + dx,
            Port::Side(s) => self.cx(n) + s.sign() * self.half_w(n),
        }
    }

    /// The order-preserving choice of ports closest to where the edges go.
    fn best_ports(&self, n: usize, fwd: &[usize], cands: &[Port]) -> Vec<Port> {
        let mut best: Option<(f64, Vec<Port>)> = None;
        for mask in 0u32..(1 << cands.len()) {
            if mask.count_ones() as usize != fwd.len() {
                continue;
            }
            let ports: Vec<Port> = cands
                .iter()
                .enumerate()
                .filter(|(k, _)| mask & (1 << k) != 0)
                .map(|(_, p)| *p)
                .collect();
            let cost: f64 = fwd
                .iter()
                .zip(&ports)
                .map(|(&e, &p)| (self.port_x(n, p) - self.next_x(e)).abs())
                .sum();
            if best.as_ref().is_none_or(|(c, _)| cost < *c - 1e-9) {
                best = Some((cost, ports));
            }
        }
        best.map(|(_, p)| p).unwrap_or_default()
    }

    /// More branches than ports: outermost ones take free sides, the rest share the bottom border.
    fn crowded_ports(&self, n: usize, fwd: &[usize], cands: &[Port]) -> Vec<Port> {
        let left = cands.first().is_some_and(|p| *p == Port::Side(Side::Left));
        let right = cands.last().is_some_and(|p| *p == Port::Side(Side::Right));
        let bottom = fwd.len() - usize::from(left) - usize::from(right);
        let span = self.half_w(n) / 2.0;
        let mut out = Vec::new();
        if left {
            out.push(Port::Side(Side::Left));
        }
        for j in 0..bottom {
            out.push(Port::Bottom(
                -span + 2.0 * span * j as f64 / (bottom - 1).max(1) as f64,
            ));
        }
        if right {
            out.push(Port::Side(Side::Right));
        }
        out
    }

    /// Outermost x of any item in ranks `lo..=hi` on `side` (node extents include label room).
    fn extent(&self, lo: usize, hi: usize, side: Side) -> f64 {
        let mut ext = f64::NEG_INFINITY;
        for layer in &self.layers[lo..=hi] {
            for &i in layer {
                let reach = match (self.g.items[i], side) {
                    (Item::Node(_), Side::Right) => self.xs[i] + self.g.right[i],
                    (Item::Node(_), Side::Left) => -(self.xs[i] - self.g.left[i]),
                    (Item::Dummy { .. }, s) => s.sign() * self.xs[i],
                };
                ext = ext.max(reach);
            }
        }
        ext
    }

    /// Loop lanes: shortest loops nearest the chart, overlapping loops on separate lanes.
    fn place_lanes(&mut self) {
        self.lanes = vec![0.0; self.chart.edges.len()];
        let mut loops: Vec<usize> = (0..self.chart.edges.len())
            .filter(|&e| self.g.back[e])
            .collect();
        let span =
            |e: usize| self.g.rank[self.chart.edges[e].from] - self.g.rank[self.chart.edges[e].to];
        loops.sort_by_key(|&e| (span(e), e));
        let mut placed: Vec<(usize, usize, Side, f64)> = Vec::new();
        for e in loops {
            let edge = &self.chart.edges[e];
            let (lo, hi) = (self.g.rank[edge.to], self.g.rank[edge.from]);
            let side = self.back_side[e];
            let mut reach = self.extent(lo, hi, side) + LANE_MARGIN;
            for &(l2, h2, s2, r2) in &placed {
                if s2 == side && lo <= h2 + 1 && l2 <= hi + 1 {
                    reach = reach.max(r2 + LANE_GAP);
                }
            }
            placed.push((lo, hi, side, reach));
            self.lanes[e] = side.sign() * reach;
        }
    }

    fn slot(&mut self, channel: usize, a: f64, b: f64) -> Y {
        self.slots.push(Slot {
            channel,
            x0: a.min(b),
            x1: a.max(b),
            track: 0,
        });
        Y::Slot(self.slots.len() - 1)
    }

    /// The side port's offset from the node's centre line: arrivals above departures when both.
    fn side_dy(&self, n: usize, side: Side, arriving: bool) -> f64 {
        let (arrive, leave) = self.side_use[n][side.index()];
        if !(arrive && leave) {
            return 0.0;
        }
        let dy = self.half_h(n) * 0.4;
        if arriving {
            -dy
        } else {
            dy
        }
    }

    /// x of the border where a horizontal line at `dy` from the centre meets `side`.
    fn border_x(&self, n: usize, side: Side, dy: f64) -> f64 {
        let half = match self.boxes[n].shape {
            Shape::Step => self.half_w(n),
            Shape::Decision => self.half_w(n) * (1.0 - dy.abs() / self.half_h(n)),
        };
        self.cx(n) + side.sign() * half
    }

    /// Where a line leaving `side` of node `n` at `px` turns down (or comes down) towards `want`.
    fn stub_x(&self, n: usize, side: Side, px: f64, want: f64) -> f64 {
        let s = side.sign();
        let box_edge = self.cx(n) + s * self.half_w(n);
        let limit = match side {
            Side::Left => self.neighbours[n].0.map(|nb| (nb + box_edge) / 2.0),
            Side::Right => self.neighbours[n].1.map(|nb| (nb + box_edge) / 2.0),
        };
        let min_stub = box_edge + s * STUB;
        let mut x = if s * (want - min_stub) >= 0.0 {
            want
        } else {
            min_stub
        };
        if let Some(l) = limit {
            if s * (x - l) > 0.0 {
                x = l;
            }
        }
        if s * (x - px) < STUB / 2.0 {
            x = px + s * STUB / 2.0;
        }
        x
    }

    fn label_for(&self, e: usize, x: f64, y: Y, dy: f64, start: bool) -> Option<PendingLabel> {
        self.chart.edges[e].label.clone().map(|text| PendingLabel {
            text,
            x,
            y,
            dy,
            start,
        })
    }

    /// The beginning of an edge leaving `from` by its port, up to the x where it goes down.
    fn depart(&mut self, e: usize) -> (Vec<(f64, Y)>, f64, Option<PendingLabel>) {
        let u = self.chart.edges[e].from;
        let lh = EDGE_FONT * LINE;
        match self.ports[e] {
            Port::Bottom(dx) => {
                let x = self.cx(u) + dx;
                let start = dx >= 0.0;
                let x_label = if start { x + LABEL_GAP } else { x - LABEL_GAP };
                let k = self.bottom_index(e);
                let label = self.label_for(
                    e,
                    x_label,
                    Y::Bottom(u, 0.0),
                    LABEL_GAP + lh / 2.0 + k as f64 * lh,
                    start,
                );
                if label.is_some() {
                    let band = &mut self.bands[self.g.rank[u] + 1];
                    *band = band.max(LABEL_GAP * 1.5 + (k + 1) as f64 * lh);
                }
                (vec![(x, Y::Bottom(u, dx))], x, label)
            }
            Port::Side(side) => {
                let dy = self.side_dy(u, side, false);
                let px = self.border_x(u, side, dy);
                let edge_x = self.cx(u) + side.sign() * self.half_w(u);
                let label = self.label_for(
                    e,
                    edge_x + side.sign() * LABEL_GAP,
                    Y::Center(u, dy),
                    -LABEL_GAP - lh / 2.0,
                    side == Side::Right,
                );
                (vec![(px, Y::Center(u, dy))], px, label)
            }
        }
    }

    /// Position of a bottom-port edge among the labelled bottom-port edges of its node.
    fn bottom_index(&self, e: usize) -> usize {
        let u = self.chart.edges[e].from;
        (0..e)
            .filter(|&f| {
                self.chart.edges[f].from == u
                    && self.chart.edges[f].label.is_some()
                    && matches!(self.ports[f], Port::Bottom(_))
            })
            .count()
    }

    fn forward_route(&mut self, e: usize) -> (Vec<(f64, Y)>, Option<PendingLabel>) {
        let (u, v) = (self.chart.edges[e].from, self.chart.edges[e].to);
        let (mut pts, px, label) = self.depart(e);
        let mut xd = px;
        if let Port::Side(side) = self.ports[e] {
            xd = self.stub_x(u, side, px, self.next_x(e));
            let y = pts[0].1;
            pts.push((xd, y));
        }
        let chain = self.g.chains[e].clone();
        for &item in &chain[1..] {
            let xi = self.xs[item];
            if (xi - xd).abs() > 0.01 {
                let y = self.slot(self.g.item_rank(item), xd, xi);
                pts.push((xd, y));
                pts.push((xi, y));
                xd = xi;
            }
        }
        pts.push((self.cx(v), Y::Top(v)));
        (pts, label)
    }

    fn back_route(&mut self, e: usize) -> (Vec<(f64, Y)>, Option<PendingLabel>) {
        let (u, v) = (self.chart.edges[e].from, self.chart.edges[e].to);
        let side = self.back_side[e];
        let lane = self.lanes[e];
        let (mut pts, px, label) = self.depart(e);
        let y_out = pts[0].1;
        if self.extreme(u, side) {
            pts.push((lane, y_out));
        } else {
            let stub = self.stub_x(u, side, px, lane);
            let y = self.slot(self.g.rank[u] + 1, stub, lane);
            pts.extend([(stub, y_out), (stub, y), (lane, y)]);
        }
        let dy = self.side_dy(v, side, true);
        let pin = self.border_x(v, side, dy);
        let y_in = Y::Center(v, dy);
        if self.extreme(v, side) {
            pts.extend([(lane, y_in), (pin, y_in)]);
        } else {
            let stub = self.stub_x(v, side, pin, lane);
            let y = self.slot(self.g.rank[v], stub, lane);
            pts.extend([(lane, y), (stub, y), (stub, y_in), (pin, y_in)]);
        }
        (pts, label)
    }

    /// Gives overlapping horizontal runs of a channel different tracks.
    fn assign_tracks(&mut self) {
        let mut order: Vec<usize> = (0..self.slots.len()).collect();
        order.sort_by(|&a, &b| {
            let (sa, sb) = (&self.slots[a], &self.slots[b]);
            sa.channel
                .cmp(&sb.channel)
                .then(sa.x0.total_cmp(&sb.x0))
                .then(sa.x1.total_cmp(&sb.x1))
                .then(a.cmp(&b))
        });
        let mut done: Vec<usize> = Vec::new();
        for s in order {
            let me = self.slots[s];
            let mut track = 0;
            while done.iter().any(|&o| {
                let other = &self.slots[o];
                other.channel == me.channel
                    && other.track == track
                    && other.x0 <= me.x1 + 2.0
                    && me.x0 <= other.x1 + 2.0
            }) {
                track += 1;
            }
            self.slots[s].track = track;
            done.push(s);
        }
    }

    /// Channel heights, then every y; then everything shifted so the chart starts at the margin.
    fn finish(self, symbolic: Vec<Symbolic>) -> Layout {
        let ranks = self.g.ranks;
        let mut tracks = vec![0usize; ranks + 1];
        for s in &self.slots {
            tracks[s.channel] = tracks[s.channel].max(s.track + 1);
        }
        let rank_h: Vec<f64> = self
            .layers
            .iter()
            .map(|l| {
                l.iter()
                    .filter_map(|&i| match self.g.items[i] {
                        Item::Node(n) => Some(self.boxes[n].h),
                        Item::Dummy { .. } => None,
                    })
                    .fold(0.0, f64::max)
            })
            .collect();
        let channel_h = |k: usize| {
            let inner = if tracks[k] > 0 {
                self.bands[k] + (tracks[k] + 1) as f64 * TRACK
            } else {
                self.bands[k]
            };
            if k == 0 || k == ranks {
                inner
            } else {
                inner.max(MIN_CHANNEL)
            }
        };
        let mut y = MARGIN;
        let mut channel_top = vec![0.0; ranks + 1];
        let mut rank_tops = Vec::with_capacity(ranks + 1);
        for k in 0..ranks {
            channel_top[k] = y;
            y += channel_h(k);
            rank_tops.push(y);
            y += rank_h[k];
        }
        channel_top[ranks] = y;
        rank_tops.push(y);
        let height = y + channel_h(ranks) + MARGIN;
        let cy: Vec<f64> = (0..self.chart.nodes.len())
            .map(|n| rank_tops[self.g.rank[n]] + rank_h[self.g.rank[n]] / 2.0)
            .collect();
        let resolve = |y: Y| -> f64 {
            match y {
                Y::Center(n, dy) => cy[n] + dy,
                Y::Top(n) => cy[n] - self.half_h(n),
                Y::Bottom(n, dx) => match self.boxes[n].shape {
                    Shape::Step => cy[n] + self.half_h(n),
                    Shape::Decision => cy[n] + self.half_h(n) * (1.0 - dx.abs() / self.half_w(n)),
                },
                Y::Slot(s) => {
                    let slot = &self.slots[s];
                    channel_top[slot.channel]
                        + self.bands[slot.channel]
                        + TRACK * (slot.track + 1) as f64
                }
            }
        };
        let mut routes: Vec<Route> = symbolic
            .into_iter()
            .enumerate()
            .map(|(e, (pts, label))| Route {
                edge: e,
                points: simplify(pts.into_iter().map(|(x, y)| (x, resolve(y))).collect()),
                label: label.map(|l| EdgeLabel {
                    w: text::width(&l.text, EDGE_FONT),
                    h: EDGE_FONT * LINE,
                    text: l.text,
                    x: l.x,
                    y: resolve(l.y) + l.dy,
                    start: l.start,
                }),
                back: self.g.back[e],
            })
            .collect();
        let mut nodes = self.boxes.clone();
        for (n, b) in nodes.iter_mut().enumerate() {
            b.x = self.cx(n) - b.w / 2.0;
            b.y = cy[n] - b.h / 2.0;
            for l in &mut b.lines {
                l.x = self.cx(n);
                l.y += cy[n];
            }
        }
        let min_x = nodes
            .iter()
            .map(|b| b.x)
            .chain(routes.iter().flat_map(|r| r.points.iter().map(|p| p.0)))
            .chain(
                routes
                    .iter()
                    .filter_map(|r| r.label.as_ref().map(|l| l.rect().0)),
            )
            .fold(f64::INFINITY, f64::min);
        let max_x = nodes
            .iter()
            .map(|b| b.x + b.w)
            .chain(routes.iter().flat_map(|r| r.points.iter().map(|p| p.0)))
            .chain(
                routes
                    .iter()
                    .filter_map(|r| r.label.as_ref().map(|l| l.rect().2)),
            )
            .fold(f64::NEG_INFINITY, f64::max);
        let shift = MARGIN - min_x;
        for b in &mut nodes {
            b.x += shift;
            b.lines.iter_mut().for_each(|l| l.x += shift);
        }
        for r in &mut routes {
            r.points.iter_mut().for_each(|p| p.0 += shift);
            if let Some(l) = &mut r.label {
                l.x += shift;
            }
        }
        Layout {
            width: (max_x - min_x + 2.0 * MARGIN).ceil(),
            height: height.ceil(),
            nodes,
            routes,
            rank_tops,
        }
    }
}

/// Drops repeated points and the middle points of straight runs.
fn simplify(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for p in points {
        if out
            .last()
            .is_some_and(|q| (q.0 - p.0).abs() < 1e-6 && (q.1 - p.1).abs() < 1e-6)
        {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let straight = ((a.0 - b.0).abs() < 1e-6 && (b.0 - p.0).abs() < 1e-6)
                || ((a.1 - b.1).abs() < 1e-6 && (b.1 - p.1).abs() < 1e-6);
            if straight {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}
