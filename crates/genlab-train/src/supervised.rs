//! [`fit_supervised`]: the small supervised loops that serve the model families (the FID
//! digit classifier, the attribute judge, the text-to-image prompt encoder). They need no run
//! folder, checkpoint or schedule: Adam at a constant rate over seeded, shuffled batches.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::Tensor;
use genlab_data::Batcher;

/// Trains `model` (on an autodiff device) with Adam (burn's defaults) at `lr` for `epochs`
/// passes over `items` items in seeded shuffled batches of `batch_size` (the last one may be
/// short); `loss` gives the mean loss of the model on a batch of item indices.
pub fn fit_supervised<M: Module>(
    mut model: M,
    items: usize,
    batch_size: usize,
    epochs: u64,
    seed: u64,
    lr: f64,
    mut loss: impl FnMut(&M, &[usize]) -> Tensor<1>,
) -> M {
    let mut optim = AdamConfig::new().init();
    let batcher = Batcher::new(items, batch_size, seed, false);
    for epoch in 0..epochs {
        for idx in batcher.epoch(epoch) {
            let loss = loss(&model, &idx);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            let grads = crate::optim::plain_grads(&model, grads);
            model = optim.step(lr, model, grads);
        }
    }
    model
}
