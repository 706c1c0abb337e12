//! The GAN objectives, written on the discriminator's raw scores (logits).
//!
//! With `sp(x) = softplus(x) = -log sigmoid(-x)`:
//!
//! | loss | discriminator minimises | generator minimises |
//! |---|---|---|
//! | minimax (Goodfellow et al., 2014) | `sp(-D(x)) + sp(D(G(z)))` | `-sp(D(G(z)))` = log(1 - D(G(z))) |
//! | non-saturating (default) | same | `sp(-D(G(z)))` = -log D(G(z)) |
//! | hinge (Miyato et al., 2018) | `relu(1 - D(x)) + relu(1 + D(G(z)))` | `-D(G(z))` |
//! | WGAN-GP (Gulrajani et al., 2017) | `D(G(z)) - D(x) + lambda (‖∇D(x̂)‖ - 1)²` | `-D(G(z))` |
//!
//! One-sided label smoothing (Salimans et al., 2016) replaces the real target 1 by `1 - s`
//! for the (minimax and non-saturating) discriminator.

use burn::tensor::Tensor;
use burn::tensor::activation::{relu, softplus};
use serde::{Deserialize, Serialize};

/// Which objective the two players optimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GanLoss {
    /// The original minimax game (its generator gradient vanishes early in training).
    Minimax,
    /// The original game with the generator maximising log D(G(z)).
    #[default]
    NonSaturating,
    /// Hinge loss.
    Hinge,
    /// Wasserstein loss with a gradient penalty.
    WganGp,
}

impl GanLoss {
    /// Parses `minimax`, `non-saturating`, `hinge` or `wgan-gp`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "minimax" => Ok(Self::Minimax),
            "non-saturating" | "ns" => Ok(Self::NonSaturating),
            "hinge" => Ok(Self::Hinge),
            "wgan-gp" => Ok(Self::WganGp),
            other => Err(format!(
                "unknown GAN loss {other:?}: minimax, non-saturating, hinge or wgan-gp"
            )),
        }
    }

    /// The discriminator's loss (without the WGAN gradient penalty), averaged over the batch.
    /// `real` and `fake` are logits `[batch]`; `smoothing` is the one-sided label smoothing.
    pub fn discriminator(&self, real: Tensor<1>, fake: Tensor<1>, smoothing: f32) -> Tensor<1> {
        match self {
            Self::Minimax | Self::NonSaturating => {
                // BCE with target t on the real side: t sp(-r) + (1 - t) sp(r).
                let t = 1.0 - smoothing;
                let real_term = softplus(real.clone().neg(), 1.0).mul_scalar(t)
                    + softplus(real, 1.0).mul_scalar(1.0 - t);
                (real_term + softplus(fake, 1.0)).mean()
            }
            Self::Hinge => (relu(real.neg().add_scalar(1.0)) + relu(fake.add_scalar(1.0))).mean(),
            Self::WganGp => (fake - real).mean(),
        }
    }

    /// The generator's loss on the discriminator's logits for its fakes.
    pub fn generator(&self, fake: Tensor<1>) -> Tensor<1> {
        match self {
            Self::Minimax => softplus(fake, 1.0).neg().mean(),
            Self::NonSaturating => softplus(fake.neg(), 1.0).mean(),
            Self::Hinge | Self::WganGp => fake.neg().mean(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f32]) -> Tensor<1> {
        let d = genlab_tensor::DeviceSpec::Cpu.device().unwrap();
        Tensor::from_floats(v, &d)
    }

    fn close(a: Tensor<1>, b: f32) {
        let a: f32 = a.into_scalar();
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }

    #[test]
    fn losses_match_their_formulas() {
        let sig = |x: f32| 1.0 / (1.0 + (-x).exp());
        let (r, f) = (1.5f32, -0.5f32);
        let bce_d = -(sig(r).ln()) - (1.0 - sig(f)).ln();
        close(GanLoss::NonSaturating.discriminator(t(&[r]), t(&[f]), 0.0), bce_d);
        close(GanLoss::NonSaturating.generator(t(&[f])), -(sig(f).ln()));
        close(GanLoss::Minimax.generator(t(&[f])), (1.0 - sig(f)).ln());
        // Smoothing 0.1: target 0.9 on the real side.
        let smooth = -(0.9 * sig(r).ln() + 0.1 * (1.0 - sig(r)).ln()) - (1.0 - sig(f)).ln();
        close(GanLoss::NonSaturating.discriminator(t(&[r]), t(&[f]), 0.1), smooth);
        close(
            GanLoss::Hinge.discriminator(t(&[0.5, 2.0]), t(&[-2.0, 0.0]), 0.0),
            (0.5 + 0.0 + 0.0 + 1.0) / 2.0,
        );
        close(GanLoss::Hinge.generator(t(&[0.25])), -0.25);
        close(GanLoss::WganGp.discriminator(t(&[1.0]), t(&[0.25]), 0.0), -0.75);
        assert!(GanLoss::parse("lsgan").unwrap_err().contains("unknown GAN loss"));
    }
}
