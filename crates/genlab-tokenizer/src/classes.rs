//! Character classes of the built-in split patterns: `\p{L}`, `\p{N}` and `\s`, taken from the
//! same Unicode tables that the `regex` engine behind fancy-regex uses, so that the hand-written
//! splitters give exactly the splits of the regexes.

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

struct Tables {
    ascii: [Class; 128],
    /// Sorted, non-overlapping `(start, end_inclusive, class)` for non-ASCII code points.
    ranges: Vec<(u32, u32, Class)>,
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
        for (name, class) in
            [(r"\p{L}", Class::Letter), (r"\p{N}", Class::Number), (r"\s", Class::Space)]
        {
            ranges.extend(ranges_of(name).into_iter().map(|(a, b)| (a, b, class)));
        }
        ranges.sort_unstable_by_key(|r| r.0);
        let mut ascii = [Class::Other; 128];
        for (c, slot) in ascii.iter_mut().enumerate() {
            *slot = lookup(&ranges, c as u32);
        }
        ranges.retain(|r| r.1 >= 128);
        Tables { ascii, ranges }
    })
}

fn lookup(ranges: &[(u32, u32, Class)], c: u32) -> Class {
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
        Err(_) => Class::Other,
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
        let c = c as u32;
        if c < 128 { self.0.ascii[c as usize] } else { lookup(&self.0.ranges, c) }
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
    }
}
