//! Training pix2pix. Each step the PatchGAN learns to tell (A, B) from (A, G(A)) (its loss
//! halved, as in pix2pix), then the generator minimises `gan_weight × GAN + l1_weight × L1`
//! against the updated discriminator. `gan_weight = 0` trains the same U-Net on L1 alone: the
//! baseline pix2pix is measured against. Held-out pairs are scored every epoch and drawn as
//! input | output | target rows; checkpoints, exact resume and the NaN stop are as in
//! [`crate::train`].

use std::time::Instant;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::Device;
use genlab_config::{ConfigError, at_least, check, non_negative, positive};
use genlab_data::Batcher;
use genlab_tensor::image::{PixelRange, save_grid};
use genlab_train::{LrSchedule, OptimConfig, RunManifest, RunSpec, TrainSpec, Trainer};
use serde::{Deserialize, Serialize};

use crate::loss::GanLoss;
use crate::norm::NormKind;
use crate::pix2pix::{Fidelity, PairData, Pix2Pix, Pix2PixConfig, fidelity, triptych};
use crate::train::GanError;

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pix2PixTrainConfig {
    /// Passes over the training pairs.
    pub epochs: u64,
    /// Pairs per step (pix2pix used 1 to 10; more keeps a CPU busy). 1 needs instance norm.
    pub batch_size: usize,
    /// Learning rate of both networks (Adam).
    pub lr: f64,
    /// The last `decay_epochs` of the `epochs` take the rate linearly down to 0 (pix2pix's
    /// `n_epochs_decay`); 0 keeps it constant.
    pub decay_epochs: u64,
    /// Adam's beta1 (0.5, as in pix2pix).
    pub beta1: f32,
    /// Weight of the L1 term (pix2pix's lambda, 100).
    pub l1_weight: f32,
    /// Weight of the GAN term; 0 trains the generator on L1 alone.
    pub gan_weight: f32,
    /// Seed of initialisation, shuffling and dropout.
    pub seed: u64,
}

impl Default for Pix2PixTrainConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 16,
            lr: 2e-4,
            decay_epochs: 0,
            beta1: 0.5,
            l1_weight: 100.0,
            gan_weight: 1.0,
            seed: 1,
        }
    }
}

impl Pix2PixTrainConfig {
    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("batch_size", self.batch_size, 1)?;
        positive("lr", self.lr)?;
        let (decay, epochs) = (self.decay_epochs, self.epochs);
        check(decay <= epochs, "decay_epochs", decay, format!("at most epochs ({epochs})"))?;
        non_negative("l1_weight", self.l1_weight as f64)?;
        non_negative("gan_weight", self.gan_weight as f64)?;
        let learns = self.l1_weight > 0.0 || self.gan_weight > 0.0;
        check(learns, "gan_weight", 0, "above 0 when l1_weight is 0 (nothing to learn from)")?;
        self.optim().validate()
    }

    /// The learning rate over the run's steps: `lr`, then down to 0 over the last
    /// `decay_epochs`.
    pub fn schedule(&self, steps_per_epoch: u64) -> LrSchedule {
        let total = self.epochs * steps_per_epoch;
        let start = self.epochs.saturating_sub(self.decay_epochs) * steps_per_epoch;
        LrSchedule::LinearDecay { lr: self.lr, start, total }
    }

    fn optim(&self) -> OptimConfig {
        OptimConfig {
            beta1: self.beta1,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            grad_clip: None,
        }
    }
}

/// One epoch's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Pix2PixEpoch {
    /// 1-based epoch.
    pub epoch: u64,
    /// Mean discriminator loss (0 for L1-only training).
    pub d_loss: f64,
    /// Mean generator GAN loss.
    pub g_gan: f64,
    /// Mean L1 distance to the targets on training pairs, [0, 1] units.
    pub train_l1: f64,
    /// Held-out fidelity after the epoch.
    pub held_out: Fidelity,
    /// Seconds of training (evaluation excluded).
    pub seconds: f64,
}

/// Trains pix2pix on `train`, scoring `held_out` every epoch, kept in `run` (`run.json`,
/// `metrics.jsonl`, `checkpoint.bin`, `held-out-epoch-N.png` as input | output | target, and
/// `loss.svg`). The caller writes the summary with the returned [`genlab_train::Finished`].
pub fn train_pix2pix(
    model_cfg: &Pix2PixConfig,
    cfg: &Pix2PixTrainConfig,
    train: &PairData,
    held_out: &PairData,
    run: &RunSpec,
    device: &Device,
) -> Result<(Pix2Pix, Vec<Pix2PixEpoch>, genlab_train::Finished), GanError> {
    model_cfg.validate()?;
    cfg.validate()?;
    let batch_norm =
        [model_cfg.generator.norm, model_cfg.discriminator.norm].contains(&NormKind::Batch);
    if cfg.batch_size == 1 && batch_norm {
        return Err(GanError::Data(
            "batch_size 1 needs instance norm: batch norm has no batch to take statistics over"
                .into(),
        ));
    }
    let g = &model_cfg.generator;
    let want_a = [g.in_channels, model_cfg.size, model_cfg.size];
    let want_b = [g.out_channels, model_cfg.size, model_cfg.size];
    for (name, data) in [("training", train), ("held-out", held_out)] {
        if data.a_shape != want_a || data.b_shape != want_b {
            return Err(GanError::Data(format!(
                "the model translates {want_a:?} to {want_b:?}, the {name} pairs are {:?} to {:?}",
                data.a_shape, data.b_shape
            )));
        }
    }
    if train.len() < cfg.batch_size || held_out.is_empty() {
        return Err(GanError::Data(format!(
            "{} training pairs (one batch is {}) and {} held-out pairs: need a batch and at least one held-out pair",
            train.len(),
            cfg.batch_size,
            held_out.len()
        )));
    }
    let device = device.clone().autodiff();
    device.seed(cfg.seed);
    let batcher = Batcher::new(train.len(), cfg.batch_size, cfg.seed, true);
    let steps_per_epoch = batcher.batches_per_epoch() as u64;
    let manifest = RunManifest::new("gan", "pix2pix", model_cfg, cfg);
    let spec = TrainSpec::new(run, cfg.seed, cfg.epochs * steps_per_epoch, "pair", &device);
    let optims =
        |p: &Pix2Pix| vec![cfg.optim().init(&p.generator), cfg.optim().init(&p.discriminator)];
    let (mut t, mut pair, optims) =
        Trainer::start(&spec, &manifest, model_cfg.init(&device), optims)?;
    let [mut opt_g, mut opt_d] =
        optims.try_into().unwrap_or_else(|_| unreachable!("two optimisers"));
    let plain = device.clone().without_autodiff();
    let adversarial = cfg.gan_weight > 0.0;
    let loss = GanLoss::NonSaturating;
    let schedule = cfg.schedule(steps_per_epoch);
    let mut epochs = Vec::new();

    while t.epoch() < cfg.epochs {
        let started = Instant::now();
        let mut sums = [0.0f64; 3];
        for idx in batcher.epoch(t.epoch()) {
            t.seed_step(&device);
            let lr = schedule.lr_at(t.step());
            let (a, b) = train.batch(&idx, &device);
            let fake = pair.generator.forward(a.clone()); // [batch, cb, h, w]
            let mut d_loss_v = 0.0;
            let l1 = (fake.clone() - b.clone()).abs().mean(); // on [-1, 1] values
            let l1_v = l1.clone().into_scalar::<f32>();
            let mut g_loss = l1.mul_scalar(cfg.l1_weight);
            let mut g_gan_v = 0.0;
            if adversarial {
                let real_logit = pair.discriminator.forward(a.clone(), b).flatten::<1>(0, 3);
                let fake_logit =
                    pair.discriminator.forward(a.clone(), fake.clone().detach()).flatten::<1>(0, 3);
                let d_loss = loss.discriminator(real_logit, fake_logit, 0.0).mul_scalar(0.5);
                d_loss_v = d_loss.clone().into_scalar::<f32>();
                t.check_finite("discriminator", d_loss_v)?;
                let grads = GradientsParams::from_grads(d_loss.backward(), &pair.discriminator);
                pair.discriminator = t.update(&mut opt_d, lr, pair.discriminator, grads, None).0;
                let g_gan = loss.generator(pair.discriminator.forward(a, fake).flatten::<1>(0, 3));
                g_gan_v = g_gan.clone().into_scalar::<f32>();
                g_loss = g_loss + g_gan.mul_scalar(cfg.gan_weight);
            }
            let g_loss_v = g_loss.clone().into_scalar::<f32>();
            t.check_finite("generator", g_loss_v)?;
            let grads = GradientsParams::from_grads(g_loss.backward(), &pair.generator);
            pair.generator = t.update(&mut opt_g, lr, pair.generator, grads, None).0;
            // The L1 was on [-1, 1] values: halve it for [0, 1] units.
            let l1_01 = l1_v as f64 * 0.5;
            for (s, v) in sums.iter_mut().zip([d_loss_v as f64, g_gan_v as f64, l1_01]) {
                *s += v;
            }
            t.end_step(idx.len() as u64, l1_01);
            t.log(serde_json::json!({ "d_loss": d_loss_v, "g_gan": g_gan_v, "l1": l1_01 }))?;
        }
        t.end_epoch();
        let seconds = started.elapsed().as_secs_f64();
        let generator = pair.generator.valid();
        let held = fidelity(&generator, held_out, 64, &plain);
        let n = steps_per_epoch as f64;
        let epoch = Pix2PixEpoch {
            epoch: t.epoch(),
            d_loss: sums[0] / n,
            g_gan: sums[1] / n,
            train_l1: sums[2] / n,
            held_out: held,
            seconds,
        };
        t.println(format!(
            "epoch {}: L1 {:.4} (held out {:.4}, PSNR {:.2} dB), D loss {:.4}, G GAN loss {:.4} ({:.1} s)",
            epoch.epoch,
            epoch.train_l1,
            held.l1,
            held.psnr,
            epoch.d_loss,
            epoch.g_gan,
            epoch.seconds
        ));
        t.log(serde_json::json!({ "held_l1": held.l1, "held_psnr": held.psnr }))?;
        if let Some(run) = t.run() {
            let grid = triptych(&generator, held_out, 8, &plain);
            let path = run.file(&format!("held-out-epoch-{}.png", t.epoch()));
            save_grid(grid, 3, PixelRange::MinusOneOne, path)?;
        }
        t.save(&pair, &[&opt_g, &opt_d])?;
        epochs.push(epoch);
    }
    let finished = t.finish(&[("l1", "training L1"), ("held_l1", "held-out L1")])?;
    Ok((pair.valid(), epochs, finished))
}
