//! WAV files: any bytes decode or are refused.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = genlab_data::wav::parse_wav(data);
});
