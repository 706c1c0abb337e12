//! `cargo xtask bench gpt`: the GPT against a PyTorch GPT of the same shape
//! (`benches/peers/gpt.py`), side by side on this machine.
//!
//! - training speed: baby preset, batch 12, context 64 (tokens/s of a full step); genlab with
//!   1 and 2 rayon threads, PyTorch with 1 thread and with 2 (`OMP_WAIT_POLICY=PASSIVE`).
//!   Bar: genlab at least 0.75x PyTorch at the same thread count, and best against best; the
//!   cross-thread rows are shown without a bar.
//! - generation: 500 greedy tokens from the small preset shape, with and without KV cache.
//!   Bars: cache at least 3x no-cache; cache at least PyTorch-with-cache.
//!
//! `cargo xtask bench gpt-quality --peers` trains both on the full Shakespeare corpus with
//! nanoGPT's CPU recipe (2,000 steps, char level, 90/10 split) and compares validation loss.

use anyhow::Result;
use serde_json::json;

use super::common::{BenchCtx, Ratio, num};

fn genlab(ctx: &BenchCtx, mode: &str, n: &str, threads: &str) -> Result<serde_json::Value> {
    let device = ctx.device.clone().unwrap_or_else(|| "cpu".into());
    ctx.cargo_json(
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "genlab-transformer",
            "--example",
            "bench_gpt",
            "--",
            mode,
            n,
        ],
        &[("RAYON_NUM_THREADS", threads), ("GENLAB_DEVICE", &device)],
    )
}

fn peer(ctx: &BenchCtx, args: &[&str], threads: &str) -> Result<serde_json::Value> {
    let mut all = args.to_vec();
    all.extend(["--threads", threads]);
    let mut env = vec![("OMP_NUM_THREADS", threads), ("MKL_NUM_THREADS", threads)];
    if threads != "1" {
        // Without it PyTorch's OpenMP threads spin-wait and fight over a shared machine.
        env.push(("OMP_WAIT_POLICY", "PASSIVE"));
    }
    ctx.python_json("gpt.py", &all, &env)
}

/// Training and generation speed.
pub fn run(ctx: &BenchCtx) -> Result<()> {
    let mut rows = Vec::new();
    let mut raw = json!({});
    let peers: Vec<(String, serde_json::Value)> = if ctx.peers {
        ["1", "2"]
            .iter()
            .map(|t| Ok((t.to_string(), peer(ctx, &["--mode", "speed", "--steps", "30"], t)?)))
            .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    let mut best = (0.0f64, String::new());
    for threads in ["1", "2"] {
        let g = genlab(ctx, "speed", "30", threads)?;
        let tps = num(&g, "/tokens_per_sec")?;
        raw[format!("genlab_speed_{threads}t")] = g;
        if tps > best.0 {
            best = (tps, threads.to_string());
        }
        if peers.is_empty() {
            rows.push(Ratio {
                what: format!("train tokens/s, genlab {threads}t"),
                genlab: tps,
                peer: None,
                unit: "tok/s".into(),
                higher_is_better: true,
                bar: None,
            });
        }
        for (pt, p) in &peers {
            rows.push(Ratio {
                what: format!("train tokens/s, genlab {threads}t vs torch {pt}t"),
                genlab: tps,
                peer: Some(num(p, "/tokens_per_sec")?),
                unit: "tok/s".into(),
                higher_is_better: true,
                bar: (*pt == threads).then_some(0.75),
            });
        }
    }
    if !peers.is_empty() {
        let mut peer_best = (0.0f64, String::new());
        for (pt, p) in &peers {
            let tps = num(p, "/tokens_per_sec")?;
            if tps > peer_best.0 {
                peer_best = (tps, pt.clone());
            }
        }
        rows.push(Ratio {
            what: format!("train tokens/s, best vs best: {}t vs {}t", best.1, peer_best.1),
            genlab: best.0,
            peer: Some(peer_best.0),
            unit: "tok/s".into(),
            higher_is_better: true,
            bar: Some(0.75),
        });
    }
    for (pt, p) in peers {
        raw[format!("torch_speed_{pt}t")] = p;
    }

    let g = genlab(ctx, "generate", "500", "1")?;
    let (cache, no_cache) =
        (num(&g, "/cache_tokens_per_sec")?, num(&g, "/no_cache_tokens_per_sec")?);
    rows.push(Ratio {
        what: "generate 500 tokens: KV cache vs none (genlab)".into(),
        genlab: cache,
        peer: Some(no_cache),
        unit: "tok/s".into(),
        higher_is_better: true,
        bar: Some(3.0),
    });
    if ctx.peers {
        let p = peer(ctx, &["--mode", "generate", "--tokens", "500"], "1")?;
        rows.push(Ratio {
            what: "generate 500 tokens with KV cache vs torch 1t".into(),
            genlab: cache,
            peer: Some(num(&p, "/cache_tokens_per_sec")?),
            unit: "tok/s".into(),
            higher_is_better: true,
            bar: Some(1.0),
        });
        raw["torch_generate"] = p;
    }
    raw["genlab_generate"] = g;
    ctx.report("gpt", &rows, raw)
}

/// Validation loss after nanoGPT's CPU recipe on the full corpus (several minutes per side).
pub fn quality(ctx: &BenchCtx) -> Result<()> {
    let data = ctx.data("text/shakespeare.txt")?;
    let data = data.to_string_lossy().into_owned();
    let out = ctx.out_dir.join("gpt-quality-run");
    let report = ctx.out_dir.join("gpt-quality-genlab.json");
    std::fs::create_dir_all(&ctx.out_dir)?;
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "genlab-cli",
                "--",
                "gpt",
                "train",
                "--config",
                "configs/shakespeare-char.toml",
                "--data",
                &data,
                "--max-tokens",
                "200",
            ])
            .arg("--out")
            .arg(&out)
            .arg("--report")
            .arg(&report)
            .env("GENLAB_NO_PROGRESS", "1")
            .current_dir(&ctx.root)
            .status()?;
    anyhow::ensure!(status.success(), "genlab gpt train failed ({status})");
    let g: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report)?)?;
    let val = num(&g, "/val_loss")?;
    let mut rows = vec![Ratio {
        what: "val loss, absolute (bar < 2.00)".into(),
        genlab: val,
        peer: None,
        unit: "nats".into(),
        higher_is_better: false,
        bar: None,
    }];
    let mut raw = json!({ "genlab": g });
    if ctx.peers {
        let p =
            peer(ctx, &["--mode", "train", "--data", &data, "--steps", "2000", "--verbose"], "1")?;
        let peer_val = num(&p, "/val_loss")?;
        rows.push(Ratio {
            what: "val loss (bar: genlab <= torch + 0.03)".into(),
            genlab: val,
            peer: Some(peer_val),
            unit: "nats".into(),
            higher_is_better: false,
            bar: Some(peer_val / (peer_val + 0.03)),
        });
        raw["torch"] = p;
    }
    ctx.report("gpt-quality", &rows, raw)
}
