//! Per-item losses on flattened `[batch, features]` tensors. Each returns `[batch]`, summed
//! over features, so the numbers are nats per image (per window) and batch size never changes
//! their meaning.

use burn::tensor::Tensor;
use burn::tensor::activation::softplus;
use serde::{Deserialize, Serialize};

/// How a reconstruction is compared with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReconLoss {
    /// Binary cross-entropy on sigmoid outputs (pixels in [0, 1]): -log p(x|z) under a
    /// Bernoulli decoder, as PyTorch's VAE example uses for MNIST.
    Bce,
    /// Squared error on unbounded outputs (normalised sensor data, any real values). For a
    /// VAE this is a Gaussian decoder with a fixed standard deviation.
    Mse,
}

impl ReconLoss {
    /// Parses `bce` or `mse`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "bce" => Ok(Self::Bce),
            "mse" => Ok(Self::Mse),
            other => Err(format!("unknown reconstruction loss {other:?}: expected bce or mse")),
        }
    }

    /// Turns decoder outputs (logits for BCE) into reconstructions.
    pub fn output<const D: usize>(&self, raw: Tensor<D>) -> Tensor<D> {
        match self {
            Self::Bce => burn::tensor::activation::sigmoid(raw),
            Self::Mse => raw,
        }
    }

    /// Per-item loss from raw decoder outputs: `[batch, n] -> [batch]`.
    pub fn per_item(&self, raw: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
        match self {
            Self::Bce => bce_with_logits(raw, target),
            Self::Mse => (raw - target).powi_scalar(2).sum_dim(1).squeeze_dim(1),
        }
    }
}

/// Binary cross-entropy between `sigmoid(logits)` and targets in [0, 1], summed over features:
/// `[batch, n] -> [batch]`. Computed as `softplus(l) - x l`, which never takes the log of 0
/// (burn's `BinaryCrossEntropyLoss` wants integer targets, and MNIST pixels are not binary).
pub fn bce_with_logits(logits: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    (softplus(logits.clone(), 1.0) - target * logits).sum_dim(1).squeeze_dim(1)
}

/// KL(N(mu, exp(logvar)) || N(0, I)) summed over latent dimensions: `[batch, k] -> [batch]`.
pub fn kl_to_standard_normal(mu: Tensor<2>, logvar: Tensor<2>) -> Tensor<1> {
    let terms = logvar.clone().exp() + mu.powi_scalar(2) - logvar - 1.0;
    terms.sum_dim(1).squeeze_dim(1).mul_scalar(0.5)
}

/// log N(x; mu, exp(logvar)) summed over dimensions: `[batch, k] -> [batch]`.
pub fn gaussian_log_density(x: Tensor<2>, mu: Tensor<2>, logvar: Tensor<2>) -> Tensor<1> {
    let ln_2pi = (2.0 * std::f32::consts::PI).ln();
    let sq = (x - mu).powi_scalar(2) * logvar.clone().neg().exp();
    (sq + logvar + ln_2pi).sum_dim(1).squeeze_dim(1).mul_scalar(-0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn dev() -> Device {
        genlab_tensor::DeviceSpec::Cpu.device().unwrap()
    }

    fn close(a: f32, b: f32) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }

    #[test]
    fn bce_matches_the_formula() {
        let d = dev();
        let l = Tensor::<2>::from_floats([[0.3, -2.0, 5.0]], &d);
        let x = Tensor::<2>::from_floats([[1.0, 0.25, 0.0]], &d);
        let p = |v: f32| 1.0 / (1.0 + (-v).exp());
        let want: f32 = [(0.3, 1.0), (-2.0, 0.25), (5.0, 0.0)]
            .iter()
            .map(|&(l, x): &(f32, f32)| -(x * p(l).ln() + (1.0 - x) * (1.0 - p(l)).ln()))
            .sum();
        close(bce_with_logits(l, x).into_scalar(), want);
    }

    #[test]
    fn kl_is_zero_at_the_prior_and_positive_elsewhere() {
        let d = dev();
        let zeros = Tensor::<2>::zeros([1, 4], &d);
        close(kl_to_standard_normal(zeros.clone(), zeros.clone()).into_scalar(), 0.0);
        let mu = Tensor::<2>::from_floats([[1.0, 0.0]], &d);
        let logvar = Tensor::<2>::from_floats([[0.0, 2.0f32.ln()]], &d);
        // 0.5 * (1 + 0 - 0 - 1) + 0.5 * (2 + 0 - ln 2 - 1)
        close(kl_to_standard_normal(mu, logvar).into_scalar(), 0.5 + 0.5 * (1.0 - 2.0f32.ln()));
    }

    #[test]
    fn gaussian_density_of_the_mean() {
        let d = dev();
        let z = Tensor::<2>::zeros([1, 2], &d);
        let want = -(2.0 * std::f32::consts::PI).ln();
        close(gaussian_log_density(z.clone(), z.clone(), z).into_scalar(), want);
    }
}
