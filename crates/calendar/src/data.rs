//! Reading the year files (`data/YYYY.toml`): their format, the embedded copies, and the checks
//! that need only one file. Checks that need the whole calendar (does a transfer swap a working
//! day for a day off?) are in `build.rs`.

use crate::error::{Problem, Problems};
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use toml::Spanned;

/// The embedded year files, as `(file name, text)`. Adding a year is adding its file to `data/`
/// and one line here; nothing else in the code knows which years exist.
pub(crate) const BUILTIN: &[(&str, &str)] = &[
    ("2015.toml", include_str!("../data/2015.toml")),
    ("2016.toml", include_str!("../data/2016.toml")),
    ("2017.toml", include_str!("../data/2017.toml")),
    ("2018.toml", include_str!("../data/2018.toml")),
    ("2019.toml", include_str!("../data/2019.toml")),
    ("2020.toml", include_str!("../data/2020.toml")),
    ("2021.toml", include_str!("../data/2021.toml")),
    ("2022.toml", include_str!("../data/2022.toml")),
    ("2023.toml", include_str!("../data/2023.toml")),
    ("2024.toml", include_str!("../data/2024.toml")),
    ("2025.toml", include_str!("../data/2025.toml")),
    ("2026.toml", include_str!("../data/2026.toml")),
];

/// A holiday's or a fixed day off's name, in English and, where the file gives them, in Kazakh
/// and Russian. Displays as the English name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HolidayName {
    pub en: String,
    pub kk: Option<String>,
    pub ru: Option<String>,
}

impl fmt::Display for HolidayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

// The file format, as serde reads it. Every list is required, even when empty, so that a
// forgotten `transfers` key is an error rather than a silent "no transfers this year".

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Spanned<i64>,
    holidays: Vec<RawDay>,
    fixed_days_off: Vec<RawDay>,
    transfers: Vec<RawTransfer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    date: Spanned<String>,
    name: String,
    name_kk: Option<String>,
    name_ru: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransfer {
    day_off: Spanned<String>,
    working: Spanned<String>,
    decree: String,
}

/// Where a value stands: the index of its file and the byte offset in that file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    file: usize,
    offset: usize,
}

/// A public holiday or a fixed day off, as read from a file.
#[derive(Clone, Debug)]
pub(crate) struct NamedDay {
    pub date: Date,
    pub name: HolidayName,
    pub place: Place,
}

/// A transfer, as read from a file: `day_off` becomes a day off, `working` becomes working.
#[derive(Clone, Debug)]
pub(crate) struct Transfer {
    pub day_off: Date,
    pub working: Date,
    pub decree: String,
    pub day_off_place: Place,
    pub working_place: Place,
}

/// One year file, read and checked on its own.
#[derive(Clone, Debug)]
pub(crate) struct YearFile {
    pub year: i16,
    pub year_place: Place,
    pub holidays: Vec<NamedDay>,
    pub fixed_days_off: Vec<NamedDay>,
    pub transfers: Vec<Transfer>,
}

/// Collects problems across files and turns byte offsets into lines and columns.
pub(crate) struct Reader<'a> {
    files: &'a [(&'a str, &'a str)],
    problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub fn new(files: &'a [(&'a str, &'a str)]) -> Self {
        Reader { files, problems: Vec::new() }
    }

    pub fn problem(&mut self, place: Place, message: impl Into<String>) {
        let (name, text) = self.files[place.file];
        let offset = place.offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        self.problems.push(Problem { file: name.to_owned(), line, column, message: message.into() });
    }

    /// The problems found so far, or `Ok` when there are none.
    pub fn finish(mut self) -> Result<(), Problems> {
        if self.problems.is_empty() {
            return Ok(());
        }
        // Stable: problems of one file stay in the order the files were given.
        let order: BTreeMap<&str, usize> = self.files.iter().enumerate().map(|(i, (name, _))| (*name, i)).collect();
        self.problems.sort_by_key(|p| (order.get(p.file.as_str()).copied(), p.line, p.column));
        self.problems.dedup();
        Err(Problems(self.problems))
    }

    /// Reads every file; the ones that cannot be read at all leave problems and are skipped.
    pub fn read_all(&mut self) -> Vec<YearFile> {
        (0..self.files.len()).filter_map(|i| self.read(i)).collect()
    }

    fn read(&mut self, file: usize) -> Option<YearFile> {
        let (name, text) = self.files[file];
        let raw: RawYear = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                self.problem(Place { file, offset }, e.message().trim().to_owned());
                return None;
            }
        };
        let at = |offset: usize| Place { file, offset };

        let year_place = at(raw.year.span().start);
        let year = match i16::try_from(*raw.year.get_ref()) {
            Ok(y) if (1..=9998).contains(&y) => y,
            _ => {
                self.problem(year_place, format!("year {} is out of range", raw.year.get_ref()));
                return None;
            }
        };
        // The file name says which year it is for; a mismatch is almost always a copy-paste slip.
        if let Some(stem) = name.rsplit(['/', '\\']).next().and_then(|n| n.strip_suffix(".toml"))
            && let Ok(named) = stem.parse::<i16>()
            && named != year
        {
            self.problem(year_place, format!("the file is named for {named} but says year = {year}"));
        }

        let holidays = self.named_days(file, year, "holidays", raw.holidays);
        let fixed_days_off = self.named_days(file, year, "fixed_days_off", raw.fixed_days_off);
        let mut transfers = Vec::new();
        for t in raw.transfers {
            let day_off_place = at(t.day_off.span().start);
            let working_place = at(t.working.span().start);
            // A transfer's day off is this year's; the working day may be in the year before or
            // after (2014's 3 January was paid for by Saturday 28 December 2013).
            let day_off = self.date(day_off_place, t.day_off.get_ref(), year, 0);
            let working = self.date(working_place, t.working.get_ref(), year, 1);
            if t.decree.trim().is_empty() {
                self.problem(day_off_place, "a transfer needs the decree that made it");
            }
            if let (Some(day_off), Some(working)) = (day_off, working) {
                transfers.push(Transfer { day_off, working, decree: t.decree, day_off_place, working_place });
            }
        }
        Some(YearFile { year, year_place, holidays, fixed_days_off, transfers })
    }

    fn named_days(&mut self, file: usize, year: i16, list: &str, raw: Vec<RawDay>) -> Vec<NamedDay> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for d in raw {
            let place = Place { file, offset: d.date.span().start };
            let Some(date) = self.date(place, d.date.get_ref(), year, 0) else { continue };
            if !seen.insert(date) {
                self.problem(place, format!("{date} appears twice in \"{list}\""));
                continue;
            }
            if d.name.trim().is_empty() {
                self.problem(place, format!("{date} in \"{list}\" needs a name"));
            }
            out.push(NamedDay { date, name: HolidayName { en: d.name, kk: d.name_kk, ru: d.name_ru }, place });
        }
        out
    }

    /// Parses an ISO date that must lie in `year`, or at most `slack` years away from it.
    fn date(&mut self, place: Place, text: &str, year: i16, slack: i16) -> Option<Date> {
        let date = match text.parse::<Date>() {
            Ok(d) => d,
            Err(_) => {
                self.problem(place, format!("\"{text}\" is not a date written as YYYY-MM-DD"));
                return None;
            }
        };
        if (date.year() - year).abs() > slack {
            self.problem(place, format!("{date} is not in {year}"));
            return None;
        }
        Some(date)
    }
}
