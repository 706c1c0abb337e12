//! Training recipes (`configs/*.toml`): the model shape, optimisation and data of a run, as
//! TOML. Command-line flags override them; unknown keys are errors.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use genlab_tokenizer::{CharTokenizer, Pattern, Tokenizer, Trainer};
use genlab_train::RunDir;
use genlab_transformer::{GptConfig, PosEncoding, TrainConfig};
use serde::{Deserialize, Serialize};

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
    /// Reads and parses a recipe file.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing recipe {}", path.display()))
    }
}

impl ModelSection {
    /// The preset with this section's overrides, for a vocabulary of `vocab_size`.
    pub fn config(&self, vocab_size: usize) -> Result<GptConfig> {
        let mut cfg = GptConfig::preset(&self.preset, vocab_size).map_err(anyhow::Error::msg)?;
        cfg.pos_encoding = self.pos_encoding.unwrap_or(cfg.pos_encoding);
        cfg.block_size = self.block_size.unwrap_or(cfg.block_size);
        cfg.n_layer = self.n_layer.unwrap_or(cfg.n_layer);
        cfg.n_head = self.n_head.unwrap_or(cfg.n_head);
        cfg.n_embd = self.n_embd.unwrap_or(cfg.n_embd);
        cfg.dropout = self.dropout.unwrap_or(cfg.dropout);
        Ok(cfg)
    }
}

pub(super) fn read_corpus(path: Option<&Path>) -> Result<String> {
    match path {
        Some(p) => Ok(genlab_data::text::read_text(p)?),
        None => Ok(genlab_data::embedded::shakespeare().to_string()),
    }
}

impl DataSection {
    /// Builds the tokenizer this section names and saves it as `tokenizer.json` in the run.
    pub fn build_tokenizer(&self, train_text: &str, run: &RunDir) -> Result<Box<dyn Tokenizer>> {
        let path = run.file("tokenizer.json");
        match self.tokenizer.as_str() {
            "char" => {
                let tok = CharTokenizer::train(train_text);
                tok.save(&path)?;
                Ok(Box::new(tok))
            }
            "bpe" => {
                let tok = Trainer::new(self.bpe_vocab).pattern(Pattern::Gpt4).train(train_text)?;
                tok.save(&path)?;
                Ok(Box::new(tok))
            }
            file => {
                std::fs::copy(file, &path).with_context(|| format!("copying tokenizer {file}"))?;
                Ok(genlab_tokenizer::load(&path)?)
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
                let recipe: Recipe = toml::from_str(&std::fs::read_to_string(&path).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                if recipe.family.as_deref() == Some("gpt") {
                    recipe.train.validate().unwrap();
                    seen += 1;
                }
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
    }

    #[test]
    fn unknown_recipe_keys_are_errors() {
        let err = toml::from_str::<Recipe>("[train]\nbatchsize = 3\n").unwrap_err();
        assert!(err.to_string().contains("batchsize"), "{err}");
    }
}
