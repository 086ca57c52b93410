//! Goodput against offered load, a point per 2 s, the way up in one colour and the way down
//! in another: where a system with hysteresis collapses as load rises, and the much lower load
//! it must fall to before it recovers, show as a loop. The dashed diagonal is goodput equal to
//! offered (a healthy service sits on it).

use super::*;
use web_sys::HtmlCanvasElement;

/// Points (offered/s, goodput/s) of one way of the loop, and when each span started.
type Line = Vec<(f64, f64)>;

/// The 2 s spans of `windows` as (offered/s, goodput/s), split at `peak_s`, with their starts.
fn spans(windows: &[Window], peak_s: f64) -> (Line, Line, Vec<f64>, Vec<f64>) {
    let (mut up, mut down, mut up_t, mut down_t) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut acc: Option<(f64, f64, f64, f64)> = None; // (start, width, offered, goodput)
    for w in windows {
        let (start, width) = (w.start.as_secs_f64(), w.width.as_secs_f64());
        let a = acc.get_or_insert((start, 0.0, 0.0, 0.0));
        a.1 += width;
        a.2 += w.counts.first_attempts as f64;
        a.3 += w.counts.successes as f64;
        if a.1 >= 2.0 - 1e-9 {
            let p = (a.2 / a.1, a.3 / a.1);
            if a.0 < peak_s {
                up.push(p);
                up_t.push(a.0);
            } else {
                down.push(p);
                down_t.push(a.0);
            }
            acc = None;
        }
    }
    (up, down, up_t, down_t)
}

pub fn draw_hysteresis(c: &HtmlCanvasElement, windows: &[Window], cfg: &Config, t: &Theme) -> Result<(), String> {
    // The way up ends where the ramps reach their highest rate.
    let peak_s =
        cfg.load.ramps.iter().filter(|r| r.to_per_s >= cfg.load.rate_per_s).max_by(|a, b| a.to_per_s.total_cmp(&b.to_per_s)).map_or(f64::MAX, |r| r.end_s);
    let (up, down, up_t, down_t) = spans(windows, peak_s);
    let top = up.iter().chain(&down).map(|p| p.0.max(p.1)).fold(1.0, f64::max) * 1.05;
    // Where it tipped on the way up (goodput under half of offered), and where it came back on
    // the way down (90 % of offered again, after having been down), said in the legend: its
    // entries wrap into rows on a narrow chart, where a title would lose its end.
    let (mut rising, mut falling) = ("load rising".to_string(), "load falling".to_string());
    if let Some(i) = up.iter().position(|p| p.1 < 0.5 * p.0) {
        rising = format!("{rising}: tips at {}/s ({} s)", human(up[i].0), human(up_t[i]));
        let down_from = down.iter().position(|p| p.1 < 0.5 * p.0).unwrap_or(0);
        if let Some(j) = down.iter().skip(down_from).position(|p| p.1 >= 0.9 * p.0).map(|j| j + down_from) {
            falling = format!("{falling}: back at {}/s ({} s)", human(down[j].0), human(down_t[j]));
        }
    }
    let series = vec![a(&rising, BLUE, up), a(&falling, VERMILLION, down), dashed("goodput = offered".into(), vec![(0.0, 0.0), (top, top)])];
    line_chart(c, "Goodput (y) against offered load (x), req/s, per 2 s", &series, &[], (0.0, top), XAxis::Count, t)
}
