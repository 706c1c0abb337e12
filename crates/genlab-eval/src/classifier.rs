//! The small MNIST classifier behind genlab's GAN metrics: two conv layers and a 128-unit
//! hidden layer whose activations are the feature space of the Fréchet distance (as
//! Inception-v3's pool layer is for FID on photos), and whose class probabilities give the
//! Inception-style score and the accuracy of conditional samples.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_train::fit_supervised;

/// Width of the feature vector.
pub const FEATURES: usize = 128;

/// Configuration of [`DigitClassifier`] (28×28 grey digits, 10 classes).
#[derive(Debug, Clone, Copy, Default)]
pub struct DigitClassifierConfig;

/// conv 32 -> pool -> conv 64 -> pool -> 128 features -> 10 logits.
#[derive(Module, Debug)]
pub struct DigitClassifier {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    hidden: Linear,
    out: Linear,
    relu: Relu,
}

impl DigitClassifierConfig {
    /// Builds the classifier.
    pub fn init(&self, device: &Device) -> DigitClassifier {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3]).with_padding(PaddingConfig2d::Same).init(device)
        };
        DigitClassifier {
            conv1: conv(1, 32),
            conv2: conv(32, 64),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            hidden: LinearConfig::new(64 * 7 * 7, FEATURES).init(device),
            out: LinearConfig::new(FEATURES, 10).init(device),
            relu: Relu::new(),
        }
    }
}

impl DigitClassifier {
    /// Penultimate features: `[batch, 1, 28, 28]` in [0, 1] -> `[batch, 128]`.
    pub fn features(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self.pool.forward(self.relu.forward(self.conv1.forward(x))); // [b, 32, 14, 14]
        let x = self.pool.forward(self.relu.forward(self.conv2.forward(x))); // [b, 64, 7, 7]
        self.relu.forward(self.hidden.forward(x.flatten(1, 3)))
    }

    /// Class logits `[batch, 10]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.out.forward(self.features(x))
    }

    /// Features and class probabilities of `images` (`n × 784` values in [0, 1]), in batches.
    pub fn embed(&self, images: &[f32], device: &Device) -> (Vec<f32>, Vec<f32>) {
        let (mut feats, mut probs) = (Vec::new(), Vec::new());
        for chunk in images.chunks(256 * 784) {
            let n = chunk.len() / 784;
            let x = Tensor::<4>::from_data(TensorData::new(chunk.to_vec(), [n, 1, 28, 28]), device);
            let f = self.features(x);
            let p = softmax(self.out.forward(f.clone()), 1);
            feats.extend(f.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32"));
            probs.extend(p.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32"));
        }
        (feats, probs)
    }
}

/// Trains the classifier on `images` (`n × 784` in [0, 1]) and `labels`: Adam 1e-3, batch
/// 64, seeded shuffling. Returns the model (validation mode).
pub fn train_digit_classifier(
    images: &[f32],
    labels: &[u8],
    epochs: u64,
    seed: u64,
    device: &Device,
) -> DigitClassifier {
    let device = device.clone().autodiff();
    device.seed(seed);
    let model = DigitClassifierConfig.init(&device);
    let model = fit_supervised(model, labels.len(), 64, epochs, seed, 1e-3, |model, idx| {
        let mut x = Vec::with_capacity(idx.len() * 784);
        idx.iter().for_each(|&i| x.extend_from_slice(&images[i * 784..(i + 1) * 784]));
        let x = Tensor::<4>::from_data(TensorData::new(x, [idx.len(), 1, 28, 28]), &device);
        let y: Vec<i64> = idx.iter().map(|&i| labels[i] as i64).collect();
        let y = Tensor::<1, Int>::from_data(TensorData::new(y, [idx.len()]), &device);
        burn::nn::loss::CrossEntropyLossConfig::new().init(&device).forward(model.forward(x), y)
    });
    model.valid()
}

/// Share of `labels` the classifier gets right, overall and per class.
pub fn accuracy(probs: &[f32], labels: &[usize]) -> (f64, [f64; 10]) {
    let (mut right, mut per, mut count) = (0usize, [0usize; 10], [0usize; 10]);
    for (p, &l) in probs.chunks(10).zip(labels) {
        let guess = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
        count[l.min(9)] += 1;
        if guess == l {
            right += 1;
            per[l.min(9)] += 1;
        }
    }
    let mut per_class = [0.0; 10];
    for k in 0..10 {
        per_class[k] = if count[k] == 0 { f64::NAN } else { per[k] as f64 / count[k] as f64 };
    }
    (right as f64 / labels.len().max(1) as f64, per_class)
}
