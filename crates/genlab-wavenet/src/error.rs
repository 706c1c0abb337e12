//! What can go wrong in genlab-wavenet.

use genlab_train::{ConfigError, LoadError, TrainError};

/// A WaveNet error; each names the problem.
#[derive(Debug, thiserror::Error)]
pub enum WavenetError {
    /// A setting out of range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Audio that cannot be used (unreadable, wrong rate, too short, none).
    #[error("{0}")]
    Data(String),
    /// Training stopped.
    #[error(transparent)]
    Train(#[from] TrainError),
    /// A run folder that cannot be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Sampling settings refused by genlab-decoding.
    #[error(transparent)]
    Decoding(#[from] genlab_decoding::DecodingError),
    /// A chart that could not be drawn.
    #[error(transparent)]
    Plot(#[from] genlab_plot::PlotError),
    /// A file that could not be written.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}
