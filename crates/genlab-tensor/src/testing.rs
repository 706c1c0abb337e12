//! What every crate's tests need from a device: the CPU device, and a lock for tests that
//! check exact repeatability.
//!
//! burn 0.22 seeds a device with [`Device::seed`], but "depending on the backend, the seed may
//! be applied globally rather than scoped to this specific device" (burn-tensor's
//! `device.rs`): flex and ndarray draw every random tensor of the process from one generator.
//! A test that seeds, trains and compares must not run while another test draws from that
//! generator, so such tests hold [`serial`] for their whole body. Tests that draw nothing
//! random, or only compare shapes, need not.

use std::sync::{Mutex, MutexGuard, PoisonError};

use burn::tensor::Device;

use crate::DeviceSpec;

static RNG: Mutex<()> = Mutex::new(());

/// The CPU device (flex by default), without autodiff.
pub fn cpu() -> Device {
    DeviceSpec::Cpu.device().expect("the CPU backend is always compiled in")
}

/// Holds the process-wide random generator for the caller's test (see the module docs). A
/// test that panicked while holding it does not poison it for the others.
pub fn serial() -> MutexGuard<'static, ()> {
    RNG.lock().unwrap_or_else(PoisonError::into_inner)
}
