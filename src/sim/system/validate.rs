//! What a system config may hold beyond the single service's checks: the tiers' own ranges
//! (from the same parameter specs, keys prefixed `tiers.N.`), faults aimed at tiers and hosts,
//! and the parts the multi-tier engine does not model (closed-loop and periodic users,
//! contention), refused by name.

use super::super::config::{Config, ConfigError, FaultKind, MAX_TIERS, err};

/// Whether `cfg` needs the multi-tier engine: tiers below the edge, more than one host, or
/// faults aimed at a tier or host.
pub fn is_system(cfg: &Config) -> bool {
    !cfg.tiers.is_empty() || cfg.server.hosts > 1 || !cfg.tier_faults.is_empty()
}

/// The checks of [`Config::validate`] that concern tiers.
pub fn validate(cfg: &Config) -> Result<(), ConfigError> {
    if cfg.tiers.len() + 1 > MAX_TIERS {
        return Err(err("tiers", format!("{} tiers; at most {MAX_TIERS} are allowed, the edge included", cfg.tiers.len() + 1)));
    }
    for (i, t) in cfg.tiers.iter().enumerate() {
        // Each tier's server and client take the same ranges as the edge's, from the same specs.
        let one = Config { server: t.server.clone(), client: t.client.clone(), limiters: t.limiters.clone(), ..Config::default() };
        one.validate().map_err(|e| err(format!("tiers.{}.{}", i + 1, e.key), e.message))?;
    }
    if !is_system(cfg) {
        return Ok(());
    }
    let n = cfg.tiers.len() + 1;
    let what = format!(
        "a system of {n} tier{} with {} host{} at the edge",
        if n == 1 { "" } else { "s" },
        cfg.server.hosts,
        if cfg.server.hosts == 1 { "" } else { "s" }
    );
    let only_one = |key: &str, what_it_is: &str| {
        err(key, format!("{what_it_is} is modelled for one service only, and this is {what}; turn it off, or use one tier with one host"))
    };
    if cfg.load.closed.clients > 0 {
        return Err(only_one("load.closed.clients", "closed-loop load"));
    }
    if cfg.load.periodic.clients > 0 {
        return Err(only_one("load.periodic.clients", "periodic load"));
    }
    let servers =
        std::iter::once(("server".to_string(), &cfg.server)).chain(cfg.tiers.iter().enumerate().map(|(i, t)| (format!("tiers.{}.server", i + 1), &t.server)));
    for (prefix, s) in servers {
        if s.contention > 0.0 {
            return Err(only_one(&format!("{prefix}.contention"), "contention"));
        }
    }
    for (i, f) in cfg.tier_faults.iter().enumerate() {
        let key = format!("tier_faults[{i}]");
        let Some(hosts) = cfg.tier(f.tier as usize).map(|(s, ..)| s.hosts) else {
            return Err(err(key, format!("tier {} does not exist: tiers are numbered 0 (the edge) to {}", f.tier, n - 1)));
        };
        if let Some(h) = f.host {
            if h >= hosts {
                return Err(err(
                    key,
                    format!("host {h} does not exist: tier {} has {hosts} host{}, numbered 0 to {}", f.tier, if hosts == 1 { "" } else { "s" }, hosts - 1),
                ));
            }
        }
        if f.fault.kind == FaultKind::Load {
            return Err(err(key, "a load fault acts on the users, not on a tier; put it in faults"));
        }
        let one = Config { faults: vec![f.fault.clone()], ..Config::default() };
        one.validate().map_err(|e| err(key.clone(), e.message))?;
    }
    Ok(())
}
