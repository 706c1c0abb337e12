//! A GRU layer written the way PyTorch's `nn.GRU` computes it: gates in the order r, z, n;
//! `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, `h' = (1 - z) * n + z * h`; weights and
//! biases drawn from U(-1/sqrt(H), 1/sqrt(H)).
//!
//! As for the LSTM, the input projection is separate ([`Gru::project`]); each step costs one
//! `[batch, H] x [H, 3H]` matmul plus the gate maths, fused into one op
//! ([`genlab_tensor::fused::gru_cell`]).

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::Initializer;
use burn::tensor::{Device, Tensor};
use genlab_tensor::fused;

use super::CellState;

/// Configuration of [`Gru`].
#[derive(Config, Debug)]
pub struct GruConfig {
    /// Width of the input.
    pub d_input: usize,
    /// Width of the hidden state (H).
    pub d_hidden: usize,
}

/// One GRU layer. Weights are stored `[in, out]`; PyTorch's `weight_ih_l{k}` is `w_ih`
/// transposed.
#[derive(Module, Debug)]
pub struct Gru {
    /// Input weights `[d_input, 3H]`, gates r, z, n.
    pub w_ih: Param<Tensor<2>>,
    /// Recurrent weights `[H, 3H]`.
    pub w_hh: Param<Tensor<2>>,
    /// Input bias `[3H]`.
    pub b_ih: Param<Tensor<1>>,
    /// Recurrent bias `[3H]` (its n part stays inside the reset gate's product).
    pub b_hh: Param<Tensor<1>>,
}

impl GruConfig {
    /// Builds the layer with PyTorch's initialisation, U(-1/sqrt(H), 1/sqrt(H)) everywhere.
    pub fn init(&self, device: &Device) -> Gru {
        let (d, h) = (self.d_input, self.d_hidden);
        let k = 1.0 / (h as f64).sqrt();
        let uniform = Initializer::Uniform { min: -k, max: k };
        Gru {
            w_ih: uniform.init([d, 3 * h], device),
            w_hh: uniform.init([h, 3 * h], device),
            b_ih: uniform.init([3 * h], device),
            b_hh: uniform.init([3 * h], device),
        }
    }
}

impl Gru {
    /// Width of the hidden state.
    pub fn d_hidden(&self) -> usize {
        self.w_hh.dims()[0]
    }

    /// The input's share of the gates with the input bias: `[n, d_input] -> [n, 3H]`.
    pub fn project(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.w_ih.val()) + self.b_ih.val().unsqueeze::<2>()
    }

    /// The layer over projected inputs `xp` (`[seq, batch, 3H]`, from [`Gru::project`],
    /// time first) from `state`: every hidden state `[seq, batch, H]` and the final state.
    /// One fused op ([`genlab_tensor::fused::gru_sequence`]) runs the time loop.
    pub fn sequence(&self, xp: Tensor<3>, state: CellState) -> (Tensor<3>, CellState) {
        let [t, b, _] = xp.dims();
        let y = fused::gru_sequence(xp, self.w_hh.val(), self.b_hh.val(), state.h); // [seq, batch, H]
        let last = y.clone().narrow(0, t - 1, 1).reshape([b, self.d_hidden()]);
        (y, CellState::gru(last))
    }

    /// The whole sequence `[batch, seq, d_input]` from `state` (zeros when `None`):
    /// every hidden state `[batch, seq, H]` and the final state (`nn.GRU(batch_first=True)`).
    pub fn forward(&self, x: Tensor<3>, state: Option<CellState>) -> (Tensor<3>, CellState) {
        let [b, t, d] = x.dims();
        let state =
            state.unwrap_or_else(|| CellState::zeros(b, self.d_hidden(), false, &x.device()));
        let xp = self.project(x.swap_dims(0, 1).reshape([t * b, d])); // [seq * batch, 3H]
        let (hs, last) = self.sequence(xp.reshape([t, b, 3 * self.d_hidden()]), state);
        (hs.swap_dims(0, 1), last) // [batch, seq, H]
    }
}
