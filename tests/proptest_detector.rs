//! Property tests: random key strings inside the must-operate limits decode exactly, and
//! any chunking of the same audio gives identical events.

use crate::common;

use common::Rng as TestRng;
use common::*;
use proptest::prelude::*;
use touchtone::{DetectorConfig, Key};

/// One key of a random sequence.
#[derive(Clone, Debug)]
struct KeyParams {
    key: usize,
    tone_ms: f64,
    pause_ms: f64,
    /// Mean level of the two tones; with the twist below both tones stay in −25…0 dBm0.
    level: f64,
    /// Twist, −4…+8 dB.
    twist: f64,
}

fn key_params() -> impl Strategy<Value = KeyParams> {
    (
        0usize..16,
        40.0f64..200.0,
        40.0f64..200.0,
        -21.0f64..-4.0,
        -4.0f64..8.0,
    )
        .prop_map(|(key, tone_ms, pause_ms, level, twist)| KeyParams {
            key,
            tone_ms,
            pause_ms,
            level,
            twist,
        })
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![
        Just(Format::Pcm(8000)),
        Just(Format::Pcm(16000)),
        Just(Format::Pcm(44100)),
        Just(Format::Pcm(48000)),
        Just(Format::F32(16000)),
        Just(Format::Ulaw),
        Just(Format::Alaw),
        // "Any rate from 8 000 to 48 000 Hz".
        (8000u32..=48000).prop_map(Format::Pcm),
    ]
}

/// The signal: a start offset, then each key followed by its pause. Phases come from
/// `seed`.
fn build(rate: u32, offset_ms: f64, keys: &[KeyParams], seed: u64) -> Signal {
    let mut rng = TestRng::new(seed);
    let mut s = Signal::new(rate);
    s.pause(offset_ms);
    for p in keys {
        let lo = p.level + p.twist / 2.0;
        let hi = p.level - p.twist / 2.0;
        let spec = KeySpec::new(Key::ALL[p.key], p.tone_ms, 0.0).levels(lo, hi);
        s.key(&spec, &mut rng).pause(p.pause_ms);
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_key_strings_decode_exactly(
        fmt in format(),
        offset_ms in 0.0f64..300.0,
        keys in prop::collection::vec(key_params(), 1..8),
        seed in any::<u64>(),
        relaxed in any::<bool>(),
    ) {
        let profile = if relaxed { DetectorConfig::relaxed } else { DetectorConfig::standard };
        let s = build(fmt.rate(), offset_ms, &keys, seed);
        let run = with_profile(profile, || run_signal(&s, fmt));
        let want: String = s.truth.iter().map(|t| t.key.to_char()).collect();
        let mut f = Failures::new("proptest decode");
        expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
        prop_assert!(
            f.lines.is_empty() && run.keys() == want,
            "{fmt} (relaxed: {relaxed}): want {want:?}, got {:?}:\n  {}",
            run.keys(),
            f.lines.join("\n  ")
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_chunking_gives_identical_events(
        fmt in format(),
        offset_ms in 0.0f64..100.0,
        keys in prop::collection::vec(key_params(), 1..5),
        seed in any::<u64>(),
        sizes in prop::collection::vec(1usize..2000, 1..16),
        snr in prop::option::of(12.0f64..30.0),
        relaxed in any::<bool>(),
    ) {
        let profile = if relaxed { DetectorConfig::relaxed } else { DetectorConfig::standard };
        let mut s = build(fmt.rate(), offset_ms, &keys, seed);
        if let Some(snr) = snr {
            s.noise_snr(snr, &mut TestRng::new(seed ^ 0x5eed));
        }
        let input = s.render(fmt);
        let whole = with_profile(profile, || run(fmt.rate(), &input, 0));
        let chunked = with_profile(profile, || run_chunked(fmt.rate(), &input, &sizes));
        prop_assert_eq!(chunked, whole, "{} (relaxed: {}) chunk sizes {:?}", fmt, relaxed, sizes);
    }
}
