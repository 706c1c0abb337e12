//! What `genlab gpt` and `genlab rnn` share: the sampling flags, the training flags that
//! override a recipe's `[train]` and `[data]`, streaming a sample, and the eval checks.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;
use genlab_decoding::{GenerationConfig, LanguageModel, generate, generate_stream};
use genlab_tokenizer::Tokenizer;
use genlab_transformer::{DataSection, GptError, TrainConfig};

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
}

impl SampleArgs {
    /// The decoding settings, checked.
    pub fn config(&self) -> Result<GenerationConfig> {
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
        if self.prompt.is_empty() {
            bail!("--prompt is empty: give the text the sample starts from");
        }
        Ok(config)
    }

    /// The short sample written at each evaluation during training: `None` when it cannot
    /// be made (the log simply has no sample then).
    pub fn eval_sample(
        &self,
        config: &GenerationConfig,
        lm: &impl LanguageModel,
        tok: &dyn Tokenizer,
        step: u64,
    ) -> Option<String> {
        let config = GenerationConfig { max_new_tokens: 120, ..config.clone() };
        let prompt = tok.encode(&self.prompt).ok().filter(|p| !p.is_empty())?;
        let out = generate(lm, &prompt, &config, None).ok()?;
        let text = tok.decode(&out.tokens).ok()?;
        Some(format!("--- sample at step {step} ---\n{}{}\n---", self.prompt, text))
    }
}

/// Training flags that override a recipe, the same for every language-model family.
#[derive(Args, Debug)]
pub struct TrainFlags {
    /// Text file to train on (default: the embedded ~1 MB of Shakespeare).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub data: Option<PathBuf>,
    /// `char`, `bpe`, or a tokenizer file (tokenizer.json).
    #[arg(long)]
    pub tokenizer: Option<String>,
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
    /// Continue from the run folder's checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Write the final figures as JSON here (for benchmarks).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub report: Option<PathBuf>,
}

impl TrainFlags {
    /// Applies the flags given to the recipe's sections.
    pub fn apply(&self, train: &mut TrainConfig, data: &mut DataSection) {
        if let Some(d) = &self.data {
            data.path = Some(d.clone())
        }
        if let Some(t) = &self.tokenizer {
            data.tokenizer = t.clone()
        }
        if let Some(s) = self.steps {
            train.max_steps = s;
            if train.warmup_steps > s {
                // A short run asked for on the command line keeps a proportionate warmup.
                train.warmup_steps = s / 10;
                eprintln!("note: warmup shortened to {} steps for a {s}-step run", s / 10);
            }
        }
        if let Some(b) = self.batch_size {
            train.batch_size = b
        }
        if let Some(lr) = self.lr {
            train.lr = lr
        }
        if let Some(s) = self.train_seed {
            train.seed = s
        }
    }

    /// Writes `report` to `--report` when it was given.
    pub fn write_report(&self, report: &serde_json::Value) -> Result<()> {
        write_report(self.report.as_deref(), report)
    }
}

/// Writes `report` as pretty JSON to `path` (creating its folder) when there is one: what
/// `--report` does for every training command.
pub fn write_report(path: Option<&Path>, report: &impl serde::Serialize) -> Result<()> {
    if let Some(path) = path {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(report)?)?;
    }
    Ok(())
}

/// The recipe a `train` command starts from, and the model shape when it resumes: a resumed
/// run continues with the recipe and shape recorded in `out` (a `--config` still replaces
/// the recipe, and flags override either); a fresh one starts from `--config` or the
/// defaults.
pub fn starting_recipe<R: Default, C>(
    config: Option<&Path>,
    resume: bool,
    out: &Path,
    load: impl FnOnce(&Path) -> Result<R, GptError>,
    resume_recipe: impl FnOnce(&Path) -> Result<(R, C), GptError>,
) -> Result<(R, Option<C>)> {
    Ok(match (config, resume) {
        (Some(path), false) => (load(path)?, None),
        (None, false) => (R::default(), None),
        (Some(path), true) => (load(path)?, Some(resume_recipe(out)?.1)),
        (None, true) => {
            let (recipe, model) = resume_recipe(out)?;
            (recipe, Some(model))
        }
    })
}

/// Streams a sample from `lm` to stdout (beam search prints its result at the end).
pub fn stream_sample(
    lm: &impl LanguageModel,
    tok: &dyn Tokenizer,
    args: &SampleArgs,
) -> Result<()> {
    let config = args.config()?;
    let prompt = tok.encode(&args.prompt)?;
    if prompt.is_empty() {
        bail!("the prompt is empty after tokenization; give --prompt some text");
    }
    let detok = |ids: &[u32]| tok.decode(ids).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    write!(out, "{}", args.prompt)?;
    let started = std::time::Instant::now();
    let mut n = 0usize;
    if config.num_beams > 1 {
        let result = generate(lm, &prompt, &config, Some(&detok))?;
        n = result.tokens.len();
        write!(out, "{}", result.text.unwrap_or_default())?;
    } else {
        for token in generate_stream(lm, &prompt, &config, Some(&detok))? {
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

/// The tokens `eval` scores: `--data` through the run's tokenizer, else the run's own
/// validation split; refused when too short for one window or when `iters` is 0.
pub fn eval_tokens(
    data: Option<&PathBuf>,
    tok: &dyn Tokenizer,
    validation: impl FnOnce() -> Result<Vec<u32>, GptError>,
    block: usize,
    iters: usize,
) -> Result<Vec<u32>> {
    let tokens = match data {
        Some(path) => tok.encode(&genlab_data::text::read_text(path)?)?,
        None => validation()?,
    };
    if tokens.len() <= block {
        bail!("{} tokens is too little to evaluate a model with context {block}", tokens.len());
    }
    if iters == 0 {
        bail!("--iters must be at least 1");
    }
    Ok(tokens)
}
