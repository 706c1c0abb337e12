//! The one error type of the crate: every variant names the problem and, for files, where it is.

use std::path::PathBuf;

/// Everything that can go wrong while training, encoding, decoding, loading or saving.
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    /// A token id that the vocabulary does not contain.
    #[error("unknown token id {id} (vocabulary size is {vocab_size})")]
    UnknownId { id: u32, vocab_size: usize },
    /// An encoding name genlab does not know (or cannot load yet).
    #[error("unknown encoding {name:?}: {reason}")]
    Encoding { name: String, reason: String },
    /// A character the character-level vocabulary has never seen.
    #[error("character {ch:?} (U+{code:04X}) at byte {offset} is not in the character vocabulary")]
    UnknownChar { ch: char, code: u32, offset: usize },
    /// A split pattern that does not compile.
    #[error("invalid split pattern {pattern:?}: {reason}")]
    Pattern { pattern: String, reason: String },
    /// Training parameters that cannot work (vocab size too small, duplicate specials, ...).
    #[error("invalid training configuration: {0}")]
    Config(String),
    /// A vocabulary that is internally inconsistent (missing byte tokens, duplicates, gaps).
    #[error("invalid vocabulary: {0}")]
    Vocab(String),
    /// A file whose content is malformed; `line` is 1-based.
    #[error("{path}: line {line}: {problem}")]
    Parse { path: String, line: usize, problem: String },
    /// A file that parsed but does not describe something genlab can load.
    #[error("{path}: {problem}")]
    Format { path: String, problem: String },
    /// A chat conversation, id sequence or JSON record that the chat template cannot handle
    /// (wrong tokenizer, malformed ids with their position, a bad record shape).
    #[error("chat template: {0}")]
    Chat(String),
    /// The file system said no.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Shorthand used across the crate.
pub type Result<T, E = TokenizerError> = std::result::Result<T, E>;

impl TokenizerError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }

    /// Wraps a serde_json error, which already knows its line and column.
    pub(crate) fn json(path: &str, err: &serde_json::Error) -> Self {
        Self::Parse {
            path: path.to_string(),
            line: err.line(),
            problem: format!("column {}: {err}", err.column()),
        }
    }
}
