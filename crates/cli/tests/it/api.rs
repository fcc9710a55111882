//! Refusals, validation at the door, worklists and the API description.

use crate::*;

async fn refused(
    app: &TestApp,
    user: &str,
    case: &str,
    step: &str,
    outcome: Option<&str>,
    input: Option<Value>,
) -> (StatusCode, String, String) {
    let before = app.version(case).await;
    let (status, body) = app.act(user, case, step, outcome, input).await;
    assert!(status.is_client_error(), "{step} by {user} should be refused: {body}");
    assert_eq!(app.version(case).await, before, "a refused command changes nothing");
    (status, body["error"]["code"].as_str().unwrap().to_owned(), body["error"]["message"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn each_forbidden_action_is_refused_with_its_reason() {
    let app = TestApp::spawn().await;
    let case = app.case_at_p1(PASSPORT_CLEAR).await;

    let (s, code, msg) = refused(&app, EXECUTOR, &case, "P1", Some("registered"), None).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "wrong_role"));
    assert!(msg.contains("office"), "{msg}");

    let (s, code, msg) = refused(&app, OFFICE, &case, "P2", Some("assigned"), None).await;
    assert_eq!((s, code.as_str()), (StatusCode::CONFLICT, "step_not_open"));
    assert!(msg.contains("P1"), "names what is open: {msg}");

    // Another provider's office cannot even see the case.
    let (s, code, _) = refused(&app, ALMATY_OFFICE, &case, "P1", Some("registered"), None).await;
    assert_eq!((s, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));

    let (s, code, _) = refused(&app, OFFICE, &case, "P1", Some("approved"), None).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_outcome"));

    let (s, code, _) = refused(&app, OFFICE, &case, "P1", None, None).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "outcome_needed"));

    app.ok(OFFICE, &case, "P1", Some("registered"), None).await;
    let (s, code, _) = refused(&app, HEAD, &case, "P2", Some("assigned"), None).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "input_needed"));
    let (s, code, msg) = refused(&app, HEAD, &case, "P2", Some("assigned"), Some(json!({ "assignee": "executor1@mvd-almaty" }))).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "bad_input"));
    assert!(msg.contains("mvd-astana"), "{msg}");
    app.ok(HEAD, &case, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))).await;

    let (s, code, _) = refused(&app, EXECUTOR2, &case, "P3", None, None).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "assigned_to_someone_else"));
    let (s, code, _) = refused(&app, EXECUTOR, &case, "P3", Some("entered"), None).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "chosen_by_system"));

    // The KNB's answer comes from the KNB, and only while the case waits for it.
    let answer = json!({ "case_id": case, "message_id": "m-1", "answer": "agree" });
    let (s, body) = app.post(EXECUTOR, "/api/inbound/knb", &answer).await;
    assert_eq!((s, body["error"]["code"].as_str().unwrap()), (StatusCode::FORBIDDEN, "wrong_role"));
    let (s, body) = app.post(KNB, "/api/inbound/knb", &answer).await;
    assert_eq!((s, body["error"]["code"].as_str().unwrap()), (StatusCode::CONFLICT, "step_not_open"));
}

#[tokio::test]
async fn a_stale_version_is_refused_as_a_conflict() {
    let app = TestApp::spawn().await;
    let case = app.open_case(PASSPORT_CLEAR).await;
    let (status, body) = app.post(OPERATOR, &format!("/api/cases/{case}/steps/SC1"), &json!({ "version": 1, "outcome": "complete" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "version_conflict");
}

#[tokio::test]
async fn calls_without_a_token_or_an_idempotency_key_are_refused() {
    let app = TestApp::spawn().await;
    let r = reqwest::Client::new().get(format!("http://{}/api/tasks", app.addr)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = reqwest::Client::new().get(format!("http://{}/api/tasks", app.addr)).bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = app.post_with_key(OPERATOR, "/api/cases", &json!({ "application": application(PASSPORT_CLEAR) }), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "idempotency_key_required");
    let (_, cases) = app.get(SUPERVISOR, "/api/cases").await;
    assert_eq!(cases, json!([]));
}

#[tokio::test]
async fn a_bad_application_names_every_bad_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let mut a = application(PASSPORT_CLEAR);
    a["applicant"]["iin"] = json!("061211600013");
    a["invitees"][0]["surname"] = json!("Эриксон");
    a["invitees"][0]["passport_number"] = json!("12");
    a["invitees"][0]["passport_expires_on"] = json!("2027-01-20");
    a["stay_from"] = json!("2026-11-20");
    a["stay_to"] = json!("2027-02-31");
    a["documents_presented"] = json!(["identity_document", "horoscope"]);
    let (status, body) = app.post(OPERATOR, "/api/cases", &json!({ "application": a })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_application");
    let fields: Vec<(String, String)> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap().to_owned(), f["code"].as_str().unwrap().to_owned()))
        .collect();
    for want in [
        ("applicant.iin", "iin.invalid"),
        ("invitees[0].surname", "name.not_latin"),
        ("invitees[0].passport_number", "passport.invalid"),
        ("stay_to", "date.invalid"),
        ("documents_presented[1]", "document.unknown"),
    ] {
        assert!(fields.contains(&(want.0.to_owned(), want.1.to_owned())), "{want:?} missing in {fields:?}");
    }
    let (_, cases) = app.get(SUPERVISOR, "/api/cases").await;
    assert_eq!(cases, json!([]));

    // Malformed JSON and unknown fields are refused clearly too.
    let (status, body) = app.post(OPERATOR, "/api/cases", &json!({ "application": application(PASSPORT_CLEAR), "colour": "red" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("colour"), "{body}");
}

#[tokio::test]
async fn worklists_show_each_role_its_own_tasks_with_their_paragraph() {
    let app = TestApp::spawn().await;
    let case = app.case_at_p1(PASSPORT_CLEAR).await;
    let (status, tasks) = app.get(OFFICE, "/api/tasks").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    assert_eq!(tasks[0]["step"], "P1");
    assert_eq!(tasks[0]["case_id"], case.as_str());
    assert_eq!(tasks[0]["cites"], json!(["6.1", "8.1"]));
    assert_eq!(tasks[0]["citation"], "§6.1, §8.1");
    assert_eq!(tasks[0]["limit"], "10 working minutes");
    assert_eq!(tasks[0]["title"]["ru"], "Регистрация заявления, поступившего из Госкорпорации");
    let (_, none) = app.get(ALMATY_OFFICE, "/api/tasks").await;
    assert_eq!(none, json!([]));
    let (_, none) = app.get(HEAD, "/api/tasks").await;
    assert_eq!(none, json!([]));

    // Once assigned, the executor's tasks are theirs alone.
    app.ok(OFFICE, &case, "P1", Some("registered"), None).await;
    app.ok(HEAD, &case, "P2", Some("assigned"), Some(json!({ "assignee": EXECUTOR }))).await;
    let (_, mine) = app.get(EXECUTOR, "/api/tasks?mine=true").await;
    assert_eq!(mine[0]["step"], "P3");
    let (_, other) = app.get(EXECUTOR2, "/api/tasks").await;
    assert_eq!(other, json!([]));

    // The case page lists what the caller may do now, and only that.
    let (_, detail) = app.get(EXECUTOR, &format!("/api/cases/{case}")).await;
    assert_eq!(detail["actions"][0]["step"], "P3");
    assert_eq!(detail["actions"][0]["system"], "burkit");
    let (_, detail) = app.get(EXECUTOR2, &format!("/api/cases/{case}")).await;
    assert_eq!(detail["actions"], json!([]));
}

#[tokio::test]
async fn the_api_describes_itself_and_the_regulation() {
    let app = TestApp::spawn().await;
    let r = reqwest::get(format!("http://{}/api/openapi.json", app.addr)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/cases/{case_id}/steps/{step}",
        "/api/tasks",
        "/api/inbound/knb",
        "/gateway/knb/answers",
        "/api/cases/{case_id}/documents/{document}",
        "/api/invitations/{number}/revoke",
        "/api/verify/{code}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the API description");
    }
    // Every operation that needs a token documents 401, and every one documents 400.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let answers = &op["responses"];
            assert!(answers.get("400").is_some(), "{method} {path} documents no 400");
            if op.get("security").is_some() {
                assert!(answers.get("401").is_some(), "{method} {path} documents no 401");
            }
        }
    }
    let compliance = &doc["paths"]["/api/reports/compliance"]["get"]["parameters"];
    let required: Vec<&str> =
        compliance.as_array().unwrap().iter().filter(|p| p["required"] == true).map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(required, ["from", "to"], "the period's ends are required");
    // A query that does not parse is answered in the API's error shape, naming the parameter.
    for (query, named) in [("/api/tasks?mine=perhaps", "mine"), ("/api/cases?limit=-1", "limit"), ("/api/cases?limit=501", "limit")] {
        let (status, body) = app.get(OPERATOR, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["error"]["code"], "bad_parameter", "{query}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(named), "{query}: {body}");
    }
    let (_, editions) = app.get(OPERATOR, "/api/regulation").await;
    assert_eq!(editions[0]["edition"], "2018");
    assert_eq!(editions[0]["act_number"], "178");
    assert_eq!(editions[0]["for_new_cases"], true);
    let (_, def) = app.get(OPERATOR, "/api/regulation/2018").await;
    assert_eq!(def["steps"].as_array().unwrap().len(), 15);
    let r = reqwest::get(format!("http://{}/health", app.addr)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// Every answer, JSON or error, carries the hardening headers; the public verification page keeps
/// its own stricter policy.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for (path, token) in
        [("/health", None), ("/api/tasks", Some(app.token(OPERATOR))), ("/api/cases/nope", Some(app.token(OPERATOR))), ("/api/me", None)]
    {
        let mut req = client.get(format!("http://{}{path}", app.addr));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}: no address goes to another site");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
    }
    let r = client.get(format!("http://{}/verify/unknown-code", app.addr)).send().await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "the verification page keeps its own policy: {csp}");
}
