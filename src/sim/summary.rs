//! What each tier reports: its status now (queue, workers, limiter gauges, live work), its
//! windows and summary as its callers saw it, per-host counts, wasted work and exact
//! amplification. The edge (tier 0) as its users see it is "the service" of a single-service
//! lab, so every chart and verdict reads one service and a system the same way.

use super::metrics::{Gauges, Metrics, Summary, Window};
use super::*;
use serde::Serialize;

/// The instantaneous state of one tier, for headline numbers and the animation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Status {
    pub now: SimTime,
    /// Which tier this is (0 is the edge).
    pub tier: u32,
    /// Attempts queued at the tier's hosts.
    pub queue: u32,
    pub busy: u32,
    /// Workers available now (configured, less any capacity fault), all hosts.
    pub capacity: u32,
    /// Logical calls into the tier not yet ended (user requests at the edge), including those
    /// waiting to retry.
    pub live_requests: u32,
    /// Attempts into the tier alive (in the network, queued, in service, or awaited).
    pub live_attempts: u32,
    /// The retry quota's tokens on calls into this tier.
    pub tokens: Option<f64>,
    pub breaker: Option<BreakerState>,
    /// Adaptive mode's send rate, once it is limiting.
    pub send_rate: Option<f64>,
    /// Whether the live cap has shed work in this run.
    pub live_cap_reached: bool,
    /// Events handled since the start (the whole run).
    pub events: u64,
}

/// What one host did, for the load balancer view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct HostCounts {
    /// Attempts the balancer sent here.
    pub arrivals: u64,
    /// Attempts answered with success.
    pub ok: u64,
    /// Attempts answered with an error (its own, a restart or being down, or a failed call below).
    pub errors: u64,
    /// Attempts refused (queue full or throttled).
    pub rejected: u64,
    /// Attempts here whose caller timed out.
    pub timeouts: u64,
}

/// One tier in a run's summary, edge first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierSummary {
    /// 0 is the edge.
    pub tier: u32,
    /// Attempts that reached this tier, all hosts.
    pub attempts: u64,
    /// Attempts at this tier per user request (first attempts at the edge); `null` before any.
    pub amplification: Option<f64>,
    /// The same, counted exactly over the user requests whose every attempt has ended
    /// (requests still in flight, or stuck in a queue, wait until they settle); `null` before
    /// any has.
    pub amplification_settled: Option<f64>,
    /// Calls from the tier above (user requests at the edge) that ended in success, per second.
    pub goodput_per_s: f64,
    /// Share of this tier's worker time spent on attempts after nobody waited for them any
    /// more (`null` when no work was done).
    pub wasted: Option<f64>,
    /// Queued attempts dropped because their deadline had passed.
    pub dropped_expired: u64,
    /// Attempts into this tier that timed out at their caller.
    pub timeouts: u64,
    pub utilisation: f64,
    pub queue_avg: f64,
    /// Latency of successful calls as the caller saw them (first attempt to success), ms.
    pub latency_ms: LatencyMs,
    pub hosts: Vec<HostCounts>,
}

/// Seconds of settled requests kept for [`Sim::recent_amplification`].
pub const RECENT_S: u64 = 60;

impl Sim {
    /// The edge now, as its users see it.
    pub fn status(&self) -> Status {
        self.tier_status(0)
    }

    /// Tier `t` now, all hosts together (the edge's for a tier that does not exist).
    pub fn tier_status(&self, t: usize) -> Status {
        let t = t.min(self.tiers.len() - 1);
        let g = self.gauges(t);
        let tier = &self.tiers[t];
        Status {
            now: self.now,
            tier: t as u32,
            queue: g.queue,
            busy: g.busy,
            capacity: g.capacity,
            live_requests: tier.open_ops,
            live_attempts: tier.live_calls,
            tokens: g.tokens,
            breaker: g.breaker,
            send_rate: g.send_rate,
            live_cap_reached: self.live_cap_reached,
            events: self.events,
        }
    }

    /// Tier `t` now, all hosts together, with the limiters on the calls into it.
    pub fn gauges(&self, t: usize) -> Gauges {
        let mut g = Gauges { queue: 0, busy: 0, capacity: 0, tokens: None, breaker: None, send_rate: None, grpc_tokens: None };
        if let Some(tier) = self.tiers.get(t) {
            (g.tokens, g.breaker, g.grpc_tokens) = tier.limits.gauges();
            g.send_rate = tier.pacer.send_rate();
            (g.queue, g.busy, g.capacity) = (tier.queued, tier.busy, tier.capacity);
        }
        g
    }

    /// Each host of tier `t` now: (queue, busy, capacity).
    pub fn host_gauges(&self, t: usize) -> Vec<(u32, u32, u32)> {
        self.tiers.get(t).map_or_else(Vec::new, |x| x.hosts.iter().map(|h| (h.queue.len() as u32, h.busy, h.capacity)).collect())
    }

    /// What each host of tier `t` did so far.
    pub fn host_counts(&self, t: usize) -> Vec<HostCounts> {
        self.tiers.get(t).map_or_else(Vec::new, |x| x.hosts.iter().map(|h| h.counts).collect())
    }

    /// The edge's closed windows, oldest first, as its users saw it (history coarsens past
    /// `max_windows`).
    pub fn windows(&self) -> &[Window] {
        self.tier_windows(0)
    }

    /// Tier `t`'s closed windows as its callers saw it (empty for a tier that does not exist).
    pub fn tier_windows(&self, t: usize) -> &[Window] {
        self.tiers.get(t).map_or(&[], |x| x.metrics.windows())
    }

    /// The edge's window still filling.
    pub fn current_window(&self) -> &Window {
        self.tiers[0].metrics.current()
    }

    /// Tier `t`'s window still filling.
    pub fn tier_current_window(&self, t: usize) -> Option<&Window> {
        self.tiers.get(t).map(|x| x.metrics.current())
    }

    /// The edge's run so far, as its users saw it.
    pub fn summary(&self) -> Summary {
        self.tier_summary(0)
    }

    /// Tier `t`'s run so far, as its callers saw it (tier 0: the users' view).
    pub fn tier_summary(&self, t: usize) -> Summary {
        self.tiers
            .get(t)
            .map_or_else(|| Metrics::new(SimTime(1), 2, SimTime::ZERO).summary(self.now, false), |x| x.metrics.summary(self.now, self.live_cap_reached))
    }

    /// Every tier, edge first.
    pub fn tier_summaries(&self) -> Vec<TierSummary> {
        let summaries: Vec<Summary> = self.tiers.iter().map(|x| x.metrics.summary(self.now, self.live_cap_reached)).collect();
        // User requests: the first attempts at the edge.
        let users = summaries.first().map_or(0, |s| s.counts.first_attempts);
        self.tiers
            .iter()
            .zip(summaries)
            .enumerate()
            .map(|(t, (tier, s))| TierSummary {
                tier: t as u32,
                attempts: s.counts.server_arrivals,
                amplification: (users > 0).then(|| s.counts.server_arrivals as f64 / users as f64),
                amplification_settled: self.amplification(t),
                goodput_per_s: s.goodput_per_s,
                wasted: (tier.worked_us > 0).then(|| tier.wasted_us as f64 / tier.worked_us as f64),
                dropped_expired: s.counts.dropped_expired,
                timeouts: s.counts.timeouts,
                utilisation: s.utilisation,
                queue_avg: s.queue_avg,
                latency_ms: s.latency_ms,
                hosts: tier.hosts.iter().map(|h| h.counts).collect(),
            })
            .collect()
    }

    /// Attempts at tier `t` per settled user request.
    pub fn amplification(&self, t: usize) -> Option<f64> {
        if t < self.tiers.len() { self.settled.per_user(t) } else { None }
    }

    /// Attempts at tier `t` per user request over the requests that settled in the last
    /// `span_s` seconds (whole seconds, at most [`RECENT_S`]), with how many settled; `None`
    /// when none did.
    pub fn recent_amplification(&self, t: usize, span_s: u64) -> Option<(f64, u64)> {
        self.settled.recent(t, span_s, self.now)
    }

    /// User requests alive now, and attempts alive at every tier.
    pub fn live(&self) -> (u32, u32) {
        (self.tiers[0].open_ops, self.calls.len() as u32)
    }

    pub fn live_cap_reached(&self) -> bool {
        self.live_cap_reached
    }
}
