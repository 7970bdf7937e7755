//! RIFF/WAVE header parsing: the chunks up to `data`, and the `fmt ` chunk's format.

use std::io::{self, Read};

use super::reader::Reader;
use super::{Encoding, Format, WavError, MAX_CHANNELS, MAX_RATE, MIN_RATE};

/// Read until `buf` is full or the input ends; returns the bytes read.
pub(super) fn fill<R: Read>(r: &mut R, buf: &mut [u8], offset: u64) -> Result<usize, WavError> {
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
                    return Ok(Reader::at_data(inner, format, declared, chunk_offset));
                }
                _ => h.skip(u64::from(size) + pad, what)?,
            }
        }
    }
}
