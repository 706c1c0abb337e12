//! WaveNet (van den Oord et al. 2016): the class of each audio sample predicted from the
//! samples before it, through stacks of dilated causal convolutions.
//!
//! ```text
//! x [b, t] classes ─ embed ─> h [b, t, r]
//!   for each layer (dilations 1, 2, 4, ... 2^(k-1), repeated `stacks` times):
//!     z = conv_d(h) + speaker bias          [b, t, 2g]
//!     out = tanh(z_filter) ⊙ σ(z_gate)        [b, t, g]
//!     h += res(out); skip += skip(out)      [b, t, r], [b, t, s]
//! logits = out2(relu(out1(relu(skip))))     [b, t, 256]   predicts x[t + 1]
//! ```
//!
//! The input embedding is a 1×1 convolution over one-hot classes, as in the common PyTorch
//! reimplementations.

use burn::config::Config;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Int, Tensor};
use genlab_config::{ConfigError, at_least, check};

use crate::layer::{ResidualLayer, ResidualLayerConfig};
use crate::mulaw::CLASSES;

/// Configuration of [`WaveNet`].
#[derive(Config, Debug, PartialEq)]
pub struct WaveNetConfig {
    /// Layers per stack; dilations run 1, 2, ..., 2^(layers - 1).
    pub layers: usize,
    /// Stacks of layers.
    pub stacks: usize,
    /// Channels of the residual stream.
    pub residual: usize,
    /// Channels of each gate half.
    pub gate: usize,
    /// Channels of the skip sum.
    pub skip: usize,
    /// Channels of the head's hidden layer.
    pub end: usize,
    /// Speakers for global conditioning (0 = unconditional).
    #[config(default = 0)]
    pub speakers: usize,
    /// Sample rate of the audio the model learns, in Hz.
    #[config(default = 16000)]
    pub sample_rate: u32,
}

/// The presets, smallest first: `(name, layers, stacks, residual, gate, skip, end)`.
pub const PRESETS: [(&str, usize, usize, usize, usize, usize, usize); 3] = [
    // Tests: 16 samples (1 ms) of context.
    ("tiny", 4, 1, 8, 8, 16, 16),
    // The default: 511 samples (32 ms at 16 kHz), trains and generates fast on a laptop CPU.
    ("small", 8, 2, 32, 32, 64, 64),
    // The common PyTorch reimplementations' shape: 3,070 samples (192 ms at 16 kHz).
    ("classic", 10, 3, 32, 32, 256, 256),
];

/// The preset used when none is named.
pub const DEFAULT_PRESET: &str = "small";

impl WaveNetConfig {
    /// The preset `name` (see [`PRESETS`]).
    pub fn preset(name: &str) -> Result<Self, ConfigError> {
        let (_, layers, stacks, residual, gate, skip, end) =
            PRESETS.iter().find(|p| p.0 == name).copied().ok_or_else(|| {
                let names: Vec<&str> = PRESETS.iter().map(|p| p.0).collect();
                ConfigError::new("preset", name, format!("one of {}", names.join(", ")))
            })?;
        Ok(Self::new(layers, stacks, residual, gate, skip, end))
    }

    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("layers", self.layers, 1)?;
        check(self.layers <= 16, "layers", self.layers, "at most 16 (dilation 32768)")?;
        at_least("stacks", self.stacks, 1)?;
        at_least("residual", self.residual, 1)?;
        at_least("gate", self.gate, 1)?;
        at_least("skip", self.skip, 1)?;
        at_least("end", self.end, 1)?;
        let rates = crate::data::RATES;
        let ok = (rates.0..=rates.1).contains(&self.sample_rate);
        check(ok, "sample_rate", self.sample_rate, "4000 to 96000 Hz")
    }

    /// The dilation of every layer, in order.
    pub fn dilations(&self) -> Vec<usize> {
        (0..self.stacks).flat_map(|_| (0..self.layers).map(|i| 1usize << i)).collect()
    }

    /// Samples the prediction of the next one sees: 1 + the sum of the dilations.
    pub fn receptive_field(&self) -> usize {
        1 + self.dilations().iter().sum::<usize>()
    }

    /// The receptive field in milliseconds at the model's rate.
    pub fn receptive_field_ms(&self) -> f64 {
        self.receptive_field() as f64 * 1000.0 / self.sample_rate as f64
    }

    /// Multiply-adds per generated sample (the fast generator's work).
    pub fn macs_per_sample(&self) -> usize {
        let (r, g, s, e) = (self.residual, self.gate, self.skip, self.end);
        let layer = 2 * r * 2 * g + g * r + g * s;
        self.dilations().len() * layer + s * e + e * CLASSES
    }

    /// Builds the model with PyTorch's default initialisation.
    pub fn init(&self, device: &burn::tensor::Device) -> WaveNet {
        let layers = self
            .dilations()
            .into_iter()
            .map(|d| {
                ResidualLayerConfig::new(self.residual, self.gate, self.skip, d)
                    .with_speakers(self.speakers)
                    .init(device)
            })
            .collect();
        WaveNet {
            embed: EmbeddingConfig::new(CLASSES, self.residual).init(device),
            layers,
            out1: LinearConfig::new(self.skip, self.end).init(device),
            out2: LinearConfig::new(self.end, CLASSES).init(device),
        }
    }
}

/// The model. See the [module docs](self).
#[derive(Module, Debug)]
pub struct WaveNet {
    /// Input classes to the residual stream (a 1×1 conv over one-hot).
    pub embed: Embedding,
    /// The residual layers, in order.
    pub layers: Vec<ResidualLayer>,
    /// Head: skip -> end.
    pub out1: Linear,
    /// Head: end -> 256 logits.
    pub out2: Linear,
}

impl WaveNet {
    /// `x: [b, t]` classes, `speaker: [b]` ids (for a conditioned model) -> logits
    /// `[b, t, 256]`; position `t` predicts sample `t + 1`.
    pub fn forward(&self, x: Tensor<2, Int>, speaker: Option<Tensor<1, Int>>) -> Tensor<3> {
        let speaker = speaker.map(|s| s.unsqueeze_dim::<2>(1)); // [b, 1]
        let mut h = self.embed.forward(x); // [b, t, r]
        let mut skip: Option<Tensor<3>> = None;
        for layer in &self.layers {
            let (next, s) = layer.forward(h, speaker.clone());
            h = next;
            skip = Some(match skip {
                Some(sum) => sum + s,
                None => s,
            }); // [b, t, s]
        }
        let skip = skip.expect("at least one layer");
        self.out2.forward(relu(self.out1.forward(relu(skip)))) // [b, t, 256]
    }

    /// Mean cross-entropy (nats per sample) of predicting `targets: [b, t]` from `x: [b, t]`.
    pub fn loss(
        &self,
        x: Tensor<2, Int>,
        targets: Tensor<2, Int>,
        speaker: Option<Tensor<1, Int>>,
    ) -> Tensor<1> {
        let [b, t] = x.dims();
        let logits = self.forward(x, speaker); // [b, t, 256]
        CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.reshape([b * t, CLASSES]), targets.reshape([b * t]))
    }

    /// Whether the model takes a speaker id.
    pub fn is_conditioned(&self) -> bool {
        self.layers.first().is_some_and(|l| l.cond.is_some())
    }
}
