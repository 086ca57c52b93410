//! The calling side of every tier, users included: sending an attempt (with the deadline that
//! travels with it), its timeout, the answer, **the one place a retry is decided**
//! ([`Sim::retry_or_fail`]: which failures are retried, max attempts, the limiters, backoff and
//! jitter, the deadline), and the end of a logical call, success or not.
//!
//! A user is the caller of the edge; a call being served at tier `t` whose kind calls another
//! tier is the caller of that tier, and its worker waits with it. Both go through the same
//! functions with the callee tier's policy (`client`), limiters and adaptive mode.
//!
//! A deadline travels when the calling tier honours deadlines (`server.drop_expired`): the
//! call below carries the instant its caller stops waiting; no attempt is sent, and no retry
//! scheduled, after it. A tier that does not honour deadlines calls below with its own full
//! timeout, for as long as its policy allows.

use super::events::*;
use super::*;

impl Sim {
    /// The retry state of a caller still waiting for its call.
    pub(super) fn op(&self, caller: Caller) -> Option<&Op> {
        match caller.who() {
            Who::User(k) => self.users.get(k).filter(|u| !u.done).map(|u| &u.op),
            Who::Call(k) => self.calls.get(k).filter(|c| c.stage == Stage::Calling).and_then(|c| c.below.get()).and_then(|b| self.ops.get(b)),
        }
    }

    fn op_mut(&mut self, caller: Caller) -> Option<&mut Op> {
        match caller.who() {
            Who::User(k) => self.users.get_mut(k).filter(|u| !u.done).map(|u| &mut u.op),
            Who::Call(k) => self.calls.get(k).filter(|c| c.stage == Stage::Calling).and_then(|c| c.below.get()).and_then(|b| self.ops.get_mut(b)),
        }
    }

    /// A served call at tier `from` calls tier `to` while its worker waits.
    pub(super) fn call_tier(&mut self, key: Key, to: usize) {
        let id = self.next_op_id;
        let Some(c) = self.calls.get(key) else { return };
        let deadline = if self.tiers[c.tier as usize].server.drop_expired { c.deadline } else { SimTime::MAX };
        let op = self.ops.insert(Op::new(id, to, self.now, deadline));
        if let Some(c) = self.calls.get_mut(key) {
            c.stage = Stage::Calling;
            c.below = MaybeKey::some(op);
        }
        self.next_op_id += 1;
        let tier = &mut self.tiers[to];
        tier.metrics.c().first_attempts += 1;
        tier.open_ops += 1;
        tier.limits.deposit(self.now);
        self.start_attempt(Caller::call(key));
    }

    /// Sends the caller's next attempt now, unless its deadline has passed, the breaker or
    /// client-side throttling refuses it, or adaptive mode makes it wait for a token.
    pub(super) fn start_attempt(&mut self, caller: Caller) {
        let Some(op) = self.op(caller) else { return };
        let (t, deadline) = (op.tier as usize, op.deadline);
        if deadline != SimTime::MAX && self.now >= deadline {
            // Its own caller has left: a tier that knows it sends nothing more.
            return self.give_up(caller);
        }
        self.try_send(caller, t);
    }

    /// [`Sim::start_attempt`] for a caller known to wait, before its deadline, for a call to
    /// tier `t` (a new user request: looking it up again cost every request 20 instructions).
    #[inline]
    pub(super) fn try_send(&mut self, caller: Caller, t: usize) {
        let tier = &mut self.tiers[t];
        if !tier.limits.admit(self.now, &mut self.client_rng, tier.metrics.c()) {
            return self.give_up(caller);
        }
        match self.tiers[t].pacer.admit(self.now, caller) {
            Ok(caller) => self.send_now(caller, t),
            Err(true) => self.schedule_limiter_wake(t),
            Err(false) => {}
        }
    }

    /// Sends an attempt that waited for adaptive mode's token, unless its caller has left.
    pub(super) fn send_attempt(&mut self, caller: Caller) {
        let Some(op) = self.op(caller) else { return };
        let (t, deadline) = (op.tier as usize, op.deadline);
        if deadline != SimTime::MAX && self.now >= deadline {
            // It waited past its caller's deadline.
            return self.give_up(caller);
        }
        self.send_now(caller, t);
    }

    /// Sends the caller's attempt to tier `t` now (its deadline already checked).
    fn send_now(&mut self, caller: Caller, t: usize) {
        if self.at_live_cap(t, self.calls.len()) {
            return self.give_up(caller);
        }
        let now = self.now;
        // The attempt is counted in its logical call, and in its user request's tree.
        let (user, op) = match caller.who() {
            Who::User(k) => {
                let Some(u) = self.users.get_mut(k) else { return };
                u.per_tier[t] = u.per_tier[t].saturating_add(1);
                u.open_calls += 1;
                (k, &mut u.op)
            }
            Who::Call(k) => {
                let Some((user, Some(below))) = self.calls.get(k).map(|c| (c.user, c.below.get())) else { return };
                if let Some(u) = self.users.get_mut(user) {
                    u.per_tier[t] = u.per_tier[t].saturating_add(1);
                    u.open_calls += 1;
                }
                let Some(op) = self.ops.get_mut(below) else { return };
                (user, op)
            }
        };
        op.attempts += 1;
        let (op_id, number, op_deadline) = (op.id, op.attempts, op.deadline);
        // Its host, and all its tier counts of it, in one borrow of the tier (indexing it again
        // after a store through it redid the bounds check and the address).
        let tier = &mut self.tiers[t];
        let host = tier.pick_host(&mut self.balance_rng);
        // The balancer counts the calls outstanding on each host only where it has a choice
        // (a tier keeps its number of hosts for the whole run).
        let counted = tier.hosts.len() > 1;
        if counted {
            tier.hosts[host].outstanding += 1;
        }
        tier.live_calls += 1;
        if number > 1 {
            tier.metrics.c().retries += 1;
        }
        let (timeout, net) = (tier.timeout, tier.network);
        let deadline = timeout.map_or(SimTime::MAX, |d| now.saturating_add(d)).min(op_deadline);
        let key = self.calls.insert(Call {
            user,
            caller,
            tier: t as u8,
            host: host as u16,
            number,
            op_id,
            deadline,
            stage: Stage::Travelling,
            sent_at: now,
            held: true,
            started: SimTime::ZERO,
            caller_waiting: true,
            abandoned_at: SimTime::MAX,
            cut: false,
            counted,
            retry_after: SimTime::ZERO,
            below: MaybeKey::NONE,
        });
        if caller.is_call() {
            // A served call keeps its attempt below, so that its worker's end abandons it.
            if let Some(op) = self.op_mut(caller) {
                op.current = MaybeKey::some(key);
            }
        }
        self.trace(t, op_id, number, TraceKind::Sent);
        if deadline != SimTime::MAX {
            self.schedule_timeout(t, deadline, key);
        }
        if net == SimTime::ZERO {
            self.admit(key, Arriving { t, h: host, op_id, number, deadline });
        } else {
            self.schedule(now.saturating_add(net), Ev::Arrive { call: key });
        }
    }

    /// An answer reaches the caller.
    #[cfg_attr(target_arch = "wasm32", inline(always))]
    #[cfg_attr(not(target_arch = "wasm32"), inline(never))]
    pub(super) fn deliver(&mut self, key: Key, outcome: Outcome) {
        self.deliver_here(key, outcome);
    }

    /// [`Sim::deliver`], inlined natively where a finished service answers at once (the path
    /// of nearly every answer: the call cost its prologue and epilogue each time). The page
    /// keeps one copy: its download has a budget.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(super) fn deliver_here(&mut self, key: Key, outcome: Outcome) {
        // An answered attempt is held by nobody any more: it is forgotten here, read and freed
        // with one look-up (a look-up, then `discard`'s, were two).
        let Some(c) = self.calls.take(key) else { return };
        let (t, caller, sent_at, retry_after, op_id, number, deadline) = (c.tier as usize, c.caller, c.sent_at, c.retry_after, c.op_id, c.number, c.deadline);
        let (waiting, counted, host, user, abandoned_at) = (c.caller_waiting, c.counted, c.host as usize, c.user, c.abandoned_at);
        if !waiting {
            // The caller gave up on this attempt: whatever was done for it is wasted.
            if outcome == Outcome::Ok {
                self.tiers[t].metrics.c().wasted += 1;
                self.trace(t, op_id, number, TraceKind::Wasted);
            }
            self.forget(t, user);
            return;
        }
        // Work for a caller whose own caller (up to the user) has left is wasted all the same.
        let dead = match caller.who() {
            Who::User(_) => false,
            Who::Call(above) => abandoned_at.min(self.dead_since(above)) <= self.now,
        };
        // The balancer stops counting it, and its tier and user forget it: `uncount` and
        // `forget` done in place with what is already read (the hot path of every answer:
        // calling them costs M/M/c 3 % in instructions); the user cannot settle here, as its
        // caller, or its caller's tree, still waits.
        let now = self.now;
        let took = now.saturating_sub(sent_at);
        let ok = outcome == Outcome::Ok;
        // Everything the tier counts of an answer, with one borrow of it (each `self.tiers[t]`
        // is a bounds check and an address: deliver had eight).
        let tier = &mut self.tiers[t];
        tier.live_calls = tier.live_calls.saturating_sub(1);
        if counted {
            tier.hosts[host].outstanding = tier.hosts[host].outstanding.saturating_sub(1);
        }
        if !ok {
            // A success's attempt is counted with its request, in `succeeded`.
            tier.metrics.attempt_done(took);
        }
        let wake = tier.pacer.on_response(now, matches!(outcome, Outcome::Rejected | Outcome::Throttled));
        tier.limits.outcome(now, ok);
        if ok {
            let c = tier.metrics.c();
            if dead {
                c.wasted += 1;
            } else {
                c.useful += 1;
            }
        }
        // A user's own success reads its record once, for everything (the hot path of every
        // request; three look-ups of it cost M/M/c 2 % in instructions).
        let own_success = match caller.who() {
            Who::User(k) if ok => Some(k),
            _ => {
                if let Some(u) = self.users.get_mut(user) {
                    u.open_calls = u.open_calls.saturating_sub(1);
                }
                None
            }
        };
        if deadline != SimTime::MAX {
            self.stale += 1; // its timeout event is now dead
            self.compact_if_stale();
        }
        if wake {
            self.schedule_limiter_wake(t);
        }
        if let Some(k) = own_success {
            return self.user_succeeded(k, t, took);
        }
        self.clear_current(caller);
        match outcome {
            Outcome::Ok => {
                if !self.succeeded(caller, took) {
                    self.tiers[t].metrics.attempt_done(took);
                }
            }
            Outcome::Error => self.retry_or_fail(caller, Failure::Error, SimTime::ZERO),
            Outcome::Rejected => self.retry_or_fail(caller, Failure::Rejected, SimTime::ZERO),
            Outcome::Throttled => self.retry_or_fail(caller, Failure::Throttled, retry_after),
        }
    }

    /// The caller stops waiting for `key`.
    pub(super) fn timeout_fired(&mut self, key: Key) {
        let Some(c) = self.calls.get_mut(key) else {
            self.stale = self.stale.saturating_sub(1);
            return;
        };
        if !c.caller_waiting {
            return;
        }
        c.caller_waiting = false;
        c.abandoned_at = self.now;
        let (t, h, caller, op_id, number, sent_at) = (c.tier as usize, c.host as usize, c.caller, c.op_id, c.number, c.sent_at);
        // `uncount` in place, and `release` only when the host no longer holds it (in a storm
        // most attempts time out while queued): each was a look-up of the call again.
        let (counted, held) = (c.counted, c.held);
        c.counted = false;
        let now = self.now;
        let tier = &mut self.tiers[t];
        let host = &mut tier.hosts[h];
        if counted {
            host.outstanding = host.outstanding.saturating_sub(1);
        }
        host.counts.timeouts += 1;
        tier.metrics.c().timeouts += 1;
        tier.metrics.attempt_done(now.saturating_sub(sent_at));
        tier.limits.outcome(now, false);
        self.trace(t, op_id, number, TraceKind::TimedOut);
        self.clear_current(caller);
        if !held {
            self.release(key);
        }
        self.retry_or_fail(caller, Failure::Timeout, SimTime::ZERO);
    }

    /// A served call's attempt below has ended (users keep no current attempt: nothing
    /// abandons a user's).
    #[inline]
    fn clear_current(&mut self, caller: Caller) {
        if caller.is_call() {
            if let Some(op) = self.op_mut(caller) {
                op.current = MaybeKey::NONE;
            }
        }
    }

    /// After a failed attempt: another after a backoff, if the policy and every limiter allow
    /// it before the deadline, or the end of the logical call. Every retry of every tier is
    /// decided here.
    pub(super) fn retry_or_fail(&mut self, caller: Caller, why: Failure, retry_after: SimTime) {
        let Some(op) = self.op(caller) else { return };
        let (t, attempts, previous, deadline, id) = (op.tier as usize, op.attempts, op.previous(), op.deadline, op.id);
        let tier = &mut self.tiers[t];
        let on = &tier.policy.retry_on;
        let retryable = match why {
            Failure::Timeout => on.timeouts,
            Failure::Error => on.errors,
            Failure::Rejected => on.rejections,
            Failure::Throttled => on.throttles,
        };
        if !retryable {
            tier.metrics.c().not_retryable += 1;
            return self.give_up(caller);
        }
        if attempts >= tier.policy.max_attempts {
            tier.metrics.c().suppressed_max_attempts += 1;
            return self.give_up(caller);
        }
        // The wait: the (jittered) backoff, after any "come back after" hint, so that callers
        // told the same instant do not all return at it.
        let mut previous = previous;
        let mut wait = |tier: &mut Tier, rng: &mut Stream| {
            let backoff = if why == Failure::Throttled { &tier.backoff_throttle } else { &tier.backoff };
            let delay = SimTime(backoff.delay(attempts - 1, &mut previous, rng));
            if tier.policy.honor_retry_after && retry_after > SimTime::ZERO { retry_after.saturating_add(delay) } else { delay }
        };
        // With a deadline the wait is known before any limiter is paid: a retry that would go
        // after its caller has left costs nothing. Without one, the limiters decide first (and
        // a refused retry draws no backoff).
        let known = if deadline != SimTime::MAX {
            let delay = wait(tier, &mut self.client_rng);
            if self.now.saturating_add(delay) >= deadline {
                return self.give_up(caller);
            }
            Some(delay)
        } else {
            None
        };
        let tier = &mut self.tiers[t];
        let Some(cost) = tier.limits.allow_retry(self.now, why == Failure::Timeout, why == Failure::Throttled, tier.metrics.c()) else {
            return self.give_up(caller);
        };
        let delay = match known {
            Some(d) => d,
            None => wait(&mut self.tiers[t], &mut self.client_rng),
        };
        let at = self.now.saturating_add(delay);
        if let Some(o) = self.op_mut(caller) {
            o.set_previous(previous);
            if let Some(c) = cost {
                o.set_cost(c);
            }
        }
        self.trace(t, id, attempts, TraceKind::RetryScheduled { at });
        if delay == SimTime::ZERO && self.depth < MAX_INLINE {
            self.depth += 1;
            self.start_attempt(caller);
            self.depth -= 1;
        } else {
            self.schedule(at, Ev::Send { caller });
        }
    }

    /// The logical call succeeded, its last attempt after `took` (counted here); false when
    /// the caller had no call open.
    #[inline]
    fn succeeded(&mut self, caller: Caller, took: SimTime) -> bool {
        let Some(op) = self.op(caller) else { return false };
        self.count_success(Done::of(op), took);
        self.end_op(caller, true);
        true
    }

    /// [`Sim::succeeded`] for a user's request, with its one look-up of the user doing the
    /// work of `deliver`'s, `op` and `user_done`'s; its answer came from tier `t` after `took`.
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn user_succeeded(&mut self, k: Key, t: usize, took: SimTime) {
        let Some(u) = self.users.get_mut(k) else { return self.tiers[t].metrics.attempt_done(took) };
        u.open_calls = u.open_calls.saturating_sub(1);
        if u.done {
            return self.tiers[t].metrics.attempt_done(took);
        }
        u.done = true;
        let (op, origin) = (Done::of(&u.op), u.origin);
        if u.open_calls == 0 {
            // Settled: nothing of its tree is alive.
            self.settled.settle(self.now, &u.per_tier);
            self.users.discard(k);
        }
        self.count_success(op, took);
        self.after_request(origin);
    }

    /// Counts a logical call's success at its tier, its last attempt after `took`, and ends it
    /// there (in the tier's one borrow: `end_op` indexing the tier again after these stores
    /// redid the bounds check and the address).
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn count_success(&mut self, op: Done, took: SimTime) {
        let t = op.tier;
        let tier = &mut self.tiers[t];
        let latency = self.now.saturating_sub(op.first_sent);
        let first_try = op.attempts == 1 && latency == took;
        if !first_try {
            tier.metrics.attempt_done(took);
        }
        tier.metrics.success(latency, first_try);
        if tier.timeout.is_some_and(|to| latency > to) {
            tier.metrics.c().late += 1;
        }
        tier.limits.succeeded(op.cost);
        tier.open_ops = tier.open_ops.saturating_sub(1);
        self.trace(t, op.id, op.attempts, TraceKind::Succeeded);
    }

    /// The logical call failed for good.
    pub(super) fn give_up(&mut self, caller: Caller) {
        let Some(op) = self.op(caller) else { return };
        let (t, id, attempts) = (op.tier as usize, op.id, op.attempts);
        let tier = &mut self.tiers[t];
        tier.metrics.c().failures += 1;
        tier.open_ops = tier.open_ops.saturating_sub(1);
        self.trace(t, id, attempts, TraceKind::GaveUp);
        self.end_op(caller, false);
    }

    /// The caller has its answer (its tier has counted it, and its end): a user request ends
    /// (a closed-loop client thinks again), a served call answers its own caller.
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn end_op(&mut self, caller: Caller, ok: bool) {
        match caller.who() {
            Who::User(k) => {
                if let Some(origin) = self.user_done(k) {
                    self.after_request(origin);
                }
            }
            Who::Call(k) => self.finish_work(k, if ok { Outcome::Ok } else { Outcome::Error }),
        }
    }

    /// A user request has its outcome; it settles now if nothing of its tree is alive.
    #[inline]
    fn user_done(&mut self, k: Key) -> Option<Origin> {
        let u = self.users.get_mut(k)?;
        u.done = true;
        let origin = u.origin;
        if u.open_calls == 0 {
            self.settled.settle(self.now, &u.per_tier);
            self.users.discard(k);
        }
        Some(origin)
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

    /// Forgets an attempt nobody holds any more.
    pub(super) fn release(&mut self, key: Key) {
        let Some(c) = self.calls.get(key) else { return };
        if c.caller_waiting || c.held {
            return;
        }
        let (t, user) = (c.tier as usize, c.user);
        self.calls.discard(key);
        self.forget(t, user);
    }

    /// Tier `t` and `user` forget an attempt that is gone; the user settles if it was its last.
    fn forget(&mut self, t: usize, user: Key) {
        let tier = &mut self.tiers[t];
        tier.live_calls = tier.live_calls.saturating_sub(1);
        if let Some(u) = self.users.get_mut(user) {
            u.open_calls = u.open_calls.saturating_sub(1);
            if u.done && u.open_calls == 0 {
                self.settled.settle(self.now, &u.per_tier);
                self.users.discard(user);
            }
        }
    }

    /// A call's worker is gone (answered, or its host restarted): its own call to another
    /// tier, if any, is left to finish for nobody.
    #[inline]
    pub(super) fn abandon_below(&mut self, key: Key) {
        let Some(below) = self.op_mut(Caller::call(key)).and_then(|op| op.current.take()) else { return };
        let now = self.now;
        if let Some(b) = self.calls.get_mut(below) {
            b.caller_waiting = false;
            b.abandoned_at = now;
        }
        self.uncount(below);
        self.release(below);
    }

    /// Sends as many waiting attempts of tier `t`'s callers as there are tokens, then waits
    /// for the next token.
    pub(super) fn release_waiting_sends(&mut self, t: usize) {
        let now = self.now;
        let (users, calls, ops) = (&self.users, &self.calls, &self.ops);
        // A caller restarted or past its deadline while it waited takes no token.
        let alive = |c: &Caller| match c.who() {
            Who::User(k) => users.get(k).is_some_and(|u| !u.done),
            Who::Call(k) => calls
                .get(k)
                .filter(|c| c.stage == Stage::Calling)
                .and_then(|c| c.below.get())
                .and_then(|b| ops.get(b))
                .is_some_and(|op| op.deadline == SimTime::MAX || now < op.deadline),
        };
        let (ready, dead) = self.tiers[t].pacer.ready(now, alive);
        for caller in dead {
            self.give_up(caller);
        }
        for caller in ready {
            self.send_attempt(caller);
        }
        if self.tiers[t].pacer.is_waiting() {
            self.schedule_limiter_wake(t);
        }
    }

    /// (Re)schedules the wake-up for tier `t`'s first waiting send at its limiter's current rate.
    pub(super) fn schedule_limiter_wake(&mut self, t: usize) {
        let (at, epoch) = self.tiers[t].pacer.next_wake(self.now);
        self.schedule(at, Ev::LimiterWake { tier: t as u8, epoch });
    }

    /// Drops dead timeout events once they outnumber the live ones, so memory follows live work.
    #[inline]
    pub(super) fn compact_if_stale(&mut self) {
        if self.stale > 4_096 && self.stale * 2 > self.heap.len() {
            self.compact();
        }
    }

    #[cold]
    #[inline(never)]
    fn compact(&mut self) {
        let calls = &self.calls;
        self.heap.retain(|e| match e.ev {
            Ev::Timeout { call } => calls.get(call).is_some_and(|c| c.caller_waiting),
            _ => true,
        });
        self.stale = 0;
    }
}

/// What a logical call's end counts of it, read out of its [`Op`] field by field (copying the
/// whole `Op` out of a user's record cost every request 8 moves).
#[derive(Clone, Copy)]
struct Done {
    tier: usize,
    id: u64,
    first_sent: SimTime,
    attempts: u32,
    cost: Option<f64>,
}

impl Done {
    #[inline]
    fn of(op: &Op) -> Done {
        Done { tier: op.tier as usize, id: op.id, first_sent: op.first_sent, attempts: op.attempts, cost: op.cost() }
    }
}
