//! `genlab gan train --model pix2pix --task ...` and `genlab gan translate`: image-to-image
//! translation on the built-in tasks or on a folder of A|B pairs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use genlab_data::images::list_images;
use genlab_data::translation::{PhotoCrops, Split, Task, task_pairs};
use genlab_gan::pix2pix::{PairData, translate as run_generator};
use genlab_gan::run::side_by_side;
use genlab_gan::{GanRun, Pix2PixConfig, Pix2PixTrainConfig, train_pix2pix};
use genlab_tensor::Device;
use genlab_tensor::image::{PixelRange, load_image, save_grid, save_rgb, tensor_to_image};
use genlab_train::{RunDir, RunSpec};

/// Settings of `gan train --model pix2pix`.
#[derive(Args, Debug)]
pub struct Pix2PixArgs {
    /// pix2pix task: bw2color, edges2photo, day2night, labels2facade, or pairs:DIR (images
    /// holding A on the left and B on the right; DIR/train and DIR/val if present, otherwise
    /// the last tenth by name is held out).
    #[arg(long)]
    pub task: Option<String>,
    /// Photos to cut crops from for bw2color, edges2photo and day2night (default: synthetic
    /// faces).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub photos: Option<PathBuf>,
    /// Training pairs to make for a built-in task.
    #[arg(long, default_value_t = 1024)]
    pub train_pairs: usize,
    /// Held-out pairs to make for a built-in task.
    #[arg(long, default_value_t = 128)]
    pub held_out: usize,
    /// Train the U-Net on L1 alone: the baseline pix2pix is measured against.
    #[arg(long)]
    pub l1_only: bool,
    /// Weight of the L1 term (pix2pix's lambda).
    #[arg(long, default_value_t = 100.0, value_parser = crate::cmd::non_negative_f32)]
    pub l1_weight: f32,
    /// Give the U-Net a full-size skip: its output layer also sees the input's own pixels
    /// (not in pix2pix, whose finest layer works at half size; for maps drawn to the pixel).
    #[arg(long)]
    pub input_skip: bool,
    /// The last N of the --epochs take the learning rate linearly down to 0 (pix2pix's
    /// `--n_epochs_decay`); 0 keeps it constant.
    #[arg(long, default_value_t = 0)]
    pub decay_epochs: u64,
    /// Feature maps of the first U-Net and PatchGAN layers (pix2pix's ngf = ndf = 64).
    #[arg(long, default_value_t = 32)]
    pub features: usize,
    /// Picture side (a multiple of 16).
    #[arg(long, default_value_t = 64)]
    pub size: usize,
    /// For pairs:DIR, which half is the input: a2b (left to right) or b2a, as pix2pix's
    /// `--direction`.
    #[arg(long, default_value = "a2b", value_parser = ["a2b", "b2a"])]
    pub direction: String,
}

/// `genlab gan translate`.
#[derive(Args, Debug)]
pub struct TranslateArgs {
    /// Run folder written by `genlab gan train --model pix2pix`.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/pix2pix")]
    pub checkpoint: PathBuf,
    /// The picture to translate (any size), or a folder of them.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub input: PathBuf,
    /// Output PNG (a folder when --input is one).
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "translated.png")]
    pub out: PathBuf,
    /// Take --input as a photo: make the run's task input from it (grey, edges or the day
    /// picture) and write input | output | photo side by side.
    #[arg(long)]
    pub from_photo: bool,
}

impl Pix2PixArgs {
    /// The pix2pix-only flags given with another model: an error naming the first.
    pub fn refuse_for(&self, model: &str) -> Result<()> {
        let defaults = Self {
            task: None,
            photos: None,
            train_pairs: 1024,
            held_out: 128,
            l1_only: false,
            l1_weight: 100.0,
            input_skip: false,
            decay_epochs: 0,
            features: 32,
            size: 64,
            direction: "a2b".into(),
        };
        let given = [
            ("--task", self.task != defaults.task),
            ("--photos", self.photos != defaults.photos),
            ("--train-pairs", self.train_pairs != defaults.train_pairs),
            ("--held-out", self.held_out != defaults.held_out),
            ("--l1-only", self.l1_only != defaults.l1_only),
            ("--l1-weight", self.l1_weight != defaults.l1_weight),
            ("--input-skip", self.input_skip != defaults.input_skip),
            ("--decay-epochs", self.decay_epochs != defaults.decay_epochs),
            ("--features", self.features != defaults.features),
            ("--size", self.size != defaults.size),
            ("--direction", self.direction != defaults.direction),
        ];
        match given.iter().find(|(_, g)| *g) {
            Some((flag, _)) => bail!("{flag} is for --model pix2pix, not {model}"),
            None => Ok(()),
        }
    }
}

/// Training and held-out pairs for `--task`, and the built-in task if it is one.
fn load_pairs(args: &Pix2PixArgs, seed: u64) -> Result<(PairData, PairData, Option<Task>)> {
    if args.size < 16 || !args.size.is_multiple_of(16) {
        bail!(
            "--size {} is not a multiple of 16 (the U-Net halves the picture at least four times)",
            args.size
        );
    }
    let spec = args.task.as_deref().context(
        "pix2pix needs --task: bw2color, edges2photo, day2night, labels2facade, labels2street, aerial2map, map2aerial or pairs:DIR",
    )?;
    if let Some(dir) = spec.strip_prefix("pairs:") {
        let (train, held) = genlab_gan::datasets::read_pair_folder(Path::new(dir), args.size)?;
        if args.direction == "b2a" {
            return Ok((train.reversed(), held.reversed(), None));
        }
        return Ok((train, held, None));
    }
    let task = Task::parse(spec).map_err(anyhow::Error::msg)?;
    let photos = match (&args.photos, task.uses_photos()) {
        (Some(dir), true) => Some(PhotoCrops::from_folder(dir, args.size)?),
        (Some(_), false) => bail!("{} draws its own pictures: drop --photos", task.name()),
        (None, _) => None,
    };
    let make = |n, split| -> Result<PairData> {
        Ok(task_pairs(task, photos.as_ref(), n, args.size, split, seed)?.into())
    };
    Ok((make(args.train_pairs, Split::Train)?, make(args.held_out, Split::HeldOut)?, Some(task)))
}

/// `gan train --model pix2pix`.
pub fn train(train_args: &super::TrainArgs, device: &Device) -> Result<()> {
    let args = &train_args.pix2pix;
    let seed = train_args.seed;
    let (train, held, task) = load_pairs(args, seed)?;
    let mut model =
        Pix2PixConfig::new(args.size, train.a_shape[0], train.b_shape[0], args.features);
    model.task = task.map(|t| t.name().to_string());
    model.generator.input_skip = args.input_skip;
    let cfg = Pix2PixTrainConfig {
        epochs: train_args.epochs,
        batch_size: train_args.batch_size.unwrap_or(16),
        lr: train_args.lr,
        decay_epochs: args.decay_epochs,
        l1_weight: args.l1_weight,
        gan_weight: if args.l1_only { 0.0 } else { 1.0 },
        seed,
        ..Pix2PixTrainConfig::default()
    };
    let what = args.task.as_deref().unwrap_or_default();
    let objective = if args.l1_only { "L1 only" } else { "GAN + L1" };
    eprintln!(
        "training pix2pix ({objective}) on {what}: {} pairs, {} held out, {}x{} pictures, on {device:?}",
        train.len(),
        held.len(),
        args.size,
        args.size
    );
    let run = RunDir::create(&train_args.out)?;
    let data = serde_json::json!({ "task": what, "photos": args.photos, "train_pairs": args.train_pairs, "held_out": args.held_out });
    let spec = RunSpec::new(&run, train_args.resume).with_data(data);
    let (_, epochs, finished) = train_pix2pix(&model, &cfg, &train, &held, &spec, device)?;
    let last = epochs.last().context("no epochs were run")?;
    let summary = serde_json::json!({
        "model": "pix2pix", "task": what, "objective": objective,
        "held_out_l1": last.held_out.l1, "held_out_psnr": last.held_out.psnr,
        "epoch_seconds": epochs.iter().map(|e| e.seconds).collect::<Vec<_>>(),
        "epochs": epochs,
    });
    let grid = format!("held-out-epoch-{}.png", last.epoch);
    let pictures =
        [(grid.as_str(), "held-out pairs after the last epoch: input | output | target")];
    finished.report(&summary, &pictures)?;
    eprintln!(
        "run folder {} (report.html, summary.json, checkpoint.bin, metrics.jsonl, loss.svg, held-out-epoch-N.png)",
        run.path().display()
    );
    println!("{}", serde_json::to_string(&summary)?);
    Ok(())
}

/// `gan translate`.
pub fn translate(args: TranslateArgs, device: &Device) -> Result<()> {
    let GanRun::Pix2Pix { pair, config: cfg, .. } = genlab_gan::load(&args.checkpoint, device)?
    else {
        bail!(
            "{} is not a pix2pix run: sample it with `genlab gan sample --checkpoint {}`",
            args.checkpoint.display(),
            args.checkpoint.display()
        );
    };
    let task = if args.from_photo {
        let task = cfg.task.as_deref().map(Task::parse).transpose().map_err(anyhow::Error::msg)?;
        let task = task.filter(|t| t.uses_photos()).with_context(|| {
            format!(
                "--from-photo needs a run trained on bw2color, edges2photo or day2night, not {}",
                cfg.task.as_deref().unwrap_or("A|B pairs")
            )
        })?;
        Some(task)
    } else {
        None
    };
    // One picture, or every picture of a folder into an output folder.
    let jobs: Vec<(PathBuf, PathBuf)> = if args.input.is_dir() {
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("creating {}", args.out.display()))?;
        list_images(&args.input)?
            .into_iter()
            .map(|p| {
                let name = p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
                (p, args.out.join(format!("{name}.png")))
            })
            .collect()
    } else {
        vec![(args.input.clone(), args.out.clone())]
    };
    let mut sizes = Vec::new();
    for (input, out) in &jobs {
        sizes.push(translate_one(&pair.generator, &cfg, task, input, out, device)?);
    }
    let what = if jobs.len() == 1 {
        format!("{}", jobs[0].1.display())
    } else {
        format!("{} pictures to {}", jobs.len(), args.out.display())
    };
    eprintln!("wrote {what}");
    let report = serde_json::json!({ "input": args.input, "out": args.out, "pictures": jobs.len(), "sizes": sizes, "from_photo": args.from_photo, "task": cfg.task });
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// Translates the picture at `path` (made into the task's input first when `task` is given,
/// and then written as input | output | photo) and writes `out`; returns `[width, height]`.
fn translate_one(
    generator: &genlab_gan::unet::UNet,
    cfg: &Pix2PixConfig,
    task: Option<Task>,
    path: &Path,
    out: &Path,
    device: &Device,
) -> Result<[usize; 2]> {
    let g = &cfg.generator;
    let (input, shape, photo) = match task {
        Some(task) => {
            let photo = load_image(path, 3, device)?;
            let [_, h, w] = photo.dims();
            let values =
                photo.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32 pixels");
            let (input, _) = task.from_photo(&values, w).expect("a photo task");
            (input, [g.in_channels, h, w], Some(values))
        }
        None => {
            let img = load_image(path, g.in_channels, device)?;
            let shape = img.dims();
            (img.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32 pixels"), shape, None)
        }
    };
    let [_, h, w] = shape;
    let output = run_generator(generator, g, &input, shape, device);
    match photo {
        Some(photo) => {
            let row = vec![(input, g.in_channels), (output, g.out_channels), (photo, 3)];
            save_grid(side_by_side(row, h, w, device), 3, PixelRange::ZeroOne, out)?;
        }
        None => {
            let image = side_by_side(vec![(output, g.out_channels)], h, w, device);
            save_rgb(
                &tensor_to_image(image.squeeze_dim::<3>(0), PixelRange::ZeroOne)?.to_rgb8(),
                out,
            )?;
        }
    }
    Ok([w, h])
}
