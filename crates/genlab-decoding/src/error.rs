//! The one error type of the crate: every variant names what was wrong and, for a bad
//! parameter, the range it must lie in.

/// A boxed error from a model (or any other user code) that flows through generation.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while processing logits or generating.
#[derive(Debug, thiserror::Error)]
pub enum DecodingError {
    /// A user parameter lies outside its allowed range: genlab's one config error, naming the
    /// parameter as in [`crate::GenerationConfig`], its value and the allowed range.
    #[error(transparent)]
    Config(#[from] genlab_config::ConfigError),
    /// A combination of parameters or inputs that cannot work together.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// A token id is not in the vocabulary.
    #[error("token id {id} is outside the vocabulary (size {vocab_size})")]
    TokenOutOfRange {
        /// The offending id.
        id: u32,
        /// The vocabulary size.
        vocab_size: usize,
    },
    /// The logits row has the wrong length.
    #[error("logits have length {got}, expected {expected} (vocab_size x rows)")]
    LogitsShape {
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// Every logit is -inf or NaN, so no token can be chosen.
    #[error("no valid logit: all {vocab_size} logits are -inf or NaN")]
    NoValidLogits {
        /// The row length.
        vocab_size: usize,
    },
    /// The processors removed every token (e.g. every token banned).
    #[error("the logits processors removed every candidate token")]
    NoCandidates,
    /// The model failed.
    #[error("model error: {0}")]
    Model(#[source] BoxError),
}

/// `Result` with [`DecodingError`].
pub type Result<T, E = DecodingError> = std::result::Result<T, E>;

impl DecodingError {
    /// Shorthand for [`DecodingError::Config`]: `name` = `value` is outside `range`.
    pub fn param(name: &'static str, value: impl std::fmt::Display, range: &'static str) -> Self {
        Self::Config(genlab_config::ConfigError::new(name, value, format!("in {range}")))
    }
}
