//! `genlab tokenizer convert` and the formats it writes: the same ids from genlab JSON, a
//! tiktoken rank file and the binary format; and the refusals a user can meet on the way.

mod common;

use common::{fails, genlab};

fn ids(args: &[&str]) -> String {
    let out = genlab(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn converted_tokenizers_give_the_same_ids_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let json = p("tok.json");
    let out = genlab(&[
        "tokenizer",
        "train",
        "--vocab-size",
        "400",
        "--special",
        "<|endoftext|>",
        "--out",
        &json,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = "ROMEO: But soft, what light through yonder window breaks?<|endoftext|> 数字";
    let want = ids(&["tokenizer", "encode", "--tokenizer", &json, "--text", text]);
    for name in ["tok.glbpe", "tok.tiktoken", "copy.json"] {
        let to = p(name);
        ids(&["tokenizer", "convert", "--tokenizer", &json, "--out", &to]);
        // A rank file records no pattern: gpt4 is the default, as it was trained with.
        let got = ids(&["tokenizer", "encode", "--tokenizer", &to, "--text", text]);
        assert_eq!(got, want, "{name}");
    }
    let err = fails(&[
        "tokenizer",
        "encode",
        "--tokenizer",
        &json,
        "--encoding",
        "o200k_base",
        "--text",
        "hi",
    ]);
    assert!(err.contains("--encoding o200k_base is for .tiktoken rank files"), "{err}");
    let err = fails(&[
        "tokenizer",
        "encode",
        "--tokenizer",
        &p("tok.tiktoken"),
        "--encoding",
        "cl100k_base",
        "--text",
        "hi",
    ]);
    assert!(err.contains("but cl100k_base has 100256"), "{err}");
    let bytes = std::fs::read(p("tok.glbpe")).unwrap();
    std::fs::write(p("cut.glbpe"), &bytes[..bytes.len() / 2]).unwrap();
    let err = fails(&["tokenizer", "count", "--tokenizer", &p("cut.glbpe"), "--text", "hi"]);
    assert!(err.contains("cut.glbpe") && err.contains("checksum mismatch"), "{err}");
}
