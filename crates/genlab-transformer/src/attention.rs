//! Causal multi-head self-attention (nanoGPT's `CausalSelfAttention`).

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig, Initializer, Linear, LinearConfig, RotaryEncoding};
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{Bool, Tensor};

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
        let (mut q, mut k, v) = self.heads(x); // [b, h, t, hd] each
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
        self.merge(attention(q, k, v, None, None, options))
    }

    /// One new token per row, each row at its own position (continuous batching, see
    /// [`crate::batch`]): `x` is `[1, rows, d]`, the rows laid out as one sequence so the
    /// projections are one matrix product, and row `r` is at position `positions[r]`.
    /// `cache` holds every row's keys and values (`[rows, n_head, capacity, head_dim]`); this
    /// call's go into column `column`, in place, and `padding` (`[rows, n_head, 1,
    /// capacity]`, true = not a key of that row) hides the columns a row does not use.
    pub(crate) fn forward_rows(
        &self,
        x: Tensor<3>,
        positions: &[usize],
        rope: Option<&RotaryEncoding>,
        cache: LayerCache,
        column: usize,
        padding: Tensor<4, Bool>,
    ) -> (Tensor<3>, LayerCache) {
        let [_, rows, d] = x.dims();
        let qkv = self.c_attn.forward(x).reshape([rows, 1, 3 * d]); // [rows, 1, 3d]
        let (mut q, mut k, v) = self.split(qkv); // [rows, h, 1, hd] each
        if let Some(rope) = rope {
            // burn's rotary encoding takes one start for the whole batch: rotate row by row.
            let row = |t: Tensor<4>, r: usize, p: usize| rope.apply(t.narrow(0, r, 1), p);
            q = Tensor::cat(
                positions.iter().enumerate().map(|(r, &p)| row(q.clone(), r, p)).collect(),
                0,
            );
            k = Tensor::cat(
                positions.iter().enumerate().map(|(r, &p)| row(k.clone(), r, p)).collect(),
                0,
            );
        }
        // Written in place: the cache tensors are this call's only owners.
        let [_, h, _, hd] = k.dims();
        let at = [0..rows, 0..h, column..column + 1, 0..hd];
        let cache =
            LayerCache { k: cache.k.slice_assign(at.clone(), k), v: cache.v.slice_assign(at, v) };
        let options = AttentionModuleOptions { scale: None, softcap: None, is_causal: false };
        let y = attention(q, cache.k.clone(), cache.v.clone(), Some(padding), None, options);
        let y = y.swap_dims(1, 2).reshape([1, rows, d]); // [1, rows, d]
        (self.resid_dropout.forward(self.c_proj.forward(y)), cache)
    }

    /// Queries, keys and values split into heads: `[b, t, d] -> 3 x [b, h, t, hd]`.
    fn heads(&self, x: Tensor<3>) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        self.split(self.c_attn.forward(x))
    }

    /// `[b, t, 3d]` projections split into queries, keys and values: `3 x [b, h, t, hd]`.
    fn split(&self, qkv: Tensor<3>) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        let [b, t, d3] = qkv.dims();
        let (h, hd) = (self.n_head, d3 / 3 / self.n_head);
        let mut parts = qkv.chunk(3, 2).into_iter().map(|part| {
            part.reshape([b, t, h, hd]) // [b, t, h, hd]
                .swap_dims(1, 2) // [b, h, t, hd]
        });
        let mut next = || parts.next().expect("three chunks");
        (next(), next(), next())
    }

    /// Heads joined and projected back: `[b, h, t, hd] -> [b, t, d]`.
    fn merge(&self, y: Tensor<4>) -> Tensor<3> {
        let [b, h, t, hd] = y.dims();
        let y = y.swap_dims(1, 2).reshape([b, t, h * hd]); // [b, t, d]
        self.resid_dropout.forward(self.c_proj.forward(y))
    }
}
