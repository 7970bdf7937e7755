//! The portable twin of the x86 kernels: plain Rust, for any target, and the oracle the
//! SIMD kernels are tested against.

use crate::goertzel::Row;

/// The portable bank kernel (same contract as the x86 ones: `x` starts at an even sample,
/// `rows[0]` is its pair, `rows` has at least ⌈x.len()/2⌉ rows).
pub(crate) fn accumulate(rows: &[Row], x: &[i16], acc: &mut [i32; 16], energy: &mut u64) {
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
pub(crate) fn mac(s: &mut [i32; 16], x0: i16, x1: i16, row: &[i16; 32]) {
    for (sj, t) in s.iter_mut().zip(row.chunks_exact(2)) {
        // |x·t| ≤ 2¹⁵·2¹⁰ each, so the pair sum cannot overflow.
        *sj = sj.wrapping_add(x0 as i32 * t[0] as i32 + x1 as i32 * t[1] as i32);
    }
}

/// ⌊x²/16⌋ (x² ≤ 2³⁰, so ≤ 2²⁶).
#[inline(always)]
pub(crate) fn sq16(v: i16) -> u32 {
    ((v as i32 * v as i32) as u32) >> 4
}
