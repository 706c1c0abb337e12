//! Byte-level BPE and character tokenizers, with no dependency on a tensor library.
//!
//! Three verbs, as in minbpe: [`Trainer::train`] learns merges from text, [`Bpe::encode`]
//! turns text into ids, [`Bpe::decode`] turns ids back into text. Features come in layers:
//! bytes (every text is encodable, ids 0..=255 are the bytes), a split pattern (GPT-2 or
//! GPT-4, or a custom regex) that keeps merges inside words, then special tokens with an
//! explicit policy ([`AllowedSpecial`]).
//!
//! ```
//! use genlab_tokenizer::{Pattern, Trainer};
//! let text = "the cat sat on the mat; the cat ate the rat";
//! let bpe = Trainer::new(270).pattern(Pattern::Gpt2).train(text).unwrap();
//! let ids = bpe.encode("the cat");
//! assert!(ids.len() < "the cat".len());
//! assert_eq!(bpe.decode(&ids).unwrap(), "the cat");
//! ```
//!
//! Encoding follows tiktoken's rules exactly (a chunk equal to a token is that token; otherwise
//! the adjacent pair whose concatenation has the lowest rank merges first), so a vocabulary
//! exported with [`Bpe::save_tiktoken`] gives the same ids in tiktoken.

mod bpe;
pub mod bytelevel;
mod chars;
pub mod chat;
mod classes;
mod encoding;
mod error;
mod index;
mod io;
mod memo;
mod merge;
mod pattern;
mod special;
mod split;
mod stream;
mod train;
mod vocab;

pub use bpe::{Bpe, MAX_UNUSED_IDS, Token};
pub use chars::CharTokenizer;
pub use chat::{ChatTemplate, Message, Role};
pub use encoding::Encoding;
pub use error::{Result, TokenizerError};
pub use io::binary::{BINARY_MAGIC, BINARY_VERSION, binary_checksum};
pub use io::native::{NATIVE_VERSION, load};
pub use pattern::{
    DEEPSEEK_V3_SPLITS, GPT2_PATTERN, GPT4_PATTERN, O200K_PATTERN, Pattern, QWEN2_PATTERN,
    Splitter, TEKKEN_PATTERN,
};
pub use special::AllowedSpecial;
pub use stream::StreamDecoder;
pub use train::Trainer;

/// What a language model needs from a tokenizer; implemented by [`Bpe`] and [`CharTokenizer`],
/// usable as `Box<dyn Tokenizer>`.
pub trait Tokenizer: Send + Sync + std::fmt::Debug {
    /// Text to ids. Fails only for text the vocabulary cannot express (a character-level
    /// tokenizer meeting an unseen character); byte-level BPE always succeeds.
    fn encode(&self, text: &str) -> Result<Vec<u32>>;
    /// Ids to text (invalid UTF-8 from a partial character becomes U+FFFD).
    fn decode(&self, ids: &[u32]) -> Result<String>;
    /// Number of ids.
    fn vocab_size(&self) -> usize;
    /// The bytes one id stands for.
    fn token_bytes(&self, id: u32) -> Option<&[u8]>;
}

impl Tokenizer for Bpe {
    fn encode(&self, text: &str) -> Result<Vec<u32>> {
        Ok(Bpe::encode(self, text))
    }

    fn decode(&self, ids: &[u32]) -> Result<String> {
        Bpe::decode(self, ids)
    }

    fn vocab_size(&self) -> usize {
        Bpe::vocab_size(self)
    }

    fn token_bytes(&self, id: u32) -> Option<&[u8]> {
        Bpe::token_bytes(self, id)
    }
}
