//! The scores of the pix2pix paper's translation tables (Isola et al., 2017, Table 2 and 5),
//! on plain class maps: per-pixel accuracy, mean per-class accuracy and mean class IoU of a
//! predicted class map against the true one (the FCN-score, when the prediction is a
//! segmenter's reading of a generated picture), and the palette accuracy of a generated map.

use serde::Serialize;

use crate::EvalError;

/// How well a class map matches the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentationScores {
    /// Share of pixels whose class is right.
    pub pixel_accuracy: f64,
    /// Mean over the classes present in the truth of the share of their pixels found.
    pub mean_class_accuracy: f64,
    /// Mean over the classes present in the truth or the prediction of intersection over
    /// union.
    pub mean_iou: f64,
    /// Per class: accuracy (None where the truth has none of it).
    pub class_accuracy: Vec<Option<f64>>,
    /// Per class: IoU (None where neither map has it).
    pub class_iou: Vec<Option<f64>>,
}

/// Scores `predicted` against `truth`, class maps of the same length with ids below `classes`.
pub fn segmentation_scores(
    predicted: &[u8],
    truth: &[u8],
    classes: usize,
) -> Result<SegmentationScores, EvalError> {
    if predicted.len() != truth.len() {
        return Err(EvalError::LengthMismatch {
            what: "segmentation scores: predicted and true class maps",
            left: predicted.len(),
            right: truth.len(),
        });
    }
    if truth.is_empty() {
        return Err(EvalError::Empty { what: "segmentation scores" });
    }
    // confusion[t * classes + p]: pixels of true class t predicted as p.
    let mut confusion = vec![0u64; classes * classes];
    for (index, (&p, &t)) in predicted.iter().zip(truth).enumerate() {
        let (p, t) = (p as usize, t as usize);
        if p >= classes || t >= classes {
            return Err(EvalError::BadValue {
                what: "segmentation scores: a class id beyond the classes",
                index,
                value: p.max(t) as f32,
            });
        }
        confusion[t * classes + p] += 1;
    }
    let row = |t: usize| (0..classes).map(|p| confusion[t * classes + p]).sum::<u64>();
    let col = |p: usize| (0..classes).map(|t| confusion[t * classes + p]).sum::<u64>();
    let hits: u64 = (0..classes).map(|c| confusion[c * classes + c]).sum();
    let class_accuracy: Vec<Option<f64>> = (0..classes)
        .map(|c| (row(c) > 0).then(|| confusion[c * classes + c] as f64 / row(c) as f64))
        .collect();
    let class_iou: Vec<Option<f64>> = (0..classes)
        .map(|c| {
            let union = row(c) + col(c) - confusion[c * classes + c];
            (union > 0).then(|| confusion[c * classes + c] as f64 / union as f64)
        })
        .collect();
    let mean = |v: &[Option<f64>]| {
        let present: Vec<f64> = v.iter().flatten().copied().collect();
        present.iter().sum::<f64>() / present.len().max(1) as f64
    };
    Ok(SegmentationScores {
        pixel_accuracy: hits as f64 / truth.len() as f64,
        mean_class_accuracy: mean(&class_accuracy),
        mean_iou: mean(&class_iou),
        class_accuracy,
        class_iou,
    })
}

/// Each pixel of a planar RGB image `[3, h, w]` snapped to its nearest `palette` colour
/// (squared distance): the colour's index.
pub fn snap_to_palette(image: &[f32], palette: &[[f32; 3]]) -> Vec<u8> {
    let hw = image.len() / 3;
    (0..hw)
        .map(|i| {
            let px = [image[i], image[hw + i], image[2 * hw + i]];
            let dist = |c: &[f32; 3]| (0..3).map(|k| (px[k] - c[k]).powi(2)).sum::<f32>();
            (0..palette.len())
                .min_by(|&a, &b| dist(&palette[a]).total_cmp(&dist(&palette[b])))
                .unwrap_or(0) as u8
        })
        .collect()
}

/// The pix2pix paper's map score: the share of pixels where the generated map, snapped to the
/// map `palette`, shows the true map's colour (also snapped). Both are planar RGB, the same
/// size.
pub fn palette_accuracy(
    generated: &[f32],
    truth: &[f32],
    palette: &[[f32; 3]],
) -> Result<f64, EvalError> {
    if generated.len() != truth.len() {
        return Err(EvalError::LengthMismatch {
            what: "palette accuracy: generated and true maps",
            left: generated.len(),
            right: truth.len(),
        });
    }
    if truth.is_empty() || palette.is_empty() {
        return Err(EvalError::Empty { what: "palette accuracy" });
    }
    let (g, t) = (snap_to_palette(generated, palette), snap_to_palette(truth, palette));
    Ok(g.iter().zip(&t).filter(|(a, b)| a == b).count() as f64 / t.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_truth_scores_one_and_a_constant_the_majority_share() {
        let truth = [0u8, 0, 0, 1, 1, 2, 0, 0, 1, 2];
        let perfect = segmentation_scores(&truth, &truth, 4).unwrap();
        assert_eq!(
            (perfect.pixel_accuracy, perfect.mean_class_accuracy, perfect.mean_iou),
            (1.0, 1.0, 1.0)
        );
        assert_eq!(perfect.class_accuracy[3], None);
        // Everything called class 0: accuracy is class 0's share; it finds all of 0 and none
        // of the rest; IoU of 0 is its share too.
        let constant = segmentation_scores(&[0; 10], &truth, 4).unwrap();
        assert_eq!(constant.pixel_accuracy, 0.5);
        assert_eq!(constant.mean_class_accuracy, 1.0 / 3.0);
        assert_eq!(constant.class_iou[0], Some(0.5));
        assert_eq!(constant.mean_iou, 0.5 / 3.0);
        assert!(segmentation_scores(&[0; 9], &truth, 4).is_err());
        assert!(segmentation_scores(&[5; 10], &truth, 4).is_err());
        assert!(segmentation_scores(&[], &[], 4).is_err());
    }

    #[test]
    fn palette_accuracy_snaps_before_comparing() {
        let palette = [[1.0, 1.0, 1.0], [0.0, 0.0, 1.0]];
        // Two pixels, planar: white and blue.
        let truth = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        assert_eq!(palette_accuracy(&truth, &truth, &palette).unwrap(), 1.0);
        // Off-white and a bluish grey: still white and blue.
        let close = [0.9, 0.2, 0.92, 0.25, 0.95, 0.8];
        assert_eq!(palette_accuracy(&close, &truth, &palette).unwrap(), 1.0);
        let wrong = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0];
        assert_eq!(palette_accuracy(&wrong, &truth, &palette).unwrap(), 0.5);
        assert!(palette_accuracy(&truth[..3], &truth, &palette).is_err());
    }
}
