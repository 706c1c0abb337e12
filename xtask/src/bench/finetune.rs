//! `cargo xtask bench finetune`: the whole fine-tuning pipeline on this machine, each stage's
//! effect measured by `genlab gpt judge` on the instruction playground's 280 held-out prompts
//! (40 per task, never trained on):
//!
//! pretrain (configs/finetune-base.toml) -> SFT -> reward model -> RLHF (PPO, and RLOO)
//! -> and DPO from the same SFT run (configs/finetune.toml).
//!
//! Bars (issue 16): SFT held-out exact match >= 80%; reward model pairwise accuracy >= 90%
//! on held-out rankings; PPO, RLOO and DPO each raise the hidden-preference score of sampled
//! held-out responses by >= 20% relative over SFT, keep the summed KL to the SFT reference per
//! response under `KL_BOUND` nats, keep distinct-2 of the responses' content (the courtesy
//! sentence removed) at >= 0.8x SFT's and exact match within
//! 2 points of SFT's; the pipeline's wall time under 30 minutes. The rows' "peer" column
//! holds the baseline or threshold each figure is held against.
//! `--steps N` shortens every stage (a smoke run; the bars only mean something without it).

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use serde_json::{Value, json};

use super::common::{BenchCtx, Ratio, num};

/// The bound on the mean summed KL(policy || SFT) of a sampled response, in nats.
const KL_BOUND: f64 = 3.0;

fn genlab(ctx: &BenchCtx, args: &[String]) -> Result<Value> {
    // Built by the pipeline already.
    let mut all: Vec<&str> = vec!["run", "--release", "--quiet", "-p", "genlab-cli", "--"];
    all.extend(args.iter().map(String::as_str));
    if let Some(device) = &ctx.device {
        all.extend(["--device", device]);
    }
    ctx.cargo_json(&all, &[("GENLAB_NO_PROGRESS", "1")])
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn steps(ctx: &BenchCtx) -> Vec<String> {
    ctx.steps.map(|n| vec!["--steps".into(), n.to_string()]).unwrap_or_default()
}

pub fn run(ctx: &BenchCtx) -> Result<()> {
    let recipe = ctx.out_dir.join("finetune.toml");
    std::fs::create_dir_all(&ctx.out_dir)?;
    // The repository's recipe, its runs kept under target/bench/finetune.
    let text = std::fs::read_to_string(ctx.root.join("configs/finetune.toml"))?
        .replace("out = \"runs/finetune\"", "out = \"target/bench/finetune\"");
    std::fs::write(&recipe, text)?;
    let started = Instant::now();
    let dir = crate::train::finetune_pipeline(
        &ctx.root,
        &recipe,
        None,
        ctx.device.as_deref(),
        &steps(ctx),
    )?;
    let run = |name: &str| dir.join(name);
    let sft = s(&run("sft"));
    let mut raw = json!({});
    for (name, _) in crate::train::PIPELINE {
        raw[name] =
            serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json")))?)?;
    }
    let minutes = started.elapsed().as_secs_f64() / 60.0;

    let judge = |name: &str| -> Result<Value> {
        let mut args: Vec<String> = ["gpt", "judge", "--samples", "4"].map(String::from).to_vec();
        args.extend(["--checkpoint".into(), s(&run(name))]);
        if name != "base" && name != "sft" {
            args.extend(["--reference".into(), sft.clone()]);
        }
        genlab(ctx, &args)
    };
    for name in ["base", "sft", "ppo", "rloo", "dpo"] {
        raw[format!("judge_{name}")] = judge(name)?;
    }
    let j = |name: &str, key: &str| num(&raw[format!("judge_{name}")], &format!("/{key}"));

    let mut rows = vec![
        Ratio::new(
            "pretrained exact match (no bar)",
            j("base", "exact_match")?,
            None,
            "fraction",
            true,
            None,
        ),
        Ratio::new(
            "SFT exact match vs the 0.80 bar",
            j("sft", "exact_match")?,
            Some(0.8),
            "fraction",
            true,
            Some(1.0),
        ),
        Ratio::new(
            "reward model held-out accuracy vs 0.90",
            last_metric(&run("reward"), "accuracy")?,
            Some(0.9),
            "fraction",
            true,
            Some(1.0),
        ),
    ];
    let sft_score = j("sft", "true_score")?;
    let (sft_em, sft_d2) = (j("sft", "exact_match")?, j("sft", "distinct_2_content")?);
    for name in ["ppo", "rloo", "dpo"] {
        let label = name.to_uppercase();
        rows.push(Ratio::new(
            format!("{label} true score vs SFT"),
            j(name, "true_score")?,
            Some(sft_score),
            "score",
            true,
            Some(1.2),
        ));
        rows.push(Ratio::new(
            format!("{label} KL to SFT vs bound"),
            j(name, "kl_to_reference")?,
            Some(KL_BOUND),
            "nats",
            false,
            Some(1.0),
        ));
        rows.push(Ratio::new(
            format!("{label} distinct-2 of content vs SFT"),
            j(name, "distinct_2_content")?,
            Some(sft_d2),
            "fraction",
            true,
            Some(0.8),
        ));
        rows.push(Ratio::new(
            format!("{label} distinct-2 with courtesy (no bar)"),
            j(name, "distinct_2")?,
            Some(j("sft", "distinct_2")?),
            "fraction",
            true,
            None,
        ));
        rows.push(Ratio::new(
            format!("{label} exact match vs SFT - 0.02"),
            j(name, "exact_match")?,
            Some(sft_em - 0.02),
            "fraction",
            true,
            Some(1.0),
        ));
    }
    rows.push(Ratio::new(
        "pipeline wall time vs 30 min",
        minutes,
        Some(30.0),
        "minutes",
        false,
        Some(1.0),
    ));
    ctx.report("finetune", &rows, raw)
}

/// The last value of `key` in a run's metrics.jsonl.
fn last_metric(run: &Path, key: &str) -> Result<f64> {
    let text = std::fs::read_to_string(run.join("metrics.jsonl"))?;
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|v| v.get(key).and_then(Value::as_f64))
        .ok_or_else(|| anyhow::anyhow!("{} has no {key}", run.display()))
}
