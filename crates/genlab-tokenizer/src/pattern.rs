//! The pre-tokenizer: how text is cut into chunks before byte-pair merging. Merges never cross a
//! chunk boundary, which keeps words, numbers and spaces from fusing into odd tokens.

use crate::classes::Classifier;
use crate::error::{Result, TokenizerError};
use crate::split::{gpt2_end, gpt4_end, o200k_end, qwen2_end};

/// The GPT-2 split pattern (also what Hugging Face's `ByteLevel` pre-tokenizer uses).
pub const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// The GPT-4 (`cl100k_base`) split pattern.
pub const GPT4_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+";

/// The GPT-4o (`o200k_base`) split pattern: words split at case changes (`CamelCase` is two
/// chunks), contractions stay on their word, and `/` may end a punctuation run.
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
);

/// Qwen2's split pattern (Qwen 2, 2.5 and 3): GPT-4's, except that every digit is a chunk of
/// its own.
pub const QWEN2_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Which split pattern a tokenizer uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// No pre-tokenization: the whole text is one chunk (minbpe's `BasicTokenizer`).
    None,
    /// [`GPT2_PATTERN`], run by a hand-written splitter with identical output.
    Gpt2,
    /// [`GPT4_PATTERN`], run by a hand-written splitter with identical output.
    Gpt4,
    /// [`O200K_PATTERN`], run by a hand-written splitter with identical output.
    O200k,
    /// [`QWEN2_PATTERN`], run by a hand-written splitter with identical output.
    Qwen2,
    /// Any fancy-regex pattern. Text between matches becomes chunks too, so nothing is lost.
    Custom(String),
}

impl Pattern {
    /// The name used in files and on the command line: `none`, `gpt2`, `gpt4`, `o200k`,
    /// `qwen2`, else the regex.
    pub fn as_str(&self) -> &str {
        match self {
            Pattern::None => "none",
            Pattern::Gpt2 => "gpt2",
            Pattern::Gpt4 => "gpt4",
            Pattern::O200k => "o200k",
            Pattern::Qwen2 => "qwen2",
            Pattern::Custom(p) => p,
        }
    }

    /// Inverse of [`Pattern::as_str`]; the built-in regexes written out also map to their
    /// built-in patterns.
    pub fn parse(s: &str) -> Pattern {
        match s {
            "none" | "" => Pattern::None,
            "gpt2" | GPT2_PATTERN => Pattern::Gpt2,
            "gpt4" | GPT4_PATTERN => Pattern::Gpt4,
            "o200k" | O200K_PATTERN => Pattern::O200k,
            "qwen2" | QWEN2_PATTERN => Pattern::Qwen2,
            other => Pattern::Custom(other.to_string()),
        }
    }

    /// The regex this pattern stands for, if it has one.
    pub fn regex(&self) -> Option<&str> {
        match self {
            Pattern::None => None,
            Pattern::Gpt2 => Some(GPT2_PATTERN),
            Pattern::Gpt4 => Some(GPT4_PATTERN),
            Pattern::O200k => Some(O200K_PATTERN),
            Pattern::Qwen2 => Some(QWEN2_PATTERN),
            Pattern::Custom(p) => Some(p),
        }
    }

    /// Compiles the pattern into a [`Splitter`].
    pub fn splitter(&self) -> Result<Splitter> {
        let kind = match self {
            Pattern::None => Kind::Whole,
            Pattern::Gpt2 => Kind::Gpt2,
            Pattern::Gpt4 => Kind::Gpt4,
            Pattern::O200k => Kind::O200k,
            Pattern::Qwen2 => Kind::Qwen2,
            Pattern::Custom(p) => {
                Kind::Regex(Box::new(fancy_regex::Regex::new(p).map_err(|e| {
                    TokenizerError::Pattern { pattern: p.to_string(), reason: e.to_string() }
                })?))
            }
        };
        Ok(Splitter { pattern: self.clone(), kind })
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Whole,
    Gpt2,
    Gpt4,
    O200k,
    Qwen2,
    Regex(Box<fancy_regex::Regex>),
}

/// A compiled [`Pattern`]: cuts text into chunks.
#[derive(Clone, Debug)]
pub struct Splitter {
    pattern: Pattern,
    kind: Kind,
}

impl Splitter {
    /// The pattern this splitter was built from.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// True when long texts may be cut at [`crate::split::block_cuts`] and split in parallel.
    pub(crate) fn parallel_safe(&self) -> bool {
        matches!(self.kind, Kind::Gpt2 | Kind::Gpt4 | Kind::O200k | Kind::Qwen2)
    }

    /// Calls `f` on every chunk of `text`, in order; the chunks concatenate to `text`.
    ///
    /// ```
    /// use genlab_tokenizer::Pattern;
    /// let mut chunks = Vec::new();
    /// Pattern::Gpt2.splitter().unwrap().for_each("Hello, world!!  ok", |c| chunks.push(c));
    /// assert_eq!(chunks, ["Hello", ",", " world", "!!", " ", " ok"]);
    /// ```
    pub fn for_each<'a>(&self, text: &'a str, mut f: impl FnMut(&'a str)) {
        match &self.kind {
            Kind::Whole => {
                if !text.is_empty() {
                    f(text)
                }
            }
            Kind::Gpt2 => walk(text, &mut f, gpt2_end),
            Kind::Gpt4 => walk(text, &mut f, gpt4_end),
            Kind::O200k => walk(text, &mut f, o200k_end),
            Kind::Qwen2 => walk(text, &mut f, qwen2_end),
            Kind::Regex(re) => {
                let mut last = 0;
                for m in re.find_iter(text) {
                    let Ok(m) = m else { break }; // backtrack limit: the rest is one chunk
                    if m.start() > last {
                        f(&text[last..m.start()]);
                    }
                    if m.end() > m.start() {
                        f(m.as_str());
                    }
                    last = m.end();
                }
                if last < text.len() {
                    f(&text[last..]);
                }
            }
        }
    }

    /// The chunks of `text` as a vector (see [`Splitter::for_each`]).
    pub fn split<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        self.for_each(text, |c| out.push(c));
        out
    }
}

/// Calls `f` on each chunk, `end` giving where the chunk at a byte ends. Generic rather than
/// a function pointer, so that each splitter is compiled into its own loop.
#[inline]
fn walk<'a>(
    text: &'a str,
    f: &mut impl FnMut(&'a str),
    end: impl Fn(&str, usize, Classifier) -> usize,
) {
    let k = Classifier::new();
    let mut i = 0;
    while i < text.len() {
        let j = end(text, i, k);
        f(&text[i..j]);
        i = j;
    }
}
