//! Queue depth (max and time-average per window) against the queue limit.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

pub fn draw_queue(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let mut series = sides(ws, cmp, &[("max", "B max", PURPLE, |w| f64::from(w.queue_max)), ("average", "B average", BLUE, Window::queue_avg)]);
    if let Some(q) = cfg.server.queue_limit {
        series.push(limit(format!("limit {}", human(f64::from(q))), f64::from(q), x));
    }
    line_chart(c, "Queue: waiting requests", &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
