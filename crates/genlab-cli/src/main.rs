//! `genlab`: the command-line face of the genlab crates. This file only parses the command
//! line and dispatches; each subcommand family lives in its own file under `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// burn's CPU backend allocates a buffer per tensor op: see genlab_tensor::alloc for why this.
#[global_allocator]
static GLOBAL: genlab_tensor::alloc::Allocator = genlab_tensor::alloc::Allocator;

/// Generative AI in Rust on burn: data, tokenizers, decoding and (soon) models.
#[derive(Parser, Debug)]
#[command(name = "genlab", version, propagate_version = true)]
struct Cli {
    /// Where to compute: cpu (the fastest CPU backend compiled in), flex, ndarray, wgpu[:N],
    /// cuda[:N]. GPU backends need the matching Cargo feature (`--features wgpu`).
    #[arg(long, global = true, env = genlab_tensor::device::DEVICE_ENV, value_name = "DEVICE")]
    device: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Version, compiled backends, what `cpu` resolves to, and a matmul timing per device.
    Info(cmd::info::InfoArgs),
    /// Read the data genlab uses and print what is there.
    #[command(subcommand)]
    Data(cmd::data::DataCmd),
    /// Byte-level BPE tokenizers: train, encode, decode, count, inspect.
    #[command(subcommand)]
    Tokenizer(cmd::tokenizer::TokenizerCmd),
    /// GPT: pretrain on text, stream generated text, evaluate, export weights.
    #[command(subcommand)]
    Gpt(cmd::gpt::GptCmd),
    /// Char-RNN: LSTM and GRU language models beside the GPT; train, generate, evaluate.
    #[command(subcommand)]
    Rnn(cmd::rnn::RnnCmd),
    /// Autoencoders: AE, denoising AE, VAE; latent tools, denoising, anomaly detection.
    #[command(subcommand)]
    Ae(cmd::ae::AeCmd),
    /// GANs: MLP GAN, DCGAN, class-conditional DCGAN; training and sampling.
    #[command(subcommand)]
    Gan(cmd::gan::GanCmd),
    /// WaveNet: train on speech, generate audio faster than real time, score held-out audio.
    #[command(subcommand)]
    Wavenet(cmd::wavenet::WavenetCmd),
    /// Hidden Markov models (categorical or Gaussian): fit, decode, score, sample.
    #[command(subcommand)]
    Hmm(cmd::hmm::HmmCmd),
    /// AR(p) time series: fit, select an order, forecast with intervals, simulate.
    #[command(subcommand)]
    Ar(cmd::ar::ArCmd),
    /// The digit classifier and the metrics in its feature space (FID, classifier score).
    #[command(subcommand)]
    Eval(cmd::eval::EvalCmd),
    /// Serve trained models: an OpenAI-compatible API and a web playground.
    Serve(cmd::serve::ServeArgs),
    /// Run folders: show a run's manifest, convert a folder from an earlier genlab.
    #[command(subcommand)]
    Run(cmd::run::RunCmd),
}

fn main() -> ExitCode {
    genlab_tensor::alloc::keep_freed_memory();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, like `{:#}`, but without repeating a cause that an
/// error's own message already quotes (`"dir: No such file or directory"` then the I/O
/// error again).
fn one_line(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    line
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let globals = cmd::Globals { device: cli.device };
    match cli.command {
        Command::Info(args) => cmd::info::run(&globals, args),
        Command::Data(data) => cmd::data::run(data),
        Command::Tokenizer(tok) => cmd::tokenizer::run(tok),
        Command::Gpt(gpt) => cmd::gpt::run(&globals, gpt),
        Command::Rnn(rnn) => cmd::rnn::run(&globals, rnn),
        Command::Run(run) => cmd::run::run(run),
        Command::Serve(args) => cmd::serve::run(&globals, args),
        Command::Ae(ae) => cmd::ae::run(&globals, ae),
        Command::Gan(gan) => cmd::gan::run(&globals, gan),
        Command::Ar(ar) => cmd::ar::run(ar),
        Command::Eval(eval) => cmd::eval::run(&globals, eval),
        Command::Wavenet(wavenet) => cmd::wavenet::run(&globals, wavenet),
        Command::Hmm(hmm) => cmd::hmm::run(hmm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn device_flag_is_global() {
        let cli = Cli::try_parse_from(["genlab", "data", "check", "--device", "flex"]).unwrap();
        assert_eq!(cli.device.as_deref(), Some("flex"));
    }
}
