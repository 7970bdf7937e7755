//! The replaced spans: what is reported ([`Span`]) and the per-position state shared by the
//! streaming and the whole-buffer modes (`Core`), which turns detector events into spans.

use super::config::{delay_ms, ms_to_samples, Fill, RedactConfig};
use super::edges::{Window, TRACK_FLOOR_DB, TRACK_STEP_MS, TRACK_WINDOW_MS};
use crate::detector::{DetectorConfig, Event};
use crate::key::Key;
use std::collections::VecDeque;

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

/// The per-position decisions shared by the streaming and the whole-buffer modes.
#[derive(Clone, Debug)]
pub(super) struct Core {
    pub(super) guard: u64,
    pub(super) fill: Fill,
    pub(super) gain: f32,
    pub(super) seed: u64,
    pub(super) reveal: bool,
    /// Coefficient of the 20 ms exponential average of the passed samples' power.
    pub(super) alpha: f32,
    /// That average (mean square, 16-bit units).
    pub(super) power: f32,
    /// Spans not wholly emitted, in order of start: `[start, end)`; `end == u64::MAX` while
    /// the key is still down.
    pub(super) spans: VecDeque<(u64, u64)>,
    /// The key down and its span's samples already emitted when it was reported.
    pub(super) open: Option<(Key, u64)>,
    /// Noise RMS of the span being emitted.
    pub(super) amp: Option<f32>,
    /// Next position to emit.
    pub(super) pos: u64,
    /// The streaming delay, samples.
    pub(super) delay: u64,
    /// Edge tracking: the largest widening, the window and the step (samples), the floor
    /// (a power ratio) and the sample rate.
    pub(super) track_max: u64,
    pub(super) track_win: u64,
    pub(super) track_step: u64,
    pub(super) track_floor: f32,
    pub(super) rate: u32,
}

impl Core {
    pub(super) fn new(det: &DetectorConfig, cfg: &RedactConfig) -> Core {
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
    pub(super) fn bounds(&self, decided_at: u64, taken: u64) -> (u64, u64) {
        let lo = decided_at.max(self.delay) + 1 - self.delay;
        (lo, decided_at.min(taken.saturating_sub(1)))
    }

    /// The span's first sample for a tone estimated to start at `start`: the tracked start
    /// less the guard, never before the oldest sample tracking could see (so tracking
    /// never widens a span into samples the streaming mode has already let through).
    pub(super) fn span_start(&self, key: Key, start: u64, w: &Window) -> u64 {
        let plain = start.saturating_sub(self.guard);
        let tracked = self.track_back(key, start, w).saturating_sub(self.guard);
        plain.min(tracked.max(w.lo))
    }

    pub(super) fn reset(&mut self) {
        self.power = 0.0;
        self.spans.clear();
        self.open = None;
        self.amp = None;
        self.pos = 0;
    }

    /// Take a detector event into account now (before emitting `self.pos`), with `taken`
    /// samples of the stream seen and `get` giving the samples edge tracking may look at
    /// (those of [`Core::bounds`]).
    pub(super) fn apply(
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
}

pub(super) fn decided(ev: Event) -> u64 {
    match ev {
        Event::KeyDown { decided_at, .. } | Event::KeyUp { decided_at, .. } => decided_at,
    }
}
