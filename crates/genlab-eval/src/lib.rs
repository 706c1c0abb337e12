//! Evaluation shared by genlab's model crates. The metrics work on plain `&[f32]` scores,
//! features and `&[bool]` labels (no tensors), so they can be used and tested on their own,
//! and the crate builds without burn. Only `classifier`, the small digit classifier whose
//! features FID is computed in, uses burn; it is behind the `classifier` feature.
//!
//! * [`classification`]: ranking metrics for anomaly detection and binary classifiers:
//!   [`auroc`] and [`average_precision`] (the same numbers as scikit-learn's `roc_auc_score` and
//!   `average_precision_score`), and a [`BinaryReport`] at a fixed threshold.
//! * [`threshold`]: [`percentile`] (numpy's default linear interpolation) and
//!   [`threshold_for_contamination`], the usual way to turn "about 5 % of the data is
//!   anomalous" into a score threshold.
//! * [`image_quality`]: [`mse`] and [`psnr`] for reconstructions and denoisers.
//! * [`fid`](mod@fid): [`fid`](fn@fid) and [`frechet_distance`] between Gaussians fitted to
//!   feature sets ([`fit_gaussian`]; pytorch-fid's formula with a stable symmetric matrix
//!   square root), and the [`inception_score`].
//! * [`segmentation`]: the pix2pix paper's translation scores on class maps: per-pixel and
//!   per-class accuracy and class IoU ([`segmentation_scores`], the FCN-score once a segmenter
//!   has read the generated pictures), and a generated map's [`palette_accuracy`].
//! * [`histogram`]: [`score_histogram_png`], overlaid score histograms of normal and anomalous
//!   examples with the threshold drawn in, rendered without any plotting library.
//!
//! ```
//! use genlab_eval::{auroc, binary_report, threshold_for_contamination};
//!
//! let train = [0.1, 0.2, 0.15, 0.3, 0.25, 0.12, 0.18, 0.22, 0.2, 0.9];
//! let threshold = threshold_for_contamination(&train, 0.1).unwrap();
//! let scores = [0.1, 0.4, 0.35, 0.8];
//! let labels = [false, false, true, true];
//! assert_eq!(auroc(&scores, &labels).unwrap(), 0.75);
//! let report = binary_report(&scores, &labels, threshold).unwrap();
//! assert_eq!((report.tp, report.fp), (1, 1)); // threshold 0.36: 0.4 and 0.8 are flagged
//! ```

pub mod classification;
#[cfg(feature = "classifier")]
pub mod classifier;
mod error;
pub mod fid;
pub mod histogram;
pub mod image_quality;
pub mod linalg;
pub mod segmentation;
#[cfg(feature = "classifier")]
pub mod segmenter;
pub mod threshold;

pub use classification::{BinaryReport, auroc, average_precision, binary_report};
pub use error::EvalError;
pub use fid::{GaussianFit, fid, fit_gaussian, frechet_distance, inception_score};
pub use histogram::{render_score_histogram, score_histogram_png};
pub use image_quality::{mse, psnr};
pub use segmentation::{
    SegmentationScores, palette_accuracy, segmentation_scores, snap_to_palette,
};
pub use threshold::{percentile, threshold_for_contamination};
