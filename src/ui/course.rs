//! The course panel, in the on-demand panels' wasm (`crate::ui::panels`): it takes a learner
//! through one step of the guided course ([`crate::course`]) on the lab the page runs.
//!
//! The page renders `#course` with the step's id, the lab's link, the clock and the figure its
//! own run measured (`data-step`, `data-link`, `data-t`, `data-measured`), and an empty
//! `#course-panel` this file draws into. A step goes: predict (Play is hidden until the
//! prediction is locked in), run, reveal (the prediction beside the measured figure, the
//! explanation, something to try). Progress is kept in this browser's local storage and shown
//! as a path of steps. The panel polls the page's attributes a few times a second; it changes
//! the lab only through the page's own `lab-load` event, as the map does.

use super::web::storage;
use super::web::{attr, document, esc};
use crate::course::{self, Predict, Step};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Predict,
    Run,
    Reveal,
}

struct Panel {
    steps: Vec<Step>,
    /// The step shown (its id), and where the learner is in it.
    id: String,
    phase: Phase,
    prediction: Option<i64>,
    /// The figure revealed.
    measured: Option<i64>,
}

thread_local! {
    static PANEL: RefCell<Option<Panel>> = const { RefCell::new(None) };
}

const STYLE: &str = "\
body[data-course=predict] #play, body[data-course=predict] #step, body[data-course=predict] #run-to-end { display: none; }
body[data-course=predict] .transport::before { content: 'Lock in your prediction first: Play appears then.'; color: var(--muted); font-style: italic; }
.course { margin-top: 0.5rem; border-left: 4px solid var(--accent); }
#course-panel:empty::before { content: 'Loading the course…'; color: var(--muted); }
.course h2 { font-size: 1.1rem; margin: 0.2rem 0; }
.course p { margin: 0.35rem 0; max-width: 75ch; }
.course-path { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; margin: 0; padding: 0; list-style: none; }
.course-path a { display: inline-block; min-width: 2rem; white-space: nowrap; text-align: center; padding: 0.1rem 0.5rem; border: 1px solid var(--line); border-radius: 999px; color: var(--fg); text-decoration: none; }
.course-path a.done { border-color: var(--ok); color: var(--ok); }
.course-path a[aria-current] { background: var(--accent); border-color: var(--accent); color: var(--on-accent); font-weight: 700; }
.course-where { color: var(--muted); margin-right: 0.4rem; }
.course fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0.3rem 0; }
.course fieldset label { display: inline-block; margin: 0.15rem 0.9rem 0.15rem 0; }
.course .slider { display: flex; gap: 0.6rem; align-items: center; max-width: 32rem; }
.course .slider input { flex: 1; min-width: 0; }
.course output { font-weight: 700; font-variant-numeric: tabular-nums; min-width: 5rem; }
.course-lock, .course-reveal-btn { font-weight: 700; border-color: var(--accent); }
.course-verdict.right b { color: var(--ok); } .course-verdict.wrong b { color: var(--warn); }
.course-note { color: var(--warn); } .course-drills summary { cursor: pointer; color: var(--muted); } .course-drills ul { margin: 0.2rem 0; }
.course-nav { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; }
";

/// The panels' wasm was asked for the course: read the prose (the panels' wasm carries none),
/// then draw, and keep in step with the page.
pub fn start() {
    let Some(doc) = document() else { return };
    if doc.get_element_by_id("course-style").is_none() {
        if let (Ok(style), Some(head)) = (doc.create_element("style"), doc.head()) {
            style.set_id("course-style");
            style.set_text_content(Some(&format!("{STYLE}{}", super::drill::STYLE)));
            let _ = head.append_child(&style);
        }
    }
    let running = PANEL.with(|p| p.borrow().is_some());
    if running {
        return draw();
    }
    let begin = || {
        PANEL.with(|p| *p.borrow_mut() = Some(Panel { steps: course::all(), id: String::new(), phase: Phase::Predict, prediction: None, measured: None }));
        tick();
        gloo::timers::callback::Interval::new(250, tick).forget();
        // A drill's clock follows the page's own, 20 times a second (at 10×, the 250 ms
        // tick moved it in 2.5 s jumps).
        gloo::timers::callback::Interval::new(50, super::drill::clock).forget();
    };
    if crate::texts::loaded() {
        begin();
    } else {
        super::web::fetch_text(
            "lessons.txt",
            std::rc::Rc::new(move |text: Option<String>| match text {
                Some(t) => {
                    crate::texts::load(&t);
                    begin();
                }
                None => {
                    if let Some(root) = document().and_then(|d| d.get_element_by_id("course-panel")) {
                        root.set_text_content(Some("The course's text could not be loaded (lessons.txt). Reload the page to try again."));
                    }
                }
            }),
        );
    }
}

/// A pack added steps: the course is read again, and the step shown drawn anew.
pub fn refresh() {
    let again = PANEL.with(|p| {
        let mut p = p.borrow_mut();
        let p = p.as_mut()?;
        p.steps = course::all();
        p.id.clear();
        Some(())
    });
    if again.is_some() {
        tick();
    }
}

/// What the learner has done in step `id`: their prediction and the figure revealed.
fn remembered(id: &str) -> Option<(i64, i64)> {
    let v = storage()?.get_item(&format!("backoff-lab.course.{id}")).ok()??;
    let (p, m) = v.split_once(';')?;
    Some((p.parse().ok()?, m.parse().ok()?))
}

fn remember(id: &str, prediction: i64, measured: i64) {
    if let Some(s) = storage() {
        let _ = s.set_item(&format!("backoff-lab.course.{id}"), &format!("{prediction};{measured}"));
    }
}

/// The page's lab, as its link decodes.
fn lab(section: &Element) -> crate::url::LinkState {
    crate::url::decode(&attr(section, "data-link")).0
}

/// Whether the page runs step `s`'s own lab on its seed.
fn is_steps_lab(s: &Step, lab: &crate::url::LinkState) -> bool {
    lab.config == s.config() && lab.seed == s.seed && lab.compare.is_none()
}

/// Asks the page to open step `s`'s lab (the state its link opens), from time 0.
fn open_step(s: &Step) {
    if let Some(section) = document().and_then(|d| d.get_element_by_id("course")) {
        super::panels::load_into_lab(&section, &format!("?{}", course::link(s)));
    }
}

/// The step the panel shows.
fn current_step() -> Option<Step> {
    PANEL.with(|p| p.borrow().as_ref().and_then(|p| p.steps.iter().find(|s| s.id == p.id).cloned()))
}

/// Keyboard focus to the panel's element `css` after a redraw (it would fall to the page's top).
fn focus(css: &str) {
    if let Some(e) = document().and_then(|d| d.query_selector(css).ok().flatten()).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = e.focus();
    }
}

fn click(id: &str) {
    if let Some(b) = document().and_then(|d| d.get_element_by_id(id)).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        b.click();
    }
}

fn set_phase_on_body(phase: Option<Phase>) {
    let Some(body) = document().and_then(|d| d.body()) else { return };
    let _ = match phase {
        Some(Phase::Predict) => body.set_attribute("data-course", "predict"),
        Some(Phase::Run) => body.set_attribute("data-course", "run"),
        Some(Phase::Reveal) => body.set_attribute("data-course", "reveal"),
        None => body.remove_attribute("data-course"),
    };
}

/// Keeps the panel in step with the page: a new step, the clock, the figure.
fn tick() {
    let Some(doc) = document() else { return };
    let Some(section) = doc.get_element_by_id("course") else {
        // The learner left the course or the drill (another scenario or an exercise).
        super::drill::forget();
        return set_phase_on_body(None);
    };
    let mut step_id = attr(&section, "data-step");
    // A drill comes as a course id: its own panel draws.
    if crate::texts::current().get(&format!("drill.{step_id}.title")).is_some() {
        return super::drill::tick(&section, &step_id);
    }
    // From a drill to a course step in the same page: the page shows its trigger again.
    if super::drill::active() {
        super::drill::forget();
        super::panels::load_into_lab(&section, "drill:0");
        if let Some(root) = doc.get_element_by_id("course-panel") {
            root.set_inner_html("");
        }
        PANEL.with(|p| {
            if let Some(p) = p.borrow_mut().as_mut() {
                p.id.clear();
            }
        });
    }
    // `?course=continue` (the page's "guided course" link): the first step not yet done.
    if step_id == "continue" {
        let next = PANEL.with(|p| p.borrow().as_ref().map(|p| p.steps.iter().find(|s| remembered(&s.id).is_none()).or(p.steps.first()).cloned()));
        if let Some(Some(s)) = next {
            open_step(&s);
            step_id = s.id;
        }
    }
    let new_step = PANEL.with(|p| {
        let mut p = p.borrow_mut();
        let p = p.as_mut()?;
        (p.id != step_id).then(|| {
            p.id = step_id.clone();
            p.phase = Phase::Predict;
            p.prediction = None;
            p.measured = None;
            p.steps.iter().find(|s| s.id == step_id).cloned()
        })
    });
    match new_step {
        // A step's bare link (`?course=ID`) opens the default lab: open the step's own. A lab
        // the learner changed is theirs to keep (the panel says it differs).
        Some(Some(s)) => {
            let lab = lab(&section);
            let plain = crate::scenarios::find(&lab.scenario).is_ok_and(|sc| sc.config == lab.config && sc.seed == lab.seed);
            if !is_steps_lab(&s, &lab) && plain {
                open_step(&s);
            }
            draw();
        }
        Some(None) => draw(),
        None => {
            let root = doc.get_element_by_id("course-panel");
            // The page drew the section again (it left the course and came back): draw anew.
            if root.as_ref().is_some_and(|r| r.child_element_count() == 0) {
                draw();
            } else {
                update(&doc, &section);
            }
        }
    }
}

/// The parts that change while a step runs: the reveal button, the lab-changed note.
fn update(doc: &Document, section: &Element) {
    let (Some(phase), Some(step)) = (PANEL.with(|p| p.borrow().as_ref().map(|p| p.phase)), current_step()) else { return };
    if let Some(note) = doc.get_element_by_id("course-changed") {
        let differs = !is_steps_lab(&step, &lab(section));
        let _ = if differs { note.remove_attribute("hidden") } else { note.set_attribute("hidden", "") };
    }
    if phase != Phase::Run {
        return;
    }
    let known = !attr(section, "data-measured").is_empty();
    if let Some(b) = doc.get_element_by_id("course-reveal") {
        let was = !b.has_attribute("disabled");
        if known != was {
            let _ = if known { b.remove_attribute("disabled") } else { b.set_attribute("disabled", "") };
            b.set_text_content(Some(&reveal_label(&step, known)));
        }
    }
}

fn reveal_label(step: &Step, known: bool) -> String {
    if known { "Reveal the answer".into() } else { format!("Reveal (the figure is known at {} s)", crate::exercises::secs(step.ready_at_s())) }
}

/// The path of steps: where the learner is, and which steps they have done.
fn path(steps: &[Step], at: usize) -> String {
    let items: String = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let done = remembered(&s.id).is_some();
            format!(
                "<li><a href=\"?{}\" data-goto=\"{}\" class=\"{}\" title=\"{}{}\"{}>{}</a></li>",
                course::link(s),
                i,
                if done { "done" } else { "" },
                esc(&s.title),
                if done { " (done)" } else { "" },
                if i == at { " aria-current=\"step\"" } else { "" },
                if done { format!("✓\u{202f}{}", i + 1) } else { (i + 1).to_string() }
            )
        })
        .collect();
    format!("<nav aria-label=\"Course steps\"><ol class=\"course-path\"><li class=\"course-where\">Step {} of {}</li>{items}</ol></nav>", at + 1, steps.len())
}

/// The learner's prediction control.
fn predict_form(s: &Step) -> String {
    match &s.predict {
        Predict::Bands(_) => {
            let opts: String = s
                .choices()
                .iter()
                .enumerate()
                .map(|(i, c)| format!("<label><input type=\"radio\" name=\"course-choice\" value=\"{i}\"> {}</label>", esc(c)))
                .collect();
            format!("<fieldset><legend>Your prediction</legend>{opts}</fieldset>")
        }
        Predict::Slider { min, max } => {
            let mid = (min + max) / 2;
            // A share moves by whole percents, a ratio by tenths.
            let step = 10;
            format!(
                "<div class=\"slider\"><label for=\"course-slider\">Your prediction</label>\
                 <input id=\"course-slider\" type=\"range\" min=\"{min}\" max=\"{max}\" step=\"{step}\" value=\"{mid}\">\
                 <output id=\"course-value\" for=\"course-slider\">{}</output></div>",
                esc(&s.show(mid))
            )
        }
    }
}

/// Draws the whole panel for the current step and phase.
fn draw() {
    let Some(doc) = document() else { return };
    let (Some(root), Some(section)) = (doc.get_element_by_id("course-panel"), doc.get_element_by_id("course")) else { return };
    let Some((steps, id, phase, prediction, measured)) =
        PANEL.with(|p| p.borrow().as_ref().map(|p| (p.steps.clone(), p.id.clone(), p.phase, p.prediction, p.measured)))
    else {
        return;
    };
    let Some(at) = steps.iter().position(|s| s.id == id) else {
        set_phase_on_body(None);
        let list: String = steps.iter().map(|s| format!("<li><a href=\"?{}\">{}</a></li>", course::link(s), esc(&s.title))).collect();
        let drills = drill_items();
        root.set_inner_html(&format!(
            "<h2>There is no course step or drill '{}'</h2><p>The course has these steps:</p><ol>{list}</ol><p>The drills:</p><ul>{drills}</ul>",
            esc(&crate::sim::params::quote(&id, 40))
        ));
        return wire(&root);
    };
    let s = &steps[at];
    set_phase_on_body(Some(phase));
    let mut html = path(&steps, at);
    html.push_str(&format!("<h2>{}. {}</h2><p>{}</p>", at + 1, esc(&s.title), esc(&s.frame())));
    html.push_str(&format!("<p><strong>Predict:</strong> {}</p>", esc(&s.ask())));
    html.push_str(&format!(
        "<p class=\"course-note\" id=\"course-changed\"{}>This lab differs from the step's (its settings or seed), so the explanation may not hold for it. <button data-act=\"restore\">Open the step's lab</button></p>",
        if is_steps_lab(s, &lab(&section)) { " hidden" } else { "" }
    ));
    match (phase, prediction) {
        (Phase::Predict, _) => {
            html.push_str(&predict_form(s));
            if let Some((p, m)) = remembered(&s.id) {
                html.push_str(&format!(
                    "<p class=\"course-where\">Last time you predicted {} and the run measured {}.</p>",
                    esc(&s.prediction_words(p)),
                    esc(&s.show(m))
                ));
            }
            html.push_str(
                "<p><button class=\"course-lock\" data-act=\"lock\" id=\"course-lock\">Lock in my prediction</button> Play appears once you have.</p>",
            );
        }
        (Phase::Run, Some(p)) => {
            let known = !attr(&section, "data-measured").is_empty();
            html.push_str(&format!(
                "<p>Your prediction: <b>{}</b>. Now press <b>Play</b> (or Run to end) and watch the charts. The figure is {}, read from this run.</p>\
                 <p><button class=\"course-reveal-btn\" id=\"course-reveal\" data-act=\"reveal\"{}>{}</button> <button data-act=\"again\">Change my prediction</button></p>",
                esc(&s.prediction_words(p)),
                esc(&s.measured_what()),
                if known { "" } else { " disabled" },
                esc(&reveal_label(s, known))
            ));
        }
        (Phase::Reveal, Some(p)) => {
            let m = measured.unwrap_or(0);
            let right = s.right(p, m);
            let (mark, words) = match (&s.predict, right) {
                (Predict::Bands(_), true) => ("✓ Right", "the figure is in the band you chose".to_string()),
                (Predict::Bands(_), false) => {
                    ("✗ Not this time", format!("the figure is {}, not {}", esc(&s.choices()[s.band_of(m)]), esc(&s.prediction_words(p))))
                }
                (Predict::Slider { .. }, r) => (
                    if r { "✓ Close" } else { "✗ Not this time" },
                    format!("within {} of the figure counts as close", if s.is_share() { "10 percentage points" } else { "a fifth" }),
                ),
            };
            html.push_str(&format!(
                "<div role=\"status\" id=\"course-result\" tabindex=\"-1\"><p class=\"course-verdict {}\"><b>{mark}</b>: you predicted <b>{}</b>; this run measured <b id=\"course-measured\">{}</b> ({}); {words}.</p>\
                 <p><strong>Why:</strong> {}</p><p><strong>Try it:</strong> {}</p></div>",
                if right { "right" } else { "wrong" },
                esc(&s.prediction_words(p)),
                esc(&s.show(m)),
                esc(&s.measured_what()),
                esc(&s.explain(m)),
                esc(&s.try_it())
            ));
        }
        _ => {}
    }
    let nav = |i: usize, label: &str| {
        format!("<a href=\"?{}\" data-goto=\"{i}\" data-nav=\"{}\">{label}</a>", course::link(&steps[i]), if i < at { "prev" } else { "next" })
    };
    html.push_str("<p class=\"course-nav\">");
    if at > 0 {
        html.push_str(&nav(at - 1, "← Previous step"));
    }
    if phase == Phase::Reveal {
        html.push_str("<button data-act=\"again\">Predict again</button>");
    }
    if at + 1 < steps.len() {
        html.push_str(&nav(at + 1, &format!("Next: {} →", esc(&steps[at + 1].title))));
    } else if phase == Phase::Reveal {
        html.push_str("<span>That was the last step.</span>");
    }
    html.push_str("</p>");
    html.push_str(&format!("<p>{}</p>", super::progress::BUTTONS));
    // The drills are where the course leads: the same failures with the trigger hidden. Folded
    // away while the course goes on, open on its last step.
    html.push_str(&format!(
        "<details class=\"course-drills\"{}><summary>Incident drills: the same failures with the trigger hidden ({})</summary><ul>{}</ul></details>",
        if at + 1 == steps.len() { " open" } else { "" },
        crate::drills::all().len(),
        drill_items()
    ));
    root.set_inner_html(&html);
    wire(&root);
}

/// Every drill as a list item linking to it, in file order.
fn drill_items() -> String {
    crate::drills::all().iter().map(|d| format!("<li><a href=\"?{}\">{}</a></li>", crate::drills::address(d, d.seed), esc(&d.title))).collect()
}

/// One click and one input listener on the panel's root, once per root.
fn wire(root: &Element) {
    if root.has_attribute("data-wired") {
        return;
    }
    let _ = root.set_attribute("data-wired", "");
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(|e: web_sys::MouseEvent| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        if let Some(a) = target.closest("[data-goto]").ok().flatten() {
            // A plain click moves in the page; a new tab or window follows the link.
            if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
                return;
            }
            e.prevent_default();
            let i: usize = attr(&a, "data-goto").parse().unwrap_or(0);
            if let Some(s) = PANEL.with(|p| p.borrow().as_ref().and_then(|p| p.steps.get(i).cloned())) {
                open_step(&s);
            }
            return;
        }
        let Some(act) = target.closest("[data-act]").ok().flatten().map(|b| attr(&b, "data-act")) else { return };
        // The same root serves a drill's panel while one is on.
        if !super::drill::active() && !super::progress::act(&act) {
            act_on(&act);
        }
    });
    let on_input = Closure::<dyn Fn(web_sys::Event)>::new(|_: web_sys::Event| {
        let Some(doc) = document() else { return };
        // The slider's own middle is not the learner's prediction until they have set it.
        if let Some(slider) = doc.get_element_by_id("course-slider") {
            let _ = slider.set_attribute("data-set", "1");
        }
        let value = slider_value(&doc);
        if let (Some(v), Some(s), Some(out)) = (value, current_step(), doc.get_element_by_id("course-value")) {
            out.set_text_content(Some(&s.show(v)));
        }
    });
    let _ = root.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    let _ = root.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
    on_click.forget();
    on_input.forget();
}

fn slider_value(doc: &Document) -> Option<i64> {
    doc.get_element_by_id("course-slider")?.dyn_into::<web_sys::HtmlInputElement>().ok()?.value().parse().ok()
}

/// The learner's choice now: a band's index or the slider's value.
fn chosen(doc: &Document) -> Option<i64> {
    if let Some(v) = slider_value(doc) {
        let set = doc.get_element_by_id("course-slider").is_some_and(|s| s.has_attribute("data-set"));
        return set.then_some(v);
    }
    let checked = doc.query_selector("input[name=course-choice]:checked").ok()??;
    checked.dyn_into::<web_sys::HtmlInputElement>().ok()?.value().parse().ok()
}

fn act_on(act: &str) {
    let Some(doc) = document() else { return };
    let Some(step) = current_step() else { return };
    match act {
        "lock" => {
            let Some(p) = chosen(&doc) else {
                if let Some(b) = doc.get_element_by_id("course-lock") {
                    let words =
                        if slider_value(&doc).is_some() { "Move the slider to your prediction, then lock it in" } else { "Choose one first, then lock it in" };
                    b.set_text_content(Some(words));
                }
                return;
            };
            // The run starts after the prediction, from time 0: a run under way starts over. One
            // still at 0 is not reset, as the page applies a reset at its next render, and a Run
            // to end pressed before then ran the old run, whose figure the late reset then threw
            // away (WebKit under load rendered a second later).
            if doc.get_element_by_id("course").is_none_or(|s| attr(&s, "data-now") != "0") {
                click("reset");
            }
            PANEL.with(|x| {
                if let Some(x) = x.borrow_mut().as_mut() {
                    x.phase = Phase::Run;
                    x.prediction = Some(p);
                }
            });
            draw();
            // The learner's next move is Play.
            focus("#play");
        }
        "reveal" => {
            let Some(section) = doc.get_element_by_id("course") else { return };
            let Some(m) = attr(&section, "data-measured").parse::<i64>().ok() else {
                // The run was reset or replaced since the button was enabled: it says again
                // when the figure will be known, rather than doing nothing.
                return update(&doc, &section);
            };
            let p = PANEL.with(|x| {
                let mut x = x.borrow_mut();
                let x = x.as_mut()?;
                x.phase = Phase::Reveal;
                x.measured = Some(m);
                x.prediction
            });
            if let Some(p) = p {
                remember(&step.id, p, m);
            }
            draw();
            focus("#course-result");
        }
        "again" => {
            PANEL.with(|x| {
                if let Some(x) = x.borrow_mut().as_mut() {
                    x.phase = Phase::Predict;
                    x.measured = None;
                }
            });
            click("reset");
            draw();
            focus("#course-slider, input[name=course-choice]");
        }
        "restore" => open_step(&step),
        _ => {}
    }
}
