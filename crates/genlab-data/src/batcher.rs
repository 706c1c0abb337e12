//! Seeded shuffling into mini-batches.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Hands out shuffled mini-batches of item indices, epoch after epoch. The order depends only
/// on the seed and the epoch number, so a resumed run sees the same batches.
#[derive(Debug, Clone)]
pub struct Batcher {
    len: usize,
    batch_size: usize,
    seed: u64,
    drop_last: bool,
}

impl Batcher {
    /// Batches of `batch_size` over `len` items. With `drop_last`, a final short batch is
    /// skipped (useful for layers that need a full batch).
    pub fn new(len: usize, batch_size: usize, seed: u64, drop_last: bool) -> Self {
        assert!(batch_size > 0, "batch_size must be at least 1");
        Self { len, batch_size, seed, drop_last }
    }

    /// The shuffled order of epoch `epoch`.
    pub fn order(&self, epoch: u64) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.len).collect();
        let mut rng =
            ChaCha8Rng::seed_from_u64(self.seed ^ epoch.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        idx.shuffle(&mut rng);
        idx
    }

    /// The batches of epoch `epoch`, in order.
    pub fn epoch(&self, epoch: u64) -> Vec<Vec<usize>> {
        let order = self.order(epoch);
        order
            .chunks(self.batch_size)
            .filter(|c| !self.drop_last || c.len() == self.batch_size)
            .map(<[usize]>::to_vec)
            .collect()
    }

    /// Number of batches per epoch.
    pub fn batches_per_epoch(&self) -> usize {
        if self.drop_last { self.len / self.batch_size } else { self.len.div_ceil(self.batch_size) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_batches_and_every_item_once() {
        let a = Batcher::new(10, 3, 7, false);
        assert_eq!(a.epoch(0), Batcher::new(10, 3, 7, false).epoch(0));
        assert_ne!(a.epoch(0), a.epoch(1));
        let mut all: Vec<usize> = a.epoch(0).concat();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(a.batches_per_epoch(), 4);
        let b = Batcher::new(10, 3, 7, true);
        assert_eq!(b.epoch(0).len(), 3);
        assert_eq!(b.batches_per_epoch(), 3);
    }
}
