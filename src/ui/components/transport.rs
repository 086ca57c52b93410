//! The transport: play and pause, a 100 ms step, speed, run to the end (in chunks, with its
//! progress and a Cancel), reset, the seed, compare mode, and the simulated clock.

use crate::sim::SimTime;
use crate::ui::hooks::Lab;
use crate::ui::runner::{FRAME_BUDGET, run_to_end_chunked};
use crate::ui::state::{Action, Controls, on_click};
use crate::ui::web::now_ms;
use yew::prelude::*;

/// The speeds offered, × real time.
const SPEEDS: [f64; 8] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0];

/// What the panel shows and acts on.
pub struct Props {
    pub controls: UseReducerHandle<Controls>,
    pub lab: Lab,
    /// Simulated time now, seconds.
    pub now_s: f64,
    /// While "run to end" works: how far it is, 0 to 1.
    pub to_end: Option<f64>,
}

/// The panel.
pub fn view(p: &Props) -> Html {
    let controls = &p.controls;
    let act = |a: fn() -> Action| on_click(controls, a);
    let on_speed = {
        let c = controls.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(s) = crate::sim::params::parse_number(&sel.value()) {
                c.dispatch(Action::SetSpeed(s));
            }
        })
    };
    let on_seed = {
        let c = controls.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(s) = input.value().trim().parse() {
                c.dispatch(Action::SetSeed(s));
            }
        })
    };
    let on_random_seed = {
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| {
            let mut b = [0u8; 8];
            if getrandom::fill(&mut b).is_ok() {
                c.dispatch(Action::SetSeed(u64::from_le_bytes(b) % 1_000_000_000));
            }
        })
    };
    let on_step = {
        let lab = p.lab.clone();
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| {
            c.dispatch(Action::Pause);
            {
                let mut r = lab.runner.borrow_mut();
                let t = r.sim.now().saturating_add(SimTime::from_millis(100));
                while !r.advance(t, FRAME_BUDGET, now_ms()).reached {}
            }
            lab.show();
        })
    };
    let on_run_to_end = {
        let lab = p.lab.clone();
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| {
            // A second press while it runs cancels it.
            if lab.runner.borrow().to_end.is_some() {
                lab.runner.borrow_mut().cancel_to_end = true;
                return;
            }
            c.dispatch(Action::Pause);
            {
                let mut r = lab.runner.borrow_mut();
                // At the end already (after a change made there, say): run the lab as it is now
                // from the start, rather than do nothing.
                if r.at_end() {
                    r.restart(c.cfg.clone(), c.compare.clone(), c.seed);
                }
                r.to_end = Some(0.0);
                r.hold = true;
            }
            run_to_end_chunked(lab.runner.clone(), lab.canvases.clone(), lab.update.clone());
        })
    };
    html! {
        <section class="transport" aria-label="Transport">
          <button id="play" onclick={act(|| Action::TogglePlay)} aria-pressed={controls.playing.to_string()}>{ if controls.playing { "Pause" } else { "▶ Play" } }</button>
          <button id="step" onclick={on_step} title="Advance 100 ms of simulated time">{ "Step 100 ms" }</button>
          <label for="speed">{ "Speed " }</label>
          <select id="speed" onchange={on_speed}>
            { for SPEEDS.iter().map(|s| html! { <option value={s.to_string()} selected={*s == controls.speed}>{ format!("{s}×") }</option> }) }
          </select>
          <button id="run-to-end" onclick={on_run_to_end} title={format!("Simulate to {} s (from 0 when already there)", controls.cfg.duration_s)}>
            { p.to_end.map_or("Run to end".to_string(), |f| format!("Cancel ({:.0} %)", 100.0 * f)) }</button>
          <button id="reset" onclick={act(|| Action::Reset)}>{ "Reset" }</button>
          <label for="seed">{ "Seed " }</label>
          <input id="seed" type="number" value={controls.seed.to_string()} onchange={on_seed} />
          <button id="random-seed" onclick={on_random_seed}>{ "New random seed" }</button>
          if controls.compare.is_some() {
            <button id="compare" onclick={act(|| Action::StopCompare)}>{ "Stop comparing" }</button>
          } else {
            <button id="compare" onclick={act(|| Action::StartCompare)} title={crate::texts::text("ui.compare.button")}>{ "Compare side by side" }</button>
          }
          <span class="clock" id="clock">{ format!("t = {:.1} s", p.now_s) }</span>
        </section>
    }
}
