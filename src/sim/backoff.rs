//! How long a client waits before retry n, exactly as Brooker's "Exponential Backoff And
//! Jitter" (AWS Architecture Blog, 2015) defines it.
//!
//! With `expo(n) = min(cap, base · 2^n)`:
//!
//! | jitter        | sleep before retry n                                   |
//! |---------------|--------------------------------------------------------|
//! | none          | `expo(n)`                                              |
//! | full          | `uniform(0, expo(n))`                                  |
//! | equal         | `expo(n)/2 + uniform(0, expo(n)/2)`                    |
//! | decorrelated  | `min(cap, uniform(base, 3 · previous))`, previous starts at base |
//!
//! **Indexing.** `n` counts the backoffs already taken, from 0: the first retry waits
//! `uniform(0, base)`, the second `uniform(0, 2·base)`. That is the talk's
//! `randint(0, base * 2 ** attempt)` and the AWS SDKs' `rand(0,1) · min(base · 2^(attempt-1), cap)`.
//! Brooker's 2015 simulator counts from 1; the contention experiment ([`super::contention`])
//! follows it there.
//!
//! Why jitter: without it, clients that failed together retry together, and every retry wave
//! is as spiky as the failure that started it. Full jitter spreads each wave evenly over its
//! window; decorrelated jitter grows each client's window from its own last sleep.
//!
//! The arithmetic saturates rather than overflows: `base · 2^n` for large n is the cap.

use super::config::{BackoffKind, ClientConfig, JitterKind};
use super::rng::Stream;
use super::time::SimTime;

/// A backoff policy in engine units (microseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub kind: BackoffKind,
    pub jitter: JitterKind,
    /// Microseconds.
    pub base: u64,
    /// Microseconds; `u64::MAX` when uncapped.
    pub cap: u64,
}

impl Backoff {
    pub fn from_config(c: &ClientConfig) -> Backoff {
        Backoff {
            kind: c.backoff,
            jitter: c.jitter,
            base: SimTime::from_millis_f64(c.base_ms).0,
            cap: c.cap_ms.map_or(u64::MAX, |cap| SimTime::from_millis_f64(cap).0),
        }
    }

    /// The backoff after a throttling error: the same, from `throttle_base_ms` when set.
    pub fn for_throttles(c: &ClientConfig) -> Backoff {
        let mut b = Backoff::from_config(c);
        if let Some(base) = c.throttle_base_ms {
            b.base = SimTime::from_millis_f64(base).0;
        }
        b
    }

    /// The un-jittered backoff before retry `n`: 0, `min(cap, base)`, or `min(cap, base · 2^n)`.
    pub fn expo(&self, n: u32) -> u64 {
        match self.kind {
            BackoffKind::None => 0,
            BackoffKind::Constant => self.base.min(self.cap),
            BackoffKind::Exponential => {
                let factor = 1u64.checked_shl(n).unwrap_or(u64::MAX);
                self.base.saturating_mul(factor).min(self.cap)
            }
        }
    }

    /// The sleep before retry `n` (backoffs already taken). `previous` is the client's last
    /// sleep for decorrelated jitter: pass `None` before the first retry; it is updated.
    pub fn delay(&self, n: u32, previous: &mut Option<u64>, rng: &mut Stream) -> u64 {
        if self.kind == BackoffKind::None {
            return 0;
        }
        let e = self.expo(n);
        let d = match self.jitter {
            JitterKind::None => e,
            JitterKind::Full => rng.up_to(e),
            JitterKind::Equal => e / 2 + rng.up_to(e - e / 2),
            JitterKind::Decorrelated => {
                let prev = previous.unwrap_or(self.base);
                rng.between(self.base, prev.saturating_mul(3)).min(self.cap)
            }
        };
        *previous = Some(d);
        d
    }

    /// The smallest and largest sleep retry `n` can draw. For decorrelated jitter this is over
    /// every history: the upper end grows as `base · 3^(n+1)`, capped.
    pub fn range(&self, n: u32) -> (u64, u64) {
        if self.kind == BackoffKind::None {
            return (0, 0);
        }
        let e = self.expo(n);
        match self.jitter {
            JitterKind::None => (e, e),
            JitterKind::Full => (0, e),
            JitterKind::Equal => (e / 2, e),
            JitterKind::Decorrelated => {
                let factor = 3u64.checked_pow(n.saturating_add(1)).unwrap_or(u64::MAX);
                (self.base.min(self.cap), self.base.saturating_mul(factor).min(self.cap))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(kind: BackoffKind, jitter: JitterKind, base_ms: u64, cap_ms: Option<u64>) -> Backoff {
        Backoff { kind, jitter, base: base_ms * 1000, cap: cap_ms.map_or(u64::MAX, |c| c * 1000) }
    }

    #[test]
    fn exponential_doubles_then_caps_and_never_overflows() {
        let b = policy(BackoffKind::Exponential, JitterKind::None, 100, Some(1_000));
        let v: Vec<u64> = (0..6).map(|n| b.expo(n) / 1000).collect();
        assert_eq!(v, [100, 200, 400, 800, 1000, 1000]);
        let uncapped = policy(BackoffKind::Exponential, JitterKind::None, 100, None);
        assert_eq!(uncapped.expo(200), u64::MAX);
        assert_eq!(policy(BackoffKind::Constant, JitterKind::None, 100, Some(50)).expo(9), 50_000);
    }

    #[test]
    fn full_jitter_is_the_talks_randint() {
        // randint(0, base * 2 ** attempt) with base 10 ms: attempt 0 → [0, 10], attempt 3 → [0, 80].
        let b = policy(BackoffKind::Exponential, JitterKind::Full, 10, None);
        let mut rng = Stream::new(3, "t");
        let mut prev = None;
        let draws: Vec<u64> = (0..10_000).map(|_| b.delay(3, &mut prev, &mut rng)).collect();
        assert!(draws.iter().all(|&d| d <= 80_000));
        assert!(draws.iter().any(|&d| d < 4_000) && draws.iter().any(|&d| d > 76_000));
    }

    #[test]
    fn decorrelated_grows_from_the_previous_sleep() {
        let b = policy(BackoffKind::Exponential, JitterKind::Decorrelated, 10, Some(1_000));
        let mut rng = Stream::new(4, "t");
        let mut prev = None;
        let first = b.delay(0, &mut prev, &mut rng);
        assert!((10_000..=30_000).contains(&first));
        let second = b.delay(1, &mut prev, &mut rng);
        assert!(second >= 10_000 && second <= (first * 3).min(1_000_000));
    }

    #[test]
    fn no_backoff_means_no_wait_whatever_the_jitter() {
        let b = policy(BackoffKind::None, JitterKind::Full, 10, None);
        let mut rng = Stream::new(5, "t");
        assert_eq!(b.delay(4, &mut None, &mut rng), 0);
        assert_eq!(b.range(4), (0, 0));
    }
}
