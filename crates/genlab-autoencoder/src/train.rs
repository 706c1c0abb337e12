//! Training any autoencoder: epochs of shuffled mini-batches (or of random patches for the
//! denoiser), Adam, optional corruption (denoising) and KL weight with warmup (VAE),
//! per-epoch validation and a callback for pictures, inside [`genlab_train::Trainer`]
//! (checkpoints every epoch, exact `--resume`, metrics, the NaN stop).

use std::time::Instant;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::Device;
use genlab_config::{ConfigError, at_least, non_negative, positive};
use genlab_data::Batcher;
use genlab_train::{OptimConfig, RunManifest, RunSpec, TrainSpec, Trainer};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::corrupt::Corruption;
use crate::data::{ImageData, PatchSampler};
use crate::eval::evaluate;
use crate::model::{AeModel, ModelConfig};

/// Training settings (PyTorch's VAE example defaults: Adam 1e-3, batch 128, 10 epochs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Passes over the data (for patches: `patches_per_epoch` patches).
    pub epochs: u64,
    /// Items per step.
    pub batch_size: usize,
    /// Adam's learning rate (constant).
    pub lr: f64,
    /// Weight of the KL term (beta-VAE); 1 is the ELBO.
    pub beta: f32,
    /// Epochs over which the KL weight rises linearly from 0 to `beta` (KL annealing); 0 = off.
    pub kl_warmup_epochs: u64,
    /// Damage applied to inputs (denoising): the target stays clean.
    pub corruption: Corruption,
    /// Patches per epoch when training on patches.
    pub patches_per_epoch: usize,
    /// Seed of initialisation, shuffling, noise and z draws.
    pub seed: u64,
    /// Adam/AdamW settings; weight decay 0 and no clipping by default, as in PyTorch's examples.
    pub optim: OptimConfig,
    /// Early stopping: end training once the validation loss has not improved for this many
    /// epochs (needs validation data). The model returned is the last one trained, as with
    /// Keras' `EarlyStopping` and Lightning's; `None` trains every epoch.
    pub patience: Option<u64>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 128,
            lr: 1e-3,
            beta: 1.0,
            kl_warmup_epochs: 0,
            corruption: Corruption::None,
            patches_per_epoch: 4096,
            seed: 1,
            optim: OptimConfig {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0,
                grad_clip: None,
            },
            patience: None,
        }
    }
}

impl TrainConfig {
    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("batch_size", self.batch_size, 1)?;
        positive("lr", self.lr)?;
        non_negative("beta", self.beta as f64)?;
        at_least("patches_per_epoch", self.patches_per_epoch, 1)?;
        if let Some(p) = self.patience {
            at_least("patience", p, 1)?;
        }
        self.corruption.validate().map_err(|e| e.within("corruption"))?;
        self.optim.validate().map_err(|e| e.within("optim"))
    }

    /// The KL weight in `epoch` (0-based), with linear warmup.
    pub fn beta_at(&self, epoch: u64) -> f32 {
        if self.kl_warmup_epochs == 0 {
            return self.beta;
        }
        self.beta * ((epoch + 1) as f32 / self.kl_warmup_epochs as f32).min(1.0)
    }
}

/// What the model trains on.
#[derive(Debug, Clone, Copy)]
pub enum TrainData<'a> {
    /// Fixed items, shuffled each epoch, with an optional validation set.
    Items {
        /// Training items.
        train: &'a ImageData,
        /// Held-out items, evaluated after every epoch.
        val: Option<&'a ImageData>,
    },
    /// Random patches (the denoiser).
    Patches(&'a PatchSampler),
}

pub use genlab_train::TrainError;

/// One epoch's figures.
#[derive(Debug, Clone, Serialize)]
pub struct EpochReport {
    /// 1-based epoch.
    pub epoch: u64,
    /// Mean training objective per item (recon + beta KL).
    pub train_loss: f64,
    /// Seconds spent in training steps this epoch (evaluation excluded).
    pub seconds: f64,
    /// Mean validation loss per item (negative ELBO for a VAE), if there is a validation set.
    pub val_loss: Option<f64>,
}

/// What a finished run reports.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    /// Every epoch run in this process.
    pub epochs: Vec<EpochReport>,
}

impl TrainReport {
    /// Median training seconds per epoch.
    pub fn median_epoch_seconds(&self) -> f64 {
        let mut s: Vec<f64> = self.epochs.iter().map(|e| e.seconds).collect();
        s.sort_by(f64::total_cmp);
        if s.is_empty() { f64::NAN } else { s[s.len() / 2] }
    }
}

/// Trains `model_cfg` on `data`, kept in `run` (`run.json`, `metrics.jsonl`, `checkpoint.bin`
/// every epoch, `loss.svg`). `on_epoch` is called after each epoch with the model (validation
/// mode) and the epoch, to draw pictures. The caller writes the summary with the returned
/// [`genlab_train::Finished`] once it has its test figures.
pub fn fit(
    model_cfg: &ModelConfig,
    cfg: &TrainConfig,
    data: TrainData<'_>,
    run: &RunSpec,
    device: &Device,
    on_epoch: &mut dyn FnMut(&AeModel, u64),
) -> Result<(AeModel, TrainReport, genlab_train::Finished), TrainError> {
    model_cfg.validate()?;
    cfg.validate()?;
    check_data(model_cfg, data).map_err(TrainError::Data)?;
    if cfg.patience.is_some() && !matches!(data, TrainData::Items { val: Some(_), .. }) {
        return Err(TrainError::Data(
            "early stopping (patience) watches the validation loss: give validation data".into(),
        ));
    }
    let device = device.clone().autodiff();
    device.seed(cfg.seed);
    let batches = match data {
        TrainData::Items { train, .. } => {
            Batcher::new(train.len(), cfg.batch_size, cfg.seed, false)
        }
        TrainData::Patches(_) => {
            let steps = cfg.patches_per_epoch.div_ceil(cfg.batch_size);
            Batcher::new(steps * cfg.batch_size, cfg.batch_size, cfg.seed, true)
        }
    };
    let steps_per_epoch = batches.batches_per_epoch() as u64;
    let manifest = RunManifest::new("autoencoder", model_cfg.name(), model_cfg, cfg);
    let spec = TrainSpec::new(run, cfg.seed, cfg.epochs * steps_per_epoch, "img", &device);
    let (mut t, mut model, optims) =
        Trainer::start(&spec, &manifest, model_cfg.init(&device), |m| vec![cfg.optim.init(m)])?;
    let [mut optim] = optims.try_into().unwrap_or_else(|_| unreachable!("one optimiser"));
    let mut report = TrainReport { epochs: Vec::new() };

    // Early stopping: the epoch of the best validation loss lives in the checkpoint, so a
    // resumed run stops exactly where an uninterrupted one would.
    let best_epoch = |t: &Trainer| t.state().extra["best_epoch"].as_u64().unwrap_or(0);
    while t.epoch() < cfg.epochs {
        if let Some(patience) = cfg.patience
            && t.epoch() - best_epoch(&t) >= patience
        {
            t.println(format!(
                "early stop after epoch {}: no better validation loss since epoch {}",
                t.epoch(),
                best_epoch(&t)
            ));
            break;
        }
        let beta = cfg.beta_at(t.epoch());
        let (mut loss_sum, mut items) = (0.0f64, 0usize);
        let started = Instant::now();
        for (b, indices) in batches.epoch(t.epoch()).into_iter().enumerate() {
            t.seed_step(&device);
            let clean = match data {
                TrainData::Items { train, .. } => train.batch(&indices, &device),
                TrainData::Patches(sampler) => {
                    let mut rng = ChaCha8Rng::seed_from_u64(genlab_train::step_seed(
                        cfg.seed ^ 0x9A7C,
                        t.epoch() * steps_per_epoch + b as u64,
                    ));
                    sampler.sample(indices.len(), &mut rng, &device)
                }
            };
            let input = cfg.corruption.apply(clean.clone());
            let loss = model.losses(input, clean).objective(beta);
            let value = loss.clone().into_scalar::<f32>();
            t.check_finite("training", value)?;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = t.update(&mut optim, cfg.lr, model, grads, cfg.optim.grad_clip).0;
            loss_sum += value as f64 * indices.len() as f64;
            items += indices.len();
            t.end_step(indices.len() as u64, value as f64);
        }
        let seconds = started.elapsed().as_secs_f64();
        t.end_epoch();
        let val_loss = match data {
            TrainData::Items { val: Some(val), .. } => {
                let r = evaluate(
                    &model.valid(),
                    val,
                    256,
                    cfg.seed,
                    &device.clone().without_autodiff(),
                );
                Some(r.loss)
            }
            _ => None,
        };
        let epoch = EpochReport {
            epoch: t.epoch(),
            train_loss: loss_sum / items as f64,
            seconds,
            val_loss,
        };
        t.println(format!(
            "epoch {}: train loss {:.4}{} ({seconds:.2} s)",
            epoch.epoch,
            epoch.train_loss,
            val_loss.map(|v| format!(", val loss {v:.4}")).unwrap_or_default()
        ));
        t.log(serde_json::json!({
            "epoch": epoch.epoch, "loss": epoch.train_loss,
            "val_loss": val_loss, "beta": beta, "epoch_seconds": seconds,
        }))?;
        if let Some(v) = val_loss {
            let epoch = t.epoch();
            let state = t.state_mut();
            if state.best_val_loss.is_none_or(|b| v < b) {
                state.best_val_loss = Some(v);
                state.extra["best_epoch"] = epoch.into();
            }
        }
        t.save(&model, &[&optim])?;
        on_epoch(&model.valid(), t.epoch());
        report.epochs.push(epoch);
    }
    let finished = t.finish(&[("loss", "train loss"), ("val_loss", "val loss")])?;
    Ok((model.valid(), report, finished))
}

fn check_data(cfg: &ModelConfig, data: TrainData<'_>) -> Result<(), String> {
    match (cfg, data) {
        (ModelConfig::Dae(c), TrainData::Patches(p)) => {
            if p.channels() != c.channels {
                return Err(format!(
                    "the denoiser takes {} channels, the patches have {}",
                    c.channels,
                    p.channels()
                ));
            }
            Ok(())
        }
        (ModelConfig::Dae(_), TrainData::Items { train, .. }) => {
            let [_, h, w] = train.shape;
            if h % 2 != 0 || w % 2 != 0 {
                return Err(format!("the denoiser trains on even-sized images, got {h}x{w}"));
            }
            Ok(())
        }
        (_, TrainData::Patches(_)) => {
            Err(format!("the {} model trains on fixed-size items, not patches", cfg.name()))
        }
        (_, TrainData::Items { train, val }) => {
            let want = cfg.shape().expect("fixed shape");
            for (name, set) in [("training", Some(train)), ("validation", val)] {
                if let Some(set) = set {
                    if set.shape != want {
                        return Err(format!(
                            "the model takes items of shape {want:?}, the {name} data has {:?}",
                            set.shape
                        ));
                    }
                    if set.is_empty() {
                        return Err(format!("the {name} data is empty"));
                    }
                }
            }
            Ok(())
        }
    }
}
