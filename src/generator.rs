//! The transmit side: DTMF tones at exact nominal frequencies (ITU-T Q.23), per-tone level
//! in dBm0, twist, tone and pause durations, any sample rate, continuous phase within a tone.
//!
//! Levels follow the convention of [`level`](crate::level): a sine whose peak is 16-bit
//! full scale (32767) is **+3.14 dBm0**, so a 0 dBm0 sine has a peak of about 22 826.
//!
//! ```
//! use touchtone::{Generator, GeneratorConfig, Key};
//! let gen = Generator::new(GeneratorConfig { sample_rate: 8000, ..Default::default() }).unwrap();
//! let pcm: Vec<i16> = gen.render_str("123").unwrap();
//! // 70 ms pause, then 3 x (70 ms tone + 70 ms pause) at 8 kHz.
//! assert_eq!(pcm.len(), 560 + 3 * 1120);
//! ```

use crate::key::{InvalidKeyChar, Key};
use core::f64::consts::TAU;
use core::fmt;

pub use crate::level::{dbm0_to_peak, peak_to_dbm0, FULL_SCALE_DBM0};

/// Add `peak * sin(2π f n / rate + phase)` for `n` in `0..out.len()` to `out`.
///
/// The phase is computed from `n` directly (no accumulated drift), so a tone can be rendered
/// in pieces: pass `phase + TAU * freq * offset / rate` for a piece starting at `offset`.
pub fn add_sine(out: &mut [f64], sample_rate: f64, freq: f64, peak: f64, phase: f64) {
    let w = TAU * freq / sample_rate;
    for (n, o) in out.iter_mut().enumerate() {
        *o += peak * (w * n as f64 + phase).sin();
    }
}

/// Round and saturate to 16-bit samples.
pub fn to_i16(samples: &[f64]) -> Vec<i16> {
    samples
        .iter()
        .map(|&x| x.round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// Settings of the generator. The defaults are those of `examples/generate`.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratorConfig {
    /// Sample rate in Hz, 8 000–48 000. Default 8 000.
    pub sample_rate: u32,
    /// Tone duration in ms. Default 70 (a common IVR transmitter setting, above Q.24's 40 ms).
    pub tone_ms: f64,
    /// Pause between tones in ms, also before the first and after the last. Default 70.
    pub pause_ms: f64,
    /// Level per tone in dBm0 (the mean of the two levels when twist is set). Default −10.
    pub level_dbm0: f64,
    /// Twist in dB: level(low tone) − level(high tone). The low tone is sent at
    /// `level_dbm0 + twist_db / 2`, the high at `level_dbm0 − twist_db / 2`. Default 0.
    pub twist_db: f64,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            sample_rate: 8000,
            tone_ms: 70.0,
            pause_ms: 70.0,
            level_dbm0: -10.0,
            twist_db: 0.0,
        }
    }
}

/// A generator setting that cannot be used; each variant carries the bad value.
#[derive(Clone, Debug, PartialEq)]
pub enum GeneratorError {
    /// The sample rate is outside 8 000–48 000 Hz.
    SampleRate(u32),
    /// A tone or pause duration is negative, not finite, or longer than an hour.
    Duration(&'static str, f64),
    /// A level or twist is not finite or above +20 dBm0 / outside ±40 dB.
    Level(&'static str, f64),
    /// A character in a key string is not a key.
    Key(InvalidKeyChar),
}

impl fmt::Display for GeneratorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeneratorError::SampleRate(r) => {
                write!(f, "sample rate {r} Hz is outside 8000..=48000")
            }
            GeneratorError::Duration(what, v) => {
                write!(f, "{what} {v} ms must be a finite number from 0 to 3600000")
            }
            GeneratorError::Level(what, v) => write!(f, "{what} {v} is out of range"),
            GeneratorError::Key(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for GeneratorError {}

/// Renders keys as PCM. Build it once, render as often as you like.
#[derive(Clone, Debug)]
pub struct Generator {
    cfg: GeneratorConfig,
}

impl Generator {
    /// Check the settings.
    ///
    /// # Errors
    /// [`GeneratorError`] naming the field and value that is out of range.
    pub fn new(cfg: GeneratorConfig) -> Result<Self, GeneratorError> {
        if !(8000..=48000).contains(&cfg.sample_rate) {
            return Err(GeneratorError::SampleRate(cfg.sample_rate));
        }
        for (what, v) in [("tone_ms", cfg.tone_ms), ("pause_ms", cfg.pause_ms)] {
            if !(v.is_finite() && (0.0..=3_600_000.0).contains(&v)) {
                return Err(GeneratorError::Duration(what, v));
            }
        }
        if !(cfg.level_dbm0.is_finite() && cfg.level_dbm0 <= 20.0) {
            return Err(GeneratorError::Level("level_dbm0", cfg.level_dbm0));
        }
        if !(cfg.twist_db.is_finite() && cfg.twist_db.abs() <= 40.0) {
            return Err(GeneratorError::Level("twist_db", cfg.twist_db));
        }
        Ok(Generator { cfg })
    }

    /// The settings.
    pub fn config(&self) -> &GeneratorConfig {
        &self.cfg
    }

    fn samples(&self, ms: f64) -> usize {
        (ms * self.cfg.sample_rate as f64 / 1000.0).round() as usize
    }

    /// Peak amplitudes `(low, high)` of the two tones, in 16-bit units.
    pub fn peaks(&self) -> (f64, f64) {
        (
            dbm0_to_peak(self.cfg.level_dbm0 + self.cfg.twist_db / 2.0),
            dbm0_to_peak(self.cfg.level_dbm0 - self.cfg.twist_db / 2.0),
        )
    }

    /// Add one key's tone pair (both tones starting at phase 0) to `out`.
    pub fn add_key(&self, key: Key, out: &mut [f64]) {
        let (lo, hi) = self.peaks();
        let rate = self.cfg.sample_rate as f64;
        add_sine(out, rate, key.row_freq(), lo, 0.0);
        add_sine(out, rate, key.col_freq(), hi, 0.0);
    }

    /// Render keys as floating-point samples in 16-bit units (unclipped): a pause, then each
    /// key's tone followed by a pause.
    pub fn render_f64(&self, keys: &[Key]) -> Vec<f64> {
        let tone = self.samples(self.cfg.tone_ms);
        let pause = self.samples(self.cfg.pause_ms);
        let mut out = vec![0.0; pause + keys.len() * (tone + pause)];
        for (i, &k) in keys.iter().enumerate() {
            let at = pause + i * (tone + pause);
            self.add_key(k, &mut out[at..at + tone]);
        }
        out
    }

    /// Render keys as 16-bit samples (rounded, saturated at full scale).
    pub fn render(&self, keys: &[Key]) -> Vec<i16> {
        to_i16(&self.render_f64(keys))
    }

    /// Render a key string such as `"0123456789*#ABCD"`.
    ///
    /// # Errors
    /// [`GeneratorError::Key`] for the first character that is not a key.
    pub fn render_str(&self, keys: &str) -> Result<Vec<i16>, GeneratorError> {
        let keys = parse_keys(keys).map_err(GeneratorError::Key)?;
        Ok(self.render(&keys))
    }
}

/// Parse a string of key characters.
///
/// # Errors
/// The first character that is not one of `0-9 A-D * #`.
pub fn parse_keys(s: &str) -> Result<Vec<Key>, InvalidKeyChar> {
    s.chars().map(Key::try_from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_convention() {
        // Requirements: 0 dBm0 sine has peak ~22826 and RMS ~16140.
        let p = dbm0_to_peak(0.0);
        assert!((p - 22826.0).abs() < 2.0, "{p}");
        assert!((p / 2f64.sqrt() - 16140.0).abs() < 2.0);
        assert!((peak_to_dbm0(32767.0) - FULL_SCALE_DBM0).abs() < 1e-9);
    }

    #[test]
    fn render_layout_and_twist() {
        let g = Generator::new(GeneratorConfig {
            twist_db: 6.0,
            ..Default::default()
        })
        .unwrap();
        let (lo, hi) = g.peaks();
        assert!((20.0 * (lo / hi).log10() - 6.0).abs() < 1e-9);
        let pcm = g.render_str("1").unwrap();
        assert_eq!(pcm.len(), 560 * 3);
        assert!(pcm[..560].iter().all(|&s| s == 0));
        assert!(pcm[1120..].iter().all(|&s| s == 0));
        let peak = pcm[560..1120]
            .iter()
            .map(|&s| (s as i32).abs())
            .max()
            .unwrap();
        assert!(peak as f64 <= lo + hi + 1.0 && peak as f64 > 0.8 * (lo + hi));
    }

    #[test]
    fn bad_settings_are_refused_with_the_value() {
        let e = Generator::new(GeneratorConfig {
            sample_rate: 7999,
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e, GeneratorError::SampleRate(7999));
        let e = Generator::new(GeneratorConfig {
            tone_ms: f64::NAN,
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(e, GeneratorError::Duration("tone_ms", _)));
        let g = Generator::new(GeneratorConfig::default()).unwrap();
        assert_eq!(
            g.render_str("12x"),
            Err(GeneratorError::Key(InvalidKeyChar('x')))
        );
    }
}
