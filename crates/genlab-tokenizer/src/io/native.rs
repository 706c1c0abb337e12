//! genlab's own versioned JSON format (`"format": "genlab-bpe"` or `"genlab-char"`), with one
//! token per line written in GPT-2's byte-level alphabet, so that the file reads like a
//! `tokenizer.json` vocabulary (`Ġthe` is " the") yet holds arbitrary bytes.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{line_of_element, parse_err, read, write_atomic};
use crate::bpe::{Bpe, Token};
use crate::chars::CharTokenizer;
use crate::error::{Result, TokenizerError};
use crate::pattern::Pattern;
use crate::{Tokenizer, bytelevel};

/// The newest version this crate writes and reads.
pub const NATIVE_VERSION: u32 = 1;
const BPE_FORMAT: &str = "genlab-bpe";
const CHAR_FORMAT: &str = "genlab-char";

#[derive(Serialize, Deserialize)]
struct NativeFile {
    format: String,
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pattern: Option<String>,
    /// Byte-level text of each id; `null` where the id is a special token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tokens: Option<Vec<Option<String>>>,
    /// Merge rank of each id; absent when every rank equals its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ranks: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    special_tokens: Vec<(String, u32)>,
    /// Character tokenizers: the alphabet in id order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alphabet: Option<String>,
    /// `false` when every chunk goes through the merges (see `Bpe::with_ignore_merges`);
    /// absent means true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ignore_merges: Option<bool>,
}

fn parse_file(src: &str, path: &str, want: &str) -> Result<NativeFile> {
    let f: NativeFile = serde_json::from_str(src).map_err(|e| TokenizerError::json(path, &e))?;
    let fmt_err = |problem: String| TokenizerError::Format { path: path.to_string(), problem };
    if f.format != want {
        return Err(fmt_err(format!("\"format\" is {:?}, expected {want:?}", f.format)));
    }
    if f.version == 0 || f.version > NATIVE_VERSION {
        return Err(fmt_err(format!(
            "version {} is not supported (this genlab reads versions 1..={NATIVE_VERSION})",
            f.version
        )));
    }
    Ok(f)
}

impl Bpe {
    /// The native JSON text of this tokenizer.
    pub fn to_json(&self) -> String {
        let n = self.vocab_size();
        let mut tokens: Vec<Option<String>> = vec![None; n];
        let mut ranks = vec![0u32; n];
        let mut identity = true;
        for t in self.tokens() {
            identity &= t.rank == t.id;
            ranks[t.id as usize] = t.rank;
            tokens[t.id as usize] = Some(bytelevel::encode(&t.bytes));
        }
        let file = NativeFile {
            format: BPE_FORMAT.into(),
            version: NATIVE_VERSION,
            pattern: Some(self.pattern().as_str().to_string()),
            tokens: Some(tokens),
            ranks: (!identity).then_some(ranks),
            special_tokens: self.special_tokens().to_vec(),
            alphabet: None,
            ignore_merges: (!self.ignore_merges()).then_some(false),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }

    /// Reads the native JSON text; `path` only labels errors.
    pub fn from_json(src: &str, path: &str) -> Result<Bpe> {
        let f = parse_file(src, path, BPE_FORMAT)?;
        let Some(tokens) = f.tokens else {
            return Err(parse_err(path, None, "missing \"tokens\"".into()));
        };
        if let Some(r) = &f.ranks
            && r.len() != tokens.len()
        {
            let problem = format!("{} ranks for {} tokens", r.len(), tokens.len());
            return Err(parse_err(path, line_of_element(src, "ranks", 0), problem));
        }
        let mut ordinary = Vec::with_capacity(tokens.len());
        for (id, t) in tokens.iter().enumerate() {
            let Some(t) = t else {
                if !f.special_tokens.iter().any(|s| s.1 as usize == id) {
                    let problem = format!("token {id} is null but no special token has id {id}");
                    return Err(parse_err(path, line_of_element(src, "tokens", id), problem));
                }
                continue;
            };
            let Some(bytes) = bytelevel::decode(t) else {
                let problem = format!("token {id} ({t:?}) is not a byte-level string");
                return Err(parse_err(path, line_of_element(src, "tokens", id), problem));
            };
            let rank = f.ranks.as_ref().map_or(id as u32, |r| r[id]);
            ordinary.push(Token { id: id as u32, bytes, rank });
        }
        let pattern = Pattern::parse(f.pattern.as_deref().unwrap_or("none"));
        let bpe = Bpe::new(pattern, ordinary, f.special_tokens).map_err(|e| match e {
            TokenizerError::Vocab(problem) => parse_err(path, None, problem),
            other => other,
        })?;
        Ok(bpe.with_ignore_merges(f.ignore_merges.unwrap_or(true)))
    }

    /// Saves in the native format (atomically).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_json())
    }

    /// Loads the native format.
    pub fn load(path: impl AsRef<Path>) -> Result<Bpe> {
        let path = path.as_ref();
        Bpe::from_json(&read(path)?, &path.display().to_string())
    }
}

impl CharTokenizer {
    /// Saves in the native format (atomically).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let file = NativeFile {
            format: CHAR_FORMAT.into(),
            version: NATIVE_VERSION,
            pattern: None,
            tokens: None,
            ranks: None,
            special_tokens: Vec::new(),
            alphabet: Some(self.alphabet().iter().collect()),
            ignore_merges: None,
        };
        write_atomic(
            path.as_ref(),
            &(serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"),
        )
    }

    /// Loads the native format.
    pub fn load(path: impl AsRef<Path>) -> Result<CharTokenizer> {
        let path = path.as_ref();
        let label = path.display().to_string();
        let f = parse_file(&read(path)?, &label, CHAR_FORMAT)?;
        let alphabet =
            f.alphabet.ok_or_else(|| parse_err(&label, None, "missing \"alphabet\"".into()))?;
        CharTokenizer::from_alphabet(alphabet.chars().collect())
            .map_err(|e| parse_err(&label, None, e.to_string()))
    }
}

/// Loads any tokenizer file genlab knows by its content: native BPE (JSON or binary), native
/// character, or a Hugging Face `tokenizer.json`. (tiktoken files carry no pattern: see [`Bpe::load_tiktoken`].)
pub fn load(path: impl AsRef<Path>) -> Result<Box<dyn Tokenizer>> {
    #[derive(Deserialize)]
    struct Probe {
        format: Option<String>,
        model: Option<serde::de::IgnoredAny>,
    }
    let path = path.as_ref();
    let label = path.display().to_string();
    let data = std::fs::read(path).map_err(|e| TokenizerError::io(path, e))?;
    if data.starts_with(super::binary::BINARY_MAGIC) {
        return Ok(Box::new(Bpe::from_binary(&data, &label)?));
    }
    let src = String::from_utf8(data)
        .map_err(|e| parse_err(&label, None, format!("not UTF-8 text: {e}")))?;
    let probe: Probe = serde_json::from_str(&src).map_err(|e| TokenizerError::json(&label, &e))?;
    match (probe.format.as_deref(), probe.model.is_some()) {
        (Some(BPE_FORMAT), _) => Ok(Box::new(Bpe::from_json(&src, &label)?)),
        (Some(CHAR_FORMAT), _) => Ok(Box::new(CharTokenizer::load(path)?)),
        (None, true) => Ok(Box::new(Bpe::from_hf_json(&src, &label)?)),
        (other, _) => Err(parse_err(
            &label,
            None,
            format!("not a tokenizer file (format {other:?}, no Hugging Face \"model\")"),
        )),
    }
}
