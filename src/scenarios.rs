//! Named scenarios that follow the talk's argument. Each has a stable id (links and the CLI
//! use it), a title, a seed and a full configuration; its story and what to look for are in
//! `www/lessons.txt` (see [`crate::texts`]).

use crate::sim::*;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: &'static str,
    pub title: &'static str,
    pub seed: u64,
    pub config: Config,
    /// A second side that opens beside this one in compare mode (same seed and arrivals).
    pub compare: Option<Config>,
}

/// Brooker's stability-sim `metastable-retry`: 70 req/s against 100 req/s of capacity
/// (10 workers, mean 0.1 s), 1 s timeouts, 3 immediate retries, half the capacity crashes from
/// 5 s to 10 s. The mitigations below change one thing each.
pub fn metastable_base() -> Config {
    Config {
        load: LoadConfig { rate_per_s: 70.0, ..LoadConfig::default() },
        server: ServerConfig { workers: 10, service: ServiceDist::Exponential, service_ms: 100.0, ..ServerConfig::default() },
        client: ClientConfig { timeout_ms: Some(1_000.0), max_attempts: 4, backoff: BackoffKind::None, jitter: JitterKind::None, ..ClientConfig::default() },
        faults: vec![Fault { kind: FaultKind::Capacity, start_s: 5.0, end_s: 10.0, value: 0.5 }],
        duration_s: 60.0,
        ..Config::default()
    }
}

/// A service that holds many requests at once (2,000 req/s of 500 ms work on 1,300 workers,
/// 77 % busy), restarted at 10 s.
fn synchronized(jitter: JitterKind) -> Config {
    Config {
        load: LoadConfig { rate_per_s: 2_000.0, ..LoadConfig::default() },
        server: ServerConfig { workers: 1_300, service: ServiceDist::Constant, service_ms: 500.0, ..ServerConfig::default() },
        client: ClientConfig {
            timeout_ms: Some(1_000.0),
            max_attempts: 4,
            backoff: BackoffKind::Exponential,
            base_ms: 1_000.0,
            jitter,
            ..ClientConfig::default()
        },
        faults: vec![Fault { kind: FaultKind::Restart, start_s: 10.0, end_s: 10.0, value: 0.0 }],
        duration_s: 40.0,
        ..Config::default()
    }
}

/// The metastable crash with 140 closed-loop clients instead of open-loop arrivals.
fn closed(backoff: BackoffKind) -> Config {
    let mut c = metastable_base();
    c.load = LoadConfig { rate_per_s: 0.0, closed: ClosedLoop { clients: 140, think_ms: 1_000.0 }, ..LoadConfig::default() };
    c.client.backoff = backoff;
    c.client.base_ms = 200.0;
    c.client.cap_ms = Some(10_000.0);
    c
}

/// A full crash behind a short queue, retried 8 times with exponential backoff capped at `cap_ms`.
fn capped(cap_ms: f64) -> Config {
    Config {
        load: LoadConfig { rate_per_s: 50.0, ..LoadConfig::default() },
        server: ServerConfig { queue_limit: Some(20), ..ServerConfig::default() },
        client: ClientConfig {
            timeout_ms: Some(1_000.0),
            max_attempts: 8,
            backoff: BackoffKind::Exponential,
            base_ms: 500.0,
            cap_ms: Some(cap_ms),
            jitter: JitterKind::None,
            ..ClientConfig::default()
        },
        faults: vec![Fault { kind: FaultKind::Capacity, start_s: 5.0, end_s: 15.0, value: 0.0 }],
        duration_s: 60.0,
        ..Config::default()
    }
}

/// The storm's crash against AWS SDK standard mode: 3 attempts, full jitter, the 500-token
/// quota. Before November 2026: 100 ms base (the Java and JS SDKs), a retry costs 5 tokens and
/// 10 after a timeout. The 2026 defaults: 50 ms base (1 s after a throttle), every transient
/// retry costs 14, a throttled one 5, timeouts no extra, retry-after honoured.
fn aws_standard(v2026: bool) -> Config {
    with(|c| {
        c.client.max_attempts = 3;
        c.client.backoff = BackoffKind::Exponential;
        c.client.jitter = JitterKind::Full;
        c.client.base_ms = if v2026 { 50.0 } else { 100.0 };
        c.client.throttle_base_ms = v2026.then_some(1_000.0);
        c.client.honor_retry_after = true;
        c.limiters.quota = RetryQuota {
            enabled: true,
            retry_cost: if v2026 { 14.0 } else { 5.0 },
            timeout_cost: if v2026 { 14.0 } else { 10.0 },
            throttle_cost: 5.0,
            ..RetryQuota::default()
        };
    })
}

/// Three tiers (edge, middle, bottom) at 100 user requests/s. The edge and the middle do 1 ms
/// of work on 1,000 workers each; the bottom has 20 workers at 20 ms (1,000 calls/s, 10 %
/// busy). The bottom fails every call from 10 to 20 s. Users try 3 times (4 s timeout); each
/// tier above the bottom calls the next with `k` attempts (1 s and 300 ms timeouts).
fn layered(k: u32) -> Config {
    let wide = ServerConfig { workers: 1_000, service_ms: 1.0, ..ServerConfig::default() };
    Config {
        load: LoadConfig { rate_per_s: 100.0, ..LoadConfig::default() },
        server: wide.clone(),
        client: ClientConfig { timeout_ms: Some(4_000.0), max_attempts: 3, base_ms: 100.0, ..ClientConfig::default() },
        tiers: vec![
            TierConfig { server: wide, client: ClientConfig { timeout_ms: Some(1_000.0), max_attempts: k, base_ms: 50.0, ..ClientConfig::default() } },
            TierConfig {
                server: ServerConfig { workers: 20, service_ms: 20.0, ..ServerConfig::default() },
                client: ClientConfig { timeout_ms: Some(300.0), max_attempts: k, base_ms: 20.0, ..ClientConfig::default() },
            },
        ],
        tier_faults: vec![TierFault { tier: 2, host: None, fault: Fault { kind: FaultKind::Errors, start_s: 10.0, end_s: 20.0, value: 1.0 } }],
        ..Config::default()
    }
}

/// The three tiers of [`layered`] with retries at the edge's users only; the inner calls wait
/// up to 10 s. The bottom is 20× slow from 10 to 20 s; users give up after 1 s. `on`: every
/// tier honours the deadline that travels with its calls.
fn deadlines(on: bool) -> Config {
    let mut c = layered(1);
    c.client.timeout_ms = Some(1_000.0);
    for t in &mut c.tiers {
        t.client.timeout_ms = Some(10_000.0);
        t.server.drop_expired = on;
    }
    c.server.drop_expired = on;
    c.tier_faults = vec![TierFault { tier: 2, host: None, fault: Fault { kind: FaultKind::Slow, start_s: 10.0, end_s: 20.0, value: 20.0 } }];
    c
}

/// One service of 8 hosts (4 workers each, 50 ms) behind a balancer at 300 req/s (47 % busy);
/// host 3 is 10× slow all along. Users: 1 s timeout, 3 attempts.
fn bad_host(balancer: Balancer) -> Config {
    Config {
        load: LoadConfig { rate_per_s: 300.0, ..LoadConfig::default() },
        server: ServerConfig { workers: 4, service_ms: 50.0, hosts: 8, balancer, ..ServerConfig::default() },
        client: ClientConfig { timeout_ms: Some(1_000.0), max_attempts: 3, base_ms: 100.0, ..ClientConfig::default() },
        tier_faults: vec![TierFault { tier: 0, host: Some(3), fault: Fault { kind: FaultKind::Slow, start_s: 0.0, end_s: 86_400.0, value: 10.0 } }],
        ..Config::default()
    }
}

fn with(f: impl FnOnce(&mut Config)) -> Config {
    let mut c = metastable_base();
    f(&mut c);
    c
}

/// Every scenario, in teaching order.
pub fn all() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "healthy",
            title: "A healthy service",
            seed: 1,
            config: Config { client: ClientConfig { max_attempts: 4, ..ClientConfig::default() }, duration_s: 60.0, ..Config::default() },
            compare: None,
        },
        Scenario {
            id: "overload",
            title: "Overload: latency, then timeouts",
            seed: 2,
            config: Config {
                load: LoadConfig { rate_per_s: 70.0, ramps: vec![Ramp { start_s: 5.0, end_s: 25.0, to_per_s: 130.0 }], ..LoadConfig::default() },
                client: ClientConfig { max_attempts: 1, ..ClientConfig::default() },
                duration_s: 60.0,
                ..Config::default()
            },
            compare: None,
        },
        Scenario { id: "metastable-retry", title: "The retry storm that does not end", seed: 3, config: metastable_base(), compare: None },
        Scenario { id: "limit-queue", title: "Limit the queue", seed: 3, config: with(|c| c.server.queue_limit = Some(50)), compare: None },
        Scenario { id: "limit-retries", title: "Limit retries", seed: 3, config: with(|c| c.client.max_attempts = 1), compare: None },
        Scenario {
            id: "exponential-backoff",
            title: "Exponential backoff (no jitter)",
            seed: 3,
            config: with(|c| {
                c.client.backoff = BackoffKind::Exponential;
                c.client.base_ms = 100.0;
            }),
            compare: None,
        },
        Scenario {
            id: "full-jitter",
            title: "Backoff with full jitter",
            seed: 3,
            config: with(|c| {
                c.client.backoff = BackoffKind::Exponential;
                c.client.base_ms = 100.0;
                c.client.jitter = JitterKind::Full;
            }),
            compare: None,
        },
        Scenario {
            id: "cron-aligned",
            title: "Cron at the top of the minute",
            seed: 4,
            config: Config {
                load: LoadConfig { rate_per_s: 0.0, periodic: Periodic { clients: 2_000, period_s: 10.0, jittered: false }, ..LoadConfig::default() },
                server: ServerConfig { workers: 20, service_ms: 50.0, ..ServerConfig::default() },
                duration_s: 60.0,
                ..Config::default()
            },
            compare: None,
        },
        Scenario {
            id: "cron-jittered",
            title: "Cron with jitter",
            seed: 4,
            config: Config {
                load: LoadConfig { rate_per_s: 0.0, periodic: Periodic { clients: 2_000, period_s: 10.0, jittered: true }, ..LoadConfig::default() },
                server: ServerConfig { workers: 20, service_ms: 50.0, ..ServerConfig::default() },
                duration_s: 60.0,
                ..Config::default()
            },
            compare: None,
        },
        Scenario {
            id: "retry-quota",
            title: "A retry token bucket (AWS SDK standard mode)",
            seed: 3,
            config: with(|c| c.limiters.quota.enabled = true),
            compare: None,
        },
        Scenario {
            id: "circuit-breaker",
            title: "A circuit breaker",
            seed: 3,
            config: with(|c| {
                c.limiters.breaker.enabled = true;
                c.limiters.breaker.open_ms = 5_000.0;
            }),
            compare: None,
        },
        Scenario {
            id: "deadline-lifo",
            title: "End-to-end back pressure with deadlines",
            seed: 3,
            config: with(|c| {
                c.server.drop_expired = true;
                c.server.discipline = Discipline::Lifo;
            }),
            compare: None,
        },
        Scenario {
            id: "adaptive",
            title: "Adaptive client rate limiting (AWS SDK adaptive mode)",
            seed: 5,
            config: Config {
                load: LoadConfig { rate_per_s: 120.0, ..LoadConfig::default() },
                server: ServerConfig { throttle: Throttle { enabled: true, rate_per_s: 80.0, burst: 20.0 }, ..ServerConfig::default() },
                limiters: LimiterConfig { adaptive: Adaptive { enabled: true, ..Adaptive::default() }, ..LimiterConfig::default() },
                duration_s: 60.0,
                ..Config::default()
            },
            compare: None,
        },
        Scenario {
            id: "synchronized-retries",
            title: "A restart and synchronised retries",
            seed: 7,
            config: synchronized(JitterKind::None),
            compare: Some(synchronized(JitterKind::Full)),
        },
        Scenario {
            id: "closed-backoff",
            title: "Backoff in a closed system",
            seed: 3,
            config: closed(BackoffKind::None),
            compare: Some(closed(BackoffKind::Exponential)),
        },
        Scenario { id: "backoff-cap", title: "Backoff makes recovery long", seed: 8, config: capped(60_000.0), compare: Some(capped(2_000.0)) },
        Scenario {
            id: "hysteresis",
            title: "Hysteresis: easy to break, hard to mend",
            seed: 3,
            config: with(|c| {
                c.faults.clear();
                c.load.rate_per_s = 50.0;
                c.load.ramps = vec![Ramp { start_s: 0.0, end_s: 60.0, to_per_s: 150.0 }, Ramp { start_s: 60.0, end_s: 240.0, to_per_s: 10.0 }];
                c.server.queue_limit = Some(300);
                c.duration_s = 270.0;
            }),
            compare: None,
        },
        Scenario {
            id: "aws-sdk-2026",
            title: "AWS SDK retries: standard mode before and after November 2026",
            seed: 3,
            config: aws_standard(false),
            compare: Some(aws_standard(true)),
        },
        Scenario { id: "retries-every-layer", title: "Retries at every layer multiply", seed: 1, config: layered(3), compare: None },
        Scenario { id: "retry-at-one-layer", title: "Retry at one layer only", seed: 1, config: layered(1), compare: None },
        Scenario { id: "deadline-propagation", title: "Deadlines that travel", seed: 1, config: deadlines(false), compare: Some(deadlines(true)) },
        Scenario {
            id: "bad-host",
            title: "One bad host behind a load balancer",
            seed: 4,
            config: bad_host(Balancer::RoundRobin),
            compare: Some(bad_host(Balancer::LeastOutstanding)),
        },
        Scenario {
            id: "mmc",
            title: "M/M/10 at 80 % load",
            seed: 6,
            config: Config {
                load: LoadConfig { rate_per_s: 80.0, ..LoadConfig::default() },
                client: ClientConfig { timeout_ms: None, max_attempts: 1, ..ClientConfig::default() },
                duration_s: 600.0,
                ..Config::default()
            },
            compare: None,
        },
    ]
}

impl Scenario {
    /// The story, from `www/lessons.txt` (empty in the page until the texts arrive).
    pub fn story(&self) -> String {
        crate::texts::text(&format!("scenario.{}.story", self.id))
    }

    /// What to look for, measured on the scenario's seed in `tests/lessons.rs`.
    pub fn look_for(&self) -> String {
        crate::texts::text(&format!("scenario.{}.look_for", self.id))
    }
}

/// The scenario with this id, or a message listing the ids there are.
pub fn find(id: &str) -> Result<Scenario, String> {
    let all = all();
    let ids: Vec<&str> = all.iter().map(|s| s.id).collect();
    let list = ids.join(", ");
    all.into_iter().find(|s| s.id == id).ok_or_else(|| format!("unknown scenario '{id}': use one of {list}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_configs_valid() {
        let all = all();
        assert!(all.len() >= 10);
        for (i, s) in all.iter().enumerate() {
            s.config.validate().unwrap_or_else(|e| panic!("{}: {e}", s.id));
            if let Some(b) = &s.compare {
                b.validate().unwrap_or_else(|e| panic!("{} (compare side): {e}", s.id));
            }
            assert!(all[..i].iter().all(|o| o.id != s.id), "duplicate {}", s.id);
        }
        assert!(find("nope").unwrap_err().contains("metastable-retry"));
    }
}
