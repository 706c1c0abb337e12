//! Pretraining: next-token cross-entropy with AdamW, warmup + cosine LR, global gradient
//! clipping, gradient accumulation, periodic evaluation and samples, metrics, atomic
//! checkpoints and exact `--resume` (nanoGPT's `train.py`).

use std::time::Instant;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::Device;
use genlab_train::{
    Checkpoint, LrSchedule, OptimConfig, Progress, RunDir, TrainState, clip_grad_norm,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::config::GptConfig;
use crate::data::{TokenSplits, batch_rng, random_batch};
use crate::model::Gpt;

/// Training hyper-parameters (nanoGPT names where they exist).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Sequences per micro-batch.
    pub batch_size: usize,
    /// Micro-batches per optimiser step (gradient accumulation).
    pub grad_accum: usize,
    /// Optimiser steps.
    pub max_steps: u64,
    /// Peak learning rate.
    pub lr: f64,
    /// Final learning rate of the cosine decay.
    pub min_lr: f64,
    /// Linear warmup steps.
    pub warmup_steps: u64,
    /// Step at which the cosine decay ends (`max_steps` when absent).
    pub lr_decay_steps: Option<u64>,
    /// AdamW and clipping.
    pub optim: OptimConfig,
    /// Evaluate every this many steps (and at the end); 0 = only at the end.
    pub eval_interval: u64,
    /// Batches per evaluation.
    pub eval_iters: usize,
    /// Write a checkpoint every this many steps (and at the end); 0 = only at the end.
    pub checkpoint_interval: u64,
    /// Seed of initialisation, batches and dropout.
    pub seed: u64,
}

impl Default for TrainConfig {
    /// nanoGPT's `train_shakespeare_char.py` as run on a CPU (batch 12, 2,000 steps, lr 1e-3).
    fn default() -> Self {
        Self {
            batch_size: 12,
            grad_accum: 1,
            max_steps: 2000,
            lr: 1e-3,
            min_lr: 1e-4,
            warmup_steps: 100,
            lr_decay_steps: None,
            optim: OptimConfig {
                beta1: 0.9,
                beta2: 0.99,
                eps: 1e-8,
                weight_decay: 0.1,
                grad_clip: Some(1.0),
            },
            eval_interval: 250,
            eval_iters: 20,
            checkpoint_interval: 250,
            seed: 1337,
        }
    }
}

impl TrainConfig {
    /// The learning-rate schedule these settings describe.
    pub fn schedule(&self) -> LrSchedule {
        LrSchedule::WarmupCosine {
            lr: self.lr,
            min_lr: self.min_lr,
            warmup: self.warmup_steps,
            total: self.lr_decay_steps.unwrap_or(self.max_steps),
        }
    }

    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), String> {
        if self.batch_size == 0 {
            return Err("batch_size must be at least 1".into());
        }
        if self.grad_accum == 0 {
            return Err("grad_accum must be at least 1".into());
        }
        if self.eval_iters == 0 {
            return Err("eval_iters must be at least 1".into());
        }
        self.schedule().validate()?;
        self.optim.validate()
    }
}

/// Why training stopped early.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A setting is out of range.
    #[error("invalid setting: {0}")]
    Config(String),
    /// Too little data for the context length.
    #[error("the {split} split has {have} tokens; it needs more than block_size = {block}")]
    TooLittleData {
        /// `train` or `val`.
        split: &'static str,
        /// Tokens in the split.
        have: usize,
        /// The context length.
        block: usize,
    },
    /// The loss became NaN or infinite; the last good checkpoint is kept.
    #[error("loss became {loss} at step {step}; stopped (the last good checkpoint is kept)")]
    Diverged {
        /// The step.
        step: u64,
        /// The value.
        loss: f32,
    },
    /// Checkpoint I/O.
    #[error(transparent)]
    Checkpoint(#[from] genlab_train::CheckpointError),
    /// Metrics or run-folder I/O.
    #[error("run folder: {0}")]
    Io(#[from] std::io::Error),
}

/// What a finished run reports.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    /// Steps completed in total (including those before a resume).
    pub steps: u64,
    /// Last training loss.
    pub train_loss: f32,
    /// Final validation loss.
    pub val_loss: f32,
    /// Training tokens per second in this process.
    pub tokens_per_sec: f64,
    /// Wall seconds in this process.
    pub seconds: f64,
}

/// Mean loss over `iters` fixed batches of `tokens` (the same batches every time it is called,
/// so evaluations are comparable), without autodiff.
pub fn estimate_loss(
    model: &Gpt,
    tokens: &[u32],
    iters: usize,
    batch: usize,
    device: &Device,
) -> f32 {
    let model = model.valid();
    let device = device.clone().without_autodiff();
    let mut rng = ChaCha8Rng::seed_from_u64(0xE7A1);
    let block = model.block_size();
    let total: f32 = (0..iters)
        .map(|_| {
            let (x, y) = random_batch(tokens, batch, block, &mut rng, &device);
            model.loss(x, y).into_scalar::<f32>()
        })
        .sum();
    total / iters as f32
}

/// Trains `model_cfg` on `data`, writing `config.json`, `metrics.jsonl` and `checkpoint.bin`
/// into `run`. With `resume`, continues from `run`'s checkpoint. `on_eval` is called after
/// each evaluation with the model and step, and may return text (a sample) to print.
pub fn pretrain(
    model_cfg: &GptConfig,
    cfg: &TrainConfig,
    data: &TokenSplits,
    run: &RunDir,
    device: &Device,
    resume: bool,
    on_eval: &mut dyn FnMut(&Gpt, u64) -> Option<String>,
) -> Result<(Gpt, TrainReport), TrainError> {
    model_cfg.validate().map_err(TrainError::Config)?;
    cfg.validate().map_err(TrainError::Config)?;
    let block = model_cfg.block_size;
    for (split, tokens) in [("train", &data.train), ("val", &data.val)] {
        if tokens.len() <= block {
            return Err(TrainError::TooLittleData { split, have: tokens.len(), block });
        }
    }
    let device = device.clone().autodiff();
    device.seed(cfg.seed);
    let mut model = model_cfg.init(&device);
    let mut state = TrainState { seed: cfg.seed, ..Default::default() };
    let mut saved_optim = None;
    if resume {
        let ckpt = Checkpoint::load(run.checkpoint())?;
        model = ckpt.load_model(model)?;
        saved_optim = Some(ckpt.load_optim(cfg.optim.init(&model))?);
        state = ckpt.state;
        genlab_train::MetricsLog::truncate_after(run.file("metrics.jsonl"), state.step)?;
    } else {
        run.save_config(&serde_json::json!({ "model": model_cfg, "train": cfg }))?;
    }
    // The optimiser is built from the (possibly loaded) model: its weight-decay groups are
    // keyed by parameter ids, which loading a checkpoint restores.
    let mut optim = match saved_optim.flatten() {
        Some(o) => o,
        None => cfg.optim.init(&model),
    };
    let mut metrics = run.metrics()?;
    let schedule = cfg.schedule();
    let tokens_per_step = (cfg.batch_size * cfg.grad_accum * block) as u64;
    let mut progress = Progress::new(cfg.max_steps, state.step, "tok");
    let started = Instant::now();
    let (mut train_loss, mut val_loss) = (f32::NAN, f32::NAN);

    while state.step < cfg.max_steps {
        let step = state.step;
        device.seed(genlab_train::step_seed(cfg.seed, step)); // dropout depends on (seed, step)
        let lr = schedule.lr_at(step);
        let mut grads = GradientsParams::new();
        let mut loss_sum = 0.0f32;
        for micro in 0..cfg.grad_accum {
            let mut rng = batch_rng(cfg.seed, step, micro as u64);
            let (x, y) = random_batch(&data.train, cfg.batch_size, block, &mut rng, &device);
            let loss = model.loss(x, y).div_scalar(cfg.grad_accum as f32);
            loss_sum += loss.clone().into_scalar::<f32>();
            let g = GradientsParams::from_grads(loss.backward(), &model);
            grads = if micro == 0 { g } else { accumulate(&model, grads, g) };
        }
        if !loss_sum.is_finite() {
            progress.finish();
            return Err(TrainError::Diverged { step, loss: loss_sum });
        }
        let grad_norm = match cfg.optim.grad_clip {
            Some(max) => clip_grad_norm(&model, &mut grads, max),
            None => f32::NAN,
        };
        model = optim.step(lr, model, grads);
        state.step += 1;
        train_loss = loss_sum;
        progress.step(tokens_per_step, loss_sum as f64);
        metrics.log(&serde_json::json!({
            "step": state.step, "loss": loss_sum, "lr": lr, "grad_norm": grad_norm,
            "tokens_per_sec": progress.throughput(),
        }))?;

        let last = state.step == cfg.max_steps;
        if last || (cfg.eval_interval > 0 && state.step.is_multiple_of(cfg.eval_interval)) {
            let train_est =
                estimate_loss(&model, &data.train, cfg.eval_iters, cfg.batch_size, &device);
            val_loss = estimate_loss(&model, &data.val, cfg.eval_iters, cfg.batch_size, &device);
            progress.println(format!(
                "step {}: train loss {train_est:.4}, val loss {val_loss:.4}",
                state.step
            ));
            metrics.log(&serde_json::json!({ "step": state.step, "train_loss": train_est, "val_loss": val_loss }))?;
            state.best_val_loss =
                Some(state.best_val_loss.map_or(val_loss as f64, |b| b.min(val_loss as f64)));
            if let Some(sample) = on_eval(&model, state.step) {
                progress.println(sample);
            }
        }
        if last
            || (cfg.checkpoint_interval > 0 && state.step.is_multiple_of(cfg.checkpoint_interval))
        {
            Checkpoint::save(run.checkpoint(), &model, Some(&optim), &state)?;
        }
    }
    progress.finish();
    let seconds = started.elapsed().as_secs_f64();
    let report = TrainReport {
        steps: state.step,
        train_loss,
        val_loss,
        tokens_per_sec: progress.throughput(),
        seconds,
    };
    Ok((model, report))
}

/// Adds `b`'s gradients into `a`, parameter by parameter.
fn accumulate(model: &Gpt, mut a: GradientsParams, mut b: GradientsParams) -> GradientsParams {
    use burn::module::{ModuleVisitor, Param};
    use burn::tensor::Tensor;
    struct Add<'a>(&'a mut GradientsParams, &'a mut GradientsParams);
    impl ModuleVisitor for Add<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = self.1.remove::<D>(param.id) {
                let sum = match self.0.remove::<D>(param.id) {
                    Some(acc) => acc + g,
                    None => g,
                };
                self.0.register(param.id, sum);
            }
        }
    }
    model.visit(&mut Add(&mut a, &mut b));
    a
}
