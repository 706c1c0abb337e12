//! One sequence being generated: its history, its sampler, and the stop logic that holds
//! back tokens which might be the start of a stop string, so stop strings never leak.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::config::GenerationConfig;
use crate::error::{DecodingError, Result};
use crate::model::Detokenizer;
use crate::sampler::Sampler;

/// Why generation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// `max_new_tokens` tokens were generated.
    Length,
    /// This stop token was sampled (it is not in the output).
    StopToken(u32),
    /// The output contained this stop string (the output ends just before it).
    StopString(String),
    /// The model's [`crate::LanguageModel::max_context`] was reached.
    ContextFull,
}

/// One token released to the caller, as it comes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamToken {
    /// The token id.
    pub id: u32,
    /// New text this token completes (empty without a detokenizer, or while a multi-byte
    /// character is still incomplete: it then comes with a later token). The pieces
    /// concatenate to [`GenerationOutput::text`] except for text that a stop string cut
    /// mid-token, which only the output has.
    pub text: String,
}

/// What a finished generation produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationOutput {
    /// Generated tokens, prompt excluded; no stop token, no token that starts a stop string.
    pub tokens: Vec<u32>,
    /// Decoded output (`None` without a detokenizer), cut just before a matched stop string.
    pub text: Option<String>,
    /// Why it ended.
    pub finish_reason: FinishReason,
}

/// Earliest match of any stop string in `text`: `(byte position, index of the string)`.
pub(crate) fn find_stop(text: &str, stops: &[String]) -> Option<(usize, usize)> {
    stops.iter().enumerate().filter_map(|(i, s)| text.find(s.as_str()).map(|p| (p, i))).min()
}

/// Length of the longest suffix of `text` that is a proper prefix of some stop string.
fn partial_stop_len(text: &str, stops: &[String]) -> usize {
    let mut best = 0;
    for s in stops {
        for (i, _) in s.char_indices().skip(1) {
            if i > best && text.ends_with(&s[..i]) {
                best = i;
            }
        }
    }
    best
}

/// One sequence being generated, for programs that run their own loop (a server's
/// continuous-batching scheduler): feed the model, pass the logits to [`Sequence::step`],
/// and show what lands in [`Sequence::ready`]. [`generate_stream`](crate::generate_stream) is
/// this loop for one sequence.
pub struct Sequence<'d> {
    /// Prompt and generated tokens so far.
    pub history: Vec<u32>,
    prompt_len: usize,
    released: usize,
    max_new_tokens: usize,
    stop_ids: Vec<u32>,
    stop_strings: Vec<String>,
    detok: Option<&'d dyn Detokenizer>,
    emitted_text: String,
    cut_text: Option<String>,
    /// The seeded sampler with the processors of the config.
    pub sampler: Sampler,
    /// Why it ended; `None` while it runs.
    pub finish: Option<FinishReason>,
    /// Tokens released to the caller and not taken yet (tokens that may start a stop string
    /// are held back until they turn out not to).
    pub ready: VecDeque<StreamToken>,
}

impl std::fmt::Debug for Sequence<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sequence")
            .field("history", &self.history)
            .field("finish", &self.finish)
            .finish_non_exhaustive()
    }
}

impl<'d> Sequence<'d> {
    /// Starts a sequence from `prompt`, sampling on ChaCha stream `stream` of the config's
    /// seed (so the choices of one request differ and each is reproducible).
    ///
    /// # Errors
    /// An empty prompt, stop strings without a detokenizer, or an invalid config.
    pub fn new(
        prompt: &[u32],
        config: &GenerationConfig,
        detok: Option<&'d dyn Detokenizer>,
        stream: u64,
    ) -> Result<Self> {
        if prompt.is_empty() {
            return Err(if config.max_new_tokens == 0 {
                DecodingError::param(
                    "max_new_tokens",
                    "0 with an empty prompt",
                    "[1, inf) (and a prompt of at least 1 token)",
                )
            } else {
                DecodingError::param("prompt", "0 tokens", "at least 1 token (e.g. a BOS token)")
            });
        }
        if !config.stop_strings.is_empty() && detok.is_none() {
            return Err(DecodingError::InvalidConfig(
                "stop_strings need a detokenizer to match decoded text".into(),
            ));
        }
        let finish = (config.max_new_tokens == 0).then_some(FinishReason::Length);
        Ok(Self {
            history: prompt.to_vec(),
            prompt_len: prompt.len(),
            released: 0,
            max_new_tokens: config.max_new_tokens,
            stop_ids: config.stop_token_ids.clone(),
            stop_strings: config.stop_strings.clone(),
            detok,
            emitted_text: String::new(),
            cut_text: None,
            sampler: Sampler::from_config_stream(config, stream)?,
            finish,
            ready: VecDeque::new(),
        })
    }

    /// The generated tokens so far (held-back ones included).
    pub fn generated(&self) -> &[u32] {
        &self.history[self.prompt_len..]
    }

    /// Samples the next token from `logits` and feeds it to the stop logic. Returns the token
    /// when it must be fed to the model (generation goes on).
    ///
    /// # Errors
    /// Logits the sampler cannot use (none left after the processors, say).
    pub fn step(&mut self, logits: &[f32]) -> Result<Option<u32>> {
        let token = self.sampler.sample(logits, &self.history)?;
        self.push(token);
        Ok(if self.finish.is_none() { Some(token) } else { None })
    }

    /// Ends the sequence for `reason`, releasing held-back tokens.
    pub fn end(&mut self, reason: FinishReason) {
        if self.finish.is_none() {
            self.release(self.generated().len());
            self.finish = Some(reason);
        }
    }

    fn push(&mut self, token: u32) {
        if self.stop_ids.contains(&token) {
            self.end(FinishReason::StopToken(token));
            return;
        }
        self.history.push(token);
        let n = self.generated().len();
        match self.detok.filter(|_| !self.stop_strings.is_empty()) {
            None => self.release(n),
            Some(detok) => {
                let text = detok.decode(self.generated());
                if let Some((pos, i)) = find_stop(&text, &self.stop_strings) {
                    let head = &text[..pos];
                    let keep = (self.released..=n)
                        .rev()
                        .find(|&j| head.starts_with(&detok.decode(&self.generated()[..j])))
                        .unwrap_or(self.released);
                    self.release(keep);
                    self.cut_text = Some(head.to_string());
                    self.finish = Some(FinishReason::StopString(self.stop_strings[i].clone()));
                    return;
                }
                let safe = text.len() - partial_stop_len(&text, &self.stop_strings);
                if safe == text.len() {
                    self.release(n);
                } else if let Some(j) = (self.released + 1..=n)
                    .rev()
                    .find(|&j| detok.decode(&self.generated()[..j]).len() <= safe)
                {
                    self.release(j);
                }
            }
        }
        if self.finish.is_none() && n >= self.max_new_tokens {
            self.end(FinishReason::Length);
        }
    }

    /// Releases generated tokens up to index `upto` (exclusive) into `ready`.
    fn release(&mut self, upto: usize) {
        while self.released < upto {
            let id = self.generated()[self.released];
            self.released += 1;
            let text = match self.detok {
                None => String::new(),
                Some(d) => {
                    let full = d.decode(&self.generated()[..self.released]);
                    if full.ends_with('\u{FFFD}') || !full.starts_with(&self.emitted_text) {
                        String::new()
                    } else {
                        let delta = full[self.emitted_text.len()..].to_string();
                        self.emitted_text = full;
                        delta
                    }
                }
            };
            self.ready.push_back(StreamToken { id, text });
        }
    }

    /// What was generated, released tokens only (complete once [`Sequence::finish`] is set).
    pub fn output(&self) -> GenerationOutput {
        let tokens = self.generated()[..self.released].to_vec();
        let text = self.detok.map(|d| self.cut_text.clone().unwrap_or_else(|| d.decode(&tokens)));
        GenerationOutput {
            tokens,
            text,
            finish_reason: self.finish.clone().unwrap_or(FinishReason::Length),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_helpers() {
        let stops = vec!["\n\n".to_string(), "END".to_string()];
        assert_eq!(find_stop("ab\n\ncEND", &stops), Some((2, 0)));
        assert_eq!(find_stop("abEND\n\n", &stops), Some((2, 1)));
        assert_eq!(find_stop("abc", &stops), None);
        assert_eq!(partial_stop_len("abc\n", &stops), 1);
        assert_eq!(partial_stop_len("abcEN", &stops), 2);
        assert_eq!(partial_stop_len("abc", &stops), 0);
    }
}
