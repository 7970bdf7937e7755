//! The key/tone tracker: the duration state machine run once per tick with the window's
//! verdict. It places each tone's edges from tick coverage, measures durations between
//! them, bridges dropouts, confirms a key (`KeyDown`) once it has lasted long enough and
//! reports it (`KeyUp`) once its end is final.

use super::checks::Hit;
use super::explain::Sink;
use super::phasor::{power_of, round_up_half};
use super::plan::Plan;
use super::ticks::{History, Window, HIST_TICKS, WINDOW_TICKS};
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

/// The magnitudes of the four ticks of a window at the two frequencies of the keys the
/// duration state machine looks at: the tone in progress and the new hit's (if another).
#[derive(Clone, Copy, Debug)]
pub(super) struct Mags {
    keys: [Option<Key>; 2],
    /// Per key: the low tone's magnitudes in lanes 0..4, the high tone's in 4..8, oldest
    /// tick first.
    m: [[f32; 2 * WINDOW_TICKS]; 2],
}

impl Mags {
    /// No magnitudes (the state machine will not look at them).
    pub(super) const NONE: Mags = Mags {
        keys: [None; 2],
        m: [[0.0; 2 * WINDOW_TICKS]; 2],
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
    pub(super) off_at: Option<u64>,
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
}

impl Tracker {
    pub(super) const NEW: Tracker = Tracker {
        tone: None,
        prev_end: 0,
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

        // The tone is updated in place (`Tone` is 64 bytes); copied out only to close it.
        let (max_dropout, resume_wait) = (plan.durations.max_dropout, plan.durations.resume_wait);
        let Some(t) = self.tone.as_mut() else {
            if let Some(h) = hit {
                self.begin(plan, hist, w, h, &Self::coverage(w, h.key), now, on_event);
            }
            return;
        };
        // (Not needed, and not measured, when there is no hit and the end is placed.)
        let cov = if hit.is_some() || t.off_at.is_none() {
            Self::coverage(w, t.key)
        } else {
            [0.0; WINDOW_TICKS]
        };
        let newest = cov[WINDOW_TICKS - 1];
        match hit {
            Some(h) if h.key == t.key && newest >= ON_COVERAGE => {
                if let Some(off) = t.off_at {
                    let resumed = now.saturating_sub(covered_samples(&cov, l));
                    if resumed.saturating_sub(off) > max_dropout {
                        // A real pause: the key ended; the same key starts again.
                        let t = *t;
                        self.close(t, off, now, on_event);
                        self.begin(plan, hist, w, h, &cov, now, on_event);
                        return;
                    }
                    t.off_at = None; // a dropout, bridged
                }
                t.last_end = newest_start + round_up_half(newest * l as f32);
                t.on_ticks = t.on_ticks.saturating_add(1);
                t.amp_lo = h.amp_lo;
                t.amp_hi = h.amp_hi;
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
                let off = match t.off_at {
                    Some(off) => off,
                    None => {
                        // The tone ended within the window: the older ticks were on.
                        let est = window_start + covered_samples(&cov, l);
                        // Never before the last point known to be on, less a tick.
                        let off = est.clamp(t.start.max(t.last_end.saturating_sub(l)), now);
                        t.off_at = Some(off);
                        off
                    }
                };
                if std::mem::take(&mut t.last_counted) {
                    t.sum_lo -= t.amp_lo;
                    t.sum_hi -= t.amp_hi;
                    t.n_full -= 1;
                }
                let other_key = matches!(hit, Some(h) if h.key != t.key);
                if other_key || now - off.min(now) >= resume_wait {
                    let t = *t;
                    self.close(t, off, now, on_event);
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
        if S::EXPLAIN && !t.confirmed {
            on_event.dropped(t.key, t.hit_start, t.last_end);
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
    fn begin(
        &mut self,
        plan: &Plan,
        hist: &History,
        w: &Mags,
        h: Hit,
        cov: &[f32; WINDOW_TICKS],
        now: u64,
        on_event: &mut impl Sink,
    ) {
        let l = plan.tick_len as u64;
        let newest = cov[WINDOW_TICKS - 1];
        if newest < ON_COVERAGE {
            return;
        }
        let hit_start = now
            .saturating_sub(covered_samples(cov, l))
            .max(self.prev_end);
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
        self.tone = Some(Tone {
            key: h.key,
            start,
            hit_start,
            last_end: now - l + round_up_half(newest * l as f32),
            off_at: None,
            confirmed: false,
            sum_lo: 0.0,
            sum_hi: 0.0,
            n_full: 0,
            last_counted: false,
            amp_lo: h.amp_lo,
            amp_hi: h.amp_hi,
            tick_ref: [0.0; 2],
            on_ticks: 1,
        });
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
