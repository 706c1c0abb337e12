//! The run folder: `run.json` (the manifest, written before step 0), `metrics.jsonl`,
//! `checkpoint.bin`, `summary.json`, `report.html`, and whatever pictures or samples the family
//! writes.

use std::path::{Path, PathBuf};

use crate::manifest::{RunError, RunManifest};
use crate::metrics::MetricsLog;

/// A folder holding one training run.
#[derive(Debug, Clone)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    /// Creates the folder (and parents) if needed.
    pub fn create(root: impl AsRef<Path>) -> std::io::Result<Self> {
        std::fs::create_dir_all(root.as_ref())?;
        Ok(Self { root: root.as_ref().to_path_buf() })
    }

    /// Opens an existing run folder.
    pub fn open(root: impl AsRef<Path>) -> std::io::Result<Self> {
        let root = root.as_ref();
        if !root.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} is not a run folder", root.display()),
            ));
        }
        Ok(Self { root: root.to_path_buf() })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// A file inside the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// The checkpoint file.
    pub fn checkpoint(&self) -> PathBuf {
        self.file("checkpoint.bin")
    }

    /// Reads the run's manifest (`run.json`, or an old folder's `config.json`).
    pub fn manifest(&self) -> Result<RunManifest, RunError> {
        RunManifest::read(&self.root)
    }

    /// Opens `metrics.jsonl` for appending.
    pub fn metrics(&self) -> std::io::Result<MetricsLog> {
        MetricsLog::open(self.file("metrics.jsonl"))
    }
}
