//! The reward model (stage 3a of InstructGPT): the GPT backbone with a scalar head read at
//! the last token, trained on ranked responses with the Bradley-Terry loss
//! `-log sigmoid(r_chosen - r_rejected)`. It never sees the rule behind the rankings.

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_config::ConfigError;
use genlab_train::{Checkpoint, RunDir, RunManifest, TrainError};
use serde::{Deserialize, Serialize};

use genlab_data::preference::Ranking;

use super::data::{Ranked, Records, Sequence, draw, in_length_halves, one_turn, padded};
use super::losses::bradley_terry;
use super::run::{ChatRun, TEMPLATE_FILE, load_chat};
use crate::config::GptConfig;
use crate::data::batch_rng;
use crate::model::Gpt;
use crate::pretrain::{ModelConfig, Objective, TrainConfig, TrainReport};
use crate::run::GptError;

/// Shape of a reward model: its GPT backbone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RewardConfig {
    /// The backbone (the SFT model's shape).
    pub backbone: GptConfig,
}

/// A GPT whose last-token hidden state maps to a scalar reward.
#[derive(Module, Debug)]
pub struct RewardModel {
    /// The backbone.
    pub gpt: Gpt,
    /// `[n_embd] -> [1]`.
    pub head: Linear,
}

impl RewardConfig {
    /// A reward model around `gpt` (the SFT model, as InstructGPT starts it), with a fresh
    /// head.
    pub fn init_with(&self, gpt: Gpt, device: &Device) -> RewardModel {
        let head = LinearConfig::new(self.backbone.n_embd, 1)
            .with_initializer(Initializer::Normal { mean: 0.0, std: 0.02 })
            .init(device);
        RewardModel { gpt, head }
    }
}

impl RewardModel {
    /// Rewards of right-padded sequences `[b, T]`, read at each one's last id: `[b]`.
    pub fn forward(&self, ids: Tensor<2, Int>, last: &[usize]) -> Tensor<1> {
        let [b, _] = ids.dims();
        let device = ids.device();
        let scores = self.head.forward(self.gpt.hidden(ids)).squeeze_dim::<2>(2); // [b, T]
        let idx: Vec<i64> = last.iter().map(|&i| i as i64).collect();
        let idx = Tensor::<2, Int>::from_data(TensorData::new(idx, [b, 1]), &device);
        scores.gather(1, idx).reshape([b])
    }

    /// Rewards of `seqs`, evaluated without autodiff in batches of 64.
    pub fn score(&self, seqs: &[&Sequence], device: &Device) -> Vec<f32> {
        let device = device.clone().without_autodiff();
        let model = self.valid();
        let mut out = Vec::with_capacity(seqs.len());
        for chunk in seqs.chunks(64) {
            let (ids, last) = padded(chunk, &device);
            let r = model.forward(ids, &last).into_data().try_to_vec::<f32>();
            out.extend(r.expect("f32 rewards"));
        }
        out
    }
}

impl ModelConfig for RewardConfig {
    type Model = RewardModel;
    const FAMILY: &'static str = "reward";
    fn validate(&self) -> Result<(), ConfigError> {
        self.backbone.validate()
    }
    fn init(&self, device: &Device) -> RewardModel {
        self.init_with(self.backbone.init(device), device)
    }
    fn block_size(&self) -> usize {
        self.backbone.block_size
    }
    fn describe(&self) -> String {
        format!("a reward model on {}", self.backbone.describe())
    }
}

/// Bradley-Terry on rankings: every ordered pair of each ranking, each response scored once
/// per step for all the pairs it is in (InstructGPT's "all K choose 2 comparisons from a
/// prompt as one batch element"), the loss the mean over the pairs.
#[derive(Debug)]
pub struct BradleyTerry<'a> {
    /// Training rankings.
    pub train: &'a [Ranked],
    /// Held-out rankings.
    pub val: &'a [Ranked],
    /// Rankings per micro-batch.
    pub batch_size: usize,
}

/// Indices as a `[n]` tensor.
pub(crate) fn rows(idx: Vec<i64>, device: &Device) -> Tensor<1, Int> {
    let n = idx.len();
    Tensor::from_data(TensorData::new(idx, [n]), device)
}

/// Held-out loss and pairwise accuracy of `model` on every pair of `rankings`.
pub fn pairwise(model: &RewardModel, rankings: &[Ranked], device: &Device) -> (f32, f32) {
    let (seqs, better, worse) = Ranked::flatten(&rankings.iter().collect::<Vec<_>>());
    let r = model.score(&seqs, device);
    let n = better.len().max(1) as f32;
    let gaps: Vec<f32> =
        better.iter().zip(&worse).map(|(&b, &w)| r[b as usize] - r[w as usize]).collect();
    let loss = gaps.iter().map(|g| (1.0 + (-g).exp()).ln()).sum::<f32>() / n;
    let hits = gaps.iter().filter(|&&g| g > 0.0).count();
    (loss, hits as f32 / n)
}

impl Objective<RewardConfig> for BradleyTerry<'_> {
    fn check(&self, _model: &RewardConfig) -> Result<(), TrainError> {
        if self.train.is_empty() || self.val.is_empty() {
            return Err(TrainError::Data(
                "the reward model needs training and held-out rankings".into(),
            ));
        }
        Ok(())
    }

    fn unit(&self) -> &'static str {
        "ranking"
    }

    fn loss(
        &self,
        model: &RewardModel,
        seed: u64,
        step: u64,
        micro: u64,
        device: &Device,
    ) -> Tensor<1> {
        let mut rng = batch_rng(seed, step, micro);
        let picks = draw(self.train, self.batch_size, &mut rng);
        let (seqs, better, worse) = Ranked::flatten(&picks);
        let r = in_length_halves(&seqs, device, |chunk| {
            let (ids, last) = padded(chunk, device);
            model.forward(ids, &last)
        }); // [rows]
        bradley_terry(r.clone().select(0, rows(better, device)), r.select(0, rows(worse, device)))
    }

    fn tokens_per_batch(&self, _model: &RewardConfig) -> usize {
        self.batch_size
    }

    fn evaluate(&self, model: &RewardModel, device: &Device) -> Vec<(&'static str, f32)> {
        let (val_loss, accuracy) = pairwise(model, self.val, device);
        vec![("val_loss", val_loss), ("accuracy", accuracy)]
    }
}

/// Rankings as sequences through the run's template; a ranking too long for the context is
/// an error naming its prompt.
pub fn tokenise_rankings(rankings: &[Ranking], run: &ChatRun) -> Result<Vec<Ranked>, GptError> {
    let max_len = run.config.block_size + 1;
    rankings
        .iter()
        .map(|r| {
            Ranked::render(&r.prompt, &r.responses, run.tokenizer.as_ref(), &run.template, max_len)
                .map_err(|e| GptError::Finetune(format!("ranking for prompt {:?}: {e}", r.prompt)))
        })
        .collect()
}

/// A trained reward model with the vocabulary it reads.
#[derive(Debug)]
pub struct RewardRun {
    /// The model.
    pub model: RewardModel,
    /// Its shape.
    pub config: RewardConfig,
    /// The base tokenizer.
    pub tokenizer: Box<dyn genlab_tokenizer::Tokenizer>,
    /// The chat template.
    pub template: genlab_tokenizer::ChatTemplate,
}

impl RewardRun {
    /// Rewards of `responses` to `prompt`.
    pub fn score(
        &self,
        prompt: &str,
        responses: &[String],
        device: &Device,
    ) -> Result<Vec<f32>, GptError> {
        let max_len = self.config.backbone.block_size + 1;
        let seqs = responses
            .iter()
            .map(|r| one_turn(prompt, r, self.tokenizer.as_ref(), &self.template, max_len))
            .collect::<Result<Vec<_>, _>>()
            .map_err(GptError::Finetune)?;
        let refs: Vec<&Sequence> = seqs.iter().collect();
        Ok(self.model.score(&refs, device))
    }
}

/// Loads the reward model in `dir`.
pub fn load_reward_run(dir: &std::path::Path, device: &Device) -> Result<RewardRun, GptError> {
    let manifest = RunManifest::open(dir, "reward", &[])?;
    let config: RewardConfig = manifest.model(dir)?;
    let model = Checkpoint::load_weights(dir, config.init(device))?;
    let template = genlab_tokenizer::ChatTemplate::load(dir.join(TEMPLATE_FILE))?;
    let file = manifest.tokenizer.as_deref().unwrap_or("tokenizer.json");
    let tokenizer = genlab_tokenizer::load(dir.join(file))?;
    Ok(RewardRun { model, config, tokenizer, template })
}

/// Trains a reward model from the SFT run in `base` on `train_rankings` (held-out pairwise
/// accuracy on `val_rankings`) into `out`.
pub fn reward(
    base: &std::path::Path,
    train_rankings: &Records,
    val_rankings: &Records,
    cfg: &TrainConfig,
    out: &RunDir,
    resume: bool,
    device: &Device,
) -> Result<(RewardModel, TrainReport), GptError> {
    cfg.validate()?;
    let device = &device.clone().autodiff();
    let sft = load_chat(base, device)?;
    let train_seqs = tokenise_rankings(&train_rankings.rankings()?, &sft)?;
    let val_seqs = tokenise_rankings(&val_rankings.rankings()?, &sft)?;
    let objective = BradleyTerry { train: &train_seqs, val: &val_seqs, batch_size: cfg.batch_size };
    let config = RewardConfig { backbone: sft.config.clone() };
    eprintln!(
        "reward model from {} on {} rankings ({} held out) on {device:?}",
        sft.dir.display(),
        train_seqs.len(),
        val_seqs.len()
    );
    let initial = || config.init_with(sft.model.clone(), device);
    sft.train_stage(&config, initial, cfg, &objective, "reward", out, resume, device)
}
