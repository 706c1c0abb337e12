//! Training images for a GAN, as plain values in [0, 1] with optional class labels.

use burn::tensor::{Device, Tensor, TensorData};

/// Equally sized images `[c, h, w]` in [0, 1], one after another, with optional labels.
#[derive(Debug, Clone)]
pub struct GanData {
    /// `[c, h, w]`.
    pub shape: [usize; 3],
    /// All images.
    pub values: Vec<f32>,
    /// A class per image (conditional GANs).
    pub labels: Option<Vec<u8>>,
    /// Number of classes (the one-hot width).
    pub classes: usize,
}

impl GanData {
    /// MNIST-style digits with their labels (10 classes).
    pub fn from_digits(images: &genlab_data::ImageSet, labels: Option<Vec<u8>>) -> Self {
        let values = images.pixels.iter().map(|&p| p as f32 / 255.0).collect();
        Self { shape: [1, images.rows, images.cols], values, labels, classes: 10 }
    }

    /// Values per image.
    pub fn item_len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.values.len() / self.item_len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The images at `idx` scaled to [-1, 1]: `[batch, c, h, w]`.
    pub fn batch(&self, idx: &[usize], device: &Device) -> Tensor<4> {
        gather_signed(&self.values, self.shape, idx, device)
    }

    /// One-hot labels of the images at `idx`: `[batch, classes]` (None without labels).
    pub fn one_hot(&self, idx: &[usize], device: &Device) -> Option<Tensor<2>> {
        let labels = self.labels.as_ref()?;
        Some(one_hot(
            &idx.iter().map(|&i| labels[i] as usize).collect::<Vec<_>>(),
            self.classes,
            device,
        ))
    }
}

/// Images `idx` of `values` (each `[c, h, w]` = `shape`, in [0, 1]) as one batch scaled to
/// [-1, 1], the range of a tanh generator: `[idx.len(), c, h, w]`.
pub fn gather_signed(
    values: &[f32],
    shape: [usize; 3],
    idx: &[usize],
    device: &Device,
) -> Tensor<4> {
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(idx.len() * n);
    for &i in idx {
        out.extend(values[i * n..(i + 1) * n].iter().map(|v| v * 2.0 - 1.0));
    }
    let [c, h, w] = shape;
    Tensor::from_data(TensorData::new(out, [idx.len(), c, h, w]), device)
}

/// One-hot rows for `classes`: `[n, width]`.
pub fn one_hot(classes: &[usize], width: usize, device: &Device) -> Tensor<2> {
    let mut v = vec![0.0f32; classes.len() * width];
    for (i, &c) in classes.iter().enumerate() {
        v[i * width + c.min(width - 1)] = 1.0;
    }
    Tensor::from_data(TensorData::new(v, [classes.len(), width]), device)
}
