//! Direct preference optimisation (Rafailov et al. 2023): the policy learns from preference
//! pairs alone, with no reward model and no sampling, through the loss
//! `-log sigmoid(beta * ((log pi(y_c) - log ref(y_c)) - (log pi(y_r) - log ref(y_r))))`.
//! A ranking of `k` responses gives all `k*(k-1)/2` of its pairs in one batch element, each
//! response's log-probability computed once (as the reward model trains). The frozen
//! reference (the SFT model) scores every response once, before step 0, as TRL's
//! `precompute_ref_log_probs` does, so it never sits in memory during training.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use genlab_train::{RunDir, TrainError};

use super::data::{Batch, Ranked, Records, Sequence, draw, in_length_halves};
use super::losses::{dpo, masked_nll, sequence_logprob, token_logprobs};
use super::reward::{rows, tokenise_rankings};
use super::run::{ChatRun, load_chat};
use super::sft::load_chat_after;
use crate::config::GptConfig;
use crate::data::batch_rng;
use crate::model::Gpt;
use crate::pretrain::{Objective, TrainConfig, TrainReport};
use crate::run::GptError;

/// A tokenised ranking with the reference's log-probability of each response.
#[derive(Debug, Clone)]
pub struct ScoredRanking {
    /// Prompt + each response, best first.
    pub ranked: Ranked,
    /// Reference log-probability of each response.
    pub reference: Vec<f32>,
}

/// Response log-probabilities of `seqs` under `model`, without autodiff.
pub fn response_logprobs(model: &Gpt, seqs: &[&Sequence], device: &Device) -> Vec<f32> {
    let device = device.clone().without_autodiff();
    let model = model.valid();
    let mut out = Vec::with_capacity(seqs.len());
    for chunk in seqs.chunks(64) {
        let b = Batch::new(chunk, &device);
        let lp = sequence_logprob(token_logprobs(model.forward(b.x), b.y), b.w);
        out.extend(lp.into_data().try_to_vec::<f32>().expect("f32 log-probs"));
    }
    out
}

/// Rankings scored by the reference.
pub fn score_rankings(
    reference: &Gpt,
    rankings: Vec<Ranked>,
    device: &Device,
) -> Vec<ScoredRanking> {
    let seqs: Vec<&Sequence> = rankings.iter().flat_map(|r| &r.seqs).collect();
    let mut lp = response_logprobs(reference, &seqs, device).into_iter();
    rankings
        .into_iter()
        .map(|ranked| {
            let reference = lp.by_ref().take(ranked.seqs.len()).collect();
            ScoredRanking { ranked, reference }
        })
        .collect()
}

/// The DPO objective; see the [module docs](self).
#[derive(Debug)]
pub struct Dpo<'a> {
    /// Training rankings.
    pub train: &'a [ScoredRanking],
    /// Held-out rankings.
    pub val: &'a [ScoredRanking],
    /// Rankings per micro-batch (every ordered pair of each is a DPO pair).
    pub batch_size: usize,
    /// Strength of the pull towards the reference (0.1 in the paper and TRL).
    pub beta: f32,
    /// Demonstrations whose answers anchor the policy (empty = none), as RLHF's ptx term:
    /// the pairs say which style is preferred but cannot keep 37 + 6 at 43.
    pub anchor: &'a [Sequence],
    /// Weight of the anchor's next-token loss.
    pub anchor_coef: f32,
    /// Demonstrations per micro-batch for the anchor.
    pub anchor_batch: usize,
}

impl Dpo<'_> {
    /// Loss, implicit-reward accuracy and mean margin of `model` over every pair of
    /// `rankings` (each response's log-probability computed once for all its pairs).
    fn figures(
        &self,
        model: &Gpt,
        rankings: &[&ScoredRanking],
        device: &Device,
    ) -> (Tensor<1>, f32, f32) {
        let ranked: Vec<&Ranked> = rankings.iter().map(|r| &r.ranked).collect();
        let (seqs, better, worse) = Ranked::flatten(&ranked);
        let lp = in_length_halves(&seqs, device, |chunk| {
            let b = Batch::new(chunk, device);
            sequence_logprob(token_logprobs(model.forward(b.x), b.y), b.w)
        }); // [rows]
        let reference: Vec<f32> =
            rankings.iter().flat_map(|r| r.reference.iter().copied()).collect();
        let reference = Tensor::<1>::from_data(TensorData::new(reference, [seqs.len()]), device);
        let n = better.len();
        let (better, worse) = (rows(better, device), rows(worse, device));
        let (loss, chosen, rejected) = dpo(
            lp.clone().select(0, better.clone()),
            lp.select(0, worse.clone()),
            reference.clone().select(0, better),
            reference.select(0, worse),
            self.beta,
        );
        let margin =
            (chosen.clone() - rejected.clone()).into_data().try_to_vec::<f32>().expect("f32");
        let accuracy = margin.iter().filter(|m| **m > 0.0).count() as f32 / n.max(1) as f32;
        let mean_margin = margin.iter().sum::<f32>() / n.max(1) as f32;
        (loss, accuracy, mean_margin)
    }
}

impl Objective<GptConfig> for Dpo<'_> {
    fn check(&self, _model: &GptConfig) -> Result<(), TrainError> {
        if self.train.is_empty() || self.val.is_empty() {
            return Err(TrainError::Data("DPO needs training and held-out rankings".into()));
        }
        Ok(())
    }

    fn unit(&self) -> &'static str {
        "ranking"
    }

    fn loss(&self, model: &Gpt, seed: u64, step: u64, micro: u64, device: &Device) -> Tensor<1> {
        let mut rng = batch_rng(seed, step, micro);
        let picks = draw(self.train, self.batch_size, &mut rng);
        let loss = self.figures(model, &picks, device).0;
        if self.anchor.is_empty() || self.anchor_coef == 0.0 {
            return loss;
        }
        let demos = draw(self.anchor, self.anchor_batch, &mut rng);
        let b = Batch::new(&demos, device);
        let nll = masked_nll(token_logprobs(model.forward(b.x), b.y), b.w);
        loss + nll.mul_scalar(self.anchor_coef)
    }

    fn tokens_per_batch(&self, _model: &GptConfig) -> usize {
        self.batch_size
    }

    fn evaluate(&self, model: &Gpt, device: &Device) -> Vec<(&'static str, f32)> {
        let device = device.clone().without_autodiff();
        let model = model.valid();
        let (mut loss, mut acc, mut margin, mut n) = (0.0, 0.0, 0.0, 0.0);
        for chunk in self.val.chunks(16) {
            let refs: Vec<&ScoredRanking> = chunk.iter().collect();
            let (l, a, m) = self.figures(&model, &refs, &device);
            let w = chunk
                .iter()
                .map(|r| r.ranked.seqs.len() * (r.ranked.seqs.len() - 1) / 2)
                .sum::<usize>() as f32;
            loss += l.into_scalar::<f32>() * w;
            acc += a * w;
            margin += m * w;
            n += w;
        }
        vec![("val_loss", loss / n), ("reward_accuracy", acc / n), ("reward_margin", margin / n)]
    }
}

/// DPO's own settings, beside its optimisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DpoSettings {
    /// Strength of the pull towards the reference (0.1 in the paper and TRL).
    pub beta: f32,
    /// Weight of the next-token loss on demonstrations' answers (0 = plain DPO).
    pub anchor: f32,
    /// Demonstrations per micro-batch for that loss.
    pub anchor_batch: usize,
}

impl Default for DpoSettings {
    fn default() -> Self {
        Self { beta: 0.1, anchor: 1.0, anchor_batch: 16 }
    }
}

impl DpoSettings {
    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), genlab_config::ConfigError> {
        let beta_ok = self.beta.is_finite() && self.beta > 0.0;
        genlab_config::check(beta_ok, "beta", self.beta, "a positive number")?;
        let anchor_ok = self.anchor.is_finite() && self.anchor >= 0.0;
        genlab_config::check(anchor_ok, "dpo_anchor", self.anchor, "finite and >= 0")?;
        genlab_config::at_least("dpo_anchor_batch", self.anchor_batch, 1)
    }
}

/// DPO of the SFT run in `base` on `train_rankings` (held-out figures on `val_rankings`)
/// into `out` (kind `dpo`).
#[allow(clippy::too_many_arguments)]
pub fn dpo_stage(
    base: &std::path::Path,
    train_rankings: &Records,
    val_rankings: &Records,
    settings: &DpoSettings,
    cfg: &TrainConfig,
    out: &RunDir,
    resume: bool,
    device: &Device,
) -> Result<(ChatRun, TrainReport), GptError> {
    cfg.validate()?;
    settings.validate()?;
    let device = &device.clone().autodiff();
    let sft = load_chat(base, device)?;
    let rankings = |records: &Records| -> Result<_, GptError> {
        Ok(score_rankings(&sft.model, tokenise_rankings(&records.rankings()?, &sft)?, device))
    };
    let (train_set, val_set) = (rankings(train_rankings)?, rankings(val_rankings)?);
    let prompts = genlab_data::instructions::instances(
        genlab_data::instructions::Split::Train,
        2000,
        cfg.seed,
    );
    let anchor = if settings.anchor > 0.0 {
        super::rl::answer_demonstrations(&prompts, sft.tokenizer.as_ref(), &sft.template, cfg.seed)?
    } else {
        Vec::new()
    };
    let objective = Dpo {
        train: &train_set,
        val: &val_set,
        batch_size: cfg.batch_size,
        beta: settings.beta,
        anchor: &anchor,
        anchor_coef: settings.anchor,
        anchor_batch: settings.anchor_batch,
    };
    eprintln!(
        "DPO of {} on {} rankings (beta {}) on {device:?}",
        sft.dir.display(),
        train_set.len(),
        settings.beta
    );
    let initial = || sft.model.clone();
    let (model, report) =
        sft.train_stage(&sft.config, initial, cfg, &objective, "dpo", out, resume, device)?;
    Ok((load_chat_after(out, model, &sft)?, report))
}
