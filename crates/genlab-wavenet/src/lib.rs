//! WaveNet on burn (van den Oord et al. 2016): raw audio generated one sample at a time, each
//! a 256-way choice of mu-law class predicted from the samples before it.
//!
//! - [`mulaw`]: amplitudes to classes and back.
//! - [`data`]: WAV files, folders or the embedded speech as classes; seeded training windows.
//! - [`layer`], [`model`]: the gated residual layers with dilated causal convolutions, the
//!   skip sum and the output head; optional global conditioning on a speaker; presets.
//! - [`train`]: the training loop on [`genlab_train::Trainer`]; [`run::load`] reads a run.
//! - [`fast`]: the "Fast WaveNet" queue generator on plain `f32`; [`generate`] samples audio
//!   with it (and with the naive reference) through genlab-decoding and writes WAV + spectrogram.
//! - [`eval`]: bits per sample on held-out audio.
//! - [`jobs`]: train, generate and eval as a user runs them (what `genlab wavenet` calls).
//! - [`baseline`]: what the model must beat: the unigram entropy of the classes and the best
//!   linear predictor (AR(p)) turned into class probabilities.

pub mod baseline;
pub mod data;
mod error;
pub mod eval;
pub mod fast;
pub mod generate;
pub mod jobs;
pub mod layer;
pub mod model;
pub mod mulaw;
pub mod run;
pub mod train;

pub use data::{AudioSet, Clip, Windows};
pub use error::WavenetError;
pub use eval::{EvalReport, evaluate};
pub use fast::{FastWaveNet, Generator};
pub use model::{DEFAULT_PRESET, PRESETS, WaveNet, WaveNetConfig};
pub use run::{WavenetData, WavenetRun, load};
pub use train::{TrainConfig, TrainReport, fit};
