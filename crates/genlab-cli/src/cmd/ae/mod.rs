//! `genlab ae train | eval | reconstruct | sample | interpolate | attribute | denoise | detect`:
//! the autoencoder family, from data to PNGs and a metrics JSON.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use genlab_autoencoder::autoencoder::LatentActivation;
use genlab_autoencoder::{ModelConfig, Preset, ReconLoss};

use super::Globals;

pub mod data;
mod denoise;
mod detect;
mod tools;
mod train;

use data::DataSpec;

/// The autoencoder family.
#[derive(Subcommand, Debug)]
pub enum AeCmd {
    /// Train an AE, denoising AE or VAE; writes checkpoint, metrics, loss curve and PNGs.
    Train(train::TrainArgs),
    /// Test-set loss of a run: negative ELBO and importance-weighted -log p(x) for a VAE.
    Eval(tools::EvalArgs),
    /// Inputs and their reconstructions, side by side.
    Reconstruct(tools::ReconstructArgs),
    /// New items decoded from the prior (VAE).
    Sample(tools::SampleArgs),
    /// Decode a walk between two inputs' codes: a PNG strip and an animated GIF.
    Interpolate(tools::InterpolateArgs),
    /// Add an attribute vector (e.g. glasses on the synthetic faces) and check the result.
    Attribute(tools::AttributeArgs),
    /// Clean a photo with a trained denoiser; compares PSNR with the best Gaussian blur.
    Denoise(denoise::DenoiseArgs),
    /// Anomaly detection: train on normal data, score a test set, report AUROC, F1, histogram.
    Detect(detect::DetectArgs),
}

pub fn run(globals: &Globals, cmd: AeCmd) -> Result<()> {
    let (spec, _) = globals.device_spec()?;
    let device = spec.device()?;
    match cmd {
        AeCmd::Train(args) => train::run(args, &device),
        AeCmd::Eval(args) => tools::eval(args, &device),
        AeCmd::Reconstruct(args) => tools::reconstruct(args, &device),
        AeCmd::Sample(args) => tools::sample(args, &device),
        AeCmd::Interpolate(args) => tools::interpolate(args, &device),
        AeCmd::Attribute(args) => tools::attribute(args, &device),
        AeCmd::Denoise(args) => denoise::run(args, &device),
        AeCmd::Detect(args) => detect::run(args, &device),
    }
}

/// The architecture flags shared by `train` and `detect`.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// ae, conv-ae, dae, vae or conv-vae.
    #[arg(long, default_value = "ae")]
    pub model: String,
    /// Encoder hidden widths for MLP models, e.g. 256,64 (default: ae 256,64; vae 400).
    #[arg(long, value_delimiter = ',')]
    pub hidden: Option<Vec<usize>>,
    /// Feature maps per stride-2 layer for conv models, e.g. 32,64,128,256.
    #[arg(long, value_delimiter = ',')]
    pub channels: Option<Vec<usize>>,
    /// Size of the code (default: ae 16, vae 20, conv-vae 32).
    #[arg(long)]
    pub latent: Option<usize>,
    /// none, sigmoid or tanh on the AE's code.
    #[arg(long, default_value = "none")]
    pub latent_activation: String,
    /// bce or mse (default: bce for images, mse for sensor data; `detect` trains with mse).
    #[arg(long)]
    pub loss: Option<String>,
    /// Standard deviation of a VAE's Gaussian decoder (with --loss mse).
    #[arg(long, default_value_t = 1.0, value_parser = crate::cmd::positive_f32)]
    pub decoder_sigma: f32,
    /// Batch norm in every hidden block of the ae (PyOD's AutoEncoder has it).
    #[arg(long)]
    pub batch_norm: bool,
    /// Dropout after every hidden activation of the ae, in [0, 1) (PyOD uses 0.2).
    #[arg(long, default_value_t = 0.0)]
    pub dropout: f64,
}

impl ModelArgs {
    /// The model configuration for items of `shape` (channels only for the denoiser).
    pub fn config(&self, shape: [usize; 3], default_loss: ReconLoss) -> Result<ModelConfig> {
        let latent_activation = match self.latent_activation.as_str() {
            "none" => LatentActivation::None,
            "sigmoid" => LatentActivation::Sigmoid,
            "tanh" => LatentActivation::Tanh,
            other => bail!("unknown --latent-activation {other:?}: none, sigmoid or tanh"),
        };
        let preset = Preset {
            model: self.model.clone(),
            hidden: self.hidden.clone(),
            channels: self.channels.clone(),
            latent: self.latent,
            latent_activation,
            loss: self
                .loss
                .as_deref()
                .map(ReconLoss::parse)
                .transpose()
                .map_err(anyhow::Error::msg)?,
            decoder_sigma: self.decoder_sigma,
            batch_norm: self.batch_norm,
            dropout: self.dropout,
        };
        Ok(preset.config(shape, default_loss)?)
    }
}

/// Where a PNG goes: the explicit `--out`, else `name` in the run folder.
pub fn out_path(out: &Option<PathBuf>, run: &Path, name: &str) -> PathBuf {
    out.clone().unwrap_or_else(|| run.join(name))
}

/// Parses `--data` for clap.
pub fn parse_data(s: &str) -> Result<DataSpec, String> {
    DataSpec::parse(s)
}
