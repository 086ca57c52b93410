//! The simulation engine: users, a chain of tiers of hosts, the calls between them and their
//! retries, in simulated time. One service is the smallest system: one tier with one host.
//!
//! Why this exists: overload is a loop. A service gets busy; queueing raises latency; latency
//! crosses the callers' timeouts; callers retry; retries add load; the service gets busier.
//! Past a point the loop sustains itself after whatever started it is gone: a *metastable*
//! failure. Between services it gets worse: retries multiply across layers (three layers that
//! each try three times send 27 attempts to the bottom for one user request), a slow tier fills
//! the queues of every tier above it because callers hold their workers while they wait, and
//! without a deadline that travels with the call a lower tier keeps working for callers that
//! gave up long ago. This engine reproduces those loops faithfully enough to measure them, and
//! every mitigation the AWS talk names (bounded queues, bounded retries, backoff, jitter, back
//! pressure) plus the limiters real SDKs ship (retry quotas, budgets, circuit breakers,
//! adaptive rate limiting).
//!
//! ```text
//!  users ──client──► tier 0 (edge)     ──tiers[0].client──► tier 1      ──► … ──► bottom
//!   open, closed,    balancer ─► host 0: queue ─► workers    balancer ─► hosts
//!   periodic                     host 1: queue ─► workers
//!  A worker that finishes its own work asks its tier's kind what next: answer, or call the
//!  tier below and hold on until that call ends (success, or failure after its own retries).
//! ```
//!
//! Where things happen, one place each:
//! - [`load`]: who sends user requests, and when (open-loop Poisson with ramps and load
//!   faults, closed-loop clients that think, periodic jobs aligned or jittered);
//! - `caller`: the calling side of every tier, users included: sending an attempt, its
//!   timeout, **the retry decision** (`Sim::retry_or_fail`: which failures are retried, max
//!   attempts, the limiters, backoff and jitter, the deadline), and the end of a logical call;
//! - `balancer`: **where a host is picked** (`Tier::pick_host`);
//! - `host`: admission (down, expired, throttle, queue limit), the queue discipline, service
//!   with contention, faults and restarts, and what a finished service leads to;
//! - [`kind`]: **where a tier's kind acts**: after its own work, answer or call another tier
//!   (a cache or a connection pool is one new file there);
//! - `summary`: what each tier reports: status, gauges, summaries, amplification.
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
//! parameters with [`Sim::set_config`] while running, and drains the lifecycle events of the
//! tier it shows with [`Sim::poll_trace`]. A change can also be **planned** for a later
//! instant ([`Sim::plan`]: an incident drill's mitigation that takes a while to roll out):
//! `advance_to` stops at that instant and applies it, so a run with planned changes is the same
//! whether they were planned at time 0 or while it ran.
//!
//! Behaviour that is the same whatever the shape (each tested in `tests/engine.rs`):
//! - a host that is down (restarting) refuses a connection with an **error**, retried as one
//!   (`client.retry_on.errors`), with one host or many; a full queue is a **rejection**;
//! - admission checks run in one order: down, then expired (`drop_expired`), then the
//!   throttle, then the queue limit;
//! - a restart happens once per host per instant, however often a live change re-applies the
//!   schedule at that instant;
//! - a tier that honours deadlines (`server.drop_expired`) drops queued work past its deadline,
//!   on arrival and at dispatch, stops a service when the deadline passes mid-way, and passes
//!   what is left of the deadline to the tier below.

pub mod adaptive;
pub mod backoff;
mod balancer;
pub mod breaker;
pub mod budgets;
mod caller;
pub mod config;
pub mod contention;
mod events;
pub mod faults;
mod host;
pub mod kind;
mod limits;
mod load;
pub mod metrics;
pub mod params;
mod queue;
pub mod quota;
pub mod rng;
mod settled;
pub mod slab;
mod summary;
pub mod theory;
pub mod throttle;
pub mod time;
pub mod trace;

pub use backoff::Backoff;
pub use breaker::BreakerState;
pub use config::*;
pub use metrics::{Counters, Gauges, LatencyMs, Summary, Window};
pub use summary::{HostCounts, RECENT_S, Status, TierSummary};
pub use time::SimTime;
pub use trace::{TraceEvent, TraceKind};

use events::*;
use faults::{FaultState, Timeline};
use metrics::Metrics;
use rng::Stream;
use slab::{Key, MaybeKey, Slab};
use std::collections::VecDeque;
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

/// Nested zero-delay retries handled inline before one is queued as an event instead: deep
/// enough for every retry of one call (at most 100 attempts), shallow enough for any stack.
const MAX_INLINE: u32 = 128;

/// One host's queue and workers.
struct Host {
    queue: VecDeque<Key>,
    busy: u32,
    capacity: u32,
    /// Calls the balancer counts as outstanding here.
    outstanding: u32,
    faults: FaultState,
    /// Faults aimed at this host alone, on top of its tier's.
    own: Option<Timeline>,
    /// The tier's `server.throttle`, one per host.
    throttle: Option<ServerThrottle>,
    counts: HostCounts,
    /// When it last restarted, so one restart is never applied twice.
    last_restart: Option<SimTime>,
}

/// A tier: its hosts, its compiled constants, and how its callers call it.
struct Tier {
    server: ServerConfig,
    /// The policy of the calls into this tier.
    policy: ClientConfig,
    kind: Box<dyn kind::Kind>,
    /// `kind.always()`, read in `apply` after the kind is reconfigured (at the start and on
    /// each live change).
    next: Option<kind::Next>,
    hosts: Vec<Host>,
    /// Faults on every host of the tier (for the edge: `faults`, load faults included).
    timeline: Timeline,
    rr: u32,
    service_mean_us: f64,
    timeout: Option<SimTime>,
    network: SimTime,
    backoff: Backoff,
    /// The backoff after a throttling answer (its own base, when set).
    backoff_throttle: Backoff,
    /// The limits on calls into this tier (one set for all its callers).
    limits: limits::Limits,
    /// AWS adaptive mode on the calls into this tier, and the sends waiting for its tokens.
    pacer: adaptive::Pacer<Caller>,
    metrics: Metrics,
    /// Worker time spent on calls after nobody waited for them any more, µs.
    wasted_us: u64,
    /// Worker time spent on calls in all, µs.
    worked_us: u64,
    /// All hosts together: calls queued, workers busy, workers available.
    queued: u32,
    busy: u32,
    capacity: u32,
    /// Logical calls into this tier not yet ended (user requests at the edge), and attempts alive.
    open_ops: u32,
    live_calls: u32,
}

/// A running simulation.
pub struct Sim {
    cfg: Config,
    seed: u64,
    now: SimTime,
    heap: queue::Queue,
    seq: u64,
    events: u64,
    /// When the tiers' current measurement windows end (they share one width).
    window_end: SimTime,
    /// When the config last changed while running (zero if never): figures measured over a
    /// span before it were made under other settings.
    changed_at: SimTime,

    arrivals_rng: Stream,
    service_rng: Stream,
    client_rng: Stream,
    faults_rng: Stream,
    balance_rng: Stream,
    kinds_rng: Stream,

    tiers: Vec<Tier>,
    /// Every fault edge: (instant, tier, host or `ALL_HOSTS`), sorted.
    fault_edges: Vec<(SimTime, u8, u16)>,
    fault_gen: u32,
    arrival_gen: u32,
    periodic_gen: u32,
    closed_running: Vec<bool>,
    /// When a periodic job last fired, so a live change knows whether this period's jobs went.
    last_periodic_fire: Option<SimTime>,

    users: Slab<User>,
    calls: Slab<Call>,
    /// The calls that calls being served make to another tier (a user's is in its `User`).
    ops: Slab<Op>,
    next_op_id: u64,

    trace: Trace,
    /// The tier whose lifecycle events the trace keeps.
    trace_tier: usize,
    /// `trace_tier` while the trace keeps anything, else `usize::MAX`: every lifecycle event
    /// asks one comparison (two loads and branches each, on six events a request, were 1 %).
    traced: usize,
    live_cap_reached: bool,
    /// Timeout events whose attempt was already answered, still queued.
    stale: usize,
    /// Zero-delay retries nested inline right now.
    depth: u32,

    /// Settled user requests and their attempts per tier: exact amplification.
    settled: settled::Settled,
    /// Changes planned for later instants, in the order they apply ([`Sim::plan`]).
    planned: std::collections::VecDeque<(SimTime, Config)>,
    /// When each planned change applies (or applied), in the order they were planned.
    plan_times: Vec<SimTime>,
}

/// Changes one run may have planned ([`Sim::plan`]): a drill's log of actions is far shorter.
pub const MAX_PLANS: usize = 64;

/// A fault edge entry that applies to every host of its tier.
const ALL_HOSTS: u16 = u16::MAX;

impl Sim {
    /// A new simulation at time 0. Fails with the first invalid parameter.
    pub fn new(cfg: Config, seed: u64) -> Result<Sim, ConfigError> {
        cfg.validate()?;
        let mut sim = Sim {
            seed,
            now: SimTime::ZERO,
            heap: queue::Queue::default(),
            seq: 0,
            events: 0,
            window_end: SimTime::ZERO,
            arrivals_rng: Stream::new(seed, "arrivals"),
            service_rng: Stream::new(seed, "service"),
            client_rng: Stream::new(seed, "client"),
            faults_rng: Stream::new(seed, "faults"),
            balance_rng: Stream::new(seed, "balancer"),
            kinds_rng: Stream::new(seed, "kinds"),
            tiers: Vec::new(),
            fault_edges: Vec::new(),
            fault_gen: 0,
            arrival_gen: 0,
            periodic_gen: 0,
            closed_running: Vec::new(),
            last_periodic_fire: None,
            users: Slab::default(),
            calls: Slab::default(),
            ops: Slab::default(),
            next_op_id: 0,
            trace: Trace::new(cfg.metrics.trace_capacity as usize),
            trace_tier: 0,
            traced: usize::MAX,
            live_cap_reached: false,
            stale: 0,
            depth: 0,
            settled: settled::Settled::new(cfg.tiers.len() + 1),
            changed_at: SimTime::ZERO,
            cfg: Config::default(),
            planned: Default::default(),
            plan_times: Vec::new(),
        };
        sim.tiers = build_tiers(&cfg);
        sim.window_end = sim.tiers[0].metrics.window_end();
        let old = std::mem::replace(&mut sim.cfg, cfg);
        sim.apply(&old, true);
        Ok(sim)
    }

    /// Changes parameters from the current time on. A change a running system cannot take
    /// live (a new number of tiers, or of hosts in a tier) starts a new run from time 0 on the
    /// same seed and returns `Ok(false)`; otherwise `Ok(true)`. On error nothing changes. The
    /// metrics window width and history length keep their values until a new run
    /// ([`Sim::new`]).
    pub fn set_config(&mut self, cfg: Config) -> Result<bool, ConfigError> {
        cfg.validate()?;
        if cfg.shape() != self.cfg.shape() {
            let (seed, tier) = (self.seed, self.trace_tier);
            *self = Sim::new(cfg, seed)?;
            self.set_trace_tier(tier);
            return Ok(false);
        }
        // A call is a change (the page calls only when the config differs).
        self.changed_at = self.now;
        let old = std::mem::replace(&mut self.cfg, cfg);
        self.apply(&old, false);
        Ok(true)
    }

    /// Plans `cfg` to replace the config at `at` (or now, if `at` has passed), as
    /// [`Sim::set_config`] would then; changes apply in the order they are planned, so one
    /// planned for an instant before an earlier plan's applies at that plan's instant. Returns
    /// the instant it will apply. Refused: an invalid config, one of another shape (hosts or
    /// tiers: a live run cannot take it), or more than [`MAX_PLANS`] plans in one run.
    pub fn plan(&mut self, at: SimTime, cfg: Config) -> Result<SimTime, ConfigError> {
        cfg.validate()?;
        let refuse = |message: &str| Err(ConfigError { key: "plan".into(), message: message.into() });
        if cfg.shape() != self.cfg.shape() {
            return refuse("a planned change cannot change the number of tiers or hosts");
        }
        if self.plan_times.len() >= MAX_PLANS {
            return refuse("at most 64 changes can be planned in one run");
        }
        let at = at.max(self.now).max(self.planned.back().map_or(SimTime::ZERO, |p| p.0));
        self.planned.push_back((at, cfg));
        self.plan_times.push(at);
        Ok(at)
    }

    /// When each planned change applies (or applied), in the order they were planned.
    pub fn plan_times(&self) -> &[SimTime] {
        &self.plan_times
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

    /// When the config last changed while the run went on (zero if it never did).
    pub fn changed_at(&self) -> SimTime {
        self.changed_at
    }

    /// Events handled since the start.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Tiers in the chain, the edge included.
    pub fn tier_count(&self) -> usize {
        self.tiers.len()
    }

    /// The earliest pending event's time, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|(key, _)| SimTime((key >> 64) as u64))
    }

    /// Which tier's lifecycle events [`Sim::poll_trace`] returns (the edge by default); a new
    /// tier starts a fresh feed.
    pub fn set_trace_tier(&mut self, t: usize) {
        let t = t.min(self.tiers.len() - 1);
        if t != self.trace_tier {
            self.trace_tier = t;
            self.trace.drain();
        }
        self.traced = if self.trace.enabled() { t } else { usize::MAX };
    }

    /// The tier the trace follows.
    pub fn trace_tier(&self) -> usize {
        self.trace_tier
    }

    /// Lifecycle events of the traced tier since the last call, and how many were dropped
    /// because the feed was full. At tier `t`, a "request" is one logical call into it (a user
    /// request at the edge) and its attempts are the calls that reach it.
    pub fn poll_trace(&mut self) -> (Vec<TraceEvent>, u64) {
        self.trace.drain()
    }

    /// Bytes the engine's own buffers hold now (event queue, requests, attempts, queues,
    /// measurements, trace), an estimate within a few per cent for memory checks; the process
    /// adds a few MB of its own.
    pub fn approx_bytes(&self) -> usize {
        self.heap.capacity() * std::mem::size_of::<Entry>()
            + self.users.bytes()
            + self.calls.bytes()
            + self.ops.bytes()
            + self.closed_running.capacity()
            + self.trace.bytes()
            + self.fault_edges.capacity() * std::mem::size_of::<(SimTime, u8, u16)>()
            + self.settled.bytes()
            + self
                .tiers
                .iter()
                .map(|t| t.metrics.bytes() + t.pacer.bytes() + t.hosts.iter().map(|h| h.queue.capacity() * std::mem::size_of::<Key>()).sum::<usize>())
                .sum::<usize>()
    }

    /// Work the fault schedules have cost so far (see [`faults::Timeline::work`]).
    pub fn fault_work(&self) -> u64 {
        self.tiers.iter().map(|t| t.timeline.work() + t.hosts.iter().filter_map(|h| h.own.as_ref()).map(Timeline::work).sum::<u64>()).sum()
    }

    /// Events waiting in the queue (for memory checks).
    pub fn pending_events(&self) -> usize {
        self.heap.len()
    }

    /// Handles every event up to and including `target`, at most `max_events` of them, and
    /// applies each planned change due by then at its instant (after that instant's events).
    /// Time never goes backwards: a `target` in the past does nothing.
    ///
    /// A run covers `[0, duration)`: the clock stops at the run's end, and what is due at that
    /// very instant is after the run. (Handled, a cron batch due at 60.0 s in a 60 s run
    /// counted 2,000 requests sent in the run report that no chart window holds.)
    pub fn advance_to(&mut self, target: SimTime, max_events: u64) -> Advance {
        let end = SimTime::from_secs_f64(self.cfg.duration_s);
        let (clock, target) = if target >= end { (end, SimTime(end.0.saturating_sub(1))) } else { (target, target) };
        let step = self.advance_before(target, max_events);
        if step.reached && clock > self.now {
            self.advance_clock(clock);
        }
        step
    }

    fn advance_before(&mut self, target: SimTime, max_events: u64) -> Advance {
        let mut events = 0;
        while let Some(at) = self.planned.front().map(|p| p.0).filter(|at| *at <= target) {
            let step = self.advance_events(at, max_events - events);
            events += step.events;
            if !step.reached {
                return Advance { events, reached: false };
            }
            if let Some((_, cfg)) = self.planned.pop_front() {
                self.apply_planned(cfg);
            }
        }
        let step = self.advance_events(target, max_events - events);
        Advance { events: events + step.events, reached: step.reached }
    }

    /// A planned change, valid and of the same shape (checked when it was planned), applied as
    /// a live change is. Not inlined into the loop above: it is rare, and large.
    #[inline(never)]
    fn apply_planned(&mut self, cfg: Config) {
        let old = std::mem::replace(&mut self.cfg, cfg);
        self.apply(&old, false);
    }

    /// The event loop itself. Not inlined: `advance_to` calls it twice, and two copies of the
    /// loop (with every handler inlined into it) cost the page 16 KB of its download.
    #[inline(never)]
    fn advance_events(&mut self, target: SimTime, max_events: u64) -> Advance {
        let mut handled = 0;
        while let Some((key, beside)) = self.heap.peek() {
            let time = SimTime((key >> 64) as u64);
            if time > target {
                break;
            }
            if handled >= max_events {
                self.events += handled;
                return Advance { events: handled, reached: false };
            }
            let Some(e) = self.heap.take(beside) else { break };
            self.advance_clock(time);
            self.handle(e.ev);
            handled += 1;
        }
        self.events += handled;
        if target > self.now {
            self.advance_clock(target);
        }
        Advance { events: handled, reached: true }
    }

    /// Runs to `config.duration_s` in one go (the CLI's "run"); the edge's summary.
    pub fn run_to_end(&mut self) -> Summary {
        let end = SimTime::from_secs_f64(self.cfg.duration_s);
        while !self.advance_to(end, 1 << 20).reached {}
        self.summary()
    }

    #[inline(always)]
    fn advance_clock(&mut self, t: SimTime) {
        // Every tier's windows share one width and start, so they close together.
        if t >= self.window_end {
            self.close_windows(t);
        }
        // Natively, the edge, then the tiers below: a run of one tier (most) loops over
        // nothing. The page keeps one loop (a second copy of the integration cost its download
        // bytes).
        #[cfg(not(target_arch = "wasm32"))]
        if let Some((edge, below)) = self.tiers.split_first_mut() {
            edge.metrics.integrate(t, edge.queued, edge.busy, edge.capacity);
            for x in below {
                x.metrics.integrate(t, x.queued, x.busy, x.capacity);
            }
        }
        #[cfg(target_arch = "wasm32")]
        for x in &mut self.tiers {
            x.metrics.integrate(t, x.queued, x.busy, x.capacity);
        }
        self.now = t;
    }

    /// Closes every tier's windows that end at or before `t` (once a window, so kept out of
    /// the per-event path: inlined, it made every event pay for its stack frame).
    #[cold]
    #[inline(never)]
    fn close_windows(&mut self, t: SimTime) {
        for i in 0..self.tiers.len() {
            let g = self.gauges(i);
            self.tiers[i].metrics.close_until(t, &g);
        }
        self.window_end = self.tiers[0].metrics.window_end();
    }

    /// Inlined natively (with the slot beside the heap it grew past the compiler's threshold,
    /// and a call for every scheduled event cost M/M/c 3 %); the page keeps the compiler's
    /// choice.
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn schedule(&mut self, time: SimTime, ev: Ev) {
        self.seq += 1;
        let e = Entry::new(time, self.seq, ev);
        match ev {
            // There is only ever one live open-loop arrival pending (see `queue`).
            Ev::Arrival { .. } | Ev::RateChange { .. } => self.heap.set_slot(e),
            _ => self.heap.push(e),
        }
    }

    /// Schedules the timeout of attempt `call` to tier `t`: in the tier's lane of the queue when
    /// it comes due after every timeout already there (nearly always), else in the heap.
    #[inline]
    fn schedule_timeout(&mut self, t: usize, at: SimTime, call: Key) {
        self.seq += 1;
        self.heap.push_timeout(t, Entry::new(at, self.seq, Ev::Timeout { call }));
    }

    /// Records a lifecycle event of an attempt at tier `t`, when the trace follows that tier.
    #[inline]
    fn trace(&mut self, t: usize, request: u64, attempt: u32, kind: TraceKind) {
        if t == self.traced {
            self.trace.push(TraceEvent { t: self.now, request, attempt, kind });
        }
    }

    /// Brings every derived part in line with `self.cfg`, given the previous config.
    fn apply(&mut self, old: &Config, fresh: bool) {
        let now = self.now;
        let cfg = self.cfg.clone();
        self.trace.set_capacity(cfg.metrics.trace_capacity as usize);
        self.traced = if self.trace.enabled() { self.trace_tier } else { usize::MAX };
        let faults_changed = fresh || cfg.faults != old.faults || cfg.tier_faults != old.tier_faults;
        for t in 0..self.tiers.len() {
            let Some((server, policy, limiters)) = cfg.tier(t) else { continue };
            let tier = &mut self.tiers[t];
            tier.server = server.clone();
            tier.policy = policy.clone();
            tier.kind.reconfigure(&cfg, t);
            tier.next = tier.kind.always();
            tier.service_mean_us = server.service_ms * 1e3;
            tier.timeout = policy.timeout_ms.map(SimTime::from_millis_f64);
            tier.network = SimTime::from_millis_f64(policy.network_ms);
            tier.backoff = Backoff::from_config(policy);
            tier.backoff_throttle = Backoff::for_throttles(policy);
            tier.limits.apply(limiters);
            tier.pacer.apply(&limiters.adaptive, now);
            let th = &server.throttle;
            for host in &mut tier.hosts {
                host.throttle = keep(th.enabled, host.throttle.take(), |x| x.reconfigure(th, now), || ServerThrottle::new(th, now));
            }
            if faults_changed {
                let (tier_wide, per_host) = tier_faults(&cfg, t, tier.hosts.len());
                tier.timeline = Timeline::new(&tier_wide);
                for (host, own) in tier.hosts.iter_mut().zip(per_host) {
                    host.own = (!own.is_empty()).then(|| Timeline::new(&own));
                }
            }
            if self.tiers[t].pacer.is_waiting() {
                // A new rate applies to the send waiting now, not only to the next one.
                self.schedule_limiter_wake(t);
            }
        }

        if faults_changed {
            self.fault_gen = self.fault_gen.wrapping_add(1);
            self.fault_edges = fault_edges(&cfg);
            // A restart added for "now" still fires (at now); every other edge in the past is done.
            // 128-bit, as every sort in the engine (the page carries one unstable sorting routine).
            let mut edges: Vec<u128> = fault_list(&cfg)
                .flat_map(|(_, _, f)| {
                    let start = SimTime::from_secs_f64(f.start_s);
                    let restart_now = f.kind == FaultKind::Restart && start == now && !fresh;
                    [(start, restart_now), (SimTime::from_secs_f64(f.end_s), false)]
                })
                .filter(|&(t, restart_now)| t > now || restart_now)
                .map(|(t, _)| u128::from(t.0))
                .collect();
            edges.sort_unstable();
            edges.dedup();
            for t in edges {
                self.schedule(SimTime(t as u64), Ev::FaultEdge { epoch: self.fault_gen });
            }
        }
        for t in 0..self.tiers.len() {
            for h in 0..self.tiers[t].hosts.len() {
                self.host_faults_now(t, h);
                self.update_capacity(t, h);
            }
        }

        let load_changed = cfg.load.rate_per_s != old.load.rate_per_s || cfg.load.ramps != old.load.ramps || cfg.faults != old.faults;
        if fresh || load_changed {
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
            Ev::Send { caller } => self.start_attempt(caller),
            Ev::LimiterWake { tier, epoch } => {
                let t = usize::from(tier);
                if self.tiers.get(t).is_some_and(|x| x.pacer.is_current(epoch)) {
                    self.release_waiting_sends(t);
                }
            }
            Ev::Arrive { call } => self.arrive(call),
            Ev::ServiceDone { call } => self.service_done(call),
            Ev::Response { call, outcome } => self.deliver(call, outcome),
            Ev::Timeout { call } => self.timeout_fired(call),
            Ev::FaultEdge { epoch } => {
                if epoch == self.fault_gen {
                    self.fault_edge();
                }
            }
        }
    }

    /// Whether `live` things (user requests or attempts) fill the live cap; counts the shed
    /// work at tier `t`.
    #[inline]
    fn at_live_cap(&mut self, t: usize, live: usize) -> bool {
        if live >= self.cfg.metrics.max_live as usize {
            self.live_cap_reached = true;
            self.tiers[t].metrics.c().shed_live_cap += 1;
            true
        } else {
            false
        }
    }
}

/// The tiers of `cfg`, edge first, each with its hosts and kind; constants come in `apply`.
fn build_tiers(cfg: &Config) -> Vec<Tier> {
    let n = cfg.tiers.len() + 1;
    let width = SimTime::from_millis_f64(cfg.metrics.window_ms);
    // The history is shared among the tiers, so a system keeps the memory of one service.
    let max_windows = (cfg.metrics.max_windows as usize / n).max(16.min(cfg.metrics.max_windows as usize));
    (0..n)
        .filter_map(|t| cfg.tier(t).map(|parts| (t, parts)))
        .map(|(t, (server, policy, _))| Tier {
            server: server.clone(),
            policy: policy.clone(),
            kind: kind::build(cfg, t, (t + 1 < n).then_some(t + 1)),
            next: None,
            hosts: (0..server.hosts)
                .map(|_| Host {
                    queue: VecDeque::new(),
                    busy: 0,
                    capacity: 0,
                    outstanding: 0,
                    faults: FaultState::NONE,
                    own: None,
                    throttle: None,
                    counts: HostCounts::default(),
                    last_restart: None,
                })
                .collect(),
            timeline: Timeline::default(),
            rr: 0,
            service_mean_us: 0.0,
            timeout: None,
            network: SimTime::ZERO,
            backoff: Backoff::from_config(policy),
            backoff_throttle: Backoff::from_config(policy),
            limits: limits::Limits::default(),
            pacer: adaptive::Pacer::default(),
            metrics: Metrics::new(width, max_windows, SimTime::from_secs_f64(cfg.duration_s)),
            wasted_us: 0,
            worked_us: 0,
            queued: 0,
            busy: 0,
            capacity: 0,
            open_ops: 0,
            live_calls: 0,
        })
        .collect()
}

/// Every fault with the tier it acts on and its host (`None`: every host of the tier): the
/// edge's `faults` first, then `tier_faults`.
fn fault_list(cfg: &Config) -> impl Iterator<Item = (usize, Option<u32>, &Fault)> {
    cfg.faults.iter().map(|f| (0, None, f)).chain(cfg.tier_faults.iter().map(|f| (f.tier as usize, f.host, &f.fault)))
}

/// Tier `t`'s faults: those on every host (the edge's include load faults, which its arrivals
/// read), and each host's own.
fn tier_faults(cfg: &Config, t: usize, hosts: usize) -> (Vec<Fault>, Vec<Vec<Fault>>) {
    let mut tier_wide = Vec::new();
    let mut per_host = vec![Vec::new(); hosts];
    for (tier, host, f) in fault_list(cfg).filter(|(tier, ..)| *tier == t) {
        let _ = tier;
        match host {
            None => tier_wide.push(f.clone()),
            Some(h) => {
                if let Some(list) = per_host.get_mut(h as usize) {
                    list.push(f.clone());
                }
            }
        }
    }
    (tier_wide, per_host)
}

/// Every fault's start and end with the hosts it touches, sorted by instant.
fn fault_edges(cfg: &Config) -> Vec<(SimTime, u8, u16)> {
    // Sorted as one number each (instant, tier, host), so that the page carries one sort.
    let mut keys: Vec<u128> = fault_list(cfg)
        .flat_map(|(t, h, f)| {
            let host = u128::from(h.map_or(ALL_HOSTS, |h| h as u16));
            let at = |s: f64| u128::from(SimTime::from_secs_f64(s).0) << 32 | (t as u128) << 16 | host;
            [at(f.start_s), at(f.end_s)]
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter().map(|k| (SimTime((k >> 32) as u64), (k >> 16) as u8, k as u16)).collect()
}

#[cfg(test)]
mod tests;
