//! The input layer's error: what is wrong with a file or stream, and where.

use std::fmt;
use std::io;
use std::path::PathBuf;

use super::MAX_CHANNELS;
#[allow(unused_imports)] // (doc links)
use super::{MAX_RATE, MIN_RATE};

/// Everything that can be wrong with an input. Each variant carries the offending value and
/// where it was found (byte offsets count from the start of the file).
#[derive(Debug)]
#[non_exhaustive]
pub enum WavError {
    /// The file could not be opened.
    Open {
        /// The path given.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The path is a directory.
    IsDirectory(PathBuf),
    /// Reading failed at this byte offset.
    Read {
        /// Byte offset of the failed read.
        offset: u64,
        /// What the operating system said.
        source: io::Error,
    },
    /// The input holds no bytes at all.
    Empty,
    /// The first four bytes are not `RIFF`.
    NotRiff {
        /// The bytes found at offset 0.
        found: [u8; 4],
    },
    /// Bytes 8..12 are not `WAVE`.
    NotWave {
        /// The bytes found at offset 8.
        found: [u8; 4],
    },
    /// The input ends inside the header.
    TruncatedHeader {
        /// Where it ends (its length).
        offset: u64,
        /// What was being read there.
        reading: String,
    },
    /// All chunks were read and none was `data`.
    NoDataChunk {
        /// Where the input ends.
        offset: u64,
    },
    /// A `data` chunk came before any `fmt ` chunk.
    DataBeforeFmt {
        /// Offset of the `data` chunk.
        offset: u64,
    },
    /// The `fmt ` chunk is too short for its format.
    FmtTooShort {
        /// Offset of the `fmt ` chunk.
        offset: u64,
        /// Its declared size.
        size: u32,
        /// The size needed.
        needed: u32,
    },
    /// A format tag this crate does not decode.
    UnsupportedFormat {
        /// The tag (after resolving `WAVE_FORMAT_EXTENSIBLE`).
        tag: u16,
        /// Offset of the `fmt ` chunk.
        offset: u64,
    },
    /// A `WAVE_FORMAT_EXTENSIBLE` sub-format GUID that is not a standard `KSDATAFORMAT_SUBTYPE_*`.
    UnsupportedSubFormat {
        /// The GUID bytes as stored.
        guid: [u8; 16],
        /// Offset of the `fmt ` chunk.
        offset: u64,
    },
    /// A sample width not supported for this format tag.
    UnsupportedBits {
        /// The format tag.
        tag: u16,
        /// The bits per sample found.
        bits: u16,
        /// Offset of the `fmt ` chunk.
        offset: u64,
    },
    /// Zero channels, or more than [`MAX_CHANNELS`].
    Channels {
        /// The channel count found.
        channels: u16,
        /// Offset of the `fmt ` chunk.
        offset: u64,
    },
    /// A sample rate outside [`MIN_RATE`]..=[`MAX_RATE`].
    SampleRate {
        /// The rate found.
        rate: u32,
        /// Offset of the `fmt ` chunk; `None` for a rate given for raw input.
        offset: Option<u64>,
    },
    /// The block align does not match channels × bytes per sample.
    BlockAlign {
        /// The block align found.
        block_align: u16,
        /// The value expected.
        expected: u32,
        /// Offset of the `fmt ` chunk.
        offset: u64,
    },
    /// A raw format name that is not `ulaw`, `alaw`, `s16le` or `f32le`.
    UnknownRawFormat(String),
    /// A read buffer shorter than one frame.
    BufferTooSmall {
        /// The buffer length given.
        len: usize,
        /// The stream's channel count.
        channels: u16,
    },
}

fn tag_name(tag: u16) -> &'static str {
    match tag {
        0x0001 => "PCM",
        0x0002 => "Microsoft ADPCM",
        0x0003 => "IEEE float",
        0x0006 => "A-law",
        0x0007 => "μ-law",
        0x0011 => "IMA ADPCM",
        0x0022 => "TrueSpeech",
        0x0031 => "GSM 6.10",
        0x0040 => "G.721 ADPCM",
        0x0042 => "G.723.1",
        0x0045 => "G.726 ADPCM",
        0x0050 => "MPEG",
        0x0055 => "MPEG layer 3",
        0x0064 => "G.726 ADPCM",
        0x0065 => "G.722 ADPCM",
        0x0092 => "Dolby AC-3 SPDIF",
        0x00FF => "AAC",
        0x0161 => "Windows Media Audio",
        0x1610 => "MPEG-4 AAC",
        0xF1AC => "FLAC",
        0xFFFE => "extensible",
        _ => "unknown",
    }
}

impl fmt::Display for WavError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WavError::Open { path, source } => {
                write!(f, "cannot open {}: {source}", path.display())
            }
            WavError::IsDirectory(p) => write!(f, "{} is a directory, not a file", p.display()),
            WavError::Read { offset, source } => write!(f, "read error at byte {offset}: {source}"),
            WavError::Empty => write!(f, "the input is empty (0 bytes)"),
            WavError::NotRiff { found } => {
                let what = match found {
                    b"RIFX" => " (big-endian RIFX WAV is not supported)",
                    b"RF64" => " (RF64 is not supported)",
                    _ => "",
                };
                write!(
                    f,
                    "not a WAV file: expected \"RIFF\" at byte 0, found \"{}\"{what}",
                    found.escape_ascii()
                )
            }
            WavError::NotWave { found } => write!(
                f,
                "not a WAV file: RIFF type at byte 8 is \"{}\", expected \"WAVE\"",
                found.escape_ascii()
            ),
            WavError::TruncatedHeader { offset, reading } => write!(
                f,
                "truncated WAV header: the input ends at byte {offset} while reading {reading}"
            ),
            WavError::NoDataChunk { offset } => write!(
                f,
                "no data chunk: the input ends at byte {offset} after the header chunks"
            ),
            WavError::DataBeforeFmt { offset } => {
                write!(
                    f,
                    "the data chunk at byte {offset} comes before any fmt chunk"
                )
            }
            WavError::FmtTooShort {
                offset,
                size,
                needed,
            } => write!(
                f,
                "the fmt chunk at byte {offset} is {size} bytes long; this format needs {needed}"
            ),
            WavError::UnsupportedFormat { tag, offset } => write!(
                f,
                "unsupported WAV format tag {tag} (0x{tag:04X}, {}) in the fmt chunk at byte \
                 {offset}; supported: 1 (PCM), 3 (IEEE float), 6 (A-law), 7 (μ-law), \
                 0xFFFE (extensible) of these",
                tag_name(*tag)
            ),
            WavError::UnsupportedSubFormat { guid, offset } => {
                write!(f, "unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID ")?;
                for b in guid {
                    write!(f, "{b:02x}")?;
                }
                write!(f, " in the fmt chunk at byte {offset}")
            }
            WavError::UnsupportedBits { tag, bits, offset } => write!(
                f,
                "{bits} bits per sample is not supported for format tag {tag} ({}) in the fmt \
                 chunk at byte {offset}; supported: PCM 8/16/24/32, float 32/64, G.711 8",
                tag_name(*tag)
            ),
            WavError::Channels { channels, offset } => write!(
                f,
                "channel count {channels} in the fmt chunk at byte {offset} is outside \
                 1..={MAX_CHANNELS}"
            ),
            WavError::SampleRate { rate, offset } => {
                write!(f, "sample rate {rate} Hz ")?;
                match offset {
                    Some(o) => write!(f, "in the fmt chunk at byte {o} ")?,
                    None => write!(f, "given for raw input ")?,
                }
                write!(f, "is outside {MIN_RATE}..={MAX_RATE}")
            }
            WavError::BlockAlign {
                block_align,
                expected,
                offset,
            } => write!(
                f,
                "block align {block_align} in the fmt chunk at byte {offset} does not match \
                 the channels and sample size (expected {expected})"
            ),
            WavError::UnknownRawFormat(s) => write!(
                f,
                "unknown raw format \"{}\"; expected one of ulaw, alaw, s16le, f32le",
                s.escape_debug()
            ),
            WavError::BufferTooSmall { len, channels } => write!(
                f,
                "read buffer of {len} samples is shorter than one frame of {channels} channels"
            ),
        }
    }
}

impl std::error::Error for WavError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WavError::Open { source, .. } | WavError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}
