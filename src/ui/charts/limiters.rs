//! What the limiters do: quota tokens, retries the quota stopped per second, the breaker's
//! state, the adaptive send rate and the server's throttles per second.

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
        series.push(a("retries stopped by quota /s", VERMILLION, pts(ws, |w| per_s(w.counts.suppressed_quota, w))));
    }
    if l.budget.enabled {
        series.push(a("retries stopped by budget /s", VERMILLION, pts(ws, |w| per_s(w.counts.suppressed_budget, w))));
    }
    if l.grpc.enabled {
        series.push(a("gRPC tokens", GREEN, pts(ws, |w| w.end.grpc_tokens.unwrap_or(f64::NAN))));
        series.push(limit(format!("gRPC retries stop at {}", human(l.grpc.max_tokens / 2.0)), l.grpc.max_tokens / 2.0, x));
        series.push(a("retries stopped by gRPC /s", VERMILLION, pts(ws, |w| per_s(w.counts.suppressed_grpc, w))));
    }
    if l.throttling.enabled {
        series.push(a("rejected at the client /s", ORANGE, pts(ws, |w| per_s(w.counts.rejected_client, w))));
    }
    if l.breaker.enabled {
        let scale = if l.quota.enabled { l.quota.capacity } else { 1.0 };
        series.push(a("breaker (top = open)", PURPLE, pts(ws, |w| breaker_level(w, scale))));
    }
    if l.adaptive.enabled {
        series.push(a("adaptive send rate /s", BLUE, pts(ws, |w| w.end.send_rate.unwrap_or(f64::NAN))));
    }
    if cfg.server.throttle.enabled {
        series.push(a("throttled /s", ORANGE, pts(ws, |w| per_s(w.counts.rejected_throttle, w))));
    }
    type Measure = fn(&Window) -> f64;
    let side_b: [(&str, RGBColor, Measure); 8] = [
        ("B quota tokens", GREEN, |w| w.end.tokens.unwrap_or(f64::NAN)),
        ("B retries stopped by quota /s", VERMILLION, |w| per_s(w.counts.suppressed_quota, w)),
        ("B retries stopped by budget /s", VERMILLION, |w| per_s(w.counts.suppressed_budget, w)),
        ("B gRPC tokens", GREEN, |w| w.end.grpc_tokens.unwrap_or(f64::NAN)),
        ("B retries stopped by gRPC /s", VERMILLION, |w| per_s(w.counts.suppressed_grpc, w)),
        ("B rejected at the client /s", ORANGE, |w| per_s(w.counts.rejected_client, w)),
        ("B adaptive send rate /s", BLUE, |w| w.end.send_rate.unwrap_or(f64::NAN)),
        ("B throttled /s", ORANGE, |w| per_s(w.counts.rejected_throttle, w)),
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
    line_chart(c, "Limiters: what they allow, and what they stop per second", &series, &fault_bands(cfg), x, XAxis::Seconds, t)
}
