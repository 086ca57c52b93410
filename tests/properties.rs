//! Invariants for any valid configuration: no panic, no NaN, time never goes backwards,
//! memory stays under the cap, and the same seed gives the same run.
#![cfg(not(target_arch = "wasm32"))]

use backoff_lab::keys;
use backoff_lab::sim::*;
use proptest::prelude::*;

fn arb_config() -> impl Strategy<Value = Config> {
    let load = (0.0..2_000.0f64, 0u32..200, 1.0..2_000.0f64, 0u32..300, 0.05..5.0f64, any::<bool>());
    let server = (
        1u32..40,
        prop_oneof![Just(ServiceDist::Constant), Just(ServiceDist::Exponential), Just(ServiceDist::Lognormal)],
        0.1..200.0f64,
        0.0..3.0f64,
        prop_oneof![Just(None), (0u32..200).prop_map(Some)],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0.0..1.0f64,
    );
    let client = (
        prop_oneof![Just(None), (1.0..2_000.0f64).prop_map(Some)],
        1u32..8,
        prop_oneof![Just(BackoffKind::None), Just(BackoffKind::Constant), Just(BackoffKind::Exponential)],
        1.0..500.0f64,
        prop_oneof![Just(JitterKind::None), Just(JitterKind::Full), Just(JitterKind::Equal), Just(JitterKind::Decorrelated)],
        0.0..20.0f64,
    );
    let limiters = (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>());
    let fault =
        (prop_oneof![Just(FaultKind::Capacity), Just(FaultKind::Slow), Just(FaultKind::Errors), Just(FaultKind::Load)], 0.0..4.0f64, 0.1..4.0f64, 0.0..1.0f64);
    // A system: tiers below the edge (each a variation on the edge), hosts behind a balancer,
    // a fault on one tier or host, and which tier the trace follows.
    let system = (0usize..3, 1u32..4, 0usize..4, prop::option::of((0u32..3, prop::option::of(0u32..4), 0usize..3)), 0usize..3, 0.2..3.0f64);
    (load, server, client, limiters, prop::collection::vec(fault, 0..3), 100u32..3_000, system).prop_map(|(l, s, c, lim, faults, max_live, sys)| {
        let mut cfg = Config::default();
        cfg.load.rate_per_s = l.0;
        cfg.load.closed = ClosedLoop { clients: l.1, think_ms: l.2 };
        cfg.load.periodic = Periodic { clients: l.3, period_s: l.4, jittered: l.5 };
        cfg.server.workers = s.0;
        cfg.server.service = s.1;
        cfg.server.service_ms = s.2;
        cfg.server.contention = s.3;
        cfg.server.queue_limit = s.4;
        cfg.server.discipline = if s.5 { Discipline::Lifo } else { Discipline::Fifo };
        cfg.server.drop_expired = s.6;
        cfg.server.throttle.enabled = s.7;
        cfg.server.error_rate = s.8;
        cfg.client.timeout_ms = c.0;
        cfg.client.max_attempts = c.1;
        cfg.client.backoff = c.2;
        cfg.client.base_ms = c.3;
        cfg.client.jitter = c.4;
        cfg.client.network_ms = c.5;
        cfg.limiters.quota.enabled = lim.0;
        cfg.limiters.breaker.enabled = lim.1;
        cfg.limiters.breaker.open_ms = 500.0;
        cfg.limiters.adaptive.enabled = lim.2;
        cfg.metrics.trace_capacity = if lim.3 { 5_000 } else { 0 };
        cfg.metrics.max_live = max_live;
        cfg.metrics.max_windows = 64;
        cfg.faults = faults
            .into_iter()
            .map(|(kind, start, len, v)| Fault {
                kind,
                start_s: start,
                end_s: start + len,
                value: match kind {
                    FaultKind::Slow => 0.5 + 4.0 * v,
                    FaultKind::Load => 3.0 * v,
                    _ => v,
                },
            })
            .collect();
        cfg.duration_s = 6.0;
        let (tiers, hosts, balancer, tier_fault, _, scale) = sys;
        cfg.server.hosts = hosts;
        cfg.server.balancer = [Balancer::RoundRobin, Balancer::Random, Balancer::LeastOutstanding, Balancer::TwoChoices][balancer];
        cfg.tiers = (0..tiers)
            .map(|i| {
                let mut t = TierConfig { server: cfg.server.clone(), client: cfg.client.clone(), limiters: cfg.limiters.clone() };
                t.server.service_ms = (t.server.service_ms * scale / (i + 1) as f64).max(0.01);
                t.server.hosts = 1 + (hosts + i as u32) % 3;
                t
            })
            .collect();
        if let Some((tier, host, kind)) = tier_fault {
            let tier = tier.min(tiers as u32);
            let hosts = cfg.tier(tier as usize).map_or(1, |(s, ..)| s.hosts);
            let kind = [FaultKind::Capacity, FaultKind::Errors, FaultKind::Restart][kind];
            let (end_s, value) = if kind == FaultKind::Restart { (2.5, 0.0) } else { (3.0, 0.5) };
            cfg.tier_faults = vec![TierFault { tier, host: host.map(|h| h % hosts), fault: Fault { kind, start_s: 1.0, end_s, value } }];
        }
        cfg
    })
}

/// Which tier the trace follows, drawn with the config.
fn arb_config_and_tier() -> impl Strategy<Value = (Config, usize)> {
    (arb_config(), 0usize..3).prop_map(|(cfg, t)| {
        let t = t.min(cfg.tiers.len());
        (cfg, t)
    })
}

fn finite(x: f64) -> bool {
    x.is_finite()
}

/// Runs in uneven steps, checking invariants on the way; returns a fingerprint of the run.
/// Returns the summary and how many lifecycle events were recorded (kept or dropped).
fn run_checked(cfg: &Config, tier: usize, seed: u64, steps: &[u64]) -> (Vec<Summary>, u64) {
    let mut sim = Sim::new(cfg.clone(), seed).unwrap();
    sim.set_trace_tier(tier);
    let cap = cfg.metrics.max_live;
    let end = SimTime::from_secs_f64(cfg.duration_s);
    let mut t = SimTime::ZERO;
    let mut trace = Vec::new();
    let mut total = 0u64;
    let mut i = 0;
    while sim.now() < end {
        let before = sim.now();
        t = t.saturating_add(SimTime(steps[i % steps.len()])).min(end);
        i += 1;
        // A small budget forces partial advances, which must not lose or reorder events.
        while !sim.advance_to(t, 5_000).reached {
            assert!(sim.now() >= before);
        }
        assert!(sim.now() >= before, "clock went backwards");
        for t in 0..sim.tier_count() {
            let st = sim.tier_status(t);
            assert!(st.live_requests <= cap && st.live_attempts <= cap, "live {} / {} over cap {cap}", st.live_requests, st.live_attempts);
            let (server, ..) = cfg.tier(t).unwrap();
            assert!(st.busy <= server.workers * server.hosts, "tier {t}: {} busy", st.busy);
        }
        let (_, attempts) = sim.live();
        assert!(attempts <= cap, "{attempts} attempts alive over cap {cap}");
        let bound = 4 * cap as usize * sim.tier_count() + 3 * (cfg.load.closed.clients + cfg.load.periodic.clients) as usize + 8_192 + 64;
        assert!(sim.pending_events() <= bound, "{} pending events", sim.pending_events());
        let (events, dropped) = sim.poll_trace();
        trace.extend(events);
        total += dropped;
    }
    assert!(trace.windows(2).all(|w| w[0].t <= w[1].t), "trace out of order");
    let s = sim.summary();
    assert!(finite(s.goodput_per_s) && finite(s.amplification) && finite(s.queue_avg) && finite(s.utilisation));
    assert!(finite(s.latency_ms.mean) && finite(s.latency_ms.p99));
    for w in sim.windows() {
        for x in [w.offered_per_s(), w.goodput_per_s(), w.amplification(), w.queue_avg(), w.utilisation(), w.latency_mean_us()] {
            assert!(finite(x));
        }
        assert!(w.utilisation() <= 1.0 + 1e-9, "{}", w.utilisation());
    }
    assert!(s.counts.successes + s.counts.failures <= s.counts.first_attempts);
    total += trace.len() as u64;
    ((0..sim.tier_count()).map(|t| sim.tier_summary(t)).collect(), total)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_config_runs_clean_and_repeats_exactly((cfg, tier) in arb_config_and_tier(), seed in any::<u64>()) {
        prop_assume!(cfg.validate().is_ok());
        let (a, ta) = run_checked(&cfg, tier, seed, &[37_000, 250_000, 1_000]);
        let (b, tb) = run_checked(&cfg, tier, seed, &[1_000_000]);
        prop_assert_eq!(a, b, "the same seed gave different summaries");
        prop_assert_eq!(ta, tb, "the same seed gave a different number of lifecycle events");
    }

    /// Two ways to say the same thing give the same run: the edge's faults written in
    /// `faults`, or as tier faults on tier 0 (every host, or each host by number).
    #[test]
    fn faults_on_the_edge_are_the_same_run_however_they_are_written(cfg in arb_config(), per_host in any::<bool>(), seed in any::<u64>()) {
        let mut cfg = cfg;
        cfg.faults.retain(|f| f.kind != FaultKind::Load);
        cfg.tier_faults.clear();
        prop_assume!(cfg.validate().is_ok() && !cfg.faults.is_empty());
        let mut moved = cfg.clone();
        let hosts: Vec<Option<u32>> = if per_host { (0..cfg.server.hosts).map(Some).collect() } else { vec![None] };
        moved.tier_faults = std::mem::take(&mut moved.faults)
            .into_iter()
            .flat_map(|fault| hosts.iter().map(move |&host| TierFault { tier: 0, host, fault: fault.clone() }))
            .collect();
        let run = |c: &Config| {
            let mut sim = Sim::new(c.clone(), seed).unwrap();
            sim.run_to_end();
            ((0..sim.tier_count()).map(|t| sim.tier_summary(t)).collect::<Vec<_>>(), sim.tier_summaries())
        };
        prop_assert_eq!(run(&cfg), run(&moved));
    }

    #[test]
    fn config_json_round_trips(cfg in arb_config()) {
        let json = serde_json::to_string(&cfg).unwrap();
        let back: Config = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, cfg);
    }

    /// The page writes its JSON export from the parameter spec, not serde: the CLI must read
    /// it back into the same config, whatever the config.
    #[test]
    fn the_pages_json_export_reads_back_the_same(cfg in arb_config()) {
        let back: Config = serde_json::from_str(&keys::config_json(&cfg)).unwrap();
        prop_assert_eq!(back, cfg);
    }

    #[test]
    fn set_never_panics_and_errors_name_the_key(i in 0..backoff_lab::sim::params::PARAMS.len(), value in "\\PC{0,12}") {
        let key = backoff_lab::sim::params::PARAMS[i].key;
        match keys::set(&Config::default(), key, &value) {
            Ok(cfg) => prop_assert!(cfg.validate().is_ok()),
            Err(e) => prop_assert!(!e.message.is_empty() && e.key.starts_with(key.split('.').next().unwrap())),
        }
    }
}

#[test]
fn schedules_of_tier_faults_are_bounded_like_faults() {
    let mut cfg = keys::set(&Config::default(), "tiers", "2").unwrap();
    let f = TierFault { tier: 1, host: None, fault: Fault { kind: FaultKind::Errors, start_s: 1.0, end_s: 2.0, value: 0.5 } };
    cfg.tier_faults = vec![f; 100_001];
    assert_eq!(cfg.validate().unwrap_err().to_string(), "tier_faults: 100,001 entries; at most 100,000 are allowed");
}

#[test]
fn backoff_delay_within_zero_and_cap_for_any_attempt() {
    proptest!(|(base in 0u64..10_000_000, cap in 0u64..100_000_000, n in 0u32..1_000, prev in proptest::option::of(0u64..u64::MAX / 4), seed in any::<u64>())| {
        let mut rng = backoff_lab::sim::rng::Stream::new(seed, "p");
        for kind in [BackoffKind::None, BackoffKind::Constant, BackoffKind::Exponential] {
            for jitter in [JitterKind::None, JitterKind::Full, JitterKind::Equal, JitterKind::Decorrelated] {
                let b = Backoff { kind, jitter, base: base.max(1), cap };
                let mut p = prev;
                let d = b.delay(n, &mut p, &mut rng);
                prop_assert!(d <= cap, "{:?}/{:?}: {} > cap {}", kind, jitter, d, cap);
            }
        }
    });
}

/// The documented ceiling on the engine's own memory for any accepted config (BENCHMARKS.md).
const MEMORY_CEILING_BYTES: usize = 256 << 20;

/// The worst cases: the live cap filled with requests that never finish, the longest history,
/// the biggest trace, one-hour windows at a million successes a second, and a hundred attempts
/// each with ten-minute timeouts and backoffs. Each runs for a bounded number of events.
#[test]
fn the_worst_accepted_configs_stay_under_the_memory_ceiling() {
    let spec = |key: &str| backoff_lab::sim::params::find(key).unwrap().max;
    let mut stuck = Config::default();
    stuck.load.rate_per_s = 1_000_000.0;
    stuck.server.workers = 1;
    stuck.server.service_ms = 600_000.0;
    stuck.client.timeout_ms = Some(600_000.0);
    stuck.client.max_attempts = 100;
    stuck.client.base_ms = 600_000.0;
    stuck.client.cap_ms = None;
    stuck.metrics.max_live = spec("metrics.max_live") as u32;
    stuck.metrics.trace_capacity = spec("metrics.trace_capacity") as u32;
    stuck.metrics.max_windows = spec("metrics.max_windows") as u32;
    stuck.metrics.window_ms = 1.0;
    stuck.duration_s = 86_400.0;
    let mut wide = Config::default();
    wide.load.rate_per_s = 1_000_000.0;
    wide.server.service_ms = 0.001;
    wide.server.workers = 10_000;
    wide.metrics.window_ms = 3_600_000.0;
    wide.duration_s = 3_600.0;
    // Eight tiers that each try 100 times with ten-minute timeouts, against a bottom that
    // fails everything: 100^8 calls per user request, held to the live cap.
    let mut deep = stuck.clone();
    deep.load.rate_per_s = 1_000.0;
    deep.server.workers = 10_000;
    deep.server.service_ms = 0.001;
    deep.tiers = vec![TierConfig { server: deep.server.clone(), client: deep.client.clone(), ..TierConfig::default() }; 7];
    deep.tier_faults = vec![TierFault { tier: 7, host: None, fault: Fault { kind: FaultKind::Errors, start_s: 0.0, end_s: 86_400.0, value: 1.0 } }];
    deep.metrics.trace_capacity = 0;
    // The longest history in every tier: 1 ms windows over 300 s of a quiet system.
    let mut history = deep.clone();
    history.load.rate_per_s = 1.0;
    history.tier_faults.clear();
    // Two hosts that refuse at once (no queue) while clients wait ten minutes and retry with
    // no backoff cap: refused attempts must not pile up (dead timeouts in the heap).
    let mut refusing = Config::default();
    refusing.server.hosts = 2;
    refusing.server.queue_limit = Some(0);
    refusing.load.rate_per_s = 1_000_000.0;
    refusing.client.timeout_ms = Some(600_000.0);
    refusing.client.cap_ms = Some(0.0);
    refusing.duration_s = 30.0;
    let mut refusing_100 = refusing.clone();
    refusing_100.client.max_attempts = 100;
    refusing_100.duration_s = 5.0;
    for (name, cfg, events) in [
        ("two hosts refusing, 10-minute timeouts", &refusing, 12_000_000u64),
        ("the same with 100 attempts", &refusing_100, 12_000_000),
        ("live cap full", &stuck, 12_000_000u64),
        ("one-hour windows", &wide, 6_000_000),
        ("8 tiers × 100 attempts", &deep, 12_000_000),
        ("8 tiers' history", &history, 3_000_000),
    ] {
        let mut sim = Sim::new(cfg.clone(), 1).unwrap();
        let end = SimTime::from_secs_f64(cfg.duration_s);
        let mut done = 0;
        let mut peak = 0;
        while done < events && !sim.advance_to(end, 500_000).reached {
            done += 500_000;
            peak = peak.max(sim.approx_bytes());
            let _ = sim.poll_trace();
        }
        eprintln!("{name}: {:.1} MB after {done} events", peak as f64 / 1e6);
        assert!(peak < MEMORY_CEILING_BYTES, "{name}: {peak} bytes");
    }
}

/// A config drawn across every parameter's full allowed range, edges included, from the one
/// parameter spec (so a new parameter is covered the day it is added).
fn arb_full_range_config() -> impl Strategy<Value = Config> {
    use backoff_lab::sim::params::{Kind, PARAMS, Val};
    let picks = PARAMS.len();
    (prop::collection::vec((0u8..4, 0.0..1.0f64), picks), prop::collection::vec(any::<bool>(), picks), any::<bool>()).prop_map(|(choices, nones, system)| {
        let mut cfg = Config::default();
        for (i, p) in PARAMS.iter().enumerate() {
            let (which, u) = choices[i];
            let v = match p.kind {
                Kind::Bool => Val::Bool(which % 2 == 0),
                Kind::Words(ws) => Val::Word(ws[(u * ws.len() as f64) as usize % ws.len()]),
                Kind::Float | Kind::Int => {
                    let x = match which {
                        0 => p.min,
                        1 => p.max,
                        _ => p.min + u * (p.max - p.min),
                    };
                    Val::Num(if p.kind == Kind::Int { x.round() } else { x })
                }
            };
            let v = if p.none_means.is_some() && nones[i] && which == 3 { Val::None } else { v };
            let _ = (p.set)(&mut cfg, v);
        }
        if system {
            // A system: every tier takes the drawn server, client and limiters (whose ranges it
            // shares), closed-loop and periodic users and contention included.
            let tier = TierConfig { server: cfg.server.clone(), client: cfg.client.clone(), limiters: cfg.limiters.clone() };
            for t in &mut cfg.tiers {
                *t = tier.clone();
            }
        } else {
            cfg.tiers.clear();
            cfg.server.hosts = 1;
        }
        // Short runs: the point is every combination of extremes, not long simulations.
        cfg.duration_s = cfg.duration_s.min(30.0);
        cfg
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_config_across_every_full_range_ends_finite_and_bounded(cfg in arb_full_range_config(), seed in any::<u64>()) {
        prop_assume!(cfg.validate().is_ok());
        let mut sim = Sim::new(cfg.clone(), seed).unwrap();
        let end = SimTime::from_secs_f64(cfg.duration_s);
        let mut budget = 400_000u64;
        while budget > 0 && !sim.advance_to(end, 50_000).reached {
            budget = budget.saturating_sub(50_000);
            prop_assert!(sim.approx_bytes() < MEMORY_CEILING_BYTES, "{} bytes", sim.approx_bytes());
            let _ = sim.poll_trace();
        }
        let s = sim.summary();
        for x in [s.goodput_per_s, s.amplification, s.success_share, s.queue_avg, s.utilisation, s.latency_ms.mean, s.latency_ms.p99] {
            prop_assert!(x.is_finite(), "{:?}", s);
        }
        for w in sim.windows() {
            prop_assert!(w.utilisation().is_finite() && w.queue_avg().is_finite());
        }
    }
}
