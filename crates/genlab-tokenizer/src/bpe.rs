//! The byte-level BPE tokenizer: a vocabulary of byte strings with ranks, a split pattern, and
//! special tokens. `encode` cuts text with the pattern and merges each chunk by rank; `decode`
//! concatenates token bytes.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{Result, TokenizerError};
use crate::index::TokenIndex;
use crate::merge::{PairTable, SMALL_CHUNK, merge_large, merge_small};
use crate::pattern::{Pattern, Splitter};
use crate::split::{block_cuts, blocks};

/// How many ids below the largest a vocabulary may leave unused (see [`Bpe::new`]).
pub const MAX_UNUSED_IDS: usize = 4096;

/// Below this many bytes, [`Bpe::encode_parallel`] does not bother cutting the text.
const PARALLEL_BLOCK: usize = 64 * 1024;

/// One ordinary (non-special) vocabulary entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The token id.
    pub id: u32,
    /// The bytes the token stands for.
    pub bytes: Vec<u8>,
    /// Merge priority: lower ranks merge first (equal to `id` for GPT-style vocabularies).
    pub rank: u32,
}

/// A byte-level BPE tokenizer (see the crate docs for the three verbs).
#[derive(Clone, Debug)]
pub struct Bpe {
    splitter: Splitter,
    /// Bytes of every id, special tokens included (as their UTF-8 text).
    bytes: Vec<Vec<u8>>,
    /// Rank of every id; `u32::MAX` for special tokens.
    ranks: Vec<u32>,
    specials: Vec<(String, u32)>,
    /// Ordinary tokens' bytes to their ids.
    encoder: TokenIndex,
    pairs: PairTable,
    byte_ids: [u32; 256],
    max_token_len: usize,
    /// Take a chunk that is itself a token whole, before any merge (tiktoken's rule, and Hugging
    /// Face's `ignore_merges: true`); when false, every chunk goes through the merges.
    ignore_merges: bool,
}

impl Bpe {
    /// Builds a tokenizer from its vocabulary. Ids of `tokens` and `specials` together cover
    /// `0..n`, where `n` is one past the largest id, except for at most [`MAX_UNUSED_IDS`]
    /// unused ids (real vocabularies have a few: cl100k_base leaves 100256 and 100261..=100275
    /// free). Every single byte must be a token; bytes and ranks must be unique.
    pub fn new(pattern: Pattern, tokens: Vec<Token>, specials: Vec<(String, u32)>) -> Result<Bpe> {
        Bpe::build(pattern, tokens, specials, None)
    }

    /// [`Bpe::new`], with the merge table given instead of derived from the token bytes (most
    /// of the work for a large vocabulary). Its ids are checked; its content is trusted.
    pub(crate) fn build(
        pattern: Pattern,
        tokens: Vec<Token>,
        specials: Vec<(String, u32)>,
        merge_table: Option<PairTable>,
    ) -> Result<Bpe> {
        let bad = |m: String| Err(TokenizerError::Vocab(m));
        let used = tokens.len() + specials.len();
        let n = tokens
            .iter()
            .map(|t| t.id)
            .chain(specials.iter().map(|s| s.1))
            .max()
            .map_or(0, |m| m as usize + 1);
        if n > used + MAX_UNUSED_IDS {
            return bad(format!(
                "ids run up to {} but only {used} are used: at most {MAX_UNUSED_IDS} may be left unused",
                n - 1
            ));
        }
        let mut bytes: Vec<Vec<u8>> = vec![Vec::new(); n];
        let mut ranks = vec![u32::MAX; n];
        let mut taken = vec![false; n];
        let mut encoder = TokenIndex::with_capacity(tokens.len());
        let mut by_rank: Vec<(u32, u32)> = Vec::with_capacity(tokens.len());
        for t in tokens {
            let id = t.id as usize;
            if std::mem::replace(&mut taken[id], true) {
                return bad(format!("token id {} is used twice", t.id));
            }
            if t.bytes.is_empty() {
                return bad(format!("token id {} is empty", t.id));
            }
            ranks[id] = t.rank;
            by_rank.push((t.rank, t.id));
            bytes[id] = t.bytes;
            if let Err(other) = encoder.insert(t.id, &bytes) {
                return bad(format!(
                    "tokens {other} and {} have the same bytes {:?}",
                    t.id, bytes[id]
                ));
            }
        }
        by_rank.sort_unstable();
        if let Some(w) = by_rank.windows(2).find(|w| w[0].0 == w[1].0) {
            let (a, b) = (w[0].1.min(w[1].1), w[0].1.max(w[1].1));
            return bad(format!("tokens {a} and {b} have the same rank {}", w[0].0));
        }
        drop(by_rank);
        let mut seen_special = FxHashMap::default();
        for (text, id) in &specials {
            if text.is_empty() {
                return bad(format!("special token id {id} has empty text"));
            }
            if seen_special.insert(text.clone(), *id).is_some() {
                return bad(format!("special token {text:?} is listed twice"));
            }
            if std::mem::replace(&mut taken[*id as usize], true) {
                return bad(format!("special {text:?} reuses token id {id}"));
            }
            bytes[*id as usize] = text.as_bytes().to_vec();
        }
        // An unused id keeps empty bytes, which no token has.
        let mut byte_ids = [0u32; 256];
        for b in 0..=255u8 {
            match encoder.get(&[b], &bytes) {
                Some(id) => byte_ids[b as usize] = id,
                None => {
                    return bad(format!(
                        "byte 0x{b:02x} has no token, so not all text is encodable"
                    ));
                }
            }
        }
        let pairs = match merge_table {
            Some(table) => {
                let ordinary = |id: u64| ranks.get(id as usize).is_some_and(|&r| r != u32::MAX);
                for (key, value) in table.iter() {
                    let (l, r, id) = (key >> 32, key & 0xffff_ffff, value & 0xffff_ffff);
                    if !(ordinary(l) && ordinary(r) && ordinary(id)) {
                        return bad(format!("merge {l} + {r} -> {id} names a non-token id"));
                    }
                }
                table
            }
            None => {
                let mut pairs = PairTable::with_capacity(ranks.len());
                for id in encoder.ids() {
                    let t = &bytes[id as usize];
                    for k in 1..t.len() {
                        if let (Some(l), Some(r)) =
                            (encoder.get(&t[..k], &bytes), encoder.get(&t[k..], &bytes))
                        {
                            pairs.insert(l, r, ranks[id as usize], id);
                        }
                    }
                }
                pairs
            }
        };
        let max_token_len = encoder.ids().map(|id| bytes[id as usize].len()).max().unwrap_or(1);
        Ok(Bpe {
            splitter: pattern.splitter()?,
            bytes,
            ranks,
            specials,
            encoder,
            pairs,
            byte_ids,
            max_token_len,
            ignore_merges: true,
        })
    }

    /// The same tokenizer with Hugging Face's `ignore_merges` set: `true` (the default, and
    /// tiktoken's rule) takes a chunk that is a token whole; `false` always applies the merges,
    /// which can split a vocabulary word the merges never build.
    pub fn with_ignore_merges(mut self, ignore_merges: bool) -> Self {
        self.ignore_merges = ignore_merges;
        self
    }

    /// Whether a chunk that is a token is taken whole (see [`Bpe::with_ignore_merges`]).
    pub fn ignore_merges(&self) -> bool {
        self.ignore_merges
    }

    /// Number of ids, special tokens and unused ids included (one past the largest id, as
    /// tiktoken's `n_vocab`).
    pub fn vocab_size(&self) -> usize {
        self.bytes.len()
    }

    /// The split pattern.
    pub fn pattern(&self) -> &Pattern {
        self.splitter.pattern()
    }

    /// Special tokens and their ids.
    pub fn special_tokens(&self) -> &[(String, u32)] {
        &self.specials
    }

    /// Id of a special token's text.
    pub fn special_id(&self, text: &str) -> Option<u32> {
        self.specials.iter().find(|(t, _)| t == text).map(|s| s.1)
    }

    /// Bytes of a token (a special token's UTF-8 text for special ids).
    pub fn token_bytes(&self, id: u32) -> Option<&[u8]> {
        self.bytes.get(id as usize).map(Vec::as_slice).filter(|b| !b.is_empty())
    }

    /// Id of the ordinary token with exactly these bytes.
    pub fn token_id(&self, bytes: &[u8]) -> Option<u32> {
        self.encoder.get(bytes, &self.bytes)
    }

    /// Merge rank of an ordinary token.
    pub fn rank(&self, id: u32) -> Option<u32> {
        self.ranks.get(id as usize).copied().filter(|&r| r != u32::MAX)
    }

    /// The ordinary tokens, in id order.
    pub fn tokens(&self) -> Vec<Token> {
        (0..self.bytes.len() as u32)
            .filter(|&id| self.ranks[id as usize] != u32::MAX)
            .map(|id| Token {
                id,
                bytes: self.bytes[id as usize].clone(),
                rank: self.ranks[id as usize],
            })
            .collect()
    }

    /// Number of `(left, right) -> merged` entries the encoder consults.
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }

    /// The encoder's merge table, sorted: `(left << 32 | right, rank << 32 | merged id)`.
    pub(crate) fn merge_table(&self) -> Vec<(u64, u64)> {
        self.pairs.entries()
    }

    /// Bytes and rank of every id (empty bytes and `u32::MAX` for an unused id).
    pub(crate) fn raw_ids(&self) -> (&[Vec<u8>], &[u32]) {
        (&self.bytes, &self.ranks)
    }

    /// Encodes text; special-token text is encoded as ordinary text (the safe default for
    /// user input). See [`Bpe::encode_with_special`] to let special tokens through.
    ///
    /// ```
    /// use genlab_tokenizer::{Bpe, Pattern};
    /// let bpe = Bpe::bytes_only(Pattern::Gpt2).unwrap();
    /// assert_eq!(bpe.encode("hi"), [104, 105]);
    /// ```
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        self.encode_into(text, &mut out);
        out
    }

    /// Appends the ids of `text` (special-token text as ordinary text) to `out`.
    pub fn encode_into(&self, text: &str, out: &mut Vec<u32>) {
        let mut scratch = Vec::new();
        self.splitter
            .for_each(text, |chunk| self.encode_chunk(chunk.as_bytes(), out, &mut scratch));
    }

    #[inline]
    fn encode_chunk(&self, chunk: &[u8], out: &mut Vec<u32>, scratch: &mut Vec<u64>) {
        if self.ignore_merges
            && chunk.len() <= self.max_token_len
            && let Some(id) = self.encoder.get(chunk, &self.bytes)
        {
            out.push(id);
            return;
        }
        if chunk.len() <= SMALL_CHUNK {
            let start = out.len();
            out.extend(chunk.iter().map(|&b| self.byte_ids[b as usize]));
            merge_small(out, start, &self.pairs, scratch);
        } else {
            let ids: Vec<u32> = chunk.iter().map(|&b| self.byte_ids[b as usize]).collect();
            merge_large(&ids, &self.pairs, out);
        }
    }

    /// Encodes one long text on all rayon threads; the ids are identical to [`Bpe::encode`].
    /// Texts with a custom or no pattern are encoded on one thread.
    pub fn encode_parallel(&self, text: &str) -> Vec<u32> {
        if !self.splitter.parallel_safe() || text.len() < 2 * PARALLEL_BLOCK {
            return self.encode(text);
        }
        let parts: Vec<Vec<u32>> = blocks(text, &block_cuts(text, PARALLEL_BLOCK))
            .par_iter()
            .map(|b| self.encode(b))
            .collect();
        parts.concat()
    }

    /// Encodes many texts in parallel (ordinary text only).
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<u32>> {
        texts.par_iter().map(|t| self.encode(t.as_ref())).collect()
    }

    /// Number of tokens `text` encodes to.
    pub fn count(&self, text: &str) -> usize {
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        let mut n = 0;
        self.splitter.for_each(text, |chunk| {
            out.clear();
            self.encode_chunk(chunk.as_bytes(), &mut out, &mut scratch);
            n += out.len();
        });
        n
    }

    /// The bytes of `ids`, concatenated; lossless even when the bytes are not valid UTF-8.
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            match self.token_bytes(id) {
                Some(b) => out.extend_from_slice(b),
                None => {
                    return Err(TokenizerError::UnknownId { id, vocab_size: self.vocab_size() });
                }
            }
        }
        Ok(out)
    }

    /// Decodes ids to text. Byte sequences that are not valid UTF-8 (a token sequence cut in
    /// the middle of a character) become U+FFFD, as in tiktoken and Hugging Face; use
    /// [`Bpe::decode_bytes`] for the exact bytes.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        let bytes = self.decode_bytes(ids)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// A vocabulary of the 256 bytes only (every text encodes to its bytes).
    pub fn bytes_only(pattern: Pattern) -> Result<Bpe> {
        let tokens = (0..=255u8).map(|b| Token { id: b.into(), bytes: vec![b], rank: b.into() });
        Bpe::new(pattern, tokens.collect(), Vec::new())
    }

    /// The merge rules `(left, right)` in rank order, each producing the next non-byte token.
    /// Derived as tiktoken-to-Hugging-Face converters do: a token's merge is what BPE with only
    /// the lower ranks makes of its bytes, which must be exactly two tokens.
    pub fn merges(&self) -> Result<Vec<(u32, u32, u32)>> {
        let mut order: Vec<u32> =
            (0..self.bytes.len() as u32).filter(|&id| self.bytes[id as usize].len() > 1).collect();
        order.retain(|&id| self.ranks[id as usize] != u32::MAX);
        order.sort_by_key(|&id| self.ranks[id as usize]);
        let mut out = Vec::with_capacity(order.len());
        for id in order {
            let rank = u64::from(self.ranks[id as usize]);
            let t = &self.bytes[id as usize];
            let mut parts: Vec<u32> = t.iter().map(|&b| self.byte_ids[b as usize]).collect();
            // BPE restricted to lower ranks, by the same rule as encoding.
            loop {
                let mut best = (u64::MAX, 0);
                for i in 0..parts.len().saturating_sub(1) {
                    let r = self.pairs.get(parts[i], parts[i + 1]);
                    if r >> 32 < rank && r < best.0 {
                        best = (r, i);
                    }
                }
                if best.0 == u64::MAX {
                    break;
                }
                parts[best.1] = best.0 as u32;
                parts.remove(best.1 + 1);
            }
            match parts[..] {
                [l, r] => out.push((l, r, id)),
                _ => {
                    return Err(TokenizerError::Vocab(format!(
                        "token {id} ({:?}) is not the merge of two lower-ranked tokens",
                        String::from_utf8_lossy(t)
                    )));
                }
            }
        }
        Ok(out)
    }
}
