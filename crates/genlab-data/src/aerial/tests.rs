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
fn strokes_are_a_pixel_wide_on_the_borders() {
    let size = 64;
    let a = generate_areas(6, size, 2).unwrap();
    let hw = size * size;
    let colour = |i: usize| -> [f32; 3] {
        let (n, p) = (i / hw, i % hw);
        std::array::from_fn(|k| a.flats[(n * 3 + k) * hw + p])
    };
    let strokes = [STREET_CASING, AVENUE_CASING, OUTLINE];
    let (mut outlines, mut casings) = (0, 0);
    for i in 0..a.classes.len() {
        let (p, class) = (i % hw, a.classes[i]);
        let neighbours: Vec<usize> = neighbours(p, size).map(|q| i - p + q).collect();
        let road = |c: u8| c == MapClass::Road as u8 || c == MapClass::MajorRoad as u8;
        let same = |n: usize| a.classes[n] == class || (road(class) && road(a.classes[n]));
        let on_border = neighbours.iter().any(|&n| !same(n));
        // A stroke sits on its region's border (or against a neighbouring roof's stroke).
        if strokes.contains(&colour(i)) {
            let touches_stroke = neighbours.iter().any(|&n| strokes.contains(&colour(n)));
            assert!(on_border || touches_stroke, "stroke inside a region at pixel {i}");
        }
        // Every building's border is outlined; inside it the fill shows.
        if class == MapClass::Building as u8 {
            if on_border {
                assert_eq!(colour(i), OUTLINE, "pixel {i}");
                outlines += 1;
            } else if !neighbours.iter().any(|&n| colour(n) == OUTLINE) {
                assert_eq!(colour(i), MapClass::Building.colour(), "pixel {i}");
            }
        }
        casings += usize::from(colour(i) == STREET_CASING || colour(i) == AVENUE_CASING);
    }
    assert!(outlines > 100 && casings > 100, "{outlines} outline and {casings} casing pixels");
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
