//! The WaveNet benchmark's genlab side (run by `cargo xtask bench wavenet`); prints one JSON
//! object.
//!
//! - `train TRAIN_DIR_OR_FILES.. --val FILES.. [--steps N] [--seed S] [--preset P] [--dump DIR]`:
//!   trains on the training files, scores the held-out files, and prints the held-out bits per
//!   sample, training samples per second and the unigram and AR(p) baselines. `--dump DIR`
//!   writes every clip's mu-law classes (`train-NAME.u8`, `val-NAME.u8`) for the PyTorch peer.
//! - `generate --preset P [--seconds S] [--naive-samples N]`: samples per second of the queue
//!   generator and of the naive path (random weights: the speed does not depend on them).

use std::time::Instant;

use anyhow::{Context, Result, bail};
use genlab_data::wav::read_wav;
use genlab_train::RunSpec;
use genlab_wavenet::baseline::{ar_scores, unigram};
use genlab_wavenet::generate::{generate, generate_naive, sampling};
use genlab_wavenet::{AudioSet, FastWaveNet, TrainConfig, WaveNetConfig, evaluate, fit};

// The same allocator as the genlab binary (see genlab_tensor::alloc).
#[global_allocator]
static GLOBAL: genlab_tensor::alloc::Allocator = genlab_tensor::alloc::Allocator;

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

fn list(args: &[String], name: &str) -> Vec<String> {
    let Some(i) = args.iter().position(|a| a == name) else { return Vec::new() };
    args[i + 1..].iter().take_while(|a| !a.starts_with("--")).cloned().collect()
}

fn load(files: &[String], what: &str) -> Result<AudioSet> {
    let clips = files
        .iter()
        .map(|f| {
            let name = std::path::Path::new(f).file_stem().unwrap_or_default();
            Ok((name.to_string_lossy().into_owned(), read_wav(f)?))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(AudioSet::from_audio(clips, what)?)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    genlab_tensor::alloc::keep_freed_memory();
    let device = genlab_tensor::DeviceSpec::from_flag_or_env(None)?.device()?;
    let preset = flag(&args, "--preset").unwrap_or(genlab_wavenet::DEFAULT_PRESET);
    let mut config = WaveNetConfig::preset(preset)?;
    match args.first().map(String::as_str) {
        Some("train") => {
            let train = load(&list(&args, "train"), "training audio")?;
            let val = load(&list(&args, "--val"), "held-out audio")?;
            config.sample_rate = train.sample_rate;
            if let Some(dir) = flag(&args, "--dump") {
                std::fs::create_dir_all(dir)?;
                for (prefix, set) in [("train", &train), ("val", &val)] {
                    for clip in &set.clips {
                        let path = format!("{dir}/{prefix}-{}.u8", clip.name);
                        std::fs::write(&path, &clip.classes).context(path)?;
                    }
                }
            }
            let mut cfg =
                TrainConfig { eval_every: 0, sample_seconds: 0.0, ..TrainConfig::default() };
            if let Some(s) = flag(&args, "--steps") {
                cfg.steps = s.parse()?;
            }
            if let Some(s) = flag(&args, "--seed") {
                cfg.seed = s.parse()?;
            }
            let started = Instant::now();
            let (model, report, _) = fit(&config, &cfg, &train, None, &RunSpec::memory(), &device)?;
            let train_seconds = started.elapsed().as_secs_f64();
            let speakers = vec![None; val.clips.len()];
            let val_report = evaluate(&model, &config, &val, &speakers, None, &device)?;
            let uni = unigram(&train, &val);
            let ar = ar_scores(&train, &val, &[1, 2, 4, 8, 16, 32]);
            let out = serde_json::json!({
                "preset": preset,
                "receptive_field": config.receptive_field(),
                "receptive_field_ms": config.receptive_field_ms(),
                "steps": cfg.steps,
                "batch_size": cfg.batch_size,
                "window": cfg.window,
                "train_seconds": train_seconds,
                "samples_per_second": report.samples_per_second,
                "final_train_loss_nats": report.final_loss,
                "val_bits_per_sample": val_report.bits_per_sample,
                "val_nats_per_sample": val_report.nats_per_sample,
                "val_samples": val_report.samples,
                "unigram_train_entropy_bits": uni.train_entropy_bits,
                "unigram_heldout_bits": uni.heldout_bits,
                "best_ar": ar[0],
                "ar": ar,
            });
            println!("{out}");
        }
        Some("generate") => {
            device.seed(1);
            let model = config.init(&device);
            let net = FastWaveNet::from_model(&model, &config);
            let seconds: f64 = flag(&args, "--seconds").unwrap_or("5").parse()?;
            let n = (seconds * config.sample_rate as f64) as usize;
            let settings = sampling(1.0, 0, 1.0, 1);
            let started = Instant::now();
            let classes = generate(&net, n, None, &settings, &mut |_| {})?;
            let fast = classes.len() as f64 / started.elapsed().as_secs_f64();
            let naive_n: usize = flag(&args, "--naive-samples").unwrap_or("200").parse()?;
            let started = Instant::now();
            let naive = generate_naive(&model, &config, naive_n, None, &settings, &device)?;
            let naive_rate = naive.len() as f64 / started.elapsed().as_secs_f64();
            println!(
                "{}",
                serde_json::json!({
                    "preset": preset,
                    "receptive_field_ms": config.receptive_field_ms(),
                    "macs_per_sample": config.macs_per_sample(),
                    "fast_samples_per_second": fast,
                    "fast_samples": n,
                    "naive_samples_per_second": naive_rate,
                    "naive_samples": naive_n,
                    "speedup": fast / naive_rate,
                })
            );
        }
        _ => bail!("usage: bench_wavenet train FILES.. --val FILES.. | generate --preset P"),
    }
    Ok(())
}
