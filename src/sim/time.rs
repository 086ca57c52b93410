//! Simulated time.
//!
//! Time in the engine is an integer count of microseconds since the start of a run. Integers
//! make runs exactly reproducible on every target (no floating-point drift between x86_64 and
//! wasm32) and make "at the same instant" a precise notion: two events at one `SimTime` are
//! ordered by their sequence number, first scheduled first.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An instant or a duration of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// From seconds; negative, NaN or huge values saturate to 0 or `MAX`.
    pub fn from_secs_f64(s: f64) -> SimTime {
        SimTime::from_micros_f64(s * 1e6)
    }

    /// From milliseconds; negative, NaN or huge values saturate to 0 or `MAX`.
    pub fn from_millis_f64(ms: f64) -> SimTime {
        SimTime::from_micros_f64(ms * 1e3)
    }

    /// From microseconds, rounded to the nearest (so sampled durations keep their mean);
    /// negative or NaN values give 0, huge ones `MAX`.
    #[inline]
    pub fn from_micros_f64(us: f64) -> SimTime {
        // Adding 0.5 and truncating rounds to nearest without a libm call. Through `i64`, whose
        // conversion is one instruction and a fix-up (a `u64` one needs the 2^63 case too: 16
        // instructions on every arrival and service time): below 2^63 it saturates negative
        // values to 0 and maps NaN to 0 (NaN fails the test); at or above it, `MAX`.
        let x = us + 0.5;
        if x >= 9.223_372_036_854_775e18 { SimTime::MAX } else { SimTime((x as i64).max(0) as u64) }
    }

    pub fn from_millis(ms: u64) -> SimTime {
        SimTime(ms.saturating_mul(1_000))
    }

    pub fn from_secs(s: u64) -> SimTime {
        SimTime(s.saturating_mul(1_000_000))
    }

    pub fn as_micros(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }

    pub fn saturating_add(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    pub fn saturating_sub(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} s", self.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_and_saturate() {
        assert_eq!(SimTime::from_millis_f64(1.5), SimTime(1_500));
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime(0));
        assert_eq!(SimTime::from_secs_f64(f64::NAN), SimTime(0));
        assert_eq!(SimTime::from_secs_f64(1e300), SimTime::MAX);
        assert_eq!(SimTime::from_secs(2).as_millis_f64(), 2_000.0);
        assert_eq!(SimTime::MAX.saturating_add(SimTime(1)), SimTime::MAX);
    }
}

#[cfg(test)]
mod conversion_tests {
    use super::SimTime;

    #[test]
    fn from_micros_f64_rounds_and_saturates() {
        for (us, want) in [(0.0, 0), (0.49, 0), (0.5, 1), (1.4, 1), (1e15 + 0.6, 1_000_000_000_000_001), (-3.0, 0), (f64::NAN, 0), (f64::NEG_INFINITY, 0)] {
            assert_eq!(SimTime::from_micros_f64(us), SimTime(want), "{us}");
        }
        for us in [9.3e18, 1.8e19, 1e300, f64::INFINITY] {
            assert_eq!(SimTime::from_micros_f64(us), SimTime::MAX, "{us}");
        }
        // Just below 2^63: a finite time, as before.
        assert_eq!(SimTime::from_micros_f64(9.2e18), SimTime(9_200_000_000_000_000_000));
    }
}
