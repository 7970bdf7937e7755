//! The detector's settings and the error for a setting it cannot use.

use crate::level;
use core::fmt;

/// Settings of the detector. Every default is chosen between the requirement that must
/// operate and the one that must not, with the margin the measurement accuracy allows.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorConfig {
    /// Sample rate in Hz, 8 000–48 000. Default 8 000.
    pub sample_rate: u32,
    /// Weakest tone accepted, dBm0 per tone. Default −41: the *goal* range operates down to
    /// −36 dBm0 and rejects −45 dBm0 and weaker (Q.24 itself only asks for −25).
    pub min_level_dbm0: f32,
    /// Largest normal twist (low louder), dB. Default 9: must accept +8 (Q.24 / LSSGR),
    /// goal rejects +10.
    pub max_normal_twist_db: f32,
    /// Largest reverse twist (high louder), dB, as a positive number. Default 6: must accept
    /// 4 dB (Q.24 / LSSGR), goal rejects 8.
    pub max_reverse_twist_db: f32,
    /// Largest frequency deviation of either tone, as a fraction. Default 0.025: must
    /// accept ±1.5 %, must reject ±3.5 % (Q.24); the measurement is good to about 1 Hz.
    pub max_freq_deviation: f32,
    /// Smallest share of the window's energy (band-limited to about 0–4 kHz at higher rates)
    /// carried by the two tones. Default 0.85: a key at 10 dB SNR gives > 0.95, with speech
    /// 10 dB below it ~0.9; three equal tones give 0.67 and the harmonic-rich chords of the
    /// talk-off music 0.76–0.85. Keys whose tones add up past full scale (clipped) are held
    /// to 0.9 × this (a +3 dBm0 key clipped at 16 bits keeps 0.79–0.88); a key already
    /// reported is held to 0.7 × this while it lasts (hysteresis).
    pub min_tone_ratio: f32,
    /// How much the strongest tone of each group must exceed the second, dB. Default 6.
    pub min_dominance_db: f32,
    /// Shortest tone reported, ms, measured between the estimated edges. Default 31:
    /// midway between "reject 23 ms and shorter" and "accept 40 ms" (Q.24 / LSSGR).
    pub min_tone_ms: f32,
    /// Longest gap bridged inside one key, ms. Default 25: a 10 ms dropout must be bridged,
    /// a 40 ms pause must separate two keys (Q.24 / LSSGR).
    pub max_dropout_ms: f32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            sample_rate: 8000,
            min_level_dbm0: -41.0,
            max_normal_twist_db: 9.0,
            max_reverse_twist_db: 6.0,
            max_freq_deviation: 0.025,
            min_tone_ratio: 0.85,
            min_dominance_db: 6.0,
            min_tone_ms: 31.0,
            max_dropout_ms: 25.0,
        }
    }
}

impl DetectorConfig {
    /// The defaults at another sample rate.
    pub fn with_rate(sample_rate: u32) -> Self {
        DetectorConfig {
            sample_rate,
            ..Default::default()
        }
    }
}

impl DetectorConfig {
    /// Check every setting against its range.
    ///
    /// # Errors
    /// [`DetectorConfigError`] naming the bad field and value.
    pub(super) fn validate(&self) -> Result<(), DetectorConfigError> {
        if !(8000..=48000).contains(&self.sample_rate) {
            return Err(DetectorConfigError::SampleRate(self.sample_rate));
        }
        let check = |name: &'static str, v: f32, lo: f32, hi: f32| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(DetectorConfigError::OutOfRange(name, v))
            }
        };
        check(
            "min_level_dbm0",
            self.min_level_dbm0,
            -90.0,
            level::FULL_SCALE_DBM0 as f32,
        )?;
        check("max_normal_twist_db", self.max_normal_twist_db, 0.0, 40.0)?;
        check("max_reverse_twist_db", self.max_reverse_twist_db, 0.0, 40.0)?;
        check("max_freq_deviation", self.max_freq_deviation, 0.0, 0.05)?;
        check("min_tone_ratio", self.min_tone_ratio, 0.0, 1.0)?;
        check("min_dominance_db", self.min_dominance_db, 0.0, 60.0)?;
        check("min_tone_ms", self.min_tone_ms, 0.0, 1000.0)?;
        check("max_dropout_ms", self.max_dropout_ms, 0.0, 1000.0)?;
        Ok(())
    }
}

/// A detector setting that cannot be used; each variant carries the bad value.
#[derive(Clone, Debug, PartialEq)]
pub enum DetectorConfigError {
    /// `sample_rate` outside 8 000–48 000 Hz.
    SampleRate(u32),
    /// A threshold that is not finite or outside its range: field name and value.
    OutOfRange(&'static str, f32),
}

impl fmt::Display for DetectorConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DetectorConfigError::SampleRate(r) => {
                write!(f, "sample_rate {r} Hz is outside 8000..=48000")
            }
            DetectorConfigError::OutOfRange(name, v) => write!(f, "{name} = {v} is out of range"),
        }
    }
}

impl std::error::Error for DetectorConfigError {}
