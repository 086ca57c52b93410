//! The pending events, earliest first: a binary min-heap on the events' (time, sequence)
//! keys, which are unique, so the order of a run is the same whatever heap holds them.
//!
//! Not `std::collections::BinaryHeap`: its `pop` swaps the last entry into the root with two
//! 8-byte stores and at once reads the root back with 16-byte loads, which the processor
//! cannot forward from those stores. That stall, on every event, was a sixth of the event
//! loop's time in M/M/c. This heap moves entries through a hole and never reads back what it
//! has just written: `pop` walks the hole down to the bottom along the smaller child (Floyd's
//! trick: one comparison a level), then lets the last entry rise from there, which it seldom
//! does far, as it came from the bottom.

use super::config::MAX_TIERS;
use super::events::{Entry, Ev};

/// The pending events: the heap, and FIFO lanes for events that are mostly scheduled in time
/// order (a tier's timeouts: every attempt waits as long, so they come due in the order they
/// were sent). A lane's entries are in key order, and only its front is in the heap: a retry
/// storm keeps a timeout for every attempt in flight (thousands), and in one heap each event
/// paid a sift through all of their levels. An entry that would go out of order in its lane
/// (a shorter timeout after a live change, a deadline passed down) goes to the heap itself.
#[derive(Default)]
pub(super) struct Queue {
    v: Vec<Entry>,
    /// One lane a tier.
    lanes: [Lane; MAX_TIERS],
    /// Whether any entry ever went to a lane: a run without any pays one test an event.
    laned: bool,
}

/// A FIFO of entries in key order: a `Vec` read from `head` (the page's code already holds
/// `Vec<Entry>`'s; `VecDeque`s in a growing `Vec`, rather than these in an array, cost its
/// download 113 bytes more).
#[derive(Default)]
struct Lane {
    v: Vec<Entry>,
    head: usize,
}

impl Lane {
    fn len(&self) -> usize {
        self.v.len() - self.head
    }

    #[inline]
    fn front(&self) -> Option<&Entry> {
        self.v.get(self.head)
    }

    #[inline]
    fn back(&self) -> Option<&Entry> {
        self.v.last().filter(|_| self.head < self.v.len())
    }

    #[inline]
    fn pop_front(&mut self) {
        self.head += 1;
        if self.head == self.v.len() {
            self.v.clear();
            self.head = 0;
        } else if self.head >= 1_024 && self.head * 2 >= self.v.len() {
            // What was read is dropped once it is half the lane: memory follows the lane's length.
            self.v.copy_within(self.head.., 0);
            self.v.truncate(self.v.len() - self.head);
            self.head = 0;
        }
    }

    fn retain(&mut self, keep: &mut impl FnMut(&Entry) -> bool) {
        let mut kept = 0;
        for i in self.head..self.v.len() {
            if keep(&self.v[i]) {
                self.v[kept] = self.v[i];
                kept += 1;
            }
        }
        self.v.truncate(kept);
        self.head = 0;
    }
}

/// The lane an entry was queued in, if any (the front of a lane is also in the heap).
#[inline]
fn lane_of(e: &Entry) -> Option<usize> {
    match e.ev {
        Ev::Timeout { lane, .. } if lane > 0 => Some(usize::from(lane) - 1),
        _ => None,
    }
}

impl Queue {
    /// Pending events (a lane's front counted once).
    pub(super) fn len(&self) -> usize {
        self.v.len() + self.lanes.iter().map(|l| l.len().saturating_sub(1)).sum::<usize>()
    }

    /// Entries the queue has room for (for memory checks).
    pub(super) fn capacity(&self) -> usize {
        self.v.capacity() + self.lanes.iter().map(|l| l.v.capacity()).sum::<usize>()
    }

    /// The earliest entry's key.
    #[inline]
    pub(super) fn peek_key(&self) -> Option<u128> {
        self.v.first().map(|e| e.key)
    }

    #[inline]
    pub(super) fn push(&mut self, e: Entry) {
        let mut hole = self.v.len();
        self.v.push(e);
        while hole > 0 {
            let parent = (hole - 1) / 2;
            let p = self.v[parent];
            if p.key <= e.key {
                break;
            }
            self.v[hole] = p;
            hole = parent;
        }
        self.v[hole] = e;
    }

    /// Whether an entry with `key` may join lane `lane` (nothing in it is later).
    #[inline]
    pub(super) fn lane_takes(&self, lane: usize, key: u128) -> bool {
        self.lanes.get(lane).and_then(Lane::back).is_none_or(|b| b.key < key)
    }

    /// Queues a timeout: at the back of lane `lane` if given (its key checked with
    /// [`Queue::lane_takes`], and its event naming the lane), else in the heap. A lane's front
    /// is also in the heap.
    #[inline]
    pub(super) fn push_timeout(&mut self, lane: Option<usize>, e: Entry) {
        if let Some(l) = lane.and_then(|l| self.lanes.get_mut(l)) {
            self.laned = true;
            debug_assert!(l.back().is_none_or(|b| b.key < e.key) && lane_of(&e).is_some());
            l.v.push(e);
            if l.len() > 1 {
                return;
            }
        }
        self.push(e);
    }

    /// Removes and returns the earliest entry.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<Entry> {
        if self.laned {
            if let Some((l, top)) = self.v.first().and_then(|e| lane_of(e).map(|l| (l, *e))) {
                // A lane's front leaves: its next entry takes the root's place.
                let lane = &mut self.lanes[l];
                lane.pop_front();
                if let Some(&next) = lane.front() {
                    self.sift_from_root(next);
                    return Some(top);
                }
            }
        }
        let last = self.v.pop()?;
        let Some(&top) = self.v.first() else { return Some(last) };
        self.sift_from_root(last);
        Some(top)
    }

    /// Fills the root's hole with `last`: walks the hole down to the bottom along the smaller
    /// child, then lets `last` rise from there. Inlined into both of `pop`'s paths natively (a
    /// call on every event cost M/M/c 1 %); the page keeps one copy, for its download.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn sift_from_root(&mut self, last: Entry) {
        let n = self.v.len();
        let mut hole = 0;
        let mut child = 1;
        while child + 1 < n {
            child += usize::from(self.v[child + 1].key < self.v[child].key);
            self.v[hole] = self.v[child];
            hole = child;
            child = 2 * hole + 1;
        }
        if child < n {
            self.v[hole] = self.v[child];
            hole = child;
        }
        while hole > 0 {
            let parent = (hole - 1) / 2;
            let p = self.v[parent];
            if p.key <= last.key {
                break;
            }
            self.v[hole] = p;
            hole = parent;
        }
        self.v[hole] = last;
    }

    /// Keeps the entries `keep` accepts (rare: dropping dead timeouts), and rebuilds the heap.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Entry) -> bool) {
        // Pushed back one by one: a sort would add a whole sorting routine to the page's code
        // for a path that runs once per thousands of events.
        let n = self.v.len();
        let old = std::mem::replace(&mut self.v, Vec::with_capacity(n));
        for e in old {
            // A lane's front comes back below, from its lane.
            if lane_of(&e).is_none() && keep(&e) {
                self.push(e);
            }
        }
        for l in 0..self.lanes.len() {
            self.lanes[l].retain(&mut keep);
            if let Some(&front) = self.lanes[l].front() {
                self.push(front);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimTime;
    use crate::sim::events::Ev;
    use crate::sim::rng::Stream;

    #[test]
    fn pops_in_key_order_through_pushes_pops_and_retain() {
        let mut rng = Stream::new(7, "queue");
        let mut q = Queue::default();
        let mut model: Vec<u128> = Vec::new();
        let mut seq = 0;
        for round in 0..20_000 {
            if rng.chance(0.55) || model.is_empty() {
                seq += 1;
                let e = Entry::new(SimTime(rng.up_to(1_000)), seq, Ev::FaultEdge { epoch: 0 });
                q.push(e);
                model.push(e.key);
            } else {
                model.sort_unstable();
                assert_eq!(q.pop().map(|e| e.key), Some(model.remove(0)));
            }
            if round % 5_000 == 4_999 {
                q.retain(|e| e.key % 3 != 0);
                model.retain(|k| k % 3 != 0);
            }
            assert_eq!(q.len(), model.len());
        }
        model.sort_unstable();
        for k in model {
            assert_eq!(q.pop().map(|e| e.key), Some(k));
        }
        assert!(q.pop().is_none());
    }

    #[test]
    fn lanes_and_heap_pop_together_in_key_order() {
        let mut rng = Stream::new(11, "queue lanes");
        let mut q = Queue::default();
        let mut model: Vec<u128> = Vec::new();
        let mut seq = 0;
        let mut now = 0;
        for round in 0..40_000 {
            if rng.chance(0.55) || model.is_empty() {
                seq += 1;
                let lane = rng.up_to(3) as usize;
                // Mostly later than the lane's last (a fixed timeout), sometimes earlier.
                let spread = if rng.chance(0.1) { 400 } else { 5 };
                let at = now + if lane < 3 { 500 + rng.up_to(spread) } else { rng.up_to(1_000) };
                let e = |lane: u8| Entry::new(SimTime(at), seq, Ev::Timeout { call: crate::sim::slab::Key::from_bits(seq), lane });
                let key = e(0).key;
                if lane < 3 && q.lane_takes(lane, key) {
                    q.push_timeout(Some(lane), e(lane as u8 + 1));
                } else {
                    q.push_timeout(None, e(0));
                }
                model.push(key);
            } else {
                model.sort_unstable();
                let got = pop(&mut q);
                assert_eq!(got, Some(model.remove(0)));
                now = (got.unwrap_or(0) >> 64) as u64;
            }
            if round % 7_000 == 6_999 {
                q.retain(|e| e.key % 3 != 0);
                model.retain(|k| k % 3 != 0);
            }
            assert_eq!(q.len(), model.len());
        }
        model.sort_unstable();
        for k in model {
            assert_eq!(pop(&mut q), Some(k));
        }
        assert!(q.pop().is_none());
    }

    fn pop(q: &mut Queue) -> Option<u128> {
        q.pop().map(|e| e.key)
    }
}
