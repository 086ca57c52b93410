//! The client side of a request: sending attempts, timeouts, and the retry decision (which
//! failures are retried, max attempts, the quota, the breaker and the adaptive limiter, then
//! backoff and jitter), plus the request's end, success or not.

use super::events::*;
use super::*;

impl Sim {
    pub(super) fn finish_request(&mut self, key: Key, success: bool) {
        let Some(r) = self.requests.remove(key) else {
            return;
        };
        if success {
            self.metrics.success(self.now.saturating_sub(r.first_sent));
            self.limits.succeeded(r.retry_cost);
            self.trace(r.id, r.attempts, TraceKind::Succeeded);
        } else {
            self.metrics.c().failures += 1;
            self.trace(r.id, r.attempts, TraceKind::GaveUp);
        }
        self.after_request(r.origin);
    }

    /// Sends the request's next attempt now, unless the breaker or the adaptive limiter says otherwise.
    pub(super) fn start_attempt(&mut self, key: Key) {
        // A request that is gone cannot be finished twice: finish_request ignores it.
        if !self.limits.admit(self.now, &mut self.client_rng, self.metrics.c()) {
            self.finish_request(key, false);
            return;
        }
        match self.pacer.admit(self.now, key) {
            Ok(key) => self.send_attempt(key),
            Err(true) => self.schedule_limiter_wake(),
            Err(false) => {}
        }
    }

    pub(super) fn send_attempt(&mut self, key: Key) {
        if self.at_live_cap(self.attempts.len()) {
            self.finish_request(key, false);
            return;
        }
        let now = self.now;
        let Some(r) = self.requests.get_mut(key) else {
            return;
        };
        r.attempts += 1;
        let (request_id, number) = (r.id, r.attempts);
        if number > 1 {
            self.metrics.c().retries += 1;
        }
        let deadline = self.timeout.map_or(SimTime::MAX, |t| now.saturating_add(t));
        let attempt = self.attempts.insert(Attempt {
            request: key,
            request_id,
            number,
            sent_at: now,
            deadline,
            client_waiting: true,
            in_system: true,
            retry_after: SimTime::ZERO,
            in_service: false,
        });
        self.trace(request_id, number, TraceKind::Sent);
        if deadline != SimTime::MAX {
            self.schedule(deadline, Ev::Timeout { attempt });
        }
        if self.network == SimTime::ZERO {
            self.server_arrive(attempt);
        } else {
            self.schedule(now.saturating_add(self.network), Ev::ServerArrive { attempt });
        }
    }

    /// A response reaches the client.
    pub(super) fn deliver(&mut self, key: Key, outcome: Outcome) {
        let Some(a) = self.attempts.remove(key) else {
            return;
        };
        if !a.client_waiting {
            // The client gave up on this attempt: whatever was done for it is wasted.
            if outcome == Outcome::Ok {
                self.metrics.c().wasted += 1;
                self.trace(a.request_id, a.number, TraceKind::Wasted);
            }
            return;
        }
        if a.deadline != SimTime::MAX {
            self.stale += 1; // its timeout event is now dead
            self.compact_if_stale();
        }
        self.metrics.attempt_done(self.now.saturating_sub(a.sent_at));
        let throttled = matches!(outcome, Outcome::Rejected | Outcome::Throttled);
        if self.pacer.on_response(self.now, throttled) {
            self.schedule_limiter_wake();
        }
        self.limits.outcome(self.now, outcome == Outcome::Ok);
        match outcome {
            Outcome::Ok => {
                self.metrics.c().useful += 1;
                self.finish_request(a.request, true);
            }
            Outcome::Error => self.maybe_retry(a.request, Failure::Error, SimTime::ZERO),
            Outcome::Rejected => self.maybe_retry(a.request, Failure::Rejected, SimTime::ZERO),
            Outcome::Throttled => self.maybe_retry(a.request, Failure::Throttled, a.retry_after),
        }
    }

    pub(super) fn timeout_fired(&mut self, key: Key) {
        let Some(a) = self.attempts.get_mut(key) else {
            self.stale = self.stale.saturating_sub(1);
            return;
        };
        if !a.client_waiting {
            return;
        }
        a.client_waiting = false;
        let (request, request_id, number, sent_at, in_system) = (a.request, a.request_id, a.number, a.sent_at, a.in_system);
        if !in_system {
            self.attempts.remove(key);
        }
        self.metrics.c().timeouts += 1;
        self.metrics.attempt_done(self.now.saturating_sub(sent_at));
        self.trace(request_id, number, TraceKind::TimedOut);
        self.limits.outcome(self.now, false);
        self.maybe_retry(request, Failure::Timeout, SimTime::ZERO);
    }

    /// Retries the request if the policy and every limiter allow it, or gives up.
    pub(super) fn maybe_retry(&mut self, key: Key, why: Failure, retry_after: SimTime) {
        let Some(r) = self.requests.get(key) else {
            return;
        };
        let (attempts, previous, request_id) = (r.attempts, r.previous_sleep, r.id);
        let on = &self.cfg.client.retry_on;
        let retryable = match why {
            Failure::Timeout => on.timeouts,
            Failure::Error => on.errors,
            Failure::Rejected => on.rejections,
            Failure::Throttled => on.throttles,
        };
        if !retryable {
            self.metrics.c().not_retryable += 1;
            self.finish_request(key, false);
            return;
        }
        if attempts >= self.cfg.client.max_attempts {
            self.metrics.c().suppressed_max_attempts += 1;
            self.finish_request(key, false);
            return;
        }
        let Some(cost) = self.limits.allow_retry(self.now, why == Failure::Timeout, why == Failure::Throttled, self.metrics.c()) else {
            self.finish_request(key, false);
            return;
        };
        let mut previous = previous;
        let backoff = if why == Failure::Throttled { &self.backoff_throttle } else { &self.backoff };
        let mut delay = SimTime(backoff.delay(attempts - 1, &mut previous, &mut self.client_rng));
        if self.cfg.client.honor_retry_after && retry_after > SimTime::ZERO {
            // Wait out the hint, then the usual (jittered) backoff on top, so that clients
            // told the same instant do not all return at it.
            delay = retry_after.saturating_add(delay);
        }
        if let Some(r) = self.requests.get_mut(key) {
            r.previous_sleep = previous;
            if cost.is_some() {
                r.retry_cost = cost;
            }
        }
        let at = self.now.saturating_add(delay);
        self.trace(request_id, attempts, TraceKind::RetryScheduled { at });
        if delay == SimTime::ZERO {
            self.start_attempt(key);
        } else {
            self.schedule(at, Ev::Send { request: key });
        }
    }

    /// Sends as many waiting attempts as there are tokens, then waits for the next token.
    pub(super) fn release_waiting_sends(&mut self) {
        for key in self.pacer.ready(self.now) {
            self.send_attempt(key);
        }
        if self.pacer.is_waiting() {
            self.schedule_limiter_wake();
        }
    }

    /// (Re)schedules the wake-up for the first waiting send at the limiter's current rate.
    pub(super) fn schedule_limiter_wake(&mut self) {
        let (at, epoch) = self.pacer.next_wake(self.now);
        self.schedule(at, Ev::LimiterWake { epoch });
    }

    /// Drops dead timeout events once they outnumber the live ones, so memory follows live work.
    pub(super) fn compact_if_stale(&mut self) {
        if self.stale > 4_096 && self.stale * 2 > self.heap.len() {
            let attempts = &self.attempts;
            self.heap.retain(|e| match e.ev {
                Ev::Timeout { attempt } => attempts.get(attempt).is_some_and(|a| a.client_waiting),
                _ => true,
            });
            self.stale = 0;
        }
    }
}
