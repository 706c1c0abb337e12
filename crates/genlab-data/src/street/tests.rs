//! Tests of the street generator: determinism, the palette, class shares, label-photo agreement.

use super::*;

#[test]
fn streets_are_seeded_and_labels_use_the_palette() {
    let a = generate_streets(3, 64, 5).unwrap();
    assert_eq!(a, generate_streets(3, 64, 5).unwrap());
    assert_ne!(a.photos, generate_streets(3, 64, 6).unwrap().photos);
    assert_eq!(
        (a.photos.len(), a.flats.len(), a.classes.len()),
        (3 * 3 * 4096, 3 * 3 * 4096, 3 * 4096)
    );
    // The label map is each pixel's class colour, exactly.
    let hw = 64 * 64;
    for (i, &c) in a.classes.iter().enumerate() {
        let (n, p) = (i / hw, i % hw);
        let colour = StreetClass::ALL[c as usize].colour();
        for (k, &v) in colour.iter().enumerate() {
            assert_eq!(a.flats[(n * 3 + k) * hw + p], v);
        }
    }
    assert!(generate_streets(1, 72, 5).is_err());
}

#[test]
fn street_classes_fall_in_their_ranges() {
    let s = generate_streets(24, 64, 1).unwrap();
    let shares = s.class_shares(StreetClass::ALL.len());
    let share = |c: StreetClass| shares[c as usize];
    assert!((0.15..0.5).contains(&share(StreetClass::Road)), "{shares:?}");
    assert!((0.05..0.4).contains(&share(StreetClass::Sidewalk)), "{shares:?}");
    assert!((0.1..0.6).contains(&share(StreetClass::Building)), "{shares:?}");
    assert!((0.05..0.45).contains(&share(StreetClass::Sky)), "{shares:?}");
    for c in [StreetClass::Car, StreetClass::Vegetation, StreetClass::Pole, StreetClass::Person] {
        assert!(share(c) > 0.0005, "{} never drawn: {shares:?}", c.name());
    }
}

#[test]
fn road_pixels_look_like_road_in_the_photo() {
    // Asphalt and markings are grey: no saturated colour where the label says road.
    let s = generate_streets(8, 64, 2).unwrap();
    let hw = 64 * 64;
    for (i, &c) in s.classes.iter().enumerate() {
        if c == StreetClass::Road as u8 {
            let (n, p) = (i / hw, i % hw);
            let px: Vec<f32> = (0..3).map(|k| s.photos[(n * 3 + k) * hw + p]).collect();
            let spread = px.iter().cloned().fold(f32::MIN, f32::max)
                - px.iter().cloned().fold(f32::MAX, f32::min);
            assert!(spread < 0.12, "road pixel {i} is coloured: {px:?}");
        }
    }
}
