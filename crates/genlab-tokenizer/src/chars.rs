//! A character-level tokenizer (one id per distinct character, in code-point order), for
//! nanoGPT-style character models. Same [`Tokenizer`] trait as the BPE.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use crate::Tokenizer;
use crate::error::{Result, TokenizerError};

/// Maps each character of a fixed alphabet to an id.
#[derive(Clone, Debug)]
pub struct CharTokenizer {
    chars: Vec<char>,
    bytes: Vec<Vec<u8>>,
    ids: FxHashMap<char, u32>,
}

impl CharTokenizer {
    /// The alphabet of `text`: every distinct character, sorted by code point.
    ///
    /// ```
    /// use genlab_tokenizer::{CharTokenizer, Tokenizer};
    /// let t = CharTokenizer::train("hello");
    /// assert_eq!(t.alphabet(), ['e', 'h', 'l', 'o']);
    /// assert_eq!(t.encode("hole").unwrap(), [1, 3, 2, 0]);
    /// assert!(t.encode("help!").is_err());
    /// ```
    pub fn train(text: &str) -> Self {
        let set: BTreeSet<char> = text.chars().collect();
        Self::from_alphabet(set.into_iter().collect()).unwrap_or_else(|_| unreachable!())
    }

    /// A tokenizer over these characters, id = position; duplicates are an error.
    pub fn from_alphabet(chars: Vec<char>) -> Result<Self> {
        let mut ids = FxHashMap::default();
        for (i, &c) in chars.iter().enumerate() {
            if ids.insert(c, i as u32).is_some() {
                return Err(TokenizerError::Vocab(format!("character {c:?} appears twice")));
            }
        }
        let bytes = chars.iter().map(|c| c.to_string().into_bytes()).collect();
        Ok(CharTokenizer { chars, bytes, ids })
    }

    /// The characters, in id order.
    pub fn alphabet(&self) -> &[char] {
        &self.chars
    }

    /// Id of one character.
    pub fn id(&self, c: char) -> Option<u32> {
        self.ids.get(&c).copied()
    }
}

impl Tokenizer for CharTokenizer {
    fn encode(&self, text: &str) -> Result<Vec<u32>> {
        text.char_indices()
            .map(|(offset, ch)| {
                self.id(ch).ok_or(TokenizerError::UnknownChar { ch, code: ch as u32, offset })
            })
            .collect()
    }

    fn decode(&self, ids: &[u32]) -> Result<String> {
        ids.iter()
            .map(|&id| {
                self.chars
                    .get(id as usize)
                    .copied()
                    .ok_or(TokenizerError::UnknownId { id, vocab_size: self.chars.len() })
            })
            .collect()
    }

    fn vocab_size(&self) -> usize {
        self.chars.len()
    }

    fn token_bytes(&self, id: u32) -> Option<&[u8]> {
        self.bytes.get(id as usize).map(Vec::as_slice)
    }
}
