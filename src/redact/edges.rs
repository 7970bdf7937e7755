//! Edge tracking: widening a span past the detector's estimated edges while the key's two
//! tones are still there (see [Edge tracking](super#edge-tracking)).

use super::span::Core;
use crate::key::Key;

/// Length of the windows edge tracking measures the key's tones in, ms.
pub(super) const TRACK_WINDOW_MS: f32 = 10.0;
/// Step of edge tracking, ms.
pub(super) const TRACK_STEP_MS: f32 = 2.0;
/// A window outside the span holds the key while each of its tones is at most this far
/// below its power in the window just inside the estimated edge, dB.
pub(super) const TRACK_FLOOR_DB: f32 = 12.0;

/// The samples edge tracking may look at when an event is applied: positions `lo..=hi`,
/// through `get`. The same positions in the streaming and the whole-buffer modes: from
/// `max(decided_at, delay) + 1 − delay` (the oldest sample still in the delay line when
/// the streaming mode applies the event) to `min(decided_at, length − 1)`.
pub(super) struct Window<'a> {
    pub(super) lo: u64,
    pub(super) hi: u64,
    pub(super) get: &'a dyn Fn(u64) -> i16,
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
    /// Edge tracking before an estimated start: the earliest `b <= start` such that every
    /// window `[c − win, c)` for `c` from `start` down to `b + step`, in steps, holds both of
    /// the key's tones at no more than the floor under their power in `[start, start + win)`.
    pub(super) fn track_back(&self, key: Key, start: u64, w: &Window) -> u64 {
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
    pub(super) fn track_forward(&self, key: Key, end: u64, w: &Window) -> u64 {
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
}
