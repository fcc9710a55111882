//! One made-up case's documents: a citizen of Astana inviting two relatives from Germany.
//! Names carry the Kazakh letters on purpose; none of these people exist.

use documents::{
    AcceptanceReceipt, Body, DocumentKind, DocumentView, Entries, ExtensionNotice, Invitation, Invitee, Language, Localized,
    MotivatedRefusal, Official, Period, Person, PersonName, RefusalGround, RefusalToAcceptReceipt, Sex, SignatureMark, VerificationLink,
};
use jiff::civil::{date, datetime};

pub const REFERENCE: &str = "2026-000042";
pub const APPLICANT: &str = "Әбілқайыров Нұрсұлтан Ерғалиұлы";
pub const APPLICANT_IIN: &str = "850315300127";
pub const REGISTRATION_NUMBER: &str = "7110260042";
pub const VERIFY_URL: &str = "https://shaqyru.example.kz/verify/7QK4-M2XD-9TPA-R6WF";
pub const VERIFY_CODE: &str = "7QK4-M2XD-9TPA-R6WF";
pub const SIGNER: &str = "Сейітқали Ғалымжан Өмірұлы";
pub const OPERATOR: &str = "Үсенова Әйгерім Қайратқызы";

pub fn applicant() -> Person {
    Person {
        full_name: APPLICANT.to_owned(),
        iin: APPLICANT_IIN.to_owned(),
        address: Some("Астана қ., Сарыарқа ауданы, Гауһартас көшесі, 12-үй, 45-пәтер".to_owned()),
    }
}

pub fn invitee_names() -> Vec<PersonName> {
    vec![
        PersonName { surname: "Schmidt".to_owned(), given_names: "Anna Maria".to_owned() },
        PersonName { surname: "Schmidt".to_owned(), given_names: "Jonas".to_owned() },
    ]
}

pub fn provider() -> Localized {
    Localized::each(
        "Астана қаласы Полиция департаментінің Көші-қон қызметі басқармасы",
        "Управление миграционной службы Департамента полиции города Астаны",
    )
}

pub fn branch() -> Localized {
    Localized::each(
        "«Азаматтарға арналған үкімет» МК Астана қаласы Сарыарқа ауданы бойынша бөлімі",
        "Отдел Госкорпорации «Правительство для граждан» по Сарыаркинскому району города Астаны",
    )
}

pub fn head_of_unit() -> Official {
    Official {
        full_name: SIGNER.to_owned(), position: Localized::each("Басқарма бастығы", "Начальник управления")
    }
}

pub fn operator() -> Official {
    Official {
        full_name: OPERATOR.to_owned(), position: Localized::each("Мемлекеттік корпорация қызметкері", "Работник Госкорпорации")
    }
}

fn checklist() -> Vec<Localized> {
    vec![
        Localized::each(
            "Көрсетілетін қызметті алушының жеке басын куәландыратын құжаты (сәйкестендіру үшін)",
            "Документ, удостоверяющий личность услугополучателя (для идентификации)",
        ),
        Localized::each("Шақырылатын адамның деректері көрсетілген өтініш (2 дана)", "Заявление с данными приглашаемого лица (2 шт.)"),
        Localized::each("Шақырылатын адамның паспортының көшірмесі (2 дана)", "Копия паспорта приглашаемого лица (2 шт.)"),
    ]
}

pub fn invitees() -> Vec<Invitee> {
    let germany = Localized::each("Германия", "Германия (ФРГ)");
    vec![
        Invitee {
            name: invitee_names()[0].clone(),
            sex: Sex::Female,
            birth_date: date(1961, 4, 23),
            citizenship: germany.clone(),
            passport_number: "C01X00T47".to_owned(),
            passport_expires_on: Some(date(2031, 8, 31)),
        },
        Invitee {
            name: invitee_names()[1].clone(),
            sex: Sex::Male,
            birth_date: date(1994, 11, 2),
            citizenship: germany,
            passport_number: "C4J8RZ2L1".to_owned(),
            passport_expires_on: Some(date(2029, 2, 14)),
        },
    ]
}

pub fn body(kind: DocumentKind) -> Body {
    match kind {
        DocumentKind::AcceptanceReceipt => Body::AcceptanceReceipt(AcceptanceReceipt {
            accepted_at: datetime(2026, 1, 12, 10, 47, 0, 0),
            applicant: applicant(),
            invitees: invitee_names(),
            documents: checklist(),
            result_on: date(2026, 1, 19),
            operator: operator(),
        }),
        DocumentKind::RefusalToAcceptReceipt => Body::RefusalToAcceptReceipt(RefusalToAcceptReceipt {
            applicant: applicant(),
            missing: checklist()[2..].to_vec(),
            operator: operator(),
        }),
        DocumentKind::ExtensionNotice => Body::ExtensionNotice(ExtensionNotice {
            recipient: branch(),
            applicant: applicant(),
            accepted_on: date(2026, 1, 12),
            reasons: Localized::each(
                "ҚР ҰҚК-нің 2026 жылғы 15 қаңтардағы № 12/345 жазбаша сұрау салуы бойынша келісу мерзімі ұзартылды",
                "Срок согласования продлён по письменному запросу КНБ РК от 15.01.2026 № 12/345",
            ),
            extended_by_days: 21,
            result_on: date(2026, 2, 9),
            signer: head_of_unit(),
        }),
        DocumentKind::Invitation => Body::Invitation(Invitation {
            registration_number: REGISTRATION_NUMBER.to_owned(),
            valid_until: date(2026, 4, 17),
            inviting: applicant(),
            invitees: invitees(),
            purpose: Localized::each("Туыстарына бару", "Посещение родственников"),
            stay: Period { from: date(2026, 3, 1), to: date(2026, 3, 28) },
            entries: Entries::Single,
            places: vec!["Астана қ. (КАТО 711000000)".to_owned(), "Алматы қ. (КАТО 751000000)".to_owned()],
            visa_at: Some(Localized::each("Қазақстан Республикасының Германиядағы елшілігі", "Посольство Республики Казахстан в Германии")),
            signer: head_of_unit(),
            verification: VerificationLink { url: VERIFY_URL.to_owned(), code: VERIFY_CODE.to_owned() },
        }),
        DocumentKind::MotivatedRefusal => Body::MotivatedRefusal(MotivatedRefusal {
            applicant: applicant(),
            invitees: invitee_names(),
            accepted_on: date(2026, 1, 12),
            grounds: vec![RefusalGround {
                id: "knb_objection".to_owned(),
                text: Localized::each("ҚР ҰҚК-нің келіспеуі", "Отрицательное заключение КНБ РК"),
            }],
            explanation: Some(Localized::each(
                "ҚР ҰҚК 2026 жылғы 16 қаңтарда шақыруды келіспеді.",
                "КНБ РК 16.01.2026 не согласовал оформление приглашения.",
            )),
            signer: head_of_unit(),
        }),
    }
}

pub fn view(kind: DocumentKind, language: Language) -> DocumentView {
    let (issuer, day) = match kind {
        DocumentKind::AcceptanceReceipt => (branch(), date(2026, 1, 12)),
        DocumentKind::RefusalToAcceptReceipt => (branch(), date(2026, 1, 12)),
        DocumentKind::ExtensionNotice => (provider(), date(2026, 1, 16)),
        DocumentKind::Invitation => (provider(), date(2026, 1, 17)),
        DocumentKind::MotivatedRefusal => (provider(), date(2026, 1, 17)),
    };
    let signature = matches!(kind, DocumentKind::Invitation | DocumentKind::MotivatedRefusal).then(|| SignatureMark {
        signer: SIGNER.to_owned(),
        algorithm: "Ed25519".to_owned(),
        key_id: "ed25519:3f9a1c0d5e7b2a64".to_owned(),
        signed_at: datetime(2026, 1, 17, 11, 5, 0, 0),
    });
    DocumentView { edition: "2018".to_owned(), language, reference: REFERENCE.to_owned(), date: day, issuer, body: body(kind), signature }
}

/// Every kind with every language its 2018 form is offered in.
pub fn all_views() -> Vec<(String, DocumentView)> {
    let mut views = Vec::new();
    for kind in DocumentKind::ALL {
        for &language in documents::languages("2018", kind).unwrap() {
            views.push((format!("{}-{}", kind.id(), language.code()), view(kind, language)));
        }
    }
    views
}
