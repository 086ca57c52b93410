//! The client-side limits a caller puts on its own calls, shared by both engines: AWS's retry
//! quota, Finagle's ratio budget, gRPC retry throttling (which stop retries), a circuit breaker
//! and the SRE book's client-side throttling (which stop sends). One set per caller: the users
//! of the single service, or the callers into one tier of a system. Each limiter's arithmetic
//! is in its own file; this is where the engines ask them, in one order:
//!
//! ```text
//!  send ──► breaker open? ──► throttled locally? ──► attempt
//!  answer/timeout ──► breaker, gRPC tokens, throttling accepts learn from it
//!  failed ──► budget ──► gRPC tokens ──► quota (pays) ──► backoff ──► send
//! ```

use super::breaker::{Breaker, BreakerState};
use super::budgets::{Budget, Grpc, Throttling};
use super::config::LimiterConfig;
use super::metrics::Counters;
use super::quota::Quota;
use super::rng::Stream;
use super::{SimTime, keep};

#[derive(Default)]
pub(crate) struct Limits {
    quota: Option<Quota>,
    breaker: Option<Breaker>,
    budget: Option<Budget>,
    throttling: Option<Throttling>,
    grpc: Option<Grpc>,
    /// Some limiter learns from outcomes (breaker, gRPC tokens, throttling): without one, an
    /// answer costs one test here, not a call.
    learns: bool,
    /// Some limiter can refuse a send (breaker, client-side throttling).
    gates: bool,
}

impl Limits {
    /// Takes new constants; a limiter that stays on keeps its state (tokens, window, breaker).
    pub(crate) fn apply(&mut self, l: &LimiterConfig) {
        self.quota = keep(l.quota.enabled, self.quota.take(), |q| q.reconfigure(&l.quota), || Quota::new(&l.quota));
        self.breaker = keep(l.breaker.enabled, self.breaker.take(), |b| b.reconfigure(&l.breaker), || Breaker::new(&l.breaker));
        self.budget = keep(l.budget.enabled, self.budget.take(), |b| b.reconfigure(&l.budget), || Budget::new(&l.budget));
        self.throttling = keep(l.throttling.enabled, self.throttling.take(), |t| t.reconfigure(&l.throttling), || Throttling::new(&l.throttling));
        self.grpc = keep(l.grpc.enabled, self.grpc.take(), |g| g.reconfigure(&l.grpc), || Grpc::new(&l.grpc));
        self.learns = self.breaker.is_some() || self.grpc.is_some() || self.throttling.is_some();
        self.gates = self.breaker.is_some() || self.throttling.is_some();
    }

    /// A new request: the ratio budget earns its share.
    #[inline]
    pub(crate) fn deposit(&mut self, now: SimTime) {
        if let Some(b) = self.budget.as_mut() {
            b.deposit(now);
        }
    }

    /// Whether an attempt may be sent now; counts why not.
    #[inline]
    pub(crate) fn admit(&mut self, now: SimTime, rng: &mut Stream, c: &mut Counters) -> bool {
        !self.gates || self.gate(now, rng, c)
    }

    #[inline(never)]
    fn gate(&mut self, now: SimTime, rng: &mut Stream, c: &mut Counters) -> bool {
        if self.breaker.as_mut().is_some_and(|b| !b.allow(now)) {
            c.suppressed_breaker += 1;
            return false;
        }
        if let Some(t) = self.throttling.as_mut() {
            t.on_request(now);
            let p = t.reject_probability(now);
            if p > 0.0 && rng.chance(p) {
                c.rejected_client += 1;
                return false;
            }
        }
        true
    }

    /// An attempt's outcome reached the caller (a timeout is a failure).
    #[inline]
    pub(crate) fn outcome(&mut self, now: SimTime, ok: bool) {
        if self.learns {
            self.learn(now, ok);
        }
    }

    #[inline(never)]
    fn learn(&mut self, now: SimTime, ok: bool) {
        if let Some(b) = self.breaker.as_mut() {
            b.record(now, !ok);
        }
        if let Some(g) = self.grpc.as_mut() {
            if ok { g.on_success() } else { g.on_failure() }
        }
        if let (Some(t), true) = (self.throttling.as_mut(), ok) {
            t.on_accept(now);
        }
    }

    /// Whether a retry may go: budgets that bound retries as a whole first, then the quota,
    /// which pays per retry (`Some(cost)` when it paid). `None` stops it; counts why.
    pub(crate) fn allow_retry(&mut self, now: SimTime, after_timeout: bool, after_throttle: bool, c: &mut Counters) -> Option<Option<f64>> {
        if self.budget.as_mut().is_some_and(|b| !b.try_withdraw(now)) {
            c.suppressed_budget += 1;
            return None;
        }
        if self.grpc.as_ref().is_some_and(|g| !g.retry_allowed()) {
            c.suppressed_grpc += 1;
            return None;
        }
        match self.quota.as_mut().map(|q| q.try_acquire(after_timeout, after_throttle)) {
            Some(None) => {
                c.suppressed_quota += 1;
                None
            }
            Some(cost) => Some(cost),
            None => Some(None),
        }
    }

    /// A request succeeded: the quota refunds what its retry paid, or earns a little.
    #[inline]
    pub(crate) fn succeeded(&mut self, retry_cost: Option<f64>) {
        if let Some(q) = self.quota.as_mut() {
            q.on_success(retry_cost);
        }
    }

    /// (quota tokens, breaker state, gRPC tokens) for the gauges.
    pub(crate) fn gauges(&self) -> (Option<f64>, Option<BreakerState>, Option<f64>) {
        (self.quota.as_ref().map(Quota::tokens), self.breaker.as_ref().map(Breaker::state), self.grpc.as_ref().map(Grpc::tokens))
    }
}
