//! The correlation tables of one rate and the kernel that runs them (see the parent
//! module; the kernels themselves are in the SIMD wing).

use crate::simd::{self, Kernel};

/// Nominal fixed-point scale of the correlation tables (Q10: 1.0 ↦ 1024). A [`Bank`] may use
/// a coarser precision (see [`Bank::shift`]); its sums times `2^shift` are in this scale.
pub(crate) const TABLE_SCALE: f32 = 1024.0;
/// Finest table precision (fraction bits) a [`Bank`] uses.
const MAX_Q: u32 = 10;
/// Longest tick a [`Bank`] accepts (16× the detector's longest, 192 samples at 48 kHz).
pub(crate) const MAX_TICK_LEN: usize = 4096;

/// One row of the interleaved tables: sixteen tables × one sample pair (64 bytes, aligned
/// to 64: one 512-bit load).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Row(pub(crate) [i16; 32]);

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

// (Some accessors are only for the tests and, with `bench`, the benchmarks.)
#[cfg_attr(not(feature = "bench"), allow(dead_code))]
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
            Kernel::Sse2 if !cfg!(target_arch = "x86_64") || cfg!(feature = "portable") => {
                Kernel::Portable
            }
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
            *energy += simd::portable::sq16(*v) as u64;
            return;
        }
        let mut rows = &self.rows[pos / 2..];
        let mut x = x;
        if pos % 2 == 1 {
            if let Some((&x1, rest)) = x.split_first() {
                self.pair(&rows[0], 0, x1, acc);
                *energy += simd::portable::sq16(x1) as u64;
                x = rest;
                rows = &rows[1..];
            }
        }
        self.kernel_run::<false, ENERGY>(rows, x, acc, energy);
    }

    /// The sums of whole ticks in a row (`x.len()` = `out.len()` ticks), one [`TickSums`]
    /// each: what [`Bank::accumulate`] from position 0 adds to zeros (the detector's call
    /// for whole ticks). The sums are *set*, never read, which spares the kernel a load of
    /// `acc` that the store buffer may not forward (see `simd::AVX512_MIN_LEN`); at 8 kHz with
    /// AVX-512 the batch is one call with the 32-sample tick kernel inlined into its loop.
    ///
    /// # Panics
    /// If `x` is not exactly `out.len()` ticks long (a bug in the caller).
    #[inline]
    pub(crate) fn accumulate_ticks(&self, x: &[i16], out: &mut [TickSums]) {
        assert_eq!(x.len(), out.len() * self.tick_len);
        if simd::ticks32(self.kernel, self.tick_len, &self.rows, x, out) {
            return;
        }
        for (t, s) in x.chunks_exact(self.tick_len).zip(out) {
            self.kernel_run::<true, true>(&self.rows, t, &mut s.acc, &mut s.energy);
        }
    }

    /// [`Bank::accumulate_ticks`] for one tick, into `acc` and `energy` (the tests' form).
    #[cfg(test)]
    pub(crate) fn accumulate_tick(&self, x: &[i16], acc: &mut [i32; 16], energy: &mut u64) {
        let mut s = [TickSums::default()];
        self.accumulate_ticks(x, &mut s);
        (*acc, *energy) = (s[0].acc, s[0].energy);
    }

    /// The kernel over `x` from an even sample, `rows[0]` its pair (see [`simd::accumulate`]).
    #[inline(always)]
    fn kernel_run<const FRESH: bool, const ENERGY: bool>(
        &self,
        rows: &[Row],
        x: &[i16],
        acc: &mut [i32; 16],
        energy: &mut u64,
    ) {
        simd::accumulate::<FRESH, ENERGY>(self.kernel, rows, x, acc, energy);
    }

    /// One sample pair `(x0, x1)` (either may be 0) against `row`.
    #[inline(always)]
    fn pair(&self, row: &Row, x0: i16, x1: i16, acc: &mut [i32; 16]) {
        simd::pair(self.kernel, row, x0, x1, acc);
    }
}
