//! Dotted keys for every scalar parameter: `client.timeout_ms=500`, `server.queue_limit=none`.
//!
//! The CLI's `--set` takes them, its `--help` lists them from [`PARAMS`] with their units,
//! ranges and defaults, and the page's controls and share links use the same names. Each key
//! is parsed and range-checked by its spec in [`crate::sim::params`]; the result is then
//! validated as a whole, so an out-of-range value gets the same message everywhere.

use crate::sim::params::{self, Applies, PARAMS, Param};
use crate::sim::{Config, ConfigError, Fault, Ramp, TierFault};

fn bad(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { key: key.to_string(), message: message.into() }
}

/// The default value of `key`, as text.
pub fn default_of(key: &str) -> String {
    get(&Config::default(), key).unwrap_or_default()
}

/// The value of `key` in `cfg`, as text (`none` for an empty optional); tier keys
/// (`tiers.2.client.max_attempts`) read tier 2.
pub fn get(cfg: &Config, key: &str) -> Option<String> {
    if let Some((n, sub)) = tier_key(key) {
        let p = params::find(sub).filter(|p| p.applies == Applies::EveryTier)?;
        return (1..=cfg.tiers.len()).contains(&n).then(|| p.text(&cfg.tier_view(n)));
    }
    params::find(key).map(|p| p.text(cfg))
}

/// The spec of `key`, a tier key (`tiers.2.server.hosts`) included.
pub fn spec(key: &str) -> Option<&'static Param> {
    match tier_key(key) {
        Some((_, sub)) => params::find(sub).filter(|p| p.applies == Applies::EveryTier),
        None => params::find(key),
    }
}

/// `tiers.N.REST` split into N and REST.
fn tier_key(key: &str) -> Option<(usize, &str)> {
    let rest = key.strip_prefix("tiers.")?;
    let (n, sub) = rest.split_once('.')?;
    Some((n.parse().ok()?, sub))
}

/// Every tier key `cfg` has (`tiers.1.server.workers`, …), tier by tier.
pub fn tier_keys(cfg: &Config) -> Vec<String> {
    (1..=cfg.tiers.len()).flat_map(|n| PARAMS.iter().filter(|p| p.applies == Applies::EveryTier).map(move |p| format!("tiers.{n}.{}", p.key))).collect()
}

/// `TIER[/HOST]:FAULT` entries, comma separated (`2:errors=1@0..60,0/3:slow=10@0..600`).
pub fn tier_faults_to_text(faults: &[TierFault]) -> String {
    faults.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

/// A key the user typed, shortened for a message.
fn shown(key: &str) -> String {
    params::quote(key, 60)
}

/// `START..END:RATE` ramps, comma separated (`5..25:130`), as links and `--set` write them.
pub fn ramps_to_text(ramps: &[Ramp]) -> String {
    ramps.iter().map(|r| format!("{}..{}:{}", r.start_s, r.end_s, r.to_per_s)).collect::<Vec<_>>().join(",")
}

fn ramps_from_text(s: &str) -> Result<Vec<Ramp>, ConfigError> {
    s.split(',')
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            let r = r.trim();
            let bad = || bad("load.ramps", format!("'{r}' is not START..END:RATE in seconds and requests/s, e.g. 5..25:130"));
            let (span, rate) = r.split_once(':').ok_or_else(bad)?;
            let (a, b) = span.split_once("..").ok_or_else(bad)?;
            let n = |t: &str| params::parse_number(t.trim()).ok_or_else(bad);
            Ok(Ramp { start_s: n(a)?, end_s: n(b)?, to_per_s: n(rate)? })
        })
        .collect()
}

/// Parses a comma-separated fault list (`crash@5..10,load=3@30..40`): the faults that parse,
/// and a message for each that does not. `--set` refuses the list on the first error; a link
/// keeps the good ones and notes the rest.
pub fn faults_from_text(value: &str) -> (Vec<Fault>, Vec<ConfigError>) {
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for f in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        match Fault::parse(f) {
            Ok(f) => good.push(f),
            Err(e) => bad.push(e),
        }
    }
    (good, bad)
}

/// Faults in their short form (`crash@5..10`), comma separated.
pub fn faults_to_text(faults: &[Fault]) -> String {
    faults.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

/// The value of a list key (`faults`, `load.ramps`) in its short form.
pub fn get_list(cfg: &Config, key: &str) -> Option<String> {
    match key {
        "faults" => Some(faults_to_text(&cfg.faults)),
        "load.ramps" => Some(ramps_to_text(&cfg.load.ramps)),
        "tier_faults" => Some(tier_faults_to_text(&cfg.tier_faults)),
        _ => None,
    }
}

/// Returns `cfg` with `key` set to `value`, validated. `faults` and `load.ramps` take their
/// short forms (`crash@5..10,load=3@30..40`, `5..25:130`); every other key is one of [`PARAMS`].
pub fn set(cfg: &Config, key: &str, value: &str) -> Result<Config, ConfigError> {
    let out = assign(cfg, key, value)?;
    out.validate()?;
    Ok(out)
}

/// Sets one key, checking only that key's own range. Checks that relate keys (a quota's costs
/// against its capacity) wait for [`Config::validate`] once every key is set, so a list of
/// assignments means the same in any order.
pub fn assign(cfg: &Config, key: &str, value: &str) -> Result<Config, ConfigError> {
    let mut next = cfg.clone();
    if key == "faults" {
        let (faults, errors) = faults_from_text(value);
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        next.faults = faults;
        return Ok(next);
    }
    if key == "load.ramps" {
        next.load.ramps = ramps_from_text(value)?;
        return Ok(next);
    }
    if key == "tier_faults" {
        // Each entry's message names it as validation does: tier_faults[i].
        next.tier_faults = value
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .enumerate()
            .map(|(i, f)| TierFault::parse(f).map_err(|e| bad(&format!("tier_faults[{i}]"), e.message)))
            .collect::<Result<_, _>>()?;
        return Ok(next);
    }
    if let Some((n, sub)) = tier_key(key) {
        let tiers = cfg.tiers.len() + 1;
        if n == 0 {
            return Err(bad(key, "tier 0 is the edge: set its server.* and client.* keys directly (tiers.N counts from 1)"));
        }
        let Some(tier) = next.tiers.get_mut(n - 1) else {
            return Err(bad(
                &shown(key),
                format!("tier {n} does not exist: this config has {tiers} tier{} (set tiers={} first)", if tiers == 1 { "" } else { "s" }, n + 1),
            ));
        };
        let Some(p) = params::find(sub).filter(|p| p.applies == Applies::EveryTier) else {
            return Err(bad(&shown(key), format!("'{}' is not a tier key: each tier takes the server.*, client.* and limiters.* keys", shown(sub))));
        };
        let v = p.parse(value).map_err(|m| bad(key, m))?;
        let mut view = cfg.tier_view(n).into_owned();
        if !(p.set)(&mut view, v) {
            return Err(bad(key, format!("not allowed: {}", p.range_text())));
        }
        tier.server = view.server;
        tier.client = view.client;
        tier.limiters = view.limiters;
        return Ok(next);
    }
    let Some(p) = params::find(key) else {
        let near = params::nearest(key);
        let hint = if near.is_empty() { String::new() } else { format!(" (did you mean {}?)", near.join(", ")) };
        let what = if key.trim().is_empty() { "an empty key".to_string() } else { format!("unknown key '{}'", shown(key)) };
        return Err(bad(&shown(key), format!("{what}{hint}; `lab run --help` (or the controls on the page) list every key")));
    };
    let v = p.parse(value).map_err(|m| bad(key, m))?;
    if !(p.set)(&mut next, v) {
        return Err(bad(key, format!("not allowed: {}", p.range_text())));
    }
    Ok(next)
}

/// Parses `key=value` and sets it, checking that key's range only (see [`assign`]); validate
/// the whole config once every assignment is in.
pub fn apply_assignment(cfg: &Config, assignment: &str) -> Result<Config, ConfigError> {
    let (key, value) = assignment.split_once('=').ok_or_else(|| bad(assignment, "expected KEY=VALUE, e.g. client.timeout_ms=500"))?;
    assign(cfg, key.trim(), value.trim())
}

/// The whole config as pretty JSON, written from the parameter spec (no serde at run time, so
/// the page carries no JSON serializer): the file `lab run --config FILE` reads back into the
/// very same config, which a test checks for random configs.
pub fn config_json(cfg: &Config) -> String {
    use crate::sim::params::Val;
    use std::fmt::Write;
    fn text(int: bool, v: Val) -> String {
        match v {
            Val::Num(x) if int && x.is_finite() => format!("{}", x as u64),
            Val::Num(x) if x.is_finite() => format!("{x:?}"),
            Val::Num(_) | Val::None => "null".into(),
            Val::Bool(b) => b.to_string(),
            Val::Word(w) => format!("\"{w}\""),
        }
    }
    // Nested objects from dotted keys, in table order (each group's keys are contiguous).
    let mut out = String::from("{");
    let mut open: Vec<&'static str> = Vec::new();
    let mut first = vec![true];
    let pad = |n: usize| "  ".repeat(n);
    let int = |p: &Param| p.kind == crate::sim::params::Kind::Int;
    let mut entries: Vec<(Vec<&'static str>, String)> =
        PARAMS.iter().filter(|p| p.key != "tiers").map(|p| (p.key.split('.').collect(), text(int(p), (p.get)(cfg)))).collect();
    let fault = |f: &Fault| {
        let kind = match f.kind {
            crate::sim::FaultKind::Capacity => "capacity",
            crate::sim::FaultKind::Slow => "slow",
            crate::sim::FaultKind::Errors => "errors",
            crate::sim::FaultKind::Load => "load",
            crate::sim::FaultKind::Restart => "restart",
        };
        format!("{{ \"kind\": \"{kind}\", \"start_s\": {:?}, \"end_s\": {:?}, \"value\": {:?} }}", f.start_s, f.end_s, f.value)
    };
    let faults: Vec<String> = cfg.faults.iter().map(fault).collect();
    let tier_faults: Vec<String> = cfg
        .tier_faults
        .iter()
        .map(|f| format!("{{ \"tier\": {}, \"host\": {}, \"fault\": {} }}", f.tier, f.host.map_or("null".into(), |h| h.to_string()), fault(&f.fault)))
        .collect();
    // Each tier as one compact object of its server and client, from the same table.
    let tiers: Vec<String> = cfg
        .tiers
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let view = cfg.tier_view(i + 1);
            let leaves: Vec<(Vec<&str>, String)> =
                PARAMS.iter().filter(|p| p.applies == Applies::EveryTier).map(|p| (p.key.split('.').collect(), text(int(p), (p.get)(&view)))).collect();
            compact(&leaves)
        })
        .collect();
    let ramps: Vec<String> =
        cfg.load.ramps.iter().map(|r| format!("{{ \"start_s\": {:?}, \"end_s\": {:?}, \"to_per_s\": {:?} }}", r.start_s, r.end_s, r.to_per_s)).collect();
    entries.push((vec!["tiers"], format!("[{}]", tiers.join(", "))));
    entries.push((vec!["tier_faults"], format!("[{}]", tier_faults.join(", "))));
    entries.push((vec!["load", "ramps"], format!("[{}]", ramps.join(", "))));
    entries.push((vec!["faults"], format!("[{}]", faults.join(", "))));
    // Group by path prefix: sort stably by the first component's first appearance.
    let mut order: Vec<&'static str> = Vec::new();
    for (path, _) in &entries {
        if !order.contains(&path[0]) {
            order.push(path[0]);
        }
    }
    let mut sorted: Vec<(Vec<&'static str>, String)> = Vec::new();
    for top in &order {
        let group: Vec<(Vec<&'static str>, String)> = entries.iter().filter(|(p, _)| p[0] == *top).cloned().collect();
        // Within a group, keep nested objects together (by their full prefix), in first-seen order.
        let mut prefixes: Vec<Vec<&'static str>> = Vec::new();
        for (p, _) in &group {
            let pre = p[..p.len() - 1].to_vec();
            if !prefixes.contains(&pre) {
                prefixes.push(pre);
            }
        }
        for pre in &prefixes {
            sorted.extend(group.iter().filter(|(p, _)| p[..p.len() - 1] == pre[..]).cloned());
        }
    }
    for (path, value) in sorted {
        // Close objects that this key is not inside, open the ones it is.
        let common = open.iter().zip(&path).take_while(|(a, b)| a == b).count();
        while open.len() > common {
            open.pop();
            first.pop();
            let _ = write!(out, "\n{}}}", pad(open.len() + 1));
        }
        for part in &path[common..path.len() - 1] {
            let comma = if std::mem::replace(first.last_mut().unwrap_or(&mut false), false) { "" } else { "," };
            let _ = write!(out, "{comma}\n{}\"{part}\": {{", pad(open.len() + 1));
            open.push(part);
            first.push(true);
        }
        let comma = if std::mem::replace(first.last_mut().unwrap_or(&mut false), false) { "" } else { "," };
        let _ = write!(out, "{comma}\n{}\"{}\": {value}", pad(open.len() + 1), path[path.len() - 1]);
    }
    while !open.is_empty() {
        open.pop();
        let _ = write!(out, "\n{}}}", pad(open.len() + 1));
    }
    out.push_str("\n}\n");
    out
}

/// Nested objects on one line from (path, value) leaves in table order, keys of one object together.
fn compact(leaves: &[(Vec<&str>, String)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < leaves.len() {
        let head = leaves[i].0[0];
        if leaves[i].0.len() == 1 {
            parts.push(format!("\"{head}\": {}", leaves[i].1));
            i += 1;
            continue;
        }
        let mut group = Vec::new();
        while i < leaves.len() && leaves[i].0.len() > 1 && leaves[i].0[0] == head {
            group.push((leaves[i].0[1..].to_vec(), leaves[i].1.clone()));
            i += 1;
        }
        parts.push(format!("\"{head}\": {}", compact(&group)));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// The keys, units and defaults as a help text.
pub fn help_text() -> String {
    let width = PARAMS.iter().map(|d| d.key.len()).max().unwrap_or(0);
    let mut out = String::new();
    for d in PARAMS {
        out.push_str(&format!("  {:<width$}  {}; {}; default {}\n", d.key, d.help(), d.range_text(), default_of(d.key)));
    }
    out.push_str(&format!("  {:<width$}  faults, comma separated: KIND[=VALUE]@START..END (crash@5..10,load=3@30..40,restart@10); or --fault\n", "faults"));
    out.push_str(&format!("  {:<width$}  ramps, comma separated: START..END:RATE (5..25:130)\n", "load.ramps"));
    out.push_str(&format!(
        "  {:<width$}  tier N (1 to tiers-1, below the edge) takes every server.*, client.* and limiters.* key above; its client and limiters are how the tier above calls it (tiers.2.client.max_attempts=3)\n",
        "tiers.N.KEY"
    ));
    out.push_str(&format!(
        "  {:<width$}  faults on one tier or host, comma separated: TIER[/HOST]:FAULT, from 0 (2:errors=1@0..60,0/3:slow=10@0..600)\n",
        "tier_faults"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn leaves(prefix: &str, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    leaves(&p, v, out);
                }
            }
            Value::Array(_) => {}
            _ => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn every_scalar_field_is_documented_and_every_key_exists() {
        let mut all = Vec::new();
        leaves("", &serde_json::to_value(Config::default()).unwrap(), &mut all);
        for key in &all {
            assert!(PARAMS.iter().any(|d| d.key == key), "{key} has no KeyDoc");
        }
        // `tiers` is the number of tiers, written as the `tiers` list.
        for d in PARAMS.iter().filter(|d| d.key != "tiers") {
            assert!(all.iter().any(|k| k == d.key), "{} is not a field", d.key);
        }
    }

    #[test]
    fn config_json_written_from_the_spec_reads_back_the_same() {
        let mut c = crate::scenarios::find("aws-sdk-2026").unwrap().config;
        c.load.ramps.push(Ramp { start_s: 1.0, end_s: 2.5, to_per_s: 90.123456789 });
        c.faults.push(crate::sim::Fault::parse("restart@12.5").unwrap());
        c.client.timeout_ms = None;
        c.server.service_ms = 0.1 + 0.2;
        let json = config_json(&c);
        let back: Config = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
        assert_eq!(back, c);
        let v: Value = serde_json::from_str(&config_json(&Config::default())).unwrap();
        assert_eq!(v, serde_json::to_value(Config::default()).unwrap(), "the same document serde writes");
    }

    #[test]
    fn set_parses_by_type_and_validates() {
        let c = Config::default();
        let c = set(&c, "client.timeout_ms", "500").unwrap();
        assert_eq!(c.client.timeout_ms, Some(500.0));
        let c = set(&c, "client.timeout_ms", "none").unwrap();
        assert_eq!(c.client.timeout_ms, None);
        let c = set(&c, "server.queue_limit", "50").unwrap();
        assert_eq!(c.server.queue_limit, Some(50));
        let c = set(&c, "client.jitter", "decorrelated").unwrap();
        let c = set(&c, "server.drop_expired", "on").unwrap();
        assert!(c.server.drop_expired);
        let c = apply_assignment(&c, "faults=capacity=0.5@5..10,load=3@30..40").unwrap();
        assert_eq!(c.faults.len(), 2);
        assert_eq!(get_list(&c, "faults").as_deref(), Some("capacity=0.5@5..10,load=3@30..40"));
        let c = set(&c, "load.ramps", "5..25:130").unwrap();
        assert_eq!(c.load.ramps, vec![Ramp { start_s: 5.0, end_s: 25.0, to_per_s: 130.0 }]);
        assert!(set(&c, "load.ramps", "5-25").unwrap_err().message.contains("START..END:RATE"));
        assert_eq!(get(&c, "client.jitter").as_deref(), Some("decorrelated"));

        let e = set(&c, "server.workers", "0").unwrap_err();
        assert_eq!(e.to_string(), "server.workers: 0 is out of range: allowed a whole number from 1 to 10,000 workers");
        // Cross-field checks do not depend on the order keys are set in.
        let small = set(&Config::default(), "limiters.quota.capacity", "2");
        assert!(small.unwrap_err().message.contains("lower limiters.quota.retry_cost or raise the capacity"));
        assert!(set(&c, "server.workers", "2.5").unwrap_err().message.contains("whole number"));
        assert!(set(&c, "client.jitter", "lots").unwrap_err().message.contains("none, full, equal, decorrelated"));
        assert!(set(&c, "timeout_ms", "5").unwrap_err().message.contains("did you mean client.timeout_ms"));
        assert!(set(&c, "client.max_attempts", "x").unwrap_err().message.contains("not a number"));
        assert!(apply_assignment(&c, "client.max_attempts").unwrap_err().message.contains("KEY=VALUE"));
    }

    #[test]
    fn tier_keys_set_each_tier_from_the_same_specs() {
        let c = set(&Config::default(), "tiers", "3").unwrap();
        assert_eq!(c.tiers.len(), 2);
        let c = set(&c, "tiers.2.client.max_attempts", "4").unwrap();
        assert_eq!(c.tiers[1].client.max_attempts, 4);
        assert_eq!(get(&c, "tiers.2.client.max_attempts").as_deref(), Some("4"));
        let c = set(&c, "tiers.1.server.balancer", "two_choices").unwrap();
        assert_eq!(c.tiers[0].server.balancer, crate::sim::Balancer::TwoChoices);
        let c = apply_assignment(&c, "tier_faults=2:errors=1@0..60, 1/0:slow=10@5..10").unwrap();
        assert_eq!(get_list(&c, "tier_faults").as_deref(), Some("2:errors=1@0..60,1/0:slow=10@5..10"));
        c.validate().unwrap();
        assert_eq!(set(&c, "tiers.3.server.workers", "5").unwrap_err().message, "tier 3 does not exist: this config has 3 tiers (set tiers=4 first)");
        assert!(set(&c, "tiers.0.server.workers", "5").unwrap_err().message.contains("tier 0 is the edge"));
        assert!(set(&c, "tiers.1.load.rate_per_s", "5").unwrap_err().message.contains("not a tier key"));
        assert!(set(&c, "tiers.1.limiters.quota.enabled", "true").unwrap().tiers[0].limiters.quota.enabled);
        assert_eq!(
            set(&c, "tiers.1.server.workers", "0").unwrap_err().to_string(),
            "tiers.1.server.workers: 0 is out of range: allowed a whole number from 1 to 10,000 workers"
        );
        assert!(set(&c, "tier_faults", "5:crash@1..2").unwrap_err().message.contains("numbered 0 (the edge) to 2"));
        assert!(set(&c, "tier_faults", "x").unwrap_err().message.contains("TIER[/HOST]:FAULT"));
        // Fewer tiers drop the faults of the tiers that went.
        let two = set(&c, "tiers", "2").unwrap();
        assert_eq!(get_list(&two, "tier_faults").as_deref(), Some("1/0:slow=10@5..10"));
        // The config file written from the spec reads back the same, tiers and all.
        let json = config_json(&c);
        let back: Config = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
        assert_eq!(back, c);
        assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), serde_json::to_value(&c).unwrap());
    }
}
