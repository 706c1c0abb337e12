//! genlab's tokenizer files: any text loads or is refused, and a tokenizer that loads encodes
//! and decodes without panicking.
#![no_main]
use genlab_tokenizer::Bpe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(bpe) = Bpe::from_json(text, "fuzz.json") {
        let ids = bpe.encode("to be or not to be, 数字 😀");
        let _ = bpe.decode(&ids);
    }
});
