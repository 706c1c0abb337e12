//! Plain-text corpora.

use std::path::Path;

use crate::error::DataError;

/// Largest text file accepted (1 GiB).
pub const MAX_TEXT_BYTES: u64 = 1 << 30;

/// Reads a UTF-8 text file. Invalid UTF-8 is an error naming the byte offset.
pub fn read_text(path: impl AsRef<Path>) -> Result<String, DataError> {
    let path = path.as_ref();
    let len = std::fs::metadata(path).map_err(|e| DataError::io(path, e))?.len();
    if len > MAX_TEXT_BYTES {
        return Err(DataError::format(
            path,
            format!("{len} bytes is larger than the {MAX_TEXT_BYTES} accepted"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    if bytes.is_empty() {
        return Err(DataError::format(path, "the file is empty"));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        DataError::format(
            path,
            format!("not UTF-8 text: invalid byte sequence at byte offset {at}"),
        )
    })
}

/// Splits a corpus into (train, validation) at `train_fraction` of its length, moved back to
/// a character boundary (nanoGPT's 90/10 split when `train_fraction` is 0.9).
pub fn split(text: &str, train_fraction: f64) -> (&str, &str) {
    let mut at = ((text.len() as f64) * train_fraction.clamp(0.0, 1.0)) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    text.split_at(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_invalid_utf8_with_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.txt");
        std::fs::write(&path, b"hello \xff world").unwrap();
        let err = read_text(&path).unwrap_err().to_string();
        assert!(err.contains("bad.txt") && err.contains("byte offset 6"), "{err}");
        std::fs::write(&path, b"").unwrap();
        assert!(read_text(&path).unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn split_respects_char_boundaries() {
        let (a, b) = split("ééééé", 0.5);
        assert_eq!(format!("{a}{b}"), "ééééé");
        assert_eq!(a, "éé");
    }
}
