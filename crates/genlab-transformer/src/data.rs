//! Token streams and nanoGPT-style random batches.

use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A corpus as token ids, split into training and validation parts.
#[derive(Debug, Clone)]
pub struct TokenSplits {
    /// Training ids.
    pub train: Vec<u32>,
    /// Validation ids.
    pub val: Vec<u32>,
}

impl TokenSplits {
    /// Splits `ids` at `train_fraction` (nanoGPT uses 0.9).
    pub fn split(ids: Vec<u32>, train_fraction: f64) -> Self {
        let at = ((ids.len() as f64) * train_fraction.clamp(0.0, 1.0)) as usize;
        let mut train = ids;
        let val = train.split_off(at);
        Self { train, val }
    }
}

/// `batch` windows of `block + 1` tokens at random offsets drawn from `rng`: inputs are the
/// first `block`, targets the last `block` (nanoGPT's `get_batch`). Returns `[batch, block]`
/// inputs and targets on `device`. `tokens` must hold more than `block` ids.
pub fn random_batch(
    tokens: &[u32],
    batch: usize,
    block: usize,
    rng: &mut ChaCha8Rng,
    device: &Device,
) -> (Tensor<2, Int>, Tensor<2, Int>) {
    assert!(tokens.len() > block, "need more than {block} tokens, have {}", tokens.len());
    let mut x = Vec::with_capacity(batch * block);
    let mut y = Vec::with_capacity(batch * block);
    for _ in 0..batch {
        let i = rng.random_range(0..tokens.len() - block);
        x.extend(tokens[i..i + block].iter().map(|&t| t as i64));
        y.extend(tokens[i + 1..i + block + 1].iter().map(|&t| t as i64));
    }
    (
        Tensor::from_data(TensorData::new(x, [batch, block]), device),
        Tensor::from_data(TensorData::new(y, [batch, block]), device),
    )
}

/// The batch RNG for optimiser step `step` (micro-step `micro` of gradient accumulation):
/// batches depend only on the seed and the step, so a resumed run sees the same data.
pub fn batch_rng(seed: u64, step: u64, micro: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(genlab_train::step_seed(seed, step));
    rng.set_stream(micro);
    rng
}
