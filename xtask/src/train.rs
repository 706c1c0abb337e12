//! `cargo xtask train <recipe.toml>`: reads the recipe's `family` and hands the recipe to
//! `genlab <family> train --config <recipe>` (built in release). The recipe's other keys are
//! the family's to read.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::util::{cargo, run_loud};

/// Families that have a `genlab <family> train` subcommand. Add one when its CLI lands.
const FAMILIES: &[&str] = &["gpt"];

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
