//! x86-64 kernels for [`Bank::accumulate`](super::Bank::accumulate): the same arithmetic as
//! the portable [`super::mac`] loop, written with `std::arch` because LLVM vectorises that
//! loop the wrong way round (across sample pairs, gathering table values with `pinsrw`).
//!
//! * SSE2 is part of x86-64 itself, so [`accumulate_sse2`] needs no detection.
//! * AVX2 is used only when the CPU reports it ([`avx2_available`]); [`Kernel`](super::Kernel)
//!   can only hold `Avx2` after that check.
//!
//! Each kernel is tested bit for bit against a from-the-formula reference (`super::tests`).
//!
//! Contract of both kernels: `x` starts at an *even* sample of the tick, `rows[0]` is the row
//! of that sample pair, and `rows.len() ≥ ⌈x.len() / 2⌉` (checked with `assert!`, so a
//! violation panics instead of reading out of bounds). Whole 32-sample chunks go through the
//! chunk function with constant lengths, so it is fully unrolled.

use core::arch::x86_64::*;

use super::{Row, CHUNK};

/// Does this CPU have AVX2?
pub(super) fn avx2_available() -> bool {
    std::is_x86_feature_detected!("avx2")
}

/// Correlate `x` with `rows` into `acc` (Q10) and add its energy (Σ⌊x²/16⌋): SSE2.
pub(super) fn accumulate_sse2(rows: &[Row], x: &[i16], acc: &mut [i64; 16], energy: &mut u64) {
    assert!(rows.len() >= x.len().div_ceil(2));
    let whole = x.len() / CHUNK;
    let (xw, xr) = x.split_at(whole * CHUNK);
    for (xc, rc) in xw.chunks_exact(CHUNK).zip(rows.chunks_exact(CHUNK / 2)) {
        let xc: &[i16; CHUNK] = xc.try_into().expect("chunks_exact");
        let rc: &[Row; CHUNK / 2] = rc.try_into().expect("chunks_exact");
        chunk_sse2(rc, xc, acc, energy);
    }
    if !xr.is_empty() {
        chunk_sse2(&rows[whole * CHUNK / 2..], xr, acc, energy);
    }
}

/// One chunk of at most 32 samples (`rows` has at least ⌈x.len()/2⌉ rows).
#[inline(always)]
fn chunk_sse2(rows: &[Row], x: &[i16], acc: &mut [i64; 16], energy: &mut u64) {
    debug_assert!(x.len() <= CHUNK && rows.len() >= x.len().div_ceil(2));
    let mut s = [0i32; 16];
    let mut eparts = [0u32; 4];
    // SAFETY: SSE2 is always present on x86-64. Table loads read whole `Row`s (64 bytes,
    // aligned to 32) obtained by safe iteration over `rows`. Sample loads read 4 bytes from a
    // 2-element `chunks_exact` piece, or 16 bytes from an 8-element one (unaligned loads).
    // Stores write the 64-byte `s` and 16-byte `eparts` locals (unaligned stores).
    unsafe {
        let mut a = [_mm_setzero_si128(); 4];
        let mut pairs = x.chunks_exact(2);
        let mut r = rows.iter();
        for (xp, row) in (&mut pairs).zip(&mut r) {
            let b = _mm_set1_epi32(core::ptr::read_unaligned(xp.as_ptr() as *const i32));
            let t = row.0.as_ptr() as *const __m128i;
            for (q, aq) in a.iter_mut().enumerate() {
                *aq = _mm_add_epi32(*aq, _mm_madd_epi16(b, _mm_load_si128(t.add(q))));
            }
        }
        if let ([x0], Some(row)) = (pairs.remainder(), r.next()) {
            let b = _mm_set1_epi32(*x0 as u16 as i32);
            let t = row.0.as_ptr() as *const __m128i;
            for (q, aq) in a.iter_mut().enumerate() {
                *aq = _mm_add_epi32(*aq, _mm_madd_epi16(b, _mm_load_si128(t.add(q))));
            }
        }
        let p = s.as_mut_ptr() as *mut __m128i;
        for (q, aq) in a.iter().enumerate() {
            _mm_storeu_si128(p.add(q), *aq);
        }
        // Energy, eight samples at a time: x² = hi·2¹⁶ + lo (x² ≥ 0, so the signed high
        // half is exact) and ⌊x²/16⌋ = hi·2¹² + ⌊lo/16⌋. Each i32 lane sums ≤ 8 samples'
        // parts: (Σhi)·2¹² + Σ⌊lo/16⌋ ≤ 8·2²⁶ = 2²⁹.
        let ones = _mm_set1_epi16(1);
        let mut e = _mm_setzero_si128();
        let mut octs = x.chunks_exact(8);
        for o in &mut octs {
            let v = _mm_loadu_si128(o.as_ptr() as *const __m128i);
            let hi = _mm_madd_epi16(_mm_mulhi_epi16(v, v), ones);
            let lo = _mm_madd_epi16(_mm_srli_epi16(_mm_mullo_epi16(v, v), 4), ones);
            e = _mm_add_epi32(e, _mm_add_epi32(_mm_slli_epi32(hi, 12), lo));
        }
        _mm_storeu_si128(eparts.as_mut_ptr() as *mut __m128i, e);
        let tail: u32 = octs.remainder().iter().map(|&v| super::sq16(v)).sum();
        *energy += (eparts.iter().sum::<u32>() + tail) as u64;
    }
    super::widen(acc, &s);
}

/// As [`accumulate_sse2`], with AVX2 (two 256-bit registers per row).
///
/// # Safety
/// The CPU must support AVX2 (check [`avx2_available`]).
#[target_feature(enable = "avx2")]
pub(super) unsafe fn accumulate_avx2(
    rows: &[Row],
    x: &[i16],
    acc: &mut [i64; 16],
    energy: &mut u64,
) {
    assert!(rows.len() >= x.len().div_ceil(2));
    let whole = x.len() / CHUNK;
    let (xw, xr) = x.split_at(whole * CHUNK);
    for (xc, rc) in xw.chunks_exact(CHUNK).zip(rows.chunks_exact(CHUNK / 2)) {
        let xc: &[i16; CHUNK] = xc.try_into().expect("chunks_exact");
        let rc: &[Row; CHUNK / 2] = rc.try_into().expect("chunks_exact");
        // SAFETY: the caller guarantees AVX2.
        unsafe { chunk_avx2(rc, xc, acc, energy) };
    }
    if !xr.is_empty() {
        // SAFETY: the caller guarantees AVX2.
        unsafe { chunk_avx2(&rows[whole * CHUNK / 2..], xr, acc, energy) };
    }
}

/// One chunk of at most 32 samples (`rows` has at least ⌈x.len()/2⌉ rows).
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn chunk_avx2(rows: &[Row], x: &[i16], acc: &mut [i64; 16], energy: &mut u64) {
    debug_assert!(x.len() <= CHUNK && rows.len() >= x.len().div_ceil(2));
    let mut eparts = [0u32; 8];
    // SAFETY: the caller guarantees AVX2. Table loads read whole `Row`s (64 bytes, aligned to
    // 32) obtained by safe iteration over `rows`. Sample loads read 4 bytes from a 2-element
    // `chunks_exact` piece or 32 bytes from a 16-element one (unaligned). `acc` (128 bytes) is
    // read and written as four unaligned 32-byte vectors; `eparts` is a 32-byte local.
    unsafe {
        let mut a0 = _mm256_setzero_si256();
        let mut a1 = _mm256_setzero_si256();
        let mut pairs = x.chunks_exact(2);
        let mut r = rows.iter();
        for (xp, row) in (&mut pairs).zip(&mut r) {
            let b = _mm256_set1_epi32(core::ptr::read_unaligned(xp.as_ptr() as *const i32));
            let t = row.0.as_ptr() as *const __m256i;
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(b, _mm256_load_si256(t)));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(b, _mm256_load_si256(t.add(1))));
        }
        if let ([x0], Some(row)) = (pairs.remainder(), r.next()) {
            let b = _mm256_set1_epi32(*x0 as u16 as i32);
            let t = row.0.as_ptr() as *const __m256i;
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(b, _mm256_load_si256(t)));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(b, _mm256_load_si256(t.add(1))));
        }
        // Widen the sixteen i32 sums to i64 and add them to `acc`.
        let pa = acc.as_mut_ptr() as *mut __m256i;
        for (q, half) in [
            _mm256_castsi256_si128(a0),
            _mm256_extracti128_si256(a0, 1),
            _mm256_castsi256_si128(a1),
            _mm256_extracti128_si256(a1, 1),
        ]
        .into_iter()
        .enumerate()
        {
            let v = _mm256_add_epi64(_mm256_loadu_si256(pa.add(q)), _mm256_cvtepi32_epi64(half));
            _mm256_storeu_si256(pa.add(q), v);
        }
        // Energy as in the SSE2 kernel, sixteen samples at a time (each lane ≤ 2²⁹).
        let ones = _mm256_set1_epi16(1);
        let mut e = _mm256_setzero_si256();
        let mut sixteens = x.chunks_exact(16);
        for o in &mut sixteens {
            let v = _mm256_loadu_si256(o.as_ptr() as *const __m256i);
            let hi = _mm256_madd_epi16(_mm256_mulhi_epi16(v, v), ones);
            let lo = _mm256_madd_epi16(_mm256_srli_epi16(_mm256_mullo_epi16(v, v), 4), ones);
            e = _mm256_add_epi32(e, _mm256_add_epi32(_mm256_slli_epi32(hi, 12), lo));
        }
        _mm256_storeu_si256(eparts.as_mut_ptr() as *mut __m256i, e);
        let tail: u32 = sixteens.remainder().iter().map(|&v| super::sq16(v)).sum();
        *energy += (eparts.iter().sum::<u32>() + tail) as u64;
    }
}

/// One sample pair `(x0, x1)` (either may be 0) against one row: SSE2.
#[inline]
pub(super) fn pair_sse2(row: &Row, x0: i16, x1: i16, acc: &mut [i64; 16]) {
    let mut s = [0i32; 16];
    // SAFETY: SSE2 is always present on x86-64. The loads read the 64-byte, 32-aligned `row`;
    // the stores write the 64-byte local `s` (unaligned stores).
    unsafe {
        let b = _mm_set1_epi32((x0 as u16 as u32 | ((x1 as u16 as u32) << 16)) as i32);
        let t = row.0.as_ptr() as *const __m128i;
        let p = s.as_mut_ptr() as *mut __m128i;
        for q in 0..4 {
            _mm_storeu_si128(p.add(q), _mm_madd_epi16(b, _mm_load_si128(t.add(q))));
        }
    }
    super::widen(acc, &s);
}
