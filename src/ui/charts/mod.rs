//! Live charts, one `draw` function each, drawn with plotters on a canvas sized to its CSS
//! box times the device pixel ratio (crisp on HiDPI). Colours are the Okabe–Ito palette,
//! distinguishable with the common colour-vision deficiencies; every series also differs in
//! its legend text, so nothing depends on colour alone.

//!
//! `mod.rs` holds what every chart shares (colours, series, the drawing routine with its
//! legend strip, fault bands and human ticks); each chart is one file with one `draw` function.

mod amplification;
mod arrivals;
mod contention;
mod delays;
mod hysteresis;
mod latency;
mod limiters;
mod load;
mod phase;
mod queue;
mod waste;

pub use amplification::draw_amplification;
pub use arrivals::draw_arrivals;
pub use contention::draw_contention;
pub use delays::draw_delays;
pub use hysteresis::draw_hysteresis;
pub use latency::draw_latency;
pub use limiters::draw_limiters;
pub use load::draw_load;
pub use phase::draw_phase;
pub use queue::draw_queue;
pub use waste::draw_waste;

use crate::sim::{Config, Fault, FaultKind, SimTime, Window};
use plotters::prelude::*;

/// Draws one time-series chart: its canvas, side A's windows in view, side B's (empty
/// without a compare side), the config of the tier shown, the x range, the theme.
pub type Draw = fn(&HtmlCanvasElement, &[&Window], &[&Window], &Config, (f64, f64), &Theme) -> Result<(), String>;

/// One chart of the page's grid: a new chart is one entry here and one file beside this one.
pub struct Chart {
    /// Its name: the canvas is `chart-{id}`, its PNG `backoff-lab-{id}.png`.
    pub id: &'static str,
    pub draw: Draw,
}

/// The page's time-series charts, in the grid's order (drawn in turn, one per frame).
pub const CHARTS: &[Chart] = &[
    Chart { id: "load", draw: draw_load },
    Chart { id: "latency", draw: draw_latency },
    Chart { id: "queue", draw: draw_queue },
    Chart { id: "arrivals", draw: draw_arrivals },
    Chart { id: "amplification", draw: draw_amplification },
    Chart { id: "waste", draw: draw_waste },
    Chart { id: "limiters", draw: draw_limiters },
];
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
/// Runs up to this long are drawn whole.
pub const WHOLE_RUN_S: f64 = 300.0;

/// How a series is drawn.
#[derive(Clone, Copy, PartialEq)]
pub enum Mark {
    Line,
    /// A dashed line: a limit or a capacity that changed over time.
    Dashed,
    /// Bars ending at each point's x, `width` wide (per-window counts).
    Bars {
        width: f64,
    },
    /// Bars stacked on the previous series' bars (same windows): from its value up to this one.
    StackedBars {
        width: f64,
    },
}

pub struct Series {
    pub label: String,
    pub color: RGBColor,
    /// Points in x order; a NaN y is a gap (no data), never drawn as zero.
    pub points: Vec<(f64, f64)>,
    /// The compare side (B): the same colour at the same weight, dashed, on the same axes (a
    /// paler, thinner B hid under A, and went dark on dark).
    pub faded: bool,
    pub mark: Mark,
}

pub(super) fn a(label: &str, color: RGBColor, points: Vec<(f64, f64)>) -> Series {
    Series { label: label.to_string(), color, points, faded: false, mark: Mark::Line }
}

pub(super) fn b(label: &str, color: RGBColor, points: Vec<(f64, f64)>) -> Series {
    Series { label: label.to_string(), color, points, faded: true, mark: Mark::Line }
}

pub(super) fn dashed(label: String, points: Vec<(f64, f64)>) -> Series {
    Series { label, color: GREY, points, faded: false, mark: Mark::Dashed }
}

/// A constant dashed line across the shown range (a timeout, a queue limit), named in the legend.
pub(super) fn limit(label: String, value: f64, x: (f64, f64)) -> Series {
    dashed(label, vec![(x.0, value), (x.1, value)])
}

/// A shaded span of time with its name: a fault, so the cause sits beside the effect.
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

pub struct Theme {
    pub dark: bool,
}

/// Numbers as people write them: 950, 1.5k, 20k, 3.2M (d3-format's `~s`).
pub fn human(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let digits = if x.abs() >= 100.0 || x == x.trunc() {
        0
    } else if x.abs() >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    format!("{s}{suffix}")
}

/// Times as people say them: 500 ms, 2 s, 1.5 s.
pub fn human_ms(ms: f64) -> String {
    if ms.abs() >= 1_000.0 { format!("{} s", human(ms / 1e3)) } else { format!("{} ms", human(ms)) }
}

/// What the x axis counts.
#[derive(Clone, Copy, PartialEq)]
pub enum XAxis {
    /// Simulated seconds.
    Seconds,
    /// A delay in milliseconds.
    Millis,
    /// A plain count (clients).
    Count,
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

/// The runs of finite points, split at gaps.
pub(super) fn runs(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &p in points {
        if p.1.is_finite() {
            if let Some(last) = out.last_mut() {
                last.push(p);
            }
        } else if out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Each dash of a dashed line through `points`, clipped to the shown `x` range: `dash` on,
/// then `0.6 × dash` off, a dash starting at every multiple of the period on the x axis. The
/// pattern is anchored to the axis, not carried from point to point, so it runs on across
/// windows shorter than a dash and never stalls where time is large and a dash's remainder is
/// below the clock's precision (it did: every dashed line stopped a few seconds into a run).
/// A dash over several points is split at them, so it follows the line. Bounded: one dash per
/// period of the shown range plus one per point, and none for a range of over 10,000 periods.
pub(super) fn dash_spans(points: &[(f64, f64)], dash: f64, x: (f64, f64), mut segment: impl FnMut((f64, f64), (f64, f64))) {
    let period = 1.6 * dash;
    if !(period > 0.0 && x.1 > x.0 && (x.1 - x.0) / period <= 10_000.0) {
        return;
    }
    for run in runs(points) {
        for pair in run.windows(2) {
            let ((xa, ya), (xb, yb)) = (pair[0], pair[1]);
            let (lo, hi) = (xa.max(x.0), xb.min(x.1));
            // Outside the range (a NaN x never loops below either).
            if hi <= lo {
                continue;
            }
            let y_at = |u: f64| ya + (yb - ya) * (u - xa) / (xb - xa);
            let mut k = (lo / period).floor();
            while k * period < hi {
                let (from, to) = ((k * period).max(lo), (k * period + dash).min(hi));
                if to > from {
                    segment((from, y_at(from)), (to, y_at(to)));
                }
                k += 1.0;
            }
        }
    }
}

/// Draws a chart: a title, a legend strip under it (outside the data), shaded fault bands,
/// then the series. Returns an error message rather than panicking.
pub fn line_chart(canvas: &HtmlCanvasElement, title: &str, series: &[Series], bands: &[Band], x: (f64, f64), axis: XAxis, theme: &Theme) -> Result<(), String> {
    // Every length below is in CSS pixels × this: presenter mode draws it all larger.
    let dpr = fit_canvas(canvas) * crate::ui::chart_scale();
    // Its smallest text (the band labels' 9 px) on the screen, for a test to read.
    let _ = canvas.set_attribute("data-text-px", &(9.0 * crate::ui::chart_scale()).to_string());
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("this browser has no 2D canvas")?;
    let root = backend.into_drawing_area();
    let (bg, fg) = if theme.dark { (RGBColor(29, 29, 33), RGBColor(236, 236, 240)) } else { (WHITE, RGBColor(29, 29, 31)) };
    root.fill(&bg).map_err(|e| e.to_string())?;
    let px = |v: f64| (v * dpr).round() as i32;
    // The family by name, not "sans-serif" text: parsing the text lowercases it, which costs the
    // page unicode tables.
    let font = |size: f64| (FontFamily::SansSerif, size * dpr).into_font().color(&fg);
    let (width, _) = root.dim_in_pixel();

    // The title, then the legend entries laid out in rows under it.
    // The title fits its canvas: a smaller font first, then an ellipsis, never clipped.
    let room = width.saturating_sub(px(12.0) as u32);
    let fits = |t: &str, size: f64| root.estimate_text_size(t, &font(size)).is_ok_and(|(w, _)| w <= room);
    let size = [12.0, 11.0, 10.0, 9.0].into_iter().find(|&z| fits(title, z)).unwrap_or(9.0);
    let chars: Vec<char> = title.chars().collect();
    let shown = if fits(title, size) {
        title.to_string()
    } else {
        (1..chars.len())
            .rev()
            .map(|n| format!("{}…", chars[..n].iter().collect::<String>().trim_end()))
            .find(|t| fits(t, size))
            .unwrap_or_else(|| "…".to_string())
    };
    root.draw(&Text::new(shown, (px(6.0), px(3.0)), font(size))).map_err(|e| e.to_string())?;
    // Comparing (some series are side B's), each side is named: A's "A …" beside B's "B …";
    // limits (dashed grey) stay as they are.
    let comparing = series.iter().any(|s| s.faded);
    let mut entries: Vec<(&Series, String)> = Vec::new();
    for s in series.iter().filter(|s| !s.label.is_empty()) {
        let side = if comparing && !s.faded && s.mark != Mark::Dashed { "A " } else { "" };
        entries.push((s, format!("{side}{}", s.label)));
    }
    let (mut lx, mut ly) = (px(6.0), px(19.0));
    let row_h = px(13.0);
    for (s, label) in &entries {
        let tw = root.estimate_text_size(label, &font(10.0)).map_or(px(60.0) as u32, |t| t.0) as i32;
        let item_w = px(18.0) + tw + px(10.0);
        if lx + item_w > width as i32 && lx > px(6.0) {
            lx = px(6.0);
            ly += row_h;
        }
        let y = ly + px(5.0);
        let color = if s.faded && s.mark != Mark::Line { s.color.mix(0.5) } else { s.color.mix(1.0) };
        match s.mark {
            Mark::Bars { .. } | Mark::StackedBars { .. } => {
                root.draw(&Rectangle::new([(lx, y - px(4.0)), (lx + px(12.0), y + px(4.0))], color.filled())).map_err(|e| e.to_string())?;
            }
            Mark::Line if s.faded => {
                for k in 0..2 {
                    let x0 = lx + k * px(8.0);
                    root.draw(&PathElement::new(vec![(x0, y), (x0 + px(6.0), y)], color.stroke_width(px(2.0) as u32))).map_err(|e| e.to_string())?;
                }
            }
            Mark::Dashed => {
                for k in 0..3 {
                    let x0 = lx + k * px(5.0);
                    root.draw(&PathElement::new(vec![(x0, y), (x0 + px(3.0), y)], color.stroke_width(px(2.0) as u32))).map_err(|e| e.to_string())?;
                }
            }
            Mark::Line => {
                root.draw(&PathElement::new(vec![(lx, y), (lx + px(14.0), y)], color.stroke_width(px(2.0) as u32))).map_err(|e| e.to_string())?;
            }
        }
        root.draw(&Text::new(label.clone(), (lx + px(18.0), ly), font(10.0))).map_err(|e| e.to_string())?;
        lx += item_w;
    }
    let top = (ly + row_h + px(2.0)).max(0) as u32;
    let (_, plot_area) = root.split_vertically(top);

    let x1 = x.1.max(x.0 + 1.0);
    // The fault bands in view and the row of each one's label: labels of bands that start
    // close together stack in rows instead of overprinting (each row remembers where its last
    // label ends, its width estimated from 5.5 px a character on a plot as wide as the area
    // less its margins and y labels).
    let (area_w, area_h) = plot_area.dim_in_pixel();
    let per_px_x = (x1 - x.0) / (f64::from(area_w) - 56.0 * dpr).max(1.0);
    let mut rows: Vec<f64> = Vec::new();
    let mut shaded = Vec::new();
    for band in bands {
        let (from, to) = (band.from.max(x.0), band.to.min(x1));
        if to < x.0 || from > x1 {
            continue;
        }
        // An instant (a restart) is a thin band, one pixel's worth of time at least.
        let min_w = (x1 - x.0) / 300.0;
        let to = if to - from < min_w { from + min_w } else { to };
        let row = rows.iter().position(|&end| from >= end).unwrap_or(rows.len());
        if row == rows.len() {
            rows.push(0.0);
        }
        rows[row] = from + (band.label.chars().count() as f64 * 5.5 + 6.0) * dpr * per_px_x;
        shaded.push((from, to, row, &band.label));
    }
    let peak = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).filter(|v| v.is_finite()).fold(0.0f64, f64::max).max(1.0) * 1.1;
    // The labels' rows sit above the data, never over it: the axis grows by their height (at
    // most doubling, on a plot too short for them).
    let plot_h = (f64::from(area_h) - 22.0 * dpr).max(1.0);
    let ymax = peak * plot_h / (plot_h - rows.len() as f64 * 11.0 * dpr).max(plot_h / 2.0);
    // What the chart shows, readable beside it: the top its data needs (the axis adds the fault
    // labels' room above it) and its legend (the browser tests read these, as a learner reads
    // the drawing).
    let _ = canvas.set_attribute("data-ymax", &format!("{peak:.1}"));
    let _ = canvas.set_attribute("data-title", title);
    // Its title is its name for screen readers.
    let _ = canvas.set_attribute("aria-label", title);
    let mut legend = String::new();
    for (_, label) in &entries {
        legend.push_str(label);
        legend.push_str(" | ");
    }
    let _ = canvas.set_attribute("data-legend", &legend);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin_left(px(4.0) as u32)
        .margin_top(px(2.0) as u32)
        .margin_bottom(px(2.0) as u32)
        // Room for the last x label, so "60 s" is never clipped.
        .margin_right(px(16.0) as u32)
        .x_label_area_size(px(18.0) as u32)
        .y_label_area_size(px(36.0) as u32)
        // A little below zero, so a line at zero (no goodput) is seen above the axis, not on it.
        .build_cartesian_2d(x.0..x1, -0.03 * ymax..ymax)
        .map_err(|e| e.to_string())?;
    let x_fmt = move |v: &f64| match axis {
        XAxis::Seconds => format!("{} s", human(*v)),
        XAxis::Millis => human_ms(*v),
        XAxis::Count => human(*v),
    };
    let y_fmt = |v: &f64| human(*v);
    chart
        .configure_mesh()
        .light_line_style(fg.mix(0.06))
        .bold_line_style(fg.mix(0.15))
        .axis_style(fg.mix(0.5))
        .label_style(font(10.0))
        .x_labels(6)
        .y_labels(4)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(|e| e.to_string())?;
    // Fault bands under the data, each named at its top-left, in its row above the data.
    let band_fill = if theme.dark { RGBColor(255, 200, 120).mix(0.13) } else { RGBColor(213, 94, 0).mix(0.1) };
    let per_px_y = ymax / f64::from(chart.plotting_area().dim_in_pixel().1.max(1));
    for (from, to, row, label) in shaded {
        chart.draw_series(std::iter::once(Rectangle::new([(from, 0.0), (to, ymax)], band_fill.filled()))).map_err(|e| e.to_string())?;
        let y = ymax - row as f64 * 11.0 * dpr * per_px_y;
        chart.draw_series(std::iter::once(Text::new(label.clone(), (from, y), font(9.0)))).map_err(|e| e.to_string())?;
    }
    let stroke = (2.0 * dpr) as u32;
    // A bar is at least about one pixel wide, so one tall window (a retry wave) is never lost.
    let min_bar = (x1 - x.0) / f64::from(plot_area.dim_in_pixel().0.max(1));
    for (i, s) in series.iter().enumerate() {
        let color = if s.faded && s.mark != Mark::Line { s.color.mix(0.45) } else { s.color.mix(1.0) };
        // Dashes as short segments along each run: a limit's grey ones, or side B's in colour
        // (longer, so the two never look alike).
        let dashes = |points: &[(f64, f64)], dash: f64| -> Vec<PathElement<(f64, f64)>> {
            let mut segs = Vec::new();
            dash_spans(points, dash, (x.0, x1), |a, b| segs.push(PathElement::new(vec![a, b], color.stroke_width(stroke))));
            segs
        };
        match s.mark {
            Mark::Bars { width } | Mark::StackedBars { width } => {
                let below = match (s.mark, i.checked_sub(1).and_then(|j| series.get(j))) {
                    (Mark::StackedBars { .. }, Some(prev)) => Some(&prev.points),
                    _ => None,
                };
                let width = width.max(min_bar);
                chart
                    .draw_series(s.points.iter().enumerate().filter(|(_, p)| p.1.is_finite() && p.1 > 0.0).map(|(k, &(xe, y))| {
                        let base = below.and_then(|b| b.get(k)).map_or(0.0, |p| if p.1.is_finite() { p.1 } else { 0.0 });
                        Rectangle::new([(xe - width, base), (xe, y.max(base))], color.filled())
                    }))
                    .map_err(|e| e.to_string())?;
            }
            // A limit (grey, short dashes) and side B (in colour, longer ones), each dash with
            // a casing of the background: drawn over the data, they are seen where they run
            // through it (a healthy lab's capacity line, among its noisy windows) or on side
            // A's own line (the two sides often agree for a while).
            _ if s.mark == Mark::Dashed || s.faded => {
                let dash = (x1 - x.0) / if s.faded { 60.0 } else { 120.0 };
                let mut casing = Vec::new();
                dash_spans(&s.points, dash, (x.0, x1), |a, b| casing.push(PathElement::new(vec![a, b], bg.stroke_width(stroke * 3))));
                chart.draw_series(casing).map_err(|e| e.to_string())?;
                chart.draw_series(dashes(&s.points, dash)).map_err(|e| e.to_string())?;
                // A lone point (between gaps) as a dot, as side A's.
                let lone = runs(&s.points).into_iter().filter(|r| r.len() == 1).map(|r| Circle::new(r[0], stroke, color.filled()));
                chart.draw_series(lone).map_err(|e| e.to_string())?;
            }
            _ => {
                let style = color.stroke_width(stroke);
                for run in runs(&s.points) {
                    if run.len() == 1 {
                        chart.draw_series(std::iter::once(Circle::new(run[0], stroke, style.filled()))).map_err(|e| e.to_string())?;
                    } else {
                        chart.draw_series(LineSeries::new(run, style)).map_err(|e| e.to_string())?;
                    }
                }
            }
        }
    }
    root.present().map_err(|e| e.to_string())
}

/// The x range shown: the whole run when it is at most `WHOLE_RUN_S` long (so the trigger stays
/// in view beside its effect), otherwise the last `SPAN_S` seconds.
pub fn x_range(now: SimTime, duration_s: f64) -> (f64, f64) {
    let t = now.as_secs_f64();
    if duration_s <= WHOLE_RUN_S && t <= duration_s + 1e-9 {
        return (0.0, duration_s.max(1.0));
    }
    ((t - SPAN_S).max(0.0), t.max(10.0))
}

/// One point per window at its end; NaN values stay (they are gaps).
pub(super) fn pts(ws: &[&Window], f: impl Fn(&Window) -> f64) -> Vec<(f64, f64)> {
    ws.iter().map(|w| (w.end_time().as_secs_f64(), f(w))).collect()
}

pub(super) type Metric = fn(&Window) -> f64;

/// `n` events in window `w`, per second (windows widen as a run grows: a count per window
/// would change its meaning with them).
pub(super) fn per_s(n: u64, w: &Window) -> f64 {
    n as f64 / w.width.as_secs_f64().max(1e-9)
}

/// One measure drawn for both sides: side A's name, side B's, its colour, the measure.
pub(super) type Both = (&'static str, &'static str, RGBColor, Metric);

/// Side A's series, then (when comparing) side B's of every same measure: each line a learner
/// reads for A has its B beside it.
pub(super) fn sides(ws: &[&Window], cmp: &[&Window], measures: &[Both]) -> Vec<Series> {
    let mut series: Vec<Series> = measures.iter().map(|(label, _, color, f)| a(label, *color, pts(ws, f))).collect();
    if !cmp.is_empty() {
        series.extend(measures.iter().map(|(_, label, color, f)| b(label, *color, pts(cmp, f))));
    }
    series
}

/// The windows inside the shown range.
pub fn visible(windows: &[Window], x: (f64, f64)) -> Vec<&Window> {
    windows.iter().filter(|w| w.end_time().as_secs_f64() >= x.0).collect()
}

/// A fault's kind and size in words, as its band on the charts names it.
pub fn fault_label(f: &Fault) -> String {
    match f.kind {
        FaultKind::Capacity if f.value == 0.0 => "crash".to_string(),
        FaultKind::Capacity => format!("capacity {}%", human(f.value * 100.0)),
        FaultKind::Slow => format!("{}× slower", human(f.value)),
        FaultKind::Errors => format!("{}% errors", human(f.value * 100.0)),
        FaultKind::Load => format!("load ×{}", human(f.value)),
        FaultKind::Restart => "restart".to_string(),
    }
}

/// Every fault of `cfg` in words, for the fault list: where (in a system), what, and when
/// ("tier 2, host 4: 4× slower, 10–30 s"; hosts counted from 1, as a person counts them).
pub fn fault_list(cfg: &Config) -> Vec<String> {
    let system = cfg.is_system();
    let edge = cfg.faults.iter().map(|f| (0, None, f));
    edge.chain(cfg.tier_faults.iter().map(|f| (f.tier as usize, f.host, &f.fault)))
        .map(|(t, host, f)| {
            // Pieces pushed rather than formatted: each format! costs the page's download.
            let mut s = String::new();
            if system || host.is_some() {
                s += &crate::explain::tier_name(cfg, t);
                if let Some(h) = host {
                    s += ", host ";
                    s += &(h + 1).to_string();
                }
                s += ": ";
            }
            s += &fault_label(f);
            s += if f.start_s == f.end_s { ", at " } else { ", " };
            s += &human(f.start_s);
            if f.start_s != f.end_s {
                s += "–";
                // A fault set to last past the run ("for ever") ends, as seen, with the run.
                s += &human(f.end_s.min(cfg.duration_s));
            }
            s += " s";
            s
        })
        .collect()
}

/// Every trigger of the system as a shaded band: the tier's own faults, one host's, and those
/// elsewhere (see `Config::tier_view`).
pub fn fault_bands(cfg: &Config) -> Vec<Band> {
    cfg.faults.iter().chain(cfg.tier_faults.iter().map(|f| &f.fault)).map(|f| Band { from: f.start_s, to: f.end_s, label: fault_label(f) }).collect()
}
