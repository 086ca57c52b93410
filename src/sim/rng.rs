//! Seeded random streams.
//!
//! Every random draw in the engine comes from a [`Stream`]: a PCG generator (`Pcg64Mcg`,
//! chosen because it is the same algorithm on every target, unlike `SmallRng`) owned by the
//! simulation and passed by `&mut`. A run has one stream per purpose, each derived from the
//! run's seed and the purpose's name:
//!
//! ```text
//!   seed ──┬── "arrivals"  first attempts: Poisson gaps, think times, periodic offsets
//!          ├── "service"   service times
//!          ├── "client"    backoff jitter
//!          └── "faults"    injected errors
//! ```
//!
//! Because arrivals have a stream of their own, two runs on one seed that differ only in retry
//! policy see exactly the same first attempts at the same instants: the side-by-side compare
//! relies on it.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

/// One named, seeded generator.
#[derive(Clone, Debug)]
pub struct Stream {
    rng: Pcg64Mcg,
    /// The polar method's second normal, kept for the next draw.
    spare: Option<f64>,
}

/// SplitMix64's finaliser: spreads nearby seeds far apart.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Stream {
    /// The stream named `purpose` for a run with `seed`.
    pub fn new(seed: u64, purpose: &str) -> Stream {
        // FNV-1a of the purpose, so that streams are stable across code changes.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in purpose.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Stream { rng: Pcg64Mcg::seed_from_u64(mix(seed ^ mix(h))), spare: None }
    }

    /// 64 uniformly random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform on [0, 1), with 53 bits of precision.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on the integers `0..=hi` (Lemire's multiply-shift; the bias is below 2^-64 · hi).
    #[inline]
    pub fn up_to(&mut self, hi: u64) -> u64 {
        if hi == u64::MAX {
            return self.next_u64();
        }
        ((u128::from(self.next_u64()) * (u128::from(hi) + 1)) >> 64) as u64
    }

    /// Uniform on the integers `lo..=hi`; `lo` when `hi <= lo`.
    #[inline]
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo { lo } else { lo + self.up_to(hi - lo) }
    }

    /// Exponential with the given mean (ziggurat).
    #[inline]
    pub fn exp(&mut self, mean: f64) -> f64 {
        let x: f64 = Exp1.sample(&mut self.rng);
        mean * x
    }

    /// Standard normal (Marsaglia's polar method: a point drawn in the unit disc gives two
    /// independent normals; the second is kept for the next call). Not a ziggurat: its tables
    /// would cost 4 KB in the page's download.
    #[inline]
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let (u, v) = (2.0 * self.unit() - 1.0, 2.0 * self.unit() - 1.0);
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let k = (-2.0 * s.ln() / s).sqrt();
                self.spare = Some(v * k);
                return u * k;
            }
        }
    }

    /// True with probability `p` (clamped to [0, 1]).
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_purposes_differ() {
        let mut a = Stream::new(7, "arrivals");
        let mut b = Stream::new(7, "arrivals");
        let mut c = Stream::new(7, "service");
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn moments_are_right() {
        let mut s = Stream::new(1, "t");
        let n = 200_000;
        let mean_exp = (0..n).map(|_| s.exp(2.0)).sum::<f64>() / n as f64;
        assert!((mean_exp - 2.0).abs() < 0.03, "{mean_exp}");
        let zs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let m = zs.iter().sum::<f64>() / n as f64;
        let v = zs.iter().map(|z| (z - m) * (z - m)).sum::<f64>() / n as f64;
        assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.02, "{m} {v}");
        assert!((0..1000).all(|_| s.up_to(3) <= 3));
        assert_eq!(s.between(5, 5), 5);
    }
}
