//! Load: offered first tries, retries and goodput per second, against the capacity the
//! service really had in each window.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

/// Service slowdown from faults at `t` seconds.
fn slow_at(cfg: &Config, t: f64) -> f64 {
    cfg.faults.iter().filter(|f| f.kind == FaultKind::Slow && f.start_s <= t && t < f.end_s).map(|f| f.value).product()
}

/// Requests per second the available workers could serve in each window: the workers the
/// window actually had (after crashes), at the service time it actually had (after brownouts).
fn capacity_per_s(ws: &[&Window], cfg: &Config) -> Vec<(f64, f64)> {
    ws.iter()
        .map(|w| {
            let workers = w.capacity_area as f64 / w.width.0.max(1) as f64;
            let mid = w.start.as_secs_f64() + w.width.as_secs_f64() / 2.0;
            (w.end_time().as_secs_f64(), workers * 1_000.0 / (cfg.server.service_ms * slow_at(cfg, mid)))
        })
        .collect()
}

pub fn draw_load(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let mut series = with_cmp(
        vec![
            a("offered (first tries)", BLUE, pts(ws, Window::offered_per_s)),
            a("retries", VERMILLION, pts(ws, Window::retries_per_s)),
            a("goodput (successes)", GREEN, pts(ws, Window::goodput_per_s)),
        ],
        cmp,
        &[("B retries", VERMILLION, Window::retries_per_s), ("B goodput", GREEN, Window::goodput_per_s)],
    );
    // The axis is for what the learner reads: a capacity far above the load all along (a
    // system's edge of 1,000 fast workers serves a million a second) is named in the legend, not
    // drawn, so the load does not lie flat on zero under it. A capacity that comes near the
    // load at any time (a crash, a brownout) is drawn, dip and all.
    let capacity = capacity_per_s(ws, cfg);
    let load = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).filter(|y| y.is_finite()).fold(0.0, f64::max);
    let lowest = capacity.iter().map(|p| p.1).filter(|y| y.is_finite()).fold(f64::INFINITY, f64::min);
    if load > 0.0 && lowest.is_finite() && lowest > 4.0 * load {
        series.push(dashed(format!("capacity {}/s, far above", human(lowest)), Vec::new()));
    } else {
        series.push(dashed("capacity".into(), capacity));
    }
    line_chart(c, "Load: requests per second, per 100 ms window", &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
