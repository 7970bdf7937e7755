//! Redaction: take the DTMF keys out of a recording (PCI DSS forbids keeping card numbers,
//! PINs and other sensitive authentication data that callers type on the keypad).
//!
//! A [`Redactor`] runs a [`Detector`] over one channel and replaces every key's span —
//! from the tone's start less a guard to its end plus the guard ([`RedactConfig::guard_ms`])
//! — by silence or by low comfort noise ([`Fill`]). The edges are the detector's estimates,
//! widened by [edge tracking](#edge-tracking) where the key's tones reach past them. Every
//! other sample is passed through bit for bit. Each replaced span is reported as a
//! [`Span`] (its key withheld unless [`RedactConfig::reveal_keys`]).
//!
//! # Which detector settings
//!
//! The caller chooses the [`DetectorConfig`]. [`DetectorConfig::relaxed`] is the one for
//! redaction (and the `touchtone redact` command's default): a key the redaction misses
//! stays in the recording, while a false key only mutes a few tens of milliseconds of
//! speech or music. It finds keys [`DetectorConfig::standard`] rejects (twist to 18 dB,
//! 20 ms tones, drift to 2 %, room noise, clipping).
//!
//! # Streaming, with a fixed delay
//!
//! [`Redactor::process`] works in place on frames of any length: each sample is replaced by
//! the (possibly redacted) sample [`Redactor::delay`] samples earlier; the stream starts
//! with that many samples of silence and [`Redactor::finish`] hands out the last ones. The
//! delay is [`delay_ms`]:
//!
//! `max(min_tone_ms + 40, max_dropout_ms + 20, 80 − guard_ms) + guard_ms`
//!
//! The detector reports a key (`KeyDown`) once the tone has lasted `min_tone_ms`, counted
//! from its first passing window, and may place the tone's start before that window by up
//! to its 16 ms length and 24 ms of history (a tone recognised late under speech or
//! music): `min_tone_ms + 40`. It reports the end (`KeyUp`) `max_dropout_ms + 12` ms after
//! it (waiting for a bridged dropout's resumption), plus two 4 ms ticks:
//! `max_dropout_ms + 20`. The floor of 80 ms leaves edge tracking room to look back from
//! the `KeyDown` decision. With the standard and the relaxed settings and the default
//! guard of 8 ms the delay is **80 ms**; the largest decision latencies measured with keys
//! 10 and 5 dB over speech, music and noise at 8–48 kHz are in `tests/redact.rs`
//! (`delay_covers_the_measured_decision_latencies`: about 61 ms for `KeyDown` from the
//! estimated start and 41 ms for `KeyUp` from the estimated end). An event the delay did
//! not cover still redacts what has not yet left the delay line; [`Span::unreplaced`]
//! counts the samples it was too late for.
//!
//! # Edge tracking
//!
//! Under hard conditions (a strong reverse twist, keys only 5 dB over speech) the
//! detector may place an edge 15–30 ms inside the tone, so a guard of a few milliseconds
//! would leave part of the key in the recording. When a span opens and when it closes,
//! the redactor measures the key's two frequencies in 10 ms windows just inside the
//! estimated edge and then outward in 2 ms steps, and widens the span while both tones
//! stay within 12 dB of their power inside, by at most [`RedactConfig::track_ms`] (40 ms)
//! each side. It looks only at samples the streaming mode still holds when the detector
//! decides (from `delay` samples before the decision to the decision), so both modes widen
//! alike and tracking never reaches samples already let through.
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
//! assert_eq!(red.delay(), 640); // 80 ms at 8 kHz
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
    /// Replaced before each tone's (tracked) start and after its end, ms. Default 8: with
    /// keys 5 and 10 dB over speech and noise and 10 dB over music at 8–48 kHz, every span
    /// holds its whole tone and reaches at most 5 ms past the guard (`tests/redact.rs`).
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
    /// How far each span may be widened past the detector's estimated edges while the
    /// key's two tones are still there, ms (see [Edge tracking](self#edge-tracking); 0
    /// turns it off). Default 40.
    pub track_ms: f32,
}

impl Default for RedactConfig {
    fn default() -> Self {
        RedactConfig {
            guard_ms: 8.0,
            fill: Fill::Silence,
            noise_gain_db: -6.0,
            noise_seed: 0,
            reveal_keys: false,
            track_ms: 40.0,
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
    /// `track_ms` is not finite or outside 0–100 ms.
    Track(f32),
    /// The WAV input could not be parsed.
    Wav(WavError),
}

impl fmt::Display for RedactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedactError::Detector(e) => write!(f, "detector settings: {e}"),
            RedactError::Guard(g) => write!(f, "guard_ms = {g} is outside 0..=40"),
            RedactError::NoiseGain(g) => write!(f, "noise_gain_db = {g} is outside -60..=0"),
            RedactError::Track(t) => write!(f, "track_ms = {t} is outside 0..=100"),
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
    (det.min_tone_ms + 40.0)
        .max(det.max_dropout_ms + 20.0)
        .max(MIN_DELAY_MS - cfg.guard_ms)
        + cfg.guard_ms
}

/// The least streaming delay, ms: what edge tracking needs to look back from the detector's
/// `KeyDown` decision.
const MIN_DELAY_MS: f32 = 80.0;
/// Length of the windows edge tracking measures the key's tones in, ms.
const TRACK_WINDOW_MS: f32 = 10.0;
/// Step of edge tracking, ms.
const TRACK_STEP_MS: f32 = 2.0;
/// A window outside the span holds the key while each of its tones is at most this far
/// below its power in the window just inside the estimated edge, dB.
const TRACK_FLOOR_DB: f32 = 12.0;

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
    /// The streaming delay, samples.
    delay: u64,
    /// Edge tracking: the largest widening, the window and the step (samples), the floor
    /// (a power ratio) and the sample rate.
    track_max: u64,
    track_win: u64,
    track_step: u64,
    track_floor: f32,
    rate: u32,
}

/// The samples edge tracking may look at when an event is applied: positions `lo..=hi`,
/// through `get`. The same positions in the streaming and the whole-buffer modes: from
/// `max(decided_at, delay) + 1 − delay` (the oldest sample still in the delay line when
/// the streaming mode applies the event) to `min(decided_at, length − 1)`.
struct Window<'a> {
    lo: u64,
    hi: u64,
    get: &'a dyn Fn(u64) -> i16,
}

impl Window<'_> {
    /// Power at `hz` of the samples `a..b` (all within `lo..=hi`), Goertzel, 16-bit units.
    fn power(&self, a: u64, b: u64, hz: f64, rate: u32) -> f32 {
        let w = core::f64::consts::TAU * hz / f64::from(rate);
        let c = (2.0 * w.cos()) as f32;
        let (mut s1, mut s2) = (0f32, 0f32);
        for q in a..b {
            let s0 = f32::from((self.get)(q)) + c * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        (s1 * s1 + s2 * s2 - c * s1 * s2).max(0.0)
    }
}

impl Core {
    fn new(det: &DetectorConfig, cfg: &RedactConfig) -> Core {
        let rate = det.sample_rate;
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
            delay: ms_to_samples(delay_ms(det, cfg), rate),
            track_max: ms_to_samples(cfg.track_ms, rate),
            track_win: ms_to_samples(TRACK_WINDOW_MS, rate),
            track_step: ms_to_samples(TRACK_STEP_MS, rate),
            track_floor: 10f32.powf(-TRACK_FLOOR_DB / 10.0),
            rate,
        }
    }

    /// The positions edge tracking may look at for an event decided at `decided_at`, with
    /// `taken` samples of the stream seen.
    fn bounds(&self, decided_at: u64, taken: u64) -> (u64, u64) {
        let lo = decided_at.max(self.delay) + 1 - self.delay;
        (lo, decided_at.min(taken.saturating_sub(1)))
    }

    /// Edge tracking before an estimated start: the earliest `b <= start` such that every
    /// window `[c − win, c)` for `c` from `start` down to `b + step`, in steps, holds both of
    /// the key's tones at no more than the floor under their power in `[start, start + win)`.
    fn track_back(&self, key: Key, start: u64, w: &Window) -> u64 {
        let win = self.track_win;
        if self.track_max == 0 || start < w.lo || start + win > w.hi + 1 {
            return start;
        }
        let (fl, fh) = key.frequencies();
        let rl = w.power(start, start + win, fl, self.rate) * self.track_floor;
        let rh = w.power(start, start + win, fh, self.rate) * self.track_floor;
        let mut b = start;
        while start - b + self.track_step <= self.track_max && b >= w.lo + win {
            if w.power(b - win, b, fl, self.rate) >= rl && w.power(b - win, b, fh, self.rate) >= rh
            {
                b -= self.track_step;
            } else {
                break;
            }
        }
        b
    }

    /// Edge tracking after an estimated end: as [`Core::track_back`], forward from `end`
    /// with the reference `[end − win, end)`.
    fn track_forward(&self, key: Key, end: u64, w: &Window) -> u64 {
        let win = self.track_win;
        if self.track_max == 0 || end < w.lo + win || end > w.hi + 1 {
            return end;
        }
        let (fl, fh) = key.frequencies();
        let rl = w.power(end - win, end, fl, self.rate) * self.track_floor;
        let rh = w.power(end - win, end, fh, self.rate) * self.track_floor;
        let mut b = end;
        while b - end + self.track_step <= self.track_max && b + win <= w.hi + 1 {
            if w.power(b, b + win, fl, self.rate) >= rl && w.power(b, b + win, fh, self.rate) >= rh
            {
                b += self.track_step;
            } else {
                break;
            }
        }
        b
    }

    /// The span's first sample for a tone estimated to start at `start`: the tracked start
    /// less the guard, never before the oldest sample tracking could see (so tracking
    /// never widens a span into samples the streaming mode has already let through).
    fn span_start(&self, key: Key, start: u64, w: &Window) -> u64 {
        let plain = start.saturating_sub(self.guard);
        let tracked = self.track_back(key, start, w).saturating_sub(self.guard);
        plain.min(tracked.max(w.lo))
    }

    fn reset(&mut self) {
        self.power = 0.0;
        self.spans.clear();
        self.open = None;
        self.amp = None;
        self.pos = 0;
    }

    /// Take a detector event into account now (before emitting `self.pos`), with `taken`
    /// samples of the stream seen and `get` giving the samples edge tracking may look at
    /// (those of [`Core::bounds`]).
    fn apply(
        &mut self,
        ev: Event,
        taken: u64,
        get: &dyn Fn(u64) -> i16,
        on_span: &mut impl FnMut(Span),
    ) {
        let (lo, hi) = self.bounds(decided(ev), taken);
        let w = Window { lo, hi, get };
        match ev {
            Event::KeyDown { key, start, .. } => {
                let s = self.span_start(key, start, &w);
                self.open = Some((key, self.pos.saturating_sub(s)));
                self.spans.push_back((s, u64::MAX));
            }
            Event::KeyUp { press, .. } => {
                let s = self.span_start(press.key, press.start, &w);
                let e = self
                    .track_forward(press.key, press.end, &w)
                    .saturating_add(self.guard);
                let (s, unreplaced) = match self.open.take() {
                    Some((_, late)) => {
                        let mut s = s;
                        if let Some(last) = self.spans.back_mut() {
                            last.1 = e;
                            s = last.0;
                        }
                        (s, late)
                    }
                    None => {
                        self.spans.push_back((s, e));
                        (s, self.pos.saturating_sub(s))
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
        if !(cfg.track_ms.is_finite() && (0.0..=100.0).contains(&cfg.track_ms)) {
            return Err(RedactError::Track(cfg.track_ms));
        }
        let delay = ms_to_samples(delay_ms(&det, &cfg), det.sample_rate) as usize;
        let det_cfg = det.clone();
        let det = Detector::new(det)?;
        let silence = encode(0);
        Ok(Redactor {
            det,
            core: Core::new(&det_cfg, &cfg),
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
                        // The delay line holds positions `taken − d .. taken`, the oldest
                        // at `head`.
                        let (ring, head, decode, taken) =
                            (&self.ring, self.head, self.decode, self.taken);
                        // (Wrapping: a position before the line, which the bounds of
                        // `Core::bounds` never ask for, would read another sample.)
                        let get = |q: u64| {
                            let i = (head as u64).wrapping_add(q).wrapping_add(d);
                            decode(ring[(i.wrapping_sub(taken) % d) as usize])
                        };
                        self.core.apply(ev, taken, &get, &mut on_span);
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
        let d = self.ring.len();
        let n = (self.taken.min(d as u64)) as usize;
        // The oldest pending sample (position `taken − n`) is `n` slots behind the head.
        let first = (self.head + d - n) % d;
        let (ring, decode, taken) = (&self.ring, self.decode, self.taken);
        let get = |q: u64| {
            let i = (first as u64).wrapping_add(q).wrapping_add(n as u64);
            decode(ring[(i.wrapping_sub(taken) % d as u64) as usize])
        };
        while let Some(ev) = self.events.pop_front() {
            self.core.apply(ev, taken, &get, &mut on_span);
        }
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
        let get = |q: u64| x16[q as usize];
        for ev in events {
            self.core.apply(ev, x16.len() as u64, &get, &mut on_span);
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
    fn default_delay_is_80_ms() {
        for det in [
            DetectorConfig::standard(8000),
            DetectorConfig::relaxed(8000),
        ] {
            assert_eq!(delay_ms(&det, &RedactConfig::default()), 80.0);
        }
        // Longer tones to wait for: longer.
        let slow = DetectorConfig {
            min_tone_ms: 50.0,
            ..DetectorConfig::standard(8000)
        };
        assert_eq!(delay_ms(&slow, &RedactConfig::default()), 98.0);
        for rate in [8000, 16000, 44100, 48000] {
            let r =
                Redactor::<i16>::new(DetectorConfig::relaxed(rate), Default::default()).unwrap();
            assert_eq!(r.delay() as u64, ms_to_samples(80.0, rate));
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
        let bad = RedactConfig {
            track_ms: -1.0,
            ..Default::default()
        };
        assert!(matches!(
            Redactor::<i16>::new(DetectorConfig::default(), bad),
            Err(RedactError::Track(t)) if t == -1.0
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
