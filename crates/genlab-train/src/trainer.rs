//! [`Trainer`]: everything around a training step that every family shares, so a family's
//! loop holds only its step body (batches, forward, loss, backward), nanoGPT-style:
//!
//! ```text
//! let (mut t, mut model, mut optims) = Trainer::start(&spec, &manifest, model, make_optims)?;
//! while t.step() < total {
//!     t.seed_step(&device);                        // dropout and noise depend on (seed, step)
//!     let loss = ...;                              // the family's step body
//!     t.check_finite("training", loss_value)?;     // NaN/inf stop, last good checkpoint kept
//!     model = t.update(&mut optims[0], lr, model, grads, clip).0;
//!     t.end_step(items, loss_value);               // step count and progress bar
//!     t.log(json!({ "loss": loss_value }))?;       // metrics.jsonl, with the step
//!     if t.every(250) { t.save(&model, &[&optims[0]])?; }           // atomic checkpoint
//! }
//! t.finish(&curves)?.report(&summary, &pictures)?;  // loss curves, summary.json, report.html
//! ```
//!
//! [`Trainer::start`] starts fresh (writing `run.json` before step 0, clearing an old
//! `metrics.jsonl`) or resumes exactly: model, every optimiser, step, epoch and seed from the
//! checkpoint, `metrics.jsonl` cut back to the checkpoint's step.

use std::time::Instant;

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::Device;
use serde_json::Value;

use crate::checkpoint::{Checkpoint, TrainState};
use crate::error::TrainError;
use crate::html::{Page, html_page};
use crate::manifest::{RunManifest, SUMMARY_FILE};
use crate::metrics::MetricsLog;
use crate::optim::clip_grad_norm;
use crate::progress::Progress;
use crate::run::RunDir;

/// Where a run's weights come from.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Start {
    /// Fresh initialisation from the seed.
    #[default]
    Fresh,
    /// Continue exactly from the run folder's own checkpoint.
    Resume,
    /// Initialise the model from another run's checkpoint (fine-tuning): its weights only,
    /// with fresh optimisers at step 0.
    From(std::path::PathBuf),
    /// The model handed to [`Trainer::start`] was built by the caller from another run's
    /// weights (fine-tuning with a grown vocabulary or a new head): it is used as given, with
    /// fresh optimisers at step 0, and the run is recorded as initialised from that one.
    Given(std::path::PathBuf),
}

/// Where a run is kept and how it starts: what a family's train function takes besides its
/// model and training configs.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    /// The run folder; `None` trains in memory (benchmarks, detection sweeps).
    pub dir: Option<RunDir>,
    /// Fresh, resumed, or from another run's weights.
    pub start: Start,
    /// Where the data came from, recorded in the manifest (family-specific JSON).
    pub data: Value,
}

impl RunSpec {
    /// Training in memory: no folder, nothing written.
    pub fn memory() -> Self {
        Self::default()
    }

    /// A run kept in `dir`, fresh or (with `resume`) continued from its checkpoint.
    pub fn new(dir: &RunDir, resume: bool) -> Self {
        let start = if resume { Start::Resume } else { Start::Fresh };
        Self { dir: Some(dir.clone()), start, data: Value::Null }
    }

    /// The same run, recording where its data came from.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// The same run, starting from another run's weights.
    pub fn starting_from(mut self, other: impl Into<std::path::PathBuf>) -> Self {
        self.start = Start::From(other.into());
        self
    }

    /// The same run, fresh from a model the caller built out of `other`'s weights
    /// ([`Start::Given`]); a resumed run stays resumed.
    pub fn given_from(mut self, other: impl Into<std::path::PathBuf>) -> Self {
        if self.start != Start::Resume {
            self.start = Start::Given(other.into());
        }
        self
    }
}

/// How a run starts, for [`Trainer::start`].
#[derive(Debug, Clone)]
pub struct TrainSpec<'a> {
    /// The run folder and start.
    pub run: &'a RunSpec,
    /// The run's seed.
    pub seed: u64,
    /// Steps the whole run will take (for the progress bar).
    pub total_steps: u64,
    /// What a step's items are, for the throughput (`tok`, `img`, `pair`).
    pub unit: &'static str,
    /// The device, recorded in report.html.
    pub device: &'a Device,
}

impl<'a> TrainSpec<'a> {
    /// A run of `total_steps` steps of `unit` items, seeded with `seed`, on `device`.
    pub fn new(
        run: &'a RunSpec,
        seed: u64,
        total_steps: u64,
        unit: &'static str,
        device: &'a Device,
    ) -> Self {
        Self { run, seed, total_steps, unit, device }
    }
}

/// A run in progress. See the [module docs](self).
#[derive(Debug)]
pub struct Trainer {
    run: Option<RunDir>,
    manifest: RunManifest,
    state: TrainState,
    metrics: Option<MetricsLog>,
    progress: Progress,
    started: Instant,
    device: String,
}

impl Trainer {
    /// Starts a run of `model` with the optimisers `optims` builds for it, fresh or resumed.
    /// The optimisers are built from the (possibly loaded) model: burn keys their state by
    /// parameter ids, which loading a checkpoint restores.
    pub fn start<M: Module>(
        spec: &TrainSpec<'_>,
        manifest: &RunManifest,
        model: M,
        optims: impl Fn(&M) -> Vec<ModuleOptimizer>,
    ) -> Result<(Self, M, Vec<ModuleOptimizer>), TrainError> {
        let mut state = TrainState { seed: spec.seed, ..Default::default() };
        let mut manifest = manifest.clone();
        if manifest.data.is_null() {
            manifest.data = spec.run.data.clone();
        }
        let dir = spec.run.dir.as_ref();
        let (model, optims) = match (&spec.run.start, dir) {
            (Start::Resume, Some(run)) => {
                let saved = RunManifest::read(run.path())?;
                saved.expect(run.path(), &manifest.family, &[&manifest.kind])?;
                if saved.model != manifest.model {
                    return Err(TrainError::Data(format!(
                        "{} was trained with another model configuration; resume it with the same settings, or train into a new folder",
                        run.path().display()
                    )));
                }
                let ckpt = Checkpoint::load(run.checkpoint())?;
                let model = ckpt.load_model(model)?;
                let optims = ckpt.load_optims(optims(&model))?;
                state = ckpt.state;
                MetricsLog::truncate_after(run.file("metrics.jsonl"), state.step)?;
                // The settings of this continuation (more steps, say) replace the old ones;
                // everything else is as it was.
                manifest = RunManifest { train: manifest.train, ..saved };
                manifest.write(run.path())?;
                (model, optims)
            }
            (start, dir) => {
                let model = match start {
                    Start::From(other) => {
                        let source = RunManifest::read(other)?;
                        source.expect(other, &manifest.family, &[])?;
                        manifest.init_from = Some(other.clone());
                        Checkpoint::load_weights(other, model)?
                    }
                    Start::Given(other) => {
                        manifest.init_from = Some(other.clone());
                        model
                    }
                    _ => model,
                };
                if let Some(run) = dir {
                    let metrics = run.file("metrics.jsonl");
                    if metrics.exists() {
                        std::fs::remove_file(&metrics)?; // a new run in an old folder starts clean
                    }
                    manifest.write(run.path())?;
                }
                let optims = optims(&model);
                (model, optims)
            }
        };
        let metrics = dir.map(RunDir::metrics).transpose()?;
        let trainer = Self {
            run: dir.cloned(),
            manifest,
            progress: Progress::new(spec.total_steps, state.step, spec.unit),
            state,
            metrics,
            started: Instant::now(),
            device: format!("{:?}", spec.device.clone().without_autodiff()),
        };
        Ok((trainer, model, optims))
    }

    /// Optimiser steps taken so far (including those before a resume).
    pub fn step(&self) -> u64 {
        self.state.step
    }

    /// Epochs completed so far.
    pub fn epoch(&self) -> u64 {
        self.state.epoch
    }

    /// Where the run stands (saved with each checkpoint).
    pub fn state(&self) -> &TrainState {
        &self.state
    }

    /// Where the run stands, to change (saved with each checkpoint).
    pub fn state_mut(&mut self) -> &mut TrainState {
        &mut self.state
    }

    /// The run folder, when there is one.
    pub fn run(&self) -> Option<&RunDir> {
        self.run.as_ref()
    }

    /// Reseeds `device` for the current step, so dropout and noise depend only on
    /// (seed, step) and `--resume` is exact.
    pub fn seed_step(&self, device: &Device) {
        device.seed(crate::step_seed(self.state.seed, self.state.step));
    }

    /// Stops with [`TrainError::Diverged`] (closing the progress bar) when `value` is NaN or
    /// infinite.
    pub fn check_finite(&mut self, what: &'static str, value: f32) -> Result<(), TrainError> {
        if value.is_finite() {
            return Ok(());
        }
        self.progress.finish();
        Err(TrainError::Diverged { what, step: self.state.step, value })
    }

    /// One optimiser update: clips the global gradient norm to `clip` when given, lays the
    /// gradients out plainly ([`crate::optim::plain_grads`], for wgpu), then steps. Returns
    /// the model and the norm before clipping (NaN when not clipping).
    pub fn update<M: Module>(
        &self,
        optim: &mut ModuleOptimizer,
        lr: f64,
        model: M,
        mut grads: GradientsParams,
        clip: Option<f32>,
    ) -> (M, f32) {
        let norm = match clip {
            Some(max) => clip_grad_norm(&model, &mut grads, max),
            None => f32::NAN,
        };
        let grads = crate::optim::plain_grads(&model, grads);
        (optim.step(lr, model, grads), norm)
    }

    /// Ends a step that processed `items` units with this loss: advances the step and the bar.
    /// Log the step's figures with [`Trainer::log`] after it.
    pub fn end_step(&mut self, items: u64, loss: f64) {
        self.state.step += 1;
        self.progress.step(items, loss);
    }

    /// Appends `record` (an object; the current `step` is added) to `metrics.jsonl`.
    pub fn log(&mut self, mut record: Value) -> Result<(), TrainError> {
        if let Some(m) = self.metrics.as_mut() {
            record["step"] = Value::from(self.state.step);
            m.log(&record)?;
        }
        Ok(())
    }

    /// Records a text sample at the current step: printed above the bar, kept in
    /// `metrics.jsonl` and shown in report.html.
    pub fn sample(&mut self, text: String) -> Result<(), TrainError> {
        self.progress.println(&text);
        self.log(serde_json::json!({ "sample": text }))
    }

    /// Records an audio sample at the current step: `wav` (and its `picture`, a spectrogram),
    /// files in the run folder, are kept in `metrics.jsonl` and played in report.html.
    pub fn audio(&mut self, wav: &str, picture: &str) -> Result<(), TrainError> {
        self.log(serde_json::json!({ "audio": wav, "audio_picture": picture }))
    }

    /// Marks an epoch as complete.
    pub fn end_epoch(&mut self) {
        self.state.epoch += 1;
    }

    /// Whether the current step is a multiple of `interval` (0 = never).
    pub fn every(&self, interval: u64) -> bool {
        interval > 0 && self.state.step.is_multiple_of(interval)
    }

    /// Prints a line above the progress bar.
    pub fn println(&self, line: impl AsRef<str>) {
        self.progress.println(line);
    }

    /// Items per second since the run (or its resumption) started.
    pub fn throughput(&self) -> f64 {
        self.progress.throughput()
    }

    /// Saves model, optimisers and state to the run's checkpoint atomically (no-op without a
    /// run folder). One optimiser is stored as such, several in order.
    pub fn save<M: Module>(
        &self,
        model: &M,
        optims: &[&ModuleOptimizer],
    ) -> Result<(), TrainError> {
        let Some(run) = &self.run else { return Ok(()) };
        Ok(Checkpoint::save_optims(run.checkpoint(), model, optims, &self.state)?)
    }

    /// Ends training: closes the bar and draws `curves` (`(metric key, label)` against step)
    /// as `loss.svg`. The returned [`Finished`] writes the summary and the page.
    pub fn finish(self, curves: &[(&str, &str)]) -> Result<Finished, TrainError> {
        self.progress.finish();
        if let Some(run) = &self.run {
            crate::report::metric_curves_svg(
                &run.file("metrics.jsonl"),
                curves,
                &run.file("loss.svg"),
            )?;
        }
        Ok(Finished {
            run: self.run,
            manifest: self.manifest,
            steps: self.state.step,
            seconds: self.started.elapsed().as_secs_f64(),
            throughput: self.progress.throughput(),
            device: self.device,
        })
    }
}

/// A run whose training is over; [`Finished::report`] writes `summary.json` and `report.html`.
#[derive(Debug)]
pub struct Finished {
    run: Option<RunDir>,
    manifest: RunManifest,
    /// Steps taken in all (including those before a resume).
    pub steps: u64,
    /// Wall seconds of training in this process.
    pub seconds: f64,
    /// Items per second in this process.
    pub throughput: f64,
    device: String,
}

impl Finished {
    /// Writes `summary` as `summary.json` and `report.html` (configuration, device, timing,
    /// the figures, the loss curves, the `(file, caption)` pictures that exist and the text
    /// samples logged). No-op without a run folder.
    pub fn report(&self, summary: &Value, pictures: &[(&str, &str)]) -> Result<(), TrainError> {
        let Some(run) = &self.run else { return Ok(()) };
        let text = serde_json::to_string_pretty(summary).map_err(std::io::Error::other)?;
        crate::atomic::write_atomic(&run.file(SUMMARY_FILE), &[text.as_bytes()])
            .map_err(|(_, source)| TrainError::Io(source))?;
        let mut figures = vec![("loss.svg", "loss curves")];
        figures.extend_from_slice(pictures);
        let timing = serde_json::json!({
            "steps": self.steps, "seconds": self.seconds, "items_per_second": self.throughput,
        });
        let page = Page {
            title: &format!("genlab {} train: {}", self.manifest.family, self.manifest.kind),
            manifest: Some(&self.manifest),
            device: Some(&self.device),
            timing: Some(&timing),
            summary,
            pictures: &figures,
        };
        html_page(run.path(), &page)?;
        Ok(())
    }
}
