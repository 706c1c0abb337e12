//! Fine-tuning recipes (`configs/finetune-*.toml`): one shape for every stage, each stage
//! reading its part. Unknown keys are errors; command-line flags override.

use std::path::Path;

use genlab_data::instructions::{Split, examples};
use genlab_data::preference::rankings;
use serde::{Deserialize, Serialize};

use super::data::Records;
use super::dpo::DpoSettings;
use super::rl::RlConfig;
use super::sft::SftData;
use crate::pretrain::TrainConfig;
use crate::run::GptError;

/// A fine-tuning recipe.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageRecipe {
    /// Must be "finetune" when present.
    pub family: Option<String>,
    /// Optimisation of SFT.
    pub sft: TrainConfig,
    /// Optimisation of the reward model (batches of rankings).
    pub reward: TrainConfig,
    /// Optimisation of DPO (batches of rankings).
    pub dpo: TrainConfig,
    /// DPO's beta.
    pub beta: f32,
    /// Weight of DPO's anchor on the demonstrations' answers (0 = plain DPO).
    pub dpo_anchor: f32,
    /// Demonstrations per DPO micro-batch for that anchor.
    pub dpo_anchor_batch: usize,
    /// RLHF settings.
    pub rl: RlConfig,
    /// The built-in playground's sizes.
    pub playground: Playground,
    /// What `cargo xtask train` reads to run the whole pipeline (the stages ignore it).
    pub pipeline: Pipeline,
}

/// `[pipeline]`: the pretraining recipe and the folder of `cargo xtask train`'s pipeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pipeline {
    /// The base model's recipe (`configs/finetune-base.toml` when absent).
    pub base: Option<std::path::PathBuf>,
    /// Where the run folders go (`runs/finetune` when absent).
    pub out: Option<std::path::PathBuf>,
}

/// How much of the instruction playground a stage draws when no files are given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Playground {
    /// SFT training examples.
    pub examples: usize,
    /// Held-out instances (SFT validation and exact match).
    pub heldout: usize,
    /// Training rankings (reward model, DPO).
    pub rankings: usize,
    /// Held-out rankings.
    pub heldout_rankings: usize,
    /// Responses per ranking.
    pub responses: usize,
    /// Seed of the draws.
    pub seed: u64,
}

impl Default for Playground {
    fn default() -> Self {
        Self {
            examples: 6000,
            heldout: 280,
            rankings: 3000,
            heldout_rankings: 200,
            responses: 4,
            seed: 7,
        }
    }
}

impl Default for StageRecipe {
    fn default() -> Self {
        Self {
            family: None,
            sft: stage(32, 1600, 1e-3),
            reward: stage(8, 700, 5e-4),
            dpo: stage(8, 300, 1e-4),
            beta: DpoSettings::default().beta,
            dpo_anchor: DpoSettings::default().anchor,
            dpo_anchor_batch: DpoSettings::default().anchor_batch,
            rl: RlConfig::default(),
            playground: Playground::default(),
            pipeline: Pipeline::default(),
        }
    }
}

/// A stage's optimisation: `batch` examples (or rankings), `steps`, peak `lr`, warmup and
/// cosine decay to a tenth.
fn stage(batch: usize, steps: u64, lr: f64) -> TrainConfig {
    TrainConfig {
        batch_size: batch,
        max_steps: steps,
        lr,
        min_lr: lr / 10.0,
        warmup_steps: 30,
        eval_interval: 100,
        eval_iters: 1,
        checkpoint_interval: 100,
        ..TrainConfig::default()
    }
}

impl StageRecipe {
    /// DPO's settings, with `beta` when given instead of the recipe's.
    pub fn dpo_settings(&self, beta: Option<f32>) -> DpoSettings {
        DpoSettings {
            beta: beta.unwrap_or(self.beta),
            anchor: self.dpo_anchor,
            anchor_batch: self.dpo_anchor_batch,
        }
    }

    /// Reads a recipe file.
    pub fn load(path: &Path) -> Result<Self, GptError> {
        crate::recipe::read_recipe(path, "finetune", |r: &Self| r.family.as_deref())
    }

    /// SFT data: the files given, else the playground.
    pub fn sft_data(&self, train: Option<&Path>, val: Option<&Path>) -> Result<SftData, GptError> {
        let p = &self.playground;
        match (train, val) {
            (Some(train), Some(val)) => Ok(SftData::Files { train: train.into(), val: val.into() }),
            (None, None) => {
                Ok(SftData::Playground { n: p.examples, heldout: p.heldout, seed: p.seed })
            }
            _ => Err(GptError::Finetune(
                "give both --data and --val, or neither (the built-in playground)".into(),
            )),
        }
    }

    /// Preference data (training, held-out): the files given, else playground rankings.
    pub fn preference_data(
        &self,
        train: Option<&Path>,
        val: Option<&Path>,
    ) -> Result<(Records, Records), GptError> {
        let p = &self.playground;
        match (train, val) {
            (Some(train), Some(val)) => Ok((Records::read(train)?, Records::read(val)?)),
            (None, None) => Ok((
                Records::from_values(
                    "the playground's training rankings",
                    &rankings(Split::Train, p.rankings, p.responses, p.seed),
                ),
                Records::from_values(
                    "the playground's held-out rankings",
                    &rankings(Split::Heldout, p.heldout_rankings, p.responses, p.seed ^ 1),
                ),
            )),
            _ => Err(GptError::Finetune(
                "give both --data and --val, or neither (the built-in playground)".into(),
            )),
        }
    }

    /// The playground's SFT examples of `split` (what `genlab data instructions` writes).
    pub fn examples(&self, split: Split, n: usize) -> Vec<genlab_data::instructions::Example> {
        let seed =
            if split == Split::Train { self.playground.seed } else { self.playground.seed ^ 1 };
        examples(split, n, seed)
    }
}
