//! [`GenerationConfig`]: every decoding knob in one serde struct, with llama.cpp-like defaults.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{DecodingError, Result};
use crate::processors::{DEFAULT_ORDER, LogitsProcessor, ProcessorKind};

/// How to decode. Missing fields take their defaults, so a config file only names what it
/// changes; unknown fields are rejected (a typo is an error, not a silent default).
///
/// | field | default | off |
/// |---|---|---|
/// | `max_new_tokens` | 256 | |
/// | `temperature` | 0.8 | 1.0 (0 = greedy) |
/// | `top_k` | 40 | 0 or >= vocab |
/// | `top_p` | 0.95 | 1.0 |
/// | `min_p` | 0.05 | 0.0 |
/// | `typical_p` | 1.0 | 1.0 |
/// | `repeat_penalty` | 1.1 | 1.0 |
/// | `repeat_last_n` | 64 | 0 |
/// | `presence_penalty`, `frequency_penalty` | 0.0 | 0.0 |
/// | `no_repeat_ngram_size` | 0 | 0 |
/// | `num_beams` | 1 | 1 |
/// | `seed` | 42 | |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenerationConfig {
    /// Most tokens to generate (stop tokens and stop strings end earlier).
    pub max_new_tokens: usize,
    /// Logits are divided by this. 0 = greedy; range [0, inf).
    pub temperature: f32,
    /// Keep the k most likely tokens. 0 = off.
    pub top_k: usize,
    /// Nucleus: keep the smallest set with this much mass. Range (0, 1]; 1 = off.
    pub top_p: f32,
    /// Keep tokens with `p >= min_p * p_max`. Range [0, 1]; 0 = off.
    pub min_p: f32,
    /// Locally typical sampling mass. Range (0, 1]; 1 = off.
    pub typical_p: f32,
    /// Repetition penalty (divide positive logits, multiply negative). Range (0, inf); 1 = off.
    pub repeat_penalty: f32,
    /// How many latest tokens (prompt included) the penalties look at; 0 = off.
    pub repeat_last_n: usize,
    /// OpenAI presence penalty. Range [-2, 2]; 0 = off.
    pub presence_penalty: f32,
    /// OpenAI frequency penalty. Range [-2, 2]; 0 = off.
    pub frequency_penalty: f32,
    /// Ban tokens that would repeat an n-gram of this size. 0 = off.
    pub no_repeat_ngram_size: usize,
    /// Added to the logits of these tokens (finite, or -inf to ban).
    pub logit_bias: BTreeMap<u32, f32>,
    /// Tokens that can never be generated.
    pub banned_tokens: Vec<u32>,
    /// Generation ends when one of these is sampled (it is not part of the output).
    pub stop_token_ids: Vec<u32>,
    /// Generation ends when the decoded output contains one of these; the output stops just
    /// before it. Needs a [`crate::Detokenizer`].
    pub stop_strings: Vec<String>,
    /// Seed of the sampler's ChaCha20 generator.
    pub seed: u64,
    /// Beam width; 1 = no beam search. Range [1, inf).
    pub num_beams: usize,
    /// Beam score = sum of log-probs / length^length_penalty. Finite.
    pub length_penalty: f32,
    /// Beam search stops as soon as `num_beams` hypotheses are finished (true), or when no
    /// running beam can still beat the finished ones (false, Hugging Face's heuristic).
    pub early_stopping: bool,
    /// Order of the processors; a permutation of every [`ProcessorKind`].
    pub order: Vec<ProcessorKind>,
}

impl Default for GenerationConfig {
    fn default() -> Self {
        Self {
            max_new_tokens: 256,
            temperature: 0.8,
            top_k: 40,
            top_p: 0.95,
            min_p: 0.05,
            typical_p: 1.0,
            repeat_penalty: 1.1,
            repeat_last_n: 64,
            presence_penalty: 0.0,
            frequency_penalty: 0.0,
            no_repeat_ngram_size: 0,
            logit_bias: BTreeMap::new(),
            banned_tokens: Vec::new(),
            stop_token_ids: Vec::new(),
            stop_strings: Vec::new(),
            seed: 42,
            num_beams: 1,
            length_penalty: 1.0,
            early_stopping: false,
            order: DEFAULT_ORDER.to_vec(),
        }
    }
}

impl GenerationConfig {
    /// Greedy decoding with no penalties: temperature 0 and every processor off.
    pub fn greedy() -> Self {
        Self {
            temperature: 0.0,
            top_k: 0,
            top_p: 1.0,
            min_p: 0.0,
            repeat_penalty: 1.0,
            ..Self::default()
        }
    }

    /// Pure sampling from the model's distribution: temperature 1 and every processor off.
    pub fn unprocessed() -> Self {
        Self { temperature: 1.0, ..Self::greedy() }
    }

    /// True when decoding is greedy (temperature 0).
    pub fn is_greedy(&self) -> bool {
        self.temperature == 0.0
    }

    /// `logit_bias` plus `banned_tokens` (-inf), sorted by id, duplicates merged.
    pub fn bias_list(&self) -> Vec<(u32, f32)> {
        let mut m = self.logit_bias.clone();
        for &id in &self.banned_tokens {
            m.insert(id, f32::NEG_INFINITY);
        }
        m.into_iter().collect()
    }

    /// Checks every parameter.
    ///
    /// # Errors
    /// [`DecodingError::Config`] naming the first bad parameter and its allowed
    /// range, or [`DecodingError::InvalidConfig`] for a bad `order` or an empty stop string.
    pub fn validate(&self) -> Result<()> {
        let checks = [
            LogitsProcessor::Temperature(self.temperature),
            LogitsProcessor::TopP(self.top_p),
            LogitsProcessor::MinP(self.min_p),
            LogitsProcessor::TypicalP(self.typical_p),
            LogitsProcessor::RepetitionPenalty { penalty: self.repeat_penalty, last_n: 1 },
            LogitsProcessor::PresenceFrequency {
                presence: self.presence_penalty,
                frequency: self.frequency_penalty,
                last_n: 1,
            },
            LogitsProcessor::LogitBias(self.bias_list()),
        ];
        for c in &checks {
            c.validate()?;
        }
        if self.num_beams == 0 {
            return Err(DecodingError::param("num_beams", 0, "[1, inf), 1 = no beam search"));
        }
        if !self.length_penalty.is_finite() {
            return Err(DecodingError::param("length_penalty", self.length_penalty, "finite"));
        }
        let mut seen = Vec::new();
        for k in &self.order {
            if seen.contains(k) {
                return Err(DecodingError::InvalidConfig(format!(
                    "order lists {k:?} twice; it must list each processor kind exactly once"
                )));
            }
            seen.push(*k);
        }
        if let Some(missing) = DEFAULT_ORDER.iter().find(|k| !seen.contains(k)) {
            return Err(DecodingError::InvalidConfig(format!(
                "order is missing {missing:?}; it must list each processor kind exactly once"
            )));
        }
        if self.stop_strings.iter().any(String::is_empty) {
            return Err(DecodingError::InvalidConfig("stop_strings must not be empty".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(f: impl FnOnce(&mut GenerationConfig)) -> String {
        let mut c = GenerationConfig::default();
        f(&mut c);
        c.validate().unwrap_err().to_string()
    }

    #[test]
    fn defaults_validate_and_roundtrip_json() {
        let c = GenerationConfig::default();
        c.validate().unwrap();
        let json = serde_json::to_string(&c).unwrap();
        let back: GenerationConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        let partial: GenerationConfig = serde_json::from_str(r#"{"top_k": 5}"#).unwrap();
        assert_eq!(partial.top_k, 5);
        assert_eq!(partial.temperature, 0.8);
        assert!(serde_json::from_str::<GenerationConfig>(r#"{"top_kk": 5}"#).is_err());
    }

    #[test]
    fn bad_parameters_name_themselves_and_their_range() {
        let e = err_of(|c| c.temperature = -0.1);
        assert!(e.contains("temperature") && e.contains("[0, inf)"), "{e}");
        let e = err_of(|c| c.top_p = 0.0);
        assert!(e.contains("top_p") && e.contains("(0, 1]"), "{e}");
        let e = err_of(|c| c.top_p = 1.5);
        assert!(e.contains("top_p") && e.contains("(0, 1]"), "{e}");
        let e = err_of(|c| c.typical_p = 1.01);
        assert!(e.contains("typical_p") && e.contains("(0, 1]"), "{e}");
        let e = err_of(|c| c.min_p = -0.5);
        assert!(e.contains("min_p") && e.contains("[0, 1]"), "{e}");
        let e = err_of(|c| c.repeat_penalty = -1.0);
        assert!(e.contains("repeat_penalty") && e.contains("(0, inf)"), "{e}");
        let e = err_of(|c| c.presence_penalty = 3.0);
        assert!(e.contains("presence_penalty") && e.contains("[-2, 2]"), "{e}");
        let e = err_of(|c| c.frequency_penalty = f32::NAN);
        assert!(e.contains("frequency_penalty"), "{e}");
        let e = err_of(|c| c.num_beams = 0);
        assert!(e.contains("num_beams") && e.contains("[1, inf)"), "{e}");
        let e = err_of(|c| {
            c.logit_bias.insert(3, f32::INFINITY);
        });
        assert!(e.contains("logit_bias"), "{e}");
        let e = err_of(|c| c.order.pop().map(|_| ()).unwrap());
        assert!(e.contains("order is missing"), "{e}");
        let e = err_of(|c| c.stop_strings.push(String::new()));
        assert!(e.contains("stop_strings"), "{e}");
    }

    #[test]
    fn banned_tokens_override_bias() {
        let mut c = GenerationConfig::default();
        c.logit_bias.insert(4, 2.0);
        c.logit_bias.insert(1, -1.0);
        c.banned_tokens = vec![4, 9];
        assert_eq!(c.bias_list(), vec![(1, -1.0), (4, f32::NEG_INFINITY), (9, f32::NEG_INFINITY)]);
    }
}
