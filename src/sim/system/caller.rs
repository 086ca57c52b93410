//! The calling side, for users and for every tier that calls the tier below: sending an
//! attempt (with the deadline that travels with it), timeouts, the retry decision with backoff
//! and jitter, and the end of a logical call.
//!
//! A deadline travels when the receiving tier honours deadlines (`server.drop_expired`): the
//! call carries the instant its caller stops waiting; that tier drops queued work past it,
//! never sends a call below after it, and bounds its own calls below by it. A tier that does
//! not honour deadlines serves everything and calls below with its own full timeout.

use super::*;

impl System {
    /// A new user request.
    pub(super) fn new_user(&mut self) {
        if self.live_full() {
            self.tiers[0].metrics.c().shed_live_cap += 1;
            return;
        }
        let key = self.users.insert(User { op: Op { first_sent: self.now, ..Op::default() }, done: false, open_calls: 0, per_tier: [0; MAX_TIERS] });
        self.send(Caller::User(key));
    }

    /// The tier a caller calls, its retry state, the deadline it must respect, and its user.
    fn caller_state(&self, caller: Caller) -> Option<(usize, Op, SimTime, Key)> {
        match caller {
            Caller::User(k) => self.users.get(k).filter(|u| !u.done).map(|u| (0, u.op, SimTime::MAX, k)),
            Caller::Call(k) => {
                let c = self.calls.get(k).filter(|c| c.stage == Stage::Calling)?;
                let t = c.tier as usize;
                let own = if self.tiers[t].cfg.drop_expired { c.deadline } else { SimTime::MAX };
                Some((t + 1, c.below, own, c.user))
            }
        }
    }

    fn set_op(&mut self, caller: Caller, op: Op) {
        match caller {
            Caller::User(k) => {
                if let Some(u) = self.users.get_mut(k) {
                    u.op = op;
                }
            }
            Caller::Call(k) => {
                if let Some(c) = self.calls.get_mut(k) {
                    c.below = op;
                }
            }
        }
    }

    /// Sends the caller's next attempt now, or queues it for an adaptive-mode token.
    pub(super) fn send(&mut self, caller: Caller) {
        let Some((target, ..)) = self.caller_state(caller) else {
            return;
        };
        match self.tiers[target].pacer.admit(self.now, caller) {
            Ok(caller) => self.send_now(caller),
            Err(true) => self.schedule_wake(target),
            Err(false) => {}
        }
    }

    /// Sends as many waiting callers as adaptive mode has tokens for, then waits for the next.
    pub(super) fn release_waiting_sends(&mut self, t: usize) {
        for caller in self.tiers[t].pacer.ready(self.now) {
            self.send_now(caller);
        }
        if self.tiers[t].pacer.is_waiting() {
            self.schedule_wake(t);
        }
    }

    /// (Re)schedules the wake-up for tier `t`'s first waiting send at the current rate.
    fn schedule_wake(&mut self, t: usize) {
        let (at, epoch) = self.tiers[t].pacer.next_wake(self.now);
        self.schedule(at, Ev::LimiterWake { tier: t as u8, epoch });
    }

    fn send_now(&mut self, caller: Caller) {
        let Some((target, mut op, own_deadline, user)) = self.caller_state(caller) else {
            return;
        };
        if self.now >= own_deadline {
            // The caller's own caller has left: a tier that knows it sends nothing more.
            if let Caller::Call(k) = caller {
                self.finish_work(k, Answer::Error);
            }
            return;
        }
        let now = self.now;
        let tier = &mut self.tiers[target];
        if op.attempts == 0 {
            tier.metrics.c().first_attempts += 1;
            tier.limits.deposit(now);
        } else {
            tier.metrics.c().retries += 1;
        }
        // An open breaker, or client-side throttling, fails the call here, unsent.
        if !tier.limits.admit(now, &mut self.client_rng, tier.metrics.c()) {
            return self.give_up(caller, target);
        }
        op.attempts += 1;
        if self.live_full() {
            self.tiers[target].metrics.c().shed_live_cap += 1;
            self.set_op(caller, op);
            self.failed(caller, Answer::Rejected);
            return;
        }
        let timeout = self.tiers[target].timeout;
        let deadline = timeout.map_or(SimTime::MAX, |d| self.now.saturating_add(d)).min(own_deadline);
        let host = self.pick_host(target);
        self.tiers[target].hosts[host].outstanding += 1;
        let key = self.calls.insert(Call {
            user,
            caller,
            tier: target as u8,
            host: host as u16,
            deadline,
            stage: Stage::Travelling,
            sent_at: self.now,
            held: true,
            started: SimTime::ZERO,
            caller_waiting: true,
            retry_after: SimTime::ZERO,
            abandoned_at: SimTime::MAX,
            cut: false,
            counted: true,
            below: Op::default(),
        });
        if let Some(u) = self.users.get_mut(user) {
            u.per_tier[target] += 1;
            u.open_calls += 1;
        }
        op.current = Some(key);
        self.set_op(caller, op);
        let net = self.tiers[target].network;
        self.schedule(self.now.saturating_add(net), Ev::Arrive { call: key });
        if deadline != SimTime::MAX {
            self.schedule(deadline, Ev::Timeout { call: key });
        }
    }

    /// The caller stops waiting for `key`.
    pub(super) fn timeout(&mut self, key: Key) {
        let Some(c) = self.calls.get_mut(key) else { return };
        if !c.caller_waiting {
            return;
        }
        c.caller_waiting = false;
        c.abandoned_at = self.now;
        let (t, caller) = (c.tier as usize, c.caller);
        let now = self.now;
        let tier = &mut self.tiers[t];
        tier.metrics.c().timeouts += 1;
        tier.limits.outcome(now, false);
        self.uncount(key);
        self.clear_current(caller);
        self.release(key);
        self.retry_or_fail(caller, Failure::Timeout, SimTime::ZERO);
    }

    /// An answer reaches the caller.
    pub(super) fn response(&mut self, key: Key, answer: Answer) {
        let Some(c) = self.calls.get_mut(key) else { return };
        c.held = false;
        if !c.caller_waiting {
            self.release(key);
            return;
        }
        c.caller_waiting = false;
        let (t, caller, sent_at, retry_after) = (c.tier as usize, c.caller, c.sent_at, c.retry_after);
        let (now, ok) = (self.now, answer == Answer::Ok);
        let tier = &mut self.tiers[t];
        tier.metrics.attempt_done(now.saturating_sub(sent_at));
        tier.limits.outcome(now, ok);
        if tier.pacer.on_response(now, matches!(answer, Answer::Rejected | Answer::Throttled)) {
            self.schedule_wake(t);
        }
        self.uncount(key);
        self.clear_current(caller);
        self.release(key);
        match answer {
            Answer::Ok => self.succeeded(caller),
            Answer::Error => self.retry_or_fail(caller, Failure::Error, SimTime::ZERO),
            Answer::Rejected => self.retry_or_fail(caller, Failure::Rejected, SimTime::ZERO),
            Answer::Throttled => self.retry_or_fail(caller, Failure::Throttled, retry_after),
        }
    }

    fn failed(&mut self, caller: Caller, answer: Answer) {
        self.clear_current(caller);
        self.retry_or_fail(caller, if answer == Answer::Rejected { Failure::Rejected } else { Failure::Error }, SimTime::ZERO);
    }

    fn clear_current(&mut self, caller: Caller) {
        if let Some((_, mut op, _, _)) = self.caller_state(caller) {
            op.current = None;
            self.set_op(caller, op);
        }
    }

    fn succeeded(&mut self, caller: Caller) {
        let Some((target, op, _, _)) = self.caller_state(caller) else { return };
        let tier = &mut self.tiers[target];
        tier.metrics.success(self.now.saturating_sub(op.first_sent));
        tier.limits.succeeded(op.retry_cost);
        match caller {
            Caller::User(k) => self.user_done(k),
            Caller::Call(k) => self.finish_work(k, Answer::Ok),
        }
    }

    /// After a failed attempt: another after a backoff, or the end of the logical call.
    fn retry_or_fail(&mut self, caller: Caller, why: Failure, retry_after: SimTime) {
        let Some((target, mut op, own_deadline, _)) = self.caller_state(caller) else { return };
        let policy = &self.tiers[target].policy;
        let retryable = match why {
            Failure::Timeout => policy.retry_on.timeouts,
            Failure::Error => policy.retry_on.errors,
            Failure::Rejected => policy.retry_on.rejections,
            Failure::Throttled => policy.retry_on.throttles,
        };
        let more = op.attempts < policy.max_attempts;
        if retryable && more {
            let tier = &mut self.tiers[target];
            match tier.limits.allow_retry(self.now, why == Failure::Timeout, why == Failure::Throttled, tier.metrics.c()) {
                None => return self.give_up(caller, target),
                Some(Some(cost)) => op.retry_cost = Some(cost),
                Some(None) => {}
            }
            let tier = &self.tiers[target];
            let backoff = if why == Failure::Throttled { tier.backoff_throttle } else { tier.backoff };
            let honour = tier.policy.honor_retry_after;
            let mut delay = SimTime(backoff.delay(op.attempts - 1, &mut op.previous_sleep, &mut self.client_rng));
            if honour && retry_after > SimTime::ZERO {
                // Wait out the hint, then the usual (jittered) backoff on top.
                delay = retry_after.saturating_add(delay);
            }
            let at = self.now.saturating_add(delay);
            if at < own_deadline {
                self.set_op(caller, op);
                self.schedule(at, Ev::Send { caller });
                return;
            }
        } else if !retryable {
            self.tiers[target].metrics.c().not_retryable += 1;
        } else {
            self.tiers[target].metrics.c().suppressed_max_attempts += 1;
        }
        self.give_up(caller, target);
    }

    /// The end of a logical call that failed: the caller answers its own caller with an error.
    fn give_up(&mut self, caller: Caller, target: usize) {
        self.tiers[target].metrics.c().failures += 1;
        match caller {
            Caller::User(k) => self.user_done(k),
            Caller::Call(k) => self.finish_work(k, Answer::Error),
        }
    }

    fn user_done(&mut self, k: Key) {
        if let Some(u) = self.users.get_mut(k) {
            u.done = true;
        }
        self.settle(k);
    }

    /// A user request whose outcome is known and whose every call has ended is settled: its
    /// calls per tier count toward exact amplification.
    fn settle(&mut self, k: Key) {
        if self.users.get(k).is_some_and(|u| u.done && u.open_calls == 0) {
            if let Some(u) = self.users.remove(k) {
                self.settled_users += 1;
                for (total, n) in self.settled_attempts.iter_mut().zip(u.per_tier) {
                    *total += u64::from(n);
                }
                let second = self.now.0 / 1_000_000;
                if self.recent.back().is_none_or(|b| b.0 != second) {
                    self.recent.push_back((second, 0, [0; MAX_TIERS]));
                    while self.recent.front().is_some_and(|f| f.0 + RECENT_S < second) {
                        self.recent.pop_front();
                    }
                }
                if let Some(b) = self.recent.back_mut() {
                    b.1 += 1;
                    for (total, n) in b.2.iter_mut().zip(u.per_tier) {
                        *total += u64::from(n);
                    }
                }
            }
        }
    }

    /// The balancer stops counting `key` on its host.
    pub(super) fn uncount(&mut self, key: Key) {
        if let Some(c) = self.calls.get_mut(key) {
            if c.counted {
                c.counted = false;
                let host = &mut self.tiers[c.tier as usize].hosts[c.host as usize];
                host.outstanding = host.outstanding.saturating_sub(1);
            }
        }
    }

    /// Forgets a call nobody holds any more.
    pub(super) fn release(&mut self, key: Key) {
        if self.calls.get(key).is_some_and(|c| !c.caller_waiting && !c.held) {
            if let Some(c) = self.calls.remove(key) {
                if let Some(u) = self.users.get_mut(c.user) {
                    u.open_calls = u.open_calls.saturating_sub(1);
                }
                self.settle(c.user);
            }
        }
    }

    /// A call's worker is gone (answered, or its host restarted): its call below, if any, is
    /// left to finish for nobody.
    pub(super) fn abandon_below(&mut self, key: Key) {
        let Some(below) = self.calls.get_mut(key).and_then(|c| c.below.current.take()) else { return };
        if let Some(b) = self.calls.get_mut(below) {
            b.caller_waiting = false;
            b.abandoned_at = self.now;
        }
        self.uncount(below);
        self.release(below);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    Timeout,
    Error,
    Rejected,
    Throttled,
}
