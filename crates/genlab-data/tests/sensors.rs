//! The synthetic sensor generator: determinism, faults and their labels, windows, statistics.

use genlab_data::sensors::{
    ChannelStats, FaultKind, FaultMix, SensorConfig, generate, generate_normal, windows,
};

fn quiet(seed: u64) -> SensorConfig {
    SensorConfig { noise: 0.0, seed, ..SensorConfig::default() }
}

#[test]
fn same_seed_same_series() {
    let cfg = SensorConfig::default();
    let a = generate(&cfg);
    assert_eq!(a, generate(&cfg));
    assert_ne!(a.values, generate(&SensorConfig { seed: 1, ..cfg.clone() }).values);
    assert_eq!(generate_normal(&cfg), generate_normal(&cfg));
    assert_eq!((a.values.len(), a.labels.len()), (4 * 20_000, 20_000));
    assert!(a.values.iter().all(|v| v.is_finite()));
}

#[test]
fn config_defaults_fill_in_from_serde() {
    let cfg: SensorConfig =
        serde_json::from_str(r#"{"channels": 2, "faults": {"spike": 3}}"#).expect("partial config");
    assert_eq!((cfg.channels, cfg.len, cfg.noise), (2, 20_000, 0.05));
    assert_eq!((cfg.faults.spike, cfg.faults.drift, cfg.faults.total()), (3, 10, 33));
}

#[test]
fn faults_are_counted_in_range_and_never_overlap() {
    for seed in 0..5 {
        let s = generate(&SensorConfig { seed, ..SensorConfig::default() });
        assert_eq!(s.faults.len(), 40);
        for kind in FaultKind::ALL {
            let of_kind: Vec<_> = s.faults.iter().filter(|f| f.kind == kind).collect();
            assert_eq!(of_kind.len(), 10, "{kind:?}");
            assert!(of_kind.iter().all(|f| kind.len_range().contains(&f.len) && f.channel < 4));
        }
        for pair in s.faults.windows(2) {
            assert!(pair[0].end() < pair[1].start, "{pair:?}");
        }
        assert!(s.faults.last().unwrap().end() <= s.len);
        // Labels are exactly the union of the faults.
        for (t, &label) in s.labels.iter().enumerate() {
            assert_eq!(label, s.faults.iter().any(|f| (f.start..f.end()).contains(&t)), "t={t}");
        }
    }
}

#[test]
fn too_many_faults_for_a_short_series_are_left_out() {
    let s = generate(&SensorConfig { len: 1000, ..SensorConfig::default() });
    assert!(!s.faults.is_empty() && s.faults.len() < 40);
    assert!(s.faults.windows(2).all(|p| p[0].end() < p[1].start));
    assert!(s.faults.last().unwrap().end() <= 1000);
    let none = generate(&SensorConfig { channels: 0, len: 10, ..SensorConfig::default() });
    assert!(none.faults.is_empty() && none.values.is_empty());
    let empty = generate(&SensorConfig { len: 0, ..SensorConfig::default() });
    assert!(empty.faults.is_empty() && empty.labels.is_empty());
}

#[test]
fn normal_and_faulty_share_the_machine_not_the_noise() {
    // Without noise the two agree exactly wherever no fault is.
    let (faulty, normal) = (generate(&quiet(3)), generate_normal(&quiet(3)));
    assert!(normal.labels.iter().all(|&l| !l) && normal.faults.is_empty());
    for t in (0..faulty.len).filter(|&t| !faulty.labels[t]) {
        assert_eq!(faulty.values[t * 4..t * 4 + 4], normal.values[t * 4..t * 4 + 4], "t={t}");
    }
    // Every fault changes its channel, and only its channel.
    let std = ChannelStats::fit(&normal).std;
    for f in &faulty.faults {
        let diff = |t: usize, c: usize| (faulty.values[t * 4 + c] - normal.values[t * 4 + c]).abs();
        let most = (f.start..f.end()).map(|t| diff(t, f.channel)).fold(0.0, f32::max);
        let floor = match f.kind {
            FaultKind::Spike => 3.5,
            FaultKind::Drift => 1.4,
            _ => 0.1,
        };
        assert!(most > floor * std[f.channel], "{f:?}: {most} vs std {}", std[f.channel]);
        for c in (0..4).filter(|&c| c != f.channel) {
            assert!((f.start..f.end()).all(|t| diff(t, c) == 0.0));
        }
    }
    // With noise the series differ everywhere.
    let (a, b) = (generate(&SensorConfig::default()), generate_normal(&SensorConfig::default()));
    assert_ne!(a.values[..4], b.values[..4]);
}

#[test]
fn stuck_at_holds_one_value() {
    let s = generate(&SensorConfig::default());
    let stuck: Vec<_> = s.faults.iter().filter(|f| f.kind == FaultKind::StuckAt).collect();
    assert_eq!(stuck.len(), 10);
    for f in stuck {
        let held = s.values[f.start * 4 + f.channel];
        assert!((f.start..f.end()).all(|t| s.values[t * 4 + f.channel] == held), "{f:?}");
        // The noisy signal moves right after the fault.
        assert_ne!(s.values[(f.end() + 1) * 4 + f.channel], held);
    }
}

#[test]
fn windows_have_the_shape_layout_and_labels() {
    let cfg =
        SensorConfig { faults: FaultMix { drift: 3, ..FaultMix::none() }, ..Default::default() };
    let s = generate(&cfg);
    let w = windows(&s, 100, 50).unwrap();
    assert_eq!(w.len(), (20_000 - 100) / 50 + 1);
    assert_eq!(w.data.len(), w.len() * 4 * 100);
    for (i, &start) in w.starts.iter().enumerate() {
        assert_eq!(start, i * 50);
        let win = w.window(i);
        for c in 0..4 {
            for j in [0, 37, 99] {
                assert_eq!(win[c * 100 + j], s.values[(start + j) * 4 + c]);
            }
        }
        assert_eq!(w.labels[i], s.labels[start..start + 100].iter().any(|&l| l));
    }
    let faulty = w.labels.iter().filter(|&&l| l).count();
    assert!(faulty >= 3 * 3 && faulty < w.len() / 2, "{faulty}");
    assert_eq!(w.gather(&[2, 0]), [w.window(2), w.window(0)].concat());
    assert!(windows(&s, 20_001, 1).unwrap().is_empty());
    let zero_width = windows(&s, 0, 1).unwrap_err().to_string();
    assert!(zero_width.contains("window width is 0"), "{zero_width}");
    let zero_stride = windows(&s, 19_999, 0).unwrap_err().to_string();
    assert!(zero_stride.contains("window stride is 0"), "{zero_stride}");
}

#[test]
fn channel_stats_fit_on_train_apply_to_test() {
    let cfg = SensorConfig::default();
    let mut train = generate_normal(&cfg);
    let stats = ChannelStats::fit(&train);
    train.normalise(&stats).unwrap();
    let again = ChannelStats::fit(&train);
    for c in 0..4 {
        assert!(again.mean[c].abs() < 1e-3 && (again.std[c] - 1.0).abs() < 1e-3, "{again:?}");
    }
    let mut test = generate(&cfg);
    test.normalise(&stats).unwrap();
    let test_stats = ChannelStats::fit(&test);
    assert!(test_stats.mean.iter().all(|m| m.abs() < 0.3), "{test_stats:?}");
    let mut two = generate(&SensorConfig { channels: 2, ..cfg });
    let err = two.normalise(&stats).unwrap_err().to_string();
    assert!(err.contains("4 channels") && err.contains("2-channel"), "{err}");
}
