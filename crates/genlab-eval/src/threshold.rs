//! Percentiles and the contamination threshold of an anomaly detector.

use crate::EvalError;

/// The `q`-th percentile (0 ≤ q ≤ 100) of `values`, with numpy's default (`method="linear"`)
/// interpolation: sort, take the virtual index `(n − 1)·q/100` and interpolate linearly
/// between its two neighbours. Returns NaN when any value is NaN, as numpy does.
///
/// ```
/// # use genlab_eval::percentile;
/// assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
/// assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 100.0), 4.0);
/// ```
///
/// # Panics
/// If `values` is empty or `q` is not within `[0, 100]` (a programming error; user-facing
/// code should go through [`threshold_for_contamination`], which validates).
pub fn percentile(values: &[f32], q: f64) -> f32 {
    assert!(!values.is_empty(), "percentile of an empty slice");
    assert!((0.0..=100.0).contains(&q), "percentile q = {q} is not within [0, 100]");
    if values.iter().any(|v| v.is_nan()) {
        return f32::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f32::total_cmp);
    let virtual_index = (sorted.len() - 1) as f64 * (q / 100.0);
    let below = virtual_index.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let (a, b) = (sorted[below] as f64, sorted[above] as f64);
    let t = virtual_index - below as f64;
    // numpy's `_lerp`: interpolate from the nearer end, so that t = 1 gives b exactly.
    let value = if t < 0.5 { a + (b - a) * t } else { b - (b - a) * (1.0 - t) };
    value as f32
}

/// The score threshold that flags a fraction `contamination` of the training scores as
/// anomalous: the `100·(1 − contamination)`-th [`percentile`] of `train_scores` (PyOD's
/// `threshold_` convention). Scores strictly above it count as anomalous.
///
/// ```
/// # use genlab_eval::threshold_for_contamination;
/// let train: Vec<f32> = (0..=100).map(|i| i as f32).collect();
/// assert_eq!(threshold_for_contamination(&train, 0.05).unwrap(), 95.0);
/// ```
///
/// # Errors
/// `contamination` not in `(0, 0.5]`, no training scores, or a NaN score.
pub fn threshold_for_contamination(
    train_scores: &[f32],
    contamination: f64,
) -> Result<f32, EvalError> {
    if !(contamination > 0.0 && contamination <= 0.5) {
        return Err(EvalError::OutOfRange {
            name: "contamination",
            value: contamination,
            expected: "a fraction in (0, 0.5]",
        });
    }
    if train_scores.is_empty() {
        return Err(EvalError::Empty { what: "threshold_for_contamination" });
    }
    if let Some(index) = train_scores.iter().position(|s| s.is_nan()) {
        return Err(EvalError::BadValue {
            what: "threshold_for_contamination",
            index,
            value: train_scores[index],
        });
    }
    Ok(percentile(train_scores, 100.0 * (1.0 - contamination)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_matches_numpy() {
        // np.percentile(v, q) on float64 copies of these float32 values.
        let v = [3.5, -1.0, 2.0, 7.25, 0.0, 2.0, 10.0];
        let expected = [
            (0.0, -1.0),
            (10.0, -0.4),
            (25.0, 1.0),
            (50.0, 2.0),
            (62.5, 3.125),
            (90.0, 8.35),
            (99.0, 9.835),
            (100.0, 10.0),
        ];
        for (q, want) in expected {
            let got = percentile(&v, q);
            assert!((got - want).abs() <= 1e-6 * want.abs().max(1.0), "q={q}: {got} vs {want}");
        }
        assert_eq!(percentile(&[42.0], 37.0), 42.0);
        assert!(percentile(&[1.0, f32::NAN], 50.0).is_nan());
    }

    #[test]
    #[should_panic(expected = "not within [0, 100]")]
    fn percentile_panics_outside_range() {
        percentile(&[1.0], 101.0);
    }

    #[test]
    fn contamination_threshold() {
        let train: Vec<f32> = (1..=10).map(|i| i as f32).collect();
        // 90th percentile of 1..=10: virtual index 8.1 -> 9.1.
        let t = threshold_for_contamination(&train, 0.1).unwrap();
        assert!((t - 9.1).abs() < 1e-6, "{t}");
        assert_eq!(train.iter().filter(|&&s| s > t).count(), 1);
        assert_eq!(threshold_for_contamination(&train, 0.5).unwrap(), 5.5);
        for bad in [0.0, -0.1, 0.51, f64::NAN] {
            assert!(matches!(
                threshold_for_contamination(&train, bad),
                Err(EvalError::OutOfRange { .. })
            ));
        }
        assert!(matches!(threshold_for_contamination(&[], 0.1), Err(EvalError::Empty { .. })));
        assert!(matches!(
            threshold_for_contamination(&[1.0, f32::NAN], 0.1),
            Err(EvalError::BadValue { index: 1, .. })
        ));
    }
}
