//! The server: capacity under faults, restarts, admission (throttle, queue limit,
//! deadline-aware dropping), the queue discipline, service times with contention, and the
//! response back over the network.

use super::events::*;
use super::*;

impl Sim {
    pub(super) fn update_capacity(&mut self) {
        let w = f64::from(self.cfg.server.workers) * self.faults.capacity_share;
        self.capacity = if self.faults.down { 0 } else { w.floor() as u32 };
        self.dispatch();
    }

    /// Applies the fault schedule at `now`: capacity, slowness, errors, and any restart that
    /// starts at this instant.
    pub(super) fn fault_edge(&mut self) {
        let now = self.now;
        self.faults = self.timeline.at(now);
        let restarts_now = self.timeline.restarts_at(now);
        if restarts_now && self.last_restart != Some(now) {
            self.last_restart = Some(now);
            self.restart_server();
        }
        self.update_capacity();
    }

    /// A process restart resets every connection: everything queued or in service fails at
    /// once with an error, all at the same instant (which is what makes un-jittered retries
    /// come back together).
    pub(super) fn restart_server(&mut self) {
        let mut victims: Vec<Key> = self.waiting.drain(..).collect();
        let attempts = &mut self.attempts;
        let serving: Vec<Key> = attempts.keys().filter(|&k| attempts.get(k).is_some_and(|a| a.in_service)).collect();
        for &k in &serving {
            if let Some(a) = attempts.get_mut(k) {
                a.in_service = false;
            }
        }
        victims.extend(serving);
        self.busy = 0;
        for key in victims {
            self.metrics.c().resets += 1;
            if let Some(a) = self.attempts.get(key) {
                let (request_id, number) = (a.request_id, a.number);
                self.trace(request_id, number, TraceKind::Reset);
            }
            self.respond(key, Outcome::Error);
        }
    }

    pub(super) fn server_arrive(&mut self, key: Key) {
        let now = self.now;
        let Some(a) = self.attempts.get(key) else {
            return;
        };
        let (request_id, number, deadline) = (a.request_id, a.number, a.deadline);
        self.metrics.c().server_arrivals += 1;
        if self.faults.down {
            // Restarting: the connection is refused at once.
            self.metrics.c().resets += 1;
            self.trace(request_id, number, TraceKind::Reset);
            self.respond(key, Outcome::Error);
            return;
        }
        if self.cfg.server.drop_expired && now >= deadline {
            self.drop_expired(key, request_id, number);
            return;
        }
        if let Some(t) = self.throttle.as_mut() {
            if let Err(retry_after) = t.admit(now) {
                self.metrics.c().rejected_throttle += 1;
                self.trace(request_id, number, TraceKind::Rejected { throttle: true });
                if let Some(a) = self.attempts.get_mut(key) {
                    a.retry_after = retry_after;
                }
                self.respond(key, Outcome::Throttled);
                return;
            }
        }
        if self.busy < self.capacity && self.waiting.is_empty() {
            self.metrics.c().accepted += 1;
            self.start_service(key, request_id, number);
        } else if self.cfg.server.queue_limit.is_none_or(|limit| (self.waiting.len() as u64) < u64::from(limit)) {
            self.metrics.c().accepted += 1;
            self.waiting.push_back(key);
            self.metrics.note_queue(self.waiting.len() as u32);
            self.trace(request_id, number, TraceKind::Queued);
        } else {
            self.metrics.c().rejected_queue_full += 1;
            self.trace(request_id, number, TraceKind::Rejected { throttle: false });
            self.respond(key, Outcome::Rejected);
        }
    }

    pub(super) fn drop_expired(&mut self, key: Key, request_id: u64, number: u32) {
        self.metrics.c().dropped_expired += 1;
        self.trace(request_id, number, TraceKind::Dropped);
        if let Some(a) = self.attempts.get_mut(key) {
            a.in_system = false;
            if !a.client_waiting {
                self.attempts.remove(key);
            }
        }
    }

    pub(super) fn start_service(&mut self, key: Key, request_id: u64, number: u32) {
        self.busy += 1;
        if let Some(a) = self.attempts.get_mut(key) {
            a.in_service = true;
        }
        let s = &self.cfg.server;
        let mut mean = self.service_mean_us * self.faults.slow;
        if s.contention > 0.0 {
            let in_server = u64::from(self.busy) + self.waiting.len() as u64;
            let excess = in_server.saturating_sub(u64::from(s.workers));
            mean *= 1.0 + s.contention * excess as f64 / f64::from(s.workers);
        }
        let d = match s.service {
            ServiceDist::Constant => mean,
            ServiceDist::Exponential => self.service_rng.exp(mean),
            ServiceDist::Lognormal => {
                // A log-normal with this mean: mu = ln(mean) - sigma^2 / 2.
                let mu = mean.ln() - s.sigma * s.sigma / 2.0;
                (mu + s.sigma * self.service_rng.normal()).exp()
            }
        };
        let d = SimTime::from_micros_f64(d);
        self.schedule(self.now.saturating_add(d), Ev::ServiceDone { attempt: key });
        self.trace(request_id, number, TraceKind::Started);
    }

    /// Starts queued work while workers are free.
    pub(super) fn dispatch(&mut self) {
        while self.busy < self.capacity {
            let next = match self.cfg.server.discipline {
                Discipline::Fifo => self.waiting.pop_front(),
                Discipline::Lifo => self.waiting.pop_back(),
            };
            let Some(key) = next else { break };
            let Some(a) = self.attempts.get(key) else {
                continue;
            };
            let (request_id, number, deadline) = (a.request_id, a.number, a.deadline);
            if self.cfg.server.drop_expired && self.now >= deadline {
                self.drop_expired(key, request_id, number);
                continue;
            }
            self.start_service(key, request_id, number);
        }
    }

    pub(super) fn service_done(&mut self, key: Key) {
        match self.attempts.get_mut(key) {
            Some(a) if a.in_service => a.in_service = false,
            // A restart already failed it and freed its worker.
            _ => return,
        }
        self.busy = self.busy.saturating_sub(1);
        self.metrics.c().completions += 1;
        let base = self.cfg.server.error_rate;
        let ok = if base > 0.0 || self.faults.error_rate > 0.0 {
            let p = 1.0 - (1.0 - base) * (1.0 - self.faults.error_rate);
            !self.faults_rng.chance(p)
        } else {
            true
        };
        if self.trace.enabled() {
            if let Some(a) = self.attempts.get(key) {
                let (request_id, number) = (a.request_id, a.number);
                self.trace(request_id, number, TraceKind::Served { ok });
            }
        }
        if !ok {
            self.metrics.c().errors += 1;
        }
        self.dispatch();
        self.respond(key, if ok { Outcome::Ok } else { Outcome::Error });
    }

    pub(super) fn respond(&mut self, key: Key, outcome: Outcome) {
        if self.network == SimTime::ZERO {
            self.deliver(key, outcome);
        } else {
            self.schedule(self.now.saturating_add(self.network), Ev::Response { attempt: key, outcome });
        }
    }
}
