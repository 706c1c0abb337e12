//! JSON Lines: one JSON value per line, blank lines skipped.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::DataError;

/// Reads every record of a JSONL file; a bad line is an error naming its number.
pub fn read_jsonl<T: DeserializeOwned>(path: impl AsRef<Path>) -> Result<Vec<T>, DataError> {
    let path = path.as_ref();
    let text = crate::text::read_text(path)?;
    parse_jsonl(&text).map_err(|problem| DataError::format(path, problem))
}

/// Parses JSONL text; the error names the 1-based line and the problem.
pub fn parse_jsonl<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Rec {
        prompt: String,
        score: f32,
    }

    #[test]
    fn parses_records_and_names_bad_lines() {
        let ok: Vec<Rec> =
            parse_jsonl("{\"prompt\":\"a\",\"score\":1}\n\n{\"prompt\":\"b\",\"score\":2.5}\n")
                .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1], Rec { prompt: "b".into(), score: 2.5 });
        let err =
            parse_jsonl::<Rec>("{\"prompt\":\"a\",\"score\":1}\n{\"prompt\":3}\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }
}
