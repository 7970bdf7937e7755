//! No panic reachable from any argument of the public API: detector settings at, inside and
//! just outside every limit (refused with the field and value, or accepted and then run over
//! keys, noise and garbage in odd frame sizes), and absurd arguments to the small helpers.

use touchtone::{
    g711, Detector, DetectorConfig, DetectorConfigError, Event, Generator, GeneratorConfig, Key,
    KeyPress,
};

use crate::common;
use common::Rng;

/// Keys at full scale and at the limit of sensitivity, white noise, and garbage floats.
fn signal(rate: u32, rng: &mut Rng) -> Vec<f32> {
    let mut x = Vec::new();
    for level in [3.0, -10.0, -40.0] {
        let g = Generator::new(GeneratorConfig {
            sample_rate: rate,
            level_dbm0: level,
            tone_ms: 45.0,
            pause_ms: 30.0,
            ..Default::default()
        })
        .unwrap();
        x.extend(
            g.render_str("1D#")
                .unwrap()
                .iter()
                .map(|&s| f32::from(s) / 32768.0),
        );
    }
    x.extend((0..rate / 10).map(|_| (rng.uniform() as f32) * 2.0 - 1.0));
    x.extend((0..rate / 20).map(|i| [f32::NAN, 1e30, f32::NEG_INFINITY, 1e-42][i as usize % 4]));
    x
}

fn run(
    cfg: DetectorConfig,
    x: &[f32],
    rng: &mut Rng,
) -> Result<Vec<KeyPress>, DetectorConfigError> {
    let mut det = Detector::new(cfg)?;
    let mut keys = Vec::new();
    let mut rest = x;
    while !rest.is_empty() {
        let n = (rng.next_u64() as usize % 700).min(rest.len()); // includes empty frames
        det.process(&rest[..n], |e| {
            if let Event::KeyUp { press, .. } = e {
                keys.push(press)
            }
        });
        rest = &rest[n..];
    }
    det.finish(|e| {
        if let Event::KeyUp { press, .. } = e {
            keys.push(press)
        }
    });
    for k in &keys {
        assert!(k.start < k.end, "{k:?}");
        assert!(k.levels.low_dbm0.is_finite() && k.levels.high_dbm0.is_finite());
    }
    Ok(keys)
}

type Field = (&'static str, fn(&mut DetectorConfig, f32), f32, f32);

const FIELDS: [Field; 18] = [
    ("min_level_dbm0", |c, v| c.min_level_dbm0 = v, -90.0, 3.0),
    (
        "max_normal_twist_db",
        |c, v| c.max_normal_twist_db = v,
        0.0,
        40.0,
    ),
    (
        "max_reverse_twist_db",
        |c, v| c.max_reverse_twist_db = v,
        0.0,
        40.0,
    ),
    (
        "max_freq_deviation",
        |c, v| c.max_freq_deviation = v,
        0.0,
        0.05,
    ),
    ("min_tone_ratio", |c, v| c.min_tone_ratio = v, 0.0, 1.0),
    ("min_dominance_db", |c, v| c.min_dominance_db = v, 0.0, 60.0),
    ("min_tone_ms", |c, v| c.min_tone_ms = v, 0.0, 1000.0),
    ("max_dropout_ms", |c, v| c.max_dropout_ms = v, 0.0, 1000.0),
    ("min_on_ms", |c, v| c.min_on_ms = v, 0.0, 1000.0),
    (
        "max_mean_freq_deviation",
        |c, v| c.max_mean_freq_deviation = v,
        0.0,
        0.05,
    ),
    (
        "max_octave_ratio_error",
        |c, v| c.max_octave_ratio_error = v,
        0.0,
        0.1,
    ),
    ("max_held_gap_ms", |c, v| c.max_held_gap_ms = v, 0.0, 100.0),
    ("max_burst_ms", |c, v| c.max_burst_ms = v, 0.0, 16.0),
    ("held_tone_db", |c, v| c.held_tone_db = v, 0.0, 20.0),
    ("max_rise_ms", |c, v| c.max_rise_ms = v, 0.0, 100.0),
    ("background_share", |c, v| c.background_share = v, 0.0, 0.5),
    ("max_common_drift", |c, v| c.max_common_drift = v, 0.0, 0.05),
    (
        "max_twist_swing_db",
        |c, v| c.max_twist_swing_db = v,
        0.0,
        40.0,
    ),
];

#[test]
fn every_setting_at_and_beyond_its_limits() {
    let mut rng = Rng::new(0xDEAD_BEEF_1234_5678);
    for rate in [8000u32, 11025, 48000] {
        let x = signal(rate, &mut rng);
        // The defaults decode the loud and normal keys (a sanity check of the signal).
        let keys = run(DetectorConfig::with_rate(rate), &x, &mut rng).unwrap();
        let s: String = keys.iter().map(|k| k.key.to_char()).collect();
        assert!(s.starts_with("1D#1D#"), "{rate} Hz: {s}");
        for (name, set, lo, hi) in FIELDS {
            for v in [lo, hi, (lo + hi) / 2.0, lo + (hi - lo) * 1e-6] {
                let mut cfg = DetectorConfig::with_rate(rate);
                set(&mut cfg, v);
                let r = run(cfg, &x, &mut rng);
                assert!(r.is_ok(), "{name} = {v} refused: {r:?}");
            }
            for v in [
                lo - 1.0,
                hi + 1.0,
                hi * 1000.0 + 1.0,
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
            ] {
                let mut cfg = DetectorConfig::with_rate(rate);
                set(&mut cfg, v);
                match run(cfg, &x, &mut rng) {
                    Err(DetectorConfigError::OutOfRange(n, got)) => {
                        assert_eq!(n, name);
                        assert!(got.to_bits() == v.to_bits());
                        let msg = DetectorConfigError::OutOfRange(n, got).to_string();
                        assert!(msg.contains(name), "{msg}");
                    }
                    other => panic!("{name} = {v}: {other:?}"),
                }
            }
        }
    }
    // Random combinations inside the limits.
    for _ in 0..60 {
        let rate = 8000 + (rng.next_u64() % 40_001) as u32;
        let mut cfg = DetectorConfig::with_rate(rate);
        for (_, set, lo, hi) in FIELDS {
            set(&mut cfg, lo + (hi - lo) * (rng.uniform() as f32));
        }
        let x = signal(rate, &mut rng);
        run(cfg.clone(), &x, &mut rng).unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
    }
    for rate in [0, 1, 7999, 48001, u32::MAX] {
        assert_eq!(
            Detector::new(DetectorConfig::with_rate(rate)).unwrap_err(),
            DetectorConfigError::SampleRate(rate)
        );
        assert!(touchtone::detect::<i16>(rate, &[]).is_err());
    }
}

#[test]
fn helpers_take_any_argument() {
    for code in 0..=255u8 {
        if let Some(k) = Key::from_event_code(code) {
            assert_eq!(k.event_code(), code);
        }
        // G.711's largest magnitudes: μ-law 8031 × 4, A-law 4032 × 8 (16-bit scaling).
        assert!(g711::ulaw_to_linear(code).unsigned_abs() <= 32124);
        assert!(g711::alaw_to_linear(code).unsigned_abs() <= 32256);
    }
    for c in ['\0', 'x', 'é', '\u{10FFFF}', 'E', 'e', '+'] {
        assert_eq!(Key::from_char(c), None, "{c:?}");
    }
    // Lower-case letters are accepted as the keys A–D.
    assert_eq!(Key::from_char('a'), Some(Key::A));
    assert_eq!(Key::from_char('d'), Some(Key::D));
    for (r, c) in [(0, 0), (3, 3), (4, 0), (0, 4), (usize::MAX, usize::MAX)] {
        if let Some(k) = Key::from_row_col(r, c) {
            assert_eq!((k.row(), k.col()), (r, c));
        }
    }
    // The extremes saturate at the codecs' largest code; small values stay small (A-law
    // has no zero: its smallest step is ±8).
    for (s, ulaw, alaw) in [
        (i16::MIN, -32124, -32256),
        (i16::MAX, 32124, 32256),
        (0, 0, 8),
    ] {
        assert_eq!(g711::ulaw_to_linear(g711::linear_to_ulaw(s)), ulaw, "{s}");
        assert_eq!(g711::alaw_to_linear(g711::linear_to_alaw(s)), alaw, "{s}");
    }
    for s in [-1i16, 1] {
        assert!(g711::ulaw_to_linear(g711::linear_to_ulaw(s)).abs() <= 8);
        assert!(g711::alaw_to_linear(g711::linear_to_alaw(s)).abs() <= 8);
    }
    let p = KeyPress {
        key: Key::ALL[0],
        start: u64::MAX,
        end: u64::MAX,
        levels: touchtone::Levels {
            low_dbm0: f32::NAN,
            high_dbm0: f32::INFINITY,
        },
    };
    assert_eq!(p.start_ms(0), f64::INFINITY);
    assert!((p.end_ms(u32::MAX) - u64::MAX as f64 * 1000.0 / u32::MAX as f64).abs() < 1e3);
    assert!(p.levels.twist_db().is_nan());
    use std::time::Duration;
    use touchtone::gather::samples_to_time;
    // Exact over the whole range: u64::MAX samples at 1 Hz are u64::MAX seconds (this used
    // to saturate at u64::MAX nanoseconds, about 584 years).
    assert_eq!(samples_to_time(u64::MAX, 1), Duration::from_secs(u64::MAX));
    // 18446744073709551615 = 2305843009213693 × 8000 + 7615; 7615 samples = 951 875 000 ns.
    assert_eq!(
        samples_to_time(u64::MAX, 8000),
        Duration::new(2_305_843_009_213_693, 951_875_000)
    );
    assert_eq!(samples_to_time(u64::MAX, 0), Duration::ZERO);
    // Generator settings out of range are refused with the field, not a panic.
    for cfg in [
        GeneratorConfig {
            sample_rate: 0,
            ..Default::default()
        },
        GeneratorConfig {
            tone_ms: f64::NAN,
            ..Default::default()
        },
        GeneratorConfig {
            pause_ms: -1.0,
            ..Default::default()
        },
        GeneratorConfig {
            level_dbm0: f64::INFINITY,
            ..Default::default()
        },
        GeneratorConfig {
            twist_db: 1e300,
            ..Default::default()
        },
    ] {
        assert!(Generator::new(cfg).is_err());
    }
    // Zero-length tones and pauses are fine.
    let g = Generator::new(GeneratorConfig {
        tone_ms: 0.0,
        pause_ms: 0.0,
        ..Default::default()
    })
    .unwrap();
    assert!(g.render_str("123").unwrap().is_empty());
    assert!(g.render_str("12x").is_err());
}
