//! Fused recurrent layers: an LSTM or GRU layer over a whole sequence as one operation forward
//! and one backward, where burn would build a dozen small ops and autodiff nodes per step.
//!
//! At the sizes a char-RNN trains on (batch 12, hidden 232) a step's gate maths is a few
//! thousand numbers, and the recurrent weights' gradient, taken step by step, is 64 separate
//! `[H, 4H]` products each added into the last: that bookkeeping, not the arithmetic, is most
//! of a training step. PyTorch's CPU `nn.LSTM` avoids it with a fused kernel, cuDNN on the GPU.
//! burn has neither, so genlab adds one as a backend extension (`#[backend_extension]`, the
//! mechanism burn-signal uses for its FFT): the time loop on Flex ([`flex`]) with a handwritten
//! backward for Autodiff ([`autodiff`]) that gathers every step's gate gradients and takes the
//! weights' gradient as one matmul. Every other backend, and Flex with a dtype other than
//! `f32`, gets the same maths composed from tensor ops ([`lstm_sequence_composed`],
//! [`gru_sequence_composed`]), so results agree everywhere and only the speed differs.

#[cfg(feature = "flex")]
mod autodiff;
#[cfg(feature = "flex")]
mod flex;

use burn::tensor::Tensor;
use burn::tensor::activation::sigmoid;

/// The recurrent layers as a backend extension; see [`lstm_sequence`] and [`gru_sequence`].
#[cfg(feature = "flex")]
#[burn::backend::backend_extension(Flex: cfg(feature = "flex"), Autodiff)]
pub trait FusedCellOps: burn::backend::Backend {
    /// `xp` `[T, B, 4H]`, `w_hh` `[H, 4H]`, `hc0` `[B, 2H]` -> `[T, B, 2H]`.
    fn lstm_sequence(
        xp: burn::backend::tensor::FloatTensor<Self>,
        w_hh: burn::backend::tensor::FloatTensor<Self>,
        hc0: burn::backend::tensor::FloatTensor<Self>,
    ) -> burn::backend::tensor::FloatTensor<Self>;

    /// `xp` `[T, B, 3H]`, `w_hh` `[H, 3H]`, `b_hh` `[3H]`, `h0` `[B, H]` -> `[T, B, H]`.
    fn gru_sequence(
        xp: burn::backend::tensor::FloatTensor<Self>,
        w_hh: burn::backend::tensor::FloatTensor<Self>,
        b_hh: burn::backend::tensor::FloatTensor<Self>,
        h0: burn::backend::tensor::FloatTensor<Self>,
    ) -> burn::backend::tensor::FloatTensor<Self>;
}

/// Whether the fused kernels take `t`: an `f32` tensor on Flex (with or without autodiff).
pub fn has_kernel<const D: usize>(t: &Tensor<D>) -> bool {
    #[cfg(feature = "flex")]
    let on_flex = t.device() == burn::tensor::Device::flex();
    #[cfg(not(feature = "flex"))]
    let on_flex = false;
    on_flex && t.dtype() == burn::tensor::DType::F32
}

/// An LSTM layer over a sequence, PyTorch's equations: at each step
/// `gates = xp[t] + h W_hh` (blocks i, f, g, o); `i, f, o = sigmoid(.)`, `g = tanh(.)`;
/// `c' = f * c + i * g`; `h' = o * tanh(c')`.
///
/// `xp` `[T, B, 4H]` is the input's projection with both biases, `w_hh` `[H, 4H]`, and the
/// state travels packed as h | c: `hc0` `[B, 2H]` in, every step's `[T, B, 2H]` out (the last
/// step's row is the final state). On Flex with `f32` this is the fused kernel.
pub fn lstm_sequence(xp: Tensor<3>, w_hh: Tensor<2>, hc0: Tensor<2>) -> Tensor<3> {
    let [_, b, g4] = xp.dims();
    let h = g4 / 4;
    assert!(
        g4 % 4 == 0 && w_hh.dims() == [h, g4] && hc0.dims() == [b, 2 * h],
        "lstm_sequence: inputs {:?}, weights {:?} and state {:?} do not fit [T, B, 4H], [H, 4H] and [B, 2H]",
        xp.dims(),
        w_hh.dims(),
        hc0.dims()
    );
    #[cfg(feature = "flex")]
    if has_kernel(&xp) && has_kernel(&w_hh) && has_kernel(&hc0) {
        use burn::backend::Dispatch;
        let (xp, w_hh, hc0) = (xp.into_dispatch(), w_hh.into_dispatch(), hc0.into_dispatch());
        return Tensor::from_dispatch(<Dispatch as FusedCellOps>::lstm_sequence(xp, w_hh, hc0));
    }
    lstm_sequence_composed(xp, w_hh, hc0)
}

/// [`lstm_sequence`] from ordinary tensor ops: the reference the kernel is tested against, and
/// the path of every backend without the kernel.
pub fn lstm_sequence_composed(xp: Tensor<3>, w_hh: Tensor<2>, hc0: Tensor<2>) -> Tensor<3> {
    let [t_len, _, g4] = xp.dims();
    let h = g4 / 4;
    let mut hc = hc0;
    let mut out = Vec::with_capacity(t_len);
    for t in 0..t_len {
        let x = xp.clone().narrow(0, t, 1).squeeze_dim::<2>(0); // [B, 4H]
        let gates = x + hc.clone().narrow(1, 0, h).matmul(w_hh.clone());
        let block = |k: usize| gates.clone().narrow(1, k * h, h); // [B, H]
        let (i, f, g, o) =
            (sigmoid(block(0)), sigmoid(block(1)), block(2).tanh(), sigmoid(block(3)));
        let c = f * hc.narrow(1, h, h) + i * g;
        hc = Tensor::cat(vec![o * c.clone().tanh(), c], 1); // [B, 2H]
        out.push(hc.clone());
    }
    Tensor::stack(out, 0) // [T, B, 2H]
}

/// A GRU layer over a sequence, PyTorch's equations: with `hp = h W_hh + b_hh` (blocks r, z,
/// n), `r, z = sigmoid(xp_rz + hp_rz)`, `n = tanh(xp_n + r * hp_n)`, `h' = (1 - z) * n + z * h`.
///
/// `xp` `[T, B, 3H]` is the input's projection with `b_ih`, `w_hh` `[H, 3H]`, `b_hh` `[3H]`,
/// `h0` `[B, H]`; every step's h comes out, `[T, B, H]`. On Flex with `f32` this is the fused
/// kernel.
pub fn gru_sequence(xp: Tensor<3>, w_hh: Tensor<2>, b_hh: Tensor<1>, h0: Tensor<2>) -> Tensor<3> {
    let [_, b, g3] = xp.dims();
    let h = g3 / 3;
    assert!(
        g3 % 3 == 0 && w_hh.dims() == [h, g3] && b_hh.dims() == [g3] && h0.dims() == [b, h],
        "gru_sequence: inputs {:?}, weights {:?}, bias {:?} and state {:?} do not fit [T, B, 3H], [H, 3H], [3H] and [B, H]",
        xp.dims(),
        w_hh.dims(),
        b_hh.dims(),
        h0.dims()
    );
    #[cfg(feature = "flex")]
    if has_kernel(&xp) && has_kernel(&w_hh) && has_kernel(&b_hh) && has_kernel(&h0) {
        use burn::backend::Dispatch;
        let (xp, w_hh) = (xp.into_dispatch(), w_hh.into_dispatch());
        let (b_hh, h0) = (b_hh.into_dispatch(), h0.into_dispatch());
        let y = <Dispatch as FusedCellOps>::gru_sequence(xp, w_hh, b_hh, h0);
        return Tensor::from_dispatch(y);
    }
    gru_sequence_composed(xp, w_hh, b_hh, h0)
}

/// [`gru_sequence`] from ordinary tensor ops.
pub fn gru_sequence_composed(
    xp: Tensor<3>,
    w_hh: Tensor<2>,
    b_hh: Tensor<1>,
    h0: Tensor<2>,
) -> Tensor<3> {
    let [t_len, _, g3] = xp.dims();
    let h = g3 / 3;
    let mut state = h0;
    let mut out = Vec::with_capacity(t_len);
    for t in 0..t_len {
        let x = xp.clone().narrow(0, t, 1).squeeze_dim::<2>(0); // [B, 3H]
        let hp = state.clone().matmul(w_hh.clone()) + b_hh.clone().unsqueeze::<2>(); // [B, 3H]
        let rz = sigmoid(x.clone().narrow(1, 0, 2 * h) + hp.clone().narrow(1, 0, 2 * h));
        let (r, z) = (rz.clone().narrow(1, 0, h), rz.narrow(1, h, h));
        let n = (x.narrow(1, 2 * h, h) + r * hp.narrow(1, 2 * h, h)).tanh(); // [B, H]
        state = n.clone() + z * (state - n); // (1 - z) * n + z * h
        out.push(state.clone());
    }
    Tensor::stack(out, 0) // [T, B, H]
}

#[cfg(all(test, feature = "flex"))]
mod tests {
    use burn::tensor::{Device, Distribution, Tensor};

    use super::*;

    fn max_diff<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
        (a - b).abs().max().into_scalar()
    }

    fn normal<const D: usize>(shape: [usize; D], std: f64, device: &Device) -> Tensor<D> {
        Tensor::random(shape, Distribution::Normal(0.0, std), device).require_grad()
    }

    #[test]
    fn the_kernel_serves_flex_f32_with_and_without_autodiff_only() {
        let on = |device: Device| has_kernel(&Tensor::<2>::zeros([1, 4], &device));
        assert!(on(Device::flex()) && on(Device::flex().autodiff()));
        let f64_tensor = Tensor::<2>::zeros([1, 4], (&Device::flex(), burn::tensor::DType::F64));
        assert!(!has_kernel(&f64_tensor));
    }

    #[test]
    fn fused_lstm_matches_the_composed_ops_forward_and_backward() {
        let device = Device::flex().autodiff();
        device.seed(3);
        // Gates well into the saturated range too; a loss that weighs every h and c.
        let (t, b, h) = (5, 3, 7);
        let (xp, w, hc0) = (
            normal([t, b, 4 * h], 2.0, &device),
            normal([h, 4 * h], 0.5, &device),
            normal([b, 2 * h], 1.0, &device),
        );
        let weights = normal([t, b, 2 * h], 1.0, &device);
        let run = |fused: bool| {
            let (x, w, s) = (xp.clone(), w.clone(), hc0.clone());
            let y = if fused {
                lstm_sequence(x.clone(), w.clone(), s.clone())
            } else {
                lstm_sequence_composed(x.clone(), w.clone(), s.clone())
            };
            let grads = (y.clone() * weights.clone()).sum().backward();
            (y.inner(), x.grad(&grads).unwrap(), w.grad(&grads).unwrap(), s.grad(&grads).unwrap())
        };
        let (a, b) = (run(true), run(false));
        assert!(max_diff(a.0, b.0) < 1e-5, "outputs differ");
        assert!(max_diff(a.1, b.1) < 1e-4, "input gradients differ");
        assert!(max_diff(a.2, b.2) < 1e-4, "weight gradients differ");
        assert!(max_diff(a.3, b.3) < 1e-4, "state gradients differ");
    }

    #[test]
    fn fused_gru_matches_the_composed_ops_forward_and_backward() {
        let device = Device::flex().autodiff();
        device.seed(5);
        let (t, b, h) = (5, 3, 6);
        let xp = normal([t, b, 3 * h], 2.0, &device);
        let (w, bias) = (normal([h, 3 * h], 0.5, &device), normal([3 * h], 0.5, &device));
        let h0 = normal([b, h], 1.0, &device);
        let weights = normal([t, b, h], 1.0, &device);
        let run = |fused: bool| {
            let (x, w, bb, s) = (xp.clone(), w.clone(), bias.clone(), h0.clone());
            let y = if fused {
                gru_sequence(x.clone(), w.clone(), bb.clone(), s.clone())
            } else {
                gru_sequence_composed(x.clone(), w.clone(), bb.clone(), s.clone())
            };
            let grads = (y.clone() * weights.clone()).sum().backward();
            let g2 = |t: &Tensor<2>| t.grad(&grads).unwrap();
            (y.inner(), x.grad(&grads).unwrap(), g2(&w), bb.grad(&grads).unwrap(), g2(&s))
        };
        let (a, b) = (run(true), run(false));
        assert!(max_diff(a.0, b.0) < 1e-5, "outputs differ");
        assert!(max_diff(a.1, b.1) < 1e-4, "input gradients differ");
        assert!(max_diff(a.2, b.2) < 1e-4, "weight gradients differ");
        assert!(max_diff(a.3, b.3) < 1e-4, "bias gradients differ");
        assert!(max_diff(a.4, b.4) < 1e-4, "state gradients differ");
    }

    #[test]
    fn ill_fitting_shapes_are_refused_with_their_dims() {
        let device = Device::flex();
        let xp = Tensor::<3>::zeros([3, 2, 12], &device);
        let (w, hc) = (Tensor::<2>::zeros([3, 12], &device), Tensor::<2>::zeros([2, 8], &device));
        let err = std::panic::catch_unwind(|| lstm_sequence(xp, w, hc)).unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(msg.contains("[3, 2, 12]") && msg.contains("[2, 8]"), "{msg}");
    }
}
