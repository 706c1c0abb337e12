//! The char-RNN as a [`genlab_decoding::LanguageModel`]: the state carried between calls is
//! the hidden (and cell) state of every layer, so each new token costs one step of each
//! layer, whatever the length of the text so far. There is no context limit and no crop.

use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_decoding::{BoxError, LanguageModel};

use super::RnnState;
use super::model::CharRnn;

/// A trained char-RNN on a device, ready to generate.
#[derive(Debug)]
pub struct RnnGenerator {
    model: CharRnn,
    device: Device,
    vocab_size: usize,
}

impl RnnGenerator {
    /// Wraps `model` for inference on `device` (autodiff is dropped).
    pub fn new(model: &CharRnn, device: &Device) -> Self {
        let device = device.clone().without_autodiff();
        let model = burn::module::Module::valid(model);
        let vocab_size = model.vocab_size();
        Self { model, device, vocab_size }
    }

    /// The wrapped model.
    pub fn model(&self) -> &CharRnn {
        &self.model
    }
}

impl LanguageModel for RnnGenerator {
    type Cache = RnnState;

    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn new_cache(&self) -> Result<RnnState, BoxError> {
        Ok(self.model.zero_state(1, &self.device))
    }

    fn forward(&self, new_tokens: &[u32], state: &mut RnnState) -> Result<Vec<f32>, BoxError> {
        genlab_decoding::check_tokens(new_tokens, self.vocab_size)?;
        let mut logits = None;
        for &token in new_tokens {
            let idx =
                Tensor::<1, Int>::from_data(TensorData::new(vec![token as i64], [1]), &self.device);
            let (l, next) = self.model.forward_step(idx, state.clone()); // [1, vocab]
            *state = next;
            logits = Some(l);
        }
        let logits = logits.expect("at least one token");
        Ok(logits.into_data().try_to_vec::<f32>().map_err(|e| format!("reading logits: {e:?}"))?)
    }
}
