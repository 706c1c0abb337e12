//! `genlab wavenet ...` as a user runs them, on the embedded speech.

mod common;

use common::{fails, ok};

/// Writes a WAV by hand: `channels` × `bits` PCM at `rate`.
fn wav(path: &std::path::Path, rate: u32, channels: u16, bits: u16, frames: usize) {
    let width = (bits / 8) as usize;
    let data_len = frames * channels as usize * width;
    let mut b = b"RIFF".to_vec();
    b.extend_from_slice(&(36 + data_len as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * (channels as usize * width) as u32).to_le_bytes());
    b.extend_from_slice(&((channels as usize * width) as u16).to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data_len as u32).to_le_bytes());
    for i in 0..frames * channels as usize {
        let v = ((i as f32 * 0.05).sin() * 0.3 * 127.0) as i8;
        match width {
            1 => b.push((v as i16 + 128) as u8),
            _ => b.extend_from_slice(&((v as i16) * 256).to_le_bytes()),
        }
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn wavenet_train_resume_generate_and_eval() {
    let dir = tempfile::tempdir().unwrap();
    let s = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let run = s("wn");
    let train = [common::SPEAKER_WAVENET, &["--out", &run]].concat();
    let summary = ok(&train);
    assert_eq!(summary["steps"], 4);
    assert_eq!(summary["speakers"].as_array().unwrap().len(), 6);
    // At each evaluation, 16,000 held-out predictions per clip.
    assert_eq!(summary["val"]["samples"], 6 * 16_000);
    assert!(summary["val"]["bits_per_sample"].as_f64().unwrap() > 0.0);
    for file in ["run.json", "checkpoint.bin", "loss.svg", "report.html", "samples/step-000004.wav"]
    {
        assert!(dir.path().join("wn").join(file).is_file(), "{file} missing");
    }
    let html = std::fs::read_to_string(dir.path().join("wn/report.html")).unwrap();
    assert!(html.contains("<audio controls src=\"samples/step-000002.wav\">"));
    assert!(html.contains("samples/step-000004.png"));
    // Continue to 6 steps.
    let mut more = train.clone();
    assert_eq!(more[5], "--steps");
    more[6] = "6";
    more.push("--resume");
    assert_eq!(ok(&more)["steps"], 6);

    let out = s("clip.wav");
    let g = ok(&[
        "wavenet",
        "generate",
        "--run",
        &run,
        "--seconds",
        "0.5",
        "--speaker",
        "speech-02",
        "--out",
        &out,
    ]);
    assert_eq!(g["samples"], 8000);
    assert_eq!(g["speaker"], 2);
    let audio = genlab_data::wav::read_wav(&out).unwrap();
    assert_eq!((audio.sample_rate, audio.samples.len()), (16_000, 8000));
    assert!(dir.path().join("clip.png").is_file());
    let again = s("again.wav");
    ok(&[
        "wavenet",
        "generate",
        "--run",
        &run,
        "--seconds",
        "0.5",
        "--speaker",
        "2",
        "--out",
        &again,
    ]);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&again).unwrap(),
        "same seed, same bytes"
    );

    let e = ok(&["wavenet", "eval", "--run", &run, "--data", "embedded"]);
    assert_eq!(e["samples"], 6 * (64_000 - 1));
    assert!(e["bits_per_sample"].as_f64().unwrap() > 0.0);

    // Refusals, each naming the problem.
    assert!(fails(&["wavenet", "generate", "--run", &run, "--seconds", "0.1"]).contains("speaker"));
    assert!(
        fails(&["wavenet", "generate", "--run", &run, "--speaker", "nobody"]).contains("nobody")
    );
    assert!(
        fails(&["wavenet", "generate", "--run", &run, "--seconds", "0", "--speaker", "1"])
            .contains("`seconds`")
    );
    assert!(
        fails(&["wavenet", "generate", "--run", &run, "--seconds", "100000", "--speaker", "1"])
            .contains("`seconds`")
    );
}

#[test]
fn wavenet_refuses_audio_it_cannot_learn_from() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let s = |name: &str| p(name).to_string_lossy().into_owned();
    wav(&p("8bit.wav"), 16_000, 1, 8, 4000);
    wav(&p("stereo.wav"), 16_000, 2, 16, 4000);
    wav(&p("odd.wav"), 22_050, 1, 16, 4000);
    wav(&p("slow.wav"), 1_000, 1, 16, 4000);
    std::fs::create_dir(p("empty")).unwrap();
    std::fs::create_dir(p("mixed")).unwrap();
    wav(&p("mixed/a.wav"), 16_000, 1, 16, 4000);
    wav(&p("mixed/b.wav"), 22_050, 1, 16, 4000);
    let train = |data: &str| {
        let out = s("out");
        fails(&[common::TINY_WAVENET, &["--data", data, "--out", &out]].concat())
    };
    assert!(train(&s("8bit.wav")).contains("8-bit"));
    assert!(train(&s("slow.wav")).contains("1000 Hz"));
    assert!(train(&s("empty")).contains("no .wav files"));
    assert!(train(&s("mixed")).contains("22050 Hz"));
    assert!(!p("out").exists(), "a refused command leaves no run folder");
    // Stereo is mixed to mono, and a 22.05 kHz set trains a 22.05 kHz model.
    let run = s("stereo-run");
    ok(&[common::TINY_WAVENET, &["--data", &s("stereo.wav"), "--out", &run]].concat());
    let odd_run = s("odd-run");
    ok(&[common::TINY_WAVENET, &["--data", &s("odd.wav"), "--out", &odd_run]].concat());
    // Evaluating 22.05 kHz audio with a 16 kHz model is refused with both rates.
    let err = fails(&["wavenet", "eval", "--run", &run, "--data", &s("odd.wav")]);
    assert!(err.contains("22050 Hz") && err.contains("16000 Hz"), "{err}");
    // A run of another family.
    let ae = s("ae");
    ok(&["ae", "train", "--model", "ae", "--epochs", "1", "--latent", "2", "--out", &ae]);
    assert!(fails(&["wavenet", "generate", "--run", &ae]).contains("not of wavenet"));
}
