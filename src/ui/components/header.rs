//! The page's header: the title (or, embedded, a link to the full lab), what the link could
//! not use, the exercise in progress, and the scenario and exercise pickers with the
//! scenario's story and what to look for.

use super::exercise::ExercisePanel;
use crate::exercises::{self, Check};
use crate::scenarios;
use crate::state::with_trace;
use crate::ui::state::{Action, Controls, on_click};
use crate::ui::web::{page_base, passed};
use yew::prelude::*;

/// What the panel shows and acts on.
pub struct Props {
    pub controls: UseReducerHandle<Controls>,
    /// The exercise's check now, while one is in progress.
    pub check: Option<Check>,
    /// The run has started (simulated time is past 0).
    pub started: bool,
    pub texts_ready: bool,
    /// The link of the same state with every control and no embedding.
    pub full_lab_link: String,
    /// This page's address in presenter mode.
    pub present_href: String,
    /// The course step's panel, when the lab is one (it frames the lab instead of the story).
    pub course: Html,
}

/// The panel.
pub fn view(p: &Props) -> Html {
    let controls = &p.controls;
    let exercise = controls.exercise.as_deref().and_then(exercises::find);
    let act = |a: fn() -> Action| on_click(controls, a);
    let on_scenario = {
        let c = controls.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            c.dispatch(Action::LoadScenario(sel.value()));
        })
    };
    let on_exercise = {
        let c = controls.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = sel.value();
            c.dispatch(if v.is_empty() { Action::LeaveExercise } else { Action::StartExercise(v) });
        })
    };
    let passed_now = p.check.as_ref().and_then(|c| c.passed) == Some(true);
    let scenario = scenarios::find(&controls.scenario).ok();
    // A pack's lab has a story and nothing measured to look for.
    let look_for = scenario.as_ref().map(|s| s.look_for()).unwrap_or_default();
    // The story's figures hold for the scenario as written, on its seed: say when this lab is
    // not (side B counts only where the scenario has one; comparing adds one of the learner's).
    let changed = scenario.as_ref().is_some_and(|s| {
        controls.seed != s.seed
            || controls.cfg != with_trace(s.config.clone())
            || (s.compare.is_some() && controls.compare != s.compare.clone().map(with_trace))
    });
    html! {
        <header>
          <h1>{ "Backoff Lab" }</h1>
          if controls.embed {
            <a class="open-full" href={format!("{}?{}", page_base(), p.full_lab_link)} target="_blank" rel="noopener">{ "Open the full lab ↗" }</a>
          } else {
            <p class="lede">{ crate::texts::text("ui.lede") }
              if controls.course.is_none() { <a id="course-link" href="?course=continue">{ crate::texts::text("ui.lede.course") }</a> }
              <a id="pack-link" href="?pack=">{ crate::texts::text("ui.lede.pack") }</a>
              <a id="present-link" href={p.present_href.clone()}>{ crate::texts::text("ui.lede.present") }</a></p>
          }
          if !controls.notes.is_empty() {
            <div class="notes" role="alert" id="link-notes">
              <strong>{ "Parts of this link could not be used:" }</strong>
              <ul>{ for controls.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
              <button onclick={act(|| Action::DismissNotes)}>{ "Dismiss" }</button>
            </div>
          }
          if let (Some(e), Some(chk)) = (&exercise, &p.check) {
            <ExercisePanel key={e.id.clone()} id={e.id.clone()} check={chk.clone()} started={p.started} playing={controls.playing} texts_ready={p.texts_ready}
              on_apply={{ let c = controls.clone(); Callback::from(move |_| c.dispatch(Action::ApplySolution)) }} />
          }
          <div class="scenario">
            <label for="scenario">{ "Scenario " }</label>
            // Made again for each scenario: an option's `selected` attribute alone did not move
            // Firefox's choice to a pack's lab.
            <select id="scenario" onchange={on_scenario} key={controls.scenario.clone()}>
              { for scenarios::all().iter().map(|s| html! { <option value={s.id} selected={s.id == controls.scenario}>{ s.title }</option> }) }
            </select>
            if !controls.embed {
              <label for="exercise-pick">{ "Exercise " }</label>
              <select id="exercise-pick" onchange={on_exercise}>
                <option value="" selected={controls.exercise.is_none()}>{ "— none —" }</option>
                { for exercises::all().iter().map(|e| {
                    let current = controls.exercise.as_deref() == Some(e.id.as_str());
                    let tick = if passed(&e.id) || (current && passed_now) { "✓ " } else { "" };
                    html! { <option value={e.id.clone()} selected={current}>{ format!("{tick}{}", e.title) }</option> }
                }) }
              </select>
            }
            if let (Some(s), None, None) = (scenario, &exercise, &controls.course) {
              <p class="story">{ s.story() }
                if !look_for.is_empty() { <strong>{ " Look for: " }</strong>{ look_for } }
                if changed { <em id="story-changed">{ " " }{ crate::texts::text("ui.story-changed") }</em> }
              </p>
            }
          </div>
          { p.course.clone() }
        </header>
    }
}
