//! The published vocabularies by name: each one's split pattern, special tokens and size, so
//! that its rank file (`cl100k_base.tiktoken` and friends) loads into a [`Bpe`] that gives the
//! same ids as the model's own tokenizer.
//!
//! genlab does not ship the rank files (size and licence): point it at one you have.
//!
//! ```no_run
//! use genlab_tokenizer::Encoding;
//! let bpe = Encoding::Cl100kBase.load("cl100k_base.tiktoken").unwrap();
//! assert_eq!(bpe.encode("hello world"), [15339, 1917]);
//! ```

use std::path::Path;
use std::str::FromStr;

use crate::bpe::Bpe;
use crate::error::{Result, TokenizerError};
use crate::io::read;
use crate::pattern::Pattern;

/// A published vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// GPT-2 and GPT-3 (`gpt2` is another name for it).
    R50kBase,
    /// Codex and `text-davinci-002/003`: r50k_base plus runs of spaces.
    P50kBase,
    /// GPT-3.5 and GPT-4.
    Cl100kBase,
    /// GPT-4o, o1, o3, gpt-4.1.
    O200kBase,
    /// Llama 3, 3.1, 3.2 and 3.3 (Meta's `tokenizer.model`, a tiktoken rank file).
    Llama3,
    /// Qwen 2, 2.5 and 3.
    Qwen2,
    /// Mistral's Tekken vocabulary (Mistral NeMo, Pixtral, Ministral and later): ids 0..=999
    /// are control tokens (16 named, the rest placeholders that stay unused here), and its
    /// 130,072 byte-level ranks are ids 1000..=131071, so its rank file starts at rank 1000.
    MistralV3,
    /// DeepSeek V3 and R1. Ids 0..=2 are the sentence markers and padding, 128000..=128814
    /// placeholders and chat markers; its 127,997 ranks are ids 3..=127999.
    DeepseekV3,
}

impl Encoding {
    /// Every encoding genlab can load.
    pub const ALL: [Encoding; 8] = [
        Encoding::R50kBase,
        Encoding::P50kBase,
        Encoding::Cl100kBase,
        Encoding::O200kBase,
        Encoding::Llama3,
        Encoding::Qwen2,
        Encoding::MistralV3,
        Encoding::DeepseekV3,
    ];

    /// The name tiktoken and genlab use (`cl100k_base`), also the usual file stem.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::R50kBase => "r50k_base",
            Encoding::P50kBase => "p50k_base",
            Encoding::Cl100kBase => "cl100k_base",
            Encoding::O200kBase => "o200k_base",
            Encoding::Llama3 => "llama3",
            Encoding::Qwen2 => "qwen2",
            Encoding::MistralV3 => "mistral_v3",
            Encoding::DeepseekV3 => "deepseek_v3",
        }
    }

    /// The split pattern. Llama 3's regex is written differently from cl100k_base's but splits
    /// every text the same way (a possessive `?+` that cannot change a match, and `[\r\n]+`
    /// after a greedy `\s*`), so it runs on the same hand-written splitter.
    pub fn pattern(self) -> Pattern {
        match self {
            Encoding::R50kBase | Encoding::P50kBase => Pattern::Gpt2,
            Encoding::Cl100kBase | Encoding::Llama3 => Pattern::Gpt4,
            Encoding::O200kBase => Pattern::O200k,
            Encoding::Qwen2 => Pattern::Qwen2,
            Encoding::MistralV3 => Pattern::Tekken,
            Encoding::DeepseekV3 => Pattern::DeepseekV3,
        }
    }

    /// The number of ranks in the official file (its line count).
    pub fn ranks(self) -> usize {
        match self {
            Encoding::R50kBase => 50_256,
            Encoding::P50kBase => 50_280,
            Encoding::Cl100kBase => 100_256,
            Encoding::O200kBase => 199_998,
            Encoding::Llama3 => 128_000,
            Encoding::Qwen2 => 151_643,
            Encoding::MistralV3 => 130_072,
            Encoding::DeepseekV3 => 127_997,
        }
    }

    /// The special tokens and their ids, as the model's own tokenizer defines them (tiktoken's
    /// `openai_public.py`; Meta's and Qwen's `tokenizer_config.json` for the named tokens of the
    /// other two; Llama 3's unnamed `reserved_special_token`s are left out, as are Tekken's
    /// `<SPECIAL_n>` placeholders among its 1,000 control ids; DeepSeek's `tokenizer.json`
    /// added tokens, with their fullwidth bars `｜` and `▁`, placeholders included).
    pub fn special_tokens(self) -> Vec<(String, u32)> {
        let list: &[(&str, u32)] = match self {
            Encoding::R50kBase | Encoding::P50kBase => &[("<|endoftext|>", 50256)],
            Encoding::Cl100kBase => &[
                ("<|endoftext|>", 100_257),
                ("<|fim_prefix|>", 100_258),
                ("<|fim_middle|>", 100_259),
                ("<|fim_suffix|>", 100_260),
                ("<|endofprompt|>", 100_276),
            ],
            Encoding::O200kBase => &[("<|endoftext|>", 199_999), ("<|endofprompt|>", 200_018)],
            Encoding::Llama3 => &[
                ("<|begin_of_text|>", 128_000),
                ("<|end_of_text|>", 128_001),
                ("<|finetune_right_pad_id|>", 128_004),
                ("<|start_header_id|>", 128_006),
                ("<|end_header_id|>", 128_007),
                ("<|eom_id|>", 128_008),
                ("<|eot_id|>", 128_009),
                ("<|python_tag|>", 128_010),
            ],
            Encoding::Qwen2 => &[
                ("<|endoftext|>", 151_643),
                ("<|im_start|>", 151_644),
                ("<|im_end|>", 151_645),
                ("<|object_ref_start|>", 151_646),
                ("<|object_ref_end|>", 151_647),
                ("<|box_start|>", 151_648),
                ("<|box_end|>", 151_649),
                ("<|quad_start|>", 151_650),
                ("<|quad_end|>", 151_651),
                ("<|vision_start|>", 151_652),
                ("<|vision_end|>", 151_653),
                ("<|vision_pad|>", 151_654),
                ("<|image_pad|>", 151_655),
                ("<|video_pad|>", 151_656),
                ("<tool_call>", 151_657),
                ("</tool_call>", 151_658),
                ("<|fim_prefix|>", 151_659),
                ("<|fim_middle|>", 151_660),
                ("<|fim_suffix|>", 151_661),
                ("<|fim_pad|>", 151_662),
                ("<|repo_name|>", 151_663),
                ("<|file_sep|>", 151_664),
            ],
            Encoding::MistralV3 => &[
                ("<unk>", 0),
                ("<s>", 1),
                ("</s>", 2),
                ("[INST]", 3),
                ("[/INST]", 4),
                ("[AVAILABLE_TOOLS]", 5),
                ("[/AVAILABLE_TOOLS]", 6),
                ("[TOOL_RESULTS]", 7),
                ("[/TOOL_RESULTS]", 8),
                ("[TOOL_CALLS]", 9),
                ("[IMG]", 10),
                ("[IMG_BREAK]", 12),
                ("[IMG_END]", 13),
                ("[PREFIX]", 14),
                ("[MIDDLE]", 15),
                ("[SUFFIX]", 16),
            ],
            Encoding::DeepseekV3 => &[
                ("<｜begin▁of▁sentence｜>", 0),
                ("<｜end▁of▁sentence｜>", 1),
                ("<｜▁pad▁｜>", 2),
                ("<｜fim▁hole｜>", 128_800),
                ("<｜fim▁begin｜>", 128_801),
                ("<｜fim▁end｜>", 128_802),
                ("<｜User｜>", 128_803),
                ("<｜Assistant｜>", 128_804),
                ("<|EOT|>", 128_805),
                ("<｜tool▁calls▁begin｜>", 128_806),
                ("<｜tool▁calls▁end｜>", 128_807),
                ("<｜tool▁call▁begin｜>", 128_808),
                ("<｜tool▁call▁end｜>", 128_809),
                ("<｜tool▁outputs▁begin｜>", 128_810),
                ("<｜tool▁outputs▁end｜>", 128_811),
                ("<｜tool▁output▁begin｜>", 128_812),
                ("<｜tool▁output▁end｜>", 128_813),
                ("<｜tool▁sep｜>", 128_814),
            ],
        };
        let mut out: Vec<(String, u32)> = list.iter().map(|&(t, id)| (t.to_string(), id)).collect();
        if self == Encoding::DeepseekV3 {
            // The 800 placeholders between the ranks and the chat markers.
            out.extend((0..800).map(|n| (format!("<｜place▁holder▁no▁{n}｜>"), 128_000 + n)));
        }
        out
    }

    /// Parses a rank file's text as this encoding. `path` only labels errors; a file with
    /// another number of ranks is refused, naming both counts.
    pub fn from_tiktoken(self, src: &str, path: &str) -> Result<Bpe> {
        let ranks = src.lines().filter(|l| !l.trim().is_empty()).count();
        if ranks != self.ranks() {
            return Err(TokenizerError::Vocab(format!(
                "{path} has {ranks} ranks, but {} has {}: is it another vocabulary?",
                self.name(),
                self.ranks()
            )));
        }
        Bpe::from_tiktoken(src, path, self.pattern(), self.special_tokens())
    }

    /// Loads a rank file as this encoding (see [`Encoding::from_tiktoken`]).
    pub fn load(self, path: impl AsRef<Path>) -> Result<Bpe> {
        let path = path.as_ref();
        self.from_tiktoken(&read(path)?, &path.display().to_string())
    }

    /// The encoding a rank file's name stands for (`…/o200k_base.tiktoken` is o200k_base).
    pub fn from_file_name(path: &Path) -> Option<Encoding> {
        path.file_stem()?.to_str()?.parse().ok()
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Encoding {
    type Err = TokenizerError;

    /// A name from [`Encoding::name`], or `gpt2` for r50k_base.
    fn from_str(s: &str) -> Result<Encoding> {
        if s == "gpt2" {
            return Ok(Encoding::R50kBase);
        }
        if let Some(e) = Encoding::ALL.into_iter().find(|e| e.name() == s) {
            return Ok(e);
        }
        let known: Vec<&str> = Encoding::ALL.iter().map(|e| e.name()).collect();
        let reason = format!("expected one of {}", known.join(", "));
        Err(TokenizerError::Encoding { name: s.to_string(), reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_explained() {
        for e in Encoding::ALL {
            assert_eq!(e.name().parse::<Encoding>().unwrap(), e);
            assert_eq!(e.to_string(), e.name());
        }
        assert_eq!("gpt2".parse::<Encoding>().unwrap(), Encoding::R50kBase);
        let err = "cl200k".parse::<Encoding>().unwrap_err().to_string();
        assert!(err.contains("cl200k") && err.contains("o200k_base"), "{err}");
        let p = Path::new("/some/where/o200k_base.tiktoken");
        assert_eq!(Encoding::from_file_name(p), Some(Encoding::O200kBase));
        assert_eq!(Encoding::from_file_name(Path::new("ranks.tiktoken")), None);
    }

    #[test]
    fn special_ids_and_texts_are_unique() {
        for e in Encoding::ALL {
            let specials = e.special_tokens();
            let mut ids: Vec<u32> = specials.iter().map(|s| s.1).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), specials.len(), "{e}");
            let mut texts: Vec<&str> = specials.iter().map(|s| s.0.as_str()).collect();
            texts.sort_unstable();
            texts.dedup();
            assert_eq!(texts.len(), specials.len(), "{e}");
        }
    }
}
