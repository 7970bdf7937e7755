//! File mode: a whole WAV file redacted in its own format.

use super::config::{RedactConfig, RedactError};
use super::span::Span;
use super::stream::{u8_from_i16, Redactor};
use crate::detector::DetectorConfig;
use crate::g711;
use crate::io::{self, Encoding, Format};

/// A redacted WAV file.
#[derive(Clone, Debug)]
pub struct RedactedWav {
    /// The whole file: the input's bytes with the spans' samples replaced.
    pub bytes: Vec<u8>,
    /// The input's format (unchanged).
    pub format: Format,
    /// The replaced spans: channel (0-based) and span, by channel then start.
    pub spans: Vec<(u16, Span)>,
    /// Whether the `data` chunk was shorter than it declared (what was there is redacted).
    pub truncated: bool,
}

/// Redact a whole WAV file (any format [`crate::io`] reads), keeping its format: every
/// byte outside the replaced samples (header, other chunks, untouched samples) is copied
/// unchanged. Each channel is redacted on its own keys, with the detector settings
/// `profile(sample_rate)`.
///
/// # Errors
/// [`RedactError::Wav`] for an input that is not a readable WAV file,
/// [`RedactError::Detector`] for unusable detector settings, [`RedactError::Guard`] /
/// [`RedactError::NoiseGain`] for unusable redaction settings.
pub fn redact_wav(
    input: &[u8],
    profile: impl Fn(u32) -> DetectorConfig,
    cfg: &RedactConfig,
) -> Result<RedactedWav, RedactError> {
    let reader = io::Reader::new(input)?;
    let format = reader.format();
    let bps = format.encoding.bytes_per_sample();
    let ch = usize::from(format.channels);
    let fb = bps * ch;
    let off = usize::try_from(reader.data_offset()).unwrap_or(usize::MAX);
    let avail = input.len().saturating_sub(off);
    let declared = reader
        .declared_frames()
        .map(|f| usize::try_from(f).unwrap_or(usize::MAX).saturating_mul(fb));
    let truncated = declared.is_some_and(|d| d > avail);
    let frames = declared.unwrap_or(usize::MAX).min(avail) / fb;
    let mut bytes = input.to_vec();
    let mut spans = Vec::new();
    let mut red = Redactor::<i16>::new(profile(format.sample_rate), cfg.clone())?;
    let mut lane_bytes = vec![0u8; frames * bps];
    let mut lane = vec![0i16; frames];
    for c in 0..ch {
        for (f, dst) in lane_bytes.chunks_exact_mut(bps).enumerate() {
            let at = off + f * fb + c * bps;
            dst.copy_from_slice(&input[at..at + bps]);
        }
        io::stored(format.encoding, &lane_bytes, &mut lane);
        red.redact_decoded(
            &lane,
            &[],
            |f, v| {
                let at = off + f * fb + c * bps;
                encode_into(format.encoding, v, &mut bytes[at..at + bps]);
            },
            |s| spans.push((c as u16, s)),
        );
    }
    Ok(RedactedWav {
        bytes,
        format,
        spans,
        truncated,
    })
}

/// Write the 16-bit value `x` as one stored sample.
pub(super) fn encode_into(enc: Encoding, x: i16, out: &mut [u8]) {
    match enc {
        Encoding::U8 => out[0] = u8_from_i16(x),
        Encoding::S16 => out.copy_from_slice(&x.to_le_bytes()),
        Encoding::S24 => out.copy_from_slice(&(i32::from(x) << 8).to_le_bytes()[..3]),
        Encoding::S32 => out.copy_from_slice(&(i32::from(x) << 16).to_le_bytes()),
        Encoding::F32 => out.copy_from_slice(&(f32::from(x) / 32768.0).to_le_bytes()),
        Encoding::F64 => out.copy_from_slice(&(f64::from(x) / 32768.0).to_le_bytes()),
        Encoding::Ulaw => out[0] = g711::linear_to_ulaw(x),
        Encoding::Alaw => out[0] = g711::linear_to_alaw(x),
    }
}
