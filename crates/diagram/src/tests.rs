//! Tests of both drawings and of their shared layout, on the shipped 2018 definition and on
//! altered copies of it (markup in titles, a loop, a role the definition lacks).

use crate::layout::{Layout, NodeKind, Rect};
use crate::{bpmn_xml, swimlane_svg};
use domain::definition::{CaseResult, Definition, Outcome, load};
use domain::text::Lang;
use roxmltree::{Document, Node};
use std::collections::{BTreeMap, BTreeSet};

const SHIPPED: &str = include_str!("../../../regulation/2018.toml");
const MODEL: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

fn shipped() -> Definition {
    load("regulation/2018.toml", SHIPPED).expect("the shipped definition loads")
}

fn parse(xml: &str) -> Document<'_> {
    Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{xml}"))
}

/// The text of every `<text>` inside `node`, joined by spaces.
fn texts(node: Node) -> String {
    node.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect::<Vec<_>>().join(" ")
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn step_group<'a>(doc: &'a Document<'a>, id: &str) -> Node<'a, 'a> {
    doc.descendants().find(|n| n.attribute("data-step") == Some(id)).unwrap_or_else(|| panic!("no box for step {id}"))
}

fn bpmn_elements<'a>(doc: &'a Document<'a>, name: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants().filter(|n| n.tag_name().namespace() == Some(MODEL) && n.tag_name().name() == name).collect()
}

/// The process's flow nodes: every child of the process but the lane set and the flows.
fn flow_nodes<'a>(doc: &'a Document<'a>) -> Vec<Node<'a, 'a>> {
    let process = bpmn_elements(doc, "process").into_iter().next().expect("a process");
    process
        .children()
        .filter(|n| n.is_element() && !n.has_tag_name((MODEL, "laneSet")) && !n.has_tag_name((MODEL, "sequenceFlow")))
        .collect()
}

fn child_texts(node: Node, name: &str) -> Vec<String> {
    node.children().filter(|c| c.has_tag_name((MODEL, name))).filter_map(|c| c.text()).map(str::to_owned).collect()
}

#[test]
fn the_svg_shows_every_step_with_its_title_limit_and_citation_in_its_roles_lane() {
    let def = shipped();
    for lang in Lang::ALL {
        let svg = swimlane_svg(&def, lang, None);
        let doc = parse(&svg);
        for s in &def.steps {
            let group = step_group(&doc, &s.id);
            let shown = texts(group);
            assert!(shown.starts_with(&*s.id), "{lang:?} {}: {shown}", s.id);
            assert!(shown.contains(&s.citation()), "{lang:?} {} lacks its §: {shown}", s.id);
            assert!(shown.contains(&crate::text::limit(&s.limit, lang)), "{lang:?} {} lacks its limit: {shown}", s.id);
            let tooltip = group.children().find(|c| c.has_tag_name("title")).and_then(|t| t.text()).unwrap_or_default();
            assert!(tooltip.contains(s.title.get(lang)), "{lang:?} {}: the tooltip holds the whole title", s.id);
        }
        for r in &def.roles {
            let lane = doc.descendants().find(|n| n.attribute("data-role") == Some(r.id.as_str())).expect("a lane per role");
            assert_eq!(squeeze(&texts(lane)), squeeze(r.title.get(lang)), "{lang:?}: lane {}", r.id);
        }
        let lane_order: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-role")).collect();
        let role_order: Vec<&str> = def.roles.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(lane_order, role_order, "lanes in the definition's order of roles");
    }
}

#[test]
fn each_step_sits_in_its_roles_lane_and_no_two_shapes_overlap() {
    let def = shipped();
    for lang in Lang::ALL {
        let l = Layout::new(&def, lang);
        for n in &l.nodes {
            if let NodeKind::Task { step } = n.kind {
                assert_eq!(l.lanes[n.lane].role, def.steps[step].role);
            }
            let lane = l.lanes[n.lane].rect;
            assert!(n.shape.x >= lane.x && n.shape.right() <= lane.right() && n.shape.y >= lane.y && n.shape.bottom() <= lane.bottom());
            assert!(n.shape.x >= l.content_x(), "nothing under the lane headers");
        }
        let mut boxes: Vec<Rect> = l.nodes.iter().map(|n| n.shape).collect();
        boxes.extend(l.nodes.iter().filter_map(|n| n.label.as_ref()).map(|label| label.rect));
        boxes.extend(l.edges.iter().filter_map(|e| e.label.as_ref()).map(|label| label.rect));
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{lang:?}: {a:?} overlaps {b:?}");
            }
        }
    }
}

#[test]
fn flows_are_orthogonal_start_and_end_on_their_nodes_and_cross_no_other_node() {
    let def = shipped();
    for lang in Lang::ALL {
        let l = Layout::new(&def, lang);
        for e in &l.edges {
            assert!(e.points.len() >= 2);
            for w in e.points.windows(2) {
                assert!((w[0].x - w[1].x).abs() < 0.01 || (w[0].y - w[1].y).abs() < 0.01, "{lang:?}: a slanted run {w:?}");
            }
            let on_border = |r: Rect, p: crate::layout::Point| {
                let inside = p.x >= r.x - 0.6 && p.x <= r.right() + 0.6 && p.y >= r.y - 0.6 && p.y <= r.bottom() + 0.6;
                let strictly = p.x > r.x + 0.6 && p.x < r.right() - 0.6 && p.y > r.y + 0.6 && p.y < r.bottom() - 0.6;
                inside && !strictly
            };
            let (from, to) = (&l.nodes[e.from], &l.nodes[e.to]);
            assert!(on_border(from.shape, e.points[0]), "{lang:?}: a flow starts off its node");
            // Events are circles: their entry points lie on the circle, inside the box.
            if !to.kind.is_event() {
                assert!(on_border(to.shape, *e.points.last().unwrap()), "{lang:?}: a flow ends off its node");
            }
            for (i, n) in l.nodes.iter().enumerate() {
                if i == e.from || i == e.to {
                    continue;
                }
                for w in e.points.windows(2) {
                    assert!(!Rect::of_segment(w[0], w[1], 0.5).overlaps(&n.shape), "{lang:?}: a flow crosses {:?}", n.kind);
                }
            }
        }
    }
}

#[test]
fn the_highlighted_step_is_the_only_one_marked_current() {
    let def = shipped();
    let svg = swimlane_svg(&def, Lang::Kk, Some("P5"));
    let doc = parse(&svg);
    let current: Vec<Node> = doc.descendants().filter(|n| n.attribute("aria-current").is_some()).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].attribute("aria-current"), Some("step"));
    assert_eq!(current[0].attribute("data-step"), Some("P5"));
    assert!(current[0].attribute("class").unwrap().split(' ').any(|c| c == "current"));
    let classed = doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|c| c == "current"))).count();
    assert_eq!(classed, 1);
    let rect = current[0].children().find(|c| c.has_tag_name("rect")).unwrap();
    let other = step_group(&doc, "P4").children().find(|c| c.has_tag_name("rect")).unwrap();
    assert_ne!(rect.attribute("stroke-width"), other.attribute("stroke-width"), "drawn thicker");
    assert_ne!(rect.attribute("fill"), other.attribute("fill"), "filled differently");

    for highlight in [None, Some("no-such-step")] {
        let svg = swimlane_svg(&def, Lang::Kk, highlight);
        assert!(!svg.contains("aria-current"), "{highlight:?}");
    }
}

#[test]
fn the_svg_is_self_contained_accessible_and_scales() {
    let def = shipped();
    let svg = swimlane_svg(&def, Lang::Ru, None);
    let doc = parse(&svg);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("font-family"), Some("Noto Sans, DejaVu Sans, sans-serif"));
    let view_box: Vec<f64> = root.attribute("viewBox").unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
    assert_eq!(view_box.len(), 4);
    assert!(view_box[2] > 1000.0 && view_box[3] > 300.0);
    let labelled = root.attribute("aria-labelledby").unwrap();
    let title = doc.descendants().find(|n| n.attribute("id") == Some(labelled)).unwrap();
    assert!(title.has_tag_name("title"));
    assert!(title.text().unwrap().contains(def.service.get(Lang::Ru)));
    let described = root.attribute("aria-describedby").unwrap();
    let desc = doc.descendants().find(|n| n.attribute("id") == Some(described)).unwrap();
    assert!(def.steps.iter().all(|s| desc.text().unwrap().contains(&*s.id)), "the description names every step");
    // A page's strict policy blocks inline styles and scripts; fonts and images stay local.
    for n in doc.descendants().filter(|n| n.is_element()) {
        assert!(!matches!(n.tag_name().name(), "style" | "script" | "image" | "foreignObject" | "a"), "{:?}", n.tag_name());
        assert!(n.attribute("style").is_none() && n.attribute("href").is_none());
        assert!(n.attributes().all(|a| !a.name().starts_with("on")), "no event handlers");
    }
    let ids: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("id")).collect();
    assert_eq!(ids.len(), ids.iter().collect::<BTreeSet<_>>().len(), "ids are unique");
    assert!(ids.iter().all(|id| id.starts_with("diagram-2018-ru-")), "ids carry the edition and language: {ids:?}");
}

#[test]
fn every_flow_refers_to_nodes_that_exist_and_lists_itself_on_both_ends() {
    let def = shipped();
    for lang in Lang::ALL {
        let xml = bpmn_xml(&def, lang);
        let doc = parse(&xml);
        let nodes = flow_nodes(&doc);
        let ids: BTreeSet<&str> = nodes.iter().map(|n| n.attribute("id").unwrap()).collect();
        let flows = bpmn_elements(&doc, "sequenceFlow");
        assert!(flows.len() > def.steps.len());
        for f in &flows {
            let id = f.attribute("id").unwrap();
            let (source, target) = (f.attribute("sourceRef").unwrap(), f.attribute("targetRef").unwrap());
            assert!(ids.contains(source) && ids.contains(target), "{id}: {source} → {target}");
            let node = |nid: &str| nodes.iter().find(|n| n.attribute("id") == Some(nid)).copied().unwrap();
            assert!(child_texts(node(source), "outgoing").contains(&id.to_owned()), "{id} is an outgoing of {source}");
            assert!(child_texts(node(target), "incoming").contains(&id.to_owned()), "{id} is an incoming of {target}");
        }
        for n in &nodes {
            let id = n.attribute("id").unwrap();
            let out = flows.iter().filter(|f| f.attribute("sourceRef") == Some(id)).count();
            let inc = flows.iter().filter(|f| f.attribute("targetRef") == Some(id)).count();
            assert_eq!(child_texts(*n, "outgoing").len(), out, "{id}");
            assert_eq!(child_texts(*n, "incoming").len(), inc, "{id}");
        }
    }
}

#[test]
fn every_node_has_a_shape_every_flow_an_edge_and_every_lane_its_bounds() {
    let def = shipped();
    let xml = bpmn_xml(&def, Lang::Kk);
    let doc = parse(&xml);
    let drawn = |kind: &str| -> BTreeMap<String, Node> {
        doc.descendants().filter(|n| n.tag_name().name() == kind).map(|n| (n.attribute("bpmnElement").unwrap().to_owned(), n)).collect()
    };
    let shapes = drawn("BPMNShape");
    let edges = drawn("BPMNEdge");
    let plane = doc.descendants().find(|n| n.tag_name().name() == "BPMNPlane").unwrap();
    let collaboration = bpmn_elements(&doc, "collaboration")[0];
    assert_eq!(plane.attribute("bpmnElement"), collaboration.attribute("id"));
    let participant = bpmn_elements(&doc, "participant")[0];
    assert!(shapes.contains_key(participant.attribute("id").unwrap()));
    for lane in bpmn_elements(&doc, "lane") {
        assert!(shapes.contains_key(lane.attribute("id").unwrap()), "lane {:?}", lane.attribute("id"));
    }
    for n in flow_nodes(&doc) {
        let shape = shapes.get(n.attribute("id").unwrap()).unwrap_or_else(|| panic!("{:?} has no shape", n.attribute("id")));
        let bounds = shape.children().find(|c| c.tag_name().name() == "Bounds").expect("bounds");
        let w: f64 = bounds.attribute("width").unwrap().parse().unwrap();
        assert!(w > 0.0);
    }
    for f in bpmn_elements(&doc, "sequenceFlow") {
        let edge = edges.get(f.attribute("id").unwrap()).unwrap_or_else(|| panic!("{:?} has no edge", f.attribute("id")));
        assert!(edge.children().filter(|c| c.tag_name().name() == "waypoint").count() >= 2);
    }
    let all: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("id")).collect();
    assert_eq!(all.len(), all.iter().collect::<BTreeSet<_>>().len(), "ids are unique");
    for id in all {
        let mut chars = id.chars();
        let first = chars.next().unwrap();
        assert!(first.is_ascii_alphabetic() || first == '_', "{id} is an NCName");
        assert!(chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')), "{id} is an NCName");
    }
}

#[test]
fn every_flow_node_is_in_exactly_one_lane_and_tasks_in_their_roles() {
    let def = shipped();
    let xml = bpmn_xml(&def, Lang::Ru);
    let doc = parse(&xml);
    let lanes = bpmn_elements(&doc, "lane");
    assert_eq!(lanes.len(), def.roles.len());
    for n in flow_nodes(&doc) {
        let id = n.attribute("id").unwrap();
        let holding: Vec<Node> = lanes.iter().copied().filter(|l| child_texts(*l, "flowNodeRef").iter().any(|r| r == id)).collect();
        assert_eq!(holding.len(), 1, "{id} is in {} lanes", holding.len());
        if let Some(step) = id.strip_prefix("Task_") {
            let role = def.role(&def.step(step).unwrap().role).unwrap();
            assert_eq!(holding[0].attribute("name"), Some(role.title.get(Lang::Ru)));
        }
    }
}

#[test]
fn tasks_gateways_and_ends_follow_the_steps_and_outcomes() {
    let def = shipped();
    let xml = bpmn_xml(&def, Lang::Kk);
    let doc = parse(&xml);
    let flows = bpmn_elements(&doc, "sequenceFlow");
    for s in &def.steps {
        let id = format!("Task_{}", s.id);
        let task = doc.descendants().find(|n| n.attribute("id") == Some(id.as_str())).unwrap_or_else(|| panic!("no {id}"));
        let kind = if s.system().is_some() { "serviceTask" } else { "userTask" };
        assert_eq!(task.tag_name().name(), kind, "{id}");
        let name = format!("{} {} ({}, {})", s.id, s.title.kk, crate::text::limit(&s.limit, Lang::Kk), s.citation());
        assert_eq!(task.attribute("name"), Some(name.as_str()));
        let gateway = format!("Gateway_{}", s.id);
        let out: Vec<&Node> = flows.iter().filter(|f| f.attribute("sourceRef") == Some(gateway.as_str())).collect();
        if s.outcomes.len() > 1 {
            let g = doc.descendants().find(|n| n.attribute("id") == Some(gateway.as_str())).unwrap();
            assert_eq!(g.tag_name().name(), "exclusiveGateway");
            let names: Vec<&str> = out.iter().filter_map(|f| f.attribute("name")).collect();
            let titles: Vec<&str> = s.outcomes.iter().map(|o| o.title.kk.as_str()).collect();
            assert_eq!(names, titles, "{gateway}: one flow per outcome, named by it");
        } else {
            assert!(out.is_empty(), "no gateway after {}", s.id);
        }
    }
    let results: BTreeSet<&str> = def.steps.iter().flat_map(|s| s.outcomes.iter().filter_map(|o| o.end.map(CaseResult::code))).collect();
    let ends = bpmn_elements(&doc, "endEvent");
    for r in results {
        let id = format!("End_{r}");
        assert!(ends.iter().any(|e| e.attribute("id") == Some(id.as_str())), "{id}");
    }
    assert_eq!(bpmn_elements(&doc, "startEvent").len(), 1);
}

#[test]
fn the_bpmn_diagram_has_the_svgs_geometry() {
    let def = shipped();
    let svg = swimlane_svg(&def, Lang::Kk, None);
    let xml = bpmn_xml(&def, Lang::Kk);
    let (svg, bpmn) = (parse(&svg), parse(&xml));
    for s in &def.steps {
        let rect = step_group(&svg, &s.id).children().find(|c| c.has_tag_name("rect")).unwrap();
        let id = format!("Task_{}", s.id);
        let shape = bpmn.descendants().find(|n| n.attribute("bpmnElement") == Some(id.as_str())).unwrap();
        let bounds = shape.children().find(|c| c.tag_name().name() == "Bounds").unwrap();
        for (a, b) in [("x", "x"), ("y", "y"), ("width", "width"), ("height", "height")] {
            assert_eq!(rect.attribute(a), bounds.attribute(b), "{id} {a}");
        }
    }
}

#[test]
fn kazakh_and_russian_letters_come_through_unharmed() {
    let def = shipped();
    let svg = swimlane_svg(&def, Lang::Kk, None);
    let xml = bpmn_xml(&def, Lang::Kk);
    for out in [&svg, &xml] {
        assert!(out.contains('Ө') && out.contains('ұ') && out.contains('Қ'));
        assert!(out.contains("«Бүркіт-ІІМ»"), "guillemets stay as they are");
    }
    let doc = parse(&xml);
    let p3 = doc.descendants().find(|n| n.attribute("id") == Some("Task_P3")).unwrap();
    assert!(p3.attribute("name").unwrap().contains(&def.step("P3").unwrap().title.kk));
    let ru = swimlane_svg(&def, Lang::Ru, None);
    assert!(texts(parse(&ru).root_element()).contains("Госкорпорации"));
}

#[test]
fn markup_in_the_definitions_texts_is_escaped() {
    let mut def = shipped();
    let evil = r#"<script>alert("x")</script> & 'y' <b>"#;
    def.steps[0].title.kk = format!("{evil} тексеру");
    def.roles[0].title.kk = format!("A & B <{evil}>");
    def.steps[0].outcomes[0].title.kk = format!("\"{evil}\"");
    def.service.kk = evil.to_owned();
    let svg = swimlane_svg(&def, Lang::Kk, Some("SC1"));
    let xml = bpmn_xml(&def, Lang::Kk);
    for out in [&svg, &xml] {
        assert!(!out.contains("<script") && !out.contains("<b>"), "markup came through");
        assert!(out.contains("&lt;script&gt;") && out.contains("&amp;"));
    }
    let svg_doc = parse(&svg);
    let sc1 = step_group(&svg_doc, "SC1");
    let tooltip = sc1.children().find(|c| c.has_tag_name("title")).unwrap().text().unwrap();
    assert!(tooltip.contains(evil), "the text reads back as written");
    let lane = svg_doc.descendants().find(|n| n.attribute("data-role") == Some(def.roles[0].id.as_str())).unwrap();
    assert_eq!(squeeze(&texts(lane)), squeeze(&def.roles[0].title.kk));
    let bpmn_doc = parse(&xml);
    let flow = bpmn_doc.descendants().find(|n| n.attribute("id") == Some("Flow_SC1_complete")).unwrap();
    assert_eq!(flow.attribute("name"), Some(def.steps[0].outcomes[0].title.kk.as_str()));
    let participant = bpmn_elements(&bpmn_doc, "participant")[0];
    assert!(participant.attribute("name").unwrap().starts_with(evil));
}

fn outcome_to(id: &str, next: &str) -> Outcome {
    let mut o = shipped().steps[0].outcomes[0].clone();
    o.id = id.to_owned().into();
    o.title.en = format!("Back to {next}");
    o.next = vec![next.to_owned()];
    o.end = None;
    o
}

#[test]
fn a_loop_back_to_an_earlier_step_is_drawn_backwards_and_does_not_hang() {
    let mut def = shipped();
    let p7 = def.steps.iter().position(|s| s.id == "P7").unwrap();
    def.steps[p7].outcomes.push(outcome_to("returned", "P3"));
    let sc2 = def.steps.iter().position(|s| s.id == "SC2").unwrap();
    def.steps[sc2].outcomes.push(outcome_to("again", "SC2"));
    let l = Layout::new(&def, Lang::En);
    let p3 = l.nodes.iter().position(|n| n.kind == NodeKind::Task { step: def.steps.iter().position(|s| s.id == "P3").unwrap() }).unwrap();
    let back: Vec<_> = l.edges.iter().filter(|e| e.back).collect();
    assert!(back.iter().any(|e| e.to == p3), "the return to P3 runs backwards");
    assert!(back.iter().any(|e| l.nodes[e.to].kind == NodeKind::Task { step: sc2 }), "the self-loop too");
    for e in &l.edges {
        if !e.back {
            assert!(l.nodes[e.to].rank > l.nodes[e.from].rank, "every other flow points to the right");
        }
    }
    let xml = bpmn_xml(&def, Lang::En);
    let doc = parse(&xml);
    let flows = bpmn_elements(&doc, "sequenceFlow");
    assert!(flows.iter().any(|f| f.attribute("name") == Some(def.steps[p7].outcomes[2].title.en.as_str())));
    parse(&swimlane_svg(&def, Lang::En, Some("P3")));
}

#[test]
fn a_role_missing_from_the_definition_still_gets_a_lane() {
    let mut def = shipped();
    def.roles.retain(|r| r.id != "knb_liaison");
    let svg = swimlane_svg(&def, Lang::Kk, None);
    let doc = parse(&svg);
    let lane = doc.descendants().find(|n| n.attribute("data-role") == Some("knb_liaison")).expect("a lane for the role");
    assert_eq!(texts(lane), "knb_liaison");
    let xml = bpmn_xml(&def, Lang::Kk);
    assert_eq!(bpmn_elements(&parse(&xml), "lane").len(), def.roles.len() + 1);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let def = shipped();
    assert_eq!(swimlane_svg(&def, Lang::Kk, Some("P1")), swimlane_svg(&def, Lang::Kk, Some("P1")));
    assert_eq!(bpmn_xml(&def, Lang::Ru), bpmn_xml(&def, Lang::Ru));
    assert_ne!(bpmn_xml(&def, Lang::Ru), bpmn_xml(&def, Lang::Kk));
}
