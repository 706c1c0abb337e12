//! `cargo xtask train <recipe.toml>`: reads the recipe's `family` and hands the recipe to
//! `genlab <family> train --config <recipe>` (built in release). The recipe's other keys are
//! the family's to read. A `family = "finetune"` recipe runs the whole fine-tuning pipeline
//! instead: pretraining (its `[pipeline] base` recipe), SFT, the reward model, RLHF with PPO
//! and with RLOO, and DPO, each a run folder under `[pipeline] out`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::util::{cargo, run_loud};

/// Families that have a `genlab <family> train` subcommand. Add one when its CLI lands.
const FAMILIES: &[&str] = &["gpt", "finetune"];

/// Options of `cargo xtask train`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// The recipe, e.g. configs/shakespeare-char.toml.
    recipe: PathBuf,
    /// Cargo features for genlab-cli, e.g. `wgpu` (comma-separated).
    #[arg(long)]
    features: Option<String>,
    /// Device spec passed to genlab (`cpu`, `wgpu`, `cuda:0`, ...).
    #[arg(long)]
    device: Option<String>,
    /// Further arguments for `genlab <family> train` (after `--`).
    #[arg(last = true)]
    extra: Vec<String>,
}

/// Reads the recipe's family and runs its trainer.
pub fn run(root: &Path, args: TrainArgs) -> anyhow::Result<()> {
    let recipe = std::path::absolute(&args.recipe)
        .with_context(|| format!("resolving {}", args.recipe.display()))?;
    let family = family_of(&recipe)?;
    if family == "finetune" {
        return finetune_pipeline(
            root,
            &recipe,
            args.features.as_deref(),
            args.device.as_deref(),
            &args.extra,
        )
        .map(|_| ());
    }
    let mut cmd = cargo();
    cmd.args(["run", "--release", "-p", "genlab-cli"]);
    if let Some(features) = &args.features {
        cmd.args(["--features", features]);
    }
    cmd.args(["--", &family, "train", "--config"]).arg(&recipe);
    if let Some(device) = &args.device {
        cmd.args(["--device", device]);
    }
    cmd.args(&args.extra);
    run_loud(cmd, root)
}

/// The run folders of the fine-tuning pipeline, in order, and the stage that makes each.
pub const PIPELINE: [(&str, &str); 6] = [
    ("base", "train"),
    ("sft", "sft"),
    ("reward", "reward"),
    ("ppo", "rlhf"),
    ("rloo", "rlhf"),
    ("dpo", "dpo"),
];

/// Runs the fine-tuning pipeline of the `finetune` recipe at `recipe` (see the module docs);
/// `extra` goes to every stage (e.g. `--steps 20` for a smoke run). Each stage writes its
/// figures to `<out>/<stage>.json`. Returns the pipeline's folder.
pub fn finetune_pipeline(
    root: &Path,
    recipe: &Path,
    features: Option<&str>,
    device: Option<&str>,
    extra: &[String],
) -> anyhow::Result<PathBuf> {
    let text = std::fs::read_to_string(recipe)
        .with_context(|| format!("reading recipe {}", recipe.display()))?;
    let doc: toml::Table = toml::from_str(&text)?;
    let section = doc.get("pipeline").and_then(toml::Value::as_table);
    let key = |k: &str, default: &str| {
        section.and_then(|t| t.get(k)).and_then(toml::Value::as_str).unwrap_or(default).to_string()
    };
    let base_recipe = root.join(key("base", "configs/finetune-base.toml"));
    let out = root.join(key("out", "runs/finetune"));
    std::fs::create_dir_all(&out)?;
    let dir = |name: &str| out.join(name).display().to_string();
    for (name, stage) in PIPELINE {
        let mut cmd = cargo();
        cmd.args(["run", "--release", "--quiet", "-p", "genlab-cli"]);
        if let Some(features) = features {
            cmd.args(["--features", features]);
        }
        cmd.args(["--", "gpt", stage, "--config"]);
        cmd.arg(if name == "base" { &base_recipe } else { recipe });
        match name {
            "base" => cmd.args(["--max-tokens", "50"]),
            "sft" => cmd.args(["--base", &dir("base")]),
            "reward" | "dpo" => cmd.args(["--base", &dir("sft")]),
            _ => {
                cmd.args(["--policy", &dir("sft"), "--reward", &dir("reward"), "--algorithm", name])
            }
        };
        cmd.args(["--out", &dir(name), "--report", &format!("{}.json", dir(name))]);
        if let Some(device) = device {
            cmd.args(["--device", device]);
        }
        cmd.args(extra).env("GENLAB_NO_PROGRESS", "1");
        run_loud(cmd, root)?;
    }
    eprintln!(
        "pipeline done: {} holds base, sft, reward, ppo, rloo and dpo; judge one with `genlab gpt judge --checkpoint {}/ppo --reference {}/sft`",
        out.display(),
        out.display(),
        out.display()
    );
    Ok(out)
}

/// The `family` key of a recipe, checked against [`FAMILIES`].
fn family_of(recipe: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(recipe)
        .with_context(|| format!("reading recipe {}", recipe.display()))?;
    let doc: toml::Table =
        toml::from_str(&text).with_context(|| format!("{}: not valid TOML", recipe.display()))?;
    let family = match doc.get("family") {
        Some(toml::Value::String(f)) => f.clone(),
        Some(other) => bail!("{}: `family` must be a string, found {other}", recipe.display()),
        None => bail!(
            "{}: no `family` key (e.g. family = \"gpt\"); known families: {}",
            recipe.display(),
            FAMILIES.join(", ")
        ),
    };
    if !FAMILIES.contains(&family.as_str()) {
        bail!(
            "{}: unknown family {family:?}; known families: {}",
            recipe.display(),
            FAMILIES.join(", ")
        );
    }
    Ok(family)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(name: &str, text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("xtask-{}-{name}.toml", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_a_known_family() {
        let path = recipe("ok", "family = \"gpt\"\n[model]\nn_layer = 2\n");
        assert_eq!(family_of(&path).unwrap(), "gpt");
    }

    #[test]
    fn unknown_or_missing_family_is_a_clear_error() {
        let err = family_of(&recipe("unknown", "family = \"diffusion\"")).unwrap_err();
        assert!(err.to_string().contains("unknown family \"diffusion\""), "{err}");
        let err = family_of(&recipe("missing", "steps = 3")).unwrap_err();
        assert!(err.to_string().contains("no `family` key"), "{err}");
    }
}
