//! The system at a glance, above the animation: each tier as a box of its hosts (a bar per
//! host: how many of its workers are busy, red while calls queue), and between tiers an arrow
//! with the calls per second into the next tier and how many attempts there are per user
//! request. Clicking a tier points the controls and the charts at it.
//!
//! ```text
//!  users ─ 100/s 3.0× ─▶ [edge ▮▮] ─ 300/s 9.0× ─▶ [tier 1 ▮] ─ 2,700/s 27.0× ─▶ [tier 2 ▮]
//! ```

use yew::prelude::*;

/// One tier as the strip shows it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TierView {
    /// Each host: (queue, busy, capacity).
    pub hosts: Vec<(u32, u32, u32)>,
    /// Calls arriving per second, over the last 2 s.
    pub calls_per_s: f64,
    /// Attempts here per first attempt of the users, over the last 10 s (or the headline's
    /// span, if longer).
    pub per_user: Option<f64>,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub tiers: Vec<TierView>,
    pub selected: usize,
    /// "" for side A, "b" for side B (element ids).
    pub side: AttrValue,
    pub on_select: Callback<usize>,
}

#[function_component(Topology)]
pub fn topology(p: &Props) -> Html {
    let side = p.side.clone();
    html! { <>
      <div class="topology" role="group" aria-label="The system, edge first; pick a tier for the controls and charts">
        <span class="users">{ "users" }</span>
        { for p.tiers.iter().enumerate().map(|(t, v)| {
            let (queue, busy, cap) = v.hosts.iter().fold((0, 0, 0), |a, h| (a.0 + h.0, a.1 + h.1, a.2 + h.2));
            let per_user = v.per_user.map_or("–".to_string(), |a| format!("{a:.1}×"));
            // The arrow thickens with the rate: 1 px at 10/s, 9 px at 100,000/s.
            let width = (v.calls_per_s.max(1.0).log10() * 2.0).clamp(1.0, 9.0);
            let on_select = p.on_select.clone();
            // An arrow and the tier it points at wrap together (on a phone, never apart).
            html! { <span class="hop">
              <span class="arrow" style={format!("--w:{width:.1}px")} title={crate::texts::text("ui.strip.arrow")}>
                <span>{ format!("{:.0}/s", v.calls_per_s) }</span>
                <b id={format!("amp{side}-{t}")}>{ per_user }</b>
              </span>
              <button class="tier" id={format!("tier{side}-{t}")} aria-pressed={(t == p.selected).to_string()} onclick={Callback::from(move |_| on_select.emit(t))}>
                <strong>{ if t == 0 { "edge".to_string() } else { format!("tier {t}") } }</strong>
                <span class="hosts">{ for v.hosts.iter().enumerate().map(|(h, &(q, b, c))| html! {
                  <i class={classes!((q > 0).then_some("q"))} style={format!("--b:{}%", (100 * b.min(c)).checked_div(c).unwrap_or(100))}
                    title={format!("host {}: {b} of {c} workers busy, {q} queued", h + 1)} />
                }) }</span>
                <small>{ format!("{queue} queued · {:.0} % busy", if cap == 0 { 100.0 } else { 100.0 * f64::from(busy) / f64::from(cap) }) }</small>
              </button>
            </span> }
        }) }
      </div>
      // What the strip's marks mean, on screen (not only in hover titles), once per page.
      if p.side.is_empty() { <p class="help-inline" id="strip-caption">{ crate::texts::text("ui.strip.caption") }</p> }
    </> }
}
