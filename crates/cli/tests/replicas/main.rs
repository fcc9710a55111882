//! Several `shaqyru serve` processes on one PostgreSQL schema, as a country-wide deployment runs
//! them behind a load balancer: clients drive cases through random replicas while timers fire on
//! a fast simulated clock; in the crash test replicas are killed with SIGKILL and restarted
//! under load. Afterwards the database must hold every acknowledged action exactly once, every
//! due timer fired once, and only histories the regulation's definition allows.
//!
//! Needs the PostgreSQL server of `SHAQYRU_TEST_POSTGRES` (default: the machine's, database
//! `test`); fails when it cannot be reached.

mod cluster;
mod driver;
mod verify;

use cluster::Cluster;
use driver::Load;
use std::time::Duration;

/// Three replicas share the load; nothing is lost, doubled or out of the regulation.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_on_one_database_store_each_action_once_and_fire_each_timer_once() {
    let cluster = Cluster::start(3).await;
    let load = Load::start(&cluster, 12);
    tokio::time::sleep(Duration::from_secs(20)).await;
    let outcome = load.stop().await;
    let report = verify::settle_and_check(&cluster, &outcome).await;
    eprintln!("three replicas: {report}");
    assert!(report.acknowledged > 100, "the load did real work: {report}");
    assert!(report.closed_cases > 5, "cases ran to their end: {report}");
    assert!(report.fired_timers > 0, "timers came due during the run: {report}");
    assert!(report.replicas_serving == 3, "every replica served requests: {report}");
    cluster.stop().await;
}

/// Replicas killed with SIGKILL again and again under load, and restarted: after recovery
/// nothing acknowledged is missing and no timer is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_killed_under_load_lose_nothing_acknowledged_and_no_timer() {
    let mut cluster = Cluster::start(3).await;
    let load = Load::start(&cluster, 12);
    let cycles = 8;
    for cycle in 0..cycles {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let victim = cycle % 3;
        cluster.kill(victim);
        tokio::time::sleep(Duration::from_millis(300)).await;
        cluster.restart(victim).await;
        load.set_addresses(cluster.addresses());
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let outcome = load.stop().await;
    let report = verify::settle_and_check(&cluster, &outcome).await;
    eprintln!("kill -9: {cycles} cycles; {report}");
    assert!(report.acknowledged > 100, "the load did real work: {report}");
    assert!(outcome.interrupted > 0, "kills interrupted requests in flight, or the test proves nothing: {report}");
    cluster.stop().await;
}

/// The KNB request is committed with the step that needs it; the server is killed before the
/// request gets through (the KNB is failing), and after a restart the request is made once and
/// answered once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_call_committed_before_a_crash_is_made_exactly_once_after_the_restart() {
    use reqwest::Method;
    use serde_json::json;
    let mut cluster = Cluster::start(1).await;
    cluster.sim_order(Method::POST, "/_sim/faults/knb", Some(json!({ "fault": "unavailable", "times": 100000 }))).await;
    let case = driver::to_coordination(&cluster).await;
    // The dispatcher has tried and failed at least once: the request is committed, not sent.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let stats = cluster.sim_order(Method::GET, "/_sim/stats", None).await;
        if stats["calls"]["/knb/coordination-requests"].as_u64().unwrap_or(0) >= 1 {
            assert_eq!(stats["ok"]["/knb/coordination-requests"].as_u64().unwrap_or(0), 0, "{stats}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the dispatcher never tried the KNB");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cluster.kill(0);
    cluster.sim_order(Method::DELETE, "/_sim/faults/knb", None).await;
    cluster.restart(0).await;

    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let detail = loop {
        let detail = driver::read_case(&cluster, &case).await;
        let p6 = detail["tasks"].as_array().expect("tasks").iter().any(|t| t["step"] == "P6");
        if p6 {
            break detail;
        }
        assert!(std::time::Instant::now() < deadline, "the case never got the KNB's answer: {detail}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let stats = cluster.sim_order(Method::GET, "/_sim/stats", None).await;
    assert_eq!(stats["ok"]["/knb/coordination-requests"], 1, "the KNB took the request once: {stats}");
    assert_eq!(stats["keys"]["/knb/coordination-requests"], 1, "every attempt carried one key: {stats}");
    let p5 = detail["history"].as_array().expect("history").iter().filter(|h| h["step"] == "P5" && h["type"] == "outcome_recorded").count();
    assert_eq!(p5, 1, "one answer recorded: {detail}");
    eprintln!("crash before dispatch: {} failed attempts before the kill, then one delivery", stats["calls"]["/knb/coordination-requests"]);
    cluster.stop().await;
}
