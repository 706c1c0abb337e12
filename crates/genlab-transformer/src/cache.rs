//! The KV cache: keys and values of every layer for the positions seen so far, so each new
//! token costs one position of work instead of the whole context. Passed explicitly to
//! [`Gpt::forward_cached`](crate::Gpt::forward_cached), never hidden inside the model.

use burn::tensor::Tensor;

/// Keys and values of one layer.
#[derive(Debug, Clone)]
pub struct LayerCache {
    /// Keys, `[batch, n_head, seen, head_dim]`.
    pub k: Tensor<4>,
    /// Values, `[batch, n_head, seen, head_dim]`.
    pub v: Tensor<4>,
}

/// Keys and values of every layer.
#[derive(Debug, Clone)]
pub struct KvCache {
    pub(crate) layers: Vec<Option<LayerCache>>,
    pub(crate) len: usize,
}

impl KvCache {
    /// An empty cache for a model with `n_layer` blocks.
    pub fn new(n_layer: usize) -> Self {
        Self { layers: vec![None; n_layer], len: 0 }
    }

    /// Positions cached so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.layers.iter_mut().for_each(|l| *l = None);
        self.len = 0;
    }

    /// Keeps only the batch rows in `rows` (in that order; rows may repeat), as beam search
    /// needs when it reorders or forks its hypotheses.
    pub fn select_rows(&mut self, rows: &[usize]) {
        let Some(device) = self.layers.iter().flatten().next().map(|l| l.k.device()) else {
            return;
        };
        let idx = Tensor::<1, burn::tensor::Int>::from_data(
            burn::tensor::TensorData::new(
                rows.iter().map(|&r| r as i64).collect::<Vec<_>>(),
                [rows.len()],
            ),
            &device,
        );
        for layer in self.layers.iter_mut().flatten() {
            layer.k = layer.k.clone().select(0, idx.clone());
            layer.v = layer.v.clone().select(0, idx.clone());
        }
    }
}

/// Appends `k`, `v` (`[batch, n_head, new, head_dim]`) to a layer's cache and returns the full
/// keys and values.
pub(crate) fn append(
    slot: &mut Option<LayerCache>,
    k: Tensor<4>,
    v: Tensor<4>,
) -> (Tensor<4>, Tensor<4>) {
    let (k, v) = match slot.take() {
        Some(old) => (Tensor::cat(vec![old.k, k], 2), Tensor::cat(vec![old.v, v], 2)),
        None => (k, v),
    };
    *slot = Some(LayerCache { k: k.clone(), v: v.clone() });
    (k, v)
}
