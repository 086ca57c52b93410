//! AWS SDK adaptive retry mode: a client-side rate limiter whose rate follows CUBIC.
//!
//! Standard mode decides *whether* to retry; adaptive mode also decides *when any request may
//! be sent*. It stays out of the way until the first throttling response. From then on every
//! send (first attempts and retries) takes a token from a bucket whose fill rate CUBIC sets:
//!
//! - on a throttle: `W_max` ← the rate in use, `K = ((W_max · (1 − β)) / C)^(1/3)`,
//!   rate ← `W_max · β`;
//! - on a success: rate ← `C · (t − t_last_throttle − K)^3 + W_max`;
//! - either way the rate is capped at twice the measured response rate, which is smoothed
//!   (factor 0.8) over 0.5 s buckets; the fill rate is at least 0.5 requests/s and the
//!   bucket holds at least 1 token.
//!
//! Constants follow botocore's `retries/adaptive.py` and `retries/bucket.py`. When no token
//! is available the send waits (it is delayed, not failed): waiting sends queue at the client
//! and leave in order as tokens arrive, at whatever rate CUBIC sets meanwhile. Both queue-full rejections and
//! throttles count as throttling responses (HTTP 503 and 429 both do in the SDKs).
//! AWS notes that this mode suits a client used by one tenant, not one shared by many.

use super::config::Adaptive as AdaptiveConfig;
use super::time::SimTime;

#[derive(Clone, Debug)]
pub struct AdaptiveLimiter {
    cfg: AdaptiveConfig,
    enabled: bool,
    // Token bucket.
    fill_rate: f64,
    max_capacity: f64,
    tokens: f64,
    last_refill: f64,
    // Measured response rate.
    measured_rate: f64,
    last_bucket: f64,
    count: f64,
    // CUBIC.
    w_max: f64,
    k: f64,
    last_fail: f64,
}

impl AdaptiveLimiter {
    pub fn new(cfg: &AdaptiveConfig, now: SimTime) -> AdaptiveLimiter {
        let t = now.as_secs_f64();
        let mut a = AdaptiveLimiter {
            cfg: cfg.clone(),
            enabled: false,
            fill_rate: cfg.min_rate_per_s,
            max_capacity: 1.0,
            tokens: 1.0,
            last_refill: t,
            measured_rate: 0.0,
            last_bucket: (t / cfg.bucket_s).floor() * cfg.bucket_s,
            count: 0.0,
            w_max: cfg.min_rate_per_s,
            k: 0.0,
            last_fail: t,
        };
        a.k = a.zero_point();
        a
    }

    pub fn reconfigure(&mut self, cfg: &AdaptiveConfig) {
        self.cfg = cfg.clone();
        self.k = self.zero_point();
    }

    /// Whether the first throttle has switched the limiter on.
    pub fn is_limiting(&self) -> bool {
        self.enabled
    }

    /// The current send rate allowed, requests per second (meaningful once limiting).
    pub fn rate(&self) -> f64 {
        self.fill_rate
    }

    /// The smoothed measured response rate, per second.
    pub fn measured_rate(&self) -> f64 {
        self.measured_rate
    }

    fn zero_point(&self) -> f64 {
        ((self.w_max * (1.0 - self.cfg.beta)) / self.cfg.scale).cbrt()
    }

    fn refill(&mut self, t: f64) {
        if t > self.last_refill {
            self.tokens = (self.tokens + (t - self.last_refill) * self.fill_rate).min(self.max_capacity);
            self.last_refill = t;
        }
    }

    /// Takes a token for one send now, if there is one (always, before the first throttle).
    pub fn try_take(&mut self, now: SimTime) -> bool {
        if !self.enabled {
            return true;
        }
        self.refill(now.as_secs_f64());
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// How long from `now` until the next whole token, at the current fill rate.
    pub fn next_token_in(&mut self, now: SimTime) -> SimTime {
        self.refill(now.as_secs_f64());
        let missing = (1.0 - self.tokens).max(0.0);
        SimTime::from_secs_f64(missing / self.fill_rate).max(SimTime(1))
    }

    /// Feeds one response (throttled or not) to the rate measurement and to CUBIC.
    pub fn on_response(&mut self, now: SimTime, throttled: bool) {
        let t = now.as_secs_f64();
        // The measured rate: responses per bucket, smoothed.
        self.count += 1.0;
        let bucket = (t / self.cfg.bucket_s).floor() * self.cfg.bucket_s;
        if bucket > self.last_bucket {
            let current = self.count / (bucket - self.last_bucket);
            self.measured_rate = current * self.cfg.smoothing + self.measured_rate * (1.0 - self.cfg.smoothing);
            self.count = 0.0;
            self.last_bucket = bucket;
        }
        let new_rate = if throttled {
            let rate_in_use = if self.enabled { self.measured_rate.min(self.fill_rate) } else { self.measured_rate };
            self.w_max = rate_in_use;
            self.k = self.zero_point();
            self.last_fail = t;
            self.enabled = true;
            rate_in_use * self.cfg.beta
        } else {
            let dt = t - self.last_fail - self.k;
            self.cfg.scale * dt * dt * dt + self.w_max
        };
        let capped = new_rate.min(2.0 * self.measured_rate);
        self.refill(t);
        self.fill_rate = capped.max(self.cfg.min_rate_per_s);
        self.max_capacity = capped.max(1.0);
        self.tokens = self.tokens.min(self.max_capacity);
    }
}

/// Adaptive mode as a caller uses it: the limiter, the sends waiting for its tokens (first
/// come, first served) and which wake-up is the current one. Both engines pace through it.
#[derive(Clone, Debug)]
pub(crate) struct Pacer<T> {
    limiter: Option<AdaptiveLimiter>,
    waiting: std::collections::VecDeque<T>,
    epoch: u32,
}

impl<T> Default for Pacer<T> {
    fn default() -> Self {
        Pacer { limiter: None, waiting: std::collections::VecDeque::new(), epoch: 0 }
    }
}

impl<T> Pacer<T> {
    /// Takes new constants; a limiter that stays on keeps its state.
    pub(crate) fn apply(&mut self, cfg: &AdaptiveConfig, now: SimTime) {
        self.limiter = super::keep(cfg.enabled, self.limiter.take(), |a| a.reconfigure(cfg), || AdaptiveLimiter::new(cfg, now));
    }

    /// `Ok(item)`: it goes now. `Err(first)`: it waits its turn; `first` when it is first in
    /// line, so a wake-up must be scheduled ([`Pacer::next_wake`]).
    pub(crate) fn admit(&mut self, now: SimTime, item: T) -> Result<T, bool> {
        let Some(a) = self.limiter.as_mut() else { return Ok(item) };
        if self.waiting.is_empty() && a.try_take(now) {
            return Ok(item);
        }
        self.waiting.push_back(item);
        Err(self.waiting.len() == 1)
    }

    /// The waiting sends whose turn has come (as many as there are tokens, or all of them
    /// once the limiter is switched off), and those no longer `alive`, which leave the line
    /// without spending a token.
    pub(crate) fn ready(&mut self, now: SimTime, alive: impl Fn(&T) -> bool) -> (Vec<T>, Vec<T>) {
        let (mut ready, mut dead) = (Vec::new(), Vec::new());
        while let Some(first) = self.waiting.front() {
            if !alive(first) {
                dead.extend(self.waiting.pop_front());
                continue;
            }
            if self.limiter.as_mut().is_some_and(|a| !a.try_take(now)) {
                break;
            }
            ready.extend(self.waiting.pop_front());
        }
        (ready, dead)
    }

    pub(crate) fn is_waiting(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// A new wake-up for the first waiting send, at the current rate: when, and its epoch
    /// (an older wake-up is stale, [`Pacer::is_current`]).
    pub(crate) fn next_wake(&mut self, now: SimTime) -> (SimTime, u32) {
        self.epoch = self.epoch.wrapping_add(1);
        let wait = self.limiter.as_mut().map_or(SimTime::ZERO, |a| a.next_token_in(now));
        (now.saturating_add(wait), self.epoch)
    }

    pub(crate) fn is_current(&self, epoch: u32) -> bool {
        epoch == self.epoch
    }

    /// A response reached the caller: the limiter learns from it. True when sends wait, whose
    /// wake-up must move to the new rate.
    pub(crate) fn on_response(&mut self, now: SimTime, throttled: bool) -> bool {
        match self.limiter.as_mut() {
            Some(a) => {
                a.on_response(now, throttled);
                !self.waiting.is_empty()
            }
            None => false,
        }
    }

    /// The send rate, once the limiter is limiting.
    pub(crate) fn send_rate(&self) -> Option<f64> {
        self.limiter.as_ref().filter(|a| a.is_limiting()).map(AdaptiveLimiter::rate)
    }

    /// Bytes the waiting queue holds.
    pub(crate) fn bytes(&self) -> usize {
        self.waiting.capacity() * std::mem::size_of::<T>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_until_the_first_throttle_then_rate_drops_by_beta_and_recovers() {
        let cfg = AdaptiveConfig { enabled: true, ..AdaptiveConfig::default() };
        let mut a = AdaptiveLimiter::new(&cfg, SimTime::ZERO);
        // 100 responses/s for 3 s: no throttle, no limiting.
        for i in 0..300 {
            let now = SimTime::from_millis(i * 10);
            assert!(a.try_take(now));
            a.on_response(now, false);
        }
        assert!(!a.is_limiting());
        let measured = a.measured_rate();
        assert!((measured - 100.0).abs() < 5.0, "{measured}");
        a.on_response(SimTime::from_millis(3_000), true);
        assert!(a.is_limiting());
        let after = a.rate();
        assert!((after - 0.7 * measured).abs() < 5.0, "{after} vs {measured}");
        // Successes grow the rate back along the cubic, beyond W_max after K seconds.
        for i in 0..1000 {
            a.on_response(SimTime::from_millis(3_000 + i * 10), false);
        }
        assert!(a.rate() > after);
    }

    #[test]
    fn a_limited_client_gets_tokens_at_the_fill_rate() {
        let cfg = AdaptiveConfig { enabled: true, ..AdaptiveConfig::default() };
        let mut a = AdaptiveLimiter::new(&cfg, SimTime::ZERO);
        a.on_response(SimTime::ZERO, true); // measured rate 0: the minimum 0.5/s applies
        assert_eq!(a.rate(), 0.5);
        assert!(a.try_take(SimTime::ZERO), "the bucket starts with one token");
        assert!(!a.try_take(SimTime::ZERO));
        assert_eq!(a.next_token_in(SimTime::ZERO), SimTime::from_secs(2));
        assert!(a.try_take(SimTime::from_secs(2)));
    }
}
