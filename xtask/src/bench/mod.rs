//! `cargo xtask bench <name> [--device D] [--peers]`: maps a name to its benchmark module.
//! To add one: write `bench/<name>.rs` with `pub fn run(ctx: &BenchCtx) -> anyhow::Result<()>`
//! and add a line to [`BENCHES`].

mod ae;
mod ar;
#[allow(dead_code)] // helpers that not every benchmark uses yet (e.g. `num`)
pub mod common;
mod decoding;
mod finetune;
mod gan;
mod gpt;
mod hmm;
mod pix2pix;
mod rnn;
mod serve;
mod tokenizer;
mod wavenet;

use std::path::Path;

use anyhow::bail;

use common::BenchCtx;

/// One benchmark: its name and entry point.
type Bench = (&'static str, fn(&BenchCtx) -> anyhow::Result<()>);

/// Every benchmark, in the order `bench all` runs them.
const BENCHES: &[Bench] = &[
    ("tokenizer", tokenizer::run),
    ("decoding", decoding::run),
    ("gpt", gpt::run),
    ("gpt-quality", gpt::quality),
    ("ae", ae::vae),
    ("ae-denoise", ae::denoise),
    ("ae-anomaly", ae::anomaly),
    ("ae-faces", ae::faces),
    ("gan", gan::run),
    ("gan-text", gan::text),
    ("pix2pix", pix2pix::run),
    ("pix2pix-scenes", pix2pix::scenes),
    ("wavenet", wavenet::run),
    ("hmm", hmm::run),
    ("rnn", rnn::run),
    ("ar", ar::run),
    ("finetune", finetune::run),
    ("serve", serve::run),
];

/// Options of `cargo xtask bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Which benchmark (`all` runs every one).
    name: String,
    /// Device spec passed to genlab (`cpu`, `wgpu`, `cuda:0`, ...).
    #[arg(long)]
    device: Option<String>,
    /// Also run the Python peers in benches/peers/ (set them up with `cargo xtask peers-setup`).
    #[arg(long)]
    peers: bool,
    /// Training steps of the benchmarks that train to a quality figure (shorter = smoke run).
    #[arg(long)]
    steps: Option<u64>,
}

/// Runs the named benchmark, or all of them; results go to `target/bench/`.
pub fn run(root: &Path, args: BenchArgs) -> anyhow::Result<()> {
    let ctx = BenchCtx {
        root: root.to_path_buf(),
        peers: args.peers,
        device: args.device,
        steps: args.steps,
        out_dir: root.join("target/bench"),
    };
    if args.name == "all" {
        let mut failed = Vec::new();
        for (name, bench) in BENCHES {
            eprintln!("\n##### bench {name} #####");
            if let Err(e) = bench(&ctx) {
                eprintln!("bench {name} failed: {e:#}");
                failed.push(*name);
            }
        }
        if !failed.is_empty() {
            bail!("{} of {} benchmarks failed: {}", failed.len(), BENCHES.len(), failed.join(", "));
        }
        return Ok(());
    }
    match BENCHES.iter().find(|(name, _)| *name == args.name) {
        Some((_, bench)) => bench(&ctx),
        None => {
            let known: Vec<&str> = BENCHES.iter().map(|(name, _)| *name).collect();
            bail!("unknown benchmark {:?}: known are {}, and all", args.name, known.join(", "))
        }
    }
}
