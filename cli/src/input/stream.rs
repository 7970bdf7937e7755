//! Recordings decoded here rather than by the touchtone crate: every format symphonia reads,
//! AU, and input above 48 kHz, which is resampled to 48 kHz with rubato's FFT resampler (a
//! band-limited conversion: content above the new Nyquist frequency is filtered out rather
//! than folded onto the DTMF band).

use std::fs::File;
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::sync::Arc;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use touchtone::{Detector, Event, Plan, Sample};

use super::{au, no_such_channel, wav, ChannelKey, RawFormat};

/// The highest input rate accepted (resampled to [`wav::MAX_RATE`]).
pub(crate) const MAX_INPUT_RATE: u32 = 384_000;

/// Frames per resampler input chunk.
const CHUNK: usize = 1024;

/// Interleaved `f32` samples (full scale ±1) from a decoder, block by block.
pub(super) trait Blocks {
    /// Fill `out` with the next block; `false` at the end of the input.
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<bool, String>;
    /// What was wrong with the input but did not stop decoding, once it has ended.
    fn warning(&self) -> Option<String>;
}

/// Why a file could not be opened here.
pub(crate) enum OpenError {
    /// No reader here recognises it.
    Unrecognised,
    /// A reader recognised it and found it broken or unsupported (the message names the file).
    Failed(String),
}

/// A decoded recording.
pub(crate) struct Stream {
    blocks: Box<dyn Blocks>,
    rate: u32,
    channels: u16,
}

impl Stream {
    /// Open a file with a header: AU, or anything symphonia recognises.
    pub(crate) fn open(path: &str) -> Result<Stream, OpenError> {
        let failed = |e: std::io::Error| OpenError::Failed(format!("cannot open {path}: {e}"));
        let mut file = File::open(path).map_err(failed)?;
        let mut magic = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            match file.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(OpenError::Failed(format!("{path}: read error: {e}"))),
            }
        }
        if got == 4 && &magic == au::MAGIC {
            let (blocks, rate, channels) =
                au::open(BufReader::new(file), path).map_err(OpenError::Failed)?;
            return Stream::new(path, blocks, rate, channels).map_err(OpenError::Failed);
        }
        file.seek(SeekFrom::Start(0))
            .map_err(|e| OpenError::Failed(format!("{path}: seek error: {e}")))?;
        let (blocks, rate, channels) = Symphonia::open(file, path)?;
        Stream::new(path, Box::new(blocks), rate, channels).map_err(OpenError::Failed)
    }

    /// Headerless input at a rate above 48 kHz (the crate's reader takes the others).
    pub(crate) fn raw(path: &str, format: RawFormat, rate: u32) -> Result<Stream, String> {
        let file = File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        if file.metadata().map(|m| m.len() == 0).unwrap_or(false) {
            return Err(format!("{path}: the input is empty (0 bytes)"));
        }
        let blocks = au::Pcm::raw(BufReader::new(file), format, path);
        Stream::new(path, Box::new(blocks), rate, 1)
    }

    fn new(
        path: &str,
        blocks: Box<dyn Blocks>,
        rate: u32,
        channels: u16,
    ) -> Result<Stream, String> {
        if rate < wav::MIN_RATE {
            return Err(format!(
                "{path}: sample rate {rate} Hz is below {} Hz, the lowest the detector works \
                 at (DTMF's highest tone, 1633 Hz, needs at least that)",
                wav::MIN_RATE
            ));
        }
        if rate > MAX_INPUT_RATE {
            return Err(format!(
                "{path}: sample rate {rate} Hz is above {MAX_INPUT_RATE} Hz, the highest this \
                 command resamples"
            ));
        }
        if channels == 0 || channels > wav::MAX_CHANNELS {
            return Err(format!(
                "{path}: channel count {channels} is outside 1..={}",
                wav::MAX_CHANNELS
            ));
        }
        Ok(Stream {
            blocks,
            rate,
            channels,
        })
    }

    /// The rate of the samples handed on: the input's, or 48 000 if it was above that.
    pub(crate) fn out_rate(&self) -> u32 {
        self.rate.min(wav::MAX_RATE)
    }

    pub(crate) fn channels(&self) -> u16 {
        self.channels
    }

    /// Hand every block of interleaved samples at [`Stream::out_rate`] to `on_block`;
    /// returns the input's warning, if any.
    fn run(
        &mut self,
        path: &str,
        mut on_block: impl FnMut(&[f32]),
    ) -> Result<Option<String>, String> {
        let ch = usize::from(self.channels);
        let mut block = Vec::new();
        if self.rate <= wav::MAX_RATE {
            while self.blocks.next_block(&mut block)? {
                if !block.is_empty() {
                    on_block(&block);
                }
            }
            return Ok(self.blocks.warning());
        }
        let out_rate = wav::MAX_RATE as usize;
        let resample_error = |e: &dyn std::fmt::Display| format!("{path}: resampling: {e}");
        let mut rs = Fft::<f32>::new(self.rate as usize, out_rate, CHUNK, ch, FixedSync::Input)
            .map_err(|e| resample_error(&e))?;
        let mut out = vec![0f32; rs.output_frames_max() * ch];
        let mut pending: Vec<f32> = Vec::new();
        let mut to_trim = rs.output_delay();
        let (mut frames_in, mut frames_out) = (0u64, 0u64);
        // Hand on the resampler's output after its start-up delay, at most up to `limit`.
        let mut emit = |data: &[f32], to_trim: &mut usize, frames_out: &mut u64, limit: u64| {
            let frames = data.len() / ch;
            let skip = (*to_trim).min(frames);
            *to_trim -= skip;
            let keep = ((frames - skip) as u64).min(limit.saturating_sub(*frames_out)) as usize;
            if keep > 0 {
                on_block(&data[skip * ch..(skip + keep) * ch]);
                *frames_out += keep as u64;
            }
        };
        while self.blocks.next_block(&mut block)? {
            frames_in += (block.len() / ch) as u64;
            pending.extend_from_slice(&block);
            let mut used_total = 0;
            while (pending.len() - used_total) / ch >= rs.input_frames_next() {
                let n = rs.input_frames_next();
                let input = InterleavedSlice::new(&pending[used_total..], ch, n)
                    .map_err(|e| resample_error(&e))?;
                let frames_max = out.len() / ch;
                let mut output = InterleavedSlice::new_mut(&mut out, ch, frames_max)
                    .map_err(|e| resample_error(&e))?;
                let (used, made) = rs
                    .process_into_buffer(&input, &mut output, None)
                    .map_err(|e| resample_error(&e))?;
                used_total += used * ch;
                emit(&out[..made * ch], &mut to_trim, &mut frames_out, u64::MAX);
            }
            pending.drain(..used_total);
        }
        // The end: the last partial chunk, then silence until the delayed output is all out.
        let expected = (frames_in * out_rate as u64).div_ceil(u64::from(self.rate));
        let n = rs.input_frames_next();
        let left = pending.len() / ch;
        pending.resize(n * ch, 0.0);
        let mut partial = left;
        while frames_out < expected {
            let input =
                InterleavedSlice::new(&pending[..], ch, n).map_err(|e| resample_error(&e))?;
            let frames_max = out.len() / ch;
            let mut output = InterleavedSlice::new_mut(&mut out, ch, frames_max)
                .map_err(|e| resample_error(&e))?;
            let indexing = Indexing::new().partial_len(partial);
            let (_, made) = rs
                .process_into_buffer(&input, &mut output, Some(&indexing))
                .map_err(|e| resample_error(&e))?;
            if made == 0 {
                break;
            }
            emit(&out[..made * ch], &mut to_trim, &mut frames_out, expected);
            partial = 0;
        }
        Ok(self.blocks.warning())
    }

    /// As [`super::Source::for_each_key`].
    pub(crate) fn for_each_key(
        &mut self,
        path: &str,
        only_channel: Option<u16>,
        profile: crate::Profile,
        mut on_key: impl FnMut(ChannelKey),
    ) -> Result<Option<String>, String> {
        let channels = self.channels;
        let wanted: Vec<u16> = match only_channel {
            Some(c) if c >= channels => return Err(no_such_channel(c, channels)),
            Some(c) => vec![c],
            None => (0..channels).collect(),
        };
        let rate = self.out_rate();
        let plan = Arc::new(Plan::new(profile.config(rate)).map_err(|e| format!("{path}: {e}"))?);
        let mut dets: Vec<(u16, Detector)> = wanted
            .iter()
            .map(|&c| (c, Detector::with_plan(plan.clone())))
            .collect();
        let ch = usize::from(channels);
        let mut keys = Vec::new();
        let mut lane: Vec<f32> = Vec::new();
        let warning = self.run(path, |block| {
            for (c, det) in &mut dets {
                lane.clear();
                lane.extend(block.iter().skip(usize::from(*c)).step_by(ch));
                let c = *c;
                det.process(&lane[..], |ev| {
                    if let Event::KeyUp { press, .. } = ev {
                        keys.push(ChannelKey { channel: c, press });
                    }
                });
            }
        })?;
        for (c, det) in &mut dets {
            let c = *c;
            det.finish(|ev| {
                if let Event::KeyUp { press, .. } = ev {
                    keys.push(ChannelKey { channel: c, press });
                }
            });
        }
        keys.sort_by_key(|k| (k.press.start, k.channel));
        keys.into_iter().for_each(&mut on_key);
        Ok(warning)
    }

    /// As [`super::Source::read_all`].
    pub(crate) fn read_all(
        mut self,
        path: &str,
    ) -> Result<(Vec<Vec<i16>>, Option<String>), String> {
        let ch = usize::from(self.channels);
        let mut lanes = vec![Vec::new(); ch];
        let warning = self.run(path, |block| {
            for frame in block.chunks_exact(ch) {
                for (lane, &x) in lanes.iter_mut().zip(frame) {
                    lane.push(x.to_i16());
                }
            }
        })?;
        Ok((lanes, warning))
    }
}

/// A file symphonia reads: its first audio track with a known codec.
struct Symphonia {
    path: String,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track: u32,
    rate: u32,
    channels: usize,
    skipped: u64,
    ended_early: Option<String>,
}

impl Symphonia {
    fn open(file: File, path: &str) -> Result<(Symphonia, u32, u16), OpenError> {
        let mss = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = std::path::Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
        {
            hint.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(
                &hint,
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| match e {
                SymError::Unsupported(_) => OpenError::Unrecognised,
                SymError::IoError(e) if e.kind() == ErrorKind::UnexpectedEof => {
                    OpenError::Failed(format!(
                        "{path}: the file ends before its audio format could be recognised \
                         (truncated, or not a recording)"
                    ))
                }
                e => OpenError::Failed(format!("{path}: {e}")),
            })?;
        let failed = |what: &str| OpenError::Failed(format!("{path}: {what}"));
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| failed("no audio track"))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| failed("no audio track"))?;
        let rate = params
            .sample_rate
            .ok_or_else(|| failed("the audio track does not give its sample rate"))?;
        let channels = params
            .channels
            .as_ref()
            .map(|c| c.count())
            .ok_or_else(|| failed("the audio track does not give its channel count"))?;
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(params, &AudioDecoderOptions::default())
            .map_err(|e| OpenError::Failed(format!("{path}: cannot decode its audio: {e}")))?;
        let channels16 = u16::try_from(channels).unwrap_or(u16::MAX);
        let track = track.id;
        Ok((
            Symphonia {
                path: path.to_string(),
                format,
                decoder,
                track,
                rate,
                channels,
                skipped: 0,
                ended_early: None,
            },
            rate,
            channels16,
        ))
    }
}

impl Blocks for Symphonia {
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<bool, String> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => return Ok(false),
                Err(SymError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                    self.ended_early = Some("the file ends inside a packet (truncated?)".into());
                    return Ok(false);
                }
                Err(SymError::ResetRequired) => {
                    self.ended_early =
                        Some("a chained stream follows; only the first was decoded".into());
                    return Ok(false);
                }
                Err(e) => return Err(format!("{}: {e}", self.path)),
            };
            if packet.track_id != self.track {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(buf) => {
                    let spec = buf.spec();
                    if spec.rate() != self.rate || spec.channels().count() != self.channels {
                        return Err(format!(
                            "{}: the audio changes from {} Hz, {} channels to {} Hz, {} \
                             channels mid-stream",
                            self.path,
                            self.rate,
                            self.channels,
                            spec.rate(),
                            spec.channels().count()
                        ));
                    }
                    buf.copy_to_vec_interleaved(out);
                    return Ok(true);
                }
                // A damaged packet: skip it, as players do, and say so at the end.
                Err(SymError::DecodeError(_)) | Err(SymError::IoError(_)) => self.skipped += 1,
                Err(e) => return Err(format!("{}: {e}", self.path)),
            }
        }
    }

    fn warning(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.skipped > 0 {
            parts.push(format!(
                "{} damaged packet{} skipped",
                self.skipped,
                if self.skipped == 1 { "" } else { "s" }
            ));
        }
        parts.extend(self.ended_early.clone());
        (!parts.is_empty()).then(|| format!("{}: {}", self.path, parts.join("; ")))
    }
}
