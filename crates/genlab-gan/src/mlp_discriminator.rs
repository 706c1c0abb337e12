//! The MLP discriminator of the original GAN, with an optional projection condition
//! (Miyato & Koyama, 2018): `D(x, c) = w·h(x) + (V c)·h(x)`.

use burn::module::Module;
use burn::nn::{LeakyRelu, LeakyReluConfig, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Configuration of [`MlpDiscriminator`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpDiscriminatorConfig {
    /// Input image `[c, h, w]`.
    pub shape: [usize; 3],
    /// Hidden widths; the last one is the feature width `h(x)`.
    pub hidden: Vec<usize>,
    /// Width of the condition vector; 0 = unconditional.
    pub cond_dim: usize,
}

/// Image -> features -> one logit (plus the projection term when conditional).
#[derive(Module, Debug)]
pub struct MlpDiscriminator {
    layers: Vec<Linear>,
    head: Linear,
    project: Option<Linear>,
    act: LeakyRelu,
}

impl MlpDiscriminatorConfig {
    /// Builds the discriminator.
    pub fn init(&self, device: &Device) -> MlpDiscriminator {
        let mut dims = vec![self.shape.iter().product::<usize>()];
        dims.extend_from_slice(&self.hidden);
        let feat = *dims.last().expect("at least the input");
        MlpDiscriminator {
            layers: dims.windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect(),
            head: LinearConfig::new(feat, 1).init(device),
            project: (self.cond_dim > 0)
                .then(|| LinearConfig::new(self.cond_dim, feat).with_bias(false).init(device)),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }
}

impl MlpDiscriminator {
    /// `[batch, c, h, w]` (and `[batch, cond_dim]`) -> logits `[batch]`.
    pub fn forward(&self, x: Tensor<4>, cond: Option<Tensor<2>>) -> Tensor<1> {
        let mut h = x.flatten(1, 3);
        for layer in &self.layers {
            h = self.act.forward(layer.forward(h)); // [batch, width]
        }
        crate::dcgan_discriminator::project(&self.head, self.project.as_ref(), h, cond)
    }
}
