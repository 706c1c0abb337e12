//! The pix2pix discriminator: a PatchGAN. It sees the input picture and a candidate output
//! side by side (channels concatenated, so it judges the pair, not just the output) and
//! returns a map of logits, each judging one overlapping patch as real or fake. With three
//! stride-2 layers and two stride-1 layers of 4×4 kernels each logit sees 70×70 pixels
//! (Isola et al., 2017, the "70×70 PatchGAN").

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, LeakyRelu, LeakyReluConfig, PaddingConfig2d};
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, at_least, check};
use serde::{Deserialize, Serialize};

use crate::norm::{Norm, NormKind};

/// Configuration of [`PatchGan`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchGanConfig {
    /// Channels of the input and output pictures together.
    pub in_channels: usize,
    /// Feature maps of the first layer (pix2pix's `ndf`); each layer doubles them, up to 8×.
    pub features: usize,
    /// Stride-2 layers: 3 gives 70×70 patches, 2 gives 34×34, 1 gives 16×16.
    pub layers: usize,
    /// Normalisation between layers.
    #[serde(default)]
    pub norm: NormKind,
}

impl PatchGanConfig {
    /// The side of the patch each logit sees.
    pub fn receptive_field(&self) -> usize {
        // Two stride-1 4×4 layers on top of `layers` stride-2 ones, walked back to the input.
        let mut field = 1;
        for _ in 0..2 {
            field += 3;
        }
        for _ in 0..self.layers {
            field = 2 * field + 2;
        }
        field
    }

    /// Checks the sizes; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("in_channels", self.in_channels, 1)?;
        at_least("features", self.features, 1)?;
        check((1..=5).contains(&self.layers), "layers", self.layers, "1 to 5")
    }

    /// Builds the discriminator (weights N(0, 0.02)).
    pub fn init(&self, device: &Device) -> PatchGan {
        let init = Initializer::Normal { mean: 0.0, std: 0.02 };
        let width = |i: usize| self.features << i.min(3);
        let conv = |c_in: usize, c_out: usize, stride: usize, bias: bool| {
            Conv2dConfig::new([c_in, c_out], [4, 4])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .with_bias(bias)
                .with_initializer(init.clone())
                .init(device)
        };
        let mut convs = vec![conv(self.in_channels, width(0), 2, true)];
        let mut norms = Vec::new();
        for i in 1..=self.layers {
            let stride = if i < self.layers { 2 } else { 1 };
            convs.push(conv(width(i - 1), width(i), stride, false));
            norms.push(self.norm.init(width(i), device));
        }
        PatchGan {
            convs,
            norms,
            last: conv(width(self.layers), 1, 1, true),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }
}

/// Convolutions from a picture pair to a map of patch logits.
#[derive(Module, Debug)]
pub struct PatchGan {
    convs: Vec<Conv2d>,
    norms: Vec<Norm>,
    last: Conv2d,
    act: LeakyRelu,
}

impl PatchGan {
    /// `input [batch, ca, h, w]` and `output [batch, cb, h, w]` -> patch logits
    /// `[batch, 1, ph, pw]` (6×6 for 64×64 pictures and three layers).
    pub fn forward(&self, input: Tensor<4>, output: Tensor<4>) -> Tensor<4> {
        let mut h = Tensor::cat(vec![input, output], 1); // [batch, ca + cb, h, w]
        for (i, conv) in self.convs.iter().enumerate() {
            h = conv.forward(h);
            if i > 0 {
                h = self.norms[i - 1].forward(h);
            }
            h = self.act.forward(h);
        }
        self.last.forward(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventy_by_seventy_patches() {
        let cfg = PatchGanConfig { in_channels: 4, features: 8, layers: 3, norm: NormKind::Batch };
        assert_eq!(cfg.receptive_field(), 70);
        assert_eq!(PatchGanConfig { layers: 1, ..cfg.clone() }.receptive_field(), 16);
        let device = genlab_tensor::DeviceSpec::Cpu.device().unwrap();
        let d = cfg.init(&device);
        let a = Tensor::zeros([2, 1, 64, 64], &device);
        let b = Tensor::zeros([2, 3, 64, 64], &device);
        assert_eq!(d.forward(a, b).dims(), [2, 1, 6, 6]);
    }
}
