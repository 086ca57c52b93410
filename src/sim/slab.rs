//! A slab of entities addressed by generation-checked keys.
//!
//! Events refer to requests and attempts by [`Key`]. When an entity is removed its slot's
//! generation moves on, so an event that still names the old key (a timeout for an attempt
//! that was already answered) finds nothing: that is how a timeout is cancelled, in O(1).

/// A slot index and its generation, packed in one `u64` (generation high, index low): one
/// scalar, passed in a register (a two-field key made `Caller` a 12-byte value passed through
/// memory, and every send stalled on reading it back). Indices stay below 2^31 (the live cap
/// is far lower), so bit 31 is free for a tag (see `events::Caller`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(u64);

impl Key {
    #[inline]
    fn new(index: u32, generation: u32) -> Key {
        Key(u64::from(generation) << 32 | u64::from(index))
    }

    /// The key as one number, and back (for packing it with a tag).
    #[inline]
    pub fn bits(self) -> u64 {
        self.0
    }

    #[inline]
    pub fn from_bits(bits: u64) -> Key {
        Key(bits)
    }

    #[inline]
    pub fn index(self) -> u32 {
        self.0 as u32
    }

    #[inline]
    pub fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// A key or none, in 8 bytes where an `Option<Key>` takes 16 (an attempt and a logical call
/// each hold one, and a storm holds thousands of them: their size is memory traffic). None is
/// a key no slab gives out: its generation is odd, which marks a free slot, so a look-up of it
/// finds nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaybeKey(Key);

impl MaybeKey {
    pub const NONE: MaybeKey = MaybeKey(Key(u64::MAX));

    #[inline]
    pub fn some(k: Key) -> MaybeKey {
        MaybeKey(k)
    }

    #[inline]
    pub fn get(self) -> Option<Key> {
        (self != MaybeKey::NONE).then_some(self.0)
    }

    /// The key, leaving none.
    #[inline]
    pub fn take(&mut self) -> Option<Key> {
        std::mem::replace(self, MaybeKey::NONE).get()
    }
}

/// A slot: its value and generation. The generation is even while the slot holds a value
/// and odd while it is free, so a look-up is one comparison (a key always carries the even
/// generation of its value): no separate "occupied" flag to test. A free slot keeps its last
/// value, which nothing reads; values are `Copy`, so nothing needs dropping.
///
/// Free slots are a list threaded through them (`next_free`, in the bytes beside the
/// generation that aligning the value leaves), most recently freed first: a separate list of
/// free indices was a second buffer to grow, and a push and a pop with their checks for
/// every entity.
#[derive(Clone, Debug)]
struct Slot<T> {
    generation: u32,
    next_free: u32,
    value: T,
}

/// The end of the free list (no slab has that many slots).
const NO_SLOT: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    /// The first free slot, or `NO_SLOT`.
    free: u32,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { slots: Vec::new(), free: NO_SLOT, len: 0 }
    }
}

impl<T: Copy> Slab<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes the slab holds, for memory checks.
    pub fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot<T>>()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn insert(&mut self, value: T) -> Key {
        self.len += 1;
        // `NO_SLOT` is past the end: the bounds check is the test for a free slot.
        let index = self.free;
        if let Some(slot) = self.slots.get_mut(index as usize) {
            self.free = slot.next_free;
            slot.generation = slot.generation.wrapping_add(1);
            slot.value = value;
            Key::new(index, slot.generation)
        } else {
            let index = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
            self.slots.push(Slot { generation: 0, next_free: NO_SLOT, value });
            Key::new(index, 0)
        }
    }

    #[inline]
    pub fn get(&self, k: Key) -> Option<&T> {
        match self.slots.get(k.index() as usize) {
            Some(s) if s.generation == k.generation() => Some(&s.value),
            _ => None,
        }
    }

    #[inline]
    pub fn get_mut(&mut self, k: Key) -> Option<&mut T> {
        match self.slots.get_mut(k.index() as usize) {
            Some(s) if s.generation == k.generation() => Some(&mut s.value),
            _ => None,
        }
    }

    /// Removes the entity, and lends its value, which stays in the freed slot until the slot
    /// is reused: one look-up where `get` then `discard` made two.
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn take(&mut self, k: Key) -> Option<&T> {
        let s = self.slots.get_mut(k.index() as usize)?;
        if s.generation != k.generation() {
            return None;
        }
        // Odd: free. Generations wrap after 2^31 reuses of one slot.
        s.generation = s.generation.wrapping_add(1);
        s.next_free = self.free;
        self.free = k.index();
        self.len -= 1;
        Some(&s.value)
    }

    /// The keys of every entity in the slab, in slot order (for rare whole-population sweeps,
    /// such as a server restart failing everything it holds).
    pub fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.slots.iter().enumerate().filter(|(_, s)| s.generation % 2 == 0).map(|(i, s)| Key::new(i as u32, s.generation))
    }

    /// Removes the entity; whether there was one. Its value is not copied out (a call or a
    /// user is about a hundred bytes, and this is on the path of every answer). Inlined
    /// natively: out of line it cost 28 instructions a request.
    #[cfg_attr(target_arch = "wasm32", inline)]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn discard(&mut self, k: Key) -> bool {
        self.take(k).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_keys_find_nothing() {
        let mut s = Slab::default();
        let a = s.insert("a");
        assert!(s.discard(a));
        let b = s.insert("b");
        assert_eq!(a.index(), b.index());
        assert_eq!(s.get(a), None);
        assert_eq!(s.get(b), Some(&"b"));
        assert!(!s.discard(a));
        assert_eq!(s.len(), 1);
    }
}
