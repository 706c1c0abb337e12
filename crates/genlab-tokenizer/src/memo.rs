//! A per-thread memo of short chunks and their ids, and of recent pair lookups.
//!
//! Real text repeats its chunks (" the", " and", "    "), and encoding one costs a probe into a
//! vocabulary table of megabytes (a cache miss or two) or a merge. This memo is small enough to
//! stay in the core's cache: 4,096 direct-mapped slots, each holding a chunk of up to 16 bytes
//! and the (up to 6) ids it encodes to, tagged with the tokenizer it came from. A hit costs one
//! hash and one slot load; a miss encodes as usual and fills the slot.
//!
//! It only ever stores what the tokenizer computed for exactly these bytes, so it cannot change
//! an id. The tag is a number drawn once per tokenizer (never an address, which a dropped
//! tokenizer can pass on), so two tokenizers never read each other's entries.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::index::load_le;
use crate::merge::{PairTable, Pairs};

/// Longest chunk kept, in bytes.
pub(crate) const MAX_CHUNK: usize = 16;
/// Most ids a kept chunk may encode to.
const MAX_IDS: usize = 6;
const SLOTS: usize = 4096;

static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// A fresh tag for a tokenizer whose ids may differ from every earlier one's (0 is "empty").
pub(crate) fn new_owner() -> u64 {
    NEXT_OWNER.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Copy)]
struct Slot {
    owner: u64,
    key: [u64; 2],
    len: u8,
    n: u8,
    ids: [u32; MAX_IDS],
}

const EMPTY: Slot = Slot { owner: 0, key: [0; 2], len: 0, n: 0, ids: [0; MAX_IDS] };

/// A remembered pair lookup: `key` is `left << 32 | right`, `value` what the table gave
/// (`u64::MAX` when they do not merge: most lookups while merging are misses).
#[derive(Clone, Copy)]
struct PairSlot {
    owner: u64,
    key: u64,
    value: u64,
}

const PAIR_SLOTS: usize = 4096;

pub(crate) struct Memo {
    slots: Box<[Slot]>,
    pairs: Box<[PairSlot]>,
}

/// The pair table seen through this thread's memo of recent pair lookups: merging the same
/// script's words looks up the same pairs again, and the table itself is megabytes.
pub(crate) struct MemoPairs<'a> {
    slots: &'a mut [PairSlot],
    owner: u64,
    table: &'a PairTable,
}

#[inline]
fn pair_slot_of(owner: u64, key: u64) -> usize {
    let m = u128::from(key ^ owner.rotate_left(47)) * 0x9E37_79B9_7F4A_7C15;
    (((m as u64) ^ ((m >> 64) as u64)) as usize) & (PAIR_SLOTS - 1)
}

impl Pairs for MemoPairs<'_> {
    #[inline]
    fn get(&mut self, left: u32, right: u32) -> u64 {
        let key = (u64::from(left) << 32) | u64::from(right);
        let s = &mut self.slots[pair_slot_of(self.owner, key)];
        if s.owner == self.owner && s.key == key {
            return s.value;
        }
        let value = self.table.get(left, right);
        *s = PairSlot { owner: self.owner, key, value };
        value
    }
}

/// `chunk` (at most 16 bytes) as two zero-padded little-endian words.
#[inline]
fn key(chunk: &[u8]) -> [u64; 2] {
    let (a, b) = chunk.split_at(chunk.len().min(8));
    [load_le(a), load_le(b)]
}

#[inline]
fn slot_of(owner: u64, key: [u64; 2], len: usize) -> usize {
    let x = key[0] ^ key[1].rotate_left(29) ^ owner.rotate_left(47) ^ (len as u64);
    let m = u128::from(x) * 0x9E37_79B9_7F4A_7C15;
    (((m as u64) ^ ((m >> 64) as u64)) as usize) & (SLOTS - 1)
}

impl Memo {
    fn new() -> Memo {
        let empty = PairSlot { owner: 0, key: 0, value: 0 };
        Memo { slots: vec![EMPTY; SLOTS].into(), pairs: vec![empty; PAIR_SLOTS].into() }
    }

    /// `table` seen through this memo's pair lookups, for tokenizer `owner`.
    pub(crate) fn pairs<'a>(&'a mut self, owner: u64, table: &'a PairTable) -> MemoPairs<'a> {
        MemoPairs { slots: &mut self.pairs, owner, table }
    }

    /// The ids of `chunk` under tokenizer `owner`, if kept. `chunk.len() <= MAX_CHUNK`.
    #[inline]
    pub(crate) fn get(&self, owner: u64, chunk: &[u8]) -> Option<&[u32]> {
        let k = key(chunk);
        let s = &self.slots[slot_of(owner, k, chunk.len())];
        (s.owner == owner && s.key == k && usize::from(s.len) == chunk.len())
            .then(|| &s.ids[..usize::from(s.n)])
    }

    /// Keeps `ids` as the encoding of `chunk` under `owner`, when they fit.
    #[inline]
    pub(crate) fn put(&mut self, owner: u64, chunk: &[u8], ids: &[u32]) {
        if chunk.len() > MAX_CHUNK || ids.len() > MAX_IDS {
            return;
        }
        let k = key(chunk);
        let s = &mut self.slots[slot_of(owner, k, chunk.len())];
        *s = Slot { owner, key: k, len: chunk.len() as u8, n: ids.len() as u8, ..EMPTY };
        s.ids[..ids.len()].copy_from_slice(ids);
    }
}

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's memo, or with `None` when it is already in use further up the
/// stack (a nested encode, which then simply goes without).
pub(crate) fn with<T>(f: impl FnOnce(Option<&mut Memo>) -> T) -> T {
    MEMO.with(|cell| match cell.try_borrow_mut() {
        Ok(mut memo) => {
            let memo = memo.get_or_insert_with(Memo::new);
            f(Some(memo))
        }
        Err(_) => f(None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memo() -> Memo {
        Memo::new()
    }

    #[test]
    fn a_chunk_is_found_only_under_its_owner_and_its_exact_bytes() {
        let mut m = memo();
        m.put(1, b" the", &[262]);
        assert_eq!(m.get(1, b" the"), Some(&[262][..]));
        // Another owner whose entry would land in the very same slot still misses.
        let k = key(b" the");
        let rival = (2..).find(|&o| slot_of(o, k, 4) == slot_of(1, k, 4)).unwrap();
        assert_eq!(m.get(rival, b" the"), None);
        // Zero padding does not make " the" and " the\0" the same chunk.
        assert_eq!(m.get(1, b" the\0"), None);
        m.put(1, b"0123456789abcdef", &[1, 2, 3, 4, 5, 6]);
        assert_eq!(m.get(1, b"0123456789abcdef"), Some(&[1, 2, 3, 4, 5, 6][..]));
        // Too long, or too many ids: not kept.
        m.put(1, b"0123456789abcdefg", &[7]);
        assert_eq!(m.get(1, &b"0123456789abcdefg"[..16]), Some(&[1, 2, 3, 4, 5, 6][..]));
        m.put(1, b"abc", &[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(m.get(1, b"abc"), None);
    }

    #[test]
    fn a_pair_lookup_is_remembered_only_for_its_own_tokenizer() {
        let (mut one, mut two) = (PairTable::default(), PairTable::default());
        one.insert(5, 6, 300, 300);
        two.insert(5, 6, 400, 401);
        let key = 5 << 32 | 6;
        let rival = (2..).find(|&o| pair_slot_of(o, key) == pair_slot_of(1, key)).unwrap();
        let mut m = memo();
        assert_eq!(m.pairs(1, &one).get(5, 6), 300 << 32 | 300);
        assert_eq!(m.pairs(rival, &two).get(5, 6), 400 << 32 | 401);
        assert_eq!(m.pairs(1, &one).get(5, 6), 300 << 32 | 300);
        assert_eq!(m.pairs(1, &one).get(6, 5), u64::MAX);
    }
}
