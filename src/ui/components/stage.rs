//! The stage: for a system, the strip of tiers (click one to follow it); the animated
//! diagram of the selected tier, with its caption; side B's, in compare mode; the legend.

use super::topology::{TierView, Topology};
use crate::explain;
use crate::sim::Config;
use crate::ui::hooks::Lab;
use yew::prelude::*;

/// What the panel shows and acts on.
pub struct Props<'a> {
    pub lab: Lab,
    pub cfg: &'a Config,
    pub tier: usize,
    /// Each side's tiers for the strip (empty for one service).
    pub tiers: Vec<TierView>,
    pub tiers_b: Vec<TierView>,
    /// The selected tier's (queue, busy workers, workers) on side A, and on side B when comparing.
    pub levels: (u32, u32, u32),
    pub levels_b: Option<(u32, u32, u32)>,
    pub on_tier: Callback<usize>,
}

/// The panel.
pub fn view(p: &Props<'_>) -> Html {
    let (cfg, tier) = (&p.cfg, p.tier);
    let name = explain::tier_name(cfg, tier);
    let (queue, busy, capacity) = p.levels;
    html! {
        <section class="stage">
          if p.levels_b.is_some() { <p class="side-caption">{ "A" }</p> }
          if !p.tiers.is_empty() {
            <Topology tiers={p.tiers.clone()} selected={tier} side="" on_select={p.on_tier.clone()} />
            <p class="side-caption" id="diagram-tier">{ format!("Below: {name}, all its hosts together, as {} call{} it", explain::tier_callers(tier), if tier == 0 { "" } else { "s" }) }</p>
          }
          <canvas ref={p.lab.canvases.system.clone()} class="system" id="system" role="img"
            aria-label={format!("Callers send to {name}: a queue of {queue} and {busy} of {capacity} workers busy")} />
          if let Some((queue, busy, capacity)) = p.levels_b {
            <p class="side-caption">{ "B" }</p>
            if !p.tiers_b.is_empty() { <Topology tiers={p.tiers_b.clone()} selected={tier} side="b" on_select={p.on_tier.clone()} /> }
            <canvas ref={p.lab.canvases.system_b.clone()} class="system" id="system-b" role="img"
              aria-label={format!("Side B: a queue of {queue} and {busy} of {capacity} workers busy")} />
          }
          <p class="legend">
            <span class="sw" style="background:#0072B2"></span>{ "first try " }
            <span class="sw" style="background:#E69F00"></span>{ "1st retry " }
            <span class="sw" style="background:#D55E00"></span>{ "2nd retry " }
            <span class="sw" style="background:#CC79A7"></span>{ "3rd+ " }
            <span class="sw" style="background:#009E73"></span>{ "success " }{ "✕ timeout ▲ rejected ○ wasted work" }
          </p>
        </section>
    }
}
