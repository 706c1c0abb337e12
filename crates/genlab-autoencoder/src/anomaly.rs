//! Anomaly detection by reconstruction: train on normal data only, score each item by how
//! badly the model rebuilds it (a [`Score`]: by default for images the squared error per unit
//! of the item's norm), set the threshold at a percentile of the training scores (the expected
//! contamination rate), and report AUROC, precision, recall and F1 with a score histogram.

use std::path::Path;

use burn::tensor::Device;
use genlab_data::sensors::{SensorSeries, Windows};
use genlab_eval::{BinaryReport, EvalError, binary_report, score_histogram_png};
use serde::Serialize;

use crate::data::ImageData;
use crate::loss::ReconLoss;
use crate::model::AeModel;
use crate::score::{Score, ScoreError, Scorer};

/// Why detection could not run.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// The score does not fit the model or its parameters are wrong.
    #[error(transparent)]
    Score(#[from] ScoreError),
    /// A metric or figure failed (no anomalies among the labels, a bad score, a write error).
    #[error(transparent)]
    Eval(#[from] EvalError),
}

/// How to score and where to put the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DetectOptions {
    /// The anomaly score.
    pub score: Score,
    /// Share of training items allowed above the threshold, in (0, 0.5].
    pub contamination: f64,
    /// z draws for the scores that sample (a VAE's `loss` and `recon-prob`).
    pub draws: usize,
    /// Seed of those draws.
    pub seed: u64,
}

impl DetectOptions {
    /// `score` with a 5% contamination, 4 z draws and seed 1.
    pub fn new(score: Score) -> Self {
        Self { score, contamination: 0.05, draws: 4, seed: 1 }
    }

    /// The default detector's score: for images the squared error per unit of the item's norm
    /// (`relative`), which lifts MNIST one-class-out from 0.79 to 0.83 mean AUROC; for sensor
    /// windows, normalised per channel so that a window's norm says nothing about its content,
    /// the plain squared error. docs/autoencoders.md has the ablation.
    pub fn default_score(images: bool) -> Score {
        if images { Score::Relative { power: 1.0 } } else { Score::Squared }
    }
}

/// The reconstruction loss the detector trains with: squared error. BCE, the usual loss for
/// pixels, left MNIST one-class-out at 0.71 mean AUROC against 0.79 with squared error.
pub const DETECT_LOSS: ReconLoss = ReconLoss::Mse;

/// The outcome of scoring a test set.
#[derive(Debug, Clone, Serialize)]
pub struct DetectionReport {
    /// How the items were scored.
    pub options: DetectOptions,
    /// AUROC, threshold, confusion counts, precision, recall, F1, average precision.
    pub metrics: BinaryReport,
    /// Test items scored.
    pub items: usize,
    /// Of which anomalous.
    pub anomalies: usize,
}

/// Fits the score on `train` and scores it (to calibrate) and `test`, thresholds at the
/// `contamination` percentile of the training scores, and measures against `labels` (true =
/// anomaly). Writes the score histogram to `histogram` when given.
pub fn detect(
    model: &AeModel,
    train: &ImageData,
    test: &ImageData,
    labels: &[bool],
    options: &DetectOptions,
    histogram: Option<&Path>,
    device: &Device,
) -> Result<(DetectionReport, Vec<f32>), DetectError> {
    let scorer = Scorer::fit(options.score, model, train, options.draws, device)?;
    let train_scores = scorer.scores(model, train, options.seed, device);
    let threshold = genlab_eval::threshold_for_contamination(&train_scores, options.contamination)?;
    let scores = scorer.scores(model, test, options.seed ^ 1, device);
    let metrics = binary_report(&scores, labels, threshold)?;
    if let Some(path) = histogram {
        let (normal, anomalous) = split_by_label(&scores, labels);
        score_histogram_png(&normal, &anomalous, Some(threshold), path)?;
    }
    let report = DetectionReport {
        options: *options,
        metrics,
        items: test.len(),
        anomalies: labels.iter().filter(|&&l| l).count(),
    };
    Ok((report, scores))
}

/// Scores of the normal items and of the anomalies, in that order (for histograms).
pub fn split_by_label(scores: &[f32], labels: &[bool]) -> (Vec<f32>, Vec<f32>) {
    let (mut normal, mut anomalous) = (Vec::new(), Vec::new());
    for (&s, &l) in scores.iter().zip(labels) {
        if l { anomalous.push(s) } else { normal.push(s) }
    }
    (normal, anomalous)
}

/// Sensor windows as autoencoder items of shape `[channels, 1, width]`.
pub fn windows_as_items(windows: &Windows) -> ImageData {
    ImageData::new([windows.channels, 1, windows.width], windows.data.clone(), None)
}

/// Channels and length of a series, for messages.
pub fn describe(series: &SensorSeries) -> String {
    format!(
        "{} channels × {} steps, {} faults ({} faulty steps)",
        series.channels,
        series.len,
        series.faults.len(),
        series.labels.iter().filter(|&&l| l).count()
    )
}

/// A score per time step of a windowed series: at each step, the squared reconstruction error
/// summed over channels, averaged over every window that covers the step. `errors` holds the
/// windows' per-value errors (`[window][channel][step in window]`, from
/// [`crate::eval::reconstruction_errors`]); windows start at `0, stride, 2 stride, ...`. Steps
/// no window covers (a short tail) get `None`.
pub fn step_scores(
    errors: &[f32],
    channels: usize,
    width: usize,
    stride: usize,
    len: usize,
) -> Vec<Option<f32>> {
    let per_window = channels * width;
    let mut sum = vec![0.0f64; len];
    let mut count = vec![0u32; len];
    for (w, window) in errors.chunks_exact(per_window).enumerate() {
        let start = w * stride;
        for i in 0..width.min(len.saturating_sub(start)) {
            let e: f32 = (0..channels).map(|c| window[c * width + i]).sum();
            sum[start + i] += e as f64;
            count[start + i] += 1;
        }
    }
    sum.iter().zip(&count).map(|(&s, &c)| (c > 0).then(|| (s / c as f64) as f32)).collect()
}

/// Detection per time step of a windowed series: scores, labels, threshold and figures.
#[derive(Debug, Clone)]
pub struct StepDetection {
    /// AUROC, precision, recall and F1 over the steps some window covers.
    pub report: BinaryReport,
    /// The score of each covered step of the test series.
    pub scores: Vec<f32>,
    /// Whether each of those steps is faulty.
    pub labels: Vec<bool>,
    /// The threshold: the `contamination` percentile of the normal series' step scores.
    pub threshold: f32,
}

/// Per-time-step detection: each step's score is the mean error of the windows covering it
/// ([`step_scores`]), thresholded at the `contamination` percentile of the normal series'
/// step scores, and judged against the test series' per-step labels. `train` and `test` are
/// the series' windows (width `width`, every `stride` steps) as items.
#[allow(clippy::too_many_arguments)]
pub fn detect_steps(
    model: &AeModel,
    train: &ImageData,
    test: &ImageData,
    train_series: &SensorSeries,
    test_series: &SensorSeries,
    width: usize,
    stride: usize,
    contamination: f64,
    device: &Device,
) -> Result<StepDetection, EvalError> {
    let steps = |items: &ImageData, series: &SensorSeries| {
        let errors = crate::eval::reconstruction_errors(model, items, 256, device);
        step_scores(&errors, series.channels, width, stride, series.len)
    };
    let normal: Vec<f32> = steps(train, train_series).into_iter().flatten().collect();
    let threshold = genlab_eval::threshold_for_contamination(&normal, contamination)?;
    let (mut scores, mut labels) = (Vec::new(), Vec::new());
    for (s, &l) in steps(test, test_series).into_iter().zip(&test_series.labels) {
        if let Some(s) = s {
            scores.push(s);
            labels.push(l);
        }
    }
    let report = binary_report(&scores, &labels, threshold)?;
    Ok(StepDetection { report, scores, labels, threshold })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_scores_average_the_covering_windows() {
        // Two windows of width 3, stride 2, one channel, over 5 steps: step 2 is in both.
        let errors = [1.0, 2.0, 3.0, 5.0, 7.0, 9.0];
        let s = step_scores(&errors, 1, 3, 2, 6);
        assert_eq!(s, vec![Some(1.0), Some(2.0), Some(4.0), Some(7.0), Some(9.0), None]);
        // Channels are summed.
        let s = step_scores(&[1.0, 2.0, 10.0, 20.0], 2, 2, 2, 2);
        assert_eq!(s, vec![Some(11.0), Some(22.0)]);
    }
}
