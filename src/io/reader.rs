//! The incremental reader of WAV and headerless streams, and whole files in memory.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::{convert, Format, RawFormat, WavError};

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

impl<R> Reader<R> {
    /// A reader of `format` positioned at the first sample of a `data` chunk of `declared`
    /// bytes (`None`: to the end of the input) whose header is at `chunk_offset`.
    pub(super) fn at_data(
        inner: R,
        format: Format,
        declared: Option<u64>,
        chunk_offset: u64,
    ) -> Reader<R> {
        Reader {
            inner,
            frame_bytes: usize::from(format.channels) * format.encoding.bytes_per_sample(),
            format,
            remaining: declared,
            declared,
            chunk_offset,
            data_start: chunk_offset + 8,
            consumed: 0,
            buf: Vec::new(),
            truncated: None,
            done: false,
        }
    }

    /// A reader of headerless `format` samples from the start of `inner` to its end.
    pub(super) fn headerless(inner: R, format: Format) -> Reader<R> {
        Reader {
            inner,
            frame_bytes: usize::from(format.channels) * format.encoding.bytes_per_sample(),
            format,
            remaining: None,
            declared: None,
            chunk_offset: 0,
            data_start: 0,
            consumed: 0,
            buf: Vec::new(),
            truncated: None,
            done: false,
        }
    }
}

/// Open a WAV file for incremental reading (buffered).
///
/// # Errors
/// [`WavError::Open`] / [`WavError::IsDirectory`] if the path cannot be read as a file;
/// [`WavError::Empty`] for an empty file; any header error of [`Reader::new`].
pub fn open(path: impl AsRef<Path>) -> Result<Reader<BufReader<File>>, WavError> {
    Reader::new(open_file(path.as_ref())?)
}

pub(super) fn open_file(path: &Path) -> Result<BufReader<File>, WavError> {
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
        let got = super::wav::fill(
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
        convert::stored(
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
/// Any error of [`open_raw`](super::open_raw) or [`Reader::read`].
pub fn read_all_raw(
    path: impl AsRef<Path>,
    format: RawFormat,
    sample_rate: u32,
) -> Result<Audio, WavError> {
    Audio::from_reader(super::open_raw(path, format, sample_rate)?)
}
