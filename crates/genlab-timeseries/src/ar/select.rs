//! Order selection: every AR(q), q = 0..=max, fitted on the same rows (the first `max`
//! values held back) and ranked by an information criterion, as statsmodels'
//! `ar_select_order(y, max, ic=..., trend=...)`.

use serde::{Deserialize, Serialize};

use super::design::Design;
use super::fit::{check_len, criteria, gaussian_llf, singular};
use super::linalg::Cholesky;
use super::{ArError, Trend, check_finite};

/// An information criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Akaike.
    Aic,
    /// Schwarz (Bayesian); statsmodels' default for `ar_select_order` is `bic`.
    #[default]
    Bic,
    /// Hannan-Quinn.
    Hqic,
}

impl Criterion {
    /// Parses `aic`, `bic` or `hqic`.
    pub fn parse(s: &str) -> Result<Self, ArError> {
        match s {
            "aic" => Ok(Self::Aic),
            "bic" => Ok(Self::Bic),
            "hqic" => Ok(Self::Hqic),
            other => Err(ArError::Invalid(format!("criterion {other:?} is not aic, bic or hqic"))),
        }
    }
}

/// The criteria of every order and the order each one picks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderSelection {
    /// The largest order tried.
    pub max_lag: usize,
    /// The deterministic terms of every model.
    pub trend: Trend,
    /// Rows every model was fitted on (`n - max_lag`).
    pub nobs: usize,
    /// AIC of orders 0..=max_lag.
    pub aic: Vec<f64>,
    /// BIC of orders 0..=max_lag.
    pub bic: Vec<f64>,
    /// HQIC of orders 0..=max_lag.
    pub hqic: Vec<f64>,
}

impl OrderSelection {
    /// The criterion's values, order by order.
    pub fn values(&self, ic: Criterion) -> &[f64] {
        match ic {
            Criterion::Aic => &self.aic,
            Criterion::Bic => &self.bic,
            Criterion::Hqic => &self.hqic,
        }
    }

    /// The order with the smallest value of `ic` (the lower order on a tie, as statsmodels'
    /// stable sort).
    pub fn best(&self, ic: Criterion) -> usize {
        let v = self.values(ic);
        (0..v.len()).fold(0, |best, q| if v[q] < v[best] { q } else { best })
    }
}

/// Fits AR(0..=`max_lag`) with `trend` on rows `max_lag..n` and returns their criteria.
///
/// The criteria count parameters as statsmodels' OLS does here: the regressors less the
/// constant, plus one for the variance. That differs from [`super::fit`]'s count by one when
/// there is a constant, which shifts every order's value alike and so never changes the pick.
pub fn select_order(y: &[f64], max_lag: usize, trend: Trend) -> Result<OrderSelection, ArError> {
    check_finite(y)?;
    let k_max = trend.columns() + max_lag;
    check_len(
        y.len(),
        max_lag + k_max + 1,
        &format!("order selection up to {max_lag} with trend {:?}", trend.name()),
    )?;
    let design = Design::new(y, trend, max_lag, max_lag);
    let nobs = design.nobs();
    let (mut aic, mut bic, mut hqic) = (Vec::new(), Vec::new(), Vec::new());
    for q in 0..=max_lag {
        let k = trend.columns() + q;
        let (xtx, xty, yty) = design.system(q);
        let ssr = if k == 0 {
            yty
        } else {
            let chol = Cholesky::new(&xtx, k).ok_or_else(|| singular(y, trend))?;
            let beta = chol.solve(&xty);
            yty - beta.iter().zip(&xty).map(|(b, c)| b * c).sum::<f64>()
        };
        let sigma2 = ssr / nobs as f64;
        if sigma2.is_nan() || sigma2 <= 0.0 {
            return Err(ArError::Singular(format!(
                "AR({q}) fits the {nobs} rows exactly; lower the maximum order or add data"
            )));
        }
        let df_model = k - usize::from(trend.has_constant());
        let (a, b, h) = criteria(gaussian_llf(nobs, sigma2), nobs, df_model + 1);
        aic.push(a);
        bic.push(b);
        hqic.push(h);
    }
    Ok(OrderSelection { max_lag, trend, nobs, aic, bic, hqic })
}
