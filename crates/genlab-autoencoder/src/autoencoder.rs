//! The plain autoencoder of the seed: an MLP encoder shrinks the input (28×28 digits -> 16
//! numbers) and a mirrored decoder grows it back.

use burn::module::Module;
use burn::tensor::activation::{sigmoid, tanh};
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, at_least, check};
use serde::{Deserialize, Serialize};

use crate::loss::ReconLoss;
use crate::mlp::{Mlp, MlpConfig};

/// A squashing function on the latent code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LatentActivation {
    /// The code is the last Linear layer's output.
    #[default]
    None,
    /// Codes in (0, 1).
    Sigmoid,
    /// Codes in (-1, 1).
    Tanh,
}

/// Configuration of [`Autoencoder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoencoderConfig {
    /// Input shape `[channels, height, width]` (a sensor window is `[channels, 1, width]`).
    pub shape: [usize; 3],
    /// Hidden widths of the encoder, widest first; the decoder mirrors them.
    pub hidden: Vec<usize>,
    /// Size of the code.
    pub latent: usize,
    /// Squashing of the code.
    #[serde(default)]
    pub latent_activation: LatentActivation,
    /// Reconstruction loss (BCE implies a sigmoid output).
    pub loss: ReconLoss,
    /// Batch norm after every hidden Linear layer of encoder and decoder (PyOD's blocks).
    #[serde(default)]
    pub batch_norm: bool,
    /// Dropout probability after every hidden activation, in [0, 1) (PyOD uses 0.2).
    #[serde(default)]
    pub dropout: f64,
}

/// MLP encoder and mirrored decoder.
#[derive(Module, Debug)]
pub struct Autoencoder {
    encoder: Mlp,
    decoder: Mlp,
    #[module(skip)]
    latent_activation: LatentActivation,
    #[module(skip)]
    shape: [usize; 3],
    #[module(skip)]
    loss: ReconLoss,
}

impl AutoencoderConfig {
    /// The seed's example: 28×28 digits -> 256 -> 64 -> 16 numbers, and back.
    pub fn mnist16() -> Self {
        Self {
            shape: [1, 28, 28],
            hidden: vec![256, 64],
            latent: 16,
            latent_activation: LatentActivation::None,
            loss: ReconLoss::Bce,
            batch_norm: false,
            dropout: 0.0,
        }
    }

    /// Checks the sizes; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let shape = format!("{:?}", self.shape);
        check(!self.shape.contains(&0), "shape", shape, "positive sizes")?;
        let hidden = format!("{:?}", self.hidden);
        check(!self.hidden.contains(&0), "hidden", hidden, "positive widths")?;
        at_least("latent", self.latent, 1)?;
        let dropout = self.dropout;
        check(
            (0.0..1.0).contains(&dropout),
            "dropout",
            dropout.to_string(),
            "a probability in [0, 1)",
        )
    }

    /// Builds the model.
    pub fn init(&self, device: &Device) -> Autoencoder {
        let input: usize = self.shape.iter().product();
        let rev: Vec<usize> = self.hidden.iter().rev().copied().collect();
        Autoencoder {
            encoder: MlpConfig::new(input, &self.hidden, self.latent)
                .with_regularisation(self.batch_norm, self.dropout)
                .init(device),
            decoder: MlpConfig::new(self.latent, &rev, input)
                .with_regularisation(self.batch_norm, self.dropout)
                .init(device),
            latent_activation: self.latent_activation,
            shape: self.shape,
            loss: self.loss,
        }
    }
}

impl Autoencoder {
    /// `[batch, c, h, w] -> [batch, latent]`.
    pub fn encode(&self, x: Tensor<4>) -> Tensor<2> {
        let z = self.encoder.forward(x.flatten(1, 3)); // [batch, latent]
        match self.latent_activation {
            LatentActivation::None => z,
            LatentActivation::Sigmoid => sigmoid(z),
            LatentActivation::Tanh => tanh(z),
        }
    }

    /// `[batch, latent] -> [batch, c, h, w]` raw outputs (logits under BCE).
    pub fn decode_raw(&self, z: Tensor<2>) -> Tensor<4> {
        let batch = z.dims()[0];
        let [c, h, w] = self.shape;
        self.decoder.forward(z).reshape([batch, c, h, w])
    }

    /// The reconstruction loss.
    pub fn loss(&self) -> ReconLoss {
        self.loss
    }

    /// Size of the code.
    pub fn latent(&self) -> usize {
        self.decoder.input_dim()
    }
}
