//! Workshop exercises: each states a goal that the engine measures live, starts in a state
//! that fails it, offers hints, and ships a solution that passes. An instructor links straight
//! to one with `?exercise=<id>`.
//!
//! An exercise is text, not code: its entries in `www/lessons.txt` say where it starts, what
//! solves it, what is measured against which goal, and what the learner must leave as it was.
//! A new exercise is a few lines of that file (no rebuild; the page fetches it after the first
//! paint), and a trainer's pack can carry exercises in the same form.
//!
//! ```text
//! ## exercise.end-the-storm.title
//! End the retry storm
//! ## exercise.end-the-storm.start
//! scenario=metastable-retry seed=3 faults=capacity=0.5@5..12
//! ## exercise.end-the-storm.solution
//! limiters.quota.enabled=true
//! ## exercise.end-the-storm.measure
//! goodput 30..60 >= 90
//! ## exercise.end-the-storm.keep
//! load.rate_per_s server.workers
//! ```
//!
//! - `start`: `scenario=ID` (required), `seed=N`, then any `key=value` a link or `lab run
//!   --set` takes (`faults=…`, `tiers.2.client.max_attempts=1`), applied in order.
//! - `solution`: `key=value` changes from the start that reach the goal.
//! - `measure` (one entry each, all must hold): `WHAT FROM..TO [tier=N] OP GOAL`, over the
//!   measurement windows inside FROM..TO seconds; `OP` is `<`, `<=`, `>` or `>=`. `WHAT` is one
//!   of [`WHATS`]: shares (`goodput`, `wasted`, `retries`, `late`) in percent to one decimal,
//!   ratios (`amplification`, `peak`) to two decimals, each compared as printed, so a ✓ and a
//!   ✗ never show the same number (and 2.6 % passes a goal of < 3 %, as it reads).
//! - `keep` (optional): keys the learner must leave at their start value.
//! - `goal`, `hint` (several), `explanation`: the prose.

use crate::keys;
use crate::sim::{Config, Counters, Sim, SimTime, Window};
use crate::texts::Texts;

/// Where an exercise stands.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// `None` while the run has not reached the end of the measured span.
    pub passed: Option<bool>,
    /// The measured values against the goal, in words.
    pub progress: String,
}

/// What an exercise measures, by its name in `lessons.txt`.
pub const WHATS: [&str; 6] = ["goodput", "amplification", "peak", "wasted", "retries", "late"];

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum What {
    /// Requests (logical calls into the tier) that succeeded, per request sent.
    Goodput,
    /// Attempts that reached the tier per user request.
    Amplification,
    /// Attempts (first tries and retries) in the busiest window per window on average.
    Peak,
    /// Completions nobody waited for any more, per completion.
    Wasted,
    /// Retries per request.
    Retries,
    /// Successes that came after their caller's timeout, per success.
    Late,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

/// One measured goal: `what` over [from, to) seconds at tier `tier`, against `goal` (in the
/// printed hundredths: 90 for "90 %", 140 for "1.40×").
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Measure {
    pub(crate) what: What,
    pub(crate) from: f64,
    pub(crate) to: f64,
    pub(crate) tier: usize,
    cmp: Cmp,
    pub(crate) goal: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exercise {
    pub id: String,
    pub title: String,
    /// The scenario the exercise starts from (the picker shows it).
    pub scenario: String,
    pub seed: u64,
    /// The key changes that reach the goal from the start, as written (`key=value …`).
    pub solution: String,
    start: Config,
    solved: Config,
    measures: Vec<Measure>,
    keep: Vec<String>,
}

impl Exercise {
    /// The goal, in words.
    pub fn goal(&self) -> String {
        crate::texts::text(&format!("exercise.{}.goal", self.id))
    }

    /// The hints, easiest first.
    pub fn hints(&self) -> Vec<String> {
        crate::texts::current().all(&format!("exercise.{}.hint", self.id)).into_iter().map(String::from).collect()
    }

    /// Why the solution works.
    pub fn explanation(&self) -> String {
        crate::texts::text(&format!("exercise.{}.explanation", self.id))
    }

    pub fn start_config(&self) -> Config {
        self.start.clone()
    }

    /// The start with the solution applied.
    pub fn solved_config(&self) -> Config {
        self.solved.clone()
    }

    /// When the verdict is known: the end of the last measured span.
    fn until_s(&self) -> f64 {
        self.measures.iter().map(|m| m.to).fold(0.0, f64::max)
    }

    /// Measures `sim` (run with the learner's config) against the goal.
    pub fn check(&self, sim: &Sim) -> Check {
        let mut ok = true;
        let mut parts = Vec::new();
        let done = sim.now() >= SimTime::from_secs_f64(self.until_s());
        for m in &self.measures {
            let (value, shown, windows) = m.value(sim);
            // A span the run did not measure (a tier taken away, windows changed) passes nothing.
            let expected = ((m.to - m.from) * 1e3 / sim.config().metrics.window_ms).floor() as usize;
            let measured = windows + 1 >= expected;
            ok &= measured && m.holds(value);
            let shown = if done && !measured { "not measured (no windows there)".to_string() } else { shown };
            let (from, to, tier) = (secs(m.from), secs(m.to), tier_words(m.tier, sim.tier_count()));
            parts.push(format!("{} {from}–{to} s{tier}: {shown} (goal {} {})", m.label(), m.cmp.sign(), m.what.show(m.goal)));
        }
        let changed: Vec<String> = self
            .keep
            .iter()
            .filter_map(|k| {
                let want = value_of(&self.start, k)?;
                // A key that no longer exists (its tier taken away) has changed too.
                (value_of(sim.config(), k).as_ref() != Some(&want)).then(|| format!("{k} at {want}"))
            })
            .collect();
        let mut progress = parts.join(", ");
        if !changed.is_empty() {
            ok = false;
            progress.push_str(&format!("; keep {}", changed.join(", ")));
        }
        Check { passed: done.then_some(ok), progress }
    }
}

/// Seconds as written: whole, or to a tenth (fixed precision: the shortest-form float printer
/// would add kilobytes to the page).
pub(crate) fn secs(s: f64) -> String {
    if s.fract() == 0.0 { format!("{s:.0}") } else { format!("{s:.1}") }
}

/// A key's value as links write it (a list key's short form included).
fn value_of(cfg: &Config, key: &str) -> Option<String> {
    keys::get(cfg, key).or_else(|| keys::get_list(cfg, key))
}

/// Where a measure is taken, as the strip names tiers, and as the goals say it ("the bottom").
pub(crate) fn tier_words(t: usize, tiers: usize) -> String {
    match t {
        0 => String::new(),
        t if t + 1 == tiers => format!(" at tier\u{a0}{t} (the bottom)"),
        t => format!(" at tier\u{a0}{t}"),
    }
}

impl What {
    fn parse(s: &str) -> Option<What> {
        let all = [What::Goodput, What::Amplification, What::Peak, What::Wasted, What::Retries, What::Late];
        WHATS.iter().position(|w| *w == s).map(|i| all[i])
    }

    pub(crate) fn is_share(self) -> bool {
        matches!(self, What::Goodput | What::Wasted | What::Retries | What::Late)
    }

    /// How many steps make one: a share is judged in tenths of a percent, a ratio in hundredths.
    pub(crate) fn scale(self) -> f64 {
        if self.is_share() { 1_000.0 } else { 100.0 }
    }

    /// A value in steps of [`What::scale`] as printed: "45.0 %" or "1.30×".
    pub(crate) fn show(self, h: i64) -> String {
        if self.is_share() { format!("{}.{}\u{a0}%", h / 10, h % 10) } else { format!("{}.{:02}×", h / 100, h % 100) }
    }
}

impl Cmp {
    fn parse(s: &str) -> Option<Cmp> {
        Some(match s {
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            _ => return None,
        })
    }

    fn sign(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "≤",
            Cmp::Gt => ">",
            Cmp::Ge => "≥",
        }
    }
}

impl Measure {
    pub(crate) fn label(&self) -> &'static str {
        match self.what {
            What::Goodput => "goodput",
            What::Amplification => "attempts per request",
            What::Peak => "busiest window against the average",
            // Not "wasted work": the run report's is worker time, this is completions.
            What::Wasted => "completions after the caller left",
            What::Retries => "retries as a share of requests",
            What::Late => "successes after the timeout",
        }
    }

    /// The measured value in steps of [`What::scale`] (a share's tenth of a percent, a ratio's
    /// hundredth: one rounding for judging and printing), as printed ("–" before any window),
    /// and the number of windows measured.
    pub(crate) fn value(&self, sim: &Sim) -> (i64, String, usize) {
        let inside = |w: &&Window| w.within(self.from, self.to);
        let windows: Vec<&Window> = sim.tier_windows(self.tier).iter().filter(inside).collect();
        let sum = |f: fn(&Counters) -> u64| windows.iter().map(|w| f(&w.counts)).sum::<u64>() as f64;
        let per = |a: f64, b: f64| a / b.max(1.0);
        let x = match self.what {
            What::Goodput => per(sum(|c| c.successes), sum(|c| c.first_attempts)),
            What::Amplification => {
                let users = sim.windows().iter().filter(inside).map(|w| w.counts.first_attempts).sum::<u64>() as f64;
                per(sum(Counters::attempts), users)
            }
            What::Peak => {
                let peak = windows.iter().map(|w| w.counts.attempts()).max().unwrap_or(0) as f64;
                per(peak, sum(Counters::attempts) / windows.len().max(1) as f64)
            }
            What::Wasted => per(sum(|c| c.wasted), sum(|c| c.completions)),
            What::Retries => per(sum(|c| c.retries), sum(|c| c.first_attempts)),
            What::Late => per(sum(|c| c.late), sum(|c| c.successes)),
        };
        let h = (self.what.scale() * x).round() as i64;
        let shown = if windows.is_empty() { "–".to_string() } else { self.what.show(h) };
        (h, shown, windows.len())
    }

    pub(crate) fn holds(&self, h: i64) -> bool {
        match self.cmp {
            Cmp::Lt => h < self.goal,
            Cmp::Le => h <= self.goal,
            Cmp::Gt => h > self.goal,
            Cmp::Ge => h >= self.goal,
        }
    }

    /// `WHAT FROM..TO [tier=N] OP GOAL`; `None` if it is not one (one message says why).
    pub(crate) fn parse(s: &str, tiers: usize) -> Option<Measure> {
        let words: Vec<&str> = s.split_whitespace().collect();
        let (what, span, tier, cmp, goal) = match words.as_slice() {
            [what, span, cmp, goal] => (what, span, None, cmp, goal),
            [what, span, tier, cmp, goal] => (what, span, Some(tier), cmp, goal),
            _ => return None,
        };
        let what = What::parse(what)?;
        let (from, to) = span.split_once("..")?;
        let (from, to) = (crate::sim::params::parse_number(from)?, crate::sim::params::parse_number(to)?);
        let tier = match tier {
            Some(t) => t.strip_prefix("tier=")?.parse::<usize>().ok().filter(|t| *t < tiers)?,
            None => 0,
        };
        let goal = crate::sim::params::parse_number(goal).filter(|g| (0.0..=1e6).contains(g))?;
        // Shares are written in percent, ratios as they read ("1.4" for 1.4×): both are kept in
        // steps of their scale.
        let goal = (goal * what.scale() / if what.is_share() { 100.0 } else { 1.0 }).round() as i64;
        (0.0 <= from && from < to && to.is_finite()).then_some(Measure { what, from, to, tier, cmp: Cmp::parse(cmp)?, goal })
    }
}

fn short(s: &str) -> String {
    crate::sim::params::quote(s, 40)
}

/// `base` with each `key=value` word of `words` set (the words of a link or `lab run --set`).
pub(crate) fn apply_words(base: &Config, words: &str) -> Result<Config, String> {
    let mut cfg = base.clone();
    for w in words.split_whitespace() {
        cfg = keys::apply_assignment(&cfg, w).map_err(|e| e.to_string())?;
    }
    cfg.validate().map_err(|e| e.to_string())?;
    Ok(cfg)
}

/// A `start` field (an exercise's or a course step's): `scenario=ID` (required), `seed=N`, then
/// `key=value` changes, read as the scenario's id, the seed (the scenario's when none is given)
/// and the config; what is wrong, if it cannot be used.
pub(crate) fn parse_start(words: &str) -> Result<(String, u64, Config), String> {
    parse_start_with(words, crate::scenarios::find)
}

/// [`parse_start`] with the scenarios `find` knows.
pub(crate) fn parse_start_with(words: &str, find: fn(&str) -> Result<crate::scenarios::Scenario, String>) -> Result<(String, u64, Config), String> {
    let (mut scenario, mut seed, mut changes) = (None, None, String::new());
    for w in words.split_whitespace() {
        match w.split_once('=') {
            Some(("scenario", v)) => scenario = Some(v.to_string()),
            Some(("seed", v)) => seed = Some(v.parse::<u64>().map_err(|_| "seed=N takes a whole number".to_string())?),
            _ => changes = changes + " " + w,
        }
    }
    let scenario = scenario.ok_or("it names no scenario=ID")?;
    let base = find(&scenario)?;
    let start = apply_words(&base.config, &changes)?;
    Ok((scenario, seed.unwrap_or(base.seed), start))
}

/// Reads exercise `id` from `texts`; what is wrong, naming the field, if it cannot be used.
pub fn parse(texts: &Texts, id: &str) -> Result<Exercise, String> {
    let field = |f: &str| texts.get(&format!("exercise.{id}.{f}")).unwrap_or("").trim();
    let wrong = |f: &str, e: &str| format!("exercise {id}, {f}: {e}");
    let title = field("title").to_string();
    let (scenario, seed, start) = parse_start(field("start")).map_err(|e| wrong("start", &e))?;
    let solution = field("solution").to_string();
    let solved = apply_words(&start, &solution).map_err(|e| wrong("solution", &e))?;
    let tiers = start.tiers.len() + 1;
    let mut measures = Vec::new();
    for m in texts.all(&format!("exercise.{id}.measure")) {
        let bad = || {
            wrong(
                "measure",
                &format!(
                    "'{}' is not WHAT FROM..TO [tier=N] OP GOAL: WHAT is one of {}; FROM below TO, in seconds of the run; N a tier from 0 (the edge) to {}; OP one of <, <=, >, >=; GOAL a share in percent or a ratio (\"goodput 30..60 >= 90\", \"amplification 10..20 tier=2 < 4\")",
                    short(m),
                    WHATS.join(", "),
                    tiers - 1
                ),
            )
        };
        let m = Measure::parse(m, tiers).ok_or_else(bad)?;
        if m.to > start.duration_s + 1e-9 {
            return Err(wrong("measure", &format!("it measures up to {} s but the run lasts {} s", secs(m.to), secs(start.duration_s))));
        }
        measures.push(m);
    }
    // The number of tiers is always kept: taking one away would take its measures with it.
    let keep: Vec<String> = std::iter::once("tiers").chain(field("keep").split_whitespace().filter(|k| *k != "tiers")).map(String::from).collect();
    let unknown = keep.iter().find(|k| value_of(&start, k).is_none());
    let missing = [("title", title.is_empty()), ("solution", solution.is_empty()), ("measure", measures.is_empty())].into_iter().find(|(_, m)| *m);
    match (missing, unknown) {
        (Some((f, _)), _) => Err(format!("exercise {id}: it has no {f}")),
        (_, Some(k)) => Err(wrong("keep", &format!("'{}' is not a key", short(k)))),
        _ => Ok(Exercise { id: id.to_string(), title, scenario, seed, solution, start, solved, measures, keep }),
    }
}

/// The ids of every exercise in `texts`, in file order.
pub fn ids(texts: &Texts) -> Vec<String> {
    texts.keys().filter_map(|k| k.strip_prefix("exercise.")?.strip_suffix(".title")).map(String::from).collect()
}

/// Every exercise read from one set of texts, shared.
type Exercises = std::rc::Rc<Vec<std::rc::Rc<Exercise>>>;

thread_local! {
    /// The exercises read from the texts now in place (read once per texts: the page asks for
    /// them on every frame).
    static CACHE: std::cell::RefCell<(std::rc::Weak<Texts>, Exercises)> = Default::default();
}

/// Every exercise that can be used, easiest first (none in the page until the texts arrive).
pub fn all() -> Exercises {
    let texts = crate::texts::current();
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if !std::ptr::eq(c.0.as_ptr(), std::rc::Rc::as_ptr(&texts)) {
            let list = ids(&texts).iter().filter_map(|id| parse(&texts, id).ok().map(std::rc::Rc::new)).collect();
            *c = (std::rc::Rc::downgrade(&texts), std::rc::Rc::new(list));
        }
        c.1.clone()
    })
}

/// The exercise with this id.
pub fn find(id: &str) -> Option<std::rc::Rc<Exercise>> {
    all().iter().find(|e| e.id == id).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cfg: Config, seed: u64, e: &Exercise) -> Check {
        let mut sim = Sim::new(cfg, seed).unwrap();
        sim.run_to_end();
        e.check(&sim)
    }

    #[test]
    fn every_exercise_in_the_lessons_can_be_used() {
        let texts = crate::texts::current();
        let ids = ids(&texts);
        assert!(ids.len() >= 12, "{ids:?}");
        for id in &ids {
            parse(&texts, id).unwrap();
        }
    }

    #[test]
    fn every_exercise_starts_failing_and_its_solution_passes_on_twelve_seeds() {
        // A learner may press "New random seed": the exercise must hold on any seed, not only
        // its own.
        for e in all().iter() {
            assert!(crate::scenarios::find(&e.scenario).is_ok(), "{}: unknown scenario {}", e.id, e.scenario);
            for seed in std::iter::once(e.seed).chain(1..=12) {
                let start = run(e.start_config(), seed, e);
                assert_eq!(start.passed, Some(false), "{} seed {seed}: the start already passes ({})", e.id, start.progress);
                let solved = run(e.solved_config(), seed, e);
                assert_eq!(solved.passed, Some(true), "{} seed {seed}: the solution fails ({})", e.id, solved.progress);
            }
        }
    }

    #[test]
    fn progress_is_reported_before_the_end() {
        let e = find("end-the-storm").unwrap();
        let mut sim = Sim::new(e.start_config(), e.seed).unwrap();
        sim.advance_to(SimTime::from_secs(20), u64::MAX);
        let c = e.check(&sim);
        assert_eq!(c.passed, None);
        // Nothing measured yet in 30–60 s: a dash, not a zero that reads as a verdict.
        assert!(c.progress.contains("goodput 30–60 s: – (goal ≥ 90.0\u{a0}%)"), "{}", c.progress);
        sim.advance_to(SimTime::from_secs(40), u64::MAX);
        let c = e.check(&sim);
        assert!(c.progress.contains("\u{a0}%") && !c.progress.contains("goodput 30–60 s: –"), "{}", c.progress);
    }

    /// A share is judged as printed, to a tenth of a percent: 2.6 % passes "< 3", 3.0 % does not.
    #[test]
    fn a_share_is_judged_to_a_tenth_of_a_percent() {
        let m = Measure::parse("wasted 0..10 < 3", 1).unwrap();
        assert_eq!(m.goal, 30);
        assert!(m.holds(26) && !m.holds(30));
        assert_eq!(What::Wasted.show(26), "2.6\u{a0}%");
        assert_eq!(What::Amplification.show(130), "1.30×");
        assert_eq!(Measure::parse("amplification 0..10 < 1.3", 1).unwrap().goal, 130);
    }

    #[test]
    fn a_changed_key_the_exercise_keeps_fails_it_and_says_so() {
        let e = find("end-the-storm").unwrap();
        let cfg = keys::set(&e.solved_config(), "server.workers", "20").unwrap();
        let c = run(cfg, e.seed, &e);
        assert_eq!(c.passed, Some(false));
        assert!(c.progress.contains("keep server.workers at 10"), "{}", c.progress);
    }

    #[test]
    fn taking_a_tier_away_passes_nothing() {
        // retry-at-one-layer measures the bottom tier: one tier fewer leaves no windows there
        // and changes the tiers the exercise keeps.
        let e = find("retry-at-one-layer").unwrap();
        let cfg = keys::set(&e.start_config(), "tiers", "1").unwrap();
        let c = run(cfg, e.seed, &e);
        assert_eq!(c.passed, Some(false), "{}", c.progress);
        assert!(c.progress.contains("not measured") && c.progress.contains("keep tiers at 3"), "{}", c.progress);
    }

    #[test]
    fn a_wrong_exercise_says_which_field_is_wrong_and_why() {
        let wrong = |body: &str| parse(&Texts::parse(&format!("## exercise.x.title\nX\n{body}")), "x").unwrap_err();
        let ok_start = "## exercise.x.start\nscenario=healthy\n## exercise.x.solution\nclient.max_attempts=1\n";
        assert_eq!(wrong(""), "exercise x, start: it names no scenario=ID");
        assert!(wrong("## exercise.x.start\nscenario=nope\n").contains("start: unknown scenario 'nope'"));
        assert!(wrong("## exercise.x.start\nscenario=healthy server.workers=0\n## exercise.x.solution\na=b\n").contains("start: server.workers"));
        assert!(wrong("## exercise.x.start\nscenario=healthy\n## exercise.x.solution\nclient.max_attempts=x\n").contains("solution: client.max_attempts"));
        for m in ["speed 0..10 < 3", "goodput 10..5 < 3", "goodput 0..10 tier=2 < 3", "goodput 0..10 = 3", "goodput 0..10 <"] {
            let e = wrong(&format!("{ok_start}## exercise.x.measure\n{m}\n"));
            assert!(e.starts_with(&format!("exercise x, measure: '{m}' is not WHAT FROM..TO [tier=N] OP GOAL: WHAT is one of goodput")), "{e}");
        }
        assert!(wrong(&format!("{ok_start}## exercise.x.measure\ngoodput 0..999 > 3\n")).contains("the run lasts 60 s"));
        assert!(wrong(&format!("{ok_start}## exercise.x.measure\ngoodput 0..10 > 3\n## exercise.x.keep\nnope\n")).contains("keep: 'nope' is not a key"));
        assert_eq!(wrong(ok_start), "exercise x: it has no measure");
    }
}
