//! A trained autoencoder run folder, loaded: [`load`] reads `run.json` and the weights.

use std::path::Path;

use burn::tensor::Device;
use genlab_train::{Checkpoint, LoadError, RunManifest};
use serde::{Deserialize, Serialize};

use crate::model::{AeModel, ModelConfig};
use crate::train::TrainConfig;

/// Where an autoencoder run's data came from, as recorded in its manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AeData {
    /// The data spec (`mnist`, `faces:6000`, `photos:DIR`, `sensors`, ...).
    pub spec: String,
    /// Image side for face and image-folder data.
    pub size: usize,
}

/// A trained autoencoder and how it was made.
#[derive(Debug)]
pub struct AeRun {
    /// The model (validation mode, on the device it was loaded to).
    pub model: AeModel,
    /// Its configuration.
    pub config: ModelConfig,
    /// How it was trained.
    pub train: TrainConfig,
    /// What it was trained on.
    pub data: AeData,
}

/// Loads the autoencoder run in `dir` onto `device`.
pub fn load(dir: &Path, device: &Device) -> Result<AeRun, LoadError> {
    let manifest = RunManifest::open(dir, "autoencoder", &[])?;
    let config: ModelConfig = manifest.model(dir)?;
    let train: TrainConfig = manifest.train(dir)?;
    let data: AeData =
        if manifest.data.is_null() { AeData::default() } else { manifest.data(dir)? };
    let model = Checkpoint::load_weights(dir, config.init(device))?;
    Ok(AeRun { model, config, train, data })
}
