//! A trained WaveNet run folder, loaded: [`load`] reads `run.json` and the weights.

use std::path::Path;

use burn::tensor::Device;
use genlab_train::{Checkpoint, LoadError, RunManifest};
use serde::{Deserialize, Serialize};

use crate::model::{WaveNet, WaveNetConfig};
use crate::train::TrainConfig;

/// Where a WaveNet run's audio came from, as recorded in its manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WavenetData {
    /// The training data spec (`embedded`, a file or a folder).
    pub train: String,
    /// The held-out data spec, if any.
    pub val: Option<String>,
    /// The training clips' names: speaker `i` is `speakers[i]`.
    pub speakers: Vec<String>,
    /// Training samples.
    pub samples: usize,
}

/// A trained WaveNet and how it was made.
#[derive(Debug)]
pub struct WavenetRun {
    /// The model (on the device it was loaded to).
    pub model: WaveNet,
    /// Its configuration.
    pub config: WaveNetConfig,
    /// How it was trained.
    pub train: TrainConfig,
    /// What it was trained on.
    pub data: WavenetData,
}

impl WavenetRun {
    /// The id of speaker `name` (a training clip's name) or of a number given as text.
    pub fn speaker_id(&self, name: &str) -> Option<usize> {
        self.data.speakers.iter().position(|s| s == name).or_else(|| name.parse().ok())
    }
}

/// Loads the WaveNet run in `dir` onto `device`.
pub fn load(dir: &Path, device: &Device) -> Result<WavenetRun, LoadError> {
    let manifest = RunManifest::open(dir, "wavenet", &[])?;
    let config: WaveNetConfig = manifest.model(dir)?;
    let train: TrainConfig = manifest.train(dir)?;
    let data: WavenetData =
        if manifest.data.is_null() { WavenetData::default() } else { manifest.data(dir)? };
    let model = Checkpoint::load_weights(dir, config.init(device))?;
    Ok(WavenetRun { model, config, train, data })
}
