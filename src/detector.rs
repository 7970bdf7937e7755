//! The streaming DTMF receiver.
//!
//! # How it decides
//!
//! The stream is cut into **ticks** of 4 ms (`L` = rate / 250 samples, rounded). For every
//! tick the [`Bank`] gives the complex response at the eight DTMF frequencies and the tick's
//! energy. Every tick, the last four ticks (a 16 ms **window**) are checked:
//!
//! 1. *Level*: the strongest tone of each group is at least [`DetectorConfig::min_level_dbm0`].
//! 2. *Group dominance*: in each group the strongest tone beats the runner-up by
//!    [`DetectorConfig::min_dominance_db`] (rejects two tones of one group).
//! 3. *Frequency*: the phase advance between the window's two halves measures each tone's
//!    actual frequency to about a hertz; both must lie within
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
//!    requirements' SNR is defined over.
//!
//! A window that passes is a *hit*. Each tick's own response, compared with the tone's
//! full-tick response, tells how much of the tick the tone covered, which places the tone's
//! **edges** to a fraction of a tick. Durations are measured between these edges, not by
//! counting hits: a tone is reported once it has lasted
//! [`DetectorConfig::min_tone_ms`] (rejects ≤ 23 ms blips, accepts ≥ 40 ms tones, and
//! reports within 50 ms of the tone's start), and a gap shorter than
//! [`DetectorConfig::max_dropout_ms`] is bridged (10 ms dropouts are one key; 40 ms pauses
//! separate keys). It must also have been seen on for 20 ms, bridged gaps not counted: a few
//! passing windows of music strung together by the bridge are not a key. A 24 ms history of quantised tick powers lets the start edge of a key
//! that was only recognised late (under speech or music) be placed where it really began;
//! the duration test still counts from the first passing window.
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
//! State is at most 512 bytes per channel; the per-rate tables live in a shared [`Plan`].

use crate::goertzel::{Bank, TickSums, TABLE_SCALE};
use crate::key::{Key, ALL_FREQS};
use crate::sample::Sample;
use crate::{g711, generator};
use core::fmt;
use num_complex::Complex32;
use std::sync::Arc;

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod avx2;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod band;

/// Proof of AVX2 for [`band_energy_groups`] (none on other architectures).
#[cfg(target_arch = "x86_64")]
type Avx2 = avx2::Token;
#[cfg(not(target_arch = "x86_64"))]
type Avx2 = core::convert::Infallible;

/// While a key continues, its purity threshold is this fraction of `min_tone_ratio` and its
/// dominance threshold half of `min_dominance_db` (in dB).
const HOLD_RATIO_FACTOR: f32 = 0.7;
/// Time after a gap ends until the resumed tone is seen by a passing window, ms: the
/// window must be mostly past the gap. The end of a key is final `max_dropout_ms` + this
/// after it (≤ 50 ms with the defaults, the requirement's limit for reporting an end).
pub const RESUME_MS: f32 = 12.0;
/// Largest disagreement between the half-window and window-to-window frequency
/// measurements, Hz: each is good to about 2 Hz inside a key, the window-to-window one to
/// about 12 Hz while the previous window is only partly covered at a tone's start.
const AGREE_HZ: f64 = 16.0;
/// No bin (in `prev_bins`).
const NO_BIN: u8 = u8::MAX;
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
/// by tick (see `Plan::strict_twist_hi`).
const STRICT_MARGIN_DB: f32 = 1.5;
/// Ticks a tone must have been seen on (not counting bridged gaps) before it is reported:
/// 20 ms. A 36 ms tone has about eight by the time its duration is confirmed; a few passing
/// windows of music strung together by the dropout bridge (two, a 20 ms gap, one) do not.
const MIN_ON_TICKS: u16 = 5;
/// Ticks per analysis window.
const WINDOW_TICKS: usize = 4;

/// Whole ticks whose kernels run before their analyses (see `process_ticks`). Seven
/// (504 bytes of sums) covers a 20 ms frame at 8 kHz (five ticks) and is zeroed with inline
/// stores; eight (576 bytes) made the compiler call `memset` for each batch.
const BATCH: usize = 7;

/// The four ticks of a window, oldest first.
type Window<'a> = [&'a Resp; WINDOW_TICKS];
/// The magnitudes of the four ticks of a window at the two frequencies of the keys the
/// duration state machine looks at: the tone in progress and the new hit's (if another).
#[derive(Clone, Copy, Debug)]
struct Mags {
    keys: [Option<Key>; 2],
    /// Per key: the low tone's magnitudes in lanes 0..4, the high tone's in 4..8, oldest
    /// tick first.
    m: [[f32; 2 * WINDOW_TICKS]; 2],
}

impl Mags {
    /// No magnitudes (the state machine will not look at them).
    const NONE: Mags = Mags {
        keys: [None; 2],
        m: [[0.0; 2 * WINDOW_TICKS]; 2],
    };

    /// The magnitudes at `current`'s and `new`'s tones.
    #[inline]
    fn new(w: &Window, current: Option<Key>, new: Option<Key>) -> Mags {
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
/// Ring slots of the three older ticks, oldest first, for each value of `head`.
const RING_ORDER: [[usize; 3]; 3] = [[0, 1, 2], [1, 2, 0], [2, 0, 1]];

/// One tick's responses at the eight frequencies, real and imaginary parts apart so that
/// the per-tick arithmetic runs on eight lanes at once.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Resp {
    re: [f32; 8],
    im: [f32; 8],
}

impl Resp {
    #[inline]
    fn get(&self, k: usize) -> Complex32 {
        Complex32::new(self.re[k], self.im[k])
    }

    #[inline]
    fn norm_sqr(&self, k: usize) -> f32 {
        self.re[k] * self.re[k] + self.im[k] * self.im[k]
    }
}
/// Ticks of history kept before the window (quantised powers) for placing late-recognised
/// starts: 24 ms.
const HIST_TICKS: usize = 6;
/// A history tick counts as wholly covered from this coverage on (the walk back continues).
const FULL_TICK: f32 = 0.6;
/// Tick duration: 4 ms, i.e. rate / 250 samples.
const TICKS_PER_SECOND: f64 = 250.0;
/// A tick whose coverage estimate is below this is taken as not covered at all (noise).
const COVERAGE_FLOOR: f32 = 0.15;
/// The newest tick must be covered at least this much for the tone to count as still on.
const ON_COVERAGE: f32 = 0.5;

/// Settings of the detector. Every default is chosen between the requirement that must
/// operate and the one that must not, with the margin the measurement accuracy allows.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorConfig {
    /// Sample rate in Hz, 8 000–48 000. Default 8 000.
    pub sample_rate: u32,
    /// Weakest tone accepted, dBm0 per tone. Default −41: the *goal* range operates down to
    /// −36 dBm0 and rejects −45 dBm0 and weaker (Q.24 itself only asks for −25).
    pub min_level_dbm0: f32,
    /// Largest normal twist (low louder), dB. Default 9: must accept +8 (Q.24 / LSSGR),
    /// goal rejects +10.
    pub max_normal_twist_db: f32,
    /// Largest reverse twist (high louder), dB, as a positive number. Default 6: must accept
    /// 4 dB (Q.24 / LSSGR), goal rejects 8.
    pub max_reverse_twist_db: f32,
    /// Largest frequency deviation of either tone, as a fraction. Default 0.025: must
    /// accept ±1.5 %, must reject ±3.5 % (Q.24); the measurement is good to about 1 Hz.
    pub max_freq_deviation: f32,
    /// Smallest share of the window's energy (band-limited to about 0–4 kHz at higher rates)
    /// carried by the two tones. Default 0.85: a key at 10 dB SNR gives > 0.95, with speech
    /// 10 dB below it ~0.9; three equal tones give 0.67 and the harmonic-rich chords of the
    /// talk-off music 0.76–0.85. Keys whose tones add up past full scale (clipped) are held
    /// to 0.9 × this (a +3 dBm0 key clipped at 16 bits keeps 0.79–0.88); a key already
    /// reported is held to 0.7 × this while it lasts (hysteresis).
    pub min_tone_ratio: f32,
    /// How much the strongest tone of each group must exceed the second, dB. Default 6.
    pub min_dominance_db: f32,
    /// Shortest tone reported, ms, measured between the estimated edges. Default 31:
    /// midway between "reject 23 ms and shorter" and "accept 40 ms" (Q.24 / LSSGR).
    pub min_tone_ms: f32,
    /// Longest gap bridged inside one key, ms. Default 25: a 10 ms dropout must be bridged,
    /// a 40 ms pause must separate two keys (Q.24 / LSSGR).
    pub max_dropout_ms: f32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            sample_rate: 8000,
            min_level_dbm0: -41.0,
            max_normal_twist_db: 9.0,
            max_reverse_twist_db: 6.0,
            max_freq_deviation: 0.025,
            min_tone_ratio: 0.85,
            min_dominance_db: 6.0,
            min_tone_ms: 31.0,
            max_dropout_ms: 25.0,
        }
    }
}

impl DetectorConfig {
    /// The defaults at another sample rate.
    pub fn with_rate(sample_rate: u32) -> Self {
        DetectorConfig {
            sample_rate,
            ..Default::default()
        }
    }
}

/// A detector setting that cannot be used; each variant carries the bad value.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// `sample_rate` outside 8 000–48 000 Hz.
    SampleRate(u32),
    /// A threshold that is not finite or outside its range: field name and value.
    OutOfRange(&'static str, f32),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::SampleRate(r) => {
                write!(f, "sample_rate {r} Hz is outside 8000..=48000")
            }
            ConfigError::OutOfRange(name, v) => write!(f, "{name} = {v} is out of range"),
        }
    }
}

impl std::error::Error for ConfigError {}

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

/// Precomputed, shareable per-rate data: tables and thresholds in linear units.
/// Build one with [`Plan::new`] and share it (`Arc`) between many channels' detectors.
#[derive(Debug)]
pub struct Plan {
    cfg: DetectorConfig,
    bank: Bank,
    tick_len: usize,
    /// e^{−jω_k L}: rotation of one tick at frequency k.
    rot: [Complex32; 8],
    /// `rot²` (two ticks' rotation), as `rot[k] * rot[k]`.
    rot2: [Complex32; 8],
    /// Largest half-window phase advance (δ·2L) within the deviation limit, per frequency.
    max_adv: [ArgLimit; 8],
    /// Set when the CPU has AVX2: the per-tick analysis then runs compiled for it.
    #[cfg(target_arch = "x86_64")]
    avx2: Option<avx2::Token>,
    /// 1 / samples per tick.
    inv_tick: f32,
    /// The bank's sums are in units of 2^-q; times this, 2^(10-q) (exact), they are Q10.
    acc_scale: f32,
    /// Mean square (sample units²) per unit of window energy: 16 / samples per window.
    energy_to_power: f32,
    /// The minimum tone amplitude (peak, sample units): √min_x2 · x_to_amp.
    min_amp: f32,
    /// |det|² under which the 2×2 amplitude solve is not used (1e-6 · N⁴).
    min_det2: f32,
    /// Minimum |X|² (window response, table units) for a tone at the minimum level.
    min_x2: f32,
    /// Scale from window |X| (table units) to amplitude (sample units).
    x_to_amp: f32,
    /// Samples per window (4 ticks).
    window_len: usize,
    /// `rot` and e^{−jω_k 2L} (two ticks' rotation, `rot²`), real and imaginary parts apart.
    rot_lanes: Resp,
    rot2_lanes: Resp,
    /// e^{jω_k}: one sample's rotation at frequency k.
    e_step: [Complex32; 8],
    /// e^{jω_k N}: one window's rotation at frequency k.
    e_win: [Complex32; 8],
    /// A tick with less energy (Σ⌊x²/16⌋) cannot carry half the response a passing window
    /// needs at its strongest tick, so no tone can be seen to start or resume in it.
    max_silent_tick_energy: u64,
    /// The same for the first half (two ticks) of a window: a new key must be in both
    /// halves with |a|² ≥ |b|²/4, and |X| ≤ |a| + |b|, so a hit needs |a| ≥ √min_x2 / 6.
    max_silent_half_energy: f32,
    /// Energy units (Σx²/16) of a window at exactly the minimum for two tones.
    min_window_energy: f32,
    dominance: f32,
    /// Dominance and purity while a key continues (hysteresis).
    dominance_hold: f32,
    min_ratio_hold: f32,
    /// Boxcar group length of the band-limited energy (1 at rates below 16 kHz).
    group: usize,
    /// Power gain of that boxcar at each DTMF frequency.
    group_gain: [f32; 8],
    /// tan of the largest window-to-window phase advance (δ·L) of each frequency.
    hold_tan: [f32; 8],
    /// The same for a key not yet reported continuing tick by tick: 60 % of the limit (the
    /// window checks judge the offsets near the limit).
    strict_tan: [f32; 8],
    /// Twist limits (power ratios) and minimum tone power (table units, full tick) for a
    /// key not yet reported continuing tick by tick: 1.5 dB inside the window checks' own,
    /// beyond a tick's measurement error (±0.6 dB leakage per tone, 0.3 dB offset loss).
    strict_twist_hi: f32,
    strict_twist_lo: f32,
    strict_min_tick_power: f32,
    /// Purity thresholds of a single tick against its energy E (Σ⌊x²/16⌋): the tones'
    /// full-tick powers |P|²·gain must reach this × E (hold threshold once reported, the
    /// full one before). |P|² = (A·L/2·TABLE_SCALE)² for a tone of peak A, and the tick's
    /// mean square is 16·E/L, so this is min_ratio · 2 · (16/L) · (L/2·TABLE_SCALE)².
    tick_purity_hold: f32,
    tick_purity: f32,
    /// Purity threshold for keys whose tones must be clipped.
    min_ratio_clipped: f32,
    /// Largest disagreement between the two frequency measurements, as half-window phase.
    agree: ArgLimit,
    twist_hi: f32,
    twist_lo: f32,
    min_ratio: f32,
    min_tone_samples: u64,
    max_dropout_samples: u64,
    /// How long after a tone's end a resumption may still be seen (dropout + RESUME_MS).
    resume_wait_samples: u64,
}

impl Plan {
    /// Check the config and precompute tables.
    ///
    /// # Errors
    /// [`ConfigError`] naming the bad field and value.
    pub fn new(cfg: DetectorConfig) -> Result<Plan, ConfigError> {
        if !(8000..=48000).contains(&cfg.sample_rate) {
            return Err(ConfigError::SampleRate(cfg.sample_rate));
        }
        let check = |name: &'static str, v: f32, lo: f32, hi: f32| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(ConfigError::OutOfRange(name, v))
            }
        };
        check(
            "min_level_dbm0",
            cfg.min_level_dbm0,
            -90.0,
            generator::FULL_SCALE_DBM0 as f32,
        )?;
        check("max_normal_twist_db", cfg.max_normal_twist_db, 0.0, 40.0)?;
        check("max_reverse_twist_db", cfg.max_reverse_twist_db, 0.0, 40.0)?;
        check("max_freq_deviation", cfg.max_freq_deviation, 0.0, 0.05)?;
        check("min_tone_ratio", cfg.min_tone_ratio, 0.0, 1.0)?;
        check("min_dominance_db", cfg.min_dominance_db, 0.0, 60.0)?;
        check("min_tone_ms", cfg.min_tone_ms, 0.0, 1000.0)?;
        check("max_dropout_ms", cfg.max_dropout_ms, 0.0, 1000.0)?;

        let fs = cfg.sample_rate as f64;
        let tick_len = (fs / TICKS_PER_SECOND).round() as usize;
        // The longest boxcar that divides a tick and keeps fs/group ≥ 8 kHz.
        let group = (1..=(cfg.sample_rate / 8000) as usize)
            .rev()
            .find(|m| tick_len % m == 0)
            .unwrap_or(1);
        let group_gain = ALL_FREQS.map(|f| {
            let w = core::f64::consts::PI * f / fs;
            let g = if group == 1 {
                1.0
            } else {
                (w * group as f64).sin() / (group as f64 * w.sin())
            };
            (g * g) as f32
        });
        let n = (tick_len * WINDOW_TICKS) as f64;
        let bank = Bank::new(cfg.sample_rate, tick_len, &ALL_FREQS);
        let acc_scale = (1u32 << bank.shift()) as f32;
        let phasor = |f: f64, len: usize| {
            let w = 2.0 * core::f64::consts::PI * f / fs * len as f64;
            Complex32::new(w.cos() as f32, w.sin() as f32)
        };
        let rot = ALL_FREQS.map(|f| phasor(f, tick_len).conj());
        let e_step = ALL_FREQS.map(|f| phasor(f, 1));
        let e_win = ALL_FREQS.map(|f| phasor(f, tick_len * WINDOW_TICKS));
        let min_amp = generator::dbm0_to_peak(cfg.min_level_dbm0 as f64);
        // A tone of peak A gives |X| = A·N/2 (in sample units), times TABLE_SCALE.
        let x_to_amp = 2.0 / (n * TABLE_SCALE as f64);
        let min_x2 = (min_amp / x_to_amp).powi(2);
        let min_window_energy = (min_amp * min_amp * n / 16.0) as f32; // two tones: 2·A²/2·N
        let ms = |v: f32| (v as f64 * fs / 1000.0).round() as u64;
        let rad_per_hz = (2.0 * core::f64::consts::PI * 2.0 * tick_len as f64 / fs) as f32;
        Ok(Plan {
            bank,
            tick_len,
            rot,
            rot2: rot.map(|r| r * r),
            #[cfg(target_arch = "x86_64")]
            avx2: avx2::Token::detect(),
            max_adv: core::array::from_fn(|k| {
                ArgLimit::new(cfg.max_freq_deviation * ALL_FREQS[k] as f32 * rad_per_hz)
            }),
            min_x2: min_x2 as f32,
            inv_tick: 1.0 / tick_len as f32,
            acc_scale,
            energy_to_power: 16.0 / n as f32,
            min_amp: (min_x2 as f32).sqrt() * x_to_amp as f32,
            min_det2: 1e-6 * (n as f32).powi(4),
            x_to_amp: x_to_amp as f32,
            window_len: tick_len * WINDOW_TICKS,
            rot_lanes: Resp {
                re: rot.map(|r| r.re),
                im: rot.map(|r| r.im),
            },
            rot2_lanes: Resp {
                re: rot.map(|r| (r * r).re),
                im: rot.map(|r| (r * r).im),
            },
            e_step,
            e_win,
            min_window_energy,
            max_silent_tick_energy: silent_tick_energy(min_x2, tick_len),
            max_silent_half_energy: {
                // |a|² ≤ (16·E + 15·2L) · 2L · 1024² < min_x2 / 36.
                let l2 = 2.0 * tick_len as f64;
                let limit = min_x2 / (36.0 * l2 * (TABLE_SCALE as f64).powi(2));
                ((limit - 15.0 * l2) / 16.0).max(0.0) as f32
            },
            dominance: 10f32.powf(cfg.min_dominance_db / 10.0),
            twist_hi: 10f32.powf(cfg.max_normal_twist_db / 10.0),
            twist_lo: 10f32.powf(-cfg.max_reverse_twist_db / 10.0),

            min_ratio: cfg.min_tone_ratio,
            min_ratio_clipped: cfg.min_tone_ratio * CLIPPED_RATIO_FACTOR,
            group,
            group_gain,
            hold_tan: ALL_FREQS.map(|f| {
                let theta = 2.0 * core::f64::consts::PI * f * cfg.max_freq_deviation as f64 / fs
                    * tick_len as f64;
                theta.tan() as f32
            }),
            strict_tan: ALL_FREQS.map(|f| {
                let theta = 2.0 * core::f64::consts::PI * f * cfg.max_freq_deviation as f64 / fs
                    * tick_len as f64;
                (0.6 * theta).tan() as f32
            }),
            tick_purity_hold: tick_purity(cfg.min_tone_ratio * HOLD_RATIO_FACTOR, tick_len),
            tick_purity: tick_purity(cfg.min_tone_ratio, tick_len),
            strict_twist_hi: 10f32.powf((cfg.max_normal_twist_db - STRICT_MARGIN_DB) / 10.0),
            strict_twist_lo: 10f32.powf(-(cfg.max_reverse_twist_db - STRICT_MARGIN_DB) / 10.0),
            strict_min_tick_power: {
                let m = min_amp * tick_len as f64 / 2.0 * TABLE_SCALE as f64;
                (m * m * 10f64.powf(STRICT_MARGIN_DB as f64 / 10.0)) as f32
            },
            agree: ArgLimit::new(
                (2.0 * core::f64::consts::PI * AGREE_HZ * 2.0 * tick_len as f64 / fs) as f32,
            ),
            dominance_hold: 10f32.powf(cfg.min_dominance_db / 20.0),
            min_ratio_hold: cfg.min_tone_ratio * HOLD_RATIO_FACTOR,
            min_tone_samples: ms(cfg.min_tone_ms),
            max_dropout_samples: ms(cfg.max_dropout_ms),
            resume_wait_samples: ms(cfg.max_dropout_ms + RESUME_MS),
            cfg,
        })
    }

    /// The config this plan was built from.
    pub fn config(&self) -> &DetectorConfig {
        &self.cfg
    }

    /// Samples per 4 ms tick.
    pub fn tick_len(&self) -> usize {
        self.tick_len
    }
}

/// What one window says.
#[derive(Clone, Copy, Debug)]
struct Hit {
    key: Key,
    amp_lo: f32,
    amp_hi: f32,
    /// Whether the amplitudes are the full measurement (frequency-corrected, leakage
    /// removed) rather than the quick one of a held key's continuation check.
    measured: bool,
}

#[derive(Clone, Copy, Debug)]
struct Tone {
    key: Key,
    /// Estimated start of the tone (reported).
    start: u64,
    /// Start as placed by the first passing window (the duration test counts from here).
    hit_start: u64,
    /// Estimated end of the covered part so far.
    last_end: u64,
    /// Set while the tone is off and the gap may still be bridged: the estimated end.
    off_at: Option<u64>,
    confirmed: bool,
    /// Sums of amplitudes of fully covered windows (for the levels) and their count.
    sum_lo: f32,
    sum_hi: f32,
    n_full: u32,
    /// Whether the last hit (`amp_lo`, `amp_hi`) was added to the sums: it is taken out
    /// again if the tone turns out to have ended inside that window.
    last_counted: bool,
    /// Last hit's amplitudes (used while no fully covered window has been seen).
    amp_lo: f32,
    amp_hi: f32,
    /// The tones' levels as a full tick's power |P|² (table units), for the per-tick
    /// continuation ([`Detector::held_tick`]); kept up to date by [`Tone::update_ref`].
    tick_ref: [f32; 2],
    /// Ticks in which the tone was seen on (passing windows and held ticks), not counting
    /// bridged gaps: a key is reported only after [`MIN_ON_TICKS`] of them.
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
    fn update_ref(&mut self, tick_len: usize) {
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
            low_dbm0: generator::peak_to_dbm0(lo as f64) as f32,
            high_dbm0: generator::peak_to_dbm0(hi as f64) as f32,
        }
    }
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
    acc: [i32; 16],
    energy: u64,
    /// Position inside the current tick.
    pos: usize,
    /// Ticks completed.
    ticks: u64,
    /// The three ticks before the newest (the newest is still in `acc` while it is
    /// analysed), oldest in slot `head` (see `RING_ORDER`).
    ring: [Resp; WINDOW_TICKS - 1],
    head: u8,
    ring_energy: [f32; WINDOW_TICKS - 1],
    /// Quantised power (`log_power`) at the eight frequencies of the ticks before the
    /// window, newest at `hist_head − 1`: to place the start of a tone that was only
    /// recognised after its first 16 ms (speech or music over it).
    hist: [[u8; 8]; HIST_TICKS],
    hist_head: u8,
    /// End of the last key reported: the next key's start is never placed before it (keys
    /// back to back that share a tone would otherwise reach into each other).
    prev_end: u64,
    /// Partial boxcar group of `band_energy` (rates above 8 kHz).
    group_sum: i32,
    group_len: u8,
    /// The previous window's responses at its strongest bin of each group (for the
    /// window-to-window frequency measurement), and those bins (`NO_BIN` if none).
    prev_x: [Complex32; 2],
    prev_bins: [u8; 2],
    tone: Option<Tone>,
}

impl Detector {
    /// A detector with its own plan.
    ///
    /// # Errors
    /// [`ConfigError`] naming the bad field and value.
    pub fn new(cfg: DetectorConfig) -> Result<Detector, ConfigError> {
        Ok(Detector::with_plan(Arc::new(Plan::new(cfg)?)))
    }

    /// A detector sharing a plan with others (one plan per rate and config).
    pub fn with_plan(plan: Arc<Plan>) -> Detector {
        Detector {
            plan,
            acc: [0; 16],
            energy: 0,
            pos: 0,
            ticks: 0,
            ring: [Resp::default(); WINDOW_TICKS - 1],
            head: 0,
            ring_energy: [0.0; WINDOW_TICKS - 1],
            hist: [[0; 8]; HIST_TICKS],
            hist_head: 0,
            prev_end: 0,
            group_sum: 0,
            group_len: 0,
            prev_x: [Complex32::new(0.0, 0.0); 2],
            prev_bins: [NO_BIN; 2],
            tone: None,
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
        self.ticks * self.plan.tick_len as u64 + self.pos as u64
    }

    /// Forget everything and start a new stream at position 0.
    pub fn reset(&mut self) {
        *self = Detector::with_plan(self.plan.clone());
    }

    /// Feed a frame of samples (`i16`, or `f32` in [−1, 1]); `on_event` is called for each
    /// event the frame completes. Frames may have any length; the events are identical
    /// however the stream is cut. No heap allocation.
    pub fn process<S: Sample>(&mut self, frame: &[S], mut on_event: impl FnMut(Event)) {
        if let Some(x) = S::as_i16_slice(frame) {
            self.process_i16(x, &mut on_event);
        } else {
            let mut buf = [0i16; 256];
            for chunk in frame.chunks(buf.len()) {
                let out = &mut buf[..chunk.len()];
                self.convert(chunk, out, S::to_i16);
                self.process_i16(out, &mut on_event);
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
        on_event: &mut impl FnMut(Event),
    ) {
        let mut buf = [0i16; 256];
        for chunk in bytes.chunks(buf.len()) {
            let out = &mut buf[..chunk.len()];
            self.convert(chunk, out, &decode);
            self.process_i16(out, on_event);
        }
    }

    /// `out[i] = f(x[i])`, compiled for AVX2 when the CPU has it (the conversions are
    /// written to vectorise).
    #[inline(always)]
    fn convert<T: Copy>(&self, x: &[T], out: &mut [i16], f: impl Fn(T) -> i16) {
        #[cfg(target_arch = "x86_64")]
        if let Some(t) = self.plan.avx2 {
            avx2::convert(t, x, out, f);
            return;
        }
        convert(x, out, f);
    }

    fn process_i16(&mut self, x: &[i16], on_event: &mut impl FnMut(Event)) {
        #[cfg(target_arch = "x86_64")]
        if let Some(t) = self.plan.avx2 {
            avx2::process_i16(self, t, x, on_event);
            return;
        }
        self.process_i16_body(x, on_event);
    }

    /// [`Detector::process_i16`]'s work: the kernel over each tick's samples, and the
    /// per-tick analysis at each tick's end (inlined into each compiled version of it; one
    /// call site of the analysis per rate class).
    #[inline(always)]
    fn process_i16_body(&mut self, x: &[i16], on_event: &mut impl FnMut(Event)) {
        if self.plan.group == 1 {
            self.process_ticks(x, on_event);
        } else {
            self.process_groups(x, on_event);
        }
    }

    /// [`Detector::process_i16_body`] below 16 kHz (no band-limited energy), with one call
    /// site of the analysis. Whole ticks go in batches of up to [`BATCH`]: their kernels
    /// first (independent work that the CPU overlaps), then their analyses in order; the
    /// results are the same as tick by tick.
    #[inline(always)]
    fn process_ticks(&mut self, mut x: &[i16], on_event: &mut impl FnMut(Event)) {
        let l = self.plan.tick_len;
        while !x.is_empty() {
            let plan = &*self.plan;
            // (Each set only on its branch: a call with no whole tick does not zero a batch.)
            let mut batch;
            let one;
            let ticks: &[TickSums] = if self.pos == 0 && x.len() >= l {
                // Whole ticks (the common case).
                let n = (x.len() / l).min(BATCH);
                batch = [TickSums::default(); BATCH];
                plan.bank.accumulate_ticks(&x[..n * l], &mut batch[..n]);
                x = &x[n * l..];
                &batch[..n]
            } else {
                let n = (l - self.pos).min(x.len());
                plan.bank
                    .accumulate(&x[..n], self.pos, &mut self.acc, &mut self.energy);
                self.pos += n;
                x = &x[n..];
                if self.pos != l {
                    continue;
                }
                self.pos = 0;
                one = TickSums {
                    acc: core::mem::take(&mut self.acc),
                    energy: core::mem::take(&mut self.energy),
                };
                core::slice::from_ref(&one)
            };
            for s in ticks {
                self.end_tick_body(&s.acc, s.energy, on_event);
            }
        }
    }

    /// [`Detector::process_i16_body`] from 16 kHz: the correlation and the band-limited
    /// energy over each part of a tick, the analysis at the tick's end.
    #[inline(always)]
    fn process_groups(&mut self, mut x: &[i16], on_event: &mut impl FnMut(Event)) {
        let l = self.plan.tick_len;
        while !x.is_empty() {
            let n = (l - self.pos).min(x.len());
            self.plan.bank.correlate(&x[..n], self.pos, &mut self.acc);
            self.band_energy(&x[..n]);
            self.pos += n;
            x = &x[n..];
            if self.pos == l {
                // Σ (group sums)² (see `band_energy`) in the bank's units.
                let energy = core::mem::take(&mut self.energy) / (16 * self.plan.group as u64);
                let acc = core::mem::take(&mut self.acc);
                self.pos = 0;
                self.end_tick_body(&acc, energy, on_event);
            }
        }
    }

    /// Energy of the signal band-limited to about 0–4 kHz, for rates above 8 kHz: the sum
    /// of each group of `group` samples (a boxcar low-pass, decimated) squared; at the end of
    /// the tick it is divided by 16·`group` (`process_groups`), which puts it in the units of the
    /// bank's energy (Σx²/16). White noise over the whole band then counts with the share
    /// that falls in 0–fs/(2·group), as the requirements' SNR is measured over 0–4 kHz;
    /// integer, so framing does not change it. Out of line: inlined into the per-sample loop
    /// (five kernels), it made that loop slightly slower at 8 kHz, where it is not used.
    #[inline(never)]
    fn band_energy(&mut self, x: &[i16]) {
        let m = self.plan.group;
        #[cfg(target_arch = "x86_64")]
        let fast = self.plan.avx2;
        #[cfg(not(target_arch = "x86_64"))]
        let fast = None;
        let (sum, n, e) = band_energy_groups(m, self.group_sum, self.group_len as usize, x, fast);
        self.energy += e;
        self.group_sum = sum;
        self.group_len = n as u8;
    }

    /// End of stream: the partial tick is completed with silence and silence is fed until
    /// any key that is on has ended; its `KeyUp` is reported. The detector is then reset to
    /// position 0 for a new stream.
    pub fn finish(&mut self, mut on_event: impl FnMut(Event)) {
        let l = self.plan.tick_len;
        let zeros = [0i16; 64];
        // Window, dropout bridge and a margin, in ticks.
        let max_ticks = WINDOW_TICKS as u64
            + 2
            + self.plan.resume_wait_samples / l as u64
            + (self.plan.min_tone_samples / l as u64);
        let mut fed = 0;
        while self.pos != 0 || (self.tone.is_some() && fed < max_ticks) {
            let n = (l - self.pos).min(zeros.len());
            let before = self.ticks;
            self.process_i16(&zeros[..n], &mut on_event);
            fed += self.ticks - before;
        }
        self.reset();
    }

    /// The per-tick analysis of the tick whose correlations are `acc` and whose energy (in
    /// the bank's units; band-limited from 16 kHz) is `tick_energy_q`, at the end of each
    /// tick (inlined into [`Detector::process_ticks`] and [`Detector::process_groups`]).
    #[inline(always)]
    fn end_tick_body(
        &mut self,
        acc: &[i32; 16],
        tick_energy_q: u64,
        on_event: &mut impl FnMut(Event),
    ) {
        // The bank's sums are in units of 2^-q; times 2^(10-q) (exact) they are Q10.
        let s = self.plan.acc_scale;
        let newest = Resp {
            re: core::array::from_fn(|k| acc[k] as f32 * s),
            im: core::array::from_fn(|k| acc[8 + k] as f32 * s),
        };
        let order = RING_ORDER[self.head as usize];
        let tick_energy = energy_f32(tick_energy_q);
        let energy = self.ring_energy.iter().sum::<f32>() + tick_energy;
        self.ticks += 1;
        let placed = self.tone.as_ref().map(|t| t.off_at.is_some());
        if let Some(bins) = self.held_tick(&newest, tick_energy_q) {
            self.continue_held(&newest, order, bins, on_event);
        } else if ((energy < self.plan.min_window_energy)
            | (tick_energy_q < self.plan.max_silent_tick_energy)
            | (placed.is_none()
                & (self.ring_energy[order[0]] + self.ring_energy[order[1]]
                    < self.plan.max_silent_half_energy)))
            & (placed != Some(false))
        {
            // No tone in progress, or only one whose end is already placed, and either the
            // window is too quiet for any key or its newest tick is too quiet to carry one
            // (a window can then pass, but no tone can start or resume in it), or, with no
            // tone at all, its first half is too quiet to carry one (a new key must be in
            // both halves): no hit.
            self.prev_bins = [NO_BIN; 2];
            if placed.is_some() {
                self.step(&Mags::NONE, None, on_event);
            }
        } else {
            self.check_window(&newest, order, energy, on_event);
        }
        // The oldest tick leaves the window for the history; the newest takes its slot.
        let h = self.hist_head as usize; // < HIST_TICKS
        log_powers(&self.ring[order[0]], &mut self.hist[h]);
        self.hist_head = if h + 1 == HIST_TICKS { 0 } else { h as u8 + 1 };
        self.ring[order[0]] = newest;
        self.ring_energy[order[0]] = tick_energy;
        self.head = order[1] as u8; // the next oldest
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
    fn held_tick(&self, newest: &Resp, tick_energy_q: u64) -> Option<[u8; 2]> {
        let plan = &*self.plan;
        let t = self.tone.as_ref()?;
        let bins = [t.key.row() as u8, t.key.col() as u8 + 4];
        // A key not yet reported continues this way only once a window wholly inside it has
        // passed the full checks, and with the full purity threshold. (Its levels want a
        // second measurement, one alone is good to 0.6 dB, two to 0.5 dB:
        // `continue_held` makes it.)
        if t.off_at.is_some() || self.prev_bins != bins || (!t.confirmed && t.n_full < 1) {
            return None;
        }
        // Purity threshold (times the tick-power-to-mean-square scale, see `Plan`).
        let purity = if t.confirmed {
            plan.tick_purity_hold
        } else {
            plan.tick_purity
        };
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
            &plan.hold_tan
        } else {
            if pl < plan.strict_min_tick_power
                || ph < plan.strict_min_tick_power
                || pl > plan.strict_twist_hi * ph
                || pl < plan.strict_twist_lo * ph
            {
                return None;
            }
            &plan.strict_tan
        };
        // Still the key's frequencies: the advance from the previous tick, e^{jδL}, within
        // the deviation limit (a 4 ms tick alone does not tell 697 from 770 Hz by level).
        let prev = &self.ring[RING_ORDER[self.head as usize][2]];
        for k in [kl, kh] {
            let z = mul_conj(newest.get(k), prev.get(k)) * plan.rot[k];
            if z.re <= 0.0 || z.im.abs() > tan[k] * z.re {
                return None;
            }
        }
        // Purity of the tick: the tones' power (peak²/2 each) against its mean square.
        let tone = pl * plan.group_gain[kl] + ph * plan.group_gain[kh];
        (tone >= purity * energy_f32(tick_energy_q)).then_some(bins)
    }

    /// A tick that [`Detector::held_tick`] passed: the key goes on through the newest tick.
    /// No window response is kept (`prev_x` is zeroed), except when the key's second level
    /// measurement is made here (the same operations as [`Detector::analyze`]).
    #[inline(always)]
    fn continue_held(
        &mut self,
        newest: &Resp,
        order: [usize; 3],
        bins: [u8; 2],
        on_event: &mut impl FnMut(Event),
    ) {
        let plan = &*self.plan;
        // A key with a single measured window gets its second measurement here: the same
        // offsets (window to window) and solve as the full checks' (their other checks are
        // the tick's, above). Otherwise no window response is kept (`prev_x` zero: the next
        // window checks measure the frequencies between its halves).
        let measure = self.tone.as_ref().is_some_and(|t| t.n_full == 1)
            && self.prev_x[0] != Complex32::new(0.0, 0.0)
            && self.prev_x[1] != Complex32::new(0.0, 0.0);
        let mut x = [Complex32::new(0.0, 0.0); 2];
        let mut measured = None;
        if measure {
            let w = [
                &self.ring[order[0]],
                &self.ring[order[1]],
                &self.ring[order[2]],
                newest,
            ];
            for i in 0..2 {
                let k = bins[i] as usize;
                let r = plan.rot[k];
                let r2 = Complex32::new(plan.rot2_lanes.re[k], plan.rot2_lanes.im[k]);
                let a = w[0].get(k) + w[1].get(k) * r;
                let b = w[2].get(k) + w[3].get(k) * r;
                x[i] = a + b * r2;
            }
            let mut u = [Complex32::new(1.0, 0.0); 2];
            let mut delta = [0f32; 2];
            for i in 0..2 {
                let w = mul_conj(x[i], self.prev_x[i]) * plan.rot[bins[i] as usize];
                u[i] = unit_squared(w);
                delta[i] = fast_arg(w) * plan.inv_tick;
            }
            measured = Some(self.tone_amplitudes(x, bins.map(usize::from), u, delta));
        }
        self.prev_x = x;
        let now = self.ticks * plan.tick_len as u64;
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
        self.maybe_confirm(now, on_event);
    }

    /// The window checks and the duration state machine for the window ending with `newest`
    /// (the ring's other ticks in `order`).
    #[inline(always)]
    fn check_window(
        &mut self,
        newest: &Resp,
        order: [usize; 3],
        energy: f32,
        on_event: &mut impl FnMut(Event),
    ) {
        // Hysteresis only for a confirmed key: a candidate must pass the full checks.
        let held = self.tone.as_ref().filter(|t| t.confirmed).map(|t| t.key);
        let w: Window = [
            &self.ring[order[0]],
            &self.ring[order[1]],
            &self.ring[order[2]],
            newest,
        ];
        let (hit, prev) = self.analyze(&w, energy, held);
        // The state machine needs the window's magnitudes only while a tone is in progress
        // or starts.
        // A tone whose end is already placed needs them only if it resumes (a hit).
        let current = self.tone.as_ref().map(|t| t.key);
        let placed = self.tone.as_ref().is_some_and(|t| t.off_at.is_some());
        let mags: Option<Mags> = match (current, hit) {
            (None, None) => None,
            (Some(_), None) if placed => Some(Mags::NONE),
            _ => Some(Mags::new(&w, current, hit.map(|h| h.key))),
        };
        match prev {
            Some((bins, x)) => {
                self.prev_bins = bins;
                self.prev_x = x;
            }
            None => self.prev_bins = [NO_BIN; 2],
        }
        if let Some(mags) = &mags {
            self.step(mags, hit, on_event);
            let l = self.plan.tick_len;
            if let Some(t) = self.tone.as_mut() {
                t.update_ref(l);
            }
        }
    }

    /// Run the window checks. While `current` (the key of the tone in progress) continues,
    /// the dominance and purity checks are relaxed (hysteresis), so speech or music under a
    /// key does not cut it; a new key always has to pass the full checks.
    /// Also returns the window's responses at the strongest bin of each group, for the next
    /// tick's frequency measurement.
    #[allow(clippy::type_complexity)]
    #[inline(always)]
    fn analyze(
        &self,
        w: &Window,
        energy: f32,
        current: Option<Key>,
    ) -> (Option<Hit>, Option<([u8; 2], [Complex32; 2])>) {
        let plan = &*self.plan;
        if energy < plan.min_window_energy {
            return (None, None);
        }
        // Window responses relative to the window start: X = Σ_m P_m r^m, as the two halves
        // a = P₀ + P₁r, b = P₂ + P₃r and X = a + b·r²; eight lanes at a time.
        let (r, r2) = (&plan.rot_lanes, &plan.rot2_lanes);
        let a = turn(w[0], w[1], r);
        let b = turn(w[2], w[3], r);
        let xs = turn(&a, &b, r2);
        let mag2: [f32; 8] = core::array::from_fn(|k| xs.re[k] * xs.re[k] + xs.im[k] * xs.im[k]);
        // (The strongest values come out of `top2` too: no load of `mag2[lo]` on the way to
        // the first check.)
        let (lo, m_lo, lo2) = top2(&[mag2[0], mag2[1], mag2[2], mag2[3]]);
        let (hi, m_hi, hi2) = top2(&[mag2[4], mag2[5], mag2[6], mag2[7]]);
        let hi = hi + 4;
        let this = ([lo as u8, hi as u8], [xs.get(lo), xs.get(hi)]);
        let key = Key::from_row_col(lo, hi - 4).expect("row and column are 0..4");
        let hit = if current == Some(key) && self.prev_bins == this.0 {
            self.hold(energy, &xs, &a, &b, [m_lo, m_hi], lo, lo2, hi, hi2, key)
        } else {
            self.judge(current, energy, &xs, &a, &b, [m_lo, m_hi], lo, lo2, hi, hi2)
        };
        (hit, Some(this))
    }

    /// The continuation check of a reported key whose bins are still the strongest: its
    /// frequencies and twist were measured when it was recognised; while it lasts, level,
    /// dominance and purity (with the hysteresis thresholds, on the uncorrected amplitudes)
    /// say whether it is still there. A quarter of the full check's work.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn hold(
        &self,
        energy: f32,
        x: &Resp,
        half_a: &Resp,
        half_b: &Resp,
        [m_lo, m_hi]: [f32; 2],
        lo: usize,
        lo2: f32,
        hi: usize,
        hi2: f32,
        key: Key,
    ) -> Option<Hit> {
        let plan = &*self.plan;
        if m_lo < plan.min_x2 || m_hi < plan.min_x2 {
            return None;
        }
        if m_lo < plan.dominance_hold * lo2 || m_hi < plan.dominance_hold * hi2 {
            return None;
        }
        // Twist on the uncorrected amplitudes, which a ±2.5 % offset shifts by up to
        // 3 dB: with that much room (hysteresis), a held key keeps its measured twist.
        if m_lo > plan.twist_hi * 2.0 * m_hi || m_lo < plan.twist_lo * 0.5 * m_hi {
            return None;
        }
        // Still the same frequencies: the window-to-window advance e^{jδL} within the
        // deviation limit, |arg| ≤ θ_k ⇔ re > 0 and |im| ≤ tan θ_k · re; after ticks held
        // by the tick check (which keeps no window response: `prev_x` is zero), the
        // advance between the window's halves, e^{jδ2L}, as the full checks measure it.
        for (i, &k) in [lo, hi].iter().enumerate() {
            if self.prev_x[i] == Complex32::new(0.0, 0.0) {
                let z = mul_conj(half_b.get(k), half_a.get(k)) * plan.rot2[k];
                if !plan.max_adv[k].contains(z) {
                    return None;
                }
                continue;
            }
            let w = x.get(k) * self.prev_x[i].conj() * plan.rot[k];
            if w.re <= 0.0 || w.im.abs() > plan.hold_tan[k] * w.re {
                return None;
            }
        }
        let s = plan.x_to_amp * plan.x_to_amp;
        let tone_power = (m_lo * plan.group_gain[lo] + m_hi * plan.group_gain[hi]) * s / 2.0;
        if tone_power < plan.min_ratio_hold * energy * plan.energy_to_power {
            return None;
        }
        Some(Hit {
            key,
            amp_lo: m_lo.sqrt() * plan.x_to_amp,
            amp_hi: m_hi.sqrt() * plan.x_to_amp,
            measured: false,
        })
    }

    /// The checks on one window whose strongest bins are `lo` and `hi`.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn judge(
        &self,
        current: Option<Key>,
        energy: f32,
        x: &Resp,
        half_a: &Resp,
        half_b: &Resp,
        [m_lo, m_hi]: [f32; 2],
        lo: usize,
        lo2: f32,
        hi: usize,
        hi2: f32,
    ) -> Option<Hit> {
        let plan = &*self.plan;
        let key = Key::from_row_col(lo, hi - 4).expect("row and column are 0..4");
        let (dominance, min_ratio) = if current == Some(key) {
            (plan.dominance_hold, plan.min_ratio_hold)
        } else {
            (plan.dominance, plan.min_ratio)
        };
        // Level and dominance in one branch (`any_below`): on speech which of them fails
        // changes from window to window.
        let min = plan.min_x2 * 0.25;
        if any_below(
            [m_lo, m_hi, m_lo, m_hi],
            [min, min, dominance * lo2, dominance * hi2],
        ) {
            return None;
        }
        // Frequency. (1) Between the window's halves: each half is relative to its own start;
        // for a tone at ω+δ, b·conj(a) = |·|² e^{j(ω+δ)2L}, and r² = e^{−jω2L} leaves
        // e^{jδ2L} (unambiguous to ±1/(4·tick) = ±62.5 Hz). This is the deviation check.
        // (2) Between this window and the previous one, a tick earlier: X·conj(X₋₁)·r =
        // |·|² e^{jδL}. The 16 ms windows resolve a third tone that the 8 ms halves mix in
        // (941 + 1000 Hz reads as 941 + 22 Hz between halves, but 941 + 0 Hz here), so this
        // one, when the previous window had the same bins, sets the amplitude correction:
        // a mix is then not inflated into passing the purity check.
        let same_bins = self.prev_bins == [lo as u8, hi as u8];
        let k = [lo, hi];
        // Both halves must carry each tone (about equal magnitude).
        for &k in &k {
            let (na, nb) = (half_a.norm_sqr(k), half_b.norm_sqr(k));
            if na < 0.25 * nb || nb < 0.25 * na {
                return None;
            }
        }
        let mut u = [Complex32::new(1.0, 0.0); 2];
        let mut delta = [0f32; 2];
        for i in 0..2 {
            let k = k[i];
            let z = mul_conj(half_b.get(k), half_a.get(k)) * plan.rot2[k]; // e^{jδ2L}
                                                                           // The deviation: |arg z| within the limit.
            if !plan.max_adv[k].contains(z) {
                return None;
            }
            let w = mul_conj(x.get(k), self.prev_x[i]) * plan.rot[k]; // e^{jδL}
            if same_bins && w.norm_sqr() > 0.0 {
                // The two must agree: arg z = 2·arg w (unwrapped: |arg w| ≤ π/2), else a
                // tone beyond ±62.5 Hz aliases between the halves (1576 Hz reads as
                // 1477 − 26 Hz there, + 99 Hz here). With u = e^{j2·arg w}: arg(z·conj u).
                let uw = unit_squared(w);
                if w.re < 0.0 || !plan.agree.contains(mul_conj(z, uw)) {
                    return None;
                }
                u[i] = uw;
                delta[i] = fast_arg(w) * plan.inv_tick;
            } else {
                u[i] = unit(z);
                delta[i] = fast_arg(z) * (0.5 * plan.inv_tick);
            }
        }
        let amp = self.tone_amplitudes([x.get(lo), x.get(hi)], [lo, hi], u, delta);
        if amp[0] < plan.min_amp || amp[1] < plan.min_amp {
            return None;
        }
        // Twist: amp0²/amp1² within the limits.
        let (p0, p1) = (amp[0] * amp[0], amp[1] * amp[1]);
        if p0 > plan.twist_hi * p1 || p0 < plan.twist_lo * p1 {
            return None;
        }
        // Power of the two tones vs. the window's mean-square power.
        // As the energy is band-limited, so are the tones' powers (exact for pure tones).
        let tone_power = (p0 * plan.group_gain[lo] + p1 * plan.group_gain[hi]) / 2.0;
        let total_power = energy * plan.energy_to_power;
        // Two tones whose peaks add up past full scale are clipped somewhere on the way;
        // clipping moves up to a fifth of their power into distortion products.
        let min_ratio = if amp[0] + amp[1] >= CLIPPED_PEAK_SUM {
            min_ratio.min(plan.min_ratio_clipped)
        } else {
            min_ratio
        };
        if tone_power < min_ratio * total_power {
            return None;
        }
        Some(Hit {
            key,
            amp_lo: amp[0],
            amp_hi: amp[1],
            measured: true,
        })
    }

    /// Amplitudes (peak, 16-bit units) of the two tones, with each tone's leakage into the
    /// other's bin removed: with the measured offsets δ the window response of each actual
    /// tone at each bin, `K = Σ e^{j(ω'−ω)n} = (1 − e^{j(ω'−ω)N}) / (1 − e^{j(ω'−ω)})`, is
    /// known, and the 2×2 system `X = K·C` gives the tones' complex amplitudes `C`. This
    /// removes the ±0.5 dB ripple a rectangular 16 ms window leaves on the levels and twist.
    /// Uses only complex arithmetic: `u = e^{jδN/2}` comes from the frequency check.
    #[inline(always)]
    fn tone_amplitudes(
        &self,
        [x0, x1]: [Complex32; 2],
        k: [usize; 2],
        u: [Complex32; 2],
        delta: [f32; 2],
    ) -> [f32; 2] {
        let plan = &*self.plan;
        let n = plan.window_len as f32;
        // e^{j(ω+δ)} per sample and e^{j(ω+δ)N} per window, for each actual tone.
        let step = |i: usize| {
            let d = delta[i];
            plan.e_step[k[i]] * Complex32::new(1.0 - d * d / 2.0, d)
        };
        let win = |i: usize| plan.e_win[k[i]] * u[i] * u[i];
        let (s0, s1, w0, w1) = (step(0), step(1), win(0), win(1));
        // Lanes: k00, k11, k01 (the high tone seen in the low bin), k10 (the low tone seen
        // in the high bin).
        let [k00, k11, k01, k10] = window_kernels(
            plan,
            n,
            [w0, w1, w1, w0],
            [s0, s1, s1, s0],
            [k[0], k[1], k[0], k[1]],
        );
        let det = k00 * k11 - k01 * k10;
        let det2 = det.norm_sqr();
        if det2 < plan.min_det2 {
            return [
                x0.norm_sqr().sqrt() * plan.x_to_amp,
                x1.norm_sqr().sqrt() * plan.x_to_amp,
            ];
        }
        // |c| = |numerator| / |det| (Cramer), one division for both.
        let inv = 1.0 / det2;
        let n0 = (x0 * k11 - x1 * k01).norm_sqr();
        let n1 = (x1 * k00 - x0 * k10).norm_sqr();
        let scale = 2.0 / TABLE_SCALE;
        [(n0 * inv).sqrt() * scale, (n1 * inv).sqrt() * scale]
    }

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
    #[inline(always)]
    fn step(&mut self, w: &Mags, hit: Option<Hit>, on_event: &mut impl FnMut(Event)) {
        let l = self.plan.tick_len as u64;
        let now = self.ticks * l; // end of the newest tick
        let window_start = now - (WINDOW_TICKS as u64 * l).min(now);
        let newest_start = now - l;

        // The tone is updated in place (`Tone` is 64 bytes); copied out only to close it.
        let (max_dropout, resume_wait) =
            (self.plan.max_dropout_samples, self.plan.resume_wait_samples);
        let Some(t) = self.tone.as_mut() else {
            if let Some(h) = hit {
                self.begin(w, h, &Self::coverage(w, h.key), now, on_event);
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
                        self.begin(w, h, &cov, now, on_event);
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
                self.maybe_confirm(now, on_event);
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
                        self.begin(w, h, &Self::coverage(w, h.key), now, on_event);
                    }
                }
            }
        }
    }

    /// End the tone `t` at `end`: report it if it was confirmed.
    #[inline(always)]
    fn close(&mut self, t: Tone, end: u64, now: u64, on_event: &mut impl FnMut(Event)) {
        self.tone = None;
        if t.confirmed {
            self.prev_end = end;
            on_event(Event::KeyUp {
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
    fn begin(
        &mut self,
        w: &Mags,
        h: Hit,
        cov: &[f32; WINDOW_TICKS],
        now: u64,
        on_event: &mut impl FnMut(Event),
    ) {
        let l = self.plan.tick_len as u64;
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
            start = start.saturating_sub(self.covered_before_window(h.key, refs));
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
        self.maybe_confirm(now, on_event);
    }

    /// Samples of `key`'s tone in the history ticks just before the window, walking back
    /// from the newest while the ticks are wholly covered (the first partial one is the
    /// tone's start).
    #[inline(always)]
    fn covered_before_window(&self, key: Key, (ref_l, ref_h): (f32, f32)) -> u64 {
        let (kl, kh) = (key.row(), key.col() + 4);
        let (ref_l, ref_h) = (ref_l * ref_l, ref_h * ref_h);
        if ref_l <= 0.0 || ref_h <= 0.0 {
            return 0;
        }
        let l = self.plan.tick_len as f32;
        let mut covered = 0.0;
        for j in 1..=HIST_TICKS {
            let t = &self.hist[(self.hist_head as usize + HIST_TICKS - j) % HIST_TICKS];
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
    fn maybe_confirm(&mut self, now: u64, on_event: &mut impl FnMut(Event)) {
        if let Some(t) = self.tone.as_mut() {
            if !t.confirmed
                && t.last_end.saturating_sub(t.hit_start) >= self.plan.min_tone_samples
                && t.on_ticks >= MIN_ON_TICKS
            {
                t.confirmed = true;
                on_event(Event::KeyDown {
                    key: t.key,
                    start: t.start,
                    decided_at: now,
                    levels: t.levels(),
                });
            }
        }
    }
}

/// Whether `a[i] < b[i]` in any lane, as one branch: written with `||`, or even with `|`
/// and an array of comparisons, the compiler made a branch of each comparison, and which
/// one fails changes from window to window on speech. `b − a > 0` exactly when `a < b`
/// (the difference of two different finite values is never rounded to zero, `∞ − ∞` and
/// NaN compare false either way, and so do `±0 − ∓0`), and `f32::max` passes over NaN
/// lanes; tested against the comparisons.
#[inline(always)]
fn any_below(a: [f32; 4], b: [f32; 4]) -> bool {
    let d: [f32; 4] = core::array::from_fn(|i| b[i] - a[i]);
    d[0].max(d[1]).max(d[2].max(d[3])) > 0.0
}

/// `p + q·r`, lane by lane (the same operations as `Complex32`'s).
#[inline(always)]
fn turn(p: &Resp, q: &Resp, r: &Resp) -> Resp {
    let mut out = Resp {
        re: [0.0; 8],
        im: [0.0; 8],
    };
    for k in 0..8 {
        out.re[k] = p.re[k] + (q.re[k] * r.re[k] - q.im[k] * r.im[k]);
        out.im[k] = p.im[k] + (q.re[k] * r.im[k] + q.im[k] * r.re[k]);
    }
    out
}

/// [`Plan::tick_purity`] for a purity threshold `ratio`.
fn tick_purity(ratio: f32, tick_len: usize) -> f32 {
    let l = tick_len as f64;
    let m = l / 2.0 * TABLE_SCALE as f64;
    (ratio as f64 * 2.0 * (16.0 / l) * m * m) as f32
}

/// [`Plan::max_silent_tick_energy`]: a window passes only with |X|² ≥ `min_x2`/4 at both
/// tones, and |X| ≤ 4·max|P_m| over its ticks, so the strongest tick has |P| ≥ √min_x2 / 8;
/// a tone is seen in the newest tick only if it has half that (coverage ≥ 0.5). By
/// Cauchy–Schwarz |P|² ≤ Σx² · Σt² ≤ (16·E + 15·L) · L · 1024² (E = Σ⌊x²/16⌋), so a tick
/// with 16·E + 15·L < min_x2 / (256 · L · 1024²) cannot.
fn silent_tick_energy(min_x2: f64, tick_len: usize) -> u64 {
    let l = tick_len as f64;
    let limit = min_x2 / (256.0 * l * (TABLE_SCALE as f64).powi(2));
    ((limit - 15.0 * l) / 16.0).floor().max(0.0) as u64
}

/// The window response `K = (1 − e^{jΔN}) / (1 − e^{jΔ})` at `bin` of a tone whose window
/// and sample rotations are `tone_win`, `tone_step` (see [`Detector::tone_amplitudes`]); `n`
/// where the denominator vanishes. The scalar definition, the oracle of [`window_kernels`].
#[cfg(test)]
fn window_kernel(
    plan: &Plan,
    n: f32,
    tone_win: Complex32,
    tone_step: Complex32,
    bin: usize,
) -> Complex32 {
    let den = one_minus(mul_conj(tone_step, plan.e_step[bin]));
    let d2 = den.norm_sqr();
    if d2 < 1e-12 {
        Complex32::new(n, 0.0)
    } else {
        // num / den as num · conj(den) / |den|² (one division).
        mul_conj(one_minus(mul_conj(tone_win, plan.e_win[bin])), den) * (1.0 / d2)
    }
}

/// [`window_kernel`] four times, in lanes (the same operations lane by lane, so the same
/// bits; it vectorises).
#[inline(always)]
fn window_kernels(
    plan: &Plan,
    n: f32,
    tone_win: [Complex32; 4],
    tone_step: [Complex32; 4],
    bin: [usize; 4],
) -> [Complex32; 4] {
    let lanes = |f: &dyn Fn(usize) -> f32| -> [f32; 4] { core::array::from_fn(f) };
    let (sr, si) = (lanes(&|j| tone_step[j].re), lanes(&|j| tone_step[j].im));
    let (wr, wi) = (lanes(&|j| tone_win[j].re), lanes(&|j| tone_win[j].im));
    let (er, ei) = (
        lanes(&|j| plan.e_step[bin[j]].re),
        lanes(&|j| plan.e_step[bin[j]].im),
    );
    let (fr, fi) = (
        lanes(&|j| plan.e_win[bin[j]].re),
        lanes(&|j| plan.e_win[bin[j]].im),
    );
    // den = 1 − step·conj(e_step); |den|²; num = 1 − win·conj(e_win); num·conj(den)/|den|².
    let dr = lanes(&|j| 1.0 - (sr[j] * er[j] + si[j] * ei[j]));
    let di = lanes(&|j| 0.0 - (si[j] * er[j] - sr[j] * ei[j]));
    let d2 = lanes(&|j| dr[j] * dr[j] + di[j] * di[j]);
    let qr = lanes(&|j| 1.0 - (wr[j] * fr[j] + wi[j] * fi[j]));
    let qi = lanes(&|j| 0.0 - (wi[j] * fr[j] - wr[j] * fi[j]));
    let inv = lanes(&|j| 1.0 / d2[j]);
    let kr = lanes(&|j| (qr[j] * dr[j] + qi[j] * di[j]) * inv[j]);
    let ki = lanes(&|j| (qi[j] * dr[j] - qr[j] * di[j]) * inv[j]);
    core::array::from_fn(|j| {
        if d2[j] < 1e-12 {
            Complex32::new(n, 0.0)
        } else {
            Complex32::new(kr[j], ki[j])
        }
    })
}

/// `|arg z| ≤ θ` without the arctangent: a cone around the positive real axis (θ < π/2) or,
/// beyond, everything but a cone around the negative one.
#[derive(Clone, Copy, Debug)]
struct ArgLimit {
    /// tan θ (θ < π/2), or tan(π − θ) of the excluded cone.
    tan: f32,
    wide: bool,
}

impl ArgLimit {
    fn new(theta: f32) -> ArgLimit {
        let theta = theta.clamp(0.0, core::f32::consts::PI);
        if theta < core::f32::consts::FRAC_PI_2 {
            ArgLimit {
                tan: theta.tan(),
                wide: false,
            }
        } else {
            ArgLimit {
                tan: (core::f32::consts::PI - theta).tan(),
                wide: true,
            }
        }
    }

    /// Whether `|arg z| ≤ θ` (z = 0 counts as angle 0).
    #[inline(always)]
    fn contains(&self, z: Complex32) -> bool {
        if self.wide {
            !(z.re < 0.0 && z.im.abs() < self.tan * -z.re)
        } else {
            z.re >= 0.0 && z.im.abs() <= self.tan * z.re
        }
    }
}

/// `a · conj(b)`: the same bits as `a * b.conj()` (negation is exact), fewer operations.
#[inline(always)]
fn mul_conj(a: Complex32, b: Complex32) -> Complex32 {
    Complex32::new(a.re * b.re + a.im * b.im, a.im * b.re - a.re * b.im)
}

/// `1 − z`, as `Complex32::new(1.0, 0.0) - z` computes it (`0 − im`, not `−im`).
#[cfg(test)]
fn one_minus(z: Complex32) -> Complex32 {
    Complex32::new(1.0 - z.re, 0.0 - z.im)
}

/// `z / |z|` without libm and without overflow: `z.norm_sqr()` itself overflows `f32` for
/// the half-window products at 44.1/48 kHz (|z| ≈ 2e19 for a 0 dBm0 tone), so scale by the
/// larger component first. Zero stays zero.
fn unit(z: Complex32) -> Complex32 {
    let m = z.re.abs().max(z.im.abs());
    if m == 0.0 || !m.is_finite() {
        return Complex32::new(0.0, 0.0);
    }
    let s = z / m;
    s / s.norm_sqr().sqrt()
}

/// `(z / |z|)²` (a unit phasor of twice the angle) with two divisions and no square root;
/// scaled by the larger component first, as [`unit`]. Zero stays zero.
#[inline]
fn unit_squared(z: Complex32) -> Complex32 {
    let m = z.re.abs().max(z.im.abs());
    if m == 0.0 || !m.is_finite() {
        return Complex32::new(0.0, 0.0);
    }
    let s = z * (1.0 / m);
    (s * s) * (1.0 / s.norm_sqr())
}

/// `z.arg()`, to about 2e-4 rad (0.01 Hz of frequency), without a libm call (it runs for every tick of a tone).
#[inline]
fn fast_arg(z: Complex32) -> f32 {
    use core::f32::consts::{FRAC_PI_2, PI};
    let (ax, ay) = (z.re.abs(), z.im.abs());
    if ax == 0.0 && ay == 0.0 {
        return 0.0;
    }
    // (Comparisons, not `f32::min`/`max`: no NaN handling needed, z is finite.)
    let (lo, hi) = if ax < ay { (ax, ay) } else { (ay, ax) };
    let a = lo / hi;
    let s = a * a;
    // Minimax polynomial for atan on [0, 1].
    let mut r = ((-0.046_496_475 * s + 0.159_314_22) * s - 0.327_622_76) * s * a + a;
    if ay > ax {
        r = FRAC_PI_2 - r;
    }
    if z.re < 0.0 {
        r = PI - r;
    }
    if z.im < 0.0 {
        -r
    } else {
        r
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

/// A power (≥ 0) quantised to a quarter octave (0.75 dB), 2⁸ … 2⁷² in one byte: the
/// scalar definition, the oracle of [`log_powers`].
#[cfg(test)]
fn log_power(p: f32) -> u8 {
    let bits = p.max(256.0).to_bits() + (1 << 20); // round to nearest step
    ((bits >> 21).saturating_sub(LOG_POWER_BASE)).min(255) as u8
}

/// [`log_power`] of the eight powers of a tick, in lanes (vectorises; the same bytes).
#[inline]
fn log_powers(t: &Resp, out: &mut [u8; 8]) {
    let mut q = [0i16; 8];
    #[allow(clippy::needless_range_loop)] // one index across many lanes: vectorises
    for k in 0..8 {
        let p = t.re[k] * t.re[k] + t.im[k] * t.im[k];
        // `p.max(256.0)` (NaN gives 256 either way); the bits are then at least
        // `LOG_POWER_BASE << 21`, so the subtraction cannot wrap, and positive floats'
        // bits are below 2³¹, so the signed minimum is the unsigned one.
        let p = if p > 256.0 { p } else { 256.0 };
        let bits = (p.to_bits() + (1 << 20)) as i32;
        q[k] = ((bits >> 21) - LOG_POWER_BASE as i32).min(255) as i16;
    }
    // 0..=255 through i16: the compiler packs the lanes (`packuswb`).
    for (o, &v) in out.iter_mut().zip(&q) {
        *o = v as u8;
    }
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

/// The power a [`log_power`] byte stands for.
fn power_of(q: u8) -> f32 {
    f32::from_bits((q as u32 + LOG_POWER_BASE) << 21)
}

/// `log_power` offset: exponent 127 + 8 (2⁸) in quarter-octave steps.
const LOG_POWER_BASE: u32 = (127 + 8) << 2;

/// `out[i] = f(x[i])` (inlined into each compiled version; `f` is inlined into it).
#[inline(always)]
fn convert<T: Copy>(x: &[T], out: &mut [i16], f: impl Fn(T) -> i16) {
    for (o, &s) in out.iter_mut().zip(x) {
        *o = f(s);
    }
}

/// `e as f32` through `i64` (one instruction without AVX-512; a tick's or window's energy
/// is far below 2⁶³, where the two conversions agree).
#[inline(always)]
fn energy_f32(e: u64) -> f32 {
    e as i64 as f32
}

/// `v.round()` for `v ≥ 0` (negative and NaN give 0), without the libm call.
#[inline]
fn round_up_half(v: f32) -> u64 {
    (v + 0.5) as u64
}

/// Samples covered by a tone in the window's ticks, by their coverage estimates.
fn covered_samples(cov: &[f32; WINDOW_TICKS], tick_len: u64) -> u64 {
    round_up_half(cov.iter().sum::<f32>() * tick_len as f32)
}

/// `s²` exactly, as |s|·|s| in `u64` (a product of two `u32`: vectorises).
#[inline(always)]
fn square(s: i32) -> u64 {
    let a = s.unsigned_abs() as u64;
    a * a
}

/// [`Detector::band_energy`]'s arithmetic: continue a partial group (`sum` of `n` samples),
/// add (Σ group)² for each completed group of `m` samples; returns the new partial group and
/// the sum added. Whole groups go through a constant-`m` loop; the result is the same integer
/// as one sample at a time (`band_energy_reference`, tested). With `fast` (AVX2), whole
/// groups of 1, 2, 3, 4 or 6 samples go through `band::whole_groups` (same integer).
#[inline(always)]
fn band_energy_groups(
    m: usize,
    sum: i32,
    n: usize,
    x: &[i16],
    fast: Option<Avx2>,
) -> (i32, usize, u64) {
    // Constant group lengths: no division by `m`, and the kernels are chosen at compile time.
    match m {
        1 => band_energy_m::<1>(sum, n, x, fast),
        2 => band_energy_m::<2>(sum, n, x, fast),
        3 => band_energy_m::<3>(sum, n, x, fast),
        4 => band_energy_m::<4>(sum, n, x, fast),
        5 => band_energy_m::<5>(sum, n, x, fast),
        6 => band_energy_m::<6>(sum, n, x, fast),
        _ => band_energy_any(m, sum, n, x),
    }
}

/// [`band_energy_groups`] for groups of `M` samples (whole groups through the AVX2
/// kernel when there is one).
#[inline(always)]
fn band_energy_m<const M: usize>(
    sum: i32,
    n: usize,
    x: &[i16],
    fast: Option<Avx2>,
) -> (i32, usize, u64) {
    band_energy_with(M, sum, n, x, |body| {
        #[cfg(target_arch = "x86_64")]
        let simd = fast.and_then(|t| band::whole_groups::<M>(t, body));
        #[cfg(not(target_arch = "x86_64"))]
        let simd: Option<u64> = fast.map(|t| match t {});
        simd
    })
}

/// [`band_energy_groups`] for any group length (`m` = 0 counts as 1).
fn band_energy_any(m: usize, sum: i32, n: usize, x: &[i16]) -> (i32, usize, u64) {
    band_energy_with(m.max(1), sum, n, x, |_| None)
}

/// The arithmetic of [`band_energy_groups`] for groups of `m` ≥ 1 samples; `whole` may sum
/// the whole groups (a multiple of `m` samples) faster, or return `None`.
#[inline(always)]
fn band_energy_with(
    m: usize,
    sum: i32,
    n: usize,
    x: &[i16],
    whole: impl Fn(&[i16]) -> Option<u64>,
) -> (i32, usize, u64) {
    let mut e = 0u64;
    let (mut sum, mut n, mut x) = (sum, n, x);
    // Finish the partial group.
    while n != 0 && !x.is_empty() {
        sum += x[0] as i32;
        n += 1;
        x = &x[1..];
        if n == m {
            e += square(sum);
            sum = 0;
            n = 0;
        }
    }
    let split = x.len() - x.len() % m;
    let (body, tail) = x.split_at(split);
    e += match whole(body) {
        Some(e) => e,
        None => body
            .chunks_exact(m)
            .map(|g| square(g.iter().map(|&v| v as i32).sum()))
            .sum(),
    };
    for &v in tail {
        sum += v as i32;
        n += 1;
    }
    (sum, n, e)
}

/// Index of the largest value (the first of equals), that value, and the largest of the
/// others (at least 0), for finite values (window powers always are): a comparison network,
/// branch-free.
#[inline]
fn top2(v: &[f32; 4]) -> (usize, f32, f32) {
    // Winner and loser of (0, 1) and of (2, 3); ties go to the earlier index. Masks and
    // selects, not branches: on noise and speech the order of the bins is random from
    // window to window, and mispredicted branches cost more than the whole comparison.
    let c01 = v[1] > v[0];
    let c23 = v[3] > v[2];
    let sel = |c: bool, a: f32, b: f32| f32::from_bits(select(c, a.to_bits(), b.to_bits()));
    let (w01, l01) = (sel(c01, v[1], v[0]), sel(c01, v[0], v[1]));
    let (w23, l23) = (sel(c23, v[3], v[2]), sel(c23, v[2], v[3]));
    let (i01, i23) = (c01 as u32, 2 + c23 as u32);
    let c = w23 > w01;
    let best = select(c, i23, i01);
    let second = sel(c, max_finite(l23, w01), max_finite(l01, w23));
    (best as usize, sel(c, w23, w01), max_finite(second, 0.0))
}

/// `if c { a } else { b }` on integers, by mask (no branch).
#[inline(always)]
fn select(c: bool, a: u32, b: u32) -> u32 {
    let m = (c as u32).wrapping_neg();
    (a & m) | (b & !m)
}

/// The larger of two finite values (no NaN handling: `maxss`).
#[inline(always)]
fn max_finite(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

/// Convenience: decode a whole buffer of 16-bit samples at `sample_rate` with the default
/// settings and return the complete keys.
///
/// # Errors
/// [`ConfigError::SampleRate`] for a rate outside 8 000–48 000 Hz.
pub fn detect<S: Sample>(sample_rate: u32, samples: &[S]) -> Result<Vec<KeyPress>, ConfigError> {
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
mod tests {
    use super::*;

    /// Keys at many levels, offsets and twists, with and without gaps, over noise and
    /// (at 8 kHz) recorded speech and music: a signal that reaches every branch of the
    /// per-tick analysis.
    fn busy_signal(rate: u32, seed: u64) -> Vec<i16> {
        let mut st = seed | 1;
        let mut rnd = move || {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            (st >> 11) as f64 / (1u64 << 53) as f64
        };
        let fs = rate as f64;
        let mut x = Vec::new();
        for i in 0..48 {
            let key = Key::ALL[i % 16];
            let (fl, fh) = key.frequencies();
            let dev = |r: f64| 1.0 + (r - 0.5) * 0.07; // ±3.5 %
            let (fl, fh) = (fl * dev(rnd()), fh * dev(rnd()));
            let level = -45.0 + 52.0 * rnd();
            let twist = -10.0 + 20.0 * rnd();
            let al = generator::dbm0_to_peak(level + twist / 2.0);
            let ah = generator::dbm0_to_peak(level - twist / 2.0);
            let on = ((0.015 + 0.1 * rnd()) * fs) as usize;
            let off = ((0.005 + 0.06 * rnd()) * fs) as usize;
            x.resize(x.len() + off, 0.0);
            let w = 2.0 * core::f64::consts::PI / fs;
            x.extend(
                (0..on)
                    .map(|n| al * (w * fl * n as f64).sin() + ah * (w * fh * n as f64 + 1.0).sin()),
            );
        }
        let bed = if rate == 8000 {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/speech-real-8k.wav");
            crate::wav::read_all(path)
                .map(|a| a.samples)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        x.iter()
            .enumerate()
            .map(|(n, &v)| {
                let b = bed
                    .get(n % bed.len().max(1))
                    .map_or(0.0, |&b| b as f64 * 0.1);
                let noise = (rnd() - 0.5) * 300.0;
                (v + b + noise).round().clamp(-32768.0, 32767.0) as i16
            })
            .collect()
    }

    #[test]
    fn simd_analysis_matches_the_baseline_build() {
        for (i, rate) in [8000u32, 16000, 44100, 48000].into_iter().enumerate() {
            let x = busy_signal(rate, 77 + i as u64);
            let run = |plan: Plan| {
                let mut det = Detector::with_plan(Arc::new(plan));
                let mut ev = Vec::new();
                for f in x.chunks(160) {
                    det.process(f, |e| ev.push(e));
                }
                det.finish(|e| ev.push(e));
                ev
            };
            let simd = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            #[allow(unused_mut)]
            let mut baseline = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            #[cfg(target_arch = "x86_64")]
            {
                baseline.avx2 = None;
            }
            let (a, b) = (run(simd), run(baseline));
            // The signal must exercise the detector: many keys found, some rejected.
            let keys = b
                .iter()
                .filter(|e| matches!(e, Event::KeyUp { .. }))
                .count();
            assert!((10..48).contains(&keys), "{rate} Hz: {keys} keys");
            assert_eq!(a, b, "{rate} Hz");
        }
    }

    /// The input conversions compiled for AVX2 (f32 to i16, G.711 decoding) give the same
    /// samples as the baseline build, and so the same events: the keys signal as f32 (with
    /// values at and beyond full scale, half-way values and NaN/∞ mixed in) and as μ-law
    /// and A-law bytes.
    #[test]
    fn simd_input_conversions_match_the_baseline_build() {
        let x = busy_signal(8000, 5);
        let mut xf: Vec<f32> = x.iter().map(|&v| v as f32 / 32768.0).collect();
        // Half-way values (ties), over-range, non-finite, in every lane position.
        let odd = [
            0.5 / 32768.0,
            -1.5 / 32768.0,
            2.5 / 32768.0,
            1.0,
            -1.0,
            1.5,
            -7.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
        ];
        for (i, v) in xf.iter_mut().enumerate().filter(|(i, _)| i % 4001 < 11) {
            *v = odd[i % 4001];
        }
        let xu: Vec<u8> = x.iter().map(|&v| g711::linear_to_ulaw(v)).collect();
        let xa: Vec<u8> = x.iter().map(|&v| g711::linear_to_alaw(v)).collect();
        let run = |plan: &Arc<Plan>, kind: u8| {
            let mut det = Detector::with_plan(plan.clone());
            let mut ev = Vec::new();
            for f in 0..x.len().div_ceil(160) {
                let r = f * 160..((f + 1) * 160).min(x.len());
                match kind {
                    0 => det.process(&xf[r], |e| ev.push(e)),
                    1 => det.process_ulaw(&xu[r], |e| ev.push(e)),
                    _ => det.process_alaw(&xa[r], |e| ev.push(e)),
                }
            }
            det.finish(|e| ev.push(e));
            ev
        };
        let simd = Arc::new(Plan::new(DetectorConfig::default()).unwrap());
        #[allow(unused_mut)]
        let mut baseline = Plan::new(DetectorConfig::default()).unwrap();
        #[cfg(target_arch = "x86_64")]
        {
            baseline.avx2 = None;
        }
        let baseline = Arc::new(baseline);
        for kind in 0..3 {
            let (a, b) = (run(&simd, kind), run(&baseline, kind));
            let keys = b
                .iter()
                .filter(|e| matches!(e, Event::KeyUp { .. }))
                .count();
            assert!(keys >= 10, "input {kind}: {keys} keys");
            assert_eq!(a, b, "input {kind}");
        }
        // And sample for sample, through the two compiled conversions.
        #[cfg(target_arch = "x86_64")]
        if let Some(t) = simd.avx2 {
            let (mut p, mut q) = (vec![0i16; xf.len()], vec![0i16; xf.len()]);
            avx2::convert(t, &xf, &mut p, f32::to_i16);
            convert(&xf, &mut q, f32::to_i16);
            assert_eq!(p, q);
            let all: Vec<u8> = (0..=255).collect();
            let (mut p, mut q) = ([0i16; 256], [0i16; 256]);
            avx2::convert(t, &all, &mut p, g711::ulaw_lane);
            convert(&all, &mut q, g711::ulaw_lane);
            assert_eq!((p, q.to_vec()), (q, g711::ULAW_TABLE.to_vec()));
            avx2::convert(t, &all, &mut p, g711::alaw_lane);
            convert(&all, &mut q, g711::alaw_lane);
            assert_eq!((p, q.to_vec()), (q, g711::ALAW_TABLE.to_vec()));
        }
    }

    /// The silent-tick bound: no tick under it has a response at any DTMF bin that could
    /// make the newest tick of a passing window covered (checked with the bank itself on the
    /// worst case, a full-tick sine exactly at a bin, and on noise); and it is of use: a
    /// line's idle noise at −65 dBFS is under it.
    #[test]
    fn silent_tick_bound_is_sound_and_useful() {
        for rate in [8000u32, 11025, 16000, 44100, 48000] {
            let plan = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            let l = plan.tick_len;
            let bound = plan.max_silent_tick_energy;
            assert!(bound > 0, "{rate}");
            let tick = |x: &[i16]| {
                let (mut acc, mut e) = ([0i32; 16], 0u64);
                plan.bank.accumulate(x, 0, &mut acc, &mut e);
                (acc, e)
            };
            // In Q10 units, as the detector converts them.
            let q10 = f64::from(1u32 << plan.bank.shift());
            let power = |acc: &[i32; 16], k: usize| {
                let (re, im) = (acc[k] as f64 * q10, acc[8 + k] as f64 * q10);
                re * re + im * im
            };
            for (k, &f) in ALL_FREQS.iter().enumerate() {
                // The largest sine at f whose tick stays under the bound.
                let mut a = 4000.0;
                let (acc, e) = loop {
                    let x: Vec<i16> = (0..l)
                        .map(|n| {
                            (a * (2.0 * core::f64::consts::PI * f * n as f64 / rate as f64).cos())
                                .round() as i16
                        })
                        .collect();
                    let (acc, e) = tick(&x);
                    if e < bound {
                        break (acc, e);
                    }
                    a *= 0.99;
                };
                assert!(e < bound);
                assert!(
                    power(&acc, k) < plan.min_x2 as f64 / 256.0,
                    "{rate} Hz {f} Hz"
                );
            }
            // The first-half bound: the largest two-tick sine at each bin under it has a
            // half-window response |a|² under min_x2 / 36.
            let half_bound = plan.max_silent_half_energy as f64;
            assert!(half_bound > bound as f64, "{rate}");
            for (k, &f) in ALL_FREQS.iter().enumerate() {
                let mut a = 4000.0;
                loop {
                    let x: Vec<i16> = (0..2 * l)
                        .map(|n| {
                            (a * (2.0 * core::f64::consts::PI * f * n as f64 / rate as f64).cos())
                                .round() as i16
                        })
                        .collect();
                    let (p0, e0) = tick(&x[..l]);
                    let (p1, e1) = tick(&x[l..]);
                    if ((e0 + e1) as f64) < half_bound {
                        // a = P0 + P1·r (relative to the half's start), in Q10 units.
                        let c = |acc: &[i32; 16]| {
                            Complex32::new(acc[k] as f32, acc[8 + k] as f32) * q10 as f32
                        };
                        let half = c(&p0) + c(&p1) * plan.rot[k];
                        assert!(
                            (half.norm_sqr() as f64) < plan.min_x2 as f64 / 36.0,
                            "{rate} Hz {f} Hz"
                        );
                        break;
                    }
                    a *= 0.99;
                }
            }
            // −65 dBFS white-ish noise is under the bound.
            let mut st = 0x1234_5678_u64 ^ rate as u64;
            let noise: Vec<i16> = (0..l)
                .map(|_| {
                    st ^= st << 13;
                    st ^= st >> 7;
                    st ^= st << 17;
                    let u = (st >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                    (u * 3.4641 * 32768.0 * 10f64.powf(-65.0 / 20.0)).round() as i16
                })
                .collect();
            assert!(
                tick(&noise).1 < bound,
                "{rate}: noise {} vs {bound}",
                tick(&noise).1
            );
        }
    }

    #[test]
    fn arg_limit_matches_atan2() {
        for theta in [0.05f32, 0.2, 0.9, 1.5, 1.6, 2.05, 3.0] {
            let lim = ArgLimit::new(theta);
            for i in 0..7200 {
                let t = (i as f32 / 7200.0) * 2.0 * core::f32::consts::PI - core::f32::consts::PI;
                if (t.abs() - theta).abs() < 1e-3 {
                    continue; // the boundary itself: either answer
                }
                for r in [1e-3f32, 1.0, 1e12] {
                    let z = Complex32::from_polar(r, t);
                    assert_eq!(
                        lim.contains(z),
                        t.abs() <= theta,
                        "θ {theta} angle {t} r {r}"
                    );
                }
            }
            assert!(lim.contains(Complex32::new(0.0, 0.0)));
        }
    }

    #[test]
    fn fast_arg_matches_atan2() {
        let mut worst = 0f32;
        for i in 0..3600 {
            let t = (i as f32 / 3600.0) * 2.0 * core::f32::consts::PI - core::f32::consts::PI;
            for r in [1e-3f32, 1.0, 1e6] {
                let z = Complex32::from_polar(r, t);
                worst = worst.max((fast_arg(z) - z.im.atan2(z.re)).abs());
            }
        }
        assert!(worst < 3e-4, "worst error {worst}");
        assert_eq!(fast_arg(Complex32::new(0.0, 0.0)), 0.0);
    }

    /// The original one-sample-at-a-time band energy, the oracle for `band_energy_groups`.
    fn band_energy_reference(m: usize, sum: i32, n: usize, x: &[i16]) -> (i32, usize, u64) {
        let (mut sum, mut n, mut e) = (sum, n as u32, 0u64);
        for &v in x {
            sum += v as i32;
            n += 1;
            if n == m as u32 {
                e += (sum as i64 * sum as i64) as u64;
                sum = 0;
                n = 0;
            }
        }
        (sum, n as usize, e)
    }

    /// The ways `band_energy_groups` can run here: portable, and with AVX2 if the CPU has it.
    fn band_energy_paths() -> Vec<Option<Avx2>> {
        #[allow(unused_mut)]
        let mut paths = vec![None];
        #[cfg(target_arch = "x86_64")]
        {
            match avx2::Token::detect() {
                Some(t) => paths.push(Some(t)),
                None => eprintln!("no AVX2 on this CPU: only the portable band energy tested"),
            }
        }
        paths
    }

    #[test]
    fn band_energy_groups_match_the_reference() {
        let mut st = 0x2545_f491_4f6c_dd1du64;
        let mut rand = move || {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            (st >> 48) as i16
        };
        let noise: Vec<i16> = (0..997)
            .map(|i| if i % 50 < 10 { i16::MIN } else { rand() })
            .collect();
        let signals = [
            noise,
            vec![i16::MIN; 997],
            vec![i16::MAX; 997],
            (0..997)
                .map(|i| if i % 2 == 0 { i16::MAX } else { i16::MIN })
                .collect(),
            (0..997).map(|_| rand() >> 12).collect(),
        ];
        for fast in band_energy_paths() {
            for x in &signals {
                for m in 1..=7 {
                    // Continuing a partial group, then whole and partial calls.
                    for cut in [0, 1, 2, 3, 5, 7, 48, 160, 500, 997] {
                        let (a, b) = x.split_at(cut);
                        let r1 = band_energy_reference(m, 0, 0, a);
                        let g1 = band_energy_groups(m, 0, 0, a, fast);
                        assert_eq!(g1, r1, "m {m} first {cut} {fast:?}");
                        let r2 = band_energy_reference(m, r1.0, r1.1, b);
                        let g2 = band_energy_groups(m, g1.0, g1.1, b, fast);
                        assert_eq!(g2, r2, "m {m} rest after {cut} {fast:?}");
                    }
                    // Every length up to three blocks of eight groups (whole ticks start at a
                    // group boundary), from several offsets into the signal.
                    for start in [0, 1, 2, 5, 6, 7] {
                        for len in 0..=24 * m + 1 {
                            let y = &x[start..start + len];
                            let r = band_energy_reference(m, 0, 0, y);
                            let g = band_energy_groups(m, 0, 0, y, fast);
                            assert_eq!(g, r, "m {m} start {start} len {len} {fast:?}");
                        }
                    }
                    // Whole ticks at the rates that use each group length.
                    for tick in [64, 96, 128, 160, 176, 192] {
                        if tick % m == 0 {
                            let y = &x[..tick];
                            let r = band_energy_reference(m, 0, 0, y);
                            assert_eq!(r.1, 0);
                            assert_eq!(
                                band_energy_groups(m, 0, 0, y, fast),
                                r,
                                "m {m} tick {tick}"
                            );
                        }
                    }
                }
            }
        }
        // The extremes: the largest group sums, squared exactly.
        for fast in band_energy_paths() {
            let x = vec![i16::MIN; 192];
            let e = band_energy_groups(6, 0, 0, &x, fast).2;
            assert_eq!(e, 32 * (6u64 * 32768).pow(2), "{fast:?}");
        }
    }

    /// xorshift values over many octaves, with the special cases.
    fn test_values() -> Vec<f32> {
        let mut st = 0x9e37_79b9_7f4a_7c15u64;
        let mut v: Vec<f32> = (0..4000)
            .map(|_| {
                st ^= st << 13;
                st ^= st >> 7;
                st ^= st << 17;
                let m = (st >> 40) as f32 / (1u64 << 24) as f32;
                m * 2f32.powi(((st >> 8) % 90) as i32 - 10)
            })
            .collect();
        v.extend([
            0.0,
            255.9,
            256.0,
            256.1,
            1e30,
            f32::MAX,
            f32::INFINITY,
            f32::NAN,
        ]);
        v
    }

    /// `any_below` against the comparisons it replaces, over positive, negative, tiny,
    /// huge, infinite and NaN values in every lane.
    #[test]
    fn any_below_matches_the_comparisons() {
        let mut v: Vec<f32> = test_values().into_iter().step_by(50).collect();
        v.extend(v.clone().iter().map(|x| -x));
        v.extend([
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            f32::MAX,
            f32::MIN,
        ]);
        v.extend([
            f32::NEG_INFINITY,
            1.0,
            1.0 + f32::EPSILON,
            1.0 - f32::EPSILON / 2.0,
        ]);
        let mut seen = [0usize; 2];
        for &a0 in &v {
            for &b0 in &v {
                // The pair in each lane; the other lanes all false (0 < 0, NaN < 0, 0 < NaN)
                // or all true (0 < 1).
                for lane in 0..4 {
                    for (fa, fill) in [(0.0, 0.0), (0.0, 1.0), (f32::NAN, 0.0), (0.0, f32::NAN)] {
                        let mut a = [fa; 4];
                        let mut b = [fill; 4];
                        a[lane] = a0;
                        b[lane] = b0;
                        let want = (0..4).any(|j| a[j] < b[j]);
                        assert_eq!(any_below(a, b), want, "{a:?} < {b:?}");
                        seen[usize::from(want)] += 1;
                    }
                }
            }
        }
        assert!(seen[0] > 1000 && seen[1] > 1000, "{seen:?}");
    }

    /// The lane-wise window responses are the scalar ones, bit for bit: at the offsets the
    /// detector measures (up to ±3.5 %, and exactly 0, where the denominator vanishes), for
    /// every pair of bins, at each rate's plan.
    #[test]
    fn window_kernels_match_window_kernel() {
        for rate in [8000u32, 16000, 44100, 48000] {
            let plan = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            let n = plan.window_len as f32;
            let mut cases = 0;
            for (ka, kb) in (0..8).flat_map(|a| (0..8).map(move |b| (a, b))) {
                for dev in [-0.035f32, -0.02, -0.004, 0.0, 1e-6, 0.011, 0.025, 0.035] {
                    let tone = |k: usize, d: f32| {
                        let w = 2.0 * core::f32::consts::PI * ALL_FREQS[k] as f32 * d / rate as f32;
                        let step = plan.e_step[k] * Complex32::new(1.0 - w * w / 2.0, w);
                        let win = plan.e_win[k] * Complex32::from_polar(1.0, w * n);
                        (win, step)
                    };
                    let (wa, sa) = tone(ka, dev);
                    let (wb, sb) = tone(kb, -0.7 * dev);
                    let lanes = window_kernels(
                        &plan,
                        n,
                        [wa, wb, wb, wa],
                        [sa, sb, sb, sa],
                        [ka, kb, ka, kb],
                    );
                    let scalar = [
                        window_kernel(&plan, n, wa, sa, ka),
                        window_kernel(&plan, n, wb, sb, kb),
                        window_kernel(&plan, n, wb, sb, ka),
                        window_kernel(&plan, n, wa, sa, kb),
                    ];
                    for (l, s) in lanes.iter().zip(&scalar) {
                        assert_eq!(
                            (l.re.to_bits(), l.im.to_bits()),
                            (s.re.to_bits(), s.im.to_bits()),
                            "{rate} Hz bins {ka} {kb} deviation {dev}: {l} vs {s}"
                        );
                    }
                    cases += 1;
                }
            }
            assert_eq!(cases, 8 * 8 * 8);
        }
    }

    #[test]
    fn log_powers_match_log_power() {
        let v = test_values();
        for c in v.chunks_exact(8) {
            // re² + im² with im = 0 is the value itself (rounded through the square root).
            let t = Resp {
                re: core::array::from_fn(|k| c[k].sqrt()),
                im: [0.0; 8],
            };
            let want: [u8; 8] = core::array::from_fn(|k| log_power(t.norm_sqr(k)));
            let mut got = [0; 8];
            log_powers(&t, &mut got);
            assert_eq!(got, want, "{c:?}");
        }
        let t = Resp {
            re: [f32::NAN, 0.0, 16.0, 1e20, 3.0, 1e19, 17.0, 100.0],
            im: [0.0, f32::NAN, 0.5, 1e20, 4.0, 0.0, 0.0, 100.0],
        };
        let want: [u8; 8] = core::array::from_fn(|k| log_power(t.norm_sqr(k)));
        let mut got = [0; 8];
        log_powers(&t, &mut got);
        assert_eq!(got, want);
    }

    /// The original two-pass `top2`, the oracle for the one-pass one.
    fn top2_reference(v: &[f32]) -> (usize, f32) {
        let mut best = 0;
        for i in 1..v.len() {
            if v[i] > v[best] {
                best = i;
            }
        }
        let second = v
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != best)
            .map(|(_, &m)| m)
            .fold(0f32, f32::max);
        (best, second)
    }

    #[test]
    fn top2_matches_the_reference() {
        let mut v = test_values();
        // Ties and repeats.
        v.extend([5.0, 5.0, 1.0, 5.0, 0.0, 0.0, 0.0, 0.0, 2.0, 3.0, 3.0, 2.0]);
        for w in v.windows(4).filter(|w| w.iter().all(|x| x.is_finite())) {
            let a = [w[0], w[1], w[2], w[3]];
            let (i, m, s) = top2(&a);
            let (ri, rs) = top2_reference(&a);
            assert_eq!(i, ri, "{a:?}");
            assert_eq!(m.to_bits(), a[ri].to_bits(), "{a:?}");
            assert_eq!(s.to_bits(), rs.to_bits(), "{a:?}");
        }
    }

    #[test]
    fn log_power_round_trips_within_a_step() {
        for e in 9..70 {
            for f in [1.0f32, 1.3, 1.7] {
                let p = f * 2f32.powi(e);
                let back = power_of(log_power(p));
                let db = 10.0 * (back / p).log10();
                assert!(db.abs() <= 0.4, "{p}: {back} ({db} dB)");
            }
        }
        assert_eq!(log_power(0.0), 0);
        assert_eq!(log_power(f32::INFINITY), 255);
    }
}
