//! Decoding strategies over plain logits (`&[f32]`) and token ids (`u32`); no burn, so any
//! model can use it.
//!
//! * [`LogitsProcessor`]s (temperature, top-k, top-p, min-p, typical-p, repetition /
//!   presence / frequency penalties, logit bias and bans, no-repeat-n-gram) composed in a
//!   [`LogitsChain`], by default in [`DEFAULT_ORDER`]; they work on [`Candidates`] and never
//!   renumber token ids.
//! * Selectors: [`Sampling::Greedy`], [`Sampling::Multinomial`] in a seeded [`Sampler`], and
//!   [`beam_search`].
//! * The loop over a [`LanguageModel`] (explicit cache): [`generate`], [`generate_stream`],
//!   [`generate_batch`], configured by a serde [`GenerationConfig`].
//!
//! ```
//! use genlab_decoding::{GenerationConfig, Sampler};
//!
//! let config = GenerationConfig { seed: 7, ..GenerationConfig::default() };
//! let mut sampler = Sampler::from_config(&config)?;
//! let logits = [0.1_f32, 2.0, -1.0, 0.5];
//! let token = sampler.sample(&logits, &[3, 3])?; // history: prompt + generated so far
//! assert!(token < 4);
//! # Ok::<(), genlab_decoding::DecodingError>(())
//! ```

mod beam;
mod candidates;
mod chain;
mod config;
mod error;
mod generate;
mod model;
mod processors;
mod sampler;
mod sequence;

pub use beam::{Hypothesis, beam_search};
pub use candidates::Candidates;
pub use chain::LogitsChain;
pub use config::GenerationConfig;
pub use error::{BoxError, DecodingError, Result};
pub use generate::{TokenStream, generate, generate_batch, generate_batch_with, generate_stream};
pub use model::{Detokenizer, LanguageModel, check_tokens};
pub use processors::{DEFAULT_ORDER, LogitsProcessor, ProcessorKind};
pub use sampler::{Sampler, Sampling};
pub use sequence::{FinishReason, GenerationOutput, Sequence, StreamToken};
