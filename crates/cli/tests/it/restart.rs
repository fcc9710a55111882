//! A restart in the middle of a case continues it exactly where it was.

use crate::*;

#[tokio::test]
async fn a_case_continues_after_the_server_restarts_mid_way() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    app.through_front_office_and_checks(&case).await;
    let before = app.case(&case).await;

    // Restart with the KNB request committed but not yet sent.
    let app = app.restart().await;
    let after = app.case(&case).await;
    assert_eq!(before["history"], after["history"]);
    assert_eq!(after["tasks"].as_array().unwrap().last().unwrap()["step"], "P5");
    assert_eq!(app.dispatch_outbox().await, 1, "the pending request survives the restart");
    assert_eq!(app.deliver_knb(10).await, 1);

    let app = app.restart().await;
    app.ok(EXECUTOR, &case, "P6", Some("draft_invitation"), None).await;
    app.ok(HEAD, &case, "P7", Some("invitation_signed"), None).await;
    app.ok(EXECUTOR, &case, "P8", None, None).await;
    app.ok(OFFICE, &case, "P9", None, None).await;
    let end = app.ok(OPERATOR, &case, "SC5", Some("invitation_handed_over"), None).await;
    assert_eq!(end["result"], "invitation_issued");
    assert_eq!(app.sims.knb.requests_for(&case), 1);
}

#[tokio::test]
async fn a_case_keeps_its_edition_and_hash_for_life() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    let detail = app.case(&case).await;
    assert_eq!(detail["edition"], "2018");
    let hash = detail["edition_hash"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 64);
    let app = app.restart().await;
    assert_eq!(app.case(&case).await["edition_hash"], hash.as_str());
}
