//! Tests of the aerial generator: determinism, the map palette, class shares.

use super::*;

#[test]
fn areas_are_seeded_and_maps_use_the_palette() {
    let a = generate_areas(3, 64, 5).unwrap();
    assert_eq!(a, generate_areas(3, 64, 5).unwrap());
    assert_ne!(a.photos, generate_areas(3, 64, 6).unwrap().photos);
    // Every map pixel is a palette colour, and the class's fill or its casing/outline.
    let hw = 64 * 64;
    for (i, &c) in a.classes.iter().enumerate() {
        let (n, p) = (i / hw, i % hw);
        let px: [f32; 3] = std::array::from_fn(|k| a.flats[(n * 3 + k) * hw + p]);
        assert!(MAP_PALETTE.contains(&px), "pixel {i}: {px:?}");
        let class = MapClass::ALL[c as usize];
        let allowed = match class {
            MapClass::Road => vec![class.colour(), STREET_CASING],
            MapClass::MajorRoad => vec![class.colour(), AVENUE_CASING],
            MapClass::Building => vec![class.colour(), OUTLINE],
            _ => vec![class.colour()],
        };
        assert!(allowed.contains(&px), "{} drawn as {px:?}", class.name());
    }
    assert!(generate_areas(1, 50, 5).is_err());
}

#[test]
fn area_classes_fall_in_their_ranges() {
    let s = generate_areas(24, 64, 1).unwrap();
    let shares = s.class_shares(MapClass::ALL.len());
    let share = |c: MapClass| shares[c as usize];
    let roads = share(MapClass::Road) + share(MapClass::MajorRoad);
    assert!((0.1..0.45).contains(&roads), "{shares:?}");
    assert!((0.1..0.5).contains(&share(MapClass::Building)), "{shares:?}");
    for c in MapClass::ALL {
        assert!(share(c) > 0.005, "{} hardly drawn: {shares:?}", c.name());
    }
}

#[test]
fn palette_colours_are_far_apart() {
    // A generated map is scored by snapping to the palette: no two colours may be close.
    for (i, a) in MAP_PALETTE.iter().enumerate() {
        for b in &MAP_PALETTE[i + 1..] {
            let d: f32 = (0..3).map(|k| (a[k] - b[k]).powi(2)).sum::<f32>().sqrt();
            assert!(d > 0.05, "{a:?} and {b:?} are {d} apart");
        }
    }
}
