//! `cargo xtask <task>`: developer tasks. This file only parses the command line and
//! dispatches; each task lives in its own file.

mod bench;
mod ci;
mod peers_setup;
mod serve_check;
mod train;
mod util;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Developer tasks for the genlab workspace (run as `cargo xtask ...`).
#[derive(Parser, Debug)]
#[command(name = "xtask", bin_name = "cargo xtask", about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand, Debug)]
enum Task {
    /// What CI runs: fmt check, clippy (-D warnings), release tests, the GPU suite. Fails fast.
    Ci,
    /// Run a benchmark (`all` for every one), optionally beside its Python peers.
    Bench(bench::BenchArgs),
    /// Train from a TOML recipe (`family = "gpt"`, ...) by running `genlab <family> train`.
    Train(train::TrainArgs),
    /// Create the peers' Python venv under target/ and install the peer libraries.
    PeersSetup(peers_setup::PeersSetupArgs),
    /// `genlab serve` against the official `openai` Python client and headless Chromium.
    ServeCheck(serve_check::ServeCheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.task) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(task: Task) -> anyhow::Result<()> {
    let root = util::repo_root();
    match task {
        Task::Ci => ci::run(&root),
        Task::Bench(args) => bench::run(&root, args),
        Task::Train(args) => train::run(&root, args),
        Task::PeersSetup(args) => peers_setup::run(&root, args),
        Task::ServeCheck(args) => serve_check::run(&root, args),
    }
}
