//! Presenter mode (`?present=1`), in the on-demand panels' wasm: for the front of a room.
//!
//! The page draws its charts' text 1.8× larger while presenting (`ui::chart_scale`: the
//! smallest chart text, 9 px, becomes 16 px); this panel does the rest: larger, higher-contrast
//! text, one column with wider charts, the controls in a drawer (a plain scenario keeps its
//! title, the picker drawn as a heading, and its story; a course step and a drill show their
//! own title), and keys for the room —
//! Space play/pause, → / ← next / previous course step, R reset, E run to end, 1–4 speed
//! (1×, 2×, 5×, 10×), C the controls' drawer, Esc closes it. Keys act by pressing the page's own
//! buttons, so a key does exactly what its button does (and nothing a course step or a drill
//! hides: Play is not pressed before a prediction is locked in, nor Run to end in a drill).

use super::web::document;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlElement};

const STYLE: &str = "\
body[data-present] { font-size: 20px; --fg: #000; --muted: #2b2b2b; --line: #8a8a90; }
@media (prefers-color-scheme: dark) { body[data-present] { --fg: #fff; --muted: #e2e2e6; --line: #77777f; } }
body[data-present] main { max-width: none; grid-template-columns: minmax(0, 1fr);
  grid-template-areas: \"header\" \"headline\" \"transport\" \"stage\" \"charts\" \"report\" \"explorer\"; grid-template-rows: none; padding-bottom: 4rem; }
body[data-present] h1 { font-size: 1.6rem; } body[data-present] h2 { font-size: 1.3rem; }
body[data-present] .headline .stat b { font-size: 1.6rem; }
body[data-present] .charts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
body[data-present] .charts canvas { height: 360px; }
body[data-present] .control .num { width: 7.5em; }
body[data-present] canvas.system { height: 230px; }
body[data-present] .map, body[data-present] .contention, body[data-present] .lede, body[data-present] #exercise-pick, body[data-present] #seed,
body[data-present] label[for=seed], body[data-present] #random-seed, body[data-present] #compare, body[data-present] #pack-link, body[data-present] #present-link { display: none; }
body[data-present] .course h2 { font-size: 1.5rem; }
body[data-present] .scenario label { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
body[data-present] #scenario { font: inherit; font-size: 1.6rem; font-weight: 700; color: var(--fg); appearance: none; -webkit-appearance: none; border-color: transparent;
  background: var(--bg) url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 6'%3E%3Cpath d='M0 0h10L5 6z' fill='%23888'/%3E%3C/svg%3E\") no-repeat right 0.3em center / 0.5em;
  padding: 0.1em 1.3em 0.1em 0; field-sizing: content; max-width: 100%; }
body[data-present] #scenario option { background: var(--card); color: var(--fg); font-size: 20px; font-weight: 400; }
body[data-present][data-course] .scenario { display: none; }
body[data-present] .topology, body[data-present] .legend, body[data-present] .story, body[data-present] .report th small { font-size: 18px; }
body[data-present] .topology .arrow b { font-size: 20px; } body[data-present] .topology .hosts i { width: 9px; height: 20px; }
body[data-present] .explorer, body[data-present] .report { overflow-x: auto; }
body[data-present] .drill-runbook { grid-template-columns: repeat(3, minmax(0, 1fr)); }
body[data-course=drill] .present-bar .k-course, body[data-course=drill] .present-bar .k-end, body[data-course=drill] #present-drawer,
body:not([data-course]) .present-bar .k-steps { display: none; }
body[data-present] .controls { position: fixed; top: 0; right: 0; bottom: 0; width: min(34rem, 92vw); overflow: auto; z-index: 40;
  transform: translateX(105%); transition: transform 0.2s; box-shadow: -4px 0 16px rgba(0, 0, 0, 0.35); border-radius: 0; }
body[data-present][data-drawer] .controls { transform: none; }
.present-bar { position: fixed; bottom: 0.5rem; right: 0.5rem; z-index: 50; background: var(--card); color: var(--fg); border: 2px solid var(--accent);
  border-radius: 8px; padding: 0.3rem 0.6rem; font-size: 16px; display: flex; flex-wrap: wrap; gap: 0.3rem 0.6rem; align-items: center; max-width: calc(100vw - 1rem);
  transition: opacity 0.3s, transform 0.3s; }
.present-bar.idle { opacity: 0; transform: translateY(calc(100% + 0.6rem)); }
.present-bar kbd { font: inherit; font-weight: 700; border: 1px solid var(--line); border-radius: 4px; padding: 0 0.25rem; }
@media (max-width: 700px) { body[data-present] .charts, body[data-present] .drill-runbook { grid-template-columns: minmax(0, 1fr); } .present-bar .keys { display: none; }
  body[data-present] #scenario { font-size: 1rem; }
  .present-bar { left: 0.5rem; font-size: 14px; } }
@media (prefers-reduced-motion: reduce) { body[data-present] .controls, .present-bar { transition: none; } }
";

thread_local! {
    /// Hides the bar after a while without input, so it covers no chart while the room watches.
    static IDLE: std::cell::RefCell<Option<gloo::timers::callback::Timeout>> = const { std::cell::RefCell::new(None) };
    /// The document's key and pointer listeners are on (once a page).
    static LISTENING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How long the bar stays after the last key, tap or pointer move, ms.
const BAR_MS: u32 = 3_000;

/// Shows the presenter bar, and hides it again after [`BAR_MS`] without input (not while the
/// pointer is on it, it has the focus, or the controls' drawer is open).
fn wake() {
    let Some(bar) = document().and_then(|d| d.get_element_by_id("present-bar")) else { return };
    bar.set_class_name("present-bar");
    let hide = gloo::timers::callback::Timeout::new(BAR_MS, || {
        let Some(doc) = document() else { return };
        let Some(bar) = doc.get_element_by_id("present-bar") else { return };
        let busy = bar.matches(":hover, :focus-within").unwrap_or(true) || doc.body().is_some_and(|b| b.has_attribute("data-drawer"));
        if busy {
            wake();
        } else {
            bar.set_class_name("present-bar idle");
        }
    });
    IDLE.with(|t| *t.borrow_mut() = Some(hide));
}

/// Presses the page's button `id` if a learner could (it is shown and enabled).
fn press(doc: &Document, css: &str) -> bool {
    let Some(b) = doc.query_selector(css).ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()) else { return false };
    let shown = b.offset_parent().is_some()
        && web_sys::window().and_then(|w| w.get_computed_style(&b).ok().flatten()).and_then(|s| s.get_property_value("visibility").ok()).as_deref()
            != Some("hidden");
    if shown && !b.has_attribute("disabled") {
        b.click();
    }
    shown
}

fn set_speed(doc: &Document, speed: &str) {
    if let Some(s) = doc.get_element_by_id("speed").and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
        s.set_value(speed);
        if let Ok(e) = web_sys::Event::new_with_event_init_dict("change", &{
            let i = web_sys::EventInit::new();
            i.set_bubbles(true);
            i
        }) {
            let _ = s.dispatch_event(&e);
        }
    }
}

fn toggle_drawer(doc: &Document, open: Option<bool>) {
    let Some(body) = doc.body() else { return };
    let now = body.has_attribute("data-drawer");
    let _ = if open.unwrap_or(!now) { body.set_attribute("data-drawer", "") } else { body.remove_attribute("data-drawer") };
    if let Some(b) = doc.get_element_by_id("present-drawer") {
        let _ = b.set_attribute("aria-expanded", if body.has_attribute("data-drawer") { "true" } else { "false" });
    }
}

/// Tells the page whether it presents (its charts' text size).
fn tell_page(doc: &Document, on: bool) {
    if let Some(body) = doc.body() {
        super::panels::load_into_lab(&body, if on { "present:1" } else { "present:0" });
    }
}

pub fn start() {
    let Some(doc) = document() else { return };
    let Some(body) = doc.body() else { return };
    if doc.get_element_by_id("present-style").is_none() {
        if let (Ok(style), Some(head)) = (doc.create_element("style"), doc.head()) {
            style.set_id("present-style");
            style.set_text_content(Some(STYLE));
            let _ = head.append_child(&style);
        }
    }
    let _ = body.set_attribute("data-present", "");
    if doc.get_element_by_id("present-bar").is_none() {
        if let Ok(bar) = doc.create_element("div") {
            bar.set_id("present-bar");
            bar.set_class_name("present-bar");
            let _ = bar.set_attribute("role", "toolbar");
            let _ = bar.set_attribute("aria-label", "Presenter mode");
            bar.set_inner_html(
                "<b>Presenting</b><span class=\"keys\"><kbd>Space</kbd> play/pause<span class=\"k-course k-steps\"> · <kbd>←</kbd><kbd>→</kbd> course steps</span> · <kbd>R</kbd> reset\
                 <span class=\"k-end\"> · <kbd>E</kbd> run to end</span> · <kbd>1</kbd>–<kbd>4</kbd> speed<span class=\"k-course\"> · <kbd>C</kbd> controls</span></span>\
                 <button id=\"present-drawer\" aria-expanded=\"false\">Controls</button><button id=\"present-exit\">Exit presenter mode</button>",
            );
            let _ = body.append_child(&bar);
            let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(|e: web_sys::MouseEvent| {
                let (Some(doc), Some(t)) = (document(), e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok())) else { return };
                match t.id().as_str() {
                    "present-drawer" => toggle_drawer(&doc, None),
                    "present-exit" => exit(&doc),
                    _ => {}
                }
            });
            let _ = bar.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
            on_click.forget();
        }
    }
    // The document's listeners, once a page (presenter mode can be left and entered again).
    if !LISTENING.replace(true) {
        let on_key = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(on_key);
        let _ = doc.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        on_key.forget();
        let on_move = Closure::<dyn Fn()>::new(wake);
        for kind in ["pointermove", "pointerdown", "focusin"] {
            let _ = doc.add_event_listener_with_callback(kind, on_move.as_ref().unchecked_ref());
        }
        on_move.forget();
    }
    // This wasm draws charts too (a drill's debrief): larger as well.
    super::PRESENT.set(true);
    tell_page(&doc, true);
    wake();
}

fn exit(doc: &Document) {
    if let Some(body) = doc.body() {
        let _ = body.remove_attribute("data-present");
        let _ = body.remove_attribute("data-drawer");
    }
    if let Some(bar) = doc.get_element_by_id("present-bar") {
        bar.remove();
    }
    IDLE.with(|t| t.borrow_mut().take());
    super::PRESENT.set(false);
    tell_page(doc, false);
}

fn on_key(e: web_sys::KeyboardEvent) {
    let Some(doc) = document() else { return };
    if !doc.body().is_some_and(|b| b.has_attribute("data-present")) || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    wake();
    // Typing in a field is typing, not a command; Space on a focused button or link presses
    // that one, as it always does.
    let target = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok());
    let typing = target.as_ref().is_some_and(|t| matches!(t.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA") || t.is_content_editable());
    let on_control = target.as_ref().is_some_and(|t| matches!(t.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY"));
    if typing || (on_control && e.key() == " ") {
        return;
    }
    let handled = match e.key().as_str() {
        " " => {
            press(&doc, "#play");
            true
        }
        "ArrowRight" => press(&doc, "a[data-nav=next]"),
        "ArrowLeft" => press(&doc, "a[data-nav=prev]"),
        "r" | "R" => press(&doc, "#reset"),
        "e" | "E" => press(&doc, "#run-to-end"),
        k @ ("1" | "2" | "3" | "4") => {
            set_speed(&doc, ["1", "2", "5", "10"][k.parse::<usize>().unwrap_or(1) - 1]);
            true
        }
        "c" | "C" => {
            toggle_drawer(&doc, None);
            true
        }
        "Escape" => {
            toggle_drawer(&doc, Some(false));
            true
        }
        _ => false,
    };
    if handled {
        e.prevent_default();
    }
}
