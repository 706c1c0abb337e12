//! `genlab ae train | eval | reconstruct | sample | interpolate | attribute | denoise | detect`:
//! the autoencoder family, from data to PNGs and a metrics JSON.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use genlab_autoencoder::autoencoder::{AutoencoderConfig, LatentActivation};
use genlab_autoencoder::conv_autoencoder::ConvAutoencoderConfig;
use genlab_autoencoder::conv_vae::ConvVaeConfig;
use genlab_autoencoder::denoiser::DenoiserConfig;
use genlab_autoencoder::vae::VaeConfig;
use genlab_autoencoder::{AeModel, ModelConfig, ReconLoss, TrainConfig};
use genlab_train::{Checkpoint, RunDir};

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
    /// bce or mse (default: bce for images, mse for sensor data).
    #[arg(long)]
    pub loss: Option<String>,
    /// Standard deviation of a VAE's Gaussian decoder (with --loss mse).
    #[arg(long, default_value_t = 1.0)]
    pub decoder_sigma: f32,
}

impl ModelArgs {
    /// The model configuration for items of `shape` (channels only for the denoiser).
    pub fn config(&self, shape: [usize; 3], default_loss: ReconLoss) -> Result<ModelConfig> {
        let loss = match &self.loss {
            Some(l) => ReconLoss::parse(l).map_err(anyhow::Error::msg)?,
            None => default_loss,
        };
        let latent_activation = match self.latent_activation.as_str() {
            "none" => LatentActivation::None,
            "sigmoid" => LatentActivation::Sigmoid,
            "tanh" => LatentActivation::Tanh,
            other => bail!("unknown --latent-activation {other:?}: none, sigmoid or tanh"),
        };
        let side = shape[1].min(shape[2]);
        let conv_default = || if side >= 64 { vec![32, 64, 128, 256] } else { vec![32, 64] };
        let cfg = match self.model.as_str() {
            "ae" => ModelConfig::Ae(AutoencoderConfig {
                shape,
                hidden: self.hidden.clone().unwrap_or_else(|| vec![256, 64]),
                latent: self.latent.unwrap_or(16),
                latent_activation,
                loss,
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
            other => bail!("unknown --model {other:?}: ae, conv-ae, dae, vae or conv-vae"),
        };
        cfg.validate().map_err(anyhow::Error::msg)?;
        Ok(cfg)
    }
}

/// What `train` records in the run folder's `config.json`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct RunConfig {
    /// The architecture.
    pub model: ModelConfig,
    /// The training settings.
    pub train: TrainConfig,
    /// The `--data` it was trained on.
    pub data: String,
    /// Image side for image folders and faces.
    #[serde(default)]
    pub size: usize,
}

/// Loads a run folder's model (from checkpoint.bin) and its configuration.
pub fn load_run(dir: &Path, device: &genlab_tensor::Device) -> Result<(AeModel, RunConfig)> {
    let run = RunDir::open(dir)?;
    let text = std::fs::read_to_string(run.file("config.json")).with_context(|| {
        format!("{} has no config.json: is it an `ae train` run folder?", dir.display())
    })?;
    let cfg: RunConfig = serde_json::from_str(&text).with_context(|| {
        format!("{}: not an autoencoder run", run.file("config.json").display())
    })?;
    let ckpt = Checkpoint::load(run.checkpoint())?;
    let model = ckpt.load_model(cfg.model.init(device))?;
    Ok((model, cfg))
}

/// Where a PNG goes: the explicit `--out`, else `name` in the run folder.
pub fn out_path(out: &Option<PathBuf>, run: &Path, name: &str) -> PathBuf {
    out.clone().unwrap_or_else(|| run.join(name))
}

/// Parses `--data` for clap.
pub fn parse_data(s: &str) -> Result<DataSpec, String> {
    DataSpec::parse(s)
}
