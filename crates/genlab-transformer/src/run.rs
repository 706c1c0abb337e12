//! A trained GPT run folder, loaded: [`load`] reads `run.json`, the weights and the
//! tokenizer, so programs (the CLI, a server) use a run without knowing its files.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use genlab_config::ConfigError;
use genlab_tokenizer::Tokenizer;
use genlab_train::{Checkpoint, CheckpointError, RunError, RunManifest, TrainError};

use crate::config::GptConfig;
use crate::data::TokenSplits;
use crate::model::Gpt;
use crate::pretrain::TrainConfig;
use crate::recipe::DataSection;

/// Everything that can go wrong around a GPT run (reading recipes, corpora, run folders).
#[derive(Debug, thiserror::Error)]
pub enum GptError {
    /// A recipe file is unreadable or malformed.
    #[error("recipe {path}: {problem}")]
    Recipe {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A setting is out of range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The run folder is missing, corrupt or of another family.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The checkpoint is unreadable or does not fit the model.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The tokenizer could not be read, trained or used.
    #[error(transparent)]
    Tokenizer(#[from] genlab_tokenizer::TokenizerError),
    /// The corpus could not be read.
    #[error(transparent)]
    Data(#[from] genlab_data::DataError),
    /// safetensors weights could not be written or read.
    #[error(transparent)]
    Weights(#[from] crate::WeightsError),
    /// Training failed.
    #[error(transparent)]
    Train(#[from] TrainError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// A trained GPT with what it needs to be used.
pub struct GptRun {
    /// The model, on the device it was loaded to.
    pub model: Gpt,
    /// Its shape.
    pub config: GptConfig,
    /// The tokenizer it was trained with.
    pub tokenizer: Box<dyn Tokenizer>,
    /// How it was trained.
    pub train: TrainConfig,
    /// The data it was trained on.
    pub data: DataSection,
    /// The run's manifest.
    pub manifest: RunManifest,
}

impl std::fmt::Debug for GptRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GptRun").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Loads the GPT run in `dir` onto `device`.
pub fn load(dir: &Path, device: &Device) -> Result<GptRun, GptError> {
    let manifest = RunManifest::open(dir, "gpt", &[])?;
    let config: GptConfig = manifest.model(dir)?;
    let train: TrainConfig = manifest.train(dir)?;
    let data: DataSection =
        if manifest.data.is_null() { DataSection::default() } else { manifest.data(dir)? };
    let file = manifest.tokenizer.as_deref().unwrap_or("tokenizer.json");
    let tokenizer = genlab_tokenizer::load(dir.join(file))?;
    let model = Checkpoint::load_weights(dir, config.init(device))?;
    Ok(GptRun { model, config, tokenizer, train, data, manifest })
}

impl GptRun {
    /// The validation tokens of the data the run was trained on.
    pub fn validation_tokens(&self) -> Result<Vec<u32>, GptError> {
        let text = self.data.read_corpus()?;
        let ids = self.tokenizer.encode(&text)?;
        Ok(TokenSplits::split(ids, self.data.train_fraction()).val)
    }
}

/// Trains a GPT from `recipe` into `dir`: reads the corpus, builds the tokenizer from the
/// training split (or, resuming, reads the run's own), splits the tokens, pretrains, and
/// writes `model.safetensors` beside the checkpoint. `model` replaces the recipe's shape
/// (a resumed run passes its own). `on_eval` gets the model, the tokenizer and the step after
/// each evaluation and may return a sample for the log and the run page.
pub fn train_recipe(
    recipe: &crate::Recipe,
    model: Option<GptConfig>,
    dir: &genlab_train::RunDir,
    resume: bool,
    device: &Device,
    on_eval: &mut dyn FnMut(&Gpt, &dyn Tokenizer, u64) -> Option<String>,
) -> Result<(GptRun, crate::TrainReport), GptError> {
    // Settings are checked before anything is written (the shape again once the vocabulary
    // size is known), so a refused run leaves no files behind.
    recipe.train.validate()?;
    if model.is_none() {
        recipe.model.config(256)?;
    }
    let text = recipe.data.read_corpus()?;
    let fraction = recipe.data.train_fraction();
    let (train_text, _) = genlab_data::text::split(&text, fraction);
    let tok_path = dir.file("tokenizer.json");
    let tokenizer = if resume {
        genlab_tokenizer::load(&tok_path)?
    } else {
        recipe.data.build_tokenizer(train_text, &tok_path)?
    };
    let data = TokenSplits::split(tokenizer.encode(&text)?, fraction);
    let config = match model {
        Some(c) => c,
        None => recipe.model.config(tokenizer.vocab_size())?,
    };
    eprintln!(
        "training a {}-parameter GPT ({} layers, {} heads, width {}, context {}) on {} train / {} val tokens ({} vocab) on {device:?}",
        config.num_params(),
        config.n_layer,
        config.n_head,
        config.n_embd,
        config.block_size,
        data.train.len(),
        data.val.len(),
        tokenizer.vocab_size(),
    );
    let spec = genlab_train::RunSpec::new(dir, resume)
        .with_data(serde_json::to_value(&recipe.data).expect("data section serialises"));
    let mut hook = |m: &Gpt, step: u64| on_eval(m, tokenizer.as_ref(), step);
    let (model, report) = crate::pretrain(&config, &recipe.train, &data, &spec, device, &mut hook)?;
    let weights = dir.file("model.safetensors");
    crate::save_safetensors(&model, &weights)?;
    let manifest = RunManifest::open(dir.path(), "gpt", &[])?;
    let run = GptRun {
        model,
        config,
        tokenizer,
        train: recipe.train.clone(),
        data: recipe.data.clone(),
        manifest,
    };
    Ok((run, report))
}

/// The recipe and model shape of the run in `dir`, to continue it (`--resume`).
pub fn resume_recipe(dir: &Path) -> Result<(crate::Recipe, GptConfig), GptError> {
    let manifest = RunManifest::open(dir, "gpt", &[])?;
    let mut recipe = crate::Recipe { family: Some("gpt".into()), ..Default::default() };
    recipe.train = manifest.train(dir)?;
    if !manifest.data.is_null() {
        recipe.data = manifest.data(dir)?;
    }
    Ok((recipe, manifest.model(dir)?))
}
