//! The streaming [`Redactor`] (a fixed delay line) and its whole-buffer mode.

use super::config::{delay_ms, ms_to_samples, RedactConfig, RedactError};
use super::span::{decided, Core, Span};
use crate::detector::{Detector, DetectorConfig, Event};
use crate::g711;
use crate::sample::Sample;
use std::collections::VecDeque;

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

/// A streaming redactor of one channel. See the [module](super) documentation.
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

pub(super) fn u8_from_i16(x: i16) -> u8 {
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
        self.redact_all_with(buf, &[], on_span);
    }

    /// As [`redact_all`](Self::redact_all), also replacing the `[start, end)` positions
    /// of `extra` (not reported as spans).
    #[cfg_attr(not(feature = "capture"), allow(dead_code))]
    pub(super) fn redact_all_with(
        &mut self,
        buf: &mut [T],
        extra: &[(u64, u64)],
        on_span: impl FnMut(Span),
    ) {
        let x16: Vec<i16> = buf.iter().map(|&s| (self.decode)(s)).collect();
        let encode = self.encode;
        self.redact_decoded(&x16, extra, |i, v| buf[i] = encode(v), on_span);
    }

    /// The whole-buffer mode on decoded samples: `put(index, value)` for each replaced
    /// sample; the positions of `extra` are replaced too.
    pub(super) fn redact_decoded(
        &mut self,
        x16: &[i16],
        extra: &[(u64, u64)],
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
        if !extra.is_empty() {
            self.core.spans.extend(extra.iter().filter(|s| s.0 < s.1));
            self.core.spans.make_contiguous().sort_unstable();
        }
        for (i, &x) in x16.iter().enumerate() {
            if let Some(v) = self.core.emit(x) {
                put(i, v);
            }
        }
        self.restart();
    }
}
