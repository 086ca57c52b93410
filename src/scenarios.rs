//! Named scenarios that follow the talk's argument. Each has a stable id (links and the CLI
//! use it), a title, a seed and a full configuration; its story and what to look for are in
//! `www/lessons.txt` (see [`crate::texts`]).

use crate::sim::*;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: &'static str,
    pub title: &'static str,
    pub seed: u64,
    pub config: Config,
    /// A second side that opens beside this one in compare mode (same seed and arrivals).
    pub compare: Option<Config>,
}

/// The retry storm's base (Brooker's stability-sim `metastable-retry`): 70 req/s against
/// 100 req/s of capacity (10 workers, mean 0.1 s), 1 s timeouts, 3 immediate retries, half the
/// capacity crashes from 5 s to 10 s. The mitigations after it change one thing each.
const STORM: &str = "client.max_attempts=4 client.backoff=none client.jitter=none faults=capacity=0.5@5..10";

/// Three tiers (edge, middle, bottom) at 100 user requests/s. The edge and the middle do 1 ms
/// of work on 1,000 workers each; the bottom has 20 workers at 20 ms (1,000 calls/s, 10 %
/// busy). Users try 3 times with a 4 s timeout; the edge calls the middle with 1 s timeouts,
/// the middle calls the bottom with 300 ms timeouts.
const LAYERED: &str = "tiers=3 load.rate_per_s=100 server.workers=1000 server.service_ms=1 client.timeout_ms=4000 \
    tiers.1.server.workers=1000 tiers.1.server.service_ms=1 tiers.1.client.base_ms=50 \
    tiers.2.server.workers=20 tiers.2.server.service_ms=20 tiers.2.client.timeout_ms=300 tiers.2.client.base_ms=20";

/// Every scenario as (id, title, seed, its settings, the compare side's changes), each setting
/// a `key=value` of [`crate::keys`] over the model's defaults. Written as data rather than code:
/// in the page's download a struct literal per scenario cost four times as much.
/// One row of [`TABLE`]: id, title, seed, settings, the compare side's changes.
type Row = (&'static str, &'static str, u64, &'static [&'static str], Option<&'static str>);

const TABLE: &[Row] = &[
    ("healthy", "A healthy service", 1, &["client.max_attempts=4"], None),
    ("overload", "Overload: latency, then timeouts", 2, &["client.max_attempts=1 load.ramps=5..25:130"], None),
    ("metastable-retry", "The retry storm that does not end", 3, &[STORM], None),
    ("limit-queue", "Limit the queue", 3, &[STORM, "server.queue_limit=50"], None),
    ("limit-retries", "Limit retries", 3, &[STORM, "client.max_attempts=1"], None),
    ("exponential-backoff", "Exponential backoff (no jitter)", 3, &[STORM, "client.backoff=exponential"], None),
    ("full-jitter", "Backoff with full jitter", 3, &[STORM, "client.backoff=exponential client.jitter=full"], None),
    // 2,000 jobs every 10 s, against 20 workers at 50 ms (400 jobs/s).
    (
        "cron-aligned",
        "Cron at the top of the minute",
        4,
        &["load.rate_per_s=0 load.periodic.clients=2000 load.periodic.period_s=10 server.workers=20 server.service_ms=50"],
        None,
    ),
    (
        "cron-jittered",
        "Cron with jitter",
        4,
        &["load.rate_per_s=0 load.periodic.clients=2000 load.periodic.period_s=10 load.periodic.jittered=true server.workers=20 server.service_ms=50"],
        None,
    ),
    ("retry-quota", "A retry token bucket (AWS SDK standard mode)", 3, &[STORM, "limiters.quota.enabled=true"], None),
    ("circuit-breaker", "A circuit breaker", 3, &[STORM, "limiters.breaker.enabled=true limiters.breaker.open_ms=5000"], None),
    ("deadline-lifo", "End-to-end back pressure with deadlines", 3, &[STORM, "server.discipline=lifo server.drop_expired=true"], None),
    // 120 req/s against a server throttle of 80/s.
    (
        "adaptive",
        "Adaptive client rate limiting (AWS SDK adaptive mode)",
        5,
        &["load.rate_per_s=120 server.throttle.enabled=true server.throttle.rate_per_s=80 limiters.adaptive.enabled=true"],
        None,
    ),
    // 2,000 req/s held 500 ms each by 1,300 workers; a restart at 10 s resets 1,000 at once.
    (
        "synchronized-retries",
        "A restart and synchronised retries",
        7,
        &[
            "duration_s=40 load.rate_per_s=2000 server.workers=1300 server.service=constant server.service_ms=500 client.max_attempts=4 client.base_ms=1000 client.jitter=none faults=restart@10",
        ],
        Some("client.jitter=full"),
    ),
    // The storm's crash against 140 closed-loop clients that think 1 s between requests.
    (
        "closed-backoff",
        "Backoff in a closed system",
        3,
        &[STORM, "load.rate_per_s=0 load.closed.clients=140 client.base_ms=200 client.cap_ms=10000"],
        Some("client.backoff=exponential"),
    ),
    (
        "backoff-cap",
        "Backoff makes recovery long",
        8,
        &["load.rate_per_s=50 server.queue_limit=20 client.max_attempts=8 client.base_ms=500 client.cap_ms=60000 client.jitter=none faults=crash@5..15"],
        Some("client.cap_ms=2000"),
    ),
    // Up past capacity over 60 s, then slowly down to 10 req/s.
    (
        "hysteresis",
        "Hysteresis: easy to break, hard to mend",
        3,
        &[STORM, "duration_s=270 load.rate_per_s=50 server.queue_limit=300 load.ramps=0..60:150,60..240:10 faults="],
        None,
    ),
    // AWS SDK standard mode before 10 November 2026 and after (MODEL-NOTES.md).
    (
        "aws-sdk-2026",
        "AWS SDK retries: standard mode before and after November 2026",
        3,
        &["limiters.quota.enabled=true faults=capacity=0.5@5..10"],
        Some("client.base_ms=50 client.throttle_base_ms=1000 limiters.quota.retry_cost=14 limiters.quota.timeout_cost=14"),
    ),
    // The bottom fails every call from 10 to 20 s; each layer above it tries 3 times.
    ("retries-every-layer", "Retries at every layer multiply", 1, &[LAYERED, "tier_faults=2:errors=1@10..20"], None),
    (
        "retry-at-one-layer",
        "Retry at one layer only",
        1,
        &[LAYERED, "tiers.1.client.max_attempts=1 tiers.2.client.max_attempts=1 tier_faults=2:errors=1@10..20"],
        None,
    ),
    // Users give up after 1 s; the tiers below wait 10 s; the bottom is 20× slow from 10 to 20 s.
    (
        "deadline-propagation",
        "Deadlines that travel",
        1,
        &[
            LAYERED,
            "client.timeout_ms=1000 tiers.1.client.timeout_ms=10000 tiers.1.client.max_attempts=1 tiers.2.client.timeout_ms=10000 tiers.2.client.max_attempts=1 tier_faults=2:slow=20@10..20",
        ],
        Some("server.drop_expired=true tiers.1.server.drop_expired=true tiers.2.server.drop_expired=true"),
    ),
    // 8 hosts of 4 workers at 50 ms behind a balancer at 300 req/s (47 % busy); host 3 is 10× slow.
    (
        "bad-host",
        "One bad host behind a load balancer",
        4,
        &["load.rate_per_s=300 server.workers=4 server.service_ms=50 server.hosts=8 tier_faults=0/3:slow=10@0..86400"],
        Some("server.balancer=least_outstanding"),
    ),
    ("mmc", "M/M/10 at 80 % load", 6, &["duration_s=600 load.rate_per_s=80 client.timeout_ms=none client.max_attempts=1"], None),
];

/// `base` with each `key=value` of `settings` (space separated) applied in order.
fn apply(base: &Config, settings: &[&str]) -> Config {
    let mut cfg = base.clone();
    for a in settings.iter().flat_map(|s| s.split_whitespace()) {
        // Every setting is checked by the tests below; a bad one would leave the config as it was.
        cfg = crate::keys::apply_assignment(&cfg, a).unwrap_or(cfg);
    }
    cfg
}

/// Every scenario, in teaching order, then those a trainer's pack added.
pub fn all() -> Vec<Scenario> {
    let mut all = builtin();
    all.extend(PACK.with(|p| p.borrow().clone()));
    all
}

/// The lab's own scenarios, in teaching order.
fn builtin() -> Vec<Scenario> {
    TABLE
        .iter()
        .map(|&(id, title, seed, settings, compare)| {
            let config = apply(&Config::default(), settings);
            let compare = compare.map(|b| apply(&config, &[b]));
            Scenario { id, title, seed, config, compare }
        })
        .collect()
}

/// Whether `id` is one of the lab's own scenarios (read from the table, no config built).
pub fn is_builtin(id: &str) -> bool {
    TABLE.iter().any(|t| t.0 == id)
}

/// One of the lab's own scenarios (a pack's lab starts from one of these, never from another
/// pack's lab).
pub fn find_builtin(id: &str) -> Result<Scenario, String> {
    builtin().into_iter().find(|s| s.id == id).ok_or_else(|| unknown(id))
}

thread_local! {
    /// The labs of the trainer's packs loaded, as scenarios ([`read_pack`]).
    static PACK: std::cell::RefCell<Vec<Scenario>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads the labs of a trainer's pack (`lab.ID.title`, `.start` and `.story` in `texts`, from
/// [`crate::pack`]) as scenarios, once its texts have joined the lessons: in the picker, with
/// their story, shared by their id and the pack's name. A lab whose start cannot be read, or
/// whose id is one of the lab's own, is not one (the pack's panel names the problem). Their ids
/// and titles are kept for the page's life: a pack is read once, and is a few short texts.
pub(crate) fn read_pack(texts: &crate::texts::Texts) {
    let labs = texts.keys().filter_map(|k| k.strip_prefix("lab.")?.strip_suffix(".title")).filter(|id| !is_builtin(id));
    let labs = labs
        .filter_map(|id| {
            let field = |f: &str| texts.get(&format!("lab.{id}.{f}")).unwrap_or("");
            let (_, seed, config) = crate::exercises::parse_start_with(field("start"), find_builtin).ok()?;
            Some(Scenario { id: Box::leak(id.into()), title: Box::leak(field("title").into()), seed, config, compare: None })
        })
        .collect();
    PACK.with(|p| *p.borrow_mut() = labs);
}

impl Scenario {
    /// The story, from `www/lessons.txt` (empty in the page until the texts arrive).
    pub fn story(&self) -> String {
        let story = crate::texts::text(&format!("scenario.{}.story", self.id));
        if story.is_empty() { crate::texts::text(&format!("lab.{}.story", self.id)) } else { story }
    }

    /// What to look for, measured on the scenario's seed in `tests/lessons.rs`.
    pub fn look_for(&self) -> String {
        crate::texts::text(&format!("scenario.{}.look_for", self.id))
    }
}

/// The scenario with this id, or a short message saying how many there are.
pub fn find(id: &str) -> Result<Scenario, String> {
    all().into_iter().find(|s| s.id == id).ok_or_else(|| unknown(id))
}

fn unknown(id: &str) -> String {
    format!("unknown scenario '{}': there are {}, from healthy to {}", crate::sim::params::quote(id, 40), TABLE.len(), ids_last())
}

/// Up to three ids that share words with `id` ("metastable-retri" → metastable-retry, …),
/// most shared first, for a message (the CLI's; the page offers a list instead).
pub fn nearest(id: &str) -> Vec<&'static str> {
    let words: Vec<String> = id.to_ascii_lowercase().split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() > 2).map(str::to_string).collect();
    // Most words in common first, ties in the table's order: (fewer missing, index) as one
    // number each, and 128-bit as every unstable sort the page carries, so that it carries one
    // such routine (the engine's).
    let mut near: Vec<u128> = TABLE
        .iter()
        .enumerate()
        .map(|(i, t)| (t.0.split('-').filter(|w| words.iter().any(|x| x.starts_with(w) || w.starts_with(x.as_str()))).count(), i))
        .filter(|(k, _)| *k > 0)
        .map(|(k, i)| (u128::from(u32::MAX) - k as u128) << 32 | i as u128)
        .collect();
    near.sort_unstable();
    near.into_iter().take(3).map(|k| TABLE[k as u32 as usize].0).collect()
}

/// The last scenario's id, for messages.
fn ids_last() -> &'static str {
    TABLE.last().map_or("", |t| t.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_configs_valid() {
        let all = all();
        assert!(all.len() >= 10);
        for (i, s) in all.iter().enumerate() {
            s.config.validate().unwrap_or_else(|e| panic!("{}: {e}", s.id));
            if let Some(b) = &s.compare {
                b.validate().unwrap_or_else(|e| panic!("{} (compare side): {e}", s.id));
            }
            assert!(all[..i].iter().all(|o| o.id != s.id), "duplicate {}", s.id);
        }
        assert_eq!(find("nope").unwrap_err(), format!("unknown scenario 'nope': there are {}, from healthy to mmc", all.len()));
        assert_eq!(nearest("metastable-retri")[0], "metastable-retry");
    }

    #[test]
    fn every_setting_applies() {
        for &(id, _, _, settings, compare) in TABLE {
            let mut cfg = Config::default();
            for a in settings.iter().chain(compare.iter()).flat_map(|s| s.split_whitespace()) {
                cfg = crate::keys::apply_assignment(&cfg, a).unwrap_or_else(|e| panic!("{id}: {a}: {e}"));
            }
        }
    }
}
