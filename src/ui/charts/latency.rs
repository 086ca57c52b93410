//! Latency of successes (p50, p99) against the timeout; no successes, no point.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

/// Latency of successes; a window in which nothing succeeded has no latency and is a gap.
pub fn draw_latency(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let lat = |q: fn(&Window) -> u64| {
        move |w: &Window| {
            if w.counts.successes == 0 { f64::NAN } else { q(w) as f64 / 1e3 }
        }
    };
    let mut series = with_cmp(
        vec![a("p50", SKY, pts(ws, lat(|w| w.p50_us))), a("p99", ORANGE, pts(ws, lat(|w| w.p99_us)))],
        cmp,
        &[("B p99", ORANGE, |w| if w.counts.successes == 0 { f64::NAN } else { w.p99_us as f64 / 1e3 })],
    );
    if let Some(v) = cfg.client.timeout_ms {
        series.push(limit(format!("timeout {}", human_ms(v)), v, x));
    }
    line_chart(c, "Latency of successes, ms (gap: none succeeded)", &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
