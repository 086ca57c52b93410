//! Backoff and jitter: every variant stays in its range and has the distribution Brooker's
//! 2015 article defines.
#![cfg(not(target_arch = "wasm32"))]

use backoff_lab::sim::rng::Stream;
use backoff_lab::sim::{Backoff, BackoffKind, JitterKind};

const BASE: u64 = 100_000; // 100 ms
const CAP: u64 = 2_000_000; // 2 s

fn policy(jitter: JitterKind) -> Backoff {
    Backoff { kind: BackoffKind::Exponential, jitter, base: BASE, cap: CAP }
}

/// Asserts that `xs` looks uniform on [lo, hi]: each tenth of the range holds 10 % ± 0.6 %.
fn assert_uniform(xs: &[u64], lo: u64, hi: u64, what: &str) {
    assert!(xs.iter().all(|&x| (lo..=hi).contains(&x)), "{what}: out of [{lo}, {hi}]");
    let mut bins = [0usize; 10];
    for &x in xs {
        let f = (x - lo) as f64 / (hi - lo) as f64;
        bins[((f * 10.0) as usize).min(9)] += 1;
    }
    for (i, &b) in bins.iter().enumerate() {
        let share = b as f64 / xs.len() as f64;
        assert!((share - 0.1).abs() < 0.006, "{what}: tenth {i} holds {share:.4}");
    }
}

#[test]
fn no_jitter_is_exactly_capped_exponential() {
    let b = policy(JitterKind::None);
    let mut rng = Stream::new(1, "t");
    let got: Vec<u64> = (0..8).map(|n| b.delay(n, &mut None, &mut rng)).collect();
    assert_eq!(got, [100_000, 200_000, 400_000, 800_000, 1_600_000, 2_000_000, 2_000_000, 2_000_000]);
}

#[test]
fn full_jitter_is_uniform_on_zero_to_expo() {
    let b = policy(JitterKind::Full);
    let mut rng = Stream::new(2, "t");
    for n in 0..7 {
        let e = b.expo(n);
        let xs: Vec<u64> = (0..100_000).map(|_| b.delay(n, &mut None, &mut rng)).collect();
        assert_uniform(&xs, 0, e, &format!("full n={n}"));
    }
}

#[test]
fn equal_jitter_is_uniform_on_half_to_expo() {
    let b = policy(JitterKind::Equal);
    let mut rng = Stream::new(3, "t");
    for n in 0..7 {
        let e = b.expo(n);
        let xs: Vec<u64> = (0..100_000).map(|_| b.delay(n, &mut None, &mut rng)).collect();
        assert_uniform(&xs, e / 2, e, &format!("equal n={n}"));
    }
}

#[test]
fn decorrelated_jitter_is_uniform_on_base_to_three_times_previous_then_capped() {
    let b = policy(JitterKind::Decorrelated);
    let mut rng = Stream::new(4, "t");
    // First retry: previous = base, so uniform on [base, 3·base].
    let xs: Vec<u64> = (0..100_000).map(|_| b.delay(0, &mut None, &mut rng)).collect();
    assert_uniform(&xs, BASE, 3 * BASE, "decorrelated first");
    // Given a previous sleep of 500 ms: uniform on [100 ms, 1500 ms].
    let xs: Vec<u64> = (0..100_000).map(|_| b.delay(3, &mut Some(500_000), &mut rng)).collect();
    assert_uniform(&xs, BASE, 1_500_000, "decorrelated after 500 ms");
    // Given 1 s: uniform on [100 ms, 3 s] capped at 2 s, so a third of draws sit at the cap
    // (why decorrelated delays bunch at the cap).
    let xs: Vec<u64> = (0..100_000).map(|_| b.delay(3, &mut Some(1_000_000), &mut rng)).collect();
    let at_cap = xs.iter().filter(|&&x| x == CAP).count() as f64 / xs.len() as f64;
    assert!((at_cap - 1.0 / 2.9).abs() < 0.01, "{at_cap}");
    assert!(xs.iter().all(|&x| (BASE..=CAP).contains(&x)));
}

#[test]
fn delays_never_exceed_the_cap_and_ranges_hold_every_draw() {
    let mut rng = Stream::new(5, "t");
    for jitter in [JitterKind::None, JitterKind::Full, JitterKind::Equal, JitterKind::Decorrelated] {
        let b = policy(jitter);
        let mut prev = None;
        for n in 0..60 {
            let d = b.delay(n, &mut prev, &mut rng);
            let (lo, hi) = b.range(n);
            assert!(d <= CAP, "{jitter:?} n={n}: {d}");
            assert!((lo..=hi).contains(&d), "{jitter:?} n={n}: {d} outside [{lo}, {hi}]");
        }
    }
}
