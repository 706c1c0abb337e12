//! Training: learn merges from a corpus.
//!
//! 1. Pre-tokenize the corpus into chunks and count each distinct chunk once (in parallel
//!    blocks with rayon); a word that occurs 10,000 times is one entry with count 10,000.
//! 2. Count adjacent pairs over the distinct chunks, remembering which chunks hold each pair.
//! 3. Repeatedly take the most frequent pair from a max-heap (lazy deletion: an entry whose
//!    count went stale is re-pushed with its true count), merge it only in the chunks that hold
//!    it, and update pair counts by the differences. Ties go to the smallest `(left, right)`
//!    id pair, so the result depends on the corpus only, never on thread count or hash order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::bpe::{Bpe, Token};
use crate::error::{Result, TokenizerError};
use crate::pattern::{Pattern, Splitter};
use crate::split::{block_cuts, blocks};

/// Training settings; `train*` are the verbs.
#[derive(Clone, Debug)]
pub struct Trainer {
    vocab_size: usize,
    pattern: Pattern,
    min_frequency: u64,
    specials: Vec<String>,
}

impl Trainer {
    /// A trainer for `vocab_size` ids in total (256 bytes + merges + special tokens), with the
    /// GPT-4 pattern, minimum pair frequency 2 and no special tokens.
    pub fn new(vocab_size: usize) -> Self {
        Trainer { vocab_size, pattern: Pattern::Gpt4, min_frequency: 2, specials: Vec::new() }
    }

    /// The split pattern ([`Pattern::None`] treats the whole text as one chunk).
    pub fn pattern(mut self, pattern: Pattern) -> Self {
        self.pattern = pattern;
        self
    }

    /// Stop merging when the most frequent pair occurs fewer times than this.
    pub fn min_frequency(mut self, n: u64) -> Self {
        self.min_frequency = n;
        self
    }

    /// Special tokens, given the last ids in this order.
    pub fn special_tokens<S: Into<String>>(
        mut self,
        specials: impl IntoIterator<Item = S>,
    ) -> Self {
        self.specials = specials.into_iter().map(Into::into).collect();
        self
    }

    /// Trains on one text.
    ///
    /// ```
    /// use genlab_tokenizer::{Pattern, Trainer};
    /// let bpe = Trainer::new(259).pattern(Pattern::None).min_frequency(1)
    ///     .train("aaabdaaabac").unwrap();
    /// assert_eq!(bpe.encode("aaabdaaabac"), [258, 100, 258, 97, 99]);
    /// ```
    pub fn train(&self, text: &str) -> Result<Bpe> {
        self.train_iter(std::iter::once(text))
    }

    /// Trains on the concatenation of files (each file is pre-tokenized on its own).
    pub fn train_files<P: AsRef<Path>>(&self, paths: &[P]) -> Result<Bpe> {
        let texts = paths
            .iter()
            .map(|p| {
                std::fs::read_to_string(p.as_ref()).map_err(|e| TokenizerError::io(p.as_ref(), e))
            })
            .collect::<Result<Vec<_>>>()?;
        self.train_iter(texts.iter().map(String::as_str))
    }

    /// Trains on texts (each text is pre-tokenized on its own).
    pub fn train_iter<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Result<Bpe> {
        let n_merges = self.check()?;
        let splitter = self.pattern.splitter()?;
        let mut counts: FxHashMap<Vec<u8>, u64> = FxHashMap::default();
        for text in texts {
            for (chunk, n) in count_chunks(&splitter, text) {
                *counts.entry(chunk.as_bytes().to_vec()).or_insert(0) += n;
            }
        }
        let mut words: Vec<(Vec<u8>, u64)> = counts.into_iter().collect();
        words.sort_unstable();
        let merges = learn_merges(words, n_merges, self.min_frequency);
        let mut tokens: Vec<Token> =
            (0..=255u8).map(|b| Token { id: b.into(), bytes: vec![b], rank: b.into() }).collect();
        for (i, &(l, r)) in merges.iter().enumerate() {
            let mut bytes = tokens[l as usize].bytes.clone();
            bytes.extend_from_slice(&tokens[r as usize].bytes);
            let id = 256 + i as u32;
            tokens.push(Token { id, bytes, rank: id });
        }
        let first_special = tokens.len() as u32;
        let specials =
            self.specials.iter().enumerate().map(|(i, s)| (s.clone(), first_special + i as u32));
        Bpe::new(self.pattern.clone(), tokens, specials.collect())
    }

    fn check(&self) -> Result<usize> {
        let reserved = 256 + self.specials.len();
        if self.vocab_size < reserved {
            return Err(TokenizerError::Config(format!(
                "vocab size {} is below the 256 byte tokens plus {} special tokens",
                self.vocab_size,
                self.specials.len()
            )));
        }
        if self.vocab_size > u32::MAX as usize / 2 {
            return Err(TokenizerError::Config(format!(
                "vocab size {} is too large",
                self.vocab_size
            )));
        }
        Ok(self.vocab_size - reserved)
    }
}

/// Distinct chunks of `text` with their counts, counted in parallel blocks.
fn count_chunks<'a>(splitter: &Splitter, text: &'a str) -> FxHashMap<&'a str, u64> {
    let count = |block: &'a str| {
        let mut m: FxHashMap<&'a str, u64> = FxHashMap::default();
        splitter.for_each(block, |c| *m.entry(c).or_insert(0) += 1);
        m
    };
    if !splitter.parallel_safe() {
        return count(text);
    }
    let target = (text.len() / (4 * rayon::current_num_threads())).clamp(64 * 1024, 4 << 20);
    blocks(text, &block_cuts(text, target)).into_par_iter().map(count).reduce(
        FxHashMap::default,
        |mut a, b| {
            if a.len() < b.len() {
                return merge_into(b, a);
            }
            merge_into(std::mem::take(&mut a), b)
        },
    )
}

fn merge_into<'a>(
    mut into: FxHashMap<&'a str, u64>,
    from: FxHashMap<&'a str, u64>,
) -> FxHashMap<&'a str, u64> {
    for (k, v) in from {
        *into.entry(k).or_insert(0) += v;
    }
    into
}

#[inline]
fn key(l: u32, r: u32) -> u64 {
    (u64::from(l) << 32) | u64::from(r)
}

/// The BPE core: `words` are distinct chunks with counts (sorted, for determinism). Returns up
/// to `n_merges` pairs `(left, right)`; merge `i` creates token `256 + i`.
pub(crate) fn learn_merges(
    words: Vec<(Vec<u8>, u64)>,
    n_merges: usize,
    min_freq: u64,
) -> Vec<(u32, u32)> {
    let counts: Vec<i64> = words.iter().map(|w| w.1 as i64).collect();
    let mut syms: Vec<Vec<u32>> =
        words.into_iter().map(|(b, _)| b.into_iter().map(u32::from).collect()).collect();
    let mut pair_count: FxHashMap<u64, i64> = FxHashMap::default();
    let mut where_: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (w, s) in syms.iter().enumerate() {
        for p in s.windows(2) {
            let k = key(p[0], p[1]);
            *pair_count.entry(k).or_insert(0) += counts[w];
            let list = where_.entry(k).or_default();
            if list.last() != Some(&(w as u32)) {
                list.push(w as u32);
            }
        }
    }
    // Max-heap on count, then the smallest pair: (count, Reverse(pair)).
    let mut heap: BinaryHeap<(i64, Reverse<u64>)> =
        pair_count.iter().map(|(&k, &c)| (c, Reverse(k))).collect();
    let mut merges = Vec::with_capacity(n_merges);
    let mut delta: FxHashMap<u64, i64> = FxHashMap::default();
    let mut out = Vec::new();
    while merges.len() < n_merges {
        let Some((c, Reverse(k))) = heap.pop() else { break };
        let actual = pair_count.get(&k).copied().unwrap_or(0);
        if actual != c {
            if actual > 0 {
                heap.push((actual, Reverse(k)));
            }
            continue;
        }
        if c < min_freq.max(1) as i64 {
            break;
        }
        let (a, b) = ((k >> 32) as u32, k as u32);
        let new = 256 + merges.len() as u32;
        merges.push((a, b));
        pair_count.remove(&k);
        let mut ws = where_.remove(&k).unwrap_or_default();
        ws.sort_unstable();
        ws.dedup();
        delta.clear();
        for &w in &ws {
            let s = &mut syms[w as usize];
            let n = counts[w as usize];
            out.clear();
            let mut i = 0;
            let mut changed = false;
            while i < s.len() {
                if i + 1 < s.len() && s[i] == a && s[i + 1] == b {
                    if let Some(&prev) = out.last() {
                        *delta.entry(key(prev, a)).or_insert(0) -= n;
                        *delta.entry(key(prev, new)).or_insert(0) += n;
                    }
                    if let Some(&next) = s.get(i + 2) {
                        *delta.entry(key(b, next)).or_insert(0) -= n;
                        *delta.entry(key(new, next)).or_insert(0) += n;
                    }
                    out.push(new);
                    i += 2;
                    changed = true;
                } else {
                    out.push(s[i]);
                    i += 1;
                }
            }
            if changed {
                for p in out.windows(2) {
                    if p[0] == new || p[1] == new {
                        let list = where_.entry(key(p[0], p[1])).or_default();
                        if list.last() != Some(&w) {
                            list.push(w);
                        }
                    }
                }
                s.clear();
                s.extend_from_slice(&out);
            }
        }
        // Apply in a fixed order so the heap sees the same pushes on every run.
        let mut changes: Vec<(u64, i64)> =
            delta.drain().filter(|&(p, d)| d != 0 && p != k).collect();
        changes.sort_unstable();
        for (p, d) in changes {
            let e = pair_count.entry(p).or_insert(0);
            *e += d;
            if d > 0 {
                heap.push((*e, Reverse(p)));
            }
            if *e <= 0 {
                pair_count.remove(&p);
            }
        }
    }
    merges
}
