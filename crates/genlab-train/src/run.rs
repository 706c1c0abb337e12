//! The run folder: `config.json` (written before step 0), `metrics.jsonl`, `checkpoint.bin`,
//! and whatever pictures or samples the family writes.

use std::path::{Path, PathBuf};

use serde::Serialize;

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

    /// Writes `config.json` (pretty), atomically.
    pub fn save_config<C: Serialize>(&self, config: &C) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(config).map_err(std::io::Error::other)?;
        let tmp = self.file(".config.json.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, self.file("config.json"))
    }

    /// Opens `metrics.jsonl` for appending.
    pub fn metrics(&self) -> std::io::Result<MetricsLog> {
        MetricsLog::open(self.file("metrics.jsonl"))
    }
}
