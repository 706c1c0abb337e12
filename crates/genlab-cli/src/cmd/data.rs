//! `genlab data check | instructions | rankings | pairs`. `check` reads the embedded defaults, and the given files or the shared data
//! folder, and prints counts, shapes and label histograms. A quick way to see that genlab
//! runs and finds its data.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use genlab_data::text::read_text;
use genlab_data::{ImageSet, LabelSet, embedded, read_mnist_images, read_mnist_labels};

use super::shared_data_dir;

/// `genlab data ...`
#[derive(clap::Subcommand, Debug)]
pub enum DataCmd {
    /// Read the embedded data (and MNIST/text files if given or found in ../shared/data)
    /// and print what is there.
    Check {
        /// Folder with MNIST IDX files (`train-*` and/or `t10k-*`, gzipped or raw).
        /// Default: ../shared/data/mnist if it exists.
        #[arg(long, value_name = "DIR")]
        mnist: Option<PathBuf>,
        /// A UTF-8 text corpus. Default: ../shared/data/text/shakespeare.txt if it exists.
        #[arg(long, value_name = "FILE")]
        text: Option<PathBuf>,
    },
    /// Write instruction-playground examples as `{"task", "prompt", "response"}` JSONL.
    Instructions {
        /// train or heldout (their prompts never overlap).
        #[arg(long, value_enum, default_value = "train")]
        split: SplitArg,
        /// Number of examples.
        #[arg(long, default_value_t = 6000)]
        n: usize,
        /// Seed (the built-in SFT stage uses 7 for train and 6 for held-out).
        #[arg(long)]
        seed: Option<u64>,
        /// Output JSONL.
        #[arg(long, value_parser = super::path_arg)]
        out: PathBuf,
    },
    /// Write rankings by the playground's rule-based judge as `{"prompt", "responses": [best, ..., worst]}` JSONL.
    Rankings {
        /// train or heldout.
        #[arg(long, value_enum, default_value = "train")]
        split: SplitArg,
        /// Number of rankings.
        #[arg(long, default_value_t = 1500)]
        n: usize,
        /// Responses per ranking (2-9).
        #[arg(long, default_value_t = 4)]
        k: usize,
        /// Seed (the built-in stages use 7 for train and 6 for held-out).
        #[arg(long)]
        seed: Option<u64>,
        /// Output JSONL.
        #[arg(long, value_parser = super::path_arg)]
        out: PathBuf,
    },
    /// Write a pix2pix task's pairs as A|B PNGs, the layout `gan train --task pairs:DIR` and
    /// other pix2pix tools read. With the seed of a training run, `--split heldout` gives
    /// exactly the pairs that run was scored on.
    Pairs {
        /// bw2color, edges2photo, day2night, labels2facade, labels2street, aerial2map or
        /// map2aerial.
        #[arg(long)]
        task: String,
        /// Number of pairs.
        #[arg(long, default_value_t = 100)]
        n: usize,
        /// Side of each picture in pixels (street and aerial scenes: a multiple of 16).
        #[arg(long, default_value_t = 256)]
        size: usize,
        /// train or heldout (never the same pictures).
        #[arg(long, value_enum, default_value = "train")]
        split: SplitArg,
        /// Photos to cut crops from, for the photo tasks (default: synthetic faces).
        #[arg(long, value_parser = super::path_arg)]
        photos: Option<PathBuf>,
        /// Seed (as `gan train --seed`).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder.
        #[arg(long, value_parser = super::path_arg)]
        out: PathBuf,
    },
}

/// A playground split.
#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum SplitArg {
    /// Training prompts.
    Train,
    /// Held-out prompts.
    Heldout,
}

impl SplitArg {
    fn translation(self) -> genlab_data::translation::Split {
        match self {
            SplitArg::Train => genlab_data::translation::Split::Train,
            SplitArg::Heldout => genlab_data::translation::Split::HeldOut,
        }
    }
    fn split(self) -> genlab_data::instructions::Split {
        match self {
            SplitArg::Train => genlab_data::instructions::Split::Train,
            SplitArg::Heldout => genlab_data::instructions::Split::Heldout,
        }
    }
    fn default_seed(self) -> u64 {
        match self {
            SplitArg::Train => 7,
            SplitArg::Heldout => 6,
        }
    }
}

/// Runs `genlab data ...`.
pub fn run(cmd: DataCmd) -> anyhow::Result<()> {
    match cmd {
        DataCmd::Check { mnist, text } => check(mnist, text),
        DataCmd::Instructions { split, n, seed, out } => {
            if n == 0 {
                bail!("--n must be at least 1");
            }
            let seed = seed.unwrap_or(split.default_seed());
            let records = genlab_data::instructions::examples(split.split(), n, seed);
            super::finetune::write_jsonl(&out, &records)?;
            println!("wrote {n} examples to {}", out.display());
            Ok(())
        }
        DataCmd::Rankings { split, n, k, seed, out } => {
            if n == 0 || !(2..=9).contains(&k) {
                bail!("--n must be at least 1 and --k between 2 and 9 (got n {n}, k {k})");
            }
            let seed = seed.unwrap_or(split.default_seed());
            let records = genlab_data::preference::rankings(split.split(), n, k, seed);
            super::finetune::write_jsonl(&out, &records)?;
            println!("wrote {n} rankings of {k} responses to {}", out.display());
            Ok(())
        }
        DataCmd::Pairs { task, n, size, split, photos, seed, out } => {
            use genlab_data::translation::{PhotoCrops, Task, task_pairs};
            let task = Task::parse(&task).map_err(anyhow::Error::msg)?;
            if n == 0 || size == 0 {
                bail!("--n and --size must be at least 1 (got n {n}, size {size})");
            }
            let crops = match (photos, task.uses_photos()) {
                (Some(dir), true) => Some(PhotoCrops::from_folder(dir, size)?),
                (Some(_), false) => bail!("{} draws its own pictures: drop --photos", task.name()),
                (None, _) => None,
            };
            let pairs = task_pairs(task, crops.as_ref(), n, size, split.translation(), seed)?;
            let files = genlab_data::images::write_side_by_side(&pairs, &out)?;
            println!(
                "wrote {} {} pairs (A|B, {size}x{size} each side) to {}",
                files.len(),
                task.name(),
                out.display()
            );
            Ok(())
        }
    }
}

fn check(mnist: Option<PathBuf>, text: Option<PathBuf>) -> anyhow::Result<()> {
    println!("embedded (compiled into the binary; see docs/data.md):");
    let (x, y) = embedded::mnist_train();
    describe_mnist("MNIST train", &x, &y)?;
    let (x, y) = embedded::mnist_test();
    describe_mnist("MNIST test", &x, &y)?;
    describe_text("Shakespeare", embedded::shakespeare());

    let shared = shared_data_dir();
    match (mnist, &shared) {
        (Some(dir), _) => check_mnist_dir(&dir, true)?,
        (None, Some(base)) if base.join("mnist").is_dir() => {
            check_mnist_dir(&base.join("mnist"), false)?
        }
        _ => println!("\nno MNIST folder given and none found in ../shared/data (--mnist DIR)"),
    }
    let default_text = shared.map(|base| base.join("text/shakespeare.txt")).filter(|p| p.is_file());
    match text.or(default_text) {
        Some(path) => {
            println!("\n{}:", path.display());
            let text = read_text(&path)?;
            describe_text("text", &text);
        }
        None => println!("\nno text file given and none found in ../shared/data (--text FILE)"),
    }
    Ok(())
}

/// Reads the `train` and `t10k` image/label pairs found in `dir`. With `required`, finding
/// neither is an error.
fn check_mnist_dir(dir: &Path, required: bool) -> anyhow::Result<()> {
    println!("\n{}:", dir.display());
    let mut found = 0;
    for split in ["train", "t10k"] {
        let images = genlab_data::find_idx(dir, &format!("{split}-images-idx3-ubyte"));
        let labels = genlab_data::find_idx(dir, &format!("{split}-labels-idx1-ubyte"));
        match (images, labels) {
            (Some(images), Some(labels)) => {
                let x = read_mnist_images(&images)?;
                let y = read_mnist_labels(&labels, 9)?;
                describe_mnist(&format!("MNIST {split}"), &x, &y)
                    .with_context(|| format!("{} and {}", images.display(), labels.display()))?;
                found += 1;
            }
            (Some(only), None) | (None, Some(only)) => {
                bail!("{} has no matching {split} labels/images file beside it", only.display())
            }
            (None, None) => {}
        }
    }
    if found == 0 && required {
        bail!(
            "{}: no MNIST files found (expected train-images-idx3-ubyte[.gz] and \
             train-labels-idx1-ubyte[.gz], or the t10k-* pair)",
            dir.display()
        );
    }
    Ok(())
}

fn describe_mnist(name: &str, x: &ImageSet, y: &LabelSet) -> anyhow::Result<()> {
    if x.n != y.labels.len() {
        bail!("{name}: {} images but {} labels", x.n, y.labels.len());
    }
    let mean = if x.pixels.is_empty() {
        0.0
    } else {
        x.pixels.iter().map(|&p| f64::from(p)).sum::<f64>() / x.pixels.len() as f64 / 255.0
    };
    println!(
        "  {name:<12} {} images of {}x{}, {} labels, mean pixel {mean:.3}",
        x.n,
        x.rows,
        x.cols,
        y.labels.len()
    );
    println!("  {:<12} labels: {}", "", histogram(&y.labels));
    Ok(())
}

/// `0:197 1:226 ...` for labels 0..=9.
fn histogram(labels: &[u8]) -> String {
    let mut counts = [0usize; 10];
    for &l in labels {
        counts[usize::from(l.min(9))] += 1;
    }
    counts.iter().enumerate().map(|(d, c)| format!("{d}:{c}")).collect::<Vec<_>>().join(" ")
}

fn describe_text(name: &str, text: &str) {
    let mut chars: Vec<char> = text.chars().collect();
    let n_chars = chars.len();
    chars.sort_unstable();
    chars.dedup();
    let first_line = text.lines().next().unwrap_or("").trim();
    println!(
        "  {name:<12} {} bytes, {n_chars} chars, {} lines, {} distinct chars; starts {:?}",
        text.len(),
        text.lines().count(),
        chars.len(),
        first_line,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_each_digit() {
        assert_eq!(histogram(&[0, 1, 1, 9]), "0:1 1:2 2:0 3:0 4:0 5:0 6:0 7:0 8:0 9:1");
    }

    #[test]
    fn an_empty_mnist_folder_is_an_error_only_when_asked_for() {
        let dir = std::env::temp_dir().join(format!("genlab-cli-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = check_mnist_dir(&dir, true).unwrap_err().to_string();
        assert!(err.contains("no MNIST files found"), "{err}");
        assert!(check_mnist_dir(&dir, false).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
