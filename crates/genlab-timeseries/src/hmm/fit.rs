//! Baum-Welch (EM) with hmmlearn's M-step, from a given model or from seeded random starts.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::emission::Emission;
use super::inference::{Stats, with_lattice};
use super::{Hmm, HmmError, Observations};

/// How [`fit`] runs.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Most EM iterations per start (hmmlearn's `n_iter`, default 10).
    pub n_iter: usize,
    /// Stop when an iteration gains less log-likelihood than this (hmmlearn's `tol`,
    /// default 1e-2; a negative value runs every iteration).
    pub tol: f64,
    /// Random starts; the one with the best final log-likelihood is kept (default 1).
    pub restarts: usize,
    /// Seed of the random starts: start `r` draws from ChaCha8 seeded with `seed`, stream `r`,
    /// so each start is the same whatever the number of restarts.
    pub seed: u64,
    /// Symbols of a categorical model; by default the largest symbol in the data plus one.
    pub n_symbols: Option<usize>,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self { n_iter: 10, tol: 1e-2, restarts: 1, seed: 0, n_symbols: None }
    }
}

/// What a fit did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitReport {
    /// Log-likelihood of the data at each iteration's E-step, i.e. under the parameters
    /// before that iteration's M-step (hmmlearn's `monitor_.history`, all of it).
    pub history: Vec<f64>,
    /// Whether the gain of the last iteration fell below `tol` (rather than `n_iter` ending it).
    pub converged: bool,
    /// Which random start was kept (0 for [`Hmm::fit_from`]).
    pub best_restart: usize,
    /// The last history entry of every start, in order.
    pub restart_log_likelihoods: Vec<f64>,
}

impl FitReport {
    /// The last log-likelihood of the history (`-inf` if it is empty).
    pub fn final_log_likelihood(&self) -> f64 {
        self.history.last().copied().unwrap_or(f64::NEG_INFINITY)
    }
}

impl Hmm {
    /// Baum-Welch from this model (hmmlearn's `fit` with `init_params=""`): at most `n_iter`
    /// iterations, stopping early when one gains less than `tol`. Returns the updated model
    /// and the report; from the same start and data the parameters after each iteration are
    /// hmmlearn's (start and transition priors 1, Gaussian `covars_prior` 1e-2,
    /// `covars_weight` 1, means prior weight 0).
    ///
    /// Differences in degenerate cases only: a transition row with no expected transitions
    /// out, or a state with no expected visits, keeps its old parameters (hmmlearn leaves a
    /// zero row or divides by zero).
    pub fn fit_from(
        &self,
        data: &[Observations],
        n_iter: usize,
        tol: f64,
    ) -> Result<(Hmm, FitReport), HmmError> {
        self.check_observations(data)?;
        if tol.is_nan() {
            return Err(HmmError::Options { what: "tol", problem: "NaN".into() });
        }
        let n = self.n_states();
        let mut model = self.clone();
        let mut history = Vec::with_capacity(n_iter);
        let mut converged = false;
        let mut stats = Stats {
            start: vec![0.0; n],
            trans: vec![0.0; n * n],
            emission: model.emission.new_stats(n),
        };
        with_lattice(|lattice| -> Result<(), HmmError> {
            for _ in 0..n_iter {
                // E-step: expected counts under the current parameters.
                stats.start.fill(0.0);
                stats.trans.fill(0.0);
                stats.emission = model.emission.new_stats(n);
                let mut log_p = 0.0;
                for (k, x) in data.iter().enumerate() {
                    log_p += model.forward(k, x, lattice)?;
                    model.backward(x, lattice, Some(&mut stats), None);
                }
                // M-step.
                model.m_step(&stats);
                history.push(log_p);
                if let [.., before, last] = history[..]
                    && last - before < tol
                {
                    converged = true;
                    break;
                }
            }
            Ok(())
        })?;
        let last = history.last().copied().unwrap_or(f64::NEG_INFINITY);
        Ok((
            model,
            FitReport { history, converged, best_restart: 0, restart_log_likelihoods: vec![last] },
        ))
    }

    /// hmmlearn's `BaseHMM._do_mstep` with priors 1: the new start distribution and
    /// transition rows are the expected counts, normalised; an entry that was 0 stays 0.
    fn m_step(&mut self, stats: &Stats) {
        let n = self.n_states();
        renormalise(&mut self.startprob, &stats.start);
        for i in 0..n {
            let row = i * n..(i + 1) * n;
            renormalise(&mut self.transmat[row.clone()], &stats.trans[row]);
        }
        self.emission.m_step(&stats.emission);
    }
}

/// `p ← normalise(where(p == 0, 0, max(counts, 0)))`; an all-zero result leaves `p` as it was.
fn renormalise(p: &mut [f64], counts: &[f64]) {
    let keep = |p: f64, c: f64| if p == 0.0 { 0.0 } else { c.max(0.0) };
    let total: f64 = p.iter().zip(counts).map(|(&p, &c)| keep(p, c)).sum();
    if total > 0.0 {
        for (p, &c) in p.iter_mut().zip(counts) {
            *p = keep(*p, c) / total;
        }
    }
}

/// Fits an `n_states` model to `data` by Baum-Welch from `options.restarts` random starts
/// and keeps the one with the best final log-likelihood. Symbols make a categorical model,
/// feature vectors a diagonal Gaussian one.
///
/// Each start (see [`random_start`]) draws `startprob` and every transition row from a flat
/// Dirichlet (normalised exponential draws); categorical emission rows as hmmlearn does
/// (uniform draws, normalised); Gaussian means by k-means++ seeding on the data points
/// followed by ten Lloyd iterations, and every state's variances set to the data's variance
/// per feature plus 1e-3 (hmmlearn's `min_covar`).
pub fn fit(
    data: &[Observations],
    n_states: usize,
    options: &FitOptions,
) -> Result<(Hmm, FitReport), HmmError> {
    if n_states == 0 {
        return Err(HmmError::Empty { what: "the number of states" });
    }
    if options.restarts == 0 {
        return Err(HmmError::Options { what: "restarts", problem: "must be at least 1".into() });
    }
    let steps: usize = data.iter().map(Observations::len).sum();
    if n_states > steps {
        return Err(HmmError::Options {
            what: "states",
            problem: format!(
                "{n_states} states for {steps} observed time steps: use at most one state per step"
            ),
        });
    }
    if let Some(n) = options.n_symbols.filter(|&n| n > MAX_SYMBOLS) {
        return Err(HmmError::Options {
            what: "symbols",
            problem: format!("{n} symbols; at most {MAX_SYMBOLS} are supported"),
        });
    }
    let mut best: Option<(Hmm, FitReport)> = None;
    let mut finals = Vec::with_capacity(options.restarts);
    for r in 0..options.restarts {
        let start = random_start(data, n_states, options, r as u64)?;
        let (model, report) = start.fit_from(data, options.n_iter, options.tol)?;
        let score = report.final_log_likelihood();
        finals.push(score);
        if best.as_ref().is_none_or(|(_, b)| score > b.final_log_likelihood()) {
            best = Some((model, FitReport { best_restart: r, ..report }));
        }
    }
    let (model, mut report) = best.unwrap_or_else(|| unreachable!("restarts >= 1"));
    report.restart_log_likelihoods = finals;
    Ok((model, report))
}

/// The largest alphabet a categorical model is fitted over (its emission matrix holds
/// states x symbols probabilities).
pub const MAX_SYMBOLS: usize = 1 << 20;

/// Random start `restart` of [`fit`] (ChaCha8 from `options.seed`, stream `restart`).
pub fn random_start(
    data: &[Observations],
    n_states: usize,
    options: &FitOptions,
    restart: u64,
) -> Result<Hmm, HmmError> {
    let first = data.first().ok_or(HmmError::NoData)?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    rng.set_stream(restart);
    let startprob = dirichlet(n_states, &mut rng);
    let transmat: Vec<Vec<f64>> = (0..n_states).map(|_| dirichlet(n_states, &mut rng)).collect();
    let emission = match first {
        Observations::Symbols(_) => {
            let largest = data
                .iter()
                .filter_map(|x| match x {
                    Observations::Symbols(s) => s.iter().max().copied(),
                    Observations::Vectors { .. } => None,
                })
                .max()
                .unwrap_or(0);
            let n_symbols = options.n_symbols.unwrap_or(largest + 1);
            if n_symbols > MAX_SYMBOLS {
                return Err(HmmError::Options {
                    what: "symbols",
                    problem: format!(
                        "the data holds symbol {largest}; at most {MAX_SYMBOLS} symbols are supported"
                    ),
                });
            }
            let probs = (0..n_states)
                .flat_map(|_| {
                    let row: Vec<f64> = (0..n_symbols).map(|_| rng.random::<f64>()).collect();
                    let total: f64 = row.iter().sum();
                    row.into_iter().map(move |p| p / total)
                })
                .collect();
            Emission::Categorical { n_symbols, probs }
        }
        Observations::Vectors { n_features: 0, .. } => {
            return Err(HmmError::Empty { what: "n_features" });
        }
        Observations::Vectors { n_features, .. } => {
            // Check first, so the k-means below only sees well-formed finite data.
            let probe = Emission::Gaussian {
                n_features: *n_features,
                means: vec![0.0; *n_features],
                variances: vec![1.0; *n_features],
            };
            data.iter().enumerate().try_for_each(|(k, x)| probe.check(k, x))?;
            let points: Vec<&[f64]> = data
                .iter()
                .flat_map(|x| match x {
                    Observations::Vectors { values, .. } => values.chunks_exact(*n_features),
                    Observations::Symbols(_) => unreachable!("checked above"),
                })
                .collect();
            let means = kmeans(&points, n_states, &mut rng);
            let variances = feature_variances(&points).repeat(n_states);
            Emission::Gaussian { n_features: *n_features, means, variances }
        }
    };
    Hmm::new(startprob, transmat, emission)
}

/// A draw from the flat Dirichlet over `n` outcomes.
fn dirichlet<R: Rng>(n: usize, rng: &mut R) -> Vec<f64> {
    let e: Vec<f64> = (0..n).map(|_| -(1.0 - rng.random::<f64>()).ln() + 1e-12).collect();
    let total: f64 = e.iter().sum();
    e.into_iter().map(|x| x / total).collect()
}

/// Squared Euclidean distance.
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `k` centres, flat: k-means++ seeding, then ten Lloyd iterations (an empty cluster keeps
/// its centre).
fn kmeans<R: Rng>(points: &[&[f64]], k: usize, rng: &mut R) -> Vec<f64> {
    let w = points[0].len();
    let mut centres: Vec<f64> = points[rng.random_range(0..points.len())].to_vec();
    let mut nearest: Vec<f64> = points.iter().map(|p| dist2(p, &centres[..w])).collect();
    while centres.len() < k * w {
        let total: f64 = nearest.iter().sum();
        let pick = if total > 0.0 {
            let mut u = rng.random::<f64>() * total;
            nearest.iter().position(|&d| {
                u -= d;
                u < 0.0
            })
        } else {
            None
        }
        .unwrap_or_else(|| rng.random_range(0..points.len()));
        let c = points[pick].to_vec();
        for (d, p) in nearest.iter_mut().zip(points) {
            *d = d.min(dist2(p, &c));
        }
        centres.extend(c);
    }
    let mut sums = vec![0.0; k * w];
    let mut counts = vec![0usize; k];
    for _ in 0..10 {
        sums.fill(0.0);
        counts.fill(0);
        for p in points {
            let c = (0..k)
                .min_by(|&a, &b| {
                    dist2(p, &centres[a * w..(a + 1) * w])
                        .total_cmp(&dist2(p, &centres[b * w..(b + 1) * w]))
                })
                .unwrap_or(0);
            counts[c] += 1;
            sums[c * w..(c + 1) * w].iter_mut().zip(*p).for_each(|(s, x)| *s += x);
        }
        for c in (0..k).filter(|&c| counts[c] > 0) {
            for f in 0..w {
                centres[c * w + f] = sums[c * w + f] / counts[c] as f64;
            }
        }
    }
    centres
}

/// The variance of each feature over all points (population), plus 1e-3.
fn feature_variances(points: &[&[f64]]) -> Vec<f64> {
    let w = points[0].len();
    let count = points.len() as f64;
    (0..w)
        .map(|f| {
            let mean = points.iter().map(|p| p[f]).sum::<f64>() / count;
            points.iter().map(|p| (p[f] - mean).powi(2)).sum::<f64>() / count + 1e-3
        })
        .collect()
}
