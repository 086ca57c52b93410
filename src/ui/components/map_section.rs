//! Where the map of the lab opens. The map panel is its own wasm (`src/map/panel.rs`),
//! fetched when the learner opens it; it reads the lab from `data-link`, and a cell it sends
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

/// Fetches the map panel's script, which mounts itself into `#map-panel`.
pub fn load_panel() {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if let (Ok(script), Some(body)) = (doc.create_element("script"), doc.body()) {
            let _ = script.set_attribute("src", "map-panel.js");
            let _ = script.set_attribute("onload", "wasm_bindgen('map-panel_bg.wasm')");
            let _ = body.append_child(&script);
        }
    }
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
