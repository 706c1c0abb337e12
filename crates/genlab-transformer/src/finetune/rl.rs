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

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::{Device, Tensor, TensorData};
use genlab_config::{ConfigError, at_least, in_half_open};
use genlab_data::instructions::{Instance, Split, instances};
use genlab_data::preference::judge;
use genlab_train::{OptimConfig, RunDir, RunManifest, RunSpec, TrainSpec, Trainer};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::data::{Batch, Sequence};
use super::judge::{Judgement, Speaker, judge_policy, response_sequence};
use super::losses::{
    gae, masked_nll, ppo_policy_loss, ppo_value_loss, rloo_advantages, token_logprobs, whiten,
};
use super::reward::{RewardModel, load_reward_run};
use super::run::{ChatRun, load_chat};
use super::sample::{policy_sampling, sample_responses};
use crate::model::Gpt;
use crate::run::GptError;

/// Reward and true score over iterations, beside the run's report.html.
pub const SCORES_PNG: &str = "rl-scores.png";
/// KL to the reference over iterations.
pub const KL_PNG: &str = "rl-kl.png";

/// How advantages are estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// PPO with a value head and GAE.
    Ppo,
    /// REINFORCE leave-one-out group baselines, no critic.
    Rloo,
}

impl Algorithm {
    /// Whether the policy carries a value head.
    pub fn has_critic(self) -> bool {
        self == Algorithm::Ppo
    }
}

/// RLHF settings (TRL's names where they exist).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RlConfig {
    /// PPO or RLOO.
    pub algorithm: Algorithm,
    /// Rollout batches (training steps).
    pub iterations: u64,
    /// Prompts per rollout batch.
    pub prompts_per_iteration: usize,
    /// Responses sampled per prompt (RLOO's group size k; at least 2).
    pub samples_per_prompt: usize,
    /// Passes over each rollout batch.
    pub epochs: usize,
    /// Minibatches per pass.
    pub minibatches: usize,
    /// Learning rate of the policy (constant).
    pub lr: f64,
    /// Learning rate of the value head (PPO; constant).
    pub value_lr: f64,
    /// KL coefficient beta.
    pub kl_coef: f32,
    /// Ratio clip epsilon.
    pub clip: f32,
    /// Value clip (PPO).
    pub value_clip: f32,
    /// Weight of the value loss (PPO).
    pub vf_coef: f32,
    /// Discount (PPO).
    pub gamma: f32,
    /// GAE lambda (PPO). 1 by default: the rewards here come at the last token, 20-odd
    /// tokens after the choice that earns them, and a lambda below 1 discounts them there
    /// unless the critic is already good.
    pub lambda: f32,
    /// Subtracted from the score of a response that never closed with `<|end|>` (TRL's
    /// `missing_eos_penalty`).
    pub missing_end_penalty: f32,
    /// Weight of the demonstrations' answers in the loss (InstructGPT's PPO-ptx, on the SFT
    /// data): next-token loss on the answer part of training demonstrations, so what the
    /// reward model cannot check (is 37 + 6 really 43?) does not drift. The courtesy
    /// sentence and the end of the turn are left out, free for the reward to shape. 0 = off.
    pub ptx_coef: f32,
    /// Demonstrations per minibatch for that loss.
    pub ptx_batch: usize,
    /// Longest sampled response.
    pub max_new_tokens: usize,
    /// Training prompts (drawn from the playground's training split).
    pub prompts: usize,
    /// Held-out prompts judged at each evaluation.
    pub eval_prompts: usize,
    /// Sampled responses per held-out prompt at evaluation.
    pub eval_samples: usize,
    /// Evaluate every this many iterations (and at the end); 0 = only at the end.
    pub eval_interval: u64,
    /// Checkpoint every this many iterations (and at the end); 0 = only at the end.
    pub checkpoint_interval: u64,
    /// AdamW and clipping.
    pub optim: OptimConfig,
    /// Seed of prompts, sampling and shuffling.
    pub seed: u64,
}

impl Default for RlConfig {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::Ppo,
            iterations: 70,
            prompts_per_iteration: 16,
            samples_per_prompt: 4,
            epochs: 2,
            minibatches: 2,
            lr: 1e-5,
            value_lr: 1e-3,
            kl_coef: 0.1,
            clip: 0.2,
            value_clip: 0.2,
            vf_coef: 0.1,
            gamma: 1.0,
            lambda: 1.0,
            missing_end_penalty: 1.0,
            ptx_coef: 1.0,
            ptx_batch: 16,
            max_new_tokens: 32,
            prompts: 2000,
            eval_prompts: 140,
            eval_samples: 2,
            eval_interval: 20,
            checkpoint_interval: 20,
            optim: OptimConfig { weight_decay: 0.0, ..OptimConfig::default() },
            seed: 1337,
        }
    }
}

impl RlConfig {
    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("iterations", self.iterations, 1)?;
        at_least("prompts_per_iteration", self.prompts_per_iteration, 1)?;
        at_least("samples_per_prompt", self.samples_per_prompt, 2)?;
        at_least("epochs", self.epochs, 1)?;
        at_least("minibatches", self.minibatches, 1)?;
        at_least("max_new_tokens", self.max_new_tokens, 1)?;
        at_least("prompts", self.prompts, 1)?;
        at_least("eval_prompts", self.eval_prompts, 1)?;
        at_least("eval_samples", self.eval_samples, 1)?;
        let rollout = self.prompts_per_iteration * self.samples_per_prompt;
        genlab_config::check(
            self.minibatches <= rollout,
            "minibatches",
            self.minibatches,
            format!("at most the {rollout} responses of a rollout batch"),
        )?;
        genlab_config::check(
            self.lr.is_finite() && self.lr > 0.0,
            "lr",
            self.lr,
            "a positive number",
        )?;
        genlab_config::check(
            self.kl_coef.is_finite() && self.kl_coef >= 0.0,
            "kl_coef",
            self.kl_coef,
            "finite and >= 0",
        )?;
        in_half_open("clip", self.clip as f64, 0.0, 1.0)?;
        genlab_config::check(self.clip > 0.0, "clip", self.clip, "in (0, 1)")?;
        genlab_config::check(self.value_clip > 0.0, "value_clip", self.value_clip, "> 0")?;
        genlab_config::check(self.vf_coef >= 0.0, "vf_coef", self.vf_coef, ">= 0")?;
        let ptx_ok = self.ptx_coef.is_finite() && self.ptx_coef >= 0.0;
        genlab_config::check(ptx_ok, "ptx_coef", self.ptx_coef, "finite and >= 0")?;
        at_least("ptx_batch", self.ptx_batch, 1)?;
        genlab_config::check((0.0..=1.0).contains(&self.gamma), "gamma", self.gamma, "in [0, 1]")?;
        genlab_config::check(
            (0.0..=1.0).contains(&self.lambda),
            "lambda",
            self.lambda,
            "in [0, 1]",
        )?;
        self.optim.validate().map_err(|e| e.within("optim"))
    }
}

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

/// One rollout batch, everything the updates need, on the device.
struct Rollout {
    batch: Batch,
    old_logprobs: Tensor<2>,
    old_values: Tensor<2>,
    advantages: Tensor<2>,
    returns: Tensor<2>,
    /// Figures for the log.
    reward: f32,
    true_score: f32,
    kl: f32,
}

fn to_vec(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32 tensor")
}

fn tensor(v: Vec<f32>, shape: [usize; 2], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v, shape), device)
}

/// Samples, scores and estimates advantages for one iteration.
#[allow(clippy::too_many_arguments)]
fn rollout(
    cfg: &RlConfig,
    policy: &Policy,
    reference: &Gpt,
    reward: &RewardModel,
    speaker: Speaker<'_>,
    prompts: &[Instance],
    iteration: u64,
    device: &Device,
) -> Result<Rollout, GptError> {
    let mut rng = ChaCha8Rng::seed_from_u64(genlab_train::step_seed(cfg.seed, iteration));
    let chosen: Vec<&Instance> =
        prompts.choose_multiple(&mut rng, cfg.prompts_per_iteration).collect();
    let k = cfg.samples_per_prompt;
    let group: Vec<&Instance> = chosen.iter().flat_map(|i| std::iter::repeat_n(*i, k)).collect();
    let ids: Vec<Vec<u32>> =
        group.iter().map(|i| speaker.prompt(&i.prompt)).collect::<Result<_, _>>()?;
    let sampling = policy_sampling(genlab_train::step_seed(cfg.seed ^ 0x5A3F, iteration));
    let end = speaker.template.end_id();
    let responses =
        sample_responses(&policy.gpt, &ids, &sampling, end, cfg.max_new_tokens, device)?;
    let seqs: Vec<Sequence> = ids
        .iter()
        .zip(&responses)
        .map(|(p, r)| response_sequence(p, r, speaker.template))
        .collect();
    let refs: Vec<&Sequence> = seqs.iter().collect();

    // Scores: the reward model at the last token, minus the penalty for an unfinished turn.
    let scores: Vec<f32> = reward
        .score(&refs, device)
        .into_iter()
        .zip(&responses)
        .map(|(s, r)| if r.ended { s } else { s - cfg.missing_end_penalty })
        .collect();
    let mut true_score = 0.0;
    for (inst, r) in group.iter().zip(&responses) {
        true_score += judge(inst, &speaker.text(r)?).score;
    }

    // Old log-probs, reference log-probs and values, without autodiff.
    let plain = device.clone().without_autodiff();
    let batch = Batch::new(&refs, &plain);
    let (logits, values) = policy.valid().forward(batch.x.clone());
    let old_lp = token_logprobs(logits, batch.y.clone());
    let ref_lp = token_logprobs(reference.valid().forward(batch.x.clone()), batch.y.clone());
    let [b, t] = batch.y.dims();
    let w = to_vec(batch.w.clone());
    let kl_tok: Vec<f32> =
        to_vec(old_lp.clone() - ref_lp).iter().zip(&w).map(|(k, w)| k * w).collect();
    let values = values.map_or_else(|| vec![0.0; b * t], to_vec);

    let mut adv = vec![0.0f32; b * t];
    let mut ret = vec![0.0f32; b * t];
    let seq_kl: Vec<f32> = kl_tok.chunks(t).map(|row| row.iter().sum()).collect();
    match cfg.algorithm {
        Algorithm::Ppo => {
            for row in 0..b {
                let pos: Vec<usize> = (0..t).filter(|&j| w[row * t + j] > 0.0).collect();
                let Some(&last) = pos.last() else { continue };
                let rewards: Vec<f32> = pos
                    .iter()
                    .map(|&j| {
                        let r = -cfg.kl_coef * kl_tok[row * t + j];
                        if j == last { r + scores[row] } else { r }
                    })
                    .collect();
                let v: Vec<f32> = pos.iter().map(|&j| values[row * t + j]).collect();
                let (a, r) = gae(&rewards, &v, cfg.gamma, cfg.lambda);
                for (n, &j) in pos.iter().enumerate() {
                    adv[row * t + j] = a[n];
                    ret[row * t + j] = r[n];
                }
            }
        }
        Algorithm::Rloo => {
            let rewards: Vec<f32> =
                scores.iter().zip(&seq_kl).map(|(s, kl)| s - cfg.kl_coef * kl).collect();
            let seq_adv = rloo_advantages(&rewards, k);
            for row in 0..b {
                for j in 0..t {
                    adv[row * t + j] = seq_adv[row] * w[row * t + j];
                }
            }
        }
    }
    // Whiten over the response tokens only.
    let idx: Vec<usize> = (0..b * t).filter(|&i| w[i] > 0.0).collect();
    let mut live: Vec<f32> = idx.iter().map(|&i| adv[i]).collect();
    whiten(&mut live);
    for (&i, a) in idx.iter().zip(live) {
        adv[i] = a;
    }
    let n = b as f32;
    Ok(Rollout {
        batch: Batch::new(&refs, device),
        old_logprobs: tensor(to_vec(old_lp), [b, t], device),
        old_values: tensor(values, [b, t], device),
        advantages: tensor(adv, [b, t], device),
        returns: tensor(ret, [b, t], device),
        reward: scores.iter().sum::<f32>() / n,
        true_score: true_score as f32 / n,
        kl: seq_kl.iter().sum::<f32>() / n,
    })
}

/// Demonstrations of `prompts` (the instruction playground's) whose trained part is the
/// answer only: the courtesy sentence and the closing `<|end|>` are masked out. RLHF's and
/// DPO's anchor against answers drifting.
pub fn answer_demonstrations(
    prompts: &[Instance],
    tok: &dyn genlab_tokenizer::Tokenizer,
    template: &genlab_tokenizer::ChatTemplate,
    seed: u64,
) -> Result<Vec<Sequence>, GptError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xD3);
    prompts
        .iter()
        .map(|inst| {
            let response = genlab_data::instructions::demonstration(inst, &mut rng);
            let (ids, mut mask) = template.render_pair(tok, &inst.prompt, &response)?;
            let mut keep = tok.encode(&inst.answer)?.len();
            for m in mask.iter_mut() {
                if *m {
                    *m = keep > 0;
                    keep = keep.saturating_sub(1);
                }
            }
            Ok(Sequence { ids, mask })
        })
        .collect()
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
        "RLHF ({:?}) of {} against {} on {device:?}",
        cfg.algorithm,
        sft.dir.display(),
        reward_dir.display()
    );
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
                    let picks: Vec<&Sequence> =
                        (0..cfg.ptx_batch).map(|_| &ptx[rng.random_range(0..ptx.len())]).collect();
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
            let speaker = Speaker { model: &policy.gpt, tokenizer: tok, template };
            let j = judge_policy(
                &speaker,
                Some(&reference),
                &eval_prompts,
                cfg.eval_samples,
                cfg.seed,
                device,
            )?;
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
    let speaker = Speaker { model: &policy.gpt, tokenizer: tok, template };
    let judgement = match judgement {
        Some(j) => j,
        None => judge_policy(
            &speaker,
            Some(&reference),
            &eval_prompts,
            cfg.eval_samples,
            cfg.seed,
            device,
        )?,
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
