//! What the procedural scene generators ([`crate::street`], [`crate::aerial`]) share: a scene
//! drawn twice from one hidden layout, with the class of every pixel, and the value noise that
//! textures them.

use crate::error::DataError;

/// A batch of scenes, each drawn twice from one hidden layout, with the class of every pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenes {
    /// Scenes.
    pub n: usize,
    /// Side in pixels.
    pub size: usize,
    /// The photo-like rendering, planar `[n, 3, size, size]` in [0, 1].
    pub photos: Vec<f32>,
    /// The flat rendering (a label map, or a map), planar `[n, 3, size, size]` in [0, 1].
    pub flats: Vec<f32>,
    /// The class of every pixel, `[n, size, size]` (the generator's class order).
    pub classes: Vec<u8>,
}

/// One scene of a batch being drawn: per-pixel class, photo colour and flat colour.
pub(crate) struct Frame {
    pub classes: Vec<u8>,
    pub photo: Vec<[f32; 3]>,
    pub flat: Vec<[f32; 3]>,
}

impl Frame {
    pub fn new(size: usize) -> Self {
        let n = size * size;
        Self { classes: vec![0; n], photo: vec![[0.0; 3]; n], flat: vec![[0.0; 3]; n] }
    }
}

impl Scenes {
    pub(crate) fn new(n: usize, size: usize) -> Self {
        Self { n, size, photos: Vec::new(), flats: Vec::new(), classes: Vec::new() }
    }

    /// Appends a finished frame.
    pub(crate) fn push(&mut self, frame: Frame) {
        planar_into(&frame.photo, &mut self.photos);
        planar_into(&frame.flat, &mut self.flats);
        self.classes.extend_from_slice(&frame.classes);
    }

    /// Share of the pixels of every class, `classes` long.
    pub fn class_shares(&self, classes: usize) -> Vec<f64> {
        let mut counts = vec![0usize; classes];
        for &c in &self.classes {
            counts[c as usize] += 1;
        }
        let total = self.classes.len().max(1) as f64;
        counts.into_iter().map(|c| c as f64 / total).collect()
    }
}

/// Appends `image` (pixel-major RGB) to `out` as planar `[3, h, w]`, clamped to [0, 1].
fn planar_into(image: &[[f32; 3]], out: &mut Vec<f32>) {
    let (hw, start) = (image.len(), out.len());
    out.resize(start + 3 * hw, 0.0);
    for (i, px) in image.iter().enumerate() {
        for k in 0..3 {
            out[start + k * hw + i] = px[k].clamp(0.0, 1.0);
        }
    }
}

/// Scenes are drawn at sides that a U-Net with four halvings takes: multiples of 16, at least
/// 32.
pub(crate) fn check_size(size: usize, what: &str) -> Result<(), DataError> {
    if size < 32 || !size.is_multiple_of(16) {
        return Err(DataError::Invalid {
            problem: format!(
                "{what} are drawn at sides that divide by 16 (32 or more), got {size}"
            ),
        });
    }
    Ok(())
}

/// A hash of a lattice point to [0, 1).
pub(crate) fn hash(i: i64, j: i64, salt: u64) -> f32 {
    let mut h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (j as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ salt.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^= h >> 31;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 29;
    (h >> 40) as f32 / (1u64 << 24) as f32
}

/// Smooth value noise in [0, 1) at (`x`, `y`) lattice units.
pub(crate) fn noise(x: f32, y: f32, salt: u64) -> f32 {
    let (fx, fy) = (x.floor(), y.floor());
    let (i, j) = (fx as i64, fy as i64);
    let (tx, ty) = (x - fx, y - fy);
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let top = hash(i, j, salt) + sx * (hash(i + 1, j, salt) - hash(i, j, salt));
    let bottom = hash(i, j + 1, salt) + sx * (hash(i + 1, j + 1, salt) - hash(i, j + 1, salt));
    top + sy * (bottom - top)
}

/// `colour` scaled by `k`.
pub(crate) fn scale(colour: [f32; 3], k: f32) -> [f32; 3] {
    colour.map(|v| v * k)
}

/// `a` blended towards `b` by `t`.
pub(crate) fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    std::array::from_fn(|k| a[k] + t * (b[k] - a[k]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_smooth_bounded_and_salted() {
        for i in 0..200 {
            let (x, y) = (i as f32 * 0.37, i as f32 * 0.11);
            let v = noise(x, y, 3);
            assert!((0.0..1.0).contains(&v));
            assert!((v - noise(x + 0.01, y, 3)).abs() < 0.05);
        }
        assert_ne!(noise(0.5, 0.5, 1), noise(0.5, 0.5, 2));
        assert!(check_size(48, "streets").is_ok());
        assert!(check_size(40, "streets").unwrap_err().to_string().contains("divide by 16"));
        assert!(check_size(16, "streets").is_err());
    }
}
