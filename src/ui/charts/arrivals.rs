//! Attempts per window as stacked bars: a cron spike or a retry wave is one tall bar.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

/// Attempts per window as bars (first tries, with retries stacked on top), so a cron spike or a
/// retry wave is a tall bar; the grey dashed line is the average per window over the range
/// shown. Comparing, both sides are lines of the same weight (A's solid, B's dashed), first tries
/// and all attempts: B's line drawn over A's bars hid them.
pub fn draw_arrivals(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let width = ws.last().map_or(0.1, |w| w.width.as_secs_f64());
    let mean = ws.iter().map(|w| w.counts.attempts()).sum::<u64>() as f64 / ws.len().max(1) as f64;
    let title = format!("Attempts per {} window", human_ms(width * 1e3));
    let mut series = if cmp.is_empty() {
        vec![
            Series { label: "first tries".into(), color: BLUE, points: pts(ws, |w| w.counts.first_attempts as f64), faded: false, mark: Mark::Bars { width } },
            Series {
                label: "retries".into(),
                color: VERMILLION,
                points: pts(ws, |w| w.counts.attempts() as f64),
                faded: false,
                mark: Mark::StackedBars { width },
            },
        ]
    } else {
        sides(
            ws,
            cmp,
            &[
                ("first tries", "B first tries", BLUE, |w| w.counts.first_attempts as f64),
                ("attempts", "B attempts", VERMILLION, |w| w.counts.attempts() as f64),
            ],
        )
    };
    series.push(limit(format!("average {}", human(mean)), mean, x));
    line_chart(c, &title, &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
