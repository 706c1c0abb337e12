//! `genlab info`: version, backends, the device `cpu` resolves to, and a 512×512×512 matmul
//! timing on every device this build can open.

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use anyhow::{Context, anyhow};
use genlab_tensor::burn::tensor::Distribution;
use genlab_tensor::{Backend, Device, DeviceSpec, Tensor, compiled_backends};

use super::Globals;

/// Options of `genlab info`.
#[derive(clap::Args, Debug)]
pub struct InfoArgs {
    /// Side of the square matrices in the timing.
    #[arg(long, default_value_t = 512)]
    size: usize,
    /// Timed repetitions (after 3 warm-up runs); the median is reported.
    #[arg(long, default_value_t = 10)]
    reps: usize,
    /// Skip the matmul timing.
    #[arg(long)]
    no_bench: bool,
}

/// Runs `genlab info`.
pub fn run(globals: &Globals, args: InfoArgs) -> anyhow::Result<()> {
    // Check the requested device first: asking for a backend that is not compiled in is an
    // error naming the feature to enable, here as everywhere else.
    let (selected, selected_backend) = globals.device_spec()?;

    println!("genlab {}", env!("CARGO_PKG_VERSION"));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("cpu threads: {threads}");
    let compiled: Vec<String> = compiled_backends().iter().map(ToString::to_string).collect();
    println!("compiled backends: {}", compiled.join(", "));
    println!("backends:");
    for backend in Backend::ALL {
        let kind = if backend.is_cpu() { "cpu" } else { "gpu" };
        let status = if backend.is_compiled() {
            "compiled in".to_string()
        } else {
            format!("not compiled in (feature `{}`)", backend.feature())
        };
        println!("  {:<8} {kind}  {status}", backend.feature());
    }
    match DeviceSpec::Cpu.backend() {
        Ok(b) => println!("`cpu` resolves to: {b}"),
        Err(e) => println!("`cpu` resolves to: nothing ({e})"),
    }
    println!("selected device: {selected} ({selected_backend})");

    if args.no_bench {
        return Ok(());
    }
    anyhow::ensure!(args.size > 0 && args.reps > 0, "--size and --reps must be positive");
    let n = args.size;
    println!("\nmatmul {n}x{n}x{n} f32, median of {} after 3 warm-up runs:", args.reps);
    for spec in devices_to_time(&selected) {
        match time_on(&spec, n, args.reps) {
            Ok(ms) => {
                let gflops = 2.0 * (n as f64).powi(3) / (ms * 1e-3) / 1e9;
                println!("  {:<8} {ms:>9.3} ms  {gflops:>8.1} GFLOP/s", spec.to_string());
            }
            Err(e) => println!("  {:<8} error: {e:#}", spec.to_string()),
        }
    }
    Ok(())
}

/// Every compiled backend (GPUs at index 0), plus the selected spec if it names another GPU.
fn devices_to_time(selected: &DeviceSpec) -> Vec<DeviceSpec> {
    let mut specs: Vec<DeviceSpec> =
        compiled_backends().into_iter().map(|b| DeviceSpec::Backend(b, None)).collect();
    if let DeviceSpec::Backend(b, Some(i)) = selected
        && *i != 0
    {
        specs.push(DeviceSpec::Backend(*b, Some(*i)));
    }
    specs
}

/// Median milliseconds of one `n×n @ n×n` matmul on `spec`. Opening or using a GPU that is
/// not there may panic inside the backend; that panic becomes an error here.
fn time_on(spec: &DeviceSpec, n: usize, reps: usize) -> anyhow::Result<f64> {
    let device = spec.device().with_context(|| format!("opening {spec}"))?;
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(|| matmul_median_ms(&device, n, reps)));
    panic::set_hook(quiet);
    match result {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            Err(anyhow!("{spec} failed: {msg}"))
        }
    }
}

fn matmul_median_ms(device: &Device, n: usize, reps: usize) -> anyhow::Result<f64> {
    let dist = Distribution::Uniform(-1.0, 1.0);
    let a = Tensor::<2>::random([n, n], dist, device);
    let b = Tensor::<2>::random([n, n], dist, device);
    device.sync().map_err(|e| anyhow!("{e:?}"))?;
    let mut times = Vec::with_capacity(reps);
    for i in 0..reps + 3 {
        let start = Instant::now();
        let c = a.clone().matmul(b.clone());
        device.sync().map_err(|e| anyhow!("{e:?}"))?;
        let elapsed = start.elapsed().as_secs_f64() * 1e3;
        drop(c);
        if i >= 3 {
            times.push(elapsed);
        }
    }
    // Read one value back so a lazy backend cannot skip the work.
    let check = a.matmul(b).sum().into_scalar::<f32>();
    anyhow::ensure!(check.is_finite(), "matmul gave a non-finite result");
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}
