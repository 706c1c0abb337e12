//! A trained GPT (or char-RNN) run folder, loaded: [`load`] reads `run.json`, the weights
//! and the tokenizer, so programs (the CLI, a server) use a run without knowing its files.
//! The code is shared by every [`ModelConfig`]; [`crate::rnn`] uses it for the RNN.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use genlab_config::ConfigError;
use genlab_tokenizer::Tokenizer;
use genlab_train::{Checkpoint, CheckpointError, RunError, RunManifest, TrainError};
use serde::de::DeserializeOwned;

use crate::config::GptConfig;
use crate::data::TokenSplits;
use crate::model::Gpt;
use crate::pretrain::{ModelConfig, TrainConfig};
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
    /// A fine-tuning dataset is malformed (the line is named).
    #[error("dataset {path}: {problem}")]
    Dataset {
        /// The file (or a description of in-memory data).
        path: PathBuf,
        /// What is wrong, with the line.
        problem: String,
    },
    /// A fine-tuning stage cannot run as asked (mismatched runs, a prompt too long).
    #[error("{0}")]
    Finetune(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// A trained language model with what it needs to be used: [`GptRun`] for the GPT,
/// [`RnnRun`](crate::rnn::RnnRun) for the char-RNN.
pub struct LmRun<C: ModelConfig> {
    /// The model, on the device it was loaded to.
    pub model: C::Model,
    /// Its shape.
    pub config: C,
    /// The tokenizer it was trained with.
    pub tokenizer: Box<dyn Tokenizer>,
    /// How it was trained.
    pub train: TrainConfig,
    /// The data it was trained on.
    pub data: DataSection,
    /// The run's manifest.
    pub manifest: RunManifest,
}

/// A trained GPT with what it needs to be used.
pub type GptRun = LmRun<GptConfig>;

impl<C: ModelConfig + std::fmt::Debug> std::fmt::Debug for LmRun<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LmRun").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Loads the GPT run in `dir` onto `device`.
pub fn load(dir: &Path, device: &Device) -> Result<GptRun, GptError> {
    load_run(dir, device)
}

/// Loads the run of family `C::FAMILY` in `dir` onto `device`.
pub fn load_run<C: ModelConfig + DeserializeOwned>(
    dir: &Path,
    device: &Device,
) -> Result<LmRun<C>, GptError> {
    // Pretraining runs only: a fine-tuned (chat) run loads with `finetune::load_chat`.
    let manifest = RunManifest::open(dir, C::FAMILY, &[C::FAMILY])?;
    let config: C = manifest.model(dir)?;
    let train: TrainConfig = manifest.train(dir)?;
    let data: DataSection =
        if manifest.data.is_null() { DataSection::default() } else { manifest.data(dir)? };
    let file = manifest.tokenizer.as_deref().unwrap_or("tokenizer.json");
    let tokenizer = genlab_tokenizer::load(dir.join(file))?;
    let model = Checkpoint::load_weights(dir, config.init(device))?;
    Ok(LmRun { model, config, tokenizer, train, data, manifest })
}

impl<C: ModelConfig> LmRun<C> {
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
    let shape = |vocab| model.clone().map_or_else(|| recipe.model.config(vocab), Ok);
    let (run, report) =
        pretrain_run(&recipe.train, &recipe.data, shape, dir, resume, device, on_eval)?;
    crate::save_safetensors(&run.model, dir.file("model.safetensors"))?;
    Ok((run, report))
}

/// Called after each evaluation with the model, the tokenizer and the step; may return a
/// sample for the log and the run page.
pub type OnEval<'a, M> = dyn FnMut(&M, &dyn Tokenizer, u64) -> Option<String> + 'a;

/// What [`train_recipe`] does for any family: the corpus, the tokenizer (built from the
/// training split, or the run's own when resuming), the splits, then [`crate::pretrain`] of
/// the shape `shape` gives for the vocabulary size.
///
/// The settings and the shape (for a nominal vocabulary of 256) are checked before anything
/// is read or written, so a refused run leaves no files behind; the shape is checked again
/// once the vocabulary size is known.
pub fn pretrain_run<C: ModelConfig>(
    train: &TrainConfig,
    data_section: &DataSection,
    shape: impl Fn(usize) -> Result<C, ConfigError>,
    dir: &genlab_train::RunDir,
    resume: bool,
    device: &Device,
    on_eval: &mut OnEval<'_, C::Model>,
) -> Result<(LmRun<C>, crate::TrainReport), GptError>
where
    C::Model: crate::NextTokenModel,
{
    train.validate()?;
    shape(256)?;
    let text = data_section.read_corpus()?;
    let fraction = data_section.train_fraction();
    let (train_text, _) = genlab_data::text::split(&text, fraction);
    let tok_path = dir.file("tokenizer.json");
    let tokenizer = if resume {
        genlab_tokenizer::load(&tok_path)?
    } else {
        data_section.build_tokenizer(train_text, &tok_path)?
    };
    let data = TokenSplits::split(tokenizer.encode(&text)?, fraction);
    let config = shape(tokenizer.vocab_size())?;
    eprintln!(
        "training {} on {} train / {} val tokens ({} vocab) on {device:?}",
        config.describe(),
        data.train.len(),
        data.val.len(),
        tokenizer.vocab_size(),
    );
    let spec = genlab_train::RunSpec::new(dir, resume)
        .with_data(serde_json::to_value(data_section).expect("data section serialises"));
    let mut hook = |m: &C::Model, step: u64| on_eval(m, tokenizer.as_ref(), step);
    let (model, report) = crate::pretrain(&config, train, &data, &spec, device, &mut hook)?;
    let manifest = RunManifest::open(dir.path(), C::FAMILY, &[])?;
    let run = LmRun {
        model,
        config,
        tokenizer,
        train: train.clone(),
        data: data_section.clone(),
        manifest,
    };
    Ok((run, report))
}

/// The recipe and model shape of the run in `dir`, to continue it (`--resume`).
pub fn resume_recipe(dir: &Path) -> Result<(crate::Recipe, GptConfig), GptError> {
    let (train, data, model) = resume_parts(dir, "gpt")?;
    let recipe = crate::Recipe { family: Some("gpt".into()), train, data, ..Default::default() };
    Ok((recipe, model))
}

/// The training settings, data section and model shape recorded in the run of `family` in
/// `dir`.
pub fn resume_parts<C: DeserializeOwned>(
    dir: &Path,
    family: &str,
) -> Result<(TrainConfig, DataSection, C), GptError> {
    let manifest = RunManifest::open(dir, family, &[])?;
    let train = manifest.train(dir)?;
    let data = if manifest.data.is_null() { DataSection::default() } else { manifest.data(dir)? };
    Ok((train, data, manifest.model(dir)?))
}
