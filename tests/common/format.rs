//! How a signal reaches the detector: the input formats and rendered samples.

use std::fmt;

/// How the signal reaches the detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// 16-bit linear PCM at a rate.
    Pcm(u32),
    /// 32-bit float PCM at a rate.
    F32(u32),
    /// G.711 μ-law bytes at 8 kHz (`Detector::process_ulaw`).
    Ulaw,
    /// G.711 A-law bytes at 8 kHz (`Detector::process_alaw`).
    Alaw,
}

/// The formats every conformance line is run in: 8, 16, 44.1, 48 kHz linear, and μ-law and
/// A-law at 8 kHz.
pub const FORMATS: [Format; 6] = [
    Format::Pcm(8000),
    Format::Pcm(16000),
    Format::Pcm(44100),
    Format::Pcm(48000),
    Format::Ulaw,
    Format::Alaw,
];

impl Format {
    /// The sample rate.
    pub fn rate(self) -> u32 {
        match self {
            Format::Pcm(r) | Format::F32(r) => r,
            Format::Ulaw | Format::Alaw => 8000,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Pcm(r) => write!(f, "{r}Hz"),
            Format::F32(r) => write!(f, "{r}Hz-f32"),
            Format::Ulaw => write!(f, "ulaw"),
            Format::Alaw => write!(f, "alaw"),
        }
    }
}

/// Rendered samples, ready for the detector.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// 16-bit samples.
    I16(Vec<i16>),
    /// Float samples in [−1, 1].
    F32(Vec<f32>),
    /// μ-law bytes.
    Ulaw(Vec<u8>),
    /// A-law bytes.
    Alaw(Vec<u8>),
}

impl Input {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Input::I16(v) => v.len(),
            Input::F32(v) => v.len(),
            Input::Ulaw(v) | Input::Alaw(v) => v.len(),
        }
    }
}
