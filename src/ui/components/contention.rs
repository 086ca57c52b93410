//! Brooker's 2015 contention experiment in the page: run on demand (on the page's seed) and
//! drawn as his two charts, calls and completion time against the number of clients.

use crate::sim::contention::{ContentionParams, Strategy, SweepRow, sweep};
use crate::ui::charts;
use crate::ui::web::{canvas, media};
use std::rc::Rc;
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
    let rows = use_state(|| None::<Rc<Vec<SweepRow>>>);
    let (calls, time) = (use_node_ref(), use_node_ref());
    {
        let (calls, time) = (calls.clone(), time.clone());
        use_effect_with(rows.clone(), move |rows| {
            if let Some(rows) = rows.as_ref() {
                let theme = charts::Theme { dark: media("(prefers-color-scheme: dark)") };
                for (r, time) in [(&calls, false), (&time, true)] {
                    if let Some(k) = canvas(r) {
                        if let Err(e) = charts::draw_contention(&k, rows, time, &theme) {
                            gloo::console::warn!(format!("contention chart not drawn: {e}"));
                        }
                    }
                }
            }
        });
    }
    let on_run = {
        let rows = rows.clone();
        let seed = p.seed;
        Callback::from(move |_: MouseEvent| {
            let clients: Vec<u32> = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].to_vec();
            rows.set(Some(Rc::new(sweep(&Strategy::ALL, &clients, 40, seed, &ContentionParams::default()))));
        })
    };
    html! {
        <section class="contention" aria-labelledby="contention-h">
          <h2 id="contention-h">{ "Brooker's 2015 contention experiment" }</h2>
          <p>{ crate::texts::text("ui.contention.intro") }</p>
          <button id="run-contention" onclick={on_run}>{ if rows.is_some() { "Run again" } else { "Run the experiment" } }</button>
          if rows.is_some() {
            <div class="pair">
              <canvas ref={calls} id="chart-contention-calls" role="img" aria-label="Calls against clients for each backoff strategy" />
              <canvas ref={time} id="chart-contention-time" role="img" aria-label="Completion time against clients for each backoff strategy" />
            </div>
            <p>{ crate::texts::text("ui.contention.after") }</p>
          }
        </section>
    }
}
