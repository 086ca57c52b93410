//! Exact amplification: the attempts each tier received per user request, counted when the
//! request settles (its outcome known and every attempt of its tree ended), over the whole
//! run and over a trailing span of seconds.
//!
//! A request is counted once, in the bucket of the second it settled in; the buckets of the
//! seconds before are summed as the clock leaves them, so settling adds to one bucket only
//! (it is on the path of every request).

use super::SimTime;
use super::config::MAX_TIERS;
use super::summary::RECENT_S;

/// Requests that settled in one second, and their attempts per tier.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    second: u64,
    users: u64,
    attempts: [u64; MAX_TIERS],
}

impl Bucket {
    const EMPTY: Bucket = Bucket { second: u64::MAX, users: 0, attempts: [0; MAX_TIERS] };
}

#[derive(Clone, Debug)]
pub(super) struct Settled {
    /// Every second before the current one, summed (`second` unused).
    before: Bucket,
    /// The last [`RECENT_S`] + 1 seconds, a bucket each (named by its second), in a ring.
    ring: Vec<Bucket>,
    /// The current second's bucket, and when that second ends.
    at: usize,
    until: SimTime,
    /// How many tiers the run has: settling adds only theirs natively (a request of a single
    /// service paid 16 instructions for the seven tiers it does not have). The page adds all
    /// eight: the bounded loop cost its download 28 bytes, over its budget.
    #[cfg(not(target_arch = "wasm32"))]
    tiers: usize,
}

impl Settled {
    /// For a run of `tiers` tiers (a run keeps its number of tiers: another starts a new run).
    #[cfg_attr(target_arch = "wasm32", allow(unused_variables))]
    pub(super) fn new(tiers: usize) -> Settled {
        Settled {
            before: Bucket::EMPTY,
            ring: vec![Bucket::EMPTY; RECENT_S as usize + 1],
            at: 0,
            until: SimTime::ZERO,
            #[cfg(not(target_arch = "wasm32"))]
            tiers,
        }
    }

    /// A user request settles at `now`, with its attempts per tier (none at a tier the run
    /// does not have). Inlined natively; the page keeps one copy (its download has a budget).
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(super) fn settle(&mut self, now: SimTime, per_tier: &[u32; MAX_TIERS]) {
        // A new second is found without dividing while the clock stays inside the current one.
        if now >= self.until {
            self.next_second(now);
        }
        let b = &mut self.ring[self.at];
        b.users += 1;
        #[cfg(not(target_arch = "wasm32"))]
        let tiers = self.tiers;
        #[cfg(target_arch = "wasm32")]
        let tiers = MAX_TIERS;
        for (total, n) in b.attempts.iter_mut().zip(per_tier).take(tiers) {
            *total += u64::from(*n);
        }
    }

    /// The clock has left the current second: its bucket joins the sum before, and the
    /// second of `now` gets its own.
    #[cold]
    #[inline(never)]
    fn next_second(&mut self, now: SimTime) {
        let done = self.ring[self.at];
        add(&mut self.before, &done);
        let second = now.0 / 1_000_000;
        self.at = (second % (RECENT_S + 1)) as usize;
        self.until = SimTime((second + 1).saturating_mul(1_000_000));
        // A bucket still in the ring is a second that ended at least RECENT_S seconds ago.
        self.ring[self.at] = Bucket { second, ..Bucket::EMPTY };
    }

    /// Attempts at tier `t` per settled user request, over the whole run.
    pub(super) fn per_user(&self, t: usize) -> Option<f64> {
        let mut all = self.before;
        add(&mut all, &self.ring[self.at]);
        (all.users > 0 && t < MAX_TIERS).then(|| all.attempts[t] as f64 / all.users as f64)
    }

    /// Attempts at tier `t` per user request over those that settled in the `span_s` whole
    /// seconds before `now`'s (at most [`RECENT_S`]) and in it, with how many settled.
    pub(super) fn recent(&self, t: usize, span_s: u64, now: SimTime) -> Option<(f64, u64)> {
        let now = now.0 / 1_000_000;
        let from = now.saturating_sub(span_s.min(RECENT_S));
        let (mut users, mut attempts) = (0, 0);
        for b in self.ring.iter().filter(|b| (from..=now).contains(&b.second)) {
            users += b.users;
            attempts += b.attempts.get(t).copied().unwrap_or(0);
        }
        (users > 0).then(|| (attempts as f64 / users as f64, users))
    }

    /// Bytes held (for memory checks).
    pub(super) fn bytes(&self) -> usize {
        self.ring.capacity() * std::mem::size_of::<Bucket>()
    }
}

fn add(to: &mut Bucket, b: &Bucket) {
    to.users += b.users;
    for (total, n) in to.attempts.iter_mut().zip(&b.attempts) {
        *total += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn per_tier(first: u32, second: u32) -> [u32; MAX_TIERS] {
        let mut a = [0; MAX_TIERS];
        (a[0], a[1]) = (first, second);
        a
    }

    #[test]
    fn counts_each_request_once_over_the_run_and_over_a_span() {
        let mut s = Settled::new(2);
        assert_eq!(s.per_user(0), None);
        s.settle(SimTime::from_secs_f64(0.5), &per_tier(1, 3));
        s.settle(SimTime::from_secs_f64(0.9), &per_tier(2, 1));
        assert_eq!(s.per_user(1), Some(2.0));
        // Seconds later (and past the ring's whole length), the run keeps them all.
        s.settle(SimTime::from_secs_f64(3.2), &per_tier(3, 2));
        s.settle(SimTime::from_secs_f64(200.0), &per_tier(2, 2));
        assert_eq!(s.per_user(0), Some(2.0));
        assert_eq!(s.per_user(1), Some(2.0));
        // A span sees only the seconds it covers: 200 alone, then 140..=200 still only 200.
        assert_eq!(s.recent(0, 0, SimTime::from_secs_f64(200.5)), Some((2.0, 1)));
        assert_eq!(s.recent(1, RECENT_S, SimTime::from_secs_f64(200.5)), Some((2.0, 1)));
        assert_eq!(s.recent(0, 5, SimTime::from_secs_f64(300.0)), None);
    }
}
