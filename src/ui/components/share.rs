//! Share and export: the link of the current state, an embed snippet, and the run's series
//! (CSV), config (JSON, which the CLI runs) and charts (PNG).

use crate::report;
use crate::ui::charts;
use crate::ui::hooks::Lab;
use crate::ui::web::{canvas, copy_to_clipboard, data_url, download};
use yew::prelude::*;

/// What the panel shows and acts on.
pub struct Props<'a> {
    pub lab: Lab,
    /// The full address of the current state.
    pub url: String,
    /// The iframe snippet that embeds it.
    pub snippet: String,
    /// The current state's link, from which the JSON export writes the config of the side the
    /// controls change (side B when `side_b`, whose file name ends in "-b").
    pub link: &'a str,
    pub side_b: bool,
    pub seed: u64,
}

/// The panel.
pub fn view(p: &Props<'_>) -> Html {
    let on_copy_link = {
        let u = p.url.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&u))
    };
    let on_copy_embed = {
        let sn = p.snippet.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&sn))
    };
    let on_csv = {
        let runner = p.lab.runner.clone();
        Callback::from(move |_: MouseEvent| {
            // In compare mode one file holds both sides, a first column naming each row's side
            // (one download: a second one at once may be held back by the browser).
            let r = runner.borrow();
            let csv = match &r.sim_b {
                None => report::series_csv(r.sim.windows()),
                Some(b) => report::sides_csv(&[("A", r.sim.windows()), ("B", b.windows())]),
            };
            download("backoff-lab-series.csv", &data_url("text/csv", &csv));
        })
    };
    let on_json = {
        // Written in the on-demand panels' wasm (`crate::ui::panels`), from the link: the
        // config writer is not part of the start-up download.
        let what = format!("json:{}:{}", if p.side_b { "b" } else { "a" }, p.link);
        Callback::from(move |_: MouseEvent| crate::ui::panels::request(&what))
    };
    let on_png = {
        let canvases = p.lab.canvases.clone();
        Callback::from(move |_: MouseEvent| {
            let grid = charts::CHARTS.iter().map(|c| c.id).zip(canvases.charts.iter());
            for (name, r) in grid.chain([("delays", &canvases.delays)]) {
                if let Some(url) = canvas(r).and_then(|c| c.to_data_url().ok()) {
                    download(&format!("backoff-lab-{name}.png"), &url);
                }
            }
        })
    };
    html! {
        <fieldset class="share"><legend>{ "Share and export" }</legend>
          <button id="copy-link" onclick={on_copy_link}>{ "Copy link" }</button>
          <button id="copy-embed" onclick={on_copy_embed}>{ "Copy embed snippet" }</button>
          <label for="share-link" class="help-inline">{ "Link" }</label>
          <input id="share-link" readonly=true value={p.url.clone()} />
          <label for="embed-snippet" class="help-inline">{ "Embed snippet" }</label>
          <textarea id="embed-snippet" readonly=true rows="3" value={p.snippet.clone()} />
          <button id="export-csv" onclick={on_csv}>{ "Series (CSV)" }</button>
          <button id="export-json" onclick={on_json}>{ "Config (JSON)" }</button>
          <button id="export-png" onclick={on_png}>{ "Charts (PNG)" }</button>
          <small class="help-inline">{ "The JSON runs in the CLI: lab run --config FILE --seed " }{ p.seed }</small>
          if p.lab.runner.borrow().sim_b.is_some() { <small class="help-inline">{ crate::texts::text("ui.share-compare") }</small> }
        </fieldset>
    }
}
