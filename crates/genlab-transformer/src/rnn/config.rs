//! The char-RNN's hyper-parameters and presets.

use burn::tensor::Device;
use genlab_config::{ConfigError, at_least, in_half_open};
use serde::{Deserialize, Serialize};

use super::model::CharRnn;
use crate::pretrain::ModelConfig;

/// The recurrent cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// Long short-term memory (PyTorch's `nn.LSTM`): 4 gates.
    Lstm,
    /// Gated recurrent unit (PyTorch's `nn.GRU`): 3 gates.
    Gru,
}

impl Cell {
    /// `lstm` or `gru`.
    pub fn parse(name: &str) -> Result<Self, ConfigError> {
        match name {
            "lstm" => Ok(Self::Lstm),
            "gru" => Ok(Self::Gru),
            other => Err(ConfigError::new("cell", format!("{other:?}"), "lstm or gru")),
        }
    }

    /// `lstm` or `gru`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Lstm => "lstm",
            Self::Gru => "gru",
        }
    }

    /// Gate blocks per layer (4 for the LSTM, 3 for the GRU).
    pub fn gates(self) -> usize {
        match self {
            Self::Lstm => 4,
            Self::Gru => 3,
        }
    }
}

/// Shape of a char-RNN: embedding -> `n_layer` stacked cells -> linear head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RnnConfig {
    /// LSTM or GRU.
    pub cell: Cell,
    /// Number of token ids.
    pub vocab_size: usize,
    /// Length of the training windows (the model itself has no context limit).
    pub block_size: usize,
    /// Stacked recurrent layers.
    pub n_layer: usize,
    /// Width of the token embedding.
    pub n_embd: usize,
    /// Width of the hidden state of every layer.
    pub n_hidden: usize,
    /// Dropout on the outputs of every layer but the last (PyTorch's `dropout=`).
    pub dropout: f64,
}

impl RnnConfig {
    /// About the parameter count of the baby GPT (0.80M at 65 characters), trained on the same
    /// windows (context 64): 2 layers, embedding 128, hidden 232 (LSTM, 0.79M) or 272 (GRU,
    /// 0.80M).
    pub fn baby(cell: Cell, vocab_size: usize) -> Self {
        let n_hidden = match cell {
            Cell::Lstm => 232,
            Cell::Gru => 272,
        };
        Self { cell, vocab_size, block_size: 64, n_layer: 2, n_embd: 128, n_hidden, dropout: 0.0 }
    }

    /// Karpathy's char-rnn default size: 2 layers of 512, context 256, dropout 0.2.
    pub fn small(cell: Cell, vocab_size: usize) -> Self {
        Self {
            block_size: 256,
            n_embd: 256,
            n_hidden: 512,
            dropout: 0.2,
            ..Self::baby(cell, vocab_size)
        }
    }

    /// A toy for tests: 1 layer of 32, context 16.
    pub fn tiny(cell: Cell, vocab_size: usize) -> Self {
        Self {
            cell,
            vocab_size,
            block_size: 16,
            n_layer: 1,
            n_embd: 16,
            n_hidden: 32,
            dropout: 0.0,
        }
    }

    /// A preset by name: `baby`, `small` or `tiny`.
    pub fn preset(name: &str, cell: Cell, vocab_size: usize) -> Result<Self, ConfigError> {
        match name {
            "baby" => Ok(Self::baby(cell, vocab_size)),
            "small" => Ok(Self::small(cell, vocab_size)),
            "tiny" => Ok(Self::tiny(cell, vocab_size)),
            other => Err(ConfigError::new("preset", format!("{other:?}"), "baby, small or tiny")),
        }
    }

    /// Checks the shape is buildable; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("vocab_size", self.vocab_size, 1)?;
        at_least("block_size", self.block_size, 1)?;
        at_least("n_layer", self.n_layer, 1)?;
        at_least("n_embd", self.n_embd, 1)?;
        at_least("n_hidden", self.n_hidden, 1)?;
        in_half_open("dropout", self.dropout, 0.0, 1.0)
    }

    /// Parameters in the model, counted as PyTorch counts `nn.Embedding` + `nn.LSTM`/`nn.GRU`
    /// (two biases per layer) + `nn.Linear`.
    pub fn num_params(&self) -> usize {
        let (v, e, h, g) = (self.vocab_size, self.n_embd, self.n_hidden, self.cell.gates());
        let layer = |d_in: usize| g * h * (d_in + h) + 2 * g * h;
        let layers: usize = (0..self.n_layer).map(|l| layer(if l == 0 { e } else { h })).sum();
        v * e + layers + h * v + v
    }
}

impl ModelConfig for RnnConfig {
    type Model = CharRnn;
    const FAMILY: &'static str = "rnn";
    fn validate(&self) -> Result<(), ConfigError> {
        RnnConfig::validate(self)
    }
    fn init(&self, device: &Device) -> CharRnn {
        RnnConfig::init(self, device)
    }
    fn block_size(&self) -> usize {
        self.block_size
    }
    fn describe(&self) -> String {
        format!(
            "a {}-parameter {} char-RNN ({} layers, embedding {}, hidden {}, windows of {})",
            self.num_params(),
            self.cell.name().to_uppercase(),
            self.n_layer,
            self.n_embd,
            self.n_hidden,
            self.block_size
        )
    }
}
