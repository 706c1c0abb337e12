//! `genlab ae train`.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use genlab_autoencoder::eval::{evaluate, importance_weighted_nll};
use genlab_autoencoder::{
    AeData, AeModel, Corruption, ImageData, PatchSampler, TrainConfig, TrainData, fit,
};
use genlab_tensor::Device;
use genlab_tensor::image::{PixelRange, save_grid};
use genlab_train::{Finished, RunDir, RunSpec};

use super::data::{self, DataSpec, SensorArgs};
use super::{ModelArgs, parse_data};

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// mnist[:DIR] (embedded slice by default), faces[:N], photos:DIR, images:DIR, sensors,
    /// csv:FILE (with --train-csv).
    #[arg(long, default_value = "mnist", value_parser = parse_data)]
    pub data: DataSpec,
    /// The normal sensor log to train on, when --data csv:FILE is the log to score.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub train_csv: Option<PathBuf>,
    /// Image side for faces and image folders.
    #[arg(long, default_value_t = 64)]
    pub size: usize,
    #[command(flatten)]
    pub sensors: SensorArgs,
    /// Leave this digit out of MNIST training (one-class-out anomaly detection).
    #[arg(long)]
    pub exclude_digit: Option<u8>,
    /// Photo file names to leave out of photos:DIR (e.g. the test photo).
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Passes over the data.
    #[arg(long)]
    pub epochs: Option<u64>,
    /// Items per step.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Adam learning rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// KL weight (beta-VAE).
    #[arg(long)]
    pub beta: Option<f32>,
    /// Epochs of linear KL warmup from 0 to beta.
    #[arg(long)]
    pub kl_warmup: Option<u64>,
    /// Input corruption: none, gaussian:SIGMA, salt-pepper:AMOUNT, mask:FRACTION.
    #[arg(long, value_parser = Corruption::parse)]
    pub corrupt: Option<Corruption>,
    /// Read photos as grey (one channel) for the denoiser; RGB otherwise.
    #[arg(long)]
    pub grey: bool,
    /// Patch side for the denoiser.
    #[arg(long, default_value_t = 40)]
    pub patch: usize,
    /// Patches per epoch for the denoiser.
    #[arg(long)]
    pub patches_per_epoch: Option<usize>,
    /// Seed of initialisation, shuffling, noise and sampling.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Importance samples for the test -log p(x) estimate of a VAE (0 = skip).
    #[arg(long, default_value_t = 0)]
    pub iw_samples: usize,
    /// Run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/ae")]
    pub out: PathBuf,
    /// Continue from the run folder's checkpoint.
    #[arg(long)]
    pub resume: bool,
}

impl TrainArgs {
    fn train_config(&self) -> TrainConfig {
        let mut c = TrainConfig::for_model(&self.model.model);
        if let Some(v) = self.epochs {
            c.epochs = v
        }
        if let Some(v) = self.batch_size {
            c.batch_size = v
        }
        if let Some(v) = self.lr {
            c.lr = v
        }
        if let Some(v) = self.beta {
            c.beta = v
        }
        if let Some(v) = self.kl_warmup {
            c.kl_warmup_epochs = v
        }
        if let Some(v) = self.corrupt {
            c.corruption = v
        }
        if let Some(v) = self.patches_per_epoch {
            c.patches_per_epoch = v
        }
        if let Some(v) = self.seed {
            c.seed = v
        }
        c
    }
}

pub fn run(args: TrainArgs, device: &Device) -> Result<()> {
    if args.train_csv.is_some() && !matches!(args.data, DataSpec::Csv(_)) {
        bail!(
            "--train-csv is the normal log for --data csv:FILE; this run trains on --data {}",
            data_arg(&args)
        );
    }
    let cfg = args.train_config();
    let run = RunDir::create(&args.out)?;
    let data_name = data_arg(&args);
    let spec = RunSpec::new(&run, args.resume)
        .with_data(serde_json::to_value(AeData { spec: data_name.clone(), size: args.size })?);
    if args.model.model == "dae" {
        let DataSpec::Photos(dir) = &args.data else {
            bail!("the denoiser trains on patches of photos: give --data photos:DIR");
        };
        // RGB by default (a grey photo becomes three equal channels).
        let channels = if args.grey { 1 } else { 3 };
        let photos = data::photos(dir, channels, &args.exclude)?;
        let sampler = PatchSampler::new(photos, args.patch).map_err(anyhow::Error::msg)?;
        let model_cfg = args
            .model
            .config([channels, args.patch, args.patch], genlab_autoencoder::ReconLoss::Mse)?;
        eprintln!(
            "training the denoiser on {}x{} patches of {} ({:?} on the inputs) on {device:?}",
            args.patch,
            args.patch,
            dir.display(),
            cfg.corruption
        );
        let (_, report, finished) =
            fit(&model_cfg, &cfg, TrainData::Patches(&sampler), &spec, device, &mut |_, _| {})?;
        return finish(&run, &finished, serde_json::json!({ "model": "dae", "train": report }));
    }
    let window = args.sensors.opts();
    let seed = cfg.seed;
    let (mut train, test, _) =
        data::load_items(&args.data, args.size, &window, args.train_csv.as_deref(), seed)?;
    if let Some(k) = args.exclude_digit {
        let labels = train.labels.clone().ok_or_else(|| {
            anyhow::anyhow!("--exclude-digit needs labelled digits (--data mnist)")
        })?;
        train = train.filter(|i| labels[i] != k);
    }
    let model_cfg = args.model.config(train.shape, args.data.default_loss())?;
    eprintln!(
        "training {} on {} items of shape {:?} ({} test) on {device:?}",
        model_cfg.name(),
        train.len(),
        train.shape,
        test.as_ref().map_or(0, ImageData::len)
    );
    let images = args.data.is_images();
    let preview = test.as_ref().unwrap_or(&train).take(8);
    let out_dir = run.path().to_path_buf();
    let eval_device = device.clone();
    let mut on_epoch = |model: &AeModel, _epoch: u64| {
        if images {
            // Failing to draw a picture must not stop training; say so and go on.
            if let Err(e) = write_pictures(model, &preview, &out_dir, &eval_device) {
                eprintln!("warning: could not write the epoch pictures: {e}");
            }
        }
    };
    let data = TrainData::Items { train: &train, val: test.as_ref() };
    let (model, report, finished) = fit(&model_cfg, &cfg, data, &spec, device, &mut on_epoch)?;
    let mut summary = serde_json::json!({
        "model": model_cfg.name(),
        "data": data_name,
        "train_items": train.len(),
        "median_epoch_seconds": report.median_epoch_seconds(),
        "train": report,
    });
    if let Some(test) = &test {
        let r = evaluate(&model, test, 500, seed ^ 0xE7, device);
        eprintln!(
            "test ({} items): loss {:.3}{}",
            r.items,
            r.loss,
            r.kl.map(|kl| format!(
                " = recon {:.3} + KL {kl:.3} (negative ELBO, nats per item)",
                r.recon
            ))
            .unwrap_or_default()
        );
        summary["test"] = serde_json::to_value(&r)?;
        if args.iw_samples > 0 && model.is_variational() {
            let nll =
                importance_weighted_nll(&model, test, args.iw_samples, 100, seed ^ 0x1A, device)
                    .map_err(anyhow::Error::msg)?;
            eprintln!(
                "test -log p(x) ≈ {nll:.3} nats (importance-weighted, k = {})",
                args.iw_samples
            );
            summary["test_iw_nll"] = serde_json::json!(nll);
            summary["iw_samples"] = serde_json::json!(args.iw_samples);
        }
    }
    finish(&run, &finished, summary)
}

fn data_arg(args: &TrainArgs) -> String {
    match &args.data {
        DataSpec::Mnist(None) => "mnist".into(),
        DataSpec::Mnist(Some(d)) => format!("mnist:{}", d.display()),
        DataSpec::Faces(n) => format!("faces:{n}"),
        DataSpec::Photos(d) => format!("photos:{}", d.display()),
        DataSpec::Images(d) => format!("images:{}", d.display()),
        DataSpec::Sensors => "sensors".into(),
        DataSpec::Csv(f) => format!("csv:{}", f.display()),
    }
}

/// `recon.png` (inputs over reconstructions) and, for a VAE, `samples.png` (fixed seed).
fn write_pictures(
    model: &AeModel,
    preview: &ImageData,
    dir: &std::path::Path,
    device: &Device,
) -> Result<()> {
    let idx: Vec<usize> = (0..preview.len()).collect();
    let x = preview.batch(&idx, device);
    let recon = model.reconstruct(x.clone());
    save_grid(
        genlab_tensor::Tensor::cat(vec![x, recon], 0),
        preview.len(),
        PixelRange::ZeroOne,
        dir.join("recon.png"),
    )?;
    if model.is_variational() {
        let samples = genlab_autoencoder::latent::sample(model, 64, 0, device)?;
        save_grid(samples, 8, PixelRange::ZeroOne, dir.join("samples.png"))?;
    }
    Ok(())
}

fn finish(run: &RunDir, finished: &Finished, summary: serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string(&summary)?);
    let pictures = [
        ("recon.png", "test inputs (top) and their reconstructions (bottom)"),
        ("samples.png", "samples from the prior, fixed seed"),
    ];
    finished.report(&summary, &pictures)?;
    eprintln!(
        "run folder {} (report.html, summary.json, checkpoint.bin, metrics.jsonl, loss.svg{})",
        run.path().display(),
        if run.file("recon.png").exists() { ", recon.png" } else { "" }
    );
    Ok(())
}
