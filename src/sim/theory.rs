//! Closed forms from queueing theory, to check the engine against and to show beside it.
//!
//! With offered load `a = λ/μ` (in Erlangs) on `c` servers and `ρ = a/c`:
//!
//! - Erlang B, the share of arrivals a loss system (no queue) turns away:
//!   `B(c, a) = (a^c/c!) / Σ_{k≤c} a^k/k!`
//! - Erlang C, the probability that an arrival must wait in an M/M/c queue:
//!   `C(c, a) = B / (1 − ρ(1 − B))`, equivalently the textbook sum form;
//! - mean wait `W_q = C / (cμ − λ)`, mean response `W_q + 1/μ`.
//!
//! Both use the stable recurrence `B(k) = a·B(k−1) / (k + a·B(k−1))`, so no factorial overflows.

/// Erlang B: the blocking probability of `c` servers offered `a` Erlangs with no queue.
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// Erlang C: the probability of waiting in M/M/c; 1 when `a >= c` (the queue grows without bound).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / f64::from(c);
    if rho >= 1.0 {
        return 1.0;
    }
    let b = erlang_b(c, a);
    b / (1.0 - rho * (1.0 - b))
}

/// Mean response time (wait plus service) of M/M/c, in the unit of `1/mu`; `None` when unstable.
pub fn mmc_mean_response(lambda: f64, mu: f64, c: u32) -> Option<f64> {
    let cap = f64::from(c) * mu;
    if lambda >= cap {
        return None;
    }
    Some(erlang_c(c, lambda / mu) / (cap - lambda) + 1.0 / mu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_example() {
        // λ = 80/s, 1/μ = 0.1 s, c = 10: C ≈ 0.409, W_q ≈ 0.0205 s, response ≈ 0.1205 s, B ≈ 0.122.
        let c = erlang_c(10, 8.0);
        assert!((c - 0.409).abs() < 0.001, "{c}");
        let r = mmc_mean_response(80.0, 10.0, 10).unwrap();
        assert!((r - 0.1205).abs() < 0.0001, "{r}");
        assert!((erlang_b(10, 8.0) - 0.122).abs() < 0.001);
        assert_eq!(mmc_mean_response(100.0, 10.0, 10), None);
    }
}
