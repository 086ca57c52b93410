//! Pure helpers behind the page's explanations: the headline verdict (healthy, overloaded,
//! collapsed) and the delay explorer's numbers. No web code, so they are tested natively.

use crate::sim::rng::Stream;
use crate::sim::{Backoff, ClientConfig, Config, SimTime, Window};

/// What the last few seconds look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Nothing measured yet.
    Starting,
    /// At least 90 % of requests succeed.
    Healthy,
    /// Many requests fail or time out.
    Overloaded,
    /// Goodput near zero while retries keep the service busy, and no fault is active:
    /// the failure is sustaining itself (metastable).
    Collapsed,
}

impl Health {
    pub fn label(self) -> &'static str {
        match self {
            Health::Starting => "starting",
            Health::Healthy => "healthy",
            Health::Overloaded => "overloaded",
            Health::Collapsed => "collapsed (metastable: the trigger is gone, the failure is not)",
        }
    }
}

/// The verdict over the windows covering the last `span` of simulated time.
pub fn health(windows: &[Window], cfg: &Config, now: SimTime, span: SimTime) -> Health {
    let from = now.saturating_sub(span);
    let recent: Vec<&Window> = windows.iter().filter(|w| w.start >= from).collect();
    let offered: u64 = recent.iter().map(|w| w.counts.first_attempts).sum();
    if recent.is_empty() || offered == 0 {
        return Health::Starting;
    }
    let ok: u64 = recent.iter().map(|w| w.counts.successes).sum();
    let attempts: u64 = recent.iter().map(|w| w.counts.attempts()).sum();
    let share = ok as f64 / offered as f64;
    if share >= 0.9 {
        return Health::Healthy;
    }
    let t = now.as_secs_f64();
    let fault_active = cfg.faults.iter().any(|f| f.start_s <= t && t < f.end_s + span.as_secs_f64());
    let amplification = attempts as f64 / offered as f64;
    if share < 0.1 && amplification > 1.5 && !fault_active { Health::Collapsed } else { Health::Overloaded }
}

/// One retry's delay in the explorer.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryDelay {
    /// Retry number, 1 for the first retry.
    pub retry: u32,
    /// Smallest and largest possible delay, ms.
    pub min_ms: f64,
    pub max_ms: f64,
    /// Mean of the sampled delays, ms.
    pub mean_ms: f64,
    /// Sampled delays, ms (for the histogram).
    pub samples: Vec<f64>,
}

/// The delay explorer: each retry's range and samples, and the total time until the last
/// attempt ends when every attempt times out.
#[derive(Clone, Debug, PartialEq)]
pub struct DelayReport {
    pub retries: Vec<RetryDelay>,
    /// Every attempt takes its full timeout and every backoff its maximum, ms (`None` without a timeout).
    pub worst_total_ms: Option<f64>,
    /// Every attempt takes its full timeout and every backoff its mean, ms.
    pub expected_total_ms: Option<f64>,
}

/// Samples `per_retry` delays for each retry the policy allows, on a fixed seed.
pub fn delay_report(client: &ClientConfig, per_retry: usize) -> DelayReport {
    let b = Backoff::from_config(client);
    let mut rng = Stream::new(0, "delay-explorer");
    let retries_allowed = client.max_attempts.saturating_sub(1);
    let mut retries = Vec::new();
    // Decorrelated jitter depends on the previous sleep: sample whole histories.
    let mut histories: Vec<Option<u64>> = vec![None; per_retry];
    for n in 0..retries_allowed {
        let samples: Vec<f64> = histories.iter_mut().map(|prev| b.delay(n, prev, &mut rng) as f64 / 1e3).collect();
        let (lo, hi) = b.range(n);
        let mean = if samples.is_empty() { 0.0 } else { samples.iter().sum::<f64>() / samples.len() as f64 };
        retries.push(RetryDelay { retry: n + 1, min_ms: lo as f64 / 1e3, max_ms: hi as f64 / 1e3, mean_ms: mean, samples });
    }
    let (worst, expected) = match client.timeout_ms {
        Some(t) => {
            let attempts = f64::from(client.max_attempts);
            (
                Some(attempts * t + retries.iter().map(|r| r.max_ms).sum::<f64>()),
                Some(attempts * t + retries.iter().map(|r| r.mean_ms).sum::<f64>()),
            )
        }
        None => (None, None),
    };
    DelayReport { retries, worst_total_ms: worst, expected_total_ms: expected }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios;
    use crate::sim::{BackoffKind, JitterKind, Sim};

    #[test]
    fn verdicts_follow_the_storm() {
        let s = scenarios::find("metastable-retry").unwrap();
        let mut sim = Sim::new(s.config.clone(), s.seed).unwrap();
        let span = SimTime::from_secs(2);
        sim.advance_to(SimTime::from_secs(4), u64::MAX);
        assert_eq!(health(sim.windows(), &s.config, sim.now(), span), Health::Healthy);
        sim.advance_to(SimTime::from_secs(9), u64::MAX);
        assert_eq!(health(sim.windows(), &s.config, sim.now(), span), Health::Overloaded, "the crash is still on");
        sim.advance_to(SimTime::from_secs(30), u64::MAX);
        assert_eq!(health(sim.windows(), &s.config, sim.now(), span), Health::Collapsed);
    }

    #[test]
    fn explorer_answers_how_long_it_can_take() {
        let client = ClientConfig {
            timeout_ms: Some(1_000.0),
            max_attempts: 4,
            backoff: BackoffKind::Exponential,
            base_ms: 100.0,
            cap_ms: Some(20_000.0),
            jitter: JitterKind::Full,
            ..ClientConfig::default()
        };
        let r = delay_report(&client, 2_000);
        assert_eq!(r.retries.len(), 3);
        assert_eq!((r.retries[2].min_ms, r.retries[2].max_ms), (0.0, 400.0));
        // 4 timeouts of 1 s plus backoffs of at most 100 + 200 + 400 ms.
        assert_eq!(r.worst_total_ms, Some(4_700.0));
        let e = r.expected_total_ms.unwrap();
        assert!((e - 4_350.0).abs() < 15.0, "{e}");
        assert!(r.retries.iter().all(|d| d.samples.iter().all(|&x| x >= d.min_ms && x <= d.max_ms)));
    }
}
