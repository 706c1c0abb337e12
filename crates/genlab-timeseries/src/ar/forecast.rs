//! Forecasts with prediction intervals, and seeded simulation.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::{ArError, ArModel};

/// An h-step forecast.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Forecast {
    /// 0-based positions of the forecast values, continuing the history.
    pub index: Vec<usize>,
    /// The point forecasts.
    pub mean: Vec<f64>,
    /// Their standard errors: sigma sqrt(psi_0^2 + ... + psi_(h-1)^2).
    pub se: Vec<f64>,
    /// Lower ends of the (1 - alpha) prediction intervals.
    pub lower: Vec<f64>,
    /// Upper ends.
    pub upper: Vec<f64>,
    /// 1 minus the intervals' coverage.
    pub alpha: f64,
}

impl ArModel {
    /// Forecasts `steps` values after `history`, the series the model was fitted on (its
    /// length sets the time index of a trend), with (1 - `alpha`) normal prediction intervals,
    /// as statsmodels' `get_prediction(start=n, end=n+steps-1).summary_frame(alpha)`.
    pub fn forecast(&self, history: &[f64], steps: usize, alpha: f64) -> Result<Forecast, ArError> {
        let p = self.order();
        super::check_finite(history)?;
        super::fit::check_len(history.len(), p.max(1), &format!("forecasting an AR({p})"))?;
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(ArError::Invalid(format!(
                "alpha = {alpha} must lie strictly between 0 and 1"
            )));
        }
        check_steps(steps)?;
        let n = history.len();
        let mut path = history.to_vec();
        for t in n..n + steps {
            let next = self.trend_at(t)
                + self.phi.iter().enumerate().map(|(a, f)| f * path[t - a - 1]).sum::<f64>();
            path.push(next);
        }
        // psi weights of the MA(infinity) form: psi_0 = 1, psi_j = sum_a phi_a psi_(j-a).
        let mut psi = vec![1.0];
        for j in 1..steps {
            let v = (1..=p.min(j)).map(|a| self.phi[a - 1] * psi[j - a]).sum();
            psi.push(v);
        }
        let z = normal_quantile(1.0 - alpha / 2.0);
        let mut cumulative = 0.0;
        let se: Vec<f64> = psi
            .iter()
            .map(|w| {
                cumulative += w * w;
                (self.sigma2 * cumulative).sqrt()
            })
            .collect();
        let mean = path[n..].to_vec();
        Ok(Forecast {
            index: (n..n + steps).collect(),
            lower: mean.iter().zip(&se).map(|(m, s)| m - z * s).collect(),
            upper: mean.iter().zip(&se).map(|(m, s)| m + z * s).collect(),
            mean,
            se,
            alpha,
        })
    }

    /// Simulates `n` values with Gaussian innovations drawn from `seed` (same seed, same
    /// values). After `history` (at least p values) the simulation continues it, time index
    /// and all: one possible future. Without a history it starts from zeros and discards a
    /// burn-in of 100 + 10p steps with the trend held at its first value, so a stationary
    /// model's output starts near its stationary distribution.
    pub fn simulate(
        &self,
        n: usize,
        seed: u64,
        history: Option<&[f64]>,
    ) -> Result<Vec<f64>, ArError> {
        let p = self.order();
        self.validate()?;
        check_steps(n)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let sigma = self.sigma2.sqrt();
        let mut noise = || sigma * rng.sample::<f64, _>(StandardNormal);
        let (mut path, t0, burn_in) = match history {
            Some(h) => {
                super::check_finite(h)?;
                super::fit::check_len(h.len(), p, &format!("continuing an AR({p})"))?;
                (h.to_vec(), h.len(), 0)
            }
            None => (vec![0.0; p], 0, 100 + 10 * p),
        };
        let start = path.len();
        for step in 0..burn_in + n {
            let t = t0 + step.saturating_sub(burn_in);
            let len = path.len();
            let ar: f64 = self.phi.iter().enumerate().map(|(a, f)| f * path[len - a - 1]).sum();
            path.push(self.trend_at(t) + ar + noise());
        }
        Ok(path[start + burn_in..].to_vec())
    }
}

/// The most values one forecast or simulation produces (800 MB of `f64`).
pub const MAX_STEPS: usize = 100_000_000;

fn check_steps(steps: usize) -> Result<(), ArError> {
    if steps > MAX_STEPS {
        return Err(ArError::Invalid(format!(
            "{steps} steps is more than the {MAX_STEPS} one forecast or simulation may have"
        )));
    }
    Ok(())
}

/// The standard normal quantile: Acklam's rational approximation (relative error ~1e-9),
/// polished by one Halley step on the exact CDF (libm's erfc), to ~1e-15.
pub fn normal_quantile(p: f64) -> f64 {
    assert!(p > 0.0 && p < 1.0, "normal_quantile({p}) needs 0 < p < 1");
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] =
        [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let low = 0.02425;
    let x = if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -normal_quantile(1.0 - p)
    };
    let e = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_matches_known_values() {
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((normal_quantile(0.5)).abs() < 1e-15);
        assert!((normal_quantile(0.001) + 3.090_232_306_167_813_5).abs() < 1e-12);
    }
}
