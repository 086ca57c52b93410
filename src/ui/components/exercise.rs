//! The workshop exercise in progress: its goal, live progress against it, hints one at a
//! time, and the solution on request. Remounted (by key) when the exercise changes, so hints
//! and the revealed solution start hidden for each one.

use crate::exercises::Check;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    pub check: Check,
    /// Whether any simulated time has passed.
    pub started: bool,
    pub playing: bool,
    /// Applies the solution and restarts.
    pub on_apply: Callback<()>,
    /// Whether the lessons' texts (goal, hints) have arrived: a change re-renders the panel.
    pub texts_ready: bool,
}

#[function_component(ExercisePanel)]
pub fn exercise_panel(p: &Props) -> Html {
    let hints_shown = use_state(|| 0usize);
    let show_solution = use_state(|| false);
    let Some(e) = crate::exercises::find(&p.id) else { return html! {} };
    let chk = &p.check;
    let hints = e.hints();
    let on_hint = {
        let h = hints_shown.clone();
        Callback::from(move |_: MouseEvent| h.set(*h + 1))
    };
    let on_solution = {
        let s = show_solution.clone();
        Callback::from(move |_: MouseEvent| s.set(true))
    };
    let on_apply = p.on_apply.reform(|_: MouseEvent| ());
    let state = match chk.passed {
        Some(true) => "✓ Passed — ",
        Some(false) => "✗ Not yet — ",
        None if !p.started => "Not started: press ▶ Play or Run to end — ",
        None if !p.playing => "Paused — ",
        None => "Running — ",
    };
    html! {
        <section class="exercise" id="exercise" aria-live="polite">
          <h2>{ format!("Exercise: {}", e.title) }</h2>
          <p class="goal"><strong>{ "Goal: " }</strong>{ e.goal() }</p>
          <p class={classes!("progress", match chk.passed { Some(true) => "pass", Some(false) => "fail", None => "running" })} id="exercise-status">
            { state }{ &chk.progress }
          </p>
          <ul class="hints">{ for hints.iter().take(*hints_shown).map(|h| html! { <li>{ h }</li> }) }</ul>
          if *hints_shown < hints.len() { <button id="hint" onclick={on_hint}>{ "Show a hint" }</button> }
          if *show_solution {
            <p class="solution">{ e.explanation() }{ " Changes: " }{ e.solution.split_whitespace().map(|w| w.replacen('=', " = ", 1)).collect::<Vec<_>>().join(", ") }</p>
            <button id="apply-solution" onclick={on_apply}>{ "Apply the solution and restart" }</button>
          } else {
            <button id="reveal-solution" onclick={on_solution}>{ "Reveal the solution" }</button>
          }
        </section>
    }
}
