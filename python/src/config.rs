//! The places that name the library's paths or profiles that may change, one small
//! function each: a detector profile by name, a new detector, reading an audio file.

use pyo3::prelude::*;

use ::touchtone::DetectorConfig;

use crate::errors::ConfigError;

/// The detector settings of a named profile at `rate`: `standard` (the requirements'
/// limits, for live calls) or `relaxed` (for recordings made outside the network).
pub(crate) fn profile_config(profile: &str, rate: u32) -> PyResult<DetectorConfig> {
    match profile {
        "standard" => Ok(DetectorConfig::standard(rate)),
        "relaxed" => Ok(DetectorConfig::relaxed(rate)),
        other => Err(ConfigError::new_err(format!(
            "unknown profile {other:?} (expected \"standard\" or \"relaxed\")"
        ))),
    }
}

pub(crate) fn new_detector(cfg: DetectorConfig) -> PyResult<::touchtone::Detector> {
    ::touchtone::Detector::new(cfg).map_err(|e| ConfigError::new_err(e.to_string()))
}

/// Reads a whole file with the crate's reader: WAV (PCM, float, G.711), or headerless
/// `raw` (`ulaw`, `alaw`, `s16le`, `f32le`) at `rate`. Returns (rate, channels, samples
/// interleaved).
pub(crate) fn read_audio(
    path: &std::path::Path,
    raw: Option<&str>,
    rate: Option<u32>,
) -> Result<(u32, u16, Vec<i16>), String> {
    use ::touchtone::io as wav;
    let audio = match (raw, rate) {
        (None, None) => wav::read_all(path),
        (Some(name), Some(rate)) => {
            let format = wav::RawFormat::from_name(name).ok_or_else(|| {
                format!(
                    "unknown raw format {name:?} (expected one of {})",
                    wav::RawFormat::NAMES.join(", ")
                )
            })?;
            wav::read_all_raw(path, format, rate)
        }
        (Some(_), None) => return Err("a raw file needs sample_rate".into()),
        (None, Some(_)) => {
            return Err("sample_rate applies to raw files only (give raw=...)".into())
        }
    }
    .map_err(|e| e.to_string())?;
    Ok((audio.sample_rate, audio.channels, audio.samples))
}
