//! The synthetic faces: determinism, range, attributes, visible glasses, PNG encoding; and the
//! picture in the docs.

use genlab_data::faces::{
    FaceAttrs, FaceShape, HairColour, draw_face, generate_faces, generate_faces_with, grid,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[test]
fn same_seed_same_faces_and_values_in_range() {
    let a = generate_faces(12, 32, 7);
    assert_eq!(a, generate_faces(12, 32, 7));
    assert_ne!(a.images, generate_faces(12, 32, 8).images);
    assert_eq!((a.len(), a.images.len()), (12, 12 * 3 * 32 * 32));
    for size in [16, 32, 64, 128] {
        let f = generate_faces(4, size, 1);
        assert!(f.images.iter().all(|v| (0.0..=1.0).contains(v)), "size {size}");
    }
    // No two faces alike, even with the same attributes.
    let same = generate_faces_with(&[a.attrs[0]; 2], 32, 3);
    assert_ne!(same.image(0), same.image(1));
}

#[test]
fn attributes_are_balanced_and_labelled() {
    let f = generate_faces(400, 8, 0);
    let glasses = f.glasses_labels().iter().filter(|&&g| g).count();
    let smiles = f.smile_labels().iter().filter(|&&s| s).count();
    assert!((150..250).contains(&glasses) && (150..250).contains(&smiles));
    let hair = f.attribute("hair").unwrap();
    for k in 0..4 {
        assert!(hair.iter().filter(|&&h| h == k).count() > 60);
    }
    assert_eq!(f.attribute("shape").unwrap()[3], f.attrs[3].shape.index());
    assert!(f.attribute("hat").is_none());
    let hot = f.gather_one_hot(&[0, 5]);
    assert_eq!(hot.len(), 2 * FaceAttrs::ONE_HOT_LEN);
    assert_eq!(hot[..FaceAttrs::ONE_HOT_LEN].iter().sum::<f32>(), 2.0 + hot[0] + hot[1]);
    assert_eq!(f.gather(&[2]), f.image(2));
}

/// Dark pixels (luminance below 0.3) in the rows around the eyes.
fn dark_in_eye_band(img: &[f32], size: usize) -> usize {
    let hw = size * size;
    (size * 28 / 100..size * 60 / 100)
        .flat_map(|y| (0..size).map(move |x| y * size + x))
        .filter(|&i| 0.3 * img[i] + 0.59 * img[hw + i] + 0.11 * img[2 * hw + i] < 0.3)
        .count()
}

#[test]
fn glasses_add_dark_rings_round_the_eyes() {
    for seed in 0..20 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut attrs = FaceAttrs::random(&mut rng);
        for size in [32, 64, 128] {
            attrs.glasses = false;
            let plain = draw_face(&attrs, size, &mut ChaCha8Rng::seed_from_u64(seed));
            attrs.glasses = true;
            let framed = draw_face(&attrs, size, &mut ChaCha8Rng::seed_from_u64(seed));
            let (a, b) = (dark_in_eye_band(&plain, size), dark_in_eye_band(&framed, size));
            // At 64 px: over 100 more dark pixels (two rings, a bridge, arms); 64 are asked for.
            assert!(b >= a + size * size / 64, "seed {seed} size {size}: {a} -> {b}");
        }
    }
}

#[test]
fn grid_encodes_as_png() {
    let faces = generate_faces(64, 32, 5);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grid.png");
    grid(&faces.images, faces.size, 8).save(&path).unwrap();
    let back = image::open(&path).unwrap().to_rgb8();
    assert_eq!(back.dimensions(), (8 * 32, 8 * 32));
    // The top-left pixel is background: light.
    assert!(back.get_pixel(0, 0).0.iter().all(|&v| v > 180));
}

/// Writes `docs/img/faces-sample.png` for a human to look at:
/// `cargo test --release -p genlab-data --test faces -- --ignored write_faces_sample_for_docs`.
///
/// Layout of the 8×8 grid: rows 1–2 no glasses and no smile, 3–4 smiles, 5–6 glasses, 7–8
/// glasses and smiles; columns cycle hair colour (black, brown, blond, red), and face shape
/// changes every four faces (round, oval, square, round).
#[test]
#[ignore = "writes docs/img/faces-sample.png; run it with --ignored when the faces change"]
fn write_faces_sample_for_docs() {
    let attrs: Vec<FaceAttrs> = (0..64)
        .map(|i| FaceAttrs {
            hair: HairColour::ALL[i % 4],
            glasses: i >= 32,
            smile: (i / 16) % 2 == 1,
            shape: FaceShape::ALL[(i % 16) / 4 % 3],
        })
        .collect();
    let faces = generate_faces_with(&attrs, 64, 2024);
    let dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../docs/img");
    std::fs::create_dir_all(&dir).unwrap();
    grid(&faces.images, faces.size, 8).save(dir.join("faces-sample.png")).unwrap();
}
