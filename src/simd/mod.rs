//! The SIMD wing: the CPU's features, detected once, and every piece of code compiled for
//! AVX2 or AVX-512, behind safe functions. All of the crate's `unsafe` is in this module
//! (the rest of the crate is `#![deny(unsafe_code)]`), each block with its `// SAFETY:`.
//!
//! * [`features`] asks the CPU once (and, with the cargo feature `portable`, reports
//!   nothing, so the whole crate runs its portable code).
//! * [`Avx2`] and [`Avx512`] are proofs that the CPU has the feature: only [`features`]
//!   makes them, and every function here that runs code compiled for a feature takes its
//!   proof.
//! * The filter bank's kernels ([`Kernel`], [`accumulate`], [`pair`], [`ticks32`]): SSE2,
//!   AVX2 and AVX-512 in `x86`, the plain Rust twin in `portable` (the oracle the others
//!   are tested against, and what runs on other architectures).
//! * The detector's band-limited energy over whole groups ([`band_whole_groups`], AVX2 in
//!   `band`; the portable loop is the detector's own).
//! * [`Compiled`]: a detector routine (the per-sample loop with the per-tick analysis, the
//!   input conversions) run compiled for AVX2. It is the same Rust as the baseline build;
//!   without FMA contraction the results are the same bits, which the detector's tests
//!   check.

use crate::goertzel::{Row, TickSums};
use std::sync::OnceLock;

#[cfg(target_arch = "x86_64")]
mod band;
pub(crate) mod portable;
#[cfg(target_arch = "x86_64")]
mod x86;

/// Shortest call [`accumulate`] runs with the AVX-512 code (shorter ones run the AVX2
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
/// ticks below 16 kHz go through `Bank::accumulate_ticks`, which does not read the sums at
/// all (at 8 kHz with an AVX-512 kernel for exactly 32 samples, [`ticks32`]): the decoder
/// was then 8–13 % faster at 8 kHz than with the AVX2 code, and unchanged at 16 and
/// 48 kHz (see the `x86` module).
pub(crate) const AVX512_MIN_LEN: usize = 64;

/// Proof that the CPU supports AVX2 (only [`features`] makes one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx2(());

/// Proof that the CPU supports AVX-512F, AVX-512BW and AVX2 (only [`features`] makes one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx512(());

/// The SIMD features this CPU has and this build uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Features {
    pub(crate) avx2: Option<Avx2>,
    /// AVX-512F and AVX-512BW (with AVX2, used for short calls), and a compiler with the
    /// intrinsics (Rust ≥ 1.89: `cfg(touchtone_avx512)` from the build script).
    pub(crate) avx512: Option<Avx512>,
}

/// The CPU's features, detected on the first call. With the cargo feature `portable`: none.
pub(crate) fn features() -> Features {
    static FEATURES: OnceLock<Features> = OnceLock::new();
    *FEATURES.get_or_init(|| {
        let none = Features {
            avx2: None,
            avx512: None,
        };
        if cfg!(feature = "portable") {
            return none;
        }
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = std::is_x86_feature_detected!("avx2");
            let avx512 = cfg!(touchtone_avx512)
                && avx2
                && std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512bw");
            Features {
                avx2: avx2.then_some(Avx2(())),
                avx512: avx512.then_some(Avx512(())),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        none
    })
}

/// Which implementation of the filter bank's kernel runs (all give identical sums).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust (any target); the oracle the others are tested against.
    Portable,
    /// x86-64 SSE2 (always present on x86-64; portable elsewhere).
    Sse2,
    /// x86-64 AVX2.
    Avx2(Avx2),
    /// x86-64 AVX-512 (F and BW) for calls of at least [`AVX512_MIN_LEN`] samples, AVX2 for
    /// shorter ones.
    Avx512(Avx512),
}

impl Kernel {
    /// The fastest kernel this CPU runs (AVX-512, else AVX2, else SSE2 on x86-64; portable
    /// elsewhere, and with the cargo feature `portable`).
    pub fn best() -> Kernel {
        Kernel::avx512()
            .or_else(Kernel::avx2)
            .unwrap_or_else(Kernel::baseline)
    }

    /// The fastest kernel without runtime detection: SSE2 on x86-64, portable elsewhere and
    /// with the cargo feature `portable`.
    pub fn baseline() -> Kernel {
        if cfg!(target_arch = "x86_64") && !cfg!(feature = "portable") {
            Kernel::Sse2
        } else {
            Kernel::Portable
        }
    }

    /// The AVX2 kernel, if this CPU has AVX2.
    pub fn avx2() -> Option<Kernel> {
        features().avx2.map(Kernel::Avx2)
    }

    /// The AVX-512 kernel, if this CPU has AVX-512F, AVX-512BW and AVX2 (and the crate was
    /// built with Rust ≥ 1.89, which has the intrinsics).
    pub fn avx512() -> Option<Kernel> {
        features().avx512.map(Kernel::Avx512)
    }
}

/// The kernel over `x` from an even sample, `rows[0]` its pair (`rows` has at least
/// ⌈x.len()/2⌉ rows): adds to `acc` and `energy`, or with `FRESH` sets them (without
/// reading them); without `ENERGY` the AVX2 and AVX-512 kernels leave `energy` alone.
#[inline(always)]
pub(crate) fn accumulate<const FRESH: bool, const ENERGY: bool>(
    kernel: Kernel,
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
    match kernel {
        #[cfg(target_arch = "x86_64")]
        Kernel::Sse2 => {
            clear(acc, energy);
            x86::accumulate_sse2(rows, x, acc, energy)
        }
        #[cfg(all(target_arch = "x86_64", touchtone_avx512))]
        // SAFETY: an `Avx512` proof exists only if the CPU reported AVX-512F/BW and AVX2.
        Kernel::Avx512(_) if x.len() >= AVX512_MIN_LEN => unsafe {
            x86::accumulate_avx512::<FRESH, ENERGY>(rows, x, acc, energy)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: an `Avx2` proof exists only if the CPU reported AVX2, and an `Avx512`
        // proof only if it reported AVX2 too.
        Kernel::Avx2(_) | Kernel::Avx512(_) => unsafe {
            x86::accumulate_avx2::<FRESH, ENERGY>(rows, x, acc, energy)
        },
        _ => {
            clear(acc, energy);
            portable::accumulate(rows, x, acc, energy)
        }
    }
}

/// One sample pair `(x0, x1)` (either may be 0) against `row`, added to `acc`.
#[inline(always)]
pub(crate) fn pair(kernel: Kernel, row: &Row, x0: i16, x1: i16, acc: &mut [i32; 16]) {
    match kernel {
        #[cfg(target_arch = "x86_64")]
        Kernel::Sse2 | Kernel::Avx2(_) | Kernel::Avx512(_) => x86::pair_sse2(row, x0, x1, acc),
        _ => portable::mac(acc, x0, x1, &row.0),
    }
}

/// Whole ticks of `tick_len` samples, one [`TickSums`] each (`x.len()` =
/// `tick_len`·`out.len()`), with the AVX-512 or the AVX2 kernel for 32-sample ticks
/// (8 kHz); `false` (nothing done) for any other kernel or tick length.
#[inline(always)]
pub(crate) fn ticks32(
    kernel: Kernel,
    tick_len: usize,
    rows: &[Row],
    x: &[i16],
    out: &mut [TickSums],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let (32, Some(Ok(rows16))) = (tick_len, rows.get(..16).map(<&[Row; 16]>::try_from)) {
        match kernel {
            #[cfg(touchtone_avx512)]
            Kernel::Avx512(_) => {
                // SAFETY: an `Avx512` proof exists only if the CPU reported AVX-512F/BW and
                // AVX2.
                unsafe { x86::ticks32_avx512(rows16, x, out) };
                return true;
            }
            Kernel::Avx2(_) => {
                // SAFETY: an `Avx2` proof exists only if the CPU reported AVX2.
                unsafe { x86::ticks32_avx2(rows16, x, out) };
                return true;
            }
            _ => {}
        }
    }
    let _ = (kernel, tick_len, rows, x, out);
    false
}

/// Σ (Σ group)² over the consecutive groups of `M` samples of `x`, with AVX2, for `M` in
/// {1, 2, 3, 4, 6}, `x.len()` a multiple of `M` and at least eight groups; `None` (nothing
/// done) otherwise and on other architectures.
#[inline(always)]
pub(crate) fn band_whole_groups<const M: usize>(proof: Avx2, x: &[i16]) -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    return band::whole_groups::<M>(proof, x);
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (proof, x);
        None
    }
}

/// Eight complex lanes `out = p + q·r`, real and imaginary parts in separate arrays
/// (`[re, im]`): with AVX given an [`Avx2`] proof (inlined into code compiled for AVX2, see
/// [`Compiled`]), else SSE2 on x86-64 (without the cargo feature `portable`); the same bits
/// as the portable loop.
#[inline(always)]
pub(crate) fn mul_add8(
    avx2: Option<Avx2>,
    p: [&[f32; 8]; 2],
    q: [&[f32; 8]; 2],
    r: [&[f32; 8]; 2],
    out: [&mut [f32; 8]; 2],
) {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    {
        if avx2.is_some() {
            // SAFETY: an `Avx2` proof exists only if the CPU reported AVX2, which implies
            // AVX.
            unsafe { x86::mul_add8_avx(p, q, r, out) };
        } else {
            x86::mul_add8_sse2(p, q, r, out);
        }
    }
    #[cfg(not(all(target_arch = "x86_64", not(feature = "portable"))))]
    {
        let _ = avx2;
        portable::mul_add8(p, q, r, out);
    }
}

/// For each group of four lanes of `v` (0–3, 4–7): the index of its largest value (the
/// first of equals), that value, and the largest of the group's other values (at least 0);
/// for finite, non-negative values (window powers). SSE2 on x86-64 (without the cargo
/// feature `portable`), the same bits as the portable loop.
#[inline(always)]
pub(crate) fn top2x2(v: &[f32; 8]) -> [(usize, f32, f32); 2] {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    return x86::top2x2_sse2(v);
    #[cfg(not(all(target_arch = "x86_64", not(feature = "portable"))))]
    portable::top2x2(v)
}

/// A routine to run compiled for a SIMD feature ([`Compiled::avx2`]) on `self` and two
/// arguments. Its `run` should be `#[inline(always)]`, so that all of it is compiled with
/// the feature. (The receiver and the arguments reach the compiled function as its own
/// arguments, references the optimiser knows do not alias, as a direct call would.)
pub(crate) trait Compiled<A: ?Sized, B: ?Sized> {
    /// The routine.
    fn run(&mut self, a: &A, b: &mut B);

    /// Run [`Compiled::run`] compiled with AVX2 enabled.
    #[inline(always)]
    fn avx2(&mut self, proof: Avx2, a: &A, b: &mut B)
    where
        Self: Sized,
    {
        let _ = proof;
        #[cfg(target_arch = "x86_64")]
        // SAFETY: an `Avx2` proof exists only if the CPU reported AVX2, the one feature
        // `run_avx2` enables.
        unsafe {
            run_avx2(self, a, b)
        }
        #[cfg(not(target_arch = "x86_64"))]
        self.run(a, b);
    }
}

/// `c.run(a, b)` compiled with AVX2 enabled.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_avx2<C: Compiled<A, B>, A: ?Sized, B: ?Sized>(c: &mut C, a: &A, b: &mut B) {
    c.run(a, b);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lanes with ordinary values, values of very different sizes (so the rounding of
    /// each operation shows), signed zeros, subnormals and infinities.
    fn lanes(seed: u32) -> [f32; 8] {
        let specials = [
            0.0,
            -0.0,
            1.0e-40,
            -3.0e38,
            f32::INFINITY,
            1.5e-7,
            65_504.0,
            -1.0,
        ];
        let mut s = seed;
        core::array::from_fn(|k| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            if s >> 28 == 0 {
                specials[k]
            } else {
                let mant = (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                mant * 2f32.powi((s % 40) as i32 - 20)
            }
        })
    }

    #[test]
    fn mul_add8_matches_the_portable_loop_bit_for_bit() {
        let mut cases = 0;
        for seed in 0..2_000u32 {
            let v: [[f32; 8]; 6] = core::array::from_fn(|i| lanes(seed * 6 + i as u32));
            let (p, q, r) = ([&v[0], &v[1]], [&v[2], &v[3]], [&v[4], &v[5]]);
            let mut want = [[0.0f32; 8]; 2];
            let [w0, w1] = &mut want;
            portable::mul_add8(p, q, r, [w0, w1]);
            // The oracle itself: the same value as `Complex32`'s p + q·r, lane by lane.
            for k in 0..8 {
                let c = num_complex::Complex32::new(v[0][k], v[1][k])
                    + num_complex::Complex32::new(v[2][k], v[3][k])
                        * num_complex::Complex32::new(v[4][k], v[5][k]);
                assert_eq!(
                    want[0][k].to_bits(),
                    c.re.to_bits(),
                    "re, seed {seed} lane {k}"
                );
                assert_eq!(
                    want[1][k].to_bits(),
                    c.im.to_bits(),
                    "im, seed {seed} lane {k}"
                );
            }
            for avx2 in [None, features().avx2] {
                let mut got = [[0.0f32; 8]; 2];
                let [g0, g1] = &mut got;
                mul_add8(avx2, p, q, r, [g0, g1]);
                let bits = |x: &[[f32; 8]; 2]| x.map(|h| h.map(f32::to_bits));
                assert_eq!(bits(&got), bits(&want), "seed {seed}, AVX2 proof {avx2:?}");
                cases += 1;
            }
        }
        if features().avx2.is_none() {
            println!(
                "mul_add8: this CPU has no AVX2 (or the build is portable): AVX path not compared"
            );
        }
        assert_eq!(cases, 4_000);
    }

    #[test]
    fn top2x2_matches_the_portable_loop_bit_for_bit() {
        let mut s = 7u32;
        let mut next = move || {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            s
        };
        for case in 0..20_000 {
            // Window powers: non-negative, finite, with many ties and zeros.
            let v: [f32; 8] = core::array::from_fn(|_| {
                let r = next();
                match r >> 29 {
                    0 => 0.0,
                    1 => 1.0,
                    2 => 3.5e9,
                    _ => (r >> 8) as f32 * 2f32.powi((r % 30) as i32 - 15),
                }
            });
            let want = portable::top2x2(&v);
            let got = top2x2(&v);
            let bits = |r: [(usize, f32, f32); 2]| r.map(|(i, m, s)| (i, m.to_bits(), s.to_bits()));
            assert_eq!(bits(got), bits(want), "case {case}: {v:?}");
            // The oracle itself: the index holds the maximum, the first of equals.
            for (g, &(i, m, _)) in want.iter().enumerate() {
                let x = &v[4 * g..4 * g + 4];
                assert!(x.iter().all(|&y| y <= m) && x[i] == m && x[..i].iter().all(|&y| y < m));
            }
        }
    }
}
