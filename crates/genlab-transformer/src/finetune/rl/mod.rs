//! RLHF (stage 3b of InstructGPT): the SFT policy samples responses to prompts, the reward
//! model scores them, and the policy is pushed towards higher reward minus `beta` times its
//! KL to the frozen SFT reference. Two estimators share one loop:
//!
//! * **PPO** (Schulman et al. 2017, as in InstructGPT and TRL): per-token rewards
//!   `-beta * (log pi - log ref)` with the score added at the last token, a value head on
//!   the policy, GAE, and several epochs of clipped-ratio updates per rollout batch;
//! * **RLOO** (Ahmadian et al. 2024), critic-free: `k` samples per prompt, each one's
//!   sequence reward `score - beta * KL` baselined by the mean of the other `k - 1`, with
//!   the same clipped update.
//!
//! One training step is one iteration: a rollout batch and its epochs of updates.
//! Checkpoints fall between iterations and a rollout depends only on (seed, iteration) and
//! the policy, so `--resume` is exact.

mod config;
mod rollout;

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::{Device, Tensor, TensorData};
use genlab_data::instructions::{Split, instances};
use genlab_train::{RunDir, RunManifest, RunSpec, TrainSpec, Trainer};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

pub use config::{Algorithm, RlConfig};
pub use rollout::answer_demonstrations;
use rollout::rollout;

use super::data::{Batch, Sequence, draw};
use super::judge::{Judgement, Speaker, judge_policy};
use super::losses::{masked_nll, ppo_policy_loss, ppo_value_loss, token_logprobs};
use super::reward::load_reward_run;
use super::run::{ChatRun, load_chat};
use crate::model::Gpt;
use crate::run::GptError;

/// Reward and true score over iterations, beside the run's report.html.
pub const SCORES_PNG: &str = "rl-scores.png";
/// KL to the reference over iterations.
pub const KL_PNG: &str = "rl-kl.png";

/// The policy under RL: the GPT and, for PPO, a value head on its hidden states.
#[derive(Module, Debug)]
pub struct Policy {
    /// The language model.
    pub gpt: Gpt,
    /// `[n_embd] -> [1]` state values (PPO only), on the trunk's detached features.
    pub value: Option<Linear>,
}

impl Policy {
    /// Wraps `gpt`, with a fresh value head when `critic`.
    pub fn new(gpt: Gpt, critic: bool, device: &Device) -> Self {
        let d = gpt.wte.weight.val().dims()[1];
        let value = critic.then(|| {
            LinearConfig::new(d, 1)
                .with_initializer(Initializer::Normal { mean: 0.0, std: 0.02 })
                .init(device)
        });
        Self { gpt, value }
    }

    /// Logits `[b, t, v]` and, with a value head, values `[b, t]`.
    pub fn forward(
        &self,
        x: burn::tensor::Tensor<2, burn::tensor::Int>,
    ) -> (Tensor<3>, Option<Tensor<2>>) {
        let h = self.gpt.hidden(x);
        // The value head reads the policy's features without training them: on a model this
        // small, value-loss gradients through the shared trunk garble the language model.
        let values = self.value.as_ref().map(|v| v.forward(h.clone().detach()).squeeze_dim::<2>(2));
        (self.gpt.logits(h), values)
    }
}

/// What an RLHF run reports.
#[derive(Debug, Clone, Serialize)]
pub struct RlReport {
    /// Iterations in all.
    pub iterations: u64,
    /// Wall seconds in this process.
    pub seconds: f64,
    /// The final held-out judgement.
    pub judgement: Judgement,
}

/// RLHF of the SFT run in `sft_dir` against the reward model in `reward_dir`, into `out`
/// (kind `rlhf`).
pub fn rlhf(
    sft_dir: &std::path::Path,
    reward_dir: &std::path::Path,
    cfg: &RlConfig,
    out: &RunDir,
    resume: bool,
    device: &Device,
) -> Result<(ChatRun, RlReport), GptError> {
    cfg.validate()?;
    let device = &device.clone().autodiff();
    let plain = device.clone().without_autodiff();
    let sft = load_chat(sft_dir, device)?;
    let reward = load_reward_run(reward_dir, &plain)?;
    if reward.config.backbone.vocab_size != sft.config.vocab_size || reward.template != sft.template
    {
        return Err(GptError::Finetune(format!(
            "the reward model {} reads a vocabulary of {} ids, the policy {} one of {}: train the reward model from this SFT run",
            reward_dir.display(),
            reward.config.backbone.vocab_size,
            sft_dir.display(),
            sft.config.vocab_size
        )));
    }
    let reference = sft.model.valid();
    if !resume {
        sft.write_vocabulary(out)?;
    }
    let train_prompts = instances(Split::Train, cfg.prompts, cfg.seed);
    let ptx =
        answer_demonstrations(&train_prompts, sft.tokenizer.as_ref(), &sft.template, cfg.seed)?;
    let eval_prompts = instances(Split::Heldout, cfg.eval_prompts, cfg.seed ^ 1);
    let reward_bias = if cfg.center_rewards {
        let demos: Vec<&Sequence> = ptx.iter().take(256).collect();
        let scores = reward.model.score(&demos, &plain);
        scores.iter().sum::<f32>() / scores.len().max(1) as f32
    } else {
        0.0
    };
    let spec = RunSpec::new(out, resume).given_from(&sft.dir);
    let manifest = RunManifest::new("gpt", "rlhf", &sft.config, cfg)
        .with_tokenizer("tokenizer.json")
        .with_data(serde_json::json!({ "sft": sft.dir, "reward": reward_dir }));
    device.seed(cfg.seed);
    let policy = Policy::new(sft.model.clone(), cfg.algorithm.has_critic(), device);
    let tspec = TrainSpec::new(&spec, cfg.seed, cfg.iterations, "seq", device);
    // The policy's optimiser, and the value head's (PPO), each with its own learning rate.
    let (mut t, mut policy, optims) =
        Trainer::start(&tspec, &manifest, policy, |m| vec![cfg.optim.init(m), cfg.optim.init(m)])?;
    let [mut optim, mut value_optim] =
        optims.try_into().unwrap_or_else(|_| unreachable!("two optimisers"));
    let (tok, template) = (sft.tokenizer.as_ref(), &sft.template);
    eprintln!(
        "RLHF ({:?}) of {} against {} (less its bias {reward_bias:.3}) on {device:?}",
        cfg.algorithm,
        sft.dir.display(),
        reward_dir.display()
    );
    // The held-out judgement of the policy (every `eval_interval` and at the end).
    let judge = |policy: &Policy| {
        let speaker = Speaker { model: &policy.gpt, tokenizer: tok, template };
        judge_policy(&speaker, Some(&reference), &eval_prompts, cfg.eval_samples, cfg.seed, device)
    };
    let mut judgement = None;
    while t.step() < cfg.iterations {
        let iteration = t.step();
        t.seed_step(device);
        let speaker = Speaker { model: &policy.gpt, tokenizer: tok, template };
        let r = rollout(
            cfg,
            &policy,
            &reference,
            &reward.model,
            reward_bias,
            speaker,
            &train_prompts,
            iteration,
            device,
        )?;
        let b = r.batch.x.dims()[0];
        let mut order: Vec<usize> = (0..b).collect();
        let mut rng =
            ChaCha8Rng::seed_from_u64(genlab_train::step_seed(cfg.seed ^ 0xB7, iteration));
        let mut ptx_sum = 0.0;
        let (mut pg_sum, mut vf_sum, mut clip_sum, mut ent_sum, mut updates) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        for _ in 0..cfg.epochs {
            order.shuffle(&mut rng);
            for chunk in order.chunks(b.div_ceil(cfg.minibatches)) {
                let idx = Tensor::<1, burn::tensor::Int>::from_data(
                    TensorData::new(
                        chunk.iter().map(|&i| i as i64).collect::<Vec<_>>(),
                        [chunk.len()],
                    ),
                    device,
                );
                let pick = |x: &Tensor<2>| x.clone().select(0, idx.clone());
                let (x, y, w) = (
                    r.batch.x.clone().select(0, idx.clone()),
                    r.batch.y.clone().select(0, idx.clone()),
                    pick(&r.batch.w),
                );
                let (logits, values) = policy.forward(x);
                let entropy = {
                    let lp = log_softmax(logits.clone().detach(), 2);
                    let h = (softmax(logits.clone().detach(), 2) * lp)
                        .sum_dim(2)
                        .squeeze_dim::<2>(2)
                        .neg();
                    ((h * w.clone()).sum() / w.clone().sum().clamp_min(1.0)).into_scalar::<f32>()
                };
                let lp = token_logprobs(logits, y);
                let (pg, clipfrac) = ppo_policy_loss(
                    lp,
                    pick(&r.old_logprobs),
                    pick(&r.advantages),
                    w.clone(),
                    cfg.clip,
                );
                let mut loss = pg.clone();
                if let Some(v) = values {
                    let vf =
                        ppo_value_loss(v, pick(&r.old_values), pick(&r.returns), w, cfg.value_clip);
                    vf_sum += vf.clone().into_scalar::<f32>();
                    loss = loss + vf.mul_scalar(cfg.vf_coef);
                }
                let value = loss.clone().into_scalar::<f32>();
                t.check_finite("RLHF", value)?;
                pg_sum += pg.into_scalar::<f32>();
                clip_sum += clipfrac.into_scalar::<f32>();
                ent_sum += entropy;
                updates += 1.0;
                if cfg.ptx_coef > 0.0 {
                    let picks = draw(&ptx, cfg.ptx_batch, &mut rng);
                    let b = Batch::new(&picks, device);
                    let nll = masked_nll(token_logprobs(policy.gpt.forward(b.x), b.y), b.w);
                    ptx_sum += nll.clone().into_scalar::<f32>();
                    loss = loss + nll.mul_scalar(cfg.ptx_coef);
                }
                let mut raw = loss.backward();
                let value_grads =
                    policy.value.as_ref().map(|v| GradientsParams::from_module(&mut raw, v));
                let grads = GradientsParams::from_grads(raw, &policy);
                policy = t.update(&mut optim, cfg.lr, policy, grads, cfg.optim.grad_clip).0;
                if let Some(g) = value_grads {
                    policy =
                        t.update(&mut value_optim, cfg.value_lr, policy, g, cfg.optim.grad_clip).0;
                }
            }
        }
        // An update can leave the policy's logits NaN (a learning rate far too high) while
        // every loss so far was finite: stop here, not in the next rollout's sampler.
        let first = r.batch.x.clone().narrow(0, 0, 1).into_data();
        let probe = policy.gpt.valid().forward(Tensor::from_data(first, &plain));
        t.check_finite("RLHF policy", probe.sum().into_scalar::<f32>())?;
        t.end_step(b as u64, (pg_sum / updates) as f64);
        t.log(serde_json::json!({
            "reward": r.reward, "true_score": r.true_score, "kl": r.kl,
            "entropy": ent_sum / updates, "clip_fraction": clip_sum / updates,
            "policy_loss": pg_sum / updates, "value_loss": vf_sum / updates,
            "ptx_loss": ptx_sum / updates,
        }))?;
        let last = t.step() == cfg.iterations;
        if last || t.every(cfg.eval_interval) {
            let j = judge(&policy)?;
            t.println(format!(
                "iteration {}: held-out true score {:.3}, exact match {:.3}, KL {:.3}, distinct-2 {:.3}",
                t.step(),
                j.true_score,
                j.exact_match,
                j.kl_to_reference.unwrap_or(f64::NAN),
                j.distinct_2
            ));
            t.log(serde_json::json!({
                "eval_true_score": j.true_score, "eval_exact_match": j.exact_match,
                "eval_kl": j.kl_to_reference, "eval_distinct_2": j.distinct_2,
            }))?;
            judgement = Some(j);
        }
        if last || t.every(cfg.checkpoint_interval) {
            t.save(&policy, &[&optim, &value_optim])?;
        }
    }
    // Judged in the loop's last iteration, unless the run was already complete.
    let judgement = match judgement {
        Some(j) => j,
        None => judge(&policy)?,
    };
    let finished = t.finish(&[("policy_loss", "policy loss"), ("value_loss", "value loss")])?;
    let report = RlReport { iterations: finished.steps, seconds: finished.seconds, judgement };
    let metrics = out.file("metrics.jsonl");
    let scores = [
        ("reward", "reward (reward model)"),
        ("true_score", "true score (hidden rule)"),
        ("eval_true_score", "held-out true score"),
    ];
    genlab_train::report::metric_chart(&metrics, &scores, "per response", &out.file(SCORES_PNG))
        .map_err(genlab_train::TrainError::from)?;
    let kl = [("kl", "KL to SFT, rollouts"), ("eval_kl", "KL to SFT, held-out")];
    genlab_train::report::metric_chart(&metrics, &kl, "nats per response", &out.file(KL_PNG))
        .map_err(genlab_train::TrainError::from)?;
    let pictures = [(SCORES_PNG, "reward and true score"), (KL_PNG, "KL to the reference")];
    finished.report(&serde_json::to_value(&report).expect("report serialises"), &pictures)?;
    let run = super::sft::load_chat_after(out, policy.gpt, &sft)?;
    Ok((run, report))
}
