//! `cargo xtask bench gan [--peers]`: the GAN bars of the GAN issue that exist so far.
//!
//! On `../shared/data/mnist` (8,000 training digits), the same number of epochs for each
//! (default 5): genlab's DCGAN and MLP GAN, and with `--peers` the same DCGAN in PyTorch
//! (`benches/peers/dcgan.py`). Each writes 1,000 samples as IDX, and `genlab eval fid` scores
//! every set against the 1,000 test digits in the project's classifier's feature space.
//! Bars: genlab DCGAN FID at most 1.1x the peer's, clearly below the MLP GAN; epoch time at
//! least 1.0x the peer's. `gan-text` is the text-to-image bar (see [`text`]).

use anyhow::Result;
use serde_json::json;

use super::common::{BenchCtx, Ratio, num};

const EPOCHS: &str = "5";
/// Epochs of the text-to-image model (its conditional samples need more than 5 to be read as
/// the asked-for digit 90% of the time).
const TEXT_EPOCHS: &str = "10";

fn genlab(ctx: &BenchCtx, args: &[&str]) -> Result<serde_json::Value> {
    let device = ctx.device.clone().unwrap_or_else(|| "cpu".into());
    let mut all = vec!["run", "--release", "--quiet", "-p", "genlab-cli", "--"];
    all.extend_from_slice(args);
    // Two threads, so the rows that say "genlab 2t" are true on any machine.
    ctx.cargo_json(
        &all,
        &[("GENLAB_DEVICE", &device), ("GENLAB_NO_PROGRESS", "1"), ("RAYON_NUM_THREADS", "2")],
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn epoch_seconds(v: &serde_json::Value) -> Result<f64> {
    let secs: Vec<f64> = v["epoch_seconds"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    anyhow::ensure!(!secs.is_empty(), "no epoch_seconds in {v}");
    Ok(median(secs))
}

/// DCGAN and MLP GAN quality and speed, and conditional accuracy.
pub fn run(ctx: &BenchCtx) -> Result<()> {
    let mnist = ctx.data("mnist")?;
    let mnist_s = mnist.to_string_lossy().into_owned();
    let data = format!("mnist:{mnist_s}");
    let out = ctx.out_dir.join("gan");
    std::fs::create_dir_all(&out)?;
    let path = |name: &str| out.join(name).to_string_lossy().into_owned();
    let classifier = path("mnist-classifier");
    let mut raw = json!({ "classifier": train_classifier(ctx, &data, &classifier)? });
    let fid = |fake: &str| -> Result<serde_json::Value> {
        genlab(ctx, &["eval", "fid", "--real", &data, "--fake", fake, "--classifier", &classifier])
    };
    let mut scores = json!({});
    for model in ["dcgan", "gan"] {
        let run = path(&format!("{model}-run"));
        let idx = path(&format!("{model}.idx"));
        raw[format!("train_{model}")] = genlab(
            ctx,
            &["gan", "train", "--model", model, "--data", &data, "--epochs", EPOCHS, "--out", &run],
        )?;
        let grid = path(&format!("{model}-samples.png"));
        genlab_sample(ctx, &run, &idx, &grid, &[])?;
        scores[model] = fid(&idx)?;
    }
    let mut rows = vec![Ratio {
        what: "FID: MLP GAN vs DCGAN (genlab), DCGAN lower".into(),
        genlab: num(&scores, "/dcgan/fid")?,
        peer: Some(num(&scores, "/gan/fid")?),
        unit: "FID".into(),
        higher_is_better: false,
        bar: None,
    }];
    let g_secs = epoch_seconds(&raw["train_dcgan"])?;
    if ctx.peers {
        // genlab trains on both cores (rayon's default): the bar is that against PyTorch's
        // faster setting; each thread count is shown beside it.
        let mut peer_best = f64::INFINITY;
        for threads in ["1", "2"] {
            let idx = path(&format!("torch-dcgan-{threads}t.idx"));
            let mut env = vec![("OMP_NUM_THREADS", threads), ("MKL_NUM_THREADS", threads)];
            if threads != "1" {
                env.push(("OMP_WAIT_POLICY", "PASSIVE"));
            }
            let p = ctx.python_json(
                "dcgan.py",
                &[
                    "--mnist-dir",
                    &mnist_s,
                    "--epochs",
                    EPOCHS,
                    "--threads",
                    threads,
                    "--out-idx",
                    &idx,
                ],
                &env,
            )?;
            let p_secs = num(&p, "/median_epoch_seconds")?;
            peer_best = peer_best.min(p_secs);
            rows.push(Ratio {
                what: format!("DCGAN epoch time, genlab 2t vs torch {threads}t"),
                genlab: g_secs,
                peer: Some(p_secs),
                unit: "s".into(),
                higher_is_better: false,
                bar: None,
            });
            if threads == "1" {
                scores["torch_dcgan"] = fid(&idx)?;
                rows.insert(
                    0,
                    Ratio {
                        what: "FID: DCGAN genlab vs PyTorch (bar <= 1.1x)".into(),
                        genlab: num(&scores, "/dcgan/fid")?,
                        peer: Some(num(&scores, "/torch_dcgan/fid")?),
                        unit: "FID".into(),
                        higher_is_better: false,
                        bar: Some(1.0 / 1.1),
                    },
                );
            }
            raw[format!("torch_{threads}t")] = p;
        }
        rows.push(Ratio {
            what: "DCGAN epoch time, best vs best (genlab 2t)".into(),
            genlab: g_secs,
            peer: Some(peer_best),
            unit: "s".into(),
            higher_is_better: false,
            bar: Some(1.0),
        });
    } else {
        rows.push(Ratio {
            what: "DCGAN epoch time".into(),
            genlab: g_secs,
            peer: None,
            unit: "s".into(),
            higher_is_better: false,
            bar: None,
        });
    }
    raw["fid"] = scores;
    ctx.report("gan", &rows, raw)
}

/// `cargo xtask bench gan-text`: text-to-image. A class-conditional DCGAN with a prompt
/// encoder, 10 epochs; 100 samples of each digit asked for by class, then by each of the 30
/// held-out paraphrases, classified by the project's classifier. Bar: 90% as prompted.
pub fn text(ctx: &BenchCtx) -> Result<()> {
    let mnist = ctx.data("mnist")?;
    let data = format!("mnist:{}", mnist.to_string_lossy());
    let out = ctx.out_dir.join("gan-text");
    std::fs::create_dir_all(&out)?;
    let path = |name: &str| out.join(name).to_string_lossy().into_owned();
    let classifier = path("mnist-classifier");
    let mut raw = json!({ "classifier": train_classifier(ctx, &data, &classifier)? });
    let mut rows = Vec::new();
    // Text-to-image: a class-conditional DCGAN with a prompt encoder. 100 samples of each
    // digit asked for by class, then by each held-out paraphrase, classified.
    let run = path("text2img-run");
    raw["train_text2img"] = genlab(
        ctx,
        &[
            "gan",
            "train",
            "--model",
            "text2img",
            "--data",
            &data,
            "--epochs",
            TEXT_EPOCHS,
            "--out",
            &run,
        ],
    )?;
    let mut by_class = Vec::new();
    for k in 0..10 {
        let (share, _) = classify_samples(
            ctx,
            &run,
            &classifier,
            &path(&format!("class-{k}")),
            &["--class", &k.to_string()],
            k,
        )?;
        by_class.push(share);
    }
    let mut by_prompt = Vec::new();
    for (i, (prompt, k)) in HELD_OUT
        .iter()
        .flat_map(|t| (0..10).map(move |k| (t.replace("{}", WORDS[k]), k)))
        .enumerate()
    {
        let (share, c) = classify_samples(
            ctx,
            &run,
            &classifier,
            &path(&format!("prompt-{i}")),
            &["--prompt", &prompt],
            k,
        )?;
        by_prompt.push(share);
        raw[format!("prompt_{i}")] = json!({ "prompt": prompt, "digit": k, "classified": c });
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    raw["class_accuracy"] = json!(by_class);
    rows.push(Ratio {
        what: "cGAN: samples classified as the class asked".into(),
        genlab: mean(&by_class),
        peer: None,
        unit: "share".into(),
        higher_is_better: true,
        bar: None,
    });
    rows.push(Ratio {
        what: "text2img: 30 unseen prompts, classified right (bar 0.9)".into(),
        genlab: mean(&by_prompt),
        peer: Some(0.9),
        unit: "share".into(),
        higher_is_better: true,
        bar: Some(1.0),
    });
    ctx.report("gan-text", &rows, raw)
}

/// 100 samples (`extra` picks the class or prompt) written to `stem.idx`/`stem.png`, then
/// classified: the share read as digit `k`, and the classifier's report.
fn classify_samples(
    ctx: &BenchCtx,
    run: &str,
    classifier: &str,
    stem: &str,
    extra: &[&str],
    k: usize,
) -> Result<(f64, serde_json::Value)> {
    let idx = format!("{stem}.idx");
    genlab_sample(ctx, run, &idx, &format!("{stem}.png"), extra)?;
    let expect = k.to_string();
    let c = genlab(
        ctx,
        &["eval", "classify", "--images", &idx, "--expect", &expect, "--classifier", classifier],
    )?;
    Ok((num(&c, "/accuracy")?, c))
}

/// The project's digit classifier, 5 epochs on `data`, into `out`.
fn train_classifier(ctx: &BenchCtx, data: &str, out: &str) -> Result<serde_json::Value> {
    genlab(ctx, &["eval", "train-classifier", "--data", data, "--epochs", "5", "--out", out])
}

fn genlab_sample(ctx: &BenchCtx, run: &str, idx: &str, grid: &str, extra: &[&str]) -> Result<()> {
    let n = if extra.is_empty() { "1000" } else { "100" };
    let mut args = vec![
        "gan",
        "sample",
        "--checkpoint",
        run,
        "--n",
        n,
        "--seed",
        "7",
        "--out",
        grid,
        "--idx",
        idx,
    ];
    args.extend_from_slice(extra);
    genlab(ctx, &args).map(|_| ())
}

/// The held-out paraphrases of `genlab_gan::captions` (kept in step by hand: xtask does not
/// depend on the model crates).
const HELD_OUT: [&str; 3] =
    ["could you sketch a {} for me", "i would like to see the digit {}", "a neat {} in pen"];
const WORDS: [&str; 10] =
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
