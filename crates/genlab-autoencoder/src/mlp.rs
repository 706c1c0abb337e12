//! A stack of Linear layers with ReLU between them: the building block of the MLP encoders and
//! decoders. Optionally each hidden block is `Linear -> BatchNorm -> ReLU -> Dropout`, as in
//! PyOD's `AutoEncoder`.

use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, Relu};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Configuration of [`Mlp`]: the width of every layer, input first, output last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpConfig {
    /// `[in, hidden.., out]`: at least two numbers.
    pub dims: Vec<usize>,
    /// Batch norm after every hidden Linear layer.
    #[serde(default)]
    pub batch_norm: bool,
    /// Dropout probability after every hidden activation (0 = none).
    #[serde(default)]
    pub dropout: f64,
}

/// `Linear -> ReLU -> ... -> Linear`: no activation after the last layer, so the caller chooses
/// it (sigmoid for pixels, identity for a latent mean, ...).
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    /// One per hidden layer when batch norm is on, else empty.
    norms: Vec<BatchNorm>,
    dropout: Option<Dropout>,
    relu: Relu,
}

impl MlpConfig {
    /// `in -> hidden.. -> out`, plain ReLU blocks.
    pub fn new(input: usize, hidden: &[usize], output: usize) -> Self {
        let mut dims = vec![input];
        dims.extend_from_slice(hidden);
        dims.push(output);
        Self { dims, batch_norm: false, dropout: 0.0 }
    }

    /// The same layers with batch norm and dropout `p` in every hidden block.
    pub fn with_regularisation(mut self, batch_norm: bool, dropout: f64) -> Self {
        self.batch_norm = batch_norm;
        self.dropout = dropout;
        self
    }

    /// Builds the layers with burn's default (PyTorch-like Kaiming-uniform) initialisation.
    pub fn init(&self, device: &Device) -> Mlp {
        let layers =
            self.dims.windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect();
        let hidden = &self.dims[1..self.dims.len() - 1];
        let norms = if self.batch_norm {
            hidden.iter().map(|&h| BatchNormConfig::new(h).init(device)).collect()
        } else {
            Vec::new()
        };
        let dropout = (self.dropout > 0.0).then(|| DropoutConfig::new(self.dropout).init());
        Mlp { layers, norms, dropout, relu: Relu::new() }
    }
}

impl Mlp {
    /// `[batch, in] -> [batch, out]`.
    pub fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                if let Some(norm) = self.norms.get(i) {
                    x = norm.forward(x);
                }
                x = self.relu.forward(x);
                if let Some(dropout) = &self.dropout {
                    x = dropout.forward(x);
                }
            }
        }
        x
    }

    /// Width of the input.
    pub fn input_dim(&self) -> usize {
        self.layers[0].weight.dims()[0]
    }
}
