//! A trainer's pack on the page (`?pack=FILE`), in the on-demand panels' wasm: it fetches the
//! file from the page's own origin ([`crate::pack::fetchable`]), reads and checks it
//! ([`crate::pack::read`]), gives its texts to the page (a `texts:` message: its exercises
//! join the picker) and to the course and drill panels here, and shows a panel above the lab:
//! the pack's title, what in it could not be used (entry and field), and links to its labs,
//! exercises, course steps and drills. Every text is shown as text.

use super::web::{document, esc};
use crate::pack::{self, Pack};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::Document;

const STYLE: &str = "\
.pack { max-width: 1400px; margin: 0.4rem auto 0; border-left: 4px solid var(--accent); }
.pack h2 { margin: 0 0 0.2rem; } .pack p { margin: 0.25rem 0; } .pack ul { margin: 0.2rem 0; }
.pack .notes { color: var(--bad); }
";

/// The panel above the lab (created once, before `main`).
fn panel(doc: &Document) -> Option<web_sys::Element> {
    if let Some(p) = doc.get_element_by_id("pack-panel") {
        return Some(p);
    }
    if let (Ok(style), Some(head)) = (doc.create_element("style"), doc.head()) {
        style.set_text_content(Some(STYLE));
        let _ = head.append_child(&style);
    }
    let p = doc.create_element("section").ok()?;
    p.set_id("pack-panel");
    p.set_class_name("pack");
    let _ = p.set_attribute("aria-label", "Trainer's pack");
    let main = doc.query_selector("main").ok().flatten()?;
    let _ = main.parent_node()?.insert_before(&p, Some(&main));
    // A click on one of its links opens it in the page (a new tab follows the link).
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(|e: web_sys::MouseEvent| {
        let Some(a) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|t| t.closest("a[data-open]").ok().flatten()) else { return };
        if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
            return;
        }
        e.prevent_default();
        let link = a.get_attribute("data-open").unwrap_or_default();
        if let Some(body) = document().and_then(|d| d.body()) {
            super::panels::load_into_lab(&body, &format!("?{link}"));
        }
    });
    let _ = p.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
    Some(p)
}

fn say(doc: &Document, html: &str) {
    if let Some(p) = panel(doc) {
        p.set_inner_html(html);
    }
}

/// The panels' wasm was asked for pack `name` (`?pack=FILE`), or for a pack from disk
/// (`?pack=` with no name: the panel offers a file chooser).
pub fn start(name: &str) {
    let Some(doc) = document() else { return };
    if name.is_empty() {
        return choose(&doc);
    }
    if let Err(e) = pack::fetchable(name) {
        return say(&doc, &format!("<h2>No pack</h2><p class=\"notes\" role=\"alert\">{}</p>", esc(&e)));
    }
    say(&doc, &format!("<p>Loading the pack {}…</p>", esc(name)));
    let name = name.to_string();
    let with_lessons = move || {
        let name2 = name.clone();
        super::web::fetch_text(
            &name,
            std::rc::Rc::new(move |src: Option<String>| {
                let Some(doc) = document() else { return };
                match src.map(|s| pack::read(&s, &crate::texts::current())) {
                    None => say(
                        &doc,
                        &format!(
                            "<h2>No pack</h2><p class=\"notes\" role=\"alert\">The pack '{}' could not be loaded: is it served beside the page, under that name? The lab works without it.</p>",
                            esc(&name2)
                        ),
                    ),
                    Some(Err(e)) => {
                        say(&doc, &format!("<h2>No pack</h2><p class=\"notes\" role=\"alert\">{}: {}. The lab works without it.</p>", esc(&name2), esc(&e)))
                    }
                    Some(Ok(p)) => loaded(&doc, &name2, &p),
                }
            }),
        );
    };
    if crate::texts::loaded() {
        with_lessons();
    } else {
        // The pack's ids are checked against the lab's own, which arrive with the lessons.
        super::web::fetch_text(
            "lessons.txt",
            std::rc::Rc::new(move |t: Option<String>| {
                if let Some(t) = t {
                    if !crate::texts::loaded() {
                        crate::texts::load(&t);
                    }
                }
                with_lessons();
            }),
        );
    }
}

/// A pack opened from this computer: read here, never sent anywhere.
fn choose(doc: &Document) {
    say(
        doc,
        "<h2>Open a trainer's pack</h2><p><label for=\"pack-file\">A pack from this computer (.json): </label>\
         <input type=\"file\" id=\"pack-file\" accept=\".json,application/json\"></p>\
         <p>It is read in this page only. To give a pack to a room, serve it beside the page and share <code>?pack=FILE</code>.</p>",
    );
    let Some(input) = doc.get_element_by_id("pack-file").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    let on_change = Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| {
        let Some(file) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).and_then(|i| i.files()).and_then(|f| f.get(0)) else { return };
        let name = file.name();
        if file.size() > pack::MAX_BYTES as f64 {
            if let Some(doc) = document() {
                say(
                    &doc,
                    &format!("<h2>No pack</h2><p class=\"notes\" role=\"alert\">{}: the pack is larger than {} KB.</p>", esc(&name), pack::MAX_BYTES / 1024),
                );
            }
            return;
        }
        let got = Closure::<dyn FnMut(JsValue)>::new(move |text: JsValue| {
            let (Some(doc), Some(text)) = (document(), text.as_string()) else { return };
            match pack::read(&text, &crate::texts::current()) {
                Ok(p) => loaded(&doc, "", &p),
                Err(e) => say(&doc, &format!("<h2>No pack</h2><p class=\"notes\" role=\"alert\">{}: {}.</p>", esc(&name), esc(&e))),
            }
        });
        let _ = file.text().then(&got);
        got.forget();
    });
    let _ = input.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
    on_change.forget();
}

/// Pack `p` has been read (from `name` beside the page, or from disk when `name` is empty).
fn loaded(doc: &Document, name: &str, p: &Pack) {
    let lessons = p.to_lessons();
    crate::texts::extend(&lessons);
    if let Some(body) = doc.body() {
        super::panels::load_into_lab(&body, &format!("texts:{lessons}"));
    }
    super::course::refresh();
    // A served pack stays in its links; one from disk exists only in this page.
    let keep = if name.is_empty() { String::new() } else { format!("&pack={}", crate::url::encode_component(name)) };
    let item = |href: String, title: &str| format!("<li><a href=\"?{href}{keep}\" data-open=\"{href}{keep}\">{}</a></li>", esc(title));
    let mut h = format!("<h2>Pack: {}</h2>", esc(if p.title.is_empty() { name } else { &p.title }));
    if !p.problems.is_empty() {
        let items: String = p.problems.iter().map(|x| format!("<li>{}</li>", esc(x))).collect();
        h.push_str(&format!(
            "<div class=\"notes\" role=\"alert\" id=\"pack-problems\"><strong>Parts of this pack could not be used:</strong><ul>{items}</ul></div>"
        ));
    }
    let texts = crate::texts::current();
    let title = |kind: &str, id: &str| texts.get(&format!("{kind}.{id}.title")).unwrap_or(id).to_string();
    let mut parts = Vec::new();
    // A lab is a scenario of the page now (in its picker too), opened by its id.
    let labs: String = p.labs().iter().map(|l| item(format!("s={}", l.id), &l.title)).collect();
    if !labs.is_empty() {
        parts.push(format!("<p>Labs:</p><ul id=\"pack-labs\">{labs}</ul>"));
    }
    let exercises: String =
        crate::exercises::all().iter().filter(|e| p.ids("exercise").contains(&e.id)).map(|e| item(format!("ex={}", e.id), &e.title)).collect();
    if !exercises.is_empty() {
        parts.push(format!("<p>Exercises:</p><ul id=\"pack-exercises\">{exercises}</ul>"));
    }
    let steps: String = crate::course::all().iter().filter(|s| p.ids("course").contains(&s.id)).map(|s| item(crate::course::link(s), &s.title)).collect();
    if !steps.is_empty() {
        parts.push(format!("<p>Course steps:</p><ul id=\"pack-course\">{steps}</ul>"));
    }
    let drills: String = crate::drills::all()
        .iter()
        .filter(|d| p.ids("drill").contains(&d.id))
        .map(|d| item(crate::drills::address(d, d.seed), &title("drill", &d.id)))
        .collect();
    if !drills.is_empty() {
        parts.push(format!("<p>Drills:</p><ul id=\"pack-drills\">{drills}</ul>"));
    }
    h.push_str(&parts.concat());
    say(doc, &h);
    // An exercise or lab of the pack named in the link is opened by the page now that it
    // exists (`hooks::use_exercise_links`: the link as opened, on the lab's own seed).
}
