//! A stack of Linear layers with ReLU between them: the building block of the MLP encoders and
//! decoders.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Configuration of [`Mlp`]: the width of every layer, input first, output last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MlpConfig {
    /// `[in, hidden.., out]`: at least two numbers.
    pub dims: Vec<usize>,
}

/// `Linear -> ReLU -> ... -> Linear`: no activation after the last layer, so the caller chooses
/// it (sigmoid for pixels, identity for a latent mean, ...).
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    relu: Relu,
}

impl MlpConfig {
    /// `in -> hidden.. -> out`.
    pub fn new(input: usize, hidden: &[usize], output: usize) -> Self {
        let mut dims = vec![input];
        dims.extend_from_slice(hidden);
        dims.push(output);
        Self { dims }
    }

    /// Builds the layers with burn's default (PyTorch-like Kaiming-uniform) initialisation.
    pub fn init(&self, device: &Device) -> Mlp {
        let layers =
            self.dims.windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect();
        Mlp { layers, relu: Relu::new() }
    }
}

impl Mlp {
    /// `[batch, in] -> [batch, out]`.
    pub fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                x = self.relu.forward(x);
            }
        }
        x
    }

    /// Width of the input.
    pub fn input_dim(&self) -> usize {
        self.layers[0].weight.dims()[0]
    }
}
