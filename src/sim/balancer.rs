//! The load balancer in front of a tier's hosts: which host gets the next call.
//!
//! Round robin and random ignore what the hosts are doing, so one slow host gets its full
//! share of calls and holds them for long: everyone whose call lands there waits. Least
//! outstanding requests and the power of two choices look at the calls each host has not yet
//! answered, which a slow host piles up, and steer around it.

use super::*;

impl Sim {
    /// The host of tier `t` for the next attempt: every host of every tier is picked here.
    pub(super) fn pick_host(&mut self, t: usize) -> usize {
        let tier = &mut self.tiers[t];
        let n = tier.hosts.len();
        if n <= 1 {
            return 0;
        }
        match tier.server.balancer {
            Balancer::RoundRobin => {
                let h = tier.rr as usize % n;
                tier.rr = tier.rr.wrapping_add(1);
                h
            }
            Balancer::Random => self.balance_rng.up_to(n as u64 - 1) as usize,
            Balancer::LeastOutstanding => {
                // Fewest outstanding; ties go round, so an idle tier still spreads its calls.
                let start = tier.rr as usize % n;
                tier.rr = tier.rr.wrapping_add(1);
                (0..n).map(|i| (start + i) % n).min_by_key(|&h| tier.hosts[h].outstanding).unwrap_or(start)
            }
            Balancer::TwoChoices => {
                let a = self.balance_rng.up_to(n as u64 - 1) as usize;
                // A second host, different from the first.
                let b = (a + 1 + self.balance_rng.up_to(n as u64 - 2) as usize) % n;
                if tier.hosts[b].outstanding < tier.hosts[a].outstanding { b } else { a }
            }
        }
    }
}
