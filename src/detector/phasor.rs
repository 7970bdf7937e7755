//! Phasor and number helpers of the per-tick analysis: unit phasors and angles without libm,
//! a branch-free `|arg z| ≤ θ` test, the two largest of four values, one-branch comparisons,
//! and the quarter-octave power bytes of the start-placing history. Each fast form is
//! tested here against the plain definition it replaces (its oracle).

use super::ticks::Resp;
use num_complex::Complex32;

/// Whether `a[i] < b[i]` in any lane, as one branch: written with `||`, or even with `|`
/// and an array of comparisons, the compiler made a branch of each comparison, and which
/// one fails changes from window to window on speech. `b − a > 0` exactly when `a < b`
/// (the difference of two different finite values is never rounded to zero, `∞ − ∞` and
/// NaN compare false either way, and so do `±0 − ∓0`), and `f32::max` passes over NaN
/// lanes; tested against the comparisons.
#[inline(always)]
pub(super) fn any_below(a: [f32; 4], b: [f32; 4]) -> bool {
    let d: [f32; 4] = core::array::from_fn(|i| b[i] - a[i]);
    d[0].max(d[1]).max(d[2].max(d[3])) > 0.0
}

/// `|arg z| ≤ θ` without the arctangent: a cone around the positive real axis (θ < π/2) or,
/// beyond, everything but a cone around the negative one.
#[derive(Clone, Copy, Debug)]
pub(super) struct ArgLimit {
    /// tan θ (θ < π/2), or tan(π − θ) of the excluded cone.
    tan: f32,
    wide: bool,
}

impl ArgLimit {
    pub(super) fn new(theta: f32) -> ArgLimit {
        let theta = theta.clamp(0.0, core::f32::consts::PI);
        if theta < core::f32::consts::FRAC_PI_2 {
            ArgLimit {
                tan: theta.tan(),
                wide: false,
            }
        } else {
            ArgLimit {
                tan: (core::f32::consts::PI - theta).tan(),
                wide: true,
            }
        }
    }

    /// Whether `|arg z| ≤ θ` (z = 0 counts as angle 0).
    #[inline(always)]
    pub(super) fn contains(&self, z: Complex32) -> bool {
        if self.wide {
            !(z.re < 0.0 && z.im.abs() < self.tan * -z.re)
        } else {
            z.re >= 0.0 && z.im.abs() <= self.tan * z.re
        }
    }
}

/// `a · conj(b)`: the same bits as `a * b.conj()` (negation is exact), fewer operations.
#[inline(always)]
pub(super) fn mul_conj(a: Complex32, b: Complex32) -> Complex32 {
    Complex32::new(a.re * b.re + a.im * b.im, a.im * b.re - a.re * b.im)
}

/// `1 − z`, as `Complex32::new(1.0, 0.0) - z` computes it (`0 − im`, not `−im`).
#[inline(always)]
pub(super) fn one_minus(z: Complex32) -> Complex32 {
    Complex32::new(1.0 - z.re, 0.0 - z.im)
}

/// `z / |z|` without libm and without overflow: `z.norm_sqr()` itself overflows `f32` for
/// the half-window products at 44.1/48 kHz (|z| ≈ 2e19 for a 0 dBm0 tone), so scale by the
/// larger component first. Zero stays zero.
pub(super) fn unit(z: Complex32) -> Complex32 {
    let m = z.re.abs().max(z.im.abs());
    if m == 0.0 || !m.is_finite() {
        return Complex32::new(0.0, 0.0);
    }
    let s = z / m;
    s / s.norm_sqr().sqrt()
}

/// `(z / |z|)²` (a unit phasor of twice the angle) with two divisions and no square root;
/// scaled by the larger component first, as [`unit`]. Zero stays zero.
#[inline]
pub(super) fn unit_squared(z: Complex32) -> Complex32 {
    let m = z.re.abs().max(z.im.abs());
    if m == 0.0 || !m.is_finite() {
        return Complex32::new(0.0, 0.0);
    }
    let s = z * (1.0 / m);
    (s * s) * (1.0 / s.norm_sqr())
}

/// `z.arg()`, to about 2e-4 rad (0.01 Hz of frequency), without a libm call (it runs for every tick of a tone).
#[inline]
pub(super) fn fast_arg(z: Complex32) -> f32 {
    use core::f32::consts::{FRAC_PI_2, PI};
    let (ax, ay) = (z.re.abs(), z.im.abs());
    if ax == 0.0 && ay == 0.0 {
        return 0.0;
    }
    // (Comparisons, not `f32::min`/`max`: no NaN handling needed, z is finite.)
    let (lo, hi) = if ax < ay { (ax, ay) } else { (ay, ax) };
    let a = lo / hi;
    let s = a * a;
    // Minimax polynomial for atan on [0, 1].
    let mut r = ((-0.046_496_475 * s + 0.159_314_22) * s - 0.327_622_76) * s * a + a;
    if ay > ax {
        r = FRAC_PI_2 - r;
    }
    if z.re < 0.0 {
        r = PI - r;
    }
    if z.im < 0.0 {
        -r
    } else {
        r
    }
}

/// A power (≥ 0) quantised to a quarter octave (0.75 dB), 2⁸ … 2⁷² in one byte: the
/// scalar definition, the oracle of [`log_powers`] (and the quantiser of a window's
/// energy in the history).
pub(super) fn log_power(p: f32) -> u8 {
    let bits = p.max(256.0).to_bits() + (1 << 20); // round to nearest step
    ((bits >> 21).saturating_sub(LOG_POWER_BASE)).min(255) as u8
}

/// [`log_power`] of the eight powers of a tick, in lanes (vectorises; the same bytes).
#[inline]
pub(super) fn log_powers(t: &Resp, out: &mut [u8; 8]) {
    let mut q = [0i16; 8];
    #[allow(clippy::needless_range_loop)] // one index across many lanes: vectorises
    for k in 0..8 {
        let p = t.re[k] * t.re[k] + t.im[k] * t.im[k];
        // `p.max(256.0)` (NaN gives 256 either way); the bits are then at least
        // `LOG_POWER_BASE << 21`, so the subtraction cannot wrap, and positive floats'
        // bits are below 2³¹, so the signed minimum is the unsigned one.
        let p = if p > 256.0 { p } else { 256.0 };
        let bits = (p.to_bits() + (1 << 20)) as i32;
        q[k] = ((bits >> 21) - LOG_POWER_BASE as i32).min(255) as i16;
    }
    // 0..=255 through i16: the compiler packs the lanes (`packuswb`).
    for (o, &v) in out.iter_mut().zip(&q) {
        *o = v as u8;
    }
}

/// The power a [`log_power`] byte stands for.
pub(super) fn power_of(q: u8) -> f32 {
    f32::from_bits((q as u32 + LOG_POWER_BASE) << 21)
}

/// `log_power` offset: exponent 127 + 8 (2⁸) in quarter-octave steps.
const LOG_POWER_BASE: u32 = (127 + 8) << 2;

/// `e as f32` through `i64` (one instruction without AVX-512; a tick's or window's energy
/// is far below 2⁶³, where the two conversions agree).
#[inline(always)]
pub(super) fn energy_f32(e: u64) -> f32 {
    e as i64 as f32
}

/// `v.round()` for `v ≥ 0` (negative and NaN give 0), without the libm call.
#[inline]
pub(super) fn round_up_half(v: f32) -> u64 {
    (v + 0.5) as u64
}

/// `s²` exactly, as |s|·|s| in `u64` (a product of two `u32`: vectorises).
#[inline(always)]
pub(super) fn square(s: i32) -> u64 {
    let a = s.unsigned_abs() as u64;
    a * a
}

/// Index of the largest value (the first of equals), that value, and the largest of the
/// others (at least 0), for finite values (window powers always are): a comparison network,
/// branch-free.
#[inline]
pub(super) fn top2(v: &[f32; 4]) -> (usize, f32, f32) {
    // Winner and loser of (0, 1) and of (2, 3); ties go to the earlier index. Masks and
    // selects, not branches: on noise and speech the order of the bins is random from
    // window to window, and mispredicted branches cost more than the whole comparison.
    let c01 = v[1] > v[0];
    let c23 = v[3] > v[2];
    let sel = |c: bool, a: f32, b: f32| f32::from_bits(select(c, a.to_bits(), b.to_bits()));
    let (w01, l01) = (sel(c01, v[1], v[0]), sel(c01, v[0], v[1]));
    let (w23, l23) = (sel(c23, v[3], v[2]), sel(c23, v[2], v[3]));
    let (i01, i23) = (c01 as u32, 2 + c23 as u32);
    let c = w23 > w01;
    let best = select(c, i23, i01);
    let second = sel(c, max_finite(l23, w01), max_finite(l01, w23));
    (best as usize, sel(c, w23, w01), max_finite(second, 0.0))
}

/// `if c { a } else { b }` on integers, by mask (no branch).
#[inline(always)]
fn select(c: bool, a: u32, b: u32) -> u32 {
    let m = (c as u32).wrapping_neg();
    (a & m) | (b & !m)
}

/// The larger of two finite values (no NaN handling: `maxss`).
#[inline(always)]
fn max_finite(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_limit_matches_atan2() {
        for theta in [0.05f32, 0.2, 0.9, 1.5, 1.6, 2.05, 3.0] {
            let lim = ArgLimit::new(theta);
            for i in 0..7200 {
                let t = (i as f32 / 7200.0) * 2.0 * core::f32::consts::PI - core::f32::consts::PI;
                if (t.abs() - theta).abs() < 1e-3 {
                    continue; // the boundary itself: either answer
                }
                for r in [1e-3f32, 1.0, 1e12] {
                    let z = Complex32::from_polar(r, t);
                    assert_eq!(
                        lim.contains(z),
                        t.abs() <= theta,
                        "θ {theta} angle {t} r {r}"
                    );
                }
            }
            assert!(lim.contains(Complex32::new(0.0, 0.0)));
        }
    }

    #[test]
    fn fast_arg_matches_atan2() {
        let mut worst = 0f32;
        for i in 0..3600 {
            let t = (i as f32 / 3600.0) * 2.0 * core::f32::consts::PI - core::f32::consts::PI;
            for r in [1e-3f32, 1.0, 1e6] {
                let z = Complex32::from_polar(r, t);
                worst = worst.max((fast_arg(z) - z.im.atan2(z.re)).abs());
            }
        }
        assert!(worst < 3e-4, "worst error {worst}");
        assert_eq!(fast_arg(Complex32::new(0.0, 0.0)), 0.0);
    }

    /// xorshift values over many octaves, with the special cases.
    fn test_values() -> Vec<f32> {
        let mut st = 0x9e37_79b9_7f4a_7c15u64;
        let mut v: Vec<f32> = (0..4000)
            .map(|_| {
                st ^= st << 13;
                st ^= st >> 7;
                st ^= st << 17;
                let m = (st >> 40) as f32 / (1u64 << 24) as f32;
                m * 2f32.powi(((st >> 8) % 90) as i32 - 10)
            })
            .collect();
        v.extend([
            0.0,
            255.9,
            256.0,
            256.1,
            1e30,
            f32::MAX,
            f32::INFINITY,
            f32::NAN,
        ]);
        v
    }

    /// `any_below` against the comparisons it replaces, over positive, negative, tiny,
    /// huge, infinite and NaN values in every lane.
    #[test]
    fn any_below_matches_the_comparisons() {
        let mut v: Vec<f32> = test_values().into_iter().step_by(50).collect();
        v.extend(v.clone().iter().map(|x| -x));
        v.extend([
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            f32::MAX,
            f32::MIN,
        ]);
        v.extend([
            f32::NEG_INFINITY,
            1.0,
            1.0 + f32::EPSILON,
            1.0 - f32::EPSILON / 2.0,
        ]);
        let mut seen = [0usize; 2];
        for &a0 in &v {
            for &b0 in &v {
                // The pair in each lane; the other lanes all false (0 < 0, NaN < 0, 0 < NaN)
                // or all true (0 < 1).
                for lane in 0..4 {
                    for (fa, fill) in [(0.0, 0.0), (0.0, 1.0), (f32::NAN, 0.0), (0.0, f32::NAN)] {
                        let mut a = [fa; 4];
                        let mut b = [fill; 4];
                        a[lane] = a0;
                        b[lane] = b0;
                        let want = (0..4).any(|j| a[j] < b[j]);
                        assert_eq!(any_below(a, b), want, "{a:?} < {b:?}");
                        seen[usize::from(want)] += 1;
                    }
                }
            }
        }
        assert!(seen[0] > 1000 && seen[1] > 1000, "{seen:?}");
    }

    /// The lane-wise window responses are the scalar ones, bit for bit: at the offsets the
    /// detector measures (up to ±3.5 %, and exactly 0, where the denominator vanishes), for

    #[test]
    fn log_powers_match_log_power() {
        let v = test_values();
        for c in v.chunks_exact(8) {
            // re² + im² with im = 0 is the value itself (rounded through the square root).
            let t = Resp {
                re: core::array::from_fn(|k| c[k].sqrt()),
                im: [0.0; 8],
            };
            let want: [u8; 8] = core::array::from_fn(|k| log_power(t.norm_sqr(k)));
            let mut got = [0; 8];
            log_powers(&t, &mut got);
            assert_eq!(got, want, "{c:?}");
        }
        let t = Resp {
            re: [f32::NAN, 0.0, 16.0, 1e20, 3.0, 1e19, 17.0, 100.0],
            im: [0.0, f32::NAN, 0.5, 1e20, 4.0, 0.0, 0.0, 100.0],
        };
        let want: [u8; 8] = core::array::from_fn(|k| log_power(t.norm_sqr(k)));
        let mut got = [0; 8];
        log_powers(&t, &mut got);
        assert_eq!(got, want);
    }

    /// The original two-pass `top2`, the oracle for the one-pass one.
    fn top2_reference(v: &[f32]) -> (usize, f32) {
        let mut best = 0;
        for i in 1..v.len() {
            if v[i] > v[best] {
                best = i;
            }
        }
        let second = v
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != best)
            .map(|(_, &m)| m)
            .fold(0f32, f32::max);
        (best, second)
    }

    #[test]
    fn top2_matches_the_reference() {
        let mut v = test_values();
        // Ties and repeats.
        v.extend([5.0, 5.0, 1.0, 5.0, 0.0, 0.0, 0.0, 0.0, 2.0, 3.0, 3.0, 2.0]);
        for w in v.windows(4).filter(|w| w.iter().all(|x| x.is_finite())) {
            let a = [w[0], w[1], w[2], w[3]];
            let (i, m, s) = top2(&a);
            let (ri, rs) = top2_reference(&a);
            assert_eq!(i, ri, "{a:?}");
            assert_eq!(m.to_bits(), a[ri].to_bits(), "{a:?}");
            assert_eq!(s.to_bits(), rs.to_bits(), "{a:?}");
        }
    }

    #[test]
    fn log_power_round_trips_within_a_step() {
        for e in 9..70 {
            for f in [1.0f32, 1.3, 1.7] {
                let p = f * 2f32.powi(e);
                let back = power_of(log_power(p));
                let db = 10.0 * (back / p).log10();
                assert!(db.abs() <= 0.4, "{p}: {back} ({db} dB)");
            }
        }
        assert_eq!(log_power(0.0), 0);
        assert_eq!(log_power(f32::INFINITY), 255);
    }
}
