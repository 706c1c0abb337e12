//! Selectors: [`Sampling`] says how the next token is picked, [`Sampler`] holds the chain, the
//! seeded ChaCha20 generator and the buffers, so a step allocates nothing once warm.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use crate::candidates::Candidates;
use crate::chain::LogitsChain;
use crate::config::GenerationConfig;
use crate::error::{DecodingError, Result};

/// How the next token is chosen from the processed candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// The largest logit; ties go to the lowest id. Warpers are skipped.
    Greedy,
    /// A draw from softmax(candidate logits) with the sampler's seeded generator.
    Multinomial,
}

/// A seeded token picker: chain + [`Sampling`] + ChaCha20. The same seed, stream and inputs
/// always give the same tokens.
#[derive(Debug, Clone)]
pub struct Sampler {
    chain: LogitsChain,
    sampling: Sampling,
    rng: ChaCha20Rng,
    candidates: Candidates,
    weights: Vec<f32>,
}

impl Sampler {
    /// A sampler using `chain` (without its warpers when greedy) and `seed`.
    pub fn new(chain: LogitsChain, sampling: Sampling, seed: u64) -> Self {
        Self::with_stream(chain, sampling, seed, 0)
    }

    /// Like [`Sampler::new`], on ChaCha stream `stream`: independent generators from one
    /// seed, one per sequence of a batch (sequence `i` uses stream `i`).
    pub fn with_stream(chain: LogitsChain, sampling: Sampling, seed: u64, stream: u64) -> Self {
        let chain = if sampling == Sampling::Greedy { chain.without_warpers() } else { chain };
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self { chain, sampling, rng, candidates: Candidates::new(), weights: Vec::new() }
    }

    /// The sampler a config describes: greedy when `temperature == 0`.
    ///
    /// # Errors
    /// Whatever [`GenerationConfig::validate`] rejects.
    pub fn from_config(config: &GenerationConfig) -> Result<Self> {
        Self::from_config_stream(config, 0)
    }

    /// [`Sampler::from_config`] on ChaCha stream `stream`.
    ///
    /// # Errors
    /// Whatever [`GenerationConfig::validate`] rejects.
    pub fn from_config_stream(config: &GenerationConfig, stream: u64) -> Result<Self> {
        let sampling = if config.is_greedy() { Sampling::Greedy } else { Sampling::Multinomial };
        Ok(Self::with_stream(LogitsChain::from_config(config)?, sampling, config.seed, stream))
    }

    /// The selection rule.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// The chain applied before selection.
    pub fn chain(&self) -> &LogitsChain {
        &self.chain
    }

    /// The candidates left after the last call to [`Sampler::sample`].
    pub fn candidates(&self) -> &Candidates {
        &self.candidates
    }

    /// Picks the next token from one row of logits; `history` is prompt + generated so far.
    ///
    /// # Errors
    /// [`DecodingError::NoValidLogits`] when every logit is -inf or NaN,
    /// [`DecodingError::NoCandidates`] when the processors removed every token, and
    /// [`DecodingError::TokenOutOfRange`] for an out-of-vocabulary history or bias token.
    pub fn sample(&mut self, logits: &[f32], history: &[u32]) -> Result<u32> {
        self.chain.process(logits, history, &mut self.candidates)?;
        match self.sampling {
            Sampling::Greedy => match self.candidates.argmax() {
                Some((id, l)) if l > f32::NEG_INFINITY => Ok(id),
                _ => Err(DecodingError::NoCandidates),
            },
            Sampling::Multinomial => {
                let r: f64 = self.rng.random();
                multinomial(&self.candidates, r, &mut self.weights)
            }
        }
    }

    /// Picks one token per row of a row-major `rows x vocab` logits buffer, appending them to
    /// `out`. Rows share this sampler's generator, drawn in row order.
    ///
    /// # Errors
    /// [`DecodingError::LogitsShape`] when `logits.len() != histories.len() * vocab_size`,
    /// and what [`Sampler::sample`] returns.
    pub fn sample_batch(
        &mut self,
        logits: &[f32],
        vocab_size: usize,
        histories: &[&[u32]],
        out: &mut Vec<u32>,
    ) -> Result<()> {
        let expected = histories.len() * vocab_size;
        if logits.len() != expected || vocab_size == 0 {
            return Err(DecodingError::LogitsShape { expected, got: logits.len() });
        }
        for (row, history) in logits.chunks_exact(vocab_size).zip(histories) {
            out.push(self.sample(row, history)?);
        }
        Ok(())
    }
}

/// Draws a candidate with probability softmax(logits) using a uniform `r` in [0, 1).
/// Zero-probability candidates are never drawn.
fn multinomial(c: &Candidates, r: f64, weights: &mut Vec<f32>) -> Result<u32> {
    let max = c.max_logit();
    if max == f32::NEG_INFINITY || max.is_nan() {
        return Err(DecodingError::NoCandidates);
    }
    weights.clear();
    weights.extend(c.logits().iter().map(|&l| (l - max).exp()));
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    let target = r * total;
    let mut cum = 0.0f64;
    let mut last_positive = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w > 0.0 {
            cum += f64::from(w);
            last_positive = i;
            if cum > target {
                return Ok(c.id(i));
            }
        }
    }
    // Rounding left `cum` a hair under `target`: the last token with positive weight.
    Ok(c.id(last_positive))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::processors::LogitsProcessor;

    #[test]
    fn greedy_ties_go_to_lowest_id_and_ignore_warpers() {
        let chain = LogitsChain::new([LogitsProcessor::TypicalP(0.1)]).unwrap();
        let mut s = Sampler::new(chain, Sampling::Greedy, 0);
        assert_eq!(s.sample(&[0.0, 2.0, 2.0, 1.0], &[]).unwrap(), 1);
    }

    #[test]
    fn all_invalid_logits_are_an_error_not_a_token() {
        let mut s = Sampler::from_config(&GenerationConfig::default()).unwrap();
        let err = s.sample(&[f32::NAN, f32::NEG_INFINITY, f32::NAN], &[]).unwrap_err();
        assert!(matches!(err, DecodingError::NoValidLogits { vocab_size: 3 }));
        let mut g = Sampler::from_config(&GenerationConfig::greedy()).unwrap();
        assert!(g.sample(&[f32::NEG_INFINITY; 4], &[]).is_err());
    }

    #[test]
    fn banning_everything_is_an_error() {
        for cfg in [GenerationConfig::default(), GenerationConfig::greedy()] {
            let cfg = GenerationConfig { banned_tokens: vec![0, 1], ..cfg };
            let mut s = Sampler::from_config(&cfg).unwrap();
            assert!(matches!(s.sample(&[1.0, 2.0], &[]), Err(DecodingError::NoCandidates)));
        }
    }

    #[test]
    fn same_seed_same_tokens_other_stream_other_tokens() {
        let logits: Vec<f32> = (0..100).map(|i| ((i * 37) % 11) as f32 * 0.3).collect();
        let cfg = GenerationConfig::unprocessed();
        let draw = |stream| {
            let mut s = Sampler::from_config_stream(&cfg, stream).unwrap();
            (0..50).map(|_| s.sample(&logits, &[]).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(draw(0), draw(0));
        assert_ne!(draw(0), draw(1));
    }

    #[test]
    fn multinomial_never_draws_zero_weight() {
        let mut c = Candidates::new();
        c.load(&[f32::NEG_INFINITY, 0.0, f32::NEG_INFINITY]).unwrap();
        let mut w = Vec::new();
        for r in [0.0, 0.5, 0.999_999_999] {
            assert_eq!(multinomial(&c, r, &mut w).unwrap(), 1);
        }
    }

    #[test]
    fn batch_checks_shape() {
        let mut s = Sampler::from_config(&GenerationConfig::greedy()).unwrap();
        let mut out = Vec::new();
        s.sample_batch(&[0.0, 1.0, 3.0, 2.0], 2, &[&[], &[]], &mut out).unwrap();
        assert_eq!(out, vec![1, 0]);
        assert!(s.sample_batch(&[0.0; 5], 2, &[&[], &[]], &mut out).is_err());
    }
}
