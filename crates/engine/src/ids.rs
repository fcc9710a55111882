//! New row identifiers: time-ordered UUIDs (version 7), so that the rows of recent cases sit
//! together at the end of each index instead of scattered over all of its pages.

use std::sync::Mutex;
use uuid::{ContextV7, Timestamp};

/// The counter that keeps ids increasing within one millisecond, and when a clock stands still
/// or steps back (a test's, or the host's after a correction).
static SEQUENCE: Mutex<ContextV7> = Mutex::new(ContextV7::new());

/// A new identifier for a case, timer, outbox message or document, made at `now` (the engine's
/// clock): the leading 48 bits are the Unix time in milliseconds, then a counter, then random
/// bits. Ids made one after another in a process sort in that order: an id asked for at a time
/// earlier than the last one's is placed just after the last one.
pub fn new_id(now: jiff::Timestamp) -> String {
    id_in(&SEQUENCE, now)
}

fn id_in(sequence: &Mutex<ContextV7>, now: jiff::Timestamp) -> String {
    // Before 1970 there is nothing to order by: such a clock is a test's, and the counter still orders.
    let seconds = u64::try_from(now.as_second()).unwrap_or(0);
    let nanos = u32::try_from(now.subsec_nanosecond()).unwrap_or(0);
    uuid::Uuid::new_v7(Timestamp::from_unix(sequence, seconds, nanos)).to_string()
}

#[cfg(test)]
mod tests {
    use super::id_in;
    use std::sync::Mutex;
    use uuid::ContextV7;

    fn time(s: &str) -> jiff::Timestamp {
        s.parse().expect("valid")
    }

    /// Each test has its own sequence: the process's is shared by every engine in it.
    #[test]
    fn ids_made_one_after_another_sort_in_that_order_even_on_a_clock_standing_still() {
        let sequence = Mutex::new(ContextV7::new());
        let still = time("2026-11-24T05:00:00Z");
        let mut ids: Vec<String> = (0..10_000).map(|_| id_in(&sequence, still)).collect();
        ids.push(id_in(&sequence, time("2026-11-24T05:00:01Z")));
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "each id sorts after the one before it");
        let parsed = uuid::Uuid::parse_str(&ids[0]).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 7);
        let (seconds, _) = parsed.get_timestamp().expect("a time").to_unix();
        assert_eq!(seconds, u64::try_from(still.as_second()).expect("after 1970"), "the id carries the clock's time");
    }

    #[test]
    fn an_id_asked_for_at_an_earlier_time_still_sorts_after_the_last_one() {
        let sequence = Mutex::new(ContextV7::new());
        let first = id_in(&sequence, time("2026-11-24T05:00:00Z"));
        let stepped_back = id_in(&sequence, time("2026-11-23T05:00:00Z"));
        assert!(stepped_back > first, "{stepped_back} sorts after {first}");
        let from_scratch = id_in(&Mutex::new(ContextV7::new()), time("2026-11-23T05:00:00Z"));
        assert!(from_scratch < first, "alone, the earlier time sorts first: {from_scratch} < {first}");
    }
}
