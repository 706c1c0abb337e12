//! Hidden Markov models on plain `f64`, matching hmmlearn 0.3's `CategoricalHMM` and
//! `GaussianHMM(covariance_type="diag")`.
//!
//! A model is a start distribution `π` (`startprob`), a row-stochastic transition matrix `A`
//! (`transmat`, `A[i][j] = P(state j at t+1 | state i at t)`) and an [`Emission`] per state:
//! a categorical distribution over symbols `0..n_symbols`, or a Gaussian with a diagonal
//! covariance over feature vectors.
//!
//! - [`Hmm::score`]: log-likelihood, by the scaled forward pass (no underflow at any length);
//! - [`Hmm::predict_proba`]: state posteriors `P(z_t = i | x)`, by scaled forward-backward;
//! - [`Hmm::decode`]: the most likely path and its log-probability (Viterbi, in log space);
//! - [`Hmm::fit_from`] and [`fit`]: Baum-Welch with hmmlearn's M-step, the latter from
//!   seeded random starts ([`FitOptions::restarts`]);
//! - [`Hmm::sample`]: seeded sequences of states and observations;
//! - [`Hmm::save`] / [`Hmm::load`]: JSON; loading validates like the constructors.
//!
//! Every method that takes data takes a slice of [`Observations`], one per sequence (what
//! hmmlearn spells `X, lengths`); log-likelihoods add up over the sequences.
//!
//! ```
//! use genlab_timeseries::hmm::{Hmm, Observations};
//! let hmm = Hmm::categorical(
//!     vec![0.6, 0.4],
//!     vec![vec![0.7, 0.3], vec![0.4, 0.6]],
//!     vec![vec![0.5, 0.4, 0.1], vec![0.1, 0.3, 0.6]],
//! )
//! .unwrap();
//! let x = [Observations::Symbols(vec![0, 1, 2])];
//! let log_p = hmm.score(&x).unwrap();
//! let (best, path) = hmm.decode(&x).unwrap();
//! assert!(best <= log_p && path.len() == 3);
//! ```

mod emission;
mod fit;
mod inference;
mod io;
mod model;
mod numeric;

pub use emission::Emission;
pub use fit::{FitOptions, FitReport, fit, random_start};
pub use io::{
    DataKind, parse_symbols, plot_states, read_csv_observations, read_observations, read_symbols,
    write_observations, write_path,
};
pub use model::Hmm;

/// Tolerance on a probability row's sum (hmmlearn uses `np.allclose`, about 1e-8 relative
/// plus 1e-5 absolute; 1e-6 is between the two).
pub const SUM_TOLERANCE: f64 = 1e-6;

/// One observed sequence.
#[derive(Debug, Clone, PartialEq)]
pub enum Observations {
    /// Symbols `0..n_symbols`, for a categorical model.
    Symbols(Vec<usize>),
    /// Feature vectors for a Gaussian model, row by row: `values[t * n_features + f]`.
    Vectors {
        /// Features per time step.
        n_features: usize,
        /// `len * n_features` values.
        values: Vec<f64>,
    },
}

impl Observations {
    /// A one-feature series.
    pub fn series(values: Vec<f64>) -> Self {
        Observations::Vectors { n_features: 1, values }
    }

    /// Time steps in the sequence.
    pub fn len(&self) -> usize {
        match self {
            Observations::Symbols(s) => s.len(),
            Observations::Vectors { n_features, values } => values.len() / (*n_features).max(1),
        }
    }

    /// Whether the sequence has no time steps.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What can go wrong with a model or its data. Messages say where (row, sequence, position).
#[derive(Debug, thiserror::Error)]
pub enum HmmError {
    /// A model needs at least one state (and a categorical one at least one symbol, a
    /// Gaussian one at least one feature).
    #[error("{what} must be at least 1")]
    Empty {
        /// What is zero.
        what: &'static str,
    },
    /// Parameters of the wrong shape.
    #[error("{what}: expected {expected}, got {got}")]
    Shape {
        /// Which parameter.
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A probability below zero, above one or not a number.
    #[error("{what}: entry {index} is {value}, not a probability in [0, 1]")]
    NotAProbability {
        /// Which parameter (`startprob`, `transmat row 2`, ...).
        what: String,
        /// Position in that row.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A distribution that does not sum to 1.
    #[error("{what} sums to {}, not 1 (tolerance {SUM_TOLERANCE:e})", rounded(*.sum))]
    NotNormalised {
        /// Which row (`startprob`, `transmat row 2`, `emission row 0`).
        what: String,
        /// Its sum.
        sum: f64,
    },
    /// A Gaussian parameter that is not finite, or a variance that is not above zero.
    #[error("{what}: state {state}, feature {feature} is {value}; {expected}")]
    BadGaussian {
        /// `means` or `variances`.
        what: &'static str,
        /// The state.
        state: usize,
        /// The feature.
        feature: usize,
        /// The value.
        value: f64,
        /// What it must be.
        expected: &'static str,
    },
    /// No sequences, or an empty one.
    #[error("sequence {sequence} is empty")]
    EmptySequence {
        /// Which sequence (0-based).
        sequence: usize,
    },
    /// No sequences at all.
    #[error("no sequences given")]
    NoData,
    /// A symbol the model cannot emit.
    #[error(
        "sequence {sequence}, position {position}: symbol {symbol} is out of range \
         (the model has {n_symbols} symbols, 0..{n_symbols})"
    )]
    SymbolOutOfRange {
        /// Which sequence.
        sequence: usize,
        /// Time step in it.
        position: usize,
        /// The symbol.
        symbol: usize,
        /// Symbols the model has.
        n_symbols: usize,
    },
    /// A NaN or infinite observation.
    #[error("sequence {sequence}, position {position}, feature {feature}: {value} is not finite")]
    NotFinite {
        /// Which sequence.
        sequence: usize,
        /// Time step in it.
        position: usize,
        /// Which feature.
        feature: usize,
        /// The value.
        value: f64,
    },
    /// Observations that do not fit the model (symbols for a Gaussian model, vectors of
    /// another width, a length that is not a multiple of the width).
    #[error("sequence {sequence}: {problem}")]
    Mismatch {
        /// Which sequence.
        sequence: usize,
        /// What does not fit.
        problem: String,
    },
    /// A sequence the model gives probability zero (a forbidden transition or emission).
    #[error("sequence {sequence} has probability zero under the model (from position {position})")]
    Impossible {
        /// Which sequence.
        sequence: usize,
        /// The first time step that cannot happen.
        position: usize,
    },
    /// Fitting options out of range.
    #[error("fit option {what}: {problem}")]
    Options {
        /// Which option.
        what: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// A sum as people write it: twelve significant digits, so 0.8999999999999999 reads 0.9.
fn rounded(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(11 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}
