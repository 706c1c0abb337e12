//! RLHF's settings: the estimator and its hyper-parameters.

use genlab_config::{ConfigError, at_least, in_half_open};
use genlab_train::OptimConfig;
use serde::{Deserialize, Serialize};

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
    /// Subtract the reward model's mean score of the training demonstrations from every
    /// score (InstructGPT's reward bias: the SFT data scores 0 on average), so the value head
    /// starts near its targets instead of climbing to them `value_clip` per iteration. RLOO's
    /// leave-one-out baselines are unchanged by it.
    pub center_rewards: bool,
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
            center_rewards: true,
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
