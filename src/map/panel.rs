//! "Where does it tip?": the current lab mapped over two axes, each cell coloured by the share
//! of its seeds that stay down after the trigger (the definitions of [`super::sweep`]).
//!
//! This panel is in the on-demand panels' wasm (`panels`), fetched only when a learner opens the map,
//! so the page's start-up download does not carry it. It builds its controls in the page's
//! `#map-panel` element, reads the lab from that element's `data-link` (the page's share link)
//! and computes cells in Web Workers (`map-worker`, one per core up to four, each fed chunks of
//! cells, and kept from one map to the next) so the animation keeps its frame rate. The button
//! shows progress and cancels; hovering a cell says what it measured; clicking it sends the
//! cell's link to the page in a `lab-load` event, and the page loads it on the same seed.

use super::sweep::Axis;
use super::{AXES, Job, SETTLE_S, axis_now, axis_values, nearest};
use crate::ui::web::{media, now_ms};
use crate::url;
use js_sys::Array;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, Document, Element, HtmlCanvasElement, HtmlSelectElement, KeyboardEvent, MessageEvent, MouseEvent, Worker};

/// Cells sent to a worker at a time: small enough to share the slow cells out.
const CHUNK: usize = 10;
/// The grid's margins in CSS pixels: labels left and below.
const LEFT: f64 = 46.0;
const BOTTOM: f64 = 34.0;
const TOP: f64 = 18.0;
const RIGHT: f64 = 8.0;

/// One of the map's Web Workers. Workers are kept from one map to the next; one is never
/// stopped while it still loads its script (a browser may fail or crash on that), only once it
/// is running a share of a map that is no longer wanted.
struct Slot {
    worker: Worker,
    /// Kept alive as long as the worker.
    _handler: Closure<dyn FnMut(MessageEvent)>,
    /// Whether it has loaded and said so.
    ready: bool,
    /// The map (its generation) whose chunk it is running, if any.
    busy: Option<u32>,
}

/// A map being computed, or done.
#[derive(Default)]
struct Run {
    job: Option<Job>,
    /// Counts the maps asked for: a result from a worker still running an older one is dropped.
    generation: u32,
    /// (share of seeds that stay down, median recovery in s or NaN, share that recovered) per cell.
    cells: Vec<Option<(f64, f64, f64)>>,
    done: usize,
    next: usize,
    slots: Vec<Option<Slot>>,
    started_ms: f64,
    took_ms: Option<f64>,
    error: Option<String>,
    /// The cell the keyboard is on, if a learner moved onto the grid with the keys.
    focus: Option<usize>,
    /// The cell under the pointer, outlined so that the learner sees which one the status
    /// line describes.
    hover: Option<usize>,
    /// The cell nearest the lab the map was computed for, if both its values lie on the axes.
    here: Option<usize>,
}

impl Run {
    fn running(&self) -> bool {
        self.job.is_some() && self.took_ms.is_none() && self.error.is_none()
    }

    /// A new map (or none, to cancel): the workers are kept, those still on an older map's chunk
    /// that have loaded are stopped (their slots are filled again by the next map).
    fn reset(&mut self, next: Run) {
        let mut slots = std::mem::take(&mut self.slots);
        for slot in &mut slots {
            if slot.as_ref().is_some_and(|s| s.ready && s.busy.is_some()) {
                if let Some(s) = slot.take() {
                    s.worker.terminate();
                }
            }
        }
        let generation = self.generation.wrapping_add(1);
        *self = Run { slots, generation, ..next };
    }

    /// Sends worker `w` its next chunk, if it is free and cells are left.
    fn feed(&mut self, w: usize) {
        let Some(job) = self.job.as_ref() else { return };
        if self.next >= job.cells() || !self.running() {
            return;
        }
        let Some(Some(slot)) = self.slots.get_mut(w) else { return };
        if !slot.ready || slot.busy.is_some() {
            return;
        }
        let to = (self.next + CHUNK).min(job.cells());
        let text = Job { from: self.next, to, ..job.clone() }.to_text();
        self.next = to;
        slot.busy = Some(self.generation);
        let _ = slot.worker.post_message(&JsValue::from(text));
    }

    /// Whether worker `w` is running a chunk of the map now asked for.
    fn current(&self, w: usize) -> bool {
        matches!(self.slots.get(w), Some(Some(s)) if s.busy == Some(self.generation))
    }
}

fn dark() -> bool {
    media("(prefers-color-scheme: dark)")
}

/// A cell's colour for the share of its seeds that stay down: light yellow (every seed
/// recovers) to dark purple (every seed stays down), readable in grey too.
fn share_colour(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * s).round();
    format!("rgb({},{},{})", mix(253.0, 84.0), mix(231.0, 39.0), mix(37.0, 136.0))
}

/// A cell with no verdict (no seed stays down and none recovered), and one still to come.
fn no_verdict_colour(dark: bool) -> &'static str {
    if dark { "#4f7f9a" } else { "#8fb8d0" }
}

fn to_come_colour(dark: bool) -> &'static str {
    if dark { "#34343a" } else { "#e4e4e8" }
}

/// The map's key: a swatch for every colour a cell can have, and the rings.
fn legend(no_fault: bool) -> String {
    let dark = dark();
    let swatch = |fill: &str, words: &str| format!("<span class=\"map-key\"><i style=\"background:{fill}\"></i>{words}</span>");
    let (up, down) = if no_fault { ("serving at the end", "down at the end") } else { ("every seed recovers", "every seed stays down") };
    let shades = format!("linear-gradient(90deg,{},{})", share_colour(0.0), share_colour(1.0));
    [
        swatch(&share_colour(0.0), up),
        swatch(&shades, "some of each"),
        swatch(&share_colour(1.0), down),
        swatch(no_verdict_colour(dark), "no verdict"),
        swatch(to_come_colour(dark), "still to come"),
        "<span class=\"map-key\"><i class=\"ring\"></i>the lab mapped</span>".to_string(),
    ]
    .concat()
}

/// An axis value as written: the axes hold round values (see `super::axis_values`).
fn short(v: f64) -> String {
    format!("{v}")
}

fn by_id<T: JsCast>(doc: &Document, id: &str) -> Option<T> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

/// Draws the grid: yellow where every seed recovers, dark where every seed stays down, blue
/// where no seed has a verdict, grey where the cell is still to come; ticks on both axes, a
/// ring on the cell of the lab the map was computed for, and the cells under the pointer and
/// the keyboard outlined.
fn draw(canvas: &HtmlCanvasElement, run: &Run) -> Option<()> {
    let job = run.job.as_ref()?;
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let dark = dark();
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (w, h) = (f64::from(canvas.client_width()).max(200.0), f64::from(canvas.client_height()).max(160.0));
    canvas.set_width((w * dpr) as u32);
    canvas.set_height((h * dpr) as u32);
    let _ = ctx.scale(dpr, dpr);
    let (nx, ny) = (job.x.values.len(), job.y.values.len());
    let (cw, ch) = ((w - LEFT - RIGHT) / nx as f64, (h - TOP - BOTTOM) / ny as f64);
    // Cell i's top-left corner; rows go up: the first y value is at the bottom.
    let corner = |i: usize| (LEFT + (i % nx) as f64 * cw, TOP + (ny as f64 - 1.0 - (i / nx) as f64) * ch);
    for (i, cell) in run.cells.iter().enumerate() {
        let colour = match cell {
            // No seed stayed down and none recovered: no verdict, its own colour.
            Some((share, _, recovered)) if *share == 0.0 && *recovered == 0.0 => no_verdict_colour(dark).to_string(),
            Some((share, _, _)) => share_colour(*share),
            None => to_come_colour(dark).to_string(),
        };
        ctx.set_fill_style_str(&colour);
        let (x, y) = corner(i);
        ctx.fill_rect(x, y, cw - 1.0, ch - 1.0);
    }
    let ink = if dark { "#ececf0" } else { "#1d1d1f" };
    // The lab as it is now: a ring in both themes' ink, white inside it so it shows on dark cells.
    // The cell the status line describes, under the pointer or the keyboard: blue over white
    // (the lab's own ring is in ink), on any colour.
    for (cell, colour, width) in
        [(run.here, "#ffffff", 4.0), (run.here, ink, 2.0), (run.hover, "#ffffff", 4.0), (run.hover, "#0072b2", 2.0), (run.focus, "#0072b2", 3.0)]
    {
        if let Some(i) = cell {
            let (x, y) = corner(i);
            ctx.set_stroke_style_str(colour);
            ctx.set_line_width(width);
            ctx.stroke_rect(x + 1.5, y + 1.5, cw - 4.0, ch - 4.0);
        }
    }
    ctx.set_fill_style_str(ink);
    ctx.set_stroke_style_str(ink);
    ctx.set_line_width(1.0);
    ctx.set_font("11px sans-serif");
    // Up to six ticks on each axis, at cell centres, each on a round multiple of the axis's
    // step (1, 2, 5 or 10 steps apart) with the cell's value.
    let ticks = |v: &[f64]| -> Vec<usize> {
        let step = if v.len() > 1 { v[1] - v[0] } else { 1.0 };
        let every = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0].into_iter().find(|m| v.len() as f64 / m <= 6.0).unwrap_or(100.0) * step;
        (0..v.len()).filter(|&i| ((v[i] / every) - (v[i] / every).round()).abs() < 1e-6).collect()
    };
    ctx.set_text_align("center");
    for i in ticks(&job.x.values) {
        let x = LEFT + (i as f64 + 0.5) * cw;
        ctx.begin_path();
        ctx.move_to(x, h - BOTTOM);
        ctx.line_to(x, h - BOTTOM + 4.0);
        ctx.stroke();
        let _ = ctx.fill_text(&short(job.x.values[i]), x, h - BOTTOM + 14.0);
    }
    ctx.set_text_align("right");
    for j in ticks(&job.y.values) {
        let y = TOP + (ny as f64 - 0.5 - j as f64) * ch;
        ctx.begin_path();
        ctx.move_to(LEFT - 4.0, y);
        ctx.line_to(LEFT, y);
        ctx.stroke();
        let _ = ctx.fill_text(&short(job.y.values[j]), LEFT - 6.0, y + 4.0);
    }
    ctx.set_text_align("left");
    let _ = ctx.fill_text(&format!("across: {}", label(job, &job.x.key)), LEFT, h - 4.0);
    let _ = ctx.fill_text(&format!("up: {}", label(job, &job.y.key)), LEFT, 12.0);
    Some(())
}

fn label(job: &Job, key: &str) -> &'static str {
    super::axis_label(&job.base, key)
}

/// The key's swatches (once a page): small boxes in a wrapping row, the ring as a ring.
fn install_style(doc: &Document) {
    if doc.get_element_by_id("map-style").is_some() {
        return;
    }
    if let (Ok(style), Some(head)) = (doc.create_element("style"), doc.head()) {
        style.set_id("map-style");
        style.set_text_content(Some(
            ".map-legend { display: flex; flex-wrap: wrap; gap: 0.2rem 0.9rem; margin: 0.4rem 0; }\
             .map-key { display: inline-flex; align-items: center; gap: 0.3rem; white-space: nowrap; }\
             .map-key i { display: inline-block; width: 1.1em; height: 0.9em; border: 1px solid var(--line); }\
             .map-key i.ring { border: 2px solid var(--fg); box-shadow: inset 0 0 0 2px var(--card); background: none; }",
        ));
        let _ = head.append_child(&style);
    }
}

/// The cell under a pointer at (x, y) CSS pixels in the canvas.
fn cell_at(canvas: &HtmlCanvasElement, job: &Job, x: f64, y: f64) -> Option<usize> {
    let (w, h) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
    let fx = (x - LEFT) / (w - LEFT - RIGHT);
    let fy = 1.0 - (y - TOP) / (h - TOP - BOTTOM);
    if !(0.0..1.0).contains(&fx) || !(0.0..1.0).contains(&fy) {
        return None;
    }
    let (nx, ny) = (job.x.values.len(), job.y.values.len());
    Some((fy * ny as f64) as usize * nx + (fx * nx as f64) as usize)
}

/// Whether `cfg` has no fault at all, so its cells are judged at the end alone ([`super::sweep`]).
fn no_fault(cfg: &crate::sim::Config) -> bool {
    cfg.faults.is_empty() && cfg.tier_faults.is_empty()
}

/// What cell `i` measured, in words (the hover and the keyboard say this).
fn describe(r: &Run, i: usize) -> Option<String> {
    let job = r.job.as_ref()?;
    let n = job.x.values.len();
    Some(sentence(job, job.x.values[i % n], job.y.values[i / n], r.here == Some(i), r.cells.get(i).copied().flatten()))
}

/// What a cell at (`x`, `y`) measured, in words (`cell`: the share of seeds down, the median
/// recovery time, the share recovered; `None` while it is still to come).
fn sentence(job: &Job, x: f64, y: f64, here: bool, cell: Option<(f64, f64, f64)>) -> String {
    // The axes as the pickers name them, not as keys.
    let name = |key: &str| if label(job, key).is_empty() { key.to_string() } else { label(job, key).to_string() };
    let here = if here { " (the lab mapped)" } else { "" };
    let at = format!("{} {}, {} {}{here}", name(&job.x.key), short(x), name(&job.y.key), short(y));
    match cell {
        Some((share, rec, recovered)) => {
            let n = f64::from(job.seeds);
            let (down, up) = ((share * n).round(), (recovered * n).round());
            let none = n - down - up;
            let rec = if rec.is_nan() { String::new() } else { format!(" (median {rec:.1} s)") };
            let rest =
                if none > 0.0 { format!(", {none:.0} no verdict (the trigger still on at the end, or goodput between half and 90 %)") } else { String::new() };
            // A lab with no fault has no trigger to end: it is judged at the end alone.
            let (down_w, up_w) = if no_fault(&job.base) { ("are down at the end", "serving") } else { ("stay down", "recover") };
            format!("{at}: of {n:.0} seeds, {down:.0} {down_w}, {up:.0} {up_w}{rec}{rest}. Click it, or press Enter, to load it.")
        }
        None => format!("{at}: not computed yet"),
    }
}

/// The tallest a cell's sentence can be for this map: its widest values, every clause.
fn tallest_sentence(job: &Job) -> String {
    let widest = |vs: &[f64]| vs.iter().copied().max_by_key(|v| short(*v).len()).unwrap_or(0.0);
    sentence(job, widest(&job.x.values), widest(&job.y.values), true, Some((0.34, 999.9, 0.33)))
}

/// Writes the map's status line. Its height only grows, to the tallest text so far: a shorter
/// text would shorten the page, and at the page's foot (a phone's usual view of the map) the
/// browser then scrolls it all down, so the cell under the learner's finger or pointer moves
/// between hover and click and the click loads its neighbour.
fn set_status(doc: &Document, text: &str) {
    let Some(p) = doc.get_element_by_id("map-status") else { return };
    p.set_text_content(Some(text));
    let tallest = p.get_attribute("data-tallest").and_then(|h| h.parse().ok()).unwrap_or(0);
    let h = p.client_height();
    if h > tallest {
        let _ = p.set_attribute("data-tallest", &h.to_string());
        // Border-box, so the height kept is the one measured (padding and all).
        let _ = p.set_attribute("style", &format!("box-sizing: border-box; min-height: {h}px"));
    }
}

/// Sends cell `i`'s config to the page, which loads it on the same seed.
fn load_cell(root: &Element, job: &Job, i: usize) {
    let Ok(cfg) = job.config(i) else { return };
    let (mut link, _) = url::decode(&root.get_attribute("data-link").unwrap_or_default());
    link.config = cfg;
    link.compare = None;
    crate::ui::panels::load_into_lab(root, &url::encode(&link));
}

/// Starts map worker `w`: it says when it has loaded, then sends each cell of a chunk and `-1`
/// when the chunk is done; a result for a map no longer asked for is dropped.
fn spawn(run: &Rc<RefCell<Run>>, show: &Rc<dyn Fn()>, on_error: &Closure<dyn FnMut(web_sys::Event)>, w: usize) -> Option<Slot> {
    let worker = Worker::new("map-worker_loader.js").ok()?;
    let (run, show) = (run.clone(), show.clone());
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |msg: MessageEvent| {
        let data = Array::from(&msg.data());
        let Ok(mut r) = run.try_borrow_mut() else { return };
        let current = r.current(w);
        match data.get(0).as_f64() {
            // Loaded, or done with a chunk: free for the next one.
            first if data.length() == 0 || first.is_some_and(|i| i < 0.0) => {
                if let Some(Some(slot)) = r.slots.get_mut(w) {
                    slot.ready = true;
                    slot.busy = None;
                }
                r.feed(w);
            }
            Some(i) if current => {
                let cell = (data.get(1).as_f64().unwrap_or(0.0), data.get(2).as_f64().unwrap_or(f64::NAN), data.get(3).as_f64().unwrap_or(0.0));
                if let Some(c) = r.cells.get_mut(i as usize) {
                    *c = Some(cell);
                    r.done += 1;
                }
                if r.done == r.cells.len() {
                    r.took_ms = Some(now_ms() - r.started_ms);
                }
            }
            None if current => r.error = Some(data.get(1).as_string().unwrap_or_default()),
            _ => return,
        }
        drop(r);
        show();
    });
    worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Some(Slot { worker, _handler: handler, ready: false, busy: None })
}

/// Builds the panel in `#map-panel` and computes the map at once (opening it is asking for
/// it). `crate::ui::panels` calls this once its wasm has loaded. Changing an axis or the size
/// computes it again; the button cancels a map in progress, or computes it anew.
pub fn start() -> Option<()> {
    let doc = web_sys::window()?.document()?;
    let root: Element = doc.get_element_by_id("map-panel")?;
    let base = url::decode(&root.get_attribute("data-link").unwrap_or_default()).0.config;
    let judged = if no_fault(&base) {
        "this lab has no fault: dark cells are down at the end, yellow ones serving"
    } else {
        "dark cells stay down after the trigger, yellow ones recover"
    };
    let legend = legend(no_fault(&base));
    install_style(&doc);
    let options: String = AXES.iter().map(|(k, _)| format!("<option value=\"{k}\">{}</option>", super::axis_label(&base, k))).collect();
    root.set_inner_html(&format!(
        "<div class=\"map-controls\"><label>Across <select id=\"map-x\">{options}</select></label>\
         <label>Up <select id=\"map-y\">{options}</select></label>\
         <select id=\"map-size\" aria-label=\"Grid size\"><option value=\"20\">up to 20 × 20</option><option value=\"10\">up to 10 × 10</option></select>\
         <button id=\"map-run\">Compute the map</button></div>\
         <p class=\"map-legend\" id=\"map-legend\">{legend}</p>\
         <p class=\"help-inline\">No verdict: no seed stays down or recovers (the trigger is still on at the end, or goodput settles between half and 90 %). In a lab with no fault, dark is down at the end and yellow serving (90 % or more of offered) over the last {SETTLE_S} s. A ring marks the lab as it was when the map was computed (compute again after a change).</p>\
         <canvas id=\"map\" tabindex=\"0\" role=\"img\" aria-label=\"Share of seeds that stay down, for each pair of values; arrow keys move between cells, Enter loads one\" hidden></canvas>\
         <p class=\"help-inline\" id=\"map-status\" aria-live=\"polite\">Each cell runs this lab for its duration on 3 seeds; {judged} \
         (goodput under half of offered, or 90 % or more, over the last {SETTLE_S} s).</p>"
    ));
    let (x_sel, y_sel): (HtmlSelectElement, HtmlSelectElement) = (by_id(&doc, "map-x")?, by_id(&doc, "map-y")?);
    let (x, y) = super::default_axes(&base);
    x_sel.set_value(x);
    y_sel.set_value(y);
    let run = Rc::new(RefCell::new(Run::default()));
    let show = {
        let (doc, run) = (doc.clone(), run.clone());
        let said = RefCell::new(None::<String>);
        move || {
            let r = run.borrow();
            if let Some(c) = by_id::<HtmlCanvasElement>(&doc, "map") {
                c.set_hidden(r.job.is_none());
                draw(&c, &r);
            }
            if let Some(b) = doc.get_element_by_id("map-run") {
                b.set_text_content(Some(&if r.running() {
                    format!("Cancel ({:.0} %)", 100.0 * r.done as f64 / r.cells.len().max(1) as f64)
                } else {
                    "Compute the map".to_string()
                }));
            }
            let status = match (&r.error, r.took_ms, r.job.as_ref()) {
                (Some(e), _, _) => Some(format!("Could not compute the map: {e}")),
                (None, Some(ms), Some(job)) => Some(format!(
                    "{} cells × {} seeds in {:.1} s. Hover a cell for its figures (or move onto the map with Tab and the arrow keys); click it, or press Enter, to load it into the lab.",
                    job.cells(),
                    job.seeds,
                    ms / 1e3
                )),
                _ => None,
            };
            // Said once when it changes: a worker's later "free" message must not write over
            // what a hover or the arrow keys said since.
            if status != *said.borrow() {
                if let Some(s) = &status {
                    set_status(&doc, s);
                }
                *said.borrow_mut() = status;
            }
        }
    };
    let show: Rc<dyn Fn()> = Rc::new(show);
    // A worker that fails to load is reported in the map's status; one no longer in the pool
    // (stopped on an older map) is ours, not an error, and is not reported to the page.
    let on_worker_error = {
        let (run, show) = (run.clone(), show.clone());
        Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let Ok(mut r) = run.try_borrow_mut() else { return };
            let ours = e.target().is_some_and(|t| r.slots.iter().flatten().any(|s| JsValue::from(s.worker.clone()) == JsValue::from(t.clone())));
            if ours {
                r.error = Some("a Web Worker failed to start".into());
                drop(r);
                show();
            } else {
                e.prevent_default();
            }
        })
    };
    let on_worker_error = Rc::new(on_worker_error);
    let compute: Rc<dyn Fn()> = {
        let on_worker_error = on_worker_error.clone();
        let (doc, run, show, root) = (doc.clone(), run.clone(), show.clone(), root.clone());
        Rc::new(move || {
            let mut r = run.borrow_mut();
            // The lab as the page has it now: its share link.
            let (link, _) = url::decode(&root.get_attribute("data-link").unwrap_or_default());
            let mut base = link.config;
            base.metrics.trace_capacity = 0;
            let value = |id: &str| by_id::<HtmlSelectElement>(&doc, id).map(|s| s.value()).unwrap_or_default();
            let (x, y, n) = (value("map-x"), value("map-y"), if value("map-size") == "10" { 10 } else { 20 });
            let job = Job {
                x: Axis { values: axis_values(&base, &x, n), key: x, words: Vec::new() },
                y: Axis { values: axis_values(&base, &y, n), key: y, words: Vec::new() },
                base,
                seed: link.seed,
                seeds: 3,
                settle_s: SETTLE_S,
                from: 0,
                to: 0,
            };
            // Every cell's config is checked before any worker starts.
            if let Some(e) = (0..job.cells()).find_map(|i| job.config(i).err()) {
                let e = if e == super::sweep::NO_TRIGGER {
                    "the trigger axes change this lab's first fault, and it has none: add one with a fault button above, then compute the map".to_string()
                } else {
                    e
                };
                r.reset(Run { error: Some(e), ..Run::default() });
                drop(r);
                return show();
            }
            let at = |a: &super::sweep::Axis| axis_now(&job.base, &a.key).and_then(|v| nearest(&a.values, v));
            let here = at(&job.x).zip(at(&job.y)).map(|(i, j)| j * job.x.values.len() + i);
            // Room for the tallest hover sentence now, so that nothing below moves as the
            // learner hovers (measured with it, then the status as it was put back).
            if let Some(was) = doc.get_element_by_id("map-status").and_then(|p| p.text_content()) {
                set_status(&doc, &tallest_sentence(&job));
                set_status(&doc, &was);
            }
            r.reset(Run { cells: vec![None; job.cells()], job: Some(job), started_ms: now_ms(), here, ..Run::default() });
            // One worker per core, up to four: the free ones start at once, a loading one when
            // it is ready, and a stopped one's place is filled.
            let cores = web_sys::window().map_or(2.0, |w| w.navigator().hardware_concurrency());
            let n = (cores as usize).clamp(1, 4);
            r.slots.resize_with(n, || None);
            for w in 0..n {
                if r.slots[w].is_none() {
                    match spawn(&run, &show, &on_worker_error, w) {
                        Some(slot) => r.slots[w] = Some(slot),
                        None => {
                            r.error = Some("this browser could not start a Web Worker".into());
                            break;
                        }
                    }
                }
                r.feed(w);
            }
            drop(r);
            show();
        })
    };
    let on_button = {
        let (run, show, compute) = (run.clone(), show.clone(), compute.clone());
        Closure::<dyn FnMut()>::new(move || {
            let running = run.borrow().running();
            if running {
                run.borrow_mut().reset(Run::default());
                show();
            } else {
                compute();
            }
        })
    };
    doc.get_element_by_id("map-run")?.add_event_listener_with_callback("click", on_button.as_ref().unchecked_ref()).ok()?;
    on_button.forget();
    let on_change = {
        let compute = compute.clone();
        Closure::<dyn FnMut()>::new(move || compute())
    };
    for id in ["map-x", "map-y", "map-size"] {
        doc.get_element_by_id(id)?.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref()).ok()?;
    }
    on_change.forget();
    let canvas: HtmlCanvasElement = by_id(&doc, "map")?;
    let say = {
        let doc = doc.clone();
        move |text: Option<String>| {
            if let Some(t) = text {
                set_status(&doc, &t);
            }
        }
    };
    let on_move = {
        let (run, canvas, say) = (run.clone(), canvas.clone(), say.clone());
        let show = show.clone();
        Closure::<dyn FnMut(MouseEvent)>::new(move |e: MouseEvent| {
            let mut r = run.borrow_mut();
            let Some(job) = r.job.as_ref() else { return };
            let cell = cell_at(&canvas, job, f64::from(e.offset_x()), f64::from(e.offset_y()));
            let text = cell.and_then(|i| describe(&r, i));
            let moved = r.hover != cell;
            r.hover = cell;
            drop(r);
            if moved {
                show();
            }
            say(text);
        })
    };
    canvas.add_event_listener_with_callback("mousemove", on_move.as_ref().unchecked_ref()).ok()?;
    on_move.forget();
    let on_leave = {
        let (run, show) = (run.clone(), show.clone());
        Closure::<dyn FnMut()>::new(move || {
            let left = run.borrow_mut().hover.take().is_some();
            if left {
                show();
            }
        })
    };
    canvas.add_event_listener_with_callback("mouseleave", on_leave.as_ref().unchecked_ref()).ok()?;
    on_leave.forget();
    let on_click = {
        let (run, canvas, root) = (run.clone(), canvas.clone(), root.clone());
        Closure::<dyn FnMut(MouseEvent)>::new(move |e: MouseEvent| {
            let r = run.borrow();
            let Some(job) = r.job.as_ref() else { return };
            if let Some(i) = cell_at(&canvas, job, f64::from(e.offset_x()), f64::from(e.offset_y())) {
                load_cell(&root, job, i);
            }
        })
    };
    canvas.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref()).ok()?;
    on_click.forget();
    // The keyboard: arrows move between cells (from this lab's, or the middle), and say what
    // each measured; Enter or Space loads it.
    let on_key = {
        let (run, root, show) = (run.clone(), root.clone(), show.clone());
        Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            let mut r = run.borrow_mut();
            let Some((nx, cells)) = r.job.as_ref().map(|j| (j.x.values.len(), j.cells())) else { return };
            let ny = cells / nx.max(1);
            let i = r.focus.or(r.here).unwrap_or(ny / 2 * nx + nx / 2);
            let (x, y) = (i % nx, i / nx);
            let next = match e.key().as_str() {
                "ArrowLeft" => Some(y * nx + x.saturating_sub(1)),
                "ArrowRight" => Some(y * nx + (x + 1).min(nx - 1)),
                "ArrowUp" => Some((y + 1).min(ny - 1) * nx + x),
                "ArrowDown" => Some(y.saturating_sub(1) * nx + x),
                "Enter" | " " => {
                    e.prevent_default();
                    if let Some(job) = r.job.as_ref() {
                        load_cell(&root, job, i);
                    }
                    return;
                }
                _ => None,
            };
            let Some(next) = next else { return };
            e.prevent_default();
            r.focus = Some(next);
            let text = describe(&r, next);
            drop(r);
            show();
            say(text);
        })
    };
    canvas.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref()).ok()?;
    on_key.forget();
    compute();
    Some(())
}
