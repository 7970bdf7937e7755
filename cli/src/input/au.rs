//! Sun/NeXT AU files (`.au`, `.snd`), which symphonia does not read, and headerless input
//! decoded here (raw input above 48 kHz).
//!
//! An AU file is a 24-byte big-endian header — magic `.snd`, data offset, data size
//! (`0xFFFFFFFF` when unknown), encoding, sample rate, channels — then interleaved samples.

use std::fs::File;
use std::io::{BufReader, ErrorKind, Read};

use touchtone::g711;

use super::stream::Blocks;
use super::{wav, RawFormat};

/// The first four bytes of an AU file.
pub(super) const MAGIC: &[u8; 4] = b".snd";

/// How samples are stored.
#[derive(Clone, Copy, Debug)]
enum Encoding {
    Ulaw,
    Alaw,
    /// Signed integers of this many bytes, big-endian.
    IntBe(usize),
    IntLe(usize),
    F32Be,
    F64Be,
    F32Le,
}

impl Encoding {
    fn bytes(self) -> usize {
        match self {
            Encoding::Ulaw | Encoding::Alaw => 1,
            Encoding::IntBe(n) | Encoding::IntLe(n) => n,
            Encoding::F32Be | Encoding::F32Le => 4,
            Encoding::F64Be => 8,
        }
    }

    fn to_f32(self, b: &[u8]) -> f32 {
        let int = |bytes: &[u8], big: bool| -> f32 {
            let mut v: i32 = 0;
            let n = bytes.len();
            for i in 0..n {
                let byte = if big { bytes[i] } else { bytes[n - 1 - i] };
                v = (v << 8) | i32::from(byte);
            }
            // Sign-extend from n bytes, then scale to ±1.
            let shift = 32 - 8 * n as u32;
            ((v << shift) >> shift) as f32 / (1u64 << (8 * n - 1)) as f32
        };
        match self {
            Encoding::Ulaw => f32::from(g711::ulaw_to_linear(b[0])) / 32768.0,
            Encoding::Alaw => f32::from(g711::alaw_to_linear(b[0])) / 32768.0,
            Encoding::IntBe(_) => int(b, true),
            Encoding::IntLe(_) => int(b, false),
            Encoding::F32Be => f32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            Encoding::F32Le => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            Encoding::F64Be => {
                f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
        }
    }
}

/// Interleaved samples of one encoding read from a file, up to a declared size if known.
pub(super) struct Pcm {
    reader: BufReader<File>,
    encoding: Encoding,
    path: String,
    /// Bytes still to read, when the header declares the data size.
    left: Option<u64>,
    /// Where the data ends if it ends before its declared size, or inside a sample.
    short: Option<String>,
    /// Offset of the next byte to read.
    offset: u64,
    frame_bytes: usize,
    bytes: Vec<u8>,
}

impl Pcm {
    /// Headerless input in one of the `--raw` formats (mono).
    pub(super) fn raw(reader: BufReader<File>, format: RawFormat, path: &str) -> Pcm {
        let encoding = match format {
            RawFormat::Ulaw => Encoding::Ulaw,
            RawFormat::Alaw => Encoding::Alaw,
            RawFormat::S16le => Encoding::IntLe(2),
            RawFormat::F32le => Encoding::F32Le,
        };
        Pcm::new(reader, encoding, 1, None, 0, path)
    }

    fn new(
        reader: BufReader<File>,
        encoding: Encoding,
        channels: usize,
        left: Option<u64>,
        offset: u64,
        path: &str,
    ) -> Pcm {
        Pcm {
            reader,
            encoding,
            path: path.to_string(),
            left,
            short: None,
            offset,
            frame_bytes: encoding.bytes() * channels,
            bytes: Vec::new(),
        }
    }
}

impl Blocks for Pcm {
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<bool, String> {
        let frames = (1 << 16) / self.frame_bytes + 1;
        let mut want = frames * self.frame_bytes;
        if let Some(left) = self.left {
            want = want.min(usize::try_from(left).unwrap_or(usize::MAX));
        }
        self.bytes.resize(want, 0);
        let mut got = 0;
        while got < want {
            match self.reader.read(&mut self.bytes[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(format!(
                        "{}: read error at byte {}: {e}",
                        self.path,
                        self.offset + got as u64
                    ))
                }
            }
        }
        self.offset += got as u64;
        if let Some(left) = &mut self.left {
            *left -= got as u64;
        }
        let whole = got - got % self.frame_bytes;
        if got < want {
            // The end of the file.
            if self.left.is_some_and(|l| l > 0) {
                self.short = Some(format!(
                    "the data ends at byte {} ({} bytes fewer than the header declares)",
                    self.offset,
                    self.left.unwrap_or(0)
                ));
            } else if whole < got {
                self.short = Some(format!(
                    "the data ends inside a sample frame at byte {}; the last {} bytes are \
                     ignored",
                    self.offset,
                    got - whole
                ));
            }
            self.left = Some(0);
        }
        let bytes_per = self.encoding.bytes();
        out.clear();
        out.extend(
            self.bytes[..whole]
                .chunks_exact(bytes_per)
                .map(|b| self.encoding.to_f32(b)),
        );
        Ok(whole > 0 || self.left != Some(0))
    }

    fn warning(&self) -> Option<String> {
        self.short.as_ref().map(|s| format!("{}: {s}", self.path))
    }
}

fn be32(h: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]])
}

/// Read an AU header (the magic already checked) and return the sample blocks, the sample
/// rate and the channel count.
pub(super) fn open(
    mut reader: BufReader<File>,
    path: &str,
) -> Result<(Box<dyn Blocks>, u32, u16), String> {
    let mut h = [0u8; 24];
    h[..4].copy_from_slice(MAGIC);
    let mut got = 4;
    while got < 24 {
        match reader.read(&mut h[got..]) {
            Ok(0) => {
                return Err(format!(
                    "{path}: truncated AU header: the file ends at byte {got} (the header is 24 \
                     bytes)"
                ))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("{path}: read error at byte {got}: {e}")),
        }
    }
    let (offset, size, code, rate, channels) = (
        be32(&h, 4),
        be32(&h, 8),
        be32(&h, 12),
        be32(&h, 16),
        be32(&h, 20),
    );
    if offset < 24 {
        return Err(format!(
            "{path}: AU data offset {offset} (at byte 4) lies inside the 24-byte header"
        ));
    }
    let encoding = match code {
        1 => Encoding::Ulaw,
        2 => Encoding::IntBe(1),
        3 => Encoding::IntBe(2),
        4 => Encoding::IntBe(3),
        5 => Encoding::IntBe(4),
        6 => Encoding::F32Be,
        7 => Encoding::F64Be,
        27 => Encoding::Alaw,
        _ => {
            return Err(format!(
                "{path}: AU encoding {code} (at byte 12) is not supported; supported: 1 (μ-law), \
                 2, 3, 4, 5 (8/16/24/32-bit PCM), 6, 7 (32/64-bit float), 27 (A-law)"
            ))
        }
    };
    let channels16 = match u16::try_from(channels) {
        Ok(c) if (1..=wav::MAX_CHANNELS).contains(&c) => c,
        _ => {
            return Err(format!(
                "{path}: AU channel count {channels} (at byte 20) is outside 1..={}",
                wav::MAX_CHANNELS
            ))
        }
    };
    // Skip the annotation between the header and the data.
    let skip = u64::from(offset - 24);
    let skipped = std::io::copy(&mut (&mut reader).take(skip), &mut std::io::sink())
        .map_err(|e| format!("{path}: read error in the AU header: {e}"))?;
    if skipped < skip {
        return Err(format!(
            "{path}: truncated AU file: it ends at byte {}, before its data offset {offset}",
            24 + skipped
        ));
    }
    let left = (size != u32::MAX).then_some(u64::from(size));
    let pcm = Pcm::new(
        reader,
        encoding,
        usize::from(channels16),
        left,
        u64::from(offset),
        path,
    );
    Ok((Box::new(pcm), rate, channels16))
}
