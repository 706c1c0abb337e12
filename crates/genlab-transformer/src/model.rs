//! The GPT: token (+ position) embeddings, a stack of blocks, a final LayerNorm and the
//! language-model head (nanoGPT's `GPT`).

use burn::module::Module;
use burn::nn::{
    Dropout, DropoutConfig, Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig,
    Linear, LinearConfig, RotaryEncoding, RotaryEncodingConfig,
};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::block::{Block, BlockConfig};
use crate::cache::KvCache;
use crate::config::{GptConfig, PosEncoding};

/// A decoder-only transformer language model.
#[derive(Module, Debug)]
pub struct Gpt {
    /// Token embedding `[vocab_size, n_embd]` (also the LM head when tied).
    pub wte: Embedding,
    /// Learned position embedding `[block_size, n_embd]`, with `PosEncoding::Learned`.
    pub wpe: Option<Embedding>,
    /// Rotary tables, with `PosEncoding::Rotary` (not trained).
    pub rope: Option<RotaryEncoding>,
    drop: Dropout,
    /// The transformer blocks.
    pub h: Vec<Block>,
    /// Final LayerNorm.
    pub ln_f: LayerNorm,
    /// LM head `[n_embd, vocab_size]`, absent when tied to `wte`.
    pub lm_head: Option<Linear>,
    sinusoidal: bool,
    block_size: usize,
}

impl GptConfig {
    /// Builds the model with GPT-2's initialisation. Panics on an invalid config; call
    /// [`GptConfig::validate`] on user input first.
    pub fn init(&self, device: &Device) -> Gpt {
        if let Err(e) = self.validate() {
            panic!("invalid GptConfig: {e}");
        }
        let normal = Initializer::Normal { mean: 0.0, std: 0.02 };
        let proj_std = 0.02 / ((2 * self.n_layer) as f64).sqrt();
        let block = BlockConfig::new(self.n_embd, self.n_head)
            .with_dropout(self.dropout)
            .with_bias(self.bias)
            .with_proj_std(proj_std);
        Gpt {
            wte: EmbeddingConfig::new(self.vocab_size, self.n_embd)
                .with_initializer(normal.clone())
                .init(device),
            wpe: (self.pos_encoding == PosEncoding::Learned).then(|| {
                EmbeddingConfig::new(self.block_size, self.n_embd)
                    .with_initializer(normal.clone())
                    .init(device)
            }),
            rope: (self.pos_encoding == PosEncoding::Rotary)
                .then(|| RotaryEncodingConfig::new(self.block_size, self.head_dim()).init(device)),
            drop: DropoutConfig::new(self.dropout).init(),
            h: (0..self.n_layer).map(|_| block.init(device)).collect(),
            ln_f: LayerNormConfig::new(self.n_embd).with_bias(self.bias).init(device),
            lm_head: (!self.tie_weights).then(|| {
                LinearConfig::new(self.n_embd, self.vocab_size)
                    .with_bias(false)
                    .with_initializer(normal)
                    .init(device)
            }),
            sinusoidal: self.pos_encoding == PosEncoding::Sinusoidal,
            block_size: self.block_size,
        }
    }
}

impl Gpt {
    /// Longest context the model takes.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// Number of blocks.
    pub fn n_layer(&self) -> usize {
        self.h.len()
    }

    /// Logits for every position: `[batch, seq] -> [batch, seq, vocab_size]`.
    pub fn forward(&self, idx: Tensor<2, Int>) -> Tensor<3> {
        self.logits(self.hidden(idx))
    }

    /// The final hidden states, after `ln_f`: `[batch, seq] -> [batch, seq, n_embd]` (what a
    /// reward or value head reads).
    pub fn hidden(&self, idx: Tensor<2, Int>) -> Tensor<3> {
        let x = self.embed(idx, 0);
        let x = self.h.iter().fold(x, |x, block| block.forward(x, 0, self.rope.as_ref(), None));
        self.ln_f.forward(x)
    }

    /// Number of token ids.
    pub fn vocab_size(&self) -> usize {
        self.wte.weight.val().dims()[0]
    }

    /// The same model with room for `extra` new token ids (Hugging Face's
    /// `resize_token_embeddings`): their embedding rows (and LM-head rows, when untied) start
    /// at the mean of the existing ones, so the new tokens begin as an average token.
    pub fn with_extra_tokens(mut self, extra: usize) -> Self {
        // Adds `extra` rows (or columns) at the mean of the existing ones, as a fresh leaf:
        // the grown table is a parameter, not a function of the old one.
        fn grow(w: Tensor<2>, extra: usize, columns: bool) -> Tensor<2> {
            let trainable = w.is_require_grad();
            let w = if columns { w.transpose() } else { w };
            let mean = w.clone().mean_dim(0); // [1, d]
            let [_, d] = mean.dims();
            let grown = Tensor::cat(vec![w, mean.expand([extra, d])], 0);
            let grown = if columns { grown.transpose() } else { grown };
            grown.detach().set_require_grad(trainable)
        }
        if extra == 0 {
            return self;
        }
        self.wte.weight = self.wte.weight.map(|w| grow(w, extra, false));
        if let Some(head) = self.lm_head.as_mut() {
            // burn's Linear stores [d_in, d_out]: the new ids are new columns.
            head.weight = head.weight.clone().map(|w| grow(w, extra, true));
        }
        self
    }

    /// Logits of the new tokens `idx` (`[batch, new]`), which follow the `cache.len()`
    /// positions already in `cache`; their keys and values are added to it.
    pub fn forward_cached(&self, idx: Tensor<2, Int>, cache: &mut KvCache) -> Tensor<3> {
        let [_, t] = idx.dims();
        let start = cache.len;
        assert!(
            start + t <= self.block_size,
            "context of {} exceeds block_size {}: crop it (see generate.rs)",
            start + t,
            self.block_size
        );
        let mut x = self.embed(idx, start);
        for (block, slot) in self.h.iter().zip(cache.layers.iter_mut()) {
            x = block.forward(x, start, self.rope.as_ref(), Some(slot));
        }
        cache.len += t;
        self.head(x)
    }

    /// Mean next-token cross-entropy of `idx` against `targets` (both `[batch, seq]`).
    pub fn loss(&self, idx: Tensor<2, Int>, targets: Tensor<2, Int>) -> Tensor<1> {
        crate::pretrain::next_token_loss(self.forward(idx), targets)
    }

    fn embed(&self, idx: Tensor<2, Int>, start: usize) -> Tensor<3> {
        let [_, t] = idx.dims();
        let device = idx.device();
        let tok = self.wte.forward(idx); // [b, t, d]
        let d = tok.dims()[2];
        let x = if let Some(wpe) = &self.wpe {
            let pos = Tensor::<1, Int>::arange(start as i64..(start + t) as i64, &device);
            tok + wpe.forward(pos.unsqueeze::<2>()) // [1, t, d] broadcast over the batch
        } else if self.sinusoidal {
            tok + sinusoids(start, t, d, &device).unsqueeze::<3>()
        } else {
            tok
        };
        self.drop.forward(x)
    }

    /// Embeddings of one token per row, row `r` at position `positions[r]`: `idx` `[rows, 1]`
    /// -> `[rows, 1, n_embd]` (continuous batching, see [`crate::batch`]).
    pub(crate) fn embed_rows(&self, idx: Tensor<2, Int>, positions: &[usize]) -> Tensor<3> {
        let device = idx.device();
        let rows = positions.len();
        let tok = self.wte.forward(idx); // [rows, 1, d]
        let d = tok.dims()[2];
        if let Some(wpe) = &self.wpe {
            let pos: Vec<i64> = positions.iter().map(|&p| p as i64).collect();
            let pos = Tensor::<2, Int>::from_data(TensorData::new(pos, [rows, 1]), &device);
            tok + wpe.forward(pos) // [rows, 1, d]
        } else if self.sinusoidal {
            let table = positions.iter().map(|&p| sinusoids(p, 1, d, &device)).collect();
            tok + Tensor::cat(table, 0).unsqueeze_dim::<3>(1) // [rows, 1, d]
        } else {
            tok
        }
    }

    pub(crate) fn head(&self, x: Tensor<3>) -> Tensor<3> {
        self.logits(self.ln_f.forward(x))
    }

    /// Logits from final hidden states (after `ln_f`): `[b, t, d] -> [b, t, vocab_size]`.
    pub fn logits(&self, x: Tensor<3>) -> Tensor<3> {
        match &self.lm_head {
            Some(head) => head.forward(x),
            None => {
                let [b, t, d] = x.dims();
                let w = self.wte.weight.val(); // [v, d]
                let v = w.dims()[0];
                x.reshape([b * t, d]).matmul(w.transpose()).reshape([b, t, v])
            }
        }
    }
}

/// Sinusoidal encodings of positions `start..start + t`, `[t, d]`.
fn sinusoids(start: usize, t: usize, d: usize, device: &Device) -> Tensor<2> {
    let mut table = vec![0.0f32; t * d];
    for p in 0..t {
        let pos = (start + p) as f64;
        for i in (0..d).step_by(2) {
            let angle = pos / 10_000f64.powf(i as f64 / d as f64);
            table[p * d + i] = angle.sin() as f32;
            if i + 1 < d {
                table[p * d + i + 1] = angle.cos() as f32;
            }
        }
    }
    Tensor::from_data(TensorData::new(table, [t, d]), device)
}
