//! The run manifest, `run.json`: what a run folder holds, written once by the library before
//! step 0 and read by every loader, which dispatches on `family` and `kind` instead of guessing
//! from the files it finds.
//!
//! ```json
//! { "family": "gpt", "kind": "gpt", "version": 1, "genlab": "0.1.0",
//!   "model": { ... }, "train": { ... }, "data": { ... }, "tokenizer": "tokenizer.json" }
//! ```
//!
//! Run folders written before the manifest existed (`config.json` only) are read through
//! [`legacy`](crate::legacy), which knows the four layouts of that time; anything else is a
//! [`RunError`] that says what to do.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The manifest's file name in a run folder.
pub const MANIFEST_FILE: &str = "run.json";
/// The one summary file every family writes at the end of a run.
pub const SUMMARY_FILE: &str = "summary.json";
/// The manifest format this build writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// What a run folder holds: enough to rebuild the model and continue or use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunManifest {
    /// The crate that trains and loads it: `gpt`, `autoencoder`, `gan`.
    pub family: String,
    /// The model within the family: `vae`, `dcgan`, `pix2pix`, ...
    pub kind: String,
    /// The manifest format ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// The genlab version that wrote it.
    #[serde(default)]
    pub genlab: String,
    /// The model configuration (the family's `Config`, as JSON).
    pub model: Value,
    /// The training configuration.
    pub train: Value,
    /// Where the data came from (family-specific).
    #[serde(default)]
    pub data: Value,
    /// The tokenizer file in the run folder, for text models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<String>,
    /// The run whose weights this one started from (fine-tuning), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_from: Option<PathBuf>,
}

/// Why a run folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The folder does not exist or holds no run.
    #[error("{path} is not a run folder (it has no {MANIFEST_FILE}); train one first")]
    NotARun {
        /// The folder.
        path: PathBuf,
    },
    /// A run folder in a layout this build cannot read.
    #[error(
        "{path} was written by an earlier genlab and cannot be read ({problem}): re-train it, or convert it with `genlab run convert {path}`"
    )]
    Legacy {
        /// The folder.
        path: PathBuf,
        /// What is missing or unrecognised.
        problem: String,
    },
    /// The manifest is unreadable, malformed or from a newer genlab.
    #[error("{path}: {problem}")]
    Corrupt {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The run is of another family or kind than the one asked for.
    #[error("{path} holds a run of family {family} ({kind}), not of {expected}")]
    WrongFamily {
        /// The folder.
        path: PathBuf,
        /// Its family.
        family: String,
        /// Its kind.
        kind: String,
        /// What the caller wanted.
        expected: String,
    },
    /// The filesystem refused.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Why a family's `load(dir, device)` could not load a run.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The run folder is missing, corrupt or of another family.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The checkpoint is unreadable or does not fit the model.
    #[error(transparent)]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    /// Another file of the run (a tokenizer) is unreadable.
    #[error("{path}: {problem}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

impl RunManifest {
    /// A manifest for a run of `family`/`kind` with these model and training settings.
    pub fn new(family: &str, kind: &str, model: &impl Serialize, train: &impl Serialize) -> Self {
        Self {
            family: family.into(),
            kind: kind.into(),
            version: MANIFEST_VERSION,
            genlab: env!("CARGO_PKG_VERSION").into(),
            model: serde_json::to_value(model).expect("configs serialise"),
            train: serde_json::to_value(train).expect("configs serialise"),
            data: Value::Null,
            tokenizer: None,
            init_from: None,
        }
    }

    /// The same manifest with `data` recorded.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// The same manifest naming its tokenizer file.
    pub fn with_tokenizer(mut self, file: &str) -> Self {
        self.tokenizer = Some(file.into());
        self
    }

    /// Reads `run.json` from `dir`, or converts an old `config.json` layout in memory.
    pub fn read(dir: &Path) -> Result<Self, RunError> {
        let path = dir.join(MANIFEST_FILE);
        if !path.is_file() {
            if dir.join("config.json").is_file() {
                return crate::legacy::convert(dir);
            }
            return Err(RunError::NotARun { path: dir.to_path_buf() });
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|source| RunError::Io { path: path.clone(), source })?;
        Self::parse(&text, &path)
    }

    /// Parses the text of a manifest file read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, RunError> {
        let corrupt = |problem: String| RunError::Corrupt { path: path.to_path_buf(), problem };
        let value: Value =
            serde_json::from_str(text).map_err(|e| corrupt(format!("not JSON: {e}")))?;
        let version = value.get("version").and_then(Value::as_u64);
        if version != Some(MANIFEST_VERSION as u64) {
            return Err(corrupt(format!(
                "manifest version {}, this build reads {MANIFEST_VERSION}",
                version.map_or("missing".into(), |v| v.to_string())
            )));
        }
        serde_json::from_value(value).map_err(|e| corrupt(format!("not a run manifest: {e}")))
    }

    /// Reads the manifest of `dir` and checks it is a run of `family` (and one of `kinds`,
    /// when given): what every family's `load` starts with.
    pub fn open(dir: &Path, family: &str, kinds: &[&str]) -> Result<Self, RunError> {
        let manifest = Self::read(dir)?;
        manifest.expect(dir, family, kinds)?;
        Ok(manifest)
    }

    /// Writes `run.json` into `dir` atomically (temporary file, then rename).
    pub fn write(&self, dir: &Path) -> Result<(), RunError> {
        let text = serde_json::to_string_pretty(self).expect("manifest serialises");
        crate::atomic::write_atomic(&dir.join(MANIFEST_FILE), &[text.as_bytes()])
            .map_err(|(path, source)| RunError::Io { path, source })
    }

    /// An error unless this run is of `family` (and, when given, one of `kinds`).
    pub fn expect(&self, dir: &Path, family: &str, kinds: &[&str]) -> Result<(), RunError> {
        if self.family == family && (kinds.is_empty() || kinds.contains(&self.kind.as_str())) {
            return Ok(());
        }
        let expected = if kinds.is_empty() { family.to_string() } else { kinds.join(" or ") };
        Err(RunError::WrongFamily {
            path: dir.to_path_buf(),
            family: self.family.clone(),
            kind: self.kind.clone(),
            expected,
        })
    }

    /// The model configuration as the family's type.
    pub fn model<C: DeserializeOwned>(&self, dir: &Path) -> Result<C, RunError> {
        self.section(dir, "model", &self.model)
    }

    /// The training configuration as the family's type.
    pub fn train<C: DeserializeOwned>(&self, dir: &Path) -> Result<C, RunError> {
        self.section(dir, "train", &self.train)
    }

    /// The data record as the family's type.
    pub fn data<C: DeserializeOwned>(&self, dir: &Path) -> Result<C, RunError> {
        self.section(dir, "data", &self.data)
    }

    fn section<C: DeserializeOwned>(
        &self,
        dir: &Path,
        name: &str,
        value: &Value,
    ) -> Result<C, RunError> {
        serde_json::from_value(value.clone()).map_err(|e| RunError::Corrupt {
            path: dir.join(MANIFEST_FILE),
            problem: format!(
                "the {name} section does not fit a {} {} run: {e}",
                self.family, self.kind
            ),
        })
    }
}
