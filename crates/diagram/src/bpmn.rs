//! The process as BPMN 2.0 XML with its diagram interchange, from the shared layout, so that a
//! modeller (bpmn-js, Camunda Modeler) shows the same picture as our SVG.
//!
//! One collaboration with one participant (the service) whose process has a lane per role; a
//! start event; a user task per step (a service task when the step works through an external
//! system); an exclusive gateway after a step with several outcomes, its flows named by the
//! outcomes; a parallel gateway where an outcome leads to several places at once; an end event
//! per case result and per side branch's end. Ids are NCNames made from the definition's ids.
//!
//! Invariant: pure; the same definition and language give the same bytes.

use crate::layout::{Layout, NodeKind, Rect};
use crate::xml::{Xml, num};
use domain::definition::Definition;
use domain::text::Lang;
use std::collections::HashSet;

const MODEL: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const BPMNDI: &str = "http://www.omg.org/spec/BPMN/20100524/DI";
const DC: &str = "http://www.omg.org/spec/DD/20100524/DC";
const DI: &str = "http://www.omg.org/spec/DD/20100524/DI";

/// The BPMN 2.0 document of `def`, with names in `lang`.
pub fn bpmn_xml(def: &Definition, lang: Lang) -> String {
    let l = Layout::new(def, lang);
    let mut ids = Ids::default();
    let edition = ncname_part(def.edition());
    let definitions_id = ids.make(&format!("Definitions_{edition}"));
    let collaboration = ids.make("Collaboration_1");
    let participant = ids.make("Participant_1");
    let process = ids.make(&format!("Process_{edition}"));
    let lane_set = ids.make("LaneSet_1");
    let lane_ids: Vec<String> = l.lanes.iter().map(|lane| ids.make(&format!("Lane_{}", ncname_part(&lane.role)))).collect();
    let node_ids: Vec<String> = l
        .nodes
        .iter()
        .map(|n| {
            let step = |i: usize| ncname_part(&def.steps[i].id);
            let outcome = |i: usize, k: usize| ncname_part(&def.steps[i].outcomes[k].id);
            ids.make(&match n.kind {
                NodeKind::Start => "StartEvent_1".to_owned(),
                NodeKind::Task { step: i } => format!("Task_{}", step(i)),
                NodeKind::Choice { step: i } => format!("Gateway_{}", step(i)),
                NodeKind::Fork { step: i, outcome: k } => format!("Fork_{}_{}", step(i), outcome(i, k)),
                NodeKind::End { result } => format!("End_{}", result.code()),
                NodeKind::BranchEnd { step: i, outcome: k } => format!("BranchEnd_{}_{}", step(i), outcome(i, k)),
            })
        })
        .collect();
    // Flows are named after what they stand for: Flow_P4_clear, Flow_P4_choice (into the
    // step's gateway), Flow_P5_extend_to_P5n (out of an outcome's fork).
    let suffix = |node: usize| node_ids[node].split_once('_').map_or(node_ids[node].as_str(), |p| p.1).to_owned();
    let flow_ids: Vec<String> = l
        .edges
        .iter()
        .map(|e| {
            let wanted = match (l.nodes[e.from].kind, l.nodes[e.to].kind, e.outcome) {
                (NodeKind::Start, ..) => format!("Flow_start_to_{}", suffix(e.to)),
                (_, NodeKind::Choice { step }, _) => format!("Flow_{}_choice", ncname_part(&def.steps[step].id)),
                (NodeKind::Fork { .. }, _, Some((i, k))) => {
                    format!("Flow_{}_{}_to_{}", ncname_part(&def.steps[i].id), ncname_part(&def.steps[i].outcomes[k].id), suffix(e.to))
                }
                (_, _, Some((i, k))) => format!("Flow_{}_{}", ncname_part(&def.steps[i].id), ncname_part(&def.steps[i].outcomes[k].id)),
                _ => format!("Flow_{}_to_{}", suffix(e.from), suffix(e.to)),
            };
            ids.make(&wanted)
        })
        .collect();

    let mut x = Xml::new();
    x.start(
        "bpmn:definitions",
        &[
            ("xmlns:bpmn", MODEL),
            ("xmlns:bpmndi", BPMNDI),
            ("xmlns:dc", DC),
            ("xmlns:di", DI),
            ("id", &definitions_id),
            ("targetNamespace", &format!("urn:shaqyru:regulation:{edition}")),
            ("exporter", "Shaqyru"),
            ("exporterVersion", env!("CARGO_PKG_VERSION")),
        ],
    );
    x.start("bpmn:collaboration", &[("id", &collaboration)]);
    x.empty("bpmn:participant", &[("id", &participant), ("name", &l.title), ("processRef", &process)]);
    x.end("bpmn:collaboration");

    x.start("bpmn:process", &[("id", &process), ("name", &l.title), ("isExecutable", "false")]);
    x.start("bpmn:laneSet", &[("id", &lane_set)]);
    for (i, lane) in l.lanes.iter().enumerate() {
        x.start("bpmn:lane", &[("id", &lane_ids[i]), ("name", &lane.title)]);
        for (n, id) in l.nodes.iter().zip(&node_ids) {
            if n.lane == i {
                x.text("bpmn:flowNodeRef", &[], id);
            }
        }
        x.end("bpmn:lane");
    }
    x.end("bpmn:laneSet");

    for (i, n) in l.nodes.iter().enumerate() {
        let (element, name) = match n.kind {
            NodeKind::Start => ("bpmn:startEvent", Some(n.name.clone())),
            NodeKind::Task { step } => {
                let s = &def.steps[step];
                let t = n.task.as_ref().expect("a task node has its text");
                let element = if s.system().is_some() { "bpmn:serviceTask" } else { "bpmn:userTask" };
                (element, Some(format!("{} {} ({}, {})", t.id, t.title, t.limit, t.citation)))
            }
            NodeKind::Choice { .. } => ("bpmn:exclusiveGateway", None),
            NodeKind::Fork { .. } => ("bpmn:parallelGateway", None),
            NodeKind::End { .. } | NodeKind::BranchEnd { .. } => ("bpmn:endEvent", Some(n.name.clone())),
        };
        let mut attrs = vec![("id", node_ids[i].as_str())];
        if let Some(name) = &name {
            attrs.push(("name", name.as_str()));
        }
        x.start(element, &attrs);
        if let Some(system) = n.task.as_ref().and_then(|t| t.system.as_ref()) {
            x.text("bpmn:documentation", &[], system);
        }
        for (e, id) in l.edges.iter().zip(&flow_ids) {
            if e.to == i {
                x.text("bpmn:incoming", &[], id);
            }
        }
        for (e, id) in l.edges.iter().zip(&flow_ids) {
            if e.from == i {
                x.text("bpmn:outgoing", &[], id);
            }
        }
        x.end(element);
    }
    for (e, id) in l.edges.iter().zip(&flow_ids) {
        let mut attrs = vec![("id", id.as_str())];
        if let Some(title) = &e.title {
            attrs.push(("name", title.as_str()));
        }
        attrs.push(("sourceRef", node_ids[e.from].as_str()));
        attrs.push(("targetRef", node_ids[e.to].as_str()));
        x.empty("bpmn:sequenceFlow", &attrs);
    }
    x.end("bpmn:process");

    x.start("bpmndi:BPMNDiagram", &[("id", "BPMNDiagram_1"), ("name", &l.title)]);
    x.start("bpmndi:BPMNPlane", &[("id", "BPMNPlane_1"), ("bpmnElement", &collaboration)]);
    let pool = Rect { x: 0.0, y: 0.0, w: l.width, h: l.height };
    shape(&mut x, &participant, pool, &[("isHorizontal", "true")], None);
    for (lane, id) in l.lanes.iter().zip(&lane_ids) {
        shape(&mut x, id, lane.rect, &[("isHorizontal", "true")], None);
    }
    for (n, id) in l.nodes.iter().zip(&node_ids) {
        let extra: &[(&str, &str)] = if matches!(n.kind, NodeKind::Choice { .. }) { &[("isMarkerVisible", "true")] } else { &[] };
        shape(&mut x, id, n.shape, extra, n.label.as_ref().map(|label| label.rect));
    }
    for (e, id) in l.edges.iter().zip(&flow_ids) {
        x.start("bpmndi:BPMNEdge", &[("id", &format!("{id}_di")), ("bpmnElement", id)]);
        for p in &e.points {
            x.empty("di:waypoint", &[("x", &num(p.x)), ("y", &num(p.y))]);
        }
        if let Some(label) = &e.label {
            label_bounds(&mut x, label.rect);
        }
        x.end("bpmndi:BPMNEdge");
    }
    x.end("bpmndi:BPMNPlane");
    x.end("bpmndi:BPMNDiagram");
    x.end("bpmn:definitions");
    x.finish()
}

fn shape(x: &mut Xml, id: &str, r: Rect, extra: &[(&str, &str)], label: Option<Rect>) {
    let di = format!("{id}_di");
    let mut attrs = vec![("id", di.as_str()), ("bpmnElement", id)];
    attrs.extend_from_slice(extra);
    x.start("bpmndi:BPMNShape", &attrs);
    bounds(x, r);
    if let Some(label) = label {
        label_bounds(x, label);
    }
    x.end("bpmndi:BPMNShape");
}

fn bounds(x: &mut Xml, r: Rect) {
    x.empty("dc:Bounds", &[("x", &num(r.x)), ("y", &num(r.y)), ("width", &num(r.w)), ("height", &num(r.h))]);
}

fn label_bounds(x: &mut Xml, r: Rect) {
    x.start("bpmndi:BPMNLabel", &[]);
    bounds(x, r);
    x.end("bpmndi:BPMNLabel");
}

/// Unique ids: a second use of the same id gets a number.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
}

impl Ids {
    fn make(&mut self, wanted: &str) -> String {
        let mut id = wanted.to_owned();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{wanted}_{n}");
            n += 1;
        }
        id
    }
}

/// A definition's id as part of an NCName: ASCII letters, digits, `-`, `_` and `.`; anything
/// else becomes `_`. Every id this module makes starts with a letter, so the whole is an NCName.
pub(crate) fn ncname_part(s: &str) -> String {
    if s.is_empty() {
        return "_".to_owned();
    }
    s.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect()
}
