use super::config::ms_to_samples;
use super::stream::u8_from_i16;
use super::wav::encode_into;
use super::{delay_ms, RedactConfig, RedactError, Redactor};
use crate::detector::{DetectorConfig, DetectorConfigError};
use crate::g711;
use crate::io::{self, Encoding};

#[test]
fn default_delay_is_80_ms() {
    for det in [
        DetectorConfig::standard(8000),
        DetectorConfig::relaxed(8000),
    ] {
        assert_eq!(delay_ms(&det, &RedactConfig::default()), 80.0);
    }
    // Longer tones to wait for: longer.
    let slow = DetectorConfig {
        min_tone_ms: 50.0,
        ..DetectorConfig::standard(8000)
    };
    assert_eq!(delay_ms(&slow, &RedactConfig::default()), 98.0);
    for rate in [8000, 16000, 44100, 48000] {
        let r = Redactor::<i16>::new(DetectorConfig::relaxed(rate), Default::default()).unwrap();
        assert_eq!(r.delay() as u64, ms_to_samples(80.0, rate));
    }
}

#[test]
fn bad_settings_are_named() {
    let bad = RedactConfig {
        guard_ms: f32::NAN,
        ..Default::default()
    };
    assert!(matches!(
        Redactor::<i16>::new(DetectorConfig::default(), bad),
        Err(RedactError::Guard(g)) if g.is_nan()
    ));
    let bad = RedactConfig {
        noise_gain_db: 3.0,
        ..Default::default()
    };
    assert!(matches!(
        Redactor::<i16>::new(DetectorConfig::default(), bad),
        Err(RedactError::NoiseGain(g)) if g == 3.0
    ));
    let bad = RedactConfig {
        track_ms: -1.0,
        ..Default::default()
    };
    assert!(matches!(
        Redactor::<i16>::new(DetectorConfig::default(), bad),
        Err(RedactError::Track(t)) if t == -1.0
    ));
    assert!(matches!(
        Redactor::<i16>::new(DetectorConfig::with_rate(7999), Default::default()),
        Err(RedactError::Detector(DetectorConfigError::SampleRate(7999)))
    ));
}

#[test]
fn silence_codes() {
    assert_eq!(u8_from_i16(0), 128);
    assert_eq!(g711::ULAW_TABLE[g711::linear_to_ulaw(0) as usize], 0);
    let mut b = [0u8; 3];
    encode_into(Encoding::S24, -256, &mut b);
    let mut o = [0i16; 1];
    io::stored(Encoding::S24, &b, &mut o);
    assert_eq!(o[0], -256);
}
