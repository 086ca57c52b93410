//! Engine throughput in events per second on named workloads:
//!
//! - `mmc_rho_0.8`: M/M/10 at 80 % load, no timeouts (the engine's bare speed);
//! - `retry_storm`: the metastable-retry scenario, timeouts and immediate retries throughout;
//! - `contention_sweep`: Brooker's 2015 experiment, 5 strategies × 10..100 clients;
//! - `system_3_tiers`: the retry-at-one-layer system (3 tiers, 100 req/s, a 10 s failure at
//!   the bottom) for 60 s; `system_storm`: retries-every-layer, whose bottom queue grows all run.
//!
//! `cargo bench --bench engine`; criterion prints "thrpt" in events per second (Melem/s).

use backoff_lab::scenarios;
use backoff_lab::sim::contention::{self, ContentionParams, Strategy};
use backoff_lab::sim::rng::Stream;
use backoff_lab::sim::{Config, Sim, SimTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn events_of(cfg: &Config, seed: u64) -> u64 {
    let mut sim = Sim::new(cfg.clone(), seed).expect("valid config");
    sim.run_to_end();
    sim.status().events
}

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(20);

    // 8,000 req/s, 1 ms service, 10 workers: ρ = 0.8, about 1.6 M events in 100 s.
    let mut mmc = scenarios::find("mmc").expect("scenario").config;
    mmc.load.rate_per_s = 8_000.0;
    mmc.server.service_ms = 1.0;
    mmc.duration_s = 100.0;
    let n = events_of(&mmc, 1);
    g.throughput(Throughput::Elements(n));
    g.bench_function("mmc_rho_0.8", |b| b.iter(|| black_box(Sim::new(mmc.clone(), 1).expect("valid").run_to_end())));

    let storm = scenarios::find("metastable-retry").expect("scenario").config;
    let n = events_of(&storm, 3);
    g.throughput(Throughput::Elements(n));
    g.bench_function("retry_storm", |b| b.iter(|| black_box(Sim::new(storm.clone(), 3).expect("valid").run_to_end())));

    for (name, id) in [("system_3_tiers", "retry-at-one-layer"), ("system_storm", "retries-every-layer")] {
        let s = scenarios::find(id).expect("scenario");
        let mut lab = Sim::new(s.config.clone(), s.seed).expect("valid");
        lab.run_to_end();
        g.throughput(Throughput::Elements(lab.status().events));
        g.bench_function(name, |b| b.iter(|| black_box(Sim::new(s.config.clone(), s.seed).expect("valid").run_to_end())));
    }

    let params = ContentionParams::default();
    let clients: Vec<u32> = (10..=100).step_by(10).collect();
    let run_sweep = || {
        let mut events = 0;
        for s in Strategy::ALL {
            for &n in &clients {
                let mut rng = Stream::new(1, &format!("bench/{n}"));
                events += contention::run_once(s, n, &params, &mut rng).events;
            }
        }
        events
    };
    g.throughput(Throughput::Elements(run_sweep()));
    g.bench_function("contention_sweep", |b| b.iter(|| black_box(run_sweep())));
    g.finish();

    // Stepping as the page does: 1/60 s of simulated time per call.
    let mut g = c.benchmark_group("frame");
    let mut cfg = scenarios::find("metastable-retry").expect("scenario").config;
    cfg.metrics.trace_capacity = 10_000;
    g.bench_function("storm_frame_step", |b| {
        let mut sim = Sim::new(cfg.clone(), 3).expect("valid");
        let mut t = SimTime::ZERO;
        b.iter(|| {
            t = t.saturating_add(SimTime(16_667));
            sim.advance_to(t, 200_000);
            black_box(sim.poll_trace());
        })
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
