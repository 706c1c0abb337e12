//! Fitting AR(p): ordinary least squares (conditional maximum likelihood) and Yule-Walker.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use super::design::Design;
use super::linalg::{Cholesky, lu_solve};
use super::{ArError, ArModel, Trend, check_finite};

/// An AR(p) fitted by OLS, with what statsmodels' `AutoRegResults` reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArFit {
    /// The fitted model (for forecasting and simulation).
    pub model: ArModel,
    /// Parameter names in statsmodels' order: `const`, `trend`, then `y.L1`..`y.Lp`.
    pub names: Vec<String>,
    /// The estimates, in `names` order.
    pub params: Vec<f64>,
    /// Their standard errors: sqrt of the diagonal of sigma2 (X^T X)^-1.
    pub bse: Vec<f64>,
    /// Rows in the regression (values after the held-back ones).
    pub nobs: usize,
    /// Leading values used only as lags.
    pub hold_back: usize,
    /// Residual sum of squares.
    pub ssr: f64,
    /// Conditional Gaussian log-likelihood at sigma2 = ssr / nobs.
    pub llf: f64,
    /// Akaike: -2 llf + 2 (k + 1), with k regressors.
    pub aic: f64,
    /// Schwarz: -2 llf + ln(nobs) (k + 1).
    pub bic: f64,
    /// Hannan-Quinn: -2 llf + 2 ln(ln(nobs)) (k + 1).
    pub hqic: f64,
    /// Roots of 1 - phi_1 z - ... - phi_p z^p as `[re, im]`.
    pub roots: Vec<[f64; 2]>,
    /// Whether every root lies outside the unit circle.
    pub stationary: bool,
}

/// Fits AR(`p`) with `trend` by OLS on rows `p..n`, as `AutoReg(y, p, trend=trend).fit()`.
pub fn fit(y: &[f64], p: usize, trend: Trend) -> Result<ArFit, ArError> {
    fit_with_hold_back(y, p, trend, p)
}

/// [`fit`] on rows `hold_back..n` (`hold_back >= p`), so that models of different orders
/// can be fitted on the same rows and compared, as statsmodels' `hold_back`.
pub fn fit_with_hold_back(
    y: &[f64],
    p: usize,
    trend: Trend,
    hold_back: usize,
) -> Result<ArFit, ArError> {
    check_finite(y)?;
    if hold_back < p {
        return Err(ArError::Invalid(format!(
            "hold_back = {hold_back} must be at least the order p = {p}"
        )));
    }
    let k = trend.columns() + p;
    check_len(y.len(), hold_back + k + 1, &format!("AR({p}) with trend {:?}", trend.name()))?;
    let design = Design::new(y, trend, p, hold_back);
    let nobs = design.nobs();
    let (xtx, xty, _) = design.system(p);
    let (params, inv_diag) = if k == 0 {
        (Vec::new(), Vec::new())
    } else {
        let chol = Cholesky::new(&xtx, k).ok_or_else(|| singular(y, trend))?;
        (chol.solve(&xty), chol.inverse_diagonal())
    };
    let (deterministic, phi) = params.split_at(trend.columns());
    // The residuals directly (rather than y'y - b'X'y) so a near-perfect fit keeps its digits.
    let ssr: f64 = (hold_back..y.len())
        .map(|t| {
            let det: f64 = trend.regressors(t).zip(deterministic).map(|(x, b)| x * b).sum();
            let lags: f64 = phi.iter().enumerate().map(|(a, f)| f * y[t - a - 1]).sum();
            let r = y[t] - det - lags;
            r * r
        })
        .sum();
    let sigma2 = ssr / nobs as f64;
    if sigma2.is_nan() || sigma2 <= 0.0 {
        return Err(ArError::Singular(format!(
            "the model fits the {nobs} rows exactly (residual variance {sigma2}), so its \
             likelihood is unbounded; use a lower order or more data"
        )));
    }
    let llf = gaussian_llf(nobs, sigma2);
    let (aic, bic, hqic) = criteria(llf, nobs, k + 1);
    let model = ArModel::new(trend, deterministic.to_vec(), phi.to_vec(), sigma2)?;
    let roots = model.roots();
    let stationary = model.is_stationary();
    let mut names: Vec<String> = trend.names().iter().map(|s| s.to_string()).collect();
    names.extend((1..=p).map(|a| format!("y.L{a}")));
    Ok(ArFit {
        model,
        names,
        bse: inv_diag.iter().map(|v| (sigma2 * v).sqrt()).collect(),
        params,
        nobs,
        hold_back,
        ssr,
        llf,
        aic,
        bic,
        hqic,
        roots: roots.iter().map(|z| [z.re, z.im]).collect(),
        stationary,
    })
}

pub(crate) fn check_len(len: usize, needed: usize, what: &str) -> Result<(), ArError> {
    if len < needed {
        return Err(ArError::TooShort { len, needed, what: what.to_string() });
    }
    Ok(())
}

pub(crate) fn singular(y: &[f64], trend: Trend) -> ArError {
    let constant = y.windows(2).all(|w| w[0] == w[1]);
    ArError::Singular(if constant {
        format!("the series is constant ({}), so its lags repeat the trend columns", y[0])
    } else {
        format!("the regressors (trend {:?} and the lags) are linearly dependent", trend.name())
    })
}

/// The Gaussian log-likelihood of `nobs` residuals with variance `sigma2` (its MLE).
pub(crate) fn gaussian_llf(nobs: usize, sigma2: f64) -> f64 {
    -(nobs as f64) / 2.0 * ((2.0 * PI).ln() + sigma2.ln() + 1.0)
}

/// (AIC, BIC, HQIC) with statsmodels' definitions for `k` estimated parameters.
pub(crate) fn criteria(llf: f64, nobs: usize, k: usize) -> (f64, f64, f64) {
    let (n, k) = (nobs as f64, k as f64);
    (-2.0 * llf + 2.0 * k, -2.0 * llf + n.ln() * k, -2.0 * llf + 2.0 * n.ln().ln() * k)
}

/// How Yule-Walker normalises the sample autocovariance at lag k.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum YwMethod {
    /// Divide by n - k (statsmodels' default, `"adjusted"`).
    #[default]
    Adjusted,
    /// Divide by n (`"mle"`): the autocovariance matrix is then always positive definite.
    Mle,
}

/// A Yule-Walker estimate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct YuleWalker {
    /// phi_1..phi_p.
    pub phi: Vec<f64>,
    /// Innovation standard deviation: sqrt(r0 - r^T phi).
    pub sigma: f64,
    /// The mean subtracted first (0 without demeaning).
    pub mean: f64,
    /// Whether the mean was subtracted.
    pub demean: bool,
}

impl YuleWalker {
    /// The estimate as a model: a constant of mean (1 - sum phi) when demeaned, none
    /// otherwise, and sigma2 = sigma^2.
    pub fn model(&self) -> Result<ArModel, ArError> {
        let (trend, det) = if self.demean {
            (Trend::Constant, vec![self.mean * (1.0 - self.phi.iter().sum::<f64>())])
        } else {
            (Trend::None, vec![])
        };
        ArModel::new(trend, det, self.phi.clone(), self.sigma * self.sigma)
    }
}

/// Yule-Walker AR(`order`) estimate: solve `R phi = r` for the Toeplitz matrix of sample
/// autocovariances, as `statsmodels.regression.linear_model.yule_walker(y, order, method,
/// demean=demean)`.
pub fn yule_walker(
    y: &[f64],
    order: usize,
    method: YwMethod,
    demean: bool,
) -> Result<YuleWalker, ArError> {
    check_finite(y)?;
    check_len(y.len(), order + 1, &format!("Yule-Walker of order {order}"))?;
    let n = y.len();
    let mean = if demean { y.iter().sum::<f64>() / n as f64 } else { 0.0 };
    let x: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let r: Vec<f64> = (0..=order)
        .map(|k| {
            let denom = match method {
                YwMethod::Adjusted if k > 0 => (n - k) as f64,
                _ => n as f64,
            };
            super::design::dot(&x[..n - k], &x[k..]) / denom
        })
        .collect();
    let toeplitz: Vec<f64> =
        (0..order * order).map(|ij| r[(ij / order).abs_diff(ij % order)]).collect();
    let phi = lu_solve(&toeplitz, &r[1..], order).ok_or_else(|| {
        ArError::Singular("the autocovariance matrix is singular (a constant series?)".into())
    })?;
    let sigma2 = r[0] - r[1..].iter().zip(&phi).map(|(a, b)| a * b).sum::<f64>();
    if sigma2.is_nan() || sigma2 <= 0.0 {
        return Err(ArError::Singular(format!(
            "the innovation variance comes out as {sigma2}: the sample autocovariances of order \
             {order} are not positive definite (try method mle)"
        )));
    }
    Ok(YuleWalker { phi, sigma: sigma2.sqrt(), mean, demean })
}
