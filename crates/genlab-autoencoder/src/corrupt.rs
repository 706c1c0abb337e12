//! Corruption models for the denoising autoencoder, applied on the fly to each batch with the
//! device's seeded generator (so the same seed and step give the same noise).

use burn::tensor::{Distribution, Tensor};
use genlab_config::{ConfigError, check};
use serde::{Deserialize, Serialize};

/// How a clean input is damaged before the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Corruption {
    /// No damage (a plain autoencoder).
    #[default]
    None,
    /// Additive Gaussian noise with standard deviation `sigma` (pixel scale [0, 1]); values
    /// are not clipped.
    Gaussian {
        /// Standard deviation.
        sigma: f32,
    },
    /// Each value becomes 0 or 1 (equally likely) with probability `amount`.
    SaltPepper {
        /// Fraction of values hit.
        amount: f32,
    },
    /// Each value is set to 0 with probability `fraction` (masking noise).
    Mask {
        /// Fraction of values dropped.
        fraction: f32,
    },
}

impl Corruption {
    /// Parses `none`, `gaussian:SIGMA`, `salt-pepper:AMOUNT` or `mask:FRACTION`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
        let value =
            || arg.parse::<f32>().map_err(|_| format!("corruption {s:?}: {arg:?} is not a number"));
        let c = match kind {
            "none" => Self::None,
            "gaussian" => Self::Gaussian { sigma: value()? },
            "salt-pepper" => Self::SaltPepper { amount: value()? },
            "mask" => Self::Mask { fraction: value()? },
            _ => {
                return Err(format!(
                    "unknown corruption {s:?}: expected none, gaussian:SIGMA, salt-pepper:AMOUNT \
                     or mask:FRACTION"
                ));
            }
        };
        c.validate().map_err(|e| format!("corruption {s:?}: {e}"))?;
        Ok(c)
    }

    /// Checks the parameter's range; the error names the variant's field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let probability =
            |field: &str, p: f32| check((0.0..=1.0).contains(&p), field, p, "in [0, 1]");
        match *self {
            Self::None => Ok(()),
            Self::Gaussian { sigma } => {
                let ok = sigma.is_finite() && sigma >= 0.0;
                check(ok, "sigma", sigma, "zero or a positive number")
            }
            Self::SaltPepper { amount } => probability("amount", amount),
            Self::Mask { fraction } => probability("fraction", fraction),
        }
    }

    /// Damages `x` (any shape).
    pub fn apply<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let (shape, device) = (x.shape(), x.device());
        let uniform = || Tensor::<D>::random(shape.clone(), Distribution::Default, &device);
        match *self {
            Self::None => x,
            Self::Gaussian { sigma } => {
                x + Tensor::random(shape.clone(), Distribution::Normal(0.0, sigma as f64), &device)
            }
            Self::SaltPepper { amount } => {
                let hit = uniform().lower_elem(amount);
                let salt = uniform().lower_elem(0.5).float();
                x.mask_where(hit, salt)
            }
            Self::Mask { fraction } => {
                let hit = uniform().lower_elem(fraction);
                x.mask_fill(hit, 0.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Corruption::parse("gaussian:0.1"), Ok(Corruption::Gaussian { sigma: 0.1 }));
        assert_eq!(Corruption::parse("mask:0.25"), Ok(Corruption::Mask { fraction: 0.25 }));
        assert!(Corruption::parse("mask:1.5").unwrap_err().contains("[0, 1]"));
        assert!(Corruption::parse("blur:2").unwrap_err().contains("unknown corruption"));
        assert!(Corruption::parse("gaussian:x").unwrap_err().contains("not a number"));
    }

    #[test]
    fn damage_has_the_right_statistics() {
        let d = genlab_tensor::DeviceSpec::Cpu.device().unwrap();
        d.seed(3);
        let x = Tensor::<2>::full([200, 200], 0.5, &d);
        let noisy = Corruption::Gaussian { sigma: 0.1 }.apply(x.clone());
        let std = (noisy - 0.5).powi_scalar(2).mean().into_scalar::<f32>().sqrt();
        assert!((std - 0.1).abs() < 0.005, "{std}");
        let masked = Corruption::Mask { fraction: 0.3 }.apply(x.clone());
        let zeros = masked.equal_elem(0.0).float().mean().into_scalar::<f32>();
        assert!((zeros - 0.3).abs() < 0.02, "{zeros}");
        let sp = Corruption::SaltPepper { amount: 0.2 }.apply(x);
        let ones = sp.clone().equal_elem(1.0).float().mean().into_scalar::<f32>();
        let zeros = sp.equal_elem(0.0).float().mean().into_scalar::<f32>();
        assert!((ones - 0.1).abs() < 0.02 && (zeros - 0.1).abs() < 0.02, "{ones} {zeros}");
    }
}
