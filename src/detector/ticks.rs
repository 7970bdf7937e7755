//! Tick assembly: the kernel over each 4 ms tick's samples (in batches of whole ticks below
//! 16 kHz, with the band-limited energy from 16 kHz), the ring of the window's older ticks
//! and the history of quantised tick powers before it.

use super::explain::Sink;
use super::phasor::{log_powers, power_of, square};
use super::Detector;
use crate::goertzel::TickSums;
use crate::simd::{self, Avx2};
use num_complex::Complex32;

/// Ticks per analysis window.
pub(super) const WINDOW_TICKS: usize = 4;

/// Whole ticks whose kernels run before their analyses (see `process_ticks`). Seven
/// (504 bytes of sums) covers a 20 ms frame at 8 kHz (five ticks) and is zeroed with inline
/// stores; eight (576 bytes) made the compiler call `memset` for each batch.
const BATCH: usize = 7;

/// The four ticks of a window, oldest first.
pub(super) type Window<'a> = [&'a Resp; WINDOW_TICKS];

/// Ring slots of the three older ticks, oldest first, for each value of `head`.
const RING_ORDER: [[usize; 3]; 3] = [[0, 1, 2], [1, 2, 0], [2, 0, 1]];

/// Ticks of history kept before the window (quantised powers) for placing late-recognised
/// starts: 24 ms.
pub(super) const HIST_TICKS: usize = 6;

/// One tick's responses at the eight frequencies, real and imaginary parts apart so that
/// the per-tick arithmetic runs on eight lanes at once.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Resp {
    pub(super) re: [f32; 8],
    pub(super) im: [f32; 8],
}

impl Resp {
    pub(super) const ZERO: Resp = Resp {
        re: [0.0; 8],
        im: [0.0; 8],
    };

    /// A tick's responses from the bank's sums, which are in units of 2^-q; times `scale`,
    /// 2^(10-q) (exact), they are Q10.
    #[inline(always)]
    pub(super) fn from_sums(acc: &[i32; 16], scale: f32) -> Resp {
        Resp {
            re: core::array::from_fn(|k| acc[k] as f32 * scale),
            im: core::array::from_fn(|k| acc[8 + k] as f32 * scale),
        }
    }

    #[inline]
    pub(super) fn get(&self, k: usize) -> Complex32 {
        Complex32::new(self.re[k], self.im[k])
    }

    #[inline]
    pub(super) fn norm_sqr(&self, k: usize) -> f32 {
        self.re[k] * self.re[k] + self.im[k] * self.im[k]
    }
}

/// The tick being assembled: the kernel's sums so far, the position in it and the ticks
/// completed.
#[derive(Clone, Debug)]
pub(super) struct Assembly {
    acc: [i32; 16],
    energy: u64,
    /// Position inside the current tick.
    pub(super) pos: usize,
    /// Ticks completed.
    pub(super) ticks: u64,
    /// Partial boxcar group of `band_energy` (rates above 8 kHz).
    group_sum: i32,
    group_len: u8,
}

impl Assembly {
    pub(super) const NEW: Assembly = Assembly {
        acc: [0; 16],
        energy: 0,
        pos: 0,
        ticks: 0,
        group_sum: 0,
        group_len: 0,
    };
}

/// The three ticks before the newest (the newest is still in the kernel's sums while it is
/// analysed) and their energies, oldest in slot `head` (see `RING_ORDER`).
#[derive(Clone, Debug)]
pub(super) struct Ring {
    ticks: [Resp; WINDOW_TICKS - 1],
    head: u8,
    energy: [f32; WINDOW_TICKS - 1],
}

impl Ring {
    pub(super) const NEW: Ring = Ring {
        ticks: [Resp {
            re: [0.0; 8],
            im: [0.0; 8],
        }; WINDOW_TICKS - 1],
        head: 0,
        energy: [0.0; WINDOW_TICKS - 1],
    };

    /// The slots of the three older ticks, oldest first.
    #[inline(always)]
    pub(super) fn order(&self) -> [usize; 3] {
        RING_ORDER[self.head as usize]
    }

    /// The tick in slot `i`.
    #[inline(always)]
    pub(super) fn tick(&self, i: usize) -> &Resp {
        &self.ticks[i]
    }

    /// The energy of the tick in slot `i`.
    #[inline(always)]
    pub(super) fn energy(&self, i: usize) -> f32 {
        self.energy[i]
    }

    /// The three older ticks' energies, summed.
    #[inline(always)]
    pub(super) fn energy_sum(&self) -> f32 {
        self.energy.iter().sum::<f32>()
    }

    /// The window ending with `newest` (the older ticks in `order`).
    #[inline(always)]
    pub(super) fn window<'a>(&'a self, order: [usize; 3], newest: &'a Resp) -> Window<'a> {
        [
            &self.ticks[order[0]],
            &self.ticks[order[1]],
            &self.ticks[order[2]],
            newest,
        ]
    }

    /// The oldest tick leaves the window for `hist`; `newest` takes its slot.
    #[inline(always)]
    pub(super) fn push(
        &mut self,
        order: [usize; 3],
        newest: Resp,
        energy: f32,
        hist: &mut History,
    ) {
        hist.push(&self.ticks[order[0]]);
        self.ticks[order[0]] = newest;
        self.energy[order[0]] = energy;
        self.head = order[1] as u8; // the next oldest
    }
}

/// Quantised power (`log_power`) at the eight frequencies of the ticks before the window,
/// newest at `head − 1`: to place the start of a tone that was only recognised after its
/// first 16 ms (speech or music over it); and of the last [`WIN_HIST`] windows, newest at
/// `whead − 1`, with their energies: to see whether one of a new key's tones sounded alone
/// before it (`held_tone_db`) and what was under it before it began (`background_share`).
#[derive(Clone, Debug)]
pub(super) struct History {
    ticks: [[u8; 8]; HIST_TICKS],
    head: u8,
    whead: u8,
    wins: [[u8; 8]; WIN_HIST],
    /// The windows' energies ([`store_energy`]); [`UNMEASURED`]: a window not checked
    /// that may hold a key's tones.
    wen: [u16; WIN_HIST],
}

/// The stored energy of a window that was not checked and may hold a key's tones (a
/// negative NaN's upper half: no energy, which is never negative, stores as it).
const UNMEASURED: u16 = u16::MAX;

/// A window's energy to its upper 16 bits (8 of mantissa: within 0.03 dB, rounded down;
/// a shift is all it costs on every tick).
#[inline(always)]
fn store_energy(e: f32) -> u16 {
    (e.to_bits() >> 16) as u16
}

/// Windows kept (quantised powers), the newest included: a tone's start lies at most
/// `HIST_TICKS` ticks before its first passing window, so the window ending a tick before
/// it is at most eleven ticks back.
pub(super) const WIN_HIST: usize = 12;

impl History {
    pub(super) const NEW: History = History {
        ticks: [[0; 8]; HIST_TICKS],
        head: 0,
        whead: 0,
        wins: [[0; 8]; WIN_HIST],
        wen: [0; WIN_HIST],
    };

    /// Record the newest window's quantised powers (zeros: not measured) and its energy
    /// (`None`: not checked, and it may hold a key's tones).
    #[inline(always)]
    pub(super) fn push_window(&mut self, p: [u8; 8], energy: Option<f32>) {
        let h = self.whead as usize;
        self.wins[h] = p;
        self.wen[h] = energy.map_or(UNMEASURED, store_energy);
        self.whead = if h + 1 == WIN_HIST { 0 } else { h as u8 + 1 };
    }

    /// The quantised powers of the window ending `k` ticks before the newest (0 = newest).
    #[inline(always)]
    pub(super) fn window_before(&self, k: usize) -> &[u8; 8] {
        &self.wins[self.win_slot(k)]
    }

    /// The slot of the window ending `k` ticks before the newest (`k` < [`WIN_HIST`]).
    #[inline(always)]
    fn win_slot(&self, k: usize) -> usize {
        (self.whead as usize + 2 * WIN_HIST - 1 - k) % WIN_HIST
    }

    /// The energy of the window ending `k` ticks before the newest, to 0.03 dB (`None`:
    /// not checked, see [`History::push_window`]).
    #[inline]
    pub(super) fn energy_before(&self, k: usize) -> Option<f32> {
        let q = self.wen[self.win_slot(k)];
        (q != UNMEASURED).then(|| f32::from_bits((q as u32) << 16))
    }

    #[inline(always)]
    fn push(&mut self, t: &Resp) {
        let h = self.head as usize; // < HIST_TICKS
        log_powers(t, &mut self.ticks[h]);
        self.head = if h + 1 == HIST_TICKS { 0 } else { h as u8 + 1 };
    }

    /// The powers at bin `k` of the ticks before the window, oldest first.
    #[inline(always)]
    pub(super) fn bin_powers(&self, k: usize) -> [f32; HIST_TICKS] {
        let h = self.head as usize; // the oldest
        core::array::from_fn(|i| {
            let s = if h + i >= HIST_TICKS {
                h + i - HIST_TICKS
            } else {
                h + i
            };
            power_of(self.ticks[s][k])
        })
    }

    /// The quantised powers of the `j`-th tick before the window (1 = the newest).
    #[inline(always)]
    pub(super) fn before(&self, j: usize) -> &[u8; 8] {
        &self.ticks[(self.head as usize + HIST_TICKS - j) % HIST_TICKS]
    }
}

impl Detector {
    /// [`Detector::process_i16_body`] below 16 kHz (no band-limited energy), with one call
    /// site of the analysis. Whole ticks go in batches of up to [`BATCH`]: their kernels
    /// first (independent work that the CPU overlaps), then their analyses in order; the
    /// results are the same as tick by tick.
    #[inline(always)]
    pub(super) fn process_ticks(&mut self, mut x: &[i16], on_event: &mut impl Sink) {
        let l = self.plan.tick_len;
        while !x.is_empty() {
            let plan = &*self.plan;
            // (Each set only on its branch: a call with no whole tick does not zero a batch.)
            let mut batch;
            let one;
            let ticks: &[TickSums] = if self.asm.pos == 0 && x.len() >= l {
                // Whole ticks (the common case).
                let n = (x.len() / l).min(BATCH);
                batch = [TickSums::default(); BATCH];
                plan.bank.accumulate_ticks(&x[..n * l], &mut batch[..n]);
                x = &x[n * l..];
                &batch[..n]
            } else {
                let n = (l - self.asm.pos).min(x.len());
                plan.bank.accumulate(
                    &x[..n],
                    self.asm.pos,
                    &mut self.asm.acc,
                    &mut self.asm.energy,
                );
                self.asm.pos += n;
                x = &x[n..];
                if self.asm.pos != l {
                    continue;
                }
                self.asm.pos = 0;
                one = TickSums {
                    acc: core::mem::take(&mut self.asm.acc),
                    energy: core::mem::take(&mut self.asm.energy),
                };
                core::slice::from_ref(&one)
            };
            for s in ticks {
                self.end_tick(&s.acc, s.energy, on_event);
            }
        }
    }

    /// [`Detector::process_i16_body`] from 16 kHz: the correlation and the band-limited
    /// energy over each part of a tick, the analysis at the tick's end.
    #[inline(always)]
    pub(super) fn process_groups(&mut self, mut x: &[i16], on_event: &mut impl Sink) {
        let l = self.plan.tick_len;
        while !x.is_empty() {
            let n = (l - self.asm.pos).min(x.len());
            self.plan
                .bank
                .correlate(&x[..n], self.asm.pos, &mut self.asm.acc);
            self.band_energy(&x[..n]);
            self.asm.pos += n;
            x = &x[n..];
            if self.asm.pos == l {
                // Σ (group sums)² (see `band_energy`) in the bank's units.
                let energy =
                    core::mem::take(&mut self.asm.energy) / (16 * self.plan.band.group as u64);
                let acc = core::mem::take(&mut self.asm.acc);
                self.asm.pos = 0;
                self.end_tick(&acc, energy, on_event);
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
        let m = self.plan.band.group;
        let fast = self.plan.avx2;
        let (sum, n, e) =
            band_energy_groups(m, self.asm.group_sum, self.asm.group_len as usize, x, fast);
        self.asm.energy += e;
        self.asm.group_sum = sum;
        self.asm.group_len = n as u8;
    }
}

/// [`Detector::band_energy`]'s arithmetic: continue a partial group (`sum` of `n` samples),
/// add (Σ group)² for each completed group of `m` samples; returns the new partial group and
/// the sum added. Whole groups go through a constant-`m` loop; the result is the same integer
/// as one sample at a time (`band_energy_reference`, tested). With `fast` (AVX2), whole
/// groups of 1, 2, 3, 4 or 6 samples go through [`simd::band_whole_groups`] (same integer).
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
        fast.and_then(|t| simd::band_whole_groups::<M>(t, body))
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut paths = vec![None];
        match simd::features().avx2 {
            Some(t) => paths.push(Some(t)),
            None => eprintln!("skipped: no AVX2 here, only the portable band energy tested"),
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
}
