//! Reading a definition file: a walk over toml's spanned document tree that collects every
//! problem (syntax, unknown keys, wrong types, unknown references, unreachable steps, dead
//! ends, missing translations) with its line and column, instead of stopping at the first.

use super::*;
use crate::retention::Retention;
use crate::text::Lang;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One problem in a definition file, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Every problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems {
    pub file: String,
    pub items: Vec<Problem>,
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.items {
            writeln!(f, "{}:{}:{}: {}", self.file, p.line, p.column, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Reads and validates a definition. `file` is only used to name the file in problems.
pub fn load(file: &str, source: &str) -> Result<Definition, Problems> {
    let mut r = Reader::new(source);
    let (doc, syntax) = DeTable::parse_recoverable(source);
    for e in syntax {
        let at = e.span().map_or(0, |s| s.start);
        r.problem(at, e.message().trim().to_owned());
    }
    let hash = hex::encode(Sha256::digest(source.as_bytes()));
    let root_span = doc.span().start;
    let mut root = Obj::new(doc.get_ref(), root_span, "");
    let raw = read_document(&mut r, &mut root);
    root.finish(&mut r);
    let definition = raw.and_then(|raw| check(&mut r, raw, hash));
    match (definition, r.problems.is_empty()) {
        (Some(d), true) => Ok(d),
        _ => {
            let mut items = r.problems;
            items.sort_by_key(|p| (p.line, p.column));
            items.dedup();
            Err(Problems { file: file.to_owned(), items })
        }
    }
}

struct Reader<'s> {
    line_starts: Vec<usize>,
    source: &'s str,
    problems: Vec<Problem>,
}

impl<'s> Reader<'s> {
    fn new(source: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Reader { line_starts, source, problems: Vec::new() }
    }

    fn problem(&mut self, offset: usize, message: impl Into<String>) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.source[start..offset.min(self.source.len())].chars().count() + 1;
        self.problems.push(Problem { line, column, message: message.into() });
    }
}

/// A string with the byte offset where it stands in the file.
#[derive(Clone, Debug)]
struct At<T> {
    value: T,
    at: usize,
}

/// A table being read: remembers which keys were taken, so that the rest are reported.
struct Obj<'a, 'i> {
    table: &'a DeTable<'i>,
    at: usize,
    path: String,
    used: BTreeSet<String>,
}

type Val<'a, 'i> = &'a Spanned<DeValue<'i>>;

impl<'a, 'i> Obj<'a, 'i> {
    fn new(table: &'a DeTable<'i>, at: usize, path: &str) -> Self {
        Obj { table, at, path: path.to_owned(), used: BTreeSet::new() }
    }

    fn name(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }

    fn get(&mut self, key: &str) -> Option<Val<'a, 'i>> {
        self.used.insert(key.to_owned());
        self.table.get(key)
    }

    fn required(&mut self, r: &mut Reader, key: &str) -> Option<Val<'a, 'i>> {
        let v = self.get(key);
        if v.is_none() {
            r.problem(self.at, format!("missing \"{}\"", self.name(key)));
        }
        v
    }

    fn string(&mut self, r: &mut Reader, key: &str) -> Option<At<String>> {
        let v = self.required(r, key)?;
        as_string(r, v, &self.name(key))
    }

    fn opt_string(&mut self, r: &mut Reader, key: &str) -> Option<At<String>> {
        let v = self.get(key)?;
        as_string(r, v, &self.name(key))
    }

    fn bool(&mut self, r: &mut Reader, key: &str) -> bool {
        match self.get(key) {
            None => false,
            Some(v) if recovered(v) => false,
            Some(v) => match v.get_ref().as_bool() {
                Some(b) => b,
                None => {
                    r.problem(v.span().start, format!("\"{}\" must be true or false", self.name(key)));
                    false
                }
            },
        }
    }

    fn opt_int(&mut self, r: &mut Reader, key: &str) -> Option<u32> {
        let v = self.get(key).filter(|v| !recovered(v))?;
        let n = v.get_ref().as_integer().and_then(|i| i.as_str().parse::<u32>().ok());
        if n.is_none() {
            r.problem(v.span().start, format!("\"{}\" must be a positive whole number", self.name(key)));
        }
        n
    }

    fn strings(&mut self, r: &mut Reader, key: &str) -> Vec<At<String>> {
        let name = self.name(key);
        let Some(v) = self.get(key).filter(|v| !recovered(v)) else { return Vec::new() };
        let Some(items) = v.get_ref().as_array() else {
            r.problem(v.span().start, format!("\"{name}\" must be a list of strings"));
            return Vec::new();
        };
        items.iter().filter_map(|item| as_string(r, item, &name)).collect()
    }

    fn table(&mut self, r: &mut Reader, key: &str, required: bool) -> Option<Obj<'a, 'i>> {
        let name = self.name(key);
        let v = if required { self.required(r, key)? } else { self.get(key)? };
        if recovered(v) {
            return None;
        }
        match v.get_ref().as_table() {
            Some(t) => Some(Obj::new(t, v.span().start, &name)),
            None => {
                r.problem(v.span().start, format!("\"{name}\" must be a table"));
                None
            }
        }
    }

    /// The entries of a table of tables, e.g. `[roles.x]`, `[roles.y]`, in file order.
    fn entries(&mut self, r: &mut Reader, key: &str) -> Vec<(At<String>, Obj<'a, 'i>)> {
        let Some(mut outer) = self.table(r, key, true) else { return Vec::new() };
        let mut out = Vec::new();
        for (k, v) in outer.table.iter() {
            outer.used.insert(k.get_ref().to_string());
            let name = outer.name(k.get_ref());
            match v.get_ref().as_table() {
                Some(t) => out.push((At { value: k.get_ref().to_string(), at: k.span().start }, Obj::new(t, v.span().start, &name))),
                None => r.problem(v.span().start, format!("\"{name}\" must be a table")),
            }
        }
        out
    }

    /// The tables of an array of tables, e.g. `[[checklist]]`.
    fn array_of_tables(&mut self, r: &mut Reader, key: &str) -> Vec<Obj<'a, 'i>> {
        let name = self.name(key);
        let Some(v) = self.get(key) else { return Vec::new() };
        let Some(items) = v.get_ref().as_array() else {
            r.problem(v.span().start, format!("\"{name}\" must be an array of tables ([[{name}]])"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref().as_table() {
                Some(t) => out.push(Obj::new(t, item.span().start, &format!("{name}[{i}]"))),
                None => r.problem(item.span().start, format!("\"{name}\" items must be tables")),
            }
        }
        out
    }

    /// `title.kk`, `title.ru`, `title.en`: all three must be there and not empty.
    fn localized(&mut self, r: &mut Reader, key: &str) -> Localized {
        let mut out = Localized::default();
        let Some(mut t) = self.table(r, key, true) else { return out };
        for lang in Lang::ALL {
            let text = match t.get(lang.code()) {
                None => {
                    r.problem(t.at, format!("missing translation \"{}\"", t.name(lang.code())));
                    continue;
                }
                Some(v) => as_string(r, v, &t.name(lang.code())),
            };
            if let Some(text) = text {
                if text.value.trim().is_empty() {
                    r.problem(text.at, format!("empty translation \"{}\"", t.name(lang.code())));
                }
                match lang {
                    Lang::Kk => out.kk = text.value,
                    Lang::Ru => out.ru = text.value,
                    Lang::En => out.en = text.value,
                }
            }
        }
        t.finish(r);
        out
    }

    fn finish(self, r: &mut Reader) {
        for (k, _) in self.table.iter() {
            if !self.used.contains(k.get_ref().as_ref()) {
                r.problem(k.span().start, format!("unknown key \"{}\"", self.name(k.get_ref())));
            }
        }
    }
}

/// A value that toml's error recovery put in place of a broken one has no extent; the syntax
/// error already speaks for it.
fn recovered(v: &Spanned<DeValue<'_>>) -> bool {
    v.span().is_empty()
}

fn as_string(r: &mut Reader, v: &Spanned<DeValue<'_>>, name: &str) -> Option<At<String>> {
    if recovered(v) {
        return None;
    }
    match v.get_ref().as_str() {
        Some(s) => Some(At { value: s.to_owned(), at: v.span().start }),
        None => {
            r.problem(v.span().start, format!("\"{name}\" must be a string, not {}", v.get_ref().type_str()));
            None
        }
    }
}

fn parse_date(r: &mut Reader, s: &Option<At<String>>) -> Option<Date> {
    let s = s.as_ref()?;
    match s.value.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            r.problem(s.at, format!("\"{}\" is not a date (YYYY-MM-DD)", s.value));
            None
        }
    }
}

fn parse_limit(r: &mut Reader, s: &Option<At<String>>) -> Option<Limit> {
    let s = s.as_ref()?;
    match Limit::parse(&s.value) {
        Ok(l) => Some(l),
        Err(e) => {
            r.problem(s.at, format!("bad duration \"{}\": {e}", s.value));
            None
        }
    }
}

fn parse_choice<T: Copy>(r: &mut Reader, s: &At<String>, what: &str, all: &[T], code: impl Fn(T) -> &'static str) -> Option<T> {
    let found = all.iter().copied().find(|v| code(*v) == s.value);
    if found.is_none() {
        let names: Vec<_> = all.iter().map(|v| code(*v)).collect();
        r.problem(s.at, format!("unknown {what} \"{}\": expected one of {}", s.value, names.join(", ")));
    }
    found
}

fn cites(r: &mut Reader, obj: &mut Obj, required: bool) -> Vec<String> {
    let list = obj.strings(r, "cites");
    if required && list.is_empty() {
        r.problem(obj.at, format!("\"{}\" must cite at least one paragraph (cites = [\"6.1\"])", obj.name("cites")));
    }
    for c in &list {
        let ok = !c.value.is_empty() && c.value.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            r.problem(c.at, format!("\"{}\" is not a paragraph number like \"6.5\"", c.value));
        }
    }
    list.into_iter().map(|c| c.value).collect()
}

struct RawOutcome {
    id: At<String>,
    at: usize,
    outcome: Outcome,
    next: Vec<At<String>>,
    documents: Vec<At<String>>,
    facts_used: Vec<At<String>>,
    sets: Vec<At<String>>,
    assigns: Option<At<String>>,
    system_result: Option<At<String>>,
}

struct RawStep {
    id: At<String>,
    at: usize,
    role: Option<At<String>>,
    step: Step,
    outcomes: Vec<RawOutcome>,
}

/// The extension rule with where its references stand.
struct RawExtension {
    step: At<String>,
    outcome: At<String>,
    notice: At<String>,
    rule: Extension,
}

struct Raw {
    edition: Option<At<String>>,
    service: Localized,
    act: Option<Act>,
    roles: Vec<(At<String>, Role)>,
    systems: Vec<(At<String>, System)>,
    documents: Vec<(At<String>, DocumentKind)>,
    checklist: Vec<(At<String>, ChecklistItem)>,
    grounds: Vec<(At<String>, RefusalGround)>,
    term: Option<Term>,
    extension: Option<RawExtension>,
    policy: Option<DeadlinePolicy>,
    retention: Option<Retention>,
    escalate: Option<At<String>>,
    start: Option<At<String>>,
    steps: Vec<RawStep>,
}

fn read_document(r: &mut Reader, root: &mut Obj) -> Option<Raw> {
    let mut edition = None;
    let mut service = Localized::default();
    if let Some(mut e) = root.table(r, "edition", true) {
        edition = e.string(r, "id");
        service = e.localized(r, "service");
        e.finish(r);
    }
    let act = root.table(r, "act", true).and_then(|mut a| {
        let number = a.string(r, "number");
        let date = a.string(r, "date");
        let registration_number = a.string(r, "registration_number");
        let registration_date = a.string(r, "registration_date");
        let amends = a.opt_string(r, "amends").map(|s| s.value);
        let standard = a.opt_string(r, "standard").map(|s| s.value);
        let repealed_by = a.opt_string(r, "repealed_by").map(|s| s.value);
        let from = a.string(r, "effective_from");
        let to = a.opt_string(r, "effective_to");
        let dates_estimated = a.bool(r, "dates_estimated");
        let act = Act {
            date: parse_date(r, &date)?,
            registration_date: parse_date(r, &registration_date)?,
            effective_from: parse_date(r, &from)?,
            effective_to: match &to {
                Some(_) => Some(parse_date(r, &to)?),
                None => None,
            },
            number: number?.value,
            registration_number: registration_number?.value,
            amends,
            standard,
            repealed_by,
            dates_estimated,
        };
        if let (Some(end), Some(from)) = (act.effective_to, &from)
            && end < act.effective_from
        {
            r.problem(from.at, "the edition ends before it starts (effective_to < effective_from)");
        }
        a.finish(r);
        Some(act)
    });
    let mut roles = Vec::new();
    for (id, mut o) in root.entries(r, "roles") {
        let unit = o.string(r, "unit").and_then(|u| parse_choice(r, &u, "unit", &UnitKind::ALL, UnitKind::code));
        let title = o.localized(r, "title");
        o.finish(r);
        if let Some(unit) = unit {
            roles.push((id.clone(), Role { id: id.value, unit, title }));
        }
    }
    let mut systems = Vec::new();
    for (id, mut o) in root.entries(r, "systems") {
        let title = o.localized(r, "title");
        o.finish(r);
        systems.push((id.clone(), System { id: id.value, title }));
    }
    let mut documents = Vec::new();
    for (id, mut o) in root.entries(r, "documents") {
        let cites = cites(r, &mut o, true);
        let standard_appendix = o.opt_int(r, "standard_appendix");
        let title = o.localized(r, "title");
        o.finish(r);
        documents.push((id.clone(), DocumentKind { id: id.value, cites, standard_appendix, title }));
    }
    let mut checklist = Vec::new();
    for mut o in root.array_of_tables(r, "checklist") {
        let id = o.string(r, "id");
        let per = o.string(r, "per").and_then(|p| {
            parse_choice(r, &p, "\"per\"", &[Per::Application, Per::Invitee], |p| match p {
                Per::Application => "application",
                Per::Invitee => "invitee",
            })
        });
        let title = o.localized(r, "title");
        o.finish(r);
        if let (Some(id), Some(per)) = (id, per) {
            checklist.push((id.clone(), ChecklistItem { id: id.value, per, title }));
        }
    }
    let mut grounds = Vec::new();
    for mut o in root.array_of_tables(r, "refusal_grounds") {
        let id = o.string(r, "id");
        let title = o.localized(r, "title");
        o.finish(r);
        if let Some(id) = id {
            grounds.push((id.clone(), RefusalGround { id: id.value, title }));
        }
    }
    let term = root.table(r, "term", true).and_then(|mut t| {
        let limit = t.string(r, "limit");
        let starts = t.string(r, "starts");
        let count_start_day = t.bool(r, "count_start_day");
        let before = t.opt_string(r, "deliver_before_end");
        let cites = cites(r, &mut t, false);
        let limit_at = limit.as_ref().map(|l| l.at);
        let limit = parse_limit(r, &limit);
        let deliver_before_end = parse_limit(r, &before);
        let day_counted =
            |l: Option<Limit>| matches!(l, None | Some(Limit::Within { unit: LimitUnit::CalendarDays | LimitUnit::WorkingDays, .. }));
        if !day_counted(limit) {
            r.problem(limit_at.unwrap_or(t.at), "the service term is counted in calendar days or working days");
        }
        if !day_counted(deliver_before_end) {
            r.problem(before.as_ref().map_or(t.at, |b| b.at), "\"deliver_before_end\" is counted in calendar days or working days");
        }
        if let Some(s) = &starts
            && s.value.trim().is_empty()
        {
            r.problem(s.at, "the term starts at a fact set by an outcome, e.g. \"accepted\"");
        }
        t.finish(r);
        Some(Term { limit: limit?, starts: starts?.value, count_start_day, deliver_before_end, cites })
    });
    let extension = root.table(r, "extension", false).and_then(|mut e| {
        let step = e.string(r, "step");
        let outcome = e.string(r, "outcome");
        let max = e.string(r, "max");
        let notice = e.string(r, "notice_step");
        let cites = cites(r, &mut e, false);
        let max_limit = parse_limit(r, &max);
        if let (Some(Limit::Within { unit, .. }), Some(m)) = (max_limit, &max)
            && unit != LimitUnit::CalendarDays
        {
            r.problem(m.at, "the extension's \"max\" is counted in calendar days");
        }
        e.finish(r);
        let (step, outcome, notice) = (step?, outcome?, notice?);
        let ext = Extension {
            step: step.value.clone(),
            outcome: outcome.value.clone(),
            max: max_limit?,
            notice_step: notice.value.clone(),
            cites,
        };
        Some(RawExtension { step, outcome, notice, rule: ext })
    });
    let mut escalate: Option<At<String>> = None;
    let policy = root.table(r, "policy", true).and_then(|mut p| {
        let day_off = p.string(r, "calendar_days_on_day_off").and_then(|s| {
            parse_choice(r, &s, "policy", &[CalendarDaysOnDayOff::NextWorkingDay, CalendarDaysOnDayOff::AsIs], |v| match v {
                CalendarDaysOnDayOff::NextWorkingDay => "next_working_day",
                CalendarDaysOnDayOff::AsIs => "as_is",
            })
        });
        let late = p.string(r, "same_day_when_late").and_then(|s| {
            parse_choice(r, &s, "policy", &[SameDayWhenLate::Carry, SameDayWhenLate::EndOfDay], |v| match v {
                SameDayWhenLate::Carry => "carry",
                SameDayWhenLate::EndOfDay => "end_of_day",
            })
        });
        escalate = p.opt_string(r, "escalate_overdue_to");
        let warn_at = p.table.get("warn_at_percent").map_or(p.at, |v| v.span().start);
        let warn = p.opt_int(r, "warn_at_percent");
        match warn {
            Some(w) if !(1..=99).contains(&w) => r.problem(warn_at, format!("\"policy.warn_at_percent\" is a share from 1 to 99, not {w}")),
            None if !p.table.contains_key("warn_at_percent") => r.problem(p.at, "missing \"policy.warn_at_percent\""),
            _ => {}
        }
        p.finish(r);
        Some(DeadlinePolicy {
            calendar_days_on_day_off: day_off?,
            same_day_when_late: late?,
            warn_at_percent: u8::try_from(warn?.clamp(1, 99)).expect("clamped"),
            escalate_overdue_to: escalate.as_ref().map(|e| e.value.clone()),
        })
    });
    let retention = root.table(r, "retention", false).and_then(|mut t| {
        let at = t.table.get("years_after_closing").map_or(t.at, |v| v.span().start);
        let years = t.opt_int(r, "years_after_closing");
        let present = t.table.contains_key("years_after_closing");
        t.finish(r);
        match years {
            Some(y) if Retention::YEARS.contains(&y) => Some(Retention { years_after_closing: y }),
            Some(y) => {
                let (lo, hi) = (Retention::YEARS.start(), Retention::YEARS.end());
                r.problem(at, format!("\"retention.years_after_closing\" is a number of years from {lo} to {hi}, not {y}"));
                None
            }
            None if !present => {
                r.problem(at, "missing \"retention.years_after_closing\"");
                None
            }
            // The type error is reported already.
            None => None,
        }
    });
    let start = root.table(r, "process", true).and_then(|mut p| {
        let s = p.string(r, "start");
        p.finish(r);
        s
    });
    let mut steps = Vec::new();
    for (id, mut o) in root.entries(r, "steps") {
        steps.push(read_step(r, id, &mut o));
        o.finish(r);
    }
    Some(Raw {
        edition,
        service,
        act,
        roles,
        systems,
        documents,
        checklist,
        grounds,
        term,
        extension,
        policy,
        retention,
        escalate,
        start,
        steps,
    })
}

fn read_step(r: &mut Reader, id: At<String>, o: &mut Obj) -> RawStep {
    let at = o.at;
    let cites = cites(r, o, true);
    let role = o.string(r, "role");
    let limit_text = o.string(r, "limit");
    let limit = parse_limit(r, &limit_text);
    let same_day_as =
        o.opt_string(r, "same_day_as").and_then(|s| parse_choice(r, &s, "same-day anchor", &SameDayAnchor::ALL, SameDayAnchor::code));
    let call = o.opt_string(r, "call").and_then(|s| parse_choice(r, &s, "call", &Call::ALL, Call::code));
    let on_enter = o.opt_string(r, "on_enter").and_then(|s| parse_choice(r, &s, "call", &Call::ALL, Call::code));
    let title = o.localized(r, "title");
    let mut outcomes = Vec::new();
    let tables = o.array_of_tables(r, "outcomes");
    if tables.is_empty() {
        r.problem(at, format!("step \"{}\" has no outcomes ([[steps.{}.outcomes]])", id.value, id.value));
    }
    for mut t in tables {
        outcomes.push(read_outcome(r, &mut t));
        t.finish(r);
    }
    let step = Step {
        id: id.value.as_str().into(),
        cites: cites.into(),
        role: role.as_ref().map(|r| r.value.as_str().into()).unwrap_or_default(),
        title,
        limit: limit.unwrap_or(Limit::OnReadyDate),
        same_day_as,
        call,
        on_enter,
        outcomes: outcomes.iter().map(|o| o.outcome.clone()).collect(),
    };
    RawStep { id, at, role, step, outcomes }
}

fn read_outcome(r: &mut Reader, t: &mut Obj) -> RawOutcome {
    let at = t.at;
    let id = t.string(r, "id").unwrap_or(At { value: String::new(), at });
    let title = t.localized(r, "title");
    let next = t.strings(r, "next");
    let end = t.opt_string(r, "end").and_then(|s| parse_choice(r, &s, "case result", &CaseResult::ALL, CaseResult::code));
    let branch_end = t.bool(r, "branch_end");
    let keep_open = t.bool(r, "keep_open");
    let sets = t.strings(r, "sets");
    let when = t.strings(r, "when");
    let when_any = t.strings(r, "when_any");
    let unless = t.strings(r, "unless");
    let input = t.opt_string(r, "input").and_then(|s| parse_choice(r, &s, "input", &InputKind::ALL, InputKind::code));
    let assigns = t.opt_string(r, "assigns");
    let documents = t.strings(r, "documents");
    let system_result = t.opt_string(r, "system_result");
    let values = |v: &[At<String>]| v.iter().map(|s| s.value.clone()).collect::<Vec<_>>();
    let shared = |v: &[At<String>]| v.iter().map(|s| SharedStr::from(s.value.as_str())).collect::<Vec<_>>();
    let outcome = Outcome {
        id: id.value.as_str().into(),
        title,
        next: values(&next),
        end,
        branch_end,
        keep_open,
        sets: shared(&sets).into(),
        when: values(&when),
        when_any: values(&when_any),
        unless: values(&unless),
        input,
        assigns: assigns.as_ref().map(|a| a.value.as_str().into()),
        documents: shared(&documents),
        system_result: system_result.as_ref().map(|s| s.value.clone()),
    };
    let facts_used = when.into_iter().chain(when_any).chain(unless).collect();
    RawOutcome { id, at, outcome, next, documents, facts_used, sets, assigns, system_result }
}

fn unique<T>(r: &mut Reader, items: &[(At<String>, T)], what: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for (id, _) in items {
        if !seen.insert(id.value.clone()) {
            r.problem(id.at, format!("{what} \"{}\" is defined twice", id.value));
        }
    }
    seen
}

/// The cross-reference and graph checks, once every part has been read.
fn check(r: &mut Reader, raw: Raw, hash: String) -> Option<Definition> {
    let roles = unique(r, &raw.roles, "role");
    let systems = unique(r, &raw.systems, "system");
    let documents = unique(r, &raw.documents, "document");
    unique(r, &raw.checklist, "checklist document");
    unique(r, &raw.grounds, "refusal ground");
    let step_ids: Vec<(At<String>, ())> = raw.steps.iter().map(|s| (s.id.clone(), ())).collect();
    let steps = unique(r, &step_ids, "step");
    if raw.checklist.is_empty() {
        r.problem(0, "the edition has no checklist of documents ([[checklist]])");
    }
    let set_facts: BTreeSet<String> =
        raw.steps.iter().flat_map(|s| s.outcomes.iter().flat_map(|o| o.sets.iter().map(|f| f.value.clone()))).collect();
    if let Some(term) = &raw.term
        && !set_facts.contains(&term.starts)
    {
        r.problem(0, format!("the term starts at \"{}\", but no outcome sets that fact", term.starts));
    }
    let mut uses_grounds = false;
    let mut uses_checklist = false;
    for s in &raw.steps {
        if let Some(role) = &s.role
            && !roles.contains(&role.value)
        {
            r.problem(role.at, format!("step {} is performed by unknown role \"{}\"", s.id.value, role.value));
        }
        for call in [s.step.call, s.step.on_enter].into_iter().flatten() {
            if !systems.contains(call.system()) {
                r.problem(s.at, format!("step {} uses system \"{}\", which is not under [systems]", s.id.value, call.system()));
            }
        }
        let mut ids = BTreeSet::new();
        let mut results = BTreeSet::new();
        for o in &s.outcomes {
            let name = format!("outcome {}/{}", s.id.value, o.id.value);
            if !ids.insert(o.id.value.clone()) {
                r.problem(o.id.at, format!("{name} is defined twice"));
            }
            for n in &o.next {
                if !steps.contains(&n.value) {
                    r.problem(n.at, format!("{name} leads to unknown step \"{}\"", n.value));
                }
            }
            let leads = !o.next.is_empty() || o.outcome.end.is_some() || o.outcome.branch_end || o.outcome.keep_open;
            if !leads {
                r.problem(o.at, format!("{name} leads nowhere: give it \"next\", \"end\" or \"branch_end = true\""));
            }
            if o.outcome.end.is_some() && !o.next.is_empty() {
                r.problem(o.at, format!("{name} both ends the case and opens steps"));
            }
            for d in &o.documents {
                if !documents.contains(&d.value) {
                    r.problem(d.at, format!("{name} produces unknown document \"{}\"", d.value));
                }
            }
            for f in &o.facts_used {
                if !set_facts.contains(&f.value) {
                    r.problem(f.at, format!("{name} depends on fact \"{}\", which no outcome sets", f.value));
                }
            }
            match (o.outcome.input, &o.assigns) {
                (Some(InputKind::Assignee), None) => {
                    r.problem(o.at, format!("{name} takes an assignee but does not say which role it assigns (assigns = \"…\")"))
                }
                (Some(InputKind::Assignee), Some(a)) if !roles.contains(&a.value) => {
                    r.problem(a.at, format!("{name} assigns unknown role \"{}\"", a.value))
                }
                (Some(InputKind::Assignee), Some(_)) => {}
                (_, Some(a)) => r.problem(a.at, format!("{name} has \"assigns\" but its input is not \"assignee\"")),
                _ => {}
            }
            uses_grounds |= o.outcome.input == Some(InputKind::RefusalGrounds);
            uses_checklist |= o.outcome.input == Some(InputKind::MissingDocuments);
            match (s.step.call, &o.system_result) {
                (Some(call), Some(res)) => {
                    if !call.results().contains(&res.value.as_str()) {
                        r.problem(res.at, format!("{name}: {} answers one of {:?}, not \"{}\"", call.code(), call.results(), res.value));
                    }
                    if !results.insert(res.value.clone()) {
                        r.problem(
                            res.at,
                            format!("{name}: two outcomes of step {} take the same system result \"{}\"", s.id.value, res.value),
                        );
                    }
                    if o.outcome.input.is_some() {
                        r.problem(o.at, format!("{name} is chosen by a system answer and cannot take input from a person"));
                    }
                }
                (Some(call), None) => r.problem(
                    o.at,
                    format!(
                        "{name}: step {} calls {}, so each outcome names the \"system_result\" that selects it",
                        s.id.value,
                        call.code()
                    ),
                ),
                (None, Some(res)) => r.problem(res.at, format!("{name} has a \"system_result\" but step {} calls no system", s.id.value)),
                (None, None) => {}
            }
        }
        if let Some(call) = s.step.call {
            for res in call.results() {
                if !results.contains(*res) {
                    r.problem(s.at, format!("step {}: no outcome takes the answer \"{res}\" of {}", s.id.value, call.code()));
                }
            }
        }
    }
    if let Some(e) = raw.escalate.as_ref().filter(|e| !roles.contains(&e.value)) {
        r.problem(e.at, format!("overdue tasks are escalated to unknown role \"{}\"", e.value));
    }
    if uses_grounds && raw.grounds.is_empty() {
        r.problem(0, "an outcome takes refusal grounds but the edition lists none ([[refusal_grounds]])");
    }
    if uses_checklist && raw.checklist.is_empty() {
        r.problem(0, "an outcome takes missing documents but the edition has no checklist");
    }
    if let Some(RawExtension { step, outcome, notice, .. }) = &raw.extension {
        match raw.steps.iter().find(|s| s.id.value == step.value) {
            None => r.problem(step.at, format!("the extension names unknown step \"{}\"", step.value)),
            Some(s) => match s.outcomes.iter().find(|o| o.id.value == outcome.value) {
                None => r.problem(outcome.at, format!("step {} has no outcome \"{}\"", step.value, outcome.value)),
                Some(o) if o.outcome.input != Some(InputKind::Extension) || !o.outcome.keep_open => r.problem(
                    outcome.at,
                    format!("the extension outcome {}/{} must take input \"extension\" and keep the step open", step.value, outcome.value),
                ),
                Some(_) => {}
            },
        }
        if !steps.contains(&notice.value) {
            r.problem(notice.at, format!("the extension names unknown notice step \"{}\"", notice.value));
        }
    }
    // Reachability and dead ends over the step graph.
    if let Some(start) = &raw.start {
        if !steps.contains(&start.value) {
            r.problem(start.at, format!("the process starts at unknown step \"{}\"", start.value));
        } else {
            let next_of: BTreeMap<&str, Vec<&str>> = raw
                .steps
                .iter()
                .map(|s| (s.id.value.as_str(), s.outcomes.iter().flat_map(|o| o.next.iter().map(|n| n.value.as_str())).collect()))
                .collect();
            let mut reached = BTreeSet::from([start.value.as_str()]);
            let mut queue = VecDeque::from([start.value.as_str()]);
            while let Some(s) = queue.pop_front() {
                for n in next_of.get(s).into_iter().flatten() {
                    if reached.insert(n) {
                        queue.push_back(n);
                    }
                }
            }
            for s in &raw.steps {
                if !reached.contains(s.id.value.as_str()) {
                    r.problem(s.id.at, format!("step {} is unreachable from the start step {}", s.id.value, start.value));
                }
            }
            // A step is finished when one of its outcomes ends the case or a branch, or leads to
            // a finished step; iterate to a fixed point.
            let mut finishes: BTreeSet<&str> = BTreeSet::new();
            loop {
                let before = finishes.len();
                for s in &raw.steps {
                    let ok = s.outcomes.iter().any(|o| {
                        o.outcome.end.is_some() || o.outcome.branch_end || o.next.iter().any(|n| finishes.contains(n.value.as_str()))
                    });
                    if ok {
                        finishes.insert(s.id.value.as_str());
                    }
                }
                if finishes.len() == before {
                    break;
                }
            }
            for s in &raw.steps {
                if reached.contains(s.id.value.as_str()) && !finishes.contains(s.id.value.as_str()) {
                    r.problem(s.id.at, format!("step {} is a dead end: no path from it ends the case", s.id.value));
                }
            }
        }
    }
    let edition = raw.edition?;
    if edition.value.is_empty() || !edition.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        r.problem(edition.at, "an edition id is letters, digits and hyphens, e.g. \"2018\"");
    }
    if !r.problems.is_empty() {
        return None;
    }
    Some(Definition {
        edition_ref: EditionRef { edition: edition.value, hash },
        service: raw.service,
        act: raw.act?,
        roles: raw.roles.into_iter().map(|(_, v)| v).collect(),
        systems: raw.systems.into_iter().map(|(_, v)| v).collect(),
        documents: raw.documents.into_iter().map(|(_, v)| v).collect(),
        checklist: raw.checklist.into_iter().map(|(_, v)| v).collect(),
        refusal_grounds: raw.grounds.into_iter().map(|(_, v)| v).collect(),
        term: raw.term?,
        extension: raw.extension.map(|e| e.rule),
        policy: raw.policy?,
        retention: raw.retention,
        start: raw.start?.value,
        steps: raw.steps.into_iter().map(|s| s.step).collect(),
    })
}
