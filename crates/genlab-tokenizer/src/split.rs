//! Hand-written pre-tokenizers that give exactly the splits of the GPT-2 and GPT-4 regexes
//! (checked against fancy-regex by property tests), several times faster than a backtracking
//! regex engine, plus the search for safe places to cut a long text into parallel blocks.

use crate::classes::{Class, Classifier};

/// The character at byte `i` of `s` and its length in bytes, if any.
#[inline]
fn char_at(s: &str, i: usize) -> Option<(char, usize)> {
    let b = *s.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((b as char, 1));
    }
    s[i..].chars().next().map(|c| (c, c.len_utf8()))
}

/// End of the maximal run of characters of class `cls` starting at byte `i`.
#[inline]
fn run_end(s: &str, mut i: usize, k: Classifier, cls: Class) -> usize {
    while let Some((c, n)) = char_at(s, i) {
        if k.class(c) != cls {
            break;
        }
        i += n;
    }
    i
}

/// End of a whitespace run starting at `i` under `\s+(?!\S)|\s+`: the whole run at the end of
/// the text, otherwise all but its last character when it has more than one.
#[inline]
fn space_end(s: &str, i: usize, k: Classifier) -> usize {
    let mut j = i;
    let mut last_start = i;
    while let Some((c, n)) = char_at(s, j) {
        if k.class(c) != Class::Space {
            break;
        }
        last_start = j;
        j += n;
    }
    if j == s.len() || last_start == i { j } else { last_start }
}

/// End of the chunk that starts at byte `i` (`i < s.len()`) under the GPT-2 pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
pub(crate) fn gpt2_end(s: &str, i: usize, k: Classifier) -> usize {
    let b = s.as_bytes();
    if b[i] == b'\'' {
        let rest = &b[i + 1..];
        if rest.starts_with(b"re") || rest.starts_with(b"ve") || rest.starts_with(b"ll") {
            return i + 3;
        }
        if matches!(rest.first(), Some(b's' | b't' | b'm' | b'd')) {
            return i + 2;
        }
    }
    let Some((c0, n0)) = char_at(s, i) else { return s.len() };
    if c0 == ' ' {
        if let Some((c1, n1)) = char_at(s, i + 1) {
            let cls = k.class(c1);
            if cls != Class::Space {
                return run_end(s, i + 1 + n1, k, cls);
            }
        }
        return space_end(s, i, k);
    }
    match k.class(c0) {
        Class::Space => space_end(s, i, k),
        cls => run_end(s, i + n0, k, cls),
    }
}

#[inline]
fn is_cr_lf(c: char) -> bool {
    c == '\r' || c == '\n'
}

/// End of the chunk that starts at byte `i` under the GPT-4 (cl100k) pattern
/// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|`
/// `\s*[\r\n]|\s+(?!\S)|\s+`.
pub(crate) fn gpt4_end(s: &str, i: usize, k: Classifier) -> usize {
    let b = s.as_bytes();
    if b[i] == b'\''
        && let Some((c1, n1)) = char_at(s, i + 1)
    {
        // (?i:[sdmt]): Unicode case folding also maps U+017F LATIN SMALL LETTER LONG S to s.
        if matches!(c1, 's' | 'S' | 'd' | 'D' | 'm' | 'M' | 't' | 'T' | '\u{17f}') {
            return i + 1 + n1;
        }
        let two = &b[i + 1..(i + 3).min(b.len())];
        if two.len() == 2
            && [b"ll", b"ve", b"re"].iter().any(|w| two.eq_ignore_ascii_case(w.as_slice()))
        {
            return i + 3;
        }
    }
    let Some((c0, n0)) = char_at(s, i) else { return s.len() };
    let cls0 = k.class(c0);
    // [^\r\n\p{L}\p{N}]?+\p{L}+
    if cls0 == Class::Letter {
        return run_end(s, i + n0, k, Class::Letter);
    }
    if cls0 != Class::Number
        && !is_cr_lf(c0)
        && let Some((c1, n1)) = char_at(s, i + n0)
        && k.class(c1) == Class::Letter
    {
        return run_end(s, i + n0 + n1, k, Class::Letter);
    }
    // \p{N}{1,3}
    if cls0 == Class::Number {
        let mut j = i + n0;
        for _ in 0..2 {
            match char_at(s, j) {
                Some((c, n)) if k.class(c) == Class::Number => j += n,
                _ => break,
            }
        }
        return j;
    }
    //  ?[^\s\p{L}\p{N}]++[\r\n]*
    let others_from = if cls0 == Class::Other {
        Some(i)
    } else if c0 == ' ' {
        match char_at(s, i + 1) {
            Some((c1, _)) if k.class(c1) == Class::Other => Some(i + 1),
            _ => None,
        }
    } else {
        None
    };
    if let Some(start) = others_from {
        let mut j = run_end(s, start, k, Class::Other);
        while matches!(b.get(j), Some(b'\r' | b'\n')) {
            j += 1;
        }
        return j;
    }
    // \s*[\r\n]: the whitespace run up to and including its last newline.
    let mut j = i;
    let mut last_newline_end = None;
    while let Some((c, n)) = char_at(s, j) {
        if k.class(c) != Class::Space {
            break;
        }
        j += n;
        if is_cr_lf(c) {
            last_newline_end = Some(j);
        }
    }
    if let Some(end) = last_newline_end {
        return end;
    }
    space_end(s, i, k)
}

/// Byte offsets where `text` can be cut into blocks that pre-tokenize independently under the
/// GPT-2 and GPT-4 patterns: a `\n` preceded and followed by non-whitespace is always a chunk
/// of its own, and no chunk looks past it. Returns the cut points, excluding 0 and `len`.
pub(crate) fn block_cuts(text: &str, target: usize) -> Vec<usize> {
    let b = text.as_bytes();
    let k = Classifier::new();
    let mut cuts = Vec::new();
    let mut from = target.max(2);
    while from < b.len() {
        let Some(off) = b[from..].iter().position(|&c| c == b'\n') else { break };
        let p = from + off + 1; // candidate cut just after the newline
        let before_ok = b[p - 2] != b'\n'
            && text.is_char_boundary(p - 1)
            && text[..p - 1].chars().next_back().is_some_and(|c| k.class(c) != Class::Space);
        let after_ok = char_at(text, p).is_some_and(|(c, _)| k.class(c) != Class::Space);
        if before_ok && after_ok {
            cuts.push(p);
            from = p + target;
        } else {
            from = p;
        }
    }
    cuts
}

/// Splits `text` at `cuts` into consecutive blocks.
pub(crate) fn blocks<'a>(text: &'a str, cuts: &[usize]) -> Vec<&'a str> {
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &c in cuts {
        out.push(&text[start..c]);
        start = c;
    }
    out.push(&text[start..]);
    out
}
