//! Device specs: `cpu | flex | ndarray | wgpu[:N] | cuda[:N]`.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Device;

/// Environment variable read when no `--device` is given.
pub const DEVICE_ENV: &str = "GENLAB_DEVICE";

/// A compute backend genlab knows about, compiled in or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// burn's pure-Rust CPU backend (default feature `flex`).
    Flex,
    /// burn's ndarray CPU backend (feature `ndarray`; deprecated upstream in burn 0.22).
    NdArray,
    /// GPUs through wgpu: Vulkan, Metal, DX12 (feature `wgpu`).
    Wgpu,
    /// NVIDIA GPUs through CUDA (feature `cuda`).
    Cuda,
}

impl Backend {
    /// Every backend, fastest CPU backend first.
    pub const ALL: [Backend; 4] = [Backend::Flex, Backend::NdArray, Backend::Wgpu, Backend::Cuda];

    /// The Cargo feature that compiles this backend in.
    pub fn feature(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::NdArray => "ndarray",
            Backend::Wgpu => "wgpu",
            Backend::Cuda => "cuda",
        }
    }

    /// Whether this build has the backend.
    pub fn is_compiled(self) -> bool {
        match self {
            Backend::Flex => cfg!(feature = "flex"),
            Backend::NdArray => cfg!(feature = "ndarray"),
            Backend::Wgpu => cfg!(feature = "wgpu"),
            Backend::Cuda => cfg!(feature = "cuda"),
        }
    }

    /// Whether the backend runs on the CPU.
    pub fn is_cpu(self) -> bool {
        matches!(self, Backend::Flex | Backend::NdArray)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.feature())
    }
}

/// The backends compiled into this build.
pub fn compiled_backends() -> Vec<Backend> {
    Backend::ALL.into_iter().filter(|b| b.is_compiled()).collect()
}

/// Errors from parsing or opening a device.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeviceError {
    /// The text is not a device spec at all.
    #[error("unknown device {0:?}: expected one of cpu, flex, ndarray, wgpu, wgpu:N, cuda, cuda:N")]
    Unknown(String),
    /// `cuda:x` or `wgpu:x` with an index that is not a number.
    #[error("bad device index in {spec:?}: {index:?} is not a non-negative integer")]
    BadIndex {
        /// The whole spec.
        spec: String,
        /// The part after the colon.
        index: String,
    },
    /// An index on a backend that has only one device.
    #[error("device {0:?} takes no index (only wgpu and cuda do)")]
    UnexpectedIndex(String),
    /// The backend exists but this build does not have it.
    #[error(
        "the {backend} backend is not compiled into this build: rebuild with `--features {backend}` \
         (e.g. `cargo run --release --features {backend} -- ...`)"
    )]
    NotCompiled {
        /// The backend asked for.
        backend: Backend,
    },
    /// `cpu` was asked for but no CPU backend is compiled in.
    #[error("no CPU backend is compiled into this build: enable the `flex` or `ndarray` feature")]
    NoCpuBackend,
}

/// A parsed device spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// The fastest CPU backend compiled in (flex, else ndarray).
    Cpu,
    /// A specific backend, with a device index for GPUs.
    Backend(Backend, Option<usize>),
}

impl FromStr for DeviceSpec {
    type Err = DeviceError;

    fn from_str(text: &str) -> Result<Self, DeviceError> {
        let spec = text.trim().to_ascii_lowercase();
        let (name, index) = match spec.split_once(':') {
            Some((name, index)) => (name, Some(index)),
            None => (spec.as_str(), None),
        };
        let backend = match name {
            "cpu" => None,
            "flex" => Some(Backend::Flex),
            "ndarray" => Some(Backend::NdArray),
            "wgpu" | "gpu" => Some(Backend::Wgpu),
            "cuda" => Some(Backend::Cuda),
            _ => return Err(DeviceError::Unknown(text.to_string())),
        };
        let index = match index {
            None => None,
            Some(i) => Some(i.parse::<usize>().map_err(|_| DeviceError::BadIndex {
                spec: text.to_string(),
                index: i.to_string(),
            })?),
        };
        match backend {
            None if index.is_some() => Err(DeviceError::UnexpectedIndex(text.to_string())),
            None => Ok(DeviceSpec::Cpu),
            Some(b) if b.is_cpu() && index.is_some() => {
                Err(DeviceError::UnexpectedIndex(text.to_string()))
            }
            Some(b) => Ok(DeviceSpec::Backend(b, index)),
        }
    }
}

impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceSpec::Cpu => f.write_str("cpu"),
            DeviceSpec::Backend(b, None) => write!(f, "{b}"),
            DeviceSpec::Backend(b, Some(i)) => write!(f, "{b}:{i}"),
        }
    }
}

impl DeviceSpec {
    /// The spec from `--device` if given, else from `GENLAB_DEVICE`, else `cpu`.
    pub fn from_flag_or_env(flag: Option<&str>) -> Result<Self, DeviceError> {
        match flag {
            Some(text) => text.parse(),
            None => match std::env::var(DEVICE_ENV) {
                Ok(text) if !text.trim().is_empty() => text.parse(),
                _ => Ok(DeviceSpec::Cpu),
            },
        }
    }

    /// The concrete backend this spec resolves to in this build.
    pub fn backend(&self) -> Result<Backend, DeviceError> {
        match self {
            DeviceSpec::Cpu => Backend::ALL
                .into_iter()
                .find(|b| b.is_cpu() && b.is_compiled())
                .ok_or(DeviceError::NoCpuBackend),
            DeviceSpec::Backend(b, _) if !b.is_compiled() => {
                Err(DeviceError::NotCompiled { backend: *b })
            }
            DeviceSpec::Backend(b, _) => Ok(*b),
        }
    }

    /// Opens the device (without autodiff; call `.autodiff()` on it for training).
    pub fn device(&self) -> Result<Device, DeviceError> {
        let backend = self.backend()?;
        let index = match self {
            DeviceSpec::Backend(_, i) => i.unwrap_or(0),
            DeviceSpec::Cpu => 0,
        };
        Ok(open(backend, index))
    }
}

#[allow(unused_variables, unreachable_code)]
fn open(backend: Backend, index: usize) -> Device {
    match backend {
        #[cfg(feature = "flex")]
        Backend::Flex => Device::flex(),
        #[cfg(feature = "ndarray")]
        #[allow(deprecated)]
        // burn 0.22 deprecates ndarray in favour of flex; we still offer it.
        Backend::NdArray => Device::ndarray(),
        #[cfg(feature = "wgpu")]
        Backend::Wgpu => {
            use burn::tensor::DeviceKind;
            let kind =
                if index == 0 { DeviceKind::DefaultDevice } else { DeviceKind::DiscreteGpu(index) };
            Device::wgpu(kind)
        }
        #[cfg(feature = "cuda")]
        Backend::Cuda => Device::cuda(index),
        // `backend()` only returns compiled backends.
        other => unreachable!("backend {other} is not compiled in"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_spec() {
        assert_eq!("cpu".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cpu);
        assert_eq!("FLEX".parse::<DeviceSpec>().unwrap(), DeviceSpec::Backend(Backend::Flex, None));
        assert_eq!(
            "ndarray".parse::<DeviceSpec>().unwrap(),
            DeviceSpec::Backend(Backend::NdArray, None)
        );
        assert_eq!("wgpu".parse::<DeviceSpec>().unwrap(), DeviceSpec::Backend(Backend::Wgpu, None));
        assert_eq!(
            "cuda:1".parse::<DeviceSpec>().unwrap(),
            DeviceSpec::Backend(Backend::Cuda, Some(1))
        );
        assert_eq!("cuda:1".parse::<DeviceSpec>().unwrap().to_string(), "cuda:1");
    }

    #[test]
    fn rejects_bad_specs_with_a_reason() {
        assert!(matches!("tpu".parse::<DeviceSpec>(), Err(DeviceError::Unknown(_))));
        assert!(matches!("cuda:x".parse::<DeviceSpec>(), Err(DeviceError::BadIndex { .. })));
        assert!(matches!("flex:1".parse::<DeviceSpec>(), Err(DeviceError::UnexpectedIndex(_))));
        assert!(matches!("cpu:0".parse::<DeviceSpec>(), Err(DeviceError::UnexpectedIndex(_))));
    }

    #[test]
    fn uncompiled_backend_names_its_feature() {
        for backend in Backend::ALL.into_iter().filter(|b| !b.is_compiled()) {
            let err = DeviceSpec::Backend(backend, None).device().unwrap_err();
            assert!(err.to_string().contains(&format!("--features {}", backend.feature())));
        }
    }

    #[test]
    fn cpu_resolves_to_a_compiled_cpu_backend() {
        let backend = DeviceSpec::Cpu.backend().unwrap();
        assert!(backend.is_cpu() && backend.is_compiled());
    }
}
