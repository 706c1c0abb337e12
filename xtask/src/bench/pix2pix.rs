//! `cargo xtask bench pix2pix`: the pix2pix bar of the GAN issue. For each built-in task
//! (bw2color, edges2photo and day2night on crops of `../shared/data/images`, labels2facade on
//! drawn facades, and edges2photo once more on synthetic faces, where four photos are too few)
//! genlab trains pix2pix (GAN + 100 L1) and, as the baseline, the same U-Net on L1 alone, with
//! the same data, seed and epochs. Bar: pix2pix's held-out L1 at most 1.1x the L1-only
//! network's. The held-out grids (input | output | target) are copied to
//! `target/bench/pix2pix/<run>-{pix2pix,l1}.png` for the docs.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use super::common::{BenchCtx, Ratio, num};

/// (name of the run, task, whether it cuts crops of the shared photos).
const RUNS: [(&str, &str, bool); 5] = [
    ("bw2color", "bw2color", true),
    ("edges2photo", "edges2photo", true),
    ("day2night", "day2night", true),
    ("labels2facade", "labels2facade", false),
    ("edges2photo-faces", "edges2photo", false),
];
const EPOCHS: &str = "8";
/// U-Net and PatchGAN width (pix2pix's 64 is four times the compute; see docs/gans.md).
const FEATURES: &str = "16";

fn genlab(ctx: &BenchCtx, args: &[&str]) -> Result<serde_json::Value> {
    let device = ctx.device.clone().unwrap_or_else(|| "cpu".into());
    let mut all = vec!["run", "--release", "--quiet", "-p", "genlab-cli", "--"];
    all.extend_from_slice(args);
    ctx.cargo_json(&all, &[("GENLAB_DEVICE", &device), ("GENLAB_NO_PROGRESS", "1")])
}

/// Both objectives on every task.
pub fn run(ctx: &BenchCtx) -> Result<()> {
    let photos = ctx.data("images")?.to_string_lossy().into_owned();
    let out = ctx.out_dir.join("pix2pix");
    std::fs::create_dir_all(&out)?;
    let mut raw = json!({ "epochs": EPOCHS, "features": FEATURES });
    let mut rows = Vec::new();
    for (name, task, uses_photos) in RUNS {
        let mut l1 = [0.0; 2];
        for (i, objective) in ["pix2pix", "l1"].into_iter().enumerate() {
            let run = out.join(format!("{name}-{objective}-run"));
            let run_s = run.to_string_lossy().into_owned();
            let mut args = vec![
                "gan",
                "train",
                "--model",
                "pix2pix",
                "--task",
                task,
                "--epochs",
                EPOCHS,
                "--features",
                FEATURES,
                "--out",
                &run_s,
            ];
            if uses_photos {
                args.extend(["--photos", photos.as_str()]);
            }
            if objective == "l1" {
                args.push("--l1-only");
            }
            let v = genlab(ctx, &args)?;
            l1[i] = num(&v, "/held_out_l1")?;
            let grid = run.join(format!("held-out-epoch-{EPOCHS}.png"));
            std::fs::copy(&grid, out.join(format!("{name}-{objective}.png")))
                .with_context(|| format!("copying {}", grid.display()))?;
            raw[format!("{name}_{objective}")] = v;
        }
        rows.push(Ratio {
            what: format!("{name}: held-out L1, pix2pix vs L1-only (bar 1.1x)"),
            genlab: l1[0],
            peer: Some(l1[1]),
            unit: "L1".into(),
            higher_is_better: false,
            bar: Some(1.0 / 1.1),
        });
    }
    ctx.report("pix2pix", &rows, raw)
}

/// One scene task's training recipe, the same for pix2pix and the L1-only U-Net.
struct SceneRecipe {
    task: &'static str,
    epochs: &'static str,
    train_pairs: &'static str,
    lr: &'static str,
    decay_epochs: &'static str,
    /// `--input-skip`: the U-Net's full-size skip.
    input_skip: bool,
}

/// labels2street takes 16 epochs of 1,024 pairs at pix2pix's rate. The aerial tasks get four
/// times the pairs (drawn scenes cost nothing), a higher rate and pix2pix's linear decay to 0
/// over the second half: at pix2pix's rate for 16 epochs, map2aerial's GAN still paints
/// speckle on flat roofs and parks. aerial2map must draw its map to the pixel and also takes
/// the U-Net's full-size skip. Every pix2pix run takes under 15 minutes here.
const SCENE_RECIPES: [SceneRecipe; 3] = [
    SceneRecipe {
        task: "labels2street",
        epochs: "16",
        train_pairs: "1024",
        lr: "0.0002",
        decay_epochs: "0",
        input_skip: false,
    },
    SceneRecipe {
        task: "aerial2map",
        epochs: "12",
        train_pairs: "4096",
        lr: "0.001",
        decay_epochs: "6",
        input_skip: true,
    },
    SceneRecipe {
        task: "map2aerial",
        epochs: "12",
        train_pairs: "4096",
        lr: "0.001",
        decay_epochs: "6",
        input_skip: false,
    },
];

/// `cargo xtask bench pix2pix-scenes`: the drawn street and aerial tasks, scored as the
/// pix2pix paper scores them (`genlab eval scenes`). Per task, pix2pix and the L1-only U-Net
/// train with the same data, seed and recipe ([`SCENE_RECIPES`]); a segmenter of street
/// photos and one of aerial photos are trained first (`genlab eval train-segmenter`). Bars: labels2street's FCN
/// per-pixel accuracy at least 0.05 above L1-only's and at least 0.8x the real photos';
/// aerial2map's palette accuracy at least 0.85; map2aerial's segmenter FID at most 0.8x
/// L1-only's. The held-out grids go to `target/bench/pix2pix-scenes/<task>-<objective>.png`.
pub fn scenes(ctx: &BenchCtx) -> Result<()> {
    let out = ctx.out_dir.join("pix2pix-scenes");
    std::fs::create_dir_all(&out)?;
    let mut raw = json!({ "features": FEATURES });
    let mut segmenters = std::collections::HashMap::new();
    for task in ["labels2street", "map2aerial"] {
        let dir = out.join(format!("segmenter-{task}")).to_string_lossy().into_owned();
        raw[format!("segmenter_{task}")] =
            genlab(ctx, &["eval", "train-segmenter", "--task", task, "--out", &dir])?;
        segmenters.insert(task, dir);
    }
    let mut scores = std::collections::HashMap::new();
    for r in SCENE_RECIPES {
        let task = r.task;
        let recipe = [
            "--epochs",
            r.epochs,
            "--train-pairs",
            r.train_pairs,
            "--lr",
            r.lr,
            "--decay-epochs",
            r.decay_epochs,
        ];
        let skip = if r.input_skip { " --input-skip" } else { "" };
        raw[format!("{task}_recipe")] = json!(format!("{}{skip}", recipe.join(" ")));
        for objective in ["pix2pix", "l1"] {
            let run = out.join(format!("{task}-{objective}-run")).to_string_lossy().into_owned();
            let mut args = vec!["gan", "train", "--model", "pix2pix", "--task", task];
            args.extend(recipe);
            args.extend(["--features", FEATURES, "--out", &run]);
            if r.input_skip {
                args.push("--input-skip");
            }
            if objective == "l1" {
                args.push("--l1-only");
            }
            raw[format!("{task}_{objective}_train")] = genlab(ctx, &args)?;
            let grid = Path::new(&run).join(format!("held-out-epoch-{}.png", r.epochs));
            std::fs::copy(&grid, out.join(format!("{task}-{objective}.png")))
                .with_context(|| format!("copying {}", grid.display()))?;
            let mut eval = vec!["eval", "scenes", "--checkpoint", &run];
            if let Some(seg) = segmenters.get(task) {
                eval.extend(["--segmenter", seg.as_str()]);
            }
            let v = genlab(ctx, &eval)?;
            scores.insert((task, objective), v.clone());
            raw[format!("{task}_{objective}")] = v;
        }
    }
    let s = |task, objective, pointer| num(&scores[&(task, objective)], pointer);
    let street = |o| s("labels2street", o, "/generated/pixel_accuracy");
    let rows = vec![
        Ratio {
            what: "labels2street: FCN pixel acc, pix2pix vs L1-only + 0.05".into(),
            genlab: street("pix2pix")?,
            peer: Some(street("l1")? + 0.05),
            unit: "accuracy".into(),
            higher_is_better: true,
            bar: Some(1.0),
        },
        Ratio {
            what: "labels2street: FCN pixel acc, pix2pix vs real photos (bar 0.8x)".into(),
            genlab: street("pix2pix")?,
            peer: Some(s("labels2street", "pix2pix", "/real/pixel_accuracy")?),
            unit: "accuracy".into(),
            higher_is_better: true,
            bar: Some(0.8),
        },
        Ratio {
            what: "aerial2map: palette accuracy (bar 0.85)".into(),
            genlab: s("aerial2map", "pix2pix", "/palette_accuracy")?,
            peer: Some(0.85),
            unit: "accuracy".into(),
            higher_is_better: true,
            bar: Some(1.0),
        },
        Ratio {
            what: "aerial2map: palette accuracy, pix2pix vs L1-only".into(),
            genlab: s("aerial2map", "pix2pix", "/palette_accuracy")?,
            peer: Some(s("aerial2map", "l1", "/palette_accuracy")?),
            unit: "accuracy".into(),
            higher_is_better: true,
            bar: None,
        },
        Ratio {
            what: "map2aerial: segmenter FID, pix2pix vs L1-only (bar 0.8x)".into(),
            genlab: s("map2aerial", "pix2pix", "/segmenter_fid")?,
            peer: Some(s("map2aerial", "l1", "/segmenter_fid")?),
            unit: "FID".into(),
            higher_is_better: false,
            bar: Some(1.0 / 0.8),
        },
    ];
    ctx.report("pix2pix-scenes", &rows, raw)
}
