//! `lab`: Backoff Lab's engine from the command line.
//!
//! ```text
//! lab run --scenario metastable-retry --series
//! lab run --config my.json --set client.jitter=full --fault crash@5..10 --format csv --series
//! lab contention --clients 1,10,50,100 --runs 100
//! lab scenarios
//! ```

#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod progress;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The CLI is native only; a wasm32 build of every target (browser tests) gets this stub.
#[cfg(target_arch = "wasm32")]
fn main() {}
