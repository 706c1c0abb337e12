//! The three things a user does with a WaveNet, whole: [`train`] a run folder, [`generate`] a
//! clip from it, [`eval`] it on held-out audio. Each checks its settings and reads its inputs
//! before writing anything, and returns the figures as JSON. `genlab wavenet ...` only parses
//! flags into these.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::tensor::Device;
use genlab_train::{Progress, RunDir, RunSpec};
use serde_json::{Value, json};

use crate::data::AudioSet;
use crate::error::WavenetError;
use crate::eval::{clip_speakers, evaluate};
use crate::fast::FastWaveNet;
use crate::generate::{samples_for, sampling, write_audio};
use crate::model::WaveNetConfig;
use crate::run::{WavenetData, WavenetRun, load};
use crate::train::{TrainConfig, fit};

/// What `genlab wavenet train` asks for.
#[derive(Debug, Clone)]
pub struct TrainJob {
    /// Training audio: `embedded`, a WAV file or a folder.
    pub data: String,
    /// Held-out audio scored at each evaluation, if any.
    pub val: Option<String>,
    /// The model preset.
    pub preset: String,
    /// Condition on the speaker (one per training clip).
    pub conditioned: bool,
    /// Training settings.
    pub config: TrainConfig,
    /// The run folder.
    pub out: PathBuf,
    /// Continue the run folder's checkpoint.
    pub resume: bool,
}

/// Trains a run folder; returns the summary (also written as `summary.json`).
pub fn train(job: &TrainJob, device: &Device) -> Result<Value, WavenetError> {
    let mut model = WaveNetConfig::preset(&job.preset)?;
    job.config.validate()?;
    let data = AudioSet::load(&job.data)?;
    let val = job.val.as_deref().map(AudioSet::load).transpose()?;
    model.sample_rate = data.sample_rate;
    model.validate()?;
    if job.conditioned {
        model.speakers = data.clips.len();
    }
    if let Some(v) = &val {
        v.expect_rate(model.sample_rate, "the held-out audio")?;
    }
    crate::data::Windows::new(&data, job.config.window)?; // refuse short audio before writing
    let io = |source| WavenetError::Io { path: job.out.display().to_string(), source };
    let run = RunDir::create(&job.out).map_err(io)?;
    let record = WavenetData {
        train: job.data.clone(),
        val: job.val.clone(),
        speakers: data.speakers(),
        samples: data.samples(),
    };
    let spec = RunSpec::new(&run, job.resume)
        .with_data(serde_json::to_value(&record).map_err(|e| io(e.into()))?);
    eprintln!(
        "training WaveNet {} ({} layers, receptive field {} samples = {:.1} ms) on {} s of audio \
         from {} ({} clips){} on {device:?}",
        job.preset,
        model.dilations().len(),
        model.receptive_field(),
        model.receptive_field_ms(),
        data.samples() / data.sample_rate as usize,
        job.data,
        data.clips.len(),
        if job.conditioned { ", one speaker each" } else { "" },
    );
    let (_, report, finished) = fit(&model, &job.config, &data, val.as_ref(), &spec, device)?;
    let summary = json!({
        "preset": job.preset,
        "receptive_field": model.receptive_field(),
        "receptive_field_ms": model.receptive_field_ms(),
        "final_train_loss_nats": report.final_loss,
        "val": report.val,
        "samples_per_second": report.samples_per_second,
        "steps": finished.steps,
        "speakers": if job.conditioned { json!(data.speakers()) } else { Value::Null },
    });
    finished.report(&summary, &[])?;
    Ok(summary)
}

/// What `genlab wavenet generate` asks for.
#[derive(Debug, Clone)]
pub struct GenerateJob {
    /// The run folder.
    pub run: PathBuf,
    /// Seconds of audio.
    pub seconds: f64,
    /// A speaker (its training clip's name, or its id) for a conditioned model.
    pub speaker: Option<String>,
    /// Sampling temperature.
    pub temperature: f32,
    /// Top-k (0 = off).
    pub top_k: usize,
    /// Top-p (1 = off).
    pub top_p: f32,
    /// Sampling seed.
    pub seed: u64,
    /// The WAV to write; its spectrogram goes beside it as `.png`.
    pub out: PathBuf,
    /// Real audio (a WAV) whose first `seconds` are drawn beside the generated clip's
    /// spectrogram, to compare them.
    pub compare: Option<PathBuf>,
}

fn speaker_of(run: &WavenetRun, speaker: Option<&str>) -> Result<Option<usize>, WavenetError> {
    let id = match speaker {
        None => None,
        Some(name) => Some(run.speaker_id(name).ok_or_else(|| {
            WavenetError::Data(format!(
                "no speaker {name:?} in this run; its speakers are {}",
                if run.data.speakers.is_empty() {
                    "none".into()
                } else {
                    run.data.speakers.join(", ")
                }
            ))
        })?),
    };
    Ok(id) // checked against the model by whoever uses it (generate, clip_speakers)
}

/// Generates a clip from a run; returns where it went and how fast it was made.
pub fn generate(job: &GenerateJob, device: &Device) -> Result<Value, WavenetError> {
    let settings = sampling(job.temperature, job.top_k, job.top_p, job.seed);
    settings.validate()?;
    let run = load(&job.run, device)?;
    let n = samples_for(&run.config, job.seconds)?;
    let speaker = speaker_of(&run, job.speaker.as_deref())?;
    let real = match &job.compare {
        Some(path) => {
            let audio =
                genlab_data::wav::read_wav(path).map_err(|e| WavenetError::Data(e.to_string()))?;
            if audio.sample_rate != run.config.sample_rate {
                return Err(WavenetError::Data(format!(
                    "{} is at {} Hz, the model at {} Hz",
                    path.display(),
                    audio.sample_rate,
                    run.config.sample_rate
                )));
            }
            Some(audio.samples.into_iter().take(n).collect::<Vec<f32>>())
        }
        None => None,
    };
    let net = FastWaveNet::from_model(&run.model, &run.config);
    let mut progress = Progress::new(n as u64, 0, "sample");
    let started = Instant::now();
    let mut done = 0;
    let classes = crate::generate::generate(&net, n, speaker, &settings, &mut |i| {
        progress.advance((i - done) as u64, (i - done) as u64);
        done = i;
    })?;
    let seconds = started.elapsed().as_secs_f64();
    progress.finish();
    let rate = run.config.sample_rate;
    let title = format!("generated, {:.1} s", job.seconds);
    let png = write_audio(&job.out, &classes, rate, &title)?;
    if let (Some(real), Some(path)) = (&real, &job.compare) {
        let generated = crate::mulaw::decode_all(&classes);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let real_title = format!("real: {name}");
        genlab_plot::spectrogram_png(&png, rate, &[(&title, &generated), (&real_title, real)])?;
    }
    let per_second = n as f64 / seconds.max(1e-9);
    Ok(json!({
        "wav": job.out, "spectrogram": png, "samples": n, "sample_rate": rate,
        "speaker": speaker, "seconds_taken": seconds, "samples_per_second": per_second,
        "realtime_factor": per_second / rate as f64,
    }))
}

/// Bits and nats per sample of a run on `data` (each clip as `speaker`, or as the training
/// speaker of its name, for a conditioned model).
pub fn eval(
    run_dir: &Path,
    data: &str,
    speaker: Option<&str>,
    device: &Device,
) -> Result<Value, WavenetError> {
    let run = load(run_dir, device)?;
    let set = AudioSet::load(data)?;
    set.expect_rate(run.config.sample_rate, data)?;
    let speaker = speaker_of(&run, speaker)?;
    let speakers = clip_speakers(&run.config, &run.data.speakers, &set, speaker)?;
    let report = evaluate(&run.model, &run.config, &set, &speakers, None, device)?;
    Ok(json!({
        "data": data,
        "bits_per_sample": report.bits_per_sample,
        "nats_per_sample": report.nats_per_sample,
        "samples": report.samples,
    }))
}
