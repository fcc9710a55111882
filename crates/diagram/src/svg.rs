//! The swimlane diagram as SVG, drawn from the shared layout: the service's band, one lane per
//! role, a box per step (id, title, § and limit), the gateways, the start and the ends, and
//! the flows with the outcomes' titles.
//!
//! The SVG is meant to be put inline in a page under a strict content security policy, so it
//! uses presentation attributes only: no `style` element or attribute, no script, no external
//! font or image. Its ids start with the edition and the language, so the diagrams of two
//! languages can share a page.
//!
//! Invariant: pure; the same definition, language and highlight give the same bytes.

use crate::layout::{
    CITE_SIZE, EVENT_LINE, EVENT_SIZE, FLOW_LINE, FLOW_SIZE, ID_SIZE, LANE_LINE, LANE_SIZE, LIMIT_SIZE, Layout, Node, NodeKind, POOL_BAND,
    POOL_SIZE, TASK_PAD, TITLE_LINE, TITLE_SIZE,
};
use crate::text;
use crate::xml::{Xml, num};
use domain::definition::Definition;
use domain::text::Lang;

const FONT: &str = "Noto Sans, DejaVu Sans, sans-serif";
const INK: &str = "#1f2933";
const LINE: &str = "#3e4c59";
const MUTED: &str = "#52606d";
const CURRENT_FILL: &str = "#fff1c2";
const CURRENT_STROKE: &str = "#b44d00";

/// The swimlane diagram of `def` in `lang`, with the step `highlight` (if any) emphasised and
/// marked as the current one.
pub fn swimlane_svg(def: &Definition, lang: Lang, highlight: Option<&str>) -> String {
    let l = Layout::new(def, lang);
    let prefix = prefix(def, lang);
    let (title_id, desc_id, arrow_id) = (format!("{prefix}-title"), format!("{prefix}-desc"), format!("{prefix}-arrow"));
    let (w, h) = (num(l.width), num(l.height));
    let mut x = Xml::fragment();
    x.start(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("version", "1.1"),
            ("viewBox", &format!("0 0 {w} {h}")),
            ("width", &w),
            ("height", &h),
            ("role", "img"),
            ("aria-labelledby", &title_id),
            ("aria-describedby", &desc_id),
            ("class", "process-diagram"),
            ("lang", lang.code()),
            ("font-family", FONT),
            ("font-size", &num(TITLE_SIZE)),
            ("fill", INK),
        ],
    );
    x.text("title", &[("id", &title_id)], &format!("{} — {}", l.title, text::diagram_kind(lang)));
    x.text("desc", &[("id", &desc_id)], &description(def, lang, &l));
    x.start("defs", &[]);
    x.start(
        "marker",
        &[
            ("id", &arrow_id),
            ("viewBox", "0 0 10 10"),
            ("refX", "10"),
            ("refY", "5"),
            ("markerWidth", "9"),
            ("markerHeight", "9"),
            ("markerUnits", "userSpaceOnUse"),
            ("orient", "auto"),
        ],
    );
    x.empty("path", &[("d", "M0,0 L10,5 L0,10 z"), ("fill", LINE)]);
    x.end("marker");
    x.end("defs");
    x.empty("rect", &[("width", &w), ("height", &h), ("fill", "#ffffff")]);

    // The service's band.
    x.start("g", &[("class", "pool")]);
    x.empty(
        "rect",
        &[
            ("x", "0.5"),
            ("y", "0.5"),
            ("width", &num(l.width - 1.0)),
            ("height", &num(l.height - 1.0)),
            ("fill", "none"),
            ("stroke", MUTED),
        ],
    );
    x.empty(
        "rect",
        &[("x", "0.5"), ("y", "0.5"), ("width", &num(POOL_BAND)), ("height", &num(l.height - 1.0)), ("fill", "#e4e7eb"), ("stroke", MUTED)],
    );
    let (px, py) = (num(POOL_BAND / 2.0), num(l.height / 2.0));
    x.text(
        "text",
        &[
            ("x", &px),
            ("y", &py),
            ("dy", "0.35em"),
            ("transform", &format!("rotate(-90 {px} {py})")),
            ("text-anchor", "middle"),
            ("font-weight", "bold"),
            ("font-size", &num(POOL_SIZE)),
        ],
        &l.pool_line,
    );
    x.end("g");

    for (i, lane) in l.lanes.iter().enumerate() {
        x.start("g", &[("class", "lane"), ("data-role", &lane.role)]);
        let r = lane.rect;
        let fill = if i % 2 == 0 { "#f8f9fb" } else { "#ffffff" };
        x.empty(
            "rect",
            &[("x", &num(r.x)), ("y", &num(r.y)), ("width", &num(r.w)), ("height", &num(r.h)), ("fill", fill), ("stroke", MUTED)],
        );
        let hd = lane.header;
        x.empty(
            "rect",
            &[("x", &num(hd.x)), ("y", &num(hd.y)), ("width", &num(hd.w)), ("height", &num(hd.h)), ("fill", "#eef1f5"), ("stroke", MUTED)],
        );
        let top = hd.cy() - lane.lines.len() as f64 * LANE_LINE / 2.0;
        for (k, line) in lane.lines.iter().enumerate() {
            let y = top + (k as f64 + 1.0) * LANE_LINE - 4.0;
            x.text(
                "text",
                &[("x", &num(hd.cx())), ("y", &num(y)), ("text-anchor", "middle"), ("font-weight", "bold"), ("font-size", &num(LANE_SIZE))],
                line,
            );
        }
        x.end("g");
    }

    x.start("g", &[("class", "flows"), ("fill", "none"), ("stroke", LINE), ("stroke-width", "1.4")]);
    let marker = format!("url(#{arrow_id})");
    for e in &l.edges {
        let d = e
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}{},{}", if i == 0 { "M" } else { "L" }, num(p.x), num(p.y)))
            .collect::<Vec<_>>()
            .join(" ");
        let mut attrs = vec![("class", "flow"), ("d", d.as_str()), ("marker-end", marker.as_str())];
        if e.back {
            attrs.push(("stroke-dasharray", "5 3"));
        }
        x.empty("path", &attrs);
    }
    x.end("g");
    x.start(
        "g",
        &[
            ("class", "flow-labels"),
            ("font-size", &num(FLOW_SIZE)),
            ("fill", INK),
            ("stroke", "#ffffff"),
            ("stroke-width", "3"),
            ("stroke-linejoin", "round"),
            ("paint-order", "stroke"),
        ],
    );
    for label in l.edges.iter().filter_map(|e| e.label.as_ref()) {
        for (k, line) in label.lines.iter().enumerate() {
            let y = label.rect.y + (k as f64 + 1.0) * FLOW_LINE - 2.0;
            x.text("text", &[("x", &num(label.rect.x + 2.0)), ("y", &num(y))], line);
        }
    }
    x.end("g");

    for n in &l.nodes {
        match n.kind {
            NodeKind::Task { .. } => task(&mut x, n, highlight, &prefix),
            NodeKind::Choice { .. } | NodeKind::Fork { .. } => gateway(&mut x, n),
            _ => event(&mut x, n),
        }
    }
    x.end("svg");
    x.finish()
}

/// A step's box; its id (`{prefix}-step-{id}`) lets a page link to it, and a link to it
/// scrolls the diagram to the step.
/// The prefix of every id in a diagram: a page may hold diagrams of several editions or languages.
fn prefix(def: &Definition, lang: Lang) -> String {
    format!("diagram-{}-{}", id_part(def.edition()), lang.code())
}

/// The id of a step's box in the diagram, for a link that scrolls to it.
pub fn step_anchor(def: &Definition, lang: Lang, step: &str) -> String {
    format!("{}-step-{}", prefix(def, lang), id_part(step))
}

fn task(x: &mut Xml, n: &Node, highlight: Option<&str>, prefix: &str) {
    let Some(t) = &n.task else { return };
    let r = n.shape;
    let current = highlight == Some(t.id.as_str());
    let id = format!("{prefix}-step-{}", id_part(&t.id));
    let mut attrs = vec![("id", id.as_str()), ("class", if current { "step current" } else { "step" }), ("data-step", t.id.as_str())];
    if current {
        attrs.push(("aria-current", "step"));
    }
    x.start("g", &attrs);
    let mut tip = format!("{} {}\n{}\n{}", t.id, t.title, t.limit, t.citation);
    if let Some(system) = &t.system {
        tip.push('\n');
        tip.push_str(system);
    }
    x.text("title", &[], &tip);
    let (fill, stroke, width) = if current { (CURRENT_FILL, CURRENT_STROKE, "3.5") } else { ("#ffffff", MUTED, "1.5") };
    x.empty(
        "rect",
        &[
            ("x", &num(r.x)),
            ("y", &num(r.y)),
            ("width", &num(r.w)),
            ("height", &num(r.h)),
            ("rx", "6"),
            ("fill", fill),
            ("stroke", stroke),
            ("stroke-width", width),
        ],
    );
    let left = r.x + TASK_PAD;
    let id_w = text::width(&t.id, ID_SIZE, true);
    let top = r.y + 17.0;
    x.text("text", &[("x", &num(left)), ("y", &num(top)), ("font-weight", "bold"), ("font-size", &num(ID_SIZE))], &t.id);
    let mut used = id_w + 8.0;
    if t.system.is_some() {
        // A service task's gear: a dashed ring reads as teeth.
        let (cx, cy) = (num(left + id_w + 11.0), num(top - 4.5));
        x.empty(
            "circle",
            &[
                ("cx", &cx),
                ("cy", &cy),
                ("r", "4.8"),
                ("fill", "none"),
                ("stroke", MUTED),
                ("stroke-width", "3"),
                ("stroke-dasharray", "2.2 1.6"),
            ],
        );
        x.empty("circle", &[("cx", &cx), ("cy", &cy), ("r", "1.4"), ("fill", "#ffffff"), ("stroke", "none")]);
        used += 20.0;
    }
    let cite = text::fit(&t.citation, CITE_SIZE, false, r.w - 2.0 * TASK_PAD - used);
    x.text(
        "text",
        &[("x", &num(r.right() - TASK_PAD)), ("y", &num(top)), ("text-anchor", "end"), ("font-size", &num(CITE_SIZE)), ("fill", MUTED)],
        &cite,
    );
    for (k, line) in t.title_lines.iter().enumerate() {
        x.text("text", &[("x", &num(left)), ("y", &num(r.y + 36.0 + k as f64 * TITLE_LINE))], line);
    }
    // The limit, after a small clock.
    let (cx, cy) = (left + 5.0, r.bottom() - 13.5);
    x.empty("circle", &[("cx", &num(cx)), ("cy", &num(cy)), ("r", "5"), ("fill", "none"), ("stroke", MUTED), ("stroke-width", "1.2")]);
    x.empty(
        "path",
        &[
            ("d", &format!("M{},{} V{} H{}", num(cx), num(cy - 3.2), num(cy), num(cx + 2.6))),
            ("fill", "none"),
            ("stroke", MUTED),
            ("stroke-width", "1.2"),
        ],
    );
    let limit = text::fit(&t.limit, LIMIT_SIZE, false, r.w - 2.0 * TASK_PAD - 14.0);
    x.text("text", &[("x", &num(left + 14.0)), ("y", &num(r.bottom() - 10.0)), ("font-size", &num(LIMIT_SIZE)), ("fill", LINE)], &limit);
    x.end("g");
}

fn gateway(x: &mut Xml, n: &Node) {
    let r = n.shape;
    let (cx, cy) = (r.cx(), r.cy());
    let (class, mark) = match n.kind {
        NodeKind::Fork { .. } => (
            "gateway parallel",
            format!("M{},{} V{} M{},{} H{}", num(cx), num(cy - 9.0), num(cy + 9.0), num(cx - 9.0), num(cy), num(cx + 9.0)),
        ),
        _ => (
            "gateway exclusive",
            format!(
                "M{},{} L{},{} M{},{} L{},{}",
                num(cx - 6.5),
                num(cy - 6.5),
                num(cx + 6.5),
                num(cy + 6.5),
                num(cx + 6.5),
                num(cy - 6.5),
                num(cx - 6.5),
                num(cy + 6.5)
            ),
        ),
    };
    x.start("g", &[("class", class)]);
    let d =
        format!("M{},{} L{},{} L{},{} L{},{} Z", num(cx), num(r.y), num(r.right()), num(cy), num(cx), num(r.bottom()), num(r.x), num(cy));
    x.empty("path", &[("d", &d), ("fill", "#ffffff"), ("stroke", MUTED), ("stroke-width", "1.5")]);
    x.empty("path", &[("d", &mark), ("fill", "none"), ("stroke", INK), ("stroke-width", "2.5"), ("stroke-linecap", "round")]);
    x.end("g");
}

fn event(x: &mut Xml, n: &Node) {
    let r = n.shape;
    let (class, stroke, width) = match n.kind {
        NodeKind::Start => ("event start", "#2f6f3e", "1.8"),
        NodeKind::End { .. } => ("event end", INK, "4"),
        _ => ("event end branch", MUTED, "3"),
    };
    x.start("g", &[("class", class)]);
    x.text("title", &[], &n.name);
    x.empty(
        "circle",
        &[
            ("cx", &num(r.cx())),
            ("cy", &num(r.cy())),
            ("r", &num(r.w / 2.0)),
            ("fill", "#ffffff"),
            ("stroke", stroke),
            ("stroke-width", width),
        ],
    );
    if let Some(label) = &n.label {
        for (k, line) in label.lines.iter().enumerate() {
            let y = label.rect.y + (k as f64 + 1.0) * EVENT_LINE - 2.5;
            x.text("text", &[("x", &num(r.cx())), ("y", &num(y)), ("text-anchor", "middle"), ("font-size", &num(EVENT_SIZE))], line);
        }
    }
    x.end("g");
}

/// The diagram in words for screen readers: each step with its role, limit and §, and where
/// each outcome leads.
fn description(def: &Definition, lang: Lang, l: &Layout) -> String {
    let mut steps: Vec<&Node> = l.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Task { .. })).collect();
    steps.sort_by_key(|n| n.rank);
    let mut out = Vec::new();
    for n in steps {
        let (NodeKind::Task { step }, Some(t)) = (n.kind, &n.task) else { continue };
        let s = &def.steps[step];
        let role = l.lanes[n.lane].title.as_str();
        let mut line = format!("{}. {} ({}; {}; {})", t.id, t.title, role, t.limit, t.citation);
        for o in &s.outcomes {
            let mut to: Vec<String> = o.next.clone();
            if let Some(result) = o.end {
                to.push(text::result(result, lang).to_owned());
            }
            line.push_str(&format!(" — {} → {}", o.title.get(lang), if to.is_empty() { "■".to_owned() } else { to.join(", ") }));
        }
        out.push(line + ".");
    }
    out.join(" ")
}

/// The edition's id as it may appear in an XML id.
fn id_part(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}
