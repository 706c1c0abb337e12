//! `cargo xtask peers-setup`: a Python virtual environment at `target/peers-venv` with the
//! peer libraries the benchmarks compare against. Idempotent: an existing venv is kept and
//! only missing packages are installed.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::run_loud;

/// (pip package, module it provides).
const PACKAGES: &[(&str, &str)] = &[
    ("torch", "torch"),
    ("numpy", "numpy"),
    ("tokenizers", "tokenizers"),
    ("tiktoken", "tiktoken"),
    ("statsmodels", "statsmodels"),
    ("scikit-image", "skimage"),
    ("pyod", "pyod"),
    // scikit-image's estimate_sigma (benches/peers/denoise.py) imports it lazily.
    ("PyWavelets", "pywt"),
    ("scikit-learn", "sklearn"),
    ("scipy", "scipy"),
    ("hmmlearn", "hmmlearn"),
];

/// Options of `cargo xtask peers-setup`.
#[derive(clap::Args, Debug)]
pub struct PeersSetupArgs {
    /// Python used to create the venv.
    #[arg(long, default_value = "python3")]
    python: String,
}

/// Creates the venv if missing and installs whatever peer package it lacks.
pub fn run(root: &Path, args: PeersSetupArgs) -> anyhow::Result<()> {
    let venv = root.join("target/peers-venv");
    let python = venv.join("bin/python");
    if python.exists() {
        eprintln!("venv {} exists; keeping it", venv.display());
    } else {
        eprintln!("creating venv {}", venv.display());
        std::fs::create_dir_all(root.join("target"))?;
        let mut cmd = Command::new(&args.python);
        cmd.args(["-m", "venv"]).arg(&venv);
        run_loud(cmd, root)?;
    }
    let missing: Vec<&str> = PACKAGES
        .iter()
        .filter(|(_, module)| !imports(&python, module))
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        eprintln!("all peer packages present: {}", names().join(", "));
        return Ok(());
    }
    eprintln!("installing: {}", missing.join(", "));
    // Everything comes from PyPI (the only package index reachable here). On Linux PyPI's torch
    // wheel brings its CUDA libraries too (several GB): it still runs on the CPU.
    let mut cmd = Command::new(&python);
    cmd.args(["-m", "pip", "install"]).args(&missing);
    run_loud(cmd, root)?;
    eprintln!("peers ready: {}", python.display());
    Ok(())
}

fn names() -> Vec<&'static str> {
    PACKAGES.iter().map(|(package, _)| *package).collect()
}

/// Whether `python -c "import module"` succeeds.
fn imports(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
