//! Training a WaveNet: random windows of the training clips, cross-entropy on every next
//! sample, Adam with warmup and cosine decay and gradient clipping, inside
//! [`genlab_train::Trainer`] (exact `--resume`, checkpoints, metrics, the NaN stop). At each
//! evaluation the held-out bits per sample are logged and a short clip is generated into the
//! run folder (`samples/step-N.wav` and its spectrogram), which report.html plays.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_config::{ConfigError, at_least, positive};
use genlab_train::{LrSchedule, OptimConfig, RunManifest, RunSpec, TrainSpec, Trainer};
use serde::{Deserialize, Serialize};

use crate::data::{AudioSet, Windows};
use crate::error::WavenetError;
use crate::eval::{EvalReport, evaluate};
use crate::fast::FastWaveNet;
use crate::generate::{generate, sampling, write_audio};
use crate::model::{WaveNet, WaveNetConfig};

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Optimiser steps.
    pub steps: u64,
    /// Windows per step.
    pub batch_size: usize,
    /// Samples predicted per window.
    pub window: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Final learning rate of the cosine decay.
    pub min_lr: f64,
    /// Linear warmup steps.
    pub warmup: u64,
    /// Adam settings (no weight decay; gradients clipped to norm 1).
    pub optim: OptimConfig,
    /// Seed of initialisation and windows.
    pub seed: u64,
    /// Steps between evaluations and audio samples (0 = only at the end).
    pub eval_every: u64,
    /// Held-out predictions scored per clip at each evaluation during training.
    pub eval_samples: usize,
    /// Seconds of audio generated at each evaluation (0 = none).
    pub sample_seconds: f64,
    /// Steps between checkpoints (the last step always saves).
    pub checkpoint_every: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            steps: 1000,
            batch_size: 4,
            window: 2048,
            lr: 2e-3,
            min_lr: 2e-4,
            warmup: 50,
            optim: OptimConfig { weight_decay: 0.0, beta2: 0.999, ..OptimConfig::default() },
            seed: 1,
            eval_every: 250,
            eval_samples: 16_000,
            sample_seconds: 1.0,
            checkpoint_every: 250,
        }
    }
}

impl TrainConfig {
    /// Checks every field; the error names it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("steps", self.steps, 1)?;
        at_least("batch_size", self.batch_size, 1)?;
        at_least("window", self.window, 1)?;
        positive("lr", self.lr)?;
        genlab_config::non_negative("min_lr", self.min_lr)?;
        at_least("eval_samples", self.eval_samples, 1)?;
        let ok = self.sample_seconds.is_finite()
            && (0.0..=crate::generate::MAX_SECONDS).contains(&self.sample_seconds);
        genlab_config::check(ok, "sample_seconds", self.sample_seconds, "in [0, 600]")?;
        self.optim.validate().map_err(|e| e.within("optim"))
    }

    /// The learning-rate schedule.
    pub fn schedule(&self) -> LrSchedule {
        LrSchedule::WarmupCosine {
            lr: self.lr,
            min_lr: self.min_lr,
            warmup: self.warmup,
            total: self.steps,
        }
    }
}

/// What a training run measured.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    /// Mean training loss (nats per sample) of the last 50 steps.
    pub final_loss: f64,
    /// The last held-out evaluation, when there was held-out audio.
    pub val: Option<EvalReport>,
    /// Training samples (window positions) per second in this process.
    pub samples_per_second: f64,
}

/// Trains `model_cfg` on `train` (its speakers, when conditioned), evaluating on `val`, kept
/// in `run`. Returns the model (on `device`, without autodiff) and the figures; the caller
/// writes the summary with the returned [`genlab_train::Finished`].
pub fn fit(
    model_cfg: &WaveNetConfig,
    cfg: &TrainConfig,
    train: &AudioSet,
    val: Option<&AudioSet>,
    run: &RunSpec,
    device: &Device,
) -> Result<(WaveNet, TrainReport, genlab_train::Finished), WavenetError> {
    model_cfg.validate()?;
    cfg.validate()?;
    train.expect_rate(model_cfg.sample_rate, "the training audio")?;
    if model_cfg.speakers != 0 && model_cfg.speakers != train.clips.len() {
        return Err(WavenetError::Data(format!(
            "the model is conditioned on {} speakers but the training audio has {} clips",
            model_cfg.speakers,
            train.clips.len()
        )));
    }
    let val_speakers = match val {
        Some(v) => {
            let names = train.speakers();
            Some(crate::eval::clip_speakers(model_cfg, &names, v, None).or_else(|_| {
                // Held-out voices of a conditioned model are scored as speaker 0.
                crate::eval::clip_speakers(model_cfg, &names, v, Some(0))
            })?)
        }
        None => None,
    };
    let windows = Windows::new(train, cfg.window)?;
    let ad = device.clone().autodiff();
    ad.seed(cfg.seed);
    let manifest = RunManifest::new("wavenet", "wavenet", model_cfg, cfg);
    let spec = TrainSpec::new(run, cfg.seed, cfg.steps, "sample", &ad);
    let (mut t, mut model, optims) =
        Trainer::start(&spec, &manifest, model_cfg.init(&ad), |m| vec![cfg.optim.init(m)])?;
    let [mut optim] = optims.try_into().unwrap_or_else(|_| unreachable!("one optimiser"));
    let schedule = cfg.schedule();
    let conditioned = model_cfg.speakers > 0;
    let (mut recent, mut last_val) = (Vec::new(), None);
    let items = (cfg.batch_size * cfg.window) as u64;

    while t.step() < cfg.steps {
        t.seed_step(&ad);
        let b = windows.batch(train, cfg.seed, t.step(), cfg.batch_size);
        let shape = [cfg.batch_size, cfg.window];
        let x = Tensor::<2, Int>::from_data(TensorData::new(b.inputs, shape), &ad);
        let y = Tensor::<2, Int>::from_data(TensorData::new(b.targets, shape), &ad);
        let s = conditioned.then(|| {
            Tensor::<1, Int>::from_data(TensorData::new(b.speakers, [cfg.batch_size]), &ad)
        });
        let loss = model.loss(x, y, s);
        let value = loss.clone().into_scalar::<f32>();
        t.check_finite("training", value)?;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let lr = schedule.lr_at(t.step());
        let (next, norm) = t.update(&mut optim, lr, model, grads, cfg.optim.grad_clip);
        model = next;
        t.end_step(items, value as f64);
        t.log(serde_json::json!({ "loss": value, "lr": lr, "grad_norm": norm }))?;
        recent.push(value as f64);
        if recent.len() > 50 {
            recent.remove(0);
        }
        let last = t.step() == cfg.steps;
        if t.every(cfg.eval_every) || last {
            let valid = model.valid();
            if let (Some(v), Some(speakers)) = (val, &val_speakers) {
                let r = evaluate(&valid, model_cfg, v, speakers, Some(cfg.eval_samples), device)?;
                t.println(format!(
                    "step {}: val {:.4} bits/sample ({:.4} nats)",
                    t.step(),
                    r.bits_per_sample,
                    r.nats_per_sample
                ));
                t.log(serde_json::json!({
                    "val_loss": r.nats_per_sample, "val_bits": r.bits_per_sample,
                }))?;
                last_val = Some(r);
            }
            if cfg.sample_seconds > 0.0
                && let Some(dir) = t.run().map(|r| r.path().to_path_buf())
            {
                let net = FastWaveNet::from_model(&valid, model_cfg);
                let n = crate::generate::samples_for(model_cfg, cfg.sample_seconds)?;
                let speaker = conditioned.then_some(0);
                let settings = sampling(1.0, 0, 1.0, cfg.seed);
                let classes = generate(&net, n, speaker, &settings, &mut |_| {})?;
                let wav = format!("samples/step-{:06}.wav", t.step());
                let title = format!("step {}", t.step());
                write_audio(&dir.join(&wav), &classes, model_cfg.sample_rate, &title)?;
                t.audio(&wav, &wav.replace(".wav", ".png"))?;
            }
        }
        if t.every(cfg.checkpoint_every) || last {
            t.save(&model, &[&optim])?;
        }
    }
    let samples_per_second = t.throughput();
    let finished = t.finish(&[("loss", "train loss (nats)"), ("val_loss", "val loss (nats)")])?;
    let final_loss = recent.iter().sum::<f64>() / recent.len().max(1) as f64;
    let report = TrainReport { final_loss, val: last_val, samples_per_second };
    Ok((model.valid(), report, finished))
}
