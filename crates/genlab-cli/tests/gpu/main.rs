//! The GPU code path, run for real: every family's training step, KV-cache generation,
//! checkpoints moving between devices and seeded sampling on the device named by
//! `GENLAB_DEVICE` (default `wgpu`), compared against flex on the CPU.
//!
//! Built only with `--features wgpu` (see `[[test]]` in Cargo.toml). Without a GPU it runs on
//! a software Vulkan driver (Mesa's lavapipe, Debian's `mesa-vulkan-drivers`): slow, but the
//! same shaders, the same device boundaries and the same transfers as on a GPU. `.ci/run` runs
//! it that way:
//!
//! ```text
//! GENLAB_DEVICE=wgpu cargo test --release -p genlab-cli --features wgpu --test gpu
//! ```
//!
//! Kernel compilation dominates the time, so the shapes are few and small.

mod checkpoint;
mod generation;
mod steps;

use std::str::FromStr;

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::store::ModuleRecord;
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_tensor::{DeviceSpec, burn, device::DEVICE_ENV};
use genlab_train::OptimConfig;
use genlab_train::optim::{clip_grad_norm, plain_grads};

/// The device under test: `GENLAB_DEVICE`, or wgpu's default adapter.
fn gpu() -> Device {
    let spec = std::env::var(DEVICE_ENV).unwrap_or_else(|_| "wgpu".into());
    let spec = DeviceSpec::from_str(&spec).unwrap_or_else(|e| panic!("{DEVICE_ENV}: {e}"));
    spec.device().unwrap_or_else(|e| panic!("{DEVICE_ENV}={spec}: {e}"))
}

/// The reference: flex on the CPU.
fn cpu() -> Device {
    genlab_tensor::testing::cpu()
}

/// `module`'s parameters copied into `fresh` (the same architecture, on another device),
/// through the bytes a checkpoint stores.
fn copy_weights<M: Module>(module: &M, fresh: M) -> M {
    let bytes = module.clone().into_record().into_bytes().expect("a record serialises");
    let record = ModuleRecord::from_bytes(bytes).expect("its own bytes read back");
    fresh.try_load_record(record).expect("the same architecture")
}

/// Every float parameter of `module`, flattened in visiting order.
fn params<M: Module>(module: &M) -> Vec<f32> {
    struct Collect(Vec<f32>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.extend(values(param.val()));
        }
    }
    let mut c = Collect(Vec::new());
    module.visit(&mut c);
    c.0
}

/// A tensor's values, read back to the host.
fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_to_vec().expect("f32 values")
}

/// `n` ids below `vocab`, the same on every run (a fixed hash, no generator).
fn ids(n: usize, vocab: usize, salt: u64) -> Vec<i64> {
    (0..n as u64).map(|i| (mix(i ^ (salt << 32)) % vocab as u64) as i64).collect()
}

/// `n` values in [-1, 1], the same on every run.
fn signed(n: usize, salt: u64) -> Vec<f32> {
    (0..n as u64).map(|i| (mix(i ^ (salt << 32)) % 20_001) as f32 / 10_000.0 - 1.0).collect()
}

/// splitmix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn int_tensor<const D: usize>(v: Vec<i64>, shape: [usize; D], device: &Device) -> Tensor<D, Int> {
    Tensor::from_data(TensorData::new(v, shape), device)
}

fn float_tensor<const D: usize>(v: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(v, shape), device)
}

/// The learning rate of every compared step.
const LR: f64 = 1e-3;

/// What a training step did on one device: its losses, and the gradients each update took.
#[derive(Debug, Default)]
struct Trace {
    losses: Vec<(String, f32)>,
    grads: Vec<(String, Vec<f32>)>,
    /// Shapes of the parameters each update left without a gradient.
    untrained: Vec<(String, Vec<Vec<usize>>)>,
}

impl Trace {
    /// Records `loss` without training on it.
    fn loss(&mut self, what: &str, loss: Tensor<1>) {
        self.losses.push((what.to_string(), loss.into_scalar::<f32>()));
    }

    /// One update of `model` on `loss` as the families make it ([`genlab_train::Trainer`]'s
    /// `update`): backward, gradients clipped to norm 1 and laid out plainly, genlab's AdamW
    /// (weight decay on matrices) at [`LR`]. Records the loss and the gradients.
    fn update<M: Module>(&mut self, what: &str, loss: Tensor<1>, model: M) -> M {
        self.losses.push((what.to_string(), loss.clone().into_scalar::<f32>()));
        let mut grads = GradientsParams::from_grads(loss.backward(), &model);
        let (missing, flat) = gradients(&model, &grads);
        self.untrained.push((what.to_string(), missing));
        self.grads.push((what.to_string(), flat));
        clip_grad_norm(&model, &mut grads, 1.0);
        let grads = plain_grads(&model, grads);
        OptimConfig::default().init(&model).step(LR, model, grads)
    }

    /// [`Trace::update`] on `loss(&model)`, then records the updated model's loss on the same
    /// batch: a wrong optimiser step on the device shows there.
    fn step<M: Module>(&mut self, what: &str, model: M, loss: impl Fn(&M) -> Tensor<1>) -> M {
        let model = self.update(what, loss(&model), model);
        self.loss("loss after the step", loss(&model));
        model
    }

    /// Asserts that `self` (the device under test) did what `reference` (flex) did: every
    /// loss within `rtol` relative, every update's gradients within `rtol` of that update's
    /// largest gradient.
    fn assert_matches(&self, reference: &Trace, rtol: f32, family: &str) {
        assert_eq!(self.losses.len(), reference.losses.len(), "{family}: a step went missing");
        for ((what, got), (_, want)) in self.losses.iter().zip(&reference.losses) {
            let err = (got - want).abs() / want.abs().max(1e-3);
            assert!(
                err <= rtol,
                "{family}: {what} is {got} on the GPU and {want} on flex (relative {err:.2e} > {rtol:.0e})"
            );
        }
        // Batch norm's running statistics never have gradients, nor does a parameter the loss
        // does not reach; but a parameter that trains on one device must train on the other
        // (GPT-2's zero-initialised biases once trained only after a checkpoint round trip).
        for ((what, got), (_, want)) in self.untrained.iter().zip(&reference.untrained) {
            assert_eq!(got, want, "{family}: {what}: other parameters get no gradient");
        }
        for ((what, got), (_, want)) in self.grads.iter().zip(&reference.grads) {
            assert_eq!(got.len(), want.len(), "{family}: {what} has other gradients");
            let scale = want.iter().fold(0.0f32, |m, g| m.max(g.abs()));
            assert!(scale > 0.0, "{family}: {what} has no gradient at all");
            let worst = got.iter().zip(want).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            assert!(
                worst <= rtol * scale,
                "{family}: {what}'s gradients differ by {worst:.3e}, {:.2e} of the largest ({scale:.3e})",
                worst / scale
            );
        }
    }
}

/// The gradients `grads` holds for `model`'s parameters, flattened in visiting order, and
/// the shapes of the parameters that have none.
fn gradients<M: Module>(model: &M, grads: &GradientsParams) -> (Vec<Vec<usize>>, Vec<f32>) {
    #[derive(Default)]
    struct Collect<'a>(Option<&'a GradientsParams>, Vec<Vec<usize>>, Vec<f32>);
    impl ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            match self.0.and_then(|g| g.get::<D>(param.id)) {
                Some(g) => self.2.extend(values(g)),
                None => self.1.push(param.val().dims().to_vec()),
            }
        }
    }
    let mut c = Collect(Some(grads), Vec::new(), Vec::new());
    model.visit(&mut c);
    (c.1, c.2)
}

/// Initialises a model on flex from a fixed seed, copies its weights to the device under
/// test, runs `step` on both (autodiff on) and compares what they did.
fn matches_flex<M: Module>(
    family: &str,
    rtol: f32,
    init: impl Fn(&Device) -> M,
    step: impl Fn(M, &Device, &mut Trace),
) {
    let (reference, tested) = (cpu().autodiff(), gpu().autodiff());
    // Initialisation draws from each backend's generator, shared by the whole process.
    let (model, on_gpu) = {
        let _rng = genlab_tensor::testing::serial();
        genlab_tensor::seed(&reference, 7);
        let model = init(&reference);
        let on_gpu = copy_weights(&model, init(&tested));
        (model, on_gpu)
    };
    assert_eq!(params(&model), params(&on_gpu), "{family}: the weights did not arrive intact");
    let (mut want, mut got) = (Trace::default(), Trace::default());
    step(model, &reference, &mut want);
    step(on_gpu, &tested, &mut got);
    got.assert_matches(&want, rtol, family);
}

/// `genlab info` opens the device and times a matmul on it.
#[test]
fn info_times_a_matmul_on_the_gpu() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_genlab"))
        .args(["info", "--size", "64", "--reps", "1"])
        .env("GENLAB_NO_PROGRESS", "1")
        .output()
        .expect("genlab runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "genlab info failed:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gpu_line =
        text.lines().find(|l| l.trim_start().starts_with("wgpu") && l.contains("GFLOP/s"));
    assert!(gpu_line.is_some(), "no wgpu timing in:\n{text}");
}
