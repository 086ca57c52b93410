//! The map's Web Worker entry point (wasm32 only; see `backoff_lab::map::worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    backoff_lab::map::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("map-worker runs in the page's Web Worker; natively, `lab sweep` computes the same map.");
}
