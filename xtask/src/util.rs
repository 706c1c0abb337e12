//! What the tasks share: the repository root and running a command loudly.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The repository root (the folder above `xtask/`).
pub fn repo_root() -> PathBuf {
    // The runtime variable names this checkout even when the binary was built from another
    // clone sharing the target directory (cargo reuses it: the fingerprint ignores the path).
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .parent()
    .expect("xtask/ has a parent")
    .to_path_buf()
}

/// `cargo`, as the running cargo names itself.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Prints `$ program args...`, runs it in `dir`, and fails unless it exits with 0.
pub fn run_loud(mut cmd: Command, dir: &Path) -> anyhow::Result<()> {
    cmd.current_dir(dir);
    let shown = describe(&cmd);
    eprintln!("$ {shown}");
    let status = cmd.status().with_context(|| format!("starting `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// `program arg arg ...` for messages.
pub fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
