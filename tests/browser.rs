//! Component tests in a real headless Chromium (wasm-bindgen-test):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "reference/mod.rs"]
mod reference;

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn mount() {
    let doc = document();
    let root = doc.create_element("div").unwrap();
    // Give the canvases a real size, as the page's stylesheet does.
    root.set_attribute("style", "width:1200px").unwrap();
    let style = doc.create_element("style").unwrap();
    style.set_text_content(Some("canvas{width:400px;height:200px;display:block}"));
    doc.body().unwrap().append_child(&style).unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<backoff_lab::ui::App>::with_root(root).render();
    TimeoutFuture::new(300).await;
}

fn text(id: &str) -> String {
    document().get_element_by_id(id).and_then(|e| e.text_content()).unwrap_or_default()
}

/// Share of pixels that differ from the top-left pixel (the background).
fn ink(id: &str) -> f64 {
    let c: HtmlCanvasElement = document().get_element_by_id(id).unwrap().dyn_into().unwrap();
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let (w, h) = (c.width(), c.height());
    let data = ctx.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)).unwrap().data();
    let bg = [data[0], data[1], data[2]];
    let px = data.len() / 4;
    let differ = (0..px).filter(|i| data[i * 4..i * 4 + 3] != bg).count();
    differ as f64 / px as f64
}

#[wasm_bindgen_test]
async fn charts_and_the_system_draw_pixels() {
    mount().await;
    for id in ["chart-load", "chart-latency", "chart-queue", "system"] {
        assert!(ink(id) > 0.01, "{id} is blank");
    }
}

#[wasm_bindgen_test]
async fn a_control_changes_the_engines_parameter() {
    mount().await;
    let input: HtmlInputElement = document()
        .query_selector("#server-workers ~ input.num, #server-workers + input")
        .unwrap()
        .or_else(|| document().query_selector("input.num[aria-label^='Workers']").unwrap())
        .unwrap()
        .dyn_into()
        .unwrap();
    input.set_value("40");
    input.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    TimeoutFuture::new(200).await;
    // The headline reads the engine's live capacity.
    assert!(text("main").contains("0/40") || document().body().unwrap().text_content().unwrap().contains("/40"), "engine did not take 40 workers");
    // An invalid value is explained beside the control, and the page lives on.
    input.set_value("0");
    input.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    TimeoutFuture::new(200).await;
    let body = document().body().unwrap().text_content().unwrap();
    assert!(body.contains("0 is out of range: allowed a whole number from 1 to 10,000 workers"), "{body}");
}

/// The engine gives the same numbers in the browser as natively for the same config and seed
/// (tests/engine.rs asserts the same figures on the host).
#[wasm_bindgen_test]
fn same_seed_same_numbers_as_the_native_cli() {
    for (id, got, want) in reference::check_all() {
        assert_eq!(got, want, "{id}");
    }
}
