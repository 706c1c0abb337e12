//! `genlab gan train | sample | translate`: GAN, DCGAN, class-conditional DCGAN and
//! text-to-image on digits or image folders, pix2pix translation (in [`pix2pix`]), with
//! per-epoch sample grids, checkpoints and exact resume.

mod pix2pix;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use genlab_gan::data::one_hot;
use genlab_gan::train::fixed_noise;
use genlab_gan::{GanConfig, GanLoss, GanPair, GanRun, GanTrainConfig, TextFrontEnd, train_gan};
use genlab_tensor::Device;
use genlab_tensor::image::{PixelRange, save_grid};
use genlab_train::{RunDir, RunSpec};

use super::Globals;

/// The GAN family.
#[derive(Subcommand, Debug)]
pub enum GanCmd {
    /// Train a GAN; writes samples-epoch-N.png, metrics.jsonl and checkpoint.bin.
    Train(TrainArgs),
    /// Draw samples from a trained run: a PNG grid, and optionally an IDX file for `eval fid`.
    Sample(SampleArgs),
    /// Translate a picture with a trained pix2pix run.
    Translate(pix2pix::TranslateArgs),
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// gan (MLP), dcgan, cgan (class-conditional DCGAN), text2img (cgan plus a prompt
    /// encoder trained on seeded captions), or pix2pix (with --task).
    #[arg(long, default_value = "dcgan")]
    pub model: String,
    /// mnist (the embedded slice), mnist:DIR (IDX files), or images:DIR (64×64 RGB).
    #[arg(long, default_value = "mnist")]
    pub data: String,
    /// non-saturating, minimax, hinge or wgan-gp.
    #[arg(long, default_value = "non-saturating", value_parser = GanLoss::parse)]
    pub loss: GanLoss,
    /// Passes over the data.
    #[arg(long, default_value_t = 5)]
    pub epochs: u64,
    /// Real images (pix2pix: pairs) per step [default: 64; pix2pix 16].
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Learning rate of both players (Adam, beta1 0.5).
    #[arg(long, default_value_t = 2e-4)]
    pub lr: f64,
    /// One-sided label smoothing (0.1 makes real targets 0.9).
    #[arg(long, default_value_t = 0.0)]
    pub label_smoothing: f32,
    /// Discriminator updates per generator update.
    #[arg(long, default_value_t = 1)]
    pub d_steps: usize,
    /// Seed of initialisation, shuffling and noise.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/gan")]
    pub out: PathBuf,
    /// Continue from the run folder's checkpoint.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub pix2pix: pix2pix::Pix2PixArgs,
}

#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Run folder written by `genlab gan train`.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/gan")]
    pub checkpoint: PathBuf,
    /// Images to draw.
    #[arg(long, default_value_t = 64)]
    pub n: usize,
    /// Class to draw (conditional models); default: 0, 1, 2, ... in turn.
    #[arg(long)]
    pub class: Option<usize>,
    /// A prompt such as "a handwritten seven" (text2img runs).
    #[arg(long, conflicts_with = "class")]
    pub prompt: Option<String>,
    /// Seed of the noise.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output grid PNG.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "samples.png")]
    pub out: PathBuf,
    /// Also write the samples as an IDX file (28×28 grey) for `genlab eval fid`.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub idx: Option<PathBuf>,
}

pub fn run(globals: &Globals, cmd: GanCmd) -> Result<()> {
    let (spec, _) = globals.device_spec()?;
    let device = spec.device()?;
    match cmd {
        GanCmd::Train(args) => train(args, &device),
        GanCmd::Sample(args) => sample(args, &device),
        GanCmd::Translate(args) => pix2pix::translate(args, &device),
    }
}

fn train(args: TrainArgs, device: &Device) -> Result<()> {
    if args.model == "pix2pix" {
        return pix2pix::train(&args, device);
    }
    args.pix2pix.refuse_for(&args.model)?;
    let data = genlab_gan::datasets::gan_data(&args.data)?;
    let model = genlab_gan::preset(&args.model, data.shape, data.classes)?;
    let cfg = GanTrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size.unwrap_or(64),
        lr_g: args.lr,
        lr_d: args.lr,
        loss: args.loss,
        label_smoothing: args.label_smoothing,
        d_steps: args.d_steps,
        seed: args.seed,
        ..GanTrainConfig::default()
    };
    let run = RunDir::create(&args.out)?;
    let text = if args.model == "text2img" {
        Some(genlab_gan::run::train_text_front_end(run.path(), args.seed, device)?)
    } else {
        None
    };
    eprintln!(
        "training {} ({:?} loss) on {} images of shape {:?} on {device:?}",
        args.model,
        cfg.loss,
        data.len(),
        data.shape
    );
    let spec = RunSpec::new(&run, args.resume).with_data(serde_json::json!({ "spec": args.data }));
    let (_, epochs, finished) = train_gan(&model, &cfg, &data, &spec, device)?;
    let secs: Vec<f64> = epochs.iter().map(|e| e.seconds).collect();
    let mut summary = serde_json::json!({ "model": args.model, "data": args.data, "epochs": epochs, "epoch_seconds": secs });
    if let Some(t) = text {
        summary["text_encoder"] = t;
    }
    let last = format!("samples-epoch-{}.png", args.epochs);
    let pictures = [
        (last.as_str(), "samples from fixed noise after the last epoch"),
        ("samples-epoch-1.png", "the same noise after the first epoch"),
    ];
    finished.report(&summary, &pictures)?;
    eprintln!(
        "run folder {} (report.html, summary.json, checkpoint.bin, metrics.jsonl, loss.svg, samples-epoch-N.png)",
        run.path().display()
    );
    println!("{}", serde_json::to_string(&summary)?);
    Ok(())
}

/// Loads a run's generator (and its prompt front end).
fn load_generator(
    dir: &Path,
    device: &Device,
) -> Result<(GanPair, GanConfig, Option<TextFrontEnd>)> {
    match genlab_gan::load(dir, device)? {
        GanRun::Generator { pair, config, text } => Ok((pair, config, text)),
        GanRun::Pix2Pix { .. } => bail!(
            "{} is a pix2pix run: it translates pictures, try `genlab gan translate --checkpoint {} --input PICTURE`",
            dir.display(),
            dir.display()
        ),
    }
}

fn sample(args: SampleArgs, device: &Device) -> Result<()> {
    let (pair, cfg, text) = load_generator(&args.checkpoint, device)?;
    if args.n == 0 {
        bail!("--n must be at least 1");
    }
    let class = match &args.prompt {
        Some(p) => Some(prompt_class(&args.checkpoint, text.as_ref(), p, device)?),
        None => args.class,
    };
    let cond = match (cfg.cond_dim, class) {
        (0, Some(_)) => bail!("this GAN is unconditional: --class needs a cgan run"),
        (0, None) => None,
        (k, Some(c)) if c >= k => {
            bail!("--class {c} is out of range: the model knows classes 0..{}", k - 1)
        }
        (k, c) => {
            Some(one_hot(&(0..args.n).map(|i| c.unwrap_or(i % k)).collect::<Vec<_>>(), k, device))
        }
    };
    let (z, _) = fixed_noise(&cfg, args.n, args.seed, device); // seeded z ~ N(0, I)
    let images = pair.generator.forward(z, cond);
    save_grid(
        images.clone(),
        (args.n as f64).sqrt().ceil() as usize,
        PixelRange::MinusOneOne,
        &args.out,
    )?;
    if let Some(path) = &args.idx {
        if cfg.shape != [1, 28, 28] {
            bail!("--idx writes 28×28 grey digits; this model makes {:?} images", cfg.shape);
        }
        let v: Vec<f32> = images.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32");
        let pixels: Vec<u8> =
            v.iter().map(|x| (((x + 1.0) * 0.5).clamp(0.0, 1.0) * 255.0).round() as u8).collect();
        let bytes = genlab_data::Idx { dims: vec![args.n, 28, 28], data: pixels }.to_bytes();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!(
        "wrote {}{}",
        args.out.display(),
        args.idx.as_ref().map(|p| format!(" and {}", p.display())).unwrap_or_default()
    );
    let report = serde_json::json!({ "n": args.n, "class": class, "prompt": args.prompt, "grid": args.out, "idx": args.idx });
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// The digit a prompt names, or an error when it names none.
fn prompt_class(
    dir: &Path,
    text: Option<&TextFrontEnd>,
    prompt: &str,
    device: &Device,
) -> Result<usize> {
    let Some(text) = text else {
        bail!(
            "{} has no text encoder: train with --model text2img to sample from prompts",
            dir.display()
        );
    };
    let (class, p) = text.digit(prompt, device).map_err(anyhow::Error::msg)?;
    eprintln!("prompt {prompt:?} -> digit {class} (probability {p:.2})");
    Ok(class)
}
