//! The fused LSTM and GRU layers on Flex: the time loop in plain Rust over contiguous `f32`,
//! one Flex matmul per step for the recurrence, and the cells' element-wise maths in one pass.
//!
//! The backward pass runs the loop in reverse and gathers every step's gate gradients, so the
//! recurrent weights' gradient is one `[H, T*B] x [T*B, G*H]` matmul at the end, as cuDNN and
//! PyTorch's CPU kernels do, instead of one `[H, 4H]` product and accumulation per step.

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::tensor::TensorData;

use super::FusedCellOps;

/// `e^x` without a libm call, so the gate loops vectorise: `x = k ln 2 + r` with
/// `|r| <= ln 2 / 2`, `e^r` by its Taylor series to `r^7 / 7!` (relative error below 2e-8,
/// under f32's rounding), and `2^k` put straight into the exponent bits. `x` is clamped to
/// [-87, 88], where f32's `e^x` stays normal and finite.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_145_75; // ln 2 split so that k * LN2_HI is exact
    const LN2_LO: f32 = 1.428_606_8e-6;
    const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 88.0);
    let k = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r / 5040.0))))));
    p * f32::from_bits(((k as i32 + 127) as u32) << 23)
}

#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// tanh from one [`exp`]; within about 1e-7 of the exact value.
#[inline(always)]
fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
}

/// The `f32` values of a tensor in row-major order, copied only when it is not contiguous.
fn values(t: &FlexTensor) -> std::borrow::Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(t.to_contiguous().as_slice::<f32>().unwrap().to_vec()),
    }
}

fn tensor(values: Vec<f32>, shape: &[usize]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.to_vec()))
}

fn dims(t: &FlexTensor) -> Vec<usize> {
    t.layout().shape().iter().copied().collect()
}

/// `a [m, k] x b [k, n]` through Flex's matmul.
fn matmul(a: Vec<f32>, m: usize, k: usize, b: &FlexTensor) -> FlexTensor {
    Flex::float_matmul(tensor(a, &[m, k]), b.clone())
}

/// `w` transposed, laid out contiguously (the backward's per-step products read it row by
/// row).
fn transposed(w: &FlexTensor) -> FlexTensor {
    w.transpose(0, 1).to_contiguous()
}

/// What the LSTM backward reads, per step and row: i, f, g, o, tanh(c') and the old c.
const LSTM_SAVED: usize = 6;
/// What the GRU backward reads, per step and row: r, z, n, the hidden projection's n block
/// (`W_hn h + b_hn`) and the old h.
const GRU_SAVED: usize = 5;

/// The LSTM over a sequence: `xp` `[T, B, 4H]` (input projections with both biases), `w_hh`
/// `[H, 4H]`, `hc0` `[B, 2H]` -> `[T, B, 2H]`, every step's h | c; and what the backward
/// needs (`[T, B, 6H]`) when `save`.
pub(super) fn lstm_forward(
    xp: &FlexTensor,
    w_hh: &FlexTensor,
    hc0: &FlexTensor,
    save: bool,
) -> (FlexTensor, Option<FlexTensor>) {
    let [t_len, b, g4] = dims(xp)[..] else { unreachable!("checked by the caller") };
    let h = g4 / 4;
    let (xp, hc0) = (values(xp), values(hc0));
    let mut y = vec![0.0f32; t_len * b * 2 * h];
    let mut saved = if save { vec![0.0f32; t_len * b * LSTM_SAVED * h] } else { Vec::new() };
    let mut h_prev: Vec<f32> =
        (0..b).flat_map(|r| hc0[r * 2 * h..r * 2 * h + h].to_vec()).collect();
    let mut c_prev: Vec<f32> =
        (0..b).flat_map(|r| hc0[r * 2 * h + h..(r + 1) * 2 * h].to_vec()).collect();
    let mut gates = vec![0.0f32; g4];
    for t in 0..t_len {
        let hw = matmul(std::mem::take(&mut h_prev), b, h, w_hh); // [B, 4H]
        let hw = values(&hw);
        h_prev = vec![0.0; b * h];
        for r in 0..b {
            let row = t * b + r;
            // Each pass is a plain loop over contiguous slices, so that it vectorises.
            let x = &xp[row * g4..(row + 1) * g4];
            for ((g, x), hw) in gates.iter_mut().zip(x).zip(&hw[r * g4..(r + 1) * g4]) {
                *g = x + hw;
            }
            {
                let (ifg, o) = gates.split_at_mut(3 * h);
                let (i_f, g) = ifg.split_at_mut(2 * h);
                i_f.iter_mut().chain(o.iter_mut()).for_each(|v| *v = sigmoid(*v));
                g.iter_mut().for_each(|v| *v = tanh(*v));
            }
            let c_old = &mut c_prev[r * h..(r + 1) * h];
            if save {
                let s = &mut saved[row * LSTM_SAVED * h..(row + 1) * LSTM_SAVED * h];
                s[..4 * h].copy_from_slice(&gates);
                s[5 * h..].copy_from_slice(c_old);
            }
            let (ifg, o) = gates.split_at(3 * h);
            let (i_f, g) = ifg.split_at(2 * h);
            let (i, f) = i_f.split_at(h);
            let (h_out, c_out) = y[row * 2 * h..(row + 1) * 2 * h].split_at_mut(h);
            for j in 0..h {
                c_out[j] = f[j] * c_old[j] + i[j] * g[j];
            }
            c_old.copy_from_slice(c_out);
            let tc = &mut h_prev[r * h..(r + 1) * h]; // tanh(c') first, then h' in place
            for (tc, c) in tc.iter_mut().zip(c_out.iter()) {
                *tc = tanh(*c);
            }
            if save {
                let s = &mut saved[row * LSTM_SAVED * h + 4 * h..row * LSTM_SAVED * h + 5 * h];
                s.copy_from_slice(tc);
            }
            for ((hv, tc), o) in h_out.iter_mut().zip(tc.iter_mut()).zip(o) {
                *tc *= o;
                *hv = *tc;
            }
        }
    }
    let saved = save.then(|| tensor(saved, &[t_len, b, LSTM_SAVED * h]));
    (tensor(y, &[t_len, b, 2 * h]), saved)
}

/// The gradients of the LSTM sequence's inputs (`xp`, `w_hh`, `hc0`) from the gradient of
/// its output `dy` (`[T, B, 2H]`: for h and c at every step).
pub(super) fn lstm_backward(
    saved: &FlexTensor,
    y: &FlexTensor,
    w_hh: &FlexTensor,
    hc0: &FlexTensor,
    dy: &FlexTensor,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let [t_len, b, h6] = dims(saved)[..] else { unreachable!("saved by the forward") };
    let h = h6 / LSTM_SAVED;
    let (saved, y, hc0, dy) = (values(saved), values(y), values(hc0), values(dy));
    let w_t = transposed(w_hh); // [4H, H]
    let mut d_gates = vec![0.0f32; t_len * b * 4 * h];
    let mut dh_rec = vec![0.0f32; b * h];
    let mut dc_rec = vec![0.0f32; b * h];
    for t in (0..t_len).rev() {
        for r in 0..b {
            let row = t * b + r;
            let s = &saved[row * LSTM_SAVED * h..(row + 1) * LSTM_SAVED * h];
            let dyr = &dy[row * 2 * h..(row + 1) * 2 * h];
            let dg = &mut d_gates[row * 4 * h..(row + 1) * 4 * h];
            for j in 0..h {
                let [i, f, g, o, tc, c_old] = std::array::from_fn(|k| s[k * h + j]);
                let dh = dyr[j] + dh_rec[r * h + j];
                // h' = o tanh(c'), c' = f c + i g
                let dc = dyr[h + j] + dc_rec[r * h + j] + dh * o * (1.0 - tc * tc);
                dg[j] = dc * g * i * (1.0 - i);
                dg[h + j] = dc * c_old * f * (1.0 - f);
                dg[2 * h + j] = dc * i * (1.0 - g * g);
                dg[3 * h + j] = dh * tc * o * (1.0 - o);
                dc_rec[r * h + j] = dc * f;
            }
        }
        let step = d_gates[t * b * 4 * h..(t + 1) * b * 4 * h].to_vec();
        dh_rec = values(&matmul(step, b, 4 * h, &w_t)).into_owned(); // [B, H]
    }
    // The recurrent weights' gradient in one matmul: [H, T*B] x [T*B, 4H].
    let mut h_prev = Vec::with_capacity(t_len * b * h);
    for row in 0..t_len * b {
        match row.checked_sub(b) {
            None => h_prev.extend_from_slice(&hc0[row * 2 * h..row * 2 * h + h]),
            Some(p) => h_prev.extend_from_slice(&y[p * 2 * h..p * 2 * h + h]),
        }
    }
    let h_prev_t = tensor(h_prev, &[t_len * b, h]).transpose(0, 1); // [H, T*B], a view
    let d_gates = tensor(d_gates, &[t_len * b, 4 * h]);
    let d_w = Flex::float_matmul(h_prev_t, d_gates.clone());
    let mut d_hc0 = vec![0.0f32; b * 2 * h];
    for r in 0..b {
        d_hc0[r * 2 * h..r * 2 * h + h].copy_from_slice(&dh_rec[r * h..(r + 1) * h]);
        d_hc0[r * 2 * h + h..(r + 1) * 2 * h].copy_from_slice(&dc_rec[r * h..(r + 1) * h]);
    }
    let d_xp = d_gates.reshape([t_len, b, 4 * h].into());
    (d_xp, d_w, tensor(d_hc0, &[b, 2 * h]))
}

/// The GRU over a sequence: `xp` `[T, B, 3H]` (input projections with `b_ih`), `w_hh`
/// `[H, 3H]`, `b_hh` `[3H]`, `h0` `[B, H]` -> every step's h, `[T, B, H]`; and what the
/// backward needs (`[T, B, 5H]`) when `save`.
pub(super) fn gru_forward(
    xp: &FlexTensor,
    w_hh: &FlexTensor,
    b_hh: &FlexTensor,
    h0: &FlexTensor,
    save: bool,
) -> (FlexTensor, Option<FlexTensor>) {
    let [t_len, b, g3] = dims(xp)[..] else { unreachable!("checked by the caller") };
    let h = g3 / 3;
    let (xp, b_hh) = (values(xp), values(b_hh));
    let mut y = vec![0.0f32; t_len * b * h];
    let mut saved = if save { vec![0.0f32; t_len * b * GRU_SAVED * h] } else { Vec::new() };
    let mut h_prev = values(h0).into_owned();
    for t in 0..t_len {
        let hw = matmul(h_prev.clone(), b, h, w_hh); // [B, 3H]
        let hw = values(&hw);
        for r in 0..b {
            let x = &xp[(t * b + r) * g3..(t * b + r + 1) * g3];
            let p = |k: usize, j: usize| hw[r * g3 + k * h + j] + b_hh[k * h + j];
            for j in 0..h {
                let (rg, z) = (sigmoid(x[j] + p(0, j)), sigmoid(x[h + j] + p(1, j)));
                let hn = p(2, j);
                let n = tanh(x[2 * h + j] + rg * hn);
                let old = h_prev[r * h + j];
                let hv = n + z * (old - n); // (1 - z) n + z h
                y[(t * b + r) * h + j] = hv;
                if save {
                    let s = &mut saved[(t * b + r) * GRU_SAVED * h..];
                    for (k, v) in [rg, z, n, hn, old].into_iter().enumerate() {
                        s[k * h + j] = v;
                    }
                }
            }
        }
        h_prev.copy_from_slice(&y[t * b * h..(t + 1) * b * h]);
    }
    let saved = save.then(|| tensor(saved, &[t_len, b, GRU_SAVED * h]));
    (tensor(y, &[t_len, b, h]), saved)
}

/// The gradients of the GRU sequence's inputs (`xp`, `w_hh`, `b_hh`, `h0`) from the gradient
/// of its output `dy` (`[T, B, H]`).
pub(super) fn gru_backward(
    saved: &FlexTensor,
    w_hh: &FlexTensor,
    dy: &FlexTensor,
) -> (FlexTensor, FlexTensor, FlexTensor, FlexTensor) {
    let [t_len, b, h5] = dims(saved)[..] else { unreachable!("saved by the forward") };
    let h = h5 / GRU_SAVED;
    let (saved, dy) = (values(saved), values(dy));
    let w_t = transposed(w_hh); // [3H, H]
    let mut d_xp = vec![0.0f32; t_len * b * 3 * h];
    let mut d_hp = vec![0.0f32; t_len * b * 3 * h];
    let mut h_prev = vec![0.0f32; t_len * b * h];
    let mut dh_rec = vec![0.0f32; b * h];
    for t in (0..t_len).rev() {
        let mut dh_direct = vec![0.0f32; b * h];
        for r in 0..b {
            let row = t * b + r;
            let s = &saved[row * GRU_SAVED * h..(row + 1) * GRU_SAVED * h];
            let (dx, dp) = (&mut d_xp[row * 3 * h..], &mut d_hp[row * 3 * h..]);
            for j in 0..h {
                let [rg, z, n, hn, old] = std::array::from_fn(|k| s[k * h + j]);
                h_prev[row * h + j] = old;
                let dyv = dy[row * h + j] + dh_rec[r * h + j];
                // h' = n + z (h - n), n = tanh(x_n + r h_n)
                let dn = dyv * (1.0 - z) * (1.0 - n * n);
                let dz = dyv * (old - n) * z * (1.0 - z);
                let dr = dn * hn * rg * (1.0 - rg);
                (dx[j], dx[h + j], dx[2 * h + j]) = (dr, dz, dn);
                (dp[j], dp[h + j], dp[2 * h + j]) = (dr, dz, dn * rg);
                dh_direct[r * h + j] = dyv * z;
            }
        }
        let step = d_hp[t * b * 3 * h..(t + 1) * b * 3 * h].to_vec();
        dh_rec = values(&matmul(step, b, 3 * h, &w_t)).into_owned();
        for (d, direct) in dh_rec.iter_mut().zip(&dh_direct) {
            *d += direct;
        }
    }
    let mut d_b = vec![0.0f32; 3 * h];
    for row in d_hp.chunks_exact(3 * h) {
        for (acc, v) in d_b.iter_mut().zip(row) {
            *acc += v;
        }
    }
    let h_prev_t = tensor(h_prev, &[t_len * b, h]).transpose(0, 1); // [H, T*B], a view
    let d_w = Flex::float_matmul(h_prev_t, tensor(d_hp, &[t_len * b, 3 * h]));
    (tensor(d_xp, &[t_len, b, 3 * h]), d_w, tensor(d_b, &[3 * h]), tensor(dh_rec, &[b, h]))
}

impl FusedCellOps for Flex {
    fn lstm_sequence(xp: FlexTensor, w_hh: FlexTensor, hc0: FlexTensor) -> FlexTensor {
        lstm_forward(&xp, &w_hh, &hc0, false).0
    }

    fn gru_sequence(
        xp: FlexTensor,
        w_hh: FlexTensor,
        b_hh: FlexTensor,
        h0: FlexTensor,
    ) -> FlexTensor {
        gru_forward(&xp, &w_hh, &b_hh, &h0, false).0
    }
}
