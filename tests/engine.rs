//! Scenario tests of the engine: schedule, run, assert on what a learner would see.
#![cfg(not(target_arch = "wasm32"))]

#[path = "reference/mod.rs"]
mod reference;

use backoff_lab::scenarios;
use backoff_lab::sim::theory::{erlang_b, mmc_mean_response};
use backoff_lab::sim::*;

fn mmc(lambda: f64, service_ms: f64, workers: u32, seconds: f64) -> Config {
    Config {
        load: LoadConfig { rate_per_s: lambda, ..LoadConfig::default() },
        server: ServerConfig { workers, service: ServiceDist::Exponential, service_ms, ..ServerConfig::default() },
        client: ClientConfig { timeout_ms: None, max_attempts: 1, ..ClientConfig::default() },
        metrics: MetricsConfig { window_ms: 1_000.0, ..MetricsConfig::default() },
        duration_s: seconds,
        ..Config::default()
    }
}

/// Mean response time over several seeds, after a warm-up is discarded by running it twice as
/// long as needed and the share of warm-up being negligible.
fn mean_response_ms(cfg: &Config, seeds: &[u64]) -> f64 {
    let (mut sum, mut n) = (0.0, 0u64);
    for &seed in seeds {
        let mut sim = Sim::new(cfg.clone(), seed).unwrap();
        let s = sim.run_to_end();
        sum += s.latency_ms.mean * s.latency_ms.count as f64;
        n += s.latency_ms.count;
    }
    sum / n as f64
}

#[test]
fn mmc_mean_response_matches_erlang_c_within_2_percent() {
    // 10 workers, 1 ms mean service (μ = 1000/s): utilisation 0.5, 0.8 and 0.95.
    for (rho, seconds) in [(0.5, 200.0), (0.8, 400.0), (0.95, 1_500.0)] {
        let lambda = rho * 10_000.0;
        let cfg = mmc(lambda, 1.0, 10, seconds);
        let want = mmc_mean_response(lambda, 1_000.0, 10).unwrap() * 1e3;
        let got = mean_response_ms(&cfg, &[11, 12, 13, 14]);
        let err = (got - want).abs() / want;
        assert!(err < 0.02, "rho {rho}: simulated {got:.4} ms vs Erlang C {want:.4} ms ({:.2} %)", err * 100.0);
    }
}

#[test]
fn loss_system_rejects_the_erlang_b_share() {
    // λ = 80/s, 100 ms service, 10 workers, no queue: B(10, 8) ≈ 0.122.
    let mut cfg = mmc(80.0, 100.0, 10, 20_000.0);
    cfg.server.queue_limit = Some(0);
    let mut sim = Sim::new(cfg, 21).unwrap();
    let s = sim.run_to_end();
    let share = s.counts.rejected_queue_full as f64 / s.counts.server_arrivals as f64;
    let want = erlang_b(10, 8.0);
    assert!((share - want).abs() / want < 0.02, "rejected {share:.4} vs Erlang B {want:.4}");
    assert_eq!(s.queue_max, 0);
}

/// Runs `cfg` for its duration, then stops new arrivals and runs until every request is done.
fn run_and_drain(cfg: Config, seed: u64) -> Summary {
    let mut sim = Sim::new(cfg.clone(), seed).unwrap();
    sim.run_to_end();
    let mut quiet = cfg;
    quiet.load.rate_per_s = 0.0;
    // A run ends at its duration: lengthen it to run on past the end.
    quiet.duration_s += 3_600.0;
    sim.set_config(quiet).unwrap();
    let mut t = sim.now();
    while sim.status().live_requests > 0 || sim.status().live_attempts > 0 {
        assert!(sim.now().as_secs_f64() < sim.config().duration_s, "still not drained an hour after the run");
        t = t.saturating_add(SimTime::from_secs(10));
        sim.advance_to(t, u64::MAX);
    }
    sim.summary()
}

#[test]
fn when_every_attempt_fails_n_retries_multiply_load_by_n_plus_1_exactly() {
    for retries in [0u32, 1, 3, 7] {
        let mut cfg = Config::default();
        cfg.server.error_rate = 1.0;
        cfg.client.max_attempts = retries + 1;
        cfg.duration_s = 30.0;
        let s = run_and_drain(cfg, 5);
        assert!(s.counts.first_attempts > 1_000);
        assert_eq!(s.counts.attempts(), u64::from(retries + 1) * s.counts.first_attempts, "{retries} retries");
        assert_eq!(s.counts.successes, 0);
        assert_eq!(s.counts.suppressed_max_attempts, s.counts.first_attempts);
    }
}

#[test]
fn retry_quota_pays_for_capacity_over_cost_retries_then_stops() {
    // Every attempt fails and nothing refills the quota: 500 tokens pay for exactly 100 retries.
    let mut cfg = Config::default();
    cfg.server.error_rate = 1.0;
    cfg.client.max_attempts = 4;
    cfg.limiters.quota.enabled = true;
    cfg.duration_s = 60.0;
    let s = run_and_drain(cfg, 6);
    assert_eq!(s.counts.retries, 100);
    assert!(s.amplification < 1.03, "{}", s.amplification);
}

#[test]
fn retry_quota_holds_amplification_where_its_constants_predict() {
    // Half of all attempts fail. Without a quota, 3 attempts give 1 + 0.5 + 0.25 = 1.75×.
    // With it, failed retries (cost 5) are paid by first-try successes (refund 1) and
    // successful retries refund themselves: 0.5·R·5 = 0.5·N·1, so R = 0.2·N: 1.2×.
    let mut cfg = Config::default();
    cfg.load.rate_per_s = 40.0; // 70 % busy even at 1.75×: no timeouts muddle the count
    cfg.server.error_rate = 0.5;
    cfg.client.max_attempts = 3;
    cfg.duration_s = 600.0;
    let free = Sim::new(cfg.clone(), 7).unwrap().run_to_end();
    assert!((free.amplification - 1.75).abs() < 0.02, "{}", free.amplification);
    cfg.limiters.quota.enabled = true;
    let limited = Sim::new(cfg, 7).unwrap().run_to_end();
    assert!((limited.amplification - 1.2).abs() < 0.02, "{}", limited.amplification);
}

fn goodput_share(sim: &Sim, from_s: f64, to_s: f64) -> f64 {
    let ws: Vec<&Window> = sim.windows().iter().filter(|w| w.start.as_secs_f64() >= from_s && w.end_time().as_secs_f64() <= to_s).collect();
    let offered: u64 = ws.iter().map(|w| w.counts.first_attempts).sum();
    let good: u64 = ws.iter().map(|w| w.counts.successes).sum();
    good as f64 / offered.max(1) as f64
}

#[test]
fn metastable_retry_storm_outlives_its_trigger() {
    let s = scenarios::find("metastable-retry").unwrap();
    let mut sim = Sim::new(s.config, s.seed).unwrap();
    sim.run_to_end();
    assert!(goodput_share(&sim, 0.0, 5.0) > 0.95, "healthy before the crash");
    // The crash ends at 10 s; 20 s later the storm is still going.
    assert!(goodput_share(&sim, 30.0, 60.0) < 0.02, "goodput {}", goodput_share(&sim, 30.0, 60.0));
    let late: Vec<&Window> = sim.windows().iter().filter(|w| w.start.as_secs_f64() >= 30.0).collect();
    let amp = late.iter().map(|w| w.counts.attempts()).sum::<u64>() as f64 / late.iter().map(|w| w.counts.first_attempts).sum::<u64>() as f64;
    assert!(amp > 3.5, "attempts near 4× the offered load, got {amp:.2}");
}

#[test]
fn each_mitigation_recovers_from_the_same_trigger() {
    for id in ["limit-queue", "limit-retries", "retry-quota", "circuit-breaker", "deadline-lifo"] {
        let s = scenarios::find(id).unwrap();
        let mut sim = Sim::new(s.config, s.seed).unwrap();
        sim.run_to_end();
        let share = goodput_share(&sim, 30.0, 60.0);
        assert!(share > 0.95, "{id}: goodput share {share:.3} after the trigger");
    }
}

#[test]
fn turning_retries_off_mid_storm_with_deadline_dropping_ends_it() {
    let s = scenarios::find("metastable-retry").unwrap();
    let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
    sim.advance_to(SimTime::from_secs(30), u64::MAX);
    assert!(goodput_share(&sim, 20.0, 30.0) < 0.02);
    let mut fix = s.config;
    fix.client.max_attempts = 1;
    fix.server.drop_expired = true;
    sim.set_config(fix).unwrap();
    sim.advance_to(SimTime::from_secs(60), u64::MAX);
    assert!(goodput_share(&sim, 40.0, 60.0) > 0.95, "{}", goodput_share(&sim, 40.0, 60.0));
}

#[test]
fn retry_policy_does_not_change_first_attempts() {
    let base = scenarios::find("metastable-retry").unwrap();
    let mut other = base.config.clone();
    other.client.backoff = BackoffKind::Exponential;
    other.client.jitter = JitterKind::Decorrelated;
    other.limiters.quota.enabled = true;
    let mut a = Sim::new(base.config, 9).unwrap();
    let mut b = Sim::new(other, 9).unwrap();
    a.run_to_end();
    b.run_to_end();
    let fa: Vec<u64> = a.windows().iter().map(|w| w.counts.first_attempts).collect();
    let fb: Vec<u64> = b.windows().iter().map(|w| w.counts.first_attempts).collect();
    assert_eq!(fa, fb);
    assert_ne!(a.summary().counts.retries, b.summary().counts.retries);
}

#[test]
fn aligned_periodic_work_spikes_and_jitter_flattens_it() {
    let peak = |id: &str| {
        let s = scenarios::find(id).unwrap();
        let mut sim = Sim::new(s.config, s.seed).unwrap();
        sim.run_to_end();
        sim.windows().iter().map(|w| w.counts.first_attempts).max().unwrap()
    };
    assert_eq!(peak("cron-aligned"), 2_000, "every client fires in the same 100 ms window");
    // 2,000 jobs over 10 s average 20 per window; jitter keeps the busiest window near that.
    assert!(peak("cron-jittered") < 45, "{}", peak("cron-jittered"));
}

#[test]
fn live_rate_change_takes_effect_at_once() {
    let mut cfg = Config::default();
    cfg.metrics.window_ms = 1_000.0;
    let mut sim = Sim::new(cfg.clone(), 3).unwrap();
    sim.advance_to(SimTime::from_secs(10), u64::MAX);
    cfg.load.rate_per_s = 10.0;
    sim.set_config(cfg).unwrap();
    sim.advance_to(SimTime::from_secs(40), u64::MAX);
    let before: u64 = sim.windows()[..10].iter().map(|w| w.counts.first_attempts).sum();
    let after: u64 = sim.windows()[10..40].iter().map(|w| w.counts.first_attempts).sum();
    assert!((600..800).contains(&before), "{before}");
    assert!((220..380).contains(&after), "{after}");
}

#[test]
fn closed_loop_clients_back_off_naturally() {
    // 50 clients with 1 s think time against a crash: they stop sending while they wait.
    let mut cfg = Config::default();
    cfg.load.rate_per_s = 0.0;
    cfg.load.closed = ClosedLoop { clients: 50, think_ms: 1_000.0 };
    cfg.faults = vec![Fault::parse("crash@10..20").unwrap()];
    cfg.duration_s = 40.0;
    let mut sim = Sim::new(cfg, 4).unwrap();
    sim.run_to_end();
    let rate = |from: f64, to: f64| {
        let ws: Vec<&Window> = sim.windows().iter().filter(|w| w.start.as_secs_f64() >= from && w.start.as_secs_f64() < to).collect();
        ws.iter().map(|w| w.counts.first_attempts).sum::<u64>() as f64 / (to - from)
    };
    let healthy = rate(2.0, 10.0);
    assert!((35.0..55.0).contains(&healthy), "{healthy}");
    assert!(rate(12.0, 20.0) < healthy / 3.0, "clients wait out their timeouts and retries");
    assert!(rate(30.0, 40.0) > 0.8 * healthy, "and come back after");
}

#[test]
fn throttle_pushback_turns_a_failure_into_a_later_success() {
    // Two cron clients fire together every 10 s at a throttle that admits 1 request/s with a
    // burst of 1. One gets in; the other is told "come back in 1 s" and has one retry left.
    let mut cfg = Config::default();
    cfg.load.rate_per_s = 0.0;
    cfg.load.periodic = Periodic { clients: 2, period_s: 10.0, jittered: false };
    cfg.server.throttle = Throttle { enabled: true, rate_per_s: 1.0, burst: 1.0 };
    cfg.client.backoff = BackoffKind::None;
    cfg.client.max_attempts = 2;
    cfg.duration_s = 95.0; // periods start at 0, 10, …, 90
    let honoured = Sim::new(cfg.clone(), 1).unwrap().run_to_end();
    assert_eq!(honoured.counts.successes, 20, "the retry waits out the hint and gets in");
    assert_eq!(honoured.counts.rejected_throttle, 10);
    cfg.client.honor_retry_after = false;
    let ignored = Sim::new(cfg, 1).unwrap().run_to_end();
    assert_eq!(ignored.counts.successes, 10, "an immediate retry is throttled again");
    assert_eq!(ignored.counts.failures, 10);
}

#[test]
fn breaker_fails_fast_while_open() {
    let s = scenarios::find("circuit-breaker").unwrap();
    let mut sim = Sim::new(s.config, s.seed).unwrap();
    sim.run_to_end();
    let opened = sim.windows().iter().any(|w| w.end.breaker == Some(BreakerState::Open));
    assert!(opened);
    assert!(sim.summary().counts.suppressed_breaker > 0);
    assert_eq!(sim.windows().last().unwrap().end.breaker, Some(BreakerState::Closed));
}

#[test]
fn adaptive_mode_settles_near_what_the_throttle_admits() {
    let s = scenarios::find("adaptive").unwrap();
    let mut sim = Sim::new(s.config, s.seed).unwrap();
    sim.run_to_end();
    let late: Vec<&Window> = sim.windows().iter().filter(|w| w.start.as_secs_f64() >= 20.0).collect();
    let goodput = late.iter().map(|w| w.counts.successes).sum::<u64>() as f64 / 40.0;
    let throttled = late.iter().map(|w| w.counts.rejected_throttle).sum::<u64>();
    assert!((70.0..=82.0).contains(&goodput), "{goodput}");
    assert!(throttled < 100, "{throttled}");
}

#[test]
fn deadline_dropping_removes_wasted_work() {
    let storm = scenarios::find("metastable-retry").unwrap();
    let wasted = Sim::new(storm.config, storm.seed).unwrap().run_to_end().counts.wasted;
    let fixed = scenarios::find("deadline-lifo").unwrap();
    let s = Sim::new(fixed.config, fixed.seed).unwrap().run_to_end();
    assert!(wasted > 1_000);
    assert!(s.counts.wasted * 10 < wasted, "{} vs {wasted}", s.counts.wasted);
    assert!(s.counts.dropped_expired > 0);
}

#[test]
fn live_cap_sheds_visibly_instead_of_running_out_of_memory() {
    let mut cfg = Config::default();
    cfg.load.rate_per_s = 5_000.0; // 10× capacity, no queue limit, no timeout
    cfg.client.timeout_ms = None;
    cfg.metrics.max_live = 1_000;
    cfg.duration_s = 20.0;
    let mut sim = Sim::new(cfg, 2).unwrap();
    let s = sim.run_to_end();
    assert!(s.live_cap_reached);
    assert!(s.counts.shed_live_cap > 50_000);
    assert!(sim.status().live_requests <= 1_000);
    assert!(sim.pending_events() <= 3_000);
}

#[test]
fn every_scenario_runs_clean() {
    for s in scenarios::all() {
        let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
        let sum = sim.run_to_end();
        assert!(sum.counts.first_attempts > 0, "{}", s.id);
        assert!(sum.goodput_per_s.is_finite() && sum.amplification.is_finite(), "{}", s.id);
        // The run report and the charts count the same run: nothing due at the end instant
        // (a cron batch at 60.0 s of a 60 s run) is in one and not the other.
        let charted: u64 = sim.windows().iter().map(|w| w.counts.first_attempts).sum();
        let retried: u64 = sim.windows().iter().map(|w| w.counts.retries).sum();
        assert_eq!((charted, retried), (sum.counts.first_attempts, sum.counts.retries), "{}: first tries and retries in the charts against the report", s.id);
        assert_eq!(sim.now().as_secs_f64(), s.config.duration_s, "{}", s.id);
    }
}

#[test]
fn contention_reproduces_brookers_ordering() {
    use backoff_lab::sim::contention::{ContentionParams, Strategy, sweep};
    let rows = sweep(&Strategy::ALL, &[50], 40, 1, &ContentionParams::default());
    let get = |s: Strategy| rows.iter().find(|r| r.strategy == s).unwrap();
    let (none, expo, full, equal, decor) =
        (get(Strategy::NoBackoff), get(Strategy::Exponential), get(Strategy::Full), get(Strategy::Equal), get(Strategy::Decorrelated));
    // Calls: no backoff does by far the most work; jitter does much less than plain exponential.
    assert!(none.mean_calls > expo.mean_calls, "{none:?} {expo:?}");
    for j in [full, equal, decor] {
        assert!(j.mean_calls < expo.mean_calls * 0.8, "{j:?} vs {expo:?}");
    }
    assert!(full.mean_calls <= equal.mean_calls, "full jitter does the least work: {full:?} {equal:?}");
    // Time: plain exponential backoff is the slowest to let everyone finish.
    for j in [full, equal, decor] {
        assert!(j.mean_time_ms < expo.mean_time_ms, "{j:?} vs {expo:?}");
    }
}

#[test]
fn reference_runs_match_the_numbers_the_browser_test_expects() {
    for (id, got, want) in reference::check_all() {
        assert_eq!(got, want, "{id}");
    }
}

#[test]
fn a_change_made_at_time_zero_applies_to_the_first_period() {
    // A learner opens cron-aligned, switches to jittered before pressing Play: the first
    // period must already be jittered (no 2,000-job spike at t = 0).
    let s = scenarios::find("cron-aligned").unwrap();
    let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
    let mut jittered = s.config.clone();
    jittered.load.periodic.jittered = true;
    sim.set_config(jittered).unwrap();
    sim.run_to_end();
    let peak = sim.windows().iter().map(|w| w.counts.first_attempts).max().unwrap();
    assert!(peak < 45, "busiest window {peak}");
    assert_eq!(sim.summary().counts.first_attempts, 2_000 * 6, "every job fires once per period");
}

#[test]
fn fault_schedules_cost_work_in_proportion_to_their_length() {
    // Many short slowdowns over 60 s: doubling the faults must about double the work the
    // engine spends on them (it was quadratic: every edge scanned every fault). Work is
    // counted, not timed.
    let work = |n: u32| {
        let mut cfg = Config { duration_s: 60.0, ..Config::default() };
        cfg.faults = (0..n)
            .map(|i| Fault {
                kind: FaultKind::Slow,
                start_s: f64::from(i) * 60.0 / f64::from(n),
                end_s: f64::from(i) * 60.0 / f64::from(n) + 0.001,
                value: 1.5,
            })
            .collect();
        let mut sim = Sim::new(cfg, 1).unwrap();
        sim.run_to_end();
        sim.fault_work() as f64
    };
    let (w8, w16, w32) = (work(8_000), work(16_000), work(32_000));
    assert!(w16 / w8 < 2.4 && w32 / w16 < 2.4, "work {w8} → {w16} → {w32}: not linear");
    assert!(w32 < 60.0 * 32_000.0, "about log2(F) probes per edge, got {w32}");
}

#[test]
fn each_retry_budget_ends_the_storm_on_its_seed() {
    // The metastable storm with one budget on at its published defaults: back above 95 %
    // goodput after the trigger, and the budget visibly stopped retries.
    let s = scenarios::find("metastable-retry").unwrap();
    type Check = fn(&Counters) -> u64;
    type Case = (&'static str, fn(&mut Config), Check);
    let cases: [Case; 3] = [
        ("Finagle ratio budget", |c| c.limiters.budget.enabled = true, |k| k.suppressed_budget),
        ("SRE client-side throttling", |c| c.limiters.throttling.enabled = true, |k| k.rejected_client),
        ("gRPC retry throttling", |c| c.limiters.grpc.enabled = true, |k| k.suppressed_grpc),
    ];
    for (name, on, stopped) in cases {
        let mut cfg = s.config.clone();
        on(&mut cfg);
        cfg.duration_s = 120.0;
        let mut sim = Sim::new(cfg, s.seed).unwrap();
        let summary = sim.run_to_end();
        let timeouts: u64 = sim.windows().iter().filter(|w| w.start.as_secs_f64() >= 30.0).map(|w| w.counts.timeouts).sum();
        let (early, late) = (goodput_share(&sim, 30.0, 60.0), goodput_share(&sim, 100.0, 120.0));
        eprintln!("{name}: goodput 30–60 s {early:.3}, 100–120 s {late:.3}, timeouts after 30 s {timeouts}, amplification {:.2}", summary.amplification);
        assert_eq!(timeouts, 0, "{name}: the storm is over by 30 s: nothing times out");
        assert!(stopped(&summary.counts) > 0, "{name} never acted");
        if name.starts_with("SRE") {
            // Its two-minute memory of the storm keeps rejecting locally after the service is
            // healthy: goodput comes back only as accepts catch up with requests.
            assert!(early < 0.8 && late > 0.9, "{name}: {early:.3} then {late:.3}");
        } else {
            assert!(early > 0.95 && late > 0.95, "{name}: goodput {early:.3} / {late:.3} after the trigger");
        }
    }
}

/// A service whose hosts restart at 5 s and stay down until 8 s, under steady load.
fn restarting(hosts: u32) -> Config {
    let mut cfg = Config {
        load: LoadConfig { rate_per_s: 100.0, ..LoadConfig::default() },
        server: ServerConfig { workers: 10, service_ms: 20.0, hosts, ..ServerConfig::default() },
        duration_s: 12.0,
        ..Config::default()
    };
    cfg.faults = vec![Fault::parse("restart@5..8").unwrap()];
    cfg
}

#[test]
fn a_host_that_is_down_refuses_with_an_error_whatever_the_number_of_hosts() {
    for hosts in [1, 2, 4] {
        // Errors are not retried, rejections are: a refused connection is an error, so nothing
        // refused while down is retried, with one host as with several.
        let mut cfg = restarting(hosts);
        cfg.client.retry_on = RetryOn { errors: false, rejections: true, ..cfg.client.retry_on };
        let s = Sim::new(cfg.clone(), 3).unwrap().run_to_end();
        assert!(s.counts.resets > 200, "{hosts} hosts: {} refused", s.counts.resets);
        assert_eq!(s.counts.retries, 0, "{hosts} hosts: a refused connection is not a rejection");
        assert_eq!(s.counts.rejected_queue_full, 0);
        assert!(s.counts.not_retryable >= s.counts.resets, "{hosts} hosts");
        // With errors retried, the same refusals are retried.
        cfg.client.retry_on.errors = true;
        let s = Sim::new(cfg, 3).unwrap().run_to_end();
        assert!(s.counts.retries > 200, "{hosts} hosts: {} retries", s.counts.retries);
    }
}

#[test]
fn a_live_change_at_a_restart_instant_does_not_restart_again() {
    let mut cfg = restarting(3);
    cfg.faults = vec![Fault::parse("restart@5").unwrap()];
    cfg.load.rate_per_s = 400.0;
    cfg.server.service_ms = 50.0;
    let mut sim = Sim::new(cfg.clone(), 1).unwrap();
    sim.advance_to(SimTime::from_secs(5), u64::MAX);
    let resets = sim.summary().counts.resets;
    assert!(resets > 10, "the restart failed what the hosts held: {resets}");
    // A slider moved while paused on the restart instant, then the same again, then a fault
    // list that still holds the same restart: the restart is not applied again.
    for change in ["client.timeout_ms=900", "server.workers=11", "faults=restart@5,crash@9..10"] {
        let (k, v) = change.split_once('=').unwrap();
        cfg = backoff_lab::keys::set(&cfg, k, v).unwrap();
        assert!(sim.set_config(cfg.clone()).unwrap(), "{change} applies live");
        sim.advance_to(SimTime::from_secs(5), u64::MAX);
        assert_eq!(sim.summary().counts.resets, resets, "after {change}");
    }
}

#[test]
fn closed_loop_periodic_and_contended_loads_run_in_a_system() {
    let three = |f: &dyn Fn(&mut Config)| {
        let mut cfg = backoff_lab::keys::set(&Config::default(), "tiers", "3").unwrap();
        cfg.load.rate_per_s = 0.0;
        f(&mut cfg);
        let mut sim = Sim::new(cfg, 2).unwrap();
        sim.run_to_end();
        (sim.summary(), sim.tier_summaries())
    };
    let closed = three(&|c| c.load.closed = ClosedLoop { clients: 20, think_ms: 100.0 });
    let periodic = three(&|c| c.load.periodic = Periodic { clients: 20, period_s: 1.0, jittered: true });
    let contended = three(&|c| {
        c.load.rate_per_s = 20.0;
        c.tiers[1].server.contention = 2.0;
    });
    for (name, (edge, tiers)) in [("closed", &closed), ("periodic", &periodic), ("contention", &contended)] {
        assert!(edge.counts.successes > 1_000, "{name}: {} successes", edge.counts.successes);
        assert_eq!(tiers.len(), 3);
        assert!(tiers[2].attempts >= edge.counts.successes, "{name}: the bottom served every success");
    }
    // Closed-loop users wait for their answer before thinking again, and each edge worker is
    // held for the whole chain (three tiers of 100 ms): the edge's 10 workers pass at most
    // 10 / 0.3 s, about 33 requests a second, to 20 clients that would send 200.
    assert!((28.0..34.0).contains(&closed.0.goodput_per_s), "{}", closed.0.goodput_per_s);
    assert!((19.0..21.0).contains(&periodic.0.goodput_per_s), "{}", periodic.0.goodput_per_s);
}

#[test]
fn the_trace_follows_the_tier_it_is_pointed_at() {
    let s = scenarios::find("retries-every-layer").unwrap();
    let mut cfg = s.config.clone();
    cfg.metrics.trace_capacity = 100_000;
    let mut sim = Sim::new(cfg, s.seed).unwrap();
    sim.set_trace_tier(2);
    sim.advance_to(SimTime::from_secs(12), u64::MAX);
    let (events, _) = sim.poll_trace();
    assert!(events.iter().any(|e| e.kind == TraceKind::Sent) && events.iter().any(|e| e.kind == TraceKind::Started));
    // The bottom fails every call from 10 s: its attempts are served with an error and retried
    // by their callers at tier 1, up to three times each.
    assert!(events.iter().any(|e| e.kind == TraceKind::Served { ok: false }));
    assert!(events.iter().filter(|e| e.t.as_secs_f64() > 10.5).all(|e| e.attempt <= 3));
    let st = sim.tier_status(2);
    assert_eq!(st.tier, 2);
    assert_eq!(st.capacity, s.config.tiers[1].server.workers * s.config.tiers[1].server.hosts);
    // The edge's feed is its own.
    sim.set_trace_tier(0);
    sim.advance_to(SimTime::from_secs(13), u64::MAX);
    let (edge, _) = sim.poll_trace();
    assert!(!edge.is_empty() && edge.iter().all(|e| e.t.as_secs_f64() > 12.0));
}

#[test]
fn a_tier_restarting_together_refuses_the_retries_of_its_own_victims() {
    // Hosts restart at 10 s and stay down for 1 s; retries go at once. No host may take in
    // a victim of another host's restart in that instant: every host is down together.
    for hosts in [1, 2, 4] {
        let mut cfg = restarting(hosts);
        cfg.faults = vec![Fault::parse("restart@10..11").unwrap()];
        cfg.load.rate_per_s = 400.0;
        cfg.server.service_ms = 50.0;
        cfg.client.backoff = BackoffKind::None;
        let mut sim = Sim::new(cfg, 1).unwrap();
        sim.run_to_end();
        let during: u64 = sim.windows().iter().filter(|w| (10.0..11.0).contains(&w.start.as_secs_f64())).map(|w| w.counts.accepted).sum();
        assert_eq!(during, 0, "{hosts} hosts accepted {during} attempts while down");
        assert!(sim.summary().counts.resets > 20, "{hosts} hosts");
    }
}

#[test]
fn a_restart_ends_the_calls_its_workers_were_making() {
    let mut cfg = backoff_lab::keys::set(&Config::default(), "tiers", "2").unwrap();
    cfg.load.rate_per_s = 20.0;
    cfg.tiers[0].server.service_ms = 500.0;
    cfg.tier_faults = vec![TierFault { tier: 0, host: None, fault: Fault::parse("restart@10").unwrap() }];
    cfg.faults = vec![Fault::parse("load=0@12..86400").unwrap()];
    cfg.duration_s = 30.0;
    let mut sim = Sim::new(cfg, 4).unwrap();
    sim.run_to_end();
    // The edge's workers were waiting on tier 1 when they restarted: those calls ended
    // (failed) with them, and nothing is left alive after the load stops.
    assert_eq!(sim.tier_status(1).live_requests, 0);
    assert_eq!(sim.live(), (0, 0));
    let below = sim.tier_summary(1).counts;
    assert_eq!(below.first_attempts, below.successes + below.failures, "every call into tier 1 has its outcome");
}
