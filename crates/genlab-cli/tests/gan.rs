//! `genlab gan ...` and `genlab eval ...` as a user runs them, on the embedded MNIST slice.

mod common;

use common::{fails, ok, tiny_pix2pix};

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
    assert!(fails(&["gan", "train", "--model", "vae"]).contains("`model` = \"vae\""));
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

#[test]
fn pix2pix_trains_translates_and_explains_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let s = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let small = ["--epochs", "1", "--train-pairs", "16", "--held-out", "4", "--features", "4"];
    let small = [&small[..], &["--size", "32", "--batch-size", "8"]].concat();
    let run = s("bw");
    let mut args = vec!["gan", "train", "--model", "pix2pix", "--task", "bw2color", "--out", &run];
    args.extend(&small);
    let r = ok(&args);
    assert_eq!(r["task"], "bw2color");
    assert!(r["held_out_l1"].as_f64().unwrap() > 0.0);
    assert!(dir.path().join("bw/held-out-epoch-1.png").is_file());
    assert!(
        std::fs::read_to_string(dir.path().join("bw/report.html")).unwrap().contains("held-out")
    );
    // Translate a 40×24 photo: once as the model's own input, once made from the photo.
    let photo = s("photo.png");
    image::RgbImage::from_fn(40, 24, |x, y| image::Rgb([(6 * x) as u8, (10 * y) as u8, 90]))
        .save(&photo)
        .unwrap();
    let out = s("out.png");
    ok(&["gan", "translate", "--checkpoint", &run, "--input", &photo, "--out", &out]);
    assert_eq!(image::image_dimensions(&out).unwrap(), (40, 24));
    assert_eq!(
        ok(&["gan", "translate", "--checkpoint", &run, "--input", &photo, "--out", &out])["sizes"]
            [0][0],
        40
    );
    let side = s("side.png");
    ok(&[
        "gan",
        "translate",
        "--checkpoint",
        &run,
        "--input",
        &photo,
        "--out",
        &side,
        "--from-photo",
    ]);
    assert_eq!(image::image_dimensions(&side).unwrap(), (3 * 42 + 2, 24 + 4));
    // A folder in, a folder out.
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    std::fs::copy(&photo, photos.join("a.png")).unwrap();
    std::fs::copy(&photo, photos.join("b.png")).unwrap();
    let outs = s("outs");
    let r = ok(&[
        "gan",
        "translate",
        "--checkpoint",
        &run,
        "--input",
        photos.to_str().unwrap(),
        "--out",
        &outs,
    ]);
    assert_eq!(r["pictures"], 2);
    assert!(dir.path().join("outs/b.png").is_file());
    // L1-only baseline on drawn facades; --from-photo and --photos do not apply to it.
    let facade = s("facade");
    let mut args = vec![
        "gan",
        "train",
        "--model",
        "pix2pix",
        "--task",
        "labels2facade",
        "--l1-only",
        "--out",
        &facade,
    ];
    args.extend(&small);
    assert_eq!(ok(&args)["objective"], "L1 only");
    let err =
        fails(&["gan", "translate", "--checkpoint", &facade, "--input", &photo, "--from-photo"]);
    assert!(err.contains("--from-photo needs"), "{err}");
    assert!(fails(&["gan", "sample", "--checkpoint", &facade]).contains("gan translate"));
    args.extend(["--photos", dir.path().to_str().unwrap()]);
    assert!(fails(&args).contains("drop --photos"));
    assert!(fails(&["gan", "train", "--model", "pix2pix"]).contains("needs --task"));
    let err = fails(&["gan", "train", "--model", "pix2pix", "--task", "bw2color", "--size", "20"]);
    assert!(err.contains("multiple of 16"), "{err}");
    assert!(
        fails(&["gan", "train", "--model", "pix2pix", "--task", "maps"]).contains("unknown task")
    );
    assert!(
        fails(&["gan", "train", "--model", "dcgan", "--task", "bw2color"])
            .contains("--task is for")
    );
    assert!(
        fails(&["gan", "translate", "--checkpoint", &s("gan-none"), "--input", &photo])
            .contains("gan-none")
    );
}

#[test]
fn pix2pix_reads_a_folder_of_a_b_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs");
    std::fs::create_dir(&pairs).unwrap();
    for i in 0..10u8 {
        // A on the left, B on the right (its negative).
        let img = image::RgbImage::from_fn(64, 32, |x, y| {
            let v = ((x % 32) * 8 + y + u32::from(i) * 9) as u8;
            image::Rgb(if x < 32 { [v, v, v] } else { [255 - v, 128, v / 2] })
        });
        img.save(pairs.join(format!("{i:02}.png"))).unwrap();
    }
    let run = dir.path().join("run").to_string_lossy().into_owned();
    let data = format!("pairs:{}", pairs.display());
    let r = ok(&[
        "gan",
        "train",
        "--model",
        "pix2pix",
        "--task",
        &data,
        "--epochs",
        "1",
        "--features",
        "4",
        "--size",
        "32",
        "--batch-size",
        "4",
        "--out",
        &run,
    ]);
    assert_eq!(r["epochs"][0]["epoch"], 1);
    let back = dir.path().join("back").to_string_lossy().into_owned();
    let r = ok(&[
        "gan",
        "train",
        "--model",
        "pix2pix",
        "--task",
        &data,
        "--direction",
        "b2a",
        "--epochs",
        "1",
        "--features",
        "4",
        "--size",
        "32",
        "--batch-size",
        "4",
        "--out",
        &back,
    ]);
    assert_eq!(r["task"], data.as_str());
    std::fs::write(pairs.join("odd.png"), b"broken").unwrap();
    let err = fails(&[
        "gan", "train", "--model", "pix2pix", "--task", &data, "--size", "32", "--out", &run,
    ]);
    assert!(err.contains("odd.png"), "{err}");
}

#[test]
fn street_and_aerial_pairs_are_written_and_train_pix2pix() {
    let dir = tempfile::tempdir().unwrap();
    for task in ["labels2street", "aerial2map", "map2aerial"] {
        let out = dir.path().join(task);
        let out_s = out.to_string_lossy().into_owned();
        ok(&["data", "pairs", "--task", task, "--n", "3", "--size", "32", "--out", &out_s]);
        for i in 0..3 {
            let png = out.join(format!("{i:05}.png"));
            assert_eq!(image::image_dimensions(&png).unwrap(), (64, 32), "{task}");
        }
    }
    // The drawn task trains directly too.
    let run = dir.path().join("run").to_string_lossy().into_owned();
    let mut args = tiny_pix2pix("labels2street");
    args.extend(["--out", &run]);
    let r = ok(&args);
    assert_eq!(r["task"], "labels2street", "{r}");
    // Scored as the paper scores it: a segmenter of street photos reads the generated ones.
    let seg = dir.path().join("seg").to_string_lossy().into_owned();
    let small =
        ["--size", "32", "--scenes", "6", "--epochs", "1", "--held-out", "3", "--width", "4"];
    let t =
        ok(&[&["eval", "train-segmenter", "--task", "labels2street", "--out", &seg][..], &small]
            .concat());
    assert!(t["real_photos"]["pixel_accuracy"].as_f64().is_some(), "{t}");
    let s = ok(&["eval", "scenes", "--checkpoint", &run, "--segmenter", &seg, "--n", "3"]);
    for side in ["generated", "real"] {
        let acc = s[side]["pixel_accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc), "{s}");
    }
    let err = fails(&["eval", "scenes", "--checkpoint", &run, "--n", "3"]);
    assert!(err.contains("train-segmenter"), "{err}");
    // A map run is scored by its palette, with no segmenter; a street segmenter does not
    // read aerial photos.
    let maps = dir.path().join("maps").to_string_lossy().into_owned();
    let args = tiny_pix2pix("aerial2map");
    ok(&[&args[..], &["--out", &maps]].concat());
    let s = ok(&["eval", "scenes", "--checkpoint", &maps, "--n", "3"]);
    assert!((0.0..=1.0).contains(&s["palette_accuracy"].as_f64().unwrap()), "{s}");
    let aerial = dir.path().join("aerial").to_string_lossy().into_owned();
    let args = tiny_pix2pix("map2aerial");
    ok(&[&args[..], &["--out", &aerial]].concat());
    let err = fails(&["eval", "scenes", "--checkpoint", &aerial, "--segmenter", &seg]);
    assert!(err.contains("reads street photos"), "{err}");
    let bad = dir.path().join("bad").to_string_lossy().into_owned();
    let err = fails(&["data", "pairs", "--task", "aerial2map", "--size", "40", "--out", &bad]);
    assert!(err.contains("divide by 16"), "{err}");
    let err = fails(&["data", "pairs", "--task", "labels2street", "--photos", ".", "--out", &bad]);
    assert!(err.contains("draws its own pictures"), "{err}");
}
