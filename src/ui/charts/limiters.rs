//! What the limiters do: quota tokens, retries the quota stopped, the breaker's state, the
//! adaptive send rate and the server's throttles.

use super::*;
use crate::sim::{BreakerState, Config, Window};
use web_sys::HtmlCanvasElement;

/// The breaker's state at a window's end as a height: `top` when open, half when half-open.
fn breaker_level(w: &Window, top: f64) -> f64 {
    match w.end.breaker {
        Some(BreakerState::Open) => top,
        Some(BreakerState::HalfOpen) => top / 2.0,
        _ => 0.0,
    }
}

/// Side A's limiters as its config sets them; side B's (dashed) as its own windows measured
/// them, since B's limiters may differ from A's.
pub fn draw_limiters(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let mut series = Vec::new();
    let l = &cfg.limiters;
    if l.quota.enabled {
        series.push(a("quota tokens", GREEN, pts(ws, |w| w.end.tokens.unwrap_or(f64::NAN))));
        series.push(limit(format!("quota {}", human(l.quota.capacity)), l.quota.capacity, x));
        series.push(a("retries stopped by quota", VERMILLION, pts(ws, |w| w.counts.suppressed_quota as f64)));
    }
    if l.budget.enabled {
        series.push(a("retries stopped by budget", VERMILLION, pts(ws, |w| w.counts.suppressed_budget as f64)));
    }
    if l.grpc.enabled {
        series.push(a("gRPC tokens", GREEN, pts(ws, |w| w.end.grpc_tokens.unwrap_or(f64::NAN))));
        series.push(limit(format!("gRPC retries stop at {}", human(l.grpc.max_tokens / 2.0)), l.grpc.max_tokens / 2.0, x));
        series.push(a("retries stopped by gRPC", VERMILLION, pts(ws, |w| w.counts.suppressed_grpc as f64)));
    }
    if l.throttling.enabled {
        series.push(a("rejected at the client", ORANGE, pts(ws, |w| w.counts.rejected_client as f64)));
    }
    if l.breaker.enabled {
        let scale = if l.quota.enabled { l.quota.capacity } else { 1.0 };
        series.push(a("breaker (top = open)", PURPLE, pts(ws, |w| breaker_level(w, scale))));
    }
    if l.adaptive.enabled {
        series.push(a("adaptive send rate /s", BLUE, pts(ws, |w| w.end.send_rate.unwrap_or(f64::NAN))));
    }
    if cfg.server.throttle.enabled {
        series.push(a("throttled per window", ORANGE, pts(ws, |w| w.counts.rejected_throttle as f64)));
    }
    type Measure = fn(&Window) -> f64;
    let side_b: [(&str, RGBColor, Measure); 8] = [
        ("B quota tokens", GREEN, |w| w.end.tokens.unwrap_or(f64::NAN)),
        ("B retries stopped by quota", VERMILLION, |w| w.counts.suppressed_quota as f64),
        ("B retries stopped by budget", VERMILLION, |w| w.counts.suppressed_budget as f64),
        ("B gRPC tokens", GREEN, |w| w.end.grpc_tokens.unwrap_or(f64::NAN)),
        ("B retries stopped by gRPC", VERMILLION, |w| w.counts.suppressed_grpc as f64),
        ("B rejected at the client", ORANGE, |w| w.counts.rejected_client as f64),
        ("B adaptive send rate /s", BLUE, |w| w.end.send_rate.unwrap_or(f64::NAN)),
        ("B throttled per window", ORANGE, |w| w.counts.rejected_throttle as f64),
    ];
    for (label, color, f) in side_b {
        // Only what B measured: a limiter that is off leaves no tokens and stops nothing.
        if cmp.iter().any(|w| f(w) > 0.0) {
            series.push(b(label, color, pts(cmp, f)));
        }
    }
    // B's breaker, where B has one: on A's quota scale when A has a quota (the two share the
    // axis), else on B's own tokens, else 0 to 1.
    if cmp.iter().any(|w| w.end.breaker.is_some()) {
        let tokens = cmp.iter().filter_map(|w| w.end.tokens).fold(0.0, f64::max);
        let scale = if l.quota.enabled {
            l.quota.capacity
        } else if tokens > 0.0 {
            tokens
        } else {
            1.0
        };
        series.push(b("B breaker (top = open)", PURPLE, pts(cmp, |w| breaker_level(w, scale))));
    }
    if series.is_empty() {
        series.push(a("no limiter or throttle on", GREY, Vec::new()));
    }
    line_chart(c, "Limiters: what they allow and stop, per window", &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
