//! Evaluation without gradients: mean loss, the VAE's negative ELBO in nats per item, the
//! importance-weighted estimate of -log p(x) (Burda et al., 2016), and every value's squared
//! reconstruction error (for anomaly scores, [`crate::score`]).

use burn::tensor::{Device, Tensor};
use serde::Serialize;

use crate::data::ImageData;
use crate::loss::gaussian_log_density;
use crate::model::AeModel;

/// Mean figures per item over a data set.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Items evaluated.
    pub items: usize,
    /// The training objective at beta = 1: negative ELBO (one z sample per item) for a VAE,
    /// reconstruction loss otherwise.
    pub loss: f64,
    /// Reconstruction term (-log p(x|z) for a VAE).
    pub recon: f64,
    /// KL term (VAE only).
    pub kl: Option<f64>,
    /// Negative ELBO with z = mu (no sampling noise; VAE only). It is not a bound, just the
    /// noise-free figure PyTorch users often quote.
    pub neg_elbo_at_mean: Option<f64>,
}

pub(crate) fn batches(len: usize, batch: usize) -> impl Iterator<Item = Vec<usize>> {
    (0..len).step_by(batch.max(1)).map(move |s| (s..(s + batch.max(1)).min(len)).collect())
}

fn sum(t: Tensor<1>) -> f64 {
    t.sum().into_scalar::<f32>() as f64
}

/// Mean loss, reconstruction and KL per item over `data` (z draws seeded by `seed`).
pub fn evaluate(
    model: &AeModel,
    data: &ImageData,
    batch: usize,
    seed: u64,
    device: &Device,
) -> EvalReport {
    device.seed(seed);
    let (mut recon, mut kl, mut at_mean) = (0.0, 0.0, 0.0);
    for idx in batches(data.len(), batch) {
        let x = data.batch(&idx, device);
        let losses = model.losses(x.clone(), x.clone());
        recon += sum(losses.recon);
        if let Some(k) = losses.kl {
            kl += sum(k.clone());
            let q = model.posterior(x.clone()).expect("a VAE");
            let raw = model.decode_raw(q.mu.clone()).expect("a VAE");
            at_mean += sum(model.nll(raw, x) + k);
        }
    }
    let n = data.len() as f64;
    let vae = model.is_variational();
    EvalReport {
        items: data.len(),
        loss: (recon + kl) / n,
        recon: recon / n,
        kl: vae.then_some(kl / n),
        neg_elbo_at_mean: vae.then_some(at_mean / n),
    }
}

/// Importance-weighted estimate of -log p(x) in nats per item with `k` samples from q(z|x):
/// `-log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x)`. It is a tighter bound than the ELBO and
/// approaches -log p(x) as k grows. Errors for a model without a posterior.
pub fn importance_weighted_nll(
    model: &AeModel,
    data: &ImageData,
    k: usize,
    batch: usize,
    seed: u64,
    device: &Device,
) -> Result<f64, String> {
    if !model.is_variational() {
        return Err("the importance-weighted -log p(x) needs a VAE".into());
    }
    if k == 0 {
        return Err("k must be at least 1".into());
    }
    device.seed(seed);
    let mut total = 0.0;
    for idx in batches(data.len(), batch) {
        let x = data.batch(&idx, device);
        let q = model.posterior(x.clone()).expect("a VAE");
        let mut log_w = Vec::with_capacity(k);
        for _ in 0..k {
            let z = q.sample();
            let zeros = Tensor::<2>::zeros(z.shape(), device);
            let log_pz = gaussian_log_density(z.clone(), zeros.clone(), zeros);
            let log_qz = gaussian_log_density(z.clone(), q.mu.clone(), q.logvar.clone());
            let raw = model.decode_raw(z).expect("a VAE");
            let log_px_z = model.nll(raw, x.clone()).neg();
            log_w.push((log_px_z + log_pz - log_qz).unsqueeze_dim::<2>(1)); // [batch, 1]
        }
        let log_w = Tensor::cat(log_w, 1); // [batch, k]
        let max = log_w.clone().max_dim(1); // [batch, 1]
        let lse = (log_w - max.clone()).exp().sum_dim(1).log() + max; // [batch, 1]
        total -= sum(lse.squeeze_dim(1)) - idx.len() as f64 * (k as f64).ln();
    }
    Ok(total / data.len() as f64)
}

/// Squared reconstruction error of every value, item after item (`n × item_len` values): the
/// model's reconstruction (a VAE's from its posterior mean) against the input.
pub fn reconstruction_errors(
    model: &AeModel,
    data: &ImageData,
    batch: usize,
    device: &Device,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(data.values.len());
    for idx in batches(data.len(), batch) {
        let x = data.batch(&idx, device);
        let err = (model.reconstruct(x.clone()) - x).powi_scalar(2);
        out.extend(err.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32"));
    }
    out
}
