//! The filter bank: the complex response of the signal at the eight DTMF frequencies.
//!
//! The detector cuts the stream into *ticks* of `L` samples (4 ms at any rate) and, for each
//! tick, computes the eight complex correlations
//! `P_k = Σ x[i] · e^{−jω_k i}`, `i = 0..L`, which is exactly what a complex-output Goertzel
//! filter run over the tick returns. Instead of the Goertzel recurrence (a serial chain of
//! dependent multiply-adds) the bank correlates each tick against fixed cosine and sine tables
//! in Q10 fixed point: sixteen independent integer dot products, which vectorise, and whose
//! integer sums are exact, so the result does not depend on how the stream was cut into
//! frames.
//!
//! [`goertzel`] is the textbook recurrence, kept as the oracle the bank is tested against
//! (and tested itself against a plain DFT and against rustfft).

use num_complex::Complex;

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86;

/// Fixed-point scale of the correlation tables (Q10: 1.0 ↦ 1024).
pub const TABLE_SCALE: f32 = 1024.0;
/// Samples summed in `i32` before widening: 32 × 32768 × 1024 = 2³⁰, no overflow.
const CHUNK: usize = 32;

/// The textbook Goertzel recurrence at `freq` Hz over `x`, returning the complex DFT value
/// `Σ x[n] e^{−j2πf n/fs}` (a non-integer bin is allowed).
///
/// ```
/// let fs = 8000.0;
/// let x: Vec<f64> = (0..205).map(|n| (2.0 * std::f64::consts::PI * 697.0 * n as f64 / fs).cos()).collect();
/// let y = touchtone::goertzel::goertzel(&x, 697.0, fs);
/// assert!((y.norm() - 102.5).abs() < 1.0);
/// ```
pub fn goertzel(x: &[f64], freq: f64, sample_rate: f64) -> Complex<f64> {
    let w = 2.0 * core::f64::consts::PI * freq / sample_rate;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &v in x {
        let s0 = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    // y[N-1] = s1 − e^{−jw} s2 is the DFT up to the phase factor e^{jw(N−1)}.
    let n = x.len() as f64;
    let y = Complex::new(s1 - w.cos() * s2, w.sin() * s2);
    y * Complex::from_polar(1.0, -w * (n - 1.0))
}

/// One row of the interleaved tables: sixteen tables × one sample pair (64 bytes, aligned
/// for 256-bit loads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(32))]
pub(crate) struct Row(pub(crate) [i16; 32]);

/// Which implementation of the kernel a [`Bank`] runs (all give identical sums).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust (any target); the oracle the others are tested against.
    Portable,
    /// x86-64 SSE2 (always present on x86-64).
    Sse2,
    /// x86-64 AVX2; only obtainable from [`Kernel::avx2`] / [`Kernel::best`] on a CPU that
    /// has it.
    #[doc(hidden)]
    Avx2(Avx2Token),
}

/// Proof that the CPU supports AVX2 (only [`Kernel::avx2`] makes one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx2Token(());

impl Kernel {
    /// The fastest kernel this CPU runs (AVX2, else SSE2 on x86-64; portable elsewhere).
    pub fn best() -> Kernel {
        Kernel::avx2().unwrap_or_else(Kernel::baseline)
    }

    /// The fastest kernel without runtime detection: SSE2 on x86-64, portable elsewhere.
    pub fn baseline() -> Kernel {
        if cfg!(target_arch = "x86_64") {
            Kernel::Sse2
        } else {
            Kernel::Portable
        }
    }

    /// The AVX2 kernel, if this CPU has AVX2.
    pub fn avx2() -> Option<Kernel> {
        #[cfg(target_arch = "x86_64")]
        if x86::avx2_available() {
            return Some(Kernel::Avx2(Avx2Token(())));
        }
        None
    }
}

/// The correlation tables for one sample rate: `L` samples of cos and −sin at each of the
/// eight frequencies, in Q10, laid out for the kernel.
///
/// **Layout.** The sixteen tables (`2k`: cos ω_k i, `2k+1`: −sin ω_k i) are interleaved by
/// *sample pairs*: row `p` holds, for each table `j`, its values at samples `2p` and `2p+1`
/// (`row[2j]`, `row[2j+1]`; zero past the tick's end). A pair of input samples `(x₀, x₁)` is
/// broadcast to all sixteen table lanes and multiplied pairwise — `x₀·t_j[2p] + x₁·t_j[2p+1]`
/// for every `j` at once — which is exactly x86's `pmaddwd` (i16×i16 products, adjacent pairs
/// summed into i32): four SSE2 or two AVX2 instructions per sample pair. The sixteen `i32`
/// sums sit in sixteen lanes: no horizontal reduction, and any start offset works. Sums run
/// over at most 32 samples in `i32` (|x·t| ≤ 2¹⁵·2¹⁰, 32 of them ≤ 2³⁰) before widening to
/// `i64`, so the result is the exact integer correlation whatever the kernel and however the
/// stream is framed.
#[derive(Clone, Debug)]
pub struct Bank {
    tick_len: usize,
    /// `rows[p].0[2j + e]` = table `j` at sample `2p + e` (0 past `tick_len`).
    rows: Vec<Row>,
    kernel: Kernel,
}

impl Bank {
    /// Tables for `freqs` (Hz) at `sample_rate` over ticks of `tick_len` samples, run by the
    /// fastest kernel for this CPU ([`Kernel::best`]). The detector's [`Plan`](crate::Plan)
    /// builds one per rate (`tick_len` = rate / 250 ≤ 192).
    ///
    /// # Panics
    /// If the tables (`tick_len` × 16 entries) cannot be allocated, as for any `Vec`.
    pub fn new(sample_rate: u32, tick_len: usize, freqs: &[f64; 8]) -> Bank {
        Bank::with_kernel(sample_rate, tick_len, freqs, Kernel::best())
    }

    /// As [`Bank::new`] with a chosen kernel (for tests and benchmarks).
    ///
    /// # Panics
    /// As [`Bank::new`].
    pub fn with_kernel(
        sample_rate: u32,
        tick_len: usize,
        freqs: &[f64; 8],
        kernel: Kernel,
    ) -> Bank {
        let mut rows = vec![Row([0i16; 32]); tick_len.div_ceil(2)];
        for (k, &f) in freqs.iter().enumerate() {
            let w = 2.0 * core::f64::consts::PI * f / sample_rate as f64;
            let q = |v: f64| (v * TABLE_SCALE as f64).round() as i16;
            for i in 0..tick_len {
                let row = &mut rows[i / 2].0;
                row[4 * k + i % 2] = q((w * i as f64).cos());
                row[4 * k + 2 + i % 2] = q(-(w * i as f64).sin());
            }
        }
        let kernel = match kernel {
            Kernel::Sse2 if !cfg!(target_arch = "x86_64") => Kernel::Portable,
            k => k,
        };
        Bank {
            tick_len,
            rows,
            kernel,
        }
    }

    /// Samples per tick.
    pub fn tick_len(&self) -> usize {
        self.tick_len
    }

    /// The kernel in use.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Table `j` (`2k`: cos, `2k+1`: −sin at frequency `k`) at sample `i` of the tick, Q10.
    ///
    /// # Panics
    /// If `j ≥ 16` or `i ≥ tick_len` (a bug in the caller).
    pub fn table(&self, j: usize, i: usize) -> i16 {
        assert!(j < 16 && i < self.tick_len);
        self.rows[i / 2].0[2 * j + i % 2]
    }

    /// Add the correlation of `x` (which starts `pos` samples into the tick) to the sixteen
    /// accumulators (`acc[2k]` real, `acc[2k+1]` imaginary part at frequency `k`, in Q10) and
    /// its energy (Σ ⌊x²/16⌋) to `energy`.
    ///
    /// # Panics
    /// If `pos + x.len()` exceeds the tick length (a bug in the caller).
    #[inline]
    pub fn accumulate(&self, x: &[i16], pos: usize, acc: &mut [i64; 16], energy: &mut u64) {
        assert!(pos
            .checked_add(x.len())
            .is_some_and(|end| end <= self.tick_len));
        if let [v] = x {
            // One sample (sample-by-sample callers): skip the chunk machinery.
            let (x0, x1) = if pos % 2 == 0 { (*v, 0) } else { (0, *v) };
            let row = &self.rows[pos / 2];
            match self.kernel {
                #[cfg(target_arch = "x86_64")]
                Kernel::Sse2 | Kernel::Avx2(_) => x86::pair_sse2(row, x0, x1, acc),
                _ => {
                    let mut s = [0i32; 16];
                    mac(&mut s, x0, x1, &row.0);
                    widen(acc, &s);
                }
            }
            *energy += sq16(*v) as u64;
            return;
        }
        let mut rows = &self.rows[pos / 2..];
        let mut x = x;
        if pos % 2 == 1 {
            if let Some((&x1, rest)) = x.split_first() {
                let mut s = [0i32; 16];
                mac(&mut s, 0, x1, &rows[0].0);
                widen(acc, &s);
                *energy += sq16(x1) as u64;
                x = rest;
                rows = &rows[1..];
            }
        }
        match self.kernel {
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse2 => x86::accumulate_sse2(rows, x, acc, energy),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: an `Avx2Token` exists only if `avx2_available()` said yes.
            #[allow(unsafe_code)]
            Kernel::Avx2(_) => unsafe { x86::accumulate_avx2(rows, x, acc, energy) },
            _ => accumulate_portable(rows, x, acc, energy),
        }
    }
}

/// The portable kernel (same contract as the x86 ones: `x` starts at an even sample, `rows[0]`
/// is its pair).
fn accumulate_portable(rows: &[Row], x: &[i16], acc: &mut [i64; 16], energy: &mut u64) {
    for (xc, rc) in x.chunks(CHUNK).zip(rows.chunks(CHUNK / 2)) {
        let mut s = [0i32; 16];
        let mut pairs = xc.chunks_exact(2);
        for (xp, row) in (&mut pairs).zip(rc) {
            mac(&mut s, xp[0], xp[1], &row.0);
        }
        if let [x0] = pairs.remainder() {
            mac(&mut s, *x0, 0, &rc[xc.len() / 2].0);
        }
        widen(acc, &s);
        *energy += xc.iter().map(|&v| sq16(v)).sum::<u32>() as u64;
    }
}

/// `s[j] += x0·row[2j] + x1·row[2j+1]` for the sixteen tables (one `pmaddwd` per 8 lanes).
#[inline(always)]
fn mac(s: &mut [i32; 16], x0: i16, x1: i16, row: &[i16; 32]) {
    for (sj, t) in s.iter_mut().zip(row.chunks_exact(2)) {
        *sj += x0 as i32 * t[0] as i32 + x1 as i32 * t[1] as i32;
    }
}

#[inline(always)]
fn widen(acc: &mut [i64; 16], s: &[i32; 16]) {
    for (a, &v) in acc.iter_mut().zip(s) {
        *a += v as i64;
    }
}

/// ⌊x²/16⌋ (x² ≤ 2³⁰, so ≤ 2²⁶: 32 of them fit in a `u32`).
#[inline(always)]
fn sq16(v: i16) -> u32 {
    ((v as i32 * v as i32) as u32) >> 4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dft(x: &[f64], freq: f64, fs: f64) -> Complex<f64> {
        x.iter()
            .enumerate()
            .map(|(n, &v)| {
                v * Complex::from_polar(1.0, -2.0 * core::f64::consts::PI * freq * n as f64 / fs)
            })
            .sum()
    }

    #[test]
    fn goertzel_matches_plain_dft() {
        let fs = 8000.0;
        let x: Vec<f64> = (0..133)
            .map(|n| (n as f64 * 0.37).sin() * 1000.0 + ((n * 7919) % 31) as f64)
            .collect();
        for f in [697.0, 941.0, 1633.0, 1000.0] {
            let g = goertzel(&x, f, fs);
            let d = dft(&x, f, fs);
            assert!((g - d).norm() < 1e-6 * d.norm().max(1.0), "{f}: {g} vs {d}");
        }
    }

    #[test]
    fn bank_matches_dft_within_q10_precision() {
        let fs = 16000;
        let l = 64;
        let bank = Bank::new(fs, l, &crate::key::ALL_FREQS);
        let x: Vec<i16> = (0..l)
            .map(|n| ((n as f64 * 0.9).sin() * 12000.0 + (n as f64 * 0.21).cos() * 9000.0) as i16)
            .collect();
        // Feed in two uneven pieces: integer sums make this exact.
        let mut acc = [0i64; 16];
        let mut e = 0u64;
        bank.accumulate(&x[..13], 0, &mut acc, &mut e);
        bank.accumulate(&x[13..], 13, &mut acc, &mut e);
        let xf: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let energy: f64 = xf.iter().map(|v| v * v).sum();
        assert!((e as f64 * 16.0 - energy).abs() / energy < 1e-3);
        for (k, &f) in crate::key::ALL_FREQS.iter().enumerate() {
            let d = dft(&xf, f, fs as f64);
            let p = Complex::new(acc[2 * k] as f64, acc[2 * k + 1] as f64) / 1024.0;
            // Q10 table error is at most 2^-11 per sample.
            let tol = xf.iter().map(|v| v.abs()).sum::<f64>() * (1.0 / 2048.0) * 1.5;
            assert!((p - d).norm() < tol, "{f}: {p} vs {d}");
        }
    }

    /// The straightforward correlation: one i64 dot product per table, from the formula.
    fn reference(
        rate: u32,
        l: usize,
        x: &[i16],
        pos: usize,
        acc: &mut [i64; 16],
        energy: &mut u64,
    ) {
        for (k, &f) in crate::key::ALL_FREQS.iter().enumerate() {
            let w = 2.0 * core::f64::consts::PI * f / rate as f64;
            for (i, &v) in x.iter().enumerate() {
                let n = (pos + i) as f64;
                assert!(pos + i < l);
                let c = ((w * n).cos() * 1024.0).round() as i64;
                let s = (-(w * n).sin() * 1024.0).round() as i64;
                acc[2 * k] += v as i64 * c;
                acc[2 * k + 1] += v as i64 * s;
            }
        }
        *energy += x
            .iter()
            .map(|&v| (v as i64 * v as i64 / 16) as u64)
            .sum::<u64>();
    }

    fn kernels() -> Vec<Kernel> {
        let mut k = vec![Kernel::Portable, Kernel::Sse2];
        k.extend(Kernel::avx2());
        k
    }

    /// xorshift samples, with runs of the extremes (−32768, 32767) to reach the i32 limits.
    fn samples(n: usize, seed: u64) -> Vec<i16> {
        let mut st = seed | 1;
        (0..n)
            .map(|i| {
                st ^= st << 13;
                st ^= st >> 7;
                st ^= st << 17;
                match (i / 40) % 4 {
                    0 => i16::MIN,
                    1 => (st >> 48) as i16,
                    2 => i16::MAX,
                    _ => ((st >> 48) as i16) / 64,
                }
            })
            .collect()
    }

    #[test]
    fn every_kernel_matches_the_reference_bit_for_bit() {
        for rate in [8000u32, 8250, 16000, 44100, 48000] {
            let l = (rate as f64 / 250.0).round() as usize;
            let x = samples(l, rate as u64);
            for kernel in kernels() {
                let bank = Bank::with_kernel(rate, l, &crate::key::ALL_FREQS, kernel);
                // Every start and a spread of lengths.
                for pos in 0..l {
                    for len in [0, 1, 2, 3, 7, 16, 31, 32, 33, 63, 64, 65, l] {
                        let len = len.min(l - pos);
                        let part = &x[pos..pos + len];
                        let (mut a, mut e) = ([0i64; 16], 0u64);
                        let (mut ra, mut re) = ([0i64; 16], 0u64);
                        bank.accumulate(part, pos, &mut a, &mut e);
                        reference(rate, l, part, pos, &mut ra, &mut re);
                        assert_eq!((a, e), (ra, re), "{rate} Hz {kernel:?} pos {pos} len {len}");
                    }
                }
            }
        }
    }

    #[test]
    fn extreme_inputs_do_not_overflow() {
        // All-minimum and all-maximum ticks: the i32 partial sums' worst case.
        for rate in [8000u32, 48000] {
            let l = (rate as f64 / 250.0).round() as usize;
            for v in [i16::MIN, i16::MAX] {
                let x = vec![v; l];
                let (mut ra, mut re) = ([0i64; 16], 0u64);
                reference(rate, l, &x, 0, &mut ra, &mut re);
                for kernel in kernels() {
                    let bank = Bank::with_kernel(rate, l, &crate::key::ALL_FREQS, kernel);
                    let (mut a, mut e) = ([0i64; 16], 0u64);
                    bank.accumulate(&x, 0, &mut a, &mut e);
                    assert_eq!((a, e), (ra, re), "{rate} Hz {kernel:?} {v}");
                }
            }
        }
    }

    #[test]
    fn tables_hold_the_quantised_phasors() {
        let bank = Bank::new(8000, 32, &crate::key::ALL_FREQS);
        // 697 Hz at sample 3: 2π·697·3/8000 = 1.6424 rad, cos = −0.0716, −sin = −0.9974.
        assert_eq!(bank.table(0, 0), 1024);
        assert_eq!(bank.table(1, 0), 0);
        assert_eq!(bank.table(0, 3), -73);
        assert_eq!(bank.table(1, 3), -1021);
    }
}
