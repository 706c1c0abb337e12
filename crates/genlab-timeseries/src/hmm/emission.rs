//! Emission distributions: their probabilities per time step and state, their sufficient
//! statistics and M-step (hmmlearn's formulas), and sampling from one state.

use rand::Rng;

use super::numeric::{draw, exp_non_positive, standard_normal};
use super::{HmmError, Observations, SUM_TOLERANCE};

/// hmmlearn's `GaussianHMM` defaults for the variance prior: `covars_prior` and
/// `covars_weight` (the means prior has weight 0, so it plays no part).
const COVARS_PRIOR: f64 = 1e-2;
const COVARS_WEIGHT: f64 = 1.0;

/// What each state emits. Parameters are flat, row by row: state `i`'s row starts at
/// `i * n_symbols` (or `i * n_features`).
#[derive(Debug, Clone, PartialEq)]
pub enum Emission {
    /// A categorical distribution over symbols `0..n_symbols` per state (hmmlearn's
    /// `CategoricalHMM`, `emissionprob_`).
    Categorical {
        /// Symbols the model can emit.
        n_symbols: usize,
        /// `probs[i * n_symbols + k] = P(symbol k | state i)`; each row sums to 1.
        probs: Vec<f64>,
    },
    /// A Gaussian with a diagonal covariance per state (hmmlearn's `GaussianHMM` with
    /// `covariance_type="diag"`: `means_`, `_covars_`).
    Gaussian {
        /// Features per observation.
        n_features: usize,
        /// `means[i * n_features + f]`.
        means: Vec<f64>,
        /// `variances[i * n_features + f]`, all above zero.
        variances: Vec<f64>,
    },
}

impl Emission {
    /// Symbols (categorical) or features (Gaussian) per state row.
    pub fn width(&self) -> usize {
        match self {
            Emission::Categorical { n_symbols, .. } => *n_symbols,
            Emission::Gaussian { n_features, .. } => *n_features,
        }
    }

    /// `categorical` or `gaussian`.
    pub fn kind(&self) -> &'static str {
        match self {
            Emission::Categorical { .. } => "categorical",
            Emission::Gaussian { .. } => "gaussian",
        }
    }

    /// Checks shapes and values for `n_states` states.
    pub(crate) fn validate(&self, n_states: usize) -> Result<(), HmmError> {
        let width = self.width();
        if width == 0 {
            let what = match self {
                Emission::Categorical { .. } => "n_symbols",
                Emission::Gaussian { .. } => "n_features",
            };
            return Err(HmmError::Empty { what });
        }
        match self {
            Emission::Categorical { probs, .. } => {
                check_len("emission probabilities", n_states * width, probs.len())?;
                for (i, row) in probs.chunks(width).enumerate() {
                    check_distribution(&format!("emission row {i}"), row)?;
                }
            }
            Emission::Gaussian { means, variances, .. } => {
                check_len("means", n_states * width, means.len())?;
                check_len("variances", n_states * width, variances.len())?;
                let bad = |what, k: usize, value, expected| HmmError::BadGaussian {
                    what,
                    state: k / width,
                    feature: k % width,
                    value,
                    expected,
                };
                if let Some((k, &m)) = means.iter().enumerate().find(|(_, m)| !m.is_finite()) {
                    return Err(bad("means", k, m, "means must be finite"));
                }
                let not_positive = |v: &f64| !(v.is_finite() && *v > 0.0);
                if let Some((k, &v)) = variances.iter().enumerate().find(|(_, v)| not_positive(v)) {
                    return Err(bad("variances", k, v, "variances must be finite and above 0"));
                }
            }
        }
        Ok(())
    }

    /// Checks that sequence `index` can be scored by this emission.
    pub(crate) fn check(&self, index: usize, x: &Observations) -> Result<(), HmmError> {
        let mismatch = |problem: String| HmmError::Mismatch { sequence: index, problem };
        match (self, x) {
            (Emission::Categorical { n_symbols, .. }, Observations::Symbols(s)) => {
                if let Some((t, &symbol)) = s.iter().enumerate().find(|(_, k)| **k >= *n_symbols) {
                    return Err(HmmError::SymbolOutOfRange {
                        sequence: index,
                        position: t,
                        symbol,
                        n_symbols: *n_symbols,
                    });
                }
            }
            (
                Emission::Gaussian { n_features, .. },
                Observations::Vectors { n_features: w, values },
            ) => {
                if w != n_features {
                    return Err(mismatch(format!(
                        "{w} features per step, the model has {n_features}"
                    )));
                }
                if values.len() % w != 0 {
                    return Err(mismatch(format!(
                        "{} values is not a whole number of {w}-feature steps",
                        values.len()
                    )));
                }
                if let Some((k, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                    return Err(HmmError::NotFinite {
                        sequence: index,
                        position: k / w,
                        feature: k % w,
                        value,
                    });
                }
            }
            (e, _) => {
                return Err(mismatch(format!(
                    "a {} model needs {}",
                    e.kind(),
                    match e {
                        Emission::Categorical { .. } => "symbols",
                        Emission::Gaussian { .. } => "feature vectors",
                    }
                )));
            }
        }
        if x.is_empty() {
            return Err(HmmError::EmptySequence { sequence: index });
        }
        Ok(())
    }

    /// Fills `frame[t * n + i]` with `p(x_t | state i) / exp(shift_t)` and returns
    /// `Σ_t shift_t`. Gaussian rows are shifted by their largest log-density, so the largest
    /// entry of each row is 1 and no row underflows to all zeros however far out `x_t` lies;
    /// categorical rows are not shifted. The scaled forward pass adds the shift back.
    pub(crate) fn frame_probs(&self, n: usize, x: &Observations, frame: &mut Vec<f64>) -> f64 {
        match (self, x) {
            (Emission::Categorical { n_symbols, probs }, Observations::Symbols(s)) => {
                frame.clear();
                for &k in s {
                    frame.extend((0..n).map(|i| probs[i * n_symbols + k]));
                }
                0.0
            }
            (Emission::Gaussian { .. }, Observations::Vectors { values, .. }) => {
                let g = GaussianTerms::new(self, n);
                frame.resize(x.len() * n, 0.0); // every entry is written below
                // As in the forward pass: a copy of the loop per small state count.
                let shift = match n {
                    2 => g.shifted_log_densities(2, values, frame),
                    3 => g.shifted_log_densities(3, values, frame),
                    4 => g.shifted_log_densities(4, values, frame),
                    _ => g.shifted_log_densities(n, values, frame),
                };
                // One flat loop, which the compiler vectorises.
                frame.iter_mut().for_each(|p| *p = exp_non_positive(*p));
                shift
            }
            _ => unreachable!("observations are checked against the emission first"),
        }
    }

    /// Fills `frame[t * n + i]` with `log p(x_t | state i)` (for Viterbi).
    pub(crate) fn log_frame_probs(&self, n: usize, x: &Observations, frame: &mut Vec<f64>) {
        frame.clear();
        match (self, x) {
            (Emission::Categorical { n_symbols, probs }, Observations::Symbols(s)) => {
                let logs: Vec<f64> = probs.iter().map(|p| p.ln()).collect();
                for &k in s {
                    frame.extend((0..n).map(|i| logs[i * n_symbols + k]));
                }
            }
            (Emission::Gaussian { .. }, Observations::Vectors { values, .. }) => {
                let g = GaussianTerms::new(self, n);
                for xt in values.chunks_exact(g.width) {
                    frame.extend((0..n).map(|i| g.log_density(i, xt)));
                }
            }
            _ => unreachable!("observations are checked against the emission first"),
        }
    }

    /// Zeroed sufficient statistics for this emission.
    pub(crate) fn new_stats(&self, n: usize) -> EmissionStats {
        let w = self.width();
        match self {
            Emission::Categorical { .. } => EmissionStats::Categorical { obs: vec![0.0; n * w] },
            Emission::Gaussian { .. } => EmissionStats::Gaussian {
                post: vec![0.0; n],
                obs: vec![0.0; n * w],
                obs2: vec![0.0; n * w],
            },
        }
    }

    /// hmmlearn's emission M-step: `CategoricalHMM._do_mstep` (prior 1, so the new rows are
    /// the expected counts, normalised) and `GaussianHMM._do_mstep` for `"diag"` (means prior
    /// weight 0; `covars_prior` 1e-2, `covars_weight` 1). A state that was never visited
    /// (zero expected count) keeps its old parameters, where hmmlearn would leave a zero row
    /// or divide by zero.
    pub(crate) fn m_step(&mut self, stats: &EmissionStats) {
        match (self, stats) {
            (Emission::Categorical { n_symbols, probs }, EmissionStats::Categorical { obs }) => {
                for (row, counts) in probs.chunks_mut(*n_symbols).zip(obs.chunks(*n_symbols)) {
                    let total: f64 = counts.iter().map(|c| c.max(0.0)).sum();
                    if total > 0.0 {
                        for (p, c) in row.iter_mut().zip(counts) {
                            *p = c.max(0.0) / total;
                        }
                    }
                }
            }
            (
                Emission::Gaussian { n_features, means, variances },
                EmissionStats::Gaussian { post, obs, obs2 },
            ) => {
                let w = *n_features;
                for (i, &denom) in post.iter().enumerate() {
                    if denom <= 0.0 {
                        continue;
                    }
                    for f in i * w..(i + 1) * w {
                        let mean = obs[f] / denom;
                        let c_n = obs2[f] - 2.0 * mean * obs[f] + mean * mean * denom;
                        let c_d = (COVARS_WEIGHT - 1.0).max(0.0) + denom;
                        means[f] = mean;
                        variances[f] = (COVARS_PRIOR + c_n) / c_d.max(1e-5);
                    }
                }
            }
            _ => unreachable!("statistics come from the same emission"),
        }
    }

    /// Draws one observation from state `i`, appending it to `out`.
    pub(crate) fn sample_into<R: Rng>(&self, i: usize, rng: &mut R, out: &mut Observations) {
        match (self, out) {
            (Emission::Categorical { n_symbols, probs }, Observations::Symbols(s)) => {
                s.push(draw(&probs[i * n_symbols..(i + 1) * n_symbols], rng));
            }
            (
                Emission::Gaussian { n_features, means, variances },
                Observations::Vectors { values, .. },
            ) => {
                for f in i * n_features..(i + 1) * n_features {
                    values.push(means[f] + variances[f].sqrt() * standard_normal(rng));
                }
            }
            _ => unreachable!("the output is made for this emission"),
        }
    }
}

/// Expected counts gathered over the E-step (hmmlearn's `stats['obs']`, `stats['post']`,
/// `stats['obs**2']`).
#[derive(Debug, Clone)]
pub(crate) enum EmissionStats {
    /// `obs[i * n_symbols + k] = Σ_t γ_t(i) [x_t = k]`.
    Categorical { obs: Vec<f64> },
    /// `post[i] = Σ_t γ_t(i)`, `obs[i, f] = Σ_t γ_t(i) x_tf`, `obs2[i, f] = Σ_t γ_t(i) x_tf²`.
    Gaussian { post: Vec<f64>, obs: Vec<f64>, obs2: Vec<f64> },
}

impl EmissionStats {
    /// Adds time step `t` of `x` with state posteriors `gamma` (one per state).
    #[inline(always)]
    pub(crate) fn add(&mut self, x: &Observations, t: usize, gamma: &[f64]) {
        match (self, x) {
            (EmissionStats::Categorical { obs }, Observations::Symbols(s)) => {
                let (k, width) = (s[t], obs.len() / gamma.len());
                for (i, g) in gamma.iter().enumerate() {
                    obs[i * width + k] += g;
                }
            }
            (
                EmissionStats::Gaussian { post, obs, obs2 },
                Observations::Vectors { n_features, values },
            ) => {
                let w = *n_features;
                let xt = &values[t * w..(t + 1) * w];
                for (i, &g) in gamma.iter().enumerate() {
                    post[i] += g;
                    let (o, o2) = (&mut obs[i * w..(i + 1) * w], &mut obs2[i * w..(i + 1) * w]);
                    for f in 0..w {
                        o[f] += g * xt[f];
                        o2[f] += g * xt[f] * xt[f];
                    }
                }
            }
            _ => unreachable!("statistics are made for the observations' emission"),
        }
    }
}

/// The per-state constants of the diagonal Gaussian log-density
/// `log N(x | μ, diag σ²) = -½ (d log 2π + Σ_f log σ²_f) - ½ Σ_f (x_f - μ_f)² / σ²_f`.
struct GaussianTerms<'a> {
    width: usize,
    means: &'a [f64],
    /// `-½ (d log 2π + Σ_f log σ²_f)` per state.
    constant: Vec<f64>,
    /// `1 / σ²` per state and feature.
    precision: Vec<f64>,
}

impl<'a> GaussianTerms<'a> {
    fn new(emission: &'a Emission, n: usize) -> Self {
        let Emission::Gaussian { n_features: w, means, variances } = emission else {
            unreachable!("only made for Gaussian emissions")
        };
        let log_2pi = (2.0 * std::f64::consts::PI).ln();
        let constant = (0..n)
            .map(|i| {
                let log_det: f64 = variances[i * w..(i + 1) * w].iter().map(|v| v.ln()).sum();
                -0.5 * (*w as f64 * log_2pi + log_det)
            })
            .collect();
        let precision = variances.iter().map(|v| 1.0 / v).collect();
        Self { width: *w, means, constant, precision }
    }

    /// Fills each row of `frame` with `log p(x_t | i) - shift_t`, `shift_t` the row's largest
    /// log-density, and returns `Σ_t shift_t`.
    #[inline(always)]
    fn shifted_log_densities(&self, n: usize, values: &[f64], frame: &mut [f64]) -> f64 {
        let mut shift = 0.0;
        for (row, x) in frame.chunks_exact_mut(n).zip(values.chunks_exact(self.width)) {
            let mut top = f64::NEG_INFINITY;
            for (i, p) in row.iter_mut().enumerate() {
                *p = self.log_density(i, x);
                top = top.max(*p);
            }
            row.iter_mut().for_each(|p| *p -= top);
            shift += top;
        }
        shift
    }

    #[inline(always)]
    fn log_density(&self, i: usize, x: &[f64]) -> f64 {
        let row = i * self.width..(i + 1) * self.width;
        let mut quad = 0.0;
        for ((x, m), p) in x.iter().zip(&self.means[row.clone()]).zip(&self.precision[row]) {
            quad += (x - m) * (x - m) * p;
        }
        self.constant[i] - 0.5 * quad
    }
}

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), HmmError> {
    if expected != got {
        return Err(HmmError::Shape { what, expected, got });
    }
    Ok(())
}

/// Checks that `row` is a probability distribution: entries in [0, 1], sum 1 within
/// [`SUM_TOLERANCE`].
pub(crate) fn check_distribution(what: &str, row: &[f64]) -> Result<(), HmmError> {
    if let Some((index, &value)) = row.iter().enumerate().find(|(_, p)| !(0.0..=1.0).contains(*p)) {
        return Err(HmmError::NotAProbability { what: what.to_string(), index, value });
    }
    let sum: f64 = row.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(HmmError::NotNormalised { what: what.to_string(), sum });
    }
    Ok(())
}
