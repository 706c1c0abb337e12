//! Adversarial training, as the seed describes it: the generator makes fakes from noise, the
//! discriminator scores fakes and real samples, and both are updated from its verdict, in
//! turn. Separate Adam optimisers (lr 2e-4, beta1 0.5: the DCGAN paper's), `d_steps`
//! discriminator updates per generator update, per-step losses and D(x), D(G(z)) in
//! `metrics.jsonl`, a fixed-noise sample grid per epoch, atomic checkpoints with exact resume,
//! and a stop with a message (keeping the last good checkpoint) if a loss is NaN or infinite.

use std::path::PathBuf;
use std::time::Instant;

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Distribution, Tensor};
use genlab_data::Batcher;
use genlab_tensor::image::{PixelRange, save_grid};
use genlab_train::{Checkpoint, OptimConfig, Progress, RunDir, TrainState};
use serde::{Deserialize, Serialize};

use crate::data::{GanData, one_hot};
use crate::loss::GanLoss;
use crate::model::{Discriminator, GanConfig, GanPair};

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GanTrainConfig {
    /// Passes over the data.
    pub epochs: u64,
    /// Real images per step.
    pub batch_size: usize,
    /// Generator learning rate.
    pub lr_g: f64,
    /// Discriminator learning rate.
    pub lr_d: f64,
    /// Adam's beta1 (0.5 for GANs, as the DCGAN paper found).
    pub beta1: f32,
    /// Adam's beta2.
    pub beta2: f32,
    /// The objective.
    pub loss: GanLoss,
    /// One-sided label smoothing: real targets become `1 - smoothing`.
    pub label_smoothing: f32,
    /// Discriminator updates per generator update.
    pub d_steps: usize,
    /// Weight of the WGAN gradient penalty.
    pub gp_weight: f32,
    /// Seed of initialisation, shuffling and noise.
    pub seed: u64,
}

impl Default for GanTrainConfig {
    fn default() -> Self {
        Self {
            epochs: 5,
            batch_size: 64,
            lr_g: 2e-4,
            lr_d: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            loss: GanLoss::NonSaturating,
            label_smoothing: 0.0,
            d_steps: 1,
            gp_weight: 10.0,
            seed: 1,
        }
    }
}

impl GanTrainConfig {
    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), String> {
        if self.batch_size < 2 {
            return Err("batch_size must be at least 2 (batch norm needs a batch)".into());
        }
        for (name, lr) in [("lr_g", self.lr_g), ("lr_d", self.lr_d)] {
            if !(lr.is_finite() && lr > 0.0) {
                return Err(format!("{name} must be positive, got {lr}"));
            }
        }
        if !(0.0..0.5).contains(&self.label_smoothing) {
            return Err(format!(
                "label_smoothing must be in [0, 0.5), got {}",
                self.label_smoothing
            ));
        }
        if self.d_steps == 0 {
            return Err("d_steps must be at least 1".into());
        }
        self.optim().validate()
    }

    fn optim(&self) -> OptimConfig {
        OptimConfig {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: 1e-8,
            weight_decay: 0.0,
            grad_clip: None,
        }
    }
}

/// Why training stopped.
#[derive(Debug, thiserror::Error)]
pub enum GanError {
    /// A setting is out of range or does not fit the data.
    #[error("invalid setting: {0}")]
    Config(String),
    /// A loss became NaN or infinite.
    #[error(
        "{which} loss became {value} at step {step}; stopped (the last good checkpoint is kept)"
    )]
    Diverged {
        /// `discriminator` or `generator`.
        which: &'static str,
        /// The step.
        step: u64,
        /// The value.
        value: f32,
    },
    /// Checkpoint I/O.
    #[error(transparent)]
    Checkpoint(#[from] genlab_train::CheckpointError),
    /// Run folder I/O.
    #[error("run folder: {0}")]
    Io(#[from] std::io::Error),
    /// A sample grid could not be written.
    #[error(transparent)]
    Image(#[from] genlab_tensor::image::ImageIoError),
}

/// One epoch's figures.
#[derive(Debug, Clone, Serialize)]
pub struct GanEpoch {
    /// 1-based epoch.
    pub epoch: u64,
    /// Mean discriminator and generator losses.
    pub d_loss: f64,
    /// Mean generator loss.
    pub g_loss: f64,
    /// Mean D(x) (probability the discriminator gives real images).
    pub d_real: f64,
    /// Mean D(G(z)).
    pub d_fake: f64,
    /// Seconds of training (sampling excluded).
    pub seconds: f64,
}

/// Fixed noise (and labels 0, 1, 2, ... for conditional models) for the per-epoch grids.
pub fn fixed_noise(
    cfg: &GanConfig,
    n: usize,
    seed: u64,
    device: &Device,
) -> (Tensor<2>, Option<Tensor<2>>) {
    device.seed(seed);
    let z = Tensor::random([n, cfg.z_dim], Distribution::Normal(0.0, 1.0), device);
    let cond = (cfg.cond_dim > 0).then(|| {
        let classes: Vec<usize> = (0..n).map(|i| i % cfg.cond_dim).collect();
        one_hot(&classes, cfg.cond_dim, device)
    });
    (z, cond)
}

/// Trains `model_cfg` on `data`; with a run folder, writes `config.json`, `metrics.jsonl`,
/// `checkpoint.bin` and `samples-epoch-N.png` (fixed noise), and resumes from the checkpoint
/// with `resume`.
pub fn train_gan(
    model_cfg: &GanConfig,
    cfg: &GanTrainConfig,
    data: &GanData,
    run: Option<&RunDir>,
    device: &Device,
    resume: bool,
) -> Result<(GanPair, Vec<GanEpoch>), GanError> {
    model_cfg.validate().map_err(GanError::Config)?;
    cfg.validate().map_err(GanError::Config)?;
    if data.shape != model_cfg.shape {
        return Err(GanError::Config(format!(
            "the model makes {:?} images, the data has {:?}",
            model_cfg.shape, data.shape
        )));
    }
    if model_cfg.cond_dim > 0 && data.labels.is_none() {
        return Err(GanError::Config("a conditional GAN needs labelled data".into()));
    }
    if data.len() < cfg.batch_size {
        return Err(GanError::Config(format!(
            "{} images is fewer than one batch of {}",
            data.len(),
            cfg.batch_size
        )));
    }
    let device = device.clone().autodiff();
    device.seed(cfg.seed);
    let config = serde_json::json!({ "model": model_cfg, "train": cfg });
    let optims = |p: &GanPair| [cfg.optim().init(&p.generator), cfg.optim().init(&p.discriminator)];
    let (mut pair, [mut opt_g, mut opt_d], mut state) =
        start_or_resume(model_cfg.init(&device), optims, cfg.seed, run, resume, &config)?;
    let mut metrics = run.map(RunDir::metrics).transpose()?;
    let plain = device.clone().without_autodiff();
    let (grid_z, grid_cond) = fixed_noise(model_cfg, 64, cfg.seed ^ 0xF1, &plain);
    let batcher = Batcher::new(data.len(), cfg.batch_size, cfg.seed, true);
    let steps_per_epoch = batcher.batches_per_epoch() as u64;
    let mut progress = Progress::new(cfg.epochs * steps_per_epoch, state.step, "img");
    let mut epochs = Vec::new();
    let noise = |n: usize| {
        Tensor::<2>::random([n, model_cfg.z_dim], Distribution::Normal(0.0, 1.0), &device)
    };

    while state.epoch < cfg.epochs {
        let started = Instant::now();
        let mut sums = [0.0f64; 4];
        for idx in batcher.epoch(state.epoch) {
            device.seed(genlab_train::step_seed(cfg.seed, state.step));
            let real = data.batch(&idx, &device);
            let cond = data.one_hot(&idx, &device).filter(|_| model_cfg.cond_dim > 0);
            let b = idx.len();
            let (mut d_loss_v, mut d_real_v, mut d_fake_v) = (0.0, 0.0, 0.0);
            // One generator pass serves both players, as in PyTorch's DCGAN example: the
            // discriminator learns from a detached copy, then the generator is scored on the
            // same fakes by the updated discriminator.
            let fake_for_g = pair.generator.forward(noise(b), cond.clone());
            for k in 0..cfg.d_steps {
                let fake = if k == 0 {
                    fake_for_g.clone().detach()
                } else {
                    pair.generator.forward(noise(b), cond.clone()).detach()
                };
                let real_logit = pair.discriminator.forward(real.clone(), cond.clone());
                let fake_logit = pair.discriminator.forward(fake.clone(), cond.clone());
                d_real_v = sigmoid(real_logit.clone()).mean().into_scalar::<f32>();
                d_fake_v = sigmoid(fake_logit.clone()).mean().into_scalar::<f32>();
                let mut loss = cfg.loss.discriminator(real_logit, fake_logit, cfg.label_smoothing);
                if cfg.loss == GanLoss::WganGp {
                    let gp =
                        gradient_penalty(&pair.discriminator, real.clone(), fake, cond.clone());
                    loss = loss + gp.mul_scalar(cfg.gp_weight);
                }
                d_loss_v = loss.clone().into_scalar::<f32>();
                check_finite(d_loss_v, "discriminator", state.step, &mut progress)?;
                let grads = GradientsParams::from_grads(loss.backward(), &pair.discriminator);
                pair.discriminator = opt_d.step(cfg.lr_d, pair.discriminator, grads);
            }
            let g_loss = cfg.loss.generator(pair.discriminator.forward(fake_for_g, cond));
            let g_loss_v = g_loss.clone().into_scalar::<f32>();
            check_finite(g_loss_v, "generator", state.step, &mut progress)?;
            let grads = GradientsParams::from_grads(g_loss.backward(), &pair.generator);
            pair.generator = opt_g.step(cfg.lr_g, pair.generator, grads);
            state.step += 1;
            for (s, v) in sums.iter_mut().zip([d_loss_v, g_loss_v, d_real_v, d_fake_v]) {
                *s += v as f64;
            }
            progress.step(b as u64, d_loss_v as f64);
            if let Some(m) = metrics.as_mut() {
                m.log(&serde_json::json!({
                    "step": state.step, "d_loss": d_loss_v, "g_loss": g_loss_v,
                    "d_real": d_real_v, "d_fake": d_fake_v,
                }))?;
            }
        }
        state.epoch += 1;
        let n = steps_per_epoch as f64;
        let epoch = GanEpoch {
            epoch: state.epoch,
            d_loss: sums[0] / n,
            g_loss: sums[1] / n,
            d_real: sums[2] / n,
            d_fake: sums[3] / n,
            seconds: started.elapsed().as_secs_f64(),
        };
        progress.println(format!(
            "epoch {}: D loss {:.4}, G loss {:.4}, D(x) {:.3}, D(G(z)) {:.3} ({:.1} s)",
            epoch.epoch, epoch.d_loss, epoch.g_loss, epoch.d_real, epoch.d_fake, epoch.seconds
        ));
        if let Some(run) = run {
            let g = pair.generator.valid();
            let grid = g.forward(grid_z.clone(), grid_cond.clone());
            save_grid(grid, 8, PixelRange::MinusOneOne, samples_path(run, state.epoch))?;
            Checkpoint::save_with_optims(run.checkpoint(), &pair, &[&opt_g, &opt_d], &state)?;
        }
        epochs.push(epoch);
    }
    progress.finish();
    if let Some(run) = run {
        let keys = [("d_loss", "D loss"), ("g_loss", "G loss")];
        genlab_train::report::metric_curves_svg(
            &run.file("metrics.jsonl"),
            &keys,
            &run.file("loss.svg"),
        )?;
    }
    Ok((pair.valid(), epochs))
}

/// Where a two-player run starts: `pair` with fresh optimisers (from `optims`) at step 0,
/// writing `config` to the run folder; or, with `resume`, the run's checkpoint (both players,
/// both optimisers, the step) with `metrics.jsonl` cut back to that step.
pub(crate) fn start_or_resume<P: Module>(
    pair: P,
    optims: impl Fn(&P) -> [ModuleOptimizer; 2],
    seed: u64,
    run: Option<&RunDir>,
    resume: bool,
    config: &serde_json::Value,
) -> Result<(P, [ModuleOptimizer; 2], TrainState), GanError> {
    let fresh = TrainState { seed, ..Default::default() };
    match run {
        Some(run) if resume => {
            let ckpt = Checkpoint::load(run.checkpoint())?;
            let pair = ckpt.load_model(pair)?;
            let [g, d] = optims(&pair);
            let optims = [ckpt.load_optim_at(0, g)?, ckpt.load_optim_at(1, d)?];
            genlab_train::MetricsLog::truncate_after(run.file("metrics.jsonl"), ckpt.state.step)?;
            Ok((pair, optims, ckpt.state))
        }
        Some(run) => {
            run.save_config(config)?;
            let optims = optims(&pair);
            Ok((pair, optims, fresh))
        }
        None => {
            let optims = optims(&pair);
            Ok((pair, optims, fresh))
        }
    }
}

/// Stops with [`GanError::Diverged`] (closing the progress bar) when a loss is NaN or infinite.
pub(crate) fn check_finite(
    value: f32,
    which: &'static str,
    step: u64,
    progress: &mut Progress,
) -> Result<(), GanError> {
    if value.is_finite() {
        return Ok(());
    }
    progress.finish();
    Err(GanError::Diverged { which, step, value })
}

/// `samples-epoch-N.png` in the run folder.
pub fn samples_path(run: &RunDir, epoch: u64) -> PathBuf {
    run.file(&format!("samples-epoch-{epoch}.png"))
}

/// The WGAN-GP penalty `mean((‖∇x D(x̂)‖ - 1)²)` at random points x̂ between real and fake
/// images. burn 0.22's autodiff has no double backward (a gradient comes back without a
/// graph), so the gradient norm is made differentiable with respect to D's parameters by a
/// central difference along the (detached) gradient direction u:
/// `‖∇D(x̂)‖ ≈ (D(x̂ + h u) - D(x̂ - h u)) / 2h`, which is exact for a D that is linear near x̂.
pub fn gradient_penalty(
    d: &Discriminator,
    real: Tensor<4>,
    fake: Tensor<4>,
    cond: Option<Tensor<2>>,
) -> Tensor<1> {
    let [b, c, hgt, w] = real.dims();
    let device = real.device();
    let eps = Tensor::<4>::random([b, 1, 1, 1], Distribution::Default, &device);
    let mix = (real.detach() * eps.clone() + fake.detach() * (eps.neg() + 1.0)).require_grad();
    let grads = d.forward(mix.clone(), cond.clone()).sum().backward();
    let g = mix.grad(&grads).map(Tensor::autodiff); // back on the autodiff device, no copy
    let g = g.unwrap_or_else(|| Tensor::zeros([b, c, hgt, w], &device));
    let norm = g.clone().powi_scalar(2).sum_dim(1).sum_dim(2).sum_dim(3).sqrt().add_scalar(1e-12);
    let u = (g / norm).detach();
    let x = mix.detach();
    let h = 1e-2;
    let up = d.forward(x.clone() + u.clone().mul_scalar(h), cond.clone());
    let down = d.forward(x - u.mul_scalar(h), cond);
    let slope = (up - down).div_scalar(2.0 * h);
    (slope - 1.0).powi_scalar(2).mean()
}
