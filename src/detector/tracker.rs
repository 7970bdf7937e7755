//! The key/tone tracker: the duration state machine run once per tick with the window's
//! verdict. It places each tone's edges from tick coverage, measures durations between
//! them, bridges dropouts, confirms a key (`KeyDown`) once it has lasted long enough and
//! reports it (`KeyUp`) once its end is final.

use super::checks::Hit;
use super::explain::Sink;
use super::phasor::{power_of, round_up_half};
use super::plan::Plan;
use super::ticks::{History, Window, HIST_TICKS, WINDOW_TICKS, WIN_HIST};
use super::DetectorConfig;
use super::{Event, KeyPress, Levels};
use crate::goertzel::TABLE_SCALE;
use crate::key::Key;
use crate::level;

/// Time after a gap ends until the resumed tone is seen by a passing window, ms: the
/// window must be mostly past the gap. The end of a key is final `max_dropout_ms` + this
/// after it (≤ 50 ms with the defaults, the requirement's limit for reporting an end).
pub(super) const RESUME_MS: f32 = 12.0;
/// A history tick counts as wholly covered from this coverage on (the walk back continues).
const FULL_TICK: f32 = 0.6;
/// A tick whose coverage estimate is below this is taken as not covered at all (noise).
const COVERAGE_FLOOR: f32 = 0.15;
/// The newest tick must be covered at least this much for the tone to count as still on.
const ON_COVERAGE: f32 = 0.5;
/// A tick's power at each of a reported key's tones, as a fraction of the key's level,
/// from which the tones count as still present while the window checks fail (−10 dB; see
/// `max_held_gap_ms`).
const PRESENT: f32 = 0.1;
/// The same for a tick in which the two tones carry at least [`CLEAN_SHARE`] of the
/// energy (−14 dB): a key whose sender drops its level by 12 dB mid-tone (a softphone
/// handing over from its own generator to the network's) stays one key, while speech or
/// music left after a key, whose ticks the tones do not dominate, does not prolong it.
const PRESENT_CLEAN: f32 = 0.04;
/// Share of a tick's energy carried by the two tones for [`PRESENT_CLEAN`].
const CLEAN_SHARE: f32 = 0.6;
/// A tick's power at a tone, as a fraction of its level, from which the tone has risen
/// (−2 dB), and under which it has not yet begun to (−15 dB) (`max_rise_ms`).
const RISEN: f32 = 0.631;
const RISE_FLOOR: f32 = 0.0316;
/// A rising tick is also this much over the quietest tick before the tone has risen
/// (3 dB): music or speech in the bin before a key stays near one level and is not a rise.
const RISE_OVER_FLOOR: f32 = 2.0;
/// The tick just before a tone has risen lies at least this fraction of its level (−10 dB)
/// for the ticks before to be a rise: a swell comes up to its level, while a key switched
/// on over music that began a few ticks earlier (a plateau 12 dB under the key, over the
/// silence before) steps up from it. (−6 dB let five more flute dyads of the development
/// corpus through.)
const RISE_LAST: f32 = 0.1;
/// Ticks each tone must have risen over for its rise to count (`max_rise_ms`): a tone
/// switched on at once covers part of the tick it starts in, and the other tone's leakage
/// can put one more under [`RISEN`].
const MIN_RISE_TICKS: u8 = 2;

/// Ticks after a note's end (a tone not reported because of how it began) within which
/// the same pair is still that note (60 ms).
const NOTE_RESUME_TICKS: u64 = 15;

/// How a tone began, where that shows it is not a key (`held_tone_db`, `max_rise_ms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Onset {
    /// Both tones at once, as a key's.
    Key,
    /// The low (row) tone sounded alone before the other began.
    HeldLow,
    /// The high (column) tone sounded alone before the other began.
    HeldHigh,
    /// Both tones swelled in: their rises added up to this many ticks.
    Slow(u8),
}

/// The magnitudes of the four ticks of a window at the two frequencies of the keys the
/// duration state machine looks at: the tone in progress and the new hit's (if another).
#[derive(Clone, Copy, Debug)]
pub(super) struct Mags {
    keys: [Option<Key>; 2],
    /// Per key: the low tone's magnitudes in lanes 0..4, the high tone's in 4..8, oldest
    /// tick first.
    m: [[f32; 2 * WINDOW_TICKS]; 2],
    /// The four ticks' energies (bank units, oldest first), where wanted (a tone watched
    /// through a gap), else zero.
    pub(super) energy: [f32; WINDOW_TICKS],
}

impl Mags {
    /// No magnitudes (the state machine will not look at them).
    pub(super) const NONE: Mags = Mags {
        keys: [None; 2],
        m: [[0.0; 2 * WINDOW_TICKS]; 2],
        energy: [0.0; WINDOW_TICKS],
    };

    /// The magnitudes at `current`'s and `new`'s tones.
    #[inline]
    pub(super) fn new(w: &Window, current: Option<Key>, new: Option<Key>) -> Mags {
        let new = new.filter(|&k| Some(k) != current);
        Mags {
            keys: [current, new],
            m: [
                current.map_or([0.0; 8], |k| key_magnitudes(w, k)),
                new.map_or([0.0; 8], |k| key_magnitudes(w, k)),
            ],
            energy: [0.0; WINDOW_TICKS],
        }
    }

    /// The magnitudes at `key`'s tones (one of the two keys given to [`Mags::new`]).
    #[inline]
    fn of(&self, key: Key) -> &[f32; 2 * WINDOW_TICKS] {
        if self.keys[0] == Some(key) {
            &self.m[0]
        } else {
            &self.m[1]
        }
    }
}
#[derive(Clone, Copy, Debug)]
pub(super) struct Tone {
    pub(super) key: Key,
    /// Estimated start of the tone (reported).
    start: u64,
    /// Start as placed by the first passing window (the duration test counts from here).
    hit_start: u64,
    /// Estimated end of the covered part so far.
    last_end: u64,
    /// Set while the tone is off and the gap may still be bridged: the estimated end.
    pub(super) off_at: At,
    pub(super) confirmed: bool,
    /// Sums of amplitudes of fully covered windows (for the levels) and their count.
    sum_lo: f32,
    sum_hi: f32,
    pub(super) n_full: u32,
    /// Whether the last hit (`amp_lo`, `amp_hi`) was added to the sums: it is taken out
    /// again if the tone turns out to have ended inside that window.
    last_counted: bool,
    /// Last hit's amplitudes (used while no fully covered window has been seen).
    amp_lo: f32,
    amp_hi: f32,
    /// The tones' levels as a full tick's power |P|² (table units), for the per-tick
    /// continuation ([`Checker::held_tick`](super::checks::Checker::held_tick)); kept up to date by [`Tone::update_ref`].
    pub(super) tick_ref: [f32; 2],
    /// Ticks in which the tone was seen on (passing windows and held ticks), not counting
    /// bridged gaps: a key is reported only after `min_on_ms` of them.
    on_ticks: u16,
    /// While the end is placed (`off_at`), with `max_held_gap_ms`: bit i set if both tones
    /// were present (see [`PRESENT`]) in the tick ending i ticks before the newest.
    present: u32,
    /// Likewise before the key is reported (with `max_burst_ms`): bit i set if that tick
    /// carried at least the tones' energy without the tones (a burst over them; sixteen
    /// ticks are as far back as a tail behind a burst is looked for).
    burst: u16,
    /// Sums of each tone's measured frequency deviation over the measured passing windows
    /// before the key is reported (the first 255 of them), and their count (for
    /// `max_mean_freq_deviation`).
    dev_sum: [f32; 2],
    dev_n: u8,
    /// The smallest and largest ratio of the low tone's amplitude to the high one's over
    /// the same windows (for `max_twist_swing_db`), as their f32's upper 16 bits (within
    /// 0.03 dB; 0 before any measured window).
    twist: [u16; 2],
    /// How the tone began: unless as a key's, it is never reported.
    onset: Onset,
}

/// A sample position or none in 8 bytes (`Option<u64>` takes 16, and the detector's
/// state is kept within 656 bytes); `u64::MAX` is none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct At(u64);

impl At {
    const NONE: At = At(u64::MAX);

    #[inline(always)]
    fn new(pos: u64) -> At {
        At(pos.min(u64::MAX - 1))
    }

    #[inline(always)]
    pub(super) fn get(self) -> Option<u64> {
        (self.0 != u64::MAX).then_some(self.0)
    }

    #[inline(always)]
    pub(super) fn is_some(self) -> bool {
        self.0 != u64::MAX
    }
}

impl Tone {
    /// The tones' amplitudes (peak): the mean over fully covered windows, else the last hit.
    #[inline(always)]
    fn amplitudes(&self) -> (f32, f32) {
        if self.n_full > 0 {
            (
                self.sum_lo / self.n_full as f32,
                self.sum_hi / self.n_full as f32,
            )
        } else {
            (self.amp_lo, self.amp_hi)
        }
    }

    /// Recompute `tick_ref` after the amplitudes changed.
    #[inline(always)]
    pub(super) fn update_ref(&mut self, tick_len: usize) {
        let (al, ah) = self.amplitudes();
        let full = |a: f32| {
            let m = a * tick_len as f32 / 2.0 * TABLE_SCALE;
            m * m
        };
        self.tick_ref = [full(al), full(ah)];
    }

    /// Each tone's mean measured frequency deviation over the passing windows so far
    /// (fractions; zero before any measured window).
    pub(super) fn mean_dev(&self) -> [f32; 2] {
        let n = self.dev_n.max(1) as f32;
        [self.dev_sum[0] / n, self.dev_sum[1] / n]
    }

    /// Add a measured passing window before the report to the mean frequencies and the
    /// twist's extremes (out of line: a few windows per tone).
    #[inline(never)]
    fn measured(&mut self, h: &Hit) {
        self.dev_sum[0] += h.dev[0];
        self.dev_sum[1] += h.dev[1];
        self.dev_n += 1;
        let r = twist_bits(h);
        self.twist = if self.twist[0] > 0 {
            [self.twist[0].min(r), self.twist[1].max(r)]
        } else {
            [r, r]
        };
    }

    /// Whether what the passing windows measured so far lets the tone be reported: its
    /// mean frequencies and its twist's swing (out of line: it is asked once a tone has
    /// lasted long enough, not on every tick).
    #[inline(never)]
    fn settled(&self, plan: &Plan) -> bool {
        mean_dev_passes(self.mean_dev(), plan.config())
            && self.twist_swing() <= plan.durations.twist_swing
    }

    /// The twist's swing over the measured passing windows so far, as the ratio of the
    /// largest to the smallest amplitude ratio (1 before any measured window).
    fn twist_swing(&self) -> f32 {
        let f = |b: u16| f32::from_bits(u32::from(b) << 16);
        if self.twist[0] > 0 {
            f(self.twist[1]) / f(self.twist[0])
        } else {
            1.0
        }
    }

    fn levels(&self) -> Levels {
        let (lo, hi) = self.amplitudes();
        Levels {
            low_dbm0: level::peak_to_dbm0(lo as f64) as f32,
            high_dbm0: level::peak_to_dbm0(hi as f64) as f32,
        }
    }
}

/// The tracker's state: the tone in progress, if any, and the end of the last key reported.
#[derive(Clone, Debug)]
pub(super) struct Tracker {
    pub(super) tone: Option<Tone>,
    /// End of the last key reported: the next key's start is never placed before it (keys
    /// back to back that share a tone would otherwise reach into each other).
    prev_end: u64,
    /// The last tone not reported because of how it began: its key, how it began and its
    /// estimated end. The same pair coming back within [`NOTE_RESUME_TICKS`] (a note whose
    /// tremolo made the checks fail for a while) is the same note.
    note: Option<(Key, Onset, u64)>,
}

impl Tracker {
    pub(super) const NEW: Tracker = Tracker {
        tone: None,
        prev_end: 0,
        note: None,
    };

    /// Coverage of each window tick by `key`'s two tones (0..=1), oldest first, against the
    /// strongest tick of each tone.
    #[inline(always)]
    fn coverage(w: &Mags, key: Key) -> [f32; WINDOW_TICKS] {
        let (ml, mh) = Self::tick_magnitudes(w, key);
        let ref_l = ml.iter().copied().fold(0f32, f32::max);
        let ref_h = mh.iter().copied().fold(0f32, f32::max);
        coverage_of(&ml, &mh, (ref_l, ref_h))
    }

    /// Coverage of each window tick against the full-tick magnitudes `(ref_l, ref_h)`.
    #[inline(always)]
    fn coverage_against(w: &Mags, key: Key, refs: (f32, f32)) -> [f32; WINDOW_TICKS] {
        let (ml, mh) = Self::tick_magnitudes(w, key);
        coverage_of(&ml, &mh, refs)
    }

    /// The window ticks' magnitudes at `key`'s two frequencies.
    #[inline]
    fn tick_magnitudes(w: &Mags, key: Key) -> ([f32; WINDOW_TICKS], [f32; WINDOW_TICKS]) {
        let m = w.of(key);
        (
            core::array::from_fn(|i| m[i]),
            core::array::from_fn(|i| m[WINDOW_TICKS + i]),
        )
    }

    /// The duration state machine, run once per tick with the window's verdict.
    ///
    /// Edges come from tick coverage: a tone that starts is placed by the covered samples
    /// counted back from the newest tick, one that stops by those counted forward from the
    /// window start. A gap is bridged when the *estimated gap* (resumed start − end) is at
    /// most `max_dropout_ms`; the end of a key is final once no resumption can be pending,
    /// `max_dropout_ms` + [`RESUME_MS`] after it.
    /// `now` is the end of the newest tick; `hist` the history before the window.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn step(
        &mut self,
        plan: &Plan,
        hist: &History,
        now: u64,
        w: &Mags,
        hit: Option<Hit>,
        on_event: &mut impl Sink,
    ) {
        let l = plan.tick_len as u64;
        let window_start = now - (WINDOW_TICKS as u64 * l).min(now);
        let newest_start = now - l;

        // The tone is updated in place (`Tone` is 80 bytes); copied out only to close it.
        let (max_dropout, resume_wait) = (plan.durations.max_dropout, plan.durations.resume_wait);
        let Some(t) = self.tone.as_mut() else {
            if let Some(h) = hit {
                self.begin(plan, hist, w, h, &Self::coverage(w, h.key), now, on_event);
            }
            return;
        };
        // (Not needed, and not measured, when there is no hit and the end is placed.)
        let cov = if hit.is_some() || !t.off_at.is_some() {
            Self::coverage(w, t.key)
        } else {
            [0.0; WINDOW_TICKS]
        };
        let newest = cov[WINDOW_TICKS - 1];
        let held_gap = plan.durations.held_gap;
        let burst_ticks = plan.durations.burst_ticks;
        let watch = if t.confirmed {
            held_gap > 0
        } else {
            burst_ticks > 0
        };
        if watch && t.off_at.is_some() {
            // The newest tick's presence (a window with no magnitudes has none).
            let last = WINDOW_TICKS - 1;
            t.present = (t.present << 1) | presence(w, t, plan.tick_len)[last] as u32;
            t.burst = (t.burst << 1) | bursts(w, t, plan.tick_len)[last] as u16;
        }
        match hit {
            Some(h) if h.key == t.key && newest >= ON_COVERAGE => {
                let mut seen = 1;
                if let Some(off) = t.off_at.get() {
                    let resumed = now.saturating_sub(covered_samples(&cov, l));
                    // The gap: the time the tones were missing (all of it, unless the key
                    // was reported and `max_held_gap_ms` lets its present ticks through).
                    let gap = resumed.saturating_sub(off)
                        - present_within(t.present, now, l, off, resumed)
                            .min(resumed.saturating_sub(off));
                    if gap > max_dropout || resumed.saturating_sub(off) > max_dropout + held_gap {
                        // A real pause: the key ended; the same key starts again.
                        let t = *t;
                        self.close(t, off, now, on_event);
                        self.begin(plan, hist, w, h, &cov, now, on_event);
                        return;
                    }
                    // A window wholly after a burst (the gap's ticks as loud as the key
                    // without its tones) is a second stretch of the tone: all its covered
                    // ticks count as seen on, not only the newest.
                    seen = if !t.confirmed
                        && burst_ticks > 0
                        && burst_over(t.burst, now, l, off, resumed, burst_ticks)
                    {
                        (covered_samples(&cov, l) / l).max(1) as u16
                    } else {
                        1
                    };
                    t.off_at = At::NONE; // a dropout, bridged
                    t.present = 0;
                }
                t.last_end = newest_start + round_up_half(newest * l as f32);
                t.on_ticks = t.on_ticks.saturating_add(seen);
                t.amp_lo = h.amp_lo;
                t.amp_hi = h.amp_hi;
                if h.measured && !t.confirmed && t.dev_n < u8::MAX {
                    t.measured(&h);
                }
                // Only windows wholly inside the tone count for the levels; the newest
                // is taken out again below if the tone ended inside it.
                t.last_counted = h.measured && window_start >= t.start;
                if t.last_counted {
                    t.sum_lo += h.amp_lo;
                    t.sum_hi += h.amp_hi;
                    t.n_full += 1;
                }
                self.maybe_confirm(plan, now, on_event);
            }
            _ => {
                let off = match t.off_at.get() {
                    Some(off) => off,
                    None => {
                        // The tone ended within the window: the older ticks were on.
                        let est = window_start + covered_samples(&cov, l);
                        // Never before the last point known to be on, less a tick.
                        let off = est.clamp(t.start.max(t.last_end.saturating_sub(l)), now);
                        t.off_at = At::new(off);
                        if watch {
                            let p = presence(w, t, plan.tick_len);
                            t.present = (0..WINDOW_TICKS).fold(0, |m, i| (m << 1) | p[i] as u32);
                            let b = bursts(w, t, plan.tick_len);
                            t.burst = (0..WINDOW_TICKS).fold(0, |m, i| (m << 1) | b[i] as u16);
                        }
                        off
                    }
                };
                if std::mem::take(&mut t.last_counted) {
                    t.sum_lo -= t.amp_lo;
                    t.sum_hi -= t.amp_hi;
                    t.n_full -= 1;
                }
                let other_key = matches!(hit, Some(h) if h.key != t.key);
                let since = now - off.min(now);
                // Time the tones have been missing since the end (with `max_held_gap_ms`,
                // ticks in which both were present do not count, up to that long).
                let missing = if held_gap > 0 && t.present != 0 {
                    let present = present_within(t.present, now, l, off, now).min(since);
                    (since - present).max(since.saturating_sub(held_gap))
                } else {
                    since
                };
                if other_key || missing >= resume_wait {
                    let mut t = *t;
                    let mut end = off;
                    if !t.confirmed && burst_ticks > 0 && t.on_ticks >= 2 {
                        // A tail behind a burst, too short for a window, still counts (after
                        // two passing windows at least).
                        if let Some((tail_end, n)) =
                            after_burst(t.present, t.burst, now, l, off, burst_ticks)
                        {
                            t.last_end = tail_end;
                            t.on_ticks = t.on_ticks.saturating_add(n);
                            self.tone = Some(t);
                            self.maybe_confirm(plan, now, on_event);
                            t = self.tone.take().expect("the tone just put back");
                            end = tail_end;
                        }
                    }
                    self.close(t, end, now, on_event);
                    if let Some(h) = hit {
                        self.begin(plan, hist, w, h, &Self::coverage(w, h.key), now, on_event);
                    }
                }
            }
        }
    }

    /// End the tone `t` at `end`: report it if it was confirmed.
    #[inline(always)]
    fn close<S: Sink>(&mut self, t: Tone, end: u64, now: u64, on_event: &mut S) {
        self.tone = None;
        if !t.confirmed && t.onset != Onset::Key {
            self.note = Some((t.key, t.onset, t.last_end));
        }
        if S::EXPLAIN && !t.confirmed {
            on_event.dropped(
                t.key,
                t.hit_start,
                t.last_end,
                t.on_ticks,
                (t.mean_dev(), t.twist_swing()),
                t.onset,
            );
        }
        if t.confirmed {
            self.prev_end = end;
            on_event.event(Event::KeyUp {
                press: KeyPress {
                    key: t.key,
                    start: t.start,
                    end,
                    levels: t.levels(),
                },
                decided_at: now,
            });
        }
    }

    /// A hit while idle: a tone starts if the newest tick carries it.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn begin<S: Sink>(
        &mut self,
        plan: &Plan,
        hist: &History,
        w: &Mags,
        h: Hit,
        cov: &[f32; WINDOW_TICKS],
        now: u64,
        on_event: &mut S,
    ) {
        let l = plan.tick_len as u64;
        let newest = cov[WINDOW_TICKS - 1];
        if newest < ON_COVERAGE {
            return;
        }
        let mut hit_start = now
            .saturating_sub(covered_samples(cov, l))
            .max(self.prev_end);
        let mut on_ticks = 1;
        if plan.durations.burst_ticks > 0 && cov[0] >= FULL_TICK {
            // The window is the tone from its first tick: did it sound before a burst?
            let full = |amp: f32| amp * l as f32 / 2.0 * TABLE_SCALE;
            let refs = (full(h.amp_lo), full(h.amp_hi));
            if let Some((ticks, n)) = before_burst(plan, hist, h.key, refs) {
                let window_start = now.saturating_sub(l * WINDOW_TICKS as u64);
                hit_start = window_start
                    .saturating_sub(ticks as u64 * l)
                    .max(self.prev_end);
                // Still at least two passing windows before the key is reported, unless
                // three ticks or more before the burst stand in for the second.
                let windows_left = if n >= 3 { 1 } else { 2 };
                on_ticks +=
                    (n as u16).min(plan.durations.min_on_ticks.saturating_sub(windows_left));
            }
        }
        // The reported edge is placed against the window's measured amplitudes (steadier
        // than the strongest tick under speech), and may lie before the window: a tone
        // recognised late under speech or music. The duration test counts only from the
        // first passing window.
        let full = |amp: f32| amp * l as f32 / 2.0 * TABLE_SCALE;
        let refs = (full(h.amp_lo), full(h.amp_hi));
        let edge_cov = Self::coverage_against(w, h.key, refs);
        let mut start = now.saturating_sub(covered_samples(&edge_cov, l));
        if edge_cov[0] >= FULL_TICK {
            start = start.saturating_sub(self.covered_before_window(plan, hist, h.key, refs));
        }
        let start = start
            .min(hit_start.max(now.saturating_sub(l * WINDOW_TICKS as u64)))
            .max(self.prev_end);
        let mut onset = held_note(plan, hist, h.key, now, start, self.prev_end);
        if onset == Onset::Key {
            onset = rise(plan, hist, w, h.key, refs, now, self.prev_end);
        }
        if let Some((key, note, end)) = self.note {
            if onset == Onset::Key
                && key == h.key
                && end >= self.prev_end
                && hit_start <= end + NOTE_RESUME_TICKS * l
            {
                onset = note;
            }
        }
        if S::EXPLAIN && onset != Onset::Key {
            on_event.onset(h.key, onset);
        }
        let mut tone = Tone {
            key: h.key,
            start,
            hit_start,
            last_end: now - l + round_up_half(newest * l as f32),
            off_at: At::NONE,
            confirmed: false,
            sum_lo: 0.0,
            sum_hi: 0.0,
            n_full: 0,
            last_counted: false,
            amp_lo: h.amp_lo,
            amp_hi: h.amp_hi,
            tick_ref: [0.0; 2],
            on_ticks,
            present: 0,
            burst: 0,
            dev_sum: [0.0; 2],
            dev_n: 0,
            twist: [0; 2],
            onset,
        };
        if h.measured {
            tone.measured(&h);
        }
        self.tone = Some(tone);
        self.maybe_confirm(plan, now, on_event);
    }

    /// A tick that the continuation check passed: the key goes on through it (`now`, its
    /// end), with the key's second level measurement if one was made (`measured`).
    #[inline(always)]
    pub(super) fn continued(
        &mut self,
        plan: &Plan,
        now: u64,
        measured: Option<[f32; 2]>,
        on_event: &mut impl Sink,
    ) {
        if let Some(t) = self.tone.as_mut() {
            t.last_end = now;
            t.last_counted = false;
            t.on_ticks = t.on_ticks.saturating_add(1);
            if let Some([lo, hi]) = measured {
                // The previous window was wholly inside the tone (it was counted), so
                // this one is.
                (t.amp_lo, t.amp_hi) = (lo, hi);
                t.sum_lo += lo;
                t.sum_hi += hi;
                t.n_full += 1;
                t.update_ref(plan.tick_len);
            }
        }
        self.maybe_confirm(plan, now, on_event);
    }

    /// Samples of `key`'s tone in the history ticks just before the window, walking back
    /// from the newest while the ticks are wholly covered (the first partial one is the
    /// tone's start).
    #[inline(always)]
    fn covered_before_window(
        &self,
        plan: &Plan,
        hist: &History,
        key: Key,
        (ref_l, ref_h): (f32, f32),
    ) -> u64 {
        let (kl, kh) = (key.row(), key.col() + 4);
        let (ref_l, ref_h) = (ref_l * ref_l, ref_h * ref_h);
        if ref_l <= 0.0 || ref_h <= 0.0 {
            return 0;
        }
        let l = plan.tick_len as f32;
        let mut covered = 0.0;
        for j in 1..=HIST_TICKS {
            let t = hist.before(j);
            let c = 0.5
                * ((power_of(t[kl]) / ref_l).sqrt().min(1.0)
                    + (power_of(t[kh]) / ref_h).sqrt().min(1.0));
            if c < COVERAGE_FLOOR {
                break;
            }
            covered += c * l;
            if c < FULL_TICK {
                break;
            }
        }
        round_up_half(covered)
    }

    /// Report `KeyDown` once the tone in progress has lasted `min_tone_ms`.
    #[inline(always)]
    fn maybe_confirm(&mut self, plan: &Plan, now: u64, on_event: &mut impl Sink) {
        if let Some(t) = self.tone.as_mut() {
            if !t.confirmed
                && t.last_end.saturating_sub(t.hit_start) >= plan.durations.min_tone
                && t.on_ticks >= plan.durations.min_on_ticks
                && t.settled(plan)
                && t.onset == Onset::Key
            {
                t.confirmed = true;
                on_event.event(Event::KeyDown {
                    key: t.key,
                    start: t.start,
                    decided_at: now,
                    levels: t.levels(),
                });
            }
        }
    }
}

/// The tone of `key` before a burst: walking back through the history from the tick before
/// the window, at most `burst_ticks` ticks that do not carry the key's tones, then the
/// ticks that do (each tone's power within ±3 dB of its full-tick magnitude in `refs`, and
/// the strongest of its group by the dominance limit). Returns the ticks from the window's
/// start back to the first of those and how many there are, if at least two.
fn before_burst(
    plan: &Plan,
    hist: &History,
    key: Key,
    (ref_l, ref_h): (f32, f32),
) -> Option<(usize, usize)> {
    let (kl, kh) = (key.row(), key.col() + 4);
    let (ref_l, ref_h) = (ref_l * ref_l, ref_h * ref_h);
    if ref_l <= 0.0 || ref_h <= 0.0 {
        return None;
    }
    let carries = |t: &[u8; 8]| {
        let p: [f32; 8] = core::array::from_fn(|k| power_of(t[k]));
        let level = |k: usize, r: f32| p[k] >= 0.5 * r && p[k] <= 2.0 * r;
        level(kl, ref_l) && level(kh, ref_h)
    };
    let mut j = 1;
    while j <= plan.durations.burst_ticks && j <= HIST_TICKS && !carries(hist.before(j)) {
        j += 1;
    }
    if j == 1 {
        return None; // no burst: the tone simply goes on before the window
    }
    let gap = j - 1;
    let mut n = 0;
    while j <= HIST_TICKS && carries(hist.before(j)) {
        n += 1;
        j += 1;
    }
    (n >= 2).then_some((gap + n, n))
}

/// Which of `key`'s tones, if either, sounded alone before the tone's `start` (see
/// `DetectorConfig::held_tone_db`). The window looked at is the one ending a tick before
/// `start`, compared with the newest (the first passing window, at `now`); none if it is
/// beyond the window history or reaches back into the previous key (ending at `prev_end`).
fn held_note(plan: &Plan, hist: &History, key: Key, now: u64, start: u64, prev_end: u64) -> Onset {
    let ratio = plan.durations.held_tone;
    if ratio <= 0.0 {
        return Onset::Key;
    }
    let l = plan.tick_len as u64;
    // The window ending at or before a tick before the start: k ticks before the newest.
    let k = now.saturating_sub(start.saturating_sub(l)).div_ceil(l);
    let Some(w_start) = now.checked_sub((k + WINDOW_TICKS as u64) * l) else {
        return Onset::Key;
    };
    if k as usize >= WIN_HIST || w_start < prev_end {
        return Onset::Key;
    }
    let (kl, kh) = (key.row(), key.col() + 4);
    let (cur, before) = (hist.window_before(0), hist.window_before(k as usize));
    // Each tone's power before, relative to its power in the passing window.
    let share = |k: usize| power_of(before[k]) / power_of(cur[k]);
    let (rl, rh) = (share(kl), share(kh));
    if rl >= ratio && rh <= ratio * rl {
        Onset::HeldLow
    } else if rh >= ratio && rl <= ratio * rh {
        Onset::HeldHigh
    } else {
        Onset::Key
    }
}

/// Whether both of `key`'s tones swelled into the first passing window (the newest, at
/// `now`) instead of starting at once (see `DetectorConfig::max_rise_ms`). `refs` are the
/// tones' full-tick magnitudes at their levels in that window; the ticks looked at are the
/// history's and the window's, oldest first, not reaching back into the previous key
/// (ending at `prev_end`).
fn rise(
    plan: &Plan,
    hist: &History,
    w: &Mags,
    key: Key,
    (ref_l, ref_h): (f32, f32),
    now: u64,
    prev_end: u64,
) -> Onset {
    let max = plan.durations.rise_ticks;
    if max == u16::MAX || ref_l <= 0.0 || ref_h <= 0.0 {
        return Onset::Key;
    }
    const N: usize = HIST_TICKS + WINDOW_TICKS;
    let since_prev = (now.saturating_sub(prev_end) / plan.tick_len as u64) as usize;
    let first = N.saturating_sub(since_prev);
    let (ml, mh) = Tracker::tick_magnitudes(w, key);
    // The rise of the tone at bin `k`, with window tick magnitudes `m` and level `r`.
    let rise_of = |k: usize, m: &[f32; WINDOW_TICKS], r: f32| -> u8 {
        // The tick powers, oldest first.
        let h = hist.bin_powers(k);
        let p: [f32; N] = core::array::from_fn(|i| {
            if i < HIST_TICKS {
                h[i]
            } else {
                m[i - HIST_TICKS] * m[i - HIST_TICKS]
            }
        });
        let p = &p[first..];
        let level = r * r;
        let Some(risen) = p.iter().position(|&v| v >= RISEN * level) else {
            return 0;
        };
        let before = &p[..risen];
        // A swell comes up to its level; a key steps up from what was in the bin.
        if before.last().is_some_and(|&v| v < RISE_LAST * level) {
            return 0;
        }
        // The ticks before it that lie 2–15 dB under the level and 3 dB over the quietest
        // of them: a steady background in the bin is not a rise.
        let floor = before.iter().copied().fold(f32::INFINITY, f32::min);
        let from = (RISE_FLOOR * level).max(RISE_OVER_FLOOR * floor);
        let rising = |v: f32| v >= from && v < RISEN * level;
        before.iter().rev().take_while(|&&v| rising(v)).count() as u8
    };
    let lo = rise_of(key.row(), &ml, ref_l);
    if lo < MIN_RISE_TICKS {
        return Onset::Key;
    }
    let hi = rise_of(key.col() + 4, &mh, ref_h);
    if hi >= MIN_RISE_TICKS && u16::from(lo + hi) > max {
        Onset::Slow(lo + hi)
    } else {
        Onset::Key
    }
}

/// Whether both of `t`'s tones are present in each window tick (oldest first): for a
/// reported key each tick's power at each tone at least [`PRESENT`] of the key's level, or
/// at least [`PRESENT_CLEAN`] of it with the two tones carrying [`CLEAN_SHARE`] of the
/// tick's energy; before it is reported, within ±3 dB of it (as [`before_burst`] asks).
#[inline]
fn presence(w: &Mags, t: &Tone, tick_len: usize) -> [bool; WINDOW_TICKS] {
    let (ml, mh) = Tracker::tick_magnitudes(w, t.key);
    let [rl, rh] = t.tick_ref;
    if !t.confirmed {
        let within = |m: f32, r: f32| m * m >= 0.5 * r && m * m <= 2.0 * r;
        return core::array::from_fn(|i| {
            rl > 0.0 && rh > 0.0 && within(ml[i], rl) && within(mh[i], rh)
        });
    }
    core::array::from_fn(|i| {
        let (pl, ph) = (ml[i] * ml[i], mh[i] * mh[i]);
        let loud = pl >= PRESENT * rl && ph >= PRESENT * rh;
        let clean = pl >= PRESENT_CLEAN * rl
            && ph >= PRESENT_CLEAN * rh
            && tone_energy(pl + ph, tick_len) >= CLEAN_SHARE * w.energy[i];
        rl > 0.0 && rh > 0.0 && (loud || clean)
    })
}

/// Whether each window tick holds at least the energy of `t`'s two tones at their level
/// (something as loud as the key in that tick: a burst, where the tones are missing).
#[inline]
fn bursts(w: &Mags, t: &Tone, tick_len: usize) -> [bool; WINDOW_TICKS] {
    let tones = tone_energy(t.tick_ref[0] + t.tick_ref[1], tick_len);
    core::array::from_fn(|i| tones > 0.0 && w.energy[i] >= tones)
}

/// The energy over a tick (bank units, Σx²/16) of tones whose full-tick powers |P|² add up
/// to `power`: a tone with |P|² has peak A = |P| / (L/2 · TABLE_SCALE) and energy
/// A²/2 · L / 16.
#[inline(always)]
fn tone_energy(power: f32, tick_len: usize) -> f32 {
    let m = tick_len as f32 / 2.0 * TABLE_SCALE;
    power / (m * m) * tick_len as f32 / 32.0
}

/// A tone that came back behind a burst and was too short for a window: in `mask` (bit
/// i: the tick ending i ticks before `now`), after the end `off`, one to `burst_ticks`
/// ticks without the tones and then at least two with them. Returns the end of those and
/// how many there are.
fn after_burst(
    mask: u32,
    burst: u16,
    now: u64,
    l: u64,
    off: u64,
    burst_ticks: usize,
) -> Option<(u64, u16)> {
    // Ticks starting at or after the end (within half a tick), oldest first.
    let ticks = ((now.saturating_sub(off) + l / 2) / l) as usize;
    if ticks > 16 {
        return None; // the end is beyond the burst mask
    }
    let bit = |i: usize| mask >> i & 1 != 0;
    let mut i = ticks;
    let mut gap = 0;
    while i > 0 && !bit(i - 1) {
        if burst >> (i - 1) & 1 == 0 {
            return None; // the tones faded or stopped: no burst over them
        }
        gap += 1;
        i -= 1;
    }
    if gap == 0 || gap > burst_ticks {
        return None;
    }
    let mut n = 0;
    while i > 0 && bit(i - 1) {
        n += 1;
        i -= 1;
    }
    (n >= 2).then(|| (now - i as u64 * l, n as u16))
}

/// Whether the gap `[off, resumed)` of a tone is one to `burst_ticks` ticks, each a burst
/// in `burst` (bit i: the tick ending i ticks before `now`; a tick counts as in the gap if
/// at least half of it is).
fn burst_over(burst: u16, now: u64, l: u64, off: u64, resumed: u64, burst_ticks: usize) -> bool {
    // Ticks ending i ticks before `now`, i in [first, last]: those whose middle lies in the
    // gap.
    let first = (now.saturating_sub(resumed) + l / 2) / l;
    let last = (now.saturating_sub(off) + l / 2) / l;
    if last <= first || last - first > burst_ticks as u64 || last > 16 {
        return false;
    }
    (first..last).all(|i| burst >> i & 1 != 0)
}

/// Samples of `[from, to)` covered by the ticks whose bits are set in `mask` (bit i: the
/// tick ending i ticks before `now`).
fn present_within(mask: u32, now: u64, l: u64, from: u64, to: u64) -> u64 {
    let mut sum = 0;
    let mut m = mask;
    let mut end = now;
    while m != 0 && end > from {
        let start = end.saturating_sub(l);
        if m & 1 != 0 {
            sum += end.min(to).saturating_sub(start.max(from));
        }
        m >>= 1;
        end = start;
    }
    sum
}

/// Coverage (0..=1, floored) of each tick from its magnitudes at the two tones.
#[inline]
fn coverage_of(
    ml: &[f32; WINDOW_TICKS],
    mh: &[f32; WINDOW_TICKS],
    (ref_l, ref_h): (f32, f32),
) -> [f32; WINDOW_TICKS] {
    if ref_l <= 0.0 || ref_h <= 0.0 {
        return [0.0; WINDOW_TICKS];
    }
    core::array::from_fn(|m| {
        let v = 0.5 * (ml[m] / ref_l + mh[m] / ref_h);
        if v < COVERAGE_FLOOR {
            0.0
        } else {
            v.min(1.0)
        }
    })
}

/// The magnitudes `|X|` of the four ticks of a window at `key`'s two frequencies: the low
/// tone's in lanes 0..4, the high tone's in 4..8, oldest first (eight lanes: vectorises).
#[inline]
fn key_magnitudes(w: &Window, key: Key) -> [f32; 2 * WINDOW_TICKS] {
    let (kl, kh) = (key.row(), key.col() + 4);
    let (t0, t1, t2, t3) = (w[0], w[1], w[2], w[3]);
    let re = [
        t0.re[kl], t1.re[kl], t2.re[kl], t3.re[kl], t0.re[kh], t1.re[kh], t2.re[kh], t3.re[kh],
    ];
    let im = [
        t0.im[kl], t1.im[kl], t2.im[kl], t3.im[kl], t0.im[kh], t1.im[kh], t2.im[kh], t3.im[kh],
    ];
    core::array::from_fn(|i| (re[i] * re[i] + im[i] * im[i]).sqrt())
}

/// Samples covered by a tone in the window's ticks, by their coverage estimates.
fn covered_samples(cov: &[f32; WINDOW_TICKS], tick_len: u64) -> u64 {
    round_up_half(cov.iter().sum::<f32>() * tick_len as f32)
}

/// Whether a tone's mean frequency deviations `dev` (fractions) pass: each within
/// `max_mean_freq_deviation`, or both within `max_common_drift` and within [`DRIFT_SPREAD`]
/// of each other (0 turns either off).
pub(super) fn mean_dev_passes([lo, hi]: [f32; 2], cfg: &DetectorConfig) -> bool {
    let limit = cfg.max_mean_freq_deviation;
    let drift = cfg.max_common_drift;
    limit == 0.0
        || (lo.abs() <= limit && hi.abs() <= limit)
        || (lo.abs() <= drift && hi.abs() <= drift && (lo - hi).abs() <= DRIFT_SPREAD)
}

/// How far apart the two tones' mean deviations may lie for `max_common_drift`: a clock or
/// speed error moves both by the same fraction, and each mean is good to about ±0.4 %.
const DRIFT_SPREAD: f32 = 0.008;

/// A measured window's ratio of the low tone's amplitude to the high one's, as its f32's
/// upper 16 bits (positive: the bits order as the values do).
fn twist_bits(h: &Hit) -> u16 {
    ((h.amp_lo / h.amp_hi).to_bits() >> 16) as u16
}
