//! Latency of successes (p50, p99) against the timeout; no successes, no point.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

/// A latency quantile in ms; a window in which nothing succeeded has no latency and is a gap.
fn ms(w: &Window, us: u64) -> f64 {
    if w.counts.successes == 0 { f64::NAN } else { us as f64 / 1e3 }
}

pub fn draw_latency(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let mut series = sides(ws, cmp, &[("p50", "B p50", SKY, |w| ms(w, w.p50_us)), ("p99", "B p99", ORANGE, |w| ms(w, w.p99_us))]);
    if let Some(v) = cfg.client.timeout_ms {
        series.push(limit(format!("timeout {}", human_ms(v)), v, x));
    }
    line_chart(c, "Latency of successes, ms (gap: none succeeded)", &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
