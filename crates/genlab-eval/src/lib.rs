//! Evaluation metrics shared by genlab's model crates (no tensors, no burn): everything works
//! on plain `&[f32]` scores and `&[bool]` labels, so it can be used and tested on its own.
//!
//! * [`classification`]: ranking metrics for anomaly detection and binary classifiers:
//!   [`auroc`] and [`average_precision`] (the same numbers as scikit-learn's `roc_auc_score` and
//!   `average_precision_score`), and a [`BinaryReport`] at a fixed threshold.
//! * [`threshold`]: [`percentile`] (numpy's default linear interpolation) and
//!   [`threshold_for_contamination`], the usual way to turn "about 5 % of the data is
//!   anomalous" into a score threshold.
//! * [`image_quality`]: [`mse`] and [`psnr`] for reconstructions and denoisers.
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
mod error;
pub mod histogram;
pub mod image_quality;
pub mod threshold;

pub use classification::{BinaryReport, auroc, average_precision, binary_report};
pub use error::EvalError;
pub use histogram::{render_score_histogram, score_histogram_png};
pub use image_quality::{mse, psnr};
pub use threshold::{percentile, threshold_for_contamination};
