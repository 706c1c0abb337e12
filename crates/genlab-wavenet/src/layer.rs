//! One WaveNet residual layer: a kernel-2 dilated causal convolution into a gated
//! activation, then a 1×1 back to the residual stream and a 1×1 out to the skip sum
//! (van den Oord et al. 2016, figure 4).
//!
//! The convolution `y[t] = W_0 x[t - d] + W_1 x[t] + b` is computed as one matrix product over
//! the residual stream and its copy shifted by `d` steps, concatenated on channels:
//! `[x[t - d], x[t]] @ [W_0; W_1]`. On burn's CPU backend that is one `[b·t, 2r] × [2r, 2g]`
//! matmul, faster than `Conv1d` with dilation (which goes through im2col) and than two
//! matmuls summed; `conv_matches_a_reference_conv1d` keeps it exact to `Conv1d`.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig, PaddingConfig1d};
use burn::tensor::activation::sigmoid;
use burn::tensor::ops::PadMode;
use burn::tensor::{Int, Tensor};

/// Configuration of [`ResidualLayer`].
#[derive(Config, Debug)]
pub struct ResidualLayerConfig {
    /// Channels of the residual stream.
    pub residual: usize,
    /// Channels of each half of the gate (filter and gate).
    pub gate: usize,
    /// Channels of the skip output.
    pub skip: usize,
    /// Distance in samples between the two taps.
    pub dilation: usize,
    /// Speakers for global conditioning (0 = none).
    #[config(default = 0)]
    pub speakers: usize,
}

/// A residual layer. See the [module docs](self).
#[derive(Module, Debug)]
pub struct ResidualLayer {
    /// The dilated convolution as `[x[t - d], x[t]] -> [filter, gate]`: `2r -> 2g`.
    pub conv: Linear,
    /// Per-speaker bias added to filter and gate (`V_f h`, `V_g h` in the paper).
    pub cond: Option<Embedding>,
    /// `g -> r`, added to the residual stream.
    pub res: Linear,
    /// `g -> s`, summed over layers into the head.
    pub skip: Linear,
    /// The dilation.
    pub dilation: usize,
}

impl ResidualLayerConfig {
    /// Builds the layer with PyTorch's default initialisation (uniform ±1/√fan_in).
    pub fn init(&self, device: &burn::tensor::Device) -> ResidualLayer {
        ResidualLayer {
            conv: LinearConfig::new(2 * self.residual, 2 * self.gate).init(device),
            cond: (self.speakers > 0)
                .then(|| EmbeddingConfig::new(self.speakers, 2 * self.gate).init(device)),
            res: LinearConfig::new(self.gate, self.residual).init(device),
            skip: LinearConfig::new(self.gate, self.skip).init(device),
            dilation: self.dilation,
        }
    }
}

impl ResidualLayer {
    /// `x: [b, t, r]`, `speaker: [b, 1]` -> (`[b, t, r]` residual out, `[b, t, s]` skip).
    pub fn forward(&self, x: Tensor<3>, speaker: Option<Tensor<2, Int>>) -> (Tensor<3>, Tensor<3>) {
        let past = shift(x.clone(), self.dilation); // [b, t, r]: x[t - d], zeros before t = d
        let z = self.conv.forward(Tensor::cat(vec![past, x.clone()], 2)); // [b, t, 2g]
        let z = match (&self.cond, speaker) {
            (Some(cond), Some(s)) => z + cond.forward(s), // [b, 1, 2g] broadcast over time
            _ => z,
        };
        let out = gate(z); // [b, t, g]
        (x + self.res.forward(out.clone()), self.skip.forward(out))
    }
}

/// WaveNet's gated activation `tanh(filter) ⊙ σ(gate)` of `z = [filter, gate]`:
/// `[b, t, 2g] -> [b, t, g]`.
///
/// Computed as `(2σ(2·filter) − 1) ⊙ σ(gate)`, the same function (tanh x = 2σ(2x) − 1) with one
/// sigmoid over both halves: on burn's CPU backend `tanh` goes through libm's `tanhf` and
/// `expm1f`, several times the cost of the `expf` in its sigmoid, and the two transcendental
/// passes were half of a training step.
pub fn gate(z: Tensor<3>) -> Tensor<3> {
    let g = z.dims()[2] / 2;
    let device = z.device();
    let scale: Vec<f32> = (0..2 * g).map(|i| if i < g { 2.0 } else { 1.0 }).collect();
    let scale = Tensor::<1>::from_floats(scale.as_slice(), &device).reshape([1, 1, 2 * g]);
    let s = sigmoid(z * scale); // [b, t, 2g]
    let filter = s.clone().narrow(2, 0, g) * 2.0 - 1.0; // tanh(filter)
    filter * s.narrow(2, g, g)
}

/// `x` delayed by `d` steps along time, zeros shifted in: `[b, t, c] -> [b, t, c]`.
pub fn shift(x: Tensor<3>, d: usize) -> Tensor<3> {
    let [b, t, c] = x.dims();
    if d >= t {
        return Tensor::zeros([b, t, c], &x.device());
    }
    x.narrow(1, 0, t - d).pad([(d, 0), (0, 0)], PadMode::Constant(0.0))
}

/// The same convolution as burn's `Conv1d` (kernel 2, dilation `d`, left padding `d`), for
/// the test that keeps [`ResidualLayer`]'s formulation exact: `[b, t, r] -> [b, t, 2g]`.
pub fn reference_conv(layer: &ResidualLayer, x: Tensor<3>) -> Tensor<3> {
    use burn::module::Param;
    use burn::nn::conv::Conv1dConfig;
    let [b, t, r] = x.dims();
    let device = x.device();
    let w = layer.conv.weight.val(); // [2r, 2g]: rows 0..r tap x[t - d], rows r..2r tap x[t]
    let out = w.dims()[1];
    let taps = w.reshape([2, r, out]).permute([2, 1, 0]); // [2g, r, 2]
    let mut conv = Conv1dConfig::new(r, out, 2)
        .with_dilation(layer.dilation)
        .with_padding(PaddingConfig1d::Explicit(layer.dilation, 0))
        .init(&device);
    conv.weight = Param::from_tensor(taps);
    conv.bias = layer.conv.bias.clone();
    let y = conv.forward(x.swap_dims(1, 2)); // [b, 2g, t]
    debug_assert_eq!(y.dims(), [b, out, t]);
    y.swap_dims(1, 2)
}
