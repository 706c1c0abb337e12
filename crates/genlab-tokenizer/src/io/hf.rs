//! Hugging Face `tokenizer.json` for byte-level BPE: the vocabulary and merges are written in
//! GPT-2's byte-to-unicode alphabet ([`crate::bytelevel`]), the split pattern as a `Split`
//! pre-tokenizer followed by `ByteLevel`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{line_of_element, parse_err, read, write_atomic};
use crate::bpe::{Bpe, Token};
use crate::bytelevel;
use crate::error::{Result, TokenizerError};
use crate::pattern::{DEEPSEEK_V3_SPLITS, Pattern};

#[derive(Deserialize)]
struct HfFile {
    model: HfModel,
    #[serde(default)]
    added_tokens: Vec<HfAdded>,
    #[serde(default)]
    pre_tokenizer: Option<Value>,
    #[serde(default)]
    normalizer: Option<Value>,
    #[serde(default)]
    post_processor: Option<Value>,
    #[serde(default)]
    decoder: Option<Value>,
}

#[derive(Deserialize)]
struct HfModel {
    #[serde(rename = "type")]
    kind: Option<String>,
    vocab: HashMap<String, u32>,
    #[serde(default)]
    merges: Vec<HfMerge>,
    #[serde(default)]
    dropout: Option<f64>,
    #[serde(default)]
    continuing_subword_prefix: Option<String>,
    #[serde(default)]
    end_of_word_suffix: Option<String>,
    #[serde(default)]
    byte_fallback: bool,
    /// Hugging Face's default for BPE is false.
    #[serde(default)]
    ignore_merges: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum HfMerge {
    Joined(String),
    Pair(String, String),
}

#[derive(Deserialize)]
struct HfAdded {
    id: u32,
    content: String,
    #[serde(default)]
    single_word: bool,
    #[serde(default)]
    lstrip: bool,
    #[serde(default)]
    rstrip: bool,
    #[serde(default)]
    normalized: bool,
}

/// The `type` of an optional component, for messages.
fn kind(v: &Value) -> String {
    v["type"].as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// Everything of a tokenizer.json that genlab does not implement, refused by name: genlab
/// reads byte-level BPE exactly (no normalizer, a ByteLevel decoder or none, no
/// post-processor but ByteLevel's offsets, plain added tokens), and nothing else.
fn unsupported(f: &HfFile) -> Option<String> {
    fn present(v: &Option<Value>) -> Option<&Value> {
        v.as_ref().filter(|v| !v.is_null())
    }
    if let Some(n) = present(&f.normalizer) {
        return Some(format!("normalizer {} is not supported (genlab applies none)", kind(n)));
    }
    if let Some(d) = present(&f.decoder).filter(|d| d["type"] != "ByteLevel") {
        return Some(format!("decoder {} is not supported (genlab decodes ByteLevel)", kind(d)));
    }
    if let Some(p) = present(&f.post_processor).filter(|p| p["type"] != "ByteLevel") {
        return Some(format!(
            "post_processor {} is not supported (it adds or changes ids)",
            kind(p)
        ));
    }
    let m = &f.model;
    if m.byte_fallback {
        return Some("model.byte_fallback = true is not supported".into());
    }
    if let Some(d) = m.dropout.filter(|d| *d != 0.0) {
        return Some(format!("model.dropout = {d} is not supported (BPE dropout)"));
    }
    for (name, v) in [
        ("continuing_subword_prefix", &m.continuing_subword_prefix),
        ("end_of_word_suffix", &m.end_of_word_suffix),
    ] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            return Some(format!("model.{name} = {v:?} is not supported"));
        }
    }
    for a in &f.added_tokens {
        for (flag, on) in [
            ("single_word", a.single_word),
            ("lstrip", a.lstrip),
            ("rstrip", a.rstrip),
            ("normalized", a.normalized),
        ] {
            if on {
                return Some(format!(
                    "added token {:?} has {flag} = true, which is not supported",
                    a.content
                ));
            }
        }
    }
    None
}

/// The split pattern a Hugging Face pre-tokenizer describes, if genlab can run it.
fn pattern_of(pre: Option<&Value>) -> std::result::Result<Pattern, String> {
    let Some(pre) = pre.filter(|p| !p.is_null()) else {
        return Err(
            "no pre_tokenizer: genlab reads byte-level BPE (a ByteLevel pre-tokenizer)".into()
        );
    };
    let steps: Vec<&Value> = match pre["type"].as_str() {
        Some("Sequence") => {
            pre["pretokenizers"].as_array().map(|a| a.iter().collect()).unwrap_or_default()
        }
        _ => vec![pre],
    };
    let mut pattern = None;
    let mut splits: Vec<&str> = Vec::new();
    let mut byte_level = false;
    for s in steps {
        match s["type"].as_str() {
            Some("ByteLevel") => {
                byte_level = true;
                if s["use_regex"].as_bool().unwrap_or(true) && pattern.is_none() {
                    pattern = Some(Pattern::Gpt2);
                }
                if s["add_prefix_space"].as_bool() == Some(true) {
                    return Err("ByteLevel add_prefix_space=true is not supported".into());
                }
            }
            Some("Split") => match s["pattern"]["Regex"].as_str() {
                Some(re) if pattern.is_none() => splits.push(re),
                _ => return Err(format!("unsupported Split pre-tokenizer {s}")),
            },
            other => return Err(format!("unsupported pre-tokenizer {other:?}")),
        }
    }
    if !byte_level {
        return Err("the pre-tokenizer has no ByteLevel step, so this is not byte-level BPE".into());
    }
    match splits[..] {
        [] => Ok(pattern.unwrap_or(Pattern::None)),
        [re] => Ok(Pattern::parse(re)),
        _ if splits == DEEPSEEK_V3_SPLITS => Ok(Pattern::DeepseekV3),
        _ => Err(format!(
            "{} Split steps in sequence: genlab runs one, or DeepSeek V3's three",
            splits.len()
        )),
    }
}

impl Bpe {
    /// The tokenizer as a Hugging Face `tokenizer.json`, with its `ignore_merges` (true unless
    /// it was read as false: tiktoken's rule that a chunk equal to a token is that token).
    pub fn to_hf_json(&self) -> Result<String> {
        let mut vocab: BTreeMap<String, u32> =
            self.tokens().into_iter().map(|t| (bytelevel::encode(&t.bytes), t.id)).collect();
        // Special tokens are in the model's vocab too (as in GPT-2's own file): Hugging Face
        // gives an added token that is not there the next free id after the vocab, whatever
        // id the file says, which is wrong after an unused id (cl100k_base leaves 100256).
        for (text, id) in self.special_tokens() {
            vocab.entry(text.clone()).or_insert(*id);
        }
        let merges = self.merges()?;
        let text = |id: u32| bytelevel::encode(self.token_bytes(id).unwrap_or_default());
        let merges: Vec<String> =
            merges.iter().map(|&(l, r, _)| format!("{} {}", text(l), text(r))).collect();
        let byte_level = json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false});
        let splits = self.pattern().splits();
        let pre = if splits.is_empty() {
            byte_level.clone()
        } else {
            let mut steps: Vec<Value> = splits
                .iter()
                .map(|re| json!({"type": "Split", "pattern": {"Regex": re}, "behavior": "Isolated", "invert": false}))
                .collect();
            steps.push(byte_level.clone());
            json!({"type": "Sequence", "pretokenizers": steps})
        };
        let added: Vec<Value> = self
            .special_tokens()
            .iter()
            .map(|(t, id)| {
                json!({"id": id, "content": t, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": true})
            })
            .collect();
        let file = json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": added,
            "normalizer": null,
            "pre_tokenizer": pre,
            "post_processor": null,
            "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
            "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": self.ignore_merges(),
                "vocab": vocab, "merges": merges},
        });
        Ok(serde_json::to_string_pretty(&file).unwrap_or_default() + "\n")
    }

    /// Saves as a Hugging Face `tokenizer.json` (atomically).
    pub fn save_hf(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_hf_json()?)
    }

    /// Reads a Hugging Face byte-level BPE `tokenizer.json`; `path` only labels errors. Merge
    /// `i` gives its token rank `256 + i`; added tokens become special tokens.
    pub fn from_hf_json(src: &str, path: &str) -> Result<Bpe> {
        let f: HfFile = serde_json::from_str(src).map_err(|e| TokenizerError::json(path, &e))?;
        let fail = |line: Option<usize>, problem: String| parse_err(path, line, problem);
        if f.model.kind.as_deref().is_some_and(|k| k != "BPE") {
            return Err(fail(None, format!("model type {:?} is not BPE", f.model.kind)));
        }
        if let Some(problem) = unsupported(&f) {
            return Err(fail(None, problem));
        }
        let ignore_merges = f.model.ignore_merges;
        let pattern = pattern_of(f.pre_tokenizer.as_ref()).map_err(|p| fail(None, p))?;
        let special_ids: HashMap<u32, &str> =
            f.added_tokens.iter().map(|a| (a.id, a.content.as_str())).collect();
        let mut by_text: HashMap<&str, u32> = HashMap::new();
        let mut tokens: Vec<Token> = Vec::with_capacity(f.model.vocab.len());
        let mut entries: Vec<(&String, &u32)> = f.model.vocab.iter().collect();
        entries.sort_by_key(|e| *e.1);
        for (text, &id) in entries {
            if special_ids.contains_key(&id) {
                continue;
            }
            let Some(bytes) = bytelevel::decode(text) else {
                return Err(fail(
                    None,
                    format!("vocab entry {text:?} (id {id}) is not a byte-level string"),
                ));
            };
            let rank = if bytes.len() == 1 { u32::from(bytes[0]) } else { u32::MAX };
            by_text.insert(text, tokens.len() as u32);
            tokens.push(Token { id, bytes, rank });
        }
        for (i, m) in f.model.merges.iter().enumerate() {
            let line = || line_of_element(src, "merges", i);
            let (l, r) = match m {
                HfMerge::Pair(l, r) => (l.as_str(), r.as_str()),
                HfMerge::Joined(s) => s.split_once(' ').ok_or_else(|| {
                    fail(line(), format!("merge {i} {s:?} is not two tokens separated by a space"))
                })?,
            };
            let merged = format!("{l}{r}");
            for part in [l, r] {
                if !by_text.contains_key(part) {
                    return Err(fail(
                        line(),
                        format!("merge {i} uses {part:?}, which is not in the vocab"),
                    ));
                }
            }
            let Some(&slot) = by_text.get(merged.as_str()) else {
                return Err(fail(
                    line(),
                    format!("merge {i} makes {merged:?}, which is not in the vocab"),
                ));
            };
            let t = &mut tokens[slot as usize];
            if t.rank == u32::MAX {
                t.rank = 256 + i as u32;
            }
        }
        // genlab merges tiktoken's way (the adjacent pair whose join ranks lowest), which is
        // Hugging Face's way when every word is built by a listed merge. With ignore_merges =
        // false a word no merge builds is where they part, so such a file is refused.
        if !ignore_merges
            && let Some(t) = tokens.iter().find(|t| t.bytes.len() > 1 && t.rank == u32::MAX)
        {
            return Err(fail(
                None,
                format!(
                    "model.ignore_merges = false with vocabulary word {:?} (id {}) that no merge builds is not supported",
                    bytelevel::encode(&t.bytes),
                    t.id
                ),
            ));
        }
        let after = 256 + f.model.merges.len() as u32;
        for t in &mut tokens {
            if t.rank == u32::MAX {
                t.rank = after.saturating_add(t.id);
            }
        }
        let specials = f.added_tokens.into_iter().map(|a| (a.content, a.id)).collect();
        let bpe = Bpe::new(pattern, tokens, specials).map_err(|e| match e {
            TokenizerError::Vocab(problem) => fail(None, problem),
            other => other,
        })?;
        Ok(bpe.with_ignore_merges(ignore_merges))
    }

    /// Loads a Hugging Face `tokenizer.json` (see [`Bpe::from_hf_json`]).
    pub fn load_hf(path: impl AsRef<Path>) -> Result<Bpe> {
        let path = path.as_ref();
        Bpe::from_hf_json(&read(path)?, &path.display().to_string())
    }
}
