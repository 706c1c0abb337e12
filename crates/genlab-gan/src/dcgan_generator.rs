//! The DCGAN generator (Radford et al., 2016): noise as a 1×1 map, a transposed convolution to
//! a small map, then stride-2 transposed convolutions doubling it, batch norm and ReLU between,
//! tanh at the end. 28×28 grows 7 -> 14 -> 28; 64×64 grows 4 -> 8 -> 16 -> 32 -> 64.

use burn::module::Module;
use burn::nn::conv::{ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, Relu};
use burn::tensor::activation::tanh;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Configuration of [`DcganGenerator`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcganGeneratorConfig {
    /// Noise dimensions.
    pub z_dim: usize,
    /// Image channels.
    pub channels: usize,
    /// Image side: 28 (MNIST-like) or 64.
    pub size: usize,
    /// Feature maps of the last hidden layer (DCGAN's `ngf`); each layer before it doubles.
    pub features: usize,
    /// Width of the condition vector; 0 = unconditional.
    pub cond_dim: usize,
}

/// The starting side and number of doublings for an image side.
pub fn layout(size: usize) -> Result<(usize, usize), String> {
    match size {
        28 => Ok((7, 2)),
        64 => Ok((4, 4)),
        32 => Ok((4, 3)),
        other => Err(format!("DCGAN supports 28, 32 and 64 pixel images, not {other}")),
    }
}

/// Transposed convolutions from noise to an image.
#[derive(Module, Debug)]
pub struct DcganGenerator {
    cond: Option<Linear>,
    stem: ConvTranspose2d,
    stem_norm: BatchNorm,
    ups: Vec<ConvTranspose2d>,
    norms: Vec<BatchNorm>,
    relu: Relu,
}

impl DcganGeneratorConfig {
    /// Builds the generator (weights N(0, 0.02) as in the DCGAN paper, norms N(1, 0.02)).
    pub fn init(&self, device: &Device) -> DcganGenerator {
        let (base, doublings) = layout(self.size).expect("validated size");
        let width = |i: usize| self.features << (doublings - 1 - i); // i-th hidden layer
        let cond_width = if self.cond_dim > 0 { self.z_dim.min(64) } else { 0 };
        let init = burn::nn::Initializer::Normal { mean: 0.0, std: 0.02 };
        let stem = ConvTranspose2dConfig::new([self.z_dim + cond_width, width(0)], [base, base])
            .with_bias(false)
            .with_initializer(init.clone())
            .init(device);
        let mut ups = Vec::new();
        let mut norms = Vec::new();
        for i in 0..doublings {
            let out = if i + 1 == doublings { self.channels } else { width(i + 1) };
            ups.push(
                ConvTranspose2dConfig::new([width(i), out], [4, 4])
                    .with_stride([2, 2])
                    .with_padding([1, 1])
                    .with_bias(i + 1 == doublings)
                    .with_initializer(init.clone())
                    .init(device),
            );
            if i + 1 < doublings {
                norms.push(BatchNormConfig::new(out).init(device));
            }
        }
        DcganGenerator {
            cond: (self.cond_dim > 0)
                .then(|| LinearConfig::new(self.cond_dim, cond_width).init(device)),
            stem,
            stem_norm: BatchNormConfig::new(width(0)).init(device),
            ups,
            norms,
            relu: Relu::new(),
        }
    }
}

impl DcganGenerator {
    /// `z [batch, z_dim]` (and `cond [batch, cond_dim]`) -> `[batch, c, size, size]` in [-1, 1].
    pub fn forward(&self, z: Tensor<2>, cond: Option<Tensor<2>>) -> Tensor<4> {
        let z = match (&self.cond, cond) {
            (Some(proj), Some(c)) => Tensor::cat(vec![z, proj.forward(c)], 1),
            _ => z,
        };
        let [batch, k] = z.dims();
        let mut x = self
            .relu
            .forward(self.stem_norm.forward(self.stem.forward(z.reshape([batch, k, 1, 1]))));
        for (i, up) in self.ups.iter().enumerate() {
            x = up.forward(x); // doubles the side
            if let Some(norm) = self.norms.get(i) {
                x = self.relu.forward(norm.forward(x));
            }
        }
        tanh(x)
    }
}
