//! The incident drill's panel, in the on-demand panels' wasm beside the course's (a drill's id
//! comes to the page as a course id: `?drill=checkout&seed=7`).
//!
//! The panel opens the drill's lab with its trigger hidden (it tells the page `drill:1`: no
//! fault bands, no trigger in the headline, the report or the address; the controls that would
//! show it are hidden by this panel's style), shows the pager's alert and the runbook, and logs
//! each action. An action is sent to the page as a change planned for when it has rolled out
//! (`@SECONDS?LINK`, see `hooks::use_map_loads`); the page says in `#course`'s `data-plans`
//! when each went live. At the end (the drill's duration, or when the learner ends it) the
//! panel replays the same run natively ([`crate::drills::Drill::replay`]: same config, seed and
//! planned changes, so the same run) and writes the debrief from it: the score beside doing
//! nothing and the good response, the hidden timeline, what each action did.

use super::charts::{self, Band, GREEN, GREY, Series, Theme, XAxis};
use super::web::{attr, document, esc};
use super::web::{media, storage};
use crate::drills::{self, Act, Drill, Outcome, RUNBOOK, Taken};
use crate::sim::{Config, SimTime};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

/// Actions one drill takes at most (the engine plans up to 64 changes).
const MAX_ACTIONS: usize = 20;

struct Logged {
    taken: Taken,
    /// When the panel expected it to go live (a restart's hosts restart a little after).
    expected_s: f64,
    /// The config the change brings, as the page decoded it.
    cfg: Config,
    /// When it went live, once the page has said.
    live: Option<SimTime>,
}

struct Panel {
    drill: Drill,
    seed: u64,
    /// The lab's starting config as the page runs it.
    start: Config,
    log: Vec<Logged>,
    debriefed: bool,
    note: String,
    /// The clock at the last look, to notice a reset.
    last_now: SimTime,
    /// The tier the runbook acts on.
    tier: usize,
}

/// Takes the instants the page says the changes went live (`data-plans`, in the order they
/// were made); whether any is new. A change that did not wait for the one before went live
/// exactly its delay after the page took it, so that is when it was decided (the clock this
/// panel reads may be a frame behind).
fn confirm(p: &mut Panel, plans: &[SimTime]) -> bool {
    let mut new = false;
    let mut before = SimTime::ZERO;
    for (l, at) in p.log.iter_mut().zip(plans) {
        if l.live != Some(*at) {
            l.live = Some(*at);
            let decided = at.as_secs_f64() - l.taken.act.entry().delay_s;
            if *at > before && decided >= l.taken.at_s - 1e-6 {
                l.taken.at_s = decided;
            }
            new = true;
        }
        before = *at;
    }
    new
}

thread_local! {
    static PANEL: RefCell<Option<Panel>> = const { RefCell::new(None) };
}

pub(super) const STYLE: &str = "\
body[data-course=drill] .controls, body[data-course=drill] .explorer, body[data-course=drill] .map, body[data-course=drill] .contention,
body[data-course=drill] .scenario, body[data-course=drill] #run-to-end, body[data-course=drill] #seed, body[data-course=drill] label[for=seed],
body[data-course=drill] #random-seed, body[data-course=drill] #compare, body[data-course=drill] #course-link { display: none; }
.drill-alert { border-left: 4px solid var(--warn); padding-left: 0.6rem; font-weight: 600; }
.drill-runbook { list-style: none; padding: 0; margin: 0.3rem 0; display: grid; gap: 0.3rem; }
.drill-runbook button { text-align: left; }
.drill-runbook small { display: block; color: var(--muted); }
.drill-scores td, .drill-scores th { padding: 0.15rem 0.6rem 0.15rem 0; text-align: left; vertical-align: top; }
#drill-chart { width: 100%; height: 260px; }
";

/// The page's clock, as `#course` says it (`data-now`, µs).
fn now_of(section: &Element) -> SimTime {
    SimTime(attr(section, "data-now").parse().unwrap_or(0))
}

/// When each planned change went live, as `#course` says it (`data-plans`, µs, in order).
fn plans_of(section: &Element) -> Vec<SimTime> {
    attr(section, "data-plans").split(',').filter_map(|t| t.parse().ok()).map(SimTime).collect()
}

fn secs(t: f64) -> String {
    format!("{t:.1} s")
}

/// The seed the page's address asks for, if any.
fn address_seed() -> Option<u64> {
    let search = web_sys::window()?.location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix("seed=")?.parse().ok())
}

fn send(section: &Element, text: &str) {
    super::panels::load_into_lab(section, text);
}

fn set_body(state: Option<&str>) {
    if let Some(body) = document().and_then(|d| d.body()) {
        let _ = match state {
            Some(s) => body.set_attribute("data-course", s),
            None => body.remove_attribute("data-course"),
        };
    }
}

/// Opens `drill` on `seed` from time 0 with its trigger hidden.
fn open(section: &Element, drill: Drill, seed: u64) {
    let link = drills::lab_link(&drill, seed, &drill.config);
    let start = crate::state::with_trace(crate::url::decode(&link).0.config);
    PANEL.with(|p| {
        *p.borrow_mut() = Some(Panel { drill, seed, start, log: Vec::new(), debriefed: false, note: String::new(), last_now: SimTime::ZERO, tier: 0 })
    });
    set_body(Some("drill"));
    send(section, "drill:1");
    send(section, &format!("?{link}"));
    draw();
}

/// The learner left the drill: a drill opened later starts afresh.
pub(super) fn forget() {
    PANEL.with(|p| p.borrow_mut().take());
}

/// Called by the course panel's tick while the page's `#course` names a drill.
pub(super) fn tick(section: &Element, id: &str) {
    let same = PANEL.with(|p| p.borrow().as_ref().is_some_and(|p| p.drill.id == id));
    if !same {
        if let Some(d) = drills::find(id) {
            let seed = address_seed().unwrap_or(d.seed);
            open(section, d, seed);
        }
        return;
    }
    let now = now_of(section);
    let plans: Vec<SimTime> = plans_of(section);
    let (redraw, debrief) = PANEL.with(|p| {
        let mut p = p.borrow_mut();
        let Some(p) = p.as_mut() else { return (false, false) };
        let mut redraw = false;
        // The learner pressed Reset: the run, and the log, start again.
        if now < p.last_now || plans.len() < p.log.iter().filter(|l| l.live.is_some()).count() {
            if !p.log.is_empty() || p.debriefed {
                p.note = "The run was reset: the drill starts again, with an empty log.".into();
            }
            p.log.clear();
            if p.debriefed {
                p.debriefed = false;
                set_body(Some("drill"));
                send(section, "drill:1");
            }
            redraw = true;
        }
        p.last_now = now;
        redraw |= confirm(p, &plans);
        let end = SimTime::from_secs_f64(p.drill.duration_s());
        (redraw, !p.debriefed && now >= end)
    });
    if debrief {
        return finish();
    }
    if redraw {
        draw();
    } else if let Some(clock) = document().and_then(|d| d.get_element_by_id("drill-clock")) {
        clock.set_text_content(Some(&clock_text(now)));
    }
}

/// Sets the drill's clock to the page's time, while a drill runs.
pub(super) fn clock() {
    if !PANEL.with(|p| p.borrow().as_ref().is_some_and(|p| !p.debriefed)) {
        return;
    }
    let Some(doc) = document() else { return };
    if let (Some(section), Some(clock)) = (doc.get_element_by_id("course"), doc.get_element_by_id("drill-clock")) {
        let text = clock_text(now_of(&section));
        if clock.text_content().as_deref() != Some(text.as_str()) {
            clock.set_text_content(Some(&text));
        }
    }
}

fn clock_text(now: SimTime) -> String {
    PANEL.with(|p| p.borrow().as_ref().map(|p| format!("{} of {}", secs(now.as_secs_f64()), secs(p.drill.duration_s())))).unwrap_or_default()
}

/// The learner's action `act` at the chosen tier, now: planned in the page, logged here.
fn take(act: Act) {
    let Some(doc) = document() else { return };
    let Some(section) = doc.get_element_by_id("course") else { return };
    let tier: usize =
        doc.get_element_by_id("drill-tier").and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok()).and_then(|s| s.value().parse().ok()).unwrap_or(0);
    let now = now_of(&section);
    let sent = PANEL.with(|p| {
        let mut p = p.borrow_mut();
        let p = p.as_mut()?;
        if p.debriefed {
            return None;
        }
        if p.log.len() >= MAX_ACTIONS {
            p.note = format!("A drill takes at most {MAX_ACTIONS} actions: end it and read the debrief.");
            return None;
        }
        p.tier = tier;
        let entry = act.entry();
        let taken = Taken { act, tier: if entry.per_tier { tier } else { 0 }, at_s: now.as_secs_f64() };
        // When it will go live: not before the change before it (as the page plans it). The
        // clock read here may be a frame or two behind the page's, more at high speed, so a
        // restart's hosts restart a margin after the expected instant, never before it is live.
        let before = p.log.last().map_or(0.0, |l| l.live.map_or(l.expected_s, |t| t.as_secs_f64()));
        let live_s = taken.live_at_s().max(before);
        let margin = 1.0 + 0.3 * speed();
        let current = p.log.last().map_or(&p.start, |l| &l.cfg);
        match act.apply(current, taken.tier, live_s + margin) {
            Ok(next) => {
                let link = drills::lab_link(&p.drill, p.seed, &next);
                let cfg = crate::state::with_trace(crate::url::decode(&link).0.config);
                p.log.push(Logged { taken, expected_s: live_s, cfg, live: None });
                p.note.clear();
                Some(format!("@{}?{link}", entry.delay_s))
            }
            Err(e) => {
                p.note = format!("{}: {e}.", entry.label);
                None
            }
        }
    });
    if let Some(msg) = sent {
        send(&section, &msg);
    }
    draw();
}

/// The page's speed (simulated seconds per second).
fn speed() -> f64 {
    document()
        .and_then(|d| d.get_element_by_id("speed"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .and_then(|s| crate::sim::params::parse_number(&s.value()))
        .unwrap_or(1.0)
}

/// Whether a drill is on the page (its panel answers the clicks in `#course-panel`).
pub(super) fn active() -> bool {
    PANEL.with(|p| p.borrow().is_some())
}

/// The panel while the drill runs.
fn draw() {
    let Some(doc) = document() else { return };
    let (Some(root), Some(section)) = (doc.get_element_by_id("course-panel"), doc.get_element_by_id("course")) else { return };
    let html = PANEL.with(|p| {
        let p = p.borrow();
        let p = p.as_ref()?;
        if p.debriefed {
            return None;
        }
        let d = &p.drill;
        let now = now_of(&section);
        let mut h = format!(
            "<h2>Incident drill: {}</h2><p class=\"drill-alert\" role=\"alert\">{}</p>\
             <p>You see what an operator sees: the headline, the charts, the strip of tiers and hosts (click one to see it), the clock. The cause is hidden. \
             Press <b>Play</b>, watch, and act from the runbook: each change takes time to roll out, and changes roll out one at a time, in the order you make them. \
             The drill ends at {} (or when you end it) and is scored on what users felt: the share of requests answered within their timeout.</p>\
             <p>Drill clock: <b id=\"drill-clock\">{}</b> · seed {}</p>",
            esc(&d.title),
            esc(&d.alert()),
            secs(d.duration_s()),
            clock_text(now),
            p.seed
        );
        let tiers = d.config.tiers.len() + 1;
        h.push_str("<h3>Runbook</h3>");
        if tiers > 1 {
            let opts: String = (0..tiers)
                .map(|t| format!("<option value=\"{t}\"{}>{}</option>", if t == p.tier { " selected" } else { "" }, esc(&crate::explain::tier_name(&d.config, t))))
                .collect();
            h.push_str(&format!("<p><label for=\"drill-tier\">Act on </label><select id=\"drill-tier\">{opts}</select> (the edge only, for rate limits)</p>"));
        }
        h.push_str("<ul class=\"drill-runbook\">");
        for e in &RUNBOOK {
            h.push_str(&format!(
                "<li><button data-act=\"do:{}\" id=\"drill-do-{}\">{}</button><small>live {} s after you decide · {}</small></li>",
                e.id,
                e.id,
                esc(e.label),
                e.delay_s,
                esc(e.cost)
            ));
        }
        h.push_str("</ul>");
        if !p.note.is_empty() {
            h.push_str(&format!("<p class=\"course-note\" role=\"status\">{}</p>", esc(&p.note)));
        }
        h.push_str("<h3>Your actions</h3>");
        if p.log.is_empty() {
            h.push_str("<p id=\"drill-log\">None yet. Waiting is an action too: the debrief says what doing nothing would have done.</p>");
        } else {
            let items: String = p.log.iter().map(|l| format!("<li>{}</li>", esc(&logged_words(d, l)))).collect();
            h.push_str(&format!("<ol id=\"drill-log\">{items}</ol>"));
        }
        h.push_str("<p><button class=\"course-lock\" data-act=\"end\" id=\"drill-end\">End the drill and see the debrief</button></p>");
        Some(h)
    });
    if let Some(html) = html {
        root.set_inner_html(&html);
        wire(&root);
    }
}

fn logged_words(d: &Drill, l: &Logged) -> String {
    let place = place(d, &l.taken);
    let live = match l.live {
        Some(t) if t.as_secs_f64() > l.taken.live_at_s() + 0.05 => format!("live at {}, after the change before it", secs(t.as_secs_f64())),
        Some(t) => format!("live at {}", secs(t.as_secs_f64())),
        None => "rolling out".into(),
    };
    format!("at {}: {}{place}; {live}", secs(l.taken.at_s), l.taken.act.entry().label)
}

fn wire(root: &Element) {
    if root.has_attribute("data-drill-wired") {
        return;
    }
    let _ = root.set_attribute("data-drill-wired", "");
    let on_click = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MouseEvent)>::new(|e: web_sys::MouseEvent| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        let Some(act) = target.closest("[data-act]").ok().flatten().map(|b| attr(&b, "data-act")) else { return };
        // The same root serves a course step when no drill is on.
        if !active() || super::progress::act(&act) {
            return;
        }
        if let Some(id) = act.strip_prefix("do:") {
            if let Some(a) = Act::find(id) {
                take(a);
            }
        } else if act == "end" {
            finish();
        } else if act == "again" {
            if let (Some(s), Some((d, seed))) =
                (document().and_then(|d| d.get_element_by_id("course")), PANEL.with(|p| p.borrow().as_ref().map(|p| (p.drill.clone(), p.seed))))
            {
                open(&s, d, seed);
            }
        }
    });
    let _ = root.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
}

/// Ends the drill: the page runs on to the end (the same run, so the charts show the whole
/// timeline), draws the trigger again, and the panel writes the debrief.
fn finish() {
    let Some(doc) = document() else { return };
    let (Some(root), Some(section)) = (doc.get_element_by_id("course-panel"), doc.get_element_by_id("course")) else { return };
    let ready = PANEL.with(|p| {
        let mut p = p.borrow_mut();
        let p = p.as_mut()?;
        if p.debriefed {
            return None;
        }
        p.debriefed = true;
        Some(())
    });
    if ready.is_none() {
        return;
    }
    set_body(Some("debrief"));
    root.set_inner_html("<p role=\"status\">Writing the debrief: replaying your run, doing nothing, and the good response…</p>");
    send(&section, "drill:2");
    // The page runs on to the drill's end (its button is hidden, not gone).
    let now = now_of(&section);
    let end = PANEL.with(|p| p.borrow().as_ref().map(|p| SimTime::from_secs_f64(p.drill.duration_s()))).unwrap_or(SimTime::ZERO);
    // Paused first: a run still playing would go on past the drill's end, beyond what the
    // debrief scores.
    let button = |id: &str| doc.get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(play) = button("play").filter(|b| b.get_attribute("aria-pressed").as_deref() == Some("true")) {
        play.click();
    }
    if now < end {
        if let Some(b) = button("run-to-end") {
            b.click();
        }
    }
    // After a paint, so the note shows while the replays run.
    gloo::timers::callback::Timeout::new(30, debrief).forget();
}

struct Scored {
    words: &'static str,
    outcome: Outcome,
    how: String,
}

fn debrief() {
    debrief_after(20);
}

/// Writes the debrief once the page has said when each change went live (a change made just
/// before the end may not be in its attributes yet), trying again `tries` times.
fn debrief_after(tries: u32) {
    let Some(doc) = document() else { return };
    let Some(root) = doc.get_element_by_id("course-panel") else { return };
    if let Some(section) = doc.get_element_by_id("course") {
        let plans: Vec<SimTime> = plans_of(&section);
        let waiting = PANEL.with(|p| {
            let mut p = p.borrow_mut();
            let Some(p) = p.as_mut() else { return false };
            confirm(p, &plans);
            p.log.iter().any(|l| l.live.is_none())
        });
        if waiting && tries > 0 {
            gloo::timers::callback::Timeout::new(100, move || debrief_after(tries - 1)).forget();
            return;
        }
    }
    let built = PANEL.with(|p| {
        let p = p.borrow();
        let p = p.as_ref()?;
        let mut d = p.drill.clone();
        d.config = p.start.clone();
        let plans: Vec<(SimTime, Config)> = p.log.iter().filter_map(|l| Some((l.live?, l.cfg.clone()))).collect();
        let (yours_sim, yours) = d.replay(p.seed, &plans).ok()?;
        let (nothing_sim, nothing) = d.replay(p.seed, &[]).ok()?;
        let (good_sim, good) = d.replay(p.seed, &d.plans(&d.good).ok()?).ok()?;
        let good_how = d.good.iter().map(|t| format!("{} at {}{}", t.act.entry().label, secs(t.at_s), place(&d, t))).collect::<Vec<_>>().join("; ");
        let rows = [
            Scored { words: "Your response", outcome: yours, how: if p.log.is_empty() { "no action".into() } else { format!("{} action{}", p.log.len(), if p.log.len() == 1 { "" } else { "s" }) } },
            Scored { words: "Doing nothing", outcome: nothing, how: "no action".into() },
            Scored { words: "A good response", outcome: good, how: good_how.clone() },
        ];
        let (from, to) = d.trigger_span();
        let mut h = format!(
            "<div id=\"drill-debrief\" role=\"status\" tabindex=\"-1\"><h2>Debrief: {}</h2>\
             <p class=\"course-verdict\"><b>Your score: <span id=\"drill-score\">{}</span></b> of requests served well: <span id=\"drill-hurt\">{}</span> of <span id=\"drill-offered\">{}</span> were not (<span id=\"drill-failed\">{}</span> failed, the others answered after their timeout or still waiting at the end); {}.</p>",
            esc(&d.title),
            drills::score_text(yours.score()),
            crate::report::grouped(yours.hurt()),
            crate::report::grouped(yours.offered),
            crate::report::grouped(yours.failed),
            esc(&recovery_words(&yours))
        );
        h.push_str("<table class=\"drill-scores\"><thead><tr><th></th><th scope=\"col\">score</th><th scope=\"col\">not served well</th><th scope=\"col\">recovery</th><th scope=\"col\">what</th></tr></thead><tbody>");
        for r in &rows {
            h.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.words,
                drills::score_text(r.outcome.score()),
                crate::report::grouped(r.outcome.hurt()),
                esc(&recovery_words(&r.outcome)),
                esc(&r.how)
            ));
        }
        h.push_str("</tbody></table>");
        h.push_str(&format!(
            "<p><strong>What happened (hidden until now), {} to {}:</strong> {}</p><p><strong>What kept users failing:</strong> {}</p>",
            secs(from),
            secs(to),
            esc(&d.cause()),
            esc(&d.sustained())
        ));
        h.push_str("<canvas id=\"drill-chart\" role=\"img\" aria-label=\"Goodput per second: your run, doing nothing and the good response, with the trigger and your actions marked\"></canvas>");
        h.push_str("<h3>What each of your actions did</h3>");
        if p.log.is_empty() {
            h.push_str("<p>You took no action, so your run is the run of doing nothing.</p>");
        } else {
            h.push_str("<ul id=\"drill-effects\">");
            for (i, l) in p.log.iter().enumerate() {
                let words = logged_words(&d, l);
                let effect = if i < 8 {
                    match without(p, i).and_then(|plans| d.replay(p.seed, &plans).map(|(_, o)| o)) {
                        Ok(o) => {
                            let diff = yours.score() - o.score();
                            format!(
                                "without it (the others as they went live) the score would have been {}: it {} {}.{} points",
                                drills::score_text(o.score()),
                                if diff >= 0 { "added" } else { "cost" },
                                diff.abs() / 10,
                                diff.abs() % 10
                            )
                        }
                        Err(e) => e,
                    }
                } else {
                    "(only the first 8 actions are weighed one by one)".into()
                };
                h.push_str(&format!("<li>{}: {}.</li>", esc(&words), esc(&effect)));
            }
            h.push_str("</ul>");
        }
        h.push_str(&format!(
            "<p><strong>A good response</strong> ({}) scores {}, {}.</p><p><strong>What would have made this a non-event:</strong> {}</p>",
            esc(&good_how),
            drills::score_text(good.score()),
            esc(&recovery_words(&good)),
            esc(&d.better())
        ));
        let qs: String = d.questions().iter().map(|q| format!("<li>{}</li>", esc(q))).collect();
        h.push_str(&format!("<h3>For the room</h3><ul>{qs}</ul>"));
        h.push_str(&format!(
            "<p>The charts above now draw the trigger. <button data-act=\"again\" id=\"drill-again\">Run this drill again</button> <a href=\"?{}\">The same drill on seed {}</a></p>",
            drills::address(&d, p.seed.wrapping_add(1)),
            p.seed.wrapping_add(1)
        ));
        let others: String =
            drills::all().iter().filter(|o| o.id != d.id).map(|o| format!("<li><a href=\"?{}\">{}</a></li>", drills::address(o, o.seed), esc(&o.title))).collect();
        h.push_str(&format!("<p>Other drills:</p><ul>{others}</ul>"));
        if let Some(s) = storage() {
            let _ = s.set_item(&format!("backoff-lab.drill.{}", d.id), &format!("{};{}", p.seed, yours.score()));
        }
        h.push_str(&format!("<p>{}</p></div>", super::progress::BUTTONS));
        let marks: Vec<SimTime> = p.log.iter().filter_map(|l| l.live).collect();
        let goodput = |s: &crate::sim::Sim| per_second(s, crate::sim::Window::goodput_per_s);
        let lines = [goodput(&yours_sim), goodput(&nothing_sim), goodput(&good_sim), per_second(&yours_sim, crate::sim::Window::offered_per_s)];
        Some((h, lines, d, marks))
    });
    let Some((html, lines, d, marks)) = built else {
        root.set_inner_html("<p>The debrief could not be written: the run could not be replayed.</p>");
        return;
    };
    root.set_inner_html(&html);
    wire(&root);
    draw_chart(&doc, lines, &d, &marks);
    if let Some(e) = doc.get_element_by_id("drill-debrief").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = e.focus();
    }
}

/// The learner's changes without the `skip`-th, each live when it went live: the others'
/// configs made again over one another (a restart at the instant its hosts restarted).
fn without(p: &Panel, skip: usize) -> Result<Vec<(SimTime, Config)>, String> {
    let mut cfg = p.start.clone();
    let mut plans = Vec::new();
    for (j, l) in p.log.iter().enumerate() {
        let Some(live) = l.live else { continue };
        if j == skip {
            continue;
        }
        let restart_at = l.cfg.tier_faults.last().map_or(live.as_secs_f64(), |f| f.fault.start_s);
        cfg = l.taken.act.apply(&cfg, l.taken.tier, restart_at)?;
        plans.push((live, cfg.clone()));
    }
    Ok(plans)
}

fn place(d: &Drill, t: &Taken) -> String {
    if t.act.entry().per_tier && d.config.is_system() { format!(" ({})", crate::explain::tier_name(&d.config, t.tier)) } else { String::new() }
}

fn recovery_words(o: &Outcome) -> String {
    match o.recovery {
        crate::explain::Recovery::Recovered { after_s } => format!("recovered {after_s:.0} s after the trigger ended"),
        crate::explain::Recovery::NotRecovered { .. } => "not recovered by the end".into(),
        _ => o.recovery.text(),
    }
}

/// A rate per second over a whole run (goodput, offered), one point a second.
fn per_second(sim: &crate::sim::Sim, rate: fn(&crate::sim::Window) -> f64) -> Vec<(f64, f64)> {
    crate::report::resample(sim.windows(), SimTime::from_secs(1)).iter().map(|w| (w.end_time().as_secs_f64(), rate(w))).collect()
}

/// Goodput per second in the learner's run, doing nothing and the good response (`lines`,
/// with the offered load last), the trigger shaded and each action marked where it went live.
fn draw_chart(doc: &Document, lines: [Vec<(f64, f64)>; 4], d: &Drill, marks: &[SimTime]) {
    let Some(canvas) = doc.get_element_by_id("drill-chart").and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok()) else { return };
    let [yours, nothing, good, offered] = lines;
    let series = vec![
        charts::a("offered (first tries)", charts::BLUE, offered),
        charts::a("goodput, your run", GREEN, yours),
        charts::a("goodput, a good response", charts::PURPLE, good),
        Series { label: "goodput, doing nothing".into(), color: GREY, points: nothing, faded: false, mark: charts::Mark::Dashed },
    ];
    let mut bands = charts::fault_bands(&d.config);
    for (i, t) in marks.iter().enumerate() {
        let s = t.as_secs_f64();
        bands.push(Band { from: s, to: s + 0.5, label: format!("{}", i + 1) });
    }
    let theme = Theme { dark: media("(prefers-color-scheme: dark)") };
    if let Err(e) = charts::line_chart(
        &canvas,
        "Goodput per second; your changes marked where they went live (1, 2, …)",
        &series,
        &bands,
        (0.0, d.duration_s()),
        XAxis::Seconds,
        &theme,
    ) {
        web_sys::console::warn_1(&format!("debrief chart not drawn: {e}").into());
    }
}
