//! Redaction: take the DTMF keys out of a recording (PCI DSS forbids keeping card numbers,
//! PINs and other sensitive authentication data that callers type on the keypad).
//!
//! A [`Redactor`] runs a [`Detector`] over one channel and replaces every key's span —
//! from the tone's estimated start less a guard to its estimated end plus the guard
//! ([`RedactConfig::guard_ms`]) — by silence or by low comfort noise ([`Fill`]). Every
//! other sample is passed through bit for bit. Each replaced span is reported as a
//! [`Span`] (its key withheld unless [`RedactConfig::reveal_keys`]).
//!
//! # Streaming, with a fixed delay
//!
//! [`Redactor::process`] works in place on frames of any length: each sample is replaced by
//! the (possibly redacted) sample [`Redactor::delay`] samples earlier; the stream starts
//! with that many samples of silence and [`Redactor::finish`] hands out the last ones. The
//! delay is [`delay_ms`]:
//!
//! `max(min_tone_ms + 40, max_dropout_ms + 20) + guard_ms`
//!
//! The detector reports a key (`KeyDown`) once the tone has lasted `min_tone_ms`, counted
//! from its first passing window, and may place the tone's start before that window by up
//! to its 16 ms length and 24 ms of history (a tone recognised late under speech or
//! music): `min_tone_ms + 40`. It reports the end (`KeyUp`) `max_dropout_ms + 12` ms after
//! it (waiting for a bridged dropout's resumption), plus two 4 ms ticks:
//! `max_dropout_ms + 20`. With the default detector settings and the default guard of 8 ms
//! the delay is **79 ms**; the largest latencies measured with keys 10 dB over speech,
//! music and noise at 8–48 kHz were 68.9 ms (`KeyDown`, from the estimated start) and
//! 41 ms (`KeyUp`, from the estimated end). An event the delay did not cover (possible
//! only for a tone whose detection was interrupted by dropouts before it was reported)
//! still redacts what has not yet left the delay line; [`Span::unreplaced`] counts the
//! samples it was too late for.
//!
//! # Whole buffers, no delay
//!
//! [`Redactor::redact_all`] redacts a buffer in place with no delay (the detector sees the
//! whole buffer first). Its output is the streaming output without the leading delay, for
//! any framing, whenever no span has [`Span::unreplaced`] samples (then the file mode still
//! replaces them).
//!
//! # Sample formats
//!
//! `i16` and `f32` ([`Redactor::new`]), G.711 μ-law and A-law bytes ([`Redactor::ulaw`],
//! [`Redactor::alaw`]: replaced samples are the G.711 encoding of the fill, other bytes are
//! untouched) and unsigned 8-bit PCM ([`Redactor::pcm_u8`]). [`redact_wav`] redacts a whole
//! WAV file of any kind [`crate::io`] reads, in its own format.
//!
//! # Channels
//!
//! A `Redactor` is one channel. [`redact_wav`] redacts each channel of a multi-channel file
//! on the keys found **in that channel** (a key heard only on the caller's channel is
//! removed from that channel; a detectable echo of it on the other channel is a key there
//! and removed there).
//!
//! # Comfort noise
//!
//! [`Fill::Noise`] fills a span with white noise whose RMS is the signal's RMS just before
//! the span (an exponential average over 20 ms of the samples passed through) times
//! [`RedactConfig::noise_gain_db`]. It depends only on the sample position and
//! [`RedactConfig::noise_seed`], so it is the same however the stream is framed.
//!
//! ```
//! use touchtone::redact::{Fill, RedactConfig, Redactor};
//! use touchtone::{detect, DetectorConfig, Generator, GeneratorConfig};
//! let mut pcm = Generator::new(GeneratorConfig::default()).unwrap().render_str("4111").unwrap();
//! let mut red = Redactor::<i16>::new(DetectorConfig::default(), RedactConfig::default()).unwrap();
//! assert_eq!(red.delay(), 632); // 79 ms at 8 kHz
//! let mut spans = Vec::new();
//! red.redact_all(&mut pcm, |s| spans.push(s));
//! assert_eq!(spans.len(), 4);
//! assert!(spans.iter().all(|s| s.key.is_none() && s.unreplaced == 0));
//! assert!(detect(8000, &pcm).unwrap().is_empty());
//! ```

use crate::detector::{Detector, DetectorConfig, DetectorConfigError, Event};
use crate::g711;
use crate::io::{self, Encoding, Format, WavError};
use crate::key::Key;
use crate::sample::Sample;
use core::fmt;
use std::collections::VecDeque;

/// What replaces a key's span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fill {
    /// Digital silence (0; the G.711 code of 0 in μ-law/A-law; 128 in 8-bit PCM).
    #[default]
    Silence,
    /// White comfort noise at the level of the signal just before the span.
    Noise,
}

/// Settings of the redaction (the detector's are a [`DetectorConfig`]: the profile is the
/// caller's choice).
#[derive(Clone, Debug, PartialEq)]
pub struct RedactConfig {
    /// Replaced before each tone's estimated start and after its estimated end, ms.
    /// Default 8: the largest error of an estimated edge measured with keys 10 dB over
    /// speech, music or noise at 8–48 kHz was 4.5 ms.
    pub guard_ms: f32,
    /// What replaces the spans. Default [`Fill::Silence`].
    pub fill: Fill,
    /// Level of the comfort noise relative to the signal before the span, dB. Default −6.
    pub noise_gain_db: f32,
    /// Seed of the comfort noise. Default 0.
    pub noise_seed: u64,
    /// Put each span's key in its report. Default `false` (the report must not keep the
    /// data the redaction removes).
    pub reveal_keys: bool,
}

impl Default for RedactConfig {
    fn default() -> Self {
        RedactConfig {
            guard_ms: 8.0,
            fill: Fill::Silence,
            noise_gain_db: -6.0,
            noise_seed: 0,
            reveal_keys: false,
        }
    }
}

/// A redaction setting that cannot be used, or an input that cannot be redacted.
#[derive(Debug)]
#[non_exhaustive]
pub enum RedactError {
    /// The detector's settings (or the file's sample rate) are not usable.
    Detector(DetectorConfigError),
    /// `guard_ms` is not finite or outside 0–40 ms.
    Guard(f32),
    /// `noise_gain_db` is not finite or outside −60…0 dB.
    NoiseGain(f32),
    /// The WAV input could not be parsed.
    Wav(WavError),
}

impl fmt::Display for RedactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedactError::Detector(e) => write!(f, "detector settings: {e}"),
            RedactError::Guard(g) => write!(f, "guard_ms = {g} is outside 0..=40"),
            RedactError::NoiseGain(g) => write!(f, "noise_gain_db = {g} is outside -60..=0"),
            RedactError::Wav(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RedactError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RedactError::Detector(e) => Some(e),
            RedactError::Wav(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DetectorConfigError> for RedactError {
    fn from(e: DetectorConfigError) -> Self {
        RedactError::Detector(e)
    }
}

impl From<WavError> for RedactError {
    fn from(e: WavError) -> Self {
        RedactError::Wav(e)
    }
}

/// A replaced span of one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First replaced sample (the tone's estimated start less the guard), from the start
    /// of the stream.
    pub start: u64,
    /// One past the last replaced sample (the tone's estimated end plus the guard; may lie
    /// beyond the end of the stream).
    pub end: u64,
    /// The key, if [`RedactConfig::reveal_keys`].
    pub key: Option<Key>,
    /// Samples of the span that had already left the delay line when the key was reported
    /// (streaming only; 0 when the delay covered the detector's decision).
    pub unreplaced: u64,
}

impl Span {
    /// Start in milliseconds at `sample_rate`.
    pub fn start_ms(&self, sample_rate: u32) -> f64 {
        self.start as f64 * 1000.0 / f64::from(sample_rate)
    }
    /// End in milliseconds at `sample_rate`.
    pub fn end_ms(&self, sample_rate: u32) -> f64 {
        self.end as f64 * 1000.0 / f64::from(sample_rate)
    }
}

/// The streaming delay for these settings, ms (see the [module](self) documentation).
pub fn delay_ms(det: &DetectorConfig, cfg: &RedactConfig) -> f32 {
    (det.min_tone_ms + 40.0).max(det.max_dropout_ms + 20.0) + cfg.guard_ms
}

fn ms_to_samples(ms: f32, rate: u32) -> u64 {
    (f64::from(ms) * f64::from(rate) / 1000.0).ceil() as u64
}

/// The per-position decisions shared by the streaming and the whole-buffer modes.
#[derive(Clone, Debug)]
struct Core {
    guard: u64,
    fill: Fill,
    gain: f32,
    seed: u64,
    reveal: bool,
    /// Coefficient of the 20 ms exponential average of the passed samples' power.
    alpha: f32,
    /// That average (mean square, 16-bit units).
    power: f32,
    /// Spans not wholly emitted, in order of start: `[start, end)`; `end == u64::MAX` while
    /// the key is still down.
    spans: VecDeque<(u64, u64)>,
    /// The key down and its span's samples already emitted when it was reported.
    open: Option<(Key, u64)>,
    /// Noise RMS of the span being emitted.
    amp: Option<f32>,
    /// Next position to emit.
    pos: u64,
}

impl Core {
    fn new(rate: u32, cfg: &RedactConfig) -> Core {
        Core {
            guard: ms_to_samples(cfg.guard_ms, rate),
            fill: cfg.fill,
            gain: 10f32.powf(cfg.noise_gain_db / 20.0),
            seed: cfg.noise_seed,
            reveal: cfg.reveal_keys,
            alpha: 1.0 / (0.020 * rate as f32),
            power: 0.0,
            spans: VecDeque::with_capacity(8),
            open: None,
            amp: None,
            pos: 0,
        }
    }

    fn reset(&mut self) {
        self.power = 0.0;
        self.spans.clear();
        self.open = None;
        self.amp = None;
        self.pos = 0;
    }

    /// Take a detector event into account now (before emitting `self.pos`).
    fn apply(&mut self, ev: Event, on_span: &mut impl FnMut(Span)) {
        match ev {
            Event::KeyDown { key, start, .. } => {
                let s = start.saturating_sub(self.guard);
                self.open = Some((key, self.pos.saturating_sub(s)));
                self.spans.push_back((s, u64::MAX));
            }
            Event::KeyUp { press, .. } => {
                let s = press.start.saturating_sub(self.guard);
                let e = press.end.saturating_add(self.guard);
                let unreplaced = match self.open.take() {
                    Some((_, late)) => {
                        if let Some(last) = self.spans.back_mut() {
                            last.1 = e;
                        }
                        late
                    }
                    None => {
                        self.spans.push_back((s, e));
                        self.pos.saturating_sub(s)
                    }
                };
                on_span(Span {
                    start: s,
                    end: e,
                    key: self.reveal.then_some(press.key),
                    unreplaced: unreplaced.min(e - s),
                });
            }
        }
    }

    /// The replacement for the sample at `self.pos` (whose value is `x`), if any.
    #[inline]
    fn emit(&mut self, x: i16) -> Option<i16> {
        let p = self.pos;
        self.pos += 1;
        while self.spans.front().is_some_and(|&(_, e)| e <= p) {
            self.spans.pop_front();
        }
        let inside = self.spans.iter().any(|&(s, e)| s <= p && p < e);
        if !inside {
            self.amp = None;
            let v = f32::from(x);
            self.power += (v * v - self.power) * self.alpha;
            return None;
        }
        Some(match self.fill {
            Fill::Silence => 0,
            Fill::Noise => {
                let amp = *self.amp.get_or_insert(self.power.sqrt() * self.gain);
                // Uniform in [−√3, √3): unit variance.
                let u = (splitmix(self.seed ^ p) >> 40) as f32 / (1u64 << 24) as f32;
                let n = (u * 2.0 - 1.0) * 1.732_050_8 * amp;
                n.round().clamp(-32768.0, 32767.0) as i16
            }
        })
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for i16 {}
    impl Sealed for f32 {}
}

/// Linear PCM sample types a [`Redactor`] takes through [`Redactor::new`]: `i16`, and `f32`
/// in [−1, 1] (the detector sees it as [`Sample::to_i16`] does; the fill is written as
/// `value / 32768`).
pub trait LinearSample: sealed::Sealed + Sample {
    /// A 16-bit value as this type.
    #[doc(hidden)]
    fn from_i16(x: i16) -> Self;
}

impl LinearSample for i16 {
    fn from_i16(x: i16) -> i16 {
        x
    }
}

impl LinearSample for f32 {
    fn from_i16(x: i16) -> f32 {
        f32::from(x) / 32768.0
    }
}

/// Events decided but not yet due (their decision instant is later than the emitted
/// position plus the delay).
const EVENT_QUEUE: usize = 16;

/// A streaming redactor of one channel. See the [module](self) documentation.
#[derive(Clone, Debug)]
pub struct Redactor<T> {
    det: Detector,
    core: Core,
    decode: fn(T) -> i16,
    encode: fn(i16) -> T,
    /// The delay line (`delay` samples) and its next slot.
    ring: Box<[T]>,
    head: usize,
    /// Samples taken in since the start.
    taken: u64,
    /// Detector events waiting for their time.
    events: VecDeque<Event>,
    /// The last samples, handed out by `finish`.
    tail: Box<[T]>,
}

impl<T: LinearSample> Redactor<T> {
    /// A redactor of linear samples (`i16` or `f32`).
    ///
    /// # Errors
    /// [`RedactError`] naming the bad setting and value.
    pub fn new(det: DetectorConfig, cfg: RedactConfig) -> Result<Self, RedactError> {
        Self::build(det, cfg, T::to_i16, T::from_i16)
    }
}

impl Redactor<u8> {
    /// A redactor of G.711 μ-law bytes.
    ///
    /// # Errors
    /// [`RedactError`] naming the bad setting and value.
    pub fn ulaw(det: DetectorConfig, cfg: RedactConfig) -> Result<Self, RedactError> {
        Self::build(
            det,
            cfg,
            |b| g711::ULAW_TABLE[b as usize],
            g711::linear_to_ulaw,
        )
    }

    /// A redactor of G.711 A-law bytes.
    ///
    /// # Errors
    /// [`RedactError`] naming the bad setting and value.
    pub fn alaw(det: DetectorConfig, cfg: RedactConfig) -> Result<Self, RedactError> {
        Self::build(
            det,
            cfg,
            |b| g711::ALAW_TABLE[b as usize],
            g711::linear_to_alaw,
        )
    }

    /// A redactor of unsigned 8-bit PCM (128 = silence, as in WAV files).
    ///
    /// # Errors
    /// [`RedactError`] naming the bad setting and value.
    pub fn pcm_u8(det: DetectorConfig, cfg: RedactConfig) -> Result<Self, RedactError> {
        Self::build(det, cfg, |b| (i16::from(b) - 128) << 8, u8_from_i16)
    }
}

fn u8_from_i16(x: i16) -> u8 {
    ((x >> 8) + 128) as u8
}

impl<T: Copy> Redactor<T> {
    fn build(
        det: DetectorConfig,
        cfg: RedactConfig,
        decode: fn(T) -> i16,
        encode: fn(i16) -> T,
    ) -> Result<Self, RedactError> {
        if !(cfg.guard_ms.is_finite() && (0.0..=40.0).contains(&cfg.guard_ms)) {
            return Err(RedactError::Guard(cfg.guard_ms));
        }
        if !(cfg.noise_gain_db.is_finite() && (-60.0..=0.0).contains(&cfg.noise_gain_db)) {
            return Err(RedactError::NoiseGain(cfg.noise_gain_db));
        }
        let delay = ms_to_samples(delay_ms(&det, &cfg), det.sample_rate) as usize;
        let rate = det.sample_rate;
        let det = Detector::new(det)?;
        let silence = encode(0);
        Ok(Redactor {
            det,
            core: Core::new(rate, &cfg),
            decode,
            encode,
            ring: vec![silence; delay].into_boxed_slice(),
            head: 0,
            taken: 0,
            events: VecDeque::with_capacity(EVENT_QUEUE),
            tail: vec![silence; delay].into_boxed_slice(),
        })
    }

    /// The delay of the streaming mode, samples ([`delay_ms`] at the rate, rounded up).
    pub fn delay(&self) -> usize {
        self.ring.len()
    }

    /// The sample rate, Hz.
    pub fn sample_rate(&self) -> u32 {
        self.det.config().sample_rate
    }

    /// Samples taken in since the start of the stream.
    pub fn position(&self) -> u64 {
        self.taken
    }

    /// Redact a frame in place, streaming: each sample is replaced by the output
    /// [`delay`](Self::delay) samples earlier (silence for the first `delay` samples of
    /// the stream). `on_span` is called for each key's span once its end is known. Frames
    /// may have any length; the output does not depend on how the stream is cut. No heap
    /// allocation.
    pub fn process(&mut self, frame: &mut [T], mut on_span: impl FnMut(Span)) {
        let d = self.ring.len() as u64;
        let step = self.ring.len().clamp(1, 256);
        let mut x16 = [0i16; 256];
        for part in frame.chunks_mut(step) {
            let xs = &mut x16[..part.len()];
            for (o, &s) in xs.iter_mut().zip(part.iter()) {
                *o = (self.decode)(s);
            }
            let events = &mut self.events;
            self.det.process(xs, |ev| events.push_back(ev));
            for s in part.iter_mut() {
                let out = core::mem::replace(&mut self.ring[self.head], *s);
                self.head = if self.head + 1 == self.ring.len() {
                    0
                } else {
                    self.head + 1
                };
                self.taken += 1;
                *s = if self.taken > d {
                    // `out` is at position `taken − 1 − d`; events decided by `taken − 1`
                    // are due.
                    let now = self.taken - 1;
                    while let Some(ev) = self.events.front().copied() {
                        if decided(ev) > now {
                            break;
                        }
                        self.events.pop_front();
                        self.core.apply(ev, &mut on_span);
                    }
                    match self.core.emit((self.decode)(out)) {
                        Some(v) => (self.encode)(v),
                        None => out,
                    }
                } else {
                    out
                };
            }
        }
    }

    /// End of stream: the detector is flushed, and the samples still in the delay line are
    /// redacted and returned (the last `min(delay, position)` samples of the output). The
    /// redactor then starts a new stream at position 0.
    pub fn finish(&mut self, mut on_span: impl FnMut(Span)) -> &[T] {
        let events = &mut self.events;
        self.det.finish(|ev| events.push_back(ev));
        while let Some(ev) = self.events.pop_front() {
            self.core.apply(ev, &mut on_span);
        }
        let d = self.ring.len();
        let n = (self.taken.min(d as u64)) as usize;
        // The oldest pending sample is `n` slots behind the head.
        let first = (self.head + d - n) % d;
        for i in 0..n {
            let x = self.ring[(first + i) % d];
            self.tail[i] = match self.core.emit((self.decode)(x)) {
                Some(v) => (self.encode)(v),
                None => x,
            };
        }
        self.restart();
        &self.tail[..n]
    }

    fn restart(&mut self) {
        self.det.reset();
        self.core.reset();
        let silence = (self.encode)(0);
        self.ring.fill(silence);
        self.head = 0;
        self.taken = 0;
        self.events.clear();
    }

    /// Redact a whole buffer in place, with no delay (a new stream: anything fed to
    /// [`process`](Self::process) before and not finished is dropped). `on_span` is called
    /// for each key's span, in order.
    pub fn redact_all(&mut self, buf: &mut [T], on_span: impl FnMut(Span)) {
        let x16: Vec<i16> = buf.iter().map(|&s| (self.decode)(s)).collect();
        let encode = self.encode;
        self.redact_decoded(&x16, |i, v| buf[i] = encode(v), on_span);
    }

    /// The whole-buffer mode on decoded samples: `put(index, value)` for each replaced
    /// sample.
    fn redact_decoded(
        &mut self,
        x16: &[i16],
        mut put: impl FnMut(usize, i16),
        mut on_span: impl FnMut(Span),
    ) {
        self.restart();
        let mut events = Vec::new();
        self.det.process(x16, |ev| events.push(ev));
        self.det.finish(|ev| events.push(ev));
        for ev in events {
            self.core.apply(ev, &mut on_span);
        }
        for (i, &x) in x16.iter().enumerate() {
            if let Some(v) = self.core.emit(x) {
                put(i, v);
            }
        }
        self.restart();
    }
}

fn decided(ev: Event) -> u64 {
    match ev {
        Event::KeyDown { decided_at, .. } | Event::KeyUp { decided_at, .. } => decided_at,
    }
}

/// A redacted WAV file.
#[derive(Clone, Debug)]
pub struct RedactedWav {
    /// The whole file: the input's bytes with the spans' samples replaced.
    pub bytes: Vec<u8>,
    /// The input's format (unchanged).
    pub format: Format,
    /// The replaced spans: channel (0-based) and span, by channel then start.
    pub spans: Vec<(u16, Span)>,
    /// Whether the `data` chunk was shorter than it declared (what was there is redacted).
    pub truncated: bool,
}

/// Redact a whole WAV file (any format [`crate::io`] reads), keeping its format: every
/// byte outside the replaced samples (header, other chunks, untouched samples) is copied
/// unchanged. Each channel is redacted on its own keys, with the detector settings
/// `profile(sample_rate)`.
///
/// # Errors
/// [`RedactError::Wav`] for an input that is not a readable WAV file,
/// [`RedactError::Detector`] for unusable detector settings, [`RedactError::Guard`] /
/// [`RedactError::NoiseGain`] for unusable redaction settings.
pub fn redact_wav(
    input: &[u8],
    profile: impl Fn(u32) -> DetectorConfig,
    cfg: &RedactConfig,
) -> Result<RedactedWav, RedactError> {
    let reader = io::Reader::new(input)?;
    let format = reader.format();
    let bps = format.encoding.bytes_per_sample();
    let ch = usize::from(format.channels);
    let fb = bps * ch;
    let off = usize::try_from(reader.data_offset()).unwrap_or(usize::MAX);
    let avail = input.len().saturating_sub(off);
    let declared = reader
        .declared_frames()
        .map(|f| usize::try_from(f).unwrap_or(usize::MAX).saturating_mul(fb));
    let truncated = declared.is_some_and(|d| d > avail);
    let frames = declared.unwrap_or(usize::MAX).min(avail) / fb;
    let mut bytes = input.to_vec();
    let mut spans = Vec::new();
    let mut red = Redactor::<i16>::new(profile(format.sample_rate), cfg.clone())?;
    let mut lane_bytes = vec![0u8; frames * bps];
    let mut lane = vec![0i16; frames];
    for c in 0..ch {
        for (f, dst) in lane_bytes.chunks_exact_mut(bps).enumerate() {
            let at = off + f * fb + c * bps;
            dst.copy_from_slice(&input[at..at + bps]);
        }
        io::stored(format.encoding, &lane_bytes, &mut lane);
        red.redact_decoded(
            &lane,
            |f, v| {
                let at = off + f * fb + c * bps;
                encode_into(format.encoding, v, &mut bytes[at..at + bps]);
            },
            |s| spans.push((c as u16, s)),
        );
    }
    Ok(RedactedWav {
        bytes,
        format,
        spans,
        truncated,
    })
}

/// Write the 16-bit value `x` as one stored sample.
fn encode_into(enc: Encoding, x: i16, out: &mut [u8]) {
    match enc {
        Encoding::U8 => out[0] = u8_from_i16(x),
        Encoding::S16 => out.copy_from_slice(&x.to_le_bytes()),
        Encoding::S24 => out.copy_from_slice(&(i32::from(x) << 8).to_le_bytes()[..3]),
        Encoding::S32 => out.copy_from_slice(&(i32::from(x) << 16).to_le_bytes()),
        Encoding::F32 => out.copy_from_slice(&(f32::from(x) / 32768.0).to_le_bytes()),
        Encoding::F64 => out.copy_from_slice(&(f64::from(x) / 32768.0).to_le_bytes()),
        Encoding::Ulaw => out[0] = g711::linear_to_ulaw(x),
        Encoding::Alaw => out[0] = g711::linear_to_alaw(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_delay_is_79_ms() {
        let d = delay_ms(&DetectorConfig::default(), &RedactConfig::default());
        assert_eq!(d, 79.0);
        for rate in [8000, 16000, 44100, 48000] {
            let r =
                Redactor::<i16>::new(DetectorConfig::with_rate(rate), Default::default()).unwrap();
            assert_eq!(r.delay() as u64, ms_to_samples(79.0, rate));
        }
    }

    #[test]
    fn bad_settings_are_named() {
        let bad = RedactConfig {
            guard_ms: f32::NAN,
            ..Default::default()
        };
        assert!(matches!(
            Redactor::<i16>::new(DetectorConfig::default(), bad),
            Err(RedactError::Guard(g)) if g.is_nan()
        ));
        let bad = RedactConfig {
            noise_gain_db: 3.0,
            ..Default::default()
        };
        assert!(matches!(
            Redactor::<i16>::new(DetectorConfig::default(), bad),
            Err(RedactError::NoiseGain(g)) if g == 3.0
        ));
        assert!(matches!(
            Redactor::<i16>::new(DetectorConfig::with_rate(7999), Default::default()),
            Err(RedactError::Detector(DetectorConfigError::SampleRate(7999)))
        ));
    }

    #[test]
    fn silence_codes() {
        assert_eq!(u8_from_i16(0), 128);
        assert_eq!(g711::ULAW_TABLE[g711::linear_to_ulaw(0) as usize], 0);
        let mut b = [0u8; 3];
        encode_into(Encoding::S24, -256, &mut b);
        let mut o = [0i16; 1];
        io::stored(Encoding::S24, &b, &mut o);
        assert_eq!(o[0], -256);
    }
}
