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

use super::events::Entry;

#[derive(Default)]
pub(super) struct Queue {
    v: Vec<Entry>,
}

impl Queue {
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.v.len()
    }

    pub(super) fn capacity(&self) -> usize {
        self.v.capacity()
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

    /// Removes and returns the earliest entry.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<Entry> {
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
}
