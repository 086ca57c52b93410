//! What a learner did, to hand to the trainer without a server: the course steps done (each
//! prediction beside what its run measured), the exercises passed and the drills' scores, all
//! read from this browser's storage. A summary of one paragraph to copy into a chat, and the
//! same as a small JSON file to download (in the panels' wasm, from the course and drill panels).

use super::web::{document, storage};

/// Every stored entry of the lab's: (key after `backoff-lab.`, value).
fn entries() -> Vec<(String, String)> {
    let Some(s) = storage() else { return Vec::new() };
    let n = s.length().unwrap_or(0);
    let mut out: Vec<(String, String)> = (0..n)
        .filter_map(|i| {
            let k = s.key(i).ok()??;
            let rest = k.strip_prefix("backoff-lab.")?.to_string();
            Some((rest, s.get_item(&k).ok()??))
        })
        .collect();
    out.sort();
    out
}

struct Done {
    course: Vec<(String, String, String)>,
    exercises: Vec<String>,
    drills: Vec<(String, u64, i64)>,
}

fn done() -> Done {
    let steps = crate::course::all();
    let mut d = Done { course: Vec::new(), exercises: Vec::new(), drills: Vec::new() };
    for (k, v) in entries() {
        if let Some(id) = k.strip_prefix("course.") {
            let (Some(step), Some((p, m))) = (steps.iter().find(|s| s.id == id), v.split_once(';')) else { continue };
            let (Ok(p), Ok(m)) = (p.parse::<i64>(), m.parse::<i64>()) else { continue };
            d.course.push((id.to_string(), step.prediction_words(p), step.show(m)));
        } else if let Some(id) = k.strip_prefix("passed.") {
            d.exercises.push(id.to_string());
        } else if let Some(id) = k.strip_prefix("drill.") {
            let Some((seed, score)) = v.split_once(';') else { continue };
            if let (Ok(seed), Ok(score)) = (seed.parse(), score.parse()) {
                d.drills.push((id.to_string(), seed, score));
            }
        }
    }
    d
}

/// One paragraph a learner pastes into a chat.
fn summary(d: &Done) -> String {
    let steps = crate::course::all().len();
    let course: Vec<String> = d.course.iter().map(|(id, p, m)| format!("{id} (predicted {p}, measured {m})")).collect();
    let drills: Vec<String> = d.drills.iter().map(|(id, seed, s)| format!("{id} {} on seed {seed}", crate::drills::score_text(*s))).collect();
    format!(
        "Backoff Lab progress. Course: {} of {steps} steps{}. Exercises passed: {}. Drills: {}.",
        d.course.len(),
        if course.is_empty() { String::new() } else { format!(": {}", course.join("; ")) },
        if d.exercises.is_empty() { "none".into() } else { d.exercises.join(", ") },
        if drills.is_empty() { "none".into() } else { drills.join("; ") }
    )
}

/// The same as JSON.
fn json() -> String {
    let d = done();
    let course: serde_json::Map<String, serde_json::Value> =
        d.course.iter().map(|(id, p, m)| (id.clone(), serde_json::json!({ "predicted": p, "measured": m }))).collect();
    let drills: serde_json::Map<String, serde_json::Value> =
        d.drills.iter().map(|(id, seed, s)| (id.clone(), serde_json::json!({ "seed": seed, "score": crate::drills::score_text(*s) }))).collect();
    let v = serde_json::json!({ "backoff_lab_progress": 1, "course": course, "exercises_passed": d.exercises, "drills": drills, "summary": summary(&d) });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// The buttons the course and drill panels show (their clicks come to [`act`]).
pub(super) const BUTTONS: &str = "<span class=\"progress-export\">Your progress: \
    <button data-act=\"progress-copy\" id=\"progress-copy\">Copy a summary for your trainer</button> \
    <button data-act=\"progress-download\" id=\"progress-download\">Download it (JSON)</button></span>";

/// A click on one of [`BUTTONS`]; whether it was one.
pub(super) fn act(act: &str) -> bool {
    match act {
        "progress-copy" => {
            let text = summary(&done());
            let Some(doc) = document() else { return true };
            // Shown as well as copied: a browser may refuse the clipboard.
            if let Some(b) = doc.get_element_by_id("progress-copy") {
                let _ = b.set_attribute("title", &text);
                if doc.get_element_by_id("progress-summary").is_none() {
                    if let Ok(t) = doc.create_element("textarea") {
                        t.set_id("progress-summary");
                        let _ = t.set_attribute("readonly", "");
                        let _ = t.set_attribute("rows", "3");
                        let _ = t.set_attribute("aria-label", "Your progress, to copy");
                        let _ = t.set_attribute("style", "display:block;width:100%;margin-top:0.3rem");
                        let _ = b.parent_node().map(|p| p.append_child(&t));
                    }
                }
                if let Some(t) = doc.get_element_by_id("progress-summary") {
                    t.set_text_content(Some(&text));
                }
            }
            if let Some(w) = web_sys::window() {
                // The button says how the copy went.
                let say = |words: &'static str| {
                    wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |_| {
                        if let Some(b) = document().and_then(|d| d.get_element_by_id("progress-copy")) {
                            b.set_text_content(Some(words));
                        }
                    })
                };
                let (copied, refused) = (say("Copied"), say("Copy it from the box below"));
                let _ = w.navigator().clipboard().write_text(&text).then2(&copied, &refused);
                copied.forget();
                refused.forget();
            }
            true
        }
        "progress-download" => {
            super::web::download("backoff-lab-progress.json", &super::web::data_url("application/json", &json()));
            true
        }
        _ => false,
    }
}
