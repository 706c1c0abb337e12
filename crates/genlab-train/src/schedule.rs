//! Learning-rate schedules, as pure functions of the optimiser step.
//!
//! burn has stateful schedulers; a pure function of the step is simpler to resume exactly
//! (the checkpoint holds the step, nothing else) and matches nanoGPT's `get_lr`.

use genlab_config::{ConfigError, check, positive};
use serde::{Deserialize, Serialize};

/// How the learning rate moves over a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LrSchedule {
    /// The same rate throughout.
    Constant {
        /// The rate.
        lr: f64,
    },
    /// Linear warmup from 0 to `lr` over `warmup` steps, then cosine decay to `min_lr` at
    /// `total` steps (and `min_lr` after).
    WarmupCosine {
        /// Peak rate.
        lr: f64,
        /// Final rate.
        min_lr: f64,
        /// Warmup steps.
        warmup: u64,
        /// Step at which the decay ends.
        total: u64,
    },
    /// `lr` until step `start`, then a straight line down to 0 at `total` (pix2pix's and
    /// CycleGAN's `n_epochs` + `n_epochs_decay`).
    LinearDecay {
        /// The rate before the decay.
        lr: f64,
        /// Step at which the decay begins.
        start: u64,
        /// Step at which the rate reaches 0.
        total: u64,
    },
}

impl LrSchedule {
    /// The learning rate for 0-based step `step`.
    pub fn lr_at(&self, step: u64) -> f64 {
        match *self {
            LrSchedule::Constant { lr } => lr,
            LrSchedule::WarmupCosine { lr, min_lr, warmup, total } => {
                if step < warmup {
                    return lr * (step + 1) as f64 / warmup as f64;
                }
                if step >= total {
                    return min_lr;
                }
                let span = (total - warmup).max(1) as f64;
                let progress = (step - warmup) as f64 / span;
                min_lr + 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()) * (lr - min_lr)
            }
            LrSchedule::LinearDecay { lr, start, total } => {
                if step < start {
                    return lr;
                }
                // Step `start` trains at lr, the last step (`total - 1`) at lr / (total - start).
                let span = (total - start).max(1) as f64;
                lr * (1.0 - (step - start) as f64 / span).max(0.0)
            }
        }
    }

    /// Checks the numbers make sense; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match *self {
            LrSchedule::Constant { lr } => positive("lr", lr),
            LrSchedule::WarmupCosine { lr, min_lr, warmup, total } => {
                positive("lr", lr)?;
                check(
                    (0.0..=lr).contains(&min_lr),
                    "min_lr",
                    min_lr,
                    format!("in [0, lr = {lr}]"),
                )?;
                check(
                    warmup <= total,
                    "warmup_steps",
                    warmup,
                    format!("at most the decay steps ({total})"),
                )
            }
            LrSchedule::LinearDecay { lr, start, total } => {
                positive("lr", lr)?;
                check(
                    start <= total,
                    "decay_start",
                    start,
                    format!("at most the total steps ({total})"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_then_cosine() {
        let s = LrSchedule::WarmupCosine { lr: 1.0, min_lr: 0.1, warmup: 10, total: 110 };
        assert!((s.lr_at(0) - 0.1).abs() < 1e-12);
        assert!((s.lr_at(9) - 1.0).abs() < 1e-12);
        assert!((s.lr_at(10) - 1.0).abs() < 1e-12);
        assert!((s.lr_at(60) - 0.55).abs() < 1e-12);
        assert!((s.lr_at(110) - 0.1).abs() < 1e-12);
        assert!((s.lr_at(1000) - 0.1).abs() < 1e-12);
        assert!(s.validate().is_ok());
        assert!(LrSchedule::Constant { lr: -1.0 }.validate().unwrap_err().field == "lr");
    }

    #[test]
    fn linear_decay_holds_then_falls_to_zero() {
        let s = LrSchedule::LinearDecay { lr: 2.0, start: 10, total: 20 };
        assert_eq!(s.lr_at(0), 2.0);
        assert_eq!(s.lr_at(10), 2.0);
        assert!((s.lr_at(15) - 1.0).abs() < 1e-12);
        assert!((s.lr_at(19) - 0.2).abs() < 1e-12);
        assert_eq!(s.lr_at(20), 0.0);
        assert_eq!(s.lr_at(99), 0.0);
        let bad = LrSchedule::LinearDecay { lr: 2.0, start: 30, total: 20 };
        assert_eq!(bad.validate().unwrap_err().field, "decay_start");
    }
}
