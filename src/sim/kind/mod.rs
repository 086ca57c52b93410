//! Kinds of tier: what a tier does with a call once one of its workers has done its own work
//! on it. This is the seam where new parts of a system plug in.
//!
//! The engine knows every tier the same way: hosts behind a balancer, each with a queue,
//! workers, a service time and faults ([`super::host`]), called by the tier above with a
//! client policy and limiters ([`super::caller`]). What differs between kinds of tier is one
//! decision, taken when a worker finishes its own work on a call ([`Kind::served`]): answer
//! the caller now, or call another tier while the worker (and the caller) wait, and answer
//! when that call ends. The chain is not index arithmetic: each tier's kind is built knowing
//! which tier it calls, if any.
//!
//! ```text
//!  caller ──► tier (hosts: queue ─► workers ─► served) ──Kind::served──► Answer  ──► caller
//!                                                              └──────► Call(b) ──► tier b …
//! ```
//!
//! Today there is one kind, [`service::Service`]: a service that calls the tier below it, or
//! answers at the bottom. A new kind is one new file beside it and one arm in [`build`]:
//! - a **cache** in front of a tier: its hosts' service time is the lookup; `served` answers
//!   a hit (drawn from its hit ratio with the `rng` it is given) and returns `Call(below)`
//!   for a miss, so misses load the tier behind it and a cold cache after a restart is a
//!   load spike below;
//! - a **connection pool** in front of a tier: its workers are the connections (service time
//!   zero), its queue is the wait for a free connection, and `served` always returns
//!   `Call(below)`, so a caller holds a connection for as long as the tier below takes.
//!
//! Neither needs an edit to the event loop, the caller or the host: they see only [`Next`].

mod service;

use super::config::Config;
use super::rng::Stream;

/// What a host does with a call its worker has finished serving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Answer the caller with success now.
    Answer,
    /// Call tier `b` (an index into the chain) and answer when that call ends; the worker
    /// stays busy meanwhile.
    Call(usize),
}

/// A kind of tier.
pub trait Kind {
    /// Called once per call whose own work succeeded (injected errors and faults are the
    /// host's, decided before). `rng` is the kinds' own seeded stream.
    fn served(&mut self, rng: &mut Stream) -> Next;

    /// What `served` returns for every call, when that never varies (a service calls the tier
    /// below, or answers at the bottom), so that the engine need not ask: the call through
    /// `dyn Kind` on every served call was 1 % of M/M/c. `None` (the default): ask each time.
    fn always(&self) -> Option<Next> {
        None
    }

    /// Takes new parameters on a live change (the tier's shape stays).
    fn reconfigure(&mut self, cfg: &Config, tier: usize);
}

/// The kind of tier `t` of `cfg`, which calls tier `below` when it has one.
pub(super) fn build(cfg: &Config, t: usize, below: Option<usize>) -> Box<dyn Kind> {
    let _ = (cfg, t);
    Box::new(service::Service { below })
}
