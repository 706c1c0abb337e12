//! The byte-level BPE tokenizer: a vocabulary of byte strings with ranks, a split pattern, and
//! special tokens. `encode` cuts text with the pattern and merges each chunk by rank; `decode`
//! concatenates token bytes.

use rayon::prelude::*;

use crate::error::{Result, TokenizerError};
use crate::index::TokenIndex;
use crate::memo::{self, Memo};
use crate::merge::{PairTable, Pairs, SMALL_CHUNK, merge_large, merge_small};
use crate::pattern::{Pattern, Splitter};
use crate::split::{block_cuts, blocks};

mod build;
use crate::vocab::Vocab;

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
    bytes: Vocab,
    /// Rank of every id; `u32::MAX` for special tokens.
    ranks: Vec<u32>,
    specials: Vec<(String, u32)>,
    /// Ordinary tokens' bytes to their ids.
    encoder: TokenIndex,
    pairs: PairTable,
    byte_ids: [u32; 256],
    /// The merges of two single bytes, by `a << 8 | b` (see [`crate::merge::byte_pairs`]).
    byte_pairs: Box<[u64]>,
    max_token_len: usize,
    /// Take a chunk that is itself a token whole, before any merge (tiktoken's rule, and Hugging
    /// Face's `ignore_merges: true`); when false, every chunk goes through the merges.
    ignore_merges: bool,
    /// This tokenizer's tag in the per-thread memo of short chunks ([`crate::memo`]).
    memo_owner: u64,
}

impl Bpe {
    /// Builds a tokenizer from its vocabulary. Ids of `tokens` and `specials` together cover
    /// `0..n`, where `n` is one past the largest id, except for at most [`MAX_UNUSED_IDS`]
    /// unused ids (real vocabularies have a few: cl100k_base leaves 100256 and 100261..=100275
    /// free). Every single byte must be a token; bytes and ranks must be unique.
    pub fn new(pattern: Pattern, tokens: Vec<Token>, specials: Vec<(String, u32)>) -> Result<Bpe> {
        Bpe::build(pattern, tokens, specials, None)
    }

    /// The same tokenizer with Hugging Face's `ignore_merges` set: `true` (the default, and
    /// tiktoken's rule) takes a chunk that is a token whole; `false` always applies the merges,
    /// which can split a vocabulary word the merges never build.
    pub fn with_ignore_merges(mut self, ignore_merges: bool) -> Self {
        self.ignore_merges = ignore_merges;
        self.memo_owner = memo::new_owner(); // the ids may change: a memo of its own
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
        self.bytes.get(id as usize).filter(|b| !b.is_empty())
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
                bytes: self.bytes[id as usize].to_vec(),
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
    pub(crate) fn raw_ids(&self) -> (&Vocab, &[u32]) {
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
        memo::with(|memo| match memo {
            Some(memo) => self
                .splitter
                .for_each(text, |chunk| self.encode_chunk_memo(chunk.as_bytes(), out, memo)),
            None => self.splitter.for_each(text, |chunk| self.encode_chunk(chunk.as_bytes(), out)),
        })
    }

    /// [`Bpe::encode_chunk`] through the memo of short chunks.
    #[inline]
    fn encode_chunk_memo(&self, chunk: &[u8], out: &mut Vec<u32>, memo: &mut Memo) {
        if chunk.len() > memo::MAX_CHUNK {
            return self.encode_chunk_with(
                chunk,
                out,
                &mut memo.pairs(self.memo_owner, &self.pairs),
            );
        }
        if let Some(ids) = memo.get(self.memo_owner, chunk) {
            out.extend_from_slice(ids);
            return;
        }
        let start = out.len();
        self.encode_chunk_with(chunk, out, &mut memo.pairs(self.memo_owner, &self.pairs));
        memo.put(self.memo_owner, chunk, &out[start..]);
    }

    #[inline]
    fn encode_chunk(&self, chunk: &[u8], out: &mut Vec<u32>) {
        self.encode_chunk_with(chunk, out, &mut &self.pairs)
    }

    /// [`Bpe::encode_chunk`], looking pairs up through `pairs`.
    #[inline]
    fn encode_chunk_with(&self, chunk: &[u8], out: &mut Vec<u32>, pairs: &mut impl Pairs) {
        if self.ignore_merges
            && chunk.len() <= self.max_token_len
            && let Some(id) = self.encoder.get(chunk, &self.bytes)
        {
            out.push(id);
            return;
        }
        if chunk.len() <= SMALL_CHUNK {
            merge_small(chunk, &self.byte_ids, &self.byte_pairs, pairs, out);
        } else {
            let ids: Vec<u32> = chunk.iter().map(|&b| self.byte_ids[b as usize]).collect();
            merge_large(&ids, pairs, out);
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
        let mut n = 0;
        memo::with(|mut memo| {
            self.splitter.for_each(text, |chunk| {
                out.clear();
                match memo.as_deref_mut() {
                    Some(memo) => self.encode_chunk_memo(chunk.as_bytes(), &mut out, memo),
                    None => self.encode_chunk(chunk.as_bytes(), &mut out),
                }
                n += out.len();
            })
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
    /// the lower ranks makes of its bytes, which must be exactly two tokens. With
    /// [`Bpe::ignore_merges`] on, a token that no merge builds (Qwen2's vocabulary has some) is
    /// left without one: only a chunk equal to it can produce it, on both sides.
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
                _ if self.ignore_merges => {}
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
