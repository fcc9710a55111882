//! The authorization matrix (issue 8): at every step of a case's life, every demo account of
//! every role and unit tries the open step; exactly the role of the step in the case's own unit
//! (and, once assigned, the assigned executor) may perform it; everyone else is refused and
//! changes nothing: 403 for an account of the case's units, 404 for one of another city's units,
//! to whom the case does not exist. Reading a case, the compliance report and the outbox are checked the
//! same way, role by role and unit by unit; the KNB liaison reads only the coordination request.

use crate::*;

const ADMIN: &str = "admin";
const ALMATY_HEAD: &str = "management@mvd-almaty";
const ALMATY_EXECUTOR: &str = "executor1@mvd-almaty";

/// Every person account the demo creates that matters here: each role, in the case's units and
/// in the other city's, plus the second executor of the case's unit.
/// The accounts of units the case is not in (the Almaty branch and provider).
const OUTSIDERS: [&str; 4] = [ALMATY_OPERATOR, ALMATY_OFFICE, ALMATY_HEAD, ALMATY_EXECUTOR];

/// The refusal an account gets for a case it may not act on.
fn refused(user: &str) -> StatusCode {
    if OUTSIDERS.contains(&user) { StatusCode::NOT_FOUND } else { StatusCode::FORBIDDEN }
}

const EVERYONE: [&str; 13] = [
    OPERATOR,
    ALMATY_OPERATOR,
    OFFICE,
    ALMATY_OFFICE,
    HEAD,
    ALMATY_HEAD,
    EXECUTOR,
    EXECUTOR2,
    ALMATY_EXECUTOR,
    KNB,
    SUPERVISOR,
    ADMIN,
    "knb-gateway",
];

/// The happy path: each step, who performs it, its outcome and input.
fn path() -> Vec<(&'static str, &'static str, Option<&'static str>, Option<Value>)> {
    vec![
        ("SC1", OPERATOR, Some("complete"), None),
        ("SC2", OPERATOR, Some("identified"), None),
        ("SC3", OPERATOR, Some("accepted"), None),
        ("SC4", OPERATOR, None, None),
        ("P1", OFFICE, Some("registered"), None),
        ("P2", HEAD, Some("assigned"), Some(json!({ "assignee": EXECUTOR }))),
        ("P3", EXECUTOR, None, None),
        ("P4", EXECUTOR, None, None),
        ("P5", KNB, Some("agree"), None),
        ("P6", EXECUTOR, Some("draft_invitation"), None),
        ("P7", HEAD, Some("invitation_signed"), None),
        ("P8", EXECUTOR, None, None),
        ("P9", OFFICE, None, None),
        ("SC5", OPERATOR, Some("invitation_handed_over"), None),
    ]
}

/// Who besides the step's performer may perform it: the KNB's own gateway account answers for
/// the KNB.
fn also_allowed(step: &str) -> &'static [&'static str] {
    if step == "P5" { &["knb-gateway"] } else { &[] }
}

#[tokio::test]
async fn at_every_step_only_the_steps_role_in_the_cases_unit_may_act_and_a_refusal_changes_nothing() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    let mut refusals = 0;
    for (step, performer, outcome, input) in path() {
        for user in EVERYONE.iter().copied().filter(|u| *u != performer && !also_allowed(step).contains(u)) {
            let before = app.version(&case).await;
            let (status, body) = app.act(user, &case, step, outcome, input.clone()).await;
            assert_eq!(status, refused(user), "{user} must not perform {step}: {body}");
            assert_eq!(app.version(&case).await, before, "{user}'s refused {step} changed the case");
            refusals += 1;
        }
        app.ok(performer, &case, step, outcome, input).await;
    }
    assert_eq!(app.case(&case).await["result"], "invitation_issued");
    assert!(refusals > 14 * 10, "every other account was tried at every step: {refusals}");
}

#[tokio::test]
async fn a_case_is_read_by_its_units_and_the_ministry_and_reports_by_those_who_oversee() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    let readers = [OPERATOR, OFFICE, HEAD, EXECUTOR, EXECUTOR2, KNB, SUPERVISOR, ADMIN];
    for user in EVERYONE {
        let (status, body) = app.get(user, &format!("/api/cases/{case}")).await;
        if readers.contains(&user) || user == "knb-gateway" {
            assert_eq!(status, StatusCode::OK, "{user} reads the case: {body}");
        } else {
            assert_eq!(status, refused(user), "{user} is of another city's units: {body}");
        }
    }

    let period = "/api/reports/compliance?from=2026-11-01&to=2026-11-30";
    for user in EVERYONE {
        let (status, _) = app.get(user, period).await;
        let oversees = [SUPERVISOR, ADMIN, HEAD, ALMATY_HEAD].contains(&user);
        assert_eq!(status == StatusCode::OK, oversees, "{user}: the compliance report answered {status}");
        if !oversees {
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        }
    }
    let (_, head) = app.get(HEAD, period).await;
    let units: Vec<&str> = head["by_unit"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(units, vec!["mvd-astana"], "a unit's head sees only the unit");

    for user in EVERYONE {
        let (status, _) = app.get(user, "/api/outbox").await;
        assert_eq!(status == StatusCode::OK, [SUPERVISOR, ADMIN].contains(&user), "{user}: the outbox answered {status}");
    }
}

#[tokio::test]
async fn the_knb_liaison_reads_only_the_coordination_request_and_no_documents() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    let full = app.case(&case).await;
    assert!(full["tasks"].as_array().unwrap().iter().any(|t| t["unit"] != "knb"), "others' tasks exist: {full}");
    assert!(!full["documents"].as_array().unwrap().is_empty(), "the acceptance receipt exists");

    for liaison in [KNB, "knb-gateway"] {
        let (status, view) = app.get(liaison, &format!("/api/cases/{case}")).await;
        assert_eq!(status, StatusCode::OK, "{liaison}: {view}");
        let tasks = view["tasks"].as_array().unwrap();
        assert!(!tasks.is_empty() && tasks.iter().all(|t| t["unit"] == "knb"), "{liaison} sees only the KNB's tasks: {view}");
        assert!(tasks.iter().any(|t| t["step"] == "P5" && !t["due_at"].is_null()), "with the coordination task's deadline: {view}");
        assert_eq!(view["actions"].as_array().unwrap().len(), 1, "{liaison} may answer P5: {view}");
        assert_eq!(view["application"]["invitees"], full["application"]["invitees"], "the persons to check");
        assert_eq!(view["application"]["stay"], full["application"]["stay"], "the visit");
        assert_eq!(view["application"]["documents_presented"], json!([]), "not the intake's details");
        assert_eq!(view["documents"], json!([]), "not the documents");
        assert_eq!(view["outbox"], json!([]), "not the outbox");
        assert_eq!(view["adb_records"], json!([]), "not the other checks");
    }
    let pdf = format!("/api/cases/{case}/documents/acceptance_receipt?lang=kk");
    assert_eq!(app.get(KNB, &pdf).await.0, StatusCode::FORBIDDEN, "the liaison downloads no document");
    assert_eq!(app.get(OPERATOR, &pdf).await.0, StatusCode::OK, "the case's own units do");

    let rows = app.engine.store().access_log(&store::AccessQuery { user: Some(KNB.into()), ..Default::default() }).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.what.as_str()).collect::<Vec<_>>(), ["coordination"], "recorded as a coordination view");

    // And the liaison still answers.
    app.ok(KNB, &case, "P5", Some("agree"), None).await;
    assert!(app.case(&case).await["tasks"].as_array().unwrap().iter().any(|t| t["step"] == "P6"));
}
