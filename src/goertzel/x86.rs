//! x86-64 kernels for [`Bank::accumulate`](super::Bank::accumulate): the same arithmetic as
//! the portable [`super::mac`] loop, written with `std::arch` because LLVM vectorises that
//! loop the wrong way round (across sample pairs, gathering table values with `pinsrw`).
//!
//! * SSE2 is part of x86-64 itself, so [`accumulate_sse2`] needs no detection.
//! * AVX2 is used only when the CPU reports it ([`avx2_available`]); [`Kernel`](super::Kernel)
//!   can only hold `Avx2` after that check.
//!
//! Each kernel is tested bit for bit against the portable path (`super::tests`).
//!
//! Contract of both kernels: `x` starts at an *even* sample of the tick, `rows[0]` is the row
//! of that sample pair, and `rows.len() ≥ ⌈x.len() / 2⌉` (checked with `assert!`, so a
//! violation panics instead of reading out of bounds).

#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

use super::{Row, CHUNK};

/// Does this CPU have AVX2?
pub(super) fn avx2_available() -> bool {
    std::is_x86_feature_detected!("avx2")
}

/// The sample pair `(x0, x1)` as one 32-bit lane value.
#[inline(always)]
fn pair(x0: i16, x1: i16) -> i32 {
    (x0 as u16 as u32 | ((x1 as u16 as u32) << 16)) as i32
}

/// Σ⌊x²/16⌋ of eight samples as four `i32` lanes: `x² = hi·2¹⁶ + lo` (`x² ≥ 0`, so the
/// signed high half is exact), `⌊x²/16⌋ = hi·2¹² + ⌊lo/16⌋`; returns the two sums
/// (hi, lo) pairwise-added into `i32` lanes.
#[inline(always)]
fn sq_parts_sse2(v: __m128i) -> (__m128i, __m128i) {
    // SAFETY: SSE2 is always present on x86-64; these intrinsics only touch registers.
    unsafe {
        let ones = _mm_set1_epi16(1);
        let hi = _mm_mulhi_epi16(v, v);
        let lo = _mm_srli_epi16(_mm_mullo_epi16(v, v), 4);
        (_mm_madd_epi16(hi, ones), _mm_madd_epi16(lo, ones))
    }
}

/// Correlate `x` with `rows` into `acc` (Q10) and add its energy (Σ⌊x²/16⌋): SSE2.
pub(super) fn accumulate_sse2(rows: &[Row], x: &[i16], acc: &mut [i64; 16], energy: &mut u64) {
    assert!(rows.len() >= x.len().div_ceil(2));
    for (c, xc) in x.chunks(CHUNK).enumerate() {
        let rc = &rows[c * CHUNK / 2..];
        let mut s = [0i32; 16];
        let mut e = 0u64;
        // SAFETY: SSE2 is always present on x86-64. Every load reads a whole `Row`
        // (`#[repr(align(32))]`, 64 bytes) that exists: `rc` holds at least ⌈xc.len()/2⌉ rows
        // (asserted above), and the loop visits exactly that many. The samples are read
        // through safe slice indexing; `s` is a 64-byte local written with unaligned stores.
        unsafe {
            let mut a0 = _mm_setzero_si128();
            let mut a1 = _mm_setzero_si128();
            let mut a2 = _mm_setzero_si128();
            let mut a3 = _mm_setzero_si128();
            let mut pairs = xc.chunks_exact(2);
            let mut r = rc.iter();
            for (xp, row) in (&mut pairs).zip(&mut r) {
                let b = _mm_set1_epi32(pair(xp[0], xp[1]));
                let t = row.0.as_ptr() as *const __m128i;
                a0 = _mm_add_epi32(a0, _mm_madd_epi16(b, _mm_load_si128(t)));
                a1 = _mm_add_epi32(a1, _mm_madd_epi16(b, _mm_load_si128(t.add(1))));
                a2 = _mm_add_epi32(a2, _mm_madd_epi16(b, _mm_load_si128(t.add(2))));
                a3 = _mm_add_epi32(a3, _mm_madd_epi16(b, _mm_load_si128(t.add(3))));
            }
            if let ([x0], Some(row)) = (pairs.remainder(), r.next()) {
                let b = _mm_set1_epi32(pair(*x0, 0));
                let t = row.0.as_ptr() as *const __m128i;
                a0 = _mm_add_epi32(a0, _mm_madd_epi16(b, _mm_load_si128(t)));
                a1 = _mm_add_epi32(a1, _mm_madd_epi16(b, _mm_load_si128(t.add(1))));
                a2 = _mm_add_epi32(a2, _mm_madd_epi16(b, _mm_load_si128(t.add(2))));
                a3 = _mm_add_epi32(a3, _mm_madd_epi16(b, _mm_load_si128(t.add(3))));
            }
            let p = s.as_mut_ptr() as *mut __m128i;
            _mm_storeu_si128(p, a0);
            _mm_storeu_si128(p.add(1), a1);
            _mm_storeu_si128(p.add(2), a2);
            _mm_storeu_si128(p.add(3), a3);

            // Energy, eight samples at a time.
            let mut eh = _mm_setzero_si128();
            let mut el = _mm_setzero_si128();
            let mut octs = xc.chunks_exact(8);
            for o in &mut octs {
                let v = _mm_loadu_si128(o.as_ptr() as *const __m128i);
                let (h, l) = sq_parts_sse2(v);
                eh = _mm_add_epi32(eh, h);
                el = _mm_add_epi32(el, l);
            }
            let mut hs = [0u32; 4];
            let mut ls = [0u32; 4];
            _mm_storeu_si128(hs.as_mut_ptr() as *mut __m128i, eh);
            _mm_storeu_si128(ls.as_mut_ptr() as *mut __m128i, el);
            // Σhi ≤ 32·2¹⁴ and Σlo/16 ≤ 32·2¹², both far inside u32.
            e += ((hs.iter().sum::<u32>() as u64) << 12) + ls.iter().sum::<u32>() as u64;
            for &v in octs.remainder() {
                e += super::sq16(v) as u64;
            }
        }
        super::widen(acc, &s);
        *energy += e;
    }
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
    for (c, xc) in x.chunks(CHUNK).enumerate() {
        let rc = &rows[c * CHUNK / 2..];
        let mut s = [0i32; 16];
        let mut e = 0u64;
        // SAFETY: the caller guarantees AVX2. Every load reads a whole `Row` (aligned to 32
        // bytes, 64 bytes long) that exists: `rc` holds at least ⌈xc.len()/2⌉ rows (asserted
        // above) and the loop visits exactly that many. Samples are read through safe slice
        // indexing or 16-sample `chunks_exact` pieces (unaligned loads of exactly 32 bytes).
        unsafe {
            let mut a0 = _mm256_setzero_si256();
            let mut a1 = _mm256_setzero_si256();
            let mut pairs = xc.chunks_exact(2);
            let mut r = rc.iter();
            for (xp, row) in (&mut pairs).zip(&mut r) {
                let b = _mm256_set1_epi32(pair(xp[0], xp[1]));
                let t = row.0.as_ptr() as *const __m256i;
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(b, _mm256_load_si256(t)));
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(b, _mm256_load_si256(t.add(1))));
            }
            if let ([x0], Some(row)) = (pairs.remainder(), r.next()) {
                let b = _mm256_set1_epi32(pair(*x0, 0));
                let t = row.0.as_ptr() as *const __m256i;
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(b, _mm256_load_si256(t)));
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(b, _mm256_load_si256(t.add(1))));
            }
            let p = s.as_mut_ptr() as *mut __m256i;
            _mm256_storeu_si256(p, a0);
            _mm256_storeu_si256(p.add(1), a1);

            let ones = _mm256_set1_epi16(1);
            let mut eh = _mm256_setzero_si256();
            let mut el = _mm256_setzero_si256();
            let mut sixteens = xc.chunks_exact(16);
            for o in &mut sixteens {
                let v = _mm256_loadu_si256(o.as_ptr() as *const __m256i);
                let hi = _mm256_mulhi_epi16(v, v);
                let lo = _mm256_srli_epi16(_mm256_mullo_epi16(v, v), 4);
                eh = _mm256_add_epi32(eh, _mm256_madd_epi16(hi, ones));
                el = _mm256_add_epi32(el, _mm256_madd_epi16(lo, ones));
            }
            let mut hs = [0u32; 8];
            let mut ls = [0u32; 8];
            _mm256_storeu_si256(hs.as_mut_ptr() as *mut __m256i, eh);
            _mm256_storeu_si256(ls.as_mut_ptr() as *mut __m256i, el);
            e += ((hs.iter().sum::<u32>() as u64) << 12) + ls.iter().sum::<u32>() as u64;
            for &v in sixteens.remainder() {
                e += super::sq16(v) as u64;
            }
        }
        super::widen(acc, &s);
        *energy += e;
    }
}
