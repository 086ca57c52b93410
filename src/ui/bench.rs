//! `?bench=1`: the engine's speed measured in this browser (BENCHMARKS.md reports it).

use super::web::now_ms;
use crate::scenarios;
use crate::sim::{Config, Sim};

/// `?bench=1`: the engine's speed in this browser, as JSON.
pub(crate) fn measure_engine() -> String {
    let time = |cfg: Config, seed: u64| -> Result<(f64, u64), String> {
        let mut sim = Sim::new(cfg, seed).map_err(|e| e.to_string())?;
        let t0 = now_ms();
        sim.run_to_end();
        Ok((now_ms() - t0, sim.status().events))
    };
    let run = || -> Result<String, String> {
        // "Run to end" of 600 s of M/M/10 at 80 % load.
        let mmc = scenarios::find("mmc")?.config;
        let (run_ms, run_events) = time(mmc.clone(), 6)?;
        // Raw engine speed: M/M/10 at 80 % with 8,000 req/s for 100 s (the native benchmark's workload).
        let mut fast = mmc;
        fast.load.rate_per_s = 8_000.0;
        fast.server.service_ms = 1.0;
        fast.duration_s = 100.0;
        let (fast_ms, fast_events) = time(fast, 1)?;
        let storm = scenarios::find("metastable-retry")?;
        let (storm_ms, storm_events) = time(storm.config, storm.seed)?;
        Ok(format!(
            "{{\"run_to_end_mmc_600s_ms\": {run_ms:.1}, \"run_to_end_events\": {run_events}, \"mmc_events_per_s\": {:.0}, \"mmc_events\": {fast_events}, \"storm_events_per_s\": {:.0}}}",
            fast_events as f64 / fast_ms * 1e3,
            storm_events as f64 / storm_ms * 1e3
        ))
    };
    run().unwrap_or_else(|e| format!("{{\"error\": \"{}\"}}", e.replace(['"', '\\'], "'")))
}
