//! [`TrainError`]: why a training run stopped, the same type for every family.

use genlab_config::ConfigError;

use crate::checkpoint::CheckpointError;
use crate::manifest::RunError;

/// Why training could not start or stopped early.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A setting is out of range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data does not fit the model or the settings (too few items, wrong shape).
    #[error("{0}")]
    Data(String),
    /// A loss became NaN or infinite; the last good checkpoint is kept.
    #[error(
        "{what} loss became {value} at step {step}; stopped (the last good checkpoint is kept)"
    )]
    Diverged {
        /// Which loss (`training`, `discriminator`, `generator`).
        what: &'static str,
        /// The step.
        step: u64,
        /// The value.
        value: f32,
    },
    /// Checkpoint I/O.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The run folder's manifest is missing, corrupt or for another model.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A picture of the run could not be written.
    #[error(transparent)]
    Image(#[from] genlab_tensor::image::ImageIoError),
    /// Metrics or run-folder I/O.
    #[error("run folder: {0}")]
    Io(#[from] std::io::Error),
}
