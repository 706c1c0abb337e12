//! The one place in genlab that knows about backends.
//!
//! - [`DeviceSpec`] parses `cpu | flex | ndarray | wgpu[:N] | cuda[:N]` (from `--device` or
//!   `GENLAB_DEVICE`) and turns it into a burn [`Device`], or says which Cargo feature to enable.
//! - [`seed`] seeds a device so that the same seed gives the same numbers on the same backend.
//! - [`image`] converts between tensors and PNG files, including sample grids.
//! - [`fused`] holds fused ops burn lacks (the LSTM cell), with a kernel on Flex.

#[cfg(feature = "mimalloc")]
pub mod alloc;
pub mod device;
pub mod fused;
pub mod image;
pub mod testing;

pub use burn;
pub use burn::tensor::{Device, Tensor, TensorData};
pub use device::{Backend, DeviceError, DeviceSpec, compiled_backends};

/// Seeds the backend behind `device` so random tensors (initialisation, dropout, noise) are
/// reproducible. Some backends seed globally rather than per device.
pub fn seed(device: &Device, seed: u64) {
    device.seed(seed);
}

#[cfg(test)]
mod tests {
    use burn::tensor::Distribution;

    use super::*;

    fn draw(device: &Device, s: u64) -> Vec<f32> {
        seed(device, s);
        Tensor::<1>::random([64], Distribution::Normal(0.0, 1.0), device)
            .into_data()
            .try_to_vec()
            .unwrap()
    }

    #[test]
    fn same_seed_same_numbers() {
        let device = DeviceSpec::Cpu.device().unwrap();
        assert_eq!(draw(&device, 7), draw(&device, 7));
        assert_ne!(draw(&device, 7), draw(&device, 8));
    }
}
