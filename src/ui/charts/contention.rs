//! Brooker's 2015 charts: calls and completion time against clients, per strategy.

use super::*;
use web_sys::HtmlCanvasElement;

/// Brooker's 2015 charts: one line per strategy against the number of clients.
pub fn draw_contention(c: &HtmlCanvasElement, rows: &[crate::sim::contention::SweepRow], time: bool, t: &Theme) -> Result<(), String> {
    use crate::sim::contention::Strategy;
    const COLORS: [RGBColor; 5] = [GREY, VERMILLION, BLUE, ORANGE, GREEN];
    const LABELS: [&str; 5] = ["no backoff", "exponential", "full jitter", "equal jitter", "decorrelated"];
    let series: Vec<Series> = Strategy::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pts = rows.iter().filter(|r| r.strategy == *s).map(|r| (f64::from(r.clients), if time { r.mean_time_ms } else { r.mean_calls })).collect();
            a(LABELS[i], COLORS[i], pts)
        })
        .collect();
    let xmax = rows.iter().map(|r| f64::from(r.clients)).fold(1.0, f64::max);
    let title = if time { "Completion time (ms) against clients" } else { "Calls (writes) against clients" };
    line_chart(c, title, &series, &[], (0.0, xmax), XAxis::Count, t)
}
