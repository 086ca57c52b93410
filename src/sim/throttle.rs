//! The server's own rate limit: a token bucket that rejects above a rate and tells the client
//! when a token will be there ("retry after"), so a client that honours the hint backs off by
//! exactly as much as the server needs. This is pushback, the server's half of back pressure.

use super::config::Throttle;
use super::time::SimTime;

#[derive(Clone, Debug)]
pub struct ServerThrottle {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: SimTime,
}

impl ServerThrottle {
    pub fn new(cfg: &Throttle, now: SimTime) -> ServerThrottle {
        ServerThrottle { rate: cfg.rate_per_s, burst: cfg.burst, tokens: cfg.burst, last: now }
    }

    pub fn reconfigure(&mut self, cfg: &Throttle, now: SimTime) {
        self.refill(now);
        self.rate = cfg.rate_per_s;
        self.burst = cfg.burst;
        self.tokens = self.tokens.min(self.burst);
    }

    fn refill(&mut self, now: SimTime) {
        let dt = now.saturating_sub(self.last).as_secs_f64();
        self.tokens = (self.tokens + dt * self.rate).min(self.burst);
        self.last = now;
    }

    /// `Ok(())` admits the request; `Err(retry_after)` throttles it.
    pub fn admit(&mut self, now: SimTime) -> Result<(), SimTime> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(SimTime::from_secs_f64((1.0 - self.tokens) / self.rate).max(SimTime(1)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_the_burst_then_the_rate_and_says_when_to_return() {
        let mut t = ServerThrottle::new(&Throttle { enabled: true, rate_per_s: 10.0, burst: 2.0 }, SimTime::ZERO);
        assert!(t.admit(SimTime::ZERO).is_ok());
        assert!(t.admit(SimTime::ZERO).is_ok());
        assert_eq!(t.admit(SimTime::ZERO), Err(SimTime::from_millis(100)));
        assert!(t.admit(SimTime::from_millis(100)).is_ok());
    }
}
