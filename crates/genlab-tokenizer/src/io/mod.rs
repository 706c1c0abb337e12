//! Files: genlab's native JSON, tiktoken rank files and Hugging Face `tokenizer.json`.

pub(crate) mod binary;
pub(crate) mod hf;
pub(crate) mod native;
pub(crate) mod tiktoken;

use std::path::Path;

use crate::error::{Result, TokenizerError};

pub(crate) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| TokenizerError::io(path, e))
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
pub(crate) fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    write_atomic_bytes(path, contents.as_bytes())
}

/// [`write_atomic`] for bytes.
pub(crate) fn write_atomic_bytes(path: &Path, contents: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| TokenizerError::io(path, e))?;
    }
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, contents).map_err(|e| TokenizerError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| TokenizerError::io(path, e))
}

/// 1-based line of element `index` of the first JSON array under `"key"` in `src`, found by a
/// small scan that understands strings, so semantic errors can name a line too.
pub(crate) fn line_of_element(src: &str, key: &str, index: usize) -> Option<usize> {
    let b = src.as_bytes();
    let k = src.find(&format!("\"{key}\""))?;
    let mut i = k + key.len() + 2;
    while i < b.len() && b[i] != b'[' {
        i += 1;
    }
    let (mut depth, mut count, mut in_str, mut esc, mut at_start) =
        (0usize, 0, false, false, false);
    while i < b.len() {
        let c = b[i];
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else {
            if at_start && depth == 1 && !matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b',' | b']') {
                if count == index {
                    return Some(src[..i].matches('\n').count() + 1);
                }
                at_start = false;
            }
            match c {
                b'[' | b'{' => {
                    depth += 1;
                    at_start |= depth == 1;
                }
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return None;
                    }
                }
                b',' if depth == 1 => {
                    count += 1;
                    at_start = true;
                }
                b'"' => in_str = true,
                _ => {}
            }
        }
        i += 1;
    }
    None
}

pub(crate) fn parse_err(path: &str, line: Option<usize>, problem: String) -> TokenizerError {
    match line {
        Some(line) => TokenizerError::Parse { path: path.to_string(), line, problem },
        None => TokenizerError::Format { path: path.to_string(), problem },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_element_lines() {
        let src = "{\n \"a\": 1,\n \"tokens\": [\n  \"x,]\",\n  null,\n  [1, 2],\n  \"z\"\n ]\n}";
        assert_eq!(super::line_of_element(src, "tokens", 0), Some(4));
        assert_eq!(super::line_of_element(src, "tokens", 1), Some(5));
        assert_eq!(super::line_of_element(src, "tokens", 2), Some(6));
        assert_eq!(super::line_of_element(src, "tokens", 3), Some(7));
        assert_eq!(super::line_of_element(src, "tokens", 4), None);
    }
}
