//! The page: live controls, transport, the animated system, live charts, the delay explorer
//! and headline numbers, all driven by the same engine the CLI runs.
//!
//! State is split the way yew's examples split it: a small pure reducer holds what the
//! learner chose (the config, seed, speed, whether it plays); the running simulation lives in
//! a `use_mut_ref` and is stepped from a requestAnimationFrame loop whose handle cancels itself
//! when dropped. Each frame advances simulated time by wall time × speed, with an event budget
//! so a frame never overruns; charts redraw a few times a second, the animation every frame.

mod charts;
mod controls;
mod headline;
mod system;

use crate::exercises;
use crate::explain;
use crate::keys;
use crate::report;
use crate::scenarios;
use crate::sim::{Config, Fault, FaultKind, Sim, SimTime, Status, params};
use crate::url;
use controls::{Choice, Slider};
use gloo::render::{AnimationFrame, request_animation_frame};
use headline::Headline;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Events one frame may handle: about 10 ms of engine work in the browser.
const FRAME_BUDGET: u64 = 150_000;
/// Events per chunk of "run to end" between yields to the browser.
const RUN_CHUNK: u64 = 2_000_000;

/// What the learner chose. Pure: URL and storage writes belong in effects.
#[derive(Clone, Debug, PartialEq)]
pub struct Controls {
    pub cfg: Config,
    pub seed: u64,
    pub playing: bool,
    pub speed: f64,
    pub scenario: String,
    /// Validation messages by key, shown beside the control.
    pub errors: BTreeMap<String, String>,
    /// Bumped whenever the simulation must start over (reset, new seed, new scenario).
    pub epoch: u64,
    /// Embed mode: minimal chrome for an iframe.
    pub embed: bool,
    /// Control groups shown (all when `None`).
    pub groups: Option<Vec<String>>,
    /// The workshop exercise in progress.
    pub exercise: Option<String>,
    /// What could not be used from the link, in words.
    pub notes: Vec<String>,
    /// The compare side (B): same seed, same arrivals, whatever the learner changed.
    pub compare: Option<Config>,
    /// Whether the controls edit side B.
    pub editing_b: bool,
}

pub enum Action {
    SetKey(String, String),
    SetSpeed(f64),
    TogglePlay,
    Pause,
    Reset,
    SetSeed(u64),
    LoadScenario(String),
    AddFault(Fault),
    ClearFaults,
    StartExercise(String),
    LeaveExercise,
    ApplySolution,
    DismissNotes,
    StartCompare,
    StopCompare,
    EditSide(bool),
}

impl Reducible for Controls {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SetKey(key, value) => {
                let target = match (&next.compare, next.editing_b) {
                    (Some(b), true) => b,
                    _ => &next.cfg,
                };
                match keys::set(target, &key, &value) {
                    Ok(cfg) => {
                        match (&mut next.compare, next.editing_b) {
                            (Some(b), true) => *b = cfg,
                            _ => next.cfg = cfg,
                        }
                        next.errors.remove(&key);
                    }
                    Err(e) => {
                        next.errors.insert(key, e.message);
                    }
                }
            }
            Action::StartCompare => {
                next.compare = Some(next.cfg.clone());
                next.editing_b = true;
                next.epoch += 1;
            }
            Action::StopCompare => {
                next.compare = None;
                next.editing_b = false;
                next.epoch += 1;
            }
            Action::EditSide(b) => next.editing_b = b && next.compare.is_some(),
            Action::SetSpeed(s) => next.speed = s.clamp(0.01, 1_000.0),
            Action::TogglePlay => next.playing = !next.playing,
            Action::Pause => next.playing = false,
            Action::Reset => next.epoch += 1,
            Action::SetSeed(seed) => {
                next.seed = seed;
                next.epoch += 1;
            }
            Action::LoadScenario(id) => {
                if let Ok(s) = scenarios::find(&id) {
                    next.cfg = with_trace(s.config);
                    next.seed = s.seed;
                    next.scenario = id;
                    next.errors.clear();
                    next.editing_b = s.compare.is_some();
                    next.compare = s.compare.map(with_trace);
                    next.epoch += 1;
                }
            }
            // Faults are the experiment's conditions: both sides get them.
            Action::AddFault(f) => {
                if let Some(b) = next.compare.as_mut() {
                    b.faults.push(f.clone());
                }
                next.cfg.faults.push(f);
            }
            Action::ClearFaults => {
                next.cfg.faults.clear();
                if let Some(b) = next.compare.as_mut() {
                    b.faults.clear();
                }
            }
            Action::StartExercise(id) => {
                if let Some(e) = exercises::find(&id) {
                    next.cfg = with_trace(e.start_config());
                    next.seed = e.seed;
                    next.scenario = e.scenario.to_string();
                    next.exercise = Some(id);
                    next.errors.clear();
                    next.compare = None;
                    next.editing_b = false;
                    next.playing = false;
                    next.epoch += 1;
                }
            }
            Action::LeaveExercise => next.exercise = None,
            Action::ApplySolution => {
                if let Some(e) = next.exercise.as_deref().and_then(exercises::find) {
                    let solved = with_trace(e.solved_config());
                    next.cfg = solved;
                    next.errors.clear();
                    next.epoch += 1;
                }
            }
            Action::DismissNotes => next.notes.clear(),
        }
        Rc::new(next)
    }
}

/// The page keeps a lifecycle feed for the animation.
fn with_trace(mut cfg: Config) -> Config {
    cfg.metrics.trace_capacity = 20_000;
    cfg
}

/// The state the page opens in: whatever the link says, with what it could not use noted.
fn initial() -> Controls {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let (link, notes) = url::decode(&query);
    Controls {
        cfg: with_trace(link.config),
        seed: link.seed,
        playing: link.play,
        speed: link.speed,
        scenario: link.scenario,
        errors: BTreeMap::new(),
        epoch: 0,
        embed: link.embed,
        groups: link.controls,
        exercise: link.exercise,
        notes,
        editing_b: link.compare.is_some(),
        compare: link.compare.map(with_trace),
    }
}

/// The link for the current state (the trace setting is the page's own, not the learner's).
fn link_of(c: &Controls) -> String {
    let mut cfg = c.cfg.clone();
    cfg.metrics.trace_capacity = scenarios::find(&c.scenario).map(|s| s.config.metrics.trace_capacity).unwrap_or(0);
    if let Some(e) = c.exercise.as_deref().and_then(exercises::find) {
        cfg.metrics.trace_capacity = e.start_config().metrics.trace_capacity;
    }
    let trace = cfg.metrics.trace_capacity;
    url::encode(&url::LinkState {
        scenario: c.scenario.clone(),
        seed: c.seed,
        config: cfg,
        compare: c.compare.clone().map(|mut b| {
            b.metrics.trace_capacity = trace;
            b
        }),
        exercise: c.exercise.clone(),
        embed: c.embed,
        controls: c.groups.clone(),
        speed: c.speed,
        play: false,
    })
}

fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Offers `href` (a data: URL) as a download named `name`.
fn download(name: &str, href: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", href);
        let _ = a.set_attribute("download", name);
        if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
            a.click();
        }
    }
}

fn data_url(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", String::from(js_sys::encode_uri_component(text)))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn passed(id: &str) -> bool {
    storage().and_then(|s| s.get_item(&format!("backoff-lab.passed.{id}")).ok().flatten()).is_some()
}

/// Frame timing for the debug overlay.
#[derive(Default, Clone, Copy)]
struct FrameStats {
    frame_ms: f64,
    engine_ms: f64,
    events_per_s: f64,
    behind: bool,
    /// 95th percentile of the last frames' handler time, ms.
    p95_ms: f64,
}

/// Frames kept for the p95.
const FRAME_HISTORY: usize = 600;

/// The controls, grouped as the talk teaches, by key; each one's label, unit, range and help
/// come from its spec in [`crate::sim::params`]. Embed links can show a subset of groups.
const CONTROL_TABLE: &[(&str, &str, &[&str])] = &[
    (
        "load",
        "Load",
        &["load.rate_per_s", "load.closed.clients", "load.closed.think_ms", "load.periodic.clients", "load.periodic.period_s", "load.periodic.jittered"],
    ),
    (
        "server",
        "Server",
        &[
            "server.workers",
            "server.service_ms",
            "server.service",
            "server.contention",
            "server.queue_limit",
            "server.discipline",
            "server.drop_expired",
            "server.throttle.enabled",
            "server.throttle.rate_per_s",
        ],
    ),
    ("client", "Client", &["client.timeout_ms", "client.max_attempts", "client.backoff", "client.base_ms", "client.cap_ms", "client.jitter"]),
    ("limiters", "Limiters", &["limiters.quota.enabled", "limiters.breaker.enabled", "limiters.breaker.open_ms", "limiters.adaptive.enabled"]),
];

/// What the animation loop owns.
struct Runner {
    sim: Sim,
    anim: system::Animation,
    /// The compare side, stepped in lockstep with `sim`.
    sim_b: Option<Sim>,
    anim_b: system::Animation,
    last_ts: Option<f64>,
    last_chart_ms: f64,
    chart_turn: usize,
    stats: FrameStats,
    frame_times: std::collections::VecDeque<f64>,
    frame: Option<AnimationFrame>,
    /// The status the headline shows and the diagram draws: one snapshot feeds both.
    shown: Status,
    shown_b: Option<Status>,
}

impl Runner {
    /// Takes the snapshot that the next render and the diagram share.
    fn snap(&mut self) {
        self.shown = self.sim.status();
        self.shown_b = self.sim_b.as_ref().map(Sim::status);
    }

    /// Advances A toward `target` and B in lockstep to wherever A got, each within `budget`
    /// events, and drains both lifecycle feeds into their animations (stamped `feed_at`).
    /// Reached means both sides are at `target`.
    fn advance(&mut self, target: SimTime, budget: u64, feed_at: f64) -> crate::sim::Advance {
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

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn media(q: &str) -> bool {
    web_sys::window().and_then(|w| w.match_media(q).ok().flatten()).is_some_and(|m| m.matches())
}

struct Canvases {
    system: NodeRef,
    system_b: NodeRef,
    load: NodeRef,
    latency: NodeRef,
    queue: NodeRef,
    arrivals: NodeRef,
    amplification: NodeRef,
    limiters: NodeRef,
    delays: NodeRef,
    contention_calls: NodeRef,
    contention_time: NodeRef,
}

fn canvas(r: &NodeRef) -> Option<HtmlCanvasElement> {
    r.cast::<HtmlCanvasElement>()
}

/// Charts on the page, drawn in turn one per frame while playing.
const CHARTS: usize = 6;

/// Draws chart `which` (0..CHARTS) from the closed windows in view.
fn draw_chart(c: &Canvases, sim: &Sim, sim_b: Option<&Sim>, which: usize) {
    let theme = charts::Theme { dark: media("(prefers-color-scheme: dark)") };
    let x = charts::x_range(sim.now(), sim.config().duration_s);
    let ws = charts::visible(sim.windows(), x);
    let wb = sim_b.map(|b| charts::visible(b.windows(), x)).unwrap_or_default();
    let cfg = sim.config();
    let result = match which {
        0 => canvas(&c.load).map(|k| charts::draw_load(&k, &ws, &wb, cfg, x, &theme)),
        1 => canvas(&c.latency).map(|k| charts::draw_latency(&k, &ws, &wb, cfg, x, &theme)),
        2 => canvas(&c.queue).map(|k| charts::draw_queue(&k, &ws, &wb, cfg, x, &theme)),
        3 => canvas(&c.arrivals).map(|k| charts::draw_arrivals(&k, &ws, &wb, cfg, x, &theme)),
        4 => canvas(&c.amplification).map(|k| charts::draw_amplification(&k, &ws, &wb, cfg, x, &theme)),
        _ => canvas(&c.limiters).map(|k| charts::draw_limiters(&k, &ws, cfg, x, &theme)),
    };
    if let Some(Err(e)) = result {
        gloo::console::warn!(format!("chart not drawn: {e}"));
    }
}

fn draw_charts(c: &Canvases, r: &Runner) {
    for which in 0..CHARTS {
        draw_chart(c, &r.sim, r.sim_b.as_ref(), which);
    }
}

fn draw_system(c: &Canvases, r: &Runner) {
    let dark = media("(prefers-color-scheme: dark)");
    let reduced = media("(prefers-reduced-motion: reduce)");
    if let Some(k) = canvas(&c.system) {
        if let Err(e) = r.anim.draw(&k, &r.shown, r.sim.config().server.queue_limit, now_ms(), reduced, dark) {
            gloo::console::warn!(format!("animation not drawn: {e}"));
        }
    }
    if let (Some(k), Some(b), Some(shown)) = (canvas(&c.system_b), r.sim_b.as_ref(), r.shown_b.as_ref()) {
        if let Err(e) = r.anim_b.draw(&k, shown, b.config().server.queue_limit, now_ms(), reduced, dark) {
            gloo::console::warn!(format!("animation not drawn: {e}"));
        }
    }
}

/// One animation frame: advance, feed the animation, draw.
/// Playing stops once at the end of the run (the scenario's duration); Play again goes on past it.
fn frame(runner: &Rc<RefCell<Runner>>, canvases: &Rc<Canvases>, speed: f64, ts: f64, redraw: &Callback<()>, stop: &Callback<()>) {
    let mut guard = runner.borrow_mut();
    let r = &mut *guard;
    let dt = r.last_ts.map_or(0.0, |last| (ts - last).clamp(0.0, 100.0));
    r.last_ts = Some(ts);
    let t0 = now_ms();
    let end = SimTime::from_secs_f64(r.sim.config().duration_s);
    let before = r.sim.now();
    let mut target = before.saturating_add(SimTime::from_millis_f64(dt * speed));
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
    draw_chart(canvases, &r.sim, r.sim_b.as_ref(), turn);
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
        let mut sorted: Vec<f64> = r.frame_times.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        p95_ms = sorted.get((sorted.len() * 95 / 100).min(sorted.len().saturating_sub(1))).copied().unwrap_or(0.0);
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

fn schedule(runner: Rc<RefCell<Runner>>, canvases: Rc<Canvases>, speed: f64, redraw: Callback<()>, stop: Callback<()>) {
    let (r2, c2, d2, s2) = (runner.clone(), canvases, redraw, stop);
    let handle = request_animation_frame(move |ts| {
        frame(&r2, &c2, speed, ts, &d2, &s2);
        schedule(r2.clone(), c2.clone(), speed, d2.clone(), s2.clone());
    });
    runner.borrow_mut().frame = Some(handle);
}

fn fmt_ms(ms: f64) -> String {
    if ms >= 10_000.0 { format!("{:.1} s", ms / 1e3) } else { format!("{ms:.0} ms") }
}

#[function_component(App)]
pub fn app() -> Html {
    let controls = use_reducer(initial);
    let debug = use_memo((), |_| query_flag("debug"));
    let bench = use_state(|| None::<String>);
    {
        let bench = bench.clone();
        use_effect_with((), move |_| {
            if query_flag("bench") {
                // Let the page paint first, then measure.
                gloo::timers::callback::Timeout::new(50, move || bench.set(Some(measure_engine()))).forget();
            }
        });
    }
    let canvases = use_memo((), |_| Canvases {
        system: NodeRef::default(),
        system_b: NodeRef::default(),
        load: NodeRef::default(),
        latency: NodeRef::default(),
        queue: NodeRef::default(),
        arrivals: NodeRef::default(),
        amplification: NodeRef::default(),
        limiters: NodeRef::default(),
        delays: NodeRef::default(),
        contention_calls: NodeRef::default(),
        contention_time: NodeRef::default(),
    });
    let contention = use_state(|| None::<Rc<Vec<crate::sim::contention::SweepRow>>>);
    {
        let canvases = canvases.clone();
        use_effect_with(contention.clone(), move |rows| {
            if let Some(rows) = rows.as_ref() {
                let theme = charts::Theme { dark: media("(prefers-color-scheme: dark)") };
                for (r, time) in [(&canvases.contention_calls, false), (&canvases.contention_time, true)] {
                    if let Some(k) = canvas(r) {
                        if let Err(e) = charts::draw_contention(&k, rows, time, &theme) {
                            gloo::console::warn!(format!("contention chart not drawn: {e}"));
                        }
                    }
                }
            }
        });
    }
    let runner = use_mut_ref(|| Runner {
        sim: Sim::new(controls.cfg.clone(), controls.seed).unwrap_or_else(|_| Sim::new(Config::default(), 1).expect("defaults are valid")),
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
    });
    let update = use_force_update();
    let redraw = {
        let update = update.clone();
        use_callback((), move |_: (), _| update.force_update())
    };

    // A new epoch starts the simulation over with the current config and seed.
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let (cfg, cfg_b, seed) = (controls.cfg.clone(), controls.compare.clone(), controls.seed);
        use_effect_with(controls.epoch, move |_| {
            let mut r = runner.borrow_mut();
            match Sim::new(cfg, seed) {
                Ok(sim) => r.sim = sim,
                Err(e) => gloo::console::error!(format!("could not restart: {e}")),
            }
            r.sim_b = cfg_b.and_then(|b| Sim::new(b, seed).ok());
            r.anim = system::Animation::default();
            r.anim_b = system::Animation::default();
            r.snap();
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
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
    // Playing runs the frame loop; pausing drops the frame handle, which cancels it.
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let redraw = redraw.clone();
        let c = controls.clone();
        let stop = Callback::from(move |_: ()| c.dispatch(Action::Pause));
        use_effect_with((controls.playing, controls.speed.to_bits()), move |(playing, bits)| {
            runner.borrow_mut().last_ts = None;
            if *playing {
                schedule(runner.clone(), canvases, f64::from_bits(*bits), redraw, stop);
            }
            let r = runner.clone();
            move || {
                r.borrow_mut().frame = None;
            }
        });
    }

    // The link always holds the current state (written in an effect, never in the reducer).
    {
        let link = link_of(&controls);
        use_effect_with(link, move |link| {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{link}")));
            }
        });
    }

    let on_key = {
        let c = controls.clone();
        Callback::from(move |(k, v): (String, String)| c.dispatch(Action::SetKey(k, v)))
    };
    let err = |k: &str| controls.errors.get(k).map(|e| AttrValue::from(e.clone()));
    let cfg = &controls.cfg;
    // The controls show, and change, the side being edited.
    let edit_cfg = match (&controls.compare, controls.editing_b) {
        (Some(b), true) => b,
        _ => cfg,
    };
    let control = |key: &&str| {
        let Some(p) = params::find(key) else { return html! {} };
        let value = p.text(edit_cfg);
        match p.ui {
            params::Ui::Slider { min, max, step } => html! {
                <Slider key_name={p.key} label={p.label} unit={p.unit} help={format!("{} (allowed {})", p.help, p.range_text())} value={value.parse::<f64>().unwrap_or(0.0)}
                    min={min} max={max} step={step} error={err(p.key)} on_change={on_key.clone()} />
            },
            params::Ui::Options(options) => {
                let mut options: Vec<(AttrValue, AttrValue)> = options.iter().map(|(v, l)| (AttrValue::from(*v), AttrValue::from(*l))).collect();
                // A value set by a link or the CLI that no option names is still shown as it is.
                if !options.iter().any(|(v, _)| controls::same(v, &value)) {
                    options.push((AttrValue::from(value.clone()), AttrValue::from(format!("{value} {}", p.unit))));
                }
                html! { <Choice key_name={p.key} label={p.label} help={p.help} value={value} options={options} error={err(p.key)} on_change={on_key.clone()} /> }
            }
            params::Ui::Hidden => html! {},
        }
    };

    // The headline reads the same snapshot the diagram draws.
    let r = runner.borrow();
    let now = r.sim.now();
    let status = r.shown;
    let head = Headline::of(&r.sim, &status);
    let head_b = r.sim_b.as_ref().zip(r.shown_b.as_ref()).map(|(b, st)| Headline::of(b, st));
    let stats = r.stats;
    let exercise = controls.exercise.as_deref().and_then(exercises::find);
    let check = exercise.as_ref().map(|e| e.check(&r.sim));
    drop(r);
    // A passed exercise is remembered in this browser.
    {
        let done = check.as_ref().and_then(|c| c.passed) == Some(true);
        use_effect_with((controls.exercise.clone(), done), |(id, done)| {
            if let (Some(id), true) = (id, *done) {
                if let Some(s) = storage() {
                    let _ = s.set_item(&format!("backoff-lab.passed.{id}"), "1");
                }
            }
        });
    }
    let hints_shown = use_state(|| 0usize);
    let show_solution = use_state(|| false);
    {
        let (hints_shown, show_solution) = (hints_shown.clone(), show_solution.clone());
        use_effect_with(controls.exercise.clone(), move |_| {
            hints_shown.set(0);
            show_solution.set(false);
        });
    }
    let show = |g: &str| controls.groups.as_ref().is_none_or(|gs| gs.iter().any(|x| x == g));
    let link = link_of(&controls);
    let full_url = format!("{}?{}", page_base(), link);
    let mut embed_state = (*controls).clone();
    embed_state.embed = true;
    let title = exercise.as_ref().map(|e| e.title).or_else(|| scenarios::find(&controls.scenario).ok().map(|s| s.title)).unwrap_or("Backoff Lab");
    let snippet = format!(
        "<iframe src=\"{}?{}\" width=\"100%\" height=\"680\" style=\"border:0\" loading=\"lazy\" title=\"Backoff Lab: {}\"></iframe>",
        page_base(),
        link_of(&embed_state),
        title
    );

    let delays = use_memo(controls.cfg.client.clone(), |c| explain::delay_report(c, 2_000));
    // The side being edited may differ from A: its own mean delays sit beside its jitter choice.
    let edit_delays = use_memo(edit_cfg.client.clone(), |c| explain::delay_report(c, 2_000));
    {
        let canvases = canvases.clone();
        use_effect_with(delays.clone(), move |d| {
            if let Some(k) = canvas(&canvases.delays) {
                let theme = charts::Theme { dark: media("(prefers-color-scheme: dark)") };
                if let Err(e) = charts::draw_delays(&k, d, &theme) {
                    gloo::console::warn!(format!("delay histogram not drawn: {e}"));
                }
            }
        });
    }

    let c = controls.clone();
    let on_scenario = Callback::from(move |e: Event| {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        c.dispatch(Action::LoadScenario(sel.value()));
    });
    let act = |a: fn() -> Action| {
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| c.dispatch(a()))
    };
    let c = controls.clone();
    let on_speed = Callback::from(move |e: Event| {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        if let Ok(s) = sel.value().parse() {
            c.dispatch(Action::SetSpeed(s));
        }
    });
    let c = controls.clone();
    let on_seed = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        if let Ok(s) = input.value().trim().parse() {
            c.dispatch(Action::SetSeed(s));
        }
    });
    let c = controls.clone();
    let on_random_seed = Callback::from(move |_: MouseEvent| {
        let mut b = [0u8; 8];
        if getrandom::fill(&mut b).is_ok() {
            c.dispatch(Action::SetSeed(u64::from_le_bytes(b) % 1_000_000_000));
        }
    });
    let on_step = {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let update = update.clone();
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| {
            c.dispatch(Action::Pause);
            let mut r = runner.borrow_mut();
            let t = r.sim.now().saturating_add(SimTime::from_millis(100));
            while !r.advance(t, FRAME_BUDGET, now_ms()).reached {}
            r.snap();
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
            update.force_update();
        })
    };
    let on_run_to_end = {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let update = update.clone();
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| {
            c.dispatch(Action::Pause);
            run_to_end_chunked(runner.clone(), canvases.clone(), update.clone());
        })
    };
    let fault_at = use_state(|| None::<f64>);
    let fault = |kind: FaultKind, value: f64, secs: f64| {
        let c = controls.clone();
        let runner = runner.clone();
        let at = *fault_at;
        Callback::from(move |_: MouseEvent| {
            let now = runner.borrow().sim.now().as_secs_f64();
            let start = at.filter(|t| *t >= now).unwrap_or(now);
            c.dispatch(Action::AddFault(Fault { kind, start_s: start, end_s: start + secs, value }));
        })
    };
    let on_fault_at = {
        let fault_at = fault_at.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            fault_at.set(input.value().trim().parse::<f64>().ok().filter(|t| t.is_finite() && *t >= 0.0));
        })
    };
    let on_contention = {
        let contention = contention.clone();
        let seed = controls.seed;
        Callback::from(move |_: MouseEvent| {
            use crate::sim::contention::{ContentionParams, Strategy, sweep};
            let clients: Vec<u32> = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].to_vec();
            contention.set(Some(Rc::new(sweep(&Strategy::ALL, &clients, 40, seed, &ContentionParams::default()))));
        })
    };
    let on_copy_link = {
        let u = full_url.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&u))
    };
    let on_copy_embed = {
        let sn = snippet.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&sn))
    };
    let on_csv = {
        let runner = runner.clone();
        Callback::from(move |_: MouseEvent| {
            let csv = report::series_csv(runner.borrow().sim.windows());
            download("backoff-lab-series.csv", &data_url("text/csv", &csv));
        })
    };
    let on_json = {
        let cfg = controls.cfg.clone();
        Callback::from(move |_: MouseEvent| {
            let mut c = cfg.clone();
            c.metrics.trace_capacity = 0;
            if let Ok(j) = serde_json::to_string_pretty(&c) {
                download("backoff-lab-config.json", &data_url("application/json", &j));
            }
        })
    };
    let on_png = {
        let canvases = canvases.clone();
        Callback::from(move |_: MouseEvent| {
            for (name, r) in [
                ("load", &canvases.load),
                ("latency", &canvases.latency),
                ("queue", &canvases.queue),
                ("arrivals", &canvases.arrivals),
                ("amplification", &canvases.amplification),
                ("limiters", &canvases.limiters),
                ("delays", &canvases.delays),
            ] {
                if let Some(url) = canvas(r).and_then(|c| c.to_data_url().ok()) {
                    download(&format!("backoff-lab-{name}.png"), &url);
                }
            }
        })
    };
    let c = controls.clone();
    let on_exercise = Callback::from(move |e: Event| {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        let v = sel.value();
        c.dispatch(if v.is_empty() { Action::LeaveExercise } else { Action::StartExercise(v) });
    });
    let on_hint = {
        let h = hints_shown.clone();
        Callback::from(move |_: MouseEvent| h.set(*h + 1))
    };
    let on_solution = {
        let s = show_solution.clone();
        Callback::from(move |_: MouseEvent| s.set(true))
    };

    let scenario = scenarios::find(&controls.scenario).ok();

    html! {
      <main class={classes!(controls.embed.then_some("embed"))}>
        <header>
          <h1>{ "Backoff Lab" }</h1>
          if controls.embed {
            <a class="open-full" href={format!("{}?{}", page_base(), link.replace("&embed=1", ""))} target="_blank" rel="noopener">{ "Open the full lab ↗" }</a>
          } else {
            <p class="lede">{ "Why services fall over under load, and how retries, backoff and jitter save them or finish them off." }</p>
          }
          if !controls.notes.is_empty() {
            <div class="notes" role="alert" id="link-notes">
              <strong>{ "Parts of this link could not be used:" }</strong>
              <ul>{ for controls.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
              <button onclick={act(|| Action::DismissNotes)}>{ "Dismiss" }</button>
            </div>
          }
          if let (Some(e), Some(chk)) = (&exercise, &check) {
            <section class="exercise" id="exercise" aria-live="polite">
              <h2>{ format!("Exercise: {}", e.title) }</h2>
              <p class="goal"><strong>{ "Goal: " }</strong>{ e.goal }</p>
              <p class={classes!("progress", match chk.passed { Some(true) => "pass", Some(false) => "fail", None => "running" })} id="exercise-status">
                { match chk.passed {
                    Some(true) => "✓ Passed — ",
                    Some(false) => "✗ Not yet — ",
                    None if now == SimTime::ZERO => "Not started: press ▶ Play or Run to end — ",
                    None if !controls.playing => "Paused — ",
                    None => "Running — ",
                } }{ &chk.progress }
              </p>
              <ul class="hints">{ for e.hints.iter().take(*hints_shown).map(|h| html! { <li>{ *h }</li> }) }</ul>
              if *hints_shown < e.hints.len() { <button id="hint" onclick={on_hint}>{ "Show a hint" }</button> }
              if *show_solution {
                <p class="solution">{ e.explanation }{ " Changes: " }{ e.solution.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ") }</p>
                <button id="apply-solution" onclick={act(|| Action::ApplySolution)}>{ "Apply the solution and restart" }</button>
              } else {
                <button id="reveal-solution" onclick={on_solution}>{ "Reveal the solution" }</button>
              }
            </section>
          }
          <div class="scenario">
            <label for="scenario">{ "Scenario " }</label>
            <select id="scenario" onchange={on_scenario}>
              { for scenarios::all().iter().map(|s| html! { <option value={s.id} selected={s.id == controls.scenario}>{ s.title }</option> }) }
            </select>
            if !controls.embed {
              <label for="exercise-pick">{ "Exercise " }</label>
              <select id="exercise-pick" onchange={on_exercise}>
                <option value="" selected={controls.exercise.is_none()}>{ "— none —" }</option>
                { for exercises::all().iter().map(|e| html! { <option value={e.id} selected={controls.exercise.as_deref() == Some(e.id)}>{ format!("{}{}", if passed(e.id) || (controls.exercise.as_deref() == Some(e.id) && check.as_ref().and_then(|c| c.passed) == Some(true)) { "✓ " } else { "" }, e.title) }</option> }) }
              </select>
            }
            if let (Some(s), None) = (scenario, &exercise) { <p class="story">{ s.story } <strong>{ " Look for: " }</strong>{ s.look_for }</p> }
          </div>
        </header>

        <section class="headline" aria-live="polite">
          <div class="headline-row">{ head.html(if head_b.is_some() { "A" } else { "" }) }</div>
          if let Some(hb) = &head_b { <div class="headline-row" id="headline-b">{ hb.html("B") }</div> }
          if status.live_cap_reached { <div class="warn" role="alert">{ "Live cap reached: some requests were shed. Raise metrics.max_live to see the full load." }</div> }
        </section>

        <section class="transport" aria-label="Transport">
          <button id="play" onclick={act(|| Action::TogglePlay)} aria-pressed={controls.playing.to_string()}>{ if controls.playing { "Pause" } else { "▶ Play" } }</button>
          <button id="step" onclick={on_step} title="Advance 100 ms of simulated time">{ "Step 100 ms" }</button>
          <label for="speed">{ "Speed " }</label>
          <select id="speed" onchange={on_speed}>
            { for [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0].iter().map(|s| html! { <option value={s.to_string()} selected={*s == controls.speed}>{ format!("{s}×") }</option> }) }
          </select>
          <button id="run-to-end" onclick={on_run_to_end} title={format!("Simulate to {} s", cfg.duration_s)}>{ "Run to end" }</button>
          <button id="reset" onclick={act(|| Action::Reset)}>{ "Reset" }</button>
          <label for="seed">{ "Seed " }</label>
          <input id="seed" type="number" value={controls.seed.to_string()} onchange={on_seed} />
          <button id="random-seed" onclick={on_random_seed}>{ "New random seed" }</button>
          if controls.compare.is_some() {
            <button id="compare" onclick={act(|| Action::StopCompare)}>{ "Stop comparing" }</button>
          } else {
            <button id="compare" onclick={act(|| Action::StartCompare)} title="Run a second copy on the same seed and arrivals; change anything on side B">{ "Compare side by side" }</button>
          }
          <span class="clock" id="clock">{ format!("t = {:.1} s", now.as_secs_f64()) }</span>
        </section>

        <section class="stage">
          if head_b.is_some() { <p class="side-caption">{ "A" }</p> }
          <canvas ref={canvases.system.clone()} class="system" id="system" role="img"
            aria-label={format!("Clients send to a queue of {} and {} of {} workers busy", status.queue, status.busy, status.capacity)} />
          if let Some(hb) = &head_b {
            <p class="side-caption">{ "B" }</p>
            <canvas ref={canvases.system_b.clone()} class="system" id="system-b" role="img"
              aria-label={format!("Side B: a queue of {} and {} of {} workers busy", hb.queue, hb.busy, hb.capacity)} />
          }
          <p class="legend">
            <span class="sw" style="background:#0072B2"></span>{ "first try " }
            <span class="sw" style="background:#E69F00"></span>{ "1st retry " }
            <span class="sw" style="background:#D55E00"></span>{ "2nd retry " }
            <span class="sw" style="background:#CC79A7"></span>{ "3rd+ " }
            <span class="sw" style="background:#009E73"></span>{ "success " }{ "✕ timeout ▲ rejected ○ wasted work" }
          </p>
        </section>

        <section class="charts">
          <canvas ref={canvases.load.clone()} id="chart-load" role="img" aria-label="Load per second: offered, retries, goodput, capacity" />
          <canvas ref={canvases.latency.clone()} id="chart-latency" role="img" aria-label="Latency p50 and p99 with the timeout line" />
          <canvas ref={canvases.queue.clone()} id="chart-queue" role="img" aria-label="Queue depth with the limit line" />
          <canvas ref={canvases.arrivals.clone()} id="chart-arrivals" role="img" aria-label="First attempts per window" />
          <canvas ref={canvases.amplification.clone()} id="chart-amplification" role="img" aria-label="Amplification" />
          <canvas ref={canvases.limiters.clone()} id="chart-limiters" role="img" aria-label="Retry quota tokens, breaker state and adaptive send rate" />
        </section>

        <section class="controls">
          if controls.compare.is_some() {
            <div class="edit-side" role="group" aria-label="Which side the controls change">
              { "Controls change: " }
              <button id="edit-a" aria-pressed={(!controls.editing_b).to_string()} onclick={act(|| Action::EditSide(false))}>{ "A" }</button>
              <button id="edit-b" aria-pressed={controls.editing_b.to_string()} onclick={act(|| Action::EditSide(true))}>{ "B" }</button>
              <small class="help-inline">{ "Both sides share the seed, the arrivals and the faults. Paler lines in the charts are B." }</small>
            </div>
          }
          if show("faults") {
          <fieldset><legend>{ "Faults" }</legend>
            <div class="control"><label for="fault-at">{ "Start at t = (s; empty or past = now)" }</label>
              <input id="fault-at" type="number" min="0" step="any" placeholder="now" onchange={on_fault_at} /></div>
            <button id="fault-crash-half" onclick={fault(FaultKind::Capacity, 0.5, 5.0)}>{ "Crash half the workers, 5 s" }</button>
            <button id="fault-crash" onclick={fault(FaultKind::Capacity, 0.0, 5.0)}>{ "Crash all workers, 5 s" }</button>
            <button id="fault-brownout" onclick={fault(FaultKind::Slow, 4.0, 10.0)}>{ "Brownout: 4× slower, 10 s" }</button>
            <button id="fault-errors" onclick={fault(FaultKind::Errors, 0.5, 5.0)}>{ "Error burst 50 %, 5 s" }</button>
            <button id="fault-load" onclick={fault(FaultKind::Load, 3.0, 5.0)}>{ "Load spike 3×, 5 s" }</button>
            <button id="fault-restart" onclick={fault(FaultKind::Restart, 0.0, 0.0)} title="Every request the server holds fails at once, as a restart resets its connections">{ "Restart the server" }</button>
            <button id="fault-clear" onclick={act(|| Action::ClearFaults)}>{ "Clear faults" }</button>
            <ul class="faults">{ for cfg.faults.iter().map(|f| html! { <li>{ f.to_string() }</li> }) }</ul>
          </fieldset>
          }
          { for CONTROL_TABLE.iter().filter(|(g, _, _)| show(g)).map(|(_, legend, ctls)| html! {
              <fieldset><legend>{ *legend }</legend>{ for ctls.iter().map(&control) }
                if *legend == "Client" { <p class="help-inline" id="mean-delay">{ mean_delay_text(&edit_delays) }</p> }
              </fieldset>
          }) }
          if !controls.embed {
          <fieldset class="share"><legend>{ "Share and export" }</legend>
            <button id="copy-link" onclick={on_copy_link}>{ "Copy link" }</button>
            <button id="copy-embed" onclick={on_copy_embed}>{ "Copy embed snippet" }</button>
            <label for="share-link" class="help-inline">{ "Link" }</label>
            <input id="share-link" readonly=true value={full_url.clone()} />
            <label for="embed-snippet" class="help-inline">{ "Embed snippet" }</label>
            <textarea id="embed-snippet" readonly=true rows="3" value={snippet.clone()} />
            <button id="export-csv" onclick={on_csv}>{ "Series (CSV)" }</button>
            <button id="export-json" onclick={on_json}>{ "Config (JSON)" }</button>
            <button id="export-png" onclick={on_png}>{ "Charts (PNG)" }</button>
            <small class="help-inline">{ "The JSON runs in the CLI: lab run --config FILE --seed " }{ controls.seed }</small>
          </fieldset>
          }
        </section>

        if !controls.embed {
        <section class="explorer" aria-labelledby="explorer-h">
          <h2 id="explorer-h">{ "Delay explorer: how long can one request take?" }</h2>
          <table id="delays">
            <thead><tr><th>{ "retry" }</th><th>{ "shortest" }</th><th>{ "mean (sampled)" }</th><th>{ "longest" }</th></tr></thead>
            <tbody>{ for delays.retries.iter().map(|d| html! { <tr><td>{ d.retry }</td><td>{ fmt_ms(d.min_ms) }</td><td>{ fmt_ms(d.mean_ms) }</td><td>{ fmt_ms(d.max_ms) }</td></tr> }) }</tbody>
          </table>
          <canvas ref={canvases.delays.clone()} id="chart-delays" role="img" aria-label="Histogram of sampled delays for each retry" />
          <p id="totals">{
            match (delays.worst_total_ms, delays.expected_total_ms) {
              (Some(w), Some(e)) => format!("If every attempt times out: about {} on average, {} at worst, before the request gives up.", fmt_ms(e), fmt_ms(w)),
              _ => "Without a timeout an attempt can wait forever: there is no worst case.".to_string(),
            }
          }</p>
        </section>
        <section class="contention" aria-labelledby="contention-h">
          <h2 id="contention-h">{ "Brooker's 2015 contention experiment" }</h2>
          <p>{ "N clients each read one record and write it back only if nobody wrote since their read; a failed write backs off (base 5 ms, cap 2 s, first retry n = 1) and starts over. Every message takes |Normal(10 ms, 2 ms)|. 40 runs per point, on this page's seed." }</p>
          <button id="run-contention" onclick={on_contention}>{ if contention.is_some() { "Run again" } else { "Run the experiment" } }</button>
          if contention.is_some() {
            <div class="pair">
              <canvas ref={canvases.contention_calls.clone()} id="chart-contention-calls" role="img" aria-label="Calls against clients for each backoff strategy" />
              <canvas ref={canvases.contention_time.clone()} id="chart-contention-time" role="img" aria-label="Completion time against clients for each backoff strategy" />
            </div>
            <p>{ "Without jitter, clients that collide back off in lockstep and collide again: plain exponential backoff does nearly as much work as none and takes by far the longest. Full jitter does the least work." }</p>
          }
        </section>
        }

        if let Some(b) = &*bench { <pre id="bench">{ b }</pre> }
        if *debug {
          <aside class="debug" id="debug" data-p95={stats.p95_ms.to_string()}>{ format!("frame {:.2} ms (p95 {:.2}) · engine {:.2} ms · {:.2} M events/s{}", stats.frame_ms, stats.p95_ms, stats.engine_ms, stats.events_per_s / 1e6, if stats.behind { " · behind" } else { "" }) }</aside>
        }
      </main>
    }
}

fn query_flag(name: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get(name))
        .is_some_and(|v| v == "1")
}

/// `?bench=1`: the engine's speed in this browser, as JSON.
fn measure_engine() -> String {
    let time = |cfg: Config, seed: u64| -> Result<(f64, u64), String> {
        let mut sim = Sim::new(cfg, seed).map_err(|e| e.to_string())?;
        let t0 = now_ms();
        sim.run_to_end();
        Ok((now_ms() - t0, sim.status().events))
    };
    let run = || -> Result<String, String> {
        // "Run to end" of 600 s of M/M/10 at 80 % load.
        let mmc = scenarios::find("mmc")?.config;
        let (run_ms, run_events) = time(mmc.clone(), 6)?;
        // Raw engine speed: M/M/10 at 80 % with 8,000 req/s for 100 s (the native benchmark's workload).
        let mut fast = mmc;
        fast.load.rate_per_s = 8_000.0;
        fast.server.service_ms = 1.0;
        fast.duration_s = 100.0;
        let (fast_ms, fast_events) = time(fast, 1)?;
        let storm = scenarios::find("metastable-retry")?;
        let (storm_ms, storm_events) = time(storm.config, storm.seed)?;
        Ok(format!(
            "{{\"run_to_end_mmc_600s_ms\": {run_ms:.1}, \"run_to_end_events\": {run_events}, \"mmc_events_per_s\": {:.0}, \"mmc_events\": {fast_events}, \"storm_events_per_s\": {:.0}}}",
            fast_events as f64 / fast_ms * 1e3,
            storm_events as f64 / storm_ms * 1e3
        ))
    };
    run().unwrap_or_else(|e| format!("{{\"error\": {e:?}}}"))
}

/// Runs to the configured end in chunks, yielding to the browser between them.
fn run_to_end_chunked(runner: Rc<RefCell<Runner>>, canvases: Rc<Canvases>, update: UseForceUpdateHandle) {
    let done = {
        let mut r = runner.borrow_mut();
        let end = SimTime::from_secs_f64(r.sim.config().duration_s);
        r.advance(end, RUN_CHUNK, now_ms()).reached
    };
    if done {
        runner.borrow_mut().snap();
        let r = runner.borrow();
        draw_charts(&canvases, &r);
        draw_system(&canvases, &r);
        update.force_update();
    } else {
        gloo::timers::callback::Timeout::new(0, move || run_to_end_chunked(runner, canvases, update)).forget();
    }
}

/// The mean delay each retry adds under the current policy, shown beside the jitter choice so
/// that two jitters are compared at the mean wait they really add.
fn mean_delay_text(d: &explain::DelayReport) -> String {
    if d.retries.is_empty() {
        return "No retries (max attempts 1).".into();
    }
    let parts: Vec<String> = d.retries.iter().take(5).map(|r| format!("#{} {}", r.retry, fmt_ms(r.mean_ms))).collect();
    let more = if d.retries.len() > 5 { " …" } else { "" };
    format!("Mean added delay per retry: {}{more}", parts.join(" · "))
}
