//! Adversarial training, as the seed describes it: the generator makes fakes from noise, the
//! discriminator scores fakes and real samples, and both are updated from its verdict, in
//! turn. Separate Adam optimisers (lr 2e-4, beta1 0.5: the DCGAN paper's), `d_steps`
//! discriminator updates per generator update, per-step losses and D(x), D(G(z)) in
//! `metrics.jsonl`, a fixed-noise sample grid per epoch, atomic checkpoints with exact resume,
//! and a stop with a message (keeping the last good checkpoint) if a loss is NaN or infinite.

use std::path::PathBuf;
use std::time::Instant;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Distribution, Tensor};
use genlab_config::{ConfigError, at_least, check, positive};
use genlab_data::Batcher;
use genlab_tensor::image::{PixelRange, save_grid};
use genlab_train::{OptimConfig, RunDir, RunManifest, RunSpec, TrainSpec, Trainer};
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
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bs = self.batch_size;
        check(bs >= 2, "batch_size", bs, "at least 2 (batch norm needs a batch)")?;
        positive("lr_g", self.lr_g)?;
        positive("lr_d", self.lr_d)?;
        let smoothing = self.label_smoothing;
        check((0.0..0.5).contains(&smoothing), "label_smoothing", smoothing, "in [0, 0.5)")?;
        at_least("d_steps", self.d_steps, 1)?;
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

pub use genlab_train::TrainError as GanError;

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

/// The manifest kind of a GAN: `gan` (MLP), `dcgan`, or `cgan` when conditional.
pub fn gan_kind(cfg: &GanConfig) -> &'static str {
    match (cfg.cond_dim > 0, cfg.arch) {
        (true, _) => "cgan",
        (false, crate::model::Arch::Mlp) => "gan",
        (false, _) => "dcgan",
    }
}

/// Trains `model_cfg` on `data`, kept in `run` (`run.json`, `metrics.jsonl`,
/// `checkpoint.bin`, `samples-epoch-N.png` from fixed noise, `loss.svg`). The caller writes the
/// summary with the returned [`genlab_train::Finished`].
pub fn train_gan(
    model_cfg: &GanConfig,
    cfg: &GanTrainConfig,
    data: &GanData,
    run: &RunSpec,
    device: &Device,
) -> Result<(GanPair, Vec<GanEpoch>, genlab_train::Finished), GanError> {
    model_cfg.validate()?;
    cfg.validate()?;
    if data.shape != model_cfg.shape {
        return Err(GanError::Data(format!(
            "the model makes {:?} images, the data has {:?}",
            model_cfg.shape, data.shape
        )));
    }
    if model_cfg.cond_dim > 0 && data.labels.is_none() {
        return Err(GanError::Data("a conditional GAN needs labelled data".into()));
    }
    if data.len() < cfg.batch_size {
        return Err(GanError::Data(format!(
            "{} images is fewer than one batch of {}",
            data.len(),
            cfg.batch_size
        )));
    }
    let device = device.clone().autodiff();
    device.seed(cfg.seed);
    let batcher = Batcher::new(data.len(), cfg.batch_size, cfg.seed, true);
    let steps_per_epoch = batcher.batches_per_epoch() as u64;
    let manifest = RunManifest::new("gan", gan_kind(model_cfg), model_cfg, cfg);
    let spec = TrainSpec::new(run, cfg.seed, cfg.epochs * steps_per_epoch, "img", &device);
    let optims =
        |p: &GanPair| vec![cfg.optim().init(&p.generator), cfg.optim().init(&p.discriminator)];
    let (mut t, mut pair, optims) =
        Trainer::start(&spec, &manifest, model_cfg.init(&device), optims)?;
    let [mut opt_g, mut opt_d] =
        optims.try_into().unwrap_or_else(|_| unreachable!("two optimisers"));
    let plain = device.clone().without_autodiff();
    let (grid_z, grid_cond) = fixed_noise(model_cfg, 64, cfg.seed ^ 0xF1, &plain);
    let mut epochs = Vec::new();
    let noise = |n: usize| {
        Tensor::<2>::random([n, model_cfg.z_dim], Distribution::Normal(0.0, 1.0), &device)
    };

    while t.epoch() < cfg.epochs {
        let started = Instant::now();
        let mut sums = [0.0f64; 4];
        for idx in batcher.epoch(t.epoch()) {
            t.seed_step(&device);
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
                t.check_finite("discriminator", d_loss_v)?;
                let grads = GradientsParams::from_grads(loss.backward(), &pair.discriminator);
                pair.discriminator =
                    t.update(&mut opt_d, cfg.lr_d, pair.discriminator, grads, None).0;
            }
            let g_loss = cfg.loss.generator(pair.discriminator.forward(fake_for_g, cond));
            let g_loss_v = g_loss.clone().into_scalar::<f32>();
            t.check_finite("generator", g_loss_v)?;
            let grads = GradientsParams::from_grads(g_loss.backward(), &pair.generator);
            pair.generator = t.update(&mut opt_g, cfg.lr_g, pair.generator, grads, None).0;
            for (s, v) in sums.iter_mut().zip([d_loss_v, g_loss_v, d_real_v, d_fake_v]) {
                *s += v as f64;
            }
            t.end_step(b as u64, d_loss_v as f64);
            t.log(serde_json::json!({
                "d_loss": d_loss_v, "g_loss": g_loss_v, "d_real": d_real_v, "d_fake": d_fake_v,
            }))?;
        }
        t.end_epoch();
        let n = steps_per_epoch as f64;
        let epoch = GanEpoch {
            epoch: t.epoch(),
            d_loss: sums[0] / n,
            g_loss: sums[1] / n,
            d_real: sums[2] / n,
            d_fake: sums[3] / n,
            seconds: started.elapsed().as_secs_f64(),
        };
        t.println(format!(
            "epoch {}: D loss {:.4}, G loss {:.4}, D(x) {:.3}, D(G(z)) {:.3} ({:.1} s)",
            epoch.epoch, epoch.d_loss, epoch.g_loss, epoch.d_real, epoch.d_fake, epoch.seconds
        ));
        if let Some(run) = t.run() {
            let g = pair.generator.valid();
            let grid = g.forward(grid_z.clone(), grid_cond.clone());
            save_grid(grid, 8, PixelRange::MinusOneOne, samples_path(run, t.epoch()))?;
        }
        t.save(&pair, &[&opt_g, &opt_d])?;
        epochs.push(epoch);
    }
    let finished = t.finish(&[("d_loss", "D loss"), ("g_loss", "G loss")])?;
    Ok((pair.valid(), epochs, finished))
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
