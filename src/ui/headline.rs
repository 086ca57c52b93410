//! The headline: the verdict and the numbers a learner reads first, for one side of the lab.
//!
//! Every figure is over the same trailing span the verdict judges (2 s, or one period of
//! periodic work), and the live figures (queue, workers busy) come from the same snapshot the
//! system diagram draws, so the two never disagree. In a system both show the selected tier,
//! and the headline says which.

use crate::explain::{self, Health, Recovery};
use crate::sim::{Counters, Sim, SimTime, Status, Window};
use crate::ui::web::fmt_ms;
use yew::prelude::*;

/// The headline figures of one simulation.
#[derive(Clone, PartialEq)]
pub struct Headline {
    pub span_s: f64,
    pub goodput_per_s: f64,
    pub offered_per_s: f64,
    /// `None` without first attempts in the span: no ratio without a denominator.
    pub amplification: Option<f64>,
    /// `None` when nothing succeeded.
    pub p99_ms: Option<f64>,
    pub mean_ms: Option<f64>,
    pub timeouts_per_s: f64,
    /// The share of successes that took longer than the callers' timeout (`None` without a
    /// timeout or without successes): what "users wait past their timeout" counts.
    pub late_share: Option<f64>,
    pub utilisation: Option<f64>,
    pub queue: u32,
    pub busy: u32,
    pub capacity: u32,
    pub health: Health,
    pub recovery: Recovery,
    /// What the retry policy allows at most (max attempts, budgets).
    pub allowance: String,
    /// The span's ratio is above what max attempts allow a request (its retries of requests
    /// first sent before the span): said on screen, not only on hover.
    pub above_bound: bool,
    /// Which tier the figures are, in a system ("tier 2, the bottom, as tier 1 calls it").
    pub tier: Option<String>,
}

impl Headline {
    /// The figures of tier `snap.tier` of `sim` now, as its callers see it (the users for the
    /// edge), with `snap` the status the diagram draws.
    pub fn of(sim: &Sim, snap: &Status) -> Headline {
        let now = sim.now();
        let t = snap.tier as usize;
        let mut view = sim.config().tier_view(t);
        // A drill's operator judges the run without knowing its trigger.
        crate::ui::shown_view(&mut view);
        let cfg = &*view;
        let windows = sim.tier_windows(t);
        let span = explain::verdict_span(cfg);
        let recent: Vec<&Window> = windows.iter().filter(|w| w.start >= now.saturating_sub(span)).collect();
        let mut c = Counters::default();
        for w in &recent {
            c.add(&w.counts);
        }
        let secs = recent.iter().map(|w| w.width.as_secs_f64()).sum::<f64>();
        let per_s = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let busy: u64 = recent.iter().map(|w| w.busy_area).sum();
        let cap: u64 = recent.iter().map(|w| w.capacity_area).sum();
        Headline {
            span_s: span.as_secs_f64(),
            goodput_per_s: per_s(c.successes),
            offered_per_s: per_s(c.first_attempts),
            amplification: (c.first_attempts > 0).then(|| c.attempts() as f64 / c.first_attempts as f64),
            above_bound: c.attempts() > c.first_attempts.saturating_mul(u64::from(cfg.client.max_attempts)),
            p99_ms: (c.successes > 0).then(|| recent.iter().filter(|w| w.counts.successes > 0).map(|w| w.p99_us).max().unwrap_or(0) as f64 / 1e3),
            mean_ms: (c.successes > 0).then(|| c.latency_sum_us as f64 / c.successes as f64 / 1e3),
            timeouts_per_s: per_s(c.timeouts),
            late_share: (cfg.client.timeout_ms.is_some() && c.successes > 0).then(|| c.late as f64 / c.successes as f64),
            utilisation: (cap > 0).then(|| busy as f64 / cap as f64),
            queue: snap.queue,
            busy: snap.busy,
            capacity: snap.capacity,
            health: explain::health(windows, cfg, now),
            recovery: explain::recovery(windows, cfg, now),
            // A change inside the span: the figure was measured partly under the old settings.
            allowance: match sim.changed_at() {
                at if at > SimTime::ZERO && at > now.saturating_sub(span) => {
                    format!("since the change at {:.1} s: {}", at.as_secs_f64(), explain::retry_allowance(cfg))
                }
                _ => explain::retry_allowance(cfg),
            },
            // Capitalised by hand: `to_uppercase` would bring Unicode's case tables into the page.
            tier: sim.config().is_system().then(|| {
                let name = explain::tier_name(sim.config(), t);
                let name = name.strip_prefix('t').map_or(name.clone(), |rest| format!("T{rest}"));
                format!("{name}, as {} call{} it", explain::tier_callers(t), if t == 0 { "" } else { "s" })
            }),
        }
    }

    /// The row for `side` ("" alone, "A" or "B" when comparing).
    pub fn html(&self, side: &str) -> Html {
        let id = |name: &str| if side == "B" { format!("{name}-b") } else { name.to_string() };
        let span = format!("over the last {:.0} s", self.span_s);
        let recovery = match self.recovery {
            Recovery::NoTrigger => None,
            Recovery::DuringTrigger => Some("trigger on".to_string()),
            Recovery::Recovered { after_s } => Some(format!("{after_s:.1} s")),
            Recovery::NotRecovered { .. } => Some("not recovered".to_string()),
        };
        // One builder for every figure (label, its id, the value, what follows it, and whether
        // it is measured over the span): each html! block costs the page's download, one per
        // figure did not. What a figure means, on hover, is `ui.stat-ID` in `www/lessons.txt`.
        let stat = |label: &str, name: &str, value: String, after: Html, over: bool| {
            let mut title = crate::texts::text(&format!("ui.stat-{name}"));
            if over {
                title += ", ";
                title += &span;
            }
            html! { <div class="stat" title={title}><span>{ label.to_string() }</span><b id={id(name)}>{ value }</b>{ after }</div> }
        };
        let none = Html::default;
        html! {
            <>
              if !side.is_empty() { <span class="side">{ side }</span> }
              if let Some(tier) = &self.tier { <span class="tier-of" id={id("headline-tier")}>{ tier }</span> }
              <div class={classes!("verdict", self.health.class())} id={id("health")} title={format!("Judged {span}")}>{ self.health.label() }</div>
              { stat("goodput", "goodput", format!("{:.0}/s", self.goodput_per_s), html! { <span>{ format!(" of {:.0}/s offered", self.offered_per_s) }</span> },
                true) }
              { stat("amplification", "amplification", self.amplification.map_or("–".to_string(), |a| format!("{a:.2}×")),
                html! { <span class="allowed" id={id("allowed")}>{ format!(" (allowed: {})", self.allowance) }
                  if self.above_bound { <span class="above" id={id("above-bound")}>{ format!(" {}", crate::texts::text("ui.amp-above")) }</span> }</span> }, true) }
              { stat("worst p99 / mean", "p99", self.p99_ms.map_or("— (no successes)".to_string(), fmt_ms),
                html! { <span id={id("mean-latency")}>{ self.mean_ms.map_or(String::new(), |m| format!(" / {}", fmt_ms(m))) }</span> }, true) }
              { stat("timeouts/s", "timeouts", format!("{:.0}", self.timeouts_per_s), none(), true) }
              if let Some(late) = self.late_share {
                { stat("past timeout", "late", format!("{:.1} %", 100.0 * late), none(), true) }
              }
              { stat("utilisation", "utilisation", self.utilisation.map_or("–".to_string(), |u| format!("{:.0} %", 100.0 * u)), none(), true) }
              { stat("queue", "queue", self.queue.to_string(), none(), false) }
              { stat("workers busy", "busy", format!("{}/{}", self.busy, self.capacity), none(), false) }
              if let Some(r) = recovery {
                { stat("time to recovery", "recovery", r, none(), false) }
              }
            </>
        }
    }
}
