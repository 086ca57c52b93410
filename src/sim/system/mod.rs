//! A system of services: a chain of tiers from the edge down, each with replicas behind a load
//! balancer, each calling the tier below while its caller waits.
//!
//! Why this exists: the failures that hurt most in production live between services. Retries
//! multiply across layers (three layers that each try three times send 27 attempts to the
//! bottom for one user request), a slow tier fills the queues of every tier above it because
//! callers hold their workers while they wait, and without a deadline that travels with the
//! call, a lower tier keeps working for callers that gave up long ago.
//!
//! ```text
//!  users ──client──► tier 0 (edge)        ──tiers[0].client──► tier 1        ──► … ──► bottom
//!                    balancer ─► host 0: queue ─► workers       balancer ─► hosts
//!                                host 1: queue ─► workers
//!  A worker that finishes its own work calls the tier below and holds on until that call
//!  ends (success, or failure after its own retries), then answers its caller.
//! ```
//!
//! The single-service engine ([`super::Sim`]) stays as it was for one tier with one host;
//! this engine runs when a config has `tiers` or more than one host. Every caller has the
//! single service's client policy and limiters (shared code, [`super::limits`], plus AWS
//! adaptive mode), every host the tier's throttle. It refuses, with a message, the parts it
//! does not model: closed-loop and periodic users, and contention.
//!
//! Every tier is measured as its callers see it, with the same [`Metrics`] the single engine
//! keeps for its clients: a "request" at tier `t` is one logical call from the tier above (a
//! user request at the edge), its attempts are the calls that reach tier `t`. So each tier has
//! the same windows, summaries and charts as the single service. Amplification per tier is
//! counted exactly over settled user requests (those whose whole tree of calls has ended).

mod balancer;
mod caller;
mod host;
mod validate;

pub use validate::{is_system, validate};

use super::config::*;
use super::faults::{FaultState, Timeline};
use super::metrics::{Gauges, Metrics, Summary, Window};
use super::rng::Stream;
use super::slab::{Key, Slab};
use super::{Advance, SimTime};
use serde::Serialize;
use std::collections::{BinaryHeap, VecDeque};

/// Who waits for a call: a user's request, or a call being served one tier up (its worker
/// waits with it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    User(Key),
    Call(Key),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Ok,
    Error,
    Rejected,
    /// A host's throttle said "come back later"; the hint travels in the call's `retry_after`.
    Throttled,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrival {
        epoch: u32,
    },
    RateChange {
        epoch: u32,
    },
    /// A caller's next attempt is due (after its backoff).
    Send {
        caller: Caller,
    },
    /// A call reaches its host.
    Arrive {
        call: Key,
    },
    ServiceDone {
        call: Key,
    },
    /// A host's answer reaches the caller.
    Response {
        call: Key,
        answer: Answer,
    },
    /// The caller stops waiting for this call.
    Timeout {
        call: Key,
    },
    /// Adaptive mode on the calls into `tier` has a token for the first waiting send.
    LimiterWake {
        tier: u8,
        epoch: u32,
    },
    FaultEdge {
        epoch: u32,
    },
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u128,
    ev: Ev,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    // Reversed: BinaryHeap is a max-heap and the earliest (time, sequence) must come first.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.key.cmp(&self.key)
    }
}

/// A logical operation's retry state: a user request, or a call's call to the tier below.
#[derive(Clone, Copy, Debug, Default)]
struct Op {
    first_sent: SimTime,
    /// Attempts sent so far.
    attempts: u32,
    previous_sleep: Option<u64>,
    /// What the last retry paid the quota, for its refund on success.
    retry_cost: Option<f64>,
    /// The attempt in flight, if any.
    current: Option<Key>,
}

#[derive(Clone, Debug)]
struct User {
    op: Op,
    /// The request has its final outcome.
    done: bool,
    /// Calls of its tree still alive.
    open_calls: u32,
    /// Calls that reached each tier, for exact amplification once the tree settles.
    per_tier: [u32; MAX_TIERS],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// On its way to the host.
    Travelling,
    Queued,
    Serving,
    /// Its worker waits on the call below.
    Calling,
    /// The host is done with it (an answer may still be travelling).
    Answered,
}

#[derive(Clone, Debug)]
struct Call {
    user: Key,
    caller: Caller,
    tier: u8,
    host: u16,
    /// The caller stops waiting at this instant (`SimTime::MAX` without a timeout); a tier
    /// that honours deadlines (`drop_expired`) drops or abandons the work after it.
    deadline: SimTime,
    stage: Stage,
    sent_at: SimTime,
    /// The host side still has it (travelling, queued, served, or its answer travelling back).
    held: bool,
    /// When a worker took it.
    started: SimTime,
    caller_waiting: bool,
    /// When the caller stopped waiting (`SimTime::MAX` while it waits).
    abandoned_at: SimTime,
    /// Its service was cut short at its deadline (the tier honours deadlines).
    cut: bool,
    /// A throttle's "come back after" hint, once throttled.
    retry_after: SimTime,
    /// The load balancer still counts it as outstanding on its host.
    counted: bool,
    /// The call to the tier below, while this call is `Calling`.
    below: Op,
}

/// One host's queue and workers.
struct Host {
    queue: VecDeque<Key>,
    busy: u32,
    capacity: u32,
    /// Calls the balancer counts as outstanding here.
    outstanding: u32,
    faults: FaultState,
    timeline: Timeline,
    /// The tier's `server.throttle`, one per host.
    throttle: Option<super::throttle::ServerThrottle>,
    counts: HostCounts,
}

/// What one host did, for the load balancer view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct HostCounts {
    /// Calls the balancer sent here.
    pub arrivals: u64,
    /// Calls answered with success.
    pub ok: u64,
    /// Calls answered with an error (its own, a restart, or a failed call below).
    pub errors: u64,
    /// Calls refused (queue full, restarting or throttled).
    pub rejected: u64,
}

/// A tier: its hosts, its compiled constants, and how the tier above calls it.
struct Tier {
    cfg: ServerConfig,
    policy: ClientConfig,
    hosts: Vec<Host>,
    rr: u32,
    service_mean_us: f64,
    timeout: Option<SimTime>,
    network: SimTime,
    backoff: super::Backoff,
    /// The backoff after a throttling answer.
    backoff_throttle: super::Backoff,
    /// The limits on calls into this tier (one set for all its callers).
    limits: super::limits::Limits,
    /// AWS adaptive mode on the calls into this tier, and the sends waiting for its tokens.
    pacer: super::adaptive::Pacer<Caller>,
    metrics: Metrics,
    /// Worker time spent on calls after their caller had stopped waiting, µs.
    wasted_us: u64,
    /// Worker time spent on calls in all, µs.
    worked_us: u64,
    /// All hosts together: calls queued, workers busy, workers available.
    queued: u32,
    busy: u32,
    capacity: u32,
}

/// One tier in a run's summary, edge first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierSummary {
    /// 0 is the edge.
    pub tier: u32,
    /// Calls that reached this tier (attempts), all hosts.
    pub attempts: u64,
    /// Attempts at this tier per user request (first attempts at the edge); `null` before any.
    pub amplification: Option<f64>,
    /// The same, counted exactly over the user requests whose every call has ended (requests
    /// still in flight, or stuck in a queue, wait until they settle); `null` before any has.
    pub amplification_settled: Option<f64>,
    /// Calls from the tier above (user requests at the edge) that ended in success, per second.
    pub goodput_per_s: f64,
    /// Share of this tier's worker time spent on calls after their caller had stopped waiting
    /// for them (`null` when no work was done).
    pub wasted: Option<f64>,
    /// Queued calls dropped because their deadline had passed.
    pub dropped_expired: u64,
    /// Calls into this tier that timed out at their caller.
    pub timeouts: u64,
    pub utilisation: f64,
    pub queue_avg: f64,
    /// Latency of successful calls as the caller saw them (first attempt to success), ms.
    pub latency_ms: super::LatencyMs,
    pub hosts: Vec<HostCounts>,
}

/// A running system simulation; the API mirrors [`super::Sim`], with the edge as "the server".
pub struct System {
    cfg: Config,
    seed: u64,
    now: SimTime,
    heap: BinaryHeap<Entry>,
    seq: u64,
    events: u64,
    arrivals_rng: Stream,
    service_rng: Stream,
    client_rng: Stream,
    balance_rng: Stream,
    faults_rng: Stream,
    /// The user-level schedule (load faults) and the edge's whole-tier faults.
    load_timeline: Timeline,
    /// Every instant at which some host's faults change, sorted.
    fault_edges: Vec<SimTime>,
    fault_gen: u32,
    arrival_gen: u32,
    tiers: Vec<Tier>,
    users: Slab<User>,
    calls: Slab<Call>,
    live_cap_reached: bool,
    settled_users: u64,
    settled_attempts: [u64; MAX_TIERS],
    /// Settled user requests and their calls per tier, per second of settling, the last
    /// [`RECENT_S`] seconds: amplification over a trailing span.
    recent: VecDeque<(u64, u64, [u64; MAX_TIERS])>,
}

/// Seconds of settled requests kept for [`System::recent_amplification`].
pub const RECENT_S: u64 = 60;

impl System {
    /// A new system at time 0. Fails with the first invalid parameter.
    pub fn new(cfg: Config, seed: u64) -> Result<System, ConfigError> {
        cfg.validate()?;
        let width = SimTime::from_millis_f64(cfg.metrics.window_ms);
        // The history is shared among the tiers, so a system keeps the memory of one service.
        let max_windows = (cfg.metrics.max_windows as usize / (cfg.tiers.len() + 1)).max(16);
        let mut sys = System {
            seed,
            now: SimTime::ZERO,
            heap: BinaryHeap::new(),
            seq: 0,
            events: 0,
            arrivals_rng: Stream::new(seed, "arrivals"),
            service_rng: Stream::new(seed, "service"),
            client_rng: Stream::new(seed, "client"),
            balance_rng: Stream::new(seed, "balancer"),
            faults_rng: Stream::new(seed, "faults"),
            load_timeline: Timeline::default(),
            fault_edges: Vec::new(),
            fault_gen: 0,
            arrival_gen: 0,
            tiers: Vec::new(),
            users: Slab::default(),
            calls: Slab::default(),
            live_cap_reached: false,
            settled_users: 0,
            settled_attempts: [0; MAX_TIERS],
            recent: VecDeque::new(),
            cfg: cfg.clone(),
        };
        let shapes = tier_configs(&cfg);
        sys.tiers = shapes
            .iter()
            .map(|(server, policy)| Tier {
                cfg: server.clone(),
                policy: policy.clone(),
                hosts: (0..server.hosts)
                    .map(|_| Host {
                        queue: VecDeque::new(),
                        busy: 0,
                        capacity: server.workers,
                        outstanding: 0,
                        faults: FaultState::NONE,
                        timeline: Timeline::default(),
                        throttle: None,
                        counts: HostCounts::default(),
                    })
                    .collect(),
                rr: 0,
                service_mean_us: 0.0,
                timeout: None,
                network: SimTime::ZERO,
                backoff: super::Backoff::from_config(policy),
                backoff_throttle: super::Backoff::for_throttles(policy),
                limits: super::limits::Limits::default(),
                pacer: super::adaptive::Pacer::default(),
                metrics: Metrics::new(width, max_windows),
                wasted_us: 0,
                worked_us: 0,
                queued: 0,
                busy: 0,
                capacity: server.workers * server.hosts,
            })
            .collect();
        sys.compile();
        sys.fault_edge();
        sys.next_arrival();
        Ok(sys)
    }

    /// Changes parameters from now on. A change of shape (tiers or hosts) cannot apply to a
    /// running system: it returns `Ok(false)` and changes nothing, and the caller starts a new
    /// run. On error nothing changes.
    pub fn set_config(&mut self, cfg: Config) -> Result<bool, ConfigError> {
        cfg.validate()?;
        if shape(&cfg) != shape(&self.cfg) {
            return Ok(false);
        }
        for (tier, (server, policy)) in self.tiers.iter_mut().zip(tier_configs(&cfg)) {
            tier.cfg = server;
            tier.policy = policy;
        }
        self.cfg = cfg;
        self.compile();
        self.fault_gen += 1;
        self.fault_edge();
        self.arrival_gen += 1;
        self.next_arrival();
        Ok(true)
    }

    /// Compiles constants and fault timelines from the config.
    fn compile(&mut self) {
        let cfg = &self.cfg;
        self.load_timeline = Timeline::new(&cfg.faults);
        let mut edges = Vec::new();
        for (t, tier) in self.tiers.iter_mut().enumerate() {
            tier.service_mean_us = tier.cfg.service_ms * 1e3;
            tier.timeout = tier.policy.timeout_ms.map(SimTime::from_millis_f64);
            tier.network = SimTime::from_millis_f64(tier.policy.network_ms);
            tier.backoff = super::Backoff::from_config(&tier.policy);
            tier.backoff_throttle = super::Backoff::for_throttles(&tier.policy);
            let limiters = cfg.tier(t).map_or(&cfg.limiters, |x| x.2);
            tier.limits.apply(limiters);
            let now = self.now;
            tier.pacer.apply(&limiters.adaptive, now);
            let th = &tier.cfg.throttle;
            for host in &mut tier.hosts {
                host.throttle = super::keep(th.enabled, host.throttle.take(), |x| x.reconfigure(th, now), || super::throttle::ServerThrottle::new(th, now));
            }
            for (h, host) in tier.hosts.iter_mut().enumerate() {
                let faults: Vec<Fault> = cfg
                    .faults
                    .iter()
                    .filter(|_| t == 0)
                    .chain(cfg.tier_faults.iter().filter(|f| f.tier as usize == t && f.host.is_none_or(|x| x as usize == h)).map(|f| &f.fault))
                    .filter(|f| f.kind != FaultKind::Load)
                    .cloned()
                    .collect();
                for f in &faults {
                    edges.push(SimTime::from_secs_f64(f.start_s));
                    edges.push(SimTime::from_secs_f64(f.end_s));
                }
                host.timeline = Timeline::new(&faults);
            }
        }
        edges.sort_unstable();
        edges.dedup();
        self.fault_edges = edges;
    }

    /// Starts again at time 0 with the same config and `seed`.
    pub fn reset(&mut self, seed: u64) {
        if let Ok(fresh) = System::new(self.cfg.clone(), seed) {
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

    /// Events handled since the start.
    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn tier_count(&self) -> usize {
        self.tiers.len()
    }

    /// Tier `t`'s closed windows, as its callers saw it (tier 0: as the users saw the edge).
    pub fn windows(&self, t: usize) -> &[Window] {
        self.tiers.get(t).map_or(&[], |x| x.metrics.windows())
    }

    /// Tier `t`'s window still filling.
    pub fn current_window(&self, t: usize) -> Option<&Window> {
        self.tiers.get(t).map(|x| x.metrics.current())
    }

    /// Tier `t`'s run so far, as its callers saw it (tier 0: the users' view, as a single
    /// service's summary).
    pub fn summary(&self, t: usize) -> Summary {
        self.tiers.get(t).map_or_else(|| Metrics::new(SimTime(1), 2).summary(self.now, false), |x| x.metrics.summary(self.now, self.live_cap_reached))
    }

    /// Every tier, edge first.
    pub fn tier_summaries(&self) -> Vec<TierSummary> {
        let summaries: Vec<Summary> = self.tiers.iter().map(|x| x.metrics.summary(self.now, self.live_cap_reached)).collect();
        // User requests: the first attempts at the edge.
        let users = summaries.first().map_or(0, |s| s.counts.first_attempts);
        self.tiers
            .iter()
            .zip(summaries)
            .enumerate()
            .map(|(t, (tier, s))| TierSummary {
                tier: t as u32,
                attempts: s.counts.server_arrivals,
                amplification: (users > 0).then(|| s.counts.server_arrivals as f64 / users as f64),
                amplification_settled: self.amplification(t),
                goodput_per_s: s.goodput_per_s,
                wasted: (tier.worked_us > 0).then(|| tier.wasted_us as f64 / tier.worked_us as f64),
                dropped_expired: s.counts.dropped_expired,
                timeouts: s.counts.timeouts,
                utilisation: s.utilisation,
                queue_avg: s.queue_avg,
                latency_ms: s.latency_ms,
                hosts: tier.hosts.iter().map(|h| h.counts).collect(),
            })
            .collect()
    }

    /// Attempts at tier `t` per settled user request.
    pub fn amplification(&self, t: usize) -> Option<f64> {
        (self.settled_users > 0 && t < self.tiers.len()).then(|| self.settled_attempts[t] as f64 / self.settled_users as f64)
    }

    /// Attempts at tier `t` per user request over the requests that settled in the last
    /// `span_s` seconds (whole seconds, at most [`RECENT_S`]), with how many settled; `None`
    /// when none did.
    pub fn recent_amplification(&self, t: usize, span_s: u64) -> Option<(f64, u64)> {
        let from = (self.now.0 / 1_000_000).saturating_sub(span_s.min(RECENT_S));
        let (mut users, mut attempts) = (0, 0);
        for (_, u, a) in self.recent.iter().filter(|(s, _, _)| *s >= from) {
            users += u;
            attempts += a.get(t).copied().unwrap_or(0);
        }
        (users > 0).then(|| (attempts as f64 / users as f64, users))
    }

    /// Tier `t` now, all hosts together.
    pub fn gauges(&self, t: usize) -> Gauges {
        let mut g = Gauges { queue: 0, busy: 0, capacity: 0, tokens: None, breaker: None, send_rate: None, grpc_tokens: None };
        if let Some(tier) = self.tiers.get(t) {
            (g.tokens, g.breaker, g.grpc_tokens) = tier.limits.gauges();
            g.send_rate = tier.pacer.send_rate();
            (g.queue, g.busy, g.capacity) = (tier.queued, tier.busy, tier.capacity);
        }
        g
    }

    /// Each host of tier `t` now: (queue, busy, capacity).
    pub fn host_gauges(&self, t: usize) -> Vec<(u32, u32, u32)> {
        self.tiers.get(t).map_or_else(Vec::new, |x| x.hosts.iter().map(|h| (h.queue.len() as u32, h.busy, h.capacity)).collect())
    }

    /// User requests and calls alive now.
    pub fn live(&self) -> (u32, u32) {
        (self.users.len() as u32, self.calls.len() as u32)
    }

    pub fn live_cap_reached(&self) -> bool {
        self.live_cap_reached
    }

    /// Bytes the engine's own buffers hold now, an estimate for memory checks.
    pub fn approx_bytes(&self) -> usize {
        self.heap.capacity() * std::mem::size_of::<Entry>()
            + self.users.bytes()
            + self.calls.bytes()
            + self.tiers.iter().map(|t| t.metrics.bytes() + t.hosts.iter().map(|h| h.queue.capacity() * 8).sum::<usize>()).sum::<usize>()
    }

    /// The earliest pending event's time, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| SimTime((e.key >> 64) as u64))
    }

    /// Handles every event up to and including `target`, at most `max_events` of them.
    pub fn advance_to(&mut self, target: SimTime, max_events: u64) -> Advance {
        let mut handled = 0;
        while let Some(e) = self.heap.peek() {
            let t = SimTime((e.key >> 64) as u64);
            if t > target {
                break;
            }
            if handled >= max_events {
                self.events += handled;
                return Advance { events: handled, reached: false };
            }
            let ev = e.ev;
            self.heap.pop();
            self.advance_clock(t);
            self.handle(ev);
            handled += 1;
        }
        self.events += handled;
        if target > self.now {
            self.advance_clock(target);
        }
        Advance { events: handled, reached: true }
    }

    /// Runs to `config.duration_s`.
    pub fn run_to_end(&mut self) -> Summary {
        let end = SimTime::from_secs_f64(self.cfg.duration_s);
        while !self.advance_to(end, 1 << 20).reached {}
        self.summary(0)
    }

    fn advance_clock(&mut self, t: SimTime) {
        for i in 0..self.tiers.len() {
            if t >= self.tiers[i].metrics.window_end() {
                let g = self.gauges(i);
                self.tiers[i].metrics.close_until(t, &g);
            }
            let x = &mut self.tiers[i];
            x.metrics.integrate(t, x.queued, x.busy, x.capacity);
        }
        self.now = t;
    }

    fn schedule(&mut self, time: SimTime, ev: Ev) {
        self.seq += 1;
        self.heap.push(Entry { key: (u128::from(time.0) << 64) | u128::from(self.seq), ev });
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival { epoch } if epoch == self.arrival_gen => {
                self.new_user();
                self.next_arrival();
            }
            Ev::RateChange { epoch } if epoch == self.arrival_gen => self.next_arrival(),
            Ev::Arrival { .. } | Ev::RateChange { .. } => {}
            Ev::Send { caller } => self.send(caller),
            Ev::Arrive { call } => self.arrive(call),
            Ev::ServiceDone { call } => self.service_done(call),
            Ev::Response { call, answer } => self.response(call, answer),
            Ev::Timeout { call } => self.timeout(call),
            Ev::LimiterWake { tier, epoch } => {
                if self.tiers.get(usize::from(tier)).is_some_and(|t| t.pacer.is_current(epoch)) {
                    self.release_waiting_sends(usize::from(tier));
                }
            }
            Ev::FaultEdge { epoch } if epoch == self.fault_gen => self.fault_edge(),
            Ev::FaultEdge { .. } => {}
        }
    }

    fn next_arrival(&mut self) {
        let epoch = self.arrival_gen;
        match super::load::next_open_arrival(&self.cfg.load, &self.load_timeline, self.now, &mut self.arrivals_rng) {
            Ok(at) => self.schedule(at, Ev::Arrival { epoch }),
            Err(change) if change != SimTime::MAX => self.schedule(change, Ev::RateChange { epoch }),
            Err(_) => {}
        }
    }

    /// Applies every host's faults at `now` and schedules the next change.
    fn fault_edge(&mut self) {
        let now = self.now;
        for t in 0..self.tiers.len() {
            for h in 0..self.tiers[t].hosts.len() {
                let host = &mut self.tiers[t].hosts[h];
                host.faults = host.timeline.at(now);
                if host.timeline.restarts_at(now) {
                    self.restart(t, h);
                }
                self.update_capacity(t, h);
            }
        }
        let i = self.fault_edges.partition_point(|e| *e <= now);
        if let Some(&next) = self.fault_edges.get(i) {
            let epoch = self.fault_gen;
            self.schedule(next, Ev::FaultEdge { epoch });
        }
    }

    fn live_full(&mut self) -> bool {
        let full = self.users.len() + self.calls.len() >= self.cfg.metrics.max_live as usize;
        if full {
            self.live_cap_reached = true;
        }
        full
    }
}

/// The tiers of `cfg`, edge first: each tier's hosts and the policy of the calls into it.
fn tier_configs(cfg: &Config) -> Vec<(ServerConfig, ClientConfig)> {
    (0..=cfg.tiers.len()).filter_map(|t| cfg.tier(t)).map(|(s, c, _)| (s.clone(), c.clone())).collect()
}

/// Tiers and hosts per tier: what a live change cannot alter.
fn shape(cfg: &Config) -> Vec<u32> {
    (0..=cfg.tiers.len()).filter_map(|t| cfg.tier(t)).map(|(s, ..)| s.hosts).collect()
}

#[cfg(test)]
mod tests;
