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

/// Eight complex lanes `out = p + q·r`, real and imaginary parts in separate arrays
/// (`[re, im]`), with the operations of `Complex32`'s `p + q * r`.
#[cfg_attr(
    all(target_arch = "x86_64", not(feature = "portable")),
    allow(dead_code)
)]
#[inline(always)]
pub(crate) fn mul_add8(
    p: [&[f32; 8]; 2],
    q: [&[f32; 8]; 2],
    r: [&[f32; 8]; 2],
    out: [&mut [f32; 8]; 2],
) {
    let [re, im] = out;
    for k in 0..8 {
        re[k] = p[0][k] + (q[0][k] * r[0][k] - q[1][k] * r[1][k]);
        im[k] = p[1][k] + (q[0][k] * r[1][k] + q[1][k] * r[0][k]);
    }
}

/// For each group of four lanes of `v` (0–3, 4–7): the index of its largest value (the
/// first of equals), that value, and the largest of the group's other values (at least 0).
/// For finite values.
#[cfg_attr(
    all(target_arch = "x86_64", not(feature = "portable")),
    allow(dead_code)
)]
#[inline(always)]
pub(crate) fn top2x2(v: &[f32; 8]) -> [(usize, f32, f32); 2] {
    core::array::from_fn(|g| {
        let x = &v[4 * g..4 * g + 4];
        let mut best = 0;
        for i in 1..4 {
            if x[i] > x[best] {
                best = i;
            }
        }
        let second = (0..4)
            .filter(|&i| i != best)
            .fold(0f32, |m, i| if x[i] > m { x[i] } else { m });
        (best, x[best], second)
    })
}
