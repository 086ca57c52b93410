//! A host: admission (restarting, queue limit), the queue discipline, deadline-aware dropping,
//! service, and what a finished service leads to: an answer, or a call to the tier below while
//! the worker waits.

use super::*;

impl System {
    pub(super) fn update_capacity(&mut self, t: usize, h: usize) {
        let tier = &mut self.tiers[t];
        let host = &mut tier.hosts[h];
        let w = f64::from(tier.cfg.workers) * host.faults.capacity_share;
        let new = if host.faults.down { 0 } else { w.floor() as u32 };
        // The tier's totals move with each host, so reading them costs nothing per event.
        tier.capacity = tier.capacity - host.capacity + new;
        host.capacity = new;
        self.dispatch(t, h);
    }

    /// A call reaches its host.
    pub(super) fn arrive(&mut self, key: Key) {
        let Some(c) = self.calls.get_mut(key) else { return };
        let (t, h) = (c.tier as usize, c.host as usize);
        c.stage = Stage::Queued;
        let tier = &mut self.tiers[t];
        tier.metrics.c().server_arrivals += 1;
        let host = &mut tier.hosts[h];
        host.counts.arrivals += 1;
        if let Some(Err(retry_after)) = host.throttle.as_mut().map(|t| t.admit(self.now)) {
            tier.metrics.c().rejected_throttle += 1;
            host.counts.rejected += 1;
            if let Some(c) = self.calls.get_mut(key) {
                c.retry_after = retry_after;
            }
            self.answer(key, Answer::Throttled);
            return;
        }
        let full = tier.cfg.queue_limit.is_some_and(|limit| host.queue.len() >= limit as usize && host.busy >= host.capacity);
        if host.faults.down || full {
            if full {
                tier.metrics.c().rejected_queue_full += 1;
            }
            host.counts.rejected += 1;
            self.answer(key, Answer::Rejected);
            return;
        }
        tier.metrics.c().accepted += 1;
        host.queue.push_back(key);
        tier.queued += 1;
        let len = host.queue.len() as u32;
        tier.metrics.note_queue(len);
        self.dispatch(t, h);
    }

    /// Starts queued work while workers are free.
    pub(super) fn dispatch(&mut self, t: usize, h: usize) {
        loop {
            let tier = &mut self.tiers[t];
            let host = &mut tier.hosts[h];
            if host.busy >= host.capacity {
                return;
            }
            let next = match tier.cfg.discipline {
                Discipline::Fifo => host.queue.pop_front(),
                Discipline::Lifo => host.queue.pop_back(),
            };
            let Some(key) = next else { return };
            tier.queued -= 1;
            let Some(c) = self.calls.get(key) else { continue };
            if tier.cfg.drop_expired && self.now >= c.deadline {
                // Its caller has given up: skip it, unanswered (the caller is not listening).
                tier.metrics.c().dropped_expired += 1;
                self.host_done(key);
                continue;
            }
            let tier = &mut self.tiers[t];
            tier.hosts[h].busy += 1;
            tier.busy += 1;
            let mut mean = tier.service_mean_us * tier.hosts[h].faults.slow;
            if mean <= 0.0 {
                mean = 0.0;
            }
            let d = match tier.cfg.service {
                ServiceDist::Constant => mean,
                ServiceDist::Exponential => self.service_rng.exp(mean),
                ServiceDist::Lognormal => {
                    let s = tier.cfg.sigma;
                    let mu = mean.ln() - s * s / 2.0;
                    (mu + s * self.service_rng.normal()).exp()
                }
            };
            let mut at = self.now.saturating_add(SimTime::from_micros_f64(d));
            let honours = self.tiers[t].cfg.drop_expired;
            if let Some(c) = self.calls.get_mut(key) {
                c.stage = Stage::Serving;
                c.started = self.now;
                // A tier that knows the deadline stops working when it passes.
                if honours && c.deadline < at {
                    at = c.deadline;
                    c.cut = true;
                }
            }
            self.schedule(at, Ev::ServiceDone { call: key });
        }
    }

    /// The host's own work on a call is done: it fails with the tier's error rate, answers at
    /// the bottom, or calls the tier below while its worker waits.
    pub(super) fn service_done(&mut self, key: Key) {
        let Some(c) = self.calls.get(key) else { return };
        if c.stage != Stage::Serving {
            // A restart already failed it and freed its worker.
            return;
        }
        let (t, h) = (c.tier as usize, c.host as usize);
        if c.cut {
            // Its deadline passed mid-service: the worker stops; nobody is waiting for an answer.
            self.finish_work(key, Answer::Error);
            return;
        }
        let tier = &mut self.tiers[t];
        tier.metrics.c().completions += 1;
        let base = tier.cfg.error_rate;
        let fault = tier.hosts[h].faults.error_rate;
        let failed = (base > 0.0 || fault > 0.0) && self.faults_rng.chance(1.0 - (1.0 - base) * (1.0 - fault));
        if failed {
            tier.metrics.c().errors += 1;
            self.finish_work(key, Answer::Error);
        } else if t + 1 == self.tiers.len() {
            self.finish_work(key, Answer::Ok);
        } else {
            if let Some(c) = self.calls.get_mut(key) {
                c.stage = Stage::Calling;
                c.below = Op { first_sent: self.now, ..Op::default() };
            }
            self.send(Caller::Call(key));
        }
    }

    /// A worker is done with a call (served, failed, or given up): it frees the worker, counts
    /// the work (wasted when nobody waits for it any more) and answers.
    pub(super) fn finish_work(&mut self, key: Key, answer: Answer) {
        self.abandon_below(key);
        let Some(c) = self.calls.get(key) else { return };
        let (t, h) = (c.tier as usize, c.host as usize);
        if matches!(c.stage, Stage::Serving | Stage::Calling) {
            let started = c.started;
            let dead = self.dead_since(key);
            let tier = &mut self.tiers[t];
            if tier.hosts[h].busy > 0 {
                tier.hosts[h].busy -= 1;
                tier.busy -= 1;
            }
            tier.worked_us += self.now.0.saturating_sub(started.0);
            if dead <= self.now {
                // Only the time after the user's request stopped waiting is wasted.
                tier.wasted_us += self.now.0.saturating_sub(started.0.max(dead.0));
                tier.metrics.c().wasted += 1;
            } else {
                tier.metrics.c().useful += 1;
            }
        }
        self.answer(key, answer);
        self.dispatch(t, h);
    }

    /// Since when nobody waits for this call's result: the earliest moment its caller, or any
    /// caller above it up to the user, stopped waiting (`SimTime::MAX` while all wait).
    fn dead_since(&self, key: Key) -> SimTime {
        let mut dead = SimTime::MAX;
        let mut next = Some(key);
        while let Some(c) = next.and_then(|k| self.calls.get(k)) {
            dead = dead.min(c.abandoned_at);
            next = match c.caller {
                Caller::Call(k) => Some(k),
                Caller::User(_) => None,
            };
        }
        dead
    }

    /// Sends the host's answer back to the caller (over the network).
    fn answer(&mut self, key: Key, answer: Answer) {
        let Some(c) = self.calls.get_mut(key) else { return };
        c.stage = Stage::Answered;
        let (t, h) = (c.tier as usize, c.host as usize);
        let counts = &mut self.tiers[t].hosts[h].counts;
        match answer {
            Answer::Ok => counts.ok += 1,
            Answer::Error => counts.errors += 1,
            Answer::Rejected | Answer::Throttled => {}
        }
        let net = self.tiers[t].network;
        self.schedule(self.now.saturating_add(net), Ev::Response { call: key, answer });
    }

    /// A process restart on host `h` of tier `t`: everything it holds (queued, in service, or
    /// waiting on a call below) fails at once with a connection error.
    pub(super) fn restart(&mut self, t: usize, h: usize) {
        let mut victims: Vec<Key> = self.tiers[t].hosts[h].queue.drain(..).collect();
        self.tiers[t].queued -= victims.len() as u32;
        let calls = &self.calls;
        victims.extend(
            calls
                .keys()
                .filter(|&k| calls.get(k).is_some_and(|c| c.tier as usize == t && c.host as usize == h && matches!(c.stage, Stage::Serving | Stage::Calling))),
        );
        for key in victims {
            self.tiers[t].metrics.c().resets += 1;
            match self.calls.get(key).map(|c| c.stage) {
                Some(Stage::Queued) => self.answer(key, Answer::Error),
                Some(_) => self.finish_work(key, Answer::Error),
                None => {}
            }
        }
    }

    /// The host drops a call without answering (its deadline passed): the caller has left.
    pub(super) fn host_done(&mut self, key: Key) {
        if let Some(c) = self.calls.get_mut(key) {
            c.stage = Stage::Answered;
            c.held = false;
        }
        self.uncount(key);
        self.release(key);
    }
}
