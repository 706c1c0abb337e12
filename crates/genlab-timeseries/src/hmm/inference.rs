//! Inference: the scaled forward-backward pass (log-likelihood, posteriors and the expected
//! counts Baum-Welch needs) and Viterbi decoding.
//!
//! Scaling (Rabiner 1989, §V.A): `α̂_t(j) = α_t(j) / Π_{s≤t} c_s`, which makes
//! `log p(x) = Σ_t log c_t` when the last row sums to 1; the backward variables are scaled by
//! the same `c_t`, so `γ_t(i) = α̂_t(i) β̂_t(i)` and every number stays in range at any
//! length. Rabiner rescales every step; here a step is rescaled only when its sum has fallen
//! below [`RESCALE_BELOW`] (and at the end), which gives the same results and keeps the
//! division out of the loop's critical path.

use super::emission::EmissionStats;
use super::{Hmm, HmmError, Observations};

/// A forward row is rescaled to sum 1 once its sum falls below this (see the module docs).
/// One step can shrink a sum by a factor near 1e-278 before anything underflows.
pub(crate) const RESCALE_BELOW: f64 = 1e-30;

/// Buffers of one sequence's forward pass, reused across sequences and iterations so the
/// inner loops never allocate.
#[derive(Debug, Default)]
pub(crate) struct Lattice {
    /// `b̂_t(i)`: emission probabilities, each row scaled by `exp(-shift_t)`.
    frame: Vec<f64>,
    /// `α̂_t(i)`, the scaled forward variables (a row sums to 1 where it was rescaled).
    alpha: Vec<f64>,
    /// `1 / c_t` where row `t` was rescaled, else 1.
    inv_scale: Vec<f64>,
    /// The transition matrix transposed.
    transposed: Vec<f64>,
}

/// Lattices above this many bytes are not kept between calls.
const KEEP_AT_MOST_BYTES: usize = 64 << 20;

thread_local! {
    /// This thread's lattice, kept between calls: faulting in a fresh 100,000-step lattice
    /// (4.8 MB) took about a quarter of a forward-backward pass's time here.
    static LATTICE: std::cell::RefCell<Lattice> = std::cell::RefCell::default();
}

/// Runs `f` with this thread's lattice (or a fresh one, if it is in use further up the
/// stack), and drops the buffers afterwards if they have grown past [`KEEP_AT_MOST_BYTES`].
pub(crate) fn with_lattice<R>(f: impl FnOnce(&mut Lattice) -> R) -> R {
    LATTICE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut lattice) => {
            let result = f(&mut lattice);
            let floats = lattice.frame.capacity() + lattice.alpha.capacity();
            if floats * std::mem::size_of::<f64>() > KEEP_AT_MOST_BYTES {
                *lattice = Lattice::default();
            }
            result
        }
        Err(_) => f(&mut Lattice::default()),
    })
}

/// Expected counts over all sequences (hmmlearn's `stats`).
#[derive(Debug, Clone)]
pub(crate) struct Stats {
    /// `Σ γ_0(i)` over sequences.
    pub start: Vec<f64>,
    /// `Σ_t ξ_t(i, j)`, flat `n × n`.
    pub trans: Vec<f64>,
    pub emission: EmissionStats,
}

impl Hmm {
    /// Log-likelihood `log p(x)` of the sequences, summed (hmmlearn's `score`).
    pub fn score(&self, data: &[Observations]) -> Result<f64, HmmError> {
        self.check_observations(data)?;
        with_lattice(|lattice| {
            let mut total = 0.0;
            for (k, x) in data.iter().enumerate() {
                total += self.forward(k, x, lattice)?;
            }
            Ok(total)
        })
    }

    /// Log-likelihood and state posteriors (hmmlearn's `score_samples`): the posteriors of
    /// all sequences, one after another, flat and row by row: `γ[t * n_states + i] =
    /// P(z_t = i | x)` with `t` counting through every sequence.
    pub fn score_samples(&self, data: &[Observations]) -> Result<(f64, Vec<f64>), HmmError> {
        self.check_observations(data)?;
        let n = self.n_states();
        let steps: usize = data.iter().map(Observations::len).sum();
        let mut posteriors = vec![0.0; steps * n];
        with_lattice(|lattice| {
            let (mut total, mut start) = (0.0, 0);
            for (k, x) in data.iter().enumerate() {
                total += self.forward(k, x, lattice)?;
                let end = start + x.len() * n;
                self.backward(x, lattice, None, Some(&mut posteriors[start..end]));
                start = end;
            }
            Ok((total, posteriors))
        })
    }

    /// State posteriors `P(z_t = i | x)`, as [`Hmm::score_samples`] lays them out.
    pub fn predict_proba(&self, data: &[Observations]) -> Result<Vec<f64>, HmmError> {
        Ok(self.score_samples(data)?.1)
    }

    /// The most likely state path (Viterbi, in log space) and its log-probability
    /// `log p(x, z*)`, summed over sequences, the paths one after another (hmmlearn's
    /// `decode`). Ties go to the lower state, as in hmmlearn.
    pub fn decode(&self, data: &[Observations]) -> Result<(f64, Vec<usize>), HmmError> {
        self.check_observations(data)?;
        let n = self.n_states();
        let log_start: Vec<f64> = self.startprob.iter().map(|p| p.ln()).collect();
        let log_trans: Vec<f64> = self.transmat.iter().map(|p| p.ln()).collect();
        let (mut log_b, mut delta, mut next, mut back) =
            (Vec::new(), vec![0.0; n], vec![0.0; n], Vec::new());
        let mut total = 0.0;
        let mut path = Vec::with_capacity(data.iter().map(Observations::len).sum());
        for x in data {
            let steps = x.len();
            self.emission.log_frame_probs(n, x, &mut log_b);
            back.clear();
            back.resize(steps * n, 0usize);
            for i in 0..n {
                delta[i] = log_start[i] + log_b[i];
            }
            for t in 1..steps {
                for j in 0..n {
                    // δ_t(j) = max_i δ_{t-1}(i) + log A_ij, + log b_j(x_t); first maximum wins.
                    let (mut best, mut arg) = (f64::NEG_INFINITY, 0);
                    for i in 0..n {
                        let v = delta[i] + log_trans[i * n + j];
                        if v > best {
                            (best, arg) = (v, i);
                        }
                    }
                    next[j] = best + log_b[t * n + j];
                    back[t * n + j] = arg;
                }
                std::mem::swap(&mut delta, &mut next);
            }
            let (mut best, mut state) = (f64::NEG_INFINITY, 0);
            for (i, &d) in delta.iter().enumerate() {
                if d > best {
                    (best, state) = (d, i);
                }
            }
            total += best;
            let offset = path.len();
            path.resize(offset + steps, 0);
            for t in (0..steps).rev() {
                path[offset + t] = state;
                state = back[t * n + state];
            }
        }
        Ok((total, path))
    }

    /// The scaled forward pass over sequence `k`: fills the lattice and returns `log p(x)`.
    pub(crate) fn forward(
        &self,
        k: usize,
        x: &Observations,
        lat: &mut Lattice,
    ) -> Result<f64, HmmError> {
        // With the number of states a constant, the compiler unrolls the little loops over
        // states (about twice as fast at 3 states); `#[inline(always)]` makes each arm a copy.
        match self.n_states() {
            2 => self.forward_n(2, k, x, lat),
            3 => self.forward_n(3, k, x, lat),
            4 => self.forward_n(4, k, x, lat),
            n => self.forward_n(n, k, x, lat),
        }
    }

    // Index loops read like the formulas (α_t(j), A_ij) they compute.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn forward_n(
        &self,
        n: usize,
        k: usize,
        x: &Observations,
        lat: &mut Lattice,
    ) -> Result<f64, HmmError> {
        let steps = x.len();
        let shift = self.emission.frame_probs(n, x, &mut lat.frame);
        lat.alpha.resize(steps * n, 0.0);
        lat.inv_scale.resize(steps, 0.0);
        // Aᵀ, so that each α_t(j) is a dot product kept in a register.
        lat.transposed.clear();
        lat.transposed.extend((0..n * n).map(|k| self.transmat[(k % n) * n + k / n]));
        // Lazy scaling: a row is divided by its sum c_t only when that sum falls below
        // RESCALE_BELOW, and at the last step (so the final row sums to 1). Sums only shrink
        // (b̂ ≤ 1 and A's rows sum to 1), so nothing underflows, and the step-to-step chain
        // of dependent arithmetic carries no division. inv_scale[t] is 1/c_t or 1, and
        // log p(x) = Σ_t shift_t + Σ log c_t over the rescaled steps.
        let mut log_p = shift;
        for t in 0..steps {
            let (before, rest) = lat.alpha.split_at_mut(t * n);
            let row = &mut rest[..n];
            let b = &lat.frame[t * n..(t + 1) * n];
            let mut c = 0.0;
            if t == 0 {
                for j in 0..n {
                    row[j] = self.startprob[j] * b[j];
                    c += row[j];
                }
            } else {
                // α_t(j) = (Σ_i α̂_{t-1}(i) A_ij) b_j(x_t)
                let prev = &before[(t - 1) * n..];
                for (j, column) in lat.transposed.chunks_exact(n).enumerate() {
                    let mut sum = 0.0;
                    for i in 0..n {
                        sum += prev[i] * column[i];
                    }
                    row[j] = sum * b[j];
                    c += row[j];
                }
            }
            if c.is_nan() || c <= 0.0 {
                return Err(HmmError::Impossible { sequence: k, position: t });
            }
            lat.inv_scale[t] = 1.0;
            if c < RESCALE_BELOW || t + 1 == steps {
                let inv = 1.0 / c;
                row.iter_mut().for_each(|a| *a *= inv);
                lat.inv_scale[t] = inv;
                log_p += c.ln();
            }
        }
        Ok(log_p)
    }

    /// The scaled backward pass after [`Hmm::forward`] on the same `x`, from `t = T-1` down:
    /// `γ_t` (normalised, as hmmlearn does) goes to `posteriors` when given, and `stats` (when
    /// given) gathers `γ_0`, `Σ ξ_t` and the emission counts, so a fit never stores `β` or `γ`.
    pub(crate) fn backward(
        &self,
        x: &Observations,
        lat: &mut Lattice,
        stats: Option<&mut Stats>,
        posteriors: Option<&mut [f64]>,
    ) {
        match self.n_states() {
            2 => self.backward_n(2, x, lat, stats, posteriors),
            3 => self.backward_n(3, x, lat, stats, posteriors),
            4 => self.backward_n(4, x, lat, stats, posteriors),
            n => self.backward_n(n, x, lat, stats, posteriors),
        }
    }

    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn backward_n(
        &self,
        n: usize,
        x: &Observations,
        lat: &mut Lattice,
        mut stats: Option<&mut Stats>,
        mut posteriors: Option<&mut [f64]>,
    ) {
        let steps = x.len();
        let Lattice { frame, alpha, inv_scale, .. } = lat;
        // Per-step vectors on the stack (up to 8 states) so they can live in registers:
        // β̂_t, β̂_{t+1}, the weights w, γ_t, and Σ_t α̂_t(i) w_{t+1}(j).
        let mut stack = [0.0f64; 4 * 8 + 8 * 8];
        let mut heap = Vec::new();
        let buffer: &mut [f64] = if n <= 8 {
            &mut stack[..4 * n + n * n]
        } else {
            heap.resize(4 * n + n * n, 0.0);
            &mut heap
        };
        let (beta, rest) = buffer.split_at_mut(n);
        let (beta_next, rest) = rest.split_at_mut(n);
        let (weight, rest) = rest.split_at_mut(n);
        let (gamma, alpha_weight) = rest.split_at_mut(n);
        beta.fill(1.0);
        for t in (0..steps).rev() {
            let a_t = &alpha[t * n..(t + 1) * n];
            if t + 1 < steps {
                // w_j = b̂_{t+1}(j) β̂_{t+1}(j) / c_{t+1};  β̂_t(i) = Σ_j A_ij w_j;
                // ξ_t(i, j) = α̂_t(i) A_ij w_j, summed over t as A_ij Σ_t α̂_t(i) w_j.
                beta_next.copy_from_slice(beta);
                let b = &frame[(t + 1) * n..(t + 2) * n];
                let inv_c = inv_scale[t + 1];
                for j in 0..n {
                    weight[j] = b[j] * beta_next[j] * inv_c;
                }
                for i in 0..n {
                    let a_row = &self.transmat[i * n..(i + 1) * n];
                    let mut sum = 0.0;
                    for j in 0..n {
                        sum += a_row[j] * weight[j];
                    }
                    beta[i] = sum;
                }
                if stats.is_some() {
                    for i in 0..n {
                        for j in 0..n {
                            alpha_weight[i * n + j] += a_t[i] * weight[j];
                        }
                    }
                }
            }
            let mut total = 0.0;
            for i in 0..n {
                gamma[i] = a_t[i] * beta[i];
                total += gamma[i];
            }
            let inv = if total > 0.0 { 1.0 / total } else { 1.0 };
            gamma.iter_mut().for_each(|g| *g *= inv);
            if let Some(p) = posteriors.as_deref_mut() {
                p[t * n..(t + 1) * n].copy_from_slice(gamma);
            }
            if let Some(s) = stats.as_deref_mut() {
                s.emission.add(x, t, gamma);
            }
        }
        if let Some(s) = stats {
            for (k, (xi, aw)) in s.trans.iter_mut().zip(alpha_weight.iter()).enumerate() {
                *xi += self.transmat[k] * aw;
            }
            s.start.iter_mut().zip(gamma.iter()).for_each(|(s, g)| *s += g);
        }
    }
}
