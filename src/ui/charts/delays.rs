//! The delay explorer's histogram: sampled waits before each retry.

use super::*;
use crate::explain::DelayReport;
use web_sys::HtmlCanvasElement;

/// Each retry's sampled delays as a histogram (per cent of its draws per bin, so the axis is
/// scaled to the tallest bin, not fixed at a share of 1), on one delay axis.
pub fn draw_delays(c: &HtmlCanvasElement, report: &DelayReport, t: &Theme) -> Result<(), String> {
    const COLORS: [RGBColor; 6] = [BLUE, ORANGE, VERMILLION, PURPLE, SKY, GREEN];
    const LABELS: [&str; 6] = ["retry 1", "retry 2", "retry 3", "retry 4", "retry 5", "retry 6+"];
    let max = report.retries.iter().map(|r| r.max_ms).fold(0.0f64, f64::max).max(1.0);
    let bins = 40usize;
    let width = max / bins as f64;
    // Five retries on their own, then the 6th and later ones together (one "retry 6+", not one
    // per retry under the same name and colour).
    let series: Vec<Series> = (0..report.retries.len().min(6))
        .map(|i| {
            let mut counts = vec![0usize; bins];
            let rs = if i == 5 { &report.retries[5..] } else { &report.retries[i..=i] };
            let mut n = 0usize;
            for &x in rs.iter().flat_map(|r| r.samples.iter()) {
                counts[((x / width) as usize).min(bins - 1)] += 1;
                n += 1;
            }
            let label = if i == 5 && rs.len() == 1 { "retry 6" } else { LABELS[i] };
            a(label, COLORS[i], counts.iter().enumerate().map(|(bin, &k)| ((bin as f64 + 0.5) * width, 100.0 * k as f64 / n.max(1) as f64)).collect())
        })
        .collect();
    if series.is_empty() {
        return line_chart(c, "No retries: max attempts is 1", &[], &[], (0.0, 1.0), XAxis::Millis, t);
    }
    line_chart(c, "Sampled delay before each retry: % of draws", &series, &[], (0.0, max), XAxis::Millis, t)
}
