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

/// The correlation tables for one sample rate: `L` samples of cos and sin at each of the
/// eight frequencies, in Q10.
#[derive(Clone, Debug)]
pub struct Bank {
    tick_len: usize,
    /// `tables[2k]` = cos(ω_k i), `tables[2k+1]` = −sin(ω_k i), Q10, length `tick_len`.
    tables: Vec<Vec<i16>>,
}

impl Bank {
    /// Tables for `freqs` (Hz) at `sample_rate` over ticks of `tick_len` samples.
    pub fn new(sample_rate: u32, tick_len: usize, freqs: &[f64; 8]) -> Bank {
        let mut tables = Vec::with_capacity(16);
        for &f in freqs {
            let w = 2.0 * core::f64::consts::PI * f / sample_rate as f64;
            let q = |v: f64| (v * TABLE_SCALE as f64).round() as i16;
            tables.push((0..tick_len).map(|i| q((w * i as f64).cos())).collect());
            tables.push((0..tick_len).map(|i| q(-(w * i as f64).sin())).collect());
        }
        Bank { tick_len, tables }
    }

    /// Samples per tick.
    pub fn tick_len(&self) -> usize {
        self.tick_len
    }

    /// Add the correlation of `x` (which starts `pos` samples into the tick) to the sixteen
    /// accumulators (`acc[2k]` real, `acc[2k+1]` imaginary part at frequency `k`, in Q10) and
    /// its energy (Σ x² / 16) to `energy`.
    ///
    /// # Panics
    /// If `pos + x.len()` exceeds the tick length (a bug in the caller).
    #[inline]
    pub fn accumulate(&self, x: &[i16], pos: usize, acc: &mut [i64; 16], energy: &mut u64) {
        assert!(pos + x.len() <= self.tick_len);
        let mut off = pos;
        for chunk in x.chunks(CHUNK) {
            let n = chunk.len();
            for (a, t) in acc.iter_mut().zip(&self.tables) {
                let t = &t[off..off + n];
                let s: i32 = chunk
                    .iter()
                    .zip(t)
                    .map(|(&a, &b)| a as i32 * b as i32)
                    .sum();
                *a += s as i64;
            }
            // x² ≤ 2³⁰, so x²/16 ≤ 2²⁶ and 32 of them fit in a u32.
            let e: u32 = chunk
                .iter()
                .map(|&v| ((v as i32 * v as i32) as u32) >> 4)
                .sum();
            *energy += e as u64;
            off += n;
        }
    }
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
}
