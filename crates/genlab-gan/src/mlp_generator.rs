//! The MLP generator of the original GAN: noise (and an optional condition) through
//! Linear + LeakyReLU layers to an image in [-1, 1].

use burn::module::Module;
use burn::nn::{LeakyRelu, LeakyReluConfig, Linear, LinearConfig};
use burn::tensor::activation::tanh;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Configuration of [`MlpGenerator`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpGeneratorConfig {
    /// Noise dimensions.
    pub z_dim: usize,
    /// Output image `[c, h, w]`.
    pub shape: [usize; 3],
    /// Hidden widths.
    pub hidden: Vec<usize>,
    /// Width of the condition vector (one-hot class, text embedding); 0 = unconditional.
    pub cond_dim: usize,
}

/// `[z ; W c] -> Linear/LeakyReLU ... -> tanh -> [c, h, w]`.
#[derive(Module, Debug)]
pub struct MlpGenerator {
    cond: Option<Linear>,
    layers: Vec<Linear>,
    act: LeakyRelu,
    #[module(skip)]
    shape: [usize; 3],
}

impl MlpGeneratorConfig {
    /// Builds the generator.
    pub fn init(&self, device: &Device) -> MlpGenerator {
        let cond_width = if self.cond_dim > 0 { self.z_dim.min(64) } else { 0 };
        let mut dims = vec![self.z_dim + cond_width];
        dims.extend_from_slice(&self.hidden);
        dims.push(self.shape.iter().product());
        MlpGenerator {
            cond: (self.cond_dim > 0)
                .then(|| LinearConfig::new(self.cond_dim, cond_width).init(device)),
            layers: dims.windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect(),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
            shape: self.shape,
        }
    }
}

impl MlpGenerator {
    /// `z [batch, z_dim]`, `cond [batch, cond_dim]` -> images `[batch, c, h, w]` in [-1, 1].
    pub fn forward(&self, z: Tensor<2>, cond: Option<Tensor<2>>) -> Tensor<4> {
        let batch = z.dims()[0];
        let mut x = match (&self.cond, cond) {
            (Some(proj), Some(c)) => Tensor::cat(vec![z, proj.forward(c)], 1),
            _ => z,
        };
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                x = self.act.forward(x);
            }
        }
        let [c, h, w] = self.shape;
        tanh(x).reshape([batch, c, h, w])
    }
}
