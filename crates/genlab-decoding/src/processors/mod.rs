//! Logits processors: each one rescales candidate logits or drops candidates, and none of them
//! renumbers token ids. They compose in a [`crate::LogitsChain`] in any order; the default
//! order is [`DEFAULT_ORDER`].

mod penalties;
mod truncation;

use serde::{Deserialize, Serialize};

use crate::candidates::Candidates;
use crate::error::{DecodingError, Result};

/// Which processor, without its parameters; used to spell out a chain order in a config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessorKind {
    /// [`LogitsProcessor::LogitBias`] (logit bias and banned tokens).
    LogitBias,
    /// [`LogitsProcessor::NoRepeatNgram`].
    NoRepeatNgram,
    /// [`LogitsProcessor::RepetitionPenalty`].
    RepetitionPenalty,
    /// [`LogitsProcessor::PresenceFrequency`].
    PresenceFrequency,
    /// [`LogitsProcessor::TopK`].
    TopK,
    /// [`LogitsProcessor::TypicalP`].
    TypicalP,
    /// [`LogitsProcessor::TopP`].
    TopP,
    /// [`LogitsProcessor::MinP`].
    MinP,
    /// [`LogitsProcessor::Temperature`].
    Temperature,
}

/// The default chain order, llama.cpp's: biases and penalties on the raw logits, then the
/// truncations (cheapest and most selective first, so later steps see ~k candidates), and
/// temperature last, so top-p / min-p / typical-p are measured on the untempered distribution.
pub const DEFAULT_ORDER: [ProcessorKind; 9] = [
    ProcessorKind::LogitBias,
    ProcessorKind::NoRepeatNgram,
    ProcessorKind::RepetitionPenalty,
    ProcessorKind::PresenceFrequency,
    ProcessorKind::TopK,
    ProcessorKind::TypicalP,
    ProcessorKind::TopP,
    ProcessorKind::MinP,
    ProcessorKind::Temperature,
];

/// One logits processor with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum LogitsProcessor {
    /// Adds `bias` to the logit of each listed token; a bias of -inf bans the token. Sorted by
    /// id, no duplicates: build it with [`LogitsProcessor::logit_bias`].
    LogitBias(Vec<(u32, f32)>),
    /// Bans every token that would complete an n-gram of this size already present in the
    /// history (prompt + generated), as Hugging Face's `no_repeat_ngram_size`. 0 = off.
    NoRepeatNgram(usize),
    /// llama.cpp / Hugging Face repetition penalty: for each distinct token among the last
    /// `last_n` of the history, a positive logit is divided by `penalty` and a negative one
    /// multiplied by it. `penalty` in (0, inf), 1 = off; `last_n` 0 = off.
    RepetitionPenalty {
        /// Penalty factor.
        penalty: f32,
        /// How many of the latest history tokens count.
        last_n: usize,
    },
    /// OpenAI presence and frequency penalties over the last `last_n` history tokens:
    /// `logit -= count * frequency + (count > 0) * presence`. Both in [-2, 2]; 0 = off.
    PresenceFrequency {
        /// Subtracted once from every token that appeared.
        presence: f32,
        /// Subtracted once per occurrence.
        frequency: f32,
        /// How many of the latest history tokens count; 0 = off.
        last_n: usize,
    },
    /// Keeps the `k` largest logits (ties: lowest id). 0 or >= vocabulary = off.
    TopK(usize),
    /// Locally typical sampling (Meister et al.), as Hugging Face's `TypicalLogitsWarper`:
    /// keeps the tokens whose surprisal is closest to the entropy until their mass reaches
    /// `p` (ties included). In (0, 1]; 1 = off.
    TypicalP(f32),
    /// Nucleus: keeps the smallest set of most likely tokens whose probability mass reaches
    /// `p`, plus any token tied with the last one kept. In (0, 1]; 1 = off.
    TopP(f32),
    /// Keeps the tokens with `p >= min_p * p_max`. In [0, 1]; 0 = off.
    MinP(f32),
    /// Divides logits by `t`. `t = 0` keeps only the argmax (greedy); `t = 1` = off.
    Temperature(f32),
}

/// Reusable buffers, so a chain allocates nothing per step once warm.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    pub keys: Vec<u64>,
    pub counts: Vec<(u32, u32)>,
    pub window: Vec<u32>,
    pub updates: Vec<(u32, f32)>,
}

fn check_unit(name: &'static str, v: f32, lo_open: bool) -> Result<()> {
    let ok = if lo_open { v > 0.0 && v <= 1.0 } else { (0.0..=1.0).contains(&v) };
    if ok {
        Ok(())
    } else {
        Err(DecodingError::param(name, v, if lo_open { "(0, 1]" } else { "[0, 1]" }))
    }
}

impl LogitsProcessor {
    /// A logit-bias processor from `(id, bias)` pairs: duplicates are summed; every bias must
    /// be finite or -inf (a ban).
    ///
    /// # Errors
    /// [`DecodingError::Config`] for a NaN or +inf bias.
    pub fn logit_bias(bias: impl IntoIterator<Item = (u32, f32)>) -> Result<Self> {
        let mut v: Vec<(u32, f32)> = bias.into_iter().collect();
        v.sort_by_key(|p| p.0);
        let mut merged: Vec<(u32, f32)> = Vec::with_capacity(v.len());
        for (id, b) in v {
            match merged.last_mut() {
                Some(last) if last.0 == id => last.1 += b,
                _ => merged.push((id, b)),
            }
        }
        let p = Self::LogitBias(merged);
        p.validate()?;
        Ok(p)
    }

    /// Bans the listed tokens (a logit bias of -inf).
    pub fn banned(ids: impl IntoIterator<Item = u32>) -> Self {
        let mut v: Vec<(u32, f32)> = ids.into_iter().map(|id| (id, f32::NEG_INFINITY)).collect();
        v.sort_by_key(|p| p.0);
        v.dedup_by_key(|p| p.0);
        Self::LogitBias(v)
    }

    /// Its [`ProcessorKind`].
    pub fn kind(&self) -> ProcessorKind {
        match self {
            Self::LogitBias(_) => ProcessorKind::LogitBias,
            Self::NoRepeatNgram(_) => ProcessorKind::NoRepeatNgram,
            Self::RepetitionPenalty { .. } => ProcessorKind::RepetitionPenalty,
            Self::PresenceFrequency { .. } => ProcessorKind::PresenceFrequency,
            Self::TopK(_) => ProcessorKind::TopK,
            Self::TypicalP(_) => ProcessorKind::TypicalP,
            Self::TopP(_) => ProcessorKind::TopP,
            Self::MinP(_) => ProcessorKind::MinP,
            Self::Temperature(_) => ProcessorKind::Temperature,
        }
    }

    /// True for processors that reshape or truncate the distribution (temperature, top-k,
    /// top-p, min-p, typical-p). Greedy decoding and beam search skip them (as Hugging Face
    /// does), keeping biases and penalties.
    pub fn is_warper(&self) -> bool {
        matches!(
            self,
            Self::TopK(_)
                | Self::TypicalP(_)
                | Self::TopP(_)
                | Self::MinP(_)
                | Self::Temperature(_)
        )
    }

    /// True when the processor leaves every input unchanged (its "off" value).
    pub fn is_noop(&self) -> bool {
        match *self {
            Self::LogitBias(ref b) => b.is_empty(),
            Self::NoRepeatNgram(n) => n == 0,
            Self::RepetitionPenalty { penalty, last_n } => penalty == 1.0 || last_n == 0,
            Self::PresenceFrequency { presence, frequency, last_n } => {
                (presence == 0.0 && frequency == 0.0) || last_n == 0
            }
            Self::TopK(k) => k == 0,
            Self::TypicalP(p) | Self::TopP(p) => p >= 1.0,
            Self::MinP(p) => p <= 0.0,
            Self::Temperature(t) => t == 1.0,
        }
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`DecodingError::Config`] naming the parameter and its allowed range.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Self::LogitBias(ref b) => {
                if let Some(&(_, v)) = b.iter().find(|(_, v)| v.is_nan() || *v == f32::INFINITY) {
                    return Err(DecodingError::param("logit_bias", v, "finite or -inf (ban)"));
                }
                if b.windows(2).any(|w| w[0].0 >= w[1].0) {
                    return Err(DecodingError::InvalidConfig(
                        "logit_bias must be sorted by id without duplicates (use LogitsProcessor::logit_bias)".into(),
                    ));
                }
            }
            Self::NoRepeatNgram(_) | Self::TopK(_) => {}
            Self::RepetitionPenalty { penalty, .. } => {
                if !(penalty > 0.0 && penalty.is_finite()) {
                    return Err(DecodingError::param(
                        "repeat_penalty",
                        penalty,
                        "(0, inf), 1 = off",
                    ));
                }
            }
            Self::PresenceFrequency { presence, frequency, .. } => {
                if !(-2.0..=2.0).contains(&presence) {
                    return Err(DecodingError::param("presence_penalty", presence, "[-2, 2]"));
                }
                if !(-2.0..=2.0).contains(&frequency) {
                    return Err(DecodingError::param("frequency_penalty", frequency, "[-2, 2]"));
                }
            }
            Self::TypicalP(p) => check_unit("typical_p", p, true)?,
            Self::TopP(p) => check_unit("top_p", p, true)?,
            Self::MinP(p) => check_unit("min_p", p, false)?,
            Self::Temperature(t) => {
                if !(t >= 0.0 && t.is_finite()) {
                    return Err(DecodingError::param("temperature", t, "[0, inf), 0 = greedy"));
                }
            }
        }
        Ok(())
    }

    /// Applies the processor to `c`; `history` is every token so far (prompt + generated).
    ///
    /// # Errors
    /// [`DecodingError::TokenOutOfRange`] when a biased or history token is not in the
    /// vocabulary.
    pub(crate) fn apply(&self, c: &mut Candidates, history: &[u32], s: &mut Scratch) -> Result<()> {
        if self.is_noop() || c.is_empty() {
            return Ok(());
        }
        match *self {
            Self::LogitBias(ref bias) => c.update_by_id(bias, |l, b| l + b),
            Self::NoRepeatNgram(n) => penalties::no_repeat_ngram(n, c, history, s),
            Self::RepetitionPenalty { penalty, last_n } => {
                penalties::repetition(penalty, last_n, c, history, s)
            }
            Self::PresenceFrequency { presence, frequency, last_n } => {
                penalties::presence_frequency(presence, frequency, last_n, c, history, s)
            }
            Self::TopK(k) => {
                c.retain_top_k(k, &mut s.keys);
                Ok(())
            }
            Self::TypicalP(p) => {
                truncation::typical_p(p, c, s);
                Ok(())
            }
            Self::TopP(p) => {
                truncation::top_p(p, c, s);
                Ok(())
            }
            Self::MinP(p) => {
                truncation::min_p(p, c);
                Ok(())
            }
            Self::Temperature(t) => {
                truncation::temperature(t, c);
                Ok(())
            }
        }
    }
}
