//! `genlab hmm fit | decode | score | sample`: hidden Markov models with categorical or
//! diagonal Gaussian emissions, as hmmlearn's. Each prints one JSON line.
//!
//! Data files: symbols as whitespace-separated integers (a blank line starts a new sequence)
//! for categorical models; a CSV of numeric columns for Gaussian ones (`--columns` picks
//! them, all by default).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use genlab_timeseries::hmm::{self, DataKind, FitOptions, Hmm, Observations};
use serde_json::json;

/// The most time steps `hmm sample` writes (a file of a few GB).
const MAX_SAMPLE_STEPS: usize = 100_000_000;

/// The HMM family.
#[derive(Subcommand, Debug)]
pub enum HmmCmd {
    /// Fit a model by Baum-Welch from seeded random starts and write it as JSON.
    Fit(FitArgs),
    /// The most likely state path (Viterbi): writes it one state per line, and a PNG of the
    /// series coloured by state beside it.
    Decode(DecodeArgs),
    /// The log-likelihood of data under a model.
    Score(ScoreArgs),
    /// Sample a sequence (and its hidden states) from a model.
    Sample(SampleArgs),
}

/// Where the observations come from.
#[derive(Args, Debug)]
pub struct DataArgs {
    /// Symbols file (categorical), CSV (Gaussian), or `nile` / `sunspots` (the yearly series
    /// shipped with genlab).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub data: PathBuf,
    /// CSV columns to use, by header name or 0-based position (default: all).
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
}

#[derive(Args, Debug)]
pub struct FitArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Hidden states.
    #[arg(long, default_value_t = 2)]
    pub states: usize,
    /// gaussian (CSV data) or categorical (symbols).
    #[arg(long, default_value = "gaussian")]
    pub emission: String,
    /// Most Baum-Welch iterations per start.
    #[arg(long, default_value_t = 100)]
    pub iter: usize,
    /// Stop a start when an iteration gains less log-likelihood than this.
    #[arg(long, default_value_t = 1e-2, allow_negative_numbers = true)]
    pub tol: f64,
    /// Random starts; the best final log-likelihood wins.
    #[arg(long, default_value_t = 5)]
    pub restarts: usize,
    /// Seed of the random starts.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Symbols of a categorical model (default: the largest in the data plus one).
    #[arg(long)]
    pub symbols: Option<usize>,
    /// Where the model goes.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "hmm.json")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// The model JSON (from `genlab hmm fit`).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub model: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// The path file (one state per line); the PNG goes beside it.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "states.txt")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// The model JSON.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub model: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Args, Debug)]
pub struct SampleArgs {
    /// The model JSON.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub model: PathBuf,
    /// Time steps.
    #[arg(long, default_value_t = 1000)]
    pub steps: usize,
    /// Sampling seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The observations: a symbols file or a CSV (columns x0, x1, ...), as `--data` reads.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "sample.txt")]
    pub out: PathBuf,
    /// Also write the hidden states, one per line, to this file.
    #[arg(long, value_name = "STATES_FILE", value_parser = crate::cmd::path_arg)]
    pub states: Option<PathBuf>,
}

fn read(model: &Hmm, data: &DataArgs) -> Result<Vec<Observations>> {
    Ok(hmm::read_observations(&data.data, DataKind::of(model.emission()), &data.columns)?)
}

fn load(path: &PathBuf) -> Result<Hmm> {
    Hmm::load(path).context("loading the model")
}

fn steps(data: &[Observations]) -> usize {
    data.iter().map(Observations::len).sum()
}

pub fn run(cmd: HmmCmd) -> Result<()> {
    let out = match cmd {
        HmmCmd::Fit(a) => {
            let kind = DataKind::parse_emission(&a.emission)?;
            let data = hmm::read_observations(&a.data.data, kind, &a.data.columns)?;
            let options = FitOptions {
                n_iter: a.iter,
                tol: a.tol,
                restarts: a.restarts,
                seed: a.seed,
                n_symbols: a.symbols,
            };
            let (model, report) = hmm::fit(&data, a.states, &options)?;
            model.save(&a.out)?;
            json!({
                "states": model.n_states(),
                "emission": model.emission().kind(),
                "sequences": data.len(),
                "steps": steps(&data),
                "log_likelihood": model.score(&data)?,
                "iterations": report.history.len(),
                "converged": report.converged,
                "history": report.history,
                "best_restart": report.best_restart,
                "restart_log_likelihoods": report.restart_log_likelihoods,
                "model": a.out,
            })
        }
        HmmCmd::Decode(a) => {
            let model = load(&a.model)?;
            let data = read(&model, &a.data)?;
            let (log_prob, path) = model.decode(&data)?;
            hmm::write_path(&a.out, &path)?;
            let png = a.out.with_extension("png");
            // The picture shows the first sequence.
            hmm::plot_states(&png, &data[0], &path[..data[0].len()])?;
            let mut counts = vec![0usize; model.n_states()];
            path.iter().for_each(|&s| counts[s] += 1);
            json!({
                "log_prob": log_prob,
                "sequences": data.len(),
                "steps": path.len(),
                "state_counts": counts,
                "path": a.out,
                "png": png,
            })
        }
        HmmCmd::Score(a) => {
            let model = load(&a.model)?;
            let data = read(&model, &a.data)?;
            let log_likelihood = model.score(&data)?;
            json!({
                "log_likelihood": log_likelihood,
                "per_step": log_likelihood / steps(&data) as f64,
                "sequences": data.len(),
                "steps": steps(&data),
            })
        }
        HmmCmd::Sample(a) => {
            anyhow::ensure!(
                a.steps <= MAX_SAMPLE_STEPS,
                "--steps {} is more than the {MAX_SAMPLE_STEPS} a sample may have",
                a.steps
            );
            let model = load(&a.model)?;
            let (states, x) = model.sample(a.steps, a.seed);
            hmm::write_observations(&a.out, &x)?;
            if let Some(path) = &a.states {
                hmm::write_path(path, &states)?;
            }
            json!({ "steps": a.steps, "seed": a.seed, "out": a.out, "states": a.states })
        }
    };
    println!("{out}");
    Ok(())
}
