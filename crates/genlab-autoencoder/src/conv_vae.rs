//! A convolutional VAE for colour images (64×64 faces by default): strided convolutions to
//! (mu, logvar), transposed convolutions back.

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, at_least, check};
use serde::{Deserialize, Serialize};

use crate::conv_stack::{ConvDecoder, ConvEncoder, ConvStackConfig};
use crate::loss::ReconLoss;
use crate::posterior::Posterior;

fn one() -> f32 {
    1.0
}

/// Configuration of [`ConvVae`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvVaeConfig {
    /// Input shape `[channels, height, width]`; height and width divisible by `2^layers`.
    pub shape: [usize; 3],
    /// Feature maps after each stride-2 layer.
    pub channels: Vec<usize>,
    /// Latent dimensions.
    pub latent: usize,
    /// Decoder likelihood.
    pub loss: ReconLoss,
    /// Standard deviation of the Gaussian decoder (MSE only).
    #[serde(default = "one")]
    pub sigma: f32,
}

/// Conv encoder to (mu, logvar), transposed-conv decoder from z.
#[derive(Module, Debug)]
pub struct ConvVae {
    encoder: ConvEncoder,
    decoder: ConvDecoder,
    #[module(skip)]
    latent: usize,
    #[module(skip)]
    loss: ReconLoss,
    #[module(skip)]
    sigma: f32,
}

impl ConvVaeConfig {
    /// 64×64 RGB faces -> 32 latent dimensions, maps 32-64-128-256.
    pub fn faces() -> Self {
        Self {
            shape: [3, 64, 64],
            channels: vec![32, 64, 128, 256],
            latent: 32,
            loss: ReconLoss::Bce,
            sigma: 1.0,
        }
    }

    fn stack(&self, out_features: usize) -> ConvStackConfig {
        ConvStackConfig {
            in_channels: self.shape[0],
            size: [self.shape[1], self.shape[2]],
            channels: self.channels.clone(),
            out_features,
        }
    }

    /// Checks the sizes; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("latent", self.latent, 1)?;
        // Not NaN and above zero (infinity passes, as before).
        check(self.sigma > 0.0, "sigma", self.sigma, "a positive number")?;
        self.stack(1).validate_for_shape(self.shape)
    }

    /// Builds the model.
    pub fn init(&self, device: &Device) -> ConvVae {
        ConvVae {
            encoder: self.stack(2 * self.latent).init_encoder(device),
            decoder: self.stack(self.latent).init_decoder(device),
            latent: self.latent,
            loss: self.loss,
            sigma: self.sigma,
        }
    }
}

impl ConvVae {
    /// q(z|x): `[batch, c, h, w] -> mu, logvar [batch, latent]`.
    pub fn encode(&self, x: Tensor<4>) -> Posterior {
        let stats = self.encoder.forward(x); // [batch, 2 latent]
        let mut halves = stats.chunk(2, 1).into_iter();
        let mu = halves.next().expect("two halves");
        let logvar = halves.next().expect("two halves");
        Posterior { mu, logvar }
    }

    /// `[batch, latent] -> [batch, c, h, w]` raw outputs.
    pub fn decode_raw(&self, z: Tensor<2>) -> Tensor<4> {
        self.decoder.forward(z)
    }

    /// Latent dimensions.
    pub fn latent(&self) -> usize {
        self.latent
    }

    /// Decoder likelihood and its sigma (MSE only).
    pub fn likelihood(&self) -> (ReconLoss, f32) {
        (self.loss, self.sigma)
    }
}
