//! [`Candidates`]: the tokens still in the running for the next position, each with its id and
//! current logit (the llama.cpp "token data array"). Processors only ever rescale logits or drop
//! candidates; they never renumber ids, so `(id, logit)` pairs always refer to the vocabulary.
//!
//! A fresh row is *dense* (candidate `i` is token `i`, no id array is materialised); the first
//! truncation (top-k, top-p, ...) turns it *sparse* (an explicit id per candidate), so every
//! later step costs O(kept) instead of O(V).

use crate::error::{DecodingError, Result};

/// The candidate tokens for one position: ids and logits, dense or sparse (see module docs).
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    logits: Vec<f32>,
    ids: Vec<u32>,
    dense: bool,
    sorted: bool,
    vocab_size: usize,
}

/// Maps an `f32` (not NaN) to a `u32` with the same ordering.
#[inline]
fn ord_bits(x: f32) -> u32 {
    let b = x.to_bits();
    if b & 0x8000_0000 != 0 { !b } else { b | 0x8000_0000 }
}

#[inline]
fn from_ord_bits(b: u32) -> f32 {
    f32::from_bits(if b & 0x8000_0000 != 0 { b & 0x7fff_ffff } else { !b })
}

/// A sort key: larger key = larger logit, ties broken by *smaller* id.
#[inline]
pub(crate) fn key(logit: f32, id: u32) -> u64 {
    (u64::from(ord_bits(logit)) << 32) | u64::from(!id)
}

/// Inverse of [`key`]: `(id, logit)`.
#[inline]
pub(crate) fn unkey(k: u64) -> (u32, f32) {
    (!(k as u32), from_ord_bits((k >> 32) as u32))
}

const LANES: usize = 8;

/// Largest non-NaN value (-inf if none) and whether any NaN is present, in lanes of 8 so the
/// compiler vectorises it.
fn max_and_nan(xs: &[f32]) -> (f32, bool) {
    let mut m = [f32::NEG_INFINITY; LANES];
    let mut nan = [false; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..LANES {
            m[j] = if c[j] > m[j] { c[j] } else { m[j] };
            nan[j] |= c[j].is_nan();
        }
    }
    let mut max = m.iter().fold(f32::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    let mut has_nan = nan.iter().any(|&b| b);
    for &x in rest {
        max = if x > max { x } else { max };
        has_nan |= x.is_nan();
    }
    (max, has_nan)
}

/// Block size of the top-k scan.
const BLOCK: usize = 64;

/// True when some value of `c` is `>= bar`: compare-and-or, which vectorises.
#[inline]
fn any_at_least(c: &[f32], bar: f32) -> bool {
    c.iter().fold(false, |acc, &x| acc | (x >= bar))
}

/// The running state of [`Candidates::retain_top_k`]: a buffer of the best keys seen, pruned
/// to the best `k` whenever it reaches `cap`; the k-th best key and its logit are the bar a
/// new element must clear (a plain float comparison rejects most before any key is built).
struct TopKBuffer {
    k: usize,
    cap: usize,
    threshold: u64,
    threshold_logit: f32,
}

impl TopKBuffer {
    #[inline]
    fn push(&mut self, l: f32, id: u32, keys: &mut Vec<u64>) {
        if l >= self.threshold_logit {
            let kk = key(l, id);
            if kk > self.threshold {
                keys.push(kk);
                if keys.len() == self.cap {
                    keys.select_nth_unstable_by(self.k - 1, desc);
                    keys.truncate(self.k);
                    self.threshold = keys[self.k - 1];
                    self.threshold_logit = unkey(self.threshold).1;
                }
            }
        }
    }
}

#[inline]
fn desc(a: &u64, b: &u64) -> std::cmp::Ordering {
    b.cmp(a)
}

impl Candidates {
    /// An empty set; fill it with [`Candidates::load`]. Buffers are reused across loads.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads one row of logits (token `i` has logit `logits[i]`). NaN counts as -inf. If any
    /// logit is +inf, only the +inf tokens stay, with equal logits (they are "forced").
    ///
    /// # Errors
    /// [`DecodingError::NoValidLogits`] if the row is empty or every logit is -inf or NaN.
    pub fn load(&mut self, logits: &[f32]) -> Result<()> {
        self.vocab_size = logits.len();
        self.dense = true;
        self.sorted = false;
        self.ids.clear();
        self.logits.clear();
        self.logits.extend_from_slice(logits);
        let (max, has_nan) = max_and_nan(&self.logits);
        if has_nan {
            for x in &mut self.logits {
                if x.is_nan() {
                    *x = f32::NEG_INFINITY;
                }
            }
        }
        if max == f32::NEG_INFINITY {
            return Err(DecodingError::NoValidLogits { vocab_size: logits.len() });
        }
        if max == f32::INFINITY {
            let forced: Vec<u32> = (0..logits.len() as u32)
                .filter(|&i| self.logits[i as usize] == f32::INFINITY)
                .collect();
            self.set_sparse(forced.iter().map(|&id| (id, 0.0)));
        }
        Ok(())
    }

    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.logits.len()
    }

    /// True when no candidate is left.
    pub fn is_empty(&self) -> bool {
        self.logits.is_empty()
    }

    /// Size of the vocabulary the row came from.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// True while candidate `i` is token `i` (nothing truncated yet).
    pub fn is_dense(&self) -> bool {
        self.dense
    }

    /// True when candidates are in order of decreasing logit (ties: lower id first).
    pub fn is_sorted(&self) -> bool {
        self.sorted
    }

    /// Token id of candidate `i`.
    #[inline]
    pub fn id(&self, i: usize) -> u32 {
        if self.dense { i as u32 } else { self.ids[i] }
    }

    /// Current logits, one per candidate.
    pub fn logits(&self) -> &[f32] {
        &self.logits
    }

    /// `(id, logit)` for every candidate.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.logits.iter().enumerate().map(|(i, &l)| (self.id(i), l))
    }

    /// Replaces the content with explicit `(id, logit)` pairs (marks unsorted).
    pub(crate) fn set_sparse(&mut self, pairs: impl Iterator<Item = (u32, f32)>) {
        self.dense = false;
        self.sorted = false;
        self.ids.clear();
        self.logits.clear();
        for (id, l) in pairs {
            self.ids.push(id);
            self.logits.push(l);
        }
    }

    /// Replaces the content with the candidates encoded in `keys` (see [`key`]).
    pub(crate) fn set_from_keys(&mut self, keys: &[u64], sorted: bool) {
        self.set_sparse(keys.iter().map(|&k| unkey(k)));
        self.sorted = sorted;
    }

    /// Fills `keys` with one key per candidate.
    pub(crate) fn keys_into(&self, keys: &mut Vec<u64>) {
        keys.clear();
        if self.dense {
            keys.extend(self.logits.iter().enumerate().map(|(i, &l)| key(l, i as u32)));
        } else {
            keys.extend(self.logits.iter().zip(&self.ids).map(|(&l, &id)| key(l, id)));
        }
    }

    /// Largest logit (-inf when empty).
    pub fn max_logit(&self) -> f32 {
        if self.sorted && !self.is_empty() {
            return self.logits[0];
        }
        self.logits.iter().copied().fold(f32::NEG_INFINITY, f32::max)
    }

    /// The candidate with the largest logit, ties broken by the lowest id; `None` if empty.
    pub fn argmax(&self) -> Option<(u32, f32)> {
        let mut best: Option<(u32, f32)> = None;
        for (id, l) in self.iter() {
            best = match best {
                Some((bid, bl)) if bl > l || (bl == l && bid < id) => Some((bid, bl)),
                _ => Some((id, l)),
            };
        }
        best
    }

    /// Keeps the `k` best candidates (largest logit, ties: lowest id) in O(n): a buffer of
    /// the best keys seen is pruned with `select_nth_unstable` whenever it fills (see
    /// `TopKBuffer`), so most elements cost one comparison against the running threshold.
    /// No-op when `k >= len`.
    pub(crate) fn retain_top_k(&mut self, k: usize, keys: &mut Vec<u64>) {
        let n = self.len();
        if k >= n {
            return;
        }
        if k == 0 {
            self.set_sparse(std::iter::empty());
            return;
        }
        let cap = (2 * k).max(k + 64);
        keys.clear();
        let mut sel = TopKBuffer { k, cap, threshold: 0, threshold_logit: f32::NEG_INFINITY };
        if self.dense {
            // Whole chunks below the threshold are skipped with one vectorised max.
            let chunks = self.logits.chunks_exact(BLOCK);
            let tail = chunks.len() * BLOCK;
            for (ci, c) in chunks.enumerate() {
                if any_at_least(c, sel.threshold_logit) {
                    for (j, &l) in c.iter().enumerate() {
                        sel.push(l, (ci * BLOCK + j) as u32, keys);
                    }
                }
            }
            for (i, &l) in self.logits.iter().enumerate().skip(tail) {
                sel.push(l, i as u32, keys);
            }
        } else {
            for (&l, &id) in self.logits.iter().zip(&self.ids) {
                sel.push(l, id, keys);
            }
        }
        if keys.len() > k {
            keys.select_nth_unstable_by(k - 1, desc);
            keys.truncate(k);
        }
        let sort = k <= 4096;
        if sort {
            keys.sort_unstable_by(desc);
        }
        self.set_from_keys(keys, sort);
    }

    /// Sorts candidates by decreasing logit (ties: lower id first).
    #[cfg(test)]
    pub(crate) fn sort_desc(&mut self, keys: &mut Vec<u64>) {
        if self.sorted {
            return;
        }
        self.keys_into(keys);
        keys.sort_unstable_by(desc);
        self.set_from_keys(keys, true);
    }

    /// Keeps the candidates for which `keep(logit)` holds, in their current order.
    pub(crate) fn retain_logits(&mut self, keep: impl Fn(f32) -> bool) {
        if self.dense {
            let mut ids = std::mem::take(&mut self.ids);
            ids.clear();
            let mut w = 0;
            for i in 0..self.logits.len() {
                let l = self.logits[i];
                if keep(l) {
                    self.logits[w] = l;
                    ids.push(i as u32);
                    w += 1;
                }
            }
            self.logits.truncate(w);
            self.ids = ids;
            self.dense = false;
        } else {
            let mut w = 0;
            for i in 0..self.logits.len() {
                let l = self.logits[i];
                if keep(l) {
                    self.logits[w] = l;
                    self.ids[w] = self.ids[i];
                    w += 1;
                }
            }
            self.logits.truncate(w);
            self.ids.truncate(w);
        }
    }

    /// Keeps only the first `n` candidates (used on sorted candidates).
    pub(crate) fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        if self.dense {
            self.ids.clear();
            self.ids.extend(0..n as u32);
            self.dense = false;
        }
        self.logits.truncate(n);
        self.ids.truncate(n);
    }

    /// Applies `f(logit, value)` to each candidate whose id appears in `updates`, which must
    /// be sorted by id with no duplicates. Dense: O(updates); sparse: O(n log updates).
    ///
    /// # Errors
    /// [`DecodingError::TokenOutOfRange`] if an id in `updates` is not in the vocabulary.
    pub(crate) fn update_by_id<T: Copy>(
        &mut self,
        updates: &[(u32, T)],
        f: impl Fn(f32, T) -> f32,
    ) -> Result<()> {
        let Some(&(last, _)) = updates.last() else { return Ok(()) };
        if last as usize >= self.vocab_size {
            return Err(DecodingError::TokenOutOfRange { id: last, vocab_size: self.vocab_size });
        }
        if self.dense {
            for &(id, v) in updates {
                let l = &mut self.logits[id as usize];
                *l = f(*l, v);
            }
        } else {
            for (l, id) in self.logits.iter_mut().zip(&self.ids) {
                if let Ok(j) = updates.binary_search_by_key(id, |u| u.0) {
                    *l = f(*l, updates[j].1);
                }
            }
            // Penalties can reorder candidates.
            self.sorted = false;
        }
        self.sorted = false;
        Ok(())
    }

    /// Multiplies every logit by `factor > 0` (keeps the order).
    pub(crate) fn scale(&mut self, factor: f32) {
        for l in &mut self.logits {
            *l *= factor;
        }
    }

    /// Keeps only `(id, logit)`.
    pub(crate) fn keep_single(&mut self, id: u32, logit: f32) {
        self.set_sparse(std::iter::once((id, logit)));
        self.sorted = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_by_logit_then_lower_id() {
        assert!(key(1.0, 5) > key(0.5, 0));
        assert!(key(1.0, 2) > key(1.0, 3));
        assert!(key(-0.5, 0) > key(-1.0, 0));
        assert!(key(f32::NEG_INFINITY, 0) > 0);
        for &(x, id) in &[(1.5f32, 7u32), (-3.25, 0), (0.0, u32::MAX - 1), (f32::NEG_INFINITY, 3)] {
            assert_eq!(unkey(key(x, id)), (id, x));
        }
    }

    #[test]
    fn load_rejects_all_invalid_and_handles_nan_and_inf() {
        let mut c = Candidates::new();
        assert!(matches!(
            c.load(&[f32::NAN, f32::NEG_INFINITY]),
            Err(DecodingError::NoValidLogits { vocab_size: 2 })
        ));
        assert!(matches!(c.load(&[]), Err(DecodingError::NoValidLogits { vocab_size: 0 })));
        c.load(&[f32::NAN, 1.0]).unwrap();
        assert_eq!(c.logits()[0], f32::NEG_INFINITY);
        c.load(&[0.0, f32::INFINITY, 3.0, f32::INFINITY]).unwrap();
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![(1, 0.0), (3, 0.0)]);
    }

    #[test]
    fn top_k_prunes_through_many_buffer_fills() {
        // Ascending input is the worst case for the running threshold.
        let logits: Vec<f32> = (0..5000).map(|i| i as f32 * 0.01).collect();
        let mut c = Candidates::new();
        c.load(&logits).unwrap();
        c.retain_top_k(3, &mut Vec::new());
        assert_eq!(c.iter().map(|p| p.0).collect::<Vec<_>>(), vec![4999, 4998, 4997]);
        assert!(c.is_sorted());
    }

    #[test]
    fn argmax_ties_lowest_id() {
        let mut c = Candidates::new();
        c.load(&[1.0, 3.0, 3.0, 2.0]).unwrap();
        assert_eq!(c.argmax(), Some((1, 3.0)));
    }
}
