//! A chat template that works with any [`Tokenizer`] (character-level or BPE) by working at
//! the id level: four special tokens get the ids right after the base tokenizer's vocabulary,
//! so a model fine-tuned for chat grows its vocabulary by four (as Hugging Face's
//! `add_special_tokens` followed by `resize_token_embeddings`).
//!
//! | token | id |
//! |---|---|
//! | `<|system|>` | `base_vocab` |
//! | `<|user|>` | `base_vocab + 1` |
//! | `<|assistant|>` | `base_vocab + 2` |
//! | `<|end|>` | `base_vocab + 3` |
//!
//! Each message renders as `<role-token> content-ids <|end|>`; a generation prompt appends
//! `<|assistant|>` (Hugging Face's `add_generation_prompt`). In text form a conversation reads
//! `<|user|>Add 2 and 3.<|end|><|assistant|>5<|end|>`.
//!
//! ```
//! use genlab_tokenizer::{CharTokenizer, ChatTemplate, Message, Tokenizer};
//! let tok = CharTokenizer::train("Add 2 and 3.5");
//! let chat = ChatTemplate::new(tok.vocab_size() as u32);
//! let messages = [Message::user("Add 2 and 3."), Message::assistant("5")];
//! let (ids, mask) = chat.render(&tok, &messages).unwrap();
//! assert_eq!(chat.display(&tok, &ids).unwrap(), "<|user|>Add 2 and 3.<|end|><|assistant|>5<|end|>");
//! // Only the assistant's "5" and its closing <|end|> are trained on.
//! assert_eq!(mask.iter().filter(|&&m| m).count(), 2);
//! assert_eq!(chat.parse(&tok, &ids).unwrap(), messages);
//! ```

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Tokenizer;
use crate::error::{Result, TokenizerError};
use crate::io::{read, write_atomic};

/// The `"format"` tag of a saved [`ChatTemplate`].
const CHAT_FORMAT: &str = "genlab-chat-1";

/// Who speaks a [`Message`]; serialised in lower case (`"system"`, `"user"`, `"assistant"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions that frame the conversation.
    System,
    /// The person talking to the model.
    User,
    /// The model; the only role whose text a model is trained to produce.
    Assistant,
}

impl Role {
    /// All roles, in special-token order.
    pub const ALL: [Role; 3] = [Role::System, Role::User, Role::Assistant];

    /// The lower-case name used in JSON (`"system"`, `"user"`, `"assistant"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }

    /// The role with this lower-case name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    fn offset(self) -> u32 {
        match self {
            Role::System => 0,
            Role::User => 1,
            Role::Assistant => 2,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Who speaks.
    pub role: Role,
    /// What they say.
    pub content: String,
}

impl Message {
    /// A message with this role and content.
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Message { role, content: content.into() }
    }

    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Message::new(Role::System, content)
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Message::new(Role::User, content)
    }

    /// An assistant message.
    pub fn assistant(content: impl Into<String>) -> Self {
        Message::new(Role::Assistant, content)
    }
}

/// The on-disk shape of a [`ChatTemplate`]: `{"format": "genlab-chat-1", "base_vocab": N}`.
#[derive(Serialize, Deserialize)]
struct ChatFile {
    format: String,
    base_vocab: u32,
}

/// The chat template of a model whose base tokenizer has `base_vocab` ids: the four special
/// tokens take ids `base_vocab..base_vocab + 4`.
///
/// Serialises (with serde, and in [`ChatTemplate::save`]) as
/// `{"format": "genlab-chat-1", "base_vocab": N}`; deserialising checks the format tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ChatFile", try_from = "ChatFile")]
pub struct ChatTemplate {
    /// Number of ids of the base tokenizer; the first special id.
    pub base_vocab: u32,
}

impl From<ChatTemplate> for ChatFile {
    fn from(t: ChatTemplate) -> Self {
        ChatFile { format: CHAT_FORMAT.to_string(), base_vocab: t.base_vocab }
    }
}

impl TryFrom<ChatFile> for ChatTemplate {
    type Error = String;

    fn try_from(f: ChatFile) -> std::result::Result<Self, String> {
        if f.format != CHAT_FORMAT {
            return Err(format!("\"format\" is {:?}, expected {CHAT_FORMAT:?}", f.format));
        }
        if f.base_vocab > ChatTemplate::MAX_BASE_VOCAB {
            return Err(format!(
                "\"base_vocab\" {} leaves no room for the 4 special ids (at most {})",
                f.base_vocab,
                ChatTemplate::MAX_BASE_VOCAB
            ));
        }
        Ok(ChatTemplate { base_vocab: f.base_vocab })
    }
}

fn chat_err(problem: impl Into<String>) -> TokenizerError {
    TokenizerError::Chat(problem.into())
}

impl ChatTemplate {
    /// The special tokens' names, in id order (`base_vocab`, `+1`, `+2`, `+3`).
    pub const SPECIALS: [&'static str; 4] = ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"];

    /// The largest `base_vocab` whose special ids still fit in a `u32`.
    pub const MAX_BASE_VOCAB: u32 = u32::MAX - 4;

    /// The template for a base tokenizer with `base_vocab` ids. A `base_vocab` above
    /// [`ChatTemplate::MAX_BASE_VOCAB`] is accepted here but refused by every method that
    /// reads or writes ids.
    pub fn new(base_vocab: u32) -> Self {
        ChatTemplate { base_vocab }
    }

    /// Ids of the model that uses this template: `base_vocab + 4`.
    pub fn vocab_size(&self) -> usize {
        self.base_vocab as usize + Self::SPECIALS.len()
    }

    /// The special id that opens a message of `role`.
    pub fn role_id(&self, role: Role) -> u32 {
        self.base_vocab.wrapping_add(role.offset())
    }

    /// The special id that closes every message, `<|end|>`.
    pub fn end_id(&self) -> u32 {
        self.base_vocab.wrapping_add(3)
    }

    /// Whether `id` is one of the four special ids.
    pub fn is_special(&self, id: u32) -> bool {
        id >= self.base_vocab && id - self.base_vocab < Self::SPECIALS.len() as u32
    }

    /// The name of a special id (`"<|user|>"`), or `None` for any other id.
    pub fn special_name(&self, id: u32) -> Option<&'static str> {
        self.is_special(id).then(|| Self::SPECIALS[(id - self.base_vocab) as usize])
    }

    /// The role a special id opens, or `None` (for `<|end|>` and ordinary ids).
    pub fn role_of(&self, id: u32) -> Option<Role> {
        Role::ALL.into_iter().find(|&r| self.role_id(r) == id && self.is_special(id))
    }

    /// Checks that the template is usable and that `tok` is the tokenizer it was made for.
    fn check(&self, tok: &dyn Tokenizer) -> Result<()> {
        if self.base_vocab > Self::MAX_BASE_VOCAB {
            return Err(chat_err(format!(
                "base_vocab {} leaves no room for the 4 special ids (at most {})",
                self.base_vocab,
                Self::MAX_BASE_VOCAB
            )));
        }
        if tok.vocab_size() != self.base_vocab as usize {
            return Err(chat_err(format!(
                "the tokenizer has {} ids but the template was made for base_vocab {}",
                tok.vocab_size(),
                self.base_vocab
            )));
        }
        Ok(())
    }

    /// Encodes one message's content, checking the tokenizer keeps inside the base range.
    fn encode_content(&self, tok: &dyn Tokenizer, index: usize, content: &str) -> Result<Vec<u32>> {
        let ids = tok.encode(content)?;
        if let Some(&id) = ids.iter().find(|&&id| id >= self.base_vocab) {
            return Err(chat_err(format!(
                "message {index}: the tokenizer produced id {id}, outside its base vocabulary of {}",
                self.base_vocab
            )));
        }
        Ok(ids)
    }

    /// The ids of `messages`, and a mask marking what a model is trained to produce: `true` on
    /// the content ids of assistant messages and the `<|end|>` closing each of them; `false` on
    /// role tokens, system/user content and their `<|end|>`.
    ///
    /// Errors if `tok.vocab_size()` differs from `base_vocab` (naming both numbers) or if some
    /// content cannot be encoded (the tokenizer's own error).
    pub fn render(
        &self,
        tok: &dyn Tokenizer,
        messages: &[Message],
    ) -> Result<(Vec<u32>, Vec<bool>)> {
        self.check(tok)?;
        let mut ids = Vec::new();
        let mut mask = Vec::new();
        for (index, m) in messages.iter().enumerate() {
            let content = self.encode_content(tok, index, &m.content)?;
            let trained = m.role == Role::Assistant;
            ids.push(self.role_id(m.role));
            mask.push(false);
            mask.extend(std::iter::repeat_n(trained, content.len() + 1));
            ids.extend(content);
            ids.push(self.end_id());
        }
        Ok((ids, mask))
    }

    /// [`ChatTemplate::render`]'s ids followed by `<|assistant|>`: the prompt a model continues.
    pub fn generation_prompt(&self, tok: &dyn Tokenizer, messages: &[Message]) -> Result<Vec<u32>> {
        let (mut ids, _) = self.render(tok, messages)?;
        ids.push(self.role_id(Role::Assistant));
        Ok(ids)
    }

    /// A prompt/response pair as a two-message conversation (user, assistant): ids and mask,
    /// as [`ChatTemplate::render`] gives them. The convenience used by supervised fine-tuning.
    pub fn render_pair(
        &self,
        tok: &dyn Tokenizer,
        prompt: &str,
        response: &str,
    ) -> Result<(Vec<u32>, Vec<bool>)> {
        self.render(tok, &[Message::user(prompt), Message::assistant(response)])
    }

    /// Checks that `id` at `pos` is a known id; content ids must also be bytes of `tok`.
    fn check_id(&self, tok: &dyn Tokenizer, pos: usize, id: u32) -> Result<()> {
        if id as usize >= self.vocab_size() {
            return Err(chat_err(format!(
                "position {pos}: id {id} is outside the chat vocabulary of {} ids",
                self.vocab_size()
            )));
        }
        if id < self.base_vocab && tok.token_bytes(id).is_none() {
            return Err(chat_err(format!(
                "position {pos}: content id {id} is not a token of the base tokenizer"
            )));
        }
        Ok(())
    }

    /// Inverse of [`ChatTemplate::render`]: the messages of a well-formed id sequence.
    ///
    /// Errors, naming the position, on a content id the base tokenizer does not have, a
    /// missing role token, an unterminated message, or an id `>= vocab_size()`. A trailing
    /// `<|assistant|>` with content and no `<|end|>` yet (a response being generated) is an
    /// error here too; use [`ChatTemplate::decode_response`] for that.
    pub fn parse(&self, tok: &dyn Tokenizer, ids: &[u32]) -> Result<Vec<Message>> {
        self.check(tok)?;
        let mut messages = Vec::new();
        // The open message: its role, the position of its role token, and where content starts.
        let mut open: Option<(Role, usize)> = None;
        for (pos, &id) in ids.iter().enumerate() {
            self.check_id(tok, pos, id)?;
            match open {
                None => {
                    if let Some(role) = self.role_of(id) {
                        open = Some((role, pos));
                    } else if id == self.end_id() {
                        return Err(chat_err(format!(
                            "position {pos}: <|end|> without a role token opening a message"
                        )));
                    } else {
                        return Err(chat_err(format!(
                            "position {pos}: content id {id} without a role token opening a message"
                        )));
                    }
                }
                Some((role, start)) => {
                    if id == self.end_id() {
                        let content = tok.decode(&ids[start + 1..pos])?;
                        messages.push(Message { role, content });
                        open = None;
                    } else if let Some(other) = self.role_of(id) {
                        return Err(chat_err(format!(
                            "position {pos}: {} inside the {role} message opened at position \
                             {start}, which has no <|end|>",
                            Self::SPECIALS[other.offset() as usize]
                        )));
                    }
                }
            }
        }
        if let Some((role, start)) = open {
            let hint = if role == Role::Assistant {
                " (use decode_response for a response being generated)"
            } else {
                ""
            };
            return Err(chat_err(format!(
                "position {}: the {role} message opened at position {start} has no <|end|>{hint}",
                ids.len()
            )));
        }
        Ok(messages)
    }

    /// The text of generated ids up to (not including) the first `<|end|>`, and whether
    /// `<|end|>` was seen; ids after it are ignored. Any other special id before it is an
    /// error naming its position, as is an id `>= vocab_size()`.
    pub fn decode_response(&self, tok: &dyn Tokenizer, ids: &[u32]) -> Result<(String, bool)> {
        self.check(tok)?;
        let mut end = ids.len();
        let mut ended = false;
        for (pos, &id) in ids.iter().enumerate() {
            self.check_id(tok, pos, id)?;
            if id == self.end_id() {
                end = pos;
                ended = true;
                break;
            }
            if let Some(name) = self.special_name(id) {
                return Err(chat_err(format!(
                    "position {pos}: special token {name} inside a response"
                )));
            }
        }
        Ok((tok.decode(&ids[..end])?, ended))
    }

    /// Human-readable text of any ids: special ids as their names, runs of other ids decoded
    /// together (so characters split across tokens come out whole).
    pub fn display(&self, tok: &dyn Tokenizer, ids: &[u32]) -> Result<String> {
        self.check(tok)?;
        let mut out = String::new();
        let mut run_start = 0;
        for (pos, &id) in ids.iter().enumerate() {
            self.check_id(tok, pos, id)?;
            if let Some(name) = self.special_name(id) {
                out.push_str(&tok.decode(&ids[run_start..pos])?);
                out.push_str(name);
                run_start = pos + 1;
            }
        }
        out.push_str(&tok.decode(&ids[run_start..])?);
        Ok(out)
    }

    /// The JSON text of this template, `{"format": "genlab-chat-1", "base_vocab": N}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&ChatFile::from(self.clone())).unwrap_or_default() + "\n"
    }

    /// Reads the JSON text of a template, checking its format tag; `path` only labels errors.
    pub fn from_json(src: &str, path: &str) -> Result<Self> {
        let file: ChatFile =
            serde_json::from_str(src).map_err(|e| TokenizerError::json(path, &e))?;
        ChatTemplate::try_from(file)
            .map_err(|problem| TokenizerError::Format { path: path.to_string(), problem })
    }

    /// Saves as JSON, atomically (a temporary file in the same folder, then a rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_json())
    }

    /// Loads a template saved by [`ChatTemplate::save`]; a missing file, malformed JSON or a
    /// wrong `"format"` tag is an error naming the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_json(&read(path)?, &path.display().to_string())
    }
}

mod records;

pub use records::conversation;

#[cfg(test)]
mod tests;
