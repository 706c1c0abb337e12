//! The autoencoders' presets: what `--model ae | conv-ae | dae | vae | conv-vae` builds for
//! items of a given shape, with optional overrides, and the training defaults each model
//! uses. Programs pass plain values; nothing here knows about command lines.

use genlab_config::ConfigError;

use crate::autoencoder::{AutoencoderConfig, LatentActivation};
use crate::conv_autoencoder::ConvAutoencoderConfig;
use crate::conv_vae::ConvVaeConfig;
use crate::corrupt::Corruption;
use crate::denoiser::DenoiserConfig;
use crate::loss::ReconLoss;
use crate::model::ModelConfig;
use crate::train::TrainConfig;
use crate::vae::VaeConfig;

/// A model by name, with the settings a user may override (None = the preset's).
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// `ae`, `conv-ae`, `dae`, `vae` or `conv-vae`.
    pub model: String,
    /// Encoder hidden widths of the MLP models (ae 256,64; vae 400).
    pub hidden: Option<Vec<usize>>,
    /// Feature maps per stride-2 layer of the conv models (32,64 under 64 px; 32..256 at 64+);
    /// for the denoiser, its first entry is the width.
    pub channels: Option<Vec<usize>>,
    /// Size of the code (ae 16, vae 20, conv-vae 32).
    pub latent: Option<usize>,
    /// Squashing of the AE's code.
    pub latent_activation: LatentActivation,
    /// Reconstruction loss (None: the data's usual one).
    pub loss: Option<ReconLoss>,
    /// Standard deviation of a VAE's Gaussian decoder (with MSE).
    pub decoder_sigma: f32,
    /// Batch norm in every hidden block (ae only).
    pub batch_norm: bool,
    /// Dropout after every hidden activation (ae only).
    pub dropout: f64,
}

impl Preset {
    /// The preset `model` with nothing overridden.
    pub fn named(model: &str) -> Self {
        Self {
            model: model.into(),
            hidden: None,
            channels: None,
            latent: None,
            latent_activation: LatentActivation::None,
            loss: None,
            decoder_sigma: 1.0,
            batch_norm: false,
            dropout: 0.0,
        }
    }

    /// The model for items of `shape` (`[channels, h, w]`; only the channels for the
    /// denoiser), with `default_loss` unless a loss was chosen.
    pub fn config(
        &self,
        shape: [usize; 3],
        default_loss: ReconLoss,
    ) -> Result<ModelConfig, ConfigError> {
        let loss = self.loss.unwrap_or(default_loss);
        if (self.batch_norm || self.dropout != 0.0) && self.model != "ae" {
            return Err(ConfigError::new(
                "model",
                format!("{:?}", self.model),
                "ae with batch norm or dropout (they apply to the MLP autoencoder's blocks)",
            ));
        }
        let side = shape[1].min(shape[2]);
        let conv_default = || if side >= 64 { vec![32, 64, 128, 256] } else { vec![32, 64] };
        let cfg = match self.model.as_str() {
            "ae" => ModelConfig::Ae(AutoencoderConfig {
                shape,
                hidden: self.hidden.clone().unwrap_or_else(|| vec![256, 64]),
                latent: self.latent.unwrap_or(16),
                latent_activation: self.latent_activation,
                loss,
                batch_norm: self.batch_norm,
                dropout: self.dropout,
            }),
            "conv-ae" => ModelConfig::ConvAe(ConvAutoencoderConfig {
                shape,
                channels: self.channels.clone().unwrap_or_else(conv_default),
                latent: self.latent.unwrap_or(16),
                loss,
            }),
            "dae" => {
                let mut c = DenoiserConfig::rgb();
                c.channels = shape[0];
                if let Some(ch) = self.channels.as_ref().and_then(|c| c.first()) {
                    c.features = *ch;
                }
                ModelConfig::Dae(c)
            }
            "vae" => ModelConfig::Vae(VaeConfig {
                shape,
                hidden: self.hidden.clone().unwrap_or_else(|| vec![400]),
                latent: self.latent.unwrap_or(20),
                loss,
                sigma: self.decoder_sigma,
            }),
            "conv-vae" => ModelConfig::ConvVae(ConvVaeConfig {
                shape,
                channels: self.channels.clone().unwrap_or_else(conv_default),
                latent: self.latent.unwrap_or(32),
                loss,
                sigma: self.decoder_sigma,
            }),
            other => {
                return Err(ConfigError::new(
                    "model",
                    format!("{other:?}"),
                    "ae, conv-ae, dae, vae or conv-vae",
                ));
            }
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

impl TrainConfig {
    /// The training defaults for `model`: PyTorch's VAE example for the MLP models; batches of
    /// 32 for the conv models (fewer, costlier images per epoch: batch 128 left the face VAE
    /// near the mean face); 8 epochs of 4,096 40x40 patches in batches of 16 with Gaussian
    /// noise sigma 25/255 for the denoiser (about 6 minutes on 2 CPU cores).
    pub fn for_model(model: &str) -> Self {
        let mut c = Self::default();
        if model == "dae" {
            c.batch_size = 16;
            c.epochs = 8;
            c.corruption = Corruption::Gaussian { sigma: 25.0 / 255.0 };
        }
        if model.starts_with("conv-") {
            c.batch_size = 32;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_follow_the_item_shape_and_overrides() {
        let vae = Preset::named("vae").config([1, 28, 28], ReconLoss::Bce).unwrap();
        assert_eq!(vae.name(), "vae");
        let ModelConfig::Vae(v) = vae else { panic!("a vae") };
        assert_eq!((v.hidden, v.latent), (vec![400], 20));
        let conv = Preset::named("conv-vae").config([3, 64, 64], ReconLoss::Bce).unwrap();
        let ModelConfig::ConvVae(c) = conv else { panic!("a conv vae") };
        assert_eq!(c.channels, vec![32, 64, 128, 256]);
        let small = Preset { latent: Some(2), ..Preset::named("ae") };
        let ModelConfig::Ae(a) = small.config([1, 28, 28], ReconLoss::Mse).unwrap() else {
            panic!("an ae")
        };
        assert_eq!((a.latent, a.loss), (2, ReconLoss::Mse));
        let err = Preset::named("gan").config([1, 28, 28], ReconLoss::Bce).unwrap_err();
        assert_eq!(err.field, "model");
        let pyod = Preset { batch_norm: true, dropout: 0.2, ..Preset::named("ae") };
        let ModelConfig::Ae(a) = pyod.config([1, 28, 28], ReconLoss::Mse).unwrap() else {
            panic!("an ae")
        };
        assert!(a.batch_norm && a.dropout == 0.2);
        let conv = Preset { dropout: 0.2, ..Preset::named("conv-ae") };
        assert_eq!(conv.config([1, 28, 28], ReconLoss::Mse).unwrap_err().field, "model");
        let wild = Preset { dropout: 1.0, ..Preset::named("ae") };
        assert_eq!(wild.config([1, 28, 28], ReconLoss::Mse).unwrap_err().field, "dropout");
        assert_eq!(TrainConfig::for_model("dae").batch_size, 16);
        assert_eq!(TrainConfig::for_model("conv-vae").batch_size, 32);
    }
}
