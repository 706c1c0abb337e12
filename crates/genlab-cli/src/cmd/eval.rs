//! `genlab eval train-classifier | fid | classify | train-segmenter | scenes`: the project's
//! own digit classifier and the metrics computed in its feature space (Fréchet distance,
//! Inception-style score, accuracy of conditional samples), and the pix2pix paper's scores of
//! the drawn street and aerial tasks (FCN-score with a segmenter of their photos, palette
//! accuracy of maps).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use genlab_eval::classifier::{
    DigitClassifier, DigitClassifierConfig, accuracy, train_digit_classifier,
};
use genlab_tensor::Device;
use genlab_train::{Checkpoint, RunDir, RunManifest, SUMMARY_FILE, TrainState};

use super::Globals;

/// Evaluation with the project's digit classifier.
#[derive(Subcommand, Debug)]
pub enum EvalCmd {
    /// Train the digit classifier (seeded: the same command gives the same checkpoint).
    TrainClassifier(TrainClassifierArgs),
    /// Fréchet distance between real and generated digits in the classifier's feature space,
    /// and the Inception-style score of the generated ones.
    Fid(FidArgs),
    /// Classify digits: class histogram, and accuracy against an expected class.
    Classify(ClassifyArgs),
    /// Train the segmenter of street or aerial photos behind the FCN-score (seeded); prints
    /// its scores on held-out real photos, the FCN-score's ceiling.
    TrainSegmenter(TrainSegmenterArgs),
    /// Score a pix2pix run of labels2street, aerial2map or map2aerial as the pix2pix paper
    /// does: FCN-score (and segmenter FID for map2aerial) or palette accuracy (aerial2map).
    Scenes(ScenesArgs),
}

#[derive(Args, Debug)]
pub struct TrainSegmenterArgs {
    /// labels2street (street photos) or map2aerial (aerial photos).
    #[arg(long)]
    pub task: String,
    /// Side of the pictures: the pix2pix run's --size.
    #[arg(long, default_value_t = 64)]
    pub size: usize,
    /// Training scenes (real rendered photos and their classes).
    #[arg(long, default_value_t = 400)]
    pub scenes: usize,
    #[arg(long, default_value_t = 25)]
    pub epochs: u64,
    /// Feature maps at full size.
    #[arg(long, default_value_t = 16)]
    pub width: usize,
    /// Held-out real photos to score it on.
    #[arg(long, default_value_t = 100)]
    pub held_out: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run folder for the segmenter.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/segmenter")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct ScenesArgs {
    /// The pix2pix run folder.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub checkpoint: PathBuf,
    /// The segmenter run folder (labels2street and map2aerial).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub segmenter: Option<PathBuf>,
    /// Held-out scenes to score.
    #[arg(long, default_value_t = 100)]
    pub n: usize,
}

#[derive(Args, Debug)]
pub struct TrainClassifierArgs {
    /// mnist (embedded slice) or mnist:DIR (IDX train-*/t10k-*).
    #[arg(long, default_value = "mnist")]
    pub data: String,
    #[arg(long, default_value_t = 5)]
    pub epochs: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run folder for the classifier.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/mnist-classifier")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct FidArgs {
    /// Real digits: an IDX images file, mnist:DIR (its t10k split), or a folder of 28×28 PNGs.
    #[arg(long)]
    pub real: String,
    /// Generated digits, in the same forms.
    #[arg(long)]
    pub fake: String,
    /// The classifier's run folder (`genlab eval train-classifier`).
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/mnist-classifier")]
    pub classifier: PathBuf,
}

#[derive(Args, Debug)]
pub struct ClassifyArgs {
    /// Digits: an IDX images file, mnist:DIR, or a folder of 28×28 PNGs.
    #[arg(long)]
    pub images: String,
    /// The class every image should be.
    #[arg(long)]
    pub expect: Option<usize>,
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/mnist-classifier")]
    pub classifier: PathBuf,
}

pub fn run(globals: &Globals, cmd: EvalCmd) -> Result<()> {
    let (spec, _) = globals.device_spec()?;
    let device = spec.device()?;
    match cmd {
        EvalCmd::TrainClassifier(args) => train_classifier(args, &device),
        EvalCmd::Fid(args) => fid(args, &device),
        EvalCmd::Classify(args) => classify(args, &device),
        EvalCmd::TrainSegmenter(args) => train_segmenter(args, &device),
        EvalCmd::Scenes(args) => scenes(args, &device),
    }
}

fn mnist_split(dir: &Path, split: &str) -> Result<(Vec<f32>, Vec<u8>)> {
    let (images, labels) = genlab_data::read_mnist_split(dir, split)?;
    Ok((images.pixels.iter().map(|&p| p as f32 / 255.0).collect(), labels.labels))
}

/// Digits as `n × 784` values in [0, 1] from an IDX file, `mnist[:DIR]` (test split) or a
/// folder of 28×28 images.
fn digits(flag: &str, src: &str) -> Result<Vec<f32>> {
    if src.is_empty() {
        bail!("{flag} is empty: give an IDX file, mnist, mnist:DIR or a folder of images");
    }
    if src == "mnist" {
        let (images, _) = genlab_data::embedded::mnist_test();
        return Ok(images.pixels.iter().map(|&p| p as f32 / 255.0).collect());
    }
    if let Some(dir) = src.strip_prefix("mnist:") {
        return Ok(mnist_split(Path::new(dir), "t10k")?.0);
    }
    let path = Path::new(src);
    if path.is_dir() {
        use genlab_data::images::{Channels, Fit, read_image_folder};
        return Ok(read_image_folder(path, 28, 28, Channels::Grey, Fit::Exact)?.pixels);
    }
    let images = genlab_data::read_mnist_images(path)?;
    if (images.rows, images.cols) != (28, 28) {
        bail!("{src}: {}x{} images; the digit classifier takes 28x28", images.cols, images.rows);
    }
    Ok(images.pixels.iter().map(|&p| p as f32 / 255.0).collect())
}

fn load_classifier(dir: &Path, device: &Device) -> Result<DigitClassifier> {
    if !dir.join("checkpoint.bin").is_file() {
        bail!(
            "no classifier in {}: train it with `genlab eval train-classifier --out {}`",
            dir.display(),
            dir.display()
        );
    }
    let run = RunDir::open(dir)?;
    let ckpt = Checkpoint::load(run.checkpoint()).with_context(|| {
        format!(
            "no classifier in {}: train it with `genlab eval train-classifier --out {}`",
            dir.display(),
            dir.display()
        )
    })?;
    Ok(ckpt.load_model(DigitClassifierConfig.init(device))?)
}

fn train_classifier(args: TrainClassifierArgs, device: &Device) -> Result<()> {
    let ((train_x, train_y), (test_x, test_y)) = match args.data.strip_prefix("mnist:") {
        Some(dir) => (mnist_split(Path::new(dir), "train")?, mnist_split(Path::new(dir), "t10k")?),
        None if args.data == "mnist" => {
            let f = |(i, l): (genlab_data::ImageSet, genlab_data::LabelSet)| {
                (i.pixels.iter().map(|&p| p as f32 / 255.0).collect::<Vec<f32>>(), l.labels)
            };
            (f(genlab_data::embedded::mnist_train()), f(genlab_data::embedded::mnist_test()))
        }
        None => bail!("unknown --data {:?}: mnist or mnist:DIR", args.data),
    };
    eprintln!(
        "training the digit classifier on {} digits for {} epochs",
        train_y.len(),
        args.epochs
    );
    let model = train_digit_classifier(&train_x, &train_y, args.epochs, args.seed, device);
    let (_, probs) = model.embed(&test_x, device);
    let labels: Vec<usize> = test_y.iter().map(|&l| l as usize).collect();
    let (acc, per_class) = accuracy(&probs, &labels);
    let run = RunDir::create(&args.out)?;
    let train = serde_json::json!({ "epochs": args.epochs, "seed": args.seed });
    RunManifest::new("eval", "digit-classifier", &serde_json::json!({}), &train)
        .with_data(serde_json::json!({ "spec": args.data }))
        .write(run.path())?;
    let state = TrainState { seed: args.seed, epoch: args.epochs, ..Default::default() };
    Checkpoint::save(run.checkpoint(), &model, None, &state)?;
    let report = serde_json::json!({ "test_accuracy": acc, "per_class": per_class, "test_items": labels.len() });
    std::fs::write(run.file(SUMMARY_FILE), serde_json::to_string_pretty(&report)?)?;
    eprintln!(
        "test accuracy {:.2}% on {} digits; wrote {}",
        acc * 100.0,
        labels.len(),
        run.checkpoint().display()
    );
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn fid(args: FidArgs, device: &Device) -> Result<()> {
    let model = load_classifier(&args.classifier, device)?;
    let (real, fake) = (digits("--real", &args.real)?, digits("--fake", &args.fake)?);
    let (rf, _) = model.embed(&real, device);
    let (ff, fp) = model.embed(&fake, device);
    let dim = genlab_eval::classifier::FEATURES;
    let fid = genlab_eval::fid(&rf, &ff, dim)?;
    let splits = if fake.len() / 784 >= 1000 { 10 } else { 1 };
    let (is_mean, is_std) = genlab_eval::inception_score(&fp, 10, splits)?;
    let report = serde_json::json!({
        "fid": fid, "real_items": real.len() / 784, "fake_items": fake.len() / 784,
        "classifier_score": is_mean, "classifier_score_std": is_std, "feature_dim": dim,
    });
    eprintln!(
        "FID {fid:.3} ({} real, {} fake, classifier features); classifier score {is_mean:.3}",
        real.len() / 784,
        fake.len() / 784
    );
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn classify(args: ClassifyArgs, device: &Device) -> Result<()> {
    let model = load_classifier(&args.classifier, device)?;
    let images = digits("--images", &args.images)?;
    let (_, probs) = model.embed(&images, device);
    let mut histogram = [0usize; 10];
    for p in probs.chunks(10) {
        let guess = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
        histogram[guess] += 1;
    }
    let n = images.len() / 784;
    let mut report = serde_json::json!({ "items": n, "predicted": histogram });
    if let Some(k) = args.expect {
        if k > 9 {
            bail!("--expect must be a digit 0-9, got {k}");
        }
        report["expected"] = serde_json::json!(k);
        report["accuracy"] = serde_json::json!(histogram[k] as f64 / n.max(1) as f64);
    }
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn train_segmenter(args: TrainSegmenterArgs, device: &Device) -> Result<()> {
    use genlab_gan::scenes::{SegmenterRecipe, save_segmenter, train_task_segmenter};
    if args.scenes == 0 || args.held_out == 0 || args.width == 0 || args.epochs == 0 {
        bail!("--scenes, --held-out, --width and --epochs must be at least 1");
    }
    let recipe = SegmenterRecipe {
        task: args.task.clone(),
        size: args.size,
        scenes: args.scenes,
        epochs: args.epochs,
        seed: args.seed,
    };
    eprintln!(
        "training the {} segmenter on {} scenes of {} px for {} epochs",
        args.task, args.scenes, args.size, args.epochs
    );
    let (model, config, ceiling) =
        train_task_segmenter(&recipe, args.width, args.held_out, device)?;
    save_segmenter(&args.out, &model, &config, &recipe)?;
    let report =
        serde_json::json!({ "task": args.task, "held_out": args.held_out, "real_photos": ceiling });
    std::fs::write(args.out.join(SUMMARY_FILE), serde_json::to_string_pretty(&report)?)?;
    eprintln!(
        "real held-out photos: pixel accuracy {:.3}, class accuracy {:.3}, class IoU {:.3}; wrote {}",
        ceiling.pixel_accuracy,
        ceiling.mean_class_accuracy,
        ceiling.mean_iou,
        args.out.display()
    );
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn scenes(args: ScenesArgs, device: &Device) -> Result<()> {
    use genlab_gan::GanRun;
    use genlab_gan::scenes::{load_segmenter, score_scenes};
    if args.n == 0 {
        bail!("--n must be at least 1");
    }
    let GanRun::Pix2Pix { pair, config, train } = genlab_gan::load(&args.checkpoint, device)?
    else {
        bail!("{} is not a pix2pix run", args.checkpoint.display());
    };
    let segmenter = args.segmenter.as_deref().map(|dir| load_segmenter(dir, device)).transpose()?;
    let segmenter = segmenter.as_ref().map(|(m, c, r)| (m, c, r));
    let scores = score_scenes(&pair.generator, &config, train.seed, args.n, segmenter, device)
        .with_context(|| format!("scoring the pix2pix run {}", args.checkpoint.display()))?;
    if let (Some(g), Some(r)) = (&scores.generated, &scores.real) {
        eprintln!(
            "FCN-score on {} held-out scenes: pixel accuracy {:.3} (real photos {:.3}), class accuracy {:.3} ({:.3}), class IoU {:.3} ({:.3})",
            scores.scenes,
            g.pixel_accuracy,
            r.pixel_accuracy,
            g.mean_class_accuracy,
            r.mean_class_accuracy,
            g.mean_iou,
            r.mean_iou
        );
    }
    if let Some(a) = scores.palette_accuracy {
        eprintln!("palette accuracy on {} held-out maps: {a:.3}", scores.scenes);
    }
    println!("{}", serde_json::to_string(&scores)?);
    Ok(())
}
