//! The exported BPMN read by bpmn-moddle, the library behind bpmn-js and the Camunda Modeler:
//! it must parse the Kazakh and Russian files with no warning and find their diagrams
//! (`e2e/bpmn-check.mjs`). Needs Node.js and `npm ci --prefix e2e`, which scripts/test.sh runs.

use domain::text::Lang;
use std::path::PathBuf;
use std::process::Command;

const SHIPPED: &str = include_str!("../../../regulation/2018.toml");

fn e2e() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

#[test]
fn bpmn_moddle_reads_the_kazakh_and_russian_exports_without_a_warning() {
    let check = e2e().join("bpmn-check.mjs");
    assert!(check.is_file(), "{} is missing", check.display());
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "Node.js is needed to check the BPMN export (`node` did not run: {node:?}); install it, then run `npm ci --prefix e2e`"
    );
    assert!(
        e2e().join("node_modules/bpmn-moddle/package.json").is_file(),
        "bpmn-moddle is not installed in e2e/node_modules: run `npm ci --prefix e2e` (scripts/test.sh does)"
    );

    let def = domain::definition::load("regulation/2018.toml", SHIPPED).expect("the shipped definition loads");
    let dir = tempfile::tempdir().expect("a temporary directory");
    for lang in [Lang::Kk, Lang::Ru] {
        let file = dir.path().join(format!("2018-{}.bpmn", lang.code()));
        std::fs::write(&file, diagram::bpmn_xml(&def, lang)).expect("the file is written");
        let out = Command::new("node").arg(&check).arg(&file).output().expect("node runs");
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "bpmn-check failed for {lang:?}:\n{stdout}{stderr}");
        let tasks = def.steps.len();
        assert!(stdout.contains(&format!("\"tasks\":{tasks}")), "{stdout}");
        assert!(stdout.contains(&format!("\"lanes\":{}", def.roles.len())), "{stdout}");
    }
}
