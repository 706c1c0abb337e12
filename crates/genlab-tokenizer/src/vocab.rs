//! The bytes of every id in one buffer.
//!
//! A `Vec<Vec<u8>>` costs one allocation per token (200,000 for o200k_base, a good part of its
//! load time, and as many frees on drop) and scatters the bytes over the heap. Here they are
//! stored end to end, in id order, with each id's end offset.

use std::ops::Index;

#[derive(Clone, Debug, Default)]
pub(crate) struct Vocab {
    data: Vec<u8>,
    /// `ends[id]`: one past the last byte of `id`; it starts where `id - 1` ends.
    ends: Vec<u32>,
}

impl Vocab {
    pub(crate) fn with_capacity(ids: usize, bytes: usize) -> Self {
        Self { data: Vec::with_capacity(bytes), ends: Vec::with_capacity(ids) }
    }

    /// Appends the next id's bytes.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.data.extend_from_slice(bytes);
        self.ends.push(self.data.len() as u32);
    }

    /// The vocabulary whose ids have these byte lengths, in order, over `data`; `None` unless
    /// the lengths add up to exactly `data.len()`.
    pub(crate) fn from_lengths(data: Vec<u8>, lens: impl Iterator<Item = u32>) -> Option<Self> {
        let mut ends = Vec::with_capacity(lens.size_hint().0);
        let mut end = 0u32;
        for len in lens {
            end = end.checked_add(len)?;
            ends.push(end);
        }
        (end as usize == data.len()).then_some(Self { data, ends })
    }

    /// Number of ids.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of `id`, if it is one.
    #[inline]
    pub(crate) fn get(&self, id: usize) -> Option<&[u8]> {
        let end = *self.ends.get(id)? as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] as usize };
        Some(&self.data[start..end])
    }

    /// Every id's bytes, in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.data[s as usize..e as usize])
    }
}

impl Index<usize> for Vocab {
    type Output = [u8];

    #[inline]
    fn index(&self, id: usize) -> &[u8] {
        self.get(id).unwrap_or_else(|| panic!("id {id} is not in a vocabulary of {}", self.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_bytes_end_to_end() {
        let mut v = Vocab::with_capacity(3, 4);
        for b in [&b"ab"[..], b"", b"c"] {
            v.push(b);
        }
        assert_eq!(v.len(), 3);
        assert_eq!((&v[0], &v[1], &v[2]), (&b"ab"[..], &b""[..], &b"c"[..]));
        assert_eq!(v.get(3), None);
        assert_eq!(v.iter().collect::<Vec<_>>(), [&b"ab"[..], b"", b"c"]);
        let w = Vocab::from_lengths(b"abc".to_vec(), [2, 0, 1].into_iter()).unwrap();
        assert_eq!(w.iter().collect::<Vec<_>>(), v.iter().collect::<Vec<_>>());
        assert!(Vocab::from_lengths(b"abc".to_vec(), [2, 2].into_iter()).is_none());
        assert!(Vocab::from_lengths(Vec::new(), [u32::MAX, 1].into_iter()).is_none());
    }
}
