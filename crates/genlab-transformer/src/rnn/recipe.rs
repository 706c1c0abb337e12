//! Char-RNN recipes (`configs/shakespeare-char-lstm.toml`) and run folders. The `[train]` and
//! `[data]` sections are the GPT's ([`TrainConfig`], [`DataSection`]); only `[model]` differs.
//! Training, loading and resuming are the GPT's code ([`crate::run`]) with the RNN's config.

use std::path::Path;

use burn::tensor::Device;
use genlab_config::ConfigError;
use genlab_tokenizer::Tokenizer;
use serde::{Deserialize, Serialize};

use super::config::{Cell, RnnConfig};
use super::model::CharRnn;
use crate::pretrain::{TrainConfig, TrainReport};
use crate::recipe::{DataSection, read_recipe};
use crate::run::{GptError, LmRun, load_run, pretrain_run, resume_parts};

/// A trained char-RNN with what it needs to be used.
pub type RnnRun = LmRun<RnnConfig>;

/// A char-RNN training recipe; command-line flags override it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RnnRecipe {
    /// Must be "rnn" when present.
    pub family: Option<String>,
    /// Model shape.
    pub model: RnnModelSection,
    /// Optimisation (the GPT's settings).
    pub train: TrainConfig,
    /// Data and tokenizer (the GPT's settings).
    pub data: DataSection,
}

/// `[model]` of an RNN recipe.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RnnModelSection {
    /// `baby`, `small` or `tiny`.
    pub preset: String,
    /// `lstm` or `gru`.
    pub cell: Cell,
    /// Overrides of the preset.
    pub block_size: Option<usize>,
    pub n_layer: Option<usize>,
    pub n_embd: Option<usize>,
    pub n_hidden: Option<usize>,
    pub dropout: Option<f64>,
}

impl Default for RnnModelSection {
    fn default() -> Self {
        Self {
            preset: "baby".into(),
            cell: Cell::Lstm,
            block_size: None,
            n_layer: None,
            n_embd: None,
            n_hidden: None,
            dropout: None,
        }
    }
}

impl RnnModelSection {
    /// The preset with this section's overrides, for a vocabulary of `vocab_size`.
    pub fn config(&self, vocab_size: usize) -> Result<RnnConfig, ConfigError> {
        let mut cfg = RnnConfig::preset(&self.preset, self.cell, vocab_size)?;
        cfg.block_size = self.block_size.unwrap_or(cfg.block_size);
        cfg.n_layer = self.n_layer.unwrap_or(cfg.n_layer);
        cfg.n_embd = self.n_embd.unwrap_or(cfg.n_embd);
        cfg.n_hidden = self.n_hidden.unwrap_or(cfg.n_hidden);
        cfg.dropout = self.dropout.unwrap_or(cfg.dropout);
        cfg.validate()?;
        Ok(cfg)
    }
}

impl RnnRecipe {
    /// Reads and parses a recipe file; a recipe for another family is an error.
    pub fn load(path: &Path) -> Result<Self, GptError> {
        read_recipe(path, "rnn", |r: &Self| r.family.as_deref())
    }
}

/// Loads the char-RNN run in `dir` onto `device`.
pub fn load(dir: &Path, device: &Device) -> Result<RnnRun, GptError> {
    load_run(dir, device)
}

/// Trains a char-RNN from `recipe` into `dir` (the GPT's [`crate::train_recipe`] without
/// the safetensors export). `model` replaces the recipe's shape (a resumed run passes its
/// own).
pub fn train_recipe(
    recipe: &RnnRecipe,
    model: Option<RnnConfig>,
    dir: &genlab_train::RunDir,
    resume: bool,
    device: &Device,
    on_eval: &mut dyn FnMut(&CharRnn, &dyn Tokenizer, u64) -> Option<String>,
) -> Result<(RnnRun, TrainReport), GptError> {
    let shape = |vocab| model.clone().map_or_else(|| recipe.model.config(vocab), Ok);
    pretrain_run(&recipe.train, &recipe.data, shape, dir, resume, device, on_eval)
}

/// The recipe and model shape of the RNN run in `dir`, to continue it (`--resume`).
pub fn resume_recipe(dir: &Path) -> Result<(RnnRecipe, RnnConfig), GptError> {
    let (train, data, model): (_, _, RnnConfig) = resume_parts(dir, "rnn")?;
    let section = RnnModelSection { cell: model.cell, ..Default::default() };
    let recipe = RnnRecipe { family: Some("rnn".into()), model: section, train, data };
    Ok((recipe, model))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rnn_overrides_apply_to_the_preset_and_bad_names_are_refused() {
        let recipe: RnnRecipe =
            toml::from_str("[model]\npreset = \"small\"\ncell = \"gru\"\nn_layer = 3\n").unwrap();
        let cfg = recipe.model.config(65).unwrap();
        assert_eq!((cfg.cell, cfg.n_layer, cfg.n_hidden, cfg.vocab_size), (Cell::Gru, 3, 512, 65));
        let bad: RnnRecipe = toml::from_str("[model]\npreset = \"huge\"\n").unwrap();
        assert!(bad.model.config(65).unwrap_err().to_string().contains("huge"));
        assert!(toml::from_str::<RnnRecipe>("[model]\ncell = \"rnn\"\n").is_err());
        assert!(toml::from_str::<RnnRecipe>("[model]\nn_head = 4\n").is_err());
    }

    #[test]
    fn baby_rnn_is_about_the_size_of_the_baby_gpt() {
        let gpt = crate::GptConfig::baby(65).num_params() as f64;
        for cell in [Cell::Lstm, Cell::Gru] {
            let rnn = RnnConfig::baby(cell, 65).num_params() as f64;
            assert!((rnn / gpt - 1.0).abs() < 0.03, "{cell:?}: {rnn} vs GPT {gpt}");
        }
    }
}
