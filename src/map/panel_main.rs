//! The map panel's entry point (wasm32 only; see `backoff_lab::map::panel`).

#[cfg(target_arch = "wasm32")]
fn main() {
    backoff_lab::map::panel::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("map-panel is part of the page; natively, `lab sweep` computes the same map.");
}
