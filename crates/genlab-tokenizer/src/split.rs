//! Hand-written pre-tokenizers that give exactly the splits of the GPT-2, GPT-4 (and Qwen2) and
//! o200k regexes (checked against fancy-regex by property tests), several times faster than a
//! backtracking regex engine, plus the search for safe places to cut a long text into parallel
//! blocks.

use crate::classes::{Case, Class, Classifier};

pub(crate) mod deepseek;

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

/// End of the whitespace chunk at byte `i` under `\s*[\r\n]+|\s+(?!\S)|\s+` (GPT-4's, o200k's
/// and DeepSeek's tail): the run up to and including its last CR or LF if it has one, else as
/// [`space_end`].
#[inline]
fn newline_or_space_end(s: &str, i: usize, k: Classifier) -> usize {
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
    last_newline_end.unwrap_or_else(|| space_end(s, i, k))
}

/// End of a `\p{N}{1,max}` chunk at byte `i`, which holds a number.
#[inline]
fn digits_end(s: &str, i: usize, k: Classifier, max: usize) -> usize {
    let mut j = i;
    for _ in 0..max {
        match char_at(s, j) {
            Some((c, n)) if k.class(c) == Class::Number => j += n,
            _ => break,
        }
    }
    j
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
    cl100k_like_end::<3>(s, i, k)
}

/// End of the chunk that starts at byte `i` under Qwen2's pattern, which is GPT-4's written
/// differently except that a number chunk is one digit (`\p{N}` instead of `\p{N}{1,3}`).
pub(crate) fn qwen2_end(s: &str, i: usize, k: Classifier) -> usize {
    cl100k_like_end::<1>(s, i, k)
}

/// The GPT-4 pattern with number chunks of at most `DIGITS` digits.
#[inline]
fn cl100k_like_end<const DIGITS: usize>(s: &str, i: usize, k: Classifier) -> usize {
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
        return digits_end(s, i, k, DIGITS);
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
        return line_tail::<false>(b, run_end(s, start, k, Class::Other));
    }
    newline_or_space_end(s, i, k)
}

#[inline]
fn in_upper(c: Case) -> bool {
    matches!(c, Case::Upper | Case::Caseless | Case::Mark)
}

#[inline]
fn in_lower(c: Case) -> bool {
    matches!(c, Case::Lower | Case::Caseless | Case::Mark)
}

/// End of the maximal run starting at `i` of characters whose case satisfies `keep`.
#[inline]
fn case_run_end(s: &str, mut i: usize, k: Classifier, keep: fn(Case) -> bool) -> usize {
    while let Some((c, n)) = char_at(s, i) {
        if !keep(k.case(c)) {
            break;
        }
        i += n;
    }
    i
}

/// End of `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at byte `i`.
#[inline]
fn contraction_end(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'\'') {
        return i;
    }
    match char_at(s, i + 1) {
        // Unicode case folding also maps U+017F LATIN SMALL LETTER LONG S to s.
        Some(('s' | 'S' | 't' | 'T' | 'm' | 'M' | 'd' | 'D' | '\u{17f}', n)) => i + 1 + n,
        Some(_)
            if b.len() >= i + 3
                && [b"re", b"ve", b"ll"]
                    .iter()
                    .any(|w| b[i + 1..i + 3].eq_ignore_ascii_case(*w)) =>
        {
            i + 3
        }
        _ => i,
    }
}

/// End of the optional contraction at byte `i` when the pattern has one (`C`).
#[inline]
fn suffix<const C: bool>(s: &str, i: usize) -> usize {
    if C { contraction_end(s, i) } else { i }
}

/// `[U]*[L]+C?` at byte `j`, where U is o200k's upper class, L its lower class and C a
/// contraction, as a backtracking engine finds it: when the upper run is not followed by a
/// lower-only letter, the run gives characters back until it ends on one that is in both
/// classes (a caseless letter or a mark), which then stands for the `[L]+`.
#[inline]
fn o200k_lower_word<const C: bool>(s: &str, j: usize, k: Classifier) -> Option<usize> {
    let mut e = j;
    let mut last_in_both = None;
    while let Some((c, n)) = char_at(s, e) {
        let case = k.case(c);
        if !in_upper(case) {
            if case == Case::Lower {
                return Some(suffix::<C>(s, case_run_end(s, e + n, k, in_lower)));
            }
            break;
        }
        e += n;
        if case != Case::Upper {
            last_in_both = Some(e);
        }
    }
    last_in_both.map(|e| suffix::<C>(s, e))
}

/// `[U]+[L]*C?` at byte `j` (see [`o200k_lower_word`]).
#[inline]
fn o200k_upper_word<const C: bool>(s: &str, j: usize, k: Classifier) -> Option<usize> {
    let e = case_run_end(s, j, k, in_upper);
    (e > j).then(|| suffix::<C>(s, case_run_end(s, e, k, in_lower)))
}

/// ASCII kinds for the fast paths: ASCII's Unicode categories are fixed, so no table lookup.
const HIGH: u8 = 0; // a byte of a non-ASCII character: the fast path gives up
const UPPER: u8 = 1;
const LOWER: u8 = 2;
const DIGIT: u8 = 3;
const SPACE: u8 = 4; // \t \n \v \f \r and ' ' (White_Space)
const OTHER: u8 = 5; // punctuation, symbols, controls

const fn ascii_kinds() -> [u8; 256] {
    let mut t = [HIGH; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'A'..=b'Z' => UPPER,
            b'a'..=b'z' => LOWER,
            b'0'..=b'9' => DIGIT,
            b'\t'..=b'\r' | b' ' => SPACE,
            _ => OTHER,
        };
        b += 1;
    }
    t
}

static KIND: [u8; 256] = ascii_kinds();

/// The ASCII kind of the byte at `j`, or `None` past the end (which ends every run).
#[inline]
fn kind(b: &[u8], j: usize) -> Option<u8> {
    b.get(j).map(|&x| KIND[x as usize])
}

/// End of the run of bytes of kind `want` from `j`, or `None` if a non-ASCII character ends it
/// (it might belong to the run).
#[inline]
fn ascii_run(b: &[u8], mut j: usize, want: u8) -> Option<usize> {
    loop {
        match kind(b, j) {
            Some(k) if k == want => j += 1,
            Some(HIGH) => return None,
            _ => return Some(j),
        }
    }
}

/// [`o200k_end`] when the chunk and the character after it are ASCII; `None` when a non-ASCII
/// character could change the answer, and the general path decides.
#[inline]
fn o200k_ascii<const C: bool, const D: usize>(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    let k0 = kind(b, i)?;
    if k0 == HIGH {
        return None;
    }
    // A word: an optional leading character that is not a letter, digit, CR or LF.
    let lead = (k0 == OTHER || k0 == SPACE) && b[i] != b'\r' && b[i] != b'\n';
    let j = if lead { i + 1 } else { i };
    if let Some(kj @ (UPPER | LOWER)) = kind(b, j) {
        let e = if kj == UPPER { ascii_run(b, j, UPPER)? } else { j };
        let f = if kind(b, e) == Some(LOWER) { ascii_run(b, e, LOWER)? } else { e };
        if kind(b, f) == Some(HIGH) {
            return None;
        }
        return Some(suffix::<C>(s, f));
    }
    if kind(b, j) == Some(HIGH) {
        return None;
    }
    match k0 {
        // \p{N}{1,D}
        DIGIT => {
            let mut j = i + 1;
            for _ in 1..D {
                match kind(b, j) {
                    Some(DIGIT) => j += 1,
                    Some(HIGH) => return None,
                    _ => break,
                }
            }
            Some(j)
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n/]*
        OTHER => Some(line_tail::<true>(b, ascii_run(b, i, OTHER)?)),
        _ if b[i] == b' ' && kind(b, i + 1) == Some(OTHER) => {
            Some(line_tail::<true>(b, ascii_run(b, i + 1, OTHER)?))
        }
        _ => {
            // Whitespace: up to its last newline, else all but its last character unless the
            // run ends the text or is one character long.
            let end = ascii_run(b, i, SPACE)?;
            if let Some(nl) = b[i..end].iter().rposition(|&c| c == b'\r' || c == b'\n') {
                return Some(i + nl + 1);
            }
            Some(if end == b.len() || end - i == 1 { end } else { end - 1 })
        }
    }
}

/// End of the `[\r\n]*` (or with `SLASH`, o200k's `[\r\n/]*`) that follows a punctuation run.
#[inline]
fn line_tail<const SLASH: bool>(b: &[u8], mut j: usize) -> usize {
    while let Some(&c) = b.get(j) {
        if !(c == b'\r' || c == b'\n' || (SLASH && c == b'/')) {
            break;
        }
        j += 1;
    }
    j
}

/// End of the chunk that starts at byte `i` under the o200k pattern ([`crate::O200K_PATTERN`]):
/// `P?[U]*[L]+C?|P?[U]+[L]*C?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
/// with P = `[^\r\n\p{L}\p{N}]`, the alternatives tried in order and each with and without its
/// optional first character, as a backtracking engine does.
pub(crate) fn o200k_end(s: &str, i: usize, k: Classifier) -> usize {
    o200k_like_end::<true, 3>(s, i, k)
}

/// End of the chunk that starts at byte `i` under Mistral's Tekken pattern
/// ([`crate::TEKKEN_PATTERN`]): o200k's, without the contractions and with one digit per
/// number chunk.
pub(crate) fn tekken_end(s: &str, i: usize, k: Classifier) -> usize {
    o200k_like_end::<false, 1>(s, i, k)
}

/// The o200k pattern, with contractions when `C`, and number chunks of at most `D` digits.
#[inline]
fn o200k_like_end<const C: bool, const D: usize>(s: &str, i: usize, k: Classifier) -> usize {
    if let Some(e) = o200k_ascii::<C, D>(s, i) {
        return e;
    }
    let Some((c0, n0)) = char_at(s, i) else { return s.len() };
    let case0 = k.case(c0);
    let lead =
        !is_cr_lf(c0) && matches!(case0, Case::Mark | Case::Space | Case::Punct | Case::Other);
    // Without the leading character, a word can start only on a letter or a mark.
    let bare = !lead || case0 == Case::Mark;
    if lead && let Some(e) = o200k_lower_word::<C>(s, i + n0, k) {
        return e;
    }
    if bare && let Some(e) = o200k_lower_word::<C>(s, i, k) {
        return e;
    }
    if lead && let Some(e) = o200k_upper_word::<C>(s, i + n0, k) {
        return e;
    }
    if bare && let Some(e) = o200k_upper_word::<C>(s, i, k) {
        return e;
    }
    // \p{N}{1,D}
    if case0 == Case::Number {
        return digits_end(s, i, k, D);
    }
    //  ?[^\s\p{L}\p{N}]+[\r\n/]*
    let punct = |c: Case| matches!(c, Case::Mark | Case::Punct | Case::Other);
    let punct_from = if punct(case0) {
        Some(i)
    } else if c0 == ' ' {
        char_at(s, i + 1).filter(|&(c, _)| punct(k.case(c))).map(|_| i + 1)
    } else {
        None
    };
    if let Some(start) = punct_from {
        return line_tail::<true>(s.as_bytes(), case_run_end(s, start, k, punct));
    }
    newline_or_space_end(s, i, k)
}

/// Byte offsets where `text` can be cut into blocks that pre-tokenize independently under the
/// built-in patterns: a `\n` preceded and followed by non-whitespace ends a chunk (its own, or
/// the tail of a punctuation run), and no chunk looks past it. o200k's punctuation tail
/// `[\r\n/]*` also takes a `/` after the newline, so the character after must not be `/`.
/// Returns the cut points, excluding 0 and `len`.
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
        let after_ok =
            char_at(text, p).is_some_and(|(c, _)| c != '/' && k.class(c) != Class::Space);
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
