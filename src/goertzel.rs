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

/// Nominal fixed-point scale of the correlation tables (Q10: 1.0 ↦ 1024). A [`Bank`] may use
/// a coarser precision (see [`Bank::shift`]); its sums times `2^shift` are in this scale.
pub const TABLE_SCALE: f32 = 1024.0;
/// Finest table precision (fraction bits) a [`Bank`] uses.
const MAX_Q: u32 = 10;
/// Shortest call [`Bank::accumulate`] runs with the AVX-512 code (shorter ones run the AVX2
/// code). Measured on Zen 5 in the detector: with AVX-512 for 8 kHz's 32-sample ticks the
/// decoder was about 11 % slower than with AVX2 (although the kernel alone is faster); at
/// 16 kHz (64-sample ticks) it was even, at 48 kHz about 8 % faster.
///
/// The cause was the memory traffic of `acc`, not the arithmetic: LLVM had merged the
/// kernel's two 256-bit loads and stores of `acc` into single 512-bit ones, while the
/// detector wrote `acc` (zeroing it after each tick) and read it (converting it to `f32`)
/// in 256-bit pieces, so (presumably) neither could be forwarded through the store buffer;
/// the kernel benchmark, which passes the same `acc` from call to call, does not see this.
/// The AVX-512 code now loads and stores `acc` in 256-bit halves, and the detector's whole
/// ticks below 16 kHz go through `Bank::accumulate_ticks` (crate-internal), which does not
/// read the sums at all (at 8 kHz with an AVX-512 kernel for exactly 32 samples): the
/// decoder was then 8–13 % faster at 8 kHz than with the AVX2 code, and unchanged at 16
/// and 48 kHz (see the `x86` module).
pub const AVX512_MIN_LEN: usize = 64;
/// Longest tick a [`Bank`] accepts (16× the detector's longest, 192 samples at 48 kHz).
pub const MAX_TICK_LEN: usize = 4096;

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
/// to 64: one 512-bit load).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(64))]
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
    /// x86-64 AVX-512 (F and BW) for calls of at least [`AVX512_MIN_LEN`] samples, AVX2 for
    /// shorter ones; only obtainable from [`Kernel::avx512`] / [`Kernel::best`] on a CPU
    /// that has both.
    #[doc(hidden)]
    Avx512(Avx512Token),
}

/// Proof that the CPU supports AVX2 (only [`Kernel::avx2`] makes one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx2Token(());

/// Proof that the CPU supports AVX-512F, AVX-512BW and AVX2 (only [`Kernel::avx512`] makes
/// one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx512Token(());

impl Kernel {
    /// The fastest kernel this CPU runs (AVX-512, else AVX2, else SSE2 on x86-64; portable
    /// elsewhere).
    pub fn best() -> Kernel {
        Kernel::avx512()
            .or_else(Kernel::avx2)
            .unwrap_or_else(Kernel::baseline)
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

    /// The AVX-512 kernel, if this CPU has AVX-512F, AVX-512BW and AVX2 (and the crate was
    /// built with Rust ≥ 1.89, which has the intrinsics).
    pub fn avx512() -> Option<Kernel> {
        #[cfg(target_arch = "x86_64")]
        if x86::avx512_available() {
            return Some(Kernel::Avx512(Avx512Token(())));
        }
        None
    }
}

/// One whole tick's sums from [`Bank::accumulate_ticks`]: the correlations (as `acc` of
/// [`Bank::accumulate`]) and the energy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TickSums {
    pub(crate) acc: [i32; 16],
    pub(crate) energy: u64,
}

/// The correlation tables for one sample rate: `L` samples of cos and −sin at each of the
/// eight frequencies, in fixed point with `q` fraction bits (`q` ≤ 10, see [`Bank::shift`]),
/// laid out for the kernel.
///
/// **Tables.** Table `k` (0..8) is cos ω_k i and table `8 + k` is −sin ω_k i, each
/// `round(2^q · value)`; so the sums come out as `[re_0..re_7, im_0..im_7]`.
///
/// **Layout.** The sixteen tables are interleaved by *sample pairs*: row `p` holds, for each
/// table `j`, its values at samples `2p` and `2p+1` (`row[2j]`, `row[2j+1]`; zero past the
/// tick's end). A pair of input samples `(x₀, x₁)` is broadcast to all sixteen table lanes
/// and multiplied pairwise — `x₀·t_j[2p] + x₁·t_j[2p+1]` for every `j` at once — which is
/// exactly x86's `pmaddwd` (i16×i16 products, adjacent pairs summed into i32): four SSE2, two
/// AVX2 or one AVX-512 instruction per sample pair. The sixteen `i32` sums sit in sixteen
/// lanes: no horizontal reduction, and any start offset works.
///
/// **No overflow.** `q` is the largest precision (≤ 10) for which
/// `32768 · max_j Σ_i |t_j(i)| ≤ 2³¹ − 1` for the quantised tables themselves, so the sum
/// over any part of a tick of any `i16` input fits in an `i32`: the kernels sum in `i32`
/// without widening, and the result is the exact integer correlation whatever the kernel and
/// however the stream is framed. (At the detector's tick lengths, `q` = 10 up to about
/// 24.9 kHz and 9 above, up to 48 kHz.)
#[derive(Clone, Debug)]
pub struct Bank {
    tick_len: usize,
    /// Table fraction bits.
    q: u32,
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
    /// If `tick_len` > [`MAX_TICK_LEN`], or if the tables (`tick_len` × 16 entries) cannot
    /// be allocated, as for any `Vec`.
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
        assert!(
            tick_len <= MAX_TICK_LEN,
            "tick_len {tick_len} exceeds MAX_TICK_LEN ({MAX_TICK_LEN})"
        );
        let mut rows = vec![Row([0i16; 32]); tick_len.div_ceil(2)];
        // The finest precision whose worst-case sum fits in an i32. |t| ≤ 2^q, so q = 3 always
        // fits at MAX_TICK_LEN: 2¹⁵ · 2¹² · 2³ < 2³¹.
        let mut q = MAX_Q;
        loop {
            let scale = (1u32 << q) as f64;
            let quant = |v: f64| (v * scale).round() as i16;
            let mut worst = 0u64;
            for (k, &f) in freqs.iter().enumerate() {
                let w = 2.0 * core::f64::consts::PI * f / sample_rate as f64;
                let (mut cos_sum, mut sin_sum) = (0u64, 0u64);
                for i in 0..tick_len {
                    let row = &mut rows[i / 2].0;
                    let (c, s) = (quant((w * i as f64).cos()), quant(-(w * i as f64).sin()));
                    row[2 * k + i % 2] = c;
                    row[2 * (8 + k) + i % 2] = s;
                    cos_sum += c.unsigned_abs() as u64;
                    sin_sum += s.unsigned_abs() as u64;
                }
                worst = worst.max(cos_sum).max(sin_sum);
            }
            if 32768 * worst <= i32::MAX as u64 || q == 0 {
                break;
            }
            q -= 1;
        }
        let kernel = match kernel {
            Kernel::Sse2 if !cfg!(target_arch = "x86_64") => Kernel::Portable,
            k => k,
        };
        Bank {
            tick_len,
            q,
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

    /// How many bits coarser than Q10 the tables are (`10 − q`; at the detector's tick
    /// lengths 0 up to about 24.9 kHz, 1 above): the sums from [`Bank::accumulate`] times
    /// `2^shift` are in [`TABLE_SCALE`] (Q10) units.
    pub fn shift(&self) -> u32 {
        MAX_Q - self.q
    }

    /// The tables' actual scale, `2^q` (1.0 ↦ `scale`): [`TABLE_SCALE`] / `2^shift`.
    pub fn scale(&self) -> f32 {
        (1u32 << self.q) as f32
    }

    /// Table `j` (`k`: cos, `8 + k`: −sin at frequency `k`) at sample `i` of the tick, in
    /// units of 1/[`Bank::scale`].
    ///
    /// # Panics
    /// If `j ≥ 16` or `i ≥ tick_len` (a bug in the caller).
    pub fn table(&self, j: usize, i: usize) -> i16 {
        assert!(j < 16 && i < self.tick_len);
        self.rows[i / 2].0[2 * j + i % 2]
    }

    /// Add the correlation of `x` (which starts `pos` samples into the tick) to the sixteen
    /// accumulators (`acc[k]` real, `acc[8 + k]` imaginary part at frequency `k`, in units
    /// of 1/[`Bank::scale`]) and its energy (Σ ⌊x²/16⌋) to `energy`.
    ///
    /// The sums are exact as long as `acc` holds the sums of earlier parts of the same tick
    /// (or zeros): any part of one tick fits in an `i32` (see [`Bank`]). Summing more than
    /// one tick into `acc` may wrap around (two's complement; no panic).
    ///
    /// # Panics
    /// If `pos + x.len()` exceeds the tick length (a bug in the caller).
    #[inline]
    pub fn accumulate(&self, x: &[i16], pos: usize, acc: &mut [i32; 16], energy: &mut u64) {
        self.accumulate_impl::<true>(x, pos, acc, energy);
    }

    /// [`Bank::accumulate`] without the energy, for a caller that measures it otherwise (the
    /// detector above 8 kHz, band-limited): the AVX2 and AVX-512 kernels skip it.
    ///
    /// # Panics
    /// As [`Bank::accumulate`].
    #[inline]
    pub(crate) fn correlate(&self, x: &[i16], pos: usize, acc: &mut [i32; 16]) {
        let mut unused = 0;
        self.accumulate_impl::<false>(x, pos, acc, &mut unused);
    }

    /// [`Bank::accumulate`], with or without (`ENERGY`) the energy; without it, `energy` gets
    /// some or none of it (only the SSE2 and portable kernels compute it anyway).
    #[inline(always)]
    fn accumulate_impl<const ENERGY: bool>(
        &self,
        x: &[i16],
        pos: usize,
        acc: &mut [i32; 16],
        energy: &mut u64,
    ) {
        assert!(pos
            .checked_add(x.len())
            .is_some_and(|end| end <= self.tick_len));
        if let [v] = x {
            // One sample (sample-by-sample callers): skip the loop machinery.
            let (x0, x1) = if pos % 2 == 0 { (*v, 0) } else { (0, *v) };
            self.pair(&self.rows[pos / 2], x0, x1, acc);
            *energy += sq16(*v) as u64;
            return;
        }
        let mut rows = &self.rows[pos / 2..];
        let mut x = x;
        if pos % 2 == 1 {
            if let Some((&x1, rest)) = x.split_first() {
                self.pair(&rows[0], 0, x1, acc);
                *energy += sq16(x1) as u64;
                x = rest;
                rows = &rows[1..];
            }
        }
        self.kernel_run::<false, ENERGY>(rows, x, acc, energy);
    }

    /// The sums of whole ticks in a row (`x.len()` = `out.len()` ticks), one [`TickSums`]
    /// each: what [`Bank::accumulate`] from position 0 adds to zeros (the detector's call
    /// for whole ticks). The sums are *set*, never read, which spares the kernel a load of
    /// `acc` that the store buffer may not forward (see [`AVX512_MIN_LEN`]); at 8 kHz with
    /// AVX-512 the batch is one call with the 32-sample tick kernel inlined into its loop.
    ///
    /// # Panics
    /// If `x` is not exactly `out.len()` ticks long (a bug in the caller).
    #[inline]
    pub(crate) fn accumulate_ticks(&self, x: &[i16], out: &mut [TickSums]) {
        assert_eq!(x.len(), out.len() * self.tick_len);
        #[cfg(all(target_arch = "x86_64", touchtone_avx512))]
        if let (Kernel::Avx512(_), 32, Some(Ok(rows16))) = (
            self.kernel,
            self.tick_len,
            self.rows.get(..16).map(<&[Row; 16]>::try_from),
        ) {
            // SAFETY: an `Avx512Token` exists only if `avx512_available()` said yes.
            #[allow(unsafe_code)]
            unsafe {
                x86::ticks32_avx512(rows16, x, out)
            };
            return;
        }
        for (t, s) in x.chunks_exact(self.tick_len).zip(out) {
            self.kernel_run::<true, true>(&self.rows, t, &mut s.acc, &mut s.energy);
        }
    }

    /// [`Bank::accumulate_ticks`] for one tick, into `acc` and `energy` (the tests' form).
    #[cfg(test)]
    fn accumulate_tick(&self, x: &[i16], acc: &mut [i32; 16], energy: &mut u64) {
        let mut s = [TickSums::default()];
        self.accumulate_ticks(x, &mut s);
        (*acc, *energy) = (s[0].acc, s[0].energy);
    }

    /// The kernel over `x` from an even sample, `rows[0]` its pair: adds to `acc` and `energy`,
    /// or with `FRESH` sets them (without reading them); without `ENERGY` the AVX2 and AVX-512
    /// kernels leave `energy` alone.
    #[inline(always)]
    fn kernel_run<const FRESH: bool, const ENERGY: bool>(
        &self,
        rows: &[Row],
        x: &[i16],
        acc: &mut [i32; 16],
        energy: &mut u64,
    ) {
        let clear = |acc: &mut [i32; 16], energy: &mut u64| {
            if FRESH {
                *acc = [0; 16];
                *energy = 0;
            }
        };
        match self.kernel {
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse2 => {
                clear(acc, energy);
                x86::accumulate_sse2(rows, x, acc, energy)
            }
            #[cfg(all(target_arch = "x86_64", touchtone_avx512))]
            // SAFETY: an `Avx512Token` exists only if `avx512_available()` said yes.
            #[allow(unsafe_code)]
            Kernel::Avx512(_) if x.len() >= AVX512_MIN_LEN => unsafe {
                x86::accumulate_avx512::<FRESH, ENERGY>(rows, x, acc, energy)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: an `Avx2Token` exists only if `avx2_available()` said yes, and an
            // `Avx512Token` only if `avx512_available()` did, which includes AVX2.
            #[allow(unsafe_code)]
            Kernel::Avx2(_) | Kernel::Avx512(_) => unsafe {
                x86::accumulate_avx2::<FRESH, ENERGY>(rows, x, acc, energy)
            },
            _ => {
                clear(acc, energy);
                accumulate_portable(rows, x, acc, energy)
            }
        }
    }

    /// One sample pair `(x0, x1)` (either may be 0) against `row`.
    #[inline(always)]
    fn pair(&self, row: &Row, x0: i16, x1: i16, acc: &mut [i32; 16]) {
        match self.kernel {
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse2 | Kernel::Avx2(_) | Kernel::Avx512(_) => x86::pair_sse2(row, x0, x1, acc),
            _ => mac(acc, x0, x1, &row.0),
        }
    }
}

/// The portable kernel (same contract as the x86 ones: `x` starts at an even sample, `rows[0]`
/// is its pair, `rows` has at least ⌈x.len()/2⌉ rows).
fn accumulate_portable(rows: &[Row], x: &[i16], acc: &mut [i32; 16], energy: &mut u64) {
    let mut pairs = x.chunks_exact(2);
    let mut r = rows.iter();
    for (xp, row) in (&mut pairs).zip(&mut r) {
        mac(acc, xp[0], xp[1], &row.0);
    }
    if let ([x0], Some(row)) = (pairs.remainder(), r.next()) {
        mac(acc, *x0, 0, &row.0);
    }
    *energy += x.iter().map(|&v| sq16(v) as u64).sum::<u64>();
}

/// `s[j] += x0·row[2j] + x1·row[2j+1]` for the sixteen tables (one `pmaddwd` per 8 lanes),
/// wrapping like the SIMD kernels (which only matters if the caller sums past one tick).
#[inline(always)]
fn mac(s: &mut [i32; 16], x0: i16, x1: i16, row: &[i16; 32]) {
    for (sj, t) in s.iter_mut().zip(row.chunks_exact(2)) {
        // |x·t| ≤ 2¹⁵·2¹⁰ each, so the pair sum cannot overflow.
        *sj = sj.wrapping_add(x0 as i32 * t[0] as i32 + x1 as i32 * t[1] as i32);
    }
}

/// ⌊x²/16⌋ (x² ≤ 2³⁰, so ≤ 2²⁶).
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
        let mut k = vec![Kernel::Portable, Kernel::Sse2];
        k.extend(Kernel::avx2());
        k.extend(Kernel::avx512());
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
