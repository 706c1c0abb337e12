//! Rank-based byte-pair merging of one chunk, with tiktoken's semantics: repeatedly merge the
//! adjacent pair whose concatenation has the lowest rank, leftmost first on ties.
//!
//! Short chunks use tiktoken's array scan (fast for the few bytes of a word); long chunks use a
//! linked list plus a min-heap keyed by `(rank, position)`, so 100,000 repeated characters cost
//! `O(n log n)` instead of `O(n^2)`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Chunks longer than this (in bytes) take the heap path.
pub(crate) const SMALL_CHUNK: usize = 96;

const NONE: u64 = u64::MAX;

/// `(left id, right id) -> (rank << 32 | merged id)`, for every way of writing a token as the
/// concatenation of two tokens.
#[derive(Clone, Debug, Default)]
pub(crate) struct PairTable {
    /// `(left << 32 | right, rank << 32 | merged id)`.
    table: HashTable<(u64, u64)>,
}

#[inline]
fn hash(key: u64) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl PairTable {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self { table: HashTable::with_capacity(n) }
    }

    /// The table of a stored merge table's `m` entries, whose keys are unique (as
    /// [`PairTable::entries`] writes them): inserted without looking for an earlier equal key.
    pub(crate) fn from_entries(entries: impl Iterator<Item = (u64, u64)>, m: usize) -> Self {
        let mut table = HashTable::with_capacity(m);
        for e in entries {
            table.insert_unique(hash(e.0), e, |e| hash(e.0));
        }
        Self { table }
    }

    /// Adds the merge of `left` and `right` into `id`; of two merges of the same pair, the one
    /// with the lower rank is kept.
    pub(crate) fn insert(&mut self, left: u32, right: u32, rank: u32, id: u32) {
        let key = (u64::from(left) << 32) | u64::from(right);
        let value = (u64::from(rank) << 32) | u64::from(id);
        match self.table.find_mut(hash(key), |e| e.0 == key) {
            Some(e) => e.1 = e.1.min(value),
            None => {
                self.table.insert_unique(hash(key), (key, value), |e| hash(e.0));
            }
        }
    }

    /// `rank << 32 | id` of the merge of `left` and `right`, or `u64::MAX` if they do not merge.
    #[inline]
    pub(crate) fn get(&self, left: u32, right: u32) -> u64 {
        let key = (u64::from(left) << 32) | u64::from(right);
        self.table.find(hash(key), |e| e.0 == key).map_or(NONE, |e| e.1)
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// Every `(key, value)`, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.table.iter().copied()
    }

    /// Every `(key, value)`, sorted by key (so files written from it are reproducible).
    pub(crate) fn entries(&self) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = self.table.iter().copied().collect();
        out.sort_unstable();
        out
    }
}

/// Where the merge loops look pairs up: the table itself, or the table behind a memo.
pub(crate) trait Pairs {
    /// `rank << 32 | id` of the merge of `left` and `right`, or `u64::MAX`.
    fn get(&mut self, left: u32, right: u32) -> u64;
}

impl Pairs for &PairTable {
    #[inline]
    fn get(&mut self, left: u32, right: u32) -> u64 {
        PairTable::get(self, left, right)
    }
}

/// Merges a chunk of at most [`SMALL_CHUNK`] bytes, appending its ids to `out`: tiktoken's array
/// scan, on the stack. `byte_ids` maps a byte to its token; `byte_pairs[a << 8 | b]` is
/// `table.get` of the two bytes' tokens (see [`byte_pairs`]), which serves the first, largest
/// pass without hashing.
pub(crate) fn merge_small(
    chunk: &[u8],
    byte_ids: &[u32; 256],
    byte_pairs: &[u64],
    table: &mut impl Pairs,
    out: &mut Vec<u32>,
) {
    // Most chunks are a word: small arrays then, as zeroing 96 slots costs more than merging.
    if chunk.len() <= 16 {
        merge_array::<16>(chunk, byte_ids, byte_pairs, table, out)
    } else {
        merge_array::<SMALL_CHUNK>(chunk, byte_ids, byte_pairs, table, out)
    }
}

#[inline]
fn merge_array<const N: usize>(
    chunk: &[u8],
    byte_ids: &[u32; 256],
    byte_pairs: &[u64],
    table: &mut impl Pairs,
    out: &mut Vec<u32>,
) {
    let n = chunk.len();
    debug_assert!(n <= N);
    let mut ids = [0u32; N];
    // ranks[k]: the merge of ids[k] and ids[k + 1]; NONE at and past the last id.
    let mut ranks = [NONE; N];
    for (id, &b) in ids.iter_mut().zip(chunk) {
        *id = byte_ids[b as usize];
    }
    for (r, w) in ranks.iter_mut().zip(chunk.windows(2)) {
        *r = byte_pairs[(w[0] as usize) << 8 | w[1] as usize];
    }
    let mut len = n;
    while len > 1 {
        let (mut best, mut at) = (NONE, 0);
        for (k, &r) in ranks[..len - 1].iter().enumerate() {
            if r < best {
                best = r;
                at = k;
            }
        }
        if best == NONE {
            break;
        }
        ids[at] = best as u32;
        for j in at + 1..len - 1 {
            ids[j] = ids[j + 1];
            ranks[j] = ranks[j + 1];
        }
        len -= 1;
        ranks[at] = if at + 1 < len { table.get(ids[at], ids[at + 1]) } else { NONE };
        if at > 0 {
            ranks[at - 1] = table.get(ids[at - 1], ids[at]);
        }
    }
    out.extend_from_slice(&ids[..len]);
}

/// The 65,536 merges of two single bytes, indexed by `a << 8 | b`, for [`merge_small`]. Only a
/// two-byte token can be such a merge, so only those are looked up.
pub(crate) fn byte_pairs(
    byte_ids: &[u32; 256],
    two_byte_tokens: impl Iterator<Item = [u8; 2]>,
    table: &PairTable,
) -> Box<[u64]> {
    let mut out = vec![NONE; 1 << 16].into_boxed_slice();
    for [a, b] in two_byte_tokens {
        out[(a as usize) << 8 | b as usize] = table.get(byte_ids[a as usize], byte_ids[b as usize]);
    }
    out
}

/// Merges a long chunk given as initial token ids, appending the result to `out`.
pub(crate) fn merge_large(ids: &[u32], table: &mut impl Pairs, out: &mut Vec<u32>) {
    let n = ids.len();
    let mut tok = ids.to_vec();
    let mut next: Vec<u32> = (1..=n as u32).collect(); // n means "none"
    let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect(); // MAX = none
    let mut alive = vec![true; n];
    let mut heap = BinaryHeap::with_capacity(n);
    let key = |rank_id: u64, pos: usize| Reverse(((rank_id >> 32) << 32) | pos as u64);
    for i in 0..n.saturating_sub(1) {
        let r = table.get(tok[i], tok[i + 1]);
        if r != NONE {
            heap.push(key(r, i));
        }
    }
    while let Some(Reverse(entry)) = heap.pop() {
        let rank = entry >> 32;
        let pos = (entry & 0xFFFF_FFFF) as usize;
        if !alive[pos] || next[pos] as usize >= n {
            continue;
        }
        let right = next[pos] as usize;
        let r = table.get(tok[pos], tok[right]);
        if r == NONE || r >> 32 != rank {
            continue; // stale: a neighbour merged since this entry was pushed
        }
        tok[pos] = r as u32;
        alive[right] = false;
        let after = next[right];
        next[pos] = after;
        if (after as usize) < n {
            prev[after as usize] = pos as u32;
            let r = table.get(tok[pos], tok[after as usize]);
            if r != NONE {
                heap.push(key(r, pos));
            }
        }
        let before = prev[pos];
        if before != u32::MAX {
            let r = table.get(tok[before as usize], tok[pos]);
            if r != NONE {
                heap.push(key(r, before as usize));
            }
        }
    }
    let mut i = 0;
    while i < n {
        out.push(tok[i]);
        i = next[i] as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tokens: bytes a=0, b=1; "aa"=2 (rank 2), "ab"=3 (rank 3), "aaa"=4 (rank 4).
    fn table() -> PairTable {
        let mut t = PairTable::default();
        t.insert(0, 0, 2, 2);
        t.insert(0, 1, 3, 3);
        t.insert(2, 0, 4, 4);
        t.insert(0, 2, 4, 4);
        t
    }

    #[test]
    fn small_and_large_agree() {
        let t = table();
        let mut byte_ids = [u32::MAX; 256];
        byte_ids[b'a' as usize] = 0;
        byte_ids[b'b' as usize] = 1;
        let pairs = byte_pairs(&byte_ids, [*b"aa", *b"ab"].into_iter(), &t);
        let small = |s: &str| {
            let mut out = vec![9]; // appended after what is there
            merge_small(s.as_bytes(), &byte_ids, &pairs, &mut &t, &mut out);
            out.split_off(1)
        };
        for s in ["a", "ab", "aab", "aaab", "aaaaaaab", "abababaaaaaaaaaaaaaaaa", "baaaab"] {
            let ids: Vec<u32> = s.bytes().map(|b| u32::from(b - b'a')).collect();
            let mut large = Vec::new();
            merge_large(&ids, &mut &t, &mut large);
            assert_eq!(small(s), large, "{s}");
        }
        assert_eq!(small(""), [0u32; 0]);
        assert_eq!(small("aaab"), [2, 3]); // "aa" (leftmost), then "ab" (rank 3) beats "aaa" (rank 4)
    }
}
