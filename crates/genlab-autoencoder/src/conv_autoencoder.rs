//! A convolutional autoencoder: strided convolutions down to a code, transposed convolutions
//! back up.

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, at_least};
use serde::{Deserialize, Serialize};

use crate::conv_stack::{ConvDecoder, ConvEncoder, ConvStackConfig};
use crate::loss::ReconLoss;

/// Configuration of [`ConvAutoencoder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvAutoencoderConfig {
    /// Input shape `[channels, height, width]`; height and width divisible by `2^layers`.
    pub shape: [usize; 3],
    /// Feature maps after each stride-2 layer.
    pub channels: Vec<usize>,
    /// Size of the code.
    pub latent: usize,
    /// Reconstruction loss.
    pub loss: ReconLoss,
}

/// Conv encoder to a code, transposed-conv decoder back.
#[derive(Module, Debug)]
pub struct ConvAutoencoder {
    encoder: ConvEncoder,
    decoder: ConvDecoder,
    #[module(skip)]
    loss: ReconLoss,
}

impl ConvAutoencoderConfig {
    /// 28×28 digits -> 16 numbers with two conv layers (32, 64 maps).
    pub fn mnist16() -> Self {
        Self { shape: [1, 28, 28], channels: vec![32, 64], latent: 16, loss: ReconLoss::Bce }
    }

    fn stack(&self) -> ConvStackConfig {
        ConvStackConfig {
            in_channels: self.shape[0],
            size: [self.shape[1], self.shape[2]],
            channels: self.channels.clone(),
            out_features: self.latent,
        }
    }

    /// Checks the sizes; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("latent", self.latent, 1)?;
        self.stack().validate_for_shape(self.shape)
    }

    /// Builds the model.
    pub fn init(&self, device: &Device) -> ConvAutoencoder {
        let stack = self.stack();
        ConvAutoencoder {
            encoder: stack.init_encoder(device),
            decoder: stack.init_decoder(device),
            loss: self.loss,
        }
    }
}

impl ConvAutoencoder {
    /// `[batch, c, h, w] -> [batch, latent]`.
    pub fn encode(&self, x: Tensor<4>) -> Tensor<2> {
        self.encoder.forward(x)
    }

    /// `[batch, latent] -> [batch, c, h, w]` raw outputs.
    pub fn decode_raw(&self, z: Tensor<2>) -> Tensor<4> {
        self.decoder.forward(z)
    }

    /// The reconstruction loss.
    pub fn loss(&self) -> ReconLoss {
        self.loss
    }

    /// Size of the code.
    pub fn latent(&self) -> usize {
        self.encoder.out_features()
    }
}
