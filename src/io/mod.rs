//! The input layer: WAV and headerless (raw) audio, read incrementally, and the conversion
//! of every sample encoding to the detector's `i16`.
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
//! convert like [`Sample::to_i16`](crate::Sample::to_i16) (× 32 768, rounded, saturated;
//! NaN and ±∞ become 0), G.711 bytes through the standard tables.
//!
//! **A `data` chunk that claims more bytes than the file holds** is decoded as far as the
//! file goes; [`Reader::truncated`] then says how much was missing (the `decode` example
//! prints it as a `warning:`). A data size of `0xFFFF_FFFF` (written by streaming tools that
//! do not know the length) means "to the end of the file" and is not a truncation. A partial
//! frame at the very end is dropped.
//!
//! ```
//! use touchtone::io::{Reader, RawFormat};
//! // Headerless μ-law: 0xFF is silence.
//! let bytes = vec![0xFFu8; 800];
//! let mut r = Reader::raw(&bytes[..], RawFormat::Ulaw, 8000).unwrap();
//! let mut buf = [1i16; 160];
//! let n = r.read(&mut buf).unwrap();
//! assert_eq!(n, 160);
//! assert!(buf.iter().all(|&s| s == 0));
//! ```

mod convert;
mod error;
pub mod g711;
mod raw;
mod reader;
mod wav;

pub(crate) use convert::{stored, to_i16};
pub use error::WavError;
pub use raw::{open_raw, RawFormat};
pub use reader::{open, read_all, read_all_raw, Audio, Reader, Truncated};

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
        convert::stored(Encoding::U8, &[0, 128, 255, 129], &mut out);
        assert_eq!(out, [-32768, 0, 32512, 256]);
        // 24-bit: 0x7FFFFF → saturates to 32767; 0x000080 → rounds up to 1; -1 → 0.
        let b24 = [
            0xFF, 0xFF, 0x7F, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80,
        ];
        convert::stored(Encoding::S24, &b24, &mut out);
        assert_eq!(out, [32767, 1, 0, -32768]);
        let mut b32 = Vec::new();
        for v in [i32::MAX, 0x8000, -0x8001, i32::MIN] {
            b32.extend_from_slice(&v.to_le_bytes());
        }
        convert::stored(Encoding::S32, &b32, &mut out);
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
