//! Text for the diagrams: an estimate of how wide a line is, wrapping into lines with an
//! ellipsis when there are too many, and the few words the diagrams add to the definition's own
//! texts (limits, case results, the start), in Kazakh, Russian and English.
//!
//! Invariant: pure; no font files are read. The widths are an upper estimate (DejaVu Sans is
//! wider than Noto Sans), so a line that fits here fits in either font.

use domain::definition::{CaseResult, Limit, LimitUnit};
use domain::text::Lang;

/// The estimated advance of `s` in pixels at `size`, in the wider of the two fonts.
pub(crate) fn width(s: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = s.chars().map(advance).sum();
    em * size * if bold { 1.1 } else { 1.0 }
}

/// One character's advance in ems (DejaVu Sans, rounded up).
fn advance(c: char) -> f64 {
    match c {
        ' ' => 0.32,
        '.' | ',' | ':' | ';' | '!' | '\'' | '|' | 'i' | 'l' | 'j' | 'і' | 'I' | 'І' => 0.32,
        '(' | ')' | '[' | ']' | 'f' | 't' | 'r' | '-' | 'г' => 0.42,
        '"' | '§' | '«' | '»' | '/' | '–' => 0.56,
        '—' | '…' => 1.0,
        'м' | 'ш' | 'щ' | 'ж' | 'ю' | 'ф' | 'ы' | 'w' | 'm' => 0.86,
        'М' | 'Ш' | 'Щ' | 'Ж' | 'Ю' | 'Ф' | 'Ы' | 'W' | 'M' => 0.95,
        '0'..='9' => 0.64,
        c if c.is_uppercase() => 0.74,
        _ => 0.62,
    }
}

/// `text` wrapped into lines no wider than `max_width`, at most `max_lines` of them; when it
/// does not fit, the last line ends with an ellipsis. A word longer than a line is broken.
pub(crate) fn wrap(text: &str, size: f64, bold: bool, max_width: f64, max_lines: usize) -> Vec<String> {
    let fits = |s: &str| width(s, size, bold) <= max_width;
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
        if fits(&candidate) {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // A word wider than the line is cut where it overflows.
        let mut rest = word;
        while !fits(rest) {
            let cut = rest.char_indices().map(|(i, _)| i).take_while(|&i| i == 0 || fits(&rest[..i])).last().unwrap_or(0);
            let cut = if cut == 0 { rest.chars().next().map_or(rest.len(), char::len_utf8) } else { cut };
            lines.push(rest[..cut].to_owned());
            rest = &rest[cut..];
            if rest.is_empty() {
                break;
            }
        }
        current = rest.to_owned();
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines.max(1) {
        lines.truncate(max_lines.max(1));
        let last = lines.last_mut().expect("at least one line");
        *last = ellipsize(last, size, bold, max_width);
    }
    lines
}

/// `line` shortened until it fits with a trailing ellipsis.
pub(crate) fn ellipsize(line: &str, size: f64, bold: bool, max_width: f64) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    loop {
        let candidate: String = chars.iter().collect::<String>().trim_end().to_owned() + "…";
        if chars.is_empty() || width(&candidate, size, bold) <= max_width {
            return candidate;
        }
        chars.pop();
    }
}

/// `line` as it is when it fits, else shortened with an ellipsis.
pub(crate) fn fit(line: &str, size: f64, bold: bool, max_width: f64) -> String {
    if width(line, size, bold) <= max_width { line.to_owned() } else { ellipsize(line, size, bold, max_width) }
}

/// A step's limit in the diagram's language: "10 жұмыс минуты", "3 рабочих дня".
pub(crate) fn limit(limit: &Limit, lang: Lang) -> String {
    let (amount, unit) = match *limit {
        Limit::Within { amount, unit } => (amount, unit),
        Limit::OnReadyDate => {
            return match lang {
                Lang::Kk => "дайын болатын күні".to_owned(),
                Lang::Ru => "в день готовности".to_owned(),
                Lang::En => limit.to_string(),
            };
        }
    };
    match lang {
        Lang::En => limit.to_string(),
        // Kazakh nouns stay singular after a numeral.
        Lang::Kk => {
            let words = match unit {
                LimitUnit::WorkingMinutes => "жұмыс минуты",
                LimitUnit::WorkingHours => "жұмыс сағаты",
                LimitUnit::WorkingDays => "жұмыс күні",
                LimitUnit::CalendarDays => "күнтізбелік күн",
            };
            format!("{amount} {words}")
        }
        Lang::Ru => {
            let [one, few, many] = match unit {
                LimitUnit::WorkingMinutes => ["рабочая минута", "рабочие минуты", "рабочих минут"],
                LimitUnit::WorkingHours => ["рабочий час", "рабочих часа", "рабочих часов"],
                LimitUnit::WorkingDays => ["рабочий день", "рабочих дня", "рабочих дней"],
                LimitUnit::CalendarDays => ["календарный день", "календарных дня", "календарных дней"],
            };
            let words = match (amount % 10, amount % 100) {
                (_, 11..=14) => many,
                (1, _) => one,
                (2..=4, _) => few,
                _ => many,
            };
            format!("{amount} {words}")
        }
    }
}

/// How a case ends, as the label of its end event.
pub(crate) fn result(result: CaseResult, lang: Lang) -> &'static str {
    match (result, lang) {
        (CaseResult::RefusedToAccept, Lang::Kk) => "Құжаттарды қабылдаудан бас тартылды",
        (CaseResult::RefusedToAccept, Lang::Ru) => "Отказ в приеме документов",
        (CaseResult::RefusedToAccept, Lang::En) => "Documents not accepted",
        (CaseResult::InvitationIssued, Lang::Kk) => "Шақыру берілді",
        (CaseResult::InvitationIssued, Lang::Ru) => "Приглашение выдано",
        (CaseResult::InvitationIssued, Lang::En) => "Invitation issued",
        (CaseResult::Refused, Lang::Kk) => "Дәлелді бас тарту берілді",
        (CaseResult::Refused, Lang::Ru) => "Мотивированный отказ выдан",
        (CaseResult::Refused, Lang::En) => "Motivated refusal issued",
    }
}

/// The label of the start event.
pub(crate) fn start(lang: Lang) -> &'static str {
    match lang {
        Lang::Kk => "Өтініш",
        Lang::Ru => "Заявление",
        Lang::En => "Application",
    }
}

/// What the drawing is, after the service's name: its title for screen readers and tools.
pub(crate) fn diagram_kind(lang: Lang) -> &'static str {
    match lang {
        Lang::Kk => "бизнес-процестің диаграммасы",
        Lang::Ru => "диаграмма бизнес-процесса",
        Lang::En => "business process diagram",
    }
}

/// "Edition" before the edition's id.
pub(crate) fn edition(lang: Lang) -> &'static str {
    match lang {
        Lang::Kk => "редакция",
        Lang::Ru => "редакция",
        Lang::En => "edition",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_an_overflow_ends_with_an_ellipsis() {
        let text = "Өтініштегі мәліметтердің шынайылығын және құжаттардың стандарттың 9-тармағындағы тізбеге сәйкестігін тексеру";
        let all = wrap(text, 11.0, false, 170.0, 20);
        assert!(all.len() > 2);
        assert!(all.iter().all(|l| width(l, 11.0, false) <= 170.0));
        assert_eq!(all.join(" "), text, "wrapping at spaces loses nothing");
        let two = wrap(text, 11.0, false, 170.0, 2);
        assert_eq!(two.len(), 2);
        assert!(two[1].ends_with('…'));
        assert!(two.iter().all(|l| width(l, 11.0, false) <= 170.0));
    }

    #[test]
    fn a_word_longer_than_a_line_is_broken_inside() {
        let lines = wrap("Қазақстанрепубликасыныңкөшіқонқызметі", 11.0, true, 60.0, 10);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, 11.0, true) <= 60.0));
        assert_eq!(lines.concat(), "Қазақстанрепубликасыныңкөшіқонқызметі");
    }

    #[test]
    fn russian_limits_agree_with_their_numbers() {
        let ru = |s: &str| limit(&Limit::parse(s).unwrap(), Lang::Ru);
        assert_eq!(ru("1 working day"), "1 рабочий день");
        assert_eq!(ru("3 working days"), "3 рабочих дня");
        assert_eq!(ru("5 working days"), "5 рабочих дней");
        assert_eq!(ru("11 working minutes"), "11 рабочих минут");
        assert_eq!(ru("21 calendar days"), "21 календарный день");
        assert_eq!(ru("3 working hours"), "3 рабочих часа");
        assert_eq!(limit(&Limit::OnReadyDate, Lang::Kk), "дайын болатын күні");
        assert_eq!(limit(&Limit::parse("10 working minutes").unwrap(), Lang::En), "10 working minutes");
    }
}
