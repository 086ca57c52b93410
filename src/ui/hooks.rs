//! The page's hooks: the running lab (engines, canvases, frame loop) kept in step with what
//! the learner chose, and the page's other effects (the lessons' prose, the address, the map's
//! loads, remembered exercises, `?bench=1`). `app.rs` calls each once.

use super::bench::measure_engine;
use super::charts;
use super::runner::*;
use super::state::{Action, Controls};
use super::system;
use super::web::*;
use crate::sim::{Config, Sim, SimTime};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The running lab, shared by the panels that step, draw or export it: the engines, the
/// canvases they draw on, and the page's re-render (its state is read when a panel acts).
#[derive(Clone)]
pub(crate) struct Lab {
    pub(crate) runner: Rc<RefCell<Runner>>,
    pub(crate) canvases: Rc<Canvases>,
    pub(crate) update: UseForceUpdateHandle,
}

impl Lab {
    /// Takes a snapshot, draws every chart and the diagram, and re-renders the page.
    pub(crate) fn show(&self) {
        let mut r = self.runner.borrow_mut();
        r.snap();
        draw_charts(&self.canvases, &r);
        draw_system(&self.canvases, &r);
        drop(r);
        self.update.force_update();
    }
}

/// The lab, created once, and the effects that keep it in step with `controls`: a new epoch
/// starts it over, parameters apply live, the selected tier is followed, and playing runs the
/// frame loop.
#[hook]
pub(crate) fn use_lab(controls: &UseReducerHandle<Controls>) -> Lab {
    let canvases = use_memo((), |_| Canvases {
        system: NodeRef::default(),
        system_b: NodeRef::default(),
        charts: charts::CHARTS.iter().map(|_| NodeRef::default()).collect(),
        delays: NodeRef::default(),
        phase: NodeRef::default(),
        hysteresis: NodeRef::default(),
    });
    let runner = use_mut_ref(|| Runner {
        sim: Sim::new(controls.cfg.clone(), controls.seed).or_else(|_| Sim::new(Config::default(), 1)).unwrap_or_else(|_| unreachable!("defaults are valid")),
        anim: system::Animation::default(),
        sim_b: controls.compare.clone().and_then(|b| Sim::new(b, controls.seed).ok()),
        anim_b: system::Animation::default(),
        last_ts: None,
        last_chart_ms: 0.0,
        chart_turn: 0,
        stats: FrameStats::default(),
        frame_times: std::collections::VecDeque::with_capacity(FRAME_HISTORY),
        frame: None,
        shown: Sim::new(Config::default(), 1).map(|s| s.status()).unwrap_or_else(|_| unreachable!("defaults are valid")),
        shown_b: None,
        to_end: None,
        cancel_to_end: false,
        hold: false,
        tier: controls.tier,
        shown_tiers: Vec::new(),
        shown_tiers_b: Vec::new(),
    });
    let update = use_force_update();
    let redraw = {
        let update = update.clone();
        use_callback((), move |_: (), _| update.force_update())
    };

    // A resized window (a laptop moved to a projector) redraws at the new size, paused or not.
    {
        let (runner, canvases) = (runner.clone(), canvases.clone());
        use_effect_with((), move |_| {
            let listener = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                let r = runner.borrow();
                draw_charts(&canvases, &r);
                draw_system(&canvases, &r);
            });
            if let Some(w) = web_sys::window() {
                let _ = w.add_event_listener_with_callback("resize", wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()));
            }
            listener.forget();
        });
    }
    // A new epoch starts the simulation over with the current config and seed, and the page
    // shows it at once (the clock, verdict and queue of the old run do not linger until Play).
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let redraw = redraw.clone();
        let (cfg, cfg_b, seed) = (controls.cfg.clone(), controls.compare.clone(), controls.seed);
        use_effect_with(controls.epoch, move |epoch| {
            let mut r = runner.borrow_mut();
            // A run to the end in progress belonged to the old run: its next chunk stops.
            r.cancel_to_end = r.to_end.is_some();
            r.restart(cfg, cfg_b, seed);
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
            drop(r);
            if *epoch > 0 {
                redraw.emit(());
            }
        });
    }
    // Parameter changes apply live, from the current simulated time.
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let redraw = redraw.clone();
        use_effect_with((controls.cfg.clone(), controls.compare.clone()), move |(cfg, cfg_b)| {
            let mut r = runner.borrow_mut();
            if r.sim.config() != cfg {
                if let Err(e) = r.sim.set_config(cfg.clone()) {
                    gloo::console::error!(format!("rejected parameters: {e}"));
                }
            }
            if let (Some(b), Some(cb)) = (r.sim_b.as_mut(), cfg_b) {
                if b.config() != cb {
                    if let Err(e) = b.set_config(cb.clone()) {
                        gloo::console::error!(format!("rejected parameters: {e}"));
                    }
                }
            }
            r.snap();
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
            redraw.emit(());
        });
    }
    // The selected tier's headline, diagram and charts (its snapshot is taken after the render
    // that changed the tier, so the page renders once more with it).
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let redraw = redraw.clone();
        use_effect_with(controls.tier, move |t| {
            let mut r = runner.borrow_mut();
            let changed = r.tier != *t;
            r.follow_tier(*t);
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
            drop(r);
            if changed {
                redraw.emit(());
            }
        });
    }
    // Playing runs the frame loop; pausing drops the frame handle, which cancels it.
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let c = controls.clone();
        let stop = Callback::from(move |_: ()| c.dispatch(Action::Pause));
        use_effect_with((controls.playing, controls.speed.to_bits()), move |(playing, bits)| {
            runner.borrow_mut().last_ts = None;
            if *playing {
                runner.borrow_mut().hold = false;
                schedule(runner.clone(), canvases, f64::from_bits(*bits), redraw, stop);
            }
            let r = runner.clone();
            move || {
                r.borrow_mut().frame = None;
            }
        });
    }
    Lab { runner, canvases, update }
}

/// Whether the lessons' prose has arrived: it is fetched after the first paint, and the page
/// works without it meanwhile.
#[hook]
pub(crate) fn use_lessons_text() -> bool {
    let ready = use_state(crate::texts::loaded);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            fetch_text(
                "lessons.txt",
                Rc::new(move |src: Option<String>| match src {
                    Some(src) => {
                        crate::texts::load(&src);
                        ready.set(true);
                    }
                    None => gloo::console::warn!("lessons.txt could not be loaded: stories and hints are not shown"),
                }),
            );
        });
    }
    *ready
}

/// An exercise link is read again once the lessons' text, which holds the exercises, has
/// arrived (until then the page shows the link's scenario, or the default one, and keeps the
/// exercise's id in the address), and a link to a trainer's pack's lab or exercise once the
/// pack has come, unless the learner has changed the lab meanwhile. It is the link as opened
/// that is read again, not the address the page wrote meanwhile: a pack lab's link without a
/// seed opens on the lab's own seed.
#[hook]
pub(crate) fn use_exercise_links(controls: &UseReducerHandle<Controls>, texts_ready: bool, packed: bool) {
    let first = use_memo((), |_| (web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default(), (**controls).clone()));
    let c = controls.clone();
    use_effect_with((texts_ready, packed), move |&(ready, packed)| {
        let (query, at_start) = &*first;
        let untouched = c.cfg == at_start.cfg && c.seed == at_start.seed && c.scenario == at_start.scenario && c.compare == at_start.compare;
        let pending = c.exercise.is_some() || (packed && !crate::scenarios::is_builtin(&c.scenario));
        if ready && pending && c.exercise == at_start.exercise && untouched {
            c.dispatch(Action::Relink(query.clone()));
        }
    });
}

/// `?bench=1`: the in-browser engine measurement, taken once the page has painted.
#[hook]
pub(crate) fn use_bench_report() -> Option<String> {
    let bench = use_state(|| None::<String>);
    {
        let bench = bench.clone();
        use_effect_with((), move |_| {
            if query_flag("bench") {
                gloo::timers::callback::Timeout::new(50, move || bench.set(Some(measure_engine()))).forget();
            }
        });
    }
    (*bench).clone()
}

/// The address always holds the current state's link (written here, never in the reducer).
#[hook]
pub(crate) fn use_link_in_address(link: String) {
    use_effect_with(link, move |link| {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{link}")));
        }
    });
}

/// What the on-demand panels send the lab (a `lab-load` event carrying text): a map cell's
/// config, a course step's or drill's whole link, a drill's planned change, or its state.
#[hook]
pub(crate) fn use_map_loads(controls: &UseReducerHandle<Controls>, lab: &Lab) {
    let c = controls.clone();
    let (runner, canvases, update) = (lab.runner.clone(), lab.canvases.clone(), lab.update.clone());
    use_effect_with((), move |_| {
        let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            let detail = e.detail().as_string().unwrap_or_default();
            // "@SECONDS?LINK" (a drill's action): LINK's config, planned to replace the running
            // one SECONDS from now (`Sim::plan`); the page shows when in `#course`'s data-plans.
            // "drill:1" / "drill:2": a drill runs with its trigger hidden / is debriefed.
            // "present:1" / "present:0": presenter mode on / off. "texts:SRC": a pack's texts.
            // "?LINK" (the course panel): the whole state that link opens; otherwise (a map
            // cell) its config on this seed.
            if let Some((delay, query)) = detail.strip_prefix('@').and_then(|d| d.split_once('?')) {
                let mut r = runner.borrow_mut();
                let at = r.sim.now().saturating_add(SimTime::from_secs_f64(crate::sim::params::parse_number(delay).unwrap_or(0.0)));
                if let Err(e) = r.sim.plan(at, crate::state::with_trace(crate::url::decode(query).0.config)) {
                    gloo::console::error!(format!("change not planned: {e}"));
                }
                drop(r);
                update.force_update();
            } else if let Some(src) = detail.strip_prefix("texts:") {
                // A trainer's pack, read and checked by its panel: its texts join the lessons'.
                crate::texts::extend(src);
                update.force_update();
            } else if let Some(on) = detail.strip_prefix("present:") {
                // Presenter mode on or off (its panel's toggle).
                super::PRESENT.set(on == "1");
                draw_charts(&canvases, &runner.borrow());
                update.force_update();
            } else if let Some(state) = detail.strip_prefix("drill:").and_then(|s| s.parse().ok()) {
                super::DRILL.set(state);
                draw_charts(&canvases, &runner.borrow());
                update.force_update();
            } else if detail.starts_with('?') {
                c.dispatch(Action::Relink(detail));
            } else {
                c.dispatch(Action::LoadConfig(Box::new(crate::url::decode(&detail).0.config)));
            }
        });
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.add_event_listener_with_callback("lab-load", wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()));
        }
        listener.forget();
    });
}

/// A passed exercise is remembered in this browser.
#[hook]
pub(crate) fn use_remember_pass(exercise: Option<String>, passed: bool) {
    use_effect_with((exercise, passed), |(id, passed)| {
        if let (Some(id), true) = (id, *passed) {
            if let Some(s) = storage() {
                let _ = s.set_item(&format!("backoff-lab.passed.{id}"), "1");
            }
        }
    });
}
