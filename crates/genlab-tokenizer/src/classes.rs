//! Character classes of the built-in split patterns: `\p{L}`, `\p{N}` and `\s` (GPT-2, GPT-4),
//! and the finer case classes o200k needs, taken from the same Unicode tables that the `regex`
//! engine behind fancy-regex uses, so that the hand-written splitters give exactly the splits of
//! the regexes.

use std::sync::OnceLock;

/// The class of one character as the GPT-2/GPT-4 patterns see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// `\p{L}`
    Letter,
    /// `\p{N}`
    Number,
    /// `\s` (Unicode White_Space)
    Space,
    /// Everything else: punctuation, symbols, marks, controls.
    Other,
}

/// The class of one character as the o200k pattern sees it: its letter classes split words at
/// case changes, and count combining marks as part of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    /// `\p{Lu}`, `\p{Lt}`: only in the pattern's upper class.
    Upper,
    /// `\p{Ll}`: only in its lower class.
    Lower,
    /// `\p{Lm}`, `\p{Lo}`: letters in both classes (most scripts without case, CJK).
    Caseless,
    /// `\p{M}`: in both letter classes, yet not `\p{L}`, so also punctuation to the pattern.
    Mark,
    /// `\p{N}`
    Number,
    /// `\s`
    Space,
    /// `\p{P}` and `\p{S}`: punctuation and symbols (DeepSeek's pattern tells them apart from
    /// [`Case::Other`]; o200k's does not).
    Punct,
    /// Everything else: controls, format characters, unassigned code points.
    Other,
}

impl Case {
    /// The coarser class GPT-2 and GPT-4 see: every [`Case`] lies within one [`Class`].
    #[inline]
    fn class(self) -> Class {
        match self {
            Case::Upper | Case::Lower | Case::Caseless => Class::Letter,
            Case::Number => Class::Number,
            Case::Space => Class::Space,
            Case::Mark | Case::Punct | Case::Other => Class::Other,
        }
    }
}

/// Each character's [`Case`] by code point for the Basic Multilingual Plane (64 KiB: one load,
/// where a binary search over the ranges costs a dozen), and by sorted ranges above it.
struct Tables {
    bmp: Box<[Case]>,
    /// Sorted, non-overlapping `(start, end_inclusive, case)`.
    ranges: Vec<(u32, u32, Case)>,
}

const BMP: usize = 0x1_0000;

/// The BMP table of `ranges` (sorted, non-overlapping), [`Case::Other`] elsewhere.
fn bmp_table(ranges: &[(u32, u32, Case)]) -> Box<[Case]> {
    let mut t = vec![Case::Other; BMP];
    for &(a, b, v) in ranges.iter().filter(|r| (r.0 as usize) < BMP) {
        t[a as usize..=(b as usize).min(BMP - 1)].fill(v);
    }
    t.into_boxed_slice()
}

fn ranges_of(class: &str) -> Vec<(u32, u32)> {
    use regex_syntax::hir::{Class as HirClass, HirKind};
    let hir = regex_syntax::parse(class).expect("built-in class parses");
    match hir.kind() {
        HirKind::Class(HirClass::Unicode(set)) => {
            set.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect()
        }
        other => unreachable!("{class} is not a Unicode class: {other:?}"),
    }
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut ranges = Vec::new();
        for (name, case) in [
            (r"[\p{Lu}\p{Lt}]", Case::Upper),
            (r"\p{Ll}", Case::Lower),
            (r"[\p{Lm}\p{Lo}]", Case::Caseless),
            (r"\p{M}", Case::Mark),
            (r"\p{N}", Case::Number),
            (r"\s", Case::Space),
            (r"[\p{P}\p{S}]", Case::Punct),
        ] {
            ranges.extend(ranges_of(name).into_iter().map(|(a, b)| (a, b, case)));
        }
        ranges.sort_unstable_by_key(|r| r.0);
        Tables { bmp: bmp_table(&ranges), ranges }
    })
}

fn lookup(ranges: &[(u32, u32, Case)], c: u32) -> Case {
    match ranges.binary_search_by(|r| {
        if r.1 < c {
            std::cmp::Ordering::Less
        } else if r.0 > c {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    }) {
        Ok(i) => ranges[i].2,
        Err(_) => Case::Other,
    }
}

/// A cheap handle to the tables, fetched once per call of a splitter.
#[derive(Clone, Copy)]
pub(crate) struct Classifier(&'static Tables);

impl Classifier {
    pub(crate) fn new() -> Self {
        Self(tables())
    }

    /// The class of `c`.
    #[inline]
    pub(crate) fn class(self, c: char) -> Class {
        self.case(c).class()
    }

    /// The o200k class of `c`.
    #[inline]
    pub(crate) fn case(self, c: char) -> Case {
        match self.0.bmp.get(c as usize) {
            Some(&case) => case,
            None => lookup(&self.0.ranges, c as u32),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_unicode_categories() {
        let k = Classifier::new();
        assert_eq!(k.class('a'), Class::Letter);
        assert_eq!(k.class('é'), Class::Letter);
        assert_eq!(k.class('中'), Class::Letter);
        assert_eq!(k.class('7'), Class::Number);
        assert_eq!(k.class('²'), Class::Number);
        assert_eq!(k.class('Ⅻ'), Class::Number); // Nl
        assert_eq!(k.class(' '), Class::Space);
        assert_eq!(k.class('\u{a0}'), Class::Space);
        assert_eq!(k.class('\u{3000}'), Class::Space);
        assert_eq!(k.class('!'), Class::Other);
        assert_eq!(k.class('\u{301}'), Class::Other); // combining mark is Mn, not L
        assert_eq!(k.class('😀'), Class::Other);
        assert_eq!(k.class('𝐀'), Class::Letter); // above the BMP: the ranges
        assert_eq!(k.class('\u{FFFF}'), Class::Other);
    }

    #[test]
    fn case_classes_match_unicode_categories() {
        let k = Classifier::new();
        for (c, case) in [
            ('A', Case::Upper),
            ('ǅ', Case::Upper), // Lt
            ('z', Case::Lower),
            ('ß', Case::Lower),
            ('中', Case::Caseless),  // Lo
            ('ʰ', Case::Caseless),   // Lm
            ('\u{301}', Case::Mark), // Mn
            ('\u{903}', Case::Mark), // Mc
            ('٣', Case::Number),
            ('\u{2028}', Case::Space),
            ('_', Case::Punct),
            ('😀', Case::Punct),       // So
            ('\u{200d}', Case::Other), // ZWJ, Cf
            ('\u{7f}', Case::Other),   // Cc
            ('𝐀', Case::Upper),
            ('𝐚', Case::Lower),
        ] {
            assert_eq!(k.case(c), case, "{c:?}");
        }
    }
}
