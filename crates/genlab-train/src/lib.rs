//! The pieces every genlab training loop shares.
//!
//! - [`schedule`]: learning-rate schedules as pure functions of the step (constant,
//!   linear warmup + cosine decay), so a resumed run needs no scheduler state.
//! - [`optim`]: AdamW/Adam with decoupled weight decay on matrices only, and global
//!   gradient-norm clipping (PyTorch's `clip_grad_norm_`).
//! - [`checkpoint`]: atomic checkpoints (temp file, fsync, rename) holding model, optimiser,
//!   step and RNG state, with a checksum so a torn or corrupt file is an error.
//! - [`metrics`]: `metrics.jsonl` in the run folder, and [`progress`]: an indicatif bar with
//!   loss and throughput.
//! - [`manifest`]: `run.json`, the typed, versioned record of what a run folder holds, written
//!   once before step 0 and read by every family's `load`; [`legacy`] reads the folders of
//!   earlier builds.
//! - [`trainer`]: the [`Trainer`] every family's loop runs inside: start or exact resume, step
//!   seeding, clipping, the NaN stop, metrics, checkpoint cadence, the progress bar and the
//!   end-of-run summary and page.
//! - [`run`]: the run folder, and [`report`] and [`html`]: the loss curve as SVG, and
//!   `report.html` with a run's settings, figures, pictures and samples on one page.
//! - [`supervised`]: the small Adam loops of helper models (classifiers, judges, encoders).
//! - [`ConfigError`] (from genlab-config): the error every config's `validate()` returns.

mod atomic;
pub mod checkpoint;
mod error;
pub mod html;
pub mod legacy;
pub mod manifest;
pub mod metrics;
pub mod optim;
pub mod progress;
pub mod report;
pub mod run;
pub mod schedule;
pub mod supervised;
pub mod trainer;

pub use checkpoint::{Checkpoint, CheckpointError, TrainState};
pub use error::TrainError;
pub use genlab_config::ConfigError;
pub use manifest::{LoadError, MANIFEST_FILE, RunError, RunManifest, SUMMARY_FILE};
pub use metrics::MetricsLog;
pub use optim::{OptimConfig, accumulate_grads, clip_grad_norm};
pub use progress::Progress;
pub use run::RunDir;
pub use schedule::LrSchedule;
pub use supervised::fit_supervised;
pub use trainer::{Finished, RunSpec, Start, TrainSpec, Trainer};

/// A seed for step `step` of a run seeded with `seed`: reseeding the backend with this at every
/// step makes dropout and sampling depend only on (seed, step), so `--resume` is exact.
pub fn step_seed(seed: u64, step: u64) -> u64 {
    // SplitMix64 finaliser: nearby steps get unrelated seeds.
    let mut z = seed ^ step.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
