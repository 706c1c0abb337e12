//! Latent-space tools: sample from the prior, interpolate between two inputs (linear or
//! spherical), and attribute vectors (mean code of inputs with an attribute minus the mean
//! code of those without) added to new inputs.

use burn::tensor::{Device, Distribution, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::data::ImageData;
use crate::model::AeModel;

/// Why a latent-space operation cannot run.
#[derive(Debug, thiserror::Error)]
pub enum LatentError {
    /// The model has no code (the denoiser) or no prior (sampling a plain AE).
    #[error("{0}")]
    Unsupported(String),
    /// Bad parameters.
    #[error("{0}")]
    Invalid(String),
}

/// How to walk between two codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Path {
    /// A straight line.
    #[default]
    Linear,
    /// Along the great circle (White, 2016), which keeps codes at a typical distance from the
    /// origin under a Gaussian prior.
    Spherical,
}

impl Path {
    /// Parses `linear` or `spherical` (also `lerp`, `slerp`).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "linear" | "lerp" => Ok(Self::Linear),
            "spherical" | "slerp" => Ok(Self::Spherical),
            other => Err(format!("unknown interpolation {other:?}: expected linear or spherical")),
        }
    }
}

/// `n` new items decoded from z ~ N(0, I) drawn with `seed`. Only a VAE has that prior.
pub fn sample(
    model: &AeModel,
    n: usize,
    seed: u64,
    device: &Device,
) -> Result<Tensor<4>, LatentError> {
    if !model.is_variational() {
        return Err(LatentError::Unsupported(
            "sampling needs a VAE: a plain autoencoder has no prior over its codes".into(),
        ));
    }
    let k = model.latent_dim().expect("a VAE has a latent");
    device.seed(seed);
    let z = Tensor::<2>::random([n, k], Distribution::Normal(0.0, 1.0), device);
    Ok(model.decode(z).expect("a VAE decodes"))
}

fn codes(model: &AeModel, x: Tensor<4>) -> Result<Vec<Vec<f32>>, LatentError> {
    let z = model.encode(x).ok_or_else(|| {
        LatentError::Unsupported("this model has no latent code (the denoiser)".into())
    })?;
    let [n, k] = z.dims();
    let flat = z.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32");
    Ok((0..n).map(|i| flat[i * k..(i + 1) * k].to_vec()).collect())
}

/// Codes between `a` and `b` at `t` in [0, 1].
pub fn walk(a: &[f32], b: &[f32], t: f32, path: Path) -> Vec<f32> {
    let lerp = |s: f32, u: f32| a.iter().zip(b).map(|(x, y)| s * x + u * y).collect::<Vec<_>>();
    match path {
        Path::Linear => lerp(1.0 - t, t),
        Path::Spherical => {
            let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
            let (na, nb) = (norm(a), norm(b));
            let cos = a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() / (na * nb).max(1e-12);
            let omega = cos.clamp(-1.0, 1.0).acos();
            if omega.sin().abs() < 1e-4 {
                return lerp(1.0 - t, t); // (anti)parallel: the circle is undefined
            }
            let s = omega.sin();
            lerp(((1.0 - t) * omega).sin() / s, (t * omega).sin() / s)
        }
    }
}

/// Decodes `steps` codes evenly spaced from `a`'s code to `b`'s (both included): `[steps, c,
/// h, w]`. `a` and `b` are `[c, h, w]`.
pub fn interpolate(
    model: &AeModel,
    a: Tensor<3>,
    b: Tensor<3>,
    steps: usize,
    path: Path,
) -> Result<Tensor<4>, LatentError> {
    if steps < 2 {
        return Err(LatentError::Invalid(format!(
            "interpolation needs at least 2 steps, got {steps}"
        )));
    }
    let device = a.device();
    let ends = codes(model, Tensor::stack(vec![a, b], 0))?;
    let k = ends[0].len();
    let mut z = Vec::with_capacity(steps * k);
    for i in 0..steps {
        z.extend(walk(&ends[0], &ends[1], i as f32 / (steps - 1) as f32, path));
    }
    let z = Tensor::from_data(TensorData::new(z, [steps, k]), &device);
    Ok(model.decode(z).expect("a model with a code decodes"))
}

/// The mean code of `with` minus the mean code of `without`: `[latent]`.
pub fn attribute_vector(
    model: &AeModel,
    with: &ImageData,
    without: &ImageData,
    device: &Device,
) -> Result<Vec<f32>, LatentError> {
    if with.is_empty() || without.is_empty() {
        return Err(LatentError::Invalid(
            "an attribute vector needs examples with and without the attribute".into(),
        ));
    }
    let mean = |set: &ImageData| -> Result<Vec<f32>, LatentError> {
        let mut acc: Vec<f32> = Vec::new();
        for start in (0..set.len()).step_by(256) {
            let idx: Vec<usize> = (start..(start + 256).min(set.len())).collect();
            for code in codes(model, set.batch(&idx, device))? {
                if acc.is_empty() {
                    acc = vec![0.0; code.len()];
                }
                acc.iter_mut().zip(&code).for_each(|(a, c)| *a += c);
            }
        }
        Ok(acc.into_iter().map(|v| v / set.len() as f32).collect())
    };
    let (a, b) = (mean(with)?, mean(without)?);
    Ok(a.iter().zip(&b).map(|(x, y)| x - y).collect())
}

/// Encodes `x`, adds `scale × vector` to every code, decodes: `[batch, c, h, w]`.
pub fn add_attribute(
    model: &AeModel,
    x: Tensor<4>,
    vector: &[f32],
    scale: f32,
) -> Result<Tensor<4>, LatentError> {
    let device = x.device();
    let z = codes(model, x)?;
    if z.first().is_some_and(|c| c.len() != vector.len()) {
        return Err(LatentError::Invalid(format!(
            "the attribute vector has {} numbers, the model's code {}",
            vector.len(),
            z[0].len()
        )));
    }
    let k = vector.len();
    let flat: Vec<f32> =
        z.iter().flat_map(|c| c.iter().zip(vector).map(|(a, v)| a + scale * v)).collect();
    let z = Tensor::from_data(TensorData::new(flat, [z.len(), k]), &device);
    Ok(model.decode(z).expect("a model with a code decodes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_start_and_end_at_the_codes() {
        let (a, b) = ([1.0, 0.0], [0.0, 2.0]);
        for path in [Path::Linear, Path::Spherical] {
            let s = walk(&a, &b, 0.0, path);
            let e = walk(&a, &b, 1.0, path);
            assert!((s[0] - 1.0).abs() < 1e-5 && s[1].abs() < 1e-5, "{s:?}");
            assert!(e[0].abs() < 1e-5 && (e[1] - 2.0).abs() < 1e-5, "{e:?}");
        }
        // Halfway along the great circle between orthogonal unit vectors stays on the circle.
        let m = walk(&[1.0, 0.0], &[0.0, 1.0], 0.5, Path::Spherical);
        assert!((m[0].hypot(m[1]) - 1.0).abs() < 1e-5);
        let l = walk(&[1.0, 0.0], &[0.0, 1.0], 0.5, Path::Linear);
        assert!((l[0].hypot(l[1]) - 0.5f32.sqrt()).abs() < 1e-5);
    }
}
