//! Causal multi-head self-attention (nanoGPT's `CausalSelfAttention`).

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig, Initializer, Linear, LinearConfig, RotaryEncoding};
use burn::tensor::Tensor;
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;

use crate::cache::{LayerCache, append};

/// Configuration of [`CausalSelfAttention`].
#[derive(Config, Debug)]
pub struct CausalSelfAttentionConfig {
    /// Width of the residual stream.
    pub n_embd: usize,
    /// Number of heads (`n_embd` must divide by it).
    pub n_head: usize,
    /// Dropout on the output projection.
    #[config(default = 0.0)]
    pub dropout: f64,
    /// Biases in the projections.
    #[config(default = false)]
    pub bias: bool,
    /// Standard deviation of the output projection's initial weights (GPT-2 scales it by
    /// `1/sqrt(2 * n_layer)`).
    #[config(default = 0.02)]
    pub proj_std: f64,
}

/// Causal multi-head self-attention: every position attends to itself and earlier positions.
#[derive(Module, Debug)]
pub struct CausalSelfAttention {
    /// Query, key and value projections for all heads, in one matrix.
    pub c_attn: Linear,
    /// Output projection.
    pub c_proj: Linear,
    resid_dropout: Dropout,
    n_head: usize,
}

impl CausalSelfAttentionConfig {
    /// Builds the layer with GPT-2's initialisation (normal, std 0.02; zero biases).
    pub fn init(&self, device: &burn::tensor::Device) -> CausalSelfAttention {
        assert_eq!(self.n_embd % self.n_head, 0, "n_embd must divide by n_head");
        let linear = |d_in, d_out, std| {
            LinearConfig::new(d_in, d_out)
                .with_bias(self.bias)
                .with_initializer(Initializer::Normal { mean: 0.0, std })
                .init(device)
        };
        CausalSelfAttention {
            c_attn: zero_bias(linear(self.n_embd, 3 * self.n_embd, 0.02)),
            c_proj: zero_bias(linear(self.n_embd, self.n_embd, self.proj_std)),
            resid_dropout: DropoutConfig::new(self.dropout).init(),
            n_head: self.n_head,
        }
    }
}

/// Sets a Linear's bias (if any) to zero, as GPT-2 initialises them. The zeros are a fresh
/// trainable parameter: `Param::map` would keep them as a constant outside autodiff, and the
/// biases would never train (the GPU suite found that: tests/gpu in genlab-cli).
pub(crate) fn zero_bias(mut linear: Linear) -> Linear {
    linear.bias = linear.bias.map(|b| Param::from_tensor(b.val().zeros_like()));
    linear
}

impl CausalSelfAttention {
    /// `x` holds positions `start..start + t`. With a cache slot, keys and values of earlier
    /// positions come from it and this call's are appended to it.
    pub fn forward(
        &self,
        x: Tensor<3>,
        start: usize,
        rope: Option<&RotaryEncoding>,
        cache: Option<&mut Option<LayerCache>>,
    ) -> Tensor<3> {
        let [b, t, d] = x.dims();
        let (h, hd) = (self.n_head, d / self.n_head);
        let qkv = self.c_attn.forward(x); // [b, t, 3d]
        let mut parts = qkv.chunk(3, 2).into_iter();
        let mut heads = || {
            parts
                .next()
                .expect("three chunks")
                .reshape([b, t, h, hd]) // [b, t, h, hd]
                .swap_dims(1, 2) // [b, h, t, hd]
        };
        let (mut q, mut k, v) = (heads(), heads(), heads());
        if let Some(rope) = rope {
            q = rope.apply(q, start);
            k = rope.apply(k, start);
        }
        let (k, v) = match cache {
            Some(slot) => append(slot, k, v), // [b, h, start + t, hd]
            None => (k, v),
        };
        // Causal mask aligned bottom-right: query i (absolute start + i) sees keys 0..=start + i.
        let options = AttentionModuleOptions { scale: None, softcap: None, is_causal: true };
        let y = attention(q, k, v, None, None, options); // [b, h, t, hd]
        let y = y.swap_dims(1, 2).reshape([b, t, d]); // [b, t, d]
        self.resid_dropout.forward(self.c_proj.forward(y))
    }
}
