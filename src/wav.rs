//! WAV and headerless (raw) audio input, read incrementally.
//!
//! Every WAV file is parsed here (hound is used only for writing and as a cross-check in
//! tests), so all formats behave the same way:
//!
//! * integer PCM of 8 (unsigned), 16, 24 and 32 bits, and 32/64-bit IEEE float;
//! * G.711 A-law (format tag 6) and μ-law (format tag 7);
//! * `WAVE_FORMAT_EXTENSIBLE` (tag `0xFFFE`) carrying any of the above;
//! * any number of other chunks (`LIST`, `fact`, `cue `, …) before `data`, odd-sized ones
//!   followed by their pad byte;
//! * 1 to [`MAX_CHANNELS`] channels, any rate from [`MIN_RATE`] to [`MAX_RATE`] Hz.
//!
//! Samples come out as interleaved `i16`: 8-bit samples are re-centred and shifted up,
//! 24- and 32-bit integers keep their top 16 bits (rounded to nearest, saturated), floats
//! convert like [`Sample::to_i16`] (× 32 768, rounded, saturated;
//! NaN and ±∞ become 0), G.711 bytes through the standard tables.
//!
//! **A `data` chunk that claims more bytes than the file holds** is decoded as far as the
//! file goes; [`Reader::truncated`] then says how much was missing (the `decode` example
//! prints it as a `warning:`). A data size of `0xFFFF_FFFF` (written by streaming tools that
//! do not know the length) means "to the end of the file" and is not a truncation. A partial
//! frame at the very end is dropped.
//!
//! ```
//! use touchtone::wav::{Reader, RawFormat};
//! // Headerless μ-law: 0xFF is silence.
//! let bytes = vec![0xFFu8; 800];
//! let mut r = Reader::raw(&bytes[..], RawFormat::Ulaw, 8000).unwrap();
//! let mut buf = [1i16; 160];
//! let n = r.read(&mut buf).unwrap();
//! assert_eq!(n, 160);
//! assert!(buf.iter().all(|&s| s == 0));
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::detector::{
    Detector, DetectorConfig, DetectorConfigError as ConfigError, Event, KeyPress,
};
use crate::g711;
use crate::Sample;

/// Lowest sample rate accepted, Hz.
pub const MIN_RATE: u32 = 8000;
/// Highest sample rate accepted, Hz.
pub const MAX_RATE: u32 = 48000;
/// Most channels accepted in one file.
pub const MAX_CHANNELS: u16 = 256;

/// How the samples of a stream are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// 8-bit unsigned integer PCM (128 = silence).
    U8,
    /// 16-bit signed little-endian PCM.
    S16,
    /// 24-bit signed little-endian PCM.
    S24,
    /// 32-bit signed little-endian PCM.
    S32,
    /// 32-bit little-endian IEEE float, full scale ±1.
    F32,
    /// 64-bit little-endian IEEE float, full scale ±1.
    F64,
    /// G.711 μ-law, one byte per sample.
    Ulaw,
    /// G.711 A-law, one byte per sample.
    Alaw,
}

impl Encoding {
    /// Bytes per sample of one channel.
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Encoding::U8 | Encoding::Ulaw | Encoding::Alaw => 1,
            Encoding::S16 => 2,
            Encoding::S24 => 3,
            Encoding::S32 | Encoding::F32 => 4,
            Encoding::F64 => 8,
        }
    }
}

/// The format of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// Sample rate, Hz (8 000–48 000).
    pub sample_rate: u32,
    /// Number of interleaved channels (1–[`MAX_CHANNELS`]).
    pub channels: u16,
    /// How samples are stored.
    pub encoding: Encoding,
}

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

/// A `data` chunk that declared more bytes than the file holds (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Truncated {
    /// Byte offset of the `data` chunk's header in the file.
    pub chunk_offset: u64,
    /// Data bytes the chunk declared.
    pub declared: u64,
    /// Data bytes actually present (all of them were decoded, but for a partial last frame).
    pub available: u64,
}

impl fmt::Display for Truncated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the data chunk at byte {} declares {} bytes but the file holds only {} of them \
             (ends at byte {}); decoded what is there",
            self.chunk_offset,
            self.declared,
            self.available,
            self.chunk_offset + 8 + self.available
        )
    }
}

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
    /// A channel number beyond the stream's channels.
    NoSuchChannel {
        /// The channel asked for (0-based).
        channel: u16,
        /// The stream's channel count.
        channels: u16,
    },
    /// A read buffer shorter than one frame.
    BufferTooSmall {
        /// The buffer length given.
        len: usize,
        /// The stream's channel count.
        channels: u16,
    },
    /// The detector refused its configuration.
    Detector(ConfigError),
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
            WavError::NoSuchChannel { channel, channels } => write!(
                f,
                "channel {channel} does not exist: the input has {channels} channel{} (0..={})",
                if *channels == 1 { "" } else { "s" },
                channels.saturating_sub(1)
            ),
            WavError::BufferTooSmall { len, channels } => write!(
                f,
                "read buffer of {len} samples is shorter than one frame of {channels} channels"
            ),
            WavError::Detector(e) => write!(f, "detector: {e}"),
        }
    }
}

impl std::error::Error for WavError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WavError::Open { source, .. } | WavError::Read { source, .. } => Some(source),
            WavError::Detector(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ConfigError> for WavError {
    fn from(e: ConfigError) -> Self {
        WavError::Detector(e)
    }
}

/// Read until `buf` is full or the input ends; returns the bytes read.
fn fill<R: Read>(r: &mut R, buf: &mut [u8], offset: u64) -> Result<usize, WavError> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            // `min`: a `Read` that claims more than the buffer holds cannot make us panic.
            Ok(n) => got += n.min(buf.len() - got),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(WavError::Read {
                    offset: offset + got as u64,
                    source,
                })
            }
        }
    }
    Ok(got)
}

/// Header reader that tracks the byte position.
struct Header<'a, R> {
    r: &'a mut R,
    pos: u64,
}

impl<R: Read> Header<'_, R> {
    fn exact(&mut self, buf: &mut [u8], reading: impl FnOnce() -> String) -> Result<(), WavError> {
        let got = fill(self.r, buf, self.pos)?;
        self.pos += got as u64;
        if got < buf.len() {
            return Err(WavError::TruncatedHeader {
                offset: self.pos,
                reading: reading(),
            });
        }
        Ok(())
    }

    fn skip(&mut self, n: u64, reading: impl FnOnce() -> String) -> Result<(), WavError> {
        let mut left = n;
        let mut scratch = [0u8; 4096];
        while left > 0 {
            let want = left.min(scratch.len() as u64) as usize;
            let got = fill(self.r, &mut scratch[..want], self.pos)?;
            self.pos += got as u64;
            left -= got as u64;
            if got < want {
                return Err(WavError::TruncatedHeader {
                    offset: self.pos,
                    reading: reading(),
                });
            }
        }
        Ok(())
    }
}

fn u16le(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}
fn u32le(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// The 14 bytes that follow the format tag in every `KSDATAFORMAT_SUBTYPE_*` GUID.
const KSDATAFORMAT_SUFFIX: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

fn chunk_name(id: &[u8; 4]) -> String {
    format!("\"{}\"", id.escape_ascii())
}

/// Parse the body of a `fmt ` chunk (`body` holds its first bytes, `size` is its full size).
fn parse_fmt(body: &[u8], size: u32, offset: u64) -> Result<Format, WavError> {
    if size < 16 {
        return Err(WavError::FmtTooShort {
            offset,
            size,
            needed: 16,
        });
    }
    let mut tag = u16le(&body[0..]);
    let channels = u16le(&body[2..]);
    let sample_rate = u32le(&body[4..]);
    let block_align = u16le(&body[12..]);
    let bits = u16le(&body[14..]);
    if tag == 0xFFFE {
        if size < 40 {
            return Err(WavError::FmtTooShort {
                offset,
                size,
                needed: 40,
            });
        }
        let mut guid = [0u8; 16];
        guid.copy_from_slice(&body[24..40]);
        if guid[2..] != KSDATAFORMAT_SUFFIX {
            return Err(WavError::UnsupportedSubFormat { guid, offset });
        }
        tag = u16le(&guid);
    }
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(WavError::Channels { channels, offset });
    }
    if !(MIN_RATE..=MAX_RATE).contains(&sample_rate) {
        return Err(WavError::SampleRate {
            rate: sample_rate,
            offset: Some(offset),
        });
    }
    let bad_bits = || WavError::UnsupportedBits { tag, bits, offset };
    let encoding = match tag {
        1 => match bits {
            8 => Encoding::U8,
            16 => Encoding::S16,
            24 => Encoding::S24,
            32 => Encoding::S32,
            // Fewer valid bits than the container holds (e.g. 12 in 16, 20 in 24): the
            // samples are left-justified, so the container's decoding is right.
            1..=31 => {
                let container = if block_align % channels == 0 {
                    block_align / channels
                } else {
                    0
                };
                match container {
                    2 if bits <= 16 => Encoding::S16,
                    3 if bits <= 24 => Encoding::S24,
                    4 => Encoding::S32,
                    _ => return Err(bad_bits()),
                }
            }
            _ => return Err(bad_bits()),
        },
        3 => match bits {
            32 => Encoding::F32,
            64 => Encoding::F64,
            _ => return Err(bad_bits()),
        },
        6 | 7 => match bits {
            8 => {
                if tag == 6 {
                    Encoding::Alaw
                } else {
                    Encoding::Ulaw
                }
            }
            _ => return Err(bad_bits()),
        },
        _ => return Err(WavError::UnsupportedFormat { tag, offset }),
    };
    let expected = u32::from(channels) * encoding.bytes_per_sample() as u32;
    if u32::from(block_align) != expected {
        return Err(WavError::BlockAlign {
            block_align,
            expected,
            offset,
        });
    }
    Ok(Format {
        sample_rate,
        channels,
        encoding,
    })
}

/// Convert stored samples to `i16` (`bytes.len()` must be `out.len()` × bytes per sample).
pub(crate) fn convert(encoding: Encoding, bytes: &[u8], out: &mut [i16]) {
    match encoding {
        Encoding::U8 => {
            for (o, &b) in out.iter_mut().zip(bytes) {
                *o = (i16::from(b) - 128) << 8;
            }
        }
        Encoding::S16 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                *o = i16::from_le_bytes([b[0], b[1]]);
            }
        }
        Encoding::S24 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(3)) {
                let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
                *o = ((v + 128) >> 8).min(i32::from(i16::MAX)) as i16;
            }
        }
        Encoding::S32 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                let v = i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                *o = ((v + 32768) >> 16).min(i64::from(i16::MAX)) as i16;
            }
        }
        Encoding::F32 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]).to_i16();
            }
        }
        Encoding::F64 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                let x = f64::from_le_bytes(a);
                // Same rule as `f32`: `as` saturates, non-finite is silence.
                *o = if x.is_finite() {
                    (x * 32768.0).round() as i16
                } else {
                    0
                };
            }
        }
        Encoding::Ulaw => g711::decode_ulaw(bytes, out),
        Encoding::Alaw => g711::decode_alaw(bytes, out),
    }
}

/// An incremental reader of interleaved `i16` frames from a WAV or raw stream. Memory use
/// is bounded by the largest buffer passed to [`Reader::read`], whatever the stream's length.
#[derive(Debug)]
pub struct Reader<R> {
    inner: R,
    format: Format,
    frame_bytes: usize,
    /// Data bytes not yet read; `None` = until the end of the input.
    remaining: Option<u64>,
    declared: Option<u64>,
    chunk_offset: u64,
    data_start: u64,
    consumed: u64,
    buf: Vec<u8>,
    truncated: Option<Truncated>,
    done: bool,
}

/// Open a WAV file for incremental reading (buffered).
///
/// # Errors
/// [`WavError::Open`] / [`WavError::IsDirectory`] if the path cannot be read as a file;
/// [`WavError::Empty`] for an empty file; any header error of [`Reader::new`].
pub fn open(path: impl AsRef<Path>) -> Result<Reader<BufReader<File>>, WavError> {
    Reader::new(open_file(path.as_ref())?)
}

/// Open a headerless file for incremental reading (mono, `format` at `sample_rate`).
///
/// # Errors
/// As [`open`], and [`WavError::SampleRate`] for a rate outside 8 000–48 000 Hz.
pub fn open_raw(
    path: impl AsRef<Path>,
    format: RawFormat,
    sample_rate: u32,
) -> Result<Reader<BufReader<File>>, WavError> {
    check_raw_rate(sample_rate)?;
    Reader::raw(open_file(path.as_ref())?, format, sample_rate)
}

fn check_raw_rate(rate: u32) -> Result<(), WavError> {
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(WavError::SampleRate { rate, offset: None })
    }
}

fn open_file(path: &Path) -> Result<BufReader<File>, WavError> {
    let open_err = |source| WavError::Open {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(open_err)?;
    if meta.is_dir() {
        return Err(WavError::IsDirectory(path.to_path_buf()));
    }
    let f = File::open(path).map_err(open_err)?;
    if meta.is_file() && meta.len() == 0 {
        return Err(WavError::Empty);
    }
    Ok(BufReader::with_capacity(1 << 16, f))
}

impl<R: Read> Reader<R> {
    /// Parse a WAV header from `inner`, leaving it positioned at the first sample.
    ///
    /// # Errors
    /// A [`WavError`] saying what is wrong and at which byte: [`WavError::Empty`],
    /// [`WavError::NotRiff`], [`WavError::NotWave`], [`WavError::TruncatedHeader`],
    /// [`WavError::NoDataChunk`], [`WavError::DataBeforeFmt`], [`WavError::FmtTooShort`],
    /// [`WavError::UnsupportedFormat`], [`WavError::UnsupportedSubFormat`],
    /// [`WavError::UnsupportedBits`], [`WavError::Channels`], [`WavError::SampleRate`],
    /// [`WavError::BlockAlign`], or [`WavError::Read`].
    pub fn new(mut inner: R) -> Result<Reader<R>, WavError> {
        let mut h = Header {
            r: &mut inner,
            pos: 0,
        };
        let mut riff = [0u8; 12];
        let got = fill(h.r, &mut riff, 0)?;
        h.pos = got as u64;
        if got == 0 {
            return Err(WavError::Empty);
        }
        if got >= 4 && &riff[0..4] != b"RIFF" {
            return Err(WavError::NotRiff {
                found: [riff[0], riff[1], riff[2], riff[3]],
            });
        }
        if got < 12 {
            return Err(WavError::TruncatedHeader {
                offset: got as u64,
                reading: "the RIFF header (12 bytes)".into(),
            });
        }
        if &riff[8..12] != b"WAVE" {
            return Err(WavError::NotWave {
                found: [riff[8], riff[9], riff[10], riff[11]],
            });
        }
        let mut format: Option<Format> = None;
        loop {
            let chunk_offset = h.pos;
            let mut head = [0u8; 8];
            let got = fill(h.r, &mut head, h.pos)?;
            h.pos += got as u64;
            if got == 0 {
                return Err(WavError::NoDataChunk { offset: h.pos });
            }
            if got < 8 {
                return Err(WavError::TruncatedHeader {
                    offset: h.pos,
                    reading: format!("a chunk header at byte {chunk_offset}"),
                });
            }
            let id = [head[0], head[1], head[2], head[3]];
            let size = u32le(&head[4..]);
            let pad = u64::from(size & 1);
            let what = || {
                format!(
                    "the {} chunk at byte {chunk_offset} ({size} bytes)",
                    chunk_name(&id)
                )
            };
            match &id {
                b"fmt " => {
                    let mut body = [0u8; 40];
                    let n = (size as usize).min(body.len());
                    h.exact(&mut body[..n], what)?;
                    h.skip(u64::from(size) - n as u64 + pad, what)?;
                    format = Some(parse_fmt(&body, size, chunk_offset)?);
                }
                b"data" => {
                    let Some(format) = format else {
                        return Err(WavError::DataBeforeFmt {
                            offset: chunk_offset,
                        });
                    };
                    let declared = (size != u32::MAX).then_some(u64::from(size));
                    return Ok(Reader {
                        inner,
                        frame_bytes: usize::from(format.channels)
                            * format.encoding.bytes_per_sample(),
                        format,
                        remaining: declared,
                        declared,
                        chunk_offset,
                        data_start: chunk_offset + 8,
                        consumed: 0,
                        buf: Vec::new(),
                        truncated: None,
                        done: false,
                    });
                }
                _ => h.skip(u64::from(size) + pad, what)?,
            }
        }
    }

    /// Read headerless samples from `inner`: mono, `format`, at `sample_rate`.
    ///
    /// # Errors
    /// [`WavError::SampleRate`] for a rate outside 8 000–48 000 Hz.
    pub fn raw(inner: R, format: RawFormat, sample_rate: u32) -> Result<Reader<R>, WavError> {
        check_raw_rate(sample_rate)?;
        let encoding = format.encoding();
        Ok(Reader {
            inner,
            format: Format {
                sample_rate,
                channels: 1,
                encoding,
            },
            frame_bytes: encoding.bytes_per_sample(),
            remaining: None,
            declared: None,
            chunk_offset: 0,
            data_start: 0,
            consumed: 0,
            buf: Vec::new(),
            truncated: None,
            done: false,
        })
    }

    /// The stream's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Sample rate, Hz.
    pub fn sample_rate(&self) -> u32 {
        self.format.sample_rate
    }

    /// Number of interleaved channels.
    pub fn channels(&self) -> u16 {
        self.format.channels
    }

    /// Number of frames the header declares, if it declares a length (raw input and
    /// streaming WAVs with a data size of `0xFFFF_FFFF` do not).
    pub fn declared_frames(&self) -> Option<u64> {
        self.declared.map(|d| d / self.frame_bytes as u64)
    }

    /// Byte offset of the first sample in the input.
    pub fn data_offset(&self) -> u64 {
        self.data_start
    }

    /// Read whole frames into `out` (interleaved, `channels()` samples per frame), as many
    /// as fit. Returns the number of samples written (a multiple of the channel count);
    /// 0 means the end of the data.
    ///
    /// # Errors
    /// [`WavError::BufferTooSmall`] if `out` cannot hold one frame; [`WavError::Read`] if
    /// the input fails.
    pub fn read(&mut self, out: &mut [i16]) -> Result<usize, WavError> {
        let ch = usize::from(self.format.channels);
        if out.len() < ch {
            return Err(WavError::BufferTooSmall {
                len: out.len(),
                channels: self.format.channels,
            });
        }
        if self.done {
            return Ok(0);
        }
        let frames = out.len() / ch;
        let mut want = frames.saturating_mul(self.frame_bytes);
        if let Some(rem) = self.remaining {
            let rem_frames = rem / self.frame_bytes as u64;
            if rem_frames == 0 {
                self.done = true;
                return Ok(0);
            }
            want = want.min((rem_frames * self.frame_bytes as u64) as usize);
        }
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        let got = fill(
            &mut self.inner,
            &mut self.buf[..want],
            self.data_start + self.consumed,
        )?;
        self.consumed += got as u64;
        if let Some(rem) = &mut self.remaining {
            *rem -= got as u64;
        }
        if got < want {
            self.done = true;
            if let Some(declared) = self.declared {
                if self.consumed < declared {
                    self.truncated = Some(Truncated {
                        chunk_offset: self.chunk_offset,
                        declared,
                        available: self.consumed,
                    });
                }
            }
        }
        let whole = got / self.frame_bytes;
        let n = whole * ch;
        convert(
            self.format.encoding,
            &self.buf[..whole * self.frame_bytes],
            &mut out[..n],
        );
        Ok(n)
    }

    /// Whether the `data` chunk turned out shorter than it declared. Known once
    /// [`Reader::read`] has returned 0 (the end of the input was reached).
    pub fn truncated(&self) -> Option<Truncated> {
        self.truncated
    }
}

/// A whole stream in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audio {
    /// Sample rate, Hz.
    pub sample_rate: u32,
    /// Number of interleaved channels.
    pub channels: u16,
    /// Interleaved samples: frame 0 channel 0, frame 0 channel 1, …
    pub samples: Vec<i16>,
    /// Set if the `data` chunk was shorter than declared (what was there is in `samples`).
    pub truncated: Option<Truncated>,
}

impl Audio {
    /// The samples of channel `n` (0-based); empty if there is no such channel.
    pub fn channel(&self, n: usize) -> Vec<i16> {
        if n >= usize::from(self.channels) {
            return Vec::new();
        }
        self.samples
            .iter()
            .skip(n)
            .step_by(usize::from(self.channels))
            .copied()
            .collect()
    }

    /// Number of frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }

    /// Read all of a stream into memory.
    ///
    /// # Errors
    /// Any error of [`Reader::read`].
    pub fn from_reader<R: Read>(mut reader: Reader<R>) -> Result<Audio, WavError> {
        let ch = usize::from(reader.channels());
        let mut samples = Vec::new();
        let mut buf = vec![0i16; 4096 * ch];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            samples.extend_from_slice(&buf[..n]);
        }
        Ok(Audio {
            sample_rate: reader.sample_rate(),
            channels: reader.channels(),
            samples,
            truncated: reader.truncated(),
        })
    }
}

/// Read a whole WAV file into memory.
///
/// # Errors
/// Any error of [`open`] or [`Reader::read`].
pub fn read_all(path: impl AsRef<Path>) -> Result<Audio, WavError> {
    Audio::from_reader(open(path)?)
}

/// Read a whole headerless file into memory.
///
/// # Errors
/// Any error of [`open_raw`] or [`Reader::read`].
pub fn read_all_raw(
    path: impl AsRef<Path>,
    format: RawFormat,
    sample_rate: u32,
) -> Result<Audio, WavError> {
    Audio::from_reader(open_raw(path, format, sample_rate)?)
}

/// A key found on one channel of a stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelKey {
    /// The channel (0-based).
    pub channel: u16,
    /// The key, its edges (sample positions) and levels.
    pub press: KeyPress,
}

/// Decode the keys of a stream into a list: [`for_each_key`] collected.
///
/// # Errors
/// As [`for_each_key`].
pub fn decode_keys<R: Read>(
    reader: &mut Reader<R>,
    only_channel: Option<u16>,
) -> Result<Vec<ChannelKey>, WavError> {
    let mut keys = Vec::new();
    for_each_key(reader, only_channel, |k| keys.push(k))?;
    Ok(keys)
}

/// Decode the keys of a stream incrementally and hand each to `on_key` as soon as its order
/// is certain: every channel, or only `only_channel`, each with its own detector at the
/// stream's rate and default settings. Keys come ordered by start, then channel.
///
/// Memory does not grow with the stream's length: samples are read in blocks, and a key is
/// held back only until no channel can still report a key that starts earlier (a channel
/// with a key down holds back later keys of the others until its key ends; otherwise one
/// second behind the stream's position is the horizon, far beyond the detector's latency).
///
/// # Errors
/// [`WavError::NoSuchChannel`] if `only_channel` is beyond the channels; any error of
/// [`Reader::read`]. Keys already handed out stay handed out.
pub fn for_each_key<R: Read>(
    reader: &mut Reader<R>,
    only_channel: Option<u16>,
    mut on_key: impl FnMut(ChannelKey),
) -> Result<(), WavError> {
    let channels = reader.channels();
    if let Some(c) = only_channel {
        if c >= channels {
            return Err(WavError::NoSuchChannel {
                channel: c,
                channels,
            });
        }
    }
    let wanted: Vec<u16> = match only_channel {
        Some(c) => vec![c],
        None => (0..channels).collect(),
    };
    let rate = reader.sample_rate();
    let plan = std::sync::Arc::new(crate::Plan::new(DetectorConfig::with_rate(rate))?);
    let mut dets: Vec<Detector> = wanted
        .iter()
        .map(|_| Detector::with_plan(plan.clone()))
        .collect();
    // Start of the key currently down on each decoded channel.
    let mut down: Vec<Option<u64>> = vec![None; wanted.len()];
    let mut pending: Vec<ChannelKey> = Vec::new();
    let ch = usize::from(channels);
    let frames = ((1usize << 16) / ch).max(160);
    let mut buf = vec![0i16; frames * ch];
    let mut lane = Vec::with_capacity(frames);
    let horizon = u64::from(rate);
    let mut position = 0u64;
    let mut flush = |pending: &mut Vec<ChannelKey>, frontier: u64| {
        pending.sort_by_key(|k| std::cmp::Reverse((k.press.start, k.channel)));
        while pending.last().is_some_and(|k| k.press.start < frontier) {
            if let Some(k) = pending.pop() {
                on_key(k);
            }
        }
    };
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        position += (n / ch) as u64;
        for (i, (det, &c)) in dets.iter_mut().zip(&wanted).enumerate() {
            let samples: &[i16] = if ch == 1 {
                &buf[..n]
            } else {
                lane.clear();
                lane.extend(buf[..n].iter().skip(usize::from(c)).step_by(ch));
                &lane
            };
            det.process(samples, |ev| match ev {
                Event::KeyDown { start, .. } => down[i] = Some(start),
                Event::KeyUp { press, .. } => {
                    down[i] = None;
                    pending.push(ChannelKey { channel: c, press });
                }
            });
        }
        let frontier = down
            .iter()
            .map(|d| d.unwrap_or(position.saturating_sub(horizon)))
            .min()
            .unwrap_or(0);
        flush(&mut pending, frontier);
    }
    for (det, &c) in dets.iter_mut().zip(&wanted) {
        det.finish(|ev| {
            if let Event::KeyUp { press, .. } = ev {
                pending.push(ChannelKey { channel: c, press });
            }
        });
    }
    flush(&mut pending, u64::MAX);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(fmt: &[u8], data: &[u8]) -> Vec<u8> {
        let mut v = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        v.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
        v.extend_from_slice(fmt);
        v.extend_from_slice(b"data");
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    fn fmt(tag: u16, ch: u16, rate: u32, bits: u16) -> Vec<u8> {
        let ba = ch * bits.div_ceil(8);
        let mut v = Vec::new();
        v.extend_from_slice(&tag.to_le_bytes());
        v.extend_from_slice(&ch.to_le_bytes());
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&(rate * u32::from(ba)).to_le_bytes());
        v.extend_from_slice(&ba.to_le_bytes());
        v.extend_from_slice(&bits.to_le_bytes());
        v
    }

    #[test]
    fn converts_integer_widths() {
        let mut out = [0i16; 4];
        convert(Encoding::U8, &[0, 128, 255, 129], &mut out);
        assert_eq!(out, [-32768, 0, 32512, 256]);
        // 24-bit: 0x7FFFFF → saturates to 32767; 0x000080 → rounds up to 1; -1 → 0.
        let b24 = [
            0xFF, 0xFF, 0x7F, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80,
        ];
        convert(Encoding::S24, &b24, &mut out);
        assert_eq!(out, [32767, 1, 0, -32768]);
        let mut b32 = Vec::new();
        for v in [i32::MAX, 0x8000, -0x8001, i32::MIN] {
            b32.extend_from_slice(&v.to_le_bytes());
        }
        convert(Encoding::S32, &b32, &mut out);
        assert_eq!(out, [32767, 1, -1, -32768]);
    }

    #[test]
    fn header_errors_say_where() {
        let good = wav(&fmt(1, 1, 8000, 16), &[0, 0]);
        assert!(Reader::new(&good[..]).is_ok());
        let e = Reader::new(&wav(&fmt(0x55, 1, 8000, 16), &[])[..]).unwrap_err();
        assert!(matches!(
            e,
            WavError::UnsupportedFormat {
                tag: 0x55,
                offset: 12
            }
        ));
        assert!(e.to_string().contains("85 (0x0055"), "{e}");
        let e = Reader::new(&wav(&fmt(1, 0, 8000, 16), &[])[..]).unwrap_err();
        assert!(matches!(e, WavError::Channels { channels: 0, .. }));
        let e = Reader::new(&wav(&fmt(1, 1, 7999, 16), &[])[..]).unwrap_err();
        assert!(matches!(e, WavError::SampleRate { rate: 7999, .. }));
        let e = Reader::new(&good[..20]).unwrap_err();
        assert!(
            matches!(e, WavError::TruncatedHeader { offset: 20, .. }),
            "{e}"
        );
        assert!(matches!(
            Reader::new(&b""[..]).unwrap_err(),
            WavError::Empty
        ));
    }

    #[test]
    fn truncated_data_is_reported() {
        let mut v = wav(&fmt(1, 1, 8000, 16), &[1, 0, 2, 0, 3, 0]);
        // Claim 100 bytes of data.
        let at = v.len() - 6 - 4;
        v[at..at + 4].copy_from_slice(&100u32.to_le_bytes());
        let mut r = Reader::new(&v[..]).unwrap();
        let mut buf = [0i16; 64];
        assert_eq!(r.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], &[1, 2, 3]);
        assert_eq!(r.read(&mut buf).unwrap(), 0);
        let t = r.truncated().unwrap();
        assert_eq!((t.declared, t.available, t.chunk_offset), (100, 6, 36));
    }

    #[test]
    fn channel_out_of_range_is_empty() {
        let a = Audio {
            sample_rate: 8000,
            channels: 2,
            samples: vec![1, 2, 3, 4],
            truncated: None,
        };
        assert_eq!(a.channel(1), vec![2, 4]);
        assert!(a.channel(2).is_empty());
    }
}
