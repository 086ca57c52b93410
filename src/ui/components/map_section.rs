//! Where the map of the lab opens. The map panel is in the on-demand panels' wasm
//! (`src/map/panel.rs`, `crate::ui::panels`), fetched when the learner opens it; it reads the lab from `data-link`, and a cell it sends
//! back loads into the lab (`hooks::use_map_loads`).

use yew::prelude::*;

/// What the panel shows and acts on.
pub struct Props {
    /// The current state's link.
    pub link: String,
    /// The map panel has been fetched.
    pub open: bool,
    pub on_open: Callback<MouseEvent>,
}

/// The panel.
pub fn view(p: &Props) -> Html {
    html! {
        <section class="map" aria-labelledby="map-h">
          <h2 id="map-h">{ "Where does it tip? A map of this lab" }</h2>
          if !p.open { <button id="map-open" onclick={p.on_open.clone()}>{ "Open the map" }</button> }
          <div id="map-panel" data-link={p.link.clone()} />
        </section>
    }
}
