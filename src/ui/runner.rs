//! The running simulation and its frame loop: a `Runner` owns one or two engines (the compare
//! side steps in lockstep) and their animations; each requestAnimationFrame advances simulated
//! time by wall time × speed within an event budget, draws the diagram, and one chart in turn.

use super::charts;
use super::components::topology::TierView;
use super::system;
use super::web::{canvas, media, now_ms};
use crate::sim::{Sim, SimTime, Status};
use gloo::render::{AnimationFrame, request_animation_frame};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Events one frame may handle: about 10 ms of engine work in the browser.
pub(crate) const FRAME_BUDGET: u64 = 150_000;
/// Events per chunk of "run to end" between yields to the browser.
pub(crate) const RUN_CHUNK: u64 = 2_000_000;

/// Frame timing for the debug overlay.
#[derive(Default, Clone, Copy)]
pub(crate) struct FrameStats {
    pub(crate) frame_ms: f64,
    pub(crate) engine_ms: f64,
    pub(crate) events_per_s: f64,
    pub(crate) behind: bool,
    /// 95th percentile of the last frames' handler time, ms.
    pub(crate) p95_ms: f64,
}

/// Frames kept for the p95.
pub(crate) const FRAME_HISTORY: usize = 600;

/// What the animation loop owns.
pub(crate) struct Runner {
    pub(crate) sim: Sim,
    pub(crate) anim: system::Animation,
    /// The compare side, stepped in lockstep with `sim`.
    pub(crate) sim_b: Option<Sim>,
    pub(crate) anim_b: system::Animation,
    pub(crate) last_ts: Option<f64>,
    pub(crate) last_chart_ms: f64,
    pub(crate) chart_turn: usize,
    pub(crate) stats: FrameStats,
    pub(crate) frame_times: std::collections::VecDeque<f64>,
    pub(crate) frame: Option<AnimationFrame>,
    /// The status the headline shows and the diagram draws: one snapshot feeds both.
    pub(crate) shown: Status,
    pub(crate) shown_b: Option<Status>,
    /// While "run to end" works in chunks: how far it is (0 to 1), shown on its button.
    pub(crate) to_end: Option<f64>,
    /// Set by the button's Cancel: the next chunk stops.
    pub(crate) cancel_to_end: bool,
    /// Set by Run to end, cleared by Play: a frame of the play loop that fires after Run to end
    /// was pressed (the pause takes effect a render later) does not move the clock, so the run
    /// stops at its end (WebKit ran on to 60.1 s).
    pub(crate) hold: bool,
    /// The tier the charts show.
    pub(crate) tier: usize,
    /// Each side's tiers for the topology strip (empty for one service), from the same snapshot.
    pub(crate) shown_tiers: Vec<TierView>,
    pub(crate) shown_tiers_b: Vec<TierView>,
}

/// The strip's view of a system's tiers (none for one service).
fn tier_views(sim: &Sim) -> Vec<TierView> {
    if !sim.config().is_system() {
        return Vec::new();
    }
    // The headline's definition of amplification (attempts ÷ the users' first attempts), over
    // the last 10 s (or the headline's span, if longer), steadier than the headline's 2 s for
    // the attempts a request makes over seconds. (Counting only the requests that had settled
    // hid the retried ones while their abandoned attempts sat in a queue: the bad host read
    // 1.0× beside the headline's 1.14×.) Calls per second are the last 2 s's.
    let span = crate::explain::verdict_span(sim.config()).max(SimTime::from_secs(10));
    let (from, calls_from) = (sim.now().saturating_sub(span), sim.now().saturating_sub(SimTime::from_secs(2)));
    let sums = |t: usize| {
        sim.tier_windows(t).iter().rev().take_while(|w| w.start >= from).fold((0, 0, 0), |a, w| {
            let recent = w.start >= calls_from;
            (a.0 + if recent { w.counts.server_arrivals } else { 0 }, a.1 + if recent { w.width.0 } else { 0 }, a.2 + w.counts.attempts())
        })
    };
    let users = sim.tier_windows(0).iter().rev().take_while(|w| w.start >= from).map(|w| w.counts.first_attempts).sum::<u64>();
    (0..sim.tier_count())
        .map(|t| {
            let (calls, width, attempts) = sums(t);
            TierView {
                hosts: sim.host_gauges(t),
                calls_per_s: if width > 0 { calls as f64 / (width as f64 / 1e6) } else { 0.0 },
                per_user: (users > 0).then(|| attempts as f64 / users as f64),
            }
        })
        .collect()
}

impl Runner {
    /// Starts over at time 0 with `cfg` (and side B's `cfg_b`) on `seed`, following the same tier.
    pub(crate) fn restart(&mut self, cfg: crate::sim::Config, cfg_b: Option<crate::sim::Config>, seed: u64) {
        match Sim::new(cfg, seed) {
            Ok(sim) => self.sim = sim,
            Err(e) => gloo::console::error!(format!("could not restart: {e}")),
        }
        self.sim_b = cfg_b.and_then(|b| Sim::new(b, seed).ok());
        let tier = self.tier;
        self.follow_tier(tier);
    }

    /// Whether the run has reached its configured end.
    pub(crate) fn at_end(&self) -> bool {
        self.sim.now() >= SimTime::from_secs_f64(self.sim.config().duration_s)
    }

    /// Takes the snapshot that the next render and the diagram share: the selected tier's.
    pub(crate) fn snap(&mut self) {
        self.shown = self.sim.tier_status(self.tier);
        self.shown_b = self.sim_b.as_ref().map(|b| b.tier_status(self.tier));
        self.shown_tiers = tier_views(&self.sim);
        self.shown_tiers_b = self.sim_b.as_ref().map(tier_views).unwrap_or_default();
    }

    /// Points the headline, the diagram, its moving requests and the charts at tier `t`.
    pub(crate) fn follow_tier(&mut self, t: usize) {
        self.tier = t;
        self.sim.set_trace_tier(t);
        if let Some(b) = self.sim_b.as_mut() {
            b.set_trace_tier(t);
        }
        // The requests on screen were the previous tier's.
        self.anim = system::Animation::default();
        self.anim_b = system::Animation::default();
        self.snap();
    }

    /// Advances A toward `target` and B in lockstep to wherever A got, each within `budget`
    /// events, and drains both lifecycle feeds into their animations (stamped `feed_at`).
    /// Reached means both sides are at `target`.
    pub(crate) fn advance(&mut self, target: SimTime, budget: u64, feed_at: f64) -> crate::sim::Advance {
        let mut step = self.sim.advance_to(target, budget);
        let (events, _) = self.sim.poll_trace();
        self.anim.feed(&events, feed_at);
        if let Some(b) = self.sim_b.as_mut() {
            step.reached &= b.advance_to(self.sim.now(), budget).reached;
            let (events, _) = b.poll_trace();
            self.anim_b.feed(&events, feed_at);
        }
        step
    }
}

pub(crate) struct Canvases {
    pub(crate) system: NodeRef,
    pub(crate) system_b: NodeRef,
    /// One per entry of [`charts::CHARTS`], in its order.
    pub(crate) charts: Vec<NodeRef>,
    pub(crate) delays: NodeRef,
    /// Shown only while periodic work is on.
    pub(crate) phase: NodeRef,
    /// Shown only while the load ramps: goodput against offered load.
    pub(crate) hysteresis: NodeRef,
}

/// Turns of the chart loop: one per chart of the registry, and one for the charts a lab
/// shows only sometimes (the period folded, the hysteresis loop).
pub(crate) const CHARTS: usize = charts::CHARTS.len() + 1;

/// Draws chart `which` (0..CHARTS) from the closed windows in view.
pub(crate) fn draw_chart(c: &Canvases, sim: &Sim, sim_b: Option<&Sim>, which: usize, tier: usize) {
    let theme = charts::Theme { dark: media("(prefers-color-scheme: dark)") };
    let x = charts::x_range(sim.now(), sim.config().duration_s);
    let ws = charts::visible(sim.tier_windows(tier), x);
    let wb = sim_b.map(|b| charts::visible(b.tier_windows(tier), x)).unwrap_or_default();
    let mut view = sim.config().tier_view(tier);
    super::shown_view(&mut view);
    let cfg = &*view;
    let result = match charts::CHARTS.get(which) {
        Some(chart) => c.charts.get(which).and_then(canvas).map(|k| (chart.draw)(&k, &ws, &wb, cfg, x, &theme)),
        None => {
            // Periodic work also gets its period folded: where in the period the load lands.
            if let (Some(k), true) = (canvas(&c.phase), cfg.load.periodic.clients > 0) {
                let h = crate::explain::phase_histogram(sim.tier_windows(tier), cfg.load.periodic.period_s, 20);
                if let Err(e) = charts::draw_phase(&k, &h, &theme) {
                    gloo::console::warn!(format!("chart not drawn: {e}"));
                }
            }
            match (canvas(&c.hysteresis), cfg.load.ramps.is_empty()) {
                (Some(k), false) => Some(charts::draw_hysteresis(&k, sim.tier_windows(tier), cfg, &theme)),
                _ => None,
            }
        }
    };
    if let Some(Err(e)) = result {
        gloo::console::warn!(format!("chart not drawn: {e}"));
    }
}

pub(crate) fn draw_charts(c: &Canvases, r: &Runner) {
    for which in 0..CHARTS {
        draw_chart(c, &r.sim, r.sim_b.as_ref(), which, r.tier);
    }
}

pub(crate) fn draw_system(c: &Canvases, r: &Runner) {
    let dark = media("(prefers-color-scheme: dark)");
    let reduced = media("(prefers-reduced-motion: reduce)");
    // The diagram shows the selected tier: its queue and workers, all hosts together (the
    // snapshot is that tier's status), and the requests moving through it.
    let limit = |cfg: &crate::sim::Config| cfg.tier(r.tier).map_or(cfg.server.queue_limit, |(s, ..)| s.queue_limit);
    let callers = match r.tier {
        0 => "clients".to_string(),
        1 => "edge".to_string(),
        t => format!("tier {}", t - 1),
    };
    if let Some(k) = canvas(&c.system) {
        if let Err(e) = r.anim.draw(&k, &r.shown, limit(r.sim.config()), &callers, now_ms(), reduced, dark) {
            gloo::console::warn!(format!("animation not drawn: {e}"));
        }
    }
    if let (Some(k), Some(b), Some(shown)) = (canvas(&c.system_b), r.sim_b.as_ref(), r.shown_b.as_ref()) {
        if let Err(e) = r.anim_b.draw(&k, shown, limit(b.config()), &callers, now_ms(), reduced, dark) {
            gloo::console::warn!(format!("animation not drawn: {e}"));
        }
    }
}

/// One animation frame: advance, feed the animation, draw.
/// Playing stops once at the end of the run (the scenario's duration); Play again goes on past it.
pub(crate) fn frame(runner: &Rc<RefCell<Runner>>, canvases: &Rc<Canvases>, speed: f64, ts: f64, redraw: &Callback<()>, stop: &Callback<()>) {
    let mut guard = runner.borrow_mut();
    let r = &mut *guard;
    let dt = r.last_ts.map_or(0.0, |last| (ts - last).clamp(0.0, 100.0));
    r.last_ts = Some(ts);
    let t0 = now_ms();
    let end = SimTime::from_secs_f64(r.sim.config().duration_s);
    let before = r.sim.now();
    let mut target = if r.hold { before } else { before.saturating_add(SimTime::from_millis_f64(dt * speed)) };
    if before < end {
        target = target.min(end);
    }
    let step = r.advance(target, FRAME_BUDGET, ts);
    let engine_ms = now_ms() - t0;
    let at_end = before < end && r.sim.now() >= end;
    let rerender = at_end || ts - r.last_chart_ms > 150.0;
    if rerender {
        r.snap();
    }
    draw_system(canvases, r);
    // One chart per frame, in turn (each refreshes about 10 times a second at 60 fps), so no
    // frame pays for all six; the headline numbers re-render about 7 times a second.
    let turn = r.chart_turn;
    draw_chart(canvases, &r.sim, r.sim_b.as_ref(), turn, r.tier);
    r.chart_turn = (turn + 1) % CHARTS;
    let frame_ms = now_ms() - t0;
    if r.frame_times.len() == FRAME_HISTORY {
        r.frame_times.pop_front();
    }
    r.frame_times.push_back(frame_ms);
    // The p95 is read only when the page re-renders, so it is computed then, not every frame.
    let mut p95_ms = r.stats.p95_ms;
    if rerender {
        r.last_chart_ms = ts;
        // Frame times are never negative, so their bits sort as the times do (and the page
        // carries one sort, on 128-bit integers, the engine's).
        let mut sorted: Vec<u128> = r.frame_times.iter().map(|t| u128::from(t.max(0.0).to_bits())).collect();
        sorted.sort_unstable();
        p95_ms = sorted.get((sorted.len() * 95 / 100).min(sorted.len().saturating_sub(1))).map_or(0.0, |b| f64::from_bits(*b as u64));
        redraw.emit(());
    }
    r.stats = FrameStats {
        frame_ms,
        engine_ms,
        events_per_s: if engine_ms > 0.0 { step.events as f64 / engine_ms * 1e3 } else { r.stats.events_per_s },
        behind: !step.reached,
        p95_ms,
    };
    if at_end {
        draw_charts(canvases, r);
        stop.emit(());
    }
}

pub(crate) fn schedule(runner: Rc<RefCell<Runner>>, canvases: Rc<Canvases>, speed: f64, redraw: Callback<()>, stop: Callback<()>) {
    let (r2, c2, d2, s2) = (runner.clone(), canvases, redraw, stop);
    let handle = request_animation_frame(move |ts| {
        frame(&r2, &c2, speed, ts, &d2, &s2);
        schedule(r2.clone(), c2.clone(), speed, d2.clone(), s2.clone());
    });
    runner.borrow_mut().frame = Some(handle);
}

/// Runs to the configured end in chunks, yielding to the browser between them.
pub(crate) fn run_to_end_chunked(runner: Rc<RefCell<Runner>>, canvases: Rc<Canvases>, update: UseForceUpdateHandle) {
    let done = {
        let mut r = runner.borrow_mut();
        if std::mem::take(&mut r.cancel_to_end) {
            true
        } else {
            let end = SimTime::from_secs_f64(r.sim.config().duration_s);
            let reached = r.advance(end, RUN_CHUNK, now_ms()).reached;
            r.to_end = Some(r.sim.now().as_secs_f64() / end.as_secs_f64().max(1e-9));
            reached
        }
    };
    // Every chunk re-renders: the clock, the headline and the button's progress stay live, and
    // the page answers (Cancel) between chunks.
    runner.borrow_mut().snap();
    if done {
        runner.borrow_mut().to_end = None;
        let r = runner.borrow();
        draw_charts(&canvases, &r);
        draw_system(&canvases, &r);
        update.force_update();
    } else {
        update.force_update();
        gloo::timers::callback::Timeout::new(0, move || run_to_end_chunked(runner, canvases, update)).forget();
    }
}
