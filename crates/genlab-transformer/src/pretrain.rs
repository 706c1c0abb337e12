//! Training a language model (nanoGPT's `train.py`): AdamW, warmup + cosine LR, global
//! gradient clipping and gradient accumulation around a pluggable [`Objective`] (a batch
//! source and a loss). Pretraining is [`NextToken`]; fine-tuning stages bring their own
//! objective and start from another run's weights ([`Start::From`](genlab_train::Start)).
//! Checkpoints, exact resume, metrics and the run page come from [`genlab_train::Trainer`].
//!
//! The loop is written once for every model that maps `[batch, seq]` token ids to a
//! next-token loss: the GPT and the char-RNN ([`crate::rnn`]) both implement
//! [`NextTokenModel`], and their configs [`ModelConfig`].

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor};
use genlab_config::{ConfigError, at_least};
use genlab_train::{
    LrSchedule, OptimConfig, RunManifest, RunSpec, TrainError, TrainSpec, Trainer, accumulate_grads,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::config::GptConfig;
use crate::data::{TokenSplits, batch_rng, random_batch};
use crate::model::Gpt;

/// Mean cross-entropy of next-token `logits` (`[batch, seq, vocab]`) against `targets`
/// (`[batch, seq]`): the loss every [`NextTokenModel`] trains on.
pub fn next_token_loss(logits: Tensor<3>, targets: Tensor<2, Int>) -> Tensor<1> {
    let [b, t, v] = logits.dims();
    let device = logits.device();
    CrossEntropyLossConfig::new()
        .init(&device)
        .forward(logits.reshape([b * t, v]), targets.reshape([b * t]))
}

/// A model [`train`] can fit: token ids `[batch, seq]` in, a mean next-token loss out.
pub trait NextTokenModel: Module {
    /// Mean next-token cross-entropy of `idx` against `targets` (both `[batch, seq]`).
    fn loss(&self, idx: Tensor<2, Int>, targets: Tensor<2, Int>) -> Tensor<1>;
    /// The window length it is trained on.
    fn block_size(&self) -> usize;
}

/// The shape of a model [`train`] fits (a [`NextTokenModel`] for pretraining; a reward model
/// for its stage): validated, recorded in the run's manifest, built.
pub trait ModelConfig: Serialize {
    /// The model this config builds.
    type Model: Module;
    /// The run family written to `run.json` (`gpt`, `rnn`).
    const FAMILY: &'static str;
    /// Checks the shape is buildable; the error names the field.
    fn validate(&self) -> Result<(), ConfigError>;
    /// Builds a freshly initialised model on `device`.
    fn init(&self, device: &Device) -> Self::Model;
    /// The window length of the training batches.
    fn block_size(&self) -> usize;
    /// One line saying what is trained (for the log).
    fn describe(&self) -> String;
}

impl NextTokenModel for Gpt {
    fn loss(&self, idx: Tensor<2, Int>, targets: Tensor<2, Int>) -> Tensor<1> {
        Gpt::loss(self, idx, targets)
    }
    fn block_size(&self) -> usize {
        Gpt::block_size(self)
    }
}

impl ModelConfig for GptConfig {
    type Model = Gpt;
    const FAMILY: &'static str = "gpt";
    fn validate(&self) -> Result<(), ConfigError> {
        GptConfig::validate(self)
    }
    fn init(&self, device: &Device) -> Gpt {
        GptConfig::init(self, device)
    }
    fn block_size(&self) -> usize {
        self.block_size
    }
    fn describe(&self) -> String {
        format!(
            "a {}-parameter GPT ({} layers, {} heads, width {}, context {})",
            self.num_params(),
            self.n_layer,
            self.n_head,
            self.n_embd,
            self.block_size
        )
    }
}

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
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("batch_size", self.batch_size, 1)?;
        at_least("grad_accum", self.grad_accum, 1)?;
        at_least("eval_iters", self.eval_iters, 1)?;
        self.schedule().validate()?;
        self.optim.validate().map_err(|e| e.within("optim"))
    }
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

/// What a model of shape `C` learns from: a batch source and a loss over it. Pretraining is
/// [`NextToken`]; an SFT or DPO stage implements this with its own batches and loss and
/// shares everything else of [`train`]. `C` defaults to the GPT.
pub trait Objective<C: ModelConfig = GptConfig> {
    /// Checks the data against the model before step 0.
    fn check(&self, model: &C) -> Result<(), TrainError>;
    /// What the step's items are, for the throughput (`tok`, `pair`).
    fn unit(&self) -> &'static str {
        "tok"
    }
    /// The mean loss of `model` on micro-batch `micro` of step `step` (drawn from the run's
    /// seed, step and micro-batch only, so a resumed run sees the same batches).
    fn loss(
        &self,
        model: &C::Model,
        seed: u64,
        step: u64,
        micro: u64,
        device: &Device,
    ) -> Tensor<1>;
    /// Items (tokens, pairs) in one micro-batch, for the throughput.
    fn tokens_per_batch(&self, model: &C) -> usize;
    /// Held-out figures of `model` (evaluated without autodiff), such as
    /// `[("train_loss", ..), ("val_loss", ..)]`; `val_loss` is the one the run reports.
    fn evaluate(&self, model: &C::Model, device: &Device) -> Vec<(&'static str, f32)>;
}

/// Next-token cross-entropy on random windows of a token stream: pretraining.
#[derive(Debug, Clone, Copy)]
pub struct NextToken<'a> {
    /// The train and validation tokens.
    pub data: &'a TokenSplits,
    /// Sequences per micro-batch.
    pub batch_size: usize,
    /// Batches per evaluation.
    pub eval_iters: usize,
}

impl<'a> NextToken<'a> {
    /// Pretraining on `data` with the batch size and evaluation of `cfg`.
    pub fn new(data: &'a TokenSplits, cfg: &TrainConfig) -> Self {
        Self { data, batch_size: cfg.batch_size, eval_iters: cfg.eval_iters }
    }
}

impl<C: ModelConfig> Objective<C> for NextToken<'_>
where
    C::Model: NextTokenModel,
{
    fn check(&self, model: &C) -> Result<(), TrainError> {
        let block = model.block_size();
        for (split, tokens) in [("train", &self.data.train), ("val", &self.data.val)] {
            if tokens.len() <= block {
                return Err(TrainError::Data(format!(
                    "the {split} split has {} tokens; it needs more than block_size = {block}",
                    tokens.len()
                )));
            }
        }
        Ok(())
    }

    fn loss(
        &self,
        model: &C::Model,
        seed: u64,
        step: u64,
        micro: u64,
        device: &Device,
    ) -> Tensor<1> {
        let mut rng = batch_rng(seed, step, micro);
        let block = model.block_size();
        let (x, y) = random_batch(&self.data.train, self.batch_size, block, &mut rng, device);
        model.loss(x, y)
    }

    fn tokens_per_batch(&self, model: &C) -> usize {
        self.batch_size * model.block_size()
    }

    fn evaluate(&self, model: &C::Model, device: &Device) -> Vec<(&'static str, f32)> {
        let (iters, batch) = (self.eval_iters, self.batch_size);
        vec![
            ("train_loss", estimate_loss(model, &self.data.train, iters, batch, device)),
            ("val_loss", estimate_loss(model, &self.data.val, iters, batch, device)),
        ]
    }
}

/// Mean loss over `iters` fixed batches of `tokens` (the same batches every time it is called,
/// so evaluations are comparable), without autodiff.
pub fn estimate_loss<M: NextTokenModel>(
    model: &M,
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

/// Pretrains `model_cfg` on `data` ([`train`] with [`NextToken`]; the run's kind is the
/// model's family, `gpt` or `rnn`).
pub fn pretrain<C: ModelConfig>(
    model_cfg: &C,
    cfg: &TrainConfig,
    data: &TokenSplits,
    run: &RunSpec,
    device: &Device,
    on_eval: &mut dyn FnMut(&C::Model, u64) -> Option<String>,
) -> Result<(C::Model, TrainReport), TrainError>
where
    C::Model: NextTokenModel,
{
    let objective = NextToken::new(data, cfg);
    train(model_cfg, None, cfg, &objective, C::FAMILY, run, device, on_eval)
}

/// Trains `model_cfg` on `objective` as a run of family `C::FAMILY` and `kind` (the family
/// for pretraining), kept in `run` (`run.json`, `metrics.jsonl`, `checkpoint.bin`,
/// `loss.svg`). The model starts as `initial` when given (a fine-tuning stage's model built
/// from another run, with `run` started [`given_from`](genlab_train::RunSpec::given_from)
/// it), else freshly initialised. `on_eval` is called after each evaluation with the model
/// and step, and may return text (a sample) for the log and the run page.
#[allow(clippy::too_many_arguments)]
pub fn train<C: ModelConfig>(
    model_cfg: &C,
    initial: Option<C::Model>,
    cfg: &TrainConfig,
    objective: &dyn Objective<C>,
    kind: &str,
    run: &RunSpec,
    device: &Device,
    on_eval: &mut dyn FnMut(&C::Model, u64) -> Option<String>,
) -> Result<(C::Model, TrainReport), TrainError> {
    model_cfg.validate()?;
    cfg.validate()?;
    objective.check(model_cfg)?;
    let device = device.clone().autodiff();
    device.seed(cfg.seed);
    let manifest =
        RunManifest::new(C::FAMILY, kind, model_cfg, cfg).with_tokenizer("tokenizer.json");
    let spec = TrainSpec::new(run, cfg.seed, cfg.max_steps, objective.unit(), &device);
    let model = initial.unwrap_or_else(|| model_cfg.init(&device));
    let (mut t, mut model, optims) =
        Trainer::start(&spec, &manifest, model, |m| vec![cfg.optim.init(m)])?;
    let [mut optim] = optims.try_into().unwrap_or_else(|_| unreachable!("one optimiser"));
    let schedule = cfg.schedule();
    let tokens_per_step = (objective.tokens_per_batch(model_cfg) * cfg.grad_accum) as u64;
    let (mut train_loss, mut val_loss) = (f32::NAN, f32::NAN);

    while t.step() < cfg.max_steps {
        let step = t.step();
        t.seed_step(&device); // dropout depends on (seed, step)
        let lr = schedule.lr_at(step);
        let mut grads = GradientsParams::new();
        let mut loss_sum = 0.0f32;
        for micro in 0..cfg.grad_accum {
            let loss = objective.loss(&model, cfg.seed, step, micro as u64, &device);
            let loss = loss.div_scalar(cfg.grad_accum as f32);
            loss_sum += loss.clone().into_scalar::<f32>();
            let g = GradientsParams::from_grads(loss.backward(), &model);
            grads = if micro == 0 { g } else { accumulate_grads(&model, grads, g) };
        }
        t.check_finite("training", loss_sum)?;
        let grad_norm;
        (model, grad_norm) = t.update(&mut optim, lr, model, grads, cfg.optim.grad_clip);
        train_loss = loss_sum;
        t.end_step(tokens_per_step, loss_sum as f64);
        t.log(serde_json::json!({
            "loss": loss_sum, "lr": lr, "grad_norm": grad_norm, "tokens_per_sec": t.throughput(),
        }))?;

        let last = t.step() == cfg.max_steps;
        if last || t.every(cfg.eval_interval) {
            let figures = objective.evaluate(&model, &device);
            let text: Vec<String> =
                figures.iter().map(|(k, v)| format!("{} {v:.4}", k.replace('_', " "))).collect();
            t.println(format!("step {}: {}", t.step(), text.join(", ")));
            let record: serde_json::Map<_, _> =
                figures.iter().map(|(k, v)| (k.to_string(), serde_json::json!(v))).collect();
            t.log(record.into())?;
            if let Some(&(_, v)) = figures.iter().find(|(k, _)| *k == "val_loss") {
                val_loss = v;
                let best = &mut t.state_mut().best_val_loss;
                *best = Some(best.map_or(v as f64, |b| b.min(v as f64)));
            }
            if let Some(sample) = on_eval(&model, t.step()) {
                t.sample(sample)?;
            }
        }
        if last || t.every(cfg.checkpoint_interval) {
            t.save(&model, &[&optim])?;
        }
    }
    let finished = t.finish(&[("loss", "train loss"), ("val_loss", "val loss")])?;
    let report = TrainReport {
        steps: finished.steps,
        train_loss,
        val_loss,
        tokens_per_sec: finished.throughput,
        seconds: finished.seconds,
    };
    finished.report(&serde_json::to_value(&report).expect("report serialises"), &[])?;
    Ok((model, report))
}
