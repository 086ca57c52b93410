//! The simulation engine: one service, its clients, their retries, in simulated time.
//!
//! Why this exists: overload is a loop. A service gets busy; queueing raises latency; latency
//! crosses the clients' timeouts; clients retry; retries add load; the service gets busier.
//! Past a point the loop sustains itself after whatever started it is gone: a *metastable*
//! failure. This engine reproduces that loop faithfully enough to measure it, and every
//! mitigation the AWS talk names (bounded queues, bounded retries, backoff, jitter, back
//! pressure) plus the limiters real SDKs ship (retry quotas, circuit breakers, adaptive rate
//! limiting).
//!
//! How it runs: a discrete-event simulation. Events sit in a priority queue ordered by
//! (time, sequence number), so ties resolve first-scheduled-first and a run is exactly
//! reproducible from its config and seed. Time is integer microseconds ([`SimTime`]); the
//! engine never reads a wall clock. The caller drives it:
//!
//! ```
//! use backoff_lab::sim::{Config, Sim, SimTime};
//! let mut sim = Sim::new(Config::default(), 42).unwrap();
//! let step = sim.advance_to(SimTime::from_secs(10), 1_000_000); // bounded work per call
//! assert!(step.reached);
//! let summary = sim.summary();
//! assert!(summary.counts.successes > 0);
//! ```
//!
//! The page calls `advance_to` once per animation frame with an event budget, changes
//! parameters with [`Sim::set_config`] while running, and drains lifecycle events with
//! [`Sim::poll_trace`].

pub mod adaptive;
pub mod backoff;
pub mod breaker;
pub mod budgets;
mod client;
pub mod config;
pub mod contention;
mod events;
pub mod faults;
mod lab;
mod limits;
mod load;
pub mod metrics;
pub mod params;
pub mod quota;
pub mod rng;
mod server;
pub mod slab;
pub mod system;
pub mod theory;
pub mod throttle;
pub mod time;
pub mod trace;

pub use backoff::Backoff;
pub use breaker::BreakerState;
pub use config::*;
pub use lab::{Lab, tier_view};
pub use metrics::{Counters, Gauges, LatencyMs, Summary, Window};
pub use system::{HostCounts, System, TierSummary};
pub use time::SimTime;
pub use trace::{TraceEvent, TraceKind};

use events::*;
use faults::{FaultState, Timeline};
use metrics::Metrics;
use rng::Stream;
use serde::Serialize;
use slab::{Key, Slab};
use std::collections::{BinaryHeap, VecDeque};
use throttle::ServerThrottle;
use trace::Trace;

/// The result of one [`Sim::advance_to`] call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Advance {
    /// Events handled in this call.
    pub events: u64,
    /// True when the target time was reached; false when the event budget ran out first.
    pub reached: bool,
}

/// The instantaneous state, for headline numbers and the animation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Status {
    pub now: SimTime,
    pub queue: u32,
    pub busy: u32,
    /// Workers available now (configured, less any capacity fault).
    pub capacity: u32,
    /// Requests alive (sent and not yet finished), including those waiting to retry.
    pub live_requests: u32,
    /// Attempts alive (in the network, queued, in service, or awaited by a client).
    pub live_attempts: u32,
    pub tokens: Option<f64>,
    pub breaker: Option<BreakerState>,
    /// Adaptive mode's send rate, once it is limiting.
    pub send_rate: Option<f64>,
    /// Whether the live cap has shed work in this run.
    pub live_cap_reached: bool,
    /// Events handled since the start.
    pub events: u64,
}

/// Keeps a part's state across a live change while it stays on (it takes its new constants),
/// starts it when it is switched on, and drops it when it is switched off.
fn keep<T>(on: bool, old: Option<T>, reconfigure: impl FnOnce(&mut T), new: impl FnOnce() -> T) -> Option<T> {
    match (on, old) {
        (false, _) => None,
        (true, Some(mut x)) => {
            reconfigure(&mut x);
            Some(x)
        }
        (true, None) => Some(new()),
    }
}

/// A running simulation.
pub struct Sim {
    cfg: Config,
    seed: u64,
    now: SimTime,
    heap: BinaryHeap<Entry>,
    /// The next open-loop arrival (or rate change), kept out of the heap.
    arrival_slot: Option<Entry>,
    seq: u64,
    events: u64,

    arrivals_rng: Stream,
    service_rng: Stream,
    client_rng: Stream,
    faults_rng: Stream,

    // Compiled parameters, in engine units.
    backoff: Backoff,
    /// The backoff after a throttling error (its own base, when set).
    backoff_throttle: Backoff,
    timeout: Option<SimTime>,
    network: SimTime,
    service_mean_us: f64,

    requests: Slab<Request>,
    attempts: Slab<Attempt>,
    next_request_id: u64,

    waiting: VecDeque<Key>,
    busy: u32,
    capacity: u32,
    throttle: Option<ServerThrottle>,

    faults: FaultState,
    /// The fault schedule, compiled.
    timeline: Timeline,
    fault_gen: u32,
    arrival_gen: u32,
    periodic_gen: u32,
    closed_running: Vec<bool>,

    limits: limits::Limits,
    /// Adaptive mode and the sends waiting for its tokens.
    pacer: adaptive::Pacer<Key>,

    metrics: Metrics,
    trace: Trace,
    live_cap_reached: bool,
    /// Timeout events whose attempt was already answered, still in the heap.
    stale: usize,
    /// When the last restart happened, so one restart is never applied twice.
    last_restart: Option<SimTime>,
    /// When a periodic job last fired, so a live change knows whether this period's jobs went.
    last_periodic_fire: Option<SimTime>,
}

impl Sim {
    /// A new simulation at time 0. Fails with the first invalid parameter.
    pub fn new(cfg: Config, seed: u64) -> Result<Sim, ConfigError> {
        cfg.validate()?;
        let mut sim = Sim {
            seed,
            now: SimTime::ZERO,
            heap: BinaryHeap::new(),
            arrival_slot: None,
            seq: 0,
            events: 0,
            arrivals_rng: Stream::new(seed, "arrivals"),
            service_rng: Stream::new(seed, "service"),
            client_rng: Stream::new(seed, "client"),
            faults_rng: Stream::new(seed, "faults"),
            backoff: Backoff::from_config(&cfg.client),
            backoff_throttle: Backoff::from_config(&cfg.client),
            timeout: None,
            network: SimTime::ZERO,
            service_mean_us: 0.0,
            requests: Slab::default(),
            attempts: Slab::default(),
            next_request_id: 0,
            waiting: VecDeque::new(),
            busy: 0,
            capacity: cfg.server.workers,
            throttle: None,
            faults: FaultState::NONE,
            timeline: Timeline::default(),
            fault_gen: 0,
            arrival_gen: 0,
            periodic_gen: 0,
            closed_running: Vec::new(),
            limits: limits::Limits::default(),
            pacer: adaptive::Pacer::default(),
            metrics: Metrics::new(SimTime::from_millis_f64(cfg.metrics.window_ms), cfg.metrics.max_windows as usize),
            trace: Trace::new(cfg.metrics.trace_capacity as usize),
            live_cap_reached: false,
            stale: 0,
            last_restart: None,
            last_periodic_fire: None,
            cfg: Config::default(),
        };
        let old = sim.cfg.clone();
        sim.cfg = cfg;
        sim.apply(&old, true);
        Ok(sim)
    }

    /// Changes parameters from the current time on, without a restart. On error nothing changes.
    /// The metrics window width and history length keep their values until [`Sim::reset`].
    pub fn set_config(&mut self, cfg: Config) -> Result<(), ConfigError> {
        cfg.validate()?;
        let old = std::mem::replace(&mut self.cfg, cfg);
        self.apply(&old, false);
        Ok(())
    }

    /// Starts again at time 0 with the same config and `seed`.
    pub fn reset(&mut self, seed: u64) {
        if let Ok(fresh) = Sim::new(self.cfg.clone(), seed) {
            *self = fresh;
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The earliest pending event's time, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.peek_next().map(|(e, _)| e.time())
    }

    /// Closed measurement windows, oldest first (history coarsens past `max_windows`).
    pub fn windows(&self) -> &[Window] {
        self.metrics.windows()
    }

    /// The window still filling.
    pub fn current_window(&self) -> &Window {
        self.metrics.current()
    }

    /// The run so far.
    pub fn summary(&self) -> Summary {
        self.metrics.summary(self.now, self.live_cap_reached)
    }

    /// Lifecycle events since the last call, and how many were dropped because the feed was full.
    pub fn poll_trace(&mut self) -> (Vec<TraceEvent>, u64) {
        self.trace.drain()
    }

    pub fn status(&self) -> Status {
        let g = self.gauges();
        Status {
            now: self.now,
            queue: g.queue,
            busy: g.busy,
            capacity: g.capacity,
            live_requests: self.requests.len() as u32,
            live_attempts: self.attempts.len() as u32,
            tokens: g.tokens,
            breaker: g.breaker,
            send_rate: g.send_rate,
            live_cap_reached: self.live_cap_reached,
            events: self.events,
        }
    }

    /// Bytes the engine's own buffers hold now (event queue, requests, attempts, queues,
    /// measurements, trace), an estimate within a few per cent for memory checks; the process
    /// adds a few MB of its own.
    pub fn approx_bytes(&self) -> usize {
        self.heap.capacity() * std::mem::size_of::<Entry>()
            + self.requests.bytes()
            + self.attempts.bytes()
            + self.waiting.capacity() * std::mem::size_of::<Key>()
            + self.pacer.bytes()
            + self.closed_running.capacity()
            + self.metrics.bytes()
            + self.trace.bytes()
    }

    /// Work the fault schedule has cost so far (see [`faults::Timeline::work`]).
    pub fn fault_work(&self) -> u64 {
        self.timeline.work()
    }

    /// Events waiting in the queue (for memory checks).
    pub fn pending_events(&self) -> usize {
        self.heap.len() + usize::from(self.arrival_slot.is_some())
    }

    fn gauges(&self) -> Gauges {
        let (tokens, breaker, grpc_tokens) = self.limits.gauges();
        Gauges { queue: self.waiting.len() as u32, busy: self.busy, capacity: self.capacity, tokens, breaker, send_rate: self.pacer.send_rate(), grpc_tokens }
    }

    /// Handles every event up to and including `target`, at most `max_events` of them.
    /// Time never goes backwards: a `target` in the past does nothing.
    pub fn advance_to(&mut self, target: SimTime, max_events: u64) -> Advance {
        let mut handled = 0;
        while let Some((e, from_slot)) = self.peek_next() {
            if e.time() > target {
                break;
            }
            if handled >= max_events {
                self.events += handled;
                return Advance { events: handled, reached: false };
            }
            if from_slot {
                self.arrival_slot = None;
            } else {
                self.heap.pop();
            }
            self.advance_clock(e.time());
            self.handle(e.ev);
            handled += 1;
        }
        self.events += handled;
        if target > self.now {
            self.advance_clock(target);
        }
        Advance { events: handled, reached: true }
    }

    /// The earliest pending event by (time, sequence), and whether it is the arrival slot's
    /// (rather than the heap's top).
    #[inline]
    fn peek_next(&self) -> Option<(Entry, bool)> {
        match (self.heap.peek(), self.arrival_slot) {
            (Some(h), Some(a)) => Some(if a.key < h.key { (a, true) } else { (*h, false) }),
            (Some(h), None) => Some((*h, false)),
            (None, a) => a.map(|a| (a, true)),
        }
    }

    /// Runs to `config.duration_s` in one go (the CLI's "run").
    pub fn run_to_end(&mut self) -> Summary {
        let end = SimTime::from_secs_f64(self.cfg.duration_s);
        while !self.advance_to(end, 1 << 20).reached {}
        self.summary()
    }

    #[inline]
    fn advance_clock(&mut self, t: SimTime) {
        if t >= self.metrics.window_end() {
            let g = self.gauges();
            self.metrics.close_until(t, &g);
        }
        self.metrics.integrate(t, self.waiting.len() as u32, self.busy, self.capacity);
        self.now = t;
    }

    #[inline]
    fn schedule(&mut self, time: SimTime, ev: Ev) {
        self.seq += 1;
        let e = Entry::new(time, self.seq, ev);
        match ev {
            // There is only ever one live open-loop arrival pending: it waits beside the heap,
            // which halves heap traffic in open-loop runs. A newer one replaces a stale one.
            Ev::Arrival { .. } | Ev::RateChange { .. } => self.arrival_slot = Some(e),
            _ => self.heap.push(e),
        }
    }

    #[inline]
    fn trace(&mut self, request: u64, attempt: u32, kind: TraceKind) {
        if self.trace.enabled() {
            self.trace.push(TraceEvent { t: self.now, request, attempt, kind });
        }
    }

    /// Brings every derived part in line with `self.cfg`, given the previous config.
    fn apply(&mut self, old: &Config, fresh: bool) {
        let now = self.now;
        let cfg = self.cfg.clone();
        self.backoff = Backoff::from_config(&cfg.client);
        self.backoff_throttle = Backoff::for_throttles(&cfg.client);
        self.timeout = cfg.client.timeout_ms.map(SimTime::from_millis_f64);
        self.network = SimTime::from_millis_f64(cfg.client.network_ms);
        self.service_mean_us = cfg.server.service_ms * 1e3;
        self.trace.set_capacity(cfg.metrics.trace_capacity as usize);

        self.throttle = keep(
            cfg.server.throttle.enabled,
            self.throttle.take(),
            |t| t.reconfigure(&cfg.server.throttle, now),
            || ServerThrottle::new(&cfg.server.throttle, now),
        );
        let l = &cfg.limiters;
        self.limits.apply(l);
        self.pacer.apply(&l.adaptive, now);

        if self.pacer.is_waiting() {
            self.schedule_limiter_wake();
        }

        if fresh || cfg.faults != old.faults {
            self.timeline = Timeline::new(&cfg.faults);
            self.fault_gen = self.fault_gen.wrapping_add(1);
            // A restart added for "now" still fires (at now); every other edge in the past is done.
            let mut edges: Vec<SimTime> = cfg
                .faults
                .iter()
                .flat_map(|f| {
                    let start = SimTime::from_secs_f64(f.start_s);
                    let restart_now = f.kind == FaultKind::Restart && start == now && !fresh;
                    [(start, restart_now), (SimTime::from_secs_f64(f.end_s), false)]
                })
                .filter(|&(t, restart_now)| t > now || restart_now)
                .map(|(t, _)| t)
                .collect();
            edges.sort_unstable();
            edges.dedup();
            for t in edges {
                self.schedule(t, Ev::FaultEdge { epoch: self.fault_gen });
            }
        }
        self.faults = self.timeline.at(now);
        self.update_capacity();

        if fresh || cfg.load.rate_per_s != old.load.rate_per_s || cfg.load.ramps != old.load.ramps || cfg.faults != old.faults {
            self.arrival_gen = self.arrival_gen.wrapping_add(1);
            self.next_arrival();
        }
        if fresh || cfg.load.periodic != old.load.periodic {
            self.periodic_gen = self.periodic_gen.wrapping_add(1);
            let p = &cfg.load.periodic;
            let period = SimTime::from_secs_f64(p.period_s).max(SimTime(1));
            // From the next period boundary still to come: the current one if the run stands
            // exactly on it and its jobs have not fired yet (a change made at t = 0 applies
            // to the very first period), else the one after.
            let k = now.0 / period.0;
            let boundary_pending = now.0 == k * period.0 && self.last_periodic_fire != Some(now);
            let k0 = if fresh || boundary_pending { k } else { k + 1 };
            for c in 0..p.clients {
                let t = self.periodic_time(k0, period, p.jittered);
                self.schedule(t, Ev::PeriodicFire { client: c, epoch: self.periodic_gen });
            }
        }
        let clients = cfg.load.closed.clients as usize;
        if self.closed_running.len() < clients {
            self.closed_running.resize(clients, false);
        }
        for c in 0..clients {
            if !self.closed_running[c] {
                self.closed_running[c] = true;
                let think = self.think_time();
                self.schedule(now.saturating_add(think), Ev::ClosedSend { client: c as u32 });
            }
        }
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival { epoch } => {
                if epoch == self.arrival_gen {
                    self.new_request(Origin::Open);
                    self.next_arrival();
                }
            }
            Ev::RateChange { epoch } => {
                if epoch == self.arrival_gen {
                    self.next_arrival();
                }
            }
            Ev::ClosedSend { client } => {
                if self.closed_client_stays(client) {
                    self.new_request(Origin::Closed(client));
                }
            }
            Ev::PeriodicFire { client, epoch } => {
                if epoch == self.periodic_gen {
                    self.last_periodic_fire = Some(self.now);
                    self.new_request(Origin::Periodic);
                    let p = &self.cfg.load.periodic;
                    let (period, jittered) = (SimTime::from_secs_f64(p.period_s).max(SimTime(1)), p.jittered);
                    let k = self.now.0 / period.0 + 1;
                    let t = self.periodic_time(k, period, jittered);
                    self.schedule(t, Ev::PeriodicFire { client, epoch });
                }
            }
            Ev::Send { request } => self.start_attempt(request),
            Ev::LimiterWake { epoch } => {
                if self.pacer.is_current(epoch) {
                    self.release_waiting_sends();
                }
            }
            Ev::ServerArrive { attempt } => self.server_arrive(attempt),
            Ev::ServiceDone { attempt } => self.service_done(attempt),
            Ev::Response { attempt, outcome } => self.deliver(attempt, outcome),
            Ev::Timeout { attempt } => self.timeout_fired(attempt),
            Ev::FaultEdge { epoch } => {
                if epoch == self.fault_gen {
                    self.fault_edge();
                }
            }
        }
    }

    #[inline]
    fn at_live_cap(&mut self, live: usize) -> bool {
        if live >= self.cfg.metrics.max_live as usize {
            self.live_cap_reached = true;
            self.metrics.c().shed_live_cap += 1;
            true
        } else {
            false
        }
    }
}
