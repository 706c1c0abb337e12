//! `genlab ae eval | reconstruct | sample | interpolate | attribute`: what a trained run can do.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use genlab_autoencoder::attribute_classifier::{
    AttributeClassifierConfig, train_attribute_classifier,
};
use genlab_autoencoder::eval::{evaluate, importance_weighted_nll};
use genlab_autoencoder::latent::{self, Path as Walk};
use genlab_autoencoder::{AeRun, ImageData};
use genlab_tensor::image::{PixelRange, save_gif, save_grid};
use genlab_tensor::{Device, Tensor};

use super::data::{self, DataSpec, FACES_TEST_SEED, FACES_TRAIN_SEED, WindowOpts};
use super::{out_path, parse_data};

/// The run folder flag every tool takes.
#[derive(Args, Debug, Clone)]
pub struct RunArg {
    /// Run folder written by `genlab ae train`.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/ae")]
    pub checkpoint: PathBuf,
    /// Data to use instead of the run's own (its test split).
    #[arg(long, value_parser = parse_data)]
    pub data: Option<DataSpec>,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub run: RunArg,
    /// Importance samples for -log p(x) (VAE; 0 = skip).
    #[arg(long, default_value_t = 100)]
    pub iw_samples: usize,
    /// Seed of the z draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct ReconstructArgs {
    #[command(flatten)]
    pub run: RunArg,
    /// Items to show.
    #[arg(long, default_value_t = 16)]
    pub n: usize,
    /// Output PNG (default: reconstruct.png in the run folder).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SampleArgs {
    #[command(flatten)]
    pub run: RunArg,
    /// Items to draw.
    #[arg(long, default_value_t = 64)]
    pub n: usize,
    /// Seed of z ~ N(0, I).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output PNG (default: sample.png in the run folder).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct InterpolateArgs {
    #[command(flatten)]
    pub run: RunArg,
    /// Index of the first item in the test split.
    #[arg(long, default_value_t = 0)]
    pub from: usize,
    /// Index of the second item.
    #[arg(long, default_value_t = 1)]
    pub to: usize,
    /// Frames, both ends included.
    #[arg(long, default_value_t = 10)]
    pub steps: usize,
    /// linear or spherical.
    #[arg(long, default_value = "spherical", value_parser = Walk::parse)]
    pub path: Walk,
    /// Output PNG strip; the GIF goes beside it (default: interpolate.png in the run folder).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AttributeArgs {
    #[command(flatten)]
    pub run: RunArg,
    /// glasses or smile (the synthetic faces' yes/no attributes).
    #[arg(long, default_value = "glasses")]
    pub attribute: String,
    /// Multiple of the attribute vector to add.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// Faces shown in the PNG.
    #[arg(long, default_value_t = 8)]
    pub n: usize,
    /// Epochs of the attribute classifier that judges the result.
    #[arg(long, default_value_t = 3)]
    pub judge_epochs: u64,
    /// Output PNG (default: attribute.png in the run folder).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub out: Option<PathBuf>,
}

/// The run's test split (or `--data`'s), as items.
fn test_items(run: &RunArg, cfg: &AeRun) -> Result<ImageData> {
    let spec = match &run.data {
        Some(s) => s.clone(),
        None => DataSpec::parse(&cfg.data.spec).map_err(anyhow::Error::msg)?,
    };
    let window = WindowOpts::new(64, 16);
    let size = cfg.data.size.max(8);
    let (train, test, _) = data::load_items(&spec, size, &window, None, cfg.train.seed)?;
    Ok(test.unwrap_or(train))
}

fn pick(items: &ImageData, n: usize, device: &Device) -> Tensor<4> {
    let idx: Vec<usize> = (0..n.min(items.len())).collect();
    items.batch(&idx, device)
}

pub fn eval(args: EvalArgs, device: &Device) -> Result<()> {
    let cfg = genlab_autoencoder::load(&args.run.checkpoint, device)?;
    let model = &cfg.model;
    let test = test_items(&args.run, &cfg)?;
    let r = evaluate(model, &test, 500, args.seed, device);
    let mut out = serde_json::to_value(&r)?;
    if model.is_variational() && args.iw_samples > 0 {
        let nll = importance_weighted_nll(model, &test, args.iw_samples, 100, args.seed, device)
            .map_err(anyhow::Error::msg)?;
        out["iw_nll"] = serde_json::json!(nll);
        out["iw_samples"] = serde_json::json!(args.iw_samples);
    }
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}

pub fn reconstruct(args: ReconstructArgs, device: &Device) -> Result<()> {
    let cfg = genlab_autoencoder::load(&args.run.checkpoint, device)?;
    let model = &cfg.model;
    let x = pick(&test_items(&args.run, &cfg)?, args.n, device);
    let n = x.dims()[0];
    let recon = model.reconstruct(x.clone());
    let path = out_path(&args.out, &args.run.checkpoint, "reconstruct.png");
    save_grid(Tensor::cat(vec![x, recon], 0), n, PixelRange::ZeroOne, &path)?;
    println!("wrote {} (top: inputs, bottom: reconstructions)", path.display());
    Ok(())
}

pub fn sample(args: SampleArgs, device: &Device) -> Result<()> {
    let cfg = genlab_autoencoder::load(&args.run.checkpoint, device)?;
    let model = &cfg.model;
    if args.n == 0 {
        bail!("--n must be at least 1");
    }
    let samples = latent::sample(model, args.n, args.seed, device)?;
    let path = out_path(&args.out, &args.run.checkpoint, "sample.png");
    save_grid(samples, (args.n as f64).sqrt().ceil() as usize, PixelRange::ZeroOne, &path)?;
    println!("wrote {} ({} samples, seed {})", path.display(), args.n, args.seed);
    Ok(())
}

pub fn interpolate(args: InterpolateArgs, device: &Device) -> Result<()> {
    let cfg = genlab_autoencoder::load(&args.run.checkpoint, device)?;
    let model = &cfg.model;
    let items = test_items(&args.run, &cfg)?;
    for i in [args.from, args.to] {
        if i >= items.len() {
            bail!("item {i} does not exist: the test split has {} items", items.len());
        }
    }
    let one = |i: usize| items.batch(&[i], device).squeeze_dim::<3>(0);
    let frames = latent::interpolate(model, one(args.from), one(args.to), args.steps, args.path)?;
    let path = out_path(&args.out, &args.run.checkpoint, "interpolate.png");
    save_grid(frames.clone(), args.steps, PixelRange::ZeroOne, &path)?;
    let gif = path.with_extension("gif");
    save_gif(frames, PixelRange::ZeroOne, 120, 4, &gif)?;
    println!(
        "wrote {} and {} ({:?}, {} steps)",
        path.display(),
        gif.display(),
        args.path,
        args.steps
    );
    Ok(())
}

/// Adds an attribute vector to held-out faces without the attribute and lets an independent
/// classifier (trained on labelled faces) say whether they now have it.
pub fn attribute(args: AttributeArgs, device: &Device) -> Result<()> {
    let cfg = genlab_autoencoder::load(&args.run.checkpoint, device)?;
    let model = &cfg.model;
    let DataSpec::Faces(n_train) = DataSpec::parse(&cfg.data.spec).map_err(anyhow::Error::msg)?
    else {
        bail!("attribute vectors are measured on the synthetic faces: train with --data faces");
    };
    let pick_attr = |f: &genlab_data::Faces| -> Result<Vec<bool>> {
        match args.attribute.as_str() {
            "glasses" => Ok(f.glasses_labels()),
            "smile" => Ok(f.smile_labels()),
            other => bail!("unknown attribute {other:?}: glasses or smile"),
        }
    };
    let size = cfg.data.size;
    let train = genlab_data::generate_faces(n_train, size, FACES_TRAIN_SEED);
    let test = genlab_data::generate_faces(1000, size, FACES_TEST_SEED);
    let (train_has, test_has) = (pick_attr(&train)?, pick_attr(&test)?);
    let items = |f: &genlab_data::Faces| ImageData::new([3, size, size], f.images.clone(), None);
    let (train_items, test_items) = (items(&train), items(&test));
    let with = train_items.filter(|i| train_has[i]);
    let without = train_items.filter(|i| !train_has[i]);
    let vector = latent::attribute_vector(model, &with, &without, device)?;

    eprintln!(
        "training the judge: a conv classifier on {} labelled faces ({} epochs)",
        train.len(),
        args.judge_epochs
    );
    let judge_cfg = AttributeClassifierConfig {
        shape: [3, size, size],
        channels: vec![16, 32, 64],
        outputs: 1,
    };
    let labels: Vec<Vec<bool>> = train_has.iter().map(|&b| vec![b]).collect();
    let judge =
        train_attribute_classifier(&judge_cfg, &train_items, &labels, args.judge_epochs, 5, device);
    let says = |x: Tensor<4>| judge.predict(x).into_iter().map(|p| p[0]).collect::<Vec<bool>>();
    let share = |v: &[bool]| v.iter().filter(|&&b| b).count() as f64 / v.len().max(1) as f64;

    // Judge accuracy on held-out real faces, so its verdicts can be trusted.
    let all: Vec<usize> = (0..test_items.len()).collect();
    let mut correct = 0usize;
    for chunk in all.chunks(200) {
        let verdict = says(test_items.batch(chunk, device));
        correct += chunk.iter().zip(&verdict).filter(|(i, v)| test_has[**i] == **v).count();
    }
    let judge_accuracy = correct as f64 / test_items.len() as f64;

    let targets = test_items.filter(|i| !test_has[i]);
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for chunk in (0..targets.len()).collect::<Vec<_>>().chunks(200) {
        let x = targets.batch(chunk, device);
        before.extend(says(model.reconstruct(x.clone())));
        after.extend(says(latent::add_attribute(model, x, &vector, args.scale)?));
    }
    let x = pick(&targets, args.n, device);
    let n = x.dims()[0];
    let grid = Tensor::cat(
        vec![
            x.clone(),
            model.reconstruct(x.clone()),
            latent::add_attribute(model, x, &vector, args.scale)?,
        ],
        0,
    );
    let path = out_path(&args.out, &args.run.checkpoint, "attribute.png");
    save_grid(grid, n, PixelRange::ZeroOne, &path)?;
    let report = serde_json::json!({
        "attribute": args.attribute,
        "scale": args.scale,
        "faces_without_it": targets.len(),
        "judge_accuracy_on_real_test_faces": judge_accuracy,
        "share_judged_with_it_after_reconstruction": share(&before),
        "share_judged_with_it_after_adding_the_vector": share(&after),
    });
    println!("{}", serde_json::to_string(&report)?);
    eprintln!(
        "wrote {} (rows: input, reconstruction, + {} vector)",
        path.display(),
        args.attribute
    );
    Ok(())
}
