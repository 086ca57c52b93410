//! The page's reducer, on the host: what each control does to what the learner chose, and the
//! link that state maps to. The page wraps this same `reduce` in yew's `Reducible`, so what
//! holds here holds for every click.
#![cfg(not(target_arch = "wasm32"))]

use backoff_lab::exercises;
use backoff_lab::scenarios;
use backoff_lab::state::{Action, Controls, link_of, with_trace};
use backoff_lab::url;

fn start(query: &str) -> Controls {
    Controls::from_link(query)
}

fn key(c: &Controls, k: &str, v: &str) -> Controls {
    c.reduce(Action::SetKey(k.into(), v.into()))
}

#[test]
fn a_good_value_changes_the_config_and_a_bad_one_says_why_and_changes_nothing() {
    let c = start("");
    let ok = key(&c, "server.workers", "12");
    assert_eq!(ok.cfg.server.workers, 12);
    assert!(ok.errors.is_empty());
    assert_eq!(ok.epoch, c.epoch, "a parameter applies live, it does not start over");

    let bad = key(&ok, "server.workers", "0");
    assert_eq!(bad.cfg.server.workers, 12, "a refused value leaves the config as it was");
    let (k, msg) = bad.errors.first().expect("the refusal is shown beside the control");
    assert_eq!(k, "server.workers");
    assert!(!msg.is_empty());

    // Fixing it clears the message.
    let fixed = key(&bad, "server.workers", "8");
    assert!(fixed.errors.is_empty());
    assert_eq!(fixed.cfg.server.workers, 8);
}

#[test]
fn a_scenario_loads_its_config_seed_and_compare_side_from_the_edge() {
    let c = start("").reduce(Action::SelectTier(0));
    for s in scenarios::all() {
        let n = c.reduce(Action::LoadScenario(s.id.into()));
        assert_eq!(n.scenario, s.id);
        assert_eq!(n.seed, s.seed);
        assert_eq!(n.tier, 0);
        assert_eq!(n.compare.is_some(), s.compare.is_some(), "{}", s.id);
        assert_eq!(n.editing_b, s.compare.is_some(), "{}: the controls edit side B when there is one", s.id);
        assert!(n.epoch > c.epoch, "{}: a new scenario starts over", s.id);
        assert_eq!(n.cfg, with_trace(s.config.clone()), "{}: the scenario's config, as the page runs it", s.id);
        assert_eq!(n.compare, s.compare.clone().map(with_trace), "{}", s.id);
    }
    // An unknown id changes nothing.
    let n = c.reduce(Action::LoadScenario("nope".into()));
    assert_eq!(n, c);
}

#[test]
fn the_selected_tier_always_exists() {
    let c = start("?scenario=retries-every-layer").reduce(Action::LoadScenario("retries-every-layer".into()));
    let tiers = c.cfg.tiers.len();
    assert!(tiers >= 2);
    assert_eq!(c.reduce(Action::SelectTier(99)).tier, tiers, "past the bottom, the bottom");
    let at_bottom = c.reduce(Action::SelectTier(tiers));
    // Removing tiers moves the selection onto one that is left.
    let fewer = key(&at_bottom, "tiers", "1");
    assert!(fewer.errors.is_empty(), "{:?}", fewer.errors);
    assert_eq!(fewer.tier, fewer.cfg.tiers.len());
}

#[test]
fn compare_mode_copies_side_a_and_the_controls_edit_the_side_chosen() {
    let c = start("");
    let cmp = c.reduce(Action::StartCompare);
    assert_eq!(cmp.compare.as_ref(), Some(&cmp.cfg));
    assert!(cmp.editing_b);

    let b = key(&cmp, "client.max_attempts", "1");
    assert_eq!(b.compare.as_ref().unwrap().client.max_attempts, 1, "side B changed");
    assert_eq!(b.cfg.client.max_attempts, c.cfg.client.max_attempts, "side A did not");

    let a = key(&b.reduce(Action::EditSide(false)), "client.max_attempts", "5");
    assert_eq!(a.cfg.client.max_attempts, 5);
    assert_eq!(a.compare.as_ref().unwrap().client.max_attempts, 1);

    let off = a.reduce(Action::StopCompare);
    assert!(off.compare.is_none() && !off.editing_b);
    assert!(!off.reduce(Action::EditSide(true)).editing_b, "there is no side B to edit");
}

#[test]
fn a_fault_goes_to_both_sides_and_to_the_selected_tier() {
    let f = backoff_lab::sim::Fault { kind: backoff_lab::sim::FaultKind::Restart, start_s: 5.0, end_s: 6.0, value: 0.0 };
    let c = start("").reduce(Action::StartCompare);
    let n0 = c.cfg.faults.len();
    let one = c.reduce(Action::AddFault(f.clone()));
    assert_eq!(one.cfg.faults.len(), n0 + 1);
    assert_eq!(one.compare.as_ref().unwrap().faults.len(), n0 + 1);
    assert_eq!(one.cfg.faults.last(), Some(&f));

    let sys = start("").reduce(Action::LoadScenario("retries-every-layer".into())).reduce(Action::SelectTier(2));
    let before = (sys.cfg.faults.len(), sys.cfg.tier_faults.len());
    let n = sys.reduce(Action::AddFault(f));
    assert_eq!(n.cfg.faults.len(), before.0, "not on the edge");
    assert_eq!(n.cfg.tier_faults.len(), before.1 + 1);
    assert_eq!(n.cfg.tier_faults.last().unwrap().tier, 2);
    let cleared = n.reduce(Action::ClearFaults);
    assert!(cleared.cfg.faults.is_empty() && cleared.cfg.tier_faults.is_empty());
}

#[test]
fn transport_and_seed() {
    let c = start("");
    assert!(c.reduce(Action::TogglePlay).playing);
    assert!(!c.reduce(Action::TogglePlay).reduce(Action::Pause).playing);
    assert_eq!(c.reduce(Action::SetSpeed(1e9)).speed, 1_000.0, "speed is clamped");
    assert_eq!(c.reduce(Action::SetSpeed(0.0)).speed, 0.01);
    let s = c.reduce(Action::SetSeed(42));
    assert_eq!(s.seed, 42);
    assert!(s.epoch > c.epoch);
    assert!(c.reduce(Action::Reset).epoch > c.epoch);
}

#[test]
fn an_exercise_starts_paused_from_its_own_config_and_its_solution_applies() {
    for e in exercises::all().iter() {
        let c = start("").reduce(Action::TogglePlay).reduce(Action::StartExercise(e.id.clone()));
        assert_eq!(c.exercise.as_deref(), Some(e.id.as_str()));
        assert!(!c.playing, "{}", e.id);
        assert_eq!(c.seed, e.seed);
        assert_eq!(c.cfg, with_trace(e.start_config()), "{}: its own start", e.id);
        let solved = c.reduce(Action::ApplySolution);
        let mut want = e.solved_config();
        want.metrics.trace_capacity = solved.cfg.metrics.trace_capacity;
        assert_eq!(solved.cfg, want, "{}", e.id);
        assert!(solved.reduce(Action::LeaveExercise).exercise.is_none());
    }
}

#[test]
fn the_link_of_any_state_opens_that_state() {
    let states = [
        start(""),
        key(&start(""), "server.workers", "7").reduce(Action::SetSeed(99)),
        start("").reduce(Action::LoadScenario("retries-every-layer".into())).reduce(Action::SelectTier(2)),
        start("").reduce(Action::StartCompare),
        key(&start("").reduce(Action::StartCompare), "client.jitter", "none"),
        start("?exercise=end-the-storm"),
        key(&start("?exercise=budget-retries"), "limiters.quota.enabled", "true"),
        start("?scenario=full-jitter&embed=1&controls=client,limiters"),
    ];
    for c in states {
        let link = link_of(&c);
        let back = Controls::from_link(&format!("?{link}"));
        assert!(back.notes.is_empty(), "{link}: {:?}", back.notes);
        assert_eq!(back.cfg, c.cfg, "{link}");
        assert_eq!(back.compare, c.compare, "{link}");
        assert_eq!((back.seed, back.tier, &back.scenario), (c.seed, c.tier, &c.scenario), "{link}");
        assert_eq!((&back.exercise, back.embed, &back.groups), (&c.exercise, c.embed, &c.groups), "{link}");
        // And the link is stable: encoding it again gives the same text.
        assert_eq!(link_of(&back), link);
    }
    // A link that cannot be used in part says what was dropped.
    let (_, notes) = url::decode("?seed=abc");
    assert!(!notes.is_empty());
}

#[test]
fn a_config_from_the_map_loads_on_the_same_seed_from_time_zero() {
    let c = start("").reduce(Action::StartCompare).reduce(Action::SetSeed(5));
    let mut cfg = c.cfg.clone();
    cfg.server.workers = 3;
    let n = c.reduce(Action::LoadConfig(Box::new(cfg)));
    assert_eq!(n.cfg.server.workers, 3);
    assert_eq!(n.seed, 5);
    assert!(n.compare.is_none());
    assert!(n.epoch > c.epoch);
}
