//! The amplitudes of a key's two tones with each tone's leakage into the other's bin
//! removed: a 2×2 solve with the window responses at the measured offsets.

use super::phasor::{fast_arg, mul_conj, one_minus, unit};
use super::plan::Plan;
use crate::goertzel::TABLE_SCALE;
use num_complex::Complex32;

/// Amplitudes (peak, 16-bit units) of the two tones, with each tone's leakage into the
/// other's bin removed: with the measured offsets δ the window response of each actual
/// tone at each bin, `K = Σ e^{j(ω'−ω)n} = (1 − e^{j(ω'−ω)N}) / (1 − e^{j(ω'−ω)})`, is
/// known, and the 2×2 system `X = K·C` gives the tones' complex amplitudes `C`. This
/// removes the ±0.5 dB ripple a rectangular 16 ms window leaves on the levels and twist.
/// Uses only complex arithmetic: `u = e^{jδN/2}` comes from the frequency check.
#[inline(always)]
pub(super) fn tone_amplitudes(
    plan: &Plan,
    [x0, x1]: [Complex32; 2],
    k: [usize; 2],
    u: [Complex32; 2],
    delta: [f32; 2],
) -> [f32; 2] {
    let n = plan.scale.window_len as f32;
    // e^{j(ω+δ)} per sample and e^{j(ω+δ)N} per window, for each actual tone.
    let step = |i: usize| {
        let d = delta[i];
        plan.rot.step[k[i]] * Complex32::new(1.0 - d * d / 2.0, d)
    };
    let win = |i: usize| plan.rot.window[k[i]] * u[i] * u[i];
    let (s0, s1, w0, w1) = (step(0), step(1), win(0), win(1));
    // Lanes: k00, k11, k01 (the high tone seen in the low bin), k10 (the low tone seen
    // in the high bin).
    let [k00, k11, k01, k10] = window_kernels(
        plan,
        n,
        [w0, w1, w1, w0],
        [s0, s1, s1, s0],
        [k[0], k[1], k[0], k[1]],
    );
    let det = k00 * k11 - k01 * k10;
    let det2 = det.norm_sqr();
    if det2 < plan.scale.min_det2 {
        return [
            x0.norm_sqr().sqrt() * plan.scale.x_to_amp,
            x1.norm_sqr().sqrt() * plan.scale.x_to_amp,
        ];
    }
    // |c| = |numerator| / |det| (Cramer), one division for both.
    let inv = 1.0 / det2;
    let n0 = (x0 * k11 - x1 * k01).norm_sqr();
    let n1 = (x1 * k00 - x0 * k10).norm_sqr();
    let scale = 2.0 / TABLE_SCALE;
    [(n0 * inv).sqrt() * scale, (n1 * inv).sqrt() * scale]
}

/// The two tones' half-window responses with each tone's leakage into the other's bin
/// taken out. A half window is 2 ticks, so its bins are twice as wide as the window's:
/// 770 and 1209 Hz lie 3.5 of them apart, on a sidelobe's peak, where a tone leaks at
/// −21 dB; under 16 dB of twist that is −5 dB against the weaker tone, which then seems to
/// change between the halves and reads 2.3 % off. Each tone's own halves give its offset
/// δ (the deviation check's `e^{jδH}`), hence its response at the other bin relative to
/// its own, `ρ = K(other) / K(own)` with `K = (1 − e^{jΔH}) / (1 − e^{jΔ})` over the half's
/// H samples; `ρ` times its halves is subtracted from the other bin's halves, and likewise
/// its negative frequency's image (−38 dB at 770 + 1209 Hz). First order: what is left is
/// the product of the two leakages (under −40 dB). Out of line: [`may_leak`] says first
/// whether it can change anything.
#[inline(never)]
pub(super) fn unleak_halves(
    plan: &Plan,
    a: [Complex32; 2],
    b: [Complex32; 2],
    k: [usize; 2],
) -> ([Complex32; 2], [Complex32; 2]) {
    let h = (plan.scale.window_len / 2) as f32;
    // The other bin's response to tone i, from tone i's own halves `c`: ρ·c for its positive
    // frequency, σ·conj(c) for its negative one.
    let leak = |i: usize| {
        let (t, o) = (k[i], k[1 - i]);
        // e^{jδH} and δ from the tone's halves.
        let z = mul_conj(b[i], a[i]) * plan.rot.two[t];
        let u = unit(z);
        let d = fast_arg(z) / h;
        let e = Complex32::new(1.0 - d * d / 2.0, d); // e^{jδ}
        let own_den = one_minus(e);
        let own = if own_den.norm_sqr() < 1e-12 {
            Complex32::new(h, 0.0)
        } else {
            one_minus(u) / own_den
        };
        // The tone's rotations, e^{j(ω+δ)H} and e^{j(ω+δ)}, against the other bin's; at
        // −(ω+δ) their conjugates.
        let win = plan.rot.two[t].conj() * u;
        let step = plan.rot.step[t] * e;
        let (bin_win, bin_step) = (plan.rot.two[o], plan.rot.step[o].conj());
        let pos = one_minus(win * bin_win) / one_minus(step * bin_step);
        let neg = one_minus(win.conj() * bin_win) / one_minus(step.conj() * bin_step);
        (pos / own, neg / own.conj())
    };
    let (mut a2, mut b2) = (a, b);
    let p = [0, 1].map(|i| a[i].norm_sqr() + b[i].norm_sqr());
    for i in 0..2 {
        let o = 1 - i;
        let bound = if i == 0 { HI_INTO_LO } else { LO_INTO_HI }[k[0]][k[1] - 4];
        if p[o] * bound <= LEAK_MIN * p[i] {
            continue;
        }
        let (r, q) = leak(o);
        let (la, lb) = (r * a[o] + q * a[o].conj(), r * b[o] + q * b[o].conj());
        if la.norm_sqr() + lb.norm_sqr() > LEAK_MIN * p[i] {
            a2[i] = a[i] - la;
            b2[i] = b[i] - lb;
        }
    }
    (a2, b2)
}

/// Whether either tone's leakage can reach [`LEAK_MIN`] of the other's half-window power
/// `p` (|a|² + |b|², low and high) at bins `k`: if not, [`unleak_halves`] changes nothing.
#[inline(always)]
pub(super) fn may_leak(p: [f32; 2], k: [usize; 2]) -> bool {
    let (lo, hi) = (k[0], k[1] - 4);
    p[1] * HI_INTO_LO[lo][hi] > LEAK_MIN * p[0] || p[0] * LO_INTO_HI[lo][hi] > LEAK_MIN * p[1]
}

/// The share of a tone's half-window power that the other tone's leakage must reach for
/// [`unleak_halves`] to take it out.
const LEAK_MIN: f32 = 1.0 / 16.0;

/// The most power a high tone within ±5 % of its frequency (the widest deviation a
/// configuration allows) puts into a low bin over a half window, as a share of what it puts
/// into its own bin, `[low][high]` (1 dB over the largest at any rate from 8 to 48 kHz; the
/// test `half_leak_bounds_hold` computes them). Under it, [`unleak_halves`] skips its
/// divisions: the leakage cannot reach [`LEAK_MIN`].
const HI_INTO_LO: [[f32; 4]; 4] = [
    [0.0205, 0.0168, 0.0126, 0.0043],
    [0.0107, 0.00652, 0.00619, 0.0122],
    [0.0447, 0.0252, 0.023, 0.0207],
    [0.0834, 0.0458, 0.0241, 0.00578],
];

/// The same for a low tone's power in a high bin, `[low][high]`.
const LO_INTO_HI: [[f32; 4]; 4] = [
    [0.00752, 0.00519, 0.00403, 0.00238],
    [0.0107, 0.00652, 0.00506, 0.00388],
    [0.0302, 0.0153, 0.00707, 0.00424],
    [0.0329, 0.0167, 0.00785, 0.00441],
];

/// The window response `K = (1 − e^{jΔN}) / (1 − e^{jΔ})` at `bin` of a tone whose window
/// and sample rotations are `tone_win`, `tone_step` (see [`tone_amplitudes`]); `n`
/// where the denominator vanishes. The scalar definition, the oracle of [`window_kernels`].
#[cfg(test)]
fn window_kernel(
    plan: &Plan,
    n: f32,
    tone_win: Complex32,
    tone_step: Complex32,
    bin: usize,
) -> Complex32 {
    let den = one_minus(mul_conj(tone_step, plan.rot.step[bin]));
    let d2 = den.norm_sqr();
    if d2 < 1e-12 {
        Complex32::new(n, 0.0)
    } else {
        // num / den as num · conj(den) / |den|² (one division).
        mul_conj(one_minus(mul_conj(tone_win, plan.rot.window[bin])), den) * (1.0 / d2)
    }
}

/// [`window_kernel`] four times, in lanes (the same operations lane by lane, so the same
/// bits; it vectorises).
#[inline(always)]
fn window_kernels(
    plan: &Plan,
    n: f32,
    tone_win: [Complex32; 4],
    tone_step: [Complex32; 4],
    bin: [usize; 4],
) -> [Complex32; 4] {
    let lanes = |f: &dyn Fn(usize) -> f32| -> [f32; 4] { core::array::from_fn(f) };
    let (sr, si) = (lanes(&|j| tone_step[j].re), lanes(&|j| tone_step[j].im));
    let (wr, wi) = (lanes(&|j| tone_win[j].re), lanes(&|j| tone_win[j].im));
    let (er, ei) = (
        lanes(&|j| plan.rot.step[bin[j]].re),
        lanes(&|j| plan.rot.step[bin[j]].im),
    );
    let (fr, fi) = (
        lanes(&|j| plan.rot.window[bin[j]].re),
        lanes(&|j| plan.rot.window[bin[j]].im),
    );
    // den = 1 − step·conj(e_step); |den|²; num = 1 − win·conj(e_win); num·conj(den)/|den|².
    let dr = lanes(&|j| 1.0 - (sr[j] * er[j] + si[j] * ei[j]));
    let di = lanes(&|j| 0.0 - (si[j] * er[j] - sr[j] * ei[j]));
    let d2 = lanes(&|j| dr[j] * dr[j] + di[j] * di[j]);
    let qr = lanes(&|j| 1.0 - (wr[j] * fr[j] + wi[j] * fi[j]));
    let qi = lanes(&|j| 0.0 - (wi[j] * fr[j] - wr[j] * fi[j]));
    let inv = lanes(&|j| 1.0 / d2[j]);
    let kr = lanes(&|j| (qr[j] * dr[j] + qi[j] * di[j]) * inv[j]);
    let ki = lanes(&|j| (qi[j] * dr[j] - qr[j] * di[j]) * inv[j]);
    core::array::from_fn(|j| {
        if d2[j] < 1e-12 {
            Complex32::new(n, 0.0)
        } else {
            Complex32::new(kr[j], ki[j])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ALL_FREQS;
    use crate::DetectorConfig;

    /// The lane-wise window responses are the scalar ones, bit for bit: at the offsets the
    /// detector measures (up to ±3.5 %, and exactly 0, where the denominator vanishes), for
    /// every pair of bins, at each rate's plan.
    #[test]
    fn window_kernels_match_window_kernel() {
        for rate in [8000u32, 16000, 44100, 48000] {
            let plan = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            let n = plan.scale.window_len as f32;
            let mut cases = 0;
            for (ka, kb) in (0..8).flat_map(|a| (0..8).map(move |b| (a, b))) {
                for dev in [-0.035f32, -0.02, -0.004, 0.0, 1e-6, 0.011, 0.025, 0.035] {
                    let tone = |k: usize, d: f32| {
                        let w = 2.0 * core::f32::consts::PI * ALL_FREQS[k] as f32 * d / rate as f32;
                        let step = plan.rot.step[k] * Complex32::new(1.0 - w * w / 2.0, w);
                        let win = plan.rot.window[k] * Complex32::from_polar(1.0, w * n);
                        (win, step)
                    };
                    let (wa, sa) = tone(ka, dev);
                    let (wb, sb) = tone(kb, -0.7 * dev);
                    let lanes = window_kernels(
                        &plan,
                        n,
                        [wa, wb, wb, wa],
                        [sa, sb, sb, sa],
                        [ka, kb, ka, kb],
                    );
                    let scalar = [
                        window_kernel(&plan, n, wa, sa, ka),
                        window_kernel(&plan, n, wb, sb, kb),
                        window_kernel(&plan, n, wb, sb, ka),
                        window_kernel(&plan, n, wa, sa, kb),
                    ];
                    for (l, s) in lanes.iter().zip(&scalar) {
                        assert_eq!(
                            (l.re.to_bits(), l.im.to_bits()),
                            (s.re.to_bits(), s.im.to_bits()),
                            "{rate} Hz bins {ka} {kb} deviation {dev}: {l} vs {s}"
                        );
                    }
                    cases += 1;
                }
            }
            assert_eq!(cases, 8 * 8 * 8);
        }
    }
    /// The bounds that let [`unleak_halves`] skip its divisions hold at every rate's half
    /// window (computed here over 2001 offsets in ±5 %), and are tight enough to skip
    /// (within 1.5× of the largest at 8 kHz).
    #[test]
    fn half_leak_bounds_hold() {
        let rates = [
            8000u32, 8001, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 47999, 48000,
        ];
        let mut most = [[[0f64; 4]; 4]; 2];
        for rate in rates {
            let plan = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            let h = (plan.scale.window_len / 2) as f64;
            let fs = rate as f64;
            let kernel = |d: f64| {
                let s = (d / 2.0).sin();
                if s.abs() < 1e-12 {
                    h
                } else {
                    ((d * h / 2.0).sin() / s).abs()
                }
            };
            let w = |f: f64| 2.0 * core::f64::consts::PI * f / fs;
            for (dir, table) in [HI_INTO_LO, LO_INTO_HI].iter().enumerate() {
                for lo in 0..4 {
                    for hi in 0..4 {
                        let (t, b) = if dir == 0 { (4 + hi, lo) } else { (lo, 4 + hi) };
                        let mut m = 0f64;
                        for i in -1000..=1000 {
                            let f = ALL_FREQS[t] * (1.0 + 0.05 * i as f64 / 1000.0);
                            let r = kernel(w(f) - w(ALL_FREQS[b])) / kernel(w(f) - w(ALL_FREQS[t]));
                            m = m.max(r * r);
                        }
                        assert!(
                            m <= table[lo][hi] as f64,
                            "{rate} Hz, tone {t} into bin {b}: {m} over the bound {}",
                            table[lo][hi]
                        );
                        if rate == 8000 {
                            most[dir][lo][hi] = m;
                        }
                    }
                }
            }
        }
        for (dir, table) in [HI_INTO_LO, LO_INTO_HI].iter().enumerate() {
            for lo in 0..4 {
                for hi in 0..4 {
                    let m = most[dir][lo][hi];
                    assert!(
                        table[lo][hi] as f64 <= 1.5 * m,
                        "{dir} {lo} {hi}: {m} vs {}",
                        table[lo][hi]
                    );
                }
            }
        }
    }

    /// A half window's responses at two bins to two tones, computed directly: Σ x[n]e^{−jωn}
    /// over n in `from..from + h`, relative to `from`.
    fn halves_of(
        rate: u32,
        h: usize,
        tones: &[(f64, f64, f64)],
        bins: [usize; 2],
    ) -> [[Complex32; 2]; 2] {
        let fs = rate as f64;
        let x = |n: usize| -> f64 {
            tones
                .iter()
                .map(|&(f, amp, ph)| {
                    amp * (2.0 * core::f64::consts::PI * f * n as f64 / fs + ph).cos()
                })
                .sum()
        };
        let resp = |from: usize, k: usize| {
            let w = 2.0 * core::f64::consts::PI * ALL_FREQS[k] / fs;
            let (mut re, mut im) = (0f64, 0f64);
            for m in 0..h {
                let v = x(from + m);
                re += v * (w * m as f64).cos();
                im -= v * (w * m as f64).sin();
            }
            Complex32::new(re as f32, im as f32)
        };
        [0, h].map(|from| bins.map(|k| resp(from, k)))
    }

    /// The weaker tone's frequency read between the halves (as the onset check reads it).
    fn deviation(plan: &Plan, a: Complex32, b: Complex32, k: usize) -> f64 {
        let z = mul_conj(b, a) * plan.rot.two[k];
        let h = (plan.scale.window_len / 2) as f64;
        let fs = plan.cfg.sample_rate as f64;
        let f = ALL_FREQS[k]
            + (z.im as f64).atan2(z.re as f64) / h * fs / (2.0 * core::f64::consts::PI);
        f / ALL_FREQS[k] - 1.0
    }

    /// Key 4 (770 + 1209 Hz) with the high tone 16 dB over the low one, both off nominal
    /// by up to ±1.5 %, at several phases: the high tone's leakage puts the low tone's
    /// reading well off (over 1.5 % somewhere); with it taken out, within 0.15 % of the
    /// truth everywhere. Both ways round (the low tone 16 dB over the high one). Tones at
    /// equal level are left alone, bit for bit.
    #[test]
    fn unleak_halves_restores_the_weaker_tones_frequency() {
        for rate in [8000u32, 16000, 48000] {
            let plan = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
            let h = plan.scale.window_len / 2;
            let bins = [1, 4];
            for weak in 0..2 {
                let mut worst_raw = 0f64;
                for (case, (d_lo, d_hi)) in
                    [(0.0, 0.0), (0.015, -0.01), (-0.012, 0.015), (0.005, 0.012)]
                        .into_iter()
                        .enumerate()
                {
                    for ph in 0..6 {
                        let ph = ph as f64;
                        let (a_lo, a_hi) = if weak == 0 {
                            (0.158, 1.0)
                        } else {
                            (1.0, 0.158)
                        };
                        let tones = [
                            (770.0 * (1.0 + d_lo), 1000.0 * a_lo, 0.3 * ph),
                            (1209.0 * (1.0 + d_hi), 1000.0 * a_hi, 1.1 * ph + 0.5),
                        ];
                        let [a, b] = halves_of(rate, h, &tones, bins);
                        let truth = [d_lo, d_hi][weak];
                        let raw = deviation(&plan, a[weak], b[weak], bins[weak]);
                        worst_raw = worst_raw.max((raw - truth).abs());
                        let (ua, ub) = unleak_halves(&plan, a, b, bins);
                        let fixed = deviation(&plan, ua[weak], ub[weak], bins[weak]);
                        assert!(
                            (fixed - truth).abs() < 0.0015,
                            "{rate} Hz weak {weak} case {case} phase {ph}: {fixed} for {truth} (raw {raw})"
                        );
                    }
                }
                if weak == 0 {
                    assert!(
                        worst_raw > 0.015,
                        "{rate} Hz: the raw reading was never off ({worst_raw})"
                    );
                }
            }
            let tones = [(772.0, 1000.0, 0.2), (1205.0, 900.0, 1.0)];
            let [a, b] = halves_of(rate, h, &tones, bins);
            let (ua, ub) = unleak_halves(&plan, a, b, bins);
            for i in 0..2 {
                assert_eq!(
                    (ua[i], ub[i]),
                    (a[i], b[i]),
                    "{rate} Hz: equal tones changed"
                );
            }
        }
    }
}
