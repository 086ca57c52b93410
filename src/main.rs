//! The page's entry point: Trunk builds this for wasm32 and mounts the Yew app.

#[cfg(target_arch = "wasm32")]
fn main() {
    // The page's "loading" note (index.html) goes as the lab takes its place.
    if let Some(note) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("loading")) {
        note.remove();
    }
    yew::Renderer::<backoff_lab::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("backoff-lab is the web page: serve it with `make serve`. The native tool is `lab` (cargo run --bin lab -- --help).");
}
