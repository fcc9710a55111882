//! Each document in each language, read back with pdftotext: the case's fields are there, in
//! the right language, with the Kazakh letters intact.

use documents::{DocumentKind, Language};

use crate::fixtures::{self, APPLICANT, APPLICANT_IIN, OPERATOR, REFERENCE, REGISTRATION_NUMBER, SIGNER, VERIFY_CODE, VERIFY_URL};
use crate::support::{have_tool, pdf_text, write_pdf};

/// What a document must show in every language, and what only its Kazakh or Russian text shows.
struct Expect {
    common: &'static [&'static str],
    kk: &'static [&'static str],
    ru: &'static [&'static str],
}

fn expected(kind: DocumentKind) -> Expect {
    match kind {
        DocumentKind::AcceptanceReceipt => Expect {
            common: &[
                REFERENCE,
                APPLICANT,
                APPLICANT_IIN,
                OPERATOR,
                "12.01.2026 10:47",
                "19.01.2026",
                "SCHMIDT Anna Maria",
                "SCHMIDT Jonas",
            ],
            kk: &[
                "Құжаттарды қабылдау туралы қолхат",
                "ЖСН",
                "Қабылданған құжаттар",
                "Нәтижені беру күні",
                "Қолхатты алдым",
                "Сарыарқа ауданы",
            ],
            ru: &[
                "Расписка о приеме документов",
                "ИИН",
                "Принятые документы",
                "Дата выдачи результата",
                "Расписку получил(а)",
                "Сарыаркинскому",
            ],
        },
        DocumentKind::RefusalToAcceptReceipt => Expect {
            common: &[REFERENCE, APPLICANT, APPLICANT_IIN, OPERATOR, "12.01.2026"],
            kk: &["Құжаттарды қабылдаудан бас тарту туралы қолхат", "Ұсынылмаған құжаттар", "паспортының көшірмесі", "9-тармағында"],
            ru: &["Расписка об отказе в приеме документов", "Не представлены", "Копия паспорта", "пунктом 9"],
        },
        DocumentKind::ExtensionNotice => Expect {
            common: &[REFERENCE, APPLICANT, APPLICANT_IIN, SIGNER, "12.01.2026", "09.02.2026", "12/345"],
            kk: &["Мемлекеттік қызмет көрсетуді ұзарту туралы хабарлама", "21 күнтізбелік күнге", "Кімге", "Басқарма бастығы"],
            ru: &["Уведомление о продлении срока", "продлён на 21 календарный день", "Кому", "Начальник управления"],
        },
        DocumentKind::Invitation => Expect {
            common: &[
                REGISTRATION_NUMBER,
                REFERENCE,
                APPLICANT,
                APPLICANT_IIN,
                SIGNER,
                "SCHMIDT Anna Maria",
                "SCHMIDT Jonas",
                "C01X00T47",
                "C4J8RZ2L1",
                "23.04.1961",
                "02.11.1994",
                "17.01.2026",
                "17.04.2026",
                "01.03.2026 – 28.03.2026",
                "КАТО 711000000",
                "Гауһартас",
                VERIFY_URL,
                VERIFY_CODE,
            ],
            kk: &[
                "Жеке істері бойынша Қазақстан Республикасына кіруіне шақыру",
                "Шақырушы тұлға",
                "Жарамдылық мерзімі",
                "әйел",
                "бір реттік",
                "Туыстарына бару",
                "Тексеру коды",
                "М.О.",
            ],
            ru: &[
                "Приглашение на въезд в Республику Казахстан по частным делам",
                "Приглашающее лицо",
                "Действительно до",
                "Германия (ФРГ)",
                "женский",
                "однократная",
                "Посещение родственников",
                "Код проверки",
                "М.П.",
            ],
        },
        DocumentKind::MotivatedRefusal => Expect {
            common: &[REFERENCE, APPLICANT, APPLICANT_IIN, SIGNER, "SCHMIDT Anna Maria", "12.01.2026", "17.01.2026"],
            kk: &["Мемлекеттік қызмет көрсетуден бас тарту туралы дәлелді жауап", "ҚР ҰҚК-нің келіспеуі", "шағымдануға", "10-тармағы"],
            ru: &[
                "Мотивированный ответ об отказе в оказании государственной услуги",
                "Отрицательное заключение КНБ РК",
                "обжаловано",
                "пункт 10",
            ],
        },
    }
}

fn check(kind: DocumentKind, language: Language) {
    if !have_tool("pdftotext", "poppler-utils") {
        return;
    }
    let view = fixtures::view(kind, language);
    let pdf = write_pdf(&view, &format!("text-{}-{}", kind.id(), language.code()));
    let text = pdf_text(&pdf);
    let expect = expected(kind);
    let (present, absent): (Vec<&[&str]>, Vec<&[&str]>) = match language {
        Language::Kk => (vec![expect.common, expect.kk], vec![expect.ru]),
        Language::Ru => (vec![expect.common, expect.ru], vec![expect.kk]),
        Language::KkRu => (vec![expect.common, expect.kk, expect.ru], vec![]),
    };
    for needle in present.into_iter().flatten() {
        assert!(text.contains(needle), "{kind} in {language}: {needle:?} missing from the PDF text:\n{text}");
    }
    for needle in absent.into_iter().flatten() {
        // Words shared by both languages (ИИН/ЖСН aside) would make this check meaningless.
        assert!(!text.contains(needle), "{kind} in {language}: {needle:?} is in the other language's wording:\n{text}");
    }
}

#[test]
fn the_acceptance_receipt_shows_its_fields_in_kazakh() {
    check(DocumentKind::AcceptanceReceipt, Language::Kk);
}

#[test]
fn the_acceptance_receipt_shows_its_fields_in_russian() {
    check(DocumentKind::AcceptanceReceipt, Language::Ru);
}

#[test]
fn the_acceptance_receipt_shows_its_fields_in_both_languages() {
    check(DocumentKind::AcceptanceReceipt, Language::KkRu);
}

#[test]
fn the_refusal_to_accept_receipt_shows_its_fields_in_kazakh() {
    check(DocumentKind::RefusalToAcceptReceipt, Language::Kk);
}

#[test]
fn the_refusal_to_accept_receipt_shows_its_fields_in_russian() {
    check(DocumentKind::RefusalToAcceptReceipt, Language::Ru);
}

#[test]
fn the_refusal_to_accept_receipt_shows_its_fields_in_both_languages() {
    check(DocumentKind::RefusalToAcceptReceipt, Language::KkRu);
}

#[test]
fn the_extension_notice_shows_its_fields_in_kazakh() {
    check(DocumentKind::ExtensionNotice, Language::Kk);
}

#[test]
fn the_extension_notice_shows_its_fields_in_russian() {
    check(DocumentKind::ExtensionNotice, Language::Ru);
}

#[test]
fn the_invitation_shows_its_fields_in_kazakh() {
    check(DocumentKind::Invitation, Language::Kk);
}

#[test]
fn the_invitation_shows_its_fields_in_russian() {
    check(DocumentKind::Invitation, Language::Ru);
}

#[test]
fn the_invitation_shows_its_fields_in_both_languages() {
    check(DocumentKind::Invitation, Language::KkRu);
}

#[test]
fn the_motivated_refusal_shows_its_fields_in_kazakh() {
    check(DocumentKind::MotivatedRefusal, Language::Kk);
}

#[test]
fn the_motivated_refusal_shows_its_fields_in_russian() {
    check(DocumentKind::MotivatedRefusal, Language::Ru);
}

#[test]
fn every_offered_language_of_every_document_has_a_text_test() {
    // The tests above are written out one by one for readable names; this keeps them complete.
    let offered: usize = DocumentKind::ALL.iter().map(|&kind| documents::languages("2018", kind).unwrap().len()).sum();
    assert_eq!(offered, 13);
}
