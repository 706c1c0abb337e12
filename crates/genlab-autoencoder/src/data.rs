//! Data as the autoencoders see it: a set of equally shaped items (`[c, h, w]`, values
//! row-major), or random patches cut from photos of any size for the denoiser.

use burn::tensor::{Device, Tensor, TensorData};
use genlab_data::ImageSet;
use rand::Rng;

/// Equally shaped items: images `[c, h, w]` in [0, 1], or sensor windows `[channels, 1, width]`.
#[derive(Debug, Clone)]
pub struct ImageData {
    /// `[c, h, w]` of one item.
    pub shape: [usize; 3],
    /// All items, one after another.
    pub values: Vec<f32>,
    /// A class per item, where there is one (digits).
    pub labels: Option<Vec<u8>>,
}

impl ImageData {
    /// Wraps `values` (a whole number of items of `shape`).
    pub fn new(shape: [usize; 3], values: Vec<f32>, labels: Option<Vec<u8>>) -> Self {
        let item: usize = shape.iter().product();
        assert!(item > 0 && values.len().is_multiple_of(item), "values are not whole items");
        if let Some(l) = &labels {
            assert_eq!(l.len(), values.len() / item, "one label per item");
        }
        Self { shape, values, labels }
    }

    /// MNIST-style digits as `[1, h, w]` items in [0, 1].
    pub fn from_image_set(images: &ImageSet, labels: Option<Vec<u8>>) -> Self {
        let values = images.pixels.iter().map(|&p| p as f32 / 255.0).collect();
        Self::new([1, images.rows, images.cols], values, labels)
    }

    /// Values in one item.
    pub fn item_len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.values.len() / self.item_len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// One item's values.
    pub fn item(&self, i: usize) -> &[f32] {
        let n = self.item_len();
        &self.values[i * n..(i + 1) * n]
    }

    /// The items at `indices` as a `[batch, c, h, w]` tensor.
    pub fn batch(&self, indices: &[usize], device: &Device) -> Tensor<4> {
        let mut out = Vec::with_capacity(indices.len() * self.item_len());
        for &i in indices {
            out.extend_from_slice(self.item(i));
        }
        let [c, h, w] = self.shape;
        Tensor::from_data(TensorData::new(out, [indices.len(), c, h, w]), device)
    }

    /// The items whose index passes `keep`, labels kept alongside.
    pub fn filter(&self, keep: impl Fn(usize) -> bool) -> Self {
        let chosen: Vec<usize> = (0..self.len()).filter(|&i| keep(i)).collect();
        let mut values = Vec::with_capacity(chosen.len() * self.item_len());
        for &i in &chosen {
            values.extend_from_slice(self.item(i));
        }
        let labels = self.labels.as_ref().map(|l| chosen.iter().map(|&i| l[i]).collect());
        Self::new(self.shape, values, labels)
    }

    /// The first `n` items.
    pub fn take(&self, n: usize) -> Self {
        self.filter(|i| i < n)
    }

    /// Splits off a share of the items, drawn by `seed`, as a validation set: `(rest, held
    /// out)`, each in the original order. At least one item stays on each side when there are
    /// two or more.
    pub fn split(&self, share: f64, seed: u64) -> (Self, Self) {
        use rand::SeedableRng;
        use rand::seq::SliceRandom;
        let n = self.len();
        let held = ((n as f64 * share).round() as usize).clamp(n.min(1), n.saturating_sub(1));
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5B11_7000));
        let mut is_held = vec![false; n];
        for &i in &order[..held] {
            is_held[i] = true;
        }
        (self.filter(|i| !is_held[i]), self.filter(|i| is_held[i]))
    }
}

/// One photo as planar `[c, h, w]` values in [0, 1].
#[derive(Debug, Clone)]
pub struct Photo {
    /// Channels.
    pub channels: usize,
    /// Height.
    pub height: usize,
    /// Width.
    pub width: usize,
    /// Planar values.
    pub values: Vec<f32>,
}

/// Random square patches from a set of photos, with random flips: the denoiser's data.
#[derive(Debug, Clone)]
pub struct PatchSampler {
    photos: Vec<Photo>,
    patch: usize,
}

impl PatchSampler {
    /// Patches of `patch`×`patch` from `photos` (all with the same channels, each at least as
    /// large as a patch).
    pub fn new(photos: Vec<Photo>, patch: usize) -> Result<Self, String> {
        if photos.is_empty() {
            return Err("no photos to cut patches from".into());
        }
        if patch < 2 || !patch.is_multiple_of(2) {
            return Err(format!("patch size must be even and at least 2, got {patch}"));
        }
        let c = photos[0].channels;
        for (i, p) in photos.iter().enumerate() {
            if p.channels != c {
                return Err(format!("photo {i} has {} channels, the first has {c}", p.channels));
            }
            if p.height < patch || p.width < patch {
                return Err(format!(
                    "photo {i} is {}x{}, smaller than a {patch}x{patch} patch",
                    p.width, p.height
                ));
            }
        }
        Ok(Self { photos, patch })
    }

    /// Channels of every patch.
    pub fn channels(&self) -> usize {
        self.photos[0].channels
    }

    /// Patch side.
    pub fn patch(&self) -> usize {
        self.patch
    }

    /// `n` patches as `[n, c, patch, patch]`, positions and flips drawn from `rng`.
    pub fn sample(&self, n: usize, rng: &mut impl Rng, device: &Device) -> Tensor<4> {
        let (c, p) = (self.channels(), self.patch);
        let mut out = Vec::with_capacity(n * c * p * p);
        for _ in 0..n {
            let photo = &self.photos[rng.random_range(0..self.photos.len())];
            let y0 = rng.random_range(0..=photo.height - p);
            let x0 = rng.random_range(0..=photo.width - p);
            let (flip_x, flip_y) = (rng.random_bool(0.5), rng.random_bool(0.5));
            for ch in 0..c {
                for y in 0..p {
                    let sy = if flip_y { y0 + p - 1 - y } else { y0 + y };
                    let row = &photo.values[(ch * photo.height + sy) * photo.width..];
                    for x in 0..p {
                        let sx = if flip_x { x0 + p - 1 - x } else { x0 + x };
                        out.push(row[sx]);
                    }
                }
            }
        }
        Tensor::from_data(TensorData::new(out, [n, c, p, p]), device)
    }
}
