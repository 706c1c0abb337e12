//! The normalisation pix2pix's networks use between convolutions: batch norm, or instance
//! norm (each picture's own statistics, the same in training and in use; pix2pix trained with
//! batch norm on batches of one, which is instance norm).

use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, InstanceNorm, InstanceNormConfig};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Which normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NormKind {
    /// Batch statistics in training, running averages in use.
    Batch,
    /// Per-picture statistics, with a learned scale and shift.
    #[default]
    Instance,
}

impl NormKind {
    /// A norm layer over `channels` feature maps.
    pub fn init(self, channels: usize, device: &Device) -> Norm {
        match self {
            NormKind::Batch => Norm::Batch(BatchNormConfig::new(channels).init(device)),
            NormKind::Instance => {
                Norm::Instance(InstanceNormConfig::new(channels).with_affine(true).init(device))
            }
        }
    }
}

/// A batch or instance norm layer.
#[derive(Module, Debug)]
pub enum Norm {
    /// Batch norm.
    Batch(BatchNorm),
    /// Instance norm.
    Instance(InstanceNorm),
}

impl Norm {
    /// `[batch, c, h, w]` -> the same, normalised.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        match self {
            Norm::Batch(n) => n.forward(x),
            Norm::Instance(n) => n.forward(x),
        }
    }
}
