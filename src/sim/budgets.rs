//! Retry budgets people deploy, beside the AWS quota (quota.rs), each as published:
//!
//! - **Finagle retry budget** (`RetryBudget`): retries may be at most `ratio` of the requests
//!   of the last `ttl` (default 20 % over 10 s), plus a floor of `min_per_s` retries a second
//!   (default 10) that is always there. Finagle keeps it as a leaky bucket: each request
//!   deposits one token, a retry withdraws 1/ratio, and both expire after the TTL.
//! - **Client-side adaptive throttling** (Google SRE book, "Handling Overload"): over a sliding
//!   window (2 minutes), the client rejects a request locally, before sending it, with
//!   probability max(0, (requests − K·accepts) / (requests + 1)), K = 2. "Accepts" here are
//!   attempts answered successfully (a timeout or a rejection is not an accept), so a backend
//!   that stops answering in time is spared.
//! - **gRPC retry throttling** (proposal A6): a token count starts at `max_tokens`; every
//!   failed attempt costs 1, every success adds `token_ratio` (up to `max_tokens`); retries
//!   (not first attempts) go only while the count is above `max_tokens / 2`.
//!
//! Each bounds how much extra load retries can add, which is the figure the page shows beside
//! the amplification the run measures.

use super::config::{AdaptiveThrottling, GrpcThrottle, RatioBudget};
use super::time::SimTime;

/// A sum over a sliding window of simulated time, kept in a fixed number of slices, so its
/// memory does not depend on the rate (Finagle's and gRPC's windowed counters work this way).
#[derive(Clone, Debug)]
pub struct Windowed {
    slices: Vec<f64>,
    slice_us: u64,
    /// Index of the slice that holds `slice_start`.
    head: usize,
    slice_start: u64,
}

impl Windowed {
    const SLICES: usize = 20;

    pub fn new(window: SimTime) -> Windowed {
        Windowed { slices: vec![0.0; Self::SLICES], slice_us: (window.0 / Self::SLICES as u64).max(1), head: 0, slice_start: 0 }
    }

    /// Moves the window to `now`, expiring whole slices that fell out of it.
    fn roll(&mut self, now: SimTime) {
        let elapsed = now.0.saturating_sub(self.slice_start) / self.slice_us;
        if elapsed == 0 {
            return;
        }
        for _ in 0..elapsed.min(Self::SLICES as u64) {
            self.head = (self.head + 1) % Self::SLICES;
            self.slices[self.head] = 0.0;
        }
        self.slice_start += elapsed * self.slice_us;
    }

    pub fn add(&mut self, now: SimTime, x: f64) {
        self.roll(now);
        self.slices[self.head] += x;
    }

    pub fn sum(&mut self, now: SimTime) -> f64 {
        self.roll(now);
        self.slices.iter().sum()
    }
}

/// Finagle's retry budget.
#[derive(Clone, Debug)]
pub struct Budget {
    cfg: RatioBudget,
    balance: Windowed,
}

impl Budget {
    pub fn new(cfg: &RatioBudget) -> Budget {
        Budget { cfg: cfg.clone(), balance: Windowed::new(SimTime::from_secs_f64(cfg.ttl_s)) }
    }

    pub fn reconfigure(&mut self, cfg: &RatioBudget) {
        if cfg.ttl_s != self.cfg.ttl_s {
            self.balance = Windowed::new(SimTime::from_secs_f64(cfg.ttl_s));
        }
        self.cfg = cfg.clone();
    }

    fn withdrawal(&self) -> f64 {
        1.0 / self.cfg.ratio
    }

    /// The floor: `min_per_s` retries a second over the TTL, in tokens.
    fn reserve(&self) -> f64 {
        self.cfg.min_per_s * self.cfg.ttl_s * self.withdrawal()
    }

    /// A new request deposits one token.
    pub fn deposit(&mut self, now: SimTime) {
        self.balance.add(now, 1.0);
    }

    /// Whether a retry may go now; if so it is paid for.
    pub fn try_withdraw(&mut self, now: SimTime) -> bool {
        let w = self.withdrawal();
        if self.reserve() + self.balance.sum(now) >= w {
            self.balance.add(now, -w);
            true
        } else {
            false
        }
    }

    /// Tokens available now (the reserve included), in retries.
    pub fn retries_available(&mut self, now: SimTime) -> f64 {
        ((self.reserve() + self.balance.sum(now)) / self.withdrawal()).max(0.0)
    }
}

/// The SRE book's client-side adaptive throttling.
#[derive(Clone, Debug)]
pub struct Throttling {
    cfg: AdaptiveThrottling,
    requests: Windowed,
    accepts: Windowed,
}

impl Throttling {
    pub fn new(cfg: &AdaptiveThrottling) -> Throttling {
        let w = SimTime::from_secs_f64(cfg.window_s);
        Throttling { cfg: cfg.clone(), requests: Windowed::new(w), accepts: Windowed::new(w) }
    }

    pub fn reconfigure(&mut self, cfg: &AdaptiveThrottling) {
        if cfg.window_s != self.cfg.window_s {
            *self = Throttling::new(cfg);
        }
        self.cfg = cfg.clone();
    }

    /// The probability of rejecting the next request locally.
    pub fn reject_probability(&mut self, now: SimTime) -> f64 {
        let (r, a) = (self.requests.sum(now), self.accepts.sum(now));
        ((r - self.cfg.k * a) / (r + 1.0)).max(0.0)
    }

    /// Counts an attempt the application makes (sent or rejected locally).
    pub fn on_request(&mut self, now: SimTime) {
        self.requests.add(now, 1.0);
    }

    /// Counts an attempt the backend answered successfully.
    pub fn on_accept(&mut self, now: SimTime) {
        self.accepts.add(now, 1.0);
    }
}

/// gRPC's retry throttling.
#[derive(Clone, Debug)]
pub struct Grpc {
    cfg: GrpcThrottle,
    tokens: f64,
}

impl Grpc {
    pub fn new(cfg: &GrpcThrottle) -> Grpc {
        Grpc { cfg: cfg.clone(), tokens: cfg.max_tokens }
    }

    pub fn reconfigure(&mut self, cfg: &GrpcThrottle) {
        self.cfg = cfg.clone();
        self.tokens = self.tokens.min(cfg.max_tokens);
    }

    pub fn tokens(&self) -> f64 {
        self.tokens
    }

    pub fn on_failure(&mut self) {
        self.tokens = (self.tokens - 1.0).max(0.0);
    }

    pub fn on_success(&mut self) {
        self.tokens = (self.tokens + self.cfg.token_ratio).min(self.cfg.max_tokens);
    }

    /// Retries go only while the count is above half the maximum.
    pub fn retry_allowed(&self) -> bool {
        self.tokens > self.cfg.max_tokens / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: f64) -> SimTime {
        SimTime::from_secs_f64(s)
    }

    #[test]
    fn finagle_budget_allows_twenty_percent_plus_ten_a_second() {
        let cfg = RatioBudget { enabled: true, ..RatioBudget::default() };
        assert_eq!((cfg.ratio, cfg.min_per_s, cfg.ttl_s), (0.2, 10.0, 10.0));
        let mut b = Budget::new(&cfg);
        // No requests yet: the floor alone, 10/s over 10 s.
        assert!((b.retries_available(at(0.0)) - 100.0).abs() < 1e-9);
        // 1,000 requests deposit 200 retries' worth on top.
        for _ in 0..1_000 {
            b.deposit(at(1.0));
        }
        assert!((b.retries_available(at(1.0)) - 300.0).abs() < 1e-9);
        let paid = (0..1_000).filter(|_| b.try_withdraw(at(1.0))).count();
        assert_eq!(paid, 300);
        // The deposits and withdrawals expire after the TTL; the floor stays.
        assert!((b.retries_available(at(12.0)) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn sre_throttling_rejects_by_the_books_formula() {
        let cfg = AdaptiveThrottling { enabled: true, ..AdaptiveThrottling::default() };
        assert_eq!((cfg.k, cfg.window_s), (2.0, 120.0));
        let mut t = Throttling::new(&cfg);
        for _ in 0..100 {
            t.on_request(at(1.0));
        }
        for _ in 0..20 {
            t.on_accept(at(1.0));
        }
        // (100 − 2·20) / (100 + 1)
        assert!((t.reject_probability(at(1.0)) - 60.0 / 101.0).abs() < 1e-12);
        for _ in 0..40 {
            t.on_accept(at(1.0));
        }
        assert_eq!(t.reject_probability(at(1.0)), 0.0, "at K·accepts ≥ requests nothing is rejected");
        assert_eq!(t.reject_probability(at(200.0)), 0.0, "the window forgets");
    }

    #[test]
    fn grpc_throttling_stops_retries_at_half_the_tokens() {
        let cfg = GrpcThrottle { enabled: true, ..GrpcThrottle::default() };
        assert_eq!((cfg.max_tokens, cfg.token_ratio), (10.0, 0.1));
        let mut g = Grpc::new(&cfg);
        assert!(g.retry_allowed());
        for _ in 0..4 {
            g.on_failure();
        }
        assert!(g.retry_allowed(), "6 > 5");
        g.on_failure();
        assert!(!g.retry_allowed(), "5 is not above 5");
        g.on_success();
        assert!((g.tokens() - 5.1).abs() < 1e-12);
        assert!(g.retry_allowed());
        for _ in 0..200 {
            g.on_success();
        }
        assert_eq!(g.tokens(), 10.0, "never above max_tokens");
    }

    #[test]
    fn a_window_forgets_slice_by_slice() {
        let mut w = Windowed::new(at(10.0));
        w.add(at(0.1), 5.0);
        w.add(at(6.0), 1.0);
        assert_eq!(w.sum(at(9.9)), 6.0);
        assert_eq!(w.sum(at(10.6)), 1.0, "the first slice expired");
        assert_eq!(w.sum(at(100.0)), 0.0);
    }
}
