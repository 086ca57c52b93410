//! The delay explorer: for the current retry policy, each retry's shortest, mean and longest
//! wait, a histogram of sampled waits, and how long a request can take in all before it gives
//! up ("what is the worst case?" is what retry-library users ask first).

use crate::explain::DelayReport;
use crate::ui::charts;
use crate::ui::web::{canvas, fmt_ms, media};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Rc<DelayReport>,
    /// The histogram's canvas (the page's PNG export reads it too).
    pub canvas: NodeRef,
    /// Whose policy this is, in a system ("the calls tier 1 makes into tier 2, the bottom").
    #[prop_or_default]
    pub tier: Option<String>,
    /// Whether the lessons' texts are in (two of its sentences are among them).
    pub texts_ready: bool,
}

#[function_component(Explorer)]
pub fn explorer(p: &Props) -> Html {
    {
        let k = p.canvas.clone();
        use_effect_with(p.report.clone(), move |d| {
            if let Some(k) = canvas(&k) {
                let theme = charts::Theme { dark: media("(prefers-color-scheme: dark)") };
                if let Err(e) = charts::draw_delays(&k, d, &theme) {
                    gloo::console::warn!(format!("delay histogram not drawn: {e}"));
                }
            }
        });
    }
    let d = &p.report;
    html! {
        <section class="explorer" aria-labelledby="explorer-h">
          <h2 id="explorer-h">{ "Delay explorer: how long can one request take?" }</h2>
          if let Some(t) = &p.tier { <p class="side-caption" id="explorer-tier">{ format!("For {t}") }</p> }
          // One attempt: nothing to wait for, said in words instead of an empty table.
          if d.retries.is_empty() { <p id="delays-none">{ crate::texts::text("ui.delays-none") }</p> }
          <table id="delays" hidden={d.retries.is_empty()}>
            <thead><tr><th>{ "retry" }</th><th>{ "shortest" }</th><th>{ "mean (sampled)" }</th><th>{ "longest" }</th></tr></thead>
            <tbody>{ for d.retries.iter().map(|r| html! { <tr><td>{ r.retry }</td><td>{ fmt_ms(r.min_ms) }</td><td>{ fmt_ms(r.mean_ms) }</td><td>{ fmt_ms(r.max_ms) }</td></tr> }) }</tbody>
          </table>
          <canvas ref={p.canvas.clone()} id="chart-delays" hidden={d.retries.is_empty()} role="img" />
          <p id="totals">{
            match (d.worst_total_ms, d.expected_total_ms) {
              (Some(w), _) if d.retries.is_empty() => format!("If it times out: {} before the request gives up.", fmt_ms(w)),
              (Some(w), Some(e)) => format!("If every attempt times out: about {} on average, {} at worst, before the request gives up.", fmt_ms(e), fmt_ms(w)),
              _ => crate::texts::text("ui.delays-no-timeout"),
            }
          }</p>
        </section>
    }
}
