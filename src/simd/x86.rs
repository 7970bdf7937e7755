//! x86-64 kernels for `Bank::accumulate`: the same arithmetic as
//! the portable [`mac`](super::portable::mac) loop, written with `std::arch` because LLVM vectorises that
//! loop the wrong way round (across sample pairs, gathering table values with `pinsrw`).
//!
//! * SSE2 is part of x86-64 itself, so [`accumulate_sse2`] needs no detection.
//! * AVX2 and AVX-512 (F + BW) are used only when the CPU reports them
//!   ([`features`](super::features)); [`Kernel`](super::Kernel) can only hold `Avx2` /
//!   `Avx512` with the proof that check makes.
//!
//! Each kernel is tested bit for bit against a from-the-formula reference (`goertzel`'s tests).
//!
//! Contract of the kernels: `x` starts at an *even* sample of the tick, `rows[0]` is the row
//! of that sample pair, and `rows.len() ≥ ⌈x.len() / 2⌉` (checked with `assert!`, so a
//! violation panics instead of reading out of bounds). The sixteen sums stay in registers
//! (`i32` lanes, which cannot overflow within a tick: see `Bank`) for the
//! whole call; `acc` is loaded once and stored once, or with `FRESH` (a whole tick,
//! `Bank::accumulate_ticks`) not loaded at all: the sums
//! start from zero and `acc` and `energy` are overwritten. The AVX2 and AVX-512 kernels
//! skip the energy without `ENERGY` (`Bank::correlate`: the
//! detector measures it otherwise above 8 kHz).
//!
//! **Memory traffic of `acc`.** The detector used to zero `acc` after each tick (with
//! 256-bit stores that also covered `energy`; now only a partial tick's sums are taken and
//! zeroed) and converts the sums to `f32` with 256-bit loads. A load that needs bytes of
//! more than one earlier store, or only part of a wider store, is presumably not forwarded
//! from the store buffer and waits for the stores to reach the cache; at 8 kHz (then a
//! call per 32 samples) that cost more than AVX-512 saves. So the AVX-512 code
//! moves `acc` as two 256-bit halves, with a
//! [`compiler_fence`](core::sync::atomic::compiler_fence) between them because LLVM
//! otherwise merges them into one 512-bit load or store, and whole ticks do not load `acc`
//! at all. Measured on Zen 5 in the decoder at 8 kHz (medians of alternating runs): with
//! the 512-bit load of the zeroed `acc` the decoder was about 10 % slower, with one 512-bit
//! store instead of two halves about 8 %; without either (and with [`tick32_avx512`]) it is
//! 8–13 % faster than with the AVX2 code that loads `acc`. The detector now runs the
//! whole ticks of a call in batches through [`ticks32_avx512`] (the tick kernel inlined
//! into one loop, one call per batch instead of one per tick): 5–7 % faster again.
//!
//! AVX-512 VNNI (`vpdpwssd`, fusing each `vpmaddwd` with its `vpaddd`) measured no faster:
//! with the default tuning LLVM splits most of them back into the two instructions.
//!
//! Each kernel loads the samples once per loop step for the energy, and broadcasts pairs
//! from the same step for the correlation; the tail (less than a step) goes pair by pair.
//!
//! Energy (Σ⌊x²/16⌋): x² = hi·2¹⁶ + lo (x² ≥ 0, so the signed high half `pmulhw` is exact),
//! so ⌊x²/16⌋ = hi·2¹² + ⌊lo/16⌋; the his (≤ 2¹⁴) and the ⌊lo/16⌋s (< 2¹²) are summed in
//! separate `i32` lanes, which cannot overflow for a tick of up to
//! [`MAX_TICK_LEN`](crate::goertzel::MAX_TICK_LEN) samples, and combined in `u64` at the end.

use core::arch::x86_64::*;
#[cfg(touchtone_avx512)]
use core::sync::atomic::{compiler_fence, Ordering};

use super::portable::sq16;
use crate::goertzel::{Row, TickSums};

/// Whole steps of a call: `N` samples as a fixed-size array and their `R = N / 2` rows (the
/// loops over them unroll completely). The caller checks that `rows` is long enough.
#[inline(always)]
fn steps<'a, const N: usize, const R: usize>(
    xs: &'a [i16],
    rs: &'a [Row],
) -> impl Iterator<Item = (&'a [i16; N], &'a [Row; R])> {
    debug_assert!(2 * R == N);
    xs.chunks_exact(N).zip(rs.chunks_exact(R)).map(|(xc, rc)| {
        (
            xc.try_into().expect("chunks_exact"),
            rc.try_into().expect("chunks_exact"),
        )
    })
}

/// Split a call into whole steps of `n` samples (and their rows) and the rest (fewer than
/// `n` samples, and the rows from there on). Panics (instead of reading out of bounds) if
/// `rows` is too short.
#[allow(clippy::type_complexity)]
#[inline(always)]
fn split<'a>(
    rows: &'a [Row],
    x: &'a [i16],
    n: usize,
) -> ((&'a [i16], &'a [Row]), (&'a [i16], &'a [Row])) {
    assert!(rows.len() >= x.len().div_ceil(2));
    let (xs, xt) = x.split_at(x.len() / n * n);
    let (rs, rt) = rows.split_at(xs.len() / 2);
    ((xs, rs), (xt, rt))
}

/// The sample pairs of a tail (`x` and its rows), the last one padded with a zero sample.
#[inline(always)]
fn tail_pairs<'a>(x: &'a [i16], rows: &'a [Row]) -> impl Iterator<Item = (i32, &'a Row)> {
    x.chunks(2)
        .zip(rows)
        .map(|(p, row)| (word(p[0], p.get(1).copied().unwrap_or(0)), row))
}

/// A sample pair as the i32 that `pmaddwd` pairs with a row's two entries per table.
#[inline(always)]
fn word(x0: i16, x1: i16) -> i32 {
    (x0 as u16 as u32 | ((x1 as u16 as u32) << 16)) as i32
}

/// Correlate `x` with `rows` into `acc` and add its energy (Σ⌊x²/16⌋): SSE2, eight samples
/// (four rows, one 128-bit energy step) per loop step.
pub(super) fn accumulate_sse2(rows: &[Row], x: &[i16], acc: &mut [i32; 16], energy: &mut u64) {
    let ((xs, rs), (xt, rt)) = split(rows, x, 8);
    // SAFETY: SSE2 is always present on x86-64. Table loads read whole `Row`s (64 bytes,
    // aligned to 64) obtained by safe iteration over `rows`; sample loads read a whole
    // 8-element array (16 bytes, unaligned). `acc` (64 bytes) is read and written as four
    // unaligned 16-byte vectors.
    let sums = unsafe {
        let p = acc.as_mut_ptr() as *mut __m128i;
        let mut a = [
            _mm_loadu_si128(p),
            _mm_loadu_si128(p.add(1)),
            _mm_loadu_si128(p.add(2)),
            _mm_loadu_si128(p.add(3)),
        ];
        let mut mac = |w: i32, row: &Row| {
            let b = _mm_set1_epi32(w);
            let t = row.0.as_ptr() as *const __m128i;
            for (q, aq) in a.iter_mut().enumerate() {
                *aq = _mm_add_epi32(*aq, _mm_madd_epi16(b, _mm_load_si128(t.add(q))));
            }
        };
        let ones = _mm_set1_epi16(1);
        let (mut h, mut l) = (_mm_setzero_si128(), _mm_setzero_si128());
        for (xc, rc) in steps::<8, 4>(xs, rs) {
            let v = _mm_loadu_si128(xc.as_ptr() as *const __m128i);
            h = _mm_add_epi32(h, _mm_madd_epi16(_mm_mulhi_epi16(v, v), ones));
            l = _mm_add_epi32(
                l,
                _mm_madd_epi16(_mm_srli_epi16(_mm_mullo_epi16(v, v), 4), ones),
            );
            for (k, row) in rc.iter().enumerate() {
                mac(word(xc[2 * k], xc[2 * k + 1]), row);
            }
        }
        for (w, row) in tail_pairs(xt, rt) {
            mac(w, row);
        }
        for (q, aq) in a.iter().enumerate() {
            _mm_storeu_si128(p.add(q), *aq);
        }
        hi_lo_sse2(h, l)
    };
    *energy += sums + tail(xt);
}

/// `(Σh)·2¹² + Σl` over the four lanes of `h` and of `l` (partial sums of x²'s high halves
/// and of ⌊low half / 16⌋: at most `MAX_TICK_LEN`·2¹⁴ = 2²⁶ in all, so no lane or sum
/// overflows an `i32`).
#[inline(always)]
fn hi_lo_sse2(h: __m128i, l: __m128i) -> u64 {
    // SAFETY: SSE2 is always present on x86-64; register operations only.
    unsafe {
        // [h0+h2, l0+l2, h1+h3, l1+l3], then [h, l, ..].
        let hl = _mm_add_epi32(_mm_unpacklo_epi32(h, l), _mm_unpackhi_epi32(h, l));
        let hl = _mm_add_epi32(hl, _mm_unpackhi_epi64(hl, hl));
        let h = _mm_cvtsi128_si32(hl) as u32 as u64;
        let l = _mm_cvtsi128_si32(_mm_srli_si128(hl, 4)) as u32 as u64;
        (h << 12) + l
    }
}

/// Σ⌊x²/16⌋ over a few samples, one at a time.
#[inline(always)]
fn tail(x: &[i16]) -> u64 {
    x.iter().map(|&v| sq16(v) as u64).sum()
}

/// As [`accumulate_sse2`], with AVX2: two 256-bit registers per row, sixteen samples (eight
/// rows, one 256-bit energy step) per loop step.
///
/// # Safety
/// The CPU must support AVX2 (an [`Avx2`](super::Avx2) proof).
#[target_feature(enable = "avx2")]
pub(super) unsafe fn accumulate_avx2<const FRESH: bool, const ENERGY: bool>(
    rows: &[Row],
    x: &[i16],
    acc: &mut [i32; 16],
    energy: &mut u64,
) {
    let ((xs, rs), (xt, rt)) = split(rows, x, 16);
    // SAFETY: the caller guarantees AVX2. Table loads read whole `Row`s (64 bytes, aligned to
    // 64) obtained by safe iteration over `rows`; sample loads read a whole 16-element array
    // (32 bytes, unaligned). `acc` (64 bytes) is read (unless `FRESH`) and written as two
    // unaligned 32-byte vectors.
    let sums = unsafe {
        let p = acc.as_mut_ptr() as *mut __m256i;
        let (mut a0, mut a1) = if FRESH {
            (_mm256_setzero_si256(), _mm256_setzero_si256())
        } else {
            (_mm256_loadu_si256(p), _mm256_loadu_si256(p.add(1)))
        };
        let mut mac = |w: i32, row: &Row| {
            let b = _mm256_set1_epi32(w);
            let t = row.0.as_ptr() as *const __m256i;
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(b, _mm256_load_si256(t)));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(b, _mm256_load_si256(t.add(1))));
        };
        let ones = _mm256_set1_epi16(1);
        let (mut h, mut l) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        for (xc, rc) in steps::<16, 8>(xs, rs) {
            if ENERGY {
                let v = _mm256_loadu_si256(xc.as_ptr() as *const __m256i);
                h = _mm256_add_epi32(h, _mm256_madd_epi16(_mm256_mulhi_epi16(v, v), ones));
                let sq_lo = _mm256_srli_epi16(_mm256_mullo_epi16(v, v), 4);
                l = _mm256_add_epi32(l, _mm256_madd_epi16(sq_lo, ones));
            }
            for (k, row) in rc.iter().enumerate() {
                mac(word(xc[2 * k], xc[2 * k + 1]), row);
            }
        }
        for (w, row) in tail_pairs(xt, rt) {
            mac(w, row);
        }
        _mm256_storeu_si256(p, a0);
        _mm256_storeu_si256(p.add(1), a1);
        let h = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        let l = _mm_add_epi32(_mm256_castsi256_si128(l), _mm256_extracti128_si256(l, 1));
        hi_lo_sse2(h, l)
    };
    if ENERGY {
        add_or_set::<FRESH>(energy, sums + tail(xt));
    }
}

/// `*energy += e`, or with `FRESH` `*energy = e`.
#[inline(always)]
fn add_or_set<const FRESH: bool>(energy: &mut u64, e: u64) {
    if FRESH {
        *energy = e;
    } else {
        *energy += e;
    }
}

/// As [`accumulate_sse2`], with AVX-512BW: one 512-bit `vpmaddwd` per sample pair (a whole
/// `Row`), alternating between two accumulators; 32 samples (sixteen rows, one 512-bit
/// energy step) per loop step.
///
/// # Safety
/// The CPU must support AVX-512F, AVX-512BW and AVX2 (an [`Avx512`](super::Avx512) proof).
#[cfg(touchtone_avx512)]
#[clippy::msrv = "1.89"]
#[target_feature(enable = "avx512f,avx512bw,avx2")]
pub(super) unsafe fn accumulate_avx512<const FRESH: bool, const ENERGY: bool>(
    rows: &[Row],
    x: &[i16],
    acc: &mut [i32; 16],
    energy: &mut u64,
) {
    let ((xs, rs), (xt, rt)) = split(rows, x, 32);
    // SAFETY: the caller guarantees AVX-512F/BW and AVX2. Table loads read whole `Row`s
    // (64 bytes, aligned to 64) obtained by safe iteration over `rows`; sample loads read a
    // whole 32-element array (64 bytes, unaligned). `acc` (64 bytes) is read (unless
    // `FRESH`) and written as two unaligned 32-byte vectors.
    let sums = unsafe {
        let p = acc.as_mut_ptr() as *mut __m256i;
        let mut a = [_mm512_setzero_si512(); 2];
        let mad = |a: __m512i, w: i32, row: &Row| {
            let t = _mm512_load_si512(row.0.as_ptr() as *const _);
            _mm512_add_epi32(a, _mm512_madd_epi16(_mm512_set1_epi32(w), t))
        };
        let ones = _mm512_set1_epi16(1);
        let (mut h, mut l) = (_mm512_setzero_si512(), _mm512_setzero_si512());
        for (xc, rc) in steps::<32, 16>(xs, rs) {
            if ENERGY {
                let v = _mm512_loadu_si512(xc.as_ptr() as *const _);
                h = _mm512_add_epi32(h, _mm512_madd_epi16(_mm512_mulhi_epi16(v, v), ones));
                let sq_lo = _mm512_srli_epi16::<4>(_mm512_mullo_epi16(v, v));
                l = _mm512_add_epi32(l, _mm512_madd_epi16(sq_lo, ones));
            }
            for (k, row) in rc.iter().enumerate() {
                a[k % 2] = mad(a[k % 2], word(xc[2 * k], xc[2 * k + 1]), row);
            }
        }
        for (w, row) in tail_pairs(xt, rt) {
            a[0] = mad(a[0], w, row);
        }
        add_store_halves::<FRESH>(p, _mm512_add_epi32(a[0], a[1]));
        let half = |v: __m512i| {
            let v = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64::<1>(v));
            _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v))
        };
        hi_lo_sse2(half(h), half(l))
    };
    if ENERGY {
        add_or_set::<FRESH>(energy, sums + tail(xt));
    }
}

/// Add `v` to the sixteen `i32`s at `p` (or with `FRESH` set them to `v`), loading and
/// storing them as two unaligned 256-bit halves, as the detector's AVX2 code writes and reads
/// them (see the module's doc: LLVM would otherwise merge the halves into one 512-bit load
/// and store).
///
/// # Safety
/// The CPU must support AVX-512F and AVX2; `p` must be valid for reading and writing 64
/// bytes.
#[cfg(touchtone_avx512)]
#[clippy::msrv = "1.89"]
#[target_feature(enable = "avx512f,avx2")]
#[inline]
unsafe fn add_store_halves<const FRESH: bool>(p: *mut __m256i, v: __m512i) {
    // SAFETY: the caller guarantees the features and that `p..p + 64 bytes` is readable and
    // writable.
    unsafe {
        let (mut lo, mut hi) = (_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64::<1>(v));
        // The fences are compiler barriers only (no instruction): LLVM does not merge loads
        // or stores across them.
        if !FRESH {
            lo = _mm256_add_epi32(lo, _mm256_loadu_si256(p));
            compiler_fence(Ordering::SeqCst);
            hi = _mm256_add_epi32(hi, _mm256_loadu_si256(p.add(1)));
        }
        _mm256_storeu_si256(p, lo);
        compiler_fence(Ordering::SeqCst);
        _mm256_storeu_si256(p.add(1), hi);
    }
}

/// One whole tick of 32 samples (8 kHz) with AVX-512BW, *setting* `acc` and `energy` (as
/// [`accumulate_avx512`] with `FRESH`): one 512-bit `vpmaddwd` per sample pair (a whole
/// `Row`), sixteen independent products summed as a tree, and the energy of the 32 samples
/// in one 512-bit step, without loop, tail or `u64` partial sums.
///
/// Energy: x² = hi·2¹⁶ + lo as in the module's doc, so ⌊x²/16⌋ = hi·2¹² + ⌊lo/16⌋ ≤ 2²⁶;
/// `vpmaddwd` of the his with 2¹² (hi ≤ 2¹⁴) plus that of the ⌊lo/16⌋s with 1 is the exact sum
/// over each sample pair in an `i32` lane (≤ 2²⁷), and the total of the sixteen lanes is at
/// most 32·2²⁶ = 2³¹: exact as a `u32` (the `i32` additions wrap to the same bits).
///
/// # Safety
/// The CPU must support AVX-512F, AVX-512BW and AVX2 (an [`Avx512`](super::Avx512) proof).
#[cfg(touchtone_avx512)]
#[clippy::msrv = "1.89"]
#[target_feature(enable = "avx512f,avx512bw,avx2")]
#[inline]
unsafe fn tick32_avx512(rows: &[Row; 16], x: &[i16; 32], acc: &mut [i32; 16], energy: &mut u64) {
    // SAFETY: the caller guarantees AVX-512F/BW and AVX2. Table loads read whole `Row`s
    // (64 bytes, aligned to 64) of the array `rows`; the sample load reads the whole array
    // `x` (64 bytes, unaligned). `acc` (64 bytes) is written as two unaligned 32-byte vectors.
    unsafe {
        let v = _mm512_loadu_si512(x.as_ptr() as *const _);
        let hi = _mm512_madd_epi16(_mm512_mulhi_epi16(v, v), _mm512_set1_epi16(1 << 12));
        let lo = _mm512_srli_epi16::<4>(_mm512_mullo_epi16(v, v));
        let e = _mm512_add_epi32(hi, _mm512_madd_epi16(lo, _mm512_set1_epi16(1)));
        let mut a: [__m512i; 16] = core::array::from_fn(|k| {
            let t = _mm512_load_si512(rows[k].0.as_ptr() as *const _);
            _mm512_madd_epi16(_mm512_set1_epi32(word(x[2 * k], x[2 * k + 1])), t)
        });
        let mut n = a.len();
        while n > 1 {
            n /= 2;
            for i in 0..n {
                a[i] = _mm512_add_epi32(a[i], a[i + n]);
            }
        }
        add_store_halves::<true>(acc.as_mut_ptr() as *mut __m256i, a[0]);
        let e = _mm256_add_epi32(_mm512_castsi512_si256(e), _mm512_extracti64x4_epi64::<1>(e));
        let e = _mm_add_epi32(_mm256_castsi256_si128(e), _mm256_extracti128_si256::<1>(e));
        let e = _mm_add_epi32(e, _mm_unpackhi_epi64(e, e));
        let e = _mm_add_epi32(e, _mm_srli_epi64::<32>(e));
        *energy = _mm_cvtsi128_si32(e) as u32 as u64;
    }
}

/// [`tick32_avx512`] over whole ticks of 32 samples (`x.len()` = 32·`out.len()`, which the
/// caller checks; a shorter `x` leaves the rest of `out` alone), one result each, in one
/// call with the tick kernel inlined.
///
/// # Safety
/// The CPU must support AVX-512F, AVX-512BW and AVX2 (an [`Avx512`](super::Avx512) proof).
#[cfg(touchtone_avx512)]
#[clippy::msrv = "1.89"]
#[target_feature(enable = "avx512f,avx512bw,avx2")]
pub(super) unsafe fn ticks32_avx512(rows: &[Row; 16], x: &[i16], out: &mut [TickSums]) {
    for (t, s) in x.chunks_exact(32).zip(out) {
        let t: &[i16; 32] = t.try_into().expect("chunks_exact(32)");
        // SAFETY: the caller guarantees the features `tick32_avx512` needs (the same as this
        // function's).
        unsafe { tick32_avx512(rows, t, &mut s.acc, &mut s.energy) };
    }
}

/// One whole tick of 32 samples (8 kHz) with AVX2, *setting* `acc` and `energy` (as
/// [`accumulate_avx2`] with `FRESH` and `ENERGY`): the sixteen sample pairs broadcast from
/// memory against their rows (two `vpmaddwd` each), summed in four independent chains, and
/// the energy of the 32 samples in two 256-bit steps, without loop, tail or `u64` partial
/// sums (fewer instructions per tick than [`accumulate_avx2`]).
///
/// Energy as in [`tick32_avx512`]: each `i32` lane holds the exact Σ⌊x²/16⌋ of four samples
/// (≤ 2²⁸), and the total of the eight lanes, at most 32·2²⁶ = 2³¹, is exact as a `u32`
/// (the `i32` additions wrap to the same bits). The correlation sums are `i32` additions in
/// another order than [`accumulate_avx2`]'s, which (wrapping, associative) give the same bits.
///
/// # Safety
/// The CPU must support AVX2 (an [`Avx2`](super::Avx2) proof).
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn tick32_avx2(rows: &[Row; 16], x: &[i16; 32], acc: &mut [i32; 16], energy: &mut u64) {
    // SAFETY: the caller guarantees AVX2. Table loads read whole `Row`s (64 bytes, aligned
    // to 64) of the array `rows`; the sample loads read the two halves of the array `x`
    // (32 bytes each, unaligned). `acc` (64 bytes) is written as two unaligned 32-byte
    // vectors.
    unsafe {
        let px = x.as_ptr() as *const __m256i;
        let sq = |v: __m256i| {
            let hi = _mm256_madd_epi16(_mm256_mulhi_epi16(v, v), _mm256_set1_epi16(1 << 12));
            let lo = _mm256_srli_epi16::<4>(_mm256_mullo_epi16(v, v));
            _mm256_add_epi32(hi, _mm256_madd_epi16(lo, _mm256_set1_epi16(1)))
        };
        let e = _mm256_add_epi32(
            sq(_mm256_loadu_si256(px)),
            sq(_mm256_loadu_si256(px.add(1))),
        );
        // Chains: [low tables, high tables] for even and odd pairs.
        let mut a = [[_mm256_setzero_si256(); 2]; 2];
        for (k, row) in rows.iter().enumerate() {
            let b = _mm256_set1_epi32(word(x[2 * k], x[2 * k + 1]));
            let t = row.0.as_ptr() as *const __m256i;
            let c = &mut a[k % 2];
            c[0] = _mm256_add_epi32(c[0], _mm256_madd_epi16(b, _mm256_load_si256(t)));
            c[1] = _mm256_add_epi32(c[1], _mm256_madd_epi16(b, _mm256_load_si256(t.add(1))));
        }
        let p = acc.as_mut_ptr() as *mut __m256i;
        _mm256_storeu_si256(p, _mm256_add_epi32(a[0][0], a[1][0]));
        _mm256_storeu_si256(p.add(1), _mm256_add_epi32(a[0][1], a[1][1]));
        let e = _mm_add_epi32(_mm256_castsi256_si128(e), _mm256_extracti128_si256::<1>(e));
        let e = _mm_add_epi32(e, _mm_unpackhi_epi64(e, e));
        let e = _mm_add_epi32(e, _mm_srli_epi64::<32>(e));
        *energy = _mm_cvtsi128_si32(e) as u32 as u64;
    }
}

/// [`tick32_avx2`] over whole ticks of 32 samples (`x.len()` = 32·`out.len()`, which the
/// caller checks; a shorter `x` leaves the rest of `out` alone), one result each, in one
/// call with the tick kernel inlined.
///
/// # Safety
/// The CPU must support AVX2 (an [`Avx2`](super::Avx2) proof).
#[target_feature(enable = "avx2")]
pub(super) unsafe fn ticks32_avx2(rows: &[Row; 16], x: &[i16], out: &mut [TickSums]) {
    for (t, s) in x.chunks_exact(32).zip(out) {
        // The rows are read from memory by each tick's `vpmaddwd`s: hoisted out of the loop
        // (32 vectors, twice AVX2's registers) LLVM copies them to the stack on every call.
        let rows = core::hint::black_box(rows);
        let t: &[i16; 32] = t.try_into().expect("chunks_exact(32)");
        // SAFETY: the caller guarantees AVX2, the feature `tick32_avx2` needs.
        unsafe { tick32_avx2(rows, t, &mut s.acc, &mut s.energy) };
    }
}

/// One sample pair `(x0, x1)` (either may be 0) against one row, added to `acc`: SSE2.
#[inline]
pub(super) fn pair_sse2(row: &Row, x0: i16, x1: i16, acc: &mut [i32; 16]) {
    // SAFETY: SSE2 is always present on x86-64. The table loads read the 64-byte, 64-aligned
    // `row`; `acc` (64 bytes) is read and written as four unaligned 16-byte vectors.
    unsafe {
        let b = _mm_set1_epi32((x0 as u16 as u32 | ((x1 as u16 as u32) << 16)) as i32);
        let t = row.0.as_ptr() as *const __m128i;
        let p = acc.as_mut_ptr() as *mut __m128i;
        for q in 0..4 {
            let v = _mm_add_epi32(
                _mm_loadu_si128(p.add(q)),
                _mm_madd_epi16(b, _mm_load_si128(t.add(q))),
            );
            _mm_storeu_si128(p.add(q), v);
        }
    }
}

/// [`portable::mul_add8`](super::portable::mul_add8) with SSE2, four lanes at a time and the
/// same operations in the same order (so the same bits). Written out because LLVM's
/// vectoriser, inside the large inlined per-tick analysis, leaves most of the scalar loop
/// scalar.
#[cfg_attr(feature = "portable", allow(dead_code))]
#[inline(always)]
pub(super) fn mul_add8_sse2(
    p: [&[f32; 8]; 2],
    q: [&[f32; 8]; 2],
    r: [&[f32; 8]; 2],
    out: [&mut [f32; 8]; 2],
) {
    let [re_out, im_out] = out;
    for h in [0, 4] {
        // SAFETY: SSE2 is always present on x86-64. Every load reads four `f32` at lane `h`
        // (0 or 4) of an 8-lane array, and every store writes four at lane `h` of an output
        // array: all in bounds; the unaligned forms need no alignment.
        unsafe {
            let ld = |a: &[f32; 8]| _mm_loadu_ps(a.as_ptr().add(h));
            let (pr, pi) = (ld(p[0]), ld(p[1]));
            let (qr, qi) = (ld(q[0]), ld(q[1]));
            let (rr, ri) = (ld(r[0]), ld(r[1]));
            let re = _mm_add_ps(pr, _mm_sub_ps(_mm_mul_ps(qr, rr), _mm_mul_ps(qi, ri)));
            let im = _mm_add_ps(pi, _mm_add_ps(_mm_mul_ps(qr, ri), _mm_mul_ps(qi, rr)));
            _mm_storeu_ps(re_out.as_mut_ptr().add(h), re);
            _mm_storeu_ps(im_out.as_mut_ptr().add(h), im);
        }
    }
}

/// [`portable::mul_add8`](super::portable::mul_add8) with AVX, all eight lanes at once and the
/// same operations in the same order (so the same bits).
///
/// # Safety
/// The CPU must support AVX (an [`Avx2`](super::Avx2) proof shows it: AVX2 implies AVX).
#[cfg_attr(feature = "portable", allow(dead_code))]
#[inline]
#[target_feature(enable = "avx")]
pub(super) unsafe fn mul_add8_avx(
    p: [&[f32; 8]; 2],
    q: [&[f32; 8]; 2],
    r: [&[f32; 8]; 2],
    out: [&mut [f32; 8]; 2],
) {
    let [re_out, im_out] = out;
    // SAFETY: every load reads and every store writes one whole 8-lane array; the
    // unaligned forms need no alignment. AVX is the caller's guarantee.
    unsafe {
        let ld = |a: &[f32; 8]| _mm256_loadu_ps(a.as_ptr());
        let (pr, pi) = (ld(p[0]), ld(p[1]));
        let (qr, qi) = (ld(q[0]), ld(q[1]));
        let (rr, ri) = (ld(r[0]), ld(r[1]));
        let re = _mm256_add_ps(
            pr,
            _mm256_sub_ps(_mm256_mul_ps(qr, rr), _mm256_mul_ps(qi, ri)),
        );
        let im = _mm256_add_ps(
            pi,
            _mm256_add_ps(_mm256_mul_ps(qr, ri), _mm256_mul_ps(qi, rr)),
        );
        _mm256_storeu_ps(re_out.as_mut_ptr(), re);
        _mm256_storeu_ps(im_out.as_mut_ptr(), im);
    }
}

/// [`portable::top2x2`](super::portable::top2x2) with SSE2: the group's maximum by two
/// shuffle-and-max steps, its first lane by `movemask`, and the others' maximum the same
/// way with that lane cleared to +0 (window powers are ≥ +0, so the results are the same
/// bits as the portable loop's).
#[cfg_attr(feature = "portable", allow(dead_code))]
#[inline(always)]
pub(super) fn top2x2_sse2(v: &[f32; 8]) -> [(usize, f32, f32); 2] {
    /// Lane masks that clear lane `i`.
    const CLEAR: [[u32; 4]; 4] = [
        [0, !0, !0, !0],
        [!0, 0, !0, !0],
        [!0, !0, 0, !0],
        [!0, !0, !0, 0],
    ];
    let mut out = [(0, 0.0, 0.0); 2];
    for (g, o) in out.iter_mut().enumerate() {
        // SAFETY: SSE2 is always present on x86-64. The load reads lanes 4g..4g+4 of the
        // 8-lane `v` and `CLEAR[i]` (i < 4) is a whole 16-byte array: both in bounds; the
        // unaligned loads need no alignment.
        unsafe {
            let hmax = |x: __m128| {
                let a = _mm_max_ps(x, _mm_shuffle_ps::<0b10_11_00_01>(x, x));
                _mm_max_ps(a, _mm_shuffle_ps::<0b01_00_11_10>(a, a))
            };
            let x = _mm_loadu_ps(v.as_ptr().add(4 * g));
            let m = hmax(x);
            // At least one lane equals the maximum (for finite values); `& 3` keeps the
            // index in bounds whatever the input.
            let eq = _mm_movemask_ps(_mm_cmpeq_ps(x, m)) as u32;
            let i = (eq.trailing_zeros() & 3) as usize;
            let keep = _mm_loadu_ps(CLEAR[i].as_ptr() as *const f32);
            let s = hmax(_mm_and_ps(x, keep));
            *o = (i, _mm_cvtss_f32(m), _mm_cvtss_f32(s));
        }
    }
    out
}
