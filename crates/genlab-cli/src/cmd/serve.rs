//! `genlab serve`: the OpenAI-compatible API and the playground (genlab-serve).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use genlab_serve::{Limits, ServeConfig};

use super::{Globals, path_arg};

/// Flags of `genlab serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// A run folder to serve (GPT base or chat, VAE, GAN, pix2pix); repeat for several.
    #[arg(long = "model", required = true, value_parser = path_arg)]
    pub models: Vec<PathBuf>,
    /// Address to listen on (a host name or IP address).
    #[arg(long, default_value = "127.0.0.1", value_parser = host_arg)]
    pub host: String,
    /// Port (0 = any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Require `Authorization: Bearer KEY` on every /v1/ request.
    #[arg(long, env = "GENLAB_API_KEY")]
    pub api_key: Option<String>,
    /// Most sequences one GPT decodes together (continuous batching).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub max_batch: u64,
    /// Most requests waiting per GPT; more get 429.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_queue: u64,
    /// Most tokens one answer may ask for.
    #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_tokens: u64,
    /// Load the models and bind the address, print what would be served, and exit.
    #[arg(long)]
    pub check: bool,
}

/// A `--host` value: anything but the empty string (which names no address).
fn host_arg(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err("an empty host: give a name or address, e.g. 127.0.0.1 or 0.0.0.0".into());
    }
    Ok(s.to_string())
}

pub fn run(globals: &Globals, args: ServeArgs) -> Result<()> {
    let (spec, _) = globals.device_spec()?;
    let device = spec.device()?;
    let config = ServeConfig {
        models: args.models,
        host: args.host,
        port: args.port,
        api_key: args.api_key.filter(|k| !k.is_empty()),
        max_batch: args.max_batch as usize,
        max_queue: args.max_queue as usize,
        limits: Limits { max_tokens: args.max_tokens as usize, ..Limits::default() },
    };
    if args.check {
        let (addr, models) = genlab_serve::check(&config, &device)?;
        eprintln!("genlab serve --check: would serve {} on http://{addr}", models.join(", "));
        println!("{}", serde_json::json!({ "address": addr.to_string(), "models": models }));
        return Ok(());
    }
    genlab_serve::serve(&config, &device)?;
    Ok(())
}
