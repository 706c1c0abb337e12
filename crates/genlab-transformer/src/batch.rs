//! Continuous batching: many sequences, each at its own position, advance one token each in
//! one forward pass, and sequences join and leave between steps (vLLM's and llama.cpp
//! server's scheduling, without paged memory).
//!
//! A sequence starts alone: its prompt goes through [`Gpt::forward_cached`] into its own
//! [`KvCache`], which [`BatchKv::push`] then adds as a row. The rows' keys and values live in
//! one buffer per layer, `[rows, n_head, capacity, head_dim]`, left-padded so that every row
//! ends at the same column: each decoding step writes one new column for all rows in place,
//! and a mask hides the columns a row does not use (Hugging Face's static cache, with rows
//! that join and leave). Only a join or a leave copies the buffer. The projections and MLPs,
//! where the time goes, run as `[rows, d]` matrix products instead of one matrix-vector
//! product per sequence.

use burn::tensor::{Bool, Int, Tensor, TensorData};

use crate::cache::{KvCache, LayerCache};
use crate::model::Gpt;

/// The keys and values of the rows being decoded together.
#[derive(Debug, Clone)]
pub struct BatchKv {
    /// Per layer, `[rows, n_head, capacity, head_dim]`; row `r` holds its `lens[r]` positions
    /// in columns `width - lens[r] .. width`.
    layers: Vec<LayerCache>,
    lens: Vec<usize>,
    width: usize,
    capacity: usize,
}

impl BatchKv {
    /// An empty batch whose rows hold up to `capacity` positions (the model's block size).
    pub fn new(capacity: usize) -> Self {
        Self { layers: Vec::new(), lens: Vec::new(), width: 0, capacity }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.lens.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// Positions cached for row `r` (the position its next token takes).
    pub fn len_of(&self, r: usize) -> usize {
        self.lens[r]
    }

    /// Adds a sequence's cache as the last row. Panics on an empty cache (a sequence joins
    /// after its prompt has been fed) or one longer than the capacity.
    pub fn push(&mut self, cache: KvCache) {
        let len = cache.len();
        assert!(
            len > 0 && len <= self.capacity,
            "a row joins with 1 to {} positions, not {len}",
            self.capacity
        );
        let layers: Vec<LayerCache> =
            cache.layers.into_iter().map(|l| l.expect("every layer cached")).collect();
        let width = self.width.max(len);
        let (cap, before) = (self.capacity, width - len);
        let row = |t: Tensor<4>| pad(pad(t, before, true), cap - width, false); // [1, h, cap, hd]
        if self.is_empty() {
            self.layers =
                layers.into_iter().map(|l| LayerCache { k: row(l.k), v: row(l.v) }).collect();
        } else {
            let shift = width - self.width; // the old rows move right to end at `width`
            let old = |t: Tensor<4>| pad(t.narrow(2, 0, cap - shift), shift, true);
            let layers = self.layers.drain(..).zip(layers);
            self.layers = layers
                .map(|(mine, new)| LayerCache {
                    k: Tensor::cat(vec![old(mine.k), row(new.k)], 0),
                    v: Tensor::cat(vec![old(mine.v), row(new.v)], 0),
                })
                .collect();
        }
        self.width = width;
        self.lens.push(len);
    }

    /// Keeps the rows in `keep` (ascending), dropping the others, and moves the rest left by
    /// the padding no row needs any more.
    pub fn retain(&mut self, keep: &[usize]) {
        if keep.len() == self.rows() {
            return;
        }
        if keep.is_empty() {
            *self = Self::new(self.capacity);
            return;
        }
        let device = self.layers[0].k.device();
        let idx: Vec<i64> = keep.iter().map(|&r| r as i64).collect();
        let idx = Tensor::<1, Int>::from_data(TensorData::new(idx, [keep.len()]), &device);
        self.lens = keep.iter().map(|&r| self.lens[r]).collect();
        let longest = *self.lens.iter().max().expect("rows");
        let trim = self.width - longest;
        let cap = self.capacity;
        let moved = |t: Tensor<4>| {
            let t = t.select(0, idx.clone());
            if trim == 0 { t } else { pad(t.narrow(2, trim, cap - trim), trim, false) }
        };
        for layer in &mut self.layers {
            layer.k = moved(layer.k.clone());
            layer.v = moved(layer.v.clone());
        }
        self.width = longest;
    }

    /// Feeds one token per row (`tokens[r]` to row `r`, at position `len_of(r)`) and returns
    /// the next-token logits, `[rows, vocab_size]`. Every row must have room:
    /// `len_of(r) < capacity` and `< model.block_size()`.
    pub fn decode(&mut self, model: &Gpt, tokens: &[u32]) -> Tensor<2> {
        let rows = self.rows();
        assert_eq!(tokens.len(), rows, "one token per row");
        let room = self.capacity.min(model.block_size());
        assert!(self.width < room, "a row is at the context of {room}: crop it first");
        let device = self.layers[0].k.device();
        let ids: Vec<i64> = tokens.iter().map(|&t| t as i64).collect();
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [rows, 1]), &device);
        let positions = self.lens.clone();
        // Row r's keys are columns width - lens[r] ..= width (the new one): hide the rest.
        let (cap, width) = (self.capacity, self.width);
        let mut hidden = Vec::with_capacity(rows * cap);
        for &len in &self.lens {
            hidden.extend((0..cap).map(|c| c < width - len || c > width));
        }
        let n_head = self.layers[0].k.dims()[1];
        let padding =
            Tensor::<4, Bool>::from_data(TensorData::new(hidden, [rows, 1, 1, cap]), &device)
                .expand([rows, n_head, 1, cap]);
        // The rows as one sequence, so every projection is one [rows, d] matrix product (a
        // [rows, 1, d] batch would be `rows` matrix-vector products, each reading the weights).
        let x = model.embed_rows(ids, &positions); // [rows, 1, d]
        let d = x.dims()[2];
        let mut x = x.reshape([1, rows, d]);
        let layers = std::mem::take(&mut self.layers);
        for (block, layer) in model.h.iter().zip(layers) {
            let (y, layer) = block.forward_rows(
                x,
                &positions,
                model.rope.as_ref(),
                layer,
                width,
                padding.clone(),
            );
            x = y;
            self.layers.push(layer);
        }
        self.width += 1;
        self.lens.iter_mut().for_each(|l| *l += 1);
        let logits = model.head(x); // [1, rows, vocab]
        let v = logits.dims()[2];
        logits.reshape([rows, v])
    }
}

/// `t` (`[rows, h, len, hd]`) with `n` zero columns before it (`front`) or after it.
fn pad(t: Tensor<4>, n: usize, front: bool) -> Tensor<4> {
    if n == 0 {
        return t;
    }
    let [rows, h, _, hd] = t.dims();
    let zeros = Tensor::zeros([rows, h, n, hd], &t.device());
    Tensor::cat(if front { vec![zeros, t] } else { vec![t, zeros] }, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{GptConfig, PosEncoding};
    use burn::tensor::Device;

    fn ids(tokens: &[u32], device: &Device) -> Tensor<2, Int> {
        let data: Vec<i64> = tokens.iter().map(|&t| t as i64).collect();
        Tensor::from_data(TensorData::new(data, [1, tokens.len()]), device)
    }

    fn max_diff(a: Tensor<2>, b: Tensor<2>) -> f32 {
        (a - b).abs().max().into_scalar()
    }

    /// Rows of different lengths, decoded together, joined and dropped between steps, give
    /// the logits each sequence gets alone through its own cache.
    fn batched_equals_alone(pos: PosEncoding) {
        let device = Device::default();
        let config = GptConfig {
            block_size: 16,
            n_layer: 2,
            n_head: 2,
            n_embd: 16,
            pos_encoding: pos,
            ..GptConfig::baby(11)
        };
        device.seed(3);
        let model = config.init(&device);
        let prompts: [&[u32]; 3] = [&[1, 2, 3, 4, 5], &[7], &[9, 8, 7]];
        let mut alone: Vec<KvCache> = Vec::new();
        let mut batch = BatchKv::new(config.block_size);
        for (i, p) in prompts.iter().enumerate().take(2) {
            let mut cache = KvCache::new(model.n_layer());
            model.forward_cached(ids(p, &device), &mut cache);
            alone.push(cache.clone());
            batch.push(cache);
            assert_eq!(batch.len_of(i), p.len());
        }
        let step = |batch: &mut BatchKv, alone: &mut [KvCache], tokens: &[u32]| {
            let got = batch.decode(&model, tokens);
            for (r, (cache, &t)) in alone.iter_mut().zip(tokens).enumerate() {
                let want = model.forward_cached(ids(&[t], &device), cache).reshape([1, 11]);
                let diff = max_diff(got.clone().narrow(0, r, 1), want);
                assert!(diff < 1e-4, "row {r}: batched logits differ by {diff}");
            }
        };
        step(&mut batch, &mut alone, &[6, 3]);
        step(&mut batch, &mut alone, &[0, 10]);
        // A third sequence joins, longer than one row and shorter than the other.
        let mut cache = KvCache::new(model.n_layer());
        model.forward_cached(ids(prompts[2], &device), &mut cache);
        alone.push(cache.clone());
        batch.push(cache);
        step(&mut batch, &mut alone, &[4, 4, 4]);
        // The longest row leaves: the padding it needed is trimmed.
        batch.retain(&[1, 2]);
        alone.remove(0);
        assert_eq!((batch.len_of(0), batch.len_of(1)), (4, 4));
        step(&mut batch, &mut alone, &[2, 5]);
        batch.retain(&[]);
        assert!(batch.is_empty());
    }

    #[test]
    fn batched_decoding_equals_each_sequence_alone() {
        batched_equals_alone(PosEncoding::Learned);
    }

    #[test]
    fn batched_decoding_equals_each_sequence_alone_with_rotary_positions() {
        batched_equals_alone(PosEncoding::Rotary);
    }

    #[test]
    fn batched_decoding_equals_each_sequence_alone_with_sinusoids() {
        batched_equals_alone(PosEncoding::Sinusoidal);
    }
}
