//! A bounded feed of per-request lifecycle events for the animation.
//!
//! The page polls it every frame and draws what happened since. It holds at most
//! `trace_capacity` events; when a poll comes late the oldest are dropped and counted, so the
//! feed never grows without bound and the animation can switch to an aggregate drawing.

use super::time::SimTime;
use serde::Serialize;
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TraceKind {
    /// The client sent the attempt.
    Sent,
    /// The server queued it.
    Queued,
    /// A worker started on it.
    Started,
    /// A worker finished it; `ok` is false for an injected error.
    Served { ok: bool },
    /// The client stopped waiting for it.
    TimedOut,
    /// The server turned it away (`throttle`: by its rate limit; otherwise the queue was full).
    Rejected { throttle: bool },
    /// The server skipped it because its client had timed out.
    Dropped,
    /// A server restart failed it (reset while queued or in service, or refused while down).
    Reset,
    /// The client will retry at `at`.
    RetryScheduled { at: SimTime },
    /// The request succeeded.
    Succeeded,
    /// The request failed for good.
    GaveUp,
    /// A response reached a client that had stopped waiting: the work was wasted.
    Wasted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    pub t: SimTime,
    /// Request id, unique in a run, from 0.
    pub request: u64,
    /// Attempt number, 1 for the first try.
    pub attempt: u32,
    #[serde(flatten)]
    pub kind: TraceKind,
}

#[derive(Clone, Debug, Default)]
pub struct Trace {
    cap: usize,
    events: VecDeque<TraceEvent>,
    dropped: u64,
}

impl Trace {
    /// Bytes the feed holds.
    pub fn bytes(&self) -> usize {
        self.events.capacity() * std::mem::size_of::<TraceEvent>()
    }

    pub fn new(cap: usize) -> Trace {
        Trace { cap, events: VecDeque::new(), dropped: 0 }
    }

    pub fn set_capacity(&mut self, cap: usize) {
        self.cap = cap;
        while self.events.len() > cap {
            self.events.pop_front();
            self.dropped += 1;
        }
    }

    #[inline]
    pub fn enabled(&self) -> bool {
        self.cap > 0
    }

    #[inline]
    pub fn push(&mut self, e: TraceEvent) {
        if self.cap == 0 {
            return;
        }
        if self.events.len() == self.cap {
            self.events.pop_front();
            self.dropped += 1;
        }
        self.events.push_back(e);
    }

    /// Everything since the last drain, and how many events were dropped meanwhile.
    pub fn drain(&mut self) -> (Vec<TraceEvent>, u64) {
        let dropped = std::mem::take(&mut self.dropped);
        (self.events.drain(..).collect(), dropped)
    }
}
