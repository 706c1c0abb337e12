//! The GPT's hyper-parameters and presets.

use genlab_config::{ConfigError, at_least, check, in_half_open};
use serde::{Deserialize, Serialize};

/// How token positions enter the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PosEncoding {
    /// A learned embedding per position (GPT-2, nanoGPT).
    Learned,
    /// Fixed sines and cosines added to the token embedding ("Attention Is All You Need").
    Sinusoidal,
    /// Rotary embeddings applied to queries and keys in every layer (RoPE, Su et al. 2021).
    Rotary,
}

/// Shape of a GPT. Field names follow nanoGPT's `GPTConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GptConfig {
    /// Number of token ids.
    pub vocab_size: usize,
    /// Longest context the model sees (positions 0..block_size).
    pub block_size: usize,
    /// Transformer blocks.
    pub n_layer: usize,
    /// Attention heads per block.
    pub n_head: usize,
    /// Width of the residual stream.
    pub n_embd: usize,
    /// Dropout probability (embeddings, attention output, MLP output).
    pub dropout: f64,
    /// Biases in Linear layers and LayerNorms.
    pub bias: bool,
    /// Positional encoding.
    pub pos_encoding: PosEncoding,
    /// Share the token embedding matrix with the LM head (GPT-2 does).
    pub tie_weights: bool,
}

impl GptConfig {
    /// nanoGPT's CPU config (`train_shakespeare_char.py` on a laptop): 4 layers, 4 heads,
    /// 128 wide, context 64.
    pub fn baby(vocab_size: usize) -> Self {
        Self {
            vocab_size,
            block_size: 64,
            n_layer: 4,
            n_head: 4,
            n_embd: 128,
            dropout: 0.0,
            bias: false,
            pos_encoding: PosEncoding::Learned,
            tie_weights: true,
        }
    }

    /// nanoGPT's Shakespeare-char GPU config: 6 layers, 6 heads, 384 wide, context 256.
    pub fn small(vocab_size: usize) -> Self {
        Self {
            block_size: 256,
            n_layer: 6,
            n_head: 6,
            n_embd: 384,
            dropout: 0.2,
            ..Self::baby(vocab_size)
        }
    }

    /// The shape of GPT-2 small (124M with its 50,257-token vocabulary).
    pub fn gpt2_small(vocab_size: usize) -> Self {
        Self {
            block_size: 1024,
            n_layer: 12,
            n_head: 12,
            n_embd: 768,
            dropout: 0.0,
            bias: true,
            ..Self::baby(vocab_size)
        }
    }

    /// A preset by name: `baby`, `small` or `gpt2`.
    pub fn preset(name: &str, vocab_size: usize) -> Result<Self, ConfigError> {
        match name {
            "baby" => Ok(Self::baby(vocab_size)),
            "small" => Ok(Self::small(vocab_size)),
            "gpt2" | "gpt2-small" => Ok(Self::gpt2_small(vocab_size)),
            other => Err(ConfigError::new("preset", format!("{other:?}"), "baby, small or gpt2")),
        }
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.n_embd / self.n_head
    }

    /// Checks the shape is buildable; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("vocab_size", self.vocab_size, 1)?;
        at_least("block_size", self.block_size, 1)?;
        at_least("n_layer", self.n_layer, 1)?;
        at_least("n_head", self.n_head, 1)?;
        at_least("n_embd", self.n_embd, 1)?;
        let divisible = format!("a multiple of n_head ({})", self.n_head);
        check(self.n_embd.is_multiple_of(self.n_head), "n_embd", self.n_embd, divisible)?;
        if self.pos_encoding == PosEncoding::Rotary {
            let even = self.head_dim().is_multiple_of(2);
            check(even, "n_embd", self.n_embd, "an even head width (n_embd / n_head) for rotary")?;
        }
        in_half_open("dropout", self.dropout, 0.0, 1.0)
    }

    /// Parameters in the model (embeddings included; tied weights counted once).
    pub fn num_params(&self) -> usize {
        let (d, v, l) = (self.n_embd, self.vocab_size, self.n_layer);
        let b = usize::from(self.bias);
        let ln = d + b * d;
        let attn = d * 3 * d + b * 3 * d + d * d + b * d;
        let mlp = d * 4 * d + b * 4 * d + 4 * d * d + b * d;
        let wpe = if self.pos_encoding == PosEncoding::Learned { self.block_size * d } else { 0 };
        let head = if self.tie_weights { 0 } else { d * v };
        v * d + wpe + l * (2 * ln + attn + mlp) + ln + head
    }
}
