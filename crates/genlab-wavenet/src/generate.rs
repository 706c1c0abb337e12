//! Sampling audio: the fast queue generator ([`generate`]) and the naive reference that
//! recomputes the receptive field with the burn model for every sample ([`generate_naive`]).
//! Both draw each class from the 256 logits through genlab-decoding (temperature, top-k,
//! top-p), starting from silence.

use std::path::Path;

use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_config::check;
use genlab_decoding::{GenerationConfig, Sampler};

use crate::error::WavenetError;
use crate::fast::FastWaveNet;
use crate::model::{WaveNet, WaveNetConfig};
use crate::mulaw::{self, SILENCE};

/// Longest clip generated in one call, in seconds.
pub const MAX_SECONDS: f64 = 600.0;

/// Sampling settings for audio: every processor off but temperature, top-k and top-p
/// (WaveNet samples from its distribution; greedy decoding of audio gives silence).
pub fn sampling(temperature: f32, top_k: usize, top_p: f32, seed: u64) -> GenerationConfig {
    GenerationConfig { temperature, top_k, top_p, seed, ..GenerationConfig::unprocessed() }
}

/// Samples in `seconds` of audio at the model's rate; refuses 0, negative, NaN or more than
/// [`MAX_SECONDS`].
pub fn samples_for(config: &WaveNetConfig, seconds: f64) -> Result<usize, WavenetError> {
    let ok = seconds.is_finite() && seconds > 0.0 && seconds <= MAX_SECONDS;
    check(ok, "seconds", seconds, format!("in (0, {MAX_SECONDS}]"))?;
    Ok(((seconds * config.sample_rate as f64).round() as usize).max(1))
}

/// Checks `speaker` against the model: a conditioned model needs one in range, an
/// unconditioned one takes none.
pub fn check_speaker(config: &WaveNetConfig, speaker: Option<usize>) -> Result<(), WavenetError> {
    match (config.speakers, speaker) {
        (0, None) => Ok(()),
        (0, Some(s)) => Err(genlab_config::ConfigError::new(
            "speaker",
            s,
            "none: this model was trained without speaker conditioning",
        )
        .into()),
        (n, Some(s)) if s < n => Ok(()),
        (n, s) => Err(genlab_config::ConfigError::new(
            "speaker",
            s.map_or("none".into(), |s| s.to_string()),
            format!("a speaker id in 0..{n} (the model is conditioned on {n} speakers)"),
        )
        .into()),
    }
}

/// Generates `n` samples (as classes) with the queue generator; `on_progress` is called with
/// the samples done every 1,000.
pub fn generate(
    net: &FastWaveNet,
    n: usize,
    speaker: Option<usize>,
    config: &GenerationConfig,
    on_progress: &mut dyn FnMut(usize),
) -> Result<Vec<u8>, WavenetError> {
    check_speaker(net.config(), speaker)?;
    let mut sampler = Sampler::from_config(config)?;
    let mut generator = net.start(speaker);
    let mut out = Vec::with_capacity(n);
    let mut last = SILENCE;
    for i in 0..n {
        let logits = generator.step(last);
        last = sampler.sample(logits, &[])? as u8;
        out.push(last);
        if (i + 1) % 1000 == 0 {
            on_progress(i + 1);
        }
    }
    Ok(out)
}

/// The logits of the sample after `history` by a full forward pass of the burn model over the
/// last receptive field of it (zero-padded before the start, as the queues are).
pub fn naive_logits(
    model: &WaveNet,
    config: &WaveNetConfig,
    history: &[u8],
    speaker: Option<usize>,
    device: &Device,
) -> Vec<f32> {
    let rf = config.receptive_field();
    let context = &history[history.len().saturating_sub(rf)..];
    let t = context.len();
    let ids: Vec<i64> = context.iter().map(|&c| c as i64).collect();
    let x = Tensor::<2, Int>::from_data(TensorData::new(ids, [1, t]), device);
    let s =
        speaker.map(|s| Tensor::<1, Int>::from_data(TensorData::new(vec![s as i64], [1]), device));
    let logits = model.forward(x, s).narrow(1, t - 1, 1); // [1, 1, 256]
    logits.into_data().try_to_vec::<f32>().expect("f32 logits")
}

/// Generates `n` samples with [`naive_logits`]: the reference the queue generator must match,
/// and the speed it must beat.
pub fn generate_naive(
    model: &WaveNet,
    config: &WaveNetConfig,
    n: usize,
    speaker: Option<usize>,
    sampling: &GenerationConfig,
    device: &Device,
) -> Result<Vec<u8>, WavenetError> {
    check_speaker(config, speaker)?;
    let mut sampler = Sampler::from_config(sampling)?;
    let mut history = vec![SILENCE];
    for _ in 0..n {
        let logits = naive_logits(model, config, &history, speaker, device);
        history.push(sampler.sample(&logits, &[])? as u8);
    }
    Ok(history.split_off(1))
}

/// Writes `classes` as a 16-bit WAV at `rate` and, beside it with the extension `png`, its
/// spectrogram titled `title`. Returns the spectrogram's path.
pub fn write_audio(
    path: &Path,
    classes: &[u8],
    rate: u32,
    title: &str,
) -> Result<std::path::PathBuf, WavenetError> {
    let samples = mulaw::decode_all(classes);
    let io = |source| WavenetError::Io { path: path.display().to_string(), source };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, genlab_data::wav::encode_wav_i16(&samples, rate)).map_err(io)?;
    let png = path.with_extension("png");
    genlab_plot::spectrogram_png(&png, rate, &[(title, &samples)])?;
    Ok(png)
}
