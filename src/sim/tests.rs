use super::*;
use crate::sim::theory::mmc_mean_response;

/// `n` tiers, every caller (users, then each tier above the bottom) making `k` attempts with
/// no timeout, and a bottom tier that fails every call. Users arrive for 10 s, then stop;
/// the run drains by 60 s.
fn failing_chain(k: u32, n: usize) -> Config {
    let client = ClientConfig { timeout_ms: None, max_attempts: k, base_ms: 1.0, ..ClientConfig::default() };
    let server = ServerConfig { workers: 1_000, service_ms: 1.0, ..ServerConfig::default() };
    let mut cfg = Config {
        load: LoadConfig { rate_per_s: 20.0, ..LoadConfig::default() },
        server: server.clone(),
        client: client.clone(),
        faults: vec![Fault { kind: FaultKind::Load, start_s: 10.0, end_s: 86_400.0, value: 0.0 }],
        duration_s: 60.0,
        ..Config::default()
    };
    cfg.tiers = (1..n).map(|_| TierConfig { server: server.clone(), client: client.clone(), ..TierConfig::default() }).collect();
    cfg.tier_faults = vec![TierFault { tier: n as u32 - 1, host: None, fault: Fault { kind: FaultKind::Errors, start_s: 0.0, end_s: 86_400.0, value: 1.0 } }];
    cfg
}

#[test]
fn retries_multiply_exactly_k_to_the_n() {
    for (k, n) in [(3, 3), (4, 3), (3, 5), (2, 1), (2, 8)] {
        let mut sys = Sim::new(failing_chain(k, n), 7).unwrap();
        sys.run_to_end();
        assert_eq!(sys.live(), (0, 0), "k={k} n={n}: every call has ended");
        let tiers = sys.tier_summaries();
        assert_eq!(tiers.len(), n);
        let users = sys.tier_summary(0).counts.first_attempts;
        assert!(users > 100, "{users} user requests");
        for (t, s) in tiers.iter().enumerate() {
            let want = f64::from(k).powi(t as i32 + 1);
            assert_eq!(s.amplification, Some(want), "k={k} n={n} tier {t}");
            assert_eq!(s.amplification_settled, Some(want), "k={k} n={n} tier {t}");
            assert_eq!(s.attempts, users * want as u64, "k={k} n={n} tier {t}: attempts");
        }
        assert_eq!(sys.tier_summary(0).counts.successes, 0);
        assert_eq!(sys.tier_summary(0).counts.failures, users);
    }
}

#[test]
fn one_tier_of_one_host_matches_erlang_c() {
    // M/M/10 at 80 % utilisation, run as a system of one tier with one host behind a balancer.
    let lambda = 8_000.0;
    let cfg = Config {
        load: LoadConfig { rate_per_s: lambda, ..LoadConfig::default() },
        server: ServerConfig { workers: 10, service_ms: 1.0, ..ServerConfig::default() },
        client: ClientConfig { timeout_ms: None, max_attempts: 1, ..ClientConfig::default() },
        metrics: MetricsConfig { window_ms: 1_000.0, ..MetricsConfig::default() },
        duration_s: 400.0,
        ..Config::default()
    };
    let want = mmc_mean_response(lambda, 1_000.0, 10).unwrap() * 1e3;
    let (mut sum, mut n) = (0.0, 0u64);
    for seed in [11, 12, 13, 14] {
        let mut sys = Sim::new(cfg.clone(), seed).unwrap();
        let s = sys.run_to_end();
        sum += s.latency_ms.mean * s.latency_ms.count as f64;
        n += s.latency_ms.count;
    }
    let got = sum / n as f64;
    assert!((got - want).abs() / want < 0.02, "simulated {got:.4} ms vs Erlang C {want:.4} ms");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let mut cfg = failing_chain(3, 3);
    cfg.tiers[0].server.hosts = 4;
    cfg.tiers[0].server.balancer = Balancer::TwoChoices;
    let run = |seed| {
        let mut s = Sim::new(cfg.clone(), seed).unwrap();
        s.run_to_end();
        (s.tier_summaries(), s.events())
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5).1, run(6).1);
}

#[test]
fn a_slow_tier_fills_the_queues_above_it() {
    // The bottom is 10× slower than it can afford; callers hold their workers while they
    // wait, so the edge's workers are busy although its own work is tiny.
    let mut cfg = Config {
        load: LoadConfig { rate_per_s: 50.0, ..LoadConfig::default() },
        server: ServerConfig { workers: 20, service_ms: 1.0, ..ServerConfig::default() },
        client: ClientConfig { timeout_ms: None, max_attempts: 1, ..ClientConfig::default() },
        duration_s: 30.0,
        ..Config::default()
    };
    cfg.tiers = vec![TierConfig {
        server: ServerConfig { workers: 5, service_ms: 300.0, ..ServerConfig::default() },
        client: ClientConfig { timeout_ms: None, max_attempts: 1, ..ClientConfig::default() },
        ..TierConfig::default()
    }];
    let mut sys = Sim::new(cfg, 3).unwrap();
    sys.run_to_end();
    let t = sys.tier_summaries();
    assert!(t[1].utilisation > 0.95, "bottom {:.2}", t[1].utilisation);
    assert!(t[0].utilisation > 0.95, "the edge is held busy waiting: {:.2}", t[0].utilisation);
    assert!(t[0].queue_avg > 10.0, "the edge queues: {:.1}", t[0].queue_avg);
}

#[test]
fn a_host_restart_fails_what_it_holds_and_its_calls_below_are_left_for_nobody() {
    let mut cfg = Config {
        load: LoadConfig { rate_per_s: 100.0, ..LoadConfig::default() },
        server: ServerConfig { workers: 50, service_ms: 1.0, ..ServerConfig::default() },
        client: ClientConfig { timeout_ms: None, max_attempts: 1, ..ClientConfig::default() },
        duration_s: 20.0,
        ..Config::default()
    };
    cfg.tiers = vec![TierConfig {
        server: ServerConfig { workers: 50, service_ms: 200.0, ..ServerConfig::default() },
        client: ClientConfig { timeout_ms: None, max_attempts: 1, ..ClientConfig::default() },
        ..TierConfig::default()
    }];
    cfg.tier_faults = vec![TierFault { tier: 0, host: None, fault: Fault { kind: FaultKind::Restart, start_s: 10.0, end_s: 10.0, value: 0.0 } }];
    let mut sys = Sim::new(cfg, 1).unwrap();
    sys.run_to_end();
    let edge = sys.tier_summary(0);
    assert!(edge.counts.resets > 5, "{} reset", edge.counts.resets);
    assert_eq!(edge.counts.failures, edge.counts.resets);
    let bottom = sys.tier_summaries()[1].clone();
    assert!(bottom.wasted.unwrap() > 0.0, "the bottom finished work for callers that were gone");
}

#[test]
fn system_configs_name_tiers_and_hosts_in_their_messages() {
    let mut cfg = failing_chain(3, 3);
    cfg.tiers[1].server.workers = 0;
    assert_eq!(cfg.validate().unwrap_err().to_string(), "tiers.2.server.workers: 0 is out of range: allowed a whole number from 1 to 10,000 workers");
    let mut cfg = failing_chain(3, 3);
    cfg.tier_faults[0].tier = 3;
    assert!(cfg.validate().unwrap_err().message.contains("tiers are numbered 0 (the edge) to 2"));
    let mut cfg = failing_chain(3, 3);
    cfg.tier_faults[0].host = Some(1);
    assert!(cfg.validate().unwrap_err().message.contains("tier 2 has 1 host, numbered 0 to 0"));
    let mut cfg = failing_chain(3, 3);
    cfg.tiers = vec![TierConfig::default(); MAX_TIERS];
    assert!(cfg.validate().unwrap_err().message.contains("from 1 to 8 tiers"));
}

#[test]
fn balancers_spread_calls_over_every_host() {
    for b in [Balancer::RoundRobin, Balancer::Random, Balancer::LeastOutstanding, Balancer::TwoChoices] {
        let cfg = Config {
            load: LoadConfig { rate_per_s: 200.0, ..LoadConfig::default() },
            server: ServerConfig { workers: 4, service_ms: 10.0, hosts: 5, balancer: b, ..ServerConfig::default() },
            duration_s: 20.0,
            ..Config::default()
        };
        let mut sys = Sim::new(cfg, 2).unwrap();
        sys.run_to_end();
        let hosts = &sys.tier_summaries()[0].hosts;
        let total: u64 = hosts.iter().map(|h| h.arrivals).sum();
        for h in hosts {
            let share = h.arrivals as f64 / total as f64;
            assert!((share - 0.2).abs() < 0.03, "{b:?}: a host got {share:.3} of the calls");
        }
    }
}

#[test]
fn limiters_act_on_the_calls_into_their_tier() {
    let storm = crate::scenarios::find("retries-every-layer").unwrap();
    // A retry budget at every layer ends the 27× storm: the bottom sees barely more than one
    // attempt per user request, and the system recovers when the failure ends.
    let mut cfg = storm.config.clone();
    for key in ["limiters.budget.enabled", "tiers.1.limiters.budget.enabled", "tiers.2.limiters.budget.enabled"] {
        cfg = crate::keys::set(&cfg, key, "true").unwrap();
    }
    let mut sys = Sim::new(cfg, storm.seed).unwrap();
    sys.run_to_end();
    let t = sys.tier_summaries();
    assert!(t[2].amplification.unwrap() < 1.3, "{:?}", t[2].amplification);
    assert!(sys.tier_summary(2).counts.suppressed_budget > 0, "the budget on calls into the bottom stops retries");
    let w = sys.tier_windows(0);
    let late: u64 = w.iter().filter(|w| w.start.as_secs_f64() >= 30.0).map(|w| w.counts.successes).sum();
    assert!(late > 2_500, "goodput is back after the failure: {late} successes in the last 30 s");
    // A breaker on the calls into the bottom opens during the failure and fails calls unsent.
    let cfg = crate::keys::set(&storm.config, "tiers.2.limiters.breaker.enabled", "true").unwrap();
    let mut sys = Sim::new(cfg, storm.seed).unwrap();
    sys.advance_to(SimTime::from_secs(15), u64::MAX);
    assert_eq!(sys.gauges(2).breaker, Some(crate::sim::BreakerState::Open));
    assert!(sys.tier_summary(2).counts.suppressed_breaker > 0);
}

#[test]
fn a_throttled_tier_slows_its_callers_in_adaptive_mode() {
    // Users at 120 req/s through an edge into a bottom whose one host throttles at 80/s.
    let mut cfg = crate::keys::set(&Config::default(), "tiers", "2").unwrap();
    for (k, v) in [
        ("load.rate_per_s", "120"),
        ("server.workers", "100"),
        ("server.service_ms", "1"),
        ("tiers.1.server.throttle.enabled", "true"),
        ("tiers.1.server.throttle.rate_per_s", "80"),
        ("duration_s", "60"),
    ] {
        cfg = crate::keys::set(&cfg, k, v).unwrap();
    }
    let throttles_late = |cfg: &Config| {
        let mut sys = Sim::new(cfg.clone(), 5).unwrap();
        sys.run_to_end();
        let late: u64 = sys.tier_windows(1).iter().filter(|w| w.start.as_secs_f64() >= 30.0).map(|w| w.counts.rejected_throttle).sum();
        (late, sys.tier_summary(1).counts.rejected_throttle, sys.gauges(1).send_rate)
    };
    let (without, total, rate) = throttles_late(&cfg);
    assert!(total > 1_000 && without > 500, "the throttle answers 'later' all run: {without} in the last 30 s");
    assert_eq!(rate, None);
    let adaptive = crate::keys::set(&cfg, "tiers.1.limiters.adaptive.enabled", "true").unwrap();
    let (with, _, rate) = throttles_late(&adaptive);
    assert!(with * 5 < without, "adaptive mode paces the edge's calls: {with} throttles in the last 30 s, {without} without");
    assert!(rate.is_some_and(|r| r > 40.0 && r < 120.0), "the edge sends at about the throttle's rate: {rate:?}");
}
