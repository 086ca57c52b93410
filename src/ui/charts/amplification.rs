//! Amplification over a trailing span, against max attempts.

use super::*;
use crate::sim::{Config, Window};
use web_sys::HtmlCanvasElement;

/// Amplification over a trailing span of windows (never attempts ÷ an empty window).
pub fn trailing_amplification(ws: &[&Window], span_s: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(ws.len());
    let (mut from, mut attempts, mut first) = (0usize, 0u64, 0u64);
    for (i, w) in ws.iter().enumerate() {
        attempts += w.counts.attempts();
        first += w.counts.first_attempts;
        let end = w.end_time().as_secs_f64();
        while from < i && ws[from].end_time().as_secs_f64() <= end - span_s {
            attempts -= ws[from].counts.attempts();
            first -= ws[from].counts.first_attempts;
            from += 1;
        }
        out.push((end, if first > 0 { attempts as f64 / first as f64 } else { f64::NAN }));
    }
    out
}

pub fn draw_amplification(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let span = crate::explain::verdict_span(cfg).as_secs_f64().max(5.0);
    let mut series = vec![a("amplification", VERMILLION, trailing_amplification(ws, span))];
    if !cmp.is_empty() {
        series.push(b("B amplification", VERMILLION, trailing_amplification(cmp, span)));
    }
    series.push(limit(format!("max attempts {}", cfg.client.max_attempts), f64::from(cfg.client.max_attempts), x));
    let title = format!("Amplification: attempts ÷ first tries, over the last {} s", human(span));
    line_chart(c, &title, &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
