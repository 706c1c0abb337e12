//! `genlab gpt train | generate | eval | export`: the GPT from text to streamed text.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use genlab_decoding::{GenerationConfig, generate, generate_stream};
use genlab_tokenizer::Tokenizer;
use genlab_train::RunDir;
use genlab_transformer::{Gpt, GptGenerator, PosEncoding, Recipe, estimate_loss};

use super::Globals;

/// The GPT family.
#[derive(Subcommand, Debug)]
pub enum GptCmd {
    /// Pretrain a GPT on a text file (the embedded Shakespeare slice by default), then stream a sample.
    Train(TrainArgs),
    /// Stream text from a trained run.
    Generate(GenerateArgs),
    /// Loss and perplexity of a trained run on a text file.
    Eval(EvalArgs),
    /// Write a run's weights as safetensors with nanoGPT/PyTorch names.
    Export(ExportArgs),
}

/// Sampling flags shared by `train` (for its samples) and `generate`.
#[derive(Args, Debug, Clone)]
pub struct SampleArgs {
    /// Text to start from.
    #[arg(long, default_value = "\n")]
    pub prompt: String,
    /// Tokens to generate.
    #[arg(long, default_value_t = 300)]
    pub max_tokens: usize,
    /// Softmax temperature; 0 = greedy.
    #[arg(long, default_value_t = 0.8)]
    pub temperature: f32,
    /// Keep the k most likely tokens (0 = off).
    #[arg(long, default_value_t = 40)]
    pub top_k: usize,
    /// Nucleus sampling mass (1.0 = off).
    #[arg(long, default_value_t = 0.95)]
    pub top_p: f32,
    /// Drop tokens below min_p x the top probability (0 = off).
    #[arg(long, default_value_t = 0.05)]
    pub min_p: f32,
    /// Repetition penalty over the last 64 tokens (1.0 = off).
    #[arg(long, default_value_t = 1.0)]
    pub repeat_penalty: f32,
    /// Beam search width (1 = sampling; beams do not stream).
    #[arg(long, default_value_t = 1)]
    pub beams: usize,
    /// Sampling seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Recompute the whole context every token instead of using the KV cache.
    #[arg(long)]
    pub no_cache: bool,
}

impl SampleArgs {
    fn config(&self) -> Result<GenerationConfig> {
        let config = GenerationConfig {
            max_new_tokens: self.max_tokens,
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
            min_p: self.min_p,
            repeat_penalty: self.repeat_penalty,
            num_beams: self.beams,
            seed: self.seed,
            ..GenerationConfig::default()
        };
        config.validate()?;
        Ok(config)
    }
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// A TOML recipe (see configs/shakespeare-char.toml).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub config: Option<PathBuf>,
    /// Text file to train on (default: the embedded ~1 MB of Shakespeare).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub data: Option<PathBuf>,
    /// `char`, `bpe`, or a tokenizer file (tokenizer.json).
    #[arg(long)]
    pub tokenizer: Option<String>,
    /// Model preset: baby, small, gpt2.
    #[arg(long)]
    pub preset: Option<String>,
    /// Positional encoding: learned, sinusoidal, rotary.
    #[arg(long, value_parser = parse_pos)]
    pub pos_encoding: Option<PosEncoding>,
    /// Optimiser steps.
    #[arg(long)]
    pub steps: Option<u64>,
    /// Sequences per batch.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Peak learning rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Seed of initialisation, batches and dropout.
    #[arg(long)]
    pub train_seed: Option<u64>,
    /// Run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/gpt")]
    pub out: PathBuf,
    /// Continue from the run folder's checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Write the final figures as JSON here (for benchmarks).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub sample: SampleArgs,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Run folder written by `genlab gpt train`.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/gpt")]
    pub checkpoint: PathBuf,
    #[command(flatten)]
    pub sample: SampleArgs,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Run folder written by `genlab gpt train`.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/gpt")]
    pub checkpoint: PathBuf,
    /// Text to evaluate on (default: the run's validation split of its data).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub data: Option<PathBuf>,
    /// Batches of random windows to average (more = steadier).
    #[arg(long, default_value_t = 200)]
    pub iters: usize,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/gpt")]
    pub checkpoint: PathBuf,
    /// Output file.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/gpt/model.safetensors")]
    pub out: PathBuf,
}

fn parse_pos(s: &str) -> Result<PosEncoding, String> {
    match s {
        "learned" => Ok(PosEncoding::Learned),
        "sinusoidal" => Ok(PosEncoding::Sinusoidal),
        "rotary" | "rope" => Ok(PosEncoding::Rotary),
        other => {
            Err(format!("unknown positional encoding {other:?}: learned, sinusoidal or rotary"))
        }
    }
}

pub fn run(globals: &Globals, cmd: GptCmd) -> Result<()> {
    let (spec, _) = globals.device_spec()?;
    let device = spec.device()?;
    match cmd {
        GptCmd::Train(args) => train(args, &device),
        GptCmd::Generate(args) => {
            let run = genlab_transformer::load(&args.checkpoint, &device)?;
            stream_sample(&run.model, run.tokenizer.as_ref(), &args.sample, &device)
        }
        GptCmd::Eval(args) => eval(args, &device),
        GptCmd::Export(args) => {
            let run = genlab_transformer::load(&args.checkpoint, &device)?;
            genlab_transformer::save_safetensors(&run.model, &args.out)?;
            println!("wrote {}", args.out.display());
            Ok(())
        }
    }
}

fn train(args: TrainArgs, device: &genlab_tensor::Device) -> Result<()> {
    // A resumed run continues with the recipe and shape it was trained with (flags still
    // override the recipe); a fresh one starts from --config or the defaults.
    let (mut recipe, model) = match (&args.config, args.resume) {
        (Some(path), false) => (Recipe::load(path)?, None),
        (None, false) => (Recipe::default(), None),
        (Some(path), true) => {
            (Recipe::load(path)?, Some(genlab_transformer::resume_recipe(&args.out)?.1))
        }
        (None, true) => {
            let (recipe, model) = genlab_transformer::resume_recipe(&args.out)?;
            (recipe, Some(model))
        }
    };
    if let Some(d) = args.data {
        recipe.data.path = Some(d)
    }
    if let Some(t) = args.tokenizer {
        recipe.data.tokenizer = t
    }
    if let Some(p) = args.preset {
        recipe.model.preset = p
    }
    if let Some(p) = args.pos_encoding {
        recipe.model.pos_encoding = Some(p)
    }
    if let Some(s) = args.steps {
        recipe.train.max_steps = s;
        if recipe.train.warmup_steps > s {
            // A short run asked for on the command line keeps a proportionate warmup.
            recipe.train.warmup_steps = s / 10;
            eprintln!("note: warmup shortened to {} steps for a {s}-step run", s / 10);
        }
    }
    if let Some(b) = args.batch_size {
        recipe.train.batch_size = b
    }
    if let Some(lr) = args.lr {
        recipe.train.lr = lr
    }
    if let Some(s) = args.train_seed {
        recipe.train.seed = s
    }
    let sample_config = args.sample.config()?;
    if args.sample.prompt.is_empty() {
        bail!("--prompt is empty: give the text the sample starts from");
    }
    let run = RunDir::create(&args.out)?;
    let mut on_eval = |model: &Gpt, tok: &dyn Tokenizer, step: u64| {
        let config = GenerationConfig { max_new_tokens: 120, ..sample_config.clone() };
        let generator = GptGenerator::new(model, device, true);
        let prompt = tok.encode(&args.sample.prompt).ok().filter(|p| !p.is_empty())?;
        let out = generate(&generator, &prompt, &config, None).ok()?;
        let text = tok.decode(&out.tokens).ok()?;
        Some(format!("--- sample at step {step} ---\n{}{}\n---", args.sample.prompt, text))
    };
    let (trained, report) =
        genlab_transformer::train_recipe(&recipe, model, &run, args.resume, device, &mut on_eval)?;
    eprintln!(
        "done: {} steps, train loss {:.4}, val loss {:.4}, {:.0} tokens/s; run folder {} (report.html, summary.json, checkpoint.bin, model.safetensors, metrics.jsonl, loss.svg)",
        report.steps,
        report.train_loss,
        report.val_loss,
        report.tokens_per_sec,
        run.path().display()
    );
    if let Some(path) = &args.report {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    }
    eprintln!(
        "sampling (temperature {}, top-k {}, top-p {}, seed {}):",
        args.sample.temperature, args.sample.top_k, args.sample.top_p, args.sample.seed
    );
    stream_sample(&trained.model, trained.tokenizer.as_ref(), &args.sample, device)
}

fn stream_sample(
    model: &Gpt,
    tok: &dyn Tokenizer,
    args: &SampleArgs,
    device: &genlab_tensor::Device,
) -> Result<()> {
    let config = args.config()?;
    let prompt = tok.encode(&args.prompt)?;
    if prompt.is_empty() {
        bail!("the prompt is empty after tokenization; give --prompt some text");
    }
    let generator = GptGenerator::new(model, device, !args.no_cache);
    let detok = |ids: &[u32]| tok.decode(ids).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    write!(out, "{}", args.prompt)?;
    let started = std::time::Instant::now();
    let mut n = 0usize;
    if config.num_beams > 1 {
        let result = generate(&generator, &prompt, &config, Some(&detok))?;
        n = result.tokens.len();
        write!(out, "{}", result.text.unwrap_or_default())?;
    } else {
        for token in generate_stream(&generator, &prompt, &config, Some(&detok))? {
            write!(out, "{}", token?.text)?;
            out.flush()?;
            n += 1;
        }
    }
    writeln!(out)?;
    eprintln!(
        "({n} tokens in {:.2} s, {:.0} tokens/s)",
        started.elapsed().as_secs_f64(),
        n as f64 / started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn eval(args: EvalArgs, device: &genlab_tensor::Device) -> Result<()> {
    let run = genlab_transformer::load(&args.checkpoint, device)?;
    let tokens = match &args.data {
        Some(path) => run.tokenizer.encode(&genlab_data::text::read_text(path)?)?,
        None => run.validation_tokens()?,
    };
    let block = run.config.block_size;
    if tokens.len() <= block {
        bail!("{} tokens is too little to evaluate a model with context {block}", tokens.len());
    }
    if args.iters == 0 {
        bail!("--iters must be at least 1");
    }
    let batch = run.train.batch_size;
    let loss = estimate_loss(&run.model, &tokens, args.iters, batch, device);
    println!(
        "loss {loss:.4}  perplexity {:.3}  ({} batches of {batch} x {block} tokens)",
        loss.exp(),
        args.iters,
    );
    Ok(())
}
