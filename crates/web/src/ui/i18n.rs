//! The UI's words and the local way of writing dates, times and durations, in Kazakh (the
//! default), Russian and English. Every text shown comes from `locales/<lang>/ui.ftl`; none is
//! written in a template.

use domain::text::{Lang, Localized};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "kk",
        // Without this every number carries invisible direction marks.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static KK: LanguageIdentifier = langid!("kk");
static RU: LanguageIdentifier = langid!("ru");
static EN: LanguageIdentifier = langid!("en");

/// The translator of one request: its language and the office's time zone.
#[derive(Clone)]
pub struct Tr {
    pub lang: Lang,
    pub tz: TimeZone,
}

impl Tr {
    pub fn new(lang: Lang, tz: TimeZone) -> Tr {
        Tr { lang, tz }
    }

    fn id(&self) -> &'static LanguageIdentifier {
        match self.lang {
            Lang::Kk => &KK,
            Lang::Ru => &RU,
            Lang::En => &EN,
        }
    }

    /// The text under `key`; the key itself where a translation is missing, which the tests
    /// forbid for every key a template uses.
    pub fn t(&self, key: &str) -> String {
        LOCALES.try_lookup(self.id(), key).unwrap_or_else(|| key.to_owned())
    }

    /// The text under `key` with named arguments.
    pub fn ta(&self, key: &str, args: &[(&str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> =
            args.iter().map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(*v))).collect();
        LOCALES.try_lookup_with_args(self.id(), key, &args).unwrap_or_else(|| key.to_owned())
    }

    /// The text under `key` with one number, for plural forms.
    pub fn tn(&self, key: &str, n: i64) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = [(Cow::Borrowed("n"), FluentValue::from(n))].into_iter().collect();
        LOCALES.try_lookup_with_args(self.id(), key, &args).unwrap_or_else(|| key.to_owned())
    }

    /// A definition's text in this language.
    pub fn loc<'a>(&self, l: &'a Localized) -> &'a str {
        l.get(self.lang)
    }

    /// An instant in the office's time zone, written the local way: `24.11.2026 14:30` in
    /// Kazakh and Russian, `24 Nov 2026 14:30` in English.
    pub fn datetime(&self, at: Timestamp) -> String {
        let z = at.to_zoned_datetime(self.tz.clone());
        match self.lang {
            Lang::Kk | Lang::Ru => z.strftime("%d.%m.%Y %H:%M").to_string(),
            Lang::En => z.strftime("%-d %b %Y %H:%M").to_string(),
        }
    }

    /// A day written the local way.
    pub fn date(&self, d: jiff::civil::Date) -> String {
        match self.lang {
            Lang::Kk | Lang::Ru => d.strftime("%d.%m.%Y").to_string(),
            Lang::En => d.strftime("%-d %b %Y").to_string(),
        }
    }

    /// A day with the month's name, for the applicant's receipt: `2026 жылғы 1 желтоқсан`,
    /// `1 декабря 2026 г.`, `1 December 2026`.
    pub fn long_date(&self, d: jiff::civil::Date) -> String {
        let month = self.t(&format!("month-{}", d.month()));
        match self.lang {
            Lang::Kk => format!("{} жылғы {} {}", d.year(), d.day(), month),
            Lang::Ru => format!("{} {} {} г.", d.day(), month, d.year()),
            Lang::En => format!("{} {} {}", d.day(), month, d.year()),
        }
    }

    /// A span in plain words, days, hours and minutes, the largest two parts: `2 сағ 15 мин`.
    pub fn span(&self, d: SignedDuration) -> String {
        let total = d.as_secs().unsigned_abs() / 60;
        let (days, hours, minutes) = (total / 1440, total % 1440 / 60, total % 60);
        let part = |key: &str, n: u64| self.tn(key, n as i64);
        let parts: Vec<String> = if days > 0 {
            [(days > 0).then(|| part("span-days", days)), (hours > 0).then(|| part("span-hours", hours))].into_iter().flatten().collect()
        } else if hours > 0 {
            [Some(part("span-hours", hours)), (minutes > 0).then(|| part("span-minutes", minutes))].into_iter().flatten().collect()
        } else {
            vec![part("span-minutes", minutes)]
        };
        parts.join(" ")
    }

    /// A share in percent to one decimal, with the local decimal mark: `97,5 %`, `97.5 %`.
    pub fn percent(&self, p: f64) -> String {
        let text = format!("{p:.1}\u{a0}%");
        match self.lang {
            Lang::Kk | Lang::Ru => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// Time left to a deadline, or how late it is, in plain words.
    pub fn time_left(&self, due: Timestamp, now: Timestamp) -> String {
        let d = due.duration_since(now);
        if d.is_negative() { self.ta("time-late", &[("span", &self.span(d))]) } else { self.ta("time-left", &[("span", &self.span(d))]) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: &str) -> BTreeSet<String> {
        let path = format!("{}/locales/{lang}/ui.ftl", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        text.lines()
            .filter(|l| !l.starts_with([' ', '#', '.', '\t', '[', '*', '}']) && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or_default().trim().to_owned())
            .collect()
    }

    /// Every key a template or the UI's code asks for, found by reading them.
    fn used_keys() -> BTreeSet<String> {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut found = BTreeSet::new();
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        for dir in ["templates", "src/ui"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                files.push(entry.unwrap().path());
            }
        }
        let re_calls = [".t(\"", ".ta(\"", ".tn(\""];
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for call in re_calls {
                for (i, _) in text.match_indices(call) {
                    let rest = &text[i + call.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if !key.contains('{') && !key.is_empty() {
                        found.insert(key.to_owned());
                    }
                }
            }
        }
        found
    }

    #[test]
    fn the_three_languages_have_the_same_keys() {
        let kk = keys("kk");
        assert!(kk.len() > 50, "the Kazakh file was read: {} keys", kk.len());
        for lang in ["ru", "en"] {
            let other = keys(lang);
            let missing: Vec<_> = kk.difference(&other).collect();
            let extra: Vec<_> = other.difference(&kk).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, not in kk {extra:?}");
        }
    }

    #[test]
    fn every_key_the_ui_uses_is_translated_in_every_language() {
        let used = used_keys();
        assert!(used.len() > 30, "keys were found in the templates: {}", used.len());
        for lang in ["kk", "ru", "en"] {
            let known = keys(lang);
            let untranslated: Vec<_> = used.iter().filter(|k| !known.contains(*k)).collect();
            assert!(untranslated.is_empty(), "{lang}: no text for {untranslated:?}");
        }
        // And the keys built from codes: a status, a filter, a result, a refusal, a field error.
        let built =
            ["status-overdue", "filter-at_risk", "result-refused_to_accept", "refusal-step_not_open", "ferr-mrz-mismatch", "month-12"];
        let tr = Tr::new(Lang::Ru, TimeZone::UTC);
        for k in built {
            assert_ne!(tr.t(k), k, "{k} has a text");
        }
    }

    #[test]
    fn dates_times_and_spans_are_written_the_local_way() {
        let tz = TimeZone::get("Asia/Almaty").unwrap();
        let at: Timestamp = "2026-11-24T09:30:00Z".parse().unwrap();
        let kk = Tr::new(Lang::Kk, tz.clone());
        let ru = Tr::new(Lang::Ru, tz.clone());
        let en = Tr::new(Lang::En, tz);
        assert_eq!(kk.datetime(at), "24.11.2026 14:30", "UTC+5 in the office's zone");
        assert_eq!(en.datetime(at), "24 Nov 2026 14:30");
        let day = jiff::civil::date(2026, 12, 1);
        assert_eq!(kk.long_date(day), "2026 жылғы 1 желтоқсан");
        assert_eq!(ru.long_date(day), "1 декабря 2026 г.");
        let d = SignedDuration::from_mins(2 * 60 + 15);
        assert_eq!(kk.span(d), "2 сағ 15 мин");
        assert_eq!(ru.span(d), "2 ч 15 мин");
        assert_eq!(en.span(SignedDuration::from_mins(3 * 1440 + 60 + 5)), "3 days 1 h", "the largest two parts");
        assert_eq!(en.span(SignedDuration::from_mins(1)), "1 min");
        let due: Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
        assert_eq!(ru.time_left(due, at), "осталось 30 мин");
        assert_eq!(ru.time_left(at, due), "просрочено на 30 мин");
        assert_eq!(kk.time_left(due, at), "30 мин қалды");
        assert_eq!(ru.percent(97.54), "97,5\u{a0}%");
        assert_eq!(en.percent(100.0), "100.0\u{a0}%");
    }
}
