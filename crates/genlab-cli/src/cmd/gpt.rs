//! `genlab gpt train | generate | eval | export`: the GPT from text to streamed text; the
//! fine-tuning stages and chat are in [`super::finetune`].

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use genlab_tokenizer::Tokenizer;
use genlab_train::RunDir;
use genlab_transformer::{Gpt, GptGenerator, PosEncoding, Recipe, estimate_loss};

use super::{Globals, finetune, lm};

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
    /// Supervised fine-tuning on instructions (the built-in playground, or JSONL), loss on responses only.
    Sft(finetune::SftArgs),
    /// Train a reward model on ranked responses (Bradley-Terry).
    Reward(finetune::PreferenceArgs),
    /// RLHF of an SFT policy against a reward model: PPO or RLOO, KL-penalised.
    Rlhf(finetune::RlhfArgs),
    /// Direct preference optimisation of an SFT policy from rankings or preference pairs.
    Dpo(finetune::PreferenceArgs),
    /// Score responses to a prompt with a reward model.
    Score(finetune::ScoreArgs),
    /// Judge a run on the held-out instruction playground: exact match, preference score, KL, distinct-2.
    Judge(finetune::JudgeArgs),
    /// Chat with a fine-tuned run (interactive; one-shot when stdin is not a terminal).
    Chat(super::chat::ChatArgs),
}

/// The shared sampling flags, and the GPT's own: whether to use the KV cache. No argument
/// group of its own: it would share the name `SampleArgs` with the flattened `lm::SampleArgs`,
/// which clap refuses (its debug assertions, in debug builds).
#[derive(Args, Debug, Clone)]
#[group(skip)]
pub struct SampleArgs {
    #[command(flatten)]
    pub common: lm::SampleArgs,
    /// Recompute the whole context every token instead of using the KV cache.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// A TOML recipe (see configs/shakespeare-char.toml).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub config: Option<PathBuf>,
    /// Model preset: baby, small, gpt2.
    #[arg(long)]
    pub preset: Option<String>,
    /// Positional encoding: learned, sinusoidal, rotary.
    #[arg(long, value_parser = parse_pos)]
    pub pos_encoding: Option<PosEncoding>,
    /// Run folder.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/gpt")]
    pub out: PathBuf,
    #[command(flatten)]
    pub flags: lm::TrainFlags,
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
            let generator = GptGenerator::new(&run.model, &device, !args.sample.no_cache);
            lm::stream_sample(&generator, run.tokenizer.as_ref(), &args.sample.common)
        }
        GptCmd::Eval(args) => eval(args, &device),
        GptCmd::Sft(args) => finetune::sft(args, &device),
        GptCmd::Reward(args) => finetune::reward(args, &device),
        GptCmd::Rlhf(args) => finetune::rlhf(args, &device),
        GptCmd::Dpo(args) => finetune::dpo(args, &device),
        GptCmd::Judge(args) => finetune::judge(args, &device),
        GptCmd::Score(args) => finetune::score(args, &device),
        GptCmd::Chat(args) => super::chat::chat(args, &device),
        GptCmd::Export(args) => {
            let run = genlab_transformer::load(&args.checkpoint, &device)?;
            genlab_transformer::save_safetensors(&run.model, &args.out)?;
            println!("wrote {}", args.out.display());
            Ok(())
        }
    }
}

fn train(args: TrainArgs, device: &genlab_tensor::Device) -> Result<()> {
    let resume = args.flags.resume;
    let (mut recipe, model) = lm::starting_recipe(
        args.config.as_deref(),
        resume,
        &args.out,
        Recipe::load,
        genlab_transformer::resume_recipe,
    )?;
    args.flags.apply(&mut recipe.train, &mut recipe.data);
    if let Some(p) = args.preset {
        recipe.model.preset = p
    }
    if let Some(p) = args.pos_encoding {
        recipe.model.pos_encoding = Some(p)
    }
    let sample = &args.sample.common;
    let sample_config = sample.config()?;
    let run = RunDir::create(&args.out)?;
    let mut on_eval = |model: &Gpt, tok: &dyn Tokenizer, step: u64| {
        sample.eval_sample(&sample_config, &GptGenerator::new(model, device, true), tok, step)
    };
    let (trained, report) =
        genlab_transformer::train_recipe(&recipe, model, &run, resume, device, &mut on_eval)?;
    eprintln!(
        "done: {} steps, train loss {:.4}, val loss {:.4}, {:.0} tokens/s; run folder {} (report.html, summary.json, checkpoint.bin, model.safetensors, metrics.jsonl, loss.svg)",
        report.steps,
        report.train_loss,
        report.val_loss,
        report.tokens_per_sec,
        run.path().display()
    );
    args.flags.write_report(&serde_json::to_value(&report)?)?;
    eprintln!(
        "sampling (temperature {}, top-k {}, top-p {}, seed {}):",
        sample.temperature, sample.top_k, sample.top_p, sample.seed
    );
    let generator = GptGenerator::new(&trained.model, device, !args.sample.no_cache);
    lm::stream_sample(&generator, trained.tokenizer.as_ref(), sample)
}

fn eval(args: EvalArgs, device: &genlab_tensor::Device) -> Result<()> {
    let run = genlab_transformer::load(&args.checkpoint, device)?;
    let block = run.config.block_size;
    let validation = || run.validation_tokens();
    let tokens =
        lm::eval_tokens(args.data.as_ref(), run.tokenizer.as_ref(), validation, block, args.iters)?;
    let batch = run.train.batch_size;
    let loss = estimate_loss(&run.model, &tokens, args.iters, batch, device);
    println!(
        "loss {loss:.4}  perplexity {:.3}  ({} batches of {batch} x {block} tokens)",
        loss.exp(),
        args.iters,
    );
    Ok(())
}
