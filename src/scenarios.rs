//! Named scenarios that follow the talk's argument. Each has a stable id (links and the CLI
//! use it), a title, a short story, what to look for, a seed and a full configuration.

use crate::sim::*;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: &'static str,
    pub title: &'static str,
    pub story: &'static str,
    pub look_for: &'static str,
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

/// What "synchronized-retries" shows, as its test measures it on seed 7.
pub const SYNC_LOOK_FOR: &str = "Without jitter the 1,000 requests reset at 10 s all retry at 11 s: the busiest 100 ms holds about 6× the average attempts and full goodput returns 2 s after the restart. With full jitter the same retries spread over that second: the busiest 100 ms stays under 2× the average and goodput never falls below 90 % of offered over a 2 s span (time to recovery 0 s).";
/// What "closed-backoff" shows, as its test measures it on seed 3.
pub const CLOSED_LOOK_FOR: &str = "Retries at once keep the closed system down after the crash; exponential backoff lowers what the clients send and it recovers about 10 s after the crash. Backoff helps when the clients wait for their answer. Mind the mean when you add jitter: full jitter on the same 200 ms base halves the average wait (see the delay explorer) and on this seed does not recover; full jitter from 400 ms, the same mean wait, recovers.";
/// What "backoff-cap" shows, as its test measures it on seed 8.
pub const CAP_LOOK_FOR: &str = "Both services serve new requests again the moment the crash ends (time to recovery 0 s), but the users caught by the crash are not served: with the 60 s cap the last of them succeed after waiting over 30 s, near 39 s into the run; with the 2 s cap the last succeed by about 24 s, at a cost of a sharper retry burst at 15 s.";

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
            story: "70 requests/s reach 10 workers that each take 100 ms on average: 70 % busy. Queues form and drain; nobody times out.",
            look_for: "Goodput matches the offered load, amplification stays at 1.0×, and p99 latency stays under the 1 s timeout: nothing times out.",
            seed: 1,
            config: Config { client: ClientConfig { max_attempts: 4, ..ClientConfig::default() }, duration_s: 60.0, ..Config::default() },
            compare: None,
        },
        Scenario {
            id: "overload",
            title: "Overload: latency, then timeouts",
            story: "Offered load rises past capacity (100 requests/s) on a ramp. The queue grows without limit, latency grows with it, and once latency passes the timeout every request fails even though the workers never stop.",
            look_for: "Utilisation pinned at 100 % while goodput falls toward zero: busy is not the same as useful.",
            seed: 2,
            config: Config {
                load: LoadConfig { rate_per_s: 70.0, ramps: vec![Ramp { start_s: 5.0, end_s: 25.0, to_per_s: 130.0 }], ..LoadConfig::default() },
                client: ClientConfig { max_attempts: 1, ..ClientConfig::default() },
                duration_s: 60.0,
                ..Config::default()
            },
            compare: None,
        },
        Scenario {
            id: "metastable-retry",
            title: "The retry storm that does not end",
            story: "Half the capacity crashes for 5 seconds. Latency passes the 1 s timeout, clients retry at once, up to 3 times, and the retries keep the service overloaded long after the crashed workers are back.",
            look_for: "After 10 s the trigger is gone, yet attempts stay near 4× the offered load and goodput stays near zero: a metastable failure.",
            seed: 3,
            config: metastable_base(),
            compare: None,
        },
        Scenario {
            id: "limit-queue",
            title: "Limit the queue",
            story: "The same crash, but the queue holds at most 50 requests. Requests beyond it are rejected at once, so nothing waits longer than the timeout and no work is wasted.",
            look_for: "Rejections during the crash, then a quick return to full goodput.",
            seed: 3,
            config: with(|c| c.server.queue_limit = Some(50)),
            compare: None,
        },
        Scenario {
            id: "limit-retries",
            title: "Limit retries",
            story: "The same crash with no retries at all. Some requests fail during the crash, but nothing sustains the overload afterwards.",
            look_for: "Goodput comes back within seconds of the trigger ending.",
            seed: 3,
            config: with(|c| c.client.max_attempts = 1),
            compare: None,
        },
        Scenario {
            id: "exponential-backoff",
            title: "Exponential backoff (no jitter)",
            story: "Retries wait 100 ms, 200 ms, 400 ms before going again. In this open system every request still makes all four attempts, only later, so backoff alone does not end the storm behind an unbounded queue.",
            look_for: "Attempts stay near 4× the offered load and the storm does not end: in an open system new users keep arriving, so backoff spreads retries in time without removing them. Add a queue limit or a retry quota and compare, or open \"Backoff in a closed system\", where clients wait for their answer and the same backoff does end the storm.",
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
            story: "Each retry waits uniform(0, 100 ms × 2^n): the talk's randint(0, base * 2 ** attempt). Retries that failed together no longer return together.",
            look_for: "The same storm as without jitter, attempts near 4× the offered load: behind a crash every queued request waits its own time out, so failures never line up and jitter has nothing to spread. Jitter matters when failures are synchronised: see \"A restart and synchronised retries\".",
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
            story: "2,000 clients each run a job every 10 s, all at :00. The service idles most of the period and is flooded in its first instant.",
            look_for: "A spike of 2,000 arrivals in one window each period (the period chart puts over 95 % of first tries in its first second), a deep queue, timeouts, and retries feeding the next spike.",
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
            story: "The same 2,000 jobs, each at a random offset within its period: the same work, spread evenly.",
            look_for: "About 20 arrivals per 100 ms window and never a spike (the period chart is flat: about a tenth of first tries in each second), a short queue at most, no timeouts.",
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
            story: "The same crash and the same eager retries, but every retry must be paid from a 500-token quota (5 per retry, 10 after a timeout); successes refill it.",
            look_for: "The token level drains during the crash, retries stop, and the service recovers.",
            seed: 3,
            config: with(|c| c.limiters.quota.enabled = true),
            compare: None,
        },
        Scenario {
            id: "circuit-breaker",
            title: "A circuit breaker",
            story: "The same crash with a breaker: when half the last 100 calls fail, it opens for 5 s and calls fail fast, then 10 probes test the water.",
            look_for: "The breaker opens during the crash, the queue drains while it is open, and it closes again.",
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
            story: "The same crash, but the server knows each request's deadline, skips queued work whose client already gave up, and serves the newest first.",
            look_for: "Wasted work disappears and goodput returns while attempts are still high.",
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
            story: "A throttling server admits 80 requests/s and tells clients when to come back; 120 requests/s are offered. The clients' CUBIC limiter switches on at the first throttle and settles near what the server admits.",
            look_for: "Throttles (on the limiter chart) stop after the first seconds and goodput settles near the 80/s the server admits; the excess now waits at the client, so latency grows: adaptive mode protects the server, not the users.",
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
            story: "The service restarts at 10 s and every request it holds fails at the same instant, as a restart resets its connections. Left: retries back off exponentially without jitter, so every one of them returns at the same moment, 1 s later. Right: the same backoff with full jitter spreads them over that second.",
            look_for: SYNC_LOOK_FOR,
            seed: 7,
            config: synchronized(JitterKind::None),
            compare: Some(synchronized(JitterKind::Full)),
        },
        Scenario {
            id: "closed-backoff",
            title: "Backoff in a closed system",
            story: "The counterpart of \"Exponential backoff (no jitter)\": the crash of \"The retry storm that does not end\", but the load comes from 140 clients that each wait for their answer and think for 1 s before the next request: a closed system. Here a client that backs off sends nothing else meanwhile, so backoff lowers the offered load. Left: retries at once. Right: exponential backoff (200 ms base, 10 s cap, no jitter).",
            look_for: CLOSED_LOOK_FOR,
            seed: 3,
            config: closed(BackoffKind::None),
            compare: Some(closed(BackoffKind::Exponential)),
        },
        Scenario {
            id: "backoff-cap",
            title: "Backoff makes recovery long",
            story: "Every worker crashes from 5 to 15 s; a short queue turns the crash into fast rejections. Clients retry up to 8 times with exponential backoff from 500 ms. Left: a 60 s cap, so late retries wait 16 s and 32 s. Right: a 2 s cap.",
            look_for: CAP_LOOK_FOR,
            seed: 8,
            config: capped(60_000.0),
            compare: Some(capped(2_000.0)),
        },
        Scenario {
            id: "mmc",
            title: "M/M/10 at 80 % load",
            story: "Poisson arrivals at 80/s, exponential service of 100 ms, 10 workers, an unbounded queue and no timeouts: the textbook queue, whose mean response time Erlang's formula gives (about 120.5 ms).",
            look_for: "Mean latency near 120.5 ms and utilisation near 80 % in the headline.",
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
