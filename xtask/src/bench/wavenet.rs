//! `cargo xtask bench wavenet [--peers]`: the WaveNet issue's bars.
//!
//! - Quality: the default preset trained on `speech-00..05.wav` (default recipe) and scored on
//!   `speech-06..07.wav`, against the unigram class entropy and the best AR(p) of the training
//!   audio (both by genlab's `bench_wavenet`), and against a PyTorch WaveNet of the same shape
//!   and recipe on the same windows (`benches/peers/wavenet.py`; bar: within 0.05 bits).
//! - Training speed: samples per second of the same two runs, 2 threads each (bar 0.75x).
//! - Generation: the queue generator of the default preset against real time (16,000
//!   samples/s), the naive path (bar 20x) and PyTorch's queue generator (bar 2x, each side's
//!   best thread count, labelled); the `classic` preset's rate for reference.
//!
//! The PyTorch peer always runs on the CPU; with `--device`, genlab's side runs there and the
//! rows say so.

use anyhow::Result;
use serde_json::json;

use super::common::{BenchCtx, Ratio, num};

const TRAIN: [&str; 6] = ["00", "01", "02", "03", "04", "05"];
const HELD_OUT: [&str; 2] = ["06", "07"];

fn example(ctx: &BenchCtx, args: &[&str]) -> Result<serde_json::Value> {
    let device = ctx.device.clone().unwrap_or_else(|| "cpu".into());
    let mut all = vec![
        "run",
        "--release",
        "--quiet",
        "-p",
        "genlab-wavenet",
        "--example",
        "bench_wavenet",
        "--",
    ];
    all.extend_from_slice(args);
    // Two threads, so the rows that say "genlab 2t" are true on any machine.
    ctx.cargo_json(
        &all,
        &[("GENLAB_DEVICE", &device), ("GENLAB_NO_PROGRESS", "1"), ("RAYON_NUM_THREADS", "2")],
    )
}

fn torch(ctx: &BenchCtx, args: &[&str], threads: &str) -> Result<serde_json::Value> {
    let mut all = args.to_vec();
    all.extend(["--threads", threads]);
    let env = [("OMP_NUM_THREADS", threads), ("MKL_NUM_THREADS", threads)];
    ctx.python_json("wavenet.py", &all, &env)
}

/// All of the WaveNet bars.
pub fn run(ctx: &BenchCtx) -> Result<()> {
    let audio = ctx.data("audio")?;
    let file = |n: &str| audio.join(format!("speech-{n}.wav")).to_string_lossy().into_owned();
    let classes = ctx.out_dir.join("wavenet-classes");
    let classes = classes.to_string_lossy().into_owned();
    let on = ctx.device.as_deref().map_or(String::new(), |d| format!(" (genlab on {d})"));

    let mut args = vec!["train".to_string()];
    args.extend(TRAIN.map(file));
    args.push("--val".into());
    args.extend(HELD_OUT.map(file));
    args.extend(["--dump".into(), classes.clone()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let g = example(ctx, &args)?;
    let bits = num(&g, "/val_bits_per_sample")?;
    let mut rows = vec![
        Ratio::new(
            "held-out bits/sample vs unigram entropy",
            bits,
            Some(num(&g, "/unigram_train_entropy_bits")?),
            "bits",
            false,
            Some(1.0),
        ),
        Ratio::new(
            "held-out bits/sample vs unigram (held-out)",
            bits,
            Some(num(&g, "/unigram_heldout_bits")?),
            "bits",
            false,
            Some(1.0),
        ),
        Ratio::new(
            "held-out bits/sample vs best AR(p)",
            bits,
            Some(num(&g, "/best_ar/heldout_bits")?),
            "bits",
            false,
            Some(1.0),
        ),
    ];
    let mut raw = json!({ "genlab_train": g.clone() });

    let small = example(
        ctx,
        &["generate", "--preset", "small", "--seconds", "10", "--naive-samples", "300"],
    )?;
    let classic = example(
        ctx,
        &["generate", "--preset", "classic", "--seconds", "5", "--naive-samples", "100"],
    )?;
    let fast = num(&small, "/fast_samples_per_second")?;
    rows.push(Ratio::new(
        format!("generation, small, vs real time{on}"),
        fast,
        Some(16_000.0),
        "samples/s",
        true,
        Some(1.0),
    ));
    rows.push(Ratio::new(
        format!("generation, small, queue vs naive{on}"),
        fast,
        Some(num(&small, "/naive_samples_per_second")?),
        "samples/s",
        true,
        Some(20.0),
    ));
    rows.push(Ratio::new(
        format!("generation, classic, vs real time{on}"),
        num(&classic, "/fast_samples_per_second")?,
        Some(16_000.0),
        "samples/s",
        true,
        None,
    ));
    raw["genlab_generate_small"] = small;
    raw["genlab_generate_classic"] = classic;

    if ctx.peers {
        let p = torch(ctx, &["train", "--classes", &classes], "2")?;
        let peer_bits = num(&p, "/val_bits_per_sample")?;
        rows.push(Ratio::new(
            "held-out bits/sample vs torch + 0.05 (CPU)",
            bits,
            Some(peer_bits + 0.05),
            "bits",
            false,
            Some(1.0),
        ));
        rows.push(Ratio::new(
            format!("training samples/s, 2 threads vs torch CPU 2{on}"),
            num(&g, "/samples_per_second")?,
            Some(num(&p, "/samples_per_second")?),
            "samples/s",
            true,
            Some(0.75),
        ));
        raw["torch_train_2t"] = p;
        // Generation is one stream: PyTorch's best is 1 thread (2 only adds sync), genlab's
        // generator is single-threaded.
        let mut best: f64 = 0.0;
        for threads in ["1", "2"] {
            let t = torch(ctx, &["generate", "--preset", "small", "--seconds", "2"], threads)?;
            best = best.max(num(&t, "/samples_per_second")?);
            raw[format!("torch_generate_{threads}t")] = t;
        }
        rows.push(Ratio::new(
            format!("generation, small, vs torch queue (best of 1/2 threads, CPU){on}"),
            fast,
            Some(best),
            "samples/s",
            true,
            Some(2.0),
        ));
    }
    ctx.report("wavenet", &rows, raw)
}
