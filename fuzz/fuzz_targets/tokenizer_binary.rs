//! genlab's binary tokenizer files (`.glbpe`): any bytes load or are refused, and a tokenizer
//! that loads encodes and decodes without panicking. The checksum is recomputed first, so the
//! fuzzer explores the parser behind it rather than only the checksum's refusal.
#![no_main]
use genlab_tokenizer::{BINARY_MAGIC, Bpe, binary_checksum};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut data = data.to_vec();
    if data.len() >= 20 && data.starts_with(BINARY_MAGIC) {
        let sum = binary_checksum(&data[20..]);
        data[12..20].copy_from_slice(&sum.to_le_bytes());
    }
    if let Ok(bpe) = Bpe::from_binary(&data, "fuzz.glbpe") {
        let ids = bpe.encode("to be or not to be, 数字 😀");
        let _ = bpe.decode(&ids);
    }
});
