//! A small learned text encoder for prompts: byte-level BPE tokens (genlab-tokenizer), an
//! embedding, a convolution over three neighbouring tokens (so a piece like "fo" reads
//! differently in "four" and in "for"), max-pooling over the prompt, and an MLP to 11 classes
//! (the ten digits and "no digit"), as in Kim's (2014) CNN sentence classifier. Byte-level
//! tokens mean unknown words and typos still encode.

use burn::module::Module;
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig, PaddingConfig1d, Relu};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_tokenizer::Bpe;
use genlab_train::fit_supervised;
use serde::{Deserialize, Serialize};

use crate::captions::NONE;

/// Configuration of [`TextEncoder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextEncoderConfig {
    /// Token ids (the tokenizer's vocabulary).
    pub vocab: usize,
    /// Embedding width.
    pub dim: usize,
    /// Classes: 10 digits + "no digit".
    pub classes: usize,
}

/// Tokens -> embeddings -> max over tokens -> MLP -> class logits.
#[derive(Module, Debug)]
pub struct TextEncoder {
    embed: Embedding,
    conv: Conv1d,
    hidden: Linear,
    out: Linear,
    relu: Relu,
}

/// Longest prompt kept, in tokens (longer prompts are cut).
pub const MAX_TOKENS: usize = 32;

impl TextEncoderConfig {
    /// Builds the encoder.
    pub fn init(&self, device: &Device) -> TextEncoder {
        TextEncoder {
            embed: EmbeddingConfig::new(self.vocab + 1, self.dim).init(device), // +1: padding
            conv: Conv1dConfig::new(self.dim, self.dim, 3)
                .with_padding(PaddingConfig1d::Same)
                .init(device),
            hidden: LinearConfig::new(self.dim, self.dim).init(device),
            out: LinearConfig::new(self.dim, self.classes).init(device),
            relu: Relu::new(),
        }
    }
}

/// Token ids of `prompts`, lower-cased and padded with `pad` to a common length: `[n, len]`.
pub fn tokenize(bpe: &Bpe, prompts: &[&str], device: &Device) -> Tensor<2, Int> {
    let pad = bpe.vocab_size() as i64;
    let ids: Vec<Vec<i64>> = prompts
        .iter()
        .map(|p| {
            bpe.encode(&p.trim().to_lowercase())
                .into_iter()
                .take(MAX_TOKENS)
                .map(i64::from)
                .collect()
        })
        .collect();
    let len = ids.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let flat: Vec<i64> = ids
        .iter()
        .flat_map(|v| v.iter().copied().chain(std::iter::repeat_n(pad, len - v.len())))
        .collect();
    Tensor::from_data(TensorData::new(flat, [prompts.len(), len]), device)
}

impl TextEncoder {
    /// Token ids `[batch, len]` -> class logits `[batch, classes]`. Padding is masked out of
    /// the max by a large negative value.
    pub fn forward(&self, ids: Tensor<2, Int>, pad: usize) -> Tensor<2> {
        let mask = ids.clone().equal_elem(pad as i64).unsqueeze_dim::<3>(1); // [b, 1, len]
        let e = self.embed.forward(ids).swap_dims(1, 2); // [b, dim, len]
        let h = self.relu.forward(self.conv.forward(e)).mask_fill(mask, -1e4); // [b, dim, len]
        let pooled = h.max_dim(2).squeeze_dim::<2>(2); // [b, dim]
        self.out.forward(self.relu.forward(self.hidden.forward(pooled)))
    }

    /// The most likely class of each prompt and its probability.
    pub fn classify(&self, bpe: &Bpe, prompts: &[&str], device: &Device) -> Vec<(usize, f32)> {
        let p = softmax(self.forward(tokenize(bpe, prompts, device), bpe.vocab_size()), 1);
        let [n, k] = p.dims();
        let v = p.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32");
        (0..n)
            .map(|i| {
                let row = &v[i * k..(i + 1) * k];
                row.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1)).expect("classes")
            })
            .collect()
    }
}

/// Trains a BPE tokenizer (vocab 320) and the encoder on `captions`; returns both.
pub fn train_text_encoder(
    captions: &[(String, usize)],
    epochs: u64,
    seed: u64,
    device: &Device,
) -> (Bpe, TextEncoder) {
    let corpus: String = captions.iter().map(|(t, _)| t.to_lowercase() + "\n").collect();
    let bpe =
        genlab_tokenizer::Trainer::new(320).train(&corpus).expect("captions train a tokenizer");
    let device = device.clone().autodiff();
    device.seed(seed);
    let cfg = TextEncoderConfig { vocab: bpe.vocab_size(), dim: 64, classes: NONE + 1 };
    let model =
        fit_supervised(cfg.init(&device), captions.len(), 64, epochs, seed, 3e-3, |m, idx| {
            let texts: Vec<&str> = idx.iter().map(|&i| captions[i].0.as_str()).collect();
            let y: Vec<i64> = idx.iter().map(|&i| captions[i].1 as i64).collect();
            let y = Tensor::<1, Int>::from_data(TensorData::new(y, [idx.len()]), &device);
            let logits = m.forward(tokenize(&bpe, &texts, &device), bpe.vocab_size());
            burn::nn::loss::CrossEntropyLossConfig::new().init(&device).forward(logits, y)
        });
    (bpe, model.valid())
}
