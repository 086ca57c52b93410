//! Backoff Lab: a seeded simulator of overload, retries, backoff and jitter.
//!
//! - [`sim`]: the engine, pure Rust with no web dependency (tests, benchmarks, the CLI and the
//!   page all drive the same code);
//! - [`scenarios`]: named, ready-made configurations that follow the AWS talk's argument;
//! - [`keys`]: the dotted keys (`client.timeout_ms=500`) the CLI's `--set` takes.

pub mod course;
pub mod drills;
pub mod exercises;
pub mod explain;
pub mod keys;
pub mod map;
pub mod pack;
pub mod report;
pub mod scenarios;
pub mod sim;
pub mod state;
pub mod texts;
pub mod url;

/// The page (wasm32 only): Yew components over the same engine.
#[cfg(target_arch = "wasm32")]
pub mod ui;
