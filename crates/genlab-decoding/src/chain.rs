//! [`LogitsChain`]: processors applied in order to one row of logits, with reusable buffers.

use crate::candidates::Candidates;
use crate::config::GenerationConfig;
use crate::error::Result;
use crate::processors::{LogitsProcessor, ProcessorKind, Scratch};

/// An ordered list of [`LogitsProcessor`]s plus the scratch buffers they share, so applying
/// the chain allocates nothing once warm. Processors that are off (their neutral value) are
/// dropped at construction.
#[derive(Debug, Clone, Default)]
pub struct LogitsChain {
    processors: Vec<LogitsProcessor>,
    scratch: Scratch,
}

impl LogitsChain {
    /// A chain applying `processors` in the given order.
    ///
    /// # Errors
    /// The first invalid parameter, naming it and its allowed range.
    pub fn new(processors: impl IntoIterator<Item = LogitsProcessor>) -> Result<Self> {
        let mut kept = Vec::new();
        for p in processors {
            p.validate()?;
            if !p.is_noop() {
                kept.push(p);
            }
        }
        Ok(Self { processors: kept, scratch: Scratch::default() })
    }

    /// The chain a [`GenerationConfig`] describes, in `config.order` (by default
    /// [`crate::DEFAULT_ORDER`]).
    ///
    /// # Errors
    /// Whatever [`GenerationConfig::validate`] rejects.
    pub fn from_config(config: &GenerationConfig) -> Result<Self> {
        config.validate()?;
        let c = config;
        let processors = c.order.iter().map(|kind| match kind {
            ProcessorKind::LogitBias => LogitsProcessor::LogitBias(c.bias_list()),
            ProcessorKind::NoRepeatNgram => LogitsProcessor::NoRepeatNgram(c.no_repeat_ngram_size),
            ProcessorKind::RepetitionPenalty => LogitsProcessor::RepetitionPenalty {
                penalty: c.repeat_penalty,
                last_n: c.repeat_last_n,
            },
            ProcessorKind::PresenceFrequency => LogitsProcessor::PresenceFrequency {
                presence: c.presence_penalty,
                frequency: c.frequency_penalty,
                last_n: c.repeat_last_n,
            },
            ProcessorKind::TopK => LogitsProcessor::TopK(c.top_k),
            ProcessorKind::TypicalP => LogitsProcessor::TypicalP(c.typical_p),
            ProcessorKind::TopP => LogitsProcessor::TopP(c.top_p),
            ProcessorKind::MinP => LogitsProcessor::MinP(c.min_p),
            ProcessorKind::Temperature => LogitsProcessor::Temperature(c.temperature),
        });
        Self::new(processors)
    }

    /// The active processors, in order.
    pub fn processors(&self) -> &[LogitsProcessor] {
        &self.processors
    }

    /// The same chain without the warpers (see [`LogitsProcessor::is_warper`]): what greedy
    /// decoding and beam search apply.
    pub fn without_warpers(&self) -> Self {
        let processors = self.processors.iter().filter(|p| !p.is_warper()).cloned().collect();
        Self { processors, scratch: Scratch::default() }
    }

    /// Applies every processor to `candidates`; `history` is the prompt plus the tokens
    /// generated so far.
    ///
    /// # Errors
    /// [`crate::DecodingError::TokenOutOfRange`] for a biased or history token outside the
    /// vocabulary.
    pub fn apply(&mut self, candidates: &mut Candidates, history: &[u32]) -> Result<()> {
        for p in &self.processors {
            p.apply(candidates, history, &mut self.scratch)?;
        }
        Ok(())
    }

    /// Loads `logits` into `candidates` and applies the chain.
    ///
    /// # Errors
    /// [`crate::DecodingError::NoValidLogits`] when every logit is -inf or NaN, and what
    /// [`LogitsChain::apply`] returns.
    pub fn process(
        &mut self,
        logits: &[f32],
        history: &[u32],
        candidates: &mut Candidates,
    ) -> Result<()> {
        candidates.load(logits)?;
        self.apply(candidates, history)
    }
}
