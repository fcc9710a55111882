//! Working days per year (five-day week) for every covered year, against the official figures
//! where public sources give them. A figure that could not be found is not invented: such years
//! are pinned to our own count, so that a data change shows up here and gets looked at.

use crate::support::CAL;

/// How our count relates to what the sources say.
enum Official {
    /// The official production calendar's figure, equal to ours.
    Same { source: &'static str },
    /// An official figure that differs from ours for a documented reason.
    Differs { official: u32, why: &'static str },
    /// No official yearly figure found in public sources.
    NotFound,
}

const YEARS: &[(i16, u32, Official)] = &[
    (2015, 245, Official::NotFound),
    (2016, 245, Official::NotFound),
    (2017, 245, Official::NotFound),
    (2018, 246, Official::Same { source: "caravan.kz, 2018: \"246 working days with a five-day week\"" }),
    (2019, 246, Official::Same { source: "zakon.kz, 2019, from the egov.kz holiday calendar: 119 days off, 365 - 119 = 246" }),
    (2020, 246, Official::NotFound),
    (2021, 245, Official::NotFound),
    (
        2022,
        246,
        Official::Differs {
            official: 245,
            why: "245 (kazpravda.kz, tengrinews.kz, early 2022) is the calendar first approved for 2022. The 2022 amendments \
                  then added Republic Day (Tuesday 25 October, -1) with Monday 24 October off (-1) for Saturday 22 October \
                  worked (+1), and removed First President's Day (Thursday 1 December, +1) and 17 December (a Saturday \
                  that would have moved to Monday 19 December, +1): net +1",
        },
    ),
    (2023, 246, Official::NotFound),
    (
        2024,
        249,
        Official::Differs {
            official: 248,
            why: "248 (the Ministry of Labour's balance of working time for 2024, help.inbuh.kz) counts Monday 17 June \
                  as Kurban Ait; in June 2024 the holiday was set for Sunday 16 June and the Ministry said 17 June stays \
                  a working day (tengrinews.kz). Every other month of that table matches ours",
        },
    ),
    (2025, 246, Official::NotFound),
    // The Ministry's production calendar for 2026 (December 2025) still moved Constitution Day to
    // Monday 31 August; its yearly figure was not found, and would be one less than ours.
    (2026, 247, Official::NotFound),
];

#[test]
fn every_covered_year_has_the_expected_number_of_working_days() {
    assert_eq!(CAL.years().count(), YEARS.len(), "a year was added or removed: add its line here");
    for (year, ours, official) in YEARS {
        let counted = CAL.working_days_in_year(*year).unwrap();
        assert_eq!(counted, *ours, "{year}");
        match official {
            Official::Same { source } => assert!(!source.is_empty()),
            Official::Differs { official, why } => assert_eq!(official.abs_diff(counted), 1, "{year}: {why}"),
            Official::NotFound => {}
        }
    }
}

/// Monthly figures the press published from the official calendars: `(year, month, working days)`.
const MONTHS: &[(i16, i8, u32, &str)] = &[
    (2017, 1, 20, "tengrinews.kz: 11 days off in January 2017"),
    (2017, 12, 18, "caravan.kz: 13 days off in December 2017"),
    (2024, 1, 21, "Ministry of Labour's balance for 2024"),
    (2024, 3, 17, "Ministry of Labour's balance for 2024"),
    (2024, 5, 20, "Ministry of Labour's balance for 2024"),
    (2024, 7, 22, "Ministry of Labour's balance for 2024"),
    (2024, 8, 21, "Ministry of Labour's balance for 2024"),
    (2024, 12, 21, "Ministry of Labour's balance for 2024"),
    (2025, 10, 22, "mgorod.kz: 22 working days in October 2025"),
    (2025, 11, 20, "baq.kz: 20 working days in November 2025"),
    (2026, 1, 19, "alau.kz: 19 working days in January 2026"),
];

#[test]
fn monthly_working_days_match_the_published_figures() {
    for (year, month, expected, source) in MONTHS {
        let days = CAL.year_days(*year).unwrap();
        let counted = days.iter().filter(|d| d.date.month() == *month && d.working).count() as u32;
        assert_eq!(counted, *expected, "{year}-{month:02} ({source})");
    }
}
