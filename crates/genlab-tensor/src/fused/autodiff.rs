//! The fused layers under Autodiff: one graph node per layer and sequence, whose backward is
//! the Flex kernel's (`flex::lstm_backward`, `flex::gru_backward`), in place of a dozen nodes
//! per time step.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Flex};

use super::{FusedCellOps, flex};

#[derive(Debug)]
struct LstmBackward;

impl Backward<Flex, 3> for LstmBackward {
    /// What the forward saved, its output, `w_hh` and `hc0`.
    type State = [FlexTensor; 4];

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = grads.consume::<Flex>(&ops.node);
        let [saved, y, w_hh, hc0] = &ops.state;
        let (d_xp, d_w, d_hc0) = flex::lstm_backward(saved, y, w_hh, hc0, &dy);
        for (parent, grad) in ops.parents.into_iter().zip([d_xp, d_w, d_hc0]) {
            if let Some(node) = parent {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

#[derive(Debug)]
struct GruBackward;

impl Backward<Flex, 4> for GruBackward {
    /// What the forward saved, and `w_hh`.
    type State = [FlexTensor; 2];

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = grads.consume::<Flex>(&ops.node);
        let [saved, w_hh] = &ops.state;
        let (d_xp, d_w, d_b, d_h0) = flex::gru_backward(saved, w_hh, &dy);
        for (parent, grad) in ops.parents.into_iter().zip([d_xp, d_w, d_b, d_h0]) {
            if let Some(node) = parent {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

impl<C: CheckpointStrategy> FusedCellOps for Autodiff<Flex, C> {
    fn lstm_sequence(
        xp: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        hc0: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let guards = [xp.node(), w_hh.node(), hc0.node()];
        let (xp, w_hh, hc0) = (xp.into_primitive(), w_hh.into_primitive(), hc0.into_primitive());
        match LstmBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let (y, saved) = flex::lstm_forward(&xp, &w_hh, &hc0, true);
                let saved = saved.expect("saved when asked");
                prep.finish([saved, y.clone(), w_hh, hc0], y)
            }
            OpsKind::UnTracked(prep) => prep.finish(flex::lstm_forward(&xp, &w_hh, &hc0, false).0),
        }
    }

    fn gru_sequence(
        xp: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let guards = [xp.node(), w_hh.node(), b_hh.node(), h0.node()];
        let (xp, w_hh) = (xp.into_primitive(), w_hh.into_primitive());
        let (b_hh, h0) = (b_hh.into_primitive(), h0.into_primitive());
        match GruBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let (y, saved) = flex::gru_forward(&xp, &w_hh, &b_hh, &h0, true);
                prep.finish([saved.expect("saved when asked"), w_hh], y)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(flex::gru_forward(&xp, &w_hh, &b_hh, &h0, false).0)
            }
        }
    }
}
