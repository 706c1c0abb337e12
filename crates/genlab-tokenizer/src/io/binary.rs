//! genlab's binary tokenizer format (`.glbpe`): everything a [`Bpe`] needs, merge table
//! included, so loading is copying rather than deriving. For a 200k-token vocabulary the text
//! formats spend most of their load time rebuilding the merge table from the token bytes
//! (millions of hash lookups of byte strings); this format stores it.
//!
//! Layout, little-endian:
//!
//! ```text
//! magic "GLBPE\0\0\0" | version u32 | checksum u64 (of everything after it)
//! pattern: len u32, UTF-8 | ignore_merges u8 | ids n u32
//! ranks: n × u32 (u32::MAX: special or unused) | lengths: n × u32 | bytes: concatenated
//! specials: k u32, k × id u32 (their text is in bytes) | pairs: m u32, m × (key u64, value u64)
//! ```
//!
//! The checksum catches a damaged file; every count, length and id is still checked, so a
//! crafted file gets an error, never a panic.

use std::path::Path;

use crate::bpe::Bpe;
use crate::error::{Result, TokenizerError};
use crate::io::parse_err;
use crate::merge::PairTable;
use crate::pattern::Pattern;
use crate::vocab::Vocab;

/// The first bytes of every binary tokenizer file.
pub const BINARY_MAGIC: &[u8; 8] = b"GLBPE\0\0\0";
/// The binary format's version; newer ones are refused by number.
pub const BINARY_VERSION: u32 = 1;

/// The binary format's checksum of the bytes after the header: FxHash over 8-byte words,
/// written out here so that it never changes with a crate version.
pub fn binary_checksum(data: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h = data.len() as u64;
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    for &b in words.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// Reads little-endian values, failing with the offset where the file ended early.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.data.len());
        let end =
            end.ok_or_else(|| format!("truncated: {n} more bytes needed at byte {}", self.at))?;
        let out = &self.data[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap_or_default()))
    }

    /// `n` little-endian u32 values.
    fn u32s(&mut self, n: usize) -> std::result::Result<Vec<u32>, String> {
        let raw = self.take(n.checked_mul(4).ok_or("count overflows")?)?;
        Ok(raw.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect())
    }

    /// A count of items of `size` bytes each, checked against what is left of the file.
    fn count(&mut self, size: usize) -> std::result::Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(size) > self.data.len() - self.at {
            return Err(format!("count {n} at byte {} runs past the end of the file", self.at - 4));
        }
        Ok(n)
    }
}

impl Bpe {
    /// This tokenizer in the binary format.
    pub fn to_binary(&self) -> Vec<u8> {
        let (bytes, ranks) = self.raw_ids();
        let specials = self.special_tokens();
        let pairs = self.merge_table();
        let mut body = Vec::new();
        let pattern = self.pattern().as_str().as_bytes();
        body.extend((pattern.len() as u32).to_le_bytes());
        body.extend(pattern);
        body.push(u8::from(self.ignore_merges()));
        body.extend((bytes.len() as u32).to_le_bytes());
        body.extend(ranks.iter().flat_map(|r| r.to_le_bytes()));
        body.extend(bytes.iter().flat_map(|b| (b.len() as u32).to_le_bytes()));
        for b in bytes.iter() {
            body.extend(b);
        }
        body.extend((specials.len() as u32).to_le_bytes());
        body.extend(specials.iter().flat_map(|s| s.1.to_le_bytes()));
        body.extend((pairs.len() as u32).to_le_bytes());
        for (k, v) in pairs {
            body.extend(k.to_le_bytes());
            body.extend(v.to_le_bytes());
        }
        let mut out = Vec::with_capacity(body.len() + 20);
        out.extend(BINARY_MAGIC);
        out.extend(BINARY_VERSION.to_le_bytes());
        out.extend(binary_checksum(&body).to_le_bytes());
        out.extend(body);
        out
    }

    /// Reads the binary format; `path` only labels errors.
    pub fn from_binary(data: &[u8], path: &str) -> Result<Bpe> {
        let bad = |problem: String| parse_err(path, None, problem);
        if data.len() < 20 || &data[..8] != BINARY_MAGIC {
            return Err(bad("not a genlab binary tokenizer (no GLBPE header)".into()));
        }
        let version = u32::from_le_bytes(data[8..12].try_into().unwrap_or_default());
        if version != BINARY_VERSION {
            return Err(bad(format!(
                "binary format version {version}; this genlab reads version {BINARY_VERSION}"
            )));
        }
        let want = u64::from_le_bytes(data[12..20].try_into().unwrap_or_default());
        let body = &data[20..];
        if binary_checksum(body) != want {
            return Err(bad("checksum mismatch: the file is damaged".into()));
        }
        let mut r = Reader { data: body, at: 0 };
        let parsed = (|| -> std::result::Result<_, String> {
            let len = r.count(1)?;
            let pattern = std::str::from_utf8(r.take(len)?)
                .map_err(|_| "the pattern is not UTF-8".to_string())?;
            let ignore_merges = r.take(1)?[0] != 0;
            let n = r.count(8)?;
            let ranks = r.u32s(n)?;
            let lens = r.u32s(n)?;
            let total = lens.iter().try_fold(0usize, |t, &l| t.checked_add(l as usize));
            let data = r.take(total.ok_or("token lengths overflow")?)?.to_vec();
            let vocab =
                Vocab::from_lengths(data, lens.into_iter()).ok_or("token lengths do not add up")?;
            let k = r.count(4)?;
            let special_ids = r.u32s(k)?;
            let m = r.count(16)?;
            let pairs = r.take(m * 16)?;
            if r.at != body.len() {
                return Err(format!("{} bytes left over after the merge table", body.len() - r.at));
            }
            Ok((Pattern::parse(pattern), ignore_merges, ranks, vocab, special_ids, pairs))
        })();
        let (pattern, ignore_merges, ranks, vocab, special_ids, pairs) = parsed.map_err(bad)?;
        let mut specials = Vec::with_capacity(special_ids.len());
        for &id in &special_ids {
            let text = vocab
                .get(id as usize)
                .and_then(|b| String::from_utf8(b.to_vec()).ok())
                .ok_or_else(|| bad(format!("special id {id} has no UTF-8 text")))?;
            specials.push((text, id));
        }
        let special_ids: rustc_hash::FxHashSet<u32> = special_ids.into_iter().collect();
        for (id, (b, &rank)) in vocab.iter().zip(&ranks).enumerate() {
            if rank == u32::MAX && !b.is_empty() && !special_ids.contains(&(id as u32)) {
                return Err(bad(format!("id {id} has bytes but neither a rank nor a special")));
            }
        }
        let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or_default());
        let entries = pairs.chunks_exact(16).map(|e| (word(&e[..8]), word(&e[8..])));
        let table = || Some(PairTable::from_entries(entries, pairs.len() / 16));
        Bpe::assemble(pattern, vocab, ranks, specials, table)
            .map(|b| b.with_ignore_merges(ignore_merges))
            .map_err(|e| match e {
                TokenizerError::Vocab(problem) => bad(problem),
                other => other,
            })
    }

    /// Saves in the binary format (atomically).
    pub fn save_binary(&self, path: impl AsRef<Path>) -> Result<()> {
        super::write_atomic_bytes(path.as_ref(), &self.to_binary())
    }

    /// Loads the binary format.
    pub fn load_binary(path: impl AsRef<Path>) -> Result<Bpe> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|e| TokenizerError::io(path, e))?;
        Bpe::from_binary(&data, &path.display().to_string())
    }
}
