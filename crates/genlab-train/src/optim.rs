//! Optimisers and gradient clipping, on burn's AdamW.

use burn::module::{Module, ModuleVisitor, Param, ParamGroup, ParamId};
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::Tensor;
use genlab_config::{ConfigError, in_half_open, non_negative, positive};
use serde::{Deserialize, Serialize};

/// AdamW settings (PyTorch/nanoGPT names and defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimConfig {
    /// First-moment decay.
    pub beta1: f32,
    /// Second-moment decay.
    pub beta2: f32,
    /// Numerical-stability term.
    pub eps: f32,
    /// Decoupled weight decay, applied to matrices (rank >= 2) only, as nanoGPT does: biases
    /// and normalisation gains are not decayed.
    pub weight_decay: f32,
    /// Clip the global gradient norm to this before each step (PyTorch's `clip_grad_norm_`).
    pub grad_clip: Option<f32>,
}

impl Default for OptimConfig {
    fn default() -> Self {
        Self { beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 0.1, grad_clip: Some(1.0) }
    }
}

impl OptimConfig {
    /// Checks the numbers; the error names the field and its range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        in_half_open("beta1", self.beta1 as f64, 0.0, 1.0)?;
        in_half_open("beta2", self.beta2 as f64, 0.0, 1.0)?;
        positive("eps", self.eps as f64)?;
        non_negative("weight_decay", self.weight_decay as f64)?;
        if let Some(c) = self.grad_clip {
            positive("grad_clip", c as f64)?;
        }
        Ok(())
    }

    /// Builds the optimiser for `module`: AdamW with weight decay on its matrices, and AdamW
    /// without weight decay on its vectors.
    pub fn init<M: Module>(&self, module: &M) -> ModuleOptimizer {
        let adamw = |wd: f32| {
            AdamWConfig::new()
                .with_beta_1(self.beta1)
                .with_beta_2(self.beta2)
                .with_epsilon(self.eps)
                .with_weight_decay(wd)
                .build()
        };
        let mut vectors = Vectors(Vec::new());
        module.visit(&mut vectors);
        let optim = ModuleOptimizer::from(adamw(self.weight_decay));
        if vectors.0.is_empty() || self.weight_decay == 0.0 {
            optim
        } else {
            optim.with_group(ParamGroup::from_ids(vectors.0), adamw(0.0), None)
        }
    }
}

/// Collects the ids of rank-0/1 parameters.
struct Vectors(Vec<ParamId>);

impl ModuleVisitor for Vectors {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if D < 2 {
            self.0.push(param.id);
        }
    }
}

struct SquaredNorm<'a> {
    grads: &'a GradientsParams,
    total: Option<Tensor<1>>,
}

impl ModuleVisitor for SquaredNorm<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            let sq = g.powi_scalar(2).sum();
            self.total = Some(match self.total.take() {
                Some(t) => t + sq,
                None => sq,
            });
        }
    }
}

struct Scale<'a> {
    grads: &'a mut GradientsParams,
    factor: f32,
}

impl ModuleVisitor for Scale<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.remove::<D>(param.id) {
            self.grads.register(param.id, g.mul_scalar(self.factor));
        }
    }
}

/// Scales all gradients so their global L2 norm is at most `max_norm`, like PyTorch's
/// `clip_grad_norm_` (burn's own clipping works per tensor). Returns the norm before clipping.
pub fn clip_grad_norm<M: Module>(module: &M, grads: &mut GradientsParams, max_norm: f32) -> f32 {
    let mut acc = SquaredNorm { grads, total: None };
    module.visit(&mut acc);
    let Some(total) = acc.total else { return 0.0 };
    let norm = total.into_scalar::<f32>().sqrt();
    if norm.is_finite() && norm > max_norm {
        module.visit(&mut Scale { grads, factor: max_norm / (norm + 1e-6) });
    }
    norm
}

/// `grads` with every gradient that has a dimension of size 1 laid out plainly (flattened and
/// reshaped back: free for a contiguous tensor, a copy otherwise), for the optimiser step.
///
/// Why: on burn 0.22's wgpu backend (seen on Mesa's lavapipe) the weight gradient of a
/// convolution with one output channel (`[1, c, k, k]`, as pix2pix's PatchGAN ends) comes
/// out in a layout that the optimiser's fused element-wise kernels misread: the update lands
/// on the wrong weights, with SGD as with Adam, while reading the gradient back gives the
/// right numbers. Reshaping it first makes the step right; the GPU suite
/// (`crates/genlab-cli/tests/gpu`) checks it against flex.
pub fn plain_grads<M: Module>(module: &M, mut grads: GradientsParams) -> GradientsParams {
    struct Plain<'a>(&'a mut GradientsParams);
    impl ModuleVisitor for Plain<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let dims = match self.0.get::<D>(param.id) {
                Some(g) if D > 1 && g.dims().contains(&1) => g.dims(),
                _ => return,
            };
            let g = self.0.remove::<D>(param.id).expect("just seen");
            let n = dims.iter().product::<usize>();
            self.0.register(param.id, g.reshape([n]).reshape(dims));
        }
    }
    module.visit(&mut Plain(&mut grads));
    grads
}

/// Adds `b`'s gradients into `a`, parameter by parameter (gradient accumulation over
/// micro-batches).
pub fn accumulate_grads<M: Module>(
    module: &M,
    mut a: GradientsParams,
    mut b: GradientsParams,
) -> GradientsParams {
    struct Add<'a>(&'a mut GradientsParams, &'a mut GradientsParams);
    impl ModuleVisitor for Add<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = self.1.remove::<D>(param.id) {
                let sum = match self.0.remove::<D>(param.id) {
                    Some(acc) => acc + g,
                    None => g,
                };
                self.0.register(param.id, sum);
            }
        }
    }
    module.visit(&mut Add(&mut a, &mut b));
    a
}
