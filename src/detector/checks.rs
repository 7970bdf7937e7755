//! The window checks and the per-tick continuation: the onset check ([`Checker::judge`]),
//! the hold check of a reported key ([`Checker::hold`]) and the tick-by-tick continuation
//! ([`Checker::held_tick`]), all reading one [`Thresholds`] set.
//!
//! The checks speak one vocabulary: *level* (the strongest tone of each group against the
//! minimum), *dominance* (strongest against runner-up in its group), *frequency* (phase
//! advance within the deviation limit), *twist* (low against high tone power) and *purity*
//! (the two tones' share of the energy). Each has a value for a new key, one for a key
//! continuing (hysteresis), and for the tick-by-tick continuation of a key not yet reported
//! a stricter one, so that near the limits the window checks decide.
//!
//! The checks read their limits only through [`Checker::th`]: a second threshold set (a
//! profile) is a second [`Thresholds`] in the [`Plan`] handed to the [`Checker`].

use super::config::DetectorConfig;
use super::floor::Floor;
use super::phasor::{
    any_below, energy_f32, fast_arg, log_power, mul_conj, top2, unit, unit_squared, ArgLimit,
};
use super::plan::Plan;
use super::solve::{may_leak, tone_amplitudes, unleak_halves};
use super::ticks::{History, Resp, Ring, WINDOW_TICKS, WIN_HIST};
use super::tracker::Tone;
use crate::goertzel::TABLE_SCALE;
use crate::key::{Key, ALL_FREQS};
use crate::simd::Avx2;
use num_complex::Complex32;

/// While a key continues, its purity threshold is this fraction of `min_tone_ratio` and its
/// dominance threshold half of `min_dominance_db` (in dB).
const HOLD_RATIO_FACTOR: f32 = 0.7;
/// Largest disagreement between the half-window and window-to-window frequency
/// measurements, Hz: each is good to about 2 Hz inside a key, the window-to-window one to
/// about 12 Hz while the previous window is only partly covered at a tone's start.
const AGREE_HZ: f64 = 16.0;
/// Sum of the two tones' measured peaks (16-bit units) from which they are taken as
/// clipped: a little under full scale, as clipping lowers the measured fundamentals.
const CLIPPED_PEAK_SUM: f32 = 30000.0;
/// Purity threshold for clipped keys, as a fraction of `min_tone_ratio`: a +3 dBm0 key clipped
/// at 16-bit full scale keeps 0.79–0.88 of its power in the two fundamentals.
const CLIPPED_RATIO_FACTOR: f32 = 0.9;
/// Range of a held key's tick power, as a fraction of its measured level, within which the
/// tick alone continues it (−1.9 / +1.9 dB).
const HELD_TICK_MIN: f32 = 0.65;
const HELD_TICK_MAX: f32 = 1.55;
/// Margin (dB) inside the twist and level limits for a key not yet reported to continue tick
/// by tick (see [`Twist::strict_hi`]).
const STRICT_MARGIN_DB: f32 = 1.5;
/// Largest share of a steady background's power at the eight DTMF frequencies for it to
/// be left out of a new key's purity check (see [`Checker::floor_out_of_band`]).
const OUT_OF_BAND: f32 = 0.1;
/// No bin (in [`PrevWindow::bins`]).
const NO_BIN: u8 = u8::MAX;

/// The limits of the window checks and the per-tick continuation, in the units the checks
/// compare (powers as |X|², ratios of powers, phase limits). Built once per [`Plan`].
#[derive(Clone, Debug)]
pub(super) struct Thresholds {
    pub(super) level: Level,
    pub(super) dominance: Dominance,
    pub(super) twist: Twist,
    pub(super) freq: Freq,
    pub(super) purity: Purity,
    /// The octave check: a pair with |f_hi − 2·f_lo| < this × f_hi is a note and its
    /// second harmonic (`max_octave_ratio_error`; 0 = off).
    pub(super) octave: f32,
    /// Hz per radian-per-sample of offset (fs / 2π).
    pub(super) hz_per_rad: f32,
}

/// Why a window failed the full checks, with the raw measurement (converted to the public
/// [`Reason`](super::explain::Reason) only when explaining).
#[derive(Clone, Copy, Debug)]
pub(super) enum Reject {
    /// A tone under the minimum level (amplitudes, peak sample units).
    Level([f32; 2]),
    /// The runner-up of a group too close: strongest / runner-up power, the smaller of
    /// the two groups.
    Dominance(f32),
    /// A tone not in both halves of the window (it starts, stops or changes in it).
    Halves,
    /// A tone's offset from nominal (radians per sample) beyond the limit; group 0 low,
    /// 1 high.
    Frequency(usize, f32),
    /// The two frequency measurements disagree (a third tone, or a tone beyond ±62.5 Hz).
    Agree(usize),
    /// Low / high tone power outside the twist limits.
    Twist(f32),
    /// A note and its octave: measured f_hi / f_lo.
    Octave(f32),
    /// The tones' share of the energy, and the threshold it missed.
    Purity(f32, f32),
}

/// Level limits.
#[derive(Clone, Copy, Debug)]
pub(super) struct Level {
    /// Minimum |X|² (window response, table units) for a tone at the minimum level.
    pub(super) min_x2: f32,
    /// The minimum tone amplitude (peak, sample units): √min_x2 · x_to_amp.
    pub(super) min_amp: f32,
    /// Minimum tone power (table units, full tick) for a key not yet reported continuing
    /// tick by tick: [`STRICT_MARGIN_DB`] above the minimum level.
    pub(super) strict_tick_power: f32,
}

/// Dominance limits: the strongest tone's power against the runner-up's in its group.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dominance {
    /// For a new key.
    pub(super) new: f32,
    /// While a key continues (hysteresis: half the dB).
    pub(super) held: f32,
}

/// Twist limits: low tone power against high tone power.
#[derive(Clone, Copy, Debug)]
pub(super) struct Twist {
    pub(super) hi: f32,
    pub(super) lo: f32,
    /// For a key not yet reported continuing tick by tick: [`STRICT_MARGIN_DB`] inside the
    /// window checks' own, beyond a tick's measurement error (±0.6 dB leakage per tone,
    /// 0.3 dB offset loss).
    pub(super) strict_hi: f32,
    pub(super) strict_lo: f32,
}

/// Frequency limits, as phase advances per frequency.
#[derive(Clone, Copy, Debug)]
pub(super) struct Freq {
    /// Largest half-window phase advance (δ·2L) within the deviation limit.
    pub(super) max_adv: [ArgLimit; 8],
    /// Largest disagreement between the two frequency measurements, as half-window phase.
    pub(super) agree: ArgLimit,
    /// tan of the largest window-to-window phase advance (δ·L).
    pub(super) hold_tan: [f32; 8],
    /// The same for a key not yet reported continuing tick by tick: 60 % of the limit (the
    /// window checks judge the offsets near the limit).
    pub(super) strict_tan: [f32; 8],
}

/// Purity limits: the two tones' share of the energy.
#[derive(Clone, Copy, Debug)]
pub(super) struct Purity {
    /// Of a window, for a new key.
    pub(super) window: f32,
    /// Of a window while a key continues (hysteresis).
    pub(super) window_held: f32,
    /// Of a window whose tones must be clipped.
    pub(super) clipped: f32,
    /// Of a single tick against its energy E (Σ⌊x²/16⌋): the tones' full-tick powers
    /// |P|²·gain must reach this × E (before the key is reported, and once it is). |P|² =
    /// (A·L/2·TABLE_SCALE)² for a tone of peak A, and the tick's mean square is 16·E/L, so
    /// this is min_ratio · 2 · (16/L) · (L/2·TABLE_SCALE)².
    pub(super) tick: f32,
    pub(super) tick_held: f32,
    /// The least share of a new key's window energy counted against it when the
    /// background before it is left out (1 − `background_share`).
    pub(super) keep: f32,
}

impl Thresholds {
    /// The thresholds of `cfg` for ticks of `tick_len` samples; `min_amp` is the minimum
    /// tone amplitude (peak, sample units), `min_x2` the matching |X|² and `x_to_amp` the
    /// scale from window |X| to amplitude.
    pub(super) fn new(
        cfg: &DetectorConfig,
        tick_len: usize,
        min_amp: f64,
        min_x2: f64,
        x_to_amp: f64,
    ) -> Thresholds {
        let fs = cfg.sample_rate as f64;
        let rad_per_hz = (2.0 * core::f64::consts::PI * 2.0 * tick_len as f64 / fs) as f32;
        let window_advance = |f: f64| {
            2.0 * core::f64::consts::PI * f * cfg.max_freq_deviation as f64 / fs * tick_len as f64
        };
        Thresholds {
            level: Level {
                min_x2: min_x2 as f32,
                min_amp: (min_x2 as f32).sqrt() * x_to_amp as f32,
                strict_tick_power: {
                    let m = min_amp * tick_len as f64 / 2.0 * TABLE_SCALE as f64;
                    (m * m * 10f64.powf(STRICT_MARGIN_DB as f64 / 10.0)) as f32
                },
            },
            dominance: Dominance {
                new: 10f32.powf(cfg.min_dominance_db / 10.0),
                held: 10f32.powf(cfg.min_dominance_db / 20.0),
            },
            twist: Twist {
                hi: 10f32.powf(cfg.max_normal_twist_db / 10.0),
                lo: 10f32.powf(-cfg.max_reverse_twist_db / 10.0),
                strict_hi: 10f32.powf((cfg.max_normal_twist_db - STRICT_MARGIN_DB) / 10.0),
                strict_lo: 10f32.powf(-(cfg.max_reverse_twist_db - STRICT_MARGIN_DB) / 10.0),
            },
            freq: Freq {
                max_adv: core::array::from_fn(|k| {
                    ArgLimit::new(cfg.max_freq_deviation * ALL_FREQS[k] as f32 * rad_per_hz)
                }),
                agree: ArgLimit::new(
                    (2.0 * core::f64::consts::PI * AGREE_HZ * 2.0 * tick_len as f64 / fs) as f32,
                ),
                hold_tan: ALL_FREQS.map(|f| window_advance(f).tan() as f32),
                strict_tan: ALL_FREQS.map(|f| (0.6 * window_advance(f)).tan() as f32),
            },
            octave: cfg.max_octave_ratio_error,
            hz_per_rad: (fs / (2.0 * core::f64::consts::PI)) as f32,
            purity: Purity {
                window: cfg.min_tone_ratio,
                window_held: cfg.min_tone_ratio * HOLD_RATIO_FACTOR,
                clipped: cfg.min_tone_ratio * CLIPPED_RATIO_FACTOR,
                tick: tick_purity(cfg.min_tone_ratio, tick_len),
                tick_held: tick_purity(cfg.min_tone_ratio * HOLD_RATIO_FACTOR, tick_len),
                keep: 1.0 - cfg.background_share,
            },
        }
    }
}

/// [`Purity::tick`] for a purity threshold `ratio`.
fn tick_purity(ratio: f32, tick_len: usize) -> f32 {
    let l = tick_len as f64;
    let m = l / 2.0 * TABLE_SCALE as f64;
    (ratio as f64 * 2.0 * (16.0 / l) * m * m) as f32
}

/// What one window (or a held tick) says.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hit {
    pub(super) key: Key,
    pub(super) amp_lo: f32,
    pub(super) amp_hi: f32,
    /// Whether the amplitudes are the full measurement (frequency-corrected, leakage
    /// removed) rather than the quick one of a held key's continuation check.
    pub(super) measured: bool,
    /// The tones' measured frequencies as deviations from nominal (fractions; zero when
    /// not `measured`).
    pub(super) dev: [f32; 2],
}

/// The previous window's responses at its strongest bin of each group (for the
/// window-to-window frequency measurement), and those bins (`NO_BIN` if none). Zero
/// responses after ticks continued by [`Checker::held_tick`] (no window measured).
#[derive(Clone, Copy, Debug)]
pub(super) struct PrevWindow {
    pub(super) x: [Complex32; 2],
    pub(super) bins: [u8; 2],
}

impl PrevWindow {
    pub(super) const NEW: PrevWindow = PrevWindow {
        x: [Complex32::new(0.0, 0.0); 2],
        bins: [NO_BIN; 2],
    };

    /// No window to measure against (its response is kept, unused).
    #[inline(always)]
    pub(super) fn forget(&mut self) {
        self.bins = [NO_BIN; 2];
    }
}

/// One window as the checks see it: its response and its halves' at the eight
/// frequencies, its energy and its strongest bins.
#[derive(Clone, Copy, Debug)]
pub(super) struct WindowView<'a> {
    /// The window's energy (Σx²/16 units, band-limited from 16 kHz).
    pub(super) energy: f32,
    /// The window's response, and its two halves' (each relative to its own start).
    pub(super) x: &'a Resp,
    pub(super) half_a: &'a Resp,
    pub(super) half_b: &'a Resp,
    /// The strongest bin of each group (low 0..4, high 4..8).
    pub(super) bins: [usize; 2],
    /// Their |X|², and the runner-up's in each group.
    pub(super) peak: [f32; 2],
    pub(super) runner_up: [f32; 2],
    /// The key of those bins.
    pub(super) key: Key,
}

/// One tick as the continuation check sees it.
#[derive(Clone, Copy, Debug)]
pub(super) struct TickView<'a> {
    /// The tick's response.
    pub(super) newest: &'a Resp,
    /// The tick before it.
    pub(super) before: &'a Resp,
    /// Its energy in the bank's units.
    pub(super) energy_q: u64,
}

/// The checks with their plan, thresholds and the previous window's measurement.
#[derive(Clone, Copy)]
pub(super) struct Checker<'a> {
    pub(super) plan: &'a Plan,
    pub(super) th: &'a Thresholds,
    pub(super) prev: &'a PrevWindow,
    /// The steady background's window energy (see `floor`), 0 for none.
    pub(super) background: f32,
    /// The background's window powers at the eight frequencies (was the key already
    /// there?).
    pub(super) floor: &'a Floor,
    /// The windows before this one (energies and powers at the eight frequencies).
    pub(super) hist: &'a History,
}

impl<'a> Checker<'a> {
    /// The energy of the background before a new `key` whose tones have window powers
    /// `m_lo`, `m_hi`: the loudest window before this one, not overlapping it, in which
    /// neither tone stood within 10 dB of its power now (0: none in the history; see
    /// `DetectorConfig::background_share`).
    fn background_before(&self, key: Key, m_lo: f32, m_hi: f32) -> f32 {
        let (lo, hi) = (key.row(), key.col() + 4);
        // Compared quantised (to 0.75 dB): under 10 dB below, rounded down.
        let (q_lo, q_hi) = (log_power(0.1 * m_lo), log_power(0.1 * m_hi));
        let mut bg = 0f32;
        for k in WINDOW_TICKS..WIN_HIST {
            let b = self.hist.window_before(k);
            if b[lo] < q_lo && b[hi] < q_hi {
                if let Some(e) = self.hist.energy_before(k) {
                    bg = bg.max(e);
                }
            }
        }
        bg
    }

    /// Run the window checks. While `current` (the key of the tone in progress) continues,
    /// the dominance and purity checks are relaxed (hysteresis), so speech or music under a
    /// key does not cut it; a new key always has to pass the full checks.
    /// Also returns the window's responses at the strongest bin of each group, for the next
    /// tick's frequency measurement.
    #[allow(clippy::type_complexity)]
    #[inline(always)]
    pub(super) fn analyze(
        &self,
        sums: &Sums,
        energy: f32,
        current: Option<Key>,
    ) -> (Option<Hit>, Option<([u8; 2], [Complex32; 2])>) {
        let plan = self.plan;
        if energy < plan.quiet.min_window_energy {
            return (None, None);
        }
        let Sums { a, b, x: xs } = sums;
        let mag2: [f32; 8] = core::array::from_fn(|k| xs.re[k] * xs.re[k] + xs.im[k] * xs.im[k]);
        // (The strongest values come out of `top2x2` too: no load of `mag2[lo]` on the way to
        // the first check.)
        let [(lo, m_lo, lo2), (hi, m_hi, hi2)] = crate::simd::top2x2(&mag2);
        let hi = hi + 4;
        let this = ([lo as u8, hi as u8], [xs.get(lo), xs.get(hi)]);
        let key = Key::from_row_col(lo, hi - 4).expect("row and column are 0..4");
        let view = WindowView {
            energy,
            x: xs,
            half_a: a,
            half_b: b,
            bins: [lo, hi],
            peak: [m_lo, m_hi],
            runner_up: [lo2, hi2],
            key,
        };
        let hit = if current == Some(key) && self.prev.bins == this.0 {
            self.hold(&view)
        } else {
            self.judge(&view, current).ok()
        };
        (hit, Some(this))
    }

    /// The full checks' verdict on window `w` for explaining a candidate (not on the
    /// decoding path): the key of its strongest bins and either the hit or why it failed;
    /// `None` when no key's tones are at the minimum level (nothing to explain).
    pub(super) fn explain(
        &self,
        w: &super::ticks::Window,
        energy: f32,
        current: Option<Key>,
    ) -> Option<(Key, Result<Hit, Reject>)> {
        if energy < self.plan.quiet.min_window_energy {
            return None;
        }
        let Sums { a, b, x: xs } = Sums::of(self.plan, w);
        let mag2: [f32; 8] = core::array::from_fn(|k| xs.re[k] * xs.re[k] + xs.im[k] * xs.im[k]);
        let (lo, m_lo, lo2) = top2(&[mag2[0], mag2[1], mag2[2], mag2[3]]);
        let (hi, m_hi, hi2) = top2(&[mag2[4], mag2[5], mag2[6], mag2[7]]);
        let min = self.th.level.min_x2;
        if m_lo < min || m_hi < min {
            return None;
        }
        let key = Key::from_row_col(lo, hi).expect("row and column are 0..4");
        let view = WindowView {
            energy,
            x: &xs,
            half_a: &a,
            half_b: &b,
            bins: [lo, hi + 4],
            peak: [m_lo, m_hi],
            runner_up: [lo2, hi2],
            key,
        };
        Some((key, self.judge(&view, current)))
    }

    /// The continuation check of a reported key whose bins are still the strongest: its
    /// frequencies and twist were measured when it was recognised; while it lasts, level,
    /// dominance and purity (with the hysteresis thresholds, on the uncorrected amplitudes)
    /// say whether it is still there. A quarter of the full check's work.
    #[inline(always)]
    pub(super) fn hold(&self, v: &WindowView) -> Option<Hit> {
        let (plan, th) = (self.plan, self.th);
        let [m_lo, m_hi] = v.peak;
        let [lo, hi] = v.bins;
        if m_lo < th.level.min_x2 || m_hi < th.level.min_x2 {
            return None;
        }
        if m_lo < th.dominance.held * v.runner_up[0] || m_hi < th.dominance.held * v.runner_up[1] {
            return None;
        }
        // Twist on the uncorrected amplitudes, which a ±2.5 % offset shifts by up to
        // 3 dB: with that much room (hysteresis), a held key keeps its measured twist.
        if m_lo > th.twist.hi * 2.0 * m_hi || m_lo < th.twist.lo * 0.5 * m_hi {
            return None;
        }
        // Still the same frequencies: the window-to-window advance e^{jδL} within the
        // deviation limit, |arg| ≤ θ_k ⇔ re > 0 and |im| ≤ tan θ_k · re; after ticks held
        // by the tick check (which keeps no window response: `prev.x` is zero), the
        // advance between the window's halves, e^{jδ2L}, as the full checks measure it.
        for (i, &k) in [lo, hi].iter().enumerate() {
            if self.prev.x[i] == Complex32::new(0.0, 0.0) {
                let z = mul_conj(v.half_b.get(k), v.half_a.get(k)) * plan.rot.two[k];
                if !th.freq.max_adv[k].contains(z) {
                    return None;
                }
                continue;
            }
            let w = v.x.get(k) * self.prev.x[i].conj() * plan.rot.tick[k];
            if w.re <= 0.0 || w.im.abs() > th.freq.hold_tan[k] * w.re {
                return None;
            }
        }
        let s = plan.scale.x_to_amp * plan.scale.x_to_amp;
        let gain = &plan.band.gain;
        let tone_power = (m_lo * gain[lo] + m_hi * gain[hi]) * s / 2.0;
        if tone_power < th.purity.window_held * v.energy * plan.scale.energy_to_power {
            return None;
        }
        Some(Hit {
            key: v.key,
            amp_lo: m_lo.sqrt() * plan.scale.x_to_amp,
            amp_hi: m_hi.sqrt() * plan.scale.x_to_amp,
            measured: false,
            dev: [0.0; 2],
        })
    }

    /// The full checks on one window (the onset check); `current` is the key of the tone in
    /// progress (its dominance and purity get the hysteresis thresholds).
    #[inline(always)]
    pub(super) fn judge(&self, v: &WindowView, current: Option<Key>) -> Result<Hit, Reject> {
        let (plan, th) = (self.plan, self.th);
        let [m_lo, m_hi] = v.peak;
        let [lo, hi] = v.bins;
        let key = v.key;
        let (dominance, min_ratio) = if current == Some(key) {
            (th.dominance.held, th.purity.window_held)
        } else {
            (th.dominance.new, th.purity.window)
        };
        // Level and dominance in one branch (`any_below`): on speech which of them fails
        // changes from window to window.
        let min = th.level.min_x2 * 0.25;
        if any_below(
            [m_lo, m_hi, m_lo, m_hi],
            [
                min,
                min,
                dominance * v.runner_up[0],
                dominance * v.runner_up[1],
            ],
        ) {
            return Err(if m_lo < min || m_hi < min {
                Reject::Level([m_lo.sqrt(), m_hi.sqrt()].map(|m| m * plan.scale.x_to_amp))
            } else {
                Reject::Dominance((m_lo / v.runner_up[0]).min(m_hi / v.runner_up[1]))
            });
        }
        // Frequency. (1) Between the window's halves: each half is relative to its own start;
        // for a tone at ω+δ, b·conj(a) = |·|² e^{j(ω+δ)2L}, and r² = e^{−jω2L} leaves
        // e^{jδ2L} (unambiguous to ±1/(4·tick) = ±62.5 Hz). This is the deviation check.
        // (2) Between this window and the previous one, a tick earlier: X·conj(X₋₁)·r =
        // |·|² e^{jδL}. The 16 ms windows resolve a third tone that the 8 ms halves mix in
        // (941 + 1000 Hz reads as 941 + 22 Hz between halves, but 941 + 0 Hz here), so this
        // one, when the previous window had the same bins, sets the amplitude correction:
        // a mix is then not inflated into passing the purity check.
        let same_bins = self.prev.bins == [lo as u8, hi as u8];
        let k = [lo, hi];
        // The halves' responses without the other tone's leakage (under strong twist it
        // would make the weaker tone seem to change between them).
        let mut half_a = [v.half_a.get(lo), v.half_a.get(hi)];
        let mut half_b = [v.half_b.get(lo), v.half_b.get(hi)];
        let mut na = half_a.map(|c| c.norm_sqr());
        let mut nb = half_b.map(|c| c.norm_sqr());
        if may_leak([na[0] + nb[0], na[1] + nb[1]], k) {
            (half_a, half_b) = unleak_halves(plan, half_a, half_b, k);
            na = half_a.map(|c| c.norm_sqr());
            nb = half_b.map(|c| c.norm_sqr());
        }
        // Both halves must carry each tone (about equal magnitude).
        for i in 0..2 {
            if na[i] < 0.25 * nb[i] || nb[i] < 0.25 * na[i] {
                return Err(Reject::Halves);
            }
        }
        let mut u = [Complex32::new(1.0, 0.0); 2];
        let mut delta = [0f32; 2];
        for i in 0..2 {
            let k = k[i];
            // e^{jδ2L}; the deviation: |arg z| within the limit.
            let z = mul_conj(half_b[i], half_a[i]) * plan.rot.two[k];
            if !th.freq.max_adv[k].contains(z) {
                return Err(Reject::Frequency(
                    i,
                    fast_arg(z) * (0.5 * plan.scale.inv_tick),
                ));
            }
            let w = mul_conj(v.x.get(k), self.prev.x[i]) * plan.rot.tick[k]; // e^{jδL}
            if same_bins && w.norm_sqr() > 0.0 {
                // The two must agree: arg z = 2·arg w (unwrapped: |arg w| ≤ π/2), else a
                // tone beyond ±62.5 Hz aliases between the halves (1576 Hz reads as
                // 1477 − 26 Hz there, + 99 Hz here). With u = e^{j2·arg w}: arg(z·conj u).
                let uw = unit_squared(w);
                if w.re < 0.0 || !th.freq.agree.contains(mul_conj(z, uw)) {
                    return Err(Reject::Agree(i));
                }
                u[i] = uw;
                delta[i] = fast_arg(w) * plan.scale.inv_tick;
            } else {
                u[i] = unit(z);
                delta[i] = fast_arg(z) * (0.5 * plan.scale.inv_tick);
            }
        }
        let amp = tone_amplitudes(plan, [v.x.get(lo), v.x.get(hi)], [lo, hi], u, delta);
        if amp[0] < th.level.min_amp || amp[1] < th.level.min_amp {
            return Err(Reject::Level(amp));
        }
        // Twist: amp0²/amp1² within the limits.
        let (p0, p1) = (amp[0] * amp[0], amp[1] * amp[1]);
        if p0 > th.twist.hi * p1 || p0 < th.twist.lo * p1 {
            return Err(Reject::Twist(p0 / p1));
        }
        // A note and its octave: the measured frequencies 2:1 (no key comes that close,
        // see `max_octave_ratio_error`).
        let f_lo = ALL_FREQS[lo] as f32 + delta[0] * th.hz_per_rad;
        let f_hi = ALL_FREQS[hi] as f32 + delta[1] * th.hz_per_rad;
        if (f_hi - 2.0 * f_lo).abs() < th.octave * f_hi {
            return Err(Reject::Octave(f_hi / f_lo));
        }
        // Power of the two tones vs. the window's mean-square power.
        // As the energy is band-limited, so are the tones' powers (exact for pure tones).
        let tone_power = (p0 * plan.band.gain[lo] + p1 * plan.band.gain[hi]) / 2.0;
        // A steady background that was there before (a dial tone) is not counted, up to
        // half the window's energy, if the key's tones are new: neither of them within
        // 10 dB of its level now in the background's windows (else the "background" is the
        // candidate itself, a sustained chord).
        let energy = if self.background > 0.0
            && self.floor.bin_power(lo) < 0.1 * m_lo
            && self.floor.bin_power(hi) < 0.1 * m_hi
            && self.floor_out_of_band()
        {
            v.energy - self.background.min(0.5 * v.energy)
        } else {
            v.energy
        };
        let total_power = energy * plan.scale.energy_to_power;
        // Two tones whose peaks add up past full scale are clipped somewhere on the way;
        // clipping moves up to a fifth of their power into distortion products.
        let min_ratio = if amp[0] + amp[1] >= CLIPPED_PEAK_SUM {
            min_ratio.min(th.purity.clipped)
        } else {
            min_ratio
        };
        // Short of it, a new key may leave out the background that was there before it,
        // up to `background_share` of the energy (measured only here: most windows that
        // fail purity are not keys at all, and few get this far).
        if tone_power < min_ratio * total_power
            && (current == Some(key)
                || tone_power < min_ratio * th.purity.keep * v.energy * plan.scale.energy_to_power
                || tone_power
                    < min_ratio
                        * (v.energy - self.background_before(key, m_lo, m_hi))
                        * plan.scale.energy_to_power)
        {
            return Err(Reject::Purity(tone_power / total_power, min_ratio));
        }
        Ok(Hit {
            key,
            amp_lo: amp[0],
            amp_hi: amp[1],
            measured: true,
            dev: [
                f_lo / ALL_FREQS[lo] as f32 - 1.0,
                f_hi / ALL_FREQS[hi] as f32 - 1.0,
            ],
        })
    }

    /// Whether the steady background lies outside the DTMF frequencies (a dial tone, hum):
    /// its powers at the eight frequencies, as tone powers, under [`OUT_OF_BAND`] of its
    /// power. A sustained chord or pad carries power there, and is not left out.
    #[inline]
    fn floor_out_of_band(&self) -> bool {
        let plan = self.plan;
        let s = plan.scale.x_to_amp * plan.scale.x_to_amp / 2.0;
        let inband: f32 = (0..8)
            .map(|k| self.floor.bin_power(k) * plan.band.gain[k])
            .sum::<f32>()
            * s;
        inband < OUT_OF_BAND * self.background * plan.scale.energy_to_power
    }

    /// The per-tick continuation of a key: while a key is on (reported, or not yet but with
    /// a window wholly inside it passed by the full checks) and the newest tick, on its own,
    /// carries both tones at the key's measured levels (within −1.9/+1.9 dB: a tick's
    /// response varies by ±0.6 dB with the other tone's leakage and loses up to 0.3 dB at a
    /// 2.5 % offset), at its frequencies (tick-to-tick phase advance within the deviation
    /// limit) and with the purity threshold on the tick's energy (the hold one once
    /// reported, the full one before), the key goes on without the window checks. Returns
    /// the key's bins, or `None` when the window checks must decide (the tone changes,
    /// ends, speech or noise comes in, or — not yet reported — it is near the limits).
    #[inline(always)]
    pub(super) fn held_tick(&self, t: &Tone, tick: &TickView) -> Option<[u8; 2]> {
        let (plan, th) = (self.plan, self.th);
        let bins = [t.key.row() as u8, t.key.col() as u8 + 4];
        // A key not yet reported continues this way only once a window wholly inside it has
        // passed the full checks, and with the full purity threshold. (Its levels want a
        // second measurement, one alone is good to 0.6 dB, two to 0.5 dB:
        // `second_measurement` makes it.)
        if t.off_at.is_some() || self.prev.bins != bins || (!t.confirmed && t.n_full < 1) {
            return None;
        }
        // Purity threshold (times the tick-power-to-mean-square scale, see `Purity`).
        let purity = if t.confirmed {
            th.purity.tick_held
        } else {
            th.purity.tick
        };
        let newest = tick.newest;
        let (kl, kh) = (bins[0] as usize, bins[1] as usize);
        let (pl, ph) = (newest.norm_sqr(kl), newest.norm_sqr(kh));
        let [rl, rh] = t.tick_ref;
        let in_range = |p: f32, r: f32| p >= HELD_TICK_MIN * r && p <= HELD_TICK_MAX * r;
        if !in_range(pl, rl) || !in_range(ph, rh) {
            return None;
        }
        // Before the key is reported, the tick must also be clearly within the level and
        // twist limits; near them the window checks decide.
        let tan = if t.confirmed {
            &th.freq.hold_tan
        } else {
            if pl < th.level.strict_tick_power
                || ph < th.level.strict_tick_power
                || pl > th.twist.strict_hi * ph
                || pl < th.twist.strict_lo * ph
            {
                return None;
            }
            &th.freq.strict_tan
        };
        // Still the key's frequencies: the advance from the previous tick, e^{jδL}, within
        // the deviation limit (a 4 ms tick alone does not tell 697 from 770 Hz by level).
        let prev = tick.before;
        for k in [kl, kh] {
            let z = mul_conj(newest.get(k), prev.get(k)) * plan.rot.tick[k];
            if z.re <= 0.0 || z.im.abs() > tan[k] * z.re {
                return None;
            }
        }
        // Purity of the tick: the tones' power (peak²/2 each) against its mean square.
        let tone = pl * plan.band.gain[kl] + ph * plan.band.gain[kh];
        (tone >= purity * energy_f32(tick.energy_q)).then_some(bins)
    }
}

/// The window response at a held key's `bins` for a tick that [`Checker::held_tick`]
/// passed (the window: the ring's ticks in `order` and `newest`). A key with a single measured window (`wanted`) gets its second level
/// measurement here: the same offsets (window to window) and solve as the full checks'
/// (their other checks are the tick's). Otherwise no window response is kept (`prev.x`
/// zero: the next window checks measure the frequencies between its halves). Returns the
/// amplitudes if measured.
#[inline(always)]
pub(super) fn second_measurement(
    plan: &Plan,
    prev: &mut PrevWindow,
    wanted: bool,
    (ring, order, newest): (&Ring, [usize; 3], &Resp),
    bins: [u8; 2],
) -> Option<[f32; 2]> {
    let measure =
        wanted && prev.x[0] != Complex32::new(0.0, 0.0) && prev.x[1] != Complex32::new(0.0, 0.0);
    let mut x = [Complex32::new(0.0, 0.0); 2];
    let mut measured = None;
    if measure {
        let w = ring.window(order, newest);
        for i in 0..2 {
            let k = bins[i] as usize;
            let r = plan.rot.tick[k];
            let r2 = Complex32::new(plan.rot.two_lanes.re[k], plan.rot.two_lanes.im[k]);
            let a = w[0].get(k) + w[1].get(k) * r;
            let b = w[2].get(k) + w[3].get(k) * r;
            x[i] = a + b * r2;
        }
        let mut u = [Complex32::new(1.0, 0.0); 2];
        let mut delta = [0f32; 2];
        for i in 0..2 {
            let w = mul_conj(x[i], prev.x[i]) * plan.rot.tick[bins[i] as usize];
            u[i] = unit_squared(w);
            delta[i] = fast_arg(w) * plan.scale.inv_tick;
        }
        measured = Some(tone_amplitudes(plan, x, bins.map(usize::from), u, delta));
    }
    prev.x = x;
    measured
}

/// A window's responses relative to its start at the eight frequencies: X = Σ_m P_m r^m
/// over its ticks P₀…P₃, as the two halves a = P₀ + P₁r, b = P₂ + P₃r and X = a + b·r²;
/// eight lanes at a time. Computed once per window and shared by the background's powers
/// and the checks.
pub(super) struct Sums {
    /// The first half, a.
    pub(super) a: Resp,
    /// The second half, b.
    pub(super) b: Resp,
    /// The whole window, X.
    pub(super) x: Resp,
}

impl Sums {
    #[inline(always)]
    pub(super) fn of(plan: &Plan, w: &super::ticks::Window) -> Sums {
        let (r, r2) = (&plan.rot.tick_lanes, &plan.rot.two_lanes);
        let mut s = Sums {
            a: Resp::ZERO,
            b: Resp::ZERO,
            x: Resp::ZERO,
        };
        let avx2 = plan.avx2;
        turn(avx2, w[0], w[1], r, &mut s.a);
        turn(avx2, w[2], w[3], r, &mut s.b);
        turn(avx2, &s.a, &s.b, r2, &mut s.x);
        s
    }
}

/// `out = p + q·r`, lane by lane (the same operations as `Complex32`'s).
#[inline(always)]
fn turn(avx2: Option<Avx2>, p: &Resp, q: &Resp, r: &Resp, out: &mut Resp) {
    let o = [&mut out.re, &mut out.im];
    crate::simd::mul_add8(avx2, [&p.re, &p.im], [&q.re, &q.im], [&r.re, &r.im], o);
}
