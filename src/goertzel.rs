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

mod bank;

#[cfg(feature = "bench")]
pub use crate::simd::Kernel;
#[cfg(feature = "bench")]
pub use bank::Bank;
#[cfg(not(feature = "bench"))]
pub(crate) use bank::Bank;
pub(crate) use bank::{Row, TickSums, TABLE_SCALE};

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

#[cfg(test)]
mod tests {
    use super::bank::MAX_TICK_LEN;
    use super::*;
    use crate::simd::Kernel;

    fn dft(x: &[f64], freq: f64, fs: f64) -> Complex<f64> {
        x.iter()
            .enumerate()
            .map(|(n, &v)| {
                v * Complex::from_polar(1.0, -2.0 * core::f64::consts::PI * freq * n as f64 / fs)
            })
            .sum()
    }

    fn tick_len(rate: u32) -> usize {
        (rate as f64 / 250.0).round() as usize
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
    fn bank_matches_dft_within_table_precision() {
        for (fs, l) in [(16000, 64), (48000, 192)] {
            let bank = Bank::new(fs, l, &crate::key::ALL_FREQS);
            let x: Vec<i16> = (0..l)
                .map(|n| {
                    ((n as f64 * 0.9).sin() * 12000.0 + (n as f64 * 0.21).cos() * 9000.0) as i16
                })
                .collect();
            // Feed in two uneven pieces: integer sums make this exact.
            let mut acc = [0i32; 16];
            let mut e = 0u64;
            bank.accumulate(&x[..13], 0, &mut acc, &mut e);
            bank.accumulate(&x[13..], 13, &mut acc, &mut e);
            let xf: Vec<f64> = x.iter().map(|&v| v as f64).collect();
            let energy: f64 = xf.iter().map(|v| v * v).sum();
            assert!((e as f64 * 16.0 - energy).abs() / energy < 1e-3);
            let scale = bank.scale() as f64;
            assert_eq!(scale * (1u32 << bank.shift()) as f64, TABLE_SCALE as f64);
            for (k, &f) in crate::key::ALL_FREQS.iter().enumerate() {
                let d = dft(&xf, f, fs as f64);
                let p = Complex::new(acc[k] as f64, acc[8 + k] as f64) / scale;
                // The table rounding error is at most 1/(2·scale) per sample.
                let tol = xf.iter().map(|v| v.abs()).sum::<f64>() / (2.0 * scale) * 1.5;
                assert!((p - d).norm() < tol, "{fs} Hz {f}: {p} vs {d}");
                // And the error is not hidden by a loose tolerance: the tables are fine
                // enough to resolve this signal to better than 1 % of the largest response.
                assert!(tol < 0.01 * x.iter().map(|&v| v.unsigned_abs() as f64).sum::<f64>());
            }
        }
    }

    /// The table value `round(2^q · v)` from the formula (`j` < 8: cos, else −sin).
    fn formula_table(rate: u32, q: u32, j: usize, n: usize) -> i64 {
        let f = crate::key::ALL_FREQS[j % 8];
        let w = 2.0 * core::f64::consts::PI * f / rate as f64;
        let v = if j < 8 {
            (w * n as f64).cos()
        } else {
            -(w * n as f64).sin()
        };
        (v * (1u64 << q) as f64).round() as i64
    }

    /// The straightforward correlation: one i64 dot product per table, from the formula,
    /// with `q` fraction bits, in the `[re_0..re_7, im_0..im_7]` layout.
    fn reference(
        rate: u32,
        q: u32,
        l: usize,
        x: &[i16],
        pos: usize,
        acc: &mut [i64; 16],
        energy: &mut u64,
    ) {
        for (j, a) in acc.iter_mut().enumerate() {
            for (i, &v) in x.iter().enumerate() {
                assert!(pos + i < l);
                *a += v as i64 * formula_table(rate, q, j, pos + i);
            }
        }
        *energy += x
            .iter()
            .map(|&v| (v as i64 * v as i64 / 16) as u64)
            .sum::<u64>();
    }

    /// The reference's sums as `i32`, asserting that they fit.
    fn narrow(a: [i64; 16]) -> [i32; 16] {
        a.map(|v| i32::try_from(v).expect("reference sum fits in i32"))
    }

    fn q_of(bank: &Bank) -> u32 {
        10 - bank.shift()
    }

    fn kernels() -> Vec<Kernel> {
        let mut k = vec![Kernel::Portable];
        match Kernel::baseline() {
            Kernel::Portable => eprintln!("skipped: SSE2 not used here (or feature `portable`)"),
            sse2 => k.push(sse2),
        }
        for (name, simd) in [("AVX2", Kernel::avx2()), ("AVX-512", Kernel::avx512())] {
            match simd {
                Some(simd) => k.push(simd),
                None => eprintln!("skipped: no {name} here (or feature `portable`): not tested"),
            }
        }
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
            let l = tick_len(rate);
            let x = samples(l, rate as u64);
            for kernel in kernels() {
                let bank = Bank::with_kernel(rate, l, &crate::key::ALL_FREQS, kernel);
                assert_eq!(bank.kernel(), kernel);
                let q = q_of(&bank);
                // Every start and a spread of lengths.
                for pos in 0..l {
                    for len in [0, 1, 2, 3, 4, 5, 7, 16, 31, 32, 33, 63, 64, 65, l] {
                        let len = len.min(l - pos);
                        let part = &x[pos..pos + len];
                        let (mut a, mut e) = ([0i32; 16], 0u64);
                        let (mut ra, mut re) = ([0i64; 16], 0u64);
                        bank.accumulate(part, pos, &mut a, &mut e);
                        reference(rate, q, l, part, pos, &mut ra, &mut re);
                        assert_eq!(
                            (a, e),
                            (narrow(ra), re),
                            "{rate} Hz {kernel:?} pos {pos} len {len}"
                        );
                        // The same sums without the energy, added to what `acc` held.
                        let mut c = [1000i32; 16];
                        bank.correlate(part, pos, &mut c);
                        let expect = narrow(ra).map(|v| v.wrapping_add(1000));
                        assert_eq!(c, expect, "{rate} Hz {kernel:?} pos {pos} len {len}");
                    }
                }
                // A whole tick in three pieces adds up in `acc`.
                let (mut a, mut e) = ([0i32; 16], 0u64);
                let (mut ra, mut re) = ([0i64; 16], 0u64);
                for (from, to) in [(0, 5), (5, l / 2 + 1), (l / 2 + 1, l)] {
                    bank.accumulate(&x[from..to], from, &mut a, &mut e);
                }
                reference(rate, q, l, &x, 0, &mut ra, &mut re);
                assert_eq!((a, e), (narrow(ra), re), "{rate} Hz {kernel:?} in pieces");
                // A whole tick sets `acc` and `energy`, whatever they held.
                let (mut a, mut e) = ([0x5555_5555i32; 16], u64::MAX - 7);
                bank.accumulate_tick(&x, &mut a, &mut e);
                assert_eq!((a, e), (narrow(ra), re), "{rate} Hz {kernel:?} whole tick");
                // Three whole ticks in one batch: the tick, its reverse, the tick again.
                let back: Vec<i16> = x.iter().rev().copied().collect();
                let (mut rb, mut eb) = ([0i64; 16], 0u64);
                reference(rate, q, l, &back, 0, &mut rb, &mut eb);
                let three = [x.as_slice(), &back, &x].concat();
                let mut got = [TickSums {
                    acc: [9; 16],
                    energy: 9,
                }; 3];
                bank.accumulate_ticks(&three, &mut got);
                let want = [(narrow(ra), re), (narrow(rb), eb), (narrow(ra), re)]
                    .map(|(acc, energy)| TickSums { acc, energy });
                assert_eq!(got, want, "{rate} Hz {kernel:?} batch");
            }
        }
    }

    /// The 8 kHz tick (32 samples, which has its own AVX-512 kernel) over many random and
    /// extreme inputs, each kernel against the portable one, and the portable one against
    /// the reference: whole ticks, and the same tick in two pieces.
    #[test]
    fn whole_ticks_at_8khz_match_bit_for_bit() {
        let (rate, l) = (8000, 32);
        let portable = Bank::with_kernel(rate, l, &crate::key::ALL_FREQS, Kernel::Portable);
        let q = q_of(&portable);
        // Windows of 32 at steps of 29 over the random/extreme pattern (runs of 40): every
        // kind and every boundary between kinds lands on every sample position.
        let long = samples(240 * 29 + l, 99);
        let mut inputs: Vec<Vec<i16>> = long.windows(l).step_by(29).map(<[i16]>::to_vec).collect();
        inputs.push(vec![i16::MIN; l]);
        inputs.push(vec![i16::MAX; l]);
        inputs.push(
            (0..l)
                .map(|i| if i % 2 == 0 { i16::MIN } else { i16::MAX })
                .collect(),
        );
        inputs.push(vec![0; l]);
        for x in &inputs {
            let (mut ra, mut re) = ([0i64; 16], 0u64);
            reference(rate, q, l, x, 0, &mut ra, &mut re);
            for kernel in kernels() {
                let bank = Bank::with_kernel(rate, l, &crate::key::ALL_FREQS, kernel);
                let (mut a, mut e) = ([-1i32; 16], 12345u64);
                bank.accumulate_tick(x, &mut a, &mut e);
                assert_eq!((a, e), (narrow(ra), re), "{kernel:?} {:?}", &x[..4]);
                let (mut a, mut e) = ([0i32; 16], 0u64);
                bank.accumulate(&x[..20], 0, &mut a, &mut e);
                bank.accumulate(&x[20..], 20, &mut a, &mut e);
                assert_eq!((a, e), (narrow(ra), re), "{kernel:?} in pieces");
            }
        }
        // The same ticks in batches of 1 to 9 (`accumulate_ticks`, the detector's call),
        // each result set whatever it held.
        let want: Vec<TickSums> = inputs
            .iter()
            .map(|x| {
                let (mut ra, mut re) = ([0i64; 16], 0u64);
                reference(rate, q, l, x, 0, &mut ra, &mut re);
                TickSums {
                    acc: narrow(ra),
                    energy: re,
                }
            })
            .collect();
        for kernel in kernels() {
            let bank = Bank::with_kernel(rate, l, &crate::key::ALL_FREQS, kernel);
            for n in 1..=9 {
                for (xs, want) in inputs.chunks(n).zip(want.chunks(n)) {
                    let x: Vec<i16> = xs.concat();
                    let mut got = vec![
                        TickSums {
                            acc: [-7; 16],
                            energy: 99,
                        };
                        xs.len()
                    ];
                    bank.accumulate_ticks(&x, &mut got);
                    assert_eq!(got, want, "{kernel:?} batch of {n}");
                }
            }
        }
        // The largest energy a tick can have, 32·2²⁶ = 2³¹ (all −32768), is not wrapped.
        let (mut a, mut e) = ([0i32; 16], 0u64);
        portable.accumulate_tick(&[i16::MIN; 32], &mut a, &mut e);
        assert_eq!(e, 1 << 31);
    }

    #[test]
    fn extreme_inputs_do_not_overflow() {
        for rate in [8000u32, 16000, 40000, 44100, 48000] {
            let l = tick_len(rate);
            let q = q_of(&Bank::with_kernel(
                rate,
                l,
                &crate::key::ALL_FREQS,
                Kernel::Portable,
            ));
            // The table with the largest Σ|t|, from the formula.
            let sum_abs = |j: usize| {
                (0..l)
                    .map(|i| formula_table(rate, q, j, i).abs())
                    .sum::<i64>()
            };
            let worst = (0..16).max_by_key(|&j| sum_abs(j)).unwrap();
            let sign = |i: usize| formula_table(rate, q, worst, i).signum();
            let mut inputs = vec![vec![i16::MIN; l], vec![i16::MAX; l]];
            // x = ±32767·sign(t) and −32768·sign(t): the largest possible |sum| for `worst`.
            for m in [32767i64, -32767, -32768] {
                inputs.push((0..l).map(|i| (m * sign(i)) as i16).collect());
            }
            // 32768 where the sign is negative needs the other extreme per sample.
            inputs.push(
                (0..l)
                    .map(|i| if sign(i) < 0 { i16::MIN } else { i16::MAX })
                    .collect(),
            );
            for x in &inputs {
                let (mut ra, mut re) = ([0i64; 16], 0u64);
                reference(rate, q, l, x, 0, &mut ra, &mut re);
                for kernel in kernels() {
                    let bank = Bank::with_kernel(rate, l, &crate::key::ALL_FREQS, kernel);
                    let (mut a, mut e) = ([0i32; 16], 0u64);
                    bank.accumulate(x, 0, &mut a, &mut e);
                    assert_eq!(
                        (a, e),
                        (narrow(ra), re),
                        "{rate} Hz {kernel:?} {:?}",
                        &x[..4]
                    );
                    let (mut a, mut e) = ([7i32; 16], 7u64);
                    bank.accumulate_tick(x, &mut a, &mut e);
                    assert_eq!((a, e), (narrow(ra), re), "{rate} Hz {kernel:?} whole tick");
                }
            }
            // The adversarial pattern does reach far: over a quarter of the i32 range, and
            // over half of it where the precision had to drop (so that Q10 would overflow).
            let (mut ra, mut re) = ([0i64; 16], 0u64);
            reference(rate, q, l, &inputs[5], 0, &mut ra, &mut re);
            let floor = if q < 10 { 1u64 << 30 } else { 1 << 29 };
            assert!(ra[worst].unsigned_abs() > floor, "{rate} Hz: {}", ra[worst]);
        }
    }

    #[test]
    fn precision_is_the_finest_that_cannot_overflow() {
        let limit = i32::MAX as i64;
        for rate in (8000u32..=48000).step_by(50) {
            let l = tick_len(rate);
            let bank = Bank::with_kernel(rate, l, &crate::key::ALL_FREQS, Kernel::Portable);
            let q = q_of(&bank);
            assert!((8..=10).contains(&q), "{rate} Hz: q = {q}");
            let max_sum = |q: u32| {
                (0..16)
                    .map(|j| {
                        (0..l)
                            .map(|i| formula_table(rate, q, j, i).abs())
                            .sum::<i64>()
                    })
                    .max()
                    .unwrap()
            };
            assert!(
                32768 * max_sum(q) <= limit,
                "{rate} Hz: q = {q} may overflow"
            );
            if q < 10 {
                assert!(
                    32768 * max_sum(q + 1) > limit,
                    "{rate} Hz: q = {q} is not the finest"
                );
            }
            // The bank holds exactly those tables.
            for j in [0, 7, 8, 15] {
                for i in [0, 1, l / 2, l - 1] {
                    assert_eq!(bank.table(j, i) as i64, formula_table(rate, q, j, i));
                }
            }
        }
        // Q10 at 8 kHz (the detector's f32 values are then unchanged), Q9 at 48 kHz.
        let q_at = |rate| q_of(&Bank::new(rate, tick_len(rate), &crate::key::ALL_FREQS));
        assert_eq!((q_at(8000), q_at(16000), q_at(48000)), (10, 10, 9));
    }

    #[test]
    fn tables_hold_the_quantised_phasors() {
        let bank = Bank::new(8000, 32, &crate::key::ALL_FREQS);
        assert_eq!((bank.shift(), bank.scale()), (0, 1024.0));
        // 697 Hz at sample 3: 2π·697·3/8000 = 1.6424 rad, cos = −0.0716, −sin = −0.9974.
        assert_eq!(bank.table(0, 0), 1024);
        assert_eq!(bank.table(8, 0), 0);
        assert_eq!(bank.table(0, 3), -73);
        assert_eq!(bank.table(8, 3), -1021);
        // 1633 Hz (frequency 7) at sample 1: 1.2826 rad, cos = 0.2843, −sin = −0.9587.
        assert_eq!(bank.table(7, 1), 291);
        assert_eq!(bank.table(15, 1), -982);
    }

    #[test]
    fn long_ticks_lower_the_precision_and_stay_exact() {
        // A tone at 0 Hz (all-ones table) over the longest tick: only q = 3 fits.
        let l = MAX_TICK_LEN;
        let mut freqs = crate::key::ALL_FREQS;
        freqs[0] = 0.0;
        let x = vec![i16::MIN; l];
        for kernel in kernels() {
            let bank = Bank::with_kernel(8000, l, &freqs, kernel);
            assert_eq!(bank.shift(), 7);
            let (mut a, mut e) = ([0i32; 16], 0u64);
            bank.accumulate(&x, 0, &mut a, &mut e);
            assert_eq!(a[0], -(1 << 30), "{kernel:?}"); // −2¹⁵ · 2³ · 2¹²
            assert_eq!(e, (l as u64) << 26, "{kernel:?}");
        }
    }
}
