//! The page's entry point: Trunk builds this for wasm32 and mounts the Yew app.

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<backoff_lab::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("backoff-lab is the web page: serve it with `make serve`. The native tool is `lab` (cargo run --bin lab -- --help).");
}
