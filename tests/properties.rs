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
    (load, server, client, limiters, prop::collection::vec(fault, 0..3), 100u32..3_000).prop_map(|(l, s, c, lim, faults, max_live)| {
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
        cfg
    })
}

fn finite(x: f64) -> bool {
    x.is_finite()
}

/// Runs in uneven steps, checking invariants on the way; returns a fingerprint of the run.
/// Returns the summary and how many lifecycle events were recorded (kept or dropped).
fn run_checked(cfg: &Config, seed: u64, steps: &[u64]) -> (Summary, u64) {
    let mut sim = Sim::new(cfg.clone(), seed).unwrap();
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
        let st = sim.status();
        assert!(st.live_requests <= cap && st.live_attempts <= cap, "live {} / {} over cap {cap}", st.live_requests, st.live_attempts);
        assert!(st.busy <= cfg.server.workers);
        let bound = 4 * cap as usize + 3 * (cfg.load.closed.clients + cfg.load.periodic.clients) as usize + 8_192 + 64;
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
    (s, total)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_config_runs_clean_and_repeats_exactly(cfg in arb_config(), seed in any::<u64>()) {
        prop_assume!(cfg.validate().is_ok());
        let (a, ta) = run_checked(&cfg, seed, &[37_000, 250_000, 1_000]);
        let (b, tb) = run_checked(&cfg, seed, &[1_000_000]);
        prop_assert_eq!(a, b, "the same seed gave different summaries");
        prop_assert_eq!(ta, tb, "the same seed gave a different number of lifecycle events");
    }

    #[test]
    fn config_json_round_trips(cfg in arb_config()) {
        let json = serde_json::to_string(&cfg).unwrap();
        let back: Config = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, cfg);
    }

    #[test]
    fn set_never_panics_and_errors_name_the_key(i in 0..keys::KEYS.len(), value in "\\PC{0,12}") {
        let key = keys::KEYS[i].key;
        match keys::set(&Config::default(), key, &value) {
            Ok(cfg) => prop_assert!(cfg.validate().is_ok()),
            Err(e) => prop_assert!(!e.message.is_empty() && e.key.starts_with(key.split('.').next().unwrap())),
        }
    }
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
