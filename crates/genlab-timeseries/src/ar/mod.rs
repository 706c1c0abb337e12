//! AR(p): the current value of a series as a linear function of its own past values plus
//! noise,
//!
//! ```text
//! y[t] = trend(t) + phi_1 y[t-1] + ... + phi_p y[t-p] + e[t],   e[t] ~ N(0, sigma2)
//! ```
//!
//! fitted the way statsmodels does it, so that the numbers agree (golden tests to 1e-6):
//!
//! - [`fit`]: ordinary least squares on the rows `t = p..n`, which is the conditional maximum
//!   likelihood estimate (statsmodels' `AutoReg(y, p, trend).fit()`), with standard errors,
//!   sigma2 = SSR / nobs, the log-likelihood and AIC/BIC/HQIC;
//! - [`yule_walker`]: the method-of-moments estimate from sample autocovariances
//!   (`statsmodels.regression.linear_model.yule_walker`);
//! - [`select_order`]: every order 0..=max on the same rows, ranked by an information
//!   criterion (`ar_select_order`);
//! - [`ArModel::forecast`] with prediction intervals, [`ArModel::simulate`] from a seed, and
//!   [`ArModel::roots`] with the stationarity check.
//!
//! Everything is plain `f64`. The cross-product matrix of the regression is built from
//! shifted sums of the series (see `design.rs`), so fitting every order up to 40 on a million
//! points costs about one pass over the data per lag.

mod design;
mod fit;
mod forecast;
mod linalg;
mod report;
mod roots;
mod select;
mod series;

use serde::{Deserialize, Serialize};

pub use fit::{ArFit, YuleWalker, YwMethod, fit, fit_with_hold_back, yule_walker};
pub use forecast::{Forecast, normal_quantile};
pub use report::{read_model, write_forecast, write_model};
pub use roots::poly_roots;
pub use select::{Criterion, OrderSelection, select_order};
pub use series::{SeriesSource, read_series};

/// The deterministic terms of the regression, as statsmodels' `trend` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Trend {
    /// No deterministic term (`"n"`).
    #[serde(rename = "n")]
    None,
    /// A constant (`"c"`, the default).
    #[serde(rename = "c")]
    #[default]
    Constant,
    /// A time trend only (`"t"`): the regressor is t + 1 for the t-th value (0-based).
    #[serde(rename = "t")]
    Time,
    /// A constant and a time trend (`"ct"`).
    #[serde(rename = "ct")]
    ConstantTime,
}

impl Trend {
    /// Parses statsmodels' spelling: `n`, `c`, `t` or `ct`.
    pub fn parse(s: &str) -> Result<Self, ArError> {
        match s {
            "n" => Ok(Self::None),
            "c" => Ok(Self::Constant),
            "t" => Ok(Self::Time),
            "ct" => Ok(Self::ConstantTime),
            other => Err(ArError::Invalid(format!(
                "trend {other:?} is not one of n (none), c (constant), t (time), ct (both)"
            ))),
        }
    }

    /// statsmodels' spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "n",
            Self::Constant => "c",
            Self::Time => "t",
            Self::ConstantTime => "ct",
        }
    }

    /// Whether a constant column is present.
    pub fn has_constant(self) -> bool {
        matches!(self, Self::Constant | Self::ConstantTime)
    }

    /// The number of deterministic columns.
    pub fn columns(self) -> usize {
        match self {
            Self::None => 0,
            Self::Constant | Self::Time => 1,
            Self::ConstantTime => 2,
        }
    }

    /// The deterministic regressors of the `t`-th value (0-based), in statsmodels' column
    /// order (constant, then time).
    pub fn regressors(self, t: usize) -> impl Iterator<Item = f64> {
        let time = (t + 1) as f64;
        let (c, tt) = match self {
            Self::None => (None, None),
            Self::Constant => (Some(1.0), None),
            Self::Time => (None, Some(time)),
            Self::ConstantTime => (Some(1.0), Some(time)),
        };
        c.into_iter().chain(tt)
    }

    /// The parameter names of the deterministic columns, as statsmodels names them.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Self::None => &[],
            Self::Constant => &["const"],
            Self::Time => &["trend"],
            Self::ConstantTime => &["const", "trend"],
        }
    }
}

/// A fitted (or given) AR(p) model: what forecasting and simulation need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArModel {
    /// The deterministic terms.
    pub trend: Trend,
    /// Coefficients of the deterministic terms, in [`Trend::names`] order.
    pub deterministic: Vec<f64>,
    /// phi_1..phi_p: the coefficients of lags 1..p.
    pub phi: Vec<f64>,
    /// Variance of the innovations.
    pub sigma2: f64,
}

impl ArModel {
    /// A model from its parts, checked: one coefficient per deterministic column, finite
    /// numbers, a positive variance.
    pub fn new(
        trend: Trend,
        deterministic: Vec<f64>,
        phi: Vec<f64>,
        sigma2: f64,
    ) -> Result<Self, ArError> {
        let model = Self { trend, deterministic, phi, sigma2 };
        model.validate()?;
        Ok(model)
    }

    /// Checks a model read from a file or built by hand.
    pub fn validate(&self) -> Result<(), ArError> {
        if self.deterministic.len() != self.trend.columns() {
            return Err(ArError::Invalid(format!(
                "trend {:?} has {} deterministic coefficients, but {} were given",
                self.trend.name(),
                self.trend.columns(),
                self.deterministic.len()
            )));
        }
        if let Some(v) = self.deterministic.iter().chain(&self.phi).find(|v| !v.is_finite()) {
            return Err(ArError::Invalid(format!("a coefficient is {v}, not a finite number")));
        }
        if !(self.sigma2.is_finite() && self.sigma2 > 0.0) {
            return Err(ArError::Invalid(format!(
                "sigma2 = {} must be a positive number",
                self.sigma2
            )));
        }
        Ok(())
    }

    /// The order p.
    pub fn order(&self) -> usize {
        self.phi.len()
    }

    /// The deterministic part of the `t`-th value (0-based).
    pub fn trend_at(&self, t: usize) -> f64 {
        self.trend.regressors(t).zip(&self.deterministic).map(|(x, b)| x * b).sum()
    }
}

/// What can go wrong fitting or using an AR model.
#[derive(Debug, thiserror::Error)]
pub enum ArError {
    /// Too few values for the order asked for.
    #[error(
        "the series has {len} values, too few for {what}: it needs at least {needed} \
         (the values held back as lags, plus one more row than there are regressors)"
    )]
    TooShort {
        /// Values in the series.
        len: usize,
        /// Values needed.
        needed: usize,
        /// The model asked for, in words.
        what: String,
    },
    /// A value that is not a finite number.
    #[error("value {index} of the series is {value}, not a finite number")]
    NotFinite {
        /// 0-based position.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The regressors are linearly dependent (a constant series, for example).
    #[error("the regression is singular: {0}")]
    Singular(String),
    /// A parameter out of range or inconsistent.
    #[error("{0}")]
    Invalid(String),
    /// Reading the series.
    #[error(transparent)]
    Data(#[from] genlab_data::DataError),
}

/// Checks every value is finite.
pub(crate) fn check_finite(y: &[f64]) -> Result<(), ArError> {
    match y.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(ArError::NotFinite { index, value: y[index] }),
        None => Ok(()),
    }
}
