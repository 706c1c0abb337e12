//! tiktoken rank files: any text loads or is refused, and a tokenizer that loads encodes and
//! decodes without panicking.
#![no_main]
use genlab_tokenizer::{Bpe, Pattern};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(bpe) = Bpe::from_tiktoken(text, "ranks", Pattern::Gpt4, vec![]) {
        let ids = bpe.encode("to be or not to be, 数字 😀");
        let _ = bpe.decode(&ids);
    }
});
