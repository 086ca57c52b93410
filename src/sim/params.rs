//! One spec per parameter: its dotted key, label, unit, allowed range, help, how the page shows
//! it, and how to read and write it in a [`Config`].
//!
//! Everything that talks about a parameter reads this table: [`Config::validate`] checks the
//! ranges and words its messages from it, the CLI's `--set` and `--help` parse and list from
//! it, the page's sliders, choices and tooltips are built from it, and share links encode and
//! decode through it. So a range is written once, and the message a learner gets always
//! states the range the slider and the engine really allow.

use super::config::*;

/// A parameter's value, as the spec reads and writes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    Num(f64),
    Bool(bool),
    /// One of the parameter's words (an enum's snake_case name).
    Word(&'static str),
    /// An optional parameter left empty (`none`).
    None,
}

/// What kind of value a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// Any finite number in the range.
    Float,
    /// A whole number in the range.
    Int,
    Bool,
    /// One of these words.
    Words(&'static [&'static str]),
}

/// How the page shows a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ui {
    /// A slider over a teaching range (inside the allowed range) with a number box that takes
    /// any allowed value.
    Slider { min: f64, max: f64, step: f64 },
    /// A select of (value, label) pairs.
    Options(&'static [(&'static str, &'static str)]),
    /// Only in links, files and the CLI.
    Hidden,
}

/// Conversion between a config field and a [`Val`].
pub trait Field: Sized {
    fn to_val(&self) -> Val;
    fn from_val(v: Val) -> Option<Self>;
}

impl Field for f64 {
    fn to_val(&self) -> Val {
        Val::Num(*self)
    }
    fn from_val(v: Val) -> Option<f64> {
        if let Val::Num(x) = v { Some(x) } else { None }
    }
}

impl Field for u32 {
    fn to_val(&self) -> Val {
        Val::Num(f64::from(*self))
    }
    fn from_val(v: Val) -> Option<u32> {
        match v {
            Val::Num(x) if x >= 0.0 && x <= f64::from(u32::MAX) && x.fract() == 0.0 => Some(x as u32),
            _ => None,
        }
    }
}

impl Field for bool {
    fn to_val(&self) -> Val {
        Val::Bool(*self)
    }
    fn from_val(v: Val) -> Option<bool> {
        if let Val::Bool(b) = v { Some(b) } else { None }
    }
}

impl<T: Field> Field for Option<T> {
    fn to_val(&self) -> Val {
        self.as_ref().map_or(Val::None, Field::to_val)
    }
    fn from_val(v: Val) -> Option<Option<T>> {
        if v == Val::None { Some(None) } else { T::from_val(v).map(Some) }
    }
}

macro_rules! words {
    ($t:ty { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl Field for $t {
            fn to_val(&self) -> Val {
                Val::Word(match self { $(<$t>::$variant => $word),+ })
            }
            fn from_val(v: Val) -> Option<$t> {
                match v { $(Val::Word($word) => Some(<$t>::$variant),)+ _ => None }
            }
        }
    };
}

words!(ServiceDist { Constant => "constant", Exponential => "exponential", Lognormal => "lognormal" });
words!(Discipline { Fifo => "fifo", Lifo => "lifo" });
words!(BackoffKind { None => "none", Constant => "constant", Exponential => "exponential" });
words!(Balancer { RoundRobin => "round_robin", Random => "random", LeastOutstanding => "least_outstanding", TwoChoices => "two_choices" });
words!(JitterKind { None => "none", Full => "full", Equal => "equal", Decorrelated => "decorrelated" });

/// One parameter.
pub struct Param {
    /// Dotted key, e.g. `client.timeout_ms`: links, `--set`, config files and element ids.
    pub key: &'static str,
    /// Short label for the page.
    pub label: &'static str,
    /// Unit (`ms`, `req/s`, `workers`; empty for none).
    pub unit: &'static str,
    pub kind: Kind,
    /// Allowed range for numbers (inclusive); unused for booleans and words.
    pub min: f64,
    pub max: f64,
    /// For an optional parameter, what `none` means ("no timeout").
    pub none_means: Option<&'static str>,
    pub ui: Ui,
    /// The page's group of controls it sits in (`None`: not a control on the page).
    pub group: Option<Group>,
    /// Where it applies: the edge only (load, the run, measurements), or every tier (each
    /// tier's server, the client policy and limiters of the calls into it).
    pub applies: Applies,
    pub get: fn(&Config) -> Val,
    pub set: fn(&mut Config, Val) -> bool,
}

/// A group of controls on the page, in the order the page shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Load,
    /// Tiers, hosts and the balancer (an embed's `controls=server` shows it with the server).
    System,
    Server,
    Client,
    Limiters,
}

impl Group {
    pub const ALL: [Group; 5] = [Group::Load, Group::System, Group::Server, Group::Client, Group::Limiters];

    /// Its id in links (`controls=load,server`) and in element ids.
    pub fn id(self) -> &'static str {
        match self {
            Group::Load => "load",
            Group::System => "system",
            Group::Server => "server",
            Group::Client => "client",
            Group::Limiters => "limiters",
        }
    }

    /// Its legend on the page.
    pub fn name(self) -> &'static str {
        match self {
            Group::Load => "Load",
            Group::System => "System",
            Group::Server => "Server",
            Group::Client => "Client",
            Group::Limiters => "Limiters",
        }
    }

    /// The group an embed link names to show this one (the system goes with the server).
    pub fn filter_id(self) -> &'static str {
        if self == Group::System { Group::Server.id() } else { self.id() }
    }
}

/// Where a parameter applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// The whole lab or the edge's users: `load.*`, `metrics.*`, `duration_s`, `tiers`.
    Edge,
    /// Each tier has its own (`tiers.N.KEY`): `server.*`, `client.*`, `limiters.*`.
    EveryTier,
}

const fn starts_with(s: &str, prefix: &str) -> bool {
    let (s, p) = (s.as_bytes(), prefix.as_bytes());
    if p.len() > s.len() {
        return false;
    }
    let mut i = 0;
    while i < p.len() {
        if s[i] != p[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A parameter's place, from its key: the prefix names its group and where it applies; the
/// shape of the system (tiers, hosts, balancer) is its own group.
const fn place(key: &str, ui: &Ui) -> (Option<Group>, Applies) {
    let applies = if starts_with(key, "server.") || starts_with(key, "client.") || starts_with(key, "limiters.") { Applies::EveryTier } else { Applies::Edge };
    let group = if matches!(ui, Ui::Hidden) {
        None
    } else if starts_with(key, "tiers") || starts_with(key, "server.hosts") || starts_with(key, "server.balancer") {
        Some(Group::System)
    } else if starts_with(key, "load.") {
        Some(Group::Load)
    } else if starts_with(key, "server.") {
        Some(Group::Server)
    } else if starts_with(key, "client.") {
        Some(Group::Client)
    } else if starts_with(key, "limiters.") {
        Some(Group::Limiters)
    } else {
        None
    };
    (group, applies)
}

macro_rules! param {
    ($key:literal, $label:literal, $unit:literal, $kind:expr, $min:expr, $max:expr, $none:expr, $ui:expr, $($f:ident).+) => {
        Param {
            key: $key,
            // The page never shows a hidden parameter's label: its wasm leaves the text out.
            label: if cfg!(target_arch = "wasm32") && matches!($ui, Ui::Hidden) { "" } else { $label },
            unit: $unit,
            kind: $kind,
            min: $min,
            max: $max,
            none_means: $none,
            ui: $ui,
            group: place($key, &$ui).0,
            applies: place($key, &$ui).1,
            get: |c| Field::to_val(&c.$($f).+),
            set: |c, v| match Field::from_val(v) {
                Some(x) => {
                    c.$($f).+ = x;
                    true
                }
                None => false,
            },
        }
    };
}

const ON_OFF: Ui = Ui::Options(&[("false", "off"), ("true", "on")]);
const fn slider(min: f64, max: f64, step: f64) -> Ui {
    Ui::Slider { min, max, step }
}
use Kind::{Bool, Float, Int, Words};
const H: Ui = Ui::Hidden;
const MAX_F: f64 = 1_000_000.0;

/// Every scalar parameter, in the order `--help` and the page show them.
pub const PARAMS: &[Param] = &[
    param!("duration_s", "Duration", "s", Float, 0.001, 86_400.0, None, H, duration_s),
    Param {
        key: "tiers",
        label: "Tiers",
        unit: "tiers",
        kind: Int,
        min: 1.0,
        max: MAX_TIERS as f64,
        none_means: None,
        ui: slider(1.0, MAX_TIERS as f64, 1.0),
        group: Some(Group::System),
        applies: Applies::Edge,
        get: |c| Val::Num((c.tiers.len() + 1) as f64),
        // New tiers below take the defaults; fewer tiers drop the bottom ones and their faults.
        set: |c, v| match u32::from_val(v) {
            Some(n) if n >= 1 => {
                c.tiers.resize(n as usize - 1, TierConfig::default());
                c.tier_faults.retain(|f| f.tier < n);
                true
            }
            _ => false,
        },
    },
    param!("load.rate_per_s", "Open-loop rate", "req/s", Float, 0.0, MAX_F, None, slider(0.0, 2_000.0, 1.0), load.rate_per_s),
    param!("load.closed.clients", "Closed-loop clients", "clients", Int, 0.0, 100_000.0, None, slider(0.0, 1_000.0, 1.0), load.closed.clients),
    param!("load.closed.think_ms", "Think time", "ms", Float, 1.0, 3_600_000.0, None, slider(1.0, 10_000.0, 1.0), load.closed.think_ms),
    param!("load.periodic.clients", "Periodic jobs", "clients", Int, 0.0, 100_000.0, None, slider(0.0, 10_000.0, 10.0), load.periodic.clients),
    param!("load.periodic.period_s", "Period", "s", Float, 0.01, 86_400.0, None, slider(0.1, 120.0, 0.1), load.periodic.period_s),
    param!(
        "load.periodic.jittered",
        "Periodic timing",
        "",
        Bool,
        0.0,
        0.0,
        None,
        Ui::Options(&[("false", "aligned (cron at :00)"), ("true", "jittered")]),
        load.periodic.jittered
    ),
    param!("server.workers", "Workers", "workers", Int, 1.0, 10_000.0, None, slider(1.0, 200.0, 1.0), server.workers),
    param!("server.service_ms", "Mean service time", "ms", Float, 0.001, 600_000.0, None, slider(1.0, 1_000.0, 1.0), server.service_ms),
    param!(
        "server.service",
        "Service-time shape",
        "",
        Words(&["constant", "exponential", "lognormal"]),
        0.0,
        0.0,
        None,
        Ui::Options(&[("constant", "constant"), ("exponential", "exponential"), ("lognormal", "log-normal (long tail)")]),
        server.service
    ),
    param!("server.sigma", "Log-normal shape", "", Float, 0.01, 3.0, None, H, server.sigma),
    param!("server.contention", "Contention", "×", Float, 0.0, 10.0, None, slider(0.0, 5.0, 0.1), server.contention),
    param!(
        "server.queue_limit",
        "Queue limit",
        "requests",
        Int,
        0.0,
        1_000_000.0,
        Some("unbounded"),
        Ui::Options(&[("none", "unbounded"), ("0", "0 (no queue)"), ("10", "10"), ("50", "50"), ("100", "100"), ("500", "500"), ("2000", "2,000")]),
        server.queue_limit
    ),
    param!(
        "server.discipline",
        "Queue order",
        "",
        Words(&["fifo", "lifo"]),
        0.0,
        0.0,
        None,
        Ui::Options(&[("fifo", "FIFO"), ("lifo", "LIFO (newest first)")]),
        server.discipline
    ),
    param!("server.drop_expired", "Drop expired work (deadlines)", "", Bool, 0.0, 0.0, None, ON_OFF, server.drop_expired),
    param!("server.throttle.enabled", "Throttle with retry-after", "", Bool, 0.0, 0.0, None, ON_OFF, server.throttle.enabled),
    param!("server.throttle.rate_per_s", "Throttle rate", "req/s", Float, 0.1, MAX_F, None, slider(1.0, 2_000.0, 1.0), server.throttle.rate_per_s),
    param!("server.throttle.burst", "Throttle burst", "requests", Float, 1.0, MAX_F, None, H, server.throttle.burst),
    param!("server.error_rate", "Error rate", "share", Float, 0.0, 1.0, None, H, server.error_rate),
    param!("server.hosts", "Hosts", "hosts", Int, 1.0, 64.0, None, slider(1.0, 16.0, 1.0), server.hosts),
    param!(
        "server.balancer",
        "Load balancer",
        "",
        Words(&["round_robin", "random", "least_outstanding", "two_choices"]),
        0.0,
        0.0,
        None,
        Ui::Options(&[
            ("round_robin", "round robin"),
            ("random", "random"),
            ("least_outstanding", "least outstanding requests"),
            ("two_choices", "power of two choices")
        ]),
        server.balancer
    ),
    param!(
        "client.timeout_ms",
        "Timeout",
        "ms",
        Float,
        1.0,
        600_000.0,
        Some("no timeout"),
        Ui::Options(&[
            ("none", "none"),
            ("100", "100 ms"),
            ("250", "250 ms"),
            ("500", "500 ms"),
            ("1000", "1 s"),
            ("2000", "2 s"),
            ("5000", "5 s"),
            ("10000", "10 s")
        ]),
        client.timeout_ms
    ),
    param!("client.max_attempts", "Max attempts", "attempts", Int, 1.0, 100.0, None, slider(1.0, 10.0, 1.0), client.max_attempts),
    param!("client.retry_on.timeouts", "Retry timeouts", "", Bool, 0.0, 0.0, None, H, client.retry_on.timeouts),
    param!("client.retry_on.rejections", "Retry rejections", "", Bool, 0.0, 0.0, None, H, client.retry_on.rejections),
    param!("client.retry_on.throttles", "Retry throttles", "", Bool, 0.0, 0.0, None, H, client.retry_on.throttles),
    param!("client.retry_on.errors", "Retry errors", "", Bool, 0.0, 0.0, None, H, client.retry_on.errors),
    param!(
        "client.backoff",
        "Backoff",
        "",
        Words(&["none", "constant", "exponential"]),
        0.0,
        0.0,
        None,
        Ui::Options(&[("none", "none (retry at once)"), ("constant", "constant"), ("exponential", "exponential")]),
        client.backoff
    ),
    param!("client.base_ms", "Backoff base", "ms", Float, 0.0, 600_000.0, None, slider(0.0, 2_000.0, 1.0), client.base_ms),
    param!("client.throttle_base_ms", "Backoff base after a throttle", "ms", Float, 0.0, 600_000.0, Some("the same as the base"), H, client.throttle_base_ms),
    param!(
        "client.cap_ms",
        "Backoff cap",
        "ms",
        Float,
        0.0,
        86_400_000.0,
        Some("no cap"),
        Ui::Options(&[("none", "none"), ("1000", "1 s"), ("2000", "2 s"), ("5000", "5 s"), ("10000", "10 s"), ("20000", "20 s"), ("60000", "60 s")]),
        client.cap_ms
    ),
    param!(
        "client.jitter",
        "Jitter",
        "",
        Words(&["none", "full", "equal", "decorrelated"]),
        0.0,
        0.0,
        None,
        Ui::Options(&[("none", "none"), ("full", "full"), ("equal", "equal"), ("decorrelated", "decorrelated")]),
        client.jitter
    ),
    param!("client.honor_retry_after", "Honour retry-after", "", Bool, 0.0, 0.0, None, H, client.honor_retry_after),
    param!("client.network_ms", "Network delay", "ms", Float, 0.0, 60_000.0, None, H, client.network_ms),
    param!("limiters.quota.enabled", "Retry quota (AWS standard)", "", Bool, 0.0, 0.0, None, ON_OFF, limiters.quota.enabled),
    param!("limiters.quota.capacity", "Quota size", "tokens", Float, 1.0, MAX_F, None, H, limiters.quota.capacity),
    param!("limiters.quota.retry_cost", "Retry cost", "tokens", Float, 0.0, MAX_F, None, H, limiters.quota.retry_cost),
    param!("limiters.quota.timeout_cost", "Retry-after-timeout cost", "tokens", Float, 0.0, MAX_F, None, H, limiters.quota.timeout_cost),
    param!("limiters.quota.throttle_cost", "Retry-after-throttle cost", "tokens", Float, 0.0, MAX_F, None, H, limiters.quota.throttle_cost),
    param!("limiters.quota.success_refund", "Success refund", "tokens", Float, 0.0, MAX_F, None, H, limiters.quota.success_refund),
    param!("limiters.budget.enabled", "Retry budget (Finagle)", "", Bool, 0.0, 0.0, None, ON_OFF, limiters.budget.enabled),
    param!("limiters.budget.ratio", "Budget ratio", "share", Float, 0.01, 1.0, None, H, limiters.budget.ratio),
    param!("limiters.budget.min_per_s", "Budget floor", "retries/s", Float, 0.0, MAX_F, None, H, limiters.budget.min_per_s),
    param!("limiters.budget.ttl_s", "Budget TTL", "s", Float, 1.0, 3_600.0, None, H, limiters.budget.ttl_s),
    param!("limiters.throttling.enabled", "Client-side throttling (SRE)", "", Bool, 0.0, 0.0, None, ON_OFF, limiters.throttling.enabled),
    param!("limiters.throttling.k", "Throttling K", "", Float, 1.0, 10.0, None, H, limiters.throttling.k),
    param!("limiters.throttling.window_s", "Throttling window", "s", Float, 1.0, 3_600.0, None, H, limiters.throttling.window_s),
    param!("limiters.grpc.enabled", "gRPC retry throttling", "", Bool, 0.0, 0.0, None, ON_OFF, limiters.grpc.enabled),
    param!("limiters.grpc.max_tokens", "gRPC max tokens", "tokens", Float, 1.0, 1_000.0, None, H, limiters.grpc.max_tokens),
    param!("limiters.grpc.token_ratio", "gRPC token ratio", "tokens", Float, 0.001, 1.0, None, H, limiters.grpc.token_ratio),
    param!("limiters.breaker.enabled", "Circuit breaker", "", Bool, 0.0, 0.0, None, ON_OFF, limiters.breaker.enabled),
    param!("limiters.breaker.failure_threshold", "Breaker threshold", "share", Float, 0.01, 1.0, None, H, limiters.breaker.failure_threshold),
    param!("limiters.breaker.window", "Breaker window", "calls", Int, 1.0, 100_000.0, None, H, limiters.breaker.window),
    param!("limiters.breaker.open_ms", "Breaker open for", "ms", Float, 1.0, 3_600_000.0, None, slider(100.0, 60_000.0, 100.0), limiters.breaker.open_ms),
    param!("limiters.breaker.half_open_probes", "Half-open probes", "calls", Int, 1.0, 10_000.0, None, H, limiters.breaker.half_open_probes),
    param!("limiters.adaptive.enabled", "Adaptive rate (AWS adaptive)", "", Bool, 0.0, 0.0, None, ON_OFF, limiters.adaptive.enabled),
    param!("limiters.adaptive.beta", "CUBIC beta", "", Float, 0.1, 0.99, None, H, limiters.adaptive.beta),
    param!("limiters.adaptive.scale", "CUBIC scale", "", Float, 0.01, 10.0, None, H, limiters.adaptive.scale),
    param!("limiters.adaptive.smoothing", "Rate smoothing", "", Float, 0.01, 1.0, None, H, limiters.adaptive.smoothing),
    param!("limiters.adaptive.bucket_s", "Rate bucket", "s", Float, 0.01, 60.0, None, H, limiters.adaptive.bucket_s),
    param!("limiters.adaptive.min_rate_per_s", "Lowest send rate", "req/s", Float, 0.01, 1_000.0, None, H, limiters.adaptive.min_rate_per_s),
    param!("metrics.window_ms", "Measurement window", "ms", Float, 1.0, 3_600_000.0, None, H, metrics.window_ms),
    param!("metrics.max_windows", "History kept", "windows", Int, 16.0, 100_000.0, None, H, metrics.max_windows),
    param!("metrics.max_live", "Live cap", "requests", Int, 100.0, 500_000.0, None, H, metrics.max_live),
    param!("metrics.trace_capacity", "Trace capacity", "events", Int, 0.0, 1_000_000.0, None, H, metrics.trace_capacity),
];

/// The spec for `key`.
pub fn find(key: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.key == key)
}

/// At most `max` characters of text a user gave, with "…" when cut: every message that quotes
/// input quotes it through this, so a 10 MB value never comes back whole.
pub fn quote(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// A number as people read it: whole numbers with thousands separators, others as written.
pub fn num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        let digits = format!("{}", x.abs() as u64);
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && digits.len() > 4 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        if x < 0.0 { format!("-{out}") } else { out }
    } else if x.is_finite() && (x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-6)) {
        // Huge or tiny values in short scientific form, never hundreds of digits.
        format!("{x:.3e}")
    } else {
        format!("{x}")
    }
}

impl Param {
    /// One sentence of help (tooltips, `--help`), from `www/lessons.txt` (`## param.KEY`): the
    /// page fetches it after the first paint instead of carrying it in its wasm.
    pub fn help(&self) -> String {
        crate::texts::text(&format!("param.{}", self.key))
    }

    /// The allowed range in words: "1 to 10,000 workers (or none for no timeout)".
    pub fn range_text(&self) -> String {
        match self.kind {
            Kind::Bool => "true or false".into(),
            Kind::Words(ws) => format!("one of {}", ws.join(", ")),
            Kind::Float | Kind::Int => {
                let unit = if self.unit.is_empty() { String::new() } else { format!(" {}", self.unit) };
                let whole = if self.kind == Kind::Int { "a whole number from " } else { "" };
                let none = self.none_means.map_or(String::new(), |m| format!(" (or none for {m})"));
                format!("{whole}{} to {}{unit}{none}", num(self.min), num(self.max))
            }
        }
    }

    /// The value in `cfg` as text (`none` for an empty optional).
    pub fn text(&self, cfg: &Config) -> String {
        match (self.get)(cfg) {
            Val::Num(x) => format!("{x}"),
            Val::Bool(b) => b.to_string(),
            Val::Word(w) => w.to_string(),
            Val::None => "none".into(),
        }
    }

    /// Checks a value against the range; the message says what is allowed.
    pub fn check(&self, v: Val) -> Result<(), String> {
        match (self.kind, v) {
            (Kind::Float | Kind::Int, Val::Num(x)) => {
                let whole = self.kind == Kind::Float || x.fract() == 0.0;
                if x.is_finite() && whole && x >= self.min && x <= self.max {
                    Ok(())
                } else if x.is_finite() && !whole {
                    Err(format!("{} is not a whole number: allowed {}", num(x), self.range_text()))
                } else {
                    Err(format!("{} is out of range: allowed {}", num(x), self.range_text()))
                }
            }
            (_, Val::None) if self.none_means.is_some() => Ok(()),
            (Kind::Bool, Val::Bool(_)) => Ok(()),
            (Kind::Words(ws), Val::Word(w)) if ws.contains(&w) => Ok(()),
            _ => Err(format!("not allowed: {}", self.range_text())),
        }
    }

    /// Parses text for this parameter (range checked), as `--set`, links and the page give it.
    pub fn parse(&self, text: &str) -> Result<Val, String> {
        let t = text.trim();
        let shown = quote(t, 40);
        if self.none_means.is_some() && matches!(t, "none" | "null" | "") {
            return Ok(Val::None);
        }
        let v = match self.kind {
            Kind::Bool => match t.to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Val::Bool(true),
                "false" | "off" | "no" | "0" => Val::Bool(false),
                _ => return Err(format!("'{shown}' is not true or false")),
            },
            Kind::Words(ws) => match ws.iter().find(|w| **w == t) {
                Some(w) => Val::Word(w),
                None => return Err(format!("'{shown}' is not one of {}", ws.join(", "))),
            },
            Kind::Float | Kind::Int => match parse_number(t) {
                Some(x) if x.is_finite() => Val::Num(x),
                _ => {
                    let none = self.none_means.map_or(String::new(), |_| " (or none)".into());
                    return Err(format!("'{shown}' is not a number{none}: allowed {}", self.range_text()));
                }
            },
        };
        self.check(v)?;
        Ok(v)
    }
}

/// Parses a decimal number (`120`, `-0.5`, `1e6`, `2.5E-3`), as Rust's `str::parse::<f64>`
/// does for these forms; `None` for anything else (words such as `inf` and `nan` included).
///
/// Why not `str::parse`: in the page's download, its tables of powers of five cost 12 KB
/// gzipped. Numbers of up to 15 significant digits with exponents up to ±22, which is every
/// number a slider, a link or a learner writes, are read exactly (Clinger's fast path: an
/// exact mantissa times an exact power of ten, rounded once). Natively every other number goes
/// to `str::parse`; in the page it is read to within a few parts in 10^16.
pub fn parse_number(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let (negative, mut i) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let (mut mantissa, mut digits, mut exp10, mut any) = (0u64, 0u32, 0i32, false);
    let mut seen_point = false;
    while i < b.len() {
        match b[i] {
            d @ b'0'..=b'9' => {
                any = true;
                if digits < 19 {
                    mantissa = mantissa * 10 + u64::from(d - b'0');
                    if mantissa > 0 {
                        digits += 1;
                    }
                    if seen_point {
                        exp10 -= 1;
                    }
                } else if !seen_point {
                    // Digits past 19 only scale the number.
                    exp10 += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if i < b.len() {
        if !matches!(b[i], b'e' | b'E') {
            return None;
        }
        let rest = &text[i + 1..];
        let digits_only = rest.strip_prefix(['+', '-']).unwrap_or(rest);
        if digits_only.is_empty() || !digits_only.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // Saturate: 1e999999999 is simply too large.
        let e: i32 = digits_only.bytes().take(6).fold(0i32, |a, c| a * 10 + i32::from(c - b'0'));
        exp10 = exp10.saturating_add(if rest.starts_with('-') { -e } else { e });
    }
    const EXACT: [f64; 23] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
    let x = if mantissa == 0 {
        0.0
    } else if mantissa <= 1 << 53 && exp10.unsigned_abs() <= 22 {
        let m = mantissa as f64;
        if exp10 >= 0 { m * EXACT[exp10 as usize] } else { m / EXACT[(-exp10) as usize] }
    } else {
        inexact(text, mantissa, exp10)?
    };
    Some(if negative { -x } else { x })
}

#[cfg(not(target_arch = "wasm32"))]
fn inexact(text: &str, _: u64, _: i32) -> Option<f64> {
    text.parse::<f64>().ok().map(f64::abs)
}

#[cfg(target_arch = "wasm32")]
fn inexact(_: &str, mantissa: u64, exp10: i32) -> Option<f64> {
    // Two steps keep 10^exp10 finite where the result is.
    let half = exp10 / 2;
    Some(mantissa as f64 * 10f64.powi(half) * 10f64.powi(exp10 - half))
}

/// Checks every parameter's range in `cfg`; the first problem, in table order.
pub fn check_all(cfg: &Config) -> Result<(), ConfigError> {
    for p in PARAMS {
        p.check((p.get)(cfg)).map_err(|message| ConfigError { key: p.key.to_string(), message })?;
    }
    Ok(())
}

/// The keys nearest to `key` (by edit distance), at most three, nearest first.
pub fn nearest(key: &str) -> Vec<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let key: String = key.chars().take(80).collect();
    // (distance, then the key's place in PARAMS: the order the page lists them) as one number
    // each, and 128-bit as every unstable sort the page carries, so that it carries one such
    // routine (the engine's).
    let mut scored: Vec<u128> = PARAMS
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let last = p.key.rsplit('.').next().unwrap_or(p.key);
            (distance(&key, p.key).min(distance(&key, last)) as u128) << 32 | i as u128
        })
        .collect();
    scored.sort_unstable();
    let limit = (key.len() / 2).max(2) as u128;
    scored.into_iter().filter(|k| k >> 32 <= limit).take(3).map(|k| PARAMS[k as u32 as usize].key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_has_a_group_and_every_tier_key_its_place() {
        let in_group = |g: Group| PARAMS.iter().filter(|p| p.group == Some(g)).map(|p| p.key).collect::<Vec<_>>();
        assert_eq!(in_group(Group::System), ["tiers", "server.hosts", "server.balancer"]);
        assert_eq!(in_group(Group::Client), ["client.timeout_ms", "client.max_attempts", "client.backoff", "client.base_ms", "client.cap_ms", "client.jitter"]);
        for p in PARAMS {
            assert_eq!(p.group.is_some(), !matches!(p.ui, Ui::Hidden), "{}: a control has a group, a hidden parameter none", p.key);
            let every = ["server.", "client.", "limiters."].iter().any(|x| p.key.starts_with(x));
            assert_eq!(p.applies == Applies::EveryTier, every, "{}", p.key);
        }
    }

    #[test]
    fn every_param_reads_and_writes_its_own_field() {
        let cfg = Config::default();
        for p in PARAMS {
            let v = (p.get)(&cfg);
            let mut c = cfg.clone();
            assert!((p.set)(&mut c, v), "{}", p.key);
            assert_eq!(c, cfg, "{}", p.key);
            p.check(v).unwrap_or_else(|e| panic!("{} default: {e}", p.key));
            if let Ui::Slider { min, max, .. } = p.ui {
                assert!(min >= p.min && max <= p.max, "{}: the slider must stay inside the allowed range", p.key);
            }
        }
        let keys: Vec<&str> = PARAMS.iter().map(|p| p.key).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len(), "keys are unique");
    }

    #[test]
    fn messages_state_the_real_range() {
        let w = find("server.workers").unwrap();
        assert_eq!(w.parse("1e18").unwrap_err(), "1.000e18 is out of range: allowed a whole number from 1 to 10,000 workers");
        assert_eq!(w.parse("-3").unwrap_err(), "-3 is out of range: allowed a whole number from 1 to 10,000 workers");
        let a = find("client.max_attempts").unwrap();
        assert!(a.parse("4294967297").unwrap_err().contains("from 1 to 100 attempts"));
        let t = find("client.timeout_ms").unwrap();
        assert_eq!(t.parse("none"), Ok(Val::None));
        assert!(t.parse("1e308").unwrap_err().len() < 120, "no 309-digit numbers");
        assert!(find("load.rate_per_s").unwrap().parse(&"9".repeat(10_000)).unwrap_err().len() < 120);
        assert_eq!(nearest("timeout_ms")[0], "client.timeout_ms");
        assert!(nearest("").len() <= 3);
    }

    #[test]
    fn numbers_read_as_rust_reads_them() {
        for t in [
            "0",
            "120",
            "-0.5",
            "+3",
            "1e6",
            "2.5E-3",
            "0.1",
            "90.123456789",
            "100.",
            ".5",
            "1e308",
            "1e-300",
            "0.30000000000000004",
            "123456789012345678901234",
            "1e22",
            "1e23",
            "4e-7",
            "600000",
            "86400000",
            "0.001",
            "-0",
            "9007199254740993",
        ] {
            assert_eq!(parse_number(t), t.parse::<f64>().ok(), "{t}");
        }
        for t in ["", "-", ".", "e5", "1e", "1e+", "1.2.3", "abc", "inf", "NaN", "1,5", "0x10", " 1"] {
            assert_eq!(parse_number(t), None, "{t:?}");
        }
        assert_eq!(parse_number("1e400"), Some(f64::INFINITY));
    }
}
