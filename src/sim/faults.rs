//! The fault schedule, compiled once into a timeline: what faults do at any instant, found by
//! binary search, so a run with many thousands of faults costs O(F log F) to set up and
//! O(log F) per fault edge, never O(F) per event (which made 32k faults take seconds).
//!
//! Overlapping faults combine: the lowest capacity share wins, slowdowns and load factors
//! multiply, error rates combine as independent failures (1 − ∏(1 − p)). The combined load
//! factor is capped at [`MAX_LOAD_FACTOR`], the documented range of one `load=` fault, so two
//! overlapping ×1000 spikes cannot ask for a billion requests a second.

use super::config::{Fault, FaultKind};
use super::time::SimTime;

/// The largest combined load multiplier, however many `load=` faults overlap.
pub const MAX_LOAD_FACTOR: f64 = 1_000.0;

/// What faults do right now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaultState {
    pub capacity_share: f64,
    pub slow: f64,
    pub error_rate: f64,
    pub load: f64,
    /// A restart is in progress: the server refuses every attempt.
    pub down: bool,
}

impl FaultState {
    pub const NONE: FaultState = FaultState { capacity_share: 1.0, slow: 1.0, error_rate: 0.0, load: 1.0, down: false };

    /// Both states at once, combined as overlapping faults combine in one timeline (a host's
    /// own faults on top of its tier's).
    pub fn combine(&self, o: &FaultState) -> FaultState {
        FaultState {
            capacity_share: self.capacity_share.min(o.capacity_share),
            slow: self.slow * o.slow,
            error_rate: 1.0 - (1.0 - self.error_rate) * (1.0 - o.error_rate),
            load: (self.load * o.load).min(MAX_LOAD_FACTOR),
            down: self.down || o.down,
        }
    }
}

/// Active values with their multiplicity, kept sorted (a sorted Vec: in the page's download a
/// BTreeMap costs kilobytes of code, and active faults are few).
#[derive(Clone, Default)]
struct Multiset(Vec<(u64, i64)>);

impl Multiset {
    /// Adds `delta` copies of the value whose bits are `key` (negative to remove).
    fn add(&mut self, key: u64, delta: i64) {
        match self.0.binary_search_by_key(&key, |e| e.0) {
            Ok(i) => {
                self.0[i].1 += delta;
                if self.0[i].1 <= 0 {
                    self.0.remove(i);
                }
            }
            Err(i) if delta > 0 => self.0.insert(i, (key, delta)),
            Err(_) => {}
        }
    }

    fn first(&self) -> Option<u64> {
        self.0.first().map(|e| e.0)
    }
}

/// The product of the active factors. Exact (multiplied out) while few overlap, which is every
/// ordinary schedule, so one fault's factor is used as given; a log-sum beyond that keeps a
/// pile of overlapping faults linear.
#[derive(Clone, Default)]
struct Product {
    active: Multiset,
    count: i64,
    zeros: i64,
    log_sum: f64,
}

impl Product {
    const EXACT_UP_TO: i64 = 16;

    fn add(&mut self, x: f64, sign: i64) {
        self.active.add(x.to_bits(), sign);
        self.count += sign;
        if x <= 0.0 {
            self.zeros += sign;
        } else {
            self.log_sum += sign as f64 * x.ln();
        }
        if self.count == 0 {
            self.log_sum = 0.0;
        }
    }

    fn value(&self) -> f64 {
        if self.zeros > 0 {
            0.0
        } else if self.count <= Self::EXACT_UP_TO {
            self.active.0.iter().flat_map(|&(b, n)| std::iter::repeat_n(f64::from_bits(b), n.max(0) as usize)).product()
        } else {
            self.log_sum.exp()
        }
    }
}

/// The compiled schedule.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// (from, state): the state holds from `from` until the next entry.
    segments: Vec<(SimTime, FaultState)>,
    /// Instants at which a restart resets the server, sorted.
    restarts: Vec<SimTime>,
    /// Instants at which the combined load factor changes, sorted.
    load_edges: Vec<SimTime>,
    /// Work done so far: fault edges compiled plus binary-search probes in lookups. Tests read
    /// it to show the schedule costs O(F log F), not O(F²), without timing anything.
    work: std::cell::Cell<u64>,
}

impl Timeline {
    pub fn new(faults: &[Fault]) -> Timeline {
        // Edges: (time, +1 start / −1 end, fault index); ends before starts at the same time.
        // Sorted as one number each (time, then end before start, then index), so that the
        // page carries one sort.
        let mut keys: Vec<u128> = Vec::with_capacity(faults.len() * 2);
        for (i, f) in faults.iter().enumerate() {
            let (s, e) = (SimTime::from_secs_f64(f.start_s), SimTime::from_secs_f64(f.end_s));
            if e > s {
                keys.push(u128::from(s.0) << 64 | 1 << 63 | i as u128);
                keys.push(u128::from(e.0) << 64 | i as u128);
            }
        }
        keys.sort_unstable();
        let edges: Vec<(SimTime, i8, usize)> =
            keys.into_iter().map(|k| (SimTime((k >> 64) as u64), if k >> 63 & 1 == 1 { 1 } else { -1 }, (k as u64 & !(1 << 63)) as usize)).collect();
        let mut capacity = Multiset::default();
        let (mut slow, mut errors_ok, mut load) = (Product::default(), Product::default(), Product::default());
        let mut down = 0i64;
        let mut segments = vec![(SimTime::ZERO, FaultState::NONE)];
        let mut load_edges = Vec::new();
        let mut k = 0;
        while k < edges.len() {
            let t = edges[k].0;
            let mut load_changed = false;
            while k < edges.len() && edges[k].0 == t {
                let (_, d, i) = edges[k];
                let f = &faults[i];
                let sign = i64::from(d);
                match f.kind {
                    FaultKind::Capacity => capacity.add(f.value.to_bits(), i64::from(d)),
                    FaultKind::Slow => slow.add(f.value, sign),
                    FaultKind::Errors => errors_ok.add(1.0 - f.value, sign),
                    FaultKind::Load => {
                        load.add(f.value, sign);
                        load_changed = true;
                    }
                    FaultKind::Restart => down += i64::from(d),
                }
                k += 1;
            }
            // Capacity shares are in 0..=1, whose bit patterns order as the values do.
            let share = capacity.first().map_or(1.0, f64::from_bits);
            let state = FaultState {
                capacity_share: share,
                slow: slow.value(),
                error_rate: (1.0 - errors_ok.value()).clamp(0.0, 1.0),
                load: load.value().min(MAX_LOAD_FACTOR),
                down: down > 0,
            };
            match segments.last_mut() {
                Some(last) if last.0 == t => last.1 = state,
                _ => segments.push((t, state)),
            }
            if load_changed {
                load_edges.push(t);
            }
        }
        // 128-bit, as every sort in the engine (the page carries one unstable sorting routine).
        let mut times: Vec<u128> = faults.iter().filter(|f| f.kind == FaultKind::Restart).map(|f| u128::from(SimTime::from_secs_f64(f.start_s).0)).collect();
        times.sort_unstable();
        times.dedup();
        let restarts: Vec<SimTime> = times.into_iter().map(|t| SimTime(t as u64)).collect();
        let work = std::cell::Cell::new(edges.len() as u64);
        Timeline { segments, restarts, load_edges, work }
    }

    /// What faults do at `t`.
    pub fn at(&self, t: SimTime) -> FaultState {
        self.count_probes(self.segments.len());
        let i = self.segments.partition_point(|(from, _)| *from <= t);
        self.segments.get(i.wrapping_sub(1)).map_or(FaultState::NONE, |s| s.1)
    }

    /// Whether a restart happens at exactly `t`.
    pub fn restarts_at(&self, t: SimTime) -> bool {
        self.count_probes(self.restarts.len());
        self.restarts.binary_search(&t).is_ok()
    }

    /// The first instant after `t` at which the load factor changes, if any.
    pub fn next_load_change(&self, t: SimTime) -> Option<SimTime> {
        self.count_probes(self.load_edges.len());
        self.load_edges.get(self.load_edges.partition_point(|e| *e <= t)).copied()
    }

    /// Work done so far (edges compiled and search probes).
    pub fn work(&self) -> u64 {
        self.work.get()
    }

    fn count_probes(&self, n: usize) {
        self.work.set(self.work.get() + u64::from(usize::BITS - n.leading_zeros()));
    }

    /// Whether any fault changes the load.
    pub fn has_load(&self) -> bool {
        !self.load_edges.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(kind: FaultKind, s: f64, e: f64, value: f64) -> Fault {
        Fault { kind, start_s: s, end_s: e, value }
    }

    #[test]
    fn overlapping_faults_combine_and_leave_cleanly() {
        let t = Timeline::new(&[
            fault(FaultKind::Capacity, 5.0, 10.0, 0.5),
            fault(FaultKind::Capacity, 7.0, 8.0, 0.0),
            fault(FaultKind::Slow, 6.0, 9.0, 2.0),
            fault(FaultKind::Slow, 6.0, 7.0, 3.0),
            fault(FaultKind::Errors, 1.0, 2.0, 0.5),
            fault(FaultKind::Errors, 1.5, 2.0, 0.5),
            fault(FaultKind::Load, 20.0, 30.0, 0.0),
            fault(FaultKind::Restart, 40.0, 41.0, 0.0),
            fault(FaultKind::Restart, 50.0, 50.0, 0.0),
        ]);
        let at = |s: f64| t.at(SimTime::from_secs_f64(s));
        assert_eq!(at(0.0), FaultState::NONE);
        assert!((at(1.7).error_rate - 0.75).abs() < 1e-12);
        assert_eq!(at(2.0).error_rate, 0.0);
        assert_eq!(at(6.5).capacity_share, 0.5);
        assert!((at(6.5).slow - 6.0).abs() < 1e-9);
        assert_eq!(at(7.5).capacity_share, 0.0);
        assert!((at(8.5).slow - 2.0).abs() < 1e-9);
        assert_eq!(at(8.5).capacity_share, 0.5);
        assert_eq!(at(10.0), FaultState::NONE);
        assert_eq!(at(25.0).load, 0.0);
        assert_eq!(at(30.0).load, 1.0);
        assert!(at(40.5).down && !at(41.0).down);
        assert!(t.restarts_at(SimTime::from_secs(50)) && t.restarts_at(SimTime::from_secs(40)));
        assert_eq!(t.next_load_change(SimTime::from_secs(21)), Some(SimTime::from_secs(30)));
    }

    #[test]
    fn overlapping_load_spikes_are_capped() {
        let t = Timeline::new(&[fault(FaultKind::Load, 0.0, 60.0, 1_000.0), fault(FaultKind::Load, 0.0, 60.0, 1_000.0)]);
        assert_eq!(t.at(SimTime::from_secs(1)).load, MAX_LOAD_FACTOR);
        // A pile of overlapping slowdowns stays finite and leaves exactly 1 when it ends.
        let many: Vec<Fault> = (0..1_000).map(|i| fault(FaultKind::Slow, f64::from(i) * 0.001, 10.0, 1.001)).collect();
        let t = Timeline::new(&many);
        assert!((t.at(SimTime::from_secs(5)).slow - 1.001f64.powi(1_000)).abs() < 1e-6);
        assert_eq!(t.at(SimTime::from_secs(10)), FaultState::NONE);
    }
}
