//! `metrics.jsonl`: one JSON object per logged event, appended and flushed as it happens so
//! a crashed run keeps what it logged.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Appends JSON records to a file.
#[derive(Debug)]
pub struct MetricsLog {
    path: PathBuf,
    file: BufWriter<File>,
}

impl MetricsLog {
    /// Opens (appending) `path`. A resumed run keeps its earlier records.
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(Self { path, file: BufWriter::new(file) })
    }

    /// Writes one record (an object such as `{"step": 10, "loss": 2.3}`) and flushes it.
    pub fn log(&mut self, record: &serde_json::Value) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.file, record)?;
        self.file.write_all(b"\n")?;
        self.file.flush()
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Drops records with `"step"` greater than `step` (used on resume, so the log matches
    /// the checkpoint that training continues from).
    pub fn truncate_after(path: impl AsRef<Path>, step: u64) -> std::io::Result<()> {
        let path = path.as_ref();
        let Ok(text) = std::fs::read_to_string(path) else { return Ok(()) };
        let kept: String = text
            .lines()
            .filter(|line| {
                serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v.get("step").and_then(serde_json::Value::as_u64))
                    .is_none_or(|s| s <= step)
            })
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(path, kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_truncates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.jsonl");
        let mut log = MetricsLog::open(&path).unwrap();
        for step in 1..=5 {
            log.log(&serde_json::json!({"step": step, "loss": 1.0 / step as f64})).unwrap();
        }
        drop(log);
        MetricsLog::truncate_after(&path, 3).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3);
    }
}
