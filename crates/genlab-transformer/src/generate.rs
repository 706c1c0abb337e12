//! The GPT as a [`genlab_decoding::LanguageModel`], so every decoding strategy of
//! genlab-decoding (greedy, top-k/p, min-p, penalties, beam search, stop strings, streaming)
//! works on it.
//!
//! Context longer than `block_size` is handled like nanoGPT's crop, made cache-friendly: when
//! the cache is full, it is rebuilt from the last `block_size / 2` tokens, so most steps stay
//! incremental and the model never sees more than `block_size` positions.

use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_decoding::{BoxError, LanguageModel};

use crate::cache::KvCache;
use crate::model::Gpt;

/// What a sequence carries between steps: the KV cache, and the tokens in the model's view
/// (to rebuild the cache after a crop).
#[derive(Debug, Clone)]
pub struct GptState {
    kv: KvCache,
    context: Vec<u32>,
}

/// A trained GPT on a device, ready to generate. Pass `use_cache: false` to recompute the
/// whole context every token (nanoGPT's `generate`), for comparison.
#[derive(Debug)]
pub struct GptGenerator {
    model: Gpt,
    device: Device,
    vocab_size: usize,
    use_cache: bool,
}

impl GptGenerator {
    /// Wraps `model` for inference on `device` (autodiff is dropped).
    pub fn new(model: &Gpt, device: &Device, use_cache: bool) -> Self {
        let device = device.clone().without_autodiff();
        let model = burn::module::Module::valid(model);
        let vocab_size = model.wte.weight.val().dims()[0];
        Self { model, device, vocab_size, use_cache }
    }

    /// The wrapped model.
    pub fn model(&self) -> &Gpt {
        &self.model
    }

    fn ids(&self, tokens: &[u32]) -> Tensor<2, Int> {
        let data: Vec<i64> = tokens.iter().map(|&t| t as i64).collect();
        Tensor::from_data(TensorData::new(data, [1, tokens.len()]), &self.device)
    }

    fn last_logits(logits: Tensor<3>) -> Result<Vec<f32>, BoxError> {
        let [_, t, v] = logits.dims();
        let last = logits.slice([0..1, t - 1..t, 0..v]); // [1, 1, v]
        Ok(last.into_data().try_to_vec::<f32>().map_err(|e| format!("reading logits: {e:?}"))?)
    }
}

impl LanguageModel for GptGenerator {
    type Cache = GptState;

    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn new_cache(&self) -> Result<GptState, BoxError> {
        Ok(GptState { kv: KvCache::new(self.model.n_layer()), context: Vec::new() })
    }

    fn forward(&self, new_tokens: &[u32], state: &mut GptState) -> Result<Vec<f32>, BoxError> {
        genlab_decoding::check_tokens(new_tokens, self.vocab_size)?;
        let block = self.model.block_size();
        state.context.extend_from_slice(new_tokens);
        if !self.use_cache {
            let start = state.context.len().saturating_sub(block);
            state.context.drain(..start);
            return Self::last_logits(self.model.forward(self.ids(&state.context)));
        }
        let feed: Vec<u32> = if state.kv.len() + new_tokens.len() > block {
            // Crop: keep the last block/2 tokens (or the last `block` of an over-long prompt).
            let keep = if state.kv.is_empty() { block } else { (block / 2).max(1) };
            let start = state.context.len().saturating_sub(keep);
            state.context.drain(..start);
            state.kv.clear();
            state.context.clone()
        } else {
            new_tokens.to_vec()
        };
        Self::last_logits(self.model.forward_cached(self.ids(&feed), &mut state.kv))
    }
}
