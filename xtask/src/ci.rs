//! `cargo xtask ci`: the checks CI runs, in order, stopping at the first failure.

use std::path::Path;
use std::time::Instant;

use crate::util::{cargo, run_loud};

/// The steps, each a cargo command line. All in release, so build scripts and proc macros are
/// built once and shared with the tests (and `cargo build --release`).
const STEPS: &[(&str, &[&str])] = &[
    ("format", &["fmt", "--all", "--", "--check"]),
    ("clippy", &["clippy", "--release", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    ("tests", &["test", "--workspace", "--release"]),
    // Needs a Vulkan driver: a GPU's, or Mesa's software one (`mesa-vulkan-drivers`).
    (
        "gpu suite",
        &["test", "--release", "-p", "genlab-cli", "--features", "wgpu", "--test", "gpu"],
    ),
];

/// Runs every step; fails fast.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let all = Instant::now();
    for (i, (name, args)) in STEPS.iter().enumerate() {
        eprintln!("\n== ci step {}/{}: {name} ==", i + 1, STEPS.len());
        let start = Instant::now();
        let mut cmd = cargo();
        cmd.args(*args);
        run_loud(cmd, root).map_err(|e| e.context(format!("ci step `{name}` failed")))?;
        eprintln!("-- {name}: ok in {:.0?}", start.elapsed());
    }
    eprintln!("\nci: all {} steps passed in {:.0?}", STEPS.len(), all.elapsed());
    Ok(())
}
