//! The lab's prose (scenario stories, what to look for, exercise goals, hints, explanations)
//! lives in `www/lessons.txt`, one file that writers can edit without touching code.
//!
//! Natively (the CLI, the tests) it is compiled in. The page does not carry it in its wasm:
//! it fetches the file after the first paint and calls [`load`]; until then the texts are
//! empty and the page works without them.

use std::cell::RefCell;
use std::rc::Rc;

/// Parsed entries: (key, text) in file order; a key may repeat (hints).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Texts(Vec<(String, String)>);

impl Texts {
    /// Parses the file: an entry starts at a line `## KEY` and runs to the next; its lines are
    /// joined with spaces. Lines starting with `# ` outside entries are comments.
    pub fn parse(src: &str) -> Texts {
        let mut out: Vec<(String, String)> = Vec::new();
        for line in src.lines() {
            let line = line.trim_end();
            if let Some(key) = line.strip_prefix("## ") {
                out.push((key.trim().to_string(), String::new()));
            } else if line.starts_with("# ") || line == "#" || line.is_empty() {
                continue;
            } else if let Some((_, text)) = out.last_mut() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(line.trim());
            }
        }
        Texts(out)
    }

    /// The first text under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, t)| t.as_str())
    }

    /// Every text under `key`, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, t)| t.as_str()).collect()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn from_entries(entries: Vec<(String, String)>) -> Texts {
        Texts(entries)
    }

    /// These texts with `more` after them (a trainer's pack).
    pub fn with(&self, more: &Texts) -> Texts {
        Texts(self.0.iter().chain(&more.0).cloned().collect())
    }
}

thread_local! {
    static LOADED: RefCell<Rc<Texts>> = RefCell::new(Rc::new(initial()));
    /// Whether the lessons are in (natively they are compiled in); a pack's texts may come first.
    static LESSONS: std::cell::Cell<bool> = const { std::cell::Cell::new(cfg!(not(target_arch = "wasm32"))) };
}

#[cfg(not(target_arch = "wasm32"))]
fn initial() -> Texts {
    Texts::parse(include_str!("../www/lessons.txt"))
}

#[cfg(target_arch = "wasm32")]
fn initial() -> Texts {
    Texts::default()
}

/// Installs the lessons the page fetched (before a pack's, if one arrived first), once: a
/// second copy (two panels fetched them) is not added.
pub fn load(src: &str) {
    if LESSONS.replace(true) {
        return;
    }
    LOADED.with(|l| {
        let t = Rc::new(Texts::parse(src).with(&l.borrow()));
        *l.borrow_mut() = t;
    });
}

/// Adds texts (a trainer's pack) after those there.
pub fn extend(src: &str) {
    PACKED.set(true);
    LOADED.with(|l| {
        let more = Texts::parse(src);
        let merged = l.borrow().with(&more);
        crate::scenarios::read_pack(&merged);
        *l.borrow_mut() = Rc::new(merged);
    });
}

/// The texts now (empty in the page until they arrive).
pub fn current() -> Rc<Texts> {
    LOADED.with(|l| l.borrow().clone())
}

thread_local! {
    /// Whether a trainer's pack's texts have come (before, its labs are not known).
    pub static PACKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the lessons are there.
pub fn loaded() -> bool {
    LESSONS.get()
}

/// The text under `key`, or "" while it has not arrived.
pub fn text(key: &str) -> String {
    current().get(key).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_and_exercise_has_its_texts_and_no_text_is_orphaned() {
        let t = current();
        let mut known = Vec::new();
        for s in crate::scenarios::all() {
            for part in ["story", "look_for"] {
                let key = format!("scenario.{}.{part}", s.id);
                assert!(t.get(&key).is_some_and(|x| x.len() > 20), "{key} missing");
                known.push(key);
            }
        }
        for p in crate::sim::params::PARAMS {
            let key = format!("param.{}", p.key);
            assert!(t.get(&key).is_some_and(|x| x.len() > 8), "{key} missing");
            known.push(key);
        }
        for e in crate::exercises::all().iter() {
            for part in ["goal", "explanation"] {
                let key = format!("exercise.{}.{part}", e.id);
                assert!(t.get(&key).is_some_and(|x| x.len() > 20), "{key} missing");
                known.push(key);
            }
            assert!(!t.all(&format!("exercise.{}.hint", e.id)).is_empty(), "{}: no hints", e.id);
            known.push(format!("exercise.{}.hint", e.id));
            // What defines it (checked in `exercises`' own tests).
            known.extend(["title", "start", "solution", "measure", "keep"].map(|f| format!("exercise.{}.{f}", e.id)));
        }
        for step in crate::course::all() {
            for part in ["frame", "ask", "explain", "try"] {
                let key = format!("course.{}.{part}", step.id);
                assert!(t.get(&key).is_some_and(|x| x.len() > 20), "{key} missing");
                known.push(key);
            }
            known.extend(["title", "start", "measure", "predict", "expect"].map(|f| format!("course.{}.{f}", step.id)));
        }
        for d in crate::drills::all() {
            for part in ["alert", "cause", "sustained", "better"] {
                let key = format!("drill.{}.{part}", d.id);
                assert!(t.get(&key).is_some_and(|x| x.len() > 20), "{key} missing");
                known.push(key);
            }
            assert!(!d.questions().is_empty(), "{}: no questions", d.id);
            known.push(format!("drill.{}.question", d.id));
            known.extend(["title", "start", "trigger", "good", "nothing"].map(|f| format!("drill.{}.{f}", d.id)));
        }
        known.push("ui.contention.intro".into());
        known.push("ui.contention.after".into());
        known.push("ui.strip.caption".into());
        known.push("ui.strip.arrow".into());
        known.push("ui.compare.button".into());
        known.extend(["ui.story-changed", "ui.delays-none", "ui.delays-no-timeout", "ui.share-compare", "ui.live-cap"].map(String::from));
        known.push("ui.lede".into());
        known.push("ui.lede.course".into());
        known.push("ui.lede.pack".into());
        known.push("ui.lede.present".into());
        // The headline's hover titles (`ui/headline.rs`).
        for id in ["goodput", "amplification", "p99", "timeouts", "late", "utilisation", "queue", "busy", "recovery"] {
            let key = format!("ui.stat-{id}");
            assert!(t.get(&key).is_some_and(|x| x.len() > 10), "{key} missing");
            known.push(key);
        }
        // Said beside the amplification when it is above the tier's max attempts.
        assert!(t.get("ui.amp-above").is_some_and(|x| x.len() > 20), "ui.amp-above missing");
        known.push("ui.amp-above".into());
        known.push("ui.compare.caption".into());
        // The fault buttons' tooltips (`ui/components/faults.rs`, which is not built natively).
        for id in ["crash-half", "crash", "brownout", "errors", "load", "restart"] {
            let key = format!("ui.fault-{id}");
            assert!(t.get(&key).is_some_and(|x| x.len() > 20), "{key} missing");
            known.push(key);
        }
        for id in crate::report::LINES {
            let key = format!("ui.{id}");
            assert!(t.get(&key).is_some_and(|x| x.len() > 20), "{key} missing");
            known.push(key);
        }
        for k in t.keys() {
            assert!(known.iter().any(|x| x == k), "{k} belongs to nothing");
        }
    }

    #[test]
    fn entries_join_lines_and_keep_repeats_in_order() {
        let t = Texts::parse("# a comment\n## a\none\ntwo\n\n## h\nfirst\n## h\nsecond\n");
        assert_eq!(t.get("a"), Some("one two"));
        assert_eq!(t.all("h"), vec!["first", "second"]);
        assert_eq!(t.get("none"), None);
    }
}
