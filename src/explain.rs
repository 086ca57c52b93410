//! Pure helpers behind the page's explanations: the headline verdict (healthy, degraded,
//! overloaded, collapsed) and the delay explorer's numbers. No web code, so they are tested natively.

use crate::sim::rng::Stream;
use crate::sim::{Backoff, ClientConfig, Config, Counters, SimTime, Window};

/// What the recent past looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Not enough simulated time yet to judge: less than one verdict span has passed and no
    /// more than a tenth of the attempts so far have failed.
    Starting,
    /// No requests at all in the span, and nothing waiting.
    Idle,
    /// At least 90 % of requests succeed (or almost no attempt fails), users get their answers
    /// within their timeout, and the queue holds steady.
    Healthy,
    /// Requests still succeed, but users suffer: they wait past their timeout, requests pile
    /// up unanswered, or the queue keeps growing.
    Degraded(Degradation),
    /// Many requests fail or time out.
    Overloaded,
    /// Goodput near zero while retries keep the service busy, after every fault has ended:
    /// the failure is sustaining itself (metastable).
    Collapsed,
}

/// What users suffer in a [`Health::Degraded`] span, the first that holds in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Degradation {
    /// One success in a hundred or more took longer than the callers' timeout.
    PastTimeout,
    /// Every worker busy while the queue climbs (over the last three spans, by more than three
    /// times the workers, counted as at least 10).
    QueueGrowing,
    /// Fewer than 90 % of requests were answered, though few failed: the rest wait (for the
    /// client's own rate limiter, or behind a queue).
    Unanswered,
}

impl Health {
    pub fn label(self) -> &'static str {
        match self {
            Health::Starting => "starting",
            Health::Idle => "idle (no load)",
            Health::Healthy => "healthy",
            Health::Degraded(Degradation::PastTimeout) => "degraded: users wait past their timeout",
            Health::Degraded(Degradation::Unanswered) => "degraded: requests pile up unanswered",
            Health::Degraded(Degradation::QueueGrowing) => "degraded: the queue keeps growing",
            Health::Overloaded => "overloaded",
            Health::Collapsed => "collapsed (metastable: the trigger is gone, the failure is not)",
        }
    }

    /// A short class name for styling.
    pub fn class(self) -> &'static str {
        match self {
            Health::Starting => "starting",
            Health::Idle => "idle",
            Health::Healthy => "healthy",
            Health::Degraded(_) => "degraded",
            Health::Overloaded => "overloaded",
            Health::Collapsed => "collapsed",
        }
    }
}

/// Tier `t` of `cfg` as the page names it: "the edge" (what users call), "tier 2, the
/// bottom", "tier 1".
pub fn tier_name(cfg: &Config, t: usize) -> String {
    let bottom = cfg.tiers.len();
    match t {
        // The strip calls it the edge whatever the number of tiers.
        0 => "the edge".to_string(),
        t if t == bottom => format!("tier {t}, the bottom"),
        t => format!("tier {t}"),
    }
}

/// Who calls tier `t`: the users for the edge, the edge for tier 1, the tier above for any other.
pub fn tier_callers(t: usize) -> String {
    match t {
        0 => "the users".to_string(),
        1 => "the edge".to_string(),
        t => format!("tier {}", t - 1),
    }
}

/// The trailing span of simulated time verdicts and recovery are judged over: 2 s, or one
/// whole period of periodic work (so a cron spike and the quiet after it are judged together),
/// at most 120 s.
pub fn verdict_span(cfg: &Config) -> SimTime {
    let p = &cfg.load.periodic;
    let period = if p.clients > 0 { p.period_s.min(120.0) } else { 0.0 };
    SimTime::from_secs_f64(period.max(2.0))
}

/// Sums of the windows that lie inside `[from, to)`.
fn sums(windows: &[Window], from: SimTime, to: SimTime) -> Counters {
    let mut c = Counters::default();
    for w in windows.iter().filter(|w| w.start >= from && w.end_time() <= to) {
        c.add(&w.counts);
    }
    c
}

/// The faults that have started by `t` seconds, on any tier or host: the trigger a verdict and
/// a recovery judge.
fn started_faults(cfg: &Config, t: f64) -> Vec<&crate::sim::Fault> {
    cfg.faults.iter().chain(cfg.tier_faults.iter().map(|f| &f.fault)).filter(|f| f.start_s <= t).collect()
}

/// Attempts that failed in any way the client sees.
pub(crate) fn attempt_failures(c: &Counters) -> u64 {
    c.timeouts + c.rejected_queue_full + c.rejected_throttle + c.errors + c.resets + c.suppressed_breaker
}

/// The verdict over the closed windows covering the last [`verdict_span`] of simulated time.
/// Until a whole span has passed it is [`Health::Starting`]: a request sent 0.1 s into a run
/// has not had time to succeed, and judging it then would call a healthy service overloaded.
pub fn health(windows: &[Window], cfg: &Config, now: SimTime) -> Health {
    let span = verdict_span(cfg);
    if now < span {
        // Too early to call anything healthy; but failures already seen are evidence enough
        // for "overloaded" (a cron flood 5 s into a 10 s period is not "starting").
        let c = sums(windows, SimTime::ZERO, now);
        let failed = attempt_failures(&c) + c.failures;
        return if c.attempts() >= 20 && failed * 10 > c.attempts() { Health::Overloaded } else { Health::Starting };
    }
    let from = now.saturating_sub(span);
    let c = sums(windows, from, now);
    let queue = windows.last().map_or(0, |w| w.end.queue);
    if c.attempts() == 0 && c.successes == 0 && queue == 0 {
        return Health::Idle;
    }
    let offered = c.first_attempts;
    let share = if offered > 0 { c.successes as f64 / offered as f64 } else { 0.0 };
    let failing = attempt_failures(&c) + c.failures;
    if (offered > 0 && share >= 0.9) || (c.successes > 0 && failing * 20 <= c.attempts()) {
        return degradation(windows, &c, now, span).map_or(Health::Healthy, Health::Degraded);
    }
    let amplification = if offered > 0 { c.attempts() as f64 / offered as f64 } else { f64::INFINITY };
    let t = now.as_secs_f64();
    let started = started_faults(cfg, t);
    let all_over = !started.is_empty() && started.iter().all(|f| f.end_s + span.as_secs_f64() <= t);
    if share < 0.1 && amplification > 1.5 && all_over { Health::Collapsed } else { Health::Overloaded }
}

/// What users suffer in a span whose requests mostly succeed (`c` its sums), if anything:
/// successes later than the callers' timeout (one in a hundred or more); over the last three
/// spans, workers busy all the time while the queue climbed by more than three times the
/// workers (at least 10); or fewer than 90 % of requests answered, in this span and over the
/// last three.
/// A random queue swings (M/M/10 at 80 % reaches the tens), but neither keeps its requests
/// unanswered for three spans nor climbs with every worker busy.
fn degradation(windows: &[Window], c: &Counters, now: SimTime, span: SimTime) -> Option<Degradation> {
    if c.late > 0 && c.late * 100 >= c.successes {
        return Some(Degradation::PastTimeout);
    }
    let from3 = now.saturating_sub(SimTime(span.0.saturating_mul(3)));
    let queue_at = |t: SimTime| windows.iter().rev().find(|w| w.end_time() <= t).map(|w| w.end);
    if let (Some(then), Some(last)) = (queue_at(from3), queue_at(now)) {
        let three = windows.iter().filter(|w| w.start >= from3 && w.end_time() <= now);
        let (busy, cap) = three.fold((0u64, 0u64), |(b, k), w| (b + w.busy_area, k + w.capacity_area));
        let saturated = cap > 0 && busy * 100 >= cap * 95;
        let climbed = u64::from(last.queue) > u64::from(then.queue) + 3 * u64::from(last.capacity.max(10));
        if saturated && climbed {
            return Some(Degradation::QueueGrowing);
        }
    }
    // Three whole spans or none: one span alone swings at random.
    let answered = |c: &Counters| c.first_attempts == 0 || c.successes * 10 >= c.first_attempts * 9;
    let three_spans = now.0 >= span.0.saturating_mul(3);
    (three_spans && !answered(c) && !answered(&sums(windows, from3, now))).then_some(Degradation::Unanswered)
}

/// How a run stands against its trigger (its faults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Recovery {
    /// No fault has started: nothing to recover from.
    NoTrigger,
    /// A fault is still active.
    DuringTrigger,
    /// Goodput came back above 90 % of offered `after_s` seconds after the last fault ended,
    /// and has stayed there.
    Recovered { after_s: f64 },
    /// The last fault ended `since_s` seconds ago and goodput is not (or not stably) back.
    NotRecovered { since_s: f64 },
}

impl Recovery {
    /// Seconds from the end of the trigger to recovery, when recovered.
    pub fn seconds(self) -> Option<f64> {
        match self {
            Recovery::Recovered { after_s } => Some(after_s),
            _ => None,
        }
    }

    /// In words, for the headline and the CLI table.
    pub fn text(self) -> String {
        match self {
            Recovery::NoTrigger => "no trigger".into(),
            Recovery::DuringTrigger => "trigger active".into(),
            Recovery::Recovered { after_s } => format!("{after_s:.1} s after the trigger"),
            Recovery::NotRecovered { since_s } => {
                format!("not recovered ({since_s:.0} s after the trigger)")
            }
        }
    }
}

/// Time to recovery: from the end of the trigger (the last fault that has started) until
/// goodput is back above 90 % of offered. Judged over consecutive spans of [`verdict_span`]
/// from the trigger's end; the recovery point is the start of the first span from which every
/// complete span passes, so a service that recovers and falls over again is not recovered.
pub fn recovery(windows: &[Window], cfg: &Config, now: SimTime) -> Recovery {
    let t = now.as_secs_f64();
    let started = started_faults(cfg, t);
    if started.is_empty() {
        return Recovery::NoTrigger;
    }
    if started.iter().any(|f| f.end_s > t) {
        return Recovery::DuringTrigger;
    }
    let end_s = started.iter().map(|f| f.end_s).fold(0.0, f64::max);
    let span = verdict_span(cfg);
    // Each span with its counts and whether its queue ended short: what waits at the end is
    // served well inside a timeout (half of it, at the mean service time and the workers
    // available), or within one round of work when there is no timeout. (Judged by "no more
    // than one round", a burst that left 15 requests behind 10 workers, 150 ms of waiting
    // against a 1 s timeout, once put a drill's recovery at 80 s instead of 8.)
    let short_queue = |g: &crate::sim::Gauges| {
        let rounds = g.queue as f64 / g.capacity.max(1) as f64;
        match cfg.client.timeout_ms {
            Some(timeout) => rounds * cfg.server.service_ms <= 0.5 * timeout || g.queue <= g.capacity,
            None => g.queue <= g.capacity,
        }
    };
    let mut spans: Vec<(SimTime, Counters, bool)> = Vec::new();
    let mut open: Option<(SimTime, Counters, bool)> = None;
    for w in windows.iter().filter(|w| w.start >= SimTime::from_secs_f64(end_s)) {
        let (start, c, short) = open.get_or_insert((w.start, Counters::default(), true));
        c.add(&w.counts);
        *short = short_queue(&w.end);
        if w.end_time().saturating_sub(*start) >= span {
            spans.extend(open.take());
        }
    }
    // A span passes when goodput is at least 90 % of offered, or when nothing in it failed,
    // timed out or was refused and its queue ended short: successes then lag first tries only
    // by their latency (a few per cent of a 2 s span, by chance), and nobody suffered. (Judged
    // on the ratio alone, a healthy run's chance dip to 88 % once put a recovery at 84 s that
    // its own chart showed at 20.)
    let passes = |c: &Counters, short: bool| {
        let clean = attempt_failures(c) + c.failures == 0;
        if c.first_attempts == 0 { clean } else { c.successes as f64 >= 0.9 * c.first_attempts as f64 || (clean && short) }
    };
    let good_from = spans.iter().rposition(|(_, c, short)| !passes(c, *short)).map_or(0, |i| i + 1);
    match spans.get(good_from) {
        Some((start, ..)) => Recovery::Recovered { after_s: (start.as_secs_f64() - end_s).max(0.0) },
        None => Recovery::NotRecovered { since_s: t - end_s },
    }
}

/// First tries folded by when they fall within the period of periodic work: the share in
/// each of `bins` equal slices of the period, and the share in its first second (or first
/// tenth, for periods under 10 s). "A large share lands in the first second of the minute"
/// is this number.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseHistogram {
    pub period_s: f64,
    /// Share of first tries per slice, summing to 1 (empty without first tries).
    pub shares: Vec<f64>,
    /// Length of the "first second" slice the headline figure uses, seconds.
    pub head_s: f64,
    /// Share of first tries in the first `head_s` of each period.
    pub head_share: f64,
}

pub fn phase_histogram(windows: &[Window], period_s: f64, bins: usize) -> PhaseHistogram {
    let bins = bins.max(1);
    let period = period_s.max(1e-3);
    let head_s = if period >= 10.0 { 1.0 } else { period / 10.0 };
    let mut counts = vec![0u64; bins];
    let (mut head, mut total) = (0u64, 0u64);
    for w in windows {
        let n = w.counts.first_attempts;
        if n == 0 {
            continue;
        }
        let phase = w.start.as_secs_f64().rem_euclid(period);
        counts[((phase / period * bins as f64) as usize).min(bins - 1)] += n;
        if phase < head_s - 1e-9 {
            head += n;
        }
        total += n;
    }
    let share = |c: u64| if total > 0 { c as f64 / total as f64 } else { 0.0 };
    PhaseHistogram {
        period_s: period,
        shares: if total > 0 { counts.iter().map(|&c| share(c)).collect() } else { Vec::new() },
        head_s,
        head_share: share(head),
    }
}

/// How much extra load the retry policy allows at most, in words, for the headline beside the
/// amplification the run measures: max attempts always bound it; each budget bounds it more.
pub fn retry_allowance(cfg: &Config) -> String {
    let l = &cfg.limiters;
    // Max attempts bound each request; a short span can read more (its retries of requests first
    // sent before it), so the words name the unit (the hover title says why).
    let mut parts = vec![format!("≤ {} a request by max attempts", cfg.client.max_attempts)];
    if l.budget.enabled {
        parts.push(format!("≤ +{:.0} % + {}/s by the budget", 100.0 * l.budget.ratio, crate::sim::params::num(l.budget.min_per_s)));
    }
    if l.quota.enabled {
        let num = crate::sim::params::num;
        let (lo, hi) = (l.quota.retry_cost.min(l.quota.timeout_cost), l.quota.retry_cost.max(l.quota.timeout_cost));
        let cost = if lo == hi { num(lo) } else { format!("{}–{}", num(lo), num(hi)) };
        parts.push(format!("{} tokens at {cost} a retry", num(l.quota.capacity)));
    }
    if l.grpc.enabled {
        parts.push(format!("none below {} gRPC tokens", crate::sim::params::num(l.grpc.max_tokens / 2.0)));
    }
    if l.throttling.enabled {
        parts.push(format!("sends ≤ {}× accepts", crate::sim::params::num(l.throttling.k)));
    }
    parts.join("; ")
}

/// One retry's delay in the explorer.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryDelay {
    /// Retry number, 1 for the first retry.
    pub retry: u32,
    /// Smallest and largest possible delay, ms.
    pub min_ms: f64,
    pub max_ms: f64,
    /// Mean of the sampled delays, ms.
    pub mean_ms: f64,
    /// Sampled delays, ms (for the histogram).
    pub samples: Vec<f64>,
}

/// The delay explorer: each retry's range and samples, and the total time until the last
/// attempt ends when every attempt times out.
#[derive(Clone, Debug, PartialEq)]
pub struct DelayReport {
    pub retries: Vec<RetryDelay>,
    /// Every attempt takes its full timeout and every backoff its maximum, ms (`None` without a timeout).
    pub worst_total_ms: Option<f64>,
    /// Every attempt takes its full timeout and every backoff its mean, ms.
    pub expected_total_ms: Option<f64>,
}

/// Samples `per_retry` delays for each retry the policy allows, on a fixed seed.
pub fn delay_report(client: &ClientConfig, per_retry: usize) -> DelayReport {
    let b = Backoff::from_config(client);
    let mut rng = Stream::new(0, "delay-explorer");
    let retries_allowed = client.max_attempts.saturating_sub(1);
    let mut retries = Vec::new();
    // Decorrelated jitter depends on the previous sleep: sample whole histories.
    let mut histories: Vec<Option<u64>> = vec![None; per_retry];
    for n in 0..retries_allowed {
        let samples: Vec<f64> = histories.iter_mut().map(|prev| b.delay(n, prev, &mut rng) as f64 / 1e3).collect();
        let (lo, hi) = b.range(n);
        let mean = if samples.is_empty() { 0.0 } else { samples.iter().sum::<f64>() / samples.len() as f64 };
        retries.push(RetryDelay { retry: n + 1, min_ms: lo as f64 / 1e3, max_ms: hi as f64 / 1e3, mean_ms: mean, samples });
    }
    let (worst, expected) = match client.timeout_ms {
        Some(t) => {
            let attempts = f64::from(client.max_attempts);
            (Some(attempts * t + retries.iter().map(|r| r.max_ms).sum::<f64>()), Some(attempts * t + retries.iter().map(|r| r.mean_ms).sum::<f64>()))
        }
        None => (None, None),
    };
    DelayReport { retries, worst_total_ms: worst, expected_total_ms: expected }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios;
    use crate::sim::{BackoffKind, JitterKind, Sim};

    #[test]
    fn verdicts_follow_the_storm() {
        let s = scenarios::find("metastable-retry").unwrap();
        let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
        sim.advance_to(SimTime::from_millis(100), u64::MAX);
        assert_eq!(health(sim.windows(), &s.config, sim.now()), Health::Starting, "no verdict on 0.1 s of evidence");
        sim.advance_to(SimTime::from_secs(4), u64::MAX);
        assert_eq!(health(sim.windows(), &s.config, sim.now()), Health::Healthy);
        sim.advance_to(SimTime::from_secs(9), u64::MAX);
        assert_eq!(health(sim.windows(), &s.config, sim.now()), Health::Overloaded, "the crash is still on");
        assert_eq!(recovery(sim.windows(), &s.config, sim.now()), Recovery::DuringTrigger);
        sim.advance_to(SimTime::from_secs(30), u64::MAX);
        assert_eq!(health(sim.windows(), &s.config, sim.now()), Health::Collapsed);
        assert_eq!(recovery(sim.windows(), &s.config, sim.now()), Recovery::NotRecovered { since_s: 20.0 });
    }

    #[test]
    fn every_verdict_the_headline_can_show_is_reached() {
        // Idle: no load at all.
        let mut idle = scenarios::find("healthy").unwrap().config;
        idle.load.rate_per_s = 0.0;
        let mut sim = Sim::new(idle.clone(), 1).unwrap();
        sim.advance_to(SimTime::from_secs(3), u64::MAX);
        assert_eq!(health(sim.windows(), &idle, sim.now()), Health::Idle);
        // Starting, Healthy, Overloaded and Collapsed: the storm above; Overloaded without any
        // fault (never "collapsed", which needs a trigger that has ended): the ramp.
        let s = scenarios::find("overload").unwrap();
        let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
        sim.advance_to(SimTime::from_secs(1), u64::MAX);
        assert_eq!(health(sim.windows(), &s.config, sim.now()), Health::Starting);
        sim.run_to_end();
        assert_eq!(health(sim.windows(), &s.config, sim.now()), Health::Overloaded);
        // Cron: judged over a whole period, so neither "starting" mid-run nor between spikes.
        let c = scenarios::find("cron-aligned").unwrap();
        let mut sim = Sim::new(c.config.clone(), c.seed).unwrap();
        sim.advance_to(SimTime::from_secs(5), u64::MAX);
        assert_eq!(health(sim.windows(), &c.config, sim.now()), Health::Overloaded, "failures already seen are evidence");
        for t in [12.0, 15.0, 19.9, 35.0, 60.0] {
            sim.advance_to(SimTime::from_secs_f64(t), u64::MAX);
            let h = health(sim.windows(), &c.config, sim.now());
            assert!(h != Health::Starting && h != Health::Idle, "at {t} s: {h:?}");
        }
        let degraded = [Degradation::PastTimeout, Degradation::QueueGrowing, Degradation::Unanswered].map(Health::Degraded);
        for h in [Health::Starting, Health::Idle, Health::Healthy, Health::Overloaded, Health::Collapsed].into_iter().chain(degraded) {
            assert!(!h.label().is_empty() && !h.class().is_empty());
        }
    }

    #[test]
    fn the_allowance_names_every_bound_on_retries() {
        let s = scenarios::find("aws-sdk-2026").unwrap();
        assert_eq!(retry_allowance(&s.config), "≤ 3 a request by max attempts; 500 tokens at 5–10 a retry");
        assert_eq!(retry_allowance(s.compare.as_ref().unwrap()), "≤ 3 a request by max attempts; 500 tokens at 14 a retry");
        let mut c = Config::default();
        c.limiters.budget.enabled = true;
        c.limiters.grpc.enabled = true;
        assert_eq!(retry_allowance(&c), "≤ 3 a request by max attempts; ≤ +20 % + 10/s by the budget; none below 5 gRPC tokens");
    }

    #[test]
    fn recovery_is_timed_from_the_end_of_the_trigger() {
        let s = scenarios::find("limit-queue").unwrap();
        let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
        sim.run_to_end();
        let after = recovery(sim.windows(), &s.config, sim.now()).seconds().expect("a bounded queue recovers");
        assert!(after < 5.0, "{after}");
        let h = scenarios::find("healthy").unwrap();
        let mut sim = Sim::new(h.config.clone(), h.seed).unwrap();
        sim.run_to_end();
        assert_eq!(recovery(sim.windows(), &h.config, sim.now()), Recovery::NoTrigger);
    }

    #[test]
    fn explorer_answers_how_long_it_can_take() {
        let client = ClientConfig {
            timeout_ms: Some(1_000.0),
            max_attempts: 4,
            backoff: BackoffKind::Exponential,
            base_ms: 100.0,
            cap_ms: Some(20_000.0),
            jitter: JitterKind::Full,
            ..ClientConfig::default()
        };
        let r = delay_report(&client, 2_000);
        assert_eq!(r.retries.len(), 3);
        assert_eq!((r.retries[2].min_ms, r.retries[2].max_ms), (0.0, 400.0));
        // 4 timeouts of 1 s plus backoffs of at most 100 + 200 + 400 ms.
        assert_eq!(r.worst_total_ms, Some(4_700.0));
        let e = r.expected_total_ms.unwrap();
        assert!((e - 4_350.0).abs() < 15.0, "{e}");
        assert!(r.retries.iter().all(|d| d.samples.iter().all(|&x| x >= d.min_ms && x <= d.max_ms)));
    }
}
