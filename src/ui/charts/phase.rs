//! Periodic work folded onto its period: where in each period the first tries land. A cron
//! job at :00 is one tall bar at the start; jittered jobs are flat.

use super::*;
use crate::explain::PhaseHistogram;
use web_sys::HtmlCanvasElement;

pub fn draw_phase(c: &HtmlCanvasElement, h: &PhaseHistogram, t: &Theme) -> Result<(), String> {
    let n = h.shares.len().max(1) as f64;
    let width = h.period_s / n;
    let bars: Vec<(f64, f64)> = h.shares.iter().enumerate().map(|(i, s)| ((i as f64 + 1.0) * width, 100.0 * s)).collect();
    let series = vec![Series { label: "share of first tries, %".into(), color: BLUE, points: bars, faded: false, mark: Mark::Bars { width } }];
    let title = if h.shares.is_empty() {
        format!("Within each {} s period: no first tries yet", human(h.period_s))
    } else {
        format!("Within each {} s period: {:.0} % of first tries in its first {}", human(h.period_s), 100.0 * h.head_share, human_ms(h.head_s * 1e3))
    };
    line_chart(c, &title, &series, &[], (0.0, h.period_s), XAxis::Seconds, t)
}
