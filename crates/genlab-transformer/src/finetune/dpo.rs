//! Direct preference optimisation (Rafailov et al. 2023): the policy learns from preference
//! pairs alone, with no reward model and no sampling, through the loss
//! `-log sigmoid(beta * ((log pi(y_c) - log ref(y_c)) - (log pi(y_r) - log ref(y_r))))`.
//! The frozen reference (the SFT model) scores every pair once, before step 0, as TRL's
//! `precompute_ref_log_probs` does, so it never sits in memory during training.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use genlab_train::{RunDir, TrainError};

use super::data::{Batch, Records, Sequence, draw, in_length_halves};
use super::losses::{dpo, masked_nll, sequence_logprob, token_logprobs};
use super::reward::tokenise_pairs;
use super::run::{ChatRun, load_chat};
use super::sft::load_chat_after;
use crate::config::GptConfig;
use crate::data::batch_rng;
use crate::model::Gpt;
use crate::pretrain::{Objective, TrainConfig, TrainReport};
use crate::run::GptError;

/// A tokenised pair with the reference's log-probabilities of both responses.
#[derive(Debug, Clone)]
pub struct ScoredPair {
    /// Prompt + chosen response.
    pub chosen: Sequence,
    /// Prompt + rejected response.
    pub rejected: Sequence,
    /// Reference log-probability of the chosen response.
    pub ref_chosen: f32,
    /// Reference log-probability of the rejected response.
    pub ref_rejected: f32,
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

/// Pairs scored by the reference.
pub fn score_pairs(
    reference: &Gpt,
    pairs: Vec<(Sequence, Sequence)>,
    device: &Device,
) -> Vec<ScoredPair> {
    let chosen: Vec<&Sequence> = pairs.iter().map(|p| &p.0).collect();
    let rejected: Vec<&Sequence> = pairs.iter().map(|p| &p.1).collect();
    let rc = response_logprobs(reference, &chosen, device);
    let rr = response_logprobs(reference, &rejected, device);
    pairs
        .into_iter()
        .zip(rc.into_iter().zip(rr))
        .map(|((chosen, rejected), (ref_chosen, ref_rejected))| ScoredPair {
            chosen,
            rejected,
            ref_chosen,
            ref_rejected,
        })
        .collect()
}

/// The DPO objective; see the [module docs](self).
#[derive(Debug)]
pub struct Dpo<'a> {
    /// Training pairs.
    pub train: &'a [ScoredPair],
    /// Held-out pairs.
    pub val: &'a [ScoredPair],
    /// Pairs per micro-batch.
    pub batch_size: usize,
    /// Strength of the pull towards the reference (0.1 in the paper and TRL).
    pub beta: f32,
    /// Demonstrations whose answers anchor the policy (empty = none), as RLHF's ptx term:
    /// the pairs say which style is preferred but cannot keep 37 + 6 at 43.
    pub anchor: &'a [Sequence],
    /// Weight of the anchor's next-token loss.
    pub anchor_coef: f32,
}

impl Dpo<'_> {
    /// Loss, implicit-reward accuracy and mean margin of `model` on `pairs`.
    fn figures(
        &self,
        model: &Gpt,
        pairs: &[&ScoredPair],
        device: &Device,
    ) -> (Tensor<1>, f32, f32) {
        let seqs: Vec<&Sequence> =
            pairs.iter().map(|p| &p.chosen).chain(pairs.iter().map(|p| &p.rejected)).collect();
        let lp = in_length_halves(&seqs, device, |chunk| {
            let b = Batch::new(chunk, device);
            sequence_logprob(token_logprobs(model.forward(b.x), b.y), b.w)
        });
        let n = pairs.len();
        let refs = |f: fn(&ScoredPair) -> f32| {
            let v: Vec<f32> = pairs.iter().map(|p| f(p)).collect();
            Tensor::<1>::from_data(TensorData::new(v, [n]), device)
        };
        let (loss, chosen, rejected) = dpo(
            lp.clone().narrow(0, 0, n),
            lp.narrow(0, n, n),
            refs(|p| p.ref_chosen),
            refs(|p| p.ref_rejected),
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
            return Err(TrainError::Data("DPO needs training and held-out pairs".into()));
        }
        Ok(())
    }

    fn unit(&self) -> &'static str {
        "pair"
    }

    fn loss(&self, model: &Gpt, seed: u64, step: u64, micro: u64, device: &Device) -> Tensor<1> {
        let mut rng = batch_rng(seed, step, micro);
        let picks = draw(self.train, self.batch_size, &mut rng);
        let loss = self.figures(model, &picks, device).0;
        if self.anchor.is_empty() || self.anchor_coef == 0.0 {
            return loss;
        }
        let demos = draw(self.anchor, self.batch_size, &mut rng);
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
        for chunk in self.val.chunks(64) {
            let refs: Vec<&ScoredPair> = chunk.iter().collect();
            let (l, a, m) = self.figures(&model, &refs, &device);
            let w = chunk.len() as f32;
            loss += l.into_scalar::<f32>() * w;
            acc += a * w;
            margin += m * w;
            n += w;
        }
        vec![("val_loss", loss / n), ("reward_accuracy", acc / n), ("reward_margin", margin / n)]
    }
}

/// DPO of the SFT run in `base` on `train` pairs (held-out figures on `val`) into `out`
/// (kind `dpo`), with `beta` and the answer anchor weighted `anchor_coef` (0 = plain DPO).
#[allow(clippy::too_many_arguments)]
pub fn dpo_stage(
    base: &std::path::Path,
    train_pairs: &Records,
    val_pairs: &Records,
    beta: f32,
    anchor_coef: f32,
    cfg: &TrainConfig,
    out: &RunDir,
    resume: bool,
    device: &Device,
) -> Result<(ChatRun, TrainReport), GptError> {
    cfg.validate()?;
    if !(beta.is_finite() && beta > 0.0) {
        return Err(genlab_config::ConfigError::new("beta", beta, "a positive number").into());
    }
    if !(anchor_coef.is_finite() && anchor_coef >= 0.0) {
        let e = genlab_config::ConfigError::new("anchor_coef", anchor_coef, "finite and >= 0");
        return Err(e.into());
    }
    let device = &device.clone().autodiff();
    let sft = load_chat(base, device)?;
    let train_set = score_pairs(&sft.model, tokenise_pairs(&train_pairs.pairs()?, &sft)?, device);
    let val_set = score_pairs(&sft.model, tokenise_pairs(&val_pairs.pairs()?, &sft)?, device);
    let prompts = genlab_data::instructions::instances(
        genlab_data::instructions::Split::Train,
        2000,
        cfg.seed,
    );
    let anchor = if anchor_coef > 0.0 {
        super::rl::answer_demonstrations(&prompts, sft.tokenizer.as_ref(), &sft.template, cfg.seed)?
    } else {
        Vec::new()
    };
    let objective = Dpo {
        train: &train_set,
        val: &val_set,
        batch_size: cfg.batch_size,
        beta,
        anchor: &anchor,
        anchor_coef,
    };
    eprintln!(
        "DPO of {} on {} pairs (beta {beta}) on {device:?}",
        sft.dir.display(),
        train_set.len()
    );
    let initial = || sft.model.clone();
    let (model, report) =
        sft.train_stage(&sft.config, initial, cfg, &objective, "dpo", out, resume, device)?;
    Ok((load_chat_after(out, model, &sft)?, report))
}
