//! genlab: train, sample and evaluate generative models in Rust, on burn.
//!
//! This crate only re-exports the focused crates, each behind a feature of the same name:
//! `tensor`, `data`, `train`, `tokenizer`, `decoding`, `eval`, `transformer`, `autoencoder`,
//! `gan`, `wavenet`, `timeseries`, `plot`. Backends are features too: `flex` (default), `ndarray`, `wgpu`,
//! `cuda`. `data`, `tokenizer`, `decoding`, `eval`, `plot` and `timeseries` on their own pull in no burn.

#[cfg(feature = "tensor")]
pub use genlab_tensor as tensor;

#[cfg(feature = "autoencoder")]
pub use genlab_autoencoder as autoencoder;
#[cfg(feature = "data")]
pub use genlab_data as data;
#[cfg(feature = "decoding")]
pub use genlab_decoding as decoding;
#[cfg(feature = "eval")]
pub use genlab_eval as eval;
#[cfg(feature = "gan")]
pub use genlab_gan as gan;
#[cfg(feature = "plot")]
pub use genlab_plot as plot;
#[cfg(feature = "timeseries")]
pub use genlab_timeseries as timeseries;
#[cfg(feature = "tokenizer")]
pub use genlab_tokenizer as tokenizer;
#[cfg(feature = "train")]
pub use genlab_train as train;
#[cfg(feature = "transformer")]
pub use genlab_transformer as transformer;
#[cfg(feature = "wavenet")]
pub use genlab_wavenet as wavenet;

/// The names most programs need.
#[cfg(feature = "tensor")]
pub mod prelude {
    pub use genlab_tensor::{Device, DeviceSpec, Tensor};
}
