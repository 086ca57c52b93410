//! The whole page state in a URL query string, versioned, so a link opens the same lab
//! tomorrow and after the model grows.
//!
//! ```text
//! ?v=2&s=metastable-retry&seed=3&client.jitter=full&faults=crash@5..10&b.limiters.quota.enabled=true&embed=1
//! ?v=2&s=retries-every-layer&tiers.2.client.max_attempts=1&tier=2
//! ```
//!
//! - `v`: the format version (2). A link without `v` is version 0: the bare deep links
//!   `?scenario=<id>` and `?exercise=<id>` that instructors paste, still honoured. Version 2
//!   added systems: `tiers`, `tiers.N.<server.|client.>KEY`, `server.hosts`, `server.balancer`,
//!   `tier_faults` and the selected tier `tier`; see [`migrate`] for how older links read.
//! - `s` (or `scenario`): the scenario the state starts from; only keys that differ from it
//!   are written, so links stay short and survive new parameters (which take the scenario's
//!   value).
//! - `seed`, `speed`, `play`, `embed`, `controls` (a comma list of control groups), `ex` (or
//!   `exercise`): the rest of the page.
//! - any dotted key of [`crate::keys::KEYS`]: a parameter; `faults` and `load.ramps` in short form.
//! - `b.<key>`: the compare side's differences from the main side.
//!
//! Decoding never fails: a malformed or hostile parameter is skipped with a specific message,
//! and the rest of the link still applies.

use crate::keys;
use crate::scenarios;
use crate::sim::Config;
use crate::sim::params::{num, quote};

/// The current link format.
pub const VERSION: u32 = 2;

/// Control groups that embed mode can show (`controls=load,client`).
pub fn control_groups() -> Vec<&'static str> {
    let mut ids: Vec<&str> = crate::sim::params::Group::ALL.iter().map(|g| g.filter_id()).collect();
    ids.dedup();
    ids.push("faults");
    ids
}

/// Everything a link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkState {
    pub scenario: String,
    pub seed: u64,
    pub config: Config,
    /// The compare side's config, when comparing.
    pub compare: Option<Config>,
    pub exercise: Option<String>,
    /// The course step this lab is (`crate::course`): the page opens the course panel.
    pub course: Option<String>,
    pub embed: bool,
    /// Control groups shown (all when `None`).
    pub controls: Option<Vec<String>>,
    pub speed: f64,
    pub play: bool,
    /// The tier the page's controls and charts show (0, the edge, by default).
    pub tier: usize,
}

impl LinkState {
    /// The state a scenario starts in.
    pub fn from_scenario(id: &str) -> Option<LinkState> {
        let s = scenarios::find(id).ok()?;
        let mut state = LinkState::plain(s.id, s.seed, s.config);
        state.compare = s.compare;
        Some(state)
    }

    /// A state with no compare side, exercise or embedding, at 1×, paused.
    fn plain(scenario: &str, seed: u64, config: Config) -> LinkState {
        LinkState {
            scenario: scenario.to_string(),
            seed,
            config,
            compare: None,
            exercise: None,
            course: None,
            embed: false,
            controls: None,
            speed: 1.0,
            play: false,
            tier: 0,
        }
    }
}

fn default_state() -> LinkState {
    LinkState::from_scenario("metastable-retry").unwrap_or_else(|| LinkState::plain("metastable-retry", 1, Config::default()))
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@' | b',' | b':')
}

/// Percent-encodes a value for a query string.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` and `+`; `None` for a malformed escape or invalid UTF-8.
pub fn decode_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `key=value` pairs for every parameter where `cfg` differs from `base`.
pub fn config_diff(base: &Config, cfg: &Config) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for d in crate::sim::params::PARAMS {
        let (a, b) = (keys::get(base, d.key), keys::get(cfg, d.key));
        if a != b {
            out.push((d.key.to_string(), b.unwrap_or_default()));
        }
    }
    // Tier keys, after `tiers` (the first key) has made room for them: each against the base's
    // value, or a new tier's default where the base has fewer tiers.
    if !cfg.tiers.is_empty() {
        let base = keys::assign(base, "tiers", &(cfg.tiers.len() + 1).to_string()).unwrap_or_else(|_| base.clone());
        for key in keys::tier_keys(cfg) {
            let (a, b) = (keys::get(&base, &key), keys::get(cfg, &key));
            if a != b {
                out.push((key, b.unwrap_or_default()));
            }
        }
    }
    for key in ["faults", "load.ramps", "tier_faults"] {
        if keys::get_list(base, key) != keys::get_list(cfg, key) {
            out.push((key.to_string(), keys::get_list(cfg, key).unwrap_or_default()));
        }
    }
    out
}

/// Applies one `key=value` to `cfg`, noting what could not be used (in words for a web page:
/// the controls, not the CLI, list the keys there). A fault list keeps every fault that
/// parses and notes each one that does not, rather than dropping them all.
fn apply(cfg: &Config, key: &str, value: &str, side: &str, notes: &mut Vec<String>) -> Config {
    let shown = quote(value, 60);
    let note = |e: crate::sim::ConfigError| {
        let msg = e.to_string().replace("`lab run --help` (or the controls on the page) list every key", "the controls on this page show every key");
        format!("{side}{key}={shown}: {msg}")
    };
    if key == "faults" {
        let (good, bad) = keys::faults_from_text(value);
        // Each message already quotes its fault ("'melt@1..2' has an unknown kind …").
        notes.extend(bad.into_iter().map(|e| format!("{side}fault {}", e.message)));
        let mut next = cfg.clone();
        next.faults = good;
        return match next.validate() {
            Ok(()) => next,
            Err(e) => {
                notes.push(note(e));
                cfg.clone()
            }
        };
    }
    keys::set(cfg, key, value).unwrap_or_else(|e| {
        notes.push(note(e));
        cfg.clone()
    })
}

/// A page switch (`embed`, `play`): 1/true or 0/false; anything else is noted and read as off.
fn flag(name: &str, v: &str, notes: &mut Vec<String>) -> bool {
    match v {
        "1" | "true" => true,
        "0" | "false" => false,
        _ => {
            notes.push(format!("{name}='{}' is not 1 or 0; read as 0 (off)", quote(v, 30)));
            false
        }
    }
}

/// Brings a link's pairs from format `version` to the current one. Formats 0 and 1 describe a
/// single service; format 2 added tier keys and the selected tier, and gave no old key a new
/// meaning (new parameters default to what the single service always was: one host, no tiers),
/// so older pairs carry over as they are and an old link opens the lab it opened before. A
/// future format that renames or rescales a key converts it here, oldest change first.
pub fn migrate(version: u32, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    match version {
        0..=2 => pairs,
        _ => pairs,
    }
}

/// What a link's parameters are differences from: the exercise's start, else the scenario.
fn base_of(scenario: &str, exercise: Option<&str>) -> Config {
    // A scenario not known yet (a pack's lab before its pack): the default lab's, which is what
    // the page shows meanwhile, so the address it writes holds the link's own changes only.
    exercise
        .and_then(crate::exercises::find)
        .map(|e| e.start_config())
        .or_else(|| scenarios::find(scenario).ok().map(|s| s.config))
        .unwrap_or_else(|| default_state().config)
}

/// The query string (without `?`) for `state`.
pub fn encode(state: &LinkState) -> String {
    let base = base_of(&state.scenario, state.exercise.as_deref());
    let mut parts = vec![format!("v={VERSION}"), format!("s={}", encode_component(&state.scenario)), format!("seed={}", state.seed)];
    for (k, v) in config_diff(&base, &state.config) {
        parts.push(format!("{k}={}", encode_component(&v)));
    }
    if let Some(b) = &state.compare {
        for (k, v) in config_diff(&state.config, b) {
            parts.push(format!("b.{k}={}", encode_component(&v)));
        }
        if config_diff(&state.config, b).is_empty() {
            parts.push("cmp=1".into());
        }
    } else if state.exercise.is_none() && scenarios::find(&state.scenario).is_ok_and(|s| s.compare.is_some()) {
        // The scenario opens in compare mode; this state left it.
        parts.push("cmp=0".into());
    }
    if let Some(ex) = &state.exercise {
        parts.push(format!("ex={}", encode_component(ex)));
    }
    if let Some(step) = &state.course {
        parts.push(format!("course={step}"));
    }
    if state.embed {
        parts.push("embed=1".into());
    }
    if let Some(c) = &state.controls {
        parts.push(format!("controls={}", encode_component(&c.join(","))));
    }
    if state.speed != 1.0 {
        parts.push(format!("speed={}", state.speed));
    }
    if state.play {
        parts.push("play=1".into());
    }
    if state.tier > 0 {
        parts.push(format!("tier={}", state.tier));
    }
    parts.join("&")
}

/// Characters of a link that are read: enough for any lab, few enough to read at once (the
/// note below says 8,192).
const LINK_BUDGET: usize = 8_192;

/// The parts of `query` that are read: the lab's own short keys (scenario, seed, exercise, …)
/// wherever they are, then the settings in order while they fit in [`LINK_BUDGET`]; what is
/// dropped is noted by name, so a long link keeps every part that can be used.
fn within_budget(query: &str, notes: &mut Vec<String>) -> String {
    if query.len() <= LINK_BUDGET {
        return query.to_string();
    }
    const SHORT: [&str; 16] =
        ["v", "s", "scenario", "seed", "ex", "exercise", "course", "drill", "present", "pack", "embed", "tier", "play", "speed", "controls", "cmp"];
    let parts: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let key = |p: &str| p.split('=').next().unwrap_or("").to_string();
    let short = |p: &str| p.len() <= 256 && SHORT.contains(&key(p).as_str());
    // Each short key once, its last value (the one a link reader applies), in link order.
    let mut kept: Vec<&str> = Vec::new();
    for p in parts.iter().rev().copied().filter(|p| short(p)) {
        if !kept.iter().any(|k| key(k) == key(p)) {
            kept.insert(0, p);
        }
    }
    let mut used: usize = kept.iter().map(|p| p.len() + 1).sum();
    let mut dropped: Vec<&str> = Vec::new();
    for p in parts.iter().copied().filter(|p| !short(p)) {
        if used + p.len() < LINK_BUDGET {
            kept.push(p);
            used += p.len() + 1;
        } else {
            dropped.push(p.split('=').next().unwrap_or(""));
        }
    }
    if dropped.is_empty() {
        notes.push(format!("the link is {} characters long; its repeated parts are read once", num(query.len() as f64)));
        return kept.join("&");
    }
    let mut names: Vec<String> = dropped.iter().take(5).map(|k| format!("'{}'", quote(k, 40))).collect();
    if dropped.len() > 5 {
        names.push(format!("{} more", dropped.len() - 5));
    }
    notes.push(format!(
        "the link is {} characters long and only 8,192 are read: {} of its settings did not fit and {} dropped ({}); the rest is applied",
        num(query.len() as f64),
        dropped.len(),
        if dropped.len() == 1 { "was" } else { "were" },
        names.join(", ")
    ));
    kept.join("&")
}

/// Decodes a query string (with or without `?`). Always returns a usable state; every part
/// that could not be used is explained in the returned messages.
pub fn decode(query: &str) -> (LinkState, Vec<String>) {
    let mut notes = Vec::new();
    let query = query.strip_prefix('?').unwrap_or(query);
    let query = within_budget(query, &mut notes);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match (decode_component(k), decode_component(v)) {
            (Some(k), Some(v)) => pairs.push((k, v)),
            _ => notes.push(format!("'{}' is not valid percent-encoding and was skipped", quote(part, 60))),
        }
    }
    let last = |pairs: &[(String, String)], name: &str| pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    // A key given twice is applied in order, so the last value wins: say so.
    let mut seen: Vec<&str> = Vec::new();
    for (i, (k, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(p, _)| p == k) && !seen.contains(&k.as_str()) {
            seen.push(k);
            let n = pairs.iter().filter(|(p, _)| p == k).count();
            notes.push(format!("'{}' appears {n} times; the last value is used", quote(k, 60)));
        }
    }

    let version = match last(&pairs, "v") {
        None => 0,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n <= VERSION => n,
            Ok(n) => {
                notes.push(format!("this link was made by a newer Backoff Lab (format {n}); what this version understands is applied"));
                VERSION
            }
            Err(_) => {
                notes.push(format!("v='{v}' is not a format version; read as version {VERSION}"));
                VERSION
            }
        },
    };
    let pairs = migrate(version, pairs);
    let get = |name: &str| last(&pairs, name);

    // A pack is named and its texts have not come: its labs and exercises are not known yet.
    let pack_pending = get("pack").is_some() && !crate::texts::PACKED.get();
    let scenario = get("s").or_else(|| get("scenario"));
    let mut state = match scenario.as_deref() {
        Some(id) => LinkState::from_scenario(id).unwrap_or_else(|| {
            // A pack's lab, before its pack has come: the link keeps the id, and the pack's panel
            // has the page read the link again once the lab exists.
            if pack_pending {
                return LinkState { scenario: id.to_string(), ..default_state() };
            }
            notes.push(format!(
                "there is no scenario '{id}'; showing the default. Scenarios: {}",
                scenarios::all().iter().map(|s| s.id).collect::<Vec<_>>().join(", ")
            ));
            default_state()
        }),
        None => default_state(),
    };
    // An exercise link starts from the exercise's own start state and seed.
    if let Some(ex) = get("ex").or_else(|| get("exercise")) {
        match crate::exercises::find(&ex) {
            Some(e) => {
                state.config = e.start_config();
                state.scenario = e.scenario.clone();
                state.seed = e.seed;
                state.exercise = Some(e.id.clone());
            }
            // The exercises arrive with the lessons' text, after the first paint, and a pack's
            // after its pack: until then the link keeps the id, and the page reads the link
            // again when they are there.
            None if !crate::texts::loaded() || pack_pending => state.exercise = Some(ex),
            None => notes.push(format!(
                "there is no exercise '{}'; exercises: {}",
                quote(&ex, 40),
                crate::exercises::all().iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join(", ")
            )),
        }
    }
    let scenario_compare = if state.exercise.is_none() { state.compare.take() } else { None };
    let mut compare_pairs = Vec::new();

    for (k, v) in &pairs {
        match k.as_str() {
            // The page's own developer switches (?debug=1 overlay, ?bench=1 measurements).
            "v" | "s" | "scenario" | "cmp" | "debug" | "bench" => {}
            "seed" => match v.parse::<u64>() {
                Ok(s) => state.seed = s,
                Err(_) => notes.push(format!("seed '{v}' is not a whole number from 0 to 18446744073709551615; the scenario's seed is used")),
            },
            // Presenter mode and a trainer's pack: read by the page from its address, not a lab.
            "ex" | "exercise" | "present" | "pack" => {}
            // A step's id (its text arrives after the first paint; the course panel checks it).
            // A drill's id is a course id to the page: the course panel opens the drill's.
            "course" | "drill" => match v.len() <= 40 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                true => state.course = Some(v.clone()),
                false => notes.push(format!("course '{}' is not a step id (lower-case letters, digits and '-')", quote(v, 40))),
            },
            "embed" => state.embed = flag("embed", v, &mut notes),
            "tier" => match v.parse::<usize>() {
                Ok(t) if t < crate::sim::MAX_TIERS => state.tier = t,
                _ => notes.push(format!("tier '{}' is not a tier number from 0 (the edge) to {}", quote(v, 30), crate::sim::MAX_TIERS - 1)),
            },
            "play" => state.play = flag("play", v, &mut notes),
            "speed" => match crate::sim::params::parse_number(v) {
                Some(s) if s.is_finite() && (0.01..=1_000.0).contains(&s) => state.speed = s,
                _ => notes.push(format!("speed '{v}' is not between 0.01 and 1000")),
            },
            "controls" => {
                let groups: Vec<String> = v.split(',').map(str::trim).filter(|g| !g.is_empty()).map(str::to_string).collect();
                let unknown: Vec<&String> = groups.iter().filter(|g| !control_groups().contains(&g.as_str())).collect();
                if unknown.is_empty() {
                    state.controls = Some(groups);
                } else {
                    notes.push(format!(
                        "controls: unknown group(s) {}; groups are {}",
                        unknown.iter().map(|g| format!("'{}'", quote(g, 30))).collect::<Vec<_>>().join(", "),
                        control_groups().join(", ")
                    ));
                }
            }
            key if key.starts_with("b.") => compare_pairs.push((key[2..].to_string(), v.clone())),
            key => state.config = apply(&state.config, key, v, "", &mut notes),
        }
    }
    // The compare side: `cmp=0` none; `b.*` differences from side A; `cmp=1` a copy of A;
    // otherwise the scenario's own second side, if it has one.
    let mut compare = match get("cmp").as_deref() {
        Some("0") => None,
        Some("1") => Some(state.config.clone()),
        _ => scenario_compare,
    };
    if !compare_pairs.is_empty() && get("cmp").as_deref() != Some("0") {
        let mut b = state.config.clone();
        for (k, v) in compare_pairs {
            b = apply(&b, &k, &v, "compare side ", &mut notes);
        }
        compare = Some(b);
    }
    state.compare = compare;
    if state.tier > state.config.tiers.len() {
        notes.push(format!("tier {} does not exist in this lab (it has {}); showing the edge", state.tier, state.config.tiers.len() + 1));
        state.tier = 0;
    }
    // A link of hundreds of broken parts is said in a few lines, not hundreds.
    if notes.len() > 8 {
        let more = notes.len() - 7;
        notes.truncate(7);
        notes.push(format!("{more} more parts of this link could not be used either"));
    }
    (state, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Fault, FaultKind, JitterKind, Ramp};

    #[test]
    fn round_trips_a_changed_state() {
        let mut s = LinkState::from_scenario("metastable-retry").unwrap();
        s.seed = 42;
        s.config.client.jitter = JitterKind::Decorrelated;
        s.config.server.queue_limit = Some(50);
        s.config.faults.push(Fault { kind: FaultKind::Load, start_s: 30.0, end_s: 40.0, value: 3.0 });
        s.config.load.ramps.push(Ramp { start_s: 1.0, end_s: 2.5, to_per_s: 90.0 });
        let mut b = s.config.clone();
        b.limiters.quota.enabled = true;
        s.compare = Some(b);
        s.embed = true;
        s.controls = Some(vec!["client".into(), "limiters".into()]);
        s.speed = 5.0;
        let q = encode(&s);
        assert!(q.starts_with("v=2&s=metastable-retry&seed=42"), "{q}");
        assert!(q.contains("b.limiters.quota.enabled=true"), "{q}");
        let (back, notes) = decode(&q);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(back, s);
    }

    #[test]
    fn developer_switches_are_not_reported_as_unknown() {
        let (_, notes) = decode("?scenario=healthy&debug=1&bench=1");
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn bare_deep_links_of_version_0_still_open() {
        let (s, notes) = decode("?scenario=cron-jittered");
        assert!(notes.is_empty());
        assert_eq!(s.scenario, "cron-jittered");
        assert!(s.config.load.periodic.jittered);
        let (s, _) = decode("scenario=full-jitter&seed=9");
        assert_eq!((s.scenario.as_str(), s.seed), ("full-jitter", 9));
    }

    #[test]
    fn malformed_or_hostile_links_give_specific_messages_and_a_working_state() {
        let (s, notes) = decode("?v=1&s=nope&seed=-1&server.workers=0&client.jitter=%ZZ&speed=1e9&controls=load,evil&<script>=1&faults=crash@9..1");
        assert_eq!(s.scenario, "metastable-retry");
        s.config.validate().unwrap();
        let all = notes.join("\n");
        for want in [
            "there is no scenario 'nope'",
            "seed '-1' is not a whole number",
            "server.workers=0: server.workers: 0 is out of range",
            "not valid percent-encoding",
            "speed '1e9' is not between",
            "unknown group(s) 'evil'",
            "<script>=1: <script>: unknown key '<script>'",
            "must be after start_s",
        ] {
            assert!(all.contains(want), "missing '{want}' in:\n{all}");
        }
        let (s, notes) = decode(&"a".repeat(10_000));
        assert_eq!(s, default_state());
        assert!(notes[0].contains("only 8,192 are read: 1 of its settings did not fit"), "{notes:?}");
        // A 13 KB link keeps what can be used: its scenario and seed wherever they are, and the
        // settings that fit, in order; the note names what was dropped.
        let long = format!("v=2&server.workers=20&faults={}&s=healthy&seed=9&client.max_attempts=2", "crash@5..10,".repeat(1_100));
        let (s, notes) = decode(&long);
        assert_eq!((s.scenario.as_str(), s.seed, s.config.server.workers, s.config.client.max_attempts), ("healthy", 9, 20, 2), "{notes:?}");
        assert!(s.config.faults.is_empty());
        assert!(notes[0].starts_with("the link is 13,") && notes[0].contains("1 of its settings did not fit and was dropped ('faults')"), "{notes:?}");
        // A link of the same short part over and over is read as one part, in bounded time.
        let (s, notes) = decode(&"play=1&".repeat(300_000));
        assert!(s.play && notes.len() == 1 && notes[0].contains("its repeated parts are read once"), "{}", notes.len());
        let (_, notes) = decode("v=7");
        assert!(notes[0].contains("newer Backoff Lab"));
    }

    #[test]
    fn hundreds_of_broken_parts_are_said_in_eight_lines() {
        let query: Vec<String> = (0..400).map(|i| format!("junk{i}=1")).collect();
        let (state, notes) = decode(&format!("s=healthy&seed=9&{}", query.join("&")));
        assert_eq!((state.scenario.as_str(), state.seed), ("healthy", 9));
        assert_eq!(notes.len(), 8, "{notes:?}");
        assert!(notes[0].contains("'junk0'") && notes[7] == "393 more parts of this link could not be used either", "{notes:?}");
    }

    #[test]
    fn link_notes_are_specific_short_and_for_the_web() {
        // One bad fault does not drop the good ones, and each bad one is named.
        let (s, notes) = decode("?s=healthy&faults=crash@5..10,melt@1..2,load=3@20..30,slow@1..2");
        assert_eq!(s.config.faults.len(), 2, "{notes:?}");
        assert_eq!(notes.iter().filter(|n| n.starts_with("fault '")).count(), 2, "{notes:?}");
        // A repeated key and an unknown switch value are said, not ignored.
        let (s, notes) = decode("?s=healthy&server.workers=5&server.workers=7&embed=yes");
        assert_eq!(s.config.server.workers, 7);
        assert!(!s.embed);
        assert!(notes.iter().any(|n| n.contains("'server.workers' appears 2 times")), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("embed='yes' is not 1 or 0")), "{notes:?}");
        // Huge numbers, long values and empty keys give short notes that state the real range.
        let (_, notes) = decode(&format!("?s=healthy&load.rate_per_s=1e308&client.max_attempts=4294967297&b.server.workers=-3&={}", "x".repeat(3_000)));
        let all = notes.join("\n");
        assert!(notes.iter().all(|n| n.len() < 260), "{all}");
        assert!(all.contains("allowed 0 to 1,000,000 req/s"), "{all}");
        assert!(all.contains("allowed a whole number from 1 to 100 attempts"), "{all}");
        assert!(all.contains("allowed a whole number from 1 to 10,000 workers"), "{all}");
        assert!(all.contains("an empty key") && !all.contains("lab run --help"), "{all}");
    }

    #[test]
    fn exercise_links_start_from_the_exercise_and_keep_changes() {
        let (s, notes) = decode("?exercise=end-the-storm");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(s.exercise.as_deref(), Some("end-the-storm"));
        let mut changed = s.clone();
        changed.config.limiters.quota.enabled = true;
        let q = encode(&changed);
        assert!(q.contains("ex=end-the-storm") && q.contains("limiters.quota.enabled=true"), "{q}");
        assert_eq!(decode(&q).0, changed);
        assert!(decode("?exercise=nope").1[0].contains("there is no exercise 'nope'; exercises: flatten-cron"));
    }

    #[test]
    fn components_round_trip() {
        for s in ["crash@5..10,load=3@30..40", "a b&c=d%", "ümlaut"] {
            assert_eq!(decode_component(&encode_component(s)).as_deref(), Some(s));
        }
        assert_eq!(decode_component("%G1"), None);
        assert_eq!(decode_component("%4"), None);
    }

    #[test]
    fn links_of_format_1_open_the_lab_they_opened_before() {
        // Links written by the format-1 encoder before systems existed, and what they opened.
        let (s, notes) = decode(
            "?v=1&s=metastable-retry&seed=42&client.jitter=decorrelated&server.queue_limit=50&faults=load=3@30..40&b.limiters.quota.enabled=true&speed=2&play=1",
        );
        assert!(notes.is_empty(), "{notes:?}");
        let mut want = LinkState::from_scenario("metastable-retry").unwrap();
        want.seed = 42;
        want.config.client.jitter = JitterKind::Decorrelated;
        want.config.server.queue_limit = Some(50);
        want.config.faults = vec![Fault { kind: FaultKind::Load, start_s: 30.0, end_s: 40.0, value: 3.0 }];
        let mut b = want.config.clone();
        b.limiters.quota.enabled = true;
        want.compare = Some(b);
        want.speed = 2.0;
        want.play = true;
        assert_eq!(s, want);
        assert!(s.config.tiers.is_empty() && s.config.server.hosts == 1, "one service, as in format 1");
        let (s, notes) = decode("?v=1&s=synchronized-retries&seed=7&cmp=0");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(s.config, crate::scenarios::find("synchronized-retries").unwrap().config);
        assert_eq!(s.compare, None);
        // Format 0: the bare deep link.
        let (s, notes) = decode("?scenario=full-jitter");
        assert!(notes.is_empty());
        assert_eq!(s, LinkState::from_scenario("full-jitter").unwrap());
        // Format 2 writes its version, and a format-1 link encodes again as format 2 with the same state.
        let (s, _) = decode("?v=1&s=limit-queue&seed=9&client.max_attempts=5");
        let again = encode(&s);
        assert!(again.starts_with("v=2&s=limit-queue&seed=9"), "{again}");
        assert_eq!(decode(&again).0, s);
    }

    #[test]
    fn a_system_round_trips_with_its_tiers_faults_and_selected_tier() {
        let mut s = LinkState::from_scenario("retries-every-layer").unwrap();
        s.config = crate::keys::set(&s.config, "tiers", "4").unwrap();
        s.config = crate::keys::set(&s.config, "tiers.3.server.hosts", "3").unwrap();
        s.config = crate::keys::set(&s.config, "tiers.2.client.max_attempts", "1").unwrap();
        s.config = crate::keys::set(&s.config, "tier_faults", "3/2:crash@5..6").unwrap();
        s.tier = 3;
        let q = encode(&s);
        assert!(q.contains("tiers=4") && q.contains("tiers.3.server.hosts=3") && q.contains("tier=3"), "{q}");
        let (back, notes) = decode(&q);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(back, s);
        let (_, notes) = decode("?v=2&s=bad-host&tier=5");
        assert_eq!(notes, vec!["tier 5 does not exist in this lab (it has 1); showing the edge"]);
    }
}
