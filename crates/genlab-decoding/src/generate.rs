//! The generation loop: [`generate_stream`] (an iterator yielding tokens as they come),
//! [`generate`] (collects it) and [`generate_batch`] (several sequences stepped together).

use crate::beam::beam_search;
use crate::config::GenerationConfig;
use crate::error::{DecodingError, Result};
use crate::model::{Detokenizer, LanguageModel};
use crate::sequence::{FinishReason, GenerationOutput, Sequence, StreamToken, find_stop};

fn check_fits<M: LanguageModel>(model: &M, prompt: &[u32]) -> Result<()> {
    match model.max_context() {
        Some(max) if prompt.len() > max => Err(DecodingError::InvalidConfig(format!(
            "the prompt has {} tokens, more than the model's max_context {max}",
            prompt.len()
        ))),
        _ => Ok(()),
    }
}

fn check_logits(got: usize, vocab: usize) -> Result<()> {
    if got == vocab { Ok(()) } else { Err(DecodingError::LogitsShape { expected: vocab, got }) }
}

/// A running generation, yielding each token as soon as it is safe to show (tokens that may
/// begin a stop string are held back until they turn out not to). Made by [`generate_stream`].
pub struct TokenStream<'a, M: LanguageModel> {
    model: &'a M,
    cache: Option<M::Cache>,
    seq: Sequence<'a>,
    /// Tokens not yet fed to the model (the prompt first, then the last sampled token).
    to_feed: Vec<u32>,
    failed: bool,
}

impl<M: LanguageModel> std::fmt::Debug for TokenStream<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStream").field("finish", &self.seq.finish).finish_non_exhaustive()
    }
}

impl<M: LanguageModel> TokenStream<'_, M> {
    fn advance(&mut self) -> Result<()> {
        if let Some(max) = self.model.max_context()
            && self.seq.history.len() > max
        {
            self.seq.end(FinishReason::ContextFull);
            return Ok(());
        }
        let cache = match &mut self.cache {
            Some(c) => c,
            None => self.cache.insert(self.model.new_cache().map_err(DecodingError::Model)?),
        };
        let logits = self.model.forward(&self.to_feed, cache).map_err(DecodingError::Model)?;
        check_logits(logits.len(), self.model.vocab_size())?;
        self.to_feed.clear();
        if let Some(t) = self.seq.step(&logits)? {
            self.to_feed.push(t);
        }
        Ok(())
    }

    /// Why generation ended; `None` while it runs.
    pub fn finish_reason(&self) -> Option<&FinishReason> {
        self.seq.finish.as_ref()
    }

    /// The output so far (complete once the iterator has returned `None`).
    pub fn output(&self) -> GenerationOutput {
        self.seq.output()
    }
}

impl<M: LanguageModel> Iterator for TokenStream<'_, M> {
    type Item = Result<StreamToken>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(t) = self.seq.ready.pop_front() {
                return Some(Ok(t));
            }
            if self.failed || self.seq.finish.is_some() {
                return None;
            }
            if let Err(e) = self.advance() {
                self.failed = true;
                return Some(Err(e));
            }
        }
    }
}

/// Starts generating from `prompt` (at least one token). Only sampling and greedy stream;
/// beam search (`num_beams > 1`) goes through [`generate`].
///
/// # Errors
/// An invalid config, an empty prompt, a prompt longer than the model's context, beam search,
/// or stop strings without a detokenizer. Model errors come later, through the iterator.
pub fn generate_stream<'a, M: LanguageModel>(
    model: &'a M,
    prompt: &[u32],
    config: &GenerationConfig,
    detokenizer: Option<&'a dyn Detokenizer>,
) -> Result<TokenStream<'a, M>> {
    if config.num_beams > 1 {
        return Err(DecodingError::InvalidConfig(
            "beam search (num_beams > 1) cannot stream; use generate".into(),
        ));
    }
    let seq = Sequence::new(prompt, config, detokenizer, 0)?;
    check_fits(model, prompt)?;
    Ok(TokenStream { model, cache: None, seq, to_feed: prompt.to_vec(), failed: false })
}

/// Generates from `prompt` to the end: sampling or greedy, or beam search when
/// `num_beams > 1` (then the best beam). Same tokens as [`generate_stream`].
///
/// # Errors
/// As [`generate_stream`], plus model and sampling errors.
pub fn generate<M: LanguageModel>(
    model: &M,
    prompt: &[u32],
    config: &GenerationConfig,
    detokenizer: Option<&dyn Detokenizer>,
) -> Result<GenerationOutput> {
    if config.num_beams > 1 {
        let best = beam_search(model, prompt, config)?.into_iter().next();
        let best = best.ok_or(DecodingError::NoCandidates)?;
        return Ok(beam_output(best.tokens, best.finish_reason, config, detokenizer));
    }
    let mut stream = generate_stream(model, prompt, config, detokenizer)?;
    for t in &mut stream {
        t?;
    }
    Ok(stream.output())
}

/// A beam's tokens as an output, cut at the first stop string.
fn beam_output(
    mut tokens: Vec<u32>,
    mut finish_reason: FinishReason,
    config: &GenerationConfig,
    detokenizer: Option<&dyn Detokenizer>,
) -> GenerationOutput {
    let text = detokenizer.map(|d| {
        let text = d.decode(&tokens);
        match find_stop(&text, &config.stop_strings) {
            Some((pos, i)) => {
                let head = text[..pos].to_string();
                let keep = (0..=tokens.len())
                    .rev()
                    .find(|&j| head.starts_with(&d.decode(&tokens[..j])))
                    .unwrap_or(0);
                tokens.truncate(keep);
                finish_reason = FinishReason::StopString(config.stop_strings[i].clone());
                head
            }
            None => text,
        }
    });
    GenerationOutput { tokens, text, finish_reason }
}

/// Generates from several prompts at once: every step feeds one token per running sequence
/// through [`LanguageModel::forward_batch`]. Sequence `i` samples on ChaCha stream `i`, so
/// it gets the same tokens as alone when `i == 0`, and independent ones otherwise.
///
/// # Errors
/// As [`generate`].
pub fn generate_batch<M: LanguageModel>(
    model: &M,
    prompts: &[&[u32]],
    config: &GenerationConfig,
    detokenizer: Option<&dyn Detokenizer>,
) -> Result<Vec<GenerationOutput>> {
    generate_batch_with(model, prompts, config, detokenizer, |_, _| {})
}

/// [`generate_batch`] calling `on_token(sequence index, token)` as each token is released.
///
/// # Errors
/// As [`generate`].
pub fn generate_batch_with<M: LanguageModel>(
    model: &M,
    prompts: &[&[u32]],
    config: &GenerationConfig,
    detokenizer: Option<&dyn Detokenizer>,
    mut on_token: impl FnMut(usize, &StreamToken),
) -> Result<Vec<GenerationOutput>> {
    if config.num_beams > 1 {
        return prompts.iter().map(|p| generate(model, p, config, detokenizer)).collect();
    }
    let mut seqs = Vec::with_capacity(prompts.len());
    for (i, p) in prompts.iter().enumerate() {
        seqs.push(Sequence::new(p, config, detokenizer, i as u64)?);
        check_fits(model, p)?;
    }
    let vocab = model.vocab_size();
    // Running sequences, their caches and the tokens each feeds next, kept aligned.
    let mut active: Vec<usize> = (0..seqs.len()).filter(|&i| seqs[i].finish.is_none()).collect();
    let mut caches = Vec::with_capacity(active.len());
    for _ in &active {
        caches.push(model.new_cache().map_err(DecodingError::Model)?);
    }
    let mut feeds: Vec<Vec<u32>> = active.iter().map(|&i| prompts[i].to_vec()).collect();
    while !active.is_empty() {
        let inputs: Vec<&[u32]> = feeds.iter().map(Vec::as_slice).collect();
        let logits = model.forward_batch(&inputs, &mut caches).map_err(DecodingError::Model)?;
        check_logits(logits.len(), vocab * active.len())?;
        let mut next_active = Vec::with_capacity(active.len());
        let mut next_caches = Vec::with_capacity(active.len());
        let mut next_feeds = Vec::with_capacity(active.len());
        for ((&i, cache), row) in active.iter().zip(caches.drain(..)).zip(logits.chunks(vocab)) {
            let seq = &mut seqs[i];
            let fed = seq.step(row)?;
            if let Some(max) = model.max_context()
                && fed.is_some()
                && seq.history.len() > max
            {
                seq.end(FinishReason::ContextFull);
            }
            while let Some(t) = seq.ready.pop_front() {
                on_token(i, &t);
            }
            if let (Some(t), None) = (fed, &seq.finish) {
                next_active.push(i);
                next_caches.push(cache);
                next_feeds.push(vec![t]);
            }
        }
        active = next_active;
        caches = next_caches;
        feeds = next_feeds;
    }
    Ok(seqs.iter().map(Sequence::output).collect())
}
