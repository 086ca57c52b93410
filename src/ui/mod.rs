//! The page. For now it proves the engine runs in the browser: it simulates a scenario and
//! shows its summary. The interactive page (live controls, animation, charts) builds on this.

use backoff_lab::report;
use backoff_lab::scenarios;
use backoff_lab::sim::Sim;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let text = use_memo((), |_| match scenarios::find("metastable-retry").and_then(|s| Sim::new(s.config, s.seed).map_err(|e| e.to_string())) {
        Ok(mut sim) => report::summary_table(&sim.run_to_end()),
        Err(e) => format!("could not start the simulation: {e}"),
    });
    html! {
        <main>
            <h1>{ "Backoff Lab" }</h1>
            <p class="lede">{ "The retry storm that does not end (metastable-retry), simulated in your browser:" }</p>
            <pre class="summary" id="summary">{ (*text).clone() }</pre>
        </main>
    }
}
