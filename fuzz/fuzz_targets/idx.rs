//! IDX files (MNIST): any bytes parse or are refused, never a panic or a huge allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = genlab_data::idx::parse_idx(data, std::path::Path::new("fuzz.idx"));
});
