//! An LSTM layer written the way PyTorch's `nn.LSTM` computes it: gates in the order
//! i, f, g, o; `c' = f * c + i * g`, `h' = o * tanh(c')`; weights and biases drawn from
//! U(-1/sqrt(H), 1/sqrt(H)); two biases (`b_ih`, `b_hh`) so the parameter count matches.
//!
//! The input projection is a separate step ([`Lstm::project`]), so the model can apply it to
//! many rows at once (for the first layer: to the whole embedding table, see `model.rs`); the
//! time loop is one fused op ([`genlab_tensor::fused::lstm_sequence`]): per step one
//! `[batch, H] x [H, 4H]` matmul and the gate maths in one pass, and in the backward pass the
//! recurrent weights' gradient as a single matmul over all steps.
//!
//! Against `burn::nn::Lstm` (8 small matmuls per step, one per gate and input, each a graph
//! node, and a `slice_assign` of every step's output): the same stack (embedding 128, 2 layers
//! of 232, head; batch 12, context 64) built from `burn::nn::Lstm` took 175 ms for forward +
//! backward on one thread of this 2-core machine, this model 49 ms (3.6x); with the time loop
//! composed from burn ops instead of the fused op, 215 ms (`cargo run --release -p
//! genlab-transformer --example bench_rnn -- cell`, 2026-12-01).

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::Initializer;
use burn::tensor::{Device, Tensor};
use genlab_tensor::fused;

use super::CellState;

/// Configuration of [`Lstm`].
#[derive(Config, Debug)]
pub struct LstmConfig {
    /// Width of the input.
    pub d_input: usize,
    /// Width of the hidden and cell state (H).
    pub d_hidden: usize,
}

/// One LSTM layer. Weights are stored `[in, out]` (burn's `Linear` layout); PyTorch's
/// `weight_ih_l{k}` is `w_ih` transposed.
#[derive(Module, Debug)]
pub struct Lstm {
    /// Input weights `[d_input, 4H]`, gates i, f, g, o.
    pub w_ih: Param<Tensor<2>>,
    /// Recurrent weights `[H, 4H]`.
    pub w_hh: Param<Tensor<2>>,
    /// Input bias `[4H]`.
    pub b_ih: Param<Tensor<1>>,
    /// Recurrent bias `[4H]`.
    pub b_hh: Param<Tensor<1>>,
}

impl LstmConfig {
    /// Builds the layer with PyTorch's initialisation, U(-1/sqrt(H), 1/sqrt(H)) everywhere.
    pub fn init(&self, device: &Device) -> Lstm {
        let (d, h) = (self.d_input, self.d_hidden);
        let k = 1.0 / (h as f64).sqrt();
        let uniform = Initializer::Uniform { min: -k, max: k };
        Lstm {
            w_ih: uniform.init([d, 4 * h], device),
            w_hh: uniform.init([h, 4 * h], device),
            b_ih: uniform.init([4 * h], device),
            b_hh: uniform.init([4 * h], device),
        }
    }
}

impl Lstm {
    /// Width of the hidden state.
    pub fn d_hidden(&self) -> usize {
        self.w_hh.dims()[0]
    }

    /// The input's share of the gates, both biases included: `[n, d_input] -> [n, 4H]`.
    pub fn project(&self, x: Tensor<2>) -> Tensor<2> {
        let bias = (self.b_ih.val() + self.b_hh.val()).unsqueeze::<2>(); // [1, 4H]
        x.matmul(self.w_ih.val()) + bias
    }

    /// The layer over projected inputs `xp` (`[seq, batch, 4H]`, from [`Lstm::project`],
    /// time first) from `state`: every hidden state `[seq, batch, H]` and the final state.
    /// One fused op ([`genlab_tensor::fused::lstm_sequence`]) runs the time loop.
    pub fn sequence(&self, xp: Tensor<3>, state: CellState) -> (Tensor<3>, CellState) {
        let [t, b, _] = xp.dims();
        let h = self.d_hidden();
        let hc0 = state.hc.expect("an LSTM layer runs from an LSTM state (CellState::lstm)");
        let y = fused::lstm_sequence(xp, self.w_hh.val(), hc0); // [seq, batch, 2H]: h | c
        let hc = y.clone().narrow(0, t - 1, 1).reshape([b, 2 * h]);
        let last = CellState { h: hc.clone().narrow(1, 0, h), hc: Some(hc) };
        (y.narrow(2, 0, h), last)
    }

    /// The whole sequence `[batch, seq, d_input]` from `state` (zeros when `None`):
    /// every hidden state `[batch, seq, H]` and the final state, as
    /// `nn.LSTM(batch_first=True)`.
    pub fn forward(&self, x: Tensor<3>, state: Option<CellState>) -> (Tensor<3>, CellState) {
        let [b, t, d] = x.dims();
        let state =
            state.unwrap_or_else(|| CellState::zeros(b, self.d_hidden(), true, &x.device()));
        let xp = self.project(x.swap_dims(0, 1).reshape([t * b, d])); // [seq * batch, 4H]
        let (hs, last) = self.sequence(xp.reshape([t, b, 4 * self.d_hidden()]), state);
        (hs.swap_dims(0, 1), last) // [batch, seq, H]
    }
}
