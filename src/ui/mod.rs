//! The page: live controls, transport, the animated system, live charts, the delay explorer
//! and headline numbers, all driven by the same engine the CLI runs.
//!
//! Where things are:
//!
//! ```text
//! app.rs        the root: reads the reducer, starts the hooks, lays out the panels
//! hooks.rs      the running lab (use_lab) and the page's effects (address, lessons, map)
//! state.rs      the reducer as yew's Reducible (the pure one is crate::state, tested on the host)
//! runner.rs     the running simulation(s) and the requestAnimationFrame loop
//! web.rs        browser glue: address, clipboard, downloads, storage, clock, media queries
//! headline.rs   the verdict and the numbers read first
//! controls.rs   the generic Slider and Choice, built from each parameter's spec
//! system.rs     the animated diagram of clients, queue and workers
//! charts.rs     the live charts, one draw function each
//! bench.rs      ?bench=1, the in-browser engine measurement
//! course.rs     the guided course's panel (in the on-demand panels' wasm)
//! drill.rs      the incident drills' panel (also there)
//! present.rs    presenter mode's keys, drawer and style (also there)
//! pack.rs       a trainer's pack: fetched, checked, its entries listed (also there)
//! progress.rs   a learner's progress, to copy or download for the trainer (also there)
//! components/   one panel each: header, transport, stage, charts, share, map, exercise,
//!               faults, parameters, delay explorer, Brooker's experiment
//! ```
//!
//! State is split the way yew's examples split it: a small pure reducer holds what the
//! learner chose (the config, seed, speed, whether it plays); the running simulation lives in
//! a `use_mut_ref` and is stepped from a requestAnimationFrame loop whose handle cancels itself
//! when dropped. Each frame advances simulated time by wall time × speed, with an event budget
//! so a frame never overruns; charts redraw a few times a second, the animation every frame.

mod app;
mod bench;
mod charts;
mod components;
mod controls;
mod course;
mod drill;
mod headline;
mod hooks;
mod pack;
pub mod panels;
mod present;
mod progress;
mod runner;
mod state;
mod system;
pub(crate) mod web;

pub use app::App;

thread_local! {
    /// An incident drill's state, set by its panel (`drill.rs`): 0 none, 1 running (its trigger
    /// hidden from every view), 2 debriefed (the trigger drawn again).
    static DRILL: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

thread_local! {
    /// Presenter mode (`?present=1`, or its panel's toggle): charts draw their text larger.
    static PRESENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How much larger charts draw their text and margins: 1.8× in presenter mode, so the smallest
/// chart text (9 px) is 16 px on the screen.
pub(crate) fn chart_scale() -> f64 {
    if PRESENT.get() { 1.8 } else { 1.0 }
}

/// Whether a drill hides its trigger: the charts draw no fault bands and no dip in capacity,
/// and the headline and the run report judge the run without knowing there was a trigger, as
/// an operator would.
pub(crate) fn trigger_hidden() -> bool {
    DRILL.get() == 1
}

/// A tier's view of the config as the page may show it: without its faults while a drill hides
/// its trigger.
pub(crate) fn shown_view(view: &mut std::borrow::Cow<'_, crate::sim::Config>) {
    if trigger_hidden() {
        let v = view.to_mut();
        v.faults.clear();
        v.tier_faults.clear();
    }
}
