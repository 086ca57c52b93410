//! What the engine measures: per fixed window of simulated time, and for the whole run.
//!
//! Counters are exact. Queue depth and busy workers are integrated over time, so averages are
//! time averages, not averages of samples. Latency percentiles of a window are exact over that
//! window's successes up to [`EXACT_SAMPLES`] of them; past that (a long window at a high
//! rate) they come from a log-linear histogram with 128 buckets per power of two, within
//! 0.8 % of the exact value, so a window's memory is bounded whatever its width and rate. The
//! whole run's percentiles come from the same kind of histogram, and its mean is exact.
//!
//! Memory is bounded: at most `max_windows` windows are kept. When the history is full, pairs
//! of old windows merge into one twice as wide and new windows are twice as wide from then on
//! (counters and time integrals add exactly; a merged window reports the larger of the two
//! percentiles, the conservative reading).

use super::breaker::BreakerState;
use super::time::SimTime;
use serde::Serialize;

/// Event counts. Per window they count what happened in it; in the summary, in the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// New requests' first attempts (the offered load).
    pub first_attempts: u64,
    /// Retry attempts sent.
    pub retries: u64,
    /// Attempts that reached the server.
    pub server_arrivals: u64,
    /// Attempts the server queued or started.
    pub accepted: u64,
    /// Attempts rejected because the queue was full.
    pub rejected_queue_full: u64,
    /// Attempts rejected by the server's throttle.
    pub rejected_throttle: u64,
    /// Queued attempts skipped because their client had already timed out (deadline dropping).
    pub dropped_expired: u64,
    /// Retries not sent because the request had used all its attempts.
    pub suppressed_max_attempts: u64,
    /// Retries not sent because the retry quota could not pay.
    pub suppressed_quota: u64,
    /// Calls (first attempts or retries) failed fast by an open circuit breaker.
    pub suppressed_breaker: u64,
    /// Retries not sent because the retry budget (a share of requests) was spent.
    pub suppressed_budget: u64,
    /// Retries not sent because gRPC retry throttling had half its tokens or fewer.
    pub suppressed_grpc: u64,
    /// Attempts the client rejected locally (client-side adaptive throttling).
    pub rejected_client: u64,
    /// Failures not retried because that kind of failure is not retried.
    pub not_retryable: u64,
    /// Requests or attempts shed because the live cap was reached.
    pub shed_live_cap: u64,
    /// Attempts the server finished serving.
    pub completions: u64,
    /// Successful responses a client was still waiting for.
    pub useful: u64,
    /// Work served for a client that had already timed out.
    pub wasted: u64,
    /// Served attempts that failed with an error.
    pub errors: u64,
    /// Attempts failed by a server restart: reset while queued or in service, or refused while down.
    pub resets: u64,
    /// Requests that succeeded.
    pub successes: u64,
    /// Requests that failed for good (gave up).
    pub failures: u64,
    /// Attempt timeouts at the client.
    pub timeouts: u64,
    /// Sum of successful requests' end-to-end latency, microseconds.
    pub latency_sum_us: u64,
    /// Largest successful request's end-to-end latency, microseconds.
    pub latency_max_us: u64,
    /// Successful requests that took longer than one attempt's timeout (the timeout of the calls
    /// into this tier when they succeeded): a request retried after a timeout, an error or a
    /// throttle, or one that waited for the client's own rate limiter. One attempt alone never
    /// succeeds late: its timeout ends it first.
    pub late: u64,
}

impl Counters {
    /// Attempts sent: first attempts plus retries.
    pub fn attempts(&self) -> u64 {
        self.first_attempts + self.retries
    }

    /// Adds `o`'s counts to these (the latency maximum takes the larger).
    pub fn add(&mut self, o: &Counters) {
        self.first_attempts += o.first_attempts;
        self.retries += o.retries;
        self.server_arrivals += o.server_arrivals;
        self.accepted += o.accepted;
        self.rejected_queue_full += o.rejected_queue_full;
        self.rejected_throttle += o.rejected_throttle;
        self.dropped_expired += o.dropped_expired;
        self.suppressed_max_attempts += o.suppressed_max_attempts;
        self.suppressed_quota += o.suppressed_quota;
        self.suppressed_breaker += o.suppressed_breaker;
        self.suppressed_budget += o.suppressed_budget;
        self.suppressed_grpc += o.suppressed_grpc;
        self.rejected_client += o.rejected_client;
        self.not_retryable += o.not_retryable;
        self.shed_live_cap += o.shed_live_cap;
        self.completions += o.completions;
        self.useful += o.useful;
        self.wasted += o.wasted;
        self.errors += o.errors;
        self.resets += o.resets;
        self.successes += o.successes;
        self.failures += o.failures;
        self.timeouts += o.timeouts;
        self.latency_sum_us += o.latency_sum_us;
        self.latency_max_us = self.latency_max_us.max(o.latency_max_us);
        self.late += o.late;
    }
}

/// Values read at an instant: what a window reports at its end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Gauges {
    /// Requests waiting in the queue.
    pub queue: u32,
    /// Workers serving.
    pub busy: u32,
    /// Workers available (configured less any capacity fault).
    pub capacity: u32,
    /// Retry-quota tokens, when the quota is on.
    pub tokens: Option<f64>,
    /// Breaker state, when the breaker is on.
    pub breaker: Option<BreakerState>,
    /// Adaptive mode's allowed send rate per second, once it is limiting.
    pub send_rate: Option<f64>,
    /// gRPC retry throttling's tokens, when it is on.
    pub grpc_tokens: Option<f64>,
}

/// One window of simulated time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Window {
    pub start: SimTime,
    pub width: SimTime,
    pub counts: Counters,
    /// Longest queue seen.
    pub queue_max: u32,
    /// Time integral of queue length, request·µs (saturating).
    pub queue_area: u64,
    /// Time integral of busy workers, worker·µs.
    pub busy_area: u64,
    /// Time integral of available workers, worker·µs.
    pub capacity_area: u64,
    /// Successful requests' latency percentiles in this window, microseconds (0 when none).
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    /// Gauges at the window's end.
    pub end: Gauges,
}

impl Window {
    fn new(start: SimTime, width: SimTime) -> Window {
        Window {
            start,
            width,
            counts: Counters::default(),
            queue_max: 0,
            queue_area: 0,
            busy_area: 0,
            capacity_area: 0,
            p50_us: 0,
            p90_us: 0,
            p99_us: 0,
            end: Gauges::default(),
        }
    }

    pub fn end_time(&self) -> SimTime {
        self.start.saturating_add(self.width)
    }

    /// Whether the window lies inside [`from_s`, `to_s`] seconds (a window ending exactly at
    /// `to_s` counts, whatever the float rounding of its end).
    pub fn within(&self, from_s: f64, to_s: f64) -> bool {
        self.start.as_secs_f64() >= from_s && self.end_time().as_secs_f64() <= to_s + 1e-9
    }

    fn secs(&self) -> f64 {
        self.width.as_secs_f64().max(1e-9)
    }

    /// First attempts per second: the offered load.
    pub fn offered_per_s(&self) -> f64 {
        self.counts.first_attempts as f64 / self.secs()
    }
    /// Retries per second.
    pub fn retries_per_s(&self) -> f64 {
        self.counts.retries as f64 / self.secs()
    }
    /// Successful requests per second.
    pub fn goodput_per_s(&self) -> f64 {
        self.counts.successes as f64 / self.secs()
    }
    /// Timeouts per second.
    pub fn timeouts_per_s(&self) -> f64 {
        self.counts.timeouts as f64 / self.secs()
    }
    /// Attempts sent ÷ first attempts (1 = no retries); 0 when there were no first attempts.
    pub fn amplification(&self) -> f64 {
        ratio(self.counts.attempts(), self.counts.first_attempts)
    }
    /// Time-average queue length.
    pub fn queue_avg(&self) -> f64 {
        self.queue_area as f64 / self.width.0.max(1) as f64
    }
    /// Busy share of available workers, 0 to 1 (0 when there were none).
    pub fn utilisation(&self) -> f64 {
        if self.capacity_area > 0 { self.busy_area as f64 / self.capacity_area as f64 } else { 0.0 }
    }
    /// Mean latency of the window's successes, microseconds.
    pub fn latency_mean_us(&self) -> f64 {
        ratio(self.counts.latency_sum_us, self.counts.successes)
    }

    /// Folds the window right after this one into it.
    pub fn merge(&mut self, later: &Window) {
        self.width = later.end_time().saturating_sub(self.start);
        self.counts.add(&later.counts);
        self.queue_max = self.queue_max.max(later.queue_max);
        self.queue_area = self.queue_area.saturating_add(later.queue_area);
        self.busy_area = self.busy_area.saturating_add(later.busy_area);
        self.capacity_area = self.capacity_area.saturating_add(later.capacity_area);
        self.p50_us = self.p50_us.max(later.p50_us);
        self.p90_us = self.p90_us.max(later.p90_us);
        self.p99_us = self.p99_us.max(later.p99_us);
        self.end = later.end;
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;
const MAX_EXP: u32 = 42; // 2^42 µs ≈ 51 days: beyond any run.

/// A log-linear histogram of microsecond values.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    sum: u128,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram { counts: vec![0; ((MAX_EXP - SUB_BITS + 2) as u64 * SUB) as usize], total: 0, sum: 0, max: 0 }
    }
}

impl Histogram {
    fn index(v: u64) -> usize {
        if v < SUB {
            return v as usize;
        }
        let e = (63 - v.leading_zeros()).min(MAX_EXP);
        let v = v.min((1u64 << (MAX_EXP + 1)) - 1);
        let mant = v >> (e - SUB_BITS); // in [SUB, 2·SUB)
        ((e - SUB_BITS + 1) as u64 * SUB + (mant - SUB)) as usize
    }

    /// The middle of bucket `i`.
    fn value(i: usize) -> u64 {
        let i = i as u64;
        if i < SUB {
            return i;
        }
        let e = i / SUB - 1 + u64::from(SUB_BITS);
        let mant = i % SUB + SUB;
        let shift = e - u64::from(SUB_BITS);
        (mant << shift) + ((1u64 << shift) >> 1)
    }

    /// Inlined natively (out of line, each success paid a call for it); the page keeps the
    /// compiler's choice.
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn record(&mut self, v: u64) {
        self.counts[Self::index(v)] += 1;
        self.total += 1;
        self.sum += u128::from(v);
        self.max = self.max.max(v);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// Both histograms' values together.
    pub fn merged(&self, o: &Histogram) -> Histogram {
        Histogram {
            counts: self.counts.iter().zip(&o.counts).map(|(a, b)| a + b).collect(),
            total: self.total + o.total,
            sum: self.sum + o.sum,
            max: self.max.max(o.max),
        }
    }

    pub fn mean(&self) -> f64 {
        if self.total == 0 { 0.0 } else { self.sum as f64 / self.total as f64 }
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` (0 to 1), 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        if rank >= self.total {
            return self.max;
        }
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::value(i).min(self.max);
            }
        }
        self.max
    }
}

/// Latency statistics in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencyMs {
    pub count: u64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl LatencyMs {
    pub fn of(h: &Histogram) -> LatencyMs {
        LatencyMs {
            count: h.count(),
            mean: h.mean() / 1e3,
            p50: h.quantile(0.5) as f64 / 1e3,
            p90: h.quantile(0.9) as f64 / 1e3,
            p99: h.quantile(0.99) as f64 / 1e3,
            max: h.max() as f64 / 1e3,
        }
    }
}

/// The whole run in one record, in user units.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Simulated seconds covered.
    pub duration_s: f64,
    pub counts: Counters,
    /// Successful requests per second.
    pub goodput_per_s: f64,
    /// Successes ÷ first attempts.
    pub success_share: f64,
    /// Attempts ÷ first attempts.
    pub amplification: f64,
    /// End-to-end latency of successful requests (first send to success).
    pub latency_ms: LatencyMs,
    /// Latency of single attempts, from send to any response.
    pub attempt_latency_ms: LatencyMs,
    pub queue_max: u32,
    /// Time-average queue length.
    pub queue_avg: f64,
    /// Busy share of available workers.
    pub utilisation: f64,
    /// Whether the live cap ever shed work (then results understate the real load).
    pub live_cap_reached: bool,
}

/// Successes per window kept for exact percentiles; beyond this the window's percentiles come
/// from a fixed-size histogram (relative error under 0.8 %).
pub const EXACT_SAMPLES: usize = 4_096;

/// The engine's measurement state.
#[derive(Clone, Debug)]
pub struct Metrics {
    width: SimTime,
    max_windows: usize,
    windows: Vec<Window>,
    current: Window,
    samples: Vec<u64>,
    /// The current window's latencies once `samples` would pass [`EXACT_SAMPLES`].
    spill: Option<Box<Histogram>>,
    last_t: SimTime,
    totals: Counters,
    /// The whole run's latencies in three parts, so that the common case, a success at its
    /// first attempt (which took as long as its request), is recorded once and not twice:
    /// successes are `first_try` and `retried`, attempts `first_try` and `other_attempts`.
    first_try: Histogram,
    retried: Histogram,
    other_attempts: Histogram,
    queue_max: u32,
    queue_area: f64,
    busy_area: f64,
    capacity_area: f64,
}

impl Metrics {
    /// Windows `width` wide, at most `max_windows` kept; `horizon` is how long the run is
    /// planned to be, so that the history is sized once (growing it by doubling copied every
    /// closed window again: 1.2 % of the retry storm, in instructions).
    pub fn new(width: SimTime, max_windows: usize, horizon: SimTime) -> Metrics {
        let width = width.max(SimTime(1));
        let max_windows = max_windows.max(2);
        let planned = usize::try_from(horizon.0 / width.0).unwrap_or(usize::MAX).saturating_add(1);
        Metrics {
            width,
            max_windows,
            windows: Vec::with_capacity(planned.min(max_windows)),
            current: Window::new(SimTime::ZERO, width),
            samples: Vec::new(),
            spill: None,
            last_t: SimTime::ZERO,
            totals: Counters::default(),
            first_try: Histogram::default(),
            retried: Histogram::default(),
            other_attempts: Histogram::default(),
            queue_max: 0,
            queue_area: 0.0,
            busy_area: 0.0,
            capacity_area: 0.0,
        }
    }

    /// Bytes the measurements hold: windows, the open window's samples, the histograms.
    pub fn bytes(&self) -> usize {
        let hist = |h: &Histogram| h.counts.capacity() * 8;
        self.windows.capacity() * std::mem::size_of::<Window>()
            + self.samples.capacity() * 8
            + self.spill.as_ref().map_or(0, |h| hist(h))
            + hist(&self.first_try)
            + hist(&self.retried)
            + hist(&self.other_attempts)
    }

    /// When the open window ends: the engine closes windows before handling an event at or after it.
    #[inline]
    pub fn window_end(&self) -> SimTime {
        self.current.end_time()
    }

    /// Closed windows, oldest first.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// The window still filling.
    pub fn current(&self) -> &Window {
        &self.current
    }

    /// Counts for the current window; the run's totals are folded in as windows close.
    #[inline]
    pub fn c(&mut self) -> &mut Counters {
        &mut self.current.counts
    }

    /// Closes every window that ends at or before `t`, reading `g` as the gauges at each end.
    pub fn close_until(&mut self, t: SimTime, g: &Gauges) {
        while t >= self.current.end_time() {
            let end = self.current.end_time();
            self.integrate(end, g.queue, g.busy, g.capacity);
            self.close_current(g);
        }
    }

    /// Adds the time since the last call, at constant levels, to the open window.
    #[inline]
    pub fn integrate(&mut self, t: SimTime, queue: u32, busy: u32, capacity: u32) {
        // Integer areas: no float conversions on the hot path, exact sums; and no branch (a
        // time that does not move adds nothing), as this runs for every tier on every event.
        let dt = t.0.saturating_sub(self.last_t.0);
        // Cannot overflow: a window spans at most a few days (8.6e10 µs × a few) and levels
        // are at most 10^7 (the live cap) or 10^4 (workers), far below 2^64 together.
        let w = &mut self.current;
        w.queue_area = w.queue_area.wrapping_add(dt.wrapping_mul(u64::from(queue)));
        w.busy_area = w.busy_area.wrapping_add(dt.wrapping_mul(u64::from(busy)));
        // Workers still finishing work after a capacity drop count as available.
        w.capacity_area = w.capacity_area.wrapping_add(dt.wrapping_mul(u64::from(capacity.max(busy))));
        self.last_t = self.last_t.max(t);
    }

    #[inline]
    pub fn note_queue(&mut self, len: u32) {
        if len > self.current.queue_max {
            self.current.queue_max = len;
        }
    }

    /// A request succeeded after `latency`; `first_try`: at its only attempt, which took as
    /// long (that attempt is then counted here, and not with [`Metrics::attempt_done`]).
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn success(&mut self, latency: SimTime, first_try: bool) {
        let c = &mut self.current.counts;
        c.successes += 1;
        c.latency_sum_us += latency.0;
        c.latency_max_us = c.latency_max_us.max(latency.0);
        if first_try {
            self.first_try.record(latency.0);
        } else {
            self.retried.record(latency.0);
        }
        // The common case is one comparison; a full window (the samples stay full once
        // spilled) takes the cold path.
        if self.samples.len() < EXACT_SAMPLES {
            self.samples.push(latency.0);
        } else {
            self.spill_record(latency.0);
        }
    }

    #[cold]
    fn spill_record(&mut self, v: u64) {
        let samples = &self.samples;
        self.spill
            .get_or_insert_with(|| {
                let mut h = Box::<Histogram>::default();
                for &x in samples {
                    h.record(x);
                }
                h
            })
            .record(v);
    }

    /// An attempt got a response (of any kind) after `latency`.
    #[inline]
    pub fn attempt_done(&mut self, latency: SimTime) {
        self.other_attempts.record(latency.0);
    }

    fn close_current(&mut self, g: &Gauges) {
        let w = &mut self.current;
        if let Some(h) = self.spill.take() {
            w.p50_us = h.quantile(0.5);
            w.p90_us = h.quantile(0.9);
            w.p99_us = h.quantile(0.99);
            self.samples.clear();
        } else if !self.samples.is_empty() {
            let n = self.samples.len();
            let rank = |q: f64| (((q * n as f64).ceil() as usize).max(1) - 1).min(n - 1);
            // The median first, over everything; then each higher rank in the part above the
            // last one found, which is no smaller: half, then a tenth of the samples (a third
            // fewer comparisons than selecting the highest rank first).
            let (k50, k90, k99) = (rank(0.5), rank(0.9), rank(0.99));
            w.p50_us = *self.samples.select_nth_unstable(k50).1;
            w.p90_us = *self.samples[k50..].select_nth_unstable(k90 - k50).1;
            w.p99_us = *self.samples[k90..].select_nth_unstable(k99 - k90).1;
            self.samples.clear();
        }
        w.end = *g;
        self.totals.add(&w.counts);
        self.queue_max = self.queue_max.max(w.queue_max);
        self.queue_area += w.queue_area as f64;
        self.busy_area += w.busy_area as f64;
        self.capacity_area += w.capacity_area as f64;
        let next_start = w.end_time();
        let mut next_q = Window::new(next_start, self.width);
        next_q.queue_max = g.queue;
        let closed = std::mem::replace(&mut self.current, next_q);
        self.windows.push(closed);
        if self.windows.len() >= self.max_windows {
            self.coarsen();
        }
    }

    /// Merges pairs of windows, halving the history, and doubles the width of new windows.
    fn coarsen(&mut self) {
        let old = std::mem::replace(&mut self.windows, Vec::with_capacity(self.max_windows));
        let mut it = old.into_iter();
        while let Some(mut a) = it.next() {
            if let Some(b) = it.next() {
                a.merge(&b);
            }
            self.windows.push(a);
        }
        self.width = SimTime(self.width.0.saturating_mul(2));
        // The open window keeps its start and takes the new width.
        self.current.width = self.width;
    }

    /// The run so far, up to `now` (the open window included).
    pub fn summary(&self, now: SimTime, live_cap_reached: bool) -> Summary {
        let mut c = self.totals;
        c.add(&self.current.counts);
        let secs = now.as_secs_f64();
        let busy = self.busy_area + self.current.busy_area as f64;
        let cap = self.capacity_area + self.current.capacity_area as f64;
        Summary {
            duration_s: secs,
            counts: c,
            goodput_per_s: if secs > 0.0 { c.successes as f64 / secs } else { 0.0 },
            success_share: ratio(c.successes, c.first_attempts),
            amplification: ratio(c.attempts(), c.first_attempts),
            latency_ms: LatencyMs::of(&self.first_try.merged(&self.retried)),
            attempt_latency_ms: LatencyMs::of(&self.first_try.merged(&self.other_attempts)),
            queue_max: self.queue_max.max(self.current.queue_max),
            queue_avg: (self.queue_area + self.current.queue_area as f64) / now.0.max(1) as f64,
            utilisation: if cap > 0.0 { busy / cap } else { 0.0 },
            live_cap_reached,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_try_success_counts_once_for_requests_and_for_attempts() {
        let mut m = Metrics::new(SimTime::from_secs(1), 10, SimTime::ZERO);
        let (mut requests, mut attempts) = (Histogram::default(), Histogram::default());
        for i in 1..500u64 {
            let took = SimTime(i * 13);
            if i % 3 == 0 {
                // A retried success: an earlier attempt failed, and the request took longer.
                m.attempt_done(SimTime(i));
                attempts.record(i);
                m.attempt_done(took);
                attempts.record(took.0);
                m.success(SimTime(took.0 + i), false);
                requests.record(took.0 + i);
            } else {
                m.success(took, true);
                requests.record(took.0);
                attempts.record(took.0);
            }
        }
        let s = m.summary(SimTime::from_secs(1), false);
        assert_eq!(s.latency_ms, LatencyMs::of(&requests));
        assert_eq!(s.attempt_latency_ms, LatencyMs::of(&attempts));
    }

    #[test]
    fn histogram_quantiles_are_within_one_percent() {
        let mut h = Histogram::default();
        for v in 1..=100_000u64 {
            h.record(v * 10);
        }
        for (q, want) in [(0.5, 500_000.0), (0.9, 900_000.0), (0.99, 990_000.0)] {
            let got = h.quantile(q) as f64;
            assert!((got - want).abs() / want < 0.01, "q{q}: {got} vs {want}");
        }
        assert_eq!(h.max(), 1_000_000);
        assert!((h.mean() - 500_005.0).abs() < 1e-6);
        let mut huge = Histogram::default();
        huge.record(u64::MAX);
        assert_eq!(huge.quantile(1.0), u64::MAX);
    }

    #[test]
    fn a_window_with_more_successes_than_kept_stays_bounded_and_close() {
        let mut m = Metrics::new(SimTime::from_secs(3_600), 16, SimTime::ZERO);
        let n = 200_000u64;
        for i in 1..=n {
            m.success(SimTime(i * 7), true);
        }
        assert!(m.samples.capacity() <= EXACT_SAMPLES, "kept {}", m.samples.capacity());
        m.close_until(SimTime::from_secs(3_600), &Gauges::default());
        let w = &m.windows()[0];
        for (got, q) in [(w.p50_us, 0.5), (w.p90_us, 0.9), (w.p99_us, 0.99)] {
            let want = q * (n * 7) as f64;
            assert!((got as f64 - want).abs() / want < 0.008, "q{q}: {got} vs {want}");
        }
    }

    #[test]
    fn windows_close_integrate_and_coarsen() {
        let mut m = Metrics::new(SimTime::from_millis(100), 4, SimTime::ZERO);
        let g = Gauges { queue: 2, busy: 1, capacity: 2, ..Gauges::default() };
        m.c().first_attempts += 3;
        m.close_until(SimTime::from_millis(350), &g);
        // Windows at 0, 100 and 200 closed; the fourth would have filled the history.
        assert_eq!(m.windows().len(), 3);
        assert_eq!(m.windows()[0].counts.first_attempts, 3);
        assert!((m.windows()[1].queue_avg() - 2.0).abs() < 1e-9);
        assert!((m.windows()[1].utilisation() - 0.5).abs() < 1e-9);
        m.close_until(SimTime::from_millis(400), &g);
        assert_eq!(m.windows().len(), 2, "4 windows merged into 2");
        assert_eq!(m.windows()[0].width, SimTime::from_millis(200));
        assert_eq!(m.windows()[1].end_time(), SimTime::from_millis(400));
        assert_eq!(m.current().width, SimTime::from_millis(200));
        let s = m.summary(SimTime::from_millis(400), false);
        assert_eq!(s.counts.first_attempts, 3);
        assert!((s.queue_avg - 2.0).abs() < 1e-9);
    }
}
