//! Ranking and thresholded metrics for binary scores, where a higher score means "more
//! positive" (more anomalous, for an anomaly detector).
//!
//! [`auroc`] and [`average_precision`] give the same numbers as scikit-learn's `roc_auc_score`
//! and `average_precision_score`, ties included.

use serde::Serialize;

use crate::EvalError;

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative, a tie counting one half.
///
/// Computed with the Mann-Whitney U statistic on average ranks, which equals the trapezoidal
/// area under the ROC curve (scikit-learn's `roc_auc_score`):
/// `AUROC = (R₊ − P(P+1)/2) / (P·N)`, where `R₊` is the sum of the positives' ranks (ties get
/// the mean of the ranks they span), `P` the number of positives and `N` of negatives.
///
/// ```
/// # use genlab_eval::auroc;
/// let auc = auroc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap();
/// assert_eq!(auc, 0.75);
/// ```
///
/// # Errors
/// Lengths differ, a score is NaN, or there is no positive or no negative label.
/// Infinite scores are fine: they are ordered like any other.
pub fn auroc(scores: &[f32], labels: &[bool]) -> Result<f64, EvalError> {
    let (positives, negatives) = check_inputs("auroc", scores, labels)?;
    if positives == 0 || negatives == 0 {
        return Err(missing_class("auroc", positives, negatives));
    }
    let order = sorted_indices(scores, false);
    // Sum of the positives' ranks (1-based, ascending score). A run of tied scores at
    // positions start..end shares the average rank (start + 1 + end) / 2; ranks are
    // half-integers, so the f64 sum is exact.
    let (mut rank_sum, mut start) = (0.0f64, 0usize);
    for run in tied_runs(scores, &order) {
        let end = start + run.len();
        let pos_in_run = run.iter().filter(|&&i| labels[i]).count();
        rank_sum += pos_in_run as f64 * (start + 1 + end) as f64 / 2.0;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Ok((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Average precision: the area under the precision-recall curve as a step function,
/// `AP = Σₖ (Rₖ − Rₖ₋₁) · Pₖ` over the distinct score thresholds from highest to lowest
/// (scikit-learn's `average_precision_score`; no interpolation). Tied scores enter together.
///
/// ```
/// # use genlab_eval::average_precision;
/// let ap = average_precision(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap();
/// assert!((ap - 5.0 / 6.0).abs() < 1e-12);
/// ```
///
/// # Errors
/// Lengths differ, a score is NaN, or there is no positive label (negatives may be absent:
/// the precision is then 1 everywhere).
pub fn average_precision(scores: &[f32], labels: &[bool]) -> Result<f64, EvalError> {
    let (positives, negatives) = check_inputs("average_precision", scores, labels)?;
    if positives == 0 {
        return Err(missing_class("average_precision", positives, negatives));
    }
    let order = sorted_indices(scores, true);
    let (mut tp, mut fp, mut ap) = (0usize, 0usize, 0.0f64);
    for run in tied_runs(scores, &order) {
        let new_tp = run.iter().filter(|&&i| labels[i]).count();
        tp += new_tp;
        fp += run.len() - new_tp;
        let precision = tp as f64 / (tp + fp) as f64;
        ap += new_tp as f64 / positives as f64 * precision;
    }
    Ok(ap)
}

/// Counts and metrics of a binary decision `score > threshold` against the true labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryReport {
    /// Scores strictly above this are predicted positive (anomalous).
    pub threshold: f32,
    /// Positives predicted positive.
    pub tp: usize,
    /// Negatives predicted positive (false alarms).
    pub fp: usize,
    /// Negatives predicted negative.
    pub tn: usize,
    /// Positives predicted negative (misses). Serialised as `fn`.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// `tp / (tp + fp)`; 0 when nothing is predicted positive (scikit-learn's zero_division=0).
    pub precision: f64,
    /// `tp / (tp + fn)`, the detection rate.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
    /// Threshold-free ranking quality, see [`auroc`].
    pub auroc: f64,
    /// Threshold-free ranking quality, see [`average_precision`].
    pub average_precision: f64,
}

/// Confusion counts, precision, recall and F1 at `threshold` (predicted positive means
/// `score > threshold`), together with the threshold-free [`auroc`] and [`average_precision`].
///
/// # Errors
/// As [`auroc`]: lengths differ, a NaN score, or only one class present.
pub fn binary_report(
    scores: &[f32],
    labels: &[bool],
    threshold: f32,
) -> Result<BinaryReport, EvalError> {
    let auroc = auroc(scores, labels)?;
    let average_precision = average_precision(scores, labels)?;
    let (mut tp, mut fp, mut tn, mut fn_) = (0, 0, 0, 0);
    for (&s, &y) in scores.iter().zip(labels) {
        match (s > threshold, y) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, false) => tn += 1,
            (false, true) => fn_ += 1,
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Ok(BinaryReport { threshold, tp, fp, tn, fn_, precision, recall, f1, auroc, average_precision })
}

/// Checks lengths and NaNs; returns (positives, negatives).
fn check_inputs(
    what: &'static str,
    scores: &[f32],
    labels: &[bool],
) -> Result<(usize, usize), EvalError> {
    if scores.len() != labels.len() {
        return Err(EvalError::LengthMismatch { what, left: scores.len(), right: labels.len() });
    }
    if let Some(index) = scores.iter().position(|s| s.is_nan()) {
        return Err(EvalError::BadValue { what, index, value: scores[index] });
    }
    let positives = labels.iter().filter(|&&y| y).count();
    Ok((positives, labels.len() - positives))
}

fn missing_class(what: &'static str, positives: usize, negatives: usize) -> EvalError {
    let missing = if positives == 0 { "positive" } else { "negative" };
    EvalError::MissingClass { what, missing, positives, negatives }
}

/// Indices of `scores` sorted ascending (or descending). Scores must not be NaN.
fn sorted_indices(scores: &[f32], descending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        let o = scores[a].partial_cmp(&scores[b]).expect("NaN scores are rejected earlier");
        if descending { o.reverse() } else { o }
    });
    order
}

/// Splits `order` into runs of equal scores (`-0.0 == 0.0`).
fn tied_runs<'a>(scores: &'a [f32], order: &'a [usize]) -> impl Iterator<Item = &'a [usize]> {
    order.chunk_by(move |&a, &b| scores[a] == scores[b])
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: bool = false;
    const T: bool = true;

    #[test]
    fn auroc_hand_computed_cases() {
        // One of the four (positive, negative) pairs is misordered: 0.35 < 0.4.
        assert_eq!(auroc(&[0.1, 0.4, 0.35, 0.8], &[F, F, T, T]).unwrap(), 0.75);
        assert_eq!(auroc(&[0.1, 0.2, 0.3, 0.4], &[F, F, T, T]).unwrap(), 1.0);
        assert_eq!(auroc(&[0.4, 0.3, 0.2, 0.1], &[F, F, T, T]).unwrap(), 0.0);
        assert_eq!(auroc(&[0.5; 6], &[F, T, F, T, T, F]).unwrap(), 0.5);
    }

    #[test]
    fn auroc_ties_match_sklearn() {
        // sklearn.metrics.roc_auc_score(y, s) == 0.53125: 16 pairs, 6 won and 5 tied.
        let s = [0.5, 0.5, 0.2, 0.9, 0.2, 0.7, 0.5, 0.5];
        let y = [F, T, F, T, T, F, F, T];
        assert_eq!(auroc(&s, &y).unwrap(), 0.53125);
        // Flipping the labels mirrors the area.
        let flipped: Vec<bool> = y.iter().map(|v| !v).collect();
        assert_eq!(auroc(&s, &flipped).unwrap(), 1.0 - 0.53125);
        // -0.0 and 0.0 are the same score, a tie.
        assert_eq!(auroc(&[-0.0, 0.0], &[F, T]).unwrap(), 0.5);
        // Infinite scores are ordered normally.
        assert_eq!(auroc(&[f32::NEG_INFINITY, f32::INFINITY], &[F, T]).unwrap(), 1.0);
    }

    #[test]
    fn auroc_rejects_bad_input() {
        assert!(matches!(auroc(&[0.1, 0.2], &[T]), Err(EvalError::LengthMismatch { .. })));
        assert!(matches!(
            auroc(&[0.1, 0.2], &[T, T]),
            Err(EvalError::MissingClass { missing: "negative", .. })
        ));
        assert!(matches!(
            auroc(&[0.1, 0.2], &[F, F]),
            Err(EvalError::MissingClass { missing: "positive", .. })
        ));
        assert!(matches!(auroc(&[], &[]), Err(EvalError::MissingClass { .. })));
        assert!(matches!(
            auroc(&[0.1, f32::NAN, 0.3], &[F, T, T]),
            Err(EvalError::BadValue { index: 1, .. })
        ));
    }

    #[test]
    fn average_precision_matches_sklearn() {
        // The example in sklearn's average_precision_score docs: 0.8333...
        let ap = average_precision(&[0.1, 0.4, 0.35, 0.8], &[F, F, T, T]).unwrap();
        assert!((ap - 5.0 / 6.0).abs() < 1e-12, "{ap}");
        // With ties: sklearn gives 0.625 (tied scores enter the curve together).
        let s = [0.5, 0.5, 0.2, 0.9, 0.2, 0.7, 0.5, 0.5];
        let y = [F, T, F, T, T, F, F, T];
        assert_eq!(average_precision(&s, &y).unwrap(), 0.625);
        // Perfect ranking, and no negatives at all: precision is 1 throughout.
        assert_eq!(average_precision(&[0.1, 0.2, 0.9], &[F, T, T]).unwrap(), 1.0);
        assert_eq!(average_precision(&[0.1, 0.2], &[T, T]).unwrap(), 1.0);
        // All tied: the base rate.
        assert_eq!(average_precision(&[0.3; 4], &[T, F, F, F]).unwrap(), 0.25);
        assert!(matches!(
            average_precision(&[0.1, 0.2], &[F, F]),
            Err(EvalError::MissingClass { .. })
        ));
    }

    #[test]
    fn binary_report_counts_and_ratios() {
        let s = [0.1, 0.4, 0.35, 0.8, 0.6, 0.2];
        let y = [F, F, T, T, F, T];
        // score > 0.35: 0.4 (fp), 0.8 (tp), 0.6 (fp); 0.35 itself is not above.
        let r = binary_report(&s, &y, 0.35).unwrap();
        assert_eq!((r.tp, r.fp, r.tn, r.fn_), (1, 2, 1, 2));
        assert_eq!(r.threshold, 0.35);
        assert!((r.precision - 1.0 / 3.0).abs() < 1e-12);
        assert!((r.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((r.f1 - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.auroc, auroc(&s, &y).unwrap());
        assert_eq!(r.average_precision, average_precision(&s, &y).unwrap());
        // Nothing flagged: precision and F1 are 0, not NaN.
        let none = binary_report(&s, &y, 1.0).unwrap();
        assert_eq!((none.tp, none.fp, none.tn, none.fn_), (0, 0, 3, 3));
        assert_eq!((none.precision, none.recall, none.f1), (0.0, 0.0, 0.0));
    }
}
