//! `cargo xtask bench serve`: a bounded load test of `genlab serve` on loopback
//! (`crates/genlab-serve/examples/load.rs`: the server in-process, streaming clients over
//! HTTP). The model is the `small` GPT preset (6 layers, 384 wide, 256 context) after one
//! training step: speed does not depend on the weights. Phases: 1 stream (4 requests of 128
//! tokens), 8 concurrent streams (4 requests each), and 32 clients x 20 requests of 32
//! tokens. Bars (issue 19): 8 streams give at least 3x one stream's tokens/s, their p99 time
//! to first token is under 250 ms, and no request fails.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::common::{BenchCtx, Ratio, num};

/// 8 streams' total tokens/s over one stream's.
const BATCH_BAR: f64 = 3.0;
/// p99 time to first token with 8 streams, in ms.
const TTFT_BUDGET_MS: f64 = 250.0;

pub fn run(ctx: &BenchCtx) -> Result<()> {
    if let Some(device) = &ctx.device {
        eprintln!("bench serve runs on the default device; ignoring --device {device}");
    }
    let run = ctx.out_dir.join("serve/gpt-small");
    let run_s = run.to_str().context("a UTF-8 path")?;
    if !run.join("model.safetensors").is_file() {
        ctx.cargo_json(
            &[
                "run",
                "--release",
                "--quiet",
                "--",
                "gpt",
                "train",
                "--preset",
                "small",
                "--steps",
                "1",
                "--out",
                run_s,
            ],
            &[("GENLAB_NO_PROGRESS", "1")],
        )?;
    }
    let load = ctx.cargo_json(
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "genlab-serve",
            "--example",
            "load",
            "--",
            run_s,
            "1x4x128",
            "8x4x128",
            "32x20x32",
        ],
        &[],
    )?;
    let phase = |i: usize| -> &Value { &load["phases"][i] };
    let (one, eight, many) = (phase(0), phase(1), phase(2));
    let rows = vec![
        Ratio::new(
            "tokens/s, 8 streams (peer column: 1 stream)",
            num(eight, "/tokens_per_s")?,
            Some(num(one, "/tokens_per_s")?),
            "tok/s",
            true,
            Some(BATCH_BAR),
        ),
        Ratio::new(
            "p99 first token, 8 streams (peer: the budget)",
            num(eight, "/ttft_p99_ms")?,
            Some(TTFT_BUDGET_MS),
            "ms",
            false,
            Some(1.0),
        ),
        Ratio::new(
            "p50 first token, 8 streams",
            num(eight, "/ttft_p50_ms")?,
            None,
            "ms",
            false,
            None,
        ),
        Ratio::new("p50 first token, 1 stream", num(one, "/ttft_p50_ms")?, None, "ms", false, None),
        Ratio::new(
            "tokens/s, 32 clients x 20 requests",
            num(many, "/tokens_per_s")?,
            None,
            "tok/s",
            true,
            None,
        ),
        Ratio::new(
            "p50 first token, 32 clients",
            num(many, "/ttft_p50_ms")?,
            None,
            "ms",
            false,
            None,
        ),
        Ratio::new(
            "p99 first token, 32 clients",
            num(many, "/ttft_p99_ms")?,
            None,
            "ms",
            false,
            None,
        ),
    ];
    let errors: f64 = (0..3).map(|i| num(phase(i), "/errors")).sum::<Result<f64>>()?;
    ctx.report("serve", &rows, json!({ "load": load }))?;
    println!("errors over all phases: {errors} (bar: 0)");
    if errors > 0.0 {
        bail!("{errors} requests failed under load");
    }
    Ok(())
}
