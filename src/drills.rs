//! Incident drills: a system runs with a **hidden trigger** (a tier browns out, a host goes
//! bad, a restart, a cron flood, a blip that a retry storm sustains, a dependency that slows
//! down), and the learner, seeing only what an operator sees, acts from a **runbook** of
//! mitigations, each with its cost and the time it takes to roll out. The drill is scored on
//! what users felt, and ends in a debrief: the hidden timeline, what sustained the failure,
//! what each action did, and what a good response would have scored.
//!
//! A drill is text, like a course step (`www/lessons.txt`, so a trainer's pack can carry one):
//!
//! ```text
//! ## drill.checkout.title       a title that names the service, never the cause
//! ## drill.checkout.alert       what the pager says
//! ## drill.checkout.start       as an exercise's: scenario=ID seed=N key=value …
//! ## drill.checkout.trigger     key=value changes over start that are the hidden trigger
//! ## drill.checkout.good        the good response: `AT ACTION [tier=N]`, separated by `;`
//! ## drill.checkout.nothing     `stays down` (metastable) or `recovers`: what doing nothing does
//! ## drill.checkout.cause / sustained / better / question   the debrief's prose
//! ```
//!
//! An action is a change planned in the engine ([`Sim::plan`]) for when it has rolled out:
//! changes roll out one at a time, in the order they were made, as a deployment pipeline does.
//! So a run with the learner's actions is one config, one seed and a list of planned changes,
//! and [`Drill::replay`] gives the same run natively as the page gave live: the debrief's
//! figures are the page's run, and the tests pin each drill's outcomes on many seeds.

use crate::exercises::parse_start;
use crate::explain::{Recovery, recovery};
use crate::sim::{Config, Fault, FaultKind, Sim, SimTime, TierFault};
use crate::texts::Texts;

/// One mitigation of the runbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Shed,
    LimitQueue,
    StopRetries,
    Budget,
    Breaker,
    DropExpired,
    LeastOutstanding,
    AddCapacity,
    Restart,
}

/// A runbook entry: what it is called, what it costs, how long it takes to roll out.
pub struct Entry {
    pub act: Act,
    pub id: &'static str,
    pub label: &'static str,
    /// Seconds from the decision until the change is live.
    pub delay_s: f64,
    pub cost: &'static str,
    /// Whether it acts on one tier (the one chosen); otherwise on the edge.
    pub per_tier: bool,
}

/// The runbook, in the order the page lists it.
pub const RUNBOOK: [Entry; 9] = [
    Entry {
        act: Act::Shed,
        id: "shed",
        label: "Rate-limit at the edge (90 % of its capacity)",
        delay_s: 5.0,
        cost: "users over the limit are refused at once and told when to come back",
        per_tier: false,
    },
    Entry {
        act: Act::LimitQueue,
        id: "limit-queue",
        label: "Limit the queue (half a timeout of work)",
        delay_s: 10.0,
        cost: "calls beyond the limit are refused at once",
        per_tier: true,
    },
    Entry {
        act: Act::StopRetries,
        id: "stop-retries",
        label: "Stop retries into this tier",
        delay_s: 30.0,
        cost: "a config push to every caller; each failure now reaches the user",
        per_tier: true,
    },
    Entry {
        act: Act::Budget,
        id: "budget",
        label: "Turn on a retry budget (retries ≤ 20 % of calls)",
        delay_s: 30.0,
        cost: "a config push to every caller; retries beyond the budget fail",
        per_tier: true,
    },
    Entry {
        act: Act::Breaker,
        id: "breaker",
        label: "Turn on a circuit breaker (opens for 5 s at 50 % failures)",
        delay_s: 30.0,
        cost: "a config push to every caller; while open, every call fails fast",
        per_tier: true,
    },
    Entry {
        act: Act::DropExpired,
        id: "drop-expired",
        label: "Drop work whose caller has given up",
        delay_s: 10.0,
        cost: "none for users: the work dropped was already wasted",
        per_tier: true,
    },
    Entry {
        act: Act::LeastOutstanding,
        id: "least-outstanding",
        label: "Balance by least outstanding requests",
        delay_s: 10.0,
        cost: "a balancer change; hosts that answer fast get more calls",
        per_tier: true,
    },
    Entry {
        act: Act::AddCapacity,
        id: "add-capacity",
        label: "Add capacity (+50 % workers)",
        delay_s: 90.0,
        cost: "new hosts take 90 s to boot and warm up, and cost half as much again",
        per_tier: true,
    },
    Entry {
        act: Act::Restart,
        id: "restart",
        label: "Restart the tier's hosts",
        delay_s: 5.0,
        cost: "every call they hold fails, and they refuse calls for 10 s",
        per_tier: true,
    },
];

impl Act {
    pub fn entry(self) -> &'static Entry {
        RUNBOOK.iter().find(|e| e.act == self).unwrap_or(&RUNBOOK[0])
    }

    pub fn find(id: &str) -> Option<Act> {
        RUNBOOK.iter().find(|e| e.id == id).map(|e| e.act)
    }

    /// The config after this action at `tier`, made live at `at_s` (only a restart needs the
    /// instant: it is a fault from then). What is wrong, if the action cannot apply there.
    pub fn apply(self, cfg: &Config, tier: usize, at_s: f64) -> Result<Config, String> {
        let tier = if self.entry().per_tier { tier } else { 0 };
        let (server, client, _) = cfg.tier(tier).ok_or_else(|| format!("there is no tier {tier}"))?;
        let p = if tier == 0 { String::new() } else { format!("tiers.{tier}.") };
        let capacity_per_host = f64::from(server.workers) / (server.service_ms / 1e3);
        let sets: Vec<(String, String)> = match self {
            Act::Shed => {
                let rate = (0.9 * capacity_per_host * f64::from(server.hosts)).round().max(1.0);
                vec![
                    ("server.throttle.enabled".into(), "true".into()),
                    ("server.throttle.rate_per_s".into(), rate.to_string()),
                    ("server.throttle.burst".into(), (rate / 10.0).ceil().to_string()),
                ]
            }
            Act::LimitQueue => {
                // Half a timeout of work (half a second of it for callers with no timeout).
                let limit = (capacity_per_host * client.timeout_ms.unwrap_or(1_000.0) / 1e3 / 2.0).round().max(1.0);
                vec![(format!("{p}server.queue_limit"), limit.to_string())]
            }
            Act::StopRetries => vec![(format!("{p}client.max_attempts"), "1".into())],
            Act::Budget => vec![(format!("{p}limiters.budget.enabled"), "true".into())],
            Act::Breaker => vec![(format!("{p}limiters.breaker.enabled"), "true".into()), (format!("{p}limiters.breaker.open_ms"), "5000".into())],
            Act::DropExpired => vec![(format!("{p}server.drop_expired"), "true".into())],
            Act::LeastOutstanding => {
                if server.hosts < 2 {
                    return Err("this tier has one host: there is nothing to balance".into());
                }
                vec![(format!("{p}server.balancer"), "least_outstanding".into())]
            }
            Act::AddCapacity => vec![(format!("{p}server.workers"), (f64::from(server.workers) * 1.5).ceil().to_string())],
            Act::Restart => {
                let mut next = cfg.clone();
                let fault = Fault { kind: FaultKind::Restart, start_s: at_s, end_s: at_s + 10.0, value: 0.0 };
                next.tier_faults.push(TierFault { tier: tier as u32, host: None, fault });
                return Ok(next);
            }
        };
        let mut next = cfg.clone();
        for (k, v) in sets {
            next = crate::keys::set(&next, &k, &v).map_err(|e| e.to_string())?;
        }
        Ok(next)
    }
}

/// An action the learner (or the good response) takes: which, where, and when decided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Taken {
    pub act: Act,
    pub tier: usize,
    /// When it was decided, seconds of the run.
    pub at_s: f64,
}

impl Taken {
    /// When it rolls out, if nothing before it is still rolling out.
    pub fn live_at_s(&self) -> f64 {
        self.at_s + self.act.entry().delay_s
    }
}

/// What users felt over a whole drill.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// User requests sent.
    pub offered: u64,
    /// Requests that failed for good.
    pub failed: u64,
    /// Requests that succeeded, but only after waiting longer than their timeout.
    pub late: u64,
    /// Requests that succeeded.
    pub succeeded: u64,
    /// From the end of the trigger, judged at the end of the drill.
    pub recovery: Recovery,
}

impl Outcome {
    fn of(sim: &Sim, trigger: &Config) -> Outcome {
        let c = sim.summary().counts;
        Outcome { offered: c.first_attempts, failed: c.failures, late: c.late, succeeded: c.successes, recovery: recovery(sim.windows(), trigger, sim.now()) }
    }

    /// Requests not served well: failed, answered only after their timeout, or still waiting
    /// at the drill's end.
    pub fn hurt(&self) -> u64 {
        self.offered.saturating_sub(self.succeeded.saturating_sub(self.late))
    }

    /// The score: the share of user requests served well (answered within their timeout), in
    /// tenths of a percent (0 to 1,000).
    pub fn score(&self) -> i64 {
        if self.offered == 0 { 1_000 } else { (1_000.0 * (1.0 - self.hurt() as f64 / self.offered as f64)).round() as i64 }
    }

    pub fn recovered(&self) -> bool {
        matches!(self.recovery, Recovery::Recovered { .. })
    }
}

/// A score in words: "87.4 %".
pub fn score_text(score: i64) -> String {
    format!("{}.{} %", score / 10, score % 10)
}

/// What doing nothing does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nothing {
    /// The failure outlives its trigger: not recovered at the end.
    StaysDown,
    /// Users suffer while the trigger lasts, then it recovers.
    Recovers,
}

/// One drill.
#[derive(Clone, Debug, PartialEq)]
pub struct Drill {
    pub id: String,
    pub title: String,
    pub scenario: String,
    pub seed: u64,
    /// The lab the operator is shown (the trigger's faults included, but never drawn).
    pub config: Config,
    pub good: Vec<Taken>,
    pub nothing: Nothing,
}

impl Drill {
    fn text(&self, part: &str) -> String {
        crate::texts::text(&format!("drill.{}.{part}", self.id))
    }

    /// What the pager says when the drill starts.
    pub fn alert(&self) -> String {
        self.text("alert")
    }

    /// The hidden trigger, in words (the debrief's first line).
    pub fn cause(&self) -> String {
        self.text("cause")
    }

    /// What kept users failing after the trigger (or while it lasted).
    pub fn sustained(&self) -> String {
        self.text("sustained")
    }

    /// What limit, built in beforehand, would have made this a non-event.
    pub fn better(&self) -> String {
        self.text("better")
    }

    /// The debrief's questions for the room.
    pub fn questions(&self) -> Vec<String> {
        crate::texts::current().all(&format!("drill.{}.question", self.id)).iter().map(|q| q.trim().to_string()).collect()
    }

    /// When the drill ends, seconds.
    pub fn duration_s(&self) -> f64 {
        self.config.duration_s
    }

    /// The trigger's span: from the first fault's start to the last one's end.
    pub fn trigger_span(&self) -> (f64, f64) {
        let faults = self.config.faults.iter().chain(self.config.tier_faults.iter().map(|f| &f.fault));
        faults.fold((f64::INFINITY, 0.0_f64), |(a, b), f| (a.min(f.start_s), b.max(f.end_s)))
    }

    /// The changes `taken` plan, in order: each action's config over the one before, live at
    /// its instant (after its delay, and not before the change before it).
    pub fn plans(&self, taken: &[Taken]) -> Result<Vec<(SimTime, Config)>, String> {
        let mut out: Vec<(SimTime, Config)> = Vec::new();
        let mut cfg = self.config.clone();
        for t in taken {
            let after = out.last().map_or(SimTime::ZERO, |p| p.0);
            let at = SimTime::from_secs_f64(t.live_at_s()).max(after);
            cfg = t.act.apply(&cfg, t.tier, at.as_secs_f64())?;
            out.push((at, cfg.clone()));
        }
        Ok(out)
    }

    /// The drill run to its end on `seed` with these planned changes, and what users felt.
    pub fn replay(&self, seed: u64, plans: &[(SimTime, Config)]) -> Result<(Sim, Outcome), String> {
        let mut sim = Sim::new(self.config.clone(), seed).map_err(|e| e.to_string())?;
        for (at, cfg) in plans {
            sim.plan(*at, cfg.clone()).map_err(|e| e.to_string())?;
        }
        sim.run_to_end();
        let outcome = Outcome::of(&sim, &self.config);
        Ok((sim, outcome))
    }

    /// What users felt with these actions on `seed`.
    pub fn outcome(&self, seed: u64, taken: &[Taken]) -> Result<Outcome, String> {
        Ok(self.replay(seed, &self.plans(taken)?)?.1)
    }
}

/// A drill's longest run, and the most requests it may send (its debrief replays it).
pub const MAX_DURATION_S: f64 = 900.0;
const MAX_REQUESTS: f64 = 1_000_000.0;

/// Reads drill `id` from `texts`; what is wrong, naming the field, if it cannot be used.
pub fn parse(texts: &Texts, id: &str) -> Result<Drill, String> {
    let field = |f: &str| texts.get(&format!("drill.{id}.{f}")).unwrap_or("").trim();
    let wrong = |f: &str, e: &str| format!("drill {id}, {f}: {e}");
    let title = field("title").to_string();
    if title.is_empty() {
        return Err(format!("drill {id}: it has no title"));
    }
    let (scenario, seed, start) = parse_start(field("start")).map_err(|e| wrong("start", &e))?;
    let config = crate::exercises::apply_words(&start, field("trigger")).map_err(|e| wrong("trigger", &e))?;
    // The debrief replays a drill several times at once: it must stay a few seconds' work.
    let l = &config.load;
    let peak = l.ramps.iter().map(|r| r.to_per_s).fold(l.rate_per_s, f64::max);
    let spikes: f64 = config.faults.iter().filter(|f| f.kind == FaultKind::Load).map(|f| peak * (f.value - 1.0).max(0.0) * (f.end_s - f.start_s)).sum();
    let requests = config.duration_s
        * (peak + f64::from(l.closed.clients) / (l.closed.think_ms / 1e3).max(0.1) + f64::from(l.periodic.clients) / l.periodic.period_s.max(0.01))
        + spikes;
    if config.duration_s > MAX_DURATION_S || requests > MAX_REQUESTS {
        return Err(wrong(
            "start",
            &format!(
                "a drill lasts at most {MAX_DURATION_S} s and sends at most {} requests (rate × duration); this one lasts {} s and sends up to {}",
                crate::report::grouped(MAX_REQUESTS as u64),
                config.duration_s,
                crate::report::grouped(requests as u64)
            ),
        ));
    }
    if config.faults.is_empty() && config.tier_faults.is_empty() {
        return Err(wrong("trigger", "it adds no fault: a drill needs a hidden trigger"));
    }
    let nothing = match field("nothing") {
        "stays down" => Nothing::StaysDown,
        "recovers" => Nothing::Recovers,
        other => return Err(wrong("nothing", &format!("'{}' is not 'stays down' or 'recovers'", crate::sim::params::quote(other, 40)))),
    };
    let mut drill = Drill { id: id.to_string(), title, scenario, seed, config, good: Vec::new(), nothing };
    drill.good = parse_response(&drill, field("good")).map_err(|e| wrong("good", &e))?;
    Ok(drill)
}

/// A response, actions separated by `;` (`AT ACTION [tier=N]`), checked against `drill`: what is
/// wrong, if it cannot be used.
pub fn parse_response(drill: &Drill, lines: &str) -> Result<Vec<Taken>, String> {
    let tiers = drill.config.tiers.len() + 1;
    let mut taken = Vec::new();
    for line in lines.split([';', '\n']).map(str::trim).filter(|l| !l.is_empty()) {
        let bad = || {
            format!(
                "'{}' is not AT ACTION [tier=N]: AT in seconds of the run (0 to {}), ACTION one of {}, N a tier from 0 to {}",
                crate::sim::params::quote(line, 60),
                drill.duration_s(),
                RUNBOOK.iter().map(|e| e.id).collect::<Vec<_>>().join(", "),
                tiers - 1
            )
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let at_s = words.first().and_then(|w| crate::sim::params::parse_number(w)).filter(|t| (0.0..=drill.duration_s()).contains(t)).ok_or_else(bad)?;
        let act = words.get(1).and_then(|w| Act::find(w)).ok_or_else(bad)?;
        let tier = match words.get(2) {
            None => 0,
            Some(w) => w.strip_prefix("tier=").and_then(|n| n.parse().ok()).filter(|n| *n < tiers).ok_or_else(bad)?,
        };
        if words.len() > 3 {
            return Err(bad());
        }
        taken.push(Taken { act, tier, at_s });
    }
    if taken.is_empty() {
        return Err("it has no action: a drill needs a good response to compare with".into());
    }
    drill.plans(&taken)?;
    Ok(taken)
}

/// The ids of every drill in `texts`, in file order.
pub fn ids(texts: &Texts) -> Vec<String> {
    texts.keys().filter_map(|k| k.strip_prefix("drill.")?.strip_suffix(".title")).map(String::from).collect()
}

/// Every drill that can be used, in order (none in the page until the texts arrive).
pub fn all() -> Vec<Drill> {
    let texts = crate::texts::current();
    ids(&texts).iter().filter_map(|id| parse(&texts, id).ok()).collect()
}

pub fn find(id: &str) -> Option<Drill> {
    let texts = crate::texts::current();
    texts.get(&format!("drill.{id}.title")).and_then(|_| parse(&texts, id).ok())
}

/// The address a drill is opened by: its id and the seed, never its trigger.
pub fn address(drill: &Drill, seed: u64) -> String {
    format!("drill={}&seed={seed}", drill.id)
}

/// The whole state of drill `drill`'s lab on `seed` with config `cfg` (its own, or after the
/// learner's changes), as the page's panel sends it to the lab.
pub fn lab_link(drill: &Drill, seed: u64, cfg: &Config) -> String {
    let mut state = crate::url::LinkState::from_scenario(&drill.scenario).unwrap_or_else(|| crate::url::decode("").0);
    state.config = cfg.clone();
    state.seed = seed;
    state.compare = None;
    state.course = Some(drill.id.clone());
    crate::url::encode(&state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeds every drill's outcomes are pinned on: its own and twelve more.
    fn seeds(d: &Drill) -> Vec<u64> {
        std::iter::once(d.seed).chain(1..=12).collect()
    }

    #[test]
    fn there_are_six_drills_or_more_and_every_one_parses() {
        let texts = crate::texts::current();
        let ids = ids(&texts);
        assert!(ids.len() >= 6, "{ids:?}");
        for id in &ids {
            let d = parse(&texts, id).unwrap_or_else(|e| panic!("{e}"));
            assert!(d.trigger_span().1 < d.duration_s(), "{id}: the trigger must end before the drill does");
            // The title names the service, never the cause.
            let title = d.title.to_lowercase();
            for cause in ["crash", "slow", "restart", "cron", "flood", "retry", "retries", "host", "brownout"] {
                assert!(!title.contains(cause), "{id}: the title '{}' names the cause", d.title);
            }
        }
    }

    #[test]
    fn doing_nothing_does_what_the_debrief_says_and_the_good_response_recovers_and_scores_better() {
        for d in all() {
            for seed in seeds(&d) {
                let nothing = d.outcome(seed, &[]).unwrap();
                let good = d.outcome(seed, &d.good).unwrap();
                assert!(nothing.hurt() > nothing.offered / 10, "{} seed {seed}: doing nothing hurts only {} of {}", d.id, nothing.hurt(), nothing.offered);
                match d.nothing {
                    Nothing::StaysDown => assert!(!nothing.recovered(), "{} seed {seed}: doing nothing recovered ({:?})", d.id, nothing.recovery),
                    Nothing::Recovers => assert!(nothing.recovered(), "{} seed {seed}: doing nothing did not recover ({:?})", d.id, nothing.recovery),
                }
                assert!(good.recovered(), "{} seed {seed}: the good response did not recover ({:?})", d.id, good.recovery);
                assert!(good.score() > nothing.score() + 50, "{} seed {seed}: good {} against nothing {}", d.id, good.score(), nothing.score());
            }
        }
    }

    #[test]
    fn a_change_planned_while_the_run_goes_gives_the_run_its_replay_gives() {
        let d = all().into_iter().find(|d| d.id == "checkout").unwrap();
        let taken = [Taken { act: Act::AddCapacity, tier: 0, at_s: 25.0 }, Taken { act: Act::DropExpired, tier: 0, at_s: 26.0 }];
        let plans = d.plans(&taken).unwrap();
        let (replayed, _) = d.replay(7, &plans).unwrap();
        // Live: each change is planned when it is decided, as the page does.
        let mut live = Sim::new(d.config.clone(), 7).unwrap();
        for (t, (at, cfg)) in taken.iter().zip(&plans) {
            live.advance_to(SimTime::from_secs_f64(t.at_s), u64::MAX);
            let planned = live.plan(SimTime::from_secs_f64(t.at_s + t.act.entry().delay_s), cfg.clone()).unwrap();
            assert_eq!(planned, *at);
        }
        live.run_to_end();
        assert_eq!(live.summary(), replayed.summary());
        assert_eq!(live.plan_times(), replayed.plan_times());
        // Changes roll out in order: the drop waits for the capacity, live 90 s after 25 s.
        assert_eq!(plans[1].0, SimTime::from_secs(115));
    }

    #[test]
    fn a_plan_that_changes_the_shape_or_comes_too_often_is_refused_with_a_reason() {
        let d = all().into_iter().find(|d| d.id == "orders").unwrap();
        let mut sim = Sim::new(d.config.clone(), 1).unwrap();
        let mut fewer = d.config.clone();
        fewer.server.hosts = 4;
        let e = sim.plan(SimTime::from_secs(5), fewer).unwrap_err();
        assert!(e.message.contains("number of tiers or hosts"), "{e}");
        for _ in 0..crate::sim::MAX_PLANS {
            sim.plan(SimTime::from_secs(5), d.config.clone()).unwrap();
        }
        assert!(sim.plan(SimTime::from_secs(5), d.config.clone()).unwrap_err().message.contains("at most 64"));
    }

    #[test]
    fn a_broken_drill_or_response_says_which_field_is_wrong_and_what_is_allowed() {
        let base = "## drill.x.title\nX\n## drill.x.start\nscenario=healthy\n## drill.x.trigger\nfaults=crash@10..20\n## drill.x.good\n20 limit-queue\n## drill.x.nothing\nrecovers\n";
        assert!(parse(&Texts::parse(base), "x").is_ok());
        let broken = |from: &str, to: &str| parse(&Texts::parse(&base.replace(from, to)), "x").unwrap_err();
        assert!(broken("faults=crash@10..20", "client.max_attempts=2").contains("drill x, trigger: it adds no fault"));
        let e = broken("20 limit-queue", "20 reboot");
        assert!(e.starts_with("drill x, good: '20 reboot' is not AT ACTION") && e.contains("limit-queue, stop-retries"), "{e}");
        assert!(broken("20 limit-queue", "20 limit-queue tier=3").contains("a tier from 0 to 0"));
        assert!(broken("20 limit-queue", "20 least-outstanding").contains("one host: there is nothing to balance"));
        assert!(broken("recovers", "maybe").contains("drill x, nothing: 'maybe' is not 'stays down' or 'recovers'"));
        assert!(broken("scenario=healthy", "scenario=nope").starts_with("drill x, start:"));
    }
    /// The debrief compares the learner's time to recovery with the model answer's: the same
    /// actions a moment earlier or later must read about the same, not 48 s against 8 because
    /// one healthy 2 s span ended on a chance burst (seed 3 of checkout, once).
    #[test]
    fn the_good_response_a_second_early_or_late_recovers_about_as_soon() {
        for d in all() {
            for seed in seeds(&d) {
                let at = |shift: f64| {
                    let taken: Vec<Taken> = d.good.iter().map(|t| Taken { at_s: (t.at_s + shift).max(0.0), ..*t }).collect();
                    d.outcome(seed, &taken).unwrap().recovery.seconds()
                };
                let model = at(0.0).unwrap_or_else(|| panic!("{} seed {seed}: the good response did not recover", d.id));
                for shift in [-1.0, -0.5, 0.5, 1.0] {
                    let r = at(shift).unwrap_or_else(|| panic!("{} seed {seed}: the good response {shift:+} s did not recover", d.id));
                    assert!((r - model).abs() <= 4.0 + 1e-9, "{} seed {seed}: {shift:+} s recovers {r} s after the trigger, the model answer {model} s", d.id);
                }
            }
        }
    }
}
