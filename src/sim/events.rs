//! What the engine's events are and what they carry: user requests, logical calls (an [`Op`]:
//! one call and its retries), the attempts that reach a tier (a [`Call`]), how an attempt
//! ended, and the queued event itself, ordered by (time, sequence) in one 128-bit key so ties
//! come out first-in first-out.

use super::SimTime;
use super::config::MAX_TIERS;
use super::slab::{Key, MaybeKey};

/// Where a user request came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    Open,
    Closed(u32),
    Periodic,
}

/// Who waits for an attempt: a user, or a call being served one tier up (its worker waits
/// with it). One `u64`, a key with bit 31 (free in every index) set for a call, so that it
/// travels in a register; [`Caller::who`] opens it for a `match`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Caller(u64);

/// A [`Caller`], opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Who {
    User(Key),
    Call(Key),
}

const CALL_BIT: u64 = 1 << 31;

impl Caller {
    #[inline]
    pub(super) fn user(k: Key) -> Caller {
        debug_assert!(u64::from(k.index()) < CALL_BIT, "a slab index reached bit 31");
        Caller(k.bits())
    }

    #[inline]
    pub(super) fn call(k: Key) -> Caller {
        debug_assert!(u64::from(k.index()) < CALL_BIT, "a slab index reached bit 31");
        Caller(k.bits() | CALL_BIT)
    }

    #[inline]
    pub(super) fn who(self) -> Who {
        let k = Key::from_bits(self.0 & !CALL_BIT);
        if self.0 & CALL_BIT == 0 { Who::User(k) } else { Who::Call(k) }
    }

    #[inline]
    pub(super) fn is_call(self) -> bool {
        self.0 & CALL_BIT != 0
    }
}

/// A logical call and its retry state: a user's request into the entry tier, or a served
/// call's call into the tier below it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Op {
    /// Its id in the lifecycle trace, unique in a run.
    pub(super) id: u64,
    /// The tier it calls.
    pub(super) tier: u8,
    pub(super) first_sent: SimTime,
    /// Attempts sent so far.
    pub(super) attempts: u32,
    /// Last backoff, for decorrelated jitter (`u64::MAX` before the first; see `previous`).
    previous_sleep: u64,
    /// What the last retry paid the quota, for its refund on success (NaN when none; see
    /// `cost`). Sentinels, not options: a user request is alive in the hundreds of thousands.
    retry_cost: f64,
    /// The attempt in flight, if any.
    pub(super) current: MaybeKey,
    /// The deadline its own caller passed down (`SimTime::MAX` when none travels): no attempt
    /// is sent, and no retry scheduled, at or after it.
    pub(super) deadline: SimTime,
}

impl Op {
    pub(super) fn new(id: u64, tier: usize, now: SimTime, deadline: SimTime) -> Op {
        Op { id, tier: tier as u8, first_sent: now, attempts: 0, previous_sleep: u64::MAX, retry_cost: f64::NAN, current: MaybeKey::NONE, deadline }
    }

    /// The last backoff, if there was one.
    pub(super) fn previous(&self) -> Option<u64> {
        (self.previous_sleep != u64::MAX).then_some(self.previous_sleep)
    }

    pub(super) fn set_previous(&mut self, p: Option<u64>) {
        self.previous_sleep = p.unwrap_or(u64::MAX);
    }

    /// What the last retry paid the quota, if any did.
    pub(super) fn cost(&self) -> Option<f64> {
        (!self.retry_cost.is_nan()).then_some(self.retry_cost)
    }

    pub(super) fn set_cost(&mut self, c: f64) {
        self.retry_cost = c;
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct User {
    pub(super) op: Op,
    pub(super) origin: Origin,
    /// The request has its final outcome.
    pub(super) done: bool,
    /// Attempts of its tree (at any tier) still alive.
    pub(super) open_calls: u32,
    /// Attempts that reached each tier, for exact amplification once the tree settles.
    pub(super) per_tier: [u32; MAX_TIERS],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    /// On its way to the host.
    Travelling,
    Queued,
    Serving,
    /// Its worker waits on a call to another tier.
    Calling,
    /// The host is done with it (an answer may still be travelling).
    Answered,
}

/// One attempt that reached (or is on its way to) a host of a tier.
#[derive(Clone, Copy, Debug)]
pub(super) struct Call {
    pub(super) user: Key,
    pub(super) caller: Caller,
    pub(super) tier: u8,
    pub(super) host: u16,
    /// Which attempt of its logical call this is, 1 for the first.
    pub(super) number: u32,
    /// The logical call's trace id.
    pub(super) op_id: u64,
    /// The caller stops waiting at this instant (`SimTime::MAX` without a timeout or a
    /// deadline); a tier that honours deadlines (`drop_expired`) drops or stops work after it.
    pub(super) deadline: SimTime,
    pub(super) stage: Stage,
    pub(super) sent_at: SimTime,
    /// The host side still has it (travelling, queued, served, or its answer travelling back).
    pub(super) held: bool,
    /// When a worker took it.
    pub(super) started: SimTime,
    pub(super) caller_waiting: bool,
    /// When the caller stopped waiting (`SimTime::MAX` while it waits).
    pub(super) abandoned_at: SimTime,
    /// Its service was cut short at its deadline (the tier honours deadlines).
    pub(super) cut: bool,
    /// The load balancer still counts it as outstanding on its host (only where the tier has
    /// more than one host: with one, there is no choice to steer).
    pub(super) counted: bool,
    /// A throttle's "come back after" hint, once throttled.
    pub(super) retry_after: SimTime,
    /// Its own call to another tier (in [`super::Sim`]'s `ops`), while it is `Calling`.
    pub(super) below: MaybeKey,
}

/// What a host needs to know of an attempt that reaches it, read once.
#[derive(Clone, Copy, Debug)]
pub(super) struct Arriving {
    pub(super) t: usize,
    pub(super) h: usize,
    pub(super) op_id: u64,
    pub(super) number: u32,
    pub(super) deadline: SimTime,
}

/// How an attempt ended, as the caller sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Ok,
    /// Served with an error, failed by a restart, or refused by a host that is down.
    Error,
    /// The queue was full.
    Rejected,
    /// The host's throttle said "come back later"; the hint travels in the call's `retry_after`.
    Throttled,
}

/// Why an attempt failed, as the retry decision sees it.
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
    /// A caller's next attempt is due (after a backoff).
    Send {
        caller: Caller,
    },
    /// Adaptive mode on the calls into `tier` has a token for the first waiting send.
    LimiterWake {
        tier: u8,
        epoch: u32,
    },
    /// An attempt reaches its host.
    Arrive {
        call: Key,
    },
    ServiceDone {
        call: Key,
    },
    /// A host's answer reaches the caller.
    Response {
        call: Key,
        outcome: Outcome,
    },
    /// The caller stops waiting for this attempt (queued in its tier's lane, or in the heap
    /// when it comes due before the lane's last; see `queue`).
    Timeout {
        call: Key,
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
}

// Small entries keep the heap's sift loops in cache: 32 bytes with the event inline.
const _: () = assert!(std::mem::size_of::<Entry>() <= 32);
// A storm holds thousands of attempts and user requests: their size is the engine's memory
// traffic (each new slot is written to fresh memory, and the slabs are copied as they grow).
const _: () = assert!(std::mem::size_of::<Call>() <= 88);
const _: () = assert!(std::mem::size_of::<User>() <= 104);
