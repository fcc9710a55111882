//! How the outbox dispatcher retries: how long a failed message waits before its next attempt,
//! and after how many attempts it is given up on (dead-lettered for an operator).

use jiff::SignedDuration;
use sha2::{Digest, Sha256};

/// The dispatcher's retry policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// After this many failed attempts a message is dead: it waits for an operator's retry.
    pub max_attempts: u32,
    /// The longest wait after the first failure; it doubles with every further failure…
    pub base_delay: SignedDuration,
    /// …up to this.
    pub max_delay: SignedDuration,
}

impl Default for OutboxPolicy {
    fn default() -> OutboxPolicy {
        OutboxPolicy { max_attempts: 10, base_delay: SignedDuration::from_secs(2), max_delay: SignedDuration::from_mins(10) }
    }
}

impl OutboxPolicy {
    /// The longest wait after the `attempt`-th failure (counted from 1): `base_delay` doubled
    /// `attempt - 1` times, at most `max_delay`.
    pub fn ceiling(&self, attempt: u32) -> SignedDuration {
        let doublings = attempt.saturating_sub(1).min(62);
        let factor = 1_i64 << doublings;
        let millis = i64::try_from(self.base_delay.as_millis()).unwrap_or(i64::MAX).saturating_mul(factor);
        SignedDuration::from_millis(millis).min(self.max_delay)
    }

    /// The wait after the `attempt`-th failure of message `id`: "full jitter", a point between
    /// zero and [`OutboxPolicy::ceiling`] to the millisecond. The point comes from a hash of the
    /// id and the attempt rather than a random generator: messages that failed together (one
    /// outage) spread out instead of retrying in lockstep, and a test sees the same waits on
    /// every run.
    pub fn backoff(&self, id: &str, attempt: u32) -> SignedDuration {
        let ceiling = u64::try_from(self.ceiling(attempt).as_millis()).unwrap_or(0);
        let digest = Sha256::new().chain_update(id.as_bytes()).chain_update(attempt.to_be_bytes()).finalize();
        let mut first = [0_u8; 8];
        first.copy_from_slice(&digest[..8]);
        let point = u64::from_be_bytes(first) % (ceiling + 1);
        SignedDuration::from_millis(i64::try_from(point).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_from_two_seconds_up_to_ten_minutes() {
        let p = OutboxPolicy::default();
        let secs: Vec<i64> = (1..=11).map(|n| p.ceiling(n).as_secs()).collect();
        assert_eq!(secs, vec![2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
        assert_eq!(p.ceiling(u32::MAX), SignedDuration::from_mins(10), "no overflow however many attempts");
    }

    #[test]
    fn a_wait_is_between_zero_and_the_ceiling_and_the_same_every_time() {
        let p = OutboxPolicy::default();
        for attempt in 1..=12 {
            for n in 0..50 {
                let id = format!("message-{n}");
                let wait = p.backoff(&id, attempt);
                assert!(wait >= SignedDuration::ZERO && wait <= p.ceiling(attempt), "{id} attempt {attempt}: {wait:?}");
                assert_eq!(wait, p.backoff(&id, attempt), "deterministic");
            }
        }
    }

    #[test]
    fn messages_failing_together_retry_at_different_times() {
        let p = OutboxPolicy::default();
        let mut waits: Vec<i64> = (0..100).map(|n| p.backoff(&format!("message-{n}"), 8).as_millis() as i64).collect();
        waits.sort_unstable();
        waits.dedup();
        assert!(waits.len() > 90, "100 messages at attempt 8 spread over 256 s: {} distinct waits", waits.len());
        let ceiling = p.ceiling(8).as_millis() as i64;
        assert!(waits.iter().any(|w| *w < ceiling / 4) && waits.iter().any(|w| *w > ceiling * 3 / 4), "spread over the whole range");
    }
}
