//! The feed-forward network of a block: widen 4x, GELU, project back (nanoGPT's `MLP`).

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Gelu, Initializer, Linear, LinearConfig};
use burn::tensor::Tensor;

use crate::attention::zero_bias;

/// Configuration of [`Mlp`].
#[derive(Config, Debug)]
pub struct MlpConfig {
    /// Width of the residual stream.
    pub n_embd: usize,
    /// Dropout on the output.
    #[config(default = 0.0)]
    pub dropout: f64,
    /// Biases in the two Linear layers.
    #[config(default = false)]
    pub bias: bool,
    /// Standard deviation of the output projection's initial weights.
    #[config(default = 0.02)]
    pub proj_std: f64,
}

/// Position-wise feed-forward network with exact (erf) GELU.
#[derive(Module, Debug)]
pub struct Mlp {
    /// `n_embd -> 4 n_embd`.
    pub c_fc: Linear,
    /// `4 n_embd -> n_embd`.
    pub c_proj: Linear,
    gelu: Gelu,
    dropout: Dropout,
}

impl MlpConfig {
    /// Builds the layer with GPT-2's initialisation.
    pub fn init(&self, device: &burn::tensor::Device) -> Mlp {
        let linear = |d_in, d_out, std| {
            zero_bias(
                LinearConfig::new(d_in, d_out)
                    .with_bias(self.bias)
                    .with_initializer(Initializer::Normal { mean: 0.0, std })
                    .init(device),
            )
        };
        Mlp {
            c_fc: linear(self.n_embd, 4 * self.n_embd, 0.02),
            c_proj: linear(4 * self.n_embd, self.n_embd, self.proj_std),
            // Exact GELU: on burn's CPU backends the tanh approximation is several times slower
            // (see docs/gpt.md), and it is what PyTorch's nn.GELU() computes by default.
            gelu: Gelu::new(),
            dropout: DropoutConfig::new(self.dropout).init(),
        }
    }
}

impl Mlp {
    /// `[batch, seq, n_embd] -> [batch, seq, n_embd]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = self.c_fc.forward(x); // [b, t, 4d]
        let x = self.gelu.forward(x);
        self.dropout.forward(self.c_proj.forward(x)) // [b, t, d]
    }
}
