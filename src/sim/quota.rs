//! The AWS SDK standard mode retry quota: a token bucket that pays for retries.
//!
//! Why a budget beats a retry count: "3 attempts" triples the load exactly when the service
//! is failing, because every request fails. A quota shared by the client's requests lets
//! retries through while failures are rare and stops them when failures are common, so a
//! sick service sees little more than its first-attempt load.
//!
//! Constants (defaults): 500 tokens; a retry costs 5, a retry after a timeout 10; a
//! first-try success refunds 1; a successful retry refunds what it cost. When the quota
//! cannot pay, the request fails without retrying.

use super::config::RetryQuota;

#[derive(Clone, Debug)]
pub struct Quota {
    cfg: RetryQuota,
    tokens: f64,
}

impl Quota {
    pub fn new(cfg: &RetryQuota) -> Quota {
        Quota { cfg: cfg.clone(), tokens: cfg.capacity }
    }

    /// Takes new constants, keeping the tokens there are (at most the new capacity).
    pub fn reconfigure(&mut self, cfg: &RetryQuota) {
        self.cfg = cfg.clone();
        self.tokens = self.tokens.min(cfg.capacity);
    }

    pub fn tokens(&self) -> f64 {
        self.tokens
    }

    /// Pays for a retry after a timeout, a throttle, or another failure; `None` when the quota
    /// cannot, and the request must fail instead.
    pub fn try_acquire(&mut self, after_timeout: bool, after_throttle: bool) -> Option<f64> {
        let cost = if after_timeout {
            self.cfg.timeout_cost
        } else if after_throttle {
            self.cfg.throttle_cost
        } else {
            self.cfg.retry_cost
        };
        if self.tokens >= cost {
            self.tokens -= cost;
            Some(cost)
        } else {
            None
        }
    }

    /// A request succeeded: `retry_cost` is what its last retry paid, `None` on a first try.
    pub fn on_success(&mut self, retry_cost: Option<f64>) {
        let refund = retry_cost.unwrap_or(self.cfg.success_refund);
        self.tokens = (self.tokens + refund).min(self.cfg.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_mode_constants() {
        let mut q = Quota::new(&RetryQuota { enabled: true, ..RetryQuota::default() });
        assert_eq!(q.tokens(), 500.0);
        assert_eq!(q.try_acquire(false, false), Some(5.0));
        assert_eq!(q.try_acquire(true, false), Some(10.0));
        assert_eq!(q.tokens(), 485.0);
        q.on_success(Some(10.0));
        q.on_success(None);
        assert_eq!(q.tokens(), 496.0);
        for _ in 0..10 {
            q.on_success(None);
        }
        assert_eq!(q.tokens(), 500.0, "never above capacity");
        // 500 tokens pay for exactly 50 retries after timeouts, then none.
        let paid = (0..100).filter(|_| q.try_acquire(true, false).is_some()).count();
        assert_eq!(paid, 50);
        // The AWS SDKs' 2026 defaults: 14 tokens a transient retry, 5 after a throttle, no
        // extra for timeouts.
        let mut q = Quota::new(&RetryQuota { enabled: true, retry_cost: 14.0, timeout_cost: 14.0, throttle_cost: 5.0, ..RetryQuota::default() });
        assert_eq!((q.try_acquire(true, false), q.try_acquire(false, true), q.try_acquire(false, false)), (Some(14.0), Some(5.0), Some(14.0)));
        assert_eq!((0..100).filter(|_| q.try_acquire(false, false).is_some()).count(), 467 / 14);
    }
}
