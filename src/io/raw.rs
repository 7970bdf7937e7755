//! Headerless input: G.711 bytes, 16-bit or float samples with no header (Asterisk
//! `.ulaw`/`.alaw`/`.sln`, RTP payload dumps).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::str::FromStr;

use super::reader::{open_file, Reader};
use super::{Encoding, Format, WavError, MAX_RATE, MIN_RATE};

/// Headerless input formats (Asterisk `.ulaw`/`.alaw`/`.sln`, RTP payload dumps). Always mono.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawFormat {
    /// G.711 μ-law bytes (`ulaw`).
    Ulaw,
    /// G.711 A-law bytes (`alaw`).
    Alaw,
    /// 16-bit signed little-endian samples (`s16le`).
    S16le,
    /// 32-bit little-endian float samples, full scale ±1 (`f32le`).
    F32le,
}

impl RawFormat {
    /// All raw formats, in the order of their names in [`RawFormat::NAMES`].
    pub const ALL: [RawFormat; 4] = [
        RawFormat::Ulaw,
        RawFormat::Alaw,
        RawFormat::S16le,
        RawFormat::F32le,
    ];
    /// The names accepted by [`RawFormat::from_name`].
    pub const NAMES: [&'static str; 4] = ["ulaw", "alaw", "s16le", "f32le"];

    /// The format called `name` (`ulaw`, `alaw`, `s16le` or `f32le`), if any.
    pub fn from_name(name: &str) -> Option<RawFormat> {
        Self::NAMES
            .iter()
            .position(|&n| n == name)
            .map(|i| Self::ALL[i])
    }

    /// The format's name as accepted by [`RawFormat::from_name`].
    pub fn name(self) -> &'static str {
        match self {
            RawFormat::Ulaw => "ulaw",
            RawFormat::Alaw => "alaw",
            RawFormat::S16le => "s16le",
            RawFormat::F32le => "f32le",
        }
    }

    /// How its samples are stored.
    pub fn encoding(self) -> Encoding {
        match self {
            RawFormat::Ulaw => Encoding::Ulaw,
            RawFormat::Alaw => Encoding::Alaw,
            RawFormat::S16le => Encoding::S16,
            RawFormat::F32le => Encoding::F32,
        }
    }
}

impl FromStr for RawFormat {
    type Err = WavError;
    fn from_str(s: &str) -> Result<Self, WavError> {
        RawFormat::from_name(s).ok_or_else(|| WavError::UnknownRawFormat(s.to_string()))
    }
}

/// Open a headerless file for incremental reading (mono, `format` at `sample_rate`).
///
/// # Errors
/// As [`open`](super::open), and [`WavError::SampleRate`] for a rate outside 8 000–48 000 Hz.
pub fn open_raw(
    path: impl AsRef<Path>,
    format: RawFormat,
    sample_rate: u32,
) -> Result<Reader<BufReader<File>>, WavError> {
    check_raw_rate(sample_rate)?;
    Reader::raw(open_file(path.as_ref())?, format, sample_rate)
}

pub(super) fn check_raw_rate(rate: u32) -> Result<(), WavError> {
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(WavError::SampleRate { rate, offset: None })
    }
}

impl<R: Read> Reader<R> {
    /// Read headerless samples from `inner`: mono, `format`, at `sample_rate`.
    ///
    /// # Errors
    /// [`WavError::SampleRate`] for a rate outside 8 000–48 000 Hz.
    pub fn raw(inner: R, format: RawFormat, sample_rate: u32) -> Result<Reader<R>, WavError> {
        check_raw_rate(sample_rate)?;
        let encoding = format.encoding();
        Ok(Reader::headerless(
            inner,
            Format {
                sample_rate,
                channels: 1,
                encoding,
            },
        ))
    }
}
