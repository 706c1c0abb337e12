//! Building a [`Bpe`] from its vocabulary, with every check a vocabulary must pass.

use rustc_hash::FxHashMap;

use super::{Bpe, MAX_UNUSED_IDS, Token};
use crate::error::{Result, TokenizerError};
use crate::index::TokenIndex;
use crate::memo;
use crate::merge::{PairTable, byte_pairs};
use crate::pattern::Pattern;
use crate::vocab::Vocab;

fn unused_message(n: usize, used: usize) -> String {
    format!(
        "ids run up to {} but only {used} are used: at most {MAX_UNUSED_IDS} may be left unused",
        n - 1
    )
}

impl Bpe {
    /// [`Bpe::new`], with the merge table given instead of derived from the token bytes (most
    /// of the work for a large vocabulary). Its ids are checked; its content is trusted.
    pub(crate) fn build(
        pattern: Pattern,
        tokens: Vec<Token>,
        specials: Vec<(String, u32)>,
        merge_table: Option<PairTable>,
    ) -> Result<Bpe> {
        let bad = |m: String| Err(TokenizerError::Vocab(m));
        let n = tokens
            .iter()
            .map(|t| t.id)
            .chain(specials.iter().map(|s| s.1))
            .max()
            .map_or(0, |m| m as usize + 1);
        if n > tokens.len() + specials.len() + MAX_UNUSED_IDS {
            return bad(unused_message(n, tokens.len() + specials.len()));
        }
        // What sits at each id: a token (its index), a special (its index), or nothing.
        const NOTHING: u32 = u32::MAX;
        const SPECIAL: u32 = 1 << 31;
        let mut at = vec![NOTHING; n];
        for (k, t) in tokens.iter().enumerate() {
            if std::mem::replace(&mut at[t.id as usize], k as u32) != NOTHING {
                return bad(format!("token id {} is used twice", t.id));
            }
        }
        for (k, (text, id)) in specials.iter().enumerate() {
            if std::mem::replace(&mut at[*id as usize], SPECIAL | k as u32) != NOTHING {
                return bad(format!("special {text:?} reuses token id {id}"));
            }
        }
        let total = tokens.iter().map(|t| t.bytes.len()).sum::<usize>()
            + specials.iter().map(|s| s.0.len()).sum::<usize>();
        let mut vocab = Vocab::with_capacity(n, total);
        let mut ranks = vec![u32::MAX; n];
        for (id, &k) in at.iter().enumerate() {
            if k == NOTHING {
                vocab.push(&[]);
            } else if k & SPECIAL != 0 {
                vocab.push(specials[(k & !SPECIAL) as usize].0.as_bytes());
            } else {
                let t = &tokens[k as usize];
                vocab.push(&t.bytes);
                ranks[id] = t.rank;
            }
        }
        Bpe::assemble(pattern, vocab, ranks, specials, || merge_table)
    }

    /// The tokenizer over `vocab` (every id's bytes), `ranks` (`u32::MAX` for special and unused
    /// ids) and `specials` (each id's bytes must be its text), checking what a vocabulary must
    /// be: ordinary tokens non-empty, with unique bytes and unique ranks, every single byte a
    /// token, few unused ids. `merge_table` gives the merge table when there is one (it runs
    /// on another thread meanwhile: building two large hash tables at once halves the load
    /// time of a 200k vocabulary on two cores); without one it is derived from the bytes.
    pub(crate) fn assemble(
        pattern: Pattern,
        vocab: Vocab,
        ranks: Vec<u32>,
        specials: Vec<(String, u32)>,
        merge_table: impl FnOnce() -> Option<PairTable> + Send,
    ) -> Result<Bpe> {
        let (checked, merge_table) =
            rayon::join(|| Bpe::index(&vocab, &ranks, &specials), merge_table);
        let (encoder, byte_ids, max_token_len) = checked?;
        let bad = |m: String| Err(TokenizerError::Vocab(m));
        let ordinary = ranks.iter().filter(|&&r| r != u32::MAX).count();
        let is_ordinary = |id: u64| ranks.get(id as usize).is_some_and(|&r| r != u32::MAX);
        let pairs = match merge_table {
            Some(table) => {
                for (key, value) in table.iter() {
                    let (l, r, id) = (key >> 32, key & 0xffff_ffff, value & 0xffff_ffff);
                    if !(is_ordinary(l) && is_ordinary(r) && is_ordinary(id)) {
                        return bad(format!("merge {l} + {r} -> {id} names a non-token id"));
                    }
                }
                table
            }
            None => {
                let mut pairs = PairTable::with_capacity(ordinary);
                for (id, (t, &rank)) in vocab.iter().zip(&ranks).enumerate() {
                    if rank == u32::MAX {
                        continue;
                    }
                    for k in 1..t.len() {
                        if let (Some(l), Some(r)) =
                            (encoder.get(&t[..k], &vocab), encoder.get(&t[k..], &vocab))
                        {
                            pairs.insert(l, r, rank, id as u32);
                        }
                    }
                }
                pairs
            }
        };
        let two_byte_tokens = vocab.iter().zip(&ranks).filter(|(_, r)| **r != u32::MAX);
        let byte_pairs = byte_pairs(
            &byte_ids,
            two_byte_tokens.filter_map(|(b, _)| <[u8; 2]>::try_from(b).ok()),
            &pairs,
        );
        Ok(Bpe {
            splitter: pattern.splitter()?,
            bytes: vocab,
            ranks,
            specials,
            encoder,
            pairs,
            byte_pairs,
            byte_ids,
            max_token_len,
            ignore_merges: true,
            memo_owner: memo::new_owner(),
        })
    }

    /// The checks of [`Bpe::assemble`] that need no merge table, and what they build: the
    /// token index, each byte's id and the longest token's length.
    fn index(
        vocab: &Vocab,
        ranks: &[u32],
        specials: &[(String, u32)],
    ) -> Result<(TokenIndex, [u32; 256], usize)> {
        let bad = |m: String| Err(TokenizerError::Vocab(m));
        let n = vocab.len();
        debug_assert_eq!(ranks.len(), n);
        let mut seen_special = FxHashMap::default();
        for (text, id) in specials {
            if text.is_empty() {
                return bad(format!("special token id {id} has empty text"));
            }
            if seen_special.insert(text.as_str(), *id).is_some() {
                return bad(format!("special token {text:?} is listed twice"));
            }
            if ranks.get(*id as usize) != Some(&u32::MAX)
                || vocab.get(*id as usize) != Some(text.as_bytes())
            {
                return bad(format!("special {text:?} reuses token id {id}"));
            }
        }
        let ordinary = ranks.iter().filter(|&&r| r != u32::MAX).count();
        if n > ordinary + specials.len() + MAX_UNUSED_IDS {
            return bad(unused_message(n, ordinary + specials.len()));
        }
        let mut encoder = TokenIndex::with_capacity(ordinary);
        let mut by_rank: Vec<(u32, u32)> = Vec::with_capacity(ordinary);
        let mut max_token_len = 1;
        for (id, (bytes, &rank)) in vocab.iter().zip(ranks).enumerate() {
            if rank == u32::MAX {
                continue;
            }
            if bytes.is_empty() {
                return bad(format!("token id {id} is empty"));
            }
            by_rank.push((rank, id as u32));
            max_token_len = max_token_len.max(bytes.len());
            if let Err(other) = encoder.insert(id as u32, vocab) {
                return bad(format!("tokens {other} and {id} have the same bytes {bytes:?}"));
            }
        }
        by_rank.sort_unstable();
        if let Some(w) = by_rank.windows(2).find(|w| w[0].0 == w[1].0) {
            let (a, b) = (w[0].1.min(w[1].1), w[0].1.max(w[1].1));
            return bad(format!("tokens {a} and {b} have the same rank {}", w[0].0));
        }
        drop(by_rank);
        let mut byte_ids = [0u32; 256];
        for b in 0..=255u8 {
            match encoder.get(&[b], vocab) {
                Some(id) => byte_ids[b as usize] = id,
                None => {
                    return bad(format!(
                        "byte 0x{b:02x} has no token, so not all text is encodable"
                    ));
                }
            }
        }
        Ok((encoder, byte_ids, max_token_len))
    }
}
