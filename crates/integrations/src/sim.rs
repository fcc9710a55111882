//! In-process simulators of the external systems. Their answers come from a data file
//! (`SimData`): persons with АДБ records, and what the KNB answers for a person. Calls with an
//! idempotency key already seen get the first answer again, as a real gateway would.
//!
//! Their own state lives in memory: like a real external system, it is not part of our
//! database, and a restart of the server starts them afresh.

use crate::{AdapterError, Adb, Burkit, CallContext, Knb, KnbAnswer, KnbVerdict, StateCorporation, Systems};
use async_trait::async_trait;
use domain::application::Application;
use domain::case::{AdbRecord, InvitationRecord};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The simulators' data: who has records, and how the KNB answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimData {
    #[serde(default)]
    pub adb: Vec<SimAdbRecord>,
    #[serde(default)]
    pub knb: Vec<SimKnbRule>,
}

/// A person is matched by the applicant's ИИН or an invitee's passport number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimAdbRecord {
    #[serde(default)]
    pub iin: Option<String>,
    #[serde(default)]
    pub passport: Option<String>,
    pub ground: String,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimKnbRule {
    #[serde(default)]
    pub iin: Option<String>,
    #[serde(default)]
    pub passport: Option<String>,
    /// `agree`, `object` or `extend`.
    pub answer: String,
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub reason: Option<String>,
    /// After `extend`: the answer that follows (`agree` or `object`).
    #[serde(default)]
    pub then: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("simulator data: {0}")]
pub struct SimDataError(String);

impl SimData {
    pub fn parse(text: &str) -> Result<SimData, SimDataError> {
        let data: SimData = toml::from_str(text).map_err(|e| SimDataError(e.to_string()))?;
        for (i, r) in data.knb.iter().enumerate() {
            let ok = match r.answer.as_str() {
                "agree" | "object" => true,
                "extend" => r.days.is_some() && matches!(r.then.as_deref(), Some("agree" | "object")),
                _ => false,
            };
            if !ok {
                return Err(SimDataError(format!("knb[{i}]: answer is agree, object, or extend with days and then = agree|object")));
            }
        }
        for (i, r) in data.adb.iter().enumerate() {
            if r.iin.is_none() && r.passport.is_none() {
                return Err(SimDataError(format!("adb[{i}]: name the person by iin or passport")));
            }
        }
        for (i, r) in data.knb.iter().enumerate() {
            if r.iin.is_none() && r.passport.is_none() {
                return Err(SimDataError(format!("knb[{i}]: name the person by iin or passport")));
            }
        }
        Ok(data)
    }

    fn matches(iin: &Option<String>, passport: &Option<String>, app: &Application) -> Option<String> {
        if iin.as_deref() == Some(app.applicant.iin.as_str()) {
            return Some("applicant".into());
        }
        app.invitees.iter().position(|i| passport.as_deref() == Some(i.passport_number.as_str())).map(|n| format!("invitee:{n}"))
    }
}

/// What the simulated Бүркіт-ІІМ holds for one case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BurkitEntry {
    pub record: String,
    pub persons: usize,
    pub invitation: Option<InvitationRecord>,
}

#[derive(Default)]
struct BurkitState {
    by_case: BTreeMap<String, BurkitEntry>,
    by_key: BTreeMap<String, InvitationRecord>,
    next_number: u64,
}

/// Simulated Бүркіт-ІІМ: keeps what was entered, and numbers invitations with 10 digits.
#[derive(Default)]
pub struct SimBurkit {
    state: Mutex<BurkitState>,
}

impl SimBurkit {
    /// What was entered for a case, if anything.
    pub fn entry(&self, case_id: &str) -> Option<BurkitEntry> {
        self.state.lock().expect("not poisoned").by_case.get(case_id).cloned()
    }
}

#[async_trait]
impl Burkit for SimBurkit {
    async fn enter_persons(&self, ctx: &CallContext, application: &Application) -> Result<String, AdapterError> {
        let mut s = self.state.lock().expect("not poisoned");
        let entry = s.by_case.entry(ctx.case_id.clone()).or_default();
        entry.record = format!("BRK-{}", ctx.reference);
        entry.persons = 1 + application.invitees.len();
        Ok(entry.record.clone())
    }

    async fn record_invitation(
        &self,
        ctx: &CallContext,
        application: &Application,
        issued_on: Date,
    ) -> Result<InvitationRecord, AdapterError> {
        let mut s = self.state.lock().expect("not poisoned");
        if let Some(done) = s.by_key.get(&ctx.idempotency_key) {
            return Ok(done.clone());
        }
        if !s.by_case.contains_key(&ctx.case_id) {
            return Err(AdapterError::Rejected { system: "burkit", detail: "no persons were entered for this case".into() });
        }
        s.next_number += 1;
        let record = InvitationRecord {
            registration_number: format!("{:010}", 1_800_000_000 + s.next_number),
            issued_on,
            valid_until: application.stay.to,
        };
        s.by_key.insert(ctx.idempotency_key.clone(), record.clone());
        s.by_case.get_mut(&ctx.case_id).expect("checked above").invitation = Some(record.clone());
        Ok(record)
    }
}

/// Simulated АДБ: answers with the records of the data file that match a person.
pub struct SimAdb {
    data: Arc<SimData>,
}

#[async_trait]
impl Adb for SimAdb {
    async fn check_persons(&self, _ctx: &CallContext, application: &Application) -> Result<Vec<AdbRecord>, AdapterError> {
        Ok(self
            .data
            .adb
            .iter()
            .filter_map(|r| {
                SimData::matches(&r.iin, &r.passport, application).map(|person| AdbRecord {
                    person,
                    ground: r.ground.clone(),
                    summary: r.summary.clone(),
                })
            })
            .collect())
    }
}

#[derive(Default)]
struct KnbState {
    requested: BTreeMap<String, String>,
    pending: VecDeque<KnbAnswer>,
    sent: u64,
}

/// Simulated KNB: a request queues the answer(s) the data file gives for the persons (an
/// objection wins over an extension, an extension over agreement); the server takes them with
/// [`SimKnb::take_answers`] and delivers them as inbound messages.
pub struct SimKnb {
    data: Arc<SimData>,
    state: Mutex<KnbState>,
}

impl SimKnb {
    /// Takes up to `max` queued answers, oldest first.
    pub fn take_answers(&self, max: usize) -> Vec<KnbAnswer> {
        let mut s = self.state.lock().expect("not poisoned");
        let n = max.min(s.pending.len());
        s.pending.drain(..n).collect()
    }

    /// Puts answers back at the front (when they could not be delivered).
    pub fn put_back(&self, answers: Vec<KnbAnswer>) {
        let mut s = self.state.lock().expect("not poisoned");
        for a in answers.into_iter().rev() {
            s.pending.push_front(a);
        }
    }

    pub fn pending(&self) -> usize {
        self.state.lock().expect("not poisoned").pending.len()
    }

    /// How many requests the KNB has received for a case (duplicates by key not counted).
    pub fn requests_for(&self, case_id: &str) -> usize {
        self.state.lock().expect("not poisoned").requested.values().filter(|c| *c == case_id).count()
    }
}

#[async_trait]
impl Knb for SimKnb {
    async fn request_coordination(&self, ctx: &CallContext, application: &Application) -> Result<(), AdapterError> {
        let rules: Vec<&SimKnbRule> =
            self.data.knb.iter().filter(|r| SimData::matches(&r.iin, &r.passport, application).is_some()).collect();
        let mut s = self.state.lock().expect("not poisoned");
        if s.requested.insert(ctx.idempotency_key.clone(), ctx.case_id.clone()).is_some() {
            return Ok(());
        }
        let verdict = |answer: &str| if answer == "object" { KnbVerdict::Object } else { KnbVerdict::Agree };
        let mut answers = Vec::new();
        if rules.iter().any(|r| r.answer == "object") {
            answers.push(KnbVerdict::Object);
        } else if let Some(r) = rules.iter().find(|r| r.answer == "extend") {
            answers.push(KnbVerdict::Extend {
                days: r.days.unwrap_or(30),
                reason: r.reason.clone().unwrap_or_else(|| "additional checks".into()),
            });
            answers.push(verdict(r.then.as_deref().unwrap_or("agree")));
        } else {
            answers.push(KnbVerdict::Agree);
        }
        for verdict in answers {
            s.sent += 1;
            let message_id = format!("knb-sim-{}-{}", ctx.case_id, s.sent);
            s.pending.push_back(KnbAnswer { case_id: ctx.case_id.clone(), message_id, verdict });
        }
        Ok(())
    }
}

/// Simulated State Corporation system: acknowledges, and remembers what it received.
#[derive(Default)]
pub struct SimStateCorporation {
    received: Mutex<Vec<(String, String)>>,
}

impl SimStateCorporation {
    /// (case id, what) pairs received, in order.
    pub fn received(&self) -> Vec<(String, String)> {
        self.received.lock().expect("not poisoned").clone()
    }

    fn ack(&self, ctx: &CallContext, what: String) -> String {
        let mut r = self.received.lock().expect("not poisoned");
        r.push((ctx.case_id.clone(), what));
        format!("SC-{}-{}", ctx.reference, r.len())
    }
}

#[async_trait]
impl StateCorporation for SimStateCorporation {
    async fn forward_documents(&self, ctx: &CallContext) -> Result<String, AdapterError> {
        Ok(self.ack(ctx, "documents".into()))
    }
    async fn send_extension_notice(&self, ctx: &CallContext, days: u32, _reason: &str) -> Result<String, AdapterError> {
        Ok(self.ack(ctx, format!("extension_notice:{days}")))
    }
    async fn send_result(&self, ctx: &CallContext, result: &str) -> Result<String, AdapterError> {
        Ok(self.ack(ctx, format!("result:{result}")))
    }
}

/// All four simulators over one data set, with handles to look inside them.
pub struct Simulators {
    pub burkit: Arc<SimBurkit>,
    pub adb: Arc<SimAdb>,
    pub knb: Arc<SimKnb>,
    pub sc: Arc<SimStateCorporation>,
    /// Failures to inject into the next calls, for fault tests and drills.
    pub faults: Arc<Faults>,
}

impl Simulators {
    pub fn new(data: SimData) -> Simulators {
        let data = Arc::new(data);
        Simulators {
            burkit: Arc::new(SimBurkit::default()),
            adb: Arc::new(SimAdb { data: data.clone() }),
            knb: Arc::new(SimKnb { data, state: Mutex::default() }),
            sc: Arc::new(SimStateCorporation::default()),
            faults: Arc::new(Faults::default()),
        }
    }

    /// The adapters, each failing first as `faults` says.
    pub fn systems(&self) -> Systems {
        let f = &self.faults;
        Systems {
            burkit: Arc::new(Faulty { inner: self.burkit.clone(), faults: f.clone(), system: "burkit" }),
            adb: Arc::new(Faulty { inner: self.adb.clone(), faults: f.clone(), system: "adb" }),
            knb: Arc::new(Faulty { inner: self.knb.clone(), faults: f.clone(), system: "knb" }),
            sc: Arc::new(Faulty { inner: self.sc.clone(), faults: f.clone(), system: "sc" }),
        }
    }
}

/// A failure a simulated system shows for its next calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Answers that it cannot serve now (a retry may succeed).
    Unavailable,
    /// Refuses the request outright (a retry will not help).
    Rejected,
}

/// Failures queued per system (`burkit`, `adb`, `knb`, `sc`): each call takes one.
#[derive(Debug, Default)]
pub struct Faults {
    queued: Mutex<BTreeMap<String, VecDeque<Fault>>>,
}

impl Faults {
    /// The next `times` calls to `system` fail with `fault`.
    pub fn inject(&self, system: &str, fault: Fault, times: usize) {
        let mut q = self.queued.lock().expect("not poisoned");
        q.entry(system.to_owned()).or_default().extend(std::iter::repeat_n(fault, times));
    }

    pub fn clear(&self) {
        self.queued.lock().expect("not poisoned").clear();
    }

    /// Drops the failures still queued for one system.
    pub fn clear_system(&self, system: &str) {
        self.queued.lock().expect("not poisoned").remove(system);
    }

    /// Takes the next queued failure of `system` as the error its call returns.
    pub fn take(&self, system: &'static str) -> Result<(), AdapterError> {
        let fault = self.queued.lock().expect("not poisoned").get_mut(system).and_then(VecDeque::pop_front);
        match fault {
            None => Ok(()),
            Some(Fault::Unavailable) => Err(AdapterError::Unavailable { system, detail: "simulated outage".into() }),
            Some(Fault::Rejected) => Err(AdapterError::Rejected { system, detail: "simulated refusal".into() }),
        }
    }
}

/// A simulator behind the fault queue.
struct Faulty<T: ?Sized> {
    inner: Arc<T>,
    faults: Arc<Faults>,
    system: &'static str,
}

#[async_trait]
impl Burkit for Faulty<SimBurkit> {
    async fn enter_persons(&self, ctx: &CallContext, application: &Application) -> Result<String, AdapterError> {
        self.faults.take(self.system)?;
        self.inner.enter_persons(ctx, application).await
    }
    async fn record_invitation(
        &self,
        ctx: &CallContext,
        application: &Application,
        issued_on: Date,
    ) -> Result<InvitationRecord, AdapterError> {
        self.faults.take(self.system)?;
        self.inner.record_invitation(ctx, application, issued_on).await
    }
}

#[async_trait]
impl Adb for Faulty<SimAdb> {
    async fn check_persons(&self, ctx: &CallContext, application: &Application) -> Result<Vec<AdbRecord>, AdapterError> {
        self.faults.take(self.system)?;
        self.inner.check_persons(ctx, application).await
    }
}

#[async_trait]
impl Knb for Faulty<SimKnb> {
    async fn request_coordination(&self, ctx: &CallContext, application: &Application) -> Result<(), AdapterError> {
        self.faults.take(self.system)?;
        self.inner.request_coordination(ctx, application).await
    }
}

#[async_trait]
impl StateCorporation for Faulty<SimStateCorporation> {
    async fn forward_documents(&self, ctx: &CallContext) -> Result<String, AdapterError> {
        self.faults.take(self.system)?;
        self.inner.forward_documents(ctx).await
    }
    async fn send_extension_notice(&self, ctx: &CallContext, days: u32, reason: &str) -> Result<String, AdapterError> {
        self.faults.take(self.system)?;
        self.inner.send_extension_notice(ctx, days, reason).await
    }
    async fn send_result(&self, ctx: &CallContext, result: &str) -> Result<String, AdapterError> {
        self.faults.take(self.system)?;
        self.inner.send_result(ctx, result).await
    }
}

/// The demo data shipped with the binary (`simulators/demo.toml`).
pub const DEMO_DATA: &str = include_str!("../../../simulators/demo.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_demo_data_is_valid() {
        let data = SimData::parse(DEMO_DATA).unwrap();
        assert!(!data.adb.is_empty() && !data.knb.is_empty());
    }

    #[test]
    fn an_extend_rule_without_a_following_answer_is_refused() {
        let err = SimData::parse("[[knb]]\npassport = \"X1234567\"\nanswer = \"extend\"\ndays = 10\n").unwrap_err();
        assert!(err.to_string().contains("knb[0]"));
    }
}
