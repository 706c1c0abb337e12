//! `genlab rnn train | generate | eval`: the char-RNN (LSTM or GRU), mirroring `genlab gpt`
//! (same recipes' `[train]`/`[data]`, trainer, run folders and decoding).

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use genlab_tokenizer::Tokenizer;
use genlab_train::RunDir;
use genlab_transformer::estimate_loss;
use genlab_transformer::rnn::{Cell, CharRnn, RnnGenerator, RnnRecipe};

use super::{Globals, lm};
use lm::SampleArgs;

/// The char-RNN family.
#[derive(Subcommand, Debug)]
pub enum RnnCmd {
    /// Train an LSTM or GRU language model on a text file (the embedded Shakespeare slice by default), then stream a sample.
    Train(TrainArgs),
    /// Stream text from a trained run.
    Generate(GenerateArgs),
    /// Loss and perplexity of a trained run on a text file, as one JSON line.
    Eval(EvalArgs),
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// A TOML recipe (see configs/shakespeare-char-lstm.toml).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub config: Option<PathBuf>,
    /// Model preset: baby (about the baby GPT's size), small, tiny.
    #[arg(long)]
    pub preset: Option<String>,
    /// Recurrent cell: lstm or gru.
    #[arg(long, value_parser = parse_cell)]
    pub cell: Option<Cell>,
    /// Run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/rnn")]
    pub out: PathBuf,
    #[command(flatten)]
    pub flags: lm::TrainFlags,
    #[command(flatten)]
    pub sample: SampleArgs,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Run folder written by `genlab rnn train`.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/rnn")]
    pub checkpoint: PathBuf,
    #[command(flatten)]
    pub sample: SampleArgs,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Run folder written by `genlab rnn train`.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/rnn")]
    pub checkpoint: PathBuf,
    /// Text to evaluate on (default: the run's validation split of its data).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub data: Option<PathBuf>,
    /// Batches of random windows to average (more = steadier).
    #[arg(long, default_value_t = 200)]
    pub iters: usize,
}

fn parse_cell(s: &str) -> Result<Cell, String> {
    Cell::parse(s).map_err(|e| e.to_string())
}

pub fn run(globals: &Globals, cmd: RnnCmd) -> Result<()> {
    let (spec, _) = globals.device_spec()?;
    let device = spec.device()?;
    match cmd {
        RnnCmd::Train(args) => train(args, &device),
        RnnCmd::Generate(args) => {
            let run = genlab_transformer::rnn::load(&args.checkpoint, &device)?;
            let generator = RnnGenerator::new(&run.model, &device);
            lm::stream_sample(&generator, run.tokenizer.as_ref(), &args.sample)
        }
        RnnCmd::Eval(args) => eval(args, &device),
    }
}

fn train(args: TrainArgs, device: &genlab_tensor::Device) -> Result<()> {
    let resume = args.flags.resume;
    let (mut recipe, model) = lm::starting_recipe(
        args.config.as_deref(),
        resume,
        &args.out,
        RnnRecipe::load,
        genlab_transformer::rnn::resume_recipe,
    )?;
    args.flags.apply(&mut recipe.train, &mut recipe.data);
    if let Some(p) = args.preset {
        recipe.model.preset = p
    }
    if let Some(c) = args.cell {
        recipe.model.cell = c
    }
    let sample = &args.sample;
    let sample_config = sample.config()?;
    let run = RunDir::create(&args.out)?;
    let mut on_eval = |model: &CharRnn, tok: &dyn Tokenizer, step: u64| {
        sample.eval_sample(&sample_config, &RnnGenerator::new(model, device), tok, step)
    };
    let (trained, report) =
        genlab_transformer::rnn::train_recipe(&recipe, model, &run, resume, device, &mut on_eval)?;
    eprintln!(
        "done: {} steps, train loss {:.4}, val loss {:.4}, {:.0} tokens/s; run folder {} (report.html, summary.json, checkpoint.bin, metrics.jsonl, loss.svg)",
        report.steps,
        report.train_loss,
        report.val_loss,
        report.tokens_per_sec,
        run.path().display()
    );
    let mut json = serde_json::to_value(&report)?;
    json["num_params"] = trained.config.num_params().into();
    json["cell"] = trained.config.cell.name().into();
    args.flags.write_report(&json)?;
    eprintln!(
        "sampling (temperature {}, top-k {}, top-p {}, seed {}):",
        sample.temperature, sample.top_k, sample.top_p, sample.seed
    );
    lm::stream_sample(
        &RnnGenerator::new(&trained.model, device),
        trained.tokenizer.as_ref(),
        sample,
    )
}

fn eval(args: EvalArgs, device: &genlab_tensor::Device) -> Result<()> {
    let run = genlab_transformer::rnn::load(&args.checkpoint, device)?;
    let block = run.config.block_size;
    let validation = || run.validation_tokens();
    let tokens =
        lm::eval_tokens(args.data.as_ref(), run.tokenizer.as_ref(), validation, block, args.iters)?;
    let batch = run.train.batch_size;
    let loss = estimate_loss(&run.model, &tokens, args.iters, batch, device);
    let json = serde_json::json!({
        "loss": loss,
        "perplexity": loss.exp(),
        "batches": args.iters,
        "batch_size": batch,
        "block_size": block,
        "cell": run.config.cell.name(),
        "num_params": run.config.num_params(),
    });
    println!("{json}");
    Ok(())
}
