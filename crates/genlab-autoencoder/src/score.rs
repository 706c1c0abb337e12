//! Anomaly scores: the number that says how unlike the training data an item is, computed
//! from a trained model. Higher is more anomalous. Some scores are fitted on the normal items
//! first ([`Scorer::fit`]); all are deterministic given the seed.
//!
//! `x` is the item, `x̂` the model's reconstruction (a VAE's from its posterior mean), sums run
//! over every value of the item.
//!
//! - `loss`: the training loss, BCE or squared error, or a VAE's negative ELBO averaged over
//!   z draws.
//! - `squared`: `Σ (x - x̂)²`, the square of PyOD's Euclidean distance (same ranking).
//! - `relative`: `Σ (x - x̂)² / ‖x‖^p`, p = 1 unless `relative:P`. An item with little in it
//!   (a 1 has about half the ink of a 0) is rebuilt with a small error whether or not the model
//!   has seen its kind; dividing by its norm scores the error per unit of content instead.
//!   `relative:2` ranks as DAGMM's relative Euclidean distance `‖x - x̂‖ / ‖x‖` does (Zong et
//!   al., ICLR 2018, <https://openreview.net/forum?id=BJJLHbb0->).
//! - `cosine`: `1 - cos(x, x̂)`, DAGMM's other reconstruction feature.
//! - `robust-z`: every value's squared error as a robust z-score against the training items'
//!   errors at that value, `(e - median) / (1.4826 MAD + mean MAD)`, summed. The mean MAD in
//!   the denominator keeps values that never vary in training (blank pixels) from dominating.
//! - `recon-prob`: a VAE's reconstruction probability (An & Cho, 2015, "Variational
//!   autoencoder based anomaly detection using reconstruction probability"): `-log p(x|z)`
//!   averaged over z ~ q(z|x), the ELBO without its KL term.

use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::data::ImageData;
use crate::model::AeModel;

/// Which anomaly score (see the module documentation). Serialised by its name
/// (`"relative:1"`, `"cosine"`), as [`Score::parse`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Score {
    /// The training loss per item (a VAE's negative ELBO over z draws).
    Loss,
    /// Squared reconstruction error.
    Squared,
    /// Squared reconstruction error over the item's norm to the power `power`.
    Relative {
        /// The exponent of the norm (1 by default).
        power: f32,
    },
    /// One minus the cosine similarity of item and reconstruction.
    Cosine,
    /// Per-value robust z-scores of the squared error, summed.
    RobustZ,
    /// A VAE's reconstruction probability: -log p(x|z) over draws of z ~ q(z|x).
    ReconProb,
}

/// Why a score cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// The score needs something the model lacks (a posterior).
    #[error("{0}")]
    Unsupported(String),
    /// Bad parameters.
    #[error("{0}")]
    Invalid(String),
}

impl Score {
    /// The names [`Score::parse`] accepts, for messages.
    pub const NAMES: &str = "loss, squared, relative[:P], cosine, robust-z or recon-prob";

    /// Parses `loss`, `squared`, `relative`, `relative:P`, `cosine`, `robust-z`, `recon-prob`.
    pub fn parse(s: &str) -> Result<Self, ScoreError> {
        let score = match s {
            "loss" => Self::Loss,
            "squared" => Self::Squared,
            "relative" => Self::Relative { power: 1.0 },
            "cosine" => Self::Cosine,
            "robust-z" => Self::RobustZ,
            "recon-prob" => Self::ReconProb,
            other => match other.strip_prefix("relative:").map(str::parse::<f32>) {
                Some(Ok(power)) => Self::Relative { power },
                _ => {
                    return Err(ScoreError::Invalid(format!(
                        "unknown anomaly score {other:?}: expected {}",
                        Self::NAMES
                    )));
                }
            },
        };
        score.validate()?;
        Ok(score)
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), ScoreError> {
        if let Self::Relative { power } = self
            && !(power.is_finite() && (0.0..=4.0).contains(power))
        {
            return Err(ScoreError::Invalid(format!(
                "the relative score's power must be in [0, 4], got {power}"
            )));
        }
        Ok(())
    }

    /// The name as [`Score::parse`] reads it.
    pub fn name(&self) -> String {
        match self {
            Self::Loss => "loss".into(),
            Self::Squared => "squared".into(),
            Self::Relative { power } => format!("relative:{power}"),
            Self::Cosine => "cosine".into(),
            Self::RobustZ => "robust-z".into(),
            Self::ReconProb => "recon-prob".into(),
        }
    }
}

impl From<Score> for String {
    fn from(score: Score) -> Self {
        score.name()
    }
}

impl TryFrom<String> for Score {
    type Error = ScoreError;

    fn try_from(name: String) -> Result<Self, ScoreError> {
        Self::parse(&name)
    }
}

/// Median and scale of each value's training error, for `robust-z`.
#[derive(Debug, Clone)]
struct RobustStats {
    median: Vec<f32>,
    scale: Vec<f32>,
}

/// A score ready to use: checked against the model and fitted on the normal items.
#[derive(Debug, Clone)]
pub struct Scorer {
    score: Score,
    /// z draws for the scores that sample (a VAE's `loss` and `recon-prob`).
    draws: usize,
    robust: Option<RobustStats>,
}

const BATCH: usize = 256;

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32 values")
}

/// `[batch, c, h, w] -> [batch, n]`.
fn flat(x: Tensor<4>) -> Tensor<2> {
    x.flatten(1, 3)
}

/// `[batch, n] -> [batch]`: the sum over values.
fn row_sum(x: Tensor<2>) -> Tensor<1> {
    x.sum_dim(1).squeeze_dim(1)
}

impl Scorer {
    /// Checks that `model` can give `score` and fits what the score learns from the normal
    /// `train` items. `draws` is the number of z samples where the score samples (at least 1).
    pub fn fit(
        score: Score,
        model: &AeModel,
        train: &ImageData,
        draws: usize,
        device: &Device,
    ) -> Result<Self, ScoreError> {
        score.validate()?;
        if score == Score::ReconProb && !model.is_variational() {
            return Err(ScoreError::Unsupported(
                "the recon-prob score needs a VAE (vae or conv-vae): it averages -log p(x|z) over z ~ q(z|x)".into(),
            ));
        }
        if draws == 0 {
            return Err(ScoreError::Invalid("the number of z draws must be at least 1".into()));
        }
        let robust = (score == Score::RobustZ).then(|| robust_stats(model, train, device));
        Ok(Self { score, draws, robust })
    }

    /// The score.
    pub fn score(&self) -> Score {
        self.score
    }

    /// One score per item of `data`; z draws, where the score samples, seeded by `seed`.
    pub fn scores(
        &self,
        model: &AeModel,
        data: &ImageData,
        seed: u64,
        device: &Device,
    ) -> Vec<f32> {
        device.seed(seed);
        let mut out = Vec::with_capacity(data.len());
        for idx in crate::eval::batches(data.len(), BATCH) {
            let x = data.batch(&idx, device); // [batch, c, h, w]
            out.extend(to_vec(self.batch_scores(model, x)));
        }
        out
    }

    /// `[batch, c, h, w] -> [batch]`.
    fn batch_scores(&self, model: &AeModel, x: Tensor<4>) -> Tensor<1> {
        let mean_over_draws = |one: &dyn Fn() -> Tensor<1>| {
            let sum = (0..self.draws).map(|_| one()).reduce(|a, b| a + b).expect("draws >= 1");
            sum.div_scalar(self.draws as f32)
        };
        match self.score {
            Score::Loss if model.is_variational() => {
                mean_over_draws(&|| model.losses(x.clone(), x.clone()).per_item(1.0))
            }
            Score::Loss => model.losses(x.clone(), x).recon,
            Score::ReconProb => {
                let q = model.posterior(x.clone()).expect("checked in fit: a VAE");
                mean_over_draws(&|| {
                    let raw = model.decode_raw(q.sample()).expect("a VAE decodes");
                    model.nll(raw, x.clone())
                })
            }
            Score::Squared => row_sum(squared_errors(model, x)),
            Score::Relative { power } => {
                let error = row_sum(squared_errors(model, x.clone()));
                error / norm(flat(x)).powf_scalar(power)
            }
            Score::Cosine => {
                let (x, r) = (flat(x.clone()), flat(model.reconstruct(x)));
                let dot = row_sum(x.clone() * r.clone());
                (dot / (norm(x) * norm(r))).neg().add_scalar(1.0)
            }
            Score::RobustZ => {
                let stats = self.robust.as_ref().expect("fitted in fit");
                let device = x.device();
                let n = stats.median.len();
                let median =
                    Tensor::<1>::from_floats(stats.median.as_slice(), &device).reshape([1, n]);
                let scale =
                    Tensor::<1>::from_floats(stats.scale.as_slice(), &device).reshape([1, n]);
                row_sum((squared_errors(model, x) - median) / scale)
            }
        }
    }
}

/// `[batch, c, h, w] -> [batch, n]`: the squared error of every value.
fn squared_errors(model: &AeModel, x: Tensor<4>) -> Tensor<2> {
    flat(model.reconstruct(x.clone()) - x).powi_scalar(2)
}

/// `[batch, n] -> [batch]`: the Euclidean norm of each row, never below 1e-6 (a blank item
/// divides by that, not by zero).
fn norm(x: Tensor<2>) -> Tensor<1> {
    row_sum(x.powi_scalar(2)).sqrt().clamp_min(1e-6)
}

/// Per-value median and `1.4826 MAD + mean MAD` of the training items' squared errors.
fn robust_stats(model: &AeModel, train: &ImageData, device: &Device) -> RobustStats {
    let n: usize = train.shape.iter().product();
    let errors = crate::eval::reconstruction_errors(model, train, BATCH, device);
    let items = errors.len() / n;
    let mut column = vec![0.0f32; items];
    let (mut median, mut mad) = (vec![0.0f32; n], vec![0.0f32; n]);
    for v in 0..n {
        for (i, c) in column.iter_mut().enumerate() {
            *c = errors[i * n + v];
        }
        median[v] = median_of(&mut column);
        for c in column.iter_mut() {
            *c = (*c - median[v]).abs();
        }
        mad[v] = median_of(&mut column);
    }
    let mean_mad = mad.iter().sum::<f32>() / n as f32;
    // A model that rebuilds its training items exactly has no spread at all: fall back to 1.
    let floor = if mean_mad > 0.0 { mean_mad } else { 1.0 };
    let scale = mad.iter().map(|m| 1.4826 * m + floor).collect();
    RobustStats { median, scale }
}

/// The median (upper of the two middle values for an even count); reorders `v`.
fn median_of(v: &mut [f32]) -> f32 {
    let mid = v.len() / 2;
    *v.select_nth_unstable_by(mid, f32::total_cmp).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_parse_by_name_and_reject_nonsense() {
        assert_eq!(Score::parse("relative").unwrap(), Score::Relative { power: 1.0 });
        assert_eq!(Score::parse("relative:2").unwrap(), Score::Relative { power: 2.0 });
        assert_eq!(Score::parse("robust-z").unwrap(), Score::RobustZ);
        for s in [Score::Loss, Score::Squared, Score::Cosine, Score::ReconProb] {
            assert_eq!(Score::parse(&s.name()).unwrap(), s);
        }
        assert!(Score::parse("relative:-1").unwrap_err().to_string().contains("[0, 4]"));
        assert!(Score::parse("relative:nan").is_err());
        assert!(Score::parse("l2").unwrap_err().to_string().contains("recon-prob"));
        // JSON carries the name.
        let json = serde_json::to_string(&Score::Relative { power: 1.5 }).unwrap();
        assert_eq!(json, "\"relative:1.5\"");
        assert_eq!(serde_json::from_str::<Score>(&json).unwrap(), Score::Relative { power: 1.5 });
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median_of(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_of(&mut [4.0, 1.0, 3.0, 2.0]), 3.0);
    }
}
