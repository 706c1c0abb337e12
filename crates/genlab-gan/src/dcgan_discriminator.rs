//! The DCGAN discriminator: stride-2 convolutions halving the image, batch norm (not on the
//! first layer) and LeakyReLU 0.2, then a convolution over the whole small map to a feature
//! vector, one logit, and an optional projection condition.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, LeakyRelu, LeakyReluConfig, Linear, LinearConfig, PaddingConfig2d,
};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::dcgan_generator::layout;

/// Configuration of [`DcganDiscriminator`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcganDiscriminatorConfig {
    /// Image channels.
    pub channels: usize,
    /// Image side: 28, 32 or 64.
    pub size: usize,
    /// Feature maps of the first layer (DCGAN's `ndf`); each layer after it doubles.
    pub features: usize,
    /// Width of the condition vector; 0 = unconditional.
    pub cond_dim: usize,
}

/// Convolutions from an image to one logit.
#[derive(Module, Debug)]
pub struct DcganDiscriminator {
    downs: Vec<Conv2d>,
    norms: Vec<BatchNorm>,
    last: Conv2d,
    head: Linear,
    project: Option<Linear>,
    act: LeakyRelu,
}

/// The width of the feature vector before the logit.
const FEATURES: usize = 128;

impl DcganDiscriminatorConfig {
    /// Builds the discriminator (weights N(0, 0.02)).
    pub fn init(&self, device: &Device) -> DcganDiscriminator {
        let (base, halvings) = layout(self.size).expect("validated size");
        let init = burn::nn::Initializer::Normal { mean: 0.0, std: 0.02 };
        let mut downs = Vec::new();
        let mut norms = Vec::new();
        let mut c_in = self.channels;
        for i in 0..halvings {
            let out = self.features << i;
            downs.push(
                Conv2dConfig::new([c_in, out], [4, 4])
                    .with_stride([2, 2])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .with_bias(i == 0)
                    .with_initializer(init.clone())
                    .init(device),
            );
            if i > 0 {
                norms.push(BatchNormConfig::new(out).init(device));
            }
            c_in = out;
        }
        DcganDiscriminator {
            downs,
            norms,
            last: Conv2dConfig::new([c_in, FEATURES], [base, base])
                .with_initializer(init)
                .init(device),
            head: LinearConfig::new(FEATURES, 1).init(device),
            project: (self.cond_dim > 0)
                .then(|| LinearConfig::new(self.cond_dim, FEATURES).with_bias(false).init(device)),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }
}

impl DcganDiscriminator {
    /// `[batch, c, size, size]` (and `[batch, cond_dim]`) -> logits `[batch]`.
    pub fn forward(&self, x: Tensor<4>, cond: Option<Tensor<2>>) -> Tensor<1> {
        let mut h = x;
        for (i, down) in self.downs.iter().enumerate() {
            h = down.forward(h); // halves the side
            if i > 0 {
                h = self.norms[i - 1].forward(h);
            }
            h = self.act.forward(h);
        }
        let h = self.act.forward(self.last.forward(h)).flatten(1, 3); // [batch, FEATURES]
        project(&self.head, self.project.as_ref(), h, cond)
    }
}

/// `head(h) + sum((V c) * h)`: the logit with the projection condition. `[batch]`.
pub fn project(
    head: &Linear,
    project: Option<&Linear>,
    h: Tensor<2>,
    cond: Option<Tensor<2>>,
) -> Tensor<1> {
    let logit = head.forward(h.clone()).squeeze_dim::<1>(1);
    match (project, cond) {
        (Some(v), Some(c)) => logit + (v.forward(c) * h).sum_dim(1).squeeze_dim::<1>(1),
        _ => logit,
    }
}
