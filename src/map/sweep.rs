//! Where does it tip? A sweep runs a base config over a grid of one or two parameters, several
//! seeds per cell, and reports for each cell how often the system stays down after its
//! trigger, how long recovery takes when it comes, and what the retries cost.
//!
//! Definitions (the same in `lab sweep --help`):
//! - **metastable**: every fault has ended at least `settle_s` before the end of the run, and
//!   over that last `settle_s` goodput is below half of the offered load. The trigger is gone;
//!   the failure is not.
//! - **recovered**: goodput back above 90 % of offered after the trigger and staying there
//!   ([`crate::explain::recovery`]); the time is from the end of the last fault. A seed that
//!   stays down has not recovered, whatever happened before the last `settle_s`.
//! - A config **without any fault** has no trigger to end: it is judged over the last `settle_s`
//!   alone, down below half of offered (counted as metastable: it did not come back, whatever
//!   brought it down), recovered at 90 % or more (with no time to recovery).
//! - **no verdict**: neither, such as a trigger still on at the end of the run, or goodput that
//!   settles between half and 90 % of offered. A cell counts how many of its seeds are each.
//!
//! Axes are parameter keys (`server.workers`, `client.max_attempts`, …) or the trigger itself:
//! `trigger.start_s`, `trigger.duration_s` and `trigger.value` change the first fault.

use crate::explain::{self, Recovery};
use crate::keys;
use crate::sim::{Config, Sim, SimTime};

/// The CLI's words when a trigger axis meets a config without a fault (the map panel says it
/// in the page's own words instead).
pub const NO_TRIGGER: &str = "trigger.* axes change the first fault, and this config has none: add one with --fault";

/// One axis: a key and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    /// The values; for an axis of words (`server.balancer=round_robin,random`, or a list with
    /// `none` in it) their positions 0, 1, 2, …, which the cells' x and y then hold.
    pub values: Vec<f64>,
    /// The words, for an axis of words; empty for numbers.
    pub words: Vec<String>,
}

/// The most runs (cells × seeds) one sweep may ask for: about an hour of work on two cores
/// for the default scenarios' 60 s runs.
pub const MAX_RUNS: u64 = 100_000;

impl Axis {
    /// Parses `KEY=FROM..TO:STEPS` (STEPS values, ends included), `KEY=A,B,C` (numbers, or
    /// the words the key takes, `none` included). A key that takes whole numbers gets whole
    /// numbers: a range is rounded and repeats are dropped.
    pub fn parse(s: &str) -> Result<Axis, String> {
        let bad =
            |why: &str| format!("axis '{}' {why}: write KEY=FROM..TO:STEPS (e.g. trigger.duration_s=1..20:8) or KEY=A,B,C", crate::sim::params::quote(s, 60));
        let (key, spec) = s.split_once('=').ok_or_else(|| bad("has no '='"))?;
        let key = key.trim().to_string();
        let num = |t: &str| crate::sim::params::parse_number(t.trim());
        let mut words = Vec::new();
        let mut values: Vec<f64> = if let Some((range, steps)) = spec.split_once(':') {
            let (a, b) = range.split_once("..").ok_or_else(|| bad("has no '..'"))?;
            let (a, b): (f64, f64) =
                (num(a).ok_or_else(|| bad("has a start that is not a number"))?, num(b).ok_or_else(|| bad("has an end that is not a number"))?);
            let n: usize = steps.trim().parse().map_err(|_| bad("has a step count that is not a whole number"))?;
            if !(1..=100).contains(&n) || !a.is_finite() || !b.is_finite() {
                return Err(bad("needs 1 to 100 steps between finite ends"));
            }
            // Each value to a thousandth of the step, so a cell's value reads (and goes into a
            // link) as 16.737, not 16.737000000000002.
            let step = if n > 1 { ((b - a) / (n - 1) as f64).abs() } else { 0.0 };
            let decimals = if step > 0.0 { (3.0 - step.log10().floor()).clamp(0.0, 12.0) as i32 } else { 12 };
            let scale = 10f64.powi(decimals);
            (0..n).map(|i| if n == 1 { a } else { a + (b - a) * i as f64 / (n - 1) as f64 }).map(|v| (v * scale).round() / scale).collect()
        } else {
            let items: Vec<&str> = spec.split(',').map(str::trim).collect();
            match items.iter().map(|v| num(v)).collect::<Option<Vec<f64>>>() {
                Some(v) => v,
                None => {
                    words = items.iter().map(|w| crate::sim::params::quote(w, 40)).collect();
                    (0..words.len()).map(|i| i as f64).collect()
                }
            }
        };
        if values.is_empty() || values.len() > 100 {
            return Err(bad("needs 1 to 100 values"));
        }
        if words.is_empty() && crate::keys::spec(&key).is_some_and(|p| p.kind == crate::sim::params::Kind::Int) {
            for v in &mut values {
                *v = v.round();
            }
            values.dedup();
        }
        Ok(Axis { key, values, words })
    }

    /// The value at position `v` of the axis as text: the word, or the number.
    pub fn label(&self, v: f64) -> String {
        if self.words.is_empty() { format!("{v}") } else { self.words.get(v as usize).cloned().unwrap_or_default() }
    }

    /// `cfg` with this axis at `v` (a value, or a word's position).
    pub fn apply(&self, cfg: &Config, v: f64) -> Result<Config, String> {
        if self.words.is_empty() { set_axis(cfg, &self.key, v) } else { keys::set(cfg, &self.key, &self.label(v)).map_err(|e| e.to_string()) }
    }
}

/// `cfg` with `key` set to `v`: a parameter, or the first fault's start, duration or value.
pub fn set_axis(cfg: &Config, key: &str, v: f64) -> Result<Config, String> {
    if let Some(part) = key.strip_prefix("trigger.") {
        let mut c = cfg.clone();
        // The first fault, or the first one aimed at a tier when the edge has none.
        let f = if c.faults.is_empty() { c.tier_faults.first_mut().map(|t| &mut t.fault) } else { c.faults.first_mut() }.ok_or(NO_TRIGGER)?;
        match part {
            "start_s" => {
                let d = f.end_s - f.start_s;
                f.start_s = v;
                f.end_s = v + d;
            }
            "duration_s" => f.end_s = f.start_s + v,
            "value" => f.value = v,
            _ => return Err(format!("unknown axis '{key}': the trigger axes are trigger.start_s, trigger.duration_s, trigger.value")),
        }
        c.validate().map_err(|e| e.to_string())?;
        return Ok(c);
    }
    // Numbers print exactly as Rust reads them back.
    keys::set(cfg, key, &format!("{v}")).map_err(|e| e.to_string())
}

/// One cell's measurements over its seeds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Cell {
    pub x: f64,
    pub y: Option<f64>,
    pub seeds: u32,
    /// Share of seeds that ended metastable.
    pub metastable_share: f64,
    /// Median time to recovery over the seeds that recovered, seconds.
    pub median_recovery_s: Option<f64>,
    /// Share of seeds that recovered (the rest of the seeds that did not stay down have no
    /// verdict).
    pub recovered_share: f64,
    /// Attempts ÷ first attempts over the whole run, mean over seeds.
    pub mean_amplification: f64,
    /// Work served for clients that had given up ÷ all work served, mean over seeds.
    pub wasted_share: f64,
}

/// Runs one cell: `cfg` on `seeds` seeds from `seed`, judged over the last `settle_s`.
pub fn run_cell(cfg: &Config, x: f64, y: Option<f64>, seed: u64, seeds: u32, settle_s: f64) -> Cell {
    let (mut metastable, mut recoveries, mut amp, mut wasted) = (0u32, Vec::new(), 0.0, 0.0);
    for k in 0..seeds {
        let mut sim = match Sim::new(cfg.clone(), seed.wrapping_add(u64::from(k))) {
            Ok(s) => s,
            Err(_) => continue,
        };
        let s = sim.run_to_end();
        let end = cfg.duration_s;
        let from = SimTime::from_secs_f64((end - settle_s).max(0.0));
        let mut faults = cfg.faults.iter().chain(cfg.tier_faults.iter().map(|f| &f.fault)).peekable();
        let no_fault = faults.peek().is_none();
        let trigger_over = faults.all(|f| f.end_s <= end - settle_s);
        let tail: Vec<_> = sim.windows().iter().filter(|w| w.start >= from).collect();
        let offered: u64 = tail.iter().map(|w| w.counts.first_attempts).sum();
        let good: u64 = tail.iter().map(|w| w.counts.successes).sum();
        // One verdict a seed: down, else recovered, else none.
        if trigger_over && offered > 0 && (good as f64) < 0.5 * offered as f64 {
            metastable += 1;
        } else if no_fault {
            // Nothing to recover from: serving at the end (90 % of offered over the settle span).
            if good as f64 >= 0.9 * offered as f64 {
                recoveries.push(f64::NAN);
            }
        } else if let Recovery::Recovered { after_s } = explain::recovery(sim.windows(), sim.config(), sim.now()) {
            recoveries.push(after_s);
        }
        amp += s.amplification;
        wasted += s.counts.wasted as f64 / s.counts.completions.max(1) as f64;
    }
    let recovered = recoveries.len();
    recoveries.retain(|t| !t.is_nan());
    recoveries.sort_by(f64::total_cmp);
    let n = f64::from(seeds.max(1));
    Cell {
        x,
        y,
        seeds,
        metastable_share: f64::from(metastable) / n,
        median_recovery_s: (!recoveries.is_empty()).then(|| recoveries[recoveries.len() / 2]),
        recovered_share: recovered as f64 / n,
        mean_amplification: amp / n,
        wasted_share: wasted / n,
    }
}

/// Every cell's config, in row order (y outer, x inner), validated up front so a bad axis
/// value is reported before any work is done.
pub fn grid(base: &Config, x: &Axis, y: Option<&Axis>) -> Result<Vec<(f64, Option<f64>, Config)>, String> {
    let ys: Vec<Option<f64>> = y.map_or(vec![None], |a| a.values.iter().map(|v| Some(*v)).collect());
    let mut out = Vec::new();
    for yv in ys {
        for &xv in &x.values {
            let mut c = x.apply(base, xv)?;
            if let (Some(a), Some(v)) = (y, yv) {
                c = a.apply(&c, v)?;
            }
            out.push((xv, yv, c));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_parse_ranges_and_lists_and_say_what_is_wrong() {
        assert_eq!(Axis::parse("trigger.duration_s=1..10:4").unwrap().values, vec![1.0, 4.0, 7.0, 10.0]);
        assert_eq!(Axis::parse("server.workers=5,10").unwrap().values, vec![5.0, 10.0]);
        assert!(Axis::parse("x=1..2:0").unwrap_err().contains("1 to 100 steps"));
        assert!(Axis::parse("nothing").unwrap_err().contains("no '='"));
        let base = Config::default();
        assert!(set_axis(&base, "trigger.value", 0.5).unwrap_err().contains("has none"));
        assert!(set_axis(&base, "server.workers", 0.0).unwrap_err().contains("1 to 10,000"));
        // Whole-number keys take whole numbers; words and none are values too.
        assert_eq!(Axis::parse("server.hosts=1..64:100").unwrap().values.len(), 64);
        assert_eq!(Axis::parse("tiers.1.server.hosts=1..4:7").unwrap().values, vec![1.0, 2.0, 3.0, 4.0]);
        let b = Axis::parse("server.balancer=round_robin,random").unwrap();
        assert_eq!((b.values.clone(), b.label(1.0)), (vec![0.0, 1.0], "random".to_string()));
        assert_eq!(b.apply(&base, 1.0).unwrap().server.balancer, crate::sim::Balancer::Random);
        let t = Axis::parse("client.timeout_ms=none,1,600000").unwrap();
        assert_eq!(t.apply(&base, 0.0).unwrap().client.timeout_ms, None);
        assert_eq!(t.apply(&base, 2.0).unwrap().client.timeout_ms, Some(600_000.0));
        assert!(grid(&base, &Axis::parse("server.balancer=round_robin,nope").unwrap(), None).unwrap_err().contains("nope"));
        // A range's values read as a person writes them, in the link too.
        let d = Axis::parse("trigger.duration_s=1..30:20").unwrap();
        assert!(d.values.iter().all(|v| format!("{v}").len() <= 6), "{:?}", d.values);
        assert_eq!(d.values[12], 19.316);
    }
}
