//! The realistic mix of cases every throughput benchmark runs: which path a case takes and the
//! actions that walk it, written once as data for the pure, durable and HTTP drivers.

/// The paths of the 2018 regulation in the mix: 70 % issued after one KNB extension, 10 % each
/// refused after a KNB objection, refused on АДБ records, and refused at the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    IssuedAfterExtension,
    KnbObjection,
    AdbRefusal,
    RefusedToAccept,
}

impl Path {
    /// The path of the `i`-th case: a fixed pattern over every ten cases, so any run of ten
    /// consecutive cases has exactly the mix.
    pub fn of(i: u64) -> Path {
        match i % 10 {
            7 => Path::KnbObjection,
            8 => Path::AdbRefusal,
            9 => Path::RefusedToAccept,
            _ => Path::IssuedAfterExtension,
        }
    }

    /// The invitee's passport number: the shipped simulator data answers by it (see
    /// `simulators/demo.toml`).
    pub fn passport(self) -> &'static str {
        match self {
            Path::IssuedAfterExtension => "E2222222",
            Path::KnbObjection => "K1111111",
            Path::AdbRefusal => "B7654321",
            Path::RefusedToAccept => "L898902C3",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Path::IssuedAfterExtension => "issued after a KNB extension",
            Path::KnbObjection => "refused after a KNB objection",
            Path::AdbRefusal => "refused on АДБ records",
            Path::RefusedToAccept => "refused to accept",
        }
    }
}

/// Who acts: the people of one branch and its provider, and the KNB's gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Operator,
    Office,
    Head,
    Executor,
}

/// What a person supplies with an outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    MissingDocument(&'static str),
    /// The provider's first executor.
    Assignee,
    RefusalGround(&'static str),
}

/// The KNB's answers as its gateway delivers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knb {
    Agree,
    Object,
    /// The written request for more days.
    Extend,
}

/// Days the KNB asks for in the mix (as in the shipped simulator data).
pub const EXTENSION_DAYS: u32 = 20;

/// One action on a case: each is one command, one commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Open,
    Step { who: Who, step: &'static str, outcome: Option<&'static str>, input: Option<Input> },
    Knb(Knb),
}

const fn step(who: Who, step: &'static str, outcome: Option<&'static str>) -> Action {
    Action::Step { who, step, outcome, input: None }
}

/// The front office up to the provider's АДБ check (SC1–SC4, P1–P4).
const TO_ADB: [Action; 9] = [
    Action::Open,
    step(Who::Operator, "SC1", Some("complete")),
    step(Who::Operator, "SC2", Some("identified")),
    step(Who::Operator, "SC3", Some("accepted")),
    step(Who::Operator, "SC4", None),
    step(Who::Office, "P1", Some("registered")),
    Action::Step { who: Who::Head, step: "P2", outcome: Some("assigned"), input: Some(Input::Assignee) },
    step(Who::Executor, "P3", None),
    step(Who::Executor, "P4", None),
];

/// A motivated refusal from P6 to the window.
fn refusal(ground: &'static str) -> [Action; 4] {
    [
        Action::Step { who: Who::Executor, step: "P6", outcome: Some("draft_refusal"), input: Some(Input::RefusalGround(ground)) },
        step(Who::Head, "P7", Some("refusal_signed")),
        step(Who::Office, "P9", None),
        step(Who::Operator, "SC5", Some("refusal_handed_over")),
    ]
}

/// Every action of a case on `path`, in order.
pub fn script(path: Path) -> Vec<Action> {
    match path {
        Path::RefusedToAccept => vec![
            Action::Open,
            Action::Step {
                who: Who::Operator,
                step: "SC1",
                outcome: Some("incomplete"),
                input: Some(Input::MissingDocument("passport_copy")),
            },
        ],
        Path::AdbRefusal => [&TO_ADB[..], &refusal("entry_ban")].concat(),
        Path::KnbObjection => [&TO_ADB[..], &[Action::Knb(Knb::Object)], &refusal("knb_objection")].concat(),
        Path::IssuedAfterExtension => [
            &TO_ADB[..],
            &[
                Action::Knb(Knb::Extend),
                step(Who::Office, "P5n", None),
                Action::Knb(Knb::Agree),
                step(Who::Executor, "P6", Some("draft_invitation")),
                step(Who::Head, "P7", Some("invitation_signed")),
                step(Who::Executor, "P8", None),
                step(Who::Office, "P9", None),
                step(Who::Operator, "SC5", Some("invitation_handed_over")),
            ],
        ]
        .concat(),
    }
}

/// The average number of actions per case over the mix.
pub fn actions_per_case() -> f64 {
    (0..10).map(|i| script(Path::of(i)).len()).sum::<usize>() as f64 / 10.0
}
