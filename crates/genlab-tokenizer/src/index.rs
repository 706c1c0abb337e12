//! The token lookup: bytes to id, over the vocabulary's own byte strings.
//!
//! A `HashMap<Vec<u8>, u32>` would keep a second copy of every token (one allocation each:
//! 200,000 for o200k_base, a good part of its load time). This table stores ids with hashbrown's
//! `HashTable`, and beside each id its first eight bytes and its length: most chunks of real
//! text are short, and a token of up to eight bytes is then found, or ruled out, by one integer
//! comparison inside the table, without reading the vocabulary's bytes (a cache miss or two on
//! a large vocabulary). Only longer tokens compare against the vocabulary.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use crate::vocab::Vocab;

/// Longest key compared inside the table.
const INLINE: usize = 8;

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The first (up to) eight bytes, little-endian, zero-padded.
    head: u64,
    len: u32,
    id: u32,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct TokenIndex {
    table: HashTable<Slot>,
}

/// The first `min(len, 8)` bytes of `key` as a zero-padded little-endian integer.
#[inline]
fn head(key: &[u8]) -> u64 {
    load_le(&key[..key.len().min(INLINE)])
}

/// `b` (at most 8 bytes) as a zero-padded little-endian integer, read with two overlapping
/// loads instead of a variable-length copy (a `memcpy` call in the hottest loop).
#[inline]
pub(crate) fn load_le(b: &[u8]) -> u64 {
    let n = b.len();
    debug_assert!(n <= 8);
    let word = |at: usize| u64::from(u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]));
    if n >= 4 {
        // The two words overlap on 8 - n bytes, which are equal in both: OR is exact.
        word(0) | word(n - 4) << ((n - 4) * 8)
    } else if n > 0 {
        u64::from(b[0]) | u64::from(b[n / 2]) << (n / 2 * 8) | u64::from(b[n - 1]) << ((n - 1) * 8)
    } else {
        0
    }
}

#[inline]
fn hash(key: &[u8], head: u64) -> u64 {
    if key.len() <= INLINE {
        // A folded multiply, with the length mixed in: "a" and "a\0" share a padded head.
        let m = u128::from(head ^ (key.len() as u64).rotate_right(8)) * 0x9E37_79B9_7F4A_7C15;
        (m as u64) ^ ((m >> 64) as u64)
    } else {
        FxBuildHasher.hash_one(key)
    }
}

impl TokenIndex {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self { table: HashTable::with_capacity(n) }
    }

    /// The id whose bytes (in `vocab`) are `key`.
    #[inline]
    pub(crate) fn get(&self, key: &[u8], vocab: &Vocab) -> Option<u32> {
        let h = head(key);
        let len = key.len() as u32;
        self.table
            .find(hash(key, h), |s| {
                s.head == h && s.len == len && (key.len() <= INLINE || &vocab[s.id as usize] == key)
            })
            .map(|s| s.id)
    }

    /// Adds `id` (its bytes are `vocab[id]`); if another id has the same bytes, returns it.
    pub(crate) fn insert(&mut self, id: u32, vocab: &Vocab) -> Result<(), u32> {
        let key = &vocab[id as usize];
        if let Some(other) = self.get(key, vocab) {
            return Err(other);
        }
        let slot = Slot { head: head(key), len: key.len() as u32, id };
        self.table
            .insert_unique(hash(key, slot.head), slot, |s| hash(&vocab[s.id as usize], s.head));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_le_pads_with_zeros() {
        for n in 0..=8 {
            let b: Vec<u8> = (1..=n as u8).collect();
            let mut buf = [0u8; 8];
            buf[..n].copy_from_slice(&b);
            assert_eq!(load_le(&b), u64::from_le_bytes(buf), "{n} bytes");
        }
    }

    #[test]
    fn finds_short_and_long_keys_and_tells_padding_apart() {
        let keys: [&[u8]; 6] = [b"a", b"a\0", b"abcdefgh", b"abcdefghi", b"abcdefghj", &[0]];
        let mut vocab = Vocab::default();
        keys.iter().for_each(|k| vocab.push(k));
        let mut index = TokenIndex::with_capacity(2);
        for id in 0..vocab.len() as u32 {
            index.insert(id, &vocab).unwrap();
        }
        for (id, key) in keys.iter().enumerate() {
            assert_eq!(index.get(key, &vocab), Some(id as u32), "{key:?}");
        }
        for missing in [&b"b"[..], b"a\0\0", b"abcdefg", b"abcdefghk", b"", b"\0\0"] {
            assert_eq!(index.get(missing, &vocab), None, "{missing:?}");
        }
        vocab.push(b"abcdefghj");
        assert_eq!(index.insert(6, &vocab), Err(4));
    }
}
