//! The variational autoencoder with MLP encoder and decoder (Kingma & Welling, 2014); the
//! `mnist` preset is PyTorch's example: 784 -> 400 -> (mu, logvar) 20 -> 400 -> 784.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, at_least, check};
use serde::{Deserialize, Serialize};

use crate::loss::ReconLoss;
use crate::mlp::{Mlp, MlpConfig};
use crate::posterior::Posterior;

fn one() -> f32 {
    1.0
}

/// Configuration of [`Vae`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaeConfig {
    /// Input shape `[channels, height, width]`.
    pub shape: [usize; 3],
    /// Hidden widths of the encoder (the decoder mirrors them); at least one.
    pub hidden: Vec<usize>,
    /// Latent dimensions.
    pub latent: usize,
    /// Decoder likelihood: BCE (Bernoulli) or MSE (Gaussian with `sigma`).
    pub loss: ReconLoss,
    /// Standard deviation of the Gaussian decoder (MSE only).
    #[serde(default = "one")]
    pub sigma: f32,
}

/// MLP encoder to (mu, logvar), MLP decoder from z.
#[derive(Module, Debug)]
pub struct Vae {
    body: Mlp,
    mu: Linear,
    logvar: Linear,
    decoder: Mlp,
    relu: Relu,
    #[module(skip)]
    shape: [usize; 3],
    #[module(skip)]
    loss: ReconLoss,
    #[module(skip)]
    sigma: f32,
}

impl VaeConfig {
    /// PyTorch's `examples/vae`: 784 -> 400 -> 20 -> 400 -> 784, Bernoulli decoder.
    pub fn mnist() -> Self {
        Self { shape: [1, 28, 28], hidden: vec![400], latent: 20, loss: ReconLoss::Bce, sigma: 1.0 }
    }

    /// Checks the sizes; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let hidden = format!("{:?}", self.hidden);
        check(!self.hidden.is_empty(), "hidden", &hidden, "at least one hidden layer")?;
        let shape = format!("{:?}", self.shape);
        check(!self.shape.contains(&0), "shape", shape, "positive sizes")?;
        check(!self.hidden.contains(&0), "hidden", hidden, "positive widths")?;
        at_least("latent", self.latent, 1)?;
        // Not NaN and above zero (infinity passes, as before).
        check(self.sigma > 0.0, "sigma", self.sigma, "a positive number")
    }

    /// Builds the model.
    pub fn init(&self, device: &Device) -> Vae {
        let input: usize = self.shape.iter().product();
        let last = *self.hidden.last().expect("validated: one hidden layer");
        let mut body_dims = vec![input];
        body_dims.extend_from_slice(&self.hidden);
        let rev: Vec<usize> = self.hidden.iter().rev().copied().collect();
        Vae {
            body: MlpConfig { dims: body_dims, batch_norm: false, dropout: 0.0 }.init(device),
            mu: LinearConfig::new(last, self.latent).init(device),
            logvar: LinearConfig::new(last, self.latent).init(device),
            decoder: MlpConfig::new(self.latent, &rev, input).init(device),
            relu: Relu::new(),
            shape: self.shape,
            loss: self.loss,
            sigma: self.sigma,
        }
    }
}

impl Vae {
    /// q(z|x): `[batch, c, h, w] -> mu, logvar [batch, latent]`.
    pub fn encode(&self, x: Tensor<4>) -> Posterior {
        let h = self.relu.forward(self.body.forward(x.flatten(1, 3))); // [batch, hidden]
        Posterior { mu: self.mu.forward(h.clone()), logvar: self.logvar.forward(h) }
    }

    /// `[batch, latent] -> [batch, c, h, w]` raw outputs (logits under BCE).
    pub fn decode_raw(&self, z: Tensor<2>) -> Tensor<4> {
        let batch = z.dims()[0];
        let [c, h, w] = self.shape;
        self.decoder.forward(z).reshape([batch, c, h, w])
    }

    /// Decoder likelihood and its sigma (MSE only).
    pub fn likelihood(&self) -> (ReconLoss, f32) {
        (self.loss, self.sigma)
    }

    /// Latent dimensions.
    pub fn latent(&self) -> usize {
        self.mu.weight.dims()[1]
    }
}
