//! Training recipes (`configs/*.toml`): the model shape, optimisation and data of a run, as
//! TOML. Command-line flags override them; unknown keys are errors. A run records its recipe's
//! `[data]` in its manifest, so `--resume` and `gpt eval` read it back from there.

use std::path::{Path, PathBuf};

use genlab_config::ConfigError;
use genlab_tokenizer::{CharTokenizer, Pattern, Tokenizer, Trainer};
use serde::{Deserialize, Serialize};

use crate::config::{GptConfig, PosEncoding};
use crate::pretrain::TrainConfig;
use crate::run::GptError;

/// A training recipe (`configs/*.toml`); command-line flags override it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Recipe {
    /// Must be "gpt" when present.
    pub family: Option<String>,
    /// Model shape.
    pub model: ModelSection,
    /// Optimisation.
    pub train: TrainConfig,
    /// Data and tokenizer.
    pub data: DataSection,
}

/// `[model]` of a recipe.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSection {
    /// `baby`, `small` or `gpt2`.
    pub preset: String,
    /// Overrides of the preset.
    pub pos_encoding: Option<PosEncoding>,
    pub block_size: Option<usize>,
    pub n_layer: Option<usize>,
    pub n_head: Option<usize>,
    pub n_embd: Option<usize>,
    pub dropout: Option<f64>,
}

impl Default for ModelSection {
    fn default() -> Self {
        Self {
            preset: "baby".into(),
            pos_encoding: None,
            block_size: None,
            n_layer: None,
            n_head: None,
            n_embd: None,
            dropout: None,
        }
    }
}

/// `[data]` of a recipe.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSection {
    /// Text file; absent = the embedded Shakespeare slice.
    pub path: Option<PathBuf>,
    /// `char`, `bpe` (trained on the training split) or a tokenizer file.
    pub tokenizer: String,
    /// Vocabulary size when `tokenizer = "bpe"`.
    pub bpe_vocab: usize,
    /// Fraction held out for validation (the end of the text).
    pub val_fraction: f64,
}

impl Default for DataSection {
    fn default() -> Self {
        Self { path: None, tokenizer: "char".into(), bpe_vocab: 512, val_fraction: 0.1 }
    }
}

impl Recipe {
    /// Reads and parses a recipe file; a recipe for another family is an error.
    pub fn load(path: &Path) -> Result<Self, GptError> {
        read_recipe(path, "gpt", |r: &Self| r.family.as_deref())
    }
}

/// Reads and parses the recipe file at `path` as `R`; a recipe whose family (`family_of`)
/// is not `family` is an error. Shared by the GPT's and the RNN's recipes.
pub fn read_recipe<R: serde::de::DeserializeOwned>(
    path: &Path,
    family: &str,
    family_of: impl Fn(&R) -> Option<&str>,
) -> Result<R, GptError> {
    let problem = |problem: String| GptError::Recipe { path: path.to_path_buf(), problem };
    let text = std::fs::read_to_string(path).map_err(|e| problem(e.to_string()))?;
    if text.trim().is_empty() {
        return Err(problem("the file is empty: a recipe needs at least one setting".into()));
    }
    let recipe: R = toml::from_str(&text).map_err(|e| problem(e.to_string()))?;
    if let Some(f) = family_of(&recipe).filter(|f| *f != family) {
        return Err(problem(format!("the recipe is for family {f:?}, not {family}")));
    }
    Ok(recipe)
}

impl ModelSection {
    /// The preset with this section's overrides, for a vocabulary of `vocab_size`.
    pub fn config(&self, vocab_size: usize) -> Result<GptConfig, ConfigError> {
        let mut cfg = GptConfig::preset(&self.preset, vocab_size)?;
        cfg.pos_encoding = self.pos_encoding.unwrap_or(cfg.pos_encoding);
        cfg.block_size = self.block_size.unwrap_or(cfg.block_size);
        cfg.n_layer = self.n_layer.unwrap_or(cfg.n_layer);
        cfg.n_head = self.n_head.unwrap_or(cfg.n_head);
        cfg.n_embd = self.n_embd.unwrap_or(cfg.n_embd);
        cfg.dropout = self.dropout.unwrap_or(cfg.dropout);
        cfg.validate()?;
        Ok(cfg)
    }
}

impl DataSection {
    /// The corpus: the file at `path`, or the embedded Shakespeare slice.
    pub fn read_corpus(&self) -> Result<String, GptError> {
        match &self.path {
            Some(p) => Ok(genlab_data::text::read_text(p)?),
            None => Ok(genlab_data::embedded::shakespeare().to_string()),
        }
    }

    /// The share of the corpus trained on (the rest, at the end, is validation).
    pub fn train_fraction(&self) -> f64 {
        1.0 - self.val_fraction
    }

    /// Builds the tokenizer this section names from `train_text` and saves it as `path`.
    pub fn build_tokenizer(
        &self,
        train_text: &str,
        path: &Path,
    ) -> Result<Box<dyn Tokenizer>, GptError> {
        match self.tokenizer.as_str() {
            "char" => {
                let tok = CharTokenizer::train(train_text);
                tok.save(path)?;
                Ok(Box::new(tok))
            }
            "bpe" => {
                let tok = Trainer::new(self.bpe_vocab).pattern(Pattern::Gpt4).train(train_text)?;
                tok.save(path)?;
                Ok(Box::new(tok))
            }
            "" => Err(GptError::Config(ConfigError::new(
                "tokenizer",
                "\"\"",
                "char, bpe or a tokenizer file",
            ))),
            file => {
                let tok = genlab_tokenizer::load(file)?; // read it before copying anything
                std::fs::copy(file, path)
                    .map_err(|source| GptError::Io { path: PathBuf::from(file), source })?;
                Ok(tok)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_recipes_parse() {
        let dir = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../configs");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let value: toml::Value = toml::from_str(&text).unwrap();
                let train = match value.get("family").and_then(|f| f.as_str()) {
                    Some("gpt") => toml::from_str::<Recipe>(&text).map(|r| r.train),
                    Some("rnn") => toml::from_str::<crate::rnn::RnnRecipe>(&text).map(|r| r.train),
                    _ => continue,
                };
                let train = train.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                train.validate().unwrap();
                seen += 1;
            }
        }
        assert!(seen >= 1);
    }

    #[test]
    fn overrides_apply_to_the_preset() {
        let recipe: Recipe =
            toml::from_str("[model]\npreset = \"small\"\nn_layer = 2\npos_encoding = \"rotary\"\n")
                .unwrap();
        let cfg = recipe.model.config(65).unwrap();
        assert_eq!((cfg.n_layer, cfg.n_embd, cfg.vocab_size), (2, 384, 65));
        assert_eq!(cfg.pos_encoding, PosEncoding::Rotary);
        let bad: Recipe = toml::from_str("[model]\npreset = \"huge\"\n").unwrap();
        assert!(bad.model.config(65).unwrap_err().to_string().contains("huge"));
        let odd: Recipe = toml::from_str("[model]\nn_head = 5\n").unwrap();
        assert_eq!(odd.model.config(65).unwrap_err().field, "n_embd");
    }

    #[test]
    fn unknown_recipe_keys_are_errors() {
        let err = toml::from_str::<Recipe>("[train]\nbatchsize = 3\n").unwrap_err();
        assert!(err.to_string().contains("batchsize"), "{err}");
    }
}
