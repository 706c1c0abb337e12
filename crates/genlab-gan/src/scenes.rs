//! The pix2pix paper's scores for the drawn street and aerial tasks (Isola et al., 2017,
//! Tables 2 and 5), not L1, which rewards the blurry average:
//!
//! - `labels2street`: the FCN-score. A segmenter trained on real rendered street photos reads
//!   each generated photo back into classes; per-pixel accuracy, per-class accuracy and class
//!   IoU against the input label map. The same segmenter on the real photos is the ceiling.
//! - `aerial2map`: the share of pixels of the generated map that, snapped to the map palette,
//!   show the true map's colour.
//! - `map2aerial`: the FCN-score with a segmenter trained on aerial photos, and the Fréchet
//!   distance between generated and real photos in that segmenter's features.
//!
//! Scenes are drawn from the held-out seed stream of the run's seed, which training never
//! draws from.

use std::path::Path;

use burn::tensor::Device;
use genlab_data::aerial::{MAP_PALETTE, MapClass};
use genlab_data::scene::Scenes;
use genlab_data::street::StreetClass;
use genlab_data::translation::{Split, Task, split_seed, task_scenes};
use genlab_eval::segmenter::{Segmenter, SegmenterConfig, train_segmenter};
use genlab_eval::{EvalError, SegmentationScores, fid, palette_accuracy, segmentation_scores};
use genlab_train::{Checkpoint, LoadError, RunManifest, TrainState};
use serde::{Deserialize, Serialize};

use crate::pix2pix::{Pix2PixConfig, translate};
use crate::unet::UNet;

/// Why a scene score cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    /// The task has no drawn scenes, or needs a segmenter that was not given.
    #[error("{0}")]
    Unsupported(String),
    /// Drawing the scenes failed (a size that does not divide by 16).
    #[error(transparent)]
    Data(#[from] genlab_data::DataError),
    /// A score failed.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// Reading or writing a segmenter run failed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Its checkpoint could not be written or read.
    #[error(transparent)]
    Checkpoint(#[from] genlab_train::CheckpointError),
    /// Its folder could not be made.
    #[error("{path}: {source}")]
    Io {
        /// The folder.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// How a segmenter was trained, kept in its run folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmenterRecipe {
    /// `labels2street` (street photos) or `map2aerial` (aerial photos).
    pub task: String,
    /// Side of the pictures.
    pub size: usize,
    /// Training scenes.
    pub scenes: usize,
    /// Passes over them.
    pub epochs: u64,
    /// Seed of the scenes and the training.
    pub seed: u64,
}

/// The classes a task's photos are segmented into.
fn classes(task: Task) -> Result<usize, SceneError> {
    match task {
        Task::LabelsToStreet => Ok(StreetClass::ALL.len()),
        Task::MapToAerial | Task::AerialToMap => Ok(MapClass::ALL.len()),
        other => Err(SceneError::Unsupported(format!(
            "{} has no drawn scenes to score: labels2street, aerial2map and map2aerial do",
            other.name()
        ))),
    }
}

fn scenes(
    task: Task,
    n: usize,
    size: usize,
    seed: u64,
    split: Split,
) -> Result<Scenes, SceneError> {
    Ok(task_scenes(task, n, size, split_seed(seed, split))?.expect("a scene task"))
}

/// Trains the segmenter of `task`'s photos on `recipe.scenes` training scenes and scores it on
/// `held_out` held-out real photos (the FCN-score's ceiling).
pub fn train_task_segmenter(
    recipe: &SegmenterRecipe,
    width: usize,
    held_out: usize,
    device: &Device,
) -> Result<(Segmenter, SegmenterConfig, SegmentationScores), SceneError> {
    let task = Task::parse(&recipe.task).map_err(SceneError::Unsupported)?;
    let config = SegmenterConfig { classes: classes(task)?, width };
    let (size, seed) = (recipe.size, recipe.seed);
    let train = scenes(task, recipe.scenes, size, seed, Split::Train)?;
    let model =
        train_segmenter(&config, &train.photos, &train.classes, size, recipe.epochs, seed, device);
    let test = scenes(task, held_out, size, seed, Split::HeldOut)?;
    let (guess, _) = model.segment(&test.photos, size, device);
    let ceiling = segmentation_scores(&guess, &test.classes, config.classes)?;
    Ok((model, config, ceiling))
}

/// Writes a segmenter run: manifest (config and recipe), checkpoint.
pub fn save_segmenter(
    dir: &Path,
    model: &Segmenter,
    config: &SegmenterConfig,
    recipe: &SegmenterRecipe,
) -> Result<(), SceneError> {
    let run = genlab_train::RunDir::create(dir)
        .map_err(|source| SceneError::Io { path: dir.to_path_buf(), source })?;
    RunManifest::new("eval", "segmenter", config, recipe)
        .write(run.path())
        .map_err(LoadError::from)?;
    let state = TrainState { seed: recipe.seed, epoch: recipe.epochs, ..Default::default() };
    Checkpoint::save(run.checkpoint(), model, None, &state)?;
    Ok(())
}

/// Loads a segmenter run written by [`save_segmenter`].
pub fn load_segmenter(
    dir: &Path,
    device: &Device,
) -> Result<(Segmenter, SegmenterConfig, SegmenterRecipe), SceneError> {
    let manifest = RunManifest::open(dir, "eval", &[]).map_err(LoadError::from)?;
    if manifest.kind != "segmenter" {
        return Err(SceneError::Unsupported(format!(
            "{} holds a {}, not a segmenter",
            dir.display(),
            manifest.kind
        )));
    }
    let config: SegmenterConfig = manifest.model(dir).map_err(LoadError::from)?;
    let recipe: SegmenterRecipe = manifest.train(dir).map_err(LoadError::from)?;
    let model = Checkpoint::load_weights(dir, config.init(device))?;
    Ok((model, config, recipe))
}

/// The scores of a pix2pix generator on held-out scenes of its task.
#[derive(Debug, Clone, Serialize)]
pub struct SceneScores {
    /// The task.
    pub task: String,
    /// Held-out scenes scored.
    pub scenes: usize,
    /// The FCN-score of the generated photos (labels2street, map2aerial).
    pub generated: Option<SegmentationScores>,
    /// The same segmenter on the real photos: the ceiling.
    pub real: Option<SegmentationScores>,
    /// Fréchet distance between generated and real photos in the segmenter's features
    /// (map2aerial).
    pub segmenter_fid: Option<f64>,
    /// Share of map pixels right after snapping to the palette (aerial2map).
    pub palette_accuracy: Option<f64>,
}

/// Scores `generator` (of a pix2pix run with config `cfg`, trained with `seed`) on `n`
/// held-out scenes of its task; `segmenter` must be given for labels2street and map2aerial,
/// trained on that task's photos at the run's size.
pub fn score_scenes(
    generator: &UNet,
    cfg: &Pix2PixConfig,
    seed: u64,
    n: usize,
    segmenter: Option<(&Segmenter, &SegmenterConfig, &SegmenterRecipe)>,
    device: &Device,
) -> Result<SceneScores, SceneError> {
    let name = cfg.task.as_deref().unwrap_or("A|B pairs");
    let task = Task::parse(name).map_err(SceneError::Unsupported)?;
    let k = classes(task)?;
    let size = cfg.size;
    let held = scenes(task, n, size, seed, Split::HeldOut)?;
    let hw3 = 3 * size * size;
    let (input, target) = match task {
        Task::AerialToMap => (&held.photos, &held.flats),
        _ => (&held.flats, &held.photos),
    };
    let mut generated = Vec::with_capacity(input.len());
    for item in input.chunks(hw3) {
        generated.extend(translate(generator, &cfg.generator, item, [3, size, size], device));
    }
    let mut scores = SceneScores {
        task: name.into(),
        scenes: n,
        generated: None,
        real: None,
        segmenter_fid: None,
        palette_accuracy: None,
    };
    if task == Task::AerialToMap {
        scores.palette_accuracy = Some(palette_accuracy(&generated, target, &MAP_PALETTE)?);
        return Ok(scores);
    }
    let Some((model, config, recipe)) = segmenter else {
        return Err(SceneError::Unsupported(format!(
            "the FCN-score of {name} needs a segmenter trained on its photos: `genlab eval train-segmenter --task {name} --size {size}`"
        )));
    };
    let photos_of = |t: &str| if t == "labels2street" { "street" } else { "aerial" };
    if photos_of(&recipe.task) != photos_of(name) || recipe.size != size || config.classes != k {
        return Err(SceneError::Unsupported(format!(
            "this segmenter reads {} photos of {} px; the run makes {} photos of {size} px",
            photos_of(&recipe.task),
            recipe.size,
            photos_of(name)
        )));
    }
    let (fake_classes, fake_features) = model.segment(&generated, size, device);
    let (real_classes, real_features) = model.segment(target, size, device);
    scores.generated = Some(segmentation_scores(&fake_classes, &held.classes, k)?);
    scores.real = Some(segmentation_scores(&real_classes, &held.classes, k)?);
    if task == Task::MapToAerial {
        scores.segmenter_fid = Some(fid(&real_features, &fake_features, 4 * config.width)?);
    }
    Ok(scores)
}
