//! The on-demand panels' entry point (wasm32 only; see `backoff_lab::ui::panels`).

#[cfg(target_arch = "wasm32")]
fn main() {
    backoff_lab::ui::panels::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("panels is part of the page; natively, `lab sweep` computes the map and `lab contention` Brooker's experiment.");
}
