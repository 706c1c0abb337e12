//! Checkpoint files: any bytes verify or are refused (header, version, section lengths,
//! checksum, state JSON), and so does every optimiser record of a several-optimiser section.
#![no_main]
use genlab_train::Checkpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("checkpoint.bin");
    if let Ok(ckpt) = Checkpoint::from_bytes(data, path) {
        for i in 0..4 {
            let _ = ckpt.optim_record(i);
        }
    }
});
