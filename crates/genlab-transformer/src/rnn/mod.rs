//! A char-RNN beside the GPT: LSTM and GRU language models on the same data pipeline,
//! trainer ([`crate::pretrain`]), run folders ([`crate::run`]) and decoding
//! (genlab-decoding) as the GPT, so the two can be compared on equal terms.
//!
//! Leaves first: [`lstm`] and [`gru`] (one layer each, PyTorch's equations, gate order and
//! initialisation), [`model`] (embedding -> stacked layers -> head), [`generate`] (the hidden
//! state is the "cache": one token per step), [`recipe`] (recipes, `train_recipe`, [`load`]).
//!
//! The layers are genlab's own, not `burn::nn::Lstm`/`Gru`: burn's LSTM does 8 small matmuls
//! and a `slice_assign` per time step, each a node of the autodiff graph; these project the
//! inputs of all steps with one matmul and run the time loop as one fused op with a
//! handwritten backward (`genlab_tensor::fused`), as PyTorch's CPU kernels and cuDNN do. On
//! the baby shape forward + backward is about 3.6x faster than the same stack of
//! `burn::nn::Lstm` (figures in `lstm.rs`).

pub mod config;
pub mod generate;
pub mod gru;
pub mod lstm;
pub mod model;
pub mod recipe;

use burn::tensor::{Device, Tensor};

pub use config::{Cell, RnnConfig};
pub use generate::RnnGenerator;
pub use gru::{Gru, GruConfig};
pub use lstm::{Lstm, LstmConfig};
pub use model::CharRnn;
pub use recipe::{RnnModelSection, RnnRecipe, RnnRun, load, resume_recipe, train_recipe};

/// The state of one layer: the hidden state `[batch, H]`, and for the LSTM the hidden and
/// cell state packed side by side, the form the fused cell reads and writes.
#[derive(Debug, Clone)]
pub struct CellState {
    /// Hidden state `[batch, H]`.
    pub h: Tensor<2>,
    /// LSTM only: `[batch, 2H]`, h then c (see [`genlab_tensor::fused::lstm_cell`]).
    pub hc: Option<Tensor<2>>,
}

impl CellState {
    /// Zeros for `batch` sequences of width `hidden`, with a cell state when `cell`.
    pub fn zeros(batch: usize, hidden: usize, cell: bool, device: &Device) -> Self {
        let h = Tensor::zeros([batch, hidden], device);
        Self { hc: cell.then(|| Tensor::zeros([batch, 2 * hidden], device)), h }
    }

    /// An LSTM state from its hidden and cell states (both `[batch, H]`).
    pub fn lstm(h: Tensor<2>, c: Tensor<2>) -> Self {
        Self { hc: Some(Tensor::cat(vec![h.clone(), c], 1)), h }
    }

    /// A GRU state from its hidden state `[batch, H]`.
    pub fn gru(h: Tensor<2>) -> Self {
        Self { h, hc: None }
    }

    /// The LSTM's cell state `[batch, H]` (`None` for a GRU).
    pub fn c(&self) -> Option<Tensor<2>> {
        let hidden = self.h.dims()[1];
        self.hc.clone().map(|hc| hc.narrow(1, hidden, hidden))
    }
}

/// The state of the whole stack, one [`CellState`] per layer: what generation carries
/// between tokens.
#[derive(Debug, Clone)]
pub struct RnnState {
    /// Bottom layer first.
    pub layers: Vec<CellState>,
}
