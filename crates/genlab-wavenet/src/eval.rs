//! How well a model predicts held-out audio: the mean negative log-likelihood of every sample
//! after the first of each clip, in nats and bits per sample, each sample seeing its full
//! receptive field of the clip (zero-padded before the clip's start).

use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::Serialize;

use crate::data::AudioSet;
use crate::error::WavenetError;
use crate::model::{WaveNet, WaveNetConfig};
use crate::mulaw::CLASSES;

/// Predictions scored per forward pass.
const CHUNK: usize = 16_384;

/// Figures of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvalReport {
    /// Mean negative log-likelihood per sample, in nats.
    pub nats_per_sample: f64,
    /// The same in bits (nats / ln 2).
    pub bits_per_sample: f64,
    /// Samples scored.
    pub samples: usize,
}

/// Which speaker each clip is evaluated as: a conditioned model takes `speaker` for every
/// clip, or else the training speaker whose name the clip has.
pub fn clip_speakers(
    config: &WaveNetConfig,
    speakers: &[String],
    set: &AudioSet,
    speaker: Option<usize>,
) -> Result<Vec<Option<usize>>, WavenetError> {
    if config.speakers == 0 {
        crate::generate::check_speaker(config, speaker)?;
        return Ok(vec![None; set.clips.len()]);
    }
    set.clips
        .iter()
        .map(|clip| match speaker {
            Some(s) => crate::generate::check_speaker(config, Some(s)).map(|()| Some(s)),
            None => speakers.iter().position(|n| *n == clip.name).map(Some).ok_or_else(|| {
                WavenetError::Data(format!(
                    "clip {} is not one of the model's speakers ({}); name one with --speaker",
                    clip.name,
                    speakers.join(", ")
                ))
            }),
        })
        .collect()
}

/// Scores `set` (at most `limit` predictions per clip, all when `None`).
pub fn evaluate(
    model: &WaveNet,
    config: &WaveNetConfig,
    set: &AudioSet,
    speakers: &[Option<usize>],
    limit: Option<usize>,
    device: &Device,
) -> Result<EvalReport, WavenetError> {
    set.expect_rate(config.sample_rate, "the evaluation audio")?;
    let rf = config.receptive_field();
    let (mut nats, mut count) = (0.0f64, 0usize);
    for (clip, &speaker) in set.clips.iter().zip(speakers) {
        let x = &clip.classes;
        let predictions = (x.len() - 1).min(limit.unwrap_or(usize::MAX));
        let mut start = 0;
        while start < predictions {
            let len = CHUNK.min(predictions - start);
            // Inputs x[start - rf + 1 .. start + len] predict x[start + 1 .. start + len + 1].
            let from = (start + 1).saturating_sub(rf);
            let inputs: Vec<i64> = x[from..start + len].iter().map(|&c| c as i64).collect();
            let targets: Vec<i64> =
                x[start + 1..start + len + 1].iter().map(|&c| c as i64).collect();
            let t = inputs.len();
            let input = Tensor::<2, Int>::from_data(TensorData::new(inputs, [1, t]), device);
            let s = speaker
                .map(|s| Tensor::<1, Int>::from_data(TensorData::new(vec![s as i64], [1]), device));
            let logits = model.forward(input, s).narrow(1, t - len, len); // [1, len, 256]
            let logp = log_softmax(logits.reshape([len, CLASSES]), 1);
            let target = Tensor::<2, Int>::from_data(TensorData::new(targets, [len, 1]), device);
            let picked = logp.gather(1, target); // [len, 1]
            nats -= picked.sum().into_scalar::<f64>();
            count += len;
            start += len;
        }
    }
    if count == 0 {
        return Err(WavenetError::Data("the evaluation audio has no samples to predict".into()));
    }
    let nats_per_sample = nats / count as f64;
    Ok(EvalReport {
        nats_per_sample,
        bits_per_sample: nats_per_sample / std::f64::consts::LN_2,
        samples: count,
    })
}
