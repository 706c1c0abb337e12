//! `genlab run show | convert`: what a run folder holds, and bringing a folder written by an
//! earlier genlab (config.json, no run.json) to the current layout.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use genlab_train::{MANIFEST_FILE, RunManifest};

/// Run folders.
#[derive(Subcommand, Debug)]
pub enum RunCmd {
    /// Print a run's manifest (family, kind, model, training and data settings) as JSON.
    Show(DirArg),
    /// Write run.json for a run folder from an earlier genlab, so every command reads it.
    Convert(DirArg),
}

#[derive(Args, Debug)]
pub struct DirArg {
    /// The run folder.
    #[arg(value_parser = crate::cmd::path_arg)]
    pub dir: PathBuf,
}

pub fn run(cmd: RunCmd) -> Result<()> {
    match cmd {
        RunCmd::Show(args) => {
            let manifest = RunManifest::read(&args.dir)?;
            println!("{}", serde_json::to_string_pretty(&manifest)?);
        }
        RunCmd::Convert(args) => {
            if args.dir.join(MANIFEST_FILE).is_file() {
                bail!("{} already has {MANIFEST_FILE}: nothing to convert", args.dir.display());
            }
            let manifest = genlab_train::legacy::convert(&args.dir)?;
            manifest.write(&args.dir)?;
            eprintln!(
                "wrote {} ({} / {})",
                args.dir.join(MANIFEST_FILE).display(),
                manifest.family,
                manifest.kind
            );
        }
    }
    Ok(())
}
