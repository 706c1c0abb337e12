//! DeepSeek V3's pre-tokenizer, hand-written: three Hugging Face `Split` steps with `Isolated`
//! behaviour ([`crate::DEEPSEEK_V3_SPLITS`]), each applied to the pieces of the one before, as
//! `tokenizers` runs a `Sequence`. Property tests hold it to fancy-regex running the three
//! regexes the same way.
//!
//! 1. `\p{N}{1,3}`: digits, in runs of at most three.
//! 2. `[一-龥\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+`: CJK ideographs and kana.
//! 3. Over each piece: `[!-/:-@\[-`{-~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|`
//!    ` ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`; characters no alternative matches
//!    (a digit piece, a lone format character) stay together as one piece.
//!
//! A piece ends where its step's text ends, so step 3's look-ahead sees a digit or a CJK
//! character after a run of spaces as the end of the text.

use super::{char_at, digits_end, is_cr_lf, line_tail, newline_or_space_end};
use crate::classes::{Case, Classifier};

/// Step 2's class: `[一-龥\x{3040}-\x{309F}\x{30A0}-\x{30FF}]`.
#[inline]
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FA5 | 0x3040..=0x30FF)
}

#[inline]
fn letter_or_mark(c: Case) -> bool {
    matches!(c, Case::Upper | Case::Lower | Case::Caseless | Case::Mark)
}

/// Calls `f` on each chunk of `text`, in order.
pub(crate) fn for_each<'a>(text: &'a str, k: Classifier, f: &mut impl FnMut(&'a str)) {
    let mut i = 0;
    while let Some((c, n)) = char_at(text, i) {
        if k.case(c) == Case::Number {
            // Step 1; steps 2 and 3 leave a piece of digits whole.
            let j = digits_end(text, i, k, 3);
            f(&text[i..j]);
            i = j;
            continue;
        }
        // A stretch without digits: step 2 cuts it into CJK runs and the rest, and step 3
        // cuts each of those.
        let cjk = is_cjk(c);
        let mut j = i + n;
        while let Some((c, n)) = char_at(text, j) {
            if is_cjk(c) != cjk || k.case(c) == Case::Number {
                break;
            }
            j += n;
        }
        step3(&text[i..j], k, f);
        i = j;
    }
}

/// Step 3 over one piece: its matches, and what lies between them, in order.
fn step3<'a>(piece: &'a str, k: Classifier, f: &mut impl FnMut(&'a str)) {
    let mut i = 0;
    let mut gap = None;
    while let Some((_, n)) = char_at(piece, i) {
        match step3_end(piece, i, k) {
            Some(e) => {
                if let Some(g) = gap.take() {
                    f(&piece[g..i]);
                }
                f(&piece[i..e]);
                i = e;
            }
            None => {
                gap.get_or_insert(i);
                i += n;
            }
        }
    }
    if let Some(g) = gap {
        f(&piece[g..]);
    }
}

/// End of step 3's match at byte `i` of `s`, if one starts there.
fn step3_end(s: &str, i: usize, k: Classifier) -> Option<usize> {
    let b = s.as_bytes();
    let (c0, n0) = char_at(s, i)?;
    let case0 = k.case(c0);
    // [!-/:-@\[-`{-~][A-Za-z]+
    if c0.is_ascii_punctuation() && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
        let run = b[i + 1..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
        return Some(i + 1 + run);
    }
    // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
    let letters_from = |mut j: usize| {
        while let Some((c, n)) = char_at(s, j) {
            if !letter_or_mark(k.case(c)) {
                break;
            }
            j += n;
        }
        j
    };
    let prefix =
        !is_cr_lf(c0) && matches!(case0, Case::Mark | Case::Number | Case::Space | Case::Other);
    if prefix
        && let Some((c1, n1)) = char_at(s, i + n0)
        && letter_or_mark(k.case(c1))
    {
        return Some(letters_from(i + n0 + n1));
    }
    if letter_or_mark(case0) {
        return Some(letters_from(i + n0));
    }
    //  ?[\p{P}\p{S}]+[\r\n]*
    let punct_from = if case0 == Case::Punct {
        Some(i)
    } else if c0 == ' ' {
        char_at(s, i + 1).filter(|&(c, _)| k.case(c) == Case::Punct).map(|_| i + 1)
    } else {
        None
    };
    if let Some(mut j) = punct_from {
        while let Some((c, n)) = char_at(s, j) {
            if k.case(c) != Case::Punct {
                break;
            }
            j += n;
        }
        return Some(line_tail::<false>(b, j));
    }
    // \s*[\r\n]+|\s+(?!\S)|\s+
    (case0 == Case::Space).then(|| newline_or_space_end(s, i, k))
}
