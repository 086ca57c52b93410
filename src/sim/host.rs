//! A host of a tier: capacity under faults, restarts, admission, the queue discipline,
//! service times with contention, and what a finished service leads to: an answer, or (as the
//! tier's kind decides) a call to another tier while the worker waits.
//!
//! Admission runs in one order, whatever the number of hosts or tiers: a host that is down
//! (restarting) refuses the connection with an error; a tier that honours deadlines drops an
//! attempt whose deadline has passed; the throttle may answer "come back later"; then a free
//! worker takes it, or the queue does if it has room, or it is rejected.

use super::events::*;
use super::kind::Next;
use super::*;

impl Sim {
    /// Host `h` of tier `t`'s faults now: its tier's, combined with its own.
    pub(super) fn host_faults_now(&mut self, t: usize, h: usize) {
        let tier = &mut self.tiers[t];
        let mut f = tier.timeline.at(self.now);
        if let Some(own) = &tier.hosts[h].own {
            f = f.combine(&own.at(self.now));
        }
        tier.hosts[h].faults = f;
    }

    pub(super) fn update_capacity(&mut self, t: usize, h: usize) {
        let tier = &mut self.tiers[t];
        let host = &mut tier.hosts[h];
        let w = f64::from(tier.server.workers) * host.faults.capacity_share;
        let new = if host.faults.down { 0 } else { w.floor() as u32 };
        // The tier's totals move with each host, so reading them costs nothing per event.
        tier.capacity = tier.capacity - host.capacity + new;
        host.capacity = new;
        self.dispatch(t, h);
    }

    /// Applies the fault schedule at `now` to every host it touches at this instant: capacity,
    /// slowness, errors, and a restart that starts now (once per host per instant).
    pub(super) fn fault_edge(&mut self) {
        let now = self.now;
        let from = self.fault_edges.partition_point(|e| e.0 < now);
        let to = self.fault_edges.partition_point(|e| e.0 <= now);
        // (tier, host) as one number each (`t << 32 | h`), and 128-bit like every unstable sort
        // in the lab, so that the page carries one such routine (a second, for `u64`, cost its
        // download 1,083 bytes).
        let mut keys: Vec<u128> = Vec::new();
        for &(_, t, h) in &self.fault_edges[from..to] {
            let Some(tier) = self.tiers.get(usize::from(t)) else { continue };
            let t = u128::from(t) << 32;
            if h == ALL_HOSTS {
                keys.extend((0..tier.hosts.len() as u128).map(|h| t | h));
            } else if usize::from(h) < tier.hosts.len() {
                keys.push(t | u128::from(h));
            }
        }
        keys.sort_unstable();
        keys.dedup();
        let touched: Vec<(usize, usize)> = keys.into_iter().map(|k| ((k >> 32) as usize, k as u32 as usize)).collect();
        for &(t, h) in &touched {
            self.host_faults_now(t, h);
        }
        let restarting: Vec<(usize, usize)> = touched
            .iter()
            .copied()
            .filter(|&(t, h)| {
                let (tier, host) = (&self.tiers[t], &self.tiers[t].hosts[h]);
                let restarts = tier.timeline.restarts_at(now) || host.own.as_ref().is_some_and(|o| o.restarts_at(now));
                restarts && host.last_restart != Some(now)
            })
            .collect();
        if !restarting.is_empty() {
            self.restart(&restarting);
        }
        for (t, h) in touched {
            self.update_capacity(t, h);
        }
    }

    /// A process restart on each of `hosts` (tier, host; sorted) resets every connection:
    /// everything they hold (queued, in service, or waiting on a call below) fails at once
    /// with an error, all at the same instant (which is what makes un-jittered retries come
    /// back together). Every host drops what it holds before any victim is answered, so a
    /// victim retried at once onto another host of the tier finds that host restarted (and
    /// down, if it stays down) as it would with one host.
    fn restart(&mut self, hosts: &[(usize, usize)]) {
        let now = self.now;
        let mut victims: Vec<Key> = Vec::new();
        for &(t, h) in hosts {
            self.tiers[t].hosts[h].last_restart = Some(now);
            let queued: Vec<Key> = self.tiers[t].hosts[h].queue.drain(..).collect();
            self.tiers[t].queued -= queued.len() as u32;
            victims.extend(queued);
        }
        let calls = &self.calls;
        let working: Vec<Key> = calls
            .keys()
            .filter(|&k| {
                calls
                    .get(k)
                    .is_some_and(|c| matches!(c.stage, Stage::Serving | Stage::Calling) && hosts.binary_search(&(c.tier as usize, c.host as usize)).is_ok())
            })
            .collect();
        for &key in &working {
            // A worker waiting on a call below: that call ends for it, failed, with its worker.
            if let Some(op) = self.op(Caller::call(key)) {
                let (below, id, attempts) = (op.tier as usize, op.id, op.attempts);
                let tier = &mut self.tiers[below];
                tier.open_ops = tier.open_ops.saturating_sub(1);
                tier.metrics.c().failures += 1;
                self.trace(below, id, attempts, TraceKind::GaveUp);
            }
            self.end_work(key);
        }
        victims.extend(working);
        for key in victims {
            let Some(c) = self.calls.get(key) else { continue };
            let (t, h, op_id, number) = (c.tier as usize, c.host as usize, c.op_id, c.number);
            self.tiers[t].metrics.c().resets += 1;
            self.trace(t, op_id, number, TraceKind::Reset);
            self.answer(key, t, h, Outcome::Error);
        }
    }

    /// An attempt reaches its host (after a network delay: out of line, as admission is
    /// inlined here and into `send_now`).
    #[inline(never)]
    pub(super) fn arrive(&mut self, key: Key) {
        let Some(c) = self.calls.get(key) else { return };
        let a = Arriving { t: c.tier as usize, h: c.host as usize, op_id: c.op_id, number: c.number, deadline: c.deadline };
        self.admit(key, a);
    }

    /// Host `a.h` of tier `a.t` takes attempt `key` in, or refuses it. Inlined natively into
    /// its two callers: out of line, `send_now` wrote what arrives to memory, and this read
    /// it back, with a prologue and an epilogue, on every attempt.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(super) fn admit(&mut self, key: Key, a: Arriving) {
        let now = self.now;
        let Arriving { t, h, op_id, number, deadline } = a;
        // `hosts[h]` borrowed once, beside the tier's other fields: indexing `tier.hosts[h]`
        // again after a store through another field redid its bounds check and address.
        let Tier { hosts, metrics, server, queued, busy, service_mean_us, .. } = &mut self.tiers[t];
        let host = &mut hosts[h];
        metrics.c().server_arrivals += 1;
        host.counts.arrivals += 1;
        if host.faults.down {
            // Restarting: the connection is refused at once.
            metrics.c().resets += 1;
            self.trace(t, op_id, number, TraceKind::Reset);
            self.answer(key, t, h, Outcome::Error);
            return;
        }
        if server.drop_expired && now >= deadline {
            self.drop_expired(key);
            return;
        }
        if let Some(Err(retry_after)) = host.throttle.as_mut().map(|x| x.admit(now)) {
            metrics.c().rejected_throttle += 1;
            host.counts.rejected += 1;
            self.trace(t, op_id, number, TraceKind::Rejected { throttle: true });
            if let Some(c) = self.calls.get_mut(key) {
                c.retry_after = retry_after;
            }
            self.answer(key, t, h, Outcome::Throttled);
            return;
        }
        if host.busy < host.capacity && host.queue.is_empty() {
            metrics.c().accepted += 1;
            let service = begin_service(host, busy, server, *service_mean_us);
            self.start_service(key, t, service);
        } else if server.queue_limit.is_none_or(|limit| (host.queue.len() as u64) < u64::from(limit)) {
            metrics.c().accepted += 1;
            host.queue.push_back(key);
            *queued += 1;
            metrics.note_queue(*queued);
            if let Some(c) = self.calls.get_mut(key) {
                c.stage = Stage::Queued;
            }
            self.trace(t, op_id, number, TraceKind::Queued);
        } else {
            metrics.c().rejected_queue_full += 1;
            host.counts.rejected += 1;
            self.trace(t, op_id, number, TraceKind::Rejected { throttle: false });
            self.answer(key, t, h, Outcome::Rejected);
        }
    }

    /// The host skips an attempt whose deadline has passed, unanswered: its caller has left.
    fn drop_expired(&mut self, key: Key) {
        let Some(c) = self.calls.get_mut(key) else { return };
        c.stage = Stage::Answered;
        c.held = false;
        let (t, op_id, number) = (c.tier as usize, c.op_id, c.number);
        self.tiers[t].metrics.c().dropped_expired += 1;
        self.trace(t, op_id, number, TraceKind::Dropped);
        self.uncount(key);
        self.release(key);
    }

    /// Attempt `key` at tier `t` starts service `s` ([`begin_service`] took the worker): its
    /// duration is drawn, and its end scheduled.
    ///
    /// Inlined into its callers natively, as `end_work` and `answer` are (and `end_op` in the
    /// caller, and settling): each call on a request's path paid about 17 instructions of
    /// prologue and epilogue, and these five on every request came to 4.5 % of M/M/c
    /// (callgrind). The page keeps the compiler's choice: its download has a budget.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn start_service(&mut self, key: Key, t: usize, s: Service) {
        let mean = s.mean_us;
        let d = match s.dist {
            ServiceDist::Constant => mean,
            ServiceDist::Exponential => self.service_rng.exp(mean),
            ServiceDist::Lognormal => {
                // A log-normal with this mean: mu = ln(mean) - sigma^2 / 2.
                let mu = mean.ln() - s.sigma * s.sigma / 2.0;
                (mu + s.sigma * self.service_rng.normal()).exp()
            }
        };
        let mut at = self.now.saturating_add(SimTime::from_micros_f64(d));
        let honours = s.honours_deadline;
        let Some(c) = self.calls.get_mut(key) else { return };
        c.stage = Stage::Serving;
        c.started = self.now;
        if honours && c.deadline < at {
            // A tier that knows the deadline stops working when it passes.
            at = c.deadline;
            c.cut = true;
        }
        let (op_id, number) = (c.op_id, c.number);
        self.schedule(at, Ev::ServiceDone { call: key });
        self.trace(t, op_id, number, TraceKind::Started);
    }

    /// Starts queued work while workers are free.
    pub(super) fn dispatch(&mut self, t: usize, h: usize) {
        loop {
            let tier = &mut self.tiers[t];
            let host = &mut tier.hosts[h];
            if host.busy >= host.capacity {
                return;
            }
            let next = match tier.server.discipline {
                Discipline::Fifo => host.queue.pop_front(),
                Discipline::Lifo => host.queue.pop_back(),
            };
            let Some(key) = next else { return };
            tier.queued -= 1;
            let Some(c) = self.calls.get(key) else { continue };
            if tier.server.drop_expired && self.now >= c.deadline {
                self.drop_expired(key);
                continue;
            }
            let service = begin_service(host, &mut tier.busy, &tier.server, tier.service_mean_us);
            self.start_service(key, t, service);
        }
    }

    /// The host's own work on an attempt is done: it fails with the tier's error rate, or the
    /// tier's kind answers it or calls another tier while the worker waits.
    ///
    /// One look-up of the call serves every path: its worker's work ends here (the stage says
    /// so at once), unless its kind calls another tier, which sets the stage to calling. Going
    /// through `finish_work` looked the call up a second time and matched its stage again.
    pub(super) fn service_done(&mut self, key: Key) {
        let Some(c) = self.calls.get_mut(key) else { return };
        if c.stage != Stage::Serving {
            // A restart already failed it and freed its worker.
            return;
        }
        c.stage = Stage::Answered;
        let (t, h, op_id, number) = (c.tier as usize, c.host as usize, c.op_id, c.number);
        let work = Work { started: c.started, caller: c.caller, abandoned_at: c.abandoned_at };
        if c.cut {
            // Its deadline passed mid-service: the worker stops; nobody waits for an answer.
            self.trace(t, op_id, number, TraceKind::Dropped);
            return self.work_done(key, t, h, work, Outcome::Error);
        }
        let tier = &mut self.tiers[t];
        tier.metrics.c().completions += 1;
        let base = tier.server.error_rate;
        let fault = tier.hosts[h].faults.error_rate;
        let ok = if base > 0.0 || fault > 0.0 { !self.faults_rng.chance(1.0 - (1.0 - base) * (1.0 - fault)) } else { true };
        self.trace(t, op_id, number, TraceKind::Served { ok });
        if !ok {
            self.tiers[t].metrics.c().errors += 1;
            return self.work_done(key, t, h, work, Outcome::Error);
        }
        let tier = &mut self.tiers[t];
        let next = match tier.next {
            Some(next) => next,
            None => tier.kind.served(&mut self.kinds_rng),
        };
        match next {
            Next::Answer => self.work_done(key, t, h, work, Outcome::Ok),
            Next::Call(to) if to < self.tiers.len() => self.call_tier(key, to),
            Next::Call(_) => self.work_done(key, t, h, work, Outcome::Error),
        }
    }

    /// A worker is done with an attempt (served, failed, or given up): it frees the worker,
    /// starts queued work, and answers.
    #[inline]
    pub(super) fn finish_work(&mut self, key: Key, outcome: Outcome) {
        let Some((t, h)) = self.end_work(key) else { return };
        self.answer_after_work(key, t, h, outcome);
    }

    /// [`Sim::finish_work`] for an attempt whose worker's work was read, and its stage ended,
    /// by the caller.
    #[inline(never)]
    fn work_done(&mut self, key: Key, t: usize, h: usize, work: Work, outcome: Outcome) {
        // The host borrowed once for everything: after a store through it, indexing
        // `tiers[t].hosts[h]` again redid the bounds checks and the address.
        let (host, net) = self.free_worker(key, t, h, work);
        host.counts.answered(outcome);
        if !host.queue.is_empty() {
            self.dispatch(t, h);
        }
        if net == SimTime::ZERO {
            self.deliver_here(key, outcome);
        } else {
            self.send_answer(key, net, outcome);
        }
    }

    /// Starts queued work on the freed worker, then answers.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn answer_after_work(&mut self, key: Key, t: usize, h: usize, outcome: Outcome) {
        if !self.tiers[t].hosts[h].queue.is_empty() {
            self.dispatch(t, h);
        }
        self.answer(key, t, h, outcome);
    }

    /// Frees the worker of an attempt being served or calling (abandoning its call below), and
    /// counts its work: wasted from the moment nobody waits for it any more. Its (tier, host),
    /// if it is still known.
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn end_work(&mut self, key: Key) -> Option<(usize, usize)> {
        let mut c = self.calls.get_mut(key)?;
        let (t, h) = (c.tier as usize, c.host as usize);
        match c.stage {
            Stage::Serving => {}
            Stage::Calling => {
                // Its call below is left to finish for nobody.
                self.abandon_below(key);
                c = self.calls.get_mut(key)?;
            }
            _ => return Some((t, h)),
        }
        c.stage = Stage::Answered;
        let work = Work { started: c.started, caller: c.caller, abandoned_at: c.abandoned_at };
        if let Some(op) = c.below.take() {
            // Its call to another tier ended with its worker.
            self.ops.discard(op);
        }
        self.free_worker(key, t, h, work);
        Some((t, h))
    }

    /// Frees the worker host `h` of tier `t` gave attempt `key`, and counts its work; the host,
    /// and the tier's network delay.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn free_worker(&mut self, key: Key, t: usize, h: usize, work: Work) -> (&mut Host, SimTime) {
        let dead = match work.caller.who() {
            Who::User(_) => work.abandoned_at,
            Who::Call(_) => self.dead_since(key),
        };
        let now = self.now;
        let Tier { hosts, busy, worked_us, wasted_us, network, .. } = &mut self.tiers[t];
        let host = &mut hosts[h];
        if host.busy > 0 {
            host.busy -= 1;
            *busy -= 1;
        }
        *worked_us += now.0.saturating_sub(work.started.0);
        if dead <= now {
            // Only the time after the user's request stopped waiting is wasted.
            *wasted_us += now.0.saturating_sub(work.started.0.max(dead.0));
        }
        (host, *network)
    }

    /// Since when nobody waits for this attempt's result: the earliest moment its caller, or
    /// any caller above it up to the user, stopped waiting (`SimTime::MAX` while all wait).
    pub(super) fn dead_since(&self, key: Key) -> SimTime {
        let mut dead = SimTime::MAX;
        let mut next = Some(key);
        while let Some(c) = next.and_then(|k| self.calls.get(k)) {
            dead = dead.min(c.abandoned_at);
            next = match c.caller.who() {
                Who::Call(k) => Some(k),
                Who::User(_) => None,
            };
        }
        dead
    }

    /// Host `h` of tier `t` sends its answer to attempt `key` back to the caller (over the
    /// network, when it takes time).
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn answer(&mut self, key: Key, t: usize, h: usize, outcome: Outcome) {
        let tier = &mut self.tiers[t];
        tier.hosts[h].counts.answered(outcome);
        let net = tier.network;
        self.send_answer(key, net, outcome);
    }

    /// Sends an answer back to the caller, `net` away.
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn send_answer(&mut self, key: Key, net: SimTime, outcome: Outcome) {
        if net == SimTime::ZERO {
            // Delivered now: the attempt ends there, whatever its stage.
            self.deliver(key, outcome);
        } else {
            if let Some(c) = self.calls.get_mut(key) {
                c.stage = Stage::Answered;
            }
            self.schedule(self.now.saturating_add(net), Ev::Response { call: key, outcome });
        }
    }
}

/// A worker of `host` takes an attempt (`tier_busy`: its tier's count of busy workers): the
/// service it starts, its mean stretched by the host's slowness and by contention. With the
/// host still borrowed from its caller (`start_service` indexing the tier and host again, after
/// the caller's stores, redid the bounds checks and the addresses).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn begin_service(host: &mut Host, tier_busy: &mut u32, s: &ServerConfig, service_mean_us: f64) -> Service {
    host.busy += 1;
    *tier_busy += 1;
    let mut mean = (service_mean_us * host.faults.slow).max(0.0);
    if s.contention > 0.0 {
        let in_host = u64::from(host.busy) + host.queue.len() as u64;
        let excess = in_host.saturating_sub(u64::from(s.workers));
        mean *= 1.0 + s.contention * excess as f64 / f64::from(s.workers);
    }
    Service { mean_us: mean, dist: s.service, sigma: s.sigma, honours_deadline: s.drop_expired }
}

/// A service a worker starts: its mean time, µs, how it is drawn, and whether it stops at the
/// attempt's deadline.
#[derive(Clone, Copy)]
struct Service {
    mean_us: f64,
    dist: ServiceDist,
    sigma: f64,
    honours_deadline: bool,
}

/// What freeing a worker needs to know of its attempt, read with the attempt's stage.
#[derive(Clone, Copy)]
struct Work {
    started: SimTime,
    caller: Caller,
    abandoned_at: SimTime,
}

impl HostCounts {
    /// Counts an answer the host sends (a refusal is counted where it is decided).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn answered(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Rejected | Outcome::Throttled => {}
        }
    }
}
