//! Live charts, one `draw` function each, drawn with plotters on a canvas sized to its CSS
//! box times the device pixel ratio (crisp on HiDPI). Colours are the Okabe–Ito palette,
//! distinguishable with the common colour-vision deficiencies; every series also differs in
//! its legend text, so nothing depends on colour alone.

use crate::explain::DelayReport;
use crate::sim::{BreakerState, Config, SimTime, Window};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const SKY: RGBColor = RGBColor(86, 180, 233);
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub const GREY: RGBColor = RGBColor(120, 120, 128);

/// How many seconds of history the charts show.
pub const SPAN_S: f64 = 60.0;

pub struct Series {
    pub label: &'static str,
    pub color: RGBColor,
    pub points: Vec<(f64, f64)>,
    /// The compare side (B): the same colour, paler and thinner, on the same axes.
    pub faded: bool,
}

fn a(label: &'static str, color: RGBColor, points: Vec<(f64, f64)>) -> Series {
    Series { label, color, points, faded: false }
}

fn b(label: &'static str, color: RGBColor, points: Vec<(f64, f64)>) -> Series {
    Series { label, color, points, faded: true }
}

/// A dashed limit line with its label (timeout, capacity, queue limit).
pub struct Limit {
    pub label: String,
    pub value: f64,
}

pub struct Theme {
    pub dark: bool,
}

/// Sizes the canvas's backing store to its CSS box × devicePixelRatio; returns the ratio.
pub fn fit_canvas(canvas: &HtmlCanvasElement) -> f64 {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let w = (f64::from(canvas.client_width()) * dpr).round().max(1.0) as u32;
    let h = (f64::from(canvas.client_height()) * dpr).round().max(1.0) as u32;
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    dpr
}

/// Draws a time-series chart. Returns an error message rather than panicking.
pub fn line_chart(canvas: &HtmlCanvasElement, title: &str, series: &[Series], limits: &[Limit], x: (f64, f64), theme: &Theme) -> Result<(), String> {
    let dpr = fit_canvas(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("this browser has no 2D canvas")?;
    let root = backend.into_drawing_area();
    let (bg, fg) = if theme.dark { (RGBColor(29, 29, 33), RGBColor(236, 236, 240)) } else { (WHITE, RGBColor(29, 29, 31)) };
    root.fill(&bg).map_err(|e| e.to_string())?;
    let ymax = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(limits.iter().map(|l| l.value))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1.0)
        * 1.1;
    let font = |size: f64| ("sans-serif", size * dpr).into_font().color(&fg);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, font(13.0))
        .margin((6.0 * dpr) as u32)
        .x_label_area_size((22.0 * dpr) as u32)
        .y_label_area_size((44.0 * dpr) as u32)
        .build_cartesian_2d(x.0..x.1.max(x.0 + 1.0), 0.0..ymax)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .light_line_style(fg.mix(0.06))
        .bold_line_style(fg.mix(0.15))
        .axis_style(fg.mix(0.5))
        .label_style(font(10.0))
        .x_labels(6)
        .y_labels(5)
        .draw()
        .map_err(|e| e.to_string())?;
    let stroke = (2.0 * dpr) as u32;
    for s in series {
        let color = s.color;
        let style = if s.faded { color.mix(0.45).stroke_width((stroke / 2).max(1)) } else { color.stroke_width(stroke) };
        chart
            .draw_series(LineSeries::new(s.points.iter().copied(), style))
            .map_err(|e| e.to_string())?
            .label(s.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], style));
    }
    for l in limits {
        let y = l.value;
        // Dashes drawn as short segments, so the limit is distinct without colour.
        let n = 40;
        let dx = (x.1 - x.0) / f64::from(n);
        chart
            .draw_series((0..n).step_by(2).map(|i| {
                let a = x.0 + dx * f64::from(i);
                PathElement::new(vec![(a, y), (a + dx, y)], GREY.stroke_width(stroke))
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(Text::new(l.label.clone(), (x.0 + dx * 0.5, y), font(10.0))))
            .map_err(|e| e.to_string())?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(bg.mix(0.85))
        .border_style(fg.mix(0.3))
        .label_font(font(10.0))
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// The x range shown: the last `SPAN_S` seconds, at least 10 s wide.
pub fn x_range(now: SimTime) -> (f64, f64) {
    let t = now.as_secs_f64();
    ((t - SPAN_S).max(0.0), t.max(10.0))
}

fn pts(ws: &[&Window], f: impl Fn(&Window) -> f64) -> Vec<(f64, f64)> {
    ws.iter().map(|w| (w.end_time().as_secs_f64(), f(w))).filter(|p| p.1.is_finite()).collect()
}

type Metric = fn(&Window) -> f64;

/// Adds the compare side's series (when comparing) after the main side's.
fn with_cmp(mut series: Vec<Series>, cmp: &[&Window], extra: &[(&'static str, RGBColor, Metric)]) -> Vec<Series> {
    if !cmp.is_empty() {
        series.extend(extra.iter().map(|(label, color, f)| b(label, *color, pts(cmp, f))));
    }
    series
}

/// The windows inside the shown range.
pub fn visible(windows: &[Window], x: (f64, f64)) -> Vec<&Window> {
    windows.iter().filter(|w| w.end_time().as_secs_f64() >= x.0).collect()
}

pub fn draw_load(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), capacity_now: u32, t: &Theme) -> Result<(), String> {
    let capacity = f64::from(capacity_now) * 1_000.0 / cfg.server.service_ms;
    line_chart(
        c,
        "Load per second: offered, retries, goodput",
        &with_cmp(
            vec![
                a("offered (first tries)", BLUE, pts(ws, Window::offered_per_s)),
                a("retries", VERMILLION, pts(ws, Window::retries_per_s)),
                a("goodput (successes)", GREEN, pts(ws, Window::goodput_per_s)),
            ],
            cmp,
            &[("B retries", VERMILLION, Window::retries_per_s), ("B goodput", GREEN, Window::goodput_per_s)],
        ),
        &[Limit { label: format!("capacity {capacity:.0}/s"), value: capacity }],
        x,
        t,
    )
}

pub fn draw_latency(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let limits: Vec<Limit> = cfg.client.timeout_ms.map(|v| Limit { label: format!("timeout {v:.0} ms"), value: v }).into_iter().collect();
    line_chart(
        c,
        "Latency of successful requests (ms)",
        &with_cmp(
            vec![a("p50", SKY, pts(ws, |w| w.p50_us as f64 / 1e3)), a("p99", ORANGE, pts(ws, |w| w.p99_us as f64 / 1e3))],
            cmp,
            &[("B p99", ORANGE, |w| w.p99_us as f64 / 1e3)],
        ),
        &limits,
        x,
        t,
    )
}

pub fn draw_queue(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let limits: Vec<Limit> = cfg.server.queue_limit.map(|q| Limit { label: format!("queue limit {q}"), value: f64::from(q) }).into_iter().collect();
    line_chart(
        c,
        "Queue depth (waiting requests)",
        &with_cmp(
            vec![a("max", PURPLE, pts(ws, |w| f64::from(w.queue_max))), a("average", BLUE, pts(ws, Window::queue_avg))],
            cmp,
            &[("B average", BLUE, Window::queue_avg)],
        ),
        &limits,
        x,
        t,
    )
}

pub fn draw_arrivals(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], x: (f64, f64), t: &Theme) -> Result<(), String> {
    line_chart(
        c,
        "First attempts per window (spiky or smooth?)",
        &with_cmp(
            vec![a("arrivals per window", BLUE, pts(ws, |w| w.counts.first_attempts as f64))],
            cmp,
            &[("B arrivals", BLUE, |w| w.counts.first_attempts as f64)],
        ),
        &[],
        x,
        t,
    )
}

pub fn draw_amplification(c: &HtmlCanvasElement, ws: &[&Window], cmp: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    line_chart(
        c,
        "Amplification: attempts ÷ first attempts",
        &with_cmp(vec![a("amplification", VERMILLION, pts(ws, Window::amplification))], cmp, &[("B amplification", VERMILLION, Window::amplification)]),
        &[Limit { label: format!("max attempts {}", cfg.client.max_attempts), value: f64::from(cfg.client.max_attempts) }],
        x,
        t,
    )
}

pub fn draw_limiters(c: &HtmlCanvasElement, ws: &[&Window], cfg: &Config, x: (f64, f64), t: &Theme) -> Result<(), String> {
    let mut series = Vec::new();
    let mut limits = Vec::new();
    let l = &cfg.limiters;
    if l.quota.enabled {
        series.push(a("quota tokens", GREEN, pts(ws, |w| w.end.tokens.unwrap_or(f64::NAN))));
        limits.push(Limit { label: format!("quota {:.0}", l.quota.capacity), value: l.quota.capacity });
    }
    if l.breaker.enabled {
        let scale = if l.quota.enabled { l.quota.capacity } else { 1.0 };
        series.push(a(
            "breaker (top = open)",
            VERMILLION,
            pts(ws, |w| match w.end.breaker {
                Some(BreakerState::Open) => scale,
                Some(BreakerState::HalfOpen) => scale / 2.0,
                _ => 0.0,
            }),
        ));
    }
    if l.adaptive.enabled {
        series.push(a("adaptive send rate /s", BLUE, pts(ws, |w| w.end.send_rate.unwrap_or(f64::NAN))));
    }
    if series.is_empty() {
        series.push(a("no limiter on", GREY, Vec::new()));
    }
    line_chart(c, "Limiters: retry quota, breaker, adaptive rate", &series, &limits, x, t)
}

/// Each retry's sampled delays as a histogram (share of draws per bin), on one delay axis.
pub fn draw_delays(c: &HtmlCanvasElement, report: &DelayReport, t: &Theme) -> Result<(), String> {
    const COLORS: [RGBColor; 6] = [BLUE, ORANGE, VERMILLION, PURPLE, SKY, GREEN];
    const LABELS: [&str; 6] = ["retry 1", "retry 2", "retry 3", "retry 4", "retry 5", "retry 6+"];
    let max = report.retries.iter().map(|r| r.max_ms).fold(0.0f64, f64::max).max(1.0);
    let bins = 40usize;
    let width = max / bins as f64;
    let series: Vec<Series> = report
        .retries
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut counts = vec![0usize; bins];
            for &x in &r.samples {
                counts[((x / width) as usize).min(bins - 1)] += 1;
            }
            let n = r.samples.len().max(1) as f64;
            a(LABELS[i.min(5)], COLORS[i.min(5)], counts.iter().enumerate().map(|(bin, &k)| ((bin as f64 + 0.5) * width, k as f64 / n)).collect())
        })
        .collect();
    if series.is_empty() {
        return line_chart(c, "No retries: max attempts is 1", &[], &[], (0.0, 1.0), t);
    }
    line_chart(c, "Sampled delay before each retry (ms): share of draws", &series, &[], (0.0, max), t)
}

/// Brooker's 2015 charts: one line per strategy against the number of clients.
pub fn draw_contention(c: &HtmlCanvasElement, rows: &[crate::sim::contention::SweepRow], time: bool, t: &Theme) -> Result<(), String> {
    use crate::sim::contention::Strategy;
    const COLORS: [RGBColor; 5] = [GREY, VERMILLION, BLUE, ORANGE, GREEN];
    const LABELS: [&str; 5] = ["no backoff", "exponential", "full jitter", "equal jitter", "decorrelated"];
    let series: Vec<Series> = Strategy::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pts = rows
                .iter()
                .filter(|r| r.strategy == *s)
                .map(|r| (f64::from(r.clients), if time { r.mean_time_ms } else { r.mean_calls }))
                .collect();
            a(LABELS[i], COLORS[i], pts)
        })
        .collect();
    let xmax = rows.iter().map(|r| f64::from(r.clients)).fold(1.0, f64::max);
    let title = if time { "Completion time (ms) against clients" } else { "Calls (writes) against clients" };
    line_chart(c, title, &series, &[], (0.0, xmax), t)
}
