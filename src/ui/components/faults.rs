//! Faults now or at a chosen time: the triggers of every lesson. Both compare sides get them.

use crate::sim::FaultKind;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The faults scheduled now, in words (`charts::fault_list`).
    pub faults: Vec<String>,
    /// Adds a fault of (kind, value, length in seconds) at the chosen start (`None`: now).
    pub on_add: Callback<(FaultKind, f64, f64, Option<f64>)>,
    pub on_clear: Callback<()>,
}

/// The buttons: id, label, kind, value, seconds (each one's title is `ui.ID` in `www/lessons.txt`).
const BUTTONS: &[(&str, &str, FaultKind, f64, f64)] = &[
    ("fault-crash-half", "Crash half the workers, 5 s", FaultKind::Capacity, 0.5, 5.0),
    ("fault-crash", "Crash all workers, 5 s", FaultKind::Capacity, 0.0, 5.0),
    ("fault-brownout", "Brownout: 4× slower, 10 s", FaultKind::Slow, 4.0, 10.0),
    ("fault-errors", "Error burst 50 %, 5 s", FaultKind::Errors, 0.5, 5.0),
    ("fault-load", "Load spike 3×, 5 s", FaultKind::Load, 3.0, 5.0),
    ("fault-restart", "Restart the server", FaultKind::Restart, 0.0, 0.0),
];

#[function_component(FaultsPanel)]
pub fn faults_panel(p: &Props) -> Html {
    let at = use_state(|| None::<f64>);
    let on_at = {
        let at = at.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            at.set(crate::sim::params::parse_number(input.value().trim()).filter(|t| t.is_finite() && *t >= 0.0));
        })
    };
    let on_clear = p.on_clear.reform(|_: MouseEvent| ());
    html! {
        <fieldset><legend>{ "Faults" }</legend>
          <div class="control"><label for="fault-at">{ "Start at t = (s; empty or past = now)" }</label>
            <input id="fault-at" type="number" min="0" step="any" placeholder="now" onchange={on_at} /></div>
          { for BUTTONS.iter().map(|&(id, label, kind, value, secs)| {
              let start = *at;
              let onclick = p.on_add.reform(move |_: MouseEvent| (kind, value, secs, start));
              html! { <button id={id} title={crate::texts::text(&format!("ui.{id}"))} onclick={onclick}>{ label }</button> }
          }) }
          <button id="fault-clear" onclick={on_clear}>{ "Clear faults" }</button>
          <ul class="faults">{ for p.faults.iter().map(|f| html! { <li>{ f }</li> }) }</ul>
        </fieldset>
    }
}
