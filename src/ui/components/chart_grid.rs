//! The live charts of the selected tier, one canvas per entry of the chart registry
//! (`ui/charts`), and the two a lab shows only when it has what they plot: goodput against a
//! ramping load, and first tries across the period of periodic work. Each canvas is named for
//! screen readers by its title when it is drawn.

use crate::explain;
use crate::ui::charts;
use crate::ui::hooks::Lab;
use yew::prelude::*;

/// What the panel shows and acts on.
pub struct Props {
    pub lab: Lab,
    pub tier: usize,
    pub ramps: bool,
    pub periodic: bool,
}

/// The panel.
pub fn view(p: &Props) -> Html {
    let c = &p.lab.canvases;
    html! {
        <section class="charts">
          if p.tier > 0 { <p class="side-caption" id="charts-tier">{ format!("Tier {} as {} sees it: the calls into it, their latency, its queue", p.tier, explain::tier_callers(p.tier)) }</p> }
          { for charts::CHARTS.iter().zip(c.charts.iter()).map(|(chart, r)| html! {
              <canvas ref={r.clone()} id={format!("chart-{}", chart.id)} role="img" />
          }) }
          if p.ramps {
            <canvas ref={c.hysteresis.clone()} id="chart-hysteresis" role="img" />
          }
          if p.periodic {
            <canvas ref={c.phase.clone()} id="chart-phase" role="img" />
          }
        </section>
    }
}
