//! Who sends first attempts, and when: open-loop Poisson arrivals (with ramps and load
//! faults), closed-loop clients that think between requests, and periodic jobs aligned to the
//! top of their period or jittered within it.

use super::events::*;
use super::*;

/// The highest open-loop rate the engine will generate, requests per second (the documented
/// maximum of `load.rate_per_s`), however ramps and load faults combine.
pub(super) const MAX_RATE_PER_S: f64 = 1_000_000.0;
/// Ramps are simulated as steps this long.
pub(super) const RAMP_STEP: SimTime = SimTime(100_000);

impl Sim {
    pub(super) fn periodic_time(&mut self, k: u64, period: SimTime, jittered: bool) -> SimTime {
        let start = SimTime(k.saturating_mul(period.0));
        if jittered { start.saturating_add(SimTime(self.arrivals_rng.up_to(period.0 - 1))) } else { start }
    }

    pub(super) fn think_time(&mut self) -> SimTime {
        let mean = self.cfg.load.closed.think_ms * 1e3;
        // At least 1 µs: time must move between one request's end and the next.
        SimTime::from_micros_f64(self.arrivals_rng.exp(mean)).max(SimTime(1))
    }

    /// Inlined natively into the arrival handler, as `new_request` is (both calls together were
    /// 0.85 % of M/M/c, in prologues and epilogues); the page keeps the compiler's choice.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(super) fn next_arrival(&mut self) {
        let epoch = self.arrival_gen;
        match next_open_arrival(&self.cfg.load, &self.tiers[0].timeline, self.now, &mut self.arrivals_rng) {
            Ok(at) => self.schedule(at, Ev::Arrival { epoch }),
            Err(change) if change != SimTime::MAX => self.schedule(change, Ev::RateChange { epoch }),
            Err(_) => {}
        }
    }

    /// A new user request: its first attempt goes to the entry tier (the edge).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(super) fn new_request(&mut self, origin: Origin) {
        self.tiers[0].metrics.c().first_attempts += 1;
        if self.at_live_cap(0, self.tiers[0].open_ops as usize) {
            self.tiers[0].metrics.c().failures += 1;
            self.after_request(origin);
            return;
        }
        self.tiers[0].limits.deposit(self.now);
        let op = Op::new(self.next_op_id, 0, self.now, SimTime::MAX);
        self.next_op_id += 1;
        self.tiers[0].open_ops += 1;
        let key = self.users.insert(User { op, origin, done: false, open_calls: 0, per_tier: [0; MAX_TIERS] });
        self.try_send(Caller::user(key), 0);
    }

    /// After a user request ends: a closed-loop client thinks, then sends again. Only the
    /// origin is tested here, in its callers: open-loop requests (nearly all, in most runs)
    /// paid a whole call for it, 13 instructions a request (0.9 % of M/M/c).
    #[inline(always)]
    pub(super) fn after_request(&mut self, origin: Origin) {
        if let Origin::Closed(client) = origin {
            self.think_again(client);
        }
    }

    /// Closed-loop `client` thinks, then sends again (unless it has retired).
    #[inline(never)]
    fn think_again(&mut self, client: u32) {
        if self.closed_client_stays(client) {
            let think = self.think_time();
            self.schedule(self.now.saturating_add(think), Ev::ClosedSend { client });
        }
    }

    /// Whether closed-loop `client` is still in the population; one beyond a lowered count
    /// retires here (and may be started again if the count rises).
    pub(super) fn closed_client_stays(&mut self, client: u32) -> bool {
        if client < self.cfg.load.closed.clients {
            return true;
        }
        if let Some(r) = self.closed_running.get_mut(client as usize) {
            *r = false;
        }
        false
    }
}

/// When the next open-loop arrival after `now` comes (`Ok`), or, when the rate changes first
/// (or is zero), the instant it changes (`Err`, `SimTime::MAX` for never): Poisson arrivals
/// are memoryless, so a rate change simply draws afresh.
pub(super) fn next_open_arrival(load: &LoadConfig, timeline: &Timeline, now: SimTime, rng: &mut Stream) -> Result<SimTime, SimTime> {
    let (rate, change) = open_rate(load, timeline, now);
    if rate > 0.0 {
        let at = now.saturating_add(SimTime::from_micros_f64(rng.exp(1e6 / rate)));
        if at < change {
            return Ok(at);
        }
    }
    Err(change)
}

/// The open-loop arrival rate at `t`, per second (at most 1,000,000, the documented maximum,
/// however faults multiply it), and when it next changes. Ramps are found by binary search
/// (they are in order and do not overlap), so many ramps cost O(log R).
pub(super) fn open_rate(load: &LoadConfig, timeline: &Timeline, t: SimTime) -> (f64, SimTime) {
    if load.ramps.is_empty() && !timeline.has_load() {
        return (load.rate_per_s, SimTime::MAX);
    }
    let ramps = &load.ramps;
    let ended = ramps.partition_point(|r| t >= SimTime::from_secs_f64(r.end_s));
    let mut level = if ended > 0 { ramps[ended - 1].to_per_s } else { load.rate_per_s };
    let mut next = SimTime::MAX;
    if let Some(r) = ramps.get(ended) {
        let (s, e) = (SimTime::from_secs_f64(r.start_s), SimTime::from_secs_f64(r.end_s));
        if t < s {
            next = s;
        } else {
            // Inside the ramp: the step holding t, at the rate of the step's middle.
            let step = (t.0 - s.0) / RAMP_STEP.0;
            let step_start = s.0 + step * RAMP_STEP.0;
            let step_end = SimTime(step_start + RAMP_STEP.0).min(e);
            let mid = (step_start as f64 + step_end.0 as f64) / 2.0;
            let frac = ((mid - s.0 as f64) / (e.0 - s.0) as f64).clamp(0.0, 1.0);
            level += (r.to_per_s - level) * frac;
            next = step_end;
        }
    }
    if let Some(edge) = timeline.next_load_change(t) {
        next = next.min(edge);
    }
    ((level * timeline.at(t).load).min(MAX_RATE_PER_S), next)
}
