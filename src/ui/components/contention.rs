//! Brooker's 2015 contention experiment in the page: run on demand (on the page's seed) and
//! drawn as his two charts, calls and completion time against the number of clients. The
//! experiment and its charts are in the on-demand panels' wasm (`crate::ui::panels`): this
//! section is its text, its button and the place the charts go.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The page's seed: the experiment runs on it, so it is reproducible too.
    pub seed: u64,
    /// Whether the texts (its explanation) have arrived.
    pub texts_ready: bool,
}

#[function_component(Contention)]
pub fn contention(p: &Props) -> Html {
    let ran = use_state(|| false);
    let on_run = {
        let (ran, seed) = (ran.clone(), p.seed);
        Callback::from(move |_: MouseEvent| {
            ran.set(true);
            crate::ui::panels::request(&format!("contention:{seed}"));
        })
    };
    html! {
        <section class="contention" aria-labelledby="contention-h">
          <h2 id="contention-h">{ "Brooker's 2015 contention experiment" }</h2>
          <p>{ crate::texts::text("ui.contention.intro") }</p>
          <button id="run-contention" onclick={on_run}>{ if *ran { "Run again" } else { "Run the experiment" } }</button>
          <div id="contention-panel" />
          if *ran { <p>{ crate::texts::text("ui.contention.after") }</p> }
        </section>
    }
}
