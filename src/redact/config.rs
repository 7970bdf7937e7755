//! The redaction's settings, their error, and the streaming delay they imply.

use crate::detector::{DetectorConfig, DetectorConfigError};
use crate::io::WavError;
use core::fmt;

/// What replaces a key's span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fill {
    /// Digital silence (0; the G.711 code of 0 in μ-law/A-law; 128 in 8-bit PCM).
    #[default]
    Silence,
    /// White comfort noise at the level of the signal just before the span.
    Noise,
}

/// Settings of the redaction (the detector's are a [`DetectorConfig`]: the profile is the
/// caller's choice).
#[derive(Clone, Debug, PartialEq)]
pub struct RedactConfig {
    /// Replaced before each tone's (tracked) start and after its end, ms. Default 8: with
    /// keys 5 and 10 dB over speech and noise and 10 dB over music at 8–48 kHz, every span
    /// holds its whole tone and reaches at most 5 ms past the guard (`tests/redact.rs`).
    pub guard_ms: f32,
    /// What replaces the spans. Default [`Fill::Silence`].
    pub fill: Fill,
    /// Level of the comfort noise relative to the signal before the span, dB. Default −6.
    pub noise_gain_db: f32,
    /// Seed of the comfort noise. Default 0.
    pub noise_seed: u64,
    /// Put each span's key in its report. Default `false` (the report must not keep the
    /// data the redaction removes).
    pub reveal_keys: bool,
    /// How far each span may be widened past the detector's estimated edges while the
    /// key's two tones are still there, ms (see [Edge tracking](super#edge-tracking); 0
    /// turns it off). Default 40.
    pub track_ms: f32,
}

impl Default for RedactConfig {
    fn default() -> Self {
        RedactConfig {
            guard_ms: 8.0,
            fill: Fill::Silence,
            noise_gain_db: -6.0,
            noise_seed: 0,
            reveal_keys: false,
            track_ms: 40.0,
        }
    }
}

/// A redaction setting that cannot be used, or an input that cannot be redacted.
#[derive(Debug)]
#[non_exhaustive]
pub enum RedactError {
    /// The detector's settings (or the file's sample rate) are not usable.
    Detector(DetectorConfigError),
    /// `guard_ms` is not finite or outside 0–40 ms.
    Guard(f32),
    /// `noise_gain_db` is not finite or outside −60…0 dB.
    NoiseGain(f32),
    /// `track_ms` is not finite or outside 0–100 ms.
    Track(f32),
    /// The WAV input could not be parsed.
    Wav(WavError),
    /// The packet capture could not be read.
    #[cfg(feature = "capture")]
    Capture(crate::capture::CaptureError),
}

impl fmt::Display for RedactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedactError::Detector(e) => write!(f, "detector settings: {e}"),
            RedactError::Guard(g) => write!(f, "guard_ms = {g} is outside 0..=40"),
            RedactError::NoiseGain(g) => write!(f, "noise_gain_db = {g} is outside -60..=0"),
            RedactError::Track(t) => write!(f, "track_ms = {t} is outside 0..=100"),
            RedactError::Wav(e) => write!(f, "{e}"),
            #[cfg(feature = "capture")]
            RedactError::Capture(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RedactError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RedactError::Detector(e) => Some(e),
            RedactError::Wav(e) => Some(e),
            #[cfg(feature = "capture")]
            RedactError::Capture(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DetectorConfigError> for RedactError {
    fn from(e: DetectorConfigError) -> Self {
        RedactError::Detector(e)
    }
}

impl From<WavError> for RedactError {
    fn from(e: WavError) -> Self {
        RedactError::Wav(e)
    }
}

/// The streaming delay for these settings, ms (see the [module](super) documentation).
pub fn delay_ms(det: &DetectorConfig, cfg: &RedactConfig) -> f32 {
    (det.min_tone_ms + 40.0)
        .max(det.max_dropout_ms + 20.0)
        .max(MIN_DELAY_MS - cfg.guard_ms)
        + cfg.guard_ms
}

/// The least streaming delay, ms: what edge tracking needs to look back from the detector's
/// `KeyDown` decision.
const MIN_DELAY_MS: f32 = 80.0;

pub(super) fn ms_to_samples(ms: f32, rate: u32) -> u64 {
    (f64::from(ms) * f64::from(rate) / 1000.0).ceil() as u64
}
