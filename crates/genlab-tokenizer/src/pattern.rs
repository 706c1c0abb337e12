//! The pre-tokenizer: how text is cut into chunks before byte-pair merging. Merges never cross a
//! chunk boundary, which keeps words, numbers and spaces from fusing into odd tokens.

use crate::classes::Classifier;
use crate::error::{Result, TokenizerError};
use crate::split::{deepseek, gpt2_end, gpt4_end, o200k_end, qwen2_end, tekken_end};

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

/// Mistral's Tekken split pattern (Mistral NeMo and later; the `Split` pre-tokenizer of its
/// `tokenizer.json`): o200k's, without the contractions, one digit per number chunk.
pub const TEKKEN_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+",
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*",
    r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
);

/// DeepSeek V3's pre-tokenizer (V3 and R1; its `tokenizer.json`): three Hugging Face `Split`
/// steps with `Isolated` behaviour, each cutting the pieces of the one before. Digits go in runs
/// of at most three, then runs of CJK ideographs and kana, then a GPT-4-like pattern over what
/// is left (an ASCII punctuation mark may lead a run of ASCII letters).
pub const DEEPSEEK_V3_SPLITS: [&str; 3] = [
    r"\p{N}{1,3}",
    r"[一-龥\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+",
    concat!(
        r"[!-/:-@\[-`{-~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*",
        r"|\s*[\r\n]+|\s+(?!\S)|\s+",
    ),
];

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
    /// [`TEKKEN_PATTERN`], run by a hand-written splitter with identical output.
    Tekken,
    /// [`DEEPSEEK_V3_SPLITS`], three regexes in sequence, run by a hand-written splitter with
    /// identical output.
    DeepseekV3,
    /// Any fancy-regex pattern. Text between matches becomes chunks too, so nothing is lost.
    Custom(String),
}

impl Pattern {
    /// The name used in files and on the command line: `none`, `gpt2`, `gpt4`, `o200k`,
    /// `qwen2`, `tekken`, else the regex.
    pub fn as_str(&self) -> &str {
        match self {
            Pattern::None => "none",
            Pattern::Gpt2 => "gpt2",
            Pattern::Gpt4 => "gpt4",
            Pattern::O200k => "o200k",
            Pattern::Qwen2 => "qwen2",
            Pattern::Tekken => "tekken",
            Pattern::DeepseekV3 => "deepseek_v3",
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
            "tekken" | TEKKEN_PATTERN => Pattern::Tekken,
            "deepseek_v3" => Pattern::DeepseekV3,
            other => Pattern::Custom(other.to_string()),
        }
    }

    /// The regexes this pattern applies one after the other, each cutting the pieces of the
    /// one before and keeping what it does not match as pieces too (Hugging Face's `Split` with
    /// `Isolated` behaviour): one for most patterns, none for [`Pattern::None`].
    pub fn splits(&self) -> Vec<&str> {
        match self {
            Pattern::DeepseekV3 => DEEPSEEK_V3_SPLITS.to_vec(),
            other => other.regex().into_iter().collect(),
        }
    }

    /// The single regex this pattern stands for, if it is one (see [`Pattern::splits`]).
    pub fn regex(&self) -> Option<&str> {
        match self {
            Pattern::None => None,
            Pattern::Gpt2 => Some(GPT2_PATTERN),
            Pattern::Gpt4 => Some(GPT4_PATTERN),
            Pattern::O200k => Some(O200K_PATTERN),
            Pattern::Qwen2 => Some(QWEN2_PATTERN),
            Pattern::Tekken => Some(TEKKEN_PATTERN),
            Pattern::DeepseekV3 => None,
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
            Pattern::Tekken => Kind::Tekken,
            Pattern::DeepseekV3 => Kind::Deepseek,
            Pattern::Custom(_) => return self.regex_splitter(),
        };
        Ok(Splitter { pattern: self.clone(), kind })
    }

    /// The pattern run by fancy-regex, its [`Pattern::splits`] one after the other: what the
    /// built-in patterns' hand-written splitters are tested against.
    pub fn regex_splitter(&self) -> Result<Splitter> {
        let steps: Vec<fancy_regex::Regex> =
            self.splits().into_iter().map(compile).collect::<Result<_>>()?;
        Ok(Splitter { pattern: self.clone(), kind: Kind::Sequence(steps) })
    }
}

fn compile(p: &str) -> Result<fancy_regex::Regex> {
    fancy_regex::Regex::new(p)
        .map_err(|e| TokenizerError::Pattern { pattern: p.to_string(), reason: e.to_string() })
}

#[derive(Clone, Debug)]
enum Kind {
    Whole,
    Gpt2,
    Gpt4,
    O200k,
    Qwen2,
    Tekken,
    Deepseek,
    /// Regexes applied one after the other (none: the whole text is one chunk).
    Sequence(Vec<fancy_regex::Regex>),
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
        matches!(self.kind, Kind::Gpt2 | Kind::Gpt4 | Kind::O200k | Kind::Qwen2 | Kind::Tekken)
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
            Kind::Tekken => walk(text, &mut f, tekken_end),
            Kind::Deepseek => deepseek::for_each(text, Classifier::new(), &mut f),
            Kind::Sequence(steps) if !text.is_empty() => sequence(steps, text, &mut f),
            Kind::Sequence(_) => {}
        }
    }

    /// The chunks of `text` as a vector (see [`Splitter::for_each`]).
    pub fn split<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        self.for_each(text, |c| out.push(c));
        out
    }
}

/// Calls `f` on the matches of `re` in `text` and on the text between them, in order.
fn isolate<'a>(re: &fancy_regex::Regex, text: &'a str, f: &mut dyn FnMut(&'a str)) {
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

/// [`isolate`] with the first of `steps`, then the rest on each piece.
fn sequence<'a>(steps: &[fancy_regex::Regex], text: &'a str, f: &mut dyn FnMut(&'a str)) {
    match steps.split_first() {
        None => f(text),
        Some((first, rest)) => isolate(first, text, &mut |piece| sequence(rest, piece, f)),
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
