//! A small convolutional multi-label classifier: the independent judge of whether a decoded
//! image shows an attribute (glasses, a smile), trained on labelled images, never on the
//! autoencoder's outputs.

use burn::module::Module;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use genlab_train::fit_supervised;
use serde::{Deserialize, Serialize};

use crate::conv_stack::{ConvEncoder, ConvStackConfig};
use crate::data::ImageData;
use crate::loss::bce_with_logits;

/// Configuration of [`AttributeClassifier`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeClassifierConfig {
    /// Input shape `[c, h, w]`.
    pub shape: [usize; 3],
    /// Feature maps after each stride-2 layer.
    pub channels: Vec<usize>,
    /// Number of yes/no attributes.
    pub outputs: usize,
}

/// Conv layers to one logit per attribute.
#[derive(Module, Debug)]
pub struct AttributeClassifier {
    net: ConvEncoder,
}

impl AttributeClassifierConfig {
    /// Builds the model.
    pub fn init(&self, device: &Device) -> AttributeClassifier {
        let stack = ConvStackConfig {
            in_channels: self.shape[0],
            size: [self.shape[1], self.shape[2]],
            channels: self.channels.clone(),
            out_features: self.outputs,
        };
        AttributeClassifier { net: stack.init_encoder(device) }
    }
}

impl AttributeClassifier {
    /// `[batch, c, h, w] -> [batch, outputs]` logits.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.net.forward(x)
    }

    /// `[batch, c, h, w] ->` yes/no per item and attribute.
    pub fn predict(&self, x: Tensor<4>) -> Vec<Vec<bool>> {
        let p = sigmoid(self.forward(x));
        let [n, k] = p.dims();
        let v = p.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32");
        (0..n).map(|i| v[i * k..(i + 1) * k].iter().map(|&p| p > 0.5).collect()).collect()
    }
}

/// Trains a classifier on `images` with `labels[i][a]` = item i has attribute a (Adam 1e-3,
/// batch 64, seeded).
pub fn train_attribute_classifier(
    cfg: &AttributeClassifierConfig,
    images: &ImageData,
    labels: &[Vec<bool>],
    epochs: u64,
    seed: u64,
    device: &Device,
) -> AttributeClassifier {
    let device = device.clone().autodiff();
    device.seed(seed);
    let model =
        fit_supervised(cfg.init(&device), images.len(), 64, epochs, seed, 1e-3, |m, idx| {
            let x = images.batch(idx, &device);
            let y: Vec<f32> = idx
                .iter()
                .flat_map(|&i| labels[i].iter().map(|&b| if b { 1.0 } else { 0.0 }))
                .collect();
            let y = Tensor::from_data(TensorData::new(y, [idx.len(), cfg.outputs]), &device);
            bce_with_logits(m.forward(x), y).mean()
        });
    model.valid()
}
