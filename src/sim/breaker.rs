//! A circuit breaker with closed, open and half-open states (resilience4j's count-based
//! semantics and defaults).
//!
//! ```text
//!            failure share ≥ threshold over a full window
//!   CLOSED ───────────────────────────────────────────────► OPEN ── calls fail fast
//!     ▲                                                      │
//!     │ probes mostly succeed          open_ms has passed    ▼
//!     └──────────────────────────── HALF-OPEN ◄──────────────┘
//!                                      │ probes fail ≥ threshold → OPEN again
//! ```
//!
//! While open, every call (first attempts and retries alike) fails at once without reaching
//! the service, which gives an overloaded service room to drain its queue. Results that
//! arrive while open (stragglers sent before it opened) are not counted.

use super::config::Breaker as BreakerConfig;
use super::time::SimTime;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Clone, Debug)]
pub struct Breaker {
    cfg: BreakerConfig,
    open_for: SimTime,
    state: BreakerState,
    open_until: SimTime,
    /// Ring of the last `window` results in the closed state; true is a failure.
    ring: Vec<bool>,
    next: usize,
    filled: usize,
    failures: usize,
    probes_admitted: u32,
    probe_results: u32,
    probe_failures: u32,
}

impl Breaker {
    pub fn new(cfg: &BreakerConfig) -> Breaker {
        Breaker {
            cfg: cfg.clone(),
            open_for: SimTime::from_millis_f64(cfg.open_ms),
            state: BreakerState::Closed,
            open_until: SimTime::ZERO,
            ring: vec![false; cfg.window as usize],
            next: 0,
            filled: 0,
            failures: 0,
            probes_admitted: 0,
            probe_results: 0,
            probe_failures: 0,
        }
    }

    /// Takes new constants; a new window size starts the window afresh.
    pub fn reconfigure(&mut self, cfg: &BreakerConfig) {
        if cfg.window != self.cfg.window {
            self.ring = vec![false; cfg.window as usize];
            self.next = 0;
            self.filled = 0;
            self.failures = 0;
        }
        self.cfg = cfg.clone();
        self.open_for = SimTime::from_millis_f64(cfg.open_ms);
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Whether a call may go out now; moves open → half-open once `open_ms` has passed.
    pub fn allow(&mut self, now: SimTime) -> bool {
        match self.state {
            BreakerState::Closed => true,
            BreakerState::Open if now >= self.open_until => {
                self.state = BreakerState::HalfOpen;
                self.probes_admitted = 1;
                self.probe_results = 0;
                self.probe_failures = 0;
                true
            }
            BreakerState::Open => false,
            BreakerState::HalfOpen if self.probes_admitted < self.cfg.half_open_probes => {
                self.probes_admitted += 1;
                true
            }
            BreakerState::HalfOpen => false,
        }
    }

    /// Records the outcome of a call.
    pub fn record(&mut self, now: SimTime, failure: bool) {
        match self.state {
            BreakerState::Closed => {
                if self.filled == self.ring.len() {
                    self.failures -= usize::from(self.ring[self.next]);
                } else {
                    self.filled += 1;
                }
                self.ring[self.next] = failure;
                self.failures += usize::from(failure);
                self.next = (self.next + 1) % self.ring.len();
                if self.filled == self.ring.len() && self.failures as f64 >= self.cfg.failure_threshold * self.ring.len() as f64 {
                    self.open(now);
                }
            }
            BreakerState::Open => {}
            BreakerState::HalfOpen => {
                self.probe_results += 1;
                self.probe_failures += u32::from(failure);
                if self.probe_results >= self.cfg.half_open_probes {
                    if f64::from(self.probe_failures) >= self.cfg.failure_threshold * f64::from(self.probe_results) {
                        self.open(now);
                    } else {
                        self.state = BreakerState::Closed;
                        self.next = 0;
                        self.filled = 0;
                        self.failures = 0;
                    }
                }
            }
        }
    }

    fn open(&mut self, now: SimTime) {
        self.state = BreakerState::Open;
        self.open_until = now.saturating_add(self.open_for);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> BreakerConfig {
        BreakerConfig { enabled: true, failure_threshold: 0.5, window: 4, open_ms: 1_000.0, half_open_probes: 2 }
    }

    #[test]
    fn opens_on_a_full_window_of_failures_then_probes_then_closes() {
        let mut b = Breaker::new(&cfg());
        let t = SimTime::from_millis;
        for _ in 0..3 {
            b.record(t(0), true);
        }
        assert_eq!(b.state(), BreakerState::Closed, "window not full yet");
        b.record(t(0), false);
        assert_eq!(b.state(), BreakerState::Open, "3 of 4 failed");
        assert!(!b.allow(t(999)));
        assert!(b.allow(t(1_000)));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(b.allow(t(1_000)));
        assert!(!b.allow(t(1_000)), "only 2 probes");
        b.record(t(1_010), false);
        b.record(t(1_020), false);
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn failed_probes_reopen() {
        let mut b = Breaker::new(&cfg());
        for _ in 0..4 {
            b.record(SimTime::ZERO, true);
        }
        assert!(b.allow(SimTime::from_millis(1_000)));
        b.record(SimTime::from_millis(1_001), true);
        b.record(SimTime::from_millis(1_002), false);
        assert_eq!(b.state(), BreakerState::Open);
        assert!(!b.allow(SimTime::from_millis(1_500)));
    }
}
