//! The token lookup: bytes to id, over the vocabulary's own byte strings.
//!
//! A `HashMap<Vec<u8>, u32>` would keep a second copy of every token (one allocation each:
//! 200,000 for o200k_base, a good part of its load time). This table stores only ids and
//! compares against the vocabulary's bytes, with hashbrown's `HashTable`.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

#[derive(Clone, Debug, Default)]
pub(crate) struct TokenIndex {
    table: HashTable<u32>,
}

#[inline]
fn hash(bytes: &[u8]) -> u64 {
    FxBuildHasher.hash_one(bytes)
}

impl TokenIndex {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self { table: HashTable::with_capacity(n) }
    }

    /// The id whose bytes (in `vocab`) are `key`.
    #[inline]
    pub(crate) fn get(&self, key: &[u8], vocab: &[Vec<u8>]) -> Option<u32> {
        self.table.find(hash(key), |&id| vocab[id as usize] == key).copied()
    }

    /// Adds `id` (its bytes are `vocab[id]`); if another id has the same bytes, returns it.
    pub(crate) fn insert(&mut self, id: u32, vocab: &[Vec<u8>]) -> Result<(), u32> {
        let key = &vocab[id as usize];
        let h = hash(key);
        if let Some(&other) = self.table.find(h, |&o| vocab[o as usize] == *key) {
            return Err(other);
        }
        self.table.insert_unique(h, id, |&o| hash(&vocab[o as usize]));
        Ok(())
    }

    /// Every id in the index, in no particular order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.table.iter().copied()
    }
}
