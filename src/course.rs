//! The guided course: about ten steps through the talk's argument, each a link of its own
//! (`?course=<id>`). A step frames a question, asks the learner to commit to a prediction
//! before Play, runs its lab, and then reveals the prediction beside the figure measured from
//! the run, with the step's "look for" sentence and explanation, and something to try.
//!
//! Like an exercise, a step is text, not code: its entries in `www/lessons.txt` say where it
//! starts, what is measured, how the learner predicts, and what the explanation claims. No
//! answer is written by hand: the page reads the measured figure from its own run, and the
//! tests check the explanation's claim (`expect`) on the step's seed and on twelve others.
//!
//! ```text
//! ## course.storm.title
//! The retry storm that does not end
//! ## course.storm.start
//! scenario=metastable-retry
//! ## course.storm.measure
//! goodput 30..40
//! ## course.storm.predict
//! slider 0..100
//! ## course.storm.expect
//! < 20
//! ## course.storm.frame / ask / explain / try
//! (prose; the explanation may quote the run's figure as {measured})
//! ```
//!
//! - `start`: as an exercise's: `scenario=ID`, `seed=N`, then `key=value` changes. A step has
//!   one side: a scenario that opens in compare mode opens with side A only.
//! - `measure`: `WHAT FROM..TO [tier=N]`, one of the exercises' measures ([`crate::exercises`]).
//! - `predict`: `slider MIN..MAX` (a number the learner sets) or `bands A B …` (choices:
//!   under A, A to B, …, the last or more), in the measure's unit (percent, or ×).
//! - `expect`: `OP GOAL`, what the explanation says of the measured figure.
//!
//! The page's course panel is in the on-demand panels' wasm (`ui/course.rs`); the page's own
//! wasm only measures the run ([`measured`]), so the start-up download stays small.

use crate::exercises::{Measure, What, parse_start, secs, tier_words};
use crate::sim::{Config, Sim, SimTime};
use crate::texts::Texts;

/// How the learner predicts.
#[derive(Clone, Debug, PartialEq)]
pub enum Predict {
    /// A number from `min` to `max`, in the measure's printed steps (tenths of a percent, or
    /// hundredths of a ratio).
    Slider { min: i64, max: i64 },
    /// Choices split at these edges (in the same steps): under the first, between each pair,
    /// the last or more.
    Bands(Vec<i64>),
}

/// One step of the course.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub scenario: String,
    pub seed: u64,
    start: Config,
    /// What is measured, with the explanation's claim as its goal.
    measure: Measure,
    pub predict: Predict,
}

impl Step {
    fn text(&self, part: &str) -> String {
        crate::texts::text(&format!("course.{}.{part}", self.id))
    }

    /// The short framing shown before the prediction.
    pub fn frame(&self) -> String {
        self.text("frame")
    }

    /// The question the learner predicts.
    pub fn ask(&self) -> String {
        self.text("ask")
    }

    /// Why the figure is what it is, with `{measured}` filled in.
    pub fn explain(&self, measured: i64) -> String {
        self.text("explain").replace("{measured}", &self.show(measured))
    }

    /// Something to change or an exercise to open, after the reveal.
    pub fn try_it(&self) -> String {
        self.text("try")
    }

    pub fn config(&self) -> Config {
        self.start.clone()
    }

    /// The simulated second at which the figure is known.
    pub fn ready_at_s(&self) -> f64 {
        self.measure.to
    }

    /// What is measured, in words: "goodput 30–40 s".
    pub fn measured_what(&self) -> String {
        let tiers = self.start.tiers.len() + 1;
        format!("{} {}–{} s{}", self.measure.label(), secs(self.measure.from), secs(self.measure.to), tier_words(self.measure.tier, tiers))
    }

    /// The measure's kind (a share in percent, or a ratio).
    pub fn is_share(&self) -> bool {
        self.measure.what.is_share()
    }

    /// How many printed steps make one unit: 10 for a share's percent, 100 for a ratio.
    pub fn unit(&self) -> i64 {
        if self.is_share() { 10 } else { 100 }
    }

    /// A value in the measure's steps, as printed: "3.2 %" or "2.75×".
    pub fn show(&self, h: i64) -> String {
        self.measure.what.show(h)
    }

    /// The figure measured from `sim` (in printed steps), once the run has passed the span.
    pub fn measure(&self, sim: &Sim) -> Option<i64> {
        measure_of(&self.measure, sim)
    }

    /// Whether the explanation's claim holds for a measured figure.
    pub fn claim_holds(&self, measured: i64) -> bool {
        self.measure.holds(measured)
    }

    /// The choices a learner picks from (bands), in words.
    pub fn choices(&self) -> Vec<String> {
        let Predict::Bands(edges) = &self.predict else { return Vec::new() };
        // Edges as written: "50 %", "1.5×", not "50.0 %".
        let show = |h: i64| {
            let s = self.show(h);
            let (num, unit) = s.split_at(s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len()));
            let num = if num.contains('.') { num.trim_end_matches('0').trim_end_matches('.') } else { num };
            format!("{num}{unit}")
        };
        let mut out = vec![format!("under {}", show(edges[0]))];
        for w in edges.windows(2) {
            out.push(format!("{} to {}", show(w[0]), show(w[1])));
        }
        out.push(format!("{} or more", show(edges[edges.len() - 1])));
        out
    }

    /// The band a figure is in (0 for "under the first edge").
    pub fn band_of(&self, h: i64) -> usize {
        match &self.predict {
            Predict::Bands(edges) => edges.iter().filter(|e| h >= **e).count(),
            Predict::Slider { .. } => 0,
        }
    }

    /// How far a slider prediction may be from the figure and still count as right: 10
    /// percentage points for a share, a fifth of the figure (at least 0.2×) for a ratio (the
    /// page's reveal says which).
    pub fn tolerance(&self, measured: i64) -> i64 {
        if self.is_share() { 100 } else { (measured.abs() / 5).max(20) }
    }

    /// Whether a prediction (a band's index, or a slider value in steps) matches the figure.
    pub fn right(&self, prediction: i64, measured: i64) -> bool {
        match &self.predict {
            Predict::Bands(_) => prediction == self.band_of(measured) as i64,
            Predict::Slider { .. } => (prediction - measured).abs() <= self.tolerance(measured),
        }
    }

    /// A prediction in words.
    pub fn prediction_words(&self, prediction: i64) -> String {
        match &self.predict {
            Predict::Bands(_) => self.choices().get(prediction.max(0) as usize).cloned().unwrap_or_default(),
            Predict::Slider { .. } => self.show(prediction),
        }
    }
}

/// A measure's figure from `sim` once the run has passed its span (`None` before, or when the
/// span has no windows).
fn measure_of(m: &Measure, sim: &Sim) -> Option<i64> {
    if sim.now() < SimTime::from_secs_f64(m.to) {
        return None;
    }
    let (h, _, windows) = m.value(sim);
    (windows > 0).then_some(h)
}

/// The figure step `id` measures, read from the page's own run (`""` before it is known):
/// the one part of the course the page's wasm carries.
pub fn measured(id: &str, sim: &Sim) -> String {
    let spec = crate::texts::text(&format!("course.{id}.measure"));
    Measure::parse(&format!("{spec} >= 0"), sim.tier_count()).and_then(|m| measure_of(&m, sim)).map_or_else(String::new, |h| h.to_string())
}

/// A number in the measure's unit, as printed steps.
fn steps(what: What, s: &str) -> Option<i64> {
    let x = crate::sim::params::parse_number(s).filter(|x| x.is_finite() && (-1e6..=1e6).contains(x))?;
    Some((x * what.scale() / if what.is_share() { 100.0 } else { 1.0 }).round() as i64)
}

/// Reads step `id` from `texts`; what is wrong, naming the field, if it cannot be used.
pub fn parse(texts: &Texts, id: &str) -> Result<Step, String> {
    let field = |f: &str| texts.get(&format!("course.{id}.{f}")).unwrap_or("").trim();
    let wrong = |f: &str, e: &str| format!("course step {id}, {f}: {e}");
    let title = field("title").to_string();
    if title.is_empty() {
        return Err(format!("course step {id}: it has no title"));
    }
    let (scenario, seed, start) = parse_start(field("start")).map_err(|e| wrong("start", &e))?;
    let tiers = start.tiers.len() + 1;
    let (spec, expect) = (field("measure"), field("expect"));
    let measure = Measure::parse(&format!("{spec} {expect}"), tiers).ok_or_else(|| {
        wrong(
            "measure",
            &format!(
                "'{spec}' with expect '{expect}' is not WHAT FROM..TO [tier=N] and OP GOAL: WHAT is one of {}; N a tier from 0 to {}; OP one of <, <=, >, >=",
                crate::exercises::WHATS.join(", "),
                tiers - 1
            ),
        )
    })?;
    if measure.to > start.duration_s + 1e-9 {
        return Err(wrong("measure", &format!("it measures up to {} s but the run lasts {} s", secs(measure.to), secs(start.duration_s))));
    }
    let what = measure.what;
    let predict_text = field("predict");
    let bad_predict = || wrong("predict", &format!("'{predict_text}' is not 'slider MIN..MAX' or 'bands A B …' (rising edges, in the measure's unit)"));
    let predict = match predict_text.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["slider", span] => {
            let (a, b) = span.split_once("..").ok_or_else(bad_predict)?;
            let (min, max) = (steps(what, a).ok_or_else(bad_predict)?, steps(what, b).ok_or_else(bad_predict)?);
            if min >= max {
                return Err(bad_predict());
            }
            Predict::Slider { min, max }
        }
        ["bands", edges @ ..] if !edges.is_empty() && edges.len() <= 6 => {
            let edges: Vec<i64> = edges.iter().map(|e| steps(what, e)).collect::<Option<_>>().ok_or_else(bad_predict)?;
            if edges.windows(2).any(|w| w[0] >= w[1]) {
                return Err(bad_predict());
            }
            Predict::Bands(edges)
        }
        _ => return Err(bad_predict()),
    };
    Ok(Step { id: id.to_string(), title, scenario, seed, start, measure, predict })
}

/// The ids of every step in `texts`, in file order.
pub fn ids(texts: &Texts) -> Vec<String> {
    texts.keys().filter_map(|k| k.strip_prefix("course.")?.strip_suffix(".title")).map(String::from).collect()
}

/// Every step that can be used, in order (none in the page until the texts arrive).
pub fn all() -> Vec<Step> {
    let texts = crate::texts::current();
    ids(&texts).iter().filter_map(|id| parse(&texts, id).ok()).collect()
}

/// The link that opens a step: its lab on its seed, with the course panel.
pub fn link(step: &Step) -> String {
    let mut state = crate::url::LinkState::from_scenario(&step.scenario).unwrap_or_else(|| crate::url::decode("").0);
    state.config = step.config();
    state.seed = step.seed;
    state.compare = None;
    state.course = Some(step.id.clone());
    crate::url::encode(&state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(step: &Step, seed: u64) -> i64 {
        let mut sim = Sim::new(step.config(), seed).unwrap();
        sim.run_to_end();
        step.measure(&sim).unwrap_or_else(|| panic!("{}: nothing measured", step.id))
    }

    #[test]
    fn the_course_has_ten_steps_or_so_and_each_can_be_used() {
        let texts = crate::texts::current();
        let ids = ids(&texts);
        assert!((8..=14).contains(&ids.len()), "{ids:?}");
        for id in &ids {
            parse(&texts, id).unwrap();
        }
    }

    /// The explanation's claim about the figure holds on the step's seed and on twelve more
    /// (a learner may press "New random seed").
    #[test]
    fn every_explanation_holds_on_thirteen_seeds() {
        for step in all() {
            for seed in std::iter::once(step.seed).chain(1..=12) {
                let m = run(&step, seed);
                assert!(step.claim_holds(m), "{} seed {seed}: measured {} against the claim", step.id, step.show(m));
            }
        }
    }

    /// What a step's framing, explanation or "try it" says of another lab holds there too.
    #[test]
    fn the_comparisons_the_steps_draw_hold_on_thirteen_seeds() {
        let find = |id: &str| all().into_iter().find(|s| s.id == id).unwrap();
        let texts = crate::texts::current();
        let claim = |step: &Step, words: &str, spec: &str, seed: u64| {
            let cfg = crate::exercises::apply_words(&step.config(), words).unwrap();
            let m = Measure::parse(spec, cfg.tiers.len() + 1).unwrap();
            let mut sim = Sim::new(cfg, seed).unwrap();
            sim.run_to_end();
            (m.holds(measure_of(&m, &sim).unwrap()), m.what.show(measure_of(&m, &sim).unwrap()))
        };
        let (jitter, deadlines, storm) = (find("jitter"), find("deadlines"), find("storm"));
        assert!(texts.get("course.storm.explain").unwrap().contains("about four attempts per request"));
        assert!(texts.get("course.jitter.try").unwrap().contains("under 2× the average"));
        assert!(texts.get("course.deadlines.explain").unwrap().contains("In the storm most completions were for callers who had left"));
        for seed in std::iter::once(3).chain(1..=12) {
            let (ok, v) = claim(&jitter, "client.jitter=full", "peak 10..15 < 2", seed);
            assert!(ok, "jitter with full jitter, seed {seed}: {v}");
            // The storm's own lab: the deadlines step without its deadlines.
            let (ok, v) = claim(&deadlines, "server.discipline=fifo server.drop_expired=false", "wasted 5..30 > 50", seed);
            assert!(ok, "the storm's wasted share, seed {seed}: {v}");
            let (ok, v) = claim(&storm, "", "amplification 30..40 >= 3.5", seed);
            assert!(ok, "the storm's attempts per request, seed {seed}: {v}");
        }
    }

    #[test]
    fn choices_cover_every_figure_and_a_slider_judges_by_its_tolerance() {
        let texts = Texts::parse(
            "## course.x.title\nX\n## course.x.start\nscenario=healthy\n## course.x.measure\ngoodput 0..60\n## course.x.expect\n>= 90\n## course.x.predict\nbands 10 50 90\n",
        );
        let s = parse(&texts, "x").unwrap();
        assert_eq!(s.choices(), ["under 10\u{a0}%", "10\u{a0}% to 50\u{a0}%", "50\u{a0}% to 90\u{a0}%", "90\u{a0}% or more"]);
        assert_eq!((s.band_of(99), s.band_of(100), s.band_of(899), s.band_of(900)), (0, 1, 2, 3));
        assert!(s.right(3, 995) && !s.right(2, 995));
        let slider = parse(&Texts::parse(&texts_with(&texts, "slider 0..100")), "x").unwrap();
        assert!(slider.right(900, 995) && !slider.right(890, 995));
    }

    fn texts_with(t: &Texts, predict: &str) -> String {
        let mut out = String::new();
        for k in t.keys() {
            let v = if k.ends_with(".predict") { predict } else { t.get(k).unwrap() };
            out.push_str(&format!("## {k}\n{v}\n"));
        }
        out
    }

    #[test]
    fn a_wrong_step_says_which_field_is_wrong_and_why() {
        let wrong = |body: &str| parse(&Texts::parse(&format!("## course.x.title\nX\n{body}")), "x").unwrap_err();
        let ok = "## course.x.start\nscenario=healthy\n## course.x.measure\ngoodput 0..60\n## course.x.expect\n>= 90\n";
        assert_eq!(wrong(""), "course step x, start: it names no scenario=ID");
        assert!(wrong(&format!("{ok}## course.x.predict\nguess\n")).starts_with("course step x, predict: 'guess' is not 'slider MIN..MAX'"));
        assert!(wrong(&format!("{ok}## course.x.predict\nbands 50 10\n")).contains("predict"));
        assert!(wrong(&format!("{ok}## course.x.predict\nslider 9..1\n")).contains("predict"));
        let e = wrong("## course.x.start\nscenario=healthy\n## course.x.measure\nspeed 0..60\n## course.x.expect\n>= 90\n## course.x.predict\nslider 0..100\n");
        assert!(e.starts_with("course step x, measure: 'speed 0..60' with expect '>= 90' is not"), "{e}");
        assert!(
            wrong("## course.x.start\nscenario=healthy\n## course.x.measure\ngoodput 0..600\n## course.x.expect\n>= 90\n## course.x.predict\nslider 0..100\n")
                .contains("the run lasts 60 s")
        );
    }

    #[test]
    fn a_step_link_opens_its_lab_with_the_course_and_one_side() {
        for step in all() {
            let (state, notes) = crate::url::decode(&link(&step));
            assert!(notes.is_empty(), "{}: {notes:?}", step.id);
            assert_eq!((state.course.as_deref(), state.seed, state.compare.is_none()), (Some(step.id.as_str()), step.seed, true));
            assert_eq!(state.config, step.config(), "{}", step.id);
        }
    }
}
