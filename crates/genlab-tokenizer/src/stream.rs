//! Streaming decode for generation: ids go in one at a time, text comes out only once it forms
//! complete UTF-8, so an emoji split over several byte tokens never shows as U+FFFD.

use crate::Tokenizer;
use crate::error::{Result, TokenizerError};

/// Incremental decoder over any [`Tokenizer`]. The concatenation of everything [`push`] and
/// [`finish`] return equals `tokenizer.decode(all_ids)`.
///
/// ```
/// use genlab_tokenizer::{Bpe, Pattern, StreamDecoder};
/// let bpe = Bpe::bytes_only(Pattern::Gpt4).unwrap();
/// let ids = bpe.encode("a😀");
/// let mut stream = StreamDecoder::new(&bpe);
/// let pieces: Vec<String> = ids.iter().map(|&id| stream.push(id).unwrap()).collect();
/// assert_eq!(pieces, ["a", "", "", "", "😀"]);
/// assert_eq!(stream.finish(), "");
/// ```
///
/// [`push`]: StreamDecoder::push
/// [`finish`]: StreamDecoder::finish
#[derive(Debug)]
pub struct StreamDecoder<'a, T: Tokenizer + ?Sized> {
    tokenizer: &'a T,
    pending: Vec<u8>,
}

impl<'a, T: Tokenizer + ?Sized> StreamDecoder<'a, T> {
    /// A decoder with nothing pending.
    pub fn new(tokenizer: &'a T) -> Self {
        StreamDecoder { tokenizer, pending: Vec::new() }
    }

    /// Adds one id; returns the text it completes (often empty mid-character). Invalid byte
    /// sequences become U+FFFD exactly as in a full decode.
    pub fn push(&mut self, id: u32) -> Result<String> {
        let bytes = self
            .tokenizer
            .token_bytes(id)
            .ok_or(TokenizerError::UnknownId { id, vocab_size: self.tokenizer.vocab_size() })?;
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        let mut start = 0;
        loop {
            match std::str::from_utf8(&self.pending[start..]) {
                Ok(s) => {
                    out.push_str(s);
                    start = self.pending.len();
                    break;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    if let Ok(s) = std::str::from_utf8(&self.pending[start..start + valid]) {
                        out.push_str(s);
                    }
                    match e.error_len() {
                        Some(n) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            start += valid + n;
                        }
                        None => {
                            start += valid; // an incomplete character: wait for more bytes
                            break;
                        }
                    }
                }
            }
        }
        self.pending.drain(..start);
        Ok(out)
    }

    /// Bytes waiting for the rest of their character.
    pub fn pending(&self) -> &[u8] {
        &self.pending
    }

    /// Ends the stream: an incomplete trailing character becomes U+FFFD.
    pub fn finish(&mut self) -> String {
        let s = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        s
    }
}
