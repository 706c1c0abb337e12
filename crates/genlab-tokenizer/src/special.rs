//! Special tokens (`<|endoftext|>`, chat markers) and the policy for text that looks like one.
//!
//! By default ([`Bpe::encode`]) such text is just text: a user who types `<|endoftext|>` gets
//! the ordinary tokens for those characters, never the control token. A caller that builds
//! prompts itself lets all or some special tokens through with [`Bpe::encode_with_special`].

use crate::bpe::Bpe;

/// Which special tokens [`Bpe::encode_with_special`] recognises in the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AllowedSpecial {
    /// None: special-token text is encoded as ordinary text.
    #[default]
    None,
    /// Every special token of the vocabulary.
    All,
    /// Only these (texts that are not special tokens of the vocabulary are ignored).
    Some(Vec<String>),
}

impl Bpe {
    /// Encodes `text`, turning occurrences of the allowed special tokens into their ids (the
    /// leftmost occurrence first, the longest special on a tie) and everything else as
    /// ordinary text.
    ///
    /// ```
    /// use genlab_tokenizer::{AllowedSpecial, Pattern, Trainer};
    /// let bpe = Trainer::new(260).pattern(Pattern::Gpt2).special_tokens(["<|end|>"])
    ///     .train("aaaa bbbb").unwrap();
    /// let end = bpe.special_id("<|end|>").unwrap();
    /// assert_eq!(end as usize, bpe.vocab_size() - 1);
    /// assert!(!bpe.encode("x<|end|>").contains(&end));
    /// assert_eq!(bpe.encode_with_special("x<|end|>", &AllowedSpecial::All), [120, end]);
    /// ```
    pub fn encode_with_special(&self, text: &str, allowed: &AllowedSpecial) -> Vec<u32> {
        let active: Vec<(&str, u32)> = self
            .special_tokens()
            .iter()
            .filter(|(t, _)| match allowed {
                AllowedSpecial::None => false,
                AllowedSpecial::All => true,
                AllowedSpecial::Some(set) => set.iter().any(|s| s == t),
            })
            .map(|(t, id)| (t.as_str(), *id))
            .collect();
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        if active.is_empty() {
            self.encode_into(text, &mut out);
            return out;
        }
        // Next occurrence of each special at or after the cursor (usize::MAX: none left), so
        // the text is scanned about once per special, not once per match.
        let mut next: Vec<usize> = vec![0; active.len()];
        let mut stale = vec![true; active.len()];
        let mut cursor = 0;
        loop {
            for (k, (t, _)) in active.iter().enumerate() {
                if stale[k] {
                    next[k] = text[cursor..].find(t).map_or(usize::MAX, |p| cursor + p);
                    stale[k] = false;
                }
            }
            let best = (0..active.len())
                .filter(|&k| next[k] != usize::MAX)
                .min_by_key(|&k| (next[k], std::cmp::Reverse(active[k].0.len())));
            let Some(k) = best else { break };
            let (t, id) = active[k];
            self.encode_into(&text[cursor..next[k]], &mut out);
            out.push(id);
            cursor = next[k] + t.len();
            for (j, n) in next.iter().enumerate() {
                if *n != usize::MAX && *n < cursor {
                    stale[j] = true;
                }
            }
        }
        self.encode_into(&text[cursor..], &mut out);
        out
    }
}
