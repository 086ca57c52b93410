//! Load: offered first tries, retries and goodput per second, against the capacity the
//! service really had in each window.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

/// Host `h`'s workers at `t` (after crashes and restarts), and how many times slower they are.
#[inline(never)]
fn host_at(cfg: &Config, h: u32, t: f64) -> (f64, f64) {
    let (mut share, mut slow, mut down) = (1.0f64, 1.0, false);
    // The faults on the view's tier 0 (this tier; faults elsewhere in the system do not touch
    // its workers) that reach host `h`: the tier's, and the host's own.
    let own = cfg.tier_faults.iter().filter(|f| f.tier == 0 && f.host.is_none_or(|o| o == h)).map(|f| &f.fault);
    for f in cfg.faults.iter().chain(own) {
        if f.start_s <= t && t < f.end_s {
            match f.kind {
                FaultKind::Capacity => share = share.min(f.value),
                FaultKind::Slow => slow *= f.value,
                FaultKind::Restart => down = true,
                _ => {}
            }
        }
    }
    (if down { 0.0 } else { (f64::from(cfg.server.workers) * share).floor() }, slow)
}

/// Requests per second the available workers could serve in each window: the workers the
/// window actually had (after crashes and restarts), at the speed each host actually had (after
/// brownouts, of the tier or of one host), the workers shared evenly among the hosts. Past the
/// last window (a run paused mid-way) the line goes on to `to` from the fault schedule, as the
/// engine will apply it, so a limit the learner can see coming is drawn where it falls.
fn capacity_per_s(ws: &[&Window], cfg: &Config, to: f64) -> Vec<(f64, f64)> {
    let hosts = cfg.server.hosts.max(1);
    let per_worker = 1_000.0 / cfg.server.service_ms;
    let mut out: Vec<(f64, f64)> = ws
        .iter()
        .map(|w| {
            let mid = w.start.as_secs_f64() + w.width.as_secs_f64() / 2.0;
            let workers = w.capacity_area as f64 / w.width.0.max(1) as f64 / f64::from(hosts);
            let speed: f64 = (0..hosts).map(|h| 1.0 / host_at(cfg, h, mid).1).sum();
            (w.end_time().as_secs_f64(), workers * speed * per_worker)
        })
        .collect();
    // The rest, to `to`, a window at a time as the engine measures it (so the line keeps its
    // shape where the run is paused), in 2,048 steps or fewer (the engine's windows widen too).
    let mut from = out.last().map_or(0.0, |p| p.0);
    let step = ws.last().map_or(0.0, |w| w.width.as_secs_f64()).max((to - from) / 2_048.0).max(1e-3);
    while from < to {
        let y = (0..hosts).map(|h| host_at(cfg, h, from + step / 2.0)).map(|(w, slow)| w / slow).sum::<f64>() * per_worker;
        from += step;
        out.push((from.min(to), y));
    }
    out
}

pub fn draw_load(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let mut series = sides(
        ws,
        cmp,
        &[
            ("offered (first tries)", "B offered", BLUE, Window::offered_per_s),
            ("retries", "B retries", VERMILLION, Window::retries_per_s),
            ("goodput (successes)", "B goodput", GREEN, Window::goodput_per_s),
        ],
    );
    // The axis is for what the learner reads: a capacity far above the load all along (a
    // system's edge of 1,000 fast workers serves a million a second) is named in the legend, not
    // drawn, so the load does not lie flat on zero under it. A capacity that comes near the
    // load at any time (a crash, a brownout) is drawn where it is near.
    // A drill's hidden trigger is not shown by the capacity its windows measured either: the
    // line is the config's, as an operator's dashboard of provisioned capacity reads.
    let capacity = capacity_per_s(if crate::ui::trigger_hidden() { &[] } else { ws }, cfg, x.1);
    let load = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).filter(|y| y.is_finite()).fold(0.0, f64::max);
    let lowest = capacity.iter().map(|p| p.1).filter(|y| y.is_finite()).fold(f64::INFINITY, f64::min);
    if load > 0.0 && lowest.is_finite() && lowest > 4.0 * load {
        series.push(dashed(format!("capacity {}/s, far above", human(lowest)), Vec::new()));
    } else {
        // Near the load only at times (a crash of a system's edge): drawn there, and left off
        // the top where it is far above, so the dip is seen and the load is not flattened.
        let far = 4.0 * load;
        let near: Vec<(f64, f64)> = capacity.iter().map(|&(x, y)| (x, if load > 0.0 && y > far { f64::NAN } else { y })).collect();
        let off = near.iter().any(|p| p.1.is_nan());
        series.push(dashed(if off { "capacity (off the top)" } else { "capacity" }.into(), near));
    }
    line_chart(c, "Load: requests per second, per 100 ms window", &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
