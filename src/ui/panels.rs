//! The page's panels that a learner opens on demand, in one small wasm of their own (`panels`),
//! fetched the first time one is asked for, so the start-up download carries none of them: the
//! map of the lab ([`crate::map::panel`]), the guided course's panel (`ui/course.rs`),
//! Brooker's 2015 contention experiment, and the config export (JSON, written from the link).
//!
//! The page asks with [`request`] (`"map"`, `"course"`, `"contention:SEED"`, `"json:a:LINK"` or
//! `"json:b:LINK"` for the side whose config to write): each request joins a queue
//! in the body's `data-panel-requests`; the first one fetches the script, whose start serves the
//! queue, and later ones ring a `lab-panel` event that serves it again. Each panel draws into
//! its placeholder (`#map-panel`, `#contention-panel`), which the page renders empty.

use super::charts;
use super::web::document;
use super::web::media;
use crate::sim::contention::{ContentionParams, Strategy, sweep};
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

const QUEUE: &str = "data-panel-requests";

thread_local! {
    /// The page has fetched the panels' script (main wasm) / the map is built (panels wasm).
    static FETCHED: Cell<bool> = const { Cell::new(false) };
    static MAP_BUILT: Cell<bool> = const { Cell::new(false) };
}

/// The page asks for a panel (called in the page's own wasm).
pub fn request(what: &str) {
    let Some((doc, body)) = document().and_then(|d| d.body().map(|b| (d, b))) else { return };
    let queued = body.get_attribute(QUEUE).unwrap_or_default();
    let _ = body.set_attribute(QUEUE, &format!("{queued} {what}"));
    if !FETCHED.replace(true) {
        if let Ok(script) = doc.create_element("script") {
            let _ = script.set_attribute("src", "panels.js");
            let _ = script.set_attribute("onload", "wasm_bindgen('panels_bg.wasm')");
            let _ = body.append_child(&script);
        }
    } else if let Ok(e) = web_sys::Event::new("lab-panel") {
        let _ = doc.dispatch_event(&e);
    }
}

/// The panels' wasm has loaded: serve what was asked for, then every later request.
pub fn start() {
    serve();
    let listener = Closure::<dyn Fn()>::new(serve);
    if let Some(doc) = document() {
        let _ = doc.add_event_listener_with_callback("lab-panel", listener.as_ref().unchecked_ref());
    }
    listener.forget();
}

fn serve() {
    let Some(body) = document().and_then(|d| d.body()) else { return };
    let queued = body.get_attribute(QUEUE).unwrap_or_default();
    let _ = body.remove_attribute(QUEUE);
    for what in queued.split_whitespace() {
        if what == "course" {
            super::course::start();
        } else if let Some(name) = what.strip_prefix("pack:") {
            super::pack::start(name);
        } else if what == "present" {
            super::present::start();
        } else if what == "map" && !MAP_BUILT.replace(true) {
            crate::map::panel::start();
        } else if let Some(seed) = what.strip_prefix("contention:").and_then(|s| s.parse::<u64>().ok()) {
            contention(seed);
        } else if let Some((side, link)) = what.strip_prefix("json:").and_then(|w| w.split_once(':')) {
            config_json(side == "b", link);
        }
    }
}

/// Asks the page, from its element `from`, to load `link`: its config on this seed, or with a
/// leading `?`, the whole state it opens (`hooks::use_map_loads` listens for `lab-load`).
pub(crate) fn load_into_lab(from: &web_sys::Element, link: &str) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&JsValue::from(link));
    init.set_bubbles(true);
    if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict("lab-load", &init) {
        let _ = from.dispatch_event(&ev);
    }
}

/// Downloads the config of side A (or B) of the state `link` opens, as the JSON the CLI runs
/// (`lab run --config FILE`).
fn config_json(b: bool, link: &str) {
    let state = crate::url::decode(link).0;
    let mut cfg = if b { state.compare.unwrap_or(state.config) } else { state.config };
    cfg.metrics.trace_capacity = 0;
    let name = if b { "backoff-lab-config-b.json" } else { "backoff-lab-config.json" };
    super::web::download(name, &super::web::data_url("application/json", &crate::keys::config_json(&cfg)));
}

/// Runs Brooker's experiment on the page's seed and draws his two charts, calls and
/// completion time against the number of clients, in `#contention-panel`.
fn contention(seed: u64) -> Option<()> {
    let doc = document()?;
    let root = doc.get_element_by_id("contention-panel")?;
    if doc.get_element_by_id("chart-contention-time").is_none() {
        root.set_inner_html(
            "<div class=\"pair\">\
             <canvas id=\"chart-contention-calls\" role=\"img\" aria-label=\"Calls against clients for each backoff strategy\"></canvas>\
             <canvas id=\"chart-contention-time\" role=\"img\" aria-label=\"Completion time against clients for each backoff strategy\"></canvas></div>",
        );
    }
    let clients = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    let rows = sweep(&Strategy::ALL, &clients, 40, seed, &ContentionParams::default());
    let theme = charts::Theme { dark: media("(prefers-color-scheme: dark)") };
    for (id, time) in [("chart-contention-calls", false), ("chart-contention-time", true)] {
        let canvas: HtmlCanvasElement = doc.get_element_by_id(id)?.dyn_into().ok()?;
        if let Err(e) = charts::draw_contention(&canvas, &rows, time, &theme) {
            web_sys::console::warn_1(&format!("contention chart not drawn: {e}").into());
        }
    }
    Some(())
}
