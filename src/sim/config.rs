//! The model's parameters: every field has a unit, a default and a validated range.
//!
//! A [`Config`] describes one service with `workers` workers behind a queue, the clients that
//! call it, the retry policy and limiters those clients use, and a schedule of faults:
//!
//! ```text
//!  open-loop Poisson ─┐                           ┌──────── server ────────┐
//!  closed-loop users ─┼─► client policy ─► net ─► │ throttle ─► queue ─► W │ ─► net ─► client
//!  periodic (cron)  ──┘   timeout, retries,       │  (limit, FIFO/LIFO,    │
//!                         backoff + jitter,       │   deadline dropping)   │
//!                         quota, breaker,         └────────────────────────┘
//!                         adaptive rate limiter          ▲ faults: capacity, slowness,
//!                                                          errors, load
//! ```
//!
//! Units are in the field names: `_ms` milliseconds, `_s` seconds, `_per_s` per second.
//! [`Config::validate`] checks every field and returns a [`ConfigError`] that names the key,
//! the value and what is allowed, word for word what the CLI and the page show.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Everything a run needs besides its seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Who sends first attempts, and when.
    pub load: LoadConfig,
    /// The service: workers, service time, queue.
    pub server: ServerConfig,
    /// What each client does per attempt: timeout, retries, backoff, jitter.
    pub client: ClientConfig,
    /// Optional limits on retries and sending: quota, breaker, adaptive rate.
    pub limiters: LimiterConfig,
    /// Scheduled faults (crashes, brownouts, error bursts, load spikes). Default: none.
    pub faults: Vec<Fault>,
    /// How measurements are bucketed and how much memory a run may use.
    pub metrics: MetricsConfig,
    /// How long the CLI and "run to end" simulate, in seconds. Default 60; 0.001 to 86,400.
    pub duration_s: f64,
    /// The tiers below the edge, tier 1 first (the edge, tier 0, is `server` and `client`).
    /// Empty by default: one service, as the lab has always been. At most [`MAX_TIERS`] − 1.
    pub tiers: Vec<TierConfig>,
    /// Faults on one tier, or one host of a tier (`faults` act on the whole edge). Default: none.
    pub tier_faults: Vec<TierFault>,
}

/// The most tiers a system may have, the edge included.
pub const MAX_TIERS: usize = 8;

/// One tier below the edge: its hosts (`server`, with `hosts` and `balancer`) and the policy
/// its callers, the hosts of the tier above, use to call it (`client`, `limiters`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TierConfig {
    /// Each host of this tier: workers, service time, queue; and how many hosts, balanced how.
    pub server: ServerConfig,
    /// How the tier above calls this one: timeout, attempts, backoff, jitter, network delay.
    pub client: ClientConfig,
    /// The limits the tier above puts on its calls into this one (quota, budgets, breaker).
    pub limiters: LimiterConfig,
}

/// A fault on tier `tier` (0 is the edge), on every host or only on `host` (counted from 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierFault {
    pub tier: u32,
    /// One host, or `null` for all of the tier's hosts.
    pub host: Option<u32>,
    pub fault: Fault,
}

/// How a tier's load balancer picks the host for each call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Balancer {
    /// Each host in turn, whatever it is doing.
    RoundRobin,
    /// A host drawn uniformly at random.
    Random,
    /// The host with the fewest calls outstanding (sent and not yet answered), lowest index on ties.
    LeastOutstanding,
    /// Two hosts drawn at random, the one with fewer outstanding calls ("power of two choices").
    TwoChoices,
}

/// Sources of first attempts; all three can run at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadConfig {
    /// Open-loop Poisson arrival rate, requests per second. Default 70; 0 (off) to 1,000,000.
    pub rate_per_s: f64,
    /// Linear ramps of the open-loop rate, applied in order. Default: none.
    pub ramps: Vec<Ramp>,
    /// Closed-loop clients: each sends, waits for the final outcome, thinks, sends again.
    pub closed: ClosedLoop,
    /// Periodic work: each client fires once per period, like a timer or a cron job.
    pub periodic: Periodic,
}

/// The open-loop rate moves linearly from its level at `start_s` to `to_per_s` at `end_s` and
/// stays there. Simulated in steps of 100 ms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ramp {
    /// When the ramp starts, seconds.
    pub start_s: f64,
    /// When the ramp reaches its target, seconds; after `start_s`.
    pub end_s: f64,
    /// The rate reached at `end_s`, requests per second; 0 to 1,000,000.
    pub to_per_s: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClosedLoop {
    /// Number of closed-loop clients. Default 0 (off); up to 100,000.
    pub clients: u32,
    /// Mean think time between a request's final outcome and the next request, ms (exponential).
    /// Default 1,000; 1 to 3,600,000 (above 0, so a client whose calls fail at once cannot spin
    /// in zero simulated time).
    pub think_ms: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Periodic {
    /// Number of periodic clients. Default 0 (off); up to 100,000.
    pub clients: u32,
    /// Period, seconds. Default 60; 0.01 to 86,400.
    pub period_s: f64,
    /// false: every client fires at the top of each period (cron at :00). true: each client
    /// fires at a random offset within each period, drawn anew every period. Default false.
    pub jittered: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceDist {
    /// Every request takes exactly the mean.
    Constant,
    /// Exponential with the mean (M/M/c when arrivals are Poisson).
    Exponential,
    /// Log-normal with the mean and shape `sigma`: a long tail, as real services have.
    Lognormal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discipline {
    /// First in, first out.
    Fifo,
    /// Last in, first out: the newest request, whose client is most likely still waiting, first.
    Lifo,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Requests served at once. Default 10; 1 to 10,000.
    pub workers: u32,
    /// Service-time distribution. Default exponential.
    pub service: ServiceDist,
    /// Mean service time at no contention, ms. Default 100; 0.001 to 600,000.
    pub service_ms: f64,
    /// Log-normal shape (standard deviation of the log). Default 0.5; 0.01 to 3.
    pub sigma: f64,
    /// Load-dependent latency: each service time is multiplied by `1 + contention × excess / workers`,
    /// where `excess` is how many requests in the server (queued or in service) exceed the
    /// worker count when service starts. Default 0 (off); 0 to 10.
    pub contention: f64,
    /// Most requests waiting in the queue; arrivals beyond it are rejected at once. `null`
    /// (unbounded) by default; 0 means no queue at all (a loss system); up to 1,000,000.
    pub queue_limit: Option<u32>,
    /// Order in which waiting requests are served. Default fifo.
    pub discipline: Discipline,
    /// Deadline-aware dropping (end-to-end back pressure): a queued request whose client has
    /// already timed out is skipped instead of served. Default false.
    pub drop_expired: bool,
    /// A server-side rate limit that rejects with a "come back later" hint.
    pub throttle: Throttle,
    /// Share of served requests that fail with an error, 0 to 1. Default 0.
    pub error_rate: f64,
    /// Identical hosts (replicas), each with `workers` workers and its own queue, behind a
    /// load balancer. Default 1; 1 to 64. More than one runs the multi-tier engine.
    pub hosts: u32,
    /// How calls are spread over the hosts. Default round_robin.
    pub balancer: Balancer,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Throttle {
    /// Default false.
    pub enabled: bool,
    /// Admitted requests per second before throttling. Default 100; 0.1 to 1,000,000.
    pub rate_per_s: f64,
    /// Burst the throttle admits at once, requests. Default 20; 1 to 1,000,000.
    pub burst: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackoffKind {
    /// Retry at once.
    None,
    /// Wait `base_ms` before every retry.
    Constant,
    /// Wait `min(cap_ms, base_ms × 2^n)` before retry n (n = backoffs already taken, from 0).
    Exponential,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JitterKind {
    /// The backoff as computed.
    None,
    /// `uniform(0, backoff)`: the talk's `randint(0, base * 2 ** attempt)`.
    Full,
    /// `backoff/2 + uniform(0, backoff/2)`.
    Equal,
    /// `min(cap, uniform(base, 3 × previous sleep))`, previous starting at base; ignores n.
    Decorrelated,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryOn {
    /// Retry when the client's timeout fires. Default true.
    pub timeouts: bool,
    /// Retry when the queue is full. Default true.
    pub rejections: bool,
    /// Retry when the server throttles. Default true.
    pub throttles: bool,
    /// Retry on errors: injected failures, a restart, a host that is down. Default true.
    pub errors: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientConfig {
    /// Per-attempt timeout, ms; `null` for none. Default 1,000; 1 to 600,000.
    pub timeout_ms: Option<f64>,
    /// Attempts per request, the first included (1 = no retries). Default 3; 1 to 100.
    pub max_attempts: u32,
    /// Which failures are retried.
    pub retry_on: RetryOn,
    /// Backoff before a retry. Default exponential.
    pub backoff: BackoffKind,
    /// Backoff base, ms. Default 100; 0 to 600,000 (above 0 for decorrelated jitter).
    pub base_ms: f64,
    /// Backoff base after a throttling error, ms; `null` for the same as `base_ms` (the AWS
    /// SDKs' 2026 defaults use 1,000 ms here and 50 ms otherwise). 0 to 600,000.
    pub throttle_base_ms: Option<f64>,
    /// Largest backoff, ms; `null` for no cap. Default 20,000; 0 to 86,400,000.
    pub cap_ms: Option<f64>,
    /// Randomness added to the backoff. Default full.
    pub jitter: JitterKind,
    /// Honour a throttle's "retry after" hint (pushback): wait it out, then back off as usual
    /// on top, so clients given the same hint do not return together. Default true.
    pub honor_retry_after: bool,
    /// One-way network delay each way, ms. Default 0; 0 to 60,000.
    pub network_ms: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct LimiterConfig {
    /// Token-bucket retry quota (AWS SDK standard mode).
    pub quota: RetryQuota,
    /// Circuit breaker (resilience4j semantics).
    pub breaker: Breaker,
    /// Client-side rate limiter driven by CUBIC (AWS SDK adaptive mode).
    pub adaptive: Adaptive,
    /// Retries as a share of requests (Finagle's retry budget).
    pub budget: RatioBudget,
    /// Client-side adaptive throttling (Google SRE book).
    pub throttling: AdaptiveThrottling,
    /// gRPC retry throttling (proposal A6).
    pub grpc: GrpcThrottle,
}

/// Finagle's retry budget; defaults are Finagle's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RatioBudget {
    /// Default false.
    pub enabled: bool,
    /// Retries allowed as a share of the requests of the last `ttl_s`. Default 0.2; 0.01 to 1.
    pub ratio: f64,
    /// Retries a second always allowed, whatever the requests. Default 10; 0 to 1,000,000.
    pub min_per_s: f64,
    /// How long deposits and withdrawals count, seconds. Default 10; 1 to 3,600.
    pub ttl_s: f64,
}

/// The SRE book's client-side adaptive throttling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaptiveThrottling {
    /// Default false.
    pub enabled: bool,
    /// Requests allowed per accepted request before local rejection starts. Default 2; 1 to 10.
    pub k: f64,
    /// Sliding window, seconds. Default 120; 1 to 3,600.
    pub window_s: f64,
}

/// gRPC retry throttling (proposal A6).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrpcThrottle {
    /// Default false.
    pub enabled: bool,
    /// Tokens at the start and at most. Default 10; 1 to 1,000.
    pub max_tokens: f64,
    /// Tokens a success adds. Default 0.1; 0.001 to 1.
    pub token_ratio: f64,
}

impl Default for RatioBudget {
    fn default() -> Self {
        RatioBudget { enabled: false, ratio: 0.2, min_per_s: 10.0, ttl_s: 10.0 }
    }
}

impl Default for AdaptiveThrottling {
    fn default() -> Self {
        AdaptiveThrottling { enabled: false, k: 2.0, window_s: 120.0 }
    }
}

impl Default for GrpcThrottle {
    fn default() -> Self {
        GrpcThrottle { enabled: false, max_tokens: 10.0, token_ratio: 0.1 }
    }
}

/// AWS SDK standard mode's retry quota; the defaults are the SDKs' constants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryQuota {
    /// Default false.
    pub enabled: bool,
    /// Tokens at the start and at most, shared by all clients. Default 500; 1 to 1,000,000.
    pub capacity: f64,
    /// Tokens a retry costs. Default 5; 0 to capacity.
    pub retry_cost: f64,
    /// Tokens a retry after a timeout costs. Default 10; 0 to capacity.
    pub timeout_cost: f64,
    /// Tokens a retry after a throttling error costs. Default 5; 0 to capacity.
    pub throttle_cost: f64,
    /// Tokens a first-try success refunds. Default 1; 0 to capacity.
    pub success_refund: f64,
}

/// A circuit breaker shared by the clients; defaults are resilience4j's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Breaker {
    /// Default false.
    pub enabled: bool,
    /// Failure share over the window that opens the breaker, 0.01 to 1. Default 0.5.
    pub failure_threshold: f64,
    /// Calls in the sliding window (it must be full before the breaker can open). Default 100; 1 to 100,000.
    pub window: u32,
    /// How long the breaker stays open, ms. Default 60,000; 1 to 3,600,000.
    pub open_ms: f64,
    /// Trial calls allowed while half-open. Default 10; 1 to 10,000.
    pub half_open_probes: u32,
}

/// AWS SDK adaptive retry mode's client-side rate limiter; defaults are the SDKs' constants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Adaptive {
    /// Default false.
    pub enabled: bool,
    /// CUBIC's multiplicative decrease, 0.1 to 0.99. Default 0.7.
    pub beta: f64,
    /// CUBIC's scale constant, 0.01 to 10. Default 0.4.
    pub scale: f64,
    /// Smoothing of the measured send rate, 0.01 to 1. Default 0.8.
    pub smoothing: f64,
    /// Bucket over which the send rate is measured, seconds, 0.01 to 60. Default 0.5.
    pub bucket_s: f64,
    /// Lowest fill rate, requests per second, 0.01 to 1,000. Default 0.5.
    pub min_rate_per_s: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// `value` is the share of workers left, 0 to 1 (0 is a crash). Work in service finishes.
    Capacity,
    /// `value` multiplies service times, 0.01 to 1,000 (a brownout or latency spike).
    Slow,
    /// `value` is the share of served requests that fail, 0 to 1 (an error burst).
    Errors,
    /// `value` multiplies the open-loop arrival rate, 0 to 1,000 (a load spike).
    Load,
    /// A process restart: at `start_s` every attempt the server holds (queued or in service)
    /// fails at once with a connection error, as a restart resets its connections; until
    /// `end_s` the server is down and refuses every attempt at once (`end_s` equal to
    /// `start_s` is an instant restart). `value` is unused (0).
    Restart,
}

/// A fault active on `[start_s, end_s)` (a restart also acts at the instant `start_s`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    /// Seconds; 0 to 86,400.
    pub start_s: f64,
    /// Seconds; after `start_s`, at most 86,400.
    pub end_s: f64,
    /// See [`FaultKind`].
    pub value: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Width of a measurement window, ms. Default 100; 1 to 3,600,000. Changes take effect on reset.
    pub window_ms: f64,
    /// Windows kept; past this, pairs of old windows merge (history coarsens). Default 4,096; 16 to 100,000.
    pub max_windows: u32,
    /// Requests (and attempts) alive at once before new ones are shed. Default 200,000; 100 to 500,000 (the memory ceiling).
    pub max_live: u32,
    /// Lifecycle events kept between polls for the animation; 0 keeps none. Default 0; up to 1,000,000.
    pub trace_capacity: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            load: LoadConfig::default(),
            server: ServerConfig::default(),
            client: ClientConfig::default(),
            limiters: LimiterConfig::default(),
            faults: Vec::new(),
            metrics: MetricsConfig::default(),
            duration_s: 60.0,
            tiers: Vec::new(),
            tier_faults: Vec::new(),
        }
    }
}

impl Default for LoadConfig {
    fn default() -> Self {
        LoadConfig { rate_per_s: 70.0, ramps: Vec::new(), closed: ClosedLoop::default(), periodic: Periodic::default() }
    }
}

impl Default for ClosedLoop {
    fn default() -> Self {
        ClosedLoop { clients: 0, think_ms: 1_000.0 }
    }
}

impl Default for Periodic {
    fn default() -> Self {
        Periodic { clients: 0, period_s: 60.0, jittered: false }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            workers: 10,
            service: ServiceDist::Exponential,
            service_ms: 100.0,
            sigma: 0.5,
            contention: 0.0,
            queue_limit: None,
            discipline: Discipline::Fifo,
            drop_expired: false,
            throttle: Throttle::default(),
            error_rate: 0.0,
            hosts: 1,
            balancer: Balancer::RoundRobin,
        }
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle { enabled: false, rate_per_s: 100.0, burst: 20.0 }
    }
}

impl Default for RetryOn {
    fn default() -> Self {
        RetryOn { timeouts: true, rejections: true, throttles: true, errors: true }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout_ms: Some(1_000.0),
            max_attempts: 3,
            retry_on: RetryOn::default(),
            backoff: BackoffKind::Exponential,
            base_ms: 100.0,
            throttle_base_ms: None,
            cap_ms: Some(20_000.0),
            jitter: JitterKind::Full,
            honor_retry_after: true,
            network_ms: 0.0,
        }
    }
}

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota { enabled: false, capacity: 500.0, retry_cost: 5.0, timeout_cost: 10.0, throttle_cost: 5.0, success_refund: 1.0 }
    }
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker { enabled: false, failure_threshold: 0.5, window: 100, open_ms: 60_000.0, half_open_probes: 10 }
    }
}

impl Default for Adaptive {
    fn default() -> Self {
        Adaptive { enabled: false, beta: 0.7, scale: 0.4, smoothing: 0.8, bucket_s: 0.5, min_rate_per_s: 0.5 }
    }
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { window_ms: 100.0, max_windows: 4_096, max_live: 200_000, trace_capacity: 0 }
    }
}

/// A parameter out of its range, or an inconsistent combination, in words a learner can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The dotted key of the offending field, e.g. `client.timeout_ms`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

pub(super) fn err(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError { key: key.into(), message: message.into() }
}

use super::params::num;

/// Most faults, and most ramps, one config may schedule.
pub const MAX_SCHEDULE: usize = 100_000;

/// Checks `lo <= v <= hi` and that `v` is a number.
fn range(key: &str, v: f64, lo: f64, hi: f64, unit: &str) -> Result<(), ConfigError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
        Err(err(key, format!("{} is out of range: allowed {} to {}{unit}", num(v), num(lo), num(hi))))
    }
}

impl Config {
    /// Tier `t`'s hosts, the policy of the calls into it and their limiters: the edge's
    /// (`server`, `client`, `limiters`) for 0, `tiers[t - 1]`'s below it; `None` past the bottom.
    pub fn tier(&self, t: usize) -> Option<(&ServerConfig, &ClientConfig, &LimiterConfig)> {
        match t.checked_sub(1) {
            None => Some((&self.server, &self.client, &self.limiters)),
            Some(i) => self.tiers.get(i).map(|x| (&x.server, &x.client, &x.limiters)),
        }
    }

    /// Checks every field; the first problem found is returned. Ranges come from the one
    /// parameter table ([`super::params::PARAMS`]); the checks here are those that relate fields.
    pub fn validate(&self) -> Result<(), ConfigError> {
        super::params::check_all(self)?;
        // Linear in both, but a schedule longer than this is a mistake, not an experiment.
        for (key, n) in [("faults", self.faults.len()), ("load.ramps", self.load.ramps.len())] {
            if n > MAX_SCHEDULE {
                return Err(err(key, format!("{} entries; at most {} are allowed", num(n as f64), num(MAX_SCHEDULE as f64))));
            }
        }
        let mut prev_end = 0.0;
        for (i, r) in self.load.ramps.iter().enumerate() {
            let k = |field: &str| format!("load.ramps[{i}].{field}");
            range(&k("start_s"), r.start_s, prev_end, 86_400.0, "s (ramps must not overlap)")?;
            range(&k("end_s"), r.end_s, 0.0, 86_400.0, "s")?;
            if r.end_s <= r.start_s {
                return Err(err(k("end_s"), format!("{} must be after start_s ({})", num(r.end_s), num(r.start_s))));
            }
            range(&k("to_per_s"), r.to_per_s, 0.0, 1_000_000.0, "requests/s")?;
            prev_end = r.end_s;
        }
        // Closed-loop clients and periodic jobs offer at most what the open-loop rate may.
        let max = super::load::MAX_RATE_PER_S;
        let l = &self.load;
        let closed = f64::from(l.closed.clients) * 1e3 / l.closed.think_ms;
        if closed > max {
            return Err(err(
                "load.closed.think_ms",
                format!(
                    "{} clients thinking {} ms could send {} requests/s; at most {} are allowed (as for load.rate_per_s): raise the think time to at least {} ms, or lower the clients",
                    num(f64::from(l.closed.clients)),
                    num(l.closed.think_ms),
                    num(closed.round()),
                    num(max),
                    num((f64::from(l.closed.clients) * 1e3 / max).ceil())
                ),
            ));
        }
        let periodic = f64::from(l.periodic.clients) / l.periodic.period_s;
        if periodic > max {
            return Err(err(
                "load.periodic.period_s",
                format!(
                    "{} jobs every {} s send {} requests/s; at most {} are allowed (as for load.rate_per_s): lengthen the period to at least {} s, or lower the jobs",
                    num(f64::from(l.periodic.clients)),
                    num(l.periodic.period_s),
                    num(periodic.round()),
                    num(max),
                    num(f64::from(l.periodic.clients) / max)
                ),
            ));
        }
        let c = &self.client;
        if c.jitter == JitterKind::Decorrelated && c.backoff != BackoffKind::None && c.base_ms <= 0.0 {
            return Err(err("client.base_ms", "decorrelated jitter needs a base above 0 ms: it grows from the base by up to 3× per retry"));
        }
        if c.jitter == JitterKind::Decorrelated && c.backoff != BackoffKind::None && c.throttle_base_ms.is_some_and(|b| b <= 0.0) {
            return Err(err("client.throttle_base_ms", "decorrelated jitter needs a base above 0 ms (or none for the same as client.base_ms)"));
        }
        let q = &self.limiters.quota;
        for (key, v) in
            [("retry_cost", q.retry_cost), ("timeout_cost", q.timeout_cost), ("throttle_cost", q.throttle_cost), ("success_refund", q.success_refund)]
        {
            if v > q.capacity {
                return Err(err(
                    format!("limiters.quota.{key}"),
                    format!(
                        "{} is more than limiters.quota.capacity ({}): one retry can cost at most the whole quota; lower limiters.quota.{key} or raise the capacity",
                        num(v),
                        num(q.capacity)
                    ),
                ));
            }
        }
        for (i, f) in self.faults.iter().enumerate() {
            let k = |field: &str| format!("faults[{i}].{field}");
            range(&k("start_s"), f.start_s, 0.0, 86_400.0, "s")?;
            range(&k("end_s"), f.end_s, 0.0, 86_400.0, "s")?;
            if f.kind == FaultKind::Restart && f.end_s < f.start_s {
                return Err(err(k("end_s"), format!("{} must not be before start_s ({})", num(f.end_s), num(f.start_s))));
            }
            if f.kind != FaultKind::Restart && f.end_s <= f.start_s {
                return Err(err(k("end_s"), format!("{} must be after start_s ({})", num(f.end_s), num(f.start_s))));
            }
            match f.kind {
                FaultKind::Capacity => range(&k("value"), f.value, 0.0, 1.0, "(share of workers left; 0 is a crash)")?,
                FaultKind::Slow => range(&k("value"), f.value, 0.01, 1_000.0, "× service time")?,
                FaultKind::Errors => range(&k("value"), f.value, 0.0, 1.0, "(share of requests failing)")?,
                FaultKind::Load => range(&k("value"), f.value, 0.0, 1_000.0, "× arrival rate")?,
                FaultKind::Restart => range(&k("value"), f.value, 0.0, 0.0, "(a restart takes no value)")?,
            }
        }
        self.validate_tiers()
    }

    /// Tiers and hosts per tier: what a live change cannot alter.
    pub fn shape(&self) -> Vec<u32> {
        (0..=self.tiers.len()).filter_map(|t| self.tier(t)).map(|(s, ..)| s.hosts).collect()
    }

    /// The first fault, or the first one aimed at a tier when the edge has none: the trigger
    /// the map's axes change and the run report's trigger span follows.
    pub fn trigger(&self) -> Option<&Fault> {
        self.faults.first().or_else(|| self.tier_faults.first().map(|f| &f.fault))
    }

    /// Whether this is more than one service with one host: tiers below the edge, more than one
    /// host, or faults aimed at a tier or host (the page and the CLI then show every tier).
    pub fn is_system(&self) -> bool {
        !self.tiers.is_empty() || self.server.hosts > 1 || !self.tier_faults.is_empty()
    }

    /// `self` as tier `t` sees it: that tier's server, client and limiters (the calls into it)
    /// in the edge's places, so that one parameter table, chart or check reads any tier. Its
    /// faults: those on all of its hosts are in `faults`; one on a single host of it stays on
    /// that host (`tier_faults`, tier 0 of the view), since it does not slow or stop the
    /// others; every fault elsewhere in the system (a trigger its verdicts and charts still
    /// mark, but which does not act on its own workers) is in `tier_faults` as tier 1 (a view
    /// has no tiers of its own). The edge of a config without tier faults is the config itself,
    /// not copied. Every "tier as a config" in the lab comes from here.
    pub fn tier_view(&self, t: usize) -> std::borrow::Cow<'_, Config> {
        let parts = self.tier(t).filter(|_| t > 0);
        if parts.is_none() && self.tier_faults.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut view = self.clone();
        if let Some((server, client, limiters)) = parts {
            (view.server, view.client, view.limiters) = (server.clone(), client.clone(), limiters.clone());
        }
        view.tiers.clear();
        let edge = self.faults.iter().map(|f| TierFault { tier: 0, host: None, fault: f.clone() });
        let (mut own, mut elsewhere) = (Vec::new(), Vec::new());
        for f in edge.chain(self.tier_faults.iter().cloned()) {
            match (f.tier as usize == t, f.host) {
                (true, None) => own.push(f.fault),
                (true, Some(_)) => elsewhere.push(TierFault { tier: 0, ..f }),
                (false, _) => elsewhere.push(TierFault { tier: 1, host: None, ..f }),
            }
        }
        (view.faults, view.tier_faults) = (own, elsewhere);
        std::borrow::Cow::Owned(view)
    }

    /// The checks that concern tiers: each tier's own ranges (from the same parameter specs,
    /// keys prefixed `tiers.N.`), and faults aimed at tiers and hosts.
    fn validate_tiers(&self) -> Result<(), ConfigError> {
        if self.tiers.len() + 1 > MAX_TIERS {
            return Err(err("tiers", format!("{} tiers; at most {MAX_TIERS} are allowed, the edge included", self.tiers.len() + 1)));
        }
        for t in 1..=self.tiers.len() {
            // Each tier's server and client take the same ranges as the edge's, from the same specs.
            let mut one = self.tier_view(t).into_owned();
            // Its faults are checked below, against the whole system.
            one.faults.clear();
            one.tier_faults.clear();
            one.validate().map_err(|e| err(format!("tiers.{t}.{}", e.key), e.message))?;
        }
        if self.tier_faults.len() > MAX_SCHEDULE {
            let n = self.tier_faults.len() as f64;
            return Err(err("tier_faults", format!("{} entries; at most {} are allowed", num(n), num(MAX_SCHEDULE as f64))));
        }
        let n = self.tiers.len() + 1;
        for (i, f) in self.tier_faults.iter().enumerate() {
            let key = format!("tier_faults[{i}]");
            let Some(hosts) = self.tier(f.tier as usize).map(|(s, ..)| s.hosts) else {
                return Err(err(key, format!("tier {} does not exist: tiers are numbered 0 (the edge) to {}", f.tier, n - 1)));
            };
            if let Some(h) = f.host {
                if h >= hosts {
                    return Err(err(
                        key,
                        format!("host {h} does not exist: tier {} has {hosts} host{}, numbered 0 to {}", f.tier, if hosts == 1 { "" } else { "s" }, hosts - 1),
                    ));
                }
            }
            if f.fault.kind == FaultKind::Load {
                return Err(err(key, "a load fault acts on the users, not on a tier; put it in faults"));
            }
            let one = Config { faults: vec![f.fault.clone()], ..Config::default() };
            one.validate().map_err(|e| err(key.clone(), e.message))?;
        }
        Ok(())
    }
}

impl Fault {
    /// Parses the short form `KIND[=VALUE]@START..END` (seconds), e.g. `crash@5..10`,
    /// `capacity=0.5@5..10`, `slow=4@20..30`, `errors=0.5@10..12`, `load=3@30..40`, and
    /// `restart@START[..END]` (an instant restart, or one that stays down until END).
    pub fn parse(s: &str) -> Result<Fault, ConfigError> {
        // Messages quote at most a short prefix of what they were given.
        let shown = super::params::quote(s, 60);
        let bad = |why: &str| {
            err(
                "fault",
                format!(
                    "'{shown}' {why}; write KIND=VALUE@START..END in seconds, KIND one of crash, capacity, slow, errors, load, restart (e.g. capacity=0.5@5..10, crash@5..10, restart@10)"
                ),
            )
        };
        let (what, when) = s.split_once('@').ok_or_else(|| bad("has no '@'"))?;
        let instant = what.split('=').next().is_some_and(|n| n.trim() == "restart") && !when.contains("..");
        let (start, end) = if instant { (when, when) } else { when.split_once("..").ok_or_else(|| bad("has no '..' between start and end"))? };
        let start_s = super::params::parse_number(start.trim()).ok_or_else(|| bad("has a start that is not a number"))?;
        let end_s = super::params::parse_number(end.trim()).ok_or_else(|| bad("has an end that is not a number"))?;
        let (name, value) = match what.split_once('=') {
            Some((n, v)) => (n.trim(), Some(super::params::parse_number(v.trim()).ok_or_else(|| bad("has a value that is not a number"))?)),
            None => (what.trim(), None),
        };
        let (kind, value) = match (name, value) {
            ("crash", None) => (FaultKind::Capacity, 0.0),
            ("capacity", Some(v)) => (FaultKind::Capacity, v),
            ("slow", Some(v)) => (FaultKind::Slow, v),
            ("errors", Some(v)) => (FaultKind::Errors, v),
            ("load", Some(v)) => (FaultKind::Load, v),
            ("restart", None) => (FaultKind::Restart, 0.0),
            ("restart", Some(_)) => {
                return Err(bad("gives restart a value (a restart takes none: restart@10 or restart@10..12)"));
            }
            ("crash", Some(_)) => {
                return Err(bad("gives crash a value (a crash leaves 0 workers; use capacity=SHARE instead)"));
            }
            (_, None) if ["capacity", "slow", "errors", "load"].contains(&name) => {
                return Err(bad("needs =VALUE"));
            }
            _ => return Err(bad("has an unknown kind")),
        };
        let f = Fault { kind, start_s, end_s, value };
        let cfg = Config { faults: vec![f.clone()], ..Config::default() };
        cfg.validate().map_err(|e| err("fault", format!("'{shown}': {}", e.message)))?;
        Ok(f)
    }
}

impl TierFault {
    /// Parses `TIER[/HOST]:FAULT`, e.g. `2:errors=1@0..60` (every host of tier 2) or
    /// `0/3:slow=10@0..600` (host 3 of the edge). Tiers and hosts count from 0.
    pub fn parse(s: &str) -> Result<TierFault, ConfigError> {
        let shown = super::params::quote(s, 60);
        let bad = |why: &str| {
            err("tier_fault", format!("'{shown}' {why}; write TIER[/HOST]:FAULT, tiers and hosts from 0 (e.g. 2:errors=1@0..60, 0/3:slow=10@0..600)"))
        };
        let (at, fault) = s.split_once(':').ok_or_else(|| bad("has no ':'"))?;
        let (tier, host) = match at.split_once('/') {
            Some((t, h)) => (t, Some(h.trim().parse::<u32>().map_err(|_| bad("has a host that is not a whole number"))?)),
            None => (at, None),
        };
        let tier = tier.trim().parse::<u32>().map_err(|_| bad("has a tier that is not a whole number"))?;
        let fault = Fault::parse(fault.trim()).map_err(|e| err("tier_fault", e.message))?;
        Ok(TierFault { tier, host, fault })
    }
}

impl fmt::Display for TierFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.host {
            Some(h) => write!(f, "{}/{h}:{}", self.tier, self.fault),
            None => write!(f, "{}:{}", self.tier, self.fault),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            FaultKind::Capacity if self.value == 0.0 => {
                return write!(f, "crash@{}..{}", self.start_s, self.end_s);
            }
            FaultKind::Restart if self.end_s == self.start_s => {
                return write!(f, "restart@{}", self.start_s);
            }
            FaultKind::Restart => return write!(f, "restart@{}..{}", self.start_s, self.end_s),
            FaultKind::Capacity => "capacity",
            FaultKind::Slow => "slow",
            FaultKind::Errors => "errors",
            FaultKind::Load => "load",
        };
        write!(f, "{kind}={}@{}..{}", self.value, self.start_s, self.end_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn errors_name_the_key_and_the_range() {
        let mut c = Config::default();
        c.client.timeout_ms = Some(-5.0);
        let e = c.validate().unwrap_err();
        assert_eq!(e.key, "client.timeout_ms");
        assert_eq!(e.message, "-5 is out of range: allowed 1 to 600,000 ms (or none for no timeout)");
        let mut c = Config::default();
        c.limiters.quota.capacity = 2.0;
        let e = c.validate().unwrap_err();
        assert_eq!(e.key, "limiters.quota.retry_cost");
        assert!(e.message.contains("more than limiters.quota.capacity (2)"), "{}", e.message);
        let mut c = Config::default();
        c.server.workers = 0;
        assert_eq!(c.validate().unwrap_err().to_string(), "server.workers: 0 is out of range: allowed a whole number from 1 to 10,000 workers");
        let mut c = Config::default();
        c.load.rate_per_s = f64::NAN;
        assert_eq!(c.validate().unwrap_err().key, "load.rate_per_s");
    }

    #[test]
    fn fault_short_form_round_trips() {
        for s in ["crash@5..10", "capacity=0.5@5..10", "slow=4@20..30", "errors=0.25@1.5..2", "load=3@30..40", "restart@10", "restart@10..12.5"] {
            let f = Fault::parse(s).unwrap();
            assert_eq!(f.to_string(), s);
        }
        assert!(Fault::parse("capacity=2@1..2").unwrap_err().message.contains("allowed 0 to 1"));
        assert!(Fault::parse("melt@1..2").unwrap_err().message.contains("unknown kind"));
        assert!(Fault::parse("slow=2@5..1").unwrap_err().message.contains("must be after"));
        assert!(Fault::parse("restart=1@5").unwrap_err().message.contains("takes none"));
        assert!(Fault::parse("restart@5..4").unwrap_err().message.contains("must not be before"));
        assert!(Fault::parse("crash@5").unwrap_err().message.contains("no '..'"));
        assert!(Fault::parse(&format!("{}@1..2", "x".repeat(10_000))).unwrap_err().message.len() < 300, "a long fault is quoted short");
    }
}
