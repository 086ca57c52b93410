//! One run of either engine: the single service ([`Sim`]) or a system of tiers ([`System`]),
//! chosen by the config, behind one interface for the CLI, sweeps and the page.
//!
//! A config with one tier and one host runs the single-service engine, with every load shape
//! and limiter and its measured speed; tiers, hosts or tier faults run the system engine. The
//! edge (tier 0) as its users see it is "the service" of the interface, so every chart and
//! verdict reads either engine the same way.

use super::system::{self, System, TierSummary};
use super::*;

/// `cfg` as tier `t` sees it: that tier's server, client and limiters (the calls into it)
/// in the edge's places, and every fault of every tier, so charts of one tier still show the
/// trigger wherever it acts.
/// The edge of a config without tier faults is the config itself, and is not copied.
pub fn tier_view(cfg: &Config, t: usize) -> std::borrow::Cow<'_, Config> {
    let parts = cfg.tier(t).filter(|_| t > 0);
    if parts.is_none() && cfg.tier_faults.is_empty() {
        return std::borrow::Cow::Borrowed(cfg);
    }
    let mut view = cfg.clone();
    if let Some((server, client, limiters)) = parts {
        (view.server, view.client, view.limiters) = (server.clone(), client.clone(), limiters.clone());
    }
    view.faults.extend(cfg.tier_faults.iter().map(|f| f.fault.clone()));
    std::borrow::Cow::Owned(view)
}

/// A run of whichever engine the config needs.
pub enum Lab {
    Single(Box<Sim>),
    System(Box<System>),
}

impl Lab {
    /// A new run at time 0. Fails with the first invalid parameter.
    pub fn new(cfg: Config, seed: u64) -> Result<Lab, ConfigError> {
        Ok(if system::is_system(&cfg) { Lab::System(Box::new(System::new(cfg, seed)?)) } else { Lab::Single(Box::new(Sim::new(cfg, seed)?)) })
    }

    /// Changes parameters from now on. A change the running engine cannot take live (a new
    /// number of tiers or hosts, or a move between one service and a system) starts a new run
    /// from time 0 on the same seed, and returns `Ok(false)`. On error nothing changes.
    pub fn set_config(&mut self, cfg: Config) -> Result<bool, ConfigError> {
        let live = match self {
            Lab::Single(s) if !system::is_system(&cfg) => s.set_config(cfg.clone()).map(|()| true)?,
            Lab::System(s) if system::is_system(&cfg) => s.set_config(cfg.clone())?,
            _ => false,
        };
        if !live {
            *self = Lab::new(cfg, self.seed())?;
        }
        Ok(live)
    }

    /// Starts again at time 0 with the same config and `seed`.
    pub fn reset(&mut self, seed: u64) {
        match self {
            Lab::Single(s) => s.reset(seed),
            Lab::System(s) => s.reset(seed),
        }
    }

    pub fn config(&self) -> &Config {
        match self {
            Lab::Single(s) => s.config(),
            Lab::System(s) => s.config(),
        }
    }

    pub fn seed(&self) -> u64 {
        match self {
            Lab::Single(s) => s.seed(),
            Lab::System(s) => s.seed(),
        }
    }

    pub fn now(&self) -> SimTime {
        match self {
            Lab::Single(s) => s.now(),
            Lab::System(s) => s.now(),
        }
    }

    pub fn advance_to(&mut self, target: SimTime, max_events: u64) -> Advance {
        match self {
            Lab::Single(s) => s.advance_to(target, max_events),
            Lab::System(s) => s.advance_to(target, max_events),
        }
    }

    /// Runs to `config.duration_s`; the edge's summary.
    pub fn run_to_end(&mut self) -> Summary {
        match self {
            Lab::Single(s) => s.run_to_end(),
            Lab::System(s) => s.run_to_end(),
        }
    }

    /// The edge's closed windows, as its users saw it.
    pub fn windows(&self) -> &[Window] {
        self.tier_windows(0)
    }

    /// Tier `t`'s closed windows as its callers saw it (only tier 0 for one service).
    pub fn tier_windows(&self, t: usize) -> &[Window] {
        match self {
            Lab::Single(s) if t == 0 => s.windows(),
            Lab::Single(_) => &[],
            Lab::System(s) => s.windows(t),
        }
    }

    pub fn current_window(&self) -> &Window {
        match self {
            Lab::Single(s) => s.current_window(),
            Lab::System(s) => s.current_window(0).unwrap_or_else(|| unreachable!("a system has an edge")),
        }
    }

    /// The edge's run so far, as its users saw it.
    pub fn summary(&self) -> Summary {
        match self {
            Lab::Single(s) => s.summary(),
            Lab::System(s) => s.summary(0),
        }
    }

    /// Every tier, edge first; `None` for one service.
    pub fn tiers(&self) -> Option<Vec<TierSummary>> {
        match self {
            Lab::Single(_) => None,
            Lab::System(s) => Some(s.tier_summaries()),
        }
    }

    /// The system, when this is one.
    pub fn system(&self) -> Option<&System> {
        match self {
            Lab::Single(_) => None,
            Lab::System(s) => Some(s),
        }
    }

    /// The single service, when this is one.
    pub fn single(&self) -> Option<&Sim> {
        match self {
            Lab::Single(s) => Some(s),
            Lab::System(_) => None,
        }
    }

    /// The edge now (for a system: all its hosts together).
    pub fn status(&self) -> Status {
        match self {
            Lab::Single(s) => s.status(),
            Lab::System(s) => {
                let g = s.gauges(0);
                let (users, calls) = s.live();
                Status {
                    now: s.now(),
                    queue: g.queue,
                    busy: g.busy,
                    capacity: g.capacity,
                    live_requests: users,
                    live_attempts: calls,
                    tokens: None,
                    breaker: None,
                    send_rate: None,
                    live_cap_reached: s.live_cap_reached(),
                    events: s.events(),
                }
            }
        }
    }

    /// Lifecycle events for the animation (none yet for a system: its topology strip shows it).
    pub fn poll_trace(&mut self) -> (Vec<TraceEvent>, u64) {
        match self {
            Lab::Single(s) => s.poll_trace(),
            Lab::System(_) => (Vec::new(), 0),
        }
    }

    /// Bytes the engine's own buffers hold now (see [`Sim::approx_bytes`]).
    pub fn approx_bytes(&self) -> usize {
        match self {
            Lab::Single(s) => s.approx_bytes(),
            Lab::System(s) => s.approx_bytes(),
        }
    }
}
