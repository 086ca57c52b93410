//! Load: offered first tries, retries and goodput per second, against the capacity the
//! service really had in each window.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

/// Requests per second the available workers could serve in each window: the workers the
/// window actually had (after crashes), at the service time each host actually had (after
/// brownouts, of the tier or of one host), the workers shared evenly among the hosts.
fn capacity_per_s(ws: &[&Window], cfg: &Config) -> Vec<(f64, f64)> {
    let hosts = cfg.server.hosts.max(1);
    ws.iter()
        .map(|w| {
            let mid = w.start.as_secs_f64() + w.width.as_secs_f64() / 2.0;
            let slow = |f: &crate::sim::Fault| if f.kind == FaultKind::Slow && f.start_s <= mid && mid < f.end_s { f.value } else { 1.0 };
            let all: f64 = cfg.faults.iter().map(slow).product();
            // Each host's share of the workers, at its own speed.
            // (A view's tier 0 is this tier; faults elsewhere in the system do not slow its workers.)
            let speed: f64 =
                (0..hosts).map(|h| 1.0 / cfg.tier_faults.iter().filter(|f| f.tier == 0 && f.host == Some(h)).map(|f| slow(&f.fault)).product::<f64>()).sum();
            let workers = w.capacity_area as f64 / w.width.0.max(1) as f64 / f64::from(hosts);
            (w.end_time().as_secs_f64(), workers * speed * 1_000.0 / (cfg.server.service_ms * all))
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
