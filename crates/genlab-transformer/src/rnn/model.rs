//! The char-RNN: token embedding -> stacked recurrent layers -> linear head, the recurrent
//! twin of the GPT in `model.rs` (Karpathy's char-rnn, PyTorch's `nn.Embedding` +
//! `nn.LSTM`/`nn.GRU` + `nn.Linear`).
//!
//! Training runs the layers over whole windows the way PyTorch does: the inputs of every
//! step are projected by one matmul, then one fused op per layer runs the time loop (one
//! `[batch, H] x [H, G*H]` matmul and the gate maths per step; see `genlab_tensor::fused`).
//! The first layer's projection is applied to the embedding table itself
//! (`[vocab, n_embd] x [n_embd, G*H]`, fewer rows than `batch * seq`) and each position picks
//! its row with `select`; that is the same arithmetic as embedding then projecting.

use burn::module::Module;
use burn::nn::{
    Dropout, DropoutConfig, Embedding, EmbeddingConfig, Initializer, Linear, LinearConfig,
};
use burn::tensor::{Device, Int, Tensor};

use super::config::{Cell, RnnConfig};
use super::gru::{Gru, GruConfig};
use super::lstm::{Lstm, LstmConfig};
use super::{CellState, RnnState};
use crate::pretrain::NextTokenModel;

/// A recurrent character-level language model.
#[derive(Module, Debug)]
pub struct CharRnn {
    /// Token embedding `[vocab_size, n_embd]`.
    pub wte: Embedding,
    /// The LSTM layers (empty for a GRU model).
    pub lstm: Vec<Lstm>,
    /// The GRU layers (empty for an LSTM model).
    pub gru: Vec<Gru>,
    drop: Dropout,
    /// LM head `[n_hidden, vocab_size]` with bias.
    pub lm_head: Linear,
    block_size: usize,
}

/// One layer of either kind.
#[derive(Clone, Copy)]
enum Layer<'a> {
    Lstm(&'a Lstm),
    Gru(&'a Gru),
}

impl Layer<'_> {
    fn project(self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Layer::Lstm(l) => l.project(x),
            Layer::Gru(g) => g.project(x),
        }
    }

    fn sequence(self, xp: Tensor<3>, state: CellState) -> (Tensor<3>, CellState) {
        match self {
            Layer::Lstm(l) => l.sequence(xp, state),
            Layer::Gru(g) => g.sequence(xp, state),
        }
    }
}

impl RnnConfig {
    /// Builds the model with PyTorch's default initialisation (embedding N(0, 1), cells
    /// U(-1/sqrt(H), 1/sqrt(H)), head U(-1/sqrt(H), 1/sqrt(H))). Panics on an invalid
    /// config; call [`RnnConfig::validate`] on user input first.
    pub fn init(&self, device: &Device) -> CharRnn {
        if let Err(e) = self.validate() {
            panic!("invalid RnnConfig: {e}");
        }
        let d_in = |l: usize| if l == 0 { self.n_embd } else { self.n_hidden };
        let (mut lstm, mut gru) = (Vec::new(), Vec::new());
        for l in 0..self.n_layer {
            match self.cell {
                Cell::Lstm => lstm.push(LstmConfig::new(d_in(l), self.n_hidden).init(device)),
                Cell::Gru => gru.push(GruConfig::new(d_in(l), self.n_hidden).init(device)),
            }
        }
        CharRnn {
            wte: EmbeddingConfig::new(self.vocab_size, self.n_embd)
                .with_initializer(Initializer::Normal { mean: 0.0, std: 1.0 })
                .init(device),
            lstm,
            gru,
            drop: DropoutConfig::new(self.dropout).init(),
            lm_head: LinearConfig::new(self.n_hidden, self.vocab_size).init(device),
            block_size: self.block_size,
        }
    }
}

impl CharRnn {
    /// Length of the training windows.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// Number of recurrent layers.
    pub fn n_layer(&self) -> usize {
        self.lstm.len() + self.gru.len()
    }

    /// Number of token ids.
    pub fn vocab_size(&self) -> usize {
        self.wte.weight.dims()[0]
    }

    /// Width of the hidden state of every layer.
    pub fn n_hidden(&self) -> usize {
        self.lm_head.weight.dims()[0]
    }

    fn layers(&self) -> Vec<Layer<'_>> {
        self.lstm.iter().map(Layer::Lstm).chain(self.gru.iter().map(Layer::Gru)).collect()
    }

    /// The all-zeros state of `batch` sequences (PyTorch's default `h0`, `c0`).
    pub fn zero_state(&self, batch: usize, device: &Device) -> RnnState {
        let h = self.n_hidden();
        let cell = !self.lstm.is_empty();
        RnnState {
            layers: (0..self.n_layer()).map(|_| CellState::zeros(batch, h, cell, device)).collect(),
        }
    }

    /// Logits for every position: `[batch, seq] -> [batch, seq, vocab_size]`, from zeros.
    pub fn forward(&self, idx: Tensor<2, Int>) -> Tensor<3> {
        self.forward_from(idx, None).0
    }

    /// Logits for every position of `idx` (`[batch, seq]`) after `state` (zeros when
    /// `None`), and the state after the last position.
    pub fn forward_from(
        &self,
        idx: Tensor<2, Int>,
        state: Option<RnnState>,
    ) -> (Tensor<3>, RnnState) {
        let [b, t] = idx.dims();
        let device = idx.device();
        let mut state = state.unwrap_or_else(|| self.zero_state(b, &device));
        let layers = self.layers();
        // The first layer's input projection, time first. With more positions than tokens in
        // the vocabulary, project the embedding table once and pick its rows; otherwise
        // (generation: one position) embed, then project.
        let idx = idx.swap_dims(0, 1).reshape([t * b]); // [seq * batch]
        let xp = if t * b > self.vocab_size() {
            layers[0].project(self.wte.weight.val()).select(0, idx) // [vocab, G*H] -> rows
        } else {
            layers[0].project(self.wte.weight.val().select(0, idx))
        }; // [seq * batch, G*H]
        let width = xp.dims()[1];
        let mut xp = xp.reshape([t, b, width]); // [seq, batch, G*H]
        let mut hs = None;
        for (l, layer) in layers.into_iter().enumerate() {
            if let Some(below) = hs.take() {
                // The layer below's outputs, projected for every step in one matmul.
                let x: Tensor<3> = below; // [seq, batch, H]
                let x = self.drop.forward(x.reshape([t * b, self.n_hidden()]));
                xp = layer.project(x).reshape([t, b, width]); // [seq, batch, G*H]
            }
            let (out, last) = layer.sequence(xp.clone(), state.layers[l].clone());
            state.layers[l] = last;
            hs = Some(out);
        }
        let hs = hs.expect("at least one layer").swap_dims(0, 1); // [batch, seq, H]
        (self.lm_head.forward(hs), state)
    }

    /// One token per sequence (`[batch]`) after `state`: the next-token logits
    /// `[batch, vocab_size]` and the new state. Generation feeds tokens through this.
    pub fn forward_step(&self, idx: Tensor<1, Int>, state: RnnState) -> (Tensor<2>, RnnState) {
        let (logits, state) = self.forward_from(idx.unsqueeze_dim::<2>(1), Some(state));
        (logits.squeeze_dim::<2>(1), state) // [batch, vocab_size]
    }

    /// Mean next-token cross-entropy of `idx` against `targets` (both `[batch, seq]`).
    pub fn loss(&self, idx: Tensor<2, Int>, targets: Tensor<2, Int>) -> Tensor<1> {
        crate::pretrain::next_token_loss(self.forward(idx), targets)
    }
}

impl NextTokenModel for CharRnn {
    fn loss(&self, idx: Tensor<2, Int>, targets: Tensor<2, Int>) -> Tensor<1> {
        CharRnn::loss(self, idx, targets)
    }
    fn block_size(&self) -> usize {
        self.block_size
    }
}
