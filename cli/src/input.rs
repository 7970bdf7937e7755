//! Opening a recording and finding its keys.
//!
//! WAV files and headerless input (`--raw`) go through the touchtone crate's own reader,
//! streamed. With the `formats` feature, a file that is not a WAV file the crate reads is
//! handed to [`stream`]: AU (its own small parser), everything symphonia reads (FLAC, MP3,
//! Ogg Vorbis, AIFF, CAF, MP4/AAC, Matroska, ADPCM WAV), and WAV or raw input above 48 kHz,
//! which is resampled to 48 kHz.

use std::fs::File;
use std::io::BufReader;

// The crate's reader and its types, named here only, so a move of them inside the crate
// changes this line alone.
pub(crate) use touchtone::io::{self as wav, RawFormat, WavError};
pub(crate) use touchtone::scan::{self, ChannelKey, ScanError};

use crate::Profile;

#[cfg(feature = "formats")]
mod au;
#[cfg(feature = "formats")]
mod stream;

/// A recording ready to decode.
pub(crate) enum Source {
    /// Read by the touchtone crate.
    Wav(wav::Reader<BufReader<File>>),
    /// Decoded (and resampled) here.
    #[cfg(feature = "formats")]
    Stream(stream::Stream),
}

/// A library error as a message naming the file unless it already does.
pub(crate) fn with_path(path: &str, e: WavError) -> String {
    match e {
        WavError::Open { .. } | WavError::IsDirectory(_) => e.to_string(),
        _ => format!("{path}: {e}"),
    }
}

impl Source {
    /// Open `path`: headerless input of `raw` format at `raw_rate` Hz if `raw` is given,
    /// otherwise a file with a header.
    pub(crate) fn open(path: &str, raw: Option<RawFormat>, raw_rate: u32) -> Result<Self, String> {
        match raw {
            Some(format) => match wav::open_raw(path, format, raw_rate) {
                Ok(r) => Ok(Source::Wav(r)),
                #[cfg(feature = "formats")]
                Err(WavError::SampleRate { rate, offset: None }) if rate > wav::MAX_RATE => {
                    stream::Stream::raw(path, format, rate).map(Source::Stream)
                }
                Err(e) => Err(with_path(path, e)),
            },
            None => match wav::open(path) {
                Ok(r) => Ok(Source::Wav(r)),
                Err(e) => Self::other_format(path, e),
            },
        }
    }

    /// The crate's reader refused `path` with `e`: try the other readers where that can help.
    #[cfg(feature = "formats")]
    fn other_format(path: &str, e: WavError) -> Result<Self, String> {
        match e {
            // Not a WAV file at all: any other format.
            WavError::NotRiff { .. } => match stream::Stream::open(path) {
                Ok(s) => Ok(Source::Stream(s)),
                Err(stream::OpenError::Unrecognised) => Err(format!(
                    "{path}: {e}; nor is it any other format this command reads \
                     (FLAC, MP3, Ogg Vorbis, AIFF, AU, CAF, MP4/AAC, Matroska)"
                )),
                Err(stream::OpenError::Failed(msg)) => Err(msg),
            },
            // A WAV file the crate does not read: a rate above 48 kHz (resampled here) or a
            // codec symphonia may decode (ADPCM). If it cannot, the crate's message stands.
            WavError::SampleRate {
                rate,
                offset: Some(_),
            } if rate > stream::MAX_INPUT_RATE => Err(format!(
                "{}; rates above {} Hz are resampled, up to {} Hz",
                with_path(path, e),
                wav::MAX_RATE,
                stream::MAX_INPUT_RATE
            )),
            WavError::SampleRate {
                rate,
                offset: Some(_),
            } if rate > wav::MAX_RATE => {
                stream::Stream::open(path)
                    .map(Source::Stream)
                    .map_err(|err| match err {
                        stream::OpenError::Failed(msg) => msg,
                        stream::OpenError::Unrecognised => with_path(path, e),
                    })
            }
            WavError::UnsupportedFormat { .. } => stream::Stream::open(path)
                .map(Source::Stream)
                .map_err(|_| with_path(path, e)),
            e => Err(with_path(path, e)),
        }
    }

    #[cfg(not(feature = "formats"))]
    fn other_format(path: &str, e: WavError) -> Result<Self, String> {
        Err(with_path(path, e))
    }

    /// The sample rate key positions count in (48 000 for input resampled from above it).
    pub(crate) fn sample_rate(&self) -> u32 {
        match self {
            Source::Wav(r) => r.sample_rate(),
            #[cfg(feature = "formats")]
            Source::Stream(s) => s.out_rate(),
        }
    }

    /// The number of channels.
    pub(crate) fn channels(&self) -> u16 {
        match self {
            Source::Wav(r) => r.channels(),
            #[cfg(feature = "formats")]
            Source::Stream(s) => s.channels(),
        }
    }

    /// Decode every channel (or only `only_channel`) and hand each key to `on_key`, ordered
    /// by start, then channel. Returns a warning about the input (e.g. truncated) if any.
    pub(crate) fn for_each_key(
        &mut self,
        path: &str,
        only_channel: Option<u16>,
        profile: Profile,
        on_key: impl FnMut(ChannelKey),
    ) -> Result<Option<String>, String> {
        match self {
            Source::Wav(r) => {
                let cfg = profile.config(r.sample_rate());
                scan::for_each_key_with(r, only_channel, cfg, on_key)
                    .map_err(|e| scan_error(path, e))?;
                Ok(r.truncated().map(|t| format!("{path}: {t}")))
            }
            #[cfg(feature = "formats")]
            Source::Stream(s) => s.for_each_key(path, only_channel, profile, on_key),
        }
    }

    /// Read every channel into memory as 16-bit samples, plus a warning about the input.
    pub(crate) fn read_all(self, path: &str) -> Result<(Vec<Vec<i16>>, Option<String>), String> {
        match self {
            Source::Wav(r) => {
                let audio = wav::Audio::from_reader(r).map_err(|e| with_path(path, e))?;
                let lanes = (0..usize::from(audio.channels))
                    .map(|c| audio.channel(c))
                    .collect();
                Ok((lanes, audio.truncated.map(|t| format!("{path}: {t}"))))
            }
            #[cfg(feature = "formats")]
            Source::Stream(s) => s.read_all(path),
        }
    }
}

/// A scan error as a message naming the file unless it already does.
pub(crate) fn scan_error(path: &str, e: ScanError) -> String {
    match e {
        ScanError::Input(e) => with_path(path, e),
        e => format!("{path}: {e}"),
    }
}

/// The error for a channel beyond the input's.
pub(crate) fn no_such_channel(channel: u16, channels: u16) -> String {
    ScanError::NoSuchChannel { channel, channels }.to_string()
}
