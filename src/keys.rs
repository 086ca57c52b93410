//! Dotted keys for every scalar parameter: `client.timeout_ms=500`, `server.queue_limit=none`.
//!
//! The CLI's `--set` takes them, its `--help` lists them from [`KEYS`] with their units and
//! defaults, and the page's share links will use the same names. A key's value is parsed by
//! the type of the field it names; the result is validated as a whole, so an out-of-range
//! value gets the same message everywhere.

use crate::sim::{Config, ConfigError, Fault, Ramp};
use serde_json::Value;

/// One documented key.
#[derive(Clone, Copy, Debug)]
pub struct KeyDoc {
    pub key: &'static str,
    /// The unit, or the allowed words for a choice.
    pub unit: &'static str,
    pub help: &'static str,
}

const fn k(key: &'static str, unit: &'static str, help: &'static str) -> KeyDoc {
    KeyDoc { key, unit, help }
}

/// Every scalar key, in the order `--help` shows them.
pub const KEYS: &[KeyDoc] = &[
    k("duration_s", "s", "simulated time the CLI runs (0.001 to 86400)"),
    k("load.rate_per_s", "req/s", "open-loop Poisson arrival rate (0 = off, up to 1000000)"),
    k("load.closed.clients", "clients", "closed-loop clients: send, wait for the outcome, think, repeat (0 = off, up to 100000)"),
    k("load.closed.think_ms", "ms", "mean think time of closed-loop clients (exponential; 1 to 3600000)"),
    k("load.periodic.clients", "clients", "periodic clients, one request each per period (0 = off, up to 100000)"),
    k("load.periodic.period_s", "s", "period of the periodic clients (0.01 to 86400)"),
    k("load.periodic.jittered", "bool", "false: all fire at the top of the period (cron at :00); true: random offset each period"),
    k("server.workers", "workers", "requests served at once (1 to 10000)"),
    k("server.service", "constant|exponential|lognormal", "service-time distribution"),
    k("server.service_ms", "ms", "mean service time without contention (0.001 to 600000)"),
    k("server.sigma", "", "log-normal shape: standard deviation of the log (0.01 to 3)"),
    k(
        "server.contention",
        "",
        "load-dependent latency: service time × (1 + contention × excess/workers), excess = requests in the server beyond the workers (0 to 10)",
    ),
    k("server.queue_limit", "requests|none", "most requests waiting; beyond it arrivals are rejected (0 = no queue, none = unbounded)"),
    k("server.discipline", "fifo|lifo", "which waiting request is served next"),
    k("server.drop_expired", "bool", "skip queued requests whose client already timed out (end-to-end back pressure)"),
    k("server.throttle.enabled", "bool", "server-side rate limit that rejects with a retry-after hint"),
    k("server.throttle.rate_per_s", "req/s", "throttle's admitted rate (0.1 to 1000000)"),
    k("server.throttle.burst", "requests", "throttle's burst (1 to 1000000)"),
    k("server.error_rate", "share", "share of served requests that fail (0 to 1)"),
    k("client.timeout_ms", "ms|none", "per-attempt timeout (1 to 600000, none = never)"),
    k("client.max_attempts", "attempts", "attempts per request including the first (1 = no retries, up to 100)"),
    k("client.retry_on.timeouts", "bool", "retry after a timeout"),
    k("client.retry_on.rejections", "bool", "retry after a queue-full rejection"),
    k("client.retry_on.throttles", "bool", "retry after a throttle"),
    k("client.retry_on.errors", "bool", "retry after an error"),
    k("client.backoff", "none|constant|exponential", "backoff before retry n (n = backoffs already taken, from 0): 0, base, or min(cap, base × 2^n)"),
    k("client.base_ms", "ms", "backoff base (0 to 600000; above 0 for decorrelated)"),
    k("client.cap_ms", "ms|none", "largest backoff (0 to 86400000, none = uncapped)"),
    k("client.jitter", "none|full|equal|decorrelated", "full = uniform(0, backoff), the talk's randint(0, base * 2 ** attempt)"),
    k("client.honor_retry_after", "bool", "wait out the throttle's retry-after hint, then the usual backoff"),
    k("client.network_ms", "ms", "one-way network delay each way (0 to 60000)"),
    k("limiters.quota.enabled", "bool", "AWS SDK standard-mode retry quota"),
    k("limiters.quota.capacity", "tokens", "quota size and starting level (1 to 1000000)"),
    k("limiters.quota.retry_cost", "tokens", "cost of a retry"),
    k("limiters.quota.timeout_cost", "tokens", "cost of a retry after a timeout"),
    k("limiters.quota.success_refund", "tokens", "refund for a first-try success (a successful retry refunds its cost)"),
    k("limiters.breaker.enabled", "bool", "circuit breaker (closed / open / half-open)"),
    k("limiters.breaker.failure_threshold", "share", "failure share over a full window that opens it (0.01 to 1)"),
    k("limiters.breaker.window", "calls", "sliding window of calls (1 to 100000)"),
    k("limiters.breaker.open_ms", "ms", "time spent open before half-open probes (1 to 3600000)"),
    k("limiters.breaker.half_open_probes", "calls", "trial calls while half-open (1 to 10000)"),
    k("limiters.adaptive.enabled", "bool", "AWS SDK adaptive mode: CUBIC client-side rate limiter, on from the first throttle"),
    k("limiters.adaptive.beta", "", "CUBIC multiplicative decrease (0.1 to 0.99)"),
    k("limiters.adaptive.scale", "", "CUBIC scale constant C (0.01 to 10)"),
    k("limiters.adaptive.smoothing", "", "smoothing of the measured rate (0.01 to 1)"),
    k("limiters.adaptive.bucket_s", "s", "rate measurement bucket (0.01 to 60)"),
    k("limiters.adaptive.min_rate_per_s", "req/s", "lowest send rate (0.01 to 1000)"),
    k("metrics.window_ms", "ms", "measurement window (1 to 3600000)"),
    k("metrics.max_windows", "windows", "history kept before old windows merge (16 to 1000000)"),
    k("metrics.max_live", "requests", "live requests before new ones are shed (100 to 10000000)"),
    k("metrics.trace_capacity", "events", "lifecycle events kept between polls (0 to 1000000)"),
];

fn bad(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { key: key.to_string(), message: message.into() }
}

/// The default value of `key`, as text.
pub fn default_of(key: &str) -> String {
    get(&Config::default(), key).unwrap_or_default()
}

/// The value of `key` in `cfg`, as text (`none` for an empty optional).
pub fn get(cfg: &Config, key: &str) -> Option<String> {
    let root = serde_json::to_value(cfg).ok()?;
    let v = key.split('.').try_fold(&root, |v, part| v.get(part))?;
    Some(match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
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
            Ok(Ramp { start_s: a.parse().map_err(|_| bad())?, end_s: b.parse().map_err(|_| bad())?, to_per_s: rate.parse().map_err(|_| bad())? })
        })
        .collect()
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
        _ => None,
    }
}

/// Returns `cfg` with `key` set to `value`, validated. `faults` and `load.ramps` take their
/// short forms (`crash@5..10,load=3@30..40`, `5..25:130`); every other key is one of [`KEYS`].
pub fn set(cfg: &Config, key: &str, value: &str) -> Result<Config, ConfigError> {
    if key == "faults" || key == "load.ramps" {
        let mut next = cfg.clone();
        if key == "faults" {
            next.faults = value.split(',').filter(|f| !f.trim().is_empty()).map(|f| Fault::parse(f.trim())).collect::<Result<_, _>>()?;
        } else {
            next.load.ramps = ramps_from_text(value)?;
        }
        next.validate()?;
        return Ok(next);
    }
    let mut root = serde_json::to_value(cfg).map_err(|e| bad(key, e.to_string()))?;
    let doc = KEYS.iter().find(|d| d.key == key);
    if doc.is_none() {
        let near: Vec<&str> = KEYS.iter().map(|d| d.key).filter(|k| k.ends_with(key.rsplit('.').next().unwrap_or(key))).collect();
        let hint = if near.is_empty() { String::new() } else { format!(" (did you mean {}?)", near.join(", ")) };
        return Err(bad(key, format!("unknown key{hint}; `lab run --help` lists every key")));
    }
    let mut slot = &mut root;
    for part in key.split('.') {
        slot = slot.get_mut(part).ok_or_else(|| bad(key, "unknown key; `lab run --help` lists every key"))?;
    }
    let unit = doc.map_or("", |d| d.unit);
    let optional = unit.ends_with("|none");
    let new = if optional && matches!(value, "none" | "null" | "") {
        Value::Null
    } else if unit == "bool" {
        match value.to_ascii_lowercase().as_str() {
            "true" | "on" | "yes" | "1" => Value::Bool(true),
            "false" | "off" | "no" | "0" => Value::Bool(false),
            _ => return Err(bad(key, format!("'{value}' is not true or false"))),
        }
    } else if unit.contains('|') && !optional {
        if !unit.split('|').any(|w| w == value) {
            return Err(bad(key, format!("'{value}' is not one of {}", unit.replace('|', ", "))));
        }
        Value::String(value.to_string())
    } else {
        let x: f64 = value.trim().parse().map_err(|_| {
            let none = if optional { " (or none)" } else { "" };
            bad(key, format!("'{value}' is not a number{none}"))
        })?;
        if !x.is_finite() {
            return Err(bad(key, format!("'{value}' is not a finite number")));
        }
        let integer = slot.is_u64() || (slot.is_null() && key == "server.queue_limit");
        if integer {
            if x < 0.0 || x.fract() != 0.0 || x > f64::from(u32::MAX) {
                return Err(bad(key, format!("'{value}' must be a whole number from 0 up")));
            }
            Value::from(x as u64)
        } else {
            Value::from(x)
        }
    };
    *slot = new;
    let out: Config = serde_json::from_value(root).map_err(|e| bad(key, format!("'{value}' does not fit: {e}")))?;
    out.validate()?;
    Ok(out)
}

/// Parses `key=value` and applies it.
pub fn apply_assignment(cfg: &Config, assignment: &str) -> Result<Config, ConfigError> {
    let (key, value) = assignment.split_once('=').ok_or_else(|| bad(assignment, "expected KEY=VALUE, e.g. client.timeout_ms=500"))?;
    set(cfg, key.trim(), value.trim())
}

/// The keys, units and defaults as a help text.
pub fn help_text() -> String {
    let width = KEYS.iter().map(|d| d.key.len()).max().unwrap_or(0);
    let mut out = String::new();
    for d in KEYS {
        let unit = if d.unit.is_empty() { String::new() } else { format!(" [{}]", d.unit) };
        out.push_str(&format!("  {:<width$}  {}{unit}; default {}\n", d.key, d.help, default_of(d.key)));
    }
    out.push_str(&format!("  {:<width$}  faults, comma separated: KIND[=VALUE]@START..END (crash@5..10,load=3@30..40); or --fault\n", "faults"));
    out.push_str(&format!("  {:<width$}  ramps, comma separated: START..END:RATE (5..25:130)\n", "load.ramps"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(KEYS.iter().any(|d| d.key == key), "{key} has no KeyDoc");
        }
        for d in KEYS {
            assert!(all.iter().any(|k| k == d.key), "{} is not a field", d.key);
        }
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
        assert_eq!(e.to_string(), "server.workers: 0 is out of range: allowed 1 to 10,000 workers");
        assert!(set(&c, "server.workers", "2.5").unwrap_err().message.contains("whole number"));
        assert!(set(&c, "client.jitter", "lots").unwrap_err().message.contains("none, full, equal, decorrelated"));
        assert!(set(&c, "timeout_ms", "5").unwrap_err().message.contains("did you mean client.timeout_ms"));
        assert!(set(&c, "client.max_attempts", "x").unwrap_err().message.contains("not a number"));
        assert!(apply_assignment(&c, "client.max_attempts").unwrap_err().message.contains("KEY=VALUE"));
    }
}
