//! What the engine's events are and what they carry: requests (one per user call), attempts
//! (one per send), how an attempt ended, and the queued event itself, ordered by
//! (time, sequence) in one 128-bit key so ties come out first-in first-out.

use super::SimTime;
use super::slab::Key;
use std::cmp::Ordering;

/// Where a request came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    Open,
    Closed(u32),
    Periodic,
}
#[derive(Clone, Debug)]
pub(super) struct Request {
    pub(super) id: u64,
    pub(super) origin: Origin,
    pub(super) first_sent: SimTime,
    /// Attempts sent so far.
    pub(super) attempts: u32,
    /// Last backoff, for decorrelated jitter.
    pub(super) previous_sleep: Option<u64>,
    /// What the last retry paid the quota, for its refund on success.
    pub(super) retry_cost: Option<f64>,
}
#[derive(Clone, Debug)]
pub(super) struct Attempt {
    pub(super) request: Key,
    pub(super) request_id: u64,
    pub(super) number: u32,
    pub(super) sent_at: SimTime,
    /// When the client stops waiting (`SimTime::MAX` without a timeout).
    pub(super) deadline: SimTime,
    /// The client is still waiting for this attempt.
    pub(super) client_waiting: bool,
    /// The server or the network still holds it (a response will come, or it is queued).
    pub(super) in_system: bool,
    /// A throttle's "come back after" hint, once throttled.
    pub(super) retry_after: SimTime,
    /// A worker is serving it now (a restart clears this, and its service completion is then ignored).
    pub(super) in_service: bool,
}
/// How an attempt ended, as the client sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Ok,
    Error,
    Rejected,
    /// The hint travels in the attempt's `retry_after`, keeping events small.
    Throttled,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Failure {
    Timeout,
    Error,
    Rejected,
    Throttled,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ev {
    /// The next open-loop arrival.
    Arrival {
        epoch: u32,
    },
    /// The open-loop rate changes: draw the next arrival afresh (Poisson is memoryless).
    RateChange {
        epoch: u32,
    },
    ClosedSend {
        client: u32,
    },
    PeriodicFire {
        client: u32,
        epoch: u32,
    },
    /// A request's next attempt is due (after a backoff).
    Send {
        request: Key,
    },
    /// Adaptive mode's bucket has a token for the first waiting send.
    LimiterWake {
        epoch: u32,
    },
    ServerArrive {
        attempt: Key,
    },
    ServiceDone {
        attempt: Key,
    },
    Response {
        attempt: Key,
        outcome: Outcome,
    },
    Timeout {
        attempt: Key,
    },
    FaultEdge {
        epoch: u32,
    },
}
/// A pending event. `key` packs (time, sequence) as `time << 64 | seq`, so ordering by
/// (time, sequence) is one 128-bit comparison.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub(super) key: u128,
    pub(super) ev: Ev,
}
impl Entry {
    pub(super) fn new(time: SimTime, seq: u64, ev: Ev) -> Entry {
        Entry { key: (u128::from(time.0) << 64) | u128::from(seq), ev }
    }

    #[inline]
    pub(super) fn time(&self) -> SimTime {
        SimTime((self.key >> 64) as u64)
    }
}
impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    /// Reversed, so that `BinaryHeap` pops the earliest (time, seq) first.
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.cmp(&self.key)
    }
}
// Small entries keep the heap's sift loops in cache: 32 bytes with the event inline.
const _: () = assert!(std::mem::size_of::<Entry>() <= 32);
