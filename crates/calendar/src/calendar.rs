//! The calendar: year files resolved into one `DayInfo` per date, by the crate's one general rule
//! (a public holiday on a weekend gives a day off on the next working day) and the yearly
//! transfers.

use crate::data::{BUILTIN, NamedDay, Reader, YearFile};
use crate::day::{DayInfo, Reason};
use crate::error::CalendarError;
use jiff::civil::{Date, Weekday};
use std::collections::{BTreeMap, BTreeSet};

/// Kazakhstan's working calendar for the years its data files cover (five-day week).
///
/// Build it once and share it: every date of every covered year is resolved up front, so a
/// question about a date is a lookup.
#[derive(Clone, Debug)]
pub struct Calendar {
    years: BTreeMap<i16, Vec<DayInfo>>,
}

impl Calendar {
    /// The calendar from the year files embedded in this crate (`data/*.toml`).
    ///
    /// # Panics
    /// Never in a released build: the embedded files are checked by this crate's tests.
    pub fn builtin() -> Calendar {
        match Calendar::from_files(BUILTIN) {
            Ok(calendar) => calendar,
            Err(e) => panic!("the embedded calendar data is invalid: {e}"),
        }
    }

    /// The calendar from year files given as `(file name, text)`. Every problem in every file
    /// is reported, each with its file, line and column.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Calendar, CalendarError> {
        let mut reader = Reader::new(files);
        let year_files = reader.read_all();
        let years = resolve(&mut reader, &year_files);
        reader.finish().map_err(CalendarError::InvalidData)?;
        Ok(Calendar { years })
    }

    /// The years this calendar covers, in order.
    pub fn years(&self) -> impl Iterator<Item = i16> + '_ {
        self.years.keys().copied()
    }

    /// Whether the calendar has data for `year`.
    pub fn covers(&self, year: i16) -> bool {
        self.years.contains_key(&year)
    }

    /// What the calendar says about `date`.
    pub fn day(&self, date: Date) -> Result<DayInfo, CalendarError> {
        self.info(date).cloned()
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.info(date)?.working)
    }

    /// Every date of `year`, in order.
    pub fn year_days(&self, year: i16) -> Result<&[DayInfo], CalendarError> {
        self.years.get(&year).map(Vec::as_slice).ok_or(CalendarError::YearNotCovered(year))
    }

    /// The number of working days in `year`.
    pub fn working_days_in_year(&self, year: i16) -> Result<u32, CalendarError> {
        Ok(self.year_days(year)?.iter().filter(|d| d.working).count() as u32)
    }

    pub(crate) fn info(&self, date: Date) -> Result<&DayInfo, CalendarError> {
        let days = self.years.get(&date.year()).ok_or(CalendarError::YearNotCovered(date.year()))?;
        Ok(&days[(date.day_of_year() - 1) as usize])
    }
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Resolves the year files into days, reporting what cannot be resolved.
///
/// The order matters and follows how the rules are made. The law fixes the holidays and the
/// move rule; the yearly decisions (transfers) are taken afterwards, on the calendar the law
/// produced. So moves are computed first, ignoring transfers, and each transfer must then swap
/// a plain working day for a day off.
fn resolve(reader: &mut Reader, files: &[YearFile]) -> BTreeMap<i16, Vec<DayInfo>> {
    let mut years: BTreeMap<i16, Vec<DayInfo>> = BTreeMap::new();
    let mut accepted = Vec::new();
    for file in files {
        if years.contains_key(&file.year) {
            // Reported once; the second file's transfers are not checked against the first's year.
            reader.problem(file.year_place, format!("{} is covered by another file too", file.year));
            continue;
        }
        years.insert(file.year, resolve_year(reader, file));
        accepted.push(file);
    }
    let mut used = BTreeSet::new();
    for file in accepted {
        for t in &file.transfers {
            let mut ok = true;
            for (date, place) in [(t.day_off, t.day_off_place), (t.working, t.working_place)] {
                if !used.insert(date) {
                    reader.problem(place, format!("{date} is part of another transfer already"));
                    ok = false;
                }
            }
            match day_ref(&years, t.day_off) {
                Some(d) if d.working && d.reasons.is_empty() => {}
                Some(d) => {
                    reader.problem(t.day_off_place, format!("day_off {} is already a day off ({})", d.date, d.summary()));
                    ok = false;
                }
                None => unreachable!("a transfer's day off is in its own file's year, which is resolved"),
            }
            match day_ref(&years, t.working) {
                None => {
                    let y = t.working.year();
                    reader.problem(t.working_place, format!("working {} is in {y}, which no file covers", t.working));
                    ok = false;
                }
                Some(d) if d.working => {
                    reader.problem(
                        t.working_place,
                        format!("working {} is already a working day: it must be a weekend day or the moved day off of a holiday", d.date),
                    );
                    ok = false;
                }
                Some(d) => {
                    // The law makes the holiday itself and the fixed days off non-working; a decree
                    // may only move the days off that the weekly pattern or the move rule produced.
                    if let Some(r) = d.reasons.iter().find(|r| matches!(r, Reason::PublicHoliday { .. } | Reason::FixedDayOff { .. })) {
                        reader.problem(t.working_place, format!("working {} is {r}, which cannot be made a working day", d.date));
                        ok = false;
                    }
                }
            }
            if !ok {
                continue;
            }
            if let Some(d) = day_mut(&mut years, t.day_off) {
                d.working = false;
                d.reasons.push(Reason::TransferredDayOff { working_day: t.working, decree: t.decree.clone() });
            }
            if let Some(d) = day_mut(&mut years, t.working) {
                d.working = true;
                d.reasons.push(Reason::TransferredWorkingDay { day_off: t.day_off, decree: t.decree.clone() });
            }
        }
    }
    years
}

fn day_ref(years: &BTreeMap<i16, Vec<DayInfo>>, date: Date) -> Option<&DayInfo> {
    years.get(&date.year()).map(|days| &days[(date.day_of_year() - 1) as usize])
}

fn day_mut(years: &mut BTreeMap<i16, Vec<DayInfo>>, date: Date) -> Option<&mut DayInfo> {
    years.get_mut(&date.year()).map(|days| &mut days[(date.day_of_year() - 1) as usize])
}

/// One year without its transfers: the weekly pattern, the holidays with their moves, the
/// fixed days off.
fn resolve_year(reader: &mut Reader, file: &YearFile) -> Vec<DayInfo> {
    let holidays: BTreeMap<Date, &NamedDay> = file.holidays.iter().map(|h| (h.date, h)).collect();
    let fixed: BTreeMap<Date, &NamedDay> = file.fixed_days_off.iter().map(|h| (h.date, h)).collect();

    // The move rule. Holidays are taken in date order, so that several on one weekend move in
    // order (Nauryz 2025: 22 March to Monday 24, 23 March to Tuesday 25). Each goes to the next
    // day that is off neither by the weekly pattern, nor as a holiday or fixed day off, nor as
    // an earlier holiday's moved day off. ("The next working day after the holiday", Law No. 267,
    // art. 5.) Fixed days off neither move nor push a holiday on: they are non-working days like
    // the weekend, and in 2015-2026 no moved holiday comes near one anyway.
    let mut moved_to: BTreeMap<Date, Date> = BTreeMap::new();
    let mut moved_from: BTreeMap<Date, (Date, &NamedDay)> = BTreeMap::new();
    for (&date, holiday) in &holidays {
        if !is_weekend(date) {
            continue;
        }
        let mut target = date;
        loop {
            target = match target.tomorrow() {
                Ok(t) => t,
                Err(_) => break,
            };
            let taken =
                is_weekend(target) || holidays.contains_key(&target) || fixed.contains_key(&target) || moved_from.contains_key(&target);
            if !taken {
                break;
            }
        }
        if target.year() != file.year {
            // Would need the next year's file; no holiday comes close to the year's end today.
            reader.problem(holiday.place, format!("the day off for {} on {date} would move into {}", holiday.name, target.year()));
            continue;
        }
        moved_to.insert(date, target);
        moved_from.insert(target, (date, holiday));
    }

    let first = Date::new(file.year, 1, 1).expect("year checked when read");
    let mut days = Vec::with_capacity(366);
    let mut date = first;
    while date.year() == file.year {
        let mut reasons = Vec::new();
        if is_weekend(date) {
            reasons.push(Reason::Weekend);
        }
        if let Some(h) = holidays.get(&date) {
            reasons.push(Reason::PublicHoliday { name: h.name.clone(), moved_to: moved_to.get(&date).copied() });
        }
        if let Some(h) = fixed.get(&date) {
            reasons.push(Reason::FixedDayOff { name: h.name.clone() });
        }
        if let Some((from, h)) = moved_from.get(&date) {
            reasons.push(Reason::MovedHoliday { name: h.name.clone(), from: *from });
        }
        days.push(DayInfo { date, working: reasons.is_empty(), reasons });
        date = match date.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    days
}
