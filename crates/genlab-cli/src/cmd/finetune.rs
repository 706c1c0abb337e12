//! `genlab gpt sft | reward | rlhf | dpo | judge | score`: fine-tuning stages, the judge on
//! the instruction playground, and reward-model scores (`gpt chat` is in [`super::chat`]).
//! Flags are parsed here; the work is in `genlab_transformer::finetune`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use genlab_data::instructions::{Split, instances};
use genlab_train::RunDir;
use genlab_transformer::finetune::{self, Algorithm, StageRecipe};

use super::path_arg;

/// Flags every training stage shares.
#[derive(Args, Debug)]
pub struct StageFlags {
    /// A TOML recipe (see configs/finetune.toml).
    #[arg(long, value_parser = path_arg)]
    pub config: Option<PathBuf>,
    /// Training JSONL (default: the built-in instruction playground).
    #[arg(long, value_parser = path_arg)]
    pub data: Option<PathBuf>,
    /// Held-out JSONL, with --data.
    #[arg(long, value_parser = path_arg)]
    pub val: Option<PathBuf>,
    /// Optimiser steps (RLHF: iterations).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Examples (SFT) or rankings (reward model, DPO) per batch; RLHF: prompts per iteration.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Learning rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Seed of batches and sampling.
    #[arg(long)]
    pub train_seed: Option<u64>,
    /// Continue from the run folder's checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Write the final figures as JSON here.
    #[arg(long, value_parser = path_arg)]
    pub report: Option<PathBuf>,
}

impl StageFlags {
    /// The recipe with the flags applied to `stage`'s optimisation (`sft`, `reward`, `dpo`)
    /// or to RLHF (`rl`).
    fn recipe(&self, stage: &str) -> Result<StageRecipe> {
        if self.steps == Some(0) {
            bail!("--steps must be at least 1");
        }
        if self.batch_size == Some(0) {
            bail!("--batch-size must be at least 1");
        }
        if let Some(lr) = self.lr.filter(|lr| !(lr.is_finite() && *lr > 0.0)) {
            bail!("--lr must be a positive number, not {lr}");
        }
        let mut r = match &self.config {
            Some(path) => StageRecipe::load(path)?,
            None => StageRecipe::default(),
        };
        if stage == "rl" {
            let rl = &mut r.rl;
            rl.iterations = self.steps.unwrap_or(rl.iterations);
            rl.prompts_per_iteration = self.batch_size.unwrap_or(rl.prompts_per_iteration);
            rl.lr = self.lr.unwrap_or(rl.lr);
            rl.seed = self.train_seed.unwrap_or(rl.seed);
        } else {
            let t = match stage {
                "sft" => &mut r.sft,
                "reward" => &mut r.reward,
                _ => &mut r.dpo,
            };
            if let Some(s) = self.steps {
                t.max_steps = s;
                t.warmup_steps = t.warmup_steps.min(s / 10);
            }
            t.batch_size = self.batch_size.unwrap_or(t.batch_size);
            if let Some(lr) = self.lr {
                t.lr = lr;
                t.min_lr = t.min_lr.min(lr);
            }
            t.seed = self.train_seed.unwrap_or(t.seed);
        }
        for (name, cfg) in [("sft", &r.sft), ("reward", &r.reward), ("dpo", &r.dpo)] {
            cfg.validate().map_err(|e| e.within(name))?;
        }
        r.rl.validate()?;
        Ok(r)
    }

    /// Writes `report` to `--report` when given, and prints it as one JSON line.
    fn write_report(&self, report: &impl serde::Serialize) -> Result<()> {
        super::lm::write_report(self.report.as_deref(), report)?;
        println!("{}", serde_json::to_string(report)?);
        Ok(())
    }
}

/// `gpt sft`.
#[derive(Args, Debug)]
pub struct SftArgs {
    /// The run to start from: a pretrained GPT (its vocabulary grows by the chat tokens) or a chat run.
    #[arg(long, value_parser = path_arg, default_value = "runs/gpt")]
    pub base: PathBuf,
    /// Run folder.
    #[arg(long, value_parser = path_arg, default_value = "runs/sft")]
    pub out: PathBuf,
    #[command(flatten)]
    pub flags: StageFlags,
}

/// `gpt reward` and `gpt dpo`.
#[derive(Args, Debug)]
pub struct PreferenceArgs {
    /// The SFT run to start from.
    #[arg(long, value_parser = path_arg, default_value = "runs/sft")]
    pub base: PathBuf,
    /// Run folder.
    #[arg(long, value_parser = path_arg)]
    pub out: PathBuf,
    /// DPO's beta (default 0.1, or the recipe's).
    #[arg(long, value_parser = super::positive_f32)]
    pub beta: Option<f32>,
    #[command(flatten)]
    pub flags: StageFlags,
}

/// `gpt rlhf`.
#[derive(Args, Debug)]
pub struct RlhfArgs {
    /// The SFT run: the starting policy and the frozen reference.
    #[arg(long, value_parser = path_arg, default_value = "runs/sft")]
    pub policy: PathBuf,
    /// The reward model run.
    #[arg(long, value_parser = path_arg, default_value = "runs/reward")]
    pub reward: PathBuf,
    /// ppo (value head, GAE) or rloo (critic-free group baselines).
    #[arg(long, value_enum)]
    pub algorithm: Option<AlgorithmArg>,
    /// KL coefficient beta.
    #[arg(long, value_parser = super::non_negative_f32)]
    pub kl_coef: Option<f32>,
    /// Run folder.
    #[arg(long, value_parser = path_arg, default_value = "runs/rlhf")]
    pub out: PathBuf,
    #[command(flatten)]
    pub flags: StageFlags,
}

/// The RLHF estimator.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum AlgorithmArg {
    /// PPO with a value head and GAE.
    Ppo,
    /// RLOO, critic-free.
    Rloo,
}

/// `gpt judge`.
#[derive(Args, Debug)]
pub struct JudgeArgs {
    /// A pretrained or chat run.
    #[arg(long, value_parser = path_arg)]
    pub checkpoint: PathBuf,
    /// A chat run to measure the KL against (the SFT reference).
    #[arg(long, value_parser = path_arg)]
    pub reference: Option<PathBuf>,
    /// Held-out playground prompts.
    #[arg(long, default_value_t = 280)]
    pub prompts: usize,
    /// Sampled responses per prompt for the preference score.
    #[arg(long, default_value_t = 4)]
    pub samples: usize,
    /// Seed of the prompts' draw (the recipe's playground seed ^ 1 is what SFT holds out).
    #[arg(long, default_value_t = 6)]
    pub prompt_seed: u64,
    /// Sampling seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// `gpt score`.
#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// A reward model run.
    #[arg(long, value_parser = path_arg, default_value = "runs/reward")]
    pub reward: PathBuf,
    /// The user's prompt.
    #[arg(long)]
    pub prompt: String,
    /// A response to score (repeat the flag for several).
    #[arg(long = "response", required = true)]
    pub responses: Vec<String>,
}

/// Runs a stage into the run folder `out`. A stage that fails before its first checkpoint
/// leaves no folder behind when there was none: a refused command writes nothing.
fn in_run_dir<T>(out: &Path, stage: impl FnOnce(&RunDir) -> Result<T>) -> Result<T> {
    let existed = out.exists();
    let run = RunDir::create(out)?;
    let result = stage(&run);
    if result.is_err() && !existed && !run.checkpoint().exists() {
        let _ = std::fs::remove_dir_all(out);
    }
    result
}

pub fn sft(args: SftArgs, device: &genlab_tensor::Device) -> Result<()> {
    let recipe = args.flags.recipe("sft")?;
    let data = recipe.sft_data(args.flags.data.as_deref(), args.flags.val.as_deref())?;
    let (run, report) = in_run_dir(&args.out, |out| {
        finetune::sft(&args.base, &data, &recipe.sft, out, args.flags.resume, device)
            .with_context(|| format!("fine-tuning {}", args.base.display()))
    })?;
    eprintln!(
        "done: run folder {} (report.html, metrics.jsonl, checkpoint.bin)",
        run.dir.display()
    );
    args.flags.write_report(&report)
}

pub fn reward(args: PreferenceArgs, device: &genlab_tensor::Device) -> Result<()> {
    let recipe = args.flags.recipe("reward")?;
    let (train, val) =
        recipe.preference_data(args.flags.data.as_deref(), args.flags.val.as_deref())?;
    let (_, report) = in_run_dir(&args.out, |out| {
        let resume = args.flags.resume;
        finetune::reward(&args.base, &train, &val, &recipe.reward, out, resume, device)
            .with_context(|| format!("a reward model from {}", args.base.display()))
    })?;
    eprintln!("done: reward model in {}", args.out.display());
    args.flags.write_report(&report)
}

pub fn dpo(args: PreferenceArgs, device: &genlab_tensor::Device) -> Result<()> {
    let recipe = args.flags.recipe("dpo")?;
    let (train, val) =
        recipe.preference_data(args.flags.data.as_deref(), args.flags.val.as_deref())?;
    let settings = recipe.dpo_settings(args.beta);
    let (_, report) = in_run_dir(&args.out, |out| {
        let resume = args.flags.resume;
        finetune::dpo_stage(&args.base, &train, &val, &settings, &recipe.dpo, out, resume, device)
            .with_context(|| format!("DPO of {}", args.base.display()))
    })?;
    eprintln!("done: DPO policy in {}", args.out.display());
    args.flags.write_report(&report)
}

pub fn rlhf(args: RlhfArgs, device: &genlab_tensor::Device) -> Result<()> {
    if args.flags.data.is_some() || args.flags.val.is_some() {
        bail!(
            "rlhf samples its own responses to the playground's prompts: --data/--val do not apply"
        );
    }
    let mut recipe = args.flags.recipe("rl")?;
    if let Some(a) = args.algorithm {
        recipe.rl.algorithm = match a {
            AlgorithmArg::Ppo => Algorithm::Ppo,
            AlgorithmArg::Rloo => Algorithm::Rloo,
        };
    }
    if let Some(k) = args.kl_coef {
        recipe.rl.kl_coef = k;
    }
    recipe.rl.validate()?;
    let (_, report) = in_run_dir(&args.out, |out| {
        Ok(finetune::rlhf(&args.policy, &args.reward, &recipe.rl, out, args.flags.resume, device)?)
    })?;
    eprintln!("done: RLHF policy in {}", args.out.display());
    args.flags.write_report(&report)
}

pub fn judge(args: JudgeArgs, device: &genlab_tensor::Device) -> Result<()> {
    if args.prompts == 0 || args.samples == 0 {
        bail!("--prompts and --samples must be at least 1");
    }
    let run = finetune::load_base(&args.checkpoint, device)?;
    let reference = match &args.reference {
        Some(dir) => {
            let r = finetune::load_chat(dir, device)?;
            run.same_vocabulary(&r)?;
            Some(r)
        }
        None => None,
    };
    let prompts = instances(Split::Heldout, args.prompts, args.prompt_seed);
    let j = finetune::judge_policy(
        &run.speaker(),
        reference.as_ref().map(|r| &r.model),
        &prompts,
        args.samples,
        args.seed,
        device,
    )
    .with_context(|| format!("judging {}", args.checkpoint.display()))?;
    println!("{}", serde_json::to_string(&j)?);
    Ok(())
}

pub fn score(args: ScoreArgs, device: &genlab_tensor::Device) -> Result<()> {
    let run = finetune::load_reward_run(&args.reward, device)?;
    let scores = run.score(&args.prompt, &args.responses, device)?;
    let rows: Vec<_> = args
        .responses
        .iter()
        .zip(scores)
        .map(|(r, s)| serde_json::json!({ "response": r, "reward": s }))
        .collect();
    println!("{}", serde_json::to_string(&rows)?);
    Ok(())
}

/// Writes JSONL records to `path`, creating its folder.
pub fn write_jsonl<T: serde::Serialize>(path: &Path, records: &[T]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = String::new();
    for r in records {
        text.push_str(&serde_json::to_string(r)?);
        text.push('\n');
    }
    std::fs::write(path, text)?;
    Ok(())
}
