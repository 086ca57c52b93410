//! Reference runs whose figures the native tests and the browser tests both assert, so that
//! the CLI and the page are held to the same numbers for one config and seed.

use backoff_lab::scenarios;
use backoff_lab::sim::{Config, ServiceDist, Sim};

/// First attempts, successes, and the sum of success latency in µs.
pub type Figures = (u64, u64, u64);

/// (scenario, change, expected figures).
type Reference = (&'static str, fn(&mut Config), Figures);

pub const RUNS: [Reference; 3] = [
    ("metastable-retry", |_| {}, (4185, 489, 126_664_695)),
    ("mmc", |_| {}, (48_004, 47_992, 5_672_016_356)),
    // Log-normal service exercises ln and exp, whose last bits could differ between targets.
    ("metastable-retry", |c| c.server.service = ServiceDist::Lognormal, (4185, 473, 134_170_691)),
];

/// Runs every reference and returns (what ran, got, expected).
pub fn check_all() -> Vec<(&'static str, Figures, Figures)> {
    RUNS.iter()
        .map(|(id, tweak, want)| {
            let s = scenarios::find(id).expect("reference scenario");
            let mut cfg = s.config;
            tweak(&mut cfg);
            let sum = Sim::new(cfg, s.seed).expect("valid").run_to_end();
            (*id, (sum.counts.first_attempts, sum.counts.successes, sum.counts.latency_sum_us), *want)
        })
        .collect()
}
