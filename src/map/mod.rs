//! The page's map of where a system tips: the current lab over a grid of two axes, several
//! seeds per cell, each cell coloured by the share of seeds that stay down after the trigger
//! (the definitions are [`sweep`]'s, the same as `lab sweep`).
//!
//! Everything of the map lives in this folder:
//! - `mod.rs` (here): a map as a [`Job`] of cells, and its text form for the workers;
//! - [`sweep`]: one cell's runs and verdicts, the grid and its axes (`lab sweep` uses it too);
//! - `panel.rs`: the map's panel on the page, in the on-demand panels' wasm (`panels`, see
//!   `crate::ui::panels`), fetched when a learner opens the map;
//! - `worker.rs` and `worker_main.rs`: the Web Worker (`map-worker`) that runs cells off the
//!   page's thread, a speed-built wasm.
//!
//! The page computes a map in Web Workers that run this module (`worker_main.rs`), so
//! the animation keeps its frame rate. A [`Job`] travels to a worker as plain text, one line
//! per item, and each cell comes back as numbers:
//!
//! ```text
//!  seed 3          seeds 3          settle 20        cells 0 200
//!  x trigger.duration_s 1 2.5 4 …   y trigger.value 0 0.05 0.1 …
//!  set client.max_attempts=4        set faults=capacity=0.5@5..10   (the lab, as link keys)
//! ```

pub mod sweep;

/// The map's panel (wasm32 only): in the on-demand panels' wasm, loaded when a learner opens the map.
#[cfg(target_arch = "wasm32")]
pub mod panel;

/// The map's Web Worker (wasm32 only): runs [`Job`]s off the page's thread.
#[cfg(target_arch = "wasm32")]
pub mod worker;

use crate::sim::Config;
use crate::{keys, url};
use sweep::{Axis, Cell};

/// The axes a learner can map, with their labels and units.
pub const AXES: &[(&str, &str)] = &[
    ("load.rate_per_s", "offered load (req/s)"),
    ("trigger.value", "trigger size"),
    ("trigger.duration_s", "trigger duration (s)"),
    ("client.max_attempts", "max attempts"),
    ("client.timeout_ms", "timeout (ms)"),
    ("server.queue_limit", "queue limit"),
    ("duration_s", "run length (s)"),
];

/// An axis's name for a map of `cfg`: the trigger's size says what its number means for the
/// lab's own trigger (a share of capacity left, a share of requests failing, or a factor).
pub fn axis_label(cfg: &Config, key: &str) -> &'static str {
    use crate::sim::FaultKind;
    match (key, cfg.trigger().map(|f| f.kind)) {
        ("trigger.value", Some(FaultKind::Capacity)) => "trigger size (share of capacity left)",
        ("trigger.value", Some(FaultKind::Errors)) => "trigger size (share of requests failing)",
        ("trigger.value", Some(FaultKind::Slow)) => "trigger size (× service time)",
        ("trigger.value", Some(FaultKind::Load)) => "trigger size (× offered load)",
        _ => AXES.iter().find(|(k, _)| *k == key).map_or("", |(_, l)| *l),
    }
}

/// Seconds at the end of each run over which "stays down" is judged (as `lab sweep`).
pub const SETTLE_S: f64 = 20.0;

/// The axes a map of `cfg` starts on: the trigger's duration across and its size up when the
/// lab has a trigger with a size that can end in time to judge what follows (the storm's own
/// question: how long and how big a push tips it; a fault on for the whole run is mapped for
/// the durations that end in time); a lab whose load ramps, without a fault, across the run's
/// length (is it still down when judged then?); otherwise offered load across and max attempts
/// up (a lab without a fault, or with a restart, still tips when load or retries grow), or the
/// timeout across when it has no open-loop load.
pub fn default_axes(cfg: &Config) -> (&'static str, &'static str) {
    use crate::sim::FaultKind;
    match cfg.trigger() {
        Some(f) if f.kind != FaultKind::Restart && f.start_s + 2.0 + SETTLE_S <= cfg.duration_s => ("trigger.duration_s", "trigger.value"),
        // Load that ramps up past capacity and back down (hysteresis): when it mends, if at
        // all, is the question; the starting rate changes little once the ramps take over.
        None if !cfg.load.ramps.is_empty() => ("duration_s", "client.max_attempts"),
        // No open-loop load (periodic or closed-loop users): its rate would be one column at 0.
        _ if cfg.load.rate_per_s <= 0.0 => ("client.timeout_ms", "client.max_attempts"),
        _ => ("load.rate_per_s", "client.max_attempts"),
    }
}

/// Up to `n` round values of `key` around what `cfg` has now: the ranges a first look needs.
pub fn axis_values(cfg: &Config, key: &str, n: usize) -> Vec<f64> {
    let trigger = cfg.trigger();
    let (lo, hi, whole) = match key {
        "load.rate_per_s" => (cfg.load.rate_per_s * 0.25, cfg.load.rate_per_s * 2.0, false),
        "trigger.value" => match trigger.map(|f| f.kind) {
            Some(crate::sim::FaultKind::Capacity) => (0.0, 1.0, false),
            Some(crate::sim::FaultKind::Slow | crate::sim::FaultKind::Load) => (1.0, 10.0, false),
            _ => (0.0, 1.0, false),
        },
        // Up to four times the trigger's, but ending in time to judge what follows (a trigger
        // on for the whole run would otherwise ask for days, and give no verdict anywhere).
        "trigger.duration_s" => (0.5, trigger.map_or(10.0, |f| ((f.end_s - f.start_s) * 4.0).min(cfg.duration_s - SETTLE_S - f.start_s)).max(2.0), false),
        "client.max_attempts" => (1.0, f64::from(cfg.client.max_attempts.max(4) * 2).min(100.0), true),
        "client.timeout_ms" => (100.0, cfg.client.timeout_ms.unwrap_or(1_000.0) * 4.0, false),
        "server.queue_limit" => (0.0, f64::from(cfg.server.queue_limit.unwrap_or(1_000)).max(100.0), true),
        // From the end of the first ramp (or time to judge) to the lab's own length.
        "duration_s" => (cfg.load.ramps.first().map_or(0.0, |r| r.end_s).max(SETTLE_S + 10.0).min(cfg.duration_s / 2.0), cfg.duration_s, true),
        _ => (0.0, 1.0, false),
    };
    // Round values a learner can read off the ticks and that a loaded cell writes into the
    // link: a step of 1, 2, 2.5 or 5 times a power of ten, the nearest to an even split.
    let n = n.max(2);
    let raw = (hi - lo) / (n - 1) as f64;
    if !(raw > 0.0 && raw.is_finite()) {
        return vec![lo];
    }
    let unit = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * unit).min_by(|a, b| (a - raw).abs().total_cmp(&(b - raw).abs())).unwrap_or(raw);
    let step = if whole { step.floor().max(1.0) } else { step };
    // The run's length counts down from the lab's own, so that its cell is on the map.
    let first = if key == "duration_s" { ((hi / step).floor() - (n - 1) as f64).max((lo / step).ceil()) } else { (lo / step).ceil() };
    // Up to `n` values, none more than half a step past the range.
    (0..n).map(|i| ((first + i as f64) * step * 1e6).round() / 1e6).take_while(|v| *v <= hi + step / 2.0).collect()
}

/// What `cfg` has now on axis `key`, if it has a value there (no timeout or no queue limit
/// has none on those axes; no fault, none on the trigger's).
pub fn axis_now(cfg: &Config, key: &str) -> Option<f64> {
    let trigger = cfg.trigger();
    match key {
        "load.rate_per_s" => Some(cfg.load.rate_per_s),
        "trigger.value" => trigger.map(|f| f.value),
        "trigger.duration_s" => trigger.map(|f| f.end_s - f.start_s),
        "client.max_attempts" => Some(f64::from(cfg.client.max_attempts)),
        "client.timeout_ms" => cfg.client.timeout_ms,
        "server.queue_limit" => cfg.server.queue_limit.map(f64::from),
        "duration_s" => Some(cfg.duration_s),
        _ => None,
    }
}

/// The index of the value of `values` (in order) nearest `v`, if `v` lies within their range
/// (half a step beyond either end included).
pub fn nearest(values: &[f64], v: f64) -> Option<usize> {
    let (first, last) = (*values.first()?, *values.last()?);
    let half = if values.len() > 1 { (last - first).abs() / (values.len() - 1) as f64 / 2.0 } else { 0.5 };
    if v < first.min(last) - half || v > first.max(last) + half {
        return None;
    }
    (0..values.len()).min_by(|&a, &b| (values[a] - v).abs().total_cmp(&(values[b] - v).abs()))
}

/// A share of a map for one worker: cells `from..to` of the grid (y outer, x inner).
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub base: Config,
    pub x: Axis,
    pub y: Axis,
    pub seed: u64,
    pub seeds: u32,
    pub settle_s: f64,
    pub from: usize,
    pub to: usize,
}

impl Job {
    /// Cells in the whole grid.
    pub fn cells(&self) -> usize {
        self.x.values.len() * self.y.values.len()
    }

    /// The config of cell `i`, or why it cannot be made.
    pub fn config(&self, i: usize) -> Result<Config, String> {
        let n = self.x.values.len().max(1);
        let (xv, yv) = (self.x.values.get(i % n).copied().unwrap_or(0.0), self.y.values.get(i / n).copied().unwrap_or(0.0));
        let c = self.x.apply(&self.base, xv)?;
        self.y.apply(&c, yv)
    }

    /// Runs cell `i` on every seed.
    pub fn cell(&self, i: usize) -> Result<Cell, String> {
        let n = self.x.values.len().max(1);
        let cfg = self.config(i)?;
        Ok(sweep::run_cell(&cfg, self.x.values[i % n], self.y.values.get(i / n).copied(), self.seed, self.seeds, self.settle_s))
    }

    /// The job as the text a worker reads.
    pub fn to_text(&self) -> String {
        let nums = |a: &Axis| a.values.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join(" ");
        let mut out = format!(
            "seed {}\nseeds {}\nsettle {}\ncells {} {}\nx {} {}\ny {} {}\n",
            self.seed,
            self.seeds,
            self.settle_s,
            self.from,
            self.to,
            self.x.key,
            nums(&self.x),
            self.y.key,
            nums(&self.y)
        );
        for (k, v) in url::config_diff(&Config::default(), &self.base) {
            out.push_str(&format!("set {k}={v}\n"));
        }
        out
    }

    /// Reads [`Job::to_text`]; the config is set key by key and validated once.
    pub fn parse(text: &str) -> Result<Job, String> {
        let num = |s: &str| crate::sim::params::parse_number(s).ok_or_else(|| format!("'{}' is not a number", crate::sim::params::quote(s, 30)));
        let mut job = Job {
            base: Config::default(),
            x: Axis { key: String::new(), values: Vec::new(), words: Vec::new() },
            y: Axis { key: String::new(), values: Vec::new(), words: Vec::new() },
            seed: 1,
            seeds: 1,
            settle_s: SETTLE_S,
            from: 0,
            to: 0,
        };
        for line in text.lines() {
            let (what, rest) = line.split_once(' ').unwrap_or((line, ""));
            match what {
                "seed" => job.seed = rest.trim().parse().map_err(|_| "a seed is a whole number".to_string())?,
                "seeds" => job.seeds = rest.trim().parse().map_err(|_| "seeds is a whole number".to_string())?,
                "settle" => job.settle_s = num(rest.trim())?,
                "cells" => {
                    let (a, b) = rest.split_once(' ').ok_or("cells needs FROM TO")?;
                    job.from = a.trim().parse().map_err(|_| "cells needs whole numbers".to_string())?;
                    job.to = b.trim().parse().map_err(|_| "cells needs whole numbers".to_string())?;
                }
                "x" | "y" => {
                    let mut parts = rest.split_whitespace();
                    let key = parts.next().ok_or("an axis needs a key")?.to_string();
                    let values = parts.map(num).collect::<Result<Vec<_>, _>>()?;
                    let axis = Axis { key, values, words: Vec::new() };
                    if what == "x" { job.x = axis } else { job.y = axis }
                }
                "set" => job.base = keys::apply_assignment(&job.base, rest).map_err(|e| e.to_string())?,
                "" => {}
                _ => return Err(format!("unknown line '{}'", crate::sim::params::quote(line, 40))),
            }
        }
        job.base.validate().map_err(|e| e.to_string())?;
        if job.x.values.is_empty() || job.y.values.is_empty() || job.to > job.cells() || job.from > job.to {
            return Err("a map needs two axes with values, and cells inside the grid".into());
        }
        Ok(job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The trigger's size is named for what the lab's own trigger's number means.
    #[test]
    fn the_trigger_size_axis_says_what_its_number_means() {
        let cfg = |faults: &str| crate::url::decode(&format!("s=healthy&faults={faults}")).0.config;
        assert_eq!(axis_label(&cfg("crash@5..10"), "trigger.value"), "trigger size (share of capacity left)");
        assert_eq!(axis_label(&cfg("errors=0.5@5..10"), "trigger.value"), "trigger size (share of requests failing)");
        assert_eq!(axis_label(&cfg("slow=10@5..10"), "trigger.value"), "trigger size (× service time)");
        assert_eq!(axis_label(&cfg(""), "trigger.value"), "trigger size");
        assert_eq!(axis_label(&cfg(""), "load.rate_per_s"), "offered load (req/s)");
    }

    /// Opening the map computes it on its first axes: in every scenario, every cell of the
    /// grid is a lab the engine takes (no scenario opens on an error).
    #[test]
    fn every_scenario_opens_on_a_map_it_can_compute() {
        for s in crate::scenarios::all() {
            let (x, y) = default_axes(&s.config);
            let axis = |key: &str| Axis { key: key.into(), values: axis_values(&s.config, key, 20), words: Vec::new() };
            let job = Job { base: s.config.clone(), x: axis(x), y: axis(y), seed: 1, seeds: 3, settle_s: SETTLE_S, from: 0, to: 0 };
            for i in 0..job.cells() {
                job.config(i).unwrap_or_else(|e| panic!("{}: {x} × {y}, cell {i}: {e}", s.id));
            }
            // Round values: each a whole number of steps of 1, 2, 2.5 or 5 times a power of ten.
            for axis in [&job.x, &job.y] {
                let step = axis.values.get(1).map_or(1.0, |v| v - axis.values[0]);
                let m = step / 10f64.powf(step.log10().floor());
                assert!([1.0, 2.0, 2.5, 5.0].iter().any(|k| (m - k).abs() < 1e-6), "{}: {} step {step}: {:?}", s.id, axis.key, axis.values);
                assert!(axis.values.iter().all(|v| ((v / step) - (v / step).round()).abs() < 1e-6), "{}: {:?}", s.id, axis.values);
            }
            let trigger = s.config.trigger().map(|f| f.kind);
            if s.id == "metastable-retry" {
                assert_eq!((x, y), ("trigger.duration_s", "trigger.value"), "the storm maps its trigger");
                assert_eq!(job.x.values, (1..=20).map(f64::from).collect::<Vec<_>>());
                assert_eq!(job.y.values.get(..3), Some(&[0.0, 0.05, 0.1][..]));
            }
            if trigger.is_none() && s.config.load.rate_per_s > 0.0 && s.config.load.ramps.is_empty() {
                assert_eq!(x, "load.rate_per_s", "{}: no fault, so offered load", s.id);
            }
            // Every first map has more than one column and more than one row.
            assert!(job.x.values.len() > 1 && job.y.values.len() > 1, "{}: {x} {:?} × {y} {:?}", s.id, job.x.values, job.y.values);
        }
    }

    /// Every scenario's first map answers: some of its cells have a verdict (once, most maps
    /// were all "no verdict", their trigger on to the end or their lab without a fault), and no
    /// seed is counted twice (once, a seed down at the end that had recovered was both).
    #[test]
    fn every_scenario_s_first_map_has_verdicts_and_one_a_seed() {
        for s in crate::scenarios::all() {
            let (x, y) = default_axes(&s.config);
            let axis = |key: &str| Axis { key: key.into(), values: axis_values(&s.config, key, 4), words: Vec::new() };
            let job = Job { base: s.config.clone(), x: axis(x), y: axis(y), seed: 1, seeds: 2, settle_s: SETTLE_S, from: 0, to: 0 };
            let cells: Vec<_> = (0..job.cells()).map(|i| job.cell(i).unwrap()).collect();
            for c in &cells {
                assert!(c.metastable_share + c.recovered_share <= 1.0 + 1e-9, "{}: {c:?}", s.id);
            }
            let judged = cells.iter().filter(|c| c.metastable_share + c.recovered_share > 0.0).count();
            assert!(judged * 2 >= cells.len(), "{}: {x} × {y}: {judged} of {} cells with a verdict", s.id, cells.len());
        }
        // Hysteresis (load ramps past capacity and back, no fault) maps when it mends: with
        // retries it is still down long after the load fell, without them it mends sooner.
        let h = crate::scenarios::find("hysteresis").unwrap();
        assert_eq!(default_axes(&h.config), ("duration_s", "client.max_attempts"));
        let xs = axis_values(&h.config, "duration_s", 20);
        assert_eq!((xs.first(), xs.last()), (Some(&80.0), Some(&270.0)), "{xs:?}");
        let down = |len: f64, attempts: f64| {
            let cfg = sweep::set_axis(&sweep::set_axis(&h.config, "duration_s", len).unwrap(), "client.max_attempts", attempts).unwrap();
            sweep::run_cell(&cfg, len, None, 1, 3, SETTLE_S).metastable_share
        };
        assert_eq!((down(200.0, 1.0), down(200.0, 6.0), down(270.0, 6.0)), (0.0, 1.0, 0.0), "mends at 200 s without retries, at 270 s with");
        // A lab without a fault is judged at its end: the healthy lab serves.
        let healthy = crate::scenarios::find("healthy").unwrap();
        let c = sweep::run_cell(&healthy.config, healthy.config.load.rate_per_s, None, 1, 3, SETTLE_S);
        assert_eq!((c.metastable_share, c.recovered_share, c.median_recovery_s), (0.0, 1.0, None));
    }

    #[test]
    fn a_job_travels_as_text_and_its_cells_are_the_sweeps() {
        let s = crate::scenarios::find("metastable-retry").unwrap();
        let job = Job {
            base: s.config.clone(),
            x: Axis { key: "trigger.duration_s".into(), values: axis_values(&s.config, "trigger.duration_s", 4), words: Vec::new() },
            y: Axis { key: "trigger.value".into(), values: axis_values(&s.config, "trigger.value", 3), words: Vec::new() },
            seed: 3,
            seeds: 2,
            settle_s: SETTLE_S,
            from: 2,
            to: 7,
        };
        let back = Job::parse(&job.to_text()).unwrap();
        assert_eq!(back, job);
        assert_eq!(job.cells(), 12);
        // Cell 5 is x index 1, y index 1, the same cell `lab sweep` computes.
        let cell = job.cell(5).unwrap();
        assert_eq!((cell.x, cell.y), (job.x.values[1], Some(job.y.values[1])));
        let grid = sweep::grid(&job.base, &job.x, Some(&job.y)).unwrap();
        assert_eq!(cell, sweep::run_cell(&grid[5].2, grid[5].0, grid[5].1, 3, 2, SETTLE_S));
        assert!(Job::parse("x a 1\ny b 2\ncells 0 9").unwrap_err().contains("inside the grid"));
        assert!(Job::parse("bogus").unwrap_err().contains("unknown line"));
        for (key, _) in AXES {
            let v = axis_values(&s.config, key, 20);
            assert!(v.len() >= 2 && v.windows(2).all(|w| w[0] < w[1]), "{key}: {v:?}");
            for x in v {
                sweep::set_axis(&s.config, key, x).unwrap_or_else(|e| panic!("{key}={x}: {e}"));
            }
        }
    }
}
