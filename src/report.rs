//! Tables, CSV and JSON out of a run: the CLI prints them and the page exports them, from the
//! same column definitions, so a number means the same wherever it is read.

use crate::sim::{Sim, Summary, Window};
use serde_json::{Map, Value};

type Column = (&'static str, fn(&Window) -> f64);

/// The per-window series' columns, in order, with units in their names.
pub const SERIES_COLUMNS: &[Column] = &[
    ("start_s", |w| w.start.as_secs_f64()),
    ("width_s", |w| w.width.as_secs_f64()),
    ("offered_per_s", Window::offered_per_s),
    ("retries_per_s", Window::retries_per_s),
    ("goodput_per_s", Window::goodput_per_s),
    ("timeouts_per_s", Window::timeouts_per_s),
    ("amplification", |w| if w.counts.first_attempts > 0 { w.amplification() } else { f64::NAN }),
    ("first_attempts", |w| w.counts.first_attempts as f64),
    ("retries", |w| w.counts.retries as f64),
    ("server_arrivals", |w| w.counts.server_arrivals as f64),
    ("accepted", |w| w.counts.accepted as f64),
    ("rejected_queue_full", |w| w.counts.rejected_queue_full as f64),
    ("rejected_throttle", |w| w.counts.rejected_throttle as f64),
    ("dropped_expired", |w| w.counts.dropped_expired as f64),
    ("suppressed_max_attempts", |w| w.counts.suppressed_max_attempts as f64),
    ("suppressed_quota", |w| w.counts.suppressed_quota as f64),
    ("suppressed_breaker", |w| w.counts.suppressed_breaker as f64),
    ("suppressed_budget", |w| w.counts.suppressed_budget as f64),
    ("suppressed_grpc", |w| w.counts.suppressed_grpc as f64),
    ("rejected_client", |w| w.counts.rejected_client as f64),
    ("shed_live_cap", |w| w.counts.shed_live_cap as f64),
    ("completions", |w| w.counts.completions as f64),
    ("useful", |w| w.counts.useful as f64),
    ("wasted", |w| w.counts.wasted as f64),
    ("errors", |w| w.counts.errors as f64),
    ("resets", |w| w.counts.resets as f64),
    ("successes", |w| w.counts.successes as f64),
    ("failures", |w| w.counts.failures as f64),
    ("timeouts", |w| w.counts.timeouts as f64),
    ("queue_max", |w| f64::from(w.queue_max)),
    ("queue_avg", Window::queue_avg),
    ("utilisation", |w| if w.capacity_area > 0 { w.utilisation() } else { f64::NAN }),
    ("latency_p50_ms", |w| measured(w, w.p50_us as f64 / 1e3)),
    ("latency_p90_ms", |w| measured(w, w.p90_us as f64 / 1e3)),
    ("latency_p99_ms", |w| measured(w, w.p99_us as f64 / 1e3)),
    ("latency_mean_ms", |w| measured(w, w.latency_mean_us() / 1e3)),
    ("capacity", |w| f64::from(w.end.capacity)),
    ("tokens", |w| w.end.tokens.unwrap_or(f64::NAN)),
    ("breaker_open", |w| match w.end.breaker {
        Some(crate::sim::BreakerState::Open) => 1.0,
        Some(crate::sim::BreakerState::HalfOpen) => 0.5,
        Some(crate::sim::BreakerState::Closed) => 0.0,
        None => f64::NAN,
    }),
    ("send_rate_per_s", |w| w.end.send_rate.unwrap_or(f64::NAN)),
];

/// A latency is only measured when something succeeded; otherwise it is missing (NaN: an empty
/// CSV cell, JSON null, "–" in a table), never a zero that was not measured.
fn measured(w: &Window, v: f64) -> f64 {
    if w.counts.successes > 0 { v } else { f64::NAN }
}

/// A number in a table cell, or "–" when it was not measured.
fn cell(x: f64, width: usize, decimals: usize) -> String {
    if x.is_finite() { format!("{x:>width$.decimals$}") } else { format!("{:>width$}", "–") }
}

fn fmt_num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.4}").trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The series as CSV, one row per window; empty cells where a limiter is off.
pub fn series_csv(windows: &[Window]) -> String {
    sides_csv(&[("", windows)])
}

/// Several sides' series in one CSV (compare mode): a first column names each row's side when
/// the sides have names.
pub fn sides_csv(sides: &[(&str, &[Window])]) -> String {
    let named = sides.iter().any(|s| !s.0.is_empty());
    let mut out = if named { "side,".to_string() } else { String::new() };
    out += &SERIES_COLUMNS.iter().map(|c| c.0).collect::<Vec<_>>().join(",");
    out.push('\n');
    for (name, windows) in sides {
        for w in *windows {
            if named {
                out += name;
                out.push(',');
            }
            let row: Vec<String> = SERIES_COLUMNS.iter().map(|c| fmt_num((c.1)(w))).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// The series as JSON objects, one per window; `null` where a limiter is off.
pub fn series_json(windows: &[Window]) -> Value {
    Value::Array(
        windows
            .iter()
            .map(|w| {
                let mut m = Map::new();
                for (name, f) in SERIES_COLUMNS {
                    let x = f(w);
                    m.insert((*name).into(), if x.is_nan() { Value::Null } else { Value::from(x) });
                }
                Value::Object(m)
            })
            .collect(),
    )
}

/// The summary's fields as (name, value) pairs, flattened, in a stable order.
/// NaN marks a figure that was not measured (no first attempts, no successes).
pub fn summary_fields(s: &Summary) -> Vec<(String, f64)> {
    let c = &s.counts;
    let offered = |x: f64| if c.first_attempts > 0 { x } else { f64::NAN };
    let mut v: Vec<(String, f64)> = vec![
        ("duration_s".into(), s.duration_s),
        ("goodput_per_s".into(), s.goodput_per_s),
        ("success_share".into(), offered(s.success_share)),
        ("amplification".into(), offered(s.amplification)),
        ("first_attempts".into(), c.first_attempts as f64),
        ("retries".into(), c.retries as f64),
        ("server_arrivals".into(), c.server_arrivals as f64),
        ("accepted".into(), c.accepted as f64),
        ("rejected_queue_full".into(), c.rejected_queue_full as f64),
        ("rejected_throttle".into(), c.rejected_throttle as f64),
        ("dropped_expired".into(), c.dropped_expired as f64),
        ("suppressed_max_attempts".into(), c.suppressed_max_attempts as f64),
        ("suppressed_quota".into(), c.suppressed_quota as f64),
        ("suppressed_breaker".into(), c.suppressed_breaker as f64),
        ("suppressed_budget".into(), c.suppressed_budget as f64),
        ("suppressed_grpc".into(), c.suppressed_grpc as f64),
        ("rejected_client".into(), c.rejected_client as f64),
        ("not_retryable".into(), c.not_retryable as f64),
        ("shed_live_cap".into(), c.shed_live_cap as f64),
        ("completions".into(), c.completions as f64),
        ("useful".into(), c.useful as f64),
        ("wasted".into(), c.wasted as f64),
        ("errors".into(), c.errors as f64),
        ("resets".into(), c.resets as f64),
        ("successes".into(), c.successes as f64),
        ("failures".into(), c.failures as f64),
        ("timeouts".into(), c.timeouts as f64),
    ];
    for (prefix, l) in [("latency", &s.latency_ms), ("attempt_latency", &s.attempt_latency_ms)] {
        for (name, x) in [("mean", l.mean), ("p50", l.p50), ("p90", l.p90), ("p99", l.p99), ("max", l.max)] {
            v.push((format!("{prefix}_{name}_ms"), if l.count > 0 { x } else { f64::NAN }));
        }
    }
    v.push(("queue_max".into(), f64::from(s.queue_max)));
    v.push(("queue_avg".into(), s.queue_avg));
    v.push(("utilisation".into(), s.utilisation));
    v.push(("live_cap_reached".into(), if s.live_cap_reached { 1.0 } else { 0.0 }));
    v
}

/// The summary as a two-column CSV (`metric,value`).
pub fn summary_csv(s: &Summary) -> String {
    let mut out = String::from("metric,value\n");
    for (k, v) in summary_fields(s) {
        out.push_str(&format!("{k},{}\n", fmt_num(v)));
    }
    out
}

/// The summary as an aligned, human-readable table.
pub fn summary_table(s: &Summary) -> String {
    let c = &s.counts;
    let l = &s.latency_ms;
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("  {k:<28} {v}\n"));
    line("simulated", format!("{:.1} s", s.duration_s));
    line("offered (first attempts)", format!("{} ({:.1}/s)", c.first_attempts, c.first_attempts as f64 / s.duration_s.max(1e-9)));
    if c.first_attempts > 0 {
        line("goodput", format!("{:.1}/s ({:.1} % of requests succeeded)", s.goodput_per_s, 100.0 * s.success_share));
        line("amplification", format!("{:.2}× ({} retries)", s.amplification, c.retries));
    } else {
        line("goodput", format!("{:.1}/s (no requests were offered)", s.goodput_per_s));
        line("amplification", "– (no requests were offered)".into());
    }
    if l.count > 0 {
        line("latency of successes", format!("mean {:.1} ms, p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1}", l.mean, l.p50, l.p90, l.p99, l.max));
    } else {
        line("latency of successes", "– (nothing succeeded)".into());
    }
    line("timeouts", format!("{}", c.timeouts));
    line("rejected", format!("{} queue full, {} throttled", c.rejected_queue_full, c.rejected_throttle));
    line("served", format!("{} ({} useful, {} wasted, {} errors)", c.completions, c.useful, c.wasted, c.errors));
    line("dropped (deadline passed)", format!("{}", c.dropped_expired));
    if c.resets > 0 {
        line("failed by restart", format!("{} (reset in flight or refused while down)", c.resets));
    }
    line(
        "retries stopped by",
        format!(
            "max attempts {}, quota {}, budget {}, gRPC {}, breaker {}, not retryable {}",
            c.suppressed_max_attempts, c.suppressed_quota, c.suppressed_budget, c.suppressed_grpc, c.suppressed_breaker, c.not_retryable
        ),
    );
    line("failed requests", format!("{}", c.failures));
    line("queue", format!("max {}, time-average {:.1}", s.queue_max, s.queue_avg));
    line("utilisation", format!("{:.1} %", 100.0 * s.utilisation));
    if s.live_cap_reached {
        line("LIVE CAP REACHED", format!("{} shed; raise metrics.max_live to see the full load", c.shed_live_cap));
    }
    out
}

/// Merges consecutive windows into windows at least `every` wide (for a readable table).
pub fn resample(windows: &[Window], every: crate::sim::SimTime) -> Vec<Window> {
    let mut out: Vec<Window> = Vec::new();
    for w in windows {
        match out.last_mut() {
            Some(last) if last.width < every => last.merge(w),
            _ => out.push(w.clone()),
        }
    }
    out
}

/// The series as an aligned table of the columns a reader scans first.
pub fn series_table(windows: &[Window]) -> String {
    let mut out = format!(
        "{:>8} {:>9} {:>9} {:>9} {:>8} {:>6} {:>7} {:>6} {:>9} {:>9}\n",
        "t (s)", "offered/s", "retries/s", "goodput/s", "timeout/s", "ampl", "queue", "util%", "p50 (ms)", "p99 (ms)"
    );
    for w in windows {
        let amplification = if w.counts.first_attempts > 0 { w.amplification() } else { f64::NAN };
        out.push_str(&format!(
            "{:>8.1} {:>9.1} {:>9.1} {:>9.1} {:>8.1} {} {:>7.0} {:>6.0} {} {}\n",
            w.start.as_secs_f64(),
            w.offered_per_s(),
            w.retries_per_s(),
            w.goodput_per_s(),
            w.timeouts_per_s(),
            cell(amplification, 6, 2),
            w.queue_avg(),
            100.0 * w.utilisation(),
            cell(measured(w, w.p50_us as f64 / 1e3), 9, 1),
            cell(measured(w, w.p99_us as f64 / 1e3), 9, 1),
        ));
    }
    out
}

/// Every tier of a system, edge first: what reached it, per user request, what it served,
/// what it wasted, and how its hosts shared the calls.
pub fn tiers_table(tiers: &[crate::sim::TierSummary]) -> String {
    let mut out = format!(
        "\n{:>5} {:>10} {:>9} {:>10} {:>8} {:>9} {:>8} {:>6} {:>7}  {}\n",
        "tier", "attempts", "per user", "goodput/s", "wasted%", "timeouts", "dropped", "util%", "queue", "calls per host"
    );
    for t in tiers {
        let hosts: Vec<String> = t.hosts.iter().map(|h| h.arrivals.to_string()).collect();
        out.push_str(&format!(
            "{:>5} {:>10} {} {:>10.1} {} {:>9} {:>8} {:>6.0} {:>7.1}  {}\n",
            if t.tier == 0 { "edge".to_string() } else { t.tier.to_string() },
            t.attempts,
            cell(t.amplification.unwrap_or(f64::NAN), 9, 2),
            t.goodput_per_s,
            cell(t.wasted.map_or(f64::NAN, |w| 100.0 * w), 8, 1),
            t.timeouts,
            t.dropped_expired,
            100.0 * t.utilisation,
            t.queue_avg,
            hosts.join(" ")
        ));
    }
    out.push_str("  per user: attempts at the tier per user request\n");
    out.push_str("  wasted: share of the tier's worker time spent after the user's request had stopped waiting for it\n");
    out
}

/// One line of the run report: what it is, its element id on the page, and the figure. What
/// the figure counts is the lessons' `ui.<id>` text (the page writes it under the name), so the
/// page's start-up download does not carry it; [`LINES`] names every id.
#[derive(Clone, Debug, PartialEq)]
pub struct RunLine {
    pub label: &'static str,
    pub id: &'static str,
    pub value: String,
}

/// Every line's id, in the order the report shows them when all are there.
pub const LINES: [&str; 12] = [
    "report-requests",
    "report-goodput",
    "report-goodput-trigger",
    "report-p99",
    "report-amplification",
    "report-amplification-trigger",
    "report-retries",
    "report-timeouts",
    "report-rejected",
    "report-wasted",
    "report-utilisation",
    "report-hosts",
];

/// A count with thousands separated ("2,580"), as the scenarios' sentences write them.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Milliseconds as the page writes them: seconds from 10 s up (a number and its unit never
/// part at a line's end).
pub fn ms(ms: f64) -> String {
    ms_as(ms, ms >= 10_000.0)
}

/// `ms` in seconds or in milliseconds.
fn ms_as(ms: f64, secs: bool) -> String {
    if secs { format!("{:.1}\u{a0}s", ms / 1e3) } else { format!("{ms:.1}\u{a0}ms") }
}

fn percent(share: f64) -> String {
    format!("{:.1}\u{a0}%", 100.0 * share)
}

/// The whole run so far, as the run report shows it: the users' figures, then each tier's
/// (a system names its tiers; one service has only the edge), then the hosts of tier
/// `hosts_of` when `hosts` (compare mode shows them for both sides when either has several).
/// Every figure is the run's total from the start, not
/// the headline's trailing span, so a learner can check what a scenario's sentence quotes.
pub fn run_report(sim: &Sim, hosts_of: usize, hosts: bool) -> Vec<RunLine> {
    let s = sim.summary();
    let c = &s.counts;
    let tiers = sim.tier_summaries();
    let system = tiers.len() > 1;
    let each = |f: &dyn Fn(usize, &crate::sim::TierSummary) -> String| -> String {
        if system { tiers.iter().enumerate().map(|(t, x)| format!("{}: {}", tier_label(t), f(t, x))).collect::<Vec<_>>().join(" · ") } else { f(0, &tiers[0]) }
    };
    let per_tier: Vec<Summary> = (0..tiers.len()).map(|t| sim.tier_summary(t)).collect();
    let counts = |t: usize| per_tier[t].counts;
    let waiting = sim.live().0;
    let mut lines = vec![
        RunLine {
            label: "requests",
            id: "report-requests",
            value: format!(
                "{}\u{a0}sent · {}\u{a0}succeeded ({}) · {}\u{a0}failed{}",
                grouped(c.first_attempts),
                grouped(c.successes),
                percent(s.success_share),
                grouped(c.failures),
                if waiting > 0 { format!(" · {}\u{a0}still\u{a0}waiting", grouped(u64::from(waiting))) } else { String::new() }
            ),
        },
        RunLine { label: "goodput", id: "report-goodput", value: format!("{:.1}/s", s.goodput_per_s) },
        RunLine {
            label: "p99 / mean",
            id: "report-p99",
            value: if c.successes > 0 {
                // One unit for both, the larger's: "31.5 s / 2.0 s", not "31.5 s / 2025.0 ms".
                let (p99, mean) = (s.latency_ms.p99, s.latency_ms.mean);
                let secs = p99.max(mean) >= 10_000.0;
                format!("{} / {}", ms_as(p99, secs), ms_as(mean, secs))
            } else {
                "– (no successes)".into()
            },
        },
        RunLine {
            label: "attempts per request",
            id: "report-amplification",
            // Every attempt sent, over every request sent: the lines beside it check it
            // ((sent + retries) / sent at the edge). Counted over the requests whose every
            // attempt had ended, it left out the most-retried, whose abandoned attempts were
            // still queued, and read 3.11× in a storm of 3.54×.
            value: each(&|_, x| x.amplification.map_or("–".into(), |a| format!("{a:.2}×"))),
        },
        RunLine { label: "retries", id: "report-retries", value: each(&|t, _| grouped(counts(t).retries)) },
        RunLine { label: "timeouts", id: "report-timeouts", value: each(&|_, x| grouped(x.timeouts)) },
        RunLine {
            label: "rejected",
            id: "report-rejected",
            value: each(&|t, _| {
                let k = counts(t);
                grouped(k.rejected_queue_full + k.rejected_throttle)
            }),
        },
        RunLine { label: "wasted work", id: "report-wasted", value: each(&|_, x| x.wasted.map_or("–".into(), percent)) },
        RunLine { label: "utilisation", id: "report-utilisation", value: each(&|t, _| percent(per_tier[t].utilisation)) },
    ];
    // The same while the trigger (the first fault, the span the charts shade) was on, once it
    // has ended: what the failure does to goodput and how it multiplies attempts, which the
    // whole run's figures dilute.
    let cfg = sim.config();
    if let Some(f) = cfg.trigger().filter(|f| f.end_s > f.start_s && sim.now().as_secs_f64() >= f.end_s) {
        let inside = |w: &&crate::sim::Window| w.within(f.start_s, f.end_s);
        let edge = |f: fn(&crate::sim::Counters) -> u64| sim.windows().iter().filter(inside).map(|w| f(&w.counts)).sum::<u64>();
        let users = edge(|c| c.first_attempts);
        let per_user = |t: usize| sim.tier_windows(t).iter().filter(inside).map(|w| w.counts.attempts()).sum::<u64>() as f64 / users.max(1) as f64;
        lines.insert(
            2,
            RunLine {
                label: "… while the trigger was on",
                id: "report-goodput-trigger",
                value: format!("{} of offered", percent(edge(|c| c.successes) as f64 / users.max(1) as f64)),
            },
        );
        lines.insert(
            5,
            RunLine { label: "… while the trigger was on", id: "report-amplification-trigger", value: each(&|t, _| format!("{:.2}×", per_user(t))) },
        );
    }
    if let Some(x) = tiers.get(hosts_of).filter(|_| hosts) {
        let hosts: Vec<String> = x
            .hosts
            .iter()
            .enumerate()
            .map(|(h, k)| format!("host\u{a0}{}: {}\u{a0}calls, {}\u{a0}timeouts", h + 1, grouped(k.arrivals), grouped(k.timeouts)))
            .collect();
        lines.push(RunLine { label: "hosts", id: "report-hosts", value: hosts.join(" · ") });
    }
    lines
}

fn tier_label(t: usize) -> String {
    if t == 0 { "edge".into() } else { format!("tier\u{a0}{t}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line the report shows is one of [`LINES`], in their order (the page finds what
    /// each counts by that id).
    #[test]
    fn the_report_lines_are_the_named_ones_in_order() {
        for id in ["metastable-retry", "bad-host", "retries-every-layer", "healthy"] {
            let s = crate::scenarios::find(id).unwrap();
            let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
            sim.advance_to(crate::sim::SimTime::from_secs_f64(s.config.duration_s), u64::MAX);
            let at: Vec<usize> = run_report(&sim, 0, true).iter().map(|l| LINES.iter().position(|x| *x == l.id).unwrap_or(usize::MAX)).collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]) && at.iter().all(|i| *i < LINES.len()), "{id}: {at:?}");
        }
    }

    /// "attempts per request" is what the report's own lines give: (sent + retries) / sent at
    /// the edge, whatever is still queued when the run ends (the storm ends with thousands).
    #[test]
    fn attempts_per_request_is_attempts_sent_over_requests_sent() {
        for id in ["metastable-retry", "exponential-backoff", "cron-aligned", "healthy"] {
            let s = crate::scenarios::find(id).unwrap();
            let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
            sim.run_to_end();
            let c = sim.summary().counts;
            let want = format!("{:.2}×", (c.first_attempts + c.retries) as f64 / c.first_attempts as f64);
            let line = run_report(&sim, 0, false).into_iter().find(|l| l.id == "report-amplification").unwrap();
            assert_eq!(line.value, want, "{id}");
        }
    }
}
