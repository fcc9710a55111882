//! The layout both drawings share: the process as a graph of flow nodes (start, one task per
//! step, a choice after a step with several outcomes, a fork where an outcome leads to several
//! places at once, the ends), placed in one lane per role and one column per rank, with
//! orthogonal routes for the flows and places for their labels.
//!
//! Ranks are longest paths from the start after the flows that close a loop are set aside (a
//! depth-first search marks them), so loops and branches never hang the layout and every other
//! flow points to the right. Routes avoid the nodes; vertical runs share the gaps between
//! columns on separate tracks.
//!
//! Invariant: pure geometry from a definition and a language; no I/O, no XML.

use crate::text;
use domain::definition::{CaseResult, Definition};
use domain::text::Lang;
use std::collections::HashSet;

/// Width of the band at the left that carries the service's name (the BPMN participant's own).
pub(crate) const POOL_BAND: f64 = 30.0;
/// Width of a lane's header with its role's title.
pub(crate) const HEADER_W: f64 = 150.0;
const CONTENT_PAD: f64 = 28.0;
pub(crate) const TASK_W: f64 = 188.0;
pub(crate) const TASK_H: f64 = 128.0;
pub(crate) const GATEWAY: f64 = 40.0;
pub(crate) const EVENT: f64 = 36.0;
const GAP: f64 = 48.0;
/// The gap after a column whose node starts labelled flows: room for the labels.
const GAP_LABELS: f64 = 150.0;
const LANE_PAD: f64 = 28.0;
const ROW_GAP: f64 = 20.0;

pub(crate) const TASK_PAD: f64 = 8.0;
pub(crate) const ID_SIZE: f64 = 12.0;
pub(crate) const CITE_SIZE: f64 = 10.0;
pub(crate) const TITLE_SIZE: f64 = 11.0;
pub(crate) const TITLE_LINE: f64 = 14.0;
pub(crate) const TITLE_LINES: usize = 5;
pub(crate) const LIMIT_SIZE: f64 = 10.0;
pub(crate) const LANE_SIZE: f64 = 12.0;
pub(crate) const LANE_LINE: f64 = 15.0;
pub(crate) const POOL_SIZE: f64 = 12.0;
pub(crate) const FLOW_SIZE: f64 = 9.5;
pub(crate) const FLOW_LINE: f64 = 11.5;
const FLOW_W: f64 = 104.0;
pub(crate) const EVENT_SIZE: f64 = 10.0;
pub(crate) const EVENT_LINE: f64 = 12.0;
const EVENT_LABEL_W: f64 = 112.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
}

const fn pt(x: f64, y: f64) -> Point {
    Point { x, y }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    fn inflate(&self, d: f64) -> Rect {
        Rect { x: self.x - d, y: self.y - d, w: self.w + 2.0 * d, h: self.h + 2.0 * d }
    }
    /// Whether the two overlap with a positive area.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x && o.y >= self.y && o.right() <= self.right() && o.bottom() <= self.bottom()
    }
    /// The segment's bounding box, thickened by `d` on each side.
    pub fn of_segment(a: Point, b: Point, d: f64) -> Rect {
        Rect { x: a.x.min(b.x) - d, y: a.y.min(b.y) - d, w: (a.x - b.x).abs() + 2.0 * d, h: (a.y - b.y).abs() + 2.0 * d }
    }
}

/// Text in lines inside a rectangle.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Label {
    pub lines: Vec<String>,
    pub rect: Rect,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum NodeKind {
    Start,
    Task {
        step: usize,
    },
    /// The exclusive choice among a step's outcomes.
    Choice {
        step: usize,
    },
    /// An outcome that leads to several places at once (several `next`, or `keep_open`).
    Fork {
        step: usize,
        outcome: usize,
    },
    /// The case ends with this result.
    End {
        result: CaseResult,
    },
    /// A side branch ends (`branch_end`); the case goes on elsewhere.
    BranchEnd {
        step: usize,
        outcome: usize,
    },
}

impl NodeKind {
    pub fn is_event(self) -> bool {
        matches!(self, NodeKind::Start | NodeKind::End { .. } | NodeKind::BranchEnd { .. })
    }
    fn is_gateway(self) -> bool {
        matches!(self, NodeKind::Choice { .. } | NodeKind::Fork { .. })
    }
}

/// What a task's box shows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TaskText {
    pub id: String,
    pub title: String,
    pub title_lines: Vec<String>,
    pub citation: String,
    pub limit: String,
    /// The external system the step works through, by its title.
    pub system: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub lane: usize,
    pub rank: usize,
    pub row: usize,
    pub shape: Rect,
    /// The name under an event.
    pub label: Option<Label>,
    pub task: Option<TaskText>,
    /// The event's or task's full name in the diagram's language.
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Edge {
    pub from: usize,
    pub to: usize,
    /// The outcome's title, on a flow out of a choice.
    pub title: Option<String>,
    /// The outcome (step index, outcome index) the flow stands for, if any.
    pub outcome: Option<(usize, usize)>,
    /// Closes a loop (drawn back to the left, into the target's bottom).
    pub back: bool,
    pub points: Vec<Point>,
    pub label: Option<Label>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Lane {
    pub role: String,
    pub title: String,
    pub lines: Vec<String>,
    pub rect: Rect,
    pub header: Rect,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Layout {
    pub width: f64,
    pub height: f64,
    /// The service's name in the diagram's language, with the edition.
    pub title: String,
    /// The same, fitted to the band at the left.
    pub pool_line: String,
    pub lanes: Vec<Lane>,
    /// Each rank's column: its left edge and width.
    pub columns: Vec<(f64, f64)>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Layout {
    pub fn new(def: &Definition, lang: Lang) -> Layout {
        let mut g = graph(def, lang);
        let (ranks, back) = ranks(g.nodes.len(), &g.edges);
        for (n, r) in g.nodes.iter_mut().zip(ranks) {
            n.rank = r;
        }
        for (e, b) in g.edges.iter_mut().zip(back) {
            e.back = b;
        }
        let lanes = lanes(def, &mut g);
        assign_rows(&mut g.nodes);
        let mut layout = place(def, lang, g, lanes);
        route(&mut layout);
        place_labels(&mut layout);
        layout
    }

    /// Where the nodes' columns start (right of the lane headers).
    pub fn content_x(&self) -> f64 {
        POOL_BAND + HEADER_W
    }
}

struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

fn node(kind: NodeKind, name: String) -> Node {
    Node { kind, lane: 0, rank: 0, row: 0, shape: Rect { x: 0.0, y: 0.0, w: 0.0, h: 0.0 }, label: None, task: None, name }
}

fn edge(from: usize, to: usize, title: Option<String>, outcome: Option<(usize, usize)>) -> Edge {
    Edge { from, to, title, outcome, back: false, points: Vec::new(), label: None }
}

/// The flow nodes and flows of the definition.
fn graph(def: &Definition, lang: Lang) -> Graph {
    let mut nodes = vec![node(NodeKind::Start, text::start(lang).to_owned())];
    let mut edges = Vec::new();
    let task_of: Vec<usize> = (0..def.steps.len()).map(|i| i + 1).collect();
    for (i, s) in def.steps.iter().enumerate() {
        let title = s.title.get(lang).to_owned();
        let mut n = node(NodeKind::Task { step: i }, format!("{} {title}", s.id));
        n.task = Some(TaskText {
            id: s.id.to_string(),
            title_lines: text::wrap(&title, TITLE_SIZE, false, TASK_W - 2.0 * TASK_PAD, TITLE_LINES),
            title,
            citation: s.citation(),
            limit: text::limit(&s.limit, lang),
            system: s
                .system()
                .map(|code| def.systems.iter().find(|y| y.id == code).map_or(code.to_owned(), |y| y.title.get(lang).to_owned())),
        });
        nodes.push(n);
    }
    let step_index = |id: &str| def.steps.iter().position(|s| s.id == id);
    if let Some(first) = step_index(&def.start).or((!def.steps.is_empty()).then_some(0)) {
        edges.push(edge(0, task_of[first], None, None));
    }
    let mut ends: Vec<(CaseResult, usize)> = Vec::new();
    for (i, s) in def.steps.iter().enumerate() {
        let from = if s.outcomes.len() > 1 {
            nodes.push(node(NodeKind::Choice { step: i }, String::new()));
            edges.push(edge(task_of[i], nodes.len() - 1, None, None));
            nodes.len() - 1
        } else {
            task_of[i]
        };
        for (k, o) in s.outcomes.iter().enumerate() {
            let mut targets: Vec<usize> = o.next.iter().filter_map(|n| step_index(n)).map(|j| task_of[j]).collect();
            if let Some(result) = o.end {
                let end = match ends.iter().find(|(r, _)| *r == result) {
                    Some(&(_, n)) => n,
                    None => {
                        nodes.push(node(NodeKind::End { result }, text::result(result, lang).to_owned()));
                        ends.push((result, nodes.len() - 1));
                        nodes.len() - 1
                    }
                };
                targets.push(end);
            }
            if o.branch_end {
                nodes.push(node(NodeKind::BranchEnd { step: i, outcome: k }, o.title.get(lang).to_owned()));
                targets.push(nodes.len() - 1);
            }
            if o.keep_open {
                targets.push(task_of[i]);
            }
            let title = (from != task_of[i]).then(|| o.title.get(lang).to_owned());
            match targets.as_slice() {
                [] => {}
                [t] => edges.push(edge(from, *t, title, Some((i, k)))),
                _ => {
                    nodes.push(node(NodeKind::Fork { step: i, outcome: k }, String::new()));
                    let fork = nodes.len() - 1;
                    edges.push(edge(from, fork, title, Some((i, k))));
                    edges.extend(targets.iter().map(|&t| edge(fork, t, None, Some((i, k)))));
                }
            }
        }
    }
    Graph { nodes, edges }
}

/// Each node's rank (the longest path to it from the start, loops set aside) and which flows
/// close a loop. Nodes the start does not reach are searched from afterwards, in order.
fn ranks(n: usize, edges: &[Edge]) -> (Vec<usize>, Vec<bool>) {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        out[e.from].push(i);
    }
    // 0 unseen, 1 on the search's path, 2 done.
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack = vec![(root, 0usize)];
        while let Some((u, pos)) = stack.last_mut() {
            let u = *u;
            if let Some(&e) = out[u].get(*pos) {
                *pos += 1;
                let v = edges[e].to;
                match state[v] {
                    0 => {
                        state[v] = 1;
                        stack.push((v, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[u] = 2;
                stack.pop();
            }
        }
    }
    let mut indegree = vec![0usize; n];
    for (e, b) in edges.iter().zip(&back) {
        if !b {
            indegree[e.to] += 1;
        }
    }
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).rev().collect();
    while let Some(u) = ready.pop() {
        for &e in &out[u] {
            if back[e] {
                continue;
            }
            let v = edges[e].to;
            rank[v] = rank[v].max(rank[u] + 1);
            indegree[v] -= 1;
            if indegree[v] == 0 {
                ready.push(v);
            }
        }
    }
    (rank, back)
}

/// One lane per role in the definition's order (and one for a role a step names that the
/// definition lacks, titled by its id; an untitled one when there is nothing at all); each node
/// in its lane.
fn lanes(def: &Definition, g: &mut Graph) -> Vec<(String, String)> {
    let mut lanes: Vec<(String, String)> = Vec::new();
    for r in &def.roles {
        lanes.push((r.id.clone(), String::new()));
    }
    for s in &def.steps {
        if !lanes.iter().any(|(id, _)| *id == s.role) {
            lanes.push((s.role.to_string(), s.role.to_string()));
        }
    }
    if lanes.is_empty() {
        lanes.push((String::new(), String::new()));
    }
    let lane_of_step = |i: usize| lanes.iter().position(|(id, _)| *id == def.steps[i].role).unwrap_or(0);
    for n in &mut g.nodes {
        match n.kind {
            NodeKind::Task { step } | NodeKind::Choice { step } | NodeKind::Fork { step, .. } | NodeKind::BranchEnd { step, .. } => {
                n.lane = lane_of_step(step);
            }
            NodeKind::Start | NodeKind::End { .. } => {}
        }
    }
    // The start sits in its first step's lane; an end in the lane of the first flow into it.
    for i in 0..g.nodes.len() {
        let lane = match g.nodes[i].kind {
            NodeKind::Start => g.edges.iter().find(|e| e.from == i).map(|e| g.nodes[e.to].lane),
            NodeKind::End { .. } => g.edges.iter().find(|e| e.to == i).map(|e| g.nodes[e.from].lane),
            _ => None,
        };
        if let Some(lane) = lane {
            g.nodes[i].lane = lane;
        }
    }
    lanes
}

/// Rows inside a lane: a node takes the first row free in its column, tasks and gateways before
/// events, so that the main line stays on row 0.
fn assign_rows(nodes: &mut [Node]) {
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| (nodes[i].rank, nodes[i].kind.is_event(), i));
    let mut taken: HashSet<(usize, usize, usize)> = HashSet::new();
    for i in order {
        let (lane, rank) = (nodes[i].lane, nodes[i].rank);
        let row = (0..).find(|r| !taken.contains(&(lane, rank, *r))).expect("a free row");
        taken.insert((lane, rank, row));
        nodes[i].row = row;
    }
}

/// A node's width and its extent above and below its axis (an event's name hangs below it).
fn footprint(n: &Node) -> (f64, f64, f64) {
    match n.kind {
        NodeKind::Task { .. } => (TASK_W, TASK_H / 2.0, TASK_H / 2.0),
        NodeKind::Choice { .. } | NodeKind::Fork { .. } => (GATEWAY, GATEWAY / 2.0, GATEWAY / 2.0),
        _ => {
            let lines = n.label.as_ref().map_or(0, |l| l.lines.len()) as f64;
            let w = n.label.as_ref().map_or(EVENT, |l| l.rect.w.max(EVENT));
            (w, EVENT / 2.0, EVENT / 2.0 + 4.0 + lines * EVENT_LINE)
        }
    }
}

fn place(def: &Definition, lang: Lang, g: Graph, lane_ids: Vec<(String, String)>) -> Layout {
    let Graph { mut nodes, edges } = g;
    for n in nodes.iter_mut().filter(|n| n.kind.is_event()) {
        let lines = text::wrap(&n.name, EVENT_SIZE, false, EVENT_LABEL_W, 3);
        let w = lines.iter().map(|l| text::width(l, EVENT_SIZE, false)).fold(0.0, f64::max) + 4.0;
        n.label = Some(Label { lines, rect: Rect { x: 0.0, y: 0.0, w, h: 0.0 } });
    }
    let columns = nodes.iter().map(|n| n.rank + 1).max().unwrap_or(1);
    let mut col_w = vec![0.0f64; columns];
    let mut labelled = vec![false; columns];
    for (i, n) in nodes.iter().enumerate() {
        col_w[n.rank] = col_w[n.rank].max(footprint(n).0);
        if edges.iter().any(|e| e.from == i && e.title.is_some()) {
            labelled[n.rank] = true;
        }
    }
    let mut col_x = vec![0.0f64; columns];
    let mut x = POOL_BAND + HEADER_W + CONTENT_PAD;
    for c in 0..columns {
        col_x[c] = x;
        x += col_w[c] + if labelled[c] { GAP_LABELS } else { GAP };
    }
    let width = col_x[columns - 1] + col_w[columns - 1] + CONTENT_PAD;

    // Rows: each row's extent above and below its axis.
    let lane_count = lane_ids.len().max(1);
    let rows_in = |lane: usize| nodes.iter().filter(|n| n.lane == lane).map(|n| n.row + 1).max().unwrap_or(1);
    let mut lanes = Vec::with_capacity(lane_count);
    let mut axis: Vec<Vec<f64>> = Vec::with_capacity(lane_count);
    let mut y = 0.0;
    for (lane, (role, fallback)) in lane_ids.iter().enumerate() {
        let title = def.role(role).map_or(fallback.clone(), |r| r.title.get(lang).to_owned());
        let lines = text::wrap(&title, LANE_SIZE, true, HEADER_W - 16.0, 8);
        let mut axes = Vec::new();
        let mut h = LANE_PAD;
        for row in 0..rows_in(lane) {
            let (above, below) = nodes
                .iter()
                .filter(|n| n.lane == lane && n.row == row)
                .map(footprint)
                .fold((0.0f64, 0.0f64), |(a, b), (_, na, nb)| (a.max(na), b.max(nb)));
            if row > 0 {
                h += ROW_GAP;
            }
            axes.push(y + h + above);
            h += above + below;
        }
        h += LANE_PAD;
        let h = h.max(lines.len() as f64 * LANE_LINE + 24.0).max(100.0);
        lanes.push(Lane {
            role: role.clone(),
            title,
            lines,
            rect: Rect { x: POOL_BAND, y, w: width - POOL_BAND, h },
            header: Rect { x: POOL_BAND, y, w: HEADER_W, h },
        });
        axis.push(axes);
        y += h;
    }
    let height = y;

    for n in &mut nodes {
        let cx = col_x[n.rank] + col_w[n.rank] / 2.0;
        let cy = axis[n.lane][n.row];
        let (w, h) = match n.kind {
            NodeKind::Task { .. } => (TASK_W, TASK_H),
            NodeKind::Choice { .. } | NodeKind::Fork { .. } => (GATEWAY, GATEWAY),
            _ => (EVENT, EVENT),
        };
        n.shape = Rect { x: cx - w / 2.0, y: cy - h / 2.0, w, h };
        if let Some(l) = &mut n.label {
            l.rect = Rect { x: cx - l.rect.w / 2.0, y: n.shape.bottom() + 4.0, w: l.rect.w, h: l.lines.len() as f64 * EVENT_LINE };
        }
    }

    let title = format!("{} ({} {})", def.service.get(lang), text::edition(lang), def.edition());
    let pool_line = text::fit(&title, POOL_SIZE, true, height - 20.0);
    let columns = col_x.into_iter().zip(col_w).collect();
    Layout { width, height, title, pool_line, lanes, columns, nodes, edges }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    Right,
    Top,
    Bottom,
}

/// Routes every flow. Flows out of a gateway leave by the top, right or bottom corner towards
/// their targets; flows into a task arrive along its left side, level with their source where
/// they can, the ones from above higher and the ones from below lower, so that they do not
/// cross; loops leave downwards and run back along the bottom of the lane. Two outcomes that
/// lead to the same place share one line (and keep their own labels).
fn route(l: &mut Layout) {
    let n = l.nodes.len();
    let axis_y = |i: usize| l.nodes[i].shape.cy();
    // A flow with the same ends as an earlier one is drawn along it.
    let twin: Vec<Option<usize>> =
        (0..l.edges.len()).map(|e| (0..e).find(|&f| l.edges[f].from == l.edges[e].from && l.edges[f].to == l.edges[e].to)).collect();
    let own = |e: usize| twin[e].is_none() && !l.edges[e].back;
    let mut side = vec![Side::Right; l.edges.len()];
    let mut exit_off = vec![0.0f64; l.edges.len()];
    let mut entry_off = vec![0.0f64; l.edges.len()];
    for u in 0..n {
        let mut fwd: Vec<usize> = (0..l.edges.len()).filter(|&e| l.edges[e].from == u && own(e)).collect();
        fwd.sort_by(|&a, &b| {
            let (ta, tb) = (l.edges[a].to, l.edges[b].to);
            axis_y(ta).total_cmp(&axis_y(tb)).then(l.nodes[ta].shape.x.total_cmp(&l.nodes[tb].shape.x)).then(a.cmp(&b))
        });
        if l.nodes[u].kind.is_gateway() {
            for &e in &fwd {
                let dy = axis_y(l.edges[e].to) - axis_y(u);
                side[e] = if dy < -1.0 {
                    Side::Top
                } else if dy > 1.0 {
                    Side::Bottom
                } else {
                    Side::Right
                };
            }
            let tops: Vec<usize> = fwd.iter().copied().filter(|&e| side[e] == Side::Top).collect();
            let bottoms: Vec<usize> = fwd.iter().copied().filter(|&e| side[e] == Side::Bottom).collect();
            let mut right_used = fwd.iter().any(|&e| side[e] == Side::Right);
            // Of several flows upwards the highest keeps the top corner; another may take the
            // free right corner. Likewise downwards.
            for &e in tops.iter().skip(1).chain(bottoms.iter().rev().skip(1)) {
                if !right_used {
                    side[e] = Side::Right;
                    right_used = true;
                }
            }
        }
        let others: Vec<(usize, f64)> = fwd.iter().map(|&e| (e, axis_y(l.edges[e].to))).collect();
        for (e, off) in offsets(axis_y(u), &others, l.nodes[u].shape.h) {
            exit_off[e] = off;
        }
    }
    for v in 0..n {
        let others: Vec<(usize, f64)> =
            (0..l.edges.len()).filter(|&e| l.edges[e].to == v && own(e)).map(|e| (e, axis_y(l.edges[e].from))).collect();
        for (e, off) in offsets(axis_y(v), &others, l.nodes[v].shape.h) {
            entry_off[e] = off;
        }
    }

    let mut obstacles: Vec<(usize, Rect)> = Vec::new();
    for (i, node) in l.nodes.iter().enumerate() {
        obstacles.push((i, node.shape.inflate(4.0)));
        if let Some(label) = &node.label {
            obstacles.push((i, label.rect.inflate(2.0)));
        }
    }
    let mut r = Router { obstacles, segments: Vec::new() };
    // Short flows first, so that they keep the straightest tracks.
    let mut order: Vec<usize> = (0..l.edges.len()).filter(|&e| twin[e].is_none()).collect();
    order.sort_by_key(|&e| {
        let (a, b) = (&l.nodes[l.edges[e].from], &l.nodes[l.edges[e].to]);
        (l.edges[e].back, a.rank.abs_diff(b.rank), a.lane.abs_diff(b.lane), e)
    });
    for e in order {
        let (u, v) = (l.edges[e].from, l.edges[e].to);
        let (su, sv) = (l.nodes[u].shape, l.nodes[v].shape);
        let (ku, kv) = (l.nodes[u].kind, l.nodes[v].kind);
        let lane_u = l.lanes[l.nodes[u].lane].rect;
        let lane_v = l.lanes[l.nodes[v].lane].rect;
        // The middle of the gap before the target's column and of the one after the source's.
        let entry_gap = l.columns[l.nodes[v].rank].0 - GAP / 2.0;
        let exit_gap = l.columns[l.nodes[u].rank].0 + l.columns[l.nodes[u].rank].1 + GAP / 2.0;
        let skip = [u, v];
        let points = if l.edges[e].back {
            let p0 = if ku.is_gateway() { pt(su.cx(), su.bottom()) } else { pt(su.cx() + 16.0, su.bottom()) };
            let cy = r.corridor(lane_u.bottom() - LANE_PAD / 2.0, p0.x, su.cx().min(sv.cx()) - 20.0);
            if l.nodes[u].lane == l.nodes[v].lane {
                let pe = if kv.is_gateway() || kv.is_event() { pt(sv.cx(), sv.bottom()) } else { pt(sv.cx() - 16.0, sv.bottom()) };
                vec![p0, pt(p0.x, cy), pt(pe.x, cy), pe]
            } else {
                let pe = entry(kv, sv, entry_off[e]);
                let x = r.channel(entry_gap, cy, pe.y);
                vec![p0, pt(p0.x, cy), pt(x, cy), pt(x, pe.y), pe]
            }
        } else {
            let pe = entry(kv, sv, entry_off[e]);
            let mut candidates: Vec<Vec<Point>> = Vec::new();
            if side[e] != Side::Right {
                let p0 = if side[e] == Side::Top { pt(su.cx(), su.y) } else { pt(su.cx(), su.bottom()) };
                candidates.push(vec![p0, pt(p0.x, pe.y), pe]);
            }
            let p0 = exit(ku, su, exit_off[e]);
            if (p0.y - pe.y).abs() < 0.5 {
                candidates.push(vec![p0, pe]);
            }
            let x = r.channel(entry_gap, p0.y, pe.y);
            candidates.push(vec![p0, pt(x, p0.y), pt(x, pe.y), pe]);
            let x2 = r.channel(exit_gap, p0.y, pe.y);
            candidates.push(vec![p0, pt(x2, p0.y), pt(x2, pe.y), pe]);
            for lane in [lane_u, lane_v] {
                let cy = if pe.y < p0.y { lane.y + LANE_PAD / 2.0 } else { lane.bottom() - LANE_PAD / 2.0 };
                let cy = r.corridor(cy, x2, x);
                let x2 = r.channel(exit_gap, p0.y, cy);
                let x = r.channel(entry_gap, cy, pe.y);
                candidates.push(vec![p0, pt(x2, p0.y), pt(x2, cy), pt(x, cy), pt(x, pe.y), pe]);
            }
            let fallback = candidates[usize::from(side[e] != Side::Right)].clone();
            candidates.into_iter().find(|c| r.clear(c, &skip)).unwrap_or(fallback)
        };
        let points = simplify(points);
        r.segments.extend(points.windows(2).map(|w| (w[0], w[1])));
        l.edges[e].points = points;
    }
    for (e, f) in twin.iter().enumerate() {
        if let Some(f) = *f {
            l.edges[e].points = l.edges[f].points.clone();
        }
    }
}

/// Offsets along a node's side for flows whose other ends sit at the given heights: a flow
/// level with the node goes straight, those from above take the places above it in order and
/// those from below the places under it, `SLOT` apart or closer to stay on the side.
fn offsets(y: f64, others: &[(usize, f64)], side: f64) -> Vec<(usize, f64)> {
    const SLOT: f64 = 14.0;
    let mut sorted = others.to_vec();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut above: Vec<usize> = sorted.iter().filter(|o| o.1 < y - 1.0).map(|o| o.0).collect();
    let mut level: Vec<usize> = sorted.iter().filter(|o| (o.1 - y).abs() <= 1.0).map(|o| o.0).collect();
    let mut below: Vec<usize> = sorted.iter().filter(|o| o.1 > y + 1.0).map(|o| o.0).collect();
    // With nothing level and flows from one side only, the nearest of them takes the middle.
    if level.is_empty() && below.is_empty() {
        level.extend(above.pop());
    } else if level.is_empty() && above.is_empty() {
        level.push(below.remove(0));
    }
    let half = (level.len().max(1) - 1) as f64 / 2.0;
    let mut slots: Vec<(usize, f64)> = Vec::new();
    slots.extend(above.iter().enumerate().map(|(i, &e)| (e, -((above.len() - i) as f64) - half)));
    slots.extend(level.iter().enumerate().map(|(i, &e)| (e, i as f64 - half)));
    slots.extend(below.iter().enumerate().map(|(i, &e)| (e, (i + 1) as f64 + half)));
    let widest = slots.iter().map(|s| s.1.abs()).fold(0.0, f64::max);
    let room = (side / 2.0 - 12.0).max(0.0);
    let step = if widest > 0.0 { SLOT.min(room / widest) } else { SLOT };
    slots.into_iter().map(|(e, s)| (e, s * step)).collect()
}

/// Where a forward flow leaves its source: a task's right side at `dy` from the middle, a
/// gateway's or event's right corner.
fn exit(kind: NodeKind, s: Rect, dy: f64) -> Point {
    match kind {
        NodeKind::Task { .. } => pt(s.right(), s.cy() + dy),
        _ => pt(s.right(), s.cy()),
    }
}

/// Where a forward flow enters its target: a task's left side at `dy` from the middle, a
/// gateway's left corner, or an event's circle.
fn entry(kind: NodeKind, s: Rect, dy: f64) -> Point {
    match kind {
        NodeKind::Task { .. } => pt(s.x, s.cy() + dy),
        NodeKind::Choice { .. } | NodeKind::Fork { .. } => pt(s.x, s.cy()),
        _ => {
            let r = s.w / 2.0;
            pt(s.cx() - (r * r - dy * dy).max(0.0).sqrt(), s.cy() + dy)
        }
    }
}

/// Drops repeated points and points in the middle of a straight run.
fn simplify(points: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        if out.last().is_some_and(|q| (q.x - p.x).abs() < 0.01 && (q.y - p.y).abs() < 0.01) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let straight = ((a.x - b.x).abs() < 0.01 && (b.x - p.x).abs() < 0.01) || ((a.y - b.y).abs() < 0.01 && (b.y - p.y).abs() < 0.01);
            if straight {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

struct Router {
    obstacles: Vec<(usize, Rect)>,
    segments: Vec<(Point, Point)>,
}

/// Offsets of the parallel tracks in a gap between columns (the narrowest gap holds them all).
const TRACKS: [f64; 5] = [0.0, -8.0, 8.0, -16.0, 16.0];

impl Router {
    /// An x near `base` where no routed vertical run overlaps `y1..y2`.
    fn channel(&self, base: f64, y1: f64, y2: f64) -> f64 {
        let (lo, hi) = (y1.min(y2), y1.max(y2));
        TRACKS
            .iter()
            .map(|d| base + d)
            .find(|&x| {
                !self
                    .segments
                    .iter()
                    .any(|(a, b)| (a.x - b.x).abs() < 0.01 && (a.x - x).abs() < 3.0 && a.y.min(b.y) < hi + 2.0 && a.y.max(b.y) > lo - 2.0)
            })
            .unwrap_or(base)
    }

    /// A y near `base` where no routed horizontal run overlaps `x1..x2`.
    fn corridor(&self, base: f64, x1: f64, x2: f64) -> f64 {
        let (lo, hi) = (x1.min(x2), x1.max(x2));
        [0.0, -6.0, 6.0, -12.0, 12.0]
            .iter()
            .map(|d| base + d)
            .find(|&y| {
                !self
                    .segments
                    .iter()
                    .any(|(a, b)| (a.y - b.y).abs() < 0.01 && (a.y - y).abs() < 3.0 && a.x.min(b.x) < hi + 2.0 && a.x.max(b.x) > lo - 2.0)
            })
            .unwrap_or(base)
    }

    /// Whether a route misses every node but its ends and runs along no routed flow.
    fn clear(&self, points: &[Point], skip: &[usize]) -> bool {
        points.windows(2).all(|w| {
            let seg = Rect::of_segment(w[0], w[1], 0.5);
            let horizontal = (w[0].y - w[1].y).abs() < 0.01;
            self.obstacles.iter().all(|(i, r)| skip.contains(i) || !seg.overlaps(r))
                && self.segments.iter().all(|(a, b)| {
                    let other_horizontal = (a.y - b.y).abs() < 0.01;
                    if horizontal != other_horizontal {
                        return true;
                    }
                    // Collinear runs closer than 3 px that overlap would read as one line.
                    let near = if horizontal { (a.y - w[0].y).abs() < 3.0 } else { (a.x - w[0].x).abs() < 3.0 };
                    !near
                        || !Rect::of_segment(*a, *b, 0.0).inflate(1.0).overlaps(&Rect::of_segment(w[0], w[1], 0.0).inflate(1.0))
                        || shares_end(*a, *b, w[0], w[1])
                })
        })
    }
}

/// Two runs that only meet where one of them ends at a shared node (a fan-in or fan-out).
fn shares_end(a: Point, b: Point, c: Point, d: Point) -> bool {
    let same = |p: Point, q: Point| (p.x - q.x).abs() < 0.01 && (p.y - q.y).abs() < 0.01;
    let overlap = Rect::of_segment(a, b, 0.0).inflate(1.0);
    let other = Rect::of_segment(c, d, 0.0).inflate(1.0);
    let ix = overlap.right().min(other.right()) - overlap.x.max(other.x);
    let iy = overlap.bottom().min(other.bottom()) - overlap.y.max(other.y);
    (same(a, c) || same(a, d) || same(b, c) || same(b, d)) && ix.min(iy) <= 2.5 && ix.max(iy) <= 2.5
}

/// Places each outcome's title next to its flow, near the gateway, where it covers no node, no
/// flow, no other label and no lane's border.
fn place_labels(l: &mut Layout) {
    let mut taken: Vec<Rect> = Vec::new();
    for n in &l.nodes {
        taken.push(n.shape.inflate(3.0));
        if let Some(label) = &n.label {
            taken.push(label.rect.inflate(2.0));
        }
    }
    for e in &l.edges {
        taken.extend(e.points.windows(2).map(|w| Rect::of_segment(w[0], w[1], 2.5)));
    }
    for lane in &l.lanes[1..] {
        taken.push(Rect { x: lane.rect.x, y: lane.rect.y - 2.0, w: lane.rect.w, h: 4.0 });
    }
    let area = Rect { x: l.content_x() + 4.0, y: 2.0, w: l.width - l.content_x() - 6.0, h: l.height - 4.0 };
    for e in &mut l.edges {
        let Some(title) = &e.title else { continue };
        let lines = text::wrap(title, FLOW_SIZE, false, FLOW_W, 3);
        let w = lines.iter().map(|s| text::width(s, FLOW_SIZE, false)).fold(0.0, f64::max) + 4.0;
        let h = lines.len() as f64 * FLOW_LINE + 2.0;
        // Along each run, stepping away from its start: above or below a horizontal run; right of
        // a vertical run, then left of it (labels of flows that share a line stack up).
        let mut candidates = Vec::new();
        for seg in e.points.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let len = (a.x - b.x).abs() + (a.y - b.y).abs();
            let steps = ((len / 12.0) as usize).max(1);
            if (a.y - b.y).abs() < 0.01 {
                let dir = if b.x >= a.x { 1.0 } else { -1.0 };
                for k in 0..steps {
                    let along = 8.0 + k as f64 * 12.0;
                    let x = if dir > 0.0 { a.x + along } else { a.x - along - w };
                    for y in [a.y - 4.0 - h, a.y + 4.0] {
                        candidates.push(Rect { x, y, w, h });
                    }
                }
            } else {
                let dir = if b.y >= a.y { 1.0 } else { -1.0 };
                for x in [a.x + 5.0, a.x - 5.0 - w] {
                    for k in 0..steps {
                        let along = 8.0 + k as f64 * 12.0;
                        let y = if dir > 0.0 { a.y + along } else { a.y - along - h };
                        candidates.push(Rect { x, y, w, h });
                    }
                }
            }
        }
        let first = candidates.first().copied();
        let free = |r: &Rect| area.contains(r) && l.lanes.iter().any(|lane| lane.rect.contains(r)) && !taken.iter().any(|t| t.overlaps(r));
        let Some(rect) = candidates.iter().copied().find(free).or(first) else { continue };
        taken.push(rect);
        e.label = Some(Label { lines, rect });
    }
}
