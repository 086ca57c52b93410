//! Trainer packs: a workshop's own labs, exercises, course steps and drills in one JSON file,
//! served beside the page (`?pack=my-workshop.json`, same origin) or checked before class
//! (`lab pack check FILE`). No rebuild: a pack's entries become texts with the same fields as
//! `www/lessons.txt`, so each is read, checked and shown by the same code as the lab's own.
//!
//! ```json
//! {
//!   "title": "Resilience workshop",
//!   "labs":      { "ID": { "title": "…", "start": "scenario=ID key=value …", "story": "…" } },
//!   "exercises": { "ID": { "title", "start", "solution", "measure": ["goodput 30..60 >= 90"],
//!                          "keep": [], "goal", "hint": ["…"], "explanation" } },
//!   "course":    { "ID": { "title", "start", "measure", "predict", "expect",
//!                          "frame", "ask", "explain", "try" } },
//!   "drills":    { "ID": { "title", "alert", "start", "trigger", "good", "nothing",
//!                          "cause", "sustained", "better", "question": ["…"] } }
//! }
//! ```
//!
//! Every value is text (or a list of texts, for fields that repeat), in the syntax links and
//! `lab config` use: a `start` is `scenario=ID seed=N key=value …`. Ids are lower-case letters,
//! digits and `-`, and must not be one the lab already has. A pack carries no markup and no
//! address: the page shows its texts as text, and fetches a pack only from its own origin.

use crate::texts::Texts;
use serde_json::Value;

/// The largest pack read, in bytes; and the most entries of one kind.
pub const MAX_BYTES: usize = 256 * 1024;
pub const MAX_ENTRIES: usize = 50;
const MAX_TEXT: usize = 4_000;

/// The kinds of entry, their key in the pack, their prefix in the texts, and their fields
/// (those that may repeat are lists).
const KINDS: [(&str, &str, &[&str], &[&str]); 4] = [
    ("labs", "lab", &["title", "start", "story"], &[]),
    ("exercises", "exercise", &["title", "start", "solution", "goal", "explanation"], &["measure", "keep", "hint"]),
    ("course", "course", &["title", "start", "measure", "predict", "expect", "frame", "ask", "explain", "try"], &[]),
    ("drills", "drill", &["title", "alert", "start", "trigger", "good", "nothing", "cause", "sustained", "better"], &["question"]),
];

/// A lab a pack adds: a titled start, opened as a link.
#[derive(Clone, Debug, PartialEq)]
pub struct Lab {
    pub id: String,
    pub title: String,
    pub story: String,
    /// The scenario it starts from, and its seed.
    pub base: String,
    pub seed: u64,
    /// Its settings as a link of their own (`s=BASE&seed=…&key=value…`).
    pub link: String,
}

/// A pack as read: its title, its entries as texts, and what is wrong with it.
#[derive(Clone, Debug, Default)]
pub struct Pack {
    pub title: String,
    pub texts: Texts,
    /// Each problem names the entry and the field: "exercise calm, measure: …".
    pub problems: Vec<String>,
}

impl Pack {
    /// The ids of the entries of `kind` ("exercise", "course", "drill", "lab") it adds.
    pub fn ids(&self, kind: &str) -> Vec<String> {
        let prefix = format!("{kind}.");
        self.texts.keys().filter_map(|k| k.strip_prefix(&prefix)?.strip_suffix(".title")).map(String::from).collect()
    }

    /// Its texts in `lessons.txt`'s form (each value on a line of its own, indented so that no
    /// value can be read as a key or a comment).
    pub fn to_lessons(&self) -> String {
        self.texts.entries().map(|(k, v)| format!("## {k}\n {v}\n")).collect()
    }

    /// The labs it adds, with their links (those whose start cannot be read are problems).
    pub fn labs(&self) -> Vec<Lab> {
        self.ids("lab")
            .into_iter()
            .filter_map(|id| {
                let field = |f: &str| self.texts.get(&format!("lab.{id}.{f}")).unwrap_or("").to_string();
                let (scenario, seed, config) = crate::exercises::parse_start_with(&field("start"), crate::scenarios::find_builtin).ok()?;
                let mut state = crate::url::LinkState::from_scenario(&scenario)?;
                (state.config, state.seed, state.compare) = (config, seed, None);
                let link = crate::url::encode(&state);
                Some(Lab { title: field("title"), story: field("story"), base: state.scenario, seed, link, id })
            })
            .collect()
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Reads a pack against `builtin` (the lab's own texts, whose ids a pack may not reuse). A
/// pack that is not JSON, or not an object, is an error; anything else wrong is a problem
/// naming its entry and field, and the rest of the pack is still used.
pub fn read(json: &str, builtin: &Texts) -> Result<Pack, String> {
    if json.len() > MAX_BYTES {
        return Err(format!("the pack is {} KB; at most {} KB is read", json.len() / 1024, MAX_BYTES / 1024));
    }
    let v: Value = serde_json::from_str(json).map_err(|e| format!("the pack is not JSON: {e}"))?;
    let Value::Object(top) = v else { return Err("the pack is not a JSON object ({\"title\": …, \"exercises\": {…}, …})".into()) };
    let mut pack = Pack::default();
    let mut entries: Vec<(String, String)> = Vec::new();
    let allowed_top = "title, labs, exercises, course, drills";
    for (key, value) in &top {
        if key == "title" {
            match value.as_str() {
                Some(t) => pack.title = t.chars().take(200).collect(),
                None => pack.problems.push("title: it is not text".into()),
            }
            continue;
        }
        let Some((_, kind, single, lists)) = KINDS.iter().find(|k| k.0 == key) else {
            pack.problems.push(format!("'{}': not a part of a pack (it has {allowed_top})", crate::sim::params::quote(key, 40)));
            continue;
        };
        let Value::Object(items) = value else {
            pack.problems.push(format!("{key}: it is not an object of entries by id"));
            continue;
        };
        for (n, (id, fields)) in items.iter().enumerate() {
            let name = format!("{kind} {}", crate::sim::params::quote(id, 40));
            if n >= MAX_ENTRIES {
                pack.problems.push(format!("{key}: more than {MAX_ENTRIES} entries; the rest are not read"));
                break;
            }
            if !valid_id(id) {
                pack.problems.push(format!("{name}: an id is lower-case letters, digits and '-', at most 40 of them"));
                continue;
            }
            // Course steps and drills share the page's `course=` (and `drill=`) key.
            let shared = if matches!(*kind, "course" | "drill") { &["course", "drill"][..] } else { &[*kind][..] };
            // A lab is a scenario on the page: its id is not one of the lab's own scenarios'.
            let taken = (*kind == "lab" && crate::scenarios::is_builtin(id))
                || shared.iter().any(|k| builtin.get(&format!("{k}.{id}.title")).is_some() || entries.iter().any(|(e, _)| *e == format!("{k}.{id}.title")));
            if taken || (shared.len() == 2 && id == "continue") {
                pack.problems.push(format!(
                    "{name}: the lab already has {} with this id; give it another",
                    if shared.len() == 2 { "a course step or drill" } else { "one" }
                ));
                continue;
            }
            let Value::Object(fields) = fields else {
                pack.problems.push(format!("{name}: it is not an object of fields"));
                continue;
            };
            let mut ok = true;
            let mut mine = Vec::new();
            for (f, value) in fields {
                let texts: Option<Vec<&str>> = match value {
                    Value::String(s) if single.contains(&f.as_str()) || lists.contains(&f.as_str()) => Some(vec![s.as_str()]),
                    Value::Array(xs) if lists.contains(&f.as_str()) => xs.iter().map(Value::as_str).collect(),
                    _ => None,
                };
                let known = single.contains(&f.as_str()) || lists.contains(&f.as_str());
                match texts {
                    Some(ts) if ts.iter().all(|t| t.len() <= MAX_TEXT) => {
                        for t in ts {
                            // One line each: the texts join lines with spaces anyway.
                            mine.push((format!("{kind}.{id}.{f}"), t.split_whitespace().collect::<Vec<_>>().join(" ")));
                        }
                    }
                    Some(_) => {
                        pack.problems.push(format!("{name}, {f}: longer than {MAX_TEXT} characters"));
                        ok = false;
                    }
                    None if known => {
                        let what = if lists.contains(&f.as_str()) { "text or a list of texts" } else { "text" };
                        pack.problems.push(format!("{name}, {f}: it must be {what}"));
                        ok = false;
                    }
                    None => {
                        let all: Vec<&str> = single.iter().chain(lists.iter()).copied().collect();
                        pack.problems.push(format!("{name}: '{}' is not one of its fields ({})", crate::sim::params::quote(f, 40), all.join(", ")));
                        ok = false;
                    }
                }
            }
            if !mine.iter().any(|(k, _)| k.ends_with(".title")) {
                pack.problems.push(format!("{name}: it has no title"));
                ok = false;
            }
            if ok {
                entries.extend(mine);
            }
        }
    }
    pack.texts = Texts::from_entries(entries);
    // Each entry as the lab reads it: what is wrong names the entry and the field.
    let merged = builtin.with(&pack.texts);
    let check = |kind: &str, parse: &dyn Fn(&str) -> Result<(), String>| -> Vec<String> { pack.ids(kind).iter().filter_map(|id| parse(id).err()).collect() };
    let mut wrong = Vec::new();
    wrong.extend(check("exercise", &|id| crate::exercises::parse(&merged, id).map(|_| ())));
    wrong.extend(check("course", &|id| crate::course::parse(&merged, id).map(|_| ())));
    wrong.extend(check("drill", &|id| crate::drills::parse(&merged, id).map(|_| ())));
    wrong.extend(check("lab", &|id| {
        let start = pack.texts.get(&format!("lab.{id}.start")).unwrap_or("");
        crate::exercises::parse_start_with(start, crate::scenarios::find_builtin).map(|_| ()).map_err(|e| format!("lab {id}, start: {e}"))
    }));
    pack.problems.extend(wrong);
    Ok(pack)
}

/// Whether `name` may be fetched as a pack: a path on the page's own origin (no scheme, no
/// host, no way up), ending in `.json`.
pub fn fetchable(name: &str) -> Result<(), String> {
    let ok = name.len() <= 200
        && name.ends_with(".json")
        && !name.starts_with('/')
        && !name.contains("..")
        && !name.contains("//")
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{}' cannot be a pack: a pack is a .json file served beside the page (letters, digits, '-', '_', '.' and '/'; no address of another site)",
            crate::sim::params::quote(name, 60)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> String {
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/www/example-pack.json")).unwrap()
    }

    #[test]
    fn the_example_pack_reads_with_no_problem_and_adds_one_entry_of_each_kind() {
        let pack = read(&example(), &crate::texts::current()).unwrap();
        assert!(pack.problems.is_empty(), "{:?}", pack.problems);
        for kind in ["lab", "exercise", "course", "drill"] {
            assert_eq!(pack.ids(kind).len(), 1, "{kind}");
        }
        assert!(pack.labs()[0].link.contains("faults=capacity%3D0.5@5..20"), "{:?}", pack.labs());
        // Its texts, read back as the page reads them, are the same texts.
        assert_eq!(Texts::parse(&pack.to_lessons()), pack.texts);
    }

    #[test]
    fn a_pack_cannot_inject_a_key_reuse_an_id_or_add_an_unknown_field() {
        let builtin = crate::texts::current();
        let json = r###"{"labs": {"x": {"title": "## exercise.end-the-storm.title\n# not a comment", "start": "scenario=healthy"}},
            "exercises": {"end-the-storm": {"title": "Mine"}}, "drills": {"y": {"title": "Y", "colour": "red"}}, "scenarios": {}}"###;
        let pack = read(json, &builtin).unwrap();
        let back = Texts::parse(&pack.to_lessons());
        assert_eq!(back.get("lab.x.title"), Some("## exercise.end-the-storm.title # not a comment"));
        assert_eq!(back.keys().count(), 2);
        let problems = pack.problems.join("\n");
        assert!(problems.contains("exercise end-the-storm: the lab already has one with this id"), "{problems}");
        let clash = read(r#"{"drills": {"storm": {"title": "S"}, "continue": {"title": "C"}}}"#, &builtin).unwrap().problems.join("\n");
        assert!(clash.contains("drill storm: the lab already has a course step or drill with this id"), "{clash}");
        assert!(clash.contains("drill continue: the lab already has a course step or drill"), "{clash}");
        assert!(problems.contains("drill y: 'colour' is not one of its fields (title, alert, start"), "{problems}");
        assert!(problems.contains("'scenarios': not a part of a pack (it has title, labs, exercises, course, drills)"), "{problems}");
        assert!(read("[1, 2]", &builtin).unwrap_err().contains("not a JSON object"));
        assert!(read("{", &builtin).unwrap_err().starts_with("the pack is not JSON"));
    }

    #[test]
    fn a_pack_s_labs_become_scenarios_once_its_texts_are_in() {
        let pack = read(&example(), &crate::texts::current()).unwrap();
        assert!(crate::scenarios::find("long-crash").is_err(), "not a scenario before the pack");
        // Before the pack has come, a link to its lab keeps the id and says nothing is wrong.
        let (state, notes) = crate::url::decode("?s=long-crash&pack=example-pack.json");
        assert_eq!((state.scenario.as_str(), notes.len()), ("long-crash", 0), "{notes:?}");
        // Meanwhile the page writes back only what the link says (the pack's panel has it read
        // again once the lab exists).
        assert!(!crate::url::encode(&state).contains("faults"), "{}", crate::url::encode(&state));
        crate::texts::extend(&pack.to_lessons());
        let lab = crate::scenarios::find("long-crash").unwrap();
        assert_eq!(lab.title, "A longer crash, and a queue of 50");
        assert!(lab.story().starts_with("The storm's service, with its queue limited to 50"), "{}", lab.story());
        assert_eq!((lab.config.server.queue_limit, lab.config.faults[0].end_s), (Some(50), 20.0));
        assert_eq!(crate::scenarios::all().last().map(|s| s.id), Some("long-crash"), "last in the picker");
        // Once it has, the same link opens the lab, changes and all, and shares back the same.
        let (state, notes) = crate::url::decode("?s=long-crash&seed=9&client.timeout_ms=700&pack=example-pack.json");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!((state.scenario.as_str(), state.seed, state.config.client.timeout_ms), ("long-crash", 9, Some(700.0)));
        assert_eq!(crate::url::decode(&crate::url::encode(&state)).0.config, state.config);
        // A lab may not take a scenario's id, nor start from another pack's lab.
        let clash = read(
            r#"{"labs": {"healthy": {"title": "H", "start": "scenario=overload"}, "on-a-lab": {"title": "L", "start": "scenario=long-crash"}}}"#,
            &crate::texts::current(),
        )
        .unwrap()
        .problems
        .join("\n");
        assert!(clash.contains("lab healthy: the lab already has one with this id"), "{clash}");
        assert!(clash.contains("lab on-a-lab, start: unknown scenario 'long-crash'"), "{clash}");
    }

    #[test]
    fn a_pack_is_fetched_only_from_the_page_s_own_origin() {
        for ok in ["my-workshop.json", "packs/march_2027.json"] {
            assert!(fetchable(ok).is_ok(), "{ok}");
        }
        for bad in ["https://example.com/p.json", "//example.com/p.json", "/p.json", "../p.json", "p.js", "javascript:alert(1).json", "a b.json"] {
            assert!(fetchable(bad).unwrap_err().contains("served beside the page"), "{bad}");
        }
    }
}
