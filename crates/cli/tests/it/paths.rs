//! Each path of the 2018 regulation walked to its end over the API.

use crate::*;

#[tokio::test]
async fn the_happy_path_ends_with_an_issued_invitation_recorded_in_burkit() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    let r = app.through_front_office_and_checks(&case).await;
    assert_eq!(r["open_steps"], json!(["P5"]));

    // The KNB request goes out through the outbox, and the answer comes back inbound.
    assert_eq!(app.dispatch_outbox().await, 1);
    assert_eq!(app.sims.knb.requests_for(&case), 1);
    assert_eq!(app.deliver_knb(10).await, 1);
    assert_eq!(app.case(&case).await["tasks"].as_array().unwrap().last().unwrap()["step"], "P6");

    app.ok(EXECUTOR, &case, "P6", Some("draft_invitation"), None).await;
    app.ok(HEAD, &case, "P7", Some("invitation_signed"), None).await;
    app.ok(EXECUTOR, &case, "P8", None, None).await;
    app.ok(OFFICE, &case, "P9", None, None).await;
    let end = app.ok(OPERATOR, &case, "SC5", Some("invitation_handed_over"), None).await;
    assert_eq!(end["status"], "closed");
    assert_eq!(end["result"], "invitation_issued");

    let detail = app.case(&case).await;
    let number = detail["invitation"]["registration_number"].as_str().unwrap();
    assert_eq!(number.len(), 10);
    assert!(number.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(detail["invitation"]["issued_on"], "2026-11-24");
    assert_eq!(detail["invitation"]["valid_until"], "2027-02-10");
    let burkit = app.sims.burkit.entry(&case).expect("Bürkit holds the case");
    let recorded = burkit.invitation.expect("the invitation is recorded in Bürkit");
    assert_eq!(recorded.registration_number, number);
    assert_eq!(recorded.valid_until.to_string(), "2027-02-10");
    assert_eq!(burkit.persons, 2);

    let documents: Vec<&str> = detail["documents"].as_array().unwrap().iter().map(|d| d["document"].as_str().unwrap()).collect();
    assert_eq!(documents, ["acceptance_receipt", "invitation"]);
    let steps: Vec<&str> = detail["tasks"].as_array().unwrap().iter().map(|t| t["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["SC1", "SC2", "SC3", "SC4", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "SC5"]);
    for t in detail["tasks"].as_array().unwrap() {
        assert!(!t["cites"].as_array().unwrap().is_empty(), "task without §: {t}");
        assert!(t["citation"].as_str().unwrap().starts_with('§'));
        assert!(t["done_at"].is_string());
    }
    let p5 = &detail["tasks"][8];
    assert_eq!(p5["citation"], "§6.5, §8.3");
    assert_eq!(p5["limit"], "3 working days");
    assert_eq!(p5["outcome"], "agree");
    assert_eq!(p5["done_at"], detail["tasks"][9]["opened_at"]);
    assert!(detail["actions"].as_array().unwrap().is_empty());
    // Every event is in the history with who did it.
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len() as u64, detail["version"].as_u64().unwrap());
    assert!(history.iter().any(|h| h["user"] == "knb-gateway" && h["step"] == "P5"));
    assert_eq!(history.last().unwrap()["type"], "case_closed");
}

#[tokio::test]
async fn an_incomplete_package_is_refused_at_the_window_with_a_receipt() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    let r = app.ok(OPERATOR, &case, "SC1", Some("incomplete"), Some(json!({ "missing_documents": ["passport_copy"] }))).await;
    assert_eq!(r["status"], "closed");
    assert_eq!(r["result"], "refused_to_accept");
    let detail = app.case(&case).await;
    assert_eq!(detail["missing_documents"], json!(["passport_copy"]));
    assert_eq!(detail["documents"][0]["document"], "refusal_to_accept_receipt");
    assert_eq!(detail["documents"][0]["title"]["kk"], "Құжаттарды қабылдаудан бас тарту туралы қолхат");
    // Nothing more can be done on it.
    let (status, body) = app.act(OPERATOR, &case, "SC2", Some("identified"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "case_closed");
}

/// Walks a refusal from P6 to the window.
async fn refusal_to_the_end(app: &TestApp, case: &str, ground: &str) -> Value {
    let (status, body) = app.act(EXECUTOR, case, "P6", Some("draft_invitation"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "an invitation cannot be drafted: {body}");
    assert_eq!(body["error"]["code"], "outcome_not_allowed");
    let grounds = json!({ "refusal_grounds": { "grounds": [ground], "reasoning": "See the check results." } });
    app.ok(EXECUTOR, case, "P6", Some("draft_refusal"), Some(grounds)).await;
    let (status, _) = app.act(HEAD, case, "P7", Some("invitation_signed"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.ok(HEAD, case, "P7", Some("refusal_signed"), None).await;
    app.ok(OFFICE, case, "P9", None, None).await;
    let end = app.ok(OPERATOR, case, "SC5", Some("refusal_handed_over"), None).await;
    assert_eq!(end["result"], "refused");
    let detail = app.case(case).await;
    assert_eq!(detail["refusal"]["grounds"], json!([ground]));
    assert!(detail["invitation"].is_null());
    assert!(app.sims.sc.received().contains(&(case.to_owned(), "result:motivated_refusal".to_owned())));
    detail
}

#[tokio::test]
async fn refusal_grounds_found_in_the_adb_lead_to_a_motivated_refusal_without_the_knb() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_ADB_BAN).await;
    let r = app.through_front_office_and_checks(&case).await;
    assert_eq!(r["open_steps"], json!(["P6"]));
    assert_eq!(app.dispatch_outbox().await, 0, "nothing goes to the KNB");
    let detail = refusal_to_the_end(&app, &case, "entry_ban").await;
    assert_eq!(detail["adb_records"][0]["ground"], "entry_ban");
    assert_eq!(detail["adb_records"][0]["person"], "invitee:0");
    assert!(detail["facts"].as_array().unwrap().contains(&json!("adb.grounds")));
}

#[tokio::test]
async fn a_knb_objection_leads_to_a_motivated_refusal() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_KNB_OBJECTS).await;
    app.through_front_office_and_checks(&case).await;
    app.dispatch_outbox().await;
    assert_eq!(app.deliver_knb(10).await, 1);
    let detail = refusal_to_the_end(&app, &case, "knb_objection").await;
    assert!(detail["facts"].as_array().unwrap().contains(&json!("knb.objected")));
}

#[tokio::test]
async fn a_knb_extension_opens_the_notice_and_keeps_coordination_open_until_the_answer() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_KNB_EXTENDS).await;
    app.through_front_office_and_checks(&case).await;
    app.dispatch_outbox().await;
    assert_eq!(app.deliver_knb(1).await, 1, "first the written request for more time");
    let detail = app.case(&case).await;
    let open: Vec<&str> =
        detail["tasks"].as_array().unwrap().iter().filter(|t| t["done_at"].is_null()).map(|t| t["step"].as_str().unwrap()).collect();
    assert_eq!(open, ["P5", "P5n"]);
    assert_eq!(detail["extension"]["days"], 20);
    assert_eq!(detail["tasks"][9]["citation"], "§6.5");
    assert_eq!(detail["tasks"][9]["limit"], "5 working days");

    // A second extension is not allowed.
    let (status, body) = app
        .post(KNB, "/api/inbound/knb", &json!({ "case_id": case, "message_id": "m-2", "answer": "extend", "days": 5, "reason": "more" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "outcome_not_allowed");

    app.ok(OFFICE, &case, "P5n", None, None).await;
    assert!(app.sims.sc.received().contains(&(case.clone(), "extension_notice:20".to_owned())));
    assert_eq!(app.deliver_knb(1).await, 1, "then the agreement");
    app.ok(EXECUTOR, &case, "P6", Some("draft_invitation"), None).await;
    app.ok(HEAD, &case, "P7", Some("invitation_signed"), None).await;
    app.ok(EXECUTOR, &case, "P8", None, None).await;
    app.ok(OFFICE, &case, "P9", None, None).await;
    let end = app.ok(OPERATOR, &case, "SC5", Some("invitation_handed_over"), None).await;
    assert_eq!(end["result"], "invitation_issued");
    let docs: Vec<String> =
        app.case(&case).await["documents"].as_array().unwrap().iter().map(|d| d["document"].as_str().unwrap().to_owned()).collect();
    assert_eq!(docs, ["acceptance_receipt", "extension_notice", "invitation"]);
}

#[tokio::test]
async fn a_case_with_two_invitees_checks_each_and_refuses_if_one_has_records() {
    let app = TestApp::spawn().await;
    let mut application = application(PASSPORT_CLEAR);
    let mut second = application["invitees"][0].clone();
    second["given_names"] = json!("Lars");
    second["sex"] = json!("M");
    second["passport_number"] = json!(PASSPORT_ADB_BAN);
    application["invitees"].as_array_mut().unwrap().push(second);
    let (status, body) = app.post(OPERATOR, "/api/cases", &json!({ "application": application })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let case = body["case_id"].as_str().unwrap().to_owned();
    let r = app.through_front_office_and_checks(&case).await;
    assert_eq!(r["open_steps"], json!(["P6"]));
    let detail = app.case(&case).await;
    assert_eq!(detail["adb_records"].as_array().unwrap().len(), 1);
    assert_eq!(detail["adb_records"][0]["person"], "invitee:1");
    assert_eq!(app.sims.burkit.entry(&case).unwrap().persons, 3);
}
