//! Scanning a whole stream for keys: every channel of a [`Reader`] through a
//! [`MultiDetector`], the keys handed out in order of their start.

use std::fmt;
use std::io::Read;
use std::sync::Arc;

use crate::detector::{DetectorConfig, DetectorConfigError, Event, KeyPress, Plan};
use crate::io::{Reader, WavError};
use crate::multi::MultiDetector;

/// What can stop a scan.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScanError {
    /// The input could not be read or parsed.
    Input(WavError),
    /// The detector refused its configuration (the stream's rate).
    Detector(DetectorConfigError),
    /// A channel number beyond the stream's channels.
    NoSuchChannel {
        /// The channel asked for (0-based).
        channel: u16,
        /// The stream's channel count.
        channels: u16,
    },
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::Input(e) => e.fmt(f),
            ScanError::Detector(e) => write!(f, "detector: {e}"),
            ScanError::NoSuchChannel { channel, channels } => write!(
                f,
                "channel {channel} does not exist: the input has {channels} channel{} (0..={})",
                if *channels == 1 { "" } else { "s" },
                channels.saturating_sub(1)
            ),
        }
    }
}

impl std::error::Error for ScanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScanError::Input(e) => Some(e),
            ScanError::Detector(e) => Some(e),
            ScanError::NoSuchChannel { .. } => None,
        }
    }
}

impl From<WavError> for ScanError {
    fn from(e: WavError) -> Self {
        ScanError::Input(e)
    }
}

impl From<DetectorConfigError> for ScanError {
    fn from(e: DetectorConfigError) -> Self {
        ScanError::Detector(e)
    }
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
) -> Result<Vec<ChannelKey>, ScanError> {
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
/// [`ScanError::NoSuchChannel`] if `only_channel` is beyond the channels;
/// [`ScanError::Input`] for any error of [`Reader::read`]. Keys already handed out stay
/// handed out.
pub fn for_each_key<R: Read>(
    reader: &mut Reader<R>,
    only_channel: Option<u16>,
    on_key: impl FnMut(ChannelKey),
) -> Result<(), ScanError> {
    let cfg = DetectorConfig::standard(reader.sample_rate());
    for_each_key_with(reader, only_channel, cfg, on_key)
}

/// [`for_each_key`] with detectors configured by `cfg` (for example
/// [`DetectorConfig::relaxed`]); its `sample_rate` is replaced by the stream's.
///
/// # Errors
/// As [`for_each_key`], and [`ScanError::Detector`] for a config the detector refuses.
pub fn for_each_key_with<R: Read>(
    reader: &mut Reader<R>,
    only_channel: Option<u16>,
    cfg: DetectorConfig,
    mut on_key: impl FnMut(ChannelKey),
) -> Result<(), ScanError> {
    let channels = reader.channels();
    if let Some(c) = only_channel {
        if c >= channels {
            return Err(ScanError::NoSuchChannel {
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
    let plan = Arc::new(Plan::new(DetectorConfig {
        sample_rate: rate,
        ..cfg
    })?);
    let mut dets = MultiDetector::new(plan, wanted.len());
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
        // All channels interleaved, or the one wanted taken out: whole frames either way.
        let block: &[i16] = match only_channel {
            Some(c) if ch > 1 => {
                lane.clear();
                lane.extend(buf[..n].iter().skip(usize::from(c)).step_by(ch));
                &lane
            }
            _ => &buf[..n],
        };
        // (`Reader::read` returns whole frames, so the block always divides.)
        dets.process_interleaved(block, |i, ev| match ev {
            Event::KeyDown { start, .. } => down[i] = Some(start),
            Event::KeyUp { press, .. } => {
                down[i] = None;
                pending.push(ChannelKey {
                    channel: wanted[i],
                    press,
                });
            }
        })
        .expect("whole frames of the decoded channels");
        let frontier = down
            .iter()
            .map(|d| d.unwrap_or(position.saturating_sub(horizon)))
            .min()
            .unwrap_or(0);
        flush(&mut pending, frontier);
    }
    dets.finish(|i, ev| {
        if let Event::KeyUp { press, .. } = ev {
            pending.push(ChannelKey {
                channel: wanted[i],
                press,
            });
        }
    });
    flush(&mut pending, u64::MAX);
    Ok(())
}
