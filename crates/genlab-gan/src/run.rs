//! A trained GAN run folder, loaded ([`load`]), and the choices a program makes before
//! training one: which preset fits the data ([`preset`]) and, for text-to-image, the prompt
//! front end saved beside the GAN ([`save_text_front_end`], [`TextFrontEnd`]).

use std::path::Path;

use burn::tensor::{Device, Tensor, TensorData};
use genlab_config::ConfigError;
use genlab_tokenizer::Bpe;
use genlab_train::{Checkpoint, LoadError, RunManifest, TrainState};

use crate::model::{GanConfig, GanPair};
use crate::pix2pix::{Pix2Pix, Pix2PixConfig};
use crate::pix2pix_train::Pix2PixTrainConfig;
use crate::text_encoder::{TextEncoder, TextEncoderConfig};

/// The prompt tokenizer's file in a text-to-image run folder.
pub const TEXT_TOKENIZER_FILE: &str = "text-tokenizer.json";
/// The prompt encoder's file in a text-to-image run folder.
pub const TEXT_ENCODER_FILE: &str = "text-encoder.bin";

/// A text-to-image run's prompt front end: the BPE and the encoder that reads a digit.
#[derive(Debug)]
pub struct TextFrontEnd {
    /// The prompt tokenizer.
    pub bpe: Bpe,
    /// The prompt classifier.
    pub encoder: TextEncoder,
}

impl TextFrontEnd {
    /// The digit `prompt` names and the encoder's probability for it, or why no digit can be
    /// read from it (empty, or the encoder says none or is unsure).
    pub fn digit(&self, prompt: &str, device: &Device) -> Result<(usize, f32), String> {
        use crate::captions::NONE;
        if prompt.trim().is_empty() {
            return Err("the prompt is empty: name a digit, e.g. \"a handwritten seven\"".into());
        }
        let (class, p) = self.encoder.classify(&self.bpe, &[prompt], device)[0];
        if class == NONE || p < 0.5 {
            let read =
                if class == NONE { "no digit".to_string() } else { format!("digit {class}") };
            return Err(format!(
                "the prompt {prompt:?} names no digit I can read (the text encoder says {read}, probability {p:.2}); try e.g. \"a handwritten seven\""
            ));
        }
        Ok((class, p))
    }
}

/// A trained GAN of either kind.
// The variants differ in size (a text-to-image run carries its tokenizer), but a run is
// loaded once and moved rarely, so boxing would only add a pointer chase.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum GanRun {
    /// An image generator (MLP GAN, DCGAN, class-conditional, text-to-image).
    Generator {
        /// Both networks.
        pair: GanPair,
        /// Their configuration.
        config: GanConfig,
        /// The prompt front end of a text-to-image run.
        text: Option<TextFrontEnd>,
    },
    /// A pix2pix translator.
    Pix2Pix {
        /// Both networks.
        pair: Pix2Pix,
        /// Their configuration.
        config: Pix2PixConfig,
        /// How it was trained; the held-out pairs of a built-in task come from its seed.
        train: Pix2PixTrainConfig,
    },
}

/// Loads the GAN run in `dir` onto `device`.
pub fn load(dir: &Path, device: &Device) -> Result<GanRun, LoadError> {
    let manifest = RunManifest::open(dir, "gan", &[])?;
    if manifest.kind == "pix2pix" {
        let config: Pix2PixConfig = manifest.model(dir)?;
        let train: Pix2PixTrainConfig = manifest.train(dir)?;
        let pair = Checkpoint::load_weights(dir, config.init(device))?;
        return Ok(GanRun::Pix2Pix { pair, config, train });
    }
    let config: GanConfig = manifest.model(dir)?;
    let pair = Checkpoint::load_weights(dir, config.init(device))?;
    let path = dir.join(TEXT_TOKENIZER_FILE);
    let text = if path.is_file() {
        let bpe = Bpe::load(&path)
            .map_err(|e| LoadError::File { path: path.clone(), problem: e.to_string() })?;
        let cfg = text_encoder_config(&bpe);
        let encoder =
            Checkpoint::load(dir.join(TEXT_ENCODER_FILE))?.load_model(cfg.init(device))?;
        Some(TextFrontEnd { bpe, encoder })
    } else {
        None
    };
    Ok(GanRun::Generator { pair, config, text })
}

fn text_encoder_config(bpe: &Bpe) -> TextEncoderConfig {
    TextEncoderConfig { vocab: bpe.vocab_size(), dim: 64, classes: crate::captions::NONE + 1 }
}

/// Saves a text-to-image run's prompt front end into `dir`.
pub fn save_text_front_end(
    dir: &Path,
    bpe: &Bpe,
    encoder: &TextEncoder,
    seed: u64,
) -> Result<(), genlab_train::TrainError> {
    bpe.save(dir.join(TEXT_TOKENIZER_FILE))
        .map_err(|e| genlab_train::TrainError::Io(std::io::Error::other(e.to_string())))?;
    let state = TrainState { seed, ..Default::default() };
    Checkpoint::save(dir.join(TEXT_ENCODER_FILE), encoder, None, &state)?;
    Ok(())
}

/// Trains a text-to-image run's prompt encoder on seeded captions (3 epochs) and saves it in
/// `dir` ([`TEXT_TOKENIZER_FILE`], [`TEXT_ENCODER_FILE`]); returns how many captions it saw
/// and its accuracy on the held-out paraphrases.
pub fn train_text_front_end(
    dir: &Path,
    seed: u64,
    device: &Device,
) -> Result<serde_json::Value, genlab_train::TrainError> {
    use crate::captions::{held_out_prompts, training_captions};
    let captions = training_captions(20_000, seed);
    eprintln!("training the text encoder on {} seeded captions", captions.len());
    let (bpe, encoder) = crate::text_encoder::train_text_encoder(&captions, 3, seed, device);
    save_text_front_end(dir, &bpe, &encoder, seed)?;
    let held = held_out_prompts();
    let prompts: Vec<&str> = held.iter().map(|(p, _)| p.as_str()).collect();
    let verdicts = encoder.classify(&bpe, &prompts, device);
    let right = verdicts.iter().zip(&held).filter(|((c, _), (_, d))| c == d).count();
    let accuracy = right as f64 / held.len() as f64;
    eprintln!(
        "text encoder: {right} of {} held-out paraphrases read as the right digit",
        held.len()
    );
    Ok(serde_json::json!({
        "captions": captions.len(), "held_out_prompts": held.len(), "held_out_accuracy": accuracy,
    }))
}

/// The GAN preset `model` (`gan`, `dcgan`, `cgan`, `text2img`) for images of `shape`; the
/// conditional ones condition on `classes` labels.
pub fn preset(model: &str, shape: [usize; 3], classes: usize) -> Result<GanConfig, ConfigError> {
    let mut cfg = match (model, shape) {
        ("gan", shape) => GanConfig { shape, ..GanConfig::mnist_gan() },
        ("dcgan" | "cgan" | "text2img", [1, 28, 28]) => GanConfig::mnist_dcgan(),
        ("dcgan" | "cgan", [3, 64, 64]) => GanConfig::dcgan64(),
        (m @ ("dcgan" | "cgan" | "text2img"), shape) => {
            let expected = "28x28 grey digits (or 64x64 RGB for dcgan and cgan)";
            return Err(ConfigError::new(
                format!("{m} image shape"),
                format!("{shape:?}"),
                expected,
            ));
        }
        (other, _) => {
            let expected = "gan, dcgan, cgan, text2img or pix2pix";
            return Err(ConfigError::new("model", format!("{other:?}"), expected));
        }
    };
    if model == "cgan" || model == "text2img" {
        if classes == 0 {
            return Err(ConfigError::new("classes", 0, "labelled data (--data mnist) for cgan"));
        }
        cfg.cond_dim = classes;
    }
    Ok(cfg)
}

/// Pictures side by side as one `[n, 3, h, w]` batch for a grid: each part is `(values,
/// channels)` in `[channels, h, w]` order; grey parts are repeated to RGB.
pub fn side_by_side(
    parts: Vec<(Vec<f32>, usize)>,
    h: usize,
    w: usize,
    device: &Device,
) -> Tensor<4> {
    let rows = parts
        .into_iter()
        .map(|(values, c)| {
            let t = Tensor::<4>::from_data(TensorData::new(values, [1, c, h, w]), device);
            if c == 1 { t.repeat_dim(1, 3) } else { t }
        })
        .collect();
    Tensor::cat(rows, 0)
}
