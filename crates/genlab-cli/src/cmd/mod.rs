//! One module per subcommand family, plus what they share.

pub mod ae;
pub mod ar;
pub mod chat;
pub mod data;
pub mod eval;
pub mod finetune;
pub mod gan;
pub mod gpt;
pub mod hmm;
pub mod info;
pub mod lm;
pub mod rnn;
pub mod run;
pub mod serve;
pub mod tokenizer;
pub mod wavenet;

use std::path::PathBuf;

use anyhow::Context;
use genlab_tensor::{Backend, DeviceSpec};

/// Options that every subcommand sees.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    /// `--device` (clap already falls back to `GENLAB_DEVICE`).
    pub device: Option<String>,
}

impl Globals {
    /// The device spec asked for (`--device`, else `GENLAB_DEVICE`, else `cpu`), checked
    /// against this build: a backend that is not compiled in is an error naming its feature.
    pub fn device_spec(&self) -> anyhow::Result<(DeviceSpec, Backend)> {
        let spec = DeviceSpec::from_flag_or_env(self.device.as_deref())
            .context("reading --device / GENLAB_DEVICE")?;
        let backend = spec.backend().with_context(|| format!("device {spec}"))?;
        Ok((spec, backend))
    }
}

/// A path flag's value: any path but the empty one (which would surface later as an error
/// naming no file).
pub fn path_arg(s: &str) -> Result<PathBuf, String> {
    if s.is_empty() {
        return Err("an empty path: give a file or folder".into());
    }
    Ok(PathBuf::from(s))
}

/// A number flag that must be a finite number above zero.
pub fn positive_f32(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!("{v} is not a positive number")),
        Err(e) => Err(e.to_string()),
    }
}

/// A number flag that must be finite and zero or more.
pub fn non_negative_f32(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) => Err(format!("{v} is not zero or a positive number")),
        Err(e) => Err(e.to_string()),
    }
}

/// The shared data folder (`shared/data` beside the repository), if there is one: the
/// `GENLAB_SHARED_DATA` environment variable, else `../shared/data` or `shared/data` from the
/// working directory.
pub fn shared_data_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("GENLAB_SHARED_DATA").map(PathBuf::from),
        Some(PathBuf::from("../shared/data")),
        Some(PathBuf::from("shared/data")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_dir())
}
