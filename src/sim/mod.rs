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
pub mod config;
pub mod contention;
pub mod faults;
pub mod metrics;
pub mod params;
pub mod quota;
pub mod rng;
pub mod slab;
pub mod theory;
pub mod throttle;
pub mod time;
pub mod trace;

pub use backoff::Backoff;
pub use breaker::BreakerState;
pub use config::*;
pub use metrics::{Counters, Gauges, LatencyMs, Summary, Window};
pub use time::SimTime;
pub use trace::{TraceEvent, TraceKind};

use adaptive::AdaptiveLimiter;
use breaker::Breaker as CircuitBreaker;
use faults::{FaultState, Timeline};
use metrics::Metrics;
use quota::Quota;
use rng::Stream;
use serde::Serialize;
use slab::{Key, Slab};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use throttle::ServerThrottle;
use trace::Trace;

/// The highest open-loop rate the engine will generate, requests per second (the documented
/// maximum of `load.rate_per_s`), however ramps and load faults combine.
const MAX_RATE_PER_S: f64 = 1_000_000.0;

/// Ramps are simulated as steps this long.
const RAMP_STEP: SimTime = SimTime(100_000);

/// Where a request came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Open,
    Closed(u32),
    Periodic,
}

#[derive(Clone, Debug)]
struct Request {
    id: u64,
    origin: Origin,
    first_sent: SimTime,
    /// Attempts sent so far.
    attempts: u32,
    /// Last backoff, for decorrelated jitter.
    previous_sleep: Option<u64>,
    /// What the last retry paid the quota, for its refund on success.
    retry_cost: Option<f64>,
}

#[derive(Clone, Debug)]
struct Attempt {
    request: Key,
    request_id: u64,
    number: u32,
    sent_at: SimTime,
    /// When the client stops waiting (`SimTime::MAX` without a timeout).
    deadline: SimTime,
    /// The client is still waiting for this attempt.
    client_waiting: bool,
    /// The server or the network still holds it (a response will come, or it is queued).
    in_system: bool,
    /// A throttle's "come back after" hint, once throttled.
    retry_after: SimTime,
    /// A worker is serving it now (a restart clears this, and its service completion is then ignored).
    in_service: bool,
}

/// How an attempt ended, as the client sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Error,
    Rejected,
    /// The hint travels in the attempt's `retry_after`, keeping events small.
    Throttled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    Timeout,
    Error,
    Rejected,
    Throttled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    /// The next open-loop arrival.
    Arrival {
        epoch: u32,
    },
    /// The open-loop rate changes: draw the next arrival afresh (Poisson is memoryless).
    RateChange {
        epoch: u32,
    },
    ClosedSend {
        client: u32,
    },
    PeriodicFire {
        client: u32,
        epoch: u32,
    },
    /// A request's next attempt is due (after a backoff).
    Send {
        request: Key,
    },
    /// Adaptive mode's bucket has a token for the first waiting send.
    LimiterWake {
        epoch: u32,
    },
    ServerArrive {
        attempt: Key,
    },
    ServiceDone {
        attempt: Key,
    },
    Response {
        attempt: Key,
        outcome: Outcome,
    },
    Timeout {
        attempt: Key,
    },
    FaultEdge {
        epoch: u32,
    },
}

/// A pending event. `key` packs (time, sequence) as `time << 64 | seq`, so ordering by
/// (time, sequence) is one 128-bit comparison.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u128,
    ev: Ev,
}

impl Entry {
    fn new(time: SimTime, seq: u64, ev: Ev) -> Entry {
        Entry { key: (u128::from(time.0) << 64) | u128::from(seq), ev }
    }

    #[inline]
    fn time(&self) -> SimTime {
        SimTime((self.key >> 64) as u64)
    }
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    /// Reversed, so that `BinaryHeap` pops the earliest (time, seq) first.
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.cmp(&self.key)
    }
}

// Small entries keep the heap's sift loops in cache: 32 bytes with the event inline.
const _: () = assert!(std::mem::size_of::<Entry>() <= 32);

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

    quota: Option<Quota>,
    breaker: Option<CircuitBreaker>,
    adaptive: Option<AdaptiveLimiter>,
    /// Sends waiting for an adaptive-mode token, first come first served.
    limiter_waiting: VecDeque<Key>,
    limiter_epoch: u32,

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
            quota: None,
            breaker: None,
            adaptive: None,
            limiter_waiting: VecDeque::new(),
            limiter_epoch: 0,
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
            + (self.waiting.capacity() + self.limiter_waiting.capacity()) * std::mem::size_of::<Key>()
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
        Gauges {
            queue: self.waiting.len() as u32,
            busy: self.busy,
            capacity: self.capacity,
            tokens: self.quota.as_ref().map(Quota::tokens),
            breaker: self.breaker.as_ref().map(CircuitBreaker::state),
            send_rate: self.adaptive.as_ref().filter(|a| a.is_limiting()).map(AdaptiveLimiter::rate),
        }
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
        self.timeout = cfg.client.timeout_ms.map(SimTime::from_millis_f64);
        self.network = SimTime::from_millis_f64(cfg.client.network_ms);
        self.service_mean_us = cfg.server.service_ms * 1e3;
        self.trace.set_capacity(cfg.metrics.trace_capacity as usize);

        self.throttle = match (cfg.server.throttle.enabled, self.throttle.take()) {
            (false, _) => None,
            (true, Some(mut t)) => {
                t.reconfigure(&cfg.server.throttle, now);
                Some(t)
            }
            (true, None) => Some(ServerThrottle::new(&cfg.server.throttle, now)),
        };
        let l = &cfg.limiters;
        self.quota = match (l.quota.enabled, self.quota.take()) {
            (false, _) => None,
            (true, Some(mut q)) => {
                q.reconfigure(&l.quota);
                Some(q)
            }
            (true, None) => Some(Quota::new(&l.quota)),
        };
        self.breaker = match (l.breaker.enabled, self.breaker.take()) {
            (false, _) => None,
            (true, Some(mut b)) => {
                b.reconfigure(&l.breaker);
                Some(b)
            }
            (true, None) => Some(CircuitBreaker::new(&l.breaker)),
        };
        self.adaptive = match (l.adaptive.enabled, self.adaptive.take()) {
            (false, _) => None,
            (true, Some(mut a)) => {
                a.reconfigure(&l.adaptive);
                Some(a)
            }
            (true, None) => Some(AdaptiveLimiter::new(&l.adaptive, now)),
        };
        if !self.limiter_waiting.is_empty() {
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

    fn periodic_time(&mut self, k: u64, period: SimTime, jittered: bool) -> SimTime {
        let start = SimTime(k.saturating_mul(period.0));
        if jittered { start.saturating_add(SimTime(self.arrivals_rng.up_to(period.0 - 1))) } else { start }
    }

    fn think_time(&mut self) -> SimTime {
        let mean = self.cfg.load.closed.think_ms * 1e3;
        // At least 1 µs: time must move between one request's end and the next.
        SimTime::from_micros_f64(self.arrivals_rng.exp(mean)).max(SimTime(1))
    }

    fn update_capacity(&mut self) {
        let w = f64::from(self.cfg.server.workers) * self.faults.capacity_share;
        self.capacity = if self.faults.down { 0 } else { w.floor() as u32 };
        self.dispatch();
    }

    /// Applies the fault schedule at `now`: capacity, slowness, errors, and any restart that
    /// starts at this instant.
    fn fault_edge(&mut self) {
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
    fn restart_server(&mut self) {
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

    /// The open-loop arrival rate at `t`, per second, and when it next changes.
    /// The open-loop arrival rate at `t`, per second (at most 1,000,000, the documented
    /// maximum, however faults multiply it), and when it next changes. Ramps are found by
    /// binary search (they are in order and do not overlap), so many ramps cost O(log R).
    fn open_rate(&self, t: SimTime) -> (f64, SimTime) {
        let load = &self.cfg.load;
        if load.ramps.is_empty() && !self.timeline.has_load() {
            return (load.rate_per_s, SimTime::MAX);
        }
        let ramps = &load.ramps;
        let ended = ramps.partition_point(|r| t >= SimTime::from_secs_f64(r.end_s));
        let mut level = if ended > 0 { ramps[ended - 1].to_per_s } else { load.rate_per_s };
        let mut next = SimTime::MAX;
        if let Some(r) = ramps.get(ended) {
            let (s, e) = (SimTime::from_secs_f64(r.start_s), SimTime::from_secs_f64(r.end_s));
            if t < s {
                next = s;
            } else {
                // Inside the ramp: the step holding t, at the rate of the step's middle.
                let step = (t.0 - s.0) / RAMP_STEP.0;
                let step_start = s.0 + step * RAMP_STEP.0;
                let step_end = SimTime(step_start + RAMP_STEP.0).min(e);
                let mid = (step_start as f64 + step_end.0 as f64) / 2.0;
                let frac = ((mid - s.0 as f64) / (e.0 - s.0) as f64).clamp(0.0, 1.0);
                level += (r.to_per_s - level) * frac;
                next = step_end;
            }
        }
        if let Some(edge) = self.timeline.next_load_change(t) {
            next = next.min(edge);
        }
        ((level * self.timeline.at(t).load).min(MAX_RATE_PER_S), next)
    }

    fn next_arrival(&mut self) {
        let (rate, change) = self.open_rate(self.now);
        let epoch = self.arrival_gen;
        if rate > 0.0 {
            let gap = SimTime::from_micros_f64(self.arrivals_rng.exp(1e6 / rate));
            let at = self.now.saturating_add(gap);
            if at < change {
                self.schedule(at, Ev::Arrival { epoch });
                return;
            }
        }
        if change != SimTime::MAX {
            self.schedule(change, Ev::RateChange { epoch });
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
                if epoch == self.limiter_epoch {
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

    fn new_request(&mut self, origin: Origin) {
        self.metrics.c().first_attempts += 1;
        if self.at_live_cap(self.requests.len()) {
            self.metrics.c().failures += 1;
            self.after_request(origin);
            return;
        }
        let id = self.next_request_id;
        self.next_request_id += 1;
        let key = self.requests.insert(Request { id, origin, first_sent: self.now, attempts: 0, previous_sleep: None, retry_cost: None });
        self.start_attempt(key);
    }

    /// A closed-loop client thinks, then sends again.
    fn after_request(&mut self, origin: Origin) {
        if let Origin::Closed(client) = origin {
            if self.closed_client_stays(client) {
                let think = self.think_time();
                self.schedule(self.now.saturating_add(think), Ev::ClosedSend { client });
            }
        }
    }

    /// Whether closed-loop `client` is still in the population; one beyond a lowered count
    /// retires here (and may be started again if the count rises).
    fn closed_client_stays(&mut self, client: u32) -> bool {
        if client < self.cfg.load.closed.clients {
            return true;
        }
        if let Some(r) = self.closed_running.get_mut(client as usize) {
            *r = false;
        }
        false
    }

    fn finish_request(&mut self, key: Key, success: bool) {
        let Some(r) = self.requests.remove(key) else {
            return;
        };
        if success {
            self.metrics.success(self.now.saturating_sub(r.first_sent));
            if let Some(q) = self.quota.as_mut() {
                q.on_success(r.retry_cost);
            }
            self.trace(r.id, r.attempts, TraceKind::Succeeded);
        } else {
            self.metrics.c().failures += 1;
            self.trace(r.id, r.attempts, TraceKind::GaveUp);
        }
        self.after_request(r.origin);
    }

    /// Sends the request's next attempt now, unless the breaker or the adaptive limiter says otherwise.
    fn start_attempt(&mut self, key: Key) {
        if let Some(b) = self.breaker.as_mut() {
            if self.requests.get(key).is_none() {
                return;
            }
            if !b.allow(self.now) {
                self.metrics.c().suppressed_breaker += 1;
                self.finish_request(key, false);
                return;
            }
        }
        if let Some(a) = self.adaptive.as_mut() {
            if !self.limiter_waiting.is_empty() || !a.try_take(self.now) {
                self.limiter_waiting.push_back(key);
                if self.limiter_waiting.len() == 1 {
                    self.schedule_limiter_wake();
                }
                return;
            }
        }
        self.send_attempt(key);
    }
}

impl Sim {
    fn send_attempt(&mut self, key: Key) {
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

    fn server_arrive(&mut self, key: Key) {
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

    fn drop_expired(&mut self, key: Key, request_id: u64, number: u32) {
        self.metrics.c().dropped_expired += 1;
        self.trace(request_id, number, TraceKind::Dropped);
        if let Some(a) = self.attempts.get_mut(key) {
            a.in_system = false;
            if !a.client_waiting {
                self.attempts.remove(key);
            }
        }
    }

    fn start_service(&mut self, key: Key, request_id: u64, number: u32) {
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
    fn dispatch(&mut self) {
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

    fn service_done(&mut self, key: Key) {
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

    fn respond(&mut self, key: Key, outcome: Outcome) {
        if self.network == SimTime::ZERO {
            self.deliver(key, outcome);
        } else {
            self.schedule(self.now.saturating_add(self.network), Ev::Response { attempt: key, outcome });
        }
    }

    /// A response reaches the client.
    fn deliver(&mut self, key: Key, outcome: Outcome) {
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
        if let Some(l) = self.adaptive.as_mut() {
            l.on_response(self.now, throttled);
            if !self.limiter_waiting.is_empty() {
                self.schedule_limiter_wake();
            }
        }
        if let Some(b) = self.breaker.as_mut() {
            b.record(self.now, outcome != Outcome::Ok);
        }
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

    fn timeout_fired(&mut self, key: Key) {
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
        if let Some(b) = self.breaker.as_mut() {
            b.record(self.now, true);
        }
        self.maybe_retry(request, Failure::Timeout, SimTime::ZERO);
    }

    /// Retries the request if the policy and every limiter allow it, or gives up.
    fn maybe_retry(&mut self, key: Key, why: Failure, retry_after: SimTime) {
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
        let mut cost = None;
        if let Some(q) = self.quota.as_mut() {
            match q.try_acquire(why == Failure::Timeout) {
                Some(c) => cost = Some(c),
                None => {
                    self.metrics.c().suppressed_quota += 1;
                    self.finish_request(key, false);
                    return;
                }
            }
        }
        let mut previous = previous;
        let mut delay = SimTime(self.backoff.delay(attempts - 1, &mut previous, &mut self.client_rng));
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
    fn release_waiting_sends(&mut self) {
        let Some(a) = self.adaptive.as_mut() else {
            // The limiter was switched off: everyone waiting goes now.
            while let Some(key) = self.limiter_waiting.pop_front() {
                self.send_attempt(key);
            }
            return;
        };
        let mut ready = Vec::new();
        while !self.limiter_waiting.is_empty() && a.try_take(self.now) {
            ready.extend(self.limiter_waiting.pop_front());
        }
        for key in ready {
            self.send_attempt(key);
        }
        if !self.limiter_waiting.is_empty() {
            self.schedule_limiter_wake();
        }
    }

    /// (Re)schedules the wake-up for the first waiting send at the limiter's current rate.
    fn schedule_limiter_wake(&mut self) {
        self.limiter_epoch = self.limiter_epoch.wrapping_add(1);
        let wait = match self.adaptive.as_mut() {
            Some(a) => a.next_token_in(self.now),
            None => SimTime::ZERO,
        };
        self.schedule(self.now.saturating_add(wait), Ev::LimiterWake { epoch: self.limiter_epoch });
    }

    /// Drops dead timeout events once they outnumber the live ones, so memory follows live work.
    fn compact_if_stale(&mut self) {
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
