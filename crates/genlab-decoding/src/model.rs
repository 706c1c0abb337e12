//! The two things generation needs from the outside: a [`LanguageModel`] (ids in, logits of
//! the last position out, with an explicit cache the caller holds) and a [`Detokenizer`]
//! (ids to text, for stop strings).

use crate::error::BoxError;

/// The input check every [`LanguageModel::forward`] needs: at least one token, each inside
/// the vocabulary. Models call it first so a bad id is an error naming it, not a panic deep in
/// an embedding lookup.
///
/// # Errors
/// An empty `tokens`, or the first id at or above `vocab_size`.
pub fn check_tokens(tokens: &[u32], vocab_size: usize) -> Result<(), BoxError> {
    if tokens.is_empty() {
        return Err(
            "forward needs at least one token (an empty prompt has nothing to condition on)".into(),
        );
    }
    match tokens.iter().find(|&&t| t as usize >= vocab_size) {
        Some(bad) => {
            Err(format!("token id {bad} is outside the vocabulary of {vocab_size}").into())
        }
        None => Ok(()),
    }
}

/// A causal language model as generation sees it. The cache (e.g. a KV cache) is a value
/// the model creates and the caller owns and passes back in, candle-style; cloning it forks a
/// sequence (beam search clones the cache of the beam a new beam extends).
pub trait LanguageModel {
    /// Per-sequence state carried between calls, e.g. key/value tensors per layer.
    type Cache: Clone;

    /// Number of logits per position.
    fn vocab_size(&self) -> usize;

    /// Longest sequence (prompt + generated) the model accepts; `None` = unbounded.
    /// Generation stops with [`crate::FinishReason::ContextFull`] when it is reached.
    fn max_context(&self) -> Option<usize> {
        None
    }

    /// A fresh, empty cache for one sequence.
    ///
    /// # Errors
    /// Whatever the model reports.
    fn new_cache(&self) -> Result<Self::Cache, BoxError>;

    /// Feeds `new_tokens` (the whole prompt at first, then one token per step) after what
    /// `cache` already holds, updates `cache`, and returns the `vocab_size` logits of the
    /// last position.
    ///
    /// # Errors
    /// Whatever the model reports; it flows out as [`crate::DecodingError::Model`].
    fn forward(&self, new_tokens: &[u32], cache: &mut Self::Cache) -> Result<Vec<f32>, BoxError>;

    /// Several sequences at once, one cache each: returns `new_tokens.len() x vocab_size`
    /// logits, row-major. The default calls [`LanguageModel::forward`] per sequence;
    /// override it to run one batched forward on the device (during decoding every sequence
    /// feeds exactly one token, so the rows have equal length).
    ///
    /// # Errors
    /// Whatever the model reports.
    fn forward_batch(
        &self,
        new_tokens: &[&[u32]],
        caches: &mut [Self::Cache],
    ) -> Result<Vec<f32>, BoxError> {
        let mut out = Vec::with_capacity(new_tokens.len() * self.vocab_size());
        for (tokens, cache) in new_tokens.iter().zip(caches.iter_mut()) {
            out.extend(self.forward(tokens, cache)?);
        }
        Ok(out)
    }
}

/// Turns token ids into text (for stop strings and text output). Any
/// `Fn(&[u32]) -> String` is one, so a tokenizer plugs in as
/// `&|ids: &[u32]| tokenizer.decode(ids)`.
pub trait Detokenizer {
    /// The text of `ids`; incomplete UTF-8 at the end may come out as U+FFFD.
    fn decode(&self, ids: &[u32]) -> String;
}

impl<F: Fn(&[u32]) -> String> Detokenizer for F {
    fn decode(&self, ids: &[u32]) -> String {
        self(ids)
    }
}
