//! tiktoken rank files: one `base64(token bytes) rank` per line, where the rank is also the id.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustc_hash::FxHashMap;

use super::{parse_err, read, write_atomic};
use crate::bpe::{Bpe, MAX_UNUSED_IDS, Token};
use crate::error::{Result, TokenizerError};
use crate::pattern::Pattern;

impl Bpe {
    /// Parses a tiktoken rank file. The file holds no pattern or special tokens, so they are
    /// given here (see [`crate::Encoding`] for the published vocabularies'). Specials may take
    /// ranks the file leaves free. `path` only labels errors.
    ///
    /// ```
    /// use genlab_tokenizer::{Bpe, Pattern};
    /// let bpe = Bpe::bytes_only(Pattern::Gpt2).unwrap();
    /// let text = bpe.to_tiktoken().unwrap();
    /// assert!(text.starts_with("AA== 0\nAQ== 1\n"));
    /// let err = Bpe::from_tiktoken("AA== 0\nAQ==1\n", "ranks", Pattern::Gpt2, vec![]).unwrap_err();
    /// assert_eq!(err.to_string(), "ranks: line 2: expected `base64 rank`, found \"AQ==1\"");
    /// ```
    pub fn from_tiktoken(
        src: &str,
        path: &str,
        pattern: Pattern,
        specials: Vec<(String, u32)>,
    ) -> Result<Bpe> {
        let err = |line: usize, problem: String| TokenizerError::Parse {
            path: path.into(),
            line,
            problem,
        };
        let mut tokens = Vec::new();
        let mut lines = Vec::new();
        for (i, line) in src.lines().enumerate() {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split(' ');
            let (Some(b64), Some(rank), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(err(n, format!("expected `base64 rank`, found {line:?}")));
            };
            let bytes = STANDARD
                .decode(b64)
                .map_err(|e| err(n, format!("token {b64:?} is not valid base64: {e}")))?;
            if bytes.is_empty() {
                return Err(err(n, "empty token".into()));
            }
            let rank: u32 = rank
                .trim_end()
                .parse()
                .map_err(|_| err(n, format!("rank {rank:?} is not a non-negative integer")))?;
            tokens.push(Token { id: rank, bytes, rank });
            lines.push(n);
        }
        // Real rank files leave a few ranks to special tokens (p50k_base: 50256), so a gap is
        // fine up to MAX_UNUSED_IDS; past that it is a damaged file.
        let count = tokens.len();
        let limit = count + MAX_UNUSED_IDS;
        if let Some(i) = tokens.iter().position(|t| t.rank as usize >= limit) {
            return Err(err(
                lines[i],
                format!(
                    "rank {} leaves a gap: {count} tokens may leave at most {MAX_UNUSED_IDS} ranks unused",
                    tokens[i].rank
                ),
            ));
        }
        // Repeated ranks and repeated tokens, whichever comes first in the file. Ranks are below
        // `limit` now, so a table indexed by rank finds them without hashing.
        let mut first_with_rank = vec![0usize; limit];
        let mut first_with_bytes: FxHashMap<&[u8], usize> =
            FxHashMap::with_capacity_and_hasher(count, Default::default());
        for (t, &n) in tokens.iter().zip(&lines) {
            if let Some(&prev) = first_with_bytes.get(t.bytes.as_slice()) {
                let b64 = STANDARD.encode(&t.bytes);
                return Err(err(n, format!("token {b64:?} already appeared on line {prev}")));
            }
            first_with_bytes.insert(&t.bytes, n);
            let prev = std::mem::replace(&mut first_with_rank[t.rank as usize], n);
            if prev != 0 {
                return Err(err(n, format!("rank {} already appeared on line {prev}", t.rank)));
            }
        }
        drop(first_with_bytes);
        Bpe::new(pattern, tokens, specials).map_err(|e| match e {
            TokenizerError::Vocab(problem) => parse_err(path, None, problem),
            other => other,
        })
    }

    /// Loads a tiktoken rank file (see [`Bpe::from_tiktoken`]).
    pub fn load_tiktoken(
        path: impl AsRef<Path>,
        pattern: Pattern,
        specials: Vec<(String, u32)>,
    ) -> Result<Bpe> {
        let path = path.as_ref();
        Bpe::from_tiktoken(&read(path)?, &path.display().to_string(), pattern, specials)
    }

    /// The ordinary tokens as a tiktoken rank file. tiktoken's ids are its ranks, so every
    /// rank must equal its id.
    pub fn to_tiktoken(&self) -> Result<String> {
        let mut tokens = self.tokens();
        if let Some(t) = tokens.iter().find(|t| t.rank != t.id) {
            return Err(TokenizerError::Vocab(format!(
                "token {} has rank {}: tiktoken files need rank == id",
                t.id, t.rank
            )));
        }
        tokens.sort_by_key(|t| t.rank);
        let mut out = String::with_capacity(tokens.len() * 12);
        for t in tokens {
            out.push_str(&STANDARD.encode(&t.bytes));
            out.push(' ');
            out.push_str(&t.rank.to_string());
            out.push('\n');
        }
        Ok(out)
    }

    /// Saves the ranks as a tiktoken file (atomically).
    pub fn save_tiktoken(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_tiktoken()?)
    }
}
