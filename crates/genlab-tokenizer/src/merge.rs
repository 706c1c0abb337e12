//! Rank-based byte-pair merging of one chunk, with tiktoken's semantics: repeatedly merge the
//! adjacent pair whose concatenation has the lowest rank, leftmost first on ties.
//!
//! Short chunks use tiktoken's array scan (fast for the few bytes of a word); long chunks use a
//! linked list plus a min-heap keyed by `(rank, position)`, so 100,000 repeated characters cost
//! `O(n log n)` instead of `O(n^2)`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rustc_hash::FxHashMap;

/// Chunks longer than this (in bytes) take the heap path.
pub(crate) const SMALL_CHUNK: usize = 96;

const NONE: u64 = u64::MAX;

/// `(left id, right id) -> (rank << 32 | merged id)`, for every way of writing a token as the
/// concatenation of two tokens.
#[derive(Clone, Debug, Default)]
pub(crate) struct PairTable {
    map: FxHashMap<u64, u64>,
}

impl PairTable {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self { map: FxHashMap::with_capacity_and_hasher(n, Default::default()) }
    }

    pub(crate) fn insert(&mut self, left: u32, right: u32, rank: u32, id: u32) {
        let key = (u64::from(left) << 32) | u64::from(right);
        let value = (u64::from(rank) << 32) | u64::from(id);
        let slot = self.map.entry(key).or_insert(value);
        *slot = (*slot).min(value);
    }

    /// `rank << 32 | id` of the merge of `left` and `right`, or `u64::MAX` if they do not merge.
    #[inline]
    pub(crate) fn get(&self, left: u32, right: u32) -> u64 {
        let key = (u64::from(left) << 32) | u64::from(right);
        self.map.get(&key).copied().unwrap_or(NONE)
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Sets `key` (`left << 32 | right`) to `value` (`rank << 32 | id`), as a stored table has it.
    pub(crate) fn insert_raw(&mut self, key: u64, value: u64) {
        self.map.insert(key, value);
    }

    /// Every `(key, value)`, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.map.iter().map(|(&k, &v)| (k, v))
    }

    /// Every `(key, value)`, sorted by key (so files written from it are reproducible).
    pub(crate) fn entries(&self) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = self.map.iter().map(|(&k, &v)| (k, v)).collect();
        out.sort_unstable();
        out
    }
}

/// Merges `parts[start..]` in place. `ranks` is scratch space.
pub(crate) fn merge_small(
    parts: &mut Vec<u32>,
    start: usize,
    table: &PairTable,
    ranks: &mut Vec<u64>,
) {
    ranks.clear();
    ranks.extend(parts[start..].windows(2).map(|w| table.get(w[0], w[1])));
    loop {
        let mut best = NONE;
        let mut at = 0;
        for (i, &r) in ranks.iter().enumerate() {
            if r < best {
                best = r;
                at = i;
            }
        }
        if best == NONE {
            break;
        }
        let i = start + at;
        parts[i] = best as u32;
        parts.remove(i + 1);
        ranks.remove(at);
        if at > 0 {
            ranks[at - 1] = table.get(parts[i - 1], parts[i]);
        }
        if at < ranks.len() {
            ranks[at] = table.get(parts[i], parts[i + 1]);
        }
    }
}

/// Merges a long chunk given as initial token ids, appending the result to `out`.
pub(crate) fn merge_large(ids: &[u32], table: &PairTable, out: &mut Vec<u32>) {
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
        for s in ["a", "ab", "aab", "aaab", "aaaaaaab", "abababaaaaaaaaaaaaaaaa", "baaaab"] {
            let ids: Vec<u32> = s.bytes().map(|b| u32::from(b - b'a')).collect();
            let mut small = ids.clone();
            merge_small(&mut small, 0, &t, &mut Vec::new());
            let mut large = Vec::new();
            merge_large(&ids, &t, &mut large);
            assert_eq!(small, large, "{s}");
        }
        let mut v = vec![0, 0, 0, 1];
        merge_small(&mut v, 0, &t, &mut Vec::new());
        assert_eq!(v, [2, 3]); // "aa" (leftmost), then "ab" (rank 3) beats "aaa" (rank 4)
    }
}
