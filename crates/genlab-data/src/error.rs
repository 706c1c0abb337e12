use std::path::{Path, PathBuf};

/// Why a file could not be read as data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The operating system refused (missing file, permissions, ...).
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The bytes are not what the format says they should be.
    #[error("{path}: {problem}")]
    Format {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong, in words.
        problem: String,
    },
    /// Data that do not fit together, such as statistics fitted on another number of
    /// channels than the series they are applied to.
    #[error("{problem}")]
    Invalid {
        /// What is wrong, in words.
        problem: String,
    },
}

impl DataError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        DataError::Io { path: path.to_path_buf(), source }
    }

    pub(crate) fn format(path: &Path, problem: impl Into<String>) -> Self {
        DataError::Format { path: path.to_path_buf(), problem: problem.into() }
    }
}

/// Reads a whole file, transparently gunzipping it when it starts with the gzip magic.
/// Refuses to inflate past `limit` bytes, so a gzip bomb is an error, not an OOM.
pub(crate) fn read_maybe_gz(path: &Path, limit: u64) -> Result<Vec<u8>, DataError> {
    use std::io::Read;
    let raw = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| DataError::format(path, format!("corrupt gzip stream: {e}")))?;
        if out.len() as u64 > limit {
            return Err(DataError::format(
                path,
                format!("decompresses to more than {limit} bytes; refusing"),
            ));
        }
        Ok(out)
    } else {
        Ok(raw)
    }
}
