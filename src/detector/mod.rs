//! The streaming DTMF receiver.
//!
//! # How it decides
//!
//! The stream is cut into **ticks** of 4 ms (`L` = rate / 250 samples, rounded). For every
//! tick the filter bank gives the complex response at the eight DTMF frequencies and the tick's
//! energy. Every tick, the last four ticks (a 16 ms **window**) are checked:
//!
//! 1. *Level*: the strongest tone of each group is at least [`DetectorConfig::min_level_dbm0`].
//! 2. *Group dominance*: in each group the strongest tone beats the runner-up by
//!    [`DetectorConfig::min_dominance_db`] (rejects two tones of one group).
//! 3. *Frequency*: the phase advance between the window's two halves measures each tone's
//!    actual frequency to about a hertz (under strong twist, after the louder tone's
//!    leakage into the weaker one's bin is taken out of both halves: 8 ms bins are 125 Hz
//!    wide, and 1209 Hz leaks into 770 Hz at −21 dB); both must lie within
//!    [`DetectorConfig::max_freq_deviation`] of nominal (accepts ±1.5 %, rejects ±3.5 %).
//!    The advance from the previous window (a tick earlier) measures it again with the
//!    16 ms window's resolution; the two must agree within 16 Hz, which rejects a third
//!    tone the 8 ms halves would mix in and tones beyond the halves' ±62.5 Hz range.
//!    The amplitudes are then corrected for the window's response at that offset and for
//!    each tone's leakage into the other's bin (a 2×2 solve).
//! 4. *Twist* within [`DetectorConfig::max_normal_twist_db`] /
//!    [`DetectorConfig::max_reverse_twist_db`].
//! 5. *Purity*: the two tones carry at least [`DetectorConfig::min_tone_ratio`] of the
//!    window's energy (rejects noise, speech, music, third tones, dial tones). Above 8 kHz
//!    the energy is measured through a boxcar low-pass to about 0–4 kHz, the band the
//!    requirements' SNR is defined over. For a new key, a steady background (a dial tone,
//!    see `floor`) or the background heard in the loudest window before the key
//!    ([`DetectorConfig::background_share`]; the history keeps the last twelve windows'
//!    energies for this) is left out of that energy, up to a limit: what was already on
//!    the line does not make the key less of a key, while a chord's other notes come in
//!    with it.
//!
//! A window that passes is a *hit*. Each tick's own response, compared with the tone's
//! full-tick response, tells how much of the tick the tone covered, which places the tone's
//! **edges** to a fraction of a tick. Durations are measured between these edges, not by
//! counting hits: a tone is reported once it has lasted
//! [`DetectorConfig::min_tone_ms`] (rejects ≤ 23 ms blips, accepts ≥ 40 ms tones, and
//! reports within 50 ms of the tone's start), and a gap shorter than
//! [`DetectorConfig::max_dropout_ms`] is bridged (10 ms dropouts are one key; 40 ms pauses
//! separate keys). It must also have been seen on for 20 ms, bridged gaps not counted: a few
//! passing windows of music strung together by the bridge are not a key. A 24 ms history of
//! quantised tick powers lets the start edge of a key that was only recognised late (under
//! speech or music) be placed where it really began; the duration test still counts from
//! the first passing window.
//!
//! A tone that lasts is still not reported when what it measured over its passing windows,
//! or how it began, shows a played or sung note rather than a key:
//!
//! * a tone's frequency averaged over the passing windows is beyond
//!   [`DetectorConfig::max_mean_freq_deviation`] (vibrato and chorus wander in and out of
//!   the per-window limit), unless both tones lie off together
//!   ([`DetectorConfig::max_common_drift`]: a clock or speed error);
//! * the twist swung across those windows by more than
//!   [`DetectorConfig::max_twist_swing_db`] (two notes fading each its own way; a key's
//!   tones keep their ratio);
//! * one tone already sounded at about its level before the other began
//!   ([`DetectorConfig::held_tone_db`]; the window history keeps the powers of the last
//!   twelve windows for this);
//! * both tones swelled in over several ticks ([`DetectorConfig::max_rise_ms`]).
//!
//! A tone of the same pair that comes back within 60 ms of one held back by the last two is
//! the same note.
//!
//! Once a key is reported, a quicker check holds it while its bins stay the strongest:
//! level, dominance, twist and purity on the uncorrected amplitudes, with some hysteresis,
//! and the window-to-window frequency within the limit.
//!
//! # Doing less per tick
//!
//! Most ticks need none of this (the work per tick, not per sample, is what costs; see the
//! README's performance section):
//!
//! * **Quiet ticks.** With no tone in progress (or only one whose end is placed and that
//!   waits for a possible resumption), the window checks are skipped when the window is
//!   under the level for any key, when its newest tick is too quiet for a tone to be seen
//!   starting or resuming in it, or — no tone at all — when its first half is too quiet for
//!   a new key (which must be in both halves). The two bounds are exact (Cauchy–Schwarz on
//!   the tick's energy against the response a passing window needs; idle noise under about
//!   −62 dBFS), so these skips change nothing.
//! * **Tick-by-tick continuation.** While a key is on — reported, or not yet but with one
//!   window wholly inside it passed by the full checks — a tick that alone carries both
//!   tones at the key's measured levels (−1.9 … +1.9 dB), at its frequencies (tick-to-tick
//!   phase advance within the limit) and with the purity threshold (the hold one once
//!   reported, the full one before) continues it without the window checks. Before the
//!   key is reported the tick must also be 1.5 dB inside the level and twist limits and
//!   within 60 % of the deviation limit: near the limits the window checks decide, as
//!   always. A tone that changes, ends, or gets speech or noise over it fails the tick
//!   check and goes back to the window checks. The key's second level measurement is made
//!   in the continuation with the full checks' offsets and solve.
//! * **Batches of whole ticks.** Below 16 kHz the kernels of up to seven whole ticks of a call
//!   run first, in one call (with AVX-512, the tables stay in registers), and then those
//!   ticks' analyses, in order: the same events as tick by tick, whatever the framing.
//! * **AVX2.** On CPUs that have it, the per-sample loop (kernel calls and per-tick
//!   analysis) and the f32/G.711 input conversions run compiled for AVX2 (the same code;
//!   without FMA contraction the results are the same bits, which tests check).
//!
//! State is at most 656 bytes per channel; the per-rate tables live in a shared [`Plan`].
//!
//! # Layout
//!
//! One file per stage, each with its own state:
//!
//! | stage | file | state in [`Detector`] |
//! |---|---|---|
//! | settings and their error | `config.rs` | — |
//! | per-rate tables and limits, grouped by unit | `plan.rs` ([`Plan`]) | shared `Arc<Plan>` |
//! | tick assembly, batches, band energy, window ring, start history | `ticks.rs` | `asm`, `ring`, `hist` |
//! | window checks and per-tick continuation, one threshold set | `checks.rs` | `prev` |
//! | the two tones' amplitudes (leakage solve) | `solve.rs` | — |
//! | key/tone tracker: edges, durations, confirmation | `tracker.rs` | `tracker` |
//! | phasor and number helpers with their oracle tests | `phasor.rs` | — |
//!
//! `mod.rs` holds the entry points and the per-tick pipeline that joins the stages; the
//! code compiled for AVX2 is in the crate's SIMD wing, the input conversions in [`io`](crate::io).

mod checks;
mod config;
mod explain;
mod floor;
mod highpass;
mod phasor;
mod plan;
mod solve;
mod ticks;
mod tracker;

pub use config::{DetectorConfig, DetectorConfigError};
pub use explain::{Explainer, Reason, Rejection};
pub use plan::Plan;

use crate::g711;
use crate::key::Key;
use crate::sample::Sample;
use crate::simd::Compiled;
use checks::{Checker, PrevWindow, TickView};
use explain::Sink;
use phasor::energy_f32;
use std::sync::Arc;
use ticks::{Assembly, History, Resp, Ring, WINDOW_TICKS};
use tracker::{Mags, Tracker};

/// Measured levels of a key's two tones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Levels {
    /// Low-group (row) tone level, dBm0.
    pub low_dbm0: f32,
    /// High-group (column) tone level, dBm0.
    pub high_dbm0: f32,
}

impl Levels {
    /// Twist in dB: low − high (positive = normal twist).
    pub fn twist_db(&self) -> f32 {
        self.low_dbm0 - self.high_dbm0
    }
}

/// A complete key: its tone's estimated true edges and levels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeyPress {
    /// The key.
    pub key: Key,
    /// Estimated first sample of the tone (sample index from the start of the stream).
    pub start: u64,
    /// Estimated end of the tone (one past its last sample).
    pub end: u64,
    /// The levels, averaged over the tone.
    pub levels: Levels,
}

impl KeyPress {
    /// Start time in milliseconds at `sample_rate`.
    pub fn start_ms(&self, sample_rate: u32) -> f64 {
        self.start as f64 * 1000.0 / sample_rate as f64
    }
    /// End time in milliseconds at `sample_rate`.
    pub fn end_ms(&self, sample_rate: u32) -> f64 {
        self.end as f64 * 1000.0 / sample_rate as f64
    }
}

/// What the detector reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// A key went down: reported as soon as the tone has lasted `min_tone_ms` (use it for
    /// barge-in).
    KeyDown {
        /// The key.
        key: Key,
        /// Estimated first sample of the tone.
        start: u64,
        /// The sample position at which the detector decided (the end of the tick that
        /// confirmed it); `decided_at − start` is the detection latency.
        decided_at: u64,
        /// Levels measured so far.
        levels: Levels,
    },
    /// The key's tone ended (or the stream was flushed while it was on).
    KeyUp {
        /// The complete key.
        press: KeyPress,
        /// The sample position at which the end was decided.
        decided_at: u64,
    },
}

/// The streaming receiver. Feed it frames of any length; it calls back with [`Event`]s.
///
/// ```
/// use touchtone::{Detector, DetectorConfig, Event, Generator, GeneratorConfig};
/// let pcm = Generator::new(GeneratorConfig::default()).unwrap().render_str("42#").unwrap();
/// let mut det = Detector::new(DetectorConfig::default()).unwrap();
/// let mut keys = String::new();
/// for frame in pcm.chunks(160) {
///     det.process(frame, |ev| {
///         if let Event::KeyUp { press, .. } = ev {
///             keys.push(press.key.to_char());
///         }
///     });
/// }
/// det.finish(|_| {});
/// assert_eq!(keys, "42#");
/// ```
#[derive(Clone, Debug)]
pub struct Detector {
    plan: Arc<Plan>,
    /// The tick being assembled.
    asm: Assembly,
    /// The window's three older ticks.
    ring: Ring,
    /// Quantised powers of the ticks before the window.
    hist: History,
    /// The previous window's measurement.
    prev: PrevWindow,
    /// The key/tone tracker.
    tracker: Tracker,
    /// The steady background (for the purity check of a new key).
    floor: floor::Floor,
    /// The input high-pass's state (with [`DetectorConfig::highpass_hz`]).
    hp: highpass::State,
}

impl Detector {
    /// A detector with its own plan.
    ///
    /// # Errors
    /// [`DetectorConfigError`] naming the bad field and value.
    pub fn new(cfg: DetectorConfig) -> Result<Detector, DetectorConfigError> {
        Ok(Detector::with_plan(Arc::new(Plan::new(cfg)?)))
    }

    /// A detector sharing a plan with others (one plan per rate and config).
    pub fn with_plan(plan: Arc<Plan>) -> Detector {
        Detector {
            plan,
            asm: Assembly::NEW,
            ring: Ring::NEW,
            hist: History::NEW,
            prev: PrevWindow::NEW,
            floor: floor::Floor::NEW,
            tracker: Tracker::NEW,
            hp: highpass::State::NEW,
        }
    }

    /// The config.
    pub fn config(&self) -> &DetectorConfig {
        &self.plan.cfg
    }

    /// The shared plan.
    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    /// Samples consumed since the start (or the last [`finish`](Self::finish)/[`reset`](Self::reset)).
    pub fn position(&self) -> u64 {
        self.asm.ticks * self.plan.tick_len as u64 + self.asm.pos as u64
    }

    /// Forget everything and start a new stream at position 0.
    pub fn reset(&mut self) {
        *self = Detector::with_plan(self.plan.clone());
    }

    /// Feed a frame of samples (`i16`, or `f32` in [−1, 1]); `on_event` is called for each
    /// event the frame completes. Frames may have any length; the events are identical
    /// however the stream is cut. No heap allocation.
    pub fn process<S: Sample>(&mut self, frame: &[S], mut on_event: impl FnMut(Event)) {
        self.process_sink(frame, &mut on_event);
    }

    /// [`Detector::process`] into any [`Sink`] (events, and with [`Explainer`] the
    /// rejected candidates).
    fn process_sink<S: Sample>(&mut self, frame: &[S], on_event: &mut impl Sink) {
        if let Some(x) = S::as_i16_slice(frame) {
            self.process_i16(x, on_event);
        } else {
            let mut buf = [0i16; 256];
            for chunk in frame.chunks(buf.len()) {
                let out = &mut buf[..chunk.len()];
                self.convert(chunk, out, S::to_i16);
                self.process_i16(out, on_event);
            }
        }
    }

    /// Feed G.711 μ-law bytes (decoded as the standard table, [`g711::ULAW_TABLE`]).
    pub fn process_ulaw(&mut self, bytes: &[u8], mut on_event: impl FnMut(Event)) {
        self.process_bytes(bytes, g711::ulaw_lane, &mut on_event);
    }

    /// Feed G.711 A-law bytes (decoded as the standard table, [`g711::ALAW_TABLE`]).
    pub fn process_alaw(&mut self, bytes: &[u8], mut on_event: impl FnMut(Event)) {
        self.process_bytes(bytes, g711::alaw_lane, &mut on_event);
    }

    fn process_bytes(
        &mut self,
        bytes: &[u8],
        decode: impl Fn(u8) -> i16,
        on_event: &mut impl Sink,
    ) {
        let mut buf = [0i16; 256];
        for chunk in bytes.chunks(buf.len()) {
            let out = &mut buf[..chunk.len()];
            self.convert(chunk, out, &decode);
            self.process_i16(out, on_event);
        }
    }

    /// `out[i] = f(x[i])` through the input layer's conversion, compiled for AVX2 when
    /// the CPU has it.
    #[inline(always)]
    fn convert<T: Copy>(&self, x: &[T], out: &mut [i16], f: impl Fn(T) -> i16) {
        crate::io::to_i16(self.plan.avx2, x, out, f);
    }

    fn process_i16(&mut self, x: &[i16], on_event: &mut impl Sink) {
        if let Some(c) = self.plan.highpass {
            let mut buf = [0i16; 256];
            for chunk in x.chunks(buf.len()) {
                let out = &mut buf[..chunk.len()];
                self.hp.run(&c, chunk, out);
                self.process_i16_filtered(out, on_event);
            }
            return;
        }
        self.process_i16_filtered(x, on_event);
    }

    /// [`Detector::process_i16`] after the input high-pass (if any).
    fn process_i16_filtered(&mut self, x: &[i16], on_event: &mut impl Sink) {
        if let Some(t) = self.plan.avx2 {
            self.avx2(t, x, on_event);
            return;
        }
        self.process_i16_body(x, on_event);
    }

    /// [`Detector::process_i16`]'s work: the kernel over each tick's samples, and the
    /// per-tick analysis at each tick's end (inlined into each compiled version of it; one
    /// call site of the analysis per rate class).
    #[inline(always)]
    fn process_i16_body(&mut self, x: &[i16], on_event: &mut impl Sink) {
        if self.plan.band.group == 1 {
            self.process_ticks(x, on_event);
        } else {
            self.process_groups(x, on_event);
        }
    }

    /// End of stream: the partial tick is completed with silence and silence is fed until
    /// any key that is on has ended; its `KeyUp` is reported. The detector is then reset to
    /// position 0 for a new stream.
    pub fn finish(&mut self, mut on_event: impl FnMut(Event)) {
        self.finish_sink(&mut on_event);
    }

    /// [`Detector::finish`] into any [`Sink`].
    fn finish_sink(&mut self, on_event: &mut impl Sink) {
        let l = self.plan.tick_len;
        let zeros = [0i16; 64];
        // Window, dropout bridge and a margin, in ticks.
        let max_ticks = WINDOW_TICKS as u64
            + 2
            + self.plan.durations.resume_wait / l as u64
            + (self.plan.durations.min_tone / l as u64);
        let mut fed = 0;
        while self.asm.pos != 0 || (self.tracker.tone.is_some() && fed < max_ticks) {
            let n = (l - self.asm.pos).min(zeros.len());
            let before = self.asm.ticks;
            self.process_i16(&zeros[..n], on_event);
            fed += self.asm.ticks - before;
        }
        self.reset();
    }
    /// The per-tick analysis of the tick whose correlations are `acc` and whose energy (in
    /// the bank's units; band-limited from 16 kHz) is `tick_energy_q`, at the end of each
    /// tick (inlined into [`Detector::process_ticks`] and [`Detector::process_groups`]).
    #[inline(always)]
    fn end_tick(&mut self, acc: &[i32; 16], tick_energy_q: u64, on_event: &mut impl Sink) {
        let plan = &*self.plan;
        let newest = Resp::from_sums(acc, plan.scale.acc);
        let order = self.ring.order();
        let tick_energy = energy_f32(tick_energy_q);
        let energy = self.ring.energy_sum() + tick_energy;
        self.asm.ticks += 1;
        let placed = self.tracker.tone.as_ref().map(|t| t.off_at.is_some());
        if placed.is_none() {
            self.floor.idle(energy);
        } else {
            self.floor.busy();
        }
        let checker = Checker {
            plan,
            th: &plan.thresholds,
            prev: &self.prev,
            background: self.floor.value(),
            floor: &self.floor,
            hist: &self.hist,
        };
        // (A match, not a closure: the compiler may leave a closure out of line.)
        let held = match self.tracker.tone.as_ref() {
            Some(t) => {
                let tick = TickView {
                    newest: &newest,
                    before: self.ring.tick(order[2]),
                    energy_q: tick_energy_q,
                };
                checker.held_tick(t, &tick)
            }
            None => None,
        };
        if let Some(bins) = held {
            self.hist.push_window([0; 8], None);
            self.continue_held(&newest, order, bins, on_event);
        } else if ((energy < plan.quiet.min_window_energy)
            | (tick_energy_q < plan.quiet.tick)
            | (placed.is_none()
                & (self.ring.energy(order[0]) + self.ring.energy(order[1]) < plan.quiet.half)))
            & (placed != Some(false))
        {
            // No tone in progress, or only one whose end is already placed, and either the
            // window is too quiet for any key or its newest tick is too quiet to carry one
            // (a window can then pass, but no tone can start or resume in it), or, with no
            // tone at all, its first half is too quiet to carry one (a new key must be in
            // both halves): no hit.
            self.prev.forget();
            // Not measured: usable as the background before a key only when too quiet to
            // hold any key's tones, and not while a tone is followed.
            let e = (placed.is_none() & (energy < plan.quiet.min_window_energy)).then_some(energy);
            self.hist.push_window([0; 8], e);
            if placed.is_some() {
                let now = self.now();
                self.tracker
                    .step(plan, &self.hist, now, &Mags::NONE, None, on_event);
            }
        } else {
            self.check_window(&newest, order, energy, tick_energy, on_event);
        }
        // The oldest tick leaves the window for the history; the newest takes its slot.
        self.ring.push(order, newest, tick_energy, &mut self.hist);
    }

    /// The end of the newest tick, samples.
    #[inline(always)]
    fn now(&self) -> u64 {
        self.asm.ticks * self.plan.tick_len as u64
    }

    /// A tick that the continuation check passed: the key goes on through the newest tick.
    /// No window response is kept (`prev.x` is zeroed), except when the key's second level
    /// measurement is made here (the same operations as the full checks).
    #[inline(always)]
    fn continue_held(
        &mut self,
        newest: &Resp,
        order: [usize; 3],
        bins: [u8; 2],
        on_event: &mut impl Sink,
    ) {
        let plan = &*self.plan;
        let wanted = self.tracker.tone.as_ref().is_some_and(|t| t.n_full == 1);
        let window = (&self.ring, order, newest);
        let measured = checks::second_measurement(plan, &mut self.prev, wanted, window, bins);
        let now = self.asm.ticks * plan.tick_len as u64;
        self.tracker.continued(plan, now, measured, on_event);
    }

    /// The window checks and the duration state machine for the window ending with `newest`
    /// (the ring's other ticks in `order`).
    #[inline(always)]
    fn check_window<S: Sink>(
        &mut self,
        newest: &Resp,
        order: [usize; 3],
        energy: f32,
        tick_energy: f32,
        on_event: &mut S,
    ) {
        let plan = &*self.plan;
        let tone = self.tracker.tone.as_ref();
        // Hysteresis only for a confirmed key: a candidate must pass the full checks.
        let held = tone.filter(|t| t.confirmed).map(|t| t.key);
        let w = self.ring.window(order, newest);
        let sums = checks::Sums::of(plan, &w);
        let mut bins = [0u8; 8];
        phasor::log_powers(&sums.x, &mut bins);
        if tone.is_none() && self.floor.steady_so_far() {
            // The background's powers at the eight frequencies (see `floor`).
            self.floor.idle_bins(&bins);
        }
        // A window while a tone is followed is not the background before another key.
        self.hist
            .push_window(bins, tone.is_none().then_some(energy));
        let checker = Checker {
            plan,
            th: &plan.thresholds,
            prev: &self.prev,
            background: self.floor.value(),
            floor: &self.floor,
            hist: &self.hist,
        };
        if S::EXPLAIN {
            let now = self.asm.ticks * plan.tick_len as u64;
            let open = tone.filter(|t| !t.confirmed).map(|t| t.key);
            on_event.window(plan, now, open, checker.explain(&w, energy, held));
        }
        let (hit, prev) = checker.analyze(&sums, energy, held);
        // The state machine needs the window's magnitudes only while a tone is in progress
        // or starts.
        // A tone whose end is already placed needs them only if it resumes (a hit).
        let current = tone.map(|t| t.key);
        let placed = tone.is_some_and(|t| t.off_at.is_some());
        // (Unless a reported key's present ticks are bridged: `max_held_gap_ms`.)
        // (And a tail behind a burst: `max_burst_ms`.)
        let watched = tone.is_some_and(|t| {
            if t.confirmed {
                plan.durations.held_gap > 0
            } else {
                plan.durations.burst_ticks > 0
            }
        });
        let mags: Option<Mags> = match (current, hit) {
            (None, None) => None,
            (Some(_), None) if placed && !watched => Some(Mags::NONE),
            _ => Some(Mags::new(&w, current, hit.map(|h| h.key))),
        };
        let mags = mags.map(|mut m| {
            if watched {
                let e = &self.ring;
                m.energy = [
                    e.energy(order[0]),
                    e.energy(order[1]),
                    e.energy(order[2]),
                    tick_energy,
                ];
            }
            m
        });
        match prev {
            Some((bins, x)) => {
                self.prev.bins = bins;
                self.prev.x = x;
            }
            None => self.prev.forget(),
        }
        if let Some(mags) = &mags {
            let now = self.asm.ticks * plan.tick_len as u64;
            self.tracker
                .step(plan, &self.hist, now, mags, hit, on_event);
            if let Some(t) = self.tracker.tone.as_mut() {
                t.update_ref(plan.tick_len);
            }
        }
    }
}

/// [`Detector::process_i16_body`] as a routine the SIMD wing compiles for AVX2.
impl<S: Sink> Compiled<[i16], S> for Detector {
    #[inline(always)]
    fn run(&mut self, x: &[i16], on_event: &mut S) {
        self.process_i16_body(x, on_event);
    }
}

/// Convenience: decode a whole buffer of 16-bit samples at `sample_rate` with the default
/// settings and return the complete keys.
///
/// # Errors
/// [`DetectorConfigError::SampleRate`] for a rate outside 8 000–48 000 Hz.
pub fn detect<S: Sample>(
    sample_rate: u32,
    samples: &[S],
) -> Result<Vec<KeyPress>, DetectorConfigError> {
    let mut det = Detector::new(DetectorConfig::with_rate(sample_rate))?;
    let mut out = Vec::new();
    let mut push = |ev| {
        if let Event::KeyUp { press, .. } = ev {
            out.push(press)
        }
    };
    det.process(samples, &mut push);
    det.finish(&mut push);
    Ok(out)
}

#[cfg(test)]
mod tests;
