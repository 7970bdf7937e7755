//! The per-rate plan: the filter bank and every table and limit the detector derives from
//! its config, in the units the per-tick arithmetic uses, built once and shared (`Arc`)
//! between channels.

use super::checks::Thresholds;
use super::config::{DetectorConfig, DetectorConfigError};
use super::ticks::{Resp, WINDOW_TICKS};
use super::tracker::RESUME_MS;
use crate::goertzel::{Bank, TABLE_SCALE};
use crate::key::ALL_FREQS;
use crate::level;
use crate::simd::{self, Avx2};
use num_complex::Complex32;

/// Tick duration: 4 ms, i.e. rate / 250 samples.
const TICKS_PER_SECOND: f64 = 250.0;

/// Precomputed, shareable per-rate data: tables and thresholds in linear units.
/// Build one with [`Plan::new`] and share it (`Arc`) between many channels' detectors.
#[derive(Debug)]
pub struct Plan {
    pub(super) cfg: DetectorConfig,
    pub(super) bank: Bank,
    pub(super) tick_len: usize,
    /// Set when the CPU has AVX2: the per-tick analysis then runs compiled for it.
    pub(super) avx2: Option<Avx2>,
    pub(super) rot: Rotations,
    pub(super) scale: Scales,
    pub(super) band: Band,
    pub(super) quiet: Quiet,
    pub(super) thresholds: Thresholds,
    pub(super) durations: Durations,
    /// The input high-pass ([`DetectorConfig::highpass_hz`]), if any.
    pub(super) highpass: Option<super::highpass::Coeffs>,
}

/// Unit phasors per DTMF frequency k.
#[derive(Debug)]
pub(super) struct Rotations {
    /// e^{−jω_k L}: rotation of one tick.
    pub(super) tick: [Complex32; 8],
    /// `tick²` (two ticks' rotation), as `tick[k] * tick[k]`.
    pub(super) two: [Complex32; 8],
    /// `tick` and `two`, real and imaginary parts apart.
    pub(super) tick_lanes: Resp,
    pub(super) two_lanes: Resp,
    /// e^{jω_k}: one sample's rotation.
    pub(super) step: [Complex32; 8],
    /// e^{jω_k N}: one window's rotation.
    pub(super) window: [Complex32; 8],
}

/// Scales between the bank's units, window responses, amplitudes and powers.
#[derive(Debug)]
pub(super) struct Scales {
    /// The bank's sums are in units of 2^-q; times this, 2^(10-q) (exact), they are Q10.
    pub(super) acc: f32,
    /// 1 / samples per tick.
    pub(super) inv_tick: f32,
    /// Mean square (sample units²) per unit of window energy: 16 / samples per window.
    pub(super) energy_to_power: f32,
    /// Scale from window |X| (table units) to amplitude (sample units).
    pub(super) x_to_amp: f32,
    /// |det|² under which the 2×2 amplitude solve is not used (1e-6 · N⁴).
    pub(super) min_det2: f32,
    /// Samples per window (4 ticks).
    pub(super) window_len: usize,
}

/// The band limit of the energy (rates from 16 kHz).
#[derive(Debug)]
pub(super) struct Band {
    /// Boxcar group length of the band-limited energy (1 at rates below 16 kHz).
    pub(super) group: usize,
    /// Power gain of that boxcar at each DTMF frequency.
    pub(super) gain: [f32; 8],
}

/// Energy bounds (Σx²/16 units) under which no key can be seen, so the window checks are
/// skipped (see the module docs, "Quiet ticks").
#[derive(Debug)]
pub(super) struct Quiet {
    /// A tick with less energy (Σ⌊x²/16⌋) cannot carry half the response a passing window
    /// needs at its strongest tick, so no tone can be seen to start or resume in it.
    pub(super) tick: u64,
    /// The same for the first half (two ticks) of a window: a new key must be in both
    /// halves with |a|² ≥ |b|²/4, and |X| ≤ |a| + |b|, so a hit needs |a| ≥ √min_x2 / 6.
    pub(super) half: f32,
    /// A window at exactly the minimum for two tones.
    pub(super) min_window_energy: f32,
}

/// Durations, samples.
#[derive(Debug)]
pub(super) struct Durations {
    /// Shortest tone reported.
    pub(super) min_tone: u64,
    /// Longest gap bridged inside one key.
    pub(super) max_dropout: u64,
    /// How long after a tone's end a resumption may still be seen (dropout + `RESUME_MS`).
    pub(super) resume_wait: u64,
    /// Ticks a tone must have been seen on (not counting bridged gaps) before it is
    /// reported: `min_on_ms`, rounded up to whole ticks.
    pub(super) min_on_ticks: u16,
    /// Longest stretch of a reported key through which its tones stay present but the
    /// window checks fail, bridged (`max_held_gap_ms`; 0 = none).
    pub(super) held_gap: u64,
    /// `max_burst_ms` in whole ticks (rounded down).
    pub(super) burst_ticks: usize,
    /// `held_tone_db` as a power ratio below 1, less half a step of the quantised powers it
    /// is compared with (`log_power`: 2^¼), so that a ratio quantised to exactly the limit
    /// counts as within it (0: the check is off).
    pub(super) held_tone: f32,
    /// `max_rise_ms` as the largest sum of the two tones' rises in ticks (twice the mean,
    /// rounded down; `u16::MAX`: the check is off).
    pub(super) rise_ticks: u16,
    /// `max_twist_swing_db` as the largest ratio of the low-to-high amplitude ratio's
    /// extremes (infinite: the check is off).
    pub(super) twist_swing: f32,
}

impl Plan {
    /// Check the config and precompute tables.
    ///
    /// # Errors
    /// [`DetectorConfigError`] naming the bad field and value.
    pub fn new(cfg: DetectorConfig) -> Result<Plan, DetectorConfigError> {
        cfg.validate()?;
        let fs = cfg.sample_rate as f64;
        let tick_len = (fs / TICKS_PER_SECOND).round() as usize;
        // The longest boxcar that divides a tick and keeps fs/group ≥ 8 kHz.
        let group = (1..=(cfg.sample_rate / 8000) as usize)
            .rev()
            .find(|m| tick_len % m == 0)
            .unwrap_or(1);
        let gain = ALL_FREQS.map(|f| {
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
        let phasor = |f: f64, len: usize| {
            let w = 2.0 * core::f64::consts::PI * f / fs * len as f64;
            Complex32::new(w.cos() as f32, w.sin() as f32)
        };
        let rot = ALL_FREQS.map(|f| phasor(f, tick_len).conj());
        let min_amp = level::dbm0_to_peak(cfg.min_level_dbm0 as f64);
        // A tone of peak A gives |X| = A·N/2 (in sample units), times TABLE_SCALE.
        let x_to_amp = 2.0 / (n * TABLE_SCALE as f64);
        let min_x2 = (min_amp / x_to_amp).powi(2);
        let ms = |v: f32| (v as f64 * fs / 1000.0).round() as u64;
        Ok(Plan {
            tick_len,
            avx2: simd::features().avx2,
            rot: Rotations {
                tick: rot,
                two: rot.map(|r| r * r),
                tick_lanes: Resp {
                    re: rot.map(|r| r.re),
                    im: rot.map(|r| r.im),
                },
                two_lanes: Resp {
                    re: rot.map(|r| (r * r).re),
                    im: rot.map(|r| (r * r).im),
                },
                step: ALL_FREQS.map(|f| phasor(f, 1)),
                window: ALL_FREQS.map(|f| phasor(f, tick_len * WINDOW_TICKS)),
            },
            scale: Scales {
                acc: (1u32 << bank.shift()) as f32,
                inv_tick: 1.0 / tick_len as f32,
                energy_to_power: 16.0 / n as f32,
                x_to_amp: x_to_amp as f32,
                min_det2: 1e-6 * (n as f32).powi(4),
                window_len: tick_len * WINDOW_TICKS,
            },
            band: Band { group, gain },
            quiet: Quiet {
                tick: silent_tick_energy(min_x2, tick_len),
                half: {
                    // |a|² ≤ (16·E + 15·2L) · 2L · 1024² < min_x2 / 36.
                    let l2 = 2.0 * tick_len as f64;
                    let limit = min_x2 / (36.0 * l2 * (TABLE_SCALE as f64).powi(2));
                    ((limit - 15.0 * l2) / 16.0).max(0.0) as f32
                },
                // Two tones: 2·A²/2·N.
                min_window_energy: (min_amp * min_amp * n / 16.0) as f32,
            },
            thresholds: Thresholds::new(&cfg, tick_len, min_amp, min_x2, x_to_amp),
            durations: Durations {
                min_tone: ms(cfg.min_tone_ms),
                max_dropout: ms(cfg.max_dropout_ms),
                resume_wait: ms(cfg.max_dropout_ms + RESUME_MS),
                min_on_ticks: (cfg.min_on_ms as f64 * TICKS_PER_SECOND / 1000.0).ceil() as u16,
                held_gap: ms(cfg.max_held_gap_ms),
                burst_ticks: (cfg.max_burst_ms as f64 * TICKS_PER_SECOND / 1000.0).floor() as usize,
                held_tone: if cfg.held_tone_db > 0.0 {
                    10f32.powf(-cfg.held_tone_db / 10.0) * 2f32.powf(-0.125)
                } else {
                    0.0
                },
                rise_ticks: if cfg.max_rise_ms > 0.0 {
                    (2.0 * cfg.max_rise_ms as f64 * TICKS_PER_SECOND / 1000.0).floor() as u16
                } else {
                    u16::MAX
                },
                twist_swing: if cfg.max_twist_swing_db > 0.0 {
                    10f32.powf(cfg.max_twist_swing_db / 20.0)
                } else {
                    f32::INFINITY
                },
            },
            highpass: super::highpass::Coeffs::new(cfg.highpass_hz, cfg.sample_rate),
            bank,
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

/// [`Quiet::tick`]: a window passes only with |X|² ≥ `min_x2`/4 at both tones, and
/// |X| ≤ 4·max|P_m| over its ticks, so the strongest tick has |P| ≥ √min_x2 / 8; a tone is
/// seen in the newest tick only if it has half that (coverage ≥ 0.5). By Cauchy–Schwarz
/// |P|² ≤ Σx² · Σt² ≤ (16·E + 15·L) · L · 1024² (E = Σ⌊x²/16⌋), so a tick with
/// 16·E + 15·L < min_x2 / (256 · L · 1024²) cannot.
fn silent_tick_energy(min_x2: f64, tick_len: usize) -> u64 {
    let l = tick_len as f64;
    let limit = min_x2 / (256.0 * l * (TABLE_SCALE as f64).powi(2));
    ((limit - 15.0 * l) / 16.0).floor().max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The silent-tick bound: no tick under it has a response at any DTMF bin that could
    /// make the newest tick of a passing window covered (checked with the bank itself on the
    /// worst case, a full-tick sine exactly at a bin, and on noise); and it is of use: a
    /// line's idle noise at −65 dBFS is under it.
    #[test]
    fn silent_tick_bound_is_sound_and_useful() {
        for rate in [8000u32, 11025, 16000, 44100, 48000] {
            let plan = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            let l = plan.tick_len;
            let bound = plan.quiet.tick;
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
                    power(&acc, k) < plan.thresholds.level.min_x2 as f64 / 256.0,
                    "{rate} Hz {f} Hz"
                );
            }
            // The first-half bound: the largest two-tick sine at each bin under it has a
            // half-window response |a|² under min_x2 / 36.
            let half_bound = plan.quiet.half as f64;
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
                        let half = c(&p0) + c(&p1) * plan.rot.tick[k];
                        assert!(
                            (half.norm_sqr() as f64) < plan.thresholds.level.min_x2 as f64 / 36.0,
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
}
