//! One transformer block: pre-LayerNorm attention and MLP, each added to the residual stream.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{LayerNorm, LayerNormConfig, RotaryEncoding};
use burn::tensor::{Bool, Tensor};

use crate::attention::{CausalSelfAttention, CausalSelfAttentionConfig};
use crate::cache::LayerCache;
use crate::mlp::{Mlp, MlpConfig};

/// Configuration of [`Block`].
#[derive(Config, Debug)]
pub struct BlockConfig {
    /// Width of the residual stream.
    pub n_embd: usize,
    /// Attention heads.
    pub n_head: usize,
    /// Dropout probability.
    #[config(default = 0.0)]
    pub dropout: f64,
    /// Biases in Linear and LayerNorm layers.
    #[config(default = false)]
    pub bias: bool,
    /// Std of the residual projections' initial weights (`0.02 / sqrt(2 n_layer)`).
    #[config(default = 0.02)]
    pub proj_std: f64,
}

/// `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`.
#[derive(Module, Debug)]
pub struct Block {
    /// Norm before attention.
    pub ln_1: LayerNorm,
    /// Causal self-attention.
    pub attn: CausalSelfAttention,
    /// Norm before the MLP.
    pub ln_2: LayerNorm,
    /// Feed-forward network.
    pub mlp: Mlp,
}

impl BlockConfig {
    /// Builds the block.
    pub fn init(&self, device: &burn::tensor::Device) -> Block {
        let ln = || LayerNormConfig::new(self.n_embd).with_bias(self.bias).init(device);
        Block {
            ln_1: ln(),
            attn: CausalSelfAttentionConfig::new(self.n_embd, self.n_head)
                .with_dropout(self.dropout)
                .with_bias(self.bias)
                .with_proj_std(self.proj_std)
                .init(device),
            ln_2: ln(),
            mlp: MlpConfig::new(self.n_embd)
                .with_dropout(self.dropout)
                .with_bias(self.bias)
                .with_proj_std(self.proj_std)
                .init(device),
        }
    }
}

impl Block {
    /// `[batch, seq, n_embd] -> [batch, seq, n_embd]` for positions `start..start + seq`.
    pub fn forward(
        &self,
        x: Tensor<3>,
        start: usize,
        rope: Option<&RotaryEncoding>,
        cache: Option<&mut Option<LayerCache>>,
    ) -> Tensor<3> {
        let x = x.clone() + self.attn.forward(self.ln_1.forward(x), start, rope, cache);
        x.clone() + self.mlp.forward(self.ln_2.forward(x))
    }

    /// [`Block::forward`] for one new token per row, each row at its own position (see
    /// [`crate::batch`]), the rows laid out as one sequence: `[1, rows, n_embd] -> [1, rows,
    /// n_embd]`; the keys and values go into column `column` of `cache`.
    pub(crate) fn forward_rows(
        &self,
        x: Tensor<3>,
        positions: &[usize],
        rope: Option<&RotaryEncoding>,
        cache: LayerCache,
        column: usize,
        padding: Tensor<4, Bool>,
    ) -> (Tensor<3>, LayerCache) {
        let (attn, cache) = self.attn.forward_rows(
            self.ln_1.forward(x.clone()),
            positions,
            rope,
            cache,
            column,
            padding,
        );
        let x = x + attn;
        (x.clone() + self.mlp.forward(self.ln_2.forward(x)), cache)
    }
}
