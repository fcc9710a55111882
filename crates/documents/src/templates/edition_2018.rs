//! The 2018 edition's documents (Order No. 178 of 12 March 2018): the acceptance receipt, the
//! refusal-to-accept receipt (standard, appendix 4), the extension notice (appendix 1), the
//! invitation (appendix 2) and the motivated refusal (standard §10). The forms' own text is not
//! in our sources; this wording is ours, carrying the facts the regulation says they state.

use super::{Composition, Writer, date, date_time};
use crate::layout::{Block, Column, Frame};
use crate::qr::QrMatrix;
use crate::view::{
    AcceptanceReceipt, Body, Entries, ExtensionNotice, Invitation, Lang, Language, MotivatedRefusal, Official, Person, PersonName,
    RefusalToAcceptReceipt, Sex, SignatureMark,
};
use crate::{DocumentError, DocumentKind, DocumentView};

const SERVICE_KK: &str = "«Жеке істері бойынша Қазақстан Республикасына кіруіне шақыруларды ресімдеу» мемлекеттік көрсетілетін қызметі";
const SERVICE_RU: &str = "Государственная услуга «Оформление приглашений на въезд в Республику Казахстан по частным делам»";

/// The receipts and the invitation are handed to the applicant or shown at a border, so they
/// are printed in both languages on request; the notice and the refusal are letters written in
/// one language.
pub(super) fn languages(kind: DocumentKind) -> &'static [Language] {
    match kind {
        DocumentKind::AcceptanceReceipt | DocumentKind::RefusalToAcceptReceipt | DocumentKind::Invitation => &Language::ALL,
        DocumentKind::ExtensionNotice | DocumentKind::MotivatedRefusal => &[Language::Kk, Language::Ru],
    }
}

pub(super) fn compose(view: &DocumentView) -> Result<Composition, DocumentError> {
    let mut w = Writer::new(view.language);
    let (title_kk, title_ru) = title(view.kind());
    let mut number = view.reference.clone();
    match &view.body {
        Body::AcceptanceReceipt(body) => acceptance_receipt(&mut w, view, body),
        Body::RefusalToAcceptReceipt(body) => refusal_to_accept_receipt(&mut w, view, body),
        Body::ExtensionNotice(body) => extension_notice(&mut w, view, body),
        Body::Invitation(body) => {
            number = body.registration_number.clone();
            invitation(&mut w, view, body)?
        }
        Body::MotivatedRefusal(body) => motivated_refusal(&mut w, view, body)?,
    }
    let frame = Frame {
        header_left: view.issuer.get(if view.language == Language::Ru { Lang::Ru } else { Lang::Kk }).to_owned(),
        header_right: format!("№ {number}"),
        footer_left: w.pick("Регламенттің 2018 жылғы редакциясы бойынша нысан", "Форма по редакции регламента 2018 года", " · "),
    };
    Ok(Composition { title: w.pick(title_kk, title_ru, " / "), frame, blocks: w.blocks })
}

/// The documents' titles, as the edition's definition names them.
fn title(kind: DocumentKind) -> (&'static str, &'static str) {
    match kind {
        DocumentKind::AcceptanceReceipt => ("Құжаттарды қабылдау туралы қолхат", "Расписка о приеме документов"),
        DocumentKind::RefusalToAcceptReceipt => {
            ("Құжаттарды қабылдаудан бас тарту туралы қолхат", "Расписка об отказе в приеме документов")
        }
        DocumentKind::ExtensionNotice => {
            ("Мемлекеттік қызмет көрсетуді ұзарту туралы хабарлама", "Уведомление о продлении срока оказания государственной услуги")
        }
        DocumentKind::Invitation => {
            ("Жеке істері бойынша Қазақстан Республикасына кіруіне шақыру", "Приглашение на въезд в Республику Казахстан по частным делам")
        }
        DocumentKind::MotivatedRefusal => (
            "Мемлекеттік қызмет көрсетуден бас тарту туралы дәлелді жауап",
            "Мотивированный ответ об отказе в оказании государственной услуги",
        ),
    }
}

fn heading(w: &mut Writer, kind: DocumentKind) {
    let (kk, ru) = title(kind);
    w.title(kk, ru);
    w.subtitle(SERVICE_KK, SERVICE_RU);
}

fn applicant_fields(w: &mut Writer, applicant: &Person) {
    w.field("Көрсетілетін қызметті алушы", "Услугополучатель", applicant.full_name.clone());
    w.field("ЖСН", "ИИН", applicant.iin.clone());
}

fn names(people: &[PersonName]) -> String {
    people.iter().map(PersonName::display).collect::<Vec<_>>().join("\n")
}

/// The signing official's line, with the seal's place when the document is stamped, and the
/// electronic signature's mark when it has been signed.
fn sign_here(w: &mut Writer, view: &DocumentView, official: &Official, seal: bool) {
    let position = w.value(&official.position);
    let note = seal.then(|| w.pick("М.О.", "М.П.", " / "));
    w.push(Block::Signature { position, name: official.full_name.clone(), note });
    signature_mark(w, view.signature.as_ref());
}

fn signature_mark(w: &mut Writer, mark: Option<&SignatureMark>) {
    let Some(mark) = mark else { return };
    w.push(Block::Space(4.0));
    let label = w.pick("Электрондық цифрлық қолтаңбамен қол қойылды", "Подписано электронной цифровой подписью", " / ");
    let key = w.pick("кілт", "ключ", "/");
    let when = date_time(mark.signed_at);
    w.push(Block::Note(format!("{label}: {}, {when}; {key} {} ({}).", mark.signer, mark.key_id, mark.algorithm)));
}

fn applicant_acknowledges(w: &mut Writer, applicant: &Person) {
    let position = w.pick("Қолхатты алдым", "Расписку получил(а)", " / ");
    w.push(Block::Signature { position, name: applicant.full_name.clone(), note: None });
}

fn acceptance_receipt(w: &mut Writer, view: &DocumentView, body: &AcceptanceReceipt) {
    heading(w, DocumentKind::AcceptanceReceipt);
    w.strong_field("Өтініш нөмірі", "Номер заявления", view.reference.clone());
    w.field("Қабылданған күні мен уақыты", "Дата и время приёма", date_time(body.accepted_at));
    let branch = w.value(&view.issuer);
    w.field("Құжаттарды қабылдаған бөлім", "Отделение, принявшее документы", branch);
    applicant_fields(w, &body.applicant);
    w.field("Шақырылатын адамдар", "Приглашаемые лица", names(&body.invitees));
    w.heading("Қабылданған құжаттар", "Принятые документы");
    let documents: Vec<String> = body.documents.iter().map(|d| w.value(d).replace('\n', " / ")).collect();
    w.numbered(documents);
    w.push(Block::Space(6.0));
    w.strong_field("Нәтижені беру күні", "Дата выдачи результата", date(body.result_on));
    let result_on = date(body.result_on);
    w.paragraph(|lang| match lang {
        Lang::Kk => format!(
            "Мемлекеттік қызмет көрсету нәтижесі {result_on} күні құжаттар қабылданған бөлімде осы қолхатты көрсеткен кезде беріледі."
        ),
        Lang::Ru => format!(
            "Результат оказания государственной услуги выдаётся {result_on} в отделении, принявшем документы, при предъявлении настоящей расписки."
        ),
    });
    let position = w.pick("Құжаттарды қабылдаған қызметкер", "Документы принял(а)", " / ");
    let role = w.value(&body.operator.position);
    w.push(Block::Signature { position: format!("{position}\n{role}"), name: body.operator.full_name.clone(), note: None });
    applicant_acknowledges(w, &body.applicant);
    signature_mark(w, view.signature.as_ref());
}

fn refusal_to_accept_receipt(w: &mut Writer, view: &DocumentView, body: &RefusalToAcceptReceipt) {
    heading(w, DocumentKind::RefusalToAcceptReceipt);
    w.strong_field("Өтініш нөмірі", "Номер заявления", view.reference.clone());
    w.field("Күні", "Дата", date(view.date));
    let branch = w.value(&view.issuer);
    w.field("Бөлім", "Отделение", branch);
    applicant_fields(w, &body.applicant);
    w.push(Block::Space(4.0));
    w.paragraph(|lang| match lang {
        Lang::Kk => {
            "Ұсынылған құжаттар топтамасы мемлекеттік көрсетілетін қызмет стандартының 9-тармағында белгіленген тізбеге сәйкес толық \
                     болмағандықтан, өтінішті қабылдаудан бас тартылды."
                .to_owned()
        }
        Lang::Ru => {
            "В приёме заявления отказано: представленный пакет документов неполон по сравнению с перечнем, установленным пунктом 9 \
                     стандарта государственной услуги."
                .to_owned()
        }
    });
    w.heading("Ұсынылмаған құжаттар", "Не представлены");
    let missing: Vec<String> = body.missing.iter().map(|d| w.value(d).replace('\n', " / ")).collect();
    w.numbered(missing);
    w.push(Block::Space(4.0));
    w.paragraph(|lang| match lang {
        Lang::Kk => "Жетіспейтін құжаттарды толықтырып, өтінішті қайта беруге болады.".to_owned(),
        Lang::Ru => "После восполнения недостающих документов заявление можно подать повторно.".to_owned(),
    });
    w.note(|lang| match lang {
        Lang::Kk => {
            "Қолхат екі данада жасалды: біреуі көрсетілетін қызметті алушыға беріледі, екіншісі Мемлекеттік корпорацияда қалады.".to_owned()
        }
        Lang::Ru => "Расписка составлена в двух экземплярах: один выдаётся услугополучателю, второй остаётся в Государственной корпорации."
            .to_owned(),
    });
    let position = w.pick("Қабылдаудан бас тартқан қызметкер", "Отказал(а) в приёме", " / ");
    let role = w.value(&body.operator.position);
    w.push(Block::Signature { position: format!("{position}\n{role}"), name: body.operator.full_name.clone(), note: None });
    applicant_acknowledges(w, &body.applicant);
    signature_mark(w, view.signature.as_ref());
}

fn extension_notice(w: &mut Writer, view: &DocumentView, body: &ExtensionNotice) {
    let recipient = w.value(&body.recipient);
    w.field("Кімге", "Кому", recipient);
    let sender = w.value(&view.issuer);
    w.field("Кімнен", "От кого", sender);
    w.field("Күні", "Дата", date(view.date));
    w.push(Block::Space(8.0));
    heading(w, DocumentKind::ExtensionNotice);
    w.strong_field("Өтініш нөмірі", "Номер заявления", view.reference.clone());
    w.field("Өтініш қабылданған күн", "Дата приёма заявления", date(body.accepted_on));
    applicant_fields(w, &body.applicant);
    w.push(Block::Space(4.0));
    let days = body.extended_by_days;
    w.paragraph(|lang| match lang {
        Lang::Kk => format!(
            "Жоғарыда көрсетілген өтініш бойынша мемлекеттік қызмет көрсету мерзімі {days} күнтізбелік күнге ұзартылғанын хабарлаймыз."
        ),
        Lang::Ru => format!(
            "Сообщаем, что срок оказания государственной услуги по указанному заявлению продлён на {days} {}.",
            russian_calendar_days(days)
        ),
    });
    let reasons = w.value(&body.reasons);
    w.field("Ұзарту себебі", "Причина продления", reasons);
    w.strong_field("Нәтижені берудің жаңа күні", "Новая дата выдачи результата", date(body.result_on));
    w.push(Block::Space(4.0));
    w.paragraph(|lang| match lang {
        Lang::Kk => "Көрсетілетін қызметті алушыны осы туралы хабардар етуіңізді сұраймыз.".to_owned(),
        Lang::Ru => "Просим довести это до сведения услугополучателя.".to_owned(),
    });
    sign_here(w, view, &body.signer, false);
}

fn invitation(w: &mut Writer, view: &DocumentView, body: &Invitation) -> Result<(), DocumentError> {
    if body.invitees.is_empty() {
        return Err(DocumentError::Incomplete("an invitation names at least one invitee"));
    }
    let (kk, ru) = title(DocumentKind::Invitation);
    w.title(kk, ru);
    w.push(Block::Space(4.0));
    // The number and dates beside the QR code that verifies them.
    let opening = w.blocks.len();
    w.strong_field("Тіркеу нөмірі", "Регистрационный номер", body.registration_number.clone());
    w.field("Берілген күні", "Дата выдачи", date(view.date));
    w.strong_field("Жарамдылық мерзімі", "Действительно до", date(body.valid_until));
    w.field("Өтініш нөмірі", "Номер заявления", view.reference.clone());
    let fields = w.blocks.split_off(opening);
    let matrix = QrMatrix::encode(&body.verification.url)?;
    w.push(Block::FieldsWithQr { fields, matrix });

    w.heading("Шақырушы тұлға", "Приглашающее лицо");
    w.field("Тегі, аты, әкесінің аты", "Фамилия, имя, отчество", body.inviting.full_name.clone());
    w.field("ЖСН", "ИИН", body.inviting.iin.clone());
    if let Some(address) = &body.inviting.address {
        w.field("Тұрғылықты мекенжайы", "Адрес проживания", address.clone());
    }

    w.heading("Шақырылатын адамдар", "Приглашаемые лица");
    let columns = vec![
        Column { header: vec!["№".to_owned()], share: 0.05 },
        Column { header: w.label("Тегі мен аты (латынша)", "Фамилия и имя (латиницей)"), share: 0.25 },
        Column { header: w.label("Жынысы", "Пол"), share: 0.11 },
        Column { header: w.label("Туған күні", "Дата рождения"), share: 0.12 },
        Column { header: w.label("Азаматтығы", "Гражданство"), share: 0.24 },
        Column {
            header: w.label("Паспорты, жарамдылық мерзімі", "Паспорт, срок действия"), share: 0.23
        },
    ];
    let rows = body
        .invitees
        .iter()
        .enumerate()
        .map(|(i, invitee)| {
            let sex = match invitee.sex {
                Sex::Male => w.pick("ер", "мужской", "\n"),
                Sex::Female => w.pick("әйел", "женский", "\n"),
            };
            let passport = match invitee.passport_expires_on {
                Some(expires) => format!("{}\n{}", invitee.passport_number, date(expires)),
                None => invitee.passport_number.clone(),
            };
            vec![format!("{}.", i + 1), invitee.name.display(), sex, date(invitee.birth_date), w.value(&invitee.citizenship), passport]
        })
        .collect();
    w.push(Block::Table { columns, rows });

    w.heading("Сапар туралы мәліметтер", "Сведения о поездке");
    let purpose = w.value(&body.purpose);
    w.field("Сапар мақсаты", "Цель поездки", purpose);
    w.field("Болу кезеңі", "Период пребывания", format!("{} – {}", date(body.stay.from), date(body.stay.to)));
    let entries = match body.entries {
        Entries::Single => w.pick("бір реттік", "однократная", " / "),
        Entries::Double => w.pick("екі реттік", "двукратная", " / "),
        Entries::Multiple => w.pick("көп реттік", "многократная", " / "),
    };
    w.field("Кіру саны", "Кратность въезда", entries);
    w.field("Болатын жерлері", "Места пребывания", body.places.join("\n"));
    if let Some(visa_at) = &body.visa_at {
        let visa_at = w.value(visa_at);
        w.field("Визаны алу орны", "Место получения визы", visa_at);
    }
    let issuer = w.value(&view.issuer);
    w.field("Шақыруды берген бөлініс", "Подразделение, выдавшее приглашение", issuer);

    sign_here(w, view, &body.signer, true);

    let url = &body.verification.url;
    let code = &body.verification.code;
    let check = w.pick("Шақырудың түпнұсқалығын тексеру (QR-код)", "Проверка подлинности приглашения (QR-код)", " / ");
    let code_label = w.pick("Тексеру коды", "Код проверки", " / ");
    w.push(Block::Note(format!("{check}: {url}\n{code_label}: {code}")));
    Ok(())
}

fn motivated_refusal(w: &mut Writer, view: &DocumentView, body: &MotivatedRefusal) -> Result<(), DocumentError> {
    if body.grounds.is_empty() {
        return Err(DocumentError::Incomplete("a motivated refusal cites at least one ground"));
    }
    let mut addressee = body.applicant.full_name.clone();
    if let Some(address) = &body.applicant.address {
        addressee.push('\n');
        addressee.push_str(address);
    }
    w.field("Кімге", "Кому", addressee);
    w.field("Күні", "Дата", date(view.date));
    w.push(Block::Space(8.0));
    heading(w, DocumentKind::MotivatedRefusal);
    w.strong_field("Өтініш нөмірі", "Номер заявления", view.reference.clone());
    w.field("Өтініш қабылданған күн", "Дата приёма заявления", date(body.accepted_on));
    w.field("ЖСН", "ИИН", body.applicant.iin.clone());
    w.field("Шақырылатын адамдар", "Приглашаемые лица", names(&body.invitees));
    w.push(Block::Space(4.0));
    w.paragraph(|lang| match lang {
        Lang::Kk => "Өтінішіңіз қаралды. Жеке істері бойынша Қазақстан Республикасына кіруіне шақыруды ресімдеуден бас тартылғанын \
                     хабарлаймыз."
            .to_owned(),
        Lang::Ru => "Ваше заявление рассмотрено. Сообщаем, что в оформлении приглашения на въезд в Республику Казахстан по частным делам \
                     отказано."
            .to_owned(),
    });
    w.heading(
        "Бас тарту негіздері (мемлекеттік көрсетілетін қызмет стандартының 10-тармағы)",
        "Основания отказа (пункт 10 стандарта государственной услуги)",
    );
    let grounds: Vec<String> = body.grounds.iter().map(|g| w.value(&g.text)).collect();
    w.numbered(grounds);
    if let Some(explanation) = &body.explanation {
        w.push(Block::Space(4.0));
        let explanation = w.value(explanation);
        w.field("Түсініктеме", "Пояснение", explanation);
    }
    w.push(Block::Space(4.0));
    w.paragraph(|lang| match lang {
        Lang::Kk => "Бұл шешімге Қазақстан Республикасының заңнамасында белгіленген тәртіппен шағымдануға болады.".to_owned(),
        Lang::Ru => "Настоящее решение может быть обжаловано в порядке, установленном законодательством Республики Казахстан.".to_owned(),
    });
    sign_here(w, view, &body.signer, true);
    Ok(())
}

/// "календарный день / календарных дня / календарных дней", as Russian agrees with a number.
fn russian_calendar_days(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=14) => "календарных дней",
        (1, _) => "календарный день",
        (2..=4, _) => "календарных дня",
        _ => "календарных дней",
    }
}

#[cfg(test)]
mod tests {
    use super::russian_calendar_days;

    #[test]
    fn russian_day_counts_agree_with_the_number() {
        assert_eq!(russian_calendar_days(1), "календарный день");
        assert_eq!(russian_calendar_days(3), "календарных дня");
        assert_eq!(russian_calendar_days(11), "календарных дней");
        assert_eq!(russian_calendar_days(21), "календарный день");
        assert_eq!(russian_calendar_days(25), "календарных дней");
        assert_eq!(russian_calendar_days(30), "календарных дней");
    }
}
