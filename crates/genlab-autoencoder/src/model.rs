//! One type for every autoencoder, so training, evaluation, the latent tools and the CLI are
//! written once: [`ModelConfig`] (tagged by `model = "ae" | "conv-ae" | "dae" | "vae" |
//! "conv-vae"` in JSON/TOML) builds an [`AeModel`].

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use genlab_config::ConfigError;
use serde::{Deserialize, Serialize};

use crate::autoencoder::{Autoencoder, AutoencoderConfig};
use crate::conv_autoencoder::{ConvAutoencoder, ConvAutoencoderConfig};
use crate::conv_vae::{ConvVae, ConvVaeConfig};
use crate::denoiser::{Denoiser, DenoiserConfig};
use crate::loss::ReconLoss;
use crate::posterior::{Posterior, neg_log_likelihood};
use crate::vae::{Vae, VaeConfig};

/// Any autoencoder's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "kebab-case")]
pub enum ModelConfig {
    /// MLP autoencoder.
    Ae(AutoencoderConfig),
    /// Convolutional autoencoder.
    ConvAe(ConvAutoencoderConfig),
    /// Fully convolutional denoising autoencoder for photos.
    Dae(DenoiserConfig),
    /// MLP VAE.
    Vae(VaeConfig),
    /// Convolutional VAE.
    ConvVae(ConvVaeConfig),
}

impl ModelConfig {
    /// Checks the sizes; the error names the problem.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            Self::Ae(c) => c.validate(),
            Self::ConvAe(c) => c.validate(),
            Self::Dae(c) => c.validate(),
            Self::Vae(c) => c.validate(),
            Self::ConvVae(c) => c.validate(),
        }
    }

    /// Builds the model.
    pub fn init(&self, device: &Device) -> AeModel {
        match self {
            Self::Ae(c) => AeModel::Ae(c.init(device)),
            Self::ConvAe(c) => AeModel::ConvAe(c.init(device)),
            Self::Dae(c) => AeModel::Dae(c.init(device)),
            Self::Vae(c) => AeModel::Vae(c.init(device)),
            Self::ConvVae(c) => AeModel::ConvVae(c.init(device)),
        }
    }

    /// The input shape `[c, h, w]` (None for the denoiser, which takes any size).
    pub fn shape(&self) -> Option<[usize; 3]> {
        match self {
            Self::Ae(c) => Some(c.shape),
            Self::ConvAe(c) => Some(c.shape),
            Self::Dae(_) => None,
            Self::Vae(c) => Some(c.shape),
            Self::ConvVae(c) => Some(c.shape),
        }
    }

    /// Image channels.
    pub fn channels(&self) -> usize {
        match self {
            Self::Dae(c) => c.channels,
            other => other.shape().expect("fixed shape")[0],
        }
    }

    /// The CLI name: `ae`, `conv-ae`, `dae`, `vae` or `conv-vae`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ae(_) => "ae",
            Self::ConvAe(_) => "conv-ae",
            Self::Dae(_) => "dae",
            Self::Vae(_) => "vae",
            Self::ConvVae(_) => "conv-vae",
        }
    }
}

/// Per-item training losses, `[batch]` each, in nats (BCE) or squared error (MSE).
#[derive(Debug, Clone)]
pub struct Losses {
    /// -log p(x|z) or the reconstruction error.
    pub recon: Tensor<1>,
    /// KL(q(z|x) || p(z)) for VAEs.
    pub kl: Option<Tensor<1>>,
}

impl Losses {
    /// `recon + beta * kl` per item: `[batch]`.
    pub fn per_item(&self, beta: f32) -> Tensor<1> {
        match &self.kl {
            Some(kl) => self.recon.clone() + kl.clone().mul_scalar(beta),
            None => self.recon.clone(),
        }
    }

    /// `recon + beta * kl`, averaged over the batch: the quantity to minimise.
    pub fn objective(&self, beta: f32) -> Tensor<1> {
        self.per_item(beta).mean()
    }
}

/// Any autoencoder.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum AeModel {
    /// MLP autoencoder.
    Ae(Autoencoder),
    /// Convolutional autoencoder.
    ConvAe(ConvAutoencoder),
    /// Denoising autoencoder.
    Dae(Denoiser),
    /// MLP VAE.
    Vae(Vae),
    /// Convolutional VAE.
    ConvVae(ConvVae),
}

impl AeModel {
    /// Whether this is a VAE (has a posterior, a prior to sample and an ELBO).
    pub fn is_variational(&self) -> bool {
        matches!(self, Self::Vae(_) | Self::ConvVae(_))
    }

    /// The reconstruction loss the model was trained with.
    pub fn recon_loss(&self) -> ReconLoss {
        match self {
            Self::Ae(m) => m.loss(),
            Self::ConvAe(m) => m.loss(),
            Self::Dae(_) => ReconLoss::Mse,
            Self::Vae(m) => m.likelihood().0,
            Self::ConvVae(m) => m.likelihood().0,
        }
    }

    /// Size of the code (None for the denoiser, whose code is a feature map).
    pub fn latent_dim(&self) -> Option<usize> {
        match self {
            Self::Ae(m) => Some(m.latent()),
            Self::ConvAe(m) => Some(m.latent()),
            Self::Dae(_) => None,
            Self::Vae(m) => Some(m.latent()),
            Self::ConvVae(m) => Some(m.latent()),
        }
    }

    /// q(z|x) of a VAE.
    pub fn posterior(&self, x: Tensor<4>) -> Option<Posterior> {
        match self {
            Self::Vae(m) => Some(m.encode(x)),
            Self::ConvVae(m) => Some(m.encode(x)),
            _ => None,
        }
    }

    /// The code of `x`: the AE's code, or the VAE's posterior mean. `[batch, latent]`.
    pub fn encode(&self, x: Tensor<4>) -> Option<Tensor<2>> {
        match self {
            Self::Ae(m) => Some(m.encode(x)),
            Self::ConvAe(m) => Some(m.encode(x)),
            Self::Dae(_) => None,
            Self::Vae(m) => Some(m.encode(x).mu),
            Self::ConvVae(m) => Some(m.encode(x).mu),
        }
    }

    /// Raw decoder outputs (logits under BCE): `[batch, latent] -> [batch, c, h, w]`.
    pub fn decode_raw(&self, z: Tensor<2>) -> Option<Tensor<4>> {
        match self {
            Self::Ae(m) => Some(m.decode_raw(z)),
            Self::ConvAe(m) => Some(m.decode_raw(z)),
            Self::Dae(_) => None,
            Self::Vae(m) => Some(m.decode_raw(z)),
            Self::ConvVae(m) => Some(m.decode_raw(z)),
        }
    }

    /// Decodes codes to data: `[batch, latent] -> [batch, c, h, w]`.
    pub fn decode(&self, z: Tensor<2>) -> Option<Tensor<4>> {
        self.decode_raw(z).map(|raw| self.recon_loss().output(raw))
    }

    /// The model's reconstruction of `x` (for a VAE, decoded from the posterior mean).
    pub fn reconstruct(&self, x: Tensor<4>) -> Tensor<4> {
        match self {
            Self::Dae(m) => m.forward(x),
            _ => {
                let z = self.encode(x).expect("every other model has a code");
                self.decode(z).expect("every other model has a decoder")
            }
        }
    }

    /// -log p(x|z) (VAE) or the reconstruction loss, per item, from raw outputs.
    pub fn nll(&self, raw: Tensor<4>, target: Tensor<4>) -> Tensor<1> {
        let (raw, target) = (raw.flatten(1, 3), target.flatten(1, 3));
        match self {
            Self::Vae(m) => neg_log_likelihood(m.likelihood().0, m.likelihood().1, raw, target),
            Self::ConvVae(m) => neg_log_likelihood(m.likelihood().0, m.likelihood().1, raw, target),
            _ => self.recon_loss().per_item(raw, target),
        }
    }

    /// Training losses of `input` against `target` (the same tensor, or the clean image when
    /// `input` is corrupted). VAEs draw one reparameterised z per item.
    pub fn losses(&self, input: Tensor<4>, target: Tensor<4>) -> Losses {
        match self {
            Self::Dae(m) => {
                let out = m.forward(input);
                Losses { recon: self.nll(out, target), kl: None }
            }
            Self::Vae(_) | Self::ConvVae(_) => {
                let q = self.posterior(input).expect("a VAE");
                let raw = self.decode_raw(q.sample()).expect("a VAE");
                Losses { recon: self.nll(raw, target), kl: Some(q.kl()) }
            }
            _ => {
                let z = self.encode(input).expect("an AE");
                let raw = self.decode_raw(z).expect("an AE");
                Losses { recon: self.nll(raw, target), kl: None }
            }
        }
    }
}
