//! Where an autoencoder's items come from: a data spec (`mnist[:DIR]`, `faces[:N]`,
//! `photos:DIR`, `images:DIR`, `sensors`, `csv:FILE`), parsed once and loaded as
//! [`ImageData`] (train, test) or as photos for the denoiser. The spec is what a run's
//! manifest records, so a loaded run finds its test split again.

use std::path::{Path, PathBuf};

use genlab_data::images::{Channels, Fit};
use genlab_data::sensors::{ChannelStats, SensorConfig, SensorSeries, windows};

use crate::anomaly::windows_as_items;
use crate::data::{ImageData, Photo};

use genlab_data::DataError as DatasetError;

type Result<T> = std::result::Result<T, DatasetError>;

macro_rules! bail {
    ($($arg:tt)*) => { return Err(DatasetError::Invalid { problem: format!($($arg)*) }) };
}

/// Faces drawn for training and for testing (different seeds).
pub const FACES_TRAIN_SEED: u64 = 1;
/// Seed of the held-out faces.
pub const FACES_TEST_SEED: u64 = 2;

/// Where training data comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum DataSpec {
    /// MNIST: the embedded 2,000/500 slice, or `train-*`/`t10k-*` IDX files in a folder.
    Mnist(Option<PathBuf>),
    /// The synthetic faces (64×64 RGB): `n` training faces, 1,000 test faces.
    Faces(usize),
    /// A folder of photos of any size (the denoiser's patches).
    Photos(PathBuf),
    /// A folder of images brought to one size (`--size`), RGB.
    Images(PathBuf),
    /// The seeded sensor generator: normal signal to train, faulty signal to test.
    Sensors,
    /// A sensor log (CSV, one column per channel, optional `label` column).
    Csv(PathBuf),
}

impl DataSpec {
    /// Parses `mnist[:DIR]`, `faces[:N]`, `photos:DIR`, `images:DIR`, `sensors`, `csv:FILE`.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        let (kind, arg) = match s.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (s, None),
        };
        let need = |what: &str| {
            arg.filter(|a| !a.is_empty())
                .map(PathBuf::from)
                .ok_or_else(|| format!("--data {kind}:{what} needs a {what}"))
        };
        Ok(match kind {
            "mnist" => Self::Mnist(arg.map(PathBuf::from)),
            "faces" => Self::Faces(match arg {
                Some(n) => n.parse().map_err(|_| format!("faces:{n}: not a number of faces"))?,
                None => 6000,
            }),
            "photos" => Self::Photos(need("DIR")?),
            "images" => Self::Images(need("DIR")?),
            "sensors" => Self::Sensors,
            "csv" => Self::Csv(need("FILE")?),
            other => {
                return Err(format!(
                    "unknown data {other:?}: expected mnist[:DIR], faces[:N], photos:DIR, \
                     images:DIR, sensors or csv:FILE"
                ));
            }
        })
    }

    /// Whether items are images (so PNG grids make sense).
    pub fn is_images(&self) -> bool {
        !matches!(self, Self::Sensors | Self::Csv(_))
    }

    /// The usual reconstruction loss: BCE for pixels, MSE for normalised sensor values.
    pub fn default_loss(&self) -> crate::loss::ReconLoss {
        if self.is_images() { crate::loss::ReconLoss::Bce } else { crate::loss::ReconLoss::Mse }
    }
}

/// How sensor series are read and cut into windows.
#[derive(Debug, Clone)]
pub struct WindowOpts {
    /// Steps per window.
    pub width: usize,
    /// Steps between window starts.
    pub stride: usize,
    /// The CSV column of per-step fault labels (0/1); optional in the normal log.
    pub label_column: String,
    /// A CSV column of timestamps to drop, if the logs have one.
    pub time_column: Option<String>,
}

impl WindowOpts {
    /// Windows of `width` steps every `stride`, CSV columns `label` (and no time column).
    pub fn new(width: usize, stride: usize) -> Self {
        Self { width, stride, label_column: "label".into(), time_column: None }
    }
}

/// Reads the normal log (to train on) and the log to score; the label column is required
/// only in the latter.
pub fn read_logs(
    normal: &Path,
    test: &Path,
    opts: &WindowOpts,
) -> Result<(SensorSeries, SensorSeries)> {
    let read = |path: &Path, require_label: bool| -> Result<SensorSeries> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| genlab_data::DataError::Io { path: path.to_path_buf(), source })?;
        let header = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        let has_label = header.split(',').any(|f| f.trim() == opts.label_column);
        if require_label && !has_label {
            bail!(
                "{}: no {:?} column; the log to score needs its ground truth (0/1 per row), or name the column with --label-column",
                path.display(),
                opts.label_column
            );
        }
        let csv = genlab_data::CsvOptions {
            label_column: has_label.then(|| opts.label_column.clone()),
            time_column: opts.time_column.clone(),
        };
        genlab_data::read_sensor_csv(path, &csv)
    };
    Ok((read(normal, false)?, read(test, true)?))
}

/// MNIST from a folder (IDX, gz or raw) or the embedded slice: (train, test).
pub fn mnist(dir: Option<&Path>) -> Result<(ImageData, ImageData)> {
    let Some(dir) = dir else {
        let (ti, tl) = genlab_data::embedded::mnist_train();
        let (vi, vl) = genlab_data::embedded::mnist_test();
        return Ok((
            ImageData::from_image_set(&ti, Some(tl.labels)),
            ImageData::from_image_set(&vi, Some(vl.labels)),
        ));
    };
    let load = |split: &str| -> Result<ImageData> {
        let (images, labels) = genlab_data::read_mnist_split(dir, split)?;
        Ok(ImageData::from_image_set(&images, Some(labels.labels)))
    };
    Ok((load("train")?, load("t10k")?))
}

/// Every image file in `dir` as a photo (RGB or grey), skipping names in `exclude`.
pub fn photos(dir: &Path, channels: usize, exclude: &[String]) -> Result<Vec<Photo>> {
    let files = genlab_data::images::list_images(dir)?;
    let mut out = Vec::new();
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if exclude.contains(&name) {
            continue;
        }
        out.push(read_photo(&path, channels)?);
    }
    if out.is_empty() {
        bail!("{} has no photos left to train on", dir.display());
    }
    Ok(out)
}

/// One photo file at its own size.
pub fn read_photo(path: &Path, channels: usize) -> Result<Photo> {
    let img = genlab_data::images::open_image(path)?;
    let ch = if channels == 1 { Channels::Grey } else { Channels::Rgb };
    let values = genlab_data::images::planar(&img, ch);
    Ok(Photo::new(channels, img.height() as usize, img.width() as usize, values))
}

/// Sensor series as normalised windows: the training series (normal) and the test series
/// (with its labels), normalised with the training series' per-channel statistics.
pub fn sensor_windows(
    train: &SensorSeries,
    test: &SensorSeries,
    opts: &WindowOpts,
) -> Result<(ImageData, ImageData, Vec<bool>)> {
    if opts.width == 0 || opts.stride == 0 {
        bail!(
            "window and stride must be at least 1, got window {} and stride {}",
            opts.width,
            opts.stride
        );
    }
    if train.channels != test.channels {
        bail!("the training log has {} channels, the test log {}", train.channels, test.channels);
    }
    for (name, s) in [("training", train), ("test", test)] {
        if s.len < opts.width {
            bail!("the {name} series has {} steps, fewer than one window of {}", s.len, opts.width);
        }
    }
    let stats = ChannelStats::fit(train);
    let (mut train, mut test) = (train.clone(), test.clone());
    train.normalise(&stats)?;
    test.normalise(&stats)?;
    let tr = windows(&train, opts.width, opts.stride)?;
    let te = windows(&test, opts.width, opts.stride)?;
    let labels = te.labels.clone();
    Ok((windows_as_items(&tr), windows_as_items(&te), labels))
}

/// The generator's default machine: (normal training series, faulty test series).
pub fn generated_sensors(seed: u64) -> (SensorSeries, SensorSeries) {
    let cfg = SensorConfig { seed, ..SensorConfig::default() };
    (genlab_data::sensors::generate_normal(&cfg), genlab_data::sensors::generate(&cfg))
}

/// Loads fixed-size items for `spec`: (train, test, test anomaly labels if known).
pub fn load_items(
    spec: &DataSpec,
    size: usize,
    window: &WindowOpts,
    train_csv: Option<&Path>,
    seed: u64,
) -> Result<(ImageData, Option<ImageData>, Option<Vec<bool>>)> {
    match spec {
        DataSpec::Mnist(dir) => {
            let (train, test) = mnist(dir.as_deref())?;
            Ok((train, Some(test), None))
        }
        DataSpec::Faces(n) => {
            let item = |f: genlab_data::Faces| ImageData::new([3, f.size, f.size], f.images, None);
            let train = item(genlab_data::generate_faces(*n, size, FACES_TRAIN_SEED));
            let test = item(genlab_data::generate_faces(1000, size, FACES_TEST_SEED));
            Ok((train, Some(test), None))
        }
        DataSpec::Images(dir) => {
            let images = genlab_data::images::read_image_folder(
                dir,
                size,
                size,
                Channels::Rgb,
                Fit::CenterCrop,
            )?;
            Ok((ImageData::new([3, size, size], images.pixels, None), None, None))
        }
        DataSpec::Photos(dir) => bail!(
            "photos:{} are for the denoiser (--model dae); other models need fixed-size items",
            dir.display()
        ),
        DataSpec::Sensors => {
            let (train, test) = generated_sensors(seed);
            let (tr, te, labels) = sensor_windows(&train, &test, window)?;
            Ok((tr, Some(te), Some(labels)))
        }
        DataSpec::Csv(test_path) => {
            let Some(normal) = train_csv else {
                bail!(
                    "csv:{} is the log to score; give the normal log to train on with --train-csv FILE",
                    test_path.display()
                );
            };
            let (train, test) = read_logs(normal, test_path, window)?;
            let (tr, te, labels) = sensor_windows(&train, &test, window)?;
            Ok((tr, Some(te), Some(labels)))
        }
    }
}
