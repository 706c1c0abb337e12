//! `genlab wavenet train | generate | eval`: WaveNet on speech, from WAVs to a run folder, and
//! from a run folder to a WAV with its spectrogram.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use genlab_wavenet::jobs::{self, GenerateJob, TrainJob};
use genlab_wavenet::{DEFAULT_PRESET, TrainConfig};

use super::Globals;

/// The WaveNet family.
#[derive(Subcommand, Debug)]
pub enum WavenetCmd {
    /// Train on WAV audio (the embedded 24 s of speech by default); writes a run folder with
    /// checkpoints, metrics, loss curve, audio samples and report.html.
    Train(TrainArgs),
    /// Generate audio from a run: a WAV and its spectrogram PNG.
    Generate(GenerateArgs),
    /// Bits and nats per sample of a run on WAV audio, as one JSON line.
    Eval(EvalArgs),
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// `embedded` (24 s of speech, six voices), a WAV file, or a folder of WAVs (16-bit or
    /// better, one sample rate; stereo is mixed to mono).
    #[arg(long, default_value = "embedded", value_parser = audio_spec)]
    pub data: String,
    /// Held-out audio scored at each evaluation (same forms as --data).
    #[arg(long, value_parser = audio_spec)]
    pub val: Option<String>,
    /// tiny, small or classic.
    #[arg(long, default_value = DEFAULT_PRESET)]
    pub preset: String,
    /// Condition on the speaker: each training clip is one speaker.
    #[arg(long)]
    pub speakers: bool,
    /// Optimiser steps.
    #[arg(long)]
    pub steps: Option<u64>,
    /// Windows per step.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Samples predicted per window.
    #[arg(long)]
    pub window: Option<usize>,
    /// Peak learning rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Steps between evaluations and audio samples.
    #[arg(long)]
    pub eval_every: Option<u64>,
    /// Seconds of audio generated at each evaluation (0 = none).
    #[arg(long, value_parser = crate::cmd::non_negative_f32)]
    pub sample_seconds: Option<f32>,
    /// Seed of initialisation and windows.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/wavenet")]
    pub out: PathBuf,
    /// Continue from the run folder's checkpoint.
    #[arg(long)]
    pub resume: bool,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/wavenet")]
    pub run: PathBuf,
    /// Seconds of audio (up to 600).
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Speaker of a conditioned model: a training clip's name (e.g. speech-03) or its id.
    #[arg(long)]
    pub speaker: Option<String>,
    /// Sampling temperature (0 = greedy, which gives silence).
    #[arg(long, default_value_t = 1.0, value_parser = crate::cmd::non_negative_f32)]
    pub temperature: f32,
    /// Keep the k most likely classes (0 = off).
    #[arg(long, default_value_t = 0)]
    pub top_k: usize,
    /// Nucleus sampling mass (1 = off).
    #[arg(long, default_value_t = 1.0)]
    pub top_p: f32,
    /// Sampling seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The WAV to write; the spectrogram goes beside it as .png.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "wavenet.wav")]
    pub out: PathBuf,
    /// A real WAV whose spectrogram is drawn beside the generated one.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub compare: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/wavenet")]
    pub run: PathBuf,
    /// Audio to score: `embedded`, a WAV file or a folder.
    #[arg(long, value_parser = audio_spec)]
    pub data: String,
    /// Speaker every clip is scored as (conditioned models; by default each clip's name).
    #[arg(long)]
    pub speaker: Option<String>,
}

/// An audio spec flag's value: `embedded` or a path, not the empty string.
fn audio_spec(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("an empty value: give `embedded`, a WAV file or a folder of them".into());
    }
    Ok(s.to_string())
}

impl TrainArgs {
    fn config(&self) -> TrainConfig {
        let mut c = TrainConfig::default();
        if let Some(v) = self.steps {
            c.steps = v;
        }
        if let Some(v) = self.batch_size {
            c.batch_size = v;
        }
        if let Some(v) = self.window {
            c.window = v;
        }
        if let Some(v) = self.lr {
            c.lr = v;
            c.min_lr = c.min_lr.min(v);
        }
        if let Some(v) = self.eval_every {
            c.eval_every = v;
            c.checkpoint_every = v;
        }
        if let Some(v) = self.sample_seconds {
            c.sample_seconds = v as f64;
        }
        if let Some(v) = self.seed {
            c.seed = v;
        }
        c
    }
}

pub fn run(globals: &Globals, cmd: WavenetCmd) -> Result<()> {
    let (spec, _) = globals.device_spec()?;
    let device = spec.device()?;
    let out = match cmd {
        WavenetCmd::Train(args) => {
            let job = TrainJob {
                data: args.data.clone(),
                val: args.val.clone(),
                preset: args.preset.clone(),
                conditioned: args.speakers,
                config: args.config(),
                out: args.out.clone(),
                resume: args.resume,
            };
            let summary = jobs::train(&job, &device)?;
            eprintln!("run folder {} (open report.html)", args.out.display());
            summary
        }
        WavenetCmd::Generate(args) => {
            let job = GenerateJob {
                run: args.run,
                seconds: args.seconds,
                speaker: args.speaker,
                temperature: args.temperature,
                top_k: args.top_k,
                top_p: args.top_p,
                seed: args.seed,
                out: args.out,
                compare: args.compare,
            };
            jobs::generate(&job, &device)?
        }
        WavenetCmd::Eval(args) => {
            jobs::eval(&args.run, &args.data, args.speaker.as_deref(), &device)?
        }
    };
    println!("{out}");
    Ok(())
}
