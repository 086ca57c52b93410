//! Work that did nobody any good, per second: completions for callers who had left (wasted),
//! and what the service turned away (rejected by a full queue, throttled, dropped past its
//! deadline). The run report gives the whole run's shares; this shows when.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

fn wasted(w: &Window) -> f64 {
    per_s(w.counts.wasted, w)
}

fn rejected(w: &Window) -> f64 {
    per_s(w.counts.rejected_queue_full + w.counts.rejected_throttle, w)
}

fn dropped(w: &Window) -> f64 {
    per_s(w.counts.dropped_expired, w)
}

pub fn draw_waste(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let series = sides(
        ws,
        cmp,
        &[
            ("wasted (served after the caller left)", "B wasted", VERMILLION, wasted),
            ("rejected or throttled", "B rejected", ORANGE, rejected),
            ("dropped past the deadline", "B dropped", SKY, dropped),
        ],
    );
    line_chart(c, "Wasted and refused work per second", &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
