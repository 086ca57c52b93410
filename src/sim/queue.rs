//! The pending events, earliest first, by their (time, sequence) keys, which are unique, so
//! the order of a run is the same whatever structure holds them: a binary min-heap, and beside
//! it the next arrival and FIFO lanes of timeouts (see [`Queue`]).
//!
//! The heap is not `std::collections::BinaryHeap`: its `pop` swaps the last entry into the
//! root with two 8-byte stores and at once reads the root back with 16-byte loads, which the
//! processor cannot forward from those stores. That stall, on every event, was a sixth of the event
//! loop's time in M/M/c. This heap moves entries through a hole and never reads back what it
//! has just written: `pop` walks the hole down to the bottom along the smaller child (Floyd's
//! trick: one comparison a level), then lets the last entry rise from there, which it seldom
//! does far, as it came from the bottom.

use super::config::MAX_TIERS;
use super::events::Entry;

/// The pending events: the heap, and beside it a slot and FIFO lanes for events whose order
/// is known without a heap. The slot holds the next open-loop arrival (there is only ever one
/// live: a newer replaces it), which halves heap traffic in open-loop runs. The lanes hold
/// events mostly scheduled in time order (a tier's timeouts: every attempt waits as long, so
/// they come due in the order they were sent), each in key order, so its front is its
/// earliest: a retry storm keeps a timeout for every attempt in flight (thousands), and in
/// the heap each event paid a sift through all of their levels. An entry that would go out of
/// order in its lane (a shorter timeout after a live change, a deadline passed down) goes to
/// the heap. The queue keeps the earliest of the slot and the lane fronts (`side`), so an
/// event costs one comparison more than a heap alone, whatever the number of lanes.
pub(super) struct Queue {
    v: Vec<Entry>,
    slot: Option<Entry>,
    /// One lane a tier; the first `used` have ever held an entry.
    lanes: [Lane; MAX_TIERS],
    used: usize,
    /// The earliest key of the slot and the lane fronts, and where it is (`SLOT`, or a lane);
    /// `u128::MAX` when they are empty (no entry has that key: its sequence number would be
    /// `u64::MAX`).
    side: (u128, usize),
}

/// Where `Queue::side` is when it is the slot's entry.
const SLOT: usize = MAX_TIERS;

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

impl Default for Queue {
    fn default() -> Queue {
        Queue { v: Vec::new(), slot: None, lanes: Default::default(), used: 0, side: (u128::MAX, SLOT) }
    }
}

impl Queue {
    /// Pending events.
    pub(super) fn len(&self) -> usize {
        self.v.len() + usize::from(self.slot.is_some()) + self.lanes.iter().map(Lane::len).sum::<usize>()
    }

    /// Entries the queue has room for (for memory checks).
    pub(super) fn capacity(&self) -> usize {
        self.v.capacity() + self.lanes.iter().map(|l| l.v.capacity()).sum::<usize>()
    }

    /// The earliest entry's key, and whether it is beside the heap (see [`Queue::take`]).
    /// Only the key: copying the whole entry out to compare it, then again to handle it, cost
    /// a tenth of every event in store-to-load stalls.
    #[inline]
    pub(super) fn peek(&self) -> Option<(u128, bool)> {
        let side = self.side.0;
        match self.v.first() {
            Some(h) => Some(if side < h.key { (side, true) } else { (h.key, false) }),
            None => (side != u128::MAX).then_some((side, true)),
        }
    }

    /// Removes and returns the earliest entry, as [`Queue::peek`] found it.
    #[inline]
    pub(super) fn take(&mut self, beside: bool) -> Option<Entry> {
        if beside { self.take_side() } else { self.pop_heap() }
    }

    /// Removes and returns the earliest entry.
    #[cfg(test)]
    pub(super) fn pop(&mut self) -> Option<Entry> {
        let (_, beside) = self.peek()?;
        self.take(beside)
    }

    /// Puts the next open-loop arrival in the slot (replacing any other: it is stale).
    #[inline]
    pub(super) fn set_slot(&mut self, e: Entry) {
        self.slot = Some(e);
        if self.used == 0 {
            self.side = (e.key, SLOT);
        } else {
            self.slot_beside_lanes(e.key);
        }
    }

    /// The side's earliest after the slot took an entry with `key`, lanes in use (out of line,
    /// as `find_side`).
    #[inline(never)]
    fn slot_beside_lanes(&mut self, key: u128) {
        if self.side.1 != SLOT {
            // A lane's front was the earliest, not the slot's entry this one replaces: the
            // earliest is that front or this entry (looking at every lane again cost each
            // arrival of a run with timeouts a loop over them).
            if key < self.side.0 {
                self.side = (key, SLOT);
            }
        } else {
            self.find_side();
        }
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

    /// Queues a timeout of tier `lane`: at the back of its lane when nothing there is later
    /// (nearly always), else in the heap.
    #[inline]
    pub(super) fn push_timeout(&mut self, lane: usize, e: Entry) {
        let Some(l) = self.lanes.get_mut(lane).filter(|l| l.back().is_none_or(|b| b.key < e.key)) else { return self.push(e) };
        l.v.push(e);
        self.used = self.used.max(lane + 1);
        if e.key < self.side.0 {
            self.side = (e.key, lane);
        }
    }

    /// Finds the earliest of the slot and the lane fronts again (out of line: the slot alone,
    /// in a run without timeouts, takes the short paths in its callers).
    #[inline(never)]
    fn find_side(&mut self) {
        self.side = self.slot.map_or((u128::MAX, SLOT), |e| (e.key, SLOT));
        for (l, lane) in self.lanes[..self.used].iter().enumerate() {
            if let Some(f) = lane.front().filter(|f| f.key < self.side.0) {
                self.side = (f.key, l);
            }
        }
    }

    /// Removes the heap's top.
    #[inline]
    fn pop_heap(&mut self) -> Option<Entry> {
        let last = self.v.pop()?;
        let n = self.v.len();
        let Some(&top) = self.v.first() else { return Some(last) };
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
        Some(top)
    }

    /// Removes the earliest entry beside the heap: the slot's, or a lane's front.
    #[inline]
    fn take_side(&mut self) -> Option<Entry> {
        let e = if self.side.1 == SLOT {
            let e = self.slot.take();
            // The slot alone (no timeouts ever): done at once, the path of every M/M/c arrival
            // (testing `used` after both arms instead cost M/M/c 0.14 % in instructions).
            if self.used == 0 {
                self.side = (u128::MAX, SLOT);
                return e;
            }
            e
        } else {
            let lane = self.lanes.get_mut(self.side.1)?;
            let e = lane.front().copied();
            lane.pop_front();
            e
        };
        self.find_side();
        e
    }

    /// Keeps the entries `keep` accepts (rare: dropping dead timeouts), and rebuilds the heap.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Entry) -> bool) {
        // Pushed back one by one: a sort would add a whole sorting routine to the page's code
        // for a path that runs once per thousands of events.
        let n = self.v.len();
        let old = std::mem::replace(&mut self.v, Vec::with_capacity(n));
        for e in old {
            if keep(&e) {
                self.push(e);
            }
        }
        // The slot's arrival stays (nothing drops arrivals).
        for lane in &mut self.lanes[..self.used] {
            lane.retain(&mut keep);
        }
        self.find_side();
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
        drains_in_order(&mut q, model);
    }

    #[test]
    fn lanes_and_heap_pop_together_in_key_order() {
        let mut rng = Stream::new(11, "queue lanes");
        let mut q = Queue::default();
        let mut model: Vec<u128> = Vec::new();
        let mut seq = 0;
        let mut now = 0;
        let mut slot: Option<u128> = None;
        for round in 0..40_000 {
            if rng.chance(0.55) || model.is_empty() {
                seq += 1;
                let lane = rng.up_to(3) as usize;
                // Mostly later than the lane's last (a fixed timeout), sometimes earlier.
                let spread = if rng.chance(0.1) { 400 } else { 5 };
                let at = now + if lane < 3 { 500 + rng.up_to(spread) } else { rng.up_to(1_000) };
                let e = Entry::new(SimTime(at), seq, Ev::Timeout { call: crate::sim::slab::Key::from_bits(seq) });
                if rng.chance(0.2) {
                    // The next arrival: it replaces the one in the slot.
                    if let Some(old) = slot.replace(e.key) {
                        model.retain(|&k| k != old);
                    }
                    q.set_slot(Entry::new(SimTime(at), seq, Ev::Arrival { epoch: 0 }));
                } else {
                    // Lane 3 stands for timeouts that go straight to the heap.
                    if lane < 3 {
                        q.push_timeout(lane, e);
                    } else {
                        q.push(e);
                    }
                }
                model.push(e.key);
            } else {
                model.sort_unstable();
                let got = pop(&mut q);
                if got == slot {
                    slot = None;
                }
                assert_eq!(got, Some(model.remove(0)));
                now = (got.unwrap_or(0) >> 64) as u64;
            }
            if round % 7_000 == 6_999 {
                q.retain(|e| e.key % 3 != 0);
                // Nothing drops the slot's arrival.
                model.retain(|k| k % 3 != 0 || Some(*k) == slot);
            }
            assert_eq!(q.len(), model.len());
        }
        drains_in_order(&mut q, model);
    }

    #[test]
    fn the_slot_alone_takes_turns_with_the_heap() {
        // A run without timeouts: only the slot is beside the heap (the short paths).
        let mut q = Queue::default();
        q.set_slot(Entry::new(SimTime(5), 1, Ev::Arrival { epoch: 0 }));
        q.push(Entry::new(SimTime(3), 2, Ev::FaultEdge { epoch: 0 }));
        q.push(Entry::new(SimTime(9), 3, Ev::FaultEdge { epoch: 0 }));
        // A newer arrival replaces the one in the slot.
        q.set_slot(Entry::new(SimTime(7), 4, Ev::Arrival { epoch: 0 }));
        assert_eq!(q.len(), 3);
        let times: Vec<u64> = std::iter::from_fn(|| q.pop()).map(|e| (e.key >> 64) as u64).collect();
        assert_eq!(times, [3, 7, 9]);
        assert_eq!(q.peek(), None);
    }

    /// Pops every entry left, in the model's (sorted) order, and then nothing.
    fn drains_in_order(q: &mut Queue, mut model: Vec<u128>) {
        model.sort_unstable();
        for k in model {
            assert_eq!(pop(q), Some(k));
        }
        assert!(q.pop().is_none());
    }

    fn pop(q: &mut Queue) -> Option<u128> {
        q.pop().map(|e| e.key)
    }
}
