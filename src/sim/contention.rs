//! Brooker's 2015 contention experiment ("Exponential Backoff And Jitter", AWS Architecture
//! Blog), reproduced as its own mode.
//!
//! N clients start at t = 0. Each reads one record, then writes it under optimistic
//! concurrency: the write succeeds only if no other write committed since this client's read.
//! A failed write makes the client back off and start over from the read; a client stops after
//! its first successful write.
//!
//! ```text
//!   client ──read──► record ──version v──► client ──write(if v)──► record
//!      ▲                                                              │
//!      └──── backoff(n) ◄──── conflict: someone committed since v ◄───┘
//! ```
//!
//! Every one-way message takes `|Normal(10 ms, 2 ms)|`; backoff has base 5 ms and cap 2,000 ms
//! and, as in Brooker's simulator, the first retry uses n = 1. Measured per run: *calls* (writes
//! sent, the work the record had to do) and *completion time* (when the last client's
//! successful write response arrived). Without jitter, clients that collide back off in
//! lockstep and collide again; jitter breaks the lockstep, and full jitter does the least work.

use super::backoff::Backoff;
use super::config::{BackoffKind, JitterKind};
use super::rng::Stream;
use super::time::SimTime;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;

/// The strategies Brooker compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Retry at once.
    NoBackoff,
    /// Capped exponential backoff, no jitter.
    Exponential,
    /// Exponential with full jitter.
    Full,
    /// Exponential with equal jitter.
    Equal,
    /// Decorrelated jitter.
    Decorrelated,
}

impl Strategy {
    pub const ALL: [Strategy; 5] = [Strategy::NoBackoff, Strategy::Exponential, Strategy::Full, Strategy::Equal, Strategy::Decorrelated];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::NoBackoff => "none",
            Strategy::Exponential => "exponential",
            Strategy::Full => "full",
            Strategy::Equal => "equal",
            Strategy::Decorrelated => "decorrelated",
        }
    }

    pub fn parse(s: &str) -> Result<Strategy, String> {
        Strategy::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown strategy '{}': use one of none, exponential, full, equal, decorrelated", super::params::quote(s, 40)))
    }

    fn backoff(self, base: SimTime, cap: SimTime) -> Backoff {
        let (kind, jitter) = match self {
            Strategy::NoBackoff => (BackoffKind::None, JitterKind::None),
            Strategy::Exponential => (BackoffKind::Exponential, JitterKind::None),
            Strategy::Full => (BackoffKind::Exponential, JitterKind::Full),
            Strategy::Equal => (BackoffKind::Exponential, JitterKind::Equal),
            Strategy::Decorrelated => (BackoffKind::Exponential, JitterKind::Decorrelated),
        };
        Backoff { kind, jitter, base: base.0, cap: cap.0 }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The experiment's constants (Brooker's by default).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ContentionParams {
    /// Backoff base. Default 5 ms.
    pub base: SimTime,
    /// Backoff cap. Default 2,000 ms.
    pub cap: SimTime,
    /// Mean one-way delay, ms. Default 10.
    pub delay_mean_ms: f64,
    /// Standard deviation of the one-way delay, ms. Default 2.
    pub delay_sd_ms: f64,
}

impl Default for ContentionParams {
    fn default() -> Self {
        ContentionParams { base: SimTime::from_millis(5), cap: SimTime::from_millis(2_000), delay_mean_ms: 10.0, delay_sd_ms: 2.0 }
    }
}

/// One run's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RunResult {
    /// Writes sent.
    pub calls: u64,
    /// When the last client's successful write response arrived.
    pub completion: SimTime,
    /// Events handled (for throughput measurements).
    pub events: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// A read reaches the record.
    ReadArrives,
    /// The read's response reaches the client, which sends its write.
    ReadReturns,
    /// A write reaches the record.
    WriteArrives,
    /// A write's response reaches the client.
    WriteReturns { ok: bool },
    /// The client's backoff is over: read again.
    Wake,
}

/// Runs the experiment once with `clients` clients.
pub fn run_once(strategy: Strategy, clients: u32, params: &ContentionParams, rng: &mut Stream) -> RunResult {
    let backoff = strategy.backoff(params.base, params.cap);
    let delay = |rng: &mut Stream| {
        let ms = (params.delay_mean_ms + params.delay_sd_ms * rng.normal()).abs();
        SimTime::from_millis_f64(ms)
    };
    let n = clients as usize;
    let mut version: u64 = 0;
    let mut read_version = vec![0u64; n];
    let mut failures = vec![0u32; n];
    let mut previous: Vec<Option<u64>> = vec![None; n];
    let mut heap = BinaryHeap::with_capacity(n);
    let mut seq: u64 = 0;
    for c in 0..n {
        seq += 1;
        heap.push(Reverse((delay(rng), seq, c, Step::ReadArrives)));
    }
    let mut calls = 0;
    let mut events = 0;
    let mut completion = SimTime::ZERO;
    while let Some(Reverse((t, _, c, step))) = heap.pop() {
        events += 1;
        let next = match step {
            Step::ReadArrives => {
                read_version[c] = version;
                Some((t.saturating_add(delay(rng)), Step::ReadReturns))
            }
            Step::ReadReturns => {
                calls += 1;
                Some((t.saturating_add(delay(rng)), Step::WriteArrives))
            }
            Step::WriteArrives => {
                let ok = version == read_version[c];
                if ok {
                    version += 1;
                }
                Some((t.saturating_add(delay(rng)), Step::WriteReturns { ok }))
            }
            Step::WriteReturns { ok: true } => {
                completion = completion.max(t);
                None
            }
            Step::WriteReturns { ok: false } => {
                failures[c] += 1;
                // Brooker's simulator counts from 1 for the first retry.
                let sleep = SimTime(backoff.delay(failures[c], &mut previous[c], rng));
                Some((t.saturating_add(sleep), Step::Wake))
            }
            Step::Wake => Some((t.saturating_add(delay(rng)), Step::ReadArrives)),
        };
        if let Some((at, step)) = next {
            seq += 1;
            heap.push(Reverse((at, seq, c, step)));
        }
    }
    RunResult { calls, completion, events }
}

/// One point of a sweep: a strategy at a client count, averaged over runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SweepRow {
    pub strategy: Strategy,
    pub clients: u32,
    pub mean_calls: f64,
    pub mean_time_ms: f64,
    pub runs: u32,
}

/// Runs every strategy at every client count, `runs` times each. Run r at a client count uses
/// the same random stream for every strategy, so strategies are compared on equal footing.
pub fn sweep(strategies: &[Strategy], clients: &[u32], runs: u32, seed: u64, params: &ContentionParams) -> Vec<SweepRow> {
    let mut rows = Vec::new();
    for &strategy in strategies {
        for &n in clients {
            let (mut calls, mut time) = (0u64, 0f64);
            for r in 0..runs {
                let mut rng = Stream::new(seed, &format!("contention/{n}/{r}"));
                let res = run_once(strategy, n, params, &mut rng);
                calls += res.calls;
                time += res.completion.as_millis_f64();
            }
            let runs_f = f64::from(runs.max(1));
            rows.push(SweepRow { strategy, clients: n, mean_calls: calls as f64 / runs_f, mean_time_ms: time / runs_f, runs });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_writes_once() {
        let mut rng = Stream::new(1, "t");
        let r = run_once(Strategy::Full, 1, &ContentionParams::default(), &mut rng);
        assert_eq!(r.calls, 1);
        // Four one-way messages of about 10 ms.
        assert!(r.completion > SimTime::from_millis(20) && r.completion < SimTime::from_millis(70));
    }

    #[test]
    fn every_client_finishes_and_n_clients_need_at_least_n_writes() {
        for s in Strategy::ALL {
            let mut rng = Stream::new(2, "t");
            let r = run_once(s, 20, &ContentionParams::default(), &mut rng);
            assert!(r.calls >= 20, "{s}: {}", r.calls);
        }
    }
}
