// Checks an exported BPMN 2.0 file the way modelling tools read it: bpmn-moddle must parse it
// with no warning (an unknown element or attribute, an id that is not an NCName, a reference to
// nothing), and it must carry a diagram whose plane has shapes.
//
// Usage: node e2e/bpmn-check.mjs FILE.bpmn   (exit 0 and a one-line summary when it is fine)
// Run by crates/diagram/tests/bpmn_moddle.rs; install with `npm ci --prefix e2e`.

import { readFile } from 'node:fs/promises';
import { BpmnModdle } from 'bpmn-moddle';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bpmn-check.mjs FILE.bpmn');
  process.exit(2);
}

const xml = await readFile(file, 'utf8');
let result;
try {
  result = await new BpmnModdle().fromXML(xml);
} catch (err) {
  console.error(`${file}: not readable as BPMN: ${err.message}`);
  for (const w of err.warnings ?? []) console.error(`  warning: ${w.message}`);
  process.exit(1);
}

const problems = result.warnings.map((w) => `warning: ${w.message}`);
const definitions = result.rootElement;

const count = (type) => Object.values(result.elementsById).filter((e) => e.$instanceOf(type)).length;
const diagrams = definitions.diagrams ?? [];
const planeElements = diagrams.flatMap((d) => d.plane?.planeElement ?? []);
const shapes = planeElements.filter((e) => e.$instanceOf('bpmndi:BPMNShape'));
const edges = planeElements.filter((e) => e.$instanceOf('bpmndi:BPMNEdge'));
if (diagrams.length === 0) problems.push('no bpmndi:BPMNDiagram');
if (shapes.length === 0) problems.push('the diagram plane has no shapes');
for (const d of planeElements) {
  if (!d.bpmnElement) problems.push(`${d.id}: bpmnElement refers to nothing`);
}

if (problems.length > 0) {
  console.error(`${file}: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}

const summary = {
  tasks: count('bpmn:Task'),
  gateways: count('bpmn:Gateway'),
  events: count('bpmn:Event'),
  lanes: count('bpmn:Lane'),
  flows: count('bpmn:SequenceFlow'),
  shapes: shapes.length,
  edges: edges.length,
};
console.log(`${file}: ok ${JSON.stringify(summary)}`);
