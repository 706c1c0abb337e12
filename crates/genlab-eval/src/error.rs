use std::path::PathBuf;

/// Why a metric could not be computed or a plot could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// Two inputs that must pair up element by element have different lengths.
    #[error("{what}: lengths differ ({left} vs {right})")]
    LengthMismatch {
        /// Which computation, and which inputs.
        what: &'static str,
        /// Length of the first input.
        left: usize,
        /// Length of the second input.
        right: usize,
    },
    /// The input has no values, and the metric is undefined on nothing.
    #[error("{what}: no values")]
    Empty {
        /// Which computation.
        what: &'static str,
    },
    /// A ranking metric needs at least one example of a class that is missing.
    #[error(
        "{what}: needs at least one {missing} label ({positives} positives, {negatives} negatives)"
    )]
    MissingClass {
        /// Which computation.
        what: &'static str,
        /// "positive" or "negative".
        missing: &'static str,
        /// Number of positive labels seen.
        positives: usize,
        /// Number of negative labels seen.
        negatives: usize,
    },
    /// A score that cannot be ordered or placed (NaN, or infinite where a finite value is needed).
    #[error("{what}: value #{index} is {value}")]
    BadValue {
        /// Which computation, and which input.
        what: &'static str,
        /// Position of the value in its input.
        index: usize,
        /// The value itself.
        value: f32,
    },
    /// A parameter is outside the range where it means something.
    #[error("{name} = {value} is out of range: expected {expected}")]
    OutOfRange {
        /// The parameter's name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The accepted range, in words.
        expected: &'static str,
    },
    /// Encoding or writing an image failed.
    #[error("{path}: {source}")]
    Image {
        /// The file being written.
        path: PathBuf,
        /// The error from the `image` crate (includes I/O errors).
        source: image::ImageError,
    },
}
