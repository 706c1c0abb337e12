//! Autoencoders on burn: the plain autoencoder (28×28 -> 16 numbers -> 28×28), convolutional
//! and denoising autoencoders, and variational autoencoders, with the tools that make them
//! useful: evaluation in nats, latent-space sampling, interpolation and attribute vectors,
//! whole-photo denoising, and anomaly detection by reconstruction error.
//!
//! Every model is an [`AeModel`] built from a [`ModelConfig`]; [`train::fit`] trains any of
//! them. See `docs/autoencoders.md`.

pub mod anomaly;
pub mod attribute_classifier;
pub mod autoencoder;
pub mod conv_autoencoder;
pub mod conv_stack;
pub mod conv_vae;
pub mod corrupt;
pub mod data;
pub mod datasets;
pub mod denoise;
pub mod denoiser;
pub mod eval;
pub mod latent;
pub mod loss;
pub mod mlp;
pub mod model;
pub mod posterior;
pub mod presets;
pub mod run;
pub mod score;
pub mod train;
pub mod vae;

pub use corrupt::Corruption;
pub use data::{ImageData, PatchSampler, Photo};
pub use genlab_train::LoadError;
pub use loss::ReconLoss;
pub use model::{AeModel, Losses, ModelConfig};
pub use presets::Preset;
pub use run::{AeData, AeRun, load};
pub use score::{Score, Scorer};
pub use train::{TrainConfig, TrainData, TrainError, TrainReport, fit};
