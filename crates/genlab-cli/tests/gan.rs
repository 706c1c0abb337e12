//! `genlab gan ...` and `genlab eval ...` as a user runs them, on the embedded MNIST slice.

mod common;

use common::{fails, ok};

#[test]
fn gan_train_resume_sample_and_score() {
    let dir = tempfile::tempdir().unwrap();
    let s = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let run = s("gan");
    ok(&["gan", "train", "--model", "gan", "--epochs", "1", "--out", &run]);
    assert!(dir.path().join("gan/samples-epoch-1.png").is_file());
    assert!(dir.path().join("gan/loss.svg").is_file());
    let html = std::fs::read_to_string(dir.path().join("gan/report.html")).unwrap();
    assert!(html.contains("samples-epoch-1.png") && html.contains("loss.svg"));
    ok(&["gan", "train", "--model", "gan", "--epochs", "2", "--out", &run, "--resume"]);
    assert!(dir.path().join("gan/samples-epoch-2.png").is_file());
    let idx = s("fake.idx");
    let r = ok(&[
        "gan",
        "sample",
        "--checkpoint",
        &run,
        "--n",
        "20",
        "--out",
        &s("grid.png"),
        "--idx",
        &idx,
    ]);
    assert_eq!(r["n"], 20);
    assert_eq!(std::fs::metadata(&idx).unwrap().len(), 16 + 20 * 784);
    assert!(
        fails(&["gan", "sample", "--checkpoint", &run, "--class", "3"]).contains("unconditional")
    );
    assert!(fails(&["gan", "train", "--model", "vae"]).contains("unknown --model"));
    // The classifier and the metrics in its feature space.
    let clf = s("clf");
    let c = ok(&["eval", "train-classifier", "--epochs", "1", "--out", &clf]);
    assert!(c["test_accuracy"].as_f64().unwrap() > 0.7, "{c}");
    let f = ok(&["eval", "fid", "--real", "mnist", "--fake", &idx, "--classifier", &clf]);
    assert!(f["fid"].as_f64().unwrap().is_finite() && f["fid"].as_f64().unwrap() > 0.0, "{f}");
    let same = ok(&["eval", "fid", "--real", "mnist", "--fake", "mnist", "--classifier", &clf]);
    assert!(same["fid"].as_f64().unwrap().abs() < 1e-3, "{same}");
    let k = ok(&["eval", "classify", "--images", &idx, "--expect", "3", "--classifier", &clf]);
    assert_eq!(k["items"], 20);
    assert!(
        fails(&["eval", "fid", "--real", "mnist", "--fake", &idx, "--classifier", &s("none")])
            .contains("train-classifier")
    );
}

#[test]
fn text_to_image_reads_prompts_and_refuses_others() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("t2i").to_string_lossy().into_owned();
    let out = dir.path().join("p.png").to_string_lossy().into_owned();
    let t = ok(&["gan", "train", "--model", "text2img", "--epochs", "1", "--out", &run]);
    assert!(t["text_encoder"]["held_out_accuracy"].as_f64().unwrap() >= 0.9, "{t}");
    let read = |prompt: &str| {
        ok(&["gan", "sample", "--checkpoint", &run, "--prompt", prompt, "--n", "4", "--out", &out])
    };
    assert_eq!(read("a handwritten seven")["class"], 7);
    assert_eq!(read("Draw the digit 3.")["class"], 3);
    let err = fails(&[
        "gan",
        "sample",
        "--checkpoint",
        &run,
        "--prompt",
        "a picture of a cat",
        "--out",
        &out,
    ]);
    assert!(err.contains("names no digit"), "{err}");
    assert!(
        fails(&["gan", "sample", "--checkpoint", &run, "--prompt", "  ", "--out", &out])
            .contains("empty")
    );
}

#[test]
fn dcgan_on_a_folder_of_colour_images() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for i in 0..40u32 {
        let img = image::RgbImage::from_fn(80, 72, |x, y| {
            image::Rgb([((x * 3 + i * 7) % 256) as u8, ((y * 5 + i) % 256) as u8, (i * 6) as u8])
        });
        img.save(photos.join(format!("{i:02}.png"))).unwrap();
    }
    let run = dir.path().join("run").to_string_lossy().into_owned();
    let data = format!("images:{}", photos.display());
    ok(&[
        "gan",
        "train",
        "--model",
        "dcgan",
        "--data",
        &data,
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--out",
        &run,
    ]);
    let grid = dir.path().join("g.png");
    ok(&["gan", "sample", "--checkpoint", &run, "--n", "4", "--out", grid.to_str().unwrap()]);
    assert_eq!(image::image_dimensions(&grid).unwrap(), (2 * 66 + 2, 2 * 66 + 2));
    let err = fails(&[
        "gan",
        "sample",
        "--checkpoint",
        &run,
        "--idx",
        dir.path().join("x.idx").to_str().unwrap(),
    ]);
    assert!(err.contains("28×28"), "{err}");
}
