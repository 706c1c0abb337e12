//! The Gaussian posterior q(z|x) = N(mu, diag(exp(logvar))) of the VAEs, its
//! reparameterised sample, and the decoder likelihood -log p(x|z).

use burn::tensor::{Distribution, Tensor};

use crate::loss::{ReconLoss, kl_to_standard_normal};

/// q(z|x) for a batch: means and log-variances, `[batch, latent]` each.
#[derive(Debug, Clone)]
pub struct Posterior {
    /// Means.
    pub mu: Tensor<2>,
    /// Log-variances.
    pub logvar: Tensor<2>,
}

impl Posterior {
    /// The reparameterisation trick: z = mu + sigma * eps with eps ~ N(0, I) drawn from the
    /// device's seeded generator, so gradients flow to mu and logvar.
    pub fn sample(&self) -> Tensor<2> {
        let eps =
            Tensor::random(self.mu.shape(), Distribution::Normal(0.0, 1.0), &self.mu.device());
        self.mu.clone() + self.logvar.clone().mul_scalar(0.5).exp() * eps
    }

    /// KL(q(z|x) || N(0, I)) per item: `[batch]`.
    pub fn kl(&self) -> Tensor<1> {
        kl_to_standard_normal(self.mu.clone(), self.logvar.clone())
    }
}

/// -log p(x|z) per item from raw decoder outputs `[batch, n]`: Bernoulli (BCE) or a Gaussian
/// with fixed standard deviation `sigma` (MSE), in nats.
pub fn neg_log_likelihood(loss: ReconLoss, sigma: f32, raw: Tensor<2>, x: Tensor<2>) -> Tensor<1> {
    match loss {
        ReconLoss::Bce => loss.per_item(raw, x),
        ReconLoss::Mse => {
            let n = raw.dims()[1] as f32;
            let norm = n * (sigma * (2.0 * std::f32::consts::PI).sqrt()).ln();
            loss.per_item(raw, x).mul_scalar(0.5 / (sigma * sigma)).add_scalar(norm)
        }
    }
}
