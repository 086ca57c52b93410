//! The load balancer in front of a tier's hosts: which host gets the next call.
//!
//! Round robin and random ignore what the hosts are doing, so one slow host gets its full
//! share of calls and holds them for long: everyone whose call lands there waits. Least
//! outstanding requests and the power of two choices look at the calls each host has not yet
//! answered, which a slow host piles up, and steer around it.

use super::*;

impl Tier {
    /// The host of this tier for the next attempt (`rng`: the balancers' stream): every host
    /// of every tier is picked here.
    #[inline]
    pub(super) fn pick_host(&mut self, rng: &mut Stream) -> usize {
        let n = self.hosts.len();
        if n <= 1 {
            return 0;
        }
        match self.server.balancer {
            Balancer::RoundRobin => {
                let h = self.rr as usize % n;
                self.rr = self.rr.wrapping_add(1);
                h
            }
            Balancer::Random => rng.up_to(n as u64 - 1) as usize,
            Balancer::LeastOutstanding => {
                // Fewest outstanding; ties go round, so an idle tier still spreads its calls.
                let start = self.rr as usize % n;
                self.rr = self.rr.wrapping_add(1);
                (0..n).map(|i| (start + i) % n).min_by_key(|&h| self.hosts[h].outstanding).unwrap_or(start)
            }
            Balancer::TwoChoices => {
                let a = rng.up_to(n as u64 - 1) as usize;
                // A second host, different from the first.
                let b = (a + 1 + rng.up_to(n as u64 - 2) as usize) % n;
                if self.hosts[b].outstanding < self.hosts[a].outstanding { b } else { a }
            }
        }
    }
}
