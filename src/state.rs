//! What the learner chose on the page, as a small pure reducer (verb-object actions such as
//! `SetKey` and `LoadScenario`), and how it maps to and from the page's link. It has no web
//! dependency, so it is tested on the host (`tests/state.rs`); the page wraps it in yew's
//! `Reducible` (`ui/state.rs`), and URL and storage writes happen in the page's effects.

use crate::exercises;
use crate::keys;
use crate::scenarios;
use crate::sim::{Config, Fault};
use crate::url;

/// What the learner chose. Pure: URL and storage writes belong in effects.
#[derive(Clone, Debug, PartialEq)]
pub struct Controls {
    pub cfg: Config,
    pub seed: u64,
    pub playing: bool,
    pub speed: f64,
    pub scenario: String,
    /// Validation messages by key, shown beside the control.
    pub errors: Vec<(String, String)>,
    /// Bumped whenever the simulation must start over (reset, new seed, new scenario).
    pub epoch: u64,
    /// Embed mode: minimal chrome for an iframe.
    pub embed: bool,
    /// Control groups shown (all when `None`).
    pub groups: Option<Vec<String>>,
    /// The workshop exercise in progress.
    pub exercise: Option<String>,
    /// The course step this lab is, when it is one.
    pub course: Option<String>,
    /// What could not be used from the link, in words.
    pub notes: Vec<String>,
    /// The compare side (B): same seed, same arrivals, whatever the learner changed.
    pub compare: Option<Config>,
    /// Whether the controls edit side B.
    pub editing_b: bool,
    /// The tier the controls edit and the charts show (0, the edge, for one service).
    pub tier: usize,
}

#[derive(Clone, Debug)]
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
    SelectTier(usize),
    /// A configuration from the map panel: the lab takes it, on the same seed, from time 0.
    LoadConfig(Box<Config>),
    /// The state this link opens, read again (an exercise link, once the exercises arrive
    /// with the lessons' text), from time 0.
    Relink(String),
}

impl Controls {
    /// The state after `action`.
    #[must_use]
    pub fn reduce(&self, action: Action) -> Controls {
        let mut next = self.clone();
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
                        next.errors.retain(|(k, _)| *k != key);
                        // Fewer tiers: the selection stays on one that exists.
                        next.tier = next.tier.min(next.cfg.tiers.len());
                    }
                    Err(e) => {
                        next.errors.retain(|(k, _)| *k != key);
                        next.errors.push((key, e.message));
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
            Action::SelectTier(t) => next.tier = t.min(next.cfg.tiers.len()),
            Action::LoadConfig(cfg) => {
                next.cfg = with_trace(*cfg);
                next.compare = None;
                next.editing_b = false;
                next.errors.clear();
                next.tier = next.tier.min(next.cfg.tiers.len());
                next.epoch += 1;
            }
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
                    // Another scenario is another lab: an exercise or course step in progress ends.
                    next.exercise = None;
                    next.course = None;
                    next.cfg = with_trace(s.config);
                    next.seed = s.seed;
                    next.scenario = id;
                    next.errors.clear();
                    next.editing_b = s.compare.is_some();
                    next.compare = s.compare.map(with_trace);
                    next.tier = 0;
                    next.epoch += 1;
                }
            }
            // Faults are the experiment's conditions: both sides get them, on the selected tier.
            Action::AddFault(f) => {
                let tier = next.tier as u32;
                for c in std::iter::once(&mut next.cfg).chain(next.compare.as_mut()) {
                    if tier > 0 {
                        c.tier_faults.push(crate::sim::TierFault { tier, host: None, fault: f.clone() });
                    } else {
                        c.faults.push(f.clone());
                    }
                }
            }
            Action::ClearFaults => {
                for c in std::iter::once(&mut next.cfg).chain(next.compare.as_mut()) {
                    c.faults.clear();
                    c.tier_faults.clear();
                }
            }
            Action::StartExercise(id) => {
                if let Some(e) = exercises::find(&id) {
                    next.cfg = with_trace(e.start_config());
                    next.seed = e.seed;
                    next.scenario = e.scenario.to_string();
                    next.exercise = Some(id);
                    next.course = None;
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
            Action::Relink(query) => {
                let epoch = next.epoch + 1;
                next = Controls::from_link(&query);
                next.epoch = epoch;
            }
        }
        next
    }

    /// The state a link opens: what it says, with what it could not use noted. (Not inlined:
    /// the page calls it at start and for `Action::Relink`, and one copy is enough.)
    #[inline(never)]
    pub fn from_link(query: &str) -> Controls {
        let (link, notes) = url::decode(query);
        Controls {
            cfg: with_trace(link.config),
            seed: link.seed,
            playing: link.play,
            speed: link.speed,
            scenario: link.scenario,
            errors: Vec::new(),
            epoch: 0,
            embed: link.embed,
            groups: link.controls,
            exercise: link.exercise,
            course: link.course,
            notes,
            editing_b: link.compare.is_some(),
            compare: link.compare.map(with_trace),
            tier: link.tier,
        }
    }
}

/// The page keeps a lifecycle feed for the animation.
pub fn with_trace(mut cfg: Config) -> Config {
    cfg.metrics.trace_capacity = 20_000;
    cfg
}

/// The link for the current state (the trace setting is the page's own, not the learner's).
/// The lab alone, as a link that needs no exercise to read (its config as differences from the
/// scenario): what the on-demand panels (the map, the JSON export) read, since the exercises
/// are not in their wasm.
pub fn lab_link_of(c: &Controls) -> String {
    link_of(&Controls { exercise: None, ..c.clone() })
}

pub fn link_of(c: &Controls) -> String {
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
        course: c.course.clone(),
        embed: c.embed,
        controls: c.groups.clone(),
        speed: c.speed,
        play: false,
        tier: c.tier,
    })
}
