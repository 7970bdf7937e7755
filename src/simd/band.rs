//! AVX2 kernel for the whole groups of the detector's band energy (`band_energy_groups`): Σ (group sum)² over
//! consecutive groups of `m` samples, eight groups per step, exactly the integer of the
//! portable code (tested against the one-sample-at-a-time oracle in the detector's tests).
//!
//! LLVM vectorises the portable loop by gathering each group's samples with `pinsrw`; here
//! the samples are loaded contiguously instead. Each group is `R` consecutive *units* of `U`
//! samples (`m = U·R`): a unit is one sample widened to `i32` (`U = 1`) or the sum of a
//! sample pair (`U = 2`, `vpmaddwd` with ones: exact, |pair| ≤ 65536). `R` vectors of eight
//! units hold eight groups; the group sums are formed in lanes without regard to the
//! groups' order (only the sum of their squares is kept):
//!
//! * `R = 1`: the units are the group sums;
//! * `R = 2`: `vphaddd` of the two vectors;
//! * `R = 3`: blends make three vectors holding the first, second and third unit of every
//!   group (unit `8v + l` of vector `v`, lane `l`, is unit `(8v + l) mod 3` of its group,
//!   and each lane has one `v` of each residue); their lane orders of the groups are the
//!   first's rotated by one and two lanes, which `vpermd` undoes.
//!
//! The group sums (|sum| ≤ 6·32768 < 2^18) are squared exactly into `i64` lanes
//! (`vpmuldq`, even and odd lanes) and summed there (a tick's total is < 2^44).

use super::Avx2 as Token;
use core::arch::x86_64::*;

/// Σ (Σ group)² over the consecutive groups of `M` samples of `x`, for `M` in
/// {1, 2, 3, 4, 6}, `x.len()` a multiple of `M` and at least eight groups; `None` (nothing
/// done) otherwise.
#[inline(always)]
pub(super) fn whole_groups<const M: usize>(proof: Token, x: &[i16]) -> Option<u64> {
    if M == 0 || x.len() % M != 0 || x.len() < 8 * M {
        return None;
    }
    let _ = proof;
    // SAFETY: a `Token` exists only if the CPU reported AVX2, the one feature these
    // functions enable; `x` holds at least eight whole groups (checked above).
    unsafe {
        Some(match M {
            1 => groups::<1, 1>(x),
            2 => groups::<2, 1>(x),
            3 => groups::<1, 3>(x),
            4 => groups::<2, 2>(x),
            6 => groups::<2, 3>(x),
            _ => return None,
        })
    }
}

/// Groups of `U·R` samples (see the module doc); `x.len()` is a multiple of `U·R` and at
/// least `8·U·R` (the caller's guarantee, with AVX2).
#[target_feature(enable = "avx2")]
unsafe fn groups<const U: usize, const R: usize>(x: &[i16]) -> u64 {
    // Eight groups per step. A last partial step is the last `step` samples, the ones
    // already counted masked to zero: they are whole groups (both ends of the overlap are
    // multiples of the group length from the start of `x`), which then add zero.
    let step = 8 * U * R;
    let mut blocks = x.chunks_exact(step);
    let mut acc = _mm256_setzero_si256();
    for b in &mut blocks {
        // SAFETY: AVX2 is enabled on this function (the caller's guarantee); `b` holds
        // `step` samples, all that `group_sums` reads.
        acc = unsafe { add_squares(acc, group_sums::<U, R, false>(b, 0)) };
    }
    let rest = blocks.remainder().len();
    if rest != 0 {
        let b = &x[x.len() - step..];
        // SAFETY: as above (`x.len() ≥ step`, the caller's guarantee).
        acc = unsafe { add_squares(acc, group_sums::<U, R, true>(b, step - rest)) };
    }
    let s = _mm_add_epi64(
        _mm256_castsi256_si128(acc),
        _mm256_extracti128_si256::<1>(acc),
    );
    (_mm_cvtsi128_si64(s) + _mm_extract_epi64::<1>(s)) as u64
}

/// Vector `v` (0..R) of eight units of `b` (units `8v..8v + 8`); with `MASK`, the samples
/// of `b` before index `skip` read as zero.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn units<const U: usize, const MASK: bool>(b: &[i16], v: usize, skip: usize) -> __m256i {
    let u = &b[8 * U * v..8 * U * (v + 1)];
    // Lane i is sample `first + i` of `b`; kept if that is ≥ skip, i.e. i > skip - first - 1.
    let first = (8 * U * v) as i32;
    let cut = (skip as i32 - first - 1).clamp(-1, 16) as i16;
    // SAFETY: AVX2 is enabled (the caller's guarantee); the loads read `u` whole: 16 bytes
    // (U = 1) or 32 bytes (U = 2), unaligned.
    unsafe {
        if U == 1 {
            let mut s = _mm_loadu_si128(u.as_ptr().cast());
            if MASK {
                let i = _mm_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7);
                s = _mm_and_si128(s, _mm_cmpgt_epi16(i, _mm_set1_epi16(cut)));
            }
            _mm256_cvtepi16_epi32(s)
        } else {
            let mut s = _mm256_loadu_si256(u.as_ptr().cast());
            if MASK {
                let i = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
                s = _mm256_and_si256(s, _mm256_cmpgt_epi16(i, _mm256_set1_epi16(cut)));
            }
            _mm256_madd_epi16(s, _mm256_set1_epi16(1))
        }
    }
}

/// The sums of the eight groups of `U·R` samples in `b` (`8·U·R` samples), in some order;
/// with `MASK`, the samples before index `skip` count as zero.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn group_sums<const U: usize, const R: usize, const MASK: bool>(
    b: &[i16],
    skip: usize,
) -> __m256i {
    // SAFETY: AVX2 is enabled (the caller's guarantee); `units` reads inside `b`, which has
    // `8·U·R` samples; the rest are register operations.
    let p = |v| unsafe { units::<U, MASK>(b, v, skip) };
    match R {
        1 => p(0),
        2 => _mm256_hadd_epi32(p(0), p(1)),
        _ => {
            let (p0, p1, p2) = (p(0), p(1), p(2));
            // Lane l of q_k takes vector v with (8v + l) mod 3 = k:
            // q0: v = [0,1,2,0,1,2,0,1], groups [0,3,6,1,4,7,2,5] by lane;
            // q1: v = [2,0,1,2,0,1,2,0], groups [5,0,3,6,1,4,7,2];
            // q2: v = [1,2,0,1,2,0,1,2], groups [2,5,0,3,6,1,4,7].
            let q0 = _mm256_blend_epi32::<0x24>(_mm256_blend_epi32::<0x92>(p0, p1), p2);
            let q1 = _mm256_blend_epi32::<0x49>(_mm256_blend_epi32::<0x24>(p0, p1), p2);
            let q2 = _mm256_blend_epi32::<0x92>(_mm256_blend_epi32::<0x49>(p0, p1), p2);
            // q1 and q2 rotated down by one and two lanes: q0's order of the groups.
            let q1 = _mm256_permutevar8x32_epi32(q1, _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0));
            let q2 = _mm256_permutevar8x32_epi32(q2, _mm256_setr_epi32(2, 3, 4, 5, 6, 7, 0, 1));
            _mm256_add_epi32(_mm256_add_epi32(q0, q1), q2)
        }
    }
}

/// `acc` (four `i64` lanes) plus the squares of the eight `i32` lanes of `s`.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn add_squares(acc: __m256i, s: __m256i) -> __m256i {
    let odd = _mm256_srli_epi64::<32>(s);
    let sq = _mm256_add_epi64(_mm256_mul_epi32(s, s), _mm256_mul_epi32(odd, odd));
    _mm256_add_epi64(acc, sq)
}
