//! The animated system: clients on the left, requests travelling to the service, the queue
//! filling toward its limit line, workers busy or idle, responses coming back.
//!
//! Dots come from the engine's lifecycle feed and are coloured by attempt number (first try,
//! 1st retry, 2nd, 3rd+), with a distinct shape for each outcome so that colour is never the
//! only cue: ✕ timeout, ▲ rejected, ○ wasted work. Past a few hundred dots per frame the
//! picture switches to an aggregate: dots are sampled and every band shows its rate as text,
//! so the frame time stays flat however high the load.

use crate::sim::{Status, TraceEvent, TraceKind};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Attempt colours (Okabe–Ito): first try blue, 1st retry orange, 2nd vermillion, 3rd+ purple.
pub fn attempt_color(attempt: u32) -> &'static str {
    match attempt {
        0 | 1 => "#0072B2",
        2 => "#E69F00",
        3 => "#D55E00",
        _ => "#CC79A7",
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Outbound,
    Success,
    Timeout,
    Rejected,
    Wasted,
}

#[derive(Clone, Copy, Debug)]
struct Particle {
    kind: Kind,
    attempt: u32,
    born_ms: f64,
    /// Vertical lane, 0 to 1, so dots do not overlap.
    lane: f64,
}

/// Most dots kept alive; beyond it new ones are sampled.
const MAX_PARTICLES: usize = 600;
/// How long a dot takes to cross, wall-clock ms.
const FLIGHT_MS: f64 = 450.0;

#[derive(Default)]
pub struct Animation {
    particles: Vec<Particle>,
    counter: u64,
    /// Events seen and drawn in the last frame (for the aggregate note).
    pub last_seen: usize,
    pub last_drawn: usize,
}

impl Animation {
    /// Takes this frame's lifecycle events; samples them when there are too many to draw.
    pub fn feed(&mut self, events: &[TraceEvent], now_ms: f64) {
        self.particles.retain(|p| now_ms - p.born_ms < FLIGHT_MS);
        let relevant: Vec<(Kind, u32)> = events
            .iter()
            .filter_map(|e| {
                let k = match e.kind {
                    TraceKind::Sent => Kind::Outbound,
                    TraceKind::Succeeded => Kind::Success,
                    TraceKind::TimedOut => Kind::Timeout,
                    TraceKind::Rejected { .. } => Kind::Rejected,
                    TraceKind::Wasted => Kind::Wasted,
                    _ => return None,
                };
                Some((k, e.attempt))
            })
            .collect();
        let room = MAX_PARTICLES.saturating_sub(self.particles.len()).max(40);
        let stride = relevant.len().div_ceil(room).max(1);
        self.last_seen = relevant.len();
        self.last_drawn = 0;
        for (kind, attempt) in relevant.into_iter().step_by(stride) {
            self.counter += 1;
            let lane = ((self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as f64) / f64::from(1u32 << 24);
            self.particles.push(Particle { kind, attempt, born_ms: now_ms, lane });
            self.last_drawn += 1;
        }
    }

    /// Draws the tier `st` is, with its callers (`callers`: "clients", "tier 1") on the left;
    /// `reduced_motion` replaces moving dots with still marks. The canvas's `data-moving`
    /// says how many requests are on screen.
    #[allow(clippy::too_many_arguments, reason = "each is one fact the drawing shows; a struct would only rename them")]
    pub fn draw(
        &self,
        canvas: &HtmlCanvasElement,
        st: &Status,
        queue_limit: Option<u32>,
        callers: &str,
        now_ms: f64,
        reduced_motion: bool,
        dark: bool,
    ) -> Result<(), String> {
        let _ = canvas.set_attribute("data-moving", &self.particles.len().to_string());
        let dpr = super::charts::fit_canvas(canvas);
        let ctx: CanvasRenderingContext2d =
            canvas.get_context("2d").map_err(|_| "no 2D context")?.ok_or("no 2D context")?.dyn_into().map_err(|_| "not a 2D context")?;
        let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
        let fg = if dark { "#ececf0" } else { "#1d1d1f" };
        let muted = if dark { "#a0a3a9" } else { "#5f6368" };
        ctx.set_fill_style_str(if dark { "#1d1d21" } else { "#ffffff" });
        ctx.fill_rect(0.0, 0.0, w, h);
        // Presenter mode draws the labels larger (the diagram keeps its layout).
        let k = if super::chart_scale() > 1.0 { 1.5 } else { 1.0 };
        let font = |px: f64| format!("{}px sans-serif", (px * dpr * k).round());
        ctx.set_font(&font(12.0));

        // Columns: clients | network | queue | workers.
        let clients_x = w * 0.06;
        let queue_x0 = w * 0.42;
        let queue_x1 = w * 0.70;
        let workers_x0 = w * 0.74;
        let top = h * 0.18;
        let bottom = h * 0.88;

        ctx.set_fill_style_str(muted);
        // Each label fits its own column (narrow canvases get the short forms), so labels never collide.
        let narrow = w / dpr < 520.0;
        let queue_label = match (queue_limit, narrow) {
            (None, false) => format!("queue {} (no limit)", st.queue),
            (None, true) => format!("queue {}", st.queue),
            (Some(q), false) => format!("queue {} / limit {q}", st.queue),
            (Some(q), true) => format!("queue {}/{q}", st.queue),
        };
        let workers_label = if narrow { format!("{}/{} busy", st.busy, st.capacity) } else { format!("workers {}/{} busy", st.busy, st.capacity) };
        let _ = ctx.fill_text(callers, (clients_x - 20.0 * dpr).max(2.0), top - 10.0 * dpr);
        let _ = ctx.fill_text_with_max_width(&queue_label, queue_x0, top - 10.0 * dpr, workers_x0 - queue_x0 - 6.0 * dpr);
        let _ = ctx.fill_text_with_max_width(&workers_label, workers_x0, top - 10.0 * dpr, w - workers_x0 - 2.0 * dpr);
        // Clients: a column of small figures.
        ctx.set_fill_style_str(fg);
        for i in 0..8 {
            let y = top + (bottom - top) * (f64::from(i) + 0.5) / 8.0;
            ctx.begin_path();
            let _ = ctx.arc(clients_x, y, 5.0 * dpr, 0.0, std::f64::consts::TAU);
            ctx.fill();
        }

        // Queue: one cell per waiting request up to 60, then a bar with the count.
        let qh = bottom - top;
        ctx.set_stroke_style_str(muted);
        ctx.set_line_width(dpr);
        ctx.stroke_rect(queue_x0, top, queue_x1 - queue_x0, qh);
        let shown_cap = queue_limit.map_or(200.0, |q| f64::from(q.max(1)));
        let fill = (f64::from(st.queue) / shown_cap).min(1.0);
        if st.queue <= 60 {
            let cols = 10.0;
            let cell = (queue_x1 - queue_x0) / cols;
            for i in 0..st.queue {
                let (c, r) = (f64::from(i % 10), f64::from(i / 10));
                ctx.set_fill_style_str("#56B4E9");
                ctx.fill_rect(queue_x1 - (c + 1.0) * cell + 1.0, bottom - (r + 1.0) * cell * 0.9, cell - 2.0, cell * 0.9 - 2.0);
            }
        } else {
            ctx.set_fill_style_str("#56B4E9");
            ctx.fill_rect(queue_x0, bottom - qh * fill, queue_x1 - queue_x0, qh * fill);
            ctx.set_fill_style_str(fg);
            // Inside its box at any width (a phone's is about 100 px wide).
            ctx.set_font(&font(if narrow { 13.0 } else { 16.0 }));
            let _ = ctx.fill_text_with_max_width(&format!("{} waiting", st.queue), queue_x0 + 6.0 * dpr, bottom - 8.0 * dpr, queue_x1 - queue_x0 - 26.0 * dpr);
            ctx.set_font(&font(12.0));
        }
        if let Some(q) = queue_limit {
            // The limit line: dashed, labelled.
            let y = if st.queue <= 60 { bottom - (f64::from(q) / 10.0).ceil().min(6.0) * (queue_x1 - queue_x0) / 10.0 * 0.9 } else { top };
            let _ = ctx.set_line_dash(&js_sys_array(&[6.0 * dpr, 4.0 * dpr]));
            ctx.set_stroke_style_str("#D55E00");
            ctx.begin_path();
            ctx.move_to(queue_x0, y);
            ctx.line_to(queue_x1, y);
            ctx.stroke();
            let _ = ctx.set_line_dash(&js_sys_array(&[]));
        }

        // Workers: a grid of boxes, filled when busy.
        let n = st.capacity.max(st.busy).max(1);
        let shown = n.min(100);
        let cols = f64::from(shown).sqrt().ceil();
        let rows = (f64::from(shown) / cols).ceil();
        let bw = (w * 0.22) / cols;
        let bh = (bottom - top) / rows;
        let busy_shown = (f64::from(st.busy) * f64::from(shown) / f64::from(n)).round() as u32;
        for i in 0..shown {
            let (c, r) = (f64::from(i) % cols, (f64::from(i) / cols).floor());
            let (x, y) = (workers_x0 + c * bw, top + r * bh);
            if i < busy_shown {
                ctx.set_fill_style_str("#009E73");
                ctx.fill_rect(x + 2.0, y + 2.0, bw - 4.0, bh - 4.0);
            } else {
                ctx.set_stroke_style_str(muted);
                ctx.stroke_rect(x + 2.0, y + 2.0, bw - 4.0, bh - 4.0);
            }
        }

        // Dots in flight.
        for p in &self.particles {
            let age = ((now_ms - p.born_ms) / FLIGHT_MS).clamp(0.0, 1.0);
            let f = if reduced_motion { 0.5 } else { age };
            let y = top + (bottom - top) * p.lane;
            let r = 3.5 * dpr;
            match p.kind {
                Kind::Outbound => {
                    let x = clients_x + (queue_x0 - clients_x) * f;
                    ctx.set_fill_style_str(attempt_color(p.attempt));
                    ctx.begin_path();
                    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
                    ctx.fill();
                }
                Kind::Success => {
                    let x = queue_x0 - (queue_x0 - clients_x) * f;
                    ctx.set_fill_style_str("#009E73");
                    ctx.begin_path();
                    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
                    ctx.fill();
                }
                Kind::Timeout => {
                    let x = clients_x + 18.0 * dpr;
                    ctx.set_stroke_style_str("#D55E00");
                    ctx.set_line_width(2.0 * dpr);
                    ctx.begin_path();
                    ctx.move_to(x - r, y - r);
                    ctx.line_to(x + r, y + r);
                    ctx.move_to(x + r, y - r);
                    ctx.line_to(x - r, y + r);
                    ctx.stroke();
                }
                Kind::Rejected => {
                    let x = queue_x0 - 12.0 * dpr - 30.0 * dpr * f;
                    ctx.set_fill_style_str("#E69F00");
                    ctx.begin_path();
                    ctx.move_to(x, y - r);
                    ctx.line_to(x + r, y + r);
                    ctx.line_to(x - r, y + r);
                    ctx.close_path();
                    ctx.fill();
                }
                Kind::Wasted => {
                    let x = workers_x0 - 8.0 * dpr - 20.0 * dpr * f;
                    ctx.set_stroke_style_str(muted);
                    ctx.set_line_width(1.5 * dpr);
                    ctx.begin_path();
                    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
                    ctx.stroke();
                }
            }
        }
        ctx.set_line_width(dpr);
        if self.last_seen > self.last_drawn {
            ctx.set_fill_style_str(muted);
            let _ =
                ctx.fill_text(&format!("busy: showing 1 in {} events", self.last_seen.div_ceil(self.last_drawn.max(1))), clients_x + 20.0 * dpr, h - 6.0 * dpr);
        }
        Ok(())
    }
}

fn js_sys_array(xs: &[f64]) -> wasm_bindgen::JsValue {
    let arr = js_sys::Array::new();
    for x in xs {
        arr.push(&wasm_bindgen::JsValue::from_f64(*x));
    }
    arr.into()
}
